/*
 * stats.c -- median confidence intervals, the Mann-Whitney U test and the
 * geometric mean, for benchmark comparison (see stats.h).
 *
 * These follow benchstat v2 (golang.org/x/perf, benchmath) in what they
 * compute, so that `ember-bench compare` and benchstat agree on the same
 * files; the code is ember's own:
 *
 *  - The interval of a median uses no assumption about the distribution of
 *    the measurements: the number of observations below the true median
 *    is Binomial(n, 1/2), so a pair of order statistics covers the median
 *    with a probability read off that distribution.
 *  - The exact law of U is computed by dynamic programming over the groups
 *    of tied values of the pooled sample, in ascending order: a state is
 *    (how many x values have been placed, 2U so far). Without ties every
 *    group has one value and this is the classic recurrence; with ties it
 *    gives the law of U conditional on the tie pattern, which is the exact
 *    permutation distribution. Doubling U keeps every state an integer.
 *
 * Work per call: a summary sorts n values and sums O(n) binomial terms;
 * the exact U test does O(N * k * k * m) additions for N pooled values,
 * k = min(nx, ny) and m = max(nx, ny) (about 5e7 at the 50-vs-50 limit),
 * in 2 * (k + 1) * (2 k m + 1) doubles of scratch (4 MB at that limit).
 */
#include <math.h>
#include <stdlib.h>

#include "obs/stats.h"
#include "util/util.h"

/* ------------------------------------------------------------------------
 * Binomial distribution
 * ------------------------------------------------------------------------ */

/* C(n, k) as a double, computed from the smaller side so that C(n, k) and
 * C(n, n - k) come out bit-identical. */
