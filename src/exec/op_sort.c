/*
 * op_sort.c -- ORDER BY (full sort) and ORDER BY + LIMIT (top-N).
 *
 * Sink: rows and their evaluated sort keys are appended to a Collection
 * (per thread, concatenated on combine). Finalize sorts an array of row
 * numbers with a stable merge sort whose comparison walks the key columns
 * (NULL ordering and direction per key). Top-N keeps at most about
 * 2 x (limit + offset) rows: whenever the buffer doubles past that, it is
 * sorted and cut back, so memory and sort work stay proportional to N.
 *
 * Source: rows gathered in sorted order, after skipping the offset.
 */
#include "exec/exec_int.h"

typedef struct SortGlobal {
    Collection rows;          /* child cols, then keys */
    uint32_t *order;          /* sorted row numbers */
    uint64_t n_order;
    uint64_t pos;             /* source position in order */
    int n_child;
} SortGlobal;

typedef struct SortLocal {
    Collection rows;
    Collection spare;         /* top-N: the other buffer of compaction */
    ExprState **keys;
    Chunk tmp;
    uint64_t keep;            /* top-N: rows to keep, 0 = all */
} SortLocal;

typedef struct SortCmp {
    const Collection *c;
    const SortKey *keys;
    int n_keys;
    int first_key;            /* column of the first key */
} SortCmp;

/* ------------------------------------------------------------------------
 * Comparison and merge sort of row numbers
 * ------------------------------------------------------------------------ */

static int cmp_key(const SortCmp *s, int i, uint32_t a, uint32_t b)
{
    const ColBuf *cb = &s->c->cols[s->first_key + i];
    const SortKey *k = &s->keys[i];
    bool va = !cb->has_nulls || ((cb->validity[a >> 6] >> (a & 63)) & 1);
    bool vb = !cb->has_nulls || ((cb->validity[b >> 6] >> (b & 63)) & 1);
    if (!va || !vb) {
        if (va == vb)
            return 0;
        /* a NULL sorts first when nulls_first, whatever the direction */
        return (!va) == k->nulls_first ? -1 : 1;
    }
    int c;
    switch (type_phys(s->c->types[s->first_key + i])) {
    case PHYS_U8: {
        const uint8_t *d = cb->data;
        c = (d[a] > d[b]) - (d[a] < d[b]);
        break;
    }
    case PHYS_I32: {
        const int32_t *d = cb->data;
        c = (d[a] > d[b]) - (d[a] < d[b]);
        break;
    }
    case PHYS_I64: {
        const int64_t *d = cb->data;
        c = (d[a] > d[b]) - (d[a] < d[b]);
        break;
    }
    case PHYS_F64: {
        /* NaN above every number, equal to NaN (util.h f64_cmp) */
        const double *d = cb->data;
        c = f64_cmp(d[a], d[b]);
        break;
    }
    default: {
        const Str *d = cb->data;
        c = str_cmp(&d[a], &d[b]);
        break;
    }
    }
    return k->desc ? -c : c;
}

static int cmp_rows(const SortCmp *s, uint32_t a, uint32_t b)
{
    for (int i = 0; i < s->n_keys; i++) {
        int c = cmp_key(s, i, a, b);
        if (c)
            return c;
    }
    return 0;
}

/* Stable merge sort of v[0..n) using tmp[0..n). Bottom-up, with insertion
 * sort on runs of 16. */
