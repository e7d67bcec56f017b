/*
 * join_dp.c -- optimal join order by dynamic programming over connected
 * subgraphs (DPccp: Moerkotte and Neumann, "Analysis of Two Existing and
 * One New Dynamic Programming Algorithm for the Generation of Optimal
 * Bushy Join Trees without Cross Products", VLDB 2006).
 *
 * Every pair (S1, S2) of disjoint connected relation sets joined by at
 * least one predicate is enumerated exactly once, and in an order where
 * the best plans of S1 and S2 are final before their union is considered,
 * so no cross product is ever costed. Edges are the predicates that read
 * exactly two relations; predicates over more relations are applied at
 * the first join that covers them.
 *
 * Cardinality of a set S (independence assumption, see cardinality.c):
 *   |S| = prod(|R| for R in S) * prod(sel(p) for p inside S)
 * so it does not depend on how S was split. Equalities are counted per
 * pair of relations (a composite key, see pred_sels) and per equivalence
 * class: a class whose members lie in k relations of S contributes k - 1
 * equalities, those of a minimum spanning tree under the weight
 * max(ndv(x), ndv(y)) of x = y, i.e. 1 / (the product of its relations'
 * distinct counts but the smallest): the containment assumption applied
 * to joining them one after another in any order, and what jg_join's
 * choice of keys gives. Counting every implied pair instead would make
 * a = b AND b = c AND a = c three times as selective as it is. Cost is
 * C_out: the sum of the
 * cardinalities of all intermediate results, plus the build side of each
 * hash join (building costs more per row than probing).
 * TUNING: the build weight 0.5 keeps probe-heavy plans ahead when two
 * orders produce equal intermediates (measured on TPC-H Q5/Q7/Q8/Q9).
 */
#include <math.h>

#include "plan/join_graph.h"

#define DP_MAX 20

/* TUNING: at most this many (S1, S2) pairs are considered, else the
 * region goes to the greedy orderer. The number of pairs depends on the
 * graph's shape, not only on its size: a chain of n relations has
 * (n^3 - n) / 6, a clique (3^n - 2^(n+1) + 1) / 2. Equivalence classes
 * make cliques (a join of n relations on one key connects every two), so
 * n = 20 would mean 1.7e9 pairs (minutes). 500k pairs take about 60 ms and
 * cover every graph of up to 12 relations (the default greedy_threshold;
 * a 12-clique has 261,625), a 13-clique has 788,970. */
#define DP_PAIR_BUDGET 500000L

typedef struct DpEntry {
    double cost;
    double card;
    RelSet left, right;       /* best split; 0 for a base relation */
    bool done;
} DpEntry;

/* An equivalence class as the estimate sees it: per relation one node
 * (its member with the fewest distinct values), and the node pairs in
 * the order the spanning tree takes them. */
typedef struct DpEdge {
    int8_t u, v;              /* node indexes */
} DpEdge;

typedef struct DpClass {
    int n_nodes;
    int rel[DP_MAX];
    double ndv[DP_MAX];
    double nonnull[DP_MAX];
    DpEdge *edges;            /* every node pair, lightest first */
    int n_edges;
} DpClass;

typedef struct Dp {
    PlanCtx *cx;
    JoinGraph *g;
    int n;
    RelSet nbr[DP_MAX];       /* neighbors of each relation */
    double sel[256];          /* per predicate that is not an equality */
    bool equi[256];           /* an equality between two relations */
    double nd_lo[256];        /* its distinct counts on the lower- and */
    double nd_hi[256];        /* higher-numbered relation */
    double nonnull[256];      /* fraction of rows with non-NULL keys */
    DpClass *cls;
    int n_cls;
    DpEntry *tab;             /* indexed by RelSet */
    long pairs;
    bool over;                /* pairs > DP_PAIR_BUDGET: give up */
} Dp;

static int popcount(RelSet s)
{
    return __builtin_popcountll(s);
}

