/*
 * fuzz_sql.c -- the SQL part of the fuzz smoke test: the schema, a corpus
 * of valid statements over it, the mutator, and running a mutated text
 * through ember_prepare / ember_bind_* / ember_step with the checks of
 * invariants I3, I4, I7 and I8 (see fuzz_smoke.c).
 *
 * Mutations come in two groups. Most keep the statement well formed
 * (replace a word by another of its class, a literal by an edge literal,
 * wrap a token in a cast or a function), so the text gets past the parser
 * into the binder, the planner and the executor; the rest break it (byte
 * flips, deletions, insertions of keywords, deep parentheses, long chains,
 * huge literals, splices of two statements).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

/* ------------------------------------------------------------------------
 * The schema and the corpus
 * ------------------------------------------------------------------------ */

const char fz_schema_sql[] =
    "CREATE TABLE t1(id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL,"
    " price DECIMAL(10,2), qty BIGINT, ratio DOUBLE, day DATE,"
    " flag BOOLEAN);"
    "CREATE TABLE t2(id INTEGER, t1_id INTEGER, note VARCHAR,"
    " amount DECIMAL(12,3), d DATE);"
    "CREATE TABLE t3(k VARCHAR PRIMARY KEY, v INTEGER UNIQUE,"
    " s SMALLINT DEFAULT 7);"
    "CREATE TABLE ct(b BOOLEAN, i INTEGER, s SMALLINT, g BIGINT, f DOUBLE,"
    " m DECIMAL(12,3), v VARCHAR, c VARCHAR(8), d DATE);"
    "CREATE INDEX t2_t1 ON t2(t1_id);"
    "CREATE VIEW v1 AS SELECT t1.id, t1.name, count(t2.id) AS n FROM t1"
    " LEFT JOIN t2 ON t2.t1_id = t1.id GROUP BY t1.id, t1.name;"
    "INSERT INTO t1 VALUES"
    " (1, 'apple', 1.50, 10, 0.5, DATE '2020-01-01', true),"
    " (2, 'banana', 0.25, 200, 1.25, DATE '2020-02-29', false),"
    " (3, 'cherry', NULL, NULL, NULL, NULL, NULL),"
    " (4, 'date', 99999999.99, -5, -0.0, DATE '1999-12-31', true),"
    " (5, 'Elder%_', 0.01, 9223372036854775807, 1e300, DATE '0001-01-01',"
    "  false),"
    " (6, '', -12.34, -9223372036854775808, -1e-300, DATE '9999-12-31',"
    "  true),"
    " (7, 'fig''s', 0, 0, CAST('NaN' AS DOUBLE), DATE '2000-02-29', NULL),"
    " (8, 'grape', 3.33, 3, CAST('Infinity' AS DOUBLE), DATE '1970-01-01',"
    "  false);"
    "INSERT INTO t2 VALUES"
    " (1, 1, 'a', 1.5, DATE '2020-01-02'), (2, 1, 'b', -2.25, NULL),"
    " (3, 2, NULL, NULL, DATE '2021-03-04'), (4, 3, 'c', 0.001, NULL),"
    " (5, 9, 'orphan', 1000000.5, DATE '1999-01-01'),"
    " (6, NULL, 'x,y', 7, DATE '2020-02-29'), (7, 4, '', 0, NULL),"
    " (8, 2, 'dup', 2.5, DATE '2020-02-29'), (9, 2, 'dup', 2.5, NULL);"
    "INSERT INTO t3 VALUES ('a', 1, 1), ('b', 2, -32768), ('c', NULL, 32767),"
    " ('d', 4, NULL), ('', 5, 0), ('x y', 8, 3);"
    "INSERT INTO ct VALUES (true, 1, 2, 3, 4.5, 6.789, 'ten', 'eleven',"
    " DATE '2012-12-12'), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL);"
    /* 100,000 rows: two row groups, so scans, joins and aggregates run
     * on several threads (the small tables fit one morsel) */
    "CREATE TABLE dg AS SELECT x FROM (VALUES (0), (1), (2), (3), (4), (5),"
    " (6), (7), (8), (9)) v(x);"
    "CREATE TABLE big AS SELECT a.x + 10 * b.x + 100 * c.x + 1000 * e.x +"
    " 10000 * f.x AS k, (a.x * 7 + b.x) % 13 AS g,"
    " CAST(c.x * 1.5 AS DECIMAL(8,2)) AS m, CASE WHEN e.x < 3 THEN NULL"
    " ELSE 'v' || CAST(f.x AS VARCHAR) END AS s FROM dg a, dg b, dg c,"
    " dg e, dg f;";

