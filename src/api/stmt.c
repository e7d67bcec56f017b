/*
 * stmt.c -- prepared statements: prepare, bind, step, read columns,
 * reset, finalize, and ember_exec on top of them.
 *
 * Error offsets: errors found by ember_prepare are reported relative to
 * the text passed to it; errors of ember_step relative to the statement's
 * own text (ember_sql); ember_exec reports them relative to its script.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api_int.h"

static void stmt_link(ember_db *db, ember_stmt *st)
{
    st->next = db->stmts;
    if (db->stmts)
        db->stmts->prev = st;
    db->stmts = st;
}

static void stmt_unlink(ember_stmt *st)
{
    ember_db *db = st->db;
    if (st->prev)
        st->prev->next = st->next;
    else
        db->stmts = st->next;
    if (st->next)
        st->next->prev = st->prev;
}

static void end_run(ember_stmt *st)
{
    if (st->ex_live) {
        exec_release(&st->ex);
        st->ex_live = false;
    }
}

int ember_finalize(ember_stmt *st)
{
    if (st == NULL)
        return EMBER_OK;
    if (st->db->running == st)
        st->db->running = NULL;
    end_run(st);
    stmt_unlink(st);
    memcache_arena_done(st->db->mc, st->run_arena);
    memcache_arena_done(st->db->mc, st->ast_arena);
    mem_free(st);
    return EMBER_OK;
}

/* Shift an error found in the statement text to the caller's text. A
 * lower layer that failed without recording why still gets a message. */
static int fail_at(ember_db *db, Err *e, int rc, int base)
{
    if (e->code == EMBER_OK)
        err_set(e, rc, -1, "%s", ember_errstr(rc));
    if (e->pos >= 0)
        e->pos += base;
    return api_fail(db, e);
}

/* Copy the statement text, parse it again into the statement's own arena
 * and describe its result. Offsets in `e` are relative to st->sql. */
static int compile(ember_stmt *st, const char *text, int len, Err *e)
{
    st->sql = arena_strndup(st->ast_arena, text, (size_t)len);
    st->sql_len = len;
    if (st->sql == NULL)
        return err_nomem(e);
    int next;
    uint64_t t_parse = clock_ns();
    int rc = sql_parse(st->ast_arena, st->sql, len, 0, &st->ast, &next, e);
    st->t_parse_ns = clock_ns() - t_parse;
    if (rc != EMBER_OK)
        return rc;
    if (st->ast == NULL)
        return err_set(e, EMBER_INTERNAL, -1, "statement vanished");
    /* the parser has bounded parameter numbers (1..65535) */
    st->n_params = st->ast->n_params;
    st->binds = arena_calloc(st->ast_arena,
                             sizeof(Value) * (size_t)(st->n_params + 1));
    if (st->binds == NULL)
        return err_nomem(e);
    for (int i = 0; i < st->n_params; i++)
        st->binds[i] = value_null();
    return describe_statement(st, e);
}

int ember_prepare(ember_db *db, const char *sql, int n_bytes,
                  ember_stmt **out, const char **tail)
{
    if (db == NULL || sql == NULL || out == NULL)
        return EMBER_MISUSE;
    *out = NULL;
    int len = n_bytes < 0 ? (int)strlen(sql) : n_bytes;
    if (db->open_failed)
        return api_error(db, EMBER_CANTOPEN, "database is not open");
    Err e;
    err_clear(&e);
    Arena *tmp = memcache_arena(db->mc, "parse", ARENA_RESERVE);
    if (tmp == NULL)
        return api_error(db, EMBER_NOMEM, "out of memory");
    Stmt *ast;
    int next = len;
    int rc = sql_parse(tmp, sql, len, 0, &ast, &next, &e);
    if (tail)
        *tail = sql + next;
    if (rc != EMBER_OK) {
        memcache_arena_done(db->mc, tmp);
        return fail_at(db, &e, rc, 0);
    }
    if (ast == NULL) {
        memcache_arena_done(db->mc, tmp);
        return EMBER_OK;
    }
    int base = ast->pos, slen = ast->end - ast->pos;
    memcache_arena_done(db->mc, tmp);
    ember_stmt *st = mem_calloc(sizeof(*st));
    if (st == NULL)
        return api_error(db, EMBER_NOMEM, "out of memory");
    st->db = db;
    int mode = db->settings.arena ? ARENA_RESERVE : ARENA_MALLOC;
    st->ast_arena = memcache_arena(db->mc, "statement", mode);
    st->run_arena = memcache_arena(db->mc, "query", mode);
    stmt_link(db, st);
    if (st->ast_arena == NULL || st->run_arena == NULL) {
        ember_finalize(st);
        return api_error(db, EMBER_NOMEM, "out of memory");
    }
    st->base = base;
    rc = compile(st, sql + base, slen, &e);
    arena_reset(st->run_arena);
    if (rc != EMBER_OK) {
        ember_finalize(st);
        return fail_at(db, &e, rc, base);
    }
    *out = st;
    return EMBER_OK;
}

