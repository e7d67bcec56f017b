/*
 * run.c -- executing statements: queries, EXPLAIN, and the dispatch to
 * DDL, DML and utility statements (run_ddl.c).
 */
#include <stdio.h>
#include <strings.h>

#include "api/api_int.h"
#include "exec/explain.h"

static void plan_ctx_for(ember_stmt *st, PlanCtx *cx, Err *err)
{
    plan_ctx_init(cx, st->run_arena, &st->db->catalog, &st->db->settings,
                  err, st->sql);
    cx->params = st->binds;
    cx->n_params_bound = st->n_params;
}

static void set_result_shape(ember_stmt *st, const Plan *p)
{
    st->n_cols = p->n_cols;
    st->names = p->names;
    st->types = p->types;
}

/* Execute plan; result rows into st->result. */
int run_plan(ember_stmt *st, Plan *plan, Err *err)
{
    ember_db *db = st->db;
    Value *params = arena_calloc(st->run_arena,
                                 sizeof(Value) * (size_t)(plan->n_params + 1));
    if (params == NULL)
        return err_nomem(err);
    for (int i = 0; i < plan->n_params; i++) {
        params[i] = value_null();
        params[i].type = plan->param_types[i];
    }
    int rc = exec_init(&st->ex, st->run_arena, plan, &db->settings,
                       api_pool(db), db->mc, params, plan->n_params);
    if (rc != EMBER_OK)
        return err_nomem(err);
    st->ex_live = true;
    rc = coll_init(&st->result, plan->n_cols, plan->types, st->run_arena,
                   db->mc, 0);
    if (rc == EMBER_OK)
        rc = exec_run(&st->ex, &st->result);
    if (rc != EMBER_OK) {
        *err = st->ex.err;
        if (err->code == EMBER_OK)
            err_set(err, rc, -1, "%s", ember_errstr(rc));
    }
    /* the thread arenas go now; results and stats live in run_arena */
    exec_release(&st->ex);
    st->ex_live = false;
    st->plan = plan;
    return rc == EMBER_OK ? EMBER_OK : err->code;
}

static int run_select(ember_stmt *st, Err *err)
{
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    int rc = plan_query(&cx, st->ast->select, &plan);
    if (rc != EMBER_OK)
        return rc;
    set_result_shape(st, plan);
    rc = run_plan(st, plan, err);
    st->has_result = rc == EMBER_OK;
    return rc;
}

/* Rows of text in one column (EXPLAIN output, SHOW CREATE...). */
int result_text_rows(ember_stmt *st, const char *col, const char *text,
                     Err *err)
{
    static Type vt;
    vt = type_varchar(-1);
    st->n_cols = 1;
    st->names = arena_alloc(st->run_arena, sizeof(char *));
    st->types = arena_alloc(st->run_arena, sizeof(Type));
    if (st->names == NULL || st->types == NULL)
        return err_nomem(err);
    st->names[0] = col;
    st->types[0] = vt;
    int rc = coll_init(&st->result, 1, st->types, st->run_arena,
                       st->db->mc, 0);
    if (rc != EMBER_OK)
        return err_nomem(err);
    Chunk c;
    if (chunk_init(&c, 1, st->types, st->run_arena) != EMBER_OK)
        return err_nomem(err);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        VEC_STR(&c.cols[0])[c.count++] = str_make(p, (uint32_t)n);
        if (c.count == VEC_SIZE || nl == NULL || nl[1] == 0) {
            if (coll_append(&st->result, &c) != EMBER_OK)
                return err_nomem(err);
            c.count = 0;
        }
        p = nl ? nl + 1 : p + n;
    }
    st->has_result = true;
    return EMBER_OK;
}

static int plan_inner(ember_stmt *st, const Stmt *in, PlanCtx *cx,
                      Plan **plan)
{
    Table *t = NULL;
    if (in->kind == STMT_INSERT || in->kind == STMT_UPDATE ||
        in->kind == STMT_DELETE) {
        t = catalog_table(&st->db->catalog, in->table);
        if (t == NULL)
            return err_set(cx->err, EMBER_NOTFOUND, in->pos,
                           "relation \"%s\" does not exist", in->table);
    }
    switch (in->kind) {
    case STMT_SELECT:
        return plan_query(cx, in->select, plan);
    case STMT_INSERT:
        return plan_insert(cx, in, t, plan);
    case STMT_UPDATE:
        return plan_update(cx, in, t, plan);
    case STMT_DELETE:
        return plan_delete(cx, in, t, plan);
    default:
        return err_set(cx->err, EMBER_ERROR, in->pos,
                       "EXPLAIN is not supported for this statement");
    }
}

static int run_explain(ember_stmt *st, Err *err)
{
    const Stmt *in = st->ast->inner;
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    int rc = plan_inner(st, in, &cx, &plan);
    if (rc != EMBER_OK)
        return rc;
    const OpStats *stats = NULL;
    if (st->ast->analyze) {
        bool saved = st->db->settings.profiling;
        st->db->settings.profiling = true;
        rc = run_plan(st, plan, err);
        st->db->settings.profiling = saved;
        if (rc != EMBER_OK)
            return rc;
        stats = st->ex.stats;
    }
    StrBuf sb;
    sb_init(&sb);
    rc = explain_plan(plan, stats, st->run_arena, &sb);
    if (rc == EMBER_OK && sb.data)
        rc = result_text_rows(st, "plan", sb.data, err);
    else if (rc != EMBER_OK)
        err_nomem(err);
    sb_release(&sb);
    return rc;
}

