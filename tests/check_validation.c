/* check_validation.c: the simulation against queueing theory.
 *
 * Each test runs independent replications (fixed seeds) of a small network built from the
 * real `clients` and `server` stations, forms a Student-t confidence interval across the
 * replications, and asserts that the closed-form value lies inside it. The interval is taken
 * at 99.9% (not 95%) so that a correct simulator fails a given assertion with probability
 * 0.001; each test also asserts that the interval is narrow (relative half-width below a
 * stated bound), so a test cannot pass by being vague. Histogram quantiles carry up to
 * 1/256 relative bucket error, which is added to the bound for p99.
 * Little's law (L = X W) is checked on every station of every replication.
 */
#include <check.h>
#include <math.h>

#include "models/clients.h"
#include "models/server.h"
#include <gsl/gsl_cdf.h>

#include "sim/confidence.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

#define LEVEL 0.999
#define MAX_REPS 64
#define HIST_REL_ERR (1.0 / 256.0)

typedef struct network {
    const char *const *clients;   /* settings of the workload "src" */
    const char *const *stations[3]; /* settings of servers "q1".."q3", NULL-ended */
} network;

typedef struct outcome {
    double latency_mean;          /* end-to-end mean (s) */
    double latency_p99;           /* end-to-end p99 (s) */
    double wait_mean[3];          /* queueing delay per server (s) */
    double throughput;            /* completions per second at the workload */
} outcome;

/* Checks L = X W on every station with departures: an identity up to the requests in
 * flight at the two ends of the measured period, far below 1% for these run lengths. */
static void assert_little(const sim *s)
{
    for (size_t i = 0; i < s->n_stations; i++) {
        const station *st = s->stations[i];
        if (st->stats.departures < 1000) continue;
        double L = station_mean_present(st);
        double XW = station_throughput(st) * station_mean_residence(st);
        ck_assert_msg(fabs(L - XW) <= 0.01 * L, "Little's law at %s: L = %g, X W = %g",
                      st->name, L, XW);
    }
}

static outcome run_once(const network *net, uint64_t rep, double duration, double warmup)
{
    sim s;
    sim_config cfg = test_config(20261121, rep, duration, warmup);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", net->clients);
    station *q[3] = {0};
    static const char *names[] = {"q1", "q2", "q3"};
    for (int i = 0; i < 3 && net->stations[i]; i++)
        q[i] = test_add_station(&s, &server_kind, names[i], net->stations[i]);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    outcome o = {0};
    o.latency_mean = hist_mean(&src->latency_all);
    o.latency_p99 = hist_quantile(&src->latency_all, 0.99);
    for (int i = 0; i < 3; i++) o.wait_mean[i] = q[i] ? server_mean_wait(q[i]) : NAN;
    o.throughput = (double)src->completed / (duration - warmup);
    assert_little(&s);
    sim_fini(&s);
    return o;
}

/* Runs `reps` replications and gives the CI of one field (by offset) of the outcome. */
typedef double (*pick_fn)(const outcome *o);
static double pick_mean(const outcome *o) { return o->latency_mean; }
static double pick_p99(const outcome *o) { return o->latency_p99; }
static double pick_wait0(const outcome *o) { return o->wait_mean[0]; }
static double pick_tput(const outcome *o) { return o->throughput; }

static void run_reps(const network *net, int reps, double duration, double warmup,
                     outcome *out)
{
    ck_assert_int_le(reps, MAX_REPS);
    for (int r = 0; r < reps; r++) out[r] = run_once(net, (uint64_t)r, duration, warmup);
}

static ci ci_pick(const outcome *out, int reps, pick_fn f)
{
    double v[MAX_REPS];
    for (int r = 0; r < reps; r++) v[r] = f(&out[r]);
    return ci_of(v, (size_t)reps, LEVEL);
}

/* Asserts that `truth` lies in the CI widened by `bias` (a known deterministic error such as
 * the histogram's bucket error) and that the CI is narrower than max_rel of the truth. */
static void assert_covers(const char *what, ci c, double truth, double bias, double max_rel)
{
    ck_assert_msg(fabs(c.mean - truth) <= c.half_width + bias,
                  "%s: theory %.6g outside simulation %.6g +- %.3g (99.9%% CI, n=%zu)",
                  what, truth, c.mean, c.half_width, c.n);
    ck_assert_msg(c.half_width <= max_rel * truth,
                  "%s: CI half-width %.3g is wider than %.1f%% of %.6g: the test would be vague",
                  what, c.half_width, 100 * max_rel, truth);
}

