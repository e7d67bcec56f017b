/*
 * sql.h -- the SQL front end: lexer, parser and the abstract syntax tree.
 *
 * In:  SQL text (one or more statements separated by ';').
 * Out: one AST per statement, allocated in the caller's Arena.
 *
 * The parser knows nothing of the catalog, types of columns or plans: it
 * checks syntax only. Every node keeps the byte offset where it starts in
 * the text (`pos`) so later layers can report errors at the right place.
 * Identifiers are folded to lower case unless quoted ("Name" keeps case),
 * as in PostgreSQL. String literals are unescaped ('it''s' -> it's).
 *
 * Lifetime: every node, string and array is allocated from the Arena passed
 * to sql_parse and lives exactly as long as it.
 */
#ifndef EMBER_SQL_H
#define EMBER_SQL_H

#include "util/util.h"

/* ------------------------------------------------------------------------
 * Type names as written in DDL and CAST
 * ------------------------------------------------------------------------ */

/* The parser maps type names to ember types directly:
 *   BOOLEAN, BOOL                                  -> TYPE_BOOL
 *   INTEGER, INT, INT4, SMALLINT, INT2, TINYINT    -> TYPE_INT32
 *   BIGINT, INT8                                   -> TYPE_INT64
 *   DOUBLE [PRECISION], REAL, FLOAT[(n)], FLOAT4, FLOAT8 -> TYPE_DOUBLE
 *   DECIMAL, NUMERIC, DEC [(p[,s])]                -> TYPE_DECIMAL
 *        (no precision: DECIMAL(18,3); p > 18 is a syntax-level error
 *         "DECIMAL precision must be between 1 and 18"; s > p is an error)
 *   VARCHAR[(n)], CHARACTER VARYING[(n)], TEXT, STRING, CHAR[(n)],
 *   CHARACTER[(n)]                                 -> TYPE_VARCHAR (len n or -1)
 *   DATE                                           -> TYPE_DATE
 * Anything else is an error `type "foo" does not exist` at its position. */

/* ------------------------------------------------------------------------
 * Expressions
 * ------------------------------------------------------------------------ */

typedef enum AExprKind {
    AE_INT,           /* integer literal: ival (text in sval if > INT64_MAX) */
    AE_NUMBER,        /* literal with '.' or exponent: text in sval */
    AE_STRING,        /* 'text': sval (unescaped), slen */
    AE_NULL,          /* NULL */
    AE_BOOL,          /* TRUE / FALSE: ival 1 / 0 */
    AE_TYPED_STRING,  /* DATE '1998-01-01' and similar: type + sval */
    AE_INTERVAL,      /* INTERVAL '3' MONTH: sval = '3', unit = field;
                         also INTERVAL '3 months' (unit IV_NONE) */
    AE_COLUMN,        /* names[0..n_names): [schema.][table.]column */
    AE_STAR,          /* * or t.* (names: qualifier or none) */
    AE_PARAM,         /* ? (ival = its place among the ?: 1, 2..) or $n */
    AE_UNARY,         /* op in {OP_NEG, OP_PLUS, OP_NOT}: args[0] */
    AE_BINARY,        /* op: args[0] op args[1] */
    AE_IS_NULL,       /* args[0] IS [NOT] NULL  (negated) */
    AE_IS_BOOL,       /* args[0] IS [NOT] TRUE/FALSE: ival 1/0, negated */
    AE_IS_DISTINCT,   /* args[0] IS [NOT] DISTINCT FROM args[1] */
    AE_BETWEEN,       /* args[0] [NOT] BETWEEN args[1] AND args[2] */
    AE_IN_LIST,       /* args[0] [NOT] IN (args[1..n_args)); may be empty */
    AE_IN_SUBQUERY,   /* args[0] [NOT] IN (subquery) */
    AE_IN_TABLE,      /* args[0] [NOT] IN tablename (SQLite): names[0] */
    AE_EXISTS,        /* [NOT] EXISTS (subquery) */
    AE_SUBQUERY,      /* (subquery) used as a scalar */
    AE_LIKE,          /* args[0] [NOT] LIKE|ILIKE args[1] [ESCAPE args[2]] */
    AE_CASE,          /* CASE [operand] WHEN args[2i] THEN args[2i+1]...
                         [ELSE else_expr] END; operand may be NULL */
    AE_CAST,          /* CAST(args[0] AS type), also args[0]::type */
    AE_FUNC,          /* name(args) with distinct / star flags;
                         also filter: agg(...) FILTER (WHERE filter) */
    AE_EXTRACT,       /* EXTRACT(field FROM args[0]): unit = field */
} AExprKind;

