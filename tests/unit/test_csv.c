/*
 * test_csv.c -- CSV / .tbl reading and writing (storage/csv_*.c): every
 * column type, NULLs, quoting, CRLF, headers, dbgen's trailing '|', the
 * exact "file:line:column: reason" of each error class, the table left
 * unchanged by a failed read, parallel reads of a large multi-range file
 * (identical to a sequential read, exact line numbers of late errors),
 * rows, CRs, quoted fields and bad values placed right at the reader's
 * range cuts and read with 1 and 2 threads, NULL bits after a failed
 * read, statistics folded while parsing, allocation failures during a
 * parallel read, pipes, and a writer round trip. Files live in a
 * mkdtemp() directory removed at the end.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "exec/pool.h"
#include "storage/csv_int.h"
#include "storage/storage.h"

static char g_dir[256];
static int g_seq;

#define LINEITEM_PATH "/work/shared/tpch/sf0.01/lineitem.tbl"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    return remove(p);
}

static int setup_dir(void **state)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/ember_csv_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    return nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh file name in the temp dir (static buffer per call site). */
static void temp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%d_%s", g_dir, g_seq++, name);
}

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static CsvOptions opts(char delim, char quote)
{
    CsvOptions o;
    memset(&o, 0, sizeof(o));
    o.delim = delim;
    o.quote = quote;
    o.n_threads = 1;
    return o;
}

static void table_init(TableData *t, int n, const Type *types)
{
    assert_rc(tdata_init(t, n, types), EMBER_OK);
}

/* Write `text` to a new file and read it into t. */
static int read_text(TableData *t, const char *text, const CsvOptions *o,
                     uint64_t *n_read, Err *err, char *path, size_t cap)
{
    temp_path(path, cap, "in.csv");
    write_file(path, text, strlen(text));
    err_clear(err);
    return csv_read(t, path, o, NULL, n_read, err);
}

static Value cell(const TableData *t, uint64_t row, int col)
{
    return tdata_get(t, row, col);
}

static void assert_str_cell(const TableData *t, uint64_t row, int col,
                            const char *want)
{
    Value v = cell(t, row, col);
    assert_false(v.is_null);
    assert_int_equal(v.v.s.len, strlen(want));
    assert_memory_equal(str_data(&v.v.s), want, strlen(want));
}

static void assert_null_cell(const TableData *t, uint64_t row, int col)
{
    assert_true(tdata_is_null(t, row, col));
}

static void assert_int_cell(const TableData *t, uint64_t row, int col,
                            int64_t want)
{
    Value v = cell(t, row, col);
    assert_false(v.is_null);
    assert_i64_equal(v.v.i, want);
}

static bool values_same(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null;
    switch ((TypeId)a->type.id) {
    case TYPE_VARCHAR:
        return str_eq(&a->v.s, &b->v.s);
    case TYPE_DOUBLE:
        return memcmp(&a->v.d, &b->v.d, 8) == 0;
    default:
        return a->v.i == b->v.i;
    }
}

static void assert_tables_equal(const TableData *a, const TableData *b)
{
    assert_int_equal(a->n_cols, b->n_cols);
    assert_i64_equal(a->n_rows, b->n_rows);
    for (uint64_t r = 0; r < a->n_rows; r++) {
        for (int c = 0; c < a->n_cols; c++) {
            Value x = tdata_get(a, r, c);
            Value y = tdata_get(b, r, c);
            if (!values_same(&x, &y))
                fail_msg("row %" PRIu64 " column %d differs", r, c);
        }
    }
}

/* Expect csv_read of `text` to fail with "<path>:<suffix>". */
static void expect_error(int n, const Type *types, const char *text,
                         const CsvOptions *o, int code, const char *suffix)
{
    TableData t;
    table_init(&t, n, types);
    char path[300];
    char want[600];
    uint64_t n_read = 99;
    Err err;
    int rc = read_text(&t, text, o, &n_read, &err, path, sizeof(path));
    snprintf(want, sizeof(want), "%s:%s", path, suffix);
    assert_rc(rc, code);
    assert_rc(err.code, code);
    assert_string_equal(err.msg, want);
    assert_i64_equal(n_read, 0);
    assert_i64_equal(t.n_rows, 0);
    tdata_release(&t);
}

/* ------------------------------------------------------------------------
 * Types and values
 * ------------------------------------------------------------------------ */

static void test_all_types(void **state)
{
    Type types[] = {type_make(TYPE_BOOL),  type_make(TYPE_INT32),
                    type_make(TYPE_INT64), type_make(TYPE_DOUBLE),
                    type_decimal(15, 2),   type_make(TYPE_DATE),
                    type_varchar(-1)};
    TableData t;
    table_init(&t, 7, types);
    const char *text =
        "true|-2147483648|9223372036854775807|0.1|12.34|1996-03-13|short\n"
        "F|2147483647|-9223372036854775808|-1e3|-0.5|2000-02-29|"
        "a string longer than twelve bytes\n"
        "1| 42 |+7| 2.5 |1.005|9999-12-31|\n"
        "0|0|0|-0|12|0001-01-01|x\n"
        "TRUE|-0|-0|123456789012345678|1.2e1|1970-1-2|  spaces  \n"
        "t|1|1|Infinity|.5|1996-02-29|y\n";
    CsvOptions o = opts('|', 0);
    char path[300];
    uint64_t n = 0;
    Err err;
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 6);
    assert_i64_equal(t.n_rows, 6);
    /* bool */
    assert_int_cell(&t, 0, 0, 1);
    assert_int_cell(&t, 1, 0, 0);
    assert_int_cell(&t, 2, 0, 1);
    assert_int_cell(&t, 3, 0, 0);
    assert_int_cell(&t, 4, 0, 1);
    assert_int_cell(&t, 5, 0, 1);
    /* integer */
    assert_int_cell(&t, 0, 1, INT32_MIN);
    assert_int_cell(&t, 1, 1, INT32_MAX);
    assert_int_cell(&t, 2, 1, 42);
    assert_int_cell(&t, 4, 1, 0);
    /* bigint */
    assert_int_cell(&t, 0, 2, INT64_MAX);
    assert_int_cell(&t, 1, 2, INT64_MIN);
    assert_int_cell(&t, 2, 2, 7);
    /* double */
    assert_double_same(cell(&t, 0, 3).v.d, 0.1);
    assert_double_same(cell(&t, 1, 3).v.d, -1000.0);
    assert_double_same(cell(&t, 2, 3).v.d, 2.5);
    assert_double_same(cell(&t, 3, 3).v.d, -0.0);
    assert_double_same(cell(&t, 4, 3).v.d, 123456789012345678.0);
    assert_double_same(cell(&t, 5, 3).v.d, 1.0 / 0.0);
    /* decimal(15,2), rounding half away from zero */
    assert_int_cell(&t, 0, 4, 1234);
    assert_int_cell(&t, 1, 4, -50);
    assert_int_cell(&t, 2, 4, 101);
    assert_int_cell(&t, 3, 4, 1200);
    assert_int_cell(&t, 4, 4, 1200);
    assert_int_cell(&t, 5, 4, 50);
    /* date */
    assert_int_cell(&t, 0, 5, date_from_ymd(1996, 3, 13));
    assert_int_cell(&t, 1, 5, date_from_ymd(2000, 2, 29));
    assert_int_cell(&t, 2, 5, date_from_ymd(9999, 12, 31));
    assert_int_cell(&t, 3, 5, date_from_ymd(1, 1, 1));
    assert_int_cell(&t, 4, 5, 1);
    assert_int_cell(&t, 5, 5, date_from_ymd(1996, 2, 29));
    /* varchar: bytes as is; an empty field is NULL */
    assert_str_cell(&t, 0, 6, "short");
    assert_str_cell(&t, 1, 6, "a string longer than twelve bytes");
    assert_null_cell(&t, 2, 6);
    assert_str_cell(&t, 4, 6, "  spaces  ");
    tdata_release(&t);
}

