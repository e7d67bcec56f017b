/*
 * op_scan.c -- table scan: the source of most pipelines.
 *
 * Morsels are row groups, handed out by an atomic counter. Within a group
 * the scan emits one chunk per vector of rows; the chunk's vectors point
 * straight into the table's arrays (no copy), except dictionary-encoded
 * string columns, decoded into a per-thread vector (16 bytes per row from
 * a dictionary of at most 255 entries that stays in L1).
 *
 * A pushed-down filter that reads one dictionary-encoded column and
 * cannot fail (comparisons, IN lists, LIKE, IS NULL, AND/OR/NOT of them)
 * is evaluated once per row group on the dictionary, plus one NULL, into
 * a table of outcomes per code; rows are then kept by looking up their
 * code, without comparing a string. Pushed-down filters narrow
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
    Str **dec;                /* per scan column: VARCHAR decode buffer */
    struct DictFilter *df;    /* per filter */
    Chunk dict_chunk;         /* a dictionary as the filters' input */
    Str dict_vals[DICT_MAX + 1];
    uint64_t dict_valid[(DICT_MAX + 1 + 63) / 64];
} ScanLocal;

/* Filter i's outcome per code of the current group's dictionary. */
typedef struct DictFilter {
    int col;                  /* the scan column it reads, or -1 */
    uint32_t group;           /* group `pass` is for, or UINT32_MAX */
    bool pass_null;           /* outcome for a NULL */
    uint8_t pass[DICT_MAX];
} DictFilter;

/* True when e can be evaluated on a dictionary: only the kinds of node
 * and functions below (none can fail), reading one column: *col. */
