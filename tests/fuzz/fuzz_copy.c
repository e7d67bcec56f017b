/*
 * fuzz_copy.c -- the COPY part of the fuzz smoke test (invariant I6, see
 * fuzz_smoke.c): mutated CSV and .tbl files loaded with COPY FROM, big
 * quote-free files read in parallel ranges, and COPY TO / COPY FROM round
 * trips of nasty strings.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

/* ------------------------------------------------------------------------
 * COPY FROM fuzzing (invariant I6)
 *
 * The table ct has one column of each kind below. A case generates rows of
 * valid field text, applies field- and line-level mutations while writing
 * them, then byte-level mutations to the whole file, and loads it.
 * ------------------------------------------------------------------------ */

enum {
    K_BOOL, K_INT, K_SMALL, K_BIG, K_DOUBLE, K_DEC, K_VARCHAR, K_CHAR8,
    K_DATE, K__COUNT
};

static const char ct_columns[] =
    "(b BOOLEAN, i INTEGER, s SMALLINT, g BIGINT, f DOUBLE, "
    "m DECIMAL(12,3), v VARCHAR, c VARCHAR(8), d DATE)";

/* Text that no reader may accept for the kind (and that holds no
 * delimiter, quote or newline). VARCHAR accepts anything, so it has none. */
static const char *const bad_values[K__COUNT][6] = {
    [K_BOOL] = {"maybe", "2", "truex", "yes please", "-", "tr ue"},
    [K_INT] = {"12x", "2147483648", "-2147483649", "abc", "--1", "1 2"},
    /* SMALLINT is stored as INTEGER: 32768 is in range */
    [K_SMALL] = {"2147483648", "-2147483649", "x", "1e", "1.5.", "+-1"},
    [K_BIG] = {"9223372036854775808", "-9223372036854775809", "9x",
               "18446744073709551616", "0x", "1-"},
    [K_DOUBLE] = {"1.2.3", "abc", "1e999", "--1", "1e", "-1e99999"},
    [K_DEC] = {"1234567890.123", "1.2.3", "x", "-99999999999", "1e20",
               ".-1"},
    [K_VARCHAR] = {NULL},
    [K_CHAR8] = {NULL},
    [K_DATE] = {"2020-02-30", "2020-13-01", "2021-02-29", "20-01-01x",
                "10000-01-01", "2020-00-10"},
};

/* Text a reader may or may not accept: edge cases of every kind. */
static const char *const odd_values[] = {
    " 5 ", "+5", "0005", "1.5", "1e3", "-0", "NaN", "inf", "-Infinity",
    "TRUE", "t", "0", "2020-1-1", "0001-01-01", "9999-12-31", "1.0005",
    "-0.0", "2147483647", "-2147483648", "9223372036854775807", "\\N",
    "NULL", "null", "\t7", "1_000", "\xc3\xa9", "",
};

static const char *const nasty_strings[] = {
    "", " ", "a,b", "\"", "\"\"", "x\ny", "\r\n", "\xc3\xa9", "\xe2\x82\xac",
    "NULL", "NA", "\\N", "|", "a|b", "'", "  lead", "trail  ", "\t", ";",
    "1,2,3", "\"quoted\"", "new\nline\nx", "back\\slash", "end\r",
};

typedef struct CopyFormat {
    bool tbl;                  /* .tbl: '|', no quoting, trailing '|' */
    char delim;
    bool header;
    const char *null_str;      /* "" or "NA" */
    char ext[8];
    char options[64];          /* COPY options text, or "" */
} CopyFormat;

static void pick_format(Rng *r, CopyFormat *f, bool allow_tbl)
{
    memset(f, 0, sizeof(*f));
    f->null_str = "";
    f->delim = ',';
    strcpy(f->ext, "csv");
    if (allow_tbl && rng_pct(r, 35)) {
        f->tbl = true;
        f->delim = '|';
        strcpy(f->ext, "tbl");
        return;
    }
    switch (rng_below(r, 5)) {
    case 0:
        f->delim = ';';
        strcpy(f->options, " (DELIMITER ';')");
        break;
    case 1:
        f->header = true;
        strcpy(f->options, " (HEADER)");
        break;
    case 2:
        f->null_str = "NA";
        strcpy(f->options, " (NULL 'NA')");
        break;
    case 3:
        f->delim = '\t';
        strcpy(f->options, " WITH DELIMITER '\t' CSV");
        break;
    default:
        break;
    }
}

