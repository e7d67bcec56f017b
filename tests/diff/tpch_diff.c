/*
 * tpch_diff.c -- differential test: the 22 TPC-H queries in ember and in
 * SQLite on the same generated data.
 *
 * Usage: tpch_diff [--sf X] [--threads N] [--shared DIR] [--keep DIR]
 *                  [--only N] [--direct]
 *   --sf       scale factor (default 0.01)
 *   --threads  ember's `threads` setting and generator threads (default 2)
 *   --shared   the shared directory with tpch/queries and, for SF 0.01,
 *              tpch/sf0.01/answers (default $EMBER_SHARED or ../shared)
 *   --keep     write the .tbl files into DIR and keep them (default: a
 *              temporary directory, removed at the end)
 *   --only     run only query N
 *   --direct   generate with tpch_generate and load with COPY ... FROM
 *              even when CALL dbgen exists (tests that path too)
 * Run from the repository root (reads tests/tpch/schema.sql and
 * tests/diff/sqlite/qNN.sql).
 *
 * Data: `CALL dbgen(sf => X)`, which creates and fills the tables, then
 * each table is written out with COPY ... TO. Where the engine lacks CALL
 * dbgen, the tables are created from tests/tpch/schema.sql, generated with
 * tpch_generate (storage/storage.h), written as .tbl files and loaded into
 * ember with COPY ... FROM. SQLite then loads the same .tbl files (DECIMAL
 * as REAL, DATE as 'YYYY-MM-DD' text), with indexes on the join keys so
 * its correlated subqueries finish.
 *
 * Comparison, per query: the same number of columns and rows; the same
 * rows as multisets (both sides sorted), where integers and strings must
 * be equal and numbers agree within 1e-6 relative (SQLite computes
 * decimals in doubles); and ember's rows must be in the order of the
 * query's ORDER BY (checked on ember's own values, so ties may come in any
 * order, as SQL allows). At SF 0.01 the row count of the official answer
 * is printed alongside, to compare result shapes. Prints one line per
 * query and a summary; exits non-zero on any mismatch.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ember.h"
#include "exec/pool.h"
#include "storage/storage.h"

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    return buf;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    return remove(p);
}

/* ------------------------------------------------------------------------
 * Result sets of both engines
 * ------------------------------------------------------------------------ */

enum { K_NULL, K_INT, K_NUM, K_TEXT };

typedef struct Cell {
    int kind;
    int64_t i;
    double d;
    char *s;
} Cell;

typedef struct Rows {
    int n_cols;
    int n_rows;
    int cap;
    Cell *cells;   /* n_rows * n_cols */
    int *col_kind; /* ember's kind of each column */
} Rows;

static Cell *row_at(const Rows *r, int row)
{
    return &r->cells[(size_t)row * (size_t)r->n_cols];
}

