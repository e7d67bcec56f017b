/*
 * unnest_domain.c -- restricting a decorrelated aggregate to the keys the
 * outer query can ask for.
 *
 * A correlated scalar aggregate becomes a grouped aggregate over the whole
 * inner relation, LEFT-joined to the outer rows (unnest.c, shape 4). When
 * the outer query is selective, most groups are computed for nothing: TPC-H
 * Q17 groups 6 M lineitem rows into 200,000 parts and then uses 200 of
 * them. Here the aggregate's input gets a SEMI join with a "domain": a
 * relation whose key values include every key value of the outer rows.
 *
 * The domain is a copy (fresh bindings) of part of the outer tree: from
 * the outer root, descend towards the relation the outer keys come from,
 * through inner and outer joins (into the side that holds it) and filters,
 * stopping at a base table or at a SEMI / ANTI join, whose restriction is
 * kept whole. Conjuncts of the filters passed on the way, and of the
 * filter the subquery sits in (its sibling conjuncts), that read only the
 * copied part are applied to the copy. Why this is a superset: every outer
 * row with non-NULL keys got them from a row of that part which passed
 * those conjuncts, since the conjuncts are ANDed with whatever uses the
 * subquery's value (a row failing a sibling conjunct is discarded whatever
 * the value is). NULL keys match no group, so dropping inner rows with
 * NULL keys changes nothing.
 *
 * The semi join is added only when the estimated domain is at most a
 * quarter of the estimated groups; otherwise the extra probe per inner row
 * would not pay.
 */
#include "plan/plan_int.h"

/* TUNING: add the domain when it has at most 1/4 of the groups. */
#define DOMAIN_MAX_FRACTION 0.25

typedef struct RelMap {
    uint32_t *from;
    uint32_t *to;
    int n;
    int cap;
} RelMap;

static bool map_add(PlanCtx *cx, RelMap *m, uint32_t from, uint32_t to)
{
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 16;
        uint32_t *f = arena_alloc(cx->arena, sizeof(uint32_t) * (size_t)cap);
        uint32_t *t = arena_alloc(cx->arena, sizeof(uint32_t) * (size_t)cap);
        if (f == NULL || t == NULL)
            return false;
        if (m->n) {
            memcpy(f, m->from, sizeof(uint32_t) * (size_t)m->n);
            memcpy(t, m->to, sizeof(uint32_t) * (size_t)m->n);
        }
        m->from = f;
        m->to = t;
        m->cap = cap;
    }
    m->from[m->n] = from;
    m->to[m->n] = to;
    m->n++;
    return true;
}

static uint32_t map_rel(const RelMap *m, uint32_t rel)
{
    for (int i = 0; i < m->n; i++)
        if (m->from[i] == rel)
            return m->to[i];
    return rel;
}

/* Copy of e with bindings renamed; NULL if e holds a subquery or no
 * memory (either way: no domain). */
static Expr *remap_expr(PlanCtx *cx, const Expr *e, const RelMap *m)
{
    if (e == NULL || expr_has_subquery(e))
        return NULL;
    Expr *c = expr_copy(cx, e);
    if (c == NULL)
        return NULL;
    if (c->kind == EXPR_COLREF)
        c->col.rel = map_rel(m, c->col.rel);
    for (int i = 0; i < c->n_args; i++) {
        c->args[i] = remap_expr(cx, e->args[i], m);
        if (c->args[i] == NULL)
            return NULL;
    }
    return c;
}

static Expr **remap_list(PlanCtx *cx, Expr **list, int n, const RelMap *m)
{
    Expr **out = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (out == NULL)
        return NULL;
    for (int i = 0; i < n; i++)
        if ((out[i] = remap_expr(cx, list[i], m)) == NULL)
            return NULL;
    return out;
}

/* Copy of a GET / FILTER / JOIN / PROJECT tree with fresh bindings. */
static Lop *clone_fresh(PlanCtx *cx, const Lop *op, RelMap *m)
{
    Lop *c = NULL;
    switch (op->kind) {
    case LOP_GET:
        c = lop_new(cx, LOP_GET);
        if (c == NULL || lop_set_outputs(cx, c, op->n_out) != EMBER_OK)
            return NULL;
        c->table = op->table;
        c->rel = plan_new_rel(cx);
        c->get_cols = op->get_cols;
        if (!map_add(cx, m, op->rel, c->rel))
            return NULL;
        for (int i = 0; i < op->n_out; i++) {
            c->out[i] = (ColBinding){c->rel, op->out[i].col};
            c->types[i] = op->types[i];
            c->names[i] = op->names ? op->names[i] : NULL;
        }
        c->n_exprs = op->n_exprs;
        c->exprs = remap_list(cx, op->exprs, op->n_exprs, m);
        return c->exprs ? c : NULL;
    case LOP_FILTER: {
        Lop *ch = clone_fresh(cx, op->child[0], m);
        Expr **e = ch ? remap_list(cx, op->exprs, op->n_exprs, m) : NULL;
        return e ? lop_filter(cx, ch, e, op->n_exprs) : NULL;
    }
    case LOP_JOIN: {
        Lop *l = clone_fresh(cx, op->child[0], m);
        Lop *r = l ? clone_fresh(cx, op->child[1], m) : NULL;
        if (r == NULL)
            return NULL;
        c = lop_join(cx, op->join, l, r, NULL, 0);
        if (c == NULL)
            return NULL;
        if (op->join == JT_MARK && !map_add(cx, m, op->mark_rel, c->mark_rel))
            return NULL;
        c->n_exprs = op->n_exprs;
        c->exprs = remap_list(cx, op->exprs, op->n_exprs, m);
        return c->exprs ? c : NULL;
    }
    case LOP_PROJECT: {
        Lop *ch = clone_fresh(cx, op->child[0], m);
        Expr **e = ch ? remap_list(cx, op->exprs, op->n_exprs, m) : NULL;
        c = e ? lop_project(cx, ch, e, op->n_exprs, op->names) : NULL;
        if (c && !map_add(cx, m, op->rel, c->rel))
            return NULL;
        return c;
    }
    default:
        return NULL;
    }
}

