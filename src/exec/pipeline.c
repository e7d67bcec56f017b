/*
 * pipeline.c -- cutting a physical plan into pipelines and running them.
 *
 * Building walks the plan from the root. Streaming operators (filter,
 * projection, limit, the probe side of a join) join the pipeline being
 * built; a pipeline breaker ends it: the breaker becomes that pipeline's
 * source and the sink of a new pipeline for its input. A list in
 * dependency order results (inputs before the pipelines reading them).
 *
 * Running a pipeline starts one task per thread. Each task makes its own
 * local state for the source, every operator and the sink, then pulls
 * chunks (morsels) from the source until it is exhausted, pushing each
 * through the operators into the sink, and finally combines its local sink
 * state into the global one. After all tasks, operators with rows left
 * over (unmatched build rows of RIGHT/FULL joins) are flushed on one
 * thread, and the sink is finalized.
 */
#include "exec/explain.h"
#include "exec/meter.h"
#include "obs/profile.h"

typedef struct Builder {
    ExecCtx *cx;
    Arena *a;
    PipelineSet *ps;
    int cap;
    int next_id;
} Builder;

static Pipeline *new_pipeline(Builder *b, const PhysOp *sink, int side)
{
    Pipeline *p = arena_calloc(b->a, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->id = ++b->next_id;
    p->ops = arena_alloc(b->a, sizeof(PhysOp *) * (size_t)(b->cx->n_ops + 1));
    p->deps = arena_alloc(b->a, sizeof(Pipeline *) * 4);
    if (p->ops == NULL || p->deps == NULL)
        return NULL;
    p->sink = sink;
    p->sink_side = side;
    p->parallel = true;
    return p;
}

static int add_dep(Builder *b, Pipeline *p, Pipeline *dep)
{
    if (p->n_deps % 4 == 0 && p->n_deps > 0) {
        Pipeline **d = arena_alloc(b->a, sizeof(Pipeline *) *
                                             (size_t)(p->n_deps + 4));
        if (d == NULL)
            return EMBER_NOMEM;
        memcpy(d, p->deps, sizeof(Pipeline *) * (size_t)p->n_deps);
        p->deps = d;
    }
    p->deps[p->n_deps++] = dep;
    return EMBER_OK;
}

static int append_pipeline(Builder *b, Pipeline *p)
{
    PipelineSet *ps = b->ps;
    if (ps->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        Pipeline **l = arena_alloc(b->a, sizeof(Pipeline *) * (size_t)cap);
        if (l == NULL)
            return EMBER_NOMEM;
        if (ps->n)
            memcpy(l, ps->list, sizeof(Pipeline *) * (size_t)ps->n);
        ps->list = l;
        b->cap = cap;
    }
    ps->list[ps->n++] = p;
    return EMBER_OK;
}

static int build(Builder *b, const PhysOp *op, Pipeline *cur);

/* A new pipeline feeding `sink` from its child `side`; cur depends on it. */
static int build_child(Builder *b, const PhysOp *sink, int side,
                       Pipeline *cur, Pipeline **made)
{
    Pipeline *p = new_pipeline(b, sink, side);
    if (p == NULL)
        return EMBER_NOMEM;
    int rc = build(b, sink->child[side], p);
    if (rc != EMBER_OK)
        return rc;
    /* ops were collected from the top down: reverse to source order */
    for (int i = 0, j = p->n_ops - 1; i < j; i++, j--) {
        const PhysOp *t = p->ops[i];
        p->ops[i] = p->ops[j];
        p->ops[j] = t;
    }
    rc = append_pipeline(b, p);
    if (rc == EMBER_OK)
        rc = add_dep(b, cur, p);
    if (made)
        *made = p;
    return rc;
}

static int build(Builder *b, const PhysOp *op, Pipeline *cur)
{
    switch (op->kind) {
    case PH_SCAN:
        cur->source = op;
        return EMBER_OK;
    case PH_VALUES:
    case PH_TABLEFN:
        cur->source = op;
        cur->parallel = false;
        return EMBER_OK;
    case PH_LIMIT:
        cur->parallel = false;
        /* fall through */
    case PH_FILTER:
    case PH_PROJECT:
    case PH_SETOP:
        cur->ops[cur->n_ops++] = op;
        return build(b, op->child[0], cur);
    case PH_HASH_JOIN:
    case PH_NL_JOIN: {
        cur->ops[cur->n_ops++] = op;
        int rc = build_child(b, op, 1, cur, NULL);
        if (rc != EMBER_OK)
            return rc;
        return build(b, op->child[0], cur);
    }
    case PH_HASH_AGG: {
        cur->source = op;
        cur->parallel = false;
        Pipeline *in;
        int rc = build_child(b, op, 0, cur, &in);
        /* DISTINCT aggregates update on first sight of a value, which
         * needs one table: their input runs on one thread */
        for (int i = 0; rc == EMBER_OK && i < op->n_aggs; i++)
            if (op->aggs[i].distinct)
                in->parallel = false;
        return rc;
    }
    case PH_SORT:
    case PH_TOPN:
        cur->source = op;
        cur->parallel = false;
        return build_child(b, op, 0, cur, NULL);
    case PH_UNION: {
        cur->source = op;
        cur->parallel = false;
        Pipeline *left;
        int rc = build_child(b, op, 0, cur, &left);
        if (rc != EMBER_OK)
            return rc;
        Pipeline *right;
        rc = build_child(b, op, 1, cur, &right);
        if (rc == EMBER_OK)
            rc = add_dep(b, right, left);
        return rc;
    }
    case PH__COUNT:
        break;
    }
    return err_set(&b->cx->err, EMBER_INTERNAL, -1,
                   "unexpected physical operator %d", op->kind);
}

int pipelines_build(ExecCtx *cx, Arena *a, const PhysOp *root,
                    PipelineSet *ps)
{
    memset(ps, 0, sizeof(*ps));
    Builder b = {cx, a, ps, 0, 0};
    size_t n = (size_t)cx->n_ops + 1;
    ps->gstate = arena_calloc(a, sizeof(void *) * n);
    ps->inited = arena_calloc(a, sizeof(bool) * n);
    if (ps->gstate == NULL || ps->inited == NULL)
        return EMBER_NOMEM;
    Pipeline *top = new_pipeline(&b, NULL, 0);
    if (top == NULL)
        return EMBER_NOMEM;
    int rc = build(&b, root, top);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0, j = top->n_ops - 1; i < j; i++, j--) {
        const PhysOp *t = top->ops[i];
        top->ops[i] = top->ops[j];
        top->ops[j] = t;
    }
    return append_pipeline(&b, top);
}

