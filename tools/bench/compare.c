/*
 * compare.c -- `ember-bench compare OLD NEW [NEW2...]`: benchstat's tables.
 *
 * For each unit (ns/op shown as sec/op), one table: a row per benchmark
 * name, a column group per file. Each cell is the median of that file's
 * samples with its confidence interval (± X%); each non-base group also
 * shows the change from the first file, "~" when the Mann-Whitney test
 * does not find it significant at --alpha, with the p-value and sample
 * sizes. A geomean row ends tables of more than one row. Problems with the
 * data (too few samples, equal samples, differing benchmark sets) are
 * footnotes, as in benchstat.
 *
 * --fail-over PCT turns the tool into a gate: exit status 1 when, in the
 * chosen unit (default ns/op), some benchmark got significantly worse by
 * more than PCT percent.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "obs/stats.h"

#define MAX_INT(a, b) ((a) > (b) ? (a) : (b))

typedef struct CompareOptions {
    double alpha;
    double confidence;
    double fail_over;         /* percent; < 0: no gate */
    const char *unit;         /* only this unit (and the gate's unit) */
} CompareOptions;

/* The samples of one benchmark in one file, for one unit. */
typedef struct Cell {
    double *v;
    int n;
    int cap;
    StatSummary sum;          /* valid when n > 0 */
} Cell;

/* Footnotes of one table, numbered in order of first use. */
typedef struct Notes {
    char *msg[32];
    int n;
} Notes;

/* A table of strings; NULL cells print empty. */
typedef struct TextTable {
    int n_cols;
    int n_rows;
    char **cells;             /* row-major */
} TextTable;

/* A regression found by the gate. */
typedef struct Regression {
    char *text;
    struct Regression *next;
} Regression;

/* Everything one unit's table needs. */
typedef struct UnitTable {
    const BenchSet *set;
    const CompareOptions *opt;
    int unit;
    char display[64];         /* tidied unit: "sec/op" */
    double factor;            /* raw value -> display unit */
    int *rows;                /* bench ids with data, in order */
    int n_rows;
    Cell *cells;              /* n_rows * n_files */
    Notes notes;
    TextTable t;
} UnitTable;

/* ----------------------------------------------------------- utilities */

static char *xprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* The marker of a footnote, adding the message if new. */
static const char *note_mark(Notes *nt, const char *msg, char *buf,
                             size_t cap)
{
    int i = 0;
    while (i < nt->n && strcmp(nt->msg[i], msg) != 0)
        i++;
    if (i == nt->n) {
        if (nt->n == (int)COUNT_OF(nt->msg))
            return "";
        nt->msg[nt->n++] = xstrdup(msg);
    }
    return footnote_mark(i + 1, buf, cap);
}

static void tt_set(TextTable *t, int r, int c, char *s)
{
    free(t->cells[r * t->n_cols + c]);
    t->cells[r * t->n_cols + c] = s;
}

static const char *tt_get(const TextTable *t, int r, int c)
{
    const char *s = t->cells[r * t->n_cols + c];
    return s ? s : "";
}

/* Columns: 0 = name; per file f: value, interval; per file f > 0 also
 * delta, note. */
static int col_value(int f)
{
    return f == 0 ? 1 : 3 + 4 * (f - 1);
}

/* ------------------------------------------------------------- cells */

static void cell_add(Cell *c, double v)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->v = xrealloc(c->v, sizeof(double) * (size_t)c->cap);
    }
    c->v[c->n++] = v;
}