/* Valid statements over the schema; `?` and `$n` get random binds. */
static const char *const corpus[] = {
    "SELECT * FROM t1",
    "SELECT id, name FROM t1 WHERE price > 1 ORDER BY id DESC LIMIT 3 "
    "OFFSET 1",
    "SELECT t1.name, t2.note, t2.amount FROM t1 JOIN t2 ON t1.id = t2.t1_id "
    "WHERE t2.amount IS NOT NULL",
    "SELECT t1.id, count(*), sum(t2.amount), avg(t2.amount), min(t2.d), "
    "max(t2.note) FROM t1 LEFT JOIN t2 ON t1.id = t2.t1_id GROUP BY t1.id "
    "HAVING count(*) > 0 ORDER BY 1",
    "SELECT * FROM t1 FULL JOIN t3 ON t1.id = t3.v",
    "SELECT * FROM t1 RIGHT JOIN t2 ON t1.id = t2.t1_id AND t2.id > 2",
    "SELECT * FROM t1 NATURAL JOIN t2",
    "SELECT * FROM t1 JOIN t2 USING (id)",
    "SELECT a.id, b.id FROM t1 a CROSS JOIN t1 b WHERE a.id < b.id",
    "SELECT name FROM t1 WHERE id IN (SELECT t1_id FROM t2 WHERE amount > 0)",
    "SELECT name FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 "
    "WHERE t2.t1_id = t1.id)",
    "SELECT name, (SELECT max(amount) FROM t2 WHERE t2.t1_id = t1.id) "
    "FROM t1",
    "SELECT id FROM t1 WHERE price > (SELECT avg(amount) FROM t2)",
    "SELECT id FROM t1 UNION SELECT v FROM t3 ORDER BY 1",
    "SELECT id FROM t1 UNION ALL SELECT t1_id FROM t2",
    "SELECT id FROM t1 INTERSECT SELECT t1_id FROM t2",
    "SELECT id FROM t1 EXCEPT SELECT v FROM t3",
    "(SELECT id FROM t1 LIMIT 2) UNION (SELECT v FROM t3) ORDER BY 1 DESC",
    "SELECT CASE WHEN qty > 100 THEN 'big' WHEN qty IS NULL THEN NULL "
    "ELSE 'small' END, CASE id WHEN 1 THEN 'one' ELSE 'other' END FROM t1",
    "SELECT CAST(price AS DOUBLE), CAST(qty AS VARCHAR), "
    "CAST('42' AS INTEGER), CAST(day AS VARCHAR), '7'::BIGINT, "
    "CAST(ratio AS DECIMAL(18,4)) FROM t1",
    "SELECT day + 30, day - DATE '2000-01-01', day + INTERVAL '1 month', "
    "extract(year FROM day), extract(dow FROM day) FROM t1 WHERE day "
    "BETWEEN DATE '1990-01-01' AND DATE '2030-12-31'",
    "SELECT name FROM t1 WHERE name LIKE 'b%' OR name ILIKE '%E%' "
    "OR name LIKE 'E\\_%' ESCAPE '\\'",
    "SELECT substring(name FROM 2 FOR 3), upper(name), lower(name), "
    "length(name), trim(both 'a' FROM name), position('an' IN name), "
    "replace(name, 'a', 'xx'), lpad(name, 8, '*'), reverse(name), "
    "left(name, 2), right(name, 2), repeat(name, 3), "
    "concat(name, '-', id), name || '!' FROM t1",
    "SELECT abs(qty), round(price, 1), ceil(ratio), floor(ratio), "
    "sqrt(abs(ratio)), power(2, id), ln(id), log10(id), exp(id), "
    "sign(qty), qty % 7, qty / 3, price * id FROM t1 WHERE id < 5",
    "SELECT coalesce(price, 0), nullif(id, 3), greatest(id, 3), "
    "least(id, 3), price IS NULL, flag IS TRUE, id IS DISTINCT FROM 3 "
    "FROM t1",
    "SELECT count(DISTINCT t1_id), string_agg(note, ','), "
    "bool_and(amount > 0), bool_or(d IS NULL), "
    "sum(amount) FILTER (WHERE id > 2), total(amount), any_value(note) "
    "FROM t2",
    "WITH x AS (SELECT t1_id, sum(amount) AS s FROM t2 GROUP BY t1_id) "
    "SELECT t1.name, x.s FROM t1 JOIN x ON x.t1_id = t1.id "
    "ORDER BY x.s DESC NULLS LAST",
    "SELECT * FROM (SELECT id, name FROM t1 WHERE id > 1) AS s(a, b) "
    "WHERE a < 5",
    "SELECT * FROM v1 ORDER BY n DESC, id",
    "SELECT DISTINCT flag FROM t1",
    "SELECT id, name FROM t1 ORDER BY name NULLS FIRST, id LIMIT 2, 2",
    "VALUES (1, 'a', DATE '2020-02-29'), (2, NULL, NULL)",
    "SELECT 2147483647 + 1",
    "SELECT 9223372036854775807 - -1",
    "SELECT DATE '2020-02-30'",
    "SELECT CAST('2020-13-45' AS DATE)",
    "SELECT 1 / 0, 1 % 0, 1.0 / 0",
    "SELECT count(*) FROM t1 a, t2 b, t3 c WHERE a.id = b.t1_id "
    "AND c.v = a.id",
    "SELECT ? + 1, $2 || 'x'",
    "SELECT * FROM t2 WHERE t1_id = $1 OR note = $2",
    "SELECT k, v FROM t3 WHERE v IN (1, 2, NULL) OR k NOT IN ('a', 'b')",
    "SELECT sum(qty), avg(qty), min(name), max(day) FROM t1",
    "SELECT t1_id, count(*) FROM t2 GROUP BY t1_id HAVING sum(amount) > 1",
    "INSERT INTO t1 VALUES (100, 'new', 1.00, 1, 1.0, DATE '2021-06-30', "
    "true)",
    "INSERT INTO t1 VALUES (1, 'dup', 1, 1, 1, DATE '2020-01-01', false)",
    "INSERT INTO t1 (id, name) VALUES (101, NULL)",
    "INSERT INTO t1 (id, name) VALUES (102, 'x'), (103, 'y'), (102, 'z')",
    "INSERT INTO t2 SELECT id + 100, id, name, price, day FROM t1",
    "INSERT INTO t2 VALUES (50, 1, 'huge', 123456789.123, "
    "DATE '2020-01-01')",
    "INSERT INTO t3 VALUES ('k1', 11, 1), ('k2', 11, 2)",
    "INSERT INTO t3 (k, v) VALUES ('kx', 77)",
    "INSERT INTO t3 VALUES ('s', 55, 40000)",
    "INSERT INTO t2 VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO t1 SELECT id + 1000, name, price, qty, ratio, day, flag "
    "FROM t1 WHERE id > 6",
    "UPDATE t1 SET price = price * 2 WHERE id < 3",
    "UPDATE t1 SET id = 1",
    "UPDATE t1 SET name = NULL WHERE id = 2",
    "UPDATE t2 SET amount = amount / 0 WHERE id = 1",
    "UPDATE t3 SET s = s + 32767",
    "UPDATE t1 SET qty = qty + 1",
    "UPDATE t2 SET note = upper(note), d = d + 1 WHERE t1_id = $1",
    "DELETE FROM t2 WHERE amount IS NULL",
    "DELETE FROM t2 WHERE t1_id IN (SELECT id FROM t1 WHERE flag)",
    "DELETE FROM t1 WHERE id = 1 / 0",
    "DELETE FROM t3 WHERE k = ?",
    "CREATE TABLE t4 AS SELECT id, name, price * 2 AS p2 FROM t1",
    "CREATE TABLE t5(a INTEGER NOT NULL, b VARCHAR UNIQUE, "
    "c DOUBLE DEFAULT 1.5, PRIMARY KEY (a))",
    "DROP TABLE IF EXISTS t4",
    "CREATE VIEW v2 AS SELECT id FROM t1 WHERE flag",
    "DROP VIEW IF EXISTS v2",
    "CREATE UNIQUE INDEX t1_name ON t1(name)",
    "COPY t2 FROM 'fz_in.csv'",
    "COPY t2 FROM 'fz_in.tbl'",
    "COPY t2 FROM 'fz_in.csv' (HEADER false, DELIMITER ',', NULL '')",
    "COPY t1 TO 'fz_out.csv' (HEADER)",
    "COPY (SELECT id, name FROM t1 WHERE id > 2) TO 'fz_out.tbl'",
    "EXPLAIN SELECT * FROM t1 JOIN t2 ON t1.id = t2.t1_id",
    "EXPLAIN ANALYZE SELECT count(*) FROM t2 GROUP BY t1_id",
    "SET threads = 1",
    "SET vector_size = 3",
    "SET join_order = 'greedy'",
    "SET enable_hashjoin = off",
    "SET enable_unnest = false",
    "SET arena = off",
    "SET hash_partitions = 0",
    "PRAGMA stats('t1')",
    "SHOW tables",
    "ANALYZE t1",
    "SELECT * FROM pragma_stats('t2')",
    "SELECT t1.name, x.total FROM t1, (SELECT t1_id, sum(amount) AS total "
    "FROM t2 GROUP BY t1_id) x WHERE x.t1_id = t1.id AND x.total > "
    "(SELECT avg(amount) FROM t2)",
    "SELECT id, (SELECT count(*) FROM t2 WHERE t2.t1_id = t1.id AND "
    "t2.amount > t1.price) AS c FROM t1 ORDER BY c DESC, id",
    "SELECT name FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.t1_id = "
    "t1.id) OR id IN (SELECT v FROM t3)",
    "SELECT id FROM t1 WHERE id NOT IN (SELECT t1_id FROM t2)",
    "SELECT id FROM t1 WHERE id NOT IN (SELECT t1_id FROM t2 WHERE t1_id "
    "IS NOT NULL)",
    "SELECT flag, count(*), count(price), count(DISTINCT qty), "
    "sum(DISTINCT id) FROM t1 GROUP BY flag HAVING count(*) >= 1 "
    "ORDER BY flag NULLS FIRST",
    "SELECT extract(year FROM d) AS y, count(*) FROM t2 GROUP BY "
    "extract(year FROM d) ORDER BY y DESC NULLS LAST",
    "WITH a AS (SELECT id, price FROM t1 WHERE price IS NOT NULL), "
    "b AS (SELECT id FROM a WHERE price > 1) SELECT a.id, b.id FROM a "
    "LEFT JOIN b ON a.id = b.id ORDER BY 1",
    "SELECT id FROM t1 UNION SELECT amount FROM t2 UNION SELECT ratio "
    "FROM t1 ORDER BY 1 NULLS LAST",
    "SELECT t1_id FROM t2 INTERSECT ALL SELECT t1_id FROM t2 WHERE id > 3",
    "SELECT t1_id FROM t2 EXCEPT ALL SELECT id FROM t1",
    "SELECT coalesce(note, name, 'none'), CASE WHEN amount > 1 THEN amount "
    "ELSE ratio END FROM t2 LEFT JOIN t1 ON t1.id = t2.t1_id",
    "SELECT a.id, b.id, c.id FROM t1 a JOIN t1 b ON a.id = b.id + 1 "
    "JOIN t1 c ON b.id = c.id + 1 LEFT JOIN t2 d ON d.t1_id = c.id",
    "SELECT * FROM (VALUES (1, 'x'), (2, NULL), (NULL, 'z')) AS v(a, b) "
    "FULL JOIN t1 ON v.a = t1.id",
    "SELECT upper(note), length(note), note LIKE '%a%', note || NULL, "
    "substring(note, 2), trim(note) FROM t2",
    "SELECT d - INTERVAL '1 year', d + INTERVAL '10 days', "
    "d - 1, DATE '2020-03-01' - d FROM t2 WHERE d IS NOT NULL",
    "SELECT (SELECT name FROM t1 WHERE id = t2.t1_id), "
    "(SELECT id FROM t1) FROM t2",
    "SELECT min(k), max(k), count(*) FROM t3 WHERE k > '' AND k < 'z'",
    "SELECT round(avg(price), 2), sum(price * qty) FROM t1 WHERE qty "
    "BETWEEN -10 AND 1000",
    "INSERT INTO t2 SELECT id + 200, id, name, price, day FROM t1 "
    "UNION ALL SELECT id + 300, t1_id, note, amount, d FROM t2",
    "UPDATE t2 SET amount = (SELECT max(price) FROM t1 WHERE t1.id = "
    "t2.t1_id) WHERE id < 5",
    "DELETE FROM t2 WHERE EXISTS (SELECT 1 FROM t1 WHERE t1.id = t2.t1_id "
    "AND t1.flag)",
    "DELETE FROM t1 WHERE id NOT IN (SELECT t1_id FROM t2 WHERE t1_id IS "
    "NOT NULL)",
    "CREATE TABLE t6 AS SELECT t1_id, count(*) AS n, sum(amount) AS s "
    "FROM t2 GROUP BY t1_id",
    "INSERT INTO ct SELECT flag, id, id, qty, ratio, price, name, "
    "left(name, 8), day FROM t1",
    "SELECT * FROM ct WHERE v LIKE '%' OR c IS NULL ORDER BY i",
    "SELECT b, count(*), sum(g), min(d), max(m) FROM ct GROUP BY b",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.id = t2.t1_id AND t2.amount > 0 "
    "WHERE t2.id IS NULL",
    "SELECT s.id FROM (SELECT id, name FROM t1 WHERE qty > 0) s WHERE "
    "EXISTS (SELECT 1 FROM t2 WHERE t2.t1_id = s.id)",
    "SELECT s.id FROM (SELECT id FROM t1) s WHERE s.id IN (SELECT t1_id "
    "FROM t2) AND s.id NOT IN (SELECT v FROM t3 WHERE v IS NOT NULL)",
    "SELECT v1.name, (SELECT count(*) FROM t2 WHERE t2.t1_id = v1.id) FROM "
    "v1 WHERE v1.n > 0",
    "SELECT g, count(*), sum(m), min(s), max(k), count(DISTINCT s) FROM big "
    "GROUP BY g ORDER BY g",
    "SELECT count(*), sum(k), avg(m) FROM big WHERE k % 3 = 0 AND s IS NOT "
    "NULL",
    "SELECT big.g, t1.name, count(*) FROM big JOIN t1 ON t1.id = big.g "
    "GROUP BY big.g, t1.name ORDER BY 1",
    /* No subqueries over big: with enable_unnest = off they run once per
     * row, seconds for 100,000 rows, and would read as hangs. */
    "SELECT s, count(*), min(t3.k) FROM big b1 JOIN t3 ON t3.v = b1.g "
    "GROUP BY s ORDER BY 1 NULLS FIRST",
    "SELECT b1.k, b1.s, t1.name FROM big b1 LEFT JOIN t1 ON b1.k = t1.id "
    "* 1000 WHERE b1.k < 10000 AND b1.g = 1 ORDER BY b1.k",
    "SELECT count(*), sum(b1.m) FROM big b1 JOIN dg ON b1.g = dg.x",
    "UPDATE big SET m = m + 1 WHERE k % 1000 = 7",
    "DELETE FROM big WHERE k % 5000 = 1",
};

