/*
 * meter.h -- measuring a piece of work (an operator call, a sink finalize)
 * for per-operator statistics: wall time, thread CPU time, allocator calls
 * and bytes, lock waits. Everything read is the calling thread's own plain
 * counters (no shared atomics); nothing is read unless profiling is on.
 */
#ifndef EMBER_METER_H
#define EMBER_METER_H

#include "exec/exec_int.h"

typedef struct Meter {
    uint64_t wall;
    uint64_t cpu;
    uint64_t allocs;
    uint64_t bytes;
    uint64_t lock_ns;
    uint64_t locks;
} Meter;

static inline uint64_t lock_ns_now(const ObsThread *o)
{
    return lockstats_total_wait(&o->locks);
}

static inline uint64_t lock_count_now(const ObsThread *o)
{
    uint64_t n = 0;
    for (int i = 0; i < LOCK__COUNT; i++)
        n += o->locks.contended[i];
    return n;
}

static inline void meter_start(Meter *m)
{
    const MemCounters *mc = mem_counters();
    const ObsThread *o = obs_thread();
    m->wall = clock_ns();
    m->cpu = thread_cpu_ns();
    m->allocs = mc->n_allocs;
    m->bytes = mc->bytes;
    m->lock_ns = lock_ns_now(o);
    m->locks = lock_count_now(o);
}

/* Add what happened since meter_start to st; returns the wall time. */
static inline uint64_t meter_stop(const Meter *m, OpStats *st)
{
    const MemCounters *mc = mem_counters();
    const ObsThread *o = obs_thread();
    uint64_t wall = clock_ns() - m->wall;
    st->time_ns += wall;
    st->cpu_ns += thread_cpu_ns() - m->cpu;
    st->n_allocs += mc->n_allocs - m->allocs;
    st->alloc_bytes += mc->bytes - m->bytes;
    st->lock_wait_ns += lock_ns_now(o) - m->lock_ns;
    st->lock_waits += lock_count_now(o) - m->locks;
    return wall;
}

#endif /* EMBER_METER_H */
