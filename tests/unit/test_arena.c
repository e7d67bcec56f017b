/*
 * test_arena.c -- the bump arena: alignment, marks, in-place realloc,
 * sticky failure, ARENA_MALLOC mode and the constant allocation count.
 */
#include "unit.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

static void test_create_destroy(void **state)
{
    Arena *a = arena_create("query", 0, ARENA_RESERVE);
    assert_non_null(a);
    assert_string_equal(arena_name(a), "query");
    assert_i64_equal(arena_used(a), 0);
    assert_false(arena_failed(a));
    arena_destroy(a);
    arena_destroy(NULL);

    Arena *b = arena_create(NULL, 0, ARENA_RESERVE);
    assert_non_null(b);
    assert_string_equal(arena_name(b), "arena");
    arena_destroy(b);
}

static void test_alignment(void **state)
{
    Arena *a = arena_create("align", 0, ARENA_RESERVE);
    char *prev_end = NULL;
    for (size_t n = 0; n < 200; n++) {
        char *p = arena_alloc(a, n);
        assert_non_null(p);
        assert_i64_equal((uintptr_t)p % 16, 0);
        if (prev_end != NULL)
            assert_true(p >= prev_end);    /* no overlap */
        memset(p, (int)n, n);
        prev_end = p + n;
    }
    arena_destroy(a);
}

static void test_used_and_peak(void **state)
{
    Arena *a = arena_create("peak", 0, ARENA_RESERVE);
    arena_alloc(a, 10);
    assert_i64_equal(arena_used(a), 10);
    arena_alloc(a, 10);                    /* starts at 16 */
    assert_i64_equal(arena_used(a), 26);
    arena_reset(a);
    assert_i64_equal(arena_used(a), 0);
    assert_i64_equal(arena_peak(a), 26);
    arena_alloc(a, 100);
    assert_i64_equal(arena_peak(a), 100);
    arena_destroy(a);
}

static void test_calloc_after_reset(void **state)
{
    Arena *a = arena_create("calloc", 0, ARENA_RESERVE);
    unsigned char *p = arena_alloc(a, 256);
    memset(p, 0xee, 256);
    arena_reset(a);
    unsigned char *q = arena_calloc(a, 256);
    assert_ptr_equal(p, q);                /* the same bytes, reused */
    for (int i = 0; i < 256; i++)
        assert_int_equal(q[i], 0);
    arena_destroy(a);
}

static void test_marks(void **state)
{
    Arena *a = arena_create("marks", 0, ARENA_RESERVE);
    char *keep = arena_strdup(a, "kept");
    ArenaMark m = arena_mark(a);
    size_t used = arena_used(a);
    char *first = arena_alloc(a, 1000);
    for (int i = 0; i < 100; i++)
        assert_non_null(arena_alloc(a, 4096));
    assert_true(arena_used(a) > used + 400000);
    arena_release(a, m);
    assert_i64_equal(arena_used(a), used);
    assert_string_equal(keep, "kept");
    /* Released space is handed out again. */
    assert_ptr_equal(arena_alloc(a, 1000), first);

    /* Nested marks release LIFO. */
    ArenaMark outer = arena_mark(a);
    arena_alloc(a, 64);
    ArenaMark inner = arena_mark(a);
    arena_alloc(a, 64);
    arena_release(a, inner);
    assert_i64_equal(arena_used(a), inner.used);
    arena_release(a, outer);
    assert_i64_equal(arena_used(a), outer.used);
    arena_destroy(a);
}

