/*
 * main.c -- the ember shell: options, the read-run loop, and errors.
 *
 * The shell reads SQL from -c strings, script files or standard input and
 * runs it through the public API only (include/ember.h). Each input is a
 * Source read a line at a time. Lines gather into `pending` text until the
 * scanner in input.c sees a terminating `;`; the text is then run by
 * preparing statements in a loop over ember_prepare()'s tail pointer. A
 * line that starts with `.` while nothing is pending is a dot-command
 * (dot.c). Rows go to a Printer (output.c).
 *
 * Error positions: the pending text starts at a known line of its source,
 * and ember_error_offset() is a byte offset in the text handed to
 * ember_prepare() (for errors found when stepping: in ember_sql() of the
 * statement, which is located in the pending text). From the two the shell
 * computes the line and column it reports; see README.md, "Errors".
 *
 * Bail: a script (anything but a terminal) stops at its first failing
 * statement unless `.bail off`; a terminal session never stops on errors.
 * The exit status is 1 if anything failed, 0 if nothing did, 2 for a bad
 * command line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "shell.h"

#define PROMPT_MAIN "ember> "
#define PROMPT_MORE "   ...> "

/* Exit status for a command line the shell cannot understand. */
#define EXIT_USAGE 2

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Write "Error: " and the position prefix. `column` 0 means unknown.
 * Scripts report where the error is; at a terminal the line just typed is
 * shown instead, so no position is written. */
static void put_error_prefix(const Shell *sh, int line_no, int column)
{
    const Source *src = sh->src;

    fputs("Error: ", stderr);
    if (src == NULL || src->kind == SOURCE_TTY || line_no <= 0)
        return;
    if (src->name != NULL) {
        fprintf(stderr, "%s:%d:", src->name, line_no);
        if (column > 0)
            fprintf(stderr, "%d:", column);
        fputc(' ', stderr);
    } else {
        fprintf(stderr, "near line %d", line_no);
        if (column > 0)
            fprintf(stderr, ", column %d", column);
        fputs(": ", stderr);
    }
}

void shell_error(Shell *sh, const char *fmt, ...)
{
    va_list ap;

    fflush(sh->out);
    put_error_prefix(sh, sh->src ? sh->src->line_no : 0, 0);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The message of the last error on the handle, never empty. */
static const char *last_error_message(Shell *sh)
{
    const char *msg = ember_errmsg(sh->db);
    if (msg == NULL || *msg == '\0')
        msg = ember_errstr(ember_errcode(sh->db));
    return msg;
}

/* Return the first byte of `p` that is not a blank or inside a comment:
 * where a statement really starts. */
static const char *skip_blanks_and_comments(const char *p, const char *end)
{
    while (p < end) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        } else if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
            const char *close = strstr(p + 2, "*/");
            p = close ? close + 2 : end;
        } else {
            break;
        }
    }
    return p;
}

/* Print the source line holding `at` and a caret under it. Tabs are
 * copied into the caret line so that the caret lines up with them. */
static void put_caret(const char *line_start, const char *at, const char *end)
{
    const char *line_end = memchr(at, '\n', (size_t)(end - at));
    if (line_end == NULL)
        line_end = end;
    fprintf(stderr, "  %.*s\n  ", (int)(line_end - line_start), line_start);
    for (const char *p = line_start; p < at; p++) {
        if (*p == '\t')
            fputc('\t', stderr);
        else if ((*p & 0xC0) != 0x80)
            fputc(' ', stderr);
    }
    fputs("^\n", stderr);
}

/*
 * Report the error just returned by ember_prepare() or ember_step().
 * `text` is the pending text, whose first line is line `first_line` of
 * the source; `base` is where in `text` the failing statement's offsets
 * count from. With no usable offset the error is reported at the line
 * where the statement starts.
 */
static void report_sql_error(Shell *sh, const char *text, int first_line,
                             const char *base)
{
    const char *end = text + strlen(text);
    const char *msg = last_error_message(sh);
    int offset = ember_error_offset(sh->db);
    bool has_pos = offset >= 0 && offset <= end - base;
    const char *at =
        has_pos ? base + offset : skip_blanks_and_comments(base, end);

    /* Leave out the line end the shell appended, so that an error past
     * the end points just after the last character of the text. */
    while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    if (at > end)
        at = end;

    int line_no = first_line;
    const char *line_start = text;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            line_no++;
            line_start = p + 1;
        }
    }
    int column = 1;
    for (const char *p = line_start; p < at; p++) {
        if ((*p & 0xC0) != 0x80)
            column++;
    }

    fflush(sh->out);
    put_error_prefix(sh, line_no, has_pos ? column : 0);
    fprintf(stderr, "%s\n", msg);
    if (has_pos)
        put_caret(line_start, at, end);
}

