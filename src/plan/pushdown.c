/*
 * pushdown.c -- moving filter conjuncts as close to the data as they can
 * go: into join conditions, below projections and aggregates (through the
 * expressions they read), into table scans.
 *
 * Rules (a conjunct may move below an operator only when):
 *  1. Inner join: a conjunct reading one side goes to that side; one
 *     reading both becomes a join condition.
 *  2. LEFT / SEMI / ANTI / MARK / SINGLE join: conjuncts above the join
 *     reading only the left (preserved) side go left; ON conditions
 *     reading only the right side go right. Nothing goes into the right
 *     side from above, and FULL joins keep everything above.
 *  3. Projection: the conjunct is rewritten over the projected
 *     expressions (which must not hold a subquery).
 *  4. Aggregate: only conjuncts over group columns, rewritten over the
 *     group expressions.
 *  5. Sort passes filters through; LIMIT, set operations and VALUES stop
 *     them.
 *  6. A conjunct holding a subquery that runs per row stays at the
 *     lowest join level it reaches, never in a scan below a join, so it
 *     runs on as few rows as possible.
 * Conjuncts that read no column of this query (constants or outer
 * references) go wherever they are pushed first.
 */
#include "plan/plan_int.h"

typedef struct Preds {
    Expr **e;
    int n;
    int cap;
} Preds;

static int push(PlanCtx *cx, Lop **op, Preds *ps);

static int preds_add(PlanCtx *cx, Preds *ps, Expr *e)
{
    return expr_conjuncts(cx, e, &ps->e, &ps->n, &ps->cap);
}

/* Which sides of a join does e read: bit 0 left, bit 1 right; bit 2 a
 * column the join makes itself (the mark of a MARK join), which pins the
 * conjunct above the join. */
#define SIDE_OWN 4
static int sides(PlanCtx *cx, const Expr *e, const Lop *op)
{
    const Lop *l = op->child[0], *r = op->child[1];
    ColBinding *refs = NULL;
    int n = 0, cap = 0;
    expr_collect_refs(cx, e, &refs, &n, &cap);
    int s = 0;
    for (int i = 0; i < n; i++) {
        if (lop_find(l, refs[i]) >= 0)
            s |= 1;
        else if (lop_find(r, refs[i]) >= 0)
            s |= 2;
        else if (op->join == JT_MARK && refs[i].rel == op->mark_rel)
            s |= SIDE_OWN;
    }
    return s;
}

/* Conjunct i of one disjunct (an AND's arguments, or the disjunct). */
static Expr *part_at(Expr *d, int i)
{
    return d->kind == EXPR_AND ? d->args[i] : d;
}

/* (a AND x) OR (a AND y) -> a AND (x OR y): conjuncts common to every
 * disjunct are added to ps on their own, so they can become join keys or
 * move to one side. Returns the rest of the OR, or NULL when nothing is
 * left of it (a disjunct was only common conjuncts). */
