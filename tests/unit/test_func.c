/*
 * test_func.c -- built-in scalar functions, operators and casts: the
 * registry, type resolution, every kernel family (flat, constant and
 * selected rows, with and without NULLs), overflow and domain errors, LIKE
 * and casts.
 *
 * Two ways in: run_kernel() calls a kernel the way the evaluator does
 * (output validity = AND of the arguments for strict functions), on
 * vectors built here; eval() resolves a call by name on one row of boxed
 * values, casts the arguments as the resolver says and runs the kernel,
 * which checks typing and semantics together.
 */
#include <math.h>

#include "exec/func.h"
#include "unit.h"

static Arena *g_arena;        /* vectors; reset per test */
static Arena *g_heap;         /* string results; reset per test */
static Err g_err;

static int setup(void **state)
{
    g_arena = arena_create("test", 0, ARENA_RESERVE);
    g_heap = arena_create("heap", 0, ARENA_RESERVE);
    err_clear(&g_err);
    return g_arena && g_heap ? 0 : -1;
}

static int teardown(void **state)
{
    arena_destroy(g_arena);
    arena_destroy(g_heap);
    return 0;
}

/* ------------------------------------------------------------------------
 * Building vectors and values
 * ------------------------------------------------------------------------ */

#define I32(x) value_int32(x)
#define I64(x) value_int64(x)
#define F64(x) value_double(x)
#define DEC(v, p, s) value_decimal(v, p, s)
#define BOOL(x) value_bool(x)
#define NUL value_null()
#define S(s) value_str(str_make(s, (uint32_t)strlen(s)))

static Value date_v(int y, int m, int d)
{
    return value_date(date_from_ymd(y, m, d));
}

static Value interval_v(int32_t months, int32_t days)
{
    Value v = value_int64(interval_make(months, days));
    v.type = type_make(TYPE_INTERVAL);
    return v;
}

static Vector *new_vec(Type t)
{
    Vector *v = arena_calloc(g_arena, sizeof(Vector));
    assert_non_null(v);
    assert_rc(vector_init(v, t, g_arena), EMBER_OK);
    return v;
}

/* A flat vector of type t holding vals[0..n) (NULL values make NULLs). */
static Vector *col(Type t, const Value *vals, int n)
{
    Vector *v = new_vec(t);
    for (int i = 0; i < n; i++)
        vector_put_value(v, (uint32_t)i, &vals[i]);
    return v;
}

#define COL(t, ...)                                                        \
    col(t, (Value[]){__VA_ARGS__},                                         \
        (int)(sizeof((Value[]){__VA_ARGS__}) / sizeof(Value)))

static Vector *konst(Value val)
{
    Vector *v = new_vec(val.type);
    vector_set_const(v, &val);
    return v;
}

/* Run kernel `id` as the evaluator would; returns the status. */
static int run_kernel(FuncId id, Type out_type, Vector **args, int n_args,
                      const SelIdx *sel, uint32_t n, Vector **out,
                      const int64_t *iconst)
{
    const FuncDef *def = func_def(id);
    *out = new_vec(out_type);
    if (def->strict) {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = sel_row(sel, k);
            for (int j = 0; j < n_args; j++)
                if (!vec_valid(args[j], r))
                    vector_set_null(*out, r);
        }
    }
    err_clear(&g_err);
    FnCtx cx = {&g_err, g_heap, 7, out_type, iconst};
    return def->kernel(&cx, args, n_args, sel, n, *out);
}

/* run_kernel that must succeed; returns the output vector. */
static Vector *run_ok(FuncId id, Type out_type, Vector **args, int n_args,
                      const SelIdx *sel, uint32_t n)
{
    Vector *o;
    if (run_kernel(id, out_type, args, n_args, sel, n, &o, NULL) != 0)
        fail_msg("%s: %s", func_def(id)->name, g_err.msg);
    return o;
}

static Type ty(TypeId id)
{
    return type_make(id);
}

/* Resolve name(args), cast each argument (one-row vectors), run: the
 * result of the single row in *res. */
