/*
 * bind_expr.c -- binding expressions: names to column bindings, operators
 * and functions to typed kernels, subqueries to BoundSub nodes.
 *
 * Name resolution looks in the current scope first, then in enclosing
 * query scopes (a correlated reference, recorded on every scope between
 * the reference and the scope that owns the column). Types follow the
 * rules in exec/func.h; every implicit conversion is an explicit EXPR_CAST
 * in the bound tree, so execution never converts behind the plan's back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "plan/plan_int.h"

static int bind(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out);

/* ------------------------------------------------------------------------
 * Scopes
 * ------------------------------------------------------------------------ */

void scope_init(Scope *sc, Scope *parent, CteDef *ctes)
{
    memset(sc, 0, sizeof(*sc));
    sc->parent = parent;
    sc->ctes = ctes;
}

int scope_add(PlanCtx *cx, Scope *sc, const char *table, const char *name,
              ColBinding b, Type t)
{
    if (sc->n_cols == sc->cap) {
        int cap = sc->cap ? sc->cap * 2 : 16;
        BindCol *c = arena_alloc(cx->arena, sizeof(BindCol) * (size_t)cap);
        if (c == NULL)
            return err_nomem(cx->err);
        if (sc->n_cols)
            memcpy(c, sc->cols, sizeof(BindCol) * (size_t)sc->n_cols);
        sc->cols = c;
        sc->cap = cap;
    }
    BindCol *bc = &sc->cols[sc->n_cols++];
    bc->table = table;
    bc->name = name;
    bc->bind = b;
    bc->type = t;
    bc->using_hidden = false;
    return EMBER_OK;
}

static bool scope_owns(const Scope *sc, ColBinding b)
{
    for (int i = 0; i < sc->n_cols; i++)
        if (binding_eq(sc->cols[i].bind, b))
            return true;
    return false;
}

int scope_note_corr(PlanCtx *cx, Scope *sc, ColBinding b, Type t)
{
    for (Scope *s = sc; s && !scope_owns(s, b); s = s->parent) {
        bool have = false;
        for (int i = 0; i < s->n_corr; i++)
            if (binding_eq(s->corr[i], b))
                have = true;
        if (have)
            continue;
        if (s->n_corr == s->cap_corr) {
            int cap = s->cap_corr ? s->cap_corr * 2 : 8;
            ColBinding *c = arena_alloc(cx->arena,
                                        sizeof(ColBinding) * (size_t)cap);
            Type *ty = arena_alloc(cx->arena, sizeof(Type) * (size_t)cap);
            if (c == NULL || ty == NULL)
                return err_nomem(cx->err);
            if (s->n_corr) {
                memcpy(c, s->corr, sizeof(ColBinding) * (size_t)s->n_corr);
                memcpy(ty, s->corr_types, sizeof(Type) * (size_t)s->n_corr);
            }
            s->corr = c;
            s->corr_types = ty;
            s->cap_corr = cap;
        }
        s->corr[s->n_corr] = b;
        s->corr_types[s->n_corr] = t;
        s->n_corr++;
    }
    return EMBER_OK;
}

/* Find name (optionally qualified) in one scope: index, -1 none,
 * -2 ambiguous. */
static int find_in_scope(const Scope *sc, const char *table, const char *name)
{
    int found = -1;
    for (int i = 0; i < sc->n_cols; i++) {
        const BindCol *c = &sc->cols[i];
        if (strcasecmp(c->name, name) != 0)
            continue;
        if (table) {
            if (c->table == NULL || strcasecmp(c->table, table) != 0)
                continue;
        } else if (c->using_hidden) {
            continue;
        }
        if (found >= 0 && !binding_eq(sc->cols[found].bind, c->bind))
            return -2;
        found = i;
    }
    return found;
}

static bool scope_has_table(const Scope *sc, const char *table)
{
    for (int i = 0; i < sc->n_cols; i++)
        if (sc->cols[i].table && strcasecmp(sc->cols[i].table, table) == 0)
            return true;
    return false;
}

static int bind_column(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    const char *name = e->names[e->n_names - 1];
    const char *table = e->n_names >= 2 ? e->names[e->n_names - 2] : NULL;
    for (Scope *s = sc; s; s = s->parent) {
        int i = find_in_scope(s, table, name);
        if (i == -2)
            return err_set(cx->err, EMBER_ERROR, e->pos,
                           "column reference \"%s\" is ambiguous", name);
        if (i < 0)
            continue;
        const BindCol *c = &s->cols[i];
        if (s != sc) {
            int rc = scope_note_corr(cx, sc, c->bind, c->type);
            if (rc != EMBER_OK)
                return rc;
        }
        *out = expr_colref(cx, c->bind, c->type);
        if (*out == NULL)
            return err_nomem(cx->err);
        (*out)->pos = e->pos;
        return EMBER_OK;
    }
    if (table) {
        bool known = false;
        for (Scope *s = sc; s && !known; s = s->parent)
            known = scope_has_table(s, table);
        if (!known)
            return err_set(cx->err, EMBER_NOTFOUND, e->pos,
                           "missing FROM-clause entry for table \"%s\"",
                           table);
        return err_set(cx->err, EMBER_NOTFOUND, e->pos,
                       "column %s.%s does not exist", table, name);
    }
    return err_set(cx->err, EMBER_NOTFOUND, e->pos,
                   "column \"%s\" does not exist", name);
}

/* ------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------ */

/* Like coerce, but a string literal is converted now, so a bad one is an
 * error even when the row never needs it (COALESCE, CASE branches). */
