/*
 * parser.c -- statements, and the helpers every part of the parser uses.
 *
 * A hand-written recursive-descent parser over the tokens of one statement
 * (lexed up front by lex_statement, up to the first ';'). Every function
 * that parses something returns the node, or NULL after recording the
 * first error in the parser (p->rc, p->err); callers return NULL at once,
 * so the first error found is the one reported. Nothing is thrown, nothing
 * is freed: the AST and every string in it live in the caller's arena.
 *
 * Sections: token cursor, errors and depth, memory, names and literals,
 * type names, statements, the entry point.
 */
#include <limits.h>

#include "sql/sql_int.h"

/* ------------------------------------------------------------------------
 * Token cursor
 * ------------------------------------------------------------------------ */

const Token *sql_tok(const Parser *p)
{
    return &p->toks[p->cur];
}

/* The token `ahead` places further; the last token (';' or end of text)
 * when that is past it. */
const Token *sql_tok_at(const Parser *p, int ahead)
{
    int i = p->cur + ahead;
    return &p->toks[i < p->n_toks ? i : p->n_toks - 1];
}

void sql_advance(Parser *p)
{
    if (p->cur < p->n_toks - 1)
        p->cur++;
}

/* Offset just past the last consumed token. */
int sql_prev_end(const Parser *p)
{
    if (p->cur == 0)
        return p->toks[0].pos;
    const Token *t = &p->toks[p->cur - 1];
    return t->pos + t->len;
}

bool sql_is(const Parser *p, TokKind k)
{
    return sql_tok(p)->kind == k;
}

bool sql_accept(Parser *p, TokKind k)
{
    if (!sql_is(p, k))
        return false;
    sql_advance(p);
    return true;
}

bool sql_expect(Parser *p, TokKind k)
{
    if (sql_accept(p, k))
        return true;
    sql_syntax_error(p);
    return false;
}

bool sql_is_kw_at(const Parser *p, int ahead, Keyword kw)
{
    const Token *t = sql_tok_at(p, ahead);
    return t->kind == TK_IDENT && t->kw == kw;
}

bool sql_is_kw(const Parser *p, Keyword kw)
{
    return sql_is_kw_at(p, 0, kw);
}

bool sql_accept_kw(Parser *p, Keyword kw)
{
    if (!sql_is_kw(p, kw))
        return false;
    sql_advance(p);
    return true;
}

bool sql_expect_kw(Parser *p, Keyword kw)
{
    if (sql_accept_kw(p, kw))
        return true;
    sql_syntax_error(p);
    return false;
}

bool sql_is_word_at(const Parser *p, int ahead, const char *word)
{
    const Token *t = sql_tok_at(p, ahead);
    if (t->kind != TK_IDENT || (size_t)t->len != strlen(word))
        return false;
    for (int i = 0; i < t->len; i++) {
        int c = (unsigned char)p->sql[t->pos + i];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != word[i])
            return false;
    }
    return true;
}

bool sql_accept_word(Parser *p, const char *word)
{
    if (!sql_is_word_at(p, 0, word))
        return false;
    sql_advance(p);
    return true;
}

/* ------------------------------------------------------------------------
 * Errors and depth
 * ------------------------------------------------------------------------ */

bool sql_failed(const Parser *p)
{
    return p->rc != EMBER_OK;
}

void *sql_error(Parser *p, int code, int pos, const char *fmt, ...)
{
    if (p->rc != EMBER_OK)
        return NULL;
    p->rc = code;
    va_list ap;
    va_start(ap, fmt);
    err_setv(p->err, code, pos, fmt, ap);
    va_end(ap);
    return NULL;
}

/* A syntax error at the current token, or the lexical error it carries. */
void *sql_syntax_error(Parser *p)
{
    const Token *t = sql_tok(p);
    if (p->rc != EMBER_OK)
        return NULL;
    if (t->kind == TK_ERROR) {
        p->rc = EMBER_SYNTAX;
        sql_lex_error(p->err, p->sql, p->len, t);
        return NULL;
    }
    if (t->kind == TK_EOF)
        return sql_error(p, EMBER_SYNTAX, p->len,
                         "syntax error at end of input");
    const char *text = p->sql + t->pos;
    return sql_error(p, EMBER_SYNTAX, t->pos,
                     "syntax error at or near \"%.*s\"",
                     sql_msg_len(text, t->len), text);
}

bool sql_enter(Parser *p)
{
    if (p->depth >= SQL_MAX_DEPTH) {
        sql_error(p, EMBER_ERROR, sql_tok(p)->pos,
                  "statement too deeply nested");
        return false;
    }
    p->depth++;
    return true;
}

void sql_leave(Parser *p)
{
    assert(p->depth > 0);
    p->depth--;
}

/* ------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------ */

void *sql_alloc(Parser *p, size_t n)
{
    void *m = arena_calloc(p->arena, n);
    if (m == NULL)
        sql_error(p, EMBER_NOMEM, -1, "out of memory");
    return m;
}

