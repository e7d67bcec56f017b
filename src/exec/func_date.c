/*
 * func_date.c -- date arithmetic (date +- days, date - date, date +-
 * interval) and EXTRACT fields.
 *
 * A DATE is int32 days since 1970-01-01 and must stay within years
 * 1..9999; leaving that range is the error "date out of range". Adding an
 * interval adds its months first (clamping the day to the end of the
 * month, 2020-01-31 + 1 month = 2020-02-29) and then its days, as
 * PostgreSQL does; subtracting adds the negated interval. The operand
 * order is free for + (int + date, interval + date): the kernels look at
 * the argument types.
 *
 * Arithmetic is done in int64 so garbage in NULL rows cannot overflow;
 * range errors are raised only for valid rows.
 */
#include "exec/func_int.h"

#define DATE_MIN_DAYS (-719162)     /* 0001-01-01 */
#define DATE_MAX_DAYS 2932896       /* 9999-12-31 */

static int date_range_error(FnCtx *cx)
{
    return err_set(cx->err, EMBER_OVERFLOW, cx->pos, "date out of range");
}

/* ------------------------------------------------------------------------
 * date +- integer days, date - date
 * ------------------------------------------------------------------------ */

#define DATE_FITS(r) ((r) >= DATE_MIN_DAYS && (r) <= DATE_MAX_DAYS)
#define OP_DATE_ADD(x, y, d, f)                                            \
    do {                                                                   \
        int64_t r_ = (int64_t)(x) + (y);                                   \
        (d) = (int32_t)r_;                                                 \
        (f) |= !DATE_FITS(r_);                                             \
    } while (0)
#define OP_DATE_SUB(x, y, d, f)                                            \
    do {                                                                   \
        int64_t r_ = (int64_t)(x) - (y);                                   \
        (d) = (int32_t)r_;                                                 \
        (f) |= !DATE_FITS(r_);                                             \
    } while (0)
/* The difference of two valid dates always fits; wrap for garbage. */
#define OP_DATE_DIFF(x, y, d, f)                                           \
    ((d) = (int32_t)((uint32_t)(x) - (uint32_t)(y)))

FN_DEF_BINARY(date_add, int32_t, int32_t, int32_t, int, OP_DATE_ADD)
FN_DEF_BINARY(date_sub, int32_t, int32_t, int32_t, int, OP_DATE_SUB)
FN_DEF_BINARY(date_diff, int32_t, int32_t, int32_t, int, OP_DATE_DIFF)
FN_DEF_RECHECK(date_add_bad, int32_t, int32_t, int32_t, int, OP_DATE_ADD, 1)
FN_DEF_RECHECK(date_sub_bad, int32_t, int32_t, int32_t, int, OP_DATE_SUB, 1)

FUNC_KERNEL(func_date_add_days)
{
    assert(n_args == 2);
    Vector *d = args[0];
    Vector *i = args[1];
    if (d->type.id != TYPE_DATE) {          /* int + date */
        d = args[1];
        i = args[0];
    }
    if (UNLIKELY(date_add(d, i, out, sel, n)) &&
        date_add_bad(d, i, out, sel, n))
        return date_range_error(cx);
    return EMBER_OK;
}

FUNC_KERNEL(func_date_sub_days)
{
    assert(n_args == 2);
    if (UNLIKELY(date_sub(args[0], args[1], out, sel, n)) &&
        date_sub_bad(args[0], args[1], out, sel, n))
        return date_range_error(cx);
    return EMBER_OK;
}

FUNC_KERNEL(func_date_diff)
{
    assert(n_args == 2);
    date_diff(args[0], args[1], out, sel, n);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * date +- interval
 * ------------------------------------------------------------------------ */

/* d + sign * iv; false when the result leaves the date range. */
static bool add_interval(int32_t d, int64_t iv, int sign, int32_t *out)
{
    int64_t months = (int64_t)sign * interval_months(iv);
    int64_t days = (int64_t)sign * interval_days(iv);
    int32_t t = d;
    if (!DATE_FITS(d) || months < INT32_MIN || months > INT32_MAX)
        return false;
    if (months != 0 && !date_add_months(d, (int32_t)months, &t))
        return false;
    int64_t r = (int64_t)t + days;
    if (!DATE_FITS(r))
        return false;
    *out = (int32_t)r;
    return true;
}

static int interval_kernel(FnCtx *cx, Vector **args, const SelIdx *sel,
                           uint32_t n, Vector *out, int sign)
{
    const Vector *dv = args[0];
    const Vector *iv = args[1];
    if (dv->type.id != TYPE_DATE) {         /* interval + date */
        dv = args[1];
        iv = args[0];
    }
    const int32_t *d = VEC_I32(dv);
    const int64_t *ivs = VEC_I64(iv);
    int32_t *o = VEC_I32(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r))
            continue;
        if (!add_interval(d[ARG_ROW(dv, r)], ivs[ARG_ROW(iv, r)], sign,
                          &o[r]))
            return date_range_error(cx);
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_date_add_interval)
{
    assert(n_args == 2);
    return interval_kernel(cx, args, sel, n, out, 1);
}

FUNC_KERNEL(func_date_sub_interval)
{
    assert(n_args == 2);
    return interval_kernel(cx, args, sel, n, out, -1);
}

/* ------------------------------------------------------------------------
 * EXTRACT(field FROM date) -> BIGINT
 * ------------------------------------------------------------------------ */

static int64_t quarter_of(int32_t d)
{
    return (date_extract_month(d) - 1) / 3 + 1;
}

/* ISO 8601 week: weeks start on Monday and week 1 is the one holding the
 * year's first Thursday, so a date's week is that of the Thursday of its
 * week, counted within the Thursday's year. */
static int64_t iso_week_of(int32_t d)
{
    int wd = (date_extract_dow(d) + 6) % 7;      /* Monday = 0 */
    int32_t thursday = d - wd + 3;
    return (date_extract_doy(thursday) - 1) / 7 + 1;
}

#define EXTRACT_KERNEL(KNAME, EXPR)                                        \
    FUNC_KERNEL(KNAME)                                                     \
    {                                                                      \
        assert(n_args == 1);                                               \
        const Vector *v = args[0];                                         \
        const int32_t *a = VEC_I32(v);                                     \
        int64_t *o = VEC_I64(out);                                         \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            int32_t d = a[ARG_ROW(v, r)];                                  \
            /* garbage in NULL rows is harmless but clamp it anyway */     \
            if (!DATE_FITS(d))                                             \
                d = 0;                                                     \
            o[r] = (EXPR);                                                 \
        }                                                                  \
        return EMBER_OK;                                                   \
    }

EXTRACT_KERNEL(func_extract_year, date_extract_year(d))
EXTRACT_KERNEL(func_extract_month, date_extract_month(d))
EXTRACT_KERNEL(func_extract_day, date_extract_day(d))
EXTRACT_KERNEL(func_extract_quarter, quarter_of(d))
EXTRACT_KERNEL(func_extract_dow, date_extract_dow(d))
EXTRACT_KERNEL(func_extract_doy, date_extract_doy(d))
EXTRACT_KERNEL(func_extract_week, iso_week_of(d))
EXTRACT_KERNEL(func_extract_epoch, (int64_t)d * 86400)
