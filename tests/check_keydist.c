/* check_keydist.c: key popularity: parsing and messages, exact probabilities against an
 * independent computation, chi-square goodness of fit of the draws, exact binomial bounds
 * on the hottest key and the hot set, the scrambling permutation, latest(), and
 * reproducibility. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/keydist.h"
#include "sim/rng.h"
#include "tests/test_util.h"

/* Two-sided significance of the exact binomial tests below: a correct sampler fails one
 * with probability at most 1e-6 (about a 4.9-sigma normal bound). */
#define BINOM_ALPHA 1e-6

/* Significance of the chi-square goodness-of-fit tests. */
#define CHISQ_ALPHA 0.001

/* sum_{k=1..n} k^-s in long double, summed from the small end: computed independently of
 * keydist.c (which uses double, compensation and Euler-Maclaurin). */
static long double harmonic_ld(double s, uint64_t n)
{
    long double h = 0;
    for (uint64_t k = n; k >= 1; k--) h += powl((long double)k, -(long double)s);
    return h;
}

/* True when count successes out of n are compatible with probability p: both one-sided
 * exact binomial tail probabilities exceed BINOM_ALPHA / 2. */
static int binom_ok(unsigned count, double p, unsigned n)
{
    double lower = gsl_cdf_binomial_P(count, p, n);                  /* P(X <= count) */
    double upper = count ? gsl_cdf_binomial_Q(count - 1, p, n) : 1;  /* P(X >= count) */
    return lower > BINOM_ALPHA / 2 && upper > BINOM_ALPHA / 2;
}

/* Pearson chi-square of counts[0..m-1] over n draws against probabilities p[0..m-1],
 * pooling consecutive cells (in index order, which depends only on p, not on the data)
 * until each pooled expected count is at least 5; a short last group joins the previous
 * one. Returns 1 when the statistic is below the critical value at CHISQ_ALPHA, and
 * reports the statistic, degrees of freedom and critical value. */
static int chisq_ok(const uint64_t *counts, const double *p, size_t m, double n, double *stat,
                    int *df, double *crit)
{
    double x2 = 0, e = 0, o = 0, last_e = 0, last_o = 0;
    int bins = 0;
    for (size_t i = 0; i < m; i++) {
        e += n * p[i];
        o += (double)counts[i];
        if (e >= 5) {
            if (bins > 0) x2 += (last_o - last_e) * (last_o - last_e) / last_e;
            last_e = e;
            last_o = o;
            bins++;
            e = o = 0;
        }
    }
    last_e += e; /* the remainder joins the last full bin */
    last_o += o;
    if (bins > 0) x2 += (last_o - last_e) * (last_o - last_e) / last_e;
    *stat = x2;
    *df = bins - 1;
    *crit = gsl_cdf_chisq_Qinv(CHISQ_ALPHA, *df);
    return x2 < *crit;
}

static keydist parse_ok(const char *text)
{
    keydist k;
    char err[256] = "";
    ck_assert_msg(keydist_parse(text, &k, err, sizeof err) == 0, "%s: %s", text, err);
    return k;
}

/* ---- parsing ---- */

static const struct {
    const char *text;
    keydist_kind kind;
    uint64_t n;
    const char *canon;
} good[] = {
    {"uniform(1000)", KEYDIST_UNIFORM, 1000, "uniform(1k)"},
    {"uniform(18446744073709551615)", KEYDIST_UNIFORM, UINT64_MAX,
     "uniform(18446744073709551615)"},
    {"zipf(0.99, 1M)", KEYDIST_ZIPF, 1000000, "zipf(0.99, 1M)"},
    {" zipf( 1 , 1500 , scramble ) ", KEYDIST_ZIPF, 1500, "zipf(1, 1500, scramble)"},
    {"zipf(0.5, 1)", KEYDIST_ZIPF, 1, "zipf(0.5, 1)"},
    {"hotspot(0.2, 0.8, 1000)", KEYDIST_HOTSPOT, 1000, "hotspot(0.2, 0.8, 1k)"},
    {"hotspot(20%, 80%, 10k, scramble)", KEYDIST_HOTSPOT, 10000,
     "hotspot(0.2, 0.8, 10k, scramble)"},
    {"latest(1000)", KEYDIST_LATEST, 1000, "latest(1k)"},
    {"latest(2G)", KEYDIST_LATEST, 2000000000, "latest(2G)"},
};

