/*
 * func_cmp.c -- comparisons (= <> < <= > >=), IS [NOT] DISTINCT FROM,
 * NULLIF, GREATEST and LEAST.
 *
 * Comparisons write BOOL (uint8_t 0/1). Both arguments have one physical
 * type (the binder casts them first). DOUBLE compares as PostgreSQL does:
 * NaN equals NaN and sorts above every other value, so that comparison,
 * sorting and grouping agree; -0 equals 0.
 *
 * Strict kernels write every active row, NULL or not, and leave validity
 * to the caller. String kernels must not touch the bytes of a NULL row (a
 * Str there may hold a garbage pointer), so they skip rows that are NULL
 * in `out`. The non-strict kernels (DISTINCT, NULLIF, GREATEST, LEAST)
 * set out's validity themselves.
 */
#include "exec/func_int.h"

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------ */

#define OP_EQ(x, y, d, f) ((d) = (x) == (y))
#define OP_NE(x, y, d, f) ((d) = (x) != (y))
#define OP_LT(x, y, d, f) ((d) = (x) < (y))
#define OP_LE(x, y, d, f) ((d) = (x) <= (y))
#define OP_GT(x, y, d, f) ((d) = (x) > (y))
#define OP_GE(x, y, d, f) ((d) = (x) >= (y))

/* DOUBLE with NaN = NaN and NaN above everything; written with | and &
 * on comparisons so that the loops stay branch-free. */
#define F64_EQ(x, y) (((x) == (y)) | (((x) != (x)) & ((y) != (y))))
#define F64_LT(x, y) (((x) == (x)) & (((y) != (y)) | ((x) < (y))))
#define F64_LE(x, y) (((y) != (y)) | ((x) <= (y)))
#define OP_EQ_F64(x, y, d, f) ((d) = (uint8_t)F64_EQ(x, y))
#define OP_NE_F64(x, y, d, f) ((d) = (uint8_t)!F64_EQ(x, y))
#define OP_LT_F64(x, y, d, f) ((d) = (uint8_t)F64_LT(x, y))
#define OP_LE_F64(x, y, d, f) ((d) = (uint8_t)F64_LE(x, y))
#define OP_GT_F64(x, y, d, f) ((d) = (uint8_t)F64_LT(y, x))
#define OP_GE_F64(x, y, d, f) ((d) = (uint8_t)F64_LE(y, x))

