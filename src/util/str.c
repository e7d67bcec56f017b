/*
 * str.c -- the 16-byte string representation (see util.h).
 */
#include "util/util.h"

Str str_make(const char *s, uint32_t len)
{
    Str r;
    memset(&r, 0, sizeof(r));
    r.len = len;
    if (len <= STR_INLINE) {
        if (len)
            memcpy(r.prefix, s, len);
    } else {
        memcpy(r.prefix, s, 4);
        r.u.ptr = s;
    }
    return r;
}

Str str_copy(Arena *a, const char *s, uint32_t len)
{
    if (len <= STR_INLINE)
        return str_make(s, len);
    char *p = arena_alloc(a, len);
    if (p == NULL) {
        Str empty;
        memset(&empty, 0, sizeof(empty));
        return empty;
    }
    memcpy(p, s, len);
    return str_make(p, len);
}

/* Both long, same length and prefix: compare the rest. */
bool str_eq_long(const Str *a, const Str *b)
{
    return memcmp(a->u.ptr + 4, b->u.ptr + 4, a->len - 4) == 0;
}

/* The first four bytes as an integer that orders like memcmp. */
static inline uint32_t prefix_key(const Str *s)
{
    uint32_t k;
    memcpy(&k, s->prefix, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    k = __builtin_bswap32(k);
#endif
    return k;
}

int str_cmp(const Str *a, const Str *b)
{
    /* most comparisons are decided by the first four bytes: one integer
     * compare instead of a memcmp call */
    if (a->len >= 4 && b->len >= 4) {
        uint32_t ka = prefix_key(a), kb = prefix_key(b);
        if (ka != kb)
            return ka < kb ? -1 : 1;
    }
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->prefix, b->prefix, n < 4 ? n : 4);
    if (c == 0 && n > 4)
        c = memcmp(str_data(a) + 4, str_data(b) + 4, n - 4);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}
