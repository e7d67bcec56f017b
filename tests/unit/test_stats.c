/*
 * test_stats.c -- the statistics behind `ember-bench compare` (obs/stats.c)
 * checked against values obtained another way: order-statistic ranks from
 * integer binomial counts (Pascal's triangle), exact Mann-Whitney p-values
 * by enumerating every assignment of the pooled values to the two samples,
 * textbook values, and the agreement of the normal approximations with the
 * exact laws where the implementation switches from one to the other.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "obs/stats.h"
#include "unit.h"

/* |a - b| <= tol, printed with full precision. */
#define assert_close(a, b, tol)                                            \
    do {                                                                   \
        double a_ = (a);                                                   \
        double b_ = (b);                                                   \
        if (!(fabs(a_ - b_) <= (tol)))                                     \
            fail_msg("%s == %s: %.17g != %.17g (tolerance %g)", #a, #b,   \
                     a_, b_, (double)(tol));                               \
    } while (0)

/* ------------------------------------------------------------------------
 * Reference: order statistics from integer binomial counts
 * ------------------------------------------------------------------------ */

/* Row n of Pascal's triangle (n <= 62 fits in uint64). */
static void pascal_row(int n, uint64_t *row)
{
    row[0] = 1;
    for (int i = 1; i <= n; i++) {
        row[i] = 1;
        for (int k = i - 1; k >= 1; k--)
            row[k] += row[k - 1];
    }
}

/*
 * The equal-tailed median interval by counting: lo = the largest k with
 * #{subsets with fewer than k elements below the median} <= tail * 2^n,
 * hi = n + 1 - lo (the binomial with p = 1/2 is symmetric). Returns false
 * when no k >= 1 qualifies.
 */
static bool ref_median_ranks(int n, double confidence, int *lo, int *hi)
{
    uint64_t row[64];
    pascal_row(n, row);
    long double limit = (1 - confidence) / 2 * ldexpl(1, n);
    uint64_t below = 0;       /* sum of row[0..k-1] */
    int k = 0;
    while (k < n && (long double)(below + row[k]) <= limit) {
        below += row[k];
        k++;
    }
    *lo = k;
    *hi = n + 1 - k;
    return k >= 1;
}

static void test_median(void **state)
{
    double odd[] = {5, 1, 4, 2, 3};
    double even[] = {10, 40, 20, 30};
    StatSummary s;
    assert_rc(stat_summary(odd, 5, 0.95, &s), EMBER_OK);
    assert_double_same(s.center, 3.0);
    assert_int_equal(s.n, 5);
    assert_rc(stat_summary(even, 4, 0.95, &s), EMBER_OK);
    assert_double_same(s.center, 25.0);
    /* The input is not reordered. */
    assert_double_same(even[0], 10.0);
    assert_double_same(even[1], 40.0);
    double one = 7;
    assert_rc(stat_summary(&one, 1, 0.95, &s), EMBER_OK);
    assert_double_same(s.center, 7.0);
    assert_false(s.ci_finite);
    assert_rc(stat_summary(&one, 0, 0.95, &s), EMBER_MISUSE);
    assert_rc(stat_summary(&one, 1, 1.0, &s), EMBER_MISUSE);
    assert_true(isnan(stat_median_sorted(&one, 0)));
}

/* n = 6..30 is summed exactly by the implementation: it must agree with
 * integer counts at several levels. */
static void test_ci_ranks_exact(void **state)
{
    const double levels[] = {0.95, 0.99, 0.90, 0.80};
    for (size_t l = 0; l < ARRAY_LEN(levels); l++) {
        for (int n = 1; n <= 30; n++) {
            int lo;
            int hi;
            int want_lo;
            int want_hi;
            bool ok = stat_quantile_ci_ranks(n, 0.5, levels[l], &lo, &hi);
            bool want = ref_median_ranks(n, levels[l], &want_lo, &want_hi);
            if (ok != want || (ok && (lo != want_lo || hi != want_hi)))
                fail_msg("n=%d level %.2f: got %d [%d, %d], want %d "
                         "[%d, %d]", n, levels[l], ok, lo, hi, want,
                         want_lo, want_hi);
        }
    }
    /* The thresholds benchstat states. */
    assert_int_equal(stat_ci_min_samples(0.95), 6);
    assert_int_equal(stat_ci_min_samples(0.99), 8);
    int lo;
    int hi;
    assert_false(stat_quantile_ci_ranks(5, 0.5, 0.95, &lo, &hi));
    assert_true(stat_quantile_ci_ranks(6, 0.5, 0.95, &lo, &hi));
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 6);
    assert_true(stat_quantile_ci_ranks(10, 0.5, 0.95, &lo, &hi));
    assert_int_equal(lo, 2);
    assert_int_equal(hi, 9);
    assert_true(stat_quantile_ci_ranks(20, 0.5, 0.95, &lo, &hi));
    assert_int_equal(lo, 6);
    assert_int_equal(hi, 15);
}

