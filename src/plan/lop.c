/*
 * lop.c -- constructing logical plan nodes and keeping their output
 * column lists right.
 */
#include "plan/plan_int.h"

uint32_t plan_new_rel(PlanCtx *cx)
{
    return cx->next_rel++;
}

int plan_add_param(PlanCtx *cx, Type t)
{
    if (cx->n_params == cx->cap_params) {
        int cap = cx->cap_params ? cx->cap_params * 2 : 8;
        Type *p = arena_alloc(cx->arena, sizeof(Type) * (size_t)cap);
        if (p == NULL)
            return -1;
        if (cx->n_params)
            memcpy(p, cx->param_types, sizeof(Type) * (size_t)cx->n_params);
        cx->param_types = p;
        cx->cap_params = cap;
    }
    cx->param_types[cx->n_params] = t;
    return cx->n_params++;
}

Lop *lop_new(PlanCtx *cx, LopKind kind)
{
    Lop *op = arena_calloc(cx->arena, sizeof(*op));
    if (op) {
        op->kind = kind;
        op->limit = -1;
        op->est_rows = -1;
    }
    return op;
}

int lop_set_outputs(PlanCtx *cx, Lop *op, int n)
{
    op->n_out = n;
    op->out = arena_calloc(cx->arena, sizeof(ColBinding) * (size_t)(n + 1));
    op->types = arena_calloc(cx->arena, sizeof(Type) * (size_t)(n + 1));
    op->names = arena_calloc(cx->arena, sizeof(char *) * (size_t)(n + 1));
    return op->out && op->types && op->names ? EMBER_OK : EMBER_NOMEM;
}

static int append_outputs(PlanCtx *cx, Lop *op, const Lop *from, int at)
{
    memcpy(op->out + at, from->out, sizeof(ColBinding) * (size_t)from->n_out);
    memcpy(op->types + at, from->types, sizeof(Type) * (size_t)from->n_out);
    if (from->names)
        memcpy(op->names + at, from->names,
               sizeof(char *) * (size_t)from->n_out);
    UNUSED(cx);
    return EMBER_OK;
}

int lop_refresh(PlanCtx *cx, Lop *op)
{
    switch (op->kind) {
    case LOP_FILTER:
    case LOP_ORDER:
    case LOP_LIMIT:
        if (lop_set_outputs(cx, op, op->child[0]->n_out) != EMBER_OK)
            return EMBER_NOMEM;
        return append_outputs(cx, op, op->child[0], 0);
    case LOP_JOIN: {
        const Lop *l = op->child[0], *r = op->child[1];
        int n = l->n_out;
        if (op->join == JT_MARK)
            n += 1;
        else if (op->join != JT_SEMI && op->join != JT_ANTI &&
                 op->join != JT_ANTI_NULL)
            n += r->n_out;
        if (lop_set_outputs(cx, op, n) != EMBER_OK)
            return EMBER_NOMEM;
        append_outputs(cx, op, l, 0);
        if (op->join == JT_MARK) {
            op->out[l->n_out] = (ColBinding){op->mark_rel, 0};
            op->types[l->n_out] = type_make(TYPE_BOOL);
            op->names[l->n_out] = "mark";
        } else if (n > l->n_out) {
            append_outputs(cx, op, r, l->n_out);
        }
        return EMBER_OK;
    }
    default:
        return EMBER_OK;
    }
}

Lop *lop_filter(PlanCtx *cx, Lop *child, Expr **conj, int n)
{
    if (n == 0)
        return child;
    Lop *op = lop_new(cx, LOP_FILTER);
    if (op == NULL)
        return NULL;
    op->child[0] = child;
    op->exprs = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)n);
    if (op->exprs == NULL)
        return NULL;
    memcpy(op->exprs, conj, sizeof(Expr *) * (size_t)n);
    op->n_exprs = n;
    return lop_refresh(cx, op) == EMBER_OK ? op : NULL;
}

Lop *lop_join(PlanCtx *cx, JoinType jt, Lop *l, Lop *r, Expr **conj, int n)
{
    Lop *op = lop_new(cx, LOP_JOIN);
    if (op == NULL)
        return NULL;
    op->join = jt;
    op->child[0] = l;
    op->child[1] = r;
    if (jt == JT_MARK)
        op->mark_rel = plan_new_rel(cx);
    if (n) {
        op->exprs = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)n);
        if (op->exprs == NULL)
            return NULL;
        memcpy(op->exprs, conj, sizeof(Expr *) * (size_t)n);
    }
    op->n_exprs = n;
    return lop_refresh(cx, op) == EMBER_OK ? op : NULL;
}

Lop *lop_project(PlanCtx *cx, Lop *child, Expr **exprs, int n,
                 const char **names)
{
    Lop *op = lop_new(cx, LOP_PROJECT);
    if (op == NULL)
        return NULL;
    op->child[0] = child;
    op->rel = plan_new_rel(cx);
    op->exprs = exprs;
    op->n_exprs = n;
    if (lop_set_outputs(cx, op, n) != EMBER_OK)
        return NULL;
    for (int i = 0; i < n; i++) {
        op->out[i] = (ColBinding){op->rel, (uint32_t)i};
        op->types[i] = exprs[i]->type;
        op->names[i] = names ? names[i] : NULL;
    }
    return op;
}

int lop_find(const Lop *op, ColBinding b)
{
    for (int i = 0; i < op->n_out; i++)
        if (binding_eq(op->out[i], b))
            return i;
    return -1;
}
