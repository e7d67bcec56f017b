/*
 * test_alloc.c -- the counting allocator hook: counters, the replaceable
 * allocator, reserve/commit, fault injection, per-thread totals.
 */
#include <pthread.h>
#include <stdlib.h>

#include "unit.h"

static int g_custom_mallocs;
static int g_custom_reallocs;
static int g_custom_frees;

static void *custom_malloc(size_t n)
{
    g_custom_mallocs++;
    return malloc(n);
}

static void *custom_realloc(void *p, size_t n)
{
    g_custom_reallocs++;
    return realloc(p, n);
}

static void custom_free(void *p)
{
    g_custom_frees++;
    free(p);
}

/* Must run first: the allocator can only be replaced before ember's first
 * allocation. */
static void test_set_allocator(void **state)
{
    ember_allocator bad = {custom_malloc, NULL, custom_free};
    assert_rc(mem_set_allocator(NULL), EMBER_MISUSE);
    assert_rc(mem_set_allocator(&bad), EMBER_MISUSE);
    /* Make this thread's counter block now, so that the counts below see
     * only the calls we make. */
    assert_non_null(mem_counters());
    ember_allocator custom = {custom_malloc, custom_realloc, custom_free};
    assert_rc(ember_config_allocator(&custom), EMBER_OK);

    int m0 = g_custom_mallocs;
    void *p = mem_alloc(100);
    assert_non_null(p);
    assert_int_equal(g_custom_mallocs, m0 + 1);
    p = mem_realloc(p, 200);
    assert_non_null(p);
    assert_int_equal(g_custom_reallocs, 1);
    mem_free(p);
    assert_int_equal(g_custom_frees, 1);

    /* Frozen after the first allocation. */
    ember_allocator plain = {malloc, realloc, free};
    assert_rc(mem_set_allocator(&plain), EMBER_MISUSE);
    p = mem_alloc(8);
    assert_int_equal(g_custom_mallocs, m0 + 2);
    mem_free(p);
}

static void test_counters(void **state)
{
    MemCounters before = *mem_counters();
    void *p = mem_alloc(1000);
    assert_non_null(p);
    void *q = mem_calloc(24);
    assert_non_null(q);
    char *s = mem_strdup("ember");
    assert_string_equal(s, "ember");
    MemCounters mid = *mem_counters();
    assert_i64_equal(mid.n_allocs - before.n_allocs, 3);
    assert_i64_equal(mid.bytes - before.bytes, 1000 + 24 + 6);
    assert_i64_equal(mid.n_frees, before.n_frees);
    mem_free(p);
    mem_free(q);
    mem_free(s);
    mem_free(NULL);                        /* not counted */
    assert_i64_equal(mem_counters()->n_frees - before.n_frees, 3);
}

static void test_calloc_and_realloc(void **state)
{
    unsigned char *p = mem_calloc(4096);
    assert_non_null(p);
    for (int i = 0; i < 4096; i++)
        assert_int_equal(p[i], 0);
    for (int i = 0; i < 4096; i++)
        p[i] = (unsigned char)i;
    uint64_t n0 = mem_counters()->n_allocs;
    p = mem_realloc(p, 1 << 20);
    assert_non_null(p);
    assert_i64_equal(mem_counters()->n_allocs - n0, 1);
    for (int i = 0; i < 4096; i++)
        assert_int_equal(p[i], (unsigned char)i);
    mem_free(p);

    /* realloc of NULL is an allocation. */
    n0 = mem_counters()->n_allocs;
    void *q = mem_realloc(NULL, 16);
    assert_non_null(q);
    assert_i64_equal(mem_counters()->n_allocs - n0, 1);
    mem_free(q);
}