/* Above 30 the normal approximation takes over: within one rank of the
 * exact answer just past the switch, and the textbook ranks at n = 100. */
static void test_ci_ranks_normal(void **state)
{
    for (int n = 31; n <= 62; n++) {
        int lo;
        int hi;
        int want_lo;
        int want_hi;
        assert_true(stat_quantile_ci_ranks(n, 0.5, 0.95, &lo, &hi));
        assert_true(ref_median_ranks(n, 0.95, &want_lo, &want_hi));
        if (abs(lo - want_lo) > 1 || abs(hi - want_hi) > 1 ||
            lo + hi != n + 1)
            fail_msg("n=%d: normal [%d, %d], exact [%d, %d]", n, lo, hi,
                     want_lo, want_hi);
    }
    int lo;
    int hi;
    assert_true(stat_quantile_ci_ranks(100, 0.5, 0.95, &lo, &hi));
    assert_int_equal(lo, 40);
    assert_int_equal(hi, 61);
}

static void test_summary_interval(void **state)
{
    double x[] = {6, 3, 9, 1, 10, 5, 8, 2, 7, 4};
    StatSummary s;
    assert_rc(stat_summary(x, 10, 0.95, &s), EMBER_OK);
    assert_double_same(s.center, 5.5);
    assert_true(s.ci_finite);
    assert_double_same(s.lo, 2.0);   /* x(2) */
    assert_double_same(s.hi, 9.0);   /* x(9) */
    assert_close(stat_ci_percent(&s), 100 * (9 / 5.5 - 1), 1e-12);
    /* Asymmetric: the wider side wins. */
    double y[] = {100, 101, 102, 103, 104, 150};
    assert_rc(stat_summary(y, 6, 0.95, &s), EMBER_OK);
    assert_double_same(s.lo, 100.0);
    assert_double_same(s.hi, 150.0);
    assert_close(stat_ci_percent(&s), 100 * (150 / 102.5 - 1), 1e-12);
    /* Five samples: no interval at 95%. */
    assert_rc(stat_summary(y, 5, 0.95, &s), EMBER_OK);
    assert_false(s.ci_finite);
    assert_true(isinf(stat_ci_percent(&s)));
    assert_true(isinf(s.hi) && s.hi > 0);
    assert_true(isinf(s.lo) && s.lo < 0);
    /* Constant samples: a point interval, 0%, even around zero. */
    double z[] = {0, 0, 0, 0, 0, 0};
    assert_rc(stat_summary(z, 6, 0.95, &s), EMBER_OK);
    assert_double_same(stat_ci_percent(&s), 0.0);
    z[5] = 1;
    assert_rc(stat_summary(z, 6, 0.95, &s), EMBER_OK);
    assert_true(isinf(stat_ci_percent(&s)));
}

/* ------------------------------------------------------------------------
 * Reference: Mann-Whitney by enumerating every assignment
 * ------------------------------------------------------------------------ */

/* U of a against b, pair by pair: 1 per a > b, 1/2 per tie. */
static double pair_u(const double *a, int na, const double *b, int nb)
{
    double u = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            u += a[i] > b[j] ? 1 : (a[i] == b[j] ? 0.5 : 0);
    return u;
}

/* The two-sided exact p-value: every way to split the pooled values into
 * samples of nx and ny is equally likely under the null hypothesis. */
static double brute_p(const double *x, int nx, const double *y, int ny)
{
    int n = nx + ny;
    double pool[24];
    assert_true(n <= 24);
    memcpy(pool, x, sizeof(double) * nx);
    memcpy(pool + nx, y, sizeof(double) * ny);
    double u_obs = pair_u(x, nx, y, ny);
    double le = 0;
    double ge = 0;
    double total = 0;
    for (uint32_t mask = 0; mask < (1u << n); mask++) {
        if (__builtin_popcount(mask) != nx)
            continue;
        double a[24];
        double b[24];
        int na = 0;
        int nb = 0;
        for (int i = 0; i < n; i++) {
            if (mask & (1u << i))
                a[na++] = pool[i];
            else
                b[nb++] = pool[i];
        }
        double u = pair_u(a, na, b, nb);
        total++;
        le += u <= u_obs;
        ge += u >= u_obs;
    }
    double p = 2 * (le < ge ? le : ge) / total;
    return p > 1 ? 1 : p;
}