/* Gather the unit's samples into rows x files and summarize them. */
static void gather(UnitTable *ut)
{
    const BenchSet *s = ut->set;
    int *row_of = xmalloc(sizeof(int) * (size_t)(s->n_benches + 1));
    for (int b = 0; b < s->n_benches; b++)
        row_of[b] = -1;
    ut->rows = xmalloc(sizeof(int) * (size_t)(s->n_benches + 1));
    ut->n_rows = 0;
    for (size_t i = 0; i < s->n_m; i++)
        if (s->m[i].unit == ut->unit && row_of[s->m[i].bench] < 0)
            row_of[s->m[i].bench] = 1;
    for (int b = 0; b < s->n_benches; b++)
        if (row_of[b] >= 0) {
            row_of[b] = ut->n_rows;
            ut->rows[ut->n_rows++] = b;
        }
    size_t n_cells = (size_t)ut->n_rows * (size_t)s->n_files;
    ut->cells = xcalloc(n_cells, sizeof(Cell));
    for (size_t i = 0; i < s->n_m; i++) {
        const Measurement *m = &s->m[i];
        if (m->unit == ut->unit)
            cell_add(&ut->cells[row_of[m->bench] * s->n_files + m->file],
                     m->value * ut->factor);
    }
    for (size_t i = 0; i < n_cells; i++) {
        Cell *c = &ut->cells[i];
        if (c->n > 0 &&
            stat_summary(c->v, c->n, ut->opt->confidence, &c->sum) !=
                EMBER_OK) {
            bench_error("out of memory");
            exit(BENCH_EXIT_USAGE);
        }
    }
    free(row_of);
}

static Cell *cell_at(const UnitTable *ut, int row, int f)
{
    return &ut->cells[row * ut->set->n_files + f];
}

/* ----------------------------------------------------------- comparison */

/* The result of comparing one cell with the base. */
typedef struct Delta {
    bool significant;
    double pct;               /* (new / old - 1) * 100 */
    double p;
    bool exact_unit;
} Delta;

static char *format_pct(double pct)
{
    if (isinf(pct))
        return xstrdup(pct > 0 ? "+∞%" : "-∞%");
    if (isnan(pct))
        return xstrdup("?");
    return xprintf("%+.2f%%", pct);
}

static char *format_n(int nb, int nn)
{
    return nb == nn ? xprintf("n=%d", nb) : xprintf("n=%d+%d", nb, nn);
}

/* Fill the delta and note columns of (row, f) and return the comparison. */
static Delta compare_cells(UnitTable *ut, int row, int f)
{
    const Cell *b = cell_at(ut, row, 0);
    const Cell *c = cell_at(ut, row, f);
    const UnitInfo *u = &ut->set->units[ut->unit];
    Delta d = {false, NAN, 1, u->exact};
    double old = b->sum.center;
    d.pct = old == 0 ? (c->sum.center == 0 ? 0 : copysign(INFINITY,
                                                          c->sum.center))
                     : (c->sum.center / old - 1) * 100;
    char mark[32] = "";
    char *n_text = format_n(b->n, c->n);
    char *note;
    if (u->exact) {
        /* assume=exact: any difference is real. */
        d.significant = c->sum.center != old;
        d.p = d.significant ? 0 : 1;
        note = xprintf("(%s)", n_text);
    } else {
        StatUTest t;
        if (stat_mann_whitney(b->v, b->n, c->v, c->n, STAT_U_AUTO, &t) !=
            EMBER_OK) {
            bench_error("out of memory");
            exit(BENCH_EXIT_USAGE);
        }
        d.p = t.p;
        d.significant = !t.all_equal && t.p <= ut->opt->alpha;
        if (t.all_equal)
            note_mark(&ut->notes, "all samples are equal", mark,
                      sizeof(mark));
        else if (stat_u_min_p(b->n, c->n) > ut->opt->alpha) {
            char msg[128];
            snprintf(msg, sizeof(msg),
                     "need >= %d samples to detect a difference at alpha "
                     "level %g",
                     stat_u_min_samples(ut->opt->alpha), ut->opt->alpha);
            note_mark(&ut->notes, msg, mark, sizeof(mark));
        }
        note = xprintf("(p=%.3f %s)%s", t.p, n_text, mark);
    }
    free(n_text);
    int col = col_value(f);
    tt_set(&ut->t, row + 1, col + 2,
           d.significant ? format_pct(d.pct) : xstrdup("~"));
    tt_set(&ut->t, row + 1, col + 3, note);
    return d;
}

