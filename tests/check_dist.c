/* check_dist.c: duration distributions: parsing (values and exact messages), closed-form
 * moments, sample moments against them with CLT bounds, empirical files, scaling,
 * copying, reproducibility and format/parse round trips. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/dist.h"
#include "sim/rng.h"
#include "tests/test_util.h"

#define DATA "tests/data/dist"

/* ---- parsing ---- */

static const struct {
    const char *text;
    dist_kind kind;
    double p1, p2;
    const char *canon; /* dist_format of the result */
} good[] = {
    {"const(1ms)", DIST_CONST, 0.001, 0, "const(1ms)"},
    {"const(0)", DIST_CONST, 0, 0, "const(0s)"},
    {"5ms", DIST_CONST, 0.005, 0, "const(5ms)"},
    {"exp(2ms)", DIST_EXP, 0.002, 0, "exp(2ms)"},
    {"  exp( 0.5ms )  ", DIST_EXP, 0.0005, 0, "exp(500us)"},
    {"uniform(1ms,3ms)", DIST_UNIFORM, 0.001, 0.003, "uniform(1ms, 3ms)"},
    {"uniform(2ms, 2ms)", DIST_UNIFORM, 0.002, 0.002, "uniform(2ms, 2ms)"},
    {"lognormal(1.2ms, 0.6ms)", DIST_LOGNORMAL, 0.0012, 0.0006, "lognormal(1.2ms, 600us)"},
    {"lognormal(1ms, 0)", DIST_LOGNORMAL, 0.001, 0, "lognormal(1ms, 0s)"},
    {"gamma(1ms, 0.5)", DIST_GAMMA, 0.001, 0.5, "gamma(1ms, 0.5)"},
    {"weibull(1ms, 1.5)", DIST_WEIBULL, 0.001, 1.5, "weibull(1ms, 1.5)"},
    {"pareto(1ms, 2.5)", DIST_PARETO, 0.001, 2.5, "pareto(1ms, 2.5)"},
    {"exp(1h)", DIST_EXP, 3600, 0, "exp(1h)"},
};

START_TEST(test_parse_good)
{
    dist d;
    char err[256] = "";
    ck_assert_msg(dist_parse(good[_i].text, NULL, &d, err, sizeof err) == 0, "%s: %s",
                  good[_i].text, err);
    ck_assert_int_eq(d.kind, good[_i].kind);
    ck_assert(d.p1 == good[_i].p1);
    ck_assert(d.p2 == good[_i].p2);
    ck_assert_ptr_null(d.table);
    char buf[128];
    int len = dist_format(&d, buf, sizeof buf);
    ck_assert_str_eq(buf, good[_i].canon);
    ck_assert_int_eq(len, (int)strlen(buf));
    /* round trip: the canonical text parses to the identical distribution */
    dist e;
    ck_assert_int_eq(dist_parse(buf, NULL, &e, err, sizeof err), 0);
    ck_assert(e.kind == d.kind && e.p1 == d.p1 && e.p2 == d.p2 && e.a == d.a && e.b == d.b);
    dist_fini(&d);
    dist_fini(&e);
}
END_TEST

#define FAMS "const, exp, uniform, lognormal, gamma, weibull, pareto, empirical"

