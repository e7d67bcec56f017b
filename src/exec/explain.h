/*
 * explain.h -- text rendering of physical plans (EXPLAIN and, with
 * statistics of a run, EXPLAIN ANALYZE).
 */
#ifndef EMBER_EXPLAIN_H
#define EMBER_EXPLAIN_H

#include "exec/exec.h"

/* The whole plan as an indented tree, one operator per line; `stats` may
 * be NULL (plain EXPLAIN). Scratch memory from `a`. */
int explain_plan(const Plan *plan, const OpStats *stats, Arena *a,
                 StrBuf *sb);
/* Short operator kind: "Scan", "HashJoin", "HashAggregate"... */
const char *explain_op_kind(const PhysOp *op);
/* "HashJoin Inner", "Scan lineitem"... into buf. */
const char *explain_op_name(const PhysOp *op, char *buf, size_t cap);
/* The operator's conditions, keys and expressions, appended to sb. */
void explain_details(const PhysOp *op, Arena *a, StrBuf *sb);
void explain_expr(const Expr *e, const char *const *names, int n,
                  StrBuf *sb);

#endif /* EMBER_EXPLAIN_H */