static RelSet neighborhood(const Dp *dp, RelSet s, RelSet exclude)
{
    RelSet n = 0;
    for (int i = 0; i < dp->n; i++)
        if (s & ((RelSet)1 << i))
            n |= dp->nbr[i];
    return n & ~s & ~exclude;
}

/* Key distinct counts per pair of relations: equalities between the same
 * two relations form one composite key. */
typedef struct PairKeys {
    int16_t idx[DP_MAX][DP_MAX];
    int lo[DP_MAX * DP_MAX / 2 + 1], hi[DP_MAX * DP_MAX / 2 + 1];
    double k_lo[DP_MAX * DP_MAX / 2 + 1], k_hi[DP_MAX * DP_MAX / 2 + 1];
    int n;
} PairKeys;

static void pair_add(PairKeys *pk, int a, int b, double nd_a, double nd_b)
{
    if (a > b) {
        int t = a;
        a = b;
        b = t;
        double td = nd_a;
        nd_a = nd_b;
        nd_b = td;
    }
    int i = pk->idx[a][b];
    if (i < 0) {
        i = pk->n++;
        pk->idx[a][b] = (int16_t)i;
        pk->lo[i] = a;
        pk->hi[i] = b;
        pk->k_lo[i] = 1;
        pk->k_hi[i] = 1;
    }
    pk->k_lo[i] *= nd_a;
    pk->k_hi[i] *= nd_b;
}

