/*
 * fuzz_smoke.c -- a bounded, deterministic fuzz smoke test of the whole
 * engine, through the public API only (include/ember.h): the driver, the
 * watchdog and the invariant checks. The SQL corpus and mutator are in
 * fuzz_sql.c, the COPY cases in fuzz_copy.c, helpers in fuzz_util.c.
 *
 * Makefile rules (the objects build with the generic $(OBJDIR)/%.o rule):
 *
 *   FUZZ_SRC := tests/fuzz/fuzz_smoke.c tests/fuzz/fuzz_sql.c \
 *               tests/fuzz/fuzz_copy.c tests/fuzz/fuzz_util.c
 *   $(OUT)/tests/fuzz_smoke: $(FUZZ_SRC:%.c=$(OBJDIR)/%.o) $(OUT)/libember.a
 *           @mkdir -p $(dir $@)
 *           $(CC) $(LDFLAGS_V) -o $@ $^ $(TOOL_LIBS)
 *
 * plus $(OUT)/tests/fuzz_smoke in TEST_TOOLS, and in tests/run.sh
 * `check fuzz_smoke "$B/tests/fuzz_smoke"` (exit status 0: no invariant
 * violated; 1: violations; 2: the harness failed; 3: hang or memory
 * blow-up; a crash dies by its signal). It may be started from any
 * directory: it works in a scratch directory of its own under $TMPDIR (or
 * /tmp) and removes it at the end.
 *
 * Each iteration (every choice comes from one seeded PRNG, so a run is
 * reproducible from its seed and iteration count):
 *
 *   1. SQL. A statement from a corpus of valid statements over a small
 *      schema (every column type, a primary key, a unique key, NOT NULL,
 *      an index, a view, and one 100,000-row table so that plans run on
 *      several threads) is mutated: byte flips, deletions, duplications,
 *      insertions of keywords, operators and edge literals (NULL, -1,
 *      2147483647, 9223372036854775807, '', DATE '2020-02-30', 400-digit
 *      numbers, 10 kB strings), deep parentheses, long chains, token swaps
 *      and splices of two statements. The text, which may now hold several
 *      statements, is run with ember_prepare / ember_bind_* / ember_step in
 *      a loop over the tail pointer, and every column of every row is read
 *      through every accessor.
 *   2. COPY, every COPY_EVERY iterations. A valid CSV or .tbl file for a
 *      table with every column type is generated, mutated (bad numbers,
 *      wrong field counts, stray quotes, embedded newlines, truncation,
 *      invalid UTF-8, NUL bytes, huge fields, blank lines, CRLF, trailing
 *      delimiters, a BOM) and loaded. Some cases are a 2 MiB quote-free
 *      file, so the parallel range split runs; some are a COPY TO / COPY
 *      FROM round trip of nasty strings.
 *
 * Invariants (a failure is a "violation", printed with the SQL that caused
 * it; the exit status is 1 if there was any):
 *
 *   I1. Nothing crashes, trips a sanitizer or an assert. The process dies
 *       then, but a death callback first prints the statement running.
 *   I2. No statement runs longer than -hang seconds (six times that when
 *       it names the 100,000-row table "big") and the process stays under
 *       -mem MiB resident; a watchdog thread prints the statement and
 *       exits with status 3 otherwise.
 *   I3. Errors are well formed: the returned code equals ember_errcode(),
 *       has a name, is not EMBER_INTERNAL or EMBER_MISUSE; the message is
 *       not empty; ember_error_offset() is -1 or inside the text.
 *   I4. A statement that fails changes nothing: the list of tables and an
 *       order-independent checksum of the rows of each are the same before
 *       and after. A query that returns rows changes nothing either.
 *   I5. The connection still works after every iteration: a known query
 *       returns its known answer.
 *   I6. A failing COPY FROM names the file and a line ("file:N:", N within
 *       the file) and leaves the table unchanged; a successful one adds the
 *       rows ember_changes() reports, no more than the file has lines; an
 *       unmutated file loads exactly; a single bad field in a quote-free
 *       file is reported at its line and field; COPY TO then COPY FROM
 *       gives back the same rows.
 *   I7. The prepare loop makes progress: the tail pointer stays inside the
 *       text and moves forward.
 *   I8. A query without parameters, LIMIT or order-dependent aggregates
 *       gives the same rows (as a multiset; numbers with a fraction
 *       compared to 9 digits) when run again under another setting of a
 *       planner or executor knob (threads, vector_size, enable_hashjoin,
 *       join_order, enable_unnest, hash_partitions, arena).
 *
 * Usage: fuzz_smoke [-seed N] [-iters N] [-seconds S] [-hang S] [-mem MiB]
 *                   [-v] [-schema]
 * -v prints every mutated text and error; -schema prints the schema that
 * reproducers run on (`ember -c ".read schema.sql" -c "<statement>"`; the
 * files fz_in.csv / fz_in.tbl some statements read are written by
 * fz_write_corpus_files() in fuzz_sql.c). A violation or crash report
 * gives the statement, the seed and iteration, and the SET statements of
 * the session ("after: ...") it ran in.
 * Defaults: seed 1, DEFAULT_ITERS iterations (about 20 s under ASan on two
 * cores), a DEFAULT_SECONDS safety cap (a run that hits it says so, and is
 * then no longer reproducible), hang DEFAULT_HANG seconds.
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

/* TUNING: on the idle 2-core dev box under ASan + UBSan, 1,200 iterations
 * took 21-27 s wall (11-13 s user) before the 100,000-row table "big"
 * joined the schema, which costs about 40% more; 800 iterations keep the
 * default run near 20 s. The seconds cap only guards against a much
 * slower or loaded machine: a run stopped by it says so, and is then not
 * the reproducible one. */
