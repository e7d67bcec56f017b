/*
 * op_union.c -- UNION ALL (both inputs collected, then emitted in order:
 * left rows first) and the row replication step of INTERSECT / EXCEPT
 * [ALL], whose input carries per-row counts from each side.
 */
#include "exec/exec_int.h"

/* ------------------------------------------------------------------------
 * UNION ALL
 * ------------------------------------------------------------------------ */

typedef struct UnionGlobal {
    Collection rows;
    uint64_t pos;
} UnionGlobal;

typedef struct UnionLocal {
    Collection rows;
} UnionLocal;

static int union_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    UnionGlobal *ug = arena_calloc(cx->arena, sizeof(*ug));
    if (ug == NULL)
        return EMBER_NOMEM;
    *g = ug;
    return coll_init(&ug->rows, op->n_cols, op->types, cx->arena, cx->mc, 0);
}

static int union_sink_local(ThreadCtx *tc, const PhysOp *op, void *g,
                            int side, void **l)
{
    UNUSED(g);
    UNUSED(side);
    UnionLocal *ul = arena_calloc(tc->arena, sizeof(*ul));
    if (ul == NULL)
        return EMBER_NOMEM;
    *l = ul;
    return coll_init(&ul->rows, op->n_cols, op->types, tc->arena, tc->cx->mc,
                     0);
}

static int union_sink(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *in)
{
    UNUSED(tc);
    UNUSED(op);
    UNUSED(g);
    UnionLocal *ul = l;
    return coll_append(&ul->rows, in);
}

static int union_combine(ThreadCtx *tc, const PhysOp *op, void *g, void *l)
{
    UNUSED(tc);
    UNUSED(op);
    UnionGlobal *ug = g;
    UnionLocal *ul = l;
    int rc = coll_absorb(&ug->rows, &ul->rows);
    return rc;
}

static int union_next(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *out)
{
    UNUSED(l);
    UnionGlobal *ug = g;
    if (ug->pos >= ug->rows.n_rows) {
        out->count = 0;
        return EMBER_OK;
    }
    uint32_t n = (uint32_t)MIN(VEC_SIZE, ug->rows.n_rows - ug->pos);
    for (int i = 0; i < op->n_cols; i++)
        coll_view(&ug->rows, ug->pos, n, i, &out->cols[i]);
    ug->pos += n;
    out->count = n;
    out->sel = NULL;
    UNUSED(tc);
    return EMBER_OK;
}

const OpImpl op_union_impl = {
    .name = "Union",
    .init = union_init,
    .src_next = union_next,
    .sink_local = union_sink_local,
    .sink = union_sink,
    .combine = union_combine,
};

/* ------------------------------------------------------------------------
 * INTERSECT / EXCEPT replication: input = columns, count left, count right
 * ------------------------------------------------------------------------ */

typedef struct SetopLocal {
    uint32_t k;               /* next active input row */
    int64_t left;             /* copies of row k still to emit */
    bool mid;                 /* inside an input chunk */
    SelIdx *rep;
} SetopLocal;

static int setop_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(op);
    UNUSED(g);
    SetopLocal *sl = arena_calloc(tc->arena, sizeof(*sl));
    if (sl == NULL ||
        (sl->rep = arena_alloc(tc->arena, sizeof(SelIdx) * VEC_SIZE)) == NULL)
        return EMBER_NOMEM;
    *l = sl;
    return EMBER_OK;
}

static int64_t copies(const PhysOp *op, int64_t cl, int64_t cr)
{
    switch (op->setop) {
    case SETOP_INTERSECT:
        return op->all ? MIN(cl, cr) : (cl > 0 && cr > 0);
    case SETOP_EXCEPT:
        return op->all ? MAX(cl - cr, 0) : (cl > 0 && cr == 0);
    default:
        return op->all ? cl + cr : 1;
    }
}

static int setop_exec(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *in, Chunk *out, OpResult *res)
{
    UNUSED(tc);
    UNUSED(g);
    SetopLocal *sl = l;
    int nc = op->n_cols;
    const Vector *vl = &in->cols[nc], *vr = &in->cols[nc + 1];
    uint32_t n = chunk_active(in);
    if (!sl->mid) {
        sl->k = 0;
        sl->left = -1;
        sl->mid = true;
    }
    uint32_t m = 0;
    while (sl->k < n && m < VEC_SIZE) {
        uint32_t r = sel_row(in->sel, sl->k);
        if (sl->left < 0)
            sl->left = copies(op, VEC_I64(vl)[vl->is_const ? 0 : r],
                              VEC_I64(vr)[vr->is_const ? 0 : r]);
        while (sl->left > 0 && m < VEC_SIZE) {
            sl->rep[m++] = (SelIdx)r;
            sl->left--;
        }
        if (sl->left == 0) {
            sl->k++;
            sl->left = -1;
        }
    }
    for (int i = 0; i < nc; i++) {
        out->cols[i].has_nulls = false;
        out->cols[i].is_const = false;
        vector_gather(&out->cols[i], 0, &in->cols[i], sl->rep, m, NULL);
        out->cols[i].str_stable = in->cols[i].str_stable;
    }
    out->count = m;
    out->sel = NULL;
    if (sl->k < n) {
        *res = OP_HAVE_MORE;
    } else {
        sl->mid = false;
        *res = OP_NEED_INPUT;
    }
    return EMBER_OK;
}

const OpImpl op_setop_impl = {
    .name = "SetOp",
    .op_local = setop_local,
    .op_exec = setop_exec,
};

/* Table functions: range() / generate_series() produce their values here
 * (the others are evaluated by the planner into VALUES rows). */
typedef struct RangeLocal {
    uint64_t next;
} RangeLocal;

static int range_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(op);
    UNUSED(g);
    *l = arena_calloc(tc->arena, sizeof(RangeLocal));
    return *l ? EMBER_OK : EMBER_NOMEM;
}

static int range_next(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *out)
{
    UNUSED(g);
    RangeLocal *rl = l;
    uint64_t left = op->rng_count - rl->next;
    uint32_t n = (uint32_t)MIN(left, (uint64_t)tc->cx->vector_size);
    Vector *v = &out->cols[0];
    v->has_nulls = false;
    v->is_const = false;
    int64_t *d = VEC_I64(v);
    /* unsigned arithmetic: wraps instead of overflowing, and the values
     * produced are all within [start, stop] */
    uint64_t x = (uint64_t)op->rng_start + rl->next * (uint64_t)op->rng_step;
    for (uint32_t i = 0; i < n; i++, x += (uint64_t)op->rng_step)
        d[i] = (int64_t)x;
    rl->next += n;
    out->count = n;
    out->sel = NULL;
    return EMBER_OK;
}

const OpImpl op_tablefn_impl = {
    .name = "TableFunction",
    .src_local = range_local,
    .src_next = range_next,
};
