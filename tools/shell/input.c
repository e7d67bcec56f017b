/*
 * input.c -- where the shell's input comes from, and where statements end.
 *
 * A Source yields the lines of one input: a -c string, a script file, or
 * standard input (through libedit, with history, when it is a terminal).
 * The SqlScan scanner follows those lines through quotes and comments so
 * the read-run loop knows when the pending text holds complete statements:
 * a `;` ends a statement only outside '...' strings, "..." identifiers,
 * -- line comments and slash-star block comments. The engine's own lexer
 * makes the final split (ember_prepare's tail pointer); the scanner only
 * decides when to stop reading and hand the text over.
 *
 * Invariant: lines are fed to the scanner whole, each followed by "\n", so
 * a two-byte token ("--", slash-star, star-slash) never straddles two
 * calls of sqlscan_feed().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#include "shell.h"

/* ------------------------------------------------------------------ */
/* Memory and growable strings                                         */
/* ------------------------------------------------------------------ */

static void out_of_memory(void)
{
    fputs("ember: out of memory\n", stderr);
    exit(1);
}

void *shell_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *shell_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

char *shell_strdup(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = shell_malloc(n);
    memcpy(copy, text, n);
    return copy;
}

/* Append `n` bytes of `text`; the buffer at least doubles when it grows,
 * so appending a line at a time stays linear in the total length. */
