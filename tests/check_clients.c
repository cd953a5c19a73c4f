/* check_clients.c: the workload station: arrival counts against exact Poisson bounds
 * (homogeneous, piecewise-linear profile, diurnal), MMPP against its stationary mean (a
 * t bound over replications) and its closed-form count variance, deterministic arrivals
 * exactly, rate-profile parsing and inversion, trace replay (exact rows, streaming, error
 * messages at parse and at run time), the read/scan/write mix within exact binomial
 * bounds, latest() inserts, closed users, cross-field checks, and common random numbers
 * across variants that differ only in the mix. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/arrivals.h"
#include "models/clients.h"
#include "models/trace.h"
#include "sim/keydist.h"
#include "sim/sim.h"
#include "sim/station.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

#define ALPHA 0.001 /* two-sided significance of every statistical test here */
#define TRACES "tests/data/traces"

/* ---- a sink that records every request and replies at once ---- */

typedef struct seen {
    double t;      /* arrival time */
    uint64_t key;  /* key */
    uint32_t user; /* user */
    int op;        /* op */
} seen;

typedef struct sink {
    station base;
    seen *v;       /* records (owned until taken) */
    size_t n, cap; /* used, allocated */
} sink;

static void sink_arrive(station *st, request *r)
{
    sink *k = (sink *)st;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 1024;
        k->v = realloc(k->v, k->cap * sizeof *k->v);
        ck_assert_ptr_nonnull(k->v);
    }
    k->v[k->n++] = (seen){st->sim->now, r->key, r->user, r->op};
    sim_reply(st->sim, r);
}

static void sink_fini(station *st) { free(((sink *)st)->v); }

static const opt_def no_options[] = {{0}};
static const station_ops sink_ops = {.arrive = sink_arrive, .fini = sink_fini};
static const station_kind sink_kind = {
    .name = "sink", .options = no_options, .config_size = 1,
    .station_size = sizeof(sink), .ops = &sink_ops,
};

typedef struct run {
    seen *v;          /* what the sink saw (caller frees) */
    size_t n;         /* how many */
    uint64_t created; /* clients->created */
    int rc;           /* sim_start / sim_run result */
    char error[256];  /* sim error when rc < 0 */
    uint64_t newest;  /* the clients' working keydist newest (latest) */
} run;

/* Runs "src" (clients, with `settings` plus next=sink) into a sink for `duration`. */
static run run_src(const char *const *settings, uint64_t seed, uint64_t rep, double duration)
{
    const char *all[32];
    size_t i = 0;
    for (; settings[i]; i++) {
        ck_assert_uint_lt(i, 30);
        all[i] = settings[i];
    }
    all[i++] = "next=sink";
    all[i] = NULL;
    sim s;
    sim_config cfg = test_config(seed, rep, duration, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    clients *c = (clients *)test_add_station(&s, &clients_kind, "src", all);
    char none[1] = {0};
    sink *k = (sink *)station_new(&s, &sink_kind, "sink", none);
    ck_assert_ptr_nonnull(k);
    run out = {0};
    out.rc = sim_start(&s);
    if (out.rc == 0) out.rc = sim_run(&s);
    if (out.rc < 0) snprintf(out.error, sizeof out.error, "%s", s.error);
    out.v = k->v;
    out.n = k->n;
    out.created = c->created;
    out.newest = c->keys.newest;
    k->v = NULL;
    sim_fini(&s);
    return out;
}

/* Arrivals with a < t <= b. */
static uint64_t count_in(const run *r, double a, double b)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->n; i++) n += r->v[i].t > a && r->v[i].t <= b;
    return n;
}

/* Exact two-sided Poisson test: both tails at n exceed alpha/2. */
static void assert_poisson(uint64_t n, double mu, double alpha, const char *what)
{
    double lower = gsl_cdf_poisson_P((unsigned)n, mu);                  /* P(X <= n) */
    double upper = n ? gsl_cdf_poisson_Q((unsigned)n - 1, mu) : 1.0;    /* P(X >= n) */
    ck_assert_msg(lower > alpha / 2 && upper > alpha / 2,
                  "%s: %llu arrivals, expected %.10g (P(X<=n) = %.3g, P(X>=n) = %.3g)", what,
                  (unsigned long long)n, mu, lower, upper);
}

/* Exact two-sided binomial test. */
static void assert_binomial(uint64_t k, double p, uint64_t n, const char *what)
{
    double lower = gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n);
    double upper = k ? gsl_cdf_binomial_Q((unsigned)k - 1, p, (unsigned)n) : 1.0;
    ck_assert_msg(lower > ALPHA / 2 && upper > ALPHA / 2,
                  "%s: %llu of %llu, expected p = %g (P(X<=k) = %.3g, P(X>=k) = %.3g)", what,
                  (unsigned long long)k, (unsigned long long)n, p, lower, upper);
}

/* ---- rate profiles ---- */