static int uf_root(int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

static double card_of(const Dp *dp, RelSet s)
{
    const JoinGraph *g = dp->g;
    PairKeys pk;
    memset(pk.idx, 0xff, sizeof(pk.idx));
    pk.n = 0;
    double c = 1;
    for (int i = 0; i < dp->n; i++)
        if (s & ((RelSet)1 << i))
            c *= g->rels[i]->est_rows;
    for (int p = 0; p < g->n_preds && p < 256; p++) {
        RelSet m = g->preds[p].mask;
        if (g->preds[p].cls >= 0 || !m || (m & ~s) != 0 || popcount(m) < 2)
            continue;
        if (dp->equi[p]) {
            pair_add(&pk, __builtin_ctzll(m), 63 - __builtin_clzll(m),
                     dp->nd_lo[p], dp->nd_hi[p]);
            c *= dp->nonnull[p];
        } else {
            c *= dp->sel[p];
        }
    }
    /* each class: the spanning tree of its relations in s */
    for (int k = 0; k < dp->n_cls; k++) {
        const DpClass *dc = &dp->cls[k];
        int parent[DP_MAX], in = 0;
        for (int i = 0; i < dc->n_nodes; i++) {
            parent[i] = i;
            if (s & ((RelSet)1 << dc->rel[i]))
                in++;
        }
        if (in < 2)
            continue;
        for (int i = 0; i < dc->n_nodes; i++)
            if (s & ((RelSet)1 << dc->rel[i]))
                c *= dc->nonnull[i];
        for (int e = 0; e < dc->n_edges && in > 1; e++) {
            int u = dc->edges[e].u, v = dc->edges[e].v;
            if (!(s & ((RelSet)1 << dc->rel[u])) ||
                !(s & ((RelSet)1 << dc->rel[v])))
                continue;
            int ru = uf_root(parent, u), rv = uf_root(parent, v);
            if (ru == rv)
                continue;
            parent[ru] = rv;
            in--;
            pair_add(&pk, dc->rel[u], dc->rel[v], dc->ndv[u], dc->ndv[v]);
        }
    }
    /* containment per pair: 1 / max(keys of either side), each side's key
     * combinations at most its rows */
    for (int i = 0; i < pk.n; i++) {
        double ra = g->rels[pk.lo[i]]->est_rows;
        double rb = g->rels[pk.hi[i]]->est_rows;
        double ka = MAX(1, MIN(pk.k_lo[i], ra));
        double kb = MAX(1, MIN(pk.k_hi[i], rb));
        c /= MAX(ka, kb);
    }
    return c < 1 ? 1 : c;
}

/* Consider joining the best plans of s1 and s2. */
static void emit_pair(Dp *dp, RelSet s1, RelSet s2)
{
    if (++dp->pairs > DP_PAIR_BUDGET)
        dp->over = true;
    if (dp->over)
        return;
    DpEntry *a = &dp->tab[s1], *b = &dp->tab[s2];
    RelSet u = s1 | s2;
    DpEntry *t = &dp->tab[u];
    if (!t->done) {
        t->card = card_of(dp, u);
    }
    double build = MIN(a->card, b->card);
    double cost = a->cost + b->cost + t->card + 0.5 * build;
    if (!t->done || cost < t->cost) {
        t->cost = cost;
        /* larger input on the left: the physical plan builds on the
         * smaller one */
        if (a->card >= b->card) {
            t->left = s1;
            t->right = s2;
        } else {
            t->left = s2;
            t->right = s1;
        }
        t->done = true;
    }
}

/* Subsets of `set` (non-empty), in increasing numeric order. */
#define FOR_SUBSETS(sub, set)                                              \
    for (RelSet sub = (set) & (~(set) + 1); sub;                           \
         sub = ((sub | ~(set)) + 1) & (set))

static void enumerate_cmp_rec(Dp *dp, RelSet s1, RelSet s2, RelSet x)
{
    RelSet n = neighborhood(dp, s2, x);
    if (n == 0 || dp->over)
        return;
    FOR_SUBSETS(sub, n)
    {
        if (dp->over)
            return;
        if (jg_connected(dp->g, s1, s2 | sub))
            emit_pair(dp, s1, s2 | sub);
    }
    FOR_SUBSETS(sub, n)
    {
        if (dp->over)
            return;
        enumerate_cmp_rec(dp, s1, s2 | sub, x | n);
    }
}

static void enumerate_cmp(Dp *dp, RelSet s1)
{
    if (dp->over)
        return;
    int lo = __builtin_ctzll(s1);
    RelSet b_min = ((RelSet)1 << (lo + 1)) - 1;
    RelSet x = b_min | s1;
    RelSet n = neighborhood(dp, s1, x);
    for (int i = dp->n - 1; i >= 0; i--) {
        RelSet v = (RelSet)1 << i;
        if (!(n & v))
            continue;
        if (jg_connected(dp->g, s1, v))
            emit_pair(dp, s1, v);
        RelSet b_i = ((RelSet)1 << (i + 1)) - 1;
        enumerate_cmp_rec(dp, s1, v, x | (b_i & n));
    }
}

static void enumerate_csg_rec(Dp *dp, RelSet s, RelSet x)
{
    RelSet n = neighborhood(dp, s, x);
    if (n == 0 || dp->over)
        return;
    FOR_SUBSETS(sub, n)
    {
        if (dp->over)
            return;
        enumerate_cmp(dp, s | sub);
    }
    FOR_SUBSETS(sub, n)
    {
        if (dp->over)
            return;
        enumerate_csg_rec(dp, s | sub, x | n);
    }
}

static void solve(Dp *dp)
{
    for (int i = dp->n - 1; i >= 0; i--) {
        RelSet v = (RelSet)1 << i;
        RelSet b_i = ((RelSet)1 << (i + 1)) - 1;
        enumerate_cmp(dp, v);
        enumerate_csg_rec(dp, v, b_i);
    }
}

static Lop *build(Dp *dp, RelSet s, bool *used)
{
    const DpEntry *e = &dp->tab[s];
    if (popcount(s) == 1)
        return dp->g->rels[__builtin_ctzll(s)];
    Lop *l = build(dp, e->left, used);
    Lop *r = build(dp, e->right, used);
    if (l == NULL || r == NULL)
        return NULL;
    return jg_join(dp->cx, dp->g, l, e->left, r, e->right, used);
}

static bool is_equi(const JgPred *p)
{
    const Expr *e = p->e;
    return popcount(p->mask) == 2 && e->kind == EXPR_FUNC &&
           e->fn >= F_EQ_U8 && e->fn <= F_EQ_STR;
}

/* Rows of the relation an expression reads (of the two in mask). */
static int rel_of(const JoinGraph *g, RelSet mask, const Expr *e)
{
    for (int i = 0; i < g->n_rels; i++)
        if ((mask & ((RelSet)1 << i)) &&
            expr_refs_within(e, g->rels[i]->out, g->rels[i]->n_out))
            return i;
    return -1;
}

/* Selectivities. Equalities between the same two relations are taken
 * together, as for a single join in cardinality.c (card_of): each side's
 * key combinations are the product of its columns' distinct counts,
 * bounded by its rows, and the pair gets 1 / max(keys of either side).
 * NULL keys match nothing: the non-NULL fractions of both keys multiply
 * (independence). Other predicates get estimate_selectivity. */
static void pred_sels(Dp *dp)
{
    PlanCtx *cx = dp->cx;
    const JoinGraph *g = dp->g;
    for (int p = 0; p < g->n_preds && p < 256; p++) {
        const JgPred *jp = &g->preds[p];
        dp->equi[p] = false;
        if (jp->cls >= 0)
            continue;
        if (!is_equi(jp)) {
            Lop tmp;
            memset(&tmp, 0, sizeof(tmp));
            tmp.est_rows = 1000;
            dp->sel[p] = estimate_selectivity(cx, jp->e, &tmp);
            continue;
        }
        int a = __builtin_ctzll(jp->mask);
        int b = 63 - __builtin_clzll(jp->mask);
        double ra = g->rels[a]->est_rows, rb = g->rels[b]->est_rows;
        dp->equi[p] = true;
        dp->nd_lo[p] = 1;
        dp->nd_hi[p] = 1;
        dp->nonnull[p] = 1;
        for (int k = 0; k < 2; k++) {
            const Expr *arg = jp->e->args[k];
            int r = rel_of(g, jp->mask, arg);
            dp->nonnull[p] *= plan_nonnull_frac(cx, arg);
            if (r == a)
                dp->nd_lo[p] = plan_key_ndv(cx, arg, ra);
            else if (r == b)
                dp->nd_hi[p] = plan_key_ndv(cx, arg, rb);
        }
    }
}

/* Nodes and sorted node pairs of each equivalence class. Pairs go
 * lightest first: by max(ndv) (the minimum spanning tree that gives
 * 1 / product of all but the smallest distinct count), then pairs of
 * relations joined by more equalities (so that two classes spanning the
 * same two relations pick that pair and count as a composite key there,
 * like ps_partkey = l_partkey AND ps_suppkey = l_suppkey in TPC-H Q9),
 * then by position, so the choice never depends on the set. */
static int class_nodes(Dp *dp)
{
    PlanCtx *cx = dp->cx;
    const JoinGraph *g = dp->g;
    int mult[DP_MAX][DP_MAX];
    memset(mult, 0, sizeof(mult));
    for (int p = 0; p < g->n_preds; p++) {
        if (g->preds[p].cls >= 0 || !is_equi(&g->preds[p]))
            continue;
        int a = __builtin_ctzll(g->preds[p].mask);
        int b = 63 - __builtin_clzll(g->preds[p].mask);
        mult[a][b]++;
        mult[b][a]++;
    }
    for (int k = 0; k < g->n_classes; k++)
        for (int a = 0; a < dp->n; a++)
            for (int b = 0; b < dp->n; b++)
                if (a != b && (g->classes[k].mask & ((RelSet)1 << a)) &&
                    (g->classes[k].mask & ((RelSet)1 << b)))
                    mult[a][b]++;
    dp->n_cls = g->n_classes;
    dp->cls = arena_calloc(cx->arena, sizeof(DpClass) * (size_t)(g->n_classes
                                                                  + 1));
    if (dp->cls == NULL)
        return err_nomem(cx->err);
    for (int k = 0; k < g->n_classes; k++) {
        const JgClass *jc = &g->classes[k];
        DpClass *dc = &dp->cls[k];
        for (int r = 0; r < dp->n; r++) {
            if (!(jc->mask & ((RelSet)1 << r)))
                continue;
            int m = jg_class_member(jc, (RelSet)1 << r);
            Expr ref;
            memset(&ref, 0, sizeof(ref));
            ref.kind = EXPR_COLREF;
            ref.type = jc->type;
            ref.col = jc->col[m];
            dc->rel[dc->n_nodes] = r;
            dc->ndv[dc->n_nodes] = jc->ndv[m];
            dc->nonnull[dc->n_nodes] = plan_nonnull_frac(cx, &ref);
            dc->n_nodes++;
        }
        int ne = dc->n_nodes * (dc->n_nodes - 1) / 2;
        dc->edges = arena_alloc(cx->arena, sizeof(DpEdge) * (size_t)(ne + 1));
        if (dc->edges == NULL)
            return err_nomem(cx->err);
        for (int u = 0; u < dc->n_nodes; u++) {
            for (int v = u + 1; v < dc->n_nodes; v++) {
                /* insertion in order */
                double w = MAX(dc->ndv[u], dc->ndv[v]);
                int mu = mult[dc->rel[u]][dc->rel[v]];
                int at = dc->n_edges;
                while (at > 0) {
                    const DpEdge *o = &dc->edges[at - 1];
                    double wo = MAX(dc->ndv[o->u], dc->ndv[o->v]);
                    int mo = mult[dc->rel[o->u]][dc->rel[o->v]];
                    if (wo < w || (wo == w && mo >= mu))
                        break;
                    dc->edges[at] = *o;
                    at--;
                }
                dc->edges[at].u = (int8_t)u;
                dc->edges[at].v = (int8_t)v;
                dc->n_edges++;
            }
        }
    }
    return EMBER_OK;
}

int jg_order_dp(PlanCtx *cx, JoinGraph *g, Lop **out)
{
    if (g->n_rels > DP_MAX || g->n_preds > 256)
        return EMBER_NOTFOUND;
    Dp dp;
    memset(&dp, 0, sizeof(dp));
    dp.cx = cx;
    dp.g = g;
    dp.n = g->n_rels;
    for (int p = 0; p < g->n_preds; p++) {
        RelSet m = g->preds[p].mask;
        if (popcount(m) == 2 && g->preds[p].cls < 0) {
            int a = __builtin_ctzll(m);
            int b = 63 - __builtin_clzll(m);
            dp.nbr[a] |= (RelSet)1 << b;
            dp.nbr[b] |= (RelSet)1 << a;
        }
    }
    /* a class connects every two of its relations */
    for (int k = 0; k < g->n_classes; k++)
        for (int a = 0; a < dp.n; a++)
            if (g->classes[k].mask & ((RelSet)1 << a))
                dp.nbr[a] |= g->classes[k].mask & ~((RelSet)1 << a);
    pred_sels(&dp);
    int rc = class_nodes(&dp);
    if (rc != EMBER_OK)
        return rc;
    size_t n_sets = (size_t)1 << dp.n;
    dp.tab = arena_calloc(cx->arena, sizeof(DpEntry) * n_sets);
    if (dp.tab == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < dp.n; i++) {
        DpEntry *e = &dp.tab[(RelSet)1 << i];
        e->card = g->rels[i]->est_rows < 1 ? 1 : g->rels[i]->est_rows;
        e->cost = 0;
        e->done = true;
    }
    solve(&dp);
    RelSet all = (RelSet)n_sets - 1;
    if (dp.over || !dp.tab[all].done)
        return EMBER_NOTFOUND;
    bool *used = arena_calloc(cx->arena, (size_t)g->n_preds + 1);
    if (used == NULL)
        return err_nomem(cx->err);
    Lop *root = build(&dp, all, used);
    if (root == NULL)
        return err_nomem(cx->err);
    Expr **rest = arena_alloc(cx->arena, sizeof(Expr *) *
                                             (size_t)(g->n_preds + 1));
    if (rest == NULL)
        return err_nomem(cx->err);
    int nr = 0;
    for (int p = 0; p < g->n_preds; p++)
        if (!used[p])
            rest[nr++] = g->preds[p].e;
    *out = lop_filter(cx, root, rest, nr);
    return *out ? EMBER_OK : err_nomem(cx->err);
}