bool sql_push(Parser *p, void *arrp, int *n, int *cap, size_t elem,
              const void *item)
{
    char *arr;
    memcpy(&arr, arrp, sizeof(arr));
    if (*n == *cap) {
        int new_cap = *cap ? *cap * 2 : 4;
        char *grown = NULL;
        if (*cap <= INT_MAX / 2)
            grown = arena_realloc(p->arena, arr, (size_t)*cap * elem,
                                  (size_t)new_cap * elem);
        if (grown == NULL) {
            sql_error(p, EMBER_NOMEM, -1, "out of memory");
            return false;
        }
        arr = grown;
        *cap = new_cap;
        memcpy(arrp, &arr, sizeof(arr));
    }
    memcpy(arr + (size_t)*n * elem, item, elem);
    (*n)++;
    return true;
}

/* ------------------------------------------------------------------------
 * Names and literals
 * ------------------------------------------------------------------------ */

bool sql_is_name_tok(const Token *t)
{
    return t->kind == TK_QIDENT ||
           (t->kind == TK_IDENT && !sql_keyword_reserved((Keyword)t->kw));
}

/* The name a word or quoted identifier token stands for: unquoted words
 * fold to lower case (ASCII only), quoted ones keep their bytes with the
 * doubled quote undone. */
const char *sql_tok_name(Parser *p, const Token *t)
{
    const char *s = p->sql + t->pos;
    if (t->kind == TK_IDENT) {
        char *out = arena_strndup(p->arena, s, (size_t)t->len);
        if (out == NULL)
            return sql_error(p, EMBER_NOMEM, -1, "out of memory");
        for (char *c = out; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c += 'a' - 'A';
        return out;
    }
    assert(t->kind == TK_QIDENT && t->len >= 3);
    char close = s[0] == '[' ? ']' : s[0];
    char *out = sql_alloc(p, (size_t)t->len);
    if (out == NULL)
        return NULL;
    int n = 0;
    for (int i = 1; i < t->len - 1; i++) {
        out[n++] = s[i];
        if (s[i] == close && close != ']')
            i++;
    }
    out[n] = 0;
    return out;
}

const char *sql_name(Parser *p)
{
    const Token *t = sql_tok(p);
    if (!sql_is_name_tok(t))
        return sql_syntax_error(p);
    sql_advance(p);
    return sql_tok_name(p, t);
}

/* A column label after AS: any word, keywords included. */
const char *sql_label(Parser *p)
{
    const Token *t = sql_tok(p);
    if (t->kind != TK_IDENT && t->kind != TK_QIDENT)
        return sql_syntax_error(p);
    sql_advance(p);
    return sql_tok_name(p, t);
}

/* The text of a 'string' token with '' undone; NUL-terminated, *len set
 * (the text may hold NUL bytes). */
const char *sql_tok_string(Parser *p, const Token *t, int *len)
{
    assert(t->kind == TK_STRING && t->len >= 2);
    const char *s = p->sql + t->pos;
    char *out = sql_alloc(p, (size_t)t->len);
    if (out == NULL)
        return NULL;
    int n = 0;
    for (int i = 1; i < t->len - 1; i++) {
        out[n++] = s[i];
        if (s[i] == '\'')
            i++;
    }
    out[n] = 0;
    *len = n;
    return out;
}

const char **sql_name_list(Parser *p, int *n)
{
    const char **names = NULL;
    int cap = 0;
    *n = 0;
    if (!sql_expect(p, TK_LPAREN))
        return NULL;
    do {
        const char *name = sql_name(p);
        if (name == NULL || !sql_push(p, &names, n, &cap, sizeof(name), &name))
            return NULL;
    } while (sql_accept(p, TK_COMMA));
    if (!sql_expect(p, TK_RPAREN))
        return NULL;
    return names;
}

/* [AS] alias after a table name in UPDATE, DELETE and FROM, or NULL when
 * there is none. SET (UPDATE t SET) and INDEXED BY are not aliases. */
const char *sql_opt_alias(Parser *p, bool *failed)
{
    *failed = false;
    if (sql_accept_kw(p, KW_AS)) {
        const char *alias = sql_name(p);
        *failed = alias == NULL;
        return alias;
    }
    const Token *t = sql_tok(p);
    if (!sql_is_name_tok(t) || sql_is_kw(p, KW_SET) ||
        (sql_is_kw(p, KW_INDEXED) && sql_is_kw_at(p, 1, KW_BY)))
        return NULL;
    sql_advance(p);
    const char *alias = sql_tok_name(p, t);
    *failed = alias == NULL;
    return alias;
}

/* ------------------------------------------------------------------------
 * Type names
 * ------------------------------------------------------------------------ */

typedef enum TypeMods {
    MODS_NONE,        /* no (n) */
    MODS_LENGTH,      /* VARCHAR(n), CHAR(n) */
    MODS_DECIMAL,     /* DECIMAL(p[, s]) */
    MODS_FLOAT,       /* FLOAT(n) */
    MODS_DOUBLE,      /* DOUBLE [PRECISION] */
    MODS_CHARACTER,   /* CHARACTER [VARYING] [(n)] */
} TypeMods;

typedef struct TypeName {
    const char *name;
    TypeId id;
    TypeMods mods;
} TypeName;

static const TypeName type_names[] = {
    {"bool", TYPE_BOOL, MODS_NONE},
    {"boolean", TYPE_BOOL, MODS_NONE},
    {"int", TYPE_INT32, MODS_NONE},
    {"integer", TYPE_INT32, MODS_NONE},
    {"int4", TYPE_INT32, MODS_NONE},
    {"smallint", TYPE_INT32, MODS_NONE},
    {"int2", TYPE_INT32, MODS_NONE},
    {"tinyint", TYPE_INT32, MODS_NONE},
    {"bigint", TYPE_INT64, MODS_NONE},
    {"int8", TYPE_INT64, MODS_NONE},
    {"double", TYPE_DOUBLE, MODS_DOUBLE},
    {"real", TYPE_DOUBLE, MODS_NONE},
    {"float", TYPE_DOUBLE, MODS_FLOAT},
    {"float4", TYPE_DOUBLE, MODS_NONE},
    {"float8", TYPE_DOUBLE, MODS_NONE},
    {"decimal", TYPE_DECIMAL, MODS_DECIMAL},
    {"numeric", TYPE_DECIMAL, MODS_DECIMAL},
    {"dec", TYPE_DECIMAL, MODS_DECIMAL},
    {"varchar", TYPE_VARCHAR, MODS_LENGTH},
    {"char", TYPE_VARCHAR, MODS_LENGTH},
    {"character", TYPE_VARCHAR, MODS_CHARACTER},
    {"text", TYPE_VARCHAR, MODS_NONE},
    {"string", TYPE_VARCHAR, MODS_NONE},
    {"date", TYPE_DATE, MODS_NONE},
};

/* An unsigned integer token, saturated at INT64_MAX. */
static bool type_mod_int(Parser *p, int64_t *out)
{
    const Token *t = sql_tok(p);
    if (t->kind != TK_INT) {
        sql_syntax_error(p);
        return false;
    }
    int64_t v = 0;
    for (int i = 0; i < t->len; i++) {
        int d = p->sql[t->pos + i] - '0';
        v = v > (INT64_MAX - d) / 10 ? INT64_MAX : v * 10 + d;
    }
    sql_advance(p);
    *out = v;
    return true;
}

/* ( a [, b] ): *n_out tells how many were given (0 when no parenthesis). */
static bool type_mods(Parser *p, int max, int64_t v[2], int *n_out)
{
    *n_out = 0;
    if (!sql_accept(p, TK_LPAREN))
        return true;
    do {
        if (*n_out == max) {
            sql_syntax_error(p);
            return false;
        }
        if (!type_mod_int(p, &v[(*n_out)++]))
            return false;
    } while (sql_accept(p, TK_COMMA));
    return sql_expect(p, TK_RPAREN);
}

static bool decimal_type(Parser *p, int pos, Type *out)
{
    int64_t v[2] = {DECIMAL_MAX_PREC, 0};
    int n;
    if (!type_mods(p, 2, v, &n))
        return false;
    if (n == 0) {
        *out = type_make(TYPE_DECIMAL);
        return true;
    }
    if (v[0] < 1 || v[0] > DECIMAL_MAX_PREC) {
        sql_error(p, EMBER_ERROR, pos,
                  "DECIMAL precision %lld must be between 1 and %d",
                  (long long)v[0], DECIMAL_MAX_PREC);
        return false;
    }
    if (v[1] > v[0]) {
        sql_error(p, EMBER_ERROR, pos,
                  "DECIMAL scale %lld must be between 0 and precision %lld",
                  (long long)v[1], (long long)v[0]);
        return false;
    }
    *out = type_decimal((int)v[0], (int)v[1]);
    return true;
}

static bool length_type(Parser *p, int pos, Type *out)
{
    int64_t v[2];
    int n;
    if (!type_mods(p, 1, v, &n))
        return false;
    if (n == 1 && v[0] < 1) {
        sql_error(p, EMBER_ERROR, pos,
                  "length for type varchar must be at least 1");
        return false;
    }
    if (n == 1 && v[0] > INT32_MAX) {
        sql_error(p, EMBER_ERROR, pos,
                  "length for type varchar cannot exceed %d", INT32_MAX);
        return false;
    }
    *out = type_varchar(n == 1 ? (int)v[0] : -1);
    return true;
}

static bool float_type(Parser *p, int pos, Type *out)
{
    int64_t v[2];
    int n;
    if (!type_mods(p, 1, v, &n))
        return false;
    if (n == 1 && (v[0] < 1 || v[0] > 53)) {
        sql_error(p, EMBER_ERROR, pos,
                  "precision for type float must be between 1 and 53 bits");
        return false;
    }
    *out = type_make(TYPE_DOUBLE);
    return true;
}

bool sql_parse_type(Parser *p, Type *out)
{
    const Token *t = sql_tok(p);
    if (!sql_is_name_tok(t)) {
        sql_syntax_error(p);
        return false;
    }
    const char *name = sql_tok_name(p, t);
    if (name == NULL)
        return false;
    sql_advance(p);
    for (size_t i = 0; i < ARRAY_LEN(type_names); i++) {
        const TypeName *tn = &type_names[i];
        if (strcmp(name, tn->name) != 0)
            continue;
        switch (tn->mods) {
        case MODS_NONE:
            *out = type_make(tn->id);
            return true;
        case MODS_DOUBLE:
            sql_accept_word(p, "precision");
            *out = type_make(tn->id);
            return true;
        case MODS_CHARACTER:
            sql_accept_word(p, "varying");
            return length_type(p, t->pos, out);
        case MODS_LENGTH:
            return length_type(p, t->pos, out);
        case MODS_DECIMAL:
            return decimal_type(p, t->pos, out);
        case MODS_FLOAT:
            return float_type(p, t->pos, out);
        }
    }
    sql_error(p, EMBER_ERROR, t->pos, "type \"%.*s\" does not exist",
              sql_msg_len(name, (int)strlen(name)), name);
    return false;
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

static Stmt *parse_statement(Parser *p);

static Stmt *new_stmt(Parser *p, StmtKind kind, int pos)
{
    Stmt *s = sql_alloc(p, sizeof(*s));
    if (s) {
        s->kind = kind;
        s->pos = pos;
        s->table_pos = -1;
    }
    return s;
}

static AExpr *parse_where(Parser *p, bool *failed)
{
    *failed = false;
    if (!sql_accept_kw(p, KW_WHERE))
        return NULL;
    AExpr *e = sql_expr(p);
    *failed = e == NULL;
    return e;
}

/* INSERT [OR REPLACE] INTO t [(cols)] {query | DEFAULT VALUES};
 * also SQLite's REPLACE INTO. */
static Stmt *parse_insert(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_INSERT, pos);
    if (s == NULL)
        return NULL;
    if (sql_accept_kw(p, KW_REPLACE)) {
        s->or_replace = true;
    } else {
        sql_advance(p);
        if (sql_accept_kw(p, KW_OR)) {
            if (!sql_expect_kw(p, KW_REPLACE))
                return NULL;
            s->or_replace = true;
        }
    }
    if (!sql_expect_kw(p, KW_INTO))
        return NULL;
    s->table_pos = sql_tok(p)->pos;
    if (!(s->table = sql_name(p)))
        return NULL;
    if (sql_is(p, TK_LPAREN) && !sql_paren_is_query(p, 0)) {
        int open = p->cur;
        s->columns = sql_name_list(p, &s->n_columns);
        if (s->columns == NULL)
            return NULL;
        /* (name, name, ...): the i-th name is token open + 1 + 2i */
        s->column_pos = sql_alloc(p, sizeof(int) * (size_t)s->n_columns);
        if (s->column_pos == NULL)
            return NULL;
        for (int i = 0; i < s->n_columns; i++)
            s->column_pos[i] = p->toks[open + 1 + 2 * i].pos;
    }
    if (sql_is_kw(p, KW_DEFAULT)) {
        sql_advance(p);
        if (!sql_expect_kw(p, KW_VALUES))
            return NULL;
        s->default_values = true;
        return s;
    }
    s->select = sql_query(p);
    return s->select ? s : NULL;
}

static bool parse_set_clause(Parser *p, Stmt *s)
{
    int cap = 0;
    int cap_e = 0;
    int n_e = 0;
    int cap_p = 0;
    int n_p = 0;
    do {
        int pos = sql_tok(p)->pos;
        const char *col = sql_name(p);
        if (col == NULL || !sql_expect(p, TK_EQ))
            return false;
        AExpr *e = sql_expr(p);
        if (e == NULL)
            return false;
        if (!sql_push(p, &s->set_cols, &s->n_sets, &cap, sizeof(col), &col) ||
            !sql_push(p, &s->set_pos, &n_p, &cap_p, sizeof(pos), &pos) ||
            !sql_push(p, &s->set_exprs, &n_e, &cap_e, sizeof(e), &e))
            return false;
    } while (sql_accept(p, TK_COMMA));
    return true;
}

/* UPDATE t [[AS] alias] SET col = expr, ... [WHERE cond] */
static Stmt *parse_update(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_UPDATE, pos);
    bool failed;
    sql_advance(p);
    if (s == NULL)
        return NULL;
    s->table_pos = sql_tok(p)->pos;
    if (!(s->table = sql_name(p)))
        return NULL;
    s->alias = sql_opt_alias(p, &failed);
    if (failed || !sql_expect_kw(p, KW_SET) || !parse_set_clause(p, s))
        return NULL;
    s->where = parse_where(p, &failed);
    return failed ? NULL : s;
}

