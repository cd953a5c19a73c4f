/* check_mser.c: MSER-5 warm-up detection.
 *
 * The statistical cases use n = 1000 observations with N(0, 1) noise, so batch means of
 * 5 have sd s_b = 1/sqrt(5) = 0.447. Two facts about MSER(d) = M2(d) / k^2 (k = b - d
 * batches kept) give the windows below:
 *   - keeping one more batch whose mean is off the rest by delta raises MSER when
 *     delta^2 > about 2 s_b^2 (M2 grows by delta^2, k^2 by about 2k, M2 ~ k s_b^2);
 *   - deleting m more stationary batches lowers MSER only when their squared deviations
 *     exceed about 2m s_b^2, i.e. chi2_m > 2m: P = 16% for m = 1, 3% for m = 10, 0.5% for
 *     m = 20, so the chosen point overshoots the true end by a few batches at most.
 * Measured over 100000 seeds for the transient case below: never below 195, 66% exactly
 * at 200, 98.4% within [195, 250], 99.8% within [195, 300]; for the stationary case: 70%
 * at 0, 98.4% at or below 50. The tests run 100 fixed seeds and ask for at least 90 inside
 * those windows (if the per-seed probability is 0.984, fewer than 90 has probability
 * below 1e-5), every seed at or past 195 for the transient, and the median exactly at the
 * transient's end. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>

#include "sim/mser.h"
#include "sim/rng.h"
#include "tests/test_util.h"

#define SERIES_N 1000
#define SEEDS 100

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Transient: linear decay from 100 to 10 over the first 200 observations (slope 0.45
 * per observation), then stationary at 10; N(0, 1) noise throughout. Batch 38
 * (observations 190..194) is biased by 3.6 = 8 s_b, so it is always deleted; batch 39 by
 * 1.35 = 3 s_b, deleted unless its noise pulls it within ~0.63 (about 5% of seeds). */
static void transient_series(double *x, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed, 0, "mser-transient");
    for (size_t i = 0; i < SERIES_N; i++) {
        double level = i < 200 ? 100.0 - 90.0 * (double)i / 200.0 : 10.0;
        x[i] = level + gsl_ran_gaussian(rng_gsl(&r), 1.0);
    }
}

static void stationary_series(double *x, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed, 0, "mser-stationary");
    for (size_t i = 0; i < SERIES_N; i++) x[i] = 10.0 + gsl_ran_gaussian(rng_gsl(&r), 1.0);
}

START_TEST(test_transient)
{
    double x[SERIES_N];
    size_t t[SEEDS];
    unsigned inside = 0;
    for (uint64_t s = 0; s < SEEDS; s++) {
        transient_series(x, s + 1);
        mser_result m = mser5(x, SERIES_N);
        ck_assert_msg(m.reliable, "seed %u: unreliable", (unsigned)(s + 1));
        ck_assert_msg(m.truncate >= 195, "seed %u: truncate %zu inside the transient",
                      (unsigned)(s + 1), m.truncate);
        ck_assert_uint_eq(m.truncate % MSER_BATCH, 0);
        if (m.truncate <= 250) inside++;
        t[s] = m.truncate;
    }
    qsort(t, SEEDS, sizeof t[0], cmp_size);
    ck_assert_msg(inside >= 90, "%u of %d seeds truncate within [195, 250]", inside, SEEDS);
    ck_assert_uint_eq(t[SEEDS / 2], 200);
}
END_TEST

START_TEST(test_stationary)
{
    double x[SERIES_N];
    size_t t[SEEDS];
    unsigned inside = 0;
    for (uint64_t s = 0; s < SEEDS; s++) {
        stationary_series(x, s + 1);
        mser_result m = mser5(x, SERIES_N);
        ck_assert_msg(m.reliable, "seed %u: unreliable", (unsigned)(s + 1));
        if (m.truncate <= 50) inside++;
        t[s] = m.truncate;
    }
    qsort(t, SEEDS, sizeof t[0], cmp_size);
    ck_assert_msg(inside >= 90, "%u of %d seeds truncate at or below 50", inside, SEEDS);
    ck_assert_uint_eq(t[SEEDS / 2], 0);
}
END_TEST

/* A series that drifts all the way (a downward trend with noise): MSER keeps falling, so
 * the overall minimum lies in the second half: the run is too short to judge. The
 * returned point is the best within the first half, here its end. */
START_TEST(test_drift_unreliable)
{
    double x[SERIES_N];
    rng r;
    rng_seed(&r, 5, 0, "mser-drift");
    for (size_t i = 0; i < SERIES_N; i++)
        x[i] = 100.0 - 0.1 * (double)i + gsl_ran_gaussian(rng_gsl(&r), 1.0);
    mser_result m = mser5(x, SERIES_N);
    ck_assert(!m.reliable);
    ck_assert_uint_eq(m.truncate, SERIES_N / 2);
}
END_TEST

/* Noise-free cases with exact answers. */
START_TEST(test_exact)
{
    double x[54];
    /* one batch at 100 then nine at 10: MSER(0) > 0, MSER(d >= 1) = 0, ties go to the
     * smallest d: delete 5 observations */
    for (size_t i = 0; i < 50; i++) x[i] = i < 5 ? 100.0 : 10.0;
    mser_result m = mser5(x, 50);
    ck_assert_uint_eq(m.truncate, 5);
    ck_assert(m.reliable);

    /* a trailing partial batch is ignored, however wild */
    for (size_t i = 50; i < 54; i++) x[i] = 1e9;
    m = mser5(x, 54);
    ck_assert_uint_eq(m.truncate, 5);
    ck_assert(m.reliable);

    /* a constant series: nothing to delete */
    for (size_t i = 0; i < 50; i++) x[i] = 7.0;
    m = mser5(x, 50);
    ck_assert_uint_eq(m.truncate, 0);
    ck_assert(m.reliable);

    /* fewer than 10 batches (50 observations): never reliable */
    m = mser5(x, 49);
    ck_assert_uint_eq(m.truncate, 0);
    ck_assert(!m.reliable);

    /* fewer than two batches: nothing to judge */
    m = mser5(x, 9);
    ck_assert(m.truncate == 0 && !m.reliable);
    m = mser5(NULL, 0);
    ck_assert(m.truncate == 0 && !m.reliable);
}
END_TEST

Suite *mser_suite(void)
{
    Suite *s = suite_create("mser");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_exact);
    tcase_add_test(tc, test_drift_unreliable);
    tcase_add_test(tc, test_transient);
    tcase_add_test(tc, test_stationary);
    suite_add_tcase(s, tc);
    return s;
}
