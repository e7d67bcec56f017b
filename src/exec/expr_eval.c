/*
 * expr_eval.c -- vectorized evaluation of bound expressions.
 *
 * Every node evaluates the active rows of a chunk into its own output
 * vector at the same row positions. Column references return the input
 * vector itself (no copy). Conditional forms (CASE, COALESCE) evaluate each
 * branch only on the rows that reach it, so a branch that would fail on
 * other rows (a division, a cast) is never run on them. Predicates in a
 * filter go through expr_select, which narrows a selection vector instead
 * of materializing booleans where it can (AND chains, OR unions).
 */
#include "exec/exec_int.h"

/* ------------------------------------------------------------------------
 * State construction
 * ------------------------------------------------------------------------ */

static int make_sel_buffers(ExprState *es, Arena *a)
{
    es->sel_a = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    es->sel_b = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    es->sel_c = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    es->flags = arena_alloc(a, VEC_SIZE);
    return es->sel_a && es->sel_b && es->sel_c && es->flags ? EMBER_OK
                                                           : EMBER_NOMEM;
}

int expr_state_make(ThreadCtx *tc, Arena *a, const Expr *e, ExprState **out)
{
    *out = NULL;
    if (e == NULL)
        return EMBER_OK;
    ExprState *es = arena_calloc(a, sizeof(*es));
    if (es == NULL)
        return EMBER_NOMEM;
    es->expr = e;
    Type t = e->type;
    if (t.id == TYPE_NULL)
        t = type_make(TYPE_BOOL);
    if (e->kind != EXPR_COLREF && vector_init(&es->out, t, a) != EMBER_OK)
        return EMBER_NOMEM;
    if (e->kind == EXPR_CONST || e->kind == EXPR_PARAM) {
        if (vector_init(&es->const_vec, t, a) != EMBER_OK)
            return EMBER_NOMEM;
        if (e->kind == EXPR_CONST)
            vector_set_const(&es->const_vec, &e->val);
        es->const_vec.str_stable = true;
    }
    es->n_args = e->n_args;
    if (e->n_args) {
        es->args = arena_calloc(a, sizeof(ExprState *) * (size_t)e->n_args);
        es->argv = arena_calloc(a, sizeof(Vector *) * (size_t)e->n_args);
        if (es->args == NULL || es->argv == NULL)
            return EMBER_NOMEM;
        for (int i = 0; i < e->n_args; i++) {
            int rc = expr_state_make(tc, a, e->args[i], &es->args[i]);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_CASE:
    case EXPR_COALESCE:
    case EXPR_IN_LIST:
    case EXPR_SUBQUERY:
    case EXPR_FUNC:
        if (make_sel_buffers(es, a) != EMBER_OK)
            return EMBER_NOMEM;
        break;
    default:
        break;
    }
    es->fn.err = &tc->err;
    es->fn.heap = tc->scratch;
    es->fn.pos = e->pos;
    es->fn.out_type = e->type;
    es->fn.iconst = e->has_iconst ? &e->iconst : NULL;
    if (e->kind == EXPR_SUBQUERY) {
        int rc = subquery_state_make(tc, a, es);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = es;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* out[r] = src[r] (or src[0] when constant) for the given rows. */
static void copy_rows(Vector *dst, const Vector *src, const SelIdx *sel,
                      uint32_t n)
{
    size_t w = type_width(dst->type);
    char *d = dst->data;
    const char *s = src->data;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        uint32_t sr = src->is_const ? 0 : r;
        if (src->has_nulls && !vec_valid(src, sr)) {
            vector_set_null(dst, r);
            continue;
        }
        if (dst->has_nulls)
            validity_set(dst->validity, r, true);
        memcpy(d + r * w, s + sr * w, w);
    }
}

static void set_null_rows(Vector *dst, const SelIdx *sel, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        vector_set_null(dst, sel_row(sel, k));
}

/* For strict functions: out validity = AND of argument validities. */
static void strict_validity(Vector *out, Vector **argv, int n_args,
                            const SelIdx *sel, uint32_t n)
{
    out->has_nulls = false;
    for (int i = 0; i < n_args; i++) {
        const Vector *a = argv[i];
        if (!a->has_nulls)
            continue;
        if (a->is_const) {
            if (!vec_valid(a, 0))
                set_null_rows(out, sel, n);
            continue;
        }
        if (!out->has_nulls) {
            if (sel == NULL) {
                memcpy(out->validity, a->validity,
                       ((n + 63) / 64) * sizeof(uint64_t));
                out->has_nulls = true;
                continue;
            }
            memset(out->validity, 0xff, VEC_WORDS * sizeof(uint64_t));
            out->has_nulls = true;
        }
        if (sel == NULL) {
            for (uint32_t w = 0; w < (n + 63) / 64; w++)
                out->validity[w] &= a->validity[w];
        } else {
            for (uint32_t k = 0; k < n; k++) {
                uint32_t r = sel[k];
                if (!((a->validity[r >> 6] >> (r & 63)) & 1))
                    validity_set(out->validity, r, false);
            }
        }
    }
}

static bool all_const(Vector **argv, int n)
{
    for (int i = 0; i < n; i++)
        if (!argv[i]->is_const)
            return false;
    return true;
}

/* ------------------------------------------------------------------------
 * Node evaluation
 * ------------------------------------------------------------------------ */

static int eval_args(ThreadCtx *tc, ExprState *es, const Chunk *in,
                     const SelIdx *sel, uint32_t n)
{
    for (int i = 0; i < es->n_args; i++) {
        int rc = expr_eval(tc, es->args[i], in, sel, n, &es->argv[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

static int eval_func(ThreadCtx *tc, ExprState *es, const Chunk *in,
                     const SelIdx *sel, uint32_t n)
{
    int rc = eval_args(tc, es, in, sel, n);
    if (rc != EMBER_OK)
        return rc;
    const FuncDef *fd = func_def((FuncId)es->expr->fn);
    es->fn.heap = tc->scratch;
    es->fn.err = &tc->err;
    Vector *out = &es->out;
    out->is_const = false;
    out->str_stable = false;
    /* All-constant arguments: compute one row and mark the result
     * constant, so a constant subexpression costs one evaluation. */
    bool cst = all_const(es->argv, es->n_args) && es->n_args > 0;
    const SelIdx *s = cst ? NULL : sel;
    uint32_t m = cst ? 1 : n;
    if (fd->strict)
        strict_validity(out, es->argv, es->n_args, s, m);
    else
        out->has_nulls = false;
    rc = fd->kernel(&es->fn, es->argv, es->n_args, s, m, out);
    out->is_const = cst;
    return rc;
}

static int eval_cast(ThreadCtx *tc, ExprState *es, const Chunk *in,
                     const SelIdx *sel, uint32_t n)
{
    Vector *arg;
    int rc = expr_eval(tc, es->args[0], in, sel, n, &arg);
    if (rc != EMBER_OK)
        return rc;
    es->fn.heap = tc->scratch;
    es->fn.err = &tc->err;
    Vector *out = &es->out;
    out->is_const = false;
    out->has_nulls = false;
    out->str_stable = false;
    if (arg->is_const) {
        rc = cast_vector(&es->fn, arg, NULL, 1, out);
        out->is_const = true;
        return rc;
    }
    return cast_vector(&es->fn, arg, sel, n, out);
}

/* Three-valued AND / OR over evaluated boolean arguments. */
static int eval_andor(ThreadCtx *tc, ExprState *es, const Chunk *in,
                      const SelIdx *sel, uint32_t n)
{
    int rc = eval_args(tc, es, in, sel, n);
    if (rc != EMBER_OK)
        return rc;
    bool is_and = es->expr->kind == EXPR_AND;
    Vector *out = &es->out;
    out->is_const = false;
    out->has_nulls = false;
    uint8_t *o = VEC_U8(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        bool any_null = false;
        bool decided = false;
        for (int i = 0; i < es->n_args && !decided; i++) {
            const Vector *a = es->argv[i];
            uint32_t ar = a->is_const ? 0 : r;
            if (!vec_valid(a, ar)) {
                any_null = true;
                continue;
            }
            bool v = VEC_U8(a)[ar] != 0;
            if (v != is_and)
                decided = true;
        }
        if (decided) {
            o[r] = is_and ? 0 : 1;
            if (out->has_nulls)
                validity_set(out->validity, r, true);
        } else if (any_null) {
            vector_set_null(out, r);
        } else {
            o[r] = is_and ? 1 : 0;
            if (out->has_nulls)
                validity_set(out->validity, r, true);
        }
    }
    return EMBER_OK;
}

static int eval_unary_bool(ThreadCtx *tc, ExprState *es, const Chunk *in,
                           const SelIdx *sel, uint32_t n)
{
    Vector *a;
    int rc = expr_eval(tc, es->args[0], in, sel, n, &a);
    if (rc != EMBER_OK)
        return rc;
    Vector *out = &es->out;
    out->is_const = false;
    out->has_nulls = false;
    uint8_t *o = VEC_U8(out);
    int kind = es->expr->kind;
    bool neg = es->expr->negated;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        uint32_t ar = a->is_const ? 0 : r;
        bool valid = vec_valid(a, ar);
        if (kind == EXPR_IS_NULL) {
            o[r] = (uint8_t)(valid == neg);
        } else if (kind == EXPR_IS_TRUE) {
            bool t = valid && VEC_U8(a)[ar];
            o[r] = (uint8_t)(t != neg);
        } else if (!valid) {            /* EXPR_NOT */
            vector_set_null(out, r);
        } else {
            o[r] = !VEC_U8(a)[ar];
        }
    }
    return EMBER_OK;
}

/* Rows of sel (n) not in sub (m, a subsequence of sel) into dst. */
static uint32_t sel_minus(const SelIdx *sel, uint32_t n, const SelIdx *sub,
                          uint32_t m, SelIdx *dst)
{
    uint32_t j = 0, o = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (j < m && sub[j] == r) {
            j++;
            continue;
        }
        dst[o++] = (SelIdx)r;
    }
    return o;
}

static int eval_case(ThreadCtx *tc, ExprState *es, const Chunk *in,
                     const SelIdx *sel, uint32_t n)
{
    Vector *out = &es->out;
    out->is_const = false;
    out->has_nulls = false;
    out->str_stable = true;
    /* remaining rows live in sel_a; matched in sel_b; rest in sel_c */
    uint32_t rem = n;
    for (uint32_t k = 0; k < n; k++)
        es->sel_a[k] = (SelIdx)sel_row(sel, k);
    int n_when = (es->n_args - 1) / 2;
    for (int i = 0; i < n_when && rem > 0; i++) {
        uint32_t nt;
        int rc = expr_select(tc, es->args[2 * i], in, es->sel_a, rem,
                             es->sel_b, &nt);
        if (rc != EMBER_OK)
            return rc;
        if (nt > 0) {
            Vector *v;
            rc = expr_eval(tc, es->args[2 * i + 1], in, es->sel_b, nt, &v);
            if (rc != EMBER_OK)
                return rc;
            copy_rows(out, v, es->sel_b, nt);
            if (!v->str_stable)
                out->str_stable = false;
        }
        rem = sel_minus(es->sel_a, rem, es->sel_b, nt, es->sel_c);
        memcpy(es->sel_a, es->sel_c, rem * sizeof(SelIdx));
    }
    if (rem > 0) {
        Vector *v;
        int rc = expr_eval(tc, es->args[es->n_args - 1], in, es->sel_a, rem,
                           &v);
        if (rc != EMBER_OK)
            return rc;
        copy_rows(out, v, es->sel_a, rem);
        if (!v->str_stable)
            out->str_stable = false;
    }
    return EMBER_OK;
}

static int eval_coalesce(ThreadCtx *tc, ExprState *es, const Chunk *in,
                         const SelIdx *sel, uint32_t n)
{
    Vector *out = &es->out;
    out->is_const = false;
    out->has_nulls = false;
    out->str_stable = true;
    uint32_t rem = n;
    for (uint32_t k = 0; k < n; k++)
        es->sel_a[k] = (SelIdx)sel_row(sel, k);
    for (int i = 0; i < es->n_args && rem > 0; i++) {
        Vector *v;
        int rc = expr_eval(tc, es->args[i], in, es->sel_a, rem, &v);
        if (rc != EMBER_OK)
            return rc;
        if (!v->str_stable)
            out->str_stable = false;
        uint32_t left = 0;
        for (uint32_t k = 0; k < rem; k++) {
            uint32_t r = es->sel_a[k];
            if (!vec_valid(v, v->is_const ? 0 : r))
                es->sel_a[left++] = (SelIdx)r;
            else
                copy_rows(out, v, &es->sel_a[k], 1);
        }
        rem = left;
    }
    set_null_rows(out, es->sel_a, rem);
    return EMBER_OK;
}

/* Equality of two non-NULL values of the same physical type. */
static bool values_eq(const Vector *a, uint32_t ra, const Vector *b,
                      uint32_t rb)
{
    switch ((PhysType)a->phys) {
    case PHYS_U8:
        return VEC_U8(a)[ra] == VEC_U8(b)[rb];
    case PHYS_I32:
        return VEC_I32(a)[ra] == VEC_I32(b)[rb];
    case PHYS_I64:
        return VEC_I64(a)[ra] == VEC_I64(b)[rb];
    case PHYS_F64:
        /* NaN = NaN, as for the = operator (util.h f64_cmp) */
        return f64_cmp(VEC_F64(a)[ra], VEC_F64(b)[rb]) == 0;
    case PHYS_STR:
        return str_eq(&VEC_STR(a)[ra], &VEC_STR(b)[rb]);
    }
    return false;
}

static int eval_in_list(ThreadCtx *tc, ExprState *es, const Chunk *in,
                        const SelIdx *sel, uint32_t n)
{
    int rc = eval_args(tc, es, in, sel, n);
    if (rc != EMBER_OK)
        return rc;
    Vector *out = &es->out;
    out->is_const = false;
    out->has_nulls = false;
    uint8_t *o = VEC_U8(out);
    const Vector *lhs = es->argv[0];
    bool neg = es->expr->negated;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (es->n_args == 1) {          /* x IN () is false */
            o[r] = neg;
            continue;
        }
        uint32_t lr = lhs->is_const ? 0 : r;
        if (!vec_valid(lhs, lr)) {
            vector_set_null(out, r);
            continue;
        }
        bool found = false, saw_null = false;
        for (int i = 1; i < es->n_args && !found; i++) {
            const Vector *v = es->argv[i];
            uint32_t vr = v->is_const ? 0 : r;
            if (!vec_valid(v, vr))
                saw_null = true;
            else if (values_eq(lhs, lr, v, vr))
                found = true;
        }
        if (!found && saw_null) {
            vector_set_null(out, r);
            continue;
        }
        if (out->has_nulls)
            validity_set(out->validity, r, true);
        o[r] = (uint8_t)(found != neg);
    }
    return EMBER_OK;
}

int expr_eval(ThreadCtx *tc, ExprState *es, const Chunk *in,
              const SelIdx *sel, uint32_t n, Vector **res)
{
    const Expr *e = es->expr;
    *res = &es->out;
    switch ((ExprKind)e->kind) {
    case EXPR_CONST:
        *res = &es->const_vec;
        return EMBER_OK;
    case EXPR_PARAM:
        vector_set_const(&es->const_vec, &tc->params[e->slot]);
        es->const_vec.str_stable = true;
        *res = &es->const_vec;
        return EMBER_OK;
    case EXPR_COLREF:
        *res = &in->cols[e->slot];
        return EMBER_OK;
    case EXPR_FUNC:
        return eval_func(tc, es, in, sel, n);
    case EXPR_CAST:
        return eval_cast(tc, es, in, sel, n);
    case EXPR_AND:
    case EXPR_OR:
        return eval_andor(tc, es, in, sel, n);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_TRUE:
        return eval_unary_bool(tc, es, in, sel, n);
    case EXPR_CASE:
        return eval_case(tc, es, in, sel, n);
    case EXPR_COALESCE:
        return eval_coalesce(tc, es, in, sel, n);
    case EXPR_IN_LIST:
        return eval_in_list(tc, es, in, sel, n);
    case EXPR_SUBQUERY:
        es->out.is_const = false;
        es->out.has_nulls = false;
        return subquery_eval(tc, es, in, sel, n);
    }
    return err_set(&tc->err, EMBER_INTERNAL, e->pos,
                   "unexpected expression kind %d", e->kind);
}

/* ------------------------------------------------------------------------
 * Selection
 * ------------------------------------------------------------------------ */

/* Merge two ascending row lists into dst (may alias neither). */
static uint32_t sel_union(const SelIdx *a, uint32_t na, const SelIdx *b,
                          uint32_t nb, SelIdx *dst)
{
    uint32_t i = 0, j = 0, o = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            dst[o++] = a[i++];
        else if (b[j] < a[i])
            dst[o++] = b[j++];
        else {
            dst[o++] = a[i++];
            j++;
        }
    }
    while (i < na)
        dst[o++] = a[i++];
    while (j < nb)
        dst[o++] = b[j++];
    return o;
}

static int select_or(ThreadCtx *tc, ExprState *es, const Chunk *in,
                     const SelIdx *sel, uint32_t n, SelIdx *out_sel,
                     uint32_t *n_out)
{
    /* sel_a: rows still undecided; sel_b: accepted so far */
    uint32_t rem = n, acc = 0;
    for (uint32_t k = 0; k < n; k++)
        es->sel_a[k] = (SelIdx)sel_row(sel, k);
    SelIdx tmp[VEC_SIZE];
    for (int i = 0; i < es->n_args && rem > 0; i++) {
        uint32_t nt;
        int rc = expr_select(tc, es->args[i], in, es->sel_a, rem, tmp, &nt);
        if (rc != EMBER_OK)
            return rc;
        if (nt == 0)
            continue;
        acc = sel_union(es->sel_b, acc, tmp, nt, es->sel_c);
        memcpy(es->sel_b, es->sel_c, acc * sizeof(SelIdx));
        rem = sel_minus(es->sel_a, rem, tmp, nt, es->sel_c);
        memcpy(es->sel_a, es->sel_c, rem * sizeof(SelIdx));
    }
    memcpy(out_sel, es->sel_b, acc * sizeof(SelIdx));
    *n_out = acc;
    return EMBER_OK;
}

int expr_select(ThreadCtx *tc, ExprState *es, const Chunk *in,
                const SelIdx *sel, uint32_t n, SelIdx *out_sel,
                uint32_t *n_out)
{
    const Expr *e = es->expr;
    if (e->kind == EXPR_AND) {
        const SelIdx *cur = sel;
        uint32_t m = n;
        for (int i = 0; i < es->n_args && m > 0; i++) {
            int rc = expr_select(tc, es->args[i], in, cur, m, out_sel, &m);
            if (rc != EMBER_OK)
                return rc;
            cur = out_sel;
        }
        if (cur == sel && sel != out_sel) {
            for (uint32_t k = 0; k < m; k++)
                out_sel[k] = (SelIdx)sel_row(sel, k);
        }
        *n_out = m;
        return EMBER_OK;
    }
    if (e->kind == EXPR_OR)
        return select_or(tc, es, in, sel, n, out_sel, n_out);
    int rc;
    if (select_compare_const(tc, es, in, sel, n, out_sel, n_out, &rc))
        return rc;
    Vector *v;
    rc = expr_eval(tc, es, in, sel, n, &v);
    if (rc != EMBER_OK)
        return rc;
    uint32_t m = 0;
    const uint8_t *b = VEC_U8(v);
    if (v->is_const) {
        bool keep = vec_valid(v, 0) && b[0];
        for (uint32_t k = 0; k < n && keep; k++)
            out_sel[m++] = (SelIdx)sel_row(sel, k);
    } else if (!v->has_nulls) {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = sel_row(sel, k);
            out_sel[m] = (SelIdx)r;
            m += b[r] != 0;
        }
    } else {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = sel_row(sel, k);
            out_sel[m] = (SelIdx)r;
            m += (b[r] != 0) & ((v->validity[r >> 6] >> (r & 63)) & 1);
        }
    }
    *n_out = m;
    return EMBER_OK;
}

