/*
 * plan.c -- the planner's entry points: bind, rewrite, estimate, and make
 * the physical plan.
 */
#include "plan/plan_int.h"

void plan_ctx_init(PlanCtx *cx, Arena *a, Catalog *cat, const Settings *s,
                   Err *err, const char *sql)
{
    memset(cx, 0, sizeof(*cx));
    cx->arena = a;
    cx->catalog = cat;
    cx->settings = s;
    cx->err = err;
    cx->sql = sql;
    cx->next_rel = 1;
}

int plan_query(PlanCtx *cx, const SelectStmt *s, Plan **out)
{
    uint64_t t0 = clock_ns();
    Lop *root;
    int rc = bind_select(cx, s, NULL, NULL, &root, NULL);
    if (rc != EMBER_OK)
        return rc;
    uint64_t t1 = clock_ns();
    if (cx->settings->enable_unnest)
        rc = plan_unnest(cx, &root);
    if (rc == EMBER_OK)
        rc = plan_pushdown(cx, &root);
    if (rc == EMBER_OK) {
        plan_estimate(cx, root);
        rc = plan_push_semijoins(cx, &root);
    }
    if (rc == EMBER_OK)
        rc = plan_join_order(cx, &root);
    if (rc != EMBER_OK)
        return rc;
    plan_estimate(cx, root);
    uint64_t t2 = clock_ns();
    Plan *p = arena_calloc(cx->arena, sizeof(*p));
    if (p == NULL)
        return err_nomem(cx->err);
    rc = plan_physical(cx, root, p);
    if (rc != EMBER_OK)
        return rc;
    p->n_cols = root->n_out;
    p->types = root->types;
    p->names = root->names;
    p->n_params = cx->n_params;
    p->param_types = cx->param_types;
    p->n_user_params = cx->n_user_params;
    p->init_plans = cx->init_plans;
    p->n_init_plans = cx->n_init_plans;
    p->subplans = cx->subplans;
    p->n_subplans = cx->n_subplans;
    p->t_bind_ns = t1 - t0;
    p->t_optimize_ns = t2 - t1;
    p->t_physical_ns = clock_ns() - t2;
    *out = p;
    return EMBER_OK;
}

int plan_const_expr(PlanCtx *cx, const AExpr *e, Value *out)
{
    Scope sc;
    scope_init(&sc, NULL, NULL);
    sc.agg_forbid = "this context";
    Expr *x;
    int rc = bind_expr(cx, &sc, e, &x);
    if (rc != EMBER_OK)
        return rc;
    if (!expr_is_const(x))
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "expression must be a constant");
    return expr_eval_now(cx, x, out);
}
