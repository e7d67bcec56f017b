/*
 * parse_select.c -- queries: WITH, set operations, SELECT blocks, VALUES,
 * FROM clauses with joins, ORDER BY, LIMIT and OFFSET.
 *
 *   query     := [WITH cte, ...] set_expr [ORDER BY ...] [LIMIT | OFFSET]...
 *   set_expr  := set_term {(UNION | EXCEPT) [ALL | DISTINCT] set_term}
 *   set_term  := primary {INTERSECT [ALL | DISTINCT] primary}
 *   primary   := SELECT ... | VALUES (...), ... | ( query )
 *   from_item := table_ref {join table_ref [ON expr | USING (cols)]}
 *   table_ref := name [alias] | name(args) [alias] | ( query ) [alias]
 *              | ( from_item )
 *
 * ORDER BY, LIMIT, OFFSET and WITH go on the node they follow: the set
 * operation when there is one, else the block (sql.h). A parenthesised
 * query that already has one of them cannot take a second
 * ("multiple ORDER BY clauses not allowed", as PostgreSQL says).
 * Chains of set operations and joins count one nesting level per
 * operator, like chains of binary operators (sql_int.h, SQL_MAX_DEPTH).
 */
#include "sql/sql_int.h"

/* ------------------------------------------------------------------------
 * Look-ahead: does a parenthesis open a query?
 * ------------------------------------------------------------------------ */

static bool is_query_kw(const Token *t)
{
    return t->kind == TK_IDENT && (t->kw == KW_SELECT || t->kw == KW_VALUES ||
                                   t->kw == KW_WITH);
}

/* May this token follow a parenthesised query inside a larger query? */
static bool is_query_follower(const Token *t)
{
    if (t->kind == TK_RPAREN)
        return true;
    return t->kind == TK_IDENT &&
           (t->kw == KW_UNION || t->kw == KW_INTERSECT ||
            t->kw == KW_EXCEPT || t->kw == KW_ORDER || t->kw == KW_LIMIT ||
            t->kw == KW_OFFSET);
}

/* The '(' at `ahead` opens a query when SELECT, VALUES or WITH follows, or
 * when a nested '(' opens a query that is followed by what may follow a
 * query: `((SELECT 1) UNION (SELECT 2))` is a query, `((SELECT 1) + 1)`
 * an expression and `((SELECT 1) AS x JOIN y ON ..)` a join. Each step
 * is O(1) thanks to p->match; the loop runs once per nested '(', at most
 * SQL_MAX_DEPTH times (deeper text fails anyway). */
bool sql_paren_is_query(const Parser *p, int ahead)
{
    int i = p->cur + ahead;
    int stop = i + SQL_MAX_DEPTH;
    while (i + 1 < p->n_toks && i < stop && p->toks[i].kind == TK_LPAREN) {
        const Token *t = &p->toks[i + 1];
        if (is_query_kw(t))
            return true;
        if (t->kind != TK_LPAREN || p->match[i + 1] < 0 ||
            p->match[i + 1] + 1 >= p->n_toks ||
            !is_query_follower(&p->toks[p->match[i + 1] + 1]))
            return false;
        i++;
    }
    return false;
}

/* ------------------------------------------------------------------------
 * FROM clause
 * ------------------------------------------------------------------------ */

static TableRef *parse_from_item(Parser *p);

static TableRef *new_ref(Parser *p, TableRefKind kind, int pos)
{
    TableRef *r = sql_alloc(p, sizeof(*r));
    if (r) {
        r->kind = kind;
        r->pos = pos;
    }
    return r;
}

/* [AS] alias [(col, ...)] */
static bool parse_ref_alias(Parser *p, TableRef *r)
{
    bool failed;
    r->alias = sql_opt_alias(p, &failed);
    if (failed)
        return false;
    if (r->alias && sql_is(p, TK_LPAREN))
        return (r->col_aliases = sql_name_list(p, &r->n_col_aliases));
    return true;
}

