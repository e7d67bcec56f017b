/*
 * func.h -- built-in scalar functions, operators and casts: their typing
 * rules (used by the binder) and their vectorized kernels (used by the
 * expression evaluator).
 *
 * Typing follows PostgreSQL, except where SQLite's sqllogictest corpus
 * depends on SQLite: integer division truncates and any division or modulo
 * by zero gives NULL. Integer and decimal overflow is an error
 * ("integer out of range", "numeric value out of range"), never a wrap.
 *
 * Numeric promotion for binary arithmetic and comparison:
 *   INT32 op INT32 -> INT32; INT32/INT64 op INT64 -> INT64;
 *   integer op DECIMAL(p,s) -> DECIMAL (the integer as DECIMAL(10|18,0));
 *   anything op DOUBLE -> DOUBLE.
 *   DECIMAL + - : operands rescaled to max(s1,s2); result DECIMAL(18, s).
 *   DECIMAL *   : result scale s1+s2 (if > 18: both sides become DOUBLE).
 *   DECIMAL / DECIMAL and DECIMAL / integer -> DOUBLE;  integer / integer
 *   truncates (INT32 or INT64).   % on DECIMAL works at the common scale.
 *   Literals: integers are INT32 when they fit else INT64; "1.50" is
 *   DECIMAL(3,2); numbers with exponents are DOUBLE.
 * Comparison of VARCHAR with DATE casts the string to DATE; VARCHAR with a
 * number casts the string to that number type (an error if it does not
 * parse, as PostgreSQL does for an unknown-typed literal).
 *
 * Kernel contract: evaluate rows `sel[0..n)` (or 0..n-1 when sel is NULL)
 * of the argument vectors into `out`, at the same row positions. For
 * strict functions (FuncDef.strict) the caller has already set out's
 * validity to the AND of the arguments' validity and out->has_nulls; the
 * kernel may add NULLs (division by zero) with vector_set_null. Arguments
 * may be constant vectors (use row 0). A kernel returns EMBER_OK or an
 * error code after calling err_set(cx->err, code, cx->pos, ...). Kernels
 * allocate nothing except string results, which go into cx->heap (an arena
 * reset per source chunk), and out->str_stable is false for them.
 */
#ifndef EMBER_FUNC_H
#define EMBER_FUNC_H

#include "exec/vector.h"

typedef enum FuncId {
    F_NONE = 0,
    /* arithmetic, per physical type; DECIMAL uses the I64 kernels */
    F_ADD_I32, F_ADD_I64, F_ADD_F64,
    F_SUB_I32, F_SUB_I64, F_SUB_F64,
    F_MUL_I32, F_MUL_I64, F_MUL_F64,
    F_DIV_I32, F_DIV_I64, F_DIV_F64,   /* x/0 -> NULL */
    F_MOD_I32, F_MOD_I64, F_MOD_F64,   /* x%0 -> NULL */
    F_NEG_I32, F_NEG_I64, F_NEG_F64,
    /* DECIMAL * DECIMAL with result scale s1+s2 is F_MUL_I64.
     * DECIMAL division is done in DOUBLE after casts. */
    /* date arithmetic */
    F_DATE_ADD_DAYS,        /* date + int -> date */
    F_DATE_SUB_DAYS,        /* date - int -> date */
    F_DATE_DIFF,            /* date - date -> int32 days */
    F_DATE_ADD_INTERVAL,    /* date + interval -> date */
    F_DATE_SUB_INTERVAL,    /* date - interval -> date */
    /* comparisons produce BOOL; per physical type */
    F_EQ_U8, F_EQ_I32, F_EQ_I64, F_EQ_F64, F_EQ_STR,
    F_NE_U8, F_NE_I32, F_NE_I64, F_NE_F64, F_NE_STR,
    F_LT_U8, F_LT_I32, F_LT_I64, F_LT_F64, F_LT_STR,
    F_LE_U8, F_LE_I32, F_LE_I64, F_LE_F64, F_LE_STR,
    F_GT_U8, F_GT_I32, F_GT_I64, F_GT_F64, F_GT_STR,
    F_GE_U8, F_GE_I32, F_GE_I64, F_GE_F64, F_GE_STR,
    /* IS [NOT] DISTINCT FROM (non-strict), per physical type */
    F_DISTINCT_U8, F_DISTINCT_I32, F_DISTINCT_I64, F_DISTINCT_F64,
    F_DISTINCT_STR,
    F_NOT_DISTINCT_U8, F_NOT_DISTINCT_I32, F_NOT_DISTINCT_I64,
    F_NOT_DISTINCT_F64, F_NOT_DISTINCT_STR,
    /* strings */
    F_CONCAT,               /* a || b, both VARCHAR (strict: NULL if any) */
    F_CONCAT_WS_FN,         /* concat(a, b, ...): NULLs skipped, non-strict */
    F_LENGTH,               /* characters (UTF-8 aware) -> INT64 */
    F_OCTET_LENGTH,
    F_UPPER, F_LOWER,       /* ASCII case mapping */
    F_SUBSTRING2,           /* substring(s, from) 1-based, PostgreSQL rules */
    F_SUBSTRING3,           /* substring(s, from, count); count < 0 error */
    F_TRIM1, F_LTRIM1, F_RTRIM1,   /* spaces */
    F_TRIM2, F_LTRIM2, F_RTRIM2,   /* characters in arg 2 */
    F_LIKE,                 /* s LIKE pattern (% _ , escape '\' default) */
    F_LIKE_ESCAPE,          /* s LIKE pattern ESCAPE e */
    F_ILIKE,
    F_REPLACE,              /* replace(s, from, to) */
    F_POSITION,             /* position(sub, s) from POSITION(sub IN s)
                               -> INT64 */
    F_STRPOS,               /* strpos(s, sub): the same, arguments swapped
                               (func_resolve cannot reorder arguments) */
    F_LEFT, F_RIGHT,        /* left(s, n), right(s, n) */
    F_REVERSE,
    F_LPAD, F_RPAD,         /* lpad(s, n [, fill]) -> 2 or 3 args */
    F_REPEAT,
    F_STARTS_WITH, F_CONTAINS,
    /* numeric functions */
    F_ABS_I32, F_ABS_I64, F_ABS_F64,   /* DECIMAL: I64 */
    F_ROUND_F64,            /* round(double) half away from zero */
    F_ROUND_F64_N,          /* round(double, n) */
    F_ROUND_DEC_N,          /* round(decimal, n): result DECIMAL(p, max(n,0)),
                               n must be constant */
    F_CEIL_F64, F_FLOOR_F64,
    F_CEIL_DEC, F_FLOOR_DEC,           /* -> DECIMAL(p,0) */
    F_SIGN_F64,
    F_SQRT, F_POWER, F_EXP, F_LN, F_LOG10,
    /* date functions */
    F_EXTRACT_YEAR, F_EXTRACT_MONTH, F_EXTRACT_DAY, F_EXTRACT_QUARTER,
    F_EXTRACT_DOW, F_EXTRACT_DOY, F_EXTRACT_WEEK, F_EXTRACT_EPOCH,
    /* conditional (non-strict) */
    F_NULLIF_U8, F_NULLIF_I32, F_NULLIF_I64, F_NULLIF_F64, F_NULLIF_STR,
    F_GREATEST, F_LEAST,    /* all args already cast to one type; NULLs
                               ignored as in PostgreSQL */
    /* hashing, for tests and table functions */
    F_HASH,
    F__COUNT
} FuncId;

