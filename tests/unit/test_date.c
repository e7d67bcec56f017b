/*
 * test_date.c -- calendar conversions over the whole range 0001..9999,
 * parsing, formatting, month arithmetic and field extraction.
 */
#include <stdio.h>

#include "unit.h"

#define DAY_MIN (-719162)       /* 0001-01-01 */
#define DAY_MAX 2932896         /* 9999-12-31 */

/* Reference calendar rules, written independently of date.c. */
static int ref_month_len(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

static int32_t parse_ok(const char *s)
{
    int32_t d = INT32_MIN;
    if (!date_parse(s, strlen(s), &d))
        fail_msg("date_parse(\"%s\") rejected a valid date", s);
    return d;
}

static void test_known_days(void **state)
{
    assert_i64_equal(date_from_ymd(1970, 1, 1), 0);
    assert_i64_equal(date_from_ymd(1969, 12, 31), -1);
    assert_i64_equal(date_from_ymd(2000, 3, 1), 11017);
    assert_i64_equal(date_from_ymd(2020, 2, 29), 18321);
    assert_i64_equal(date_from_ymd(1, 1, 1), DAY_MIN);
    assert_i64_equal(date_from_ymd(9999, 12, 31), DAY_MAX);
}

/* Walk every day of the range with a reference y/m/d counter and check
 * both conversions, validity, formatting and parsing on each. */
static void test_every_day(void **state)
{
    int y = 1;
    int m = 1;
    int d = 1;
    char buf[16];
    char want[40];
    for (int32_t day = DAY_MIN; day <= DAY_MAX; day++) {
        if (date_from_ymd(y, m, d) != day)
            fail_msg("date_from_ymd(%d,%d,%d) = %d, want %d", y, m, d,
                     (int)date_from_ymd(y, m, d), (int)day);
        int gy;
        int gm;
        int gd;
        date_to_ymd(day, &gy, &gm, &gd);
        if (gy != y || gm != m || gd != d)
            fail_msg("date_to_ymd(%d) = %d-%d-%d, want %d-%d-%d", (int)day,
                     gy, gm, gd, y, m, d);
        if (!date_valid_ymd(y, m, d))
            fail_msg("%d-%d-%d reported invalid", y, m, d);
        assert_int_equal(date_format(day, buf), 10);
        snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
        if (strcmp(buf, want) != 0)
            fail_msg("date_format(%d) = %s, want %s", (int)day, buf, want);
        int32_t back;
        if (!date_parse(buf, 10, &back) || back != day)
            fail_msg("date_parse(%s) does not give back %d", buf, (int)day);
        if (++d > ref_month_len(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_int_equal(y, 10000);            /* walked off the last day */
}

static void test_leap_years(void **state)
{
    assert_true(date_valid_ymd(2000, 2, 29));
    assert_false(date_valid_ymd(1900, 2, 29));
    assert_true(date_valid_ymd(2024, 2, 29));
    assert_false(date_valid_ymd(2023, 2, 29));
    assert_false(date_valid_ymd(2100, 2, 29));
    assert_true(date_valid_ymd(1600, 2, 29));
    assert_true(date_valid_ymd(4, 2, 29));
    assert_false(date_valid_ymd(2024, 2, 30));
    /* Year lengths. */
    assert_i64_equal(date_from_ymd(2001, 1, 1) - date_from_ymd(2000, 1, 1),
                     366);
    assert_i64_equal(date_from_ymd(1901, 1, 1) - date_from_ymd(1900, 1, 1),
                     365);
    assert_i64_equal(date_from_ymd(2401, 1, 1) - date_from_ymd(2001, 1, 1),
                     146097);
}

static void test_valid_ymd_bounds(void **state)
{
    assert_true(date_valid_ymd(1, 1, 1));
    assert_true(date_valid_ymd(9999, 12, 31));
    assert_false(date_valid_ymd(0, 12, 31));
    assert_false(date_valid_ymd(10000, 1, 1));
    assert_false(date_valid_ymd(2021, 0, 1));
    assert_false(date_valid_ymd(2021, 13, 1));
    assert_false(date_valid_ymd(2021, 1, 0));
    assert_false(date_valid_ymd(2021, 1, 32));
    assert_false(date_valid_ymd(2021, 4, 31));
    assert_false(date_valid_ymd(2021, -1, 1));
    assert_false(date_valid_ymd(2021, 1, -1));
}

static void test_parse_accepts(void **state)
{
    assert_i64_equal(parse_ok("1970-01-01"), 0);
    assert_i64_equal(parse_ok("2021-02-28"), date_from_ymd(2021, 2, 28));
    assert_i64_equal(parse_ok("  2021-2-3  "), date_from_ymd(2021, 2, 3));
    assert_i64_equal(parse_ok("\t2021-12-31\n"), date_from_ymd(2021, 12, 31));
    assert_i64_equal(parse_ok("1-1-1"), DAY_MIN);
    assert_i64_equal(parse_ok("0001-01-01"), DAY_MIN);
    assert_i64_equal(parse_ok("999-12-31"), date_from_ymd(999, 12, 31));
    assert_i64_equal(parse_ok("9999-12-31"), DAY_MAX);
    assert_i64_equal(parse_ok("2020-02-29"), 18321);
    /* Only `len` bytes are read. */
    int32_t d;
    assert_true(date_parse("2021-01-015", 10, &d));
    assert_i64_equal(d, date_from_ymd(2021, 1, 1));
}

static void test_parse_rejects(void **state)
{
    static const char *bad[] = {
        "",            "   ",          "2021-02-30",   "2021-1",
        "2021",        "2021-01-01x",  "x2021-01-01",  "2021-01-01 x",
        "10000-01-01", "0-01-01",      "0000-01-01",   "2021-13-01",
        "2021-00-10",  "2021-01-00",   "2021/01/01",   "+2021-01-01",
        "-2021-01-01", "2021-001-01",  "2021-01-001",  "2021-01-1 1",
        "2021--01-01", "2021-01-",     "-01-01",       "2021-01-01-",
        "2019-02-29",  "2021-04-31",   "2021 -01-01",  "20a1-01-01",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int32_t d = 12345;
        if (date_parse(bad[i], strlen(bad[i]), &d))
            fail_msg("date_parse(\"%s\") accepted an invalid date", bad[i]);
        assert_i64_equal(d, 12345);        /* output untouched */
    }
    /* A NUL byte inside the counted text is junk too. */
    int32_t d;
    assert_false(date_parse("2021-01-01\0", 11, &d));
}

static void test_format(void **state)
{
    char buf[11];
    date_format(0, buf);
    assert_string_equal(buf, "1970-01-01");
    date_format(-1, buf);
    assert_string_equal(buf, "1969-12-31");
    date_format(DAY_MIN, buf);
    assert_string_equal(buf, "0001-01-01");
    date_format(DAY_MAX, buf);
    assert_string_equal(buf, "9999-12-31");
    date_format(date_from_ymd(123, 4, 5), buf);
    assert_string_equal(buf, "0123-04-05");
}

static int32_t add_months(const char *from, int32_t months)
{
    int32_t out = 0;
    if (!date_add_months(parse_ok(from), months, &out))
        fail_msg("date_add_months(%s, %d) failed", from, (int)months);
    return out;
}

static void test_add_months(void **state)
{
    assert_i64_equal(add_months("2020-01-31", 1), parse_ok("2020-02-29"));
    assert_i64_equal(add_months("2021-01-31", 1), parse_ok("2021-02-28"));
    assert_i64_equal(add_months("2020-03-31", -1), parse_ok("2020-02-29"));
    assert_i64_equal(add_months("2020-05-31", 1), parse_ok("2020-06-30"));
    assert_i64_equal(add_months("2020-02-29", 12), parse_ok("2021-02-28"));
    assert_i64_equal(add_months("2020-02-29", 48), parse_ok("2024-02-29"));
    assert_i64_equal(add_months("2020-01-15", 0), parse_ok("2020-01-15"));
    assert_i64_equal(add_months("2020-11-30", 3), parse_ok("2021-02-28"));
    assert_i64_equal(add_months("2020-01-15", -13), parse_ok("2018-12-15"));
    assert_i64_equal(add_months("2020-12-15", 1), parse_ok("2021-01-15"));
    assert_i64_equal(add_months("2021-01-15", -1), parse_ok("2020-12-15"));
    assert_i64_equal(add_months("0001-01-01", 9998 * 12 + 11),
                     parse_ok("9999-12-01"));
    assert_i64_equal(add_months("9999-12-31", -(9998 * 12 + 11)),
                     parse_ok("0001-01-31"));
    /* Out of range. */
    int32_t out = 77;
    assert_false(date_add_months(parse_ok("9999-12-01"), 1, &out));
    assert_false(date_add_months(parse_ok("0001-01-31"), -1, &out));
    assert_false(date_add_months(0, INT32_MAX, &out));
    assert_false(date_add_months(0, INT32_MIN, &out));
    assert_i64_equal(out, 77);
}

static void test_extract(void **state)
{
    int32_t d = parse_ok("2024-03-17");
    assert_int_equal(date_extract_year(d), 2024);
    assert_int_equal(date_extract_month(d), 3);
    assert_int_equal(date_extract_day(d), 17);
    assert_int_equal(date_extract_dow(d), 0);           /* Sunday */
    assert_int_equal(date_extract_doy(d), 31 + 29 + 17);
    assert_int_equal(date_extract_dow(0), 4);           /* Thursday */
    assert_int_equal(date_extract_dow(parse_ok("2024-01-01")), 1);
    assert_int_equal(date_extract_dow(parse_ok("1969-12-28")), 0);
    assert_int_equal(date_extract_dow(DAY_MIN), 1);     /* Monday */
    assert_int_equal(date_extract_dow(DAY_MAX), 5);     /* Friday */
    assert_int_equal(date_extract_doy(parse_ok("2020-12-31")), 366);
    assert_int_equal(date_extract_doy(parse_ok("2021-12-31")), 365);
    assert_int_equal(date_extract_doy(parse_ok("2021-01-01")), 1);
    assert_int_equal(date_extract_doy(parse_ok("0001-01-01")), 1);
    assert_int_equal(date_extract_year(DAY_MIN), 1);
    assert_int_equal(date_extract_year(DAY_MAX), 9999);

    /* Day of week steps by one over the whole range; day of year restarts
     * on every January 1st. */
    int dow = date_extract_dow(DAY_MIN);
    for (int32_t day = DAY_MIN + 1; day <= DAY_MAX; day++) {
        int next = date_extract_dow(day);
        if (next != (dow + 1) % 7)
            fail_msg("dow(%d) = %d after %d", (int)day, next, dow);
        dow = next;
        int doy = date_extract_doy(day);
        int doy_prev = date_extract_doy(day - 1);
        if (doy != doy_prev + 1 &&
            !(doy == 1 && date_extract_month(day) == 1 &&
              date_extract_day(day) == 1))
            fail_msg("doy(%d) = %d after %d", (int)day, doy, doy_prev);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_every_day),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_valid_ymd_bounds),
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_extract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