static bool outputs_rel(const Lop *op, uint32_t rel)
{
    for (int i = 0; i < op->n_out; i++)
        if (op->out[i].rel == rel)
            return true;
    return false;
}

typedef struct Conjs {
    Expr **e;
    int n;
    int cap;
} Conjs;

static bool conjs_add(PlanCtx *cx, Conjs *c, Expr **list, int n)
{
    if (c->n + n > c->cap) {
        int cap = (c->n + n) * 2 + 8;
        Expr **e = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)cap);
        if (e == NULL)
            return false;
        if (c->n)
            memcpy(e, c->e, sizeof(Expr *) * (size_t)c->n);
        c->e = e;
        c->cap = cap;
    }
    for (int i = 0; i < n; i++)
        c->e[c->n++] = list[i];
    return true;
}

/* The part of the outer tree to copy: see the file comment. Filter
 * conjuncts passed on the way are added to *path. */
static const Lop *domain_part(PlanCtx *cx, const Lop *op, uint32_t rel,
                              Conjs *path)
{
    for (;;) {
        switch (op->kind) {
        case LOP_GET:
            return op->rel == rel ? op : NULL;
        case LOP_FILTER:
            if (!conjs_add(cx, path, op->exprs, op->n_exprs))
                return NULL;
            op = op->child[0];
            break;
        case LOP_JOIN: {
            bool left = outputs_rel(op->child[0], rel);
            if (!left && !outputs_rel(op->child[1], rel))
                return NULL;
            if (left && (op->join == JT_SEMI || op->join == JT_ANTI ||
                         op->join == JT_ANTI_NULL))
                return op;
            op = op->child[left ? 0 : 1];
            break;
        }
        default:
            return NULL;
        }
    }
}

/* Estimated groups of the aggregate over `inner` keyed by `keys`. */
static double groups_est(PlanCtx *cx, Lop *inner, Expr **keys, int n)
{
    plan_estimate(cx, inner);
    double rows = inner->est_rows, g = 1;
    for (int i = 0; i < n; i++)
        g *= plan_key_ndv(cx, keys[i], rows);
    return g < rows ? g : rows;
}

int unnest_domain(PlanCtx *cx, const Lop *outer, Expr **siblings,
                  int n_siblings, Expr **outer_keys, Expr **inner_keys,
                  int n, Lop **inner)
{
    if (n == 0 || outer_keys[0]->kind != EXPR_COLREF)
        return EMBER_OK;
    uint32_t rel = outer_keys[0]->col.rel;
    for (int i = 1; i < n; i++)
        if (outer_keys[i]->kind != EXPR_COLREF || outer_keys[i]->col.rel != rel)
            return EMBER_OK;
    Conjs cand = {NULL, 0, 0};
    const Lop *part = domain_part(cx, outer, rel, &cand);
    if (part == NULL || !conjs_add(cx, &cand, siblings, n_siblings))
        return EMBER_OK;
    /* the conjuncts that read only the copied part */
    Conjs use = {NULL, 0, 0};
    for (int i = 0; i < cand.n; i++)
        if (!expr_has_subquery(cand.e[i]) &&
            expr_refs_within(cand.e[i], part->out, part->n_out) &&
            !conjs_add(cx, &use, &cand.e[i], 1))
            return EMBER_OK;
    if (use.n == 0 && part->kind == LOP_GET && part->n_exprs == 0)
        return EMBER_OK;      /* the whole table: restricts nothing */
    RelMap m = {NULL, NULL, 0, 0};
    Lop *d = clone_fresh(cx, part, &m);
    Expr **conj = d ? remap_list(cx, use.e, use.n, &m) : NULL;
    Expr **keys = conj ? remap_list(cx, outer_keys, n, &m) : NULL;
    if (keys == NULL)
        return EMBER_OK;      /* a shape the copy does not handle */
    d = lop_filter(cx, d, conj, use.n);
    d = d ? lop_project(cx, d, keys, n, NULL) : NULL;
    if (d == NULL)
        return err_nomem(cx->err);
    plan_estimate(cx, d);
    double groups = groups_est(cx, *inner, inner_keys, n);
    if (d->est_rows > groups * DOMAIN_MAX_FRACTION)
        return EMBER_OK;
    Expr **conds = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)n);
    if (conds == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        Expr *args[2] = {expr_copy(cx, inner_keys[i]),
                         expr_colref(cx, d->out[i], d->types[i])};
        if (args[0] == NULL || args[1] == NULL)
            return err_nomem(cx->err);
        int rc = plan_make_call(cx, "=", args, 2, inner_keys[i]->pos,
                                &conds[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    Lop *j = lop_join(cx, JT_SEMI, *inner, d, conds, n);
    if (j == NULL)
        return err_nomem(cx->err);
    j->domain = true;
    *inner = j;
    return EMBER_OK;
}
