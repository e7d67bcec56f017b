/*
 * catalog.c -- tables, views and indexes by name, and the all-or-nothing
 * rules for changing table data.
 */
#include <stdio.h>

#include "catalog/catalog.h"
#include "exec/pool.h"

void catalog_init(Catalog *c)
{
    namemap_init(&c->tables, true);
    namemap_init(&c->views, true);
    namemap_init(&c->indexes, true);
}

static void index_free(Index *ix)
{
    hindex_release(&ix->hidx);
    mem_free(ix->name);
    mem_free(ix);
}

static void table_free(Table *t)
{
    for (int i = 0; i < t->n_cols; i++) {
        mem_free(t->cols[i].name);
        mem_free(t->cols[i].def_buf);
        colstats_release(&t->stats[i]);
    }
    for (int i = 0; i < t->n_indexes; i++)
        index_free(t->indexes[i]);
    mem_free(t->indexes);
    mem_free(t->stats);
    mem_free(t->cols);
    tdata_release(&t->data);
    mem_free(t->name);
    mem_free(t);
}

static void view_free(View *v)
{
    for (int i = 0; i < v->n_col_aliases; i++)
        mem_free(v->col_aliases[i]);
    mem_free(v->col_aliases);
    mem_free(v->sql);
    mem_free(v->name);
    mem_free(v);
}

void catalog_release(Catalog *c)
{
    uint32_t pos = 0;
    const char *k;
    void *v;
    while (namemap_next(&c->tables, &pos, &k, &v))
        table_free(v);
    pos = 0;
    while (namemap_next(&c->views, &pos, &k, &v))
        view_free(v);
    namemap_release(&c->tables);
    namemap_release(&c->views);
    namemap_release(&c->indexes);
}

Table *catalog_table(const Catalog *c, const char *name)
{
    return namemap_get(&c->tables, name);
}

View *catalog_view(const Catalog *c, const char *name)
{
    return namemap_get(&c->views, name);
}

Index *catalog_index(const Catalog *c, const char *name)
{
    return namemap_get(&c->indexes, name);
}

int table_column_index(const Table *t, const char *name)
{
    for (int i = 0; i < t->n_cols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0)
            return i;
    return -1;
}

static int name_taken(const Catalog *c, const char *name, Err *err)
{
    if (catalog_table(c, name) || catalog_view(c, name) ||
        catalog_index(c, name))
        return err_set(err, EMBER_EXISTS, -1,
                       "relation \"%s\" already exists", name);
    return EMBER_OK;
}

int catalog_create_table(Catalog *c, const char *name, int n_cols,
                         const Column *cols, Table **out, Err *err)
{
    int rc = name_taken(c, name, err);
    if (rc != EMBER_OK)
        return rc;
    Table *t = mem_calloc(sizeof(*t));
    if (t == NULL)
        return err_nomem(err);
    t->name = mem_strdup(name);
    t->cols = mem_calloc(sizeof(Column) * (size_t)(n_cols ? n_cols : 1));
    t->stats = mem_calloc(sizeof(ColStats) * (size_t)(n_cols ? n_cols : 1));
    Type *types = mem_alloc(sizeof(Type) * (size_t)(n_cols ? n_cols : 1));
    if (!t->name || !t->cols || !t->stats || !types)
        goto nomem;
    t->n_cols = n_cols;
    for (int i = 0; i < n_cols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].def_buf = NULL;
        t->cols[i].name = mem_strdup(cols[i].name);
        if (t->cols[i].name == NULL)
            goto nomem;
        if (cols[i].has_default && !cols[i].default_val.is_null &&
            cols[i].default_val.type.id == TYPE_VARCHAR) {
            const Str *s = &cols[i].default_val.v.s;
            t->cols[i].def_buf = mem_alloc(s->len + 1);
            if (t->cols[i].def_buf == NULL)
                goto nomem;
            memcpy(t->cols[i].def_buf, str_data(s), s->len);
            t->cols[i].default_val.v.s =
                str_make(t->cols[i].def_buf, s->len);
        }
        colstats_init(&t->stats[i]);
        types[i] = cols[i].type;
    }
    if (tdata_init(&t->data, n_cols, types) != EMBER_OK)
        goto nomem;
    mem_free(types);
    if (namemap_put(&c->tables, name, t) != EMBER_OK) {
        table_free(t);
        return err_nomem(err);
    }
    *out = t;
    return EMBER_OK;
nomem:
    mem_free(types);
    table_free(t);
    return err_nomem(err);
}

