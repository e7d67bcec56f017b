/*
 * benchfmt.c -- reading the Go benchmark data format (Go design document
 * 14313, as summarized in ../shared/reference/profiling-formats.md §3.1).
 *
 * Three kinds of line mean something; everything else is ignored:
 *   key: value                    configuration (key: lower case first, no
 *                                 spaces or upper case; empty value unsets)
 *   BenchmarkName N v unit...     a result: N iterations, value/unit pairs
 *   Unit unit key=value...        unit metadata: better=, assume=
 * A result contributes one measurement per value/unit pair. Every result
 * line is one sample; the iteration count does not weigh it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

#define MAX_FIELDS 128

/* ---------------------------------------------------------------- intern */

static int intern_bench(BenchSet *s, const char *name)
{
    for (int i = 0; i < s->n_benches; i++)
        if (strcmp(s->benches[i], name) == 0)
            return i;
    s->benches = xrealloc(s->benches,
                          sizeof(char *) * (size_t)(s->n_benches + 1));
    s->benches[s->n_benches] = xstrdup(name);
    return s->n_benches++;
}

static int intern_unit(BenchSet *s, const char *name)
{
    for (int i = 0; i < s->n_units; i++)
        if (strcmp(s->units[i].name, name) == 0)
            return i;
    s->units = xrealloc(s->units,
                        sizeof(UnitInfo) * (size_t)(s->n_units + 1));
    UnitInfo *u = &s->units[s->n_units];
    memset(u, 0, sizeof(*u));
    u->name = xstrdup(name);
    /* Defaults: rates (".../s") are better higher, the rest lower. */
    size_t n = strlen(name);
    u->higher_better = n >= 2 && strcmp(name + n - 2, "/s") == 0;
    return s->n_units++;
}

static void add_measurement(BenchSet *s, int file, int bench, int unit,
                            double v)
{
    if (s->n_m == s->cap_m) {
        s->cap_m = s->cap_m ? 2 * s->cap_m : 256;
        s->m = xrealloc(s->m, sizeof(Measurement) * s->cap_m);
    }
    s->m[s->n_m++] = (Measurement){file, bench, unit, v};
}

/* ----------------------------------------------------------------- lines */

/* Split a line into whitespace-separated fields, in place. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (n == max)
            return -1;
        fields[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
        if (*p != '\0')
            *p++ = '\0';
    }
    return n;
}

/* "Benchmark" followed by an upper-case letter or the end of the field
 * (a name starting with a non-ASCII letter is taken as upper case). */
static bool is_result_name(const char *line)
{
    if (strncmp(line, "Benchmark", 9) != 0)
        return false;
    unsigned char c = (unsigned char)line[9];
    return c == '\0' || c == ' ' || c == '\t' || isupper(c) || c >= 0x80;
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE && isfinite(*out);
}