/* ------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------ */

typedef struct RunCtx {
    ExecCtx *cx;
    PipelineSet *ps;
    Pipeline *p;
    Collection *result;       /* global result (p->sink == NULL) */
    ThreadCtx *single;        /* run on this thread only */
    int rc;
} RunCtx;

typedef struct Locals {
    void *src;
    void **ops;
    Chunk *outs;              /* output chunk per operator */
    void *sink;
    Collection *result;       /* thread-local result rows */
    bool finished;            /* an operator wants no more input */
} Locals;

static int thread_fail(ThreadCtx *tc, int rc)
{
    if (tc->err.code == EMBER_OK)
        err_set(&tc->err, rc, -1, "%s", rc == EMBER_NOMEM ? "out of memory"
                                                         : "internal error");
    return exec_fail(tc->cx, &tc->err);
}

/* The operator's global state, made once; what its init allocates (a
 * hash table sized from the estimate, say) is counted as the operator's,
 * on thread tc's stats. */
static int ensure_global(ExecCtx *cx, ThreadCtx *tc, PipelineSet *ps,
                         const PhysOp *op)
{
    if (ps->inited[op->id])
        return EMBER_OK;
    const OpImpl *im = op_impl(op->kind);
    if (im->init == NULL) {
        ps->inited[op->id] = true;
        return EMBER_OK;
    }
    Meter m = {0};
    OpStats init;
    size_t used0 = arena_used(cx->arena);
    if (PROFILING(cx))
        meter_start(&m, tc);
    int rc = im->init(cx, op, &ps->gstate[op->id]);
    if (PROFILING(cx)) {
        memset(&init, 0, sizeof(init));
        meter_stop(&m, tc, &init);
        tc->stats[op->id].n_allocs += init.n_allocs;
        tc->stats[op->id].alloc_bytes += init.alloc_bytes;
        tc->stats[op->id].mem_bytes +=
            init.mem_bytes + arena_grew(cx->arena, used0);
    }
    ps->inited[op->id] = true;
    return rc;
}