/* The files the COPY statements of the corpus read (t2's columns). */
void fz_write_corpus_files(void)
{
    static const char csv[] =
        "10,1,\"hello, world\",1.5,2020-01-01\n"
        "11,,\"quote \"\"x\"\"\",,2021-12-31\n"
        "12,3,plain,-0.001,\n";
    static const char tbl[] = "20|1|tbl note|2.5|2020-02-02|\n"
                              "21|2||3|1999-09-09|\n";
    fz_write_file("fz_in.csv", csv, sizeof(csv) - 1);
    fz_write_file("fz_in.tbl", tbl, sizeof(tbl) - 1);
}

/* Pieces inserted by the mutator. */
static const char *const dict_words[] = {
    "SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT",
    "OFFSET", "UNION", "UNION ALL", "INTERSECT", "EXCEPT", "JOIN",
    "LEFT JOIN", "FULL JOIN", "CROSS JOIN", "NATURAL JOIN", "ON", "USING",
    "AND", "OR", "NOT", "IS NULL", "IS NOT DISTINCT FROM", "BETWEEN", "IN",
    "LIKE", "ILIKE", "ESCAPE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST",
    "AS", "::", "DISTINCT", "EXISTS", "ALL", "WITH", "VALUES", "INSERT INTO",
    "UPDATE", "SET", "DELETE", "DEFAULT", "INTERVAL", "DATE", "EXTRACT",
    "count(*)", "sum(", "avg(", "min(", "max(", "string_agg(", "coalesce(",
    "nullif(", "substring(", "repeat(", "lpad(", "round(", "abs(",
    "extract(year from", "(SELECT 1)", "(SELECT id FROM t1)",
    "INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "DECIMAL(18,18)",
    "DECIMAL(1,0)", "VARCHAR(1)", "BOOLEAN", "*", "t1.*",
    "+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "(", ")",
    ",", ";", ".", "?", "$1", "$65535", "$0", "'", "\"", "--", "/*", "*/",
    "id", "name", "price", "qty", "ratio", "day", "flag", "t1_id", "note",
    "amount", "d", "k", "v", "s", "t1", "t2", "t3", "v1", "ct", "nosuch",
};