/* Valid raw text of a value of `kind` (unquoted); NULL for SQL NULL. */
static void gen_value(Rng *r, int kind, const CopyFormat *f, bool newlines,
                      Buf *out)
{
    out->len = 0;
    switch (kind) {
    case K_BOOL:
        buf_puts(out, rng_pct(r, 50) ? "true" : (rng_pct(r, 50) ? "f" : "0"));
        break;
    case K_INT:
        buf_printf(out, "%d", (int32_t)fz_pick_int(r));
        break;
    case K_SMALL:
        buf_printf(out, "%d", (int)rng_below(r, 65536) - 32768);
        break;
    case K_BIG:
        buf_printf(out, "%" PRId64, fz_pick_int(r));
        break;
    case K_DOUBLE: {
        double d = rng_pct(r, 70) ? ((double)(int64_t)rng_next(r)) / 1e9
                                  : fz_pick_double(r);
        buf_printf(out, "%.17g", d);
        break;
    }
    case K_DEC:
        buf_printf(out, "%s%u.%03u", rng_pct(r, 30) ? "-" : "",
                   rng_below(r, 1000000000), rng_below(r, 1000));
        break;
    case K_VARCHAR:
    case K_CHAR8: {
        uint32_t parts = rng_below(r, 4);
        for (uint32_t i = 0; i < parts; i++) {
            const char *s = PICK(r, nasty_strings);
            if (!newlines && strpbrk(s, "\r\n"))
                s = "plain";
            if (f->tbl && strpbrk(s, "|\r\n"))
                s = "tbl";
            buf_puts(out, s);
        }
        if (kind == K_CHAR8 && out->len > 8)
            out->len = 8;         /* may cut UTF-8: still just bytes */
        if (f->tbl && out->len == 0)
            buf_puts(out, "e");   /* .tbl cannot tell '' from NULL */
        break;
    }
    default: {
        int y = 1 + (int)rng_below(r, 9999), m = 1 + (int)rng_below(r, 12);
        int d = 1 + (int)rng_below(r, 28);
        buf_printf(out, rng_pct(r, 80) ? "%04d-%02d-%02d" : "%d-%d-%d", y, m,
                   d);
        break;
    }
    }
    if (out->p == NULL)
        buf_puts(out, "");
}

/* Append one field: quoted when it must be (or at random, in CSV). */
static void put_field(Rng *r, const CopyFormat *f, const char *s, size_t n,
                      bool is_null, Buf *line)
{
    if (is_null) {
        buf_puts(line, f->null_str);
        return;
    }
    bool need = n == 0 || memchr(s, f->delim, n) || memchr(s, '"', n) ||
                memchr(s, '\n', n) || memchr(s, '\r', n) ||
                (n == strlen(f->null_str) && memcmp(s, f->null_str, n) == 0);
    if (f->tbl || (!need && !rng_pct(r, 5))) {
        buf_append(line, s, n);
        return;
    }
    buf_putc(line, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_putc(line, '"');
        buf_putc(line, s[i]);
    }
    buf_putc(line, '"');
}

/* Mutations of one field, then (from FM_LINE) of a whole line. */
enum {
    FM_BAD_VALUE, FM_ODD_VALUE, FM_STRAY_QUOTE, FM_NEWLINE, FM_HUGE,
    FM_BAD_UTF8, FM_NUL,
    FM_LINE, FM_DROP_FIELD = FM_LINE, FM_EXTRA_FIELD, FM_EMPTY_LINE,
    FM_TRUNC_LINE, FM_TRAIL_DELIM, FM_DUP_LINE, FM_CRLF, FM__COUNT
};