static int coerce_literal(PlanCtx *cx, Expr **e, Type t, int pos)
{
    Expr *x = *e;
    if (type_equal(x->type, t))
        return EMBER_OK;
    /* a string literal takes the type it is used as now, as PostgreSQL
     * types its unknown literals: 'abc' used as an integer is an error
     * even if the row never needs it */
    if (x->kind == EXPR_CONST && x->type.id == TYPE_VARCHAR &&
        !x->val.is_null && t.id != TYPE_VARCHAR && cast_exists(x->type, t)) {
        Value v;
        int rc = cast_value(&x->val, t, &v, cx->arena, cx->err,
                            x->pos >= 0 ? x->pos : pos);
        if (rc != EMBER_OK)
            return rc;
        *e = expr_const(cx, v);
        if (*e == NULL)
            return err_nomem(cx->err);
        (*e)->pos = x->pos;
        return EMBER_OK;
    }
    return coerce(cx, e, t, pos);
}

int coerce(PlanCtx *cx, Expr **e, Type t, int pos)
{
    Expr *x = *e;
    if (type_equal(x->type, t))
        return EMBER_OK;
    if (x->type.id == TYPE_NULL || cast_exists(x->type, t)) {
        *e = expr_cast(cx, x, t);
        return *e ? EMBER_OK : err_nomem(cx->err);
    }
    char a[32], b[32];
    return err_set(cx->err, EMBER_TYPE, pos,
                   "cannot convert %s to %s", type_name(x->type, a, 32),
                   type_name(t, b, 32));
}

static int to_bool(PlanCtx *cx, Expr **e, const char *what, int pos)
{
    TypeId id = (TypeId)(*e)->type.id;
    if (id == TYPE_BOOL)
        return EMBER_OK;
    if (id == TYPE_NULL)
        return coerce(cx, e, type_make(TYPE_BOOL), pos);
    char b[32];
    return err_set(cx->err, EMBER_TYPE, pos,
                   "argument of %s must be type boolean, not type %s", what,
                   type_name((*e)->type, b, sizeof(b)));
}

/* Build fn(args) through func_resolve, inserting casts. */
int plan_make_call(PlanCtx *cx, const char *name, Expr **args, int n,
                   int pos, Expr **out)
{
    Type at[16], cast[16], ret;
    if (n > 16)
        return err_set(cx->err, EMBER_ERROR, pos, "too many arguments");
    for (int i = 0; i < n; i++)
        at[i] = args[i]->type;
    FuncId id;
    int rc = func_resolve(name, at, n, &id, &ret, cast, cx->err, pos);
    if (rc != EMBER_OK)
        return rc;
    Expr *e = expr_new(cx, EXPR_FUNC, ret, n);
    if (e == NULL)
        return err_nomem(cx->err);
    e->fn = (uint16_t)id;
    e->pos = pos;
    for (int i = 0; i < n; i++) {
        e->args[i] = args[i];
        if (!type_equal(at[i], cast[i])) {
            e->args[i] = expr_cast(cx, args[i], cast[i]);
            if (e->args[i] == NULL)
                return err_nomem(cx->err);
        }
    }
    *out = e;
    return EMBER_OK;
}

static int common_type(PlanCtx *cx, Expr **list, int n, int pos, Type *out)
{
    Type t = type_make(TYPE_NULL);
    for (int i = 0; i < n; i++) {
        int rc = func_common_type(t, list[i]->type, &t, cx->err, pos);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = t;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Literals
 * ------------------------------------------------------------------------ */

static int bind_number(PlanCtx *cx, const AExpr *e, Expr **out)
{
    const char *s = e->sval;
    size_t len = strlen(s);
    bool expo = strpbrk(s, "eE") != NULL;
    const char *dot = strchr(s, '.');
    int digits = 0, frac = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digits++;
            if (dot && p > dot)
                frac++;
        }
    }
    /* leading zeros do not count toward precision */
    const char *p = s;
    while (*p == '0' || *p == '.') {
        if (*p == '0' && (!dot || p < dot))
            digits--;
        p++;
    }
    if (!expo && digits <= DECIMAL_MAX_PREC && frac <= DECIMAL_MAX_PREC) {
        int prec = MAX(digits, frac);
        if (prec < 1)
            prec = 1;
        int64_t v;
        if (decimal_parse(s, len, DECIMAL_MAX_PREC, frac, &v) == EMBER_OK) {
            *out = expr_const(cx, value_decimal(v, prec, frac));
            return *out ? EMBER_OK : err_nomem(cx->err);
        }
    }
    double d;
    if (parse_double(s, len, &d) != EMBER_OK)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "invalid number \"%s\"", s);
    *out = expr_const(cx, value_double(d));
    return *out ? EMBER_OK : err_nomem(cx->err);
}

static int bind_int(PlanCtx *cx, const AExpr *e, Expr **out)
{
    if (e->sval) {
        double d;
        if (parse_double(e->sval, strlen(e->sval), &d) != EMBER_OK)
            return err_set(cx->err, EMBER_OVERFLOW, e->pos,
                           "value out of range: \"%s\"", e->sval);
        *out = expr_const(cx, value_double(d));
    } else if (e->ival >= INT32_MIN && e->ival <= INT32_MAX) {
        *out = expr_const(cx, value_int32((int32_t)e->ival));
    } else {
        *out = expr_const(cx, value_int64(e->ival));
    }
    return *out ? EMBER_OK : err_nomem(cx->err);
}

