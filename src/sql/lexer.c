/*
 * lexer.c -- SQL text to tokens.
 *
 * The first step of the front end: sql_lex scans one token at a given byte
 * offset and describes it as a span of the text (kind, offset, length,
 * keyword). It allocates nothing and never reads outside [0, len): text
 * with NUL bytes or cut in the middle of a string is handled like any
 * other. Values (identifier case folding, string unescaping, numbers) are
 * decoded later by the parser, only for the tokens it keeps.
 *
 * Lexical rules (PostgreSQL's, with SQLite's quoting extensions):
 *   - blanks; `-- to end of line`; `/ * ... * /` comments, which nest;
 *   - words: a letter, '_' or any byte >= 0x80, then also digits and '$';
 *   - "ident" with "" for a quote, `ident` with ``, [ident] without escape;
 *   - 'string' with '' for a quote;
 *   - numbers 123, 1.5, .5, 5., 1e10, 1.5E-3; a letter right after a number
 *     is an error ("trailing junk"), as in PostgreSQL 15;
 *   - X'hex' is a byte-string literal (SQLite's blob, read as VARCHAR);
 *     B'..', E'..' and N'..' (other dialects' literals) are errors, so
 *     that e'01' never reads as the column e with the alias '01';
 *   - parameters ? and $n;
 *   - operators + - * / % || = == <> != < <= > >= :: => ( ) , . ;
 * A lexical error becomes a TK_ERROR token: the parser reports it only if
 * it gets that far, so the first error in the text is the one reported.
 */
#include "sql/sql_int.h"

/* ------------------------------------------------------------------------
 * Keyword table
 * ------------------------------------------------------------------------ */

typedef struct KeywordEntry {
    const char *name;     /* upper case */
    bool reserved;
} KeywordEntry;

static const KeywordEntry keywords[] = {
#define SQL_KW_ENTRY(name, reserved) {#name, reserved},
    SQL_KEYWORDS(SQL_KW_ENTRY)
#undef SQL_KW_ENTRY
};

/* The longest keyword, so longer words skip the search. */
#define KEYWORD_MAX_LEN 10

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Compare s[0, n) in any case with an upper-case NUL-terminated name. */
static int compare_word(const char *s, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        int a = upper((unsigned char)s[i]);
        int b = (unsigned char)name[i];
        if (b == 0 || a != b)
            return a - b;
    }
    return name[n] == 0 ? 0 : -1;
}

Keyword sql_keyword(const char *s, int n)
{
    if (n <= 0 || n > KEYWORD_MAX_LEN)
        return KW_NONE;
    int lo = 0;
    int hi = (int)ARRAY_LEN(keywords) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = compare_word(s, n, keywords[mid].name);
        if (c == 0)
            return (Keyword)(mid + 1);
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return KW_NONE;
}

bool sql_keyword_reserved(Keyword kw)
{
    return kw > KW_NONE && kw < KW__COUNT && keywords[kw - 1].reserved;
}

bool sql_keywords_sorted(void)
{
    for (size_t i = 0; i < ARRAY_LEN(keywords); i++) {
        if (strlen(keywords[i].name) > KEYWORD_MAX_LEN)
            return false;
        if (i > 0 && strcmp(keywords[i - 1].name, keywords[i].name) >= 0)
            return false;
    }
    return true;
}

bool sql_is_reserved(const char *word, int len)
{
    return sql_keyword_reserved(sql_keyword(word, len));
}

/* ------------------------------------------------------------------------
 * Character classes (ASCII only: no locale)
 * ------------------------------------------------------------------------ */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_word_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