typedef struct FieldMut {
    int kind;                  /* FM_* */
    uint32_t row;
    int col;
} FieldMut;

#define MAX_FMUTS 4

/* One generated file and what is known about it. */
typedef struct CopyCase {
    CopyFormat fmt;
    uint32_t n_rows;
    bool newlines;             /* values may hold '\n' */
    int n_fmuts;
    FieldMut fmut[MAX_FMUTS];
    int n_bmuts;               /* byte-level mutations applied */
    Buf data;
} CopyCase;

/* The mutation of field (row, col), or with col < 0 of line `row`. */
static const FieldMut *fmut_at(const CopyCase *cc, uint32_t row, int col)
{
    for (int i = 0; i < cc->n_fmuts; i++) {
        const FieldMut *m = &cc->fmut[i];
        if (m->row == row && (col < 0 ? m->kind >= FM_LINE
                                      : m->kind < FM_LINE && m->col == col))
            return m;
    }
    return NULL;
}

/* The text of a mutated field. */
static void mutate_field(Rng *r, const CopyCase *cc, int kind, int col,
                         Buf *v)
{
    switch (kind) {
    case FM_BAD_VALUE:
        v->len = 0;
        buf_puts(v, bad_values[col][rng_below(r, 6)]);
        break;
    case FM_ODD_VALUE:
        buf_set(v, "", 0);
        buf_puts(v, PICK(r, odd_values));
        break;
    case FM_STRAY_QUOTE:
        buf_insert(v, rng_below(r, (uint32_t)v->len + 1), "\"", 1);
        break;
    case FM_NEWLINE:
        buf_insert(v, rng_below(r, (uint32_t)v->len + 1), "\n", 1);
        break;
    case FM_HUGE: {
        size_t n = rng_pct(r, 50) ? 70000 : 300000;
        char c = col == K_VARCHAR || col == K_CHAR8 ? 'h' : '7';
        v->len = 0;
        for (size_t i = 0; i < n; i++)
            buf_putc(v, c);
        break;
    }
    case FM_BAD_UTF8: {
        static const char *const bad[] = {"\xff", "\xc3\x28", "\xed\xa0\x80",
                                          "\xe2\x82", "\xf8\x88\x80\x80\x80",
                                          "\xc0\xaf"};
        const char *b = PICK(r, bad);
        buf_insert(v, rng_below(r, (uint32_t)v->len + 1), b, strlen(b));
        break;
    }
    default:                   /* FM_NUL */
        buf_insert(v, rng_below(r, (uint32_t)v->len + 1), "\0", 1);
        break;
    }
    (void)cc;
}

/* Write the rows of the case into cc->data, applying field and line
 * mutations. */
