/*
 * memcache.h -- keeps the memory of finished queries for the next one.
 *
 * Fresh memory is expensive: every first touch of a 4 KiB page is a page
 * fault (about 20 us on the virtual machines ember is measured on), so a
 * query that reserved new ranges for each arena and column array would
 * spend most of a small statement's time faulting. A database handle owns
 * one MemCache; arenas and reserved column ranges go back to it when a
 * query ends and come out of it, already committed and faulted in, for the
 * next. What stays resident is bounded by a budget (the `cache_memory`
 * setting); pages beyond it are handed back to the kernel. Reusing a cached arena or range is
 * not an allocation: the allocator counters move only when the cache is
 * empty.
 */
#ifndef EMBER_MEMCACHE_H
#define EMBER_MEMCACHE_H

#include "obs/obs.h"

/* TUNING: 16 GiB of address space per column range (see collection.c):
 * a billion 16-byte strings; 512 cached ranges reserve 8 TiB of the
 * 128 TiB of user address space. */
#define MEMCACHE_RANGE (1ull << 34)

typedef struct MemCache MemCache;

MemCache *memcache_create(void);
void memcache_destroy(MemCache *mc);   /* NULL is a no-op */
/* Resident bytes the cache may keep between queries. */
void memcache_set_budget(MemCache *mc, size_t bytes);

/* An arena (ARENA_RESERVE mode only are cached; mc may be NULL). */
Arena *memcache_arena(MemCache *mc, const char *name, int mode);
/* Reset it and keep it for reuse (or destroy it when the cache is full). */
void memcache_arena_done(MemCache *mc, Arena *a);

/* A MEMCACHE_RANGE range with *committed bytes usable, the cached one that
 * best fits `want` bytes; NULL when out of memory. */
void *memcache_range(MemCache *mc, size_t want, size_t *committed);
void memcache_range_done(MemCache *mc, void *p, size_t committed);
/* A range handed out grew by `bytes` committed. */
void memcache_range_grew(MemCache *mc, size_t bytes);
/* Committed bytes of the ranges handed out now (column arrays in use). */
uint64_t memcache_in_use(const MemCache *mc);

#endif /* EMBER_MEMCACHE_H */