/*
 * The exact law of U without ties for larger samples, by the classic
 * recurrence on counts: of i x values and j y values, the largest is an x
 * (which beats all j y values) or a y. f[j][u] holds the counts for the
 * current i; long double keeps C(100, 50) ~ 1e29 to 64 bits.
 */
static double ref_u_no_ties_p(int m, int n, double u_obs)
{
    int w = m * n + 1;
    long double *prev = calloc((size_t)(n + 1) * w, sizeof(long double));
    long double *cur = calloc((size_t)(n + 1) * w, sizeof(long double));
    assert_non_null(prev);
    assert_non_null(cur);
    for (int j = 0; j <= n; j++)
        prev[(size_t)j * w] = 1;              /* i = 0: U = 0 */
    for (int i = 1; i <= m; i++) {
        memset(cur, 0, sizeof(long double) * (size_t)(n + 1) * w);
        cur[0] = 1;                           /* j = 0: U = 0 */
        for (int j = 1; j <= n; j++)
            for (int u = 0; u < w; u++)
                cur[(size_t)j * w + u] =
                    (u >= j ? prev[(size_t)j * w + u - j] : 0) +
                    cur[(size_t)(j - 1) * w + u];
        long double *t = prev;
        prev = cur;
        cur = t;
    }
    long double le = 0;
    long double ge = 0;
    long double total = 0;
    for (int u = 0; u < w; u++) {
        long double c = prev[(size_t)n * w + u];
        total += c;
        le += u <= u_obs ? c : 0;
        ge += u >= u_obs ? c : 0;
    }
    free(prev);
    free(cur);
    long double p = 2 * (le < ge ? le : ge) / total;
    return p > 1 ? 1 : (double)p;
}

static void test_u_textbook(void **state)
{
    double a[] = {1, 2, 3, 4, 5};
    double b[] = {6, 7, 8, 9, 10};
    /* Fully separated samples reach the smallest p: 2 / C(2n, n). */
    assert_close(stat_mann_whitney_p(a, 3, b, 3), 0.1, 1e-15);
    assert_close(stat_mann_whitney_p(a, 4, b, 4), 2.0 / 70, 1e-15);
    assert_close(stat_mann_whitney_p(a, 5, b, 5), 2.0 / 252, 1e-15);
    assert_close(stat_mann_whitney_p(b, 4, a, 4), 2.0 / 70, 1e-15);
    assert_close(stat_u_min_p(3, 3), 0.1, 1e-15);
    assert_close(stat_u_min_p(4, 4), 0.0285714285714285714, 1e-15);
    assert_close(stat_u_min_p(5, 3), 2.0 / 56, 1e-15);
    assert_int_equal(stat_u_min_samples(0.05), 4);
    assert_int_equal(stat_u_min_samples(0.01), 5);
    /* U counts pairs where x wins. */
    StatUTest t;
    assert_rc(stat_mann_whitney(a, 3, b, 3, STAT_U_AUTO, &t), EMBER_OK);
    assert_double_same(t.u, 0.0);
    assert_true(t.exact);
    assert_false(t.has_ties);
    assert_rc(stat_mann_whitney(b, 3, a, 4, STAT_U_AUTO, &t), EMBER_OK);
    assert_double_same(t.u, 12.0);
    /* One overlap in 4 vs 4: U = 1, P(U <= 1) = 2 / 70. */
    double c[] = {1, 2, 3, 5};
    double d[] = {4, 6, 7, 8};
    assert_close(stat_mann_whitney_p(c, 4, d, 4), 4.0 / 70, 1e-15);
}

static void test_u_equal_samples(void **state)
{
    double a[] = {5, 5, 5, 5, 5};
    StatUTest t;
    assert_rc(stat_mann_whitney(a, 5, a, 3, STAT_U_AUTO, &t), EMBER_OK);
    assert_true(t.all_equal);
    assert_true(t.has_ties);
    assert_double_same(t.p, 1.0);
    assert_double_same(t.u, 7.5);
    /* The same spread-out values on both sides: U is at its mean. */
    double b[] = {1, 2, 3, 4, 5, 6};
    assert_rc(stat_mann_whitney(b, 6, b, 6, STAT_U_AUTO, &t), EMBER_OK);
    assert_false(t.all_equal);
    assert_double_same(t.u, 18.0);
    assert_double_same(t.p, 1.0);
    /* Each sample constant but different: ties inside, not across. */
    double c[] = {7, 7, 7, 7};
    assert_close(stat_mann_whitney_p(a, 4, c, 4), 2.0 / 70, 1e-15);
    assert_rc(stat_mann_whitney(a, 0, c, 4, STAT_U_AUTO, &t), EMBER_MISUSE);
}

