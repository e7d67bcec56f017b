/*
 * func_arith.c -- arithmetic operators + - * / % and unary minus on INT32,
 * INT64 (also DECIMAL, which is a scaled INT64) and DOUBLE.
 *
 * Semantics (see func.h): integer overflow is an error, never a wrap;
 * integer division truncates toward zero and the remainder takes the sign
 * of the dividend; a zero divisor gives NULL for every type; DOUBLE follows
 * IEEE (inf and nan, no error). DECIMAL results must also fit the
 * precision of the result type ("numeric value out of range").
 *
 * Every operation is one macro OP(x, y, d, f) expanded into the loops of
 * FN_DEF_BINARY. Flags OR-ed into f: bit 0 overflow, bit 1 zero divisor.
 * Additions and subtractions detect overflow from sign bits rather than
 * with __builtin_add_overflow, whose two-result form GCC does not
 * vectorize; multiplications use __builtin_mul_overflow (no SIMD 64-bit
 * multiply in baseline x86-64 anyway). A flag only says "look again": the
 * recheck pass skips NULL rows, whose values are garbage.
 */
#include <math.h>

#include "exec/func_int.h"

#define F_OVF 1u
#define F_ZERO 2u

/* ------------------------------------------------------------------------
 * Shared error helpers
 * ------------------------------------------------------------------------ */

static bool is_decimal_out(FnCtx *cx, const Vector *out)
{
    return out->type.id == TYPE_DECIMAL || cx->out_type.id == TYPE_DECIMAL;
}

int func_overflow_error(FnCtx *cx, const Vector *out)
{
    const char *msg = "bigint out of range";
    if (is_decimal_out(cx, out))
        msg = "numeric value out of range";
    else if (out->phys == PHYS_I32)
        msg = "integer out of range";
    return err_set(cx->err, EMBER_OVERFLOW, cx->pos, "%s", msg);
}

/* |v| > lim, as one unsigned comparison (0 <= lim < 2^62): v + lim is
 * taken modulo 2^64, so it lands in [0, 2 lim] exactly when -lim <= v <=
 * lim, and every v beyond (INT64_MIN included) lands above. Computed in
 * unsigned arithmetic: in int64 the sum overflows for v > INT64_MAX - lim,
 * e.g. a DECIMAL(18) product of 9e18 that fits int64 but not 18 digits. */
#define OUT_OF_PREC(v, lim)                                                \
    ((uint64_t)(v) + (uint64_t)(lim) > 2 * (uint64_t)(lim))

static uint64_t prec_flags(const int64_t *restrict o, int64_t lim, size_t n)
{
    uint64_t f = 0;
    FN_FLAT_LOOP(n, f |= OUT_OF_PREC(o[i], lim));
    return f;
}