int catalog_drop_table(Catalog *c, const char *name, bool if_exists,
                       Err *err)
{
    Table *t = catalog_table(c, name);
    if (t == NULL) {
        if (if_exists)
            return EMBER_OK;
        if (catalog_view(c, name))
            return err_set(err, EMBER_ERROR, -1,
                           "\"%s\" is not a table", name);
        return err_set(err, EMBER_NOTFOUND, -1,
                       "table \"%s\" does not exist", name);
    }
    for (int i = 0; i < t->n_indexes; i++)
        namemap_del(&c->indexes, t->indexes[i]->name);
    namemap_del(&c->tables, name);
    table_free(t);
    return EMBER_OK;
}

int catalog_create_view(Catalog *c, const char *name, const char *sql,
                        int n_aliases, const char *const *aliases, Err *err)
{
    int rc = name_taken(c, name, err);
    if (rc != EMBER_OK)
        return rc;
    View *v = mem_calloc(sizeof(*v));
    if (v == NULL)
        return err_nomem(err);
    v->name = mem_strdup(name);
    v->sql = mem_strdup(sql);
    if (n_aliases)
        v->col_aliases = mem_calloc(sizeof(char *) * (size_t)n_aliases);
    if (!v->name || !v->sql || (n_aliases && !v->col_aliases)) {
        view_free(v);
        return err_nomem(err);
    }
    for (int i = 0; i < n_aliases; i++) {
        v->col_aliases[i] = mem_strdup(aliases[i]);
        v->n_col_aliases++;
        if (v->col_aliases[i] == NULL) {
            view_free(v);
            return err_nomem(err);
        }
    }
    if (namemap_put(&c->views, name, v) != EMBER_OK) {
        view_free(v);
        return err_nomem(err);
    }
    return EMBER_OK;
}

int catalog_drop_view(Catalog *c, const char *name, bool if_exists,
                      Err *err)
{
    View *v = catalog_view(c, name);
    if (v == NULL) {
        if (if_exists)
            return EMBER_OK;
        if (catalog_table(c, name))
            return err_set(err, EMBER_ERROR, -1,
                           "\"%s\" is not a view", name);
        return err_set(err, EMBER_NOTFOUND, -1,
                       "view \"%s\" does not exist", name);
    }
    namemap_del(&c->views, name);
    view_free(v);
    return EMBER_OK;
}

static int dup_key_error(const Index *ix, Err *err)
{
    return err_set(err, EMBER_CONSTRAINT, -1,
                   "duplicate key value violates unique constraint \"%s\"",
                   ix->name);
}

int catalog_create_index(Catalog *c, const char *name, Table *t, int n_cols,
                         const int *cols, bool unique, bool constraint,
                         bool primary, Err *err)
{
    if (catalog_index(c, name) || catalog_table(c, name) ||
        catalog_view(c, name))
        return err_set(err, EMBER_EXISTS, -1,
                       "relation \"%s\" already exists", name);
    if (n_cols > 8)
        return err_set(err, EMBER_ERROR, -1,
                       "cannot use more than 8 columns in an index");
    Index *ix = mem_calloc(sizeof(*ix));
    Index **list = mem_realloc(t->indexes,
                               sizeof(Index *) * (size_t)(t->n_indexes + 1));
    if (ix == NULL || list == NULL) {
        mem_free(ix);
        if (list)
            t->indexes = list;
        return err_nomem(err);
    }
    t->indexes = list;
    ix->name = mem_strdup(name);
    ix->table = t;
    ix->n_cols = n_cols;
    memcpy(ix->cols, cols, sizeof(int) * (size_t)n_cols);
    ix->unique = unique;
    ix->constraint = constraint;
    ix->primary = primary;
    hindex_init(&ix->hidx, n_cols, cols, unique);
    uint64_t dup = 0;
    int rc = ix->name ? hindex_rebuild(&ix->hidx, &t->data, &dup)
                      : EMBER_NOMEM;
    if (rc == EMBER_OK && namemap_put(&c->indexes, name, ix) != EMBER_OK)
        rc = EMBER_NOMEM;
    if (rc != EMBER_OK) {
        if (rc == EMBER_CONSTRAINT)
            err_set(err, rc, -1, "could not create unique index \"%s\": "
                    "key is duplicated", name);
        else
            err_nomem(err);
        index_free(ix);
        return rc;
    }
    t->indexes[t->n_indexes++] = ix;
    return EMBER_OK;
}

