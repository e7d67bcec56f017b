/*
 * test_error.c -- the statement error record (first error wins, message
 * and hint bounds) and the clocks.
 */
#include "unit.h"

static void test_first_error_wins(void **state)
{
    Err e;
    err_clear(&e);
    assert_int_equal(e.code, EMBER_OK);
    assert_int_equal(e.pos, -1);
    assert_string_equal(e.msg, "");
    assert_rc(err_set(&e, EMBER_NOTFOUND, 14, "table \"%s\" does not exist",
                      "lineitem"),
              EMBER_NOTFOUND);
    assert_int_equal(e.code, EMBER_NOTFOUND);
    assert_int_equal(e.pos, 14);
    assert_string_equal(e.msg, "table \"lineitem\" does not exist");
    /* A later error returns its code but leaves the record alone. */
    assert_rc(err_set(&e, EMBER_SYNTAX, 3, "other"), EMBER_SYNTAX);
    assert_rc(err_nomem(&e), EMBER_NOMEM);
    assert_int_equal(e.code, EMBER_NOTFOUND);
    assert_int_equal(e.pos, 14);
    assert_string_equal(e.msg, "table \"lineitem\" does not exist");
    err_hint(&e, "did you mean \"%s\"?", "lineitems");
    assert_string_equal(e.hint, "did you mean \"lineitems\"?");
    err_clear(&e);
    assert_string_equal(e.hint, "");
    assert_rc(err_nomem(&e), EMBER_NOMEM);
    assert_string_equal(e.msg, "out of memory");
    assert_int_equal(e.pos, -1);
}

static void test_long_messages(void **state)
{
    Err e;
    err_clear(&e);
    char big[2000];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    err_set(&e, EMBER_ERROR, -1, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MSG_CAP - 1);
    err_hint(&e, "%s", big);
    assert_int_equal(strlen(e.hint), sizeof(e.hint) - 1);
}

static void test_clocks(void **state)
{
    uint64_t t0 = clock_ns();
    uint64_t c0 = thread_cpu_ns();
    uint64_t p0 = process_cpu_ns();
    /* Burn some CPU; the volatile sink keeps the loop. */
    volatile uint64_t sink = 0;
    while (thread_cpu_ns() - c0 < 2000000)
        sink += hash_u64(sink);
    uint64_t t1 = clock_ns();
    uint64_t c1 = thread_cpu_ns();
    uint64_t p1 = process_cpu_ns();
    assert_true(t1 >= t0 + 1000000);       /* wall time covers CPU time */
    assert_true(c1 - c0 >= 2000000);
    assert_true(p1 - p0 >= c1 - c0 - 1000000);
    assert_true(clock_ns() >= t1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_long_messages),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