typedef enum AOp {
    OP_NONE = 0,
    OP_NEG, OP_PLUS, OP_NOT,                        /* unary */
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_CONCAT,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_AND, OP_OR,
} AOp;

typedef enum IntervalUnit {
    IV_NONE = 0, IV_YEAR, IV_MONTH, IV_DAY, IV_WEEK, IV_QUARTER,
    IV_HOUR, IV_MINUTE, IV_SECOND, IV_DOW, IV_DOY, IV_EPOCH,
} IntervalUnit;

typedef struct SelectStmt SelectStmt;

typedef struct AExpr {
    AExprKind kind;
    int pos;                  /* byte offset where the expression starts */
    int end;                  /* byte offset just past its last token */
    AOp op;
    bool negated;             /* NOT IN, NOT LIKE, IS NOT NULL, NOT EXISTS... */
    bool distinct;            /* f(DISTINCT x) */
    bool star;                /* count(*) */
    bool ilike;               /* ILIKE */
    IntervalUnit unit;        /* AE_INTERVAL, AE_EXTRACT */
    int64_t ival;
    const char *sval;         /* literal text, function name */
    int slen;                 /* length of sval for AE_STRING (may hold NUL) */
    const char **names;       /* AE_COLUMN, AE_STAR, AE_IN_TABLE */
    int n_names;
    struct AExpr **args;
    int n_args;
    struct AExpr *operand;    /* CASE operand */
    struct AExpr *else_expr;  /* CASE ELSE */
    struct AExpr *filter;     /* aggregate FILTER (WHERE ...) */
    Type type;                /* AE_CAST, AE_TYPED_STRING */
    SelectStmt *subquery;     /* AE_IN_SUBQUERY, AE_EXISTS, AE_SUBQUERY */
} AExpr;

/* ------------------------------------------------------------------------
 * FROM clause
 * ------------------------------------------------------------------------ */

typedef enum JoinKind {
    JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_CROSS,
} JoinKind;

typedef enum TableRefKind {
    TR_TABLE,         /* name [AS alias [(cols)]] */
    TR_SUBQUERY,      /* (select) [AS] alias [(cols)] */
    TR_JOIN,          /* left JOIN right ON/USING/NATURAL */
    TR_FUNCTION,      /* name(args) [AS alias]: table function */
} TableRefKind;

typedef struct TableRef {
    TableRefKind kind;
    int pos;
    const char *name;         /* TR_TABLE / TR_FUNCTION */
    const char *alias;        /* NULL when none */
    const char **col_aliases; /* t(a, b, c) */
    int n_col_aliases;
    SelectStmt *subquery;     /* TR_SUBQUERY */
    AExpr **args;             /* TR_FUNCTION arguments */
    const char **arg_names;   /* name => value arguments (NULL entries for
                                 positional ones); NULL if none named */
    int n_args;
    JoinKind join;            /* TR_JOIN */
    struct TableRef *left, *right;
    AExpr *on;                /* ON condition, or NULL */
    const char **using_cols;  /* USING (a, b) */
    int n_using;
    bool natural;             /* NATURAL JOIN */
} TableRef;

