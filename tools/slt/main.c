/*
 * main.c -- ember-slt, the sqllogictest runner of ember.
 *
 *   ember-slt [options] FILE...
 *
 * Reads the options, runs each file on its own fresh in-memory database
 * (slt_run.c) and ends with the line "N passed, N failed, N skipped" over
 * all files. Exit status: 0 when nothing failed, 1 when something did,
 * 2 for a bad command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slt.h"

static const char usage_text[] =
    "usage: ember-slt [options] FILE...\n"
    "Run sqllogictest files against ember, each on a fresh in-memory\n"
    "database.\n"
    "\n"
    "  --also NAME       also take records meant for engine NAME\n"
    "  --known FILE      records listed there (FILE:LINE reason) are\n"
    "                    expected to fail; passing one is a failure\n"
    "                    (onlyif NAME runs, skipif NAME skips); repeatable\n"
    "  --ht N            hash threshold N, overriding hash-threshold\n"
    "                    records (0: never show results as a hash)\n"
    "  --threads N       same as --set threads=N\n"
    "  --set NAME=VALUE  call ember_set(db, NAME, VALUE) after each open;\n"
    "                    repeatable, applied in order\n"
    "  --stop            stop at the first failure\n"
    "  -v, --verbose     print each record before it runs\n"
    "  -h, --help        show this help\n";

/* ---------------------------------------------------------------- memory */

static void out_of_memory(void)
{
    fputs("ember-slt: out of memory\n", stderr);
    exit(2);
}

void *slt_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *slt_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

/* --------------------------------------------------------------- options */

static void usage_error(const char *fmt, const char *arg)
{
    fputs("ember-slt: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    exit(2);
}

/* If argv[*i] is option `name`, return its value: the text after "=" in
 * "--name=value", or the next argument (advancing *i). NULL otherwise. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == '=')
        return arg + len + 1;
    if (arg[len] != 0)
        return NULL;
    if (*i + 1 >= argc)
        usage_error("option %s needs a value", name);
    return argv[++*i];
}

static long parse_count(const char *text, const char *option)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (text[0] == 0 || *end != 0 || n < 0)
        usage_error("%s needs a non-negative number", option);
    return n;
}

/* Add a setting: a copy of the `len` bytes of `name` (freed by
 * release_options) and `value`, which must outlive the run. */
static void add_setting(SltOptions *opt, const char *name, size_t len,
                        const char *value)
{
    size_t n = (size_t)opt->n_sets + 1;
    opt->set_names = slt_xrealloc(opt->set_names, n * sizeof(char *));
    opt->set_values = slt_xrealloc(opt->set_values, n * sizeof(char *));
    char *copy = slt_xmalloc(len + 1);
    memcpy(copy, name, len);
    copy[len] = 0;
    opt->set_names[opt->n_sets] = copy;
    opt->set_values[opt->n_sets] = value;
    opt->n_sets++;
}

/* Parse the text of one "--set NAME=VALUE". */
static void add_assignment(SltOptions *opt, const char *text)
{
    const char *eq = strchr(text, '=');
    if (eq == NULL || eq == text)
        usage_error("--set needs NAME=VALUE, got '%s'", text);
    add_setting(opt, text, (size_t)(eq - text), eq + 1);
}

static void add_name(SltOptions *opt, const char *name)
{
    size_t n = (size_t)opt->n_names + 1;
    opt->names = slt_xrealloc(opt->names, n * sizeof(char *));
    opt->names[opt->n_names++] = name;
}

/* Fill *opt from argv; the file names are moved to the front of argv and
 * their number returned. */
static int parse_options(int argc, char **argv, SltOptions *opt)
{
    const char *value;
    int n_files = 0;
    bool only_files = false;

    add_name(opt, "ember");
    opt->ht_override = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (only_files || arg[0] != '-' || arg[1] == 0) {
            argv[n_files++] = argv[i];
        } else if (strcmp(arg, "--") == 0) {
            only_files = true;
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            opt->verbose = true;
        } else if (strcmp(arg, "--stop") == 0) {
            opt->stop = true;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        } else if ((value = option_value(argc, argv, &i, "--known"))) {
            if (!slt_load_known(opt, value))
                usage_error("cannot read known-failures file %s", value);
        } else if ((value = option_value(argc, argv, &i, "--also"))) {
            add_name(opt, value);
        } else if ((value = option_value(argc, argv, &i, "--ht"))) {
            opt->ht_override = parse_count(value, "--ht");
        } else if ((value = option_value(argc, argv, &i, "--threads"))) {
            parse_count(value, "--threads");
            add_setting(opt, "threads", strlen("threads"), value);
        } else if ((value = option_value(argc, argv, &i, "--set"))) {
            add_assignment(opt, value);
        } else {
            usage_error("unknown option '%s'", arg);
        }
    }
    return n_files;
}

static void release_options(SltOptions *opt)
{
    for (int i = 0; i < opt->n_sets; i++)
        free((char *)opt->set_names[i]);
    free(opt->names);
    free(opt->set_names);
    free(opt->set_values);
}

int main(int argc, char **argv)
{
    SltOptions opt;
    SltCounts total;
    memset(&opt, 0, sizeof(opt));
    memset(&total, 0, sizeof(total));

    int n_files = parse_options(argc, argv, &opt);
    if (n_files == 0)
        usage_error("%s", "no test files given");
    for (int i = 0; i < n_files; i++) {
        if (!slt_run_file(&opt, argv[i], &total))
            break;
    }
    if (total.known)
        printf("%ld known failures, each listed with its reason in %s\n",
               total.known, opt.known_path);
    printf("%ld passed, %ld failed, %ld skipped\n", total.passed, total.failed,
           total.skipped);
    fflush(stdout);
    release_options(&opt);
    return total.failed == 0 ? 0 : 1;
}
