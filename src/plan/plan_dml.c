/*
 * plan_dml.c -- INSERT, UPDATE and DELETE as queries whose results the
 * API layer applies to the table all at once (so a failing statement
 * changes nothing), and plans over rows made by the binder.
 */
#include <strings.h>

#include "plan/plan_int.h"

/* Optimize and make the physical plan of a bound logical plan. */
static int finish(PlanCtx *cx, Lop *root, Plan **out)
{
    int rc = cx->settings->enable_unnest ? plan_unnest(cx, &root) : EMBER_OK;
    if (rc == EMBER_OK)
        rc = plan_pushdown(cx, &root);
    if (rc == EMBER_OK) {
        plan_estimate(cx, root);
        rc = plan_join_order(cx, &root);
    }
    if (rc != EMBER_OK)
        return rc;
    plan_estimate(cx, root);
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
    *out = p;
    return EMBER_OK;
}

int plan_from_lop(PlanCtx *cx, Lop *root, Plan **out)
{
    return finish(cx, root, out);
}

static Lop *scan_of(PlanCtx *cx, Table *t, Scope *sc, const char *alias)
{
    Lop *op = lop_new(cx, LOP_GET);
    if (op == NULL || lop_set_outputs(cx, op, t->n_cols) != EMBER_OK)
        return NULL;
    op->table = t;
    op->rel = plan_new_rel(cx);
    op->get_cols = arena_alloc(cx->arena, sizeof(int) * (size_t)(t->n_cols + 1));
    if (op->get_cols == NULL)
        return NULL;
    for (int i = 0; i < t->n_cols; i++) {
        op->out[i] = (ColBinding){op->rel, (uint32_t)i};
        op->types[i] = t->cols[i].type;
        op->names[i] = t->cols[i].name;
        op->get_cols[i] = i;
        if (sc && scope_add(cx, sc, alias, t->cols[i].name, op->out[i],
                            op->types[i]) != EMBER_OK)
            return NULL;
    }
    return op;
}

static Expr *default_of(PlanCtx *cx, const Column *c)
{
    Value v = c->has_default ? c->default_val : value_null();
    if (v.is_null)
        v.type = c->type;
    return expr_const(cx, v);
}

/* Assignment cast into a column (an error names the column). */
static int assign(PlanCtx *cx, Expr **e, const Column *c, int pos)
{
    if (type_equal((*e)->type, c->type))
        return EMBER_OK;
    if ((*e)->type.id != TYPE_NULL && !cast_exists((*e)->type, c->type)) {
        char a[32], b[32];
        return err_set(cx->err, EMBER_TYPE, pos,
                       "column \"%s\" is of type %s but expression is of "
                       "type %s", c->name, type_name(c->type, a, 32),
                       type_name((*e)->type, b, 32));
    }
    *e = expr_cast(cx, *e, c->type);
    return *e ? EMBER_OK : err_nomem(cx->err);
}

int plan_insert(PlanCtx *cx, const Stmt *st, Table *t, Plan **out)
{
    int map[1024];
    int n_target = st->n_columns ? st->n_columns : t->n_cols;
    if (t->n_cols > 1024)
        return err_set(cx->err, EMBER_ERROR, st->pos, "too many columns");
    for (int i = 0; i < t->n_cols; i++)
        map[i] = st->n_columns || st->default_values ? -1 : i;
    for (int i = 0; i < st->n_columns; i++) {
        int c = table_column_index(t, st->columns[i]);
        if (c < 0)
            return err_set(cx->err, EMBER_NOTFOUND, st->pos,
                           "column \"%s\" of relation \"%s\" does not exist",
                           st->columns[i], t->name);
        if (map[c] >= 0)
            return err_set(cx->err, EMBER_ERROR, st->pos,
                           "column \"%s\" specified more than once",
                           st->columns[i]);
        map[c] = i;
    }
    Lop *src = NULL;
    int n_src = 0;
    if (!st->default_values) {
        int rc = bind_select(cx, st->select, NULL, NULL, &src, NULL);
        if (rc != EMBER_OK)
            return rc;
        n_src = src->n_out;
    }
    if (n_src > n_target)
        return err_set(cx->err, EMBER_ERROR, st->pos,
                       "INSERT has more expressions than target columns");
    if (!st->default_values && n_src < n_target) {
        if (st->n_columns)
            return err_set(cx->err, EMBER_ERROR, st->pos,
                           "INSERT has more target columns than expressions");
        /* no column list: the values fill the leading columns and the
         * rest take their defaults (PostgreSQL) */
        for (int i = n_src; i < t->n_cols; i++)
            map[i] = -1;
    }
    if (src == NULL) {
        src = lop_new(cx, LOP_VALUES);
        if (src == NULL || lop_set_outputs(cx, src, 0) != EMBER_OK)
            return err_nomem(cx->err);
        src->rel = plan_new_rel(cx);
        src->n_rows = 1;
    }
    Expr **ex = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(t->n_cols + 1));
    const char **names = arena_alloc(cx->arena,
                                     sizeof(char *) * (size_t)(t->n_cols + 1));
    if (ex == NULL || names == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < t->n_cols; i++) {
        int s = map[i];
        ex[i] = s >= 0 ? expr_colref(cx, src->out[s], src->types[s])
                       : default_of(cx, &t->cols[i]);
        if (ex[i] == NULL)
            return err_nomem(cx->err);
        int rc = assign(cx, &ex[i], &t->cols[i], st->pos);
        if (rc != EMBER_OK)
            return rc;
        names[i] = t->cols[i].name;
    }
    Lop *root = lop_project(cx, src, ex, t->n_cols, names);
    return root ? finish(cx, root, out) : err_nomem(cx->err);
}