const char *ember_sql(ember_stmt *st)
{
    return st ? st->sql : NULL;
}

/* ------------------------------------------------------------------------
 * Binding
 * ------------------------------------------------------------------------ */

static int bind_check(ember_stmt *st, int idx)
{
    if (st == NULL)
        return EMBER_MISUSE;
    if (st->state == ST_ROWS)
        return api_error(st->db, EMBER_MISUSE,
                         "cannot bind while the statement is running "
                         "(call ember_reset first)");
    if (idx < 1 || idx > st->n_params)
        return api_error(st->db, EMBER_RANGE,
                         "bind index %d out of range (statement has %d "
                         "parameters)", idx, st->n_params);
    return EMBER_OK;
}

int ember_bind_null(ember_stmt *st, int idx)
{
    int rc = bind_check(st, idx);
    if (rc == EMBER_OK)
        st->binds[idx - 1] = value_null();
    return rc;
}

int ember_bind_int64(ember_stmt *st, int idx, int64_t v)
{
    int rc = bind_check(st, idx);
    if (rc == EMBER_OK)
        st->binds[idx - 1] = v >= INT32_MIN && v <= INT32_MAX
                                 ? value_int32((int32_t)v)
                                 : value_int64(v);
    return rc;
}

int ember_bind_double(ember_stmt *st, int idx, double v)
{
    int rc = bind_check(st, idx);
    if (rc == EMBER_OK)
        st->binds[idx - 1] = value_double(v);
    return rc;
}

int ember_bind_text(ember_stmt *st, int idx, const char *text, int n)
{
    int rc = bind_check(st, idx);
    if (rc != EMBER_OK)
        return rc;
    if (text == NULL) {
        st->binds[idx - 1] = value_null();
        return EMBER_OK;
    }
    size_t len = n < 0 ? strlen(text) : (size_t)n;
    Str s = str_copy(st->ast_arena, text, (uint32_t)len);
    if (arena_failed(st->ast_arena))
        return api_error(st->db, EMBER_NOMEM, "out of memory");
    st->binds[idx - 1] = value_str(s);
    return EMBER_OK;
}

int ember_bind_parameter_count(ember_stmt *st)
{
    return st ? st->n_params : 0;
}

/* ------------------------------------------------------------------------
 * Stepping
 * ------------------------------------------------------------------------ */

int ember_reset(ember_stmt *st)
{
    if (st == NULL)
        return EMBER_MISUSE;
    if (st->db->running == st)
        st->db->running = NULL;
    end_run(st);
    arena_reset(st->run_arena);
    st->state = ST_READY;
    st->has_result = false;
    st->row = 0;
    st->text = NULL;
    st->plan = NULL;
    st->profile = NULL;
    return EMBER_OK;
}

