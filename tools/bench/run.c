/*
 * run.c -- one measured run of a SQL script, and the lines that report it
 * in Go benchmark format.
 *
 * A run is timed from the first ember_prepare to the last ember_finalize,
 * with every value of every row read as text, as a client would (DuckDB's
 * runner materializes its results too). Allocations, CPU time and lock
 * waits come from the query profile (ember_stmt_profile) when setting
 * `profiling` is on (the default here); with it off, from
 * ember_memory_totals deltas and the process CPU clock, and lock waits are
 * not reported. Statements without a profile (none today) fall back the
 * same way.
 */
#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---------------------------------------------------------------- clocks */

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------- databases */

/* Apply one "name=value" setting; prints why on failure. */
static int apply_setting(ember_db *db, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        bench_error("--set %s: expected NAME=VALUE", kv);
        return EMBER_MISUSE;
    }
    char name[128];
    size_t n = (size_t)(eq - kv);
    if (n >= sizeof(name)) {
        bench_error("--set %s: name too long", kv);
        return EMBER_MISUSE;
    }
    memcpy(name, kv, n);
    name[n] = '\0';
    int rc = ember_set(db, name, eq + 1);
    if (rc != EMBER_OK)
        bench_error("--set %s: %s", kv, ember_errmsg(db));
    return rc;
}

/* True when --set names setting `name`. */
static bool is_set(const RunOptions *o, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < o->n_sets; i++)
        if (strncasecmp(o->sets[i], name, n) == 0 && o->sets[i][n] == '=')
            return true;
    return false;
}

int bench_open(const RunOptions *o, ember_db **out, int *threads,
               RunSource *src)
{
    ember_db *db = NULL;
    int rc = ember_open(NULL, &db);
    if (rc != EMBER_OK) {
        bench_error("cannot open a database: %s",
                    db ? ember_errmsg(db) : ember_errstr(rc));
        goto out_close;
    }
    if (o->threads > 0) {
        char v[16];
        snprintf(v, sizeof(v), "%d", o->threads);
        rc = ember_set(db, "threads", v);
        if (rc != EMBER_OK) {
            bench_error("--threads %d: %s", o->threads, ember_errmsg(db));
            goto out_close;
        }
    }
    /* Profiling on by default: it is what fills CPU time and lock waits
     * per query. --set profiling=off turns it off (and those columns). */
    if (!is_set(o, "profiling") &&
        (rc = ember_set(db, "profiling", "on")) != EMBER_OK) {
        bench_error("cannot turn profiling on: %s", ember_errmsg(db));
        goto out_close;
    }
    for (int i = 0; i < o->n_sets; i++)
        if ((rc = apply_setting(db, o->sets[i])) != EMBER_OK)
            goto out_close;
    char buf[64];
    rc = ember_get_setting(db, "threads", buf, sizeof(buf));
    *threads = rc == EMBER_OK ? atoi(buf) : o->threads;
    src->profile = ember_get_setting(db, "profiling", buf, sizeof(buf)) ==
                       EMBER_OK &&
                   strcmp(buf, "on") == 0;
    *out = db;
    return EMBER_OK;

out_close:
    ember_close(db);
    return rc == EMBER_OK ? EMBER_ERROR : rc;
}

/* ------------------------------------------------------------------ runs */

/* Run the statement at *sql, advancing *sql past it (to "" at the end).
 * Adds its numbers to r. */
static int run_statement(ember_db *db, const RunSource *src,
                         const char **sql, RunResult *r, char *err,
                         size_t cap)
{
    ember_memory_stats m0;
    ember_memory_stats m1;
    ember_memory_totals(&m0);
    uint64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    ember_stmt *st = NULL;
    const char *tail = NULL;
    int rc = ember_prepare(db, *sql, -1, &st, &tail);
    if (rc != EMBER_OK) {
        snprintf(err, cap, "%s", ember_errmsg(db));
        return rc;
    }
    if (st == NULL) {         /* only blanks and comments were left */
        *sql = "";
        return EMBER_OK;
    }
    *sql = tail;
    int n_cols = ember_column_count(st);
    uint64_t rows = 0;
    while ((rc = ember_step(st)) == EMBER_ROW) {
        rows++;
        for (int c = 0; c < n_cols; c++)
            (void)ember_column_text(st, c);
    }
    if (rc != EMBER_DONE) {
        snprintf(err, cap, "%s", ember_errmsg(db));
        ember_finalize(st);
        return rc;
    }
    const ember_profile *pf = NULL;
    bool have = src->profile && ember_stmt_profile(st, &pf) == EMBER_OK &&
                pf != NULL;
    if (have) {
        r->allocs += pf->n_allocs;
        r->bytes += pf->alloc_bytes;
        r->cpu_ns += pf->cpu_ns;
        r->lock_wait_ns += pf->lock_wait_ns;
    }
    ember_finalize(st);
    if (!have) {
        ember_memory_totals(&m1);
        r->allocs += m1.n_allocs - m0.n_allocs;
        r->bytes += m1.bytes - m0.bytes;
        r->cpu_ns += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        r->has_lock_wait = false;
    }
    r->rows += rows;
    r->n_queries += n_cols > 0;
    return EMBER_OK;
}