/* Random small samples, with and without ties, against enumeration. */
static void test_u_exact_vs_brute(void **state)
{
    uint64_t seed = 42;
    for (int iter = 0; iter < 400; iter++) {
        int nx = 1 + (int)(unit_rand(&seed) % 9);
        int ny = 1 + (int)(unit_rand(&seed) % 9);
        if (nx + ny > 16)
            ny = 16 - nx;
        /* Every third case draws from 4 values (many ties); the others
         * from a wide range, shifted to vary the overlap. */
        bool ties = iter % 3 == 0;
        double shift = (double)(unit_rand(&seed) % 5);
        double x[16];
        double y[16];
        for (int i = 0; i < nx; i++)
            x[i] = ties ? (double)(unit_rand(&seed) % 4)
                        : (double)(unit_rand(&seed) % 100000) / 1000;
        for (int i = 0; i < ny; i++)
            y[i] = ties ? (double)(unit_rand(&seed) % 4) + (shift > 2)
                        : (double)(unit_rand(&seed) % 100000) / 1000 +
                              shift * 20;
        StatUTest t;
        assert_rc(stat_mann_whitney(x, nx, y, ny, STAT_U_EXACT, &t),
                  EMBER_OK);
        double want = brute_p(x, nx, y, ny);
        if (!(fabs(t.p - want) <= 1e-12))
            fail_msg("case %d (%d vs %d, ties %d): p %.17g, enumeration "
                     "%.17g", iter, nx, ny, t.has_ties, t.p, want);
        assert_close(t.u, pair_u(x, nx, y, ny), 0);
        /* Swapping the samples changes nothing two-sided. */
        assert_close(stat_mann_whitney_p(y, ny, x, nx), t.p, 1e-12);
    }
}

/* A worked case with ties: x = {1, 2, 2}, y = {2, 3, 3}. */
static void test_u_ties_worked(void **state)
{
    double x[] = {1, 2, 2};
    double y[] = {2, 3, 3};
    StatUTest t;
    assert_rc(stat_mann_whitney(x, 3, y, 3, STAT_U_AUTO, &t), EMBER_OK);
    assert_true(t.has_ties);
    assert_true(t.exact);
    assert_double_same(t.u, 1.0);      /* two ties of 2 with 2 */
    assert_close(t.p, brute_p(x, 3, y, 3), 1e-15);
    /* By hand: x takes a1 of {1}, a2 of {2,2,2}, a3 of {3,3}, weighted
     * C(1,a1) C(3,a2) C(2,a3) out of C(6,3) = 20. (1,2,0): U = 1, 3 ways;
     * (1,1,1): 3.5, 6; (1,0,2): 6, 1; (0,3,0): 3, 1; (0,2,1): 5.5, 6;
     * (0,1,2): 8, 3. P(U <= 1) = 3/20, so p = 2 * 3/20. */
    assert_close(t.p, 0.3, 1e-15);
}

/* Where the implementation switches to the normal approximation, both
 * methods must agree closely, and AUTO must pick per the thresholds. */