static void test_doubles_match_strtod(void **state)
{
    static const char *const texts[] = {
        "0.3",
        "1.7976931348623157",
        "123.456",
        "-99999.99999",
        "3.14159265358979",
        "0.000000000000000000001",
        "9007199254740993",
        "1e-320",
        "12345678901234.5",
    };
    Type types[] = {type_make(TYPE_DOUBLE)};
    TableData t;
    table_init(&t, 1, types);
    char text[512] = "";
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        strcat(text, texts[i]);
        strcat(text, "\n");
    }
    CsvOptions o = opts(',', 0);
    char path[300];
    uint64_t n;
    Err err;
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, ARRAY_LEN(texts));
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        assert_double_same(cell(&t, i, 0).v.d, strtod(texts[i], NULL));
    tdata_release(&t);
}

static void test_nulls(void **state)
{
    Type types[] = {type_make(TYPE_BOOL),  type_make(TYPE_INT32),
                    type_make(TYPE_INT64), type_make(TYPE_DOUBLE),
                    type_decimal(10, 3),   type_make(TYPE_DATE),
                    type_varchar(-1)};
    TableData t;
    table_init(&t, 7, types);
    CsvOptions o = opts(',', '"');
    char path[300];
    uint64_t n;
    Err err;
    const char *text = ",,,,,,\n"
                       "t,1,2,3,4,2001-01-01,\"\"\n"
                       ",,,,,,\"x\"\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 3);
    for (int c = 0; c < 7; c++) {
        assert_null_cell(&t, 0, c);
        assert_false(tdata_is_null(&t, 1, c));
    }
    assert_str_cell(&t, 1, 6, "");
    for (int c = 0; c < 6; c++)
        assert_null_cell(&t, 2, c);
    assert_str_cell(&t, 2, 6, "x");
    tdata_release(&t);

    /* A null_str of \N: empty text is an empty string, and "\N" quoted is
     * the two characters. */
    Type t2[] = {type_make(TYPE_INT32), type_varchar(-1)};
    table_init(&t, 2, t2);
    o.null_str = "\\N";
    text = "\\N,\\N\n1,\n2,\"\\N\"\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 3);
    assert_null_cell(&t, 0, 0);
    assert_null_cell(&t, 0, 1);
    assert_str_cell(&t, 1, 1, "");
    assert_str_cell(&t, 2, 1, "\\N");
    tdata_release(&t);
}

/* NULLs spread over several chunks and row groups keep their places. */
static void test_nulls_many_rows(void **state)
{
    Type types[] = {type_make(TYPE_INT64), type_varchar(-1)};
    TableData t;
    table_init(&t, 2, types);
    size_t rows = 70000;
    char *text = malloc(rows * 32);
    size_t len = 0;
    for (size_t i = 0; i < rows; i++) {
        if (i % 7 == 3)
            len += (size_t)sprintf(text + len, "|s%zu\n", i);
        else if (i % 11 == 5)
            len += (size_t)sprintf(text + len, "%zu|\n", i);
        else
            len += (size_t)sprintf(text + len, "%zu|s%zu\n", i, i);
    }
    char path[300];
    temp_path(path, sizeof(path), "nulls.tbl");
    write_file(path, text, len);
    free(text);
    CsvOptions o = opts('|', 0);
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&t, path, &o, NULL, &n, &err), EMBER_OK);
    assert_i64_equal(n, rows);
    for (size_t i = 0; i < rows; i++) {
        assert_true(tdata_is_null(&t, i, 0) == (i % 7 == 3));
        bool null_s = i % 7 != 3 && i % 11 == 5;
        assert_true(tdata_is_null(&t, i, 1) == null_s);
        if (i % 7 != 3)
            assert_i64_equal(cell(&t, i, 0).v.i, (int64_t)i);
    }
    tdata_release(&t);
}

/* ------------------------------------------------------------------------
 * Syntax: quoting, CRLF, header, trailing delimiter, blank lines
 * ------------------------------------------------------------------------ */