/* ------------------------------------------------------------------ */
/* Timer                                                               */
/* ------------------------------------------------------------------ */

typedef struct RunTimer {
    struct timespec wall; /* CLOCK_MONOTONIC at the start */
    struct rusage usage;  /* process CPU times at the start */
} RunTimer;

static void timer_start(RunTimer *t)
{
    clock_gettime(CLOCK_MONOTONIC, &t->wall);
    getrusage(RUSAGE_SELF, &t->usage);
}

static double timeval_diff(struct timeval a, struct timeval b)
{
    return (double)(b.tv_sec - a.tv_sec) +
           (double)(b.tv_usec - a.tv_usec) / 1e6;
}

static void timer_report(Shell *sh, const RunTimer *t)
{
    struct timespec wall;
    struct rusage usage;

    clock_gettime(CLOCK_MONOTONIC, &wall);
    getrusage(RUSAGE_SELF, &usage);
    double real = (double)(wall.tv_sec - t->wall.tv_sec) +
                  (double)(wall.tv_nsec - t->wall.tv_nsec) / 1e9;
    fprintf(sh->out, "Run Time: real %.3f user %.3f sys %.3f\n", real,
            timeval_diff(t->usage.ru_utime, usage.ru_utime),
            timeval_diff(t->usage.ru_stime, usage.ru_stime));
    fflush(sh->out);
}

/* ------------------------------------------------------------------ */
/* Running statements                                                  */
/* ------------------------------------------------------------------ */

bool shell_show_header(const Shell *sh)
{
    if (sh->headers == HEADERS_AUTO)
        return sh->mode == MODE_TABLE;
    return sh->headers != 0;
}

/* Step `stmt` to the end, printing its rows. Returns EMBER_OK or the
 * error code of the failing step (rows before it are printed). */
static int step_and_print(Shell *sh, ember_stmt *stmt)
{
    int n_cols = ember_column_count(stmt);
    const char **values = NULL;
    Printer pr;
    int rc;

    while ((rc = ember_step(stmt)) == EMBER_ROW) {
        if (n_cols <= 0)
            continue;
        if (values == NULL) {
            /* Names and types are read at the first row, which the
             * contract allows and which every engine can answer. */
            int *types = shell_malloc(sizeof(int) * (size_t)n_cols);
            values = shell_malloc(sizeof(char *) * (size_t)n_cols);
            for (int i = 0; i < n_cols; i++) {
                values[i] = ember_column_name(stmt, i);
                types[i] = ember_column_type(stmt, i);
            }
            printer_begin(&pr, sh->out, sh->mode, shell_show_header(sh),
                          sh->nullvalue, n_cols, values, types);
            free(types);
        }
        for (int i = 0; i < n_cols; i++)
            values[i] = ember_column_text(stmt, i);
        printer_row(&pr, values);
    }
    if (values != NULL)
        printer_end(&pr);
    free(values);
    return rc == EMBER_DONE ? EMBER_OK : rc;
}

/* Where the offsets of a step error count from: the statement's own text
 * (ember_sql) found in [p, tail), else p. */
static const char *statement_base(ember_stmt *stmt, const char *p,
                                  const char *tail)
{
    const char *sql = ember_sql(stmt);
    if (sql == NULL || *sql == '\0' || tail <= p)
        return p;
    const char *hit = memmem(p, (size_t)(tail - p), sql, strlen(sql));
    return hit ? hit : p;
}

static bool bail_applies(const Shell *sh)
{
    return sh->bail && sh->src != NULL && sh->src->kind != SOURCE_TTY;
}

/* Echo the text about to run, without its surrounding blank lines. */
static void echo_text(Shell *sh, const char *text)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        n--;
    fprintf(sh->out, "%.*s\n", (int)n, text);
}

/*
 * Run every statement of the pending text `text`, whose first line is
 * line `first_line` of the current source. A statement that fails to
 * compile is skipped up to its `;` so the rest can run when not bailing.
 */
