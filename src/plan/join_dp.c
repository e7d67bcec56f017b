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
 * so it does not depend on how S was split. Cost is C_out: the sum of the
 * cardinalities of all intermediate results, plus the build side of each
 * hash join (building costs more per row than probing).
 * TUNING: the build weight 0.5 keeps probe-heavy plans ahead when two
 * orders produce equal intermediates (measured on TPC-H Q5/Q7/Q8/Q9).
 */
#include <math.h>

#include "plan/join_graph.h"

#define DP_MAX 20

typedef struct DpEntry {
    double cost;
    double card;
    RelSet left, right;       /* best split; 0 for a base relation */
    bool done;
} DpEntry;

typedef struct Dp {
    PlanCtx *cx;
    JoinGraph *g;
    int n;
    RelSet nbr[DP_MAX];       /* neighbors of each relation */
    double sel[256];          /* per predicate */
    DpEntry *tab;             /* indexed by RelSet */
    long pairs;
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

static double card_of(const Dp *dp, RelSet s)
{
    double c = 1;
    for (int i = 0; i < dp->n; i++)
        if (s & ((RelSet)1 << i))
            c *= dp->g->rels[i]->est_rows;
    for (int p = 0; p < dp->g->n_preds && p < 256; p++) {
        RelSet m = dp->g->preds[p].mask;
        if (m && (m & ~s) == 0 && popcount(m) >= 2)
            c *= dp->sel[p];
    }
    return c < 1 ? 1 : c;
}

/* Consider joining the best plans of s1 and s2. */
static void emit_pair(Dp *dp, RelSet s1, RelSet s2)
{
    dp->pairs++;
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
    if (n == 0)
        return;
    FOR_SUBSETS(sub, n)
    {
        if (jg_connected(dp->g, s1, s2 | sub))
            emit_pair(dp, s1, s2 | sub);
    }
    FOR_SUBSETS(sub, n)
    {
        enumerate_cmp_rec(dp, s1, s2 | sub, x | n);
    }
}

static void enumerate_cmp(Dp *dp, RelSet s1)
{
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
    if (n == 0)
        return;
    FOR_SUBSETS(sub, n)
    {
        enumerate_cmp(dp, s | sub);
    }
    FOR_SUBSETS(sub, n)
    {
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
 * together, as for a single join in cardinality.c: the first of them gets
 * 1 / max(keys of either side), each side's key combinations bounded by
 * the product of its columns' distinct counts and by its rows; the others
 * get 1. */
static void pred_sels(PlanCtx *cx, const JoinGraph *g, double *sel)
{
    for (int p = 0; p < g->n_preds && p < 256; p++) {
        const JgPred *jp = &g->preds[p];
        if (!is_equi(jp)) {
            Lop tmp;
            memset(&tmp, 0, sizeof(tmp));
            tmp.est_rows = 1000;
            sel[p] = estimate_selectivity(cx, jp->e, &tmp);
            continue;
        }
        bool first = true;
        for (int q = 0; q < p && first; q++)
            first = !(is_equi(&g->preds[q]) && g->preds[q].mask == jp->mask);
        if (!first) {
            sel[p] = 1;
            continue;
        }
        int a = __builtin_ctzll(jp->mask);
        int b = 63 - __builtin_clzll(jp->mask);
        double ka = 1, kb = 1;
        double ra = g->rels[a]->est_rows, rb = g->rels[b]->est_rows;
        for (int q = p; q < g->n_preds && q < 256; q++) {
            const JgPred *o = &g->preds[q];
            if (!is_equi(o) || o->mask != jp->mask)
                continue;
            for (int k = 0; k < 2; k++) {
                const Expr *arg = o->e->args[k];
                int r = rel_of(g, o->mask, arg);
                if (r == a)
                    ka *= plan_key_ndv(cx, arg, ra);
                else if (r == b)
                    kb *= plan_key_ndv(cx, arg, rb);
            }
        }
        ka = MAX(1, MIN(ka, ra));
        kb = MAX(1, MIN(kb, rb));
        sel[p] = 1.0 / MAX(ka, kb);
    }
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
        if (popcount(m) == 2) {
            int a = __builtin_ctzll(m);
            int b = 63 - __builtin_clzll(m);
            dp.nbr[a] |= (RelSet)1 << b;
            dp.nbr[b] |= (RelSet)1 << a;
        }
    }
    pred_sels(cx, g, dp.sel);
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
    if (!dp.tab[all].done)
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
