/*
 * test_pprof_query.c -- pprof profiles of real queries (setting
 * profile_output), read back with `go tool pprof`.
 *
 * Queries are crafted so that one operator does nearly all the work, by a
 * wide margin, on a generated table of 1M integers:
 *   - a hash aggregation into 500k groups under a cheap count(*): the
 *     HashAggregate must be the top entry of the cpu, alloc_space and
 *     inuse_space profiles;
 *   - a full sort of 1M keys under a count(*): "Sort#N build" (the sort
 *     itself runs in the sink's build phase) must be the top cpu entry
 *     and the Sort the top alloc_space and inuse_space entry.
 * For each, `-top` names the operator, `-traces` shows stacks running from
 * the operator through its parents to "Query" (the parents read from
 * ember_stmt_profile), `-raw` shows the SQL text file written next to the
 * profile as the functions' file, with the operator's SQL line, and the
 * values the API reports.
 *
 * Contention: at 2 threads a query returning many long strings makes the
 * thread that finishes second wait on the combine lock while the first
 * copies its rows into the result ("sink.combine"); the contention
 * profile must name that lock site as its top entry, with the wait the
 * API reports. The wait depends on the two threads overlapping, so the
 * query is retried, and the check skips with a message if no run waited.
 * The same holds with `SET lock_shards = 1`, which puts the aggregate's
 * per-thread tables into one shared table under a lock: the contention
 * profile's top entry must then be that lock's site, "agg.shard".
 *
 * Without go on PATH (scripts/deps.sh installs golang-go) the test skips.
 */
#include "unit.h"

#include "../obs/obs_test.h"

static ember_db *g_db;

static const char *const SETUP =
    "CREATE TABLE d(n INTEGER);\n"
    "INSERT INTO d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);\n"
    "CREATE TABLE big AS SELECT a.n * 100000 + b.n * 10000 + c.n * 1000\n"
    "    + e.n * 100 + f.n * 10 + g.n AS i\n"
    "  FROM d a, d b, d c, d e, d f, d g;\n"
    "CREATE TABLE bigv AS SELECT i, CAST(i AS BIGINT) * 7919 % 1000003 AS x\n"
    "  FROM big;\n"
    "CREATE TABLE lw_s AS SELECT i, repeat('x', 60) || CAST(i AS VARCHAR) "
    "AS s FROM big";

/* Hash aggregation of 1M rows into 500k groups; the outer count(*) and
 * the scan are cheap. */
static const char *const AGG_SQL = "SELECT count(*)\n"
                                   "FROM (SELECT i % 500000 AS k,\n"
                                   "             count(*) AS c\n"
                                   "      FROM big\n"
                                   "      GROUP BY 1) s";

/* A full sort of 1M pseudo-random keys; the count(*) above is cheap. */
static const char *const SORT_SQL = "SELECT count(*)\n"
                                    "FROM (SELECT x FROM bigv\n"
                                    "      ORDER BY x) s";

/* 333,334 rows with 70-byte strings: the result append that waits. */
static const char *const LOCK_SQL = "SELECT i, s FROM lw_s WHERE i % 3 = 0";
#define LOCK_TRIES 8

/* ------------------------------------------------------------------------
 * go tool pprof
 * ------------------------------------------------------------------------ */

static bool have_go(void)
{
    if (obs_have("go"))
        return true;
    printf("skip: go not on PATH (apt-get install golang-go, or "
           "scripts/deps.sh), query profiles not read with go tool "
           "pprof\n");
    return false;
}

/* Run `go tool pprof ARGS FILE` into `out`; fails the test on exit != 0. */
static void pprof_run(const char *args, const char *file, StrBuf *out)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && HOME='%s' GOCACHE='%s/gocache' GOFLAGS= "
             "timeout %d go tool pprof %s '%s'",
             g_dir, g_dir, g_dir, OBS_TOOL_TIMEOUT, args, file);
    int rc = obs_run(cmd, out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out->data);
}

