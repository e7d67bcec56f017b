/*
 * cardinality.c -- estimated row counts of logical operators, from the
 * tables' statistics (row counts, NULL counts, distinct counts from
 * HyperLogLog, min/max).
 *
 * Assumptions, as in most optimizers (they are wrong in known ways; the
 * estimates are for ranking plans, not for promising row counts):
 *  1. Uniformity: values are spread evenly between min and max, and each
 *     distinct value is equally frequent.
 *  2. Independence: predicates on different columns are uncorrelated, so
 *     selectivities of a conjunction multiply. Not for bounds on the same
 *     column: they intersect into one range (a BETWEEN is one range, not
 *     two independent halves), and an OR of ranges on one column is their
 *     union (see range_group / or_ranges).
 *  3. Containment: for an equi-join the key values of the side with fewer
 *     distinct values all appear on the other side, so
 *     |L join R| = |L| * |R| / max(ndv(L.k), ndv(R.k)).
 *  4. NULLs: a comparison, IN list, LIKE or join equality is never true
 *     for a NULL, so it keeps at most the non-NULL fraction of its column
 *     (1 - null_count / rows of the column's table); distinct counts are
 *     of the non-NULL values. The fraction is the base table's, also
 *     above joins and filters that removed NULLs (as PostgreSQL does).
 * Where nothing is known, the classic defaults apply: 1/3 for a range,
 * 1/10 for LIKE, 1/2 for anything else.
 */
#include <math.h>

#include "plan/join_graph.h"

/* Where a binding comes from: a table column, or an expression. */
typedef struct Origin {
    const Table *table;       /* base table, or NULL */
    int col;
    const Expr *expr;         /* projection / group expression */
    double rows;              /* rows of the producing operator */
} Origin;

struct EstCtx {
    PlanCtx *cx;
    Origin *origin;           /* indexed by rel, columns in a side list */
    int n_rel;
    /* per rel: first column origins (small tables only) */
    Origin **cols;
    int *n_cols;
};
typedef struct EstCtx EstCtx;


static void note_origin(EstCtx *ec, uint32_t rel, int col, Origin o)
{
    if (rel >= (uint32_t)ec->n_rel)
        return;
    if (ec->cols[rel] == NULL || col >= ec->n_cols[rel]) {
        int n = col + 8;
        Origin *p = arena_calloc(ec->cx->arena, sizeof(Origin) * (size_t)n);
        if (p == NULL)
            return;
        if (ec->cols[rel])
            memcpy(p, ec->cols[rel], sizeof(Origin) * (size_t)ec->n_cols[rel]);
        ec->cols[rel] = p;
        ec->n_cols[rel] = n;
    }
    ec->cols[rel][col] = o;
}

static const Origin *origin_of(const EstCtx *ec, ColBinding b)
{
    if (ec == NULL || b.rel >= (uint32_t)ec->n_rel || ec->cols[b.rel] == NULL ||
        (int)b.col >= ec->n_cols[b.rel])
        return NULL;
    const Origin *o = &ec->cols[b.rel][b.col];
    /* follow plain column projections to their source */
    for (int depth = 0; depth < 32 && o->expr && o->expr->kind == EXPR_COLREF;
         depth++) {
        ColBinding s = o->expr->col;
        if (s.rel >= (uint32_t)ec->n_rel || ec->cols[s.rel] == NULL ||
            (int)s.col >= ec->n_cols[s.rel])
            break;
        o = &ec->cols[s.rel][s.col];
    }
    return o;
}

/* Distinct values of an expression over `rows` input rows. */
static double ndv_expr(const EstCtx *ec, const Expr *e, double rows)
{
    if (e->kind == EXPR_CAST)
        return ndv_expr(ec, e->args[0], rows);
    if (e->kind == EXPR_CONST)
        return 1;
    if (e->kind != EXPR_COLREF)
        return MAX(1, rows / 2);
    const Origin *o = origin_of(ec, e->col);
    if (o == NULL)
        return MAX(1, rows / 2);
    double nd;
    if (o->table) {
        const Table *t = o->table;
        nd = colstats_ndv(&t->stats[o->col], t->data.n_rows);
    } else if (o->expr) {
        nd = o->rows;   /* a computed value: as many as rows */
    } else {
        nd = o->rows;
    }
    if (nd > rows)
        nd = rows;
    return nd < 1 ? 1 : nd;
}