static void test_quoting(void **state)
{
    Type types[] = {type_make(TYPE_INT32), type_varchar(-1)};
    TableData t;
    table_init(&t, 2, types);
    CsvOptions o = opts(',', '"');
    char path[300];
    uint64_t n;
    Err err;
    const char *text = "1,\"a,b\"\n"
                       "2,\"line1\nline2\"\n"
                       "3,\"say \"\"hi\"\"\"\n"
                       "\"4\",\"\"\n"
                       "5,\n"
                       "6,ab\"c,d\"e\n"
                       "7,\"a very long quoted string, with a comma\"\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 7);
    assert_str_cell(&t, 0, 1, "a,b");
    assert_str_cell(&t, 1, 1, "line1\nline2");
    assert_str_cell(&t, 2, 1, "say \"hi\"");
    assert_int_cell(&t, 3, 0, 4);
    assert_str_cell(&t, 3, 1, "");
    assert_null_cell(&t, 4, 1);
    assert_str_cell(&t, 5, 1, "abc,de");
    assert_str_cell(&t, 6, 1, "a very long quoted string, with a comma");
    tdata_release(&t);

    /* A separate escape char. */
    table_init(&t, 2, types);
    o.escape = '\\';
    text = "1,\"a\\\"b\\\\c\"\n2,\"x\"\"y\"\n3,plain\\\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 3);
    assert_str_cell(&t, 0, 1, "a\"b\\c");
    assert_str_cell(&t, 1, 1, "x\"y");
    assert_str_cell(&t, 2, 1, "plain\\");
    tdata_release(&t);

    /* With quoting off, quotes are data. */
    table_init(&t, 2, types);
    o = opts(',', 0);
    assert_rc(read_text(&t, "1,\"q\"\n", &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    assert_str_cell(&t, 0, 1, "\"q\"");
    tdata_release(&t);
}

static void test_crlf_header_trailing(void **state)
{
    Type types[] = {type_make(TYPE_INT32), type_varchar(-1),
                    type_make(TYPE_DATE)};
    TableData t;
    table_init(&t, 3, types);
    CsvOptions o = opts('|', 0);
    o.header = true;
    char path[300];
    uint64_t n;
    Err err;
    const char *text = "a|b|c\r\n"
                       "1|x|1996-01-02\r\n"
                       "2|yy|1996-01-03|\r\n"
                       "3||1996-01-04|\n"
                       "4|z|\r\n"
                       "\r\n\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 4);
    assert_str_cell(&t, 0, 1, "x");
    assert_int_cell(&t, 0, 2, date_from_ymd(1996, 1, 2));
    assert_str_cell(&t, 1, 1, "yy");
    assert_null_cell(&t, 2, 1);
    assert_int_cell(&t, 2, 2, date_from_ymd(1996, 1, 4));
    assert_null_cell(&t, 3, 2);
    tdata_release(&t);

    /* CRLF with quoting, a quoted header. */
    table_init(&t, 3, types);
    o = opts(',', '"');
    o.header = true;
    text = "\"a,\nb\",c,d\r\n1,\"p\r\nq\",2020-05-05\r\n2,\"r\",\r\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 2);
    assert_int_cell(&t, 0, 0, 1);
    assert_str_cell(&t, 0, 1, "p\r\nq");
    assert_str_cell(&t, 1, 1, "r");
    assert_null_cell(&t, 1, 2);
    tdata_release(&t);
}

static void test_empty_and_blank(void **state)
{
    Type types[] = {type_make(TYPE_INT32)};
    TableData t;
    table_init(&t, 1, types);
    CsvOptions o = opts(',', '"');
    char path[300];
    uint64_t n = 5;
    Err err;
    assert_rc(read_text(&t, "", &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 0);
    o.header = true;
    assert_rc(read_text(&t, "x\n", &o, &n, &err, path, sizeof(path)), EMBER_OK);
    assert_i64_equal(n, 0);
    assert_rc(read_text(&t, "x\n1\n2\n\n\n", &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    assert_i64_equal(n, 2);
    /* No final newline. */
    o.header = false;
    assert_rc(read_text(&t, "3\n4", &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    assert_i64_equal(n, 2);
    assert_i64_equal(t.n_rows, 4);
    assert_int_cell(&t, 3, 0, 4);
    tdata_release(&t);
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static void test_conversion_errors(void **state)
{
    Type dec[] = {type_make(TYPE_INT32), type_decimal(15, 2)};
    CsvOptions o = opts('|', 0);
    expect_error(2, dec, "1|1.5\n2|12.x4\n", &o, EMBER_ERROR,
                 "2:2: invalid input syntax for type decimal: \"12.x4\"");
    expect_error(2, dec, "1|1.5\n2|12345678901234.5\n", &o, EMBER_ERROR,
                 "2:2: value out of range for type decimal(15,2): "
                 "\"12345678901234.5\"");
    expect_error(2, dec, "99999999999|1\n", &o, EMBER_ERROR,
                 "1:1: value out of range for type integer: "
                 "\"99999999999\"");
    expect_error(2, dec, "1|1\n-2147483649|1\n", &o, EMBER_ERROR,
                 "2:1: value out of range for type integer: "
                 "\"-2147483649\"");
    expect_error(2, dec, "1|1\n1x|1\n", &o, EMBER_ERROR,
                 "2:1: invalid input syntax for type integer: \"1x\"");
    Type big[] = {type_make(TYPE_INT64)};
    expect_error(1, big, "9223372036854775808\n", &o, EMBER_ERROR,
                 "1:1: value out of range for type bigint: "
                 "\"9223372036854775808\"");
    Type dbl[] = {type_make(TYPE_DOUBLE)};
    expect_error(1, dbl, "1\n2\n1.5.5\n", &o, EMBER_ERROR,
                 "3:1: invalid input syntax for type double precision: "
                 "\"1.5.5\"");
    expect_error(1, dbl, "1e999\n", &o, EMBER_ERROR,
                 "1:1: value out of range for type double precision: "
                 "\"1e999\"");
    Type date[] = {type_make(TYPE_INT32), type_make(TYPE_DATE)};
    expect_error(2, date, "1|1996-02-30\n", &o, EMBER_ERROR,
                 "1:2: invalid input syntax for type date: \"1996-02-30\"");
    expect_error(2, date, "1|1996-13-01\n", &o, EMBER_ERROR,
                 "1:2: invalid input syntax for type date: \"1996-13-01\"");
    Type b[] = {type_make(TYPE_BOOL)};
    expect_error(1, b, "true\nyes\n", &o, EMBER_ERROR,
                 "2:1: invalid input syntax for type boolean: \"yes\"");
    /* VARCHAR(n) counts characters, plain or quoted, and names the line */
    Type vc[] = {type_make(TYPE_INT32), type_varchar(4)};
    expect_error(2, vc, "1|ok\n2|\xc3\xa9t\xc3\xa9s\n3|much too long\n", &o,
                 EMBER_ERROR,
                 "3:2: value too long for type character varying(4)");
    CsvOptions vq = opts(',', '"');
    expect_error(2, vc, "1,\"a,\"\"b\"\n2,\"a,\"\"bc\"\n", &vq, EMBER_ERROR,
                 "2:2: value too long for type character varying(4)");
    /* A quoted empty field is not NULL, so it must convert. */
    CsvOptions q = opts(',', '"');
    expect_error(2, dec, "1,\"\"\n", &q, EMBER_ERROR,
                 "1:2: invalid input syntax for type decimal: \"\"");
}

static void test_structure_errors(void **state)
{
    Type types[] = {type_make(TYPE_INT32), type_make(TYPE_INT32),
                    type_make(TYPE_INT32), type_make(TYPE_INT32)};
    CsvOptions o = opts(',', 0);
    expect_error(4, types, "1,2,3,4\n1,2,3,4\n1,2,3\n", &o, EMBER_ERROR,
                 "3:4: expected 4 fields, found 3");
    expect_error(4, types, "1,2,3,4,5,6\n", &o, EMBER_ERROR,
                 "1:5: expected 4 fields, found 6");
    /* one trailing delimiter is fine, two are a fifth field */
    expect_error(4, types, "1,2,3,4,\n1,2,3,4,,\n", &o, EMBER_ERROR,
                 "2:5: expected 4 fields, found 5");
    expect_error(4, types, "1,2,3,4\n\n1,2,3,4\n", &o, EMBER_ERROR,
                 "2:2: expected 4 fields, found 1");
    /* header lines count; embedded newlines count */
    CsvOptions q = opts(',', '"');
    q.header = true;
    Type t2[] = {type_varchar(-1), type_make(TYPE_INT32)};
    expect_error(2, t2, "h1,h2\n\"a\nb\nc\",1\nd,x\n", &q, EMBER_ERROR,
                 "5:2: invalid input syntax for type integer: \"x\"");
    expect_error(2, t2, "h1,h2\na,1\n\"open,2\nb,3\n", &q, EMBER_ERROR,
                 "3:1: unterminated quoted field");
    expect_error(2, t2, "a,1\n\"x\ny\",2,3\n", &q, EMBER_ERROR,
                 "3:3: expected 2 fields, found 3");
}

static void test_missing_file(void **state)
{
    Type types[] = {type_make(TYPE_INT32)};
    TableData t;
    table_init(&t, 1, types);
    char path[300];
    snprintf(path, sizeof(path), "%s/does_not_exist.csv", g_dir);
    CsvOptions o = opts(',', 0);
    uint64_t n = 7;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&t, path, &o, NULL, &n, &err), EMBER_IOERR);
    char want[400];
    snprintf(want, sizeof(want),
             "could not open file \"%s\" for reading: No such file or "
             "directory",
             path);
    assert_string_equal(err.msg, want);
    assert_i64_equal(n, 0);
    tdata_release(&t);
}

/* A failed read leaves rows, strings and heap exactly as they were. */
static void test_unchanged_after_failure(void **state)
{
    Type types[] = {type_make(TYPE_INT64), type_varchar(-1)};
    TableData t;
    TableData copy;
    table_init(&t, 2, types);
    table_init(&copy, 2, types);
    CsvOptions o = opts('|', 0);
    char path[300];
    uint64_t n;
    Err err;
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < 5000; i++)
        sb_printf(&sb, "%d|value number %d, long enough\n", i, i);
    assert_rc(read_text(&t, sb.data, &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    assert_rc(read_text(&copy, sb.data, &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    size_t heap = t.heap.total;
    /* Many good rows (several chunks appended) and then a bad one. */
    sb_clear(&sb);
    for (int i = 0; i < 9000; i++)
        sb_printf(&sb, "%d|another fairly long string %d\n", i, i);
    sb_puts(&sb, "oops|x\n");
    assert_rc(read_text(&t, sb.data, &o, &n, &err, path, sizeof(path)),
              EMBER_ERROR);
    assert_i64_equal(n, 0);
    assert_i64_equal(t.n_rows, 5000);
    assert_int_equal(t.heap.total, heap);
    assert_tables_equal(&t, &copy);
    /* And the table still takes appends. */
    assert_rc(read_text(&t, "1|z\n", &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    assert_i64_equal(t.n_rows, 5001);
    sb_release(&sb);
    tdata_release(&t);
    tdata_release(&copy);
}

/* Load `base` into a fresh table. */
static void fresh_table(TableData *t, const Type *types, const char *base,
                        const CsvOptions *o)
{
    char path[300];
    uint64_t n;
    Err err;
    table_init(t, 2, types);
    assert_rc(read_text(t, base, o, &n, &err, path, sizeof(path)), EMBER_OK);
}

/* Fail the 1st, 2nd, ... allocation of a read into a table that already
 * holds rows (up to as many as a clean read makes): each failing attempt
 * returns EMBER_NOMEM and leaves the table as it was. */
static void test_fault_injection(void **state)
{
    Type types[] = {type_make(TYPE_INT64), type_varchar(-1)};
    CsvOptions o = opts('|', '"');
    StrBuf base;
    StrBuf more;
    sb_init(&base);
    sb_init(&more);
    for (int i = 0; i < 3000; i++)
        sb_printf(&base, "%d|\"quoted \"\"string\"\" number %d\"\n", i, i);
    for (int i = 0; i < 7000; i++)
        sb_printf(&more, "%d|\"more \"\"text\"\" here, row %d\"\n", i, i);
    char path[300];
    temp_path(path, sizeof(path), "fault.csv");
    write_file(path, more.data, more.len);
    TableData copy;
    fresh_table(&copy, types, base.data, &o);

    TableData t;
    fresh_table(&t, types, base.data, &o);
    uint64_t n;
    Err err;
    err_clear(&err);
    uint64_t a0 = mem_counters()->n_allocs;
    assert_rc(csv_read(&t, path, &o, NULL, &n, &err), EMBER_OK);
    uint64_t n_allocs = mem_counters()->n_allocs - a0;
    tdata_release(&t);
    int n_failed = 0;
    for (uint64_t k = 1; k <= n_allocs + 1; k++) {
        fresh_table(&t, types, base.data, &o);
        err_clear(&err);
        mem_fail_after(k);
        int rc = csv_read(&t, path, &o, NULL, &n, &err);
        mem_fail_after(0);
        if (rc == EMBER_OK) {
            assert_i64_equal(n, 7000);
        } else {
            n_failed++;
            assert_rc(rc, EMBER_NOMEM);
            assert_rc(err.code, EMBER_NOMEM);
            assert_string_equal(err.msg, "out of memory");
            assert_i64_equal(n, 0);
            assert_tables_equal(&t, &copy);
        }
        tdata_release(&t);
    }
    assert_true(n_failed >= 5);
    sb_release(&base);
    sb_release(&more);
    tdata_release(&copy);
}

/* ------------------------------------------------------------------------
 * Large files, parallel ranges
 * ------------------------------------------------------------------------ */

#define BIG_COLS 6

static const Type *big_types(void)
{
    static Type types[BIG_COLS];
    types[0] = type_make(TYPE_INT64);
    types[1] = type_make(TYPE_INT32);
    types[2] = type_decimal(15, 2);
    types[3] = type_make(TYPE_DATE);
    types[4] = type_varchar(-1);
    types[5] = type_make(TYPE_DOUBLE);
    return types;
}

/* About `bytes` of generated rows; returns the number of lines. The line
 * `bad_line` (1-based, 0 for none) gets a bad decimal in column 3. */
static uint64_t make_big_file(const char *path, size_t bytes, uint64_t bad_line)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    uint64_t seed = 42;
    uint64_t line = 0;
    size_t written = 0;
    while (written < bytes) {
        line++;
        uint64_t r = unit_rand(&seed);
        int len;
        if (line == bad_line) {
            len = fprintf(f, "%" PRIu64 "|1|12.x4|1995-01-01|bad|1\n", line);
        } else if (r % 97 == 0) {
            len = fprintf(f, "%" PRIu64 "|||||\n", line);
        } else {
            len = fprintf(f,
                          "%" PRIu64 "|%d|%d.%02d|19%02d-%02d-%02d|"
                          "comment %" PRIx64 " text|%d.%d|\n",
                          line, (int)(r % 100000) - 50000,
                          (int)((r >> 20) % 100000), (int)((r >> 40) % 100),
                          (int)((r >> 8) % 100), 1 + (int)((r >> 16) % 12),
                          1 + (int)((r >> 24) % 28), r >> (r % 48),
                          (int)((r >> 32) % 1000), (int)((r >> 50) % 1000));
        }
        assert_true(len > 0);
        written += (size_t)len;
    }
    assert_int_equal(fclose(f), 0);
    return line;
}

static void test_parallel_big_file(void **state)
{
    char path[300];
    temp_path(path, sizeof(path), "big.tbl");
    uint64_t lines = make_big_file(path, 50u << 20, 0);
    ThreadPool *pool = pool_create(1);
    assert_non_null(pool);
    TableData seq;
    TableData par;
    table_init(&seq, BIG_COLS, big_types());
    table_init(&par, BIG_COLS, big_types());
    CsvOptions o = opts('|', 0);
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&seq, path, &o, NULL, &n, &err), EMBER_OK);
    assert_i64_equal(n, lines);
    o.n_threads = 2;
    assert_rc(csv_read(&par, path, &o, pool, &n, &err), EMBER_OK);
    assert_i64_equal(n, lines);
    assert_tables_equal(&seq, &par);
    for (uint64_t r = 0; r < lines; r += 9973)
        assert_int_cell(&par, r, 0, (int64_t)r + 1);

    /* The same file with a bad value 3 lines from the end, read in
     * parallel into a table that already holds rows. */
    temp_path(path, sizeof(path), "big_bad.tbl");
    uint64_t bad = lines - 3;
    make_big_file(path, 50u << 20, bad);
    uint64_t before = par.n_rows;
    assert_rc(csv_read(&par, path, &o, pool, &n, &err), EMBER_ERROR);
    char want[400];
    snprintf(want, sizeof(want),
             "%s:%" PRIu64 ":3: invalid input syntax for type decimal: "
             "\"12.x4\"",
             path, bad);
    assert_string_equal(err.msg, want);
    assert_i64_equal(n, 0);
    assert_i64_equal(par.n_rows, before);
    assert_tables_equal(&seq, &par);
    /* Sequentially: the same message. */
    err_clear(&err);
    o.n_threads = 1;
    assert_rc(csv_read(&seq, path, &o, NULL, &n, &err), EMBER_ERROR);
    assert_string_equal(err.msg, want);

    /* A bad line early in the file: reported even though later ranges
     * finish first or are skipped. */
    temp_path(path, sizeof(path), "big_early.tbl");
    make_big_file(path, 20u << 20, 1234);
    err_clear(&err);
    o.n_threads = 2;
    assert_rc(csv_read(&par, path, &o, pool, &n, &err), EMBER_ERROR);
    snprintf(want, sizeof(want),
             "%s:1234:3: invalid input syntax for type decimal: \"12.x4\"",
             path);
    assert_string_equal(err.msg, want);
    assert_i64_equal(par.n_rows, before);
    tdata_release(&seq);
    tdata_release(&par);
    pool_destroy(pool);
}

/* ------------------------------------------------------------------------
 * Range cuts: csv_read cuts a file every CSV_RANGE_BYTES bytes and parses
 * the ranges in parallel. These files put rows, CRs, quoted fields and bad
 * values right at the cuts, and are read with 1 and 2 threads.
 * ------------------------------------------------------------------------ */

/* A generated file of rows "key<delim>text<eol>" and the text each row
 * must read back as (NULL for a NULL). */
typedef struct Gen {
    StrBuf sb;
    char **want;
    int n;
    int cap;
    char delim;
    int bad_row; /* this row's key is spelled "x<key>"; -1 for none */
} Gen;

static void gen_init(Gen *g, char delim)
{
    memset(g, 0, sizeof(*g));
    sb_init(&g->sb);
    g->delim = delim;
    g->bad_row = -1;
}

static void gen_release(Gen *g)
{
    for (int i = 0; i < g->n; i++)
        free(g->want[i]);
    free(g->want);
    sb_release(&g->sb);
}

/* Add a row whose text is `len` bytes at `text`; `quote` writes it as a
 * quoted CSV field (quotes doubled). eol is "\n", "\r\n" or "". */
static void gen_row(Gen *g, const char *text, size_t len, bool quote,
                    const char *eol)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->want = realloc(g->want, sizeof(char *) * (size_t)g->cap);
        assert_non_null(g->want);
    }
    char *w = malloc(len + 1);
    assert_non_null(w);
    memcpy(w, text, len);
    w[len] = 0;
    g->want[g->n] = len == 0 && !quote ? (free(w), NULL) : w;
    sb_printf(&g->sb, "%s%d%c", g->n == g->bad_row ? "x" : "", g->n, g->delim);
    if (quote) {
        sb_puts(&g->sb, "\"");
        for (size_t k = 0; k < len; k++) {
            char c[3] = {text[k], text[k] == '"' ? '"' : 0, 0};
            sb_puts(&g->sb, c);
        }
        sb_puts(&g->sb, "\"");
    } else {
        for (size_t k = 0; k < len; k++) {
            char c[2] = {text[k], 0};
            sb_puts(&g->sb, c);
        }
    }
    sb_puts(&g->sb, eol);
    g->n++;
}

/* Ordinary rows: short (inline) and long (heap) texts, every 5th line
 * ending in CRLF. */
static void gen_plain(Gen *g)
{
    char text[64];
    int i = g->n;
    int n = i % 3 == 0
                ? snprintf(text, sizeof(text), "s%d", i)
                : snprintf(text, sizeof(text), "a longer string for row %d", i);
    gen_row(g, text, (size_t)n, false, i % 5 == 0 ? "\r\n" : "\n");
}

/* Ordinary rows up to about `upto` bytes, then a row of 'f's whose '\n'
 * is byte upto - 1, so that the next row starts exactly at `upto`. */
static void gen_fill_to(Gen *g, size_t upto)
{
    while (g->sb.len + 100 < upto)
        gen_plain(g);
    int head = snprintf(NULL, 0, "%s%d%c", g->n == g->bad_row ? "x" : "", g->n,
                        g->delim);
    size_t len = upto - g->sb.len - (size_t)head - 1;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, 'f', len);
    gen_row(g, text, len, false, "\n");
    free(text);
    assert_int_equal(g->sb.len, upto);
}

/* The file of test_range_cuts: a row starting exactly on cut 1, a row
 * spanning cut 2, a 1.5-range line (so range 3 holds no row start), rows
 * starting on cut 5, CRLF line ends throughout, and a last line without a
 * line end. Returns the row numbers of those rows in `at`. */
static void gen_cut_file(Gen *g, int at[5])
{
    const size_t S = CSV_RANGE_BYTES;
    gen_fill_to(g, S);
    at[0] = g->n;
    while (g->sb.len + 100 < 2 * S)
        gen_plain(g);
    gen_fill_to(g, 2 * S - 10);
    at[1] = g->n;
    gen_row(g, "spans the cut at two MiB", 24, false, "\n");
    at[2] = g->n;
    size_t len = S + S / 2;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, 'y', len);
    gen_row(g, text, len, false, "\r\n");
    free(text);
    gen_fill_to(g, 5 * S);
    at[3] = g->n;
    while (g->sb.len < 5 * S + S / 3)
        gen_plain(g);
    at[4] = g->n;
    gen_row(g, "the last line, without a line end", 33, false, "");
}

static void assert_gen_table(const TableData *t, const Gen *g)
{
    assert_i64_equal(t->n_rows, g->n);
    for (int r = 0; r < g->n; r++) {
        assert_int_cell(t, (uint64_t)r, 0, r);
        if (g->want[r] == NULL)
            assert_null_cell(t, (uint64_t)r, 1);
        else
            assert_str_cell(t, (uint64_t)r, 1, g->want[r]);
    }
}

/* Read `path` with 1 and with 2 threads into fresh tables: both must
 * succeed with the same rows. The 2-thread table is left in *out. */
static void read_seq_par(const char *path, int n_cols, const Type *types,
                         CsvOptions o, TableData *out)
{
    ThreadPool *pool = pool_create(1);
    assert_non_null(pool);
    TableData seq;
    table_init(&seq, n_cols, types);
    table_init(out, n_cols, types);
    uint64_t n1;
    uint64_t n2;
    Err err;
    err_clear(&err);
    o.n_threads = 1;
    assert_rc(csv_read(&seq, path, &o, NULL, &n1, &err), EMBER_OK);
    o.n_threads = 2;
    assert_rc(csv_read(out, path, &o, pool, &n2, &err), EMBER_OK);
    assert_i64_equal(n1, n2);
    assert_tables_equal(&seq, out);
    tdata_release(&seq);
    pool_destroy(pool);
}

static const Type *kv_types(void)
{
    static Type types[2];
    types[0] = type_make(TYPE_INT64);
    types[1] = type_varchar(-1);
    return types;
}

static void test_range_cuts(void **state)
{
    Gen g;
    gen_init(&g, '|');
    int at[5];
    gen_cut_file(&g, at);
    char path[300];
    temp_path(path, sizeof(path), "cuts.tbl");
    write_file(path, g.sb.data, g.sb.len);
    TableData t;
    read_seq_par(path, 2, kv_types(), opts('|', 0), &t);
    assert_gen_table(&t, &g);
    tdata_release(&t);

    /* The same rows with a header line and dbgen's trailing '|'. */
    StrBuf sb;
    sb_init(&sb);
    sb_puts(&sb, "key|text\n");
    for (size_t k = 0; k < g.sb.len; k++) {
        char c = g.sb.data[k];
        if (c == '\n' || (c == '\r' && g.sb.data[k + 1] == '\n'))
            sb_puts(&sb, "|");
        char s1[2] = {c, 0};
        sb_puts(&sb, s1);
        if (c == '\r')
            sb_puts(&sb, "\n"), k++;
    }
    sb_puts(&sb, "|");
    write_file(path, sb.data, sb.len);
    CsvOptions o = opts('|', 0);
    o.header = true;
    read_seq_par(path, 2, kv_types(), o, &t);
    assert_gen_table(&t, &g);
    tdata_release(&t);
    sb_release(&sb);
    gen_release(&g);
}

/* A bad key in each special row of the cut file: the same message with 1
 * and 2 threads, naming the right line, and a table that already held
 * rows left exactly as it was (rows, strings, heap). */
static void test_range_cut_errors(void **state)
{
    ThreadPool *pool = pool_create(1);
    assert_non_null(pool);
    Gen base;
    gen_init(&base, '|');
    for (int i = 0; i < 3000; i++)
        gen_plain(&base);
    char path[300];
    TableData t;
    TableData copy;
    for (int k = 0; k < 5; k++) {
        Gen g;
        gen_init(&g, '|');
        int at[5];
        gen_cut_file(&g, at); /* only to learn the row numbers */
        g.bad_row = at[k];
        int n = g.n;
        gen_release(&g);
        gen_init(&g, '|');
        g.bad_row = at[k];
        gen_cut_file(&g, at);
        assert_int_equal(g.n, n);
        temp_path(path, sizeof(path), "cut_bad.tbl");
        write_file(path, g.sb.data, g.sb.len);
        char want[400];
        snprintf(want, sizeof(want),
                 "%s:%d:1: invalid input syntax for type bigint: \"x%d\"", path,
                 at[k] + 1, at[k]);
        CsvOptions po = opts('|', 0);
        for (int threads = 1; threads <= 2; threads++) {
            fresh_table(&t, kv_types(), base.sb.data, &po);
            fresh_table(&copy, kv_types(), base.sb.data, &po);
            size_t heap = t.heap.total;
            CsvOptions o = opts('|', 0);
            o.n_threads = threads;
            uint64_t nr = 99;
            Err err;
            err_clear(&err);
            assert_rc(
                csv_read(&t, path, &o, threads > 1 ? pool : NULL, &nr, &err),
                EMBER_ERROR);
            assert_string_equal(err.msg, want);
            assert_i64_equal(nr, 0);
            assert_int_equal(t.heap.total, heap);
            assert_tables_equal(&t, &copy);
            tdata_release(&t);
            tdata_release(&copy);
        }
        gen_release(&g);
    }
    gen_release(&base);
    pool_destroy(pool);
}

/* Quoted fields with newlines, delimiters and quotes across the cuts, a
 * field longer than the reader's buffer, and a file whose first quote
 * comes late (the parallel attempt is then dropped and the file read
 * again with quoting): same rows with 1 and 2 threads, line numbers that
 * count the newlines inside quotes, statistics as if rebuilt. */
static void test_quoted_cuts(void **state)
{
    const size_t S = CSV_RANGE_BYTES;
    for (int late = 0; late < 2; late++) {
        Gen g;
        gen_init(&g, ',');
        if (late)
            while (g.sb.len < 3 * S + 1000)
                gen_plain(&g);
        /* quoted texts spanning each of the next cuts */
        for (int cut = 1; cut <= 3; cut++) {
            size_t c = (size_t)(late ? 3 + cut : cut) * S;
            while (g.sb.len + 100 < c - 20)
                gen_plain(&g);
            const char *q = "one,\n\"two\"\r\nthree, spanning a cut\n";
            gen_row(&g, q, strlen(q), true, "\n");
            while (g.sb.len < c + 30)
                gen_plain(&g);
        }
        /* longer than the buffer: 2.5 ranges, newlines and quotes inside */
        size_t len = 2 * S + S / 2;
        char *text = malloc(len);
        assert_non_null(text);
        for (size_t k = 0; k < len; k++)
            text[k] = k % 1000 == 999 ? '\n' : k % 777 == 0 ? '"' : 'q';
        gen_row(&g, text, len, true, "\r\n");
        free(text);
        for (int i = 0; i < 50; i++)
            gen_plain(&g);
        gen_row(&g, "", 0, true, "\n");  /* "" is the empty string */
        gen_row(&g, "", 0, false, "\n"); /* nothing is NULL */
        char path[300];
        temp_path(path, sizeof(path), "quoted_cuts.csv");
        write_file(path, g.sb.data, g.sb.len);
        TableData t;
        CsvOptions o = opts(',', '"');
        read_seq_par(path, 2, kv_types(), o, &t);
        assert_gen_table(&t, &g);
        tdata_release(&t);

        /* statistics folded while reading, with 2 threads */
        ThreadPool *pool = pool_create(1);
        ColStats st[2];
        for (int c = 0; c < 2; c++)
            colstats_init(&st[c]);
        table_init(&t, 2, kv_types());
        o.n_threads = 2;
        o.stats = st;
        uint64_t n;
        Err err;
        err_clear(&err);
        assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_OK);
        for (int c = 0; c < 2; c++) {
            ColStats want;
            colstats_init(&want);
            colstats_rebuild(&want, &t, c);
            assert_i64_equal(st[c].n_nulls, want.n_nulls);
            assert_true(values_same(&st[c].min, &want.min));
            assert_true(values_same(&st[c].max, &want.max));
            assert_memory_equal(st[c].hll.reg, want.hll.reg,
                                sizeof(want.hll.reg));
            colstats_release(&want);
            colstats_release(&st[c]);
        }
        tdata_release(&t);

        /* a bad key after the multi-line fields: lines count them */
        gen_row(&g, "tail", 4, false, "\n");
        sb_printf(&g.sb, "oops,x\n");
        int lines = 1;
        for (size_t k = 0; k + 1 < g.sb.len; k++)
            lines += g.sb.data[k] == '\n';
        write_file(path, g.sb.data, g.sb.len);
        char want[400];
        snprintf(want, sizeof(want),
                 "%s:%d:1: invalid input syntax for type bigint: \"oops\"",
                 path, lines);
        for (int threads = 1; threads <= 2; threads++) {
            table_init(&t, 2, kv_types());
            o = opts(',', '"');
            o.n_threads = threads;
            err_clear(&err);
            assert_rc(
                csv_read(&t, path, &o, threads > 1 ? pool : NULL, &n, &err),
                EMBER_ERROR);
            assert_string_equal(err.msg, want);
            assert_i64_equal(t.n_rows, 0);
            tdata_release(&t);
        }
        pool_destroy(pool);
        gen_release(&g);
    }
}

/* NULL bits written by a read that then failed must not stick to the
 * rows of the next read, which land on the same (truncated) rows of the
 * same row group; rows before keep their NULLs. */
static void test_nulls_after_failed_read(void **state)
{
    ThreadPool *pool = pool_create(1);
    assert_non_null(pool);
    Gen a;
    gen_init(&a, '|');
    for (int i = 0; i < 1000; i++) {
        if (i % 7 == 0)
            gen_row(&a, "", 0, false, "\n");
        else
            gen_plain(&a);
    }
    TableData t;
    CsvOptions po = opts('|', 0);
    fresh_table(&t, kv_types(), a.sb.data, &po);
    assert_gen_table(&t, &a);

    /* 3 MiB of NULL texts, then a bad key: fails in a late range */
    StrBuf sb;
    sb_init(&sb);
    int i = 0;
    while (sb.len < 3 * CSV_RANGE_BYTES)
        sb_printf(&sb, "%d|\n", i++);
    sb_puts(&sb, "bad|\n");
    char path[300];
    temp_path(path, sizeof(path), "nulls_bad.tbl");
    write_file(path, sb.data, sb.len);
    CsvOptions o = opts('|', 0);
    o.n_threads = 2;
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_ERROR);
    assert_i64_equal(t.n_rows, 1000);

    /* 3 MiB of rows without NULLs */
    sb_clear(&sb);
    i = 1000;
    while (sb.len < 3 * CSV_RANGE_BYTES)
        sb_printf(&sb, "%d|t%d\n", i, i), i++;
    write_file(path, sb.data, sb.len);
    err_clear(&err);
    assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_OK);
    assert_i64_equal(t.n_rows, i);
    for (int r = 0; r < i; r++) {
        assert_int_cell(&t, (uint64_t)r, 0, r);
        assert_true(tdata_is_null(&t, (uint64_t)r, 1) ==
                    (r < 1000 && r % 7 == 0));
    }
    sb_release(&sb);
    gen_release(&a);
    tdata_release(&t);
    pool_destroy(pool);
}

/* Statistics folded while parsing in parallel equal a rebuild from the
 * table: NULL counts, min/max and the very same sketch registers. */
static void test_stats_while_parsing(void **state)
{
    char path[300];
    temp_path(path, sizeof(path), "stats.tbl");
    make_big_file(path, 6u << 20, 0);
    ThreadPool *pool = pool_create(1);
    for (int threads = 1; threads <= 2; threads++) {
        TableData t;
        table_init(&t, BIG_COLS, big_types());
        ColStats st[BIG_COLS];
        for (int c = 0; c < BIG_COLS; c++)
            colstats_init(&st[c]);
        CsvOptions o = opts('|', 0);
        o.n_threads = threads;
        o.stats = st;
        uint64_t n;
        Err err;
        err_clear(&err);
        assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_OK);
        for (int c = 0; c < BIG_COLS; c++) {
            ColStats want;
            colstats_init(&want);
            colstats_rebuild(&want, &t, c);
            assert_true(c == 0 || want.n_nulls > 0);
            assert_i64_equal(st[c].n_nulls, want.n_nulls);
            assert_true(st[c].has_minmax);
            assert_true(values_same(&st[c].min, &want.min));
            assert_true(values_same(&st[c].max, &want.max));
            assert_memory_equal(st[c].hll.reg, want.hll.reg,
                                sizeof(want.hll.reg));
            colstats_release(&want);
            colstats_release(&st[c]);
        }
        tdata_release(&t);
    }
    pool_destroy(pool);
}