static const struct {
    const char *text;
    const char *msg;
} bad[] = {
    {"expo(2ms)",
     "unknown distribution 'expo' in 'expo(2ms)' (did you mean 'exp'? expected one of " FAMS ")"},
    {"lognorm(1ms, 1ms)", "unknown distribution 'lognorm' in 'lognorm(1ms, 1ms)' (did you mean "
                          "'lognormal'? expected one of " FAMS ")"},
    {"banana(1ms)", "unknown distribution 'banana' in 'banana(1ms)' (expected one of " FAMS ")"},
    {"(2ms)", "expected a distribution in '(2ms)' (one of " FAMS ")"},
    {"", "empty distribution (expected e.g. exp(2ms); one of " FAMS ")"},
    {"5", "missing unit in '5' (expected ns, us, ms, s, m, h)"},
    {"exp 2ms", "missing '(' after 'exp' in 'exp 2ms' (expected e.g. exp(...))"},
    {"exp(2ms", "missing ')' at the end of 'exp(2ms'"},
    {"exp(1ms, 2ms)", "exp takes 1 argument (mean), got 2 in 'exp(1ms, 2ms)'"},
    {"exp()", "exp takes 1 argument (mean), got 0 in 'exp()'"},
    {"uniform(1ms)", "uniform takes 2 arguments (lo, hi), got 1 in 'uniform(1ms)'"},
    {"gamma(1ms, 1, 2, 3)", "gamma takes 2 arguments (mean, cv), got 4 in 'gamma(1ms, 1, 2, 3)'"},
    {"empirical()", "empirical takes 1 or 2 arguments (file, factor), got 0 in 'empirical()'"},
    {"exp(5)", "bad mean in 'exp(5)': missing unit in '5' (expected ns, us, ms, s, m, h)"},
    {"exp(2mss)",
     "bad mean in 'exp(2mss)': unknown unit 'mss' in '2mss' (expected ns, us, ms, s, m, h)"},
    {"exp(-1ms)", "bad mean in 'exp(-1ms)': negative value in '-1ms' (expected a duration, "
                  "e.g. 2ms)"},
    {"exp(0)", "exp mean must be positive, got '0' in 'exp(0)'"},
    {"lognormal(0s, 1ms)", "lognormal mean must be positive, got '0s' in 'lognormal(0s, 1ms)'"},
    {"gamma(1ms, 0)", "gamma cv must be positive, got '0' in 'gamma(1ms, 0)'"},
    {"gamma(1ms, -1)", "gamma cv must be positive, got '-1' in 'gamma(1ms, -1)'"},
    {"gamma(1ms, 2ms)",
     "bad cv in 'gamma(1ms, 2ms)': unknown unit 'ms' in '2ms' (expected k, M, G or none)"},
    {"weibull(0s, 1)", "weibull scale must be positive, got '0s' in 'weibull(0s, 1)'"},
    {"weibull(1ms, 0)", "weibull shape must be positive, got '0' in 'weibull(1ms, 0)'"},
    {"pareto(1ms, 0)", "pareto alpha must be positive, got '0' in 'pareto(1ms, 0)'"},
    {"uniform(3ms, 1ms)", "uniform lo '3ms' is above hi '1ms' in 'uniform(3ms, 1ms)'"},
    {"empirical(uniform5.csv, 0)",
     "empirical factor must be positive, got '0' in 'empirical(uniform5.csv, 0)'"},
    {"empirical(nope.csv)", "cannot open '" DATA "/nope.csv': No such file or directory"},
    {"empirical(bad.csv)",
     DATA "/bad.csv:4: bad number in 'abc' (expected a duration, e.g. 2ms)"},
    {"empirical(negative.csv)", DATA "/negative.csv:2: negative value '-2'"},
    {"empirical(unit.csv)",
     DATA "/unit.csv:2: unknown unit 'xs' in '2 xs' (expected ns, us, ms, s, m, h)"},
    {"empirical(empty.csv)", "'" DATA "/empty.csv' holds no samples"},
    {"empirical(hole.csv)", DATA "/hole.csv:2: missing value in the first column"},
    {"empirical(\"\")", "bad file name in 'empirical(\"\")' (expected empirical(file.csv))"},
};

START_TEST(test_parse_bad)
{
    dist d;
    char err[256] = "";
    ck_assert_msg(dist_parse(bad[_i].text, DATA, &d, err, sizeof err) == -1, "%s parsed",
                  bad[_i].text);
    ck_assert_str_eq(err, bad[_i].msg);
    /* d is left harmless */
    ck_assert_int_eq(d.kind, DIST_CONST);
    ck_assert_ptr_null(d.table);
    dist_fini(&d);
}
END_TEST

/* ---- closed forms ---- */

