/*
 * select_cmp.c -- filters that compare a column with a constant, done as
 * one selection loop: `sel_out[m] = row; m += (a[row] OP c);` with no
 * boolean vector in between and no branch per row. This is the common
 * shape of a pushed-down scan filter (l_shipdate <= DATE '...',
 * l_discount BETWEEN 0.05 AND 0.07, ...).
 */
#include "exec/exec_int.h"

typedef enum CmpOp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE } CmpOp;

/* The comparison and physical type of a comparison kernel, or false. */
static bool decode(uint16_t fn, CmpOp *op, PhysType *pt)
{
    static const FuncId first[] = {F_EQ_U8, F_NE_U8, F_LT_U8,
                                   F_LE_U8, F_GT_U8, F_GE_U8};
    static const PhysType phys[] = {PHYS_U8, PHYS_I32, PHYS_I64, PHYS_F64,
                                    PHYS_STR};
    for (int k = 0; k < 6; k++) {
        if (fn >= first[k] && fn < first[k] + 5) {
            *op = (CmpOp)k;
            *pt = phys[fn - first[k]];
            return true;
        }
    }
    return false;
}

static CmpOp flip(CmpOp op)
{
    static const CmpOp f[] = {C_EQ, C_NE, C_GT, C_GE, C_LT, C_LE};
    return f[op];
}

/* Three loops: dense, through a selection, and with NULLs; the outcome
 * is added, never branched on (`&` not `&&`: filters are unpredictable). */
#define SEL_LOOP(T, COND)                                                  \
    do {                                                                   \
        const T *a = (const T *)v->data;                                   \
        if (sel == NULL && !v->has_nulls) {                                \
            for (uint32_t r = 0; r < n; r++) {                             \
                out[m] = (SelIdx)r;                                        \
                m += (COND);                                               \
            }                                                              \
        } else if (!v->has_nulls) {                                        \
            for (uint32_t k = 0; k < n; k++) {                             \
                uint32_t r = sel[k];                                       \
                out[m] = (SelIdx)r;                                        \
                m += (COND);                                               \
            }                                                              \
        } else {                                                           \
            const uint64_t *vb = v->validity;                              \
            for (uint32_t k = 0; k < n; k++) {                             \
                uint32_t r = sel_row(sel, k);                              \
                out[m] = (SelIdx)r;                                        \
                m += (uint32_t)(COND) & (uint32_t)(vb[r >> 6] >> (r & 63)); \
            }                                                              \
        }                                                                  \
    } while (0)

#define SEL_OPS(T, C)                                                      \
    do {                                                                   \
        switch (op) {                                                      \
        case C_EQ:                                                         \
            SEL_LOOP(T, a[r] == (C));                                      \
            break;                                                         \
        case C_NE:                                                         \
            SEL_LOOP(T, a[r] != (C));                                      \
            break;                                                         \
        case C_LT:                                                         \
            SEL_LOOP(T, a[r] < (C));                                       \
            break;                                                         \
        case C_LE:                                                         \
            SEL_LOOP(T, a[r] <= (C));                                      \
            break;                                                         \
        case C_GT:                                                         \
            SEL_LOOP(T, a[r] > (C));                                       \
            break;                                                         \
        case C_GE:                                                         \
            SEL_LOOP(T, a[r] >= (C));                                      \
            break;                                                         \
        }                                                                  \
    } while (0)

/* DOUBLE: NaN = NaN and NaN above every number, as in func_cmp.c and
 * util.h f64_cmp, so a pushed-down filter keeps what the comparison
 * kernel would (x > 1 keeps NaN, x = 'NaN' finds it); branch-free. */
#define F64_EQ(x, y) (((x) == (y)) | (((x) != (x)) & ((y) != (y))))
#define F64_LE(x, y) (((y) != (y)) | ((x) <= (y)))

