/*
 * dump.c -- the debug printer of the AST: one S-expression per node.
 *
 * The output is complete (every field that was set appears) and
 * deterministic, so tests compare it with expected strings and a human can
 * read the tree a statement parsed into. Shape: `(head atoms... children...)`
 * where atoms are flags and names and children are parenthesised. Names
 * print bare when they are plain lower-case words, else in double quotes;
 * strings print in single quotes with '' for a quote and \xNN for control
 * bytes. Examples:
 *
 *   SELECT a, b + 1 AS c FROM t1 x WHERE a = 1
 *   (select (targets (col a) (as (+ (col b) (int 1)) c))
 *    (from (table t1 x)) (where (= (col a) (int 1))))
 *
 * Recursion follows the tree, whose depth the parser bounds.
 */
#include "sql/sql_int.h"

static void dump_select(const SelectStmt *q, StrBuf *sb);
static void dump_stmt(const Stmt *s, StrBuf *sb);

/* ------------------------------------------------------------------------
 * Atoms
 * ------------------------------------------------------------------------ */

static bool is_plain_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

/* A name without the leading blank. */
static void put_name_raw(StrBuf *sb, const char *name)
{
    if (name == NULL) {
        sb_puts(sb, "<null>");
        return;
    }
    if (is_plain_name(name)) {
        sb_puts(sb, name);
        return;
    }
    sb_putc(sb, '"');
    for (const char *c = name; *c; c++) {
        if (*c == '"')
            sb_putc(sb, '"');
        sb_putc(sb, *c);
    }
    sb_putc(sb, '"');
}

static void put_name(StrBuf *sb, const char *name)
{
    sb_putc(sb, ' ');
    put_name_raw(sb, name);
}

static void put_string(StrBuf *sb, const char *s, int len)
{
    sb_puts(sb, " '");
    for (int i = 0; s && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'')
            sb_puts(sb, "''");
        else if (c == '\\')
            sb_puts(sb, "\\\\");
        else if (c < 0x20 || c == 0x7f)
            sb_printf(sb, "\\x%02x", c);
        else
            sb_putc(sb, (char)c);
    }
    sb_putc(sb, '\'');
}

static void put_flag(StrBuf *sb, bool on, const char *flag)
{
    if (on) {
        sb_putc(sb, ' ');
        sb_puts(sb, flag);
    }
}

static void put_type(StrBuf *sb, Type t)
{
    char buf[64];
    sb_putc(sb, ' ');
    sb_puts(sb, type_name(t, buf, sizeof(buf)));
}

static void put_names(StrBuf *sb, const char *head, const char *const *names,
                      int n)
{
    if (n <= 0)
        return;
    sb_printf(sb, " (%s", head);
    for (int i = 0; i < n; i++)
        put_name(sb, names[i]);
    sb_putc(sb, ')');
}

/* ------------------------------------------------------------------------
 * Expressions
 * ------------------------------------------------------------------------ */

static const char *op_name(AOp op)
{
    static const char *const names[] = {
        [OP_NONE] = "?",   [OP_NEG] = "-",     [OP_PLUS] = "+",
        [OP_NOT] = "not",  [OP_ADD] = "+",     [OP_SUB] = "-",
        [OP_MUL] = "*",    [OP_DIV] = "/",     [OP_MOD] = "%",
        [OP_CONCAT] = "||", [OP_EQ] = "=",     [OP_NE] = "<>",
        [OP_LT] = "<",     [OP_LE] = "<=",     [OP_GT] = ">",
        [OP_GE] = ">=",    [OP_AND] = "and",   [OP_OR] = "or",
    };
    return (unsigned)op < ARRAY_LEN(names) ? names[op] : "?";
}

static const char *unit_name(IntervalUnit u)
{
    static const char *const names[] = {
        [IV_NONE] = "none",     [IV_YEAR] = "year",
        [IV_MONTH] = "month",   [IV_DAY] = "day",
        [IV_WEEK] = "week",     [IV_QUARTER] = "quarter",
        [IV_HOUR] = "hour",     [IV_MINUTE] = "minute",
        [IV_SECOND] = "second", [IV_DOW] = "dow",
        [IV_DOY] = "doy",       [IV_EPOCH] = "epoch",
    };
    return (unsigned)u < ARRAY_LEN(names) ? names[u] : "?";
}

