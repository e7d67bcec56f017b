/*
 * test_num.c -- double formatting (shortest round trip, PostgreSQL
 * spellings) and parsing of integers and doubles.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

static const char *dfmt(double d)
{
    static char buf[32];
    int n = double_format(d, buf);
    assert_i64_equal(n, strlen(buf));
    return buf;
}

static void test_format_values(void **state)
{
    assert_string_equal(dfmt(0.1), "0.1");
    assert_string_equal(dfmt(0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(dfmt(1.0 / 3.0), "0.3333333333333333");
    assert_string_equal(dfmt(3.0), "3");
    assert_string_equal(dfmt(-3.0), "-3");
    assert_string_equal(dfmt(0.0), "0");
    assert_string_equal(dfmt(-0.0), "-0");
    assert_string_equal(dfmt(1.5), "1.5");
    assert_string_equal(dfmt(100.0), "100");
    assert_string_equal(dfmt(123456.0), "123456");
    assert_string_equal(dfmt(1e20), "1e+20");
    assert_string_equal(dfmt(1e15), "1e+15");
    assert_string_equal(dfmt(1e14), "100000000000000");
    assert_string_equal(dfmt(1e-7), "1e-07");
    assert_string_equal(dfmt(0.0001), "0.0001");
    assert_string_equal(dfmt(1234567890123456.0), "1234567890123456");
    assert_string_equal(dfmt(DBL_MAX), "1.7976931348623157e+308");
    assert_string_equal(dfmt(-DBL_MAX), "-1.7976931348623157e+308");
    assert_string_equal(dfmt(DBL_MIN), "2.2250738585072014e-308");
    assert_string_equal(dfmt(5e-324), "4.94065645841247e-324");
    assert_string_equal(dfmt(INFINITY), "Infinity");
    assert_string_equal(dfmt(-INFINITY), "-Infinity");
    assert_string_equal(dfmt(NAN), "NaN");
    assert_string_equal(dfmt(-NAN), "NaN");
}

/* Random bit patterns: the text reads back exactly, fits the buffer, and
 * no smaller precision of the three would have read back. */
static void test_format_round_trip(void **state)
{
    uint64_t seed = 11;
    for (int i = 0; i < 300000; i++) {
        uint64_t bits = unit_rand(&seed);
        double d;
        memcpy(&d, &bits, 8);
        if (!isfinite(d))
            continue;
        char buf[32];
        int n = double_format(d, buf);
        assert_true(n > 0 && n < 32);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &d, 8) != 0)
            fail_msg("%.17g printed as %s", d, buf);
        char shorter[40];
        for (int p = 15; p < 17; p++) {
            snprintf(shorter, sizeof(shorter), "%.*g", p, d);
            if (strtod(shorter, NULL) == d) {
                if (strcmp(shorter, buf) != 0)
                    fail_msg("%.17g: %s reads back, printed %s", d, shorter,
                             buf);
                break;
            }
        }
    }
}

static int64_t int_ok(const char *s)
{
    int64_t v = 0;
    int rc = parse_int64(s, strlen(s), &v);
    if (rc != EMBER_OK)
        fail_msg("parse_int64(\"%s\") = %d", s, rc);
    return v;
}

static int int_rc(const char *s)
{
    int64_t v = 99;
    int rc = parse_int64(s, strlen(s), &v);
    if (rc != EMBER_OK && v != 99)
        fail_msg("parse_int64(\"%s\") wrote its output on failure", s);
    return rc;
}

static void test_parse_int64(void **state)
{
    assert_i64_equal(int_ok("0"), 0);
    assert_i64_equal(int_ok("-0"), 0);
    assert_i64_equal(int_ok(" 42 "), 42);
    assert_i64_equal(int_ok("\t-42\n"), -42);
    assert_i64_equal(int_ok("+7"), 7);
    assert_i64_equal(int_ok("007"), 7);
    assert_i64_equal(int_ok("9223372036854775807"), INT64_MAX);
    assert_i64_equal(int_ok("-9223372036854775808"), INT64_MIN);
    assert_i64_equal(int_ok("-9223372036854775807"), -INT64_MAX);
    assert_i64_equal(int_ok("000000000000000000000000000001"), 1);

    assert_rc(int_rc("9223372036854775808"), EMBER_OVERFLOW);
    assert_rc(int_rc("-9223372036854775809"), EMBER_OVERFLOW);
    assert_rc(int_rc("9223372036854775810"), EMBER_OVERFLOW);
    assert_rc(int_rc("18446744073709551616"), EMBER_OVERFLOW);
    assert_rc(int_rc("99999999999999999999999"), EMBER_OVERFLOW);

    static const char *bad[] = {
        "",    " ",    "-",    "+",   "1.0",  "1e3", "12a", "a12",
        "1 2", "--1",  "+-1",  "0x10", "- 1", "1-",
        "\xd9\xa1",               /* a non-ASCII digit */
        "9223372036854775808x",  /* junk decides before overflow */
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (int_rc(bad[i]) != EMBER_TYPE)
            fail_msg("parse_int64(\"%s\") did not report EMBER_TYPE", bad[i]);
    }
    /* Only `len` bytes are read. */
    int64_t v;
    assert_rc(parse_int64("123456", 3, &v), EMBER_OK);
    assert_i64_equal(v, 123);
    assert_rc(parse_int64("12\0003", 4, &v), EMBER_TYPE);
}