/* Fail the 1st, 2nd, ... allocation of a parallel read of a plain file
 * into a table that holds rows: each failure is EMBER_NOMEM and leaves
 * the table as it was. */
static void test_parallel_fault_injection(void **state)
{
    ThreadPool *pool = pool_create(1);
    assert_non_null(pool);
    char path[300];
    temp_path(path, sizeof(path), "fault_par.tbl");
    make_big_file(path, 3u << 20, 0);
    Gen base;
    gen_init(&base, '|');
    for (int i = 0; i < 100; i++)
        gen_row(&base, "", 0, false, "\n");
    const Type *types = big_types();
    TableData copy;
    TableData t;
    table_init(&copy, BIG_COLS, types);
    CsvOptions o = opts('|', 0);
    o.n_threads = 2;
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&copy, path, &o, NULL, &n, &err), EMBER_OK);
    uint64_t rows = n;
    /* every thread's allocations: which thread parses which range (so
     * makes which allocation) depends on scheduling */
    MemCounters m0, m1;
    mem_totals(&m0);
    table_init(&t, BIG_COLS, types);
    assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_OK);
    mem_totals(&m1);
    uint64_t n_allocs = m1.n_allocs - m0.n_allocs;
    tdata_release(&t);
    int n_failed = 0;
    for (uint64_t k = 1; k <= n_allocs + 1; k++) {
        table_init(&t, BIG_COLS, types);
        assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_OK);
        err_clear(&err);
        mem_fail_after(k);
        int rc = csv_read(&t, path, &o, pool, &n, &err);
        mem_fail_after(0);
        if (rc == EMBER_OK) {
            assert_i64_equal(n, rows);
            assert_i64_equal(t.n_rows, 2 * rows);
        } else {
            n_failed++;
            assert_rc(rc, EMBER_NOMEM);
            assert_string_equal(err.msg, "out of memory");
            assert_i64_equal(n, 0);
            assert_tables_equal(&t, &copy);
        }
        tdata_release(&t);
    }
    assert_true(n_failed >= 5);
    tdata_release(&copy);
    gen_release(&base);
    pool_destroy(pool);
}

