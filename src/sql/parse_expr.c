/*
 * parse_expr.c -- expressions.
 *
 * Binary and postfix operators are parsed by precedence climbing
 * (sql_expr_prec): one loop per level of nesting instead of one function
 * per precedence level, so a parenthesis costs a few stack frames and long
 * chains (a OR b OR c ...) cost none. The levels are PostgreSQL's, lowest
 * first (PREC_* in sql_int.h):
 *
 *   OR < AND < NOT < IS, ISNULL, NOTNULL < comparison < BETWEEN, IN, LIKE
 *      < || < + - < * / % < unary + - < :: < primary
 *
 * Rules the code relies on:
 *   1. A left-associative operator at level L parses its right operand at
 *      level L + 1. Comparisons, and BETWEEN/IN/LIKE, do not associate:
 *      `a < b = c` is a syntax error, as in PostgreSQL (SQLite would read
 *      it with other precedences, so accepting it could silently change
 *      the meaning of a query written for SQLite).
 *   2. Prefix NOT parses its operand at PREC_NOT, so `NOT a = b` is
 *      NOT (a = b) and `NOT a AND b` is (NOT a) AND b; prefix minus parses
 *      at PREC_UNARY, so `- 2 * 3` is (-2) * 3 and `-x::int` is -(x::int).
 *   3. The bounds of BETWEEN, the pattern of LIKE and the operand of
 *      POSITION are parsed above PREC_IN, so the AND of BETWEEN is never a
 *      conjunction and `x BETWEEN 1 AND 2 AND y` is (BETWEEN) AND y.
 *   4. Minus applied directly to a numeric literal is folded into it (as
 *      PostgreSQL does), so -2147483648 and -9223372036854775808 are
 *      literals of the right size; NOT applied to EXISTS becomes a negated
 *      AE_EXISTS.
 * Every node gets pos (its first token, '(' included when parenthesised)
 * and end (just past its last token).
 */
#include "sql/sql_int.h"

/* ------------------------------------------------------------------------
 * Node helpers
 * ------------------------------------------------------------------------ */

AExpr *sql_new_expr(Parser *p, AExprKind kind, int pos)
{
    AExpr *e = sql_alloc(p, sizeof(*e));
    if (e) {
        e->kind = kind;
        e->pos = pos;
        e->end = pos;
    }
    return e;
}

/* Set the end of e to the end of the last consumed token. */
static AExpr *finish(Parser *p, AExpr *e)
{
    if (e)
        e->end = sql_prev_end(p);
    return e;
}

static bool add_arg(Parser *p, AExpr *e, AExpr *arg, int *cap)
{
    return arg && sql_push(p, &e->args, &e->n_args, cap, sizeof(arg), &arg);
}

static AExpr *make_unary(Parser *p, AOp op, AExpr *x, int pos)
{
    AExpr *e = sql_new_expr(p, AE_UNARY, pos);
    int cap = 0;
    if (e == NULL || !add_arg(p, e, x, &cap))
        return NULL;
    e->op = op;
    return finish(p, e);
}

static AExpr *make_binary(Parser *p, AOp op, AExpr *l, AExpr *r)
{
    AExpr *e = sql_new_expr(p, AE_BINARY, l->pos);
    int cap = 0;
    if (e == NULL || !add_arg(p, e, l, &cap) || !add_arg(p, e, r, &cap))
        return NULL;
    e->op = op;
    return finish(p, e);
}

AExpr **sql_expr_list(Parser *p, int *n)
{
    AExpr **list = NULL;
    int cap = 0;
    *n = 0;
    do {
        AExpr *e = sql_expr(p);
        if (e == NULL || !sql_push(p, &list, n, &cap, sizeof(e), &e))
            return NULL;
    } while (sql_accept(p, TK_COMMA));
    return list;
}

/* ------------------------------------------------------------------------
 * Literals
 * ------------------------------------------------------------------------ */

static const char *tok_text(Parser *p, const Token *t)
{
    const char *s = arena_strndup(p->arena, p->sql + t->pos, (size_t)t->len);
    if (s == NULL)
        sql_error(p, EMBER_NOMEM, -1, "out of memory");
    return s;
}

