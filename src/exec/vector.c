/*
 * vector.c -- vector and chunk helpers (see vector.h for the invariants).
 */
#include "exec/vector.h"

int vector_init(Vector *v, Type t, Arena *a)
{
    memset(v, 0, sizeof(*v));
    v->type = t;
    v->phys = (uint8_t)type_phys(t);
    v->data = arena_alloc(a, type_width(t) * VEC_SIZE);
    v->validity = arena_alloc(a, VEC_WORDS * sizeof(uint64_t));
    if (v->data == NULL || v->validity == NULL)
        return EMBER_NOMEM;
    return EMBER_OK;
}

void vector_clear_nulls(Vector *v)
{
    v->has_nulls = false;
}

void vector_set_null(Vector *v, uint32_t row)
{
    if (!v->has_nulls) {
        memset(v->validity, 0xff, VEC_WORDS * sizeof(uint64_t));
        v->has_nulls = true;
    }
    validity_set(v->validity, row, false);
}

void vector_set_const(Vector *v, const Value *val)
{
    v->is_const = true;
    v->has_nulls = false;
    if (val->is_null) {
        vector_set_null(v, 0);
        memset(v->data, 0, type_width(v->type));
        return;
    }
    vector_put_value(v, 0, val);
}

Value vector_get_value(const Vector *v, uint32_t row)
{
    Value r;
    memset(&r, 0, sizeof(r));
    r.type = v->type;
    uint32_t i = v->is_const ? 0 : row;
    if (!vec_valid(v, i)) {
        r.is_null = true;
        return r;
    }
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        r.v.i = VEC_U8(v)[i];
        break;
    case PHYS_I32:
        r.v.i = VEC_I32(v)[i];
        break;
    case PHYS_I64:
        r.v.i = VEC_I64(v)[i];
        break;
    case PHYS_F64:
        r.v.d = VEC_F64(v)[i];
        break;
    case PHYS_STR:
        r.v.s = VEC_STR(v)[i];
        break;
    }
    return r;
}

void vector_put_value(Vector *v, uint32_t row, const Value *val)
{
    if (val->is_null) {
        vector_set_null(v, row);
        return;
    }
    if (v->has_nulls)
        validity_set(v->validity, row, true);
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        VEC_U8(v)[row] = (uint8_t)val->v.i;
        break;
    case PHYS_I32:
        VEC_I32(v)[row] = (int32_t)val->v.i;
        break;
    case PHYS_I64:
        VEC_I64(v)[row] = val->v.i;
        break;
    case PHYS_F64:
        VEC_F64(v)[row] = val->v.d;
        break;
    case PHYS_STR:
        VEC_STR(v)[row] = val->v.s;
        break;
    }
}

/* Copy validity of the selected source rows to dst[dst_off..). */
static void gather_validity(Vector *dst, uint32_t dst_off, const Vector *src,
                            const SelIdx *sel, uint32_t n)
{
    if (!src->has_nulls) {
        if (dst->has_nulls)
            for (uint32_t k = 0; k < n; k++)
                validity_set(dst->validity, dst_off + k, true);
        return;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = src->is_const ? 0 : sel_row(sel, k);
        bool ok = (src->validity[r >> 6] >> (r & 63)) & 1;
        if (!ok)
            vector_set_null(dst, dst_off + k);
        else if (dst->has_nulls)
            validity_set(dst->validity, dst_off + k, true);
    }
}

#define GATHER_LOOP(T)                                                     \
    do {                                                                   \
        const T *s = (const T *)src->data;                                 \
        T *d = (T *)dst->data + dst_off;                                   \
        if (src->is_const)                                                 \
            for (uint32_t k = 0; k < n; k++)                               \
                d[k] = s[0];                                               \
        else if (sel)                                                      \
            for (uint32_t k = 0; k < n; k++)                               \
                d[k] = s[sel[k]];                                          \
        else                                                               \
            memcpy(d, s, n * sizeof(T));                                   \
    } while (0)

void vector_gather(Vector *dst, uint32_t dst_off, const Vector *src,
                   const SelIdx *sel, uint32_t n, Arena *heap)
{
    assert(dst->phys == src->phys);
    gather_validity(dst, dst_off, src, sel, n);
    switch ((PhysType)src->phys) {
    case PHYS_U8:
        GATHER_LOOP(uint8_t);
        break;
    case PHYS_I32:
        GATHER_LOOP(int32_t);
        break;
    case PHYS_I64:
        GATHER_LOOP(int64_t);
        break;
    case PHYS_F64:
        GATHER_LOOP(double);
        break;
    case PHYS_STR:
        GATHER_LOOP(Str);
        if (heap && !src->str_stable) {
            Str *d = VEC_STR(dst) + dst_off;
            for (uint32_t k = 0; k < n; k++)
                if (d[k].len > STR_INLINE &&
                    (!dst->has_nulls || vec_valid(dst, dst_off + k)))
                    d[k] = str_copy(heap, d[k].u.ptr, d[k].len);
        }
        break;
    }
}

#define GATHER_IDS(T)                                                      \
    do {                                                                   \
        const T *s = (const T *)src_data;                                  \
        T *d = (T *)dst->data;                                             \
        for (uint32_t k = 0; k < n; k++)                                   \
            d[k] = s[ids[k]];                                              \
    } while (0)

void vector_gather_ids(Vector *dst, const void *src_data,
                       const uint64_t *src_validity, Type t,
                       const uint32_t *ids, uint32_t n)
{
    switch (type_phys(t)) {
    case PHYS_U8:
        GATHER_IDS(uint8_t);
        break;
    case PHYS_I32:
        GATHER_IDS(int32_t);
        break;
    case PHYS_I64:
        GATHER_IDS(int64_t);
        break;
    case PHYS_F64:
        GATHER_IDS(double);
        break;
    case PHYS_STR:
        GATHER_IDS(Str);
        break;
    }
    dst->has_nulls = false;
    if (src_validity == NULL)
        return;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t id = ids[k];
        if (!((src_validity[id >> 6] >> (id & 63)) & 1))
            vector_set_null(dst, k);
    }
}

int chunk_init(Chunk *c, int n_cols, const Type *types, Arena *a)
{
    memset(c, 0, sizeof(*c));
    c->n_cols = n_cols;
    c->cols = arena_calloc(a, sizeof(Vector) * (size_t)(n_cols ? n_cols : 1));
    if (c->cols == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < n_cols; i++)
        if (vector_init(&c->cols[i], types[i], a) != EMBER_OK)
            return EMBER_NOMEM;
    return EMBER_OK;
}

void chunk_reset(Chunk *c)
{
    c->count = 0;
    c->sel = NULL;
    c->n_sel = 0;
}

void chunk_check(const Chunk *c)
{
#ifdef EMBER_DEBUG
    assert(c->count <= VEC_SIZE);
    if (c->sel) {
        assert(c->n_sel <= c->count);
        for (uint32_t k = 1; k < c->n_sel; k++)
            assert(c->sel[k - 1] < c->sel[k]);
        if (c->n_sel)
            assert(c->sel[c->n_sel - 1] < c->count);
    }
    for (int i = 0; i < c->n_cols; i++) {
        assert(c->cols[i].data != NULL);
        assert(!c->cols[i].has_nulls || c->cols[i].validity != NULL);
    }
#else
    UNUSED(c);
#endif
}
