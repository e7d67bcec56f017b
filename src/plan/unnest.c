/*
 * unnest.c -- turning subqueries into joins.
 *
 * Shapes handled (the rest run once per outer row as a SubPlan, the
 * fallback EXPLAIN shows):
 *  1. [NOT] EXISTS (q) as a WHERE conjunct, q correlated by conjuncts of
 *     its WHERE clause -> SEMI / ANTI join on those conjuncts.
 *  2. x [NOT] IN (q) as a WHERE conjunct, q uncorrelated -> SEMI join /
 *     NULL-aware ANTI join on x = q.col; IN with a correlated q -> SEMI
 *     join on x = q.col and the correlation conjuncts.
 *  3. x IN (q) elsewhere (select list, under OR), q uncorrelated -> MARK
 *     join whose mark column (TRUE / FALSE / NULL) replaces the IN.
 *  4. A scalar subquery whose correlation conjuncts are equalities
 *     inner = outer: with an aggregate and no GROUP BY it becomes a
 *     grouped aggregate on the inner keys, LEFT-joined on the outer keys
 *     (an empty group's value, e.g. count = 0, is restored with a CASE);
 *     without an aggregate, a SINGLE join (an error if a row matches
 *     twice).
 * Requirements checked before rewriting (otherwise the fallback is used):
 *  R1. Outer references occur only in the subquery's WHERE conjuncts
 *      (not in its select list, GROUP BY, HAVING, joins or nested
 *      subqueries), and those conjuncts hold no subquery themselves.
 *  R2. The subquery has no LIMIT, ORDER BY or set operation at its top.
 *  R3. For shape 4, every correlated conjunct is an equality of an inner
 *      and an outer expression, and the aggregate has no GROUP BY.
 * Uncorrelated scalar and EXISTS subqueries are left alone: the physical
 * planner runs them once before the query (init plans).
 */
#include "plan/plan_int.h"


static int walk(PlanCtx *cx, Lop **op);

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static bool refs_any(const Expr *e, const ColBinding *set, int n)
{
    if (e == NULL)
        return false;
    if (e->kind == EXPR_COLREF) {
        for (int i = 0; i < n; i++)
            if (binding_eq(e->col, set[i]))
                return true;
        return false;
    }
    for (int i = 0; i < e->n_args; i++)
        if (refs_any(e->args[i], set, n))
            return true;
    if (e->kind == EXPR_SUBQUERY && e->bsub) {
        const BoundSub *bs = e->bsub;
        for (int i = 0; i < bs->n_corr; i++) {
            if (bs->corr_args && bs->corr_args[i]) {
                if (refs_any(bs->corr_args[i], set, n))
                    return true;
                continue;
            }
            for (int j = 0; j < n; j++)
                if (binding_eq(bs->corr[i], set[j]))
                    return true;
        }
        return refs_any(bs->lhs, set, n);
    }
    return false;
}

/* Does any expression of the tree (other than `skip`'s conjuncts) read an
 * outer binding? */
static bool tree_refs(const Lop *op, const ColBinding *set, int n,
                      const Lop *skip)
{
    if (op == NULL)
        return false;
    if (op != skip) {
        for (int i = 0; i < op->n_exprs; i++)
            if (refs_any(op->exprs[i], set, n))
                return true;
    }
    for (int i = 0; i < op->n_groups; i++)
        if (refs_any(op->groups[i], set, n))
            return true;
    for (int i = 0; i < op->n_aggs; i++)
        if (refs_any(op->aggs[i].arg, set, n) ||
            refs_any(op->aggs[i].filter, set, n))
            return true;
    for (int i = 0; i < op->n_keys; i++)
        if (refs_any(op->keys[i].expr, set, n))
            return true;
    return tree_refs(op->child[0], set, n, skip) ||
           tree_refs(op->child[1], set, n, skip);
}

/* The decorrelated pieces of a subquery. */
typedef struct Split {
    Lop *proj;                /* top projection */
    Lop *agg;                 /* aggregate below it, or NULL */
    Lop *inner;               /* plan below, correlated conjuncts removed */
    Expr **corr;              /* correlated conjuncts */
    int n_corr;
} Split;

