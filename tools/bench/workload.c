/*
 * workload.c -- the `tpch` and `sql` subcommands: build the data, run each
 * benchmark --warmup times untimed and --count times timed, and print one
 * Go benchmark line per timed run.
 *
 * Benchmark names match DuckDB's runner (../shared/tools/duckdb-bench):
 * BenchmarkTPCH/SF<sf>/Q<nn>-<threads>, with the SF label exactly as given
 * on the command line, so that `compare` can put the two side by side.
 *
 * Answers are checked as far as a benchmark can without reference data:
 * a TPC-H query must return rows, and every run of a query must return as
 * many rows as the first.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

/* A benchmark script: its number (TPC-H) or name, and path. */
typedef struct Script {
    int num;
    char *stem;               /* file name without ".sql" */
    char *path;
} Script;

typedef struct ScriptList {
    Script *v;
    int n;
} ScriptList;

static void scripts_free(ScriptList *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].stem);
        free(l->v[i].path);
    }
    free(l->v);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_script_num(const void *a, const void *b)
{
    const Script *x = a;
    const Script *y = b;
    return (x->num > y->num) - (x->num < y->num);
}

static int cmp_script_stem(const void *a, const void *b)
{
    return strcmp(((const Script *)a)->stem, ((const Script *)b)->stem);
}

/* The TPC-H query number of a file name "q<digits>.sql", or -1. */
static int tpch_number(const char *name)
{
    if (name[0] != 'q' || name[1] < '0' || name[1] > '9')
        return -1;
    char *end;
    long n = strtol(name + 1, &end, 10);
    if (strcmp(end, ".sql") != 0 || n < 1 || n > 999)
        return -1;
    return (int)n;
}

/* List the *.sql files of dir (tpch: only q<n>.sql, numbered). Returns 0
 * or -1 after printing why. */
