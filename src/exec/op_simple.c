/*
 * op_simple.c -- streaming operators that keep row positions (filter,
 * projection, limit) and the constant sources (VALUES, table functions).
 *
 * Filter and projection never copy data: a filter passes the input vectors
 * on with a narrower selection; a projection passes the vectors its
 * expressions evaluated (an input column is passed as is).
 */
#include <stdio.h>

#include "exec/exec_int.h"

/* ------------------------------------------------------------------------
 * Filter
 * ------------------------------------------------------------------------ */

typedef struct FilterLocal {
    ExprState *pred;
    SelIdx *sel;
} FilterLocal;

static int filter_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(g);
    FilterLocal *fl = arena_calloc(tc->arena, sizeof(*fl));
    if (fl == NULL)
        return EMBER_NOMEM;
    fl->sel = arena_alloc(tc->arena, sizeof(SelIdx) * VEC_SIZE);
    if (fl->sel == NULL)
        return EMBER_NOMEM;
    *l = fl;
    return expr_state_make(tc, tc->arena, op->pred, &fl->pred);
}

static int filter_exec(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                       Chunk *in, Chunk *out, OpResult *res)
{
    UNUSED(op);
    UNUSED(g);
    FilterLocal *fl = l;
    uint32_t n;
    int rc = expr_select(tc, fl->pred, in, in->sel, chunk_active(in),
                         fl->sel, &n);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0; i < in->n_cols; i++)
        out->cols[i] = in->cols[i];
    out->count = in->count;
    out->sel = fl->sel;
    out->n_sel = n;
    *res = OP_NEED_INPUT;
    return EMBER_OK;
}

const OpImpl op_filter_impl = {
    .name = "Filter",
    .op_local = filter_local,
    .op_exec = filter_exec,
};

/* ------------------------------------------------------------------------
 * Projection
 * ------------------------------------------------------------------------ */

typedef struct ProjectLocal {
    ExprState **exprs;
} ProjectLocal;

static int project_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(g);
    ProjectLocal *pl = arena_calloc(tc->arena, sizeof(*pl));
    if (pl == NULL)
        return EMBER_NOMEM;
    pl->exprs = arena_calloc(tc->arena,
                             sizeof(ExprState *) * (size_t)(op->n_cols + 1));
    if (pl->exprs == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_cols; i++) {
        int rc = expr_state_make(tc, tc->arena, op->exprs[i], &pl->exprs[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    *l = pl;
    return EMBER_OK;
}

static int project_exec(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                        Chunk *in, Chunk *out, OpResult *res)
{
    UNUSED(g);
    ProjectLocal *pl = l;
    uint32_t n = chunk_active(in);
    for (int i = 0; i < op->n_cols; i++) {
        Vector *v;
        int rc = expr_eval(tc, pl->exprs[i], in, in->sel, n, &v);
        if (rc != EMBER_OK)
            return rc;
        out->cols[i] = *v;
    }
    out->count = in->count;
    out->sel = in->sel;
    out->n_sel = in->n_sel;
    *res = OP_NEED_INPUT;
    return EMBER_OK;
}

const OpImpl op_project_impl = {
    .name = "Project",
    .op_local = project_local,
    .op_exec = project_exec,
};

/* ------------------------------------------------------------------------
 * Limit (the pipeline runs on one thread, so the counter is plain)
 * ------------------------------------------------------------------------ */

typedef struct LimitGlobal {
    int64_t skipped;
    int64_t emitted;
} LimitGlobal;

typedef struct LimitLocal {
    SelIdx *sel;
} LimitLocal;

static int limit_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    UNUSED(op);
    *g = arena_calloc(cx->arena, sizeof(LimitGlobal));
    return *g ? EMBER_OK : EMBER_NOMEM;
}

static int limit_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(op);
    UNUSED(g);
    LimitLocal *ll = arena_calloc(tc->arena, sizeof(*ll));
    if (ll == NULL || (ll->sel = arena_alloc(tc->arena, sizeof(SelIdx) *
                                                           VEC_SIZE)) == NULL)
        return EMBER_NOMEM;
    *l = ll;
    return EMBER_OK;
}

static int limit_exec(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *in, Chunk *out, OpResult *res)
{
    UNUSED(tc);
    LimitGlobal *lg = g;
    LimitLocal *ll = l;
    uint32_t n = chunk_active(in), m = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (lg->skipped < op->offset) {
            lg->skipped++;
            continue;
        }
        if (op->limit >= 0 && lg->emitted >= op->limit)
            break;
        ll->sel[m++] = (SelIdx)sel_row(in->sel, k);
        lg->emitted++;
    }
    for (int i = 0; i < in->n_cols; i++)
        out->cols[i] = in->cols[i];
    out->count = in->count;
    out->sel = ll->sel;
    out->n_sel = m;
    *res = op->limit >= 0 && lg->emitted >= op->limit ? OP_FINISHED
                                                      : OP_NEED_INPUT;
    return EMBER_OK;
}

const OpImpl op_limit_impl = {
    .name = "Limit",
    .init = limit_init,
    .op_local = limit_local,
    .op_exec = limit_exec,
};

/* ------------------------------------------------------------------------
 * VALUES: rows of expressions, constants in the common case
 * ------------------------------------------------------------------------ */

typedef struct ValuesLocal {
    int next_row;
} ValuesLocal;

static int values_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(op);
    UNUSED(g);
    *l = arena_calloc(tc->arena, sizeof(ValuesLocal));
    return *l ? EMBER_OK : EMBER_NOMEM;
}

static int values_next(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                       Chunk *out)
{
    UNUSED(g);
    ValuesLocal *vl = l;
    uint32_t n = 0;
    for (int i = 0; i < op->n_cols; i++) {
        out->cols[i].has_nulls = false;
        out->cols[i].is_const = false;
        out->cols[i].str_stable = false;
    }
    while (vl->next_row < op->n_rows && n < (uint32_t)tc->cx->vector_size) {
        for (int c = 0; c < op->n_cols; c++) {
            const Expr *e = op->exprs[(size_t)vl->next_row * op->n_cols + c];
            Value v;
            if (e->kind == EXPR_CONST) {
                v = e->val;
            } else {
                ArenaMark m = arena_mark(tc->arena);
                int rc = expr_eval_const(tc, e, tc->arena, &v);
                if (rc != EMBER_OK)
                    return rc;
                if (v.type.id != TYPE_VARCHAR || v.is_null)
                    arena_release(tc->arena, m);
            }
            vector_put_value(&out->cols[c], n, &v);
        }
        vl->next_row++;
        n++;
    }
    out->count = n;
    out->sel = NULL;
    return EMBER_OK;
}

const OpImpl op_values_impl = {
    .name = "Values",
    .src_local = values_local,
    .src_next = values_next,
};
