/*
 * test_hll.c -- HyperLogLog: register update rule, estimate accuracy from
 * the linear-counting range to millions, duplicates, and exact merging.
 */
#include <math.h>
#include <stdio.h>

#include "unit.h"

static void check_close(double est, double want, double tolerance)
{
    if (fabs(est - want) > tolerance * want)
        fail_msg("estimate %.1f for %.0f distinct (error %.2f%%, allowed "
                 "%.1f%%)", est, want, 100 * fabs(est - want) / want,
                 100 * tolerance);
}

static void test_empty(void **state)
{
    Hll h;
    hll_init(&h);
    assert_float_equal(hll_estimate(&h), 0.0, 0.0);
}

static void test_register_rule(void **state)
{
    Hll h;
    hll_init(&h);
    /* Register = top 12 bits; rank = leading zeros of the other 52 + 1. */
    hll_add(&h, (5ull << 52) | (1ull << 51));
    assert_int_equal(h.reg[5], 1);
    hll_add(&h, (6ull << 52) | (1ull << 40));
    assert_int_equal(h.reg[6], 12);
    hll_add(&h, (7ull << 52) | 1);
    assert_int_equal(h.reg[7], 52);
    hll_add(&h, 4095ull << 52);                /* all 52 bits zero */
    assert_int_equal(h.reg[4095], 53);
    hll_add(&h, 0);
    assert_int_equal(h.reg[0], 53);
    /* A register keeps its maximum. */
    hll_add(&h, (6ull << 52) | (1ull << 51));
    assert_int_equal(h.reg[6], 12);
    hll_add(&h, (6ull << 52) | (1ull << 20));
    assert_int_equal(h.reg[6], 32);
    int touched = 0;
    for (uint32_t i = 0; i < HLL_REGISTERS; i++)
        touched += h.reg[i] != 0;
    assert_int_equal(touched, 5);
}

static double estimate_of(uint64_t n, uint64_t salt)
{
    Hll h;
    hll_init(&h);
    for (uint64_t i = 0; i < n; i++)
        hll_add(&h, hash_u64(i * 0x100000001ull + salt));
    return hll_estimate(&h);
}

static void test_small_counts(void **state)
{
    /* Linear counting is nearly exact while few registers are used. */
    check_close(estimate_of(1, 0), 1, 0.01);
    check_close(estimate_of(10, 0), 10, 0.05);
    check_close(estimate_of(100, 0), 100, 0.03);
}

static void test_accuracy(void **state)
{
    static const uint64_t sizes[] = {1000, 100000, 1000000};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        for (uint64_t salt = 1; salt <= 3; salt++)
            check_close(estimate_of(sizes[i], salt), (double)sizes[i], 0.05);
    }
}

/* Hashes of strings, as GROUP BY keys on VARCHAR produce them. */
static void test_accuracy_strings(void **state)
{
    Hll h;
    hll_init(&h);
    char key[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof(key), "customer#%09d", i);
        Str s = str_make(key, (uint32_t)n);
        hll_add(&h, hash_str(&s));
    }
    check_close(hll_estimate(&h), 100000, 0.05);
}

/* The transition between linear counting and the raw estimate. */
static void test_mid_range(void **state)
{
    static const uint64_t sizes[] = {5000, 10000, 20000, 40000};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
        check_close(estimate_of(sizes[i], 9), (double)sizes[i], 0.08);
}

static void test_duplicates(void **state)
{
    Hll once;
    Hll many;
    hll_init(&once);
    hll_init(&many);
    for (uint64_t i = 0; i < 1000; i++)
        hll_add(&once, hash_u64(i));
    for (int rep = 0; rep < 10; rep++) {
        for (uint64_t i = 0; i < 1000; i++)
            hll_add(&many, hash_u64(i));
    }
    assert_memory_equal(once.reg, many.reg, HLL_REGISTERS);
    check_close(hll_estimate(&many), 1000, 0.05);
}

static void test_merge(void **state)
{
    enum { N = 200000 };
    static Hll whole;
    static Hll lo;
    static Hll hi;
    hll_init(&whole);
    hll_init(&lo);
    hll_init(&hi);
    for (uint64_t i = 0; i < N; i++) {
        uint64_t h = hash_u64(i);
        hll_add(&whole, h);
        hll_add(i < N / 2 ? &lo : &hi, h);
    }
    Hll merged = lo;
    hll_merge(&merged, &hi);
    assert_memory_equal(merged.reg, whole.reg, HLL_REGISTERS);
    /* Order does not matter; merging again or with empty changes nothing. */
    Hll other = hi;
    hll_merge(&other, &lo);
    assert_memory_equal(other.reg, whole.reg, HLL_REGISTERS);
    hll_merge(&merged, &lo);
    assert_memory_equal(merged.reg, whole.reg, HLL_REGISTERS);
    Hll empty;
    hll_init(&empty);
    hll_merge(&merged, &empty);
    assert_memory_equal(merged.reg, whole.reg, HLL_REGISTERS);
    assert_float_equal(hll_estimate(&merged), hll_estimate(&whole), 0.0);
    check_close(hll_estimate(&merged), N, 0.05);
    /* Halves overlapping in half their values. */
    Hll a;
    Hll b;
    hll_init(&a);
    hll_init(&b);
    for (uint64_t i = 0; i < 60000; i++)
        hll_add(&a, hash_u64(i));
    for (uint64_t i = 30000; i < 90000; i++)
        hll_add(&b, hash_u64(i));
    hll_merge(&a, &b);
    check_close(hll_estimate(&a), 90000, 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_register_rule),
        cmocka_unit_test(test_small_counts),
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_accuracy_strings),
        cmocka_unit_test(test_mid_range),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