static int list_scripts(const char *dir, bool tpch, ScriptList *out)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        bench_error("cannot read directory '%s'", dir);
        return -1;
    }
    int cap = 32;
    out->v = xmalloc(sizeof(Script) * (size_t)cap);
    out->n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        int num = tpch_number(e->d_name);
        if (tpch ? num < 0
                 : len <= 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
            continue;
        if (out->n == cap) {
            cap *= 2;
            out->v = xrealloc(out->v, sizeof(Script) * (size_t)cap);
        }
        Script *s = &out->v[out->n++];
        s->num = num;
        s->stem = xstrdup(e->d_name);
        s->stem[len - 4] = '\0';
        s->path = xmalloc(strlen(dir) + len + 2);
        sprintf(s->path, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(out->v, (size_t)out->n, sizeof(Script),
          tpch ? cmp_script_num : cmp_script_stem);
    return 0;
}

/* ------------------------------------------------------------- running */

/*
 * Run one benchmark: warmups, then timed runs, each printed as it ends.
 * `need_rows`: an empty result is an error (TPC-H), else a warning.
 * Returns BENCH_EXIT_OK or BENCH_EXIT_FAIL (after printing why).
 */
static int run_benchmark(ember_db *db, const RunSource *src,
                         const RunOptions *o, const char *name,
                         const char *what, const char *sql, bool need_rows)
{
    uint64_t first_rows = 0;
    char err[2048];
    for (int i = 0; i < o->warmup + o->count; i++) {
        RunResult r;
        if (bench_run(db, src, sql, &r, err, sizeof(err)) != EMBER_OK) {
            bench_error("%s: %s", what, err);
            return BENCH_EXIT_FAIL;
        }
        if (r.n_queries > 0 && r.rows == 0) {
            if (need_rows) {
                bench_error("%s: empty result (a benchmark query must "
                            "return rows)", what);
                return BENCH_EXIT_FAIL;
            }
            if (i == 0)
                bench_error("warning: %s returned no rows", what);
        }
        if (i == 0)
            first_rows = r.rows;
        else if (r.rows != first_rows) {
            bench_error("%s: run %d returned %llu rows, the first %llu",
                        what, i + 1, (unsigned long long)r.rows,
                        (unsigned long long)first_rows);
            return BENCH_EXIT_FAIL;
        }
        if (i >= o->warmup)
            bench_print_result(name, &r, false);
    }
    return BENCH_EXIT_OK;
}

/* Run a script once as a load step and print it; setup errors are fatal
 * (BENCH_EXIT_USAGE). */
static int run_load(ember_db *db, const RunSource *src, const char *name,
                    const char *what, const char *sql)
{
    RunResult r;
    char err[2048];
    if (bench_run(db, src, sql, &r, err, sizeof(err)) != EMBER_OK) {
        bench_error("%s: %s", what, err);
        return BENCH_EXIT_USAGE;
    }
    bench_print_result(name, &r, true);
    return BENCH_EXIT_OK;
}

/* Parse the options common to tpch and sql at argv[*i]; false if it is
 * none of them. */
static bool run_option(int argc, char **argv, int *i, RunOptions *o)
{
    const char *v;
    if ((v = opt_value(argc, argv, i, "--threads")) != NULL)
        o->threads = parse_int_opt("--threads", v, 1, 256);
    else if ((v = opt_value(argc, argv, i, "--count")) != NULL)
        o->count = parse_int_opt("--count", v, 1, 1000000);
    else if ((v = opt_value(argc, argv, i, "--warmup")) != NULL)
        o->warmup = parse_int_opt("--warmup", v, 0, 1000000);
    else if ((v = opt_value(argc, argv, i, "--set")) != NULL)
        o->sets[o->n_sets++] = v;
    else
        return false;
    return true;
}

/* ------------------------------------------------------------------ tpch */

/* The query directory: the project's copy (bench/tpch/queries) or the
 * shared one (../shared/tpch/queries, or $EMBER_SHARED/tpch/queries),
 * looked up from the current directory and from each directory above the
 * executable. Returns false when there is none. */
static bool try_dir(char *out, size_t cap, const char *base,
                    const char *rel)
{
    int n = snprintf(out, cap, "%s/%s", base, rel);
    return n > 0 && (size_t)n < cap && is_dir(out);
}

static bool find_query_dir(char *out, size_t cap)
{
    char bases[16][PATH_MAX];
    int n = 0;
    snprintf(bases[n++], PATH_MAX, ".");
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", bench_exe_dir());
    while (dir[0] != '\0' && n < 16) {
        snprintf(bases[n++], PATH_MAX, "%s", dir);
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
    }
    for (int i = 0; i < n; i++)
        if (try_dir(out, cap, bases[i], "bench/tpch/queries"))
            return true;
    const char *shared = getenv("EMBER_SHARED");
    if (shared != NULL && try_dir(out, cap, shared, "tpch/queries"))
        return true;
    for (int i = 0; i < n; i++)
        if (try_dir(out, cap, bases[i], "../shared/tpch/queries"))
            return true;
    return false;
}

/* Keep only the queries listed in `only` ("1,5,9"). Returns 0 or -1 after
 * printing why. */
static int filter_only(ScriptList *l, const char *only, const char *dir)
{
    bool keep[1000] = {false};
    const char *p = only;
    while (*p != '\0') {
        char *end;
        long q = strtol(p, &end, 10);
        if (end == p || q < 1 || q > 999 || (*end != ',' && *end != '\0')) {
            bench_error("--only: expected query numbers like 1,5,9, got "
                        "'%s'", only);
            return -1;
        }
        bool found = false;
        for (int i = 0; i < l->n; i++)
            found |= l->v[i].num == q;
        if (!found) {
            bench_error("--only: no q%02ld.sql in %s", q, dir);
            return -1;
        }
        keep[q] = true;
        p = *end == ',' ? end + 1 : end;
    }
    int n = 0;
    for (int i = 0; i < l->n; i++) {
        if (keep[l->v[i].num]) {
            l->v[n++] = l->v[i];
        } else {
            free(l->v[i].stem);
            free(l->v[i].path);
        }
    }
    l->n = n;
    return 0;
}

/* The TPC-H tables with the column types of DuckDB's runner (bench.mjs),
 * so that both engines load the same .tbl files into the same types. */
static const char *const tpch_tables[][2] = {
    {"region", "r_regionkey INTEGER, r_name VARCHAR, r_comment VARCHAR"},
    {"nation", "n_nationkey INTEGER, n_name VARCHAR, n_regionkey INTEGER, "
               "n_comment VARCHAR"},
    {"supplier", "s_suppkey BIGINT, s_name VARCHAR, s_address VARCHAR, "
                 "s_nationkey INTEGER, s_phone VARCHAR, "
                 "s_acctbal DECIMAL(15,2), s_comment VARCHAR"},
    {"customer", "c_custkey BIGINT, c_name VARCHAR, c_address VARCHAR, "
                 "c_nationkey INTEGER, c_phone VARCHAR, "
                 "c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR, "
                 "c_comment VARCHAR"},
    {"part", "p_partkey BIGINT, p_name VARCHAR, p_mfgr VARCHAR, "
             "p_brand VARCHAR, p_type VARCHAR, p_size INTEGER, "
             "p_container VARCHAR, p_retailprice DECIMAL(15,2), "
             "p_comment VARCHAR"},
    {"partsupp", "ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty BIGINT, "
                 "ps_supplycost DECIMAL(15,2), ps_comment VARCHAR"},
    {"orders", "o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, "
               "o_totalprice DECIMAL(15,2), o_orderdate DATE, "
               "o_orderpriority VARCHAR, o_clerk VARCHAR, "
               "o_shippriority INTEGER, o_comment VARCHAR"},
    {"lineitem", "l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, "
                 "l_linenumber BIGINT, l_quantity DECIMAL(15,2), "
                 "l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), "
                 "l_tax DECIMAL(15,2), l_returnflag VARCHAR, "
                 "l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, "
                 "l_receiptdate DATE, l_shipinstruct VARCHAR, "
                 "l_shipmode VARCHAR, l_comment VARCHAR"},
};

/* Load the .tbl files of `dir` as DuckDB's runner does, one load line per
 * table with its names (BenchmarkLoad/SF<sf>/<table>-<threads>). */
static int load_tbl_files(ember_db *db, const RunSource *src,
                          const char *dir, const char *sf, int threads)
{
    size_t cap = 2 * strlen(dir) + 1024;
    char *sql = xmalloc(cap);
    int status = BENCH_EXIT_OK;
    for (size_t t = 0; t < COUNT_OF(tpch_tables) && status == 0; t++) {
        const char *table = tpch_tables[t][0];
        char what[64];
        snprintf(what, sizeof(what), "load %s", table);
        snprintf(sql, cap, "CREATE TABLE %s (%s)", table,
                 tpch_tables[t][1]);
        RunResult r;
        char err[2048];
        if (bench_run(db, src, sql, &r, err, sizeof(err)) != EMBER_OK) {
            bench_error("%s: %s", what, err);
            status = BENCH_EXIT_USAGE;
            break;
        }
        /* COPY t FROM 'dir/t.tbl', quotes in the path doubled. */
        size_t n = (size_t)snprintf(sql, cap, "COPY %s FROM '", table);
        for (const char *c = dir; *c && n + 2 < cap; c++) {
            if (*c == '\'')
                sql[n++] = '\'';
            sql[n++] = *c;
        }
        snprintf(sql + n, cap - n, "/%s.tbl' (DELIMITER '|')", table);
        char name[256];
        snprintf(name, sizeof(name), "BenchmarkLoad/SF%s/%s-%d", sf, table,
                 threads);
        status = run_load(db, src, name, what, sql);
    }
    free(sql);
    return status;
}

static int run_tpch_queries(ember_db *db, const RunSource *src,
                            const RunOptions *o, const ScriptList *qs,
                            const char *sf, int threads)
{
    int status = BENCH_EXIT_OK;
    for (int i = 0; i < qs->n; i++) {
        char *sql = read_file(qs->v[i].path);
        if (sql == NULL) {
            bench_error("cannot read %s", qs->v[i].path);
            status = BENCH_EXIT_FAIL;
            continue;
        }
        char name[256];
        char what[32];
        snprintf(name, sizeof(name), "BenchmarkTPCH/SF%s/Q%02d-%d", sf,
                 qs->v[i].num, threads);
        snprintf(what, sizeof(what), "Q%02d", qs->v[i].num);
        if (run_benchmark(db, src, o, name, what, sql, true) !=
            BENCH_EXIT_OK)
            status = BENCH_EXIT_FAIL;
        free(sql);
    }
    return status;
}

/* The tpch command line. */
typedef struct TpchArgs {
    RunOptions run;
    const char *sf;           /* label, and dbgen's scale factor */
    const char *queries;      /* NULL: look for one */
    const char *only;         /* "1,5,9" or NULL */
    const char *data;         /* .tbl directory, or NULL for dbgen */
} TpchArgs;

/* Returns BENCH_EXIT_OK or BENCH_EXIT_USAGE after printing why. */
static int tpch_args(int argc, char **argv, TpchArgs *a)
{
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (run_option(argc, argv, &i, &a->run))
            continue;
        if ((v = opt_value(argc, argv, &i, "--sf")) != NULL)
            a->sf = v;
        else if ((v = opt_value(argc, argv, &i, "--data")) != NULL)
            a->data = v;
        else if ((v = opt_value(argc, argv, &i, "--queries")) != NULL)
            a->queries = v;
        else if ((v = opt_value(argc, argv, &i, "--only")) != NULL)
            a->only = v;
        else {
            bench_error("tpch: unknown argument '%s'", argv[i]);
            return BENCH_EXIT_USAGE;
        }
    }
    if (a->data == NULL)
        parse_double_opt("--sf", a->sf, 1e-6, 100);
    else if (!is_dir(a->data)) {
        bench_error("--data: '%s' is not a directory", a->data);
        return BENCH_EXIT_USAGE;
    }
    return BENCH_EXIT_OK;
}

