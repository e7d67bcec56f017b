/*
 * profile_build.c -- turning an execution's counters into a QueryProfile:
 * one ProfOp per plan operator (the main plan, then each subplan), lock
 * sites, threads and the timeline, all copied into the statement's arena
 * before the threads' own memory goes back to the cache.
 */
#include <stdio.h>

#include "exec/exec_int.h"
#include "exec/explain.h"
#include "exec/profile_build.h"

typedef struct Builder {
    ExecCtx *cx;
    const char *sql;
    Arena *a;
    QueryProfile *qp;
    ProfOp *ops;
} Builder;

/* Smallest SQL position among an operator's expressions, or -1. */
static int expr_min_pos(const Expr *e, int best)
{
    if (e == NULL)
        return best;
    if (e->pos >= 0 && (best < 0 || e->pos < best))
        best = e->pos;
    for (int i = 0; i < e->n_args; i++)
        best = expr_min_pos(e->args[i], best);
    return best;
}

static int op_pos(const PhysOp *op)
{
    int p = -1;
    for (int i = 0; i < op->n_filters; i++)
        p = expr_min_pos(op->filters[i], p);
    p = expr_min_pos(op->pred, p);
    for (int i = 0; op->exprs && op->kind == PH_PROJECT && i < op->n_cols; i++)
        p = expr_min_pos(op->exprs[i], p);
    for (int i = 0; i < op->n_keys; i++)
        p = expr_min_pos(op->probe_keys[i], p);
    p = expr_min_pos(op->residual, p);
    for (int i = 0; i < op->n_groups; i++)
        p = expr_min_pos(op->groups[i], p);
    for (int i = 0; i < op->n_aggs; i++)
        p = expr_min_pos(op->aggs[i].arg, p);
    for (int i = 0; i < op->n_keys_sort; i++)
        p = expr_min_pos(op->keys[i].expr, p);
    return p;
}

static int line_of(const char *sql, int pos)
{
    if (sql == NULL || pos < 0)
        return 0;
    int line = 1;
    for (int i = 0; i < pos && sql[i]; i++)
        line += sql[i] == '\n';
    return line;
}

static void add_op(Builder *b, const PhysOp *op, int parent, int depth,
                   bool sub)
{
    if (op == NULL || op->id <= 0 || op->id > b->qp->p.n_ops)
        return;
    ProfOp *po = &b->ops[op->id - 1];
    const OpStats *s = &b->cx->stats[op->id];
    char nb[96];
    char buf[512];
    StrBuf sb;
    sb_init_buf(&sb, buf, sizeof(buf));
    explain_details(op, b->a, &sb);
    po->id = op->id;
    po->parent = parent;
    po->depth = depth;
    po->name = arena_strdup(b->a, explain_op_name(op, nb, sizeof(nb)));
    po->label = arena_printf(b->a, "%s#%d", explain_op_kind(op), op->id);
    po->detail = arena_strdup(b->a, sb.data ? sb.data + (sb.data[0] == ' ')
                                            : "");
    sb_release(&sb);
    po->sql_line = line_of(b->sql, op_pos(op));
    po->est_rows = op->est_rows;
    po->rows_in = s->rows_in;
    po->rows_out = s->rows_out;
    po->chunks = s->chunks_out;
    po->time_ns = s->time_ns;
    po->cpu_ns = s->cpu_ns;
    po->build_ns = s->build_ns;
    po->n_allocs = s->n_allocs;
    po->alloc_bytes = s->alloc_bytes;
    po->lock_waits = s->lock_waits;
    po->lock_wait_ns = s->lock_wait_ns;
    po->ht_entries = s->ht_entries;
    po->ht_capacity = s->ht_capacity;
    po->mem_bytes = s->mem_bytes;
    po->subplan = sub;
    for (int i = 0; i < 2; i++)
        add_op(b, op->child[i], op->id, depth + 1, sub);
}

/* Cumulative time: self + build + inputs (after every op is filled). */
static uint64_t cum_time(Builder *b, const PhysOp *op)
{
    if (op == NULL || op->id <= 0 || op->id > b->qp->p.n_ops)
        return 0;
    ProfOp *po = &b->ops[op->id - 1];
    uint64_t t = po->time_ns + po->build_ns;
    for (int i = 0; i < 2; i++)
        t += cum_time(b, op->child[i]);
    po->cum_time_ns = t;
    return t;
}