/* A pipe cannot be read at offsets: it is read whole, then parsed in
 * ranges like a file. */
static void test_pipe(void **state)
{
    Gen g;
    gen_init(&g, '|');
    while (g.sb.len < 3 * CSV_RANGE_BYTES)
        gen_plain(&g);
    char path[300];
    temp_path(path, sizeof(path), "fifo");
    assert_int_equal(mkfifo(path, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = fopen(path, "wb");
        size_t w = f ? fwrite(g.sb.data, 1, g.sb.len, f) : 0;
        _exit(f && w == g.sb.len && fclose(f) == 0 ? 0 : 1);
    }
    ThreadPool *pool = pool_create(1);
    TableData t;
    table_init(&t, 2, kv_types());
    CsvOptions o = opts('|', 0);
    o.n_threads = 2;
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&t, path, &o, pool, &n, &err), EMBER_OK);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_gen_table(&t, &g);
    tdata_release(&t);
    pool_destroy(pool);
    gen_release(&g);
}

/* ------------------------------------------------------------------------
 * Writer
 * ------------------------------------------------------------------------ */

/* Write every row of t through a CsvWriter, a vector at a time. */
static int write_table(const TableData *t, const char *path,
                       const CsvOptions *o, const char *const *names, Err *err)
{
    CsvWriter *w;
    int rc = csv_writer_open(&w, path, o, t->n_cols, names, err);
    if (rc != EMBER_OK)
        return rc;
    Vector cols[16];
    static Str dec_buf[16][VEC_SIZE];    /* dictionary-encoded columns */
    Chunk c = {t->n_cols, cols, 0, NULL, 0};
    for (uint32_t g = 0; g < t->n_groups && rc == EMBER_OK; g++) {
        uint32_t rows = t->groups[g]->n_rows;
        for (uint32_t off = 0; off < rows && rc == EMBER_OK; off += VEC_SIZE) {
            c.count = MIN(VEC_SIZE, rows - off);
            for (int i = 0; i < t->n_cols; i++) {
                memset(&cols[i], 0, sizeof(cols[i]));
                cols[i].type = t->types[i];
                cols[i].phys = (uint8_t)type_phys(t->types[i]);
                tdata_view(t, g, off, c.count, i, &cols[i], dec_buf[i]);
            }
            rc = csv_writer_chunk(w, &c, err);
        }
    }
    int rc2 = csv_writer_close(w, err);
    return rc != EMBER_OK ? rc : rc2;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void test_writer_text(void **state)
{
    Type types[] = {type_make(TYPE_INT32), type_varchar(-1),
                    type_decimal(15, 2),   type_make(TYPE_DATE),
                    type_make(TYPE_BOOL),  type_make(TYPE_DOUBLE)};
    TableData t;
    table_init(&t, 6, types);
    CsvOptions o = opts(',', '"');
    char path[300];
    uint64_t n;
    Err err;
    const char *text = "1,plain,1.5,1996-01-02,t,0.1\n"
                       "-2,\"a,b\",-0.05,2000-12-31,f,1e20\n"
                       "3,\"say \"\"hi\"\"\",0,,,\n"
                       "4,\"\",12,1970-01-01,1,-0\n"
                       "5,,,,,\n"
                       "6,\"two\nlines\",7,,,\n";
    assert_rc(read_text(&t, text, &o, &n, &err, path, sizeof(path)), EMBER_OK);
    const char *const names[] = {"id", "s,x", "d", "dt", "b", "f"};
    o.header = true;
    temp_path(path, sizeof(path), "out.csv");
    assert_rc(write_table(&t, path, &o, names, &err), EMBER_OK);
    assert_string_equal(slurp(path), "id,\"s,x\",d,dt,b,f\n"
                                     "1,plain,1.50,1996-01-02,true,0.1\n"
                                     "-2,\"a,b\",-0.05,2000-12-31,false,1e+20\n"
                                     "3,\"say \"\"hi\"\"\",0.00,,,\n"
                                     "4,\"\",12.00,1970-01-01,true,-0\n"
                                     "5,,,,,\n"
                                     "6,\"two\nlines\",7.00,,,\n");
    /* With another null_str, NULL is spelled out and the empty string is
     * still quoted. */
    o = opts('|', '"');
    o.null_str = "NULL";
    temp_path(path, sizeof(path), "out.tbl");
    assert_rc(write_table(&t, path, &o, NULL, &err), EMBER_OK);
    const char *got = slurp(path);
    assert_non_null(strstr(got, "4|\"\"|12.00|1970-01-01|true|-0\n"));
    assert_non_null(strstr(got, "5|NULL|NULL|NULL|NULL|NULL\n"));
    tdata_release(&t);
}

static void test_writer_round_trip(void **state)
{
    char path[300];
    temp_path(path, sizeof(path), "rt_src.tbl");
    make_big_file(path, 3u << 20, 0);
    Type types[BIG_COLS + 1];
    memcpy(types, big_types(), sizeof(Type) * BIG_COLS);
    types[BIG_COLS] = type_make(TYPE_BOOL);
    TableData src;
    table_init(&src, BIG_COLS, types);
    CsvOptions o = opts('|', 0);
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&src, path, &o, NULL, &n, &err), EMBER_OK);
    /* Add rows with awkward strings, doubles and a bool column. */
    TableData t;
    table_init(&t, BIG_COLS + 1, types);
    CsvOptions q = opts(',', '"');
    const char *odd = "1,2,3.00,2001-01-01,\"a,\"\"b\"\"\nc\r\",0.1,t\n"
                      "2,3,4.5,2001-01-02,\"\",-1e-300,f\n"
                      "3,,,,,NaN,\n"
                      "4,5,6,2001-01-03,\"|\",1.7976931348623157e308,1\n";
    assert_rc(read_text(&t, odd, &q, &n, &err, path, sizeof(path)), EMBER_OK);
    for (int pass = 0; pass < 2; pass++) {
        const TableData *in = pass == 0 ? &src : &t;
        CsvOptions wo = pass == 0 ? o : q;
        wo.header = true;
        const char *const names[] = {"a", "b", "c", "d", "e", "f", "g"};
        temp_path(path, sizeof(path), "rt.csv");
        assert_rc(write_table(in, path, &wo, names, &err), EMBER_OK);
        TableData back;
        table_init(&back, in->n_cols, types);
        err_clear(&err);
        assert_rc(csv_read(&back, path, &wo, NULL, &n, &err), EMBER_OK);
        assert_i64_equal(n, in->n_rows);
        assert_tables_equal(in, &back);
        tdata_release(&back);
    }
    tdata_release(&src);
    tdata_release(&t);
}

