/*
 * test_parser.c -- the SQL front end (src/sql): lexer, parser, AST dump.
 *
 * Checks the tree of representative statements through its S-expression
 * dump (precedence above all), error messages and positions, statement
 * splitting, the nesting bound, every position in every tree against the
 * text, out-of-memory at each allocation, and a mutation fuzz loop. Then
 * parses real workloads: the 22 TPC-H queries and SQLite's sqllogictest
 * corpus from ../shared (skipped with a message when it is absent; the
 * EMBER_SHARED environment variable overrides the path).
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

#include "sql/sql.h"
#include "sql/sql_int.h"

static Arena *g_arena;

static int setup(void **state)
{
    g_arena = arena_create("test_parser", 0, ARENA_RESERVE);
    return g_arena ? 0 : -1;
}

static int teardown(void **state)
{
    arena_destroy(g_arena);
    return 0;
}

/* ------------------------------------------------------------------------
 * Position checker: every node lies inside the text and inside its parent
 * ------------------------------------------------------------------------ */

typedef struct Span {
    int lo;
    int hi;
} Span;

static void check_select(const SelectStmt *q, Span in);

static void check_expr(const AExpr *e, Span in)
{
    if (e == NULL)
        fail_msg("NULL expression in the tree");
    if (e->pos < in.lo || e->end > in.hi || e->pos > e->end)
        fail_msg("expression kind %d at [%d, %d) outside [%d, %d)",
                 (int)e->kind, e->pos, e->end, in.lo, in.hi);
    Span me = {e->pos, e->end};
    for (int i = 0; i < e->n_args; i++)
        check_expr(e->args[i], me);
    if (e->operand)
        check_expr(e->operand, me);
    if (e->else_expr)
        check_expr(e->else_expr, me);
    if (e->filter)
        check_expr(e->filter, me);
    if (e->subquery)
        check_select(e->subquery, me);
    if (e->kind == AE_COLUMN || e->kind == AE_IN_TABLE)
        assert_true(e->n_names > 0);
    if (e->kind == AE_FUNC)
        assert_non_null(e->sval);
}

static void check_ref(const TableRef *r, Span in)
{
    assert_non_null(r);
    if (r->pos < in.lo || r->pos > in.hi)
        fail_msg("table ref at %d outside [%d, %d)", r->pos, in.lo, in.hi);
    for (int i = 0; i < r->n_args; i++)
        check_expr(r->args[i], in);
    if (r->subquery)
        check_select(r->subquery, in);
    if (r->kind == TR_JOIN) {
        check_ref(r->left, in);
        check_ref(r->right, in);
        if (r->on)
            check_expr(r->on, in);
    } else if (r->kind != TR_SUBQUERY) {
        assert_non_null(r->name);
    }
}

static void check_select(const SelectStmt *q, Span in)
{
    assert_non_null(q);
    if (q->op != SETOP_NONE) {
        check_select(q->left, in);
        check_select(q->right, in);
    }
    for (int i = 0; i < q->n_targets; i++)
        check_expr(q->targets[i].expr, in);
    for (int i = 0; i < q->n_from; i++)
        check_ref(q->from[i], in);
    if (q->where)
        check_expr(q->where, in);
    for (int i = 0; i < q->n_group_by; i++)
        check_expr(q->group_by[i], in);
    if (q->having)
        check_expr(q->having, in);
    for (int i = 0; i < q->n_values_rows; i++)
        for (int j = 0; j < q->n_values_cols; j++)
            check_expr(q->values_rows[i][j], in);
    for (int i = 0; i < q->n_order_by; i++)
        check_expr(q->order_by[i].expr, in);
    if (q->limit)
        check_expr(q->limit, in);
    if (q->offset)
        check_expr(q->offset, in);
    for (int i = 0; i < q->n_ctes; i++)
        check_select(q->ctes[i].query, in);
}

