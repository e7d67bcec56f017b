/*
 * collection.c -- growable columnar row storage.
 *
 * Each column's data array is a range of address space reserved once (one
 * counted allocation per column, whatever the row count) and committed in
 * growing steps, so it grows in place: no copy, no rehoming of rows. The
 * arena that owns the collection unreserves the ranges when it is reset.
 * Validity bitmaps (1/64 of the data) stay in the arena. Capacity is kept a
 * multiple of 64 so validity words never straddle a growth boundary.
 */
#include "exec/exec_int.h"

/* TUNING: 16 GiB of address space per column (MEMCACHE_RANGE): far beyond
 * any row count ember handles in memory, and reserving it costs nothing
 * but a mapping (128 TiB of user address space hold 8,000 at once). */
#define COL_RESERVE MEMCACHE_RANGE

/* What releasing a range needs, kept apart from the ColBuf: the record
 * lives in the arena that reserved the range, which may outlive the
 * ColBuf's (a collection adopted by a longer-lived owner, coll_absorb). */
typedef struct ColRange {
    MemCache *mc;
    void *data;
    size_t committed;
} ColRange;

static void release_col(void *arg)
{
    ColRange *r = arg;
    memcache_range_done(r->mc, r->data, r->committed);
}

/* Make column b hold `bytes` bytes of data. */
static int col_commit(Collection *c, ColBuf *b, size_t bytes)
{
    if (bytes <= b->committed)
        return EMBER_OK;
    if (b->data == NULL) {
        ColRange *r = arena_alloc(c->arena, sizeof(*r));
        if (r == NULL)
            return EMBER_NOMEM;
        b->data = memcache_range(c->mc, bytes, &b->committed);
        if (b->data == NULL)
            return EMBER_NOMEM;
        r->mc = c->mc;
        r->data = b->data;
        r->committed = b->committed;
        b->range = r;
        if (arena_add_cleanup(c->arena, release_col, r) != EMBER_OK) {
            memcache_range_done(c->mc, b->data, b->committed);
            b->data = NULL;
            b->range = NULL;
            return EMBER_NOMEM;
        }
        if (bytes <= b->committed)
            return EMBER_OK;
    }
    /* commit in doubling steps from 16 KiB */
    size_t target = b->committed ? b->committed * 2 : (16u << 10);
    while (target < bytes)
        target *= 2;
    if (target > COL_RESERVE)
        return EMBER_NOMEM;
    if (mem_commit((char *)b->data + b->committed, target - b->committed) !=
        EMBER_OK)
        return EMBER_NOMEM;
    memcache_range_grew(c->mc, target - b->committed);
    b->committed = target;
    b->range->committed = target;
    return EMBER_OK;
}

static uint64_t round_cap(uint64_t n)
{
    uint64_t c = 64;
    while (c < n)
        c *= 2;
    return c;
}

int coll_init(Collection *c, int n_cols, const Type *types, Arena *a,
              MemCache *mc, uint64_t cap_hint)
{
    memset(c, 0, sizeof(*c));
    c->n_cols = n_cols;
    c->arena = a;
    c->mc = mc;
    size_t nc = (size_t)(n_cols ? n_cols : 1);
    c->types = arena_alloc(a, sizeof(Type) * nc);
    c->cols = arena_calloc(a, sizeof(ColBuf) * nc);
    if (c->types == NULL || c->cols == NULL)
        return EMBER_NOMEM;
    memcpy(c->types, types, sizeof(Type) * (size_t)n_cols);
    if (cap_hint)
        return coll_reserve(c, cap_hint);
    return EMBER_OK;
}

static int grow_to(Collection *c, uint64_t cap)
{
    size_t row_bytes = 0;
    for (int i = 0; i < c->n_cols; i++)
        row_bytes += type_width(c->types[i]);
    /* the capacity counts as the owner's memory (operator statistics) */
    mem_note_used((cap - c->cap) * row_bytes);
    for (int i = 0; i < c->n_cols; i++) {
        ColBuf *b = &c->cols[i];
        size_t w = type_width(c->types[i]);
        if (col_commit(c, b, cap * w) != EMBER_OK)
            return EMBER_NOMEM;
        if (b->validity) {
            b->validity = arena_realloc(c->arena, b->validity, c->cap / 8,
                                        cap / 8);
            if (b->validity == NULL)
                return EMBER_NOMEM;
        }
    }
    c->cap = cap;
    return EMBER_OK;
}

int coll_reserve(Collection *c, uint64_t extra)
{
    uint64_t need = c->n_rows + extra;
    if (need <= c->cap)
        return EMBER_OK;
    uint64_t cap = c->cap ? c->cap : 64;
    while (cap < need)
        cap *= 2;
    return grow_to(c, round_cap(cap));
}

/* Make the validity bitmap of column i exist (all valid so far). */
static int need_validity(Collection *c, ColBuf *b)
{
    if (b->validity == NULL) {
        b->validity = arena_alloc(c->arena, c->cap / 8 ? c->cap / 8 : 8);
        if (b->validity == NULL)
            return EMBER_NOMEM;
        memset(b->validity, 0xff, c->cap / 8 ? c->cap / 8 : 8);
    } else if (!b->has_nulls) {
        memset(b->validity, 0xff, c->cap / 8);
    }
    b->has_nulls = true;
    return EMBER_OK;
}

