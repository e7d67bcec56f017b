/*
 * physical.c -- logical plan to physical operators.
 *
 * Planning walks the logical tree top down with the set of column
 * bindings the parent needs, so every operator carries only the columns
 * that someone above reads (column pruning). Each physical operator's
 * output is described by a layout: the binding of each output column.
 * Expressions are copied and their column references resolved to slots in
 * the input layout; a reference that is not in the input belongs to an
 * enclosing query and becomes a parameter slot (correlation).
 *
 * Operator choice: an equality between the two sides makes a hash join
 * (unless enable_hashjoin is off), with the smaller estimated input as
 * the build side for inner joins; otherwise a nested-loop join. ORDER BY
 * under LIMIT becomes top-N. Set operations other than UNION ALL are an
 * aggregate over a tagged union.
 */
#include "plan/plan_int.h"

typedef struct Layout {
    ColBinding *b;
    int n;
} Layout;

typedef struct Req {
    ColBinding *b;
    int n;
    int cap;
} Req;

static int phys(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                Layout *lay);

/* ------------------------------------------------------------------------
 * Correlation map: outer binding -> parameter slot
 * ------------------------------------------------------------------------ */

typedef struct CorrSlot {
    ColBinding b;
    int slot;
} CorrSlot;

static int corr_lookup(PlanCtx *cx, ColBinding b);

static int corr_slot(PlanCtx *cx, ColBinding b, Type t)
{
    int have = corr_lookup(cx, b);
    if (have >= 0)
        return have;
    if (cx->n_corr_slots == cx->cap_corr_slots) {
        int cap = cx->cap_corr_slots ? cx->cap_corr_slots * 2 : 8;
        CorrSlot *p = arena_alloc(cx->arena, sizeof(CorrSlot) * (size_t)cap);
        if (p == NULL)
            return -1;
        if (cx->n_corr_slots)
            memcpy(p, cx->corr_slots,
                   sizeof(CorrSlot) * (size_t)cx->n_corr_slots);
        cx->corr_slots = p;
        cx->cap_corr_slots = cap;
    }
    int slot = plan_add_param(cx, t);
    if (slot < 0)
        return -1;
    cx->corr_slots[cx->n_corr_slots].b = b;
    cx->corr_slots[cx->n_corr_slots].slot = slot;
    cx->n_corr_slots++;
    return slot;
}

static int corr_lookup(PlanCtx *cx, ColBinding b)
{
    for (int i = 0; i < cx->n_corr_slots; i++)
        if (binding_eq(cx->corr_slots[i].b, b))
            return cx->corr_slots[i].slot;
    return -1;
}

/* ------------------------------------------------------------------------
 * Requirements and layouts
 * ------------------------------------------------------------------------ */

static int req_add(PlanCtx *cx, Req *r, ColBinding b)
{
    for (int i = 0; i < r->n; i++)
        if (binding_eq(r->b[i], b))
            return EMBER_OK;
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        ColBinding *p = arena_alloc(cx->arena, sizeof(ColBinding) * (size_t)cap);
        if (p == NULL)
            return err_nomem(cx->err);
        if (r->n)
            memcpy(p, r->b, sizeof(ColBinding) * (size_t)r->n);
        r->b = p;
        r->cap = cap;
    }
    r->b[r->n++] = b;
    return EMBER_OK;
}

static bool req_has(const Req *r, ColBinding b)
{
    for (int i = 0; i < r->n; i++)
        if (binding_eq(r->b[i], b))
            return true;
    return false;
}

static int req_add_expr(PlanCtx *cx, Req *r, const Expr *e)
{
    return expr_collect_refs(cx, e, &r->b, &r->n, &r->cap);
}

static int req_copy(PlanCtx *cx, Req *dst, const Req *src)
{
    memset(dst, 0, sizeof(*dst));
    for (int i = 0; i < src->n; i++)
        if (req_add(cx, dst, src->b[i]) != EMBER_OK)
            return EMBER_NOMEM;
    return EMBER_OK;
}

static int lay_find(const Layout *l, ColBinding b)
{
    for (int i = 0; i < l->n; i++)
        if (binding_eq(l->b[i], b))
            return i;
    return -1;
}

static int lay_make(PlanCtx *cx, Layout *l, int n)
{
    l->n = n;
    l->b = arena_alloc(cx->arena, sizeof(ColBinding) * (size_t)(n + 1));
    return l->b ? EMBER_OK : err_nomem(cx->err);
}

