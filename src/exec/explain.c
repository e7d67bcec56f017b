/*
 * explain.c -- rendering physical plans as text (EXPLAIN), optionally
 * with the per-operator statistics of a run (EXPLAIN ANALYZE).
 */
#include <stdio.h>

#include "exec/explain.h"
#include "exec/exec_int.h"

static void render_expr(const Expr *e, const char *const *names, int n,
                        StrBuf *sb);

static bool is_symbol(const char *s)
{
    return s[0] && !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_');
}

static void render_value(const Value *v, StrBuf *sb)
{
    char buf[128];
    if (v->is_null) {
        sb_puts(sb, "NULL");
        return;
    }
    value_format(v, buf, sizeof(buf));
    switch ((TypeId)v->type.id) {
    case TYPE_VARCHAR:
        sb_printf(sb, "'%s'", buf);
        break;
    case TYPE_DATE:
        sb_printf(sb, "DATE '%s'", buf);
        break;
    case TYPE_INTERVAL:
        sb_printf(sb, "INTERVAL '%s'", buf);
        break;
    default:
        sb_puts(sb, buf);
    }
}

static void render_args(const Expr *e, const char *const *names, int n,
                        StrBuf *sb, const char *sep, int from)
{
    for (int i = from; i < e->n_args; i++) {
        if (i > from)
            sb_puts(sb, sep);
        render_expr(e->args[i], names, n, sb);
    }
}

static void render_func(const Expr *e, const char *const *names, int n,
                        StrBuf *sb)
{
    const FuncDef *fd = func_def((FuncId)e->fn);
    const char *name = fd ? fd->name : "?";
    if (is_symbol(name) && e->n_args == 2) {
        sb_putc(sb, '(');
        render_expr(e->args[0], names, n, sb);
        sb_printf(sb, " %s ", name);
        render_expr(e->args[1], names, n, sb);
        sb_putc(sb, ')');
        return;
    }
    if (is_symbol(name) && e->n_args == 1) {
        sb_puts(sb, name);
        render_expr(e->args[0], names, n, sb);
        return;
    }
    sb_printf(sb, "%s(", name);
    render_args(e, names, n, sb, ", ", 0);
    sb_putc(sb, ')');
}

static void render_expr(const Expr *e, const char *const *names, int n,
                        StrBuf *sb)
{
    char tb[32];
    if (e == NULL) {
        sb_puts(sb, "true");
        return;
    }
    switch ((ExprKind)e->kind) {
    case EXPR_CONST:
        render_value(&e->val, sb);
        return;
    case EXPR_COLREF:
        if (e->slot >= 0 && e->slot < n && names && names[e->slot])
            sb_puts(sb, names[e->slot]);
        else
            sb_printf(sb, "#%d", e->slot);
        return;
    case EXPR_PARAM:
        sb_printf(sb, "$%d", e->slot + 1);
        return;
    case EXPR_FUNC:
        render_func(e, names, n, sb);
        return;
    case EXPR_CAST:
        sb_puts(sb, "CAST(");
        render_expr(e->args[0], names, n, sb);
        sb_printf(sb, " AS %s)", type_name(e->type, tb, sizeof(tb)));
        return;
    case EXPR_AND:
    case EXPR_OR:
        sb_putc(sb, '(');
        render_args(e, names, n, sb, e->kind == EXPR_AND ? " AND " : " OR ",
                    0);
        sb_putc(sb, ')');
        return;
    case EXPR_NOT:
        sb_puts(sb, "NOT ");
        render_expr(e->args[0], names, n, sb);
        return;
    case EXPR_IS_NULL:
        render_expr(e->args[0], names, n, sb);
        sb_puts(sb, e->negated ? " IS NOT NULL" : " IS NULL");
        return;
    case EXPR_IS_TRUE:
        render_expr(e->args[0], names, n, sb);
        sb_puts(sb, e->negated ? " IS NOT TRUE" : " IS TRUE");
        return;
    case EXPR_CASE:
        sb_puts(sb, "CASE");
        for (int i = 0; i + 1 < e->n_args; i += 2) {
            sb_puts(sb, " WHEN ");
            render_expr(e->args[i], names, n, sb);
            sb_puts(sb, " THEN ");
            render_expr(e->args[i + 1], names, n, sb);
        }
        sb_puts(sb, " ELSE ");
        render_expr(e->args[e->n_args - 1], names, n, sb);
        sb_puts(sb, " END");
        return;
    case EXPR_COALESCE:
        sb_puts(sb, "COALESCE(");
        render_args(e, names, n, sb, ", ", 0);
        sb_putc(sb, ')');
        return;
    case EXPR_IN_LIST:
        render_expr(e->args[0], names, n, sb);
        sb_puts(sb, e->negated ? " NOT IN (" : " IN (");
        render_args(e, names, n, sb, ", ", 1);
        sb_putc(sb, ')');
        return;
    case EXPR_SUBQUERY:
        if (e->subq) {
            static const char *const k[] = {"", "EXISTS ", "IN "};
            if (e->subq->lhs) {
                render_expr(e->subq->lhs, names, n, sb);
                sb_putc(sb, ' ');
            }
            sb_printf(sb, "%s%s(SubPlan %d, per row)", e->negated ? "NOT " : "",
                      k[e->subq->kind], e->subq->id);
        } else {
            sb_puts(sb, "(subquery)");
        }
        return;
    }
}

