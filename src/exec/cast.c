/*
 * cast.c -- conversions between BOOL, INTEGER, BIGINT, DOUBLE,
 * DECIMAL(p,s), DATE and VARCHAR, for CAST and for the implicit casts the
 * resolver asks for.
 *
 * Rules (PostgreSQL's, unless noted):
 *  1. integer -> integer is range checked ("integer out of range");
 *  2. integer and DECIMAL -> DOUBLE convert; DOUBLE -> integer rounds half
 *     to even (rint) and range checks;
 *  3. DECIMAL -> integer rounds half away from zero;
 *  4. -> DECIMAL(p,s) rounds half away from zero to s digits and fails
 *     with "numeric field overflow" when p digits do not hold the value;
 *  5. BOOL <-> integer: 0 is false, anything else true, true is 1;
 *  6. VARCHAR -> anything parses the text (surrounding spaces allowed),
 *     anything -> VARCHAR prints it as value_format does;
 *  7. DATE converts only to and from VARCHAR;
 *  8. an untyped NULL converts to anything;
 *  9. VARCHAR -> VARCHAR(n) does not truncate or check the length: ember
 *     treats VARCHAR(n) as VARCHAR (PostgreSQL would truncate on an
 *     explicit cast and fail on assignment).
 *
 * The kernel copies validity from the input, then converts the active
 * rows. Errors are raised only for valid rows: values under NULLs are
 * garbage, and string bytes under NULLs are never read.
 */
#include <math.h>

#include "exec/func_int.h"

/* ------------------------------------------------------------------------
 * Which casts exist
 * ------------------------------------------------------------------------ */

static bool is_int_id(int id)
{
    return id == TYPE_INT32 || id == TYPE_INT64;
}

static bool is_num_id(int id)
{
    return is_int_id(id) || id == TYPE_DOUBLE || id == TYPE_DECIMAL;
}