/* The queries to run, in number order. */
static int tpch_queries(const TpchArgs *a, ScriptList *qs)
{
    char found[PATH_MAX];
    const char *dir = a->queries;
    if (dir == NULL && !find_query_dir(found, sizeof(found))) {
        bench_error("no TPC-H queries: neither bench/tpch/queries nor "
                    "../shared/tpch/queries found; use --queries DIR");
        return BENCH_EXIT_USAGE;
    }
    if (dir == NULL)
        dir = found;
    if (list_scripts(dir, true, qs) != 0)
        return BENCH_EXIT_USAGE;
    if (qs->n == 0)
        bench_error("no q<N>.sql files in %s", dir);
    if (qs->n == 0 ||
        (a->only != NULL && filter_only(qs, a->only, dir) != 0)) {
        scripts_free(qs);
        return BENCH_EXIT_USAGE;
    }
    return BENCH_EXIT_OK;
}

static int tpch_run(const TpchArgs *a, const ScriptList *qs)
{
    ember_db *db;
    int threads;
    RunSource src;
    if (bench_open(&a->run, &db, &threads, &src) != EMBER_OK)
        return BENCH_EXIT_USAGE;
    char sf_line[64];
    snprintf(sf_line, sizeof(sf_line), "sf: %s", a->sf);
    const char *extra[] = {sf_line,
                           a->data ? "data: tbl files" : "data: dbgen"};
    bench_print_header("ember/tpch", threads, &src, &a->run, extra, 2);
    int status;
    if (a->data != NULL) {
        status = load_tbl_files(db, &src, a->data, a->sf, threads);
    } else {
        char sql[128];
        char name[128];
        snprintf(sql, sizeof(sql), "CALL dbgen(sf => %s)", a->sf);
        snprintf(name, sizeof(name), "BenchmarkLoad/SF%s/dbgen-%d", a->sf,
                 threads);
        status = run_load(db, &src, name, "dbgen", sql);
    }
    if (status == BENCH_EXIT_OK)
        status = run_tpch_queries(db, &src, &a->run, qs, a->sf, threads);
    ember_close(db);
    return status;
}

