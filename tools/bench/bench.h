/*
 * bench.h -- ember-bench internals, shared by its files:
 *
 *   main.c       command line, subcommand dispatch, small helpers
 *   run.c        one measured run of a SQL script, the environment header
 *                and the result lines in Go benchmark format
 *   workload.c   the `tpch` and `sql` subcommands
 *   benchfmt.c   reading Go benchmark format files
 *   compare.c    the `compare` subcommand: tables, tests, the regression gate
 *   display.c    number scaling, UTF-8 widths, footnote markers
 *
 * The tool links libember.a and uses the public API (include/ember.h) to
 * run queries, plus obs/stats.h for the statistics. Memory is plain
 * malloc: x* helpers exit with status 2 when it runs out.
 */
#ifndef EMBER_BENCH_H
#define EMBER_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ember.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses of every subcommand. */
enum {
    BENCH_EXIT_OK = 0,        /* ran; compare: no regression over the gate */
    BENCH_EXIT_FAIL = 1,      /* a query failed or returned nothing;
                                 compare: a regression over --fail-over */
    BENCH_EXIT_USAGE = 2,     /* bad command line, unreadable input, setup
                                 error */
};

/* ------------------------------------------------------------------------
 * main.c: helpers
 * ------------------------------------------------------------------------ */

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* Read a whole file (NUL-terminated); NULL with errno set on failure. */
char *read_file(const char *path);
/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value, advancing *i
 * past it; NULL when argv[*i] is not that option. Exits with status 2
 * when the value is missing. */
const char *opt_value(int argc, char **argv, int *i, const char *name);
/* Parse an integer / a number option or exit with status 2. */
int parse_int_opt(const char *name, const char *s, int lo, int hi);
double parse_double_opt(const char *name, const char *s, double lo,
                        double hi);
/* Print "ember-bench: " and the message to stderr. */
void bench_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------------
 * run.c: measured runs and result lines
 * ------------------------------------------------------------------------ */

/* Options shared by the workloads. */
typedef struct RunOptions {
    int threads;              /* 0: the engine's default */
    int count;                /* timed runs per benchmark */
    int warmup;               /* untimed runs first */
    const char **sets;        /* "name=value" for ember_set, in order */
    int n_sets;
} RunOptions;

/* Where the numbers of a run come from. */
typedef struct RunSource {
    bool profile;             /* setting `profiling` is on: allocations,
                                 CPU time and lock waits from the query
                                 profile (ember_stmt_profile) */
} RunSource;

/* One measured run of a script (one or more statements). */
typedef struct RunResult {
    uint64_t wall_ns;         /* first prepare to last finalize */
    uint64_t allocs;          /* allocator calls */
    uint64_t bytes;           /* bytes requested */
    uint64_t cpu_ns;          /* CPU time of all threads */
    uint64_t lock_wait_ns;    /* waits on contended locks */
    bool has_lock_wait;       /* lock_wait_ns was measured */
    uint64_t rows;            /* rows returned, all statements */
    int n_queries;            /* statements that return columns */
} RunResult;

/* Open an in-memory database with the options' thread count and settings
 * applied, in that order. Returns EMBER_OK and the handle, the resulting
 * thread count and the metric source; on failure prints why, closes the
 * handle and returns the error. */
int bench_open(const RunOptions *o, ember_db **out, int *threads,
               RunSource *src);

/* Run every statement of `sql`, reading every value of every row as text,
 * and measure it. Returns EMBER_OK, or the failing status with the message
 * written to err. */
int bench_run(ember_db *db, const RunSource *src, const char *sql,
              RunResult *r, char *err, size_t cap);

/* The configuration lines: goos, goarch, pkg, cpu, engine, version,
 * threads, commit, then `extra` lines (each "key: value"), and the Unit
 * lines of the custom units. */
void bench_print_header(const char *pkg, int threads, const RunSource *src,
                        const RunOptions *o, const char *const *extra,
                        int n_extra);

/* One result line: name, 1 iteration, then the metrics. `load` lines
 * (data generation, setup) carry time, allocations and CPU only. */
void bench_print_result(const char *name, const RunResult *r, bool load);

/* The directory of the running executable ("" if unknown). */
const char *bench_exe_dir(void);

/* ------------------------------------------------------------------------
 * workload.c
 * ------------------------------------------------------------------------ */

int cmd_tpch(int argc, char **argv);
int cmd_sql(int argc, char **argv);

/* ------------------------------------------------------------------------
 * benchfmt.c: Go benchmark format
 * ------------------------------------------------------------------------ */

/* A configuration key and the first value it had in a file. */
typedef struct ConfigKV {
    char *key;
    char *value;
} ConfigKV;

typedef struct BenchFile {
    char *label;              /* column name: the path or LABEL= prefix */
    char *path;
    ConfigKV *config;
    int n_config;
    int n_results;            /* result lines read */
} BenchFile;

/* Unit metadata: defaults, or from `Unit` lines. */
typedef struct UnitInfo {
    char *name;               /* as written: "ns/op" */
    bool higher_better;       /* better=higher */
    bool exact;               /* assume=exact */
    bool better_set;          /* given by a Unit line */
    bool assume_set;
} UnitInfo;

/* One measurement: a value of a unit in a result line. */
typedef struct Measurement {
    int file;
    int bench;
    int unit;
    double value;
} Measurement;

/* Everything read from the files. Benchmarks and units are numbered in
 * order of first appearance across files. */
typedef struct BenchSet {
    BenchFile *files;
    int n_files;
    char **benches;           /* full names, "BenchmarkTPCH/SF1/Q05-1" */
    int n_benches;
    UnitInfo *units;
    int n_units;
    Measurement *m;
    size_t n_m;
    size_t cap_m;
} BenchSet;

/* Read one file into the set. `arg` is PATH or LABEL=PATH. Returns 0, or
 * -1 after printing why (unreadable file, conflicting Unit metadata).
 * Malformed result lines are reported on stderr and skipped. */
int benchset_read(BenchSet *s, const char *arg);
void benchset_free(BenchSet *s);

/* ------------------------------------------------------------------------
 * display.c
 * ------------------------------------------------------------------------ */

/* How values of one table are shown: value / factor, with `decimals`
 * digits and the prefix ("m", "Ki") before the display unit. */
typedef struct Scale {
    double factor;
    const char *prefix;
    int decimals;
} Scale;

/* The display unit of a unit and the factor from its values to it:
 * "ns/op" -> "sec/op" (1e-9), "cpu-ns/op" -> "cpu-sec/op", "MB/s" ->
 * "B/s" (1e6); anything else is kept (factor 1). Writes into buf. */
double unit_tidy(const char *unit, char *buf, size_t cap);
/* Binary prefixes for byte units (Ki, Mi), decimal otherwise; time units
 * never go above seconds. */
Scale scale_for(const double *values, int n, const char *display_unit);
/* Format v (in display units) with the scale into buf; returns buf. */
char *scale_format(const Scale *sc, double v, char *buf, size_t cap);
/* Display width of a UTF-8 string (code points). */
int utf8_width(const char *s);
/* The superscript marker of footnote n (1-based): "¹", "²", ... */
const char *footnote_mark(int n, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * compare.c
 * ------------------------------------------------------------------------ */

int cmd_compare(int argc, char **argv);

#endif /* EMBER_BENCH_H */