/* ------------------------------------------------------------------------
 * Timeline: each thread aggregates its operators' self time over a batch
 * of source chunks and then emits one span for the batch with one child
 * span per operator, laid end to end inside it (their real calls
 * interleave, so their order is not time order). A SF 1 query thus makes
 * a few thousand events, not one per chunk.
 * ------------------------------------------------------------------------ */

/* TUNING: a batch closes after 32 chunks or 5 ms, whichever is first. */
#define TRACE_BATCH_CHUNKS 32
#define TRACE_BATCH_NS 5000000ull

static void trace_add(ThreadCtx *tc, TraceEvent ev)
{
    if (tc->n_tev == tc->cap_tev) {
        int cap = tc->cap_tev ? tc->cap_tev * 2 : 256;
        TraceEvent *p = arena_realloc(tc->arena, tc->tev,
                                      sizeof(TraceEvent) * (size_t)tc->cap_tev,
                                      sizeof(TraceEvent) * (size_t)cap);
        if (p == NULL)
            return;            /* the timeline is best effort */
        tc->tev = p;
        tc->cap_tev = cap;
    }
    ev.tid = tc->worker;
    tc->tev[tc->n_tev++] = ev;
}

static uint64_t since_start(const ThreadCtx *tc, uint64_t t)
{
    return t > tc->cx->t_start_ns ? t - tc->cx->t_start_ns : 0;
}

static void trace_span(ThreadCtx *tc, const char *name, const char *cat,
                       uint64_t t0, uint64_t t1, uint64_t rows,
                       uint64_t chunks)
{
    TraceEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = TRACE_SPAN;
    ev.name = name;
    ev.cat = cat;
    ev.ts_ns = since_start(tc, t0);
    ev.dur_ns = t1 > t0 ? t1 - t0 : 0;
    ev.rows = rows;
    ev.chunks = chunks;
    trace_add(tc, ev);
}

static const char *op_label(ThreadCtx *tc, const PhysOp *op)
{
    return arena_printf(tc->arena, "%s#%d", explain_op_kind(op), op->id);
}

/* Close the current batch: a span for it, operator spans inside. */
static void batch_flush(ThreadCtx *tc, const Pipeline *p, uint64_t now)
{
    if (tc->batch_chunks == 0)
        return;
    uint64_t t0 = tc->batch_t0;
    trace_span(tc, arena_printf(tc->arena, "pipeline %d", p->id), "batch",
               t0, now, 0, (uint64_t)tc->batch_chunks);
    uint64_t at = t0;
    const PhysOp *ops[66];
    int n = 0;
    ops[n++] = p->source;
    for (int i = 0; i < p->n_ops && n < 65; i++)
        ops[n++] = p->ops[i];
    if (p->sink && n < 66)
        ops[n++] = p->sink;
    for (int i = 0; i < n; i++) {
        int id = ops[i]->id;
        uint64_t d = tc->batch_ns[id];
        if (d == 0)
            continue;
        if (at + d > now)
            d = now > at ? now - at : 0;
        trace_span(tc, op_label(tc, ops[i]), "operator", at, at + d,
                   tc->batch_rows[id], (uint64_t)tc->batch_chunks);
        at += d;
        tc->batch_ns[id] = 0;
        tc->batch_rows[id] = 0;
    }
    /* memory in use by this thread's query state */
    TraceEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = TRACE_COUNTER;
    ev.name = "memory";
    ev.cat = "memory";
    ev.ts_ns = since_start(tc, now);
    ev.value = (int64_t)(arena_used(tc->arena) + arena_used(tc->scratch));
    trace_add(tc, ev);
    tc->batch_chunks = 0;
    tc->batch_t0 = now;
}