static rate_profile profile_ok(const char *text)
{
    rate_profile p;
    char err[256] = "";
    ck_assert_msg(rate_profile_parse(text, &p, err, sizeof err) == 0, "%s: %s", text, err);
    return p;
}

START_TEST(test_profile_parse_format)
{
    static const struct { const char *in, *out; } cases[] = {
        {"0s 1000/s, 60s 8000/s, 120s 2000/s", "0s 1000/s, 1m 8000/s, 2m 2000/s"},
        {"  0 1k/s ,  1.5s  0/s  ", "0s 1000/s, 1.5s 0/s"},
        {"10 s 60 /m", "10s 1/s"},
        {"diurnal(1k/s, 8k/s, 24h)", "diurnal(1000/s, 8000/s, 24h)"},
        {"diurnal ( 0/s,5/s,90s )", "diurnal(0/s, 5/s, 90s)"},
        {"", ""},
        {" none ", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rate_profile p = profile_ok(cases[i].in);
        char buf[512];
        ck_assert_int_ge(rate_profile_format(&p, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, cases[i].out);
        rate_profile q = profile_ok(buf); /* round trip: the same profile */
        ck_assert_int_eq(q.kind, p.kind);
        ck_assert_int_eq(q.n, p.n);
        for (int j = 0; j < p.n; j++) {
            ck_assert_double_eq(q.t[j], p.t[j]);
            ck_assert_double_eq(q.rate[j], p.rate[j]);
        }
        ck_assert_double_eq(q.lo, p.lo);
        ck_assert_double_eq(q.hi, p.hi);
        ck_assert_double_eq(q.period, p.period);
    }
    rate_profile p = profile_ok("0s 1000/s, 60s 8000/s, 120s 2000/s");
    ck_assert_int_eq(p.kind, PROFILE_POINTS);
    ck_assert_double_eq(p.cum[1], 270000.0);
    ck_assert_double_eq(p.cum[2], 570000.0);
    char small[8];
    ck_assert_int_eq(rate_profile_format(&p, small, sizeof small), -1);
}
END_TEST

START_TEST(test_profile_errors)
{
    static const struct { const char *in, *msg; } cases[] = {
        {"60s", "point '60s' in rate_profile '60s' needs a time and a rate (e.g. '60s 8000/s')"},
        {"0s 1000/s, , 5s 1/s", "empty point in rate_profile '0s 1000/s, , 5s 1/s' (expected "
                                "'TIME RATE, TIME RATE, ...', e.g. '0s 1000/s, 60s 8000/s')"},
        {"0s 1000/s, 60x 8000/s", "unknown unit 'x' in '60x' (expected ns, us, ms, s, m, h) in "
                                  "rate_profile point '60x 8000/s'"},
        {"60s 1000/s, 30s 5/s", "time of rate_profile point '30s 5/s' is not after the "
                                "previous point's (times must increase)"},
        {"diurnal(1/s, 2/s)", "'diurnal(1/s, 2/s)' needs 3 arguments (expected diurnal(MIN, "
                              "MAX, PERIOD), e.g. diurnal(1000/s, 8000/s, 24h))"},
        {"diurnal(5/s, 2/s, 1h)", "MIN '5/s' must be at most MAX '2/s' (and not negative) in "
                                  "'diurnal(5/s, 2/s, 1h)'"},
        {"diurnal(1/s, 2/s, 0s)", "PERIOD '0s' must be positive in 'diurnal(1/s, 2/s, 0s)'"},
        {"diurnal 1/s", "bad rate_profile 'diurnal 1/s' (expected diurnal(MIN, MAX, PERIOD))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rate_profile p;
        char err[512] = "";
        ck_assert_int_eq(rate_profile_parse(cases[i].in, &p, err, sizeof err), -1);
        ck_assert_str_eq(err, cases[i].msg);
        ck_assert_int_eq(p.kind, PROFILE_NONE);
    }
    /* 65 points: one too many. */
    char many[2048] = "";
    for (int i = 0; i <= RATE_PROFILE_MAX; i++) {
        char pt[32];
        snprintf(pt, sizeof pt, "%s%ds 1/s", i ? ", " : "", i);
        strcat(many, pt);
    }
    rate_profile p;
    char err[256];
    ck_assert_int_eq(rate_profile_parse(many, &p, err, sizeof err), -1);
    ck_assert_str_eq(err, "rate_profile has more than 64 points");
}
END_TEST

/* Lambda and lambda against hand-written closed forms; the inverse against Lambda. */
START_TEST(test_profile_integral_inverse)
{
    rate_profile p = profile_ok("10s 1000/s, 70s 8000/s, 130s 2000/s");
    /* Before the first point the rate is the first point's: Lambda(10) = 10000. */
    ck_assert_double_eq_tol(rate_profile_integral(&p, 5), 5000.0, 1e-9);
    ck_assert_double_eq_tol(rate_profile_rate(&p, 40), 4500.0, 1e-9);
    /* Lambda(40) = 10000 + 1000*30 + (7000/60)/2 * 900 = 92500. */
    ck_assert_double_eq_tol(rate_profile_integral(&p, 40), 92500.0, 1e-6);
    ck_assert_double_eq_tol(rate_profile_integral(&p, 200), 10000 + 270000 + 300000 + 140000.0, 1e-6);
    for (double t = 0; t < 300; t += 0.37) {
        double s = rate_profile_integral(&p, t);
        ck_assert_double_eq_tol(rate_profile_inverse(&p, s), t, 1e-9 * (1 + t));
    }
    /* A rate that ends at 0: Lambda stops at 1000 * 10 / 2 = 5000. */
    rate_profile z = profile_ok("0s 1000/s, 10s 0/s");
    ck_assert_double_eq_tol(rate_profile_inverse(&z, 4999.0), 10.0 - sqrt(0.02), 1e-9);
    ck_assert(isinf(rate_profile_inverse(&z, 5000.5)));
    /* Diurnal: lambda(0) = MIN, lambda(P/2) = MAX, Lambda over a period = P (MIN+MAX)/2. */
    rate_profile d = profile_ok("diurnal(200/s, 2000/s, 40s)");
    ck_assert_double_eq_tol(rate_profile_rate(&d, 0), 200.0, 1e-9);
    ck_assert_double_eq_tol(rate_profile_rate(&d, 20), 2000.0, 1e-9);
    ck_assert_double_eq_tol(rate_profile_integral(&d, 40), 44000.0, 1e-7);
    for (double t = 0; t < 200; t += 0.173) {
        double s = rate_profile_integral(&d, t);
        ck_assert_double_eq_tol(rate_profile_inverse(&d, s), t, 1e-9 * (1 + t));
    }
    /* MIN = 0: the rate touches 0 at t = 0 and every period; still invertible. */
    rate_profile d0 = profile_ok("diurnal(0/s, 100/s, 10s)");
    for (double t = 0; t < 50; t += 0.0731) {
        double s = rate_profile_integral(&d0, t);
        ck_assert_double_eq_tol(rate_profile_inverse(&d0, s), t, 1e-6);
    }
}
END_TEST

/* ---- open arrivals: counts ---- */

START_TEST(test_poisson_count)
{
    /* N(T) ~ Poisson(rate T); the two halves are independent Poisson(rate T/2). */
    double T = test_quick() ? 10.0 : 50.0;
    const char *src[] = {"arrival=poisson", "rate=2000/s", NULL};
    run r = run_src(src, 11, 0, T);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.created, r.n);
    assert_poisson(r.n, 2000 * T, ALPHA, "poisson total");
    assert_poisson(count_in(&r, 0, T / 2), 1000 * T, ALPHA, "poisson first half");
    assert_poisson(count_in(&r, T / 2, T), 1000 * T, ALPHA, "poisson second half");
    for (size_t i = 1; i < r.n; i++) ck_assert_double_ge(r.v[i].t, r.v[i - 1].t);
    free(r.v);
}
END_TEST

START_TEST(test_profile_count)
{
    /* The brief's example profile over 150 s: Lambda = 270000 + 300000 + 60000; each
     * segment (and the ramp's first half) is an independent Poisson count with mean the
     * integral of the rate over it. Quick runs scale every rate by 1/10. */
    double f = test_quick() ? 0.1 : 1.0;
    char prof[128];
    snprintf(prof, sizeof prof, "rate_profile=0s %g/s, 60s %g/s, 120s %g/s", 1000 * f,
             8000 * f, 2000 * f);
    const char *src[] = {"arrival=poisson", prof, NULL};
    run r = run_src(src, 12, 0, 150.0);
    ck_assert_int_eq(r.rc, 0);
    assert_poisson(r.n, 630000 * f, ALPHA, "profile total");
    /* [0, 30]: 1000*30 + (7000/60)/2*30^2 = 82500; [30, 60]: 270000 - 82500. */
    assert_poisson(count_in(&r, 0, 30), 82500 * f, ALPHA, "profile 0-30s");
    assert_poisson(count_in(&r, 30, 60), 187500 * f, ALPHA, "profile 30-60s");
    assert_poisson(count_in(&r, 60, 120), 300000 * f, ALPHA, "profile 60-120s");
    assert_poisson(count_in(&r, 120, 150), 60000 * f, ALPHA, "profile 120-150s");
    free(r.v);
}
END_TEST

/* Lambda of diurnal(lo, hi, P), written out independently of arrivals.c. */
static double diurnal_lambda(double lo, double hi, double P, double t)
{
    return lo * t + (hi - lo) / 2 * (t - P / (2 * M_PI) * sin(2 * M_PI * t / P));
}

START_TEST(test_diurnal_count)
{
    /* diurnal(200/s, 2000/s, 40s) over 110 s, in 22 windows of 5 s (Bonferroni: each at
     * ALPHA / 22) plus the total at ALPHA. */
    double f = test_quick() ? 0.1 : 1.0;
    char prof[128];
    snprintf(prof, sizeof prof, "rate_profile=diurnal(%g/s, %g/s, 40s)", 200 * f, 2000 * f);
    const char *src[] = {"arrival=poisson", prof, NULL};
    run r = run_src(src, 13, 0, 110.0);
    ck_assert_int_eq(r.rc, 0);
    assert_poisson(r.n, diurnal_lambda(200 * f, 2000 * f, 40, 110), ALPHA, "diurnal total");
    for (int w = 0; w < 22; w++) {
        double a = 5.0 * w, b = a + 5.0;
        double mu = diurnal_lambda(200 * f, 2000 * f, 40, b) - diurnal_lambda(200 * f, 2000 * f, 40, a);
        char what[64];
        snprintf(what, sizeof what, "diurnal window %g-%gs", a, b);
        assert_poisson(count_in(&r, a, b), mu, ALPHA / 22, what);
    }
    /* The shape is there: the window around the peak (t = 20 s) holds 3.6 times the
     * window at the trough (means 19103 f and 5270 f). */
    ck_assert_uint_gt(count_in(&r, 15, 25), 3 * count_in(&r, 0, 10));
    free(r.v);
}
END_TEST

START_TEST(test_constant_exact)
{
    /* 250/s: arrival k at k/250 exactly, 2500 of them by 10.001 s. */
    const char *src[] = {"arrival=constant", "rate=250/s", NULL};
    run r = run_src(src, 1, 0, 10.001);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 2500);
    for (size_t i = 0; i < r.n; i++)
        ck_assert_double_eq_tol(r.v[i].t, (double)(i + 1) / 250.0, 1e-12);
    free(r.v);

    /* Constant over a profile: arrival k when Lambda reaches k. Rate 100 + 20t on [0, 10],
     * then 300/s: Lambda(t) = 100t + 10t^2, Lambda(10) = 2000, Lambda(20) = 5000. */
    const char *prof[] = {"arrival=constant", "rate_profile=0s 100/s, 10s 300/s", NULL};
    r = run_src(prof, 1, 0, 20.0005);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 5000);
    ck_assert_double_eq_tol(r.v[999].t, -5.0 + sqrt(125.0), 1e-10);  /* t^2+10t = 100 */
    ck_assert_double_eq_tol(r.v[1999].t, 10.0, 1e-10);
    ck_assert_double_eq_tol(r.v[4999].t, 20.0, 1e-10);
    ck_assert_double_eq_tol(r.v[0].t, -5.0 + sqrt(25.1), 1e-10);      /* t^2+10t = 0.1 */
    free(r.v);

    /* Rate 0: nothing at all; a profile that falls to 0 stops at floor(Lambda). */
    const char *zero[] = {"arrival=constant", "rate=0/s", NULL};
    r = run_src(zero, 1, 0, 10.0);
    ck_assert_uint_eq(r.n, 0);
    free(r.v);
    const char *stop[] = {"arrival=constant", "rate_profile=0s 100/s, 10s 0/s", NULL};
    r = run_src(stop, 1, 0, 100.0);
    ck_assert_uint_eq(r.n, 500);
    free(r.v);
}
END_TEST