static int append_col(Collection *c, int i, const Vector *v,
                      const SelIdx *sel, uint32_t n)
{
    ColBuf *b = &c->cols[i];
    size_t w = type_width(c->types[i]);
    char *dst = (char *)b->data + c->n_rows * w;
    const char *src = v->data;
    if (v->is_const && src == NULL) {
        memset(dst, 0, n * w);          /* a NULL constant without data */
    } else if (v->is_const) {
        for (uint32_t k = 0; k < n; k++)
            memcpy(dst + k * w, src, w);
    } else if (sel) {
        switch (w) {
        case 1:
            for (uint32_t k = 0; k < n; k++)
                dst[k] = src[sel[k]];
            break;
        case 4:
            for (uint32_t k = 0; k < n; k++)
                ((int32_t *)dst)[k] = ((const int32_t *)src)[sel[k]];
            break;
        case 8:
            for (uint32_t k = 0; k < n; k++)
                ((int64_t *)dst)[k] = ((const int64_t *)src)[sel[k]];
            break;
        default:
            for (uint32_t k = 0; k < n; k++)
                ((Str *)dst)[k] = ((const Str *)src)[sel[k]];
        }
    } else {
        memcpy(dst, src, n * w);
    }
    if (v->phys == PHYS_STR && v->has_nulls) {
        /* values under NULLs are unspecified: make them empty strings */
        Str *d = (Str *)dst;
        for (uint32_t k = 0; k < n; k++)
            if (!vec_valid(v, v->is_const ? 0 : sel_row(sel, k)))
                memset(&d[k], 0, sizeof(Str));
    }
    if (v->phys == PHYS_STR && !v->str_stable) {
        Str *d = (Str *)dst;
        for (uint32_t k = 0; k < n; k++) {
            if (d[k].len > STR_INLINE) {
                d[k] = str_copy(c->arena, d[k].u.ptr, d[k].len);
                if (arena_failed(c->arena))
                    return EMBER_NOMEM;
            }
        }
    }
    if (v->has_nulls) {
        if (need_validity(c, b) != EMBER_OK)
            return EMBER_NOMEM;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = v->is_const ? 0 : sel_row(sel, k);
            bool ok = (v->validity[r >> 6] >> (r & 63)) & 1;
            validity_set(b->validity, c->n_rows + k, ok);
        }
    } else if (b->has_nulls) {
        for (uint32_t k = 0; k < n; k++)
            validity_set(b->validity, c->n_rows + k, true);
    }
    return EMBER_OK;
}

int coll_append(Collection *c, const Chunk *ch)
{
    uint32_t n = chunk_active(ch);
    if (n == 0)
        return EMBER_OK;
    if (coll_reserve(c, n) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < c->n_cols; i++)
        if (append_col(c, i, &ch->cols[i], ch->sel, n) != EMBER_OK)
            return EMBER_NOMEM;
    c->n_rows += n;
    return EMBER_OK;
}

int coll_append_coll(Collection *dst, const Collection *src)
{
    if (src->n_rows == 0)
        return EMBER_OK;
    if (coll_reserve(dst, src->n_rows) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < dst->n_cols; i++) {
        ColBuf *d = &dst->cols[i];
        const ColBuf *s = &src->cols[i];
        size_t w = type_width(dst->types[i]);
        memcpy((char *)d->data + dst->n_rows * w, s->data, src->n_rows * w);
        if (dst->types[i].id == TYPE_VARCHAR && src->arena != dst->arena) {
            Str *p = (Str *)d->data + dst->n_rows;
            for (uint64_t k = 0; k < src->n_rows; k++)
                if (p[k].len > STR_INLINE)
                    p[k] = str_copy(dst->arena, p[k].u.ptr, p[k].len);
            if (arena_failed(dst->arena))
                return EMBER_NOMEM;
        }
        if (s->has_nulls || d->has_nulls) {
            if (need_validity(dst, d) != EMBER_OK)
                return EMBER_NOMEM;
            for (uint64_t k = 0; k < src->n_rows; k++) {
                bool ok = !s->has_nulls ||
                          ((s->validity[k >> 6] >> (k & 63)) & 1);
                uint64_t r = dst->n_rows + k;
                if (ok)
                    d->validity[r >> 6] |= 1ull << (r & 63);
                else
                    d->validity[r >> 6] &= ~(1ull << (r & 63));
            }
        }
    }
    dst->n_rows += src->n_rows;
    return EMBER_OK;
}

int coll_copy_validity(Collection *c, int col, const ColBuf *src,
                       const uint32_t *rows, uint64_t n)
{
    ColBuf *d = &c->cols[col];
    if (need_validity(c, d) != EMBER_OK)
        return EMBER_NOMEM;
    for (uint64_t k = 0; k < n; k++) {
        uint32_t r = rows[k];
        if ((src->validity[r >> 6] >> (r & 63)) & 1)
            d->validity[k >> 6] |= 1ull << (k & 63);
        else
            d->validity[k >> 6] &= ~(1ull << (k & 63));
    }
    return EMBER_OK;
}

int coll_absorb(Collection *dst, Collection *src)
{
    if (dst->n_rows > 0 || dst->n_cols != src->n_cols)
        return coll_append_coll(dst, src);
    /* the arenas stay: dst keeps growing in its own (a thread arena may be
     * in use by its thread for other work while dst grows) */
    Arena *da = dst->arena, *sa = src->arena;
    Collection t = *dst;
    *dst = *src;
    *src = t;
    dst->arena = da;
    src->arena = sa;
    return EMBER_OK;
}

void coll_view(const Collection *c, uint64_t off, uint32_t n, int col,
               Vector *out)
{
    const ColBuf *b = &c->cols[col];
    assert(off % 64 == 0 && off + n <= c->n_rows);
    UNUSED(n);
    out->data = (char *)b->data + off * type_width(c->types[col]);
    out->is_const = false;
    out->str_stable = true;   /* owned by the collection's arena */
    out->has_nulls = b->has_nulls;
    out->validity = b->has_nulls ? b->validity + off / 64 : NULL;
}
