/*
 * stats.h -- the statistics behind benchmark comparison, as benchstat v2
 * computes them: the median of a sample with a distribution-free
 * confidence interval, the two-sided Mann-Whitney U test between two
 * samples, and the geometric mean of a set of summaries.
 *
 * Callers are `ember-bench compare` and the unit tests; nothing on a query
 * path uses these. The functions never keep state between calls; scratch
 * memory comes from mem_* and is freed before they return.
 *
 * Conventions: samples are arrays of doubles in any order; order
 * statistics are numbered from 1 (x(1) is the smallest); probabilities
 * and p-values are in [0, 1].
 */
#ifndef EMBER_STATS_H
#define EMBER_STATS_H

#include <stdbool.h>

/* Defaults of benchstat: the confidence level of intervals and the
 * significance level of the U test. */
#define STAT_CONFIDENCE 0.95
#define STAT_ALPHA 0.05

/* Above these sample sizes the U test uses the normal approximation
 * instead of the exact distribution of U: both samples must be at most
 * STAT_U_EXACT_MAX, or at most STAT_U_EXACT_MAX_TIES when there are ties. */
#define STAT_U_EXACT_MAX 50
#define STAT_U_EXACT_MAX_TIES 25

/* Sample sizes up to which the binomial distribution behind a quantile's
 * confidence interval is summed exactly (normal approximation above). */
#define STAT_BINOM_EXACT_MAX 30

/* ------------------------------------------------------------------------
 * Median and its confidence interval
 * ------------------------------------------------------------------------ */

/* The summary of one sample. When the sample is too small for an interval
 * at the requested confidence, lo = -inf, hi = +inf and ci_finite is
 * false. */
typedef struct StatSummary {
    double center;            /* the median */
    double lo, hi;            /* confidence interval of the median */
    bool ci_finite;
    int n;                    /* sample size */
    double confidence;        /* level of [lo, hi], e.g. 0.95 */
} StatSummary;

/* Median of an ascending array: the middle value, or the mean of the two
 * middle values when n is even. NaN for n <= 0. */
double stat_median_sorted(const double *sorted, int n);

/*
 * The order statistics that bound a distribution-free confidence interval
 * of the q-quantile of a sample of size n: P(x(lo) <= Q <= x(hi)) >=
 * confidence, with at most (1 - confidence) / 2 probability left out on
 * each side. The number of observations below the true quantile follows
 * Binomial(n, q); it is summed exactly for n <= STAT_BINOM_EXACT_MAX and
 * approximated by a normal with continuity correction above. Returns false
 * (with *lo = 0, *hi = n + 1) when n is too small for a finite interval.
 */
bool stat_quantile_ci_ranks(int n, double q, double confidence, int *lo,
                            int *hi);

/* The smallest sample size whose median interval is finite at this
 * confidence (6 at 0.95, 8 at 0.99). */
int stat_ci_min_samples(double confidence);

/* Summarize x[0..n) (any order, not modified): median and its interval.
 * Returns EMBER_OK, EMBER_MISUSE for n < 1 or a confidence outside (0, 1),
 * EMBER_NOMEM when the sorted copy cannot be allocated. */
int stat_summary(const double *x, int n, double confidence,
                 StatSummary *out);

/* The interval as a relative half-width, in percent:
 * 100 * max(hi / center - 1, 1 - lo / center). +inf when the interval is
 * not finite or the center is 0 while the interval is not a point. */
double stat_ci_percent(const StatSummary *s);

/* ------------------------------------------------------------------------
 * Mann-Whitney U test
 * ------------------------------------------------------------------------ */

typedef enum StatUMethod {
    STAT_U_AUTO,              /* exact when small enough, else normal */
    STAT_U_EXACT,             /* the exact (conditional on ties) law */
    STAT_U_NORMAL,            /* normal, tie- and continuity-corrected */
} StatUMethod;

/* The result of a two-sided U test of x against y. */
typedef struct StatUTest {
    double u;                 /* U of x: pairs x > y plus half of x == y */
    double p;                 /* two-sided p-value */
    bool exact;               /* p from the exact distribution */
    bool has_ties;            /* some value occurs more than once */
    bool all_equal;           /* every value of both samples is the same;
                                 the test cannot run and p = 1 */
} StatUTest;

/*
 * Two-sided Mann-Whitney U test of "x and y come from the same
 * distribution" against "their locations differ". The p-value is
 * min(1, 2 * min(P(U <= u), P(U >= u))) under the null hypothesis, with
 * the law of U conditional on the tie pattern of the pooled sample when
 * exact. STAT_U_AUTO picks the exact law when both samples have at most
 * STAT_U_EXACT_MAX values (STAT_U_EXACT_MAX_TIES with ties), the normal
 * approximation otherwise. Returns EMBER_OK, EMBER_MISUSE when a sample is
 * empty, EMBER_NOMEM when scratch memory cannot be allocated.
 */
int stat_mann_whitney(const double *x, int nx, const double *y, int ny,
                      StatUMethod method, StatUTest *out);

/* The p-value of stat_mann_whitney(..., STAT_U_AUTO, ...); NaN on
 * failure. */
double stat_mann_whitney_p(const double *x, int nx, const double *y,
                           int ny);

/* The smallest p-value the exact two-sided test can give for samples of
 * these sizes: min(1, 2 / C(nx + ny, nx)). */
double stat_u_min_p(int nx, int ny);

/* The smallest n such that n samples against n can reach p <= alpha
 * (4 at 0.05). */
int stat_u_min_samples(double alpha);

/* ------------------------------------------------------------------------
 * Geometric mean
 * ------------------------------------------------------------------------ */

/* exp(mean(log x)); NaN when n <= 0 or any value is not positive. */
double stat_geomean(const double *x, int n);

#endif /* EMBER_STATS_H */