#define DEFAULT_ITERS 800
#define DEFAULT_SECONDS 120
#define DEFAULT_HANG 10
#define DEFAULT_MEM_MB 6144

#define COPY_EVERY 3           /* one COPY case per this many iterations */
#define REOPEN_EVERY 150       /* a fresh database, so state cannot drift */
#define MAX_VIOLATIONS 40      /* stop after this many kinds */

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif

/* Weak, so the same file links without a sanitizer runtime. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
    __attribute__((weak));

#ifdef FUZZ_ASAN
/* UBSan (a separate runtime under GCC) exits without calling the ASan
 * death callback: make it print a stack and abort, so the SIGABRT handler
 * names the statement. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}
#endif

Options fz_opt;
Stats fz_stats;
ember_db *fz_db;
char fz_scratch_dir[256];
Snapshot fz_snap;

/* What is running now, for the death callback and the watchdog: a copy
 * of the text, changed only while no statement runs. */
static const char *volatile ctx_what = "setup";
static Buf ctx_text;
static const char *volatile ctx_sql;
static volatile size_t ctx_len;
static volatile bool ctx_big;          /* the text names table "big" */
static atomic_uint_least64_t ctx_start_ns;     /* 0 when idle */

/* Settings changed since the database was opened (SET and PRAGMA texts
 * that succeeded): they are part of any reproducer. */
static char session_log[2048];

