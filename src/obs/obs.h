/*
 * obs.h -- observability: instrumented locks, per-thread counters, query
 * and operator profiles, EXPLAIN ANALYZE rendering, pprof and trace
 * writers, and the statistics behind benchmark comparison.
 *
 * obs/ is called by every layer and calls none of them. Counters are plain
 * per-thread integers that the executor merges when a query ends; nothing
 * on a hot path touches a shared atomic.
 */
#ifndef EMBER_OBS_H
#define EMBER_OBS_H

#include <pthread.h>

#include "util/util.h"

/* ------------------------------------------------------------------------
 * Instrumented locks
 *
 * Every lock in the engine is an EmberMutex naming its site. When the
 * calling thread profiles (obs_thread()->profiling), a lock first tries to
 * acquire; only when that fails is the wait timed and charged to the site.
 * Uncontended acquisitions cost one trylock.
 * ------------------------------------------------------------------------ */

/* Built with -DEMBER_NO_COUNTERS (make VARIANT=nocounters), every
 * profiling counter compiles away: the build that the counters' overhead
 * is measured against (bench/overhead.sh). */
#ifdef EMBER_NO_COUNTERS
#define EMBER_COUNTERS 0
#else
#define EMBER_COUNTERS 1
#endif

#define LOCK_SITES(X)                                                       \
    X(POOL_QUEUE, "pool.queue")                                             \
    X(COPY_CHUNK, "copy.chunk")                                             \
    X(SINK_COMBINE, "sink.combine")                                         \
    X(ERROR, "query.error")                                                 \
    X(MEMCACHE, "memcache")                                                 \
    X(AGG_SHARD, "agg.shard")                                               \
    X(JOIN_SHARD, "join.build.shard")                                       \
    X(TPCH_TURN, "tpch.turn")

typedef enum LockSite {
#define LOCK_SITE_ENUM(id, name) LOCK_##id,
    LOCK_SITES(LOCK_SITE_ENUM)
#undef LOCK_SITE_ENUM
    LOCK__COUNT
} LockSite;

const char *lock_site_name(int site);

typedef struct EmberMutex {
    pthread_mutex_t m;
    int site;
} EmberMutex;

void emutex_init(EmberMutex *m, int site);
void emutex_destroy(EmberMutex *m);
void emutex_lock(EmberMutex *m);
void emutex_unlock(EmberMutex *m);

/* ------------------------------------------------------------------------
 * Per-thread counters
 * ------------------------------------------------------------------------ */

typedef struct LockStats {
    uint64_t acquires[LOCK__COUNT];   /* counted only when profiling */
    uint64_t contended[LOCK__COUNT];
    uint64_t wait_ns[LOCK__COUNT];
} LockStats;

typedef struct ObsThread {
    bool profiling;           /* set by the executor for profiled queries */
    LockStats locks;
    /* when set (tracing), called after each contended wait */
    void (*on_wait)(void *ctx, int site, uint64_t t0, uint64_t t1);
    void *on_wait_ctx;
} ObsThread;

/* The calling thread's block (never NULL). */
ObsThread *obs_thread(void);
void lockstats_add(LockStats *dst, const LockStats *src);
void lockstats_sub(LockStats *dst, const LockStats *a, const LockStats *b);
uint64_t lockstats_total_wait(const LockStats *s);

#endif /* EMBER_OBS_H */
