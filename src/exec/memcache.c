/*
 * memcache.c -- see memcache.h.
 *
 * Two small arrays (arenas, column ranges) under one lock. The lock is
 * taken once per arena or column per query, never per row. A column range
 * is chosen by fit: the smallest resident range that holds the first
 * request, so big columns get the ranges big columns left behind.
 */
#include <stdatomic.h>
#include <sys/mman.h>

#include "exec/memcache.h"

/* TUNING: what a cache may hold. 32 arenas and 512 ranges cover the
 * threads and columns of the largest TPC-H plans (Q7 holds 137 column
 * ranges at once with 2 threads) with room for more threads. Each keeps
 * at least 2 MiB resident; beyond that, pages stay resident while the
 * cache's budget (the `cache_memory` setting) lasts, so a query that runs
 * again finds its hash tables and columns already faulted in. */
#define CACHE_ARENAS 32
#define CACHE_RANGES 512
#define KEEP_RESIDENT (2u << 20)

typedef struct CachedRange {
    void *p;
    size_t committed;
    size_t resident;          /* bytes counted against the budget */
} CachedRange;

struct MemCache {
    EmberMutex lock;
    Arena *arenas[CACHE_ARENAS];
    size_t arena_resident[CACHE_ARENAS];
    int n_arenas;
    CachedRange ranges[CACHE_RANGES];
    int n_ranges;
    size_t budget;            /* resident bytes the cache may keep */
    size_t resident;          /* resident bytes of what it keeps now */
    atomic_uint_fast64_t in_use;  /* committed bytes of ranges out */
};

void memcache_set_budget(MemCache *mc, size_t bytes)
{
    if (mc == NULL)
        return;
    emutex_lock(&mc->lock);
    mc->budget = bytes;
    emutex_unlock(&mc->lock);
}

/* Under the lock: how much of `committed` bytes to keep resident. */
static size_t keep_bytes(MemCache *mc, size_t committed)
{
    size_t left = mc->budget > mc->resident ? mc->budget - mc->resident : 0;
    size_t keep = left > KEEP_RESIDENT ? left : KEEP_RESIDENT;
    keep = keep < committed ? keep : committed;
    keep &= ~(size_t)4095;
    mc->resident += keep;
    return keep;
}

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

/* Under the lock: the cached arena to hand out for `name`: the newest
 * one last used under the same name, else the newest. */
static int pick_arena(const MemCache *mc, const char *name)
{
    for (int i = mc->n_arenas - 1; i >= 0; i--)
        if (strcmp(arena_name(mc->arenas[i]), name) == 0)
            return i;
    return mc->n_arenas - 1;
}

/* An arena goes back to the role it had: a query that runs again gets
 * the same arenas for the same jobs, with their pages still committed
 * (handing out the newest instead gave TPC-H Q18's 260 MiB scratch arena
 * to a small job and made its aggregate commit 260 MiB again). */
Arena *memcache_arena(MemCache *mc, const char *name, int mode)
{
    Arena *a = NULL;
    if (mc && mode == ARENA_RESERVE) {
        emutex_lock(&mc->lock);
        if (mc->n_arenas > 0) {
            int i = pick_arena(mc, name ? name : "arena");
            a = mc->arenas[i];
            mc->resident -= mc->arena_resident[i];
            mc->n_arenas--;
            mc->arenas[i] = mc->arenas[mc->n_arenas];
            mc->arena_resident[i] = mc->arena_resident[mc->n_arenas];
        }
        emutex_unlock(&mc->lock);
        if (a)
            arena_rename(a, name);
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
    emutex_lock(&mc->lock);
#ifdef EMBER_DEBUG
    for (int i = 0; i < mc->n_arenas; i++)
        assert(mc->arenas[i] != a && "arena returned twice");
#endif
    bool kept = mc->n_arenas < CACHE_ARENAS;
    size_t keep = 0;
    if (kept) {
        keep = keep_bytes(mc, arena_committed(a));
        mc->arena_resident[mc->n_arenas] = keep;
        mc->arenas[mc->n_arenas++] = a;
    }
    emutex_unlock(&mc->lock);
    if (kept)
        arena_trim(a, keep);
    if (!kept)
        arena_destroy(a);
}

/* Under the lock: the cached range that best fits `want` bytes: the one
 * with the fewest resident bytes that still holds it, else the one with
 * the most. */
static int best_range(const MemCache *mc, size_t want)
{
    int best = -1;
    for (int i = 0; i < mc->n_ranges; i++) {
        size_t r = mc->ranges[i].resident;
        if (best < 0) {
            best = i;
            continue;
        }
        size_t b = mc->ranges[best].resident;
        bool fits = r >= want, bfits = b >= want;
        if ((fits && (!bfits || r < b)) || (!fits && !bfits && r > b))
            best = i;
    }
    return best;
}

void *memcache_range(MemCache *mc, size_t want, size_t *committed)
{
    if (mc) {
        CachedRange r = {NULL, 0, 0};
        emutex_lock(&mc->lock);
        int i = best_range(mc, want);
        if (i >= 0) {
            r = mc->ranges[i];
            mc->ranges[i] = mc->ranges[--mc->n_ranges];
            mc->resident -= r.resident;
        }
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
    emutex_lock(&mc->lock);
    bool kept = mc->n_ranges < CACHE_RANGES;
    size_t keep = 0;
    if (kept) {
        keep = keep_bytes(mc, committed);
        mc->ranges[mc->n_ranges++] = (CachedRange){p, keep, keep};
    }
    emutex_unlock(&mc->lock);
    if (!kept)
        mem_unreserve(p, MEMCACHE_RANGE);
    else if (committed > keep)
        mem_decommit((char *)p + keep, committed - keep);
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