void fz_session_note(const char *sql)
{
    size_t used = strlen(session_log);
    if (used + strlen(sql) + 4 < sizeof(session_log))
        snprintf(session_log + used, sizeof(session_log) - used, "%s; ",
                 sql);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void report_context(const char *why)
{
    fprintf(stderr,
            "\nfuzz_smoke: %s (seed %" PRIu64 ", iteration %ld) "
            "during %s of:\n  ",
            why, fz_opt.seed, fz_stats.iters, ctx_what);
    if (ctx_sql)
        fz_print_escaped(stderr, ctx_sql, ctx_len, 4096);
    else
        fputs("(no SQL)\n", stderr);
    if (session_log[0])
        fprintf(stderr, "  after: %s\n", session_log);
    fflush(stderr);
}

static void on_sanitizer_death(void)
{
    report_context("sanitizer report above");
}

static void on_fatal_signal(int sig)
{
    report_context(sig == SIGABRT ? "abort (assert?)" : "fatal signal");
    signal(sig, SIG_DFL);
    raise(sig);
}

void fz_ctx_begin(const char *what, const char *sql, size_t len)
{
    ctx_what = what;
    if (sql != ctx_text.p)
        buf_set(&ctx_text, sql, len);
    ctx_sql = ctx_text.p;
    ctx_len = len;
    ctx_big = strcasestr(ctx_text.p, "big") != NULL;
    atomic_store(&ctx_start_ns, now_ns());
}

void fz_ctx_end(void)
{
    atomic_store(&ctx_start_ns, 0);
    ctx_what = "fuzzer code, after the end";
}

static long resident_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, rss = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &size, &rss) != 2)
        rss = 0;
    fclose(f);
    return rss * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/* Checks the running statement's age and the resident size every 50 ms.
 * Exits the process (status 3) on a hang or a memory blow-up. */
static void *watchdog_main(void *arg)
{
    (void)arg;
    for (;;) {
        usleep(50 * 1000);
        uint64_t t0 = atomic_load(&ctx_start_ns);
        /* a statement over the 100,000-row table is not a tiny one */
        double limit = fz_opt.hang * (ctx_big ? 6 : 1);
        if (t0 != 0 && now_ns() - t0 > (uint64_t)(limit * 1e9)) {
            report_context("HANG: statement still running after -hang");
            _exit(3);
        }
        long mb = resident_mb();
        if (mb > fz_opt.mem_mb) {
            char why[96];
            snprintf(why, sizeof(why), "MEMORY: %ld MiB resident", mb);
            report_context(why);
            _exit(3);
        }
    }
    return NULL;
}

/* Violations with the same message up to digits and "quoted" text count
 * as one kind; the first of each kind is printed in full, the rest are
 * only counted. */
#define MAX_KINDS 256
static uint64_t kinds[MAX_KINDS];
static long kind_hits[MAX_KINDS];
static int n_kinds;

static int violation_kind(const char *msg)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    bool quoted = false;
    for (const char *p = msg; *p; p++) {
        quoted ^= *p == '"';
        if (!quoted && (*p < '0' || *p > '9'))
            h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    }
    for (int i = 0; i < n_kinds; i++)
        if (kinds[i] == h)
            return i;
    if (n_kinds == MAX_KINDS)
        return MAX_KINDS - 1;
    kinds[n_kinds] = h;
    return n_kinds++;
}

void fz_violation(const char *sql, size_t len, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fz_stats.violations++;
    int k = violation_kind(msg);
    if (kind_hits[k]++ > 0)
        return;
    fprintf(stderr, "\nVIOLATION %d (seed %" PRIu64 ", iteration %ld): %s\n",
            k + 1, fz_opt.seed, fz_stats.iters, msg);
    if (sql) {
        fputs("  sql: ", stderr);
        fz_print_escaped(stderr, sql, len, 2048);
    }
    if (session_log[0])
        fprintf(stderr, "  after: %s\n", session_log);
    fflush(stderr);
}

void fz_fatal(const char *fmt, ...)
{
    fprintf(stderr, "fuzz_smoke: ");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(2);
}

/* ------------------------------------------------------------------------
 * Talking to the engine: setup statements, single values, checksums
 * ------------------------------------------------------------------------ */

/* Run a script that must succeed (schema setup). */
void fz_must_exec(const char *sql)
{
    fz_ctx_begin("setup", sql, strlen(sql));
    int rc = ember_exec(fz_db, sql, NULL, NULL);
    fz_ctx_end();
    if (rc != EMBER_OK)
        fz_fatal("setup failed (%s): %s\n  in: %s", ember_status_name(rc),
                 ember_errmsg(fz_db), sql);
}

/* Run one statement; EMBER_OK or its error code (message on the db). */
int fz_exec_one(const char *what, const char *sql)
{
    fz_ctx_begin(what, sql, strlen(sql));
    int rc = ember_exec(fz_db, sql, NULL, NULL);
    fz_ctx_end();
    return rc;
}

