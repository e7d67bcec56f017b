/*
 * group_table.c -- see group_table.h.
 *
 * Lookup of a chunk is done row by row against the slot array, but new
 * groups are appended to the key storage in one batch at the end of the
 * chunk: while the chunk is processed, a group created by an earlier row
 * of the same chunk ("pending") is compared against that row of the
 * chunk's key vectors instead of the storage.
 */
#include "exec/group_table.h"

#define SALT_MASK 0xffffffff00000000ULL
/* TUNING: above this many slots (512 KiB) the slot array leaves the L2
 * cache and a prefetch pass over the chunk's slots pays for itself. */
#define PREFETCH_SLOTS (1u << 16)

int gt_init(GroupTable *gt, int n_keys, const Type *types, Arena *a,
            MemCache *mc, uint64_t est_groups)
{
    memset(gt, 0, sizeof(*gt));
    gt->arena = a;
    /* TUNING: start from the estimate (capped) so most queries never
     * rehash; a wrong estimate costs a few doublings. */
    uint64_t want = est_groups < 64 ? 64 : est_groups;
    if (want > (1u << 22))
        want = 1u << 22;
    uint64_t cap = 128;
    while (cap < want * 2)
        cap *= 2;
    gt->cap = cap;
    gt->slots = arena_calloc(a, sizeof(uint64_t) * cap);
    gt->hash_cap = cap / 2;
    gt->hashes = arena_alloc(a, sizeof(uint64_t) * gt->hash_cap);
    gt->row_hash = arena_alloc(a, sizeof(uint64_t) * VEC_SIZE);
    gt->new_rows = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    gt->new_src = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    if (!gt->slots || !gt->hashes || !gt->row_hash || !gt->new_rows ||
        !gt->new_src)
        return EMBER_NOMEM;
    return coll_init(&gt->keys, n_keys, types, a, mc, 0);
}

static int grow_slots(GroupTable *gt)
{
    uint64_t cap = gt->cap * 2;
    uint64_t *slots = arena_calloc(gt->arena, sizeof(uint64_t) * cap);
    if (slots == NULL)
        return EMBER_NOMEM;
    for (uint64_t g = 0; g < gt->n_groups; g++) {
        uint64_t h = gt->hashes[g];
        uint64_t pos = h & (cap - 1);
        while (slots[pos])
            pos = (pos + 1) & (cap - 1);
        slots[pos] = (h & SALT_MASK) | (g + 1);
    }
    gt->slots = slots;
    gt->cap = cap;
    return EMBER_OK;
}

static int reserve_groups(GroupTable *gt, uint64_t extra)
{
    uint64_t need = gt->n_groups + extra;
    while (need * 2 > gt->cap)
        if (grow_slots(gt) != EMBER_OK)
            return EMBER_NOMEM;
    if (need > gt->hash_cap) {
        uint64_t cap = gt->hash_cap * 2;
        while (cap < need)
            cap *= 2;
        gt->hashes = arena_realloc(gt->arena, gt->hashes,
                                   sizeof(uint64_t) * gt->hash_cap,
                                   sizeof(uint64_t) * cap);
        if (gt->hashes == NULL)
            return EMBER_NOMEM;
        gt->hash_cap = cap;
    }
    return EMBER_OK;
}

/* Key equality of vector row r against stored group g. */
static bool eq_stored(const GroupTable *gt, Vector **keys, uint32_t r,
                      uint64_t g)
{
    for (int i = 0; i < gt->keys.n_cols; i++) {
        const Vector *v = keys[i];
        const ColBuf *b = &gt->keys.cols[i];
        uint32_t vr = v->is_const ? 0 : r;
        bool va = vec_valid(v, vr);
        bool vb = !b->has_nulls || ((b->validity[g >> 6] >> (g & 63)) & 1);
        if (va != vb)
            return false;
        if (!va)
            continue;
        bool eq;
        switch ((PhysType)v->phys) {
        case PHYS_U8:
            eq = VEC_U8(v)[vr] == ((const uint8_t *)b->data)[g];
            break;
        case PHYS_I32:
            eq = VEC_I32(v)[vr] == ((const int32_t *)b->data)[g];
            break;
        case PHYS_I64:
            eq = VEC_I64(v)[vr] == ((const int64_t *)b->data)[g];
            break;
        case PHYS_F64:
            eq = f64_cmp(VEC_F64(v)[vr], ((const double *)b->data)[g]) == 0;
            break;
        default:
            eq = str_eq(&VEC_STR(v)[vr], &((const Str *)b->data)[g]);
            break;
        }
        if (!eq)
            return false;
    }
    return true;
}

/* Key equality of two rows of the same vectors. */
static bool eq_rows(const GroupTable *gt, Vector **keys, uint32_t a,
                    uint32_t b)
{
    for (int i = 0; i < gt->keys.n_cols; i++) {
        const Vector *v = keys[i];
        if (v->is_const)
            continue;
        bool va = vec_valid(v, a), vb = vec_valid(v, b);
        if (va != vb)
            return false;
        if (!va)
            continue;
        bool eq;
        switch ((PhysType)v->phys) {
        case PHYS_U8:
            eq = VEC_U8(v)[a] == VEC_U8(v)[b];
            break;
        case PHYS_I32:
            eq = VEC_I32(v)[a] == VEC_I32(v)[b];
            break;
        case PHYS_I64:
            eq = VEC_I64(v)[a] == VEC_I64(v)[b];
            break;
        case PHYS_F64:
            eq = f64_cmp(VEC_F64(v)[a], VEC_F64(v)[b]) == 0;
            break;
        default:
            eq = str_eq(&VEC_STR(v)[a], &VEC_STR(v)[b]);
            break;
        }
        if (!eq)
            return false;
    }
    return true;
}