static void write_rows(Rng *r, CopyCase *cc)
{
    const CopyFormat *f = &cc->fmt;
    Buf line = {0}, v = {0};
    cc->data.len = 0;
    if (f->header) {
        static const char *const names[] = {"b", "i", "s", "g", "f",
                                            "m", "v", "c", "d"};
        for (int c = 0; c < K__COUNT; c++) {
            if (c)
                buf_putc(&cc->data, f->delim);
            buf_puts(&cc->data, names[c]);
        }
        buf_putc(&cc->data, '\n');
    }
    for (uint32_t row = 0; row < cc->n_rows; row++) {
        line.len = 0;
        const FieldMut *lm = fmut_at(cc, row, -1);
        int n_fields = K__COUNT;
        if (lm && lm->kind == FM_DROP_FIELD)
            n_fields--;
        for (int c = 0; c < n_fields; c++) {
            if (c)
                buf_putc(&line, f->delim);
            const FieldMut *m = fmut_at(cc, row, c);
            bool is_null = rng_pct(r, 8);
            gen_value(r, c, f, cc->newlines, &v);
            if (m) {
                mutate_field(r, cc, m->kind, c, &v);
                is_null = false;
                if (m->kind != FM_BAD_VALUE && m->kind != FM_ODD_VALUE &&
                    m->kind != FM_HUGE) {
                    buf_append(&line, v.p, v.len);   /* raw, unquoted */
                    continue;
                }
            }
            put_field(r, f, v.p, v.len, is_null, &line);
        }
        if (lm && lm->kind == FM_EXTRA_FIELD) {
            buf_putc(&line, f->delim);
            buf_puts(&line, "extra");
        }
        if (f->tbl || (lm && lm->kind == FM_TRAIL_DELIM))
            buf_putc(&line, f->delim);
        if (lm && lm->kind == FM_TRAIL_DELIM && rng_pct(r, 50))
            buf_putc(&line, f->delim);
        if (lm && lm->kind == FM_TRUNC_LINE && line.len)
            line.len = rng_below(r, (uint32_t)line.len);
        if (lm && lm->kind == FM_EMPTY_LINE)
            buf_puts(&cc->data, rng_pct(r, 50) ? "\n" : "  \n");
        buf_append(&line, lm && lm->kind == FM_CRLF ? "\r\n" : "\n",
                   lm && lm->kind == FM_CRLF ? 2 : 1);
        buf_append(&cc->data, line.p, line.len);
        if (lm && lm->kind == FM_DUP_LINE)
            buf_append(&cc->data, line.p, line.len);
    }
    buf_free(&line);
    buf_free(&v);
}

static void mutate_bytes(Rng *r, Buf *d)
{
    switch (rng_below(r, 7)) {
    case 0:
        if (d->len)
            d->len = rng_below(r, (uint32_t)d->len);
        break;
    case 1:
        for (uint32_t k = 1 + rng_below(r, 3); k > 0 && d->len; k--)
            d->p[rng_below(r, (uint32_t)d->len)] = (char)rng_below(r, 256);
        break;
    case 2:
        buf_insert(d, 0, "\xef\xbb\xbf", 3);
        break;
    case 3:
        if (d->len && d->p[d->len - 1] == '\n')
            d->len--;
        break;
    case 4:
        for (size_t i = 0; i < d->len; i++)
            if (d->p[i] == '\n' && (i == 0 || d->p[i - 1] != '\r'))
                buf_insert(d, i++, "\r", 1);
        break;
    case 5:
        buf_puts(d, rng_pct(r, 50) ? "\n\n  \n" : "\n\t\n");
        break;
    default:
        buf_puts(d, "\"unterminated,1,2\n");
        break;
    }
    if (d->p)
        d->p[d->len] = 0;
}

static uint64_t count_newlines(const Buf *d)
{
    uint64_t n = 0;
    for (size_t i = 0; i < d->len; i++)
        n += d->p[i] == '\n';
    return n;
}

/* Parse "<file>:<line>:<col>:" out of msg; false when it is not there. */
static bool parse_location(const char *msg, const char *file, uint64_t *line,
                           int *col)
{
    const char *p = strstr(msg, file);
    if (p == NULL)
        return false;
    p += strlen(file);
    char *end;
    if (*p != ':' || p[1] < '0' || p[1] > '9')
        return false;
    *line = strtoull(p + 1, &end, 10);
    if (*end != ':')
        return false;
    *col = 0;
    if (end[1] >= '0' && end[1] <= '9')
        *col = (int)strtol(end + 1, NULL, 10);
    return true;
}

/* Load cc into ct and check I6. `exact_line`/`exact_col` > 0: the one bad
 * field; `control`: the file is valid and must load exactly. */