void explain_expr(const Expr *e, const char *const *names, int n, StrBuf *sb)
{
    render_expr(e, names, n, sb);
}

static const char *join_name(JoinType t)
{
    static const char *const names[] = {"Inner", "Left",  "Right",
                                        "Full",  "Semi",  "Anti",
                                        "AntiNull", "Mark", "Single",
                                        "RightSemi", "RightAnti"};
    return names[t];
}

const char *explain_op_kind(const PhysOp *op)
{
    static const char *const kinds[PH__COUNT] = {
        [PH_SCAN] = "Scan",           [PH_VALUES] = "Values",
        [PH_FILTER] = "Filter",       [PH_PROJECT] = "Project",
        [PH_HASH_JOIN] = "HashJoin",  [PH_NL_JOIN] = "NestedLoopJoin",
        [PH_HASH_AGG] = "HashAggregate", [PH_SORT] = "Sort",
        [PH_TOPN] = "TopN",           [PH_LIMIT] = "Limit",
        [PH_UNION] = "UnionAll",      [PH_SETOP] = "SetOp",
        [PH_TABLEFN] = "Range",
    };
    const char *k = op->kind < PH__COUNT ? kinds[op->kind] : NULL;
    if (op->kind == PH_HASH_AGG && op->n_groups == 0)
        k = "Aggregate";
    return k ? k : "?";
}

const char *explain_op_name(const PhysOp *op, char *buf, size_t cap)
{
    switch (op->kind) {
    case PH_SCAN:
        snprintf(buf, cap, "Scan %s", op->table->name);
        break;
    case PH_VALUES:
        snprintf(buf, cap, "Values");
        break;
    case PH_FILTER:
        snprintf(buf, cap, "Filter");
        break;
    case PH_PROJECT:
        snprintf(buf, cap, "Project");
        break;
    case PH_HASH_JOIN:
        snprintf(buf, cap, "HashJoin %s", join_name(op->join));
        break;
    case PH_NL_JOIN:
        snprintf(buf, cap, "NestedLoopJoin %s", join_name(op->join));
        break;
    case PH_HASH_AGG:
        snprintf(buf, cap, op->n_groups ? "HashAggregate" : "Aggregate");
        break;
    case PH_SORT:
        snprintf(buf, cap, "Sort");
        break;
    case PH_TOPN:
        snprintf(buf, cap, "TopN");
        break;
    case PH_LIMIT:
        snprintf(buf, cap, "Limit");
        break;
    case PH_UNION:
        snprintf(buf, cap, "UnionAll");
        break;
    case PH_SETOP:
        snprintf(buf, cap, "%s%s",
                 op->setop == SETOP_INTERSECT ? "Intersect" : "Except",
                 op->all ? "All" : "");
        break;
    case PH_TABLEFN:
        snprintf(buf, cap, "Range");
        break;
    default:
        snprintf(buf, cap, "?");
    }
    return buf;
}

static const char **names_of(const PhysOp *op, Arena *a);

/* Text of an expression over `names`, in the arena. */
static const char *expr_text(const Expr *e, const char *const *names, int n,
                             Arena *a)
{
    char buf[256];
    StrBuf sb;
    sb_init_buf(&sb, buf, sizeof(buf));
    render_expr(e, names, n, &sb);
    const char *t = sb.data ? arena_strdup(a, sb.data) : "?";
    sb_release(&sb);
    return t ? t : "?";
}

