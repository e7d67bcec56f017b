/*
 * fuzz_smoke.c -- a bounded, deterministic fuzz smoke test of the whole
 * engine, through the public API only (include/ember.h).
 *
 * Makefile rule (the fuzzer is one file and needs only the library):
 *
 *   $(OUT)/tests/fuzz_smoke: tests/fuzz/fuzz_smoke.c $(OUT)/libember.a
 *           @mkdir -p $(dir $@)
 *           $(CC) $(CFLAGS_ALL) $(LDFLAGS_V) -o $@ $^ $(TOOL_LIBS)
 *
 * plus $(OUT)/tests/fuzz_smoke in TEST_TOOLS, and in tests/run.sh:
 * `$OUT/tests/fuzz_smoke` (exit status 0 = no invariant violated). It may
 * be started from any directory: it works in a scratch directory of its
 * own under $TMPDIR (or /tmp) and removes it at the end.
 *
 * Each iteration (every choice comes from one seeded PRNG, so a run is
 * reproducible from its seed and iteration count):
 *
 *   1. SQL. A statement from a corpus of valid statements over a small
 *      schema (every column type, a primary key, a unique key, NOT NULL,
 *      an index, a view) is mutated: byte flips, deletions, duplications,
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
 *   I2. No statement runs longer than -hang seconds and the process stays
 *       under -mem MiB resident; a watchdog thread prints the statement
 *       and exits with status 3 otherwise.
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
 * reproducers run on (the files fz_in.csv / fz_in.tbl are in main()).
 * Defaults: seed 1, DEFAULT_ITERS iterations (about 20 s under ASan on two
 * cores), a DEFAULT_SECONDS safety cap (a run that hits it says so, and is
 * then no longer reproducible), hang DEFAULT_HANG seconds.
 */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ember.h"

/* TUNING: see the measurement note in main(); 1200 iterations are about
 * 20 s under ASan + UBSan on two cores. */
#define DEFAULT_ITERS 1200
#define DEFAULT_SECONDS 90
#define DEFAULT_HANG 10
#define DEFAULT_MEM_MB 6144