int expr_eval_const(ThreadCtx *tc, const Expr *e, Arena *a, Value *out)
{
    ExprState *es;
    int rc = expr_state_make(tc, a, e, &es);
    if (rc != EMBER_OK)
        return rc;
    Chunk dummy;
    memset(&dummy, 0, sizeof(dummy));
    dummy.count = 1;
    Vector *v;
    rc = expr_eval(tc, es, &dummy, NULL, 1, &v);
    if (rc != EMBER_OK)
        return rc;
    *out = vector_get_value(v, 0);
    if (out->type.id == TYPE_VARCHAR && !out->is_null)
        out->v.s = str_copy(a, str_data(&out->v.s), out->v.s.len);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Hashing of vectors (joins, aggregates, distinct)
 * ------------------------------------------------------------------------ */

#define NULL_HASH 0x6a09e667f3bcc909ULL

uint64_t hash_vector_row(const Vector *v, uint32_t row)
{
    uint32_t r = v->is_const ? 0 : row;
    if (!vec_valid(v, r))
        return NULL_HASH;
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        return hash_u64(VEC_U8(v)[r]);
    case PHYS_I32:
        return hash_u64((uint64_t)(int64_t)VEC_I32(v)[r]);
    case PHYS_I64:
        return hash_u64((uint64_t)VEC_I64(v)[r]);
    case PHYS_F64:
        return hash_double(VEC_F64(v)[r]);
    case PHYS_STR:
        return hash_str(&VEC_STR(v)[r]);
    }
    return 0;
}