/* DELETE FROM t [[AS] alias] [WHERE cond] */
static Stmt *parse_delete(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_DELETE, pos);
    bool failed;
    sql_advance(p);
    if (s == NULL || !sql_expect_kw(p, KW_FROM))
        return NULL;
    s->table_pos = sql_tok(p)->pos;
    if (!(s->table = sql_name(p)))
        return NULL;
    s->alias = sql_opt_alias(p, &failed);
    if (failed)
        return NULL;
    s->where = parse_where(p, &failed);
    return failed ? NULL : s;
}

static bool parse_if_not_exists(Parser *p)
{
    if (!sql_is_kw(p, KW_IF) || !sql_is_kw_at(p, 1, KW_NOT) ||
        !sql_is_kw_at(p, 2, KW_EXISTS))
        return false;
    p->cur += 3;
    return true;
}

static bool parse_if_exists(Parser *p)
{
    if (!sql_is_kw(p, KW_IF) || !sql_is_kw_at(p, 1, KW_EXISTS))
        return false;
    p->cur += 2;
    return true;
}

/* Column constraints after the type: NOT NULL, NULL, PRIMARY KEY, UNIQUE,
 * DEFAULT expr, in any order. */
static bool parse_col_constraints(Parser *p, ColumnDef *cd)
{
    for (;;) {
        if (sql_is_kw(p, KW_NOT) && sql_is_kw_at(p, 1, KW_NULL)) {
            p->cur += 2;
            cd->not_null = true;
        } else if (sql_accept_kw(p, KW_NULL)) {
            cd->not_null = false;
        } else if (sql_accept_kw(p, KW_PRIMARY)) {
            if (!sql_expect_kw(p, KW_KEY))
                return false;
            cd->primary_key = true;
        } else if (sql_accept_kw(p, KW_UNIQUE)) {
            cd->unique = true;
        } else if (sql_accept_kw(p, KW_DEFAULT)) {
            cd->default_expr = sql_expr_prec(p, PREC_CMP);
            if (cd->default_expr == NULL)
                return false;
        } else {
            return true;
        }
    }
}

