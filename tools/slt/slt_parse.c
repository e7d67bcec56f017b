/*
 * slt_parse.c -- reading sqllogictest scripts.
 *
 * A script is loaded whole, a trailing "\r" is cut from every line, and
 * records are handed out one at a time. A record is a run of non-blank
 * lines; lines whose first character is '#' are comments, dropped before
 * anything else, so they neither end a record nor reach the SQL text.
 *
 * The parser never fails: a record it does not understand comes back as
 * SLT_BAD with a message, and the runner reports it at its line.
 *
 * Two small extensions of the format, both invisible to the SQLite corpus:
 * an expected line of a query may hold a whole row with its values
 * separated by tabs (a rendered value never holds a tab, so this cannot be
 * mistaken for a value), and "statement error" may be followed by "----"
 * and lines that must each appear in the error message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slt.h"

/* ------------------------------------------------------------- helpers */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_blank_line(const char *s)
{
    while (is_space(*s))
        s++;
    return *s == 0;
}

/* Find the next word at or after `p`. Sets *word and *len (0 when the line
 * has no more words) and returns the position just after the word. */
static const char *next_word(const char *p, const char **word, size_t *len)
{
    while (is_space(*p))
        p++;
    const char *start = p;
    while (*p != 0 && !is_space(*p))
        p++;
    *word = start;
    *len = (size_t)(p - start);
    return p;
}

static bool word_is(const char *word, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(word, lit, len) == 0;
}

/* Mark the record as malformed; the message is shown after "file:line: ". */
static void set_bad(SltRecord *rec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->error, sizeof(rec->error), fmt, ap);
    va_end(ap);
    rec->kind = SLT_BAD;
}

/* Length of a word echoed back in a message: at most 40 characters. */
#define SHOWN(len) ((int)((len) < 40 ? (len) : 40))

/* --------------------------------------------------------------- loading */