static const ColStats *stats_of(const EstCtx *ec, const Expr *e,
                                const Table **t)
{
    while (e->kind == EXPR_CAST)
        e = e->args[0];
    if (e->kind != EXPR_COLREF)
        return NULL;
    const Origin *o = origin_of(ec, e->col);
    if (o == NULL || o->table == NULL)
        return NULL;
    *t = o->table;
    return &o->table->stats[o->col];
}

/* Assumption 4: the fraction of e's rows that are not NULL, when e is a
 * column of a table (through casts); 1 otherwise. */
static double nonnull_of(const EstCtx *ec, const Expr *e)
{
    const Table *t;
    const ColStats *st = stats_of(ec, e, &t);
    if (st == NULL || t->data.n_rows == 0)
        return 1;
    double rows = (double)t->data.n_rows;
    return 1 - (double)MIN(st->n_nulls, t->data.n_rows) / rows;
}

static double num_of(const Value *v)
{
    switch ((TypeId)v->type.id) {
    case TYPE_DOUBLE:
        return v->v.d;
    case TYPE_DECIMAL:
        return (double)v->v.i / (double)pow10_i64[v->type.scale];
    case TYPE_INT32:
    case TYPE_INT64:
    case TYPE_DATE:
    case TYPE_BOOL:
        return (double)v->v.i;
    default:
        return NAN;
    }
}

static bool cmp_kind(uint16_t fn, int *kind)
{
    /* 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge */
    static const FuncId firsts[] = {F_EQ_U8, F_NE_U8, F_LT_U8,
                                    F_LE_U8, F_GT_U8, F_GE_U8};
    for (int k = 0; k < 6; k++) {
        if (fn >= firsts[k] && fn <= firsts[k] + 4) {
            *kind = k;
            return true;
        }
    }
    return false;
}

static double range_sel(const ColStats *s, int kind, const Value *c)
{
    if (!s->has_minmax)
        return 1.0 / 3;
    double lo = num_of(&s->min), hi = num_of(&s->max), x = num_of(c);
    if (isnan(lo) || isnan(hi) || isnan(x) || hi <= lo)
        return 1.0 / 3;
    double frac = (x - lo) / (hi - lo);
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    return kind == 2 || kind == 3 ? frac : 1 - frac;
}

static double cmp_sel(const EstCtx *ec, const Expr *e, double rows)
{
    int kind;
    if (!cmp_kind(e->fn, &kind))
        return 0.5;
    const Expr *a = e->args[0], *b = e->args[1];
    if (expr_is_const(a) && !expr_is_const(b)) {
        const Expr *t = a;
        a = b;
        b = t;
        static const int flip[] = {0, 1, 4, 5, 2, 3};
        kind = flip[kind];
    }
    /* assumption 4: only non-NULL values of the column can compare true;
     * 1/ndv is per distinct non-NULL value */
    double nn = nonnull_of(ec, a);
    if (expr_is_const(b)) {
        if (kind <= 1) {
            double s = 1.0 / ndv_expr(ec, a, rows);
            return nn * (kind == 0 ? s : 1 - s);
        }
        const Table *t;
        const ColStats *st = stats_of(ec, a, &t);
        if (st && b->kind == EXPR_CONST && !b->val.is_null)
            return nn * range_sel(st, kind, &b->val);
        return nn / 3;
    }
    nn *= nonnull_of(ec, b);
    if (kind == 0)
        return nn / MAX(ndv_expr(ec, a, rows), ndv_expr(ec, b, rows));
    return nn * (kind == 1 ? 0.9 : 1.0 / 3);
}

/* ------------------------------------------------------------------------
 * Ranges on one column (assumption 2's exception)
 * ------------------------------------------------------------------------ */

/* `col OP constant` with OP one of < <= > >= and a numeric min/max for
 * col: the interval of values it keeps, [lo, hi] (open ends infinite). */
typedef struct RangeTerm {
    const Expr *col;
    const ColStats *st;
    double min, max;          /* the column's statistics */
    double lo, hi;
} RangeTerm;

