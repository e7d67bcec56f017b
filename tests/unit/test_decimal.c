/*
 * test_decimal.c -- fixed-point decimals: parsing, formatting, rescaling,
 * rounding half away from zero, overflow at the precision and at the
 * int64 limits, and conversions to and from double.
 */
#include <math.h>
#include <stdlib.h>

#include "unit.h"

/* decimal_parse of a C string that must succeed. */
static int64_t dec(const char *s, int prec, int scale)
{
    int64_t v = 0;
    int rc = decimal_parse(s, strlen(s), prec, scale, &v);
    if (rc != EMBER_OK)
        fail_msg("decimal_parse(\"%s\", %d, %d) = %d", s, prec, scale, rc);
    return v;
}

static int parse_rc(const char *s, int prec, int scale)
{
    int64_t v = 4242;
    int rc = decimal_parse(s, strlen(s), prec, scale, &v);
    if (rc != EMBER_OK && v != 4242)
        fail_msg("decimal_parse(\"%s\") wrote its output on failure", s);
    return rc;
}

static const char *fmt(int64_t v, int scale)
{
    static char buf[32];
    int n = decimal_format(v, scale, buf);
    assert_i64_equal(n, strlen(buf));
    return buf;
}

static void test_pow10(void **state)
{
    assert_i64_equal(pow10_i64[0], 1);
    for (int i = 1; i < 19; i++)
        assert_i64_equal(pow10_i64[i], pow10_i64[i - 1] * 10);
    assert_i64_equal(pow10_i64[18], 1000000000000000000LL);
}

static void test_parse_forms(void **state)
{
    assert_i64_equal(dec("-12.345", 18, 3), -12345);
    assert_i64_equal(dec("+.5", 18, 1), 5);
    assert_i64_equal(dec(".5", 18, 2), 50);
    assert_i64_equal(dec("5.", 18, 0), 5);
    assert_i64_equal(dec("1e3", 18, 0), 1000);
    assert_i64_equal(dec("1E+3", 18, 2), 100000);
    assert_i64_equal(dec("1.5E-2", 18, 3), 15);
    assert_i64_equal(dec(" 7 ", 18, 3), 7000);
    assert_i64_equal(dec("\t-7\n", 18, 0), -7);
    assert_i64_equal(dec("0", 1, 0), 0);
    assert_i64_equal(dec("-0", 1, 0), 0);
    assert_i64_equal(dec("-0.000", 5, 2), 0);
    assert_i64_equal(dec("000000000000000000000000012.5", 18, 1), 125);
    assert_i64_equal(dec("12.50000000000000000000000000000", 18, 1), 125);
    assert_i64_equal(dec("0.1234567890123456789012345", 18, 18),
                     123456789012345679LL);
    assert_i64_equal(dec("123.456", 5, 2), 12346);
    assert_i64_equal(dec("0.00001e5", 18, 0), 1);
    assert_i64_equal(dec("12345e-3", 18, 3), 12345);
    assert_i64_equal(dec("0e99999999999999999999", 18, 2), 0);
    assert_i64_equal(dec("0.0e-99999999999999999999", 18, 2), 0);
    assert_i64_equal(dec("1e-99999999999999999999", 18, 2), 0);
    /* Only `len` bytes are read. */
    int64_t v;
    assert_rc(decimal_parse("12.34567", 6, 18, 2, &v), EMBER_OK);
    assert_i64_equal(v, 1235);
}

static void test_parse_rounding(void **state)
{
    /* Half away from zero, decided by the first dropped digit. */
    assert_i64_equal(dec("0.125", 18, 2), 13);
    assert_i64_equal(dec("-0.125", 18, 2), -13);
    assert_i64_equal(dec("0.124999999", 18, 2), 12);
    assert_i64_equal(dec("-0.124999999", 18, 2), -12);
    assert_i64_equal(dec("0.005", 18, 2), 1);
    assert_i64_equal(dec("-0.005", 18, 2), -1);
    assert_i64_equal(dec("0.0049", 18, 2), 0);
    assert_i64_equal(dec("-0.0049", 18, 2), 0);
    assert_i64_equal(dec("2.5", 18, 0), 3);
    assert_i64_equal(dec("-2.5", 18, 0), -3);
    assert_i64_equal(dec("1.5", 18, 0), 2);
    assert_i64_equal(dec("5e-3", 18, 2), 1);
    assert_i64_equal(dec("4e-3", 18, 2), 0);
    assert_i64_equal(dec("1e-5", 18, 2), 0);
    assert_i64_equal(dec(".5", 18, 0), 1);
    assert_i64_equal(dec("9.994", 3, 2), 999);
    assert_i64_equal(dec("0.999999999999999999999", 18, 2), 100);
}