/* The gate: record a significant change for the worse over the limit. */
static void check_regression(const UnitTable *ut, int row, int f,
                             const Delta *d, Regression **list)
{
    const UnitInfo *u = &ut->set->units[ut->unit];
    if (!d->significant || isnan(d->pct))
        return;
    bool worse = u->higher_better ? d->pct < 0 : d->pct > 0;
    if (!worse || !(fabs(d->pct) > ut->opt->fail_over))
        return;
    const char *name = ut->set->benches[ut->rows[row]];
    if (strncmp(name, "Benchmark", 9) == 0)
        name += 9;
    char pct[32];
    snprintf(pct, sizeof(pct), "%+.2f%%", d->pct);
    Regression *r = xmalloc(sizeof(*r));
    r->text = xprintf("%s %s %s (p=%.3f) in %s exceeds --fail-over %g%%",
                      name, ut->display, isinf(d->pct) ? "+∞%" : pct, d->p,
                      ut->set->files[f].label, ut->opt->fail_over);
    r->next = *list;
    *list = r;
}

/* ----------------------------------------------------------- rows */

static char *ci_text(UnitTable *ut, const Cell *c)
{
    const UnitInfo *u = &ut->set->units[ut->unit];
    char mark[32] = "";
    if (u->exact) {
        bool varies = false;
        for (int i = 1; i < c->n; i++)
            varies |= c->v[i] != c->v[0];
        if (!varies)
            return NULL;
        note_mark(&ut->notes, "values vary for a unit with assume=exact",
                  mark, sizeof(mark));
        return xstrdup(mark);
    }
    double pct = stat_ci_percent(&c->sum);
    if (!c->sum.ci_finite) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "need >= %d samples for confidence interval at level %g",
                 stat_ci_min_samples(ut->opt->confidence),
                 ut->opt->confidence);
        note_mark(&ut->notes, msg, mark, sizeof(mark));
        return xprintf("± ∞%s", mark);
    }
    if (isinf(pct))
        return xstrdup("± ∞");
    return xprintf("± %.0f%%", pct);
}

static void fill_row(UnitTable *ut, int row, Regression **regs, bool gate)
{
    const BenchSet *s = ut->set;
    const char *name = s->benches[ut->rows[row]];
    if (strncmp(name, "Benchmark", 9) == 0)
        name += 9;
    tt_set(&ut->t, row + 1, 0, xstrdup(name));
    double centers[64];
    int n = 0;
    for (int f = 0; f < s->n_files && n < 64; f++)
        if (cell_at(ut, row, f)->n > 0)
            centers[n++] = cell_at(ut, row, f)->sum.center;
    Scale sc = scale_for(centers, n, ut->display);
    for (int f = 0; f < s->n_files; f++) {
        const Cell *c = cell_at(ut, row, f);
        if (c->n == 0)
            continue;
        char buf[64];
        int col = col_value(f);
        tt_set(&ut->t, row + 1, col,
               xstrdup(scale_format(&sc, c->sum.center, buf, sizeof(buf))));
        tt_set(&ut->t, row + 1, col + 1, ci_text(ut, c));
        if (f == 0 || cell_at(ut, row, 0)->n == 0)
            continue;
        Delta d = compare_cells(ut, row, f);
        if (gate)
            check_regression(ut, row, f, &d, regs);
    }
}

/* The geomean row: per file the geometric mean of the row medians, and
 * per non-base file the geometric mean of the ratios to the base. */
