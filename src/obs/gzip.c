/*
 * gzip.c -- the files obs/ writes: buffered write(2), and a gzip
 * compressor of our own, since the core library links only libc and
 * pthreads (no zlib).
 *
 * The gzip container is RFC 1952: a 10-byte header (no name, no time),
 * deflate data, then CRC-32 and ISIZE (input length mod 2^32), both
 * little-endian. The deflate data (RFC 1951) is a sequence of blocks, each
 * either
 *
 *   - fixed Huffman (BTYPE 01): literals and <length, distance> pairs with
 *     the code lengths the RFC fixes, so no code table is sent; or
 *   - stored (BTYPE 00): the bytes as they are, when that is smaller.
 *
 * Matches come from an LZ77 matcher: a hash of the next three bytes
 * selects a chain of earlier positions with the same hash, searched up to
 * MAX_CHAIN deep for the longest match within the 32 KiB window,
 * with zlib's lazy evaluation (a match is taken only if the next position
 * does not start a longer one).
 *
 * The window buffer holds 2 * WSIZE bytes. Input is compressed as it
 * arrives, except for the last MIN_LOOKAHEAD bytes, which wait until more
 * input (or the end) lets a match run to full length. When the buffer is
 * full, the pending block is emitted and the upper half slides down to the
 * lower half, as in zlib; positions in the hash chains move with it. A
 * block thus covers at most 64 KiB of input and its bytes are still in
 * the window when it is emitted, which is what lets it choose to be
 * stored.
 *
 * Work per input byte is bounded by MAX_CHAIN candidate comparisons; memory
 * is one Deflate (about 400 KiB) per open file, whatever the input size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "obs/obs_int.h"

/* ------------------------------------------------------------------------
 * CRC-32, four bits at a time: a 16-entry table is enough for the sizes
 * we write and needs no initialisation.
 * ------------------------------------------------------------------------ */

static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t gz_crc32(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
    }
    return ~crc;
}

/* ------------------------------------------------------------------------
 * Buffered output
 * ------------------------------------------------------------------------ */

static void write_fd(OutFile *o, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0 && o->write_errno == 0) {
        ssize_t r = write(o->fd, s, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            o->write_errno = r < 0 ? errno : EIO;
            return;
        }
        s += r;
        n -= (size_t)r;
        o->n_out += (uint64_t)r;
    }
}

static void flush_buf(OutFile *o)
{
    write_fd(o, o->buf, o->len);
    o->len = 0;
}