static void test_parse_overflow(void **state)
{
    assert_i64_equal(dec("999999999999999999", 18, 0),
                     999999999999999999LL);
    assert_i64_equal(dec("-999999999999999999", 18, 0),
                     -999999999999999999LL);
    assert_rc(parse_rc("1000000000000000000", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("-1000000000000000000", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("9223372036854775807", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("99999999999999999999999999", 18, 0),
              EMBER_OVERFLOW);
    /* Rounding up across the limit overflows. */
    assert_rc(parse_rc("9.995", 3, 2), EMBER_OVERFLOW);
    assert_rc(parse_rc("999999999999999999.5", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("1234.5", 5, 2), EMBER_OVERFLOW);
    assert_rc(parse_rc("10", 1, 0), EMBER_OVERFLOW);
    assert_i64_equal(dec("9", 1, 0), 9);
    assert_rc(parse_rc("1", 2, 2), EMBER_OVERFLOW);
    assert_i64_equal(dec("0.99", 2, 2), 99);
    assert_rc(parse_rc("1e18", 18, 0), EMBER_OVERFLOW);
    assert_i64_equal(dec("1e17", 18, 0), 100000000000000000LL);
    assert_rc(parse_rc("1e99999999999999999999", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("0.1e19", 18, 0), EMBER_OVERFLOW);
    /* Past the int64 range while appending zeros or digits. */
    assert_rc(parse_rc("9.223372036854776e+18", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("1.8446744073709551616e19", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("18446744073709551616", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("-9223372036854775808", 18, 0), EMBER_OVERFLOW);
    assert_rc(parse_rc("0.99999999999999999999", 18, 18), EMBER_OVERFLOW);
}

static void test_parse_not_a_number(void **state)
{
    static const char *bad[] = {
        "",    " ",    "-",    "+",     ".",     "-.",    "e3",
        "1e",  "1e+",  "1e-",  "1.2.3", "1 2",   "abc",   "1x",
        "--1", "+-1",  "0x10", "inf",   "nan",   "1e3.5", ".e1",
        "1,5", "1e 3", "- 1",  "1.5e",  "Infinity",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (parse_rc(bad[i], 18, 2) != EMBER_TYPE)
            fail_msg("decimal_parse(\"%s\") did not report EMBER_TYPE",
                     bad[i]);
    }
}

static void test_format(void **state)
{
    assert_string_equal(fmt(-50, 2), "-0.50");
    assert_string_equal(fmt(50, 2), "0.50");
    assert_string_equal(fmt(5, 3), "0.005");
    assert_string_equal(fmt(-5, 3), "-0.005");
    assert_string_equal(fmt(0, 2), "0.00");
    assert_string_equal(fmt(0, 0), "0");
    assert_string_equal(fmt(-1, 0), "-1");
    assert_string_equal(fmt(12345, 2), "123.45");
    assert_string_equal(fmt(100, 2), "1.00");
    assert_string_equal(fmt(-5, 18), "-0.000000000000000005");
    assert_string_equal(fmt(999999999999999999LL, 18),
                        "0.999999999999999999");
    assert_string_equal(fmt(INT64_MAX, 0), "9223372036854775807");
    assert_string_equal(fmt(INT64_MIN, 0), "-9223372036854775808");
    assert_string_equal(fmt(INT64_MIN, 18), "-9.223372036854775808");
    assert_string_equal(fmt(INT64_MAX, 4), "922337203685477.5807");
    assert_string_equal(fmt(INT64_MIN, 1), "-922337203685477580.8");
}

static void test_format_parse_round_trip(void **state)
{
    uint64_t seed = 1;
    for (int i = 0; i < 200000; i++) {
        int scale = (int)(unit_rand(&seed) % 19);
        int digits = 1 + (int)(unit_rand(&seed) % 18);
        int64_t v = (int64_t)(unit_rand(&seed) % (uint64_t)pow10_i64[digits]);
        if (unit_rand(&seed) & 1)
            v = -v;
        char buf[32];
        int n = decimal_format(v, scale, buf);
        int64_t back;
        int rc = decimal_parse(buf, (size_t)n, 18, scale, &back);
        if (rc != EMBER_OK || back != v)
            fail_msg("%s at scale %d: rc %d, %" PRId64 " != %" PRId64, buf,
                     scale, rc, back, v);
    }
}

static int64_t rescale(int64_t v, int from, int to, int prec)
{
    int64_t out = 0;
    int rc = decimal_rescale(v, from, to, prec, &out);
    if (rc != EMBER_OK)
        fail_msg("decimal_rescale(%" PRId64 ", %d, %d, %d) = %d", v, from,
                 to, prec, rc);
    return out;
}

static void test_rescale(void **state)
{
    assert_i64_equal(rescale(12345, 2, 4, 18), 1234500);
    assert_i64_equal(rescale(12345, 2, 2, 18), 12345);
    assert_i64_equal(rescale(12345, 2, 1, 18), 1235);
    assert_i64_equal(rescale(-12345, 2, 1, 18), -1235);
    assert_i64_equal(rescale(12344, 2, 1, 18), 1234);
    assert_i64_equal(rescale(-12344, 2, 1, 18), -1234);
    assert_i64_equal(rescale(15, 1, 0, 18), 2);
    assert_i64_equal(rescale(-15, 1, 0, 18), -2);
    assert_i64_equal(rescale(14, 1, 0, 18), 1);
    assert_i64_equal(rescale(-14, 1, 0, 18), -1);
    assert_i64_equal(rescale(999, 0, 15, 18), 999000000000000000LL);
    assert_i64_equal(rescale(1, 0, 17, 18), 100000000000000000LL);
    assert_i64_equal(rescale(5, 1, 0, 1), 1);
    assert_i64_equal(rescale(4, 1, 0, 1), 0);
    /* Extremes of int64 going down. */
    assert_i64_equal(rescale(INT64_MAX, 18, 0, 18), 9);
    assert_i64_equal(rescale(INT64_MIN, 18, 0, 18), -9);
    assert_i64_equal(rescale(INT64_MIN, 1, 0, 18), -922337203685477581LL);
    assert_i64_equal(rescale(INT64_MAX, 1, 0, 18), 922337203685477581LL);
    assert_i64_equal(rescale(500000000000000000LL, 18, 0, 18), 1);
    assert_i64_equal(rescale(499999999999999999LL, 18, 0, 18), 0);
    int64_t out = 31;
    assert_rc(decimal_rescale(INT64_MAX, 0, 0, 18, &out), EMBER_OVERFLOW);
    assert_rc(decimal_rescale(INT64_MAX, 0, 1, 18, &out), EMBER_OVERFLOW);
    assert_rc(decimal_rescale(INT64_MIN, 0, 18, 18, &out), EMBER_OVERFLOW);
    assert_rc(decimal_rescale(100000000000000000LL, 0, 2, 18, &out),
              EMBER_OVERFLOW);
    assert_rc(decimal_rescale(1, 0, 18, 18, &out), EMBER_OVERFLOW);
    assert_rc(decimal_rescale(995, 2, 1, 2, &out), EMBER_OVERFLOW);
    assert_i64_equal(out, 31);
}

static void test_from_i128(void **state)
{
    int64_t out = 0;
    assert_rc(decimal_from_i128(999999999999999999LL, 18, &out), EMBER_OK);
    assert_i64_equal(out, 999999999999999999LL);
    assert_rc(decimal_from_i128(-999999999999999999LL, 18, &out), EMBER_OK);
    assert_i64_equal(out, -999999999999999999LL);
    assert_rc(decimal_from_i128(1000000000000000000LL, 18, &out),
              EMBER_OVERFLOW);
    assert_rc(decimal_from_i128(-1000000000000000000LL, 18, &out),
              EMBER_OVERFLOW);
    assert_rc(decimal_from_i128(INT64_MAX, 18, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_i128((__int128)INT64_MAX * 1000, 18, &out),
              EMBER_OVERFLOW);
    assert_rc(decimal_from_i128(-(__int128)INT64_MAX * 1000, 18, &out),
              EMBER_OVERFLOW);
    assert_rc(decimal_from_i128(99, 2, &out), EMBER_OK);
    assert_i64_equal(out, 99);
    assert_rc(decimal_from_i128(100, 2, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_i128(0, 1, &out), EMBER_OK);
    assert_i64_equal(out, 0);
}

static void test_to_double(void **state)
{
    assert_double_same(decimal_to_double(12345, 2), 123.45);
    assert_double_same(decimal_to_double(-12345, 2), -123.45);
    assert_double_same(decimal_to_double(1, 18), 1e-18);
    assert_double_same(decimal_to_double(0, 3), 0.0);
    assert_double_same(decimal_to_double(INT64_MAX, 0),
                       9223372036854775807.0);
    assert_double_same(decimal_to_double(INT64_MIN, 0),
                       -9223372036854775808.0);
    assert_double_same(decimal_to_double(INT64_MAX, 18),
                       9.223372036854775807);
    /* Always the double nearest to the decimal, as strtod finds it. */
    uint64_t seed = 7;
    for (int i = 0; i < 100000; i++) {
        int64_t v = (int64_t)unit_rand(&seed);
        if (i % 2)
            v >>= unit_rand(&seed) % 64;
        int scale = (int)(unit_rand(&seed) % 19);
        char buf[32];
        decimal_format(v, scale, buf);
        double want = strtod(buf, NULL);
        double got = decimal_to_double(v, scale);
        if (got != want)
            fail_msg("decimal_to_double(%s) = %.17g, want %.17g", buf, got,
                     want);
    }
}

static int64_t from_double(double d, int prec, int scale)
{
    int64_t out = 0;
    int rc = decimal_from_double(d, prec, scale, &out);
    if (rc != EMBER_OK)
        fail_msg("decimal_from_double(%.17g, %d, %d) = %d", d, prec, scale,
                 rc);
    return out;
}

static void test_from_double(void **state)
{
    assert_i64_equal(from_double(123.45, 18, 2), 12345);
    assert_i64_equal(from_double(-123.45, 18, 2), -12345);
    assert_i64_equal(from_double(0.125, 10, 2), 13);
    assert_i64_equal(from_double(-0.125, 10, 2), -13);
    assert_i64_equal(from_double(2.5, 10, 0), 3);
    assert_i64_equal(from_double(-2.5, 10, 0), -3);
    /* Rounds the decimal the double prints as: 1.005 is stored as
     * 1.00499999999999989..., but reads and prints as 1.005. */
    assert_i64_equal(from_double(1.005, 10, 2), 101);
    assert_i64_equal(from_double(123.456, 5, 2), 12346);
    assert_i64_equal(from_double(1234567890123456.0, 18, 0),
                     1234567890123456LL);
    assert_i64_equal(from_double(9007199254740992.0, 18, 2),
                     900719925474099200LL);
    assert_i64_equal(from_double(1e-30, 18, 2), 0);
    assert_i64_equal(from_double(-0.0, 18, 2), 0);
    assert_i64_equal(from_double(0.1, 18, 18), 100000000000000000LL);
    assert_i64_equal(from_double(1e17, 18, 0), 100000000000000000LL);
    assert_i64_equal(from_double(0.1 + 0.2, 18, 17), 30000000000000004LL);
    assert_i64_equal(from_double(0.1 + 0.2, 18, 16), 3000000000000000LL);

    int64_t out = 5;
    assert_rc(decimal_from_double(1234.5, 5, 2, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(1e18, 18, 0, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(1e20, 18, 0, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(-1e300, 18, 0, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(9.2233720368547758e18, 18, 0, &out),
              EMBER_OVERFLOW);
    assert_rc(decimal_from_double(NAN, 18, 0, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(INFINITY, 18, 0, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(-INFINITY, 18, 0, &out), EMBER_OVERFLOW);
    assert_rc(decimal_from_double(9.995, 3, 2, &out), EMBER_OVERFLOW);
    assert_i64_equal(out, 5);

    /* Values that print with few digits come back exactly. */
    uint64_t seed = 3;
    for (int i = 0; i < 20000; i++) {
        int64_t v = (int64_t)(unit_rand(&seed) % 100000000000LL) - 50000000000;
        double d = decimal_to_double(v, 4);
        assert_i64_equal(from_double(d, 18, 4), v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pow10),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_rounding),
        cmocka_unit_test(test_parse_overflow),
        cmocka_unit_test(test_parse_not_a_number),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_parse_round_trip),
        cmocka_unit_test(test_rescale),
        cmocka_unit_test(test_from_i128),
        cmocka_unit_test(test_to_double),
        cmocka_unit_test(test_from_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