static int build_locks(Builder *b, const LockStats *all)
{
    QueryProfile *qp = b->qp;
    ProfLock *locks = arena_calloc(b->a, sizeof(ProfLock) * LOCK__COUNT);
    if (locks == NULL)
        return EMBER_NOMEM;
    int worst = 0;
    uint64_t worst_ns = 0;
    for (int i = 0; i < qp->p.n_ops; i++) {
        if (b->ops[i].lock_wait_ns > worst_ns) {
            worst_ns = b->ops[i].lock_wait_ns;
            worst = b->ops[i].id;
        }
    }
    int n = 0;
    for (int s = 0; s < LOCK__COUNT; s++) {
        if (all->acquires[s] == 0 && all->contended[s] == 0)
            continue;
        locks[n].site = lock_site_name(s);
        locks[n].acquires = all->acquires[s];
        locks[n].contended = all->contended[s];
        locks[n].wait_ns = all->wait_ns[s];
        locks[n].op = all->contended[s] ? worst : 0;
        n++;
    }
    qp->p.locks = locks;
    qp->p.n_locks = n;
    return EMBER_OK;
}

static int build_events(Builder *b)
{
    ExecCtx *cx = b->cx;
    int total = 0;
    for (int w = 0; w < cx->n_thread_ctx; w++)
        if (cx->threads[w].cx)
            total += cx->threads[w].n_tev;
    if (total == 0)
        return EMBER_OK;
    TraceEvent *ev = arena_alloc(b->a, sizeof(TraceEvent) * (size_t)total);
    if (ev == NULL)
        return EMBER_NOMEM;
    int n = 0, max_tid = 0;
    for (int w = 0; w < cx->n_thread_ctx; w++) {
        const ThreadCtx *tc = &cx->threads[w];
        for (int i = 0; tc->cx && i < tc->n_tev; i++) {
            ev[n] = tc->tev[i];
            /* names live in the thread's arena: copy them */
            ev[n].name = arena_strdup(b->a, ev[n].name ? ev[n].name : "?");
            if (ev[n].tid % 1000 > max_tid)
                max_tid = ev[n].tid % 1000;
            n++;
        }
    }
    b->qp->events = ev;
    b->qp->n_events = n;
    b->qp->n_tids = max_tid + 1;
    return EMBER_OK;
}

int exec_build_profile(ExecCtx *cx, const Plan *plan, const char *sql,
                       Arena *a, QueryProfile **out)
{
    QueryProfile *qp = arena_calloc(a, sizeof(*qp));
    if (qp == NULL)
        return EMBER_NOMEM;
    Builder b = {cx, sql, a, qp, NULL};
    qp->p.sql = sql;
    qp->p.n_ops = plan->n_ops;
    b.ops = arena_calloc(a, sizeof(ProfOp) * (size_t)(plan->n_ops + 1));
    if (b.ops == NULL)
        return EMBER_NOMEM;
    add_op(&b, plan->root, 0, 0, false);
    cum_time(&b, plan->root);
    for (int i = 0; i < plan->n_subplans; i++) {
        add_op(&b, plan->subplans[i]->plan, 0, 0, true);
        cum_time(&b, plan->subplans[i]->plan);
    }
    qp->p.ops = b.ops;
    LockStats all;
    memset(&all, 0, sizeof(all));
    uint64_t peak = arena_peak(cx->arena) + memcache_in_use(cx->mc);
    for (int w = 0; w < cx->n_thread_ctx; w++) {
        const ThreadCtx *tc = &cx->threads[w];
        if (tc->cx == NULL)
            continue;
        lockstats_add(&all, &tc->locks);
        qp->p.thread_ns += tc->busy_ns;
        qp->p.cpu_ns += tc->cpu_ns;
        qp->p.n_threads++;
        /* a thread whose arenas could not be had ran nothing */
        if (tc->arena)
            peak += arena_peak(tc->arena);
        if (tc->scratch)
            peak += arena_peak(tc->scratch);
    }
    qp->p.lock_wait_ns = lockstats_total_wait(&all);
    qp->p.lock_contention =
        qp->p.thread_ns ? 100.0 * (double)qp->p.lock_wait_ns /
                              (double)qp->p.thread_ns
                        : 0;
    qp->p.peak_bytes = peak;
    qp->p.t_bind_ns = plan->t_bind_ns;
    qp->p.t_optimize_ns = plan->t_optimize_ns;
    qp->p.t_physical_ns = plan->t_physical_ns;
    qp->p.t_exec_ns = cx->t_exec_ns;
    int rc = build_locks(&b, &all);
    if (rc == EMBER_OK)
        rc = build_events(&b);
    *out = qp;
    return rc;
}