static int trace_ready(ThreadCtx *tc)
{
    if (tc->batch_ns)
        return EMBER_OK;
    size_t n = (size_t)tc->cx->n_ops + 1;
    tc->batch_ns = arena_calloc(tc->arena, sizeof(uint64_t) * n);
    tc->batch_rows = arena_calloc(tc->arena, sizeof(uint64_t) * n);
    return tc->batch_ns && tc->batch_rows ? EMBER_OK : EMBER_NOMEM;
}

/* Lock waits recorded as spans, on the thread's "locks" track. */
static void on_lock_wait(void *ctx, int site, uint64_t t0, uint64_t t1)
{
    ThreadCtx *tc = ctx;
    TraceEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = TRACE_SPAN;
    ev.name = lock_site_name(site);
    ev.cat = "lock";
    ev.ts_ns = since_start(tc, t0);
    ev.dur_ns = t1 - t0;
    trace_add(tc, ev);
    tc->tev[tc->n_tev - 1].tid = tc->worker + 1000;
}

/* Per-operator measurement of one call (when profiling). */
static void account(ThreadCtx *tc, const Meter *m, const PhysOp *op,
                    uint64_t rows)
{
    uint64_t d = meter_stop(m, tc, &tc->stats[op->id]);
    if (tc->cx->tracing) {
        tc->batch_ns[op->id] += d;
        tc->batch_rows[op->id] += rows;
    }
}

static int sink_chunk(ThreadCtx *tc, RunCtx *rc, Locals *lo, Chunk *c)
{
    const Pipeline *p = rc->p;
    if (chunk_active(c) == 0)
        return EMBER_OK;
    if (p->sink == NULL)
        return coll_append(lo->result, c);
    const OpImpl *im = op_impl(p->sink->kind);
    if (EMBER_COUNTERS)
        tc->stats[p->sink->id].rows_in += chunk_active(c);
    if (!PROFILING(tc->cx))
        return im->sink(tc, p->sink, rc->ps->gstate[p->sink->id], lo->sink,
                        c);
    Meter m = {0};
    meter_start(&m, tc);
    int e = im->sink(tc, p->sink, rc->ps->gstate[p->sink->id], lo->sink, c);
    account(tc, &m, p->sink, 0);
    return e;
}

/* Push chunk c through operators i.. of the pipeline into the sink. */
static int push(ThreadCtx *tc, RunCtx *rc, Locals *lo, int i, Chunk *c)
{
    const Pipeline *p = rc->p;
    if (i == p->n_ops)
        return sink_chunk(tc, rc, lo, c);
    const PhysOp *op = p->ops[i];
    const OpImpl *im = op_impl(op->kind);
    void *g = rc->ps->gstate[op->id];
    OpStats *st = &tc->stats[op->id];
    if (EMBER_COUNTERS)
        st->rows_in += chunk_active(c);
    for (;;) {
        Chunk *out = &lo->outs[i];
        chunk_reset(out);
        OpResult res = OP_NEED_INPUT;
        Meter m = {0};
        if (PROFILING(tc->cx))
            meter_start(&m, tc);
        int e = im->op_exec(tc, op, g, lo->ops[i], c, out, &res);
        if (PROFILING(tc->cx))
            account(tc, &m, op, chunk_active(out));
        if (e != EMBER_OK)
            return e;
        uint32_t n = chunk_active(out);
        if (n > 0) {
            if (EMBER_COUNTERS) {
                st->rows_out += n;
                st->chunks_out++;
            }
            e = push(tc, rc, lo, i + 1, out);
            if (e != EMBER_OK)
                return e;
        }
        if (res == OP_FINISHED)
            lo->finished = true;
        if (res != OP_HAVE_MORE)
            return EMBER_OK;
    }
}

/* Metering of an operator's per-thread set-up (its local hash table,
 * say): counted as the operator's time and allocations. */
static inline void local_start(ThreadCtx *tc, Meter *m)
{
    if (PROFILING(tc->cx))
        meter_start(m, tc);
}

static inline void local_stop(ThreadCtx *tc, const Meter *m,
                              const PhysOp *op)
{
    if (PROFILING(tc->cx))
        meter_stop(m, tc, &tc->stats[op->id]);
}