/* An integer literal; beyond INT64_MAX it keeps its text in sval. */
static AExpr *parse_int(Parser *p)
{
    const Token *t = sql_tok(p);
    AExpr *e = sql_new_expr(p, AE_INT, t->pos);
    if (e == NULL)
        return NULL;
    uint64_t v = 0;
    bool big = false;
    for (int i = 0; i < t->len; i++) {
        unsigned d = (unsigned)(p->sql[t->pos + i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            big = true;
        else
            v = v * 10 + d;
    }
    if (big || v > INT64_MAX) {
        if (!(e->sval = tok_text(p, t)))
            return NULL;
    } else {
        e->ival = (int64_t)v;
    }
    sql_advance(p);
    return finish(p, e);
}

static AExpr *parse_text_literal(Parser *p, AExprKind kind)
{
    const Token *t = sql_tok(p);
    AExpr *e = sql_new_expr(p, kind, t->pos);
    if (e == NULL)
        return NULL;
    if (kind == AE_NUMBER) {
        e->sval = tok_text(p, t);
        e->slen = t->len;
    } else {
        e->sval = sql_tok_string(p, t, &e->slen);
    }
    if (e->sval == NULL)
        return NULL;
    sql_advance(p);
    return finish(p, e);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* X'4142' -> the bytes "AB" (ember has no BLOB type). */
static AExpr *parse_blob(Parser *p)
{
    const Token *t = sql_tok(p);
    const char *hex = p->sql + t->pos + 2;
    int n = t->len - 3;
    AExpr *e = sql_new_expr(p, AE_STRING, t->pos);
    if (e == NULL)
        return NULL;
    char *out = arena_alloc(p->arena, (size_t)n / 2 + 1);
    if (out == NULL)
        return sql_error(p, EMBER_NOMEM, -1, "out of memory");
    for (int i = 0; i + 1 < n; i += 2) {
        int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0)
            n = -1;
        else
            out[i / 2] = (char)(hi * 16 + lo);
    }
    if (n < 0 || n % 2)
        return sql_error(p, EMBER_SYNTAX, t->pos,
                         "malformed hexadecimal literal at or near \"%.*s\"",
                         sql_msg_len(p->sql + t->pos, t->len),
                         p->sql + t->pos);
    out[n / 2] = 0;
    e->sval = out;
    e->slen = n / 2;
    sql_advance(p);
    return finish(p, e);
}

/* $n is parameter n; ? is numbered by its place among the ? of the
 * statement (the first ? is 1), counted over tokens so that speculative
 * parsing cannot number one twice. */
static AExpr *parse_param(Parser *p)
{
    const Token *t = sql_tok(p);
    AExpr *e = sql_new_expr(p, AE_PARAM, t->pos);
    if (e == NULL)
        return NULL;
    int64_t n = 0;
    for (int i = 1; i < t->len && n <= 65535; i++)
        n = n * 10 + (p->sql[t->pos + i] - '0');
    if (t->len > 1 && (n < 1 || n > 65535))
        return sql_error(p, EMBER_SYNTAX, t->pos,
                         "parameter number must be between 1 and 65535 at "
                         "or near \"%.*s\"",
                         sql_msg_len(p->sql + t->pos, t->len),
                         p->sql + t->pos);
    if (t->len == 1) {
        n = 1;
        for (int i = 0; i < p->cur; i++)
            if (p->toks[i].kind == TK_PARAM && p->toks[i].len == 1)
                n++;
    }
    e->ival = n;
    sql_advance(p);
    return finish(p, e);
}

/* Fold a minus sign into the literal x; false when x is not a number. */
static bool negate_literal(Parser *p, AExpr *x)
{
    if (x->kind != AE_INT && x->kind != AE_NUMBER)
        return false;
    if (x->kind == AE_INT && x->sval == NULL) {
        if (x->ival != INT64_MIN) {
            x->ival = -x->ival;
            return true;
        }
        x->sval = "9223372036854775808";
        return true;
    }
    if (x->sval[0] == '-') {
        x->sval++;
    } else if (x->kind == AE_INT &&
               strcmp(x->sval, "9223372036854775808") == 0) {
        x->sval = NULL;
        x->ival = INT64_MIN;
        return true;
    } else {
        x->sval = arena_printf(p->arena, "-%s", x->sval);
        if (x->sval == NULL) {
            sql_error(p, EMBER_NOMEM, -1, "out of memory");
            return false;
        }
    }
    if (x->kind == AE_NUMBER)
        x->slen = (int)strlen(x->sval);
    return true;
}

/* ------------------------------------------------------------------------
 * Units of INTERVAL and EXTRACT
 * ------------------------------------------------------------------------ */

typedef struct UnitName {
    const char *name;
    IntervalUnit unit;
    bool interval;        /* also an INTERVAL unit */
} UnitName;

static const UnitName unit_names[] = {
    {"year", IV_YEAR, true},       {"month", IV_MONTH, true},
    {"day", IV_DAY, true},         {"week", IV_WEEK, true},
    {"quarter", IV_QUARTER, true}, {"hour", IV_HOUR, true},
    {"minute", IV_MINUTE, true},   {"second", IV_SECOND, true},
    {"dow", IV_DOW, false},        {"doy", IV_DOY, false},
    {"epoch", IV_EPOCH, false},
};

/* The unit spelled by a word (any case, singular or plural). */
static IntervalUnit lookup_unit(const char *s, int n, bool interval)
{
    for (size_t i = 0; i < ARRAY_LEN(unit_names); i++) {
        const UnitName *u = &unit_names[i];
        int k = (int)strlen(u->name);
        if ((interval && !u->interval) || (n != k && n != k + 1))
            continue;
        if (n == k + 1 && s[k] != 's' && s[k] != 'S')
            continue;
        int j = 0;
        while (j < k && (s[j] | 0x20) == u->name[j])
            j++;
        if (j == k)
            return u->unit;
    }
    return IV_NONE;
}

/* INTERVAL 'n' [unit [(p)]], INTERVAL 'n unit', INTERVAL n unit. */
static AExpr *parse_interval(Parser *p)
{
    const Token *kw = sql_tok(p);
    sql_advance(p);
    const Token *v = sql_tok(p);
    AExpr *e = sql_new_expr(p, AE_INTERVAL, kw->pos);
    if (e == NULL)
        return NULL;
    if (v->kind == TK_STRING)
        e->sval = sql_tok_string(p, v, &e->slen);
    else if ((e->sval = tok_text(p, v)))
        e->slen = v->len;
    if (e->sval == NULL)
        return NULL;
    sql_advance(p);
    const Token *u = sql_tok(p);
    if (u->kind == TK_IDENT)
        e->unit = lookup_unit(p->sql + u->pos, u->len, true);
    if (e->unit == IV_NONE)
        return v->kind == TK_STRING ? finish(p, e) : sql_syntax_error(p);
    sql_advance(p);
    /* A precision after the unit, as in `interval '90' day (3)`, is
     * accepted and ignored. */
    if (sql_is(p, TK_LPAREN) && sql_tok_at(p, 1)->kind == TK_INT &&
        sql_tok_at(p, 2)->kind == TK_RPAREN)
        p->cur += 3;
    return finish(p, e);
}

/* DATE 'yyyy-mm-dd' */
static AExpr *parse_typed_string(Parser *p, Type type)
{
    AExpr *e = sql_new_expr(p, AE_TYPED_STRING, sql_tok(p)->pos);
    if (e == NULL)
        return NULL;
    sql_advance(p);
    e->type = type;
    if (!(e->sval = sql_tok_string(p, sql_tok(p), &e->slen)))
        return NULL;
    sql_advance(p);
    return finish(p, e);
}

/* ------------------------------------------------------------------------
 * Special forms: CASE, CAST, EXISTS, EXTRACT, SUBSTRING, TRIM, POSITION
 * ------------------------------------------------------------------------ */

static AExpr *parse_case(Parser *p)
{
    AExpr *e = sql_new_expr(p, AE_CASE, sql_tok(p)->pos);
    int cap = 0;
    if (e == NULL)
        return NULL;
    sql_advance(p);
    if (!sql_is_kw(p, KW_WHEN) && !(e->operand = sql_expr(p)))
        return NULL;
    do {
        if (!sql_expect_kw(p, KW_WHEN) || !add_arg(p, e, sql_expr(p), &cap) ||
            !sql_expect_kw(p, KW_THEN) || !add_arg(p, e, sql_expr(p), &cap))
            return NULL;
    } while (sql_is_kw(p, KW_WHEN));
    if (sql_accept_kw(p, KW_ELSE) && !(e->else_expr = sql_expr(p)))
        return NULL;
    if (!sql_expect_kw(p, KW_END))
        return NULL;
    return finish(p, e);
}

/* CAST ( x AS type ) */
static AExpr *parse_cast(Parser *p)
{
    AExpr *e = sql_new_expr(p, AE_CAST, sql_tok(p)->pos);
    int cap = 0;
    if (e == NULL)
        return NULL;
    sql_advance(p);
    if (!sql_expect(p, TK_LPAREN) || !add_arg(p, e, sql_expr(p), &cap) ||
        !sql_expect_kw(p, KW_AS) || !sql_parse_type(p, &e->type) ||
        !sql_expect(p, TK_RPAREN))
        return NULL;
    return finish(p, e);
}

/* x :: type */
static AExpr *parse_cast_op(Parser *p, AExpr *x)
{
    AExpr *e = sql_new_expr(p, AE_CAST, x->pos);
    int cap = 0;
    sql_advance(p);
    if (e == NULL || !add_arg(p, e, x, &cap) || !sql_parse_type(p, &e->type))
        return NULL;
    return finish(p, e);
}

/* EXISTS ( query ) */
static AExpr *parse_exists(Parser *p)
{
    AExpr *e = sql_new_expr(p, AE_EXISTS, sql_tok(p)->pos);
    if (e == NULL)
        return NULL;
    sql_advance(p);
    if (!sql_expect(p, TK_LPAREN) || !(e->subquery = sql_query(p)) ||
        !sql_expect(p, TK_RPAREN))
        return NULL;
    return finish(p, e);
}

/* EXTRACT ( field FROM x ) */
static AExpr *parse_extract(Parser *p)
{
    AExpr *e = sql_new_expr(p, AE_EXTRACT, sql_tok(p)->pos);
    int cap = 0;
    if (e == NULL)
        return NULL;
    p->cur += 2;
    const Token *f = sql_tok(p);
    int skip = f->kind == TK_STRING ? 1 : 0;
    if (f->kind == TK_IDENT || f->kind == TK_STRING)
        e->unit = lookup_unit(p->sql + f->pos + skip, f->len - 2 * skip,
                              false);
    if (e->unit == IV_NONE) {
        if (f->kind != TK_IDENT && f->kind != TK_STRING)
            return sql_syntax_error(p);
        return sql_error(p, EMBER_ERROR, f->pos,
                         "unit \"%.*s\" not recognized",
                         sql_msg_len(p->sql + f->pos, f->len),
                         p->sql + f->pos);
    }
    sql_advance(p);
    if (!sql_expect_kw(p, KW_FROM) || !add_arg(p, e, sql_expr(p), &cap) ||
        !sql_expect(p, TK_RPAREN))
        return NULL;
    return finish(p, e);
}

static AExpr *new_func(Parser *p, const char *name, int pos)
{
    AExpr *e = sql_new_expr(p, AE_FUNC, pos);
    if (e)
        e->sval = name;
    return e;
}

/* SUBSTRING ( x FROM a [FOR b] ) and SUBSTRING ( x, a [, b] ) */
static AExpr *parse_substring(Parser *p)
{
    AExpr *e = new_func(p, "substring", sql_tok(p)->pos);
    int cap = 0;
    if (e == NULL)
        return NULL;
    p->cur += 2;
    if (!add_arg(p, e, sql_expr(p), &cap))
        return NULL;
    if (sql_accept_kw(p, KW_FROM)) {
        if (!add_arg(p, e, sql_expr(p), &cap))
            return NULL;
        if (sql_accept_kw(p, KW_FOR) && !add_arg(p, e, sql_expr(p), &cap))
            return NULL;
    } else {
        if (!sql_expect(p, TK_COMMA) || !add_arg(p, e, sql_expr(p), &cap))
            return NULL;
        if (sql_accept(p, TK_COMMA) && !add_arg(p, e, sql_expr(p), &cap))
            return NULL;
    }
    if (!sql_expect(p, TK_RPAREN))
        return NULL;
    return finish(p, e);
}

/* TRIM ( [LEADING|TRAILING|BOTH] [chars] FROM x ) -> trim/ltrim/rtrim with
 * arguments (x [, chars]); TRIM ( x [, chars] ) as written. */
static AExpr *parse_trim(Parser *p)
{
    AExpr *e = new_func(p, "trim", sql_tok(p)->pos);
    int cap = 0;
    if (e == NULL)
        return NULL;
    p->cur += 2;
    if (sql_accept_kw(p, KW_LEADING))
        e->sval = "ltrim";
    else if (sql_accept_kw(p, KW_TRAILING))
        e->sval = "rtrim";
    else
        sql_accept_kw(p, KW_BOTH);
    if (sql_accept_kw(p, KW_FROM)) {
        if (!add_arg(p, e, sql_expr(p), &cap))
            return NULL;
    } else {
        AExpr *first = sql_expr(p);
        if (first == NULL)
            return NULL;
        if (sql_accept_kw(p, KW_FROM)) {
            if (!add_arg(p, e, sql_expr(p), &cap))
                return NULL;
        }
        if (!add_arg(p, e, first, &cap))
            return NULL;
        while (e->n_args == 1 && sql_accept(p, TK_COMMA))
            if (!add_arg(p, e, sql_expr(p), &cap))
                return NULL;
    }
    if (!sql_expect(p, TK_RPAREN))
        return NULL;
    return finish(p, e);
}

/* POSITION ( a IN b ) -> position(a, b) */
static AExpr *parse_position(Parser *p)
{
    AExpr *e = new_func(p, "position", sql_tok(p)->pos);
    int cap = 0;
    if (e == NULL)
        return NULL;
    p->cur += 2;
    if (!add_arg(p, e, sql_expr_prec(p, PREC_IN + 1), &cap) ||
        !sql_expect_kw(p, KW_IN) || !add_arg(p, e, sql_expr(p), &cap) ||
        !sql_expect(p, TK_RPAREN))
        return NULL;
    return finish(p, e);
}

/* ------------------------------------------------------------------------
 * Names, columns and function calls
 * ------------------------------------------------------------------------ */

/* [FILTER (WHERE cond)] after an aggregate call. */
static bool parse_filter(Parser *p, AExpr *e)
{
    if (!sql_is_kw(p, KW_FILTER) || sql_tok_at(p, 1)->kind != TK_LPAREN)
        return true;
    p->cur += 2;
    return sql_expect_kw(p, KW_WHERE) && (e->filter = sql_expr(p)) &&
           sql_expect(p, TK_RPAREN);
}

/* name ( [DISTINCT | ALL] args | * ) [FILTER (WHERE cond)] */
static AExpr *parse_func(Parser *p, const char *name, int pos)
{
    AExpr *e = new_func(p, name, pos);
    if (e == NULL)
        return NULL;
    sql_advance(p);
    if (sql_accept(p, TK_STAR)) {
        e->star = true;
    } else if (!sql_is(p, TK_RPAREN)) {
        if (sql_accept_kw(p, KW_DISTINCT))
            e->distinct = true;
        else
            sql_accept_kw(p, KW_ALL);
        if (!(e->args = sql_expr_list(p, &e->n_args)))
            return NULL;
    }
    if (!sql_expect(p, TK_RPAREN) || !parse_filter(p, e))
        return NULL;
    return finish(p, e);
}

/* name[.name...] as a column, t.* as a star, name(...) as a call. */
static AExpr *parse_name_expr(Parser *p)
{
    int pos = sql_tok(p)->pos;
    const char *name = sql_tok_name(p, sql_tok(p));
    if (name == NULL)
        return NULL;
    sql_advance(p);
    if (sql_is(p, TK_LPAREN))
        return parse_func(p, name, pos);
    AExpr *e = sql_new_expr(p, AE_COLUMN, pos);
    int cap = 0;
    if (e == NULL || !sql_push(p, &e->names, &e->n_names, &cap,
                               sizeof(name), &name))
        return NULL;
    while (sql_accept(p, TK_DOT)) {
        if (sql_accept(p, TK_STAR)) {
            e->kind = AE_STAR;
            break;
        }
        /* After a dot any word is a name (t.order is fine). */
        if (!(name = sql_label(p)) ||
            !sql_push(p, &e->names, &e->n_names, &cap, sizeof(name), &name))
            return NULL;
    }
    return finish(p, e);
}

/* A primary that starts with a word: literal keywords, special forms,
 * typed literals, then names. */
static AExpr *parse_word(Parser *p)
{
    const Token *t = sql_tok(p);
    TokKind next = (TokKind)sql_tok_at(p, 1)->kind;
    bool call = next == TK_LPAREN;
    AExpr *e;
    switch (t->kind == TK_IDENT ? (Keyword)t->kw : KW_NONE) {
    case KW_NULL:
    case KW_TRUE:
    case KW_FALSE:
        e = sql_new_expr(p, t->kw == KW_NULL ? AE_NULL : AE_BOOL, t->pos);
        if (e == NULL)
            return NULL;
        e->ival = t->kw == KW_TRUE;
        sql_advance(p);
        return finish(p, e);
    case KW_CASE: return parse_case(p);
    case KW_CAST: return parse_cast(p);
    case KW_EXISTS: return parse_exists(p);
    case KW_EXTRACT: return call ? parse_extract(p) : parse_name_expr(p);
    case KW_SUBSTRING: return call ? parse_substring(p) : parse_name_expr(p);
    case KW_TRIM: return call ? parse_trim(p) : parse_name_expr(p);
    case KW_POSITION: return call ? parse_position(p) : parse_name_expr(p);
    case KW_LEFT:
    case KW_RIGHT: return call ? parse_name_expr(p) : sql_syntax_error(p);
    case KW_INTERVAL:
        if (next == TK_STRING || next == TK_INT || next == TK_NUMBER)
            return parse_interval(p);
        return parse_name_expr(p);
    default:
        break;
    }
    if (!sql_is_name_tok(t))
        return sql_syntax_error(p);
    if (next == TK_STRING && sql_is_word_at(p, 0, "date"))
        return parse_typed_string(p, type_make(TYPE_DATE));
    return parse_name_expr(p);
}

/* ( query ) as a scalar subquery, or ( expr ). */
static AExpr *parse_paren(Parser *p)
{
    int pos = sql_tok(p)->pos;
    if (sql_paren_is_query(p, 0)) {
        AExpr *e = sql_new_expr(p, AE_SUBQUERY, pos);
        sql_advance(p);
        if (e == NULL || !(e->subquery = sql_query(p)) ||
            !sql_expect(p, TK_RPAREN))
            return NULL;
        return finish(p, e);
    }
    sql_advance(p);
    AExpr *e = sql_expr(p);
    if (e == NULL || !sql_expect(p, TK_RPAREN))
        return NULL;
    e->pos = pos;
    return finish(p, e);
}

static AExpr *parse_primary(Parser *p)
{
    switch ((TokKind)sql_tok(p)->kind) {
    case TK_INT: return parse_int(p);
    case TK_NUMBER: return parse_text_literal(p, AE_NUMBER);
    case TK_STRING: return parse_text_literal(p, AE_STRING);
    case TK_BLOB: return parse_blob(p);
    case TK_PARAM: return parse_param(p);
    case TK_LPAREN: return parse_paren(p);
    case TK_IDENT:
    case TK_QIDENT: return parse_word(p);
    default: return sql_syntax_error(p);
    }
}

/* ------------------------------------------------------------------------
 * Prefix operators
 * ------------------------------------------------------------------------ */

static AExpr *parse_prefix(Parser *p)
{
    const Token *t = sql_tok(p);
    if (sql_is_kw(p, KW_NOT)) {
        sql_advance(p);
        AExpr *x = sql_expr_prec(p, PREC_NOT);
        if (x == NULL)
            return NULL;
        if (x->kind == AE_EXISTS) {   /* rule 4 */
            x->negated = !x->negated;
            x->pos = t->pos;
            return x;
        }
        return make_unary(p, OP_NOT, x, t->pos);
    }
    if (t->kind == TK_MINUS || t->kind == TK_PLUS) {
        sql_advance(p);
        AExpr *x = sql_expr_prec(p, PREC_UNARY);
        if (x == NULL)
            return NULL;
        if (t->kind == TK_MINUS && negate_literal(p, x)) {
            x->pos = t->pos;
            return x;
        }
        if (sql_failed(p))
            return NULL;
        return make_unary(p, t->kind == TK_MINUS ? OP_NEG : OP_PLUS, x,
                          t->pos);
    }
    return parse_primary(p);
}

/* ------------------------------------------------------------------------
 * Infix and postfix operators
 * ------------------------------------------------------------------------ */

static bool is_pred_kw(const Parser *p, int ahead)
{
    return sql_is_kw_at(p, ahead, KW_BETWEEN) ||
           sql_is_kw_at(p, ahead, KW_IN) || sql_is_kw_at(p, ahead, KW_LIKE) ||
           sql_is_kw_at(p, ahead, KW_ILIKE);
}

/* The level of the operator at the cursor, PREC_NONE when none. */
static int infix_prec(const Parser *p)
{
    const Token *t = sql_tok(p);
    switch ((TokKind)t->kind) {
    case TK_EQ: case TK_NE: case TK_LT: case TK_LE: case TK_GT: case TK_GE:
        return PREC_CMP;
    case TK_CONCAT: return PREC_OTHER;
    case TK_PLUS: case TK_MINUS: return PREC_ADD;
    case TK_STAR: case TK_SLASH: case TK_PERCENT: return PREC_MUL;
    case TK_CAST: return PREC_CAST;
    case TK_IDENT: break;
    default: return PREC_NONE;
    }
    switch ((Keyword)t->kw) {
    case KW_OR: return PREC_OR;
    case KW_AND: return PREC_AND;
    case KW_IS: case KW_ISNULL: case KW_NOTNULL: return PREC_IS;
    case KW_BETWEEN: case KW_IN: case KW_LIKE: case KW_ILIKE: return PREC_IN;
    case KW_NOT:
        if (is_pred_kw(p, 1))
            return PREC_IN;
        return sql_is_kw_at(p, 1, KW_NULL) ? PREC_IS : PREC_NONE;
    default: return PREC_NONE;
    }
}

static AOp binary_op(const Token *t)
{
    switch ((TokKind)t->kind) {
    case TK_PLUS: return OP_ADD;
    case TK_MINUS: return OP_SUB;
    case TK_STAR: return OP_MUL;
    case TK_SLASH: return OP_DIV;
    case TK_PERCENT: return OP_MOD;
    case TK_CONCAT: return OP_CONCAT;
    case TK_EQ: return OP_EQ;
    case TK_NE: return OP_NE;
    case TK_LT: return OP_LT;
    case TK_LE: return OP_LE;
    case TK_GT: return OP_GT;
    case TK_GE: return OP_GE;
    default: return t->kw == KW_AND ? OP_AND : OP_OR;
    }
}

static AExpr *parse_binary(Parser *p, AExpr *left, int prec)
{
    AOp op = binary_op(sql_tok(p));
    sql_advance(p);
    AExpr *right = sql_expr_prec(p, prec + 1);   /* rule 1 */
    return right ? make_binary(p, op, left, right) : NULL;
}

/* A node of `kind` with x as its first argument; *cap is the capacity of
 * its argument array. */
static AExpr *new_postfix(Parser *p, AExprKind kind, AExpr *x, bool negated,
                          int *cap)
{
    AExpr *e = sql_new_expr(p, kind, x->pos);
    *cap = 0;
    if (e == NULL || !add_arg(p, e, x, cap))
        return NULL;
    e->negated = negated;
    return e;
}

/* x IS [NOT] NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM y, x ISNULL,
 * x NOTNULL, x NOT NULL (SQLite). The cursor is on IS/ISNULL/NOTNULL/NOT. */
static AExpr *parse_is(Parser *p, AExpr *x)
{
    AExpr *e;
    bool neg;
    int cap;
    if (!sql_is_kw(p, KW_IS)) {
        neg = !sql_is_kw(p, KW_ISNULL);
        p->cur += sql_is_kw(p, KW_NOT) ? 2 : 1;
        e = new_postfix(p, AE_IS_NULL, x, neg, &cap);
        return finish(p, e);
    }
    sql_advance(p);
    neg = sql_accept_kw(p, KW_NOT);
    if (sql_accept_kw(p, KW_NULL) || sql_accept_word(p, "unknown")) {
        e = new_postfix(p, AE_IS_NULL, x, neg, &cap);
    } else if (sql_is_kw(p, KW_TRUE) || sql_is_kw(p, KW_FALSE)) {
        e = new_postfix(p, AE_IS_BOOL, x, neg, &cap);
        if (e)
            e->ival = sql_is_kw(p, KW_TRUE);
        sql_advance(p);
    } else if (sql_accept_kw(p, KW_DISTINCT)) {
        e = new_postfix(p, AE_IS_DISTINCT, x, neg, &cap);
        if (e == NULL || !sql_expect_kw(p, KW_FROM) ||
            !add_arg(p, e, sql_expr_prec(p, PREC_IS + 1), &cap))
            return NULL;
    } else {
        return sql_syntax_error(p);
    }
    return finish(p, e);
}

/* x [NOT] BETWEEN lo AND hi (rule 3) */
static AExpr *parse_between(Parser *p, AExpr *x, bool negated)
{
    int cap;
    AExpr *e = new_postfix(p, AE_BETWEEN, x, negated, &cap);
    sql_advance(p);
    if (e == NULL || !add_arg(p, e, sql_expr_prec(p, PREC_IN + 1), &cap) ||
        !sql_expect_kw(p, KW_AND) ||
        !add_arg(p, e, sql_expr_prec(p, PREC_IN + 1), &cap))
        return NULL;
    return finish(p, e);
}

/* x [NOT] IN (list), IN (query), IN table */
static AExpr *parse_in(Parser *p, AExpr *x, bool negated)
{
    int cap;
    AExpr *e = new_postfix(p, AE_IN_LIST, x, negated, &cap);
    sql_advance(p);
    if (e == NULL)
        return NULL;
    if (sql_is(p, TK_LPAREN) && sql_paren_is_query(p, 0)) {
        sql_advance(p);
        e->kind = AE_IN_SUBQUERY;
        if (!(e->subquery = sql_query(p)) || !sql_expect(p, TK_RPAREN))
            return NULL;
    } else if (sql_accept(p, TK_LPAREN)) {
        if (!sql_is(p, TK_RPAREN)) {
            do {
                if (!add_arg(p, e, sql_expr(p), &cap))
                    return NULL;
            } while (sql_accept(p, TK_COMMA));
        }
        if (!sql_expect(p, TK_RPAREN))
            return NULL;
    } else {
        e->kind = AE_IN_TABLE;
        int n_cap = 0;
        do {
            const char *name = sql_name(p);
            if (name == NULL || !sql_push(p, &e->names, &e->n_names, &n_cap,
                                          sizeof(name), &name))
                return NULL;
        } while (e->n_names < 2 && sql_accept(p, TK_DOT));
    }
    return finish(p, e);
}

/* x [NOT] LIKE|ILIKE pattern [ESCAPE esc] (rule 3) */
static AExpr *parse_like(Parser *p, AExpr *x, bool negated)
{
    int cap;
    AExpr *e = new_postfix(p, AE_LIKE, x, negated, &cap);
    if (e == NULL)
        return NULL;
    e->ilike = sql_is_kw(p, KW_ILIKE);
    sql_advance(p);
    if (!add_arg(p, e, sql_expr_prec(p, PREC_IN + 1), &cap))
        return NULL;
    if (sql_accept_kw(p, KW_ESCAPE) &&
        !add_arg(p, e, sql_expr_prec(p, PREC_IN + 1), &cap))
        return NULL;
    return finish(p, e);
}

static AExpr *parse_infix(Parser *p, AExpr *left, int prec)
{
    const Token *t = sql_tok(p);
    if (t->kind == TK_CAST)
        return parse_cast_op(p, left);
    if (t->kind != TK_IDENT || t->kw == KW_AND || t->kw == KW_OR)
        return parse_binary(p, left, prec);
    if (prec == PREC_IS)
        return parse_is(p, left);
    bool negated = sql_accept_kw(p, KW_NOT);
    if (sql_is_kw(p, KW_BETWEEN))
        return parse_between(p, left, negated);
    if (sql_is_kw(p, KW_IN))
        return parse_in(p, left, negated);
    return parse_like(p, left, negated);
}

AExpr *sql_expr_prec(Parser *p, int min_prec)
{
    if (!sql_enter(p))
        return NULL;
    int levels = 1;
    int last = PREC_NONE;
    AExpr *e = parse_prefix(p);
    while (e) {
        int prec = infix_prec(p);
        if (prec == PREC_NONE || prec < min_prec)
            break;
        if (prec == last && (prec == PREC_CMP || prec == PREC_IN)) {
            e = sql_syntax_error(p);   /* rule 1: non-associative */
            break;
        }
        last = prec;
        /* Each operator in a chain is one more level of tree depth. */
        if (!sql_enter(p)) {
            e = NULL;
            break;
        }
        levels++;
        e = parse_infix(p, e, prec);
    }
    p->depth -= levels;
    return e;
}

AExpr *sql_expr(Parser *p)
{
    return sql_expr_prec(p, PREC_OR);
}

/* ------------------------------------------------------------------------
 * Call arguments with names: ( [name =>] value, ... )
 * ------------------------------------------------------------------------ */

bool sql_call_args(Parser *p, AExpr ***args, const char ***names, int *n)
{
    int cap = 0;
    int n_names = 0;
    int cap_names = 0;
    bool any_named = false;
    *args = NULL;
    *names = NULL;
    *n = 0;
    if (!sql_expect(p, TK_LPAREN))
        return false;
    if (sql_accept(p, TK_RPAREN))
        return true;
    do {
        const char *name = NULL;
        if (sql_tok_at(p, 1)->kind == TK_ARROW) {
            if (!(name = sql_name(p)))
                return false;
            sql_advance(p);
            any_named = true;
        }
        AExpr *e = sql_expr(p);
        if (e == NULL || !sql_push(p, args, n, &cap, sizeof(e), &e) ||
            !sql_push(p, names, &n_names, &cap_names, sizeof(name), &name))
            return false;
    } while (sql_accept(p, TK_COMMA));
    if (!any_named)
        *names = NULL;
    return sql_expect(p, TK_RPAREN);
}