static void test_writer_errors(void **state)
{
    CsvWriter *w = NULL;
    Err err;
    err_clear(&err);
    char path[300];
    snprintf(path, sizeof(path), "%s/no/such/dir.csv", g_dir);
    CsvOptions o = opts(',', '"');
    assert_rc(csv_writer_open(&w, path, &o, 1, NULL, &err), EMBER_IOERR);
    assert_null(w);
    char want[400];
    snprintf(want, sizeof(want),
             "could not open file \"%s\" for writing: No such file or "
             "directory",
             path);
    assert_string_equal(err.msg, want);
    if (access("/dev/full", W_OK) != 0) {
        print_message("skipping /dev/full: not available\n");
        return;
    }
    Type types[] = {type_make(TYPE_INT32)};
    TableData t;
    table_init(&t, 1, types);
    uint64_t n;
    assert_rc(read_text(&t, "1\n2\n", &o, &n, &err, path, sizeof(path)),
              EMBER_OK);
    err_clear(&err);
    assert_rc(write_table(&t, "/dev/full", &o, NULL, &err), EMBER_IOERR);
    assert_string_equal(err.msg, "could not write to file \"/dev/full\": "
                                 "No space left on device");
    tdata_release(&t);
}

/* ------------------------------------------------------------------------
 * TPC-H data (skipped when /work/shared is absent)
 * ------------------------------------------------------------------------ */

