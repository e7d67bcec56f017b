/*
 * meter.h -- measuring a piece of work (an operator call, a sink finalize)
 * for per-operator statistics: wall time, allocator calls and bytes, lock
 * waits, and (meter_start_cpu) thread CPU time. Everything read is the
 * calling thread's own plain counters (no shared atomics); nothing is read
 * unless profiling is on.
 *
 * TUNING: the thread CPU clock is a system call, 1.4 us here against 26 ns
 * for the wall clock, so operator calls (one per chunk) are metered
 * without it: EXPLAIN ANALYZE on TPC-H SF 0.3 took 53 % longer (geomean)
 * when every call read it. A pipeline task reads it once at each end and
 * splits its CPU time over the task's operators in proportion to their
 * wall time (apportion_cpu in pipeline.c). Sink finalizes, once per
 * operator, read it directly.
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
    bool has_cpu;             /* cpu was read at the start */
    uint64_t used;            /* column capacity noted (mem_note_used) */
    uint64_t arena;           /* bytes used in the thread's arena */
    OpStats sub;              /* the thread's subplan work at the start */
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

static inline void meter_start(Meter *m, const ThreadCtx *tc)
{
    m->sub.time_ns = tc->sub.time_ns;
    m->sub.n_allocs = tc->sub.n_allocs;
    m->sub.alloc_bytes = tc->sub.alloc_bytes;
    m->sub.lock_wait_ns = tc->sub.lock_wait_ns;
    m->sub.lock_waits = tc->sub.lock_waits;
    m->sub.mem_bytes = tc->sub.mem_bytes;
    const MemCounters *mc = mem_counters();
    const ObsThread *o = obs_thread();
    m->wall = clock_ns();
    m->allocs = mc->n_allocs;
    m->bytes = mc->bytes;
    m->used = mc->used_bytes;
    m->arena = tc->arena ? arena_used(tc->arena) : 0;
    m->lock_ns = lock_ns_now(o);
    m->locks = lock_count_now(o);
}

/* Bytes arena a grew by since it had `used0` in use (0 if it shrank). */
static inline uint64_t arena_grew(const Arena *a, size_t used0)
{
    size_t used = arena_used(a);
    return used > used0 ? used - used0 : 0;
}

/* meter_start, and the thread's CPU time too. */
static inline void meter_start_cpu(Meter *m, const ThreadCtx *tc)
{
    meter_start(m, tc);
    m->cpu = thread_cpu_ns();
    m->has_cpu = true;
}

/* Add what happened since meter_start to st, less the work of subplans
 * run meanwhile (their operators count it); returns the wall time so
 * counted. */
static inline uint64_t meter_stop(const Meter *m, const ThreadCtx *tc,
                                  OpStats *st)
{
    const MemCounters *mc = mem_counters();
    const ObsThread *o = obs_thread();
    const OpStats *sub = &tc->sub;
    uint64_t wall = clock_ns() - m->wall;
    wall -= MIN(wall, sub->time_ns - m->sub.time_ns);
    st->time_ns += wall;
    if (m->has_cpu)
        st->cpu_ns += thread_cpu_ns() - m->cpu;
    st->n_allocs += mc->n_allocs - m->allocs -
                    (sub->n_allocs - m->sub.n_allocs);
    st->alloc_bytes += mc->bytes - m->bytes -
                       (sub->alloc_bytes - m->sub.alloc_bytes);
    st->lock_wait_ns += lock_ns_now(o) - m->lock_ns -
                        (sub->lock_wait_ns - m->sub.lock_wait_ns);
    st->lock_waits += lock_count_now(o) - m->locks -
                      (sub->lock_waits - m->sub.lock_waits);
    /* memory the call put to use: thread arena growth (a release below
     * the start counts as none) and column capacity */
    st->mem_bytes += (tc->arena ? arena_grew(tc->arena, m->arena) : 0) +
                     mc->used_bytes - m->used -
                     (sub->mem_bytes - m->sub.mem_bytes);
    return wall;
}

#endif /* EMBER_METER_H */
