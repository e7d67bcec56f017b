/*
 * func_resolve.c -- typing of operators and function calls: pick the
 * FuncId, the result type and the casts the arguments need (the rules are
 * in func.h's header comment).
 *
 * Plain functions with fixed parameter kinds are described by one line of
 * the signature table below; operators and functions whose result type
 * depends on their arguments (arithmetic, comparisons, abs, round, ...)
 * have a resolver each. An untyped NULL argument adopts whatever type the
 * matched signature wants there.
 *
 * Implicit casts follow PostgreSQL: integers widen to BIGINT, DECIMAL and
 * DOUBLE; VARCHAR converts to another type only when compared with it;
 * nothing converts to VARCHAR implicitly except for || and concat().
 */
#include <stdio.h>
#include <string.h>

#include "exec/func_int.h"

/* One call being resolved. */
typedef struct Call {
    const char *name;
    const Type *args;
    int n;
    FuncId id;
    Type ret;
    Type *cast;               /* cast_to[], starts as a copy of args */
    Err *err;
    int pos;
} Call;

static Type t_(TypeId id)
{
    return type_make(id);
}

static bool is_int(Type t)
{
    return t.id == TYPE_INT32 || t.id == TYPE_INT64;
}

static bool is_null(Type t)
{
    return t.id == TYPE_NULL;
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static int no_function(Call *c)
{
    char list[256];
    size_t len = 0;
    list[0] = 0;
    for (int i = 0; i < c->n && len < sizeof(list); i++) {
        char buf[32];
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                i ? ", " : "",
                                type_name(c->args[i], buf, sizeof(buf)));
    }
    return err_set(c->err, EMBER_NOTFOUND, c->pos,
                   "function %s(%s) does not exist", c->name, list);
}

static int no_operator(Call *c)
{
    char b1[32], b2[32];
    if (c->n == 1)
        return err_set(c->err, EMBER_TYPE, c->pos,
                       "operator does not exist: %s %s",
                       strcmp(c->name, "neg") == 0 ? "-" : c->name,
                       type_name(c->args[0], b1, sizeof(b1)));
    return err_set(c->err, EMBER_TYPE, c->pos,
                   "operator does not exist: %s %s %s",
                   type_name(c->args[0], b1, sizeof(b1)), c->name,
                   type_name(c->args[1], b2, sizeof(b2)));
}

/* ------------------------------------------------------------------------
 * Numeric promotion
 * ------------------------------------------------------------------------ */

/* An exact numeric as DECIMAL: integers are DECIMAL(10,0) / (18,0). */
static Type as_decimal(Type t)
{
    if (t.id == TYPE_INT32)
        return type_decimal(10, 0);
    if (t.id == TYPE_INT64)
        return type_decimal(DECIMAL_MAX_PREC, 0);
    return t;
}

/* The cast of exact numeric t to scale s, keeping its integer digits. */
static Type decimal_at_scale(Type t, int s)
{
    Type d = as_decimal(t);
    if (t.id == TYPE_DECIMAL && d.scale == s)
        return t;                              /* no cast needed */
    int prec = d.prec - d.scale + s;
    return type_decimal(MIN(prec, DECIMAL_MAX_PREC), s);
}

/* PhysType-indexed FuncId of a per-physical-type family. */
static FuncId by_phys(Type t, FuncId u8, FuncId i32, FuncId i64, FuncId f64,
                      FuncId str)
{
    switch (type_phys(t)) {
    case PHYS_U8:
        return u8;
    case PHYS_I32:
        return i32;
    case PHYS_I64:
        return i64;
    case PHYS_F64:
        return f64;
    case PHYS_STR:
        return str;
    }
    return F_NONE;
}

/* Integer / double ids of an arithmetic family (I32, I64, F64 in a row). */
static FuncId arith_id(FuncId i32_id, Type t)
{
    if (t.id == TYPE_DOUBLE)
        return (FuncId)(i32_id + 2);
    if (t.id == TYPE_INT32)
        return i32_id;
    return (FuncId)(i32_id + 1);               /* INT64, DECIMAL */
}

/* The common type of a and b; for_cmp makes NULL/NULL a VARCHAR (as for
 * comparing two untyped literals). False when there is none. */
