/*
 * exec.c -- query execution: contexts, init plans, and the run loop.
 */
#include "exec/exec_int.h"

static const OpImpl *const impls[PH__COUNT] = {
    [PH_SCAN] = &op_scan_impl,
    [PH_VALUES] = &op_values_impl,
    [PH_FILTER] = &op_filter_impl,
    [PH_PROJECT] = &op_project_impl,
    [PH_HASH_JOIN] = &op_hash_join_impl,
    [PH_NL_JOIN] = &op_nl_join_impl,
    [PH_HASH_AGG] = &op_hash_agg_impl,
    [PH_SORT] = &op_sort_impl,
    [PH_TOPN] = &op_topn_impl,
    [PH_LIMIT] = &op_limit_impl,
    [PH_UNION] = &op_union_impl,
    [PH_SETOP] = &op_setop_impl,
    [PH_TABLEFN] = &op_tablefn_impl,
};

const OpImpl *op_impl(PhysKind k)
{
    return impls[k];
}

int op_chunk(ThreadCtx *tc, Arena *a, const PhysOp *op, Chunk *c)
{
    UNUSED(tc);
    return chunk_init(c, op->n_cols, op->types, a);
}

int exec_fail(ExecCtx *cx, const Err *e)
{
    emutex_lock(&cx->err_lock);
    if (cx->err.code == EMBER_OK)
        cx->err = *e;
    emutex_unlock(&cx->err_lock);
    atomic_store(&cx->failed, true);
    return cx->err.code;
}

void thread_ctx_init(ThreadCtx *tc, ExecCtx *cx, int w)
{
    memset(tc, 0, sizeof(*tc));
    tc->cx = cx;
    tc->worker = w;
    int mode = cx->settings->arena ? ARENA_RESERVE : ARENA_MALLOC;
    tc->arena = memcache_arena(cx->mc, "thread", mode);
    tc->scratch = memcache_arena(cx->mc, "scratch", mode);
    tc->params = cx->params;
    err_clear(&tc->err);
    if (tc->arena)
        tc->stats = arena_calloc(tc->arena,
                                 sizeof(OpStats) * (size_t)(cx->n_ops + 1));
}

void thread_ctx_release(ThreadCtx *tc)
{
    memcache_arena_done(tc->cx->mc, tc->arena);
    memcache_arena_done(tc->cx->mc, tc->scratch);
    memset(tc, 0, sizeof(*tc));
}

ThreadCtx *exec_thread(ExecCtx *cx, int w)
{
    if (w >= cx->n_thread_ctx)
        return NULL;
    ThreadCtx *tc = &cx->threads[w];
    if (tc->cx == NULL)
        thread_ctx_init(tc, cx, w);
    /* a context whose set-up ran out of memory stays unusable */
    if (tc->arena == NULL || tc->scratch == NULL || tc->stats == NULL)
        return NULL;
    return tc;
}

int exec_init(ExecCtx *cx, Arena *a, const Plan *plan, const Settings *s,
              ThreadPool *pool, MemCache *mc, Value *params, int n_params)
{
    memset(cx, 0, sizeof(*cx));
    cx->arena = a;
    cx->plan = plan;
    cx->settings = s;
    cx->pool = pool;
    cx->mc = mc;
    cx->n_threads = MIN(s->threads, pool_workers(pool) + 1);
    if (cx->n_threads < 1)
        cx->n_threads = 1;
    cx->vector_size = s->vector_size;
    cx->params = params;
    cx->n_params = n_params;
    cx->profiling = s->profiling || s->trace_output[0] || s->profile_output[0];
    cx->tracing = s->trace_output[0] != 0;
    cx->n_ops = plan->n_ops;
    err_clear(&cx->err);
    emutex_init(&cx->err_lock, LOCK_ERROR);
    emutex_init(&cx->combine_lock, LOCK_SINK_COMBINE);
    atomic_init(&cx->failed, false);
    cx->n_thread_ctx = pool_workers(pool) + 1;
    cx->threads = arena_calloc(a, sizeof(ThreadCtx) *
                                      (size_t)cx->n_thread_ctx);
    cx->stats = arena_calloc(a, sizeof(OpStats) * (size_t)(cx->n_ops + 1));
    if (cx->threads == NULL || cx->stats == NULL)
        return EMBER_NOMEM;
    return EMBER_OK;
}

typedef struct OwnedArena {
    Arena *arena;
    struct OwnedArena *next;
} OwnedArena;

int exec_own_arena(ExecCtx *cx, Arena *a)
{
    emutex_lock(&cx->combine_lock);
    OwnedArena *o = arena_alloc(cx->arena, sizeof(*o));
    if (o) {
        o->arena = a;
        o->next = cx->owned;
        cx->owned = o;
    }
    emutex_unlock(&cx->combine_lock);
    if (o == NULL) {
        memcache_arena_done(cx->mc, a);
        return EMBER_NOMEM;
    }
    return EMBER_OK;
}