static void put_expr(StrBuf *sb, const AExpr *e)
{
    sb_putc(sb, ' ');
    sql_dump_expr(e, sb);
}

static void put_args(StrBuf *sb, const AExpr *e, int from)
{
    for (int i = from; i < e->n_args; i++)
        put_expr(sb, e->args[i]);
}

/* "not-" before the head of a negated predicate. */
static void put_head(StrBuf *sb, const AExpr *e, const char *head)
{
    sb_printf(sb, "(%s%s", e->negated ? "not-" : "", head);
}

static void dump_literal(const AExpr *e, StrBuf *sb)
{
    switch (e->kind) {
    case AE_INT:
        if (e->sval)
            sb_printf(sb, "(int %s)", e->sval);
        else
            sb_printf(sb, "(int %lld)", (long long)e->ival);
        return;
    case AE_NUMBER:
        sb_printf(sb, "(num %s)", e->sval ? e->sval : "?");
        return;
    case AE_STRING:
        sb_puts(sb, "(str");
        put_string(sb, e->sval, e->slen);
        break;
    case AE_NULL:
        sb_puts(sb, "(null");
        break;
    case AE_BOOL:
        sb_puts(sb, e->ival ? "(true" : "(false");
        break;
    case AE_TYPED_STRING:
        sb_puts(sb, "(typed");
        put_type(sb, e->type);
        put_string(sb, e->sval, e->slen);
        break;
    case AE_INTERVAL:
        sb_puts(sb, "(interval");
        put_string(sb, e->sval, e->slen);
        if (e->unit != IV_NONE)
            sb_printf(sb, " %s", unit_name(e->unit));
        break;
    case AE_PARAM:
        sb_printf(sb, "(param %lld", (long long)e->ival);
        break;
    default:
        sb_puts(sb, "(?");
        break;
    }
    sb_putc(sb, ')');
}

/* (col a.b) or (star t): a dotted name. */
static void dump_names_expr(const AExpr *e, StrBuf *sb, const char *head)
{
    sb_printf(sb, "(%s", head);
    for (int i = 0; i < e->n_names; i++) {
        sb_putc(sb, i ? '.' : ' ');
        put_name_raw(sb, e->names[i]);
    }
    sb_putc(sb, ')');
}

static void dump_predicate(const AExpr *e, StrBuf *sb)
{
    switch (e->kind) {
    case AE_IS_NULL:
        sb_puts(sb, e->negated ? "(is-not-null" : "(is-null");
        break;
    case AE_IS_BOOL:
        sb_printf(sb, "(is-%s%s", e->negated ? "not-" : "",
                  e->ival ? "true" : "false");
        break;
    case AE_IS_DISTINCT:
        sb_puts(sb, e->negated ? "(is-not-distinct" : "(is-distinct");
        break;
    case AE_BETWEEN:
        put_head(sb, e, "between");
        break;
    case AE_IN_LIST:
        put_head(sb, e, "in");
        break;
    case AE_LIKE:
        put_head(sb, e, e->ilike ? "ilike" : "like");
        break;
    default:
        put_head(sb, e, "?");
        break;
    }
    put_args(sb, e, 0);
    sb_putc(sb, ')');
}

static void dump_subquery_expr(const AExpr *e, StrBuf *sb)
{
    switch (e->kind) {
    case AE_IN_SUBQUERY:
        put_head(sb, e, "in");
        put_args(sb, e, 0);
        break;
    case AE_IN_TABLE:
        put_head(sb, e, "in-table");
        put_args(sb, e, 0);
        for (int i = 0; i < e->n_names; i++)
            put_name(sb, e->names[i]);
        sb_putc(sb, ')');
        return;
    case AE_EXISTS:
        put_head(sb, e, "exists");
        break;
    default:
        sb_puts(sb, "(subquery");
        break;
    }
    sb_putc(sb, ' ');
    dump_select(e->subquery, sb);
    sb_putc(sb, ')');
}

