/*
 * test_dict.c -- dictionary encoding of sealed row groups (tdata_seal in
 * src/storage/table.c): which columns get codes, that every reader
 * (tdata_view, tdata_cell, tdata_get) sees the values that were stored,
 * NULLs included, and that tdata_bytes shrinks. Also: string statistics
 * over repeated values, as COPY folds them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

#include "storage/storage.h"

enum { N_ROWS = 2 * RG_ROWS + 1000 };   /* two full groups and a partial */

static const char *const WORDS[] = {"AIR", "MAIL", "a value longer than twelve"};

/* Row r of the three columns: a low-cardinality string (NULL every 7th
 * row), a string of 1,000 values (too many to encode), an integer. */
static void row_value(uint32_t r, Str *low, bool *low_null, Str *high,
                      char *buf)
{
    *low_null = r % 7 == 3;
    *low = str_make(WORDS[r % 3], (uint32_t)strlen(WORDS[r % 3]));
    snprintf(buf, 16, "v%u", r % 1000);
    *high = str_make(buf, (uint32_t)strlen(buf));
}

/* Append rows [from, to) of the pattern. */
static void append_rows(TableData *t, uint32_t from, uint32_t to)
{
    const Type *types = t->types;
    static Str lows[VEC_SIZE], highs[VEC_SIZE];
    static int32_t ints[VEC_SIZE];
    static uint64_t valid[VEC_WORDS];
    static char bufs[VEC_SIZE][16];
    Vector cols[3];
    memset(cols, 0, sizeof(cols));
    for (int i = 0; i < 3; i++) {
        cols[i].type = types[i];
        cols[i].phys = (uint8_t)type_phys(types[i]);
    }
    cols[0].data = lows;
    cols[0].validity = valid;
    cols[0].has_nulls = true;
    cols[1].data = highs;
    cols[2].data = ints;
    Chunk c = {3, cols, 0, NULL, 0};
    for (uint32_t r0 = from; r0 < to; r0 += VEC_SIZE) {
        uint32_t n = to - r0 < VEC_SIZE ? to - r0 : VEC_SIZE;
        memset(valid, 0xff, sizeof(valid));
        for (uint32_t k = 0; k < n; k++) {
            bool null;
            row_value(r0 + k, &lows[k], &null, &highs[k], bufs[k]);
            if (null)
                valid[k / 64] &= ~(1ull << (k % 64));
            ints[k] = (int32_t)(r0 + k);
        }
        c.count = n;
        assert_rc(tdata_append(t, &c), EMBER_OK);
    }
}

static void fill(TableData *t)
{
    Type types[3] = {type_make(TYPE_VARCHAR), type_make(TYPE_VARCHAR),
                     type_make(TYPE_INT32)};
    assert_rc(tdata_init(t, 3, types), EMBER_OK);
    append_rows(t, 0, N_ROWS);
}

/* Every value read back through tdata_view and tdata_cell. */
static void check_values(const TableData *t)
{
    static Str dec[VEC_SIZE];
    char buf[16];
    for (uint32_t g = 0; g < t->n_groups; g++)
        for (uint32_t off = 0; off < t->groups[g]->n_rows; off += VEC_SIZE) {
            uint32_t n = t->groups[g]->n_rows - off;
            n = n < VEC_SIZE ? n : VEC_SIZE;
            Vector v[2];
            memset(v, 0, sizeof(v));
            for (int c = 0; c < 2; c++) {
                v[c].type = t->types[c];
                v[c].phys = (uint8_t)type_phys(t->types[c]);
            }
            tdata_view(t, g, off, n, 0, &v[0], dec);
            for (uint32_t k = 0; k < n; k++) {
                uint32_t r = g * RG_ROWS + off + k;
                Str low, high;
                bool null;
                row_value(r, &low, &null, &high, buf);
                assert_true(vec_valid(&v[0], k) == !null);
                assert_true(tdata_is_null(t, r, 0) == null);
                if (!null) {
                    assert_true(str_eq(&((Str *)v[0].data)[k], &low));
                    assert_true(str_eq(tdata_cell(t, r, 0), &low));
                }
                assert_true(str_eq(tdata_cell(t, r, 1), &high));
                assert_i64_equal(*(const int32_t *)tdata_cell(t, r, 2), r);
            }
        }
}