void exec_release(ExecCtx *cx)
{
    for (OwnedArena *o = cx->owned; o; o = o->next)
        memcache_arena_done(cx->mc, o->arena);
    cx->owned = NULL;
    for (int i = 0; i < cx->n_thread_ctx; i++)
        if (cx->threads && cx->threads[i].cx)
            thread_ctx_release(&cx->threads[i]);
    emutex_destroy(&cx->err_lock);
    emutex_destroy(&cx->combine_lock);
}

void opstats_add(OpStats *d, const OpStats *s, int n)
{
    for (int i = 0; i < n; i++, d++, s++) {
        d->rows_out += s->rows_out;
        d->rows_in += s->rows_in;
        d->chunks_out += s->chunks_out;
        d->time_ns += s->time_ns;
        d->cpu_ns += s->cpu_ns;
        d->n_allocs += s->n_allocs;
        d->alloc_bytes += s->alloc_bytes;
        d->lock_wait_ns += s->lock_wait_ns;
        d->lock_waits += s->lock_waits;
        d->build_ns += s->build_ns;
        d->ht_entries = MAX(d->ht_entries, s->ht_entries);
        d->ht_capacity = MAX(d->ht_capacity, s->ht_capacity);
        d->mem_bytes += s->mem_bytes;     /* threads' states coexist */
    }
}

/* Sum the per-thread counters into cx->stats. */
static void merge_stats(ExecCtx *cx)
{
    for (int w = 0; w < cx->n_thread_ctx; w++) {
        ThreadCtx *tc = &cx->threads[w];
        if (tc->cx == NULL || tc->stats == NULL)
            continue;
        opstats_add(cx->stats, tc->stats, cx->n_ops + 1);
    }
}

/* Run an uncorrelated subquery once and store its result in a parameter
 * slot. */
static int run_init_plan(ExecCtx *cx, const SubPlan *sp)
{
    PipelineSet ps;
    int e = pipelines_build(cx, cx->arena, sp->plan, &ps);
    if (e != EMBER_OK)
        return e;
    Collection res;
    e = coll_init(&res, sp->plan->n_cols, sp->plan->types, cx->arena, cx->mc,
                  0);
    if (e != EMBER_OK)
        return e;
    e = pipelines_run(cx, &ps, &res, NULL);
    if (e != EMBER_OK)
        return e;
    Value *slot = &cx->params[sp->result_param];
    if (sp->kind == SUB_EXISTS) {
        *slot = value_bool((res.n_rows > 0) != sp->negated);
        return EMBER_OK;
    }
    if (res.n_rows > 1)
        return err_set(&cx->err, EMBER_ERROR, -1,
                       "more than one row returned by a subquery used as "
                       "an expression");
    if (res.n_rows == 0) {
        *slot = value_null();
        slot->type = sp->plan->types[0];
        return EMBER_OK;
    }
    Vector v;
    memset(&v, 0, sizeof(v));
    v.type = res.types[0];
    v.phys = (uint8_t)type_phys(v.type);
    coll_view(&res, 0, 1, 0, &v);
    *slot = vector_get_value(&v, 0);
    return EMBER_OK;
}

int exec_run(ExecCtx *cx, Collection *result)
{
    uint64_t t0 = clock_ns();
    cx->t_start_ns = t0;
    const Plan *plan = cx->plan;
    int e = EMBER_OK;
    for (int i = 0; i < plan->n_init_plans && e == EMBER_OK; i++)
        e = run_init_plan(cx, plan->init_plans[i]);
    PipelineSet ps;
    if (e == EMBER_OK)
        e = pipelines_build(cx, cx->arena, plan->root, &ps);
    if (e == EMBER_OK)
        e = pipelines_run(cx, &ps, result, NULL);
    merge_stats(cx);
    cx->t_exec_ns = clock_ns() - t0;
    if (e != EMBER_OK && cx->err.code == EMBER_OK)
        err_set(&cx->err, e, -1, "%s", ember_errstr(e));
    return e == EMBER_OK ? EMBER_OK : cx->err.code;
}

int exec_eval_const(const Expr *e, const Settings *s, Arena *a, Err *err,
                    Value *out)
{
    ExecCtx ex;
    memset(&ex, 0, sizeof(ex));
    ex.arena = a;
    ex.settings = s;
    ex.vector_size = VEC_SIZE;
    ex.n_threads = 1;
    ThreadCtx tc;
    memset(&tc, 0, sizeof(tc));
    tc.cx = &ex;
    tc.arena = a;
    tc.scratch = a;
    err_clear(&tc.err);
    int rc = expr_eval_const(&tc, e, a, out);
    if (rc != EMBER_OK)
        err_set(err, rc, tc.err.pos >= 0 ? tc.err.pos : e->pos, "%s",
                tc.err.msg);
    return rc;
}
