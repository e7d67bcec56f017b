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
 *     selectivities of a conjunction multiply.
 *  3. Containment: for an equi-join the key values of the side with fewer
 *     distinct values all appear on the other side, so
 *     |L join R| = |L| * |R| / max(ndv(L.k), ndv(R.k)).
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
    if (expr_is_const(b)) {
        if (kind <= 1) {
            double s = 1.0 / ndv_expr(ec, a, rows);
            return kind == 0 ? s : 1 - s;
        }
        const Table *t;
        const ColStats *st = stats_of(ec, a, &t);
        if (st && b->kind == EXPR_CONST && !b->val.is_null)
            return range_sel(st, kind, &b->val);
        return 1.0 / 3;
    }
    if (kind == 0)
        return 1.0 / MAX(ndv_expr(ec, a, rows), ndv_expr(ec, b, rows));
    return kind == 1 ? 0.9 : 1.0 / 3;
}

static double sel(const EstCtx *ec, const Expr *e, double rows)
{
    switch ((ExprKind)e->kind) {
    case EXPR_AND: {
        double s = 1;
        for (int i = 0; i < e->n_args; i++)
            s *= sel(ec, e->args[i], rows);
        return s;
    }
    case EXPR_OR: {
        double s = 0;
        for (int i = 0; i < e->n_args; i++) {
            double x = sel(ec, e->args[i], rows);
            s = s + x - s * x;
        }
        return s;
    }
    case EXPR_NOT:
        return 1 - sel(ec, e->args[0], rows);
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
        return e->negated ? 1 - s : s;
    }
    case EXPR_CONST:
        return (!e->val.is_null && e->val.v.i) ? 1 : 0;
    case EXPR_FUNC:
        if (e->fn == F_LIKE || e->fn == F_ILIKE || e->fn == F_LIKE_ESCAPE)
            return 0.1;
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
    double s = 1;
    for (int i = 0; i < n; i++)
        s *= estimate_selectivity(cx, list[i], in);
    return s;
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
    bool equi = false;
    for (int i = 0; i < op->n_exprs; i++) {
        const Expr *e = op->exprs[i], *le, *re;
        if (equi_sides(e, l, r, &le, &re)) {
            keys_l *= ndv_expr(cx->est, le, lr);
            keys_r *= ndv_expr(cx->est, re, rr);
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
    /* fraction of left rows with a partner (semi join) */
    double match = other;
    if (equi) {
        inner /= MAX(keys_l, keys_r);
        match = MIN(1.0, keys_r / keys_l) * other;
    }
    switch (op->join) {
    case JT_LEFT:
    case JT_SINGLE:
        return MAX(inner, lr);
    case JT_RIGHT:
        return MAX(inner, rr);
    case JT_FULL:
        return MAX(inner, lr + rr);
    case JT_SEMI:
        return MAX(1, lr * match);
    case JT_ANTI:
    case JT_ANTI_NULL:
        /* TUNING: never below 5% of the input: an anti join that removes
         * everything is rare, and underestimating it is the costlier
         * mistake for the joins above */
        return MAX(lr * (1 - match), lr * 0.05);
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

static void estimate(PlanCtx *cx, Lop *op)
{
    for (int i = 0; i < 2; i++)
        if (op->child[i])
            estimate(cx, op->child[i]);
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

void plan_estimate(PlanCtx *cx, Lop *root)
{
    if (!est_ready(cx))
        return;
    estimate(cx, root);
}

/* For the join orderer: distinct values of a key over `rows` rows, using
 * the origins recorded by the last estimate. */
double plan_key_ndv(PlanCtx *cx, const Expr *e, double rows)
{
    UNUSED(cx);
    return ndv_expr(cx->est, e, rows);
}