/* SQLite's NOT INDEXED and INDEXED BY name: accepted and ignored. */
static bool skip_indexed(Parser *p)
{
    if (sql_is_kw(p, KW_NOT) && sql_is_kw_at(p, 1, KW_INDEXED)) {
        p->cur += 2;
    } else if (sql_is_kw(p, KW_INDEXED) && sql_is_kw_at(p, 1, KW_BY)) {
        p->cur += 2;
        return sql_name(p) != NULL;
    }
    return true;
}

/* name [indexing] [alias] [indexing] | name(args) [alias] */
static TableRef *parse_named_ref(Parser *p)
{
    TableRef *r = new_ref(p, TR_TABLE, sql_tok(p)->pos);
    if (r == NULL || !(r->name = sql_name(p)))
        return NULL;
    if (sql_is(p, TK_LPAREN)) {
        r->kind = TR_FUNCTION;
        if (!sql_call_args(p, &r->args, &r->arg_names, &r->n_args))
            return NULL;
        return parse_ref_alias(p, r) ? r : NULL;
    }
    if (!skip_indexed(p) || !parse_ref_alias(p, r) || !skip_indexed(p))
        return NULL;
    return r;
}

/* ( query ) [alias] or ( from_item ) */
static TableRef *parse_paren_ref(Parser *p)
{
    int pos = sql_tok(p)->pos;
    if (sql_paren_is_query(p, 0)) {
        TableRef *r = new_ref(p, TR_SUBQUERY, pos);
        sql_advance(p);
        if (r == NULL || !(r->subquery = sql_query(p)) ||
            !sql_expect(p, TK_RPAREN) || !parse_ref_alias(p, r))
            return NULL;
        return r;
    }
    sql_advance(p);
    TableRef *r = parse_from_item(p);
    if (r == NULL || !sql_expect(p, TK_RPAREN))
        return NULL;
    return r;
}

static TableRef *parse_table_ref(Parser *p)
{
    if (!sql_enter(p))
        return NULL;
    TableRef *r;
    if (sql_is(p, TK_LPAREN))
        r = parse_paren_ref(p);
    else if (sql_is_name_tok(sql_tok(p)))
        r = parse_named_ref(p);
    else
        r = sql_syntax_error(p);
    sql_leave(p);
    return r;
}

/* The join words at the cursor: 1 and *kind / *natural set when a join
 * starts here (words consumed), 0 when none does, -1 on error. */
static int parse_join_words(Parser *p, JoinKind *kind, bool *natural)
{
    *natural = sql_accept_kw(p, KW_NATURAL);
    *kind = JOIN_INNER;
    if (!*natural && sql_accept_kw(p, KW_CROSS)) {
        *kind = JOIN_CROSS;
    } else if (sql_accept_kw(p, KW_INNER)) {
        *kind = JOIN_INNER;
    } else if (sql_is_kw(p, KW_LEFT) || sql_is_kw(p, KW_RIGHT) ||
               sql_is_kw(p, KW_FULL)) {
        *kind = sql_is_kw(p, KW_LEFT)    ? JOIN_LEFT
                : sql_is_kw(p, KW_RIGHT) ? JOIN_RIGHT
                                         : JOIN_FULL;
        sql_advance(p);
        sql_accept_kw(p, KW_OUTER);
    } else if (!*natural && !sql_is_kw(p, KW_JOIN)) {
        return 0;
    }
    return sql_expect_kw(p, KW_JOIN) ? 1 : -1;
}

/* ON cond | USING (cols); optional only for CROSS, NATURAL and a plain
 * [INNER] JOIN (SQLite reads that as a cross join). */
static bool parse_join_cond(Parser *p, TableRef *j)
{
    if (j->join == JOIN_CROSS || j->natural)
        return true;
    if (sql_accept_kw(p, KW_ON))
        return (j->on = sql_expr(p)) != NULL;
    if (sql_accept_kw(p, KW_USING))
        return (j->using_cols = sql_name_list(p, &j->n_using)) != NULL;
    if (j->join == JOIN_INNER)
        return true;
    sql_syntax_error(p);
    return false;
}

