/*
 * test_str.c -- the 16-byte Str: inline versus pointer storage, copies
 * into an arena, equality and ordering.
 */
#include "unit.h"

static Str mk(const char *s)
{
    return str_make(s, (uint32_t)strlen(s));
}

static void test_layout(void **state)
{
    assert_int_equal(sizeof(Str), 16);
    char buf[64] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (uint32_t len = 0; len <= 30; len++) {
        Str s = str_make(buf, len);
        assert_int_equal(s.len, len);
        assert_memory_equal(str_data(&s), buf, len);
        if (len <= STR_INLINE) {
            /* Inline: the bytes live in the Str, not in buf. */
            assert_true(str_data(&s) != buf);
        } else {
            assert_ptr_equal(s.u.ptr, buf);
            assert_ptr_equal(str_data(&s), buf);
        }
        assert_memory_equal(s.prefix, buf, len < 4 ? len : 4);
    }
    /* Inline bytes are copied: changing the source changes nothing. */
    char src[8] = "short";
    Str s = mk(src);
    src[0] = 'X';
    assert_memory_equal(str_data(&s), "short", 5);
}

static void test_copy(void **state)
{
    Arena *a = arena_create("str", 0, ARENA_RESERVE);
    char buf[40] = "a fairly long string value";
    size_t used = arena_used(a);
    Str small = str_copy(a, buf, 12);
    assert_i64_equal(arena_used(a), used);     /* inline: no arena use */
    assert_memory_equal(str_data(&small), buf, 12);
    Str big = str_copy(a, buf, 26);
    assert_true(arena_used(a) >= used + 26);
    assert_true(big.u.ptr != buf);
    buf[5] = '#';                              /* the copy is independent */
    assert_memory_equal(str_data(&big), "a fairly long string value", 26);
    arena_destroy(a);

    /* A failed arena yields the empty string and stays failed. */
    Arena *tiny = arena_create("tiny", 1u << 20, ARENA_RESERVE);
    assert_null(arena_alloc(tiny, 4u << 20));
    Str lost = str_copy(tiny, "more than twelve bytes", 22);
    assert_int_equal(lost.len, 0);
    assert_true(arena_failed(tiny));
    arena_destroy(tiny);
}

static void test_equality(void **state)
{
    static const char *words[] = {
        "",           "a",          "ab",          "abcd",
        "abcde",      "abcdefghijkl", "abcdefghijklm", "abcdefghijkm",
        "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyZ",
        "abce",       "b",
    };
    for (size_t i = 0; i < ARRAY_LEN(words); i++) {
        for (size_t j = 0; j < ARRAY_LEN(words); j++) {
            /* Separate copies, so pointer identity proves nothing. */
            char x[64];
            char y[64];
            strcpy(x, words[i]);
            strcpy(y, words[j]);
            Str a = mk(x);
            Str b = mk(y);
            bool want = strcmp(words[i], words[j]) == 0;
            if (str_eq(&a, &b) != want)
                fail_msg("str_eq(\"%s\", \"%s\") != %d", words[i], words[j],
                         want);
        }
    }
    /* Embedded NUL bytes are data. */
    Str n1 = str_make("ab\0cd", 5);
    Str n2 = str_make("ab\0ce", 5);
    Str n3 = str_make("ab\0cd", 5);
    assert_false(str_eq(&n1, &n2));
    assert_true(str_eq(&n1, &n3));
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void test_compare(void **state)
{
    static const char *sorted[] = {
        "",
        "a",
        "abc",
        "abcd",
        "abcdefghijklm",
        "abcdefghijklmn",
        "abcz",
        "abd",
        "abd\x01zzzz",
        "abd\x80",
        "ab\xff\x01",
        "ab\xff\x01\x01",
        "a\xff",
        "b",
        "bcdefghijklmnopq",
        "z",
        "\x7f",
        "\x80",
        "\xff",
        "\xff\x01\x01\x02",
        "\xff\x01\x02\x01",
        "\xff\xff",
        "\xff\xff\xff\xfe",
        "\xff\xff\xff\xff",
        "\xff\xff\xff\xff long tail here",
    };
    size_t n = ARRAY_LEN(sorted);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            Str a = mk(sorted[i]);
            Str b = mk(sorted[j]);
            int want = i < j ? -1 : i > j;
            int got = sign(str_cmp(&a, &b));
            if (got != want)
                fail_msg("str_cmp(#%zu, #%zu) = %d, want %d", i, j, got, want);
        }
    }
    /* memcmp order first, then length; NUL is the smallest byte. */
    Str x = str_make("ab\0", 3);
    Str y = str_make("ab", 2);
    Str z = str_make("ab\x01", 3);
    assert_int_equal(str_cmp(&x, &y), 1);
    assert_int_equal(str_cmp(&x, &z), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
