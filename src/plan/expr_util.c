/*
 * expr_util.c -- constructing, comparing, walking and folding bound
 * expressions.
 */
#include "exec/exec.h"
#include "plan/plan_int.h"

Expr *expr_new(PlanCtx *cx, ExprKind kind, Type t, int n_args)
{
    Expr *e = arena_calloc(cx->arena, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->kind = (uint8_t)kind;
    e->type = t;
    e->pos = -1;
    e->n_args = n_args;
    if (n_args) {
        e->args = arena_calloc(cx->arena, sizeof(Expr *) * (size_t)n_args);
        if (e->args == NULL)
            return NULL;
    }
    return e;
}

Expr *expr_const(PlanCtx *cx, Value v)
{
    Expr *e = expr_new(cx, EXPR_CONST, v.type, 0);
    if (e)
        e->val = v;
    return e;
}

Expr *expr_colref(PlanCtx *cx, ColBinding b, Type t)
{
    Expr *e = expr_new(cx, EXPR_COLREF, t, 0);
    if (e) {
        e->col = b;
        e->slot = -1;
    }
    return e;
}

Expr *expr_cast(PlanCtx *cx, Expr *e, Type to)
{
    if (e == NULL || type_equal(e->type, to))
        return e;
    /* an expression of the NULL type is always NULL: a typed constant */
    if ((e->kind == EXPR_CONST && e->val.is_null) || e->type.id == TYPE_NULL) {
        Value v = value_null();
        v.type = to;
        Expr *c = expr_const(cx, v);
        if (c)
            c->pos = e->pos;
        return c;
    }
    Expr *c = expr_new(cx, EXPR_CAST, to, 1);
    if (c) {
        c->args[0] = e;
        c->pos = e->pos;
    }
    return c;
}

Expr *expr_bool_op(PlanCtx *cx, ExprKind kind, Expr *a, Expr *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    Expr *e = expr_new(cx, kind, type_make(TYPE_BOOL), 2);
    if (e) {
        e->args[0] = a;
        e->args[1] = b;
    }
    return e;
}

Expr *expr_copy(PlanCtx *cx, const Expr *e)
{
    if (e == NULL)
        return NULL;
    Expr *c = arena_alloc(cx->arena, sizeof(*c));
    if (c == NULL)
        return NULL;
    *c = *e;
    if (e->n_args) {
        c->args = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)e->n_args);
        if (c->args == NULL)
            return NULL;
        for (int i = 0; i < e->n_args; i++) {
            c->args[i] = expr_copy(cx, e->args[i]);
            if (c->args[i] == NULL && e->args[i] != NULL)
                return NULL;
        }
    }
    return c;
}

static bool value_equal(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null && type_equal(a->type, b->type);
    if (!type_equal(a->type, b->type))
        return false;
    switch (type_phys(a->type)) {
    case PHYS_F64:
        return a->v.d == b->v.d;
    case PHYS_STR:
        return str_eq(&a->v.s, &b->v.s);
    default:
        return a->v.i == b->v.i;
    }
}

bool expr_equal(const Expr *a, const Expr *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL)
        return false;
    if (a->kind != b->kind || a->fn != b->fn || a->negated != b->negated ||
        !type_equal(a->type, b->type) || a->n_args != b->n_args)
        return false;
    switch ((ExprKind)a->kind) {
    case EXPR_CONST:
        return value_equal(&a->val, &b->val);
    case EXPR_COLREF:
        return binding_eq(a->col, b->col);
    case EXPR_PARAM:
        return a->slot == b->slot;
    case EXPR_SUBQUERY:
        return false;
    default:
        break;
    }
    if (a->has_iconst != b->has_iconst ||
        (a->has_iconst && a->iconst != b->iconst))
        return false;
    for (int i = 0; i < a->n_args; i++)
        if (!expr_equal(a->args[i], b->args[i]))
            return false;
    return true;
}

bool expr_refs_rel(const Expr *e, uint32_t rel)
{
    if (e == NULL)
        return false;
    if (e->kind == EXPR_COLREF)
        return e->col.rel == rel;
    for (int i = 0; i < e->n_args; i++)
        if (expr_refs_rel(e->args[i], rel))
            return true;
    if (e->kind == EXPR_SUBQUERY && e->bsub) {
        const BoundSub *bs = e->bsub;
        for (int i = 0; i < bs->n_corr; i++) {
            if (bs->corr_args && bs->corr_args[i]) {
                if (expr_refs_rel(bs->corr_args[i], rel))
                    return true;
            } else if (bs->corr[i].rel == rel) {
                return true;
            }
        }
        if (bs->lhs && expr_refs_rel(bs->lhs, rel))
            return true;
    }
    return false;
}