int plan_update(PlanCtx *cx, const Stmt *st, Table *t, Plan **out)
{
    Scope sc;
    scope_init(&sc, NULL, NULL);
    sc.agg_forbid = "UPDATE";
    Lop *get = scan_of(cx, t, &sc, st->alias ? st->alias : t->name);
    if (get == NULL)
        return err_nomem(cx->err);
    Expr *pred = NULL;
    if (st->where) {
        int rc = bind_predicate(cx, &sc, st->where, "WHERE", &pred);
        if (rc != EMBER_OK)
            return rc;
    }
    Expr **ex = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(t->n_cols + 2));
    const char **names = arena_alloc(cx->arena,
                                     sizeof(char *) * (size_t)(t->n_cols + 2));
    if (ex == NULL || names == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < t->n_cols; i++) {
        ex[i] = expr_colref(cx, get->out[i], get->types[i]);
        names[i] = t->cols[i].name;
    }
    /* SET a = x, a = y: the last assignment wins (as in SQLite) */
    for (int s = 0; s < st->n_sets; s++) {
        int c = table_column_index(t, st->set_cols[s]);
        if (c < 0)
            return err_set(cx->err, EMBER_NOTFOUND, st->pos,
                           "column \"%s\" of relation \"%s\" does not exist",
                           st->set_cols[s], t->name);
        Expr *v;
        int rc = bind_expr(cx, &sc, st->set_exprs[s], &v);
        if (rc == EMBER_OK)
            rc = assign(cx, &v, &t->cols[c], st->set_exprs[s]->pos);
        if (rc != EMBER_OK)
            return rc;
        if (pred) {
            Expr *cs = expr_new(cx, EXPR_CASE, t->cols[c].type, 3);
            if (cs == NULL)
                return err_nomem(cx->err);
            cs->args[0] = expr_copy(cx, pred);
            cs->args[1] = v;
            cs->args[2] = expr_colref(cx, get->out[c], get->types[c]);
            v = cs;
        }
        ex[c] = v;
    }
    Expr *flag;
    if (pred) {
        flag = expr_new(cx, EXPR_IS_TRUE, type_make(TYPE_BOOL), 1);
        if (flag == NULL)
            return err_nomem(cx->err);
        flag->args[0] = expr_copy(cx, pred);
    } else {
        flag = expr_const(cx, value_bool(true));
    }
    ex[t->n_cols] = flag;
    names[t->n_cols] = "updated";
    Lop *root = lop_project(cx, get, ex, t->n_cols + 1, names);
    return root ? finish(cx, root, out) : err_nomem(cx->err);
}

int plan_delete(PlanCtx *cx, const Stmt *st, Table *t, Plan **out)
{
    Scope sc;
    scope_init(&sc, NULL, NULL);
    sc.agg_forbid = "DELETE";
    Lop *root = scan_of(cx, t, &sc, st->alias ? st->alias : t->name);
    if (root == NULL)
        return err_nomem(cx->err);
    if (st->where) {
        Expr *pred;
        int rc = bind_predicate(cx, &sc, st->where, "WHERE", &pred);
        if (rc != EMBER_OK)
            return rc;
        /* keep the rows where the condition is not true */
        Expr *is = expr_new(cx, EXPR_IS_TRUE, type_make(TYPE_BOOL), 1);
        if (is == NULL)
            return err_nomem(cx->err);
        is->args[0] = pred;
        is->negated = true;
        root = lop_filter(cx, root, &is, 1);
    } else {
        Expr *f = expr_const(cx, value_bool(false));
        root = f ? lop_filter(cx, root, &f, 1) : NULL;
    }
    if (root == NULL)
        return err_nomem(cx->err);
    /* exactly the table's columns, whatever unnesting adds below */
    Expr **ex = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(t->n_cols + 1));
    const char **names = arena_alloc(cx->arena,
                                     sizeof(char *) * (size_t)(t->n_cols + 1));
    if (ex == NULL || names == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < t->n_cols; i++) {
        ex[i] = expr_colref(cx, root->out[i], root->types[i]);
        names[i] = t->cols[i].name;
    }
    root = lop_project(cx, root, ex, t->n_cols, names);
    return root ? finish(cx, root, out) : err_nomem(cx->err);
}

int plan_info_rows(PlanCtx *cx, const char *what, const char *arg, int pos,
                   Plan **out)
{
    Lop *root;
    int rc;
    if (strcasecmp(what, "stats") == 0)
        rc = bind_stats_rows(cx, arg, pos, &root);
    else if (strcasecmp(what, "tables") == 0)
        rc = bind_tables_rows(cx, &root);
    else if (strcasecmp(what, "settings") == 0)
        rc = bind_settings_rows(cx, &root);
    else
        return err_set(cx->err, EMBER_NOTFOUND, pos, "unknown \"%s\"", what);
    if (rc != EMBER_OK)
        return rc;
    return finish(cx, root, out);
}