START_TEST(test_mmpp_count)
{
    /* Calm 200/s for exp(2 s), bursts of 2000/s for exp(0.5 s): stationary burst share
     * 0.2, mean rate 560/s. Over R replications the mean count is within a Student-t
     * bound (ALPHA) of 560 T, and the sample variance is within chi-square bounds
     * (ALPHA, normal approximation of the count) of the closed form
     *   Var N(T) = m T + 2 (l1-l2)^2 r1 r2 / (r1+r2)^3 (T - (1 - e^{-(r1+r2)T}) / (r1+r2))
     * (r1 = 1/calm_time, r2 = 1/burst_time), about 700 times the Poisson variance. */
    const int R = test_quick() ? 20 : 40;
    const double T = test_quick() ? 50.0 : 200.0;
    const char *src[] = {"arrival=mmpp", "rate=200/s", "burst_rate=2000/s", "calm_time=2s",
                         "burst_time=500ms", NULL};
    double sum = 0, sum2 = 0;
    for (int rep = 0; rep < R; rep++) {
        run r = run_src(src, 14, (uint64_t)rep, T);
        ck_assert_int_eq(r.rc, 0);
        sum += (double)r.n;
        sum2 += (double)r.n * (double)r.n;
        free(r.v);
    }
    double mean = sum / R, var = (sum2 - sum * sum / R) / (R - 1);
    double mu = 560.0 * T;
    double half = gsl_cdf_tdist_Pinv(1 - ALPHA / 2, R - 1) * sqrt(var / R);
    ck_assert_msg(fabs(mean - mu) <= half, "mmpp mean count %.1f, expected %.1f +- %.1f", mean,
                  mu, half);
    double r1 = 0.5, r2 = 2.0, a = r1 + r2;
    double theory = mu + 2 * 1800.0 * 1800.0 * r1 * r2 / (a * a * a) * (T - (1 - exp(-a * T)) / a);
    double lo = gsl_cdf_chisq_Pinv(ALPHA / 2, R - 1) / (R - 1);
    double hi = gsl_cdf_chisq_Pinv(1 - ALPHA / 2, R - 1) / (R - 1);
    ck_assert_msg(var / theory >= lo && var / theory <= hi,
                  "mmpp count variance %.4g, closed form %.4g (ratio %.3f, bounds %.3f..%.3f)",
                  var, theory, var / theory, lo, hi);
    ck_assert_double_gt(var, 10 * mu); /* bursty: far from Poisson */
}
END_TEST

