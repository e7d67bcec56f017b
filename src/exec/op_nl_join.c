/*
 * op_nl_join.c -- nested-loop join, for conditions without an equality
 * (and for every join when enable_hashjoin is off).
 *
 * The inner side (child[1]) is collected first. For each outer chunk the
 * operator walks the inner rows; inner row j is presented as constant
 * vectors next to the outer vectors, so the condition is evaluated over
 * the whole outer chunk at once and the output needs no copy: outer
 * vectors with a selection plus constants. One output chunk per inner row
 * with matches; the operator is called again (OP_HAVE_MORE) until the
 * inner rows are exhausted.
 */
#include "exec/exec_int.h"

typedef struct NlGlobal {
    Collection inner;
    uint8_t *matched;         /* RIGHT/FULL: inner row matched */
    uint64_t flush_pos;
} NlGlobal;

typedef struct NlSinkLocal {
    Collection rows;
} NlSinkLocal;

typedef struct NlLocal {
    uint64_t j;               /* next inner row */
    bool started;
    uint8_t *found;           /* per physical outer row */
    uint8_t *saw_null;
    Vector *inner_vecs;       /* constant vectors for the current row */
    uint64_t *inner_valid;    /* one word per inner column */
    Chunk joined;             /* outer cols ++ inner consts (shallow) */
    ExprState *cond;
    SelIdx *sel;
    SelIdx *in_sel;           /* active outer rows */
    uint32_t n_in;
} NlLocal;

static bool outer_inner(JoinType t)
{
    return t == JT_RIGHT || t == JT_FULL;
}

static int nl_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    NlGlobal *ng = arena_calloc(cx->arena, sizeof(*ng));
    if (ng == NULL)
        return EMBER_NOMEM;
    const PhysOp *in = op->child[1];
    int rc = coll_init(&ng->inner, in->n_cols, in->types, cx->arena, cx->mc,
                       0);
    if (rc != EMBER_OK)
        return rc;
    *g = ng;
    return EMBER_OK;
}

static int nl_sink_local(ThreadCtx *tc, const PhysOp *op, void *g, int side,
                         void **l)
{
    UNUSED(g);
    UNUSED(side);
    NlSinkLocal *sl = arena_calloc(tc->arena, sizeof(*sl));
    if (sl == NULL)
        return EMBER_NOMEM;
    *l = sl;
    const PhysOp *in = op->child[1];
    return coll_init(&sl->rows, in->n_cols, in->types, tc->arena, tc->cx->mc,
                     0);
}

static int nl_sink(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                   Chunk *in)
{
    UNUSED(tc);
    UNUSED(op);
    UNUSED(g);
    NlSinkLocal *sl = l;
    return coll_append(&sl->rows, in);
}

static int nl_combine(ThreadCtx *tc, const PhysOp *op, void *g, void *l)
{
    UNUSED(tc);
    UNUSED(op);
    NlGlobal *ng = g;
    NlSinkLocal *sl = l;
    int rc = coll_absorb(&ng->inner, &sl->rows);
    return rc;
}

static int nl_finalize(ExecCtx *cx, const PhysOp *op, void *g, int side)
{
    UNUSED(side);
    NlGlobal *ng = g;
    if (outer_inner(op->join)) {
        ng->matched = arena_calloc(cx->arena, ng->inner.n_rows + 1);
        if (ng->matched == NULL)
            return EMBER_NOMEM;
    }
    return EMBER_OK;
}

static int nl_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(g);
    Arena *a = tc->arena;
    NlLocal *nl = arena_calloc(a, sizeof(*nl));
    if (nl == NULL)
        return EMBER_NOMEM;
    int np = op->child[0]->n_cols, ni = op->child[1]->n_cols;
    nl->found = arena_alloc(a, VEC_SIZE);
    nl->saw_null = arena_alloc(a, VEC_SIZE);
    nl->inner_vecs = arena_calloc(a, sizeof(Vector) * (size_t)(ni + 1));
    nl->inner_valid = arena_calloc(a, sizeof(uint64_t) * (size_t)(ni + 1));
    nl->joined.cols = arena_calloc(a, sizeof(Vector) * (size_t)(np + ni + 1));
    nl->sel = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    nl->in_sel = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    if (!nl->found || !nl->saw_null || !nl->inner_vecs || !nl->inner_valid ||
        !nl->joined.cols || !nl->sel || !nl->in_sel)
        return EMBER_NOMEM;
    nl->joined.n_cols = np + ni;
    for (int i = 0; i < ni; i++) {
        Vector *v = &nl->inner_vecs[i];
        v->type = op->child[1]->types[i];
        v->phys = (uint8_t)type_phys(v->type);
        v->is_const = true;
        v->str_stable = true;
        v->validity = &nl->inner_valid[i];
    }
    *l = nl;
    return expr_state_make(tc, a, op->residual, &nl->cond);
}

