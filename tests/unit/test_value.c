/*
 * test_value.c -- boxed values and their text, and the SQL type helpers.
 */
#include <math.h>

#include "unit.h"

static const char *text(Value v)
{
    static char buf[128];
    size_t n = value_format(&v, buf, sizeof(buf));
    assert_i64_equal(n, strlen(buf));
    return buf;
}

static Value interval(int32_t months, int32_t days)
{
    Value v = value_int64(interval_make(months, days));
    v.type = type_make(TYPE_INTERVAL);
    return v;
}

static void test_constructors(void **state)
{
    Value n = value_null();
    assert_true(n.is_null);
    assert_int_equal(n.type.id, TYPE_NULL);
    Value b = value_bool(true);
    assert_false(b.is_null);
    assert_int_equal(b.type.id, TYPE_BOOL);
    assert_i64_equal(b.v.i, 1);
    assert_int_equal(value_int32(-5).type.id, TYPE_INT32);
    assert_i64_equal(value_int32(-5).v.i, -5);
    assert_int_equal(value_int64(INT64_MIN).type.id, TYPE_INT64);
    assert_i64_equal(value_int64(INT64_MIN).v.i, INT64_MIN);
    assert_double_same(value_double(-0.5).v.d, -0.5);
    Value d = value_decimal(12345, 15, 2);
    assert_int_equal(d.type.id, TYPE_DECIMAL);
    assert_int_equal(d.type.prec, 15);
    assert_int_equal(d.type.scale, 2);
    assert_i64_equal(d.v.i, 12345);
    assert_int_equal(value_date(-1).type.id, TYPE_DATE);
    assert_i64_equal(value_date(-1).v.i, -1);
    Value s = value_str(str_make("abc", 3));
    assert_int_equal(s.type.id, TYPE_VARCHAR);
    assert_int_equal(s.type.len, -1);
    assert_int_equal(s.v.s.len, 3);
}

static void test_format(void **state)
{
    assert_string_equal(text(value_null()), "NULL");
    assert_string_equal(text(value_bool(true)), "true");
    assert_string_equal(text(value_bool(false)), "false");
    assert_string_equal(text(value_int32(INT32_MIN)), "-2147483648");
    assert_string_equal(text(value_int64(INT64_MAX)), "9223372036854775807");
    assert_string_equal(text(value_decimal(-50, 5, 2)), "-0.50");
    assert_string_equal(text(value_decimal(123456, 18, 3)), "123.456");
    assert_string_equal(text(value_double(0.1)), "0.1");
    assert_string_equal(text(value_double(3.0)), "3");
    assert_string_equal(text(value_double(-INFINITY)), "-Infinity");
    assert_string_equal(text(value_double(NAN)), "NaN");
    assert_string_equal(text(value_date(date_from_ymd(1998, 12, 1))),
                        "1998-12-01");
    const char *long_text = "a VARCHAR longer than twelve bytes";
    Value s = value_str(str_make(long_text, (uint32_t)strlen(long_text)));
    assert_string_equal(text(s), long_text);
    assert_string_equal(text(value_str(str_make("", 0))), "");
    /* A NULL of any type prints as NULL. */
    Value typed_null = value_int32(7);
    typed_null.is_null = true;
    assert_string_equal(text(typed_null), "NULL");
}

static void test_format_interval(void **state)
{
    assert_string_equal(text(interval(1, 3)), "1 mon 3 days");
    assert_string_equal(text(interval(0, 3)), "3 days");
    assert_string_equal(text(interval(0, 1)), "1 day");
    assert_string_equal(text(interval(2, 0)), "2 mons");
    assert_string_equal(text(interval(12, 0)), "1 year");
    assert_string_equal(text(interval(14, 1)), "1 year 2 mons 1 day");
    assert_string_equal(text(interval(36, 0)), "3 years");
    assert_string_equal(text(interval(-1, 0)), "-1 mons");
    assert_string_equal(text(interval(0, -7)), "-7 days");
    assert_string_equal(text(interval(-13, 2)), "-1 years -1 mons +2 days");
    assert_string_equal(text(interval(11, -2)), "11 mons -2 days");
    assert_string_equal(text(interval(INT32_MIN, INT32_MIN)),
                        "-178956970 years -8 mons -2147483648 days");
    assert_string_equal(text(interval(0, 0)), "00:00:00");
    assert_i64_equal(interval_months(interval_make(-5, 9)), -5);
    assert_i64_equal(interval_days(interval_make(-5, 9)), 9);
    assert_i64_equal(interval_days(interval_make(7, -9)), -9);
    assert_i64_equal(interval_months(interval_make(INT32_MIN, -1)),
                     INT32_MIN);
}

/* The return value is the full length; the text is cut to fit `cap`. */
static void test_truncation(void **state)
{
    char buf[8];
    Value v = value_int64(1234567890123LL);
    memset(buf, '#', sizeof(buf));
    assert_i64_equal(value_format(&v, buf, sizeof(buf)), 13);
    assert_string_equal(buf, "1234567");
    Value s = value_str(str_make("abcdefghijklmnopq", 17));
    assert_i64_equal(value_format(&s, buf, 4), 17);
    assert_string_equal(buf, "abc");
    assert_i64_equal(value_format(&s, buf, 1), 17);
    assert_string_equal(buf, "");
    buf[0] = 'z';
    assert_i64_equal(value_format(&s, buf, 0), 17);
    assert_int_equal(buf[0], 'z');           /* nothing written */
    Value iv = interval(14, 1);
    assert_i64_equal(value_format(&iv, buf, 5), 19);
    assert_string_equal(buf, "1 ye");
}

static void test_types(void **state)
{
    char buf[32];
    assert_string_equal(type_name(type_make(TYPE_INT32), buf, sizeof(buf)),
                        "INTEGER");
    assert_string_equal(type_name(type_decimal(15, 2), buf, sizeof(buf)),
                        "DECIMAL(15,2)");
    assert_string_equal(type_name(type_varchar(25), buf, sizeof(buf)),
                        "VARCHAR(25)");
    assert_string_equal(type_name(type_varchar(-1), buf, sizeof(buf)),
                        "VARCHAR");
    assert_int_equal(type_width(type_make(TYPE_BOOL)), 1);
    assert_int_equal(type_width(type_make(TYPE_DATE)), 4);
    assert_int_equal(type_width(type_decimal(10, 2)), 8);
    assert_int_equal(type_width(type_make(TYPE_VARCHAR)), 16);
    assert_int_equal(type_phys(type_make(TYPE_INTERVAL)), PHYS_I64);
    assert_true(type_equal(type_decimal(10, 2), type_decimal(10, 2)));
    assert_false(type_equal(type_decimal(10, 2), type_decimal(10, 3)));
    assert_false(type_equal(type_make(TYPE_INT32), type_make(TYPE_INT64)));
    assert_true(type_is_numeric(type_make(TYPE_DOUBLE)));
    assert_false(type_is_numeric(type_make(TYPE_DATE)));
    assert_true(type_is_integer(type_make(TYPE_INT64)));
    assert_false(type_is_integer(type_decimal(10, 0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_interval),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