static void test_seal(void **state)
{
    TableData t;
    fill(&t);
    assert_i64_equal(t.n_groups, 3);
    size_t before = tdata_bytes(&t);
    check_values(&t);
    tdata_seal(&t, t.n_rows, NULL, 1);
    for (int g = 0; g < 2; g++) {
        const RowGroup *rg = t.groups[g];
        assert_true(rg->sealed);
        assert_non_null(rg->cols[0].codes);       /* 3 values */
        assert_null(rg->cols[0].data);
        assert_i64_equal(rg->cols[0].n_dict, 3);
        assert_null(rg->cols[1].codes);           /* 1,000 values */
        assert_non_null(rg->cols[1].data);
        assert_null(rg->cols[2].codes);           /* not VARCHAR */
    }
    /* the last group, not full, is encoded too (3 values) */
    assert_true(t.groups[2]->sealed);
    assert_non_null(t.groups[2]->cols[0].codes);
    size_t after = tdata_bytes(&t);
    printf("table bytes %zu before sealing, %zu after\n", before, after);
    /* per group: 16 bytes a row (of its capacity) become 1, plus the 3
     * entries */
    size_t cap2 = t.groups[2]->cap;
    assert_i64_equal(before - after,
                     2 * ((size_t)RG_ROWS * 15 - 3 * sizeof(Str)) +
                         cap2 * 15 - 3 * sizeof(Str));
    check_values(&t);
    tdata_seal(&t, t.n_rows, NULL, 1);           /* idempotent */
    check_values(&t);
    uint32_t r = RG_ROWS + 2;                     /* in a sealed group */
    Str low, high;
    bool null;
    char buf[16];
    row_value(r, &low, &null, &high, buf);
    Value v = tdata_get(&t, r, 0);
    assert_false(v.is_null);
    assert_true(str_eq(&v.v.s, &low));
    tdata_release(&t);
}

/* Rows added to a sealed last group: it is decoded back first, every
 * value survives, and the next seal encodes it again. */
static void test_append_after_seal(void **state)
{
    TableData t;
    fill(&t);
    tdata_seal(&t, t.n_rows, NULL, 1);
    assert_non_null(t.groups[2]->cols[0].codes);
    append_rows(&t, N_ROWS, N_ROWS + 5000);
    assert_false(t.groups[2]->sealed);
    assert_null(t.groups[2]->cols[0].codes);
    assert_non_null(t.groups[0]->cols[0].codes);  /* full: untouched */
    check_values(&t);
    tdata_seal(&t, 10, NULL, 1);                  /* 10 rows added: no */
    assert_null(t.groups[2]->cols[0].codes);
    tdata_seal(&t, 5000, NULL, 1);                /* most of its rows */
    assert_non_null(t.groups[2]->cols[0].codes);
    check_values(&t);
    TableMark m = tdata_mark(&t);
    append_rows(&t, N_ROWS + 5000, N_ROWS + 9000);
    tdata_truncate(&t, m);                        /* an append undone */
    assert_i64_equal(t.n_rows, N_ROWS + 5000);
    check_values(&t);
    tdata_release(&t);
}

/* String statistics skip values already folded in from the same vector
 * (stats.c, fold_str): folding 2,048 rows full of repeats must give
 * exactly what folding each distinct value once gives. The values include
 * long strings with the same length, first bytes and last 8 bytes,
 * differing only in the middle, which share the skip's cheap key. */
static void test_string_stats_repeats(void **state)
{
    enum { N_DISTINCT = 300 };
    static char bufs[N_DISTINCT][48];
    static Str distinct[N_DISTINCT], rows[VEC_SIZE];
    static uint64_t valid[VEC_WORDS];
    for (int i = 0; i < N_DISTINCT; i++) {
        if (i % 3 == 0)          /* inline: at most 12 bytes */
            snprintf(bufs[i], sizeof(bufs[i]), "s%d", i);
        else if (i % 3 == 1)     /* long, same ends, middle differs */
            snprintf(bufs[i], sizeof(bufs[i]), "same-start-%04d-same-end", i);
        else
            snprintf(bufs[i], sizeof(bufs[i]), "%d-a longer value", i);
        distinct[i] = str_make(bufs[i], (uint32_t)strlen(bufs[i]));
    }
    memset(valid, 0xff, sizeof(valid));
    uint32_t nulls = 0;
    for (uint32_t k = 0; k < VEC_SIZE; k++) {
        rows[k] = distinct[(k * 7919u) % N_DISTINCT];
        if (k % 13 == 5) {
            valid[k / 64] &= ~(1ull << (k % 64));
            nulls++;
        }
    }
    /* every distinct value appears in a valid row */
    for (int i = 0; i < N_DISTINCT; i++) {
        bool found = false;
        for (uint32_t k = 0; k < VEC_SIZE && !found; k++)
            found = (k % 13 != 5) && str_eq(&rows[k], &distinct[i]);
        assert_true(found);
    }
    Vector v;
    memset(&v, 0, sizeof(v));
    v.type = type_make(TYPE_VARCHAR);
    v.phys = (uint8_t)type_phys(v.type);
    v.data = rows;
    v.validity = valid;
    v.has_nulls = true;
    ColStats got, want;
    colstats_init(&got);
    colstats_add(&got, &v, NULL, VEC_SIZE);
    colstats_init(&want);
    Vector d = v;
    d.data = distinct;
    d.has_nulls = false;
    d.validity = NULL;
    colstats_add(&want, &d, NULL, N_DISTINCT);
    assert_i64_equal(got.n_nulls, nulls);
    assert_memory_equal(got.hll.reg, want.hll.reg, sizeof(want.hll.reg));
    assert_true(got.has_minmax && want.has_minmax);
    assert_true(str_eq(&got.min.v.s, &want.min.v.s));
    assert_true(str_eq(&got.max.v.s, &want.max.v.s));
    colstats_release(&got);
    colstats_release(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal),
        cmocka_unit_test(test_append_after_seal),
        cmocka_unit_test(test_string_stats_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