static void fill_geomean(UnitTable *ut)
{
    const BenchSet *s = ut->set;
    int r = ut->n_rows + 1;
    tt_set(&ut->t, r, 0, xstrdup("geomean"));
    double *vals = xmalloc(sizeof(double) * (size_t)ut->n_rows);
    double *ratios = xmalloc(sizeof(double) * (size_t)ut->n_rows);
    double *means = xmalloc(sizeof(double) * (size_t)s->n_files);
    char mark[32];
    for (int f = 0; f < s->n_files; f++) {
        int n = 0;
        int n_ratio = 0;
        bool differs = false;
        for (int row = 0; row < ut->n_rows; row++) {
            const Cell *c = cell_at(ut, row, f);
            const Cell *b = cell_at(ut, row, 0);
            if (c->n > 0)
                vals[n++] = c->sum.center;
            differs |= (c->n > 0) != (b->n > 0);
            if (c->n > 0 && b->n > 0 && c->sum.center > 0 &&
                b->sum.center > 0)
                ratios[n_ratio++] = c->sum.center / b->sum.center;
        }
        means[f] = stat_geomean(vals, n);
        if (isnan(means[f]) && n > 0)
            tt_set(&ut->t, r, col_value(f),
                   xstrdup(note_mark(&ut->notes,
                                     "summaries must be >0 to compute "
                                     "geomean",
                                     mark, sizeof(mark))));
        if (f == 0 || n_ratio == 0)
            continue;
        double g = stat_geomean(ratios, n_ratio);
        char *pct = format_pct((g - 1) * 100);
        if (differs) {
            note_mark(&ut->notes,
                      "benchmark set differs from baseline; geomeans may "
                      "not be comparable",
                      mark, sizeof(mark));
            char *t = xprintf("%s%s", pct, mark);
            free(pct);
            pct = t;
        }
        tt_set(&ut->t, r, col_value(f) + 2, pct);
    }
    double finite[64];
    int nf = 0;
    for (int f = 0; f < s->n_files && nf < 64; f++)
        if (!isnan(means[f]))
            finite[nf++] = means[f];
    Scale sc = scale_for(finite, nf, ut->display);
    for (int f = 0; f < s->n_files; f++) {
        char buf[64];
        if (!isnan(means[f]))
            tt_set(&ut->t, r, col_value(f),
                   xstrdup(scale_format(&sc, means[f], buf, sizeof(buf))));
    }
    free(vals);
    free(ratios);
    free(means);
}

/* ----------------------------------------------------------- printing */

static void print_trimmed(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    puts(line);
}

/* Append s padded to width w (left or right aligned) to line. */
static void put_cell(char *line, size_t cap, const char *s, int w,
                     bool right)
{
    int pad = w - utf8_width(s);
    size_t len = strlen(line);
    if (right)
        for (; pad > 0 && len + 1 < cap; pad--)
            line[len++] = ' ';
    len += (size_t)snprintf(line + len, cap - len, "%s", s);
    if (len >= cap)
        len = cap - 1;
    for (; pad > 0 && len + 1 < cap; pad--)
        line[len++] = ' ';
    line[len] = '\0';
}

static void put_centered(char *line, size_t cap, const char *s, int w)
{
    int pad = w - utf8_width(s);
    size_t len = strlen(line);
    for (int i = 0; i < pad / 2 && len + 1 < cap; i++)
        line[len++] = ' ';
    line[len] = '\0';
    put_cell(line, cap, s, w - pad / 2, false);
}

/* Column widths, widened so that the header labels fit. */
static void column_widths(const UnitTable *ut, int *w)
{
    const TextTable *t = &ut->t;
    for (int c = 0; c < t->n_cols; c++) {
        w[c] = 0;
        for (int r = 1; r < t->n_rows; r++)
            w[c] = MAX_INT(w[c], utf8_width(tt_get(t, r, c)));
    }
    for (int f = 0; f < ut->set->n_files; f++) {
        int v = col_value(f);
        /* value + " " + interval must hold the unit name, padded */
        int need = utf8_width(ut->display) + 2 - (w[v] + 1 + w[v + 1]);
        if (need > 0)
            w[v + 1] += need;
        if (f > 0) {
            need = 7 - (w[v + 2] + 1 + w[v + 3]);     /* "vs base" */
            if (need > 0)
                w[v + 3] += need;
        }
        int group = w[v] + 1 + w[v + 1] +
                    (f > 0 ? 2 + w[v + 2] + 1 + w[v + 3] : 0);
        need = utf8_width(ut->set->files[f].label) + 2 - group;
        if (need > 0 && f > 0) {
            w[v + 3] += need;
        } else if (need > 0) {
            /* Keep value and interval together in the middle. */
            w[v] += need / 2;
            w[v + 1] += need - need / 2;
        }
    }
}

