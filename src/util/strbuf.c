/*
 * strbuf.c -- growable NUL-terminated text on the counting allocator.
 * Out of memory is sticky (sb->failed); appends then do nothing.
 */
#include <stdio.h>

#include "util/util.h"

void sb_init(StrBuf *sb)
{
    memset(sb, 0, sizeof(*sb));
}

void sb_init_buf(StrBuf *sb, char *buf, size_t cap)
{
    sb_init(sb);
    if (cap > 0) {
        buf[0] = 0;
        sb->data = buf;
        sb->cap = cap;
        sb->borrowed = true;
    }
}

void sb_release(StrBuf *sb)
{
    if (!sb->borrowed)
        mem_free(sb->data);
    sb_init(sb);
}

static bool reserve(StrBuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = mem_realloc(sb->borrowed ? NULL : sb->data, cap);
    if (p == NULL) {
        sb->failed = true;
        return false;
    }
    if (sb->borrowed) {
        memcpy(p, sb->data, sb->len + 1);
        sb->borrowed = false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void sb_append(StrBuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n))
        return;
    if (n > 0)                       /* s may be NULL when n is 0 */
        memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = 0;
}

void sb_puts(StrBuf *sb, const char *s)
{
    sb_append(sb, s, strlen(s));
}

void sb_putc(StrBuf *sb, char c)
{
    sb_append(sb, &c, 1);
}

void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !reserve(sb, (size_t)n))
        return;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void sb_clear(StrBuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = 0;
}

char *sb_take(StrBuf *sb)
{
    if (sb->borrowed) {              /* hand out an allocated copy */
        char *c = mem_alloc(sb->len + 1);
        if (c)
            memcpy(c, sb->data, sb->len + 1);
        sb_init(sb);
        return c;
    }
    char *p = sb->data;
    if (p == NULL && !sb->failed) {
        p = mem_alloc(1);
        if (p)
            p[0] = 0;
    }
    sb_init(sb);
    return p;
}