START_TEST(test_parse_good)
{
    keydist k = parse_ok(good[_i].text);
    ck_assert_int_eq(k.kind, good[_i].kind);
    ck_assert(keydist_count(&k) == good[_i].n);
    char buf[128];
    int len = keydist_format(&k, buf, sizeof buf);
    ck_assert_str_eq(buf, good[_i].canon);
    ck_assert_int_eq(len, (int)strlen(buf));
    keydist r = parse_ok(buf); /* round trip to the identical distribution */
    ck_assert(r.kind == k.kind && r.n == k.n && r.scramble == k.scramble && r.s == k.s &&
              r.harmonic == k.harmonic && r.frac_keys == k.frac_keys &&
              r.frac_ops == k.frac_ops && r.hot_n == k.hot_n && r.newest == k.newest);
    char tiny[4];
    ck_assert_int_eq(keydist_format(&k, tiny, sizeof tiny), -1);
    ck_assert_str_eq(tiny, "");
}
END_TEST

#define KFAMS "uniform, zipf, hotspot, latest"

static const struct {
    const char *text;
    const char *msg;
} bad[] = {
    {"zipfian(0.99, 1000)", "unknown key distribution 'zipfian' in 'zipfian(0.99, 1000)' (did "
                            "you mean 'zipf'? expected one of " KFAMS ")"},
    {"gaussian(5)", "unknown key distribution 'gaussian' in 'gaussian(5)' (expected one of "
                    KFAMS ")"},
    {"", "empty key distribution (expected e.g. zipf(0.99, 1M); one of " KFAMS ")"},
    {"(5)", "expected a key distribution in '(5)' (one of " KFAMS ")"},
    {"zipf 0.99", "missing '(' after 'zipf' in 'zipf 0.99' (expected zipf(s, N))"},
    {"zipf(0.99, 1000", "missing ')' at the end of 'zipf(0.99, 1000'"},
    {"zipf(0.99)", "zipf takes 2 arguments (s, N, optionally scramble), got 1 in 'zipf(0.99)'"},
    {"zipf(0.99, 1000, scramble, 4)", "zipf takes 2 arguments (s, N, optionally scramble), got "
                                      "4 in 'zipf(0.99, 1000, scramble, 4)'"},
    {"zipf(0.99, 1000, shuffle)",
     "unknown option 'shuffle' in 'zipf(0.99, 1000, shuffle)' (expected scramble)"},
    {"zipf(0, 1000)", "zipf s must be positive, got '0' in 'zipf(0, 1000)'"},
    {"zipf(-1, 1000)", "zipf s must be positive, got '-1' in 'zipf(-1, 1000)'"},
    {"zipf(x, 1000)", "bad s in 'zipf(x, 1000)': bad number in 'x' (expected a number, e.g. 1.5)"},
    {"zipf(0.99, 1e17)", "zipf N must be at most 2^53, got '1e17' in 'zipf(0.99, 1e17)'"},
    {"uniform(0)", "uniform N must be at least 1, got '0' in 'uniform(0)'"},
    {"uniform()", "uniform takes 1 argument (N), got 0 in 'uniform()'"},
    {"uniform(1.5k5)",
     "bad N in 'uniform(1.5k5)': unknown unit 'k5' in '1.5k5' (expected k, M, G or none)"},
    {"uniform(10.5)", "bad N in 'uniform(10.5)': count '10.5' is not a whole number"},
    {"uniform(1000, scramble)", "uniform takes 1 argument (N), got 2 in 'uniform(1000, scramble)'"},
    {"latest(1000, scramble)", "latest takes 1 argument (N), got 2 in 'latest(1000, scramble)'"},
    {"hotspot(0, 0.8, 1000)", "hotspot frac_keys must be between 0 and 1 (exclusive), got '0' "
                              "in 'hotspot(0, 0.8, 1000)'"},
    {"hotspot(1.2, 0.5, 100)", "hotspot frac_keys must be between 0 and 1 (exclusive), got "
                               "'1.2' in 'hotspot(1.2, 0.5, 100)'"},
    {"hotspot(0.2, 120%, 100)",
     "hotspot frac_ops must be between 0 and 1, got '120%' in 'hotspot(0.2, 120%, 100)'"},
    {"hotspot(0.2, 0.8, 1)", "hotspot N must be at least 2, got '1' in 'hotspot(0.2, 0.8, 1)'"},
    {"hotspot(0.2, 0.8)", "hotspot takes 3 arguments (frac_keys, frac_ops, N, optionally "
                          "scramble), got 2 in 'hotspot(0.2, 0.8)'"},
};