static int group_width(const UnitTable *ut, const int *w, int f)
{
    int v = col_value(f);
    return w[v] + 1 + w[v + 1] + (f > 0 ? 2 + w[v + 2] + 1 + w[v + 3] : 0);
}

static void print_header(const UnitTable *ut, const int *w, char *line,
                         size_t cap)
{
    line[0] = '\0';
    put_cell(line, cap, "", w[0], false);
    for (int f = 0; f < ut->set->n_files; f++) {
        put_cell(line, cap, " │", 2, false);
        put_centered(line, cap, ut->set->files[f].label,
                     group_width(ut, w, f));
    }
    put_cell(line, cap, " │", 2, false);
    print_trimmed(line);
    line[0] = '\0';
    put_cell(line, cap, "", w[0], false);
    for (int f = 0; f < ut->set->n_files; f++) {
        int v = col_value(f);
        put_cell(line, cap, " │", 2, false);
        put_centered(line, cap, ut->display, w[v] + 1 + w[v + 1]);
        if (f > 0) {
            put_cell(line, cap, "  ", 2, false);
            put_cell(line, cap, "vs base", w[v + 2] + 1 + w[v + 3], false);
        }
    }
    put_cell(line, cap, " │", 2, false);
    print_trimmed(line);
}

static void print_table(const UnitTable *ut)
{
    const TextTable *t = &ut->t;
    int *w = xmalloc(sizeof(int) * (size_t)t->n_cols);
    column_widths(ut, w);
    size_t cap = 64;
    for (int c = 0; c < t->n_cols; c++)
        cap += (size_t)w[c] * 4 + 8;
    for (int f = 0; f < ut->set->n_files; f++)
        cap += strlen(ut->set->files[f].label) * 2 + 16;
    char *line = xmalloc(cap);
    print_header(ut, w, line, cap);
    for (int r = 1; r < t->n_rows; r++) {
        line[0] = '\0';
        put_cell(line, cap, tt_get(t, r, 0), w[0], false);
        for (int f = 0; f < ut->set->n_files; f++) {
            int v = col_value(f);
            put_cell(line, cap, "  ", 2, false);
            put_cell(line, cap, tt_get(t, r, v), w[v], true);
            put_cell(line, cap, " ", 1, false);
            put_cell(line, cap, tt_get(t, r, v + 1), w[v + 1], false);
            if (f == 0)
                continue;
            put_cell(line, cap, "  ", 2, false);
            put_cell(line, cap, tt_get(t, r, v + 2), w[v + 2], true);
            put_cell(line, cap, " ", 1, false);
            put_cell(line, cap, tt_get(t, r, v + 3), w[v + 3], false);
        }
        print_trimmed(line);
    }
    for (int i = 0; i < ut->notes.n; i++) {
        char mark[32];
        printf("%s %s\n", footnote_mark(i + 1, mark, sizeof(mark)),
               ut->notes.msg[i]);
    }
    free(line);
    free(w);
}

/* ----------------------------------------------------------- tables */

static void unit_table_free(UnitTable *ut)
{
    size_t n_cells = (size_t)ut->n_rows * (size_t)ut->set->n_files;
    for (size_t i = 0; i < n_cells; i++)
        free(ut->cells[i].v);
    free(ut->cells);
    free(ut->rows);
    for (int i = 0; i < ut->t.n_rows * ut->t.n_cols; i++)
        free(ut->t.cells[i]);
    free(ut->t.cells);
    for (int i = 0; i < ut->notes.n; i++)
        free(ut->notes.msg[i]);
}