static TableRef *parse_from_item(Parser *p)
{
    TableRef *left = parse_table_ref(p);
    int levels = 0;
    while (left) {
        JoinKind kind;
        bool natural;
        int rc = parse_join_words(p, &kind, &natural);
        if (rc <= 0) {
            left = rc < 0 ? NULL : left;
            break;
        }
        if (!sql_enter(p)) {
            left = NULL;
            break;
        }
        levels++;
        TableRef *j = new_ref(p, TR_JOIN, left->pos);
        if (j == NULL || !(j->right = parse_table_ref(p))) {
            left = NULL;
            break;
        }
        j->join = kind;
        j->natural = natural;
        j->left = left;
        left = parse_join_cond(p, j) ? j : NULL;
    }
    p->depth -= levels;
    return left;
}

static bool parse_from(Parser *p, SelectStmt *q)
{
    int cap = 0;
    do {
        TableRef *r = parse_from_item(p);
        if (r == NULL || !sql_push(p, &q->from, &q->n_from, &cap, sizeof(r),
                                   &r))
            return false;
    } while (sql_accept(p, TK_COMMA));
    return true;
}

/* ------------------------------------------------------------------------
 * SELECT blocks and VALUES
 * ------------------------------------------------------------------------ */

static SelectStmt *new_select(Parser *p, int pos)
{
    SelectStmt *q = sql_alloc(p, sizeof(*q));
    if (q)
        q->pos = pos;
    return q;
}

/* expr [[AS] alias] | * | t.*; an alias may be a name, a quoted name or a
 * string literal, and after AS any keyword. */
static bool parse_target(Parser *p, ResTarget *rt)
{
    const Token *t = sql_tok(p);
    if (t->kind == TK_STAR) {
        rt->expr = sql_new_expr(p, AE_STAR, t->pos);
        sql_advance(p);
        if (rt->expr)
            rt->expr->end = sql_prev_end(p);
        return rt->expr != NULL;
    }
    if (!(rt->expr = sql_expr(p)))
        return false;
    if (rt->expr->kind == AE_STAR)
        return true;
    bool as = sql_accept_kw(p, KW_AS);
    t = sql_tok(p);
    if (t->kind == TK_STRING) {
        int len;
        sql_advance(p);
        return (rt->alias = sql_tok_string(p, t, &len)) != NULL;
    }
    if (as)
        return (rt->alias = sql_label(p)) != NULL;
    if (sql_is_name_tok(t))
        return (rt->alias = sql_name(p)) != NULL;
    return true;
}

static bool parse_targets(Parser *p, SelectStmt *q)
{
    int cap = 0;
    do {
        ResTarget rt = {0};
        if (!parse_target(p, &rt) ||
            !sql_push(p, &q->targets, &q->n_targets, &cap, sizeof(rt), &rt))
            return false;
    } while (sql_accept(p, TK_COMMA));
    return true;
}

/* SELECT [ALL | DISTINCT] targets [FROM ...] [WHERE] [GROUP BY] [HAVING] */
static SelectStmt *parse_select_block(Parser *p)
{
    SelectStmt *q = new_select(p, sql_tok(p)->pos);
    if (q == NULL)
        return NULL;
    sql_advance(p);
    if (sql_accept_kw(p, KW_DISTINCT))
        q->distinct = true;
    else
        sql_accept_kw(p, KW_ALL);
    if (!parse_targets(p, q))
        return NULL;
    if (sql_accept_kw(p, KW_FROM) && !parse_from(p, q))
        return NULL;
    if (sql_accept_kw(p, KW_WHERE) && !(q->where = sql_expr(p)))
        return NULL;
    if (sql_accept_kw(p, KW_GROUP)) {
        if (!sql_expect_kw(p, KW_BY) ||
            !(q->group_by = sql_expr_list(p, &q->n_group_by)))
            return NULL;
    }
    if (sql_accept_kw(p, KW_HAVING) && !(q->having = sql_expr(p)))
        return NULL;
    return q;
}