static void dump_case(const AExpr *e, StrBuf *sb)
{
    sb_puts(sb, "(case");
    if (e->operand)
        put_expr(sb, e->operand);
    for (int i = 0; i + 1 < e->n_args; i += 2) {
        sb_puts(sb, " (when");
        put_expr(sb, e->args[i]);
        put_expr(sb, e->args[i + 1]);
        sb_putc(sb, ')');
    }
    if (e->else_expr) {
        sb_puts(sb, " (else");
        put_expr(sb, e->else_expr);
        sb_putc(sb, ')');
    }
    sb_putc(sb, ')');
}

static void dump_func(const AExpr *e, StrBuf *sb)
{
    sb_puts(sb, "(func");
    put_name(sb, e->sval);
    put_flag(sb, e->distinct, "distinct");
    put_flag(sb, e->star, "*");
    put_args(sb, e, 0);
    if (e->filter) {
        sb_puts(sb, " (filter");
        put_expr(sb, e->filter);
        sb_putc(sb, ')');
    }
    sb_putc(sb, ')');
}

void sql_dump_expr(const AExpr *e, StrBuf *sb)
{
    if (e == NULL) {
        sb_puts(sb, "<null>");
        return;
    }
    switch (e->kind) {
    case AE_COLUMN:
        dump_names_expr(e, sb, "col");
        return;
    case AE_STAR:
        dump_names_expr(e, sb, "star");
        return;
    case AE_UNARY:
    case AE_BINARY:
        sb_printf(sb, "(%s", op_name(e->op));
        put_args(sb, e, 0);
        sb_putc(sb, ')');
        return;
    case AE_IS_NULL: case AE_IS_BOOL: case AE_IS_DISTINCT: case AE_BETWEEN:
    case AE_IN_LIST: case AE_LIKE:
        dump_predicate(e, sb);
        return;
    case AE_IN_SUBQUERY: case AE_IN_TABLE: case AE_EXISTS: case AE_SUBQUERY:
        dump_subquery_expr(e, sb);
        return;
    case AE_CASE:
        dump_case(e, sb);
        return;
    case AE_CAST:
        sb_puts(sb, "(cast");
        put_args(sb, e, 0);
        put_type(sb, e->type);
        sb_putc(sb, ')');
        return;
    case AE_FUNC:
        dump_func(e, sb);
        return;
    case AE_EXTRACT:
        sb_printf(sb, "(extract %s", unit_name(e->unit));
        put_args(sb, e, 0);
        sb_putc(sb, ')');
        return;
    default:
        dump_literal(e, sb);
        return;
    }
}

/* ------------------------------------------------------------------------
 * Queries and FROM items
 * ------------------------------------------------------------------------ */

static void dump_ref(const TableRef *r, StrBuf *sb);

static void put_ref_alias(StrBuf *sb, const TableRef *r)
{
    if (r->alias)
        put_name(sb, r->alias);
    put_names(sb, "cols", r->col_aliases, r->n_col_aliases);
}

static void put_call_args(StrBuf *sb, AExpr *const *args,
                          const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (names && names[i]) {
            sb_puts(sb, " (=>");
            put_name(sb, names[i]);
            put_expr(sb, args[i]);
            sb_putc(sb, ')');
        } else {
            put_expr(sb, args[i]);
        }
    }
}

static void dump_join(const TableRef *r, StrBuf *sb)
{
    static const char *const kinds[] = {
        [JOIN_INNER] = "inner", [JOIN_LEFT] = "left", [JOIN_RIGHT] = "right",
        [JOIN_FULL] = "full",   [JOIN_CROSS] = "cross",
    };
    sb_printf(sb, "(join %s",
              (unsigned)r->join < ARRAY_LEN(kinds) ? kinds[r->join] : "?");
    put_flag(sb, r->natural, "natural");
    sb_putc(sb, ' ');
    dump_ref(r->left, sb);
    sb_putc(sb, ' ');
    dump_ref(r->right, sb);
    if (r->on) {
        sb_puts(sb, " (on");
        put_expr(sb, r->on);
        sb_putc(sb, ')');
    }
    put_names(sb, "using", r->using_cols, r->n_using);
    sb_putc(sb, ')');
}

