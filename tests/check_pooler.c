/* check_pooler.c: the connection pooler and the application-side pools.
 *
 * Exact cases (constant times, so every event time is known) assert counts and waits:
 * the server-connection pool on its own (FIFO hand-over, lazy opening, ring growth);
 * max_client_conn refusing the (M+1)th concurrent client, M+5 users giving exactly 35
 * refusals in 0.99 s; refusals of the node passing back through the pooler; session mode
 * pinning a server connection for the session and handing it over when the session ends;
 * zero pool wait when pool_size covers the concurrency; a single-threaded pooler with
 * constant overhead completing exactly one request per overhead; the app_pool's
 * round-robin by user, lazy connection opening and waits. Load cases check that the node
 * never sees more than pool_size connections (in every mode, behind an app_pool, and
 * behind both tiers), with Little's law on every station.
 * Statistical cases use fixed seeds: the pool wait of a pooler (and of an app_pool) whose
 * connections are held for an exponential node time is the M/M/c queue's wait (Erlang C),
 * checked in 99.9% Student-t intervals over replications that must also be narrow; a
 * single-threaded pooler under overload completes requests at 1 / mean overhead, the
 * count inside the central 99.9% of its exact Poisson law, and reports offered load >= 1.
 * Little's law is checked on every station of the stable statistical runs.
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "models/app_pool.h"
#include "models/clients.h"
#include "models/node.h"
#include "models/pooler.h"
#include "sim/confidence.h"
#include "sim/report.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

#define LEVEL 0.999
#define MAX_REPS 32
#define MB 1048576.0
#define EPS 1e-9

/* ---- helpers ------------------------------------------------------------------------- */

/* L = X W on every station with enough departures (the edge effect of requests present
 * at the two ends of the measured period is far below 1% here). */
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

/* The named value a station reports at the end of the run (NAN when absent). */
static double reported(station *st, const char *name)
{
    report r;
    report_init(&r);
    st->ops->report(st, &r);
    double v = report_get(&r, name);
    report_fini(&r);
    return v;
}

/* The named value a station writes at a time-series sample. */
static double sampled(station *st, const char *name)
{
    report r;
    report_init(&r);
    st->ops->sample(st, &r);
    double v = report_get(&r, name);
    report_fini(&r);
    return v;
}

static double erlang_c(int c, double a)
{
    double term = 1.0, sum = 1.0;
    for (int k = 1; k < c; k++) {
        term *= a / k;
        sum += term;
    }
    double last = term * a / c;
    double top = last / (1.0 - a / c);
    return top / (sum + top);
}

/* Asserts truth inside the CI and the CI narrower than max_rel of the truth. */
static void assert_covers(const char *what, ci c, double truth, double max_rel)
{
    ck_assert_msg(fabs(c.mean - truth) <= c.half_width,
                  "%s: theory %.6g outside simulation %.6g +- %.3g (99.9%% CI, n=%zu)", what,
                  truth, c.mean, c.half_width, c.n);
    ck_assert_msg(c.half_width <= max_rel * truth,
                  "%s: CI half-width %.3g is wider than %.1f%% of %.6g", what, c.half_width,
                  100 * max_rel, truth);
}

static void run(sim *s)
{
    ck_assert_int_eq(sim_start(s), 0);
    ck_assert_int_eq(sim_run(s), 0);
}

/* ---- options and the connection pool on its own -------------------------------------- */