static void test_fail_after(void **state)
{
    uint64_t n0 = mem_counters()->n_allocs;
    mem_fail_after(3);
    void *a = mem_alloc(8);
    void *b = mem_alloc(8);
    void *c = mem_alloc(8);                /* the third call fails */
    void *d = mem_alloc(8);                /* injection is one-shot */
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d);
    /* The failed call is not counted. */
    assert_i64_equal(mem_counters()->n_allocs - n0, 3);
    mem_free(a);
    mem_free(b);
    mem_free(d);

    mem_fail_after(1);
    void *r = mem_alloc(8);
    assert_null(r);
    mem_fail_after(1);
    assert_null(mem_reserve(1 << 20));
    mem_fail_after(1);
    assert_null(mem_strdup("x"));

    void *p = mem_alloc(8);
    mem_fail_after(1);
    void *q = mem_realloc(p, 1 << 16);
    assert_null(q);                        /* p is still valid */
    mem_free(p);

    mem_fail_after(2);
    mem_fail_after(0);                     /* disarm */
    for (int i = 0; i < 4; i++) {
        void *x = mem_alloc(1);
        assert_non_null(x);
        mem_free(x);
    }
}

static void test_reserve_commit(void **state)
{
    const size_t reserve = 16u << 20;
    MemCounters before = *mem_counters();
    char *base = mem_reserve(reserve);
    assert_non_null(base);
    assert_i64_equal(mem_counters()->n_allocs - before.n_allocs, 1);
    /* address space is not memory: bytes count when committed */
    assert_i64_equal(mem_counters()->bytes - before.bytes, 0);
    assert_rc(mem_commit(base, 1u << 20), EMBER_OK);
    assert_i64_equal(mem_counters()->n_commits - before.n_commits, 1);
    assert_i64_equal(mem_counters()->bytes - before.bytes, 1u << 20);
    /* Committed memory is zeroed and writable. */
    assert_int_equal(base[0], 0);
    assert_int_equal(base[(1u << 20) - 1], 0);
    memset(base, 0xab, 1u << 20);
    assert_int_equal((unsigned char)base[12345], 0xab);
    assert_rc(mem_commit(base + (1u << 20), 1u << 20), EMBER_OK);
    base[(2u << 20) - 1] = 1;
    /* Commits are not allocations. */
    assert_i64_equal(mem_counters()->n_allocs - before.n_allocs, 1);
    mem_unreserve(base, reserve);
    assert_i64_equal(mem_counters()->n_frees - before.n_frees, 1);
    mem_unreserve(NULL, reserve);          /* no-op */
    assert_i64_equal(mem_counters()->n_frees - before.n_frees, 1);
}

static void *thread_allocs(void *arg)
{
    MemCounters *out = arg;
    MemCounters start = *mem_counters();
    for (int i = 0; i < 5; i++)
        mem_free(mem_alloc(64));
    out->n_allocs = mem_counters()->n_allocs - start.n_allocs;
    out->n_frees = mem_counters()->n_frees - start.n_frees;
    return NULL;
}

static void test_thread_counters(void **state)
{
    MemCounters mine = *mem_counters();
    MemCounters total0;
    mem_totals(&total0);
    assert_true(total0.n_allocs >= mine.n_allocs);

    MemCounters seen = {0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, thread_allocs, &seen), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_i64_equal(seen.n_allocs, 5);
    assert_i64_equal(seen.n_frees, 5);

    /* The other thread's work shows in the totals, not in our counters. */
    assert_i64_equal(mem_counters()->n_allocs, mine.n_allocs);
    MemCounters total1;
    mem_totals(&total1);
    /* 5 allocations plus the new thread's own counter block. */
    assert_i64_equal(total1.n_allocs - total0.n_allocs, 6);
    assert_i64_equal(total1.n_frees - total0.n_frees, 5);

    ember_memory_stats pub;
    ember_memory_totals(&pub);
    assert_true(pub.n_allocs >= total1.n_allocs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_allocator),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_calloc_and_realloc),
        cmocka_unit_test(test_fail_after),
        cmocka_unit_test(test_reserve_commit),
        cmocka_unit_test(test_thread_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