static RunStatus run_sql_text(Shell *sh, const char *text, int first_line)
{
    const char *end = text + strlen(text);
    const char *p = text;
    RunStatus status = RUN_OK;

    if (sh->echo)
        echo_text(sh, text);
    while (p < end) {
        ember_stmt *stmt = NULL;
        const char *tail = NULL;
        RunTimer timer;

        timer_start(&timer);
        int rc = ember_prepare(sh->db, p, (int)(end - p), &stmt, &tail);
        if (rc != EMBER_OK) {
            report_sql_error(sh, text, first_line, p);
            sh->n_errors++;
            status = RUN_ERROR;
            if (bail_applies(sh))
                break;
            p = sqlscan_skip_statement(p, end);
            continue;
        }
        if (tail == NULL || tail <= p || tail > end)
            tail = end;
        if (stmt == NULL) {
            p = tail;
            continue;
        }
        rc = step_and_print(sh, stmt);
        if (rc != EMBER_OK) {
            report_sql_error(sh, text, first_line,
                             statement_base(stmt, p, tail));
            sh->n_errors++;
            status = RUN_ERROR;
        }
        ember_finalize(stmt);
        if (sh->timer)
            timer_report(sh, &timer);
        if (status == RUN_ERROR && bail_applies(sh))
            break;
        p = tail;
    }
    return status;
}

RunStatus shell_run_internal(Shell *sh, const char *sql, ShellRowFn on_row,
                             void *arg)
{
    ember_stmt *stmt = NULL;
    int rc = ember_prepare(sh->db, sql, -1, &stmt, NULL);

    if (rc == EMBER_OK && stmt != NULL) {
        int n_cols = ember_column_count(stmt);
        const char **values =
            shell_malloc(sizeof(char *) * (size_t)(n_cols > 0 ? n_cols : 1));
        while ((rc = ember_step(stmt)) == EMBER_ROW) {
            for (int i = 0; i < n_cols; i++)
                values[i] = ember_column_text(stmt, i);
            if (on_row != NULL)
                on_row(sh, n_cols, values, arg);
        }
        free(values);
        if (rc == EMBER_DONE)
            rc = EMBER_OK;
    }
    if (rc != EMBER_OK)
        shell_error(sh, "%s (while running: %s)", last_error_message(sh), sql);
    ember_finalize(stmt);
    if (rc != EMBER_OK) {
        sh->n_errors++;
        return RUN_ERROR;
    }
    return RUN_OK;
}

/* ------------------------------------------------------------------ */
/* The read-run loop                                                   */
/* ------------------------------------------------------------------ */

static bool is_dot_command(const char *line)
{
    return line[strspn(line, " \t")] == '.';
}

/* Fold the status of one command into the status of its source. Returns
 * true when reading must stop. */
static bool absorb_status(Shell *sh, RunStatus rs, RunStatus *status)
{
    if (rs == RUN_QUIT) {
        *status = RUN_QUIT;
        return true;
    }
    if (rs == RUN_ERROR) {
        *status = RUN_ERROR;
        return bail_applies(sh);
    }
    return false;
}