static const char *const dict_literals[] = {
    "NULL", "0", "-1", "1", "2147483647", "-2147483648", "2147483648",
    "32767", "-32768", "32768", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "18446744073709551616",
    "1e308", "1e309", "-1e-400", "0.0", "-0.0", "0.5", "1.", ".5", "1e",
    "123456789012345678901234567890", "99999999999999999.99",
    "0.000000000000000000001", "''", "'a'", "''''", "'NaN'", "'inf'",
    "'-Infinity'", "' 12 '", "'%'", "'_'", "'\\'", "DATE '2020-02-30'",
    "DATE '0000-01-01'", "DATE '9999-12-31'", "DATE '2020-02-29'",
    "DATE '-1-01-01'", "DATE ''", "INTERVAL '1 day'",
    "INTERVAL '2147483647 months'", "INTERVAL '-99999999 days'", "TRUE",
    "FALSE", "'2020-02-30'", "CAST(NULL AS INTEGER)", "'\xc3\x28'",
    "'\xff\xfe'", "'\xe2\x82'", "'\xc3\xa9t\xc3\xa9'",
};

static const char *const dict_idents[] = {
    "id", "name", "price", "qty", "ratio", "day", "flag", "t1_id", "note",
    "amount", "d", "k", "v", "s", "b", "i", "g", "f", "m", "c", "t1", "t2",
    "t3", "ct", "v1", "t1.id", "t2.t1_id", "nosuch", "\"T1\"", "\"\"\"\"",
    "rowid", "*",
};