int cmd_tpch(int argc, char **argv)
{
    TpchArgs a = {.run = {.count = 5, .warmup = 1}, .sf = "1"};
    a.run.sets = xmalloc(sizeof(char *) * (size_t)argc);
    ScriptList qs;
    int status = tpch_args(argc, argv, &a);
    if (status == BENCH_EXIT_OK)
        status = tpch_queries(&a, &qs);
    if (status == BENCH_EXIT_OK) {
        status = tpch_run(&a, &qs);
        scripts_free(&qs);
    }
    free(a.run.sets);
    return status;
}

/* ------------------------------------------------------------------- sql */

/* A benchmark name part: whitespace becomes '_'. */
static void name_part(char *s)
{
    for (; *s; s++)
        if (*s == ' ' || *s == '\t')
            *s = '_';
}

static int run_sql_scripts(ember_db *db, const RunSource *src,
                           const RunOptions *o, const ScriptList *l,
                           const char *setup, int threads)
{
    char setup_real[PATH_MAX] = "";
    if (setup != NULL && realpath(setup, setup_real) == NULL)
        setup_real[0] = '\0';
    int status = BENCH_EXIT_OK;
    for (int i = 0; i < l->n; i++) {
        char real[PATH_MAX];
        if (setup_real[0] != '\0' && realpath(l->v[i].path, real) &&
            strcmp(real, setup_real) == 0)
            continue;
        char *sql = read_file(l->v[i].path);
        if (sql == NULL) {
            bench_error("cannot read %s", l->v[i].path);
            status = BENCH_EXIT_FAIL;
            continue;
        }
        char name[512];
        snprintf(name, sizeof(name), "BenchmarkSQL/%s-%d", l->v[i].stem,
                 threads);
        name_part(name);
        if (run_benchmark(db, src, o, name, l->v[i].stem, sql, false) !=
            BENCH_EXIT_OK)
            status = BENCH_EXIT_FAIL;
        free(sql);
    }
    return status;
}