/* Take a subquery plan apart (rules R1, R2). */
static bool split_sub(PlanCtx *cx, BoundSub *bs, bool allow_agg, Split *sp)
{
    memset(sp, 0, sizeof(*sp));
    Lop *p = bs->plan;
    /* unnesting joins on corr[] as columns of the outer input: not once
     * pushdown has given them other outer expressions (it runs after) */
    if (p->kind != LOP_PROJECT || bs->corr_args != NULL)
        return false;
    sp->proj = p;
    Lop *below = p->child[0];
    if (below->kind == LOP_AGG) {
        if (!allow_agg || below->n_groups > 0)
            return false;
        sp->agg = below;
        below = below->child[0];
    }
    Lop *filter = below->kind == LOP_FILTER ? below : NULL;
    /* R1: outer references only in the filter's conjuncts */
    for (int i = 0; i < p->n_exprs; i++)
        if (refs_any(p->exprs[i], bs->corr, bs->n_corr) ||
            expr_has_subquery(p->exprs[i]))
            return false;
    if (sp->agg && tree_refs(sp->agg, bs->corr, bs->n_corr, filter))
        return false;
    if (tree_refs(below, bs->corr, bs->n_corr, filter))
        return false;
    if (filter == NULL)
        return bs->n_corr == 0 ? (sp->inner = below, true) : false;
    Expr **keep = arena_alloc(cx->arena, sizeof(Expr *) *
                                             (size_t)(filter->n_exprs + 1));
    sp->corr = arena_alloc(cx->arena, sizeof(Expr *) *
                                          (size_t)(filter->n_exprs + 1));
    if (keep == NULL || sp->corr == NULL)
        return false;
    int nk = 0;
    for (int i = 0; i < filter->n_exprs; i++) {
        Expr *e = filter->exprs[i];
        if (refs_any(e, bs->corr, bs->n_corr)) {
            if (expr_has_subquery(e))
                return false;
            sp->corr[sp->n_corr++] = e;
        } else {
            keep[nk++] = e;
        }
    }
    sp->inner = lop_filter(cx, filter->child[0], keep, nk);
    return sp->inner != NULL;
}

/* Split a correlated equality into its inner and outer sides (R3). */
static bool corr_equality(const Expr *e, const BoundSub *bs, Expr **inner,
                          Expr **outer)
{
    if (e->kind != EXPR_FUNC)
        return false;
    if (!(e->fn >= F_EQ_U8 && e->fn <= F_EQ_STR))
        return false;
    const Expr *a = e->args[0], *b = e->args[1];
    bool ao = refs_any(a, bs->corr, bs->n_corr);
    bool bo = refs_any(b, bs->corr, bs->n_corr);
    ColBinding *refs = NULL;
    int n = 0, cap = 0;
    UNUSED(refs);
    UNUSED(n);
    UNUSED(cap);
    if (ao == bo)
        return false;
    /* the outer side must read only outer columns */
    const Expr *o = ao ? a : b;
    if (!expr_refs_within(o, bs->corr, bs->n_corr))
        return false;
    *outer = (Expr *)o;
    *inner = (Expr *)(ao ? b : a);
    return !expr_is_const(*inner);
}

/* ------------------------------------------------------------------------
 * EXISTS / IN conjuncts
 * ------------------------------------------------------------------------ */

static bool exists_or_in(const Expr *e, const Expr **sub, bool *neg)
{
    *neg = false;
    if (e->kind == EXPR_NOT) {
        *neg = true;
        e = e->args[0];
    }
    if (e->kind != EXPR_SUBQUERY || e->bsub == NULL)
        return false;
    if (e->bsub->kind != SUB_EXISTS && e->bsub->kind != SUB_IN)
        return false;
    *sub = e;
    if (e->bsub->negated)
        *neg = !*neg;
    return true;
}

static int eq_expr(PlanCtx *cx, Expr *a, Expr *b, Expr **out)
{
    Expr *args[2] = {expr_copy(cx, a), expr_copy(cx, b)};
    if (args[0] == NULL || args[1] == NULL)
        return err_nomem(cx->err);
    return plan_make_call(cx, "=", args, 2, a->pos, out);
}