/*
 * The probe loop, instantiated per key comparison: EQ_OLD(r, g) compares
 * row r with stored group g, EQ_NEW(r, g) with a group created earlier in
 * this chunk (its keys are still in the chunk, at row new_src[g - base]).
 */
#define GT_PROBE(EQ_OLD, EQ_NEW)                                           \
    for (uint32_t k = 0; k < n; k++) {                                     \
        uint32_t r = sel_row(sel, k);                                      \
        uint64_t h = rh[k];                                                \
        uint64_t pos = h & mask;                                           \
        for (;;) {                                                         \
            uint64_t s = slots[pos];                                       \
            if (s == 0) {                                                  \
                uint64_t g = base + n_new;                                 \
                slots[pos] = (h & SALT_MASK) | (g + 1);                    \
                hashes[g] = h;                                             \
                gt->new_rows[n_new] = (SelIdx)r;                           \
                gt->new_src[n_new] = r;                                    \
                n_new++;                                                   \
                gids[k] = (uint32_t)g;                                     \
                if (is_new)                                                \
                    is_new[k] = 1;                                         \
                break;                                                     \
            }                                                              \
            if (((s ^ h) & SALT_MASK) == 0) {                              \
                uint64_t g = (uint32_t)s - 1;                              \
                if (g >= base ? (EQ_NEW) : (EQ_OLD)) {                     \
                    gids[k] = (uint32_t)g;                                 \
                    if (is_new)                                            \
                        is_new[k] = 0;                                     \
                    break;                                                 \
                }                                                          \
            }                                                              \
            pos = (pos + 1) & mask;                                        \
        }                                                                  \
    }

/* One fixed-width key without NULLs on either side: compare values. */
static int fast_kind(const GroupTable *gt, Vector **keys)
{
    if (gt->keys.n_cols != 1 || keys[0]->is_const || keys[0]->has_nulls ||
        gt->keys.cols[0].has_nulls)
        return -1;
    return keys[0]->phys;
}

int gt_find_or_insert(GroupTable *gt, Vector **keys, const SelIdx *sel,
                      uint32_t n, uint32_t *gids, uint8_t *is_new)
{
    if (reserve_groups(gt, n) != EMBER_OK)
        return EMBER_NOMEM;
    int nk = gt->keys.n_cols;
    for (int i = 0; i < nk; i++)
        hash_vector(keys[i], sel, n, gt->row_hash, i == 0);
    if (nk == 0)
        memset(gt->row_hash, 0, sizeof(uint64_t) * n);
    uint64_t base = gt->n_groups;
    uint32_t n_new = 0;
    uint64_t mask = gt->cap - 1;
    uint64_t *slots = gt->slots;
    uint64_t *hashes = gt->hashes;
    const uint64_t *rh = gt->row_hash;
    const uint32_t *src = gt->new_src;
    if (gt->cap >= PREFETCH_SLOTS)
        for (uint32_t k = 0; k < n; k++)
            __builtin_prefetch(&slots[rh[k] & mask]);
    switch (fast_kind(gt, keys)) {
    case PHYS_I64: {
        const int64_t *kv = VEC_I64(keys[0]);
        const int64_t *st = (const int64_t *)gt->keys.cols[0].data;
        GT_PROBE(kv[r] == st[g], kv[r] == kv[src[g - base]]);
        break;
    }
    case PHYS_I32: {
        const int32_t *kv = VEC_I32(keys[0]);
        const int32_t *st = (const int32_t *)gt->keys.cols[0].data;
        GT_PROBE(kv[r] == st[g], kv[r] == kv[src[g - base]]);
        break;
    }
    case PHYS_STR: {
        const Str *kv = VEC_STR(keys[0]);
        const Str *st = (const Str *)gt->keys.cols[0].data;
        GT_PROBE(str_eq(&kv[r], &st[g]), str_eq(&kv[r], &kv[src[g - base]]));
        break;
    }
    default:
        GT_PROBE(eq_stored(gt, keys, r, g),
                 eq_rows(gt, keys, src[g - base], r));
        break;
    }
    if (n_new == 0)
        return EMBER_OK;
    Chunk c;
    c.n_cols = nk;
    c.cols = NULL;
    Vector tmp[16];
    Vector *cols = nk <= 16 ? tmp : arena_alloc(gt->arena,
                                                sizeof(Vector) * (size_t)nk);
    if (cols == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < nk; i++)
        cols[i] = *keys[i];
    c.cols = cols;
    c.count = VEC_SIZE;
    c.sel = gt->new_rows;
    c.n_sel = n_new;
    int rc = coll_append(&gt->keys, &c);
    gt->n_groups = base + n_new;
    return rc;
}

int gt_merge_from(GroupTable *gt, const GroupTable *src, uint32_t *gids,
                  uint8_t *is_new)
{
    int nk = gt->keys.n_cols;
    Vector vecs[16];
    Vector *vp[16];
    if (nk > 16)
        return EMBER_INTERNAL;
    for (uint64_t off = 0; off < src->n_groups; off += VEC_SIZE) {
        uint32_t n = (uint32_t)MIN(VEC_SIZE, src->n_groups - off);
        for (int i = 0; i < nk; i++) {
            memset(&vecs[i], 0, sizeof(Vector));
            vecs[i].type = src->keys.types[i];
            vecs[i].phys = (uint8_t)type_phys(vecs[i].type);
            coll_view(&src->keys, off, n, i, &vecs[i]);
            vp[i] = &vecs[i];
        }
        int rc = gt_find_or_insert(gt, vp, NULL, n, gids + off,
                                   is_new ? is_new + off : NULL);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}