#define COPY_EVERY 3           /* one COPY case per this many iterations */
#define REOPEN_EVERY 100       /* a fresh database, so state cannot drift */
#define MAX_ROWS_READ 20000    /* rows read from one result */
#define MAX_TABLE_ROWS 4000    /* reopen when a table grows past this */
#define MAX_TABLES 24          /* tables checksummed; reopen beyond */
#define MAX_VIOLATIONS 40      /* stop after this many kinds */
#define MAX_SCRIPT_STMTS 6     /* statements run from one mutated text */
#define MAX_TEXT (256 * 1024)  /* mutated SQL text is cut here */
#define MAX_BINDS 40           /* parameters bound per statement */

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

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int min_i(int a, int b)
{
    return a < b ? a : b;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ------------------------------------------------------------------------
 * PRNG (splitmix64) and a growable byte buffer
 * ------------------------------------------------------------------------ */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static uint32_t rng_below(Rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

static bool rng_pct(Rng *r, uint32_t pct)
{
    return rng_below(r, 100) < pct;
}

static const char *rng_pick(Rng *r, const char *const *list, size_t n)
{
    return list[rng_below(r, (uint32_t)n)];
}
#define PICK(r, list) rng_pick((r), (list), N_ELEMS(list))

/* Bytes with an explicit length (they may hold NULs); always followed by
 * a NUL so that the text can also be printed. */
typedef struct Buf {
    char *p;
    size_t len;
    size_t cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        fprintf(stderr, "fuzz_smoke: out of memory\n");
        exit(2);
    }
    b->p = p;
    b->cap = cap;
}

static void buf_insert(Buf *b, size_t pos, const char *s, size_t n)
{
    if (pos > b->len)
        pos = b->len;
    buf_reserve(b, n);
    memmove(b->p + pos + n, b->p + pos, b->len - pos);
    memcpy(b->p + pos, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void buf_append(Buf *b, const char *s, size_t n)
{
    buf_insert(b, b->len, s, n);
}

static void buf_puts(Buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static void buf_putc(Buf *b, char c)
{
    buf_append(b, &c, 1);
}

static void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void buf_erase(Buf *b, size_t pos, size_t n)
{
    if (pos >= b->len)
        return;
    if (n > b->len - pos)
        n = b->len - pos;
    memmove(b->p + pos, b->p + pos + n, b->len - pos - n);
    b->len -= n;
    b->p[b->len] = 0;
}

static void buf_set(Buf *b, const char *s, size_t n)
{
    b->len = 0;
    buf_append(b, s, n);
}

static void buf_free(Buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------------------
 * Run state, reporting, crash context and the watchdog
 * ------------------------------------------------------------------------ */

typedef struct Options {
    uint64_t seed;
    long iters;
    double seconds;            /* safety cap on the whole run */
    double hang;               /* longest one statement may run */
    long mem_mb;               /* resident memory cap */
    bool verbose;
} Options;

typedef struct Stats {
    long iters;
    long stmt_ok;
    long stmt_failed;
    long copy_ok;
    long copy_failed;
    long copy_exact;           /* single-bad-field cases checked exactly */
    long roundtrips;
    long nomem;
    long reopens;
    long rows_read;
    long violations;
} Stats;

static Options opt;
static Stats stats;
static ember_db *db;
static char scratch_dir[256];

/* What is running now, for the death callback and the watchdog: a copy
 * of the text, changed only while no statement runs. */
static const char *volatile ctx_what = "setup";
static Buf ctx_text;
static const char *volatile ctx_sql;
static volatile size_t ctx_len;
static atomic_uint_least64_t ctx_start_ns;     /* 0 when idle */

/* Settings changed since the database was opened (SET and PRAGMA texts
 * that succeeded): they are part of any reproducer. */
static char session_log[2048];

static void session_note(const char *sql)
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

/* Print bytes as a C string literal (octal escapes, so a following digit
 * cannot extend them), cut at `max` bytes. */
static void print_escaped(FILE *f, const char *s, size_t n, size_t max)
{
    fputc('"', f);
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n\"\n  \"", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\%03o", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
    if (n > max)
        fprintf(f, " ... (%zu bytes in all)", n);
    fputc('\n', f);
}

static void report_context(const char *why)
{
    fprintf(stderr, "\nfuzz_smoke: %s (seed %" PRIu64 ", iteration %ld) "
            "during %s of:\n  ", why, opt.seed, stats.iters,
            ctx_what);
    if (ctx_sql)
        print_escaped(stderr, ctx_sql, ctx_len, 4096);
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

static void ctx_begin(const char *what, const char *sql, size_t len)
{
    ctx_what = what;
    if (sql != ctx_text.p)
        buf_set(&ctx_text, sql, len);
    ctx_sql = ctx_text.p;
    ctx_len = len;
    atomic_store(&ctx_start_ns, now_ns());
}

static void ctx_end(void)
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
        if (t0 != 0 && now_ns() - t0 > (uint64_t)(opt.hang * 1e9)) {
            report_context("HANG: statement still running after -hang");
            _exit(3);
        }
        long mb = resident_mb();
        if (mb > opt.mem_mb) {
            char why[96];
            snprintf(why, sizeof(why), "MEMORY: %ld MiB resident", mb);
            report_context(why);
            _exit(3);
        }
    }
    return NULL;
}

static void violation(const char *sql, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Violations with the same message up to digits count as one kind; the
 * first of each kind is printed in full, the rest are only counted. */
#define MAX_KINDS 256
static uint64_t kinds[MAX_KINDS];
static long kind_hits[MAX_KINDS];
static int n_kinds;

static int violation_kind(const char *msg)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = msg; *p; p++)
        if (*p < '0' || *p > '9')
            h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    for (int i = 0; i < n_kinds; i++)
        if (kinds[i] == h)
            return i;
    if (n_kinds == MAX_KINDS)
        return MAX_KINDS - 1;
    kinds[n_kinds] = h;
    return n_kinds++;
}

static void violation(const char *sql, size_t len, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    stats.violations++;
    int k = violation_kind(msg);
    if (kind_hits[k]++ > 0)
        return;
    fprintf(stderr, "\nVIOLATION %d (seed %" PRIu64 ", iteration %ld): %s\n",
            k + 1, opt.seed, stats.iters, msg);
    if (sql) {
        fputs("  sql: ", stderr);
        print_escaped(stderr, sql, len, 2048);
    }
    if (session_log[0])
        fprintf(stderr, "  after: %s\n", session_log);
    fflush(stderr);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fatal(const char *fmt, ...)
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
static void must_exec(const char *sql)
{
    ctx_begin("setup", sql, strlen(sql));
    int rc = ember_exec(db, sql, NULL, NULL);
    ctx_end();
    if (rc != EMBER_OK)
        fatal("setup failed (%s): %s\n  in: %s", ember_status_name(rc),
              ember_errmsg(db), sql);
}

/* Run one statement; EMBER_OK or its error code (message on the db). */
static int exec_one(const char *what, const char *sql)
{
    ctx_begin(what, sql, strlen(sql));
    int rc = ember_exec(db, sql, NULL, NULL);
    ctx_end();
    return rc;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
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
static uint64_t row_hash(ember_stmt *st, int n_cols, bool loose)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    char buf[64];
    for (int c = 0; c < n_cols; c++) {
        const char *t = ember_column_text(st, c);
        if (loose)
            t = loose_text(t, buf, sizeof(buf));
        if (t == NULL)
            h = fnv(h, "\xff\xfeNULL", 6);
        else
            h = fnv(h, t, strlen(t) + 1);
    }
    return mix64(h);
}

/* Row count and order-independent checksum (sum of row hashes) of every
 * row of `sql`. False when the query fails. */
static bool query_checksum_as(const char *sql, bool loose, uint64_t *rows,
                              uint64_t *sum)
{
    ember_stmt *st = NULL;
    *rows = 0;
    *sum = 0;
    ctx_begin("checksum", sql, strlen(sql));
    int rc = ember_prepare(db, sql, -1, &st, NULL);
    if (rc == EMBER_OK && st != NULL) {
        int n = ember_column_count(st);
        while ((rc = ember_step(st)) == EMBER_ROW) {
            (*rows)++;
            *sum += row_hash(st, n, loose);
        }
        rc = rc == EMBER_DONE ? EMBER_OK : rc;
    }
    ember_finalize(st);
    ctx_end();
    return rc == EMBER_OK;
}

static bool query_checksum(const char *sql, uint64_t *rows, uint64_t *sum)
{
    return query_checksum_as(sql, false, rows, sum);
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

typedef struct TableSum {
    char name[160];
    uint64_t rows;
    uint64_t sum;
} TableSum;

typedef struct Snapshot {
    int n;
    bool ok;                   /* false when a table could not be read */
    bool big;                  /* too many tables or rows: reopen soon */
    char error[300];
    TableSum t[MAX_TABLES];
} Snapshot;

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
    ctx_begin("snapshot", list, sizeof(list) - 1);
    int rc = ember_prepare(db, list, -1, &st, NULL);
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
    ctx_end();
    if (rc != EMBER_DONE) {
        s->ok = false;
        snprintf(s->error, sizeof(s->error), "listing tables: %s",
                 ember_errmsg(db));
    }
    ember_finalize(st);
    qsort(s->t, (size_t)s->n, sizeof(s->t[0]), cmp_table_sum);
}

/* Every table's rows and checksum. A relation that cannot be read (a view
 * over a dropped table) is recorded by its error message. */
static void snapshot_take(Snapshot *s)
{
    memset(s, 0, sizeof(*s));
    s->ok = true;
    snapshot_list(s);
    Buf q = {0};
    for (int i = 0; i < s->n && s->ok; i++) {
        select_all(&q, s->t[i].name);
        if (!query_checksum(q.p, &s->t[i].rows, &s->t[i].sum)) {
            const char *msg = ember_errmsg(db);
            s->t[i].rows = UINT64_MAX;
            s->t[i].sum = fnv(0, msg, strlen(msg));
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

static Snapshot snap;          /* the database as last seen */

/* The statement `sql` must not have changed anything (I4). */
static void expect_unchanged(const char *sql, size_t len, const char *what)
{
    Snapshot now;
    snapshot_take(&now);
    char why[400];
    if (!now.ok)
        violation(sql, len, "after %s, the database cannot be read: %s",
                  what, now.error);
    else if (snap.ok && snapshot_differs(&snap, &now, why, sizeof(why)))
        violation(sql, len, "%s changed the database: %s", what, why);
    snap = now;
}

/* ------------------------------------------------------------------------
 * The schema and the corpus
 * ------------------------------------------------------------------------ */

static const char schema_sql[] =
    "CREATE TABLE t1(id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL,"
    " price DECIMAL(10,2), qty BIGINT, ratio DOUBLE, day DATE,"
    " flag BOOLEAN);"
    "CREATE TABLE t2(id INTEGER, t1_id INTEGER, note VARCHAR,"
    " amount DECIMAL(12,3), d DATE);"
    "CREATE TABLE t3(k VARCHAR PRIMARY KEY, v INTEGER UNIQUE,"
    " s SMALLINT DEFAULT 7);"
    "CREATE TABLE ct(b BOOLEAN, i INTEGER, s SMALLINT, g BIGINT, f DOUBLE,"
    " m DECIMAL(12,3), v VARCHAR, c VARCHAR(8), d DATE);"
    "CREATE INDEX t2_t1 ON t2(t1_id);"
    "CREATE VIEW v1 AS SELECT t1.id, t1.name, count(t2.id) AS n FROM t1"
    " LEFT JOIN t2 ON t2.t1_id = t1.id GROUP BY t1.id, t1.name;"
    "INSERT INTO t1 VALUES"
    " (1, 'apple', 1.50, 10, 0.5, DATE '2020-01-01', true),"
    " (2, 'banana', 0.25, 200, 1.25, DATE '2020-02-29', false),"
    " (3, 'cherry', NULL, NULL, NULL, NULL, NULL),"
    " (4, 'date', 99999999.99, -5, -0.0, DATE '1999-12-31', true),"
    " (5, 'Elder%_', 0.01, 9223372036854775807, 1e300, DATE '0001-01-01',"
    "  false),"
    " (6, '', -12.34, -9223372036854775808, -1e-300, DATE '9999-12-31',"
    "  true),"
    " (7, 'fig''s', 0, 0, CAST('NaN' AS DOUBLE), DATE '2000-02-29', NULL),"
    " (8, 'grape', 3.33, 3, CAST('Infinity' AS DOUBLE), DATE '1970-01-01',"
    "  false);"
    "INSERT INTO t2 VALUES"
    " (1, 1, 'a', 1.5, DATE '2020-01-02'), (2, 1, 'b', -2.25, NULL),"
    " (3, 2, NULL, NULL, DATE '2021-03-04'), (4, 3, 'c', 0.001, NULL),"
    " (5, 9, 'orphan', 1000000.5, DATE '1999-01-01'),"
    " (6, NULL, 'x,y', 7, DATE '2020-02-29'), (7, 4, '', 0, NULL),"
    " (8, 2, 'dup', 2.5, DATE '2020-02-29'), (9, 2, 'dup', 2.5, NULL);"
    "INSERT INTO t3 VALUES ('a', 1, 1), ('b', 2, -32768), ('c', NULL, 32767),"
    " ('d', 4, NULL), ('', 5, 0), ('x y', 8, 3);"
    "INSERT INTO ct VALUES (true, 1, 2, 3, 4.5, 6.789, 'ten', 'eleven',"
    " DATE '2012-12-12'), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL);";

/* Valid statements over the schema; `?` and `$n` get random binds. */
static const char *const corpus[] = {
    "SELECT * FROM t1",
    "SELECT id, name FROM t1 WHERE price > 1 ORDER BY id DESC LIMIT 3 "
    "OFFSET 1",
    "SELECT t1.name, t2.note, t2.amount FROM t1 JOIN t2 ON t1.id = t2.t1_id "
    "WHERE t2.amount IS NOT NULL",
    "SELECT t1.id, count(*), sum(t2.amount), avg(t2.amount), min(t2.d), "
    "max(t2.note) FROM t1 LEFT JOIN t2 ON t1.id = t2.t1_id GROUP BY t1.id "
    "HAVING count(*) > 0 ORDER BY 1",
    "SELECT * FROM t1 FULL JOIN t3 ON t1.id = t3.v",
    "SELECT * FROM t1 RIGHT JOIN t2 ON t1.id = t2.t1_id AND t2.id > 2",
    "SELECT * FROM t1 NATURAL JOIN t2",
    "SELECT * FROM t1 JOIN t2 USING (id)",
    "SELECT a.id, b.id FROM t1 a CROSS JOIN t1 b WHERE a.id < b.id",
    "SELECT name FROM t1 WHERE id IN (SELECT t1_id FROM t2 WHERE amount > 0)",
    "SELECT name FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 "
    "WHERE t2.t1_id = t1.id)",
    "SELECT name, (SELECT max(amount) FROM t2 WHERE t2.t1_id = t1.id) "
    "FROM t1",
    "SELECT id FROM t1 WHERE price > (SELECT avg(amount) FROM t2)",
    "SELECT id FROM t1 UNION SELECT v FROM t3 ORDER BY 1",
    "SELECT id FROM t1 UNION ALL SELECT t1_id FROM t2",
    "SELECT id FROM t1 INTERSECT SELECT t1_id FROM t2",
    "SELECT id FROM t1 EXCEPT SELECT v FROM t3",
    "(SELECT id FROM t1 LIMIT 2) UNION (SELECT v FROM t3) ORDER BY 1 DESC",
    "SELECT CASE WHEN qty > 100 THEN 'big' WHEN qty IS NULL THEN NULL "
    "ELSE 'small' END, CASE id WHEN 1 THEN 'one' ELSE 'other' END FROM t1",
    "SELECT CAST(price AS DOUBLE), CAST(qty AS VARCHAR), "
    "CAST('42' AS INTEGER), CAST(day AS VARCHAR), '7'::BIGINT, "
    "CAST(ratio AS DECIMAL(18,4)) FROM t1",
    "SELECT day + 30, day - DATE '2000-01-01', day + INTERVAL '1 month', "
    "extract(year FROM day), extract(dow FROM day) FROM t1 WHERE day "
    "BETWEEN DATE '1990-01-01' AND DATE '2030-12-31'",
    "SELECT name FROM t1 WHERE name LIKE 'b%' OR name ILIKE '%E%' "
    "OR name LIKE 'E\\_%' ESCAPE '\\'",
    "SELECT substring(name FROM 2 FOR 3), upper(name), lower(name), "
    "length(name), trim(both 'a' FROM name), position('an' IN name), "
    "replace(name, 'a', 'xx'), lpad(name, 8, '*'), reverse(name), "
    "left(name, 2), right(name, 2), repeat(name, 3), "
    "concat(name, '-', id), name || '!' FROM t1",
    "SELECT abs(qty), round(price, 1), ceil(ratio), floor(ratio), "
    "sqrt(abs(ratio)), power(2, id), ln(id), log10(id), exp(id), "
    "sign(qty), qty % 7, qty / 3, price * id FROM t1 WHERE id < 5",
    "SELECT coalesce(price, 0), nullif(id, 3), greatest(id, 3), "
    "least(id, 3), price IS NULL, flag IS TRUE, id IS DISTINCT FROM 3 "
    "FROM t1",
    "SELECT count(DISTINCT t1_id), string_agg(note, ','), "
    "bool_and(amount > 0), bool_or(d IS NULL), "
    "sum(amount) FILTER (WHERE id > 2), total(amount), any_value(note) "
    "FROM t2",
    "WITH x AS (SELECT t1_id, sum(amount) AS s FROM t2 GROUP BY t1_id) "
    "SELECT t1.name, x.s FROM t1 JOIN x ON x.t1_id = t1.id "
    "ORDER BY x.s DESC NULLS LAST",
    "SELECT * FROM (SELECT id, name FROM t1 WHERE id > 1) AS s(a, b) "
    "WHERE a < 5",
    "SELECT * FROM v1 ORDER BY n DESC, id",
    "SELECT DISTINCT flag FROM t1",
    "SELECT id, name FROM t1 ORDER BY name NULLS FIRST, id LIMIT 2, 2",
    "VALUES (1, 'a', DATE '2020-02-29'), (2, NULL, NULL)",
    "SELECT 2147483647 + 1",
    "SELECT 9223372036854775807 - -1",
    "SELECT DATE '2020-02-30'",
    "SELECT CAST('2020-13-45' AS DATE)",
    "SELECT 1 / 0, 1 % 0, 1.0 / 0",
    "SELECT count(*) FROM t1 a, t2 b, t3 c WHERE a.id = b.t1_id "
    "AND c.v = a.id",
    "SELECT ? + 1, $2 || 'x'",
    "SELECT * FROM t2 WHERE t1_id = $1 OR note = $2",
    "SELECT k, v FROM t3 WHERE v IN (1, 2, NULL) OR k NOT IN ('a', 'b')",
    "SELECT sum(qty), avg(qty), min(name), max(day) FROM t1",
    "SELECT t1_id, count(*) FROM t2 GROUP BY t1_id HAVING sum(amount) > 1",
    "INSERT INTO t1 VALUES (100, 'new', 1.00, 1, 1.0, DATE '2021-06-30', "
    "true)",
    "INSERT INTO t1 VALUES (1, 'dup', 1, 1, 1, DATE '2020-01-01', false)",
    "INSERT INTO t1 (id, name) VALUES (101, NULL)",
    "INSERT INTO t1 (id, name) VALUES (102, 'x'), (103, 'y'), (102, 'z')",
    "INSERT INTO t2 SELECT id + 100, id, name, price, day FROM t1",
    "INSERT INTO t2 VALUES (50, 1, 'huge', 123456789.123, "
    "DATE '2020-01-01')",
    "INSERT INTO t3 VALUES ('k1', 11, 1), ('k2', 11, 2)",
    "INSERT INTO t3 (k, v) VALUES ('kx', 77)",
    "INSERT INTO t3 VALUES ('s', 55, 40000)",
    "INSERT INTO t2 VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO t1 SELECT id + 1000, name, price, qty, ratio, day, flag "
    "FROM t1 WHERE id > 6",
    "UPDATE t1 SET price = price * 2 WHERE id < 3",
    "UPDATE t1 SET id = 1",
    "UPDATE t1 SET name = NULL WHERE id = 2",
    "UPDATE t2 SET amount = amount / 0 WHERE id = 1",
    "UPDATE t3 SET s = s + 32767",
    "UPDATE t1 SET qty = qty + 1",
    "UPDATE t2 SET note = upper(note), d = d + 1 WHERE t1_id = $1",
    "DELETE FROM t2 WHERE amount IS NULL",
    "DELETE FROM t2 WHERE t1_id IN (SELECT id FROM t1 WHERE flag)",
    "DELETE FROM t1 WHERE id = 1 / 0",
    "DELETE FROM t3 WHERE k = ?",
    "CREATE TABLE t4 AS SELECT id, name, price * 2 AS p2 FROM t1",
    "CREATE TABLE t5(a INTEGER NOT NULL, b VARCHAR UNIQUE, "
    "c DOUBLE DEFAULT 1.5, PRIMARY KEY (a))",
    "DROP TABLE IF EXISTS t4",
    "CREATE VIEW v2 AS SELECT id FROM t1 WHERE flag",
    "DROP VIEW IF EXISTS v2",
    "CREATE UNIQUE INDEX t1_name ON t1(name)",
    "COPY t2 FROM 'fz_in.csv'",
    "COPY t2 FROM 'fz_in.tbl'",
    "COPY t2 FROM 'fz_in.csv' (HEADER false, DELIMITER ',', NULL '')",
    "COPY t1 TO 'fz_out.csv' (HEADER)",
    "COPY (SELECT id, name FROM t1 WHERE id > 2) TO 'fz_out.tbl'",
    "EXPLAIN SELECT * FROM t1 JOIN t2 ON t1.id = t2.t1_id",
    "EXPLAIN ANALYZE SELECT count(*) FROM t2 GROUP BY t1_id",
    "SET threads = 1",
    "SET vector_size = 3",
    "SET join_order = 'greedy'",
    "SET enable_hashjoin = off",
    "SET enable_unnest = false",
    "SET arena = off",
    "SET hash_partitions = 0",
    "PRAGMA stats('t1')",
    "SHOW tables",
    "ANALYZE t1",
    "SELECT * FROM pragma_stats('t2')",
    "SELECT t1.name, x.total FROM t1, (SELECT t1_id, sum(amount) AS total "
    "FROM t2 GROUP BY t1_id) x WHERE x.t1_id = t1.id AND x.total > "
    "(SELECT avg(amount) FROM t2)",
    "SELECT id, (SELECT count(*) FROM t2 WHERE t2.t1_id = t1.id AND "
    "t2.amount > t1.price) AS c FROM t1 ORDER BY c DESC, id",
    "SELECT name FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.t1_id = "
    "t1.id) OR id IN (SELECT v FROM t3)",
    "SELECT id FROM t1 WHERE id NOT IN (SELECT t1_id FROM t2)",
    "SELECT id FROM t1 WHERE id NOT IN (SELECT t1_id FROM t2 WHERE t1_id "
    "IS NOT NULL)",
    "SELECT flag, count(*), count(price), count(DISTINCT qty), "
    "sum(DISTINCT id) FROM t1 GROUP BY flag HAVING count(*) >= 1 "
    "ORDER BY flag NULLS FIRST",
    "SELECT extract(year FROM d) AS y, count(*) FROM t2 GROUP BY "
    "extract(year FROM d) ORDER BY y DESC NULLS LAST",
    "WITH a AS (SELECT id, price FROM t1 WHERE price IS NOT NULL), "
    "b AS (SELECT id FROM a WHERE price > 1) SELECT a.id, b.id FROM a "
    "LEFT JOIN b ON a.id = b.id ORDER BY 1",
    "SELECT id FROM t1 UNION SELECT amount FROM t2 UNION SELECT ratio "
    "FROM t1 ORDER BY 1 NULLS LAST",
    "SELECT t1_id FROM t2 INTERSECT ALL SELECT t1_id FROM t2 WHERE id > 3",
    "SELECT t1_id FROM t2 EXCEPT ALL SELECT id FROM t1",
    "SELECT coalesce(note, name, 'none'), CASE WHEN amount > 1 THEN amount "
    "ELSE ratio END FROM t2 LEFT JOIN t1 ON t1.id = t2.t1_id",
    "SELECT a.id, b.id, c.id FROM t1 a JOIN t1 b ON a.id = b.id + 1 "
    "JOIN t1 c ON b.id = c.id + 1 LEFT JOIN t2 d ON d.t1_id = c.id",
    "SELECT * FROM (VALUES (1, 'x'), (2, NULL), (NULL, 'z')) AS v(a, b) "
    "FULL JOIN t1 ON v.a = t1.id",
    "SELECT upper(note), length(note), note LIKE '%a%', note || NULL, "
    "substring(note, 2), trim(note) FROM t2",
    "SELECT d - INTERVAL '1 year', d + INTERVAL '10 days', "
    "d - 1, DATE '2020-03-01' - d FROM t2 WHERE d IS NOT NULL",
    "SELECT (SELECT name FROM t1 WHERE id = t2.t1_id), "
    "(SELECT id FROM t1) FROM t2",
    "SELECT min(k), max(k), count(*) FROM t3 WHERE k > '' AND k < 'z'",
    "SELECT round(avg(price), 2), sum(price * qty) FROM t1 WHERE qty "
    "BETWEEN -10 AND 1000",
    "INSERT INTO t2 SELECT id + 200, id, name, price, day FROM t1 "
    "UNION ALL SELECT id + 300, t1_id, note, amount, d FROM t2",
    "UPDATE t2 SET amount = (SELECT max(price) FROM t1 WHERE t1.id = "
    "t2.t1_id) WHERE id < 5",
    "DELETE FROM t2 WHERE EXISTS (SELECT 1 FROM t1 WHERE t1.id = t2.t1_id "
    "AND t1.flag)",
    "DELETE FROM t1 WHERE id NOT IN (SELECT t1_id FROM t2 WHERE t1_id IS "
    "NOT NULL)",
    "CREATE TABLE t6 AS SELECT t1_id, count(*) AS n, sum(amount) AS s "
    "FROM t2 GROUP BY t1_id",
    "INSERT INTO ct SELECT flag, id, id, qty, ratio, price, name, "
    "left(name, 8), day FROM t1",
    "SELECT * FROM ct WHERE v LIKE '%' OR c IS NULL ORDER BY i",
    "SELECT b, count(*), sum(g), min(d), max(m) FROM ct GROUP BY b",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.id = t2.t1_id AND t2.amount > 0 "
    "WHERE t2.id IS NULL",
};

/* Pieces inserted by the mutator. */
static const char *const dict_words[] = {
    "SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT",
    "OFFSET", "UNION", "UNION ALL", "INTERSECT", "EXCEPT", "JOIN",
    "LEFT JOIN", "FULL JOIN", "CROSS JOIN", "NATURAL JOIN", "ON", "USING",
    "AND", "OR", "NOT", "IS NULL", "IS NOT DISTINCT FROM", "BETWEEN", "IN",
    "LIKE", "ILIKE", "ESCAPE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST",
    "AS", "::", "DISTINCT", "EXISTS", "ALL", "WITH", "VALUES", "INSERT INTO",
    "UPDATE", "SET", "DELETE", "DEFAULT", "INTERVAL", "DATE", "EXTRACT",
    "count(*)", "sum(", "avg(", "min(", "max(", "string_agg(", "coalesce(",
    "nullif(", "substring(", "repeat(", "lpad(", "round(", "abs(",
    "extract(year from", "(SELECT 1)", "(SELECT id FROM t1)",
    "INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "DECIMAL(18,18)",
    "DECIMAL(1,0)", "VARCHAR(1)", "BOOLEAN", "*", "t1.*",
    "+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "(", ")",
    ",", ";", ".", "?", "$1", "$65535", "$0", "'", "\"", "--", "/*", "*/",
    "id", "name", "price", "qty", "ratio", "day", "flag", "t1_id", "note",
    "amount", "d", "k", "v", "s", "t1", "t2", "t3", "v1", "ct", "nosuch",
};

static const char *const dict_literals[] = {
    "NULL", "0", "-1", "1", "2147483647", "-2147483648", "2147483648",
    "32767", "-32768", "32768", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "18446744073709551616",
    "1e308", "1e309", "-1e-400", "0.0", "-0.0", "0.5", "1.", ".5", "1e",
    "123456789012345678901234567890", "99999999999999999.99",
    "0.000000000000000000001", "''", "'a'", "''''", "'NaN'", "'inf'",
    "'-Infinity'", "' 12 '", "'%'", "'_'", "'\\'", "DATE '2020-02-30'",
    "DATE '0000-01-01'", "DATE '9999-12-31'", "DATE '2020-02-29'",
    "DATE '-1-01-01'", "DATE ''", "INTERVAL '1 day'",
    "INTERVAL '2147483647 months'", "INTERVAL '-99999999 days'", "TRUE",
    "FALSE", "'2020-02-30'", "CAST(NULL AS INTEGER)", "'\xc3\x28'",
    "'\xff\xfe'", "'\xe2\x82'", "'\xc3\xa9t\xc3\xa9'",
};

static const char *const dict_idents[] = {
    "id", "name", "price", "qty", "ratio", "day", "flag", "t1_id", "note",
    "amount", "d", "k", "v", "s", "b", "i", "g", "f", "m", "c", "t1", "t2",
    "t3", "ct", "v1", "t1.id", "t2.t1_id", "nosuch", "\"T1\"", "\"\"\"\"",
    "rowid", "*",
};

/* Unquoted ident/number characters. */
static bool word_char(unsigned char c)
{
    return c == '_' || c == '.' || c == '$' || (c >= '0' && c <= '9') ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Rough token spans of b: words, numbers, quoted strings, and single
 * punctuation bytes. Returns the number found (at most cap). */
static int tokenize(const Buf *b, size_t *start, size_t *end, int cap)
{
    int n = 0;
    size_t i = 0;
    while (i < b->len && n < cap) {
        unsigned char c = (unsigned char)b->p[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        size_t j = i + 1;
        if (c == '\'' || c == '"') {
            while (j < b->len && b->p[j] != (char)c)
                j++;
            j = j < b->len ? j + 1 : j;
        } else if (word_char(c)) {
            while (j < b->len && word_char((unsigned char)b->p[j]))
                j++;
        }
        start[n] = i;
        end[n] = j;
        n++;
        i = j;
    }
    return n;
}

static bool is_number_token(const Buf *b, size_t s, size_t e)
{
    return e > s && b->p[s] >= '0' && b->p[s] <= '9';
}

/* ------------------------------------------------------------------------
 * The SQL mutator
 * ------------------------------------------------------------------------ */

enum {
    /* mostly keep the statement well formed, so it reaches the binder,
     * the planner and the executor */
    MUT_SAME_CLASS, MUT_REPLACE_NUMBER, MUT_WRAP,
    MUT_GRAMMAR_END = MUT_WRAP,
    /* anything goes */
    MUT_FLIP, MUT_DELETE, MUT_DUP, MUT_INSERT_WORD, MUT_INSERT_LITERAL,
    MUT_REPLACE_TOKEN, MUT_REPLACE_IDENT, MUT_SWAP, MUT_SPLICE, MUT_PARENS,
    MUT_TRUNCATE, MUT_CHAIN, MUT_HUGE, MUT_APPEND, MUT__COUNT
};

#define MAX_TOKENS 512

/* A random position in b, on a token boundary most of the time. */
static size_t random_pos(Rng *r, const Buf *b, const size_t *ts, int nt)
{
    if (nt == 0 || rng_pct(r, 20))
        return rng_below(r, (uint32_t)b->len + 1);
    return ts[rng_below(r, (uint32_t)nt)];
}

static void insert_spaced(Buf *b, size_t pos, const char *s)
{
    Buf t = {0};
    buf_putc(&t, ' ');
    buf_puts(&t, s);
    buf_putc(&t, ' ');
    buf_insert(b, pos, t.p, t.len);
    buf_free(&t);
}

static void replace_span(Buf *b, size_t s, size_t e, const char *with)
{
    buf_erase(b, s, e - s);
    buf_insert(b, s, with, strlen(with));
}

/* Wrap tokens [i, j] in `depth` parentheses, or only open them. */
static void mutate_parens(Rng *r, Buf *b, const size_t *ts, const size_t *te,
                          int nt)
{
    static const uint32_t depths[] = {1, 2, 3, 10, 64, 200, 999, 1000, 1001,
                                      3000};
    uint32_t depth = depths[rng_below(r, N_ELEMS(depths))];
    Buf open = {0}, close = {0};
    for (uint32_t k = 0; k < depth; k++) {
        buf_putc(&open, '(');
        buf_putc(&close, ')');
    }
    if (nt == 0 || rng_pct(r, 15)) {
        buf_insert(b, random_pos(r, b, ts, nt), open.p, open.len);
    } else {
        int i = (int)rng_below(r, (uint32_t)nt);
        int j = i + (int)rng_below(r, (uint32_t)min_i(nt - i, 4));
        buf_insert(b, te[j], close.p, close.len);
        buf_insert(b, ts[i], open.p, open.len);
    }
    buf_free(&open);
    buf_free(&close);
}

/* Words that can stand in for each other without breaking the grammar
 * (NULL ends a class). */
static const char *const word_classes[][40] = {
    {"id", "name", "price", "qty", "ratio", "day", "flag", "t1_id", "note",
     "amount", "d", "k", "v", "s", "n", "a", "x", NULL},
    {"t1", "t2", "t3", "ct", "v1", NULL},
    {"+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR",
     "IS DISTINCT FROM", "LIKE", NULL},
    {"sum", "avg", "min", "max", "count", "upper", "lower", "abs", "round",
     "length", "trim", "reverse", "sqrt", "ln", "exp", "sign", "ceil",
     "floor", "coalesce", "nullif", "greatest", "least", "string_agg",
     "bool_and", "bool_or", "any_value", "total", "concat", "repeat",
     "lpad", "left", "right", "substring", "replace", "position", "log10",
     "power", NULL},
    {"INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE",
     "BOOLEAN", "TEXT", "REAL", NULL},
    {"JOIN", "LEFT", "RIGHT", "FULL", "INNER", NULL},
    {"UNION", "INTERSECT", "EXCEPT", NULL},
    {"ASC", "DESC", NULL},
    {"ALL", "DISTINCT", NULL},
    {"IN", "NOT IN", NULL},
    {"EXISTS", "NOT EXISTS", NULL},
    {"AND", "OR", NULL},
    {"IS NULL", "IS NOT NULL", NULL},
    {"true", "false", "NULL", NULL},
    {"year", "month", "day", "dow", "doy", "quarter", "week", "epoch",
     NULL},
};

/* Replace a token that belongs to a class by another of its class. */
static void mutate_same_class(Rng *r, Buf *b, const size_t *ts,
                              const size_t *te, int nt, int t)
{
    for (int k = 0; k < nt; k++) {
        int i = (t + k) % nt;
        size_t n = te[i] - ts[i];
        for (size_t c = 0; c < N_ELEMS(word_classes); c++) {
            const char *const *cls = word_classes[c];
            for (int w = 0; cls[w]; w++) {
                if (strlen(cls[w]) != n ||
                    strncasecmp(cls[w], b->p + ts[i], n) != 0)
                    continue;
                int size = 0;
                while (cls[size])
                    size++;
                replace_span(b, ts[i], te[i], cls[rng_below(r, size)]);
                return;
            }
        }
    }
}

/* Wrap token t in a cast, a function or a scalar subquery. */
static void mutate_wrap(Rng *r, Buf *b, const size_t *ts, const size_t *te,
                        int nt, int t)
{
    static const char *const wraps[][2] = {
        {"CAST(", " AS INTEGER)"}, {"CAST(", " AS VARCHAR)"},
        {"CAST(", " AS DOUBLE)"}, {"CAST(", " AS DECIMAL(18,6))"},
        {"CAST(", " AS DATE)"}, {"CAST(", " AS BIGINT)"},
        {"CAST(", " AS BOOLEAN)"}, {"(", ")::SMALLINT"},
        {"coalesce(", ", NULL)"}, {"nullif(", ", 0)"}, {"-(", ")"},
        {"(SELECT ", ")"}, {"(SELECT max(", ") FROM t3)"}, {"abs(", ")"},
        {"(", " + 2147483647)"}, {"(", " * 9223372036854775807)"},
        {"(", " || '')"}, {"CASE WHEN ", " IS NULL THEN NULL END"},
        {"length(", ")"}, {"(", " - DATE '2020-02-29')"},
    };
    if (nt == 0)
        return;
    int w = (int)rng_below(r, N_ELEMS(wraps));
    buf_insert(b, te[t], wraps[w][1], strlen(wraps[w][1]));
    buf_insert(b, ts[t], wraps[w][0], strlen(wraps[w][0]));
}

/* Long chains and lists: depth and length limits, wide expressions. */
static void mutate_chain(Rng *r, Buf *b, const size_t *ts, int nt)
{
    static const uint32_t counts[] = {10, 100, 998, 999, 1000, 1001, 5000};
    static const char *const links[] = {" + 1", " OR id = 1", " AND TRUE",
                                        " || 'x'", " UNION SELECT 1",
                                        " JOIN t3 ON TRUE", ", 1"};
    uint32_t n = counts[rng_below(r, N_ELEMS(counts))];
    Buf t = {0};
    switch (rng_below(r, 5)) {
    case 0: {
        const char *link = PICK(r, links);
        buf_puts(&t, " 1");
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, link);
        break;
    }
    case 1:
        buf_puts(&t, " IN (");
        for (uint32_t k = 0; k < n; k++)
            buf_printf(&t, "%s%u", k ? ", " : "", k);
        buf_puts(&t, ") ");
        break;
    case 2:
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, rng_pct(r, 50) ? " NOT" : " -");
        buf_puts(&t, " 1 ");
        break;
    case 3:
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, " CASE WHEN id = 1 THEN");
        buf_puts(&t, " 1");
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, " END");
        break;
    default:
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, " abs(");
        buf_puts(&t, "1");
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, ')');
        break;
    }
    buf_insert(b, random_pos(r, b, ts, nt), t.p, t.len);
    buf_free(&t);
}

/* A huge literal or name. */
static void mutate_huge(Rng *r, Buf *b, const size_t *ts, int nt)
{
    static const uint32_t sizes[] = {13, 255, 400, 4096, 70000};
    uint32_t n = sizes[rng_below(r, N_ELEMS(sizes))];
    Buf t = {0};
    switch (rng_below(r, 5)) {
    case 0:
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, (char)('1' + k % 9));
        break;
    case 1:
        buf_putc(&t, '\'');
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, (char)('a' + k % 26));
        buf_putc(&t, '\'');
        break;
    case 2:
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, 'x');
        break;
    case 3:
        buf_puts(&t, "0.");
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, '9');
        buf_puts(&t, "e-");
        buf_printf(&t, "%u", n);
        break;
    default:
        buf_putc(&t, '"');
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, 'Q');
        buf_putc(&t, '"');
        break;
    }
    insert_spaced(b, random_pos(r, b, ts, nt), t.p);
    buf_free(&t);
}