/* Row `row` (0 = top) of a -top table: its name into `name` and its
 * flat% into *pct. Returns false when the table has fewer rows. */
static bool top_row(const char *out, int row, char *name, size_t cap,
                    double *pct)
{
    const char *h = strstr(out, "flat  flat%");
    if (h == NULL)
        fail_msg("no -top table in:\n%s", out);
    const char *p = strchr(h, '\n');
    for (int r = 0; p && r < row; r++)
        p = strchr(p + 1, '\n');
    if (p == NULL || p[1] == '\0')
        return false;
    p++;
    /* flat flat% sum% cum cum% name... */
    char fields[5][32];
    for (int f = 0; f < 5; f++) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " \n");
        snprintf(fields[f], sizeof(fields[f]), "%.*s", (int)n, p);
        p += n;
    }
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    if (n == 0)
        return false;
    snprintf(name, cap, "%.*s", (int)n, p);
    *pct = atof(fields[1]);
    return true;
}

/* ------------------------------------------------------------------------
 * Running a query with profile_output
 * ------------------------------------------------------------------------ */

#define MAX_OPS 64

/* What a profiled run left: the files and the API's profile (copied out
 * of the statement before it is finalized). */
typedef struct Run {
    char cpu[400];       /* <name>.pb.gz */
    char lock[400];      /* <name>.contention.pb.gz */
    char sql[400];       /* <name>.sql */
    char sql_text[1024]; /* ember_sql() of the statement */
    int n_ops;
    char labels[MAX_OPS][64];
    char names[MAX_OPS][64];
    int parent[MAX_OPS];
    int sql_line[MAX_OPS];
    uint64_t time_ns[MAX_OPS], build_ns[MAX_OPS];
    uint64_t alloc_bytes[MAX_OPS], n_allocs[MAX_OPS], mem_bytes[MAX_OPS];
    char top_site[64];   /* most waited-on lock site, "" if none */
    char top_counted[64]; /* lock site with the most waits, "" if none */
    /* the lock site the test asks about (Run.want_site, set before the
     * run): its waits, wait time and operator */
    const char *want_site;
    uint64_t site_contended, site_wait_ns;
    int site_op;
} Run;

/* Run `sql` to the end with profile_output = <dir>/<name>.pb.gz; the
 * waits on lock site `want_site` (NULL: none asked) are kept apart. */