int ember_step(ember_stmt *st)
{
    if (st == NULL)
        return EMBER_MISUSE;
    ember_db *db = st->db;
    if (st->state == ST_READY) {
        if (db->running && db->running != st)
            return api_error(db, EMBER_MISUSE,
                             "another statement of this handle is running");
        ember_reset(st);
        db->running = st;
        Err e;
        err_clear(&e);
        st->changes = 0;
        int rc = run_statement(st, &e);
        if (rc != EMBER_OK) {
            db->running = NULL;
            st->state = ST_DONE;
            st->has_result = false;
            return fail_at(db, &e, rc, 0);
        }
        db->changes = st->changes;
        st->state = st->has_result ? ST_ROWS : ST_DONE;
        st->row = 0;
        if (st->has_result && st->text == NULL) {
            st->text = arena_calloc(st->run_arena,
                                    sizeof(char *) * (size_t)(st->n_cols + 1));
            st->text_cap = arena_calloc(st->run_arena,
                                        sizeof(size_t) * (size_t)(st->n_cols + 1));
            st->text_row = arena_calloc(st->run_arena,
                                        sizeof(uint64_t) * (size_t)(st->n_cols + 1));
            if (st->text == NULL || st->text_cap == NULL ||
                st->text_row == NULL) {
                st->state = ST_DONE;
                st->has_result = false;
                db->running = NULL;
                return api_error(db, EMBER_NOMEM, "out of memory");
            }
        }
    }
    if (st->state == ST_ROWS && st->row < st->result.n_rows) {
        st->row++;
        return EMBER_ROW;
    }
    st->state = ST_DONE;
    if (db->running == st)
        db->running = NULL;
    return EMBER_DONE;
}

/* ------------------------------------------------------------------------
 * Columns
 * ------------------------------------------------------------------------ */

int ember_column_count(ember_stmt *st)
{
    return st ? st->n_cols : 0;
}

const char *ember_column_name(ember_stmt *st, int col)
{
    if (st == NULL || col < 0 || col >= st->n_cols)
        return NULL;
    return st->names[col] ? st->names[col] : "?column?";
}

int ember_column_type(ember_stmt *st, int col)
{
    if (st == NULL || col < 0 || col >= st->n_cols)
        return EMBER_TYPE_NULL;
    switch ((TypeId)st->types[col].id) {
    case TYPE_BOOL:
        return EMBER_TYPE_BOOLEAN;
    case TYPE_INT32:
        return EMBER_TYPE_INTEGER;
    case TYPE_INT64:
        return EMBER_TYPE_BIGINT;
    case TYPE_DOUBLE:
        return EMBER_TYPE_DOUBLE;
    case TYPE_DECIMAL:
        return EMBER_TYPE_DECIMAL;
    case TYPE_VARCHAR:
        return EMBER_TYPE_VARCHAR;
    case TYPE_DATE:
        return EMBER_TYPE_DATE;
    default:
        return EMBER_TYPE_NULL;
    }
}

/* The current row's value of column col (NULL-typed when out of range). */
static Value cell(ember_stmt *st, int col)
{
    Value v = value_null();
    if (st == NULL || col < 0 || col >= st->n_cols || st->row == 0 ||
        !st->has_result)
        return v;
    uint64_t r = st->row - 1;
    const ColBuf *b = &st->result.cols[col];
    Type t = st->result.types[col];
    if (b->has_nulls && !((b->validity[r >> 6] >> (r & 63)) & 1)) {
        v.type = t;
        return v;
    }
    Vector vec;
    memset(&vec, 0, sizeof(vec));
    vec.type = t;
    vec.phys = (uint8_t)type_phys(t);
    vec.data = (char *)b->data + r * type_width(t);
    return vector_get_value(&vec, 0);
}

int ember_column_is_null(ember_stmt *st, int col)
{
    return cell(st, col).is_null;
}

/* SQLite's text-to-integer rule (sqlite3Atoi64): leading white space,
 * an optional sign, then the longest run of digits; anything after it is
 * ignored, no digits give 0, and a value beyond the int64 range saturates
 * at INT64_MIN or INT64_MAX. */
static int64_t text_prefix_int(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    /* magnitude, stopping once past 2^63 (the largest negative one) */
    const uint64_t lim = (uint64_t)INT64_MAX + 1;
    uint64_t v = 0;
    bool over = false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (lim - d) / 10) {
            over = true;
            break;
        }
        v = v * 10 + d;
    }
    if (neg)
        return over ? INT64_MIN : (int64_t)(0 - v);
    return over || v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