static Cell *add_row(Rows *r)
{
    if (r->n_rows == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        Cell *c = realloc(r->cells, sizeof(Cell) * (size_t)r->cap *
                                        (size_t)(r->n_cols ? r->n_cols : 1));
        if (c == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        r->cells = c;
    }
    return row_at(r, r->n_rows++);
}

static void rows_free(Rows *r)
{
    for (int i = 0; i < r->n_rows * r->n_cols; i++)
        free(r->cells[i].s);
    free(r->cells);
    free(r->col_kind);
    memset(r, 0, sizeof(*r));
}

static int kind_of_ember_type(int t)
{
    switch (t) {
    case EMBER_TYPE_BOOLEAN:
    case EMBER_TYPE_INTEGER:
    case EMBER_TYPE_BIGINT:
        return K_INT;
    case EMBER_TYPE_DOUBLE:
    case EMBER_TYPE_DECIMAL:
        return K_NUM;
    default:
        return K_TEXT;
    }
}

/* Run sql in ember into r; returns 0 or prints the error. */
static int ember_rows(ember_db *db, const char *sql, Rows *r)
{
    ember_stmt *st;
    if (ember_prepare(db, sql, -1, &st, NULL) != EMBER_OK || st == NULL) {
        printf("  ember prepare: %s\n", ember_errmsg(db));
        return -1;
    }
    r->n_cols = ember_column_count(st);
    r->col_kind = xmalloc(sizeof(int) * (size_t)r->n_cols);
    for (int c = 0; c < r->n_cols; c++)
        r->col_kind[c] = kind_of_ember_type(ember_column_type(st, c));
    int rc;
    while ((rc = ember_step(st)) == EMBER_ROW) {
        Cell *row = add_row(r);
        for (int c = 0; c < r->n_cols; c++) {
            Cell *x = &row[c];
            memset(x, 0, sizeof(*x));
            x->kind = ember_column_is_null(st, c) ? K_NULL : r->col_kind[c];
            if (x->kind == K_INT)
                x->i = ember_column_int64(st, c);
            else if (x->kind == K_NUM)
                x->d = ember_column_double(st, c);
            else if (x->kind == K_TEXT)
                x->s = xstrdup(ember_column_text(st, c));
        }
    }
    if (rc != EMBER_DONE)
        printf("  ember step: %s\n", ember_errmsg(db));
    ember_finalize(st);
    return rc == EMBER_DONE ? 0 : -1;
}

/* Run sql in SQLite into r, reading each column as ember's kind of the
 * same column says (kinds[]), so that both sides compare alike. */
static int sqlite_rows(sqlite3 *db, const char *sql, const int *kinds,
                       int n_kinds, Rows *r)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        printf("  sqlite prepare: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    r->n_cols = sqlite3_column_count(st);
    r->col_kind = xmalloc(sizeof(int) * (size_t)r->n_cols);
    for (int c = 0; c < r->n_cols; c++)
        r->col_kind[c] = c < n_kinds ? kinds[c] : K_TEXT;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        Cell *row = add_row(r);
        for (int c = 0; c < r->n_cols; c++) {
            Cell *x = &row[c];
            memset(x, 0, sizeof(*x));
            int t = sqlite3_column_type(st, c);
            x->kind = t == SQLITE_NULL ? K_NULL : r->col_kind[c];
            /* a number where a string is expected (or the reverse) is
             * kept as text so that it cannot compare equal by accident */
            if (x->kind != K_NULL && x->kind != K_TEXT && t == SQLITE_TEXT)
                x->kind = K_TEXT;
            if (x->kind == K_INT && t == SQLITE_FLOAT) {
                double d = sqlite3_column_double(st, c);
                x->kind = d == floor(d) ? K_INT : K_NUM;
                x->i = (int64_t)d;
                x->d = d;
            } else if (x->kind == K_INT) {
                x->i = sqlite3_column_int64(st, c);
            } else if (x->kind == K_NUM) {
                x->d = sqlite3_column_double(st, c);
            } else if (x->kind == K_TEXT) {
                x->s = xstrdup((const char *)sqlite3_column_text(st, c));
            }
        }
    }
    if (rc != SQLITE_DONE)
        printf("  sqlite step: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Comparison
 * ------------------------------------------------------------------------ */

static double cell_num(const Cell *c)
{
    return c->kind == K_INT ? (double)c->i : c->d;
}

/* Total order for sorting: NULL first, numbers by value, text bytewise. */
static int cell_cmp(const Cell *a, const Cell *b)
{
    if (a->kind == K_NULL || b->kind == K_NULL)
        return (b->kind == K_NULL) - (a->kind == K_NULL);
    if (a->kind == K_TEXT || b->kind == K_TEXT) {
        if (a->kind != b->kind)
            return a->kind == K_TEXT ? 1 : -1;
        return strcmp(a->s, b->s);
    }
    if (a->kind == K_INT && b->kind == K_INT)
        return (a->i > b->i) - (a->i < b->i);
    double x = cell_num(a), y = cell_num(b);
    return (x > y) - (x < y);
}

static int g_sort_cols;
static int row_cmp(const void *pa, const void *pb)
{
    const Cell *a = pa, *b = pb;
    for (int c = 0; c < g_sort_cols; c++) {
        int d = cell_cmp(&a[c], &b[c]);
        if (d)
            return d;
    }
    return 0;
}

static void rows_sort(Rows *r)
{
    g_sort_cols = r->n_cols;
    qsort(r->cells, (size_t)r->n_rows, sizeof(Cell) * (size_t)r->n_cols,
          row_cmp);
}

/* Integers and strings exactly; numbers within 1e-6 relative. */
static bool cell_same(const Cell *a, const Cell *b)
{
    if (a->kind == K_NULL || b->kind == K_NULL)
        return a->kind == b->kind;
    if (a->kind == K_TEXT || b->kind == K_TEXT)
        return a->kind == b->kind && strcmp(a->s, b->s) == 0;
    if (a->kind == K_INT && b->kind == K_INT)
        return a->i == b->i;
    double x = cell_num(a), y = cell_num(b);
    double scale = fmax(fabs(x), fabs(y));
    return fabs(x - y) <= 1e-6 * fmax(scale, 1e-3);
}

static void cell_print(const Cell *c, char *buf, size_t cap)
{
    switch (c->kind) {
    case K_NULL:
        snprintf(buf, cap, "NULL");
        break;
    case K_INT:
        snprintf(buf, cap, "%lld", (long long)c->i);
        break;
    case K_NUM:
        snprintf(buf, cap, "%.10g", c->d);
        break;
    default:
        snprintf(buf, cap, "'%s'", c->s);
        break;
    }
}

/* ORDER BY of each query over its result columns: "2d,1" = column 2
 * descending, then column 1 ascending (1-based). */
static const char *const order_spec[23] = {
    NULL,       "1,2",  "1d,3,2,4", "2d,3", "1", "2d",    "",  "1,2,3",
    "1",        "1,2d", "3d",       "2d",   "1", "2d,1d", "",  "1",
    "4d,1,2,3", "",     "5d,4",     "",     "1", "2d,1",  "1",
};

/* Row index of the first row out of ORDER BY order, or -1. */
static int check_order(const Rows *r, const char *spec)
{
    for (int i = 1; i < r->n_rows; i++) {
        const char *p = spec;
        while (*p) {
            char *end;
            int col = (int)strtol(p, &end, 10) - 1;
            p = end;
            bool desc = *p == 'd';
            p += desc;
            p += *p == ',';
            if (col < 0 || col >= r->n_cols)
                break;
            int d = cell_cmp(&row_at(r, i - 1)[col], &row_at(r, i)[col]);
            if (desc)
                d = -d;
            if (d < 0)
                break; /* strictly ordered by this key */
            if (d > 0)
                return i;
        }
    }
    return -1;
}

/* Compare; prints the first difference. True when they agree. */
static bool compare(int q, Rows *e, Rows *s)
{
    if (e->n_cols != s->n_cols) {
        printf("  columns: ember %d, sqlite %d\n", e->n_cols, s->n_cols);
        return false;
    }
    if (e->n_rows != s->n_rows) {
        printf("  rows: ember %d, sqlite %d\n", e->n_rows, s->n_rows);
        return false;
    }
    int bad = check_order(e, order_spec[q]);
    if (bad >= 0) {
        printf("  ember row %d is out of ORDER BY order (%s)\n", bad + 1,
               order_spec[q]);
        return false;
    }
    rows_sort(e);
    rows_sort(s);
    for (int i = 0; i < e->n_rows; i++) {
        for (int c = 0; c < e->n_cols; c++) {
            const Cell *a = &row_at(e, i)[c], *b = &row_at(s, i)[c];
            if (!cell_same(a, b)) {
                char x[256], y[256];
                cell_print(a, x, sizeof(x));
                cell_print(b, y, sizeof(y));
                printf("  sorted row %d column %d: ember %s, sqlite %s\n",
                       i + 1, c + 1, x, y);
                return false;
            }
        }
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Loading data
 * ------------------------------------------------------------------------ */

static int exec_ember(ember_db *db, const char *sql)
{
    int rc = ember_exec(db, sql, NULL, NULL);
    if (rc != EMBER_OK)
        fprintf(stderr, "ember: %s\n  in: %.200s\n", ember_errmsg(db), sql);
    return rc;
}

/* Write table t as a .tbl file (no quoting, '|' separated). */
static int write_tbl(const TableData *t, int table, const char *path)
{
    CsvOptions o;
    memset(&o, 0, sizeof(o));
    o.delim = '|';
    o.null_str = "";
    int n_cols;
    const char *const *names;
    tpch_schema(table, &n_cols, &names, NULL);
    Err err;
    err_clear(&err);
    CsvWriter *w;
    if (csv_writer_open(&w, path, &o, n_cols, names, &err) != EMBER_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    Vector cols[32];
    static Str dec_buf[32][VEC_SIZE];    /* dictionary-encoded columns */
    memset(cols, 0, sizeof(cols));
    Chunk c;
    memset(&c, 0, sizeof(c));
    c.n_cols = n_cols;
    c.cols = cols;
    for (int k = 0; k < n_cols; k++) {
        cols[k].type = t->types[k];
        cols[k].phys = (uint8_t)type_phys(t->types[k]);
    }
    int rc = EMBER_OK;
    for (uint32_t g = 0; g < t->n_groups && rc == EMBER_OK; g++) {
        uint32_t n_rows = t->groups[g]->n_rows;
        for (uint32_t off = 0; off < n_rows && rc == EMBER_OK;
             off += VEC_SIZE) {
            uint32_t n = n_rows - off < VEC_SIZE ? n_rows - off : VEC_SIZE;
            for (int k = 0; k < n_cols; k++)
                tdata_view(t, g, off, n, k, &cols[k], dec_buf[k]);
            c.count = n;
            rc = csv_writer_chunk(w, &c, &err);
        }
    }
    int rc2 = csv_writer_close(w, &err);
    if (rc != EMBER_OK || rc2 != EMBER_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Generate with tpch_generate and write the .tbl files to dir. */
static int generate_files(double sf, int n_threads, const char *dir)
{
    TableData data[TPCH__N], *tables[TPCH__N];
    for (int t = 0; t < TPCH__N; t++) {
        int n;
        const Type *types;
        tpch_schema(t, &n, NULL, &types);
        tdata_init(&data[t], n, types);
        tables[t] = &data[t];
    }
    ThreadPool *pool = n_threads > 1 ? pool_create(n_threads - 1) : NULL;
    Err err;
    err_clear(&err);
    double t0 = now_ms();
    int rc = tpch_generate(sf, tables, pool, n_threads, &err);
    printf("generated SF %g in %.0f ms (%d threads)\n", sf, now_ms() - t0,
           n_threads);
    if (rc != EMBER_OK)
        fprintf(stderr, "tpch_generate: %s\n", err.msg);
    for (int t = 0; t < TPCH__N && rc == EMBER_OK; t++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s.tbl", dir, tpch_table_name(t));
        if (write_tbl(&data[t], t, path) != 0)
            rc = EMBER_IOERR;
    }
    for (int t = 0; t < TPCH__N; t++)
        tdata_release(&data[t]);
    pool_destroy(pool);
    return rc == EMBER_OK ? 0 : -1;
}

/* Fill ember's tables and leave .tbl files of them in dir. */
static int load_ember(ember_db *db, double sf, int n_threads, bool direct,
                      const char *dir)
{
    char sql[1200];
    snprintf(sql, sizeof(sql), "CALL dbgen(sf => %.17g)", sf);
    double t0 = now_ms();
    bool have_dbgen = !direct && ember_exec(db, sql, NULL, NULL) == EMBER_OK;
    if (have_dbgen) {
        printf("CALL dbgen: %.0f ms\n", now_ms() - t0);
    } else {
        if (direct)
            printf("--direct: generating with tpch_generate\n");
        else
            printf("CALL dbgen not available (%s): generating directly\n",
                   ember_errmsg(db));
        char *schema = read_file("tests/tpch/schema.sql");
        int rc = schema ? exec_ember(db, schema) : EMBER_CANTOPEN;
        free(schema);
        if (rc != EMBER_OK || generate_files(sf, n_threads, dir) != 0)
            return -1;
    }
    for (int t = 0; t < TPCH__N; t++) {
        snprintf(sql, sizeof(sql), "COPY %s %s '%s/%s.tbl' (DELIMITER '|')",
                 tpch_table_name(t), have_dbgen ? "TO" : "FROM", dir,
                 tpch_table_name(t));
        if (exec_ember(db, sql) != EMBER_OK)
            return -1;
    }
    return 0;
}

/* SQLite DDL: integers, REAL for DECIMAL, TEXT for VARCHAR and DATE. */
static const char *sqlite_type(Type t)
{
    switch (t.id) {
    case TYPE_INT32:
    case TYPE_INT64:
        return "INTEGER";
    case TYPE_DECIMAL:
    case TYPE_DOUBLE:
        return "REAL";
    default:
        return "TEXT";
    }
}

static const char *const sqlite_indexes =
    "CREATE INDEX i_s ON supplier(s_suppkey);"
    "CREATE INDEX i_c ON customer(c_custkey);"
    "CREATE INDEX i_p ON part(p_partkey);"
    "CREATE INDEX i_ps ON partsupp(ps_partkey, ps_suppkey);"
    "CREATE INDEX i_ps2 ON partsupp(ps_suppkey);"
    "CREATE INDEX i_o ON orders(o_orderkey);"
    "CREATE INDEX i_o2 ON orders(o_custkey);"
    "CREATE INDEX i_l ON lineitem(l_orderkey);"
    "CREATE INDEX i_l2 ON lineitem(l_partkey, l_suppkey);"
    "ANALYZE;";

static int sqlite_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n  in: %.200s\n", msg, sql);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Load one .tbl file into SQLite table `table`. */
static int sqlite_load_table(sqlite3 *db, int table, const char *path)
{
    int n_cols;
    const char *const *names;
    const Type *types;
    tpch_schema(table, &n_cols, &names, &types);
    char sql[2048];
    int len =
        snprintf(sql, sizeof(sql), "CREATE TABLE %s (", tpch_table_name(table));
    for (int c = 0; c < n_cols; c++)
        len += snprintf(sql + len, sizeof(sql) - (size_t)len, "%s%s %s",
                        c ? ", " : "", names[c], sqlite_type(types[c]));
    snprintf(sql + len, sizeof(sql) - (size_t)len, ")");
    if (sqlite_exec(db, sql) != 0)
        return -1;
    len = snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (",
                   tpch_table_name(table));
    for (int c = 0; c < n_cols; c++)
        len += snprintf(sql + len, sizeof(sql) - (size_t)len, "%s?",
                        c ? ", " : "");
    snprintf(sql + len, sizeof(sql) - (size_t)len, ")");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK)
        return -1;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        sqlite3_finalize(ins);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = 0;
        char *p = line;
        for (int c = 0; c < n_cols; c++) {
            char *bar = strchr(p, '|');
            size_t flen = bar ? (size_t)(bar - p) : strlen(p);
            if (types[c].id == TYPE_INT32 || types[c].id == TYPE_INT64)
                sqlite3_bind_int64(ins, c + 1, strtoll(p, NULL, 10));
            else if (types[c].id == TYPE_DECIMAL)
                sqlite3_bind_double(ins, c + 1, strtod(p, NULL));
            else
                sqlite3_bind_text(ins, c + 1, p, (int)flen, SQLITE_TRANSIENT);
            p = bar ? bar + 1 : p + flen;
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            fprintf(stderr, "sqlite insert: %s\n", sqlite3_errmsg(db));
            rc = -1;
        }
        sqlite3_reset(ins);
    }
    free(line);
    fclose(f);
    sqlite3_finalize(ins);
    return rc;
}

static int load_sqlite(sqlite3 *db, const char *dir)
{
    if (sqlite_exec(db, "PRAGMA case_sensitive_like = ON;"
                        "BEGIN") != 0)
        return -1;
    for (int t = 0; t < TPCH__N; t++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s.tbl", dir, tpch_table_name(t));
        if (sqlite_load_table(db, t, path) != 0)
            return -1;
    }
    if (sqlite_exec(db, "COMMIT") != 0)
        return -1;
    return sqlite_exec(db, sqlite_indexes);
}

/* ------------------------------------------------------------------------
 * Driver
 * ------------------------------------------------------------------------ */

typedef struct Options {
    double sf;
    int threads;
    const char *shared;
    const char *keep;
    int only;
    bool direct;
} Options;

/* Row count of the official SF 0.01 answer, -1 when not available. */
static int official_rows(const Options *o, int q)
{
    if (fabs(o->sf - 0.01) > 1e-12)
        return -1;
    char path[1024];
    snprintf(path, sizeof(path), "%s/tpch/sf0.01/answers/q%02d.csv", o->shared,
             q);
    char *text = read_file(path);
    if (text == NULL)
        return -1;
    int n = -1; /* the header line */
    for (char *p = text; *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

static bool run_query(ember_db *edb, sqlite3 *sdb, const Options *o, int q)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/tpch/queries/q%02d.sql", o->shared, q);
    char *esql = read_file(path);
    snprintf(path, sizeof(path), "tests/diff/sqlite/q%02d.sql", q);
    char *ssql = read_file(path);
    if (esql == NULL || ssql == NULL) {
        printf("Q%02d FAIL: cannot read the query files\n", q);
        free(esql);
        free(ssql);
        return false;
    }
    Rows e, s;
    memset(&e, 0, sizeof(e));
    memset(&s, 0, sizeof(s));
    double t0 = now_ms();
    int erc = ember_rows(edb, esql, &e);
    double t1 = now_ms();
    int src = erc == 0 ? sqlite_rows(sdb, ssql, e.col_kind, e.n_cols, &s) : -1;
    double t2 = now_ms();
    int n_official = official_rows(o, q);
    bool ok = erc == 0 && src == 0;
    char shape[64] = "";
    if (n_official >= 0)
        snprintf(shape, sizeof(shape), " (official SF 0.01: %d)", n_official);
    if (ok) {
        printf("Q%02d %4d rows x %d cols%s  ember %7.1f ms  sqlite %8.1f ms\n",
               q, e.n_rows, e.n_cols, shape, t1 - t0, t2 - t1);
        ok = compare(q, &e, &s);
    }
    printf("Q%02d %s\n", q, ok ? "ok" : "FAIL");
    rows_free(&e);
    rows_free(&s);
    free(esql);
    free(ssql);
    return ok;
}

static int parse_args(int argc, char **argv, Options *o)
{
    o->sf = 0.01;
    o->threads = 2;
    o->shared = getenv("EMBER_SHARED") ? getenv("EMBER_SHARED") : "../shared";
    o->keep = NULL;
    o->only = 0;
    o->direct = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        bool takes_value = true;
        if (!strcmp(a, "--direct")) {
            o->direct = true;
            takes_value = false;
        } else if (!strcmp(a, "--sf")) {
            o->sf = atof(v);
        } else if (!strcmp(a, "--threads")) {
            o->threads = atoi(v);
        } else if (!strcmp(a, "--shared")) {
            o->shared = v;
        } else if (!strcmp(a, "--keep")) {
            o->keep = v;
        } else if (!strcmp(a, "--only")) {
            o->only = atoi(v);
        } else {
            fprintf(stderr,
                    "usage: %s [--sf X] [--threads N] [--shared DIR] "
                    "[--keep DIR] [--only N] [--direct]\n",
                    argv[0]);
            return -1;
        }
        i += takes_value;
    }
    return o->sf > 0 && o->threads >= 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    Options o;
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows in logs */
    char tmp[] = "/tmp/ember_diff_XXXXXX";
    const char *dir = o.keep;
    if (dir == NULL && (dir = mkdtemp(tmp)) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    ember_db *edb;
    sqlite3 *sdb;
    if (ember_open(NULL, &edb) != EMBER_OK ||
        sqlite3_open(":memory:", &sdb) != SQLITE_OK)
        return 2;
    char threads[16];
    snprintf(threads, sizeof(threads), "%d", o.threads);
    int rc = ember_set(edb, "threads", threads) == EMBER_OK ? 0 : -1;
    double t0 = now_ms();
    if (rc == 0)
        rc = load_ember(edb, o.sf, o.threads, o.direct, dir);
    double t1 = now_ms();
    if (rc == 0)
        rc = load_sqlite(sdb, dir);
    if (rc == 0)
        printf("ember data ready in %.0f ms, sqlite loaded in %.0f ms\n",
               t1 - t0, now_ms() - t1);
    int failed = 0, run = 0;
    for (int q = 1; q <= 22 && rc == 0; q++) {
        if (o.only && q != o.only)
            continue;
        run++;
        failed += !run_query(edb, sdb, &o, q);
    }
    if (rc == 0)
        printf("TPC-H diff SF %g: %d of %d queries agree with SQLite\n", o.sf,
               run - failed, run);
    else
        printf("TPC-H diff SF %g: setup failed\n", o.sf);
    sqlite3_close(sdb);
    ember_close(edb);
    if (o.keep == NULL)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc != 0 || failed ? 1 : 0;
}