static bool common_type(Type a, Type b, bool for_cmp, Type *out)
{
    if (is_null(a) && is_null(b)) {
        *out = for_cmp ? type_varchar(-1) : a;
        return true;
    }
    if (is_null(a) || (a.id == TYPE_VARCHAR && b.id != TYPE_VARCHAR &&
                       b.id != TYPE_NULL && b.id != TYPE_INTERVAL)) {
        *out = b;                       /* NULL or text adopts the other */
        return true;
    }
    if (is_null(b) || (b.id == TYPE_VARCHAR && a.id != TYPE_VARCHAR &&
                       a.id != TYPE_INTERVAL)) {
        *out = a;
        return true;
    }
    if (a.id == b.id && a.id != TYPE_DECIMAL) {
        *out = a.id == TYPE_VARCHAR && a.len != b.len ? type_varchar(-1) : a;
        return true;
    }
    if (!type_is_numeric(a) || !type_is_numeric(b))
        return false;
    if (a.id == TYPE_DOUBLE || b.id == TYPE_DOUBLE) {
        *out = t_(TYPE_DOUBLE);
    } else if (is_int(a) && is_int(b)) {
        *out = t_(a.id == TYPE_INT64 || b.id == TYPE_INT64 ? TYPE_INT64
                                                           : TYPE_INT32);
    } else {
        Type da = as_decimal(a);
        Type db = as_decimal(b);
        int s = MAX(da.scale, db.scale);
        int ip = MAX(da.prec - da.scale, db.prec - db.scale);
        *out = ip + s > DECIMAL_MAX_PREC ? t_(TYPE_DOUBLE)
                                         : type_decimal(ip + s, s);
    }
    return true;
}

/* The cast of `arg` to `target`, or arg itself when the physical values
 * need no conversion (same type, VARCHAR(n), DECIMAL of the same scale and
 * no more digits). */
static Type cast_for(Type arg, Type target)
{
    if (arg.id == TYPE_VARCHAR && target.id == TYPE_VARCHAR)
        return arg;
    if (arg.id == TYPE_DECIMAL && target.id == TYPE_DECIMAL &&
        arg.scale == target.scale && arg.prec <= target.prec)
        return arg;
    return type_equal(arg, target) ? arg : target;
}

int func_common_type(Type a, Type b, Type *out, Err *err, int pos)
{
    if (common_type(a, b, false, out))
        return EMBER_OK;
    char b1[32], b2[32];
    return err_set(err, EMBER_TYPE, pos, "types %s and %s cannot be matched",
                   type_name(a, b1, sizeof(b1)), type_name(b, b2, sizeof(b2)));
}

/* ------------------------------------------------------------------------
 * Operators
 * ------------------------------------------------------------------------ */

/* Date arithmetic: date +- int, int + date, date - date, date +-
 * interval, interval + date. a and b have had NULLs typed. */
static int resolve_date_arith(Call *c, char op, Type a, Type b)
{
    bool ad = a.id == TYPE_DATE;
    bool bd = b.id == TYPE_DATE;
    c->ret = t_(TYPE_DATE);
    if (op == '+' && ((ad && is_int(b)) || (bd && is_int(a)))) {
        c->id = F_DATE_ADD_DAYS;
        c->cast[ad ? 1 : 0] = t_(TYPE_INT32);
        c->cast[ad ? 0 : 1] = t_(TYPE_DATE);
        return EMBER_OK;
    }
    if (op == '-' && ad && is_int(b)) {
        c->id = F_DATE_SUB_DAYS;
        c->cast[0] = t_(TYPE_DATE);
        c->cast[1] = t_(TYPE_INT32);
        return EMBER_OK;
    }
    if (op == '-' && ad && bd) {
        c->id = F_DATE_DIFF;
        c->ret = t_(TYPE_INT32);
        c->cast[0] = c->cast[1] = t_(TYPE_DATE);
        return EMBER_OK;
    }
    bool ai = a.id == TYPE_INTERVAL;
    bool bi = b.id == TYPE_INTERVAL;
    if ((op == '+' && ((ad && bi) || (ai && bd))) ||
        (op == '-' && ad && bi)) {
        c->id = op == '+' ? F_DATE_ADD_INTERVAL : F_DATE_SUB_INTERVAL;
        c->cast[ad ? 0 : 1] = t_(TYPE_DATE);
        c->cast[ad ? 1 : 0] = t_(TYPE_INTERVAL);
        return EMBER_OK;
    }
    return no_operator(c);
}

