/*
 * run.c -- executing statements: queries, EXPLAIN, and the dispatch to
 * DDL, DML and utility statements (run_ddl.c).
 */
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "api/api_int.h"
#include "exec/explain.h"
#include "exec/profile_build.h"

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
    memcache_set_budget(db->mc, (size_t)db->settings.cache_memory << 20);
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
    /* the profile is copied out before the thread arenas go */
    if (exec_build_profile(&st->ex, plan, st->sql, st->run_arena,
                           &st->profile) != EMBER_OK)
        st->profile = NULL;
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

/* One row, one column holding the whole text (EXPLAIN FORMAT JSON). */
static int result_one_text(ember_stmt *st, const char *col, const char *text,
                           Err *err)
{
    int rc = result_text_rows(st, col, "x\n", err);
    if (rc != EMBER_OK)
        return rc;
    Str *s = (Str *)st->result.cols[0].data;
    s[0] = str_copy(st->run_arena, text, (uint32_t)strlen(text));
    return arena_failed(st->run_arena) ? err_nomem(err) : EMBER_OK;
}

static int plan_inner(ember_stmt *st, const Stmt *in, PlanCtx *cx,
                      Plan **plan)
{
    if (in->kind == STMT_SELECT)
        return plan_query(cx, in->select, plan);
    if (in->kind == STMT_INSERT || in->kind == STMT_UPDATE ||
        in->kind == STMT_DELETE) {
        Table *t;
        int rc = dml_target(st, in, &t, cx->err);
        return rc == EMBER_OK ? plan_dml(cx, in, t, plan) : rc;
    }
    return err_set(cx->err, EMBER_ERROR, in->pos,
                   "EXPLAIN is not supported for this statement");
}

/* The profile of a plan that is not run (EXPLAIN (FORMAT JSON)): its
 * operators, names and estimates, every counter zero. In run_arena. */
static int plan_profile(ember_stmt *st, Plan *plan, QueryProfile **out,
                        Err *err)
{
    ExecCtx ex;
    int rc = exec_init(&ex, st->run_arena, plan, &st->db->settings, NULL,
                       st->db->mc, NULL, 0);
    if (rc == EMBER_OK)
        rc = exec_build_profile(&ex, plan, st->sql, st->run_arena, out);
    exec_release(&ex);
    if (rc != EMBER_OK)
        return err_nomem(err);
    (*out)->plan_only = true;
    return EMBER_OK;
}

/* EXPLAIN ANALYZE: run the plan with profiling on, like the statement
 * itself, and write the profile and trace files the settings ask for
 * (the changes of INSERT, UPDATE or DELETE are computed, not applied). */