void textbuf_append(TextBuf *sb, const char *text, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap * 2 : 256;
        while (cap < sb->len + n + 1)
            cap *= 2;
        sb->data = shell_realloc(sb->data, cap);
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, text, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void textbuf_clear(TextBuf *sb)
{
    sb->len = 0;
    if (sb->data != NULL)
        sb->data[0] = '\0';
}

void textbuf_release(TextBuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Statement scanner                                                   */
/* ------------------------------------------------------------------ */

void sqlscan_init(SqlScan *scan)
{
    scan->state = SCAN_NORMAL;
    scan->has_sql = false;
    scan->ends_with_semi = false;
}

/* Advance the scanner over the byte at text[i] (looking at text[i + 1]
 * for two-byte tokens) and return how many bytes it consumed, 1 or 2. */
static size_t scan_step(SqlScan *scan, const char *text, size_t i, size_t n)
{
    char c = text[i];
    char next = i + 1 < n ? text[i + 1] : '\0';

    switch (scan->state) {
    case SCAN_NORMAL:
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v')
            return 1;
        if (c == '-' && next == '-') {
            scan->state = SCAN_LINE_COMMENT;
            return 2;
        }
        if (c == '/' && next == '*') {
            scan->state = SCAN_BLOCK_COMMENT;
            return 2;
        }
        scan->has_sql = true;
        scan->ends_with_semi = c == ';';
        if (c == '\'')
            scan->state = SCAN_SQUOTE;
        else if (c == '"')
            scan->state = SCAN_DQUOTE;
        return 1;
    case SCAN_SQUOTE:
        /* A doubled '' closes and at once reopens the string. */
        if (c == '\'')
            scan->state = SCAN_NORMAL;
        return 1;
    case SCAN_DQUOTE:
        if (c == '"')
            scan->state = SCAN_NORMAL;
        return 1;
    case SCAN_LINE_COMMENT:
        if (c == '\n')
            scan->state = SCAN_NORMAL;
        return 1;
    case SCAN_BLOCK_COMMENT:
        if (c == '*' && next == '/') {
            scan->state = SCAN_NORMAL;
            return 2;
        }
        return 1;
    }
    return 1;
}

void sqlscan_feed(SqlScan *scan, const char *text, size_t n)
{
    size_t i = 0;
    while (i < n)
        i += scan_step(scan, text, i, n);
}

bool sqlscan_complete(const SqlScan *scan)
{
    return (scan->state == SCAN_NORMAL || scan->state == SCAN_LINE_COMMENT) &&
           scan->ends_with_semi;
}

const char *sqlscan_skip_statement(const char *p, const char *end)
{
    SqlScan scan;
    size_t n = (size_t)(end - p);
    size_t i = 0;

    sqlscan_init(&scan);
    while (i < n) {
        i += scan_step(&scan, p, i, n);
        if (scan.state == SCAN_NORMAL && scan.ends_with_semi)
            return p + i;
    }
    return end;
}

/* ------------------------------------------------------------------ */
/* Line sources                                                        */
/* ------------------------------------------------------------------ */

static void input_init(Source *src, SourceKind kind)
{
    memset(src, 0, sizeof *src);
    src->kind = kind;
}

void input_open_text(Source *src, const char *text)
{
    input_init(src, SOURCE_TEXT);
    src->text = text;
}

bool input_open_file(Source *src, const char *path)
{
    input_init(src, SOURCE_FILE);
    if (strcmp(path, "-") == 0) {
        src->fp = stdin;
        return true;
    }
    src->fp = fopen(path, "r");
    if (src->fp == NULL)
        return false;
    src->name = path;
    return true;
}

void input_open_stdin(Source *src, bool interactive)
{
    input_init(src, interactive ? SOURCE_TTY : SOURCE_FILE);
    src->fp = stdin;
}

/* Drop a trailing "\n" or "\r\n" from the line of length *len. */
static void chop_newline(char *line, size_t *len)
{
    if (*len > 0 && line[*len - 1] == '\n')
        line[--*len] = '\0';
    if (*len > 0 && line[*len - 1] == '\r')
        line[--*len] = '\0';
}

static const char *next_text_line(Source *src, size_t *len)
{
    const char *start = src->text + src->text_pos;
    if (*start == '\0')
        return NULL;
    const char *nl = strchr(start, '\n');
    size_t n = nl ? (size_t)(nl - start) : strlen(start);
    if (n + 1 > src->line_cap) {
        src->line_cap = n + 1;
        src->line = shell_realloc(src->line, src->line_cap);
    }
    memcpy(src->line, start, n);
    src->line[n] = '\0';
    src->text_pos += nl ? n + 1 : n;
    *len = n;
    chop_newline(src->line, len);
    return src->line;
}

static const char *next_file_line(Source *src, size_t *len)
{
    errno = 0;
    ssize_t n = getline(&src->line, &src->line_cap, src->fp);
    if (n < 0) {
        if (errno == ENOMEM)
            out_of_memory();
        return NULL;
    }
    *len = (size_t)n;
    chop_newline(src->line, len);
    return src->line;
}

/* Lines typed at a terminal go into the history unless they are blank. */
static const char *next_tty_line(Source *src, const char *prompt, size_t *len)
{
    free(src->line);
    src->line = readline(prompt);
    if (src->line == NULL)
        return NULL;
    *len = strlen(src->line);
    if (src->line[strspn(src->line, " \t")] != '\0')
        add_history(src->line);
    return src->line;
}

const char *input_next_line(Source *src, const char *prompt, size_t *len)
{
    const char *line = NULL;

    switch (src->kind) {
    case SOURCE_TEXT:
        line = next_text_line(src, len);
        break;
    case SOURCE_FILE:
        line = next_file_line(src, len);
        break;
    case SOURCE_TTY:
        line = next_tty_line(src, prompt, len);
        break;
    }
    if (line != NULL)
        src->line_no++;
    return line;
}

void input_close(Source *src)
{
    if (src->fp != NULL && src->fp != stdin)
        fclose(src->fp);
    free(src->line);
    src->fp = NULL;
    src->line = NULL;
}

/* ------------------------------------------------------------------ */
/* History                                                             */
/* ------------------------------------------------------------------ */

/* TUNING: a thousand entries is months of typing and reads in no time. */
#define HISTORY_MAX 1000

/* Return the history file name (malloc'd), or NULL without $HOME. */
static char *history_file_name(void)
{
    const char *home = getenv("HOME");
    if (home == NULL || *home == '\0')
        return NULL;
    const char *base = "/.ember_history";
    char *path = shell_malloc(strlen(home) + strlen(base) + 1);
    strcpy(path, home);
    strcat(path, base);
    return path;
}

void input_history_load(void)
{
    char *path = history_file_name();

    using_history();
    stifle_history(HISTORY_MAX);
    if (path != NULL)
        read_history(path);
    free(path);
}

void input_history_save(void)
{
    char *path = history_file_name();

    if (path != NULL)
        write_history(path);
    free(path);
}