static bool parse_table_constraint(Parser *p, Stmt *s, int *cap)
{
    TableConstraint tc = {0};
    tc.pos = sql_tok(p)->pos;
    if (sql_accept_kw(p, KW_PRIMARY)) {
        if (!sql_expect_kw(p, KW_KEY))
            return false;
        tc.primary_key = true;
    } else {
        sql_advance(p);   /* UNIQUE */
    }
    tc.cols = sql_name_list(p, &tc.n_cols);
    return tc.cols != NULL && sql_push(p, &s->constraints,
                                       &s->n_constraints, cap, sizeof(tc),
                                       &tc);
}

/* ( coldef | PRIMARY KEY (cols) | UNIQUE (cols), ... ) */
static bool parse_table_elements(Parser *p, Stmt *s)
{
    int cap_cols = 0;
    int cap_cons = 0;
    if (!sql_expect(p, TK_LPAREN))
        return false;
    do {
        if (sql_is_kw(p, KW_PRIMARY) || sql_is_kw(p, KW_UNIQUE)) {
            if (!parse_table_constraint(p, s, &cap_cons))
                return false;
            continue;
        }
        ColumnDef cd = {0};
        cd.pos = sql_tok(p)->pos;
        if (!(cd.name = sql_name(p)) || !sql_parse_type(p, &cd.type) ||
            !parse_col_constraints(p, &cd) ||
            !sql_push(p, &s->coldefs, &s->n_coldefs, &cap_cols, sizeof(cd),
                      &cd))
            return false;
    } while (sql_accept(p, TK_COMMA));
    return sql_expect(p, TK_RPAREN);
}