static double dbl_ok(const char *s)
{
    double d = 0;
    int rc = parse_double(s, strlen(s), &d);
    if (rc != EMBER_OK)
        fail_msg("parse_double(\"%s\") = %d", s, rc);
    return d;
}

static int dbl_rc(const char *s)
{
    double d = 99;
    int rc = parse_double(s, strlen(s), &d);
    if (rc != EMBER_OK && d != 99)
        fail_msg("parse_double(\"%s\") wrote its output on failure", s);
    return rc;
}

static void test_parse_double(void **state)
{
    assert_double_same(dbl_ok("1.5"), 1.5);
    assert_double_same(dbl_ok(" -2.5e3 "), -2500.0);
    assert_double_same(dbl_ok(".5"), 0.5);
    assert_double_same(dbl_ok("5."), 5.0);
    assert_double_same(dbl_ok("-0"), -0.0);
    assert_double_same(dbl_ok("0.1"), 0.1);
    assert_double_same(dbl_ok("1E+2"), 100.0);
    assert_double_same(dbl_ok("inf"), INFINITY);
    assert_double_same(dbl_ok("INF"), INFINITY);
    assert_double_same(dbl_ok("Infinity"), INFINITY);
    assert_double_same(dbl_ok("-Infinity"), -INFINITY);
    assert_double_same(dbl_ok("  -inFINity\t"), -INFINITY);
    assert_true(isnan(dbl_ok("NaN")));
    assert_true(isnan(dbl_ok("nan")));
    assert_double_same(dbl_ok("1.7976931348623157e308"), DBL_MAX);
    assert_double_same(dbl_ok("4.9406564584124654e-324"), 5e-324);
    /* Underflow rounds to zero; overflow of finite text is an error. */
    assert_double_same(dbl_ok("1e-400"), 0.0);
    assert_rc(dbl_rc("1e999"), EMBER_OVERFLOW);
    assert_rc(dbl_rc("-1e999"), EMBER_OVERFLOW);

    static const char *bad[] = {
        "",  " ",    "abc",  "1.5x", "1.5 2", "e5", "--1",
        ".", "1e",   "in",   "infx", "nanx",  "1,5", "+ 1",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (dbl_rc(bad[i]) != EMBER_TYPE)
            fail_msg("parse_double(\"%s\") did not report EMBER_TYPE",
                     bad[i]);
    }
    double d;
    assert_rc(parse_double("1.25xyz", 4, &d), EMBER_OK);
    assert_double_same(d, 1.25);
    assert_rc(parse_double("1.2\0005", 5, &d), EMBER_TYPE);
}

/* Texts longer than the stack buffer go through a heap copy. */
static void test_parse_double_long(void **state)
{
    char text[300];
    memset(text, ' ', sizeof(text));
    memcpy(text + 10, "0.", 2);
    memset(text + 12, '0', 200);
    text[212] = '1';
    text[299] = 0;
    uint64_t allocs = mem_counters()->n_allocs;
    uint64_t frees = mem_counters()->n_frees;
    assert_double_same(dbl_ok(text), 1e-201);
    assert_i64_equal(mem_counters()->n_allocs - allocs, 1);
    assert_i64_equal(mem_counters()->n_frees - frees, 1);
    mem_fail_after(1);
    assert_rc(dbl_rc(text), EMBER_NOMEM);
    /* Short texts never allocate. */
    allocs = mem_counters()->n_allocs;
    assert_double_same(dbl_ok("   3.25   "), 3.25);
    assert_i64_equal(mem_counters()->n_allocs, allocs);
}

/* Every formatted double parses back to itself through parse_double. */
static void test_format_parse(void **state)
{
    static const double vals[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e300, 1e-300,
                                  DBL_MAX, 5e-324, 123456789.125};
    for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
        char buf[32];
        int n = double_format(vals[i], buf);
        double back;
        assert_rc(parse_double(buf, (size_t)n, &back), EMBER_OK);
        assert_double_same(back, vals[i]);
    }
    char buf[32];
    double back;
    int n = double_format(-INFINITY, buf);
    assert_rc(parse_double(buf, (size_t)n, &back), EMBER_OK);
    assert_double_same(back, -INFINITY);
    n = double_format(NAN, buf);
    assert_rc(parse_double(buf, (size_t)n, &back), EMBER_OK);
    assert_true(isnan(back));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_values),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_parse_int64),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_parse_double_long),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