/* An untyped NULL operand of arithmetic takes the type the other operand
 * suggests: INTEGER next to a DATE (days), DATE next to an INTERVAL. */
static Type arith_null_type(Type other)
{
    if (other.id == TYPE_NULL || other.id == TYPE_DATE)
        return t_(TYPE_INT32);
    if (other.id == TYPE_INTERVAL)
        return t_(TYPE_DATE);
    return other;
}

/* DECIMAL (with integers) + - %: both at the larger scale. */
static void decimal_common_scale(Call *c, Type a, Type b, FuncId i32_id)
{
    int s = MAX(as_decimal(a).scale, as_decimal(b).scale);
    c->cast[0] = decimal_at_scale(a, s);
    c->cast[1] = decimal_at_scale(b, s);
    c->id = (FuncId)(i32_id + 1);
    c->ret = type_decimal(DECIMAL_MAX_PREC, s);
}

static int resolve_arith(Call *c, char op)
{
    static const char ops[] = "+-*/%";
    static const FuncId base[] = {F_ADD_I32, F_SUB_I32, F_MUL_I32, F_DIV_I32,
                                  F_MOD_I32};
    FuncId i32_id = base[strchr(ops, op) - ops];
    Type a = is_null(c->args[0]) ? arith_null_type(c->args[1]) : c->args[0];
    Type b = is_null(c->args[1]) ? arith_null_type(c->args[0]) : c->args[1];
    c->cast[0] = a;
    c->cast[1] = b;
    if (!type_is_numeric(a) || !type_is_numeric(b))
        return resolve_date_arith(c, op, a, b);
    bool dbl = a.id == TYPE_DOUBLE || b.id == TYPE_DOUBLE;
    bool dec = a.id == TYPE_DECIMAL || b.id == TYPE_DECIMAL;
    if (dec && !dbl && op == '*') {
        Type da = as_decimal(a);
        Type db = as_decimal(b);
        if (da.scale + db.scale <= DECIMAL_MAX_PREC) {
            c->cast[0] = is_int(a) ? da : a;
            c->cast[1] = is_int(b) ? db : b;
            c->id = F_MUL_I64;
            c->ret = type_decimal(DECIMAL_MAX_PREC, da.scale + db.scale);
            return EMBER_OK;
        }
        dbl = true;                     /* scale too large: DOUBLE */
    }
    if (dec && !dbl && op != '/') {
        decimal_common_scale(c, a, b, i32_id);
        return EMBER_OK;
    }
    if (dbl || dec) {                   /* DECIMAL division is DOUBLE */
        c->cast[0] = c->cast[1] = c->ret = t_(TYPE_DOUBLE);
        c->id = arith_id(i32_id, c->ret);
        return EMBER_OK;
    }
    c->ret = t_(a.id == TYPE_INT64 || b.id == TYPE_INT64 ? TYPE_INT64
                                                         : TYPE_INT32);
    c->cast[0] = c->cast[1] = c->ret;
    c->id = arith_id(i32_id, c->ret);
    return EMBER_OK;
}

static int resolve_neg(Call *c)
{
    Type a = is_null(c->args[0]) ? t_(TYPE_INT32) : c->args[0];
    if (!type_is_numeric(a))
        return no_operator(c);
    c->cast[0] = c->ret = a;
    c->id = arith_id(F_NEG_I32, a);
    return EMBER_OK;
}

/* Comparisons, IS [NOT] DISTINCT FROM and NULLIF: both operands become
 * their common type; `first` is the U8 id of the family. */
static int resolve_compare(Call *c, FuncId first, bool is_op)
{
    Type common;
    if (!common_type(c->args[0], c->args[1], true, &common))
        return is_op ? no_operator(c) : no_function(c);
    c->cast[0] = cast_for(c->args[0], common);
    c->cast[1] = cast_for(c->args[1], common);
    c->id = by_phys(common, first, (FuncId)(first + 1), (FuncId)(first + 2),
                    (FuncId)(first + 3), (FuncId)(first + 4));
    c->ret = is_op ? t_(TYPE_BOOL) : common;
    return EMBER_OK;
}