int catalog_drop_index(Catalog *c, const char *name, bool if_exists,
                       Err *err)
{
    Index *ix = catalog_index(c, name);
    if (ix == NULL) {
        if (if_exists)
            return EMBER_OK;
        return err_set(err, EMBER_NOTFOUND, -1,
                       "index \"%s\" does not exist", name);
    }
    if (ix->constraint)
        return err_set(err, EMBER_ERROR, -1,
                       "cannot drop index %s because constraint %s on "
                       "table %s requires it", name, name, ix->table->name);
    Table *t = ix->table;
    for (int i = 0; i < t->n_indexes; i++) {
        if (t->indexes[i] == ix) {
            memmove(&t->indexes[i], &t->indexes[i + 1],
                    sizeof(Index *) * (size_t)(t->n_indexes - i - 1));
            t->n_indexes--;
            break;
        }
    }
    namemap_del(&c->indexes, name);
    index_free(ix);
    return EMBER_OK;
}

int catalog_reindex(Catalog *c, const char *name, Err *err)
{
    if (name == NULL) {
        /* REINDEX with no name: every table */
        uint32_t it = 0;
        const char *k;
        void *v;
        while (namemap_next(&c->tables, &it, &k, &v)) {
            int rc = catalog_reindex(c, ((Table *)v)->name, err);
            if (rc != EMBER_OK)
                return rc;
        }
        return EMBER_OK;
    }
    Index *ix = catalog_index(c, name);
    Table *t = ix ? ix->table : catalog_table(c, name);
    if (t == NULL)
        return err_set(err, EMBER_NOTFOUND, -1,
                       "index \"%s\" does not exist", name);
    for (int i = 0; i < t->n_indexes; i++) {
        if (ix && t->indexes[i] != ix)
            continue;
        uint64_t dup;
        int rc = hindex_rebuild(&t->indexes[i]->hidx, &t->data, &dup);
        if (rc == EMBER_CONSTRAINT)
            return dup_key_error(t->indexes[i], err);
        if (rc != EMBER_OK)
            return err_nomem(err);
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Changing data
 * ------------------------------------------------------------------------ */

TableMark table_begin_append(Table *t)
{
    return tdata_mark(&t->data);
}

static int check_not_null(Table *t, uint64_t from, Err *err)
{
    for (int c = 0; c < t->n_cols; c++) {
        if (!t->cols[c].not_null)
            continue;
        for (uint64_t r = from; r < t->data.n_rows; r++) {
            const RowGroup *g = t->data.groups[r / RG_ROWS];
            if (g->cols[c].validity == NULL) {
                r = (r / RG_ROWS + 1) * RG_ROWS - 1;
                continue;
            }
            if (tdata_is_null(&t->data, r, c))
                return err_set(err, EMBER_CONSTRAINT, -1,
                               "null value in column \"%s\" of relation "
                               "\"%s\" violates not-null constraint",
                               t->cols[c].name, t->name);
        }
    }
    return EMBER_OK;
}

/* Characters (UTF-8 code points) of a string. */
static uint32_t utf8_chars(const Str *s)
{
    const unsigned char *p = (const unsigned char *)str_data(s);
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->len; i++)
        n += (p[i] & 0xC0) != 0x80;
    return n;
}

/* VARCHAR(n) holds at most n characters (PostgreSQL's rule). */
static int check_lengths(Table *t, uint64_t from, Err *err)
{
    for (int c = 0; c < t->n_cols; c++) {
        Type ty = t->cols[c].type;
        if (ty.id != TYPE_VARCHAR || ty.len < 0)
            continue;
        for (uint64_t r = from; r < t->data.n_rows; r++) {
            if (tdata_is_null(&t->data, r, c))
                continue;
            const Str *s = tdata_cell(&t->data, r, c);
            if (s->len > (uint32_t)ty.len && utf8_chars(s) > (uint32_t)ty.len)
                return err_set(err, EMBER_CONSTRAINT, -1,
                               "value too long for type character "
                               "varying(%d) in column \"%s\"", ty.len,
                               t->cols[c].name);
        }
    }
    return EMBER_OK;
}

/* Fold rows [from, n_rows) into the column statistics. */
static void stats_add_rows(Table *t, uint64_t from)
{
    Str buf[VEC_SIZE];
    Vector v;
    memset(&v, 0, sizeof(v));
    for (int c = 0; c < t->n_cols; c++) {
        v.type = t->data.types[c];
        v.phys = (uint8_t)type_phys(v.type);
        for (uint64_t r = from; r < t->data.n_rows;) {
            uint32_t g = (uint32_t)(r / RG_ROWS);
            uint32_t off = (uint32_t)(r % RG_ROWS);
            uint32_t vec_off = off & ~(uint32_t)(VEC_SIZE - 1);
            uint32_t rows = t->data.groups[g]->n_rows;
            uint32_t n = MIN(VEC_SIZE, rows - vec_off);
            tdata_view(&t->data, g, vec_off, n, c, &v, buf);
            SelIdx sel[VEC_SIZE];
            uint32_t m = 0;
            for (uint32_t k = off - vec_off; k < n; k++)
                sel[m++] = (SelIdx)k;
            colstats_add(&t->stats[c], &v, sel, m);
            r += m;
        }
    }
}

int table_commit_append(Table *t, TableMark m, Err *err)
{
    return table_commit_append_stats(t, m, NULL, NULL, 1, err);
}

int table_commit_append_stats(Table *t, TableMark m, const ColStats *added,
                              struct ThreadPool *pool, int n_threads,
                              Err *err)
{
    int rc = check_not_null(t, m.n_rows, err);
    if (rc == EMBER_OK)
        rc = check_lengths(t, m.n_rows, err);
    for (int i = 0; rc == EMBER_OK && i < t->n_indexes; i++) {
        uint64_t dup;
        rc = hindex_add_range(&t->indexes[i]->hidx, &t->data, m.n_rows,
                              t->data.n_rows, &dup);
        if (rc == EMBER_CONSTRAINT)
            dup_key_error(t->indexes[i], err);
        else if (rc != EMBER_OK)
            err_nomem(err);
    }
    if (rc != EMBER_OK) {
        table_abort_append(t, m);
        return rc;
    }
    if (!t->stats_frozen && added)
        for (int c = 0; c < t->n_cols; c++)
            colstats_merge(&t->stats[c], &added[c]);
    else if (!t->stats_frozen)
        stats_add_rows(t, m.n_rows);
    tdata_seal(&t->data, t->data.n_rows - m.n_rows, pool, n_threads);
    t->version++;
    return EMBER_OK;
}

void table_abort_append(Table *t, TableMark m)
{
    bool had_rows = t->data.n_rows > m.n_rows;
    tdata_truncate(&t->data, m);
    if (!had_rows)
        return;
    /* Index entries for the undone rows may exist: rebuild. */
    for (int i = 0; i < t->n_indexes; i++) {
        uint64_t dup;
        hindex_rebuild(&t->indexes[i]->hidx, &t->data, &dup);
    }
}

int table_replace_data(Table *t, TableData *data, Err *err)
{
    TableData old = t->data;
    t->data = *data;
    int rc = check_not_null(t, 0, err);
    if (rc == EMBER_OK)
        rc = check_lengths(t, 0, err);
    for (int i = 0; rc == EMBER_OK && i < t->n_indexes; i++) {
        uint64_t dup;
        rc = hindex_rebuild(&t->indexes[i]->hidx, &t->data, &dup);
        if (rc == EMBER_CONSTRAINT)
            dup_key_error(t->indexes[i], err);
        else if (rc != EMBER_OK)
            err_nomem(err);
    }
    if (rc != EMBER_OK) {
        t->data = old;
        tdata_release(data);
        for (int i = 0; i < t->n_indexes; i++) {
            uint64_t dup;
            hindex_rebuild(&t->indexes[i]->hidx, &t->data, &dup);
        }
        return rc;
    }
    tdata_release(&old);
    memset(data, 0, sizeof(*data));
    if (!t->stats_frozen)
        table_analyze(t);
    tdata_seal(&t->data, t->data.n_rows, NULL, 1);
    t->version++;
    return EMBER_OK;
}

void table_analyze(Table *t)
{
    for (int c = 0; c < t->n_cols; c++)
        colstats_rebuild(&t->stats[c], &t->data, c);
}

typedef struct AnalyzeJob {
    Table *t;
} AnalyzeJob;

static void analyze_column(void *arg, int task, int worker)
{
    AnalyzeJob *j = arg;
    UNUSED(worker);
    colstats_rebuild(&j->t->stats[task], &j->t->data, task);
}

void table_analyze_parallel(Table *t, struct ThreadPool *pool, int n_threads)
{
    AnalyzeJob j = {t};
    pool_run(pool, n_threads, t->n_cols, analyze_column, &j);
}
