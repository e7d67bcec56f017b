/*
 * slt.h -- internal interface of ember-slt, the sqllogictest runner.
 *
 * The runner has three parts, one per file:
 *
 *   slt_parse.c   reads a script and cuts it into records (SltReader,
 *                 SltRecord); knows the file format, nothing of ember.
 *   slt_render.c  turns result values into the strings the format compares
 *                 (SltValues), sorts them and hashes them with MD5.
 *   slt_run.c     runs the records of one file on a fresh ember database,
 *                 compares, checks labels and reports failures.
 *
 * main.c reads the command line and sums the counts of every file. The
 * runner talks to ember only through include/ember.h. Tools are not the
 * core library: they use plain malloc, and slt_xmalloc() ends the process
 * when memory runs out.
 */
#ifndef SLT_H
#define SLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ember.h"

/* The reference runner compares only this many characters of a label. */
#define SLT_LABEL_MAX 20

/* Most skipif/onlyif prefixes one record may carry. */
#define SLT_MAX_CONDS 16

/* Hash threshold used until a hash-threshold record says otherwise. */
#define SLT_DEFAULT_HASH_THRESHOLD 8

/* ---------------------------------------------------------------- memory */

void *slt_xmalloc(size_t size);
void *slt_xrealloc(void *ptr, size_t size);

/* ---------------------------------------------------------------- parser */

typedef enum SltKind {
    SLT_STATEMENT,      /* statement ok / statement error */
    SLT_QUERY,          /* query <types> [<sort> [<label>]] */
    SLT_HASH_THRESHOLD, /* hash-threshold <N> */
    SLT_HALT,           /* halt */
    SLT_BAD             /* unknown or malformed; SltRecord.error says why */
} SltKind;

typedef enum SltSort {
    SLT_NOSORT,   /* keep the engine's order */
    SLT_ROWSORT,  /* sort whole rows, column by column, with strcmp */
    SLT_VALUESORT /* sort every value on its own */
} SltSort;

/* One skipif/onlyif prefix. `engine` points into the script text and is
 * not NUL-terminated. */
typedef struct SltCond {
    bool only;          /* true: onlyif, false: skipif */
    const char *engine; /* the second word of the prefix line */
    size_t engine_len;  /* its length */
} SltCond;

/*
 * One record of a script, as the parser understood it. Every pointer refers
 * to storage owned by the SltReader that produced the record and stays valid
 * until the next slt_reader_next() or slt_reader_close().
 */
typedef struct SltRecord {
    SltKind kind;        /* what the record is */
    int line;            /* line number of the command line (1-based) */
    const char *command; /* the command line, e.g. "query II rowsort" */
    SltCond conds[SLT_MAX_CONDS]; /* skipif/onlyif prefixes, in order */
    int n_conds;                  /* number of prefixes */
    bool expect_error;            /* statement error (false: statement ok) */
    const char *types; /* query: one letter per column, not NUL-ended */
    int n_cols;        /* query: number of type letters */
    SltSort sort;      /* query: sort mode */
    char label[SLT_LABEL_MAX + 1]; /* query: label, "" when none */
    long threshold;                /* hash-threshold: the new value */
    const char *sql;       /* statement/query text, lines joined with \n */
    const char **expected; /* lines after "----" (query: split at tabs) */
    int n_expected;        /* number of expected values */
    bool has_results;      /* a "----" line was present */
    char error[160];       /* SLT_BAD: what is wrong, without file:line */
} SltRecord;

/*
 * A script loaded into memory and cut into lines, with the read position
 * and the scratch buffers records point into. Create with
 * slt_reader_open(), release with slt_reader_close().
 */
typedef struct SltReader {
    const char *path;    /* the file, as given */
    char *text;          /* the whole file; lines are NUL-ended in place */
    char **lines;        /* lines[i] is line i + 1, without "\n" or "\r" */
    int n_lines;         /* number of lines */
    int pos;             /* index of the next line to read */
    char **rec_lines;    /* scratch: lines of the current record */
    int *rec_line_nos;   /* scratch: their line numbers */
    int rec_cap;         /* capacity of rec_lines and rec_line_nos */
    char *sql;           /* scratch: joined SQL of the current record */
    size_t sql_cap;      /* capacity of sql */
    const char **values; /* scratch: expected values of the record */
    int values_cap;      /* capacity of values */
} SltReader;