#define DEF_CMP_LOOPS(op, OPM, OPF)                                        \
    FN_DEF_BINARY(op##_u8, uint8_t, uint8_t, uint8_t, int, OPM)            \
    FN_DEF_BINARY(op##_i32, int32_t, int32_t, uint8_t, int, OPM)           \
    FN_DEF_BINARY(op##_i64, int64_t, int64_t, uint8_t, int, OPM)           \
    FN_DEF_BINARY(op##_f64, double, double, uint8_t, int, OPF)

DEF_CMP_LOOPS(eq, OP_EQ, OP_EQ_F64)
DEF_CMP_LOOPS(ne, OP_NE, OP_NE_F64)
DEF_CMP_LOOPS(lt, OP_LT, OP_LT_F64)
DEF_CMP_LOOPS(le, OP_LE, OP_LE_F64)
DEF_CMP_LOOPS(gt, OP_GT, OP_GT_F64)
DEF_CMP_LOOPS(ge, OP_GE, OP_GE_F64)

/* String predicates on two Str pointers. */
#define STR_EQ(a, b) fn_str_eq(a, b)
#define STR_NE(a, b) (!fn_str_eq(a, b))
#define STR_LT(a, b) (fn_str_cmp(a, b) < 0)
#define STR_LE(a, b) (fn_str_cmp(a, b) <= 0)
#define STR_GT(a, b) (fn_str_cmp(a, b) > 0)
#define STR_GE(a, b) (fn_str_cmp(a, b) >= 0)

/* Compare the active rows of two string vectors, skipping rows that are
 * NULL in `out` (when skip_nulls) or in either argument (otherwise). */
#define DEF_STR_LOOP(NAME, PRED)                                           \
    static void NAME(const Vector *av, const Vector *bv, Vector *out,      \
                     const SelIdx *sel, uint32_t n, bool strict)           \
    {                                                                      \
        const Str *a = VEC_STR(av);                                        \
        const Str *b = VEC_STR(bv);                                        \
        uint8_t *o = VEC_U8(out);                                          \
        bool check = strict ? out->has_nulls                               \
                            : av->has_nulls || bv->has_nulls;              \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            bool skip = strict ? !out_valid(out, r)                        \
                               : !vec_valid(av, r) || !vec_valid(bv, r);   \
            if (check && skip) {                                           \
                o[r] = 0;                                                  \
                continue;                                                  \
            }                                                              \
            const Str *x = &a[ARG_ROW(av, r)];                             \
            const Str *y = &b[ARG_ROW(bv, r)];                             \
            o[r] = (uint8_t)PRED(x, y);                                    \
        }                                                                  \
    }

DEF_STR_LOOP(eq_str, STR_EQ)
DEF_STR_LOOP(ne_str, STR_NE)
DEF_STR_LOOP(lt_str, STR_LT)
DEF_STR_LOOP(le_str, STR_LE)
DEF_STR_LOOP(gt_str, STR_GT)
DEF_STR_LOOP(ge_str, STR_GE)

/* ------------------------------------------------------------------------
 * Comparison kernels
 * ------------------------------------------------------------------------ */

#define CMP_KERNEL(op, T)                                                  \
    FUNC_KERNEL(func_##op##_##T)                                           \
    {                                                                      \
        assert(n_args == 2);                                               \
        op##_##T(args[0], args[1], out, sel, n);                           \
        return EMBER_OK;                                                   \
    }
#define CMP_KERNEL_STR(op)                                                 \
    FUNC_KERNEL(func_##op##_str)                                           \
    {                                                                      \
        assert(n_args == 2);                                               \
        op##_str(args[0], args[1], out, sel, n, true);                     \
        return EMBER_OK;                                                   \
    }
#define CMP_KERNELS(op)                                                    \
    CMP_KERNEL(op, u8)                                                     \
    CMP_KERNEL(op, i32)                                                    \
    CMP_KERNEL(op, i64)                                                    \
    CMP_KERNEL(op, f64)                                                    \
    CMP_KERNEL_STR(op)

CMP_KERNELS(eq)
CMP_KERNELS(ne)
CMP_KERNELS(lt)
CMP_KERNELS(le)
CMP_KERNELS(gt)
CMP_KERNELS(ge)

/* ------------------------------------------------------------------------
 * IS [NOT] DISTINCT FROM: never NULL. Two NULLs are not distinct, a NULL
 * and a value are.
 * ------------------------------------------------------------------------ */

/* Overwrite the rows where an argument is NULL, then mark all valid. */
static void fix_distinct_nulls(const Vector *a, const Vector *b, Vector *out,
                               const SelIdx *sel, uint32_t n, bool distinct)
{
    if (a->has_nulls || b->has_nulls) {
        uint8_t *o = VEC_U8(out);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = sel_row(sel, k);
            bool va = vec_valid(a, r);
            bool vb = vec_valid(b, r);
            if (!va || !vb)
                o[r] = (uint8_t)(distinct ? va != vb : va == vb);
        }
    }
    out->has_nulls = false;
}

#define DISTINCT_KERNEL(T)                                                 \
    FUNC_KERNEL(func_distinct_##T)                                         \
    {                                                                      \
        assert(n_args == 2);                                               \
        ne_##T(args[0], args[1], out, sel, n);                             \
        fix_distinct_nulls(args[0], args[1], out, sel, n, true);           \
        return EMBER_OK;                                                   \
    }                                                                      \
    FUNC_KERNEL(func_not_distinct_##T)                                     \
    {                                                                      \
        assert(n_args == 2);                                               \
        eq_##T(args[0], args[1], out, sel, n);                             \
        fix_distinct_nulls(args[0], args[1], out, sel, n, false);          \
        return EMBER_OK;                                                   \
    }

DISTINCT_KERNEL(u8)
DISTINCT_KERNEL(i32)
DISTINCT_KERNEL(i64)
DISTINCT_KERNEL(f64)

FUNC_KERNEL(func_distinct_str)
{
    assert(n_args == 2);
    ne_str(args[0], args[1], out, sel, n, false);
    fix_distinct_nulls(args[0], args[1], out, sel, n, true);
    return EMBER_OK;
}

FUNC_KERNEL(func_not_distinct_str)
{
    assert(n_args == 2);
    eq_str(args[0], args[1], out, sel, n, false);
    fix_distinct_nulls(args[0], args[1], out, sel, n, false);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * NULLIF(a, b): a, or NULL when a = b (or a is NULL).
 * ------------------------------------------------------------------------ */

#define NUM_EQ(x, y) ((x) == (y))
#define F64_EQV(x, y) F64_EQ(x, y)
#define STR_EQV(x, y) fn_str_eq(&(x), &(y))

#define NULLIF_KERNEL(SUF, T, EQ)                                          \
    FUNC_KERNEL(func_nullif_##SUF)                                         \
    {                                                                      \
        assert(n_args == 2);                                               \
        const Vector *av = args[0];                                        \
        const Vector *bv = args[1];                                        \
        const T *a = (const T *)av->data;                                  \
        const T *b = (const T *)bv->data;                                  \
        T *o = (T *)out->data;                                             \
        out->has_nulls = false;                                            \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            if (!vec_valid(av, r)) {                                       \
                vector_set_null(out, r);                                   \
                continue;                                                  \
            }                                                              \
            T x = a[ARG_ROW(av, r)];                                       \
            o[r] = x;                                                      \
            if (vec_valid(bv, r) && EQ(x, b[ARG_ROW(bv, r)]))              \
                vector_set_null(out, r);                                   \
        }                                                                  \
        out->str_stable = av->str_stable;                                  \
        return EMBER_OK;                                                   \
    }

NULLIF_KERNEL(u8, uint8_t, NUM_EQ)
NULLIF_KERNEL(i32, int32_t, NUM_EQ)
NULLIF_KERNEL(i64, int64_t, NUM_EQ)
NULLIF_KERNEL(f64, double, F64_EQV)
NULLIF_KERNEL(str, Str, STR_EQV)

/* ------------------------------------------------------------------------
 * GREATEST / LEAST: every argument has out's type; NULL arguments are
 * ignored and the result is NULL only when all of them are. The result
 * starts as argument 0 and each further argument replaces the rows where
 * it is valid and better.
 * ------------------------------------------------------------------------ */

#define NUM_GT(x, y) ((x) > (y))
#define F64_GT(x, y) F64_LT(y, x)
#define STR_GTV(x, y) (fn_str_cmp(&(x), &(y)) > 0)

/* Take row values of `v` where valid and (out NULL or better). BETTER(x,
 * cur) for GREATEST, BETTER(cur, x) for LEAST via `least`. */
#define DEF_EXTREME(NAME, T, GT)                                           \
    static void NAME(const Vector *v, Vector *out, const SelIdx *sel,      \
                     uint32_t n, bool least, bool first)                   \
    {                                                                      \
        const T *a = (const T *)v->data;                                   \
        T *o = (T *)out->data;                                             \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            if (!vec_valid(v, r)) {                                        \
                if (first)                                                 \
                    vector_set_null(out, r);                               \
                continue;                                                  \
            }                                                              \
            T x = a[ARG_ROW(v, r)];                                        \
            if (first || !out_valid(out, r)) {                             \
                o[r] = x;                                                  \
                if (!first)                                                \
                    validity_set(out->validity, r, true);                  \
            } else if (least ? GT(o[r], x) : GT(x, o[r])) {                \
                o[r] = x;                                                  \
            }                                                              \
        }                                                                  \
    }

DEF_EXTREME(extreme_u8, uint8_t, NUM_GT)
DEF_EXTREME(extreme_i32, int32_t, NUM_GT)
DEF_EXTREME(extreme_i64, int64_t, NUM_GT)
DEF_EXTREME(extreme_f64, double, F64_GT)
DEF_EXTREME(extreme_str, Str, STR_GTV)

static int extreme(Vector **args, int n_args, const SelIdx *sel, uint32_t n,
                   Vector *out, bool least)
{
    out->has_nulls = false;
    bool stable = true;
    for (int j = 0; j < n_args; j++) {
        const Vector *v = args[j];
        assert(v->phys == out->phys);
        stable = stable && v->str_stable;
        switch ((PhysType)out->phys) {
        case PHYS_U8:
            extreme_u8(v, out, sel, n, least, j == 0);
            break;
        case PHYS_I32:
            extreme_i32(v, out, sel, n, least, j == 0);
            break;
        case PHYS_I64:
            extreme_i64(v, out, sel, n, least, j == 0);
            break;
        case PHYS_F64:
            extreme_f64(v, out, sel, n, least, j == 0);
            break;
        case PHYS_STR:
            extreme_str(v, out, sel, n, least, j == 0);
            break;
        }
    }
    out->str_stable = stable;
    return EMBER_OK;
}

FUNC_KERNEL(func_greatest)
{
    return extreme(args, n_args, sel, n, out, false);
}

FUNC_KERNEL(func_least)
{
    return extreme(args, n_args, sel, n, out, true);
}