bool cast_exists(Type from, Type to)
{
    int f = from.id;
    int t = to.id;
    if (f == TYPE_NULL || f == t)
        return true;
    if (t == TYPE_NULL)
        return false;
    if (t == TYPE_VARCHAR)
        return f != TYPE__COUNT;
    if (f == TYPE_VARCHAR)
        return t != TYPE_INTERVAL;
    if (is_num_id(f) && is_num_id(t))
        return true;
    return (f == TYPE_BOOL && is_int_id(t)) || (is_int_id(f) && t == TYPE_BOOL);
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static int numeric_overflow(FnCtx *cx)
{
    return err_set(cx->err, EMBER_OVERFLOW, cx->pos, "numeric field overflow");
}

static int int_overflow(FnCtx *cx, int to_id)
{
    return err_set(cx->err, EMBER_OVERFLOW, cx->pos, "%s out of range",
                   to_id == TYPE_INT32 ? "integer" : "bigint");
}

/* "invalid input syntax for type integer: "abc"" */
static int bad_text(FnCtx *cx, const char *type_name, const Str *s)
{
    return err_set(cx->err, EMBER_TYPE, cx->pos,
                   "invalid input syntax for type %s: \"%.*s\"", type_name,
                   (int)MIN(s->len, 200u), str_data(s));
}

static const char *sql_name(int id)
{
    switch (id) {
    case TYPE_BOOL:
        return "boolean";
    case TYPE_INT32:
        return "integer";
    case TYPE_INT64:
        return "bigint";
    case TYPE_DOUBLE:
        return "double precision";
    case TYPE_DECIMAL:
        return "numeric";
    case TYPE_DATE:
        return "date";
    default:
        return "text";
    }
}

/* ------------------------------------------------------------------------
 * Validity and plain copies
 * ------------------------------------------------------------------------ */

/* Give out the validity of in's active rows. Returns false when every row
 * is NULL (a NULL constant or an untyped NULL), with out all NULL. */
static bool copy_validity(const Vector *in, const SelIdx *sel, uint32_t n,
                          Vector *out)
{
    bool all_null = in->type.id == TYPE_NULL ||
                    (in->is_const && !vec_valid(in, 0));
    if (all_null) {
        memset(out->validity, 0, VEC_WORDS * sizeof(uint64_t));
        out->has_nulls = true;
        return false;
    }
    if (!in->has_nulls || in->is_const) {
        out->has_nulls = false;
        return true;
    }
    out->has_nulls = true;
    if (sel == NULL) {
        memcpy(out->validity, in->validity,
               ((n + 63) / 64) * sizeof(uint64_t));
        return true;
    }
    for (uint32_t k = 0; k < n; k++)
        validity_set(out->validity, sel[k], bit_valid(in->validity, sel[k]));
    return true;
}

#define OP_COPY(x, d, f) ((d) = (x))
#define OP_TO_BOOL(x, d, f) ((d) = (uint8_t)((x) != 0))
#define OP_I64_TO_I32(x, d, f)                                             \
    do {                                                                   \
        int64_t x_ = (x);                                                  \
        (d) = (int32_t)x_;                                                 \
        (f) |= x_ < INT32_MIN || x_ > INT32_MAX;                           \
    } while (0)
/* rint, then a range test that NaN fails too. */
#define OP_F64_TO_INT(T, LO, HI, x, d, f)                                  \
    do {                                                                   \
        double r_ = rint(x);                                               \
        bool ok_ = r_ >= (LO) && r_ < (HI);                                \
        (d) = ok_ ? (T)r_ : 0;                                             \
        (f) |= !ok_;                                                       \
    } while (0)
#define OP_F64_TO_I32(x, d, f)                                             \
    OP_F64_TO_INT(int32_t, -2147483648.0, 2147483648.0, x, d, f)
#define OP_F64_TO_I64(x, d, f)                                             \
    OP_F64_TO_INT(int64_t, -9223372036854775808.0, 9223372036854775808.0,  \
                  x, d, f)

FN_DEF_UNARY(copy_u8, uint8_t, uint8_t, int, OP_COPY)
FN_DEF_UNARY(copy_i32, int32_t, int32_t, int, OP_COPY)
FN_DEF_UNARY(copy_i64, int64_t, int64_t, int, OP_COPY)
FN_DEF_UNARY(copy_f64, double, double, int, OP_COPY)
FN_DEF_UNARY(copy_str, Str, Str, int, OP_COPY)
FN_DEF_UNARY(u8_to_i32, uint8_t, int32_t, int, OP_COPY)
FN_DEF_UNARY(u8_to_i64, uint8_t, int64_t, int, OP_COPY)
FN_DEF_UNARY(i32_to_u8, int32_t, uint8_t, int, OP_TO_BOOL)
FN_DEF_UNARY(i64_to_u8, int64_t, uint8_t, int, OP_TO_BOOL)
FN_DEF_UNARY(i32_to_i64, int32_t, int64_t, int, OP_COPY)
FN_DEF_UNARY(i32_to_f64, int32_t, double, int, OP_COPY)
FN_DEF_UNARY(i64_to_f64, int64_t, double, int, OP_COPY)
FN_DEF_UNARY(i64_to_i32, int64_t, int32_t, int, OP_I64_TO_I32)
FN_DEF_UNARY(f64_to_i32, double, int32_t, int, OP_F64_TO_I32)
FN_DEF_UNARY(f64_to_i64, double, int64_t, int, OP_F64_TO_I64)
FN_DEF_RECHECK1(i64_to_i32_bad, int64_t, int32_t, int, OP_I64_TO_I32, 1)
FN_DEF_RECHECK1(f64_to_i32_bad, double, int32_t, int, OP_F64_TO_I32, 1)
FN_DEF_RECHECK1(f64_to_i64_bad, double, int64_t, int, OP_F64_TO_I64, 1)

static int copy_values(const Vector *in, const SelIdx *sel, uint32_t n,
                       Vector *out)
{
    switch ((PhysType)in->phys) {
    case PHYS_U8:
        copy_u8(in, out, sel, n);
        break;
    case PHYS_I32:
        copy_i32(in, out, sel, n);
        break;
    case PHYS_I64:
        copy_i64(in, out, sel, n);
        break;
    case PHYS_F64:
        copy_f64(in, out, sel, n);
        break;
    case PHYS_STR:
        copy_str(in, out, sel, n);
        out->str_stable = in->str_stable;
        break;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Numeric conversions
 * ------------------------------------------------------------------------ */

/* Integer (INT32 or INT64) -> DECIMAL(p,s). */
static int int_to_decimal(FnCtx *cx, const Vector *in, const SelIdx *sel,
                          uint32_t n, Vector *out)
{
    int64_t mul = pow10_i64[out->type.scale];
    int64_t lim = pow10_i64[out->type.prec];
    int64_t *o = VEC_I64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        uint32_t i = ARG_ROW(in, r);
        int64_t x = in->phys == PHYS_I32 ? VEC_I32(in)[i] : VEC_I64(in)[i];
        int64_t v;
        bool bad = __builtin_mul_overflow(x, mul, &v) || v >= lim ||
                   v <= -lim;
        if (UNLIKELY(bad) && out_valid(out, r))
            return numeric_overflow(cx);
        o[r] = v;
    }
    return EMBER_OK;
}

/* v / 10^k rounded half away from zero, 0 <= k <= 18. */
static int64_t div_round(int64_t v, int k)
{
    if (k == 0)
        return v;
    int64_t p = pow10_i64[k];
    int64_t q = v / p;
    int64_t rem = v % p;
    uint64_t twice = 2 * (uint64_t)(rem < 0 ? -rem : rem);
    if (twice >= (uint64_t)p)
        q += v < 0 ? -1 : 1;
    return q;
}

/* DECIMAL(p1,s1) -> DECIMAL(p2,s2). */
static int decimal_to_decimal(FnCtx *cx, const Vector *in, const SelIdx *sel,
                              uint32_t n, Vector *out)
{
    int s1 = in->type.scale;
    int s2 = out->type.scale;
    int64_t lim = pow10_i64[out->type.prec];
    const int64_t *a = VEC_I64(in);
    int64_t *o = VEC_I64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        int64_t x = a[ARG_ROW(in, r)];
        int64_t v;
        bool bad;
        if (s2 >= s1) {
            bad = __builtin_mul_overflow(x, pow10_i64[s2 - s1], &v);
        } else {
            v = div_round(x, s1 - s2);
            bad = false;
        }
        bad = bad || v >= lim || v <= -lim;
        if (UNLIKELY(bad) && out_valid(out, r))
            return numeric_overflow(cx);
        o[r] = v;
    }
    return EMBER_OK;
}

/* DECIMAL(p,s) -> INT32 / INT64 / DOUBLE. */
static int decimal_to_other(FnCtx *cx, const Vector *in, const SelIdx *sel,
                            uint32_t n, Vector *out)
{
    int s = in->type.scale;
    const int64_t *a = VEC_I64(in);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        int64_t x = a[ARG_ROW(in, r)];
        switch (out->type.id) {
        case TYPE_DOUBLE:
            VEC_F64(out)[r] = decimal_to_double(x, s);
            break;
        case TYPE_INT64:
            VEC_I64(out)[r] = div_round(x, s);
            break;
        default: {
            int64_t v = div_round(x, s);
            if (UNLIKELY(v < INT32_MIN || v > INT32_MAX) && out_valid(out, r))
                return int_overflow(cx, TYPE_INT32);
            VEC_I32(out)[r] = (int32_t)v;
            break;
        }
        }
    }
    return EMBER_OK;
}