/* a || b: one side must be text (or NULL); the other is cast to text. */
static int resolve_concat_op(Call *c)
{
    Type a = c->args[0];
    Type b = c->args[1];
    bool a_text = a.id == TYPE_VARCHAR || is_null(a);
    bool b_text = b.id == TYPE_VARCHAR || is_null(b);
    if (!a_text && !b_text)
        return no_operator(c);
    for (int i = 0; i < 2; i++)
        if (c->args[i].id != TYPE_VARCHAR)
            c->cast[i] = type_varchar(-1);
    c->id = F_CONCAT;
    c->ret = type_varchar(-1);
    return EMBER_OK;
}

typedef struct OpDef {
    const char *name;
    char arith;               /* + - * / % or 0 */
    FuncId cmp;               /* U8 id of a comparison family or F_NONE */
} OpDef;

static const OpDef op_defs[] = {
    {"+", '+', F_NONE},
    {"-", '-', F_NONE},
    {"*", '*', F_NONE},
    {"/", '/', F_NONE},
    {"%", '%', F_NONE},
    {"=", 0, F_EQ_U8},
    {"<>", 0, F_NE_U8},
    {"!=", 0, F_NE_U8},
    {"<", 0, F_LT_U8},
    {"<=", 0, F_LE_U8},
    {">", 0, F_GT_U8},
    {">=", 0, F_GE_U8},
    {"is distinct from", 0, F_DISTINCT_U8},
    {"is not distinct from", 0, F_NOT_DISTINCT_U8},
};

/* Operators; returns -1 when `name` is not one. */
static int resolve_operator(Call *c)
{
    if (strcmp(c->name, "neg") == 0)
        return c->n == 1 ? resolve_neg(c) : no_operator(c);
    if (strcmp(c->name, "||") == 0)
        return c->n == 2 ? resolve_concat_op(c) : no_operator(c);
    for (size_t i = 0; i < ARRAY_LEN(op_defs); i++) {
        const OpDef *op = &op_defs[i];
        if (strcmp(c->name, op->name) != 0)
            continue;
        if (c->n != 2)
            return no_operator(c);
        if (op->arith)
            return resolve_arith(c, op->arith);
        return resolve_compare(c, op->cmp, true);
    }
    return -1;
}

/* ------------------------------------------------------------------------
 * Functions with fixed parameter kinds
 *
 * Signature letters: S text, I integer (passed as BIGINT), F number
 * (passed as DOUBLE), D date.
 * ------------------------------------------------------------------------ */

typedef struct FuncSig {
    const char *name;
    const char *params;
    FuncId id;
    TypeId ret;
} FuncSig;