/* Prefix of b up to a token, then the rest of another corpus statement
 * from one of its tokens. */
static void mutate_splice(Rng *r, Buf *b, const size_t *ts, int nt)
{
    Buf other = {0};
    buf_puts(&other, PICK(r, corpus));
    size_t os[MAX_TOKENS], oe[MAX_TOKENS];
    int on = tokenize(&other, os, oe, MAX_TOKENS);
    size_t cut = nt ? ts[rng_below(r, (uint32_t)nt)] : 0;
    size_t from = on ? os[rng_below(r, (uint32_t)on)] : 0;
    b->len = cut;
    buf_putc(b, ' ');
    buf_append(b, other.p + from, other.len - from);
    buf_free(&other);
}

static void mutate_once(Rng *r, Buf *b)
{
    size_t ts[MAX_TOKENS], te[MAX_TOKENS];
    int nt = tokenize(b, ts, te, MAX_TOKENS);
    int t = nt ? (int)rng_below(r, (uint32_t)nt) : 0;
    uint32_t op = rng_pct(r, 65) ? rng_below(r, MUT_GRAMMAR_END + 1)
                                 : rng_below(r, MUT__COUNT);
    switch (op) {
    case MUT_SAME_CLASS:
        mutate_same_class(r, b, ts, te, nt, t);
        break;
    case MUT_WRAP:
        mutate_wrap(r, b, ts, te, nt, t);
        break;
    case MUT_FLIP:
        if (b->len) {
            size_t i = rng_below(r, (uint32_t)b->len);
            b->p[i] = rng_pct(r, 50) ? (char)(b->p[i] ^ (1 << rng_below(r, 8)))
                                     : (char)rng_below(r, 256);
        }
        break;
    case MUT_DELETE:
        buf_erase(b, rng_below(r, (uint32_t)b->len + 1),
                  1 + rng_below(r, 8));
        break;
    case MUT_DUP:
        if (b->len) {
            size_t s = rng_below(r, (uint32_t)b->len);
            size_t n = min_sz(1 + rng_below(r, 16), b->len - s);
            Buf t2 = {0};
            buf_append(&t2, b->p + s, n);
            buf_insert(b, random_pos(r, b, ts, nt), t2.p, t2.len);
            buf_free(&t2);
        }
        break;
    case MUT_INSERT_WORD:
        insert_spaced(b, random_pos(r, b, ts, nt), PICK(r, dict_words));
        break;
    case MUT_INSERT_LITERAL:
        insert_spaced(b, random_pos(r, b, ts, nt), PICK(r, dict_literals));
        break;
    case MUT_REPLACE_TOKEN:
        if (nt)
            replace_span(b, ts[t], te[t], rng_pct(r, 50)
                                              ? PICK(r, dict_words)
                                              : PICK(r, dict_literals));
        break;
    case MUT_REPLACE_NUMBER:
        for (int k = 0; k < nt; k++) {
            int i = (t + k) % nt;
            if (is_number_token(b, ts[i], te[i]) || b->p[ts[i]] == '\'') {
                replace_span(b, ts[i], te[i], PICK(r, dict_literals));
                break;
            }
        }
        break;
    case MUT_REPLACE_IDENT:
        if (nt && word_char((unsigned char)b->p[ts[t]]))
            replace_span(b, ts[t], te[t], PICK(r, dict_idents));
        break;
    case MUT_SWAP:
        if (nt >= 2) {
            int u = (int)rng_below(r, (uint32_t)nt);
            int lo = min_i(t, u), hi = t + u - lo;
            if (lo != hi) {
                Buf a = {0}, c = {0};
                buf_append(&a, b->p + ts[lo], te[lo] - ts[lo]);
                buf_append(&c, b->p + ts[hi], te[hi] - ts[hi]);
                buf_erase(b, ts[hi], te[hi] - ts[hi]);
                buf_insert(b, ts[hi], a.p, a.len);
                buf_erase(b, ts[lo], te[lo] - ts[lo]);
                buf_insert(b, ts[lo], c.p, c.len);
                buf_free(&a);
                buf_free(&c);
            }
        }
        break;
    case MUT_SPLICE:
        mutate_splice(r, b, ts, nt);
        break;
    case MUT_PARENS:
        mutate_parens(r, b, ts, te, nt);
        break;
    case MUT_TRUNCATE:
        if (b->len)
            b->len = rng_below(r, (uint32_t)b->len);
        b->p[b->len] = 0;
        break;
    case MUT_CHAIN:
        mutate_chain(r, b, ts, nt);
        break;
    case MUT_HUGE:
        mutate_huge(r, b, ts, nt);
        break;
    default: {
        const char *other = PICK(r, corpus);
        if (rng_pct(r, 50)) {
            buf_puts(b, "; ");
            buf_puts(b, other);
        } else {
            buf_insert(b, 0, "; ", 2);
            buf_insert(b, 0, other, strlen(other));
        }
        break;
    }
    }
    if (b->len > MAX_TEXT)
        b->len = MAX_TEXT;
    b->p[b->len] = 0;
}