int func_check_decimal(FnCtx *cx, const Vector *out, const SelIdx *sel,
                       uint32_t n)
{
    Type t = out->type.id == TYPE_DECIMAL ? out->type : cx->out_type;
    if (t.id != TYPE_DECIMAL || out->phys != PHYS_I64)
        return EMBER_OK;
    int prec = t.prec >= 1 && t.prec <= DECIMAL_MAX_PREC ? t.prec
                                                         : DECIMAL_MAX_PREC;
    int64_t lim = pow10_i64[prec] - 1;
    const int64_t *o = VEC_I64(out);
    uint64_t f = 0;
    if (sel == NULL) {
        f = prec_flags(o, lim, n);
    } else {
        for (uint32_t k = 0; k < n; k++)
            f |= OUT_OF_PREC(o[sel[k]], lim);
    }
    if (LIKELY(f == 0))
        return EMBER_OK;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (out_valid(out, r) && OUT_OF_PREC(o[r], lim))
            return func_overflow_error(cx, out);
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------ */

/* Two's complement add/sub through unsigned arithmetic: overflow when the
 * result's sign differs from both operands' (add) or from x's while x and
 * y differ in sign (sub). */
#define OP_ADD_INT(UT, ST, BITS, x, y, d, f)                               \
    do {                                                                   \
        UT x_ = (UT)(x);                                                   \
        UT y_ = (UT)(y);                                                   \
        UT r_ = x_ + y_;                                                   \
        (d) = (ST)r_;                                                      \
        (f) |= (unsigned)(((x_ ^ r_) & (y_ ^ r_)) >> (BITS - 1));          \
    } while (0)
#define OP_SUB_INT(UT, ST, BITS, x, y, d, f)                               \
    do {                                                                   \
        UT x_ = (UT)(x);                                                   \
        UT y_ = (UT)(y);                                                   \
        UT r_ = x_ - y_;                                                   \
        (d) = (ST)r_;                                                      \
        (f) |= (unsigned)(((x_ ^ y_) & (x_ ^ r_)) >> (BITS - 1));          \
    } while (0)

#define OP_ADD_I32(x, y, d, f) OP_ADD_INT(uint32_t, int32_t, 32, x, y, d, f)
#define OP_ADD_I64(x, y, d, f) OP_ADD_INT(uint64_t, int64_t, 64, x, y, d, f)
#define OP_SUB_I32(x, y, d, f) OP_SUB_INT(uint32_t, int32_t, 32, x, y, d, f)
#define OP_SUB_I64(x, y, d, f) OP_SUB_INT(uint64_t, int64_t, 64, x, y, d, f)
#define OP_MUL_INT(x, y, d, f) ((f) |= __builtin_mul_overflow(x, y, &(d)))

/* Division: zero divisor flags (the row becomes NULL), MIN / -1
 * overflows; neither traps. */
#define OP_DIV_INT(ST, UT, MINV, x, y, d, f)                               \
    do {                                                                   \
        ST x_ = (x);                                                       \
        ST y_ = (y);                                                       \
        if (y_ == 0) {                                                     \
            (d) = 0;                                                       \
            (f) |= F_ZERO;                                                 \
        } else if (y_ == -1) {                                             \
            (f) |= x_ == (MINV) ? F_OVF : 0;                               \
            (d) = (ST)(0 - (UT)x_);                                        \
        } else {                                                           \
            (d) = x_ / y_;                                                 \
        }                                                                  \
    } while (0)
#define OP_MOD_INT(ST, x, y, d, f)                                         \
    do {                                                                   \
        ST x_ = (x);                                                       \
        ST y_ = (y);                                                       \
        if (y_ == 0) {                                                     \
            (d) = 0;                                                       \
            (f) |= F_ZERO;                                                 \
        } else {                                                           \
            (d) = y_ == -1 ? 0 : x_ % y_;                                  \
        }                                                                  \
    } while (0)
#define OP_DIV_I32(x, y, d, f)                                             \
    OP_DIV_INT(int32_t, uint32_t, INT32_MIN, x, y, d, f)
#define OP_DIV_I64(x, y, d, f)                                             \
    OP_DIV_INT(int64_t, uint64_t, INT64_MIN, x, y, d, f)
#define OP_MOD_I32(x, y, d, f) OP_MOD_INT(int32_t, x, y, d, f)
#define OP_MOD_I64(x, y, d, f) OP_MOD_INT(int64_t, x, y, d, f)

#define OP_ADD_F64(x, y, d, f) ((d) = (x) + (y))
#define OP_SUB_F64(x, y, d, f) ((d) = (x) - (y))
#define OP_MUL_F64(x, y, d, f) ((d) = (x) * (y))
#define OP_DIV_F64(x, y, d, f)                                             \
    do {                                                                   \
        double y_ = (y);                                                   \
        (d) = (x) / y_;                                                    \
        (f) |= y_ == 0 ? F_ZERO : 0;                                       \
    } while (0)
#define OP_MOD_F64(x, y, d, f)                                             \
    do {                                                                   \
        double y_ = (y);                                                   \
        if (y_ == 0) {                                                     \
            (d) = 0;                                                       \
            (f) |= F_ZERO;                                                 \
        } else {                                                           \
            (d) = fmod((x), y_);                                           \
        }                                                                  \
    } while (0)

#define OP_NEG_INT(ST, UT, MINV, x, d, f)                                  \
    do {                                                                   \
        ST x_ = (x);                                                       \
        (d) = (ST)(0 - (UT)x_);                                            \
        (f) |= x_ == (MINV);                                               \
    } while (0)
#define OP_NEG_I32(x, d, f) OP_NEG_INT(int32_t, uint32_t, INT32_MIN, x, d, f)
#define OP_NEG_I64(x, d, f) OP_NEG_INT(int64_t, uint64_t, INT64_MIN, x, d, f)
#define OP_NEG_F64(x, d, f) ((d) = -(x))

/* ------------------------------------------------------------------------
 * Loops and rechecks
 * ------------------------------------------------------------------------ */

FN_DEF_BINARY(add_i32, int32_t, int32_t, int32_t, unsigned, OP_ADD_I32)
FN_DEF_BINARY(add_i64, int64_t, int64_t, int64_t, unsigned, OP_ADD_I64)
FN_DEF_BINARY(sub_i32, int32_t, int32_t, int32_t, unsigned, OP_SUB_I32)
FN_DEF_BINARY(sub_i64, int64_t, int64_t, int64_t, unsigned, OP_SUB_I64)
FN_DEF_BINARY(mul_i32, int32_t, int32_t, int32_t, unsigned, OP_MUL_INT)
FN_DEF_BINARY(mul_i64, int64_t, int64_t, int64_t, unsigned, OP_MUL_INT)
FN_DEF_BINARY(div_i32, int32_t, int32_t, int32_t, unsigned, OP_DIV_I32)
FN_DEF_BINARY(div_i64, int64_t, int64_t, int64_t, unsigned, OP_DIV_I64)
FN_DEF_BINARY(mod_i32, int32_t, int32_t, int32_t, unsigned, OP_MOD_I32)
FN_DEF_BINARY(mod_i64, int64_t, int64_t, int64_t, unsigned, OP_MOD_I64)
FN_DEF_BINARY(add_f64, double, double, double, unsigned, OP_ADD_F64)
FN_DEF_BINARY(sub_f64, double, double, double, unsigned, OP_SUB_F64)
FN_DEF_BINARY(mul_f64, double, double, double, unsigned, OP_MUL_F64)
FN_DEF_BINARY(div_f64, double, double, double, unsigned, OP_DIV_F64)
FN_DEF_BINARY(mod_f64, double, double, double, unsigned, OP_MOD_F64)

FN_DEF_RECHECK(add_i32_ovf, int32_t, int32_t, int32_t, unsigned, OP_ADD_I32,
               F_OVF)
FN_DEF_RECHECK(add_i64_ovf, int64_t, int64_t, int64_t, unsigned, OP_ADD_I64,
               F_OVF)
FN_DEF_RECHECK(sub_i32_ovf, int32_t, int32_t, int32_t, unsigned, OP_SUB_I32,
               F_OVF)
FN_DEF_RECHECK(sub_i64_ovf, int64_t, int64_t, int64_t, unsigned, OP_SUB_I64,
               F_OVF)
FN_DEF_RECHECK(mul_i32_ovf, int32_t, int32_t, int32_t, unsigned, OP_MUL_INT,
               F_OVF)
FN_DEF_RECHECK(mul_i64_ovf, int64_t, int64_t, int64_t, unsigned, OP_MUL_INT,
               F_OVF)
FN_DEF_RECHECK(div_i32_ovf, int32_t, int32_t, int32_t, unsigned, OP_DIV_I32,
               F_OVF)
FN_DEF_RECHECK(div_i64_ovf, int64_t, int64_t, int64_t, unsigned, OP_DIV_I64,
               F_OVF)

FN_DEF_UNARY(neg_i32, int32_t, int32_t, unsigned, OP_NEG_I32)
FN_DEF_UNARY(neg_i64, int64_t, int64_t, unsigned, OP_NEG_I64)
FN_DEF_UNARY(neg_f64, double, double, unsigned, OP_NEG_F64)
FN_DEF_RECHECK1(neg_i32_ovf, int32_t, int32_t, unsigned, OP_NEG_I32, F_OVF)
FN_DEF_RECHECK1(neg_i64_ovf, int64_t, int64_t, unsigned, OP_NEG_I64, F_OVF)

/* A recheck that never finds anything: for operations without overflow. */
static bool no_recheck(const Vector *a, const Vector *b, const Vector *out,
                       const SelIdx *sel, uint32_t n)
{
    return false;
}

/* Set NULL on the rows whose divisor is zero. */
#define DEF_ZERO_NULLS(NAME, T)                                            \
    static void NAME(const Vector *bv, Vector *out, const SelIdx *sel,     \
                     uint32_t n)                                           \
    {                                                                      \
        const T *b = (const T *)bv->data;                                  \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            if (b[ARG_ROW(bv, r)] == 0)                                    \
                vector_set_null(out, r);                                   \
        }                                                                  \
    }
