/*
 * main.c -- ember-bench: benchmarks in Go benchmark format, and their
 * comparison with benchstat's statistics.
 *
 *   ember-bench tpch [options]        the 22 TPC-H queries on dbgen data
 *   ember-bench sql [options] DIR     each DIR/<name>.sql after a setup
 *   ember-bench compare OLD NEW...    medians, intervals, U tests
 *
 * Exit status: 0 on success, 1 when a query failed or returned no rows
 * (compare: a regression over --fail-over), 2 for a bad command line or
 * unreadable input. See tools/bench/README.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char usage_text[] =
    "usage: ember-bench COMMAND [options]\n"
    "\n"
    "  tpch [--sf N] [--threads N] [--count N] [--warmup N]\n"
    "       [--queries DIR] [--only 1,5,9] [--data DIR]\n"
    "       [--set NAME=VALUE]...\n"
    "      Generate TPC-H data in memory (CALL dbgen; or load DIR/*.tbl\n"
    "      with --data, --sf then only labels) and run the queries,\n"
    "      printing one Go benchmark line per timed run.\n"
    "  sql [--setup FILE.sql] [--threads N] [--count N] [--warmup N]\n"
    "      [--set NAME=VALUE]... DIR\n"
    "      Run the setup script, then benchmark each DIR/*.sql.\n"
    "  compare [--alpha A] [--confidence C] [--unit UNIT]\n"
    "          [--fail-over PCT] OLD NEW [NEW2...]\n"
    "      Compare Go benchmark files (ember's or DuckDB's runner's):\n"
    "      median +- confidence interval, Mann-Whitney U test, geomean.\n"
    "      A file argument may be LABEL=PATH.\n"
    "\n"
    "Exit status: 0 ok; 1 a query failed or returned no rows, or compare\n"
    "found a significant regression over --fail-over; 2 usage or input\n"
    "error.\n";

/* ---------------------------------------------------------------- memory */

static void out_of_memory(void)
{
    fputs("ember-bench: out of memory\n", stderr);
    exit(BENCH_EXIT_USAGE);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16;
    size_t len = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* --------------------------------------------------------------- options */

void bench_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ember-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        bench_error("%s needs a value", name);
        exit(BENCH_EXIT_USAGE);
    }
    *i += 1;
    return argv[*i];
}

int parse_int_opt(const char *name, const char *s, int lo, int hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        bench_error("%s: '%s' is not an integer in [%d, %d]", name, s, lo,
                    hi);
        exit(BENCH_EXIT_USAGE);
    }
    return (int)v;
}

double parse_double_opt(const char *name, const char *s, double lo,
                        double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        bench_error("%s: '%s' is not a number in [%g, %g]", name, s, lo,
                    hi);
        exit(BENCH_EXIT_USAGE);
    }
    return v;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return BENCH_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return BENCH_EXIT_OK;
    }
    if (strcmp(cmd, "tpch") == 0)
        return cmd_tpch(argc - 1, argv + 1);
    if (strcmp(cmd, "sql") == 0)
        return cmd_sql(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    bench_error("unknown command '%s'", cmd);
    fputs(usage_text, stderr);
    return BENCH_EXIT_USAGE;
}
