/* check_replication.c: the write side of a cluster: replication modes, lag, saturation,
 * failures and failover. Fixed seeds; bounds are exact, closed forms inside 99.9%
 * confidence intervals over replications, or margins derived in the comments.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "sim/confidence.h"
#include "tests/cluster_util.h"
#include "tests/test_util.h"

#define LEVEL 0.999
#define MAX_REPS 32

static double dur(double full) { return test_quick() ? full / 4 : full; }

/* Mean write latency (s) measured at the workload. */
static double write_mean(const rig *g) { return hist_mean(&g->app->latency[OP_WRITE]); }

/* ---- replication modes ------------------------------------------------------------------------ */

static double run_write_latency(const char *replication, const char *link, const char *sync_on)
{
    const char *app[] = {"rate=4000/s", "read_ratio=0.5", "keys=uniform(100k)", NULL};
    const char *db[] = {"replicas=2", replication, link, sync_on, "primary.max_connections=0", NULL};
    rig g;
    rig_start(&g, 7, 0, dur(20), 1, app, db);
    rig_run_until(&g, g.s.cfg.duration);
    double m = write_mean(&g);
    ck_assert_uint_eq(g.app->failed, 0);
    rig_fini(&g);
    return m;
}

START_TEST(test_sync_costs_a_round_trip)
{
    /* Constant 0.5 ms links, confirmation on receipt: under sync every write waits exactly
     * one round trip (1 ms) more than under async. Common random numbers make arrivals and
     * service times identical, so the means differ by 1 ms up to the few writes whose
     * acknowledgement straddles the warm-up or the end (~4 of ~40000, each < 10 ms: a shift
     * below 0.002 ms). */
    double async = run_write_latency("replication=async", "replica.link=const(0.5ms)", "sync_on=receive");
    double sync = run_write_latency("replication=sync", "replica.link=const(0.5ms)", "sync_on=receive");
    ck_assert_msg(fabs((sync - async) - 0.001) < 2e-6, "sync - async = %.9g s", sync - async);
}
END_TEST

START_TEST(test_semi_sync_between)
{
    /* Confirmation on apply (apply times exp(0.1 ms) at each replica): every non-async write
     * waits the round trip (1 ms) plus an apply wait; semi-sync(1) waits for the faster of
     * two replicas, sync for the slower. So async + 1 ms <= semi-sync < sync; the gap
     * between semi and sync is E[max - min] of two apply sojourns (~0.15 ms), far above
     * the edge effects (< 0.002 ms). */
    const char *link = "replica.link=const(0.5ms)";
    double async = run_write_latency("replication=async", link, "sync_on=apply");
    double semi = run_write_latency("replication=semi-sync(1, 10s)", link, "sync_on=apply");
    double sync = run_write_latency("replication=sync", link, "sync_on=apply");
    ck_assert_msg(semi - async >= 0.001 - 2e-6, "semi - async = %.9g s", semi - async);
    ck_assert_msg(sync - semi >= 0.00005, "sync - semi = %.9g s", sync - semi);
}
END_TEST

START_TEST(test_semi_sync_fallback)
{
    /* semi-sync(1, 50ms) with one replica that crashes at 3 s: the oldest waiting write
     * times out 50 ms later and the primary falls back to async (one fallback); writes then
     * complete at once. The replica recovers at 5 s, catches up, and semi-sync resumes:
     * writes wait a round trip again. */
    const char *app[] = {"rate=1000/s", "read_ratio=0", NULL};
    const char *db[] = {"replicas=1", "replication=semi-sync(1, 50ms)", "replica.link=const(1ms)",
                        "primary.write_time=const(1ms)", NULL};
    rig g;
    rig_start(&g, 5, 0, 10, 0, app, db);
    rig_run_until(&g, 3);
    ck_assert(g.db->sync.fallback == 0);
    rig_control(&g, "crash", "replica.1", 0);
    rig_run_until(&g, 3.049);
    ck_assert(g.db->sync.fallback == 0);
    ck_assert_uint_gt(g.db->sync.waiting, 10);
    rig_run_until(&g, 3.051);
    ck_assert(g.db->sync.fallback == 1);
    ck_assert_uint_eq(g.db->sync.waiting, 0);
    ck_assert_uint_eq(g.db->fallbacks, 1);
    rig_run_until(&g, 5);
    ck_assert_uint_eq(g.db->sync.waiting, 0); /* async meanwhile */
    rig_control(&g, "recover", "replica.1", 0);
    rig_run_until(&g, 6);
    ck_assert(g.db->sync.fallback == 0);
    hist_reset(&g.app->latency[OP_WRITE]);
    rig_run_until(&g, 8);
    /* const(1ms) write + 2 ms round trip, no queueing below 1 ms service at 1000/s... */
    ck_assert(g.app->latency[OP_WRITE].min >= 0.003 - 1e-9);
    ck_assert_uint_eq(g.db->fallbacks, 1);
    rig_report(&g);
    ck_assert(rig_value(&g, "semi_sync_fallbacks") == 1);
    rig_fini(&g);
}
END_TEST

