/*
 * exec.h -- running physical plans.
 *
 * In:  a Plan (plan.h) and parameter values.
 * Out: result rows in a Collection, or rows handed to a sink callback;
 *      per-operator statistics for EXPLAIN ANALYZE.
 *
 * The plan is cut into pipelines at pipeline breakers (hash-join build,
 * aggregation, sort, top-N, union). A pipeline is a source, a chain of
 * streaming operators and a sink; it runs on several threads at once, each
 * pulling morsels from the source and pushing chunks through its own local
 * operator state into its own local sink state, which is merged into the
 * global sink state when the thread is done. Pipelines run after the
 * pipelines they depend on.
 *
 * Memory: global operator state lives in the query arena; each thread has
 * its own arena for local state and a scratch arena reset after every
 * source chunk has gone through the pipeline (string results of
 * expressions live there). So allocations do not grow with the data.
 */
#ifndef EMBER_EXEC_H
#define EMBER_EXEC_H

#include <stdatomic.h>

#include "exec/memcache.h"
#include "exec/pool.h"
#include "obs/obs.h"
#include "plan/plan.h"

/* ------------------------------------------------------------------------
 * Collections: growable columnar row storage (results, build sides, sort
 * input). Each column's array sits in its own reserved address range and
 * grows in place (committed as it fills), so rows never move and growth
 * never copies; the range is returned when the owning arena is reset.
 * ------------------------------------------------------------------------ */

typedef struct ColBuf {
    void *data;               /* in a reserved range, never moves */
    uint64_t *validity;       /* cap bits; meaningful when has_nulls */
    bool has_nulls;
    size_t committed;         /* bytes of data usable */
    struct ColRange *range;   /* the range's release record */
} ColBuf;

typedef struct Collection {
    int n_cols;
    Type *types;
    ColBuf *cols;
    uint64_t n_rows;
    uint64_t cap;
    Arena *arena;             /* validity, copied strings, cleanups */
    MemCache *mc;             /* where column ranges come from (or NULL) */
} Collection;

int coll_init(Collection *c, int n_cols, const Type *types, Arena *a,
              MemCache *mc, uint64_t cap_hint);
/* Append the active rows of chunk columns [0, c->n_cols). Strings that are
 * not stable are copied into the collection's arena. */
int coll_append(Collection *c, const Chunk *ch);
/* Append all rows of src (same layout). */
int coll_append_coll(Collection *dst, const Collection *src);
/* Validity of rows [0, n) of column `col` from src's rows[k] (top-N
 * compaction); the data is copied by the caller. */
int coll_copy_validity(Collection *c, int col, const ColBuf *src,
                       const uint32_t *rows, uint64_t n);
/* Move src's rows into dst: when dst is empty the two are swapped (no
 * copy; src's arena must live as long as dst is used, and dst keeps
 * allocating in its own arena), else appended. */
int coll_absorb(Collection *dst, Collection *src);
/* Zero-copy view of rows [off, off+n), off a multiple of 64. */
void coll_view(const Collection *c, uint64_t off, uint32_t n, int col,
               Vector *out);
/* Reserve room for `extra` more rows. */
int coll_reserve(Collection *c, uint64_t extra);

/* ------------------------------------------------------------------------
 * Per-operator statistics (EXPLAIN ANALYZE, profiles)
 * ------------------------------------------------------------------------ */

typedef struct OpStats {
    uint64_t rows_out;        /* rows produced (active rows) */
    uint64_t rows_in;         /* rows consumed (sinks, operators) */
    uint64_t chunks_out;
    uint64_t time_ns;         /* self time, wall clock, when profiling */
    uint64_t cpu_ns;          /* self thread CPU time, when profiling: a
                                 task's CPU time split by wall time */
    uint64_t task_wall0;      /* scratch: time_ns when the task began */
    uint64_t n_allocs;        /* allocator calls attributed to the op */
    uint64_t alloc_bytes;
    uint64_t lock_wait_ns;
    uint64_t lock_waits;
    /* memory its state took: bytes from the thread and query arenas and
     * column capacity (kept until the query ends, so also its peak) */
    uint64_t mem_bytes;
    uint64_t ht_entries;      /* hash table entries (join build, agg) */
    uint64_t ht_capacity;
    uint64_t build_ns;        /* hash-join build / sink finalize time */
} OpStats;

