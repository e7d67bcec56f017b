/*
 * func_math.c -- numeric functions: abs, round, ceil, floor, sign, sqrt,
 * power, exp, ln, log10, and hash().
 *
 * DOUBLE functions follow PostgreSQL's errors for arguments outside their
 * domain ("cannot take square root of a negative number", ...) and for
 * results that overflow ("value out of range: overflow"), raised only for
 * valid rows. ROUND rounds half away from zero for DOUBLE too (PostgreSQL
 * rounds doubles half to even; SQLite and DuckDB do not, and neither does
 * ember). DECIMAL rounding is exact integer arithmetic on the scaled
 * value.
 */
#include <math.h>

#include "exec/func_int.h"

static int domain_error(FnCtx *cx, const char *msg)
{
    return err_set(cx->err, EMBER_ERROR, cx->pos, "%s", msg);
}

/* ------------------------------------------------------------------------
 * abs
 * ------------------------------------------------------------------------ */

#define OP_ABS_INT(ST, UT, MINV, x, d, f)                                  \
    do {                                                                   \
        ST x_ = (x);                                                       \
        (d) = x_ < 0 ? (ST)(0 - (UT)x_) : x_;                              \
        (f) |= x_ == (MINV);                                               \
    } while (0)
#define OP_ABS_I32(x, d, f) OP_ABS_INT(int32_t, uint32_t, INT32_MIN, x, d, f)
#define OP_ABS_I64(x, d, f) OP_ABS_INT(int64_t, uint64_t, INT64_MIN, x, d, f)
#define OP_ABS_F64(x, d, f) ((d) = fabs(x))

FN_DEF_UNARY(abs_i32, int32_t, int32_t, unsigned, OP_ABS_I32)
FN_DEF_UNARY(abs_i64, int64_t, int64_t, unsigned, OP_ABS_I64)
FN_DEF_UNARY(abs_f64, double, double, unsigned, OP_ABS_F64)
FN_DEF_RECHECK1(abs_i32_ovf, int32_t, int32_t, unsigned, OP_ABS_I32, 1)
FN_DEF_RECHECK1(abs_i64_ovf, int64_t, int64_t, unsigned, OP_ABS_I64, 1)

FUNC_KERNEL(func_abs_i32)
{
    assert(n_args == 1);
    if (UNLIKELY(abs_i32(args[0], out, sel, n)) &&
        abs_i32_ovf(args[0], out, sel, n))
        return func_overflow_error(cx, out);
    return EMBER_OK;
}

FUNC_KERNEL(func_abs_i64)
{
    assert(n_args == 1);
    if (UNLIKELY(abs_i64(args[0], out, sel, n)) &&
        abs_i64_ovf(args[0], out, sel, n))
        return func_overflow_error(cx, out);
    return EMBER_OK;
}

FUNC_KERNEL(func_abs_f64)
{
    assert(n_args == 1);
    abs_f64(args[0], out, sel, n);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Simple DOUBLE -> DOUBLE functions
 * ------------------------------------------------------------------------ */

static double sign_of(double x)
{
    if (x != x)
        return x;                           /* NaN */
    return (double)((x > 0) - (x < 0));
}

#define DEF_MAP_KERNEL(KNAME, FN)                                          \
    FUNC_KERNEL(KNAME)                                                     \
    {                                                                      \
        assert(n_args == 1);                                               \
        const Vector *v = args[0];                                         \
        const double *a = VEC_F64(v);                                      \
        double *o = VEC_F64(out);                                          \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            o[r] = FN(a[ARG_ROW(v, r)]);                                   \
        }                                                                  \
        return EMBER_OK;                                                   \
    }

DEF_MAP_KERNEL(func_round_f64, round)
DEF_MAP_KERNEL(func_ceil_f64, ceil)
DEF_MAP_KERNEL(func_floor_f64, floor)
DEF_MAP_KERNEL(func_sign_f64, sign_of)

/* ------------------------------------------------------------------------
 * Functions with a domain
 * ------------------------------------------------------------------------ */

/* Check one result; NULL when fine, else the error message. */
typedef const char *(*MathCheck)(double x, double y, double res);

static const char *check_sqrt(double x, double y, double res)
{
    return x < 0 ? "cannot take square root of a negative number" : NULL;
}

