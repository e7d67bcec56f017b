/*
 * plan.h -- bound expressions, logical plans, physical plans, and the
 * planner's entry points.
 *
 * In:  an AST (sql.h) and the catalog.
 * Out: a physical plan (PhysOp tree) that exec/ runs, plus column names
 *      and types of the result.
 *
 * Stages: binder (AST -> logical plan, names resolved to ColBindings) ->
 * rewrites (subquery unnesting, predicate pushdown, constant folding,
 * join ordering) -> physical planning (bindings resolved to column slots,
 * operator choice by cost, column pruning).
 *
 * Lifetime: every node lives in the statement's arena. The physical plan
 * is read-only once built: execution state lives in exec/, so a plan can
 * be explained or run again (ember_reset).
 */
#ifndef EMBER_PLAN_H
#define EMBER_PLAN_H

#include "catalog/catalog.h"
#include "exec/func.h"
#include "sql/sql.h"

/* ------------------------------------------------------------------------
 * Bound expressions
 * ------------------------------------------------------------------------ */

/* A column produced by some logical operator: `rel` names the operator
 * output (a fresh number per table scan, projection, aggregate...), `col`
 * the column within it. */
typedef struct ColBinding {
    uint32_t rel;
    uint32_t col;
} ColBinding;

typedef enum ExprKind {
    EXPR_CONST,               /* val */
    EXPR_COLREF,              /* col (logical), slot (physical) */
    EXPR_PARAM,               /* slot: index into the query's parameters */
    EXPR_FUNC,                /* fn(args) */
    EXPR_CAST,                /* args[0] cast to type */
    EXPR_AND,                 /* n-ary, three-valued */
    EXPR_OR,                  /* n-ary, three-valued */
    EXPR_NOT,
    EXPR_IS_NULL,             /* negated: IS NOT NULL */
    EXPR_IS_TRUE,             /* args[0] IS TRUE (negated: IS NOT TRUE);
                                 IS FALSE is IS_TRUE(NOT x) */
    EXPR_CASE,                /* when0, then0, ..., else: n_args odd */
    EXPR_COALESCE,            /* lazy: later args only for NULL rows */
    EXPR_IN_LIST,             /* args[0] IN (args[1..]); negated */
    EXPR_SUBQUERY,            /* correlated subquery run per row: subq */
} ExprKind;

struct SubPlan;
struct PhysOp;

typedef struct Expr {
    uint8_t kind;             /* ExprKind */
    bool negated;
    uint16_t fn;              /* FuncId for EXPR_FUNC */
    Type type;                /* result type */
    int n_args;
    struct Expr **args;
    Value val;                /* EXPR_CONST */
    ColBinding col;           /* EXPR_COLREF */
    int slot;                 /* EXPR_COLREF after physical planning;
                                 EXPR_PARAM parameter index */
    int pos;                  /* SQL position for runtime errors, or -1 */
    int64_t iconst;           /* constant argument for some kernels */
    bool has_iconst;
    struct SubPlan *subq;     /* EXPR_SUBQUERY, once planned */
    struct BoundSub *bsub;    /* EXPR_SUBQUERY while binding/rewriting */
} Expr;

/* ------------------------------------------------------------------------
 * Aggregates and sort keys
 * ------------------------------------------------------------------------ */

typedef enum AggKind {
    AGG_COUNT_STAR,
    AGG_COUNT,
    AGG_SUM,                  /* ints -> BIGINT, decimal -> DECIMAL(18,s),
                                 double -> DOUBLE */
    AGG_AVG,                  /* -> DOUBLE */
    AGG_MIN,
    AGG_MAX,
    AGG_TOTAL,                /* SQLite total(): DOUBLE, 0.0 when empty */
    AGG_STRING_AGG,           /* string_agg(x, sep) / group_concat */
    AGG_BOOL_AND,
    AGG_BOOL_OR,
    AGG_ANY_VALUE,            /* first value seen (internal, for SINGLE) */
} AggKind;