static bool range_term(const EstCtx *ec, const Expr *e, RangeTerm *rt)
{
    int kind;
    if (e->kind != EXPR_FUNC || e->n_args != 2 || !cmp_kind(e->fn, &kind) ||
        kind < 2)
        return false;
    const Expr *a = e->args[0], *b = e->args[1];
    if (b->kind != EXPR_CONST) {
        if (a->kind != EXPR_CONST)
            return false;
        const Expr *t = a;
        a = b;
        b = t;
        static const int flip[] = {0, 1, 4, 5, 2, 3};
        kind = flip[kind];
    }
    if (b->val.is_null || expr_is_const(a))
        return false;
    const Table *t;
    const ColStats *st = stats_of(ec, a, &t);
    if (st == NULL || !st->has_minmax)
        return false;
    double lo = num_of(&st->min), hi = num_of(&st->max), x = num_of(&b->val);
    if (isnan(lo) || isnan(hi) || isnan(x) || hi <= lo)
        return false;
    rt->col = a;
    rt->st = st;
    rt->min = lo;
    rt->max = hi;
    rt->lo = kind >= 4 ? x : -INFINITY;
    rt->hi = kind >= 4 ? INFINITY : x;
    return true;
}

/* Fraction of [min, max] covered by [lo, hi]. */
static double interval_frac(const RangeTerm *rt, double lo, double hi)
{
    lo = MAX(lo, rt->min);
    hi = MIN(hi, rt->max);
    return hi > lo ? (hi - lo) / (rt->max - rt->min) : 0;
}

/* Bounds on one column ANDed together keep the intersection of their
 * intervals: id >= 400 AND id <= 600 over [0, 999] is 200/999, where
 * independence would say (599/999) * (600/999) = 0.36. A range that is
 * a single point of [min, max] (id >= 7 AND id <= 7, or id >= max) keeps
 * one distinct value's share, not 0. Terms list[from..] on the column of
 * list[from] are intersected and marked in `taken`. */
static double range_group(const EstCtx *ec, Expr *const *list, int n,
                          int from, const RangeTerm *first, bool *taken,
                          double rows)
{
    double lo = first->lo, hi = first->hi;
    for (int j = from + 1; j < n; j++) {
        RangeTerm rt;
        if (taken[j] || !range_term(ec, list[j], &rt) ||
            !expr_equal(rt.col, first->col))
            continue;
        taken[j] = true;
        lo = MAX(lo, rt.lo);
        hi = MIN(hi, rt.hi);
    }
    double f = interval_frac(first, lo, hi);
    if (MAX(lo, first->min) == MIN(hi, first->max))
        f = 1.0 / ndv_expr(ec, first->col, rows);
    return nonnull_of(ec, first->col) * f;
}

/* One disjunct of an OR as an interval on a column: a range term or an
 * AND of range terms on the same column. */
static bool disjunct_interval(const EstCtx *ec, const Expr *d, RangeTerm *rt)
{
    if (d->kind != EXPR_AND)
        return range_term(ec, d, rt);
    if (d->n_args == 0 || !range_term(ec, d->args[0], rt))
        return false;
    for (int i = 1; i < d->n_args; i++) {
        RangeTerm o;
        if (!range_term(ec, d->args[i], &o) || !expr_equal(o.col, rt->col))
            return false;
        rt->lo = MAX(rt->lo, o.lo);
        rt->hi = MIN(rt->hi, o.hi);
    }
    return true;
}

/* An OR of ranges on one column keeps the union of their intervals
 * (overlaps counted once): id < 100 OR id > 900 is 100/999 + 99/999, not
 * s1 + s2 - s1 * s2. Returns -1 when e is not of that shape. At most 16
 * disjuncts. */
static double or_ranges(const EstCtx *ec, const Expr *e)
{
    RangeTerm iv[16];
    int n = e->n_args;
    if (n < 2 || n > 16)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!disjunct_interval(ec, e->args[i], &iv[i]) ||
            (i > 0 && !expr_equal(iv[i].col, iv[0].col)))
            return -1;
        iv[i].lo = MAX(iv[i].lo, iv[i].min);
        iv[i].hi = MIN(iv[i].hi, iv[i].max);
    }
    /* sort by lower end, then sweep */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && iv[j].lo < iv[j - 1].lo; j--) {
            RangeTerm t = iv[j];
            iv[j] = iv[j - 1];
            iv[j - 1] = t;
        }
    double covered = 0, lo = 0, hi = 0;
    bool open = false;
    for (int i = 0; i < n; i++) {
        if (iv[i].hi <= iv[i].lo)
            continue;
        if (open && iv[i].lo <= hi) {
            hi = MAX(hi, iv[i].hi);
            continue;
        }
        if (open)
            covered += hi - lo;
        lo = iv[i].lo;
        hi = iv[i].hi;
        open = true;
    }
    if (open)
        covered += hi - lo;
    double s = covered / (iv[0].max - iv[0].min);
    return nonnull_of(ec, iv[0].col) * MIN(1.0, s);
}