static const char *check_log(double x, double y, double res)
{
    if (x == 0)
        return "cannot take logarithm of zero";
    if (x < 0)
        return "cannot take logarithm of a negative number";
    return NULL;
}

static const char *check_exp(double x, double y, double res)
{
    return isinf(res) && isfinite(x) ? "value out of range: overflow" : NULL;
}

static const char *check_pow(double x, double y, double res)
{
    if (x == 0 && y < 0)
        return "zero raised to a negative power is undefined";
    if (x < 0 && isfinite(y) && y != floor(y))
        return "a negative number raised to a non-integer power yields a "
               "complex result";
    if (isinf(res) && isfinite(x) && isfinite(y))
        return "value out of range: overflow";
    return NULL;
}

static double pow2(double x, double y)
{
    return pow(x, y);
}

/* Apply fn to rows; the first valid row that check rejects is an error. */
static int math_rows(FnCtx *cx, Vector **args, int n_args, const SelIdx *sel,
                     uint32_t n, Vector *out, double (*fn1)(double),
                     double (*fn2)(double, double), MathCheck check)
{
    const Vector *av = args[0];
    const Vector *bv = n_args > 1 ? args[1] : args[0];
    const double *a = VEC_F64(av);
    const double *b = VEC_F64(bv);
    double *o = VEC_F64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        double x = a[ARG_ROW(av, r)];
        double y = b[ARG_ROW(bv, r)];
        double res = fn2 ? fn2(x, y) : fn1(x);
        const char *msg = check(x, y, res);
        if (UNLIKELY(msg != NULL) && out_valid(out, r))
            return domain_error(cx, msg);
        o[r] = res;
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_sqrt)
{
    assert(n_args == 1);
    return math_rows(cx, args, 1, sel, n, out, sqrt, NULL, check_sqrt);
}

FUNC_KERNEL(func_power)
{
    assert(n_args == 2);
    return math_rows(cx, args, 2, sel, n, out, NULL, pow2, check_pow);
}

FUNC_KERNEL(func_exp)
{
    assert(n_args == 1);
    return math_rows(cx, args, 1, sel, n, out, exp, NULL, check_exp);
}

FUNC_KERNEL(func_ln)
{
    assert(n_args == 1);
    return math_rows(cx, args, 1, sel, n, out, log, NULL, check_log);
}

FUNC_KERNEL(func_log10)
{
    assert(n_args == 1);
    return math_rows(cx, args, 1, sel, n, out, log10, NULL, check_log);
}

/* ------------------------------------------------------------------------
 * round(double, n)
 * ------------------------------------------------------------------------ */

/* x rounded half away from zero to `digits` decimal places (negative:
 * to tens, hundreds, ...). When scaling overflows, x has no digits at that
 * place and is returned unchanged. */
static double round_digits(double x, int64_t digits)
{
    if (!isfinite(x) || digits > 308)
        return x;
    if (digits < -308)
        return 0.0 * x;
    double p = pow(10.0, (double)(digits < 0 ? -digits : digits));
    double y = digits >= 0 ? round(x * p) / p : round(x / p) * p;
    return isfinite(y) ? y : x;
}