/* Load `path`. Returns false and writes the reason to `err` when the file
 * cannot be read; the reader then needs no close. */
bool slt_reader_open(SltReader *rd, const char *path, char *err,
                     size_t err_cap);

/* Parse the next record into *rec. Returns false at the end of the file.
 * Malformed records come back as SLT_BAD, never as an error. */
bool slt_reader_next(SltReader *rd, SltRecord *rec);

void slt_reader_close(SltReader *rd);

/* ------------------------------------------------------------ rendering */

/*
 * A list of rendered values. The strings live one after the other in `buf`
 * in the order they were added; `v` (built by slt_values_finish) points at
 * them and is what sorting reorders, so the added order stays available in
 * `buf`/`offs` for display.
 */
typedef struct SltValues {
    char *buf;      /* NUL-terminated values, back to back */
    size_t len;     /* bytes used in buf */
    size_t cap;     /* bytes allocated for buf */
    size_t *offs;   /* offs[i]: start of value i in buf */
    int n;          /* number of values */
    int n_cap;      /* capacity of offs */
    const char **v; /* finish/sort: value pointers in compare order */
} SltValues;

void slt_values_init(SltValues *vals);
void slt_values_release(SltValues *vals);
void slt_values_clear(SltValues *vals);
void slt_values_add(SltValues *vals, const char *s, size_t n);

/* Append the rendering of column `col` of the current row of `stmt` as
 * the type letter `type` ('I', 'R' or 'T') asks. */
void slt_render_value(SltValues *vals, ember_stmt *stmt, int col, char type);

/* Build `v` in added order. Must be called after the last add. */
void slt_values_finish(SltValues *vals);

/* Reorder `v` for `sort`; rows have `n_cols` values. A rowsort of a list
 * that is not whole rows is left as it is. */
void slt_values_sort(SltValues *vals, SltSort sort, int n_cols);

/* MD5 of "v[0]\nv[1]\n...v[n-1]\n" as 32 lowercase hex digits. */
void slt_values_md5(const SltValues *vals, char hex[33]);

/* The value added as number i (display order). */
const char *slt_values_added(const SltValues *vals, int i);

/* Parse "N values hashing to <32 hex>". On success sets *n and hex
 * (lowercased) and returns true. */
bool slt_parse_hash_line(const char *s, long *n, char hex[33]);

/* ---------------------------------------------------------------- runner */

/* What the command line asked for. */
typedef struct SltOptions {
    const char **names;      /* engine names we answer to; names[0] "ember" */
    int n_names;             /* at least 1 */
    long ht_override;        /* hash threshold from --ht, or -1 */
    bool verbose;            /* print each record before it runs */
    bool stop;               /* stop at the first failure */
    const char **set_names;  /* ember_set() calls after each open */
    const char **set_values; /* the values, same order */
    int n_sets;              /* number of settings */
    const char *known_path;  /* --known FILE, or NULL */
    struct SltKnown *known;  /* records expected to fail, with reasons */
    int n_known;
} SltOptions;

/* A record listed in a --known file: it is expected to fail (for a stated
 * reason); it counts as a known failure, and passing is a failure. */
typedef struct SltKnown {
    char *file;              /* file name as listed (a path suffix) */
    int line;
    char *reason;
    bool seen;
} SltKnown;

/* Load a --known file: lines "FILE:LINE reason", # comments. */
bool slt_load_known(SltOptions *opt, const char *path);

/* Records counted over one file or the whole run. */
typedef struct SltCounts {
    long passed;  /* ran and matched */
    long failed;  /* ran and did not match, or malformed */
    long skipped; /* excluded by skipif/onlyif */
    long known;   /* failed as listed in the --known file */
} SltCounts;

/* Run one script on a fresh in-memory database, print its failures and its
 * summary line, and add its counts to *total. Returns false when the run
 * must stop (--stop after a failure, or a setting ember refused). */
bool slt_run_file(const SltOptions *opt, const char *path, SltCounts *total);

#endif /* SLT_H */