static int lay_concat(PlanCtx *cx, Layout *out, const Layout *a,
                      const Layout *b)
{
    if (lay_make(cx, out, a->n + (b ? b->n : 0)) != EMBER_OK)
        return EMBER_NOMEM;
    memcpy(out->b, a->b, sizeof(ColBinding) * (size_t)a->n);
    if (b)
        memcpy(out->b + a->n, b->b, sizeof(ColBinding) * (size_t)b->n);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Expression resolution
 * ------------------------------------------------------------------------ */

static int resolve(PlanCtx *cx, Expr *e, const Layout *l);

static int resolve_subquery(PlanCtx *cx, Expr *e, const Layout *l)
{
    BoundSub *bs = e->bsub;
    if (bs->n_corr == 0 && bs->kind != SUB_IN) {
        /* uncorrelated scalar / EXISTS: run once before the query */
        SubPlan *sp;
        int rc = plan_subplan(cx, bs, &sp);
        if (rc != EMBER_OK)
            return rc;
        sp->result_param = plan_add_param(cx, e->type);
        if (sp->result_param < 0)
            return err_nomem(cx->err);
        if (cx->n_init_plans == cx->cap_init_plans) {
            int cap = cx->cap_init_plans ? cx->cap_init_plans * 2 : 4;
            SubPlan **p = arena_alloc(cx->arena, sizeof(SubPlan *) *
                                                     (size_t)cap);
            if (p == NULL)
                return err_nomem(cx->err);
            if (cx->n_init_plans)
                memcpy(p, cx->init_plans,
                       sizeof(SubPlan *) * (size_t)cx->n_init_plans);
            cx->init_plans = p;
            cx->cap_init_plans = cap;
        }
        cx->init_plans[cx->n_init_plans++] = sp;
        e->kind = EXPR_PARAM;
        e->slot = sp->result_param;
        e->bsub = NULL;
        return EMBER_OK;
    }
    SubPlan *sp;
    int rc = plan_subplan(cx, bs, &sp);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0; i < sp->n_corr; i++) {
        rc = resolve(cx, sp->corr_args[i], l);
        if (rc != EMBER_OK)
            return rc;
    }
    if (sp->lhs && (rc = resolve(cx, sp->lhs, l)) != EMBER_OK)
        return rc;
    e->subq = sp;
    e->bsub = NULL;
    return EMBER_OK;
}

