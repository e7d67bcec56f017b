/*
 * csv_parse.c -- one CSV / .tbl record into one row of a Chunk.
 *
 * Two field splitters share one record loop:
 *  - plain: no quote char occurs in the file, so a field ends at the next
 *    delimiter or '\n'. The search looks at 8 bytes per step, and the field
 *    text is used where it lies in the file mapping.
 *  - quoted: a state machine that follows quoted sections (RFC 4180, with
 *    PostgreSQL's leniency: a quote may open a section anywhere in a field).
 *    Inside quotes a doubled quote is one quote, and the escape char, when
 *    it is set and differs from the quote, takes the next byte literally.
 *    A field whose quotes are just the outer pair is used in place; any
 *    other quoted field is unescaped into the scratch arena.
 *
 * Conversions try a hand-written fast path first (plain digits for
 * integers, digits with one '.' for decimals and doubles, fixed
 * YYYY-MM-DD for dates) and fall back to the general util parsers, which
 * accept spaces, signs and exponents and classify the error.
 *
 * NULL: an unquoted field whose text equals null_str. A quoted field is
 * never NULL, so "" reads as the empty string (as PostgreSQL's CSV format).
 *
 * Line endings: '\n', with a '\r' right before it dropped. The caller has
 * already cut blank lines off the end of the file, and a range ends after
 * a '\n' or at the end of the data, so a record never crosses its range.
 */
#include <stdio.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "storage/csv_int.h"

/* One field located by a splitter. */
typedef struct Field {
    const char *s; /* text, unescaped */
    size_t n;
    bool quoted;       /* had a quoted section: never NULL */
    bool eol;          /* last field of the record */
    uint64_t end_line; /* line on which the field ended */
    size_t heap_len;   /* bytes taken from the heap for unescaped text */
    size_t keep;       /* of those, bytes a stored string still uses */
} Field;

/* ------------------------------------------------------------------------
 * Plain splitter
 * ------------------------------------------------------------------------ */

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* High bit set in each byte of x that is zero; exact for the lowest such
 * byte (borrows only produce false hits above a true one). */
static inline uint64_t zero_bytes(uint64_t x)
{
    return (x - ONES) & ~x & HIGHS;
}

/* First byte in [p, end) that is `delim` or '\n', or end. */
static inline const char *find_field_end(const char *p, const char *end,
                                         char delim)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t dmask = ONES * (uint8_t)delim;
    uint64_t nmask = ONES * (uint8_t)'\n';
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t m = zero_bytes(x ^ dmask) | zero_bytes(x ^ nmask);
        if (m)
            return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end && *p != delim && *p != '\n')
        p++;
    return p;
}

static inline void split_plain(const CsvParser *ps, CsvCursor *cur, Field *f)
{
    const char *p = cur->p;
    const char *e = find_field_end(p, cur->end, ps->delim);
    f->s = p;
    f->n = (size_t)(e - p);
    f->quoted = false;
    f->heap_len = 0;
    f->end_line = cur->line;
    f->eol = e == cur->end || *e == '\n';
    if (f->eol) {
        if (f->n > 0 && e[-1] == '\r')
            f->n--;
        if (e < cur->end)
            cur->line++;
    }
    cur->p = e < cur->end ? e + 1 : e;
}

/* ------------------------------------------------------------------------
 * Quoted splitter
 * ------------------------------------------------------------------------ */

/* The raw extent of a field in quoted mode. */
typedef struct RawField {
    const char *s;
    size_t n;      /* without a '\r' before the line end */
    int n_special; /* quote and escape bytes seen */
    bool eol;
    uint64_t end_line;
} RawField;

static inline bool is_esc(const CsvParser *ps, char c)
{
    return ps->escape != 0 && c == ps->escape;
}

/* Find the end of the field at cur->p, following quotes, and advance past
 * its delimiter or line end. False when a quote is still open at the end
 * of the range (cur is then left at the field start). */