static int eval_n(const char *name, const Value *argv, int n_args,
                  const int64_t *iconst, Value *res)
{
    Type types[8];
    Type cast_to[8];
    Vector *args[8];
    FuncId id;
    Type ret;
    for (int i = 0; i < n_args; i++)
        types[i] = argv[i].type;
    err_clear(&g_err);
    int rc = func_resolve(name, types, n_args, &id, &ret, cast_to, &g_err, 3);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0; i < n_args; i++) {
        Vector *raw = col(types[i], &argv[i], 1);
        args[i] = new_vec(cast_to[i]);
        FnCtx cx = {&g_err, g_heap, 3, cast_to[i], NULL};
        rc = cast_vector(&cx, raw, NULL, 1, args[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    Vector *out;
    rc = run_kernel(id, ret, args, n_args, NULL, 1, &out, iconst);
    if (rc == EMBER_OK)
        *res = vector_get_value(out, 0);
    return rc;
}

#define EVAL(res, name, ...)                                               \
    eval_n(name, (Value[]){__VA_ARGS__},                                   \
           (int)(sizeof((Value[]){__VA_ARGS__}) / sizeof(Value)), NULL, res)

/* Text of a value as value_format writes it ("NULL" for NULL). */
static const char *text(Value v)
{
    char *buf = arena_alloc(g_arena, 256);
    value_format(&v, buf, 256);
    return buf;
}

/* eval and compare the printed result. */
#define CHECK(want, name, ...)                                             \
    do {                                                                   \
        Value r_;                                                          \
        int rc_ = EVAL(&r_, name, __VA_ARGS__);                            \
        if (rc_ != EMBER_OK)                                               \
            fail_msg("%s: rc %d: %s", name, rc_, g_err.msg);               \
        assert_string_equal(text(r_), want);                               \
    } while (0)

/* eval expecting an error with this message. */
#define CHECK_ERR(code, want_msg, name, ...)                               \
    do {                                                                   \
        Value r_;                                                          \
        assert_rc(EVAL(&r_, name, __VA_ARGS__), code);                     \
        assert_string_equal(g_err.msg, want_msg);                          \
    } while (0)

static void expect_null(const Vector *v, uint32_t row)
{
    if (vec_valid(v, row))
        fail_msg("row %u: expected NULL", row);
}

static void expect_i64(const Vector *v, uint32_t row, int64_t want)
{
    if (!vec_valid(v, row))
        fail_msg("row %u: NULL, expected %" PRId64, row, want);
    assert_i64_equal(vector_get_value(v, row).v.i, want);
}

static void expect_f64(const Vector *v, uint32_t row, double want)
{
    if (!vec_valid(v, row))
        fail_msg("row %u: NULL, expected %g", row, want);
    assert_double_same(VEC_F64(v)[row], want);
}

static void expect_str(const Vector *v, uint32_t row, const char *want)
{
    if (!vec_valid(v, row))
        fail_msg("row %u: NULL, expected '%s'", row, want);
    const Str *s = &VEC_STR(v)[row];
    if (s->len != strlen(want) || memcmp(str_data(s), want, s->len) != 0)
        fail_msg("row %u: '%.*s' != '%s'", row, (int)s->len, str_data(s),
                 want);
}

/* A Str that must never be read: NULL rows of string vectors get one. */
static Str poison_str(void)
{
    Str s;
    memset(&s, 0xa5, sizeof(s));
    s.len = 1000;
    s.u.ptr = (const char *)(uintptr_t)16;
    return s;
}

/* ------------------------------------------------------------------------
 * Registry
 * ------------------------------------------------------------------------ */

static void test_registry(void **state)
{
    for (int id = 1; id < F__COUNT; id++) {
        const FuncDef *d = func_def((FuncId)id);
        assert_int_equal(d->id, id);
        assert_non_null(d->kernel);
        assert_non_null(d->name);
    }
    assert_true(func_def(F_ADD_I32)->strict);
    assert_string_equal(func_def(F_ADD_I32)->name, "+");
    assert_false(func_def(F_DISTINCT_STR)->strict);
    assert_false(func_def(F_CONCAT_WS_FN)->strict);
    assert_false(func_def(F_NULLIF_I64)->strict);
    assert_false(func_def(F_GREATEST)->strict);
    assert_true(func_def(F_LIKE)->strict);
    assert_string_equal(func_def(F_STRPOS)->name, "strpos");
}

/* ------------------------------------------------------------------------
 * Resolution
 * ------------------------------------------------------------------------ */

static void assert_type(Type t, Type want)
{
    char b1[32], b2[32];
    if (!type_equal(t, want))
        fail_msg("type %s != %s", type_name(t, b1, 32),
                 type_name(want, b2, 32));
}

/* Type shorthands for the resolution table. */
#define T_I32 {TYPE_INT32, 0, 0, 0, -1}
#define T_I64 {TYPE_INT64, 0, 0, 0, -1}
#define T_DBL {TYPE_DOUBLE, 0, 0, 0, -1}
#define T_DATE {TYPE_DATE, 0, 0, 0, -1}
#define T_IV {TYPE_INTERVAL, 0, 0, 0, -1}
#define T_VC {TYPE_VARCHAR, 0, 0, 0, -1}
#define T_VC5 {TYPE_VARCHAR, 0, 0, 0, 5}
#define T_NULL {TYPE_NULL, 0, 0, 0, -1}
#define T_BOOL {TYPE_BOOL, 0, 0, 0, -1}
#define T_DEC(p, s) {TYPE_DECIMAL, p, s, 0, -1}

/* name(a, b[, c]) resolves to id with result ret and casts c0, c1[, c2];
 * n is the argument count (0 means 2). */
typedef struct ResolveCase {
    const char *name;
    Type a, b;
    FuncId id;
    Type ret, c0, c1;
    int n;
    Type c, c2;
} ResolveCase;

/* Rows leave the trailing fields out: zero is "two arguments". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const ResolveCase resolve_cases[] = {
    {"+", T_I32, T_I32, F_ADD_I32, T_I32, T_I32, T_I32},
    {"-", T_I32, T_I64, F_SUB_I64, T_I64, T_I64, T_I64},
    {"*", T_I64, T_DBL, F_MUL_F64, T_DBL, T_DBL, T_DBL},
    {"*", T_DEC(15, 2), T_DEC(15, 2), F_MUL_I64, T_DEC(18, 4), T_DEC(15, 2),
     T_DEC(15, 2)},
    {"*", T_DEC(18, 10), T_DEC(18, 10), F_MUL_F64, T_DBL, T_DBL, T_DBL},
    {"*", T_I32, T_DEC(15, 2), F_MUL_I64, T_DEC(18, 2), T_DEC(10, 0),
     T_DEC(15, 2)},
    {"+", T_I32, T_DEC(15, 2), F_ADD_I64, T_DEC(18, 2), T_DEC(12, 2),
     T_DEC(15, 2)},
    {"-", T_DEC(10, 4), T_DEC(15, 2), F_SUB_I64, T_DEC(18, 4), T_DEC(10, 4),
     T_DEC(17, 4)},
    {"/", T_DEC(15, 2), T_DEC(15, 2), F_DIV_F64, T_DBL, T_DBL, T_DBL},
    {"/", T_DEC(15, 2), T_I32, F_DIV_F64, T_DBL, T_DBL, T_DBL},
    {"/", T_I32, T_I32, F_DIV_I32, T_I32, T_I32, T_I32},
    {"%", T_DEC(15, 2), T_I32, F_MOD_I64, T_DEC(18, 2), T_DEC(15, 2),
     T_DEC(12, 2)},
    {"+", T_NULL, T_I32, F_ADD_I32, T_I32, T_I32, T_I32},
    {"+", T_DATE, T_I64, F_DATE_ADD_DAYS, T_DATE, T_DATE, T_I32},
    {"+", T_I32, T_DATE, F_DATE_ADD_DAYS, T_DATE, T_I32, T_DATE},
    {"-", T_DATE, T_I32, F_DATE_SUB_DAYS, T_DATE, T_DATE, T_I32},
    {"-", T_DATE, T_NULL, F_DATE_SUB_DAYS, T_DATE, T_DATE, T_I32},
    {"-", T_DATE, T_DATE, F_DATE_DIFF, T_I32, T_DATE, T_DATE},
    {"-", T_DATE, T_IV, F_DATE_SUB_INTERVAL, T_DATE, T_DATE, T_IV},
    {"+", T_IV, T_DATE, F_DATE_ADD_INTERVAL, T_DATE, T_IV, T_DATE},
    {"=", T_VC, T_DATE, F_EQ_I32, T_BOOL, T_DATE, T_DATE},
    {"<", T_I32, T_VC, F_LT_I32, T_BOOL, T_I32, T_I32},
    {"<>", T_VC5, T_VC, F_NE_STR, T_BOOL, T_VC5, T_VC},
    {">=", T_I32, T_DEC(15, 2), F_GE_I64, T_BOOL, T_DEC(15, 2),
     T_DEC(15, 2)},
    {"<=", T_I64, T_DEC(15, 2), F_LE_F64, T_BOOL, T_DBL, T_DBL},
    {"=", T_NULL, T_NULL, F_EQ_STR, T_BOOL, T_VC, T_VC},
    {"is distinct from", T_I32, T_NULL, F_DISTINCT_I32, T_BOOL, T_I32,
     T_I32},
    {"||", T_I32, T_VC, F_CONCAT, T_VC, T_VC, T_VC},
    {"||", T_NULL, T_VC, F_CONCAT, T_VC, T_VC, T_VC},
    {"nullif", T_I32, T_I64, F_NULLIF_I64, T_I64, T_I64, T_I64},
    {"power", T_I32, T_DEC(5, 1), F_POWER, T_DBL, T_DBL, T_DBL},
    {"left", T_VC, T_I32, F_LEFT, T_VC, T_VC, T_I64},
    {"abs", T_I32, T_NULL, F_ABS_I32, T_I32, T_I32, T_NULL, 1},
    {"abs", T_DEC(9, 3), T_NULL, F_ABS_I64, T_DEC(9, 3), T_DEC(9, 3), T_NULL,
     1},
    {"sqrt", T_I32, T_NULL, F_SQRT, T_DBL, T_DBL, T_NULL, 1},
    {"round", T_I32, T_NULL, F_ROUND_F64, T_DBL, T_DBL, T_NULL, 1},
    {"round", T_DEC(15, 3), T_NULL, F_ROUND_DEC_N, T_DEC(18, 0),
     T_DEC(15, 3), T_NULL, 1},
    {"round", T_DEC(15, 3), T_I32, F_ROUND_DEC_N, T_DEC(18, 3),
     T_DEC(15, 3), T_I32},
    {"round", T_I64, T_I64, F_ROUND_DEC_N, T_DEC(18, 0), T_DEC(18, 0),
     T_I32},
    {"round", T_DBL, T_I64, F_ROUND_F64_N, T_DBL, T_DBL, T_I32},
    {"ceiling", T_DBL, T_NULL, F_CEIL_F64, T_DBL, T_DBL, T_NULL, 1},
    {"floor", T_DEC(9, 2), T_NULL, F_FLOOR_DEC, T_DEC(18, 0), T_DEC(9, 2),
     T_NULL, 1},
    {"substr", T_VC, T_I32, F_SUBSTRING3, T_VC, T_VC, T_I64, 3, T_I32, T_I64},
    {"concat", T_I32, T_DATE, F_CONCAT_WS_FN, T_VC, T_VC, T_VC, 3, T_NULL,
     T_VC},
    {"greatest", T_I32, T_DEC(10, 2), F_GREATEST, T_DEC(12, 2), T_DEC(12, 2),
     T_DEC(10, 2), 3, T_NULL, T_DEC(12, 2)},
    {"extract_week", T_DATE, T_NULL, F_EXTRACT_WEEK, T_I64, T_DATE, T_NULL,
     1},
    {"strpos", T_VC, T_VC, F_STRPOS, T_I64, T_VC, T_VC},
    {"position", T_VC, T_VC, F_POSITION, T_I64, T_VC, T_VC},
    {"like", T_VC, T_NULL, F_LIKE, T_BOOL, T_VC, T_VC},
    {"like_escape", T_VC, T_VC, F_LIKE_ESCAPE, T_BOOL, T_VC, T_VC, 3, T_VC,
     T_VC},
    {"lpad", T_VC, T_I32, F_LPAD, T_VC, T_VC, T_I64, 3, T_NULL, T_VC},
    {"hash", T_DATE, T_NULL, F_HASH, T_I64, T_DATE, T_NULL},
};
#pragma GCC diagnostic pop

static void test_resolve_table(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(resolve_cases); i++) {
        const ResolveCase *rc = &resolve_cases[i];
        Type args[3] = {rc->a, rc->b, rc->c}, ret, c[3];
        int n = rc->n ? rc->n : 2;
        FuncId id = F_NONE;
        err_clear(&g_err);
        if (func_resolve(rc->name, args, n, &id, &ret, c, &g_err, 5) != 0)
            fail_msg("case %zu %s: %s", i, rc->name, g_err.msg);
        if (id != rc->id)
            fail_msg("case %zu %s: id %d != %d", i, rc->name, id, rc->id);
        assert_type(ret, rc->ret);
        Type want[3] = {rc->c0, rc->c1, rc->c2};
        for (int j = 0; j < n; j++)
            assert_type(c[j], want[j]);
    }
    Type one[1] = {type_decimal(15, 2)}, ret, c[2];
    FuncId id;
    assert_rc(func_resolve("neg", one, 1, &id, &ret, c, &g_err, 0), 0);
    assert_int_equal(id, F_NEG_I64);
    assert_type(ret, one[0]);
}

static void test_resolve_errors(void **state)
{
    Type i32 = ty(TYPE_INT32), date = ty(TYPE_DATE), ret, c[2], out;
    FuncId id;
    Type dd[2] = {date, date};
    assert_rc(func_resolve("+", dd, 2, &id, &ret, c, &g_err, 9), EMBER_TYPE);
    assert_string_equal(g_err.msg, "operator does not exist: DATE + DATE");
    assert_int_equal(g_err.pos, 9);
    Type iv[2] = {i32, type_varchar(-1)};
    err_clear(&g_err);
    assert_rc(func_resolve("foo", iv, 2, &id, &ret, c, &g_err, 1),
              EMBER_NOTFOUND);
    assert_string_equal(g_err.msg,
                        "function foo(INTEGER, VARCHAR) does not exist");
    err_clear(&g_err);
    assert_rc(func_resolve("upper", iv, 1, &id, &ret, c, &g_err, 1),
              EMBER_NOTFOUND);
    assert_string_equal(g_err.msg, "function upper(INTEGER) does not exist");
    Type bi[2] = {ty(TYPE_BOOL), i32};
    err_clear(&g_err);
    assert_rc(func_resolve("=", bi, 2, &id, &ret, c, &g_err, 1), EMBER_TYPE);
    assert_string_equal(g_err.msg,
                        "operator does not exist: BOOLEAN = INTEGER");
    err_clear(&g_err);
    assert_rc(func_resolve("neg", dd, 1, &id, &ret, c, &g_err, 1),
              EMBER_TYPE);
    assert_string_equal(g_err.msg, "operator does not exist: - DATE");

    assert_rc(func_common_type(i32, type_decimal(15, 2), &out, &g_err, 0),
              EMBER_OK);
    assert_type(out, type_decimal(15, 2));
    assert_rc(func_common_type(ty(TYPE_INT64), type_decimal(15, 2), &out,
                               &g_err, 0),
              EMBER_OK);
    assert_type(out, ty(TYPE_DOUBLE));
    assert_rc(func_common_type(ty(TYPE_NULL), date, &out, &g_err, 0), 0);
    assert_type(out, date);
    err_clear(&g_err);
    assert_rc(func_common_type(date, i32, &out, &g_err, 4), EMBER_TYPE);
    assert_string_equal(g_err.msg, "types DATE and INTEGER cannot be matched");
}

/* ------------------------------------------------------------------------
 * Arithmetic
 * ------------------------------------------------------------------------ */

static void test_arith_basic(void **state)
{
    Type i32 = ty(TYPE_INT32);
    Vector *a = COL(i32, I32(7), I32(-7), NUL, I32(100), I32(5));
    Vector *b = COL(i32, I32(2), I32(2), I32(1), I32(0), I32(-1));
    Vector *args[2] = {a, b};
    Vector *o;
    o = run_ok(F_DIV_I32, i32, args, 2, NULL, 5);
    expect_i64(o, 0, 3);
    expect_i64(o, 1, -3);                 /* truncates toward zero */
    expect_null(o, 2);
    expect_null(o, 3);                    /* x / 0 -> NULL */
    expect_i64(o, 4, -5);
    o = run_ok(F_MOD_I32, i32, args, 2, NULL, 5);
    expect_i64(o, 0, 1);
    expect_i64(o, 1, -1);                 /* sign of the dividend */
    expect_null(o, 3);
    expect_i64(o, 4, 0);

    /* Selection and constants. */
    SelIdx sel[2] = {1, 3};
    Vector *c10 = konst(I32(10));
    Vector *args2[2] = {a, c10};
    o = run_ok(F_SUB_I32, i32, args2, 2, sel, 2);
    expect_i64(o, 1, -17);
    expect_i64(o, 3, 90);
    Vector *args3[2] = {c10, a};
    o = run_ok(F_MUL_I32, i32, args3, 2, NULL, 5);
    expect_i64(o, 0, 70);
    expect_null(o, 2);
    expect_i64(o, 4, 50);
    Value typed_null = NUL;
    typed_null.type = i32;
    Vector *cnull = konst(typed_null);
    Vector *args4[2] = {a, cnull};
    o = run_ok(F_ADD_I32, i32, args4, 2, NULL, 5);
    for (uint32_t r = 0; r < 5; r++)
        expect_null(o, r);

    /* Doubles: IEEE, but division by zero is NULL too. */
    Type dbl = ty(TYPE_DOUBLE);
    Vector *x = COL(dbl, F64(1.5), F64(1e308), F64(-3), F64(7.5));
    Vector *y = COL(dbl, F64(0.25), F64(10), F64(0), F64(2));
    Vector *dargs[2] = {x, y};
    o = run_ok(F_MUL_F64, dbl, dargs, 2, NULL, 4);
    expect_f64(o, 0, 0.375);
    expect_f64(o, 1, INFINITY);
    o = run_ok(F_DIV_F64, dbl, dargs, 2, NULL, 4);
    expect_f64(o, 0, 6);
    expect_null(o, 2);
    o = run_ok(F_MOD_F64, dbl, dargs, 2, NULL, 4);
    expect_f64(o, 3, 1.5);
    expect_null(o, 2);
}

static void test_arith_overflow(void **state)
{
    Type i32 = ty(TYPE_INT32), i64 = ty(TYPE_INT64);
    Vector *o;
    Vector *a = COL(i32, I32(INT32_MAX), I32(1));
    Vector *b = COL(i32, I32(1), I32(1));
    Vector *args[2] = {a, b};
    assert_rc(run_kernel(F_ADD_I32, i32, args, 2, NULL, 2, &o, NULL),
              EMBER_OVERFLOW);
    assert_string_equal(g_err.msg, "integer out of range");
    assert_int_equal(g_err.pos, 7);
    /* The overflowing row is NULL: no error. */
    SelIdx sel1[1] = {1};
    o = run_ok(F_ADD_I32, i32, args, 2, sel1, 1);
    expect_i64(o, 1, 2);
    Vector *an = COL(i32, I32(INT32_MAX), I32(1));
    Vector *bn = COL(i32, NUL, I32(1));
    VEC_I32(bn)[0] = 1;                   /* garbage under the NULL */
    Vector *argsn[2] = {an, bn};
    o = run_ok(F_ADD_I32, i32, argsn, 2, NULL, 2);
    expect_null(o, 0);

    Vector *m = COL(i32, I32(INT32_MIN), I32(65536));
    Vector *m1 = COL(i32, I32(-1), I32(65536));
    Vector *margs[2] = {m, m1};
    assert_rc(run_kernel(F_DIV_I32, i32, margs, 2, NULL, 1, &o, NULL),
              EMBER_OVERFLOW);
    assert_rc(run_kernel(F_MUL_I32, i32, margs, 2, sel1, 1, &o, NULL),
              EMBER_OVERFLOW);
    o = run_ok(F_MOD_I32, i32, margs, 2, NULL, 1);
    expect_i64(o, 0, 0);
    Vector *neg_args[1] = {m};
    assert_rc(run_kernel(F_NEG_I32, i32, neg_args, 1, NULL, 1, &o, NULL),
              EMBER_OVERFLOW);
    assert_string_equal(g_err.msg, "integer out of range");

    Vector *l = COL(i64, I64(INT64_MIN), I64(3));
    Vector *lc = konst(I64(1));
    Vector *largs[2] = {l, lc};
    assert_rc(run_kernel(F_SUB_I64, i64, largs, 2, NULL, 2, &o, NULL),
              EMBER_OVERFLOW);
    assert_string_equal(g_err.msg, "bigint out of range");
    o = run_ok(F_ADD_I64, i64, largs, 2, NULL, 2);
    expect_i64(o, 0, INT64_MIN + 1);

    /* DECIMAL: int64 overflow and the 18-digit limit. */
    Type d = type_decimal(18, 2);
    Vector *x = COL(d, DEC(999999999999999999, 18, 2), DEC(5, 18, 2));
    Vector *y = COL(d, DEC(1, 18, 2), DEC(5, 18, 2));
    Vector *dargs[2] = {x, y};
    assert_rc(run_kernel(F_ADD_I64, d, dargs, 2, NULL, 2, &o, NULL),
              EMBER_OVERFLOW);
    assert_string_equal(g_err.msg, "numeric value out of range");
    o = run_ok(F_ADD_I64, d, dargs, 2, sel1, 1);
    expect_i64(o, 1, 10);
    assert_rc(run_kernel(F_MUL_I64, type_decimal(18, 4), dargs, 2, NULL, 1,
                         &o, NULL),
              EMBER_OK);
    CHECK_ERR(EMBER_OVERFLOW, "numeric value out of range", "*",
              DEC(100000000000, 15, 2), DEC(100000000000, 15, 2));
    CHECK("12.34551", "*", DEC(123, 5, 2), DEC(10037, 6, 3));
    CHECK("2.54", "+", I32(2), DEC(54, 3, 2));
    CHECK("0.25", "%", DEC(525, 5, 2), I32(1));
    CHECK("0.5", "/", DEC(100, 5, 2), I32(2));
    CHECK("-1.50", "neg", DEC(150, 5, 2));
    CHECK("NULL", "+", NUL, I32(1));
    CHECK("3", "/", I32(7), I32(2));
    CHECK("3.5", "/", F64(7), I32(2));
}

/* Long vectors exercise the blocked loops and their tails against a
 * scalar reference, with and without a selection. */
static void test_arith_long(void **state)
{
    Type i32 = ty(TYPE_INT32), i64 = ty(TYPE_INT64), dbl = ty(TYPE_DOUBLE);
    Vector *a = new_vec(i32), *b = new_vec(i32);
    Vector *la = new_vec(i64), *lb = new_vec(i64);
    Vector *da = new_vec(dbl), *db = new_vec(dbl);
    uint64_t seed = 42;
    uint32_t n = 2043;                       /* not a multiple of 16 */
    for (uint32_t i = 0; i < n; i++) {
        VEC_I32(a)[i] = (int32_t)(unit_rand(&seed) % 200001) - 100000;
        VEC_I32(b)[i] = (int32_t)(unit_rand(&seed) % 2001) - 1000;
        VEC_I64(la)[i] = (int64_t)(unit_rand(&seed) >> 2) - (1ll << 61);
        VEC_I64(lb)[i] = (int64_t)(unit_rand(&seed) >> 3) - (1ll << 60);
        VEC_F64(da)[i] = (double)VEC_I32(a)[i] / 8;
        VEC_F64(db)[i] = (double)VEC_I32(b)[i] / 4;
    }
    SelIdx sel[VEC_SIZE];
    uint32_t n_sel = 0;
    for (uint32_t i = 0; i < n; i += 3)
        sel[n_sel++] = (SelIdx)i;
    Vector *args[2] = {a, b}, *largs[2] = {la, lb}, *dargs[2] = {da, db};
    Vector *o;
    for (int pass = 0; pass < 2; pass++) {
        const SelIdx *s = pass ? sel : NULL;
        uint32_t cnt = pass ? n_sel : n;
        o = run_ok(F_ADD_I32, i32, args, 2, s, cnt);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t r = sel_row(s, k);
            assert_i64_equal(VEC_I32(o)[r], VEC_I32(a)[r] + VEC_I32(b)[r]);
        }
        o = run_ok(F_MUL_I32, i32, args, 2, s, cnt);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t r = sel_row(s, k);
            assert_i64_equal(VEC_I32(o)[r], VEC_I32(a)[r] * VEC_I32(b)[r]);
        }
        o = run_ok(F_SUB_I64, i64, largs, 2, s, cnt);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t r = sel_row(s, k);
            assert_i64_equal(VEC_I64(o)[r], VEC_I64(la)[r] - VEC_I64(lb)[r]);
        }
        assert_rc(run_kernel(F_LT_I32, ty(TYPE_BOOL), args, 2, s, cnt, &o,
                             NULL),
                  0);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t r = sel_row(s, k);
            assert_int_equal(VEC_U8(o)[r], VEC_I32(a)[r] < VEC_I32(b)[r]);
        }
        assert_rc(run_kernel(F_GE_F64, ty(TYPE_BOOL), dargs, 2, s, cnt, &o,
                             NULL),
                  0);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t r = sel_row(s, k);
            assert_int_equal(VEC_U8(o)[r], VEC_F64(da)[r] >= VEC_F64(db)[r]);
        }
    }
    /* One overflow at the very end of a long vector is found. */
    VEC_I64(la)[n - 1] = INT64_MAX;
    VEC_I64(lb)[n - 1] = 1;
    assert_rc(run_kernel(F_ADD_I64, i64, largs, 2, NULL, n, &o, NULL),
              EMBER_OVERFLOW);
}

