/*
 * join_order.c -- choosing the order of inner joins.
 *
 * A region is a maximal tree of inner joins; its leaves are the relations
 * (anything that is not an inner join: scans, aggregates, outer or semi
 * joins...), and its conditions form the join graph: a condition connects
 * the leaves whose columns it reads. Joins are built so that no cross
 * product appears while conditions connect the relations.
 *
 * This file holds the region extraction, the equivalence classes of the
 * region's column equalities (see JgClass in join_graph.h), and the greedy
 * orderer (start from the smallest relation, repeatedly add the connected
 * relation giving the smallest result); join_dp.c enumerates connected
 * subgraphs exactly for regions up to greedy_threshold relations.
 * join_order = 'syntactic' keeps the written order and the written
 * conditions (no classes).
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
    g->preds[g->n_preds].cls = -1;
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

/* ------------------------------------------------------------------------
 * Equivalence classes
 * ------------------------------------------------------------------------ */

/* An equality between plain columns of two relations, of one type: the
 * shape whose transitive closure is exact (equality of one type is an
 * equivalence relation; NULL equals nothing, and every member of a class
 * must be non-NULL for any of its conditions to hold). */
static bool class_equality(const JgPred *p)
{
    const Expr *e = p->e;
    return __builtin_popcountll(p->mask) == 2 && e->kind == EXPR_FUNC &&
           e->fn >= F_EQ_U8 && e->fn <= F_EQ_STR && e->n_args == 2 &&
           e->args[0]->kind == EXPR_COLREF &&
           e->args[1]->kind == EXPR_COLREF &&
           type_equal(e->args[0]->type, e->args[1]->type);
}

/* x = y for members x, y of c: a written equality of exactly those two
 * columns when there is one, else a new one. */
static Expr *class_eq(PlanCtx *cx, const JgClass *c, int x, int y)
{
    ColBinding bx = c->col[x], by = c->col[y];
    for (int i = 0; i < c->n_orig; i++) {
        Expr *o = c->orig[i];
        ColBinding a = o->args[0]->col, b = o->args[1]->col;
        if ((binding_eq(a, bx) && binding_eq(b, by)) ||
            (binding_eq(a, by) && binding_eq(b, bx)))
            return o;
    }
    Expr *e = expr_new(cx, EXPR_FUNC, type_make(TYPE_BOOL), 2);
    if (e == NULL)
        return NULL;
    e->fn = c->fn;
    e->args[0] = expr_colref(cx, bx, c->type);
    e->args[1] = expr_colref(cx, by, c->type);
    return e->args[0] && e->args[1] ? e : NULL;
}

int jg_class_member(const JgClass *c, RelSet m)
{
    int best = -1;
    for (int i = 0; i < c->n; i++)
        if ((m & ((RelSet)1 << c->rel[i])) &&
            (best < 0 || c->ndv[i] < c->ndv[best]))
            best = i;
    return best;
}

/* Make members of one relation equal where they are: a filter on that
 * relation (in its scan when it is one). */
static int filter_leaf(PlanCtx *cx, JoinGraph *g, int r, Expr *e)
{
    Lop *leaf = g->rels[r];
    if (leaf->kind == LOP_GET && !expr_has_subquery(e)) {
        Expr **all = arena_alloc(cx->arena, sizeof(Expr *) *
                                                (size_t)(leaf->n_exprs + 1));
        if (all == NULL)
            return err_nomem(cx->err);
        if (leaf->n_exprs)
            memcpy(all, leaf->exprs, sizeof(Expr *) * (size_t)leaf->n_exprs);
        all[leaf->n_exprs] = e;
        leaf->exprs = all;
        leaf->n_exprs++;
    } else {
        Lop *f = lop_filter(cx, leaf, &e, 1);
        if (f == NULL)
            return err_nomem(cx->err);
        g->rels[r] = f;
    }
    plan_estimate(cx, g->rels[r]);
    return EMBER_OK;
}

/* Union-find over the columns of the class equalities; each pred merged
 * into a class gets its number (JgPred.cls). */