START_TEST(test_closed_forms)
{
    dist d;
    ck_assert_int_eq(dist_parse("pareto(1ms, 1)", NULL, &d, NULL, 0), 0);
    ck_assert(isinf(dist_mean(&d)) && isinf(dist_variance(&d)));
    ck_assert_int_eq(dist_parse("pareto(1ms, 2)", NULL, &d, NULL, 0), 0);
    ck_assert(dist_mean(&d) == 0.002); /* alpha xm / (alpha - 1) = 2 xm */
    ck_assert(isinf(dist_variance(&d)));
    ck_assert_int_eq(dist_parse("pareto(1ms, 3)", NULL, &d, NULL, 0), 0);
    /* xm^2 alpha / ((alpha-1)^2 (alpha-2)) = 3/4 xm^2 */
    ck_assert(fabs(dist_variance(&d) - 0.75e-6) < 1e-21);
    /* weibull with shape 1 is exponential with mean = scale */
    ck_assert_int_eq(dist_parse("weibull(2ms, 1)", NULL, &d, NULL, 0), 0);
    ck_assert(fabs(dist_mean(&d) - 0.002) < 1e-18);
    ck_assert(fabs(dist_variance(&d) - 4e-6) < 1e-20);
    /* weibull shape 2: mean = scale sqrt(pi)/2, var = scale^2 (1 - pi/4) */
    ck_assert_int_eq(dist_parse("weibull(1s, 2)", NULL, &d, NULL, 0), 0);
    ck_assert(fabs(dist_mean(&d) - sqrt(M_PI) / 2) < 1e-15);
    ck_assert(fabs(dist_variance(&d) - (1 - M_PI / 4)) < 1e-15);
    /* a tiny shape overflows the gamma function: infinite moments, not NaN */
    ck_assert_int_eq(dist_parse("weibull(1s, 0.001)", NULL, &d, NULL, 0), 0);
    ck_assert(isinf(dist_mean(&d)) && isinf(dist_variance(&d)));
    ck_assert_int_eq(dist_parse("const(3ms)", NULL, &d, NULL, 0), 0);
    ck_assert(dist_mean(&d) == 0.003 && dist_variance(&d) == 0);
    ck_assert_int_eq(dist_parse("uniform(1ms, 4ms)", NULL, &d, NULL, 0), 0);
    ck_assert(fabs(dist_variance(&d) - 9e-6 / 12) < 1e-20);
}
END_TEST

/* ---- sample moments against closed forms ---- */

/* Raw moments E[X^j], j = 1..4, computed here independently of dist.c. */
typedef struct moments {
    double m[5];
} moments;

static double rising(double k, int j)
{
    double r = 1;
    for (int i = 0; i < j; i++) r *= k + i;
    return r;
}

static moments raw_moments(const char *family, double p1, double p2)
{
    moments o = {{1, 0, 0, 0, 0}};
    for (int j = 1; j <= 4; j++) {
        if (!strcmp(family, "exp")) o.m[j] = tgamma(j + 1) * pow(p1, j);
        else if (!strcmp(family, "uniform"))
            o.m[j] = (pow(p2, j + 1) - pow(p1, j + 1)) / ((j + 1) * (p2 - p1));
        else if (!strcmp(family, "lognormal")) {
            double s2 = log(1 + p2 * p2 / (p1 * p1)), mu = log(p1) - s2 / 2;
            o.m[j] = exp(j * mu + j * j * s2 / 2);
        } else if (!strcmp(family, "gamma")) {
            double k = 1 / (p2 * p2), theta = p1 * p2 * p2;
            o.m[j] = pow(theta, j) * rising(k, j);
        } else if (!strcmp(family, "weibull")) o.m[j] = pow(p1, j) * tgamma(1 + j / p2);
        else if (!strcmp(family, "pareto")) o.m[j] = p2 * pow(p1, j) / (p2 - j);
    }
    return o;
}

static const struct {
    const char *text; /* distribution */
    const char *family; /* for raw_moments; empirical uniform5.csv is uniform(1ms, 5ms) */
    double p1, p2;    /* parameters in seconds for raw_moments */
} sampled[] = {
    {"exp(2ms)", "exp", 0.002, 0},
    {"uniform(1ms, 3ms)", "uniform", 0.001, 0.003},
    {"lognormal(1.2ms, 0.6ms)", "lognormal", 0.0012, 0.0006},
    {"lognormal(1ms, 2ms)", "lognormal", 0.001, 0.002},
    {"gamma(1ms, 0.5)", "gamma", 0.001, 0.5},
    {"gamma(1ms, 2)", "gamma", 0.001, 2}, /* shape 1/4 < 1: GSL's other branch */
    {"weibull(1ms, 1.5)", "weibull", 0.001, 1.5},
    {"weibull(1ms, 0.8)", "weibull", 0.001, 0.8},
    {"pareto(1ms, 6)", "pareto", 0.001, 6},
    {"empirical(uniform5.csv)", "uniform", 0.001, 0.005},
    {"empirical(mixed.csv, 2)", "uniform", 0.002, 0.010},
};