/* VALUES (expr, ...), ... : every row as long as the first. */
static SelectStmt *parse_values(Parser *p)
{
    SelectStmt *q = new_select(p, sql_tok(p)->pos);
    int cap = 0;
    if (q == NULL)
        return NULL;
    sql_advance(p);
    do {
        int pos = sql_tok(p)->pos;
        int n;
        AExpr **row;
        if (!sql_expect(p, TK_LPAREN) || !(row = sql_expr_list(p, &n)) ||
            !sql_expect(p, TK_RPAREN))
            return NULL;
        if (q->n_values_rows == 0)
            q->n_values_cols = n;
        else if (n != q->n_values_cols)
            return sql_error(p, EMBER_SYNTAX, pos,
                             "VALUES lists must all be the same length");
        if (!sql_push(p, &q->values_rows, &q->n_values_rows, &cap,
                      sizeof(row), &row))
            return NULL;
    } while (sql_accept(p, TK_COMMA));
    return q;
}

/* ------------------------------------------------------------------------
 * Set operations
 * ------------------------------------------------------------------------ */

static SelectStmt *parse_set_primary(Parser *p)
{
    if (sql_is_kw(p, KW_SELECT))
        return parse_select_block(p);
    if (sql_is_kw(p, KW_VALUES))
        return parse_values(p);
    if (!sql_accept(p, TK_LPAREN))
        return sql_syntax_error(p);
    SelectStmt *q = sql_query(p);
    if (q == NULL || !sql_expect(p, TK_RPAREN))
        return NULL;
    return q;
}

static SetOpKind set_op_at(const Parser *p, bool intersect)
{
    if (intersect)
        return sql_is_kw(p, KW_INTERSECT) ? SETOP_INTERSECT : SETOP_NONE;
    if (sql_is_kw(p, KW_UNION))
        return SETOP_UNION;
    return sql_is_kw(p, KW_EXCEPT) ? SETOP_EXCEPT : SETOP_NONE;
}

/* One level of left-associative set operations: INTERSECT over primaries
 * when `intersect`, else UNION and EXCEPT over INTERSECT terms. */
static SelectStmt *parse_set_level(Parser *p, bool intersect)
{
    SelectStmt *left = intersect ? parse_set_primary(p)
                                 : parse_set_level(p, true);
    int levels = 0;
    SetOpKind op;
    while (left && (op = set_op_at(p, intersect)) != SETOP_NONE) {
        if (!sql_enter(p)) {
            left = NULL;
            break;
        }
        levels++;
        sql_advance(p);
        SelectStmt *q = new_select(p, left->pos);
        if (q == NULL)
            break;
        q->op = op;
        q->all = sql_accept_kw(p, KW_ALL);
        if (!q->all)
            sql_accept_kw(p, KW_DISTINCT);
        q->left = left;
        q->right = intersect ? parse_set_primary(p)
                             : parse_set_level(p, true);
        left = q->right ? q : NULL;
    }
    p->depth -= levels;
    return sql_failed(p) ? NULL : left;
}

/* ------------------------------------------------------------------------
 * WITH, ORDER BY, LIMIT, OFFSET
 * ------------------------------------------------------------------------ */

static bool parse_cte(Parser *p, Cte *c)
{
    c->pos = sql_tok(p)->pos;
    if (!(c->name = sql_name(p)))
        return false;
    if (sql_is(p, TK_LPAREN) &&
        !(c->col_aliases = sql_name_list(p, &c->n_col_aliases)))
        return false;
    return sql_expect_kw(p, KW_AS) && sql_expect(p, TK_LPAREN) &&
           (c->query = sql_query(p)) && sql_expect(p, TK_RPAREN);
}

static bool parse_with(Parser *p, SelectStmt *q)
{
    Cte *ctes = NULL;
    int n = 0;
    int cap = 0;
    sql_advance(p);
    if (sql_is_kw(p, KW_RECURSIVE) && sql_is_name_tok(sql_tok_at(p, 1))) {
        sql_syntax_error(p);
        err_hint(p->err, "WITH RECURSIVE is not supported");
        return false;
    }
    do {
        Cte c = {0};
        if (!parse_cte(p, &c) || !sql_push(p, &ctes, &n, &cap, sizeof(c), &c))
            return false;
    } while (sql_accept(p, TK_COMMA));
    q->ctes = ctes;
    q->n_ctes = n;
    return true;
}

