/*
 * test_hash_map.c -- hash_bytes / hash_str properties and the NameMap,
 * including long random insert/delete runs checked against a plain array.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

/* ------------------------------------------------------------------------
 * Hashing
 * ------------------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_hash_basics(void **state)
{
    const char *s = "the quick brown fox";
    uint64_t h = hash_bytes(s, strlen(s), 0);
    assert_true(h == hash_bytes(s, strlen(s), 0));     /* deterministic */
    assert_true(h != hash_bytes(s, strlen(s), 1));     /* seeded */
    assert_true(h != hash_bytes(s, strlen(s) - 1, 0));
    /* Trailing zero bytes change the hash (the length is mixed in). */
    static const char zeros[16] = {0};
    uint64_t seen[17];
    for (int n = 0; n <= 16; n++)
        seen[n] = hash_bytes(zeros, (size_t)n, 0);
    qsort(seen, 17, sizeof(seen[0]), cmp_u64);
    for (int n = 1; n <= 16; n++)
        assert_true(seen[n] != seen[n - 1]);
    /* An empty input needs no pointer. */
    assert_true(hash_bytes(NULL, 0, 5) == hash_bytes("", 0, 5));
}

/* Bytes past `n` are never read. */
static void test_hash_reads_only_n(void **state)
{
    char a[64];
    char b[64];
    for (size_t n = 0; n < 48; n++) {
        memset(a, 'x', sizeof(a));
        memset(b, 'y', sizeof(b));
        memcpy(b, a, n);
        assert_true(hash_bytes(a, n, 9) == hash_bytes(b, n, 9));
    }
    /* Unaligned starts give the same answer as aligned copies. */
    char buf[80];
    for (int i = 0; i < 80; i++)
        buf[i] = (char)(i * 7);
    for (size_t off = 1; off < 8; off++) {
        char copy[64];
        memcpy(copy, buf + off, 64);
        assert_true(hash_bytes(buf + off, 64, 3) == hash_bytes(copy, 64, 3));
    }
}

