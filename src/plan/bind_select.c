/*
 * bind_select.c -- binding query blocks, set operations and VALUES.
 *
 * A block becomes, bottom up: FROM (joins) -> WHERE filter -> aggregate
 * (GROUP BY + aggregates) -> HAVING filter -> projection of the select
 * list plus hidden ORDER BY columns -> DISTINCT -> ORDER -> LIMIT ->
 * projection dropping the hidden columns.
 *
 * In an aggregate query every select-list, HAVING and ORDER BY expression
 * is rewritten over the aggregate's output: a subtree equal to a GROUP BY
 * expression becomes that group column, aggregate calls are already
 * references to aggregate outputs, and any other column of the FROM
 * clause is an error, as in PostgreSQL.
 */
#include <stdio.h>
#include <strings.h>

#include "plan/plan_int.h"

typedef struct Block {
    PlanCtx *cx;
    const SelectStmt *s;
    Scope sc;
    Lop *plan;
    AggCtx *agg;
    /* select list */
    Expr **exprs;
    const char **names;
    int n_vis;                /* visible columns */
    int n_all;                /* visible + hidden (ORDER BY) */
    int cap;
} Block;

/* ------------------------------------------------------------------------
 * Aggregate detection and rewriting
 * ------------------------------------------------------------------------ */

static bool ast_has_agg(const AExpr *e)
{
    if (e == NULL)
        return false;
    if (e->kind == AE_FUNC && sql_is_aggregate(e->sval))
        return true;
    if (e->kind == AE_EXISTS || e->kind == AE_SUBQUERY ||
        e->kind == AE_IN_SUBQUERY)
        return e->kind == AE_IN_SUBQUERY && ast_has_agg(e->args[0]);
    for (int i = 0; i < e->n_args; i++)
        if (ast_has_agg(e->args[i]))
            return true;
    return ast_has_agg(e->operand) || ast_has_agg(e->else_expr);
}

static bool block_is_agg(const SelectStmt *s)
{
    if (s->n_group_by || s->having)
        return true;
    for (int i = 0; i < s->n_targets; i++)
        if (ast_has_agg(s->targets[i].expr))
            return true;
    for (int i = 0; i < s->n_order_by; i++)
        if (ast_has_agg(s->order_by[i].expr))
            return true;
    return false;
}

static int agg_rewrite(Block *b, Expr **pe);

static int agg_rewrite_lhs(Block *b, Expr **pe)
{
    return agg_rewrite(b, pe);
}

static const char *col_name_of(const Block *b, ColBinding cb)
{
    for (int i = 0; i < b->sc.n_cols; i++)
        if (binding_eq(b->sc.cols[i].bind, cb))
            return b->sc.cols[i].name;
    return "?";
}

static bool owned_by_block(const Block *b, ColBinding cb)
{
    for (int i = 0; i < b->sc.n_cols; i++)
        if (binding_eq(b->sc.cols[i].bind, cb))
            return true;
    return false;
}

/* Replace column reference `from` by `to` everywhere in a subquery's
 * plan (its expressions, aggregates, sort keys and nested subqueries). */
static void lop_rebind(PlanCtx *cx, Lop *op, ColBinding from, ColBinding to);

static void expr_rebind(PlanCtx *cx, Expr *e, ColBinding from, ColBinding to)
{
    if (e == NULL)
        return;
    if (e->kind == EXPR_COLREF && binding_eq(e->col, from))
        e->col = to;
    for (int i = 0; i < e->n_args; i++)
        expr_rebind(cx, e->args[i], from, to);
    if (e->kind == EXPR_SUBQUERY && e->bsub) {
        for (int i = 0; i < e->bsub->n_corr; i++) {
            if (binding_eq(e->bsub->corr[i], from))
                e->bsub->corr[i] = to;
            if (e->bsub->corr_args)
                expr_rebind(cx, e->bsub->corr_args[i], from, to);
        }
        expr_rebind(cx, e->bsub->lhs, from, to);
        lop_rebind(cx, e->bsub->plan, from, to);
    }
}

static void lop_rebind(PlanCtx *cx, Lop *op, ColBinding from, ColBinding to)
{
    if (op == NULL)
        return;
    for (int i = 0; i < op->n_exprs; i++)
        expr_rebind(cx, op->exprs[i], from, to);
    for (int i = 0; i < op->n_groups; i++)
        expr_rebind(cx, op->groups[i], from, to);
    for (int i = 0; i < op->n_aggs; i++) {
        expr_rebind(cx, op->aggs[i].arg, from, to);
        expr_rebind(cx, op->aggs[i].filter, from, to);
    }
    for (int i = 0; i < op->n_keys; i++)
        expr_rebind(cx, op->keys[i].expr, from, to);
    lop_rebind(cx, op->child[0], from, to);
    lop_rebind(cx, op->child[1], from, to);
}