/* A result line; false when malformed. */
static bool parse_result(BenchSet *s, int file, char *line)
{
    char *f[MAX_FIELDS];
    int n = split_fields(line, f, MAX_FIELDS);
    if (n < 4 || n % 2 != 0)
        return false;
    for (const char *c = f[1]; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    double v[MAX_FIELDS / 2];
    for (int i = 2; i < n; i += 2)
        if (!parse_number(f[i], &v[i / 2 - 1]))
            return false;
    int bench = intern_bench(s, f[0]);
    for (int i = 2; i < n; i += 2)
        add_measurement(s, file, bench, intern_unit(s, f[i + 1]),
                        v[i / 2 - 1]);
    s->files[file].n_results++;
    return true;
}

/* A Unit line. Returns 0, or -1 on conflicting metadata. */
static int parse_unit(BenchSet *s, const char *where, char *line)
{
    char *f[MAX_FIELDS];
    int n = split_fields(line, f, MAX_FIELDS);
    if (n < 2)
        return 0;
    int unit = intern_unit(s, f[1]);       /* may move s->units */
    UnitInfo *u = &s->units[unit];
    for (int i = 2; i < n; i++) {
        char *eq = strchr(f[i], '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        const char *key = f[i];
        const char *val = eq + 1;
        bool *flag;
        bool *set;
        bool want;
        if (strcmp(key, "better") == 0 &&
            (strcmp(val, "higher") == 0 || strcmp(val, "lower") == 0)) {
            flag = &u->higher_better;
            set = &u->better_set;
            want = strcmp(val, "higher") == 0;
        } else if (strcmp(key, "assume") == 0 &&
                   (strcmp(val, "exact") == 0 ||
                    strcmp(val, "nothing") == 0)) {
            flag = &u->exact;
            set = &u->assume_set;
            want = strcmp(val, "exact") == 0;
        } else {
            continue;         /* unknown keys are allowed */
        }
        if (*set && *flag != want) {
            bench_error("%s: conflicting %s= for unit %s", where, key,
                        u->name);
            return -1;
        }
        *flag = want;
        *set = true;
    }
    return 0;
}

/* A configuration line: remember the first value of each key. */
static bool parse_config(BenchFile *bf, char *line)
{
    if (!islower((unsigned char)line[0]))
        return false;
    char *colon = line;
    while (*colon != ':') {
        unsigned char c = (unsigned char)*colon;
        if (c == '\0' || isspace(c) || isupper(c))
            return false;
        colon++;
    }
    char *val = colon + 1;
    if (*val != '\0' && *val != ' ' && *val != '\t')
        return false;
    *colon = '\0';
    while (*val == ' ' || *val == '\t')
        val++;
    size_t vlen = strlen(val);
    while (vlen > 0 && isspace((unsigned char)val[vlen - 1]))
        val[--vlen] = '\0';
    if (vlen == 0)
        return true;          /* unsets the key: nothing to show */
    for (int i = 0; i < bf->n_config; i++)
        if (strcmp(bf->config[i].key, line) == 0)
            return true;
    bf->config = xrealloc(bf->config,
                          sizeof(ConfigKV) * (size_t)(bf->n_config + 1));
    bf->config[bf->n_config].key = xstrdup(line);
    bf->config[bf->n_config].value = xstrdup(val);
    bf->n_config++;
    return true;
}

/* ------------------------------------------------------------------ file */

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int read_lines(BenchSet *s, int file, char *text)
{
    BenchFile *bf = &s->files[file];
    int lineno = 0;
    char *next;
    for (char *line = text; line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        char where[512];
        snprintf(where, sizeof(where), "%s:%d", bf->path, lineno);
        if (is_result_name(line)) {
            if (!parse_result(s, file, line))
                bench_error("warning: %s: malformed result line", where);
        } else if (strncmp(line, "Unit", 4) == 0 &&
                   (line[4] == ' ' || line[4] == '\t')) {
            if (parse_unit(s, where, line) != 0)
                return -1;
        } else {
            parse_config(bf, line);
        }
    }
    return 0;
}

int benchset_read(BenchSet *s, const char *arg)
{
    const char *path = arg;
    char *label = xstrdup(arg);
    char *eq = strchr(label, '=');
    if (eq != NULL && !file_exists(arg)) {
        *eq = '\0';
        path = arg + (eq - label) + 1;
    }
    char *text = read_file(path);
    if (text == NULL) {
        bench_error("cannot read %s: %s", path, strerror(errno));
        free(label);
        return -1;
    }
    s->files = xrealloc(s->files,
                        sizeof(BenchFile) * (size_t)(s->n_files + 1));
    int file = s->n_files++;
    BenchFile *bf = &s->files[file];
    memset(bf, 0, sizeof(*bf));
    bf->label = label;
    bf->path = xstrdup(path);
    int rc = read_lines(s, file, text);
    free(text);
    return rc;
}

void benchset_free(BenchSet *s)
{
    for (int i = 0; i < s->n_files; i++) {
        BenchFile *bf = &s->files[i];
        for (int k = 0; k < bf->n_config; k++) {
            free(bf->config[k].key);
            free(bf->config[k].value);
        }
        free(bf->config);
        free(bf->label);
        free(bf->path);
    }
    for (int i = 0; i < s->n_benches; i++)
        free(s->benches[i]);
    for (int i = 0; i < s->n_units; i++)
        free(s->units[i].name);
    free(s->files);
    free(s->benches);
    free(s->units);
    free(s->m);
    memset(s, 0, sizeof(*s));
}
