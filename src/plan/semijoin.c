/*
 * semijoin.c -- moving SEMI and ANTI joins below the joins under them.
 *
 * Unnesting puts the semi join of an IN / EXISTS on top of the whole FROM
 * clause (unnest.c). When its condition reads only one input X of an
 * inner join below (or the preserved side of a LEFT join), the join
 * commutes:
 *
 *     (X JOIN Y) SEMI C  =  (X SEMI C) JOIN Y
 *
 * since the semi join keeps or drops each X row on its own, whatever Y
 * row it is joined with; the same holds for ANTI and NULL-aware ANTI
 * (NOT IN) joins. Below the join, the semi join runs once per X row
 * instead of once per joined row, and the join sees only the X rows that
 * survive: TPC-H Q18 filters 1.5 M orders down to a few dozen before
 * joining 6 M lineitem rows, instead of after.
 *
 * It is not always better: when the join above is selective (Q21 joins
 * lineitem with the suppliers of one nation first), the semi join is
 * cheaper on the join's output. The move is made when X has no more
 * estimated rows than the join's output, so the semi join never runs on
 * more rows than before; the join orderer then sees (X SEMI C) as one
 * relation.
 */
#include "plan/plan_int.h"

/* Does every conjunct of the semi join read only x and the right side? */
static bool reads_only(PlanCtx *cx, const Lop *semi, const Lop *x)
{
    const Lop *c = semi->child[1];
    int n = x->n_out + c->n_out;
    ColBinding *set = arena_alloc(cx->arena, sizeof(ColBinding) *
                                                 (size_t)(n ? n : 1));
    if (set == NULL)
        return false;
    memcpy(set, x->out, sizeof(ColBinding) * (size_t)x->n_out);
    memcpy(set + x->n_out, c->out, sizeof(ColBinding) * (size_t)c->n_out);
    for (int i = 0; i < semi->n_exprs; i++)
        if (expr_has_subquery(semi->exprs[i]) ||
            !expr_refs_within(semi->exprs[i], set, n))
            return false;
    return semi->n_exprs > 0;
}

static bool movable(const Lop *op)
{
    return op->kind == LOP_JOIN &&
           (op->join == JT_SEMI || op->join == JT_ANTI ||
            op->join == JT_ANTI_NULL);
}

/* Try to move the semi join *pop one level down; true when it moved
 * (*pop is then the join it went below). */
static bool sink_once(PlanCtx *cx, Lop **pop)
{
    Lop *semi = *pop;
    Lop *j = semi->child[0];
    if (j->kind != LOP_JOIN || (j->join != JT_INNER && j->join != JT_LEFT))
        return false;
    for (int side = 0; side < 2; side++) {
        if (j->join == JT_LEFT && side == 1)
            break;            /* the null-supplying side: never */
        Lop *x = j->child[side];
        if (x->est_rows > j->est_rows || !reads_only(cx, semi, x))
            continue;
        semi->child[0] = x;
        if (lop_refresh(cx, semi) != EMBER_OK)
            return false;
        j->child[side] = semi;
        if (lop_refresh(cx, j) != EMBER_OK)
            return false;
        *pop = j;
        return true;
    }
    return false;
}

static int walk(PlanCtx *cx, Lop **pop)
{
    Lop *op = *pop;
    for (int i = 0; i < 2; i++)
        if (op->child[i]) {
            int rc = walk(cx, &op->child[i]);
            if (rc != EMBER_OK)
                return rc;
        }
    if (!movable(op))
        return EMBER_OK;
    /* sink as far as it goes: after each move, the semi join is a child
     * of the join it went below */
    Lop **at = pop;
    while (sink_once(cx, at)) {
        Lop *j = *at;
        at = j->child[0] == op ? &j->child[0] : &j->child[1];
    }
    return EMBER_OK;
}

int plan_push_semijoins(PlanCtx *cx, Lop **root)
{
    int rc = walk(cx, root);
    if (rc == EMBER_OK)
        plan_estimate(cx, *root);
    return rc;
}