/* Bytes that go to the file as they are (after compression, if any). */
static void put_raw(OutFile *o, const void *p, size_t n)
{
    if (n > OUT_BUF - o->len) {
        flush_buf(o);
        if (n > OUT_BUF) {
            write_fd(o, p, n);
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

/* ------------------------------------------------------------------------
 * Deflate state
 * ------------------------------------------------------------------------ */

#define WSIZE 32768 /* the window deflate allows */
#define WMASK (WSIZE - 1)
#define WBUF (2 * WSIZE)
#define MIN_MATCH 3
#define MAX_MATCH 258
#define MIN_LOOKAHEAD (MAX_MATCH + MIN_MATCH + 1)
#define MAX_DIST (WSIZE - MIN_LOOKAHEAD) /* so a slide never cuts one */
#define HASH_BITS 15
#define HASH_SIZE (1u << HASH_BITS)
/* TUNING: search up to MAX_CHAIN candidates, a quarter of that when the
 * match at the previous position is already GOOD_MATCH long; stop at
 * NICE_MATCH; look for a longer match at the next position (lazy
 * matching) only below MAX_LAZY. A 3-byte match further than TOO_FAR
 * costs about as many bits as three literals, so it is dropped.
 * Measured on 3 MB of lineitem.tbl and 3 MB of trace-like JSON (2 vCPU,
 * loaded): chain 8: 2.66x / 5.19x; 16: 2.75x / 5.26x; 32: 2.82x /
 * 5.32x at 20-50 MB/s; 64: 2.85x / 5.35x at half that speed. gzip -1
 * gives 2.77x / 5.57x, gzip -6 3.51x / 6.89x (dynamic Huffman codes,
 * which we do not write). */
#define MAX_CHAIN 32
#define GOOD_MATCH 8
#define NICE_MATCH 128
#define MAX_LAZY 16
#define TOO_FAR 4096
#define TOKEN_CAP 16384  /* tokens per block at most */
#define STORED_MAX 65535 /* bytes per stored block at most */
#define END_OF_BLOCK 256

struct Deflate {
    OutFile *o;
    uint8_t window[WBUF];
    int32_t head[HASH_SIZE];   /* newest position per hash, -1: none */
    int32_t prev[WSIZE];       /* older position with the same hash */
    size_t pos;                /* next window byte to compress */
    size_t end;                /* window bytes filled */
    size_t block_start;        /* first window byte of the pending block */
    uint32_t token[TOKEN_CAP]; /* literal, or length << 16 | (distance-1) */
    int n_token;
    uint64_t fixed_bits; /* the pending block's size, fixed codes */
    bool pending;        /* window[pos - 1] awaits its token */
    int match_len;       /* match found at pos - 1, 0 if none */
    int match_dist;
    uint64_t bits; /* bit accumulator, LSB first */
    int n_bits;
    uint32_t crc;
    uint32_t isize;
    uint16_t lit_code[288]; /* fixed literal/length codes, bit-reversed */
    uint8_t lit_len[288];
};

static uint32_t reverse_bits(uint32_t code, int len)
{
    uint32_t r = 0;
    for (int i = 0; i < len; i++) {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    return r;
}

/* The fixed code table of RFC 1951 section 3.2.6. */
static void fixed_codes_init(Deflate *d)
{
    for (int v = 0; v < 288; v++) {
        uint32_t code;
        int len;
        if (v < 144) {
            code = 0x30 + (uint32_t)v;
            len = 8;
        } else if (v < 256) {
            code = 0x190 + (uint32_t)(v - 144);
            len = 9;
        } else if (v < 280) {
            code = (uint32_t)(v - 256);
            len = 7;
        } else {
            code = 0xc0 + (uint32_t)(v - 280);
            len = 8;
        }
        d->lit_code[v] = (uint16_t)reverse_bits(code, len);
        d->lit_len[v] = (uint8_t)len;
    }
}

static int floor_log2(uint32_t x)
{
    return 31 - __builtin_clz(x);
}

/* Length code (257..285), extra bits and their value for a match length
 * of 3..258. */
static void length_code(int length, int *code, int *n_extra, int *extra)
{
    int l = length - MIN_MATCH;
    if (length == MAX_MATCH) {
        *code = 285;
        *n_extra = 0;
        *extra = 0;
    } else if (l < 8) {
        *code = 257 + l;
        *n_extra = 0;
        *extra = 0;
    } else {
        int nb = floor_log2((uint32_t)l) - 2; /* extra bits, 1..5 */
        int sel = (l >> nb) & 3;
        *code = 257 + 4 * (nb + 1) + sel;
        *n_extra = nb;
        *extra = l - ((4 + sel) << nb);
    }
}

/* Distance code (0..29), extra bits and their value, distance 1..32768. */
static void distance_code(int dist, int *code, int *n_extra, int *extra)
{
    int d = dist - 1;
    if (d < 4) {
        *code = d;
        *n_extra = 0;
        *extra = 0;
        return;
    }
    int nb = floor_log2((uint32_t)d) - 1; /* extra bits, 1..13 */
    int sel = (d >> nb) & 1;
    *code = 2 * (nb + 1) + sel;
    *n_extra = nb;
    *extra = d - ((2 + sel) << nb);
}

/* ------------------------------------------------------------------------
 * Bit output
 * ------------------------------------------------------------------------ */

/* Append the low `n` bits of `v` (n <= 32), least significant first. */
static void put_bits(Deflate *d, uint32_t v, int n)
{
    d->bits |= (uint64_t)v << d->n_bits;
    d->n_bits += n;
    if (d->n_bits >= 32) {
        uint8_t b[4] = {(uint8_t)d->bits, (uint8_t)(d->bits >> 8),
                        (uint8_t)(d->bits >> 16), (uint8_t)(d->bits >> 24)};
        put_raw(d->o, b, 4);
        d->bits >>= 32;
        d->n_bits -= 32;
    }
}

/* Pad to a byte boundary with zero bits and flush the whole bytes. */
static void align_bits(Deflate *d)
{
    while (d->n_bits > 0) {
        uint8_t b = (uint8_t)d->bits;
        put_raw(d->o, &b, 1);
        d->bits >>= 8;
        d->n_bits = d->n_bits > 8 ? d->n_bits - 8 : 0;
    }
    d->bits = 0;
}

/* ------------------------------------------------------------------------
 * Blocks
 * ------------------------------------------------------------------------ */

static uint64_t match_bits(const Deflate *d, int length, int dist)
{
    int code, nx, x;
    length_code(length, &code, &nx, &x);
    uint64_t n = (uint64_t)d->lit_len[code] + (uint64_t)nx;
    distance_code(dist, &code, &nx, &x);
    return n + 5 + (uint64_t)nx;
}

static void emit_fixed(Deflate *d, bool final)
{
    put_bits(d, final ? 1 : 0, 1);
    put_bits(d, 1, 2); /* BTYPE 01 */
    for (int i = 0; i < d->n_token; i++) {
        uint32_t t = d->token[i];
        int length = (int)(t >> 16);
        if (length == 0) {
            put_bits(d, d->lit_code[t], d->lit_len[t]);
            continue;
        }
        int code, nx, x;
        length_code(length, &code, &nx, &x);
        put_bits(d, d->lit_code[code], d->lit_len[code]);
        put_bits(d, (uint32_t)x, nx);
        distance_code((int)(t & 0xffff) + 1, &code, &nx, &x);
        put_bits(d, reverse_bits((uint32_t)code, 5), 5);
        put_bits(d, (uint32_t)x, nx);
    }
    put_bits(d, d->lit_code[END_OF_BLOCK], d->lit_len[END_OF_BLOCK]);
}

static void emit_stored(Deflate *d, bool final)
{
    const uint8_t *p = d->window + d->block_start;
    size_t n = d->pos - d->block_start;
    do {
        size_t k = MIN(n, (size_t)STORED_MAX);
        put_bits(d, final && k == n ? 1 : 0, 1);
        put_bits(d, 0, 2); /* BTYPE 00 */
        align_bits(d);
        uint8_t hdr[4] = {(uint8_t)k, (uint8_t)(k >> 8), (uint8_t)~k,
                          (uint8_t)(~k >> 8)};
        put_raw(d->o, hdr, 4);
        put_raw(d->o, p, k);
        p += k;
        n -= k;
    } while (n > 0);
}

static void add_literal(Deflate *d, uint8_t c)
{
    d->token[d->n_token++] = c;
    d->fixed_bits += d->lit_len[c];
}

static void add_match(Deflate *d, int length, int dist)
{
    d->token[d->n_token++] = (uint32_t)length << 16 | (uint32_t)(dist - 1);
    d->fixed_bits += match_bits(d, length, dist);
}

/* Emit the pending block, up to d->pos, as whichever encoding is
 * smaller. A literal held back for lazy matching goes into it. */
static void flush_block(Deflate *d, bool final)
{
    if (d->pending) {
        add_literal(d, d->window[d->pos - 1]);
        d->pending = false;
    }
    d->match_len = 0;
    size_t raw = d->pos - d->block_start;
    if (raw == 0 && !final)
        return;
    uint64_t fixed = 3 + d->fixed_bits + d->lit_len[END_OF_BLOCK];
    uint64_t n_stored = raw / STORED_MAX + 1;
    uint64_t stored = n_stored * (3 + 7 + 32) + 8 * (uint64_t)raw;
    if (raw > 0 && stored < fixed)
        emit_stored(d, final);
    else
        emit_fixed(d, final);
    d->block_start = d->pos;
    d->n_token = 0;
    d->fixed_bits = 0;
}

/* ------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------ */

static uint32_t hash3(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Enter position `pos` (with 3 bytes after it) in its hash chain; return
 * the previous head of the chain. */
static int32_t insert(Deflate *d, size_t pos)
{
    uint32_t h = hash3(d->window + pos);
    int32_t cand = d->head[h];
    d->prev[pos & WMASK] = cand;
    d->head[h] = (int32_t)pos;
    return cand;
}

/* Number of equal bytes at a and b, at most `limit`. */
static int match_run(const uint8_t *a, const uint8_t *b, int limit)
{
    int n = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (n + 8 <= limit) {
        uint64_t x;
        uint64_t y;
        memcpy(&x, a + n, 8);
        memcpy(&y, b + n, 8);
        if (x != y)
            return n + (__builtin_ctzll(x ^ y) >> 3);
        n += 8;
    }
#endif
    while (n < limit && a[n] == b[n])
        n++;
    return n;
}

/* Longest match for `pos` among at most `chain` candidates from `cand`,
 * at most `limit` bytes long; its distance in *dist. Returns 0 when
 * shorter than MIN_MATCH. */
static int longest_match(const Deflate *d, int32_t cand, size_t pos, int limit,
                         int chain, int *dist)
{
    const uint8_t *s = d->window + pos;
    int best = MIN_MATCH - 1;
    for (; chain > 0 && cand >= 0; chain--) {
        if (pos - (size_t)cand > MAX_DIST)
            break;
        const uint8_t *c = d->window + cand;
        if (c[best] == s[best] && c[0] == s[0]) {
            int n = match_run(c, s, limit);
            if (n > best) {
                best = n;
                *dist = (int)(pos - (size_t)cand);
                if (n >= NICE_MATCH || n == limit)
                    break;
            }
        }
        cand = d->prev[cand & WMASK];
    }
    return best >= MIN_MATCH ? best : 0;
}

/* Compress window bytes from d->pos on, stopping MIN_LOOKAHEAD short of
 * the end unless `finish`. Lazy matching, as zlib's deflate_slow: the
 * match found at a position is emitted only if the next position has no
 * longer one; meanwhile that position's byte is `pending`. */
static void deflate_run(Deflate *d, bool finish)
{
    while (d->pos < d->end) {
        size_t avail = d->end - d->pos;
        if (avail < MIN_LOOKAHEAD && !finish)
            return;
        if (d->n_token >= TOKEN_CAP - 1)
            flush_block(d, false);
        int prev_len = d->match_len;
        int prev_dist = d->match_dist;
        d->match_len = 0;
        if (avail >= MIN_MATCH) {
            int32_t cand = insert(d, d->pos);
            if (prev_len < MAX_LAZY) {
                int chain = prev_len >= GOOD_MATCH ? MAX_CHAIN / 4 : MAX_CHAIN;
                int limit = (int)MIN(avail, (size_t)MAX_MATCH);
                d->match_len = longest_match(d, cand, d->pos, limit, chain,
                                             &d->match_dist);
                if (d->match_len == MIN_MATCH && d->match_dist > TOO_FAR)
                    d->match_len = 0;
            }
        }
        if (prev_len >= MIN_MATCH && d->match_len <= prev_len) {
            /* The match at pos - 1 wins; enter the positions it covers
             * (pos - 1 and pos already are). */
            add_match(d, prev_len, prev_dist);
            size_t stop = d->pos - 1 + (size_t)prev_len;
            for (size_t p = d->pos + 1; p < stop; p++) {
                if (p + MIN_MATCH <= d->end)
                    insert(d, p);
            }
            d->pos = stop;
            d->pending = false;
            d->match_len = 0;
        } else {
            if (d->pending)
                add_literal(d, d->window[d->pos - 1]);
            d->pending = true;
            d->pos++;
        }
    }
}

/* Move the upper half of the window to the lower half. The pending block
 * must have been emitted (its bytes would be lost). */
static void slide(Deflate *d)
{
    assert(d->block_start == d->pos && d->pos >= WSIZE);
    memmove(d->window, d->window + WSIZE, d->end - WSIZE);
    d->pos -= WSIZE;
    d->end -= WSIZE;
    d->block_start -= WSIZE;
    for (size_t i = 0; i < HASH_SIZE; i++)
        d->head[i] = d->head[i] >= WSIZE ? d->head[i] - WSIZE : -1;
    for (size_t i = 0; i < WSIZE; i++)
        d->prev[i] = d->prev[i] >= WSIZE ? d->prev[i] - WSIZE : -1;
}

static void deflate_write(Deflate *d, const void *p, size_t n)
{
    const uint8_t *s = p;
    while (n > 0) {
        if (d->end == WBUF) {
            flush_block(d, false);
            slide(d);
        }
        size_t k = MIN(n, WBUF - d->end);
        memcpy(d->window + d->end, s, k);
        d->crc = gz_crc32(d->crc, s, k);
        d->isize += (uint32_t)k;
        d->end += k;
        s += k;
        n -= k;
        deflate_run(d, false);
    }
}

static Deflate *deflate_create(OutFile *o)
{
    Deflate *d = mem_alloc(sizeof(Deflate));
    if (d == NULL)
        return NULL;
    d->o = o;
    for (size_t i = 0; i < HASH_SIZE; i++)
        d->head[i] = -1;
    for (size_t i = 0; i < WSIZE; i++)
        d->prev[i] = -1;
    d->pos = d->end = d->block_start = 0;
    d->n_token = 0;
    d->fixed_bits = 0;
    d->pending = false;
    d->match_len = 0;
    d->match_dist = 0;
    d->bits = 0;
    d->n_bits = 0;
    d->crc = 0;
    d->isize = 0;
    fixed_codes_init(d);
    /* RFC 1952 member header: magic, CM = 8 (deflate), no flags, no
     * MTIME, XFL 0, OS 3 (Unix). */
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    put_raw(o, header, sizeof(header));
    return d;
}

/* Compress what is left, end the last block and write the trailer. */
static void deflate_finish(Deflate *d)
{
    deflate_run(d, true);
    flush_block(d, true);
    align_bits(d);
    uint8_t trailer[8];
    for (int i = 0; i < 4; i++) {
        trailer[i] = (uint8_t)(d->crc >> (8 * i));
        trailer[4 + i] = (uint8_t)(d->isize >> (8 * i));
    }
    put_raw(d->o, trailer, sizeof(trailer));
}

/* ------------------------------------------------------------------------
 * OutFile API
 * ------------------------------------------------------------------------ */

static int open_error(Err *err, const char *path, int errnum)
{
    return err_set(err, EMBER_IOERR, -1, "could not write \"%s\": %s", path,
                   strerror(errnum));
}

int out_open(OutFile *o, const char *path, bool gzip, Err *err)
{
    memset(o, 0, sizeof(*o));
    o->fd = -1;
    o->path = path;
    o->buf = mem_alloc(OUT_BUF);
    if (o->buf == NULL)
        return err_nomem(err);
    if (gzip) {
        o->gz = deflate_create(o);
        if (o->gz == NULL) {
            mem_free(o->buf);
            return err_nomem(err);
        }
    }
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        int errnum = errno;
        mem_free(o->gz);
        mem_free(o->buf);
        return open_error(err, path, errnum);
    }
    return EMBER_OK;
}

void out_write(OutFile *o, const void *p, size_t n)
{
    if (o->write_errno != 0 || n == 0)
        return;
    o->n_in += n;
    if (o->gz)
        deflate_write(o->gz, p, n);
    else
        put_raw(o, p, n);
}

void out_puts(OutFile *o, const char *s)
{
    out_write(o, s, strlen(s));
}

void out_printf(OutFile *o, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->nomem = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        out_write(o, small, (size_t)n);
        return;
    }
    char *big = mem_alloc((size_t)n + 1);
    if (big == NULL) {
        o->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out_write(o, big, (size_t)n);
    mem_free(big);
}

int out_close(OutFile *o, Err *err)
{
    if (o->gz && o->write_errno == 0)
        deflate_finish(o->gz);
    flush_buf(o);
    if (o->fd >= 0 && close(o->fd) != 0 && o->write_errno == 0)
        o->write_errno = errno;
    o->fd = -1;
    mem_free(o->gz);
    mem_free(o->buf);
    o->gz = NULL;
    o->buf = NULL;
    if (o->write_errno != 0)
        return open_error(err, o->path, o->write_errno);
    if (o->nomem)
        return err_nomem(err);
    return EMBER_OK;
}