/* Run the setup script (if any) and the benchmarks of l. */
static int sql_run(const RunOptions *o, const char *setup,
                   const char *setup_sql, const ScriptList *l)
{
    ember_db *db;
    int threads;
    RunSource src;
    if (bench_open(o, &db, &threads, &src) != EMBER_OK)
        return BENCH_EXIT_USAGE;
    bench_print_header("ember/sql", threads, &src, o, NULL, 0);
    int status = BENCH_EXIT_OK;
    if (setup_sql != NULL) {
        const char *base = strrchr(setup, '/');
        char stem[256];
        snprintf(stem, sizeof(stem), "%s", base ? base + 1 : setup);
        char *dot = strrchr(stem, '.');
        if (dot != NULL && strcmp(dot, ".sql") == 0)
            *dot = '\0';
        char name[512];
        snprintf(name, sizeof(name), "BenchmarkLoad/%s-%d", stem, threads);
        name_part(name);
        status = run_load(db, &src, name, setup, setup_sql);
    }
    if (status == BENCH_EXIT_OK)
        status = run_sql_scripts(db, &src, o, l, setup, threads);
    ember_close(db);
    return status;
}

int cmd_sql(int argc, char **argv)
{
    RunOptions o = {.count = 5, .warmup = 1};
    o.sets = xmalloc(sizeof(char *) * (size_t)argc);
    const char *setup = NULL;
    const char *dir = NULL;
    int status = BENCH_EXIT_OK;
    for (int i = 1; i < argc && status == BENCH_EXIT_OK; i++) {
        const char *v;
        if (run_option(argc, argv, &i, &o))
            continue;
        if ((v = opt_value(argc, argv, &i, "--setup")) != NULL)
            setup = v;
        else if (argv[i][0] != '-' && dir == NULL)
            dir = argv[i];
        else {
            bench_error("sql: unexpected argument '%s'", argv[i]);
            status = BENCH_EXIT_USAGE;
        }
    }
    if (status == BENCH_EXIT_OK && dir == NULL) {
        bench_error("sql: which directory? ember-bench sql [--setup "
                    "FILE.sql] DIR");
        status = BENCH_EXIT_USAGE;
    }
    char *setup_sql = NULL;
    if (status == BENCH_EXIT_OK && setup != NULL &&
        (setup_sql = read_file(setup)) == NULL) {
        bench_error("cannot read %s", setup);
        status = BENCH_EXIT_USAGE;
    }
    ScriptList l;
    if (status == BENCH_EXIT_OK && list_scripts(dir, false, &l) != 0)
        status = BENCH_EXIT_USAGE;
    else if (status == BENCH_EXIT_OK) {
        status = sql_run(&o, setup, setup_sql, &l);
        scripts_free(&l);
    }
    free(setup_sql);
    free(o.sets);
    return status;
}
