/*
 * join_order.c -- choosing the order of inner joins.
 *
 * A region is a maximal tree of inner joins; its leaves are the relations
 * (anything that is not an inner join: scans, aggregates, outer or semi
 * joins...), and its conditions form the join graph: a condition connects
 * the leaves whose columns it reads. Joins are built so that no cross
 * product appears while conditions connect the relations.
 *
 * This file holds the region extraction and the greedy orderer (start from
 * the smallest relation, repeatedly add the connected relation giving the
 * smallest result); join_dp.c enumerates connected subgraphs exactly for
 * regions up to greedy_threshold relations. join_order = 'syntactic'
 * keeps the written order.
 */
#include "plan/plan_int.h"
#include "plan/join_graph.h"

static int collect(PlanCtx *cx, Lop *op, JoinGraph *g)
{
    if (op->kind == LOP_JOIN && op->join == JT_INNER) {
        for (int i = 0; i < 2; i++) {
            int rc = collect(cx, op->child[i], g);
            if (rc != EMBER_OK)
                return rc;
        }
        for (int i = 0; i < op->n_exprs; i++) {
            int rc = jg_add_pred(cx, g, op->exprs[i]);
            if (rc != EMBER_OK)
                return rc;
        }
        return EMBER_OK;
    }
    if (g->n_rels >= JG_MAX_RELS)
        return err_set(cx->err, EMBER_ERROR, -1,
                       "too many relations in one join (limit %d)",
                       JG_MAX_RELS);
    g->rels[g->n_rels++] = op;
    return EMBER_OK;
}

int jg_add_pred(PlanCtx *cx, JoinGraph *g, Expr *e)
{
    if (g->n_preds == 0 && g->preds == NULL)
        g->cap_preds = 0;
    if (g->n_preds == g->cap_preds) {
        int cap = g->cap_preds ? g->cap_preds * 2 : 16;
        JgPred *p = arena_alloc(cx->arena, sizeof(JgPred) * (size_t)cap);
        if (p == NULL)
            return err_nomem(cx->err);
        if (g->n_preds)
            memcpy(p, g->preds, sizeof(JgPred) * (size_t)g->n_preds);
        g->preds = p;
        g->cap_preds = cap;
    }
    g->preds[g->n_preds].e = e;
    g->preds[g->n_preds].mask = 0;
    g->n_preds++;
    return EMBER_OK;
}

/* Which relations each predicate reads. */
static int compute_masks(PlanCtx *cx, JoinGraph *g)
{
    for (int p = 0; p < g->n_preds; p++) {
        ColBinding *refs = NULL;
        int n = 0, cap = 0;
        int rc = expr_collect_refs(cx, g->preds[p].e, &refs, &n, &cap);
        if (rc != EMBER_OK)
            return rc;
        RelSet m = 0;
        for (int i = 0; i < n; i++)
            for (int r = 0; r < g->n_rels; r++)
                if (lop_find(g->rels[r], refs[i]) >= 0)
                    m |= (RelSet)1 << r;
        g->preds[p].mask = m;
    }
    return EMBER_OK;
}

/* Join a and b with every unused predicate they now cover. */
Lop *jg_join(PlanCtx *cx, JoinGraph *g, Lop *a, RelSet ma, Lop *b, RelSet mb,
             bool *used)
{
    RelSet m = ma | mb;
    Expr **conds = arena_alloc(cx->arena, sizeof(Expr *) *
                                              (size_t)(g->n_preds + 1));
    if (conds == NULL)
        return NULL;
    int n = 0;
    for (int p = 0; p < g->n_preds; p++) {
        RelSet pm = g->preds[p].mask;
        if (used[p] || (pm & ~m) != 0)
            continue;
        /* predicates within one side were placed already; a predicate
         * with no relation goes to the first join */
        conds[n++] = g->preds[p].e;
        used[p] = true;
    }
    Lop *j = lop_join(cx, JT_INNER, a, b, conds, n);
    if (j)
        plan_estimate(cx, j);
    return j;
}

bool jg_connected(const JoinGraph *g, RelSet a, RelSet b)
{
    for (int p = 0; p < g->n_preds; p++) {
        RelSet pm = g->preds[p].mask;
        if ((pm & a) && (pm & b) && (pm & ~(a | b)) == 0)
            return true;
    }
    return false;
}