static void load_case(CopyCase *cc, uint64_t exact_line, int exact_col,
                      bool control)
{
    char file[32], sql[160];
    snprintf(file, sizeof(file), "fz_copy.%s", cc->fmt.ext);
    fz_write_file(file, cc->data.p, cc->data.len);
    snprintf(sql, sizeof(sql), "COPY ct FROM '%s'%s", file,
             cc->fmt.options);
    uint64_t rows0, sum0, rows1, sum1;
    if (!fz_checksum("SELECT * FROM ct", &rows0, &sum0)) {
        fz_violation(sql, strlen(sql), "cannot read ct before COPY: %s",
                     ember_errmsg(fz_db));
        return;
    }
    ember_stmt *st = NULL;
    fz_ctx_begin("COPY", sql, strlen(sql));
    int rc = ember_prepare(fz_db, sql, -1, &st, NULL);
    if (rc == EMBER_OK)
        rc = ember_step(st);
    ember_finalize(st);
    fz_ctx_end();
    int64_t changes = ember_changes(fz_db);
    if (!fz_checksum("SELECT * FROM ct", &rows1, &sum1)) {
        fz_violation(sql, strlen(sql), "cannot read ct after COPY: %s",
                     ember_errmsg(fz_db));
        return;
    }
    uint64_t lines = count_newlines(&cc->data) + 1;
    if (rc == EMBER_DONE) {
        fz_stats.copy_ok++;
        uint64_t added = rows1 - rows0;
        if (rows1 < rows0 || (int64_t)added != changes || added > lines)
            fz_violation(sql, strlen(sql),
                         "COPY succeeded: %" PRIu64 " -> %" PRIu64
                         " rows, ember_changes %" PRId64 ", file has %" PRIu64
                         " lines",
                         rows0, rows1, changes, lines);
        if (control && added != cc->n_rows)
            fz_violation(sql, strlen(sql),
                         "valid file of %u rows loaded %" PRIu64, cc->n_rows,
                         added);
        if (exact_line > 0)
            fz_violation(sql, strlen(sql),
                         "COPY accepted a bad field at "
                         "line %" PRIu64 " field %d",
                         exact_line, exact_col);
        fz_snapshot_take(&fz_snap);
        return;
    }
    fz_stats.copy_failed++;
    const char *msg = ember_errmsg(fz_db);
    fz_check_error(rc, sql, strlen(sql), (int)strlen(sql), "COPY");
    if (rows0 != rows1 || sum0 != sum1)
        fz_violation(sql, strlen(sql),
                     "failed COPY changed ct: %" PRIu64 " -> %" PRIu64 " rows",
                     rows0, rows1);
    uint64_t line = 0;
    int col = 0;
    if (rc != EMBER_NOMEM && !parse_location(msg, file, &line, &col))
        fz_violation(sql, strlen(sql), "COPY error without \"%s:line:\": %s",
                     file, msg);
    else if (rc != EMBER_NOMEM && (line < 1 || line > lines))
        fz_violation(sql, strlen(sql),
                     "COPY error at line %" PRIu64 " of a %" PRIu64
                     "-line file: %s",
                     line, lines, msg);
    else if (exact_line > 0 && (line != exact_line || col != exact_col))
        fz_violation(sql, strlen(sql),
                     "bad field is at %" PRIu64 ":%d, "
                     "error says: %s",
                     exact_line, exact_col, msg);
    if (control)
        fz_violation(sql, strlen(sql), "a valid file failed to load: %s", msg);
    fz_expect_unchanged(sql, strlen(sql), "a failed COPY");
}

/* A small file with random mutations, a clean file, or a file with one
 * bad field whose position must be reported exactly. */