/* ------------------------------------------------------------------------
 * Running a mutated script (invariants I3, I4, I7)
 * ------------------------------------------------------------------------ */

/* I3: the error on the handle matches `rc` and is well formed; the offset
 * is -1 or within the `text_len` bytes it refers to. */
static void check_error(int rc, const char *sql, size_t len, int text_len,
                        const char *what)
{
    int code = ember_errcode(db);
    const char *msg = ember_errmsg(db);
    int off = ember_error_offset(db);
    if (rc == EMBER_NOMEM)
        stats.nomem++;
    if (opt.verbose)
        fprintf(stderr, "  -> %s %s: %.200s\n", what, ember_status_name(rc),
                msg ? msg : "");
    if (code != rc)
        violation(sql, len, "%s returned %s but ember_errcode() is %s", what,
                  ember_status_name(rc), ember_status_name(code));
    if (strcmp(ember_status_name(rc), "EMBER_UNKNOWN") == 0)
        violation(sql, len, "%s returned unknown status %d", what, rc);
    if (rc == EMBER_INTERNAL || rc == EMBER_MISUSE)
        violation(sql, len, "%s failed with %s: %s", what,
                  ember_status_name(rc), msg ? msg : "(null)");
    if (msg == NULL || msg[0] == 0 || strcmp(msg, "not an error") == 0)
        violation(sql, len, "%s failed with %s but no message", what,
                  ember_status_name(rc));
    if (off < -1 || off > text_len)
        violation(sql, len, "%s: error offset %d outside the text (%d "
                  "bytes): %s", what, off, text_len, msg ? msg : "");
}