static int analyze_plan(ember_stmt *st, Plan *plan, Err *err)
{
    bool saved = st->db->settings.profiling;
    st->db->settings.profiling = true;
    int rc = run_plan(st, plan, err);
    st->db->settings.profiling = saved;
    if (rc != EMBER_OK)
        return rc;
    st->has_result = true;
    rc = run_finish_profile(st, err);
    st->has_result = false;
    if (rc == EMBER_OK && st->profile == NULL)
        rc = err_nomem(err);
    return rc;
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
    bool json = st->ast->format && !strcasecmp(st->ast->format, "json");
    QueryProfile *qp = NULL;
    if (st->ast->analyze)
        rc = analyze_plan(st, plan, err);
    else if (json)
        rc = plan_profile(st, plan, &qp, err);
    if (rc != EMBER_OK)
        return rc;
    if (st->ast->analyze)
        qp = st->profile;
    StrBuf sb;
    sb_init(&sb);
    if (json)
        rc = profile_render_json(qp, &sb);
    else if (qp)
        rc = profile_render_text(qp, &sb);
    else
        rc = explain_plan(plan, NULL, st->run_arena, &sb);
    if (rc == EMBER_OK && sb.data)
        rc = json ? result_one_text(st, "plan", sb.data, err)
                  : result_text_rows(st, "plan", sb.data, err);
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

static int run_dispatch(ember_stmt *st, Err *err);

int run_statement(ember_stmt *st, Err *err)
{
    st->profile = NULL;
    st->t_run_start = clock_ns();
    mem_totals(&st->mem_start);
    int rc = run_dispatch(st, err);
    if (rc == EMBER_OK && st->ast->kind != STMT_EXPLAIN)
        rc = run_finish_profile(st, err);
    return rc;
}

static int run_dispatch(ember_stmt *st, Err *err)
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

/* Column names and types known before running. Planning a query, an
 * INSERT, UPDATE or DELETE, or the statement an EXPLAIN explains, now
 * also reports unknown tables and columns (and type errors) at prepare
 * time, with their offsets; the plan is dropped (run_arena is reset). */
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
    if (s->kind == STMT_INSERT || s->kind == STMT_UPDATE ||
        s->kind == STMT_DELETE) {
        /* planned now (and the plan dropped) to report unknown names and
         * type errors here, as for a query; no result columns */
        Table *t;
        st->n_cols = 0;
        rc = dml_target(st, s, &t, err);
        return rc == EMBER_OK ? plan_dml(&cx, s, t, &plan) : rc;
    }
    if (s->kind == STMT_EXPLAIN) {
        /* the explained statement is planned now for the same reason */
        rc = plan_inner(st, s->inner, &cx, &plan);
        if (rc != EMBER_OK)
            return rc;
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

/* ------------------------------------------------------------------------
 * Profiles
 * ------------------------------------------------------------------------ */

/* Fill the totals only the API layer knows. */
static void finish_profile(ember_stmt *st)
{
    QueryProfile *qp = st->profile;
    if (qp == NULL)
        return;
    MemCounters now;
    mem_totals(&now);
    qp->p.n_allocs = now.n_allocs - st->mem_start.n_allocs;
    qp->p.alloc_bytes = now.bytes - st->mem_start.bytes;
    qp->p.t_parse_ns = st->t_parse_ns;
    uint64_t now_ns = clock_ns();
    qp->p.t_total_ns = st->t_parse_ns + (now_ns - st->t_run_start);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    qp->p.start_unix_ns = (uint64_t)ts.tv_sec * 1000000000u +
                          (uint64_t)ts.tv_nsec - qp->p.t_total_ns;
    /* executor events count from the start of execution; the profile's
     * from the start of the query (the phases before run end to end) */
    uint64_t pre = qp->p.t_parse_ns + qp->p.t_bind_ns +
                   qp->p.t_optimize_ns + qp->p.t_physical_ns;
    for (int i = 0; i < qp->n_events; i++)
        qp->events[i].ts_ns += pre;
    qp->p.rows = st->has_result ? st->result.n_rows : (uint64_t)st->changes;
}

/* "x.pb.gz" -> "x" + suffix (or path + suffix). */
static char *sibling(Arena *a, const char *path, const char *suffix)
{
    size_t n = strlen(path);
    if (n > 6 && strcmp(path + n - 6, ".pb.gz") == 0)
        n -= 6;
    return arena_printf(a, "%.*s%s", (int)n, path, suffix);
}

/* Write the profile / trace files the settings ask for. A failure to
 * write is the statement's error (the user asked for the file). */
static int write_outputs(ember_stmt *st, Err *err)
{
    const Settings *s = &st->db->settings;
    QueryProfile *qp = st->profile;
    if (qp == NULL)
        return EMBER_OK;
    if (s->profile_output[0]) {
        char *sql_path = sibling(st->run_arena, s->profile_output, ".sql");
        char *cont = sibling(st->run_arena, s->profile_output,
                             ".contention.pb.gz");
        FILE *f = sql_path ? fopen(sql_path, "w") : NULL;
        if (f) {
            fputs(st->sql, f);
            fputc('\n', f);
            fclose(f);
        }
        int rc = pprof_write(qp, s->profile_output, sql_path, err);
        if (rc == EMBER_OK && cont)
            rc = pprof_write_contention(qp, cont, sql_path, err);
        if (rc != EMBER_OK)
            return rc;
    }
    if (s->trace_output[0])
        return trace_write(qp, s->trace_output, err);
    return EMBER_OK;
}

int run_finish_profile(ember_stmt *st, Err *err)
{
    finish_profile(st);
    return write_outputs(st, err);
}

int ember_stmt_profile(ember_stmt *st, const ember_profile **out)
{
    if (st == NULL || out == NULL)
        return EMBER_MISUSE;
    *out = st->profile ? &st->profile->p : NULL;
    return st->profile ? EMBER_OK : EMBER_MISUSE;
}

const char *ember_profile_text(ember_stmt *st, int json)
{
    if (st == NULL || st->profile == NULL)
        return NULL;
    StrBuf sb;
    sb_init(&sb);
    int rc = json ? profile_render_json(st->profile, &sb)
                  : profile_render_text(st->profile, &sb);
    if (rc != EMBER_OK || sb.data == NULL) {
        sb_release(&sb);
        return NULL;
    }
    st->profile_text = arena_strdup(st->run_arena, sb.data);
    sb_release(&sb);
    return st->profile_text;
}