static void dump_ref(const TableRef *r, StrBuf *sb)
{
    if (r == NULL) {
        sb_puts(sb, "<null>");
        return;
    }
    switch (r->kind) {
    case TR_TABLE:
        sb_puts(sb, "(table");
        put_name(sb, r->name);
        put_ref_alias(sb, r);
        break;
    case TR_SUBQUERY:
        sb_puts(sb, "(subquery");
        put_ref_alias(sb, r);
        sb_putc(sb, ' ');
        dump_select(r->subquery, sb);
        break;
    case TR_FUNCTION:
        sb_puts(sb, "(function");
        put_name(sb, r->name);
        put_ref_alias(sb, r);
        put_call_args(sb, r->args, r->arg_names, r->n_args);
        break;
    case TR_JOIN:
        dump_join(r, sb);
        return;
    }
    sb_putc(sb, ')');
}

static void put_expr_list(StrBuf *sb, const char *head, AExpr *const *list,
                          int n)
{
    if (n <= 0)
        return;
    sb_printf(sb, " (%s", head);
    for (int i = 0; i < n; i++)
        put_expr(sb, list[i]);
    sb_putc(sb, ')');
}

static void put_clause(StrBuf *sb, const char *head, const AExpr *e)
{
    if (e == NULL)
        return;
    sb_printf(sb, " (%s", head);
    put_expr(sb, e);
    sb_putc(sb, ')');
}

static void put_targets(StrBuf *sb, const SelectStmt *q)
{
    sb_puts(sb, " (targets");
    for (int i = 0; i < q->n_targets; i++) {
        const ResTarget *rt = &q->targets[i];
        if (rt->alias) {
            sb_puts(sb, " (as");
            put_expr(sb, rt->expr);
            put_name(sb, rt->alias);
            sb_putc(sb, ')');
        } else {
            put_expr(sb, rt->expr);
        }
    }
    sb_putc(sb, ')');
}

static void put_values(StrBuf *sb, const SelectStmt *q)
{
    sb_puts(sb, "(values");
    for (int i = 0; i < q->n_values_rows; i++)
        put_expr_list(sb, "row", q->values_rows[i], q->n_values_cols);
}

static void put_block(StrBuf *sb, const SelectStmt *q)
{
    sb_puts(sb, "(select");
    put_flag(sb, q->distinct, "distinct");
    put_targets(sb, q);
    if (q->n_from > 0) {
        sb_puts(sb, " (from");
        for (int i = 0; i < q->n_from; i++) {
            sb_putc(sb, ' ');
            dump_ref(q->from[i], sb);
        }
        sb_putc(sb, ')');
    }
    put_clause(sb, "where", q->where);
    put_expr_list(sb, "group-by", q->group_by, q->n_group_by);
    put_clause(sb, "having", q->having);
}

static void put_ctes(StrBuf *sb, const SelectStmt *q)
{
    if (q->n_ctes <= 0)
        return;
    sb_puts(sb, " (with");
    for (int i = 0; i < q->n_ctes; i++) {
        const Cte *c = &q->ctes[i];
        sb_puts(sb, " (cte");
        put_name(sb, c->name);
        put_names(sb, "cols", c->col_aliases, c->n_col_aliases);
        sb_putc(sb, ' ');
        dump_select(c->query, sb);
        sb_putc(sb, ')');
    }
    sb_putc(sb, ')');
}

static void put_order_by(StrBuf *sb, const SelectStmt *q)
{
    if (q->n_order_by <= 0)
        return;
    sb_puts(sb, " (order-by");
    for (int i = 0; i < q->n_order_by; i++) {
        const OrderItem *it = &q->order_by[i];
        sb_puts(sb, it->desc ? " (desc" : " (asc");
        put_expr(sb, it->expr);
        put_flag(sb, it->nulls == 1, "nulls-first");
        put_flag(sb, it->nulls == 2, "nulls-last");
        sb_putc(sb, ')');
    }
    sb_putc(sb, ')');
}

