/*
 * memcache.c -- see memcache.h.
 *
 * Two small stacks (arenas, column ranges) under one lock. The lock is
 * taken once per arena or column per query, never per row.
 */
#include <stdatomic.h>
#include <sys/mman.h>

#include "exec/memcache.h"

/* TUNING: what a cache may hold. 32 arenas and 128 ranges cover the
 * threads and columns of the largest TPC-H plans at 2 threads; 2 MiB kept
 * resident of each bounds the idle footprint (a few hundred MiB at most). */
#define CACHE_ARENAS 32
#define CACHE_RANGES 128
#define KEEP_RESIDENT (2u << 20)

typedef struct CachedRange {
    void *p;
    size_t committed;
} CachedRange;

struct MemCache {
    EmberMutex lock;
    Arena *arenas[CACHE_ARENAS];
    int n_arenas;
    CachedRange ranges[CACHE_RANGES];
    int n_ranges;
    atomic_uint_fast64_t in_use;  /* committed bytes of ranges out */
};

MemCache *memcache_create(void)
{
    MemCache *mc = mem_calloc(sizeof(*mc));
    if (mc)
        emutex_init(&mc->lock, LOCK_MEMCACHE);
    return mc;
}

void memcache_destroy(MemCache *mc)
{
    if (mc == NULL)
        return;
    for (int i = 0; i < mc->n_arenas; i++)
        arena_destroy(mc->arenas[i]);
    for (int i = 0; i < mc->n_ranges; i++)
        mem_unreserve(mc->ranges[i].p, MEMCACHE_RANGE);
    emutex_destroy(&mc->lock);
    mem_free(mc);
}

Arena *memcache_arena(MemCache *mc, const char *name, int mode)
{
    Arena *a = NULL;
    if (mc && mode == ARENA_RESERVE) {
        emutex_lock(&mc->lock);
        if (mc->n_arenas > 0)
            a = mc->arenas[--mc->n_arenas];
        emutex_unlock(&mc->lock);
    }
    return a ? a : arena_create(name, 0, mode);
}

void memcache_arena_done(MemCache *mc, Arena *a)
{
    if (a == NULL)
        return;
    if (mc == NULL || arena_is_malloc(a)) {
        arena_destroy(a);
        return;
    }
    arena_reset(a);
    arena_trim(a, KEEP_RESIDENT);
    emutex_lock(&mc->lock);
#ifdef EMBER_DEBUG
    for (int i = 0; i < mc->n_arenas; i++)
        assert(mc->arenas[i] != a && "arena returned twice");
#endif
    bool kept = mc->n_arenas < CACHE_ARENAS;
    if (kept)
        mc->arenas[mc->n_arenas++] = a;
    emutex_unlock(&mc->lock);
    if (!kept)
        arena_destroy(a);
}

void *memcache_range(MemCache *mc, size_t *committed)
{
    if (mc) {
        CachedRange r = {NULL, 0};
        emutex_lock(&mc->lock);
        if (mc->n_ranges > 0)
            r = mc->ranges[--mc->n_ranges];
        emutex_unlock(&mc->lock);
        if (r.p) {
            *committed = r.committed;
            atomic_fetch_add(&mc->in_use, r.committed);
            return r.p;
        }
    }
    *committed = 0;
    return mem_reserve(MEMCACHE_RANGE);
}

void memcache_range_done(MemCache *mc, void *p, size_t committed)
{
    if (p == NULL)
        return;
    if (mc == NULL) {
        mem_unreserve(p, MEMCACHE_RANGE);
        return;
    }
    atomic_fetch_sub(&mc->in_use, committed);
    if (committed > KEEP_RESIDENT)
        madvise((char *)p + KEEP_RESIDENT, committed - KEEP_RESIDENT,
                MADV_DONTNEED);
    emutex_lock(&mc->lock);
    bool kept = mc->n_ranges < CACHE_RANGES;
    if (kept)
        mc->ranges[mc->n_ranges++] = (CachedRange){p, committed};
    emutex_unlock(&mc->lock);
    if (!kept)
        mem_unreserve(p, MEMCACHE_RANGE);
}

void memcache_range_grew(MemCache *mc, size_t bytes)
{
    if (mc)
        atomic_fetch_add(&mc->in_use, bytes);
}

uint64_t memcache_in_use(const MemCache *mc)
{
    return mc ? atomic_load(&((MemCache *)mc)->in_use) : 0;
}