START_TEST(test_options)
{
    char err[256];
    pooler_config c = {0};
    ck_assert_int_eq(opt_defaults(pooler_kind.options, &c, err, sizeof err), 0);
    ck_assert_int_eq(c.mode, POOLER_TRANSACTION);
    ck_assert_int_eq(c.pool_size, 20);
    ck_assert_int_eq(c.min_pool_size, 0);
    ck_assert_int_eq(c.max_client_conn, 100);
    ck_assert_int_eq(c.threads, 1);
    ck_assert_double_eq_tol(dist_mean(&c.overhead), 20e-6, 1e-18);
    ck_assert_double_eq_tol(dist_mean(&c.connect_time), 3e-3, 1e-15);
    ck_assert_double_eq(dist_mean(&c.session_time), 0.0);
    ck_assert_double_eq(c.client_conn_memory, 2048.0);
    ck_assert_ptr_null(c.next);
    ck_assert_int_eq(pooler_kind.validate(&c, err, sizeof err), 0);
    ck_assert_int_eq(opt_set(opt_find(pooler_kind.options, "min_pool_size"), &c, "21", ".", err,
                             sizeof err), 0);
    ck_assert_int_eq(pooler_kind.validate(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "min_pool_size 21 is more than pool_size 20");
    ck_assert_int_eq(opt_set(opt_find(pooler_kind.options, "mode"), &c, "session", ".", err,
                             sizeof err), 0);
    ck_assert_int_eq(c.mode, POOLER_SESSION);
    ck_assert_int_eq(opt_set(opt_find(pooler_kind.options, "mode"), &c, "sessions", ".", err,
                             sizeof err), -1);
    opt_release(pooler_kind.options, &c);

    app_pool_config a = {0};
    ck_assert_int_eq(opt_defaults(app_pool_kind.options, &a, err, sizeof err), 0);
    ck_assert_int_eq(a.app_servers, 4);
    ck_assert_int_eq(a.app_pool, 10);
    ck_assert_int_eq(a.min_app_pool, 0);
    ck_assert_int_eq(app_pool_kind.validate(&a, err, sizeof err), 0);
    a.min_app_pool = 11;
    ck_assert_int_eq(app_pool_kind.validate(&a, err, sizeof err), -1);
    ck_assert_str_eq(err, "min_app_pool 11 is more than app_pool 10");
    opt_release(app_pool_kind.options, &a);
}
END_TEST

START_TEST(test_conns)
{
    /* Pool of 3, one open. 40 requests ask at t = 0..39: the first gets the open one; the
     * next two are queued and each starts an opening (pool may grow to 3); the rest only
     * queue (ring grows past 16). Openings finish at 100 and 101: they go to requests 1
     * and 2. Releases at 200, 201, ... hand the connection to 3, 4, ... in order, the
     * waits being release time minus request time. */
    pooler_conns pc;
    request rq[40];
    ck_assert_int_eq(pooler_conns_init(&pc, 3, 1, 0.0), 0);
    for (int i = 0; i < 40; i++) {
        int must_open;
        int got = pooler_conns_acquire(&pc, &rq[i], (double)i, &must_open);
        ck_assert_int_eq(got, i == 0 ? 1 : 0);
        ck_assert_int_eq(must_open, (i == 1 || i == 2));
    }
    ck_assert_int_eq(pc.opening, 2);
    ck_assert_uint_eq(pc.waiting, 39);
    double wait;
    ck_assert_ptr_eq(pooler_conns_opened(&pc, 100.0, &wait), &rq[1]);
    ck_assert_double_eq(wait, 99.0);
    ck_assert_ptr_eq(pooler_conns_opened(&pc, 101.0, &wait), &rq[2]);
    ck_assert_double_eq(wait, 99.0);
    ck_assert_int_eq(pc.open, 3);
    ck_assert_int_eq(pc.in_use, 3);
    ck_assert_uint_eq(pc.opens, 2);
    for (int i = 3; i < 40; i++) {
        ck_assert_ptr_eq(pooler_conns_release(&pc, 200.0 + i, &wait), &rq[i]);
        ck_assert_double_eq(wait, 200.0);
    }
    ck_assert_ptr_null(pooler_conns_release(&pc, 300.0, &wait));
    ck_assert_int_eq(pc.in_use, 2);
    ck_assert_double_eq(timeavg_max(&pc.use), 3.0);
    /* an idle connection is taken at once, with no opening */
    int must_open;
    ck_assert_int_eq(pooler_conns_acquire(&pc, &rq[0], 301.0, &must_open), 1);
    ck_assert_int_eq(must_open, 0);
    pooler_conns_fini(&pc);
}
END_TEST

/* ---- client connections -------------------------------------------------------------- */

START_TEST(test_max_client_conn)
{
    /* M + 5 closed users, think const(125 ms), node CPU const(10 s): at 0.125 s the first
     * M users get client connections and the last 5 are refused by the pooler; the 5 retry
     * at 0.25, ..., 0.875 s: 7 x 5 = 35 refusals by 0.99 s. With pool_size P < M the node
     * holds P and M - P wait in the pooler. Checked in each mode. */
    static const struct { const char *mode; int64_t m, p; } cases[] = {
        {"transaction", 10, 10}, {"transaction", 10, 4}, {"session", 10, 4}, {"statement", 3, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t m = cases[k].m, p = cases[k].p;
        char pop[32], maxc[32], pool[32], mode[32];
        snprintf(pop, sizeof pop, "population=%lld", (long long)(m + 5));
        snprintf(maxc, sizeof maxc, "max_client_conn=%lld", (long long)m);
        snprintf(pool, sizeof pool, "pool_size=%lld", (long long)p);
        snprintf(mode, sizeof mode, "mode=%s", cases[k].mode);
        sim s;
        sim_config cfg = test_config(7, 0, 0.99, 0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        const char *src_set[] = {"arrival=closed", pop, "think=const(125ms)", "next=pool", NULL};
        const char *pool_set[] = {mode, maxc, pool, "overhead=const(10us)", "session_time=exp(1s)",
                                  "next=db", NULL};
        const char *db_set[] = {"cores=16", "max_connections=0", "read_time=const(10s)", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *pl = test_add_station(&s, &pooler_kind, "pool", pool_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        run(&s);
        ck_assert_uint_eq(pl->stats.arrivals, (uint64_t)m);
        ck_assert_uint_eq(pl->stats.refused, 35);
        ck_assert_uint_eq(src->failed, 35);
        ck_assert_uint_eq(src->completed, 0);
        ck_assert_int_eq(pooler_client_connections(pl), m);
        ck_assert_int_eq(pooler_server_connections(pl), p);
        ck_assert_int_eq(node_connections(db), p);
        ck_assert_uint_eq(((pooler *)pl)->conns.waiting, (size_t)(m - p));
        ck_assert_double_eq(reported(pl, "client_conn_peak.pool"), (double)m);
        ck_assert_double_eq(reported(pl, "client_conn_memory_peak_mb.pool"), 2048.0 * (double)m / MB);
        ck_assert_double_eq(reported(pl, "client_refused.pool"), 35.0);
        ck_assert_double_eq(reported(pl, "server_conn_peak.pool"), (double)p);
        ck_assert_double_eq(reported(pl, "server_conns_open.pool"), (double)p);
        ck_assert_double_eq(sampled(pl, "ts.client_conn_pool"), (double)m);
        ck_assert_double_eq(sampled(pl, "ts.server_conn_pool"), (double)p);
        /* p requests got a connection after opening it: wait = connect_time, 3 ms */
        ck_assert_double_eq_tol(reported(pl, "pool_wait_mean_ms.pool"), 3.0, EPS);
        sim_fini(&s);
    }
}
END_TEST

START_TEST(test_node_refusal_passes_back)
{
    /* pool_size 10 > the node's max_connections 5: of 10 users arriving together the node
     * refuses 5 each round (7 rounds by 0.99 s), the pooler none; refused requests release
     * their server connection at once. */
    sim s;
    sim_config cfg = test_config(7, 0, 0.99, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=10", "think=const(125ms)", "next=pool",
                             NULL};
    const char *pool_set[] = {"pool_size=10", "min_pool_size=10", "overhead=const(0)",
                              "next=db", NULL};
    const char *db_set[] = {"cores=16", "max_connections=5", "read_time=const(10s)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *pl = test_add_station(&s, &pooler_kind, "pool", pool_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    run(&s);
    ck_assert_uint_eq(db->stats.refused, 35);
    ck_assert_uint_eq(pl->stats.refused, 0);
    ck_assert_uint_eq(src->failed, 35);
    ck_assert_int_eq(pooler_server_connections(pl), 5);
    ck_assert_double_eq(reported(pl, "server_conn_opens.pool"), 0.0);
    ck_assert_double_eq(reported(pl, "pool_wait_p99_ms.pool"), 0.0);
    /* overhead const(0): capacity unknown */
    ck_assert_double_eq(pl->stats.capacity_rate, 0.0);
    ck_assert_uint_eq(sim_in_flight(&s), 5);
    sim_fini(&s);
}
END_TEST

/* ---- session mode --------------------------------------------------------------------- */

typedef struct session_case {
    const char *mode;
    const char *session_time;
    uint64_t completed;     /* by 2.04 s */
    uint64_t waits;         /* requests that went to the pool */
    double wait_sum;        /* their waits (s) */
    double wait_max;
    size_t waiting_at_end;  /* still waiting for a server connection */
} session_case;

START_TEST(test_session_mode)
{
    /* pool_size 1 (open from the start), 2 closed users without think time, node CPU
     * const(100 ms), no overhead: one request on the node at a time, 20 completions by
     * 2.04 s in every case.
     * - transaction: the users alternate; each request but the first waits 100 ms for the
     *   other's: 21 grants, 20 x 0.1 s of waiting.
     * - session, sessions of 10 s: user 0 keeps the connection; user 1's first request
     *   waits to the end; one grant (user 0's, no wait).
     * - session, sessions of 0.95 s: user 0 has it until its session ends after its reply
     *   at 1.0 s; user 1 (waiting since 0) gets it at 1.0 s, runs one request (its session
     *   ended too) and hands it at 1.1 s to user 0's new session (opened at 1.0 s, waited
     *   0.1 s), which ends at 1.95 s and hands it over after its reply at 2.0 s to user 1
     *   (waiting since 1.1 s): waits 0, 1.0, 0.1, 0.9.
     * In every case one request waits at the end (the other user's, or user 0's new one). */
    static const session_case cases[] = {
        {"transaction", "const(0)", 20, 21, 2.0, 0.1, 1},
        {"session", "const(10s)", 20, 1, 0.0, 0.0, 1},
        {"session", "const(0.95s)", 20, 4, 2.0, 1.0, 1},
        {"statement", "const(10s)", 20, 21, 2.0, 0.1, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const session_case *c = &cases[k];
        char mode[32], st_set[48];
        snprintf(mode, sizeof mode, "mode=%s", c->mode);
        snprintf(st_set, sizeof st_set, "session_time=%s", c->session_time);
        sim s;
        sim_config cfg = test_config(7, 0, 2.04, 0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        const char *src_set[] = {"arrival=closed", "population=2", "think=const(0)", "next=pool",
                                 NULL};
        const char *pool_set[] = {mode, st_set, "pool_size=1", "min_pool_size=1",
                                  "overhead=const(0)", "next=db", NULL};
        const char *db_set[] = {"cores=4", "read_time=const(100ms)", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *pl = test_add_station(&s, &pooler_kind, "pool", pool_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        run(&s);
        const pooler *p = (const pooler *)pl;
        ck_assert_msg(src->completed == c->completed, "%s %s: %llu completed", c->mode,
                      c->session_time, (unsigned long long)src->completed);
        ck_assert_uint_eq(p->wait.count, c->waits);
        ck_assert_double_eq_tol(p->wait.sum, c->wait_sum, EPS);
        ck_assert_double_eq_tol(p->wait.max, c->wait_max, EPS);
        ck_assert_uint_eq(p->conns.waiting, c->waiting_at_end);
        ck_assert_double_eq(reported(db, "conn_peak.db"), 1.0);
        ck_assert_int_eq(pooler_server_connections(pl), 1);
        ck_assert_double_eq(reported(pl, "client_conn_peak.pool"), 2.0);
        sim_fini(&s);
    }
}
END_TEST

/* ---- pool wait, saturation ------------------------------------------------------------- */

START_TEST(test_wait_zero_when_pool_covers)
{
    /* 20 closed users, pool_size >= 20: no request ever waits for a server connection
     * (a) when all are open from the start, (b) when they open lazily at no cost, (c) after
     * warm-up when they open lazily at 3 ms each (users without think time all arrive at 0,
     * so exactly 20 open, each first request waiting exactly 3 ms, all before warm-up). */
    static const struct { const char *pool, *min, *connect, *think; double warmup; } cases[] = {
        {"pool_size=20", "min_pool_size=20", "connect_time=const(3ms)", "think=exp(1ms)", 0},
        {"pool_size=30", "min_pool_size=0", "connect_time=const(0)", "think=exp(1ms)", 0},
        {"pool_size=30", "min_pool_size=0", "connect_time=const(3ms)", "think=const(0)", 0.5},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sim s;
        sim_config cfg = test_config(11, 0, 2.0, cases[k].warmup);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        const char *src_set[] = {"arrival=closed", "population=20", cases[k].think, "next=pool",
                                 NULL};
        const char *pool_set[] = {cases[k].pool, cases[k].min, cases[k].connect,
                                  "max_client_conn=0", "next=db", NULL};
        const char *db_set[] = {"cores=8", "read_time=exp(1ms)", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *pl = test_add_station(&s, &pooler_kind, "pool", pool_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        run(&s);
        const pooler *p = (const pooler *)pl;
        ck_assert_uint_gt(src->completed, 1000);
        /* every request completed got a connection (since warm-up, or just before it) */
        ck_assert_uint_ge(p->wait.count + 20, src->completed);
        ck_assert_double_eq(p->wait.max, 0.0);
        ck_assert_double_eq(reported(pl, "pool_wait_mean_ms.pool"), 0.0);
        ck_assert_double_eq(reported(pl, "pool_wait_p99_ms.pool"), 0.0);
        ck_assert_double_le(reported(db, "conn_peak.db"), 20.0);
        if (k == 2) {
            ck_assert_double_eq(reported(pl, "server_conns_open.pool"), 20.0);
            ck_assert_double_eq(reported(pl, "server_conn_opens.pool"), 0.0); /* since warm-up */
        }
        sim_fini(&s);
    }
}
END_TEST

START_TEST(test_single_thread_const)
{
    /* One thread, overhead const(20 us), 50 closed users without think time, a node far
     * faster than the pooler: the thread never idles and completes one request per 20 us:
     * 50000 by 1.00001 s. capacity_rate = threads / mean overhead. */
    static const struct { const char *threads; double cap; } cases[] = {{"threads=1", 50000},
                                                                         {"threads=4", 200000}};
    for (size_t k = 0; k < 2; k++) {
        sim s;
        sim_config cfg = test_config(7, 0, 1.00001, 0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        const char *src_set[] = {"arrival=closed", "population=50", "think=const(0)", "next=pool",
                                 NULL};
        const char *pool_set[] = {cases[k].threads, "overhead=const(20us)", "pool_size=50",
                                  "min_pool_size=50", "next=db", NULL};
        const char *db_set[] = {"cores=64", "max_connections=0", "read_time=const(1us)", NULL};
        test_add_station(&s, &clients_kind, "src", src_set);
        station *pl = test_add_station(&s, &pooler_kind, "pool", pool_set);
        test_add_station(&s, &node_kind, "db", db_set);
        run(&s);
        ck_assert_double_eq_tol(pl->stats.capacity_rate, cases[k].cap, 1e-6);
        ck_assert_double_eq(pl->stats.servers, k ? 4.0 : 1.0);
        if (k == 0) {
            ck_assert_uint_eq(((pooler *)pl)->served, 50000);
            ck_assert_double_eq_tol(station_utilisation(pl), 1.0, 1e-12);
        }
        sim_fini(&s);
    }
}
END_TEST

/* Poisson count n within the central 99.9% of Poisson(mu). */
static void assert_poisson(const char *what, double n, double mu, double slack)
{
    unsigned lo = (unsigned)floor(mu - 6 * sqrt(mu)), hi = (unsigned)ceil(mu + 6 * sqrt(mu));
    while (gsl_cdf_poisson_P(lo, mu) < 0.0005) lo++;
    while (gsl_cdf_poisson_Q(hi - 1, mu) < 0.0005) hi--;
    ck_assert_msg(n >= lo - slack && n <= hi + slack, "%s: %.0f outside %u..%u (+- %.0f)", what,
                  n, lo, hi, slack);
}

START_TEST(test_single_thread_saturates)
{
    /* Poisson arrivals at 60000/s into a one-thread pooler with overhead exp(20 us)
     * (capacity 50000/s); the pool (64) and the node (64 cores of exp(100 us)) are far
     * from their limits. After 1 s the thread's queue is thousands long and it never
     * idles, so its completions in the measured T s are Poisson(50000 T) (memoryless
     * services); the clients' completions differ from them by at most the 64 requests
     * downstream at either end. Offered load = arrivals / T / 50000, arrivals being
     * Poisson(60000 T): 1.2, reported >= 1 (saturated). */
    double duration = test_quick() ? 3 : 6, warmup = 1, T = duration - warmup;
    sim s;
    sim_config cfg = test_config(20261121, 0, duration, warmup);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"rate=60000/s", "next=pool", NULL};
    const char *pool_set[] = {"threads=1", "overhead=exp(20us)", "pool_size=64",
                              "max_client_conn=0", "next=db", NULL};
    const char *db_set[] = {"cores=64", "max_connections=0", "read_time=exp(100us)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *pl = test_add_station(&s, &pooler_kind, "pool", pool_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    run(&s);
    const pooler *p = (const pooler *)pl;
    ck_assert_uint_gt(p->cpu_queued, 1000);
    assert_poisson("pooler completions", (double)p->served, 50000 * T, 0);
    assert_poisson("client completions", (double)src->completed, 50000 * T, 64);
    assert_poisson("arrivals", (double)(pl->stats.arrivals + pl->stats.refused), 60000 * T, 0);
    double load = station_offered_load(pl);
    ck_assert_msg(load >= 1.0, "offered load %g below 1 under overload", load);
    ck_assert_double_eq_tol(station_utilisation(pl), 1.0, 1e-12);
    ck_assert_double_le(reported(db, "conn_peak.db"), 64.0);
    ck_assert_double_lt(station_offered_load(db), 0.2);
    sim_fini(&s);
}
END_TEST

/* ---- the node never sees more than pool_size ----------------------------------------- */

START_TEST(test_node_sees_pool_size)
{
    /* 100 closed users with little think time against a node with more cores than the
     * pool: the pool is always full, so the node's peak connection count is exactly the
     * pool size, never more, and with max_connections = that size it refuses nothing.
     * Also behind an app_pool (3 servers x 4) and behind both tiers (app_pool 3 x 10 ->
     * pooler 8). */
    typedef struct { const char *first; const char *const *a; const char *const *b;
                     double limit; } topo;
    static const char *tx[] = {"mode=transaction", "pool_size=12", "max_client_conn=0", "next=db", NULL};
    static const char *st[] = {"mode=statement", "pool_size=5", "max_client_conn=0", "next=db", NULL};
    static const char *se[] = {"mode=session", "pool_size=7", "session_time=exp(20ms)",
                               "max_client_conn=0", "next=db", NULL};
    static const char *ap[] = {"app_servers=3", "app_pool=4", "next=db", NULL};
    static const char *ap2[] = {"app_servers=3", "app_pool=10", "next=pool", NULL};
    static const char *p8[] = {"pool_size=8", "max_client_conn=30", "next=db", NULL};
    static const topo topos[] = {
        {"pool", tx, NULL, 12}, {"pool", st, NULL, 5}, {"pool", se, NULL, 7},
        {"app", ap, NULL, 12},  {"app", ap2, p8, 8},
    };
    for (size_t k = 0; k < sizeof topos / sizeof topos[0]; k++) {
        const topo *t = &topos[k];
        char maxc[48];
        snprintf(maxc, sizeof maxc, "max_connections=%g", t->limit);
        sim s;
        sim_config cfg = test_config(5, 0, 5.0, 0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        char next[32];
        snprintf(next, sizeof next, "next=%s", t->first);
        const char *src_set[] = {"arrival=closed", "population=100", "think=exp(1ms)", next, NULL};
        const char *db_set[] = {"cores=32", maxc, "read_time=exp(1ms)", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *first;
        if (t->b) {
            first = test_add_station(&s, &app_pool_kind, "app", t->a);
            station *pl = test_add_station(&s, &pooler_kind, "pool", t->b);
            (void)pl;
        } else {
            first = test_add_station(&s, strcmp(t->first, "app") ? &pooler_kind : &app_pool_kind,
                                     t->first, t->a);
        }
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        run(&s);
        ck_assert_double_eq(reported(db, "conn_peak.db"), t->limit);
        ck_assert_uint_eq(db->stats.refused, 0);
        ck_assert_uint_eq(src->failed, 0);
        ck_assert_uint_gt(src->completed, 1000);
        assert_little(&s);
        if (t->b) {
            station *pl = sim_find_station(&s, "pool");
            ck_assert_double_eq(reported(pl, "server_conn_peak.pool"), 8.0);
            ck_assert_double_le(reported(pl, "client_conn_peak.pool"), 30.0);
            ck_assert_uint_eq(pl->stats.refused, 0);
            ck_assert_double_eq(reported(first, "app_conn_peak.app"), 30.0);
        }
        (void)first;
        sim_fini(&s);
    }
}
END_TEST

/* ---- app_pool -------------------------------------------------------------------------- */

START_TEST(test_app_pool_exact)
{
    /* 2 app servers of 1 connection each (opened on demand, const(5 ms)), 4 closed users
     * without think time, node const(10 ms) with 8 cores. Users 0 and 2 share server 0,
     * users 1 and 3 server 1. Per server: the first request opens the connection and is
     * sent at 5 ms; then a request every 10 ms, alternating between the server's two
     * users: sends at 5, 15, ..., 95 ms (10), completions at 15, ..., 95 ms (9) by
     * 100.5 ms. Waits per server: 5 ms, 15 ms (the second user, since 0), then 10 ms
     * each: 100 ms in all. Latencies: 15 ms (the first), 25 ms (the second), 20 ms. */
    sim s;
    sim_config cfg = test_config(7, 0, 0.1005, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=4", "think=const(0)", "next=app", NULL};
    const char *app_set[] = {"app_servers=2", "app_pool=1", "connect_time=const(5ms)", "next=db",
                             NULL};
    const char *db_set[] = {"cores=8", "read_time=const(10ms)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *ap = test_add_station(&s, &app_pool_kind, "app", app_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    run(&s);
    const app_pool *a = (const app_pool *)ap;
    ck_assert_uint_eq(src->completed, 18);
    ck_assert_uint_eq(a->wait.count, 20);
    ck_assert_double_eq_tol(a->wait.sum, 0.2, EPS);
    ck_assert_double_eq_tol(a->wait.max, 0.015, EPS);
    ck_assert_double_eq_tol(a->wait.min, 0.005, EPS);
    ck_assert_double_eq_tol(src->latency_all.min, 0.015, EPS);
    ck_assert_double_eq_tol(src->latency_all.max, 0.025, EPS);
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(app_pool_in_use(ap, k), 1);
        ck_assert_int_eq(app_pool_open(ap, k), 1);
        ck_assert_uint_eq(a->pools[k].waiting, 1);
    }
    ck_assert_double_eq(reported(ap, "app_conn_opens.app"), 2.0);
    ck_assert_double_eq(reported(ap, "app_conns_open.app"), 2.0);
    ck_assert_double_eq(reported(ap, "app_conn_peak.app"), 2.0);
    ck_assert_double_eq_tol(reported(ap, "app_pool_wait_mean_ms.app"), 10.0, EPS);
    ck_assert_double_eq(sampled(ap, "ts.app_conn_app"), 2.0);
    ck_assert_double_eq(reported(db, "conn_peak.db"), 2.0);
    /* utilisation: connections in use over the 2 there are; both busy from 5 ms */
    ck_assert_double_eq_tol(station_utilisation(ap), (0.1005 - 0.005) / 0.1005, 1e-9);
    sim_fini(&s);
}
END_TEST

/* ---- statistical: pool waits are M/M/c waits ------------------------------------------ */

START_TEST(test_pool_wait_erlang)
{
    /* Poisson arrivals, no pooler overhead, c connections open from the start, each held
     * for one node CPU time exp(1 ms) on a node with a core per connection: the pool is
     * an M/M/c queue, so the pool wait has mean C(c, a) / (c mu - lambda) (Erlang C) and
     * is zero with probability 1 - C(c, a). The same for each server of an app_pool, whose
     * users (uniform per request) split the Poisson stream at random. */
    typedef struct { const char *kind; const char *rate; int c; double lambda; } wcase;
    static const wcase cases[] = {{"pooler", "rate=3200/s", 4, 3200}, {"app_pool", "rate=6400/s", 4, 3200}};
    int reps = test_quick() ? 8 : 10;
    double duration = test_quick() ? 25 : 60, warmup = 5;
    for (size_t k = 0; k < 2; k++) {
        const wcase *w = &cases[k];
        int pooled = strcmp(w->kind, "pooler") == 0;
        const char *src_set[] = {w->rate, "next=p", NULL};
        const char *pool_set[] = {"pool_size=4", "min_pool_size=4", "overhead=const(0)",
                                  "max_client_conn=0", "next=db", NULL};
        const char *app_set[] = {"app_servers=2", "app_pool=4", "min_app_pool=4", "next=db", NULL};
        const char *db_set[] = {"cores=8", "max_connections=0", "read_time=exp(1ms)", NULL};
        double mean[MAX_REPS], pwait[MAX_REPS], lat[MAX_REPS];
        for (int r = 0; r < reps; r++) {
            sim s;
            sim_config cfg = test_config(20261121, (uint64_t)r, duration, warmup);
            ck_assert_int_eq(sim_init(&s, &cfg), 0);
            clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
            station *p = test_add_station(&s, pooled ? &pooler_kind : &app_pool_kind, "p",
                                          pooled ? pool_set : app_set);
            test_add_station(&s, &node_kind, "db", db_set);
            run(&s);
            const hist *h = pooled ? &((pooler *)p)->wait : &((app_pool *)p)->wait;
            mean[r] = hist_mean(h);
            pwait[r] = 1.0 - (double)h->bins[HIST_UNDERFLOW] / (double)h->count;
            lat[r] = hist_mean(&src->latency_all);
            assert_little(&s);
            sim_fini(&s);
        }
        double C = erlang_c(w->c, w->lambda * 0.001);
        double wq = C / (w->c * 1000.0 - w->lambda);
        char what[96];
        double rel = test_quick() ? 0.2 : 0.08;
        snprintf(what, sizeof what, "%s: mean pool wait (M/M/4, a = 3.2)", w->kind);
        assert_covers(what, ci_of(mean, (size_t)reps, LEVEL), wq, rel);
        snprintf(what, sizeof what, "%s: probability of waiting (Erlang C)", w->kind);
        assert_covers(what, ci_of(pwait, (size_t)reps, LEVEL), C, rel / 2);
        snprintf(what, sizeof what, "%s: mean latency (Wq + 1 ms)", w->kind);
        assert_covers(what, ci_of(lat, (size_t)reps, LEVEL), wq + 0.001, rel / 2);
    }
}
END_TEST

Suite *pooler_suite(void)
{
    Suite *s = suite_create("pooler");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_conns);
    tcase_add_test(tc, test_max_client_conn);
    tcase_add_test(tc, test_node_refusal_passes_back);
    tcase_add_test(tc, test_session_mode);
    tcase_add_test(tc, test_wait_zero_when_pool_covers);
    tcase_add_test(tc, test_single_thread_const);
    tcase_add_test(tc, test_node_sees_pool_size);
    tcase_add_test(tc, test_app_pool_exact);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistical");
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    tcase_add_test(st, test_single_thread_saturates);
    tcase_add_test(st, test_pool_wait_erlang);
    suite_add_tcase(s, st);
    return s;
}