/* Flipping one input bit flips about half of the output bits. */
static void test_hash_avalanche(void **state)
{
    uint64_t seed = 5;
    uint64_t total = 0;
    uint64_t trials = 0;
    int lens[] = {3, 8, 13, 32};
    for (size_t li = 0; li < ARRAY_LEN(lens); li++) {
        int len = lens[li];
        for (int rep = 0; rep < 200; rep++) {
            unsigned char in[32];
            for (int i = 0; i < len; i++)
                in[i] = (unsigned char)unit_rand(&seed);
            uint64_t h0 = hash_bytes(in, (size_t)len, 0);
            for (int bit = 0; bit < len * 8; bit++) {
                in[bit / 8] ^= (unsigned char)(1u << (bit % 8));
                total += (uint64_t)__builtin_popcountll(
                    h0 ^ hash_bytes(in, (size_t)len, 0));
                trials++;
                in[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            }
        }
    }
    double mean = (double)total / (double)trials;
    if (mean < 31.5 || mean > 32.5)
        fail_msg("mean flipped output bits %.3f, want about 32", mean);
}

/* One million distinct 8-byte keys: no collisions, and the low bits that
 * pick a bucket spread evenly. */
static void test_hash_distribution(void **state)
{
    enum { N = 1000000, BUCKETS = 1024 };
    uint64_t *h = mem_alloc(N * sizeof(uint64_t));
    uint32_t *count = mem_calloc(BUCKETS * sizeof(uint32_t));
    assert_non_null(h);
    assert_non_null(count);
    for (uint64_t i = 0; i < N; i++) {
        h[i] = hash_bytes(&i, 8, 0);
        count[h[i] & (BUCKETS - 1)]++;
    }
    qsort(h, N, sizeof(h[0]), cmp_u64);
    for (int i = 1; i < N; i++) {
        if (h[i] == h[i - 1])
            fail_msg("collision among %d sequential keys", N);
    }
    /* Expected 976.6 per bucket, standard deviation about 31. */
    for (int b = 0; b < BUCKETS; b++)
        assert_in_range(count[b], 800, 1150);
    mem_free(h);
    mem_free(count);
}

static void test_hash_str(void **state)
{
    char a[64];
    char b[64];
    for (uint32_t len = 0; len <= 40; len++) {
        for (uint32_t i = 0; i < len; i++)
            a[i] = b[i] = (char)('a' + (i * 5) % 26);
        /* Same bytes from different buffers: equal Strs, equal hashes. */
        Str sa = str_make(a, len);
        Str sb = str_make(b, len);
        assert_true(str_eq(&sa, &sb));
        assert_true(hash_str(&sa) == hash_str(&sb));
        if (len > 0) {
            b[len - 1] ^= 1;
            Str sc = str_make(b, len);
            assert_true(hash_str(&sa) != hash_str(&sc));
        }
    }
    /* Copies into an arena hash like the original. */
    Arena *ar = arena_create("hash", 0, ARENA_RESERVE);
    const char *text = "a string longer than twelve bytes";
    Str orig = str_make(text, (uint32_t)strlen(text));
    Str copy = str_copy(ar, text, (uint32_t)strlen(text));
    assert_ptr_not_equal(copy.u.ptr, orig.u.ptr);
    assert_true(hash_str(&orig) == hash_str(&copy));
    arena_destroy(ar);
}

/* ------------------------------------------------------------------------
 * NameMap
 * ------------------------------------------------------------------------ */

static void test_map_basic(void **state)
{
    NameMap m;
    namemap_init(&m, false);
    int one = 1;
    int two = 2;
    int three = 3;
    assert_null(namemap_get(&m, "missing"));
    assert_null(namemap_del(&m, "missing"));
    assert_rc(namemap_put(&m, "alpha", &one), EMBER_OK);
    assert_rc(namemap_put(&m, "beta", &two), EMBER_OK);
    assert_int_equal(m.count, 2);
    assert_ptr_equal(namemap_get(&m, "alpha"), &one);
    assert_ptr_equal(namemap_get(&m, "beta"), &two);
    assert_null(namemap_get(&m, "Alpha"));   /* case-sensitive */
    assert_null(namemap_get(&m, "alph"));
    assert_null(namemap_get(&m, "alphaa"));
    /* Replace keeps one entry. */
    assert_rc(namemap_put(&m, "alpha", &three), EMBER_OK);
    assert_int_equal(m.count, 2);
    assert_ptr_equal(namemap_get(&m, "alpha"), &three);
    /* The empty string is a key like any other. */
    assert_rc(namemap_put(&m, "", &one), EMBER_OK);
    assert_ptr_equal(namemap_get(&m, ""), &one);
    assert_ptr_equal(namemap_del(&m, "alpha"), &three);
    assert_null(namemap_get(&m, "alpha"));
    assert_null(namemap_del(&m, "alpha"));
    assert_int_equal(m.count, 2);
    /* A NULL value is stored, and reads back as NULL. */
    assert_rc(namemap_put(&m, "nil", NULL), EMBER_OK);
    assert_int_equal(m.count, 3);
    namemap_release(&m);
    assert_int_equal(m.count, 0);
    assert_null(namemap_get(&m, "beta"));
}

static void test_map_nocase(void **state)
{
    NameMap m;
    namemap_init(&m, true);
    int a = 1;
    int b = 2;
    assert_rc(namemap_put(&m, "LineItem", &a), EMBER_OK);
    assert_ptr_equal(namemap_get(&m, "lineitem"), &a);
    assert_ptr_equal(namemap_get(&m, "LINEITEM"), &a);
    assert_rc(namemap_put(&m, "LINEITEM", &b), EMBER_OK);
    assert_int_equal(m.count, 1);
    assert_ptr_equal(namemap_get(&m, "lineItem"), &b);
    /* The key keeps its first spelling. */
    uint32_t pos = 0;
    const char *key;
    void *val;
    assert_true(namemap_next(&m, &pos, &key, &val));
    assert_string_equal(key, "LineItem");
    assert_false(namemap_next(&m, &pos, &key, &val));
    /* Folding is ASCII only: other bytes must match exactly. */
    assert_rc(namemap_put(&m, "caf\xc3\xa9", &a), EMBER_OK);
    assert_ptr_equal(namemap_get(&m, "CAF\xc3\xa9"), &a);
    assert_null(namemap_get(&m, "CAF\xc3\x89"));
    /* '@' and '[' sit next to 'A' and 'Z' and must not fold. */
    assert_rc(namemap_put(&m, "x@", &a), EMBER_OK);
    assert_null(namemap_get(&m, "x`"));
    assert_rc(namemap_put(&m, "y[", &a), EMBER_OK);
    assert_null(namemap_get(&m, "y{"));
    assert_ptr_equal(namemap_del(&m, "LINEitem"), &b);
    assert_int_equal(m.count, 3);
    namemap_release(&m);
}

static void test_map_copies_keys(void **state)
{
    NameMap m;
    namemap_init(&m, false);
    char key[16];
    strcpy(key, "orders");
    int v = 7;
    assert_rc(namemap_put(&m, key, &v), EMBER_OK);
    strcpy(key, "xxxxxx");
    assert_ptr_equal(namemap_get(&m, "orders"), &v);
    assert_null(namemap_get(&m, "xxxxxx"));
    namemap_release(&m);
}

static void test_map_grow_and_iterate(void **state)
{
    NameMap m;
    namemap_init(&m, false);
    enum { N = 5000 };
    static int vals[N];
    char key[32];
    for (int i = 0; i < N; i++) {
        vals[i] = i;
        snprintf(key, sizeof(key), "key%d", i);
        assert_rc(namemap_put(&m, key, &vals[i]), EMBER_OK);
        /* Power-of-two capacity, load at most 70%. */
        assert_int_equal(m.cap & (m.cap - 1), 0);
        assert_true((uint64_t)m.count * 10 <= (uint64_t)m.cap * 7);
    }
    assert_int_equal(m.count, N);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        assert_ptr_equal(namemap_get(&m, key), &vals[i]);
    }
    /* Iteration visits each entry exactly once. */
    static bool seen[N];
    memset(seen, 0, sizeof(seen));
    uint32_t pos = 0;
    const char *k;
    void *v;
    int visited = 0;
    while (namemap_next(&m, &pos, &k, &v)) {
        int i = *(int *)v;
        assert_in_range(i, 0, N - 1);
        assert_false(seen[i]);
        seen[i] = true;
        snprintf(key, sizeof(key), "key%d", i);
        assert_string_equal(k, key);
        visited++;
    }
    assert_int_equal(visited, N);
    assert_false(namemap_next(&m, &pos, &k, &v));  /* stays at the end */
    namemap_release(&m);
}