static int double_to_decimal(FnCtx *cx, const Vector *in, const SelIdx *sel,
                             uint32_t n, Vector *out)
{
    const double *a = VEC_F64(in);
    int64_t *o = VEC_I64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r))
            continue;
        int rc = decimal_from_double(a[ARG_ROW(in, r)], out->type.prec,
                                     out->type.scale, &o[r]);
        if (rc != EMBER_OK)
            return numeric_overflow(cx);
    }
    return EMBER_OK;
}

static int cast_checked(FnCtx *cx, const Vector *in, const SelIdx *sel,
                        uint32_t n, Vector *out);

/* Casts between BOOL, INT32, INT64 and DOUBLE (not DECIMAL). */
static int cast_simple(FnCtx *cx, const Vector *in, const SelIdx *sel,
                       uint32_t n, Vector *out)
{
    int f = in->type.id;
    int t = out->type.id;
    if (f == TYPE_BOOL && t == TYPE_INT32)
        u8_to_i32(in, out, sel, n);
    else if (f == TYPE_BOOL)
        u8_to_i64(in, out, sel, n);
    else if (t == TYPE_BOOL && f == TYPE_INT32)
        i32_to_u8(in, out, sel, n);
    else if (t == TYPE_BOOL)
        i64_to_u8(in, out, sel, n);
    else if (f == TYPE_INT32 && t == TYPE_INT64)
        i32_to_i64(in, out, sel, n);
    else if (f == TYPE_INT32 && t == TYPE_DOUBLE)
        i32_to_f64(in, out, sel, n);
    else if (f == TYPE_INT64 && t == TYPE_DOUBLE)
        i64_to_f64(in, out, sel, n);
    else
        return cast_checked(cx, in, sel, n, out);
    return EMBER_OK;
}

