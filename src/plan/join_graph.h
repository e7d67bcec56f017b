/*
 * join_graph.h -- the join graph of one region of inner joins, shared by
 * the greedy orderer (join_order.c) and the exact enumerator (join_dp.c).
 */
#ifndef EMBER_JOIN_GRAPH_H
#define EMBER_JOIN_GRAPH_H

#include "plan/plan_int.h"

#define JG_MAX_RELS 64

typedef uint64_t RelSet;      /* bit i = relation i */

typedef struct JgPred {
    Expr *e;
    RelSet mask;              /* relations the predicate reads */
} JgPred;

typedef struct JoinGraph {
    Lop *rels[JG_MAX_RELS];
    int n_rels;
    JgPred *preds;
    int n_preds;
    int cap_preds;
} JoinGraph;

int jg_add_pred(PlanCtx *cx, JoinGraph *g, Expr *e);
/* Inner join of a and b with every unused predicate their union covers
 * (marked used); the result is estimated. NULL when out of memory. */
Lop *jg_join(PlanCtx *cx, JoinGraph *g, Lop *a, RelSet ma, Lop *b, RelSet mb,
             bool *used);
bool jg_connected(const JoinGraph *g, RelSet a, RelSet b);
/* Exact enumeration of connected subgraph / complement pairs (DPccp).
 * EMBER_NOTFOUND when the graph of binary predicates is not connected
 * (the caller then falls back to greedy). */
int jg_order_dp(PlanCtx *cx, JoinGraph *g, Lop **out);
double plan_key_ndv(PlanCtx *cx, const Expr *e, double rows);

#endif /* EMBER_JOIN_GRAPH_H */
