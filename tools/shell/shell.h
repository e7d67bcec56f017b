/*
 * shell.h -- private header of the ember shell (tools/shell/).
 *
 * The shell is a client of the public API only (include/ember.h). Its
 * files split the work as follows:
 *
 *   main.c     options, the read-run loop, running statements, errors
 *   dot.c      the dot-commands (.mode, .read, .tables, ...)
 *   input.c    reading lines (libedit when interactive), history, and the
 *              scanner that decides when a statement is complete
 *   output.c   the output modes: table, list, csv, tsv, line
 *
 * Data flows one way: a Source yields lines, the read-run loop in main.c
 * gathers them into complete statements with the SqlScan scanner, runs them
 * with ember_prepare/ember_step and hands each row to a Printer.
 */
#ifndef EMBER_SHELL_H
#define EMBER_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ember.h"

/* ------------------------------------------------------------------ */
/* Growable strings                                                    */
/* ------------------------------------------------------------------ */

/* A NUL-terminated byte string that grows as text is appended. Caller
 * owned: zero-initialise, append, then textbuf_release(). Allocation failure
 * is fatal in the shell (it prints a message and exits), so appends do not
 * return a status. */
typedef struct TextBuf {
    char *data; /* NUL-terminated text, NULL until the first append */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
} TextBuf;

void textbuf_append(TextBuf *sb, const char *text, size_t n);
void textbuf_clear(TextBuf *sb);
void textbuf_release(TextBuf *sb);

/* malloc/strdup that exit the process with a message when memory runs
 * out; the shell has nothing useful to do without memory. */
void *shell_malloc(size_t size);
void *shell_realloc(void *ptr, size_t size);
char *shell_strdup(const char *text);

/* ------------------------------------------------------------------ */
/* Input: statement scanner and line sources (input.c)                 */
/* ------------------------------------------------------------------ */

/* Lexical state of the scanner between two calls of sqlscan_feed(). */
typedef enum ScanState {
    SCAN_NORMAL,       /* plain SQL text */
    SCAN_SQUOTE,       /* inside a '...' string */
    SCAN_DQUOTE,       /* inside a "..." identifier */
    SCAN_LINE_COMMENT, /* after --, until the end of the line */
    SCAN_BLOCK_COMMENT /* inside a slash-star comment */
} ScanState;

/* Incremental scanner that follows quotes and comments over the text of a
 * pending statement, fed a line at a time. It knows whether the text so
 * far holds any SQL and whether it ends with a `;` that terminates a
 * statement (one outside quotes and comments). Caller owned; reset with
 * sqlscan_init() whenever the pending text is cleared. */
typedef struct SqlScan {
    ScanState state;     /* where the last fed byte left us */
    bool has_sql;        /* any byte outside comments and blanks seen */
    bool ends_with_semi; /* the last such byte is a terminating `;` */
    char prev;           /* previous byte, to spot "--", "/ *", "* /" */
} SqlScan;

void sqlscan_init(SqlScan *scan);
void sqlscan_feed(SqlScan *scan, const char *text, size_t n);
/* True when the text fed so far is one or more complete statements. */
bool sqlscan_complete(const SqlScan *scan);
/* Return a pointer just past the first terminating `;` in [p, end), or
 * `end` when there is none. Used to skip a statement that failed to
 * compile so that the statements after it can still run. */
const char *sqlscan_skip_statement(const char *p, const char *end);

/* Where lines come from. One Source is open per input: the -c text, a
 * script file, standard input. Caller owned: input_open_*() then
 * input_close(). */
typedef enum SourceKind {
    SOURCE_TEXT, /* a string given on the command line */
    SOURCE_FILE, /* a file, or stdin when not interactive */
    SOURCE_TTY   /* stdin on a terminal: libedit with history */
} SourceKind;

typedef struct Source {
    SourceKind kind;
    const char *name; /* file name for messages; NULL for -c and stdin */
    FILE *fp;         /* SOURCE_FILE: the stream (stdin is not closed) */
    const char *text; /* SOURCE_TEXT: the whole text, not owned */
    size_t text_pos;  /* SOURCE_TEXT: offset of the next line */
    int line_no;      /* number of the last line returned, from 1 */
    char *line;       /* the last line returned, owned */
    size_t line_cap;  /* bytes allocated for `line` (getline) */
} Source;

void input_open_text(Source *src, const char *text);
/* Open `path` for reading ("-" is stdin). Returns false, with errno set,
 * when the file cannot be opened. */