static const FuncSig func_sigs[] = {
    {"length", "S", F_LENGTH, TYPE_INT64},
    {"char_length", "S", F_LENGTH, TYPE_INT64},
    {"character_length", "S", F_LENGTH, TYPE_INT64},
    {"octet_length", "S", F_OCTET_LENGTH, TYPE_INT64},
    {"upper", "S", F_UPPER, TYPE_VARCHAR},
    {"lower", "S", F_LOWER, TYPE_VARCHAR},
    {"substring", "SI", F_SUBSTRING2, TYPE_VARCHAR},
    {"substring", "SII", F_SUBSTRING3, TYPE_VARCHAR},
    {"substr", "SI", F_SUBSTRING2, TYPE_VARCHAR},
    {"substr", "SII", F_SUBSTRING3, TYPE_VARCHAR},
    {"trim", "S", F_TRIM1, TYPE_VARCHAR},
    {"ltrim", "S", F_LTRIM1, TYPE_VARCHAR},
    {"rtrim", "S", F_RTRIM1, TYPE_VARCHAR},
    {"trim", "SS", F_TRIM2, TYPE_VARCHAR},
    {"ltrim", "SS", F_LTRIM2, TYPE_VARCHAR},
    {"rtrim", "SS", F_RTRIM2, TYPE_VARCHAR},
    {"like", "SS", F_LIKE, TYPE_BOOL},
    {"like", "SSS", F_LIKE_ESCAPE, TYPE_BOOL},
    {"like_escape", "SSS", F_LIKE_ESCAPE, TYPE_BOOL},
    {"ilike", "SS", F_ILIKE, TYPE_BOOL},
    {"ilike", "SSS", F_ILIKE, TYPE_BOOL},
    {"replace", "SSS", F_REPLACE, TYPE_VARCHAR},
    {"position", "SS", F_POSITION, TYPE_INT64},
    {"strpos", "SS", F_STRPOS, TYPE_INT64},
    {"left", "SI", F_LEFT, TYPE_VARCHAR},
    {"right", "SI", F_RIGHT, TYPE_VARCHAR},
    {"reverse", "S", F_REVERSE, TYPE_VARCHAR},
    {"lpad", "SI", F_LPAD, TYPE_VARCHAR},
    {"lpad", "SIS", F_LPAD, TYPE_VARCHAR},
    {"rpad", "SI", F_RPAD, TYPE_VARCHAR},
    {"rpad", "SIS", F_RPAD, TYPE_VARCHAR},
    {"repeat", "SI", F_REPEAT, TYPE_VARCHAR},
    {"starts_with", "SS", F_STARTS_WITH, TYPE_BOOL},
    {"contains", "SS", F_CONTAINS, TYPE_BOOL},
    {"sign", "F", F_SIGN_F64, TYPE_DOUBLE},
    {"sqrt", "F", F_SQRT, TYPE_DOUBLE},
    {"power", "FF", F_POWER, TYPE_DOUBLE},
    {"pow", "FF", F_POWER, TYPE_DOUBLE},
    {"exp", "F", F_EXP, TYPE_DOUBLE},
    {"ln", "F", F_LN, TYPE_DOUBLE},
    {"log10", "F", F_LOG10, TYPE_DOUBLE},
    {"log", "F", F_LOG10, TYPE_DOUBLE},
    {"extract_year", "D", F_EXTRACT_YEAR, TYPE_INT64},
    {"extract_month", "D", F_EXTRACT_MONTH, TYPE_INT64},
    {"extract_day", "D", F_EXTRACT_DAY, TYPE_INT64},
    {"extract_quarter", "D", F_EXTRACT_QUARTER, TYPE_INT64},
    {"extract_dow", "D", F_EXTRACT_DOW, TYPE_INT64},
    {"extract_doy", "D", F_EXTRACT_DOY, TYPE_INT64},
    {"extract_week", "D", F_EXTRACT_WEEK, TYPE_INT64},
    {"extract_epoch", "D", F_EXTRACT_EPOCH, TYPE_INT64},
};

/* The cast argument t needs for parameter kind k; false if none fits. */
static bool param_cast(char k, Type t, Type *cast)
{
    switch (k) {
    case 'S':
        *cast = t.id == TYPE_VARCHAR ? t : type_varchar(-1);
        return t.id == TYPE_VARCHAR || is_null(t);
    case 'I':
        *cast = t_(TYPE_INT64);
        return is_int(t) || is_null(t);
    case 'F':
        *cast = t_(TYPE_DOUBLE);
        return type_is_numeric(t) || is_null(t);
    case 'D':
        *cast = t_(TYPE_DATE);
        return t.id == TYPE_DATE || is_null(t);
    }
    return false;
}

/* Signatures; returns -1 when no signature has this name. */
static int resolve_sig(Call *c)
{
    bool known = false;
    for (size_t i = 0; i < ARRAY_LEN(func_sigs); i++) {
        const FuncSig *sg = &func_sigs[i];
        if (strcmp(c->name, sg->name) != 0)
            continue;
        known = true;
        if ((int)strlen(sg->params) != c->n)
            continue;
        bool ok = true;
        for (int j = 0; j < c->n && ok; j++)
            ok = param_cast(sg->params[j], c->args[j], &c->cast[j]);
        if (!ok)
            continue;
        c->id = sg->id;
        c->ret = sg->ret == TYPE_VARCHAR ? type_varchar(-1) : t_(sg->ret);
        return EMBER_OK;
    }
    return known ? no_function(c) : -1;
}

/* ------------------------------------------------------------------------
 * Functions typed by their arguments
 * ------------------------------------------------------------------------ */

static int resolve_abs(Call *c)
{
    if (c->n != 1)
        return no_function(c);
    Type a = is_null(c->args[0]) ? t_(TYPE_INT32) : c->args[0];
    if (!type_is_numeric(a))
        return no_function(c);
    c->cast[0] = c->ret = a;
    c->id = arith_id(F_ABS_I32, a);
    return EMBER_OK;
}

/* round(x), round(x, n), ceil(x), floor(x): DOUBLE in, DOUBLE out, except
 * that DECIMAL stays exact. Integers go to DOUBLE as in PostgreSQL, but to
 * DECIMAL for round(x, n), which PostgreSQL only has for numeric. */