static int add_ref(PlanCtx *cx, ColBinding b, ColBinding **out, int *n,
                   int *cap)
{
    for (int i = 0; i < *n; i++)
        if (binding_eq((*out)[i], b))
            return EMBER_OK;
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        ColBinding *p = arena_alloc(cx->arena, sizeof(ColBinding) * (size_t)nc);
        if (p == NULL)
            return EMBER_NOMEM;
        if (*n)
            memcpy(p, *out, sizeof(ColBinding) * (size_t)*n);
        *out = p;
        *cap = nc;
    }
    (*out)[(*n)++] = b;
    return EMBER_OK;
}

int expr_collect_refs(PlanCtx *cx, const Expr *e, ColBinding **out, int *n,
                      int *cap)
{
    if (e == NULL)
        return EMBER_OK;
    if (e->kind == EXPR_COLREF)
        return add_ref(cx, e->col, out, n, cap);
    for (int i = 0; i < e->n_args; i++) {
        int rc = expr_collect_refs(cx, e->args[i], out, n, cap);
        if (rc != EMBER_OK)
            return rc;
    }
    if (e->kind == EXPR_SUBQUERY && e->bsub) {
        const BoundSub *bs = e->bsub;
        for (int i = 0; i < bs->n_corr; i++) {
            int rc = bs->corr_args && bs->corr_args[i]
                         ? expr_collect_refs(cx, bs->corr_args[i], out, n,
                                             cap)
                         : add_ref(cx, bs->corr[i], out, n, cap);
            if (rc != EMBER_OK)
                return rc;
        }
        if (e->bsub->lhs)
            return expr_collect_refs(cx, e->bsub->lhs, out, n, cap);
    }
    if (e->kind == EXPR_SUBQUERY && e->subq) {
        for (int i = 0; i < e->subq->n_corr; i++) {
            int rc = expr_collect_refs(cx, e->subq->corr_args[i], out, n,
                                       cap);
            if (rc != EMBER_OK)
                return rc;
        }
        if (e->subq->lhs)
            return expr_collect_refs(cx, e->subq->lhs, out, n, cap);
    }
    return EMBER_OK;
}

static bool in_set(ColBinding b, const ColBinding *set, int n)
{
    for (int i = 0; i < n; i++)
        if (binding_eq(set[i], b))
            return true;
    return false;
}

bool expr_refs_within(const Expr *e, const ColBinding *set, int n)
{
    if (e == NULL)
        return true;
    if (e->kind == EXPR_COLREF)
        return in_set(e->col, set, n);
    for (int i = 0; i < e->n_args; i++)
        if (!expr_refs_within(e->args[i], set, n))
            return false;
    if (e->kind == EXPR_SUBQUERY && e->bsub) {
        const BoundSub *bs = e->bsub;
        for (int i = 0; i < bs->n_corr; i++) {
            if (bs->corr_args && bs->corr_args[i]) {
                if (!expr_refs_within(bs->corr_args[i], set, n))
                    return false;
            } else if (!in_set(bs->corr[i], set, n)) {
                return false;
            }
        }
        if (e->bsub->lhs && !expr_refs_within(e->bsub->lhs, set, n))
            return false;
    }
    return true;
}

bool expr_has_subquery(const Expr *e)
{
    if (e == NULL)
        return false;
    if (e->kind == EXPR_SUBQUERY)
        return true;
    for (int i = 0; i < e->n_args; i++)
        if (expr_has_subquery(e->args[i]))
            return true;
    return false;
}

bool expr_is_const(const Expr *e)
{
    if (e == NULL)
        return true;
    if (e->kind == EXPR_COLREF || e->kind == EXPR_PARAM ||
        e->kind == EXPR_SUBQUERY)
        return false;
    for (int i = 0; i < e->n_args; i++)
        if (!expr_is_const(e->args[i]))
            return false;
    return true;
}

int expr_conjuncts(PlanCtx *cx, Expr *e, Expr ***out, int *n, int *cap)
{
    if (e == NULL)
        return EMBER_OK;
    if (e->kind == EXPR_AND) {
        for (int i = 0; i < e->n_args; i++) {
            int rc = expr_conjuncts(cx, e->args[i], out, n, cap);
            if (rc != EMBER_OK)
                return rc;
        }
        return EMBER_OK;
    }
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        Expr **p = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)nc);
        if (p == NULL)
            return EMBER_NOMEM;
        if (*n)
            memcpy(p, *out, sizeof(Expr *) * (size_t)*n);
        *out = p;
        *cap = nc;
    }
    (*out)[(*n)++] = e;
    return EMBER_OK;
}

Expr *expr_and_all(PlanCtx *cx, Expr **list, int n)
{
    if (n == 0)
        return NULL;
    if (n == 1)
        return list[0];
    Expr *e = expr_new(cx, EXPR_AND, type_make(TYPE_BOOL), n);
    if (e)
        memcpy(e->args, list, sizeof(Expr *) * (size_t)n);
    return e;
}