static int64_t pick_int(Rng *r)
{
    static const int64_t v[] = {0, 1, -1, 2, 7, 100, 32767, -32768,
                                2147483647, -2147483647 - 1, 2147483648LL,
                                INT64_MAX, INT64_MIN};
    return rng_pct(r, 80) ? v[rng_below(r, N_ELEMS(v))]
                          : (int64_t)rng_next(r);
}

static double pick_double(Rng *r)
{
    static const double v[] = {0.0, -0.0, 0.5, -1.5, 1e300, -1e-300, 1e19,
                               9.2e18, 3.0, 2147483647.5};
    switch (rng_below(r, 4)) {
    case 0:
        return (double)NAN;
    case 1:
        return rng_pct(r, 50) ? (double)INFINITY : -(double)INFINITY;
    default:
        return v[rng_below(r, N_ELEMS(v))];
    }
}

static const char *const bind_texts[] = {
    "", "a", "dup", "apple", "42", "-7", " 3 ", "1.5", "2020-02-29",
    "2020-02-30", "NaN", "true", "x,y", "it's", "\"q\"", "line\nbreak",
    "\xc3\xa9", "\xff\xfe", "%", "_", "\\", "9223372036854775808",
};

/* Bind every parameter (up to MAX_BINDS) to a random value; a bad index
 * must give EMBER_RANGE. */