/* Make inner row j the constant inner columns of `joined`. */
static void set_inner_row(const PhysOp *op, NlGlobal *ng, NlLocal *nl,
                          uint64_t j)
{
    int np = op->child[0]->n_cols;
    for (int i = 0; i < ng->inner.n_cols; i++) {
        Vector *v = &nl->inner_vecs[i];
        const ColBuf *b = &ng->inner.cols[i];
        v->data = (char *)b->data + j * type_width(v->type);
        bool valid = !b->has_nulls || ((b->validity[j >> 6] >> (j & 63)) & 1);
        v->has_nulls = !valid;
        nl->inner_valid[i] = valid ? 1 : 0;
        nl->joined.cols[np + i] = *v;
    }
}

/* Evaluate the condition for inner row j over the active outer rows:
 * matching rows into nl->sel (count returned), NULL results noted. */
static int eval_cond(ThreadCtx *tc, const PhysOp *op, NlLocal *nl,
                     uint32_t *n_match)
{
    if (nl->cond == NULL) {
        memcpy(nl->sel, nl->in_sel, nl->n_in * sizeof(SelIdx));
        *n_match = nl->n_in;
        return EMBER_OK;
    }
    bool need_nulls = op->join == JT_MARK || op->join == JT_ANTI_NULL;
    if (!need_nulls)
        return expr_select(tc, nl->cond, &nl->joined, nl->in_sel, nl->n_in,
                           nl->sel, n_match);
    Vector *v;
    int rc = expr_eval(tc, nl->cond, &nl->joined, nl->in_sel, nl->n_in, &v);
    if (rc != EMBER_OK)
        return rc;
    uint32_t m = 0;
    for (uint32_t k = 0; k < nl->n_in; k++) {
        uint32_t r = nl->in_sel[k];
        uint32_t vr = v->is_const ? 0 : r;
        if (!vec_valid(v, vr))
            nl->saw_null[r] = 1;
        else if (VEC_U8(v)[vr])
            nl->sel[m++] = (SelIdx)r;
    }
    *n_match = m;
    return EMBER_OK;
}

static void start_chunk(const PhysOp *op, NlLocal *nl, Chunk *in)
{
    int np = op->child[0]->n_cols;
    for (int i = 0; i < np; i++)
        nl->joined.cols[i] = in->cols[i];
    nl->joined.count = in->count;
    nl->n_in = chunk_active(in);
    for (uint32_t k = 0; k < nl->n_in; k++) {
        uint32_t r = sel_row(in->sel, k);
        nl->in_sel[k] = (SelIdx)r;
        nl->found[r] = 0;
        nl->saw_null[r] = 0;
    }
    nl->j = 0;
    nl->started = true;
}

/* Outer rows of `in` selected by keep(found, saw_null), inner NULL. */
static void emit_outer(const PhysOp *op, NlLocal *nl, Chunk *in, Chunk *out,
                       bool with_nulls)
{
    int np = op->child[0]->n_cols;
    uint32_t m = 0;
    for (uint32_t k = 0; k < nl->n_in; k++) {
        uint32_t r = nl->in_sel[k];
        bool keep;
        switch (op->join) {
        case JT_SEMI:
            keep = nl->found[r];
            break;
        case JT_ANTI:
            keep = !nl->found[r];
            break;
        case JT_ANTI_NULL:
            keep = !nl->found[r] && !nl->saw_null[r];
            break;
        default:
            keep = !nl->found[r];
            break;
        }
        nl->sel[m] = (SelIdx)r;
        m += keep;
    }
    for (int i = 0; i < np; i++)
        out->cols[i] = in->cols[i];
    if (with_nulls) {
        for (int i = np; i < op->n_cols; i++) {
            Vector *v = &nl->inner_vecs[i - np];
            nl->inner_valid[i - np] = 0;
            v->has_nulls = true;
            out->cols[i] = *v;
        }
    }
    out->count = in->count;
    out->sel = nl->sel;
    out->n_sel = m;
}