static void run_profiled(const char *sql, const char *name,
                         const char *want_site, Run *r)
{
    memset(r, 0, sizeof(*r));
    r->want_site = want_site;
    char base[64];
    snprintf(base, sizeof(base), "%s.pb.gz", name);
    obs_path(r->cpu, sizeof(r->cpu), base);
    snprintf(base, sizeof(base), "%s.contention.pb.gz", name);
    obs_path(r->lock, sizeof(r->lock), base);
    snprintf(base, sizeof(base), "%s.sql", name);
    obs_path(r->sql, sizeof(r->sql), base);
    remove(r->cpu);
    remove(r->lock);
    remove(r->sql);

    assert_rc(ember_set(g_db, "profile_output", r->cpu), EMBER_OK);
    ember_stmt *st = NULL;
    int rc = ember_prepare(g_db, sql, -1, &st, NULL);
    if (rc != EMBER_OK)
        fail_msg("prepare: %s\n  in: %s", ember_errmsg(g_db), sql);
    while ((rc = ember_step(st)) == EMBER_ROW)
        ;
    if (rc != EMBER_DONE)
        fail_msg("step: %s\n  in: %s", ember_errmsg(g_db), sql);
    assert_rc(ember_set(g_db, "profile_output", ""), EMBER_OK);

    snprintf(r->sql_text, sizeof(r->sql_text), "%s", ember_sql(st));
    const ember_profile *p = NULL;
    assert_rc(ember_stmt_profile(st, &p), EMBER_OK);
    assert_true(p->n_ops > 0 && p->n_ops <= MAX_OPS);
    r->n_ops = p->n_ops;
    for (int i = 0; i < p->n_ops; i++) {
        const ember_profile_op *op = &p->ops[i];
        assert_int_equal(op->id, i + 1);
        snprintf(r->labels[i], sizeof(r->labels[i]), "%s", op->label);
        snprintf(r->names[i], sizeof(r->names[i]), "%s", op->name);
        r->parent[i] = op->parent;
        r->sql_line[i] = op->sql_line;
        r->time_ns[i] = op->time_ns;
        r->build_ns[i] = op->build_ns;
        r->alloc_bytes[i] = op->alloc_bytes;
        r->n_allocs[i] = op->n_allocs;
        r->mem_bytes[i] = op->mem_bytes;
    }
    uint64_t top_wait = 0, top_count = 0;
    for (int i = 0; i < p->n_locks; i++) {
        const ember_profile_lock *l = &p->locks[i];
        if (l->contended && l->wait_ns >= top_wait) {
            snprintf(r->top_site, sizeof(r->top_site), "%s", l->site);
            top_wait = l->wait_ns;
        }
        if (l->contended && l->contended >= top_count) {
            snprintf(r->top_counted, sizeof(r->top_counted), "%s", l->site);
            top_count = l->contended;
        }
        if (want_site && strcmp(l->site, want_site) == 0 && l->contended &&
            l->wait_ns >= r->site_wait_ns) {
            r->site_contended = l->contended;
            r->site_wait_ns = l->wait_ns;
            r->site_op = l->op;
        }
    }
    ember_finalize(st);
    assert_true(obs_file_size(r->cpu) > 0);
    assert_true(obs_file_size(r->lock) > 0);
    assert_true(obs_file_size(r->sql) > 0);
}

/* Index of the first operator whose name is `name`, failing if none. */
static int find_op(const Run *r, const char *name)
{
    for (int i = 0; i < r->n_ops; i++)
        if (strcmp(r->names[i], name) == 0)
            return i;
    fail_msg("no operator named \"%s\" in the plan", name);
    return -1;
}

/* "<leaf> <- <op> <- parent <- ... <- Query\n" for operator index i (-1:
 * none), with an optional extra leaf frame. */
static void expected_stack(const Run *r, int i, const char *leaf, StrBuf *sb)
{
    sb_clear(sb);
    sb_puts(sb, "");
    if (leaf)
        sb_printf(sb, "%s <- ", leaf);
    for (int id = i + 1; id >= 1 && id <= r->n_ops; id = r->parent[id - 1])
        sb_printf(sb, "%s <- ", r->labels[id - 1]);
    sb_puts(sb, "Query\n");
}

/* The SQL file holds the statement and a newline. */
static void check_sql_file(const Run *r)
{
    FILE *f = fopen(r->sql, "r");
    assert_non_null(f);
    char buf[2048];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    char want[1100];
    snprintf(want, sizeof(want), "%s\n", r->sql_text);
    assert_string_equal(buf, want);
}

/* -top with `args`: the top entry must be `want`, with at least `min_pct`
 * percent of the total and `ratio` times the second entry. */
static void check_top(const Run *r, const char *args, const char *want,
                      double min_pct, double ratio)
{
    StrBuf out;
    sb_init(&out);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "-top %s", args);
    pprof_run(cmd, r->cpu, &out);
    printf("go tool pprof %s %s:\n%s", cmd, r->cpu, out.data);
    char name[200], second[200];
    double pct = 0, pct2 = 0;
    assert_true(top_row(out.data, 0, name, sizeof(name), &pct));
    assert_string_equal(name, want);
    if (pct < min_pct)
        fail_msg("%s has %.2f%% (%s), expected >= %.0f%%", want, pct, cmd,
                 min_pct);
    if (top_row(out.data, 1, second, sizeof(second), &pct2) &&
        pct < ratio * pct2)
        fail_msg("%s (%.2f%%) is not %.0fx the next entry %s (%.2f%%)", want,
                 pct, ratio, second, pct2);
    sb_release(&out);
}

