/*
 * fuzz_util.c -- byte buffers and small helpers of the fuzz smoke test
 * (declared in fuzz.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

/* ------------------------------------------------------------------------
 * Byte buffers
 * ------------------------------------------------------------------------ */

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        fprintf(stderr, "fuzz_smoke: out of memory\n");
        exit(2);
    }
    b->p = p;
    b->cap = cap;
}

void buf_insert(Buf *b, size_t pos, const char *s, size_t n)
{
    if (pos > b->len)
        pos = b->len;
    buf_reserve(b, n);
    memmove(b->p + pos + n, b->p + pos, b->len - pos);
    memcpy(b->p + pos, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void buf_append(Buf *b, const char *s, size_t n)
{
    buf_insert(b, b->len, s, n);
}

void buf_puts(Buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(Buf *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_erase(Buf *b, size_t pos, size_t n)
{
    if (pos >= b->len)
        return;
    if (n > b->len - pos)
        n = b->len - pos;
    memmove(b->p + pos, b->p + pos + n, b->len - pos - n);
    b->len -= n;
    b->p[b->len] = 0;
}

void buf_set(Buf *b, const char *s, size_t n)
{
    b->len = 0;
    buf_append(b, s, n);
}

void buf_free(Buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

void fz_print_escaped(FILE *f, const char *s, size_t n, size_t max)
{
    fputc('"', f);
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n\"\n  \"", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\%03o", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
    if (n > max)
        fprintf(f, " ... (%zu bytes in all)", n);
    fputc('\n', f);
}

uint64_t fz_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t fz_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

int64_t fz_pick_int(Rng *r)
{
    static const int64_t v[] = {0, 1, -1, 2, 7, 100, 32767, -32768,
                                2147483647, -2147483647 - 1, 2147483648LL,
                                INT64_MAX, INT64_MIN};
    return rng_pct(r, 80) ? v[rng_below(r, N_ELEMS(v))]
                          : (int64_t)rng_next(r);
}

double fz_pick_double(Rng *r)
{
    static const double v[] = {0.0, -0.0, 0.5, -1.5, 1e300, -1e-300, 1e19,
                               9.2e18, 3.0, 2147483647.5};
    switch (rng_below(r, 4)) {
    case 0:
        return (double)NAN;
    case 1:
        return rng_pct(r, 50) ? (double)INFINITY : -(double)INFINITY;
    default:
        return v[rng_below(r, N_ELEMS(v))];
    }
}

/* Does the text start with `word` (after blanks and parentheses)? */
bool fz_starts_with_word(const char *s, const char *word)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '(')
        s++;
    return strncasecmp(s, word, strlen(word)) == 0;
}

void fz_write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data ? data : "", 1, n, f) != n || fclose(f) != 0)
        fz_fatal("cannot write %s/%s", fz_scratch_dir, path);
}
