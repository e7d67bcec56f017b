/*
 * table.c -- columnar table data: row groups and the string heap.
 *
 * The first row group grows by doubling from one vector to RG_ROWS rows,
 * so a tiny table costs a few KiB. Every later group is made full size at
 * once, all its column arrays in one mapping (huge pages when the kernel
 * gives them), so a big load neither copies groups as they grow nor takes
 * a page fault per 4 KiB. Every group except the last is full, which makes
 * row -> (group, offset) a shift and a mask.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "exec/pool.h"
#include "storage/storage.h"

/* TUNING: string heap blocks double from 64 KiB to 16 MiB: tiny tables
 * stay tiny, big ones get few blocks (mapped, with huge pages). */
#define HEAP_FIRST (64u << 10)
#define HEAP_MAX (16u << 20)
#define HEAP_MAP_MIN (4u << 20)

/* TUNING: the transparent huge page size of x86-64 and arm64. The kernel
 * starts an anonymous mapping whose length is a multiple of it on a huge
 * page boundary, so all of it can be backed by huge pages. On the project's
 * VM, first touch of fresh memory cost 2.2 s/GB for a 10 MiB mapping that
 * was not a multiple (lineitem's row group) and 0.1-0.6 s/GB once it was
 * rounded up to one: page faults, not parsing, dominated loading. */
#define HUGE_PAGE ((size_t)2 << 20)

/* Map at least *n bytes (updated to the mapped length) for data that is
 * written once, front to back: lengths of a huge page or more are rounded
 * up to whole huge pages and asked to use them. A last huge page that
 * would be mostly unused stays in small pages, so rounding up costs no
 * memory. EMBER_NO_THP turns huge pages off, as for arenas. */