typedef struct FnCtx {
    Err *err;
    Arena *heap;              /* for string results; reset per chunk */
    int pos;                  /* SQL position of the call, for errors */
    Type out_type;            /* result type (e.g. DECIMAL scale) */
    const int64_t *iconst;    /* constant integer parameter (e.g. round
                                 digits), NULL if none */
} FnCtx;

typedef int (*ScalarKernel)(FnCtx *cx, Vector **args, int n_args,
                            const SelIdx *sel, uint32_t n, Vector *out);

typedef struct FuncDef {
    FuncId id;
    const char *name;         /* for EXPLAIN, e.g. "+", "substring" */
    ScalarKernel kernel;
    bool strict;              /* NULL in any argument -> NULL out */
} FuncDef;

/* The definition of a function id (never NULL for a valid id). */
const FuncDef *func_def(FuncId id);

/*
 * Resolve a call of `name` (lower case; operators are "+", "-", "*", "/",
 * "%", "||", "=", "<>", "<", "<=", ">", ">=", "is distinct from",
 * "is not distinct from", unary "neg") on arguments of types arg_types[n].
 * On success returns EMBER_OK, *id, *ret and cast_to[i]: the type each
 * argument must be cast to first (equal to arg_types[i] when no cast is
 * needed). TYPE_NULL arguments (an untyped NULL) take whatever type fits.
 * Errors: EMBER_NOTFOUND "function foo(INTEGER) does not exist",
 * EMBER_TYPE "operator does not exist: DATE + DATE", with err->pos = pos.
 * Aggregates and special forms (CASE, COALESCE, IN, EXTRACT, CAST) are not
 * resolved here, except that "extract_year" etc. are accepted names for
 * the F_EXTRACT_* functions.
 */
int func_resolve(const char *name, const Type *arg_types, int n,
                 FuncId *id, Type *ret, Type *cast_to, Err *err, int pos);

/* The common supertype of two types for comparisons, CASE, COALESCE, IN,
 * UNION, or EMBER_TYPE with an error "... types X and Y cannot be
 * matched" when there is none. */
int func_common_type(Type a, Type b, Type *out, Err *err, int pos);

/* Is there a cast from -> to at all (explicit CAST)? */
bool cast_exists(Type from, Type to);

/* Cast kernel: rows sel[0..n) of `in` into `out` (type out->type).
 * Validity is copied from `in` by the kernel itself. Errors: invalid text
 * ("invalid input syntax for type integer: \"abc\""), overflow ("integer
 * out of range", "numeric field overflow"). */
int cast_vector(FnCtx *cx, const Vector *in, const SelIdx *sel, uint32_t n,
                Vector *out);

/* Cast one boxed value (constant folding, parameters, COPY defaults). */
int cast_value(const Value *in, Type to, Value *out, Arena *heap, Err *err,
               int pos);

#endif /* EMBER_FUNC_H */