static Expr *factor_or(PlanCtx *cx, Expr *e, Preds *ps, int *rc)
{
    Expr *first = e->args[0];
    int n0 = first->kind == EXPR_AND ? first->n_args : 1;
    bool *common = arena_calloc(cx->arena, (size_t)n0 + 1);
    if (common == NULL) {
        *rc = err_nomem(cx->err);
        return e;
    }
    int n_common = 0;
    for (int i = 0; i < n0; i++) {
        Expr *c = part_at(first, i);
        bool all = !expr_has_subquery(c);
        for (int d = 1; d < e->n_args && all; d++) {
            Expr *dj = e->args[d];
            int nd = dj->kind == EXPR_AND ? dj->n_args : 1;
            bool found = false;
            for (int k = 0; k < nd && !found; k++)
                found = expr_equal(part_at(dj, k), c);
            all = found;
        }
        common[i] = all;
        n_common += all;
    }
    if (n_common == 0)
        return e;
    for (int i = 0; i < n0; i++)
        if (common[i] && (*rc = preds_add(cx, ps, part_at(first, i))))
            return e;
    /* rebuild each disjunct without the common conjuncts */
    Expr *rest = expr_new(cx, EXPR_OR, type_make(TYPE_BOOL), e->n_args);
    if (rest == NULL) {
        *rc = err_nomem(cx->err);
        return e;
    }
    for (int d = 0; d < e->n_args; d++) {
        Expr *dj = e->args[d];
        int nd = dj->kind == EXPR_AND ? dj->n_args : 1;
        Expr **keep = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)nd);
        if (keep == NULL) {
            *rc = err_nomem(cx->err);
            return e;
        }
        int nk = 0;
        for (int k = 0; k < nd; k++) {
            Expr *c = part_at(dj, k);
            bool is_common = false;
            for (int i = 0; i < n0 && !is_common; i++)
                is_common = common[i] && expr_equal(part_at(first, i), c);
            if (!is_common)
                keep[nk++] = c;
        }
        if (nk == 0)
            return NULL;     /* this disjunct is true given the rest */
        rest->args[d] = expr_and_all(cx, keep, nk);
    }
    return rest;
}

/* For an OR over both sides of a join: the OR of, per disjunct, its
 * conjuncts over `side` alone -- implied by the OR, so it can filter that
 * side early. NULL when some disjunct has no such conjunct. */
static Expr *implied_side_filter(PlanCtx *cx, Expr *e, const Lop *op,
                                 int side_bit);

/* Wrap op in a filter with the remaining conjuncts. */
static int stop(PlanCtx *cx, Lop **op, Preds *ps)
{
    if (ps->n == 0)
        return EMBER_OK;
    Lop *f = lop_filter(cx, *op, ps->e, ps->n);
    if (f == NULL)
        return err_nomem(cx->err);
    *op = f;
    ps->n = 0;
    return EMBER_OK;
}

static bool has_per_row_subquery(const Expr *e)
{
    return expr_has_subquery(e);
}

static Expr *implied_side_filter(PlanCtx *cx, Expr *e, const Lop *op,
                                 int side_bit)
{
    if (e->kind != EXPR_OR || expr_has_subquery(e))
        return NULL;
    Expr *out = expr_new(cx, EXPR_OR, type_make(TYPE_BOOL), e->n_args);
    if (out == NULL)
        return NULL;
    for (int d = 0; d < e->n_args; d++) {
        Expr *dj = e->args[d];
        int nd = dj->kind == EXPR_AND ? dj->n_args : 1;
        Expr **keep = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)nd);
        if (keep == NULL)
            return NULL;
        int nk = 0;
        for (int k = 0; k < nd; k++) {
            Expr *c = part_at(dj, k);
            if (sides(cx, c, op) == side_bit)
                keep[nk++] = c;
        }
        if (nk == 0)
            return NULL;
        out->args[d] = expr_and_all(cx, keep, nk);
    }
    return out;
}

