/*
 * bind_from.c -- binding the FROM clause: tables, views, CTEs, derived
 * tables, joins (ON, USING, NATURAL) and table functions.
 *
 * Each FROM item is bound into its own list of columns; the block adds
 * them to its scope only after every item is bound, so a derived table
 * cannot see its siblings (no LATERAL) but can see enclosing queries.
 */
#include <stdio.h>
#include <strings.h>

#include "plan/plan_int.h"

/* Add the outputs of op to `items` under alias `table`, renamed by
 * col_aliases when given. */
static int add_outputs(PlanCtx *cx, Scope *items, const Lop *op,
                       const char *table, const char **aliases, int n_alias,
                       int pos)
{
    if (n_alias > op->n_out)
        return err_set(cx->err, EMBER_ERROR, pos,
                       "table \"%s\" has %d columns available but %d "
                       "columns specified", table ? table : "?", op->n_out,
                       n_alias);
    for (int i = 0; i < op->n_out; i++) {
        const char *name = i < n_alias ? aliases[i]
                           : (op->names && op->names[i]) ? op->names[i]
                                                         : "?column?";
        int rc = scope_add(cx, items, table, name, op->out[i], op->types[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

static int bind_base_table(PlanCtx *cx, const TableRef *tr, Table *t,
                           Scope *items, Lop **out)
{
    Lop *op = lop_new(cx, LOP_GET);
    if (op == NULL)
        return err_nomem(cx->err);
    op->table = t;
    op->rel = plan_new_rel(cx);
    if (lop_set_outputs(cx, op, t->n_cols) != EMBER_OK)
        return err_nomem(cx->err);
    op->get_cols = arena_alloc(cx->arena, sizeof(int) * (size_t)(t->n_cols + 1));
    if (op->get_cols == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < t->n_cols; i++) {
        op->out[i] = (ColBinding){op->rel, (uint32_t)i};
        op->types[i] = t->cols[i].type;
        op->names[i] = t->cols[i].name;
        op->get_cols[i] = i;
    }
    *out = op;
    const char *alias = tr->alias ? tr->alias : t->name;
    return add_outputs(cx, items, op, alias, tr->col_aliases,
                       tr->n_col_aliases, tr->pos);
}

static int bind_view(PlanCtx *cx, const TableRef *tr, const View *v,
                     Scope *items, Lop **out)
{
    if (cx->n_views_expanding > 32)
        return err_set(cx->err, EMBER_ERROR, tr->pos,
                       "infinite recursion detected in view \"%s\"", v->name);
    Stmt *st;
    int next;
    Err perr;
    err_clear(&perr);
    int rc = sql_parse(cx->arena, v->sql, (int)strlen(v->sql), 0, &st, &next,
                       &perr);
    if (rc != EMBER_OK || st == NULL || st->select == NULL)
        return err_set(cx->err, EMBER_ERROR, tr->pos,
                       "view \"%s\" is invalid: %s", v->name, perr.msg);
    /* the view's text is its own SQL: bind with it for names */
    const char *saved_sql = cx->sql;
    cx->sql = v->sql;
    cx->n_views_expanding++;
    rc = bind_select(cx, st->select, NULL, NULL, out, NULL);
    cx->n_views_expanding--;
    cx->sql = saved_sql;
    if (rc != EMBER_OK) {
        cx->err->pos = tr->pos;
        return rc;
    }
    const char **aliases = (const char **)v->col_aliases;
    int n_alias = v->n_col_aliases;
    if (tr->n_col_aliases) {
        aliases = tr->col_aliases;
        n_alias = tr->n_col_aliases;
    }
    return add_outputs(cx, items, *out, tr->alias ? tr->alias : v->name,
                       aliases, n_alias, tr->pos);
}

static int bind_cte_ref(PlanCtx *cx, const TableRef *tr, CteDef *def,
                        Scope *blk, Scope *items, Lop **out)
{
    const Cte *c = def->cte;
    int rc = bind_select(cx, c->query, blk, def->next, out, NULL);
    if (rc != EMBER_OK)
        return rc;
    const char **aliases = c->col_aliases;
    int n_alias = c->n_col_aliases;
    if (tr->n_col_aliases) {
        aliases = tr->col_aliases;
        n_alias = tr->n_col_aliases;
    }
    return add_outputs(cx, items, *out, tr->alias ? tr->alias : c->name,
                       aliases, n_alias, tr->pos);
}

static int bind_named(PlanCtx *cx, const TableRef *tr, Scope *blk,
                      Scope *items, Lop **out)
{
    for (CteDef *d = blk->ctes; d; d = d->next)
        if (strcasecmp(d->cte->name, tr->name) == 0)
            return bind_cte_ref(cx, tr, d, blk, items, out);
    Table *t = catalog_table(cx->catalog, tr->name);
    if (t)
        return bind_base_table(cx, tr, t, items, out);
    View *v = catalog_view(cx->catalog, tr->name);
    if (v)
        return bind_view(cx, tr, v, items, out);
    return err_set(cx->err, EMBER_NOTFOUND, tr->pos,
                   "relation \"%s\" does not exist", tr->name);
}

/* ------------------------------------------------------------------------
 * Joins
 * ------------------------------------------------------------------------ */

static int find_unqualified(const Scope *s, const char *name, int from, int to)
{
    int found = -1;
    for (int i = from; i < to; i++) {
        if (s->cols[i].using_hidden || strcasecmp(s->cols[i].name, name))
            continue;
        if (found >= 0)
            return -2;
        found = i;
    }
    return found;
}

/* The merged columns of a USING / NATURAL join: for each, the left and
 * right scope entries. */
typedef struct UsingCols {
    int n;
    int l[64];
    int r[64];
} UsingCols;

/* USING (cols) or NATURAL: equality conditions, and which scope entries
 * pair up. */
static int bind_using(PlanCtx *cx, const TableRef *tr, Scope *items,
                      int lfrom, int lto, int rto, UsingCols *uc,
                      Expr ***conj, int *n, int *cap)
{
    const char **cols = tr->using_cols;
    int n_cols = tr->n_using;
    const char *natural[64];
    if (tr->natural) {
        n_cols = 0;
        for (int i = lfrom; i < lto && n_cols < 64; i++) {
            if (items->cols[i].using_hidden)
                continue;
            if (find_unqualified(items, items->cols[i].name, lto, rto) >= 0)
                natural[n_cols++] = items->cols[i].name;
        }
        cols = natural;
    }
    if (n_cols > 64)
        return err_set(cx->err, EMBER_ERROR, tr->pos,
                       "too many columns in USING");
    uc->n = 0;
    for (int i = 0; i < n_cols; i++) {
        for (int j = 0; j < i; j++)
            if (strcasecmp(cols[i], cols[j]) == 0)
                return err_set(cx->err, EMBER_ERROR, tr->pos,
                               "column name \"%s\" appears more than once in "
                               "USING clause", cols[i]);
        int l = find_unqualified(items, cols[i], lfrom, lto);
        int r = find_unqualified(items, cols[i], lto, rto);
        if (l < 0 || r < 0)
            return err_set(cx->err, EMBER_NOTFOUND, tr->pos,
                           "column \"%s\" specified in USING clause does not "
                           "exist in %s table", cols[i],
                           l < 0 ? "left" : "right");
        BindCol *lc = &items->cols[l], *rc_ = &items->cols[r];
        Expr *args[2] = {expr_colref(cx, lc->bind, lc->type),
                         expr_colref(cx, rc_->bind, rc_->type)};
        Expr *eq;
        int rc = plan_make_call(cx, "=", args, 2, tr->pos, &eq);
        if (rc == EMBER_OK)
            rc = expr_conjuncts(cx, eq, conj, n, cap);
        if (rc != EMBER_OK)
            return rc;
        uc->l[uc->n] = l;
        uc->r[uc->n] = r;
        uc->n++;
    }
    return EMBER_OK;
}

/* After a USING join: one visible column per USING column, first (as in
 * PostgreSQL), then the other left columns, then the right ones. The
 * merged value is the left one for INNER and LEFT joins, the right one for
 * RIGHT, and COALESCE(left, right) for FULL, computed by a projection over
 * the join. Qualified names still reach both copies. */
static int merge_using(PlanCtx *cx, Scope *items, int lfrom, int rto,
                       const UsingCols *uc, JoinType jt, Lop **join)
{
    int n = rto - lfrom;
    BindCol *old = arena_alloc(cx->arena, sizeof(BindCol) * (size_t)(n + 1));
    if (old == NULL)
        return err_nomem(cx->err);
    memcpy(old, items->cols + lfrom, sizeof(BindCol) * (size_t)n);
    Lop *proj = NULL;
    if (jt == JT_FULL) {
        Lop *j = *join;
        Expr **ex = arena_alloc(cx->arena, sizeof(Expr *) *
                                               (size_t)(j->n_out + uc->n + 1));
        if (ex == NULL)
            return err_nomem(cx->err);
        for (int i = 0; i < j->n_out; i++)
            ex[i] = expr_colref(cx, j->out[i], j->types[i]);
        for (int u = 0; u < uc->n; u++) {
            const BindCol *l = &items->cols[uc->l[u]], *r = &items->cols[uc->r[u]];
            Expr *co = expr_new(cx, EXPR_COALESCE, l->type, 2);
            if (co == NULL)
                return err_nomem(cx->err);
            co->args[0] = expr_colref(cx, l->bind, l->type);
            co->args[1] = expr_colref(cx, r->bind, r->type);
            Type t;
            int rc = func_common_type(l->type, r->type, &t, cx->err, -1);
            if (rc == EMBER_OK && (rc = coerce(cx, &co->args[0], t, -1)) == 0)
                rc = coerce(cx, &co->args[1], t, -1);
            if (rc != EMBER_OK)
                return rc;
            co->type = t;
            ex[j->n_out + u] = co;
        }
        proj = lop_project(cx, j, ex, j->n_out + uc->n, NULL);
        if (proj == NULL)
            return err_nomem(cx->err);
        /* every scope entry now reads the projection's pass-through */
        for (int i = 0; i < n; i++)
            old[i].bind = proj->out[lop_find(j, old[i].bind)];
        *join = proj;
    }
    int k = lfrom;
    bool *used = arena_calloc(cx->arena, (size_t)n + 1);
    if (used == NULL)
        return err_nomem(cx->err);
    for (int u = 0; u < uc->n; u++) {
        int li = uc->l[u] - lfrom, ri = uc->r[u] - lfrom;
        BindCol merged = jt == JT_RIGHT ? old[ri] : old[li];
        if (proj) {
            merged.table = NULL;
            merged.bind = proj->out[proj->n_out - uc->n + u];
            merged.type = proj->types[proj->n_out - uc->n + u];
        }
        merged.using_hidden = false;
        items->cols[k++] = merged;
        if (!proj)
            used[jt == JT_RIGHT ? ri : li] = true;
        old[li].using_hidden = true;
        old[ri].using_hidden = true;
    }
    for (int i = 0; i < n; i++)
        if (!used[i])
            items->cols[k++] = old[i];
    items->n_cols = k;
    return EMBER_OK;
}

static JoinType join_type(JoinKind k)
{
    switch (k) {
    case JOIN_LEFT:
        return JT_LEFT;
    case JOIN_RIGHT:
        return JT_RIGHT;
    case JOIN_FULL:
        return JT_FULL;
    default:
        return JT_INNER;
    }
}

static int bind_join(PlanCtx *cx, const TableRef *tr, Scope *blk,
                     Scope *items, Lop **out)
{
    int lfrom = items->n_cols;
    Lop *l, *r;
    int rc = bind_table_ref(cx, tr->left, blk, items, &l);
    if (rc != EMBER_OK)
        return rc;
    int lto = items->n_cols;
    rc = bind_table_ref(cx, tr->right, blk, items, &r);
    if (rc != EMBER_OK)
        return rc;
    int rto = items->n_cols;
    JoinType jt = join_type(tr->join);
    Expr **conj = NULL;
    int n = 0, cap = 0;
    UsingCols uc;
    uc.n = 0;
    if (tr->n_using || tr->natural) {
        rc = bind_using(cx, tr, items, lfrom, lto, rto, &uc, &conj, &n, &cap);
    } else if (tr->on) {
        /* ON sees both sides (and enclosing queries) */
        Scope on;
        scope_init(&on, blk, blk->ctes);
        on.cols = items->cols + lfrom;
        on.n_cols = rto - lfrom;
        on.cap = on.n_cols;
        on.agg_forbid = "JOIN conditions";
        Expr *pred;
        rc = bind_predicate(cx, &on, tr->on, "JOIN/ON", &pred);
        if (rc == EMBER_OK)
            rc = expr_conjuncts(cx, pred, &conj, &n, &cap);
        /* correlated refs noted on `on` belong to blk as well */
        for (int i = 0; rc == EMBER_OK && i < on.n_corr; i++)
            rc = scope_note_corr(cx, blk, on.corr[i], on.corr_types[i]);
    } else if (tr->join != JOIN_CROSS) {
        rc = err_set(cx->err, EMBER_SYNTAX, tr->pos,
                     "JOIN requires an ON or USING clause (or CROSS JOIN)");
    }
    if (rc != EMBER_OK)
        return rc;
    *out = lop_join(cx, jt, l, r, conj, n);
    if (*out == NULL)
        return err_nomem(cx->err);
    if (uc.n)
        return merge_using(cx, items, lfrom, rto, &uc, jt, out);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Table functions: evaluated now into VALUES rows.
 * ------------------------------------------------------------------------ */

typedef struct RowsBuilder {
    PlanCtx *cx;
    Lop *op;
    int n_cols;
    int cap_rows;
} RowsBuilder;

static int rows_begin(RowsBuilder *rb, PlanCtx *cx, const char *const *names,
                      const TypeId *types, int n_cols)
{
    rb->cx = cx;
    rb->n_cols = n_cols;
    rb->cap_rows = 0;
    rb->op = lop_new(cx, LOP_VALUES);
    if (rb->op == NULL || lop_set_outputs(cx, rb->op, n_cols) != EMBER_OK)
        return err_nomem(cx->err);
    rb->op->rel = plan_new_rel(cx);
    for (int i = 0; i < n_cols; i++) {
        rb->op->out[i] = (ColBinding){rb->op->rel, (uint32_t)i};
        rb->op->types[i] = type_make(types[i]);
        rb->op->names[i] = names[i];
    }
    return EMBER_OK;
}

static int rows_add(RowsBuilder *rb, const Value *vals)
{
    Lop *op = rb->op;
    if (op->n_rows == rb->cap_rows) {
        int cap = rb->cap_rows ? rb->cap_rows * 2 : 16;
        Expr **e = arena_alloc(rb->cx->arena,
                               sizeof(Expr *) * (size_t)(cap * rb->n_cols));
        if (e == NULL)
            return err_nomem(rb->cx->err);
        if (op->n_rows)
            memcpy(e, op->exprs,
                   sizeof(Expr *) * (size_t)(op->n_rows * rb->n_cols));
        op->exprs = e;
        rb->cap_rows = cap;
    }
    for (int i = 0; i < rb->n_cols; i++) {
        Value v = vals[i];
        v.type = op->types[i];
        Expr *c = expr_const(rb->cx, v);
        if (c == NULL)
            return err_nomem(rb->cx->err);
        op->exprs[op->n_rows * rb->n_cols + i] = c;
    }
    op->n_rows++;
    op->n_exprs = op->n_rows * rb->n_cols;
    return EMBER_OK;
}

static Value text_value(PlanCtx *cx, const char *s)
{
    if (s == NULL)
        return value_null();
    return value_str(str_copy(cx->arena, s, (uint32_t)strlen(s)));
}

static Value boxed_text(PlanCtx *cx, const Value *v)
{
    if (v->is_null)
        return value_null();
    char buf[128];
    value_format(v, buf, sizeof(buf));
    return text_value(cx, buf);
}

/* pragma_stats('t'): one row per column with its statistics. */
int bind_stats_rows(PlanCtx *cx, const char *table, int pos, Lop **out)
{
    Table *t = catalog_table(cx->catalog, table);
    if (t == NULL)
        return err_set(cx->err, EMBER_NOTFOUND, pos,
                       "relation \"%s\" does not exist", table);
    static const char *const names[] = {
        "column_name", "type", "row_count", "null_count", "distinct_count",
        "min", "max"};
    static const TypeId types[] = {TYPE_VARCHAR, TYPE_VARCHAR, TYPE_INT64,
                                   TYPE_INT64, TYPE_INT64, TYPE_VARCHAR,
                                   TYPE_VARCHAR};
    RowsBuilder rb;
    int rc = rows_begin(&rb, cx, names, types, 7);
    for (int i = 0; i < t->n_cols && rc == EMBER_OK; i++) {
        const ColStats *s = &t->stats[i];
        char tb[32];
        Value row[7];
        row[0] = text_value(cx, t->cols[i].name);
        row[1] = text_value(cx, type_name(t->cols[i].type, tb, sizeof(tb)));
        row[2] = value_int64((int64_t)t->data.n_rows);
        row[3] = value_int64((int64_t)s->n_nulls);
        row[4] = value_int64((int64_t)(colstats_ndv(s, t->data.n_rows) + 0.5));
        if (t->data.n_rows == s->n_nulls)
            row[4] = value_int64(0);
        row[5] = s->has_minmax ? boxed_text(cx, &s->min) : value_null();
        row[6] = s->has_minmax ? boxed_text(cx, &s->max) : value_null();
        rc = rows_add(&rb, row);
    }
    *out = rb.op;
    return rc;
}

int bind_tables_rows(PlanCtx *cx, Lop **out)
{
    static const char *const names[] = {"name"};
    static const TypeId types[] = {TYPE_VARCHAR};
    RowsBuilder rb;
    int rc = rows_begin(&rb, cx, names, types, 1);
    uint32_t it = 0;
    const char *k;
    void *v;
    while (rc == EMBER_OK && namemap_next(&cx->catalog->tables, &it, &k, &v)) {
        Table *t = v;
        Value row[1] = {text_value(cx, t->name)};
        rc = rows_add(&rb, row);
    }
    it = 0;
    while (rc == EMBER_OK && namemap_next(&cx->catalog->views, &it, &k, &v)) {
        View *vw = v;
        Value row[1] = {text_value(cx, vw->name)};
        rc = rows_add(&rb, row);
    }
    *out = rb.op;
    return rc;
}

int bind_settings_rows(PlanCtx *cx, Lop **out)
{
    static const char *const names[] = {"name", "value"};
    static const TypeId types[] = {TYPE_VARCHAR, TYPE_VARCHAR};
    RowsBuilder rb;
    int rc = rows_begin(&rb, cx, names, types, 2);
    for (int i = 0; rc == EMBER_OK && settings_name(i); i++) {
        char buf[300];
        settings_get(cx->settings, settings_name(i), buf, sizeof(buf));
        Value row[2] = {text_value(cx, settings_name(i)), text_value(cx, buf)};
        rc = rows_add(&rb, row);
    }
    *out = rb.op;
    return rc;
}

/* range(stop) / range(start, stop[, step]): stop excluded;
 * generate_series(start, stop[, step]): stop included. BIGINT constants. */
static int bind_range(PlanCtx *cx, const TableRef *tr, bool inclusive,
                      Lop **out)
{
    const char *name = inclusive ? "generate_series" : "range";
    int n = tr->n_args;
    if (n < 1 || n > 3 || (inclusive && n < 2))
        return err_set(cx->err, EMBER_ERROR, tr->pos,
                       "%s expects %s integer arguments", name,
                       inclusive ? "2 or 3" : "1 to 3");
    int64_t a[3] = {0, 0, 1};
    for (int i = 0; i < n; i++) {
        Scope empty;
        memset(&empty, 0, sizeof(empty));
        Expr *e;
        int rc = bind_expr(cx, &empty, tr->args[i], &e);
        if (rc == EMBER_OK)
            rc = coerce(cx, &e, type_make(TYPE_INT64), tr->args[i]->pos);
        Value v;
        if (rc == EMBER_OK)
            rc = expr_eval_now(cx, e, &v);
        if (rc != EMBER_OK)
            return rc;
        if (v.is_null)
            return err_set(cx->err, EMBER_ERROR, tr->args[i]->pos,
                           "%s arguments must not be NULL", name);
        a[n == 1 ? 1 : i] = v.v.i;
    }
    int64_t start = a[0], stop = a[1], step = a[2];
    if (step == 0)
        return err_set(cx->err, EMBER_ERROR, tr->pos,
                       "%s step must not be zero", name);
    /* number of values, in 128 bits: no overflow at the extremes */
    __int128 span = (__int128)stop - start;
    __int128 cnt = 0;
    if (inclusive) {
        if ((step > 0 && span >= 0) || (step < 0 && span <= 0))
            cnt = span / step + 1;
    } else if ((step > 0 && span > 0) || (step < 0 && span < 0)) {
        cnt = (span + step - (step > 0 ? 1 : -1)) / step;
    }
    Lop *op = lop_new(cx, LOP_TABLEFN);
    Value *args = arena_alloc(cx->arena, sizeof(Value) * 3);
    if (op == NULL || args == NULL || lop_set_outputs(cx, op, 1) != EMBER_OK)
        return err_nomem(cx->err);
    op->tfn = TFN_RANGE;
    op->rel = plan_new_rel(cx);
    op->out[0] = (ColBinding){op->rel, 0};
    op->types[0] = type_make(TYPE_INT64);
    op->names[0] = name;
    args[0] = value_int64(start);
    args[1] = value_int64(step);
    args[2] = value_int64((int64_t)cnt);
    op->tfn_args = args;
    op->n_tfn_args = 3;
    op->n_rows = cnt > INT32_MAX ? INT32_MAX : (int)cnt;
    *out = op;
    return EMBER_OK;
}

static int bind_function_ref(PlanCtx *cx, const TableRef *tr, Scope *items,
                             Lop **out)
{
    const char *name = tr->name;
    int rc;
    if (strcasecmp(name, "pragma_stats") == 0 || strcasecmp(name, "stats") == 0) {
        if (tr->n_args != 1 || tr->args[0]->kind != AE_STRING)
            return err_set(cx->err, EMBER_ERROR, tr->pos,
                           "%s expects one table name", name);
        rc = bind_stats_rows(cx, tr->args[0]->sval, tr->pos, out);
    } else if (strcasecmp(name, "ember_tables") == 0) {
        rc = bind_tables_rows(cx, out);
    } else if (strcasecmp(name, "ember_settings") == 0) {
        rc = bind_settings_rows(cx, out);
    } else if (strcasecmp(name, "range") == 0 ||
               strcasecmp(name, "generate_series") == 0) {
        rc = bind_range(cx, tr, strcasecmp(name, "generate_series") == 0,
                        out);
    } else {
        return err_set(cx->err, EMBER_NOTFOUND, tr->pos,
                       "table function \"%s\" does not exist", name);
    }
    if (rc != EMBER_OK)
        return rc;
    return add_outputs(cx, items, *out, tr->alias ? tr->alias : name,
                       tr->col_aliases, tr->n_col_aliases, tr->pos);
}

int bind_table_ref(PlanCtx *cx, const TableRef *tr, Scope *blk, Scope *items,
                   Lop **out)
{
    switch (tr->kind) {
    case TR_TABLE:
        return bind_named(cx, tr, blk, items, out);
    case TR_SUBQUERY: {
        int rc = bind_select(cx, tr->subquery, blk, blk->ctes, out, NULL);
        if (rc != EMBER_OK)
            return rc;
        return add_outputs(cx, items, *out, tr->alias, tr->col_aliases,
                           tr->n_col_aliases, tr->pos);
    }
    case TR_JOIN:
        return bind_join(cx, tr, blk, items, out);
    case TR_FUNCTION:
        return bind_function_ref(cx, tr, items, out);
    }
    return err_set(cx->err, EMBER_INTERNAL, tr->pos, "bad table reference");
}