/* ---- lag ---------------------------------------------------------------------------------------- */

/* Mean lag (s) of one run: writes only at `rate`, link const(0.5ms), one apply worker with
 * exp(0.2ms). */
static double run_lag(const char *rate, uint64_t rep, double duration)
{
    const char *app[] = {rate, "read_ratio=0", NULL};
    const char *db[] = {"replicas=1", "replica.link=const(0.5ms)", "replica.apply_time=exp(0.2ms)",
                        "primary.max_connections=0", NULL};
    rig g;
    rig_start(&g, 20261121, rep, duration, 2, app, db);
    rig_run_until(&g, duration);
    rig_report(&g);
    const hist *lag = report_get_hist(&g.out, "lag");
    ck_assert_ptr_nonnull(lag);
    double m = hist_mean(lag);
    ck_assert(rig_value(&g, "lag_max_ms.db.replica.1") == lag->max * 1e3);
    rig_fini(&g);
    return m;
}

static ci lag_ci(const char *rate, int reps, double duration)
{
    double v[MAX_REPS];
    for (int r = 0; r < reps; r++) v[r] = run_lag(rate, (uint64_t)r, duration);
    return ci_of(v, (size_t)reps, LEVEL);
}

START_TEST(test_lag_grows_with_write_rate)
{
    /* Commits leave an M/M/8 primary (Poisson writes, exponential write times, no
     * connection limit): by Burke's theorem they form a Poisson stream, shifted by the
     * constant link. The single apply worker is then M/M/1 with mu = 5000/s, so the mean
     * lag is 0.5 ms + 1 / (mu - lambda): 0.75 ms at 1000 writes/s, 1.0 ms at 3000/s. Both
     * must lie in the 99.9% CI over replications, the CIs must be narrow (< 3%), and the
     * higher rate lags more, beyond both intervals. */
    int reps = test_quick() ? 5 : 10;
    double d = test_quick() ? 6 : 20;
    ci lo = lag_ci("rate=1000/s", reps, d);
    ci hi = lag_ci("rate=3000/s", reps, d);
    ck_assert_msg(fabs(lo.mean - 0.00075) <= lo.half_width, "lag at 1000/s: %.6g +- %.3g, theory 0.75 ms",
                  lo.mean, lo.half_width);
    ck_assert_msg(fabs(hi.mean - 0.001) <= hi.half_width, "lag at 3000/s: %.6g +- %.3g, theory 1 ms",
                  hi.mean, hi.half_width);
    double width = test_quick() ? 0.08 : 0.03;
    ck_assert(lo.half_width <= width * 0.00075 && hi.half_width <= width * 0.001);
    ck_assert(lo.mean > 0.0);
    ck_assert(hi.mean - hi.half_width > lo.mean + lo.half_width);
}
END_TEST