/* The text of a cell for comparing results across plans: a number
 * with a fraction or exponent is cut to 9 significant digits, as a
 * floating-point sum may differ in the last bits with the order. */
static const char *loose_text(const char *t, char *buf, size_t cap)
{
    if (t == NULL || strpbrk(t, ".eEaN") == NULL)
        return t;
    char *end;
    double d = strtod(t, &end);
    if (end == t || *end != 0)
        return t;
    snprintf(buf, cap, "%.9g", d);
    return buf;
}

/* Hash of the current row: the text of each column, NULL distinct from
 * every text; `loose` compares numbers as loose_text does. */
uint64_t fz_row_hash(ember_stmt *st, int n_cols, bool loose)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    char buf[64];
    for (int c = 0; c < n_cols; c++) {
        const char *t = ember_column_text(st, c);
        if (loose)
            t = loose_text(t, buf, sizeof(buf));
        if (t == NULL)
            h = fz_fnv(h, "\xff\xfeNULL", 6);
        else
            h = fz_fnv(h, t, strlen(t) + 1);
    }
    return fz_mix64(h);
}

/* Row count and order-independent checksum (sum of row hashes) of every
 * row of `sql`. False when the query fails. */
bool fz_checksum_as(const char *sql, bool loose, uint64_t *rows, uint64_t *sum)
{
    ember_stmt *st = NULL;
    *rows = 0;
    *sum = 0;
    fz_ctx_begin("checksum", sql, strlen(sql));
    int rc = ember_prepare(fz_db, sql, -1, &st, NULL);
    if (rc == EMBER_OK && st != NULL) {
        int n = ember_column_count(st);
        while ((rc = ember_step(st)) == EMBER_ROW) {
            (*rows)++;
            *sum += fz_row_hash(st, n, loose);
        }
        rc = rc == EMBER_DONE ? EMBER_OK : rc;
    }
    ember_finalize(st);
    fz_ctx_end();
    return rc == EMBER_OK;
}

bool fz_checksum(const char *sql, uint64_t *rows, uint64_t *sum)
{
    return fz_checksum_as(sql, false, rows, sum);
}

/* SELECT * FROM "name", the name quoted. */
static void select_all(Buf *b, const char *name)
{
    b->len = 0;
    buf_puts(b, "SELECT * FROM \"");
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

/* ------------------------------------------------------------------------
 * Snapshots: every table, its row count and checksum (invariant I4)
 * ------------------------------------------------------------------------ */

static int cmp_table_sum(const void *a, const void *b)
{
    return strcmp(((const TableSum *)a)->name, ((const TableSum *)b)->name);
}

/* The names of the tables (and views, when ember_tables() does not say
 * which is which), sorted. */
static void snapshot_list(Snapshot *s)
{
    static const char list[] = "SELECT * FROM ember_tables()";
    ember_stmt *st = NULL;
    fz_ctx_begin("snapshot", list, sizeof(list) - 1);
    int rc = ember_prepare(fz_db, list, -1, &st, NULL);
    int name_col = 0, type_col = -1;
    for (int c = 0; rc == EMBER_OK && c < ember_column_count(st); c++) {
        const char *n = ember_column_name(st, c);
        if (n && strcmp(n, "name") == 0)
            name_col = c;
        if (n && strcmp(n, "type") == 0)
            type_col = c;
    }
    while (rc == EMBER_OK || rc == EMBER_ROW) {
        if ((rc = ember_step(st)) != EMBER_ROW)
            break;
        const char *type = type_col >= 0 ? ember_column_text(st, type_col)
                                         : NULL;
        if (type && strcmp(type, "table") != 0)
            continue;
        if (s->n == MAX_TABLES) {
            s->big = true;
            continue;
        }
        const char *name = ember_column_text(st, name_col);
        snprintf(s->t[s->n++].name, sizeof(s->t[0].name), "%s",
                 name ? name : "");
    }
    fz_ctx_end();
    if (rc != EMBER_DONE) {
        s->ok = false;
        snprintf(s->error, sizeof(s->error), "listing tables: %s",
                 ember_errmsg(fz_db));
    }
    ember_finalize(st);
    qsort(s->t, (size_t)s->n, sizeof(s->t[0]), cmp_table_sum);
}

/* Every table's rows and checksum. A relation that cannot be read (a view
 * over a dropped table) is recorded by its error message. */
/* The statement the next snapshot follows, or NULL (fz_snapshot_hint). */
static const char *snap_hint;

void fz_snapshot_hint(const char *sql)
{
    snap_hint = sql;
}

static const TableSum *find_sum(const Snapshot *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->t[i].name, name) == 0)
            return &s->t[i];
    return NULL;
}