/* ------------------------------------------------------------------------
 * Comparisons and conditionals
 * ------------------------------------------------------------------------ */

static void test_compare(void **state)
{
    Type bt = ty(TYPE_BOOL), dbl = ty(TYPE_DOUBLE), vc = type_varchar(-1);
    Vector *o;
    Vector *x = COL(dbl, F64(NAN), F64(NAN), F64(1), F64(-0.0), F64(INFINITY));
    Vector *y = COL(dbl, F64(NAN), F64(1), F64(NAN), F64(0), F64(NAN));
    Vector *args[2] = {x, y};
    o = run_ok(F_EQ_F64, bt, args, 2, NULL, 5);
    int eq[5] = {1, 0, 0, 1, 0};
    for (int i = 0; i < 5; i++)
        assert_int_equal(VEC_U8(o)[i], eq[i]);
    o = run_ok(F_LT_F64, bt, args, 2, NULL, 5);
    int lt[5] = {0, 0, 1, 0, 1};          /* NaN above everything */
    for (int i = 0; i < 5; i++)
        assert_int_equal(VEC_U8(o)[i], lt[i]);
    o = run_ok(F_GE_F64, bt, args, 2, NULL, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(VEC_U8(o)[i], !lt[i]);

    /* Strings: prefix decides, ties go to the full bytes; NULL rows hold
     * poison that must not be read. */
    Vector *s = COL(vc, S("abc"), S("abcdefghijklmnopq"), S("ab"), NUL,
                    S("\xc3\xa9t\xc3\xa9"), S(""));
    Vector *t = COL(vc, S("abd"), S("abcdefghijklmnopr"), S("abc"), S("x"),
                    S("et"), S(""));
    VEC_STR(s)[3] = poison_str();
    Vector *sargs[2] = {s, t};
    o = run_ok(F_LT_STR, bt, sargs, 2, NULL, 6);
    int slt[6] = {1, 1, 1, -1, 0, 0};
    for (int i = 0; i < 6; i++)
        if (slt[i] >= 0)
            assert_int_equal(VEC_U8(o)[i], slt[i]);
    expect_null(o, 3);
    o = run_ok(F_EQ_STR, bt, sargs, 2, NULL, 6);
    assert_int_equal(VEC_U8(o)[5], 1);
    assert_int_equal(VEC_U8(o)[1], 0);
    Vector *cargs[2] = {s, konst(S("abcdefghijklmnopq"))};
    o = run_ok(F_GE_STR, bt, cargs, 2, NULL, 6);
    assert_int_equal(VEC_U8(o)[0], 0);
    assert_int_equal(VEC_U8(o)[1], 1);
    assert_int_equal(VEC_U8(o)[4], 1);

    /* IS [NOT] DISTINCT FROM: never NULL. */
    Type i32 = ty(TYPE_INT32);
    Vector *a = COL(i32, I32(1), NUL, NUL, I32(4));
    Vector *b = COL(i32, I32(1), NUL, I32(3), I32(5));
    Vector *dargs[2] = {a, b};
    o = run_ok(F_DISTINCT_I32, bt, dargs, 2, NULL, 4);
    assert_false(o->has_nulls);
    int dist[4] = {0, 0, 1, 1};
    for (int i = 0; i < 4; i++)
        assert_int_equal(VEC_U8(o)[i], dist[i]);
    o = run_ok(F_NOT_DISTINCT_I32, bt, dargs, 2, NULL, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(VEC_U8(o)[i], !dist[i]);
    o = run_ok(F_DISTINCT_STR, bt, sargs, 2, NULL, 6);
    assert_int_equal(VEC_U8(o)[3], 1);
    assert_int_equal(VEC_U8(o)[5], 0);

    CHECK("true", "=", S("2020-01-05"), date_v(2020, 1, 5));
    CHECK("true", "<", S(" 12 "), I32(13));
    CHECK_ERR(EMBER_TYPE, "invalid input syntax for type integer: \"x\"",
              "=", S("x"), I32(1));
    CHECK("true", "=", I32(2), DEC(200, 5, 2));
    CHECK("false", "is distinct from", NUL, NUL);
    CHECK("NULL", "=", NUL, I32(1));
}

static void test_conditional(void **state)
{
    CHECK("NULL", "nullif", I32(3), I32(3));
    CHECK("3", "nullif", I32(3), I32(4));
    CHECK("3", "nullif", I32(3), NUL);
    CHECK("NULL", "nullif", NUL, I32(3));
    CHECK("NULL", "nullif", S("abcdefghijklmn"), S("abcdefghijklmn"));
    CHECK("abc", "nullif", S("abc"), S("abd"));
    CHECK("7", "greatest", I32(3), NUL, I32(7), I32(-1));
    CHECK("-1", "least", I32(3), NUL, I32(7), I32(-1));
    CHECK("2.50", "greatest", I32(2), DEC(250, 5, 2));
    CHECK("NULL", "greatest", NUL, NUL);
    CHECK("pear", "greatest", S("apple"), S("pear"), NUL);
    CHECK("NaN", "greatest", F64(1), F64(NAN));

    /* Constants and a selection; the NULL row of argument 0 is poison. */
    Type vc = type_varchar(-1);
    Vector *a = COL(vc, S("b"), NUL, S("a"));
    VEC_STR(a)[1] = poison_str();
    Vector *args[2] = {a, konst(S("a"))};
    Vector *o;
    SelIdx sel[2] = {1, 2};
    o = run_ok(F_GREATEST, vc, args, 2, sel, 2);
    expect_str(o, 1, "a");
    expect_str(o, 2, "a");
    o = run_ok(F_NULLIF_STR, vc, args, 2, NULL, 3);
    expect_str(o, 0, "b");
    expect_null(o, 1);
    expect_null(o, 2);
}

/* ------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------ */

static void test_dates(void **state)
{
    CHECK("2020-03-01", "+", date_v(2020, 2, 28), I32(2));
    CHECK("2020-03-01", "+", I64(2), date_v(2020, 2, 28));
    CHECK("2019-12-31", "-", date_v(2020, 1, 1), I32(1));
    CHECK("366", "-", date_v(2021, 1, 1), date_v(2020, 1, 1));
    CHECK("2020-02-29", "+", date_v(2020, 1, 31), interval_v(1, 0));
    CHECK("2021-03-01", "+", interval_v(13, 1), date_v(2020, 1, 31));
    CHECK("1994-10-01", "-", date_v(1995, 1, 1), interval_v(3, 0));
    CHECK("1998-09-02", "-", date_v(1998, 12, 1), interval_v(0, 90));
    CHECK_ERR(EMBER_OVERFLOW, "date out of range", "+", date_v(9999, 12, 31),
              I32(1));
    CHECK_ERR(EMBER_OVERFLOW, "date out of range", "-", date_v(1, 1, 1),
              interval_v(0, 1));
    CHECK_ERR(EMBER_OVERFLOW, "date out of range", "+", date_v(9999, 1, 1),
              interval_v(12, 0));

    CHECK("1995", "extract_year", date_v(1995, 3, 15));
    CHECK("3", "extract_month", date_v(1995, 3, 15));
    CHECK("15", "extract_day", date_v(1995, 3, 15));
    CHECK("1", "extract_quarter", date_v(1995, 3, 15));
    CHECK("4", "extract_quarter", date_v(1995, 10, 1));
    CHECK("3", "extract_dow", date_v(1995, 3, 15));     /* Wednesday */
    CHECK("74", "extract_doy", date_v(1995, 3, 15));
    CHECK("53", "extract_week", date_v(2021, 1, 1));
    CHECK("53", "extract_week", date_v(2020, 12, 31));
    CHECK("1", "extract_week", date_v(2024, 12, 30));
    CHECK("1", "extract_week", date_v(2018, 1, 1));
    CHECK("86400", "extract_epoch", date_v(1970, 1, 2));

    /* A NULL row with an out-of-range garbage date raises nothing. */
    Type dt = ty(TYPE_DATE);
    Vector *d = COL(dt, date_v(2000, 1, 1), NUL);
    VEC_I32(d)[1] = DATE_MAX_YEAR * 400;
    Vector *args[2] = {d, konst(interval_v(1, 1))};
    Vector *o;
    o = run_ok(F_DATE_ADD_INTERVAL, dt, args, 2, NULL, 2);
    assert_string_equal(text(vector_get_value(o, 0)), "2000-02-02");
    expect_null(o, 1);
    Vector *eargs[1] = {d};
    assert_rc(run_kernel(F_EXTRACT_YEAR, ty(TYPE_INT64), eargs, 1, NULL, 2,
                         &o, NULL),
              EMBER_OK);
    expect_i64(o, 0, 2000);
}

/* ------------------------------------------------------------------------
 * Strings
 * ------------------------------------------------------------------------ */

static void test_string_basic(void **state)
{
    CHECK("abcdef", "||", S("abc"), S("def"));
    CHECK("abcdefghijklmnopqrstuvwxyz", "||", S("abcdefghijklm"),
          S("nopqrstuvwxyz"));
    CHECK("x1", "||", S("x"), I32(1));
    CHECK("2020-01-02!", "||", date_v(2020, 1, 2), S("!"));
    CHECK("NULL", "||", NUL, S("a"));
    CHECK("a1.50true", "concat", S("a"), NUL, DEC(150, 5, 2), BOOL(true));
    CHECK("", "concat", NUL);
    CHECK("5", "length", S("h\xc3\xa9llo"));
    CHECK("6", "octet_length", S("h\xc3\xa9llo"));
    CHECK("3", "length", S("a\xff" "b"));             /* invalid byte */
    CHECK("2", "char_length", S("\xe2\x82"));         /* truncated */
    CHECK("3", "length", S("\xe0\x80\x80"));         /* overlong */
    CHECK("3", "length", S("\xed\xa0\x80"));         /* surrogate */
    CHECK("2", "length", S("\xf0\x9f\x98\x80!"));
    CHECK("HELLO \xc3\xa9", "upper", S("hello \xc3\xa9"));
    CHECK("mixed case text!", "lower", S("MiXeD CaSe TeXt!"));
    CHECK("ABCDEFGHIJKLMNOP", "upper", S("ABCDEFGHIJKLMNOP"));
    CHECK("3", "position", S("l"), S("hello"));
    CHECK("3", "strpos", S("h\xc3\xa9llo"), S("l"));
    CHECK("0", "strpos", S("hello"), S("z"));
    CHECK("1", "position", S(""), S("hello"));
    CHECK("hexxo worxd", "replace", S("hello world"), S("l"), S("x"));
    CHECK("hello", "replace", S("hello"), S(""), S("x"));
    CHECK("a++b++c", "replace", S("a--b--c"), S("--"), S("++"));
    CHECK("ab", "replace", S("a--b--"), S("--"), S(""));
    CHECK("true", "starts_with", S("hello"), S("he"));
    CHECK("false", "starts_with", S("he"), S("hello"));
    CHECK("true", "contains", S("hello"), S("ll"));
    CHECK("true", "contains", S("hello"), S(""));
    CHECK("\xc3\xa9lleh", "reverse", S("hell\xc3\xa9"));
    CHECK("ababab", "repeat", S("ab"), I32(3));
    CHECK("", "repeat", S("ab"), I32(-1));
    CHECK_ERR(EMBER_OVERFLOW, "requested length too large", "repeat",
              S("abc"), I64(1000000000));
    CHECK_ERR(EMBER_NOTFOUND, "function upper(INTEGER) does not exist",
              "upper", I32(1));
}

static void test_substring(void **state)
{
    CHECK("he", "substring", S("hello"), I32(0), I32(3));
    CHECK("ell", "substring", S("hello"), I32(2), I32(3));
    CHECK("", "substring", S("hello"), I32(-5), I32(3));
    CHECK("h", "substring", S("hello"), I32(-1), I32(3));
    CHECK("llo", "substring", S("hello"), I32(3));
    CHECK("hello", "substring", S("hello"), I32(-3));
    CHECK("", "substring", S("hello"), I32(10));
    CHECK("", "substring", S("hello"), I32(2), I32(0));
    CHECK("\xc3\xa9l", "substr", S("h\xc3\xa9llo"), I32(2), I32(2));
    CHECK("ello", "substring", S("hello"), I32(2), I64(INT64_MAX));
    CHECK_ERR(EMBER_ERROR, "negative substring length not allowed",
              "substring", S("hello"), I32(1), I32(-1));
    CHECK("he", "left", S("hello"), I32(2));
    CHECK("hel", "left", S("hello"), I32(-2));
    CHECK("", "left", S("hello"), I32(-9));
    CHECK("lo", "right", S("hello"), I32(2));
    CHECK("llo", "right", S("hello"), I32(-2));
    CHECK("hello", "right", S("hello"), I32(99));
    CHECK("\xc3\xa9", "right", S("h\xc3\xa9"), I32(1));
    CHECK("xyxhi", "lpad", S("hi"), I32(5), S("xy"));
    CHECK("hixyx", "rpad", S("hi"), I32(5), S("xy"));
    CHECK("   hi", "lpad", S("hi"), I32(5));
    CHECK("he", "lpad", S("hello"), I32(2));
    CHECK("he", "rpad", S("hello"), I32(2), S("x"));
    CHECK("hi", "lpad", S("hi"), I32(5), S(""));
    CHECK("", "rpad", S("hi"), I32(-1));
    CHECK("\xc3\xa9\xc3\xa9\xc3\xa9" "ab", "lpad", S("ab"), I32(5),
          S("\xc3\xa9"));

    /* Long results point into the argument; the NULL row is poison; a
     * constant start applies to every selected row. */
    Type vc = type_varchar(-1);
    Vector *s = COL(vc, S("0123456789abcdefghij"), NUL, S("xyz"));
    VEC_STR(s)[1] = poison_str();
    Vector *args[3] = {s, konst(I64(3)), konst(I64(15))};
    Vector *o;
    o = run_ok(F_SUBSTRING3, vc, args, 3, NULL, 3);
    expect_str(o, 0, "23456789abcdefg");
    expect_null(o, 1);
    expect_str(o, 2, "z");
    assert_false(o->str_stable);
}

static void test_trim(void **state)
{
    CHECK("a b", "trim", S("  a b  "));
    CHECK("a b  ", "ltrim", S("  a b  "));
    CHECK("  a b", "rtrim", S("  a b  "));
    CHECK("", "trim", S("    "));
    CHECK("a\t", "trim", S(" a\t"));                  /* spaces only */
    CHECK("abc", "trim", S("xyxabcyy"), S("xy"));
    CHECK("abcyy", "ltrim", S("xyxabcyy"), S("xy"));
    CHECK("xyxabc", "rtrim", S("xyxabcyy"), S("xy"));
    CHECK("b", "trim", S("\xc3\xa9" "a" "b" "\xc3\xa9"), S("a\xc3\xa9"));
    CHECK("\xc3\xa9", "rtrim", S("\xc3\xa9\xa9"), S("\xa9"));
    CHECK("xx", "trim", S("xx"), S(""));
    /* A per-row character set. */
    Type vc = type_varchar(-1);
    Vector *s = COL(vc, S("--a--"), S("..b.."));
    Vector *c = COL(vc, S("-"), S("."));
    Vector *args[2] = {s, c};
    Vector *o;
    o = run_ok(F_TRIM2, vc, args, 2, NULL, 2);
    expect_str(o, 0, "a");
    expect_str(o, 1, "b");
}

/* ------------------------------------------------------------------------
 * LIKE
 * ------------------------------------------------------------------------ */

static bool like(const char *s, const char *p)
{
    Value r;
    int rc = EVAL(&r, "like", S(s), S(p));
    if (rc != EMBER_OK)
        fail_msg("like '%s' '%s': %s", s, p, g_err.msg);
    return r.v.i != 0;
}

static bool like_esc(const char *name, const char *s, const char *p,
                     const char *e)
{
    Value r;
    int rc = EVAL(&r, name, S(s), S(p), S(e));
    if (rc != EMBER_OK)
        fail_msg("%s '%s' '%s' '%s': %s", name, s, p, e, g_err.msg);
    return r.v.i != 0;
}

static void test_like_patterns(void **state)
{
    assert_true(like("abc", "abc"));
    assert_false(like("abcd", "abc"));
    assert_true(like("abcd", "abc%"));
    assert_false(like("xabc", "abc%"));
    assert_true(like("xabc", "%abc"));
    assert_true(like("xxabcxx", "%abc%"));
    assert_false(like("xxabxcx", "%abc%"));
    assert_true(like("", "%"));
    assert_true(like("", ""));
    assert_false(like("a", ""));
    assert_true(like("abc", "a_c"));
    assert_false(like("abbc", "a_c"));
    assert_true(like("a\xc3\xa9" "c", "a_c"));           /* _ is a character */
    assert_true(like("\xe2\x82\xac", "_"));
    assert_false(like("\xe2\x82\xac", "__"));
    assert_true(like("abcxyzdef", "abc%def"));
    assert_false(like("abcdef", "abc%cdef"));
    assert_true(like("abcdef", "a%c%f"));
    assert_true(like("aXbYc", "a_b_c"));
    assert_true(like("xaby", "%a_%"));
    assert_true(like("ab", "%_b"));
    assert_false(like("b", "%_b"));
    assert_true(like("ab\xc3\xa9", "%b_"));
    assert_true(like("abab", "%ab"));
    assert_true(like("mississippi", "m%iss%ppi"));
    assert_true(like("mississippi", "%s_i%"));
    assert_false(like("mississippi", "%sz%"));
    assert_true(like("a%b", "a\\%b"));
    assert_false(like("axb", "a\\%b"));
    assert_true(like("a_b", "a\\_b"));
    assert_false(like("axb", "a\\_b"));
    assert_true(like("a\\b", "a\\\\b"));
    assert_true(like("PROMO BRUSHED", "PROMO%"));
    assert_true(like("special requests here", "%special%requests%"));
    assert_false(like("requests special", "%special%requests%"));

    assert_true(like_esc("like", "a%b", "a#%b", "#"));
    assert_false(like_esc("like", "a%", "a\\%", ""));
    assert_true(like_esc("like", "a\\bc", "a\\%", ""));
    assert_true(like_esc("like_escape", "10%", "10!%", "!"));
    assert_true(like_esc("like", "a%", "a%%", "%"));
    assert_false(like_esc("like", "ab", "a%%", "%"));
    Value r;
    assert_rc(EVAL(&r, "like", S("abc"), S("ab\\")), EMBER_ERROR);
    assert_string_equal(g_err.msg,
                        "LIKE pattern must not end with escape character");
    assert_rc(EVAL(&r, "like", S("abc"), S("a"), S("xy")), EMBER_ERROR);
    assert_string_equal(g_err.msg, "invalid escape string");

    assert_true(like_esc("ilike", "HeLLo", "%ell%", "\\"));
    CHECK("true", "ilike", S("Hello World"), S("hello%"));
    CHECK("true", "ilike", S("ABC"), S("a_C"));
    CHECK("false", "like", S("ABC"), S("abc"));
    CHECK("NULL", "like", NUL, S("abc"));
}

static void test_like_vectors(void **state)
{
    Type vc = type_varchar(-1), bt = ty(TYPE_BOOL);
    /* Per-row patterns, a NULL pattern, poison under a NULL string. */
    Vector *s = COL(vc, S("apple"), S("banana"), NUL, S("cherry"), S("date"));
    VEC_STR(s)[2] = poison_str();
    Vector *p = COL(vc, S("a%"), S("%nan%"), S("%"), NUL, S("d_t_"));
    Vector *args[2] = {s, p};
    Vector *o;
    o = run_ok(F_LIKE, bt, args, 2, NULL, 5);
    assert_int_equal(VEC_U8(o)[0], 1);
    assert_int_equal(VEC_U8(o)[1], 1);
    expect_null(o, 2);
    expect_null(o, 3);
    assert_int_equal(VEC_U8(o)[4], 1);
    /* A constant pattern with a selection. */
    SelIdx sel[2] = {1, 4};
    Vector *cargs[2] = {s, konst(S("%a%"))};
    o = run_ok(F_LIKE, bt, cargs, 2, sel, 2);
    assert_int_equal(VEC_U8(o)[1], 1);
    assert_int_equal(VEC_U8(o)[4], 1);

    /* Pathological patterns on long text finish in one pass. */
    size_t len = 200000;
    char *big = arena_alloc(g_arena, len + 2);
    memset(big, 'a', len);
    big[len] = 0;
    assert_false(like(big, "%a%a%a%a%b"));
    assert_false(like(big, "%a_a_a_a_b%"));
    assert_false(like(big, "%aaaaaaaaaaaaaaaaaaaaaab%"));
    assert_true(like(big, "%a%a%a%a%a"));
    big[len] = 'b';
    big[len + 1] = 0;
    assert_true(like(big, "%a%a%a%a%b"));
    assert_true(like(big, "a%_b"));
    assert_true(like_esc("ilike", big, "%A%B", "\\"));
}

/* Naive reference LIKE (no escapes): exponential, fine for short text. */
static bool ref_like(const char *s, size_t n, const char *p, size_t m)
{
    if (m == 0)
        return n == 0;
    if (p[0] == '%') {
        for (size_t i = 0;; i += ((s[i] & 0xe0) == 0xc0) ? 2 : 1) {
            if (ref_like(s + i, n - i, p + 1, m - 1))
                return true;
            if (i >= n)
                return false;
        }
    }
    if (n == 0)
        return false;
    if (p[0] == '_') {
        size_t cl = (s[0] & 0xe0) == 0xc0 ? 2 : 1;
        return ref_like(s + cl, n - cl, p + 1, m - 1);
    }
    return p[0] == s[0] && ref_like(s + 1, n - 1, p + 1, m - 1);
}

/* Random texts over {a, b, e-acute} and patterns over those and % _,
 * per-row patterns through the kernel, against ref_like. */
static void test_like_random(void **state)
{
    static const char *const pieces[] = {"a", "b", "\xc3\xa9", "%", "_"};
    Type vc = type_varchar(-1);
    uint64_t seed = 7;
    for (int round = 0; round < 40; round++) {
        Vector *sv = new_vec(vc), *pv = new_vec(vc);
        for (uint32_t r = 0; r < 256; r++) {
            char *t = arena_alloc(g_arena, 64), *p = arena_alloc(g_arena, 64);
            size_t tn = 0, pn = 0;
            for (uint64_t k = unit_rand(&seed) % 9; k > 0; k--) {
                const char *c = pieces[unit_rand(&seed) % 3];
                memcpy(t + tn, c, strlen(c));
                tn += strlen(c);
            }
            for (uint64_t k = unit_rand(&seed) % 7; k > 0; k--) {
                const char *c = pieces[unit_rand(&seed) % 5];
                memcpy(p + pn, c, strlen(c));
                pn += strlen(c);
            }
            VEC_STR(sv)[r] = str_make(t, (uint32_t)tn);
            VEC_STR(pv)[r] = str_make(p, (uint32_t)pn);
        }
        Vector *args[2] = {sv, pv};
        Vector *o = run_ok(F_LIKE, ty(TYPE_BOOL), args, 2, NULL, 256);
        for (uint32_t r = 0; r < 256; r++) {
            const Str *t = &VEC_STR(sv)[r], *p = &VEC_STR(pv)[r];
            bool want = ref_like(str_data(t), t->len, str_data(p), p->len);
            if (VEC_U8(o)[r] != want)
                fail_msg("'%.*s' LIKE '%.*s': %d", (int)t->len, str_data(t),
                         (int)p->len, str_data(p), VEC_U8(o)[r]);
        }
    }
}

/* ------------------------------------------------------------------------
 * Math
 * ------------------------------------------------------------------------ */

static void test_math(void **state)
{
    CHECK("5", "abs", I32(-5));
    CHECK("1.25", "abs", DEC(-125, 5, 2));
    CHECK("2.5", "abs", F64(-2.5));
    CHECK_ERR(EMBER_OVERFLOW, "integer out of range", "abs", I32(INT32_MIN));
    CHECK_ERR(EMBER_OVERFLOW, "bigint out of range", "abs", I64(INT64_MIN));
    CHECK("3", "round", F64(2.5));
    CHECK("-3", "round", F64(-2.5));
    CHECK("2", "round", F64(2.4999));
    CHECK("3", "round", I32(3));
    CHECK("2.35", "round", F64(2.345), I32(2));
    CHECK("1200", "round", F64(1234.5), I32(-2));
    CHECK("0", "round", F64(1234.5), I32(-400));
    CHECK("1e+305", "round", F64(1e305), I32(10));
    CHECK("3", "round", DEC(250, 5, 2));
    CHECK("-3", "round", DEC(-250, 5, 2));
    CHECK("-1", "ceil", F64(-1.5));
    CHECK("-2", "floor", F64(-1.5));
    CHECK("-1", "ceiling", DEC(-150, 5, 2));
    CHECK("-2", "floor", DEC(-150, 5, 2));
    CHECK("2", "ceil", DEC(101, 5, 2));
    CHECK("1", "floor", DEC(199, 5, 2));
    CHECK("-1", "sign", I32(-4));
    CHECK("0", "sign", F64(0));
    CHECK("1.4142135623730951", "sqrt", I32(2));
    CHECK("1024", "power", I32(2), I32(10));
    CHECK("1", "exp", I32(0));
    CHECK("0", "ln", F64(1));
    CHECK("3", "log10", I32(1000));
    CHECK("2", "log", I32(100));
    CHECK_ERR(EMBER_ERROR, "cannot take square root of a negative number",
              "sqrt", F64(-1));
    CHECK_ERR(EMBER_ERROR, "cannot take logarithm of zero", "ln", I32(0));
    CHECK_ERR(EMBER_ERROR, "cannot take logarithm of a negative number",
              "log10", F64(-2));
    CHECK_ERR(EMBER_ERROR, "zero raised to a negative power is undefined",
              "power", I32(0), I32(-1));
    CHECK_ERR(EMBER_ERROR,
              "a negative number raised to a non-integer power yields a "
              "complex result",
              "power", F64(-8), F64(0.5));
    CHECK_ERR(EMBER_ERROR, "value out of range: overflow", "exp", F64(1000));

    /* round(decimal, n) with the digits passed as a constant. */
    Type d42 = type_decimal(18, 2);
    Vector *x = COL(type_decimal(10, 4), DEC(12345, 10, 4), DEC(-12355, 10, 4),
                    NUL);
    Vector *args[1] = {x};
    Vector *o;
    int64_t two = 2;
    assert_rc(run_kernel(F_ROUND_DEC_N, d42, args, 1, NULL, 3, &o, &two), 0);
    expect_i64(o, 0, 123);                /* 1.2345 -> 1.23 */
    expect_i64(o, 1, -124);               /* half away from zero */
    expect_null(o, 2);
    int64_t minus1 = -1;
    Vector *y = COL(type_decimal(10, 2), DEC(12550, 10, 2), DEC(-449, 10, 2));
    Vector *yargs[1] = {y};
    assert_rc(run_kernel(F_ROUND_DEC_N, type_decimal(18, 0), yargs, 1, NULL, 2,
                         &o, &minus1),
              0);
    expect_i64(o, 0, 130);
    expect_i64(o, 1, 0);
    int64_t six = 6;
    assert_rc(run_kernel(F_ROUND_DEC_N, type_decimal(18, 6), yargs, 1, NULL, 2,
                         &o, &six),
              0);
    expect_i64(o, 0, 125500000);
    /* Without iconst: a constant second argument. */
    Vector *cargs[2] = {y, konst(I32(1))};
    o = run_ok(F_ROUND_DEC_N, type_decimal(18, 1), cargs, 2, NULL, 2);
    expect_i64(o, 0, 1255);
    expect_i64(o, 1, -45);

    /* hash: deterministic, NULL hashes too, order matters. */
    Value h1, h2, h3;
    assert_rc(EVAL(&h1, "hash", I32(1), S("x")), 0);
    assert_rc(EVAL(&h2, "hash", I32(1), S("x")), 0);
    assert_rc(EVAL(&h3, "hash", S("x"), I32(1)), 0);
    assert_i64_equal(h1.v.i, h2.v.i);
    assert_true(h1.v.i != h3.v.i);
    assert_rc(EVAL(&h3, "hash", NUL), 0);
    assert_false(h3.is_null);
}

/* ------------------------------------------------------------------------
 * Casts
 * ------------------------------------------------------------------------ */

/* Cast one value; returns rc, result text in *txt. */
static int cast1(Value v, Type to, const char **txt)
{
    Value out;
    err_clear(&g_err);
    int rc = cast_value(&v, to, &out, g_heap, &g_err, 11);
    if (rc == EMBER_OK) {
        assert_int_equal(out.type.id, to.id);
        *txt = text(out);
    }
    return rc;
}

#define CAST_OK(want, v, to)                                               \
    do {                                                                   \
        const char *t_;                                                    \
        if (cast1(v, to, &t_) != EMBER_OK)                                 \
            fail_msg("cast: %s", g_err.msg);                               \
        assert_string_equal(t_, want);                                     \
    } while (0)

#define CAST_ERR(code, want_msg, v, to)                                    \
    do {                                                                   \
        const char *t_;                                                    \
        assert_rc(cast1(v, to, &t_), code);                                \
        assert_string_equal(g_err.msg, want_msg);                          \
    } while (0)

static void test_cast_numbers(void **state)
{
    Type i32 = ty(TYPE_INT32), i64 = ty(TYPE_INT64), dbl = ty(TYPE_DOUBLE);
    Type bt = ty(TYPE_BOOL);
    CAST_OK("5", I64(5), i32);
    CAST_ERR(EMBER_OVERFLOW, "integer out of range", I64(1ll << 31), i32);
    CAST_OK("-2147483648", I64(INT32_MIN), i32);
    CAST_OK("2", F64(2.5), i32);                    /* half to even */
    CAST_OK("4", F64(3.5), i32);
    CAST_OK("-2", F64(-2.5), i64);
    CAST_ERR(EMBER_OVERFLOW, "integer out of range", F64(2147483647.6), i32);
    CAST_ERR(EMBER_OVERFLOW, "bigint out of range", F64(NAN), i64);
    CAST_ERR(EMBER_OVERFLOW, "bigint out of range", F64(9.3e18), i64);
    CAST_OK("3", DEC(250, 5, 2), i32);              /* half away */
    CAST_OK("-3", DEC(-250, 5, 2), i64);
    CAST_OK("2.5", DEC(250, 5, 2), dbl);
    CAST_OK("1", I32(1), dbl);
    CAST_OK("7", I32(7), dbl);
    CAST_OK("1.50", DEC(15, 5, 1), type_decimal(5, 2));
    CAST_OK("1.3", DEC(125, 5, 2), type_decimal(5, 1));
    CAST_OK("-1.3", DEC(-125, 5, 2), type_decimal(5, 1));
    CAST_ERR(EMBER_OVERFLOW, "numeric field overflow", DEC(12345, 5, 2),
             type_decimal(4, 2));
    CAST_OK("123.00", I32(123), type_decimal(5, 2));
    CAST_ERR(EMBER_OVERFLOW, "numeric field overflow", I32(1234),
             type_decimal(5, 2));
    CAST_OK("1.01", F64(1.005), type_decimal(5, 2));
    CAST_OK("-0.29", F64(-0.285), type_decimal(5, 2));
    CAST_ERR(EMBER_OVERFLOW, "numeric field overflow", F64(1e6),
             type_decimal(5, 2));
    CAST_OK("1", BOOL(true), i32);
    CAST_OK("0", BOOL(false), i64);
    CAST_OK("true", I32(-3), bt);
    CAST_OK("false", I64(0), bt);
    CAST_OK("NULL", NUL, ty(TYPE_DATE));
    assert_true(cast_exists(ty(TYPE_NULL), ty(TYPE_DATE)));
    assert_true(cast_exists(ty(TYPE_BOOL), i32));
    assert_false(cast_exists(ty(TYPE_BOOL), dbl));
    assert_false(cast_exists(ty(TYPE_DATE), i32));
    assert_false(cast_exists(i32, ty(TYPE_DATE)));
    assert_true(cast_exists(ty(TYPE_DATE), type_varchar(-1)));
    assert_true(cast_exists(type_varchar(3), ty(TYPE_DATE)));
    assert_true(cast_exists(type_decimal(5, 2), dbl));
    CAST_ERR(EMBER_TYPE, "cannot cast type DATE to INTEGER",
             date_v(2000, 1, 1), i32);
}

static void test_cast_text(void **state)
{
    Type vc = type_varchar(-1);
    Type i32 = ty(TYPE_INT32), i64 = ty(TYPE_INT64), dbl = ty(TYPE_DOUBLE);
    Type bt = ty(TYPE_BOOL), dt = ty(TYPE_DATE);
    CAST_OK("42", S(" 42 "), i32);
    CAST_OK("-9223372036854775808", S("-9223372036854775808"), i64);
    CAST_ERR(EMBER_TYPE, "invalid input syntax for type integer: \"abc\"",
             S("abc"), i32);
    CAST_ERR(EMBER_TYPE, "invalid input syntax for type bigint: \"1.5\"",
             S("1.5"), i64);
    CAST_ERR(EMBER_OVERFLOW,
             "value \"3000000000\" is out of range for type integer",
             S("3000000000"), i32);
    CAST_OK("1.5", S("1.5"), dbl);
    CAST_OK("Infinity", S("inf"), dbl);
    CAST_OK("-Infinity", S("-Infinity"), dbl);
    CAST_OK("NaN", S("nan"), dbl);
    CAST_ERR(EMBER_TYPE,
             "invalid input syntax for type double precision: \"x1\"",
             S("x1"), dbl);
    CAST_OK("12.35", S("12.345"), type_decimal(10, 2));
    CAST_ERR(EMBER_TYPE, "invalid input syntax for type numeric: \"1,5\"",
             S("1,5"), type_decimal(10, 2));
    CAST_ERR(EMBER_OVERFLOW, "numeric field overflow", S("123456"),
             type_decimal(5, 2));
    CAST_OK("1995-03-15", S(" 1995-03-15 "), dt);
    CAST_ERR(EMBER_TYPE, "invalid input syntax for type date: \"1995/03/15\"",
             S("1995/03/15"), dt);
    CAST_ERR(EMBER_OVERFLOW,
             "date/time field value out of range: \"2021-02-29\"",
             S("2021-02-29"), dt);
    const char *yes[] = {"true", "T", " yes ", "On", "1", "TRUE"};
    const char *no[] = {"false", "f", "NO", "off", "0"};
    for (size_t i = 0; i < ARRAY_LEN(yes); i++)
        CAST_OK("true", S(yes[i]), bt);
    for (size_t i = 0; i < ARRAY_LEN(no); i++)
        CAST_OK("false", S(no[i]), bt);
    CAST_ERR(EMBER_TYPE, "invalid input syntax for type boolean: \"maybe\"",
             S("maybe"), bt);

    CAST_OK("-123", I32(-123), vc);
    CAST_OK("-9223372036854775808", I64(INT64_MIN), vc);
    CAST_OK("0.1", F64(0.1), vc);
    CAST_OK("1e+20", F64(1e20), vc);
    CAST_OK("Infinity", F64(INFINITY), vc);
    CAST_OK("-0.05", DEC(-5, 5, 2), vc);
    CAST_OK("2020-02-29", date_v(2020, 2, 29), vc);
    CAST_OK("true", BOOL(true), vc);
    CAST_OK("1 year 2 mons 3 days", interval_v(14, 3), vc);
    /* VARCHAR(n) is VARCHAR: no truncation. */
    CAST_OK("abcdef", S("abcdef"), type_varchar(3));
}

static void test_cast_vectors(void **state)
{
    /* NULL rows hold unparseable text and poison: no error, no read. */
    Type vc = type_varchar(-1), i32 = ty(TYPE_INT32);
    Vector *in = COL(vc, S("1"), NUL, S("3"), NUL, S("12345678901234"));
    VEC_STR(in)[1] = poison_str();
    VEC_STR(in)[3] = str_make("zz", 2);
    Vector *out = new_vec(i32);
    FnCtx cx = {&g_err, g_heap, 0, i32, NULL};
    err_clear(&g_err);
    SelIdx sel[3] = {0, 1, 2};
    assert_rc(cast_vector(&cx, in, sel, 3, out), EMBER_OK);
    expect_i64(out, 0, 1);
    expect_null(out, 1);
    expect_i64(out, 2, 3);
    assert_rc(cast_vector(&cx, in, NULL, 5, out), EMBER_OVERFLOW);

    /* Overflow under a NULL is ignored; a constant input fills rows. */
    Type i64 = ty(TYPE_INT64);
    Vector *big = COL(i64, I64(1), NUL);
    VEC_I64(big)[1] = INT64_MAX;
    err_clear(&g_err);
    assert_rc(cast_vector(&cx, big, NULL, 2, out), EMBER_OK);
    expect_null(out, 1);
    Vector *c = konst(DEC(-1234, 6, 2));
    Vector *dout = new_vec(vc);
    assert_rc(cast_vector(&cx, c, NULL, 3, dout), EMBER_OK);
    expect_str(dout, 2, "-12.34");
    Vector *cn = konst(NUL);
    assert_rc(cast_vector(&cx, cn, NULL, 3, dout), EMBER_OK);
    expect_null(dout, 0);
    expect_null(dout, 2);
    /* Long text goes to the heap. */
    Vector *f = COL(ty(TYPE_DOUBLE), F64(0.1234567890123), F64(-1e-300));
    assert_rc(cast_vector(&cx, f, NULL, 2, dout), EMBER_OK);
    expect_str(dout, 0, "0.1234567890123");
    expect_str(dout, 1, "-1e-300");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arith_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arith_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arith_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conditional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_substring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_like_patterns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_like_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_like_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_math, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cast_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cast_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cast_vectors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