START_TEST(test_parse_bad)
{
    keydist k;
    char err[256] = "";
    ck_assert_msg(keydist_parse(bad[_i].text, &k, err, sizeof err) == -1, "%s parsed",
                  bad[_i].text);
    ck_assert_str_eq(err, bad[_i].msg);
}
END_TEST

/* ---- exact probabilities ---- */

/* The normalising constant against an independent long-double sum, on both sides of the
 * switch from direct summation to Euler-Maclaurin (N > 20000). */
START_TEST(test_harmonic)
{
    static const double ss[] = {0.01, 0.3, 0.99, 1.0, 1.2, 2.5, 8};
    static const uint64_t ns[] = {1, 2, 1000, 20000, 20001, 1000000};
    /* quick runs (valgrind) skip N = 10^6; N = 20001 still takes the Euler-Maclaurin path */
    size_t nns = sizeof ns / sizeof ns[0] - (test_quick() ? 1 : 0);
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
        for (size_t j = 0; j < nns; j++) {
            char text[64];
            snprintf(text, sizeof text, "zipf(%.17g, %llu)", ss[i], (unsigned long long)ns[j]);
            keydist k = parse_ok(text);
            double want = (double)harmonic_ld(ss[i], ns[j]);
            ck_assert_msg(fabs(k.harmonic - want) <= 1e-13 * want, "%s: H = %.17g, want %.17g",
                          text, k.harmonic, want);
            ck_assert_msg(fabs(keydist_probability(&k, 0) - 1 / want) <= 1e-13 / want, "%s",
                          text);
        }
    }
}
END_TEST

START_TEST(test_probabilities_sum_to_one)
{
    static const char *texts[] = {"uniform(1000)", "zipf(0.5, 1000)", "zipf(1.5, 1000, scramble)",
                                  "hotspot(0.2, 0.8, 1000)", "hotspot(0.3, 0.9, 999, scramble)",
                                  "latest(1000)"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        keydist k = parse_ok(texts[i]);
        double sum = 0;
        for (uint64_t key = 0; key < 1000; key++) sum += keydist_probability(&k, key);
        ck_assert_msg(fabs(sum - 1) < 1e-12, "%s: sum %.17g", texts[i], sum);
        ck_assert(keydist_probability(&k, 1000) == 0);
    }
}
END_TEST

/* ---- zipf ---- */

/* Chi-square goodness of fit of zipf draws over N = 1000 against k^-s / H(N,s) computed
 * here, for s = 0.5, 0.99, 1.0 (the log branch), 1.5, plus 0.01 and 4 at N = 50. Also
 * checks keydist_probability for every key against the same numbers. */
static const struct {
    double s;
    uint64_t n;
} zipf_cases[] = {{0.5, 1000}, {0.99, 1000}, {1.0, 1000}, {1.5, 1000}, {0.01, 50}, {4.0, 50}};

START_TEST(test_zipf_chisq)
{
    double s = zipf_cases[_i].s;
    uint64_t m = zipf_cases[_i].n;
    char text[64];
    snprintf(text, sizeof text, "zipf(%g, %llu)", s, (unsigned long long)m);
    keydist k = parse_ok(text);
    double *p = malloc(m * sizeof *p);
    uint64_t *counts = calloc(m, sizeof *counts);
    long double h = harmonic_ld(s, m);
    uint64_t mismatch = 0;
    for (uint64_t i = 0; i < m; i++) {
        p[i] = (double)(powl((long double)(i + 1), -(long double)s) / h);
        mismatch += !(fabs(keydist_probability(&k, i) - p[i]) <= 1e-13 * p[i]);
    }
    ck_assert_msg(mismatch == 0, "%s: %llu keys with a wrong probability", text,
                  (unsigned long long)mismatch);
    rng r;
    rng_seed(&r, 42, 0, text);
    long n = test_quick() ? 100000 : 1000000;
    long out_of_range = 0; /* no ck_assert per draw: each one costs a write() */
    for (long i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        if (key < m) counts[key]++;
        else out_of_range++;
    }
    ck_assert_int_eq(out_of_range, 0);
    double stat, crit;
    int df;
    ck_assert_msg(chisq_ok(counts, p, m, (double)n, &stat, &df, &crit),
                  "%s: chi-square %.1f > %.1f (df %d)", text, stat, crit, df);
    ck_assert_int_gt(df, 10);
    free(p);
    free(counts);
}
END_TEST