RunStatus shell_run_source(Shell *sh, Source *src)
{
    Source *outer = sh->src;
    TextBuf pending = {0};
    SqlScan scan;
    int first_line = 0;
    RunStatus status = RUN_OK;
    bool stop = false;

    sh->src = src;
    sqlscan_init(&scan);
    while (!stop) {
        const char *prompt = pending.len ? PROMPT_MORE : PROMPT_MAIN;
        size_t len;
        const char *line = input_next_line(src, prompt, &len);
        if (line == NULL)
            break;
        if (pending.len == 0 && is_dot_command(line)) {
            if (sh->echo)
                fprintf(sh->out, "%s\n", line);
            stop = absorb_status(sh, dot_command(sh, line), &status);
            continue;
        }
        if (pending.len == 0)
            first_line = src->line_no;
        textbuf_append(&pending, line, len);
        textbuf_append(&pending, "\n", 1);
        sqlscan_feed(&scan, line, len);
        sqlscan_feed(&scan, "\n", 1);
        if (!scan.has_sql && scan.state == SCAN_NORMAL) {
            /* Only blanks and comments so far: nothing is pending. */
            textbuf_clear(&pending);
        } else if (sqlscan_complete(&scan)) {
            RunStatus rs = run_sql_text(sh, pending.data, first_line);
            textbuf_clear(&pending);
            sqlscan_init(&scan);
            stop = absorb_status(sh, rs, &status);
        }
    }
    /* Input ended inside a statement: run it as it is, so that a final
     * statement without `;` works and an open quote is reported. */
    if (!stop && scan.has_sql) {
        pending.data[--pending.len] = '\0'; /* the "\n" added above */
        absorb_status(sh, run_sql_text(sh, pending.data, first_line), &status);
    }
    textbuf_release(&pending);
    sh->src = outer;
    return status;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

/* One input named on the command line, run in order. */
typedef struct Input {
    bool is_text;      /* -c SQL (else a file name, "-" for stdin) */
    const char *value; /* the SQL or the file name */
} Input;

/* What the command line asks for. Arrays point into argv-sized storage. */
typedef struct Options {
    Input *inputs; /* -c texts and files, in order */
    int n_inputs;
    const char **cmds; /* -cmd commands, run before the inputs */
    int n_cmds;
    const char *init_file; /* -init FILE, run first */
    int mode;              /* an OutputMode, or -1: by terminal */
    int headers;           /* 1, 0 or HEADERS_AUTO */
    bool bail;
    bool echo;
    const char *nullvalue; /* NULL: empty */
} Options;

static void print_usage(FILE *out)
{
    fputs("Usage: ember [OPTIONS] [FILE...]\n"
          "Run SQL from each FILE in order (\"-\" is standard input), or\n"
          "from standard input when no FILE and no -c is given.\n"
          "\n"
          "Options:\n"
          "  -c SQL          run SQL (may hold several statements)\n"
          "  -cmd COMMAND    run COMMAND (SQL or a dot-command) first\n"
          "  -init FILE      run FILE before anything else\n"
          "  -bail           stop at the first error (default for scripts)\n"
          "  -nobail         go on after errors; still exit 1 at the end\n"
          "  -table, -list, -csv, -tsv, -line\n"
          "                  output mode (default: table on a terminal,\n"
          "                  list otherwise)\n"
          "  -header         print column names in every mode\n"
          "  -noheader       print no column names\n"
          "  -nullvalue TEXT text shown for NULL (default: empty)\n"
          "  -echo           print each command before running it\n"
          "  -version        print the version and exit\n"
          "  -help           print this help and exit\n"
          "\n"
          "Exit status: 0 if every statement succeeded, 1 if one failed,\n"
          "2 for a bad command line. Type .help in the shell for the\n"
          "dot-commands.\n",
          out);
}

static void usage_error(const char *fmt, const char *arg)
{
    fputs("ember: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nUse -help for a list of options.\n", stderr);
    exit(EXIT_USAGE);
}

/* Return the argument of option argv[*i], advancing *i past it. */
static const char *option_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage_error("option '%s' needs an argument", argv[*i]);
    return argv[++*i];
}

/* Parse one option argv[*i] (already known to start with '-'). Exits on
 * a usage error, and after -help or -version. */
static void parse_option(int argc, char **argv, int *i, Options *opt)
{
    const char *name = argv[*i] + (argv[*i][1] == '-' ? 2 : 1);
    OutputMode mode;

    if (strcmp(name, "c") == 0) {
        opt->inputs[opt->n_inputs].is_text = true;
        opt->inputs[opt->n_inputs++].value = option_arg(argc, argv, i);
    } else if (strcmp(name, "cmd") == 0) {
        opt->cmds[opt->n_cmds++] = option_arg(argc, argv, i);
    } else if (strcmp(name, "init") == 0) {
        opt->init_file = option_arg(argc, argv, i);
    } else if (strcmp(name, "nullvalue") == 0) {
        opt->nullvalue = option_arg(argc, argv, i);
    } else if (strcmp(name, "bail") == 0) {
        opt->bail = true;
    } else if (strcmp(name, "nobail") == 0) {
        opt->bail = false;
    } else if (strcmp(name, "header") == 0) {
        opt->headers = 1;
    } else if (strcmp(name, "noheader") == 0) {
        opt->headers = 0;
    } else if (strcmp(name, "echo") == 0) {
        opt->echo = true;
    } else if (output_mode_parse(name, &mode)) {
        opt->mode = (int)mode;
    } else if (strcmp(name, "version") == 0) {
        printf("ember %s\n", ember_libversion());
        exit(0);
    } else if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
        print_usage(stdout);
        exit(0);
    } else {
        usage_error("unknown option '%s'", argv[*i]);
    }
}

