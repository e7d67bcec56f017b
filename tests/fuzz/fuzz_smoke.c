/*
 * fuzz_smoke.c -- a bounded, deterministic fuzz smoke test of the whole
 * engine, through the public API only (include/ember.h).
 *
 * Makefile rule (the fuzzer is one file; it needs only the library):
 *
 *   $(OUT)/tests/fuzz_smoke: tests/fuzz/fuzz_smoke.c $(OUT)/libember.a
 *           @mkdir -p $(dir $@)
 *           $(CC) $(CFLAGS_ALL) $(LDFLAGS_V) -o $@ $^ $(TOOL_LIBS)
 *
 * and add $(OUT)/tests/fuzz_smoke to TEST_TOOLS. Run it from any
 * directory: it works in a scratch directory of its own under $TMPDIR
 * (or /tmp), removed at the end.
 *
 * What it does, per iteration (all choices come from one seeded PRNG, so
 * a run is reproducible from its seed and iteration count):
 *
 *   1. SQL. A statement from a corpus of valid statements over a small
 *      schema (every column type, a primary key, a unique key, NOT NULL,
 *      an index, a view) is mutated: byte flips, deletions, duplications,
 *      insertions of keywords, operators and edge literals (NULL, -1,
 *      2147483647, 9223372036854775807, '', DATE '2020-02-30', 400-digit
 *      numbers, 10 kB strings), deep parentheses, token swaps and splices
 *      of two statements. The text (which may now hold several statements)
 *      is run with ember_prepare / ember_bind_* / ember_step in a loop over
 *      the tail pointer, reading every column of every row through every
 *      accessor.
 *   2. COPY, every COPY_EVERY iterations. A valid CSV or .tbl file for a
 *      table with every column type is generated, mutated (bad numbers,
 *      wrong field counts, stray quotes, embedded newlines, truncation,
 *      invalid UTF-8, NUL bytes, huge fields, blank lines, CRLF, trailing
 *      delimiters) and loaded; sometimes a 2 MiB file, so the parallel
 *      range split runs; sometimes a COPY TO / COPY FROM round trip of
 *      nasty strings.
 *
 * Invariants checked (a failure is a "violation", reported with the SQL
 * that caused it; the exit status is 1 if there was any):
 *
 *   I1. Nothing crashes, trips a sanitizer or an assert (the process dies;
 *       a death callback prints the statement that was running).
 *   I2. No statement runs longer than -hang seconds, and the process stays
 *       under -mem MiB of resident memory (a watchdog thread prints the
 *       statement and exits with status 3).
 *   I3. Errors are well formed: the returned code equals ember_errcode(),
 *       has a name, is not EMBER_INTERNAL or EMBER_MISUSE, the message is
 *       not empty, and ember_error_offset() is -1 or inside the text.
 *   I4. A statement that fails changes nothing: the contents (an
 *       order-independent checksum of every row) of every table, and the
 *       list of tables, are the same before and after. A query that
 *       returns rows changes nothing either.
 *   I5. The connection still works after every iteration: a known query
 *       returns its known answer.
 *   I6. A failing COPY FROM names the file and the line ("file:N:") with N
 *       within the file, and leaves the table unchanged; a successful one
 *       adds as many rows as ember_changes() says, and no more than the
 *       file has lines; an unmutated file loads exactly; an error placed
 *       on one line of a quote-free file is reported at that line; COPY TO
 *       then COPY FROM gives back the same rows.
 *   I7. The prepare loop makes progress: the tail pointer stays inside
 *       the text and moves forward.
 *
 * Usage: fuzz_smoke [-seed N] [-iters N] [-seconds S] [-hang S] [-mem MiB]
 *                   [-v]
 * Defaults: seed 1, DEFAULT_ITERS iterations (about 20 s under ASan on two
 * cores), a 120 s safety cap (a run that hits it says so), hang 10 s.
 */
#include <errno.h>
#include <inttypes.h>
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
#include <time.h>
#include <unistd.h>

#include "ember.h"

/* TUNING: 2000 iterations take about 20 s under ASan + UBSan on two cores
 * (measured on the 2-core CI box: 18-22 s over seeds 1..5). */
#define DEFAULT_ITERS 2000
#define DEFAULT_SECONDS 120
#define DEFAULT_HANG 10
#define DEFAULT_MEM_MB 4096

#define COPY_EVERY 4           /* one COPY case per this many iterations */
#define REOPEN_EVERY 150       /* fresh database, so state cannot drift */
#define MAX_ROWS_READ 20000    /* rows read from one result */
#define MAX_TABLE_ROWS 5000    /* reopen when a table grows past this */
#define MAX_TABLES 24
#define MAX_VIOLATIONS 40      /* stop reporting after this many */
#define MAX_SCRIPT_STMTS 8     /* statements run from one mutated text */
#define MAX_TEXT (256 * 1024)  /* mutated SQL text is cut here */

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif

/* Declared weak so the same file links without the sanitizer runtime. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
    __attribute__((weak));

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

/* Bytes with an explicit length (may hold NULs); always NUL-terminated. */
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

static void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    buf_append(b, tmp, (size_t)MIN_INT(n, (int)sizeof(tmp) - 1));
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