static double run_link_lag(uint64_t rep, double duration)
{
    const char *app[] = {"rate=1000/s", "read_ratio=0", NULL};
    const char *db[] = {"replicas=1", "replica.link=const(0)", "replica.apply_time=const(0)",
                        "replica.link_bandwidth=2M/s", "wal_record_size=1000B",
                        "primary.max_connections=0", NULL};
    rig g;
    rig_start(&g, 77, rep, duration, 2, app, db);
    rig_run_until(&g, duration);
    rig_report(&g);
    const hist *lag = report_get_hist(&g.out, "lag");
    ck_assert_ptr_nonnull(lag);
    double m = hist_mean(lag);
    ck_assert(lag->min >= 0.0005 - 1e-12); /* every record spends its transmission time */
    rig_fini(&g);
    return m;
}

START_TEST(test_link_bandwidth)
{
    /* 1000-byte records on a 2 MB/s link: 0.5 ms each, serialised in LSN order. With
     * Poisson commits (Burke, as above), no propagation delay and instant apply, the lag is
     * the M/D/1 sojourn on the link: S + rho S / (2 (1 - rho)) = 0.5 + 0.25 = 0.75 ms. */
    int reps = test_quick() ? 5 : 10;
    double d = test_quick() ? 6 : 20;
    double v[MAX_REPS];
    for (int r = 0; r < reps; r++) v[r] = run_link_lag((uint64_t)r, d);
    ci c = ci_of(v, (size_t)reps, LEVEL);
    ck_assert_msg(fabs(c.mean - 0.00075) <= c.half_width, "link lag %.6g +- %.3g, theory 0.75 ms",
                  c.mean, c.half_width);
    ck_assert(c.half_width <= (test_quick() ? 0.08 : 0.03) * 0.00075);
}
END_TEST

START_TEST(test_zero_lag)
{
    /* No link delay and instant apply: every record is visible at its commit instant. */
    const char *app[] = {"rate=2000/s", "read_ratio=0.5", NULL};
    const char *db[] = {"replicas=2", "replica.link=const(0)", "replica.apply_time=const(0)", NULL};
    rig g;
    rig_start(&g, 3, 0, 5, 1, app, db);
    rig_run_until(&g, 5);
    rig_report(&g);
    const hist *lag = report_get_hist(&g.out, "lag");
    ck_assert_ptr_nonnull(lag);
    ck_assert_uint_gt(lag->count, 7000); /* ~1000 writes/s x 4 s x 2 replicas */
    ck_assert(lag->max == 0.0 && lag->sum == 0.0);
    ck_assert(rig_value(&g, "stale_reads") == 0);
    rig_fini(&g);
}
END_TEST

/* The apply station of replica 1. */
static station *apply_station(const rig *g, const char *replica)
{
    char name[64];
    snprintf(name, sizeof name, "db.%s.apply", replica);
    station *st = sim_find_station(&g->s, name);
    ck_assert_ptr_nonnull(st);
    return st;
}

START_TEST(test_lag_without_bound)
{
    /* 6000 writes/s against one apply worker at exp(0.2ms) (5000 records/s): the backlog
     * grows by ~1000 records/s, so the age of the oldest unapplied record grows like
     * t (1 - 5000/6000) = t/6: ~0.83 s at 5 s, ~1.67 s at 10 s (fluctuations ~sqrt(11000 t)
     * records, i.e. < 0.1 s). The apply station's offered load is 1.2. With four workers
     * the same load is 0.3 and the lag stays in milliseconds. */
    const char *app[] = {"rate=6000/s", "read_ratio=0", NULL};
    const char *one[] = {"replicas=1", "replica.apply_time=exp(0.2ms)", "primary.max_connections=0", NULL};
    rig g;
    rig_start(&g, 9, 0, 10, 1, app, one);
    rig_run_until(&g, 5);
    double lag5 = wal_replica_lag(g.db->reps[0]->wal);
    rig_run_until(&g, 10);
    double lag10 = wal_replica_lag(g.db->reps[0]->wal);
    ck_assert_msg(lag5 > 0.6 && lag10 > 1.4 && lag10 > 1.5 * lag5, "lag %g s at 5 s, %g s at 10 s", lag5, lag10);
    double load = station_offered_load(apply_station(&g, "replica.1"));
    ck_assert_msg(load >= 1.1, "offered load %g", load);
    rig_fini(&g);

    const char *four[] = {"replicas=1", "replica.apply_time=exp(0.2ms)", "replica.apply_workers=4",
                          "primary.max_connections=0", NULL};
    rig_start(&g, 9, 0, 10, 1, app, four);
    rig_run_until(&g, 10);
    ck_assert(wal_replica_lag(g.db->reps[0]->wal) < 0.05);
    load = station_offered_load(apply_station(&g, "replica.1"));
    ck_assert_msg(load < 0.35, "offered load %g", load);
    rig_report(&g);
    ck_assert(rig_value(&g, "lag_max_ms.db.replica.1") < 50);
    rig_fini(&g);
}
END_TEST