/* Resolve column references of e (in place) against layout l. */
static int resolve(PlanCtx *cx, Expr *e, const Layout *l)
{
    if (e == NULL)
        return EMBER_OK;
    if (e->kind == EXPR_COLREF) {
        int i = lay_find(l, e->col);
        if (i >= 0) {
            e->slot = i;
            return EMBER_OK;
        }
        int slot = corr_lookup(cx, e->col);
        if (slot < 0)
            return err_set(cx->err, EMBER_INTERNAL, e->pos,
                           "unresolved column binding %u.%u", e->col.rel,
                           e->col.col);
        e->kind = EXPR_PARAM;
        e->slot = slot;
        return EMBER_OK;
    }
    if (e->kind == EXPR_SUBQUERY && e->bsub)
        return resolve_subquery(cx, e, l);
    for (int i = 0; i < e->n_args; i++) {
        int rc = resolve(cx, e->args[i], l);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

static int resolved(PlanCtx *cx, const Expr *e, const Layout *l, Expr **out)
{
    *out = expr_copy(cx, e);
    if (e && *out == NULL)
        return err_nomem(cx->err);
    int rc = resolve(cx, *out, l);
    if (rc == EMBER_OK)
        *out = expr_fold(cx, *out);   /* constant parts computed once */
    return rc;
}

/* ------------------------------------------------------------------------
 * Operators
 * ------------------------------------------------------------------------ */

static PhysOp *phys_new(PlanCtx *cx, PhysKind k, int n_cols, double est)
{
    PhysOp *p = arena_calloc(cx->arena, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->kind = k;
    p->n_cols = n_cols;
    p->types = arena_calloc(cx->arena, sizeof(Type) * (size_t)(n_cols + 1));
    p->names = arena_calloc(cx->arena, sizeof(char *) * (size_t)(n_cols + 1));
    p->est_rows = est < 1 ? 1 : est;
    p->limit = -1;
    return p->types && p->names ? p : NULL;
}

static Type binding_type(const Lop *op, ColBinding b)
{
    int i = lop_find(op, b);
    return i >= 0 ? op->types[i] : type_make(TYPE_NULL);
}

static int phys_get(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                    Layout *lay)
{
    Req need;
    if (req_copy(cx, &need, req) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_exprs; i++)
        if (req_add_expr(cx, &need, op->exprs[i]) != EMBER_OK)
            return EMBER_NOMEM;
    int n = 0;
    for (int i = 0; i < op->n_out; i++)
        n += req_has(&need, op->out[i]);
    PhysOp *p = phys_new(cx, PH_SCAN, n, op->est_rows);
    if (p == NULL || lay_make(cx, lay, n) != EMBER_OK)
        return err_nomem(cx->err);
    p->table = op->table;
    p->scan_cols = arena_alloc(cx->arena, sizeof(int) * (size_t)(n + 1));
    if (p->scan_cols == NULL)
        return err_nomem(cx->err);
    int k = 0;
    for (int i = 0; i < op->n_out; i++) {
        if (!req_has(&need, op->out[i]))
            continue;
        p->scan_cols[k] = op->get_cols[i];
        p->types[k] = op->types[i];
        p->names[k] = op->names[i];
        lay->b[k] = op->out[i];
        k++;
    }
    p->n_filters = op->n_exprs;
    p->filters = arena_alloc(cx->arena, sizeof(Expr *) *
                                            (size_t)(op->n_exprs + 1));
    if (p->filters == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < op->n_exprs; i++) {
        int rc = resolved(cx, op->exprs[i], lay, &p->filters[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = p;
    return EMBER_OK;
}

static int phys_values(PlanCtx *cx, Lop *op, PhysOp **out, Layout *lay)
{
    PhysOp *p = phys_new(cx, PH_VALUES, op->n_out, op->n_rows);
    if (p == NULL || lay_make(cx, lay, op->n_out) != EMBER_OK)
        return err_nomem(cx->err);
    p->n_rows = op->n_rows;
    p->exprs = arena_alloc(cx->arena, sizeof(Expr *) *
                                          (size_t)(op->n_exprs + 1));
    if (p->exprs == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < op->n_out; i++) {
        p->types[i] = op->types[i];
        p->names[i] = op->names[i];
        lay->b[i] = op->out[i];
    }
    Layout empty = {NULL, 0};
    for (int i = 0; i < op->n_exprs; i++) {
        int rc = resolved(cx, op->exprs[i], &empty, &p->exprs[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = p;
    return EMBER_OK;
}

/* range() / generate_series(): start, step, count. */
static int phys_range(PlanCtx *cx, Lop *op, PhysOp **out, Layout *lay)
{
    PhysOp *p = phys_new(cx, PH_TABLEFN, 1, op->n_rows);
    if (p == NULL || lay_make(cx, lay, 1) != EMBER_OK)
        return err_nomem(cx->err);
    p->types[0] = op->types[0];
    p->names[0] = op->names[0];
    lay->b[0] = op->out[0];
    p->rng_start = op->tfn_args[0].v.i;
    p->rng_step = op->tfn_args[1].v.i;
    p->rng_count = (uint64_t)op->tfn_args[2].v.i;
    p->est_rows = (double)p->rng_count;
    *out = p;
    return EMBER_OK;
}

static int phys_filter(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                       Layout *lay)
{
    Req need;
    if (req_copy(cx, &need, req) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_exprs; i++)
        if (req_add_expr(cx, &need, op->exprs[i]) != EMBER_OK)
            return EMBER_NOMEM;
    PhysOp *child;
    int rc = phys(cx, op->child[0], &need, &child, lay);
    if (rc != EMBER_OK)
        return rc;
    Expr **conj = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)op->n_exprs);
    if (conj == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < op->n_exprs; i++) {
        rc = resolved(cx, op->exprs[i], lay, &conj[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    PhysOp *p = phys_new(cx, PH_FILTER, child->n_cols, op->est_rows);
    if (p == NULL)
        return err_nomem(cx->err);
    memcpy(p->types, child->types, sizeof(Type) * (size_t)child->n_cols);
    memcpy(p->names, child->names, sizeof(char *) * (size_t)child->n_cols);
    p->child[0] = child;
    p->pred = expr_and_all(cx, conj, op->n_exprs);
    *out = p;
    return EMBER_OK;
}

static int phys_project(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                        Layout *lay)
{
    Req need = {0};
    int n = 0;
    for (int i = 0; i < op->n_exprs; i++) {
        if (!req_has(req, op->out[i]))
            continue;
        n++;
        if (req_add_expr(cx, &need, op->exprs[i]) != EMBER_OK)
            return EMBER_NOMEM;
    }
    Layout cl;
    PhysOp *child;
    int rc = phys(cx, op->child[0], &need, &child, &cl);
    if (rc != EMBER_OK)
        return rc;
    PhysOp *p = phys_new(cx, PH_PROJECT, n, op->est_rows);
    if (p == NULL || lay_make(cx, lay, n) != EMBER_OK)
        return err_nomem(cx->err);
    p->exprs = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (p->exprs == NULL)
        return err_nomem(cx->err);
    int k = 0;
    for (int i = 0; i < op->n_exprs; i++) {
        if (!req_has(req, op->out[i]))
            continue;
        rc = resolved(cx, op->exprs[i], &cl, &p->exprs[k]);
        if (rc != EMBER_OK)
            return rc;
        p->types[k] = op->types[i];
        p->names[k] = op->names[i];
        lay->b[k] = op->out[i];
        k++;
    }
    p->child[0] = child;
    *out = p;
    return EMBER_OK;
}

static int phys_agg(PlanCtx *cx, Lop *op, PhysOp **out, Layout *lay)
{
    Req need = {0};
    for (int i = 0; i < op->n_groups; i++)
        if (req_add_expr(cx, &need, op->groups[i]) != EMBER_OK)
            return EMBER_NOMEM;
    for (int i = 0; i < op->n_aggs; i++) {
        const AggCall *a = &op->aggs[i];
        if (req_add_expr(cx, &need, a->arg) != EMBER_OK ||
            req_add_expr(cx, &need, a->filter) != EMBER_OK)
            return EMBER_NOMEM;
    }
    Layout cl;
    PhysOp *child;
    int rc = phys(cx, op->child[0], &need, &child, &cl);
    if (rc != EMBER_OK)
        return rc;
    int n = op->n_groups + op->n_aggs;
    PhysOp *p = phys_new(cx, PH_HASH_AGG, n, op->est_rows);
    if (p == NULL || lay_make(cx, lay, n) != EMBER_OK)
        return err_nomem(cx->err);
    p->child[0] = child;
    p->n_groups = op->n_groups;
    p->n_aggs = op->n_aggs;
    p->groups = arena_alloc(cx->arena, sizeof(Expr *) *
                                           (size_t)(op->n_groups + 1));
    p->aggs = arena_alloc(cx->arena, sizeof(AggCall) * (size_t)(op->n_aggs + 1));
    if (p->groups == NULL || p->aggs == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < op->n_groups; i++) {
        rc = resolved(cx, op->groups[i], &cl, &p->groups[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    for (int i = 0; i < op->n_aggs; i++) {
        p->aggs[i] = op->aggs[i];
        if ((rc = resolved(cx, op->aggs[i].arg, &cl, &p->aggs[i].arg)) ||
            (rc = resolved(cx, op->aggs[i].filter, &cl, &p->aggs[i].filter)) ||
            (rc = resolved(cx, op->aggs[i].sep, &cl, &p->aggs[i].sep)))
            return rc;
    }
    for (int i = 0; i < n; i++) {
        p->types[i] = op->types[i];
        p->names[i] = op->names[i];
        lay->b[i] = op->out[i];
    }
    *out = p;
    return EMBER_OK;
}

/* A SEMI or ANTI join builds on its left input instead of its right one
 * when the right is estimated this many times larger. */
#define RIGHT_SEMI_RATIO 4.0

/* ------------------------------------------------------------------------
 * Joins
 * ------------------------------------------------------------------------ */

static bool is_eq(const Expr *e)
{
    if (e->kind != EXPR_FUNC)
        return false;
    switch (e->fn) {
    case F_EQ_U8:
    case F_EQ_I32:
    case F_EQ_I64:
    case F_EQ_F64:
    case F_EQ_STR:
        return true;
    default:
        return false;
    }
}

static bool side_only(const Expr *e, const Lop *side)
{
    if (expr_has_subquery(e))
        return false;
    return expr_refs_within(e, side->out, side->n_out) && !expr_is_const(e);
}

/* Split join conditions into equi keys (left expr, right expr) and the
 * rest. */
static int split_conds(PlanCtx *cx, const Lop *op, Expr ***lk, Expr ***rk,
                       int *nk, Expr ***rest, int *nr)
{
    int n = op->n_exprs;
    *lk = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    *rk = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    *rest = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (*lk == NULL || *rk == NULL || *rest == NULL)
        return err_nomem(cx->err);
    *nk = *nr = 0;
    const Lop *l = op->child[0], *r = op->child[1];
    for (int i = 0; i < n; i++) {
        Expr *e = op->exprs[i];
        if (is_eq(e) && side_only(e->args[0], l) && side_only(e->args[1], r)) {
            (*lk)[*nk] = e->args[0];
            (*rk)[(*nk)++] = e->args[1];
        } else if (is_eq(e) && side_only(e->args[0], r) &&
                   side_only(e->args[1], l)) {
            (*lk)[*nk] = e->args[1];
            (*rk)[(*nk)++] = e->args[0];
        } else {
            (*rest)[(*nr)++] = e;
        }
    }
    return EMBER_OK;
}

static int join_child_req(PlanCtx *cx, const Lop *op, const Req *req,
                          const Lop *side, Req *out)
{
    memset(out, 0, sizeof(*out));
    Req all;
    if (req_copy(cx, &all, req) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_exprs; i++)
        if (req_add_expr(cx, &all, op->exprs[i]) != EMBER_OK)
            return EMBER_NOMEM;
    for (int i = 0; i < all.n; i++)
        if (lop_find(side, all.b[i]) >= 0 &&
            req_add(cx, out, all.b[i]) != EMBER_OK)
            return EMBER_NOMEM;
    return EMBER_OK;
}

static int phys_join(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                     Layout *lay)
{
    Expr **lk, **rk, **rest;
    int nk = 0, nr = 0;
    int rc = split_conds(cx, op, &lk, &rk, &nk, &rest, &nr);
    if (rc != EMBER_OK)
        return rc;
    JoinType jt = op->join;
    Lop *probe = op->child[0], *build = op->child[1];
    bool swap = false;
    if (jt == JT_RIGHT) {
        swap = true;
        jt = JT_LEFT;
    } else if (jt == JT_INNER && nk > 0 &&
               op->child[0]->est_rows < op->child[1]->est_rows) {
        swap = true;      /* build the hash table on the smaller side */
    } else if ((jt == JT_SEMI || jt == JT_ANTI) && nk > 0 &&
               cx->settings->enable_hashjoin &&
               op->child[0]->est_rows * RIGHT_SEMI_RATIO <
                   op->child[1]->est_rows) {
        /* far fewer rows to decide than to look among: build on them and
         * let the big side probe (TPC-H Q21: 70 k orders' lines against
         * 6 M lineitem rows) */
        swap = true;
        jt = jt == JT_SEMI ? JT_RIGHT_SEMI : JT_RIGHT_ANTI;
    }
    if (swap) {
        Lop *t = probe;
        probe = build;
        build = t;
        Expr **tk = lk;
        lk = rk;
        rk = tk;
    }
    Req preq, breq;
    if (join_child_req(cx, op, req, probe, &preq) != EMBER_OK ||
        join_child_req(cx, op, req, build, &breq) != EMBER_OK)
        return EMBER_NOMEM;
    PhysOp *pc, *bc;
    Layout pl, bl;
    rc = phys(cx, probe, &preq, &pc, &pl);
    if (rc == EMBER_OK)
        rc = phys(cx, build, &breq, &bc, &bl);
    if (rc != EMBER_OK)
        return rc;
    bool hash = nk > 0 && cx->settings->enable_hashjoin;
    bool keep_build = jt != JT_SEMI && jt != JT_ANTI && jt != JT_ANTI_NULL &&
                      jt != JT_MARK;
    bool build_only = jt == JT_RIGHT_SEMI || jt == JT_RIGHT_ANTI;
    int n = build_only ? bc->n_cols
                       : pc->n_cols + (keep_build ? bc->n_cols : 0) +
                             (jt == JT_MARK);
    PhysOp *p = phys_new(cx, hash ? PH_HASH_JOIN : PH_NL_JOIN, n, op->est_rows);
    if (p == NULL)
        return err_nomem(cx->err);
    p->join = jt;
    p->from_subquery = op->from_subquery;
    p->domain = op->domain;
    p->child[0] = pc;
    p->child[1] = bc;
    Layout joined;
    if (lay_concat(cx, &joined, &pl, &bl) != EMBER_OK)
        return EMBER_NOMEM;
    Expr **res = rest;
    int n_res = nr;
    if (hash) {
        p->n_keys = nk;
        p->probe_keys = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)nk);
        p->build_keys = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)nk);
        if (p->probe_keys == NULL || p->build_keys == NULL)
            return err_nomem(cx->err);
        for (int i = 0; i < nk; i++) {
            if ((rc = resolved(cx, lk[i], &pl, &p->probe_keys[i])) ||
                (rc = resolved(cx, rk[i], &bl, &p->build_keys[i])))
                return rc;
        }
    } else {
        /* every condition is evaluated per pair */
        res = op->exprs;
        n_res = op->n_exprs;
    }
    Expr **rr = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n_res + 1));
    if (rr == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n_res; i++)
        if ((rc = resolved(cx, res[i], &joined, &rr[i])) != EMBER_OK)
            return rc;
    p->residual = expr_and_all(cx, rr, n_res);
    if (build_only) {
        memcpy(p->types, bc->types, sizeof(Type) * (size_t)bc->n_cols);
        memcpy(p->names, bc->names, sizeof(char *) * (size_t)bc->n_cols);
        *out = p;
        return lay_concat(cx, lay, &bl, NULL);
    }
    memcpy(p->types, pc->types, sizeof(Type) * (size_t)pc->n_cols);
    memcpy(p->names, pc->names, sizeof(char *) * (size_t)pc->n_cols);
    if (keep_build) {
        memcpy(p->types + pc->n_cols, bc->types,
               sizeof(Type) * (size_t)bc->n_cols);
        memcpy(p->names + pc->n_cols, bc->names,
               sizeof(char *) * (size_t)bc->n_cols);
        rc = lay_concat(cx, lay, &pl, &bl);
    } else if (jt == JT_MARK) {
        p->types[pc->n_cols] = type_make(TYPE_BOOL);
        p->names[pc->n_cols] = "mark";
        rc = lay_make(cx, lay, pl.n + 1);
        if (rc == EMBER_OK) {
            memcpy(lay->b, pl.b, sizeof(ColBinding) * (size_t)pl.n);
            lay->b[pl.n] = (ColBinding){op->mark_rel, 0};
        }
    } else {
        rc = lay_concat(cx, lay, &pl, NULL);
    }
    *out = p;
    return rc;
}

/* ------------------------------------------------------------------------
 * Sort, limit, set operations
 * ------------------------------------------------------------------------ */

static int phys_order(PlanCtx *cx, Lop *op, const Req *req, int64_t limit,
                      int64_t offset, PhysOp **out, Layout *lay)
{
    Req need;
    if (req_copy(cx, &need, req) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_keys; i++)
        if (req_add_expr(cx, &need, op->keys[i].expr) != EMBER_OK)
            return EMBER_NOMEM;
    PhysOp *child;
    int rc = phys(cx, op->child[0], &need, &child, lay);
    if (rc != EMBER_OK)
        return rc;
    double est = op->est_rows;
    /* output rows: the input after the offset, at most limit */
    if (limit >= 0) {
        est = est - (double)offset;
        if (est > (double)limit)
            est = (double)limit;
        if (est < 1)
            est = 1;
    }
    PhysOp *p = phys_new(cx, limit >= 0 ? PH_TOPN : PH_SORT, child->n_cols,
                         est);
    if (p == NULL)
        return err_nomem(cx->err);
    memcpy(p->types, child->types, sizeof(Type) * (size_t)child->n_cols);
    memcpy(p->names, child->names, sizeof(char *) * (size_t)child->n_cols);
    p->child[0] = child;
    p->limit = limit;
    p->offset = offset;
    p->n_keys_sort = op->n_keys;
    p->keys = arena_alloc(cx->arena, sizeof(SortKey) * (size_t)op->n_keys);
    if (p->keys == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < op->n_keys; i++) {
        p->keys[i] = op->keys[i];
        rc = resolved(cx, op->keys[i].expr, lay, &p->keys[i].expr);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = p;
    return EMBER_OK;
}

static int phys_limit(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                      Layout *lay)
{
    if (op->child[0]->kind == LOP_ORDER && op->limit >= 0)
        return phys_order(cx, op->child[0], req, op->limit, op->offset, out,
                          lay);
    PhysOp *child;
    int rc = phys(cx, op->child[0], req, &child, lay);
    if (rc != EMBER_OK)
        return rc;
    PhysOp *p = phys_new(cx, PH_LIMIT, child->n_cols, op->est_rows);
    if (p == NULL)
        return err_nomem(cx->err);
    memcpy(p->types, child->types, sizeof(Type) * (size_t)child->n_cols);
    memcpy(p->names, child->names, sizeof(char *) * (size_t)child->n_cols);
    p->child[0] = child;
    p->limit = op->limit;
    p->offset = op->offset;
    *out = p;
    return EMBER_OK;
}

/* Plan op so that it outputs exactly its columns in order (plus `extra`
 * constant columns when given). */
static int phys_exact(PlanCtx *cx, Lop *op, const Value *extra, int n_extra,
                      PhysOp **out)
{
    Req all = {0};
    for (int i = 0; i < op->n_out; i++)
        if (req_add(cx, &all, op->out[i]) != EMBER_OK)
            return EMBER_NOMEM;
    PhysOp *child;
    Layout cl;
    int rc = phys(cx, op, &all, &child, &cl);
    if (rc != EMBER_OK)
        return rc;
    bool same = cl.n == op->n_out && n_extra == 0;
    for (int i = 0; same && i < op->n_out; i++)
        same = binding_eq(cl.b[i], op->out[i]);
    if (same) {
        *out = child;
        return EMBER_OK;
    }
    int n = op->n_out + n_extra;
    PhysOp *p = phys_new(cx, PH_PROJECT, n, child->est_rows);
    if (p == NULL)
        return err_nomem(cx->err);
    p->exprs = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (p->exprs == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < op->n_out; i++) {
        Expr *e = expr_colref(cx, op->out[i], op->types[i]);
        if (e == NULL)
            return err_nomem(cx->err);
        e->slot = lay_find(&cl, op->out[i]);
        p->exprs[i] = e;
        p->types[i] = op->types[i];
        p->names[i] = op->names ? op->names[i] : NULL;
    }
    for (int i = 0; i < n_extra; i++) {
        p->exprs[op->n_out + i] = expr_const(cx, extra[i]);
        if (p->exprs[op->n_out + i] == NULL)
            return err_nomem(cx->err);
        p->types[op->n_out + i] = extra[i].type;
    }
    p->child[0] = child;
    *out = p;
    return EMBER_OK;
}

static PhysOp *make_union(PlanCtx *cx, PhysOp *l, PhysOp *r, int n,
                          const Type *types)
{
    PhysOp *u = phys_new(cx, PH_UNION, n, l->est_rows + r->est_rows);
    if (u == NULL)
        return NULL;
    memcpy(u->types, types, sizeof(Type) * (size_t)n);
    u->child[0] = l;
    u->child[1] = r;
    return u;
}

static int phys_setop(PlanCtx *cx, Lop *op, PhysOp **out, Layout *lay)
{
    int n = op->n_out;
    bool counted = op->setop != SETOP_UNION;
    Value tags[2][2] = {{value_int64(1), value_int64(0)},
                        {value_int64(0), value_int64(1)}};
    PhysOp *l, *r;
    int rc = phys_exact(cx, op->child[0], counted ? tags[0] : NULL,
                        counted ? 2 : 0, &l);
    if (rc == EMBER_OK)
        rc = phys_exact(cx, op->child[1], counted ? tags[1] : NULL,
                        counted ? 2 : 0, &r);
    if (rc != EMBER_OK)
        return rc;
    if (lay_make(cx, lay, n) != EMBER_OK)
        return EMBER_NOMEM;
    for (int i = 0; i < n; i++)
        lay->b[i] = op->out[i];
    PhysOp *u = make_union(cx, l, r, l->n_cols, l->types);
    if (u == NULL)
        return err_nomem(cx->err);
    if (op->setop == SETOP_UNION && op->all) {
        *out = u;
        return EMBER_OK;
    }
    /* group by every column; count each side for INTERSECT / EXCEPT */
    int na = counted ? 2 : 0;
    PhysOp *a = phys_new(cx, PH_HASH_AGG, n + na, u->est_rows);
    if (a == NULL)
        return err_nomem(cx->err);
    a->child[0] = u;
    a->n_groups = n;
    a->n_aggs = na;
    a->groups = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    a->aggs = arena_calloc(cx->arena, sizeof(AggCall) * 2);
    if (a->groups == NULL || a->aggs == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n + na; i++) {
        Expr *c = expr_colref(cx, (ColBinding){0, (uint32_t)i}, u->types[i]);
        if (c == NULL)
            return err_nomem(cx->err);
        c->slot = i;
        if (i < n)
            a->groups[i] = c;
        else {
            a->aggs[i - n].kind = AGG_SUM;
            a->aggs[i - n].arg = c;
            a->aggs[i - n].type = type_make(TYPE_INT64);
            a->aggs[i - n].name = "count";
        }
        a->types[i] = u->types[i];
    }
    if (!counted) {
        *out = a;
        return EMBER_OK;
    }
    /* the result's estimate is the logical one (cardinality.c: at most
     * the smaller input for INTERSECT, the left one for EXCEPT), not the
     * aggregate's, which counts the groups of both inputs together */
    PhysOp *s = phys_new(cx, PH_SETOP, n, op->est_rows);
    if (s == NULL)
        return err_nomem(cx->err);
    memcpy(s->types, op->types, sizeof(Type) * (size_t)n);
    s->setop = op->setop;
    s->all = op->all;
    s->child[0] = a;
    *out = s;
    return EMBER_OK;
}

static int phys(PlanCtx *cx, Lop *op, const Req *req, PhysOp **out,
                Layout *lay)
{
    int rc;
    switch (op->kind) {
    case LOP_GET:
        rc = phys_get(cx, op, req, out, lay);
        break;
    case LOP_VALUES:
        rc = phys_values(cx, op, out, lay);
        break;
    case LOP_TABLEFN:
        rc = op->tfn == TFN_RANGE ? phys_range(cx, op, out, lay)
                                  : phys_values(cx, op, out, lay);
        break;
    case LOP_FILTER:
        rc = phys_filter(cx, op, req, out, lay);
        break;
    case LOP_PROJECT:
        rc = phys_project(cx, op, req, out, lay);
        break;
    case LOP_AGG:
        rc = phys_agg(cx, op, out, lay);
        break;
    case LOP_JOIN:
        rc = phys_join(cx, op, req, out, lay);
        break;
    case LOP_ORDER:
        rc = phys_order(cx, op, req, -1, 0, out, lay);
        break;
    case LOP_LIMIT:
        rc = phys_limit(cx, op, req, out, lay);
        break;
    case LOP_SETOP:
        rc = phys_setop(cx, op, out, lay);
        break;
    default:
        rc = err_set(cx->err, EMBER_INTERNAL, -1, "bad logical operator %d",
                     op->kind);
    }
    if (rc == EMBER_OK && (*out)->est_rows < 1)
        (*out)->est_rows = 1;
    UNUSED(binding_type);
    return rc;
}

/* ------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------ */

static void number_ops(PhysOp *op, int *next, double *cost)
{
    if (op == NULL)
        return;
    op->id = ++*next;
    double c = 0;
    for (int i = 0; i < 2; i++) {
        double cc = 0;
        number_ops(op->child[i], next, &cc);
        c += cc;
    }
    op->est_cost = c + op->est_rows;
    *cost = op->est_cost;
}

int plan_subplan(PlanCtx *cx, BoundSub *bs, SubPlan **out)
{
    SubPlan *sp = arena_calloc(cx->arena, sizeof(*sp));
    if (sp == NULL)
        return err_nomem(cx->err);
    sp->kind = bs->kind;
    sp->negated = bs->negated;
    sp->n_corr = bs->n_corr;
    sp->id = ++cx->n_subplans;
    if (cx->n_subplans > cx->cap_subplans) {
        int cap = cx->cap_subplans ? cx->cap_subplans * 2 : 4;
        SubPlan **l = arena_alloc(cx->arena, sizeof(SubPlan *) * (size_t)cap);
        if (l == NULL)
            return err_nomem(cx->err);
        if (cx->n_subplans > 1)
            memcpy(l, cx->subplans,
                   sizeof(SubPlan *) * (size_t)(cx->n_subplans - 1));
        cx->subplans = l;
        cx->cap_subplans = cap;
    }
    cx->subplans[cx->n_subplans - 1] = sp;
    sp->corr_params = arena_alloc(cx->arena, sizeof(int) *
                                                 (size_t)(bs->n_corr + 1));
    sp->corr_args = arena_alloc(cx->arena, sizeof(Expr *) *
                                               (size_t)(bs->n_corr + 1));
    if (sp->corr_params == NULL || sp->corr_args == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < bs->n_corr; i++) {
        sp->corr_params[i] = corr_slot(cx, bs->corr[i], bs->corr_types[i]);
        /* the outer-row expression (pushdown may have rewritten it over
         * a projection's input); the plan reads the parameter */
        sp->corr_args[i] = expr_copy(cx, bsub_corr_arg(cx, bs, i));
        if (sp->corr_params[i] < 0 || sp->corr_args[i] == NULL)
            return err_nomem(cx->err);
    }
    if (bs->lhs && (sp->lhs = expr_copy(cx, bs->lhs)) == NULL)
        return err_nomem(cx->err);
    Lop *root = bs->plan;
    if (bs->kind != SUB_IN) {
        /* one row decides EXISTS; two reveal a bad scalar subquery */
        Lop *l = lop_new(cx, LOP_LIMIT);
        if (l == NULL)
            return err_nomem(cx->err);
        l->child[0] = root;
        l->limit = bs->kind == SUB_EXISTS ? 1 : 2;
        if (lop_refresh(cx, l) != EMBER_OK)
            return err_nomem(cx->err);
        root = l;
    }
    int rc = plan_pushdown(cx, &root);
    if (rc != EMBER_OK)
        return rc;
    plan_estimate(cx, root);
    rc = plan_join_order(cx, &root);
    if (rc != EMBER_OK)
        return rc;
    plan_estimate(cx, root);
    rc = phys_exact(cx, root, NULL, 0, &sp->plan);
    if (rc != EMBER_OK)
        return rc;
    sp->n_cols = sp->plan->n_cols;
    *out = sp;
    return EMBER_OK;
}

int plan_physical(PlanCtx *cx, Lop *root, Plan *plan)
{
    int rc = phys_exact(cx, root, NULL, 0, &plan->root);
    if (rc != EMBER_OK)
        return rc;
    int next = 0;
    double cost = 0;
    number_ops(plan->root, &next, &cost);
    for (int i = 0; i < cx->n_subplans; i++)
        number_ops(cx->subplans[i]->plan, &next, &cost);
    plan->n_ops = next;
    return EMBER_OK;
}