#define SEL_OPS_F64(C)                                                     \
    do {                                                                   \
        const double c_ = (C);                                             \
        switch (op) {                                                      \
        case C_EQ:                                                         \
            SEL_LOOP(double, F64_EQ(a[r], c_));                            \
            break;                                                         \
        case C_NE:                                                         \
            SEL_LOOP(double, !F64_EQ(a[r], c_));                           \
            break;                                                         \
        case C_LT:                                                         \
            SEL_LOOP(double, f64_lt(a[r], c_));                            \
            break;                                                         \
        case C_LE:                                                         \
            SEL_LOOP(double, F64_LE(a[r], c_));                            \
            break;                                                         \
        case C_GT:                                                         \
            SEL_LOOP(double, f64_lt(c_, a[r]));                            \
            break;                                                         \
        case C_GE:                                                         \
            SEL_LOOP(double, F64_LE(c_, a[r]));                            \
            break;                                                         \
        }                                                                  \
    } while (0)

static uint32_t select_str(const Vector *v, CmpOp op, const Str *c,
                           const SelIdx *sel, uint32_t n, SelIdx *out)
{
    uint32_t m = 0;
    if (op == C_EQ || op == C_NE) {
        bool want = op == C_EQ;
        SEL_LOOP(Str, str_eq(&a[r], c) == want);
        return m;
    }
    switch (op) {
    case C_LT:
        SEL_LOOP(Str, str_cmp(&a[r], c) < 0);
        break;
    case C_LE:
        SEL_LOOP(Str, str_cmp(&a[r], c) <= 0);
        break;
    case C_GT:
        SEL_LOOP(Str, str_cmp(&a[r], c) > 0);
        break;
    default:
        SEL_LOOP(Str, str_cmp(&a[r], c) >= 0);
        break;
    }
    return m;
}

/* Rows of sel/n where v OP c holds (v flat, c not NULL). */
static uint32_t select_const(const Vector *v, CmpOp op, PhysType pt,
                             const Vector *c, const SelIdx *sel, uint32_t n,
                             SelIdx *out)
{
    uint32_t m = 0;
    switch (pt) {
    case PHYS_U8: {
        uint8_t x = VEC_U8(c)[0];
        SEL_OPS(uint8_t, x);
        break;
    }
    case PHYS_I32: {
        int32_t x = VEC_I32(c)[0];
        SEL_OPS(int32_t, x);
        break;
    }
    case PHYS_I64: {
        int64_t x = VEC_I64(c)[0];
        SEL_OPS(int64_t, x);
        break;
    }
    case PHYS_F64: {
        double x = VEC_F64(c)[0];
        SEL_OPS_F64(x);
        break;
    }
    case PHYS_STR:
        m = select_str(v, op, &VEC_STR(c)[0], sel, n, out);
        break;
    }
    return m;
}

/* Fast path for `expr OP constant` (either order). Returns false when the
 * expression is not of that shape; then the caller evaluates it. */
bool select_compare_const(ThreadCtx *tc, ExprState *es, const Chunk *in,
                          const SelIdx *sel, uint32_t n, SelIdx *out_sel,
                          uint32_t *n_out, int *rc)
{
    const Expr *e = es->expr;
    CmpOp op;
    PhysType pt;
    if (e->kind != EXPR_FUNC || e->n_args != 2 || !decode(e->fn, &op, &pt))
        return false;
    int ci;
    if (e->args[1]->kind == EXPR_CONST || e->args[1]->kind == EXPR_PARAM)
        ci = 1;
    else if (e->args[0]->kind == EXPR_CONST || e->args[0]->kind == EXPR_PARAM)
        ci = 0;
    else
        return false;
    Vector *c, *v;
    *rc = expr_eval(tc, es->args[ci], in, sel, n, &c);
    if (*rc == EMBER_OK)
        *rc = expr_eval(tc, es->args[1 - ci], in, sel, n, &v);
    if (*rc != EMBER_OK)
        return true;
    if (v->is_const)
        return false;          /* both constant: leave it to the kernel */
    if (!vec_valid(c, 0)) {    /* comparing with NULL: never true */
        *n_out = 0;
        return true;
    }
    *n_out = select_const(v, ci == 1 ? op : flip(op), pt, c, sel, n, out_sel);
    return true;
}