typedef struct AggCall {
    AggKind kind;
    bool distinct;
    Expr *arg;                /* NULL for COUNT(*) */
    Expr *sep;                /* string_agg separator (constant) */
    Expr *filter;             /* FILTER (WHERE ..), or NULL */
    Type type;                /* result type */
    const char *name;         /* display name, e.g. "sum" */
} AggCall;

typedef struct SortKey {
    Expr *expr;
    bool desc;
    bool nulls_first;         /* resolved: default is NULLS LAST for ASC,
                                 NULLS FIRST for DESC (PostgreSQL) */
} SortKey;

/* ------------------------------------------------------------------------
 * Logical plan
 * ------------------------------------------------------------------------ */

typedef enum LopKind {
    LOP_GET,                  /* table scan: table, rel; filters in exprs */
    LOP_VALUES,               /* rows of constant expressions */
    LOP_FILTER,               /* conjuncts in exprs */
    LOP_PROJECT,              /* exprs, output rel */
    LOP_AGG,                  /* groups (group_rel), aggs (agg_rel) */
    LOP_JOIN,                 /* join type, conjuncts in exprs */
    LOP_ORDER,                /* keys */
    LOP_LIMIT,                /* limit, offset */
    LOP_SETOP,                /* UNION/INTERSECT/EXCEPT [ALL], output rel */
    LOP_TABLEFN,              /* built-in table function */
} LopKind;

typedef enum JoinType {
    JT_INNER,
    JT_LEFT,
    JT_RIGHT,
    JT_FULL,
    JT_SEMI,                  /* left rows with a match */
    JT_ANTI,                  /* left rows without a match */
    JT_ANTI_NULL,             /* NOT IN: anti join where a NULL key on
                                 either side makes the row unknown (out) */
    JT_MARK,                  /* left rows + boolean mark: IN semantics
                                 with NULLs (true / false / NULL) */
    JT_SINGLE,                /* left join for a scalar subquery: error if
                                 a left row matches more than once */
    /* physical only: SEMI / ANTI with the hash table built on the left
     * input (the smaller one), probed by the right; matches mark build
     * rows, which are emitted (or, for ANTI, the unmarked ones) once
     * every probe is done */
    JT_RIGHT_SEMI,
    JT_RIGHT_ANTI,
} JoinType;

typedef enum TableFnKind {
    TFN_STATS,                /* pragma_stats('t') / PRAGMA stats('t') */
    TFN_TABLES,               /* SHOW TABLES */
    TFN_SETTINGS,             /* SHOW ALL */
    TFN_RANGE,                /* range(n) / range(a, b) */
} TableFnKind;

typedef struct Lop {
    LopKind kind;
    struct Lop *child[2];
    int n_out;
    ColBinding *out;          /* output columns, in order */
    Type *types;
    const char **names;       /* column names for display (may be NULL) */
    double est_rows;          /* filled by the cardinality estimator */

    /* LOP_GET */
    Table *table;
    uint32_t rel;             /* GET, PROJECT, VALUES, SETOP, TABLEFN */
    int *get_cols;            /* table column of each output */

    /* FILTER / JOIN conditions (conjuncts), PROJECT expressions, VALUES
     * rows (n_rows * n_out), GET pushed-down filters */
    Expr **exprs;
    int n_exprs;
    int n_rows;

    /* LOP_JOIN */
    JoinType join;
    uint32_t mark_rel;        /* JT_MARK: the mark column is {mark_rel,0} */
    bool from_subquery;       /* made by subquery unnesting (EXPLAIN) */
    bool domain;              /* SEMI join restricting a decorrelated
                                 aggregate to the outer keys (EXPLAIN) */

    /* LOP_AGG */
    Expr **groups;
    int n_groups;
    uint32_t group_rel;
    uint32_t agg_rel;
    AggCall *aggs;
    int n_aggs;

    /* LOP_ORDER */
    SortKey *keys;
    int n_keys;

    /* LOP_LIMIT (also a limit on LOP_ORDER for top-N) */
    int64_t limit;            /* -1: none */
    int64_t offset;

    /* LOP_SETOP */
    SetOpKind setop;
    bool all;

    /* LOP_TABLEFN */
    TableFnKind tfn;
    Value *tfn_args;
    int n_tfn_args;
} Lop;

