/*
 * date.c -- calendar dates as int32 days since 1970-01-01.
 *
 * The calendar is proleptic Gregorian over years 1..9999, the range the
 * parser accepts and the formatter prints in four digits. Conversions are
 * O(1): a year is shifted to start on March 1st so that the leap day is the
 * last day of its year, which makes the day of the year a linear function
 * of the month, and years group into 400-year eras of exactly 146097 days.
 *
 * Invariants: date_from_ymd and date_to_ymd are inverse on every valid
 * date; weekdays follow from 1970-01-01 being a Thursday.
 */
#include <stdio.h>

#include "util/util.h"

#define DAYS_PER_ERA 146097       /* days in 400 Gregorian years */
/* Days from 0000-03-01 (day 0 of era 0) to 1970-01-01. */
#define EPOCH_SHIFT 719468

/* Floor division for a possibly negative numerator, positive divisor. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && a < 0)
        q--;
    return q;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int8_t len[12] = {31, 28, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

bool date_valid_ymd(int y, int m, int d)
{
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days_in_month(y, m);
}

/* Days since 1970-01-01 of y-m-d; the result is meaningful for any date
 * whose shifted year is representable, valid or not (day 0 of a month is
 * the last day of the month before). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    if (m <= 2)
        y--;                                   /* year starts in March */
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;               /* 0..399 */
    int mp = (m + 9) % 12;                     /* March = 0 .. Feb = 11 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;  /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

int32_t date_from_ymd(int y, int m, int d)
{
    return (int32_t)days_from_civil(y, m, d);
}

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
    int64_t z = (int64_t)days + EPOCH_SHIFT;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;                   /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                       /* 0..11 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A calendar date split into fields. */
typedef struct Ymd {
    int y;
    int m;
    int d;
} Ymd;

static Ymd ymd_of(int32_t days)
{
    Ymd r;
    date_to_ymd(days, &r.y, &r.m, &r.d);
    return r;
}

int date_format(int32_t days, char *buf)
{
    Ymd t = ymd_of(days);
    assert(t.y >= DATE_MIN_YEAR && t.y <= DATE_MAX_YEAR);
    /* Out of range dates are truncated to the 10 characters promised. */
    snprintf(buf, 11, "%04d-%02d-%02d", t.y, t.m, t.d);
    return 10;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Read 1..max_digits decimal digits at s[*i]; false when there are none or
 * too many. */
static bool read_field(const char *s, size_t len, size_t *i, int max_digits,
                       int *out)
{
    int v = 0;
    int n = 0;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (++n > max_digits)
            return false;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    *out = v;
    return n > 0;
}

bool date_parse(const char *s, size_t len, int32_t *out)
{
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    while (len > i && is_space(s[len - 1]))
        len--;
    int y;
    int m;
    int d;
    if (!read_field(s, len, &i, 4, &y) || i >= len || s[i++] != '-')
        return false;
    if (!read_field(s, len, &i, 2, &m) || i >= len || s[i++] != '-')
        return false;
    if (!read_field(s, len, &i, 2, &d) || i != len)
        return false;
    if (!date_valid_ymd(y, m, d))
        return false;
    *out = date_from_ymd(y, m, d);
    return true;
}

bool date_add_months(int32_t days, int32_t months, int32_t *out)
{
    Ymd t = ymd_of(days);
    int64_t total = (int64_t)t.y * 12 + (t.m - 1) + months;
    int64_t ny = floor_div(total, 12);
    int nm = (int)(total - ny * 12) + 1;
    if (ny < DATE_MIN_YEAR || ny > DATE_MAX_YEAR)
        return false;
    int last = days_in_month((int)ny, nm);
    *out = date_from_ymd((int)ny, nm, t.d < last ? t.d : last);
    return true;
}

int date_extract_year(int32_t days)
{
    return ymd_of(days).y;
}

int date_extract_month(int32_t days)
{
    return ymd_of(days).m;
}

int date_extract_day(int32_t days)
{
    return ymd_of(days).d;
}

int date_extract_dow(int32_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)((int64_t)days + 4 - floor_div((int64_t)days + 4, 7) * 7);
}

int date_extract_doy(int32_t days)
{
    int y = date_extract_year(days);
    return (int)(days - days_from_civil(y, 1, 1)) + 1;
}
