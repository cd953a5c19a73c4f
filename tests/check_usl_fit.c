/* check_usl_fit.c: the Universal Scalability Law fit (cli/usl_fit.h).
 *
 * Exact data generated from known parameters must be recovered to 1e-6 relative; noisy
 * data (Gaussian errors of known standard deviation, fixed seed) within 3 standard errors,
 * the peak and its height included (which checks the delta-method errors too). */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <math.h>

#include "cli/usl_fit.h"
#include "sim/rng.h"
#include "tests/test_util.h"

static const double sweep_n[] = {1, 2, 4, 8, 12, 16, 24, 32, 48, 64};
#define N_SWEEP (sizeof sweep_n / sizeof sweep_n[0])

static void assert_rel(double got, double want, double tol, const char *what)
{
    ck_assert_msg(fabs(got - want) <= tol * fabs(want), "%s = %.12g, want %.12g (rel %g)", what,
                  got, want, tol);
}

/* Parameter sets of the exact-data table: contention and coherency, pure contention
 * (no peak), a rate-like sweep (lambda near 1, large N). */
static const struct {
    double lambda, sigma, kappa; /* true values */
    double n_scale;              /* sweep values multiplied by this */
} exact_cases[] = {
    {250.0, 0.04, 0.0008, 1.0},
    {1000.0, 0.1, 0.0, 1.0},
    {0.98, 2e-5, 4e-8, 100.0},
    {40.0, 0.0, 0.002, 1.0},
};

START_TEST(test_exact)
{
    double l = exact_cases[_i].lambda, s = exact_cases[_i].sigma, k = exact_cases[_i].kappa;
    double n[N_SWEEP], x[N_SWEEP];
    for (size_t i = 0; i < N_SWEEP; i++) {
        n[i] = sweep_n[i] * exact_cases[_i].n_scale;
        x[i] = usl_eval(l, s, k, n[i]);
    }
    usl_result r;
    ck_assert_int_eq(usl_fit(n, x, NULL, N_SWEEP, &r), 0);
    ck_assert_int_eq(r.ok, 1);
    ck_assert_str_eq(r.note, "");
    ck_assert_uint_eq(r.n_points, N_SWEEP);
    ck_assert_uint_eq(r.dof, N_SWEEP - 3);
    ck_assert_int_eq(r.weighted, 0);
    assert_rel(r.lambda, l, 1e-6, "lambda");
    if (s > 0) assert_rel(r.sigma, s, 1e-6, "sigma");
    else ck_assert_msg(fabs(r.sigma) < 1e-9, "sigma = %g, want 0", r.sigma);
    if (k > 0) {
        assert_rel(r.kappa, k, 1e-6, "kappa");
        double peak = sqrt((1 - s) / k);
        assert_rel(r.peak_n, peak, 1e-6, "N*");
        assert_rel(r.peak_x, usl_eval(l, s, k, peak), 1e-6, "X(N*)");
    } else {
        ck_assert_msg(fabs(r.kappa) < 1e-12, "kappa = %g, want 0", r.kappa);
    }
    assert_rel(r.r2, 1.0, 1e-9, "R^2");
}
END_TEST

/* Pure contention: kappa = 0 exactly gives no peak (throughput approaches lambda/sigma). */
START_TEST(test_no_peak)
{
    double n[N_SWEEP], x[N_SWEEP];
    for (size_t i = 0; i < N_SWEEP; i++) {
        n[i] = sweep_n[i];
        x[i] = 100.0 * n[i] / (1.0 + 0.25 * (n[i] - 1.0)); /* kappa = 0 */
    }
    x[N_SWEEP - 1] *= 1.0 + 1e-9; /* a hair above: the fitted kappa is not positive */
    usl_result r;
    ck_assert_int_eq(usl_fit(n, x, NULL, N_SWEEP, &r), 0);
    if (!(r.kappa > 0)) ck_assert(isnan(r.peak_n) && isnan(r.peak_x) && isnan(r.peak_n_se));
    assert_rel(r.sigma, 0.25, 1e-6, "sigma");
}
END_TEST

/* Noisy throughputs with known standard errors (2% of X), fixed seeds: every estimate
 * within 3 of its standard errors of the truth (about 99.7% per figure when the errors
 * are right; measured over 2000 seeds: 0.1% to 0.3% misses per figure). Seed 1 must have
 * no miss; over 20 seeds (100 figure checks), at most 2 misses: with independent checks
 * P(>= 3) = 0.0026 (binomial, p = 0.0027); the five figures of one seed are correlated,
 * which makes a miss cluster likelier, so this is a bound on too-small errors, not a
 * tight one. The errors must also be informative (below half the value). */