START_TEST(test_backlog_cap_fails_clearly)
{
    const char *app[] = {"rate=6000/s", "read_ratio=0", NULL};
    const char *db[] = {"replicas=1", "replica.apply_time=exp(0.2ms)", "max_wal_backlog=2000",
                        "primary.max_connections=0", NULL};
    rig g;
    rig_start(&g, 9, 0, 30, 0, app, db);
    g.s.cfg.duration = 30;
    ck_assert_int_eq(sim_run(&g.s), -1);
    ck_assert_msg(strstr(g.s.error, "replica db.replica.1 cannot keep up: WAL backlog over 2000 records")
                  && strstr(g.s.error, "apply capacity 5000 records/s (1 apply_workers / mean "
                                       "apply_time 0.2 ms) is below the write rate"),
                  "%s", g.s.error);
    ck_assert(g.s.now < 5.0); /* ~2 s of growth at 1000 records/s */
    rig_fini(&g);

    /* A replica that stays down holds the WAL too. */
    const char *app2[] = {"rate=2000/s", "read_ratio=0", NULL};
    const char *db2[] = {"replicas=1", "max_wal_backlog=1000", NULL};
    rig_start(&g, 9, 0, 30, 0, app2, db2);
    rig_run_until(&g, 2);
    rig_control(&g, "crash", "replica.1", 0);
    g.s.cfg.duration = 30;
    ck_assert_int_eq(sim_run(&g.s), -1);
    ck_assert_msg(strstr(g.s.error, "replica db.replica.1 has been down since t = 2 s"), "%s", g.s.error);
    rig_fini(&g);
}
END_TEST

/* ---- failures ----------------------------------------------------------------------------------- */

typedef struct failover_outcome {
    double lost;           /* lost_writes */
    double failovers;      /* promotions */
    double outage_failed;  /* requests failed for lack of a primary */
    double outage_waited;  /* requests held */
    uint64_t failed;       /* failures seen by the workload */
    uint64_t crash_failed; /* requests failed at the old primary by its crash */
    uint64_t completed_after; /* completions after the promotion */
} failover_outcome;

/* 3000 writes/s (+ reads), link const(5ms): ~15 records on the wire at any time. The
 * primary crashes at 5 s; promotion after failover_delay = 1 s; the run ends at 9 s. */
static failover_outcome run_failover(const char *replication, const char *outage)
{
    const char *app[] = {"rate=6000/s", "read_ratio=0.5", "keys=uniform(1000)", NULL};
    const char *db[] = {"replicas=2", replication, outage, "failover_delay=1s",
                        "replica.link=const(5ms)", "primary.max_connections=0",
                        "replica.max_connections=0", NULL};
    rig g;
    rig_start(&g, 17, 0, 9, 1, app, db);
    rig_run_until(&g, 5);
    station *old = g.db->primary;
    rig_control(&g, "crash", "primary", 0);
    ck_assert(g.db->primary_down);
    rig_run_until(&g, 6.0);
    ck_assert(!g.db->primary_down);
    ck_assert_ptr_ne(g.db->primary, old);
    /* At the promotion (6 s: the chosen replica had long applied what it received), the
     * new primary holds exactly the committed versions; every replica left holds a prefix
     * of them. */
    cluster *c = g.db;
    cluster_replica *promoted = NULL;
    for (size_t i = 0; i < c->n_reps; i++)
        if (c->reps[i]->node == c->primary) promoted = c->reps[i];
    ck_assert_ptr_nonnull(promoted);
    ck_assert(!promoted->wal->attached);
    for (uint32_t s = 0; s < c->keys.n; s++) {
        ck_assert_uint_eq(keyview_get(&promoted->wal->view, s), c->keys.version[s]);
        for (size_t i = 0; i < c->n_reps; i++)
            if (c->reps[i]->wal->attached)
                ck_assert_uint_le(keyview_get(&c->reps[i]->wal->view, s), c->keys.version[s]);
    }
    uint64_t before = g.app->completed;
    rig_run_until(&g, 9);
    failover_outcome o;
    o.completed_after = g.app->completed - before;
    rig_report(&g);
    o.lost = rig_value(&g, "lost_writes");
    o.failovers = rig_value(&g, "failovers");
    o.outage_failed = rig_value(&g, "outage_failed");
    o.outage_waited = rig_value(&g, "outage_waited");
    o.failed = g.app->failed;
    o.crash_failed = ((node *)old)->crash_failed;
    rig_fini(&g);
    return o;
}

