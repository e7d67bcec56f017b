/*
 * stats.c -- per-column statistics kept current as data changes: NULL
 * count, min/max and a HyperLogLog sketch of distinct values. Sketches
 * merge, so appends fold in only the new rows; rewrites (UPDATE, DELETE)
 * and ANALYZE rebuild exactly.
 */
#include <math.h>

#include "storage/storage.h"

void colstats_init(ColStats *s)
{
    memset(s, 0, sizeof(*s));
    hll_init(&s->hll);
}

void colstats_release(ColStats *s)
{
    mem_free(s->min_buf);
    mem_free(s->max_buf);
    memset(s, 0, sizeof(*s));
}

/* Keep a private copy of a string bound so it outlives the data. */
static void own_str(Value *v, char **buf)
{
    if (v->type.id != TYPE_VARCHAR || v->is_null)
        return;
    uint32_t n = v->v.s.len;
    char *p = mem_alloc(n ? n : 1);
    if (p == NULL) {
        v->v.s = str_make("", 0);
        return;
    }
    memcpy(p, str_data(&v->v.s), n);
    mem_free(*buf);
    *buf = p;
    v->v.s = str_make(p, n);
}

static int cmp_values(const Value *a, const Value *b)
{
    switch (type_phys(a->type)) {
    case PHYS_F64:
        return f64_cmp(a->v.d, b->v.d);   /* NaN is the largest */
    case PHYS_STR:
        return str_cmp(&a->v.s, &b->v.s);
    default:
        return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
    }
}

static void fold_minmax(ColStats *s, const Value *lo, const Value *hi)
{
    if (!s->has_minmax) {
        s->min = *lo;
        s->max = *hi;
        s->has_minmax = true;
        own_str(&s->min, &s->min_buf);
        own_str(&s->max, &s->max_buf);
        return;
    }
    if (cmp_values(lo, &s->min) < 0) {
        s->min = *lo;
        own_str(&s->min, &s->min_buf);
    }
    if (cmp_values(hi, &s->max) > 0) {
        s->max = *hi;
        own_str(&s->max, &s->max_buf);
    }
}

/* min/max by LESS: a plain < for integers; for doubles f64_lt, under
 * which NaN is the largest value, so the bounds do not depend on the
 * order rows arrive in (a plain < is false for NaN either way round) */
#define NUM_LT(x, y) ((x) < (y))
#define FOLD_NUM(T, VEC, HASH, FIELD, LESS)                                 \
    do {                                                                    \
        const T *d = (const T *)v->data;                                    \
        bool any = false;                                                   \
        T lo = 0, hi = 0;                                                   \
        for (uint32_t k = 0; k < n; k++) {                                  \
            uint32_t r = v->is_const ? 0 : sel_row(sel, k);                 \
            if (v->has_nulls && !vec_valid(v, r)) {                         \
                s->n_nulls++;                                               \
                continue;                                                   \
            }                                                               \
            T x = d[r];                                                     \
            hll_add(&s->hll, HASH);                                         \
            if (!any || LESS(x, lo))                                        \
                lo = x;                                                     \
            if (!any || LESS(hi, x))                                        \
                hi = x;                                                     \
            any = true;                                                     \
        }                                                                   \
        if (any) {                                                          \
            Value a = {v->type, false, {0}}, b = a;                         \
            a.v.FIELD = lo;                                                 \
            b.v.FIELD = hi;                                                 \
            fold_minmax(s, &a, &b);                                         \
        }                                                                   \
    } while (0)

/* TUNING: the strings of one vector already folded in, by a cheap key
 * (the 16 bytes of an inline string; length, prefix and last 8 bytes of
 * a long one), so a repeated value skips the full hash, the sketch and
 * the two comparisons: neither the sketch nor the bounds change for a
 * value seen before. Most rows of a low-cardinality column (flags, ship
 * modes) are repeats; COPY of TPC-H lineitem spent a third of its
 * instructions on statistics before. 64 slots. */
#define SEEN_BITS 6

static inline uint32_t seen_slot(const Str *x)
{
    return (uint32_t)(str_quick_key(x) >> (64 - SEEN_BITS));
}

static void fold_str(ColStats *s, const Vector *v, const SelIdx *sel,
                     uint32_t n)
{
    const Str *d = VEC_STR(v);
    const Str *lo = NULL, *hi = NULL;
    Str seen[1u << SEEN_BITS];
    uint64_t filled = 0;                     /* bit i: seen[i] is set */
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = v->is_const ? 0 : sel_row(sel, k);
        if (v->has_nulls && !vec_valid(v, r)) {
            s->n_nulls++;
            continue;
        }
        uint32_t slot = seen_slot(&d[r]);
        if ((filled >> slot & 1) && str_eq(&seen[slot], &d[r]))
            continue;
        filled |= 1ull << slot;
        seen[slot] = d[r];
        hll_add(&s->hll, hash_str(&d[r]));
        if (lo == NULL || str_cmp(&d[r], lo) < 0)
            lo = &d[r];
        if (hi == NULL || str_cmp(&d[r], hi) > 0)
            hi = &d[r];
    }
    if (lo) {
        Value a = {v->type, false, {0}}, b = a;
        a.v.s = *lo;
        b.v.s = *hi;
        fold_minmax(s, &a, &b);
    }
}

void colstats_add(ColStats *s, const Vector *v, const SelIdx *sel,
                  uint32_t n)
{
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        FOLD_NUM(uint8_t, v, hash_u64(x), i, NUM_LT);
        break;
    case PHYS_I32:
        FOLD_NUM(int32_t, v, hash_u64((uint64_t)(int64_t)x), i, NUM_LT);
        break;
    case PHYS_I64:
        FOLD_NUM(int64_t, v, hash_u64((uint64_t)x), i, NUM_LT);
        break;
    case PHYS_F64:
        FOLD_NUM(double, v, hash_double(x), d, f64_lt);
        break;
    case PHYS_STR:
        fold_str(s, v, sel, n);
        break;
    }
}

void colstats_merge(ColStats *dst, const ColStats *src)
{
    dst->n_nulls += src->n_nulls;
    hll_merge(&dst->hll, &src->hll);
    if (src->has_minmax)
        fold_minmax(dst, &src->min, &src->max);
}

void colstats_rebuild(ColStats *s, const TableData *t, int col)
{
    colstats_release(s);
    colstats_init(s);
    Str buf[VEC_SIZE];
    Vector v;
    memset(&v, 0, sizeof(v));
    v.type = t->types[col];
    v.phys = (uint8_t)type_phys(v.type);
    for (uint32_t g = 0; g < t->n_groups; g++) {
        uint32_t rows = t->groups[g]->n_rows;
        for (uint32_t off = 0; off < rows; off += VEC_SIZE) {
            uint32_t n = MIN(VEC_SIZE, rows - off);
            tdata_view(t, g, off, n, col, &v, buf);
            colstats_add(s, &v, NULL, n);
        }
    }
}

double colstats_ndv(const ColStats *s, uint64_t n_rows)
{
    double non_null = (double)(n_rows - MIN(n_rows, s->n_nulls));
    if (non_null <= 0)
        return 1;
    double e = hll_estimate(&s->hll);
    if (e > non_null)
        e = non_null;
    return e < 1 ? 1 : e;
}