/* Whether the Samples section of a -raw output has a sample whose
 * values are `v[0..n)` (pprof pads the columns to their widest value). */
static bool raw_has_sample(const char *out, const uint64_t *v, int n)
{
    const char *p = strstr(out, "\nSamples:\n");
    const char *end = p ? strstr(p, "\nLocations") : NULL;
    while (p && (p = strchr(p + 1, '\n')) != NULL && (!end || p < end)) {
        const char *q = p + 1;
        int k = 0;
        bool ok = true;
        while (k < n && ok) {
            char *e;
            while (*q == ' ')
                q++;
            unsigned long long x = strtoull(q, &e, 10);
            ok = e != q && x == v[k];
            q = e;
            k++;
        }
        if (ok && *q == ':')
            return true;
    }
    return false;
}

/* Whether the cpu sample of operator i (its build sample with `build`)
 * has at least half the total and 3x any other sample: the margin the
 * -top checks ask for, on the API's numbers. */
static bool cpu_dominant(const Run *r, int i, bool build)
{
    uint64_t want = build ? r->build_ns[i] : r->time_ns[i];
    uint64_t total = 0, other = 0;
    for (int k = 0; k < r->n_ops; k++) {
        total += r->time_ns[k] + r->build_ns[k];
        if (k != i || build)
            other = MAX(other, r->time_ns[k]);
        if (k != i || !build)
            other = MAX(other, r->build_ns[k]);
    }
    return want * 2 >= total && want >= 3 * other;
}

#define MAX_RUNS 3

/* -raw: the profile's types, the SQL file and line of the operator at
 * index i, and its sample with the API's values. */
static void check_raw(const Run *r, int i)
{
    StrBuf out;
    sb_init(&out);
    pprof_run("-raw", r->cpu, &out);
    assert_contains(out.data, "PeriodType: cpu nanoseconds");
    assert_contains(out.data, "cpu/nanoseconds[dflt] alloc_objects/count "
                              "alloc_space/bytes inuse_space/bytes");
    /* "N: 0x0 M=1 HashAggregate#4 /dir/agg.sql:2 s=2(HashAggregate)" */
    char want[600];
    snprintf(want, sizeof(want), " %s %s:%d s=%d(%s)\n", r->labels[i], r->sql,
             r->sql_line[i], r->sql_line[i], r->names[i]);
    assert_contains(out.data, want);
    snprintf(want, sizeof(want), " Query %s:", r->sql);
    assert_contains(out.data, want);
    /* the operator's own sample: cpu = time_ns, allocs, bytes, memory */
    uint64_t v[4] = {r->time_ns[i], r->n_allocs[i], r->alloc_bytes[i],
                     r->mem_bytes[i]};
    if (!raw_has_sample(out.data, v, 4))
        fail_msg("no sample %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                 " in:\n%s",
                 v[0], v[1], v[2], v[3], out.data);
    sb_release(&out);
}

/* -traces: the stack of operator i (under `leaf`) is there, and every
 * stack ends at Query. */