/* Read the whole file into a NUL-terminated buffer the caller frees. */
static char *read_file(const char *path, size_t *size, char *err,
                       size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_cap, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16;
    size_t len = 0;
    char *buf = slt_xmalloc(cap);
    for (;;) {
        if (cap - len < 2) {
            cap *= 2;
            buf = slt_xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        snprintf(err, err_cap, "read error");
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    *size = len;
    return buf;
}

/* Cut rd->text into lines in place, dropping "\n" and one trailing "\r". */
static void split_lines(SltReader *rd, size_t size)
{
    int n = 1;
    for (size_t i = 0; i < size; i++)
        n += rd->text[i] == '\n';
    rd->lines = slt_xmalloc((size_t)n * sizeof(*rd->lines));
    rd->n_lines = 0;
    char *p = rd->text;
    char *end = rd->text + size;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl != NULL ? nl : end;
        if (stop > p && stop[-1] == '\r')
            stop[-1] = 0;
        *stop = 0;
        rd->lines[rd->n_lines++] = p;
        p = stop + 1;
    }
}

bool slt_reader_open(SltReader *rd, const char *path, char *err, size_t err_cap)
{
    memset(rd, 0, sizeof(*rd));
    size_t size = 0;
    rd->text = read_file(path, &size, err, err_cap);
    if (rd->text == NULL)
        return false;
    rd->path = path;
    split_lines(rd, size);
    return true;
}

void slt_reader_close(SltReader *rd)
{
    free(rd->text);
    free(rd->lines);
    free(rd->rec_lines);
    free(rd->rec_line_nos);
    free(rd->sql);
    free(rd->values);
    memset(rd, 0, sizeof(*rd));
}

/* --------------------------------------------------------------- records */

/* Collect the lines of the next record, comments left out, into
 * rd->rec_lines. Returns how many there are; 0 at the end of the file. */
static int gather_record(SltReader *rd)
{
    while (rd->pos < rd->n_lines) {
        const char *s = rd->lines[rd->pos];
        if (s[0] != '#' && !is_blank_line(s))
            break;
        rd->pos++;
    }
    int n = 0;
    for (; rd->pos < rd->n_lines; rd->pos++) {
        char *s = rd->lines[rd->pos];
        if (s[0] == '#')
            continue;
        if (is_blank_line(s))
            break;
        if (n == rd->rec_cap) {
            rd->rec_cap = rd->rec_cap ? 2 * rd->rec_cap : 64;
            size_t cap = (size_t)rd->rec_cap;
            rd->rec_lines =
                slt_xrealloc(rd->rec_lines, cap * sizeof(*rd->rec_lines));
            rd->rec_line_nos =
                slt_xrealloc(rd->rec_line_nos, cap * sizeof(*rd->rec_line_nos));
        }
        rd->rec_lines[n] = s;
        rd->rec_line_nos[n] = rd->pos + 1;
        n++;
    }
    return n;
}

/* Join record lines [from, to) with "\n" into rd->sql. */
static const char *join_sql(SltReader *rd, int from, int to)
{
    size_t need = 1;
    for (int i = from; i < to; i++)
        need += strlen(rd->rec_lines[i]) + 1;
    if (need > rd->sql_cap) {
        rd->sql_cap = need;
        rd->sql = slt_xrealloc(rd->sql, need);
    }
    size_t len = 0;
    for (int i = from; i < to; i++) {
        size_t n = strlen(rd->rec_lines[i]);
        if (i > from)
            rd->sql[len++] = '\n';
        memcpy(rd->sql + len, rd->rec_lines[i], n);
        len += n;
    }
    rd->sql[len] = 0;
    return rd->sql;
}

static void push_value(SltReader *rd, SltRecord *rec, const char *s)
{
    if (rec->n_expected == rd->values_cap) {
        rd->values_cap = rd->values_cap ? 2 * rd->values_cap : 64;
        rd->values = slt_xrealloc(rd->values,
                                  (size_t)rd->values_cap * sizeof(*rd->values));
    }
    rd->values[rec->n_expected++] = s;
}

/* Split the body (lines after the command line at index `cmd`) into SQL
 * and expected lines. Query expected lines are cut at tabs. */
static void parse_body(SltReader *rd, SltRecord *rec, int cmd, int n,
                       bool split_tabs)
{
    int sep = cmd + 1;
    while (sep < n && strcmp(rd->rec_lines[sep], "----") != 0)
        sep++;
    rec->sql = join_sql(rd, cmd + 1, sep);
    rec->has_results = sep < n;
    rec->n_expected = 0;
    for (int i = sep + 1; i < n; i++) {
        char *s = rd->rec_lines[i];
        char *tab;
        while (split_tabs && (tab = strchr(s, '\t')) != NULL) {
            *tab = 0;
            push_value(rd, rec, s);
            s = tab + 1;
        }
        push_value(rd, rec, s);
    }
    rec->expected = rd->values;
    if (is_blank_line(rec->sql))
        set_bad(rec, "no SQL text");
}

/* "statement ok" or "statement error", then the SQL. */
static void parse_statement(SltReader *rd, SltRecord *rec, int cmd, int n)
{
    const char *w;
    size_t len;
    const char *p = next_word(rd->rec_lines[cmd], &w, &len);
    next_word(p, &w, &len);
    if (word_is(w, len, "ok")) {
        rec->expect_error = false;
    } else if (word_is(w, len, "error")) {
        rec->expect_error = true;
    } else {
        set_bad(rec, "expected 'statement ok' or 'statement error'");
        return;
    }
    rec->kind = SLT_STATEMENT;
    parse_body(rd, rec, cmd, n, false);
    if (rec->kind == SLT_STATEMENT && rec->has_results && !rec->expect_error)
        set_bad(rec, "'statement ok' takes no '----' section");
}

/* "query <types> [<sort> [<label>]]", the SQL, "----", the values. */
static void parse_query(SltReader *rd, SltRecord *rec, int cmd, int n)
{
    const char *w;
    size_t len;
    const char *p = next_word(rd->rec_lines[cmd], &w, &len);
    p = next_word(p, &w, &len);
    if (len == 0) {
        set_bad(rec, "query without column types");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (w[i] != 'I' && w[i] != 'R' && w[i] != 'T') {
            set_bad(rec, "unknown column type '%c' in '%.*s'", w[i], SHOWN(len),
                    w);
            return;
        }
    }
    rec->types = w;
    rec->n_cols = (int)len;
    p = next_word(p, &w, &len);
    if (len == 0 || word_is(w, len, "nosort")) {
        rec->sort = SLT_NOSORT;
    } else if (word_is(w, len, "rowsort")) {
        rec->sort = SLT_ROWSORT;
    } else if (word_is(w, len, "valuesort")) {
        rec->sort = SLT_VALUESORT;
    } else {
        set_bad(rec, "unknown sort mode '%.*s'", SHOWN(len), w);
        return;
    }
    next_word(p, &w, &len);
    if (len > SLT_LABEL_MAX)
        len = SLT_LABEL_MAX;
    memcpy(rec->label, w, len);
    rec->label[len] = 0;
    rec->kind = SLT_QUERY;
    parse_body(rd, rec, cmd, n, true);
}

/* "hash-threshold <N>" with N a non-negative decimal number. */
static void parse_threshold(SltReader *rd, SltRecord *rec, int cmd)
{
    const char *w;
    size_t len;
    const char *p = next_word(rd->rec_lines[cmd], &w, &len);
    next_word(p, &w, &len);
    long value = 0;
    bool ok = len > 0 && len < 10;
    for (size_t i = 0; ok && i < len; i++) {
        ok = isdigit((unsigned char)w[i]) != 0;
        value = value * 10 + (w[i] - '0');
    }
    if (!ok) {
        set_bad(rec, "hash-threshold needs a number, got '%.*s'", SHOWN(len),
                w);
        return;
    }
    rec->kind = SLT_HASH_THRESHOLD;
    rec->threshold = value;
}

/* Read the skipif/onlyif prefixes; returns the index of the command line,
 * or -1 after marking the record bad. */
static int parse_conds(SltReader *rd, SltRecord *rec, int n)
{
    for (int i = 0; i < n; i++) {
        const char *w;
        size_t len;
        const char *p = next_word(rd->rec_lines[i], &w, &len);
        bool only = word_is(w, len, "onlyif");
        if (!only && !word_is(w, len, "skipif"))
            return i;
        rec->line = rd->rec_line_nos[i];
        rec->command = rd->rec_lines[i];
        next_word(p, &w, &len);
        if (len == 0) {
            set_bad(rec, "'%s' needs an engine name",
                    only ? "onlyif" : "skipif");
            return -1;
        }
        if (rec->n_conds == SLT_MAX_CONDS) {
            set_bad(rec, "more than %d skipif/onlyif lines", SLT_MAX_CONDS);
            return -1;
        }
        SltCond *cond = &rec->conds[rec->n_conds++];
        cond->only = only;
        cond->engine = w;
        cond->engine_len = len;
    }
    set_bad(rec, "skipif/onlyif with no record after it");
    return -1;
}

bool slt_reader_next(SltReader *rd, SltRecord *rec)
{
    int n = gather_record(rd);
    if (n == 0)
        return false;
    memset(rec, 0, sizeof(*rec));
    rec->line = rd->rec_line_nos[0];
    rec->command = rd->rec_lines[0];
    rec->sql = "";
    rec->expected = rd->values;
    int cmd = parse_conds(rd, rec, n);
    if (cmd < 0)
        return true;
    rec->line = rd->rec_line_nos[cmd];
    rec->command = rd->rec_lines[cmd];

    const char *w;
    size_t len;
    next_word(rd->rec_lines[cmd], &w, &len);
    if (word_is(w, len, "statement")) {
        parse_statement(rd, rec, cmd, n);
    } else if (word_is(w, len, "query")) {
        parse_query(rd, rec, cmd, n);
    } else if (word_is(w, len, "hash-threshold")) {
        parse_threshold(rd, rec, cmd);
    } else if (word_is(w, len, "halt")) {
        rec->kind = SLT_HALT;
    } else {
        set_bad(rec, "unknown record type '%.*s'", SHOWN(len), w);
    }
    return true;
}