static double sel(const EstCtx *ec, const Expr *e, double rows);

static double clamp_sel(double s)
{
    if (s < 1e-9)
        s = 1e-9;
    return s > 1 ? 1 : s;
}

/* A conjunction: independent conjuncts multiply (assumption 2), except
 * that range bounds on one column make one range (range_group). */
static double and_sel(const EstCtx *ec, Expr *const *list, int n,
                      double rows, bool *taken)
{
    double s = 1;
    for (int i = 0; i < n; i++) {
        if (taken[i])
            continue;
        RangeTerm rt;
        if (range_term(ec, list[i], &rt))
            s *= clamp_sel(range_group(ec, list, n, i, &rt, taken, rows));
        else
            s *= clamp_sel(sel(ec, list[i], rows));
    }
    return s;
}

/* A predicate that is NULL exactly when its column is, and the column:
 * a comparison or LIKE with a constant, or an IN list of constants. */
static const Expr *strict_column(const Expr *e)
{
    if (e->kind == EXPR_IN_LIST) {
        for (int i = 1; i < e->n_args; i++)
            if (!expr_is_const(e->args[i]))
                return NULL;
        return e->args[0];
    }
    int kind;
    if (e->kind != EXPR_FUNC || e->n_args != 2)
        return NULL;
    if (!cmp_kind(e->fn, &kind) && e->fn != F_LIKE && e->fn != F_ILIKE)
        return NULL;
    if (expr_is_const(e->args[1]) && !expr_is_const(e->args[0]))
        return e->args[0];
    if (expr_is_const(e->args[0]) && !expr_is_const(e->args[1]))
        return e->args[1];
    return NULL;
}

static double sel(const EstCtx *ec, const Expr *e, double rows)
{
    switch ((ExprKind)e->kind) {
    case EXPR_AND: {
        bool taken[64] = {false};
        if (e->n_args <= 64)
            return and_sel(ec, e->args, e->n_args, rows, taken);
        double s = 1;
        for (int i = 0; i < e->n_args; i++)
            s *= sel(ec, e->args[i], rows);
        return s;
    }
    case EXPR_OR: {
        double s = or_ranges(ec, e);
        if (s >= 0)
            return s;
        s = 0;
        for (int i = 0; i < e->n_args; i++) {
            double x = sel(ec, e->args[i], rows);
            s = s + x - s * x;
        }
        return s;
    }
    case EXPR_NOT: {
        /* NOT of a predicate on a column is false for its NULLs too
         * (assumption 4): the non-NULL rows minus those it keeps */
        double s = sel(ec, e->args[0], rows);
        const Expr *c = strict_column(e->args[0]);
        return c ? MAX(0, nonnull_of(ec, c) - s) : 1 - s;
    }
    case EXPR_IS_NULL: {
        const Table *t;
        const ColStats *st = stats_of(ec, e->args[0], &t);
        double s = 0.05;
        if (st && t->data.n_rows)
            s = (double)st->n_nulls / (double)t->data.n_rows;
        return e->negated ? 1 - s : s;
    }
    case EXPR_IN_LIST: {
        double s = (double)(e->n_args - 1) / ndv_expr(ec, e->args[0], rows);
        s = MIN(s, 1.0);
        return nonnull_of(ec, e->args[0]) * (e->negated ? 1 - s : s);
    }
    case EXPR_CONST:
        return (!e->val.is_null && e->val.v.i) ? 1 : 0;
    case EXPR_FUNC:
        if (e->fn == F_LIKE || e->fn == F_ILIKE || e->fn == F_LIKE_ESCAPE)
            return 0.1 * nonnull_of(ec, e->args[0]);
        return cmp_sel(ec, e, rows);
    default:
        return 0.5;
    }
}

double estimate_selectivity(PlanCtx *cx, const Expr *e, const Lop *input)
{
    UNUSED(cx);
    double rows = input && input->est_rows > 0 ? input->est_rows : 1000;
    double s = sel(cx->est, e, rows);
    if (s < 1e-9)
        s = 1e-9;
    return s > 1 ? 1 : s;
}

/* ------------------------------------------------------------------------
 * Operators
 * ------------------------------------------------------------------------ */