static void dump_select(const SelectStmt *q, StrBuf *sb)
{
    static const char *const ops[] = {
        [SETOP_NONE] = "select", [SETOP_UNION] = "union",
        [SETOP_INTERSECT] = "intersect", [SETOP_EXCEPT] = "except",
    };
    if (q == NULL) {
        sb_puts(sb, "<null>");
        return;
    }
    if (q->op != SETOP_NONE) {
        sb_printf(sb, "(%s",
                  (unsigned)q->op < ARRAY_LEN(ops) ? ops[q->op] : "?");
        put_flag(sb, q->all, "all");
        sb_putc(sb, ' ');
        dump_select(q->left, sb);
        sb_putc(sb, ' ');
        dump_select(q->right, sb);
    } else if (q->values_rows) {
        put_values(sb, q);
    } else {
        put_block(sb, q);
    }
    put_ctes(sb, q);
    put_order_by(sb, q);
    put_clause(sb, "limit", q->limit);
    put_clause(sb, "offset", q->offset);
    sb_putc(sb, ')');
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

static void put_select(StrBuf *sb, const SelectStmt *q)
{
    sb_putc(sb, ' ');
    dump_select(q, sb);
}

static void dump_insert(const Stmt *s, StrBuf *sb)
{
    sb_puts(sb, "(insert");
    put_flag(sb, s->or_replace, "or-replace");
    put_name(sb, s->table);
    put_names(sb, "cols", s->columns, s->n_columns);
    if (s->default_values)
        sb_puts(sb, " default-values");
    else
        put_select(sb, s->select);
}

static void dump_update(const Stmt *s, StrBuf *sb)
{
    sb_puts(sb, "(update");
    put_name(sb, s->table);
    if (s->alias)
        put_name(sb, s->alias);
    sb_puts(sb, " (set");
    for (int i = 0; i < s->n_sets; i++) {
        sb_puts(sb, " (");
        put_name_raw(sb, s->set_cols[i]);
        put_expr(sb, s->set_exprs[i]);
        sb_putc(sb, ')');
    }
    sb_putc(sb, ')');
    put_clause(sb, "where", s->where);
}

static void put_coldef(StrBuf *sb, const ColumnDef *cd)
{
    sb_puts(sb, " (column");
    put_name(sb, cd->name);
    put_type(sb, cd->type);
    put_flag(sb, cd->not_null, "not-null");
    put_flag(sb, cd->primary_key, "primary-key");
    put_flag(sb, cd->unique, "unique");
    put_clause(sb, "default", cd->default_expr);
    sb_putc(sb, ')');
}

static void dump_create_table(const Stmt *s, StrBuf *sb)
{
    sb_puts(sb, "(create-table");
    put_flag(sb, s->temporary, "temp");
    put_flag(sb, s->if_not_exists, "if-not-exists");
    put_name(sb, s->table);
    for (int i = 0; i < s->n_coldefs; i++)
        put_coldef(sb, &s->coldefs[i]);
    for (int i = 0; i < s->n_constraints; i++) {
        const TableConstraint *tc = &s->constraints[i];
        put_names(sb, tc->primary_key ? "primary-key" : "unique", tc->cols,
                  tc->n_cols);
    }
    if (s->select) {
        sb_puts(sb, " (as");
        put_select(sb, s->select);
        sb_putc(sb, ')');
    }
}

static void dump_copy(const Stmt *s, StrBuf *sb)
{
    sb_puts(sb, "(copy");
    if (s->select)
        put_select(sb, s->select);
    else
        put_name(sb, s->table);
    put_names(sb, "cols", s->columns, s->n_columns);
    sb_puts(sb, s->copy_to ? " to" : " from");
    put_string(sb, s->file, s->file ? (int)strlen(s->file) : 0);
    if (s->n_options <= 0)
        return;
    sb_puts(sb, " (options");
    for (int i = 0; i < s->n_options; i++) {
        sb_puts(sb, " (");
        put_name_raw(sb, s->options[i].name);
        if (s->options[i].value)
            put_expr(sb, s->options[i].value);
        sb_putc(sb, ')');
    }
    sb_putc(sb, ')');
}

static void dump_explain(const Stmt *s, StrBuf *sb)
{
    sb_puts(sb, "(explain");
    put_flag(sb, s->analyze, "analyze");
    if (s->format) {
        sb_puts(sb, " (format");
        put_name(sb, s->format);
        sb_putc(sb, ')');
    }
    sb_putc(sb, ' ');
    dump_stmt(s->inner, sb);
}

/* SET, SHOW, RESET, CALL: (head [pragma] name [value] [args]) */
static void dump_setting(const Stmt *s, StrBuf *sb, const char *head)
{
    sb_printf(sb, "(%s", head);
    put_flag(sb, s->pragma, "pragma");
    put_name(sb, s->name);
    if (s->value)
        put_expr(sb, s->value);
    put_call_args(sb, s->args, s->arg_names, s->n_args);
}

static void dump_simple(const Stmt *s, StrBuf *sb)
{
    switch (s->kind) {
    case STMT_CREATE_VIEW:
        sb_puts(sb, "(create-view");
        put_flag(sb, s->temporary, "temp");
        put_flag(sb, s->if_not_exists, "if-not-exists");
        put_name(sb, s->table);
        put_names(sb, "cols", s->columns, s->n_columns);
        put_select(sb, s->select);
        break;
    case STMT_CREATE_INDEX:
        sb_puts(sb, "(create-index");
        put_flag(sb, s->unique, "unique");
        put_flag(sb, s->if_not_exists, "if-not-exists");
        put_name(sb, s->index_name);
        put_name(sb, s->table);
        put_names(sb, "cols", s->columns, s->n_columns);
        break;
    case STMT_DROP:
        sb_printf(sb, "(drop %s", s->drop_kind == DROP_TABLE ? "table"
                                  : s->drop_kind == DROP_VIEW ? "view"
                                                              : "index");
        put_flag(sb, s->if_exists, "if-exists");
        put_name(sb, s->table);
        break;
    case STMT_DELETE:
        sb_puts(sb, "(delete");
        put_name(sb, s->table);
        if (s->alias)
            put_name(sb, s->alias);
        put_clause(sb, "where", s->where);
        break;
    case STMT_ANALYZE:
    case STMT_REINDEX:
        sb_puts(sb, s->kind == STMT_ANALYZE ? "(analyze" : "(reindex");
        if (s->table)
            put_name(sb, s->table);
        break;
    case STMT_BEGIN: sb_puts(sb, "(begin"); break;
    case STMT_COMMIT: sb_puts(sb, "(commit"); break;
    case STMT_ROLLBACK: sb_puts(sb, "(rollback"); break;
    default: sb_printf(sb, "(stmt-%d", (int)s->kind); break;
    }
}

static void dump_stmt(const Stmt *s, StrBuf *sb)
{
    if (s == NULL) {
        sb_puts(sb, "<null>");
        return;
    }
    switch (s->kind) {
    case STMT_SELECT:
        dump_select(s->select, sb);
        return;
    case STMT_INSERT: dump_insert(s, sb); break;
    case STMT_UPDATE: dump_update(s, sb); break;
    case STMT_CREATE_TABLE: dump_create_table(s, sb); break;
    case STMT_COPY: dump_copy(s, sb); break;
    case STMT_EXPLAIN: dump_explain(s, sb); break;
    case STMT_SET: dump_setting(s, sb, "set"); break;
    case STMT_SHOW: dump_setting(s, sb, "show"); break;
    case STMT_RESET: dump_setting(s, sb, "reset"); break;
    case STMT_CALL: dump_setting(s, sb, "call"); break;
    default: dump_simple(s, sb); break;
    }
    sb_putc(sb, ')');
}

void sql_dump_stmt(const Stmt *s, StrBuf *sb)
{
    dump_stmt(s, sb);
}
