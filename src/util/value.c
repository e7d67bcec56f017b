/*
 * value.c -- boxed SQL values: constructors and text rendering.
 *
 * Values carry constants, parameters and API results; the executor works
 * on vectors instead. A VARCHAR value borrows its bytes (see Str): the
 * value must not outlive them. Text rendering follows PostgreSQL's output
 * functions: "true"/"false", decimals with exactly their scale, shortest
 * round-trip doubles, "YYYY-MM-DD" dates, "1 year 2 mons 3 days"
 * intervals.
 */
#include <inttypes.h>
#include <stdio.h>

#include "util/util.h"

Value value_null(void)
{
    Value v;
    memset(&v, 0, sizeof(v));
    v.type = type_make(TYPE_NULL);
    v.is_null = true;
    return v;
}

static Value make_int(Type t, int64_t i)
{
    Value v;
    memset(&v, 0, sizeof(v));
    v.type = t;
    v.v.i = i;
    return v;
}

Value value_bool(bool b)
{
    return make_int(type_make(TYPE_BOOL), b ? 1 : 0);
}

Value value_int32(int32_t i)
{
    return make_int(type_make(TYPE_INT32), i);
}

Value value_int64(int64_t i)
{
    return make_int(type_make(TYPE_INT64), i);
}

Value value_double(double d)
{
    Value v = make_int(type_make(TYPE_DOUBLE), 0);
    v.v.d = d;
    return v;
}

Value value_decimal(int64_t scaled, int prec, int scale)
{
    return make_int(type_decimal(prec, scale), scaled);
}

Value value_date(int32_t days)
{
    return make_int(type_make(TYPE_DATE), days);
}

Value value_str(Str s)
{
    Value v = make_int(type_varchar(-1), 0);
    v.v.s = s;
    return v;
}

/* Interval text under construction. */
typedef struct IntervalText {
    char *buf;
    size_t cap;
    int len;                   /* full length so far, may exceed cap */
    bool prev_negative;        /* the last part printed was negative */
} IntervalText;

/* Append "<n> <unit>[s]" for a nonzero part, PostgreSQL style: parts are
 * separated by a space, the unit is singular only for exactly 1 ("-1
 * mons"), and a positive part after a negative one gets a '+' so the
 * signs read unambiguously ("-1 mons +2 days"). */
static void interval_part(IntervalText *t, int64_t n, const char *unit)
{
    if (n == 0)
        return;
    size_t off = (size_t)t->len < t->cap ? (size_t)t->len : t->cap;
    t->len += snprintf(t->buf + off, t->cap - off, "%s%s%" PRId64 " %s%s",
                       t->len ? " " : "", t->prev_negative && n > 0 ? "+" : "",
                       n, unit, n == 1 ? "" : "s");
    t->prev_negative = n < 0;
}

/* Render an interval into buf (64 bytes are always enough); a zero
 * interval reads "00:00:00" as in PostgreSQL. */
static int format_interval(int64_t iv, char *buf, size_t cap)
{
    int64_t months = interval_months(iv);
    int64_t days = interval_days(iv);
    if (months == 0 && days == 0)
        return snprintf(buf, cap, "00:00:00");
    IntervalText t = {buf, cap, 0, false};
    interval_part(&t, months / 12, "year");
    interval_part(&t, months % 12, "mon");
    interval_part(&t, days, "day");
    return t.len;
}

/* Render every non-VARCHAR value into `tmp` (64 bytes). */
static int format_scalar(const Value *v, char *tmp)
{
    switch ((TypeId)v->type.id) {
    case TYPE_BOOL:
        return snprintf(tmp, 64, "%s", v->v.i ? "true" : "false");
    case TYPE_INT32:
    case TYPE_INT64:
        return snprintf(tmp, 64, "%" PRId64, v->v.i);
    case TYPE_DECIMAL:
        return decimal_format(v->v.i, v->type.scale, tmp);
    case TYPE_DOUBLE:
        return double_format(v->v.d, tmp);
    case TYPE_DATE:
        return date_format((int32_t)v->v.i, tmp);
    case TYPE_INTERVAL:
        return format_interval(v->v.i, tmp, 64);
    case TYPE_NULL:
    case TYPE_VARCHAR:
    case TYPE__COUNT:
        break;
    }
    assert(!"value_format: unexpected type");
    return snprintf(tmp, 64, "?type %d", v->type.id);
}

size_t value_format(const Value *v, char *buf, size_t cap)
{
    char tmp[64];
    const char *text;
    size_t len;
    if (v->is_null || v->type.id == TYPE_NULL) {
        text = "NULL";
        len = 4;
    } else if (v->type.id == TYPE_VARCHAR) {
        text = str_data(&v->v.s);
        len = v->v.s.len;
    } else {
        text = tmp;
        len = (size_t)format_scalar(v, tmp);
    }
    if (cap > 0) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(buf, text, n);
        buf[n] = 0;
    }
    return len;
}