static Stmt *parse_create_table(Parser *p, Stmt *s)
{
    s->kind = STMT_CREATE_TABLE;
    s->if_not_exists = parse_if_not_exists(p);
    if (!(s->table = sql_name(p)))
        return NULL;
    if (sql_accept_kw(p, KW_AS)) {
        s->select = sql_query(p);
        return s->select ? s : NULL;
    }
    return parse_table_elements(p, s) ? s : NULL;
}

static Stmt *parse_create_view(Parser *p, Stmt *s)
{
    s->kind = STMT_CREATE_VIEW;
    s->if_not_exists = parse_if_not_exists(p);
    if (!(s->table = sql_name(p)))
        return NULL;
    if (sql_is(p, TK_LPAREN) &&
        !(s->columns = sql_name_list(p, &s->n_columns)))
        return NULL;
    if (!sql_expect_kw(p, KW_AS))
        return NULL;
    s->select = sql_query(p);
    return s->select ? s : NULL;
}

/* CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON t (col [ASC|DESC], ...) */
static Stmt *parse_create_index(Parser *p, Stmt *s)
{
    int cap = 0;
    s->kind = STMT_CREATE_INDEX;
    s->if_not_exists = parse_if_not_exists(p);
    if (!(s->index_name = sql_name(p)) || !sql_expect_kw(p, KW_ON) ||
        !(s->table = sql_name(p)) || !sql_expect(p, TK_LPAREN))
        return NULL;
    do {
        const char *col = sql_name(p);
        if (col == NULL ||
            !sql_push(p, &s->columns, &s->n_columns, &cap, sizeof(col), &col))
            return NULL;
        if (!sql_accept_kw(p, KW_ASC))
            sql_accept_kw(p, KW_DESC);
    } while (sql_accept(p, TK_COMMA));
    return sql_expect(p, TK_RPAREN) ? s : NULL;
}

static Stmt *parse_create(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_CREATE_TABLE, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (sql_accept_kw(p, KW_TEMP) || sql_accept_kw(p, KW_TEMPORARY))
        s->temporary = true;
    if (!s->temporary && sql_accept_kw(p, KW_UNIQUE)) {
        s->unique = true;
        if (!sql_expect_kw(p, KW_INDEX))
            return NULL;
        return parse_create_index(p, s);
    }
    if (sql_accept_kw(p, KW_TABLE))
        return parse_create_table(p, s);
    if (sql_accept_kw(p, KW_VIEW))
        return parse_create_view(p, s);
    if (!s->temporary && sql_accept_kw(p, KW_INDEX))
        return parse_create_index(p, s);
    return sql_syntax_error(p);
}

/* DROP TABLE|VIEW|INDEX [IF EXISTS] name */
static Stmt *parse_drop(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_DROP, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (sql_accept_kw(p, KW_TABLE))
        s->drop_kind = DROP_TABLE;
    else if (sql_accept_kw(p, KW_VIEW))
        s->drop_kind = DROP_VIEW;
    else if (sql_accept_kw(p, KW_INDEX))
        s->drop_kind = DROP_INDEX;
    else
        return sql_syntax_error(p);
    s->if_exists = parse_if_exists(p);
    s->table = sql_name(p);
    return s->table ? s : NULL;
}