static void fuzz_copy_small(Rng *r)
{
    CopyCase cc;
    memset(&cc, 0, sizeof(cc));
    pick_format(r, &cc.fmt, true);
    cc.n_rows = rng_below(r, 40) + (rng_pct(r, 10) ? 0 : 1);
    uint32_t mode = rng_below(r, 10);
    cc.newlines = mode >= 4;
    if (mode == 0) {
        /* control: no mutation */
    } else if (mode <= 3 && cc.n_rows > 0) {
        int col;
        do
            col = (int)rng_below(r, K__COUNT);
        while (bad_values[col][0] == NULL);
        cc.n_fmuts = 1;
        cc.fmut[0] = (FieldMut){FM_BAD_VALUE, rng_below(r, cc.n_rows), col};
    } else if (cc.n_rows > 0) {
        cc.n_fmuts = 1 + (int)rng_below(r, MAX_FMUTS);
        for (int i = 0; i < cc.n_fmuts; i++) {
            int col = (int)rng_below(r, K__COUNT);
            int kind = (int)rng_below(r, FM__COUNT);
            if (kind == FM_BAD_VALUE && bad_values[col][0] == NULL)
                kind = FM_ODD_VALUE;
            cc.fmut[i] = (FieldMut){kind, rng_below(r, cc.n_rows), col};
        }
    }
    write_rows(r, &cc);
    if (mode >= 7) {
        cc.n_bmuts = 1 + (int)rng_below(r, 2);
        for (int i = 0; i < cc.n_bmuts; i++)
            mutate_bytes(r, &cc.data);
    }
    uint64_t exact_line = 0;
    int exact_col = 0;
    if (mode >= 1 && mode <= 3 && cc.n_rows > 0) {
        exact_line = cc.fmut[0].row + 1 + (cc.fmt.header ? 1 : 0);
        exact_col = cc.fmut[0].col + 1;
    }
    load_case(&cc, exact_line, exact_col, mode == 0);
    buf_free(&cc.data);
}

/* A quote-free .tbl file of about 2 MiB: more than one range, so threads
 * parse it in parallel; at most one bad field, reported exactly. */
static void fuzz_copy_big(Rng *r)
{
    CopyCase cc;
    memset(&cc, 0, sizeof(cc));
    pick_format(r, &cc.fmt, true);
    cc.fmt.tbl = true;
    cc.fmt.delim = '|';
    cc.fmt.header = false;
    cc.fmt.null_str = "";
    strcpy(cc.fmt.ext, "tbl");
    cc.fmt.options[0] = 0;
    cc.n_rows = 24000 + rng_below(r, 8000);
    bool bad = rng_pct(r, 70);
    if (bad) {
        int col;
        do
            col = (int)rng_below(r, K__COUNT);
        while (bad_values[col][0] == NULL);
        cc.n_fmuts = 1;
        cc.fmut[0] = (FieldMut){FM_BAD_VALUE, rng_below(r, cc.n_rows), col};
    }
    write_rows(r, &cc);
    load_case(&cc, bad ? cc.fmut[0].row + 1 : 0, bad ? cc.fmut[0].col + 1 : 0,
              !bad);
    buf_free(&cc.data);
    /* keep ct small for the SQL cases */
    if (fz_exec_one("cleanup", "DELETE FROM ct") != EMBER_OK)
        fz_violation(NULL, 0, "DELETE FROM ct failed: %s", ember_errmsg(fz_db));
    fz_snapshot_take(&fz_snap);
}

/* SQL literal of a string: quotes doubled. */
static void put_sql_string(Buf *b, const char *s)
{
    buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            buf_putc(b, '\'');
        buf_putc(b, *s);
    }
    buf_putc(b, '\'');
}

/* One row for rt: literals in `sql`, the two strings bound as parameters
 * (str[k] NULL-ness in is_null[k]). */
typedef struct RtRow {
    Buf sql;
    Buf str[2];
    bool is_null[2];
} RtRow;

static void roundtrip_row(Rng *r, const CopyFormat *f, RtRow *row)
{
    Buf v = {0};
    row->sql.len = 0;
    buf_puts(&row->sql, "INSERT INTO rt VALUES (");
    for (int c = 0; c < K__COUNT; c++) {
        if (c)
            buf_puts(&row->sql, ", ");
        bool is_str = c == K_VARCHAR || c == K_CHAR8;
        /* .tbl cannot tell NULL from '' */
        bool is_null = rng_pct(r, 10) && !(f->tbl && is_str);
        gen_value(r, c, f, !f->tbl, &v);
        if (is_str) {
            int k = c == K_CHAR8;
            buf_set(&row->str[k], v.p, v.len);
            row->is_null[k] = is_null;
            buf_puts(&row->sql, "?");
        } else if (is_null) {
            buf_puts(&row->sql, "NULL");
        } else if (c == K_DATE) {
            buf_puts(&row->sql, "DATE ");
            put_sql_string(&row->sql, v.p);
        } else if (c == K_DOUBLE || c == K_BOOL) {
            buf_puts(&row->sql, "CAST(");
            put_sql_string(&row->sql, v.p);
            buf_puts(&row->sql, c == K_DOUBLE ? " AS DOUBLE)"
                                              : " AS BOOLEAN)");
        } else {
            buf_puts(&row->sql, v.p);
        }
    }
    buf_puts(&row->sql, ")");
    buf_free(&v);
}