/* Quick mode (sanitizers, valgrind): 10 replications of a quarter of the length. The CI
 * half-width grows by about t(0.9995, 9)/t(0.9995, 19) x sqrt(20/10) x sqrt(4) = 3.5, so
 * the narrowness bound is relaxed by 4. */
static int reps_n(void) { return test_quick() ? 10 : 20; }
static double dur(double full) { return test_quick() ? full / 4 : full; }
static double width(double full) { return test_quick() ? full * 4 : full; }

START_TEST(test_mm1)
{
    /* M/M/1, lambda = 800/s, mu = 1000/s: sojourn ~ Exp(mu - lambda): mean 5 ms,
     * p99 = ln(100) / 200 = 23.03 ms. */
    const char *src[] = {"rate=800/s", "next=q1", NULL};
    const char *q1[] = {"servers=1", "service=exp(1ms)", NULL};
    network net = {src, {q1, NULL}};
    int reps = reps_n();
    outcome out[MAX_REPS];
    run_reps(&net, reps, dur(200), 20, out);
    assert_covers("M/M/1 mean response", ci_pick(out, reps, pick_mean), 0.005, 0, width(0.03));
    double p99 = log(100.0) / 200.0;
    /* The p99 of short quick-mode runs varies more than the means: 35% there. */
    assert_covers("M/M/1 p99 response", ci_pick(out, reps, pick_p99), p99, HIST_REL_ERR * p99,
                  test_quick() ? 0.35 : 0.06);
    assert_covers("M/M/1 throughput", ci_pick(out, reps, pick_tput), 800, 0, width(0.01));
}
END_TEST

/* Erlang C: probability of waiting in M/M/c with offered load a = lambda/mu. */
static double erlang_c(int c, double a)
{
    double term = 1.0, sum = 1.0;
    for (int k = 1; k < c; k++) {
        term *= a / k;
        sum += term;
    }
    double last = term * a / c;            /* a^c / c! */
    double rho = a / c;
    double top = last / (1.0 - rho);
    return top / (sum + top);
}

START_TEST(test_mmc)
{
    /* M/M/4, lambda = 3200/s, mu = 1000/s per server: Wq = C(4, 3.2) / (c mu - lambda). */
    const char *src[] = {"rate=3200/s", "next=q1", NULL};
    const char *q1[] = {"servers=4", "service=exp(1ms)", NULL};
    network net = {src, {q1, NULL}};
    int reps = reps_n();
    outcome out[MAX_REPS];
    run_reps(&net, reps, dur(100), 10, out);
    double wq = erlang_c(4, 3.2) / (4000.0 - 3200.0);
    ck_assert_double_eq_tol(erlang_c(1, 0.8), 0.8, 1e-12); /* C(1, rho) = rho */
    assert_covers("M/M/4 mean wait (Erlang C)", ci_pick(out, reps, pick_wait0), wq, 0, width(0.05));
    assert_covers("M/M/4 mean response", ci_pick(out, reps, pick_mean), wq + 0.001, 0, width(0.03));
}
END_TEST

START_TEST(test_md1)
{
    /* M/D/1, lambda = 800/s, S = 1 ms: Pollaczek-Khinchine Wq = lambda E[S^2] / (2 (1 - rho))
     * = 800 * 1e-6 / 0.4 = 2 ms. */
    const char *src[] = {"rate=800/s", "next=q1", NULL};
    const char *q1[] = {"service=const(1ms)", NULL};
    network net = {src, {q1, NULL}};
    int reps = reps_n();
    outcome out[MAX_REPS];
    run_reps(&net, reps, dur(200), 20, out);
    assert_covers("M/D/1 mean wait", ci_pick(out, reps, pick_wait0), 0.002, 0, width(0.04));
}
END_TEST

START_TEST(test_mg1)
{
    /* M/G/1 with S ~ uniform(0, 2 ms): E[S] = 1 ms, E[S^2] = 4/3 ms^2; lambda = 800/s:
     * Wq = 800 * (4/3) 1e-6 / 0.4 = 2.6667 ms. */
    const char *src[] = {"rate=800/s", "next=q1", NULL};
    const char *q1[] = {"service=uniform(0ms,2ms)", NULL};
    network net = {src, {q1, NULL}};
    int reps = reps_n();
    outcome out[MAX_REPS];
    run_reps(&net, reps, dur(200), 20, out);
    assert_covers("M/G/1 mean wait", ci_pick(out, reps, pick_wait0), 800 * (4.0 / 3.0) * 1e-6 / 0.4,
                  0, width(0.04));
}
END_TEST