static int interval_units(IntervalUnit u, int64_t n, int64_t *months,
                          int64_t *days)
{
    switch (u) {
    case IV_YEAR:
        *months += n * 12;
        return EMBER_OK;
    case IV_QUARTER:
        *months += n * 3;
        return EMBER_OK;
    case IV_MONTH:
        *months += n;
        return EMBER_OK;
    case IV_WEEK:
        *days += n * 7;
        return EMBER_OK;
    case IV_DAY:
        *days += n;
        return EMBER_OK;
    default:
        return EMBER_ERROR;
    }
}

static IntervalUnit unit_from_word(const char *w, size_t n)
{
    static const struct {
        const char *name;
        IntervalUnit u;
    } units[] = {{"year", IV_YEAR},   {"years", IV_YEAR},
                 {"mon", IV_MONTH},   {"mons", IV_MONTH},
                 {"month", IV_MONTH}, {"months", IV_MONTH},
                 {"day", IV_DAY},     {"days", IV_DAY},
                 {"week", IV_WEEK},   {"weeks", IV_WEEK},
                 {"quarter", IV_QUARTER}, {"quarters", IV_QUARTER}};
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && strncasecmp(units[i].name, w, n) == 0)
            return units[i].u;
    return IV_NONE;
}

/* INTERVAL 'n' unit, or INTERVAL 'n unit [n unit ...]'. */
static int bind_interval(PlanCtx *cx, const AExpr *e, Expr **out)
{
    int64_t months = 0, days = 0;
    const char *p = e->sval;
    bool any = false;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *end;
        long long n = strtoll(p, &end, 10);
        if (end == p)
            goto bad;
        p = end;
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        IntervalUnit u = p > w ? unit_from_word(w, (size_t)(p - w)) : e->unit;
        if (u == IV_NONE || interval_units(u, n, &months, &days) != EMBER_OK)
            goto bad;
        any = true;
    }
    if (!any || months > INT32_MAX || months < INT32_MIN || days > INT32_MAX ||
        days < INT32_MIN)
        goto bad;
    Value v;
    memset(&v, 0, sizeof(v));
    v.type = type_make(TYPE_INTERVAL);
    v.v.i = interval_make((int32_t)months, (int32_t)days);
    *out = expr_const(cx, v);
    return *out ? EMBER_OK : err_nomem(cx->err);
bad:
    return err_set(cx->err, EMBER_ERROR, e->pos,
                   "invalid input syntax for type interval: \"%s\"", e->sval);
}

static int bind_typed_string(PlanCtx *cx, const AExpr *e, Expr **out)
{
    Value s = value_str(str_make(e->sval, (uint32_t)e->slen));
    Value v;
    int rc = cast_value(&s, e->type, &v, cx->arena, cx->err, e->pos);
    if (rc != EMBER_OK)
        return rc;
    *out = expr_const(cx, v);
    return *out ? EMBER_OK : err_nomem(cx->err);
}

/* ------------------------------------------------------------------------
 * Operators
 * ------------------------------------------------------------------------ */

static const char *op_name(AOp op)
{
    switch (op) {
    case OP_ADD:
        return "+";
    case OP_SUB:
        return "-";
    case OP_MUL:
        return "*";
    case OP_DIV:
        return "/";
    case OP_MOD:
        return "%";
    case OP_CONCAT:
        return "||";
    case OP_EQ:
        return "=";
    case OP_NE:
        return "<>";
    case OP_LT:
        return "<";
    case OP_LE:
        return "<=";
    case OP_GT:
        return ">";
    case OP_GE:
        return ">=";
    default:
        return "?";
    }
}

static int bind_andor(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    ExprKind k = e->op == OP_AND ? EXPR_AND : EXPR_OR;
    const char *what = e->op == OP_AND ? "AND" : "OR";
    Expr *a, *b;
    int rc = bind(cx, sc, e->args[0], &a);
    if (rc == EMBER_OK)
        rc = bind(cx, sc, e->args[1], &b);
    if (rc == EMBER_OK)
        rc = to_bool(cx, &a, what, e->args[0]->pos);
    if (rc == EMBER_OK)
        rc = to_bool(cx, &b, what, e->args[1]->pos);
    if (rc != EMBER_OK)
        return rc;
    /* flatten nested ANDs / ORs */
    int n = (a->kind == k ? a->n_args : 1) + (b->kind == k ? b->n_args : 1);
    Expr *r = expr_new(cx, k, type_make(TYPE_BOOL), n);
    if (r == NULL)
        return err_nomem(cx->err);
    int i = 0;
    Expr *parts[2] = {a, b};
    for (int p = 0; p < 2; p++) {
        if (parts[p]->kind == k)
            for (int j = 0; j < parts[p]->n_args; j++)
                r->args[i++] = parts[p]->args[j];
        else
            r->args[i++] = parts[p];
    }
    r->pos = e->pos;
    *out = r;
    return EMBER_OK;
}

/* A DECIMAL constant with trailing fraction zeros (0.0001000000) written
 * with its smallest scale (0.0001): the same value, so a product with it
 * needs fewer digits and fits 64 bits where the written scale would not. */
static void tighten_decimal_const(PlanCtx *cx, Expr **pe)
{
    Expr *e = *pe;
    if (e->kind != EXPR_CONST || e->val.is_null || e->type.id != TYPE_DECIMAL)
        return;
    int64_t v = e->val.v.i;
    int scale = e->type.scale, prec = e->type.prec;
    while (scale > 0 && v % 10 == 0) {
        v /= 10;
        scale--;
        prec--;
    }
    if (scale == e->type.scale)
        return;
    Expr *c = expr_const(cx, value_decimal(v, MAX(prec, 1), scale));
    if (c) {
        c->pos = e->pos;
        *pe = c;
    }
}

