/*
 * run_ddl.c -- DDL, DML and utility statements.
 *
 * Every change is all or nothing: INSERT and COPY append and then check
 * constraints (undoing the append on failure); UPDATE and DELETE build the
 * table's new contents from a query and swap them in only when complete
 * and valid.
 */
#include <stdio.h>
#include <strings.h>

#include "api/api_int.h"

static void plan_ctx_for(ember_stmt *st, PlanCtx *cx, Err *err)
{
    plan_ctx_init(cx, st->run_arena, &st->db->catalog, &st->db->settings,
                  err, st->sql);
    cx->params = st->binds;
    cx->n_params_bound = st->n_params;
}

static Table *find_table(ember_stmt *st, const char *name, int pos, Err *err)
{
    Table *t = catalog_table(&st->db->catalog, name);
    if (t == NULL) {
        if (catalog_view(&st->db->catalog, name))
            err_set(err, EMBER_ERROR, pos, "cannot change view \"%s\"", name);
        else
            err_set(err, EMBER_NOTFOUND, pos,
                    "relation \"%s\" does not exist", name);
    }
    return t;
}

/* Offset of name i of a list of positions, or the statement's. */
static int pos_of(const int *pos, int i, const Stmt *s)
{
    return pos && pos[i] >= 0 ? pos[i] : s->pos;
}

/* The INSERT column list, or the UPDATE SET columns: each must exist,
 * and an INSERT names each at most once (UPDATE's last SET wins). */
static int check_columns(const Stmt *s, const Table *t, Err *err)
{
    bool insert = s->kind == STMT_INSERT;
    const char *const *cols = insert ? s->columns : s->set_cols;
    const int *pos = insert ? s->column_pos : s->set_pos;
    int n = insert ? s->n_columns : s->n_sets;
    for (int i = 0; i < n; i++) {
        if (table_column_index(t, cols[i]) < 0)
            return err_set(err, EMBER_NOTFOUND, pos_of(pos, i, s),
                           "column \"%s\" of relation \"%s\" does not exist",
                           cols[i], t->name);
        for (int j = 0; insert && j < i; j++)
            if (strcasecmp(cols[j], cols[i]) == 0)
                return err_set(err, EMBER_ERROR, pos_of(pos, i, s),
                               "column \"%s\" specified more than once",
                               cols[i]);
    }
    return EMBER_OK;
}

int dml_target(ember_stmt *st, const Stmt *s, Table **out, Err *err)
{
    *out = NULL;
    if (s->kind == STMT_INSERT && s->or_replace)
        return err_set(err, EMBER_ERROR, s->pos,
                       "INSERT OR REPLACE is not supported");
    int pos = s->table_pos >= 0 ? s->table_pos : s->pos;
    Table *t = find_table(st, s->table, pos, err);
    if (t == NULL)
        return err->code;
    int rc = check_columns(s, t, err);
    if (rc == EMBER_OK)
        *out = t;
    return rc;
}

int plan_dml(PlanCtx *cx, const Stmt *s, Table *t, Plan **out)
{
    switch (s->kind) {
    case STMT_INSERT:
        return plan_insert(cx, s, t, out);
    case STMT_UPDATE:
        return plan_update(cx, s, t, out);
    case STMT_DELETE:
        return plan_delete(cx, s, t, out);
    default:
        return err_set(cx->err, EMBER_INTERNAL, s->pos,
                       "statement kind %d is not INSERT, UPDATE or DELETE",
                       s->kind);
    }
}