static void bind_random(Rng *r, ember_stmt *st, const char *sql, size_t len)
{
    int n = ember_bind_parameter_count(st);
    for (int i = 1; i <= n && i <= MAX_BINDS; i++) {
        int rc;
        switch (rng_below(r, 5)) {
        case 0:
            rc = ember_bind_null(st, i);
            break;
        case 1:
            rc = ember_bind_int64(st, i, pick_int(r));
            break;
        case 2:
            rc = ember_bind_double(st, i, pick_double(r));
            break;
        default: {
            const char *t = PICK(r, bind_texts);
            rc = ember_bind_text(st, i, t, (int)strlen(t));
            break;
        }
        }
        if (rc != EMBER_OK)
            violation(sql, len, "binding parameter %d of %d: %s: %s", i, n,
                      ember_status_name(rc), ember_errmsg(db));
    }
    if (rng_pct(r, 5)) {
        int rc = ember_bind_int64(st, n + 1, 1);
        int rc0 = ember_bind_null(st, 0);
        if (rc != EMBER_RANGE || rc0 != EMBER_RANGE)
            violation(sql, len, "binding parameter %d / 0 of %d gave %s / "
                      "%s, not EMBER_RANGE", n + 1, n,
                      ember_status_name(rc), ember_status_name(rc0));
    }
}

/* Step through the rows, reading every column every way. Returns the last
 * step code: EMBER_DONE, an error, or EMBER_ROW when cut short. */
static int read_rows(ember_stmt *st, const char *sql, size_t len,
                     uint64_t *n_rows, uint64_t *sum)
{
    int n = ember_column_count(st);
    int rc;
    long rows = 0;
    *sum = 0;
    while ((rc = ember_step(st)) == EMBER_ROW) {
        n = ember_column_count(st);
        for (int c = 0; c < n; c++) {
            int is_null = ember_column_is_null(st, c);
            const char *t = ember_column_text(st, c);
            if ((t == NULL) != (is_null != 0)) {
                violation(sql, len, "row %ld column %d: is_null %d but "
                          "text %s", rows, c, is_null, t ? t : "NULL");
                return EMBER_DONE;
            }
            (void)ember_column_int64(st, c);
            (void)ember_column_double(st, c);
            (void)ember_column_type(st, c);
            if (ember_column_name(st, c) == NULL)
                violation(sql, len, "column %d of %d has no name", c, n);
        }
        *sum += row_hash(st, n, true);
        if (++rows >= MAX_ROWS_READ)
            break;
    }
    stats.rows_read += rows;
    *n_rows = (uint64_t)rows;
    return rc;
}

/* Queries whose rows may legitimately depend on the plan. */
static bool plan_dependent(const char *sql)
{
    static const char *const words[] = {"limit", "offset", "any_value",
                                        "string_agg", "group_concat",
                                        "pragma", "explain", "stats"};
    for (size_t i = 0; i < N_ELEMS(words); i++)
        if (strcasestr(sql, words[i]))
            return true;
    return false;
}

