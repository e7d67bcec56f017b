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

#include "storage/csv_int.h"

/* One field located by a splitter. */
typedef struct Field {
    const char *s; /* text, unescaped */
    size_t n;
    bool quoted;       /* had a quoted section: never NULL */
    bool eol;          /* last field of the record */
    uint64_t end_line; /* line on which the field ended */
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

static int split_quoted(const CsvParser *ps, CsvCursor *cur, Arena *scratch,
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
    if (rf.n_special == 0) {
        f->s = rf.s;
        f->n = rf.n;
    } else if (rf.n_special == 2 && rf.n >= 2 && rf.s[0] == ps->quote &&
               rf.s[rf.n - 1] == ps->quote) {
        f->s = rf.s + 1;
        f->n = rf.n - 2;
    } else {
        char *buf = arena_alloc(scratch, rf.n ? rf.n : 1);
        if (buf == NULL) {
            set_reason(fail, EMBER_NOMEM, "out of memory");
            return EMBER_NOMEM;
        }
        f->s = buf;
        f->n = unescape(ps, &rf, buf);
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

/* Store field `fld` at `row` of v. */
static inline int convert(const CsvParser *ps, Vector *v, uint32_t row,
                          const Field *fld, CsvFail *f)
{
    if (!fld->quoted && fld->n == ps->null_len &&
        memcmp(fld->s, ps->null_str, fld->n) == 0) {
        vector_set_null(v, row);
        return EMBER_OK;
    }
    switch ((TypeId)v->type.id) {
    case TYPE_VARCHAR:
        if (UNLIKELY(fld->n > UINT32_MAX)) {
            set_reason(f, EMBER_ERROR, "field longer than 4 GiB");
            return EMBER_ERROR;
        }
        VEC_STR(v)[row] = make_str(fld->s, (uint32_t)fld->n);
        return EMBER_OK;
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
             Arena *scratch, CsvFail *f, bool quoting)
{
    int n_cols = ps->n_cols;
    for (int col = 0;; col++) {
        uint64_t line = cur->line;
        Field fld;
        if (quoting) {
            int rc = split_quoted(ps, cur, scratch, &fld, f);
            if (rc != EMBER_OK)
                return fail_at(f, rc, line, col + 1);
        } else {
            split_plain(ps, cur, &fld);
        }
        if (col < n_cols) {
            int rc = convert(ps, &c->cols[col], row, &fld, f);
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
                     uint32_t row, Arena *scratch, CsvFail *f)
{
    if (ps->quoting)
        return parse_record(ps, cur, c, row, scratch, f, true);
    return parse_record(ps, cur, c, row, scratch, f, false);
}