/* Draws n samples and checks, with a fixed seed:
 *  - dist_mean / dist_variance against the moments computed here (to rounding);
 *  - the sample mean: by the CLT, xbar - mu is approximately N(0, sigma^2/n), so
 *    |xbar - mu| < 4.5 sigma/sqrt(n) fails with probability about 7e-6 for a correct
 *    sampler, while a wrong parameterisation (say a rate taken for a mean, or the log-sd
 *    taken for the sd) moves the mean by many such widths at n = 10^6 (10^5 quick);
 *  - the sample variance s^2: approximately N(sigma^2, (mu4 - sigma^4)/n) with mu4 the
 *    fourth central moment (finite for all cases here: pareto alpha = 6 > 4), same
 *    4.5-sigma bound. */
START_TEST(test_sample_moments)
{
    dist d;
    char err[256] = "";
    ck_assert_msg(dist_parse(sampled[_i].text, DATA, &d, err, sizeof err) == 0, "%s", err);
    moments m = raw_moments(sampled[_i].family, sampled[_i].p1, sampled[_i].p2);
    double mu = m.m[1], var = m.m[2] - mu * mu;
    double mu4 = m.m[4] - 4 * mu * m.m[3] + 6 * mu * mu * m.m[2] - 3 * mu * mu * mu * mu;
    ck_assert_msg(fabs(dist_mean(&d) - mu) <= 1e-12 * mu, "%s: mean %.17g vs %.17g",
                  sampled[_i].text, dist_mean(&d), mu);
    ck_assert_msg(fabs(dist_variance(&d) - var) <= 1e-9 * var, "%s: var %.17g vs %.17g",
                  sampled[_i].text, dist_variance(&d), var);

    rng r;
    rng_seed(&r, 20240601, 0, sampled[_i].text);
    long n = test_quick() ? 100000 : 1000000;
    double mean = 0, m2 = 0, lo = INFINITY, hi = -INFINITY;
    for (long i = 1; i <= n; i++) { /* Welford */
        double x = dist_sample(&d, &r);
        double delta = x - mean;
        mean += delta / (double)i;
        m2 += delta * (x - mean);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
    }
    double s2 = m2 / (double)(n - 1);
    double bound_mean = 4.5 * sqrt(var / (double)n);
    double bound_var = 4.5 * sqrt((mu4 - var * var) / (double)n);
    ck_assert_msg(fabs(mean - mu) < bound_mean, "%s: sample mean %.6g, want %.6g +- %.3g",
                  sampled[_i].text, mean, mu, bound_mean);
    ck_assert_msg(fabs(s2 - var) < bound_var, "%s: sample variance %.6g, want %.6g +- %.3g",
                  sampled[_i].text, s2, var, bound_var);
    ck_assert(lo >= 0);
    if (!strcmp(sampled[_i].family, "uniform")) {
        ck_assert(lo >= sampled[_i].p1 && hi <= sampled[_i].p2);
    }
    if (!strcmp(sampled[_i].family, "pareto")) {
        ck_assert(lo >= sampled[_i].p1);
    }
    dist_fini(&d);
}
END_TEST

START_TEST(test_const_and_exp_draws)
{
    rng r, s;
    rng_seed(&r, 7, 1, "svc");
    rng_seed(&s, 7, 1, "svc");
    dist c = dist_make_const(0.001), e = dist_make_exp(0.002);
    int bad = 0; /* no ck_assert per draw: each one costs a write() */
    for (int i = 0; i < 1000; i++) {
        bad += dist_sample(&c, &r) != 0.001; /* draws nothing */
        bad += dist_sample(&e, &r) != rng_exp(&s, 0.002);
    }
    ck_assert_int_eq(bad, 0);
    ck_assert(dist_mean(&e) == 0.002 && dist_variance(&e) == 0.002 * 0.002);
}
END_TEST

/* ---- empirical files ---- */