START_TEST(test_mean_rate)
{
    rate_profile none = {0};
    arrival_params p = {.kind = ARRIVAL_MMPP, .rate = 200, .burst_rate = 2000,
                        .burst_time = 0.5, .calm_time = 2, .profile = &none};
    ck_assert_double_eq_tol(arrivals_mean_rate(&p), 560.0, 1e-12);
    p.kind = ARRIVAL_POISSON;
    ck_assert_double_eq(arrivals_mean_rate(&p), 200.0);
    /* All-zero rates: no arrival, not an endless loop. */
    rng g, b;
    rng_seed(&g, 1, 0, "g");
    rng_seed(&b, 1, 0, "b");
    arrival_params z = {.kind = ARRIVAL_MMPP, .burst_time = 1, .calm_time = 1};
    arrivals a;
    arrivals_init(&a, &z, &g, &b);
    ck_assert(isinf(arrivals_next(&a)));
    /* Calm rate 0: arrivals come only in bursts, one by one in time order. */
    z.burst_rate = 100;
    arrivals_init(&a, &z, &g, &b);
    double prev = 0;
    for (int i = 0; i < 1000; i++) {
        double t = arrivals_next(&a);
        ck_assert_double_ge(t, prev);
        prev = t;
    }
    ck_assert_double_gt(prev, 0);
}
END_TEST