/* A subquery in an aggregate query reads the group columns, not the rows
 * below the aggregate: its references to a grouped column move to the
 * group output; any other column of the FROM clause is an error. */
static int agg_rewrite_subquery(Block *b, Expr *e)
{
    AggCtx *ac = b->agg;
    BoundSub *bs = e->bsub;
    for (int i = 0; i < bs->n_corr; i++) {
        ColBinding c = bs->corr[i];
        if (!owned_by_block(b, c))
            continue;
        int g = -1;
        for (int k = 0; k < ac->n_groups && g < 0; k++)
            if (ac->groups[k]->kind == EXPR_COLREF &&
                binding_eq(ac->groups[k]->col, c))
                g = k;
        if (g < 0)
            return err_set(b->cx->err, EMBER_ERROR, e->pos,
                           "subquery uses ungrouped column \"%s\" from "
                           "outer query", col_name_of(b, c));
        ColBinding to = {ac->group_rel, (uint32_t)g};
        lop_rebind(b->cx, bs->plan, c, to);
        expr_rebind(b->cx, bs->lhs, c, to);
        bs->corr[i] = to;
    }
    return bs->lhs ? agg_rewrite_lhs(b, &bs->lhs) : EMBER_OK;
}

/* Rewrite e over the aggregate's output (see the file comment). */
static int agg_rewrite(Block *b, Expr **pe)
{
    Expr *e = *pe;
    AggCtx *ac = b->agg;
    for (int i = 0; i < ac->n_groups; i++) {
        if (expr_equal(e, ac->groups[i])) {
            *pe = expr_colref(b->cx, (ColBinding){ac->group_rel, (uint32_t)i},
                              e->type);
            return *pe ? EMBER_OK : err_nomem(b->cx->err);
        }
    }
    if (e->kind == EXPR_COLREF) {
        if (e->col.rel == ac->agg_rel || e->col.rel == ac->group_rel ||
            !owned_by_block(b, e->col))
            return EMBER_OK;
        return err_set(b->cx->err, EMBER_ERROR, e->pos,
                       "column \"%s\" must appear in the GROUP BY clause or "
                       "be used in an aggregate function",
                       col_name_of(b, e->col));
    }
    if (e->kind == EXPR_SUBQUERY)
        return agg_rewrite_subquery(b, e);
    for (int i = 0; i < e->n_args; i++) {
        int rc = agg_rewrite(b, &e->args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * FROM and WHERE
 * ------------------------------------------------------------------------ */

/* Names a FROM item exposes (aliases, or table names). */
static int exposed_names(const TableRef *tr, const char **out, int n, int cap)
{
    if (tr->kind == TR_JOIN) {
        n = exposed_names(tr->left, out, n, cap);
        return exposed_names(tr->right, out, n, cap);
    }
    const char *name = tr->alias ? tr->alias
                       : tr->kind == TR_SUBQUERY ? NULL
                                                 : tr->name;
    if (name && n < cap)
        out[n++] = name;
    return n;
}

static int check_unique_names(PlanCtx *cx, const SelectStmt *s)
{
    const char *names[128];
    int n = 0;
    for (int i = 0; i < s->n_from; i++)
        n = exposed_names(s->from[i], names, n, 128);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcasecmp(names[i], names[j]) == 0)
                return err_set(cx->err, EMBER_ERROR, s->pos,
                               "table name \"%s\" specified more than once",
                               names[i]);
    return EMBER_OK;
}

static int bind_from(Block *b)
{
    if (check_unique_names(b->cx, b->s) != EMBER_OK)
        return b->cx->err->code;
    PlanCtx *cx = b->cx;
    const SelectStmt *s = b->s;
    Scope items;
    scope_init(&items, NULL, NULL);
    Lop *from = NULL;
    for (int i = 0; i < s->n_from; i++) {
        Lop *item;
        int rc = bind_table_ref(cx, s->from[i], &b->sc, &items, &item);
        if (rc != EMBER_OK)
            return rc;
        from = from ? lop_join(cx, JT_INNER, from, item, NULL, 0) : item;
        if (from == NULL)
            return err_nomem(cx->err);
    }
    if (from == NULL) {
        /* no FROM: one row without columns */
        from = lop_new(cx, LOP_VALUES);
        if (from == NULL || lop_set_outputs(cx, from, 0) != EMBER_OK)
            return err_nomem(cx->err);
        from->rel = plan_new_rel(cx);
        from->n_rows = 1;
    }
    for (int i = 0; i < items.n_cols; i++) {
        const BindCol *c = &items.cols[i];
        int rc = scope_add(cx, &b->sc, c->table, c->name, c->bind, c->type);
        if (rc != EMBER_OK)
            return rc;
        b->sc.cols[b->sc.n_cols - 1].using_hidden = c->using_hidden;
    }
    b->plan = from;
    return EMBER_OK;
}

static int bind_where(Block *b)
{
    if (b->s->where == NULL)
        return EMBER_OK;
    PlanCtx *cx = b->cx;
    b->sc.agg_forbid = "WHERE";
    Expr *pred;
    int rc = bind_predicate(cx, &b->sc, b->s->where, "WHERE", &pred);
    b->sc.agg_forbid = NULL;
    if (rc != EMBER_OK)
        return rc;
    Expr **conj = NULL;
    int n = 0, cap = 0;
    rc = expr_conjuncts(cx, pred, &conj, &n, &cap);
    if (rc != EMBER_OK)
        return rc;
    b->plan = lop_filter(cx, b->plan, conj, n);
    return b->plan ? EMBER_OK : err_nomem(cx->err);
}

/* ------------------------------------------------------------------------
 * Select list
 * ------------------------------------------------------------------------ */

static int add_target(Block *b, Expr *e, const char *name)
{
    if (b->n_all == b->cap) {
        int cap = b->cap ? b->cap * 2 : 16;
        Expr **ex = arena_alloc(b->cx->arena, sizeof(Expr *) * (size_t)cap);
        const char **nm = arena_alloc(b->cx->arena,
                                      sizeof(char *) * (size_t)cap);
        if (ex == NULL || nm == NULL)
            return err_nomem(b->cx->err);
        if (b->n_all) {
            memcpy(ex, b->exprs, sizeof(Expr *) * (size_t)b->n_all);
            memcpy(nm, b->names, sizeof(char *) * (size_t)b->n_all);
        }
        b->exprs = ex;
        b->names = nm;
        b->cap = cap;
    }
    b->exprs[b->n_all] = e;
    b->names[b->n_all] = name;
    b->n_all++;
    return EMBER_OK;
}

static int expand_star(Block *b, const AExpr *st)
{
    const char *table = st->n_names ? st->names[st->n_names - 1] : NULL;
    int added = 0;
    for (int i = 0; i < b->sc.n_cols; i++) {
        const BindCol *c = &b->sc.cols[i];
        if (table) {
            if (c->table == NULL || strcasecmp(c->table, table) != 0)
                continue;
        } else if (c->using_hidden) {
            continue;
        }
        Expr *e = expr_colref(b->cx, c->bind, c->type);
        if (e == NULL)
            return err_nomem(b->cx->err);
        e->pos = st->pos;
        int rc = b->agg ? agg_rewrite(b, &e) : EMBER_OK;
        if (rc == EMBER_OK)
            rc = add_target(b, e, c->name);
        if (rc != EMBER_OK)
            return rc;
        added++;
    }
    if (table && added == 0)
        return err_set(b->cx->err, EMBER_NOTFOUND, st->pos,
                       "missing FROM-clause entry for table \"%s\"", table);
    if (added == 0)
        return err_set(b->cx->err, EMBER_ERROR, st->pos,
                       "SELECT * with no tables specified is not valid");
    return EMBER_OK;
}

static int bind_targets(Block *b)
{
    const SelectStmt *s = b->s;
    for (int i = 0; i < s->n_targets; i++) {
        const ResTarget *t = &s->targets[i];
        if (t->expr->kind == AE_STAR) {
            int rc = expand_star(b, t->expr);
            if (rc != EMBER_OK)
                return rc;
            continue;
        }
        Expr *e;
        int rc = bind_expr(b->cx, &b->sc, t->expr, &e);
        if (rc == EMBER_OK && b->agg)
            rc = agg_rewrite(b, &e);
        if (rc != EMBER_OK)
            return rc;
        const char *name = t->alias ? t->alias
                                    : expr_text_name(b->cx, t->expr);
        rc = add_target(b, e, name);
        if (rc != EMBER_OK)
            return rc;
    }
    b->n_vis = b->n_all;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * GROUP BY, aggregates, HAVING
 * ------------------------------------------------------------------------ */

/* The select-list expression an ORDER BY / GROUP BY item names by
 * position or output alias, or NULL. */
static const AExpr *target_ref(const Block *b, const AExpr *e, int *err_pos,
                               bool by_alias)
{
    const SelectStmt *s = b->s;
    *err_pos = -1;
    if (e->kind == AE_INT) {
        if (e->ival < 1 || e->ival > s->n_targets ||
            s->targets[e->ival - 1].expr->kind == AE_STAR) {
            *err_pos = e->pos;
            return NULL;
        }
        return s->targets[e->ival - 1].expr;
    }
    if (by_alias && e->kind == AE_COLUMN && e->n_names == 1) {
        for (int i = 0; i < s->n_targets; i++)
            if (s->targets[i].alias &&
                strcasecmp(s->targets[i].alias, e->names[0]) == 0)
                return s->targets[i].expr;
    }
    return NULL;
}

static int bind_group_item(Block *b, const AExpr *g, Expr **out)
{
    int bad;
    const AExpr *t = target_ref(b, g, &bad, false);
    if (bad >= 0)
        return err_set(b->cx->err, EMBER_ERROR, bad,
                       "GROUP BY position %lld is not in select list",
                       (long long)g->ival);
    if (t == NULL && g->kind == AE_COLUMN && g->n_names == 1) {
        /* an input column wins over an output alias (PostgreSQL) */
        bool input = false;
        for (int i = 0; i < b->sc.n_cols && !input; i++)
            input = strcasecmp(b->sc.cols[i].name, g->names[0]) == 0;
        if (!input)
            t = target_ref(b, g, &bad, true);
    }
    return bind_expr(b->cx, &b->sc, t ? t : g, out);
}

static int bind_groups(Block *b)
{
    PlanCtx *cx = b->cx;
    const SelectStmt *s = b->s;
    AggCtx *ac = arena_calloc(cx->arena, sizeof(*ac));
    if (ac == NULL)
        return err_nomem(cx->err);
    ac->group_rel = plan_new_rel(cx);
    ac->agg_rel = plan_new_rel(cx);
    ac->groups = arena_alloc(cx->arena,
                             sizeof(Expr *) * (size_t)(s->n_group_by + 1));
    if (ac->groups == NULL)
        return err_nomem(cx->err);
    b->sc.agg_forbid = "GROUP BY";
    for (int i = 0; i < s->n_group_by; i++) {
        Expr *g;
        int rc = bind_group_item(b, s->group_by[i], &g);
        if (rc != EMBER_OK)
            return rc;
        bool dup = false;
        for (int j = 0; j < ac->n_groups; j++)
            dup = dup || expr_equal(ac->groups[j], g);
        if (!dup)
            ac->groups[ac->n_groups++] = g;
    }
    b->sc.agg_forbid = NULL;
    ac->from_scope = &b->sc;
    b->agg = ac;
    b->sc.agg = ac;
    return EMBER_OK;
}

static int make_agg_node(Block *b)
{
    PlanCtx *cx = b->cx;
    AggCtx *ac = b->agg;
    Lop *op = lop_new(cx, LOP_AGG);
    if (op == NULL)
        return err_nomem(cx->err);
    op->child[0] = b->plan;
    op->groups = ac->groups;
    op->n_groups = ac->n_groups;
    op->aggs = ac->aggs;
    op->n_aggs = ac->n_aggs;
    op->group_rel = ac->group_rel;
    op->agg_rel = ac->agg_rel;
    if (lop_set_outputs(cx, op, ac->n_groups + ac->n_aggs) != EMBER_OK)
        return err_nomem(cx->err);
    for (int i = 0; i < ac->n_groups; i++) {
        op->out[i] = (ColBinding){ac->group_rel, (uint32_t)i};
        op->types[i] = ac->groups[i]->type;
    }
    for (int i = 0; i < ac->n_aggs; i++) {
        op->out[ac->n_groups + i] = (ColBinding){ac->agg_rel, (uint32_t)i};
        op->types[ac->n_groups + i] = ac->aggs[i].type;
        op->names[ac->n_groups + i] = ac->aggs[i].name;
    }
    b->plan = op;
    return EMBER_OK;
}

static int bind_having(Block *b, Expr **out)
{
    *out = NULL;
    if (b->s->having == NULL)
        return EMBER_OK;
    int rc = bind_predicate(b->cx, &b->sc, b->s->having, "HAVING", out);
    if (rc == EMBER_OK)
        rc = agg_rewrite(b, out);
    return rc;
}

/* ------------------------------------------------------------------------
 * ORDER BY
 * ------------------------------------------------------------------------ */

static int order_item(Block *b, const OrderItem *oi, SortKey *key)
{
    PlanCtx *cx = b->cx;
    const AExpr *oe = oi->expr;
    int idx = -1;
    if (oe->kind == AE_INT) {
        if (oe->ival < 1 || oe->ival > b->n_vis)
            return err_set(cx->err, EMBER_ERROR, oe->pos,
                           "ORDER BY position %lld is not in select list",
                           (long long)oe->ival);
        idx = (int)oe->ival - 1;
    } else if (oe->kind == AE_COLUMN && oe->n_names == 1) {
        /* an output column name wins over an input column */
        for (int i = 0; i < b->n_vis; i++) {
            if (b->names[i] == NULL ||
                strcasecmp(b->names[i], oe->names[0]) != 0)
                continue;
            if (idx >= 0 && !expr_equal(b->exprs[idx], b->exprs[i]))
                return err_set(cx->err, EMBER_ERROR, oe->pos,
                               "ORDER BY \"%s\" is ambiguous",
                               oe->names[0]);
            if (idx < 0)
                idx = i;
        }
    }
    if (idx < 0) {
        Expr *e;
        int rc = bind_expr(cx, &b->sc, oi->expr, &e);
        if (rc == EMBER_OK && b->agg)
            rc = agg_rewrite(b, &e);
        if (rc != EMBER_OK)
            return rc;
        for (int i = 0; i < b->n_all && idx < 0; i++)
            if (expr_equal(b->exprs[i], e))
                idx = i;
        if (idx < 0) {
            if (b->s->distinct)
                return err_set(cx->err, EMBER_ERROR, oi->expr->pos,
                               "for SELECT DISTINCT, ORDER BY expressions "
                               "must appear in select list");
            idx = b->n_all;
            rc = add_target(b, e, NULL);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    key->expr = (Expr *)(intptr_t)(idx + 1);   /* resolved after PROJECT */
    key->desc = oi->desc;
    key->nulls_first = oi->nulls == 0 ? oi->desc : oi->nulls == 1;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * LIMIT / OFFSET
 * ------------------------------------------------------------------------ */

static int bind_count(PlanCtx *cx, const AExpr *e, const char *what,
                      int64_t *out)
{
    Value v;
    int rc = plan_const_expr(cx, e, &v);
    if (rc != EMBER_OK)
        return rc;
    if (v.is_null) {
        *out = -1;
        return EMBER_OK;
    }
    if (!type_is_integer(v.type) && v.type.id != TYPE_DECIMAL)
        return err_set(cx->err, EMBER_TYPE, e->pos,
                       "argument of %s must be an integer", what);
    int64_t n = v.v.i;
    if (v.type.id == TYPE_DECIMAL)
        n /= pow10_i64[v.type.scale];
    if (n < 0)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "%s must not be negative", what);
    *out = n;
    return EMBER_OK;
}

static int add_order_limit(PlanCtx *cx, Lop **plan, SortKey *keys, int n_keys,
                           const SelectStmt *s)
{
    int64_t limit = -1, offset = 0;
    int rc = EMBER_OK;
    if (s->limit)
        rc = bind_count(cx, s->limit, "LIMIT", &limit);
    if (rc == EMBER_OK && s->offset)
        rc = bind_count(cx, s->offset, "OFFSET", &offset);
    if (rc != EMBER_OK)
        return rc;
    if (offset < 0)
        offset = 0;
    if (n_keys) {
        Lop *o = lop_new(cx, LOP_ORDER);
        if (o == NULL)
            return err_nomem(cx->err);
        o->child[0] = *plan;
        o->keys = keys;
        o->n_keys = n_keys;
        if (lop_refresh(cx, o) != EMBER_OK)
            return err_nomem(cx->err);
        *plan = o;
    }
    if (limit >= 0 || offset > 0) {
        Lop *l = lop_new(cx, LOP_LIMIT);
        if (l == NULL)
            return err_nomem(cx->err);
        l->child[0] = *plan;
        l->limit = limit;
        l->offset = offset;
        if (lop_refresh(cx, l) != EMBER_OK)
            return err_nomem(cx->err);
        *plan = l;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Blocks
 * ------------------------------------------------------------------------ */

static int finish_block(Block *b, SortKey *keys, int n_keys)
{
    PlanCtx *cx = b->cx;
    Lop *proj = lop_project(cx, b->plan, b->exprs, b->n_all, b->names);
    if (proj == NULL)
        return err_nomem(cx->err);
    b->plan = proj;
    for (int i = 0; i < n_keys; i++) {
        int idx = (int)(intptr_t)keys[i].expr - 1;
        keys[i].expr = expr_colref(cx, proj->out[idx], proj->types[idx]);
        if (keys[i].expr == NULL)
            return err_nomem(cx->err);
    }
    if (b->s->distinct) {
        Lop *d = lop_new(cx, LOP_AGG);
        if (d == NULL)
            return err_nomem(cx->err);
        d->child[0] = proj;
        d->group_rel = plan_new_rel(cx);
        d->agg_rel = plan_new_rel(cx);
        d->n_groups = b->n_vis;
        d->groups = arena_alloc(cx->arena,
                                sizeof(Expr *) * (size_t)(b->n_vis + 1));
        if (d->groups == NULL || lop_set_outputs(cx, d, b->n_vis) != EMBER_OK)
            return err_nomem(cx->err);
        for (int i = 0; i < b->n_vis; i++) {
            d->groups[i] = expr_colref(cx, proj->out[i], proj->types[i]);
            d->out[i] = (ColBinding){d->group_rel, (uint32_t)i};
            d->types[i] = proj->types[i];
            d->names[i] = proj->names[i];
        }
        /* sort keys refer to projection outputs: map them to groups */
        for (int i = 0; i < n_keys; i++) {
            int idx = lop_find(proj, keys[i].expr->col);
            keys[i].expr->col = d->out[idx];
        }
        b->plan = d;
    }
    int rc = add_order_limit(cx, &b->plan, keys, n_keys, b->s);
    if (rc != EMBER_OK)
        return rc;
    if (b->n_all > b->n_vis || b->s->distinct) {
        /* drop hidden sort columns */
        Expr **ex = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(b->n_vis + 1));
        if (ex == NULL)
            return err_nomem(cx->err);
        for (int i = 0; i < b->n_vis; i++)
            ex[i] = expr_colref(cx, b->plan->out[i], b->plan->types[i]);
        const char **names = arena_alloc(cx->arena,
                                         sizeof(char *) * (size_t)(b->n_vis + 1));
        if (names == NULL)
            return err_nomem(cx->err);
        memcpy(names, b->names, sizeof(char *) * (size_t)b->n_vis);
        b->plan = lop_project(cx, b->plan, ex, b->n_vis, names);
        if (b->plan == NULL)
            return err_nomem(cx->err);
    }
    return EMBER_OK;
}

static int bind_block(PlanCtx *cx, const SelectStmt *s, Scope *parent,
                      CteDef *ctes, Lop **out, CorrList *corr)
{
    Block b;
    memset(&b, 0, sizeof(b));
    b.cx = cx;
    b.s = s;
    scope_init(&b.sc, parent, ctes);
    int rc = bind_from(&b);
    if (rc == EMBER_OK)
        rc = bind_where(&b);
    if (rc == EMBER_OK && block_is_agg(s))
        rc = bind_groups(&b);
    if (rc == EMBER_OK)
        rc = bind_targets(&b);
    Expr *having = NULL;
    if (rc == EMBER_OK && b.agg)
        rc = bind_having(&b, &having);
    SortKey *keys = NULL;
    if (rc == EMBER_OK && s->n_order_by) {
        keys = arena_calloc(cx->arena, sizeof(SortKey) * (size_t)s->n_order_by);
        if (keys == NULL)
            rc = err_nomem(cx->err);
        for (int i = 0; rc == EMBER_OK && i < s->n_order_by; i++)
            rc = order_item(&b, &s->order_by[i], &keys[i]);
    }
    if (rc == EMBER_OK && b.agg) {
        rc = make_agg_node(&b);
        if (rc == EMBER_OK && having) {
            Expr **conj = NULL;
            int n = 0, cap = 0;
            rc = expr_conjuncts(cx, having, &conj, &n, &cap);
            b.plan = lop_filter(cx, b.plan, conj, n);
            if (rc == EMBER_OK && b.plan == NULL)
                rc = err_nomem(cx->err);
        }
    }
    if (rc == EMBER_OK)
        rc = finish_block(&b, keys, s->n_order_by);
    if (rc != EMBER_OK)
        return rc;
    if (corr) {
        corr->b = b.sc.corr;
        corr->t = b.sc.corr_types;
        corr->n = b.sc.n_corr;
    }
    *out = b.plan;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * VALUES and set operations: ORDER BY / LIMIT over output columns
 * ------------------------------------------------------------------------ */

static int order_over_outputs(PlanCtx *cx, const SelectStmt *s, Lop **plan,
                              Scope *parent)
{
    Lop *p = *plan;
    if (s->n_order_by == 0)
        return add_order_limit(cx, plan, NULL, 0, s);
    Scope sc;
    scope_init(&sc, parent, NULL);
    for (int i = 0; i < p->n_out; i++) {
        int rc = scope_add(cx, &sc, NULL, p->names[i] ? p->names[i] : "?",
                           p->out[i], p->types[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    SortKey *keys = arena_calloc(cx->arena,
                                 sizeof(SortKey) * (size_t)s->n_order_by);
    if (keys == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < s->n_order_by; i++) {
        const OrderItem *oi = &s->order_by[i];
        if (oi->expr->kind == AE_INT) {
            if (oi->expr->ival < 1 || oi->expr->ival > p->n_out)
                return err_set(cx->err, EMBER_ERROR, oi->expr->pos,
                               "ORDER BY position %lld is not in select list",
                               (long long)oi->expr->ival);
            int k = (int)oi->expr->ival - 1;
            keys[i].expr = expr_colref(cx, p->out[k], p->types[k]);
        } else {
            int rc = bind_expr(cx, &sc, oi->expr, &keys[i].expr);
            if (rc != EMBER_OK)
                return rc;
        }
        if (keys[i].expr == NULL)
            return err_nomem(cx->err);
        keys[i].desc = oi->desc;
        keys[i].nulls_first = oi->nulls == 0 ? oi->desc : oi->nulls == 1;
    }
    return add_order_limit(cx, plan, keys, s->n_order_by, s);
}

static int bind_values(PlanCtx *cx, const SelectStmt *s, Scope *parent,
                       Lop **out)
{
    int nr = s->n_values_rows, nc = s->n_values_cols;
    Scope sc;
    scope_init(&sc, parent, NULL);
    sc.agg_forbid = "VALUES";
    Lop *op = lop_new(cx, LOP_VALUES);
    if (op == NULL || lop_set_outputs(cx, op, nc) != EMBER_OK)
        return err_nomem(cx->err);
    op->rel = plan_new_rel(cx);
    op->n_rows = nr;
    op->n_exprs = nr * nc;
    op->exprs = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(nr * nc + 1));
    if (op->exprs == NULL)
        return err_nomem(cx->err);
    for (int r = 0; r < nr; r++) {
        for (int c = 0; c < nc; c++) {
            int rc = bind_expr(cx, &sc, s->values_rows[r][c],
                               &op->exprs[r * nc + c]);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    for (int c = 0; c < nc; c++) {
        Type t = type_make(TYPE_NULL);
        for (int r = 0; r < nr; r++) {
            int rc = func_common_type(t, op->exprs[r * nc + c]->type, &t,
                                      cx->err, s->values_rows[r][c]->pos);
            if (rc != EMBER_OK)
                return rc;
        }
        for (int r = 0; r < nr; r++) {
            Expr **e = &op->exprs[r * nc + c];
            if (t.id != TYPE_NULL) {
                int rc = coerce(cx, e, t, s->values_rows[r][c]->pos);
                if (rc != EMBER_OK)
                    return rc;
            }
            *e = expr_fold(cx, *e);
        }
        op->out[c] = (ColBinding){op->rel, (uint32_t)c};
        op->types[c] = t;
        op->names[c] = arena_printf(cx->arena, "column%d", c + 1);
    }
    *out = op;
    return order_over_outputs(cx, s, out, parent);
}

static int cast_outputs(PlanCtx *cx, Lop **p, const Type *types)
{
    Lop *in = *p;
    bool need = false;
    for (int i = 0; i < in->n_out; i++)
        need = need || !type_equal(in->types[i], types[i]);
    if (!need)
        return EMBER_OK;
    Expr **ex = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)in->n_out);
    if (ex == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < in->n_out; i++) {
        ex[i] = expr_colref(cx, in->out[i], in->types[i]);
        int rc = coerce(cx, &ex[i], types[i], -1);
        if (rc != EMBER_OK)
            return rc;
    }
    *p = lop_project(cx, in, ex, in->n_out, in->names);
    return *p ? EMBER_OK : err_nomem(cx->err);
}

static void corr_merge(PlanCtx *cx, CorrList *dst, const CorrList *src)
{
    for (int i = 0; i < src->n; i++) {
        bool have = false;
        for (int j = 0; j < dst->n; j++)
            have = have || binding_eq(dst->b[j], src->b[i]);
        if (have)
            continue;
        ColBinding *b = arena_alloc(cx->arena, sizeof(ColBinding) *
                                                   (size_t)(dst->n + 1));
        Type *t = arena_alloc(cx->arena, sizeof(Type) * (size_t)(dst->n + 1));
        if (b == NULL || t == NULL)
            return;
        if (dst->n) {
            memcpy(b, dst->b, sizeof(ColBinding) * (size_t)dst->n);
            memcpy(t, dst->t, sizeof(Type) * (size_t)dst->n);
        }
        b[dst->n] = src->b[i];
        t[dst->n] = src->t[i];
        dst->b = b;
        dst->t = t;
        dst->n++;
    }
}

static int bind_setop(PlanCtx *cx, const SelectStmt *s, Scope *parent,
                      CteDef *ctes, Lop **out, CorrList *corr)
{
    Lop *l, *r;
    CorrList lc = {0}, rcl = {0};
    int rc = bind_select(cx, s->left, parent, ctes, &l, &lc);
    if (rc == EMBER_OK)
        rc = bind_select(cx, s->right, parent, ctes, &r, &rcl);
    if (rc != EMBER_OK)
        return rc;
    static const char *const opname[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    if (l->n_out != r->n_out)
        return err_set(cx->err, EMBER_ERROR, s->pos,
                       "each %s query must have the same number of columns",
                       opname[s->op]);
    Type *types = arena_alloc(cx->arena, sizeof(Type) * (size_t)(l->n_out + 1));
    if (types == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < l->n_out; i++) {
        rc = func_common_type(l->types[i], r->types[i], &types[i], cx->err,
                              s->pos);
        if (rc != EMBER_OK)
            return rc;
        if (types[i].id == TYPE_NULL)
            types[i] = type_varchar(-1);
    }
    if ((rc = cast_outputs(cx, &l, types)) != EMBER_OK ||
        (rc = cast_outputs(cx, &r, types)) != EMBER_OK)
        return rc;
    Lop *op = lop_new(cx, LOP_SETOP);
    if (op == NULL || lop_set_outputs(cx, op, l->n_out) != EMBER_OK)
        return err_nomem(cx->err);
    op->child[0] = l;
    op->child[1] = r;
    op->setop = s->op;
    op->all = s->all;
    op->rel = plan_new_rel(cx);
    for (int i = 0; i < l->n_out; i++) {
        op->out[i] = (ColBinding){op->rel, (uint32_t)i};
        op->types[i] = types[i];
        op->names[i] = l->names ? l->names[i] : NULL;
    }
    if (corr) {
        *corr = lc;
        corr_merge(cx, corr, &rcl);
    }
    *out = op;
    return order_over_outputs(cx, s, out, parent);
}

int bind_select(PlanCtx *cx, const SelectStmt *s, Scope *parent,
                CteDef *ctes, Lop **out, CorrList *corr)
{
    if (corr)
        memset(corr, 0, sizeof(*corr));
    /* WITH: each CTE sees the ones defined before it */
    for (int i = 0; i < s->n_ctes; i++) {
        for (int j = 0; j < i; j++)
            if (strcasecmp(s->ctes[i].name, s->ctes[j].name) == 0)
                return err_set(cx->err, EMBER_ERROR, s->ctes[i].pos,
                               "WITH query name \"%s\" specified more than "
                               "once", s->ctes[i].name);
        CteDef *d = arena_alloc(cx->arena, sizeof(*d));
        if (d == NULL)
            return err_nomem(cx->err);
        d->cte = &s->ctes[i];
        d->next = ctes;
        ctes = d;
    }
    if (s->op != SETOP_NONE)
        return bind_setop(cx, s, parent, ctes, out, corr);
    if (s->n_values_rows)
        return bind_values(cx, s, parent, out);
    return bind_block(cx, s, parent, ctes, out, corr);
}
