/*
 * func.c -- the registry of built-in scalar functions: one FuncDef per
 * FuncId, giving its name (for EXPLAIN), its kernel and whether it is
 * strict (NULL in, NULL out; the evaluator then sets the output validity
 * before calling the kernel).
 *
 * The table is indexed by FuncId and read-only; func_def checks in debug
 * builds that every id has an entry at its own index.
 *
 * Where the kernels live: func_arith.c (+ - * / % neg), func_date.c (date
 * arithmetic, extract), func_cmp.c (comparisons, distinct, nullif,
 * greatest, least), func_string.c, like.c, func_math.c (abs, round, ...,
 * hash). Typing rules are in func_resolve.c, casts in cast.c.
 */
#include "exec/func_int.h"

#define DEF(id, name, kernel) [id] = {id, name, kernel, true}
#define DEF_NS(id, name, kernel) [id] = {id, name, kernel, false}

#define DEF_CMP(ID, name, k)                                               \
    DEF(F_##ID##_U8, name, func_##k##_u8),                                 \
    DEF(F_##ID##_I32, name, func_##k##_i32),                               \
    DEF(F_##ID##_I64, name, func_##k##_i64),                               \
    DEF(F_##ID##_F64, name, func_##k##_f64),                               \
    DEF(F_##ID##_STR, name, func_##k##_str)
#define DEF_CMP_NS(ID, name, k)                                            \
    DEF_NS(F_##ID##_U8, name, func_##k##_u8),                              \
    DEF_NS(F_##ID##_I32, name, func_##k##_i32),                            \
    DEF_NS(F_##ID##_I64, name, func_##k##_i64),                            \
    DEF_NS(F_##ID##_F64, name, func_##k##_f64),                            \
    DEF_NS(F_##ID##_STR, name, func_##k##_str)

static const FuncDef func_defs[F__COUNT] = {
    [F_NONE] = {F_NONE, "?", NULL, true},
    DEF(F_ADD_I32, "+", func_add_i32),
    DEF(F_ADD_I64, "+", func_add_i64),
    DEF(F_ADD_F64, "+", func_add_f64),
    DEF(F_SUB_I32, "-", func_sub_i32),
    DEF(F_SUB_I64, "-", func_sub_i64),
    DEF(F_SUB_F64, "-", func_sub_f64),
    DEF(F_MUL_I32, "*", func_mul_i32),
    DEF(F_MUL_I64, "*", func_mul_i64),
    DEF(F_MUL_F64, "*", func_mul_f64),
    DEF(F_DIV_I32, "/", func_div_i32),
    DEF(F_DIV_I64, "/", func_div_i64),
    DEF(F_DIV_F64, "/", func_div_f64),
    DEF(F_MOD_I32, "%", func_mod_i32),
    DEF(F_MOD_I64, "%", func_mod_i64),
    DEF(F_MOD_F64, "%", func_mod_f64),
    DEF(F_NEG_I32, "neg", func_neg_i32),
    DEF(F_NEG_I64, "neg", func_neg_i64),
    DEF(F_NEG_F64, "neg", func_neg_f64),
    DEF(F_DATE_ADD_DAYS, "+", func_date_add_days),
    DEF(F_DATE_SUB_DAYS, "-", func_date_sub_days),
    DEF(F_DATE_DIFF, "-", func_date_diff),
    DEF(F_DATE_ADD_INTERVAL, "+", func_date_add_interval),
    DEF(F_DATE_SUB_INTERVAL, "-", func_date_sub_interval),
    DEF_CMP(EQ, "=", eq),
    DEF_CMP(NE, "<>", ne),
    DEF_CMP(LT, "<", lt),
    DEF_CMP(LE, "<=", le),
    DEF_CMP(GT, ">", gt),
    DEF_CMP(GE, ">=", ge),
    DEF_CMP_NS(DISTINCT, "is distinct from", distinct),
    DEF_CMP_NS(NOT_DISTINCT, "is not distinct from", not_distinct),
    DEF(F_CONCAT, "||", func_concat),
    DEF_NS(F_CONCAT_WS_FN, "concat", func_concat_fn),
    DEF(F_LENGTH, "length", func_length),
    DEF(F_OCTET_LENGTH, "octet_length", func_octet_length),
    DEF(F_UPPER, "upper", func_upper),
    DEF(F_LOWER, "lower", func_lower),
    DEF(F_SUBSTRING2, "substring", func_substring2),
    DEF(F_SUBSTRING3, "substring", func_substring3),
    DEF(F_TRIM1, "trim", func_trim1),
    DEF(F_LTRIM1, "ltrim", func_ltrim1),
    DEF(F_RTRIM1, "rtrim", func_rtrim1),
    DEF(F_TRIM2, "trim", func_trim2),
    DEF(F_LTRIM2, "ltrim", func_ltrim2),
    DEF(F_RTRIM2, "rtrim", func_rtrim2),
    DEF(F_LIKE, "like", func_like),
    DEF(F_LIKE_ESCAPE, "like", func_like_escape),
    DEF(F_ILIKE, "ilike", func_ilike),
    DEF(F_REPLACE, "replace", func_replace),
    DEF(F_POSITION, "position", func_position),
    DEF(F_STRPOS, "strpos", func_strpos),
    DEF(F_LEFT, "left", func_left),
    DEF(F_RIGHT, "right", func_right),
    DEF(F_REVERSE, "reverse", func_reverse),
    DEF(F_LPAD, "lpad", func_lpad),
    DEF(F_RPAD, "rpad", func_rpad),
    DEF(F_REPEAT, "repeat", func_repeat),
    DEF(F_STARTS_WITH, "starts_with", func_starts_with),
    DEF(F_CONTAINS, "contains", func_contains),
    DEF(F_ABS_I32, "abs", func_abs_i32),
    DEF(F_ABS_I64, "abs", func_abs_i64),
    DEF(F_ABS_F64, "abs", func_abs_f64),
    DEF(F_ROUND_F64, "round", func_round_f64),
    DEF(F_ROUND_F64_N, "round", func_round_f64_n),
    DEF(F_ROUND_DEC_N, "round", func_round_dec_n),
    DEF(F_CEIL_F64, "ceil", func_ceil_f64),
    DEF(F_FLOOR_F64, "floor", func_floor_f64),
    DEF(F_CEIL_DEC, "ceil", func_ceil_dec),
    DEF(F_FLOOR_DEC, "floor", func_floor_dec),
    DEF(F_SIGN_F64, "sign", func_sign_f64),
    DEF(F_SQRT, "sqrt", func_sqrt),
    DEF(F_POWER, "power", func_power),
    DEF(F_EXP, "exp", func_exp),
    DEF(F_LN, "ln", func_ln),
    DEF(F_LOG10, "log10", func_log10),
    DEF(F_EXTRACT_YEAR, "extract_year", func_extract_year),
    DEF(F_EXTRACT_MONTH, "extract_month", func_extract_month),
    DEF(F_EXTRACT_DAY, "extract_day", func_extract_day),
    DEF(F_EXTRACT_QUARTER, "extract_quarter", func_extract_quarter),
    DEF(F_EXTRACT_DOW, "extract_dow", func_extract_dow),
    DEF(F_EXTRACT_DOY, "extract_doy", func_extract_doy),
    DEF(F_EXTRACT_WEEK, "extract_week", func_extract_week),
    DEF(F_EXTRACT_EPOCH, "extract_epoch", func_extract_epoch),
    DEF_CMP_NS(NULLIF, "nullif", nullif),
    DEF_NS(F_GREATEST, "greatest", func_greatest),
    DEF_NS(F_LEAST, "least", func_least),
    DEF_NS(F_HASH, "hash", func_hash),
};

const FuncDef *func_def(FuncId id)
{
    if (!ALWAYS((unsigned)id < F__COUNT))
        id = F_NONE;
    const FuncDef *d = &func_defs[id];
    assert(d->id == id && d->name != NULL);
    return d;
}