int bench_run(ember_db *db, const RunSource *src, const char *sql,
              RunResult *r, char *err, size_t cap)
{
    memset(r, 0, sizeof(*r));
    r->has_lock_wait = src->profile;
    int rc = EMBER_OK;
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
    while (rc == EMBER_OK && *sql != '\0')
        rc = run_statement(db, src, &sql, r, err, cap);
    r->wall_ns = clock_ns(CLOCK_MONOTONIC) - t0;
    return rc;
}

/* ---------------------------------------------------------------- output */

static char exe_dir[4096];

const char *bench_exe_dir(void)
{
    if (exe_dir[0] != '\0')
        return exe_dir;
    ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof(exe_dir) - 1);
    if (n <= 0) {
        exe_dir[0] = '\0';
        return exe_dir;
    }
    exe_dir[n] = '\0';
    char *slash = strrchr(exe_dir, '/');
    if (slash != NULL)
        *slash = '\0';
    return exe_dir;
}

/* The "model name" of /proc/cpuinfo, or "unknown". */
static void cpu_model(char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || colon == NULL)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(buf, cap, "%s", colon);
        break;
    }
    fclose(f);
}

/* The short commit of the repository holding the executable. */
static void git_commit(char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown");
    const char *dir = bench_exe_dir();
    if (dir[0] == '\0' || strchr(dir, '\'') != NULL)
        return;
    char cmd[4200];
    snprintf(cmd, sizeof(cmd),
             "git -C '%s' rev-parse --short HEAD 2>/dev/null", dir);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return;
    char line[128];
    if (fgets(line, sizeof(line), p) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0')
            snprintf(buf, cap, "%s", line);
    }
    pclose(p);
}

/* Go's names for the machine: GOOS and GOARCH. */
static void go_platform(char *os, size_t os_cap, char *arch,
                        size_t arch_cap)
{
    struct utsname u;
    if (uname(&u) != 0) {
        snprintf(os, os_cap, "linux");
        snprintf(arch, arch_cap, "unknown");
        return;
    }
    snprintf(os, os_cap, "%.63s", u.sysname);
    for (char *c = os; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    const char *m = u.machine;
    if (strcmp(m, "x86_64") == 0)
        m = "amd64";
    else if (strcmp(m, "aarch64") == 0)
        m = "arm64";
    else if (strcmp(m, "i686") == 0 || strcmp(m, "i386") == 0)
        m = "386";
    snprintf(arch, arch_cap, "%.63s", m);
}

void bench_print_header(const char *pkg, int threads, const RunSource *src,
                        const RunOptions *o, const char *const *extra,
                        int n_extra)
{
    char os[72];
    char arch[72];
    char cpu[256];
    char commit[128];
    go_platform(os, sizeof(os), arch, sizeof(arch));
    cpu_model(cpu, sizeof(cpu));
    git_commit(commit, sizeof(commit));
    printf("goos: %s\ngoarch: %s\npkg: %s\ncpu: %s\n", os, arch, pkg, cpu);
    printf("engine: ember %s\nversion: %s\nthreads: %d\n",
           ember_libversion(), ember_libversion(), threads);
    for (int i = 0; i < n_extra; i++)
        printf("%s\n", extra[i]);
    printf("commit: %s\n", commit);
    printf("profiling: %s\n", src->profile ? "on" : "off");
    printf("metrics: %s\n",
           src->profile ? "wall clock; allocations, cpu and lock waits "
                          "from ember_stmt_profile"
                        : "wall clock; ember_memory_totals; process cpu "
                          "clock; no lock waits");
    /* Settings as config keys, so that compare shows what differed. */
    for (int i = 0; i < o->n_sets; i++) {
        const char *eq = strchr(o->sets[i], '=');
        printf("set-");
        for (const char *c = o->sets[i]; c < eq; c++)
            putchar(isspace((unsigned char)*c)
                        ? '_'
                        : tolower((unsigned char)*c));
        printf(": %s\n", eq + 1);
    }
    printf("Unit cpu-ns/op better=lower\n");
    if (src->profile)
        printf("Unit lockwait-ns/op better=lower\n");
    printf("Unit rows/op assume=exact\n");
    fflush(stdout);
}

void bench_print_result(const char *name, const RunResult *r, bool load)
{
    printf("%s\t1\t%llu ns/op\t%llu allocs/op\t%llu B/op\t%llu cpu-ns/op",
           name, (unsigned long long)r->wall_ns,
           (unsigned long long)r->allocs, (unsigned long long)r->bytes,
           (unsigned long long)r->cpu_ns);
    if (!load) {
        if (r->has_lock_wait)
            printf("\t%llu lockwait-ns/op",
                   (unsigned long long)r->lock_wait_ns);
        printf("\t%llu rows/op", (unsigned long long)r->rows);
    }
    putchar('\n');
    fflush(stdout);
}