static bool dict_safe(const Expr *e, int *col)
{
    switch (e->kind) {
    case EXPR_CONST:
        return true;
    case EXPR_COLREF:
        if (*col >= 0 && *col != e->slot)
            return false;
        *col = e->slot;
        return true;
    case EXPR_FUNC:
        switch (e->fn) {
        case F_EQ_STR: case F_NE_STR: case F_LT_STR: case F_LE_STR:
        case F_GT_STR: case F_GE_STR: case F_DISTINCT_STR:
        case F_NOT_DISTINCT_STR: case F_LIKE: case F_ILIKE:
            break;
        default:
            return false;
        }
        /* fall through */
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_TRUE:
    case EXPR_IN_LIST:
        for (int i = 0; i < e->n_args; i++)
            if (!dict_safe(e->args[i], col))
                return false;
        return true;
    default:
        return false;
    }
}

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
    sl->dec = arena_calloc(tc->arena, sizeof(Str *) * (size_t)(op->n_cols + 1));
    if (sl->sel == NULL || sl->slice_sel == NULL || sl->dec == NULL)
        return EMBER_NOMEM;
    const TableData *t = &op->table->data;
    for (int i = 0; i < op->n_cols; i++) {
        if (type_phys(t->types[op->scan_cols[i]]) != PHYS_STR)
            continue;
        sl->dec[i] = arena_alloc(tc->arena, sizeof(Str) * VEC_SIZE);
        if (sl->dec[i] == NULL)
            return EMBER_NOMEM;
    }
    if (op->n_filters) {
        sl->filters = arena_alloc(tc->arena,
                                  sizeof(ExprState *) * (size_t)op->n_filters);
        sl->df = arena_alloc(tc->arena,
                             sizeof(DictFilter) * (size_t)op->n_filters);
        sl->dict_chunk.cols = arena_alloc(tc->arena,
                                          sizeof(Vector) * (size_t)op->n_cols);
        if (sl->filters == NULL || sl->df == NULL ||
            sl->dict_chunk.cols == NULL)
            return EMBER_NOMEM;
        for (int i = 0; i < op->n_filters; i++) {
            DictFilter *df = &sl->df[i];
            df->col = -1;
            df->group = UINT32_MAX;
            int c = -1;
            if (dict_safe(op->filters[i], &c) && c >= 0 && c < op->n_cols &&
                type_phys(t->types[op->scan_cols[c]]) == PHYS_STR)
                df->col = c;
        }
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
static void view_slice(const PhysOp *op, const ScanLocal *sl, uint32_t g,
                       uint32_t off, uint32_t n, Chunk *out)
{
    const TableData *t = &op->table->data;
    for (int i = 0; i < op->n_cols; i++)
        tdata_view(t, g, off, n, op->scan_cols[i], &out->cols[i],
                   sl->dec[i]);
    out->count = n;
    out->sel = NULL;
    out->n_sel = 0;
}

/* Evaluate filter i on the dictionary of column seg (group g): the
 * outcome per code, and for a NULL. */
static int dict_outcomes(ThreadCtx *tc, const PhysOp *op, ScanLocal *sl,
                         int i, const ColSeg *seg, const Chunk *out,
                         uint32_t g)
{
    DictFilter *df = &sl->df[i];
    uint32_t nd = seg->n_dict;
    Chunk *dc = &sl->dict_chunk;
    *dc = (Chunk){op->n_cols, dc->cols, nd + 1, NULL, 0};
    memcpy(dc->cols, out->cols, sizeof(Vector) * (size_t)op->n_cols);
    memcpy(sl->dict_vals, seg->dict, sizeof(Str) * nd);
    memset(&sl->dict_vals[nd], 0, sizeof(Str));
    memset(sl->dict_valid, 0xff, sizeof(sl->dict_valid));
    sl->dict_valid[nd / 64] &= ~(1ull << (nd % 64));   /* entry nd: NULL */
    Vector *v = &dc->cols[df->col];
    v->data = sl->dict_vals;
    v->validity = sl->dict_valid;
    v->has_nulls = true;
    v->is_const = false;
    uint32_t m;
    int rc = expr_select(tc, sl->filters[i], dc, NULL, nd + 1, sl->sel, &m);
    if (rc != EMBER_OK)
        return rc;
    memset(df->pass, 0, sizeof(df->pass));
    df->pass_null = false;
    for (uint32_t k = 0; k < m; k++) {
        if (sl->sel[k] == nd)
            df->pass_null = true;
        else
            df->pass[sl->sel[k]] = 1;
    }
    df->group = g;
    return EMBER_OK;
}

/* Keep the rows (all n, or cur[0..n)) of the slice at `off` whose code
 * passes; into slice_sel. */
static uint32_t dict_select(const DictFilter *df, const ColSeg *seg,
                            uint32_t off, const SelIdx *cur, uint32_t n,
                            SelIdx *out)
{
    const uint8_t *code = seg->codes + off;
    const uint64_t *valid = seg->validity ? seg->validity + off / 64 : NULL;
    uint32_t m = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t k = cur ? cur[j] : j;
        bool keep = df->pass[code[k]];
        if (valid && !((valid[k >> 6] >> (k & 63)) & 1))
            keep = df->pass_null;
        out[m] = (SelIdx)k;
        m += keep;
    }
    return m;
}

/* Apply the pushed-down filters to the whole slice; result in slice_sel. */
static int filter_slice(ThreadCtx *tc, const PhysOp *op, ScanLocal *sl,
                        Chunk *out, uint32_t g, uint32_t off)
{
    const SelIdx *cur = NULL;
    uint32_t n = out->count;
    const RowGroup *rg = op->table->data.groups[g];
    for (int i = 0; i < op->n_filters && n > 0; i++) {
        DictFilter *df = &sl->df[i];
        const ColSeg *seg =
            df->col >= 0 ? &rg->cols[op->scan_cols[df->col]] : NULL;
        if (seg && seg->codes) {
            if (df->group != g) {
                int rc = dict_outcomes(tc, op, sl, i, seg, out, g);
                if (rc != EMBER_OK)
                    return rc;
            }
            n = dict_select(df, seg, off, cur, n, sl->slice_sel);
        } else {
            int rc = expr_select(tc, sl->filters[i], out, cur, n,
                                 sl->slice_sel, &n);
            if (rc != EMBER_OK)
                return rc;
        }
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
        view_slice(op, sl, sl->group, sl->off, n, out);
        uint32_t off = sl->off;
        sl->off += n;
        sl->slice_rows = n;
        if (op->n_filters == 0 && vs >= VEC_SIZE)
            return EMBER_OK;
        int rc = filter_slice(tc, op, sl, out, sl->group, off);
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