static int resolve_rounding(Call *c, FuncId f64_id, FuncId dec_id)
{
    int max_args = dec_id == F_ROUND_DEC_N ? 2 : 1;
    if (c->n < 1 || c->n > max_args)
        return no_function(c);
    Type a = is_null(c->args[0]) ? t_(TYPE_DOUBLE) : c->args[0];
    bool digits = c->n == 2;
    if (!type_is_numeric(a))
        return no_function(c);
    if (digits) {
        if (!is_int(c->args[1]) && !is_null(c->args[1]))
            return no_function(c);
        c->cast[1] = t_(TYPE_INT32);
    }
    if (a.id == TYPE_DOUBLE || (is_int(a) && !digits)) {
        c->cast[0] = c->ret = t_(TYPE_DOUBLE);
        c->id = digits ? F_ROUND_F64_N : f64_id;
        return EMBER_OK;
    }
    /* DECIMAL (or integer with digits): the result scale of round(x, n)
     * is max(n, 0), which only the binder knows (n is constant); here it
     * is the argument's scale, and the binder narrows it. */
    Type d = as_decimal(a);
    c->cast[0] = is_int(a) ? d : a;
    c->id = dec_id;
    c->ret = type_decimal(DECIMAL_MAX_PREC, digits ? d.scale : 0);
    return EMBER_OK;
}

/* greatest / least: every argument becomes the common type. */
static int resolve_extreme(Call *c, FuncId id)
{
    if (c->n < 1)
        return no_function(c);
    Type common = c->args[0];
    for (int i = 1; i < c->n; i++)
        if (!common_type(common, c->args[i], false, &common))
            return no_function(c);
    for (int i = 0; i < c->n; i++)
        c->cast[i] = cast_for(c->args[i], common);
    c->id = id;
    c->ret = common;
    return EMBER_OK;
}

static int resolve_concat_fn(Call *c)
{
    if (c->n < 1)
        return no_function(c);
    for (int i = 0; i < c->n; i++) {
        if (!cast_exists(c->args[i], type_varchar(-1)))
            return no_function(c);
        if (c->args[i].id != TYPE_VARCHAR)
            c->cast[i] = type_varchar(-1);
    }
    c->id = F_CONCAT_WS_FN;
    c->ret = type_varchar(-1);
    return EMBER_OK;
}

static int resolve_special(Call *c)
{
    const char *nm = c->name;
    if (strcmp(nm, "abs") == 0)
        return resolve_abs(c);
    if (strcmp(nm, "round") == 0)
        return resolve_rounding(c, F_ROUND_F64, F_ROUND_DEC_N);
    if (strcmp(nm, "ceil") == 0 || strcmp(nm, "ceiling") == 0)
        return resolve_rounding(c, F_CEIL_F64, F_CEIL_DEC);
    if (strcmp(nm, "floor") == 0)
        return resolve_rounding(c, F_FLOOR_F64, F_FLOOR_DEC);
    if (strcmp(nm, "nullif") == 0)
        return c->n == 2 ? resolve_compare(c, F_NULLIF_U8, false)
                         : no_function(c);
    if (strcmp(nm, "greatest") == 0)
        return resolve_extreme(c, F_GREATEST);
    if (strcmp(nm, "least") == 0)
        return resolve_extreme(c, F_LEAST);
    if (strcmp(nm, "concat") == 0)
        return resolve_concat_fn(c);
    if (strcmp(nm, "hash") == 0) {
        if (c->n < 1)
            return no_function(c);
        c->id = F_HASH;
        c->ret = t_(TYPE_INT64);
        return EMBER_OK;
    }
    return -1;
}

int func_resolve(const char *name, const Type *arg_types, int n,
                 FuncId *id, Type *ret, Type *cast_to, Err *err, int pos)
{
    Call c = {name, arg_types, n, F_NONE, t_(TYPE_NULL), cast_to, err, pos};
    for (int i = 0; i < n; i++)
        cast_to[i] = arg_types[i];
    int rc = resolve_operator(&c);
    if (rc < 0)
        rc = resolve_special(&c);
    if (rc < 0)
        rc = resolve_sig(&c);
    if (rc < 0)
        rc = no_function(&c);
    if (rc != EMBER_OK)
        return rc;
    assert(c.id != F_NONE);
    *id = c.id;
    *ret = c.ret;
    return EMBER_OK;
}