/* Unquoted ident/number characters. */
static bool word_char(unsigned char c)
{
    return c == '_' || c == '.' || c == '$' || (c >= '0' && c <= '9') ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Rough token spans of b: words, numbers, quoted strings, and single
 * punctuation bytes. Returns the number found (at most cap). */
static int tokenize(const Buf *b, size_t *start, size_t *end, int cap)
{
    int n = 0;
    size_t i = 0;
    while (i < b->len && n < cap) {
        unsigned char c = (unsigned char)b->p[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        size_t j = i + 1;
        if (c == '\'' || c == '"') {
            while (j < b->len && b->p[j] != (char)c)
                j++;
            j = j < b->len ? j + 1 : j;
        } else if (word_char(c)) {
            while (j < b->len && word_char((unsigned char)b->p[j]))
                j++;
        }
        start[n] = i;
        end[n] = j;
        n++;
        i = j;
    }
    return n;
}

static bool is_number_token(const Buf *b, size_t s, size_t e)
{
    return e > s && b->p[s] >= '0' && b->p[s] <= '9';
}

static int min_i(int a, int b)
{
    return a < b ? a : b;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ------------------------------------------------------------------------
 * The SQL mutator
 * ------------------------------------------------------------------------ */

enum {
    /* mostly keep the statement well formed, so it reaches the binder,
     * the planner and the executor */
    MUT_SAME_CLASS, MUT_REPLACE_NUMBER, MUT_WRAP,
    MUT_GRAMMAR_END = MUT_WRAP,
    /* anything goes */
    MUT_FLIP, MUT_DELETE, MUT_DUP, MUT_INSERT_WORD, MUT_INSERT_LITERAL,
    MUT_REPLACE_TOKEN, MUT_REPLACE_IDENT, MUT_SWAP, MUT_SPLICE, MUT_PARENS,
    MUT_TRUNCATE, MUT_CHAIN, MUT_HUGE, MUT_APPEND, MUT__COUNT
};

#define MAX_TOKENS 512

/* A random position in b, on a token boundary most of the time. */
static size_t random_pos(Rng *r, const Buf *b, const size_t *ts, int nt)
{
    if (nt == 0 || rng_pct(r, 20))
        return rng_below(r, (uint32_t)b->len + 1);
    return ts[rng_below(r, (uint32_t)nt)];
}

static void insert_spaced(Buf *b, size_t pos, const char *s)
{
    Buf t = {0};
    buf_putc(&t, ' ');
    buf_puts(&t, s);
    buf_putc(&t, ' ');
    buf_insert(b, pos, t.p, t.len);
    buf_free(&t);
}

static void replace_span(Buf *b, size_t s, size_t e, const char *with)
{
    buf_erase(b, s, e - s);
    buf_insert(b, s, with, strlen(with));
}

/* Wrap tokens [i, j] in `depth` parentheses, or only open them. */
static void mutate_parens(Rng *r, Buf *b, const size_t *ts, const size_t *te,
                          int nt)
{
    static const uint32_t depths[] = {1, 2, 3, 10, 64, 200, 999, 1000, 1001,
                                      3000};
    uint32_t depth = depths[rng_below(r, N_ELEMS(depths))];
    Buf open = {0}, close = {0};
    for (uint32_t k = 0; k < depth; k++) {
        buf_putc(&open, '(');
        buf_putc(&close, ')');
    }
    if (nt == 0 || rng_pct(r, 15)) {
        buf_insert(b, random_pos(r, b, ts, nt), open.p, open.len);
    } else {
        int i = (int)rng_below(r, (uint32_t)nt);
        int j = i + (int)rng_below(r, (uint32_t)min_i(nt - i, 4));
        buf_insert(b, te[j], close.p, close.len);
        buf_insert(b, ts[i], open.p, open.len);
    }
    buf_free(&open);
    buf_free(&close);
}

/* Words that can stand in for each other without breaking the grammar
 * (NULL ends a class). */
static const char *const word_classes[][40] = {
    {"id", "name", "price", "qty", "ratio", "day", "flag", "t1_id", "note",
     "amount", "d", "k", "v", "s", "n", "a", "x", NULL},
    /* not "big": a mutation must not make a 10^10-row join of it */
    {"t1", "t2", "t3", "ct", "v1", NULL},
    {"+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR",
     "IS DISTINCT FROM", "LIKE", NULL},
    {"sum", "avg", "min", "max", "count", "upper", "lower", "abs", "round",
     "length", "trim", "reverse", "sqrt", "ln", "exp", "sign", "ceil",
     "floor", "coalesce", "nullif", "greatest", "least", "string_agg",
     "bool_and", "bool_or", "any_value", "total", "concat", "repeat",
     "lpad", "left", "right", "substring", "replace", "position", "log10",
     "power", NULL},
    {"INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE",
     "BOOLEAN", "TEXT", "REAL", NULL},
    {"JOIN", "LEFT", "RIGHT", "FULL", "INNER", NULL},
    {"UNION", "INTERSECT", "EXCEPT", NULL},
    {"ASC", "DESC", NULL},
    {"ALL", "DISTINCT", NULL},
    {"IN", "NOT IN", NULL},
    {"EXISTS", "NOT EXISTS", NULL},
    {"AND", "OR", NULL},
    {"IS NULL", "IS NOT NULL", NULL},
    {"true", "false", "NULL", NULL},
    {"year", "month", "day", "dow", "doy", "quarter", "week", "epoch",
     NULL},
};

/* Replace a token that belongs to a class by another of its class. */
static void mutate_same_class(Rng *r, Buf *b, const size_t *ts,
                              const size_t *te, int nt, int t)
{
    for (int k = 0; k < nt; k++) {
        int i = (t + k) % nt;
        size_t n = te[i] - ts[i];
        for (size_t c = 0; c < N_ELEMS(word_classes); c++) {
            const char *const *cls = word_classes[c];
            for (int w = 0; cls[w]; w++) {
                if (strlen(cls[w]) != n ||
                    strncasecmp(cls[w], b->p + ts[i], n) != 0)
                    continue;
                int size = 0;
                while (cls[size])
                    size++;
                replace_span(b, ts[i], te[i], cls[rng_below(r, size)]);
                return;
            }
        }
    }
}

/* Wrap token t in a cast, a function or a scalar subquery. */
static void mutate_wrap(Rng *r, Buf *b, const size_t *ts, const size_t *te,
                        int nt, int t)
{
    static const char *const wraps[][2] = {
        {"CAST(", " AS INTEGER)"}, {"CAST(", " AS VARCHAR)"},
        {"CAST(", " AS DOUBLE)"}, {"CAST(", " AS DECIMAL(18,6))"},
        {"CAST(", " AS DATE)"}, {"CAST(", " AS BIGINT)"},
        {"CAST(", " AS BOOLEAN)"}, {"(", ")::SMALLINT"},
        {"coalesce(", ", NULL)"}, {"nullif(", ", 0)"}, {"-(", ")"},
        {"(SELECT ", ")"}, {"(SELECT max(", ") FROM t3)"}, {"abs(", ")"},
        {"(", " + 2147483647)"}, {"(", " * 9223372036854775807)"},
        {"(", " || '')"}, {"CASE WHEN ", " IS NULL THEN NULL END"},
        {"length(", ")"}, {"(", " - DATE '2020-02-29')"},
    };
    if (nt == 0)
        return;
    int w = (int)rng_below(r, N_ELEMS(wraps));
    /* no subquery per row of big (see the corpus) */
    while (strstr(wraps[w][0], "SELECT") && strstr(b->p, "big"))
        w = (int)rng_below(r, N_ELEMS(wraps));
    buf_insert(b, te[t], wraps[w][1], strlen(wraps[w][1]));
    buf_insert(b, ts[t], wraps[w][0], strlen(wraps[w][0]));
}

/* Long chains and lists: depth and length limits, wide expressions. */
static void mutate_chain(Rng *r, Buf *b, const size_t *ts, int nt)
{
    static const uint32_t counts[] = {10, 100, 998, 999, 1000, 1001, 5000};
    static const char *const links[] = {" + 1", " OR id = 1", " AND TRUE",
                                        " || 'x'", " UNION SELECT 1",
                                        " JOIN t3 ON TRUE", ", 1"};
    uint32_t n = counts[rng_below(r, N_ELEMS(counts))];
    Buf t = {0};
    switch (rng_below(r, 5)) {
    case 0: {
        const char *link = PICK(r, links);
        buf_puts(&t, " 1");
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, link);
        break;
    }
    case 1:
        buf_puts(&t, " IN (");
        for (uint32_t k = 0; k < n; k++)
            buf_printf(&t, "%s%u", k ? ", " : "", k);
        buf_puts(&t, ") ");
        break;
    case 2:
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, rng_pct(r, 50) ? " NOT" : " -");
        buf_puts(&t, " 1 ");
        break;
    case 3:
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, " CASE WHEN id = 1 THEN");
        buf_puts(&t, " 1");
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, " END");
        break;
    default:
        for (uint32_t k = 0; k < n; k++)
            buf_puts(&t, " abs(");
        buf_puts(&t, "1");
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, ')');
        break;
    }
    buf_insert(b, random_pos(r, b, ts, nt), t.p, t.len);
    buf_free(&t);
}

