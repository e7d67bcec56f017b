/*
 * dot.c -- the shell's dot-commands.
 *
 * A dot-command is a whole line starting with `.`, read when no statement
 * is pending. The line is split into words (a word may be quoted with '
 * or ", a doubled quote standing for itself) and dispatched through the
 * dot_commands table, which also provides .help.
 *
 * The few commands that need the engine send it SQL. That SQL is spelled
 * out only in the DOT_SQL_* constants below, so it can follow the engine's
 * grammar in one place.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "shell.h"

/* SQL sent by dot-commands. `%s` is replaced by a quoted identifier (the
 * table of .schema) or a quoted string literal (.profile, .trace).
 *   .tables       prints the first column of each row of DOT_SQL_TABLES;
 *   .schema       prints the last column of each row, ending it with `;`.
 */
#define DOT_SQL_TABLES "SHOW TABLES"
#define DOT_SQL_SCHEMA_ALL "SHOW SCHEMA"
#define DOT_SQL_SCHEMA_TABLE "SHOW CREATE TABLE %s"
#define DOT_SQL_PROFILE "SET profile_output = %s"
#define DOT_SQL_TRACE "SET trace_output = %s"

/* Most words a dot-command line may have, the command included. */
#define DOT_MAX_ARGS 16

/* Deepest nesting of .read, against a script that reads itself. */
#define READ_MAX_DEPTH 25

typedef RunStatus (*DotFn)(Shell *sh, int argc, char **argv);

/* One dot-command: its name, the words it takes after the name, and the
 * lines .help prints for it. */
typedef struct DotCommand {
    const char *name;
    int min_args;
    int max_args;
    DotFn run;
    const char *usage; /* arguments, as .help shows them */
    const char *help;  /* one line */
} DotCommand;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Split `line` (after its `.`) into words, in place. Returns the number
 * of words, or -1 when there are too many or a quote is not closed. */
static int split_words(char *line, char **argv)
{
    char *p = line + strspn(line, " \t") + 1;
    int argc = 0;

    for (;;) {
        p += strspn(p, " \t");
        if (*p == '\0')
            return argc;
        if (argc == DOT_MAX_ARGS)
            return -1;
        char quote = (*p == '\'' || *p == '"') ? *p++ : '\0';
        char *out = p;
        argv[argc++] = out;
        while (*p != '\0') {
            if (quote == '\0' && (*p == ' ' || *p == '\t'))
                break;
            if (quote != '\0' && *p == quote) {
                if (p[1] != quote) {
                    quote = '\0';
                    p++;
                    break;
                }
                p++; /* a doubled quote stands for itself */
            }
            *out++ = *p++;
        }
        if (quote != '\0')
            return -1;
        bool at_blank = *p == ' ' || *p == '\t';
        *out = '\0';
        if (at_blank)
            p++;
    }
}

/* Parse on/off (also yes/no, true/false, 1/0) into *value. */
static bool parse_bool(const char *word, bool *value)
{
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(word, yes[i]) == 0) {
            *value = true;
            return true;
        }
        if (strcasecmp(word, no[i]) == 0) {
            *value = false;
            return true;
        }
    }
    return false;
}

static RunStatus set_flag(Shell *sh, const char *word, bool *flag)
{
    if (!parse_bool(word, flag)) {
        shell_error(sh, "expected on or off, not \"%s\"", word);
        sh->n_errors++;
        return RUN_ERROR;
    }
    return RUN_OK;
}

/* Return `text` quoted with `quote` (' for a literal, " for an
 * identifier), quotes inside doubled; malloc'd. */
static char *sql_quote(const char *text, char quote)
{
    char *out = shell_malloc(2 * strlen(text) + 3);
    char *q = out;

    *q++ = quote;
    for (const char *p = text; *p; p++) {
        if (*p == quote)
            *q++ = quote;
        *q++ = *p;
    }
    *q++ = quote;
    *q = '\0';
    return out;
}

/* A table name as typed when it is a plain identifier (the engine then
 * folds its case as usual), else quoted; malloc'd. */