/* ---- the mix, keys and users ---- */

START_TEST(test_mix_binomial)
{
    /* Exactly N requests (limit); reads, scans and writes are binomial. */
    const unsigned N = test_quick() ? 20000 : 100000;
    char limit[64], dur[32];
    snprintf(limit, sizeof limit, "limit=%u", N);
    snprintf(dur, sizeof dur, "%u", N);
    const char *src[] = {"arrival=constant", "rate=1000/s", "read_ratio=60%", "scan_ratio=0.15",
                         limit, "users=7", NULL};
    run r = run_src(src, 21, 0, N / 1000.0 + 1);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, N);
    ck_assert_uint_eq(r.created, N);
    uint64_t n[OP_COUNT] = {0}, per_user[7] = {0};
    for (size_t i = 0; i < r.n; i++) {
        n[r.v[i].op]++;
        ck_assert_uint_lt(r.v[i].user, 7);
        per_user[r.v[i].user]++;
        ck_assert_uint_lt(r.v[i].key, 1000000); /* default uniform(1M) */
    }
    assert_binomial(n[OP_READ], 0.60, N, "reads");
    assert_binomial(n[OP_SCAN], 0.15, N, "scans");
    assert_binomial(n[OP_WRITE], 0.25, N, "writes");
    for (int u = 0; u < 7; u++) assert_binomial(per_user[u], 1.0 / 7, N, "user share");
    free(r.v);
}
END_TEST

START_TEST(test_latest_inserts)
{
    /* latest(100): writes insert 100, 101, 102, ... in order; a read sees keys up to the
     * newest, and hits the newest itself with the exact probability of rank 1 of
     * zipf(0.99, 100) (binomial bound). */
    const char *src[] = {"arrival=constant", "rate=1000/s", "read_ratio=0.5",
                         "keys=latest(100)", "limit=20000", NULL};
    run r = run_src(src, 22, 0, 30.0);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 20000);
    keydist k;
    char err[128];
    ck_assert_int_eq(keydist_parse("latest(100)", &k, err, sizeof err), 0);
    double p_newest = keydist_probability(&k, k.newest);
    uint64_t newest = 99, reads = 0, hits = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.v[i].op == OP_WRITE) {
            ck_assert_uint_eq(r.v[i].key, newest + 1);
            newest++;
        } else {
            ck_assert_uint_le(r.v[i].key, newest);
            reads++;
            hits += r.v[i].key == newest;
        }
    }
    ck_assert_uint_eq(r.newest, newest);
    ck_assert_uint_gt(newest, 99 + 9000); /* about 10000 inserts */
    assert_binomial(hits, p_newest, reads, "reads of the newest key");
    free(r.v);
}
END_TEST