/* The hottest key of zipf(0.99, 1M): its exact probability 1/H(10^6, 0.99) (Euler-
 * Maclaurin path) against the long-double sum, and its frequency in the draws against an
 * exact two-sided binomial bound. */
START_TEST(test_zipf_first_rank)
{
    keydist k = parse_ok("zipf(0.99, 1M)");
    double p1 = (double)(1.0L / harmonic_ld(0.99, 1000000));
    ck_assert(fabs(keydist_probability(&k, 0) - p1) <= 1e-13 * p1);
    rng r;
    rng_seed(&r, 7, 0, "first-rank");
    unsigned n = test_quick() ? 200000 : 2000000, hits = 0;
    unsigned out_of_range = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        out_of_range += key >= 1000000;
        hits += key == 0;
    }
    ck_assert_int_eq(out_of_range, 0);
    ck_assert_msg(binom_ok(hits, p1, n), "key 0 drawn %u times of %u, p = %.6g", hits, n, p1);
}
END_TEST

/* Extreme exponents: s = 20 puts all but ~1e-6 of the mass on key 0; tiny s is almost
 * uniform. The sampler must stay in range and terminate. */
START_TEST(test_zipf_extremes)
{
    keydist k = parse_ok("zipf(20, 1M)");
    rng r;
    rng_seed(&r, 1, 0, "extreme");
    unsigned hits = 0, n = 100000, bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        bad += key >= 1000000;
        hits += key == 0;
    }
    ck_assert(binom_ok(hits, keydist_probability(&k, 0), n));
    k = parse_ok("zipf(1e-6, 9007199254740992)"); /* N = 2^53 */
    for (unsigned i = 0; i < 1000; i++) bad += keydist_sample(&k, &r) >= 9007199254740992ULL;
    k = parse_ok("zipf(0.99, 1)");
    for (unsigned i = 0; i < 100; i++) bad += keydist_sample(&k, &r) != 0;
    ck_assert_int_eq(bad, 0);
    ck_assert(keydist_probability(&k, 0) == 1);
}
END_TEST

/* ---- scrambling ---- */

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Scrambling is a permutation: the probabilities of keys 0..N-1 are those of the ranks,
 * rearranged (same multiset), and the hot keys no longer sit together at 0, 1, 2... */
START_TEST(test_scramble_is_permutation)
{
    static const uint64_t ns[] = {1, 2, 3, 7, 64, 1000, 1025, 65537};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        uint64_t m = ns[i];
        char a[64], b[64];
        snprintf(a, sizeof a, "zipf(1.1, %llu)", (unsigned long long)m);
        snprintf(b, sizeof b, "zipf(1.1, %llu, scramble)", (unsigned long long)m);
        keydist plain = parse_ok(a), scr = parse_ok(b);
        double *pp = malloc(m * sizeof *pp), *ps = malloc(m * sizeof *ps);
        for (uint64_t key = 0; key < m; key++) {
            pp[key] = keydist_probability(&plain, key);
            ps[key] = keydist_probability(&scr, key);
        }
        qsort(ps, m, sizeof *ps, cmp_desc);
        uint64_t mismatch = 0;
        for (uint64_t key = 0; key < m; key++) mismatch += pp[key] != ps[key];
        ck_assert_msg(mismatch == 0, "N=%llu: %llu ranks differ", (unsigned long long)m,
                      (unsigned long long)mismatch);
        free(pp);
        free(ps);
    }
    keydist scr = parse_ok("zipf(1.1, 1000, scramble)");
    int contiguous = 1;
    for (uint64_t key = 0; key < 5; key++)
        contiguous &= keydist_probability(&scr, key) >= keydist_probability(&scr, key + 1);
    ck_assert_msg(!contiguous, "scrambled hot keys are still 0, 1, 2, ...");
}
END_TEST

/* Draws of scrambled zipf and hotspot follow keydist_probability (chi-square), which the
 * previous test ties to the unscrambled ranks. */