/* Names of the columns an operator's expressions read. */
static const char **input_names(const PhysOp *op, Arena *a, int *n)
{
    if (op->kind == PH_SCAN) {
        *n = op->n_cols;
        return op->names;
    }
    const PhysOp *l = op->child[0], *r = op->child[1];
    if (l == NULL) {
        *n = 0;
        return NULL;
    }
    const char **ln = names_of(l, a);
    if (r == NULL || op->kind == PH_UNION) {
        *n = l->n_cols;
        return ln;
    }
    const char **rn = names_of(r, a);
    int nn = l->n_cols + r->n_cols;
    const char **names = arena_alloc(a, sizeof(char *) * (size_t)(nn + 1));
    if (names == NULL || ln == NULL || rn == NULL) {
        *n = 0;
        return NULL;
    }
    memcpy(names, ln, sizeof(char *) * (size_t)l->n_cols);
    memcpy(names + l->n_cols, rn, sizeof(char *) * (size_t)r->n_cols);
    *n = nn;
    return names;
}

/* Output column names; unnamed ones are described by what computes them
 * (a projected expression, a group key, an aggregate call). */
static const char **names_of(const PhysOp *op, Arena *a)
{
    const char **out = arena_alloc(a, sizeof(char *) * (size_t)(op->n_cols + 1));
    if (out == NULL)
        return NULL;
    int n;
    const char **in = input_names(op, a, &n);
    for (int i = 0; i < op->n_cols; i++) {
        const char *name = op->names ? op->names[i] : NULL;
        if (name == NULL) {
            if (op->kind == PH_PROJECT)
                name = expr_text(op->exprs[i], in, n, a);
            else if (op->kind == PH_HASH_AGG && i < op->n_groups)
                name = expr_text(op->groups[i], in, n, a);
            else if (op->kind == PH_HASH_AGG) {
                const AggCall *ag = &op->aggs[i - op->n_groups];
                const char *arg = ag->arg ? expr_text(ag->arg, in, n, a) : "*";
                name = arena_printf(a, "%s(%s%s)", ag->name ? ag->name : "agg",
                                    ag->distinct ? "DISTINCT " : "", arg);
            } else if (in && i < n)
                name = in[i];
            else if (op->kind == PH_HASH_JOIN || op->kind == PH_NL_JOIN)
                name = "mark";
        }
        out[i] = name ? name : "?";
    }
    return out;
}

/* The operator's own details: filters, keys, expressions. */
void explain_details(const PhysOp *op, Arena *a, StrBuf *sb)
{
    int n;
    const char **names = input_names(op, a, &n);
    switch (op->kind) {
    case PH_SCAN:
        for (int i = 0; i < op->n_filters; i++) {
            sb_puts(sb, i ? " AND " : " filter: ");
            render_expr(op->filters[i], names, n, sb);
        }
        break;
    case PH_FILTER:
        sb_puts(sb, " ");
        render_expr(op->pred, names, n, sb);
        break;
    case PH_PROJECT:
        sb_puts(sb, " [");
        for (int i = 0; i < op->n_cols; i++) {
            if (i)
                sb_puts(sb, ", ");
            render_expr(op->exprs[i], names, n, sb);
        }
        sb_puts(sb, "]");
        break;
    case PH_HASH_JOIN: {
        const PhysOp *l = op->child[0], *r = op->child[1];
        const char **ln = names_of(l, a), **rn = names_of(r, a);
        sb_puts(sb, " on ");
        for (int i = 0; i < op->n_keys; i++) {
            if (i)
                sb_puts(sb, " AND ");
            render_expr(op->probe_keys[i], ln, l->n_cols, sb);
            sb_puts(sb, " = ");
            render_expr(op->build_keys[i], rn, r->n_cols, sb);
        }
        if (op->residual) {
            sb_puts(sb, " filter: ");
            render_expr(op->residual, names, n, sb);
        }
        if (op->from_subquery)
            sb_puts(sb, " (subquery unnested)");
        if (op->domain)
            sb_puts(sb, " (domain of the correlated keys)");
        break;
    }
    case PH_NL_JOIN:
        if (op->residual) {
            sb_puts(sb, " on ");
            render_expr(op->residual, names, n, sb);
        }
        if (op->from_subquery)
            sb_puts(sb, " (subquery unnested)");
        break;
    case PH_HASH_AGG:
        if (op->n_groups) {
            sb_puts(sb, " by [");
            for (int i = 0; i < op->n_groups; i++) {
                if (i)
                    sb_puts(sb, ", ");
                render_expr(op->groups[i], names, n, sb);
            }
            sb_puts(sb, "]");
        }
        for (int i = 0; i < op->n_aggs; i++) {
            const AggCall *ag = &op->aggs[i];
            sb_printf(sb, "%s%s(%s", i ? ", " : " ", ag->name ? ag->name : "agg",
                      ag->distinct ? "DISTINCT " : "");
            if (ag->arg)
                render_expr(ag->arg, names, n, sb);
            else
                sb_putc(sb, '*');
            sb_putc(sb, ')');
        }
        break;
    case PH_SORT:
    case PH_TOPN:
        sb_puts(sb, " by [");
        for (int i = 0; i < op->n_keys_sort; i++) {
            if (i)
                sb_puts(sb, ", ");
            render_expr(op->keys[i].expr, names, n, sb);
            sb_puts(sb, op->keys[i].desc ? " DESC" : "");
        }
        sb_puts(sb, "]");
        if (op->kind == PH_TOPN)
            sb_printf(sb, " limit %lld", (long long)op->limit);
        if (op->offset)
            sb_printf(sb, " offset %lld", (long long)op->offset);
        break;
    case PH_LIMIT:
        if (op->limit >= 0)
            sb_printf(sb, " %lld", (long long)op->limit);
        if (op->offset)
            sb_printf(sb, " offset %lld", (long long)op->offset);
        break;
    case PH_VALUES:
        sb_printf(sb, " %d rows", op->n_rows);
        break;
    case PH_TABLEFN:
        sb_printf(sb, " from %lld step %lld, %llu rows",
                  (long long)op->rng_start, (long long)op->rng_step,
                  (unsigned long long)op->rng_count);
        break;
    default:
        break;
    }
}