static bool scan_quoted(const CsvParser *ps, CsvCursor *cur, RawField *rf)
{
    const char *p = cur->p;
    const char *end = cur->end;
    uint64_t nl = 0;
    int special = 0;
    bool in_q = false;
    while (p < end) {
        char c = *p;
        if (!in_q) {
            if (c == ps->delim || c == '\n')
                break;
            if (c == ps->quote) {
                in_q = true;
                special++;
            }
            p++;
        } else if (is_esc(ps, c) && p + 1 < end) {
            nl += p[1] == '\n';
            special++;
            p += 2;
        } else if (c == ps->quote) {
            bool doubled = p + 1 < end && p[1] == ps->quote;
            special += 1 + doubled;
            in_q = doubled;
            p += 1 + doubled;
        } else {
            nl += c == '\n';
            p++;
        }
    }
    if (in_q)
        return false;
    rf->s = cur->p;
    rf->n = (size_t)(p - cur->p);
    rf->n_special = special;
    rf->eol = p == end || *p == '\n';
    cur->line += nl;
    rf->end_line = cur->line;
    if (rf->eol) {
        if (rf->n > 0 && p[-1] == '\r')
            rf->n--;
        if (p < end)
            cur->line++;
    }
    cur->p = p < end ? p + 1 : p;
    return true;
}

/* Copy the text of a field with quote syntax removed into `out` (room for
 * rf->n bytes); returns the length. */
static size_t unescape(const CsvParser *ps, const RawField *rf, char *out)
{
    const char *s = rf->s;
    size_t n = rf->n;
    size_t k = 0;
    bool in_q = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!in_q) {
            if (c == ps->quote)
                in_q = true;
            else
                out[k++] = c;
        } else if (is_esc(ps, c) && i + 1 < n) {
            out[k++] = s[++i];
        } else if (c == ps->quote) {
            if (i + 1 < n && s[i + 1] == ps->quote)
                out[k++] = s[++i];
            else
                in_q = false;
        } else {
            out[k++] = c;
        }
    }
    return k;
}