void fz_snapshot_take(Snapshot *s)
{
    /* s may be fz_snap itself: keep big's entry before clearing it */
    const TableSum *prev = find_sum(&fz_snap, "big");
    TableSum big_prev;
    if (prev)
        big_prev = *prev;
    memset(s, 0, sizeof(*s));
    s->ok = true;
    snapshot_list(s);
    Buf q = {0};
    for (int i = 0; i < s->n && s->ok; i++) {
        if (strcmp(s->t[i].name, "big") == 0) {
            /* Too many rows to read each time: a summary of them, and
             * only after a statement that names the table. */
            if (prev && snap_hint && !strcasestr(snap_hint, "big")) {
                s->t[i] = big_prev;
                continue;
            }
            buf_set(&q, "", 0);
            buf_puts(&q, "SELECT count(*), sum(k), sum(g), sum(m), "
                         "count(s) FROM big");
        } else {
            select_all(&q, s->t[i].name);
        }
        if (!fz_checksum(q.p, &s->t[i].rows, &s->t[i].sum)) {
            const char *msg = ember_errmsg(fz_db);
            s->t[i].rows = UINT64_MAX;
            s->t[i].sum = fz_fnv(0, msg, strlen(msg));
        }
        s->big = s->big || (s->t[i].rows > MAX_TABLE_ROWS &&
                            s->t[i].rows != UINT64_MAX);
    }
    buf_free(&q);
}

/* Describe how b differs from a into why; false when they are the same. */
static bool snapshot_differs(const Snapshot *a, const Snapshot *b,
                             char *why, size_t cap)
{
    if (a->n != b->n) {
        snprintf(why, cap, "number of tables %d -> %d", a->n, b->n);
        return true;
    }
    for (int i = 0; i < a->n; i++) {
        const TableSum *x = &a->t[i], *y = &b->t[i];
        if (strcmp(x->name, y->name) != 0) {
            snprintf(why, cap, "table \"%s\" -> \"%s\"", x->name, y->name);
            return true;
        }
        if (x->rows != y->rows || x->sum != y->sum) {
            snprintf(why, cap, "table \"%s\": %" PRIu64 " rows (sum %016"
                     PRIx64 ") -> %" PRIu64 " rows (sum %016" PRIx64 ")",
                     x->name, x->rows, x->sum, y->rows, y->sum);
            return true;
        }
    }
    return false;
}


/* The statement `sql` must not have changed anything (I4). */
void fz_expect_unchanged(const char *sql, size_t len, const char *what)
{
    Snapshot now;
    fz_snapshot_take(&now);
    char why[400];
    if (!now.ok)
        fz_violation(sql, len, "after %s, the database cannot be read: %s",
                     what, now.error);
    else if (fz_snap.ok && snapshot_differs(&fz_snap, &now, why, sizeof(why)))
        fz_violation(sql, len, "%s changed the database: %s", what, why);
    fz_snap = now;
}

/* ------------------------------------------------------------------------
 * Error records (I3), the database and the known-answer check (I5)
 * ------------------------------------------------------------------------ */

/* I3: the error on the handle matches `rc` and is well formed; the offset
 * is -1 or within the `text_len` bytes it refers to. */
