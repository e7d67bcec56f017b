/*
 * csv_write.c -- write result chunks as CSV (COPY ... TO).
 *
 * Values are spelled as value_format spells them (true/false, plain
 * integers, decimals with exactly `scale` fraction digits, shortest
 * round-trip doubles, YYYY-MM-DD dates) so that csv_read reads the file
 * back to the same values. NULL is written as null_str, never quoted.
 * With quoting on, a field is quoted (RFC 4180, quotes doubled) when it
 * contains the delimiter, the quote, CR or LF, or when its text is empty
 * or equal to null_str: a quoted field never reads back as NULL.
 *
 * Output goes through one buffer of WRITE_BUF bytes; a failed write is
 * remembered and reported by the next csv_writer_chunk or by
 * csv_writer_close, which always frees the writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "storage/storage.h"

/* TUNING: 1 MiB: write(2) calls are then rare next to the formatting. */
#define WRITE_BUF (1u << 20)

/* Room for any non-string value as text (value_format's own bound). */
#define VALUE_TEXT 64

struct CsvWriter {
    int fd;
    char *path; /* for messages, mem_* copy */
    char delim;
    char quote;     /* 0: never quote */
    char *null_str; /* mem_* copy */
    size_t null_len;
    int n_cols;
    char *buf;       /* WRITE_BUF bytes, mem_* */
    size_t len;      /* bytes buffered */
    int write_errno; /* first failed write, 0 if none */
};

/* ------------------------------------------------------------------------
 * Buffered output
 * ------------------------------------------------------------------------ */

static void write_out(CsvWriter *w, const char *p, size_t n)
{
    while (n > 0 && w->write_errno == 0) {
        ssize_t r = write(w->fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            w->write_errno = r < 0 ? errno : EIO;
            return;
        }
        p += r;
        n -= (size_t)r;
    }
}

static void flush_buf(CsvWriter *w)
{
    write_out(w, w->buf, w->len);
    w->len = 0;
}

static void put_bytes(CsvWriter *w, const char *s, size_t n)
{
    if (n > WRITE_BUF - w->len) {
        flush_buf(w);
        if (n > WRITE_BUF) {
            write_out(w, s, n);
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static inline void put_char(CsvWriter *w, char c)
{
    if (w->len == WRITE_BUF)
        flush_buf(w);
    w->buf[w->len++] = c;
}

/* ------------------------------------------------------------------------
 * Fields
 * ------------------------------------------------------------------------ */

static bool needs_quotes(const CsvWriter *w, const char *s, size_t n)
{
    if (n == 0 || (n == w->null_len && memcmp(s, w->null_str, n) == 0))
        return true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == w->delim || c == w->quote || c == '\n' || c == '\r')
            return true;
    }
    return false;
}

/* Write one non-NULL field's text, quoting it when needed. */
static void put_field(CsvWriter *w, const char *s, size_t n)
{
    if (w->quote == 0 || !needs_quotes(w, s, n)) {
        put_bytes(w, s, n);
        return;
    }
    put_char(w, w->quote);
    const char *end = s + n;
    while (s < end) {
        const char *q = memchr(s, w->quote, (size_t)(end - s));
        const char *stop = q ? q + 1 : end;
        put_bytes(w, s, (size_t)(stop - s));
        if (q)
            put_char(w, w->quote);
        s = stop;
    }
    put_char(w, w->quote);
}

static int format_i64(int64_t v, char *buf)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int len = 0;
    if (v < 0)
        buf[len++] = '-';
    while (n > 0)
        buf[len++] = tmp[--n];
    return len;
}