Expr *bsub_corr_arg(PlanCtx *cx, const BoundSub *bs, int i)
{
    if (bs->corr_args && bs->corr_args[i])
        return bs->corr_args[i];
    return expr_colref(cx, bs->corr[i], bs->corr_types[i]);
}

/* A subquery's outer references are its corr_args and lhs, read on the
 * outer row; its plan reads them through parameters named by corr[], so
 * replacing b in the outer row's terms rewrites corr_args and lhs only
 * (in a copy of the BoundSub: expression copies share it) and leaves the
 * plan alone. Dropping this step made a filter pushed below a derived
 * table's projection run the subquery with its parameter never set (no
 * outer column gave it: wrong results) or fail to resolve the IN's left
 * side. */
static Expr *replace_ref_subquery(PlanCtx *cx, Expr *e, ColBinding b,
                                  const Expr *to)
{
    const BoundSub *bs = e->bsub;
    bool hit = bs->lhs && expr_refs_rel(bs->lhs, b.rel);
    for (int i = 0; i < bs->n_corr && !hit; i++)
        hit = bs->corr_args && bs->corr_args[i]
                  ? expr_refs_rel(bs->corr_args[i], b.rel)
                  : binding_eq(bs->corr[i], b);
    if (!hit)
        return e;
    BoundSub *nb = arena_alloc(cx->arena, sizeof(*nb));
    if (nb == NULL)
        return NULL;
    *nb = *bs;
    nb->corr_args = arena_alloc(cx->arena, sizeof(Expr *) *
                                               (size_t)(bs->n_corr + 1));
    if (nb->corr_args == NULL)
        return NULL;
    for (int i = 0; i < bs->n_corr; i++) {
        Expr *a = expr_copy(cx, bsub_corr_arg(cx, bs, i));
        if (a == NULL || (a = expr_replace_ref(cx, a, b, to)) == NULL)
            return NULL;
        nb->corr_args[i] = a;
    }
    if (bs->lhs) {
        nb->lhs = expr_copy(cx, bs->lhs);
        if (nb->lhs == NULL ||
            (nb->lhs = expr_replace_ref(cx, nb->lhs, b, to)) == NULL)
            return NULL;
    }
    e->bsub = nb;
    return e;
}

Expr *expr_replace_ref(PlanCtx *cx, Expr *e, ColBinding b, const Expr *to)
{
    if (e == NULL)
        return NULL;
    if (e->kind == EXPR_COLREF && binding_eq(e->col, b))
        return expr_copy(cx, to);
    for (int i = 0; i < e->n_args; i++) {
        if (e->args[i] == NULL)
            continue;
        e->args[i] = expr_replace_ref(cx, e->args[i], b, to);
        if (e->args[i] == NULL)
            return NULL;
    }
    if (e->kind == EXPR_SUBQUERY && e->bsub)
        return replace_ref_subquery(cx, e, b, to);
    return e;
}

/* ------------------------------------------------------------------------
 * Constant folding
 * ------------------------------------------------------------------------ */

int expr_eval_now(PlanCtx *cx, const Expr *e, Value *out)
{
    ArenaMark m = arena_mark(cx->arena);
    Value v;
    int rc = exec_eval_const(e, cx->settings, cx->arena, cx->err, &v);
    if (rc != EMBER_OK) {
        arena_release(cx->arena, m);
        return rc;
    }
    /* keep only the value: copy a long string below the mark */
    char buf[256];
    bool long_str = v.type.id == TYPE_VARCHAR && !v.is_null &&
                    v.v.s.len > STR_INLINE;
    if (long_str && v.v.s.len <= sizeof(buf)) {
        memcpy(buf, v.v.s.u.ptr, v.v.s.len);
        arena_release(cx->arena, m);
        v.v.s = str_copy(cx->arena, buf, v.v.s.len);
    } else if (!long_str) {
        arena_release(cx->arena, m);
    }
    *out = v;
    return EMBER_OK;
}

static bool foldable(const Expr *e)
{
    if (e->kind == EXPR_CONST || !expr_is_const(e))
        return false;
    return true;
}

Expr *expr_fold(PlanCtx *cx, Expr *e)
{
    if (e == NULL)
        return NULL;
    for (int i = 0; i < e->n_args; i++)
        e->args[i] = expr_fold(cx, e->args[i]);
    if (!foldable(e))
        return e;
    Err saved = *cx->err;
    Value v;
    if (expr_eval_now(cx, e, &v) != EMBER_OK) {
        /* leave it for runtime: the row may never be evaluated */
        *cx->err = saved;
        return e;
    }
    Expr *c = expr_const(cx, v);
    if (c == NULL)
        return e;
    c->type = e->type;
    c->val.type = e->type;
    c->pos = e->pos;
    return c;
}