static double conj_sel(PlanCtx *cx, Expr **list, int n, const Lop *in)
{
    if (n == 0)
        return 1;
    double rows = in && in->est_rows > 0 ? in->est_rows : 1000;
    bool small[64] = {false};
    bool *taken = n <= 64 ? small : arena_calloc(cx->arena, (size_t)n);
    if (taken == NULL) {
        double s = 1;
        for (int i = 0; i < n; i++)
            s *= estimate_selectivity(cx, list[i], in);
        return s;
    }
    return and_sel(cx->est, list, n, rows, taken);
}

/* Is e an equality between a column side of l and one of r? Sets the
 * left and right argument. */
static bool equi_sides(const Expr *e, const Lop *l, const Lop *r,
                       const Expr **le, const Expr **re)
{
    int kind;
    if (e->kind != EXPR_FUNC || !cmp_kind(e->fn, &kind) || kind != 0 ||
        expr_is_const(e->args[0]) || expr_is_const(e->args[1]))
        return false;
    const Expr *a = e->args[0], *b = e->args[1];
    if (expr_refs_within(a, l->out, l->n_out) &&
        expr_refs_within(b, r->out, r->n_out)) {
        *le = a;
        *re = b;
        return true;
    }
    if (expr_refs_within(b, l->out, l->n_out) &&
        expr_refs_within(a, r->out, r->n_out)) {
        *le = b;
        *re = a;
        return true;
    }
    return false;
}

/* Join size. The equality conditions are taken together: the distinct
 * key combinations of a side are at most the product of its key columns'
 * distinct counts and at most its rows (a composite key such as
 * (partkey, suppkey) is not as selective as its columns multiplied); then
 * containment (assumption 3) gives |L| * |R| / max(keysL, keysR). Other
 * conditions multiply by their selectivity (assumption 2). */
static double join_est(PlanCtx *cx, const Lop *op)
{
    const Lop *l = op->child[0], *r = op->child[1];
    double lr = l->est_rows, rr = r->est_rows;
    double keys_l = 1, keys_r = 1, other = 1;
    double nn_l = 1, nn_r = 1;      /* non-NULL key fractions */
    bool equi = false;
    for (int i = 0; i < op->n_exprs; i++) {
        const Expr *e = op->exprs[i], *le, *re;
        if (equi_sides(e, l, r, &le, &re)) {
            keys_l *= ndv_expr(cx->est, le, lr);
            keys_r *= ndv_expr(cx->est, re, rr);
            nn_l *= nonnull_of(cx->est, le);
            nn_r *= nonnull_of(cx->est, re);
            equi = true;
        } else {
            Lop tmp = *op;
            tmp.est_rows = lr * rr;
            other *= estimate_selectivity(cx, e, &tmp);
        }
    }
    keys_l = MAX(1, MIN(keys_l, lr));
    keys_r = MAX(1, MIN(keys_r, rr));
    double inner = lr * rr * other;
    /* fraction of the left rows with non-NULL keys that have a partner
     * (semi join) */
    double match = other;
    if (equi) {
        /* assumption 4: a NULL key matches nothing */
        inner *= nn_l * nn_r / MAX(keys_l, keys_r);
        match = MIN(1.0, keys_r / keys_l) * other;
    }
    switch (op->join) {
    case JT_LEFT:
        return MAX(inner, lr);
    case JT_SINGLE:
        /* exactly one row per left row: its match, or NULLs (a second
         * match is a run-time error), however many the inner join
         * would have */
        return lr;
    case JT_RIGHT:
        return MAX(inner, rr);
    case JT_FULL:
        return MAX(inner, lr + rr);
    case JT_SEMI:
        return MAX(1, lr * nn_l * match);
    case JT_ANTI:
        /* TUNING: never below 5% of the input: an anti join that removes
         * everything is rare, and underestimating it is the costlier
         * mistake for the joins above. NULL keys never match: kept */
        return MAX(lr * (1 - nn_l * match), lr * 0.05);
    case JT_ANTI_NULL:
        /* NOT IN: a NULL key makes the row unknown: out */
        return MAX(lr * nn_l * (1 - match), lr * 0.05);
    case JT_MARK:
        return lr;
    default:
        return inner;
    }
}

static double agg_est(PlanCtx *cx, const Lop *op)
{
    double in = op->child[0]->est_rows;
    if (op->n_groups == 0)
        return 1;
    double g = 1;
    for (int i = 0; i < op->n_groups; i++)
        g *= ndv_expr(cx->est, op->groups[i], in);
    return MAX(1, MIN(g, in));
}