static void test_grow_realloc(void **state)
{
    Arena *a = arena_create("realloc", 0, ARENA_RESERVE);
    arena_alloc(a, 8);
    char *p = arena_alloc(a, 100);
    memset(p, 'x', 100);
    size_t used = arena_used(a);
    /* The newest allocation grows in place, even across a commit step. */
    char *q = arena_realloc(a, p, 100, 1u << 20);
    assert_ptr_equal(q, p);
    assert_i64_equal(arena_used(a) - used, (1u << 20) - 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(q[i], 'x');
    q[(1u << 20) - 1] = 'y';
    /* Shrinking returns the same block. */
    assert_ptr_equal(arena_realloc(a, q, 1u << 20, 10), q);

    /* Not the newest: copied. */
    char *r = arena_alloc(a, 16);
    char *s = arena_alloc(a, 16);
    strcpy(r, "fifteen chars..");
    char *r2 = arena_realloc(a, r, 16, 64);
    assert_ptr_not_equal(r2, r);
    assert_true(r2 > s);
    assert_string_equal(r2, "fifteen chars..");
    /* realloc of NULL allocates. */
    assert_non_null(arena_realloc(a, NULL, 0, 32));

    /* After a release the surviving newest block grows in place again. */
    ArenaMark m = arena_mark(a);
    char *t = arena_alloc(a, 40);
    arena_alloc(a, 40);
    arena_release(a, m);
    char *t2 = arena_alloc(a, 40);
    assert_ptr_equal(t2, t);
    assert_ptr_equal(arena_realloc(a, t2, 40, 400), t2);
    arena_destroy(a);
}

static void test_strings(void **state)
{
    Arena *a = arena_create("strings", 0, ARENA_RESERVE);
    assert_string_equal(arena_strdup(a, "hello"), "hello");
    assert_string_equal(arena_strndup(a, "hello world", 5), "hello");
    assert_string_equal(arena_strdup(a, ""), "");
    char *s = arena_printf(a, "%s-%d-%.2f", "x", 42, 1.5);
    assert_string_equal(s, "x-42-1.50");
    char big[3000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    char *b = arena_printf(a, "<%s>", big);
    assert_i64_equal(strlen(b), sizeof(big) + 1);
    assert_int_equal(b[0], '<');
    assert_int_equal(b[sizeof(big)], '>');
    arena_destroy(a);
}

/* A reservation smaller than the minimum step is honoured as asked. */
static void test_small_reserve(void **state)
{
    Arena *a = arena_create("small", 1u << 20, ARENA_RESERVE);
    assert_non_null(a);
    char *p = arena_alloc(a, 1u << 20);
    assert_non_null(p);
    memset(p, 1, 1u << 20);
    arena_destroy(a);
}

static void test_sticky_failure_reserve(void **state)
{
    /* Rounded up to 2 MiB of address space. */
    Arena *a = arena_create("tiny", 2u << 20, ARENA_RESERVE);
    assert_non_null(a);
    char *p = arena_alloc(a, 64);
    assert_non_null(p);
    assert_null(arena_alloc(a, 3u << 20));
    assert_true(arena_failed(a));
    /* Everything fails from now on, even what would fit. */
    assert_null(arena_alloc(a, 16));
    assert_null(arena_calloc(a, 16));
    assert_null(arena_strdup(a, "x"));
    assert_null(arena_printf(a, "%d", 1));
    assert_null(arena_realloc(a, p, 64, 128));
    assert_true(arena_failed(a));
    /* Size overflow fails too, after a reset. */
    arena_reset(a);
    assert_false(arena_failed(a));
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_true(arena_failed(a));
    arena_reset(a);
    assert_non_null(arena_alloc(a, 16));
    arena_destroy(a);
}

static void test_sticky_failure_malloc(void **state)
{
    Arena *a = arena_create("slow", 0, ARENA_MALLOC);
    assert_non_null(a);
    assert_non_null(arena_alloc(a, 32));
    mem_fail_after(1);
    assert_null(arena_alloc(a, 32));
    assert_true(arena_failed(a));
    /* The allocator works again, the arena stays failed. */
    void *probe = mem_alloc(8);
    assert_non_null(probe);
    mem_free(probe);
    assert_null(arena_alloc(a, 32));
    assert_null(arena_strdup(a, "x"));
    arena_reset(a);
    assert_false(arena_failed(a));
    assert_non_null(arena_alloc(a, 32));
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_true(arena_failed(a));
    arena_destroy(a);
}

static void test_create_failure(void **state)
{
    mem_fail_after(1);
    assert_null(arena_create("x", 0, ARENA_RESERVE));
    mem_fail_after(1);
    assert_null(arena_create("x", 0, ARENA_MALLOC));
    /* The reservation fails: the arena struct must not leak. */
    MemCounters before = *mem_counters();
    mem_fail_after(2);
    assert_null(arena_create("x", 1u << 20, ARENA_RESERVE));
    mem_fail_after(0);                     /* in case nothing fired */
    MemCounters after = *mem_counters();
    assert_i64_equal(after.n_allocs - before.n_allocs,
                     after.n_frees - before.n_frees);
}

static void test_malloc_mode(void **state)
{
    MemCounters before = *mem_counters();
    Arena *a = arena_create("slow", 0, ARENA_MALLOC);
    assert_i64_equal(mem_counters()->n_allocs - before.n_allocs, 1);
    uint64_t n0 = mem_counters()->n_allocs;
    char *p = arena_alloc(a, 100);
    memset(p, 'a', 100);
    assert_i64_equal((uintptr_t)p % 16, 0);
    ArenaMark m = arena_mark(a);
    for (int i = 0; i < 10; i++) {
        char *q = arena_alloc(a, 1000);
        assert_non_null(q);
        assert_i64_equal((uintptr_t)q % 16, 0);
        memset(q, i, 1000);
    }
    /* Every allocation is its own call to the allocator. */
    assert_i64_equal(mem_counters()->n_allocs - n0, 11);
    assert_i64_equal(arena_used(a), 100 + 10 * 1000);
    uint64_t f0 = mem_counters()->n_frees;
    arena_release(a, m);
    assert_i64_equal(mem_counters()->n_frees - f0, 10);
    assert_i64_equal(arena_used(a), 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(p[i], 'a');

    /* realloc copies. */
    char *r = arena_realloc(a, p, 100, 200);
    assert_non_null(r);
    assert_int_equal(r[99], 'a');
    assert_string_equal(arena_printf(a, "%d", 7), "7");
    arena_destroy(a);
    MemCounters after = *mem_counters();
    assert_i64_equal(after.n_allocs - before.n_allocs,
                     after.n_frees - before.n_frees);
}

/* Allocations of one arena used for `total` bytes in 64 KiB pieces. */
static uint64_t allocs_for(size_t total, uint64_t *commits)
{
    MemCounters before = *mem_counters();
    Arena *a = arena_create("count", 0, ARENA_RESERVE);
    assert_non_null(a);
    for (size_t done = 0; done < total; done += 65536) {
        size_t n = total - done < 65536 ? total - done : 65536;
        char *p = arena_alloc(a, n);
        assert_non_null(p);
        memset(p, 0x5a, n);
    }
    assert_i64_equal(arena_used(a), total);
    arena_destroy(a);
    MemCounters after = *mem_counters();
    *commits = after.n_commits - before.n_commits;
    assert_i64_equal(after.n_frees - before.n_frees,
                     after.n_allocs - before.n_allocs);
    return after.n_allocs - before.n_allocs;
}

static void test_constant_alloc_count(void **state)
{
    uint64_t small_commits;
    uint64_t big_commits;
    uint64_t small = allocs_for(1024, &small_commits);
    uint64_t big = allocs_for(100u << 20, &big_commits);
    assert_i64_equal(big, small);
    assert_i64_equal(small, 2);            /* the struct and the range */
    /* The big arena grew by commit steps instead. */
    assert_true(big_commits > small_commits);
    assert_i64_equal(small_commits, 1);

    /* One 100 MB block at once counts the same. */
    MemCounters before = *mem_counters();
    Arena *a = arena_create("one", 0, ARENA_RESERVE);
    char *p = arena_alloc(a, 100u << 20);
    assert_non_null(p);
    p[(100u << 20) - 1] = 1;
    arena_destroy(a);
    assert_i64_equal(mem_counters()->n_allocs - before.n_allocs, small);
}

#if defined(__SANITIZE_ADDRESS__)
static void test_asan_poisoning(void **state)
{
    Arena *a = arena_create("asan", 0, ARENA_RESERVE);
    char *p = arena_alloc(a, 20);
    assert_false(__asan_address_is_poisoned(p));
    assert_false(__asan_address_is_poisoned(p + 19));
    assert_true(__asan_address_is_poisoned(p + 20));  /* padding */
    ArenaMark m = arena_mark(a);
    char *q = arena_alloc(a, 32);
    assert_false(__asan_address_is_poisoned(q + 31));
    arena_release(a, m);
    assert_true(__asan_address_is_poisoned(q));
    assert_false(__asan_address_is_poisoned(p));
    p = arena_realloc(a, p, 20, 40);
    assert_false(__asan_address_is_poisoned(p + 39));
    arena_reset(a);
    assert_true(__asan_address_is_poisoned(p));
    arena_destroy(a);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_destroy),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_used_and_peak),
        cmocka_unit_test(test_calloc_after_reset),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_grow_realloc),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_small_reserve),
        cmocka_unit_test(test_sticky_failure_reserve),
        cmocka_unit_test(test_sticky_failure_malloc),
        cmocka_unit_test(test_create_failure),
        cmocka_unit_test(test_malloc_mode),
        cmocka_unit_test(test_constant_alloc_count),
#if defined(__SANITIZE_ADDRESS__)
        cmocka_unit_test(test_asan_poisoning),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