/* Build and print the table of one unit; gate regressions into *regs. */
static void unit_table(const BenchSet *s, const CompareOptions *opt,
                       int unit, bool gate, Regression **regs)
{
    UnitTable ut;
    memset(&ut, 0, sizeof(ut));
    ut.set = s;
    ut.opt = opt;
    ut.unit = unit;
    ut.factor = unit_tidy(s->units[unit].name, ut.display,
                          sizeof(ut.display));
    gather(&ut);
    bool geomean = ut.n_rows > 1;
    ut.t.n_cols = 1 + 2 * s->n_files + 2 * (s->n_files - 1);
    ut.t.n_rows = 1 + ut.n_rows + geomean;
    ut.t.cells = xcalloc((size_t)ut.t.n_rows * (size_t)ut.t.n_cols,
                         sizeof(char *));
    for (int row = 0; row < ut.n_rows; row++)
        fill_row(&ut, row, regs, gate);
    if (geomean)
        fill_geomean(&ut);
    print_table(&ut);
    unit_table_free(&ut);
}

/* The value of `key` in file f, or NULL. */
static const char *config_value(const BenchSet *s, int f, const char *key)
{
    for (int j = 0; j < s->files[f].n_config; j++)
        if (strcmp(s->files[f].config[j].key, key) == 0)
            return s->files[f].config[j].value;
    return NULL;
}

/* One configuration key: "key: value" when every file that has it agrees
 * (naming those files when some lack it), else each file's value. */
static void print_config_key(const BenchSet *s, const char *key)
{
    const char *common = NULL;
    bool agree = true;
    bool all = true;
    for (int f = 0; f < s->n_files; f++) {
        const char *v = config_value(s, f, key);
        all &= v != NULL;
        if (v != NULL && common == NULL)
            common = v;
        agree &= v == NULL || strcmp(v, common) == 0;
    }
    if (agree) {
        printf("%s: %s", key, common ? common : "");
        for (int f = 0, n = 0; f < s->n_files && !all; f++)
            if (config_value(s, f, key) != NULL)
                printf("%s%s", n++ ? ", " : " (only in ",
                       s->files[f].label);
        printf("%s\n", all ? "" : ")");
        return;
    }
    printf("%s:", key);
    for (int f = 0; f < s->n_files; f++) {
        const char *v = config_value(s, f, key);
        printf("%s %s=%s", f ? ";" : "", s->files[f].label,
               v ? v : "(none)");
    }
    putchar('\n');
}

/* Every configuration key of the files, in order of first appearance. */
static void print_config(const BenchSet *s)
{
    for (int f = 0; f < s->n_files; f++) {
        for (int k = 0; k < s->files[f].n_config; k++) {
            const char *key = s->files[f].config[k].key;
            bool seen = false;
            for (int g = 0; g < f && !seen; g++)
                seen = config_value(s, g, key) != NULL;
            if (!seen)
                print_config_key(s, key);
        }
    }
}

static bool unit_matches(const BenchSet *s, int unit, const char *want)
{
    char tidy[64];
    unit_tidy(s->units[unit].name, tidy, sizeof(tidy));
    return strcmp(s->units[unit].name, want) == 0 ||
           strcmp(tidy, want) == 0;
}

/* Units with measurements, in the order they first appear in result
 * lines (ns/op first for Go's and our lines), -1 terminated. Units only
 * named by Unit lines have no table. */
