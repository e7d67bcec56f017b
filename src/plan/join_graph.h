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
    int cls;                  /* equivalence class it was merged into, or
                                 -1: then the class stands for it */
} JgPred;

/* An equivalence class (join_order.c, build_classes): columns that the
 * region's equalities `x = y` between plain columns of two relations make
 * equal, closed under transitivity (a = b AND b = c puts a, b, c in one
 * class, so a = c is a join condition too). A join of two sets of
 * relations takes ONE condition per class with members on both sides
 * (member = member): the other equalities of the class are implied by it
 * and by the joins below, so they are neither applied again nor counted
 * again in estimates. Members of one relation are made equal by a filter
 * on that relation. */
typedef struct JgClass {
    ColBinding *col;          /* members */
    int *rel;                 /* relation index of each member */
    double *ndv;              /* distinct values of each member in its
                                 relation */
    int n;
    RelSet mask;              /* relations holding a member */
    Type type;                /* every member's type (they agree) */
    uint16_t fn;              /* the equality function for that type */
    Expr **orig;              /* the written equalities, reused when a join
                                 needs exactly one of them */
    int n_orig;
} JgClass;

typedef struct JoinGraph {
    Lop *rels[JG_MAX_RELS];
    int n_rels;
    JgPred *preds;
    int n_preds;
    int cap_preds;
    JgClass *classes;
    int n_classes;
} JoinGraph;

int jg_add_pred(PlanCtx *cx, JoinGraph *g, Expr *e);
/* Inner join of a and b with every unused predicate their union covers
 * (marked used); the result is estimated. NULL when out of memory. */
Lop *jg_join(PlanCtx *cx, JoinGraph *g, Lop *a, RelSet ma, Lop *b, RelSet mb,
             bool *used);
bool jg_connected(const JoinGraph *g, RelSet a, RelSet b);
/* Member of class c in the relations `m` with the fewest distinct values
 * in its relation (the best join key among equal columns), or -1. */
int jg_class_member(const JgClass *c, RelSet m);
/* Exact enumeration of connected subgraph / complement pairs (DPccp).
 * EMBER_NOTFOUND when the graph of binary predicates is not connected, or
 * has too many such pairs to enumerate (DP_PAIR_BUDGET); the caller then
 * falls back to greedy. */
int jg_order_dp(PlanCtx *cx, JoinGraph *g, Lop **out);
double plan_key_ndv(PlanCtx *cx, const Expr *e, double rows);
/* Fraction of rows where e (a column) is not NULL, from its table's NULL
 * count; 1 when unknown. */
double plan_nonnull_frac(PlanCtx *cx, const Expr *e);

#endif /* EMBER_JOIN_GRAPH_H */