void fz_check_error(int rc, const char *sql, size_t len, int text_len,
                    const char *what)
{
    int code = ember_errcode(fz_db);
    const char *msg = ember_errmsg(fz_db);
    int off = ember_error_offset(fz_db);
    if (rc == EMBER_NOMEM)
        fz_stats.nomem++;
    if (fz_opt.verbose)
        fprintf(stderr, "  -> %s %s: %.200s\n", what, ember_status_name(rc),
                msg ? msg : "");
    if (code != rc)
        fz_violation(sql, len, "%s returned %s but ember_errcode() is %s", what,
                     ember_status_name(rc), ember_status_name(code));
    if (strcmp(ember_status_name(rc), "EMBER_UNKNOWN") == 0)
        fz_violation(sql, len, "%s returned unknown status %d", what, rc);
    if (rc == EMBER_INTERNAL || rc == EMBER_MISUSE)
        fz_violation(sql, len, "%s failed with %s: %s", what,
                     ember_status_name(rc), msg ? msg : "(null)");
    if (msg == NULL || msg[0] == 0 || strcmp(msg, "not an error") == 0)
        fz_violation(sql, len, "%s failed with %s but no message", what,
                     ember_status_name(rc));
    if (off < -1 || off > text_len)
        fz_violation(sql, len,
                     "%s: error offset %d outside the text (%d "
                     "bytes): %s",
                     what, off, text_len, msg ? msg : "");
}

static void open_db(void)
{
    ember_close(fz_db);
    fz_db = NULL;
    int rc = ember_open(":memory:", &fz_db);
    if (rc != EMBER_OK)
        fz_fatal("ember_open: %s", ember_status_name(rc));
    /* The same plan shapes and range splits on every machine. */
    session_log[0] = 0;
    fz_must_exec("SET threads = 2");
    fz_must_exec(fz_schema_sql);
    fz_snapshot_take(&fz_snap);
    if (!fz_snap.ok)
        fz_fatal("cannot read the new schema: %s", fz_snap.error);
    fz_stats.reopens++;
}

/* The first row of `sql`, columns joined by '|'; false on error. */
static bool query_row(const char *sql, char *out, size_t cap)
{
    ember_stmt *st = NULL;
    out[0] = 0;
    fz_ctx_begin("known-answer query", sql, strlen(sql));
    int rc = ember_prepare(fz_db, sql, -1, &st, NULL);
    if (rc == EMBER_OK && (rc = ember_step(st)) == EMBER_ROW) {
        size_t used = 0;
        for (int c = 0; c < ember_column_count(st) && used < cap; c++) {
            const char *t = ember_column_text(st, c);
            used += (size_t)snprintf(out + used, cap - used, "%s%s",
                                     c ? "|" : "", t ? t : "NULL");
        }
        rc = EMBER_OK;
    }
    ember_finalize(st);
    fz_ctx_end();
    return rc == EMBER_OK;
}

static void health_check(const char *after)
{
    static const char sql[] =
        "SELECT count(*), sum(x), max(s), min(d) FROM (VALUES (1, 'a', "
        "DATE '2020-02-29'), (2, 'b', NULL), (3, 'c', DATE '1999-12-31')) "
        "AS v(x, s, d)";
    static const char want[] = "3|6|c|1999-12-31";
    char got[256];
    if (!query_row(sql, got, sizeof(got)) || strcmp(got, want) != 0) {
        fz_violation(sql, sizeof(sql) - 1,
                     "the known query after %s returned "
                     "\"%s\" (%s), want \"%s\"",
                     after, got, ember_errmsg(fz_db), want);
        open_db();
    }
}