static void check_stmt(const Stmt *s, int len)
{
    assert_non_null(s);
    if (s->pos < 0 || s->end > len || s->pos >= s->end)
        fail_msg("statement at [%d, %d), text length %d", s->pos, s->end,
                 len);
    Span in = {s->pos, s->end};
    if (s->select)
        check_select(s->select, in);
    if (s->inner)
        check_stmt(s->inner, len);
    if (s->where)
        check_expr(s->where, in);
    if (s->value)
        check_expr(s->value, in);
    for (int i = 0; i < s->n_sets; i++)
        check_expr(s->set_exprs[i], in);
    for (int i = 0; i < s->n_args; i++)
        check_expr(s->args[i], in);
    for (int i = 0; i < s->n_coldefs; i++)
        if (s->coldefs[i].default_expr)
            check_expr(s->coldefs[i].default_expr, in);
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* Parse the first statement of sql; checks the positions on success. */
static int parse(const char *sql, Stmt **out, Err *err)
{
    int next;
    err_clear(err);
    int len = (int)strlen(sql);
    int rc = sql_parse(g_arena, sql, len, 0, out, &next, err);
    if (rc == EMBER_OK && *out)
        check_stmt(*out, len);
    return rc;
}

static void check_dump(const char *sql, const char *want)
{
    Stmt *s;
    Err err;
    int rc = parse(sql, &s, &err);
    if (rc != EMBER_OK)
        fail_msg("%s\n  failed: %s (at %d)", sql, err.msg, err.pos);
    StrBuf sb;
    sb_init(&sb);
    sql_dump_stmt(s, &sb);
    if (strcmp(sb.data, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", sql, sb.data, want);
    sb_release(&sb);
}

/* The dump of the only target of SELECT <expr>. */
static void check_expr_dump(const char *expr, const char *want)
{
    char sql[1024];
    snprintf(sql, sizeof(sql), "SELECT %s", expr);
    Stmt *s;
    Err err;
    if (parse(sql, &s, &err) != EMBER_OK)
        fail_msg("%s\n  failed: %s (at %d)", sql, err.msg, err.pos);
    assert_int_equal(s->select->n_targets, 1);
    StrBuf sb;
    sb_init(&sb);
    sql_dump_expr(s->select->targets[0].expr, &sb);
    if (strcmp(sb.data, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", expr, sb.data, want);
    sb_release(&sb);
}

static void check_error(const char *sql, int code, const char *msg, int pos)
{
    Stmt *s = NULL;
    Err err;
    int rc = parse(sql, &s, &err);
    if (rc != code || strcmp(err.msg, msg) != 0 || err.pos != pos)
        fail_msg("%s\n  got:  %d \"%s\" at %d\n  want: %d \"%s\" at %d", sql,
                 rc, err.msg, err.pos, code, msg, pos);
    assert_null(s);
}

/* Read a whole file into a NUL-terminated mem_alloc'ed buffer. */
static char *read_file(const char *path, int *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = mem_alloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = 0;
    *len = (int)n;
    return buf;
}

static const char *shared_dir(void)
{
    const char *env = getenv("EMBER_SHARED");
    return env ? env : "../shared";
}

/* Parse every statement of text[0, len); returns how many failed (with
 * a message for each). */
static int parse_all(const char *what, const char *text, int len,
                     int *n_stmts)
{
    int pos = 0;
    int failed = 0;
    for (;;) {
        Stmt *s;
        int next;
        Err err;
        err_clear(&err);
        int rc = sql_parse(g_arena, text, len, pos, &s, &next, &err);
        if (rc != EMBER_OK) {
            printf("  %s: %s at %d in: %.*s\n", what, err.msg, err.pos,
                   next - pos, text + pos);
            failed++;
        } else if (s == NULL) {
            return failed;
        } else {
            check_stmt(s, len);
            (*n_stmts)++;
        }
        assert_true(next > pos && next <= len);
        pos = next;
        if (pos >= len)
            return failed;
    }
}

/* ------------------------------------------------------------------------
 * Keywords and the lexer
 * ------------------------------------------------------------------------ */

static void test_keywords(void **state)
{
    assert_true(sql_keywords_sorted());
    assert_true(sql_is_reserved("select", 6));
    assert_true(sql_is_reserved("SeLeCt", 6));
    assert_true(sql_is_reserved("left", 4));
    assert_true(sql_is_reserved("order", 5));
    assert_false(sql_is_reserved("sel", 3));
    assert_false(sql_is_reserved("selects", 7));
    assert_false(sql_is_reserved("year", 4));
    assert_false(sql_is_reserved("date", 4));
    assert_false(sql_is_reserved("replace", 7));  /* non-reserved keyword */
    assert_false(sql_is_reserved("", 0));
    assert_int_equal(sql_keyword("InTeRsEcT", 9), KW_INTERSECT);
    assert_int_equal(sql_keyword("constraints", 11), KW_NONE);
}

static void test_lexer(void **state)
{
    static const struct {
        const char *text;
        TokKind kind;
        int pos;
        int len;
    } cases[] = {
        {"  abc_1$x ", TK_IDENT, 2, 7},
        {"\"a\"\"b\"", TK_QIDENT, 0, 6},
        {"`x`", TK_QIDENT, 0, 3},
        {"[a b]", TK_QIDENT, 0, 5},
        {"'it''s'", TK_STRING, 0, 7},
        {"123", TK_INT, 0, 3},
        {"1.5", TK_NUMBER, 0, 3},
        {".5", TK_NUMBER, 0, 2},
        {"5.", TK_NUMBER, 0, 2},
        {"1e10", TK_NUMBER, 0, 4},
        {"1.5E-3", TK_NUMBER, 0, 6},
        {"?", TK_PARAM, 0, 1},
        {"$12", TK_PARAM, 0, 3},
        {"-- c\n/* a /* nested */ b */ ||", TK_CONCAT, 28, 2},
        {"==", TK_EQ, 0, 2},
        {"!=", TK_NE, 0, 2},
        {"<>", TK_NE, 0, 2},
        {"<=", TK_LE, 0, 2},
        {">=", TK_GE, 0, 2},
        {"::", TK_CAST, 0, 2},
        {"=>", TK_ARROW, 0, 2},
        {"-- only a comment", TK_EOF, 17, 0},
        {"'open", TK_ERROR, 0, 5},
        {"/* open", TK_ERROR, 0, 7},
        {"12ab", TK_ERROR, 0, 4},
        {"\"\"", TK_ERROR, 0, 2},
        {"#", TK_OTHER, 0, 1},
        {"\xc3\xa9t\xc3\xa9", TK_IDENT, 0, 5},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        Token t;
        const char *s = cases[i].text;
        sql_lex(s, (int)strlen(s), 0, &t);
        if (t.kind != cases[i].kind || t.pos != cases[i].pos ||
            t.len != cases[i].len)
            fail_msg("lex \"%s\": kind %d at %d len %d, want %d at %d len "
                     "%d", s, t.kind, t.pos, t.len, cases[i].kind,
                     cases[i].pos, cases[i].len);
    }
    /* A length shorter than the text is respected: no read past it. */
    Token t;
    sql_lex("'abc'", 3, 0, &t);
    assert_int_equal(t.kind, TK_ERROR);
    assert_int_equal(t.len, 3);
    sql_lex("1e+", 3, 0, &t);   /* exponent without digits */
    assert_int_equal(t.kind, TK_ERROR);
}

/* ------------------------------------------------------------------------
 * Expressions
 * ------------------------------------------------------------------------ */

static void test_precedence(void **state)
{
    check_expr_dump("a OR b AND NOT c = d",
                    "(or (col a) (and (col b) (not (= (col c) (col d)))))");
    check_expr_dump("- 2 * 3", "(* (int -2) (int 3))");
    check_expr_dump("-a * 3", "(* (- (col a)) (int 3))");
    check_expr_dump("x BETWEEN 1 AND 2 AND y",
                    "(and (between (col x) (int 1) (int 2)) (col y))");
    check_expr_dump("a || b + c", "(|| (col a) (+ (col b) (col c)))");
    check_expr_dump("a + b * c - d / e % f",
                    "(- (+ (col a) (* (col b) (col c))) "
                    "(% (/ (col d) (col e)) (col f)))");
    check_expr_dump("a - b - c", "(- (- (col a) (col b)) (col c))");
    check_expr_dump("(a + b) * c", "(* (+ (col a) (col b)) (col c))");
    check_expr_dump("NOT a AND b", "(and (not (col a)) (col b))");
    check_expr_dump("a = NOT b", "(= (col a) (not (col b)))");
    check_expr_dump("a = b IS NULL", "(is-null (= (col a) (col b)))");
    check_expr_dump("NOT a IS NULL", "(not (is-null (col a)))");
    check_expr_dump("(a < b) = (c < d)",
                    "(= (< (col a) (col b)) (< (col c) (col d)))");
    check_expr_dump("a = b IS NULL = c",
                    "(= (is-null (= (col a) (col b))) (col c))");
    check_expr_dump("a LIKE b || c", "(like (col a) (|| (col b) (col c)))");
    check_expr_dump("a = b LIKE c", "(= (col a) (like (col b) (col c)))");
    check_expr_dump("a IN (1) = b IN (2)",
                    "(= (in (col a) (int 1)) (in (col b) (int 2)))");
    check_expr_dump("-x::int", "(- (cast (col x) INTEGER))");
    check_expr_dump("a::int + 1", "(+ (cast (col a) INTEGER) (int 1))");
    check_expr_dump("- - 2", "(int 2)");
    check_expr_dump("+2", "(+ (int 2))");
    check_expr_dump("x NOT BETWEEN a + 1 AND b OR c",
                    "(or (not-between (col x) (+ (col a) (int 1)) (col b)) "
                    "(col c))");
    check_expr_dump("a IS NOT DISTINCT FROM b + 1",
                    "(is-not-distinct (col a) (+ (col b) (int 1)))");
    check_expr_dump("NOT EXISTS (SELECT 1) = true",
                    "(not (= (exists (select (targets (int 1)))) (true)))");
    check_expr_dump("NOT NOT EXISTS (SELECT 1)",
                    "(exists (select (targets (int 1))))");
}

static void test_literals(void **state)
{
    check_expr_dump("9223372036854775807", "(int 9223372036854775807)");
    check_expr_dump("9223372036854775808", "(int 9223372036854775808)");
    check_expr_dump("-9223372036854775808", "(int -9223372036854775808)");
    check_expr_dump("-99999999999999999999", "(int -99999999999999999999)");
    check_expr_dump("- -99999999999999999999",
                    "(int 99999999999999999999)");
    check_expr_dump("-2147483648", "(int -2147483648)");
    check_expr_dump("1.5", "(num 1.5)");
    check_expr_dump("-.5e3", "(num -.5e3)");
    check_expr_dump("'it''s'", "(str 'it''s')");
    check_expr_dump("''", "(str '')");
    check_expr_dump("'a\nb'", "(str 'a\\x0ab')");
    check_expr_dump("NULL", "(null)");
    check_expr_dump("TRUE", "(true)");
    check_expr_dump("false", "(false)");
    check_expr_dump("?", "(param 1)");
    check_expr_dump("? + ?", "(+ (param 1) (param 2))");
    check_expr_dump("$3", "(param 3)");
    check_expr_dump("DATE '1998-12-01'", "(typed DATE '1998-12-01')");
    check_expr_dump("date", "(col date)");
    check_expr_dump("interval '90' day (3)", "(interval '90' day)");
    check_expr_dump("INTERVAL '3' MONTH", "(interval '3' month)");
    check_expr_dump("interval '1 year 2 days'",
                    "(interval '1 year 2 days')");
    check_expr_dump("interval 3 days", "(interval '3' day)");
    check_expr_dump("interval", "(col interval)");

    Stmt *s;
    Err err;
    assert_rc(parse("SELECT 'a''b', 99999999999999999999, 7", &s, &err),
              EMBER_OK);
    AExpr *str = s->select->targets[0].expr;
    assert_int_equal(str->kind, AE_STRING);
    assert_int_equal(str->slen, 3);
    assert_string_equal(str->sval, "a'b");
    AExpr *big = s->select->targets[1].expr;
    assert_int_equal(big->kind, AE_INT);
    assert_string_equal(big->sval, "99999999999999999999");
    AExpr *small = s->select->targets[2].expr;
    assert_null(small->sval);
    assert_i64_equal(small->ival, 7);
}

static void test_names(void **state)
{
    check_expr_dump("ABC", "(col abc)");
    check_expr_dump("\"ABC\"", "(col \"ABC\")");
    check_expr_dump("\"a\"\"b\"", "(col \"a\"\"b\")");
    check_expr_dump("`Back`", "(col \"Back\")");
    check_expr_dump("[Br ack]", "(col \"Br ack\")");
    check_expr_dump("s.T.c", "(col s.t.c)");
    check_expr_dump("t.\"Order\"", "(col t.\"Order\")");
    check_expr_dump("t.order", "(col t.order)");
    check_expr_dump("t.*", "(star t)");
    check_expr_dump("year", "(col year)");
}

static void test_functions(void **state)
{
    check_expr_dump("count(*)", "(func count *)");
    check_expr_dump("COUNT(DISTINCT a)", "(func count distinct (col a))");
    check_expr_dump("sum(ALL a)", "(func sum (col a))");
    check_expr_dump("now()", "(func now)");
    check_expr_dump("\"MyFunc\"(1, 2)", "(func \"MyFunc\" (int 1) (int 2))");
    check_expr_dump("sum(x) FILTER (WHERE y > 0)",
                    "(func sum (col x) (filter (> (col y) (int 0))))");
    check_expr_dump("CAST(a AS DECIMAL(15, 2))",
                    "(cast (col a) DECIMAL(15,2))");
    check_expr_dump("cast(a as varchar(10))", "(cast (col a) VARCHAR(10))");
    check_expr_dump("a::double precision", "(cast (col a) DOUBLE)");
    check_expr_dump("extract(year FROM d)", "(extract year (col d))");
    check_expr_dump("EXTRACT(EPOCH FROM d)", "(extract epoch (col d))");
    check_expr_dump("extract('dow' FROM d)", "(extract dow (col d))");
    check_expr_dump("substring(c_phone FROM 1 FOR 2)",
                    "(func substring (col c_phone) (int 1) (int 2))");
    check_expr_dump("substring(a FROM 3)",
                    "(func substring (col a) (int 3))");
    check_expr_dump("SUBSTRING(a, 1, 2)",
                    "(func substring (col a) (int 1) (int 2))");
    check_expr_dump("trim(a)", "(func trim (col a))");
    check_expr_dump("trim(both 'x' FROM a)", "(func trim (col a) (str 'x'))");
    check_expr_dump("TRIM(LEADING FROM a)", "(func ltrim (col a))");
    check_expr_dump("trim(trailing ' ' from a)",
                    "(func rtrim (col a) (str ' '))");
    check_expr_dump("trim(a, 'xy')", "(func trim (col a) (str 'xy'))");
    check_expr_dump("position('x' IN a || b)",
                    "(func position (str 'x') (|| (col a) (col b)))");
    check_expr_dump("left(a, 2)", "(func left (col a) (int 2))");
    check_expr_dump("RIGHT(a, 2)", "(func right (col a) (int 2))");
    check_expr_dump("replace(a, 'b', 'c')",
                    "(func replace (col a) (str 'b') (str 'c'))");
    check_expr_dump("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END",
                    "(case (when (col a) (int 1)) (when (col b) (int 2)) "
                    "(else (int 3)))");
    check_expr_dump("CASE x WHEN 1 THEN 'a' END",
                    "(case (col x) (when (int 1) (str 'a')))");
}

static void test_predicates(void **state)
{
    check_expr_dump("a IS NULL", "(is-null (col a))");
    check_expr_dump("a IS NOT NULL", "(is-not-null (col a))");
    check_expr_dump("a ISNULL", "(is-null (col a))");
    check_expr_dump("a NOTNULL", "(is-not-null (col a))");
    check_expr_dump("a NOT NULL", "(is-not-null (col a))");
    check_expr_dump("a IS UNKNOWN", "(is-null (col a))");
    check_expr_dump("a IS TRUE", "(is-true (col a))");
    check_expr_dump("a IS NOT FALSE", "(is-not-false (col a))");
    check_expr_dump("a IS DISTINCT FROM b", "(is-distinct (col a) (col b))");
    check_expr_dump("a IN (1, 2)", "(in (col a) (int 1) (int 2))");
    check_expr_dump("a NOT IN ()", "(not-in (col a))");
    check_expr_dump("a IN (SELECT b FROM t)",
                    "(in (col a) (select (targets (col b)) "
                    "(from (table t))))");
    check_expr_dump("a IN ((SELECT 1) UNION (SELECT 2))",
                    "(in (col a) (union (select (targets (int 1))) "
                    "(select (targets (int 2)))))");
    check_expr_dump("a IN ((SELECT 1), 2)",
                    "(in (col a) (subquery (select (targets (int 1)))) "
                    "(int 2))");
    check_expr_dump("a NOT IN t2", "(not-in-table (col a) t2)");
    check_expr_dump("a LIKE 'x%'", "(like (col a) (str 'x%'))");
    check_expr_dump("a NOT ILIKE 'x' ESCAPE '!'",
                    "(not-ilike (col a) (str 'x') (str '!'))");
    check_expr_dump("EXISTS (SELECT 1)", "(exists (select (targets (int 1))))");
    check_expr_dump("NOT EXISTS (SELECT 1)",
                    "(not-exists (select (targets (int 1))))");
    check_expr_dump("(SELECT max(a) FROM t)",
                    "(subquery (select (targets (func max (col a))) "
                    "(from (table t))))");
    check_expr_dump("((SELECT 1)) + 1",
                    "(+ (subquery (select (targets (int 1)))) (int 1))");
}

/* ------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------ */

static void test_select(void **state)
{
    check_dump("SELECT a, b + 1 AS c FROM t1 x WHERE a = 1",
               "(select (targets (col a) (as (+ (col b) (int 1)) c)) "
               "(from (table t1 x)) (where (= (col a) (int 1))))");
    check_dump("select distinct a x, b \"Y\", c AS 'z z', d 'w', e AS from "
               "from t",
               "(select distinct (targets (as (col a) x) (as (col b) \"Y\") "
               "(as (col c) \"z z\") (as (col d) w) (as (col e) from)) "
               "(from (table t)))");
    check_dump("SELECT *, t.* FROM t",
               "(select (targets (star) (star t)) (from (table t)))");
    check_dump("SELECT a, count(*) FROM t GROUP BY a, 2 HAVING count(*) > 1",
               "(select (targets (col a) (func count *)) (from (table t)) "
               "(group-by (col a) (int 2)) "
               "(having (> (func count *) (int 1))))");
    check_dump("SELECT a FROM t ORDER BY a DESC NULLS FIRST, b ASC, "
               "c NULLS LAST LIMIT 10 OFFSET 5",
               "(select (targets (col a)) (from (table t)) (order-by "
               "(desc (col a) nulls-first) (asc (col b)) "
               "(asc (col c) nulls-last)) (limit (int 10)) "
               "(offset (int 5)))");
    check_dump("SELECT 1 LIMIT 5, 10",
               "(select (targets (int 1)) (limit (int 10)) "
               "(offset (int 5)))");
    check_dump("SELECT 1 OFFSET 3 ROWS LIMIT ALL",
               "(select (targets (int 1)) (offset (int 3)))");
    check_dump("SELECT 1 OFFSET 2",
               "(select (targets (int 1)) (offset (int 2)))");
    check_dump("VALUES (1, 'a'), (2, 'b')",
               "(values (row (int 1) (str 'a')) (row (int 2) (str 'b')))");
    check_dump("WITH x AS (SELECT 1), y (a, b) AS (SELECT 1, 2) "
               "SELECT * FROM x, y",
               "(select (targets (star)) (from (table x) (table y)) "
               "(with (cte x (select (targets (int 1)))) (cte y (cols a b) "
               "(select (targets (int 1) (int 2))))))");
}

static void test_set_operations(void **state)
{
    check_dump("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL "
               "SELECT 4",
               "(except all (union (select (targets (int 1))) (intersect "
               "(select (targets (int 2))) (select (targets (int 3))))) "
               "(select (targets (int 4))))");
    check_dump("SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 LIMIT 3",
               "(union all (select (targets (col a)) (from (table t))) "
               "(select (targets (col b)) (from (table u))) "
               "(order-by (asc (int 1))) (limit (int 3)))");
    check_dump("(SELECT 1) UNION DISTINCT (SELECT 2 ORDER BY 1 LIMIT 1)",
               "(union (select (targets (int 1))) (select (targets (int 2)) "
               "(order-by (asc (int 1))) (limit (int 1))))");
    check_dump("SELECT 1 INTERSECT (SELECT 2 UNION SELECT 3)",
               "(intersect (select (targets (int 1))) (union (select "
               "(targets (int 2))) (select (targets (int 3)))))");
    check_dump("((SELECT 1))", "(select (targets (int 1)))");
    check_dump("(SELECT a FROM t) ORDER BY a",
               "(select (targets (col a)) (from (table t)) "
               "(order-by (asc (col a))))");
    check_dump("VALUES (1) UNION VALUES (2)",
               "(union (values (row (int 1))) (values (row (int 2))))");
}

static void test_from(void **state)
{
    check_dump("SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y) "
               "CROSS JOIN d",
               "(select (targets (star)) (from (join cross (join left "
               "(join inner (table a) (table b) (on (= (col a.x) "
               "(col b.x)))) (table c) (using y)) (table d))))");
    check_dump("SELECT * FROM a NATURAL JOIN b, c NATURAL FULL OUTER JOIN d "
               "RIGHT OUTER JOIN e ON true INNER JOIN f ON false",
               "(select (targets (star)) (from (join inner natural "
               "(table a) (table b)) (join inner (join right (join full "
               "natural (table c) (table d)) (table e) (on (true))) "
               "(table f) (on (false)))))");
    check_dump("SELECT * FROM a, b JOIN c",
               "(select (targets (star)) (from (table a) (join inner "
               "(table b) (table c))))");
    check_dump("SELECT * FROM (a JOIN b ON 1 = 1) JOIN c ON 2 = 2",
               "(select (targets (star)) (from (join inner (join inner "
               "(table a) (table b) (on (= (int 1) (int 1)))) (table c) "
               "(on (= (int 2) (int 2))))))");
    check_dump("SELECT * FROM ((SELECT 1) AS x JOIN y ON true)",
               "(select (targets (star)) (from (join inner (subquery x "
               "(select (targets (int 1)))) (table y) (on (true)))))");
    check_dump("SELECT * FROM (SELECT 1) AS s (a), (SELECT 2) t, "
               "(VALUES (3))",
               "(select (targets (star)) (from (subquery s (cols a) (select "
               "(targets (int 1)))) (subquery t (select (targets (int 2)))) "
               "(subquery (values (row (int 3))))))");
    check_dump("SELECT * FROM t AS x (a, b), u y",
               "(select (targets (star)) (from (table t x (cols a b)) "
               "(table u y)))");
    check_dump("SELECT * FROM range(10) r, read_csv('f.csv', header => true)",
               "(select (targets (star)) (from (function range r (int 10)) "
               "(function read_csv (str 'f.csv') (=> header (true)))))");
    check_dump("SELECT * FROM t NOT INDEXED, u INDEXED BY i AS v, "
               "w x INDEXED BY j",
               "(select (targets (star)) (from (table t) (table u v) "
               "(table w x)))");
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

static void test_ddl(void **state)
{
    check_dump("CREATE TABLE IF NOT EXISTS t (a INT NOT NULL PRIMARY KEY, "
               "b varchar(10) DEFAULT 'x' UNIQUE, c double precision NULL, "
               "d character varying(5), e numeric, f decimal(15,2), "
               "g float(20), h date, i bigint, j boolean, k text, "
               "PRIMARY KEY (a, b), UNIQUE (c))",
               "(create-table if-not-exists t (column a INTEGER not-null "
               "primary-key) (column b VARCHAR(10) unique (default "
               "(str 'x'))) (column c DOUBLE) (column d VARCHAR(5)) "
               "(column e DECIMAL(18,3)) (column f DECIMAL(15,2)) "
               "(column g DOUBLE) (column h DATE) (column i BIGINT) "
               "(column j BOOLEAN) (column k VARCHAR) (primary-key a b) "
               "(unique c))");
    check_dump("CREATE TABLE t (a int DEFAULT -1 NOT NULL)",
               "(create-table t (column a INTEGER not-null "
               "(default (int -1))))");
    check_dump("CREATE TEMP TABLE t2 AS SELECT * FROM t",
               "(create-table temp t2 (as (select (targets (star)) "
               "(from (table t)))))");
    check_dump("CREATE TEMPORARY VIEW IF NOT EXISTS v (x, y) AS SELECT 1, 2",
               "(create-view temp if-not-exists v (cols x y) "
               "(select (targets (int 1) (int 2))))");
    check_dump("CREATE VIEW v AS SELECT 1",
               "(create-view v (select (targets (int 1))))");
    check_dump("CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a DESC, b ASC)",
               "(create-index unique if-not-exists i t (cols a b))");
    check_dump("CREATE INDEX i ON t (a)", "(create-index i t (cols a))");
    check_dump("DROP TABLE IF EXISTS t", "(drop table if-exists t)");
    check_dump("DROP VIEW v", "(drop view v)");
    check_dump("DROP INDEX i", "(drop index i)");
}

static void test_dml(void **state)
{
    check_dump("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')",
               "(insert t (cols a b) (values (row (int 1) (str 'x')) "
               "(row (int 2) (str 'y'))))");
    check_dump("INSERT OR REPLACE INTO t VALUES (1)",
               "(insert or-replace t (values (row (int 1))))");
    check_dump("REPLACE INTO t VALUES (1)",
               "(insert or-replace t (values (row (int 1))))");
    check_dump("INSERT INTO t SELECT * FROM u",
               "(insert t (select (targets (star)) (from (table u))))");
    check_dump("INSERT INTO t (SELECT 1)",
               "(insert t (select (targets (int 1))))");
    check_dump("INSERT INTO t DEFAULT VALUES", "(insert t default-values)");
    check_dump("UPDATE t AS x SET a = a + 1, b = 'z' WHERE c",
               "(update t x (set (a (+ (col a) (int 1))) (b (str 'z'))) "
               "(where (col c)))");
    check_dump("UPDATE t SET a = 1", "(update t (set (a (int 1))))");
    check_dump("UPDATE t x SET a = 1", "(update t x (set (a (int 1))))");
    check_dump("DELETE FROM t WHERE a > 1",
               "(delete t (where (> (col a) (int 1))))");
    check_dump("DELETE FROM t y", "(delete t y)");

    Stmt *s;
    Err err;
    assert_rc(parse("INSERT INTO t VALUES (1, 2), (3, 4)", &s, &err),
              EMBER_OK);
    assert_int_equal(s->select->n_values_rows, 2);
    assert_int_equal(s->select->n_values_cols, 2);
    assert_i64_equal(s->select->values_rows[1][0]->ival, 3);
}

static void test_utility(void **state)
{
    check_dump("COPY lineitem FROM '/d/lineitem.tbl' WITH (DELIMITER '|', "
               "HEADER false, NULL '', QUOTE '\"', ESCAPE '\\', FORMAT csv)",
               "(copy lineitem from '/d/lineitem.tbl' (options (delimiter "
               "(str '|')) (header (false)) (null (str '')) (quote "
               "(str '\"')) (escape (str '\\\\')) (format (str 'csv'))))");
    check_dump("COPY t (a, b) FROM 'f.csv' (DELIMITER '|', HEADER)",
               "(copy t (cols a b) from 'f.csv' (options (delimiter "
               "(str '|')) (header)))");
    check_dump("COPY t TO 'o.csv'", "(copy t to 'o.csv')");
    check_dump("COPY (SELECT 1) TO 'x' WITH DELIMITER AS ',' CSV HEADER",
               "(copy (select (targets (int 1))) to 'x' (options (delimiter "
               "(str ',')) (csv) (header)))");
    check_dump("EXPLAIN SELECT 1", "(explain (select (targets (int 1))))");
    check_dump("EXPLAIN ANALYZE SELECT 1",
               "(explain analyze (select (targets (int 1))))");
    check_dump("EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1",
               "(explain analyze (format json) (select (targets (int 1))))");
    check_dump("EXPLAIN (ANALYZE off, FORMAT text, COSTS) SELECT 1",
               "(explain (select (targets (int 1))))");
    check_dump("EXPLAIN (SELECT 1)", "(explain (select (targets (int 1))))");
    check_dump("EXPLAIN ANALYZE INSERT INTO t VALUES (1)",
               "(explain analyze (insert t (values (row (int 1)))))");
    check_dump("SET join_order = syntactic",
               "(set join_order (str 'syntactic'))");
    check_dump("SET enable_hashjoin = off",
               "(set enable_hashjoin (str 'off'))");
    check_dump("set threads TO 2", "(set threads (int 2))");
    check_dump("SET x = -1.5", "(set x (num -1.5))");
    check_dump("SET x = 'Str'", "(set x (str 'Str'))");
    check_dump("SET x = ON", "(set x (str 'on'))");
    check_dump("SET x = true", "(set x (true))");
    check_dump("SET a.b TO DEFAULT", "(reset \"a.b\")");
    check_dump("RESET threads", "(reset threads)");
    check_dump("RESET ALL", "(reset all)");
    check_dump("SHOW threads", "(show threads)");
    check_dump("PRAGMA threads", "(show pragma threads)");
    check_dump("PRAGMA threads = 4", "(set pragma threads (int 4))");
    check_dump("PRAGMA threads(4)", "(call pragma threads (int 4))");
    check_dump("PRAGMA stats('t')", "(call pragma stats (str 't'))");
    check_dump("ANALYZE", "(analyze)");
    check_dump("ANALYZE t", "(analyze t)");
    check_dump("REINDEX i", "(reindex i)");
    check_dump("CALL dbgen(sf => 1)", "(call dbgen (=> sf (int 1)))");
    check_dump("CALL f(1, x => 'a')", "(call f (int 1) (=> x (str 'a')))");
    check_dump("BEGIN", "(begin)");
    check_dump("BEGIN TRANSACTION", "(begin)");
    check_dump("START TRANSACTION", "(begin)");
    check_dump("COMMIT", "(commit)");
    check_dump("END TRANSACTION", "(commit)");
    check_dump("ROLLBACK WORK", "(rollback)");
}

/* ------------------------------------------------------------------------
 * Positions, multi-statement text, errors
 * ------------------------------------------------------------------------ */

static void test_positions(void **state)
{
    /*              0         1         2         3
     *              0123456789012345678901234567890123456 */
    const char *sql = " /* c */ SELECT a + 1, (b) FROM t1 ;";
    Stmt *s;
    Err err;
    assert_rc(parse(sql, &s, &err), EMBER_OK);
    assert_int_equal(s->pos, 9);
    assert_int_equal(s->end, 34);
    AExpr *sum = s->select->targets[0].expr;
    assert_int_equal(sum->pos, 16);
    assert_int_equal(sum->end, 21);
    assert_int_equal(sum->args[1]->pos, 20);
    AExpr *paren = s->select->targets[1].expr;
    assert_int_equal(paren->pos, 23);
    assert_int_equal(paren->end, 26);
    assert_int_equal(s->select->from[0]->pos, 32);

    assert_rc(parse("SELECT -5, NOT EXISTS (SELECT 1)", &s, &err), EMBER_OK);
    assert_int_equal(s->select->targets[0].expr->pos, 7);
    assert_int_equal(s->select->targets[0].expr->end, 9);
    assert_int_equal(s->select->targets[1].expr->pos, 11);
    assert_int_equal(s->select->targets[1].expr->end, 32);
}

static void test_multi_statement(void **state)
{
    const char *sql = ";; SELECT 1; -- one\n SELECT 'a;b' ;\n/* end */ ;  ";
    int len = (int)strlen(sql);
    Stmt *s;
    int next;
    Err err;
    err_clear(&err);
    assert_rc(sql_parse(g_arena, sql, len, 0, &s, &next, &err), EMBER_OK);
    assert_non_null(s);
    assert_int_equal(s->pos, 3);
    assert_int_equal(s->end, 11);
    assert_int_equal(next, 12);
    assert_rc(sql_parse(g_arena, sql, len, next, &s, &next, &err), EMBER_OK);
    assert_non_null(s);
    assert_int_equal(s->pos, 21);
    assert_int_equal(s->end, 33);
    assert_int_equal(next, 35);
    assert_rc(sql_parse(g_arena, sql, len, next, &s, &next, &err), EMBER_OK);
    assert_null(s);
    assert_int_equal(next, len);

    /* Nothing at all, and only a comment. */
    assert_rc(sql_parse(g_arena, "", 0, 0, &s, &next, &err), EMBER_OK);
    assert_null(s);
    assert_rc(sql_parse(g_arena, "-- x", 4, 0, &s, &next, &err), EMBER_OK);
    assert_null(s);
    assert_int_equal(next, 4);

    /* After an error, next still skips to the end of the statement. */
    const char *bad = "SELECT FROM WHERE; SELECT 2";
    assert_rc(sql_parse(g_arena, bad, (int)strlen(bad), 0, &s, &next, &err),
              EMBER_SYNTAX);
    assert_int_equal(next, 18);
    err_clear(&err);
    assert_rc(sql_parse(g_arena, bad, (int)strlen(bad), next, &s, &next,
                        &err), EMBER_OK);
    assert_int_equal(s->kind, STMT_SELECT);

    /* The length bounds the text: what follows it is not read. */
    assert_rc(sql_parse(g_arena, "SELECT 1 garbage(", 8, 0, &s, &next, &err),
              EMBER_OK);
    assert_int_equal(s->end, 8);

    /* Bad arguments. */
    assert_rc(sql_parse(g_arena, "x", 1, 2, &s, &next, &err), EMBER_MISUSE);
}

static void test_errors(void **state)
{
    static const struct {
        const char *sql;
        int code;
        const char *msg;
        int pos;
    } cases[] = {
        {"SELEC 1", EMBER_SYNTAX, "syntax error at or near \"SELEC\"", 0},
        {"SELECT 1 +", EMBER_SYNTAX, "syntax error at end of input", 10},
        {"SELECT 1 + ;", EMBER_SYNTAX, "syntax error at or near \";\"", 11},
        {"SELECT * FROM t WHERE", EMBER_SYNTAX,
         "syntax error at end of input", 21},
        {"SELECT a FROM t ORDER x", EMBER_SYNTAX,
         "syntax error at or near \"x\"", 22},
        {"SELECT a, FROM t", EMBER_SYNTAX,
         "syntax error at or near \"FROM\"", 10},
        {"SELECT 'abc", EMBER_SYNTAX,
         "unterminated quoted string at or near \"'abc\"", 7},
        {"SELECT \"abc", EMBER_SYNTAX,
         "unterminated quoted identifier at or near \"\"abc\"", 7},
        {"SELECT 1 /* x", EMBER_SYNTAX,
         "unterminated /* comment at or near \"/* x\"", 9},
        {"SELECT 123abc", EMBER_SYNTAX,
         "trailing junk after numeric literal at or near \"123abc\"", 7},
        {"SELECT \"\"", EMBER_SYNTAX,
         "zero-length delimited identifier at or near \"\"\"\"", 7},
        {"SELEC 'unterminated", EMBER_SYNTAX,
         "syntax error at or near \"SELEC\"", 0},
        {"SELECT @", EMBER_SYNTAX, "syntax error at or near \"@\"", 7},
        {"SELECT x'3031'", EMBER_OK, "", -1},
        {"SELECT x'303'", EMBER_SYNTAX,
         "malformed hexadecimal literal at or near \"x'303'\"", 7},
        {"SELECT b'0101'", EMBER_SYNTAX,
         "syntax error at or near \"b'0101'\"", 7},
        {"SELECT E'\\n' 'a'", EMBER_SYNTAX,
         "syntax error at or near \"E'\\n'\"", 7},
        {"SELECT x 'alias'", EMBER_OK, "", -1},
        {"SELECT 1 2", EMBER_SYNTAX, "syntax error at or near \"2\"", 9},
        {"SELECT a < b = c", EMBER_SYNTAX, "syntax error at or near \"=\"",
         13},
        {"SELECT a LIKE b NOT IN (c)", EMBER_SYNTAX,
         "syntax error at or near \"NOT\"", 16},
        {"SELECT (1", EMBER_SYNTAX, "syntax error at end of input", 9},
        {"SELECT (1, 2)", EMBER_SYNTAX, "syntax error at or near \",\"", 9},
        {"SELECT select", EMBER_SYNTAX,
         "syntax error at or near \"select\"", 7},
        {"SELECT * x FROM t", EMBER_SYNTAX, "syntax error at or near \"x\"",
         9},
        {"SELECT * FROM a LEFT JOIN b", EMBER_SYNTAX,
         "syntax error at end of input", 27},
        {"SELECT * FROM t NATURAL CROSS JOIN u", EMBER_SYNTAX,
         "syntax error at or near \"CROSS\"", 24},
        {"SELECT x FROM t t2 t3", EMBER_SYNTAX,
         "syntax error at or near \"t3\"", 19},
        {"SELECT count(DISTINCT *)", EMBER_SYNTAX,
         "syntax error at or near \"*\"", 22},
        {"CREATE TABLE t (a foo)", EMBER_ERROR,
         "type \"foo\" does not exist", 18},
        {"SELECT CAST(a AS timestamp)", EMBER_ERROR,
         "type \"timestamp\" does not exist", 17},
        {"CREATE TABLE t (a DECIMAL(40,2))", EMBER_ERROR,
         "DECIMAL precision 40 must be between 1 and 18", 18},
        {"CREATE TABLE t (a decimal(0))", EMBER_ERROR,
         "DECIMAL precision 0 must be between 1 and 18", 18},
        {"CREATE TABLE t (a decimal(5,7))", EMBER_ERROR,
         "DECIMAL scale 7 must be between 0 and precision 5", 18},
        {"CREATE TABLE t (a varchar(0))", EMBER_ERROR,
         "length for type varchar must be at least 1", 18},
        {"CREATE TABLE t (a int CHECK (a > 0))", EMBER_SYNTAX,
         "syntax error at or near \"CHECK\"", 22},
        {"CREATE TABLE t (a)", EMBER_SYNTAX,
         "syntax error at or near \")\"", 17},
        {"VALUES (1), (1, 2)", EMBER_SYNTAX,
         "VALUES lists must all be the same length", 12},
        {"(SELECT 1 ORDER BY 1) ORDER BY 1", EMBER_SYNTAX,
         "multiple ORDER BY clauses not allowed", 22},
        {"SELECT 1 LIMIT 1 LIMIT 2", EMBER_SYNTAX,
         "multiple LIMIT clauses not allowed", 17},
        {"SELECT 1 LIMIT 1, 2 OFFSET 3", EMBER_SYNTAX,
         "multiple OFFSET clauses not allowed", 20},
        {"WITH RECURSIVE t AS (SELECT 1) SELECT 1", EMBER_SYNTAX,
         "syntax error at or near \"RECURSIVE\"", 5},
        {"SELECT $0", EMBER_SYNTAX,
         "parameter number must be between 1 and 65535 at or near \"$0\"",
         7},
        {"EXPLAIN (FOO) SELECT 1", EMBER_SYNTAX,
         "unrecognized EXPLAIN option \"foo\"", 9},
        {"EXPLAIN (ANALYZE maybe) SELECT 1", EMBER_SYNTAX,
         "analyze requires a Boolean value", 9},
        {"SELECT extract(fortnight FROM d)", EMBER_ERROR,
         "unit \"fortnight\" not recognized", 15},
        {"INSERT OR IGNORE INTO t VALUES (1)", EMBER_SYNTAX,
         "syntax error at or near \"IGNORE\"", 10},
        {"CREATE TRIGGER x", EMBER_SYNTAX,
         "syntax error at or near \"TRIGGER\"", 7},
        {"SET x 1", EMBER_SYNTAX, "syntax error at or near \"1\"", 6},
        {"COPY t FROM stdin", EMBER_SYNTAX,
         "syntax error at or near \"stdin\"", 12},
        {"SELECT 1; garbage", EMBER_OK, "", -1},
        {"SELECT 1 garbage garbage", EMBER_SYNTAX,
         "syntax error at or near \"garbage\"", 17},
        {"SELECT interval '1' fortnight", EMBER_OK, "", -1},
        {"SELECT interval 1", EMBER_SYNTAX, "syntax error at end of input",
         17},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        if (cases[i].code == EMBER_OK) {
            Stmt *s;
            Err err;
            if (parse(cases[i].sql, &s, &err) != EMBER_OK)
                fail_msg("%s: %s", cases[i].sql, err.msg);
            continue;
        }
        check_error(cases[i].sql, cases[i].code, cases[i].msg, cases[i].pos);
    }

    /* The hint of WITH RECURSIVE says why. */
    Stmt *s;
    Err err;
    parse("WITH RECURSIVE t AS (SELECT 1) SELECT 1", &s, &err);
    assert_string_equal(err.hint, "WITH RECURSIVE is not supported");

    /* A long token is quoted shortened in the message. */
    char sql[1200] = "SELECT * FROM t t2 ";
    memset(sql + 19, 'x', 1000);
    sql[1019] = 0;
    assert_rc(parse(sql, &s, &err), EMBER_SYNTAX);
    assert_int_equal(err.pos, 19);
    assert_true(strlen(err.msg) < 260);
}

/* ------------------------------------------------------------------------
 * Nesting bound
 * ------------------------------------------------------------------------ */

/* SELECT <open repeated n> 1 <close repeated n> */
static char *nested(const char *open, const char *close, int n)
{
    size_t lo = strlen(open);
    size_t lc = strlen(close);
    char *s = mem_alloc(16 + (size_t)n * (lo + lc));
    assert_non_null(s);
    char *p = s;
    p += sprintf(p, "SELECT ");
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s", open);
    p += sprintf(p, "1");
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s", close);
    return s;
}

static void expect_depth(const char *open, const char *close, int n,
                         bool ok)
{
    char *sql = nested(open, close, n);
    Stmt *s;
    Err err;
    int rc = parse(sql, &s, &err);
    if (ok && rc != EMBER_OK)
        fail_msg("%d x \"%s\": %s", n, open, err.msg);
    if (!ok && (rc != EMBER_ERROR ||
                strcmp(err.msg, "statement too deeply nested") != 0))
        fail_msg("%d x \"%s\": rc %d %s", n, open, rc, err.msg);
    mem_free(sql);
    arena_reset(g_arena);
}

static void test_depth(void **state)
{
    expect_depth("(", ")", 200, true);
    expect_depth("(", ")", 1000, false);
    expect_depth("(", ")", 100000, false);
    expect_depth("NOT ", "", 300, true);
    expect_depth("NOT ", "", 5000, false);
    expect_depth("- ", "", 5000, false);
    expect_depth("(SELECT ", ")", 100, true);
    expect_depth("(SELECT ", ")", 2000, false);
    expect_depth("1 + ", "", 500, true);
    expect_depth("1 + ", "", 5000, false);
    expect_depth("a IN (", ")", 5000, false);
    expect_depth("CASE WHEN 1 THEN ", " END", 3000, false);
    expect_depth("f(", ")", 3000, false);

    /* Long lists are not nesting. */
    char *sql = mem_alloc(100000);
    assert_non_null(sql);
    char *p = sql + sprintf(sql, "SELECT 1 IN (2");
    for (int i = 1; i < 10000; i++)
        p += sprintf(p, ",2");
    strcpy(p, ")");
    Stmt *s;
    Err err;
    assert_rc(parse(sql, &s, &err), EMBER_OK);
    assert_int_equal(s->select->targets[0].expr->n_args, 10001);

    /* Joins and set operations chain too. */
    p = sql + sprintf(sql, "SELECT * FROM t");
    for (int i = 0; i < 3000; i++)
        p += sprintf(p, " CROSS JOIN t");
    assert_rc(parse(sql, &s, &err), EMBER_ERROR);
    p = sql + sprintf(sql, "SELECT 1");
    for (int i = 0; i < 3000; i++)
        p += sprintf(p, " UNION SELECT 1");
    assert_rc(parse(sql, &s, &err), EMBER_ERROR);
    mem_free(sql);
    arena_reset(g_arena);
}

/* ------------------------------------------------------------------------
 * Out of memory at every allocation
 * ------------------------------------------------------------------------ */

static void test_out_of_memory(void **state)
{
    const char *sql =
        "WITH x AS (SELECT a, count(*) c FROM t GROUP BY a) "
        "SELECT CASE WHEN a IN (1, 2) THEN 'x' END, substring(b FROM 1), "
        "-1.5, 99999999999999999999 FROM x JOIN u USING (a) "
        "WHERE a BETWEEN 1 AND 2 ORDER BY 1 LIMIT 3";
    Arena *a = arena_create("oom", 0, ARENA_MALLOC);
    assert_non_null(a);
    bool done = false;
    for (uint64_t n = 1; !done && n < 2000; n++) {
        Stmt *s;
        int next;
        Err err;
        err_clear(&err);
        mem_fail_after(n);
        int rc = sql_parse(a, sql, (int)strlen(sql), 0, &s, &next, &err);
        mem_fail_after(0);
        if (rc == EMBER_OK) {
            check_stmt(s, (int)strlen(sql));
            done = true;
        } else {
            assert_rc(rc, EMBER_NOMEM);
            assert_string_equal(err.msg, "out of memory");
        }
        arena_destroy(a);
        a = arena_create("oom", 0, ARENA_MALLOC);
        assert_non_null(a);
    }
    assert_true(done);
    arena_destroy(a);
}

/* ------------------------------------------------------------------------
 * Fuzzing
 * ------------------------------------------------------------------------ */

static const char *const fuzz_seeds[] = {
    "SELECT a, b + 1 AS c FROM t1 x WHERE a = 1 ORDER BY 2 DESC LIMIT 3",
    "SELECT l_returnflag, sum(l_extendedprice * (1 - l_discount)) FROM "
    "lineitem WHERE l_shipdate <= date '1998-12-01' - interval '90' day (3) "
    "GROUP BY l_returnflag HAVING count(*) > 1",
    "SELECT * FROM (a JOIN b ON a.x = b.x) LEFT JOIN c USING (y), d "
    "NATURAL JOIN e CROSS JOIN f",
    "WITH r AS (SELECT 1 AS x UNION ALL SELECT 2) SELECT x FROM r "
    "INTERSECT SELECT 3 EXCEPT SELECT 4",
    "SELECT CASE WHEN a IN (1,2) THEN 'x' WHEN b NOT LIKE 'y%' ESCAPE '!' "
    "THEN 'z' ELSE NULL END FROM t WHERE NOT EXISTS (SELECT 1 FROM u)",
    "SELECT extract(year FROM d), substring(s FROM 1 FOR 2), "
    "trim(both 'x' FROM s), position('a' IN s), cast(x AS decimal(15,2)), "
    "x::int, count(DISTINCT y) FILTER (WHERE z IS NOT NULL)",
    "INSERT INTO t (a, b) VALUES (1, 'x'), (-2, $1), (?, 3.5e2)",
    "UPDATE t AS x SET a = a + 1, b = 'z' WHERE c BETWEEN 1 AND 2",
    "DELETE FROM t WHERE a IS DISTINCT FROM b",
    "CREATE TABLE IF NOT EXISTS t (a INT NOT NULL PRIMARY KEY, b "
    "varchar(10) DEFAULT 'x', c decimal(12,2), UNIQUE (b))",
    "CREATE VIEW v (x) AS SELECT 1; CREATE UNIQUE INDEX i ON t (a DESC)",
    "COPY t FROM 'f.tbl' WITH (DELIMITER '|', HEADER false, FORMAT csv); "
    "COPY (SELECT 1) TO 'x'",
    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1; SET threads TO 2; "
    "PRAGMA stats('t'); CALL dbgen(sf => 1); BEGIN; COMMIT",
    "SELECT \"Quoted\"\"x\", `bt`, [br], 'it''s' /* c */ -- d\n FROM t",
    "SELECT a FROM t1 WHERE a IN t2 OR b NOT IN () AND c ISNULL LIMIT 5, 10",
};

static const char *const fuzz_words[] = {
    "SELECT ", "FROM ", "WHERE ", "(", ")", ",", "'", "\"", "NOT ", "IN ",
    "BETWEEN ", "AND ", "OR ", "JOIN ", "ON ", "CASE ", "END ", "::", "--",
    "/*", "*/", ";", "UNION ", "VALUES ", "WITH ", "AS ", "IS ", "NULL ",
    "LIMIT ", "ORDER BY ", "EXISTS ", "interval ", "date ", "`", "[", "$",
    "?", "1e", ".", "=>", "\xff", "\0",
};

/* Parse all statements of buf[0, len), asserting only sane results. */
static void fuzz_one(const char *buf, int len)
{
    int pos = 0;
    StrBuf sb;
    sb_init(&sb);
    while (pos < len) {
        Stmt *s;
        int next;
        Err err;
        err_clear(&err);
        int rc = sql_parse(g_arena, buf, len, pos, &s, &next, &err);
        assert_true(next > pos || (rc == EMBER_OK && s == NULL));
        assert_true(next <= len);
        if (rc != EMBER_OK) {
            assert_true(rc == EMBER_SYNTAX || rc == EMBER_ERROR);
            assert_true(err.msg[0] != 0);
            assert_true(err.pos >= 0 && err.pos <= len);
        } else if (s) {
            check_stmt(s, len);
            sb_clear(&sb);
            sql_dump_stmt(s, &sb);
            assert_false(sb.failed);
        } else {
            break;
        }
        pos = next;
    }
    sb_release(&sb);
    arena_reset(g_arena);
}

static int mutate(char *buf, int len, int cap, uint64_t *rng)
{
    int at = len ? (int)(unit_rand(rng) % (uint64_t)len) : 0;
    switch (unit_rand(rng) % 5) {
    case 0:                                   /* flip a byte */
        if (len)
            buf[at] = (char)unit_rand(rng);
        return len;
    case 1:                                   /* truncate */
        return at;
    case 2: {                                 /* delete a span */
        int n = (int)(unit_rand(rng) % 8);
        n = MIN(n, len - at);
        memmove(buf + at, buf + at + n, (size_t)(len - at - n));
        return len - n;
    }
    default: {                                /* insert a word */
        size_t w = unit_rand(rng) % ARRAY_LEN(fuzz_words);
        int n = (int)strlen(fuzz_words[w]);
        if (w == ARRAY_LEN(fuzz_words) - 1)
            n = 1;                            /* the NUL byte */
        if (len + n > cap)
            return len;
        memmove(buf + at + n, buf + at, (size_t)(len - at));
        memcpy(buf + at, fuzz_words[w], (size_t)n);
        return len + n;
    }
    }
}

static void test_fuzz(void **state)
{
    enum { CAP = 4096, ITERATIONS = 20000 };
    uint64_t rng = 20240611;   /* fixed seed: failures reproduce */
    for (int it = 0; it < ITERATIONS; it++) {
        /* An exact-size heap copy, so ASan catches a read past the end. */
        char work[CAP];
        const char *seed = fuzz_seeds[unit_rand(&rng) % ARRAY_LEN(fuzz_seeds)];
        int len = (int)strlen(seed);
        memcpy(work, seed, (size_t)len);
        int rounds = 1 + (int)(unit_rand(&rng) % 6);
        for (int r = 0; r < rounds; r++)
            len = mutate(work, len, CAP, &rng);
        char *buf = mem_alloc((size_t)len + 1);
        assert_non_null(buf);
        memcpy(buf, work, (size_t)len);
        fuzz_one(buf, len);
        mem_free(buf);
    }
}

/* Every prefix of every seed: text cut anywhere. */
static void test_prefixes(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(fuzz_seeds); i++) {
        int len = (int)strlen(fuzz_seeds[i]);
        for (int n = 0; n <= len; n++) {
            char *buf = mem_alloc((size_t)n + 1);
            assert_non_null(buf);
            memcpy(buf, fuzz_seeds[i], (size_t)n);
            fuzz_one(buf, n);
            mem_free(buf);
        }
    }
}

/* ------------------------------------------------------------------------
 * Workloads: TPC-H and the SQLite sqllogictest corpus
 * ------------------------------------------------------------------------ */

static void test_tpch(void **state)
{
    char path[512];
    int parsed = 0;
    for (int q = 1; q <= 22; q++) {
        snprintf(path, sizeof(path), "%s/tpch/queries/q%02d.sql",
                 shared_dir(), q);
        int len;
        char *text = read_file(path, &len);
        if (text == NULL) {
            printf("  skipped: %s not found (set EMBER_SHARED)\n", path);
            skip();
        }
        int n = 0;
        int failed = parse_all(path, text, len, &n);
        mem_free(text);
        assert_int_equal(failed, 0);
        assert_int_equal(n, 1);
        parsed++;
        arena_reset(g_arena);
    }
    assert_int_equal(parsed, 22);
}

/* Statements ember does not support and the corpus uses: triggers, blob
 * literals x'..', shift operators, MySQL prefix indexes. */
static bool unsupported(const char *sql)
{
    return strstr(sql, "TRIGGER") || strstr(sql, "x'") ||
           strstr(sql, "<<") || strstr(sql, "(a(1))");
}

typedef struct SltStats {
    int records;
    int statements;
    int failed;
    int skipped;
} SltStats;

/* Is this "onlyif X" / "skipif X" line one that excludes SQLite? */
static bool excludes_sqlite(const char *line)
{
    if (strncmp(line, "onlyif ", 7) == 0)
        return strncmp(line + 7, "sqlite", 6) != 0;
    if (strncmp(line, "skipif ", 7) == 0)
        return strncmp(line + 7, "sqlite", 6) == 0;
    return false;
}

/* Parse the SQL of every `statement ok` and `query` record of one file
 * (records expected to fail are skipped: they may fail in any layer). */
static void parse_slt_file(const char *path, SltStats *st)
{
    int len;
    char *text = read_file(path, &len);
    if (text == NULL)
        return;
    char *sql = mem_alloc((size_t)len + 1);
    assert_non_null(sql);
    bool skip_next = false;
    char *line = text;
    while (*line) {
        char *eol = line + strcspn(line, "\n");
        bool more = *eol != 0;
        *eol = 0;
        if (eol > line && eol[-1] == '\r')
            eol[-1] = 0;
        if (excludes_sqlite(line)) {
            skip_next = true;
        } else if (strcmp(line, "statement ok") == 0 ||
                   strncmp(line, "query ", 6) == 0) {
            /* The SQL: following lines up to "----" or a blank line. */
            size_t n = 0;
            line = more ? eol + 1 : eol;
            while (*line) {
                eol = line + strcspn(line, "\n");
                more = *eol != 0;
                *eol = 0;
                if (eol > line && eol[-1] == '\r')
                    eol[-1] = 0;
                if (line[0] == 0 || strcmp(line, "----") == 0)
                    break;
                if (line[0] != '#')
                    n += (size_t)sprintf(sql + n, "%s\n", line);
                line = more ? eol + 1 : eol;
            }
            sql[n] = 0;
            st->records++;
            if (skip_next || unsupported(sql))
                st->skipped++;
            else
                st->failed += parse_all(path, sql, (int)n, &st->statements);
            skip_next = false;
        } else if (strncmp(line, "statement error", 15) == 0) {
            skip_next = false;
        }
        line = more ? eol + 1 : eol;
        arena_reset(g_arena);
    }
    mem_free(sql);
    mem_free(text);
}

static void test_slt_corpus(void **state)
{
    static const char *const files[] = {
        "select1.test",
        "select2.test",
        "select3.test",
        "evidence/in1.test",
        "evidence/in2.test",
        "evidence/slt_lang_aggfunc.test",
        "evidence/slt_lang_createtrigger.test",
        "evidence/slt_lang_createview.test",
        "evidence/slt_lang_dropindex.test",
        "evidence/slt_lang_droptable.test",
        "evidence/slt_lang_droptrigger.test",
        "evidence/slt_lang_dropview.test",
        "evidence/slt_lang_reindex.test",
        "evidence/slt_lang_replace.test",
        "evidence/slt_lang_update.test",
    };
    char path[512];
    snprintf(path, sizeof(path), "%s/slt/sqlite/select1.test", shared_dir());
    FILE *probe = fopen(path, "rb");
    if (probe == NULL) {
        printf("  skipped: %s not found (set EMBER_SHARED)\n", path);
        skip();
    }
    fclose(probe);
    SltStats st = {0};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(path, sizeof(path), "%s/slt/sqlite/%s", shared_dir(),
                 files[i]);
        parse_slt_file(path, &st);
    }
    printf("  sqllogictest corpus: %d records, %d statements parsed, "
           "%d failed, %d skipped (other engines or unsupported)\n",
           st.records, st.statements, st.failed, st.skipped);
    assert_int_equal(st.failed, 0);
    assert_true(st.statements > 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_lexer),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_predicates),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_set_operations),
        cmocka_unit_test(test_from),
        cmocka_unit_test(test_ddl),
        cmocka_unit_test(test_dml),
        cmocka_unit_test(test_utility),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_multi_statement),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_tpch),
        cmocka_unit_test(test_slt_corpus),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