START_TEST(test_scramble_chisq)
{
    static const char *texts[] = {"zipf(0.99, 1000, scramble)", "hotspot(0.1, 0.9, 1000, scramble)"};
    for (size_t t = 0; t < 2; t++) {
        keydist k = parse_ok(texts[t]);
        uint64_t counts[1000] = {0};
        double p[1000];
        for (int i = 0; i < 1000; i++) p[i] = keydist_probability(&k, (uint64_t)i);
        rng r;
        rng_seed(&r, 11, 0, texts[t]);
        long n = test_quick() ? 100000 : 1000000;
        for (long i = 0; i < n; i++) counts[keydist_sample(&k, &r)]++;
        double stat, crit;
        int df;
        ck_assert_msg(chisq_ok(counts, p, 1000, (double)n, &stat, &df, &crit),
                      "%s: chi-square %.1f > %.1f (df %d)", texts[t], stat, crit, df);
    }
}
END_TEST

/* ---- hotspot ---- */

/* hotspot(0.2, 0.8, 1000): the first 200 keys receive a Binomial(n, 0.8) share of the
 * draws (exact bound), each hot key has probability 0.8/200 and each cold one 0.2/800,
 * and the draws fit those probabilities (chi-square). */
START_TEST(test_hotspot)
{
    keydist k = parse_ok("hotspot(0.2, 0.8, 1000)");
    ck_assert(k.hot_n == 200);
    ck_assert(keydist_probability(&k, 0) == 0.8 / 200);
    ck_assert(keydist_probability(&k, 199) == 0.8 / 200);
    ck_assert(keydist_probability(&k, 200) == (1 - 0.8) / 800);
    uint64_t counts[1000] = {0};
    double p[1000];
    for (int i = 0; i < 1000; i++) p[i] = keydist_probability(&k, (uint64_t)i);
    rng r;
    rng_seed(&r, 3, 0, "hotspot");
    unsigned n = test_quick() ? 100000 : 1000000, hot = 0;
    unsigned bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        if (key < 1000) counts[key]++;
        else bad++;
        hot += key < 200;
    }
    ck_assert_int_eq(bad, 0);
    ck_assert_msg(binom_ok(hot, 0.8, n), "hot share %u of %u", hot, n);
    double stat, crit;
    int df;
    ck_assert_msg(chisq_ok(counts, p, 1000, (double)n, &stat, &df, &crit),
                  "chi-square %.1f > %.1f (df %d)", stat, crit, df);
}
END_TEST

START_TEST(test_hotspot_edges)
{
    keydist k = parse_ok("hotspot(0.001, 0.5, 100)"); /* rounds to 0 hot keys: at least 1 */
    ck_assert(k.hot_n == 1);
    ck_assert(keydist_probability(&k, 0) == 0.5);
    k = parse_ok("hotspot(0.999, 0.5, 100)"); /* rounds to 100: at most N-1 */
    ck_assert(k.hot_n == 99);
    ck_assert(keydist_probability(&k, 99) == 0.5);
    rng r;
    rng_seed(&r, 1, 0, "edges");
    k = parse_ok("hotspot(0.5, 1, 10)"); /* every draw hot */
    int bad = 0;
    for (int i = 0; i < 1000; i++) bad += keydist_sample(&k, &r) >= 5;
    k = parse_ok("hotspot(0.5, 0, 10)"); /* every draw cold */
    for (int i = 0; i < 1000; i++) bad += keydist_sample(&k, &r) < 5;
    ck_assert_int_eq(bad, 0);
    k = parse_ok("hotspot(0.5, 0.5, 18446744073709551615)");
    for (int i = 0; i < 1000; i++) (void)keydist_sample(&k, &r);
}
END_TEST

/* ---- uniform ---- */

START_TEST(test_uniform)
{
    keydist k = parse_ok("uniform(10)");
    ck_assert(keydist_probability(&k, 3) == 0.1);
    uint64_t counts[10] = {0};
    double p[10];
    for (int i = 0; i < 10; i++) p[i] = 0.1;
    rng r;
    rng_seed(&r, 1, 0, "uniform");
    long n = 100000;
    for (long i = 0; i < n; i++) counts[keydist_sample(&k, &r)]++;
    double stat, crit;
    int df;
    ck_assert_msg(chisq_ok(counts, p, 10, (double)n, &stat, &df, &crit), "chi-square %.1f", stat);
    ck_assert_int_eq(df, 9);
}
END_TEST

/* ---- latest ---- */

