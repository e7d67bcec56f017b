/*
 * subquery.c -- correlated subqueries that could not be unnested, run once
 * per outer row (the fallback; EXPLAIN shows it as a SubPlan).
 *
 * Each expression state owns a private execution context: parameters (a
 * copy of the query's, with the correlated slots overwritten per row), an
 * arena that is reset before every run, and a thread context that runs the
 * subplan's pipelines on the calling thread. So a run allocates nothing
 * from the allocator once the arena has grown to the subplan's size.
 */
#include "exec/exec_int.h"

struct SubState {
    const SubPlan *sp;
    ExecCtx sub;
    Arena *run_arena;         /* reset per run: global + local state */
    Arena *run_scratch;
    ThreadCtx tc;
    Value *params;
    ExprState **corr;
    Vector **corrv;
    ExprState *lhs;
};

int subquery_state_make(ThreadCtx *tc, Arena *a, ExprState *es)
{
    const SubPlan *sp = es->expr->subq;
    ExecCtx *cx = tc->cx;
    SubState *ss = arena_calloc(a, sizeof(*ss));
    if (ss == NULL)
        return EMBER_NOMEM;
    ss->sp = sp;
    int mode = cx->settings->arena ? ARENA_RESERVE : ARENA_MALLOC;
    ss->run_arena = memcache_arena(cx->mc, "subquery", mode);
    ss->run_scratch = memcache_arena(cx->mc, "subquery scratch", mode);
    ss->params = arena_alloc(a, sizeof(Value) * (size_t)(cx->n_params + 1));
    ss->corr = arena_calloc(a, sizeof(ExprState *) * (size_t)(sp->n_corr + 1));
    ss->corrv = arena_calloc(a, sizeof(Vector *) * (size_t)(sp->n_corr + 1));
    if (ss->run_arena && exec_own_arena(cx, ss->run_arena) != EMBER_OK)
        ss->run_arena = NULL;
    if (ss->run_scratch && exec_own_arena(cx, ss->run_scratch) != EMBER_OK)
        ss->run_scratch = NULL;
    if (!ss->run_arena || !ss->run_scratch || !ss->params || !ss->corr ||
        !ss->corrv)
        return EMBER_NOMEM;
    es->sub = ss;
    for (int i = 0; i < sp->n_corr; i++) {
        int rc = expr_state_make(tc, a, sp->corr_args[i], &ss->corr[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    if (sp->lhs) {
        int rc = expr_state_make(tc, a, sp->lhs, &ss->lhs);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* Add the metered work of operators st[0..n) to *sub. */
static void sub_work(OpStats *sub, const OpStats *st, int n)
{
    for (int i = 0; i < n; i++) {
        sub->time_ns += st[i].time_ns + st[i].build_ns;
        sub->n_allocs += st[i].n_allocs;
        sub->alloc_bytes += st[i].alloc_bytes;
        sub->lock_wait_ns += st[i].lock_wait_ns;
        sub->lock_waits += st[i].lock_waits;
    }
}

/* Run the subplan once with the current parameters; rows into res. */
static int run_once(ThreadCtx *outer, SubState *ss, Collection *res)
{
    ExecCtx *cx = outer->cx;
    arena_reset(ss->run_arena);
    arena_reset(ss->run_scratch);
    int rc = exec_init(&ss->sub, ss->run_arena, cx->plan, cx->settings,
                       NULL, cx->mc, ss->params, cx->n_params);
    if (rc != EMBER_OK)
        return err_nomem(&outer->err);
    ss->sub.n_threads = 1;
    ss->sub.profiling = cx->profiling;
    ss->sub.tracing = false;
    memset(&ss->tc, 0, sizeof(ss->tc));
    ss->tc.cx = &ss->sub;
    ss->tc.arena = ss->run_arena;
    ss->tc.scratch = ss->run_scratch;
    ss->tc.params = ss->params;
    err_clear(&ss->tc.err);
    ss->tc.stats = arena_calloc(ss->run_arena,
                                sizeof(OpStats) * (size_t)(cx->n_ops + 1));
    PipelineSet ps;
    rc = ss->tc.stats ? pipelines_build(&ss->sub, ss->run_arena, ss->sp->plan,
                                        &ps)
                      : EMBER_NOMEM;
    if (rc == EMBER_OK)
        rc = coll_init(res, ss->sp->plan->n_cols, ss->sp->plan->types,
                       ss->run_arena, cx->mc, 0);
    uint64_t used0 = mem_counters()->used_bytes;
    if (rc == EMBER_OK)
        rc = pipelines_run(&ss->sub, &ps, res, &ss->tc);
    /* the subplan's operators count in the outer thread's statistics,
     * and their work not in the outer operator that ran the subplan; its
     * state lives for one run, so an operator's memory is its largest
     * run's */
    if (outer->stats && ss->tc.stats) {
        sub_work(&outer->sub, ss->tc.stats, cx->n_ops + 1);
        outer->sub.mem_bytes += mem_counters()->used_bytes - used0;
        for (int i = 0; i <= cx->n_ops; i++) {
            OpStats *o = &outer->stats[i];
            o->mem_bytes = MAX(o->mem_bytes, ss->tc.stats[i].mem_bytes);
            ss->tc.stats[i].mem_bytes = 0;
        }
        opstats_add(outer->stats, ss->tc.stats, cx->n_ops + 1);
    }
    if (rc != EMBER_OK) {
        if (ss->sub.err.code != EMBER_OK)
            outer->err = ss->sub.err;
        else
            err_set(&outer->err, rc, -1, "%s", ember_errstr(rc));
        rc = outer->err.code;
    }
    /* nested subquery states of this run own arenas: free them now */
    exec_release(&ss->sub);
    return rc;
}

static bool value_eq(const Value *a, const Value *b)
{
    switch (type_phys(a->type)) {
    case PHYS_F64:
        return a->v.d == b->v.d;
    case PHYS_STR:
        return str_eq(&a->v.s, &b->v.s);
    default:
        return a->v.i == b->v.i;
    }
}

/* Result of one run for the row: written to out at row r. */
static int row_result(ThreadCtx *tc, SubState *ss, const Collection *res,
                      Vector *out, uint32_t r, const Vector *lhs)
{
    const SubPlan *sp = ss->sp;
    Vector v;
    memset(&v, 0, sizeof(v));
    if (sp->kind == SUB_EXISTS) {
        VEC_U8(out)[r] = (res->n_rows > 0) != sp->negated;
        return EMBER_OK;
    }
    if (sp->kind == SUB_SCALAR) {
        if (res->n_rows > 1)
            return err_set(&tc->err, EMBER_ERROR, -1,
                           "more than one row returned by a subquery used "
                           "as an expression");
        if (res->n_rows == 0) {
            vector_set_null(out, r);
            return EMBER_OK;
        }
        v.type = res->types[0];
        v.phys = (uint8_t)type_phys(v.type);
        coll_view(res, 0, 1, 0, &v);
        Value val = vector_get_value(&v, 0);
        if (val.type.id == TYPE_VARCHAR && !val.is_null)
            val.v.s = str_copy(tc->scratch, str_data(&val.v.s), val.v.s.len);
        vector_put_value(out, r, &val);
        return EMBER_OK;
    }
    /* SUB_IN: three-valued membership of lhs in the first column */
    Value x = vector_get_value(lhs, r);
    bool found = false, saw_null = false;
    v.type = res->types[0];
    v.phys = (uint8_t)type_phys(v.type);
    for (uint64_t off = 0; off < res->n_rows && !found; off += VEC_SIZE) {
        uint32_t n = (uint32_t)MIN(VEC_SIZE, res->n_rows - off);
        coll_view(res, off, n, 0, &v);
        for (uint32_t k = 0; k < n && !found; k++) {
            Value y = vector_get_value(&v, k);
            if (y.is_null)
                saw_null = true;
            else if (!x.is_null && value_eq(&x, &y))
                found = true;
        }
    }
    if (res->n_rows == 0) {
        VEC_U8(out)[r] = sp->negated;
    } else if (found) {
        VEC_U8(out)[r] = !sp->negated;
    } else if (x.is_null || saw_null) {
        vector_set_null(out, r);
        return EMBER_OK;
    } else {
        VEC_U8(out)[r] = sp->negated;
    }
    if (out->has_nulls)
        validity_set(out->validity, r, true);
    return EMBER_OK;
}

int subquery_eval(ThreadCtx *tc, ExprState *es, const Chunk *in,
                  const SelIdx *sel, uint32_t n)
{
    SubState *ss = es->sub;
    const SubPlan *sp = ss->sp;
    memcpy(ss->params, tc->params, sizeof(Value) * (size_t)tc->cx->n_params);
    for (int i = 0; i < sp->n_corr; i++) {
        int rc = expr_eval(tc, ss->corr[i], in, sel, n, &ss->corrv[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    Vector *lhs = NULL;
    if (ss->lhs) {
        int rc = expr_eval(tc, ss->lhs, in, sel, n, &lhs);
        if (rc != EMBER_OK)
            return rc;
    }
    Vector *out = &es->out;
    out->str_stable = false;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        for (int i = 0; i < sp->n_corr; i++)
            ss->params[sp->corr_params[i]] = vector_get_value(ss->corrv[i],
                                                              r);
        Collection res;
        int rc = run_once(tc, ss, &res);
        if (rc != EMBER_OK)
            return rc;
        rc = row_result(tc, ss, &res, out, r, lhs);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