static int push_join(PlanCtx *cx, Lop **pop, Preds *ps)
{
    Lop *op = *pop;
    Preds lp = {0}, rp = {0}, keep = {0}, conds = {0};
    JoinType jt = op->join;
    int rc = EMBER_OK;
    /* conditions of the join itself */
    for (int i = 0; i < op->n_exprs && rc == EMBER_OK; i++) {
        Expr *e = op->exprs[i];
        int s = sides(cx, e, op);
        bool sub = has_per_row_subquery(e);
        if (jt == JT_INNER && s == 1 && !sub)
            rc = preds_add(cx, &lp, e);
        else if (jt == JT_INNER && (s == 2 || s == 0) && !sub)
            rc = preds_add(cx, &rp, e);
        else if ((jt == JT_LEFT || jt == JT_SEMI || jt == JT_ANTI ||
                  jt == JT_SINGLE) && (s == 2 || s == 0) && !sub)
            /* a condition on the inner side alone filters it first; not
             * for MARK and ANTI_NULL, whose NULL results depend on it */
            rc = preds_add(cx, &rp, e);
        else if (jt == JT_RIGHT && s == 1 && !sub)
            rc = preds_add(cx, &lp, e);
        else
            rc = preds_add(cx, &conds, e);
    }
    /* conjuncts from above */
    for (int i = 0; i < ps->n && rc == EMBER_OK; i++) {
        Expr *e = ps->e[i];
        int s = sides(cx, e, op);
        bool sub = has_per_row_subquery(e);
        if (s & SIDE_OWN) {
            rc = preds_add(cx, &keep, e);
        } else if (jt == JT_INNER) {
            if (sub)
                rc = preds_add(cx, &keep, e);
            else if (s == 1)
                rc = preds_add(cx, &lp, e);
            else if (s == 2)
                rc = preds_add(cx, &rp, e);
            else if (s == 0)
                rc = preds_add(cx, &lp, e);
            else {
                rc = preds_add(cx, &conds, e);
                Expr *lf = implied_side_filter(cx, e, op, 1);
                Expr *rf = implied_side_filter(cx, e, op, 2);
                if (rc == EMBER_OK && lf)
                    rc = preds_add(cx, &lp, lf);
                if (rc == EMBER_OK && rf)
                    rc = preds_add(cx, &rp, rf);
            }
        } else if (jt != JT_FULL && jt != JT_RIGHT && (s == 1 || s == 0) &&
                   !sub) {
            rc = preds_add(cx, &lp, e);
        } else if (jt == JT_RIGHT && (s == 2 || s == 0) && !sub) {
            rc = preds_add(cx, &rp, e);
        } else {
            rc = preds_add(cx, &keep, e);
        }
    }
    if (rc == EMBER_OK)
        rc = push(cx, &op->child[0], &lp);
    if (rc == EMBER_OK)
        rc = push(cx, &op->child[1], &rp);
    if (rc != EMBER_OK)
        return rc;
    op->exprs = conds.e;
    op->n_exprs = conds.n;
    if (lop_refresh(cx, op) != EMBER_OK)
        return err_nomem(cx->err);
    ps->n = 0;
    return stop(cx, pop, &keep);
}

/* Rewrite e over a projection: references to rel columns become the
 * projected expressions. False when that is not allowed. */
static bool rewrite_over(PlanCtx *cx, Expr **e, uint32_t rel, Expr **exprs,
                         int n)
{
    ColBinding *refs = NULL;
    int nr = 0, cap = 0;
    if (expr_collect_refs(cx, *e, &refs, &nr, &cap) != EMBER_OK)
        return false;
    for (int i = 0; i < nr; i++) {
        if (refs[i].rel != rel)
            continue;
        if ((int)refs[i].col >= n || expr_has_subquery(exprs[refs[i].col]))
            return false;
    }
    for (int i = 0; i < nr; i++)
        if (refs[i].rel == rel)
            *e = expr_replace_ref(cx, *e, refs[i], exprs[refs[i].col]);
    return *e != NULL;
}

static int push_project(PlanCtx *cx, Lop **pop, Preds *ps)
{
    Lop *op = *pop;
    Preds down = {0}, keep = {0};
    int rc = EMBER_OK;
    for (int i = 0; i < ps->n && rc == EMBER_OK; i++) {
        Expr *e = expr_copy(cx, ps->e[i]);
        if (e && rewrite_over(cx, &e, op->rel, op->exprs, op->n_exprs))
            rc = preds_add(cx, &down, e);
        else
            rc = preds_add(cx, &keep, ps->e[i]);
    }
    if (rc == EMBER_OK)
        rc = push(cx, &op->child[0], &down);
    ps->n = 0;
    return rc == EMBER_OK ? stop(cx, pop, &keep) : rc;
}