static void roundtrip_insert(Rng *r, const CopyFormat *f, RtRow *row)
{
    roundtrip_row(r, f, row);
    ember_stmt *st = NULL;
    int rc = ember_prepare(fz_db, row->sql.p, -1, &st, NULL);
    for (int k = 0; k < 2 && rc == EMBER_OK; k++)
        rc = row->is_null[k] ? ember_bind_null(st, k + 1)
                             : ember_bind_text(st, k + 1, row->str[k].p,
                                               (int)row->str[k].len);
    fz_ctx_begin("round-trip INSERT", row->sql.p, row->sql.len);
    if (rc == EMBER_OK)
        rc = ember_step(st);
    fz_ctx_end();
    ember_finalize(st);
    if (rc != EMBER_DONE)
        fz_violation(row->sql.p, row->sql.len, "round-trip INSERT failed: %s",
                     ember_errmsg(fz_db));
}

/* COPY rt TO a file, COPY it back into rt2: the same rows (I6). */
static void fuzz_roundtrip(Rng *r)
{
    CopyFormat f;
    pick_format(r, &f, true);
    Buf ddl = {0};
    RtRow row;
    memset(&row, 0, sizeof(row));
    buf_printf(&ddl, "DROP TABLE IF EXISTS rt; DROP TABLE IF EXISTS rt2; "
               "CREATE TABLE rt%s; CREATE TABLE rt2%s", ct_columns,
               ct_columns);
    fz_must_exec(ddl.p);
    uint32_t n = 1 + rng_below(r, 40);
    for (uint32_t i = 0; i < n; i++)
        roundtrip_insert(r, &f, &row);
    char out[160], in[160];
    snprintf(out, sizeof(out), "COPY rt TO 'fz_rt.%s'%s", f.ext, f.options);
    snprintf(in, sizeof(in), "COPY rt2 FROM 'fz_rt.%s'%s", f.ext, f.options);
    int rc = fz_exec_one("COPY TO", out);
    if (rc != EMBER_OK)
        fz_violation(out, strlen(out), "COPY TO failed: %s",
                     ember_errmsg(fz_db));
    else if ((rc = fz_exec_one("COPY FROM", in)) != EMBER_OK)
        fz_violation(in, strlen(in), "reading back what COPY TO wrote "
                     "failed: %s", ember_errmsg(fz_db));
    uint64_t ra, sa, rb, sb;
    if (rc == EMBER_OK && fz_checksum("SELECT * FROM rt", &ra, &sa) &&
        fz_checksum("SELECT * FROM rt2", &rb, &sb) && (ra != rb || sa != sb))
        fz_violation(in, strlen(in),
                     "round trip changed the rows: %" PRIu64 " rows -> %" PRIu64
                     " rows, checksum %016" PRIx64 " -> %016" PRIx64
                     " (format %s%s)",
                     ra, rb, sa, sb, f.ext, f.options);
    fz_stats.roundtrips++;
    fz_snapshot_take(&fz_snap);
    buf_free(&ddl);
    buf_free(&row.sql);
    buf_free(&row.str[0]);
    buf_free(&row.str[1]);
}

/* COPY case n: every tenth a big file, every fifth a round trip. */
void fuzz_copy(Rng *r, long n)
{
    fz_snapshot_hint("COPY into ct, rt, rt2");
    if (n % 10 == 9)
        fuzz_copy_big(r);
    else if (n % 5 == 2)
        fuzz_roundtrip(r);
    else
        fuzz_copy_small(r);
    fz_snapshot_hint(NULL);
}
