/* check_tally.c: Welford tallies and time-weighted averages. */
#include <check.h>
#include <math.h>

#include "sim/rng.h"
#include "sim/tally.h"
#include "tests/test_util.h"

#define DATA_N 10000

/* Fixed data with a large offset relative to its spread (1000 + exp(1)), where the
 * naive sum-of-squares formula would lose about six digits. */
static void fixed_data(double *x, size_t n)
{
    rng r;
    rng_seed(&r, 7, 0, "tally-data");
    for (size_t i = 0; i < n; i++) x[i] = 1000.0 + rng_exp(&r, 1.0);
}

/* Reference: two-pass mean and sample variance in long double. */
static void two_pass(const double *x, size_t n, double *mean, double *var)
{
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++) s += x[i];
    long double m = s / n, ss = 0.0L;
    for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *mean = (double)m;
    *var = (double)(ss / (n - 1));
}

static int rel_close(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fabs(b);
}

START_TEST(test_mean_variance)
{
    static double x[DATA_N];
    fixed_data(x, DATA_N);
    tally t;
    tally_init(&t);
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < DATA_N; i++) {
        tally_add(&t, x[i]);
        mn = fmin(mn, x[i]);
        mx = fmax(mx, x[i]);
    }
    double mean, var;
    two_pass(x, DATA_N, &mean, &var);
    ck_assert_uint_eq(t.n, DATA_N);
    ck_assert_msg(rel_close(tally_mean(&t), mean, 1e-12), "mean %.17g vs %.17g",
                  tally_mean(&t), mean);
    ck_assert_msg(rel_close(tally_variance(&t), var, 1e-12), "var %.17g vs %.17g",
                  tally_variance(&t), var);
    ck_assert(rel_close(tally_stddev(&t), sqrt(var), 1e-12));
    ck_assert(t.min == mn && t.max == mx);
}
END_TEST

/* Small hand-checked case: {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, squared deviations 32,
 * sample variance 32/7. */
START_TEST(test_small_exact)
{
    const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    tally t;
    tally_init(&t);
    ck_assert(isnan(tally_mean(&t)) && isnan(tally_variance(&t)));
    tally_add(&t, v[0]);
    ck_assert(tally_mean(&t) == 2.0 && isnan(tally_variance(&t)));
    for (size_t i = 1; i < 8; i++) tally_add(&t, v[i]);
    ck_assert(tally_mean(&t) == 5.0);
    ck_assert(rel_close(tally_variance(&t), 32.0 / 7.0, 1e-15));
    ck_assert(t.min == 2.0 && t.max == 9.0);
    tally_reset(&t);
    ck_assert_uint_eq(t.n, 0);
    ck_assert(isnan(tally_mean(&t)));
    ck_assert(isinf(t.min) && isinf(t.max));
}
END_TEST

/* Merging the tallies of two parts equals the tally of the whole, for splits at the
 * ends (one side empty), near the ends and in the middle. */
START_TEST(test_merge)
{
    static double x[DATA_N];
    fixed_data(x, DATA_N);
    tally whole;
    tally_init(&whole);
    for (size_t i = 0; i < DATA_N; i++) tally_add(&whole, x[i]);
    const size_t splits[] = {0, 1, 2, 17, DATA_N / 2, DATA_N - 1, DATA_N};
    for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        tally a, b;
        tally_init(&a);
        tally_init(&b);
        for (size_t i = 0; i < DATA_N; i++) tally_add(i < splits[s] ? &a : &b, x[i]);
        tally_merge(&a, &b);
        ck_assert_uint_eq(a.n, whole.n);
        ck_assert_msg(rel_close(tally_mean(&a), tally_mean(&whole), 1e-12), "split %zu",
                      splits[s]);
        ck_assert_msg(rel_close(tally_variance(&a), tally_variance(&whole), 1e-12),
                      "split %zu: %.17g vs %.17g", splits[s], tally_variance(&a),
                      tally_variance(&whole));
        ck_assert(a.min == whole.min && a.max == whole.max);
    }
}
END_TEST

/* A known step function (all values and times exact in binary, so the mean is exact):
 *   value 0 on [0,1), 2 on [1,3), 1 on [3,4), 4 on [4,8)
 *   area = 0 + 4 + 1 + 16 = 21 over 8 s: mean 2.625, max 4. */
START_TEST(test_timeavg_steps)
{
    timeavg ta;
    timeavg_init(&ta, 0.0, 0.0);
    ck_assert(timeavg_mean(&ta, 0.0) == 0.0); /* no time elapsed: the current value */
    timeavg_set(&ta, 1.0, 2.0);
    ck_assert(timeavg_mean(&ta, 2.0) == 1.0); /* 0 for 1 s, 2 for 1 s */
    timeavg_add(&ta, 3.0, -1.0);
    timeavg_add(&ta, 4.0, 3.0);
    ck_assert(ta.value == 4.0);
    ck_assert(timeavg_mean(&ta, 8.0) == 2.625);
    ck_assert(timeavg_max(&ta) == 4.0);

    /* several changes at the same instant: only the last value is held */
    timeavg_set(&ta, 8.0, 100.0);
    timeavg_set(&ta, 8.0, 4.0);
    ck_assert(timeavg_mean(&ta, 8.0) == 2.625);
    ck_assert(timeavg_max(&ta) == 100.0); /* the max sees every value set */

    /* reset at 8: integral restarts, the value 4 is kept; 4 on [8,10), 0 on [10,12) */
    timeavg_reset(&ta, 8.0);
    ck_assert(timeavg_max(&ta) == 4.0);
    ck_assert(timeavg_mean(&ta, 8.0) == 4.0);
    timeavg_set(&ta, 10.0, 0.0);
    ck_assert(timeavg_mean(&ta, 12.0) == 2.0);
    ck_assert(timeavg_max(&ta) == 4.0);
    timeavg_reset(&ta, 12.0);
    ck_assert(timeavg_max(&ta) == 0.0);
    ck_assert(timeavg_mean(&ta, 20.0) == 0.0);
}
END_TEST

/* A queue length driven by +1/-1 at many events: the time average equals the mean of
 * the held values weighted by their durations, computed independently. Integer values
 * and dyadic times keep every product and sum exact. */
START_TEST(test_timeavg_queue)
{
    rng r;
    rng_seed(&r, 3, 0, "timeavg-queue");
    timeavg ta;
    timeavg_init(&ta, 5.0, 0.0);
    double now = 5.0, q = 0.0, area = 0.0, mx = 0.0;
    for (int i = 0; i < 10000; i++) {
        double dt = (double)rng_below(&r, 64) / 64.0;
        area += q * dt;
        now += dt;
        double d = (q > 0 && rng_below(&r, 2)) ? -1.0 : 1.0;
        q += d;
        mx = fmax(mx, q);
        timeavg_add(&ta, now, d);
    }
    double end = now + 1.0;
    area += q * 1.0;
    ck_assert(timeavg_mean(&ta, end) == area / (end - 5.0));
    ck_assert(timeavg_max(&ta) == mx);
}
END_TEST

Suite *tally_suite(void)
{
    Suite *s = suite_create("tally");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mean_variance);
    tcase_add_test(tc, test_small_exact);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_timeavg_steps);
    tcase_add_test(tc, test_timeavg_queue);
    suite_add_tcase(s, tc);
    return s;
}
