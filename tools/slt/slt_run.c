/*
 * slt_run.c -- running the records of one script against ember.
 *
 * Each file gets a fresh in-memory database, the settings of the command
 * line, the default hash threshold and an empty label table. Records run in
 * file order until the end of the file or a halt record.
 *
 * Counting: every statement or query record is exactly one of passed,
 * failed or skipped. Skipped means a skipif/onlyif prefix excluded it;
 * a skipped query with a label still has its expected result checked
 * against the label, and a mismatch makes it a failure instead. Control
 * records (hash-threshold, halt) are not counted; an unknown or malformed
 * record is counted as a failure; so is a file that cannot be read or a
 * database that cannot be opened or configured.
 *
 * Comparison: a query whose expected text is the single line
 * "N values hashing to H" is compared by count and hash, any other by value.
 * The hash threshold decides only how an actual result is shown in a
 * failure report: as a hash line when it has more values than the
 * threshold, as a value list otherwise, so the report shows what the
 * expected text should have been.
 *
 * Labels: each labeled query (run or skipped) contributes the hash of its
 * expected result; the first one seen for a label is kept, and every later
 * one must equal it. A run query's actual result is already checked
 * against its own expected result, so a failing query never makes the
 * correct queries that share its label fail too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slt.h"

/* At most this many values of a list are printed in a failure report. */
#define SHOW_VALUES 64
/* At most this many rows are printed beside a hash. */
#define SHOW_ROWS 10

/* The hash of one label's first query. Lives in LabelTable.slots. */
typedef struct Label {
    char key[SLT_LABEL_MAX + 1]; /* "" marks a free slot */
    char hex[33];                /* MD5 of the first expected result */
    long n_values;               /* its number of values */
    int line;                    /* where that query is */
} Label;

/* Open addressing with linear probing; capacity a power of two, at most
 * half full. */
typedef struct LabelTable {
    Label *slots; /* cap slots, NULL before the first label */
    size_t cap;   /* number of slots, 0 or a power of two */
    size_t n;     /* slots in use */
} LabelTable;

/* State of the run of one file. Lives on the stack of slt_run_file(). */
typedef struct FileRun {
    const SltOptions *opt; /* the command line */
    const char *path;      /* the script */
    ember_db *db;          /* its database, NULL until opened */
    long threshold;        /* current hash threshold */
    LabelTable labels;     /* labels seen so far in this file */
    SltValues actual;      /* scratch: rendered result of a query */
    SltValues expected;    /* scratch: expected values of a query */
    SltCounts counts;      /* records of this file */
    int halt_line;         /* line of the halt record, 0 if none ran */
    bool stop_all;         /* --stop and something failed */
    int err_code;          /* status of the last failing ember call */
    char err_msg[1024];    /* its message, copied before finalize */
} FileRun;

/* ---------------------------------------------------------------- labels */