START_TEST(test_tandem)
{
    /* Jackson tandem: lambda = 700/s through exp(1 ms) then exp(0.5 ms):
     * W = 1/(1000-700) + 1/(2000-700). */
    const char *src[] = {"rate=700/s", "next=q1", NULL};
    const char *q1[] = {"service=exp(1ms)", "next=q2", NULL};
    const char *q2[] = {"service=exp(0.5ms)", NULL};
    network net = {src, {q1, q2, NULL}};
    int reps = reps_n();
    outcome out[MAX_REPS];
    run_reps(&net, reps, dur(100), 10, out);
    assert_covers("tandem mean response", ci_pick(out, reps, pick_mean),
                  1.0 / 300.0 + 1.0 / 1300.0, 0, width(0.03));
}
END_TEST

START_TEST(test_closed_mva)
{
    /* Closed network: N = 10 users, think exp(10 ms), one exp(1 ms) server. Exact mean value
     * analysis: R(n) = S (1 + Q(n-1)), X(n) = n / (Z + R(n)), Q(n) = X(n) R(n). */
    const char *src[] = {"arrival=closed", "population=10", "think=exp(10ms)", "next=q1", NULL};
    const char *q1[] = {"service=exp(1ms)", NULL};
    network net = {src, {q1, NULL}};
    double S = 0.001, Z = 0.010, Q = 0, R = 0, X = 0;
    for (int n = 1; n <= 10; n++) {
        R = S * (1 + Q);
        X = n / (Z + R);
        Q = X * R;
    }
    int reps = reps_n();
    outcome out[MAX_REPS];
    run_reps(&net, reps, dur(100), 10, out);
    assert_covers("closed network throughput (MVA)", ci_pick(out, reps, pick_tput), X, 0, width(0.01));
    assert_covers("closed network response (MVA)", ci_pick(out, reps, pick_mean), R, 0, width(0.03));
}
END_TEST

START_TEST(test_ci_coverage)
{
    /* Over many independent experiments (10 replications each of an M/M/1 at rho = 0.5,
     * mean response 2 ms), the 95% CI should cover the truth about 95% of the time. The
     * number of covering intervals K ~ Binomial(E, 0.95) when the intervals are right; the
     * test accepts K inside the central region of probability 1 - 0.001 of that binomial. */
    int experiments = test_quick() ? 100 : 1000;
    const char *src[] = {"rate=500/s", "next=q1", NULL};
    const char *q1[] = {"service=exp(1ms)", NULL};
    network net = {src, {q1, NULL}};
    int covered = 0;
    for (int e = 0; e < experiments; e++) {
        double v[10];
        for (int r = 0; r < 10; r++)
            v[r] = run_once(&net, (uint64_t)(e * 10 + r), 20.0, 2.0).latency_mean;
        ci c = ci_of(v, 10, 0.95);
        covered += fabs(c.mean - 0.002) <= c.half_width;
    }
    int lo = 0, hi = experiments;
    while (lo < experiments && gsl_cdf_binomial_P((unsigned)lo, 0.95, (unsigned)experiments) < 0.0005) lo++;
    while (hi > 0 && gsl_cdf_binomial_Q((unsigned)(hi - 1), 0.95, (unsigned)experiments) < 0.0005) hi--;
    ck_assert_msg(covered >= lo && covered <= hi,
                  "95%% CI covered the true mean in %d of %d experiments; expected %d..%d",
                  covered, experiments, lo, hi);
}
END_TEST

Suite *validation_suite(void)
{
    Suite *s = suite_create("validation");
    TCase *tc = tcase_create("closed_forms");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_mm1);
    tcase_add_test(tc, test_mmc);
    tcase_add_test(tc, test_md1);
    tcase_add_test(tc, test_mg1);
    tcase_add_test(tc, test_tandem);
    tcase_add_test(tc, test_closed_mva);
    tcase_add_test(tc, test_ci_coverage);
    suite_add_tcase(s, tc);
    return s;
}
