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
#include "exec/exec_int.h"

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

static int ensure_global(ExecCtx *cx, PipelineSet *ps, const PhysOp *op)
{
    if (ps->inited[op->id])
        return EMBER_OK;
    const OpImpl *im = op_impl(op->kind);
    int rc = im->init ? im->init(cx, op, &ps->gstate[op->id]) : EMBER_OK;
    ps->inited[op->id] = true;
    return rc;
}

static int sink_chunk(ThreadCtx *tc, RunCtx *rc, Locals *lo, Chunk *c)
{
    const Pipeline *p = rc->p;
    if (chunk_active(c) == 0)
        return EMBER_OK;
    if (p->sink == NULL)
        return coll_append(lo->result, c);
    const OpImpl *im = op_impl(p->sink->kind);
    tc->stats[p->sink->id].rows_in += chunk_active(c);
    return im->sink(tc, p->sink, rc->ps->gstate[p->sink->id], lo->sink, c);
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
    st->rows_in += chunk_active(c);
    for (;;) {
        Chunk *out = &lo->outs[i];
        chunk_reset(out);
        OpResult res = OP_NEED_INPUT;
        uint64_t t0 = tc->cx->profiling ? clock_ns() : 0;
        int e = im->op_exec(tc, op, g, lo->ops[i], c, out, &res);
        if (tc->cx->profiling)
            st->time_ns += clock_ns() - t0;
        if (e != EMBER_OK)
            return e;
        uint32_t n = chunk_active(out);
        if (n > 0) {
            st->rows_out += n;
            st->chunks_out++;
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
    if (from < 0) {
        const OpImpl *si = op_impl(p->source->kind);
        e = si->src_local ? si->src_local(tc, p->source,
                                          ps->gstate[p->source->id], &lo->src)
                          : EMBER_OK;
        if (e != EMBER_OK)
            return e;
    }
    for (int i = from < 0 ? 0 : from; i < p->n_ops; i++) {
        const PhysOp *op = p->ops[i];
        const OpImpl *im = op_impl(op->kind);
        if (im->op_local) {
            e = im->op_local(tc, op, ps->gstate[op->id], &lo->ops[i]);
            if (e != EMBER_OK)
                return e;
        }
        e = op_chunk(tc, tc->arena, op, &lo->outs[i]);
        if (e != EMBER_OK)
            return e;
    }
    if (p->sink) {
        const OpImpl *im = op_impl(p->sink->kind);
        e = im->sink_local(tc, p->sink, ps->gstate[p->sink->id],
                           p->sink_side, &lo->sink);
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
    emutex_lock(&cx->combine_lock);
    if (p->sink) {
        const OpImpl *im = op_impl(p->sink->kind);
        if (im->combine)
            e = im->combine(tc, p->sink, rc->ps->gstate[p->sink->id],
                            lo->sink);
    } else {
        e = coll_append_coll(rc->result, lo->result);
    }
    emutex_unlock(&cx->combine_lock);
    return e;
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
    bool was_profiling = obs_thread()->profiling;
    obs_thread()->profiling = cx->profiling;
    const Pipeline *p = rc->p;
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
    while (e == EMBER_OK && !exec_failed(cx)) {
        chunk_reset(src_out);
        uint64_t t0 = cx->profiling ? clock_ns() : 0;
        e = si->src_next(tc, p->source, sg, lo.src, src_out);
        if (cx->profiling)
            st->time_ns += clock_ns() - t0;
        if (e != EMBER_OK || src_out->count == 0)
            break;
        st->rows_out += chunk_active(src_out);
        st->chunks_out++;
        e = push(tc, rc, &lo, 0, src_out);
        arena_release(tc->scratch, mark);
        if (lo.finished)
            break;
    }
    if (e == EMBER_OK && !exec_failed(cx))
        e = finish_locals(tc, rc, &lo);
    if (e != EMBER_OK)
        thread_fail(tc, e);
    obs_thread()->profiling = was_profiling;
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
    int e = ensure_global(cx, ps, p->source);
    for (int i = 0; e == EMBER_OK && i < p->n_ops; i++)
        e = ensure_global(cx, ps, p->ops[i]);
    if (e == EMBER_OK && p->sink)
        e = ensure_global(cx, ps, p->sink);
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
    ThreadCtx *tc = single ? single : exec_thread(cx, 0);
    e = flush_ops(tc, &rc);
    if (e != EMBER_OK)
        return thread_fail(tc, e);
    if (p->sink) {
        const OpImpl *im = op_impl(p->sink->kind);
        uint64_t t0 = clock_ns();
        if (im->finalize)
            e = im->finalize(cx, p->sink, ps->gstate[p->sink->id],
                             p->sink_side);
        tc->stats[p->sink->id].build_ns += clock_ns() - t0;
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