static bool is_word_char(int c)
{
    return is_word_start(c) || is_digit(c) || c == '$';
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Byte at i, or -1 past the end: every look-ahead goes through this. */
static int at(const char *s, int len, int i)
{
    return i < len ? (unsigned char)s[i] : -1;
}

/* ------------------------------------------------------------------------
 * Scanners: each returns the offset just past what it scanned, or -1 when
 * the text ends first.
 * ------------------------------------------------------------------------ */

/* A block comment starting at "/ *" at pos; comments nest. */
static int scan_block_comment(const char *s, int len, int pos)
{
    int depth = 0;
    int i = pos;
    while (i < len) {
        if (s[i] == '/' && at(s, len, i + 1) == '*') {
            depth++;
            i += 2;
        } else if (s[i] == '*' && at(s, len, i + 1) == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return -1;
}

/* A quoted span opened at pos by `open`, closed by `close`; a doubled
 * closing character is an escaped one unless open != close. */
static int scan_quoted(const char *s, int len, int pos, char open,
                       char close)
{
    int i = pos + 1;
    while (i < len) {
        if (s[i] == close) {
            if (open == close && at(s, len, i + 1) == close) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return -1;
}

/* Digits, fraction and exponent of a number at pos. Sets *is_int when it
 * has neither a '.' nor an exponent. */
static int scan_number(const char *s, int len, int pos, bool *is_int)
{
    int i = pos;
    *is_int = true;
    while (is_digit(at(s, len, i)))
        i++;
    if (at(s, len, i) == '.') {
        *is_int = false;
        i++;
        while (is_digit(at(s, len, i)))
            i++;
    }
    int c = at(s, len, i);
    if (c == 'e' || c == 'E') {
        int j = i + 1;
        if (at(s, len, j) == '+' || at(s, len, j) == '-')
            j++;
        if (is_digit(at(s, len, j))) {
            *is_int = false;
            i = j;
            while (is_digit(at(s, len, i)))
                i++;
        }
    }
    return i;
}

/* Skip blanks and comments. Returns the offset of the next token, or -1
 * and *comment_start when a block comment is not closed. */
static int skip_blanks(const char *s, int len, int pos, int *comment_start)
{
    int i = pos;
    for (;;) {
        while (i < len && is_blank((unsigned char)s[i]))
            i++;
        if (at(s, len, i) == '-' && at(s, len, i + 1) == '-') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (at(s, len, i) == '/' && at(s, len, i + 1) == '*') {
            int end = scan_block_comment(s, len, i);
            if (end < 0) {
                *comment_start = i;
                return -1;
            }
            i = end;
        } else {
            return i;
        }
    }
}

/* ------------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------------ */

static void set_tok(Token *t, TokKind kind, int pos, int end)
{
    t->kind = (uint8_t)kind;
    t->error = LEX_OK;
    t->kw = KW_NONE;
    t->pos = pos;
    t->len = end - pos;
}

static void set_error(Token *t, LexError e, int pos, int end)
{
    set_tok(t, TK_ERROR, pos, end);
    t->error = (uint8_t)e;
}

static void lex_number(const char *s, int len, int pos, Token *t)
{
    bool is_int;
    int end = scan_number(s, len, pos, &is_int);
    if (is_word_start(at(s, len, end))) {
        int junk = end;
        while (is_word_char(at(s, len, junk)))
            junk++;
        set_error(t, LEX_TRAILING_JUNK, pos, junk);
        return;
    }
    set_tok(t, is_int ? TK_INT : TK_NUMBER, pos, end);
}

static void lex_quoted(const char *s, int len, int pos, char close,
                       Token *t)
{
    char open = s[pos];
    int end = scan_quoted(s, len, pos, open, close);
    bool is_string = open == '\'';
    if (end < 0) {
        set_error(t, is_string ? LEX_UNTERM_STRING : LEX_UNTERM_IDENT, pos,
                  len);
        return;
    }
    if (!is_string && end - pos == 2) {
        set_error(t, LEX_ZERO_IDENT, pos, end);
        return;
    }
    set_tok(t, is_string ? TK_STRING : TK_QIDENT, pos, end);
}

/* One letter glued to a quote, X'01' or E'\n': literals of other
 * dialects. They are an error rather than a column and an alias. */
static bool is_string_prefix(const char *s, int len, int pos)
{
    int c = s[pos] | 0x20;
    return (c == 'x' || c == 'b' || c == 'e' || c == 'n') &&
           at(s, len, pos + 1) == '\'';
}

static void lex_word(const char *s, int len, int pos, Token *t)
{
    if (is_string_prefix(s, len, pos)) {
        lex_quoted(s, len, pos + 1, '\'', t);
        if (t->kind == TK_STRING && (s[pos] | 0x20) == 'x')
            set_tok(t, TK_BLOB, pos, t->pos + t->len);
        else if (t->kind == TK_STRING)
            set_error(t, LEX_PREFIXED_STRING, pos, t->pos + t->len);
        return;
    }
    int i = pos + 1;
    while (is_word_char(at(s, len, i)))
        i++;
    set_tok(t, TK_IDENT, pos, i);
    t->kw = (uint16_t)sql_keyword(s + pos, i - pos);
}

/* Operators of one or two bytes. */
static void lex_operator(const char *s, int len, int pos, Token *t)
{
    int c = (unsigned char)s[pos];
    int d = at(s, len, pos + 1);
    TokKind k = TK_OTHER;
    int n = 1;
    switch (c) {
    case '(': k = TK_LPAREN; break;
    case ')': k = TK_RPAREN; break;
    case ',': k = TK_COMMA; break;
    case '.': k = TK_DOT; break;
    case ';': k = TK_SEMI; break;
    case '+': k = TK_PLUS; break;
    case '-': k = TK_MINUS; break;
    case '*': k = TK_STAR; break;
    case '/': k = TK_SLASH; break;
    case '%': k = TK_PERCENT; break;
    case '?': k = TK_PARAM; break;
    case '|':
        if (d == '|') {
            k = TK_CONCAT;
            n = 2;
        }
        break;
    case '=':
        k = d == '>' ? TK_ARROW : TK_EQ;
        n = d == '=' || d == '>' ? 2 : 1;
        break;
    case '<':
        k = d == '>' ? TK_NE : d == '=' ? TK_LE : TK_LT;
        n = d == '>' || d == '=' ? 2 : 1;
        break;
    case '>':
        k = d == '=' ? TK_GE : TK_GT;
        n = d == '=' ? 2 : 1;
        break;
    case '!':
        if (d == '=') {
            k = TK_NE;
            n = 2;
        }
        break;
    case ':':
        if (d == ':') {
            k = TK_CAST;
            n = 2;
        }
        break;
    default:
        break;
    }
    set_tok(t, k, pos, pos + n);
}

void sql_lex(const char *sql, int len, int pos, Token *t)
{
    int comment = 0;
    int i = skip_blanks(sql, len, pos, &comment);
    if (i < 0) {
        set_error(t, LEX_UNTERM_COMMENT, comment, len);
        return;
    }
    if (i >= len) {
        set_tok(t, TK_EOF, len, len);
        return;
    }
    int c = (unsigned char)sql[i];
    int d = at(sql, len, i + 1);
    if (is_word_start(c))
        lex_word(sql, len, i, t);
    else if (is_digit(c) || (c == '.' && is_digit(d)))
        lex_number(sql, len, i, t);
    else if (c == '\'')
        lex_quoted(sql, len, i, '\'', t);
    else if (c == '"')
        lex_quoted(sql, len, i, '"', t);
    else if (c == '`')
        lex_quoted(sql, len, i, '`', t);
    else if (c == '[')
        lex_quoted(sql, len, i, ']', t);
    else if (c == '$' && is_digit(d)) {
        int end = i + 1;
        while (is_digit(at(sql, len, end)))
            end++;
        set_tok(t, TK_PARAM, i, end);
    } else
        lex_operator(sql, len, i, t);
}

/* ------------------------------------------------------------------------
 * Error messages
 * ------------------------------------------------------------------------ */

/* TUNING: long enough for any real token, short enough that a message
 * quoting a 1 MB unterminated string stays readable. */
#define MSG_TOKEN_MAX 200

int sql_msg_len(const char *s, int n)
{
    if (n <= MSG_TOKEN_MAX)
        return n;
    int k = MSG_TOKEN_MAX;
    /* Do not cut a UTF-8 sequence: back off continuation bytes. */
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

int sql_lex_error(Err *err, const char *sql, int len, const Token *t)
{
    static const char *const what[] = {
        [LEX_OK] = "syntax error",
        [LEX_UNTERM_STRING] = "unterminated quoted string",
        [LEX_UNTERM_IDENT] = "unterminated quoted identifier",
        [LEX_UNTERM_COMMENT] = "unterminated /* comment",
        [LEX_ZERO_IDENT] = "zero-length delimited identifier",
        [LEX_TRAILING_JUNK] = "trailing junk after numeric literal",
        [LEX_PREFIXED_STRING] = "syntax error",
    };
    int e = t->error < ARRAY_LEN(what) ? t->error : LEX_OK;
    int n = MIN(t->len, len - t->pos);
    const char *text = sql + t->pos;
    return err_set(err, EMBER_SYNTAX, t->pos, "%s at or near \"%.*s\"",
                   what[e], sql_msg_len(text, n), text);
}