static int make_locals(ThreadCtx *tc, RunCtx *rc, Locals *lo, int from)
{
    const Pipeline *p = rc->p;
    PipelineSet *ps = rc->ps;
    memset(lo, 0, sizeof(*lo));
    lo->ops = arena_calloc(tc->arena, sizeof(void *) * (size_t)(p->n_ops + 1));
    lo->outs = arena_calloc(tc->arena, sizeof(Chunk) * (size_t)(p->n_ops + 1));
    if (lo->ops == NULL || lo->outs == NULL)
        return EMBER_NOMEM;
    int e;
    Meter m = {0};
    if (from < 0) {
        const OpImpl *si = op_impl(p->source->kind);
        local_start(tc, &m);
        e = si->src_local ? si->src_local(tc, p->source,
                                          ps->gstate[p->source->id], &lo->src)
                          : EMBER_OK;
        local_stop(tc, &m, p->source);
        if (e != EMBER_OK)
            return e;
    }
    for (int i = from < 0 ? 0 : from; i < p->n_ops; i++) {
        const PhysOp *op = p->ops[i];
        const OpImpl *im = op_impl(op->kind);
        if (im->op_local) {
            local_start(tc, &m);
            e = im->op_local(tc, op, ps->gstate[op->id], &lo->ops[i]);
            local_stop(tc, &m, op);
            if (e != EMBER_OK)
                return e;
        }
        e = op_chunk(tc, tc->arena, op, &lo->outs[i]);
        if (e != EMBER_OK)
            return e;
    }
    if (p->sink) {
        const OpImpl *im = op_impl(p->sink->kind);
        local_start(tc, &m);
        e = im->sink_local(tc, p->sink, ps->gstate[p->sink->id],
                           p->sink_side, &lo->sink);
        local_stop(tc, &m, p->sink);
    } else {
        lo->result = arena_alloc(tc->arena, sizeof(Collection));
        e = lo->result ? coll_init(lo->result, rc->result->n_cols,
                                   rc->result->types, tc->arena,
                                   tc->cx->mc, 0)
                       : EMBER_NOMEM;
    }
    return e;
}

static int finish_locals(ThreadCtx *tc, RunCtx *rc, Locals *lo)
{
    const Pipeline *p = rc->p;
    ExecCtx *cx = tc->cx;
    int e = EMBER_OK;
    Meter m = {0};
    if (PROFILING(cx) && p->sink)
        meter_start(&m, tc);
    emutex_lock(&cx->combine_lock);
    if (p->sink) {
        const OpImpl *im = op_impl(p->sink->kind);
        size_t used0 = arena_used(cx->arena);
        if (im->combine)
            e = im->combine(tc, p->sink, rc->ps->gstate[p->sink->id],
                            lo->sink);
        /* the query arena is read under the lock that serializes it */
        if (PROFILING(cx))
            tc->stats[p->sink->id].mem_bytes +=
                arena_grew(cx->arena, used0);
    } else {
        e = coll_append_coll(rc->result, lo->result);
    }
    emutex_unlock(&cx->combine_lock);
    if (PROFILING(cx) && p->sink)
        meter_stop(&m, tc, &tc->stats[p->sink->id]);
    return e;
}

/* Runs `body` with `st` pointing at this thread's OpStats of each operator
 * of pipeline p: source, streaming operators, sink. */
#define FOR_PIPELINE_OPS(tc, p, st, body)                                   \
    do {                                                                    \
        OpStats *st = &(tc)->stats[(p)->source->id];                        \
        body;                                                               \
        for (int i_ = 0; i_ < (p)->n_ops; i_++) {                           \
            st = &(tc)->stats[(p)->ops[i_]->id];                            \
            body;                                                           \
        }                                                                   \
        if ((p)->sink) {                                                    \
            st = &(tc)->stats[(p)->sink->id];                               \
            body;                                                           \
        }                                                                   \
    } while (0)

/* Split a task's thread CPU time `cpu` (over wall time `wall`) among its
 * operators by the wall time each spent in it (see meter.h). */