static void check_traces(const Run *r, int i, const char *leaf)
{
    StrBuf out, tr, want;
    sb_init(&out);
    sb_init(&tr);
    sb_init(&want);
    pprof_run("-traces", r->cpu, &out);
    traces_normalize(out.data, &tr);
    expected_stack(r, i, leaf, &want);
    assert_contains(tr.data, want.data);
    for (const char *p = tr.data; *p;) {
        size_t n = strcspn(p, "\n");
        if (n < 5 || strncmp(p + n - 5, "Query", 5) != 0)
            fail_msg("stack not ending at Query: %.*s", (int)n, p);
        p += n + (p[n] == '\n');
    }
    sb_release(&out);
    sb_release(&tr);
    sb_release(&want);
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static int setup(void **state)
{
    if (obs_setup_dir(state) != 0)
        return -1;
    if (ember_open(NULL, &g_db) != EMBER_OK)
        return -1;
    if (ember_set(g_db, "threads", "2") != EMBER_OK)
        return -1;
    /* No memory kept between queries: each query commits all it uses, so
     * the alloc_space samples do not depend on what earlier queries left
     * in the handle's memory cache. */
    if (ember_set(g_db, "cache_memory", "0") != EMBER_OK)
        return -1;
    if (!obs_have("go"))
        return 0; /* every test skips */
    int rc = ember_exec(g_db, SETUP, NULL, NULL);
    if (rc != EMBER_OK)
        printf("setup: %s\n", ember_errmsg(g_db));
    return rc == EMBER_OK ? 0 : -1;
}

static int teardown(void **state)
{
    ember_close(g_db);
    return obs_remove_dir(state);
}

static void test_hash_aggregate(void **state)
{
    if (!have_go())
        skip();
    static Run r;
    int agg = -1;
    for (int run = 0; run < MAX_RUNS; run++) {
        run_profiled(AGG_SQL, "agg", NULL, &r);
        agg = find_op(&r, "HashAggregate");
        if (cpu_dominant(&r, agg, false))
            break;
        printf("run %d: HashAggregate not dominant by the margin asked "
               "(machine busy?), again\n",
               run + 1);
    }
    check_sql_file(&r);
    assert_int_equal(r.sql_line[agg], 2); /* i % 500000 */
    check_top(&r, "", r.labels[agg], 50, 3);
    check_top(&r, "-sample_index=cpu", r.labels[agg], 50, 3);
    check_top(&r, "-sample_index=alloc_space", r.labels[agg], 50, 3);
    check_top(&r, "-sample_index=inuse_space", r.labels[agg], 50, 3);
    check_raw(&r, agg);
    check_traces(&r, agg, NULL);
    /* -list shows the operator's line from the SQL file */
    StrBuf out;
    sb_init(&out);
    char args[100];
    snprintf(args, sizeof(args), "-list '%s'", r.labels[agg]);
    pprof_run(args, r.cpu, &out);
    assert_contains(out.data, r.sql);
    assert_contains(out.data, "FROM (SELECT i % 500000 AS k,");
    pprof_run("-comments", r.cpu, &out);
    assert_contains(out.data, "SQL: SELECT count(*) FROM (SELECT i % 500000");
    sb_release(&out);
}

static void test_sort(void **state)
{
    if (!have_go())
        skip();
    static Run r;
    int sort = -1;
    for (int run = 0; run < MAX_RUNS; run++) {
        run_profiled(SORT_SQL, "sort", NULL, &r);
        sort = find_op(&r, "Sort");
        if (cpu_dominant(&r, sort, true))
            break;
        printf("run %d: the sort's build not dominant by the margin asked "
               "(machine busy?), again\n",
               run + 1);
    }
    check_sql_file(&r);
    assert_true(r.build_ns[sort] > r.time_ns[sort]);
    char build[100];
    snprintf(build, sizeof(build), "%s build", r.labels[sort]);
    check_top(&r, "", build, 50, 3);
    check_top(&r, "-sample_index=alloc_space", r.labels[sort], 50, 3);
    check_top(&r, "-sample_index=inuse_space", r.labels[sort], 50, 3);
    check_raw(&r, sort);
    check_traces(&r, sort, build);
    check_traces(&r, sort, NULL);
}

/* lock_shards = 1: both threads insert into one locked aggregate table. */
static void test_contention_shards(void **state)
{
    if (!have_go())
        skip();
    static Run r;
    int tries = 0;
    assert_rc(ember_set(g_db, "lock_shards", "1"), EMBER_OK);
    do {
        char name[32];
        snprintf(name, sizeof(name), "shard%d", tries++);
        run_profiled(AGG_SQL, name, "agg.shard", &r);
    } while ((r.site_contended == 0 || strcmp(r.top_site, "agg.shard")) &&
             tries < LOCK_TRIES);
    assert_rc(ember_set(g_db, "lock_shards", "0"), EMBER_OK);
    if (r.site_contended == 0) {
        printf("skip: no lock wait in %d runs at 2 threads with "
               "lock_shards = 1 (machine too busy to overlap the "
               "threads?)\n",
               tries);
        return;
    }
    printf("lock wait after %d run(s): %s, %" PRIu64 " waits, %" PRIu64
           " ns\n",
           tries, r.want_site, r.site_contended, r.site_wait_ns);
    assert_string_equal(r.top_site, "agg.shard");
    StrBuf out;
    sb_init(&out);
    pprof_run("-top", r.lock, &out);
    printf("go tool pprof -top %s:\n%s", r.lock, out.data);
    char name[200];
    double pct = 0;
    assert_true(top_row(out.data, 0, name, sizeof(name), &pct));
    assert_string_equal(name, "lock agg.shard");
    sb_release(&out);
}

static void test_contention(void **state)
{
    if (!have_go())
        skip();
    static Run r;
    int tries = 0;
    do {
        char name[32];
        snprintf(name, sizeof(name), "lock%d", tries++);
        run_profiled(LOCK_SQL, name, "sink.combine", &r);
    } while (r.site_contended == 0 && tries < LOCK_TRIES);
    StrBuf out, tr;
    sb_init(&out);
    sb_init(&tr);
    pprof_run("-raw", r.lock, &out);
    assert_contains(out.data, "PeriodType: contentions count");
    assert_contains(out.data, "contentions/count delay/nanoseconds[dflt]");
    if (r.site_contended == 0) {
        printf("skip: no lock wait in %d runs at 2 threads (machine too "
               "busy to overlap the threads?); contention profile not "
               "checked beyond its header\n",
               tries);
        sb_release(&out);
        sb_release(&tr);
        return;
    }
    printf("lock wait after %d run(s): %s, %" PRIu64 " waits, %" PRIu64
           " ns, operator %d\n",
           tries, r.want_site, r.site_contended, r.site_wait_ns, r.site_op);
    uint64_t v[2] = {r.site_contended, r.site_wait_ns};
    if (!raw_has_sample(out.data, v, 2))
        fail_msg("no sample %" PRIu64 " %" PRIu64 " in:\n%s", v[0], v[1],
                 out.data);
    char want[300];
    snprintf(want, sizeof(want), " lock %s :0 s=0(%s)", r.want_site,
             r.want_site);
    assert_contains(out.data, want);

    /* -top ranks the sites as the API does: by wait time, and with
     * -sample_index=contentions by number of waits (usually the combine
     * lock both ways; another lock may win when a thread holding it was
     * descheduled) */
    pprof_run("-top", r.lock, &out);
    printf("go tool pprof -top %s:\n%s", r.lock, out.data);
    assert_contains(out.data, "Type: delay");
    char name[200];
    double pct = 0;
    snprintf(want, sizeof(want), "lock %s", r.top_site);
    assert_true(top_row(out.data, 0, name, sizeof(name), &pct));
    assert_string_equal(name, want);
    pprof_run("-top -sample_index=contentions", r.lock, &out);
    snprintf(want, sizeof(want), "lock %s", r.top_counted);
    assert_true(top_row(out.data, 0, name, sizeof(name), &pct));
    assert_string_equal(name, want);
    snprintf(want, sizeof(want), "lock %s", r.want_site);

    /* the stack runs from the site through the operator that waited (if
     * one did: the result append belongs to no operator) to Query */
    pprof_run("-traces", r.lock, &out);
    traces_normalize(out.data, &tr);
    StrBuf stack;
    sb_init(&stack);
    expected_stack(&r, r.site_op - 1, want, &stack);
    assert_contains(tr.data, stack.data);
    sb_release(&stack);
    sb_release(&out);
    sb_release(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_aggregate),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_contention),
        cmocka_unit_test(test_contention_shards),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
