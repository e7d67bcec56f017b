/*
 * index.c -- hash indexes over table rows (unique constraints and CREATE
 * INDEX). Open addressing with linear probing; each slot holds a row id + 1
 * and 32 bits of the key hash to skip most key comparisons. Rows with a
 * NULL key column are not indexed (NULLs never collide in a unique index,
 * as in PostgreSQL). Capacity stays a power of two at most 50% full.
 */
#include "storage/storage.h"

static const void *cell(const TableData *t, uint64_t row, int col)
{
    return tdata_cell(t, row, col);
}

static bool key_has_null(const HashIndex *h, const TableData *t, uint64_t r)
{
    for (int i = 0; i < h->n_cols; i++)
        if (tdata_is_null(t, r, h->cols[i]))
            return true;
    return false;
}

static uint64_t key_hash(const HashIndex *h, const TableData *t, uint64_t r)
{
    uint64_t hv = 0x51ed27;
    for (int i = 0; i < h->n_cols; i++) {
        int c = h->cols[i];
        const void *p = cell(t, r, c);
        uint64_t x;
        switch (type_phys(t->types[c])) {
        case PHYS_U8:
            x = hash_u64(*(const uint8_t *)p);
            break;
        case PHYS_I32:
            x = hash_u64((uint64_t)(int64_t) * (const int32_t *)p);
            break;
        case PHYS_I64:
            x = hash_u64((uint64_t) * (const int64_t *)p);
            break;
        case PHYS_F64:
            x = hash_double(*(const double *)p);
            break;
        default:
            x = hash_str((const Str *)p);
            break;
        }
        hv = hash_combine(hv, x);
    }
    return hv;
}

static bool key_equal(const HashIndex *h, const TableData *t, uint64_t a,
                      uint64_t b)
{
    for (int i = 0; i < h->n_cols; i++) {
        int c = h->cols[i];
        const void *pa = cell(t, a, c), *pb = cell(t, b, c);
        switch (type_phys(t->types[c])) {
        case PHYS_U8:
            if (*(const uint8_t *)pa != *(const uint8_t *)pb)
                return false;
            break;
        case PHYS_I32:
            if (*(const int32_t *)pa != *(const int32_t *)pb)
                return false;
            break;
        case PHYS_I64:
            if (*(const int64_t *)pa != *(const int64_t *)pb)
                return false;
            break;
        case PHYS_F64:
            if (*(const double *)pa != *(const double *)pb)
                return false;
            break;
        default:
            if (!str_eq((const Str *)pa, (const Str *)pb))
                return false;
            break;
        }
    }
    return true;
}

void hindex_init(HashIndex *h, int n_cols, const int *cols, bool unique)
{
    memset(h, 0, sizeof(*h));
    h->n_cols = n_cols;
    memcpy(h->cols, cols, sizeof(int) * (size_t)n_cols);
    h->unique = unique;
}

void hindex_release(HashIndex *h)
{
    mem_free(h->slots);
    mem_free(h->tags);
    h->slots = NULL;
    h->tags = NULL;
    h->cap = h->count = 0;
}

static int resize(HashIndex *h, uint64_t cap)
{
    uint64_t *slots = mem_calloc(cap * sizeof(uint64_t));
    uint32_t *tags = mem_alloc(cap * sizeof(uint32_t));
    if (slots == NULL || tags == NULL) {
        mem_free(slots);
        mem_free(tags);
        return EMBER_NOMEM;
    }
    for (uint64_t i = 0; i < h->cap; i++) {
        if (h->slots[i] == 0)
            continue;
        uint64_t pos = ((uint64_t)h->tags[i] * 0x9E3779B97F4A7C15ULL) &
                       (cap - 1);
        while (slots[pos])
            pos = (pos + 1) & (cap - 1);
        slots[pos] = h->slots[i];
        tags[pos] = h->tags[i];
    }
    mem_free(h->slots);
    mem_free(h->tags);
    h->slots = slots;
    h->tags = tags;
    h->cap = cap;
    return EMBER_OK;
}

/* Insert row r; EMBER_CONSTRAINT with *dup when a unique key exists. */
static int insert_row(HashIndex *h, const TableData *t, uint64_t r,
                      uint64_t *dup)
{
    uint32_t tag = (uint32_t)(key_hash(h, t, r) >> 32);
    uint64_t mask = h->cap - 1;
    uint64_t pos = ((uint64_t)tag * 0x9E3779B97F4A7C15ULL) & mask;
    while (h->slots[pos]) {
        if (h->unique && h->tags[pos] == tag &&
            key_equal(h, t, h->slots[pos] - 1, r)) {
            *dup = r;
            return EMBER_CONSTRAINT;
        }
        pos = (pos + 1) & mask;
    }
    h->slots[pos] = r + 1;
    h->tags[pos] = tag;
    h->count++;
    return EMBER_OK;
}

int hindex_add_range(HashIndex *h, const TableData *t, uint64_t from,
                     uint64_t to, uint64_t *dup_row)
{
    uint64_t need = (h->count + (to - from)) * 2;
    if (need > h->cap) {
        uint64_t cap = h->cap ? h->cap : 64;
        while (cap < need)
            cap *= 2;
        if (resize(h, cap) != EMBER_OK)
            return EMBER_NOMEM;
    }
    for (uint64_t r = from; r < to; r++) {
        if (key_has_null(h, t, r))
            continue;
        int rc = insert_row(h, t, r, dup_row);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

int hindex_rebuild(HashIndex *h, const TableData *t, uint64_t *dup_row)
{
    hindex_release(h);
    return hindex_add_range(h, t, 0, t->n_rows, dup_row);
}