/* ------------------------------------------------------------------------
 * SELECT
 * ------------------------------------------------------------------------ */

typedef struct ResTarget {
    AExpr *expr;              /* AE_STAR for * and t.* */
    const char *alias;        /* AS name, or NULL */
} ResTarget;

typedef struct OrderItem {
    AExpr *expr;
    bool desc;
    int nulls;                /* 0 default, 1 NULLS FIRST, 2 NULLS LAST */
} OrderItem;

typedef struct Cte {
    const char *name;
    const char **col_aliases;
    int n_col_aliases;
    SelectStmt *query;
    int pos;
} Cte;

typedef enum SetOpKind {
    SETOP_NONE,       /* a plain SELECT (or VALUES) block */
    SETOP_UNION, SETOP_INTERSECT, SETOP_EXCEPT,
} SetOpKind;

/* One query expression. Either a plain block (op == SETOP_NONE: targets,
 * from, where, ... or values_rows for a VALUES list) or a set operation of
 * left and right. ORDER BY, LIMIT, OFFSET and WITH belong to the node they
 * are written after: for `SELECT .. UNION SELECT .. ORDER BY x` the order
 * is on the UNION node. Parenthesised queries nest. INTERSECT binds tighter
 * than UNION and EXCEPT, which associate left to right (SQL standard). */
struct SelectStmt {
    int pos;
    SetOpKind op;
    bool all;                 /* UNION ALL etc. */
    SelectStmt *left, *right;

    bool distinct;            /* SELECT DISTINCT */
    ResTarget *targets;
    int n_targets;
    TableRef **from;          /* comma list */
    int n_from;
    AExpr *where;
    AExpr **group_by;
    int n_group_by;
    AExpr *having;
    AExpr ***values_rows;     /* VALUES (..), (..): rows of n_values_cols */
    int n_values_rows;
    int n_values_cols;

    OrderItem *order_by;
    int n_order_by;
    AExpr *limit;             /* NULL when absent; LIMIT ALL: NULL */
    AExpr *offset;
    Cte *ctes;
    int n_ctes;
};

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

typedef enum StmtKind {
    STMT_SELECT,
    STMT_INSERT,
    STMT_UPDATE,
    STMT_DELETE,
    STMT_CREATE_TABLE,
    STMT_CREATE_VIEW,
    STMT_CREATE_INDEX,
    STMT_DROP,
    STMT_COPY,
    STMT_EXPLAIN,
    STMT_SET,                 /* SET name = value, SET name TO value,
                                 PRAGMA name = value */
    STMT_SHOW,                /* SHOW name, PRAGMA name (no value) */
    STMT_RESET,               /* RESET name */
    STMT_ANALYZE,             /* ANALYZE [table] */
    STMT_REINDEX,             /* REINDEX name */
    STMT_CALL,                /* CALL f(args), also PRAGMA f('x') and
                                 PRAGMA name(value) (pragma set) */
    STMT_BEGIN, STMT_COMMIT, STMT_ROLLBACK,
} StmtKind;

typedef struct ColumnDef {
    const char *name;
    Type type;
    bool not_null;
    bool primary_key;         /* column constraint PRIMARY KEY */
    bool unique;              /* column constraint UNIQUE */
    AExpr *default_expr;      /* DEFAULT expr, or NULL */
    int pos;
} ColumnDef;

typedef struct TableConstraint {
    bool primary_key;         /* PRIMARY KEY (cols) else UNIQUE (cols) */
    const char **cols;
    int n_cols;
    int pos;
} TableConstraint;

typedef enum DropKind { DROP_TABLE, DROP_VIEW, DROP_INDEX } DropKind;

typedef struct CopyOption {
    const char *name;         /* lower-cased option name: delimiter, header,
                                 null, quote, escape, format, ... */
    AExpr *value;             /* NULL when given without a value (HEADER) */
    int pos;
} CopyOption;

typedef struct Stmt Stmt;

