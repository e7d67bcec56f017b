/*
 * test_strbuf.c -- the growable string buffer: appends, formatting,
 * growth, clear/take ownership and sticky out-of-memory.
 */
#include "unit.h"

static void test_append(void **state)
{
    StrBuf sb;
    sb_init(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    sb_puts(&sb, "hello");
    sb_putc(&sb, ',');
    sb_append(&sb, " world!!", 6);
    assert_string_equal(sb.data, "hello, world");
    assert_int_equal(sb.len, 12);
    sb_append(&sb, NULL, 0);                 /* nothing to add */
    assert_int_equal(sb.len, 12);
    sb_append(&sb, "a\0b", 3);               /* bytes, NULs included */
    assert_int_equal(sb.len, 15);
    assert_memory_equal(sb.data + 12, "a\0b", 4);
    sb_release(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
}

static void test_printf(void **state)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%d rows", 42);
    sb_printf(&sb, " in %.1f ms", 1.25);
    assert_string_equal(sb.data, "42 rows in 1.2 ms");
    /* Output longer than the first block. */
    char big[500];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    sb_printf(&sb, "[%s]", big);
    assert_int_equal(sb.len, 17 + 2 + 499);
    assert_int_equal(sb.data[17], '[');
    assert_int_equal(sb.data[sb.len - 1], ']');
    assert_int_equal(sb.data[sb.len], 0);
    sb_printf(&sb, "%s", "");
    assert_int_equal(sb.len, 17 + 2 + 499);
    sb_release(&sb);

    /* Empty output still leaves valid text. */
    sb_init(&sb);
    sb_printf(&sb, "%s", "");
    assert_non_null(sb.data);
    assert_string_equal(sb.data, "");
    sb_release(&sb);
}

static void test_growth(void **state)
{
    StrBuf sb;
    sb_init(&sb);
    uint64_t allocs = mem_counters()->n_allocs;
    for (int i = 0; i < 100000; i++)
        sb_putc(&sb, (char)('a' + i % 26));
    assert_int_equal(sb.len, 100000);
    assert_true(sb.cap > sb.len);
    for (int i = 0; i < 100000; i += 997)
        assert_int_equal(sb.data[i], 'a' + i % 26);
    /* Doubling: a handful of reallocations, not one per append. */
    assert_in_range(mem_counters()->n_allocs - allocs, 1, 20);
    sb_release(&sb);
}

static void test_clear_and_take(void **state)
{
    StrBuf sb;
    sb_init(&sb);
    sb_puts(&sb, "some text");
    char *data = sb.data;
    size_t cap = sb.cap;
    sb_clear(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.data, "");
    assert_ptr_equal(sb.data, data);         /* memory kept */
    assert_int_equal(sb.cap, cap);
    sb_puts(&sb, "reused");
    char *t = sb_take(&sb);
    assert_string_equal(t, "reused");
    assert_null(sb.data);                    /* sb is empty again */
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    mem_free(t);

    /* Taking from an empty buffer gives an owned empty string. */
    char *e = sb_take(&sb);
    assert_non_null(e);
    assert_string_equal(e, "");
    mem_free(e);
    sb_clear(&sb);                           /* no memory: a no-op */
    assert_null(sb.data);
}

static void test_sticky_failure(void **state)
{
    StrBuf sb;
    sb_init(&sb);
    mem_fail_after(1);
    sb_puts(&sb, "lost");
    assert_true(sb.failed);
    assert_int_equal(sb.len, 0);
    /* The allocator works again; the buffer stays failed. */
    sb_puts(&sb, "also lost");
    sb_printf(&sb, "%d", 5);
    sb_putc(&sb, 'x');
    assert_true(sb.failed);
    assert_int_equal(sb.len, 0);
    assert_null(sb_take(&sb));
    assert_false(sb.failed);                 /* take resets the buffer */

    /* Failure while growing keeps what was there. */
    sb_puts(&sb, "kept");
    char big[200];
    memset(big, 'b', sizeof(big));
    mem_fail_after(1);
    sb_append(&sb, big, sizeof(big));
    assert_true(sb.failed);
    assert_string_equal(sb.data, "kept");
    sb_release(&sb);
    assert_false(sb.failed);

    /* sb_take of an empty buffer under memory pressure returns NULL. */
    mem_fail_after(1);
    assert_null(sb_take(&sb));
}

/* A caller's buffer: no allocation while the text fits; past it the text
 * moves to the heap intact; take hands out an allocated copy. */
static void test_borrowed_buffer(void **state)
{
    (void)state;
    char buf[8];
    StrBuf sb;
    MemCounters before, after;
    mem_totals(&before);
    sb_init_buf(&sb, buf, sizeof(buf));
    sb_puts(&sb, "abc");
    sb_printf(&sb, "%d", 42);
    mem_totals(&after);
    assert_int_equal(after.n_allocs, before.n_allocs);
    assert_ptr_equal(sb.data, buf);
    assert_string_equal(sb.data, "abc42");
    sb_puts(&sb, "-longer than eight");
    assert_ptr_not_equal(sb.data, buf);
    assert_string_equal(sb.data, "abc42-longer than eight");
    sb_release(&sb);
    sb_init_buf(&sb, buf, sizeof(buf));
    sb_puts(&sb, "xy");
    char *t = sb_take(&sb);
    assert_non_null(t);
    assert_ptr_not_equal(t, buf);
    assert_string_equal(t, "xy");
    mem_free(t);
    sb_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_clear_and_take),
        cmocka_unit_test(test_sticky_failure),
        cmocka_unit_test(test_borrowed_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