static int uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static int col_index(ColBinding *cols, int *n, int *parent, ColBinding b)
{
    for (int i = 0; i < *n; i++)
        if (binding_eq(cols[i], b))
            return i;
    cols[*n] = b;
    parent[*n] = *n;
    return (*n)++;
}

static int rel_of_binding(const JoinGraph *g, ColBinding b)
{
    for (int r = 0; r < g->n_rels; r++)
        if (lop_find(g->rels[r], b) >= 0)
            return r;
    return -1;
}

/* The equivalence classes of g's equalities (JgClass, join_graph.h): each
 * written equality of two plain columns joins its columns' classes
 * (union-find) and is marked with its class; classes then stand for
 * those equalities in connectivity, estimates and join conditions. */
static int build_classes(PlanCtx *cx, JoinGraph *g)
{
    int np = g->n_preds;
    ColBinding *cols = arena_alloc(cx->arena, sizeof(ColBinding) *
                                                  (size_t)(2 * np + 1));
    int *parent = arena_alloc(cx->arena, sizeof(int) * (size_t)(2 * np + 1));
    int *cls_of = arena_alloc(cx->arena, sizeof(int) * (size_t)(2 * np + 1));
    if (cols == NULL || parent == NULL || cls_of == NULL)
        return err_nomem(cx->err);
    int nc = 0;
    for (int p = 0; p < np; p++) {
        if (!class_equality(&g->preds[p]))
            continue;
        const Expr *e = g->preds[p].e;
        int a = col_index(cols, &nc, parent, e->args[0]->col);
        int b = col_index(cols, &nc, parent, e->args[1]->col);
        a = uf_find(parent, a);
        b = uf_find(parent, b);
        if (a != b)
            parent[a] = b;
    }
    if (nc == 0)
        return EMBER_OK;
    /* number the classes by their roots */
    int n_classes = 0;
    for (int i = 0; i < nc; i++)
        cls_of[i] = -1;
    for (int i = 0; i < nc; i++) {
        int root = uf_find(parent, i);
        if (cls_of[root] < 0)
            cls_of[root] = n_classes++;
    }
    g->classes = arena_calloc(cx->arena, sizeof(JgClass) *
                                             (size_t)(n_classes + 1));
    if (g->classes == NULL)
        return err_nomem(cx->err);
    g->n_classes = n_classes;
    for (int k = 0; k < n_classes; k++) {
        JgClass *c = &g->classes[k];
        c->col = arena_alloc(cx->arena, sizeof(ColBinding) * (size_t)nc);
        c->rel = arena_alloc(cx->arena, sizeof(int) * (size_t)nc);
        c->ndv = arena_alloc(cx->arena, sizeof(double) * (size_t)nc);
        c->orig = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(np + 1));
        if (c->col == NULL || c->rel == NULL || c->ndv == NULL ||
            c->orig == NULL)
            return err_nomem(cx->err);
    }
    for (int i = 0; i < nc; i++) {
        JgClass *c = &g->classes[cls_of[uf_find(parent, i)]];
        int r = rel_of_binding(g, cols[i]);
        if (r < 0)
            return err_set(cx->err, EMBER_INTERNAL, -1,
                           "join condition column %u.%u in no relation",
                           cols[i].rel, cols[i].col);
        c->col[c->n] = cols[i];
        c->rel[c->n] = r;
        c->mask |= (RelSet)1 << r;
        c->n++;
    }
    for (int p = 0; p < np; p++) {
        if (!class_equality(&g->preds[p]))
            continue;
        Expr *e = g->preds[p].e;
        int k = cls_of[uf_find(parent,
                               col_index(cols, &nc, parent, e->args[0]->col))];
        JgClass *c = &g->classes[k];
        c->type = e->args[0]->type;
        c->fn = e->fn;
        c->orig[c->n_orig++] = e;
        g->preds[p].cls = k;
    }
    /* members in one relation are equal from the start: a filter there,
     * the relation's first member = each other one */
    for (int k = 0; k < n_classes; k++) {
        JgClass *c = &g->classes[k];
        for (int i = 0; i < c->n; i++) {
            for (int j = 0; j < i; j++) {
                if (c->rel[j] != c->rel[i])
                    continue;
                Expr *e = class_eq(cx, c, j, i);
                if (e == NULL)
                    return err_nomem(cx->err);
                int rc = filter_leaf(cx, g, c->rel[i], e);
                if (rc != EMBER_OK)
                    return rc;
                break;
            }
        }
    }
    /* distinct values of each member in its (filtered) relation, once:
     * the joins choose their keys by them */
    for (int k = 0; k < n_classes; k++) {
        JgClass *c = &g->classes[k];
        for (int i = 0; i < c->n; i++) {
            Expr ref;
            memset(&ref, 0, sizeof(ref));
            ref.kind = EXPR_COLREF;
            ref.type = c->type;
            ref.col = c->col[i];
            c->ndv[i] = plan_key_ndv(cx, &ref, g->rels[c->rel[i]]->est_rows);
        }
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Joining
 * ------------------------------------------------------------------------ */

/* Append the condition joining class c across a and b, once per join
 * (done[c]), when the class has members on both sides. */
static int class_cond(PlanCtx *cx, const JoinGraph *g, int c, const Lop *a,
                      RelSet ma, const Lop *b, RelSet mb, bool *done,
                      Expr **conds, int *n)
{
    const JgClass *jc = &g->classes[c];
    if (done[c] || !(jc->mask & ma) || !(jc->mask & mb))
        return EMBER_OK;
    done[c] = true;
    int x = jg_class_member(jc, ma);
    int y = jg_class_member(jc, mb);
    Expr *e = class_eq(cx, jc, x, y);
    if (e == NULL)
        return EMBER_NOMEM;
    conds[(*n)++] = e;
    return EMBER_OK;
}

/* Join a and b with every unused predicate they now cover, and one
 * condition per equivalence class with members on both sides: the
 * members with the fewest distinct values on each side (the same choice
 * the estimate of the union makes in join_dp.c). A class's written
 * equalities are all used once the class is joined across; its condition
 * goes where the first of them would have. */
Lop *jg_join(PlanCtx *cx, JoinGraph *g, Lop *a, RelSet ma, Lop *b, RelSet mb,
             bool *used)
{
    RelSet m = ma | mb;
    Expr **conds = arena_alloc(cx->arena, sizeof(Expr *) *
                                              (size_t)(g->n_preds +
                                                       g->n_classes + 1));
    bool *done = arena_calloc(cx->arena, (size_t)g->n_classes + 1);
    if (conds == NULL || done == NULL)
        return NULL;
    int n = 0;
    for (int p = 0; p < g->n_preds; p++) {
        RelSet pm = g->preds[p].mask;
        if (used[p] || (pm & ~m) != 0)
            continue;
        used[p] = true;
        if (g->preds[p].cls < 0)
            /* predicates within one side were placed already; a
             * predicate with no relation goes to the first join */
            conds[n++] = g->preds[p].e;
        else if (class_cond(cx, g, g->preds[p].cls, a, ma, b, mb, done,
                            conds, &n) != EMBER_OK)
            return NULL;
    }
    /* classes none of whose written equalities this join covers */
    for (int c = 0; c < g->n_classes; c++)
        if (class_cond(cx, g, c, a, ma, b, mb, done, conds, &n) != EMBER_OK)
            return NULL;
    Lop *j = lop_join(cx, JT_INNER, a, b, conds, n);
    if (j)
        plan_estimate_top(cx, j);
    return j;
}

bool jg_connected(const JoinGraph *g, RelSet a, RelSet b)
{
    for (int p = 0; p < g->n_preds; p++) {
        RelSet pm = g->preds[p].mask;
        if (g->preds[p].cls < 0 && (pm & a) && (pm & b) &&
            (pm & ~(a | b)) == 0)
            return true;
    }
    for (int c = 0; c < g->n_classes; c++)
        if ((g->classes[c].mask & a) && (g->classes[c].mask & b))
            return true;
    return false;
}

/* Greedy: components merge pairwise, connected pairs first, smallest
 * estimated result first. The estimate of a pair is kept until one of
 * its components changes (with equivalence classes most pairs are
 * connected, and re-estimating every pair at every step made a 40-way
 * join of one class take seconds to plan). */
static int order_greedy(PlanCtx *cx, JoinGraph *g, Lop **out)
{
    int n = g->n_rels;
    Lop *comp[JG_MAX_RELS];
    RelSet mask[JG_MAX_RELS];
    bool *used = arena_calloc(cx->arena, (size_t)g->n_preds + 1);
    bool *tmp_used = arena_alloc(cx->arena, (size_t)g->n_preds + 1);
    /* pair estimates, [i * JG_MAX_RELS + j] for i < j; known[] says valid */
    double *est = arena_alloc(cx->arena, sizeof(double) * JG_MAX_RELS *
                                             JG_MAX_RELS);
    bool *conn = arena_alloc(cx->arena, JG_MAX_RELS * JG_MAX_RELS);
    bool *known = arena_calloc(cx->arena, JG_MAX_RELS * JG_MAX_RELS);
    if (used == NULL || tmp_used == NULL || est == NULL || conn == NULL ||
        known == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        comp[i] = g->rels[i];
        mask[i] = (RelSet)1 << i;
    }
#define AT(i, j) ((i) * JG_MAX_RELS + (j))
    while (n > 1) {
        int bi = -1, bj = -1;
        double best = 0;
        bool best_conn = false;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (!known[AT(i, j)]) {
                    conn[AT(i, j)] = jg_connected(g, mask[i], mask[j]);
                    if (conn[AT(i, j)]) {
                        memcpy(tmp_used, used, (size_t)g->n_preds);
                        Lop *t = jg_join(cx, g, comp[i], mask[i], comp[j],
                                         mask[j], tmp_used);
                        if (t == NULL)
                            return err_nomem(cx->err);
                        est[AT(i, j)] = t->est_rows;
                    } else {
                        est[AT(i, j)] = comp[i]->est_rows * comp[j]->est_rows;
                    }
                    known[AT(i, j)] = true;
                }
                bool c = conn[AT(i, j)];
                if (best_conn && !c)
                    continue;
                double e = est[AT(i, j)];
                if (bi < 0 || (c && !best_conn) || e < best) {
                    bi = i;
                    bj = j;
                    best = e;
                    best_conn = c;
                }
            }
        }
        Lop *l = comp[bi], *r = comp[bj];
        RelSet ml = mask[bi], mr = mask[bj];
        /* the larger input goes on the left (probe); the physical planner
         * builds on the smaller */
        if (l->est_rows < r->est_rows) {
            Lop *t = l;
            l = r;
            r = t;
            RelSet tm = ml;
            ml = mr;
            mr = tm;
        }
        /* a predicate of no relation goes to the first join; it was part
         * of every pair's estimate, so none of them stays valid */
        bool stale_all = false;
        for (int p = 0; p < g->n_preds && !stale_all; p++)
            stale_all = !used[p] && g->preds[p].mask == 0;
        Lop *j = jg_join(cx, g, l, ml, r, mr, used);
        if (j == NULL)
            return err_nomem(cx->err);
        comp[bi] = j;
        mask[bi] = ml | mr;
        /* the last component moves into bj: its pairs move with it */
        int last = n - 1;
        for (int k = 0; k < n; k++) {
            if (k == bj || k == last)
                continue;
            int a = MIN(k, last), b = MAX(k, last);
            int na = MIN(k, bj), nb = MAX(k, bj);
            est[AT(na, nb)] = est[AT(a, b)];
            conn[AT(na, nb)] = conn[AT(a, b)];
            known[AT(na, nb)] = known[AT(a, b)];
        }
        comp[bj] = comp[last];
        mask[bj] = mask[last];
        n--;
        /* pairs with the merged component are new */
        for (int k = 0; k < n; k++)
            if (k != bi)
                known[AT(MIN(k, bi), MAX(k, bi))] = false;
        if (stale_all)
            memset(known, 0, JG_MAX_RELS * JG_MAX_RELS);
    }
#undef AT
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
        if (rc == EMBER_OK)
            rc = build_classes(cx, &g);
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