bool input_open_file(Source *src, const char *path);
void input_open_stdin(Source *src, bool interactive);
/* Return the next line without its line terminator, or NULL at the end of
 * input. `prompt` is shown only by an interactive source. The line stays
 * valid until the next call or input_close(). */
const char *input_next_line(Source *src, const char *prompt, size_t *len);
void input_close(Source *src);

/* Command history in ~/.ember_history, used only when interactive. */
void input_history_load(void);
void input_history_save(void);

/* ------------------------------------------------------------------ */
/* Output modes (output.c)                                             */
/* ------------------------------------------------------------------ */

typedef enum OutputMode {
    MODE_TABLE, /* aligned columns in an ASCII frame */
    MODE_LIST,  /* values separated by `|` */
    MODE_CSV,   /* RFC 4180 comma-separated values */
    MODE_TSV,   /* tab-separated, with backslash escapes */
    MODE_LINE   /* one `name = value` line per column */
} OutputMode;

/* Parse a mode name ("table", "csv", ...); false if unknown. */
bool output_mode_parse(const char *name, OutputMode *mode);
const char *output_mode_name(OutputMode mode);

/* Renders the rows of one statement. printer_begin() copies the column
 * names; table mode also keeps every row until printer_end(), since the
 * column widths depend on all of them; the other modes print each row at
 * once. Caller owned: begin, rows, end (which frees everything). */
typedef struct Printer {
    FILE *out; /* where rows go */
    OutputMode mode;
    bool show_header;      /* print the column names (not line mode) */
    const char *nullvalue; /* text printed for SQL NULL, not owned */
    int n_cols;
    char **names;     /* n_cols column names, owned */
    bool *is_numeric; /* n_cols: right-align in table mode */
    size_t n_rows;    /* rows received so far */
    char **cells;     /* table mode: n_rows * n_cols display texts */
    size_t cap_cells; /* entries allocated in `cells` */
} Printer;

void printer_begin(Printer *pr, FILE *out, OutputMode mode, bool show_header,
                   const char *nullvalue, int n_cols, const char *const *names,
                   const int *types);
/* One row: values[i] is the text of column i, NULL for SQL NULL. */
void printer_row(Printer *pr, const char *const *values);
void printer_end(Printer *pr);

/* ------------------------------------------------------------------ */
/* Shell state, statements and dot-commands (main.c, dot.c)            */
/* ------------------------------------------------------------------ */

/* -1 in Shell.headers: headers follow the mode (on for table only). */
#define HEADERS_AUTO (-1)

/* How the read-run loop should go on after a command. */
typedef enum RunStatus {
    RUN_OK,    /* carry on */
    RUN_ERROR, /* this command failed; carry on unless bailing */
    RUN_QUIT   /* .quit/.exit, or an error with bail on: stop reading */
} RunStatus;

/* The whole state of one shell session. Lives in main() for the life of
 * the process. */
typedef struct Shell {
    ember_db *db;
    FILE *out;      /* current output: stdout or the .output file */
    char *out_path; /* the .output file name, owned; NULL: stdout */
    OutputMode mode;
    int headers;      /* 1 on, 0 off, HEADERS_AUTO */
    char *nullvalue;  /* text shown for NULL, owned */
    bool timer;       /* .timer: print run times */
    bool echo;        /* .echo: print each command before running it */
    bool bail;        /* .bail: stop a script at its first error */
    bool interactive; /* stdin is a terminal and is the input */
    int n_errors;     /* failed statements and commands so far */
    int read_depth;   /* nesting of .read, to stop runaway recursion */
    Source *src;      /* the source being read, for error positions */
} Shell;

/* Whether column names are printed in the current mode. */
bool shell_show_header(const Shell *sh);

/* Read and run every line of `src`. Returns RUN_QUIT when the session
 * must end (.quit, or an error while bailing), RUN_ERROR if anything
 * failed, else RUN_OK. */
RunStatus shell_run_source(Shell *sh, Source *src);

/* Report an error on stderr, prefixed with the position of the current
 * line of the current source (see README.md, "Errors"). */
void shell_error(Shell *sh, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Run SQL that the shell itself built (for .tables, .profile, ...).
 * `on_row`, when not NULL, receives each row. Errors are reported without
 * a position in the text, since the user did not write it. */
typedef void (*ShellRowFn)(Shell *sh, int n_cols, const char *const *values,
                           void *arg);
RunStatus shell_run_internal(Shell *sh, const char *sql, ShellRowFn on_row,
                             void *arg);

/* Run one dot-command line (starting with `.`). */
RunStatus dot_command(Shell *sh, const char *line);

/* Help text for .help and -help. */
void dot_print_help(FILE *out);

#endif /* EMBER_SHELL_H */