static int run_analyze(ember_stmt *st, Err *err)
{
    Catalog *c = &st->db->catalog;
    if (st->ast->table) {
        Table *t = catalog_table(c, st->ast->table);
        if (t == NULL)
            return err_set(err, EMBER_NOTFOUND, st->ast->pos,
                           "relation \"%s\" does not exist", st->ast->table);
        table_analyze(t);
        return EMBER_OK;
    }
    uint32_t it = 0;
    const char *k;
    void *v;
    while (namemap_next(&c->tables, &it, &k, &v))
        table_analyze(v);
    return EMBER_OK;
}

int run_statement(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    switch (s->kind) {
    case STMT_SELECT:
        return run_select(st, err);
    case STMT_EXPLAIN:
        return run_explain(st, err);
    case STMT_CREATE_TABLE:
        return run_create_table(st, err);
    case STMT_CREATE_VIEW:
        return run_create_view(st, err);
    case STMT_CREATE_INDEX:
        return run_create_index(st, err);
    case STMT_DROP:
        return run_drop(st, err);
    case STMT_INSERT:
        return run_insert(st, err);
    case STMT_UPDATE:
        return run_update(st, err);
    case STMT_DELETE:
        return run_delete(st, err);
    case STMT_COPY:
        return run_copy(st, err);
    case STMT_SET:
    case STMT_RESET:
        return run_set(st, err);
    case STMT_SHOW:
        return run_show(st, err);
    case STMT_CALL:
        return run_call(st, err);
    case STMT_ANALYZE:
        return run_analyze(st, err);
    case STMT_REINDEX:
        return catalog_reindex(&st->db->catalog, s->table, err);
    case STMT_BEGIN:
    case STMT_COMMIT:
    case STMT_ROLLBACK:
        return err_set(err, EMBER_ERROR, s->pos,
                       "transactions are not supported: every statement "
                       "is applied on its own, completely or not at all");
    }
    return err_set(err, EMBER_INTERNAL, s->pos, "unknown statement kind %d",
                   s->kind);
}

/* Keep a result shape in the statement's own arena (it outlives runs). */
static int keep_shape(ember_stmt *st, int n, const char *const *names,
                      const Type *types, Err *err)
{
    st->n_cols = n;
    st->names = arena_alloc(st->ast_arena, sizeof(char *) * (size_t)(n + 1));
    st->types = arena_alloc(st->ast_arena, sizeof(Type) * (size_t)(n + 1));
    if (st->names == NULL || st->types == NULL)
        return err_nomem(err);
    for (int i = 0; i < n; i++) {
        st->names[i] = arena_strdup(st->ast_arena,
                                    names[i] ? names[i] : "?column?");
        st->types[i] = types[i];
    }
    return EMBER_OK;
}

/* The catalog rows a SHOW / PRAGMA / CALL returns, or NULL. */
static const char *info_kind(const Stmt *s, const char **arg)
{
    *arg = NULL;
    if (s->kind == STMT_SHOW && s->name) {
        if (!strcasecmp(s->name, "tables"))
            return "tables";
        if (!strcasecmp(s->name, "all"))
            return "settings";
    }
    if (s->kind == STMT_CALL && s->name && s->n_args == 1 &&
        s->args[0]->kind == AE_STRING &&
        (!strcasecmp(s->name, "stats") || !strcasecmp(s->name, "pragma_stats"))) {
        *arg = s->args[0]->sval;
        return "stats";
    }
    return NULL;
}

/* Column names and types known before running. Planning a query now also
 * reports unknown tables and columns at prepare time. */
int describe_statement(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    Type vt = type_varchar(-1);
    const char *arg;
    const char *info = info_kind(s, &arg);
    int rc;
    if (s->kind == STMT_SELECT) {
        rc = plan_query(&cx, s->select, &plan);
        if (rc != EMBER_OK)
            return rc;
        return keep_shape(st, plan->n_cols, plan->names, plan->types, err);
    }
    if (info) {
        rc = plan_info_rows(&cx, info, arg, s->pos, &plan);
        if (rc != EMBER_OK)
            return rc;
        return keep_shape(st, plan->n_cols, plan->names, plan->types, err);
    }
    if (s->kind == STMT_EXPLAIN) {
        const char *name = "plan";
        return keep_shape(st, 1, &name, &vt, err);
    }
    if (s->kind == STMT_SHOW) {
        const char *name = !strcasecmp(s->name, "schema") ||
                                   !strcasecmp(s->name, "create_table")
                               ? "sql"
                               : s->name;
        return keep_shape(st, 1, &name, &vt, err);
    }
    st->n_cols = 0;
    return EMBER_OK;
}