/* ------------------------------------------------------------------------
 * Execution context
 * ------------------------------------------------------------------------ */

typedef struct ExecCtx ExecCtx;

/* One thread's view of a running query. */
typedef struct ThreadCtx {
    ExecCtx *cx;
    int worker;               /* pool worker number, 0 = caller */
    Arena *arena;             /* local operator state */
    Arena *scratch;           /* reset after each source chunk */
    Value *params;            /* parameter values (may be a private copy) */
    Err err;
    OpStats *stats;           /* [n_ops + 1], this thread's counters */
    uint64_t busy_ns;         /* wall time spent in pipeline tasks */
    uint64_t cpu_ns;          /* their thread CPU time */
    LockStats locks;          /* lock counters of this query's tasks */
    /* work of correlated subplans run on this thread: counted in their own
     * operators, so meter_stop leaves it out of the operator that ran
     * them (time, allocations, lock waits, column memory) */
    OpStats sub;
    /* timeline (setting trace_output): events and the batch being
     * aggregated (one span per batch of chunks, per operator) */
    struct TraceEvent *tev;
    int n_tev;
    int cap_tev;
    uint64_t batch_t0;
    int batch_chunks;
    uint64_t *batch_ns;       /* [n_ops + 1] self time in the batch */
    uint64_t *batch_rows;     /* [n_ops + 1] rows out in the batch */
} ThreadCtx;

struct ExecCtx {
    Arena *arena;             /* query arena: global operator state */
    const Plan *plan;
    const Settings *settings;
    ThreadPool *pool;
    MemCache *mc;             /* the handle's memory cache (may be NULL) */
    int n_threads;            /* threads per pipeline */
    int vector_size;
    Value *params;
    int n_params;
    bool profiling;           /* per-operator clocks and counters */
    bool tracing;             /* record a timeline too */
    Err err;                  /* first error of any thread */
    EmberMutex err_lock;
    /* Serializes every allocation from the query arena while threads run:
     * sinks combine their thread-local state under it (the arena is a
     * plain bump allocator). Taken once per thread per pipeline. */
    EmberMutex combine_lock;
    atomic_bool failed;       /* set with err; threads stop early */
    ThreadCtx *threads;       /* one per worker, made lazily */
    int n_thread_ctx;
    OpStats *stats;           /* merged per-operator stats [n_ops + 1] */
    int n_ops;
    uint64_t t_start_ns;
    uint64_t t_exec_ns;
    struct Trace *trace;      /* trace recorder or NULL */
    struct OwnedArena *owned; /* arenas to destroy with the query */
};

/*
 * Run a plan: init plans first, then the root. Result rows are appended to
 * `result` (initialised by the caller with the plan's types). Returns
 * EMBER_OK or the first error (message in cx->err).
 */
int exec_init(ExecCtx *cx, Arena *a, const Plan *plan, const Settings *s,
              ThreadPool *pool, MemCache *mc, Value *params, int n_params);
int exec_run(ExecCtx *cx, Collection *result);
void exec_release(ExecCtx *cx);

/* Evaluate an expression without column references now (constant folding
 * in the planner). Memory for the value from `a`; errors in err. */
int exec_eval_const(const Expr *e, const Settings *s, Arena *a, Err *err,
                    Value *out);

/* Destroy `a` when the query's context is released (thread-safe). */
int exec_own_arena(ExecCtx *cx, Arena *a);

/* Record an error from any thread (first one wins). */
int exec_fail(ExecCtx *cx, const Err *e);

#endif /* EMBER_EXEC_H */