static void apportion_cpu(ThreadCtx *tc, const Pipeline *p, uint64_t cpu,
                          uint64_t wall)
{
    if (wall == 0)
        return;
    double f = (double)cpu / (double)wall;
    FOR_PIPELINE_OPS(tc, p, st,
                     st->cpu_ns += (uint64_t)((double)(st->time_ns -
                                                       st->task_wall0) * f));
}

static void task_main(void *arg, int task, int worker)
{
    RunCtx *rc = arg;
    ExecCtx *cx = rc->cx;
    ThreadCtx *tc = rc->single ? rc->single : exec_thread(cx, worker);
    UNUSED(task);
    if (tc == NULL) {
        Err e;
        err_clear(&e);
        err_nomem(&e);
        exec_fail(cx, &e);
        return;
    }
    ObsThread *ot = obs_thread();
    bool was_profiling = ot->profiling;
    ot->profiling = cx->profiling;
    uint64_t t_task = clock_ns();
    uint64_t cpu_task = PROFILING(cx) ? thread_cpu_ns() : 0;
    LockStats locks0 = ot->locks;
    if (cx->tracing && trace_ready(tc) == EMBER_OK) {
        ot->on_wait = on_lock_wait;
        ot->on_wait_ctx = tc;
        tc->batch_t0 = t_task;
        tc->batch_chunks = 0;
    }
    const Pipeline *p = rc->p;
    if (PROFILING(cx))
        FOR_PIPELINE_OPS(tc, p, st, st->task_wall0 = st->time_ns);
    const OpImpl *si = op_impl(p->source->kind);
    void *sg = rc->ps->gstate[p->source->id];
    Locals lo;
    ArenaMark mark;
    int e = make_locals(tc, rc, &lo, -1);
    Chunk *src_out = arena_alloc(tc->arena, sizeof(Chunk));
    if (e == EMBER_OK)
        e = src_out ? op_chunk(tc, tc->arena, p->source, src_out)
                    : EMBER_NOMEM;
    mark = arena_mark(tc->scratch);
    OpStats *st = &tc->stats[p->source->id];
    bool tracing = cx->tracing && tc->batch_ns;
    while (e == EMBER_OK && !exec_failed(cx)) {
        chunk_reset(src_out);
        Meter m = {0};
        if (PROFILING(cx))
            meter_start(&m, tc);
        e = si->src_next(tc, p->source, sg, lo.src, src_out);
        if (PROFILING(cx))
            account(tc, &m, p->source, chunk_active(src_out));
        if (e != EMBER_OK || src_out->count == 0)
            break;
        if (EMBER_COUNTERS) {
            st->rows_out += chunk_active(src_out);
            st->chunks_out++;
        }
        e = push(tc, rc, &lo, 0, src_out);
        arena_release(tc->scratch, mark);
        if (tracing) {
            uint64_t now = clock_ns();
            if (++tc->batch_chunks >= TRACE_BATCH_CHUNKS ||
                now - tc->batch_t0 >= TRACE_BATCH_NS)
                batch_flush(tc, p, now);
        }
        if (lo.finished)
            break;
    }
    if (tracing)
        batch_flush(tc, p, clock_ns());
    if (e == EMBER_OK && !exec_failed(cx))
        e = finish_locals(tc, rc, &lo);
    if (e != EMBER_OK)
        thread_fail(tc, e);
    uint64_t t_end = clock_ns();
    tc->busy_ns += t_end - t_task;
    if (PROFILING(cx)) {
        uint64_t cpu = thread_cpu_ns() - cpu_task;
        tc->cpu_ns += cpu;
        apportion_cpu(tc, p, cpu, t_end - t_task);
    }
    LockStats d;
    lockstats_sub(&d, &ot->locks, &locks0);
    lockstats_add(&tc->locks, &d);
    if (tracing)
        trace_span(tc, arena_printf(tc->arena, "pipeline %d", p->id),
                   "pipeline", t_task, t_end, 0, 0);
    ot->profiling = was_profiling;
    ot->on_wait = NULL;
    ot->on_wait_ctx = NULL;
}