static int push_agg(PlanCtx *cx, Lop **pop, Preds *ps)
{
    Lop *op = *pop;
    Preds down = {0}, keep = {0};
    int rc = EMBER_OK;
    for (int i = 0; i < ps->n && rc == EMBER_OK; i++) {
        Expr *e = ps->e[i];
        if (op->n_groups > 0 && !expr_refs_rel(e, op->agg_rel) &&
            !expr_has_subquery(e)) {
            Expr *c = expr_copy(cx, e);
            if (c && rewrite_over(cx, &c, op->group_rel, op->groups,
                                  op->n_groups)) {
                rc = preds_add(cx, &down, c);
                continue;
            }
        }
        rc = preds_add(cx, &keep, e);
    }
    Preds none = {0};
    if (rc == EMBER_OK)
        rc = push(cx, &op->child[0], down.n ? &down : &none);
    ps->n = 0;
    return rc == EMBER_OK ? stop(cx, pop, &keep) : rc;
}

static int push_get(PlanCtx *cx, Lop *op, Preds *ps)
{
    if (ps->n == 0)
        return EMBER_OK;
    Expr **all = arena_alloc(cx->arena, sizeof(Expr *) *
                                            (size_t)(op->n_exprs + ps->n));
    if (all == NULL)
        return err_nomem(cx->err);
    if (op->n_exprs)
        memcpy(all, op->exprs, sizeof(Expr *) * (size_t)op->n_exprs);
    memcpy(all + op->n_exprs, ps->e, sizeof(Expr *) * (size_t)ps->n);
    op->exprs = all;
    op->n_exprs += ps->n;
    ps->n = 0;
    return EMBER_OK;
}

static int push(PlanCtx *cx, Lop **pop, Preds *ps)
{
    Lop *op = *pop;
    int rc;
    switch (op->kind) {
    case LOP_FILTER:
        for (int i = 0; i < op->n_exprs; i++) {
            Expr *e = expr_fold(cx, op->exprs[i]);
            if (e->kind == EXPR_CONST && !e->val.is_null && e->val.v.i)
                continue;         /* always true */
            rc = EMBER_OK;
            if (e->kind == EXPR_OR)
                e = factor_or(cx, e, ps, &rc);
            if (rc == EMBER_OK && e)
                rc = preds_add(cx, ps, e);
            if (rc != EMBER_OK)
                return rc;
        }
        *pop = op->child[0];
        return push(cx, pop, ps);
    case LOP_GET: {
        /* a scan takes its filters unless one runs a subquery per row */
        Preds keep = {0}, take = {0};
        for (int i = 0; i < ps->n; i++) {
            rc = preds_add(cx, has_per_row_subquery(ps->e[i]) ? &keep : &take,
                           ps->e[i]);
            if (rc != EMBER_OK)
                return rc;
        }
        ps->n = 0;
        rc = push_get(cx, op, &take);
        return rc == EMBER_OK ? stop(cx, pop, &keep) : rc;
    }
    case LOP_JOIN:
        return push_join(cx, pop, ps);
    case LOP_PROJECT:
        return push_project(cx, pop, ps);
    case LOP_AGG:
        return push_agg(cx, pop, ps);
    case LOP_ORDER:
        rc = push(cx, &op->child[0], ps);
        return rc;
    case LOP_LIMIT:
    case LOP_SETOP: {
        Preds none = {0};
        rc = push(cx, &op->child[0], &none);
        if (rc == EMBER_OK && op->child[1]) {
            Preds none2 = {0};
            rc = push(cx, &op->child[1], &none2);
        }
        return rc == EMBER_OK ? stop(cx, pop, ps) : rc;
    }
    default:
        return stop(cx, pop, ps);
    }
}

int plan_pushdown(PlanCtx *cx, Lop **root)
{
    Preds ps = {0};
    return push(cx, root, &ps);
}