/* Try to make conjunct c (an EXISTS / IN) a join below the filter. */
static int conj_to_join(PlanCtx *cx, Lop **child, Expr *c, bool *done)
{
    const Expr *se;
    bool neg;
    *done = false;
    if (!exists_or_in(c, &se, &neg))
        return EMBER_OK;
    BoundSub *bs = se->bsub;
    if (bs->kind == SUB_EXISTS && bs->n_corr == 0)
        return EMBER_OK;      /* runs once as an init plan */
    Split sp;
    Expr **conds;
    int n = 0;
    Lop *right;
    if (bs->n_corr == 0) {
        right = bs->plan;
        conds = arena_alloc(cx->arena, sizeof(Expr *));
        if (conds == NULL)
            return err_nomem(cx->err);
        Expr *col = expr_colref(cx, right->out[0], right->types[0]);
        int rc = eq_expr(cx, bs->lhs, col, &conds[0]);
        if (rc != EMBER_OK)
            return rc;
        n = 1;
    } else {
        if (bs->kind == SUB_IN && neg)
            return EMBER_OK;  /* correlated NOT IN: fallback */
        if (!split_sub(cx, bs, bs->kind == SUB_IN ? false : true, &sp) ||
            sp.agg)
            return EMBER_OK;
        right = sp.inner;
        conds = arena_alloc(cx->arena, sizeof(Expr *) *
                                           (size_t)(sp.n_corr + 1));
        if (conds == NULL)
            return err_nomem(cx->err);
        memcpy(conds, sp.corr, sizeof(Expr *) * (size_t)sp.n_corr);
        n = sp.n_corr;
        if (bs->kind == SUB_IN) {
            int rc = eq_expr(cx, bs->lhs, sp.proj->exprs[0], &conds[n++]);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    JoinType jt = neg ? (bs->kind == SUB_IN ? JT_ANTI_NULL : JT_ANTI)
                      : JT_SEMI;
    Lop *j = lop_join(cx, jt, *child, right, conds, n);
    if (j == NULL)
        return err_nomem(cx->err);
    j->from_subquery = true;
    *child = j;
    *done = true;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Scalar subqueries and IN values
 * ------------------------------------------------------------------------ */

/* The value of a projected expression over an empty group: aggregates
 * replaced by their empty-input results (count 0, others NULL). */
static Expr *empty_value(PlanCtx *cx, const Lop *agg, const Expr *e)
{
    Expr *c = expr_copy(cx, e);
    for (int i = 0; c && i < agg->n_aggs; i++) {
        const AggCall *a = &agg->aggs[i];
        Value v = value_null();
        if (a->kind == AGG_COUNT || a->kind == AGG_COUNT_STAR)
            v = value_int64(0);
        else if (a->kind == AGG_TOTAL)
            v = value_double(0);
        v.type = a->type;
        Expr *k = expr_const(cx, v);
        if (k == NULL)
            return NULL;
        c = expr_replace_ref(cx, c, (ColBinding){agg->agg_rel, (uint32_t)i},
                             k);
    }
    return c ? expr_fold(cx, c) : NULL;
}

/* Scalar subquery -> LEFT (grouped aggregate) or SINGLE join on child.
 * *repl receives the expression that replaces the subquery. */
static int scalar_to_join(PlanCtx *cx, Lop **child, BoundSub *bs,
                          Expr **repl)
{
    *repl = NULL;
    Split sp;
    if (bs->n_corr == 0 || !split_sub(cx, bs, true, &sp) || sp.n_corr == 0)
        return EMBER_OK;
    int n = sp.n_corr;
    Expr **inner = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)n);
    Expr **outer = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)n);
    if (inner == NULL || outer == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++)
        if (!corr_equality(sp.corr[i], bs, &inner[i], &outer[i]))
            return EMBER_OK;
    Expr **conds = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)n);
    if (conds == NULL)
        return err_nomem(cx->err);
    if (sp.agg == NULL) {
        /* no aggregate: at most one row may match (SINGLE join) */
        if (sp.proj->exprs[0]->kind != EXPR_COLREF)
            return EMBER_OK;
        for (int i = 0; i < n; i++)
            conds[i] = sp.corr[i];
        Lop *j = lop_join(cx, JT_SINGLE, *child, sp.inner, conds, n);
        if (j == NULL)
            return err_nomem(cx->err);
        j->from_subquery = true;
        *child = j;
        *repl = expr_copy(cx, sp.proj->exprs[0]);
        return *repl ? EMBER_OK : err_nomem(cx->err);
    }
    /* grouped aggregate on the inner keys, over only the keys the outer
     * rows can ask for when that is much smaller (unnest_domain.c) */
    int drc = unnest_domain(cx, *child, cx->siblings, cx->n_siblings, outer,
                            inner, n, &sp.inner);
    if (drc != EMBER_OK)
        return drc;
    Lop *agg = lop_new(cx, LOP_AGG);
    if (agg == NULL)
        return err_nomem(cx->err);
    *agg = *sp.agg;
    agg->child[0] = sp.inner;
    agg->groups = inner;
    agg->n_groups = n;
    agg->group_rel = plan_new_rel(cx);
    int no = n + agg->n_aggs;
    if (lop_set_outputs(cx, agg, no) != EMBER_OK)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        agg->out[i] = (ColBinding){agg->group_rel, (uint32_t)i};
        agg->types[i] = inner[i]->type;
    }
    for (int i = 0; i < agg->n_aggs; i++) {
        agg->out[n + i] = (ColBinding){agg->agg_rel, (uint32_t)i};
        agg->types[n + i] = agg->aggs[i].type;
    }
    /* projection: the subquery's value, then the keys */
    Expr **pe = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (pe == NULL)
        return err_nomem(cx->err);
    pe[0] = sp.proj->exprs[0];
    for (int i = 0; i < n; i++)
        pe[i + 1] = expr_colref(cx, agg->out[i], agg->types[i]);
    Lop *proj = lop_project(cx, agg, pe, n + 1, NULL);
    if (proj == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        Expr *k = expr_colref(cx, proj->out[i + 1], proj->types[i + 1]);
        int rc = eq_expr(cx, outer[i], k, &conds[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    Lop *j = lop_join(cx, JT_LEFT, *child, proj, conds, n);
    if (j == NULL)
        return err_nomem(cx->err);
    j->from_subquery = true;
    *child = j;
    Expr *val = expr_colref(cx, proj->out[0], proj->types[0]);
    Expr *empty = empty_value(cx, sp.agg, sp.proj->exprs[0]);
    if (val == NULL || empty == NULL)
        return err_nomem(cx->err);
    if (empty->kind == EXPR_CONST && empty->val.is_null) {
        *repl = val;
        return EMBER_OK;
    }
    /* a group with no rows: the key column is NULL after the LEFT join */
    Expr *cs = expr_new(cx, EXPR_CASE, val->type, 3);
    Expr *isn = expr_new(cx, EXPR_IS_NULL, type_make(TYPE_BOOL), 1);
    if (cs == NULL || isn == NULL)
        return err_nomem(cx->err);
    isn->args[0] = expr_colref(cx, proj->out[1], proj->types[1]);
    cs->args[0] = isn;
    cs->args[1] = expr_cast(cx, empty, val->type);
    cs->args[2] = val;
    *repl = cs;
    return EMBER_OK;
}

/* IN (uncorrelated q) as a value: MARK join. */
static int in_to_mark(PlanCtx *cx, Lop **child, BoundSub *bs, Expr **repl)
{
    *repl = NULL;
    if (bs->kind != SUB_IN || bs->n_corr != 0)
        return EMBER_OK;
    Lop *right = bs->plan;
    Expr *cond;
    Expr *col = expr_colref(cx, right->out[0], right->types[0]);
    int rc = eq_expr(cx, bs->lhs, col, &cond);
    if (rc != EMBER_OK)
        return rc;
    Lop *j = lop_join(cx, JT_MARK, *child, right, &cond, 1);
    if (j == NULL)
        return err_nomem(cx->err);
    j->from_subquery = true;
    *child = j;
    Expr *m = expr_colref(cx, (ColBinding){j->mark_rel, 0},
                          type_make(TYPE_BOOL));
    if (m == NULL)
        return err_nomem(cx->err);
    if (bs->negated) {
        Expr *n = expr_new(cx, EXPR_NOT, type_make(TYPE_BOOL), 1);
        if (n == NULL)
            return err_nomem(cx->err);
        n->args[0] = m;
        m = n;
    }
    *repl = m;
    return EMBER_OK;
}

/* Replace subqueries inside e that can become joins on *child. */
static int rewrite_expr(PlanCtx *cx, Lop **child, Expr **pe)
{
    Expr *e = *pe;
    if (e == NULL)
        return EMBER_OK;
    if (e->kind == EXPR_SUBQUERY && e->bsub) {
        int rc = walk(cx, &e->bsub->plan);
        if (rc != EMBER_OK)
            return rc;
        Expr *repl = NULL;
        if (e->bsub->kind == SUB_SCALAR)
            rc = scalar_to_join(cx, child, e->bsub, &repl);
        else if (e->bsub->kind == SUB_IN)
            rc = in_to_mark(cx, child, e->bsub, &repl);
        if (rc != EMBER_OK)
            return rc;
        if (repl)
            *pe = repl;
        else if (e->bsub->lhs)
            rc = rewrite_expr(cx, child, &e->bsub->lhs);
        return rc;
    }
    for (int i = 0; i < e->n_args; i++) {
        int rc = rewrite_expr(cx, child, &e->args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Walk
 * ------------------------------------------------------------------------ */

static int walk_filter(PlanCtx *cx, Lop *op)
{
    Expr **keep = arena_alloc(cx->arena, sizeof(Expr *) *
                                             (size_t)(op->n_exprs + 1));
    if (keep == NULL)
        return err_nomem(cx->err);
    int nk = 0;
    for (int i = 0; i < op->n_exprs; i++) {
        Expr *c = op->exprs[i];
        const Expr *se;
        bool neg, done = false;
        if (exists_or_in(c, &se, &neg)) {
            int rc = walk(cx, &se->bsub->plan);
            if (rc == EMBER_OK)
                rc = conj_to_join(cx, &op->child[0], c, &done);
            if (rc != EMBER_OK)
                return rc;
        }
        if (!done) {
            Expr **saved = cx->siblings;
            int n_saved = cx->n_siblings;
            cx->siblings = op->exprs;
            cx->n_siblings = op->n_exprs;
            int rc = rewrite_expr(cx, &op->child[0], &c);
            cx->siblings = saved;
            cx->n_siblings = n_saved;
            if (rc != EMBER_OK)
                return rc;
            keep[nk++] = c;
        }
    }
    op->exprs = keep;
    op->n_exprs = nk;
    return lop_refresh(cx, op);
}

static int walk(PlanCtx *cx, Lop **pop)
{
    Lop *op = *pop;
    for (int i = 0; i < 2; i++)
        if (op->child[i]) {
            int rc = walk(cx, &op->child[i]);
            if (rc != EMBER_OK)
                return rc;
        }
    int rc = EMBER_OK;
    switch (op->kind) {
    case LOP_FILTER:
        rc = walk_filter(cx, op);
        break;
    case LOP_PROJECT: {
        Expr **saved = cx->siblings;
        int n_saved = cx->n_siblings;
        cx->siblings = NULL;
        cx->n_siblings = 0;
        for (int i = 0; i < op->n_exprs && rc == EMBER_OK; i++)
            rc = rewrite_expr(cx, &op->child[0], &op->exprs[i]);
        cx->siblings = saved;
        cx->n_siblings = n_saved;
        break;
    }
    default:
        /* subqueries elsewhere (join conditions, aggregates, sort keys)
         * still get their own plans unnested */
        for (int i = 0; i < op->n_exprs && rc == EMBER_OK; i++)
            if (op->exprs[i]->kind == EXPR_SUBQUERY && op->exprs[i]->bsub)
                rc = walk(cx, &op->exprs[i]->bsub->plan);
        break;
    }
    if (rc == EMBER_OK && (op->kind == LOP_JOIN || op->kind == LOP_FILTER ||
                           op->kind == LOP_ORDER || op->kind == LOP_LIMIT))
        rc = lop_refresh(cx, op);
    return rc;
}

int plan_unnest(PlanCtx *cx, Lop **root)
{
    return walk(cx, root);
}