FUNC_KERNEL(func_round_f64_n)
{
    assert(n_args == 2);
    const Vector *av = args[0];
    const Vector *dv = args[1];
    const double *a = VEC_F64(av);
    double *o = VEC_F64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        int64_t digits = dv->phys == PHYS_I32
                             ? VEC_I32(dv)[ARG_ROW(dv, r)]
                             : VEC_I64(dv)[ARG_ROW(dv, r)];
        o[r] = round_digits(a[ARG_ROW(av, r)], digits);
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * DECIMAL rounding
 * ------------------------------------------------------------------------ */

/* v / 10^k rounded half away from zero, 1 <= k <= 18. */
static int64_t div_round_half_away(int64_t v, int k)
{
    int64_t p = pow10_i64[k];
    int64_t q = v / p;
    int64_t rem = v % p;
    uint64_t twice = 2 * (uint64_t)(rem < 0 ? -rem : rem);
    if (twice >= (uint64_t)p)
        q += v < 0 ? -1 : 1;
    return q;
}

/* The digits argument of round(decimal, n): cx->iconst, else a constant
 * second argument, else 0 for round(decimal). */
static int round_digits_param(FnCtx *cx, Vector **args, int n_args,
                              int64_t *digits)
{
    *digits = 0;
    if (cx->iconst != NULL) {
        *digits = *cx->iconst;
    } else if (n_args == 2) {
        const Vector *dv = args[1];
        if (!dv->is_const)
            return err_set(cx->err, EMBER_ERROR, cx->pos,
                           "round(numeric, n) needs a constant n");
        *digits = dv->phys == PHYS_I32 ? VEC_I32(dv)[0] : VEC_I64(dv)[0];
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_round_dec_n)
{
    assert(n_args == 1 || n_args == 2);
    int64_t digits;
    int rc = round_digits_param(cx, args, n_args, &digits);
    if (rc != EMBER_OK)
        return rc;
    const Vector *av = args[0];
    int s = av->type.scale;
    Type ot = out->type.id == TYPE_DECIMAL ? out->type : cx->out_type;
    int t = ot.scale;
    int64_t lim = pow10_i64[ot.prec >= 1 && ot.prec <= 18 ? ot.prec : 18];
    const int64_t *a = VEC_I64(av);
    int64_t *o = VEC_I64(out);
    /* Value at scale `digits` (rounded), then brought to scale t. */
    int64_t drop = digits < s ? (int64_t)s - digits : 0;
    int64_t up = drop ? (int64_t)t - digits : (int64_t)t - s;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        int64_t q = a[ARG_ROW(av, r)];
        if (drop > 18)
            q = 0;
        else if (drop > 0)
            q = div_round_half_away(q, (int)drop);
        __int128 w = q;
        if (q != 0 && up > 0)
            w = up > 18 ? (__int128)lim * 10 : w * pow10_i64[up];
        else if (up < 0)
            w = -up > 18 ? 0 : w / pow10_i64[-up];
        if (UNLIKELY(w >= lim || w <= -lim) && out_valid(out, r))
            return func_overflow_error(cx, out);
        o[r] = (int64_t)w;
    }
    return EMBER_OK;
}

/* ceil/floor of DECIMAL(p,s) into DECIMAL(p,0). */
static int ceil_floor_dec(Vector **args, const SelIdx *sel, uint32_t n,
                          Vector *out, bool ceiling)
{
    const Vector *av = args[0];
    const int64_t *a = VEC_I64(av);
    int64_t *o = VEC_I64(out);
    int64_t p = pow10_i64[av->type.scale <= 18 ? av->type.scale : 18];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        int64_t v = a[ARG_ROW(av, r)];
        int64_t q = v / p;
        int64_t rem = v % p;
        if (ceiling && rem > 0)
            q++;
        else if (!ceiling && rem < 0)
            q--;
        o[r] = q;
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_ceil_dec)
{
    assert(n_args == 1);
    return ceil_floor_dec(args, sel, n, out, true);
}

FUNC_KERNEL(func_floor_dec)
{
    assert(n_args == 1);
    return ceil_floor_dec(args, sel, n, out, false);
}

/* ------------------------------------------------------------------------
 * hash(a, ...) -> BIGINT: combines the hashes of all arguments; a NULL
 * argument hashes to a fixed value, so hash() is never NULL.
 * ------------------------------------------------------------------------ */

#define HASH_NULL 0x5bd1e9955bd1e995ull

static uint64_t hash_row(const Vector *v, uint32_t r)
{
    if (v->type.id == TYPE_NULL || !vec_valid(v, r))
        return HASH_NULL;
    uint32_t i = ARG_ROW(v, r);
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        return hash_u64(VEC_U8(v)[i]);
    case PHYS_I32:
        return hash_u64((uint64_t)(int64_t)VEC_I32(v)[i]);
    case PHYS_I64:
        return hash_u64((uint64_t)VEC_I64(v)[i]);
    case PHYS_F64:
        return hash_double(VEC_F64(v)[i]);
    case PHYS_STR:
        return hash_str(&VEC_STR(v)[i]);
    }
    return HASH_NULL;
}

FUNC_KERNEL(func_hash)
{
    int64_t *o = VEC_I64(out);
    out->has_nulls = false;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        uint64_t h = 0;
        for (int j = 0; j < n_args; j++)
            h = hash_combine(h, hash_row(args[j], r));
        o[r] = (int64_t)h;
    }
    return EMBER_OK;
}
