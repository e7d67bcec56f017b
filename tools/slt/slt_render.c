/*
 * slt_render.c -- result values as the sqllogictest format compares them.
 *
 * Every value becomes a string chosen by the declared type letter of its
 * column, not by the type the engine reports:
 *
 *   NULL (any letter)  "NULL"
 *   I                  the integer value as a 32-bit int, printed "%d"
 *                      (ember_column_int64 truncates doubles and decimals
 *                      toward zero, reads text by its numeric prefix and
 *                      booleans as 0/1; the low 32 bits are kept, as a C
 *                      cast to int of the reference runner does)
 *   R                  "%.3f" of the double value
 *   T                  the text; "" becomes "(empty)" and every byte below
 *                      0x20 or above 0x7E becomes '@'; a boolean is "0" or
 *                      "1", as in SQLite, which has no boolean type
 *
 * Sorting and hashing work on these strings only, with strcmp order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <md5.h>

#include "slt.h"

/* ---------------------------------------------------------- value lists */

void slt_values_init(SltValues *vals)
{
    memset(vals, 0, sizeof(*vals));
}

void slt_values_release(SltValues *vals)
{
    free(vals->buf);
    free(vals->offs);
    free(vals->v);
    slt_values_init(vals);
}

void slt_values_clear(SltValues *vals)
{
    vals->len = 0;
    vals->n = 0;
}

/* Make room for `extra` more bytes of text and one more value. */
static void reserve(SltValues *vals, size_t extra)
{
    if (vals->len + extra + 1 > vals->cap) {
        size_t cap = vals->cap ? vals->cap : 4096;
        while (vals->len + extra + 1 > cap)
            cap *= 2;
        vals->buf = slt_xrealloc(vals->buf, cap);
        vals->cap = cap;
    }
    if (vals->n == vals->n_cap) {
        vals->n_cap = vals->n_cap ? 2 * vals->n_cap : 256;
        vals->offs =
            slt_xrealloc(vals->offs, (size_t)vals->n_cap * sizeof(*vals->offs));
    }
}

void slt_values_add(SltValues *vals, const char *s, size_t n)
{
    reserve(vals, n);
    vals->offs[vals->n++] = vals->len;
    memcpy(vals->buf + vals->len, s, n);
    vals->len += n;
    vals->buf[vals->len++] = 0;
}

const char *slt_values_added(const SltValues *vals, int i)
{
    return vals->buf + vals->offs[i];
}

void slt_values_finish(SltValues *vals)
{
    free(vals->v);
    vals->v = slt_xmalloc((size_t)(vals->n ? vals->n : 1) * sizeof(*vals->v));
    for (int i = 0; i < vals->n; i++)
        vals->v[i] = vals->buf + vals->offs[i];
}

/* ------------------------------------------------------------ rendering */

/* The low 32 bits of `v` as a signed int, without relying on how the
 * compiler converts out-of-range values. */
static int32_t low_int32(int64_t v)
{
    uint32_t u = (uint32_t)v;
    if (u <= (uint32_t)INT32_MAX)
        return (int32_t)u;
    return (int32_t)(u - 2147483648u) - INT32_MAX - 1;
}

static void add_text(SltValues *vals, const char *text)
{
    if (text == NULL) {
        slt_values_add(vals, "NULL", 4);
        return;
    }
    if (text[0] == 0) {
        slt_values_add(vals, "(empty)", 7);
        return;
    }
    size_t start = vals->len;
    slt_values_add(vals, text, strlen(text));
    for (char *p = vals->buf + start; *p != 0; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c > 0x7e)
            *p = '@';
    }
}