START_TEST(test_failover_async_loses_writes)
{
    /* Async: writes acknowledged in the last 5 ms before the crash had not reached any
     * replica (~15 expected: P(none) = e^-15). They are lost. */
    failover_outcome o = run_failover("replication=async", "outage=fail");
    ck_assert_msg(o.lost > 0, "no lost writes");
    ck_assert(o.failovers == 1);
    ck_assert(o.outage_failed > 1000); /* ~1 s of writes at 3000/s */
    ck_assert(o.completed_after > 10000);
}
END_TEST

START_TEST(test_failover_sync_loses_nothing)
{
    /* Sync: a write is acknowledged only after every replica received it. */
    failover_outcome o = run_failover("replication=sync", "outage=fail");
    ck_assert(o.lost == 0);
    ck_assert(o.failovers == 1);
    ck_assert(o.completed_after > 10000);
}
END_TEST

START_TEST(test_failover_outage_wait)
{
    /* outage = wait: nothing fails for want of a primary; requests wait and complete after
     * the promotion. Failures are only the requests at the primary when it crashed. (With
     * a connection limit on the new primary, the ~3000 held writes arriving at once at the
     * promotion would be refused beyond it: unlimited here.) */
    failover_outcome o = run_failover("replication=async", "outage=wait");
    ck_assert(o.outage_failed == 0);
    ck_assert(o.outage_waited > 1000);
    ck_assert_uint_eq(o.failed, o.crash_failed);
    ck_assert(o.lost > 0);
}
END_TEST

START_TEST(test_replica_crash_lag_spike)
{
    /* Replica 1 is down from 4 s to 6 s: no read goes to it meanwhile, and the records
     * committed right after 4 s become visible only after 6 s: its largest lag is at
     * least ~2 s, while replica 2 stays at milliseconds. */
    const char *app[] = {"rate=2000/s", "read_ratio=0.5", NULL};
    const char *db[] = {"replicas=2", NULL};
    rig g;
    rig_start(&g, 23, 0, 10, 1, app, db);
    rig_run_until(&g, 4);
    rig_control(&g, "crash", "replica.1", 0);
    uint64_t reads_before = rig_node(&g, "db.replica.1")->seen[OP_READ];
    rig_run_until(&g, 6);
    ck_assert_uint_eq(rig_node(&g, "db.replica.1")->seen[OP_READ], reads_before);
    ck_assert_uint_eq(rig_node(&g, "db.replica.1")->down_refused, 0);
    rig_control(&g, "recover", "replica.1", 0);
    rig_run_until(&g, 10);
    rig_report(&g);
    double spike = rig_value(&g, "lag_max_ms.db.replica.1");
    ck_assert_msg(spike >= 1990 && spike < 2100, "replica 1 lag max %g ms", spike);
    ck_assert(rig_value(&g, "lag_max_ms.db.replica.2") < 50);
    ck_assert(wal_replica_lag(g.db->reps[0]->wal) < 0.05); /* caught up */
    ck_assert_uint_gt(rig_node(&g, "db.replica.1")->seen[OP_READ], reads_before + 1000);
    assert_little_everywhere(&g.s);
    rig_fini(&g);
}
END_TEST