/* The estimate of op from its children's. */
static void estimate_node(PlanCtx *cx, Lop *op)
{
    double rows = 1;
    switch (op->kind) {
    case LOP_GET:
        rows = (double)op->table->data.n_rows;
        for (int i = 0; i < op->n_out; i++)
            note_origin(cx->est, op->rel, i,
                        (Origin){op->table, op->get_cols[i], NULL, rows});
        {
            Lop tmp = *op;
            tmp.est_rows = rows;
            rows *= conj_sel(cx, op->exprs, op->n_exprs, &tmp);
        }
        break;
    case LOP_VALUES:
    case LOP_TABLEFN:
        rows = op->n_rows;
        break;
    case LOP_FILTER:
        rows = op->child[0]->est_rows *
               conj_sel(cx, op->exprs, op->n_exprs, op->child[0]);
        break;
    case LOP_PROJECT:
        rows = op->child[0]->est_rows;
        for (int i = 0; i < op->n_exprs; i++)
            note_origin(cx->est, op->rel, i,
                        (Origin){NULL, 0, op->exprs[i], rows});
        break;
    case LOP_AGG:
        rows = agg_est(cx, op);
        for (int i = 0; i < op->n_groups; i++)
            note_origin(cx->est, op->group_rel, i,
                        (Origin){NULL, 0, op->groups[i], rows});
        for (int i = 0; i < op->n_aggs; i++)
            note_origin(cx->est, op->agg_rel, i, (Origin){NULL, 0, NULL, rows});
        break;
    case LOP_JOIN:
        rows = join_est(cx, op);
        break;
    case LOP_ORDER:
        rows = op->child[0]->est_rows;
        break;
    case LOP_LIMIT:
        rows = op->child[0]->est_rows;
        if (op->limit >= 0 && rows > (double)op->limit)
            rows = (double)op->limit;
        break;
    case LOP_SETOP: {
        /* upper bounds, with no estimate of the overlap: UNION [ALL] at
         * most both inputs, INTERSECT the smaller, EXCEPT the left */
        double l = op->child[0]->est_rows, r = op->child[1]->est_rows;
        rows = op->setop == SETOP_UNION ? l + r
               : op->setop == SETOP_INTERSECT ? MIN(l, r)
                                              : l;
        break;
    }
    }
    op->est_rows = rows < 1 ? 1 : rows;
}

/* Make sure cx->est can hold every binding number made so far. */
static bool est_ready(PlanCtx *cx)
{
    int need = (int)cx->next_rel + 1;
    EstCtx *ec = cx->est;
    if (ec && ec->n_rel >= need)
        return true;
    EstCtx *n = arena_calloc(cx->arena, sizeof(*n));
    if (n == NULL)
        return false;
    n->cx = cx;
    n->n_rel = need + 64;
    n->cols = arena_calloc(cx->arena, sizeof(Origin *) * (size_t)n->n_rel);
    n->n_cols = arena_calloc(cx->arena, sizeof(int) * (size_t)n->n_rel);
    if (n->cols == NULL || n->n_cols == NULL)
        return false;
    if (ec) {
        memcpy(n->cols, ec->cols, sizeof(Origin *) * (size_t)ec->n_rel);
        memcpy(n->n_cols, ec->n_cols, sizeof(int) * (size_t)ec->n_rel);
    }
    cx->est = n;
    return true;
}

static void estimate(PlanCtx *cx, Lop *op)
{
    for (int i = 0; i < 2; i++)
        if (op->child[i])
            estimate(cx, op->child[i]);
    estimate_node(cx, op);
}

void plan_estimate(PlanCtx *cx, Lop *root)
{
    if (!est_ready(cx))
        return;
    estimate(cx, root);
}

void plan_estimate_top(PlanCtx *cx, Lop *op)
{
    if (!est_ready(cx))
        return;
    estimate_node(cx, op);
}

/* For the join orderer: distinct values of a key over `rows` rows, using
 * the origins recorded by the last estimate. */
double plan_key_ndv(PlanCtx *cx, const Expr *e, double rows)
{
    UNUSED(cx);
    return ndv_expr(cx->est, e, rows);
}

double plan_nonnull_frac(PlanCtx *cx, const Expr *e)
{
    return nonnull_of(cx->est, e);
}