/* The casts of cast_simple that can overflow: INT64 -> INT32 and DOUBLE
 * -> integer. */
static int cast_checked(FnCtx *cx, const Vector *in, const SelIdx *sel,
                        uint32_t n, Vector *out)
{
    int f = in->type.id;
    int t = out->type.id;
    if (f == TYPE_INT64) {
        if (i64_to_i32(in, out, sel, n) && i64_to_i32_bad(in, out, sel, n))
            return int_overflow(cx, TYPE_INT32);
        return EMBER_OK;
    }
    if (t == TYPE_INT32) {
        if (f64_to_i32(in, out, sel, n) && f64_to_i32_bad(in, out, sel, n))
            return int_overflow(cx, TYPE_INT32);
        return EMBER_OK;
    }
    if (f64_to_i64(in, out, sel, n) && f64_to_i64_bad(in, out, sel, n))
        return int_overflow(cx, TYPE_INT64);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Text -> value
 * ------------------------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* PostgreSQL's boolean spellings, any case, surrounding spaces allowed. */
static bool parse_bool(const char *s, size_t len, uint8_t *out)
{
    static const struct {
        const char *word;
        uint8_t value;
    } words[] = {
        {"true", 1}, {"false", 0}, {"t", 1},  {"f", 0},   {"yes", 1},
        {"no", 0},   {"on", 1},    {"off", 0}, {"1", 1},  {"0", 0},
        {"y", 1},    {"n", 0},
    };
    while (len > 0 && is_space(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_space(s[len - 1]))
        len--;
    for (size_t i = 0; i < ARRAY_LEN(words); i++) {
        if (strlen(words[i].word) == len &&
            strncasecmp(words[i].word, s, len) == 0) {
            *out = words[i].value;
            return true;
        }
    }
    return false;
}

/* Does the text look like a date (digits-digits-digits), so that a
 * failure to parse it is a field out of range, not a syntax error? */
static bool looks_like_date(const char *s, size_t len)
{
    int fields = 0;
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    while (len > i && is_space(s[len - 1]))
        len--;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
        fields++;
        if (i < len && (s[i] != '-' || fields == 3))
            return false;
        if (i < len)
            i++;
    }
    return fields == 3;
}

static int parse_one(FnCtx *cx, const Str *str, Vector *out, uint32_t r)
{
    const char *s = str_data(str);
    size_t len = str->len;
    int t = out->type.id;
    int64_t i64 = 0;
    int rc;
    switch (t) {
    case TYPE_BOOL:
        if (!parse_bool(s, len, &VEC_U8(out)[r]))
            return bad_text(cx, "boolean", str);
        return EMBER_OK;
    case TYPE_INT32:
    case TYPE_INT64:
        rc = parse_int64(s, len, &i64);
        if (rc == EMBER_OK && t == TYPE_INT32 &&
            (i64 < INT32_MIN || i64 > INT32_MAX))
            rc = EMBER_OVERFLOW;
        if (rc == EMBER_OVERFLOW)
            return err_set(cx->err, EMBER_OVERFLOW, cx->pos,
                           "value \"%.*s\" is out of range for type %s",
                           (int)MIN(len, 200u), s, sql_name(t));
        if (rc != EMBER_OK)
            return bad_text(cx, sql_name(t), str);
        if (t == TYPE_INT32)
            VEC_I32(out)[r] = (int32_t)i64;
        else
            VEC_I64(out)[r] = i64;
        return EMBER_OK;
    case TYPE_DOUBLE:
        rc = parse_double(s, len, &VEC_F64(out)[r]);
        if (rc == EMBER_OVERFLOW)
            return err_set(cx->err, EMBER_OVERFLOW, cx->pos,
                           "\"%.*s\" is out of range for type double "
                           "precision", (int)MIN(len, 200u), s);
        if (rc == EMBER_NOMEM)
            return err_nomem(cx->err);
        if (rc != EMBER_OK)
            return bad_text(cx, "double precision", str);
        return EMBER_OK;
    case TYPE_DECIMAL:
        rc = decimal_parse(s, len, out->type.prec, out->type.scale,
                           &VEC_I64(out)[r]);
        if (rc == EMBER_OVERFLOW)
            return numeric_overflow(cx);
        if (rc != EMBER_OK)
            return bad_text(cx, "numeric", str);
        return EMBER_OK;
    case TYPE_DATE:
        if (date_parse(s, len, &VEC_I32(out)[r]))
            return EMBER_OK;
        if (looks_like_date(s, len))
            return err_set(cx->err, EMBER_OVERFLOW, cx->pos,
                           "date/time field value out of range: \"%.*s\"",
                           (int)MIN(len, 200u), s);
        return bad_text(cx, "date", str);
    default:
        break;
    }
    return err_set(cx->err, EMBER_INTERNAL, cx->pos,
                   "cast from text to type %d", t);
}

static int cast_from_text(FnCtx *cx, const Vector *in, const SelIdx *sel,
                          uint32_t n, Vector *out)
{
    const Str *a = VEC_STR(in);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r))
            continue;
        int rc = parse_one(cx, &a[ARG_ROW(in, r)], out, r);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Value -> text
 * ------------------------------------------------------------------------ */