static char *sql_identifier(const char *name)
{
    bool plain = isalpha((unsigned char)name[0]) || name[0] == '_';
    for (const char *p = name; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || *p == '_';
    return plain ? shell_strdup(name) : sql_quote(name, '"');
}

/* Format `fmt` with one string argument into a malloc'd string. */
static char *format_sql(const char *fmt, const char *arg)
{
    size_t n = strlen(fmt) + strlen(arg) + 1;
    char *sql = shell_malloc(n);
    snprintf(sql, n, fmt, arg);
    return sql;
}

/* Run DOT_SQL_* `fmt` with `arg` quoted as a string literal. */
static RunStatus run_set_sql(Shell *sh, const char *fmt, const char *arg)
{
    char *literal = sql_quote(arg, '\'');
    char *sql = format_sql(fmt, literal);
    RunStatus rs = shell_run_internal(sh, sql, NULL, NULL);
    free(sql);
    free(literal);
    return rs;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

static RunStatus cmd_bail(Shell *sh, int argc, char **argv)
{
    return set_flag(sh, argv[1], &sh->bail);
}

static RunStatus cmd_echo(Shell *sh, int argc, char **argv)
{
    return set_flag(sh, argv[1], &sh->echo);
}

static RunStatus cmd_headers(Shell *sh, int argc, char **argv)
{
    bool on;
    RunStatus rs = set_flag(sh, argv[1], &on);
    if (rs == RUN_OK)
        sh->headers = on;
    return rs;
}

static RunStatus cmd_timer(Shell *sh, int argc, char **argv)
{
    return set_flag(sh, argv[1], &sh->timer);
}

static RunStatus cmd_help(Shell *sh, int argc, char **argv)
{
    dot_print_help(sh->out);
    return RUN_OK;
}

static RunStatus cmd_quit(Shell *sh, int argc, char **argv)
{
    return RUN_QUIT;
}

static RunStatus cmd_mode(Shell *sh, int argc, char **argv)
{
    OutputMode mode;

    if (argc == 1) {
        fprintf(sh->out, "current output mode: %s\n",
                output_mode_name(sh->mode));
        return RUN_OK;
    }
    if (!output_mode_parse(argv[1], &mode)) {
        shell_error(sh,
                    "unknown mode \"%s\"; use table, list, csv, tsv "
                    "or line",
                    argv[1]);
        sh->n_errors++;
        return RUN_ERROR;
    }
    sh->mode = mode;
    return RUN_OK;
}

static RunStatus cmd_nullvalue(Shell *sh, int argc, char **argv)
{
    free(sh->nullvalue);
    sh->nullvalue = shell_strdup(argv[1]);
    return RUN_OK;
}

static RunStatus cmd_output(Shell *sh, int argc, char **argv)
{
    FILE *out = stdout;

    if (argc == 2 && strcmp(argv[1], "stdout") != 0) {
        out = fopen(argv[1], "w");
        if (out == NULL) {
            shell_error(sh, "cannot open \"%s\": %s", argv[1], strerror(errno));
            sh->n_errors++;
            return RUN_ERROR;
        }
    }
    if (sh->out != stdout)
        fclose(sh->out);
    fflush(stdout);
    free(sh->out_path);
    sh->out = out;
    sh->out_path = out != stdout ? shell_strdup(argv[1]) : NULL;
    return RUN_OK;
}

/* .profile and .trace: set the file for the statements that follow; no
 * FILE or "off" clears it (a file named off: write ./off). */
static RunStatus set_output_file(Shell *sh, const char *fmt, int argc,
                                 char **argv)
{
    const char *file = argc == 2 ? argv[1] : "";
    if (strcasecmp(file, "off") == 0)
        file = "";
    return run_set_sql(sh, fmt, file);
}

static RunStatus cmd_profile(Shell *sh, int argc, char **argv)
{
    return set_output_file(sh, DOT_SQL_PROFILE, argc, argv);
}

static RunStatus cmd_trace(Shell *sh, int argc, char **argv)
{
    return set_output_file(sh, DOT_SQL_TRACE, argc, argv);
}

static RunStatus cmd_read(Shell *sh, int argc, char **argv)
{
    Source src;

    if (sh->read_depth >= READ_MAX_DEPTH) {
        shell_error(sh, ".read nested more than %d deep", READ_MAX_DEPTH);
        sh->n_errors++;
        return RUN_ERROR;
    }
    if (!input_open_file(&src, argv[1])) {
        shell_error(sh, "cannot open \"%s\": %s", argv[1], strerror(errno));
        sh->n_errors++;
        return RUN_ERROR;
    }
    sh->read_depth++;
    RunStatus rs = shell_run_source(sh, &src);
    sh->read_depth--;
    input_close(&src);
    return rs;
}

static RunStatus cmd_set(Shell *sh, int argc, char **argv)
{
    char value[256];
    int rc;

    if (argc == 3) {
        rc = ember_set(sh->db, argv[1], argv[2]);
    } else {
        rc = ember_get_setting(sh->db, argv[1], value, sizeof value);
        if (rc == EMBER_OK)
            fprintf(sh->out, "%s = %s\n", argv[1], value);
    }
    if (rc == EMBER_OK)
        return RUN_OK;
    if (rc == EMBER_NOTFOUND)
        shell_error(sh, "unknown setting \"%s\"", argv[1]);
    else
        shell_error(sh, "%s", ember_errmsg(sh->db));
    sh->n_errors++;
    return RUN_ERROR;
}

/* A line of .show for an engine setting holding a file name (set by
 * .profile and .trace): the file, or off. */
static void show_file_setting(Shell *sh, const char *label, const char *name)
{
    char value[512];
    if (ember_get_setting(sh->db, name, value, sizeof value) != EMBER_OK)
        return;
    fprintf(sh->out, "%s: %s\n", label, value[0] ? value : "off");
}

static RunStatus cmd_show(Shell *sh, int argc, char **argv)
{
    const char *headers = sh->headers == HEADERS_AUTO ? "auto"
                          : sh->headers               ? "on"
                                                      : "off";

    fprintf(sh->out, "     bail: %s\n", sh->bail ? "on" : "off");
    fprintf(sh->out, "     echo: %s\n", sh->echo ? "on" : "off");
    fprintf(sh->out, "  headers: %s (%s)\n", headers,
            shell_show_header(sh) ? "shown" : "hidden");
    fprintf(sh->out, "     mode: %s\n", output_mode_name(sh->mode));
    fprintf(sh->out, "nullvalue: \"%s\"\n", sh->nullvalue);
    fprintf(sh->out, "   output: %s\n", sh->out_path ? sh->out_path : "stdout");
    show_file_setting(sh, "  profile", "profile_output");
    fprintf(sh->out, "    timer: %s\n", sh->timer ? "on" : "off");
    show_file_setting(sh, "    trace", "trace_output");
    return RUN_OK;
}

/* Names gathered by .tables. */
typedef struct NameList {
    const char *pattern; /* glob the names must match, or NULL */
    char **names;
    size_t n;
} NameList;

static void collect_table(Shell *sh, int n_cols, const char *const *values,
                          void *arg)
{
    NameList *list = arg;
    const char *name = n_cols > 0 && values[0] ? values[0] : "";

    if (list->pattern && fnmatch(list->pattern, name, FNM_CASEFOLD) != 0)
        return;
    list->names = shell_realloc(list->names, (list->n + 1) * sizeof(char *));
    list->names[list->n++] = shell_strdup(name);
}

/* Print names one per line, or in columns down the screen when the output
 * is a terminal (80 columns wide). */
static void put_names(FILE *out, char **names, size_t n)
{
    size_t width = 0;

    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) > width)
            width = strlen(names[i]);
    }
    size_t per_line = isatty(fileno(out)) ? 80 / (width + 2) : 1;
    if (per_line == 0)
        per_line = 1;
    size_t n_lines = (n + per_line - 1) / per_line;
    for (size_t r = 0; r < n_lines; r++) {
        for (size_t c = 0; c < per_line && c * n_lines + r < n; c++) {
            const char *name = names[c * n_lines + r];
            bool last = c + 1 == per_line || (c + 1) * n_lines + r >= n;
            if (last)
                fputs(name, out);
            else
                fprintf(out, "%-*s", (int)width + 2, name);
        }
        fputc('\n', out);
    }
}