/* Random puts, replaces, deletes and lookups over a small key space, so
 * that probe runs keep forming and breaking, checked against an array. */
static void random_cycles(bool nocase, int ops)
{
    enum { KEYS = 3000 };
    static uintptr_t ref[KEYS];         /* 0: absent, else the value */
    memset(ref, 0, sizeof(ref));
    uint32_t live = 0;
    NameMap m;
    namemap_init(&m, nocase);
    uint64_t seed = nocase ? 99 : 42;
    char key[32];
    for (int op = 0; op < ops; op++) {
        uint64_t r = unit_rand(&seed);
        uint32_t id = (uint32_t)(r % KEYS);
        snprintf(key, sizeof(key), "Name_%u", id);
        if (nocase && (r >> 32) & 1) {
            for (char *c = key; *c; c++)
                *c = (char)((*c >= 'a' && *c <= 'z') ? *c - 32 : *c);
        }
        switch ((r >> 40) % 3) {
        case 0: {
            uintptr_t val = (uintptr_t)op * 2 + 2;
            assert_rc(namemap_put(&m, key, (void *)val), EMBER_OK);
            live += ref[id] == 0;
            ref[id] = val;
            break;
        }
        case 1: {
            void *old = namemap_del(&m, key);
            assert_true((uintptr_t)old == ref[id]);
            live -= ref[id] != 0;
            ref[id] = 0;
            break;
        }
        default:
            assert_true((uintptr_t)namemap_get(&m, key) == ref[id]);
            break;
        }
        assert_int_equal(m.count, live);
        if (op % 20000 == 0 || op == ops - 1) {
            for (uint32_t i = 0; i < KEYS; i++) {
                snprintf(key, sizeof(key), "Name_%u", i);
                if ((uintptr_t)namemap_get(&m, key) != ref[i])
                    fail_msg("op %d: key %s lost or stale", op, key);
            }
            uint32_t pos = 0;
            const char *k;
            void *v;
            uint32_t n = 0;
            while (namemap_next(&m, &pos, &k, &v))
                n++;
            assert_int_equal(n, live);
        }
    }
    /* Delete everything: the map must end up empty and still work. */
    for (uint32_t i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "Name_%u", i);
        assert_true((uintptr_t)namemap_del(&m, key) == ref[i]);
    }
    assert_int_equal(m.count, 0);
    assert_rc(namemap_put(&m, "again", (void *)1), EMBER_OK);
    assert_true(namemap_get(&m, "AGAIN") == (nocase ? (void *)1 : NULL));
    namemap_release(&m);
}