/* One literal token as a value of SET, PRAGMA or an option: a string, a
 * number (maybe negative), TRUE/FALSE, or a word, kept as a string (ON,
 * off, csv, syntactic...). */
static AExpr *parse_option_value(Parser *p)
{
    const Token *t = sql_tok(p);
    bool number = t->kind == TK_INT || t->kind == TK_NUMBER;
    bool neg = t->kind == TK_MINUS && (sql_tok_at(p, 1)->kind == TK_INT ||
                                       sql_tok_at(p, 1)->kind == TK_NUMBER);
    if (number || neg || t->kind == TK_STRING || sql_is_kw(p, KW_TRUE) ||
        sql_is_kw(p, KW_FALSE))
        return sql_expr_prec(p, PREC_CAST + 1);
    if (t->kind != TK_IDENT && t->kind != TK_QIDENT)
        return sql_syntax_error(p);
    AExpr *e = sql_new_expr(p, AE_STRING, t->pos);
    if (e == NULL || !(e->sval = sql_tok_name(p, t)))
        return NULL;
    e->slen = (int)strlen(e->sval);
    sql_advance(p);
    e->end = sql_prev_end(p);
    return e;
}

static bool add_option(Parser *p, Stmt *s, int *cap, bool parens)
{
    CopyOption o = {0};
    o.pos = sql_tok(p)->pos;
    if (!(o.name = sql_label(p)))
        return false;
    if (parens) {
        if (!sql_is(p, TK_COMMA) && !sql_is(p, TK_RPAREN) &&
            !(o.value = parse_option_value(p)))
            return false;
    } else {
        sql_accept_kw(p, KW_AS);
        if (sql_is(p, TK_STRING) && !(o.value = parse_option_value(p)))
            return false;
    }
    return sql_push(p, &s->options, &s->n_options, cap, sizeof(o), &o);
}

/* [WITH] ( name [value], ... ) or the older unparenthesised form
 * [WITH] name ['value'] name ... of PostgreSQL (DELIMITER '|' CSV HEADER). */
static bool parse_copy_options(Parser *p, Stmt *s)
{
    int cap = 0;
    sql_accept_kw(p, KW_WITH);
    if (sql_accept(p, TK_LPAREN)) {
        do {
            if (!add_option(p, s, &cap, true))
                return false;
        } while (sql_accept(p, TK_COMMA));
        return sql_expect(p, TK_RPAREN);
    }
    while (sql_is(p, TK_IDENT) || sql_is(p, TK_QIDENT))
        if (!add_option(p, s, &cap, false))
            return false;
    return true;
}

/* COPY t [(cols)] FROM|TO 'file' [options]; COPY (query) TO 'file' ... */
static Stmt *parse_copy(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_COPY, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (sql_accept(p, TK_LPAREN)) {
        if (!(s->select = sql_query(p)) || !sql_expect(p, TK_RPAREN) ||
            !sql_expect_kw(p, KW_TO))
            return NULL;
        s->copy_to = true;
    } else {
        if (!(s->table = sql_name(p)))
            return NULL;
        if (sql_is(p, TK_LPAREN) &&
            !(s->columns = sql_name_list(p, &s->n_columns)))
            return NULL;
        if (sql_accept_kw(p, KW_TO))
            s->copy_to = true;
        else if (!sql_expect_kw(p, KW_FROM))
            return NULL;
    }
    const Token *t = sql_tok(p);
    int len;
    if (t->kind != TK_STRING)
        return sql_syntax_error(p);
    if (!(s->file = sql_tok_string(p, t, &len)))
        return NULL;
    sql_advance(p);
    return parse_copy_options(p, s) ? s : NULL;
}

/* An optional Boolean after an EXPLAIN option: TRUE, FALSE, ON, OFF, 1, 0;
 * absent means true. */
static bool explain_bool(Parser *p, const char *opt, int pos, bool *out)
{
    *out = true;
    if (sql_is(p, TK_COMMA) || sql_is(p, TK_RPAREN))
        return true;
    if (sql_accept_kw(p, KW_TRUE) || sql_accept_kw(p, KW_ON))
        return true;
    *out = false;
    if (sql_accept_kw(p, KW_FALSE) || sql_accept_word(p, "off"))
        return true;
    const Token *t = sql_tok(p);
    if (t->kind == TK_INT && t->len == 1) {
        *out = p->sql[t->pos] == '1';
        if (*out || p->sql[t->pos] == '0') {
            sql_advance(p);
            return true;
        }
    }
    sql_error(p, EMBER_SYNTAX, pos, "%s requires a Boolean value", opt);
    return false;
}

static bool explain_option(Parser *p, Stmt *s)
{
    const Token *t = sql_tok(p);
    const char *opt = sql_label(p);
    bool on;
    if (opt == NULL)
        return false;
    if (strcmp(opt, "format") == 0) {
        const char *fmt = sql_label(p);
        if (fmt == NULL)
            return false;
        s->format = strcmp(fmt, "text") == 0 ? NULL : fmt;
        return true;
    }
    static const char *const ignored[] = {"verbose", "costs", "buffers",
                                          "timing", "summary"};
    bool known = strcmp(opt, "analyze") == 0;
    for (size_t i = 0; i < ARRAY_LEN(ignored) && !known; i++)
        known = strcmp(opt, ignored[i]) == 0;
    if (!known) {
        sql_error(p, EMBER_SYNTAX, t->pos,
                  "unrecognized EXPLAIN option \"%.*s\"",
                  sql_msg_len(opt, (int)strlen(opt)), opt);
        return false;
    }
    if (!explain_bool(p, opt, t->pos, &on))
        return false;
    if (strcmp(opt, "analyze") == 0)
        s->analyze = on;
    return true;
}

/* EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (option [value], ...) stmt */
static Stmt *parse_explain(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_EXPLAIN, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (sql_is(p, TK_LPAREN) && !sql_paren_is_query(p, 0)) {
        sql_advance(p);
        do {
            if (!explain_option(p, s))
                return NULL;
        } while (sql_accept(p, TK_COMMA));
        if (!sql_expect(p, TK_RPAREN))
            return NULL;
    } else {
        s->analyze = sql_accept_kw(p, KW_ANALYZE);
        sql_accept_word(p, "verbose");
    }
    s->inner = parse_statement(p);
    return s->inner ? s : NULL;
}

/* A setting name: name[.name...]; ALL too for SHOW and RESET. */
static const char *setting_name(Parser *p, bool allow_all)
{
    if (allow_all && sql_accept_kw(p, KW_ALL))
        return "all";
    const char *name = sql_name(p);
    while (name && sql_accept(p, TK_DOT)) {
        const char *part = sql_name(p);
        if (part == NULL)
            return NULL;
        name = arena_printf(p->arena, "%s.%s", name, part);
        if (name == NULL)
            return sql_error(p, EMBER_NOMEM, -1, "out of memory");
    }
    return name;
}

/* SET name {= | TO} {value | DEFAULT}; DEFAULT makes it a RESET. */
static Stmt *parse_set(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_SET, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (!(s->name = setting_name(p, false)))
        return NULL;
    if (!sql_accept(p, TK_EQ) && !sql_expect_kw(p, KW_TO))
        return NULL;
    if (sql_accept_kw(p, KW_DEFAULT)) {
        s->kind = STMT_RESET;
        return s;
    }
    s->value = parse_option_value(p);
    return s->value ? s : NULL;
}

/* SHOW name | RESET name */
static Stmt *parse_show_reset(Parser *p, int pos, StmtKind kind)
{
    Stmt *s = new_stmt(p, kind, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    s->name = setting_name(p, true);
    if (s->name && kind == STMT_SHOW && strcmp(s->name, "create") == 0 &&
        sql_accept_kw(p, KW_TABLE)) {
        /* SHOW CREATE TABLE t */
        s->name = "create_table";
        s->table = sql_name(p);
        return s->table ? s : NULL;
    }
    return s->name ? s : NULL;
}

/* PRAGMA name -> SHOW; PRAGMA name = value -> SET; PRAGMA name(args) ->
 * CALL with pragma set: the layer above, which knows the settings, runs
 * it as a SET when `name` is one and as a table-valued call otherwise. */
static Stmt *parse_pragma(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_SHOW, pos);
    if (s == NULL)
        return NULL;
    s->pragma = true;
    sql_advance(p);
    if (!(s->name = setting_name(p, false)))
        return NULL;
    if (sql_accept(p, TK_EQ)) {
        s->kind = STMT_SET;
        s->value = parse_option_value(p);
        return s->value ? s : NULL;
    }
    if (sql_is(p, TK_LPAREN)) {
        s->kind = STMT_CALL;
        if (!sql_call_args(p, &s->args, &s->arg_names, &s->n_args))
            return NULL;
    }
    return s;
}

/* CALL name(args) */
static Stmt *parse_call(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_CALL, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (!(s->name = sql_name(p)) ||
        !sql_call_args(p, &s->args, &s->arg_names, &s->n_args))
        return NULL;
    return s;
}

/* ANALYZE [table], REINDEX [name] */
static Stmt *parse_opt_name_stmt(Parser *p, int pos, StmtKind kind)
{
    Stmt *s = new_stmt(p, kind, pos);
    if (s == NULL)
        return NULL;
    sql_advance(p);
    if (sql_is_name_tok(sql_tok(p)) && !(s->table = sql_name(p)))
        return NULL;
    return s;
}

/* BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK [TRANSACTION | WORK] */
static Stmt *parse_transaction(Parser *p, int pos, StmtKind kind)
{
    Stmt *s = new_stmt(p, kind, pos);
    if (s == NULL)
        return NULL;
    bool start = sql_is_kw(p, KW_START);
    sql_advance(p);
    if (start) {
        if (!sql_accept_word(p, "transaction"))
            return sql_syntax_error(p);
    } else if (!sql_accept_word(p, "transaction")) {
        sql_accept_word(p, "work");
    }
    return s;
}

static Stmt *parse_query_stmt(Parser *p, int pos)
{
    Stmt *s = new_stmt(p, STMT_SELECT, pos);
    if (s == NULL || !(s->select = sql_query(p)))
        return NULL;
    return s;
}