static bool parse_order_by(Parser *p, SelectStmt *q)
{
    int pos = sql_tok(p)->pos;
    int cap = 0;
    p->cur += 2;
    if (q->n_order_by > 0) {
        sql_error(p, EMBER_SYNTAX, pos,
                  "multiple ORDER BY clauses not allowed");
        return false;
    }
    do {
        OrderItem it = {0};
        if (!(it.expr = sql_expr(p)))
            return false;
        if (sql_accept_kw(p, KW_DESC))
            it.desc = true;
        else
            sql_accept_kw(p, KW_ASC);
        if (sql_accept_kw(p, KW_NULLS)) {
            if (sql_accept_kw(p, KW_FIRST))
                it.nulls = 1;
            else if (sql_expect_kw(p, KW_LAST))
                it.nulls = 2;
            else
                return false;
        }
        if (!sql_push(p, &q->order_by, &q->n_order_by, &cap, sizeof(it), &it))
            return false;
    } while (sql_accept(p, TK_COMMA));
    return true;
}

/* LIMIT n | LIMIT ALL | LIMIT m, n (SQLite: offset m) */
static bool parse_limit(Parser *p, SelectStmt *q, bool *seen)
{
    int pos = sql_tok(p)->pos;
    sql_advance(p);
    if (*seen || q->limit) {
        sql_error(p, EMBER_SYNTAX, pos, "multiple LIMIT clauses not allowed");
        return false;
    }
    *seen = true;
    if (sql_accept_kw(p, KW_ALL))
        return true;
    if (!(q->limit = sql_expr(p)))
        return false;
    if (!sql_accept(p, TK_COMMA))
        return true;
    if (q->offset) {
        sql_error(p, EMBER_SYNTAX, pos,
                  "multiple OFFSET clauses not allowed");
        return false;
    }
    q->offset = q->limit;
    return (q->limit = sql_expr(p)) != NULL;
}

static bool parse_offset(Parser *p, SelectStmt *q)
{
    int pos = sql_tok(p)->pos;
    sql_advance(p);
    if (q->offset) {
        sql_error(p, EMBER_SYNTAX, pos,
                  "multiple OFFSET clauses not allowed");
        return false;
    }
    if (!(q->offset = sql_expr(p)))
        return false;
    if (!sql_accept_word(p, "rows"))
        sql_accept_word(p, "row");
    return true;
}

/* [ORDER BY ...] then LIMIT and OFFSET in either order. */
static bool parse_order_limit(Parser *p, SelectStmt *q)
{
    bool limit_seen = false;
    if (sql_is_kw(p, KW_ORDER)) {
        if (!sql_is_kw_at(p, 1, KW_BY)) {
            sql_advance(p);
            sql_syntax_error(p);
            return false;
        }
        if (!parse_order_by(p, q))
            return false;
    }
    for (;;) {
        if (sql_is_kw(p, KW_LIMIT)) {
            if (!parse_limit(p, q, &limit_seen))
                return false;
        } else if (sql_is_kw(p, KW_OFFSET)) {
            if (!parse_offset(p, q))
                return false;
        } else {
            return true;
        }
    }
}

static SelectStmt *parse_query_body(Parser *p)
{
    int pos = sql_tok(p)->pos;
    SelectStmt with = {0};
    if (sql_is_kw(p, KW_WITH) && !parse_with(p, &with))
        return NULL;
    SelectStmt *q = parse_set_level(p, false);
    if (q == NULL)
        return NULL;
    if (with.n_ctes > 0) {
        if (q->n_ctes > 0)
            return sql_error(p, EMBER_SYNTAX, pos,
                             "multiple WITH clauses not allowed");
        q->ctes = with.ctes;
        q->n_ctes = with.n_ctes;
        q->pos = pos;
    }
    return parse_order_limit(p, q) ? q : NULL;
}

SelectStmt *sql_query(Parser *p)
{
    if (!sql_enter(p))
        return NULL;
    SelectStmt *q = parse_query_body(p);
    sql_leave(p);
    return q;
}