START_TEST(test_add_replica)
{
    /* A replica added at 3 s starts from the current state: it serves reads at once with
     * the staleness of an ordinary replica (its view is a copy of the committed versions). */
    const char *app[] = {"rate=2000/s", "read_ratio=0.9", "keys=uniform(500)", NULL};
    const char *db[] = {"replicas=1", NULL};
    rig g;
    rig_start(&g, 29, 0, 6, 0, app, db);
    rig_run_until(&g, 3);
    rig_control(&g, "add-replica", "", 0);
    ck_assert_uint_eq(g.db->n_reps, 2);
    ck_assert_ptr_nonnull(cluster_replica_by_number(g.db, 2));
    rig_run_until(&g, 6);
    node *n2 = rig_node(&g, "db.replica.2");
    node *n1 = rig_node(&g, "db.replica.1");
    /* round-robin since 3 s: the new one gets about half of the later reads */
    ck_assert_uint_gt(n2->seen[OP_READ], 2000);
    ck_assert_uint_gt(n1->seen[OP_READ], n2->seen[OP_READ]);
    rig_report(&g);
    ck_assert(rig_value(&g, "applied.db.replica.2") > 500);
    ck_assert(rig_value(&g, "lag_max_ms.db.replica.2") < 50);
    double stale = rig_value(&g, "stale_reads"), reads = rig_value(&g, "replica_reads");
    ck_assert(stale < 0.05 * reads);
    rig_fini(&g);
}
END_TEST

START_TEST(test_primary_recovers_before_failover)
{
    /* Crash and recovery within failover_delay: no promotion, nothing lost, the replicas
     * catch up from where the WAL stopped. */
    const char *app[] = {"rate=2000/s", "read_ratio=0.5", NULL};
    const char *db[] = {"replicas=2", "failover_delay=5s", NULL};
    rig g;
    rig_start(&g, 31, 0, 6, 0, app, db);
    station *p = g.db->primary;
    rig_run_until(&g, 2);
    rig_control(&g, "crash", "primary", 0);
    rig_run_until(&g, 3);
    rig_control(&g, "recover", "primary", 0);
    rig_run_until(&g, 6);
    ck_assert_ptr_eq(g.db->primary, p);
    rig_report(&g);
    ck_assert(rig_value(&g, "lost_writes") == 0 && rig_value(&g, "failovers") == 0);
    ck_assert(rig_value(&g, "outage_failed") > 500);
    for (size_t i = 0; i < 2; i++) ck_assert(g.db->reps[i]->wal->visible + 50 > g.db->wal.head);
    rig_fini(&g);
}
END_TEST

Suite *replication_suite(void)
{
    Suite *s = suite_create("replication");
    TCase *modes = tcase_create("modes");
    tcase_set_timeout(modes, TEST_STAT_TIMEOUT);
    tcase_add_test(modes, test_sync_costs_a_round_trip);
    tcase_add_test(modes, test_semi_sync_between);
    tcase_add_test(modes, test_semi_sync_fallback);
    suite_add_tcase(s, modes);
    TCase *lag = tcase_create("lag");
    tcase_set_timeout(lag, TEST_STAT_TIMEOUT);
    tcase_add_test(lag, test_lag_grows_with_write_rate);
    tcase_add_test(lag, test_link_bandwidth);
    tcase_add_test(lag, test_zero_lag);
    tcase_add_test(lag, test_lag_without_bound);
    tcase_add_test(lag, test_backlog_cap_fails_clearly);
    suite_add_tcase(s, lag);
    TCase *fail = tcase_create("failures");
    tcase_set_timeout(fail, TEST_STAT_TIMEOUT);
    tcase_add_test(fail, test_failover_async_loses_writes);
    tcase_add_test(fail, test_failover_sync_loses_nothing);
    tcase_add_test(fail, test_failover_outage_wait);
    tcase_add_test(fail, test_replica_crash_lag_spike);
    tcase_add_test(fail, test_add_replica);
    tcase_add_test(fail, test_primary_recovers_before_failover);
    suite_add_tcase(s, fail);
    return s;
}