static size_t label_hash(const char *key)
{
    size_t h = 2166136261u;
    for (; *key != 0; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h;
}

static Label *label_probe(Label *slots, size_t cap, const char *key)
{
    size_t i = label_hash(key) & (cap - 1);
    while (slots[i].key[0] != 0 && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* The slot for `key`: the existing label or a free slot to fill. */
static Label *label_slot(LabelTable *t, const char *key)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        Label *slots = slt_xmalloc(cap * sizeof(*slots));
        memset(slots, 0, cap * sizeof(*slots));
        for (size_t i = 0; i < t->cap; i++) {
            if (t->slots[i].key[0] != 0)
                *label_probe(slots, cap, t->slots[i].key) = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    return label_probe(t->slots, t->cap, key);
}

/* ------------------------------------------------------------- reporting */

static void print_indented(const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        int len = nl != NULL ? (int)(nl - p) : (int)strlen(p);
        printf("    %.*s\n", len, p);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

/* Print the head of a failure report: "file:line: what" and the SQL.
 * The caller adds details; report_end() closes the block. Counting is left
 * to the caller, since one record may produce two reports. */
static void report_head(const FileRun *fr, const SltRecord *rec,
                        const char *fmt, ...)
{
    va_list ap;
    printf("%s:%d: ", fr->path, rec->line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (rec->sql[0] != 0) {
        printf("  sql:\n");
        print_indented(rec->sql);
    }
}

static void report_end(void)
{
    putchar('\n');
}

/* A value list, one value per line, as it would be written after "----". */
static void show_list(const char *title, const SltValues *vals)
{
    printf("  %s (%d value%s):\n", title, vals->n, vals->n == 1 ? "" : "s");
    int shown = vals->n < SHOW_VALUES ? vals->n : SHOW_VALUES;
    for (int i = 0; i < shown; i++)
        printf("    %s\n", vals->v[i]);
    if (shown < vals->n)
        printf("    ... %d more\n", vals->n - shown);
}

/* The first rows of a result in the engine's order, values separated by
 * tabs (a form the parser also accepts as expected text). */
static void show_rows(const SltValues *vals, int n_cols)
{
    int n_rows = vals->n / n_cols;
    int shown = n_rows < SHOW_ROWS ? n_rows : SHOW_ROWS;
    printf("  first %d of %d rows, unsorted:\n", shown, n_rows);
    for (int r = 0; r < shown; r++) {
        printf("    ");
        for (int c = 0; c < n_cols; c++)
            printf(c ? "\t%s" : "%s", slt_values_added(vals, r * n_cols + c));
        putchar('\n');
    }
}

/* The actual result the way the expected text should be written under the
 * current hash threshold. */
static void show_actual(const FileRun *fr, const SltValues *actual, int n_cols,
                        const char *hex)
{
    if (fr->threshold > 0 && actual->n > fr->threshold) {
        printf("  actual:   %d values hashing to %s\n", actual->n, hex);
        show_rows(actual, n_cols);
    } else {
        show_list("actual", actual);
    }
}

/* ------------------------------------------------------------ executing */

/* Keep the error of a failed ember call; the message is copied because the
 * next call on the handle may replace it. */
static void save_error(FileRun *fr, int rc)
{
    const char *msg = ember_errmsg(fr->db);
    if (msg == NULL || msg[0] == 0)
        msg = ember_errstr(rc);
    fr->err_code = rc;
    snprintf(fr->err_msg, sizeof(fr->err_msg), "%s", msg);
}

/* Skip blanks and ';' between statements. */
static const char *skip_separators(const char *p, const char *end)
{
    while (p < end && (*p == ';' || *p == ' ' || *p == '\t' || *p == '\n' ||
                       *p == '\r' || *p == '\f' || *p == '\v'))
        p++;
    return p;
}

/* Length of `sql` without trailing blanks and semicolons. */
static int trimmed_length(const char *sql)
{
    size_t n = strlen(sql);
    while (n > 0 && skip_separators(sql + n - 1, sql + n) == sql + n)
        n--;
    return (int)n;
}

/* Run every statement of `sql` in turn, discarding rows. Returns false at
 * the first error, which save_error() has kept. */
static bool exec_statements(FileRun *fr, const char *sql)
{
    const char *end = sql + trimmed_length(sql);
    const char *p = skip_separators(sql, end);
    while (p < end) {
        ember_stmt *stmt = NULL;
        const char *tail = NULL;
        int rc = ember_prepare(fr->db, p, (int)(end - p), &stmt, &tail);
        if (rc != EMBER_OK) {
            save_error(fr, rc);
            ember_finalize(stmt);
            return false;
        }
        if (stmt == NULL)
            break;
        do {
            rc = ember_step(stmt);
        } while (rc == EMBER_ROW);
        if (rc != EMBER_DONE) {
            save_error(fr, rc);
            ember_finalize(stmt);
            return false;
        }
        ember_finalize(stmt);
        if (tail == NULL || tail <= p || tail > end)
            break;
        p = skip_separators(tail, end);
    }
    return true;
}

static bool run_statement(FileRun *fr, const SltRecord *rec)
{
    bool ok = exec_statements(fr, rec->sql);
    if (ok && !rec->expect_error)
        return true;
    if (ok) {
        report_head(fr, rec, "statement succeeded, an error was expected");
        report_end();
        return false;
    }
    if (!rec->expect_error) {
        report_head(fr, rec, "statement failed: %s (%s)", fr->err_msg,
                    ember_status_name(fr->err_code));
        report_end();
        return false;
    }
    for (int i = 0; i < rec->n_expected; i++) {
        if (strstr(fr->err_msg, rec->expected[i]) == NULL) {
            report_head(fr, rec, "statement failed with the wrong error");
            printf("  expected the message to contain:\n    %s\n",
                   rec->expected[i]);
            printf("  actual message:\n    %s (%s)\n", fr->err_msg,
                   ember_status_name(fr->err_code));
            report_end();
            return false;
        }
    }
    return true;
}

/* True when nothing but blanks, separators or comments follows the first
 * statement of a query. */
static bool only_one_statement(FileRun *fr, const char *tail, const char *end)
{
    if (tail == NULL || tail >= end)
        return true;
    const char *p = skip_separators(tail, end);
    if (p == end)
        return true;
    ember_stmt *stmt = NULL;
    int rc = ember_prepare(fr->db, p, (int)(end - p), &stmt, NULL);
    ember_finalize(stmt);
    return rc == EMBER_OK && stmt == NULL;
}

/* Prepare and run the query of `rec`, rendering its rows into fr->actual,
 * sorted. On failure reports it and returns false. */
static bool fetch_result(FileRun *fr, const SltRecord *rec)
{
    const char *end = rec->sql + trimmed_length(rec->sql);
    ember_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc =
        ember_prepare(fr->db, rec->sql, (int)(end - rec->sql), &stmt, &tail);
    if (rc != EMBER_OK) {
        save_error(fr, rc);
        report_head(fr, rec, "query failed: %s (%s)", fr->err_msg,
                    ember_status_name(rc));
        goto out_finalize;
    }
    if (stmt == NULL) {
        report_head(fr, rec, "query failed: the text holds no statement");
        goto out_finalize;
    }
    if (!only_one_statement(fr, tail, end)) {
        report_head(fr, rec, "query text holds more than one statement");
        goto out_finalize;
    }
    int n_cols = ember_column_count(stmt);
    if (n_cols != rec->n_cols) {
        report_head(fr, rec, "expected %d columns, got %d", rec->n_cols,
                    n_cols);
        goto out_finalize;
    }
    slt_values_clear(&fr->actual);
    while ((rc = ember_step(stmt)) == EMBER_ROW) {
        for (int c = 0; c < n_cols; c++)
            slt_render_value(&fr->actual, stmt, c, rec->types[c]);
    }
    if (rc != EMBER_DONE) {
        save_error(fr, rc);
        report_head(fr, rec, "query failed: %s (%s)", fr->err_msg,
                    ember_status_name(rc));
        goto out_finalize;
    }
    ember_finalize(stmt);
    slt_values_finish(&fr->actual);
    slt_values_sort(&fr->actual, rec->sort, rec->n_cols);
    return true;

out_finalize:
    report_end();
    ember_finalize(stmt);
    return false;
}

/* Read the expected result of `rec`: its count and hash, and for a value
 * list the sorted values in fr->expected. Returns true for a hash line. */
static bool load_expected(FileRun *fr, const SltRecord *rec, long *n,
                          char hex[33])
{
    if (rec->n_expected == 1 && slt_parse_hash_line(rec->expected[0], n, hex))
        return true;
    slt_values_clear(&fr->expected);
    for (int i = 0; i < rec->n_expected; i++)
        slt_values_add(&fr->expected, rec->expected[i],
                       strlen(rec->expected[i]));
    slt_values_finish(&fr->expected);
    slt_values_sort(&fr->expected, rec->sort, rec->n_cols);
    slt_values_md5(&fr->expected, hex);
    *n = fr->expected.n;
    return false;
}

/* "2 rows (6 values)" for a list of n values of n_cols columns. */
static const char *describe_count(char *buf, size_t cap, long n, int n_cols)
{
    if (n_cols == 1)
        snprintf(buf, cap, "%ld row%s", n, n == 1 ? "" : "s");
    else if (n % n_cols == 0)
        snprintf(buf, cap, "%ld row%s (%ld values)", n / n_cols,
                 n / n_cols == 1 ? "" : "s", n);
    else
        snprintf(buf, cap, "%ld values", n);
    return buf;
}

/* Compare fr->actual with a hash line. */
static bool compare_hash(FileRun *fr, const SltRecord *rec, long exp_n,
                         const char *exp_hex)
{
    char hex[33];
    slt_values_md5(&fr->actual, hex);
    if (fr->actual.n == exp_n && strcmp(hex, exp_hex) == 0)
        return true;
    if (fr->actual.n != exp_n)
        report_head(fr, rec, "wrong result: expected %ld values, got %d", exp_n,
                    fr->actual.n);
    else
        report_head(fr, rec, "wrong result: hash mismatch");
    printf("  expected: %ld values hashing to %s\n", exp_n, exp_hex);
    printf("  actual:   %d values hashing to %s\n", fr->actual.n, hex);
    if (fr->actual.n > 0)
        show_rows(&fr->actual, rec->n_cols);
    report_end();
    return false;
}

/* Compare fr->actual with the value list in fr->expected. */
static bool compare_values(FileRun *fr, const SltRecord *rec)
{
    const SltValues *exp = &fr->expected;
    const SltValues *act = &fr->actual;
    int n_cols = rec->n_cols;
    char a[64];
    char b[64];

    if (exp->n != act->n) {
        report_head(fr, rec, "wrong result: too %s rows: expected %s, got %s",
                    act->n > exp->n ? "many" : "few",
                    describe_count(a, sizeof(a), exp->n, n_cols),
                    describe_count(b, sizeof(b), act->n, n_cols));
    } else {
        int i = 0;
        while (i < exp->n && strcmp(exp->v[i], act->v[i]) == 0)
            i++;
        if (i == exp->n)
            return true;
        if (rec->sort == SLT_VALUESORT || n_cols == 1)
            report_head(fr, rec,
                        "wrong result at value %d: expected '%s', got '%s'",
                        i + 1, exp->v[i], act->v[i]);
        else
            report_head(fr, rec,
                        "wrong result at row %d, column %d: expected '%s', "
                        "got '%s'",
                        i / n_cols + 1, i % n_cols + 1, exp->v[i], act->v[i]);
    }
    show_list("expected", exp);
    char hex[33];
    slt_values_md5(act, hex);
    show_actual(fr, act, n_cols, hex);
    report_end();
    return false;
}

/* Check `hex`, the expected-result hash of a labeled query, against the
 * label's first query, or make it the first. */
static bool check_label(FileRun *fr, const SltRecord *rec, long n,
                        const char *hex)
{
    if (rec->label[0] == 0)
        return true;
    Label *label = label_slot(&fr->labels, rec->label);
    if (label->key[0] == 0) {
        memcpy(label->key, rec->label, sizeof(label->key));
        memcpy(label->hex, hex, sizeof(label->hex));
        label->n_values = n;
        label->line = rec->line;
        fr->labels.n++;
        return true;
    }
    if (strcmp(label->hex, hex) == 0)
        return true;
    report_head(fr, rec, "label '%s' differs from the query at line %d",
                rec->label, label->line);
    printf("  expected results:\n");
    printf("    line %d: %ld values hashing to %s\n", rec->line, n, hex);
    printf("    line %d: %ld values hashing to %s\n", label->line,
           label->n_values, label->hex);
    report_end();
    return false;
}

/* Run a query and compare its result; the label check does not depend on
 * the result, so it happens even when the query fails. */
static bool run_query(FileRun *fr, const SltRecord *rec)
{
    long exp_n;
    char exp_hex[33];
    bool is_hash = load_expected(fr, rec, &exp_n, exp_hex);
    bool ok = fetch_result(fr, rec);
    if (ok && is_hash)
        ok = compare_hash(fr, rec, exp_n, exp_hex);
    else if (ok)
        ok = compare_values(fr, rec);
    return check_label(fr, rec, exp_n, exp_hex) && ok;
}

/* ---------------------------------------------------------------- driver */

static bool engine_is_us(const SltOptions *opt, const SltCond *cond)
{
    for (int i = 0; i < opt->n_names; i++) {
        if (strlen(opt->names[i]) == cond->engine_len &&
            strncasecmp(opt->names[i], cond->engine, cond->engine_len) == 0)
            return true;
    }
    return false;
}

/* The prefix that excludes the record, or NULL when it runs. */
static const SltCond *excluding_cond(const SltOptions *opt,
                                     const SltRecord *rec)
{
    for (int i = 0; i < rec->n_conds; i++) {
        if (rec->conds[i].only != engine_is_us(opt, &rec->conds[i]))
            return &rec->conds[i];
    }
    return NULL;
}

static void print_progress(const FileRun *fr, const SltRecord *rec,
                           const SltCond *skip)
{
    if (skip != NULL)
        printf("%s:%d: skipped (%s %.*s): %s\n", fr->path, rec->line,
               skip->only ? "onlyif" : "skipif", (int)skip->engine_len,
               skip->engine, rec->command);
    else if (rec->sql[0] != 0)
        printf("%s:%d: %s: %.*s%s\n", fr->path, rec->line, rec->command,
               (int)strcspn(rec->sql, "\n"), rec->sql,
               strchr(rec->sql, '\n') != NULL ? " ..." : "");
    else
        printf("%s:%d: %s\n", fr->path, rec->line, rec->command);
    fflush(stdout);
}

/* The --known entry for this record, or NULL. */
static SltKnown *known_entry(const FileRun *fr, const SltRecord *rec)
{
    size_t plen = strlen(fr->path);
    for (int i = 0; i < fr->opt->n_known; i++) {
        SltKnown *k = &fr->opt->known[i];
        size_t flen = strlen(k->file);
        if (k->line == rec->line && flen <= plen &&
            strcmp(fr->path + plen - flen, k->file) == 0 &&
            (flen == plen || fr->path[plen - flen - 1] == '/'))
            return k;
    }
    return NULL;
}

static void count_record(FileRun *fr, const SltRecord *rec, bool passed)
{
    SltKnown *k = rec ? known_entry(fr, rec) : NULL;
    if (k) {
        k->seen = true;
        if (!passed) {
            printf("  (known failure: %s)\n\n", k->reason);
            fr->counts.known++;
            return;
        }
        printf("%s:%d: listed as a known failure (%s) but passed\n\n",
               fr->path, rec->line, k->reason);
        passed = false;
    }
    if (passed) {
        fr->counts.passed++;
    } else {
        fr->counts.failed++;
        if (fr->opt->stop)
            fr->stop_all = true;
    }
}

/* A record excluded by a prefix: counted as skipped, except that a labeled
 * query still has its expected result checked against the label. */
static void skip_record(FileRun *fr, const SltRecord *rec)
{
    if (rec->kind == SLT_QUERY && rec->label[0] != 0) {
        long n;
        char hex[33];
        load_expected(fr, rec, &n, hex);
        if (!check_label(fr, rec, n, hex)) {
            count_record(fr, rec, false);
            return;
        }
    }
    if (rec->kind != SLT_HASH_THRESHOLD && rec->kind != SLT_HALT)
        fr->counts.skipped++;
}

static void run_record(FileRun *fr, const SltRecord *rec)
{
    const SltCond *skip = excluding_cond(fr->opt, rec);
    if (fr->opt->verbose)
        print_progress(fr, rec, skip);
    if (skip != NULL) {
        skip_record(fr, rec);
        return;
    }
    switch (rec->kind) {
    case SLT_STATEMENT:
        count_record(fr, rec, run_statement(fr, rec));
        break;
    case SLT_QUERY:
        count_record(fr, rec, run_query(fr, rec));
        break;
    case SLT_HASH_THRESHOLD:
        if (fr->opt->ht_override < 0)
            fr->threshold = rec->threshold;
        break;
    case SLT_HALT:
        fr->halt_line = rec->line;
        break;
    case SLT_BAD:
        report_head(fr, rec, "%s", rec->error);
        report_end();
        count_record(fr, rec, false);
        break;
    }
}

/* Open the database of the file and apply the settings. Reports and
 * returns false on failure; a refused setting also stops the run, since
 * every later file would fail the same way. */
static bool open_database(FileRun *fr)
{
    int rc = ember_open(NULL, &fr->db);
    if (rc != EMBER_OK) {
        printf("%s: cannot open a database: %s (%s)\n\n", fr->path,
               fr->db != NULL ? ember_errmsg(fr->db) : ember_errstr(rc),
               ember_status_name(rc));
        fr->counts.failed++;
        return false;
    }
    for (int i = 0; i < fr->opt->n_sets; i++) {
        const char *name = fr->opt->set_names[i];
        const char *value = fr->opt->set_values[i];
        rc = ember_set(fr->db, name, value);
        if (rc != EMBER_OK) {
            printf("%s: cannot set %s=%s: %s (%s)\n\n", fr->path, name, value,
                   ember_errmsg(fr->db), ember_status_name(rc));
            fr->counts.failed++;
            fr->stop_all = true;
            return false;
        }
    }
    return true;
}

static void run_records(FileRun *fr)
{
    SltReader rd;
    SltRecord rec;
    char err[256];

    if (!slt_reader_open(&rd, fr->path, err, sizeof(err))) {
        printf("%s: %s\n\n", fr->path, err);
        fr->counts.failed++;
        return;
    }
    if (open_database(fr)) {
        while (fr->halt_line == 0 && !fr->stop_all &&
               slt_reader_next(&rd, &rec))
            run_record(fr, &rec);
    }
    slt_reader_close(&rd);
}

bool slt_run_file(const SltOptions *opt, const char *path, SltCounts *total)
{
    FileRun fr;
    memset(&fr, 0, sizeof(fr));
    fr.opt = opt;
    fr.path = path;
    fr.threshold =
        opt->ht_override >= 0 ? opt->ht_override : SLT_DEFAULT_HASH_THRESHOLD;
    slt_values_init(&fr.actual);
    slt_values_init(&fr.expected);

    run_records(&fr);
    if (fr.opt->stop && fr.counts.failed > 0)
        fr.stop_all = true;

    ember_close(fr.db);
    slt_values_release(&fr.actual);
    slt_values_release(&fr.expected);
    free(fr.labels.slots);

    printf("%s: %ld passed, %ld failed, %ld skipped", path, fr.counts.passed,
           fr.counts.failed, fr.counts.skipped);
    if (fr.counts.known)
        printf(", %ld known failures", fr.counts.known);
    if (fr.halt_line > 0)
        printf(" (halted at line %d)", fr.halt_line);
    putchar('\n');
    total->passed += fr.counts.passed;
    total->failed += fr.counts.failed;
    total->skipped += fr.counts.skipped;
    total->known += fr.counts.known;
    return !fr.stop_all;
}

bool slt_load_known(SltOptions *opt, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == 0 || *p == '#')
            continue;
        char *colon = strchr(p, ':');
        if (colon == NULL)
            continue;
        *colon = 0;
        char *end;
        long ln = strtol(colon + 1, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        SltKnown *k = realloc(opt->known, sizeof(SltKnown) *
                                              (size_t)(opt->n_known + 1));
        if (k == NULL)
            break;
        opt->known = k;
        k[opt->n_known].file = strdup(p);
        k[opt->n_known].line = (int)ln;
        k[opt->n_known].reason = strdup(*end ? end : "listed");
        k[opt->n_known].seen = false;
        opt->n_known++;
    }
    fclose(f);
    opt->known_path = path;
    return true;
}
