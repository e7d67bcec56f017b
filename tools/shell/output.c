/*
 * output.c -- the shell's output modes.
 *
 * A Printer receives the column names and types of one statement, then its
 * rows as text (NULL for SQL NULL), and writes them in one of five modes:
 *
 *   table  aligned columns in an ASCII frame, numbers right-aligned; the
 *          rows are kept until the end because every width depends on all
 *          of them. Control characters show as \n, \t, \r or ?.
 *   list   values separated by `|`, written as they are (like sqlite3).
 *   csv    RFC 4180: a field holding `,`, `"`, CR or LF is quoted and its
 *          quotes doubled. Lines end with LF.
 *   tsv    tab-separated; tab, LF, CR and backslash in a value are written
 *          as \t, \n, \r and \\ so that each row stays on one line.
 *   line   one `name = value` line per column, a blank line between rows.
 *
 * Widths count UTF-8 code points, not bytes. XXX: East Asian wide
 * characters take two terminal cells and will misalign table mode.
 */
#include <stdlib.h>
#include <string.h>

#include "shell.h"

static const struct {
    const char *name;
    OutputMode mode;
} mode_names[] = {
    {"table", MODE_TABLE}, {"list", MODE_LIST}, {"csv", MODE_CSV},
    {"tsv", MODE_TSV},     {"tabs", MODE_TSV},  {"line", MODE_LINE},
};

bool output_mode_parse(const char *name, OutputMode *mode)
{
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
        if (strcmp(name, mode_names[i].name) == 0) {
            *mode = mode_names[i].mode;
            return true;
        }
    }
    return false;
}

const char *output_mode_name(OutputMode mode)
{
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
        if (mode_names[i].mode == mode)
            return mode_names[i].name;
    }
    return "?";
}

/* ------------------------------------------------------------------ */
/* Text helpers                                                        */
/* ------------------------------------------------------------------ */

/* Display width of UTF-8 text: the number of code points. */
static size_t text_width(const char *text)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            w++;
    }
    return w;
}

static void put_spaces(FILE *out, size_t n)
{
    while (n-- > 0)
        fputc(' ', out);
}

/* Return a malloc'd copy of `text` fit for one table cell: control
 * characters are replaced by a visible escape. */
static char *table_cell_text(const char *text)
{
    size_t n = strlen(text);
    char *cell = shell_malloc(2 * n + 1);
    char *q = cell;

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r') {
            *q++ = '\\';
            *q++ = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
        } else if (*p < 0x20 || *p == 0x7F) {
            *q++ = '?';
        } else {
            *q++ = (char)*p;
        }
    }
    *q = '\0';
    return cell;
}