START_TEST(test_closed_users)
{
    /* 5 users, think const(10ms), replies at once: each user issues at 10, 20, ..., 1000
     * ms: exactly 100 requests per user id 0..4 by 1.005 s. */
    const char *src[] = {"arrival=closed", "population=5", "think=const(10ms)", NULL};
    run r = run_src(src, 1, 0, 1.005);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 500);
    uint64_t per[5] = {0};
    for (size_t i = 0; i < r.n; i++) {
        ck_assert_uint_lt(r.v[i].user, 5);
        per[r.v[i].user]++;
    }
    for (int u = 0; u < 5; u++) ck_assert_uint_eq(per[u], 100);
    free(r.v);
}
END_TEST

/* ---- common random numbers ---- */

START_TEST(test_crn_mix_change)
{
    /* Two variants differing only in read_ratio: identical arrival times, users and keys
     * (zipf), for every open process; only the ops differ. */
    static const char *procs[][3] = {
        {"arrival=poisson", "rate=500/s", NULL},
        {"arrival=mmpp", "rate=100/s", "burst_rate=900/s"},
        {"arrival=poisson", "rate_profile=0s 100/s, 2s 900/s", NULL},
        {"arrival=constant", "rate_profile=diurnal(50/s, 500/s, 3s)", NULL},
    };
    for (size_t p = 0; p < sizeof procs / sizeof procs[0]; p++) {
        const char *a[] = {procs[p][0], procs[p][1], "keys=zipf(0.99, 1k)", "read_ratio=0.9",
                           procs[p][2], NULL};
        const char *b[] = {procs[p][0], procs[p][1], "keys=zipf(0.99, 1k)", "read_ratio=0.2",
                           procs[p][2], NULL};
        run x = run_src(a, 5, 2, 5.0), y = run_src(b, 5, 2, 5.0);
        ck_assert_uint_gt(x.n, 200);
        ck_assert_uint_eq(x.n, y.n);
        size_t differ = 0;
        for (size_t i = 0; i < x.n; i++) {
            ck_assert_double_eq(x.v[i].t, y.v[i].t);
            ck_assert_uint_eq(x.v[i].user, y.v[i].user);
            ck_assert_uint_eq(x.v[i].key, y.v[i].key);
            differ += x.v[i].op != y.v[i].op;
        }
        ck_assert_uint_gt(differ, x.n / 2); /* 70% of the ops change: far above half */
        free(x.v);
        free(y.v);
    }
    /* Another replication gives other arrival times. */
    const char *c[] = {"arrival=poisson", "rate=500/s", NULL};
    run x = run_src(c, 5, 2, 1.0), y = run_src(c, 5, 3, 1.0);
    ck_assert(x.n != y.n || x.v[0].t != y.v[0].t);
    free(x.v);
    free(y.v);
}
END_TEST

/* ---- traces ---- */

START_TEST(test_trace_replay)
{
    /* good.csv: a header, units and bare seconds, equal times, spaces, quotes, a blank
     * line, the largest key and user, region columns (read, unused). */
    const char *src[] = {"arrival=trace", "trace=" TRACES "/good.csv", NULL};
    run r = run_src(src, 3, 0, 10.0);
    ck_assert_int_eq(r.rc, 0);
    static const seen want[] = {
        {0.5, 42, 7, OP_READ},
        {0.5, 43, 8, OP_WRITE},
        {0.75, 1000, 9, OP_SCAN},
        {1.0, UINT64_MAX, UINT32_MAX, OP_READ},
        {2.25, 0, 0, OP_WRITE},
    };
    ck_assert_uint_eq(r.n, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_double_eq_tol(r.v[i].t, want[i].t, 1e-15);
        ck_assert_int_eq(r.v[i].op, want[i].op);
        ck_assert_uint_eq(r.v[i].key, want[i].key);
        ck_assert_uint_eq(r.v[i].user, want[i].user);
    }
    free(r.v);
    /* A shorter run stops at its end: the rows after 1 s are never created. */
    r = run_src(src, 3, 0, 0.9);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_uint_eq(r.created, 3);
    free(r.v);
    /* Without a user column users are drawn from `users` (the same ones every time). */
    const char *nu[] = {"arrival=trace", "trace=" TRACES "/nouser.csv", "users=3", NULL};
    run a = run_src(nu, 3, 0, 1.0), b = run_src(nu, 3, 0, 1.0);
    ck_assert_uint_eq(a.n, 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(a.v[i].t, 0.001 * (double)(i + 1), 1e-15);
        ck_assert_uint_eq(a.v[i].key, i + 1);
        ck_assert_uint_lt(a.v[i].user, 3);
        ck_assert_uint_eq(a.v[i].user, b.v[i].user);
    }
    ck_assert_int_eq(a.v[3].op, OP_SCAN);
    free(a.v);
    free(b.v);
    /* limit stops a trace too. */
    const char *lim[] = {"arrival=trace", "trace=" TRACES "/good.csv", "limit=2", NULL};
    r = run_src(lim, 3, 0, 10.0);
    ck_assert_uint_eq(r.n, 2);
    free(r.v);
}
END_TEST