static void set_reason(CsvFail *f, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_reason(CsvFail *f, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
    va_end(ap);
    f->code = code;
}

/* Hand back the last n bytes taken from the head block of h. */
static inline void heap_unget(StrHeap *h, size_t n)
{
    h->head->used -= n;
    h->total -= n;
}

static int split_quoted(const CsvParser *ps, CsvCursor *cur, StrHeap *heap,
                        Field *f, CsvFail *fail)
{
    RawField rf;
    if (!scan_quoted(ps, cur, &rf)) {
        set_reason(fail, EMBER_ERROR, "unterminated quoted field");
        return EMBER_ERROR;
    }
    f->eol = rf.eol;
    f->end_line = rf.end_line;
    f->quoted = rf.n_special > 0;
    f->heap_len = 0;
    f->keep = 0;
    if (rf.n_special == 0) {
        f->s = rf.s;
        f->n = rf.n;
    } else if (rf.n_special == 2 && rf.n >= 2 && rf.s[0] == ps->quote &&
               rf.s[rf.n - 1] == ps->quote) {
        f->s = rf.s + 1;
        f->n = rf.n - 2;
    } else {
        char *buf = strheap_alloc(heap, rf.n ? rf.n : 1);
        if (buf == NULL) {
            set_reason(fail, EMBER_NOMEM, "out of memory");
            return EMBER_NOMEM;
        }
        f->s = buf;
        f->n = unescape(ps, &rf, buf);
        f->heap_len = rf.n ? rf.n : 1;
    }
    return EMBER_OK;
}

void csv_skip_record(const CsvParser *ps, CsvCursor *cur)
{
    if (!ps->quoting) {
        const char *nl = memchr(cur->p, '\n', (size_t)(cur->end - cur->p));
        cur->p = nl ? nl + 1 : cur->end;
        cur->line += nl != NULL;
        return;
    }
    RawField rf;
    do {
        if (!scan_quoted(ps, cur, &rf)) {
            cur->p = cur->end;
            return;
        }
    } while (!rf.eol);
}

/* ------------------------------------------------------------------------
 * Fast paths
 * ------------------------------------------------------------------------ */

/* [-]digits, at most 18 digits (so no overflow is possible). */
static inline bool fast_int(const char *s, size_t n, int64_t *out)
{
    size_t i = n > 0 && s[0] == '-';
    if (n == i || n - i > 18)
        return false;
    uint64_t v = 0;
    for (size_t k = i; k < n; k++) {
        unsigned d = (unsigned)(uint8_t)s[k] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = i ? -(int64_t)v : (int64_t)v;
    return true;
}

/* [-]digits[.digits] as an integer and its number of fraction digits;
 * false for other syntax or more than 18 digits. */
static inline bool scan_fixed(const char *s, size_t n, uint64_t *mant,
                              int *n_frac, int *n_digits, bool *neg)
{
    size_t i = n > 0 && s[0] == '-';
    *neg = i;
    uint64_t v = 0;
    int digits = 0;
    int frac = -1;
    for (; i < n; i++) {
        unsigned d = (unsigned)(uint8_t)s[i] - '0';
        if (d <= 9) {
            v = v * 10 + d;
            digits++;
            frac += frac >= 0;
        } else if (s[i] == '.' && frac < 0) {
            frac = 0;
        } else {
            return false;
        }
    }
    if (digits == 0 || digits > 18)
        return false;
    *mant = v;
    *n_frac = frac < 0 ? 0 : frac;
    *n_digits = digits;
    return true;
}

/* Decimal text at `scale` when no rounding is needed; the caller checks
 * the precision. */
static inline bool fast_decimal(const char *s, size_t n, int scale,
                                int64_t *out)
{
    uint64_t v;
    int frac, digits;
    bool neg;
    if (!scan_fixed(s, n, &v, &frac, &digits, &neg))
        return false;
    if (frac > scale || digits - frac + scale > 18)
        return false;
    v *= (uint64_t)pow10_i64[scale - frac];
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static const double pow10_f64[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Up to 15 digits divided by an exact power of ten: both operands are
 * exact doubles, so the one rounding of the division gives the correctly
 * rounded value, the same that strtod returns. */
static inline bool fast_double(const char *s, size_t n, double *out)
{
    uint64_t v;
    int frac, digits;
    bool neg;
    if (!scan_fixed(s, n, &v, &frac, &digits, &neg) || digits > 15)
        return false;
    double d = (double)v / pow10_f64[frac];
    *out = neg ? -d : d;
    return true;
}

static inline int digit2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

void csv_parser_init(CsvParser *ps)
{
    for (int i = 0; i <= CSV_MONTHS; i++)
        ps->month_start[i] = date_from_ymd(CSV_YEAR0 + i / 12, i % 12 + 1, 1);
}

/* Exactly YYYY-MM-DD with a year the month table covers. */
static inline bool fast_date(const CsvParser *ps, const char *s, size_t n,
                             int32_t *out)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (unsigned)(uint8_t)s[i] - '0' > 9)
            return false;
    int y = digit2(s) * 100 + digit2(s + 2);
    int m = digit2(s + 5);
    int d = digit2(s + 8);
    unsigned k = (unsigned)(y - CSV_YEAR0) * 12 + (unsigned)(m - 1);
    if (y < CSV_YEAR0 || m < 1 || m > 12 || k >= CSV_MONTHS)
        return false;
    int32_t first = ps->month_start[k];
    if (d < 1 || d > ps->month_start[k + 1] - first)
        return false;
    *out = first + d - 1;
    return true;
}

static bool parse_bool(const char *s, size_t n, uint8_t *out)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 1) {
        char c = (char)(s[0] | 0x20);
        if (c == 't' || c == '1' || c == 'f' || c == '0') {
            *out = c == 't' || c == '1';
            return true;
        }
        return false;
    }
    if (n == 4 && strncasecmp(s, "true", 4) == 0) {
        *out = 1;
        return true;
    }
    if (n == 5 && strncasecmp(s, "false", 5) == 0) {
        *out = 0;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------------
 * Conversion
 * ------------------------------------------------------------------------ */

/* The type as PostgreSQL names it in input errors. */
static const char *type_word(Type t)
{
    switch ((TypeId)t.id) {
    case TYPE_BOOL:
        return "boolean";
    case TYPE_INT32:
        return "integer";
    case TYPE_INT64:
        return "bigint";
    case TYPE_DOUBLE:
        return "double precision";
    case TYPE_DECIMAL:
        return "decimal";
    case TYPE_DATE:
        return "date";
    case TYPE_VARCHAR:
        return "varchar";
    default:
        return "unknown";
    }
}

static int bad_syntax(CsvFail *f, Type t, const Field *fld)
{
    int n = (int)MIN(fld->n, CSV_SHOW_MAX);
    set_reason(f, EMBER_ERROR, "invalid input syntax for type %s: \"%.*s\"",
               type_word(t), n, fld->s);
    return EMBER_ERROR;
}

static int out_of_range(CsvFail *f, Type t, const Field *fld)
{
    int n = (int)MIN(fld->n, CSV_SHOW_MAX);
    if (t.id == TYPE_DECIMAL)
        set_reason(f, EMBER_ERROR,
                   "value out of range for type decimal(%d,%d): \"%.*s\"",
                   t.prec, t.scale, n, fld->s);
    else
        set_reason(f, EMBER_ERROR, "value out of range for type %s: \"%.*s\"",
                   type_word(t), n, fld->s);
    return EMBER_ERROR;
}

/* Map a util parser status to the field error. */
static int parse_status(CsvFail *f, int rc, Type t, const Field *fld)
{
    if (rc == EMBER_OVERFLOW)
        return out_of_range(f, t, fld);
    if (rc == EMBER_NOMEM) {
        set_reason(f, EMBER_NOMEM, "out of memory");
        return EMBER_NOMEM;
    }
    return bad_syntax(f, t, fld);
}

static int conv_int(Vector *v, uint32_t row, const Field *fld, CsvFail *f)
{
    int64_t x;
    if (!fast_int(fld->s, fld->n, &x)) {
        int rc = parse_int64(fld->s, fld->n, &x);
        if (rc != EMBER_OK)
            return parse_status(f, rc, v->type, fld);
    }
    if (v->type.id == TYPE_INT64) {
        VEC_I64(v)[row] = x;
        return EMBER_OK;
    }
    if (x < INT32_MIN || x > INT32_MAX)
        return out_of_range(f, v->type, fld);
    VEC_I32(v)[row] = (int32_t)x;
    return EMBER_OK;
}

static int conv_decimal(Vector *v, uint32_t row, const Field *fld, CsvFail *f)
{
    int64_t x;
    Type t = v->type;
    if (fast_decimal(fld->s, fld->n, t.scale, &x)) {
        int64_t lim = pow10_i64[t.prec];
        if (x >= lim || x <= -lim)
            return out_of_range(f, t, fld);
    } else {
        int rc = decimal_parse(fld->s, fld->n, t.prec, t.scale, &x);
        if (rc != EMBER_OK)
            return parse_status(f, rc, t, fld);
    }
    VEC_I64(v)[row] = x;
    return EMBER_OK;
}

static int conv_double(Vector *v, uint32_t row, const Field *fld, CsvFail *f)
{
    double d;
    if (!fast_double(fld->s, fld->n, &d)) {
        int rc = parse_double(fld->s, fld->n, &d);
        if (rc != EMBER_OK)
            return parse_status(f, rc, v->type, fld);
    }
    VEC_F64(v)[row] = d;
    return EMBER_OK;
}

static int conv_other(Vector *v, uint32_t row, const Field *fld, CsvFail *f)
{
    switch ((TypeId)v->type.id) {
    case TYPE_DATE:
        if (!date_parse(fld->s, fld->n, &VEC_I32(v)[row]))
            return bad_syntax(f, v->type, fld);
        return EMBER_OK;
    case TYPE_BOOL:
        if (!parse_bool(fld->s, fld->n, &VEC_U8(v)[row]))
            return bad_syntax(f, v->type, fld);
        return EMBER_OK;
    case TYPE_DOUBLE:
        return conv_double(v, row, fld, f);
    default:
        set_reason(f, EMBER_ERROR, "cannot load a column of type %s",
                   type_word(v->type));
        return EMBER_ERROR;
    }
}

/* str_make without the call: inline bytes zero-padded, as Str needs. */
static inline Str make_str(const char *s, uint32_t n)
{
    Str r;
    memset(&r, 0, sizeof(r));
    r.len = n;
    if (n <= STR_INLINE) {
        memcpy(r.prefix, s, n);
    } else {
        memcpy(r.prefix, s, 4);
        r.u.ptr = s;
    }
    return r;
}

/* A NULL: the bit cleared and the slot zeroed, so that nothing but zeros
 * lies under a NULL in table memory (a Str there is never followed). */
static void store_null(Vector *v, uint32_t row)
{
    size_t w = type_width(v->type);
    memset((char *)v->data + (size_t)row * w, 0, w);
    vector_set_null(v, row);
}

/* Characters in UTF-8 text: the bytes that do not continue one. */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((uint8_t)s[i] & 0xC0) != 0x80;
    return k;
}

/* A string value: text longer than STR_INLINE is copied into the heap,
 * unless unescaping already put it there. VARCHAR(n) takes at most n
 * characters (PostgreSQL's rule, which the table checks again for every
 * change): checking here names the line. */
static inline int store_str(Vector *v, uint32_t row, Field *fld, StrHeap *heap,
                            CsvFail *f)
{
    if (UNLIKELY(fld->n > UINT32_MAX)) {
        set_reason(f, EMBER_ERROR, "field longer than 4 GiB");
        return EMBER_ERROR;
    }
    int32_t max = v->type.len;
    if (max >= 0 && fld->n > (size_t)max &&
        utf8_chars(fld->s, fld->n) > (size_t)max) {
        set_reason(f, EMBER_ERROR,
                   "value too long for type character varying(%d)", max);
        return EMBER_ERROR;
    }
    const char *s = fld->s;
    if (fld->n > STR_INLINE) {
        if (fld->heap_len) {
            fld->keep = fld->n;
        } else {
            char *p = strheap_alloc(heap, fld->n);
            if (p == NULL) {
                set_reason(f, EMBER_NOMEM, "out of memory");
                return EMBER_NOMEM;
            }
            memcpy(p, s, fld->n);
            s = p;
        }
    }
    VEC_STR(v)[row] = make_str(s, (uint32_t)fld->n);
    return EMBER_OK;
}

/* Store field `fld` at `row` of v. */
static inline int convert(const CsvParser *ps, Vector *v, uint32_t row,
                          Field *fld, StrHeap *heap, CsvFail *f)
{
    if (!fld->quoted && fld->n == ps->null_len &&
        memcmp(fld->s, ps->null_str, fld->n) == 0) {
        store_null(v, row);
        return EMBER_OK;
    }
    switch ((TypeId)v->type.id) {
    case TYPE_VARCHAR:
        return store_str(v, row, fld, heap, f);
    case TYPE_INT32:
    case TYPE_INT64:
        return conv_int(v, row, fld, f);
    case TYPE_DECIMAL:
        return conv_decimal(v, row, fld, f);
    case TYPE_DATE:
        if (fast_date(ps, fld->s, fld->n, &VEC_I32(v)[row]))
            return EMBER_OK;
        return conv_other(v, row, fld, f);
    default:
        return conv_other(v, row, fld, f);
    }
}

/* ------------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------------ */

static int fail_at(CsvFail *f, int rc, uint64_t line, int col)
{
    f->line = line;
    f->col = col;
    return rc;
}

/* The record has a field beyond the last column (`extra`, starting on
 * `line`): count its fields for the message. One trailing empty field is
 * the tolerated extra delimiter, so it is not counted. */
static int too_many_fields(const CsvParser *ps, CsvCursor *cur,
                           const Field *extra, uint64_t line, CsvFail *f)
{
    int found = ps->n_cols + 1;
    Field fld = *extra;
    while (!fld.eol) {
        if (ps->quoting) {
            RawField rf;
            if (!scan_quoted(ps, cur, &rf))
                break;
            fld.n = rf.n;
            fld.quoted = rf.n_special > 0;
            fld.eol = rf.eol;
        } else {
            split_plain(ps, cur, &fld);
        }
        found++;
    }
    if (fld.eol && fld.n == 0 && !fld.quoted)
        found--;
    set_reason(f, EMBER_ERROR, "expected %d fields, found %d", ps->n_cols,
               found);
    return fail_at(f, EMBER_ERROR, line, ps->n_cols + 1);
}

static inline __attribute__((always_inline)) int
parse_record(const CsvParser *ps, CsvCursor *cur, Chunk *c, uint32_t row,
             StrHeap *heap, CsvFail *f, bool quoting)
{
    int n_cols = ps->n_cols;
    for (int col = 0;; col++) {
        uint64_t line = cur->line;
        Field fld;
        if (quoting) {
            int rc = split_quoted(ps, cur, heap, &fld, f);
            if (rc != EMBER_OK)
                return fail_at(f, rc, line, col + 1);
        } else {
            split_plain(ps, cur, &fld);
        }
        if (col < n_cols) {
            int rc = convert(ps, &c->cols[col], row, &fld, heap, f);
            if (quoting && fld.heap_len > fld.keep)
                heap_unget(heap, fld.heap_len - fld.keep);
            if (rc != EMBER_OK)
                return fail_at(f, rc, line, col + 1);
        } else if (fld.n != 0 || fld.quoted || !fld.eol) {
            return too_many_fields(ps, cur, &fld, line, f);
        }
        if (fld.eol) {
            if (col + 1 >= n_cols)
                return EMBER_OK;
            set_reason(f, EMBER_ERROR, "expected %d fields, found %d", n_cols,
                       col + 1);
            return fail_at(f, EMBER_ERROR, fld.end_line, col + 2);
        }
    }
}

int csv_parse_record(const CsvParser *ps, CsvCursor *cur, Chunk *c,
                     uint32_t row, StrHeap *heap, CsvFail *f)
{
    if (ps->quoting)
        return parse_record(ps, cur, c, row, heap, f, true);
    return parse_record(ps, cur, c, row, heap, f, false);
}

/* ------------------------------------------------------------------------
 * Plain records: the fast path
 *
 * Without quoting every record is one line, and a 64-bit mask of the
 * delimiter and '\n' bytes of a 64-byte block gives each field's end with
 * one count-trailing-zeros: one block mask per ~8 fields instead of a
 * search per field. The converters below accept the plain spellings only
 * (digits with an optional '-' and '.', YYYY-MM-DD, ...) and read up to
 * 16 bytes past a field's start, which the buffer padding allows. Any
 * other spelling, and every error, sends the record to parse_record,
 * which converts it the general way and words the error, so both paths
 * store the same values and report the same messages.
 * ------------------------------------------------------------------------ */

/* The block scanner: `mask` holds the structural bytes of the block at
 * `base` not consumed yet; `end` counts as one more. */
typedef struct Scan {
    const char *base;
    uint64_t mask;
    const char *end;
    char delim;
} Scan;

static inline uint64_t block_mask(const char *b, const char *end, char delim)
{
    uint64_t m = 0;
#ifdef __SSE2__
    __m128i d = _mm_set1_epi8(delim);
    __m128i nl = _mm_set1_epi8('\n');
    for (int i = 0; i < 4; i++) {
        __m128i x =
            _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * i));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, nl));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * i);
    }
