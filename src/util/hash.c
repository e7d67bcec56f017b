/*
 * hash.c -- 64-bit hashing of byte strings.
 *
 * hash_bytes reads the input eight bytes at a time. Each word is scrambled
 * on its own (multiply, xor-shift, multiply: independent across words, so
 * the CPU overlaps them) and folded into a running state with a rotate and
 * one multiply; the 0..7 trailing bytes form one last zero-padded word.
 * The length enters the initial state, so inputs that differ only by
 * trailing zero bytes differ. hash_u64 finishes, spreading every input bit
 * over all output bits, which HyperLogLog and power-of-two tables need.
 *
 * Words are loaded in native byte order: hashes are for in-memory tables
 * and sketches, never stored or compared across machines.
 */
#include "util/util.h"

/* Odd multipliers from the fractional bits of pi, e and sqrt(2): any odd
 * constant with well spread bits works; these have nothing hidden. */
#define HASH_M1 0x243f6a8885a308d3ULL   /* pi */
#define HASH_M2 0xb7e151628aed2a6bULL   /* e */
#define HASH_M3 0x6a09e667f3bcc909ULL   /* sqrt(2) */
#define HASH_SEED_STR 0x452821e638d01377ULL

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t scramble(uint64_t w)
{
    w *= HASH_M1;
    w ^= w >> 32;
    w *= HASH_M2;
    return w;
}

static inline uint64_t absorb(uint64_t h, uint64_t w)
{
    h ^= scramble(w);
    return rotl64(h, 29) * HASH_M3 + HASH_M1;
}

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ ((uint64_t)n * HASH_M2);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = absorb(h, w);
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i);
        h = absorb(h, w);
    }
    return hash_u64(h);
}

uint64_t hash_str_long(const Str *s)
{
    /* Longer than STR_INLINE: the bytes behind the pointer. */
    return hash_bytes(str_data(s), s->len, HASH_SEED_STR);
}
