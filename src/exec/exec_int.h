/*
 * exec_int.h -- private to exec/: expression states, the operator
 * interface and pipelines.
 */
#ifndef EMBER_EXEC_INT_H
#define EMBER_EXEC_INT_H

#include "exec/exec.h"

/* Per-operator counters on for this query (never, in a build without
 * counters: obs.h EMBER_COUNTERS). */
#define PROFILING(cx) (EMBER_COUNTERS && (cx)->profiling)

/* ------------------------------------------------------------------------
 * Expression evaluation
 *
 * An ExprState mirrors an Expr tree with one owned output vector per node,
 * allocated once when the state is made; evaluating a chunk allocates
 * nothing (string results go to the thread's scratch arena).
 * ------------------------------------------------------------------------ */

typedef struct SubState SubState;

typedef struct ExprState {
    const Expr *expr;
    Vector out;               /* result of this node */
    struct ExprState **args;
    int n_args;
    Vector **argv;            /* scratch: evaluated argument vectors */
    SelIdx *sel_a;            /* scratch selection buffers (CASE, AND..) */
    SelIdx *sel_b;
    SelIdx *sel_c;
    uint8_t *flags;           /* per-row scratch (IN, CASE) */
    SubState *sub;            /* EXPR_SUBQUERY */
    Vector const_vec;         /* EXPR_CONST / EXPR_PARAM value */
    FnCtx fn;
} ExprState;

/* Make the state for e (NULL e gives NULL state). */
int expr_state_make(ThreadCtx *tc, Arena *a, const Expr *e,
                    ExprState **out);
/* Evaluate for rows sel[0..n) (sel NULL: 0..n-1) of chunk `in`; *res is
 * the result vector (the node's own, or an input vector for a column
 * reference), valid until the next evaluation. */
int expr_eval(ThreadCtx *tc, ExprState *es, const Chunk *in,
              const SelIdx *sel, uint32_t n, Vector **res);
/* Keep rows of sel[0..n) where the predicate is TRUE; the result goes to
 * out_sel (which may equal sel), *n_out its length. */
int expr_select(ThreadCtx *tc, ExprState *es, const Chunk *in,
                const SelIdx *sel, uint32_t n, SelIdx *out_sel,
                uint32_t *n_out);
/* Filter fast path for `expr OP constant` (select_cmp.c): true when it
 * handled the predicate (result or error in *rc). */
bool select_compare_const(ThreadCtx *tc, ExprState *es, const Chunk *in,
                          const SelIdx *sel, uint32_t n, SelIdx *out_sel,
                          uint32_t *n_out, int *rc);
/* Evaluate a constant expression (no column references) to a Value. */
int expr_eval_const(ThreadCtx *tc, const Expr *e, Arena *a, Value *out);

/* Per-row subquery evaluation (subquery.c). */
int subquery_state_make(ThreadCtx *tc, Arena *a, ExprState *es);
int subquery_eval(ThreadCtx *tc, ExprState *es, const Chunk *in,
                  const SelIdx *sel, uint32_t n);

/* Compare helpers shared by sort, aggregates and joins. */
uint64_t hash_vector_row(const Vector *v, uint32_t row);
void hash_vector(const Vector *v, const SelIdx *sel, uint32_t n,
                 uint64_t *hashes, bool first);

/* ------------------------------------------------------------------------
 * Operators
 * ------------------------------------------------------------------------ */

typedef enum OpResult {
    OP_NEED_INPUT = 0,        /* done with this input chunk */
    OP_HAVE_MORE = 1,         /* call again with the same input */
    OP_FINISHED = 2,          /* no more input wanted (LIMIT reached): the
                                 pipeline stops pulling from its source */
} OpResult;

typedef struct OpImpl {
    const char *name;
    /* global state for one execution (query arena) */
    int (*init)(ExecCtx *cx, const PhysOp *op, void **g);
    /* source role */
    int (*src_local)(ThreadCtx *tc, const PhysOp *op, void *g, void **l);
    /* fill out (count 0 = exhausted) */
    int (*src_next)(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                    Chunk *out);
    int (*src_tasks)(ExecCtx *cx, const PhysOp *op, void *g);
    /* streaming role */
    int (*op_local)(ThreadCtx *tc, const PhysOp *op, void *g, void **l);
    int (*op_exec)(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                   Chunk *in, Chunk *out, OpResult *res);
    /* rows to emit after every thread finished (RIGHT/FULL joins): fill
     * out, count 0 when done. Runs on one thread. */
    int (*op_flush)(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                    Chunk *out);
    /* sink role; `side` is the child index feeding the sink */
    int (*sink_local)(ThreadCtx *tc, const PhysOp *op, void *g, int side,
                      void **l);
    int (*sink)(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                Chunk *in);
    int (*combine)(ThreadCtx *tc, const PhysOp *op, void *g, void *l);
    int (*finalize)(ExecCtx *cx, const PhysOp *op, void *g, int side);
} OpImpl;

const OpImpl *op_impl(PhysKind k);

extern const OpImpl op_scan_impl, op_values_impl, op_tablefn_impl,
    op_filter_impl, op_project_impl, op_limit_impl, op_hash_join_impl,
    op_nl_join_impl, op_hash_agg_impl, op_sort_impl, op_topn_impl,
    op_union_impl, op_setop_impl;

/* Output chunk sized vector_size with the op's column types (arena). */
int op_chunk(ThreadCtx *tc, Arena *a, const PhysOp *op, Chunk *c);

/* ------------------------------------------------------------------------
 * Pipelines
 * ------------------------------------------------------------------------ */

typedef struct Pipeline {
    int id;
    const PhysOp *source;
    const PhysOp **ops;       /* streaming operators, source to sink */
    int n_ops;
    const PhysOp *sink;       /* NULL: the query result */
    int sink_side;            /* child index of sink fed by this pipeline */
    struct Pipeline **deps;
    int n_deps;
    bool parallel;
    bool done;
} Pipeline;

typedef struct PipelineSet {
    Pipeline **list;          /* in an order that respects dependencies */
    int n;
    void **gstate;            /* global state per op id */
    bool *inited;
    bool *finalized_side[2];
} PipelineSet;

/* Cut `root` into pipelines. */
int pipelines_build(ExecCtx *cx, Arena *a, const PhysOp *root,
                    PipelineSet *ps);
/* Run every pipeline; result chunks go to coll. `tc_single` not
 * NULL runs everything on that thread (subqueries). */
int pipelines_run(ExecCtx *cx, PipelineSet *ps, Collection *coll,
                  ThreadCtx *tc_single);

/* Thread context for worker w (made on first use). */
ThreadCtx *exec_thread(ExecCtx *cx, int w);
void thread_ctx_init(ThreadCtx *tc, ExecCtx *cx, int w);
void thread_ctx_release(ThreadCtx *tc);

/* d[i] += s[i] for n operators' statistics. */
void opstats_add(OpStats *d, const OpStats *s, int n);

/* Error helpers. */
static inline bool exec_failed(const ExecCtx *cx)
{
    return atomic_load_explicit(&cx->failed, memory_order_relaxed);
}

#endif /* EMBER_EXEC_INT_H */