/* A huge literal or name. */
static void mutate_huge(Rng *r, Buf *b, const size_t *ts, int nt)
{
    static const uint32_t sizes[] = {13, 255, 400, 4096, 70000};
    uint32_t n = sizes[rng_below(r, N_ELEMS(sizes))];
    Buf t = {0};
    switch (rng_below(r, 5)) {
    case 0:
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, (char)('1' + k % 9));
        break;
    case 1:
        buf_putc(&t, '\'');
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, (char)('a' + k % 26));
        buf_putc(&t, '\'');
        break;
    case 2:
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, 'x');
        break;
    case 3:
        buf_puts(&t, "0.");
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, '9');
        buf_puts(&t, "e-");
        buf_printf(&t, "%u", n);
        break;
    default:
        buf_putc(&t, '"');
        for (uint32_t k = 0; k < n; k++)
            buf_putc(&t, 'Q');
        buf_putc(&t, '"');
        break;
    }
    insert_spaced(b, random_pos(r, b, ts, nt), t.p);
    buf_free(&t);
}

/* Prefix of b up to a token, then the rest of another corpus statement
 * from one of its tokens. */
static void mutate_splice(Rng *r, Buf *b, const size_t *ts, int nt)
{
    Buf other = {0};
    buf_puts(&other, PICK(r, corpus));
    size_t os[MAX_TOKENS], oe[MAX_TOKENS];
    int on = tokenize(&other, os, oe, MAX_TOKENS);
    size_t cut = nt ? ts[rng_below(r, (uint32_t)nt)] : 0;
    size_t from = on ? os[rng_below(r, (uint32_t)on)] : 0;
    b->len = cut;
    buf_putc(b, ' ');
    buf_append(b, other.p + from, other.len - from);
    buf_free(&other);
}

static void mutate_once(Rng *r, Buf *b)
{
    size_t ts[MAX_TOKENS], te[MAX_TOKENS];
    int nt = tokenize(b, ts, te, MAX_TOKENS);
    int t = nt ? (int)rng_below(r, (uint32_t)nt) : 0;
    uint32_t op = rng_pct(r, 65) ? rng_below(r, MUT_GRAMMAR_END + 1)
                                 : rng_below(r, MUT__COUNT);
    switch (op) {
    case MUT_SAME_CLASS:
        mutate_same_class(r, b, ts, te, nt, t);
        break;
    case MUT_WRAP:
        mutate_wrap(r, b, ts, te, nt, t);
        break;
    case MUT_FLIP:
        if (b->len) {
            size_t i = rng_below(r, (uint32_t)b->len);
            b->p[i] = rng_pct(r, 50) ? (char)(b->p[i] ^ (1 << rng_below(r, 8)))
                                     : (char)rng_below(r, 256);
        }
        break;
    case MUT_DELETE:
        buf_erase(b, rng_below(r, (uint32_t)b->len + 1),
                  1 + rng_below(r, 8));
        break;
    case MUT_DUP:
        if (b->len) {
            size_t s = rng_below(r, (uint32_t)b->len);
            size_t n = min_sz(1 + rng_below(r, 16), b->len - s);
            Buf t2 = {0};
            buf_append(&t2, b->p + s, n);
            buf_insert(b, random_pos(r, b, ts, nt), t2.p, t2.len);
            buf_free(&t2);
        }
        break;
    case MUT_INSERT_WORD:
        insert_spaced(b, random_pos(r, b, ts, nt), PICK(r, dict_words));
        break;
    case MUT_INSERT_LITERAL:
        insert_spaced(b, random_pos(r, b, ts, nt), PICK(r, dict_literals));
        break;
    case MUT_REPLACE_TOKEN:
        if (nt)
            replace_span(b, ts[t], te[t], rng_pct(r, 50)
                                              ? PICK(r, dict_words)
                                              : PICK(r, dict_literals));
        break;
    case MUT_REPLACE_NUMBER:
        for (int k = 0; k < nt; k++) {
            int i = (t + k) % nt;
            if (is_number_token(b, ts[i], te[i]) || b->p[ts[i]] == '\'') {
                replace_span(b, ts[i], te[i], PICK(r, dict_literals));
                break;
            }
        }
        break;
    case MUT_REPLACE_IDENT:
        if (nt && word_char((unsigned char)b->p[ts[t]]))
            replace_span(b, ts[t], te[t], PICK(r, dict_idents));
        break;
    case MUT_SWAP:
        if (nt >= 2) {
            int u = (int)rng_below(r, (uint32_t)nt);
            int lo = min_i(t, u), hi = t + u - lo;
            if (lo != hi) {
                Buf a = {0}, c = {0};
                buf_append(&a, b->p + ts[lo], te[lo] - ts[lo]);
                buf_append(&c, b->p + ts[hi], te[hi] - ts[hi]);
                buf_erase(b, ts[hi], te[hi] - ts[hi]);
                buf_insert(b, ts[hi], a.p, a.len);
                buf_erase(b, ts[lo], te[lo] - ts[lo]);
                buf_insert(b, ts[lo], c.p, c.len);
                buf_free(&a);
                buf_free(&c);
            }
        }
        break;
    case MUT_SPLICE:
        mutate_splice(r, b, ts, nt);
        break;
    case MUT_PARENS:
        mutate_parens(r, b, ts, te, nt);
        break;
    case MUT_TRUNCATE:
        if (b->len)
            b->len = rng_below(r, (uint32_t)b->len);
        b->p[b->len] = 0;
        break;
    case MUT_CHAIN:
        mutate_chain(r, b, ts, nt);
        break;
    case MUT_HUGE:
        mutate_huge(r, b, ts, nt);
        break;
    default: {
        const char *other = PICK(r, corpus);
        if (rng_pct(r, 50)) {
            buf_puts(b, "; ");
            buf_puts(b, other);
        } else {
            buf_insert(b, 0, "; ", 2);
            buf_insert(b, 0, other, strlen(other));
        }
        break;
    }
    }
    if (b->len > MAX_TEXT)
        b->len = MAX_TEXT;
    b->p[b->len] = 0;
}

