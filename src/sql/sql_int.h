/*
 * sql_int.h -- private declarations shared by the files of src/sql/.
 *
 * The front end is split by job: lexer.c turns text into tokens, parser.c
 * holds the token cursor, error and list helpers, type names and the
 * statements, parse_expr.c the expressions, parse_select.c the queries and
 * FROM clauses, dump.c the debug printer. Nothing here is seen outside
 * src/sql/: other layers include sql.h only.
 */
#ifndef EMBER_SQL_INT_H
#define EMBER_SQL_INT_H

#include "sql/sql.h"

/* ------------------------------------------------------------------------
 * Keywords
 *
 * X(name, reserved), sorted by name: the lexer looks words up by binary
 * search (sql_keywords_sorted() checks the order; the unit test calls it).
 * A reserved word is never a bare column, table or alias name; a
 * non-reserved keyword is a name wherever the grammar expects one and a
 * keyword only where the grammar looks for it (PostgreSQL's split between
 * reserved and unreserved keywords). Words needed in one place only (type
 * names, units, COPY options) are not keywords: the parser compares text.
 * ------------------------------------------------------------------------ */

#define SQL_KEYWORDS(X) \
    X(ALL, 1)           \
    X(ANALYZE, 0)       \
    X(AND, 1)           \
    X(AS, 1)            \
    X(ASC, 1)           \
    X(BEGIN, 0)         \
    X(BETWEEN, 1)       \
    X(BOTH, 1)          \
    X(BY, 0)            \
    X(CALL, 0)          \
    X(CASE, 1)          \
    X(CAST, 1)          \
    X(CHECK, 1)         \
    X(COLLATE, 1)       \
    X(COMMIT, 0)        \
    X(CONSTRAINT, 1)    \
    X(COPY, 0)          \
    X(CREATE, 1)        \
    X(CROSS, 1)         \
    X(DEFAULT, 1)       \
    X(DELETE, 0)        \
    X(DESC, 1)          \
    X(DISTINCT, 1)      \
    X(DROP, 0)          \
    X(ELSE, 1)          \
    X(END, 1)           \
    X(ESCAPE, 0)        \
    X(EXCEPT, 1)        \
    X(EXISTS, 1)        \
    X(EXPLAIN, 0)       \
    X(EXTRACT, 0)       \
    X(FALSE, 1)         \
    X(FETCH, 1)         \
    X(FILTER, 0)        \
    X(FIRST, 0)         \
    X(FOR, 1)           \
    X(FOREIGN, 1)       \
    X(FROM, 1)          \
    X(FULL, 1)          \
    X(GROUP, 1)         \
    X(HAVING, 1)        \
    X(IF, 0)            \
    X(ILIKE, 1)         \
    X(IN, 1)            \
    X(INDEX, 0)         \
    X(INDEXED, 0)       \
    X(INNER, 1)         \
    X(INSERT, 0)        \
    X(INTERSECT, 1)     \
    X(INTERVAL, 0)      \
    X(INTO, 1)          \
    X(IS, 1)            \
    X(ISNULL, 1)        \
    X(JOIN, 1)          \
    X(KEY, 0)           \
    X(LAST, 0)          \
    X(LEADING, 1)       \
    X(LEFT, 1)          \
    X(LIKE, 1)          \
    X(LIMIT, 1)         \
    X(NATURAL, 1)       \
    X(NOT, 1)           \
    X(NOTNULL, 1)       \
    X(NULL, 1)          \
    X(NULLS, 0)         \
    X(OFFSET, 1)        \
    X(ON, 1)            \
    X(OR, 1)            \
    X(ORDER, 1)         \
    X(OUTER, 1)         \
    X(POSITION, 0)      \
    X(PRAGMA, 0)        \
    X(PRIMARY, 1)       \
    X(RECURSIVE, 0)     \
    X(REFERENCES, 1)    \
    X(REINDEX, 0)       \
    X(REPLACE, 0)       \
    X(RESET, 0)         \
    X(RIGHT, 1)         \
    X(ROLLBACK, 0)      \
    X(SELECT, 1)        \
    X(SET, 0)           \
    X(SHOW, 0)          \
    X(START, 0)         \
    X(SUBSTRING, 0)     \
    X(TABLE, 1)         \
    X(TEMP, 0)          \
    X(TEMPORARY, 0)     \
    X(THEN, 1)          \
    X(TO, 1)            \
    X(TRAILING, 1)      \
    X(TRIM, 0)          \
    X(TRUE, 1)          \
    X(UNION, 1)         \
    X(UNIQUE, 1)        \
    X(UPDATE, 0)        \
    X(USING, 1)         \
    X(VALUES, 1)        \
    X(VIEW, 0)          \
    X(WHEN, 1)          \
    X(WHERE, 1)         \
    X(WINDOW, 1)        \
    X(WITH, 1)