/* I8: a query gives the same rows (as a multiset, numbers compared to 9
 * digits) under another setting of a planner or executor knob. */
static void check_other_plan(Rng *r, const char *sql, size_t len,
                             uint64_t rows, uint64_t sum)
{
    static const char *const knobs[][2] = {
        {"threads", "1"},          {"threads", "3"},
        {"vector_size", "3"},      {"vector_size", "1"},
        {"enable_hashjoin", "off"}, {"join_order", "syntactic"},
        {"join_order", "greedy"},  {"enable_unnest", "off"},
        {"hash_partitions", "0"},  {"arena", "off"},
    };
    int k = (int)rng_below(r, N_ELEMS(knobs));
    char old[64];
    if (ember_get_setting(db, knobs[k][0], old, sizeof(old)) != EMBER_OK ||
        strcmp(old, knobs[k][1]) == 0)
        return;
    if (ember_set(db, knobs[k][0], knobs[k][1]) != EMBER_OK) {
        violation(NULL, 0, "cannot set %s = %s: %s", knobs[k][0],
                  knobs[k][1], ember_errmsg(db));
        return;
    }
    uint64_t rows2, sum2;
    bool ok = query_checksum_as(sql, true, &rows2, &sum2);
    if (!ok)
        violation(sql, len, "query fails with %s = %s: %s", knobs[k][0],
                  knobs[k][1], ember_errmsg(db));
    else if (rows2 != rows || sum2 != sum)
        violation(sql, len, "query gives other rows with %s = %s: %" PRIu64
                  " rows -> %" PRIu64 " rows", knobs[k][0], knobs[k][1],
                  rows, rows2);
    if (ember_set(db, knobs[k][0], old) != EMBER_OK)
        violation(NULL, 0, "cannot set %s back to %s", knobs[k][0], old);
}

/* Does the text start with `word` (after blanks and parentheses)? */
static bool starts_with_word(const char *s, const char *word)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '(')
        s++;
    return strncasecmp(s, word, strlen(word)) == 0;
}

/* Could the statement change table data? Statements that cannot are not
 * followed by a snapshot when they fail (the snapshots are the larger
 * part of the run time under ASan). */
static bool may_write(const char *sql)
{
    static const char *const words[] = {"INSERT", "UPDATE", "DELETE", "COPY",
                                        "CREATE", "DROP", "REPLACE",
                                        "EXPLAIN", "ALTER", "TRUNCATE"};
    for (size_t i = 0; i < N_ELEMS(words); i++)
        if (starts_with_word(sql, words[i]))
            return true;
    return false;
}

/* Run one prepared statement to the end and finalize it; check I3 / I4. */
static void run_prepared(Rng *r, ember_stmt *st)
{
    Buf text = {0};                    /* outlives the statement */
    const char *sql = ember_sql(st);
    buf_append(&text, sql ? sql : "", sql ? strlen(sql) : 0);
    int n_cols = ember_column_count(st);
    int n_params = ember_bind_parameter_count(st);
    bind_random(r, st, text.p, text.len);
    ctx_begin("ember_step", text.p, text.len);
    uint64_t rows, sum;
    int rc = read_rows(st, text.p, text.len, &rows, &sum);
    ctx_end();
    bool writes = may_write(text.p);
    if (rc == EMBER_ROW || rc == EMBER_DONE) {
        stats.stmt_ok++;
        if (starts_with_word(text.p, "SET") ||
            starts_with_word(text.p, "PRAGMA") ||
            starts_with_word(text.p, "RESET"))
            session_note(text.p);
        bool query = n_cols > 0 && !starts_with_word(text.p, "EXPLAIN");
        ember_finalize(st);
        if (query && rc == EMBER_DONE && n_params == 0 &&
            !plan_dependent(text.p) && rng_pct(r, 20))
            check_other_plan(r, text.p, text.len, rows, sum);
        if (query && rng_pct(r, 10))
            expect_unchanged(text.p, text.len, "a query");
        else if (!query && writes)
            snapshot_take(&snap);
    } else {
        stats.stmt_failed++;
        check_error(rc, text.p, text.len, (int)text.len, "ember_step");
        ember_finalize(st);
        if (writes || rng_pct(r, 10))
            expect_unchanged(text.p, text.len, "a failing statement");
    }
    buf_free(&text);
}

/* Run every statement of a text (at most MAX_SCRIPT_STMTS), as a shell
 * would: prepare, bind, step, finalize, go on at the tail after errors. */
static void run_script(Rng *r, const Buf *text)
{
    const char *p = text->p, *end = text->p + text->len;
    for (int k = 0; k < MAX_SCRIPT_STMTS && p < end; k++) {
        ember_stmt *st = NULL;
        const char *tail = NULL;
        int n = (int)(end - p);
        ctx_begin("ember_prepare", p, (size_t)n);
        int rc = ember_prepare(db, p, n, &st, &tail);
        ctx_end();
        if (tail == NULL || tail < p || tail > end) {
            violation(p, (size_t)n, "ember_prepare put the tail at %td, "
                      "outside the %d bytes", tail ? tail - p : -1, n);
            ember_finalize(st);
            return;
        }
        if (rc != EMBER_OK) {
            stats.stmt_failed++;
            if (st != NULL)
                violation(p, (size_t)n, "failed prepare gave a statement");
            check_error(rc, p, (size_t)n, n, "ember_prepare");
            /* the parser alone changes nothing; past it, check */
            if (k == 0 && rc != EMBER_SYNTAX && may_write(p))
                expect_unchanged(p, (size_t)n, "a failed prepare");
            if (tail == p)
                return;
            p = tail;
            continue;
        }
        if (st == NULL)
            return;                    /* only blanks and comments left */
        if (tail == p) {
            violation(p, (size_t)n, "ember_prepare made no progress");
            ember_finalize(st);
            return;
        }
        run_prepared(r, st);
        p = tail;
    }
}

static void fuzz_sql(Rng *r)
{
    Buf text = {0};
    buf_puts(&text, PICK(r, corpus));
    uint32_t dice = rng_below(r, 100);
    if (dice >= 10) {
        uint32_t n = dice < 55 ? 1 : 2 + rng_below(r, 3);
        for (uint32_t k = 0; k < n; k++)
            mutate_once(r, &text);
    }
    if (opt.verbose) {
        fprintf(stderr, "[%ld] ", stats.iters);
        print_escaped(stderr, text.p, text.len, 300);
    }
    run_script(r, &text);
    buf_free(&text);
}

/* ------------------------------------------------------------------------
 * Database lifetime and the known-answer check (I5)
 * ------------------------------------------------------------------------ */

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data ? data : "", 1, n, f) != n || fclose(f) != 0)
        fatal("cannot write %s/%s", scratch_dir, path);
}

static void open_db(void)
{
    ember_close(db);
    db = NULL;
    int rc = ember_open(":memory:", &db);
    if (rc != EMBER_OK)
        fatal("ember_open: %s", ember_status_name(rc));
    /* The same plan shapes and range splits on every machine. */
    session_log[0] = 0;
    must_exec("SET threads = 2");
    must_exec(schema_sql);
    snapshot_take(&snap);
    if (!snap.ok)
        fatal("cannot read the new schema: %s", snap.error);
    stats.reopens++;
}