static void parse_options(int argc, char **argv, Options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->inputs = shell_malloc(sizeof(Input) * (size_t)argc);
    opt->cmds = shell_malloc(sizeof(char *) * (size_t)argc);
    opt->mode = -1;
    opt->headers = HEADERS_AUTO;
    opt->bail = true;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            parse_option(argc, argv, &i, opt);
        } else {
            opt->inputs[opt->n_inputs].is_text = false;
            opt->inputs[opt->n_inputs++].value = argv[i];
        }
    }
}

/* ------------------------------------------------------------------ */
/* Session                                                             */
/* ------------------------------------------------------------------ */

static RunStatus run_text(Shell *sh, const char *text)
{
    Source src;
    input_open_text(&src, text);
    RunStatus rs = shell_run_source(sh, &src);
    input_close(&src);
    return rs;
}

static RunStatus run_file(Shell *sh, const char *path)
{
    Source src;
    if (!input_open_file(&src, path)) {
        shell_error(sh, "cannot open \"%s\": %s", path, strerror(errno));
        sh->n_errors++;
        return RUN_ERROR;
    }
    RunStatus rs = shell_run_source(sh, &src);
    input_close(&src);
    return rs;
}

/* Run the -init file, the -cmd commands and then the inputs in order; a
 * script run stops at the first one that fails when bailing. A session at
 * a terminal never stops on errors. */
static void run_inputs(Shell *sh, const Options *opt)
{
    RunStatus rs = RUN_OK;
    int n_steps = opt->n_cmds + opt->n_inputs + 1;

    for (int k = 0; k < n_steps; k++) {
        if (k == 0)
            rs = opt->init_file ? run_file(sh, opt->init_file) : RUN_OK;
        else if (k <= opt->n_cmds)
            rs = run_text(sh, opt->cmds[k - 1]);
        else if (opt->inputs[k - 1 - opt->n_cmds].is_text)
            rs = run_text(sh, opt->inputs[k - 1 - opt->n_cmds].value);
        else
            rs = run_file(sh, opt->inputs[k - 1 - opt->n_cmds].value);
        if (rs == RUN_QUIT)
            return;
        if (rs == RUN_ERROR && sh->bail && !sh->interactive)
            return;
    }
    if (opt->n_inputs == 0) {
        Source src;
        input_open_stdin(&src, sh->interactive);
        if (sh->interactive) {
            printf("ember %s\nEnter \".help\" for usage hints.\n",
                   ember_libversion());
            input_history_load();
        }
        rs = shell_run_source(sh, &src);
        if (sh->interactive) {
            if (rs != RUN_QUIT)
                fputc('\n', stdout); /* end the line of the last prompt */
            input_history_save();
        }
        input_close(&src);
    }
}

static void shell_init(Shell *sh, const Options *opt)
{
    memset(sh, 0, sizeof *sh);
    sh->out = stdout;
    sh->interactive = opt->n_inputs == 0 && isatty(STDIN_FILENO);
    if (opt->mode >= 0)
        sh->mode = (OutputMode)opt->mode;
    else
        sh->mode = isatty(STDOUT_FILENO) ? MODE_TABLE : MODE_LIST;
    sh->headers = opt->headers;
    sh->nullvalue = shell_strdup(opt->nullvalue ? opt->nullvalue : "");
    sh->bail = opt->bail;
    sh->echo = opt->echo;

    int rc = ember_open(NULL, &sh->db);
    if (rc != EMBER_OK) {
        fprintf(stderr, "Error: cannot open database: %s\n",
                sh->db ? ember_errmsg(sh->db) : ember_errstr(rc));
        ember_close(sh->db);
        exit(1);
    }
}

static void shell_release(Shell *sh)
{
    ember_close(sh->db);
    if (sh->out != stdout)
        fclose(sh->out);
    fflush(stdout);
    free(sh->out_path);
    free(sh->nullvalue);
}

int main(int argc, char **argv)
{
    Options opt;
    Shell sh;

    parse_options(argc, argv, &opt);
    shell_init(&sh, &opt);
    run_inputs(&sh, &opt);
    shell_release(&sh);
    free(opt.inputs);
    free(opt.cmds);
    return sh.n_errors > 0 ? 1 : 0;
}