START_TEST(test_trace_option)
{
    /* The option resolves against base_dir, scans the file and prints it as written. */
    const opt_def *d = opt_find(clients_kind.options, "trace");
    ck_assert_ptr_nonnull(d);
    trace_file f;
    char err[512] = "";
    ck_assert_int_eq(d->parse("good.csv", &f, TRACES, err, sizeof err), 0);
    ck_assert_str_eq(f.path, TRACES "/good.csv");
    ck_assert_uint_eq(f.records, 5);
    ck_assert_double_eq(f.first, 0.5);
    ck_assert_double_eq(f.last, 2.25);
    char buf[64];
    ck_assert_int_eq(d->format(&f, buf, sizeof buf), 8);
    ck_assert_str_eq(buf, "good.csv");
    ck_assert_int_eq(d->parse("\"good.csv\"", &f, TRACES "/", err, sizeof err), 0);
    ck_assert_str_eq(f.path, TRACES "/good.csv");
    ck_assert_int_eq(d->parse("", &f, TRACES, err, sizeof err), 0);
    ck_assert_str_eq(f.written, "");
    ck_assert_int_eq(d->parse("none", &f, TRACES, err, sizeof err), 0);
    ck_assert_str_eq(f.written, "");
}
END_TEST

START_TEST(test_trace_errors)
{
    static const struct { const char *file, *msg; } cases[] = {
        {"bad_time.csv", TRACES "/bad_time.csv:4: time '1.5s' is before the previous row's "
                         "(2s); rows must be in time order"},
        {"bad_op.csv", TRACES "/bad_op.csv:2: unknown op 'update' (expected read, write, scan)"},
        {"bad_key.csv", TRACES "/bad_key.csv:4: bad key '-5' (expected a whole number 0 to "
                        "18446744073709551615)"},
        {"bad_user.csv", TRACES "/bad_user.csv:2: bad user '4294967296' (expected a whole "
                         "number 0 to 4294967295)"},
        {"bad_fields.csv", TRACES "/bad_fields.csv:2: 2 fields (expected time, op, key[, "
                           "user][, region])"},
        {"bad_negative.csv", TRACES "/bad_negative.csv:2: bad time '-0.2' (expected seconds "
                             "or a duration such as 1.5ms)"},
        {"empty.csv", "trace '" TRACES "/empty.csv' holds no requests (expected rows of time, "
                      "op, key[, user][, region])"},
        {"missing.csv", "cannot open trace '" TRACES "/missing.csv': No such file or directory"},
    };
    const opt_def *d = opt_find(clients_kind.options, "trace");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clients_config cfg;
        memset(&cfg, 0, sizeof cfg);
        char err[512] = "";
        ck_assert_int_eq(opt_set(d, &cfg, cases[i].file, TRACES, err, sizeof err), -1);
        ck_assert_str_eq(err, cases[i].msg);
        ck_assert_str_eq(cfg.trace.written, "");
    }
}
END_TEST

/* Writes text to a fresh temporary file; returns its malloc'd name. */
static char *temp_file(const char *text)
{
    char *name = strdup("/tmp/dbscale_trace_XXXXXX");
    int fd = mkstemp(name);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
    return name;
}

START_TEST(test_trace_fails_run)
{
    /* A file that passes the check but is broken when the run reads it (changed on disk)
     * stops the run with the file:line message; the rows before it were sent. */
    char *name = temp_file("0.1,read,1\n0.2,read,2\n");
    char setting[128];
    snprintf(setting, sizeof setting, "trace=%s", name);
    sim s;
    sim_config cfg = test_config(1, 0, 10.0, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src[] = {"arrival=trace", setting, "next=sink", NULL};
    clients *c = (clients *)test_add_station(&s, &clients_kind, "src", src);
    char none[1] = {0};
    station_new(&s, &sink_kind, "sink", none);
    FILE *fp = fopen(name, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("0.1,read,1\r\n0.2,write,2\r\n0.3,delete,3\r\n0.4,read,4\r\n", fp);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), -1);
    char want[256];
    snprintf(want, sizeof want, "station 'src': %s:3: unknown op 'delete' (expected read, "
             "write, scan)", name);
    ck_assert_str_eq(s.error, want);
    ck_assert_uint_eq(c->created, 2);
    sim_fini(&s);
    /* A file that disappears: the run cannot start. */
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    fp = fopen(name, "w");
    fputs("1s,read,1\n", fp);
    fclose(fp);
    test_add_station(&s, &clients_kind, "src", src);
    station_new(&s, &sink_kind, "sink", none);
    unlink(name);
    ck_assert_int_eq(sim_start(&s), -1);
    ck_assert_ptr_nonnull(strstr(s.error, "cannot open trace"));
    sim_fini(&s);
    free(name);
}
END_TEST