typedef enum Keyword {
    KW_NONE = 0,
#define SQL_KW_ENUM(name, reserved) KW_##name,
    SQL_KEYWORDS(SQL_KW_ENUM)
#undef SQL_KW_ENUM
    KW__COUNT
} Keyword;

/* ------------------------------------------------------------------------
 * Tokens (lexer.c)
 * ------------------------------------------------------------------------ */

typedef enum TokKind {
    TK_EOF,           /* end of text: pos = length of the text, len 0 */
    TK_ERROR,         /* lexical error, see Token.error */
    TK_IDENT,         /* unquoted word; kw tells whether it is a keyword */
    TK_QIDENT,        /* "quoted", `quoted` or [quoted] identifier */
    TK_BLOB,          /* X'hex': bytes, read as a VARCHAR */
    TK_STRING,        /* 'text' */
    TK_INT,           /* 123 */
    TK_NUMBER,        /* 1.5, .5, 5., 1e10 */
    TK_PARAM,         /* ? or $n */
    TK_LPAREN, TK_RPAREN, TK_COMMA, TK_DOT, TK_SEMI,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT, TK_CONCAT,
    TK_EQ,            /* = or == */
    TK_NE,            /* <> or != */
    TK_LT, TK_LE, TK_GT, TK_GE,
    TK_CAST,          /* :: */
    TK_ARROW,         /* => (named argument) */
    TK_OTHER,         /* any other byte: always a syntax error */
} TokKind;

typedef enum LexError {
    LEX_OK = 0,
    LEX_UNTERM_STRING,
    LEX_UNTERM_IDENT,
    LEX_UNTERM_COMMENT,
    LEX_ZERO_IDENT,       /* "" */
    LEX_TRAILING_JUNK,    /* 123abc */
    LEX_PREFIXED_STRING,  /* X'..', B'..', E'..', N'..': not supported */
} LexError;

/* One token: a span of the text, decoded only when the parser needs its
 * value, so lexing allocates nothing. */
typedef struct Token {
    uint8_t kind;     /* TokKind */
    uint8_t error;    /* LexError when kind == TK_ERROR */
    uint16_t kw;      /* Keyword for TK_IDENT, KW_NONE when not one */
    int pos;          /* byte offset in the whole text */
    int len;          /* bytes, quotes included */
} Token;

/* Scan the token that starts at or after `pos` (blanks and comments are
 * skipped). Never reads outside sql[0, len). */
void sql_lex(const char *sql, int len, int pos, Token *t);
/* The keyword spelled by s[0, n) (any case), or KW_NONE. */
Keyword sql_keyword(const char *s, int n);
bool sql_keyword_reserved(Keyword kw);
bool sql_keywords_sorted(void);
/* Raise the error of a TK_ERROR token; returns EMBER_SYNTAX. */
int sql_lex_error(Err *err, const char *sql, int len, const Token *t);
/* How many bytes of s[0, n) to quote in a message: at most a limit, cut
 * on a UTF-8 character boundary. */
int sql_msg_len(const char *s, int n);

/* ------------------------------------------------------------------------
 * Parser state and helpers (parser.c)
 * ------------------------------------------------------------------------ */

/* Nesting bound: expression and query nesting, and chains of binary
 * operators, joins and set operations, each count one level. Every later
 * layer may therefore recurse on the AST without risking the stack. */
#define SQL_MAX_DEPTH 1000