static void lineitem_types(Type *t)
{
    for (int i = 0; i < 3; i++)
        t[i] = type_make(TYPE_INT64);
    t[3] = type_make(TYPE_INT32);
    for (int i = 4; i < 8; i++)
        t[i] = type_decimal(15, 2);
    t[8] = type_varchar(1);
    t[9] = type_varchar(1);
    for (int i = 10; i < 13; i++)
        t[i] = type_make(TYPE_DATE);
    t[13] = type_varchar(25);
    t[14] = type_varchar(10);
    t[15] = type_varchar(44);
}

static void test_tpch_lineitem(void **state)
{
    if (access(LINEITEM_PATH, R_OK) != 0) {
        print_message("skipping: %s not found\n", LINEITEM_PATH);
        skip();
    }
    Type types[16];
    lineitem_types(types);
    TableData t;
    TableData t2;
    table_init(&t, 16, types);
    table_init(&t2, 16, types);
    CsvOptions o = opts('|', 0);
    uint64_t n;
    Err err;
    err_clear(&err);
    assert_rc(csv_read(&t, LINEITEM_PATH, &o, NULL, &n, &err), EMBER_OK);
    assert_i64_equal(n, 60175);
    /* 1|1552|93|1|17|24710.35|0.04|0.02|N|O|1996-03-13|1996-02-12|
     * 1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the */
    assert_int_cell(&t, 0, 1, 1552);
    assert_int_cell(&t, 0, 5, 2471035);
    assert_int_cell(&t, 0, 6, 4);
    assert_str_cell(&t, 0, 8, "N");
    assert_int_cell(&t, 0, 10, date_from_ymd(1996, 3, 13));
    assert_str_cell(&t, 0, 13, "DELIVER IN PERSON");
    assert_str_cell(&t, 0, 15, "egular courts above the");
    ThreadPool *pool = pool_create(1);
    o.n_threads = 2;
    assert_rc(csv_read(&t2, LINEITEM_PATH, &o, pool, &n, &err), EMBER_OK);
    assert_tables_equal(&t, &t2);
    pool_destroy(pool);
    tdata_release(&t);
    tdata_release(&t2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_doubles_match_strtod),
        cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_nulls_many_rows),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_crlf_header_trailing),
        cmocka_unit_test(test_empty_and_blank),
        cmocka_unit_test(test_conversion_errors),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_unchanged_after_failure),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_parallel_big_file),
        cmocka_unit_test(test_range_cuts),
        cmocka_unit_test(test_range_cut_errors),
        cmocka_unit_test(test_quoted_cuts),
        cmocka_unit_test(test_nulls_after_failed_read),
        cmocka_unit_test(test_stats_while_parsing),
        cmocka_unit_test(test_parallel_fault_injection),
        cmocka_unit_test(test_pipe),
        cmocka_unit_test(test_writer_text),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_tpch_lineitem),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