/* Decimal digits of v into the end of buf[24]; returns the start. */
static char *format_int(int64_t v, char *end)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (v < 0)
        *--p = '-';
    return p;
}

/* Text of row i of `in` into buf (64 bytes); returns start and length. */
static const char *format_row(const Vector *in, uint32_t i, char *buf,
                              size_t *len)
{
    Value v;
    switch (in->type.id) {
    case TYPE_BOOL:
        *len = VEC_U8(in)[i] ? 4 : 5;
        return VEC_U8(in)[i] ? "true" : "false";
    case TYPE_INT32:
    case TYPE_INT64: {
        int64_t x = in->phys == PHYS_I32 ? VEC_I32(in)[i] : VEC_I64(in)[i];
        char *p = format_int(x, buf + 24);
        *len = (size_t)(buf + 24 - p);
        return p;
    }
    case TYPE_DOUBLE:
        *len = (size_t)double_format(VEC_F64(in)[i], buf);
        return buf;
    case TYPE_DECIMAL:
        *len = (size_t)decimal_format(VEC_I64(in)[i], in->type.scale, buf);
        return buf;
    case TYPE_DATE:
        *len = (size_t)date_format(VEC_I32(in)[i], buf);
        return buf;
    default:
        v = vector_get_value(in, i);
        *len = MIN(value_format(&v, buf, 64), 63);
        return buf;
    }
}