/* latest(1000): key = newest - (zipf(0.99) rank - 1). Before inserts newest = 999, so
 * key 999 is the hottest with probability 1/H(1000, 0.99); after inserting keys up to
 * 1099, key 1099 is, keys below 100 are never drawn, and the draws fit the probabilities. */
START_TEST(test_latest)
{
    keydist k = parse_ok("latest(1000)");
    long double h = harmonic_ld(0.99, 1000);
    double p1 = (double)(1.0L / h);
    ck_assert(fabs(keydist_probability(&k, 999) - p1) <= 1e-13 * p1);
    ck_assert(fabs(keydist_probability(&k, 0) - (double)(powl(1000, -0.99L) / h)) <= 1e-13 * p1);
    rng r;
    rng_seed(&r, 5, 0, "latest");
    unsigned n = test_quick() ? 100000 : 1000000, hits = 0;
    unsigned bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        bad += key >= 1000;
        hits += key == 999;
    }
    ck_assert_int_eq(bad, 0);
    ck_assert_msg(binom_ok(hits, p1, n), "newest drawn %u of %u", hits, n);

    for (uint64_t key = 1000; key < 1100; key++) keydist_note_insert(&k, key);
    keydist_note_insert(&k, 5); /* older keys do not move newest */
    ck_assert(k.newest == 1099);
    ck_assert(keydist_count(&k) == 1000);
    ck_assert(fabs(keydist_probability(&k, 1099) - p1) <= 1e-13 * p1);
    ck_assert(keydist_probability(&k, 99) == 0);
    ck_assert(keydist_probability(&k, 1100) == 0);
    uint64_t counts[1000] = {0};
    double p[1000];
    for (int i = 0; i < 1000; i++) p[i] = keydist_probability(&k, 100 + (uint64_t)i);
    for (unsigned i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        if (key >= 100 && key <= 1099) counts[key - 100]++;
        else bad++;
    }
    ck_assert_int_eq(bad, 0);
    double stat, crit;
    int df;
    ck_assert_msg(chisq_ok(counts, p, 1000, (double)n, &stat, &df, &crit),
                  "chi-square %.1f > %.1f (df %d)", stat, crit, df);

    keydist z = parse_ok("zipf(0.99, 1000)");
    keydist_note_insert(&z, 5000); /* no-op for other kinds */
    ck_assert(fabs(keydist_probability(&z, 0) - p1) <= 1e-13 * p1);
}
END_TEST

/* ---- reproducibility ---- */

START_TEST(test_reproducible)
{
    static const char *texts[] = {"uniform(1M)", "zipf(0.99, 1M)", "zipf(1.5, 1M, scramble)",
                                  "hotspot(0.2, 0.8, 1M)", "latest(1M)"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        keydist k = parse_ok(texts[i]);
        rng a, b, c;
        rng_seed(&a, 9, 0, "app.keys");
        rng_seed(&b, 9, 0, "app.keys");
        rng_seed(&c, 9, 1, "app.keys");
        int differ = 0;
        int same = 0;
        for (int j = 0; j < 1000; j++) {
            uint64_t x = keydist_sample(&k, &a);
            same += x == keydist_sample(&k, &b);
            differ += x != keydist_sample(&k, &c);
        }
        ck_assert_int_eq(same, 1000);
        ck_assert_msg(differ > 100, "%s: replication 1 repeats replication 0", texts[i]);
    }
}
END_TEST

Suite *keydist_suite(void)
{
    Suite *s = suite_create("keydist");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_parse_good, 0, (int)(sizeof good / sizeof good[0]));
    tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_probabilities_sum_to_one);
    suite_add_tcase(s, tc);
    tc = tcase_create("sample");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_harmonic);
    tcase_add_loop_test(tc, test_zipf_chisq, 0, (int)(sizeof zipf_cases / sizeof zipf_cases[0]));
    tcase_add_test(tc, test_zipf_first_rank);
    tcase_add_test(tc, test_zipf_extremes);
    tcase_add_test(tc, test_scramble_is_permutation);
    tcase_add_test(tc, test_scramble_chisq);
    tcase_add_test(tc, test_hotspot);
    tcase_add_test(tc, test_hotspot_edges);
    tcase_add_test(tc, test_uniform);
    tcase_add_test(tc, test_latest);
    tcase_add_test(tc, test_reproducible);
    suite_add_tcase(s, tc);
    return s;
}