START_TEST(test_noisy)
{
    const double l = 250.0, s = 0.04, k = 0.0008;
    const double peak = sqrt((1 - s) / k), xpeak = usl_eval(l, s, k, peak);
    int seeds = test_quick() ? 5 : 20, misses = 0, checks = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        rng g;
        rng_seed(&g, (uint64_t)seed, 0, "usl-noise");
        double n[N_SWEEP], x[N_SWEEP], se[N_SWEEP];
        for (size_t i = 0; i < N_SWEEP; i++) {
            n[i] = sweep_n[i];
            double truth = usl_eval(l, s, k, n[i]);
            se[i] = 0.02 * truth;
            x[i] = truth + gsl_ran_gaussian(rng_gsl(&g), se[i]);
        }
        usl_result r;
        ck_assert_int_eq(usl_fit(n, x, se, N_SWEEP, &r), 0);
        ck_assert_int_eq(r.weighted, 1);
        ck_assert(r.r2 > 0.95);
        const double est[5] = {r.lambda, r.sigma, r.kappa, r.peak_n, r.peak_x};
        const double err[5] = {r.lambda_se, r.sigma_se, r.kappa_se, r.peak_n_se, r.peak_x_se};
        const double truth[5] = {l, s, k, peak, xpeak};
        for (int j = 0; j < 5; j++) {
            ck_assert_msg(err[j] > 0 && err[j] < 0.5 * truth[j], "figure %d: se %g", j, err[j]);
            checks++;
            if (fabs(est[j] - truth[j]) > 3.0 * err[j]) misses++;
            if (seed == 1)
                ck_assert_msg(fabs(est[j] - truth[j]) <= 3.0 * err[j],
                              "seed 1, figure %d: %g vs %g, se %g", j, est[j], truth[j], err[j]);
        }
    }
    ck_assert_msg(misses <= 2, "%d of %d figures outside 3 standard errors", misses, checks);
}
END_TEST

/* Fewer than four distinct values: no fit, with the reason. Bad points are skipped. */
START_TEST(test_too_few)
{
    double n[] = {1, 2, 2, 4, -1, NAN}, x[] = {10, 19, 19.5, 35, 50, 60};
    usl_result r;
    ck_assert_int_eq(usl_fit(n, x, NULL, 6, &r), -1);
    ck_assert_int_eq(r.ok, 0);
    ck_assert_uint_eq(r.n_points, 4);
    ck_assert_str_eq(r.note, "3 distinct sweep values with a throughput (a fit needs at least 4)");
    ck_assert(isnan(r.lambda) && isnan(r.r2));
    ck_assert_int_eq(usl_fit(n, x, NULL, 0, &r), -1);
}
END_TEST

/* A standard error that is missing or zero makes the fit unweighted. */
START_TEST(test_weights_fallback)
{
    double n[N_SWEEP], x[N_SWEEP], se[N_SWEEP];
    for (size_t i = 0; i < N_SWEEP; i++) {
        n[i] = sweep_n[i];
        x[i] = usl_eval(250.0, 0.04, 0.0008, n[i]);
        se[i] = i == 3 ? NAN : 1.0;
    }
    usl_result r;
    ck_assert_int_eq(usl_fit(n, x, se, N_SWEEP, &r), 0);
    ck_assert_int_eq(r.weighted, 0);
    se[3] = 1.0;
    ck_assert_int_eq(usl_fit(n, x, se, N_SWEEP, &r), 0);
    ck_assert_int_eq(r.weighted, 1);
    assert_rel(r.kappa, 0.0008, 1e-6, "kappa");
}
END_TEST

START_TEST(test_eval)
{
    ck_assert(fabs(usl_eval(10.0, 0.5, 0.0, 1.0) - 10.0) < 1e-15);
    ck_assert(fabs(usl_eval(10.0, 0.5, 0.0, 3.0) - 15.0) < 1e-15); /* 30 / (1 + 1) */
    ck_assert(isnan(usl_eval(10.0, -1.0, 0.0, 3.0)));               /* denominator -1 */
}
END_TEST

Suite *usl_fit_suite(void)
{
    Suite *s = suite_create("usl_fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_loop_test(tc, test_exact, 0, sizeof exact_cases / sizeof exact_cases[0]);
    tcase_add_test(tc, test_no_peak);
    tcase_add_test(tc, test_noisy);
    tcase_add_test(tc, test_too_few);
    tcase_add_test(tc, test_weights_fallback);
    tcase_add_test(tc, test_eval);
    suite_add_tcase(s, tc);
    return s;
}