START_TEST(test_trace_streaming)
{
    /* A trace many chunks long (64 KiB each) replays row for row: row i at i * 100 us,
     * key i * 7919, user i % 1000, ops cycling. */
    const size_t N = test_quick() ? 30000 : 200000;
    char *name = strdup("/tmp/dbscale_trace_XXXXXX");
    int fd = mkstemp(name);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fputs("time,op,key,user\n", fp);
    static const char *ops[] = {"read", "write", "scan"};
    for (size_t i = 0; i < N; i++)
        fprintf(fp, "%zuus,%s,%zu,%zu\n", i * 100, ops[i % 3], i * 7919, i % 1000);
    ck_assert_int_eq(fclose(fp), 0);
    char setting[128];
    snprintf(setting, sizeof setting, "trace=%s", name);
    const char *src[] = {"arrival=trace", setting, NULL};
    run r = run_src(src, 1, 0, 1e6);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, N);
    for (size_t i = 0; i < N; i++) {
        ck_assert_double_eq_tol(r.v[i].t, (double)i * 1e-4, 1e-9);
        ck_assert_int_eq(r.v[i].op, (int)(i % 3));
        ck_assert_uint_eq(r.v[i].key, i * 7919);
        ck_assert_uint_eq(r.v[i].user, i % 1000);
    }
    free(r.v);
    unlink(name);
    free(name);
}
END_TEST

/* ---- cross-field checks ---- */

START_TEST(test_validate)
{
    static const struct { const char *set[3], *msg; } cases[] = {
        {{"read_ratio=0.9", "scan_ratio=0.2", NULL},
         "read_ratio 0.90000000000000002 plus scan_ratio 0.20000000000000001 is more than 1 "
         "(writes are the rest: lower read_ratio)"},
        {{"arrival=trace", NULL, NULL}, "arrival = trace needs 'trace = FILE.csv'"},
        {{"trace=good.csv", NULL, NULL},
         "'trace' is set but arrival is 'poisson' (set arrival = trace, or trace = none)"},
        {{"arrival=mmpp", "rate_profile=0s 1/s", NULL},
         "rate_profile applies to arrival = poisson or constant, not 'mmpp' (or set "
         "rate_profile = none)"},
        {{"arrival=closed", "rate_profile=diurnal(1/s, 2/s, 1h)", NULL},
         "rate_profile applies to arrival = poisson or constant, not 'closed' (or set "
         "rate_profile = none)"},
        {{"read_ratio=0.8", "scan_ratio=0.2", NULL}, NULL},
        {{"arrival=constant", "rate_profile=0s 1/s", NULL}, NULL},
        {{"arrival=trace", "trace=good.csv", NULL}, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clients_config cfg;
        memset(&cfg, 0, sizeof cfg);
        char err[512] = "";
        ck_assert_int_eq(opt_defaults(clients_kind.options, &cfg, err, sizeof err), 0);
        for (int j = 0; j < 3 && cases[i].set[j]; j++) {
            const char *eq = strchr(cases[i].set[j], '=');
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)(eq - cases[i].set[j]), cases[i].set[j]);
            ck_assert_int_eq(opt_set(opt_find(clients_kind.options, key), &cfg, eq + 1, TRACES,
                                     err, sizeof err), 0);
        }
        int rc = clients_kind.validate(&cfg, err, sizeof err);
        if (cases[i].msg) {
            ck_assert_int_eq(rc, -1);
            ck_assert_str_eq(err, cases[i].msg);
        } else {
            ck_assert_msg(rc == 0, "case %zu: %s", i, err);
        }
        opt_release(clients_kind.options, &cfg);
    }
}
END_TEST

Suite *clients_suite(void)
{
    Suite *s = suite_create("clients");
    TCase *tc = tcase_create("unit");
    tcase_add_test(tc, test_profile_parse_format);
    tcase_add_test(tc, test_profile_errors);
    tcase_add_test(tc, test_profile_integral_inverse);
    tcase_add_test(tc, test_constant_exact);
    tcase_add_test(tc, test_mean_rate);
    tcase_add_test(tc, test_closed_users);
    tcase_add_test(tc, test_trace_replay);
    tcase_add_test(tc, test_trace_option);
    tcase_add_test(tc, test_trace_errors);
    tcase_add_test(tc, test_trace_fails_run);
    tcase_add_test(tc, test_validate);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistics");
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    tcase_add_test(st, test_poisson_count);
    tcase_add_test(st, test_profile_count);
    tcase_add_test(st, test_diurnal_count);
    tcase_add_test(st, test_mmpp_count);
    tcase_add_test(st, test_mix_binomial);
    tcase_add_test(st, test_latest_inserts);
    tcase_add_test(st, test_crn_mix_change);
    tcase_add_test(st, test_trace_streaming);
    suite_add_tcase(s, st);
    return s;
}