START_TEST(test_empirical_tables)
{
    dist d;
    char err[256] = "";
    /* unsorted, mixed units, quoted header and field, a blank line: samples 1..5 ms */
    ck_assert_msg(dist_parse("empirical(mixed.csv)", DATA, &d, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(d.kind, DIST_EMPIRICAL);
    /* interpolated 1..5 ms evenly spaced = uniform(1ms, 5ms): mean 3 ms, var 16/12 ms^2 */
    ck_assert(fabs(dist_mean(&d) - 0.003) < 1e-18);
    ck_assert(fabs(dist_variance(&d) - 16e-6 / 12) < 1e-20);
    char buf[128];
    dist_format(&d, buf, sizeof buf);
    ck_assert_str_eq(buf, "empirical(mixed.csv)");
    dist_fini(&d);
    dist_fini(&d); /* twice is harmless */

    /* CRLF line ends, no header: 1, 2, 3 ms */
    ck_assert_int_eq(dist_parse("empirical(crlf.csv)", DATA, &d, err, sizeof err), 0);
    ck_assert(fabs(dist_mean(&d) - 0.002) < 1e-18);
    dist_fini(&d);

    /* one sample: a constant */
    ck_assert_int_eq(dist_parse("empirical(one.csv)", DATA, &d, err, sizeof err), 0);
    ck_assert(dist_mean(&d) == 0.007 && dist_variance(&d) == 0);
    rng r;
    rng_seed(&r, 1, 0, "one");
    ck_assert(dist_sample(&d, &r) == 0.007);
    dist_fini(&d);

    /* quoted path, a base dir with a trailing slash, and an absolute path */
    ck_assert_int_eq(dist_parse("empirical(\"uniform5.csv\")", DATA "/", &d, err, sizeof err), 0);
    dist_fini(&d);
    char cwd[1024], text[1200];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, "empirical(%s/" DATA "/uniform5.csv)", cwd);
    ck_assert_int_eq(dist_parse(text, "/nonexistent", &d, err, sizeof err), 0);
    ck_assert(fabs(dist_mean(&d) - 0.003) < 1e-18);
    dist_fini(&d);
}
END_TEST

/* The quantile function interpolates linearly: with samples 1..5 ms a draw u gives
 * 1ms + 4ms u exactly, so the empirical stream equals a uniform(1ms, 5ms) stream. */
START_TEST(test_empirical_interpolation)
{
    dist d, u;
    ck_assert_int_eq(dist_parse("empirical(uniform5.csv)", DATA, &d, NULL, 0), 0);
    ck_assert_int_eq(dist_parse("uniform(1ms, 5ms)", NULL, &u, NULL, 0), 0);
    rng a, b;
    rng_seed(&a, 3, 0, "x");
    rng_seed(&b, 3, 0, "x");
    double worst = 0;
    for (int i = 0; i < 10000; i++) {
        double x = dist_sample(&d, &a), y = dist_sample(&u, &b);
        if (fabs(x - y) > worst) worst = fabs(x - y);
    }
    ck_assert_msg(worst <= 1e-18, "differ by %.3g", worst);
    dist_fini(&d);
}
END_TEST

/* ---- scaling, copying, reproducibility ---- */

START_TEST(test_scale)
{
    static const char *texts[] = {"const(1ms)", "exp(2ms)", "uniform(1ms, 3ms)",
                                  "lognormal(1.2ms, 0.6ms)", "gamma(1ms, 0.5)",
                                  "weibull(1ms, 1.5)", "pareto(1ms, 3)",
                                  "empirical(uniform5.csv)"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        dist d, s;
        ck_assert_int_eq(dist_parse(texts[i], DATA, &d, NULL, 0), 0);
        ck_assert_int_eq(dist_copy(&s, &d), 0);
        dist_scale(&s, 4);
        ck_assert_msg(fabs(dist_mean(&s) - 4 * dist_mean(&d)) <= 1e-15 * dist_mean(&s), "%s",
                      texts[i]);
        ck_assert_msg(fabs(dist_variance(&s) - 16 * dist_variance(&d)) <=
                          1e-12 * dist_variance(&s), "%s", texts[i]);
        /* every draw is multiplied by 4 (same stream, same uniforms) */
        rng a, b;
        rng_seed(&a, 5, 0, "slow");
        rng_seed(&b, 5, 0, "slow");
        for (int k = 0; k < 100; k++) {
            double x = dist_sample(&d, &a), y = dist_sample(&s, &b);
            ck_assert_msg(fabs(y - 4 * x) <= 1e-12 * y, "%s: %.17g vs 4 x %.17g", texts[i], y, x);
        }
        /* the scaled distribution still round-trips through its text */
        char buf[128];
        ck_assert_int_gt(dist_format(&s, buf, sizeof buf), 0);
        dist t;
        ck_assert_msg(dist_parse(buf, DATA, &t, NULL, 0) == 0, "%s", buf);
        ck_assert(t.kind == s.kind && t.p1 == s.p1 && t.p2 == s.p2);
        dist_fini(&t);
        dist_fini(&s);
        dist_fini(&d);
    }
    dist d;
    ck_assert_int_eq(dist_parse("exp(2ms)", NULL, &d, NULL, 0), 0);
    dist_scale(&d, 4);
    char buf[64];
    dist_format(&d, buf, sizeof buf);
    ck_assert_str_eq(buf, "exp(8ms)");
    ck_assert_int_eq(dist_parse("empirical(uniform5.csv)", DATA, &d, NULL, 0), 0);
    dist_scale(&d, 2.5);
    dist_format(&d, buf, sizeof buf);
    ck_assert_str_eq(buf, "empirical(uniform5.csv, 2.5)");
    dist_fini(&d);
}
END_TEST

START_TEST(test_copy_is_deep)
{
    dist d, c;
    ck_assert_int_eq(dist_parse("empirical(uniform5.csv)", DATA, &d, NULL, 0), 0);
    ck_assert_int_eq(dist_copy(&c, &d), 0);
    ck_assert_ptr_nonnull(c.table);
    ck_assert_ptr_ne(c.table, d.table);
    dist_fini(&d);
    rng r;
    rng_seed(&r, 1, 0, "copy");
    int bad = 0;
    for (int i = 0; i < 100; i++) {
        double x = dist_sample(&c, &r);
        bad += !(x >= 0.001 && x <= 0.005);
    }
    ck_assert_int_eq(bad, 0);
    char buf[64];
    dist_format(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "empirical(uniform5.csv)");
    dist_fini(&c);
    ck_assert_int_eq(c.kind, DIST_CONST);
}
END_TEST

START_TEST(test_reproducible)
{
    static const char *texts[] = {"exp(2ms)", "uniform(1ms, 3ms)", "lognormal(1.2ms, 0.6ms)",
                                  "gamma(1ms, 0.5)", "gamma(1ms, 2)", "weibull(1ms, 1.5)",
                                  "pareto(1ms, 3)", "empirical(uniform5.csv)"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        dist d;
        ck_assert_int_eq(dist_parse(texts[i], DATA, &d, NULL, 0), 0);
        rng a, b, c;
        rng_seed(&a, 99, 2, "db.primary.read");
        rng_seed(&b, 99, 2, "db.primary.read");
        rng_seed(&c, 99, 3, "db.primary.read");
        int differ = 0;
        int same = 0;
        for (int k = 0; k < 1000; k++) {
            double x = dist_sample(&d, &a);
            same += x == dist_sample(&d, &b);
            differ += x != dist_sample(&d, &c);
        }
        ck_assert_int_eq(same, 1000);
        ck_assert_msg(differ > 900, "%s: replication 3 repeats replication 2", texts[i]);
        dist_fini(&d);
    }
}
END_TEST

START_TEST(test_format_small_buffer)
{
    dist d;
    ck_assert_int_eq(dist_parse("lognormal(1.2ms, 0.6ms)", NULL, &d, NULL, 0), 0);
    char buf[8];
    ck_assert_int_eq(dist_format(&d, buf, sizeof buf), -1);
    ck_assert_str_eq(buf, "");
    char ok[24]; /* "lognormal(1.2ms, 600us)" is 23 characters */
    ck_assert_int_eq(dist_format(&d, ok, sizeof ok), 23);
}
END_TEST

Suite *dist_suite(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_parse_good, 0, (int)(sizeof good / sizeof good[0]));
    tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_closed_forms);
    tcase_add_test(tc, test_format_small_buffer);
    suite_add_tcase(s, tc);
    tc = tcase_create("sample");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_loop_test(tc, test_sample_moments, 0, (int)(sizeof sampled / sizeof sampled[0]));
    tcase_add_test(tc, test_const_and_exp_draws);
    tcase_add_test(tc, test_empirical_tables);
    tcase_add_test(tc, test_empirical_interpolation);
    tcase_add_test(tc, test_scale);
    tcase_add_test(tc, test_copy_is_deep);
    tcase_add_test(tc, test_reproducible);
    suite_add_tcase(s, tc);
    return s;
}