void slt_render_value(SltValues *vals, ember_stmt *stmt, int col, char type)
{
    /* Room for "%.3f" of the largest double: 309 digits and a bit. */
    char tmp[400];
    int n;

    if (ember_column_is_null(stmt, col)) {
        slt_values_add(vals, "NULL", 4);
        return;
    }
    switch (type) {
    case 'I':
        n = snprintf(tmp, sizeof(tmp), "%d",
                     (int)low_int32(ember_column_int64(stmt, col)));
        slt_values_add(vals, tmp, (size_t)n);
        break;
    case 'R':
        n = snprintf(tmp, sizeof(tmp), "%.3f", ember_column_double(stmt, col));
        if (n < 0 || (size_t)n >= sizeof(tmp))
            n = snprintf(tmp, sizeof(tmp), "%.3e",
                         ember_column_double(stmt, col));
        slt_values_add(vals, tmp, (size_t)n);
        break;
    default:
        if (ember_column_type(stmt, col) == EMBER_TYPE_BOOLEAN)
            add_text(vals, ember_column_int64(stmt, col) ? "1" : "0");
        else
            add_text(vals, ember_column_text(stmt, col));
        break;
    }
}

/* -------------------------------------------------------------- sorting */

/* One row of a rowsort: its first value and its width. */
typedef struct RowRef {
    const char **vals;
    int n_cols;
} RowRef;

static int compare_values(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_rows(const void *a, const void *b)
{
    const RowRef *ra = a;
    const RowRef *rb = b;
    for (int i = 0; i < ra->n_cols; i++) {
        int c = strcmp(ra->vals[i], rb->vals[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

static void sort_rows(SltValues *vals, int n_cols)
{
    int n_rows = vals->n / n_cols;
    if (n_rows < 2)
        return;
    RowRef *rows = slt_xmalloc((size_t)n_rows * sizeof(*rows));
    for (int r = 0; r < n_rows; r++) {
        rows[r].vals = vals->v + (size_t)r * (size_t)n_cols;
        rows[r].n_cols = n_cols;
    }
    qsort(rows, (size_t)n_rows, sizeof(*rows), compare_rows);
    const char **sorted = slt_xmalloc((size_t)vals->n * sizeof(*sorted));
    for (int r = 0; r < n_rows; r++)
        memcpy(sorted + (size_t)r * (size_t)n_cols, rows[r].vals,
               (size_t)n_cols * sizeof(*sorted));
    free(rows);
    free(vals->v);
    vals->v = sorted;
}

void slt_values_sort(SltValues *vals, SltSort sort, int n_cols)
{
    if (sort == SLT_VALUESORT) {
        qsort(vals->v, (size_t)vals->n, sizeof(*vals->v), compare_values);
    } else if (sort == SLT_ROWSORT && n_cols > 0 && vals->n % n_cols == 0) {
        sort_rows(vals, n_cols);
    }
}

/* -------------------------------------------------------------- hashing */

void slt_values_md5(const SltValues *vals, char hex[33])
{
    static const char digits[] = "0123456789abcdef";
    MD5_CTX ctx;
    uint8_t digest[MD5_DIGEST_LENGTH];

    MD5Init(&ctx);
    for (int i = 0; i < vals->n; i++) {
        MD5Update(&ctx, (const uint8_t *)vals->v[i], strlen(vals->v[i]));
        MD5Update(&ctx, (const uint8_t *)"\n", 1);
    }
    MD5Final(digest, &ctx);
    for (int i = 0; i < MD5_DIGEST_LENGTH; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[32] = 0;
}

bool slt_parse_hash_line(const char *s, long *n, char hex[33])
{
    static const char middle[] = " values hashing to ";
    long count = 0;
    int digits = 0;

    for (; isdigit((unsigned char)*s); s++) {
        if (++digits > 12)
            return false;
        count = count * 10 + (*s - '0');
    }
    if (digits == 0 || strncmp(s, middle, sizeof(middle) - 1) != 0)
        return false;
    s += sizeof(middle) - 1;
    for (int i = 0; i < 32; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        hex[i] = (char)tolower((unsigned char)s[i]);
    }
    if (s[32] != 0)
        return false;
    hex[32] = 0;
    *n = count;
    return true;
}