static double binom_coef(int n, int k)
{
    if (k < 0 || k > n)
        return 0;
    if (k > n - k)
        k = n - k;
    double c = 1;
    for (int i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

static double binom_pmf(int n, double q, int k)
{
    return binom_coef(n, k) * pow(q, k) * pow(1 - q, n - k);
}

/* Standard normal upper tail, P(Z > z). */
static double normal_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* P(B <= k) for B ~ Binomial(n, q): summed exactly for small n, else the
 * normal approximation with continuity correction. */
static double binom_lower(int n, double q, int k)
{
    if (k < 0)
        return 0;
    if (k >= n)
        return 1;
    if (n <= STAT_BINOM_EXACT_MAX) {
        double s = 0;
        for (int i = 0; i <= k; i++)
            s += binom_pmf(n, q, i);
        return s;
    }
    double sd = sqrt(n * q * (1 - q));
    return normal_upper(-(k + 0.5 - n * q) / sd);
}

/* P(B >= k), summed from its own side (1 - binom_lower loses precision in
 * the far upper tail). */
static double binom_upper(int n, double q, int k)
{
    if (k <= 0)
        return 1;
    if (k > n)
        return 0;
    if (n <= STAT_BINOM_EXACT_MAX) {
        double s = 0;
        for (int i = n; i >= k; i--)
            s += binom_pmf(n, q, i);
        return s;
    }
    double sd = sqrt(n * q * (1 - q));
    return normal_upper((k - 0.5 - n * q) / sd);
}

/* ------------------------------------------------------------------------
 * Median and its confidence interval
 * ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

double stat_median_sorted(const double *sorted, int n)
{
    if (n <= 0)
        return NAN;
    if (n % 2 == 1)
        return sorted[n / 2];
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

bool stat_quantile_ci_ranks(int n, double q, double confidence, int *lo,
                            int *hi)
{
    double tail = (1 - confidence) / 2;
    *lo = 0;
    *hi = n + 1;
    if (n < 1 || !(q > 0 && q < 1) || !(tail > 0 && tail < 0.5))
        return false;
    /* x(k) lies above the quantile when at most k - 1 observations fall
     * below it: the lower bound is the largest k for which that happens
     * with probability <= tail. */
    int k = 0;
    while (k < n && binom_lower(n, q, k) <= tail)
        k++;
    /* x(j) lies below the quantile when at least j observations do: the
     * upper bound is the smallest such j. */
    int j = n + 1;
    while (j > 1 && binom_upper(n, q, j - 1) <= tail)
        j--;
    if (k < 1 || j > n || k > j)
        return false;
    *lo = k;
    *hi = j;
    return true;
}

int stat_ci_min_samples(double confidence)
{
    /* TUNING: the bound only guards absurd levels; 0.999999 needs 22. */
    for (int n = 1; n <= 10000; n++) {
        int lo;
        int hi;
        if (stat_quantile_ci_ranks(n, 0.5, confidence, &lo, &hi))
            return n;
    }
    return -1;
}

int stat_summary(const double *x, int n, double confidence,
                 StatSummary *out)
{
    if (n < 1 || !(confidence > 0 && confidence < 1))
        return EMBER_MISUSE;
    double *s = mem_alloc(sizeof(double) * (size_t)n);
    if (s == NULL)
        return EMBER_NOMEM;
    memcpy(s, x, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    out->center = stat_median_sorted(s, n);
    out->n = n;
    out->confidence = confidence;
    int lo;
    int hi;
    out->ci_finite = stat_quantile_ci_ranks(n, 0.5, confidence, &lo, &hi);
    out->lo = out->ci_finite ? s[lo - 1] : -INFINITY;
    out->hi = out->ci_finite ? s[hi - 1] : INFINITY;
    mem_free(s);
    return EMBER_OK;
}

double stat_ci_percent(const StatSummary *s)
{
    if (!s->ci_finite)
        return INFINITY;
    double c = s->center;
    double w = MAX(s->hi - c, c - s->lo);
    if (c == 0)
        return w == 0 ? 0 : INFINITY;
    return 100 * w / fabs(c);
}

/* ------------------------------------------------------------------------
 * Mann-Whitney U test
 * ------------------------------------------------------------------------ */

/* A pooled observation. */
typedef struct Obs {
    double v;
    bool from_x;
} Obs;

/* The tie groups of the pooled sample, ascending: group g has size[g]
 * values, xs[g] of them from x. */
typedef struct TieGroups {
    int n;
    int *size;
    int *xs;
} TieGroups;

static int cmp_obs(const void *a, const void *b)
{
    return cmp_double(&((const Obs *)a)->v, &((const Obs *)b)->v);
}

/* Pool, sort and group x and y. Returns EMBER_OK or EMBER_NOMEM; the
 * caller frees g->size (which also holds g->xs). */
static int group_ties(const double *x, int nx, const double *y, int ny,
                      TieGroups *g)
{
    int total = nx + ny;
    Obs *o = mem_alloc(sizeof(Obs) * (size_t)total);
    g->size = mem_alloc(sizeof(int) * 2 * (size_t)total);
    if (o == NULL || g->size == NULL) {
        mem_free(o);
        mem_free(g->size);
        g->size = NULL;
        return EMBER_NOMEM;
    }
    g->xs = g->size + total;
    for (int i = 0; i < nx; i++)
        o[i] = (Obs){x[i], true};
    for (int i = 0; i < ny; i++)
        o[nx + i] = (Obs){y[i], false};
    qsort(o, (size_t)total, sizeof(Obs), cmp_obs);
    g->n = 0;
    for (int i = 0; i < total; i++) {
        if (i == 0 || o[i].v != o[i - 1].v) {
            g->size[g->n] = 0;
            g->xs[g->n] = 0;
            g->n++;
        }
        g->size[g->n - 1]++;
        g->xs[g->n - 1] += o[i].from_x;
    }
    mem_free(o);
    return EMBER_OK;
}

/* 2U of x: each x beats the y values of lower groups (2 each) and ties
 * the y values of its own group (1 each). */
static long twice_u(const TieGroups *g)
{
    long u2 = 0;
    long y_below = 0;
    for (int i = 0; i < g->n; i++) {
        long ys = g->size[i] - g->xs[i];
        u2 += g->xs[i] * (2 * y_below + ys);
        y_below += ys;
    }
    return u2;
}

/*
 * The exact two-sided p-value for an observed 2U of a sample of k values
 * against one of m, given the tie groups of the pooled sample (xs[] is
 * ignored: every way of choosing which k values belong to the first
 * sample is equally likely). dist[c][u2] is the number of ways to place c
 * of the k values in the groups seen so far with a doubled statistic u2.
 */
static int u_exact_p(const TieGroups *g, int k, int m, long u2_obs,
                     double *p)
{
    long width = 2L * k * m + 1;
    size_t cells = (size_t)(k + 1) * (size_t)width;
    double *cur = mem_calloc(sizeof(double) * cells);
    double *nxt = mem_calloc(sizeof(double) * cells);
    if (cur == NULL || nxt == NULL) {
        mem_free(cur);
        mem_free(nxt);
        return EMBER_NOMEM;
    }
    cur[0] = 1;
    long u_max = 0;           /* largest 2U reachable so far */
    int below = 0;            /* pooled values in earlier groups */
    for (int gi = 0; gi < g->n; gi++) {
        int t = g->size[gi];
        memset(nxt, 0, sizeof(double) * cells);
        long next_max = 0;
        for (int c = 0; c <= k && c <= below; c++) {
            int others_below = below - c;
            if (others_below > m)
                continue;
            const double *row = cur + (size_t)c * width;
            for (int a = 0; a <= t && c + a <= k; a++) {
                int b = t - a;
                if (others_below + b > m)
                    continue;
                long shift = 2L * a * others_below + (long)a * b;
                double w = binom_coef(t, a);
                double *dst = nxt + (size_t)(c + a) * width + shift;
                for (long u = 0; u <= u_max; u++)
                    if (row[u] != 0)
                        dst[u] += w * row[u];
                next_max = MAX(next_max, u_max + shift);
            }
        }
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
        u_max = MIN(next_max, width - 1);
        below += t;
    }
    const double *dist = cur + (size_t)k * width;
    double total = 0;
    double le = 0;
    double ge = 0;
    for (long u = 0; u < width; u++) {
        total += dist[u];
        if (u <= u2_obs)
            le += dist[u];
        if (u >= u2_obs)
            ge += dist[u];
    }
    *p = MIN(1.0, 2 * MIN(le, ge) / total);
    mem_free(cur);
    mem_free(nxt);
    return EMBER_OK;
}

/* Normal approximation: mean nx*ny/2, variance corrected for ties,
 * continuity correction of 1/2 on U. */
static double u_normal_p(const TieGroups *g, int nx, int ny, double u)
{
    double n = (double)nx + ny;
    double ties = 0;
    for (int i = 0; i < g->n; i++) {
        double t = g->size[i];
        ties += t * t * t - t;
    }
    double var = (double)nx * ny / 12 * ((n + 1) - ties / (n * (n - 1)));
    if (!(var > 0))
        return 1;
    double z = (fabs(u - (double)nx * ny / 2) - 0.5) / sqrt(var);
    if (z <= 0)
        return 1;
    return MIN(1.0, 2 * normal_upper(z));
}

/* The p-value of a test whose tie groups and 2U are known; not for the
 * degenerate case of a single group. */
static int u_test_p(const TieGroups *g, int nx, int ny, long u2,
                    StatUMethod method, StatUTest *out)
{
    int limit = out->has_ties ? STAT_U_EXACT_MAX_TIES : STAT_U_EXACT_MAX;
    out->exact = method == STAT_U_EXACT ||
                 (method == STAT_U_AUTO && nx <= limit && ny <= limit);
    if (!out->exact) {
        out->p = u_normal_p(g, nx, ny, u2 / 2.0);
        return EMBER_OK;
    }
    /* Run the DP over the smaller sample; its 2U is 2*nx*ny - 2U of x, and
     * the two-sided p-value is the same from either side. */
    if (nx <= ny)
        return u_exact_p(g, nx, ny, u2, &out->p);
    return u_exact_p(g, ny, nx, 2L * nx * ny - u2, &out->p);
}

int stat_mann_whitney(const double *x, int nx, const double *y, int ny,
                      StatUMethod method, StatUTest *out)
{
    if (nx < 1 || ny < 1)
        return EMBER_MISUSE;
    TieGroups g;
    int rc = group_ties(x, nx, y, ny, &g);
    if (rc != EMBER_OK)
        return rc;
    long u2 = twice_u(&g);
    out->u = u2 / 2.0;
    out->has_ties = g.n < nx + ny;
    out->all_equal = g.n == 1;
    out->exact = false;
    out->p = 1;
    if (!out->all_equal)
        rc = u_test_p(&g, nx, ny, u2, method, out);
    mem_free(g.size);
    return rc;
}

double stat_mann_whitney_p(const double *x, int nx, const double *y,
                           int ny)
{
    StatUTest t;
    if (stat_mann_whitney(x, nx, y, ny, STAT_U_AUTO, &t) != EMBER_OK)
        return NAN;
    return t.p;
}

double stat_u_min_p(int nx, int ny)
{
    if (nx < 1 || ny < 1)
        return 1;
    return MIN(1.0, 2 / binom_coef(nx + ny, nx));
}

int stat_u_min_samples(double alpha)
{
    for (int n = 1; n <= 1000; n++)
        if (stat_u_min_p(n, n) <= alpha)
            return n;
    return -1;
}

/* ------------------------------------------------------------------------
 * Geometric mean
 * ------------------------------------------------------------------------ */

double stat_geomean(const double *x, int n)
{
    if (n <= 0)
        return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) {
        if (!(x[i] > 0))
            return NAN;
        s += log(x[i]);
    }
    return exp(s / n);
}