static const char *const bind_texts[] = {
    "", "a", "dup", "apple", "42", "-7", " 3 ", "1.5", "2020-02-29",
    "2020-02-30", "NaN", "true", "x,y", "it's", "\"q\"", "line\nbreak",
    "\xc3\xa9", "\xff\xfe", "%", "_", "\\", "9223372036854775808",
};

/* Bind every parameter (up to MAX_BINDS) to a random value; a bad index
 * must give EMBER_RANGE. */
static void bind_random(Rng *r, ember_stmt *st, const char *sql, size_t len)
{
    int n = ember_bind_parameter_count(st);
    for (int i = 1; i <= n && i <= MAX_BINDS; i++) {
        int rc;
        switch (rng_below(r, 5)) {
        case 0:
            rc = ember_bind_null(st, i);
            break;
        case 1:
            rc = ember_bind_int64(st, i, fz_pick_int(r));
            break;
        case 2:
            rc = ember_bind_double(st, i, fz_pick_double(r));
            break;
        default: {
            const char *t = PICK(r, bind_texts);
            rc = ember_bind_text(st, i, t, (int)strlen(t));
            break;
        }
        }
        if (rc != EMBER_OK)
            fz_violation(sql, len, "binding parameter %d of %d: %s: %s", i, n,
                         ember_status_name(rc), ember_errmsg(fz_db));
    }
    if (rng_pct(r, 5)) {
        int rc = ember_bind_int64(st, n + 1, 1);
        int rc0 = ember_bind_null(st, 0);
        if (rc != EMBER_RANGE || rc0 != EMBER_RANGE)
            fz_violation(sql, len,
                         "binding parameter %d / 0 of %d gave %s / "
                         "%s, not EMBER_RANGE",
                         n + 1, n, ember_status_name(rc),
                         ember_status_name(rc0));
    }
}

/* Step through the rows, reading every column every way. Returns the last
 * step code: EMBER_DONE, an error, or EMBER_ROW when cut short. */
static int read_rows(ember_stmt *st, const char *sql, size_t len,
                     uint64_t *n_rows, uint64_t *sum)
{
    int n = ember_column_count(st);
    int rc;
    long rows = 0;
    *sum = 0;
    while ((rc = ember_step(st)) == EMBER_ROW) {
        n = ember_column_count(st);
        for (int c = 0; c < n; c++) {
            int is_null = ember_column_is_null(st, c);
            const char *t = ember_column_text(st, c);
            if ((t == NULL) != (is_null != 0)) {
                fz_violation(sql, len,
                             "row %ld column %d: is_null %d but "
                             "text %s",
                             rows, c, is_null, t ? t : "NULL");
                return EMBER_DONE;
            }
            (void)ember_column_int64(st, c);
            (void)ember_column_double(st, c);
            (void)ember_column_type(st, c);
            if (ember_column_name(st, c) == NULL)
                fz_violation(sql, len, "column %d of %d has no name", c, n);
        }
        *sum += fz_row_hash(st, n, true);
        if (++rows >= MAX_ROWS_READ)
            break;
    }
    fz_stats.rows_read += rows;
    *n_rows = (uint64_t)rows;
    return rc;
}

/* Queries whose rows may legitimately depend on the plan. */
static bool plan_dependent(const char *sql)
{
    static const char *const words[] = {"limit", "offset", "any_value",
                                        "string_agg", "group_concat",
                                        "pragma", "explain", "stats"};
    for (size_t i = 0; i < N_ELEMS(words); i++)
        if (strcasestr(sql, words[i]))
            return true;
    return false;
}

/* I8: a query gives the same rows (as a multiset, numbers compared to 9
 * digits) under another setting of a planner or executor knob. */