static void fmt_rows(double r, char *buf, size_t cap)
{
    if (r >= 1e9)
        snprintf(buf, cap, "%.1fG", r / 1e9);
    else if (r >= 1e6)
        snprintf(buf, cap, "%.1fM", r / 1e6);
    else if (r >= 1e4)
        snprintf(buf, cap, "%.1fk", r / 1e3);
    else
        snprintf(buf, cap, "%.0f", r);
}

static void render_tree(const PhysOp *op, const OpStats *stats, Arena *a,
                        StrBuf *sb, const char *prefix, bool last, bool root)
{
    char nb[64], eb[32], cb[32];
    sb_puts(sb, prefix);
    if (!root)
        sb_puts(sb, last ? "└─ " : "├─ ");
    sb_printf(sb, "%s", explain_op_name(op, nb, sizeof(nb)));
    explain_details(op, a, sb);
    fmt_rows(op->est_rows, eb, sizeof(eb));
    fmt_rows(op->est_cost, cb, sizeof(cb));
    sb_printf(sb, "  (est rows=%s cost=%s)", eb, cb);
    if (stats) {
        const OpStats *s = &stats[op->id];
        char ab[32];
        fmt_rows((double)s->rows_out, ab, sizeof(ab));
        sb_printf(sb, " (rows=%s)", ab);
    }
    sb_putc(sb, '\n');
    int n_child = op->child[1] ? 2 : (op->child[0] ? 1 : 0);
    size_t plen = strlen(prefix);
    char *np = arena_alloc(a, plen + 8);
    if (np == NULL)
        return;
    memcpy(np, prefix, plen);
    strcpy(np + plen, root ? "" : (last ? "   " : "│  "));
    for (int i = 0; i < n_child; i++)
        render_tree(op->child[i], stats, a, sb, np, i == n_child - 1, false);
}

int explain_plan(const Plan *plan, const OpStats *stats, Arena *a,
                 StrBuf *sb)
{
    render_tree(plan->root, stats, a, sb, "", true, true);
    for (int i = 0; i < plan->n_subplans; i++) {
        const SubPlan *sp = plan->subplans[i];
        bool init = false;
        for (int j = 0; j < plan->n_init_plans; j++)
            init = init || plan->init_plans[j] == sp;
        sb_printf(sb, "%s %d%s:\n", init ? "InitPlan" : "SubPlan", sp->id,
                  init ? "" : " (run per outer row)");
        if (init)
            sb_printf(sb, "  result -> $%d\n", sp->result_param + 1);
        render_tree(sp->plan, stats, a, sb, "  ", true, true);
    }
    return sb->failed ? EMBER_NOMEM : EMBER_OK;
}