static Stmt *dispatch_statement(Parser *p)
{
    const Token *t = sql_tok(p);
    int pos = t->pos;
    if (t->kind == TK_LPAREN)
        return parse_query_stmt(p, pos);
    if (t->kind != TK_IDENT)
        return sql_syntax_error(p);
    switch ((Keyword)t->kw) {
    case KW_SELECT:
    case KW_VALUES:
    case KW_WITH: return parse_query_stmt(p, pos);
    case KW_INSERT:
    case KW_REPLACE: return parse_insert(p, pos);
    case KW_UPDATE: return parse_update(p, pos);
    case KW_DELETE: return parse_delete(p, pos);
    case KW_CREATE: return parse_create(p, pos);
    case KW_DROP: return parse_drop(p, pos);
    case KW_COPY: return parse_copy(p, pos);
    case KW_EXPLAIN: return parse_explain(p, pos);
    case KW_SET: return parse_set(p, pos);
    case KW_SHOW: return parse_show_reset(p, pos, STMT_SHOW);
    case KW_RESET: return parse_show_reset(p, pos, STMT_RESET);
    case KW_PRAGMA: return parse_pragma(p, pos);
    case KW_CALL: return parse_call(p, pos);
    case KW_ANALYZE: return parse_opt_name_stmt(p, pos, STMT_ANALYZE);
    case KW_REINDEX: return parse_opt_name_stmt(p, pos, STMT_REINDEX);
    case KW_BEGIN:
    case KW_START: return parse_transaction(p, pos, STMT_BEGIN);
    case KW_COMMIT:
    case KW_END: return parse_transaction(p, pos, STMT_COMMIT);
    case KW_ROLLBACK: return parse_transaction(p, pos, STMT_ROLLBACK);
    default: return sql_syntax_error(p);
    }
}

static Stmt *parse_statement(Parser *p)
{
    if (!sql_enter(p))
        return NULL;
    Stmt *s = dispatch_statement(p);
    sql_leave(p);
    if (s)
        s->end = sql_prev_end(p);
    return s;
}

/* ------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------ */

/* Lex the statement that starts at or after `start`: leading ';' are
 * skipped, then tokens up to and including the first ';' or the end of
 * text. Sets *next just past that ';' (or to the end of text). */
static bool lex_statement(Parser *p, int start, int *next)
{
    Token t;
    int cap = 0;
    int pos = start;
    do {
        sql_lex(p->sql, p->len, pos, &t);
        pos = t.pos + t.len;
    } while (t.kind == TK_SEMI);
    for (;;) {
        if (!sql_push(p, &p->toks, &p->n_toks, &cap, sizeof(t), &t))
            return false;
        if (t.kind == TK_SEMI || t.kind == TK_EOF)
            break;
        sql_lex(p->sql, p->len, t.pos + t.len, &t);
    }
    *next = t.kind == TK_SEMI ? t.pos + 1 : p->len;
    return true;
}

/* Pair every '(' with its ')' so that look-ahead over a parenthesised
 * group costs O(1) (sql_paren_is_query); unclosed ones stay -1. */
static bool match_parens(Parser *p)
{
    size_t bytes = (size_t)p->n_toks * sizeof(int);
    int *stack = arena_alloc(p->arena, bytes);
    p->match = arena_alloc(p->arena, bytes);
    if (stack == NULL || p->match == NULL) {
        sql_error(p, EMBER_NOMEM, -1, "out of memory");
        return false;
    }
    int top = 0;
    for (int i = 0; i < p->n_toks; i++) {
        p->match[i] = -1;
        if (p->toks[i].kind == TK_LPAREN)
            stack[top++] = i;
        else if (p->toks[i].kind == TK_RPAREN && top > 0)
            p->match[stack[--top]] = i;
    }
    return true;
}

/* The largest parameter number among the statement's tokens: a $n, or
 * the number of ? (each ? is numbered by its place, as parse_param does).
 * Tokens are the lexer's, so nothing inside strings, quoted names or
 * comments counts. parse_param has rejected $n outside 1..65535. */
static int count_params(const Parser *p)
{
    int n = 0;
    int n_q = 0;
    for (int i = 0; i < p->n_toks; i++) {
        const Token *t = &p->toks[i];
        if (t->kind != TK_PARAM)
            continue;
        int v = 0;
        for (int k = 1; k < t->len && v <= 65535; k++)
            v = v * 10 + (p->sql[t->pos + k] - '0');
        if (t->len == 1)
            v = ++n_q;
        n = MAX(n, MIN(v, 65535));
    }
    return n;
}

int sql_parse(Arena *a, const char *sql, int len, int start, Stmt **out,
              int *next, Err *err)
{
    *out = NULL;
    *next = start;
    if (a == NULL || (sql == NULL && len != 0) || len < 0 || start < 0 ||
        start > len)
        return err_set(err, EMBER_MISUSE, -1,
                       "sql_parse: bad arguments (len %d, start %d)", len,
                       start);
    Parser p = {.arena = a, .sql = sql, .len = len, .err = err};
    if (!lex_statement(&p, start, next) || !match_parens(&p))
        return p.rc;
    if (p.toks[0].kind == TK_EOF)
        return EMBER_OK;
    Stmt *s = parse_statement(&p);
    if (s && !sql_is(&p, TK_SEMI) && !sql_is(&p, TK_EOF))
        sql_syntax_error(&p);
    if (p.rc != EMBER_OK)
        return p.rc;
    assert(s != NULL && p.depth == 0);
    s->n_params = count_params(&p);
    *out = s;
    return EMBER_OK;
}