/* ------------------------------------------------------------------------
 * Physical plan
 * ------------------------------------------------------------------------ */

typedef enum PhysKind {
    PH_SCAN,                  /* table scan with filters and projection */
    PH_VALUES,                /* constant rows */
    PH_FILTER,
    PH_PROJECT,
    PH_HASH_JOIN,             /* child[0] probe, child[1] build */
    PH_NL_JOIN,               /* child[0] outer, child[1] inner (buffered) */
    PH_HASH_AGG,              /* groups + aggregates; no groups: one row */
    PH_SORT,
    PH_TOPN,                  /* ORDER BY + LIMIT */
    PH_LIMIT,
    PH_UNION,                 /* UNION ALL of child[0], child[1] */
    PH_SETOP,                 /* INTERSECT/EXCEPT [ALL], UNION distinct via
                                 agg; this op replicates rows by counts */
    PH_TABLEFN,
    PH__COUNT
} PhysKind;

typedef struct PhysOp {
    PhysKind kind;
    int id;                   /* pre-order number, 1-based, for EXPLAIN */
    struct PhysOp *child[2];
    int n_cols;
    Type *types;
    const char **names;       /* may be NULL */
    double est_rows;
    double est_cost;          /* cumulative */

    /* PH_TABLEFN range: start + i * step for i in [0, count) */
    int64_t rng_start;
    int64_t rng_step;
    uint64_t rng_count;

    /* PH_SCAN */
    Table *table;
    int *scan_cols;           /* table column of each output column */
    Expr **filters;           /* on the scan output layout */
    int n_filters;

    /* PH_FILTER: pred; PH_PROJECT: exprs[n_cols]; PH_VALUES: rows */
    Expr *pred;
    Expr **exprs;
    int n_rows;

    /* PH_HASH_JOIN / PH_NL_JOIN. Output: child[0] columns then child[1]
     * columns; SEMI/ANTI: child[0] columns only; MARK: child[0] columns and
     * one BOOL. */
    JoinType join;
    int n_keys;
    Expr **probe_keys;        /* on child[0] layout */
    Expr **build_keys;        /* on child[1] layout */
    Expr *residual;           /* on the joined layout (child0 ++ child1) */
    bool from_subquery;
    bool domain;

    /* PH_HASH_AGG: output = groups then aggregates */
    Expr **groups;
    int n_groups;
    AggCall *aggs;
    int n_aggs;

    /* PH_SORT / PH_TOPN */
    SortKey *keys;
    int n_keys_sort;

    /* PH_LIMIT / PH_TOPN */
    int64_t limit;            /* -1: none */
    int64_t offset;

    /* PH_SETOP: child[0] produces columns then two counts (left, right) */
    SetOpKind setop;
    bool all;

    /* PH_TABLEFN */
    TableFnKind tfn;
    Value *tfn_args;
    int n_tfn_args;
} PhysOp;

/* A subquery that is executed on its own: either once before the main
 * plan (an "init plan": uncorrelated scalar or EXISTS, result stored in a
 * parameter slot), or per outer row (correlated fallback, EXPR_SUBQUERY). */
typedef enum SubKind {
    SUB_SCALAR,               /* first column of the only row, or NULL */
    SUB_EXISTS,               /* any row? */
    SUB_IN,                   /* lhs IN (first column), NULL semantics */
} SubKind;