#else
    for (int i = 0; i < 64; i++)
        m |= (uint64_t)(b[i] == delim || b[i] == '\n') << i;
#endif
    size_t left = (size_t)(end - b);
    if (left < 64)
        m = (m & ((1ull << left) - 1)) | (1ull << left);
    return m;
}

static inline void scan_init(Scan *sc, const char *p, const char *end,
                             char delim)
{
    sc->end = end;
    sc->delim = delim;
    sc->base = p < end ? p : end;
    sc->mask = p < end ? block_mask(p, end, delim) : 1;
}

/* Consume and return the next delimiter or '\n', or `end`. */
static inline const char *scan_next(Scan *sc)
{
    while (sc->mask == 0) {
        sc->base += 64;
        if (sc->base >= sc->end) {
            sc->base = sc->end;
            sc->mask = 1;
            break;
        }
        sc->mask = block_mask(sc->base, sc->end, sc->delim);
    }
    const char *e = sc->base + __builtin_ctzll(sc->mask);
    sc->mask &= sc->mask - 1;
    return e;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1

static inline uint64_t load8(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
    return x;
}

/* Whether every byte of x is an ASCII digit. */
static inline bool all_digits(uint64_t x)
{
    const uint64_t hi = 0xF0F0F0F0F0F0F0F0ull;
    const uint64_t zeros = 0x3030303030303030ull;
    return (x & hi) == zeros && ((x + 0x0606060606060606ull) & hi) == zeros;
}

/* The value of the n (1..8) ASCII digits at s (reading 8 bytes); false
 * if one is not a digit. Eight digits at once: leading '0's fill the
 * word, then pairs, quads and octets are combined by three multiplies. */
static inline bool digits8(const char *s, size_t n, uint64_t *out)
{
    uint64_t x = load8(s) << (8 * (8 - n));
    if (n < 8)
        x |= 0x3030303030303030ull >> (8 * n);
    if (!all_digits(x))
        return false;
    x = (x & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    x = (x & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    *out = (x & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
    return true;
}
#else
#define SWAR 0
#endif

/* [-]digits, as fast_int. */
static inline bool plain_int(const char *s, size_t n, int64_t *out)
{
#if SWAR
    bool neg = n > 0 && s[0] == '-';
    uint64_t v;
    uint64_t lo;
    s += neg;
    n -= neg;
    if (n - 1 < 8) {
        if (!digits8(s, n, &v))
            return false;
    } else if (n - 1 < 16) {
        if (!digits8(s, n - 8, &v) || !digits8(s + n - 8, 8, &lo))
            return false;
        v = v * 100000000u + lo;
    } else {
        return false;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
#else
    return fast_int(s, n, out);
#endif
}

/* [-]digits[.digits] at `scale` with fewer than `prec` integer digits
 * after scaling, as fast_decimal plus the precision check. */
static inline bool plain_decimal(const char *s, size_t n, Type t, int64_t *out)
{
#if SWAR
    bool neg = n > 0 && s[0] == '-';
    s += neg;
    n -= neg;
    if (n == 0 || n > 16)
        return false;
    const uint64_t dots = ONES * (uint8_t)'.';
    uint64_t m = zero_bytes(load8(s) ^ dots);
    size_t dot = m ? (size_t)__builtin_ctzll(m) >> 3
                   : 8 + ((size_t)__builtin_ctzll(
                              zero_bytes(load8(s + 8) ^ dots) | (1ull << 63)) >>
                          3);
    if (dot >= n)
        dot = n;
    size_t frac = dot < n ? n - dot - 1 : 0;
    if (frac > (size_t)t.scale || dot > 8 || dot + (size_t)t.scale > 18 ||
        dot + frac == 0)
        return false;
    uint64_t ip = 0;
    uint64_t fp = 0;
    if (dot > 0 && !digits8(s, dot, &ip))
        return false;
    if (frac > 0 && !digits8(s + dot + 1, frac, &fp))
        return false;
    uint64_t v = ip * (uint64_t)pow10_i64[t.scale] +
                 fp * (uint64_t)pow10_i64[t.scale - (int)frac];
    if (v >= (uint64_t)pow10_i64[t.prec])
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
#else
    if (!fast_decimal(s, n, t.scale, out))
        return false;
    return *out < pow10_i64[t.prec] && *out > -pow10_i64[t.prec];
#endif
}

/* YYYY-MM-DD, as fast_date. */
static inline bool plain_date(const CsvParser *ps, const char *s, size_t n,
                              int32_t *out)
{
#if SWAR
    if (n != 10)
        return false;
    uint64_t x = load8(s);
    if (((x >> 32) & 0xFF) != '-' || (x >> 56) != '-')
        return false;
    x = (x & ~0xFF0000FF00000000ull) | 0x3000003000000000ull;
    unsigned d1 = (unsigned)(uint8_t)s[8] - '0';
    unsigned d2 = (unsigned)(uint8_t)s[9] - '0';
    if (!all_digits(x) || d1 > 9 || d2 > 9)
        return false;
    x -= 0x3030303030303030ull;
    int y = (int)(x & 0xFF) * 1000 + (int)((x >> 8) & 0xFF) * 100 +
            (int)((x >> 16) & 0xFF) * 10 + (int)((x >> 24) & 0xFF);
    int mon = (int)((x >> 40) & 0xFF) * 10 + (int)((x >> 48) & 0xFF);
    int d = (int)(d1 * 10 + d2);
    unsigned k = (unsigned)(y - CSV_YEAR0) * 12 + (unsigned)(mon - 1);
    if (y < CSV_YEAR0 || mon < 1 || mon > 12 || k >= CSV_MONTHS)
        return false;
    int32_t first = ps->month_start[k];
    if (d < 1 || d > ps->month_start[k + 1] - first)
        return false;
    *out = first + d - 1;
    return true;
#else
    return fast_date(ps, s, n, out);
#endif
}

/* A string: up to STR_INLINE bytes inline (two 8-byte loads, masked),
 * longer ones copied into the heap. False only when out of memory. */
static inline bool plain_str(Vector *v, uint32_t row, const char *s, size_t n,
                             StrHeap *heap)
{
    Str *dst = &VEC_STR(v)[row];
#if SWAR
    if (n <= STR_INLINE) {
        uint64_t w0 = load8(s);
        uint64_t w1 = load8(s + 8);
        if (n < 8) {
            w0 &= (1ull << (8 * n)) - 1;
            w1 = 0;
        } else {
            w1 &= (1ull << (8 * (n - 8))) - 1;
        }
        uint64_t lo = (uint64_t)n | (w0 << 32);
        uint64_t hi = (w0 >> 32) | (w1 << 32);
        memcpy(dst, &lo, 8);
        memcpy((char *)dst + 8, &hi, 8);
        return true;
    }
#else
    if (n <= STR_INLINE) {
        *dst = make_str(s, (uint32_t)n);
        return true;
    }
#endif
    if (n > UINT32_MAX)
        return false;
    HeapBlock *b = heap->head;
    char *p;
    if (b && b->cap - b->used >= n) {
        p = b->bytes + b->used;
        b->used += n;
        heap->total += n;
    } else if ((p = strheap_alloc(heap, n)) == NULL) {
        return false;
    }
    memcpy(p, s, n);
    Str r;
    r.len = (uint32_t)n;
    memcpy(r.prefix, s, 4);
    r.u.ptr = p;
    *dst = r;
    return true;
}

/* Store the text [s, s+n) at `row` of v if it has a plain spelling. */
static inline bool plain_convert(const CsvParser *ps, Vector *v, uint32_t row,
                                 const char *s, size_t n, StrHeap *heap)
{
    if (n == ps->null_len && (n == 0 || memcmp(s, ps->null_str, n) == 0)) {
        store_null(v, row);
        return true;
    }
    int64_t x;
    switch ((TypeId)v->type.id) {
    case TYPE_VARCHAR:
        if (v->type.len >= 0 && n > (size_t)v->type.len)
            return false; /* maybe too long: store_str decides */
        return plain_str(v, row, s, n, heap);
    case TYPE_INT64:
        if (!plain_int(s, n, &x))
            return false;
        VEC_I64(v)[row] = x;
        return true;
    case TYPE_INT32:
        if (!plain_int(s, n, &x) || x < INT32_MIN || x > INT32_MAX)
            return false;
        VEC_I32(v)[row] = (int32_t)x;
        return true;
    case TYPE_DECIMAL:
        if (!plain_decimal(s, n, v->type, &x))
            return false;
        VEC_I64(v)[row] = x;
        return true;
    case TYPE_DATE:
        return plain_date(ps, s, n, &VEC_I32(v)[row]);
    case TYPE_DOUBLE:
        return fast_double(s, n, &VEC_F64(v)[row]);
    case TYPE_BOOL:
        return parse_bool(s, n, &VEC_U8(v)[row]);
    default:
        return false;
    }
}

/* One record through the scanner; false (cur untouched) when it must go
 * the general way. */
static inline bool plain_record(const CsvParser *ps, Scan *sc, CsvCursor *cur,
                                Chunk *c, uint32_t row, StrHeap *heap)
{
    const char *p = cur->p;
    const char *end = cur->end;
    int last = ps->n_cols - 1;
    const char *e = p;
    for (int col = 0; col <= last; col++) {
        e = scan_next(sc);
        bool eol = e == end || *e == '\n';
        size_t n = (size_t)(e - p);
        if (eol) {
            if (col < last)
                return false; /* too few fields */
            if (n > 0 && e[-1] == '\r')
                n--;
        }
        if (!plain_convert(ps, &c->cols[col], row, p, n, heap))
            return false;
        p = e + 1;
    }
    if (e != end && *e != '\n') {
        /* only one empty trailing field, dbgen's '|' */
        e = scan_next(sc);
        size_t n = (size_t)(e - p);
        if ((e != end && *e != '\n') || (n > 1 || (n == 1 && *p != '\r')))
            return false;
    }
    cur->line += e != end;
    cur->p = e != end ? e + 1 : e;
    return true;
}

int csv_parse_plain(const CsvParser *ps, CsvCursor *cur, Chunk *c, uint32_t n,
                    StrHeap *heap, CsvFail *f)
{
    assert(!ps->quoting);
    Scan sc;
    scan_init(&sc, cur->p, cur->end, ps->delim);
    for (uint32_t row = 0; row < n; row++) {
        if (LIKELY(plain_record(ps, &sc, cur, c, row, heap)))
            continue;
        /* Start the row over the general way (it may have set NULLs). */
        for (int col = 0; col < ps->n_cols; col++)
            if (c->cols[col].has_nulls)
                validity_set(c->cols[col].validity, row, true);
        int rc = parse_record(ps, cur, c, row, heap, f, false);
        if (rc != EMBER_OK)
            return rc;
        scan_init(&sc, cur->p, cur->end, ps->delim);
    }
    return EMBER_OK;
}
