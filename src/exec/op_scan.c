/*
 * op_scan.c -- table scan: the source of most pipelines.
 *
 * Morsels are row groups, handed out by an atomic counter. Within a group
 * the scan emits one chunk per vector of rows; the chunk's vectors point
 * straight into the table's arrays (no copy). Pushed-down filters narrow
 * the chunk's selection before it leaves the scan, and slices where no row
 * passes are skipped. With setting vector_size < 2048 each chunk's
 * selection covers at most that many rows, so every operator runs that
 * many rows per call (vector_size = 1 is row-at-a-time execution).
 */
#include "exec/exec_int.h"

typedef struct ScanGlobal {
    atomic_uint next_group;
    uint32_t n_groups;
} ScanGlobal;

typedef struct ScanLocal {
    uint32_t group;           /* current group, or UINT32_MAX for none */
    uint32_t off;             /* next vector offset within the group */
    uint32_t sub;             /* next row within the current slice */
    uint32_t slice_rows;      /* rows in the current slice (small vectors) */
    ExprState **filters;
    SelIdx *sel;
    SelIdx *slice_sel;        /* filtered rows of the current slice */
    uint32_t slice_n;
    uint32_t slice_pos;
} ScanLocal;

static int scan_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    ScanGlobal *sg = arena_calloc(cx->arena, sizeof(*sg));
    if (sg == NULL)
        return EMBER_NOMEM;
    atomic_init(&sg->next_group, 0);
    sg->n_groups = op->table->data.n_groups;
    *g = sg;
    return EMBER_OK;
}

static int scan_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(g);
    ScanLocal *sl = arena_calloc(tc->arena, sizeof(*sl));
    if (sl == NULL)
        return EMBER_NOMEM;
    sl->group = UINT32_MAX;
    sl->sel = arena_alloc(tc->arena, sizeof(SelIdx) * VEC_SIZE);
    sl->slice_sel = arena_alloc(tc->arena, sizeof(SelIdx) * VEC_SIZE);
    if (sl->sel == NULL || sl->slice_sel == NULL)
        return EMBER_NOMEM;
    if (op->n_filters) {
        sl->filters = arena_alloc(tc->arena,
                                  sizeof(ExprState *) * (size_t)op->n_filters);
        if (sl->filters == NULL)
            return EMBER_NOMEM;
        for (int i = 0; i < op->n_filters; i++) {
            int rc = expr_state_make(tc, tc->arena, op->filters[i],
                                     &sl->filters[i]);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    *l = sl;
    return EMBER_OK;
}

/* Point out's vectors at rows [off, off+n) of group g. */
static void view_slice(const PhysOp *op, uint32_t g, uint32_t off, uint32_t n,
                       Chunk *out)
{
    const TableData *t = &op->table->data;
    for (int i = 0; i < op->n_cols; i++)
        tdata_view(t, g, off, n, op->scan_cols[i], &out->cols[i]);
    out->count = n;
    out->sel = NULL;
    out->n_sel = 0;
}

/* Apply the pushed-down filters to the whole slice; result in slice_sel. */
static int filter_slice(ThreadCtx *tc, const PhysOp *op, ScanLocal *sl,
                        Chunk *out)
{
    const SelIdx *cur = NULL;
    uint32_t n = out->count;
    for (int i = 0; i < op->n_filters && n > 0; i++) {
        int rc = expr_select(tc, sl->filters[i], out, cur, n, sl->slice_sel,
                             &n);
        if (rc != EMBER_OK)
            return rc;
        cur = sl->slice_sel;
    }
    if (cur == NULL)
        for (uint32_t k = 0; k < n; k++)
            sl->slice_sel[k] = (SelIdx)k;
    sl->slice_n = n;
    sl->slice_pos = 0;
    return EMBER_OK;
}

/* Advance to the next slice with rows; false when the scan is done. */
static bool next_slice(ScanGlobal *sg, ScanLocal *sl, const TableData *t)
{
    for (;;) {
        if (sl->group != UINT32_MAX &&
            sl->off < t->groups[sl->group]->n_rows)
            return true;
        uint32_t g = atomic_fetch_add(&sg->next_group, 1);
        if (g >= sg->n_groups)
            return false;
        sl->group = g;
        sl->off = 0;
    }
}

static int scan_next(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                     Chunk *out)
{
    ScanGlobal *sg = g;
    ScanLocal *sl = l;
    const TableData *t = &op->table->data;
    uint32_t vs = (uint32_t)tc->cx->vector_size;
    for (;;) {
        if (sl->slice_pos < sl->slice_n) {
            /* emit the next window of the filtered slice */
            uint32_t n = MIN(vs, sl->slice_n - sl->slice_pos);
            out->count = sl->slice_rows;
            if (n == sl->slice_rows && sl->slice_pos == 0) {
                out->sel = NULL;
            } else {
                memcpy(sl->sel, sl->slice_sel + sl->slice_pos,
                       n * sizeof(SelIdx));
                out->sel = sl->sel;
                out->n_sel = n;
            }
            sl->slice_pos += n;
            return EMBER_OK;
        }
        if (!next_slice(sg, sl, t)) {
            out->count = 0;
            return EMBER_OK;
        }
        uint32_t rows = t->groups[sl->group]->n_rows;
        uint32_t n = MIN(VEC_SIZE, rows - sl->off);
        view_slice(op, sl->group, sl->off, n, out);
        sl->off += n;
        sl->slice_rows = n;
        if (op->n_filters == 0 && vs >= VEC_SIZE)
            return EMBER_OK;
        int rc = filter_slice(tc, op, sl, out);
        if (rc != EMBER_OK)
            return rc;
    }
}

const OpImpl op_scan_impl = {
    .name = "Scan",
    .init = scan_init,
    .src_local = scan_local,
    .src_next = scan_next,
};
