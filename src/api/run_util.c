/*
 * run_util.c -- COPY, SET / RESET / SHOW / PRAGMA and CALL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "api/api_int.h"

static void plan_ctx_for(ember_stmt *st, PlanCtx *cx, Err *err)
{
    plan_ctx_init(cx, st->run_arena, &st->db->catalog, &st->db->settings,
                  err, st->sql);
    cx->params = st->binds;
    cx->n_params_bound = st->n_params;
}

/* A constant option or setting value as text (strings unquoted). */
static int value_text(ember_stmt *st, const AExpr *e, char *buf, size_t cap,
                      Err *err)
{
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Value v;
    int rc = plan_const_expr(&cx, e, &v);
    if (rc != EMBER_OK)
        return rc;
    if (v.is_null)
        return err_set(err, EMBER_ERROR, e->pos, "value must not be NULL");
    if (v.type.id == TYPE_BOOL)
        snprintf(buf, cap, "%s", v.v.i ? "on" : "off");
    else
        value_format(&v, buf, cap);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * COPY
 * ------------------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int one_char(const char *v, const char *what, int pos, char *out,
                    Err *err)
{
    if (strlen(v) > 1)
        return err_set(err, EMBER_ERROR, pos,
                       "COPY %s must be a single one-byte character", what);
    *out = v[0];
    return EMBER_OK;
}

static int copy_options(ember_stmt *st, CsvOptions *o, Err *err)
{
    const Stmt *s = st->ast;
    bool tbl = ends_with(s->file, ".tbl");
    memset(o, 0, sizeof(*o));
    o->delim = tbl ? '|' : ',';
    o->quote = tbl ? 0 : '"';
    o->null_str = "";
    o->n_threads = st->db->settings.threads;
    for (int i = 0; i < s->n_options; i++) {
        const CopyOption *op = &s->options[i];
        char v[256] = "true";
        if (op->value) {
            int rc = value_text(st, op->value, v, sizeof(v), err);
            if (rc != EMBER_OK)
                return rc;
        }
        int rc = EMBER_OK;
        if (!strcmp(op->name, "delimiter") || !strcmp(op->name, "delim") ||
            !strcmp(op->name, "sep"))
            rc = one_char(v, "delimiter", op->pos, &o->delim, err);
        else if (!strcmp(op->name, "quote"))
            rc = one_char(v, "quote", op->pos, &o->quote, err);
        else if (!strcmp(op->name, "escape"))
            rc = one_char(v, "escape", op->pos, &o->escape, err);
        else if (!strcmp(op->name, "header"))
            o->header = !strcasecmp(v, "true") || !strcasecmp(v, "on") ||
                        !strcmp(v, "1");
        else if (!strcmp(op->name, "null"))
            o->null_str = arena_strdup(st->run_arena, v);
        else if (!strcmp(op->name, "csv"))
            o->quote = o->quote ? o->quote : '"';
        else if (!strcmp(op->name, "format")) {
            if (!strcasecmp(v, "text")) {
                o->delim = '\t';
                o->quote = 0;
            } else if (strcasecmp(v, "csv")) {
                rc = err_set(err, EMBER_ERROR, op->pos,
                             "COPY format \"%s\" not recognized", v);
            }
        } else {
            rc = err_set(err, EMBER_ERROR, op->pos,
                         "option \"%s\" not recognized", op->name);
        }
        if (rc != EMBER_OK)
            return rc;
    }
    if (o->null_str == NULL)
        return err_nomem(err);
    return EMBER_OK;
}

static int copy_from(ember_stmt *st, const CsvOptions *o, Err *err)
{
    const Stmt *s = st->ast;
    Table *t = catalog_table(&st->db->catalog, s->table);
    if (t == NULL)
        return err_set(err, EMBER_NOTFOUND, s->pos,
                       "relation \"%s\" does not exist", s->table);
    if (s->n_columns)
        return err_set(err, EMBER_ERROR, s->pos,
                       "COPY with a column list is not supported");
    t->stats_frozen = st->db->settings.stats_frozen;
    /* The reader folds the statistics of the new rows while it parses. */
    CsvOptions ro = *o;
    ro.stats = NULL;
    if (!t->stats_frozen) {
        ro.stats = mem_alloc(sizeof(ColStats) * (size_t)t->n_cols);
        if (ro.stats == NULL)
            return err_nomem(err);
        for (int c = 0; c < t->n_cols; c++)
            colstats_init(&ro.stats[c]);
    }
    TableMark m = table_begin_append(t);
    uint64_t n = 0;
    int rc = csv_read(&t->data, s->file, &ro,
                      (struct ThreadPool *)api_pool(st->db), &n, err);
    if (rc == EMBER_OK)
        rc = table_commit_append_stats(t, m, ro.stats,
                                       (struct ThreadPool *)api_pool(st->db),
                                       ro.n_threads, err);
    if (rc == EMBER_OK)
        st->changes = (int64_t)n;
    for (int c = 0; ro.stats && c < t->n_cols; c++)
        colstats_release(&ro.stats[c]);
    mem_free(ro.stats);
    return rc;
}

static int copy_to(ember_stmt *st, const CsvOptions *o, Err *err)
{
    const Stmt *s = st->ast;
    const SelectStmt *q = s->select;
    SelectStmt all;
    ResTarget star;
    AExpr st_expr;
    TableRef tr;
    TableRef *from = &tr;
    if (q == NULL) {
        memset(&all, 0, sizeof(all));
        memset(&st_expr, 0, sizeof(st_expr));
        memset(&tr, 0, sizeof(tr));
        st_expr.kind = AE_STAR;
        star.expr = &st_expr;
        star.alias = NULL;
        tr.kind = TR_TABLE;
        tr.name = s->table;
        tr.pos = s->pos;
        all.targets = &star;
        all.n_targets = 1;
        all.from = &from;
        all.n_from = 1;
        q = &all;
    }
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    int rc = plan_query(&cx, q, &plan);
    if (rc == EMBER_OK)
        rc = run_plan(st, plan, err);
    if (rc != EMBER_OK)
        return rc;
    CsvWriter *w;
    rc = csv_writer_open(&w, s->file, o, plan->n_cols,
                         (const char *const *)plan->names, err);
    if (rc != EMBER_OK)
        return rc;
    Chunk c;
    rc = chunk_init(&c, plan->n_cols, plan->types, st->run_arena);
    for (uint64_t off = 0; rc == EMBER_OK && off < st->result.n_rows;
         off += VEC_SIZE) {
        uint32_t n = (uint32_t)MIN(VEC_SIZE, st->result.n_rows - off);
        for (int i = 0; i < plan->n_cols; i++)
            coll_view(&st->result, off, n, i, &c.cols[i]);
        c.count = n;
        c.sel = NULL;
        rc = csv_writer_chunk(w, &c, err);
    }
    int rc2 = csv_writer_close(w, err);
    if (rc == EMBER_OK)
        rc = rc2;
    if (rc == EMBER_OK)
        st->changes = (int64_t)st->result.n_rows;
    st->has_result = false;
    return rc;
}

int run_copy(ember_stmt *st, Err *err)
{
    CsvOptions o;
    int rc = copy_options(st, &o, err);
    if (rc != EMBER_OK)
        return rc;
    return st->ast->copy_to ? copy_to(st, &o, err) : copy_from(st, &o, err);
}

/* ------------------------------------------------------------------------
 * Settings
 * ------------------------------------------------------------------------ */

int run_set(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Settings *set = &st->db->settings;
    char v[300];
    if (s->kind == STMT_RESET) {
        Settings def;
        settings_default(&def);
        if (strcasecmp(s->name, "all") == 0) {
            *set = def;
            return EMBER_OK;
        }
        if (settings_get(&def, s->name, v, sizeof(v)) != EMBER_OK)
            return err_set(err, EMBER_NOTFOUND, s->pos,
                           "unrecognized configuration parameter \"%s\"",
                           s->name);
    } else {
        int rc = value_text(st, s->value, v, sizeof(v), err);
        if (rc != EMBER_OK)
            return rc;
    }
    int rc = settings_set(set, s->name, v, err);
    if (rc != EMBER_OK && err->pos < 0)
        err->pos = s->pos;
    return rc;
}

/* ------------------------------------------------------------------------
 * SHOW / PRAGMA / CALL
 * ------------------------------------------------------------------------ */

static void table_ddl(const Table *t, StrBuf *sb)
{
    char tb[32];
    sb_printf(sb, "CREATE TABLE %s (", t->name);
    for (int i = 0; i < t->n_cols; i++) {
        const Column *c = &t->cols[i];
        sb_printf(sb, "%s%s %s", i ? ", " : "", c->name,
                  type_name(c->type, tb, sizeof(tb)));
        if (c->not_null)
            sb_puts(sb, " NOT NULL");
        if (c->has_default) {
            char vb[128];
            value_format(&c->default_val, vb, sizeof(vb));
            if (c->default_val.type.id == TYPE_VARCHAR &&
                !c->default_val.is_null)
                sb_printf(sb, " DEFAULT '%s'", vb);
            else
                sb_printf(sb, " DEFAULT %s", vb);
        }
    }
    for (int i = 0; i < t->n_indexes; i++) {
        const Index *ix = t->indexes[i];
        if (!ix->constraint)
            continue;
        sb_puts(sb, ix->primary ? ", PRIMARY KEY (" : ", UNIQUE (");
        for (int k = 0; k < ix->n_cols; k++)
            sb_printf(sb, "%s%s", k ? ", " : "", t->cols[ix->cols[k]].name);
        sb_putc(sb, ')');
    }
    sb_puts(sb, ");\n");
    for (int i = 0; i < t->n_indexes; i++) {
        const Index *ix = t->indexes[i];
        if (ix->constraint)
            continue;
        sb_printf(sb, "CREATE %sINDEX %s ON %s (", ix->unique ? "UNIQUE " : "",
                  ix->name, t->name);
        for (int k = 0; k < ix->n_cols; k++)
            sb_printf(sb, "%s%s", k ? ", " : "", t->cols[ix->cols[k]].name);
        sb_puts(sb, ");\n");
    }
}

static int show_schema(ember_stmt *st, const char *only, Err *err)
{
    Catalog *c = &st->db->catalog;
    StrBuf sb;
    sb_init(&sb);
    if (only) {
        Table *t = catalog_table(c, only);
        View *v = t ? NULL : catalog_view(c, only);
        if (t == NULL && v == NULL) {
            sb_release(&sb);
            return err_set(err, EMBER_NOTFOUND, st->ast->pos,
                           "relation \"%s\" does not exist", only);
        }
        if (t)
            table_ddl(t, &sb);
        else
            sb_printf(&sb, "CREATE VIEW %s AS %s;\n", v->name, v->sql);
    } else {
        uint32_t it = 0;
        const char *k;
        void *val;
        while (namemap_next(&c->tables, &it, &k, &val))
            table_ddl(val, &sb);
        it = 0;
        while (namemap_next(&c->views, &it, &k, &val)) {
            View *v = val;
            sb_printf(&sb, "CREATE VIEW %s AS %s;\n", v->name, v->sql);
        }
    }
    int rc = sb.failed ? err_nomem(err)
                       : result_text_rows(st, "sql", sb.data ? sb.data : "",
                                          err);
    sb_release(&sb);
    return rc;
}

static int show_rows(ember_stmt *st, const char *what, const char *arg,
                     Err *err)
{
    PlanCtx cx;
    plan_ctx_for(st, &cx, err);
    Plan *plan;
    int rc = plan_info_rows(&cx, what, arg, st->ast->pos, &plan);
    if (rc != EMBER_OK)
        return rc;
    st->n_cols = plan->n_cols;
    st->names = plan->names;
    st->types = plan->types;
    rc = run_plan(st, plan, err);
    st->has_result = rc == EMBER_OK;
    return rc;
}

int run_show(ember_stmt *st, Err *err)
{
    const char *name = st->ast->name;
    if (!strcasecmp(name, "tables"))
        return show_rows(st, "tables", NULL, err);
    if (!strcasecmp(name, "all"))
        return show_rows(st, "settings", NULL, err);
    if (!strcasecmp(name, "schema"))
        return show_schema(st, NULL, err);
    if (!strcasecmp(name, "create_table"))
        return show_schema(st, st->ast->table, err);
    char v[300];
    if (settings_get(&st->db->settings, name, v, sizeof(v)) != EMBER_OK)
        return err_set(err, EMBER_NOTFOUND, st->ast->pos,
                       "unrecognized configuration parameter \"%s\"", name);
    char line[320];
    snprintf(line, sizeof(line), "%s\n", v);
    return result_text_rows(st, arena_strdup(st->run_arena, name), line, err);
}

/* CALL dbgen(sf => N): create and fill the eight TPC-H tables. */
static int run_dbgen(ember_stmt *st, Err *err)
{
    const Stmt *s = st->ast;
    Catalog *c = &st->db->catalog;
    double sf = 1;
    for (int i = 0; i < s->n_args; i++) {
        const char *an = s->arg_names ? s->arg_names[i] : NULL;
        if (an && strcasecmp(an, "sf") != 0)
            return err_set(err, EMBER_ERROR, s->args[i]->pos,
                           "dbgen has no argument \"%s\"", an);
        char v[64];
        int rc = value_text(st, s->args[i], v, sizeof(v), err);
        if (rc != EMBER_OK)
            return rc;
        char *end;
        sf = strtod(v, &end);
        if (*end || !(sf > 0 && sf <= 100))
            return err_set(err, EMBER_ERROR, s->args[i]->pos,
                           "dbgen: sf must be a number in (0, 100]");
    }
    for (int t = 0; t < TPCH__N; t++)
        if (catalog_table(c, tpch_table_name(t)) ||
            catalog_view(c, tpch_table_name(t)))
            return err_set(err, EMBER_EXISTS, s->pos,
                           "relation \"%s\" already exists",
                           tpch_table_name(t));
    TableData *data[TPCH__N];
    Table *tables[TPCH__N];
    int rc = EMBER_OK;
    int made = 0;
    for (int t = 0; t < TPCH__N && rc == EMBER_OK; t++) {
        int n;
        const char *const *names;
        const Type *types;
        tpch_schema(t, &n, &names, &types);
        Column cols[16];
        memset(cols, 0, sizeof(cols));
        for (int i = 0; i < n; i++) {
            cols[i].name = (char *)names[i];
            cols[i].type = types[i];
        }
        rc = catalog_create_table(c, tpch_table_name(t), n, cols, &tables[t],
                                  err);
        if (rc == EMBER_OK) {
            data[t] = &tables[t]->data;
            made++;
        }
    }
    ThreadPool *pool = api_pool(st->db);
    int threads = st->db->settings.threads;
    if (rc == EMBER_OK)
        rc = tpch_generate(sf, data, (struct ThreadPool *)pool, threads, err);
    uint64_t rows = 0;
    for (int t = 0; rc == EMBER_OK && t < TPCH__N; t++) {
        table_analyze_parallel(tables[t], (struct ThreadPool *)pool, threads);
        tdata_seal(&tables[t]->data, tables[t]->data.n_rows,
                   (struct ThreadPool *)pool, threads);
        tables[t]->version++;
        rows += tables[t]->data.n_rows;
    }
    if (rc != EMBER_OK) {
        Err ignore;
        err_clear(&ignore);
        for (int t = 0; t < made; t++)
            catalog_drop_table(c, tpch_table_name(t), true, &ignore);
        return rc;
    }
    st->changes = (int64_t)rows;
    return EMBER_OK;
}

int run_call(ember_stmt *st, Err *err)
{
    if (!strcasecmp(st->ast->name, "dbgen") && !st->ast->pragma)
        return run_dbgen(st, err);
    const Stmt *s = st->ast;
    char v[300];
    /* PRAGMA setting(value) is a SET */
    if (s->pragma && s->n_args == 1 &&
        settings_get(&st->db->settings, s->name, v, sizeof(v)) == EMBER_OK) {
        int rc = value_text(st, s->args[0], v, sizeof(v), err);
        if (rc != EMBER_OK)
            return rc;
        return settings_set(&st->db->settings, s->name, v, err);
    }
    if (!strcasecmp(s->name, "stats") || !strcasecmp(s->name, "pragma_stats")) {
        if (s->n_args != 1 || s->args[0]->kind != AE_STRING)
            return err_set(err, EMBER_ERROR, s->pos,
                           "%s expects a table name", s->name);
        return show_rows(st, "stats", s->args[0]->sval, err);
    }
    return err_set(err, EMBER_NOTFOUND, s->pos,
                   "function %s does not exist", s->name);
}