int64_t ember_column_int64(ember_stmt *st, int col)
{
    Value v = cell(st, col);
    if (v.is_null)
        return 0;
    switch ((TypeId)v.type.id) {
    case TYPE_DOUBLE:
        /* truncated toward zero, saturated; NaN gives 0 */
        if (isnan(v.v.d))
            return 0;
        if (v.v.d >= 9223372036854775808.0)
            return INT64_MAX;
        if (v.v.d <= -9223372036854775808.0)
            return INT64_MIN;
        return (int64_t)v.v.d;
    case TYPE_DECIMAL:
        return v.v.i / pow10_i64[v.type.scale];
    case TYPE_VARCHAR:
        return text_prefix_int(str_data(&v.v.s), v.v.s.len);
    default:
        return v.v.i;
    }
}

double ember_column_double(ember_stmt *st, int col)
{
    Value v = cell(st, col);
    if (v.is_null)
        return 0;
    switch ((TypeId)v.type.id) {
    case TYPE_DOUBLE:
        return v.v.d;
    case TYPE_DECIMAL:
        return decimal_to_double(v.v.i, v.type.scale);
    case TYPE_VARCHAR: {
        char buf[64];
        size_t n = MIN(v.v.s.len, sizeof(buf) - 1);
        memcpy(buf, str_data(&v.v.s), n);
        buf[n] = 0;
        return strtod(buf, NULL);
    }
    default:
        return (double)v.v.i;
    }
}

const char *ember_column_text(ember_stmt *st, int col)
{
    Value v = cell(st, col);
    if (v.is_null)
        return NULL;
    if (st->text[col] && st->text_row[col] == st->row)
        return st->text[col];
    size_t cap = st->text_cap[col];
    size_t need = value_format(&v, NULL, 0) + 1;
    if (need > cap) {
        size_t nc = need < 32 ? 32 : need * 2;
        char *p = arena_alloc(st->run_arena, nc);
        if (p == NULL)
            return NULL;
        st->text[col] = p;
        cap = nc;
    }
    value_format(&v, st->text[col], cap);
    st->text_cap[col] = cap;
    st->text_row[col] = st->row;
    return st->text[col];
}

/* ------------------------------------------------------------------------
 * Scripts
 * ------------------------------------------------------------------------ */

int ember_exec(ember_db *db, const char *sql, ember_callback cb, void *arg)
{
    if (db == NULL || sql == NULL)
        return EMBER_MISUSE;
    const char *p = sql;
    while (*p) {
        ember_stmt *st;
        const char *tail;
        int rc = ember_prepare(db, p, -1, &st, &tail);
        if (rc != EMBER_OK) {
            if (db->err.pos >= 0)
                db->err.pos += (int)(p - sql);
            return rc;
        }
        if (st == NULL)
            break;
        int base = (int)(p - sql) + st->base;
        while ((rc = ember_step(st)) == EMBER_ROW) {
            if (cb == NULL)
                continue;
            int n = ember_column_count(st);
            char **vals = arena_alloc(st->run_arena,
                                      sizeof(char *) * (size_t)(2 * n + 1));
            if (vals == NULL) {
                ember_finalize(st);
                return api_error(db, EMBER_NOMEM, "out of memory");
            }
            char **names = vals + n;
            for (int i = 0; i < n; i++) {
                const char *t = ember_column_text(st, i);
                vals[i] = t ? (char *)t : NULL;
                names[i] = (char *)ember_column_name(st, i);
            }
            if (cb(arg, n, vals, names) != 0) {
                ember_finalize(st);
                return api_error(db, EMBER_INTERRUPT,
                                 "callback requested query abort");
            }
        }
        if (rc != EMBER_DONE) {
            if (db->err.pos >= 0)
                db->err.pos += base;
            ember_finalize(st);
            return rc;
        }
        ember_finalize(st);
        p = tail;
    }
    return EMBER_OK;
}
