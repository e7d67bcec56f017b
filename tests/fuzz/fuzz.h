/*
 * fuzz.h -- shared by the files of the fuzz smoke test (tests/fuzz/):
 * fuzz_smoke.c (driver, watchdog, invariant checks), fuzz_sql.c (the SQL
 * corpus and mutator), fuzz_copy.c (COPY files) and fuzz_util.c (byte
 * buffers and small helpers). See fuzz_smoke.c for what is tested.
 *
 * Names: fz_* are the harness's own cross-file functions and globals;
 * buf_* and rng_* belong to the Buf and Rng helpers below.
 */
#ifndef EMBER_FUZZ_H
#define EMBER_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ember.h"

#define MAX_ROWS_READ 20000    /* rows read from one result */
#define MAX_TABLE_ROWS 4000    /* reopen when a table grows past this */
#define MAX_TABLES 24          /* tables checksummed; reopen beyond */
#define MAX_SCRIPT_STMTS 6     /* statements run from one mutated text */
#define MAX_TEXT (256 * 1024)  /* mutated SQL text is cut here */
#define MAX_BINDS 40           /* parameters bound per statement */

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------
 * PRNG (splitmix64): every choice of a run comes from one seed
 * ------------------------------------------------------------------------ */

typedef struct Rng {
    uint64_t s;
} Rng;

static inline uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t rng_below(Rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

static inline bool rng_pct(Rng *r, uint32_t pct)
{
    return rng_below(r, 100) < pct;
}

static inline const char *rng_pick(Rng *r, const char *const *list,
                                   size_t n)
{
    return list[rng_below(r, (uint32_t)n)];
}
#define PICK(r, list) rng_pick((r), (list), N_ELEMS(list))

/* ------------------------------------------------------------------------
 * Byte buffers (fuzz_util.c)
 * ------------------------------------------------------------------------ */

/* Bytes with an explicit length (they may hold NULs); always followed by
 * a NUL so that the text can also be printed. A zeroed Buf is empty;
 * buf_free releases it. Out of memory exits the process. */
typedef struct Buf {
    char *p;
    size_t len;
    size_t cap;
} Buf;

void buf_insert(Buf *b, size_t pos, const char *s, size_t n);
void buf_append(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_erase(Buf *b, size_t pos, size_t n);
void buf_set(Buf *b, const char *s, size_t n);
void buf_free(Buf *b);

/* ------------------------------------------------------------------------
 * Small helpers (fuzz_util.c)
 * ------------------------------------------------------------------------ */

/* Print bytes as a C string literal (octal escapes, so a following digit
 * cannot extend them), cut at `max` bytes, and a newline. */
void fz_print_escaped(FILE *f, const char *s, size_t n, size_t max);
uint64_t fz_mix64(uint64_t z);
uint64_t fz_fnv(uint64_t h, const void *p, size_t n);
/* Edge values for binds and generated data. */
int64_t fz_pick_int(Rng *r);
double fz_pick_double(Rng *r);
/* Does the text start with `word` (after blanks and parentheses)? */
bool fz_starts_with_word(const char *s, const char *word);
/* Write a file in the scratch directory; exits on failure. */
void fz_write_file(const char *path, const char *data, size_t n);

/* ------------------------------------------------------------------------
 * Run state, reporting and invariant checks (fuzz_smoke.c)
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
    long iters;                /* the iteration running (from 0) */
    long stmt_ok;
    long stmt_failed;
    long copy_ok;
    long copy_failed;
    long roundtrips;
    long plan_checks;          /* I8 re-runs under another setting */
    long nomem;
    long reopens;
    long rows_read;
    long violations;
} Stats;

extern Options fz_opt;
extern Stats fz_stats;
extern ember_db *fz_db;        /* the database under test */
extern char fz_scratch_dir[256];

/* Mark the start and end of an engine call for the watchdog and the crash
 * report; the text is copied. */
void fz_ctx_begin(const char *what, const char *sql, size_t len);
void fz_ctx_end(void);
/* Remember a SET / PRAGMA that succeeded: part of any reproducer. */
void fz_session_note(const char *sql);

/* Report an invariant violation caused by `sql` (may be NULL). */
void fz_violation(const char *sql, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A failure of the harness itself (setup): print and exit 2. */
void fz_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a script that must succeed / one that may fail (its code). */
void fz_must_exec(const char *sql);
int fz_exec_one(const char *what, const char *sql);

/* Hash of the current row of st; `loose` cuts numbers with a fraction to
 * 9 significant digits. */
uint64_t fz_row_hash(ember_stmt *st, int n_cols, bool loose);
/* Row count and order-independent checksum of every row of `sql`; false
 * when the query fails. */
bool fz_checksum_as(const char *sql, bool loose, uint64_t *rows,
                    uint64_t *sum);
bool fz_checksum(const char *sql, uint64_t *rows, uint64_t *sum);

/* Every table with its row count and checksum. */
typedef struct TableSum {
    char name[160];
    uint64_t rows;
    uint64_t sum;
} TableSum;

typedef struct Snapshot {
    int n;
    bool ok;                   /* false when the tables could not be listed */
    bool big;                  /* too many tables or rows: reopen soon */
    char error[300];
    TableSum t[MAX_TABLES];
} Snapshot;

extern Snapshot fz_snap;       /* the database as last seen */
void fz_snapshot_take(Snapshot *s);
/* The statement whose effect the next snapshots check (NULL: unknown).
 * The 100,000-row table "big" is summarized again only when it is named
 * there; otherwise its entry is copied from fz_snap. */
void fz_snapshot_hint(const char *sql);
/* I4: the statement `sql` must not have changed anything since fz_snap;
 * fz_snap is then retaken. */
void fz_expect_unchanged(const char *sql, size_t len, const char *what);
/* I3: the error on the handle matches `rc` and is well formed; the offset
 * is -1 or within the `text_len` bytes it refers to. */
void fz_check_error(int rc, const char *sql, size_t len, int text_len,
                    const char *what);

/* ------------------------------------------------------------------------
 * The cases
 * ------------------------------------------------------------------------ */

/* The schema every database starts with (fuzz_sql.c). */
extern const char fz_schema_sql[];
/* One mutated SQL text, run to the end (fuzz_sql.c). */
void fuzz_sql(Rng *r);
/* The n-th COPY case (fuzz_copy.c). */
void fuzz_copy(Rng *r, long n);
/* Names of the files fz_schema_sql's corpus loads (fuzz_sql.c). */
void fz_write_corpus_files(void);

#endif /* EMBER_FUZZ_H */