static void merge_sort(const SortCmp *s, uint32_t *v, uint32_t *tmp,
                       uint64_t n)
{
    const uint64_t run = 16;
    for (uint64_t lo = 0; lo < n; lo += run) {
        uint64_t hi = MIN(lo + run, n);
        for (uint64_t i = lo + 1; i < hi; i++) {
            uint32_t x = v[i];
            uint64_t j = i;
            while (j > lo && cmp_rows(s, v[j - 1], x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    }
    uint32_t *src = v, *dst = tmp;
    for (uint64_t w = run; w < n; w *= 2) {
        for (uint64_t lo = 0; lo < n; lo += 2 * w) {
            uint64_t mid = MIN(lo + w, n), hi = MIN(lo + 2 * w, n);
            uint64_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = cmp_rows(s, src[j], src[i]) < 0 ? src[j++]
                                                           : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof(uint32_t));
}

static int sort_collection(const PhysOp *op, const Collection *c, int n_child,
                           Arena *a, uint32_t **out)
{
    uint64_t n = c->n_rows;
    uint32_t *v = arena_alloc(a, sizeof(uint32_t) * (n ? n : 1));
    uint32_t *tmp = arena_alloc(a, sizeof(uint32_t) * (n ? n : 1));
    if (v == NULL || tmp == NULL)
        return EMBER_NOMEM;
    for (uint64_t i = 0; i < n; i++)
        v[i] = (uint32_t)i;
    SortCmp s = {c, op->keys, op->n_keys_sort, n_child};
    merge_sort(&s, v, tmp, n);
    *out = v;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Sink
 * ------------------------------------------------------------------------ */

static int row_types(const PhysOp *op, Arena *a, Type **out, int *n)
{
    const PhysOp *ch = op->child[0];
    int nc = ch->n_cols + op->n_keys_sort;
    Type *t = arena_alloc(a, sizeof(Type) * (size_t)(nc ? nc : 1));
    if (t == NULL)
        return EMBER_NOMEM;
    memcpy(t, ch->types, sizeof(Type) * (size_t)ch->n_cols);
    for (int i = 0; i < op->n_keys_sort; i++)
        t[ch->n_cols + i] = op->keys[i].expr->type;
    *out = t;
    *n = nc;
    return EMBER_OK;
}

static int sort_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    SortGlobal *sg = arena_calloc(cx->arena, sizeof(*sg));
    if (sg == NULL)
        return EMBER_NOMEM;
    Type *t;
    int nc;
    if (row_types(op, cx->arena, &t, &nc) != EMBER_OK)
        return EMBER_NOMEM;
    sg->n_child = op->child[0]->n_cols;
    *g = sg;
    return coll_init(&sg->rows, nc, t, cx->arena, cx->mc, 0);
}

static uint64_t topn_keep(const PhysOp *op)
{
    if (op->kind != PH_TOPN || op->limit < 0)
        return 0;
    return (uint64_t)op->limit + (uint64_t)op->offset;
}

static int sort_sink_local(ThreadCtx *tc, const PhysOp *op, void *g,
                           int side, void **l)
{
    UNUSED(side);
    SortGlobal *sg = g;
    SortLocal *sl = arena_calloc(tc->arena, sizeof(*sl));
    if (sl == NULL)
        return EMBER_NOMEM;
    int rc = coll_init(&sl->rows, sg->rows.n_cols, sg->rows.types,
                       tc->arena, tc->cx->mc, 0);
    if (rc != EMBER_OK)
        return rc;
    sl->keys = arena_calloc(tc->arena, sizeof(ExprState *) *
                                           (size_t)(op->n_keys_sort + 1));
    sl->tmp.n_cols = sg->rows.n_cols;
    sl->tmp.cols = arena_calloc(tc->arena,
                                sizeof(Vector) * (size_t)(sl->tmp.n_cols + 1));
    if (sl->keys == NULL || sl->tmp.cols == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_keys_sort; i++) {
        rc = expr_state_make(tc, tc->arena, op->keys[i].expr, &sl->keys[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    sl->keep = topn_keep(op);
    *l = sl;
    return EMBER_OK;
}

/* Keep only the first `keep` rows of sl->rows in sort order (top-N). The
 * kept rows go to sl->spare, which then swaps places with sl->rows: two
 * collections serve every compaction, so memory and allocations stay
 * bounded by N whatever the input size. The sort order lives in the
 * scratch arena. */
static int compact(ThreadCtx *tc, const PhysOp *op, SortLocal *sl,
                   int n_child)
{
    Collection *c = &sl->rows, *out = &sl->spare;
    uint64_t keep = sl->keep;
    if (out->cols == NULL) {
        int rc = coll_init(out, c->n_cols, c->types, tc->arena, c->mc, keep);
        if (rc != EMBER_OK)
            return rc;
    }
    out->n_rows = 0;
    uint64_t n = MIN(keep, c->n_rows);
    if (coll_reserve(out, n) != EMBER_OK)
        return EMBER_NOMEM;
    ArenaMark m = arena_mark(tc->scratch);
    uint32_t *order;
    int rc = sort_collection(op, c, n_child, tc->scratch, &order);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0; i < c->n_cols && rc == EMBER_OK; i++) {
        const ColBuf *b = &c->cols[i];
        ColBuf *d = &out->cols[i];
        size_t w = type_width(c->types[i]);
        for (uint64_t k = 0; k < n; k++)
            memcpy((char *)d->data + k * w, (char *)b->data + order[k] * w,
                   w);
        d->has_nulls = false;
        if (b->has_nulls)
            rc = coll_copy_validity(out, i, b, order, n);
    }
    arena_release(tc->scratch, m);
    if (rc != EMBER_OK)
        return rc;
    out->n_rows = n;
    Collection t = *c;
    *c = *out;
    *out = t;
    return EMBER_OK;
}

static int sort_sink(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                     Chunk *in)
{
    SortGlobal *sg = g;
    SortLocal *sl = l;
    uint32_t n = chunk_active(in);
    for (int i = 0; i < sg->n_child; i++)
        sl->tmp.cols[i] = in->cols[i];
    for (int i = 0; i < op->n_keys_sort; i++) {
        Vector *v;
        int rc = expr_eval(tc, sl->keys[i], in, in->sel, n, &v);
        if (rc != EMBER_OK)
            return rc;
        sl->tmp.cols[sg->n_child + i] = *v;
    }
    sl->tmp.count = in->count;
    sl->tmp.sel = in->sel;
    sl->tmp.n_sel = in->n_sel;
    int rc = coll_append(&sl->rows, &sl->tmp);
    if (rc == EMBER_OK && sl->keep && sl->rows.n_rows >= 2 * sl->keep +
                                                             VEC_SIZE)
        rc = compact(tc, op, sl, sg->n_child);
    return rc;
}

static int sort_combine(ThreadCtx *tc, const PhysOp *op, void *g, void *l)
{
    UNUSED(tc);
    UNUSED(op);
    SortGlobal *sg = g;
    SortLocal *sl = l;
    int rc = coll_absorb(&sg->rows, &sl->rows);
    return rc;
}

static int sort_finalize(ExecCtx *cx, const PhysOp *op, void *g, int side)
{
    UNUSED(side);
    SortGlobal *sg = g;
    int rc = sort_collection(op, &sg->rows, sg->n_child, cx->arena,
                             &sg->order);
    if (rc != EMBER_OK)
        return rc;
    sg->n_order = sg->rows.n_rows;
    if (op->kind == PH_TOPN && op->limit >= 0)
        sg->n_order = MIN(sg->n_order,
                          (uint64_t)op->limit + (uint64_t)op->offset);
    sg->pos = op->offset > 0 ? (uint64_t)op->offset : 0;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Source
 * ------------------------------------------------------------------------ */

static int sort_next(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                     Chunk *out)
{
    UNUSED(l);
    SortGlobal *sg = g;
    uint64_t end = sg->n_order;
    if (op->kind == PH_SORT && op->limit >= 0)
        end = MIN(end, (uint64_t)op->offset + (uint64_t)op->limit);
    if (sg->pos >= end) {
        out->count = 0;
        return EMBER_OK;
    }
    uint32_t n = (uint32_t)MIN((uint64_t)tc->cx->vector_size, end - sg->pos);
    const uint32_t *ids = sg->order + sg->pos;
    for (int i = 0; i < op->n_cols; i++) {
        const ColBuf *b = &sg->rows.cols[i];
        Vector *v = &out->cols[i];
        v->is_const = false;
        vector_gather_ids(v, b->data, b->has_nulls ? b->validity : NULL,
                          sg->rows.types[i], ids, n);
        v->str_stable = true;
    }
    sg->pos += n;
    out->count = n;
    out->sel = NULL;
    return EMBER_OK;
}

const OpImpl op_sort_impl = {
    .name = "Sort",
    .init = sort_init,
    .src_next = sort_next,
    .sink_local = sort_sink_local,
    .sink = sort_sink,
    .combine = sort_combine,
    .finalize = sort_finalize,
};

const OpImpl op_topn_impl = {
    .name = "TopN",
    .init = sort_init,
    .src_next = sort_next,
    .sink_local = sort_sink_local,
    .sink = sort_sink,
    .combine = sort_combine,
    .finalize = sort_finalize,
};