/* Greedy: components merge pairwise, connected pairs first, smallest
 * estimated result first. */
static int order_greedy(PlanCtx *cx, JoinGraph *g, Lop **out)
{
    int n = g->n_rels;
    Lop *comp[JG_MAX_RELS];
    RelSet mask[JG_MAX_RELS];
    bool *used = arena_calloc(cx->arena, (size_t)g->n_preds + 1);
    if (used == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        comp[i] = g->rels[i];
        mask[i] = (RelSet)1 << i;
    }
    while (n > 1) {
        int bi = -1, bj = -1;
        double best = 0;
        bool best_conn = false;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                bool conn = jg_connected(g, mask[i], mask[j]);
                if (best_conn && !conn)
                    continue;
                double est;
                if (conn) {
                    bool *tmp_used = arena_alloc(cx->arena,
                                                 (size_t)g->n_preds + 1);
                    if (tmp_used == NULL)
                        return err_nomem(cx->err);
                    memcpy(tmp_used, used, (size_t)g->n_preds);
                    Lop *t = jg_join(cx, g, comp[i], mask[i], comp[j],
                                     mask[j], tmp_used);
                    if (t == NULL)
                        return err_nomem(cx->err);
                    est = t->est_rows;
                } else {
                    est = comp[i]->est_rows * comp[j]->est_rows;
                }
                if (bi < 0 || (conn && !best_conn) || est < best) {
                    bi = i;
                    bj = j;
                    best = est;
                    best_conn = conn;
                }
            }
        }
        Lop *l = comp[bi], *r = comp[bj];
        /* the larger input goes on the left (probe); the physical planner
         * builds on the smaller */
        if (l->est_rows < r->est_rows) {
            Lop *t = l;
            l = r;
            r = t;
            RelSet tm = mask[bi];
            mask[bi] = mask[bj];
            mask[bj] = tm;
        }
        Lop *j = jg_join(cx, g, l, mask[bi], r, mask[bj], used);
        if (j == NULL)
            return err_nomem(cx->err);
        comp[bi] = j;
        mask[bi] |= mask[bj];
        comp[bj] = comp[n - 1];
        mask[bj] = mask[n - 1];
        n--;
    }
    /* predicates nothing covered (should not happen) stay as a filter */
    Expr **rest = arena_alloc(cx->arena, sizeof(Expr *) *
                                             (size_t)(g->n_preds + 1));
    if (rest == NULL)
        return err_nomem(cx->err);
    int nr = 0;
    for (int p = 0; p < g->n_preds; p++)
        if (!used[p])
            rest[nr++] = g->preds[p].e;
    *out = lop_filter(cx, comp[0], rest, nr);
    return *out ? EMBER_OK : err_nomem(cx->err);
}

static int reorder(PlanCtx *cx, Lop **pop)
{
    Lop *op = *pop;
    if (op->kind == LOP_JOIN && op->join == JT_INNER) {
        JoinGraph g;
        memset(&g, 0, sizeof(g));
        int rc = collect(cx, op, &g);
        if (rc != EMBER_OK)
            return rc;
        for (int i = 0; i < g.n_rels; i++) {
            rc = reorder(cx, &g.rels[i]);
            if (rc != EMBER_OK)
                return rc;
            plan_estimate(cx, g.rels[i]);
        }
        if (g.n_rels <= 2 || cx->settings->join_order == JOIN_ORDER_SYNTACTIC)
            return EMBER_OK;
        rc = compute_masks(cx, &g);
        if (rc != EMBER_OK)
            return rc;
        if (cx->settings->join_order == JOIN_ORDER_COST &&
            g.n_rels <= cx->settings->greedy_threshold) {
            rc = jg_order_dp(cx, &g, pop);
            if (rc != EMBER_NOTFOUND)
                return rc;
        }
        return order_greedy(cx, &g, pop);
    }
    for (int i = 0; i < 2; i++) {
        if (op->child[i]) {
            int rc = reorder(cx, &op->child[i]);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    return lop_refresh(cx, op);
}

int plan_join_order(PlanCtx *cx, Lop **root)
{
    return reorder(cx, root);
}