/* The first row of `sql`, columns joined by '|'; false on error. */
static bool query_row(const char *sql, char *out, size_t cap)
{
    ember_stmt *st = NULL;
    out[0] = 0;
    ctx_begin("known-answer query", sql, strlen(sql));
    int rc = ember_prepare(db, sql, -1, &st, NULL);
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
    ctx_end();
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
        violation(sql, sizeof(sql) - 1, "the known query after %s returned "
                  "\"%s\" (%s), want \"%s\"", after, got, ember_errmsg(db),
                  want);
        open_db();
    }
}

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
        buf_printf(out, "%d", (int32_t)pick_int(r));
        break;
    case K_SMALL:
        buf_printf(out, "%d", (int)rng_below(r, 65536) - 32768);
        break;
    case K_BIG:
        buf_printf(out, "%" PRId64, pick_int(r));
        break;
    case K_DOUBLE: {
        double d = rng_pct(r, 70) ? ((double)(int64_t)rng_next(r)) / 1e9
                                  : pick_double(r);
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
    write_file(file, cc->data.p, cc->data.len);
    snprintf(sql, sizeof(sql), "COPY ct FROM '%s'%s", file,
             cc->fmt.options);
    uint64_t rows0, sum0, rows1, sum1;
    if (!query_checksum("SELECT * FROM ct", &rows0, &sum0)) {
        violation(sql, strlen(sql), "cannot read ct before COPY: %s",
                  ember_errmsg(db));
        return;
    }
    ember_stmt *st = NULL;
    ctx_begin("COPY", sql, strlen(sql));
    int rc = ember_prepare(db, sql, -1, &st, NULL);
    if (rc == EMBER_OK)
        rc = ember_step(st);
    ember_finalize(st);
    ctx_end();
    int64_t changes = ember_changes(db);
    if (!query_checksum("SELECT * FROM ct", &rows1, &sum1)) {
        violation(sql, strlen(sql), "cannot read ct after COPY: %s",
                  ember_errmsg(db));
        return;
    }
    uint64_t lines = count_newlines(&cc->data) + 1;
    if (rc == EMBER_DONE) {
        stats.copy_ok++;
        uint64_t added = rows1 - rows0;
        if (rows1 < rows0 || (int64_t)added != changes || added > lines)
            violation(sql, strlen(sql), "COPY succeeded: %" PRIu64 " -> %"
                      PRIu64 " rows, ember_changes %" PRId64 ", file has %"
                      PRIu64 " lines", rows0, rows1, changes, lines);
        if (control && added != cc->n_rows)
            violation(sql, strlen(sql), "valid file of %u rows loaded %"
                      PRIu64, cc->n_rows, added);
        if (exact_line > 0)
            violation(sql, strlen(sql), "COPY accepted a bad field at "
                      "line %" PRIu64 " field %d", exact_line, exact_col);
        snapshot_take(&snap);
        return;
    }
    stats.copy_failed++;
    const char *msg = ember_errmsg(db);
    check_error(rc, sql, strlen(sql), (int)strlen(sql), "COPY");
    if (rows0 != rows1 || sum0 != sum1)
        violation(sql, strlen(sql), "failed COPY changed ct: %" PRIu64
                  " -> %" PRIu64 " rows", rows0, rows1);
    uint64_t line = 0;
    int col = 0;
    if (rc != EMBER_NOMEM && !parse_location(msg, file, &line, &col))
        violation(sql, strlen(sql), "COPY error without \"%s:line:\": %s",
                  file, msg);
    else if (rc != EMBER_NOMEM && (line < 1 || line > lines))
        violation(sql, strlen(sql), "COPY error at line %" PRIu64
                  " of a %" PRIu64 "-line file: %s", line, lines, msg);
    else if (exact_line > 0 && (line != exact_line || col != exact_col))
        violation(sql, strlen(sql), "bad field is at %" PRIu64 ":%d, "
                  "error says: %s", exact_line, exact_col, msg);
    if (control)
        violation(sql, strlen(sql), "a valid file failed to load: %s", msg);
    expect_unchanged(sql, strlen(sql), "a failed COPY");
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
    if (exec_one("cleanup", "DELETE FROM ct") != EMBER_OK)
        violation(NULL, 0, "DELETE FROM ct failed: %s", ember_errmsg(db));
    snapshot_take(&snap);
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
    int rc = ember_prepare(db, row->sql.p, -1, &st, NULL);
    for (int k = 0; k < 2 && rc == EMBER_OK; k++)
        rc = row->is_null[k] ? ember_bind_null(st, k + 1)
                             : ember_bind_text(st, k + 1, row->str[k].p,
                                               (int)row->str[k].len);
    ctx_begin("round-trip INSERT", row->sql.p, row->sql.len);
    if (rc == EMBER_OK)
        rc = ember_step(st);
    ctx_end();
    ember_finalize(st);
    if (rc != EMBER_DONE)
        violation(row->sql.p, row->sql.len, "round-trip INSERT failed: %s",
                  ember_errmsg(db));
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
    must_exec(ddl.p);
    uint32_t n = 1 + rng_below(r, 40);
    for (uint32_t i = 0; i < n; i++)
        roundtrip_insert(r, &f, &row);
    char out[160], in[160];
    snprintf(out, sizeof(out), "COPY rt TO 'fz_rt.%s'%s", f.ext, f.options);
    snprintf(in, sizeof(in), "COPY rt2 FROM 'fz_rt.%s'%s", f.ext, f.options);
    int rc = exec_one("COPY TO", out);
    if (rc != EMBER_OK)
        violation(out, strlen(out), "COPY TO failed: %s", ember_errmsg(db));
    else if ((rc = exec_one("COPY FROM", in)) != EMBER_OK)
        violation(in, strlen(in), "reading back what COPY TO wrote "
                  "failed: %s", ember_errmsg(db));
    uint64_t ra, sa, rb, sb;
    if (rc == EMBER_OK && query_checksum("SELECT * FROM rt", &ra, &sa) &&
        query_checksum("SELECT * FROM rt2", &rb, &sb) &&
        (ra != rb || sa != sb))
        violation(in, strlen(in), "round trip changed the rows: %" PRIu64
                  " rows -> %" PRIu64 " rows, checksum %016" PRIx64
                  " -> %016" PRIx64 " (format %s%s)", ra, rb, sa, sb, f.ext,
                  f.options);
    stats.roundtrips++;
    snapshot_take(&snap);
    buf_free(&ddl);
    buf_free(&row.sql);
    buf_free(&row.str[0]);
    buf_free(&row.str[1]);
}

static void fuzz_copy(Rng *r, long n)
{
    if (n % 10 == 9)
        fuzz_copy_big(r);
    else if (n % 5 == 2)
        fuzz_roundtrip(r);
    else
        fuzz_copy_small(r);
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
    opt.seed = 1;
    opt.iters = DEFAULT_ITERS;
    opt.seconds = DEFAULT_SECONDS;
    opt.hang = DEFAULT_HANG;
    opt.mem_mb = DEFAULT_MEM_MB;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0) {
            opt.verbose = true;
            continue;
        }
        if (strcmp(a, "-schema") == 0) {
            /* the tables every reproducer runs on */
            printf("%s\n", schema_sql);
            exit(0);
        }
        if (v == NULL)
            usage();
        i++;
        if (strcmp(a, "-seed") == 0)
            opt.seed = strtoull(v, NULL, 0);
        else if (strcmp(a, "-iters") == 0)
            opt.iters = strtol(v, NULL, 0);
        else if (strcmp(a, "-seconds") == 0)
            opt.seconds = strtod(v, NULL);
        else if (strcmp(a, "-hang") == 0)
            opt.hang = strtod(v, NULL);
        else if (strcmp(a, "-mem") == 0)
            opt.mem_mb = strtol(v, NULL, 0);
        else
            usage();
    }
}

/* A scratch directory to work in; mutated COPY statements write files
 * with mutated relative names, and they all land here. */
static void enter_scratch_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch_dir, sizeof(scratch_dir), "%s/fuzz_smoke.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(scratch_dir) == NULL || chdir(scratch_dir) != 0)
        fatal("cannot create a scratch directory in %s", scratch_dir);
    static const char csv[] =
        "10,1,\"hello, world\",1.5,2020-01-01\n"
        "11,,\"quote \"\"x\"\"\",,2021-12-31\n"
        "12,3,plain,-0.001,\n";
    static const char tbl[] = "20|1|tbl note|2.5|2020-02-02|\n"
                              "21|2||3|1999-09-09|\n";
    write_file("fz_in.csv", csv, sizeof(csv) - 1);
    write_file("fz_in.tbl", tbl, sizeof(tbl) - 1);
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
        rmdir(scratch_dir);
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
        fatal("cannot start the watchdog thread");
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
    for (long i = 0; i < opt.iters; i++, done++) {
        if ((double)(now_ns() - t0) / 1e9 > opt.seconds) {
            capped = true;
            break;
        }
        if (n_kinds >= MAX_VIOLATIONS)
            break;
        stats.iters = i;
        /* each iteration has its own stream: -v output stays comparable */
        Rng r = {mix64(opt.seed * 0x9e3779b97f4a7c15ULL + (uint64_t)i)};
        if ((i > 0 && i % REOPEN_EVERY == 0) || snap.big || !snap.ok)
            open_db();
        fuzz_sql(&r);
        health_check("a mutated statement");
        if (i % COPY_EVERY == COPY_EVERY - 1) {
            fuzz_copy(&r, copy_cases++);
            health_check("a COPY case");
        }
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    ember_close(db);
    leave_scratch_dir();
    printf("fuzz_smoke: seed %" PRIu64 ", %ld iterations in %.1f s%s: "
           "statements %ld ok / %ld failed, COPY %ld ok / %ld failed "
           "(%ld round trips), %ld rows read, %ld NOMEM, %ld reopens, "
           "%ld violations of %d kinds\n",
           opt.seed, done, secs,
           capped ? " (stopped by the -seconds cap)" : "", stats.stmt_ok,
           stats.stmt_failed, stats.copy_ok, stats.copy_failed,
           stats.roundtrips, stats.rows_read, stats.nomem, stats.reopens,
           stats.violations, n_kinds);
    for (int k = 0; k < n_kinds; k++)
        if (kind_hits[k] > 1)
            printf("  violation %d happened %ld times\n", k + 1,
                   kind_hits[k]);
    return stats.violations ? 1 : 0;
}