/* Flush operators with leftover rows (RIGHT/FULL join build side). */
static int flush_ops(ThreadCtx *tc, RunCtx *rc)
{
    const Pipeline *p = rc->p;
    for (int i = 0; i < p->n_ops; i++) {
        const PhysOp *op = p->ops[i];
        const OpImpl *im = op_impl(op->kind);
        if (im->op_flush == NULL)
            continue;
        Locals lo;
        int e = make_locals(tc, rc, &lo, i);
        if (e != EMBER_OK)
            return e;
        void *g = rc->ps->gstate[op->id];
        for (;;) {
            Chunk *out = &lo.outs[i];
            chunk_reset(out);
            ArenaMark m = arena_mark(tc->scratch);
            e = im->op_flush(tc, op, g, lo.ops[i], out);
            if (e != EMBER_OK || out->count == 0)
                break;
            tc->stats[op->id].rows_out += chunk_active(out);
            e = push(tc, rc, &lo, i + 1, out);
            arena_release(tc->scratch, m);
            if (e != EMBER_OK)
                break;
        }
        if (e == EMBER_OK)
            e = finish_locals(tc, rc, &lo);
        if (e != EMBER_OK)
            return e;
    }
    return EMBER_OK;
}

static int run_one(ExecCtx *cx, PipelineSet *ps, Pipeline *p,
                   Collection *result, ThreadCtx *single)
{
    ThreadCtx *tc = single ? single : exec_thread(cx, 0);
    int e = tc ? ensure_global(cx, tc, ps, p->source) : EMBER_NOMEM;
    for (int i = 0; e == EMBER_OK && i < p->n_ops; i++)
        e = ensure_global(cx, tc, ps, p->ops[i]);
    if (e == EMBER_OK && p->sink)
        e = ensure_global(cx, tc, ps, p->sink);
    if (e != EMBER_OK) {
        Err er;
        err_clear(&er);
        err_set(&er, e, -1, "out of memory");
        return exec_fail(cx, cx->err.code ? &cx->err : &er);
    }
    RunCtx rc = {cx, ps, p, result, single, EMBER_OK};
    int threads = (p->parallel && single == NULL) ? cx->n_threads : 1;
    if (single) {
        task_main(&rc, 0, 0);
    } else {
        pool_run(cx->pool, threads, threads, task_main, &rc);
    }
    if (exec_failed(cx))
        return cx->err.code;
    e = flush_ops(tc, &rc);
    if (e != EMBER_OK)
        return thread_fail(tc, e);
    if (p->sink) {
        const OpImpl *im = op_impl(p->sink->kind);
        Meter m = {0};
        OpStats fin;
        memset(&fin, 0, sizeof(fin));
        size_t used0 = arena_used(cx->arena);
        meter_start_cpu(&m, tc);
        if (im->finalize)
            e = im->finalize(cx, p->sink, ps->gstate[p->sink->id],
                             p->sink_side);
        meter_stop(&m, tc, &fin);
        fin.mem_bytes += arena_grew(cx->arena, used0);
        OpStats *s = &tc->stats[p->sink->id];
        s->build_ns += fin.time_ns;
        s->cpu_ns += fin.cpu_ns;
        /* finalize runs on the calling thread: its time is thread time */
        tc->busy_ns += fin.time_ns;
        tc->cpu_ns += fin.cpu_ns;
        s->n_allocs += fin.n_allocs;
        s->alloc_bytes += fin.alloc_bytes;
        s->mem_bytes += fin.mem_bytes;
        if (cx->tracing && fin.time_ns > 0) {
            uint64_t now = clock_ns();
            trace_span(tc, arena_printf(tc->arena, "%s build",
                                        op_label(tc, p->sink)),
                       "operator", now - fin.time_ns, now, 0, 0);
        }
        if (e != EMBER_OK) {
            if (cx->err.code == EMBER_OK)
                err_set(&cx->err, e, -1, "out of memory");
            atomic_store(&cx->failed, true);
            return cx->err.code;
        }
    }
    p->done = true;
    return EMBER_OK;
}

int pipelines_run(ExecCtx *cx, PipelineSet *ps, Collection *coll,
                  ThreadCtx *tc_single)
{
    int e = EMBER_OK;
    for (int i = 0; i < ps->n && e == EMBER_OK; i++)
        e = run_one(cx, ps, ps->list[i], coll, tc_single);
    return e;
}