static void test_u_boundary(void **state)
{
    double x[60];
    double y[60];
    uint64_t seed = 7;
    for (int i = 0; i < 60; i++) {
        x[i] = 100 + ldexp((double)(unit_rand(&seed) >> 11), -53) * 100;
        y[i] = 125 + ldexp((double)(unit_rand(&seed) >> 11), -53) * 100;
    }
    StatUTest exact;
    StatUTest normal;
    StatUTest aut;
    assert_rc(stat_mann_whitney(x, 50, y, 50, STAT_U_EXACT, &exact),
              EMBER_OK);
    assert_rc(stat_mann_whitney(x, 50, y, 50, STAT_U_NORMAL, &normal),
              EMBER_OK);
    assert_rc(stat_mann_whitney(x, 50, y, 50, STAT_U_AUTO, &aut), EMBER_OK);
    assert_false(exact.has_ties);
    assert_true(aut.exact);
    assert_double_same(aut.p, exact.p);
    assert_true(exact.p > 1e-3 && exact.p < 0.05);
    assert_close(exact.p, ref_u_no_ties_p(50, 50, exact.u), 1e-12);
    assert_close(normal.p, exact.p, 0.1 * exact.p);
    assert_rc(stat_mann_whitney(x, 51, y, 50, STAT_U_AUTO, &aut), EMBER_OK);
    assert_false(aut.exact);
    assert_rc(stat_mann_whitney(x, 51, y, 50, STAT_U_NORMAL, &normal),
              EMBER_OK);
    assert_double_same(aut.p, normal.p);

    /* With ties the switch is at 25. */
    double a[30];
    double b[30];
    for (int i = 0; i < 30; i++) {
        a[i] = (double)(unit_rand(&seed) % 8);
        b[i] = (double)(unit_rand(&seed) % 8) + 1;
    }
    assert_rc(stat_mann_whitney(a, 25, b, 25, STAT_U_AUTO, &aut), EMBER_OK);
    assert_true(aut.has_ties);
    assert_true(aut.exact);
    assert_rc(stat_mann_whitney(a, 25, b, 25, STAT_U_NORMAL, &normal),
              EMBER_OK);
    assert_close(normal.p, aut.p, 0.05 * aut.p + 1e-3);
    assert_rc(stat_mann_whitney(a, 26, b, 25, STAT_U_AUTO, &aut), EMBER_OK);
    assert_false(aut.exact);

    /* Far in the normal regime: separated samples, tiny p; the same
     * sample twice, p = 1. */
    double c[60];
    for (int i = 0; i < 60; i++)
        c[i] = x[i] + 1000;
    assert_true(stat_mann_whitney_p(x, 60, c, 60) < 1e-15);
    assert_double_same(stat_mann_whitney_p(x, 60, x, 60), 1.0);
}

/* The tie-corrected variance: for 2 vs 2 with values {1,1,2,2} split
 * evenly, U = 2 = mean, so z is negative and p = 1; for a known
 * tie-heavy case the corrected z is checked against a hand computation. */
static void test_u_normal_ties(void **state)
{
    /* x = six 0s and four 1s; y = two 0s and eight 1s. N = 20, ties
     * (8, 12): var = 100/12 * (21 - (504 + 1716) / 380), U of x =
     * pairs x > y (4 * 2 = 8) + half ties (6*2 + 4*8 = 44) / 2 = 30. */
    double x[10] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    double y[10] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    StatUTest t;
    assert_rc(stat_mann_whitney(x, 10, y, 10, STAT_U_NORMAL, &t), EMBER_OK);
    assert_double_same(t.u, 30.0);
    double var = 100.0 / 12 * (21 - (504.0 + 1716.0) / 380);
    double z = (fabs(30.0 - 50) - 0.5) / sqrt(var);
    assert_close(t.p, erfc(z / sqrt(2.0)), 1e-14);
    /* The exact conditional law agrees with enumeration here too. */
    assert_rc(stat_mann_whitney(x, 10, y, 10, STAT_U_EXACT, &t), EMBER_OK);
    assert_close(t.p, brute_p(x, 10, y, 10), 1e-12);
}

/* ------------------------------------------------------------------------
 * Geometric mean
 * ------------------------------------------------------------------------ */

static void test_geomean(void **state)
{
    double a[] = {1, 4, 16};
    assert_close(stat_geomean(a, 3), 4.0, 1e-12);
    double b[] = {2, 8};
    assert_close(stat_geomean(b, 2), 4.0, 1e-12);
    double c[] = {0.5, 2};
    assert_close(stat_geomean(c, 2), 1.0, 1e-15);
    double d[] = {3, 0, 5};
    assert_true(isnan(stat_geomean(d, 3)));
    d[1] = -1;
    assert_true(isnan(stat_geomean(d, 3)));
    assert_true(isnan(stat_geomean(a, 0)));
    assert_close(stat_geomean(a, 1), 1.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_ci_ranks_exact),
        cmocka_unit_test(test_ci_ranks_normal),
        cmocka_unit_test(test_summary_interval),
        cmocka_unit_test(test_u_textbook),
        cmocka_unit_test(test_u_equal_samples),
        cmocka_unit_test(test_u_exact_vs_brute),
        cmocka_unit_test(test_u_ties_worked),
        cmocka_unit_test(test_u_boundary),
        cmocka_unit_test(test_u_normal_ties),
        cmocka_unit_test(test_geomean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