static void *map_block(size_t *n)
{
    size_t want = *n;
    size_t sz = want;
    bool huge = want >= HUGE_PAGE && getenv("EMBER_NO_THP") == NULL;
    if (huge)
        sz = (want + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = mem_map(sz);
    if (p == NULL)
        return NULL;
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
    if (huge) {
        madvise(p, sz, MADV_HUGEPAGE);
        if (sz - want > HUGE_PAGE / 4)
            madvise((char *)p + sz - HUGE_PAGE, HUGE_PAGE, MADV_NOHUGEPAGE);
    }
#endif
    *n = sz;
    return p;
}

static void *seg_alloc(size_t n)
{
    return mem_alloc(n ? n : 1);
}

int tdata_init(TableData *t, int n_cols, const Type *types)
{
    memset(t, 0, sizeof(*t));
    t->n_cols = n_cols;
    t->types = mem_alloc(sizeof(Type) * (size_t)(n_cols ? n_cols : 1));
    if (t->types == NULL)
        return EMBER_NOMEM;
    memcpy(t->types, types, sizeof(Type) * (size_t)n_cols);
    return EMBER_OK;
}

static void group_free(const TableData *t, RowGroup *g)
{
    for (int c = 0; c < t->n_cols; c++) {
        if (g->block == NULL)
            mem_free(g->cols[c].data);
        mem_free(g->cols[c].validity);
        mem_free(g->cols[c].codes);  /* dict shares its allocation */
    }
    if (g->block)
        mem_unmap(g->block, g->block_size);
    mem_free(g);
}

static void heap_block_free(HeapBlock *b)
{
    size_t sz = sizeof(HeapBlock) + b->cap;
    if (sz >= HEAP_MAP_MIN)
        mem_unmap(b, sz);
    else
        mem_free(b);
}

static void heap_release(StrHeap *h)
{
    while (h->head) {
        HeapBlock *b = h->head;
        h->head = b->prev;
        heap_block_free(b);
    }
    h->total = 0;
}

void tdata_release(TableData *t)
{
    for (uint32_t g = 0; g < t->n_groups; g++)
        group_free(t, t->groups[g]);
    mem_free(t->groups);
    mem_free(t->types);
    heap_release(&t->heap);
    memset(t, 0, sizeof(*t));
}

void tdata_swap(TableData *dst, TableData *src)
{
    tdata_release(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

size_t tdata_bytes(const TableData *t)
{
    size_t n = t->heap.total;
    for (uint32_t g = 0; g < t->n_groups; g++)
        for (int c = 0; c < t->n_cols; c++) {
            const ColSeg *s = &t->groups[g]->cols[c];
            n += s->codes ? t->groups[g]->cap + sizeof(Str) * s->n_dict
                          : t->groups[g]->cap * type_width(t->types[c]);
        }
    return n;
}

/* A full-size group: one mapping holds every column's array. */
static RowGroup *group_new_full(const TableData *t)
{
    size_t sz = sizeof(RowGroup) + sizeof(ColSeg) * (size_t)t->n_cols;
    RowGroup *g = mem_calloc(sz);
    if (g == NULL)
        return NULL;
    size_t total = 0;
    for (int c = 0; c < t->n_cols; c++)
        total += (size_t)RG_ROWS * type_width(t->types[c]);
    total = (total + 4095) & ~(size_t)4095;
    if (total == 0)
        total = 4096;
    g->block = map_block(&total);
    if (g->block == NULL) {
        mem_free(g);
        return NULL;
    }
    g->block_size = total;
    g->cap = RG_ROWS;
    size_t off = 0;
    for (int c = 0; c < t->n_cols; c++) {
        g->cols[c].data = (char *)g->block + off;
        off += (size_t)RG_ROWS * type_width(t->types[c]);
    }
    return g;
}

static RowGroup *group_new(const TableData *t, uint32_t cap)
{
    size_t sz = sizeof(RowGroup) + sizeof(ColSeg) * (size_t)t->n_cols;
    RowGroup *g = mem_calloc(sz);
    if (g == NULL)
        return NULL;
    g->cap = cap;
    for (int c = 0; c < t->n_cols; c++) {
        g->cols[c].data = seg_alloc(cap * type_width(t->types[c]));
        if (g->cols[c].data == NULL) {
            group_free(t, g);
            return NULL;
        }
    }
    return g;
}

/* Grow group g's arrays to hold `cap` rows. */
static int group_grow(const TableData *t, RowGroup *g, uint32_t cap)
{
    for (int c = 0; c < t->n_cols; c++) {
        ColSeg *s = &g->cols[c];
        void *d = mem_realloc(s->data, cap * type_width(t->types[c]));
        if (d == NULL)
            return EMBER_NOMEM;
        s->data = d;
        if (s->validity) {
            uint64_t *v = mem_realloc(s->validity, cap / 64 * 8);
            if (v == NULL)
                return EMBER_NOMEM;
            memset(v + g->cap / 64, 0xff, (cap - g->cap) / 64 * 8);
            s->validity = v;
        }
    }
    g->cap = cap;
    return EMBER_OK;
}

static int group_unseal(const TableData *t, RowGroup *g);

/* A group with room for at least one more row. */
static RowGroup *writable_group(TableData *t, uint32_t want)
{
    RowGroup *g = t->n_groups ? t->groups[t->n_groups - 1] : NULL;
    if (g && g->n_rows < RG_ROWS && g->sealed &&
        group_unseal(t, g) != EMBER_OK)
        return NULL;
    if (g && g->n_rows < g->cap)
        return g;
    if (g && g->cap < RG_ROWS) {
        uint32_t cap = g->cap * 2;
        while (cap < g->n_rows + want && cap < RG_ROWS)
            cap *= 2;
        if (cap > RG_ROWS)
            cap = RG_ROWS;
        return group_grow(t, g, cap) == EMBER_OK ? g : NULL;
    }
    if (t->n_groups == t->cap_groups) {
        uint32_t cap = t->cap_groups ? t->cap_groups * 2 : 4;
        RowGroup **gs = mem_realloc(t->groups, sizeof(*gs) * cap);
        if (gs == NULL)
            return NULL;
        t->groups = gs;
        t->cap_groups = cap;
    }
    if (t->n_groups > 0 || want >= RG_ROWS) {
        g = group_new_full(t);
    } else {
        uint32_t cap = VEC_SIZE;
        while (cap < want && cap < RG_ROWS)
            cap *= 2;
        g = group_new(t, cap);
    }
    if (g == NULL)
        return NULL;
    t->groups[t->n_groups++] = g;
    return g;
}

static char *heap_alloc(StrHeap *h, size_t n)
{
    HeapBlock *b = h->head;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = b ? MIN(b->cap * 2, (size_t)HEAP_MAX) : HEAP_FIRST;
        if (cap < n)
            cap = n;
        size_t sz = sizeof(HeapBlock) + cap;
        if (sz >= HEAP_MAP_MIN) {
            /* whole huge pages, nearest to the doubling size */
            size_t whole = (sz + HUGE_PAGE / 2) & ~(HUGE_PAGE - 1);
            sz = whole >= sizeof(HeapBlock) + n ? whole : sz;
        }
        HeapBlock *nb = sz >= HEAP_MAP_MIN ? map_block(&sz) : mem_alloc(sz);
        if (nb == NULL)
            return NULL;
        nb->prev = b;
        nb->used = 0;
        nb->cap = sz - sizeof(HeapBlock);
        h->head = nb;
        b = nb;
    }
    char *p = b->bytes + b->used;
    b->used += n;
    h->total += n;
    return p;
}

/* Copy n active rows of vector v (from sel) to segment s at row `at`. */
static int append_column(TableData *t, RowGroup *g, int c, const Vector *v,
                         const SelIdx *sel, uint32_t n)
{
    ColSeg *s = &g->cols[c];
    uint32_t at = g->n_rows;
    size_t w = type_width(t->types[c]);
    char *dst = (char *)s->data + (size_t)at * w;
    const char *src = v->data;
    if (v->is_const) {
        for (uint32_t k = 0; k < n; k++)
            memcpy(dst + k * w, src, w);
    } else if (sel) {
        for (uint32_t k = 0; k < n; k++)
            memcpy(dst + k * w, src + (size_t)sel[k] * w, w);
    } else {
        memcpy(dst, src, (size_t)n * w);
    }
    if (v->phys == PHYS_STR) {
        Str *d = (Str *)dst;
        for (uint32_t k = 0; k < n; k++) {
            if (v->has_nulls && !vec_valid(v, v->is_const ? 0 : sel_row(sel, k))) {
                memset(&d[k], 0, sizeof(Str));   /* nothing under a NULL */
                continue;
            }
            if (d[k].len > STR_INLINE) {
                char *p = heap_alloc(&t->heap, d[k].len);
                if (p == NULL)
                    return EMBER_NOMEM;
                memcpy(p, d[k].u.ptr, d[k].len);
                d[k].u.ptr = p;
            }
        }
    }
    if (v->has_nulls) {
        if (s->validity == NULL) {
            s->validity = mem_alloc(g->cap / 64 * 8);
            if (s->validity == NULL)
                return EMBER_NOMEM;
            memset(s->validity, 0xff, g->cap / 64 * 8);
        }
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = v->is_const ? 0 : sel_row(sel, k);
            bool ok = (v->validity[r >> 6] >> (r & 63)) & 1;
            validity_set(s->validity, at + k, ok);
        }
    } else if (s->validity) {
        for (uint32_t k = 0; k < n; k++)
            validity_set(s->validity, at + k, true);
    }
    return EMBER_OK;
}

int tdata_append(TableData *t, const Chunk *c)
{
    assert(c->n_cols == t->n_cols);
    uint32_t total = chunk_active(c);
    uint32_t done = 0;
    while (done < total) {
        RowGroup *g = writable_group(t, total - done);
        if (g == NULL)
            return EMBER_NOMEM;
        uint32_t n = MIN(total - done, g->cap - g->n_rows);
        SelIdx tmp[VEC_SIZE];
        const SelIdx *sel;
        if (c->sel) {
            sel = c->sel + done;
        } else if (done == 0) {
            sel = NULL;
        } else {
            for (uint32_t k = 0; k < n; k++)
                tmp[k] = (SelIdx)(done + k);
            sel = tmp;
        }
        for (int col = 0; col < t->n_cols; col++) {
            int rc = append_column(t, g, col, &c->cols[col], sel, n);
            if (rc != EMBER_OK)
                return rc;
        }
        g->n_rows += n;
        t->n_rows += n;
        done += n;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Rows written in place (COPY)
 * ------------------------------------------------------------------------ */

int tdata_extend(TableData *t, uint64_t n, bool more)
{
    while (n > 0) {
        uint32_t want = more ? RG_ROWS : (uint32_t)MIN(n, (uint64_t)RG_ROWS);
        RowGroup *g = writable_group(t, want);
        if (g == NULL)
            return EMBER_NOMEM;
        if (more && g->cap < RG_ROWS && group_grow(t, g, RG_ROWS) != EMBER_OK)
            return EMBER_NOMEM;
        uint32_t k = (uint32_t)MIN(n, (uint64_t)(g->cap - g->n_rows));
        g->n_rows += k;
        t->n_rows += k;
        n -= k;
    }
    return EMBER_OK;
}

char *strheap_alloc(StrHeap *h, size_t n)
{
    return heap_alloc(h, n);
}

void strheap_release(StrHeap *h)
{
    heap_release(h);
}

void tdata_adopt_heap(TableData *t, StrHeap *h)
{
    if (h->head == NULL)
        return;
    HeapBlock *oldest = h->head;
    while (oldest->prev)
        oldest = oldest->prev;
    oldest->prev = t->heap.head;
    t->heap.head = h->head;
    t->heap.total += h->total;
    h->head = NULL;
    h->total = 0;
}

TableMark tdata_mark(const TableData *t)
{
    TableMark m;
    m.n_rows = t->n_rows;
    m.head = t->heap.head;
    m.head_used = t->heap.head ? t->heap.head->used : 0;
    m.heap_total = t->heap.total;
    return m;
}

void tdata_truncate(TableData *t, TableMark m)
{
    while (t->n_rows > m.n_rows) {
        RowGroup *g = t->groups[t->n_groups - 1];
        uint64_t first = t->n_rows - g->n_rows;
        if (first >= m.n_rows) {
            t->n_rows = first;
            group_free(t, g);
            t->n_groups--;
        } else {
            g->n_rows = (uint32_t)(m.n_rows - first);
            t->n_rows = m.n_rows;
        }
    }
    while (t->heap.head && t->heap.head != m.head) {
        HeapBlock *b = t->heap.head;
        t->heap.head = b->prev;
        heap_block_free(b);
    }
    if (t->heap.head)
        t->heap.head->used = m.head_used;
    t->heap.total = m.heap_total;
}

void tdata_view(const TableData *t, uint32_t g, uint32_t off, uint32_t n,
                int col, Vector *out, Str *buf)
{
    const RowGroup *rg = t->groups[g];
    const ColSeg *s = &rg->cols[col];
    assert(off + n <= rg->n_rows && n <= VEC_SIZE && off % 64 == 0);
    if (s->codes) {
        assert(buf != NULL);
        const uint8_t *code = s->codes + off;
        for (uint32_t k = 0; k < n; k++)
            buf[k] = s->dict[code[k]];
        out->data = buf;
    } else {
        out->data = (char *)s->data + (size_t)off * type_width(t->types[col]);
    }
    out->is_const = false;
    out->str_stable = true;
    if (s->validity) {
        out->validity = s->validity + off / 64;
        out->has_nulls = true;
    } else {
        out->has_nulls = false;
    }
}

bool tdata_is_null(const TableData *t, uint64_t row, int col)
{
    const RowGroup *g = t->groups[row / RG_ROWS];
    uint32_t off = (uint32_t)(row % RG_ROWS);
    const uint64_t *v = g->cols[col].validity;
    return v && !((v[off >> 6] >> (off & 63)) & 1);
}

Value tdata_get(const TableData *t, uint64_t row, int col)
{
    Vector v;
    memset(&v, 0, sizeof(v));
    v.type = t->types[col];
    v.phys = (uint8_t)type_phys(v.type);
    v.data = (void *)tdata_cell(t, row, col);
    if (tdata_is_null(t, row, col)) {
        Value r = value_null();
        r.type = v.type;
        return r;
    }
    return vector_get_value(&v, 0);
}

const void *tdata_cell(const TableData *t, uint64_t row, int col)
{
    const ColSeg *s = &t->groups[row / RG_ROWS]->cols[col];
    uint32_t off = (uint32_t)(row % RG_ROWS);
    if (s->codes)
        return &s->dict[s->codes[off]];
    return (const char *)s->data + (size_t)off * type_width(t->types[col]);
}

/* ------------------------------------------------------------------------
 * Dictionary encoding of sealed groups
 * ------------------------------------------------------------------------ */

/* Slot of a string in encode_column's table. Inline strings are zero
 * padded, so their two words hash without touching the bytes' length
 * (a multiply-shift: encoding SF 1 lineitem's four short-string columns
 * took 0.4 s with the general string hash). */
static inline uint32_t dict_slot(const Str *s, uint32_t mask)
{
    /* long strings hash fully: str_quick_key would put those that differ
     * only in the middle on one probe chain */
    if (s->len > STR_INLINE)
        return (uint32_t)hash_str(s) & mask;
    return (uint32_t)(str_quick_key(s) >> 40) & mask;
}

/* Codes of column c of group g into codes[], its distinct values into
 * dict[]; false when there are more than DICT_MAX. */
static bool encode_column(const RowGroup *g, int c, uint8_t *codes, Str *dict,
                          uint32_t *n_dict)
{
    uint16_t slot[4 * (DICT_MAX + 1)];    /* dict index + 1; 0 empty */
    const uint32_t mask = (uint32_t)(sizeof(slot) / sizeof(slot[0])) - 1;
    memset(slot, 0, sizeof(slot));
    const Str *v = g->cols[c].data;
    const uint64_t *valid = g->cols[c].validity;
    uint32_t n = 0;
    for (uint32_t r = 0; r < g->n_rows; r++) {
        if (valid && !((valid[r >> 6] >> (r & 63)) & 1)) {
            codes[r] = 0;
            continue;
        }
        if (r > 0 && codes[r - 1] < n && str_eq(&dict[codes[r - 1]], &v[r])) {
            codes[r] = codes[r - 1];      /* runs of one value */
            continue;
        }
        uint32_t i = dict_slot(&v[r], mask);
        for (;;) {
            uint32_t e = slot[i];
            if (e == 0) {
                if (n == DICT_MAX)
                    return false;
                dict[n] = v[r];
                slot[i] = (uint16_t)++n;
                codes[r] = (uint8_t)(n - 1);
                break;
            }
            if (str_eq(&dict[e - 1], &v[r])) {
                codes[r] = (uint8_t)(e - 1);
                break;
            }
            i = (i + 1) & mask;
        }
    }
    if (n == 0)
        memset(&dict[0], 0, sizeof(Str));   /* code 0 of all-NULL rows */
    *n_dict = n;
    return true;
}

static void seal_column(RowGroup *g, int c)
{
    ColSeg *s = &g->cols[c];
    size_t n_codes = (g->cap + 15) & ~(size_t)15;  /* dict stays aligned */
    uint8_t *codes = mem_alloc(n_codes + sizeof(Str) * (DICT_MAX + 1));
    if (codes == NULL)
        return;                           /* stays plain */
    Str *dict = (Str *)(codes + n_codes);
    uint32_t n;
    if (!encode_column(g, c, codes, dict, &n)) {
        mem_free(codes);
        return;
    }
    s->codes = codes;
    s->dict = dict;
    s->n_dict = n;
    /* The Str array goes back to the system: freed, or, inside a group's
     * block (each column's array starts on a page), its pages dropped. */
    if (g->block)
        madvise(s->data, (size_t)RG_ROWS * sizeof(Str), MADV_DONTNEED);
    else
        mem_free(s->data);
    s->data = NULL;
}

/* Where column c's array lives in a group's block. */
static void *block_column(const TableData *t, const RowGroup *g, int c)
{
    size_t off = 0;
    for (int i = 0; i < c; i++)
        off += (size_t)RG_ROWS * type_width(t->types[i]);
    return (char *)g->block + off;
}

/* Before rows are added to a sealed group (the last one, not full): its
 * encoded columns become plain arrays again (NULL rows zeroed, as
 * appends leave them); the next commit encodes it again. */
static int group_unseal(const TableData *t, RowGroup *g)
{
    for (int c = 0; c < t->n_cols; c++) {
        ColSeg *s = &g->cols[c];
        if (s->codes == NULL)
            continue;
        Str *d = g->block ? block_column(t, g, c)
                          : mem_alloc(sizeof(Str) * g->cap);
        if (d == NULL)
            return EMBER_NOMEM;
        const uint64_t *valid = s->validity;
        for (uint32_t r = 0; r < g->n_rows; r++) {
            if (valid && !((valid[r >> 6] >> (r & 63)) & 1))
                memset(&d[r], 0, sizeof(Str));
            else
                d[r] = s->dict[s->codes[r]];
        }
        mem_free(s->codes);
        s->codes = NULL;
        s->dict = NULL;
        s->n_dict = 0;
        s->data = d;
    }
    g->sealed = false;
    return EMBER_OK;
}

static void seal_group(const TableData *t, RowGroup *g)
{
    for (int c = 0; c < t->n_cols; c++)
        if (type_phys(t->types[c]) == PHYS_STR)
            seal_column(g, c);
    g->sealed = true;
}

static bool to_seal(const RowGroup *g)
{
    return !g->sealed && g->n_rows > 0;
}

typedef struct SealJob {
    TableData *t;
    uint32_t first;           /* groups before it are all sealed */
} SealJob;


static void seal_task(void *arg, int task, int worker)
{
    UNUSED(worker);
    SealJob *j = arg;
    RowGroup *g = j->t->groups[j->first + (uint32_t)task];
    if (to_seal(g))
        seal_group(j->t, g);
}

void tdata_seal(TableData *t, uint64_t added, struct ThreadPool *pool,
                int n_threads)
{
    uint32_t first = 0;
    while (first < t->n_groups && !to_seal(t->groups[first]))
        first++;
    uint32_t end = t->n_groups;
    /* The last group, not full, is decoded again by the next append to
     * it: encode it only when this append added at least half its rows,
     * so single-row INSERTs do not re-encode it every time (the work
     * stays proportional to the rows added). */
    const RowGroup *last = end ? t->groups[end - 1] : NULL;
    if (last && last->n_rows < RG_ROWS && added * 2 < last->n_rows)
        end--;
    if (first >= end)
        return;
    SealJob j = {t, first};
    if (pool && n_threads > 1) {
        pool_run(pool, n_threads, (int)(end - first), seal_task, &j);
        return;
    }
    for (uint32_t g = first; g < end; g++)
        seal_task(&j, (int)(g - first), 0);
}
