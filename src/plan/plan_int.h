/*
 * plan_int.h -- private to plan/: binder scopes, bound subqueries, and the
 * helpers the rewrites share.
 */
#ifndef EMBER_PLAN_INT_H
#define EMBER_PLAN_INT_H

#include "plan/plan.h"

/* ------------------------------------------------------------------------
 * Binder scopes
 * ------------------------------------------------------------------------ */

typedef struct BindCol {
    const char *table;        /* alias of the relation, may be NULL */
    const char *name;
    ColBinding bind;
    Type type;
    bool using_hidden;        /* right copy of a USING column: not matched
                                 unqualified, not expanded by * */
} BindCol;

typedef struct CteDef {
    const Cte *cte;
    struct CteDef *next;
} CteDef;

typedef struct AggCtx AggCtx;

typedef struct Scope {
    BindCol *cols;
    int n_cols;
    int cap;
    struct Scope *parent;     /* enclosing query (correlation) */
    CteDef *ctes;             /* visible CTEs, innermost first */
    /* outer columns referenced from this scope or its subqueries */
    ColBinding *corr;
    Type *corr_types;
    int n_corr;
    int cap_corr;
    AggCtx *agg;              /* aggregate query being bound, or NULL */
    bool in_agg_arg;          /* binding an aggregate's argument */
    const char *agg_forbid;   /* "WHERE", "GROUP BY"...: aggregates not
                                 allowed here (clause name), or NULL */
} Scope;

/* Aggregates of one SELECT block. */
struct AggCtx {
    uint32_t group_rel;
    uint32_t agg_rel;
    Expr **groups;
    int n_groups;
    AggCall *aggs;
    int n_aggs;
    int cap_aggs;
    Scope *from_scope;        /* the scope the aggregate reads */
};

/* A subquery in an expression, before the planner decides how to run it
 * (unnest into a join, init plan, or per-row SubPlan). */
typedef struct BoundSub {
    SubKind kind;
    bool negated;
    Lop *plan;                /* the subquery's logical plan */
    Expr *lhs;                /* SUB_IN left side (outer scope) */
    ColBinding *corr;         /* outer columns it references: the plan
                                 reads corr[i] as a parameter */
    Type *corr_types;
    /* The outer-row expression that gives corr[i] its value, or NULL
     * (the array or an entry) for the column corr[i] itself. A rewrite
     * that moves the expression holding the subquery below a projection
     * (pushdown.c, rule 3) rewrites these, not the subquery's plan: the
     * plan keeps reading the parameter named corr[i], which is set from
     * corr_args[i] on the outer row. Use bsub_corr_arg() to read. */
    Expr **corr_args;
    int n_corr;
    int pos;
} BoundSub;

/* corr_args[i] of bs, or a column reference to corr[i] when unset. */
Expr *bsub_corr_arg(PlanCtx *cx, const BoundSub *bs, int i);

/* ------------------------------------------------------------------------
 * Expressions (expr_util.c)
 * ------------------------------------------------------------------------ */

Expr *expr_new(PlanCtx *cx, ExprKind kind, Type t, int n_args);
Expr *expr_const(PlanCtx *cx, Value v);
Expr *expr_colref(PlanCtx *cx, ColBinding b, Type t);
Expr *expr_cast(PlanCtx *cx, Expr *e, Type to);
Expr *expr_bool_op(PlanCtx *cx, ExprKind kind, Expr *a, Expr *b);
Expr *expr_copy(PlanCtx *cx, const Expr *e);
bool expr_equal(const Expr *a, const Expr *b);
/* Does e reference binding rel (any column)? */
bool expr_refs_rel(const Expr *e, uint32_t rel);
/* Collect every column binding e references (deduplicated, appended). */
int expr_collect_refs(PlanCtx *cx, const Expr *e, ColBinding **out, int *n,
                      int *cap);
/* Do all references of e lie in the set? */
bool expr_refs_within(const Expr *e, const ColBinding *set, int n);
bool expr_has_subquery(const Expr *e);
bool expr_is_const(const Expr *e);    /* no column/param/subquery refs */
/* Split an AND tree into conjuncts (appended). */
int expr_conjuncts(PlanCtx *cx, Expr *e, Expr ***out, int *n, int *cap);
Expr *expr_and_all(PlanCtx *cx, Expr **list, int n);
/* Fold constant subexpressions; errors of folding are left for runtime
 * (the expression is kept) except where it is certain to run. */
Expr *expr_fold(PlanCtx *cx, Expr *e);
/* Replace every column reference b by `to` (copy per use). */
Expr *expr_replace_ref(PlanCtx *cx, Expr *e, ColBinding b, const Expr *to);
/* Evaluate a constant expression now. */
int expr_eval_now(PlanCtx *cx, const Expr *e, Value *out);