/* Operator precedence levels, lowest first (PostgreSQL's order). */
enum {
    PREC_NONE = 0,
    PREC_OR,          /* OR */
    PREC_AND,         /* AND */
    PREC_NOT,         /* prefix NOT */
    PREC_IS,          /* IS ..., ISNULL, NOTNULL */
    PREC_CMP,         /* = <> < <= > >= */
    PREC_IN,          /* BETWEEN, IN, LIKE, ILIKE */
    PREC_OTHER,       /* || */
    PREC_ADD,         /* + - */
    PREC_MUL,         /* * / % */
    PREC_UNARY,       /* prefix + - */
    PREC_CAST,        /* :: */
};

/* The state of parsing one statement. Tokens of the whole statement are
 * lexed up front (up to its ';' or the end of text), so the parser may
 * look ahead freely; the last token is TK_SEMI or TK_EOF and the cursor
 * never moves past it. */
typedef struct Parser {
    Arena *arena;     /* every node, string and array */
    const char *sql;  /* the whole text */
    int len;
    Token *toks;
    int n_toks;
    int *match;       /* match[i]: index of the ')' closing the '(' at i,
                         -1 when unclosed or not a '(' */
    int cur;          /* index of the current token */
    int depth;        /* current nesting, <= SQL_MAX_DEPTH */
    Err *err;
    int rc;           /* EMBER_OK until the first error */
} Parser;

/* Token cursor. */
const Token *sql_tok(const Parser *p);
const Token *sql_tok_at(const Parser *p, int ahead);
void sql_advance(Parser *p);
int sql_prev_end(const Parser *p);
bool sql_is(const Parser *p, TokKind k);
bool sql_accept(Parser *p, TokKind k);
bool sql_expect(Parser *p, TokKind k);
bool sql_is_kw(const Parser *p, Keyword kw);
bool sql_is_kw_at(const Parser *p, int ahead, Keyword kw);
bool sql_accept_kw(Parser *p, Keyword kw);
bool sql_expect_kw(Parser *p, Keyword kw);
/* Is the token an unquoted word spelling `word` (lower case)? */
bool sql_is_word_at(const Parser *p, int ahead, const char *word);
bool sql_accept_word(Parser *p, const char *word);

/* Errors: each records the first error only and returns NULL / false. */
void *sql_syntax_error(Parser *p);
void *sql_error(Parser *p, int code, int pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool sql_failed(const Parser *p);
bool sql_enter(Parser *p);   /* one level deeper; false when too deep */
void sql_leave(Parser *p);

/* Memory. sql_alloc returns zeroed memory or NULL (error recorded). */
void *sql_alloc(Parser *p, size_t n);
/* Append `item` (elem bytes) to a growable array; false on failure. */
bool sql_push(Parser *p, void *arrp, int *n, int *cap, size_t elem,
              const void *item);

/* Names and literals. */
bool sql_is_name_tok(const Token *t);        /* may be a bare name */
const char *sql_tok_name(Parser *p, const Token *t);
const char *sql_name(Parser *p);             /* consume a name */
const char *sql_label(Parser *p);            /* a name or any keyword */
const char *sql_tok_string(Parser *p, const Token *t, int *len);
const char **sql_name_list(Parser *p, int *n); /* ( a, b, ... ) */
/* [AS] alias after a table name, or NULL (*failed tells an error). */
const char *sql_opt_alias(Parser *p, bool *failed);
bool sql_parse_type(Parser *p, Type *out);

/* ------------------------------------------------------------------------
 * Expressions (parse_expr.c) and queries (parse_select.c)
 * ------------------------------------------------------------------------ */

AExpr *sql_new_expr(Parser *p, AExprKind kind, int pos);
AExpr *sql_expr(Parser *p);                  /* a full expression */
AExpr *sql_expr_prec(Parser *p, int min_prec);
/* Comma-separated expressions up to (not including) the closing token. */
AExpr **sql_expr_list(Parser *p, int *n);
/* ( [name =>] value, ... ) of CALL and table functions. */
bool sql_call_args(Parser *p, AExpr ***args, const char ***names, int *n);

/* Does the '(' at `ahead` open a query rather than an expression or a
 * join? */
bool sql_paren_is_query(const Parser *p, int ahead);
/* A query expression: [WITH] body [ORDER BY] [LIMIT/OFFSET]. */
SelectStmt *sql_query(Parser *p);

#endif /* EMBER_SQL_INT_H */