/* Write row `row` of v (a physical row; const vectors use row 0). */
static void put_value(CsvWriter *w, const Vector *v, uint32_t row)
{
    uint32_t r = v->is_const ? 0 : row;
    if (v->type.id == TYPE_NULL || !vec_valid(v, r)) {
        put_bytes(w, w->null_str, w->null_len);
        return;
    }
    char tmp[VALUE_TEXT];
    int n;
    switch ((TypeId)v->type.id) {
    case TYPE_VARCHAR: {
        const Str *s = &VEC_STR(v)[r];
        put_field(w, str_data(s), s->len);
        return;
    }
    case TYPE_BOOL:
        n = VEC_U8(v)[r] ? 4 : 5;
        memcpy(tmp, VEC_U8(v)[r] ? "true" : "false", (size_t)n);
        break;
    case TYPE_INT32:
        n = format_i64(VEC_I32(v)[r], tmp);
        break;
    case TYPE_INT64:
        n = format_i64(VEC_I64(v)[r], tmp);
        break;
    case TYPE_DECIMAL:
        n = decimal_format(VEC_I64(v)[r], v->type.scale, tmp);
        break;
    case TYPE_DOUBLE:
        n = double_format(VEC_F64(v)[r], tmp);
        break;
    case TYPE_DATE:
        n = date_format(VEC_I32(v)[r], tmp);
        break;
    default: {
        Value val = vector_get_value(v, r);
        n = (int)MIN(value_format(&val, tmp, sizeof(tmp)), sizeof(tmp) - 1);
        break;
    }
    }
    put_field(w, tmp, (size_t)n);
}

/* ------------------------------------------------------------------------
 * API
 * ------------------------------------------------------------------------ */

static int write_error(const CsvWriter *w, Err *err)
{
    return err_set(err, EMBER_IOERR, -1, "could not write to file \"%s\": %s",
                   w->path, strerror(w->write_errno));
}

static void writer_free(CsvWriter *w)
{
    mem_free(w->buf);
    mem_free(w->path);
    mem_free(w->null_str);
    mem_free(w);
}

static CsvWriter *writer_new(const char *path, const CsvOptions *o, int n_cols)
{
    CsvWriter *w = mem_calloc(sizeof(*w));
    if (w == NULL)
        return NULL;
    w->fd = -1;
    w->n_cols = n_cols;
    w->delim = o && o->delim ? o->delim : ',';
    w->quote = o ? o->quote : 0;
    w->path = mem_strdup(path);
    w->null_str = mem_strdup(o && o->null_str ? o->null_str : "");
    w->buf = mem_alloc(WRITE_BUF);
    if (w->path == NULL || w->null_str == NULL || w->buf == NULL) {
        writer_free(w);
        return NULL;
    }
    w->null_len = strlen(w->null_str);
    return w;
}

int csv_writer_open(CsvWriter **out, const char *path, const CsvOptions *o,
                    int n_cols, const char *const *names, Err *err)
{
    *out = NULL;
    CsvWriter *w = writer_new(path, o, n_cols);
    if (w == NULL)
        return err_nomem(err);
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0) {
        int rc = err_set(err, EMBER_IOERR, -1,
                         "could not open file \"%s\" for writing: %s", path,
                         strerror(errno));
        writer_free(w);
        return rc;
    }
    if (o && o->header) {
        for (int i = 0; i < n_cols; i++) {
            if (i > 0)
                put_char(w, w->delim);
            put_field(w, names[i], strlen(names[i]));
        }
        put_char(w, '\n');
    }
    *out = w;
    return EMBER_OK;
}

int csv_writer_chunk(CsvWriter *w, const Chunk *c, Err *err)
{
    assert(c->n_cols == w->n_cols);
    uint32_t n = chunk_active(c);
    for (uint32_t k = 0; k < n && w->write_errno == 0; k++) {
        uint32_t row = sel_row(c->sel, k);
        for (int col = 0; col < c->n_cols; col++) {
            if (col > 0)
                put_char(w, w->delim);
            put_value(w, &c->cols[col], row);
        }
        put_char(w, '\n');
    }
    if (w->write_errno != 0)
        return write_error(w, err);
    return EMBER_OK;
}

int csv_writer_close(CsvWriter *w, Err *err)
{
    if (w == NULL)
        return EMBER_OK;
    flush_buf(w);
    if (close(w->fd) != 0 && w->write_errno == 0)
        w->write_errno = errno;
    int rc = EMBER_OK;
    if (w->write_errno != 0)
        rc = write_error(w, err);
    writer_free(w);
    return rc;
}