static int bind_binary(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    if (e->op == OP_AND || e->op == OP_OR)
        return bind_andor(cx, sc, e, out);
    Expr *args[2];
    int rc = bind(cx, sc, e->args[0], &args[0]);
    if (rc == EMBER_OK)
        rc = bind(cx, sc, e->args[1], &args[1]);
    if (rc != EMBER_OK)
        return rc;
    if (e->op == OP_MUL && args[0]->type.id == TYPE_DECIMAL &&
        args[1]->type.id == TYPE_DECIMAL &&
        args[0]->type.prec + args[1]->type.prec > DECIMAL_MAX_PREC) {
        tighten_decimal_const(cx, &args[0]);
        tighten_decimal_const(cx, &args[1]);
    }
    return plan_make_call(cx, op_name(e->op), args, 2, e->pos, out);
}

static int bind_unary(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    Expr *a;
    int rc = bind(cx, sc, e->args[0], &a);
    if (rc != EMBER_OK)
        return rc;
    if (e->op == OP_PLUS) {
        if (!type_is_numeric(a->type) && a->type.id != TYPE_NULL)
            return err_set(cx->err, EMBER_TYPE, e->pos,
                           "operator does not exist: + %s",
                           type_name(a->type, (char[32]){0}, 32));
        *out = a;
        return EMBER_OK;
    }
    if (e->op == OP_NOT) {
        rc = to_bool(cx, &a, "NOT", e->args[0]->pos);
        if (rc != EMBER_OK)
            return rc;
        Expr *n = expr_new(cx, EXPR_NOT, type_make(TYPE_BOOL), 1);
        if (n == NULL)
            return err_nomem(cx->err);
        n->args[0] = a;
        n->pos = e->pos;
        *out = n;
        return EMBER_OK;
    }
    return plan_make_call(cx, "neg", &a, 1, e->pos, out);
}

static int wrap_not(PlanCtx *cx, Expr **e)
{
    Expr *n = expr_new(cx, EXPR_NOT, type_make(TYPE_BOOL), 1);
    if (n == NULL)
        return err_nomem(cx->err);
    n->args[0] = *e;
    n->pos = (*e)->pos;
    *e = n;
    return EMBER_OK;
}

static int bind_between(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    Expr *x, *lo, *hi, *x2;
    int rc = bind(cx, sc, e->args[0], &x);
    if (rc == EMBER_OK)
        rc = bind(cx, sc, e->args[1], &lo);
    if (rc == EMBER_OK)
        rc = bind(cx, sc, e->args[2], &hi);
    if (rc != EMBER_OK)
        return rc;
    x2 = expr_copy(cx, x);
    Expr *a[2] = {x, lo}, *b[2] = {x2, hi};
    Expr *ge, *le;
    rc = plan_make_call(cx, ">=", a, 2, e->pos, &ge);
    if (rc == EMBER_OK)
        rc = plan_make_call(cx, "<=", b, 2, e->pos, &le);
    if (rc != EMBER_OK)
        return rc;
    Expr *r = expr_bool_op(cx, EXPR_AND, ge, le);
    if (r == NULL)
        return err_nomem(cx->err);
    r->pos = e->pos;
    if (e->negated && wrap_not(cx, &r) != EMBER_OK)
        return EMBER_NOMEM;
    *out = r;
    return EMBER_OK;
}