static void emit_mark(const PhysOp *op, NlLocal *nl, Chunk *in, Chunk *out)
{
    int np = op->child[0]->n_cols;
    Vector *mv = &out->cols[np];
    mv->has_nulls = false;
    mv->is_const = false;
    for (uint32_t k = 0; k < nl->n_in; k++) {
        uint32_t r = nl->in_sel[k];
        if (!nl->found[r] && nl->saw_null[r]) {
            vector_set_null(mv, r);
            continue;
        }
        VEC_U8(mv)[r] = nl->found[r];
        if (mv->has_nulls)
            validity_set(mv->validity, r, true);
    }
    for (int i = 0; i < np; i++)
        out->cols[i] = in->cols[i];
    out->count = in->count;
    out->sel = in->sel;
    out->n_sel = in->n_sel;
}

static int nl_exec(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                   Chunk *in, Chunk *out, OpResult *res)
{
    NlGlobal *ng = g;
    NlLocal *nl = l;
    if (!nl->started)
        start_chunk(op, nl, in);
    bool pairs = op->join == JT_INNER || op->join == JT_LEFT ||
                 op->join == JT_RIGHT || op->join == JT_FULL ||
                 op->join == JT_SINGLE;
    while (nl->j < ng->inner.n_rows) {
        uint64_t j = nl->j++;
        set_inner_row(op, ng, nl, j);
        uint32_t m;
        int rc = eval_cond(tc, op, nl, &m);
        if (rc != EMBER_OK)
            return rc;
        if (m == 0)
            continue;
        for (uint32_t k = 0; k < m; k++) {
            uint32_t r = nl->sel[k];
            if (op->join == JT_SINGLE && nl->found[r])
                return err_set(&tc->err, EMBER_ERROR, -1,
                               "more than one row returned by a subquery "
                               "used as an expression");
            nl->found[r] = 1;
        }
        if (ng->matched)
            __atomic_store_n(&ng->matched[j], 1, __ATOMIC_RELAXED);
        if (!pairs)
            continue;
        for (int i = 0; i < nl->joined.n_cols; i++)
            out->cols[i] = nl->joined.cols[i];
        out->count = in->count;
        out->sel = nl->sel;
        out->n_sel = m;
        *res = OP_HAVE_MORE;
        return EMBER_OK;
    }
    nl->started = false;
    *res = OP_NEED_INPUT;
    switch (op->join) {
    case JT_INNER:
    case JT_RIGHT:
        out->count = 0;
        break;
    case JT_MARK:
        emit_mark(op, nl, in, out);
        break;
    case JT_LEFT:
    case JT_FULL:
    case JT_SINGLE:
        emit_outer(op, nl, in, out, true);
        break;
    default:
        emit_outer(op, nl, in, out, false);
        break;
    }
    return EMBER_OK;
}

static int nl_flush(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                    Chunk *out)
{
    UNUSED(tc);
    UNUSED(l);
    NlGlobal *ng = g;
    if (!outer_inner(op->join)) {
        out->count = 0;
        return EMBER_OK;
    }
    uint32_t ids[VEC_SIZE];
    uint32_t m = 0;
    while (ng->flush_pos < ng->inner.n_rows && m < VEC_SIZE) {
        uint64_t r = ng->flush_pos++;
        if (!ng->matched[r])
            ids[m++] = (uint32_t)r;
    }
    int np = op->child[0]->n_cols;
    for (int i = 0; i < np; i++) {
        out->cols[i].has_nulls = false;
        out->cols[i].is_const = false;
        for (uint32_t k = 0; k < m; k++)
            vector_set_null(&out->cols[i], k);
    }
    for (int i = 0; i < ng->inner.n_cols; i++) {
        const ColBuf *b = &ng->inner.cols[i];
        vector_gather_ids(&out->cols[np + i], b->data,
                          b->has_nulls ? b->validity : NULL,
                          ng->inner.types[i], ids, m);
        out->cols[np + i].is_const = false;
        out->cols[np + i].str_stable = true;
    }
    out->count = m;
    out->sel = NULL;
    return EMBER_OK;
}

const OpImpl op_nl_join_impl = {
    .name = "NestedLoopJoin",
    .init = nl_init,
    .op_local = nl_local,
    .op_exec = nl_exec,
    .op_flush = nl_flush,
    .sink_local = nl_sink_local,
    .sink = nl_sink,
    .combine = nl_combine,
    .finalize = nl_finalize,
};