static void put_csv_field(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void put_tsv_field(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '\t':
            fputs("\\t", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        default:
            fputc(*p, out);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Streaming modes: list, csv, tsv, line                               */
/* ------------------------------------------------------------------ */

/* Write one record of a separated mode (list, csv, tsv). */
static void put_record(const Printer *pr, const char *const *fields)
{
    for (int i = 0; i < pr->n_cols; i++) {
        const char *text = fields[i] ? fields[i] : pr->nullvalue;
        switch (pr->mode) {
        case MODE_CSV:
            if (i > 0)
                fputc(',', pr->out);
            put_csv_field(pr->out, text);
            break;
        case MODE_TSV:
            if (i > 0)
                fputc('\t', pr->out);
            put_tsv_field(pr->out, text);
            break;
        default:
            if (i > 0)
                fputc('|', pr->out);
            fputs(text, pr->out);
            break;
        }
    }
    fputc('\n', pr->out);
}

static void put_line_row(const Printer *pr, const char *const *values)
{
    size_t name_w = 0;

    for (int i = 0; i < pr->n_cols; i++) {
        size_t w = text_width(pr->names[i]);
        if (w > name_w)
            name_w = w;
    }
    if (pr->n_rows > 0)
        fputc('\n', pr->out);
    for (int i = 0; i < pr->n_cols; i++) {
        put_spaces(pr->out, name_w - text_width(pr->names[i]));
        fprintf(pr->out, "%s = %s\n", pr->names[i],
                values[i] ? values[i] : pr->nullvalue);
    }
}

/* ------------------------------------------------------------------ */
/* Table mode                                                          */
/* ------------------------------------------------------------------ */

static void put_table_border(const Printer *pr, const size_t *widths)
{
    fputc('+', pr->out);
    for (int i = 0; i < pr->n_cols; i++) {
        for (size_t k = 0; k < widths[i] + 2; k++)
            fputc('-', pr->out);
        fputc('+', pr->out);
    }
    fputc('\n', pr->out);
}

static void put_table_row(const Printer *pr, const size_t *widths,
                          char *const *cells)
{
    fputc('|', pr->out);
    for (int i = 0; i < pr->n_cols; i++) {
        size_t pad = widths[i] - text_width(cells[i]);
        fputc(' ', pr->out);
        if (pr->is_numeric[i])
            put_spaces(pr->out, pad);
        fputs(cells[i], pr->out);
        if (!pr->is_numeric[i])
            put_spaces(pr->out, pad);
        fputs(" |", pr->out);
    }
    fputc('\n', pr->out);
}

/* Print every kept row, framed; header first when shown. */
static void put_table(const Printer *pr)
{
    size_t *widths = shell_malloc(sizeof(size_t) * (size_t)pr->n_cols);
    char **names = shell_malloc(sizeof(char *) * (size_t)pr->n_cols);

    for (int i = 0; i < pr->n_cols; i++) {
        names[i] = table_cell_text(pr->names[i]);
        widths[i] = pr->show_header ? text_width(names[i]) : 0;
    }
    for (size_t r = 0; r < pr->n_rows; r++) {
        for (int i = 0; i < pr->n_cols; i++) {
            size_t w = text_width(pr->cells[r * (size_t)pr->n_cols + i]);
            if (w > widths[i])
                widths[i] = w;
        }
    }
    put_table_border(pr, widths);
    if (pr->show_header) {
        put_table_row(pr, widths, names);
        put_table_border(pr, widths);
    }
    for (size_t r = 0; r < pr->n_rows; r++)
        put_table_row(pr, widths, pr->cells + r * (size_t)pr->n_cols);
    put_table_border(pr, widths);

    for (int i = 0; i < pr->n_cols; i++)
        free(names[i]);
    free(names);
    free(widths);
}

/* Keep a copy of one row for put_table(). */
static void keep_table_row(Printer *pr, const char *const *values)
{
    size_t n_cols = (size_t)pr->n_cols;
    size_t need = (pr->n_rows + 1) * n_cols;

    if (need > pr->cap_cells) {
        size_t cap = pr->cap_cells ? pr->cap_cells * 2 : 64 * n_cols;
        while (cap < need)
            cap *= 2;
        pr->cells = shell_realloc(pr->cells, cap * sizeof(char *));
        pr->cap_cells = cap;
    }
    char **row = pr->cells + pr->n_rows * n_cols;
    for (size_t i = 0; i < n_cols; i++)
        row[i] = table_cell_text(values[i] ? values[i] : pr->nullvalue);
}

/* ------------------------------------------------------------------ */
/* Printer                                                             */
/* ------------------------------------------------------------------ */

static bool is_numeric_type(int type)
{
    return type == EMBER_TYPE_INTEGER || type == EMBER_TYPE_BIGINT ||
           type == EMBER_TYPE_DOUBLE || type == EMBER_TYPE_DECIMAL;
}

void printer_begin(Printer *pr, FILE *out, OutputMode mode, bool show_header,
                   const char *nullvalue, int n_cols, const char *const *names,
                   const int *types)
{
    memset(pr, 0, sizeof *pr);
    pr->out = out;
    pr->mode = mode;
    pr->show_header = show_header;
    pr->nullvalue = nullvalue;
    pr->n_cols = n_cols;
    pr->names = shell_malloc(sizeof(char *) * (size_t)n_cols);
    pr->is_numeric = shell_malloc(sizeof(bool) * (size_t)n_cols);
    for (int i = 0; i < n_cols; i++) {
        pr->names[i] = shell_strdup(names[i] ? names[i] : "");
        pr->is_numeric[i] = is_numeric_type(types[i]);
    }
    if (show_header && mode != MODE_TABLE && mode != MODE_LINE)
        put_record(pr, (const char *const *)pr->names);
}

void printer_row(Printer *pr, const char *const *values)
{
    switch (pr->mode) {
    case MODE_TABLE:
        keep_table_row(pr, values);
        break;
    case MODE_LINE:
        put_line_row(pr, values);
        break;
    default:
        put_record(pr, values);
        break;
    }
    pr->n_rows++;
}

void printer_end(Printer *pr)
{
    if (pr->mode == MODE_TABLE) {
        if (pr->n_rows > 0)
            put_table(pr);
        for (size_t i = 0; i < pr->n_rows * (size_t)pr->n_cols; i++)
            free(pr->cells[i]);
    }
    for (int i = 0; i < pr->n_cols; i++)
        free(pr->names[i]);
    free(pr->cells);
    free(pr->names);
    free(pr->is_numeric);
    fflush(pr->out);
    memset(pr, 0, sizeof *pr);
}
