/* check_confidence.c: Student-t quantiles and confidence intervals, and their coverage. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>

#include "sim/confidence.h"
#include "sim/rng.h"
#include "tests/test_util.h"

/* Table values of t_{1-a/2, dof} (any statistics textbook), to 3 decimals. */
static const struct {
    double level;
    size_t dof;
    double t;
} t_table[] = {
    {0.95, 1, 12.706}, {0.95, 9, 2.262},  {0.95, 30, 2.042}, {0.95, 4, 2.776},
    {0.99, 5, 4.032},  {0.90, 10, 1.812}, {0.95, 120, 1.980},
};

START_TEST(test_t_quantile)
{
    double t = ci_t_quantile(t_table[_i].level, t_table[_i].dof);
    ck_assert_msg(fabs(t - t_table[_i].t) < 0.0005, "t(%g, %zu) = %.6f, table %.3f",
                  t_table[_i].level, t_table[_i].dof, t, t_table[_i].t);
}
END_TEST

START_TEST(test_t_quantile_invalid)
{
    ck_assert(isnan(ci_t_quantile(0.95, 0)));
    ck_assert(isnan(ci_t_quantile(0.0, 5)));
    ck_assert(isnan(ci_t_quantile(1.0, 5)));
    ck_assert(isnan(ci_t_quantile(-0.5, 5)));
    ck_assert(isnan(ci_t_quantile(NAN, 5)));
}
END_TEST

/* 1..10: mean 5.5, sample variance 55/6, half-width t_{.975,9} sqrt(55/60) with
 * t_{.975,9} = 2.2621571628 (10 digits). */
START_TEST(test_known_ci)
{
    const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ci c = ci_of(v, 10, 0.95);
    ck_assert_uint_eq(c.n, 10);
    ck_assert(c.mean == 5.5);
    double hw = 2.2621571628 * sqrt(55.0 / 60.0);
    ck_assert_msg(fabs(c.half_width - hw) <= 1e-9 * hw, "%.12g vs %.12g", c.half_width, hw);

    /* NaN (metric absent in a replication) skipped: {1, NaN, 3} is {1, 3}: mean 2,
     * s = sqrt(2), half-width t_{.975,1} * sqrt(2) / sqrt(2) = 12.7062047362 */
    const double w[] = {1, NAN, 3};
    c = ci_of(w, 3, 0.95);
    ck_assert_uint_eq(c.n, 2);
    ck_assert(c.mean == 2.0);
    ck_assert(fabs(c.half_width - 12.7062047362) <= 1e-9 * 12.7062047362);

    /* equal values: zero half-width */
    const double e[] = {4, 4, 4};
    c = ci_of(e, 3, 0.95);
    ck_assert(c.mean == 4.0 && c.half_width == 0.0);

    /* one value: mean but no half-width; none: neither */
    c = ci_of(w + 1, 2, 0.95);
    ck_assert_uint_eq(c.n, 1);
    ck_assert(c.mean == 3.0 && isnan(c.half_width));
    c = ci_of(w + 1, 1, 0.95);
    ck_assert_uint_eq(c.n, 0);
    ck_assert(isnan(c.mean) && isnan(c.half_width));
    c = ci_of(NULL, 0, 0.95);
    ck_assert(c.n == 0 && isnan(c.mean));
}
END_TEST

START_TEST(test_relative_precision)
{
    ck_assert(ci_relative_precision_met((ci){10.0, 0.5, 5}, 0.05));
    ck_assert(!ci_relative_precision_met((ci){10.0, 0.5, 5}, 0.04));
    ck_assert(ci_relative_precision_met((ci){-10.0, 0.5, 5}, 0.05)); /* |mean| */
    ck_assert(!ci_relative_precision_met((ci){10.0, NAN, 1}, 0.05));
    ck_assert(!ci_relative_precision_met((ci){NAN, NAN, 0}, 0.05));
}
END_TEST

/* Coverage: each experiment draws n = 10 normal samples (mean 3, sd 2) and forms the 95%
 * interval. If the intervals are right, the number of experiments whose interval covers
 * 3 is Binomial(E, 0.95). The test accepts the count when it lies in the two-sided exact
 * binomial acceptance region at alpha = 0.001: [lo, hi] with
 *   lo = smallest k with P(X <= k) >= alpha/2     (gsl_cdf_binomial_P(k) = P(X <= k))
 *   hi = largest k with P(X >= k) >= alpha/2      (P(X >= k) = gsl_cdf_binomial_Q(k - 1))
 * so a correct implementation fails with probability at most 0.001 (for the fixed seed it
 * either passes or not, deterministically). For E = 2000 the region is about 1900 +- 32;
 * a z quantile in place of t (coverage ~ 92%, count ~ 1840) falls far outside it. */
START_TEST(test_coverage)
{
    const unsigned E = test_quick() ? 400 : 2000;
    const double p = 0.95, alpha = 0.001, mu = 3.0, sigma = 2.0;

    unsigned lo = 0, hi = E;
    while (gsl_cdf_binomial_P(lo, p, E) < alpha / 2) lo++;
    while (hi > 0 && gsl_cdf_binomial_Q(hi - 1, p, E) < alpha / 2) hi--;

    rng r;
    rng_seed(&r, 2024, 0, "ci-coverage");
    unsigned covered = 0;
    double v[10];
    for (unsigned e = 0; e < E; e++) {
        for (int i = 0; i < 10; i++) v[i] = mu + gsl_ran_gaussian(rng_gsl(&r), sigma);
        ci c = ci_of(v, 10, 0.95);
        if (fabs(c.mean - mu) <= c.half_width) covered++;
    }
    ck_assert_msg(covered >= lo && covered <= hi,
                  "%u of %u intervals cover the mean; acceptance region [%u, %u]", covered,
                  E, lo, hi);
}
END_TEST

Suite *confidence_suite(void)
{
    Suite *s = suite_create("confidence");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_t_quantile, 0, sizeof t_table / sizeof t_table[0]);
    tcase_add_test(tc, test_t_quantile_invalid);
    tcase_add_test(tc, test_known_ci);
    tcase_add_test(tc, test_relative_precision);
    suite_add_tcase(s, tc);
    TCase *cov = tcase_create("coverage");
    tcase_set_timeout(cov, TEST_STAT_TIMEOUT);
    tcase_add_test(cov, test_coverage);
    suite_add_tcase(s, cov);
    return s;
}