/* ------------------------------------------------------------------------
 * Driver
 * ------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: fuzz_smoke [-seed N] [-iters N] [-seconds S] [-hang S] "
            "[-mem MiB] [-v] [-schema]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    fz_opt.seed = 1;
    fz_opt.iters = DEFAULT_ITERS;
    fz_opt.seconds = DEFAULT_SECONDS;
    fz_opt.hang = DEFAULT_HANG;
    fz_opt.mem_mb = DEFAULT_MEM_MB;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0) {
            fz_opt.verbose = true;
            continue;
        }
        if (strcmp(a, "-schema") == 0) {
            /* the tables every reproducer runs on */
            printf("%s\n", fz_schema_sql);
            exit(0);
        }
        if (v == NULL)
            usage();
        i++;
        if (strcmp(a, "-seed") == 0)
            fz_opt.seed = strtoull(v, NULL, 0);
        else if (strcmp(a, "-iters") == 0)
            fz_opt.iters = strtol(v, NULL, 0);
        else if (strcmp(a, "-seconds") == 0)
            fz_opt.seconds = strtod(v, NULL);
        else if (strcmp(a, "-hang") == 0)
            fz_opt.hang = strtod(v, NULL);
        else if (strcmp(a, "-mem") == 0)
            fz_opt.mem_mb = strtol(v, NULL, 0);
        else
            usage();
    }
}

/* A scratch directory to work in; mutated COPY statements write files
 * with mutated relative names, and they all land here. */
static void enter_scratch_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fz_scratch_dir, sizeof(fz_scratch_dir), "%s/fuzz_smoke.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(fz_scratch_dir) == NULL || chdir(fz_scratch_dir) != 0)
        fz_fatal("cannot create a scratch directory in %s", fz_scratch_dir);
    fz_write_corpus_files();
}

static void leave_scratch_dir(void)
{
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(e->d_name);
    if (d)
        closedir(d);
    if (chdir("/") == 0)
        rmdir(fz_scratch_dir);
}

static void install_handlers(void)
{
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(on_sanitizer_death);
    signal(SIGABRT, on_fatal_signal);
#ifndef FUZZ_ASAN
    signal(SIGSEGV, on_fatal_signal);
    signal(SIGBUS, on_fatal_signal);
    signal(SIGFPE, on_fatal_signal);
    signal(SIGILL, on_fatal_signal);
#endif
    pthread_t wd;
    if (pthread_create(&wd, NULL, watchdog_main, NULL) != 0)
        fz_fatal("cannot start the watchdog thread");
    pthread_detach(wd);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    enter_scratch_dir();
    install_handlers();
    open_db();
    uint64_t t0 = now_ns();
    bool capped = false;
    long copy_cases = 0, done = 0;
    for (long i = 0; i < fz_opt.iters; i++, done++) {
        if ((double)(now_ns() - t0) / 1e9 > fz_opt.seconds) {
            capped = true;
            break;
        }
        if (n_kinds >= MAX_VIOLATIONS)
            break;
        fz_stats.iters = i;
        /* each iteration has its own stream: -v output stays comparable */
        Rng r = {fz_mix64(fz_opt.seed * 0x9e3779b97f4a7c15ULL + (uint64_t)i)};
        if ((i > 0 && i % REOPEN_EVERY == 0) || fz_snap.big || !fz_snap.ok)
            open_db();
        fuzz_sql(&r);
        health_check("a mutated statement");
        if (i % COPY_EVERY == COPY_EVERY - 1) {
            fuzz_copy(&r, copy_cases++);
            health_check("a COPY case");
        }
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    ember_close(fz_db);
    leave_scratch_dir();
    const Stats *st = &fz_stats;
    printf("fuzz_smoke: seed %" PRIu64 ", %ld iterations in %.1f s%s: "
           "statements %ld ok / %ld failed, COPY %ld ok / %ld failed "
           "(%ld round trips), %ld rows read, %ld plan checks, %ld NOMEM, "
           "%ld reopens, %ld violations of %d kinds\n",
           fz_opt.seed, done, secs,
           capped ? " (stopped by the -seconds cap)" : "", st->stmt_ok,
           st->stmt_failed, st->copy_ok, st->copy_failed, st->roundtrips,
           st->rows_read, st->plan_checks, st->nomem, st->reopens,
           st->violations, n_kinds);
    for (int k = 0; k < n_kinds; k++)
        if (kind_hits[k] > 1)
            printf("  violation %d happened %ld times\n", k + 1,
                   kind_hits[k]);
    return fz_stats.violations ? 1 : 0;
}