DEF_ZERO_NULLS(zero_nulls_i32, int32_t)
DEF_ZERO_NULLS(zero_nulls_i64, int64_t)
DEF_ZERO_NULLS(zero_nulls_f64, double)

/* ------------------------------------------------------------------------
 * Kernels
 * ------------------------------------------------------------------------ */

/* The tail shared by every binary kernel: NULLs for zero divisors, then
 * overflow on a valid row, then the DECIMAL precision check. */
#define ARITH_KERNEL(KNAME, LOOP, RECHECK, ZERO_NULLS)                     \
    FUNC_KERNEL(KNAME)                                                     \
    {                                                                      \
        assert(n_args == 2);                                               \
        unsigned f = LOOP(args[0], args[1], out, sel, n);                  \
        if (UNLIKELY(f & F_ZERO))                                          \
            ZERO_NULLS(args[1], out, sel, n);                              \
        if (UNLIKELY(f & F_OVF) &&                                         \
            RECHECK(args[0], args[1], out, sel, n))                        \
            return func_overflow_error(cx, out);                           \
        return func_check_decimal(cx, out, sel, n);                        \
    }

ARITH_KERNEL(func_add_i32, add_i32, add_i32_ovf, zero_nulls_i32)
ARITH_KERNEL(func_add_i64, add_i64, add_i64_ovf, zero_nulls_i64)
ARITH_KERNEL(func_sub_i32, sub_i32, sub_i32_ovf, zero_nulls_i32)
ARITH_KERNEL(func_sub_i64, sub_i64, sub_i64_ovf, zero_nulls_i64)
ARITH_KERNEL(func_mul_i32, mul_i32, mul_i32_ovf, zero_nulls_i32)
ARITH_KERNEL(func_mul_i64, mul_i64, mul_i64_ovf, zero_nulls_i64)
ARITH_KERNEL(func_div_i32, div_i32, div_i32_ovf, zero_nulls_i32)
ARITH_KERNEL(func_div_i64, div_i64, div_i64_ovf, zero_nulls_i64)
ARITH_KERNEL(func_mod_i32, mod_i32, no_recheck, zero_nulls_i32)
ARITH_KERNEL(func_mod_i64, mod_i64, no_recheck, zero_nulls_i64)
ARITH_KERNEL(func_add_f64, add_f64, no_recheck, zero_nulls_f64)
ARITH_KERNEL(func_sub_f64, sub_f64, no_recheck, zero_nulls_f64)
ARITH_KERNEL(func_mul_f64, mul_f64, no_recheck, zero_nulls_f64)
ARITH_KERNEL(func_div_f64, div_f64, no_recheck, zero_nulls_f64)
ARITH_KERNEL(func_mod_f64, mod_f64, no_recheck, zero_nulls_f64)

#define NEG_KERNEL(KNAME, LOOP, RECHECK)                                   \
    FUNC_KERNEL(KNAME)                                                     \
    {                                                                      \
        assert(n_args == 1);                                               \
        unsigned f = LOOP(args[0], out, sel, n);                           \
        if (UNLIKELY(f & F_OVF) && RECHECK(args[0], out, sel, n))          \
            return func_overflow_error(cx, out);                           \
        return EMBER_OK;                                                   \
    }

NEG_KERNEL(func_neg_i32, neg_i32, neg_i32_ovf)
NEG_KERNEL(func_neg_i64, neg_i64, neg_i64_ovf)

FUNC_KERNEL(func_neg_f64)
{
    assert(n_args == 1);
    neg_f64(args[0], out, sel, n);
    return EMBER_OK;
}