static inline bool binding_eq(ColBinding a, ColBinding b)
{
    return a.rel == b.rel && a.col == b.col;
}

/* ------------------------------------------------------------------------
 * Logical nodes (lop.c)
 * ------------------------------------------------------------------------ */

Lop *lop_new(PlanCtx *cx, LopKind kind);
int lop_set_outputs(PlanCtx *cx, Lop *op, int n);
/* Recompute out/types of pass-through nodes (filter, join, order, limit)
 * from their children. */
int lop_refresh(PlanCtx *cx, Lop *op);
Lop *lop_filter(PlanCtx *cx, Lop *child, Expr **conj, int n);
Lop *lop_join(PlanCtx *cx, JoinType jt, Lop *l, Lop *r, Expr **conj, int n);
Lop *lop_project(PlanCtx *cx, Lop *child, Expr **exprs, int n,
                 const char **names);
uint32_t plan_new_rel(PlanCtx *cx);
int plan_add_param(PlanCtx *cx, Type t);
/* Output index of binding b in op, or -1. */
int lop_find(const Lop *op, ColBinding b);

/* ------------------------------------------------------------------------
 * Binder (bind_*.c)
 * ------------------------------------------------------------------------ */

/* Outer columns a query block reads (correlation). */
typedef struct CorrList {
    ColBinding *b;
    Type *t;
    int n;
} CorrList;

/* Bind a query block (or set operation); `parent` is the enclosing scope
 * for correlated references, corr (may be NULL) receives them. */
int bind_select(PlanCtx *cx, const SelectStmt *s, Scope *parent,
                CteDef *ctes, Lop **out, CorrList *corr);
int bind_expr(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out);
/* Bind and require BOOL (WHERE, ON, HAVING). */
int bind_predicate(PlanCtx *cx, Scope *sc, const AExpr *e,
                   const char *clause, Expr **out);
int scope_add(PlanCtx *cx, Scope *sc, const char *table, const char *name,
              ColBinding b, Type t);
void scope_init(Scope *sc, Scope *parent, CteDef *ctes);
/* Record that scope sc (and those between it and the owner) read outer
 * column b. */
int scope_note_corr(PlanCtx *cx, Scope *sc, ColBinding b, Type t);
/* Column name for an expression: alias, column name or the SQL text. */
const char *expr_text_name(PlanCtx *cx, const AExpr *e);
/* fn(args) resolved through func_resolve, with casts inserted. */
int plan_make_call(PlanCtx *cx, const char *name, Expr **args, int n, int pos,
                   Expr **out);
bool sql_is_aggregate(const char *name);
int bind_table_ref(PlanCtx *cx, const TableRef *tr, Scope *blk, Scope *items,
                   Lop **out);
int bind_stats_rows(PlanCtx *cx, const char *table, int pos, Lop **out);
int bind_tables_rows(PlanCtx *cx, Lop **out);
int bind_settings_rows(PlanCtx *cx, Lop **out);
/* Cast e to type t, with an error message naming the context. */
int coerce(PlanCtx *cx, Expr **e, Type t, int pos);

/* ------------------------------------------------------------------------
 * Rewrites and physical planning
 * ------------------------------------------------------------------------ */

int plan_unnest(PlanCtx *cx, Lop **root);
/* unnest_domain.c: make *inner (the input of a decorrelated aggregate
 * grouped by inner_keys) a SEMI join with the domain of outer_keys over
 * `outer`, when estimates say it pays; siblings are the conjuncts ANDed
 * with the subquery's use. */
int unnest_domain(PlanCtx *cx, const Lop *outer, Expr **siblings,
                  int n_siblings, Expr **outer_keys, Expr **inner_keys,
                  int n, Lop **inner);
/* Distinct values of a key over `rows` rows (after plan_estimate). */
double plan_key_ndv(PlanCtx *cx, const Expr *e, double rows);
int plan_pushdown(PlanCtx *cx, Lop **root);
int plan_join_order(PlanCtx *cx, Lop **root);
/* semijoin.c: SEMI / ANTI joins moved below the joins under them when
 * their condition reads one input and that input is not larger. */
int plan_push_semijoins(PlanCtx *cx, Lop **root);
void plan_estimate(PlanCtx *cx, Lop *root);
/* Estimate op alone, its children being estimated already (the join
 * orderer's candidate joins). */
void plan_estimate_top(PlanCtx *cx, Lop *op);
double estimate_selectivity(PlanCtx *cx, const Expr *e, const Lop *input);
int plan_physical(PlanCtx *cx, Lop *root, Plan *plan);
/* Plan a bound subquery as a SubPlan (physical, parameters for outer
 * references). Used for init plans and per-row fallbacks. */
int plan_subplan(PlanCtx *cx, BoundSub *bs, SubPlan **out);

#endif /* EMBER_PLAN_INT_H */
