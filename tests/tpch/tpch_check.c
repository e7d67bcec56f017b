/*
 * tpch_check.c -- runs the 22 TPC-H queries on data loaded with COPY and
 * compares every result with reference answers.
 *
 * Usage: tpch_check SCHEMA.sql DATA_DIR QUERY_DIR ANSWER_DIR [--set k=v]...
 *
 * Comparison rules: row counts must match and rows are compared in order
 * (every query orders its result or returns one row). Integers, strings
 * and dates must be equal as text; DECIMAL values within half a cent;
 * DOUBLE values within 1e-9 relative (1e-9 absolute near zero). An empty
 * field in the answer file is NULL. Prints one line per query with its
 * time and the allocator calls it made, and exits non-zero on any
 * mismatch.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ember.h"

#define MAX_COLS 32

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

/* Next line of *p (empty lines included; none after the final newline). */
static char *next_line(char **p)
{
    char *s = *p;
    if (s == NULL || *s == 0)
        return NULL;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = 0;
        *p = nl + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

/* Split line into fields at '|' (in place). */
static int split(char *line, char **fields)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < MAX_COLS; p++) {
        if (*p == '|') {
            *p = 0;
            fields[n++] = p + 1;
        }
    }
    return n;
}

static bool value_matches(int type, const char *exp, const char *act,
                          char *why, size_t cap)
{
    if (exp[0] == 0) {
        if (act == NULL || act[0] == 0)
            return true;
        snprintf(why, cap, "expected NULL, got '%s'", act);
        return false;
    }
    if (act == NULL) {
        snprintf(why, cap, "expected '%s', got NULL", exp);
        return false;
    }
    if (type == EMBER_TYPE_DOUBLE || type == EMBER_TYPE_DECIMAL) {
        char *e1, *e2;
        double a = strtod(act, &e1), b = strtod(exp, &e2);
        if (*e1 || *e2) {
            snprintf(why, cap, "expected '%s', got '%s'", exp, act);
            return false;
        }
        double tol = type == EMBER_TYPE_DECIMAL ? 0.005
                                                : fmax(1e-9, 1e-9 * fabs(b));
        if (fabs(a - b) <= tol)
            return true;
        snprintf(why, cap, "expected %s, got %s (diff %.3g)", exp, act,
                 a - b);
        return false;
    }
    if (strcmp(exp, act) == 0)
        return true;
    snprintf(why, cap, "expected '%s', got '%s'", exp, act);
    return false;
}

static int run_sql(ember_db *db, const char *sql)
{
    int rc = ember_exec(db, sql, NULL, NULL);
    if (rc != EMBER_OK)
        fprintf(stderr, "error: %s\n", ember_errmsg(db));
    return rc;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run one query and compare; returns true when it matches. */
static bool check_query(ember_db *db, const char *name, const char *sql,
                        char *answer)
{
    ember_memory_stats m0, m1;
    ember_memory_totals(&m0);
    double t0 = now_ms();
    ember_stmt *st;
    const char *tail;
    if (ember_prepare(db, sql, -1, &st, &tail) != EMBER_OK || st == NULL) {
        printf("%s FAIL prepare: %s\n", name, ember_errmsg(db));
        return false;
    }
    char *save = answer;
    char *line = next_line(&save); /* header */
    int n_cols = ember_column_count(st);
    int row = 0, rc;
    bool ok = true;
    char why[512];
    while ((rc = ember_step(st)) == EMBER_ROW) {
        row++;
        line = next_line(&save);
        if (line == NULL) {
            if (ok)
                printf("%s FAIL: more rows than the answer (%d+)\n", name,
                       row);
            ok = false;
            continue;
        }
        char *fields[MAX_COLS];
        int nf = split(line, fields);
        if (nf != n_cols && ok) {
            printf("%s FAIL row %d: %d columns, answer has %d\n", name, row,
                   n_cols, nf);
            ok = false;
        }
        for (int c = 0; c < n_cols && c < nf && ok; c++) {
            if (!value_matches(ember_column_type(st, c), fields[c],
                               ember_column_text(st, c), why, sizeof(why))) {
                printf("%s FAIL row %d column %s: %s\n", name, row,
                       ember_column_name(st, c), why);
                ok = false;
            }
        }
    }
    if (rc != EMBER_DONE) {
        printf("%s FAIL: %s\n", name, ember_errmsg(db));
        ok = false;
    } else if (ok && (line = next_line(&save)) != NULL) {
        printf("%s FAIL: fewer rows than the answer (%d)\n", name, row);
        ok = false;
    }
    ember_finalize(st);
    double ms = now_ms() - t0;
    ember_memory_totals(&m1);
    if (ok)
        printf("%s ok  %4d rows %8.1f ms %6llu allocs %10llu bytes\n", name,
               row, ms, (unsigned long long)(m1.n_allocs - m0.n_allocs),
               (unsigned long long)(m1.bytes - m0.bytes));
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s SCHEMA DATA QUERIES ANSWERS [--set k=v]\n",
                argv[0]);
        return 2;
    }
    ember_db *db;
    if (ember_open(NULL, &db) != EMBER_OK)
        return 1;
    for (int i = 5; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--set") != 0)
            continue;
        char kv[256];
        snprintf(kv, sizeof(kv), "%s", argv[i + 1]);
        char *eq = strchr(kv, '=');
        if (eq == NULL || (*eq = 0, ember_set(db, kv, eq + 1)) != EMBER_OK) {
            fprintf(stderr, "bad setting %s: %s\n", argv[i + 1],
                    ember_errmsg(db));
            return 2;
        }
    }
    char *schema = read_file(argv[1]);
    if (schema == NULL || run_sql(db, schema) != EMBER_OK)
        return 1;
    free(schema);
    static const char *const tables[] = {"region", "nation", "supplier",
                                         "customer", "part", "partsupp",
                                         "orders", "lineitem"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[1024];
        snprintf(sql, sizeof(sql), "COPY %s FROM '%s/%s.tbl' (DELIMITER '|')",
                 tables[i], argv[2], tables[i]);
        if (run_sql(db, sql) != EMBER_OK)
            return 1;
    }
    int failed = 0;
    for (int q = 1; q <= 22; q++) {
        char path[1024], name[16];
        snprintf(name, sizeof(name), "Q%02d", q);
        snprintf(path, sizeof(path), "%s/q%02d.sql", argv[3], q);
        char *sql = read_file(path);
        snprintf(path, sizeof(path), "%s/q%02d.csv", argv[4], q);
        char *ans = read_file(path);
        if (sql == NULL || ans == NULL) {
            printf("%s FAIL: cannot read query or answer\n", name);
            failed++;
        } else if (!check_query(db, name, sql, ans)) {
            failed++;
        }
        free(sql);
        free(ans);
    }
    printf("TPC-H: %d of 22 queries match the reference answers\n",
           22 - failed);
    ember_close(db);
    return failed ? 1 : 0;
}