typedef struct SubPlan {
    SubKind kind;
    bool negated;             /* NOT EXISTS / NOT IN */
    struct PhysOp *plan;
    int n_cols;
    int result_param;         /* init plans: parameter slot to fill */
    /* correlated: parameters set from the outer row before each run */
    int n_corr;
    int *corr_params;         /* parameter slot of each correlated value */
    Expr **corr_args;         /* outer-row expressions giving them */
    Expr *lhs;                /* SUB_IN left-hand side, outer layout */
    int id;
} SubPlan;

/* The result of planning one query. */
typedef struct Plan {
    PhysOp *root;
    int n_cols;
    const char **names;
    Type *types;
    int n_params;             /* all parameter slots: user ($n) first */
    Type *param_types;
    int n_user_params;
    SubPlan **init_plans;     /* run in order before root */
    int n_init_plans;
    SubPlan **subplans;       /* all subplans, for EXPLAIN */
    int n_subplans;
    int n_ops;                /* PhysOp ids are 1..n_ops */
    uint64_t t_bind_ns;       /* phase times */
    uint64_t t_optimize_ns;
    uint64_t t_physical_ns;
} Plan;

/* ------------------------------------------------------------------------
 * Planner context and entry points
 * ------------------------------------------------------------------------ */

typedef struct Settings Settings;

typedef struct PlanCtx {
    Arena *arena;
    Catalog *catalog;
    const Settings *settings;
    Err *err;
    const char *sql;          /* statement text, for names and errors */
    const Value *params;      /* bound user parameter values (may be NULL
                                 entries: unbound = NULL) */
    int n_params_bound;
    uint32_t next_rel;        /* fresh binding numbers */
    int depth;                /* subquery nesting, for limits */
    /* parameter slots added by planning (init plans, correlation) */
    Type *param_types;
    int n_params;
    int cap_params;
    int n_user_params;
    SubPlan **init_plans;
    int n_init_plans;
    int cap_init_plans;
    int n_subplans;
    SubPlan **subplans;       /* every SubPlan made (init and per-row) */
    int cap_subplans;
    struct CorrSlot *corr_slots;  /* outer binding -> parameter slot */
    int n_corr_slots;
    int cap_corr_slots;
    int n_views_expanding;    /* guards view recursion */
    struct EstCtx *est;       /* column origins for estimation */
    /* unnesting: the conjuncts of the filter being rewritten (the domain
     * of a decorrelated aggregate may use them, unnest_domain.c) */
    Expr **siblings;
    int n_siblings;
} PlanCtx;

void plan_ctx_init(PlanCtx *cx, Arena *a, Catalog *cat, const Settings *s,
                   Err *err, const char *sql);

/* Plan a query (SELECT / VALUES / set operation). */
int plan_query(PlanCtx *cx, const SelectStmt *s, Plan **out);

/* Plan a query from an already built logical plan (rows made by the
 * binder for SHOW, PRAGMA and table functions). */
int plan_from_lop(PlanCtx *cx, struct Lop *root, Plan **out);

/* DML as queries. INSERT: rows in the table's column order and types
 * (defaults filled in, values cast). UPDATE: every column's new value and
 * a last BOOL column, true for updated rows. DELETE: the rows that stay. */
int plan_insert(PlanCtx *cx, const Stmt *st, Table *t, Plan **out);
int plan_update(PlanCtx *cx, const Stmt *st, Table *t, Plan **out);
int plan_delete(PlanCtx *cx, const Stmt *st, Table *t, Plan **out);
/* Rows of catalog information as a plan: SHOW TABLES, SHOW ALL, stats. */
int plan_info_rows(PlanCtx *cx, const char *what, const char *arg, int pos,
                   Plan **out);

/* Bind a standalone scalar expression with no FROM (SET values, DEFAULT,
 * COPY options, LIMIT) and fold it to a constant. */
int plan_const_expr(PlanCtx *cx, const AExpr *e, Value *out);

#endif /* EMBER_PLAN_H */