#define HASH_LOOP(EXPR)                                                    \
    do {                                                                   \
        if (first)                                                         \
            for (uint32_t k = 0; k < n; k++) {                             \
                uint32_t r = sel_row(sel, k);                              \
                hashes[k] = (EXPR);                                        \
            }                                                              \
        else                                                               \
            for (uint32_t k = 0; k < n; k++) {                             \
                uint32_t r = sel_row(sel, k);                              \
                hashes[k] = hash_combine(hashes[k], (EXPR));               \
            }                                                              \
    } while (0)

/* hashes[k] for the k-th active row (combined with the existing value
 * unless `first`). */
void hash_vector(const Vector *v, const SelIdx *sel, uint32_t n,
                 uint64_t *hashes, bool first)
{
    if (v->is_const || v->has_nulls) {
        HASH_LOOP(hash_vector_row(v, r));
        return;
    }
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        HASH_LOOP(hash_u64(VEC_U8(v)[r]));
        break;
    case PHYS_I32:
        HASH_LOOP(hash_u64((uint64_t)(int64_t)VEC_I32(v)[r]));
        break;
    case PHYS_I64:
        HASH_LOOP(hash_u64((uint64_t)VEC_I64(v)[r]));
        break;
    case PHYS_F64:
        HASH_LOOP(hash_double(VEC_F64(v)[r]));
        break;
    case PHYS_STR:
        HASH_LOOP(hash_str(&VEC_STR(v)[r]));
        break;
    }
}