/* Chunks of `n` rows viewing a result collection, for appending. */
static int append_result(Table *t, const Collection *res, Arena *a,
                         int n_cols)
{
    Chunk c;
    if (chunk_init(&c, n_cols, t->data.types, a) != EMBER_OK)
        return EMBER_NOMEM;
    for (uint64_t off = 0; off < res->n_rows; off += VEC_SIZE) {
        uint32_t n = (uint32_t)MIN(VEC_SIZE, res->n_rows - off);
        for (int i = 0; i < n_cols; i++)
            coll_view(res, off, n, i, &c.cols[i]);
        c.count = n;
        c.sel = NULL;
        int rc = tdata_append(&t->data, &c);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * CREATE / DROP
 * ------------------------------------------------------------------------ */

static int make_constraints(ember_stmt *st, Table *t, Err *err)
{
    const Stmt *s = st->ast;
    Catalog *c = &st->db->catalog;
    int rc = EMBER_OK;
    bool have_pk = false;
    for (int i = 0; i < s->n_coldefs && rc == EMBER_OK; i++) {
        const ColumnDef *cd = &s->coldefs[i];
        if (!cd->primary_key && !cd->unique)
            continue;
        if (cd->primary_key && have_pk)
            return err_set(err, EMBER_ERROR, cd->pos,
                           "multiple primary keys for table \"%s\" are not "
                           "allowed", t->name);
        have_pk = have_pk || cd->primary_key;
        char *name = arena_printf(st->run_arena, cd->primary_key ? "%s_pkey"
                                                                 : "%s_%s_key",
                                  t->name, cd->name);
        int col = i;
        rc = name ? catalog_create_index(c, name, t, 1, &col, true, true,
                                         cd->primary_key, err)
                  : err_nomem(err);
    }
    for (int i = 0; i < s->n_constraints && rc == EMBER_OK; i++) {
        const TableConstraint *tc = &s->constraints[i];
        int cols[8];
        if (tc->n_cols > 8)
            return err_set(err, EMBER_ERROR, tc->pos,
                           "cannot use more than 8 columns in a key");
        for (int k = 0; k < tc->n_cols; k++) {
            cols[k] = table_column_index(t, tc->cols[k]);
            if (cols[k] < 0)
                return err_set(err, EMBER_NOTFOUND, tc->pos,
                               "column \"%s\" named in key does not exist",
                               tc->cols[k]);
            if (tc->primary_key)
                t->cols[cols[k]].not_null = true;
        }
        if (tc->primary_key && have_pk)
            return err_set(err, EMBER_ERROR, tc->pos,
                           "multiple primary keys for table \"%s\" are not "
                           "allowed", t->name);
        have_pk = have_pk || tc->primary_key;
        char *name = arena_printf(st->run_arena,
                                  tc->primary_key ? "%s_pkey" : "%s_%s_key",
                                  t->name, tc->cols[0]);
        rc = name ? catalog_create_index(c, name, t, tc->n_cols, cols, true,
                                         true, tc->primary_key, err)
                  : err_nomem(err);
    }
    return rc;
}

static int create_as(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    int rc = plan_query(&cx, s->select, &plan);
    if (rc == EMBER_OK)
        rc = run_plan(st, plan, err);
    if (rc != EMBER_OK)
        return rc;
    Column *cols = arena_calloc(st->run_arena,
                                sizeof(Column) * (size_t)(plan->n_cols + 1));
    if (cols == NULL)
        return err_nomem(err);
    for (int i = 0; i < plan->n_cols; i++) {
        cols[i].name = (char *)(plan->names[i] ? plan->names[i] : "?column?");
        for (int j = 0; j < i; j++)
            if (strcasecmp(cols[j].name, cols[i].name) == 0)
                return err_set(err, EMBER_ERROR, s->pos,
                               "column \"%s\" specified more than once",
                               cols[i].name);
        cols[i].type = plan->types[i];
        if (cols[i].type.id == TYPE_NULL)
            cols[i].type = type_varchar(-1);
    }
    Table *t;
    rc = catalog_create_table(&st->db->catalog, s->table, plan->n_cols, cols,
                              &t, err);
    if (rc != EMBER_OK)
        return rc;
    TableMark m = table_begin_append(t);
    rc = append_result(t, &st->result, st->run_arena, plan->n_cols);
    if (rc == EMBER_OK)
        rc = table_commit_append(t, m, err);
    else
        err_nomem(err);
    if (rc != EMBER_OK) {
        Err ignore;
        err_clear(&ignore);
        catalog_drop_table(&st->db->catalog, s->table, true, &ignore);
        return rc;
    }
    st->changes = (int64_t)t->data.n_rows;
    return EMBER_OK;
}

int run_create_table(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Catalog *c = &st->db->catalog;
    if (catalog_table(c, s->table) || catalog_view(c, s->table)) {
        if (s->if_not_exists)
            return EMBER_OK;
        return err_set(err, EMBER_EXISTS, s->pos,
                       "relation \"%s\" already exists", s->table);
    }
    if (s->select)
        return create_as(st, err);
    Column *cols = arena_calloc(st->run_arena,
                                sizeof(Column) * (size_t)(s->n_coldefs + 1));
    if (cols == NULL)
        return err_nomem(err);
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    for (int i = 0; i < s->n_coldefs; i++) {
        const ColumnDef *cd = &s->coldefs[i];
        for (int j = 0; j < i; j++)
            if (strcasecmp(s->coldefs[j].name, cd->name) == 0)
                return err_set(err, EMBER_ERROR, cd->pos,
                               "column \"%s\" specified more than once",
                               cd->name);
        cols[i].name = (char *)cd->name;
        cols[i].type = cd->type;
        cols[i].not_null = cd->not_null || cd->primary_key;
        if (cd->default_expr) {
            Value v, cv;
            int rc = plan_const_expr(&cx, cd->default_expr, &v);
            if (rc == EMBER_OK)
                rc = cast_value(&v, cd->type, &cv, st->run_arena, err,
                                cd->default_expr->pos);
            if (rc != EMBER_OK)
                return rc;
            cols[i].has_default = true;
            cols[i].default_val = cv;
        }
    }
    Table *t;
    int rc = catalog_create_table(c, s->table, s->n_coldefs, cols, &t, err);
    if (rc != EMBER_OK)
        return rc;
    rc = make_constraints(st, t, err);
    if (rc != EMBER_OK) {
        Err ignore;
        err_clear(&ignore);
        catalog_drop_table(c, s->table, true, &ignore);
    }
    return rc;
}

int run_drop(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Catalog *c = &st->db->catalog;
    int rc;
    switch (s->drop_kind) {
    case DROP_TABLE:
        rc = catalog_drop_table(c, s->table, s->if_exists, err);
        break;
    case DROP_VIEW:
        rc = catalog_drop_view(c, s->table, s->if_exists, err);
        break;
    default:
        rc = catalog_drop_index(c, s->table, s->if_exists, err);
        break;
    }
    if (rc != EMBER_OK && err->pos < 0)
        err->pos = s->pos;
    return rc;
}

int run_create_view(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Catalog *c = &st->db->catalog;
    if (catalog_table(c, s->table) || catalog_view(c, s->table)) {
        if (s->if_not_exists)
            return EMBER_OK;
        return err_set(err, EMBER_EXISTS, s->pos,
                       "relation \"%s\" already exists", s->table);
    }
    /* the view must plan now; its text is what is stored */
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    int rc = plan_query(&cx, s->select, &plan);
    if (rc != EMBER_OK)
        return rc;
    if (s->n_columns > plan->n_cols)
        return err_set(err, EMBER_ERROR, s->pos,
                       "CREATE VIEW specifies more column names than "
                       "columns");
    const char *text = st->sql + s->select->pos;
    return catalog_create_view(c, s->table, text, s->n_columns, s->columns,
                               err);
}

int run_create_index(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Catalog *c = &st->db->catalog;
    Table *t = find_table(st, s->table, s->pos, err);
    if (t == NULL)
        return err->code;
    if (catalog_index(c, s->index_name)) {
        if (s->if_not_exists)
            return EMBER_OK;
        return err_set(err, EMBER_EXISTS, s->pos,
                       "relation \"%s\" already exists", s->index_name);
    }
    int cols[8];
    if (s->n_columns > 8)
        return err_set(err, EMBER_ERROR, s->pos,
                       "cannot use more than 8 columns in an index");
    for (int i = 0; i < s->n_columns; i++) {
        cols[i] = table_column_index(t, s->columns[i]);
        if (cols[i] < 0)
            return err_set(err, EMBER_NOTFOUND, s->pos,
                           "column \"%s\" does not exist", s->columns[i]);
    }
    int rc = catalog_create_index(c, s->index_name, t, s->n_columns, cols,
                                  s->unique, false, false, err);
    if (rc != EMBER_OK && err->pos < 0)
        err->pos = s->pos;
    return rc;
}

/* ------------------------------------------------------------------------
 * INSERT / UPDATE / DELETE
 * ------------------------------------------------------------------------ */

int run_insert(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Table *t;
    int rc = dml_target(st, s, &t, err);
    if (rc != EMBER_OK)
        return rc;
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    rc = plan_insert(&cx, s, t, &plan);
    if (rc == EMBER_OK)
        rc = run_plan(st, plan, err);
    if (rc != EMBER_OK)
        return rc;
    t->stats_frozen = st->db->settings.stats_frozen;
    TableMark m = table_begin_append(t);
    rc = append_result(t, &st->result, st->run_arena, t->n_cols);
    if (rc != EMBER_OK) {
        table_abort_append(t, m);
        return err_nomem(err);
    }
    rc = table_commit_append(t, m, err);
    if (rc != EMBER_OK)
        return rc;
    st->changes = (int64_t)st->result.n_rows;
    return EMBER_OK;
}

/* New table contents from the first n_cols columns of the result. */
static int rebuild(ember_stmt *st, Table *t, Err *err)
{
    TableData nd;
    if (tdata_init(&nd, t->n_cols, t->data.types) != EMBER_OK)
        return err_nomem(err);
    TableData saved = t->data;
    t->data = nd;
    int rc = append_result(t, &st->result, st->run_arena, t->n_cols);
    nd = t->data;
    t->data = saved;
    if (rc != EMBER_OK) {
        tdata_release(&nd);
        return err_nomem(err);
    }
    t->stats_frozen = st->db->settings.stats_frozen;
    return table_replace_data(t, &nd, err);
}

int run_update(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Table *t;
    int rc = dml_target(st, s, &t, err);
    if (rc != EMBER_OK)
        return rc;
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    rc = plan_update(&cx, s, t, &plan);
    if (rc == EMBER_OK)
        rc = run_plan(st, plan, err);
    if (rc != EMBER_OK)
        return rc;
    int64_t n = 0;
    const ColBuf *flag = &st->result.cols[t->n_cols];
    for (uint64_t r = 0; r < st->result.n_rows; r++)
        n += ((const uint8_t *)flag->data)[r] != 0;
    rc = rebuild(st, t, err);
    if (rc == EMBER_OK)
        st->changes = n;
    return rc;
}

int run_delete(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Table *t;
    int rc = dml_target(st, s, &t, err);
    if (rc != EMBER_OK)
        return rc;
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    rc = plan_delete(&cx, s, t, &plan);
    if (rc == EMBER_OK)
        rc = run_plan(st, plan, err);
    if (rc != EMBER_OK)
        return rc;
    int64_t before = (int64_t)t->data.n_rows;
    rc = rebuild(st, t, err);
    if (rc == EMBER_OK)
        st->changes = before - (int64_t)t->data.n_rows;
    return rc;
}