struct Stmt {
    StmtKind kind;
    int pos;                  /* offset of the first token */
    int end;                  /* offset just past the last token (no ';') */

    /* SELECT, INSERT .. SELECT, CREATE VIEW/TABLE AS, COPY (query) TO */
    SelectStmt *select;

    /* INSERT / UPDATE / DELETE / CREATE / DROP / COPY / ANALYZE / REINDEX */
    const char *table;        /* target table (or view/index name) */
    int table_pos;            /* INSERT, UPDATE, DELETE: offset of the
                                 `table` name; -1 for other statements */
    const char *alias;        /* UPDATE t AS x / DELETE FROM t AS x */
    const char **columns;     /* INSERT INTO t (cols); CREATE INDEX cols;
                                 CREATE VIEW v (cols) */
    int n_columns;
    int *column_pos;          /* INSERT: offset of each of `columns` */
    bool or_replace;          /* INSERT OR REPLACE (rejected later) */
    bool default_values;      /* INSERT .. DEFAULT VALUES */

    /* UPDATE: SET set_cols[i] = set_exprs[i]; WHERE */
    const char **set_cols;
    int *set_pos;             /* offset of each of `set_cols` */
    AExpr **set_exprs;
    int n_sets;
    AExpr *where;             /* UPDATE / DELETE */

    /* CREATE TABLE */
    ColumnDef *coldefs;
    int n_coldefs;
    TableConstraint *constraints;
    int n_constraints;
    bool if_not_exists;
    bool temporary;           /* TEMP / TEMPORARY (accepted, no effect) */

    /* CREATE INDEX name ON table (columns) */
    const char *index_name;
    bool unique;

    /* DROP */
    DropKind drop_kind;
    bool if_exists;

    /* COPY table [(cols)] FROM|TO 'file' [WITH] (options); COPY (query) TO */
    bool copy_to;
    const char *file;
    CopyOption *options;
    int n_options;

    /* EXPLAIN [ANALYZE] [(options)] stmt */
    Stmt *inner;
    bool analyze;
    const char *format;       /* FORMAT JSON -> "json", NULL for text */

    /* SET / SHOW / RESET / PRAGMA / CALL */
    const char *name;         /* setting or function name, lower case */
    bool pragma;              /* written as PRAGMA: for STMT_CALL, the
                                 layer above runs PRAGMA name(value) as a
                                 SET when `name` is a setting */
    AExpr *value;             /* SET value; NULL for RESET/SHOW */
    AExpr **args;             /* CALL f(args) */
    const char **arg_names;   /* named arguments (sf => 1), NULL entries
                                 for positional ones */
    int n_args;

    /* Set on the statement sql_parse returns (not on an EXPLAIN's inner
     * one): the largest parameter number among its tokens, a $n or the
     * count of ? (1..65535; 0 without parameters). */
    int n_params;
};

/* ------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------ */

/*
 * Parse the first statement of `sql` (length `len`), starting at byte
 * offset `start`. On success returns EMBER_OK, sets *out to the statement
 * (or NULL if only blanks, comments and semicolons remained) and *next to
 * the offset just past the statement and its ';'. On a syntax error
 * returns EMBER_SYNTAX and fills `err` with a message of the form
 * `syntax error at or near "FROM"` (or `syntax error at end of input`),
 * err->pos = byte offset of the offending token. All memory comes from `a`.
 */
int sql_parse(Arena *a, const char *sql, int len, int start, Stmt **out,
              int *next, Err *err);

/* Debug printer: an S-expression rendering of the tree into sb. */
void sql_dump_stmt(const Stmt *s, StrBuf *sb);
void sql_dump_expr(const AExpr *e, StrBuf *sb);

/* Is this word a reserved keyword (cannot be a bare column or table name)?
 * Case-insensitive. */
bool sql_is_reserved(const char *word, int len);

#endif /* EMBER_SQL_H */