static RunStatus cmd_tables(Shell *sh, int argc, char **argv)
{
    NameList list = {argc == 2 ? argv[1] : NULL, NULL, 0};
    RunStatus rs = shell_run_internal(sh, DOT_SQL_TABLES, collect_table, &list);

    if (rs == RUN_OK)
        put_names(sh->out, list.names, list.n);
    for (size_t i = 0; i < list.n; i++)
        free(list.names[i]);
    free(list.names);
    return rs;
}

static void put_schema_row(Shell *sh, int n_cols, const char *const *values,
                           void *arg)
{
    const char *text =
        n_cols > 0 && values[n_cols - 1] ? values[n_cols - 1] : "";
    size_t n = strlen(text);

    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\n'))
        n--;
    fprintf(sh->out, "%.*s%s\n", (int)n, text,
            n > 0 && text[n - 1] == ';' ? "" : ";");
}

static RunStatus cmd_schema(Shell *sh, int argc, char **argv)
{
    if (argc == 1)
        return shell_run_internal(sh, DOT_SQL_SCHEMA_ALL, put_schema_row, NULL);
    char *ident = sql_identifier(argv[1]);
    char *sql = format_sql(DOT_SQL_SCHEMA_TABLE, ident);
    RunStatus rs = shell_run_internal(sh, sql, put_schema_row, NULL);
    free(sql);
    free(ident);
    return rs;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

static const DotCommand dot_commands[] = {
    {"bail", 1, 1, cmd_bail, "on|off",
     "stop a script at its first error (default on)"},
    {"echo", 1, 1, cmd_echo, "on|off", "print each command before it runs"},
    {"exit", 0, 0, cmd_quit, "", "leave the shell"},
    {"headers", 1, 1, cmd_headers, "on|off",
     "print column names (default: only in table mode)"},
    {"help", 0, 0, cmd_help, "", "show this message"},
    {"mode", 0, 1, cmd_mode, "[MODE]",
     "output mode: table, list, csv, tsv or line"},
    {"nullvalue", 1, 1, cmd_nullvalue, "TEXT",
     "text shown for NULL (default empty)"},
    {"output", 0, 1, cmd_output, "[FILE]",
     "send results to FILE, or back to stdout"},
    {"profile", 0, 1, cmd_profile, "FILE|off",
     "write a pprof profile of each query to FILE (off: stop)"},
    {"quit", 0, 0, cmd_quit, "", "leave the shell"},
    {"read", 1, 1, cmd_read, "FILE", "run the SQL and commands in FILE"},
    {"schema", 0, 1, cmd_schema, "[TABLE]",
     "show CREATE statements (of TABLE)"},
    {"set", 1, 2, cmd_set, "NAME [VALUE]",
     "change an engine setting, or show it"},
    {"show", 0, 0, cmd_show, "", "show the shell's settings"},
    {"tables", 0, 1, cmd_tables, "[PATTERN]",
     "list tables (matching a glob PATTERN)"},
    {"timer", 1, 1, cmd_timer, "on|off", "print the run time of statements"},
    {"trace", 0, 1, cmd_trace, "FILE|off",
     "write a Chrome trace of each query to FILE (off: stop)"},
};

#define N_DOT_COMMANDS (sizeof dot_commands / sizeof dot_commands[0])

void dot_print_help(FILE *out)
{
    for (size_t i = 0; i < N_DOT_COMMANDS; i++) {
        const DotCommand *dc = &dot_commands[i];
        int n = fprintf(out, ".%s %s", dc->name, dc->usage);
        fprintf(out, "%*s%s\n", n < 24 ? 24 - n : 1, "", dc->help);
    }
}

RunStatus dot_command(Shell *sh, const char *line)
{
    char *copy = shell_strdup(line);
    char *argv[DOT_MAX_ARGS];
    int argc = split_words(copy, argv);
    RunStatus rs = RUN_ERROR;

    if (argc <= 0) {
        shell_error(sh, argc == 0 ? "missing command after \".\""
                                  : "bad quoting or too many words");
        sh->n_errors++;
        free(copy);
        return RUN_ERROR;
    }
    const DotCommand *dc = NULL;
    for (size_t i = 0; i < N_DOT_COMMANDS; i++) {
        if (strcmp(argv[0], dot_commands[i].name) == 0)
            dc = &dot_commands[i];
    }
    if (dc == NULL) {
        shell_error(sh, "unknown command \".%s\"; enter \".help\" for help",
                    argv[0]);
        sh->n_errors++;
    } else if (argc - 1 < dc->min_args || argc - 1 > dc->max_args) {
        shell_error(sh, "usage: .%s %s", dc->name, dc->usage);
        sh->n_errors++;
    } else {
        rs = dc->run(sh, argc, argv);
    }
    free(copy);
    return rs;
}