static void check_other_plan(Rng *r, const char *sql, size_t len,
                             uint64_t rows, uint64_t sum)
{
    static const char *const knobs[][2] = {
        {"threads", "1"},          {"threads", "3"},
        {"threads", "4"},
        {"vector_size", "3"},      {"vector_size", "1"},
        {"enable_hashjoin", "off"}, {"join_order", "syntactic"},
        {"join_order", "greedy"},  {"enable_unnest", "off"},
        {"hash_partitions", "0"},  {"arena", "off"},
    };
    int k = (int)rng_below(r, N_ELEMS(knobs));
    fz_stats.plan_checks++;
    char old[64];
    if (ember_get_setting(fz_db, knobs[k][0], old, sizeof(old)) != EMBER_OK ||
        strcmp(old, knobs[k][1]) == 0)
        return;
    if (ember_set(fz_db, knobs[k][0], knobs[k][1]) != EMBER_OK) {
        fz_violation(NULL, 0, "cannot set %s = %s: %s", knobs[k][0],
                     knobs[k][1], ember_errmsg(fz_db));
        return;
    }
    uint64_t rows2, sum2;
    bool ok = fz_checksum_as(sql, true, &rows2, &sum2);
    if (!ok)
        fz_violation(sql, len, "query fails with %s = %s: %s", knobs[k][0],
                     knobs[k][1], ember_errmsg(fz_db));
    else if (rows2 != rows || sum2 != sum)
        fz_violation(sql, len,
                     "query gives other rows with %s = %s: %" PRIu64
                     " rows -> %" PRIu64 " rows",
                     knobs[k][0], knobs[k][1], rows, rows2);
    if (ember_set(fz_db, knobs[k][0], old) != EMBER_OK)
        fz_violation(NULL, 0, "cannot set %s back to %s", knobs[k][0], old);
}

/* Could the statement change table data? Statements that cannot are not
 * followed by a snapshot when they fail (the snapshots are the larger
 * part of the run time under ASan). */
static bool may_write(const char *sql)
{
    static const char *const words[] = {"INSERT", "UPDATE", "DELETE", "COPY",
                                        "CREATE", "DROP", "REPLACE",
                                        "EXPLAIN", "ALTER", "TRUNCATE"};
    for (size_t i = 0; i < N_ELEMS(words); i++)
        if (fz_starts_with_word(sql, words[i]))
            return true;
    return false;
}

/* Run one prepared statement to the end and finalize it; check I3 / I4. */
static void run_prepared(Rng *r, ember_stmt *st)
{
    Buf text = {0};                    /* outlives the statement */
    const char *sql = ember_sql(st);
    buf_append(&text, sql ? sql : "", sql ? strlen(sql) : 0);
    int n_cols = ember_column_count(st);
    int n_params = ember_bind_parameter_count(st);
    bind_random(r, st, text.p, text.len);
    fz_ctx_begin("ember_step", text.p, text.len);
    uint64_t rows = 0, sum = 0;
    int rc = read_rows(st, text.p, text.len, &rows, &sum);
    fz_ctx_end();
    bool writes = may_write(text.p);
    if (rc == EMBER_ROW || rc == EMBER_DONE) {
        fz_stats.stmt_ok++;
        if (fz_starts_with_word(text.p, "SET") ||
            fz_starts_with_word(text.p, "PRAGMA") ||
            fz_starts_with_word(text.p, "RESET"))
            fz_session_note(text.p);
        bool query = n_cols > 0 && !fz_starts_with_word(text.p, "EXPLAIN");
        ember_finalize(st);
        if (query && rc == EMBER_DONE && n_params == 0 &&
            !plan_dependent(text.p) && rng_pct(r, 50))
            check_other_plan(r, text.p, text.len, rows, sum);
        if (query && rng_pct(r, 10))
            fz_expect_unchanged(text.p, text.len, "a query");
        else if (!query && writes)
            fz_snapshot_take(&fz_snap);
    } else {
        fz_stats.stmt_failed++;
        fz_check_error(rc, text.p, text.len, (int)text.len, "ember_step");
        ember_finalize(st);
        if (writes || rng_pct(r, 10))
            fz_expect_unchanged(text.p, text.len, "a failing statement");
    }
    buf_free(&text);
}

/* Run every statement of a text (at most MAX_SCRIPT_STMTS), as a shell
 * would: prepare, bind, step, finalize, go on at the tail after errors. */
static void run_script(Rng *r, const Buf *text)
{
    const char *p = text->p, *end = text->p + text->len;
    for (int k = 0; k < MAX_SCRIPT_STMTS && p < end; k++) {
        ember_stmt *st = NULL;
        const char *tail = NULL;
        int n = (int)(end - p);
        fz_ctx_begin("ember_prepare", p, (size_t)n);
        int rc = ember_prepare(fz_db, p, n, &st, &tail);
        fz_ctx_end();
        if (tail == NULL || tail < p || tail > end) {
            fz_violation(p, (size_t)n,
                         "ember_prepare put the tail at %td, "
                         "outside the %d bytes",
                         tail ? tail - p : -1, n);
            ember_finalize(st);
            return;
        }
        if (rc != EMBER_OK) {
            fz_stats.stmt_failed++;
            if (st != NULL)
                fz_violation(p, (size_t)n, "failed prepare gave a statement");
            fz_check_error(rc, p, (size_t)n, n, "ember_prepare");
            /* the parser alone changes nothing; past it, check */
            if (k == 0 && rc != EMBER_SYNTAX && may_write(p))
                fz_expect_unchanged(p, (size_t)n, "a failed prepare");
            if (tail == p)
                return;
            p = tail;
            continue;
        }
        if (st == NULL)
            return;                    /* only blanks and comments left */
        if (tail == p) {
            fz_violation(p, (size_t)n, "ember_prepare made no progress");
            ember_finalize(st);
            return;
        }
        run_prepared(r, st);
        p = tail;
    }
}

/* One iteration of the SQL part: a corpus statement, mutated (one time in
 * ten not at all), run to the end. */
void fuzz_sql(Rng *r)
{
    Buf text = {0};
    buf_puts(&text, PICK(r, corpus));
    uint32_t dice = rng_below(r, 100);
    if (dice >= 10) {
        uint32_t n = dice < 55 ? 1 : 2 + rng_below(r, 3);
        for (uint32_t k = 0; k < n; k++)
            mutate_once(r, &text);
    }
    if (fz_opt.verbose) {
        fprintf(stderr, "[%ld] ", fz_stats.iters);
        fz_print_escaped(stderr, text.p, text.len, 300);
    }
    fz_snapshot_hint(text.p);
    run_script(r, &text);
    fz_snapshot_hint(NULL);
    buf_free(&text);
}