static void test_map_random(void **state)
{
    random_cycles(false, 100000);
}

static void test_map_random_nocase(void **state)
{
    random_cycles(true, 100000);
}

static void test_map_out_of_memory(void **state)
{
    NameMap m;
    namemap_init(&m, false);
    int v = 1;
    /* The first put allocates the slots, then the key copy. */
    mem_fail_after(1);
    assert_rc(namemap_put(&m, "a", &v), EMBER_NOMEM);
    assert_int_equal(m.count, 0);
    assert_null(namemap_get(&m, "a"));
    mem_fail_after(2);
    assert_rc(namemap_put(&m, "a", &v), EMBER_NOMEM);
    assert_int_equal(m.count, 0);
    assert_null(namemap_get(&m, "a"));
    assert_rc(namemap_put(&m, "a", &v), EMBER_OK);
    /* Failing to grow leaves every entry in place. */
    char key[16];
    int i = 0;
    for (; m.count * 10 + 10 <= m.cap * 7; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_rc(namemap_put(&m, key, &v), EMBER_OK);
    }
    uint32_t cap = m.cap;
    mem_fail_after(1);
    assert_rc(namemap_put(&m, "one-more", &v), EMBER_NOMEM);
    assert_int_equal(m.cap, cap);
    assert_null(namemap_get(&m, "one-more"));
    for (int j = 0; j < i; j++) {
        snprintf(key, sizeof(key), "k%d", j);
        assert_ptr_equal(namemap_get(&m, key), &v);
    }
    assert_ptr_equal(namemap_get(&m, "a"), &v);
    /* Replacing needs no memory even when the map is full. */
    mem_fail_after(1);
    assert_rc(namemap_put(&m, "a", NULL), EMBER_OK);
    mem_fail_after(0);
    assert_null(namemap_get(&m, "a"));
    namemap_release(&m);
}

static void test_map_release_frees_all(void **state)
{
    MemCounters before = *mem_counters();
    NameMap m;
    namemap_init(&m, true);
    char key[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "t%d", i);
        assert_rc(namemap_put(&m, key, NULL), EMBER_OK);
    }
    for (int i = 0; i < 1000; i += 2) {
        snprintf(key, sizeof(key), "T%d", i);
        namemap_del(&m, key);
    }
    namemap_release(&m);
    MemCounters after = *mem_counters();
    assert_i64_equal(after.n_frees - before.n_frees,
                     after.n_allocs - before.n_allocs);
    /* Released maps can be used again. */
    assert_rc(namemap_put(&m, "x", NULL), EMBER_OK);
    assert_int_equal(m.count, 1);
    namemap_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_basics),
        cmocka_unit_test(test_hash_reads_only_n),
        cmocka_unit_test(test_hash_avalanche),
        cmocka_unit_test(test_hash_distribution),
        cmocka_unit_test(test_hash_str),
        cmocka_unit_test(test_map_basic),
        cmocka_unit_test(test_map_nocase),
        cmocka_unit_test(test_map_copies_keys),
        cmocka_unit_test(test_map_grow_and_iterate),
        cmocka_unit_test(test_map_random),
        cmocka_unit_test(test_map_random_nocase),
        cmocka_unit_test(test_map_out_of_memory),
        cmocka_unit_test(test_map_release_frees_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