static int bind_in_list(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    int n = e->n_args;
    Expr *r = expr_new(cx, EXPR_IN_LIST, type_make(TYPE_BOOL), n);
    if (r == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        int rc = bind(cx, sc, e->args[i], &r->args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    Type t;
    int rc = common_type(cx, r->args, n, e->pos, &t);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0; i < n && t.id != TYPE_NULL; i++) {
        rc = coerce(cx, &r->args[i], t, e->args[i]->pos);
        if (rc != EMBER_OK)
            return rc;
    }
    r->negated = e->negated;
    r->pos = e->pos;
    *out = r;
    return EMBER_OK;
}

static int bind_case(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    int n_when = e->n_args / 2;
    Expr *r = expr_new(cx, EXPR_CASE, type_make(TYPE_NULL), 2 * n_when + 1);
    if (r == NULL)
        return err_nomem(cx->err);
    Expr *operand = NULL;
    int rc = EMBER_OK;
    if (e->operand)
        rc = bind(cx, sc, e->operand, &operand);
    for (int i = 0; i < n_when && rc == EMBER_OK; i++) {
        Expr *w;
        rc = bind(cx, sc, e->args[2 * i], &w);
        if (rc == EMBER_OK && operand) {
            Expr *pair[2] = {expr_copy(cx, operand), w};
            rc = plan_make_call(cx, "=", pair, 2, e->args[2 * i]->pos, &w);
        }
        if (rc == EMBER_OK)
            rc = to_bool(cx, &w, "CASE/WHEN", e->args[2 * i]->pos);
        r->args[2 * i] = w;
        if (rc == EMBER_OK)
            rc = bind(cx, sc, e->args[2 * i + 1], &r->args[2 * i + 1]);
    }
    if (rc == EMBER_OK) {
        if (e->else_expr)
            rc = bind(cx, sc, e->else_expr, &r->args[2 * n_when]);
        else
            r->args[2 * n_when] = expr_const(cx, value_null());
    }
    if (rc != EMBER_OK)
        return rc;
    /* result type: common type of THEN and ELSE branches */
    Type t = type_make(TYPE_NULL);
    for (int i = 0; i <= n_when && rc == EMBER_OK; i++) {
        Expr *b = r->args[i < n_when ? 2 * i + 1 : 2 * n_when];
        rc = func_common_type(t, b->type, &t, cx->err, e->pos);
    }
    for (int i = 0; i <= n_when && rc == EMBER_OK; i++) {
        int k = i < n_when ? 2 * i + 1 : 2 * n_when;
        if (t.id != TYPE_NULL)
            rc = coerce_literal(cx, &r->args[k], t, e->pos);
    }
    r->type = t;
    r->pos = e->pos;
    *out = r;
    return rc;
}

static int bind_coalesce(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    if (e->n_args < 1)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "coalesce requires at least one argument");
    Expr *r = expr_new(cx, EXPR_COALESCE, type_make(TYPE_NULL), e->n_args);
    if (r == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < e->n_args; i++) {
        int rc = bind(cx, sc, e->args[i], &r->args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    int rc = common_type(cx, r->args, e->n_args, e->pos, &r->type);
    for (int i = 0; i < e->n_args && rc == EMBER_OK; i++)
        if (r->type.id != TYPE_NULL)
            rc = coerce_literal(cx, &r->args[i], r->type, e->args[i]->pos);
    r->pos = e->pos;
    *out = r;
    return rc;
}

static int bind_like(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    Expr *args[3];
    int n = e->n_args;
    for (int i = 0; i < n; i++) {
        int rc = bind(cx, sc, e->args[i], &args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    const char *name = e->ilike ? "ilike" : (n == 3 ? "like_escape" : "like");
    int rc = plan_make_call(cx, name, args, n, e->pos, out);
    if (rc == EMBER_OK && e->negated)
        rc = wrap_not(cx, out);
    return rc;
}

static int bind_is(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    Expr *a;
    int rc = bind(cx, sc, e->args[0], &a);
    if (rc != EMBER_OK)
        return rc;
    if (e->kind == AE_IS_DISTINCT) {
        Expr *args[2] = {a, NULL};
        rc = bind(cx, sc, e->args[1], &args[1]);
        if (rc != EMBER_OK)
            return rc;
        return plan_make_call(cx, e->negated ? "is not distinct from"
                                        : "is distinct from",
                         args, 2, e->pos, out);
    }
    Expr *r;
    if (e->kind == AE_IS_NULL) {
        r = expr_new(cx, EXPR_IS_NULL, type_make(TYPE_BOOL), 1);
        if (r == NULL)
            return err_nomem(cx->err);
        r->args[0] = a;
        r->negated = e->negated;
    } else {
        rc = to_bool(cx, &a, "IS", e->pos);
        if (rc != EMBER_OK)
            return rc;
        if (e->ival == 0 && wrap_not(cx, &a) != EMBER_OK)
            return EMBER_NOMEM;
        r = expr_new(cx, EXPR_IS_TRUE, type_make(TYPE_BOOL), 1);
        if (r == NULL)
            return err_nomem(cx->err);
        r->args[0] = a;
        r->negated = e->negated;
    }
    r->pos = e->pos;
    *out = r;
    return EMBER_OK;
}

static int bind_cast(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    Expr *a;
    int rc = bind(cx, sc, e->args[0], &a);
    if (rc != EMBER_OK)
        return rc;
    if (a->type.id != TYPE_NULL && !cast_exists(a->type, e->type)) {
        char x[32], y[32];
        return err_set(cx->err, EMBER_TYPE, e->pos,
                       "cannot cast type %s to %s",
                       type_name(a->type, x, 32), type_name(e->type, y, 32));
    }
    if (a->type.id == TYPE_NULL) {
        *out = expr_cast(cx, a, e->type);
        return *out ? EMBER_OK : err_nomem(cx->err);
    }
    if (e->type.id == TYPE_VARCHAR && e->type.len >= 0) {
        /* CAST(x AS VARCHAR(n)) keeps the first n characters */
        Expr *args[3] = {a, expr_const(cx, value_int64(1)),
                         expr_const(cx, value_int64(e->type.len))};
        if (a->type.id != TYPE_VARCHAR) {
            args[0] = expr_cast(cx, a, type_varchar(-1));
            if (args[0] == NULL)
                return err_nomem(cx->err);
        }
        int trc = plan_make_call(cx, "substring", args, 3, e->pos, out);
        if (trc == EMBER_OK)
            (*out)->type = e->type;
        return trc;
    }
    if (type_equal(a->type, e->type) && e->type.id != TYPE_DECIMAL) {
        *out = a;
        return EMBER_OK;
    }
    Expr *c = expr_new(cx, EXPR_CAST, e->type, 1);
    if (c == NULL)
        return err_nomem(cx->err);
    c->args[0] = a;
    c->pos = e->pos;
    *out = c;
    return EMBER_OK;
}

static int bind_extract(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    static const char *const names[] = {
        [IV_YEAR] = "extract_year",     [IV_MONTH] = "extract_month",
        [IV_DAY] = "extract_day",       [IV_QUARTER] = "extract_quarter",
        [IV_DOW] = "extract_dow",       [IV_DOY] = "extract_doy",
        [IV_WEEK] = "extract_week",     [IV_EPOCH] = "extract_epoch",
    };
    if ((size_t)e->unit >= ARRAY_LEN(names) || names[e->unit] == NULL)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "unit not supported for type date");
    Expr *a;
    int rc = bind(cx, sc, e->args[0], &a);
    if (rc != EMBER_OK)
        return rc;
    return plan_make_call(cx, names[e->unit], &a, 1, e->pos, out);
}

/* ------------------------------------------------------------------------
 * Aggregates
 * ------------------------------------------------------------------------ */

static bool agg_kind(const char *name, AggKind *k)
{
    static const struct {
        const char *name;
        AggKind kind;
    } aggs[] = {{"count", AGG_COUNT},         {"sum", AGG_SUM},
                {"avg", AGG_AVG},             {"min", AGG_MIN},
                {"max", AGG_MAX},             {"total", AGG_TOTAL},
                {"group_concat", AGG_STRING_AGG},
                {"string_agg", AGG_STRING_AGG},
                {"bool_and", AGG_BOOL_AND},   {"every", AGG_BOOL_AND},
                {"bool_or", AGG_BOOL_OR},     {"any_value", AGG_ANY_VALUE}};
    for (size_t i = 0; i < ARRAY_LEN(aggs); i++) {
        if (strcmp(aggs[i].name, name) == 0) {
            *k = aggs[i].kind;
            return true;
        }
    }
    return false;
}

bool sql_is_aggregate(const char *name)
{
    AggKind k;
    return agg_kind(name, &k);
}

static int agg_result_type(PlanCtx *cx, AggCall *ag, int pos)
{
    Type t = ag->arg ? ag->arg->type : type_make(TYPE_INT64);
    char b[32];
    switch (ag->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        ag->type = type_make(TYPE_INT64);
        return EMBER_OK;
    case AGG_SUM:
        if (t.id == TYPE_INT32 || t.id == TYPE_INT64 || t.id == TYPE_NULL) {
            ag->type = type_make(TYPE_INT64);
        } else if (t.id == TYPE_DECIMAL) {
            ag->type = type_decimal(DECIMAL_MAX_PREC, t.scale);
        } else if (t.id == TYPE_DOUBLE) {
            ag->type = t;
        } else {
            goto bad;
        }
        return EMBER_OK;
    case AGG_AVG:
    case AGG_TOTAL:
        if (!type_is_numeric(t) && t.id != TYPE_NULL)
            goto bad;
        ag->type = type_make(TYPE_DOUBLE);
        return EMBER_OK;
    case AGG_MIN:
    case AGG_MAX:
    case AGG_ANY_VALUE:
        ag->type = t;
        return EMBER_OK;
    case AGG_STRING_AGG:
        ag->type = type_make(TYPE_VARCHAR);
        return EMBER_OK;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (t.id != TYPE_BOOL)
            goto bad;
        ag->type = t;
        return EMBER_OK;
    }
bad:
    return err_set(cx->err, EMBER_TYPE, pos,
                   "function %s(%s) does not exist", ag->name,
                   type_name(t, b, sizeof(b)));
}

static int agg_add(PlanCtx *cx, AggCtx *ac, const AggCall *ag)
{
    for (int i = 0; i < ac->n_aggs; i++) {
        const AggCall *o = &ac->aggs[i];
        if (o->kind == ag->kind && o->distinct == ag->distinct &&
            expr_equal(o->arg, ag->arg) && expr_equal(o->filter, ag->filter) &&
            expr_equal(o->sep, ag->sep))
            return i;
    }
    if (ac->n_aggs == ac->cap_aggs) {
        int cap = ac->cap_aggs ? ac->cap_aggs * 2 : 8;
        AggCall *p = arena_alloc(cx->arena, sizeof(AggCall) * (size_t)cap);
        if (p == NULL)
            return -1;
        if (ac->n_aggs)
            memcpy(p, ac->aggs, sizeof(AggCall) * (size_t)ac->n_aggs);
        ac->aggs = p;
        ac->cap_aggs = cap;
    }
    ac->aggs[ac->n_aggs] = *ag;
    return ac->n_aggs++;
}

static int bind_agg(PlanCtx *cx, Scope *sc, const AExpr *e, AggKind kind,
                    Expr **out)
{
    if (sc->agg_forbid)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "aggregate functions are not allowed in %s",
                       sc->agg_forbid);
    if (sc->in_agg_arg)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "aggregate function calls cannot be nested");
    if (sc->agg == NULL)
        return err_set(cx->err, EMBER_INTERNAL, e->pos,
                       "aggregate outside an aggregate query");
    AggCall ag;
    memset(&ag, 0, sizeof(ag));
    ag.kind = kind;
    ag.distinct = e->distinct;
    ag.name = e->sval;
    int max_args = kind == AGG_STRING_AGG ? 2 : 1;
    if (e->star) {
        if (kind != AGG_COUNT || e->distinct)
            return err_set(cx->err, EMBER_ERROR, e->pos,
                           "syntax error at or near \"*\"");
        ag.kind = AGG_COUNT_STAR;
    } else if (e->n_args < 1 || e->n_args > max_args) {
        return err_set(cx->err, EMBER_NOTFOUND, e->pos,
                       "function %s with %d arguments does not exist",
                       e->sval, e->n_args);
    }
    if (e->distinct && e->n_args > 1)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "DISTINCT aggregates must have exactly one argument");
    sc->in_agg_arg = true;
    int rc = EMBER_OK;
    if (!e->star)
        rc = bind(cx, sc, e->args[0], &ag.arg);
    if (rc == EMBER_OK && e->n_args == 2)
        rc = bind(cx, sc, e->args[1], &ag.sep);
    if (rc == EMBER_OK && e->filter)
        rc = bind_predicate(cx, sc, e->filter, "FILTER", &ag.filter);
    sc->in_agg_arg = false;
    if (rc != EMBER_OK)
        return rc;
    if (kind == AGG_STRING_AGG) {
        rc = coerce(cx, &ag.arg, type_varchar(-1), e->pos);
        if (rc == EMBER_OK && ag.sep)
            rc = coerce(cx, &ag.sep, type_varchar(-1), e->pos);
        if (rc == EMBER_OK && ag.sep) {
            ag.sep = expr_fold(cx, ag.sep);
            if (ag.sep->kind != EXPR_CONST)
                return err_set(cx->err, EMBER_ERROR, e->pos,
                               "separator of %s must be a constant",
                               e->sval);
        }
        if (rc != EMBER_OK)
            return rc;
    }
    if (ag.arg && ag.arg->type.id == TYPE_NULL &&
        (kind == AGG_SUM || kind == AGG_AVG || kind == AGG_TOTAL))
        ag.arg = expr_cast(cx, ag.arg, type_make(TYPE_INT64));
    rc = agg_result_type(cx, &ag, e->pos);
    if (rc != EMBER_OK)
        return rc;
    int idx = agg_add(cx, sc->agg, &ag);
    if (idx < 0)
        return err_nomem(cx->err);
    *out = expr_colref(cx, (ColBinding){sc->agg->agg_rel, (uint32_t)idx},
                       sc->agg->aggs[idx].type);
    if (*out == NULL)
        return err_nomem(cx->err);
    (*out)->pos = e->pos;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Function calls
 * ------------------------------------------------------------------------ */

static int bind_func(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    AggKind ak;
    if (agg_kind(e->sval, &ak))
        return bind_agg(cx, sc, e, ak, out);
    if (e->distinct || e->star || e->filter)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "%s is not an aggregate function", e->sval);
    if (strcmp(e->sval, "coalesce") == 0 || strcmp(e->sval, "ifnull") == 0)
        return bind_coalesce(cx, sc, e, out);
    int n = e->n_args;
    Expr **args = arena_alloc(cx->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (args == NULL)
        return err_nomem(cx->err);
    for (int i = 0; i < n; i++) {
        int rc = bind(cx, sc, e->args[i], &args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    if ((strcmp(e->sval, "greatest") == 0 || strcmp(e->sval, "least") == 0) &&
        n > 0) {
        Type t;
        int rc = common_type(cx, args, n, e->pos, &t);
        for (int i = 0; i < n && rc == EMBER_OK && t.id != TYPE_NULL; i++)
            rc = coerce(cx, &args[i], t, e->pos);
        if (rc != EMBER_OK)
            return rc;
    }
    int rc = plan_make_call(cx, e->sval, args, n, e->pos, out);
    if (rc != EMBER_OK)
        return rc;
    /* round(decimal, n) takes its digits as a constant */
    if ((*out)->fn == F_ROUND_DEC_N && (*out)->n_args == 2) {
        Expr *d = expr_fold(cx, (*out)->args[1]);
        if (d->kind != EXPR_CONST)
            return err_set(cx->err, EMBER_ERROR, e->pos,
                           "round(numeric, n) needs a constant n");
        int64_t digits = d->val.is_null ? 0 : d->val.v.i;
        (*out)->has_iconst = true;
        (*out)->iconst = digits;
        /* the result shows exactly the digits asked for */
        (*out)->type.scale = (uint8_t)MAX(0, MIN(digits, DECIMAL_MAX_PREC));
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Subqueries
 * ------------------------------------------------------------------------ */

static int bind_subquery(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    if (++cx->depth > 64)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "subqueries nested too deeply");
    BoundSub *bs = arena_calloc(cx->arena, sizeof(*bs));
    if (bs == NULL)
        return err_nomem(cx->err);
    bs->pos = e->pos;
    bs->negated = e->negated;
    CorrList corr = {NULL, NULL, 0};
    int rc = EMBER_OK;
    if (e->kind == AE_IN_TABLE) {
        SelectStmt q;
        memset(&q, 0, sizeof(q));
        ResTarget star;
        AExpr st;
        memset(&st, 0, sizeof(st));
        st.kind = AE_STAR;
        star.expr = &st;
        star.alias = NULL;
        TableRef tr;
        memset(&tr, 0, sizeof(tr));
        tr.kind = TR_TABLE;
        tr.name = e->names[0];
        tr.pos = e->pos;
        TableRef *from = &tr;
        q.targets = &star;
        q.n_targets = 1;
        q.from = &from;
        q.n_from = 1;
        rc = bind_select(cx, &q, sc, sc->ctes, &bs->plan, &corr);
    } else {
        rc = bind_select(cx, e->subquery, sc, sc->ctes, &bs->plan, &corr);
    }
    cx->depth--;
    if (rc != EMBER_OK)
        return rc;
    bs->corr = corr.b;
    bs->corr_types = corr.t;
    bs->n_corr = corr.n;
    Lop *p = bs->plan;
    Type t = type_make(TYPE_BOOL);
    if (e->kind == AE_EXISTS) {
        bs->kind = SUB_EXISTS;
    } else {
        if (p->n_out != 1)
            return err_set(cx->err, EMBER_ERROR, e->pos,
                           "subquery must return only one column");
        if (e->kind == AE_SUBQUERY) {
            bs->kind = SUB_SCALAR;
            t = p->types[0];
        } else {
            bs->kind = SUB_IN;
            rc = bind(cx, sc, e->args[0], &bs->lhs);
            if (rc != EMBER_OK)
                return rc;
            Type ct;
            rc = func_common_type(bs->lhs->type, p->types[0], &ct, cx->err,
                                  e->pos);
            if (rc == EMBER_OK && ct.id != TYPE_NULL)
                rc = coerce(cx, &bs->lhs, ct, e->pos);
            if (rc == EMBER_OK && ct.id != TYPE_NULL &&
                !type_equal(p->types[0], ct)) {
                Expr *c = expr_cast(cx, expr_colref(cx, p->out[0],
                                                    p->types[0]), ct);
                Expr **ex = arena_alloc(cx->arena, sizeof(Expr *));
                if (c == NULL || ex == NULL)
                    return err_nomem(cx->err);
                ex[0] = c;
                bs->plan = lop_project(cx, p, ex, 1, p->names);
                if (bs->plan == NULL)
                    return err_nomem(cx->err);
            }
            if (rc != EMBER_OK)
                return rc;
        }
    }
    Expr *r = expr_new(cx, EXPR_SUBQUERY, t, 0);
    if (r == NULL)
        return err_nomem(cx->err);
    r->bsub = bs;
    r->pos = e->pos;
    r->negated = e->negated;
    *out = r;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------ */

static int bind_param(PlanCtx *cx, const AExpr *e, Expr **out)
{
    int idx = (int)e->ival - 1;
    if (idx < 0)
        return err_set(cx->err, EMBER_ERROR, e->pos,
                       "there is no parameter $%lld", (long long)e->ival);
    if (idx + 1 > cx->n_user_params)
        cx->n_user_params = idx + 1;
    Value v = value_null();
    if (cx->params && idx < cx->n_params_bound)
        v = cx->params[idx];
    *out = expr_const(cx, v);
    if (*out == NULL)
        return err_nomem(cx->err);
    (*out)->pos = e->pos;
    return EMBER_OK;
}

static int bind(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    int rc;
    switch (e->kind) {
    case AE_INT:
        rc = bind_int(cx, e, out);
        break;
    case AE_NUMBER:
        rc = bind_number(cx, e, out);
        break;
    case AE_STRING:
        *out = expr_const(cx, value_str(str_make(e->sval, (uint32_t)e->slen)));
        rc = *out ? EMBER_OK : err_nomem(cx->err);
        break;
    case AE_NULL:
        *out = expr_const(cx, value_null());
        rc = *out ? EMBER_OK : err_nomem(cx->err);
        break;
    case AE_BOOL:
        *out = expr_const(cx, value_bool(e->ival != 0));
        rc = *out ? EMBER_OK : err_nomem(cx->err);
        break;
    case AE_TYPED_STRING:
        rc = bind_typed_string(cx, e, out);
        break;
    case AE_INTERVAL:
        rc = bind_interval(cx, e, out);
        break;
    case AE_COLUMN:
        rc = bind_column(cx, sc, e, out);
        break;
    case AE_STAR:
        rc = err_set(cx->err, EMBER_ERROR, e->pos,
                     "\"*\" is not allowed here");
        break;
    case AE_PARAM:
        rc = bind_param(cx, e, out);
        break;
    case AE_UNARY:
        rc = bind_unary(cx, sc, e, out);
        break;
    case AE_BINARY:
        rc = bind_binary(cx, sc, e, out);
        break;
    case AE_IS_NULL:
    case AE_IS_BOOL:
    case AE_IS_DISTINCT:
        rc = bind_is(cx, sc, e, out);
        break;
    case AE_BETWEEN:
        rc = bind_between(cx, sc, e, out);
        break;
    case AE_IN_LIST:
        rc = bind_in_list(cx, sc, e, out);
        break;
    case AE_IN_SUBQUERY:
    case AE_IN_TABLE:
    case AE_EXISTS:
    case AE_SUBQUERY:
        rc = bind_subquery(cx, sc, e, out);
        break;
    case AE_LIKE:
        rc = bind_like(cx, sc, e, out);
        break;
    case AE_CASE:
        rc = bind_case(cx, sc, e, out);
        break;
    case AE_CAST:
        rc = bind_cast(cx, sc, e, out);
        break;
    case AE_FUNC:
        rc = bind_func(cx, sc, e, out);
        break;
    case AE_EXTRACT:
        rc = bind_extract(cx, sc, e, out);
        break;
    default:
        rc = err_set(cx->err, EMBER_INTERNAL, e->pos,
                     "unexpected expression kind %d", e->kind);
    }
    if (rc == EMBER_OK && (*out)->pos < 0)
        (*out)->pos = e->pos;
    return rc;
}

int bind_expr(PlanCtx *cx, Scope *sc, const AExpr *e, Expr **out)
{
    return bind(cx, sc, e, out);
}

int bind_predicate(PlanCtx *cx, Scope *sc, const AExpr *e,
                   const char *clause, Expr **out)
{
    int rc = bind(cx, sc, e, out);
    if (rc != EMBER_OK)
        return rc;
    return to_bool(cx, out, clause, e->pos);
}

const char *expr_text_name(PlanCtx *cx, const AExpr *e)
{
    if (e->kind == AE_COLUMN)
        return e->names[e->n_names - 1];
    if (cx->sql && e->end > e->pos)
        return arena_strndup(cx->arena, cx->sql + e->pos,
                             (size_t)(e->end - e->pos));
    return "?column?";
}