static int *unit_order(const BenchSet *s)
{
    size_t *first = xmalloc(sizeof(size_t) * (size_t)(s->n_units + 1));
    for (int u = 0; u < s->n_units; u++)
        first[u] = SIZE_MAX;
    for (size_t i = 0; i < s->n_m; i++)
        if (first[s->m[i].unit] == SIZE_MAX)
            first[s->m[i].unit] = i;
    int *order = xmalloc(sizeof(int) * (size_t)(s->n_units + 1));
    int n = 0;
    for (int u = 0; u < s->n_units; u++) {
        if (first[u] == SIZE_MAX)
            continue;
        int j = n++;
        while (j > 0 && first[order[j - 1]] > first[u]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = u;
    }
    order[n] = -1;
    free(first);
    return order;
}

/* --------------------------------------------------------------- command */

static int compare_usage(const char *msg, const char *arg)
{
    bench_error("compare: %s%s%s", msg, arg ? " " : "", arg ? arg : "");
    fputs("usage: ember-bench compare [--alpha A] [--confidence C] "
          "[--unit UNIT] [--fail-over PCT] OLD NEW [NEW2...]\n",
          stderr);
    return BENCH_EXIT_USAGE;
}

static int report_regressions(Regression *regs)
{
    if (regs == NULL)
        return BENCH_EXIT_OK;
    printf("\n");
    int n = 0;
    for (Regression *r = regs; r != NULL; r = r->next)
        n++;
    /* The list was built newest first: print in table order. */
    Regression **v = xmalloc(sizeof(*v) * (size_t)n);
    int i = n;
    for (Regression *r = regs; r != NULL; r = r->next)
        v[--i] = r;
    for (i = 0; i < n; i++) {
        printf("regression: %s\n", v[i]->text);
        free(v[i]->text);
        free(v[i]);
    }
    free(v);
    fflush(stdout);
    bench_error("%d significant regression%s over --fail-over", n,
                n == 1 ? "" : "s");
    return BENCH_EXIT_FAIL;
}

/* Print the configuration and one table per unit; apply the gate.
 * Returns the exit status. */
static int compare_tables(const BenchSet *set, const CompareOptions *opt)
{
    const char *gate_unit = opt->unit ? opt->unit : "ns/op";
    bool gate = opt->fail_over >= 0;
    bool gate_found = false;
    Regression *regs = NULL;
    print_config(set);
    int printed = 0;
    int *order = unit_order(set);
    for (int k = 0; order[k] >= 0; k++) {
        int u = order[k];
        if (opt->unit != NULL && !unit_matches(set, u, opt->unit))
            continue;
        bool gated = gate && unit_matches(set, u, gate_unit);
        gate_found |= gated;
        printf("\n");
        unit_table(set, opt, u, gated, &regs);
        printed++;
    }
    free(order);
    if (printed == 0) {
        bench_error("compare: no %s%s values in the files",
                    opt->unit ? opt->unit : "benchmark",
                    opt->unit ? "" : " result");
        return BENCH_EXIT_USAGE;
    }
    if (gate && !gate_found) {
        bench_error("compare: --fail-over: no %s values to check",
                    gate_unit);
        return BENCH_EXIT_USAGE;
    }
    if (gate && set->n_files < 2) {
        bench_error("compare: --fail-over needs OLD and NEW files");
        return BENCH_EXIT_USAGE;
    }
    return report_regressions(regs);
}

int cmd_compare(int argc, char **argv)
{
    CompareOptions opt = {STAT_ALPHA, STAT_CONFIDENCE, -1, NULL};
    BenchSet set;
    memset(&set, 0, sizeof(set));
    const char **files = xmalloc(sizeof(char *) * (size_t)argc);
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--alpha")) != NULL)
            opt.alpha = parse_double_opt("--alpha", v, 1e-9, 0.999999);
        else if ((v = opt_value(argc, argv, &i, "--confidence")) != NULL)
            opt.confidence =
                parse_double_opt("--confidence", v, 0.01, 0.999999);
        else if ((v = opt_value(argc, argv, &i, "--fail-over")) != NULL)
            opt.fail_over = parse_double_opt("--fail-over", v, 0, 1e9);
        else if ((v = opt_value(argc, argv, &i, "--unit")) != NULL)
            opt.unit = v;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            free(files);
            return compare_usage("unknown option", argv[i]);
        } else
            files[n_files++] = argv[i];
    }
    if (n_files < 1) {
        free(files);
        return compare_usage("no files", NULL);
    }
    for (int i = 0; i < n_files; i++)
        if (benchset_read(&set, files[i]) != 0) {
            benchset_free(&set);
            free(files);
            return BENCH_EXIT_USAGE;
        }
    free(files);
    int status = compare_tables(&set, &opt);
    benchset_free(&set);
    return status;
}