static int cast_to_text(FnCtx *cx, const Vector *in, const SelIdx *sel,
                        uint32_t n, Vector *out)
{
    Str *o = VEC_STR(out);
    char buf[64];
    out->str_stable = false;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r)) {
            o[r] = str_empty();
            continue;
        }
        size_t len;
        const char *text = format_row(in, ARG_ROW(in, r), buf, &len);
        char *p = fn_str_alloc(cx, &o[r], (uint32_t)len);
        if (p == NULL)
            return err_nomem(cx->err);
        memcpy(p, text, len);
        fn_str_done(&o[r], p);
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------ */

int cast_vector(FnCtx *cx, const Vector *in, const SelIdx *sel, uint32_t n,
                Vector *out)
{
    assert(in != out);
    int f = in->type.id;
    int t = out->type.id;
    if (!cast_exists(in->type, out->type)) {
        char b1[32], b2[32];
        return err_set(cx->err, EMBER_TYPE, cx->pos,
                       "cannot cast type %s to %s",
                       type_name(in->type, b1, sizeof(b1)),
                       type_name(out->type, b2, sizeof(b2)));
    }
    if (!copy_validity(in, sel, n, out))
        return EMBER_OK;
    if (t == TYPE_VARCHAR && f != TYPE_VARCHAR)
        return cast_to_text(cx, in, sel, n, out);
    if (f == TYPE_VARCHAR && t != TYPE_VARCHAR)
        return cast_from_text(cx, in, sel, n, out);
    if (f == TYPE_DECIMAL && t == TYPE_DECIMAL) {
        if (in->type.scale == out->type.scale &&
            in->type.prec <= out->type.prec)
            return copy_values(in, sel, n, out);
        return decimal_to_decimal(cx, in, sel, n, out);
    }
    if (f == t)
        return copy_values(in, sel, n, out);
    if (t == TYPE_DECIMAL) {
        if (f == TYPE_DOUBLE)
            return double_to_decimal(cx, in, sel, n, out);
        return int_to_decimal(cx, in, sel, n, out);
    }
    if (f == TYPE_DECIMAL)
        return decimal_to_other(cx, in, sel, n, out);
    return cast_simple(cx, in, sel, n, out);
}

int cast_value(const Value *in, Type to, Value *out, Arena *heap, Err *err,
               int pos)
{
    memset(out, 0, sizeof(*out));
    out->type = to;
    if (in->is_null || in->type.id == TYPE_NULL) {
        if (!cast_exists(in->type, to)) {
            char b1[32], b2[32];
            return err_set(err, EMBER_TYPE, pos, "cannot cast type %s to %s",
                           type_name(in->type, b1, sizeof(b1)),
                           type_name(to, b2, sizeof(b2)));
        }
        out->is_null = true;
        return EMBER_OK;
    }
    /* One-row vectors over local storage; vector_set_null may touch the
     * whole bitmap, so both get a full one. */
    uint64_t in_data[2], out_data[2];
    uint64_t in_valid[VEC_WORDS], out_valid_bits[VEC_WORDS];
    Vector iv = {.type = in->type, .phys = (uint8_t)type_phys(in->type),
                 .data = in_data, .validity = in_valid};
    Vector ov = {.type = to, .phys = (uint8_t)type_phys(to),
                 .data = out_data, .validity = out_valid_bits};
    vector_put_value(&iv, 0, in);
    FnCtx cx = {.err = err, .heap = heap, .pos = pos, .out_type = to};
    int rc = cast_vector(&cx, &iv, NULL, 1, &ov);
    if (rc != EMBER_OK)
        return rc;
    *out = vector_get_value(&ov, 0);
    out->type = to;
    return EMBER_OK;
}
