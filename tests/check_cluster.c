/* check_cluster.c: the cluster's parts and its read side.
 *
 * Units: the replication and consistency options (parse, format, messages), keystate and
 * keyview, the WAL ring, the confirmation position, read routing. Behaviour (fixed seeds):
 * where reads go (read_from, round-robin shares exact, random within a binomial bound),
 * read-your-writes of both kinds gives no stale reads of a user's own writes while eventual
 * gives some, bounded(X) never gives a read to a replica lagging more than X, and Little's
 * law at every station (cluster, nodes, apply queues).
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "models/keystate.h"
#include "models/routing.h"
#include "models/syncrep.h"
#include "models/wal.h"
#include "tests/cluster_util.h"
#include "tests/test_util.h"

/* ---- options ------------------------------------------------------------------------------- */

START_TEST(test_replication_option)
{
    repl_mode m;
    char err[256], buf[64];
    ck_assert_int_eq(repl_mode_parse("async", &m, NULL, err, sizeof err), 0);
    ck_assert_int_eq(m.kind, REPL_ASYNC);
    ck_assert_int_eq(repl_mode_parse(" sync ", &m, NULL, err, sizeof err), 0);
    ck_assert_int_eq(m.kind, REPL_SYNC);
    ck_assert_int_eq(repl_mode_parse("semi-sync(2, 500ms)", &m, NULL, err, sizeof err), 0);
    ck_assert_int_eq(m.kind, REPL_SEMI_SYNC);
    ck_assert_int_eq(m.k, 2);
    ck_assert(m.timeout == 0.5);
    ck_assert_int_gt(repl_mode_format(&m, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "semi-sync(2, 500ms)");
    ck_assert_int_eq(repl_mode_parse("semi-sync", &m, NULL, err, sizeof err), 0);
    ck_assert(m.k == 1 && m.timeout == 10.0); /* MySQL's defaults */

    ck_assert_int_eq(repl_mode_parse("semisync", &m, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown replication mode 'semisync' in 'semisync' (did you mean "
                          "'semi-sync'? expected async, semi-sync(K, TIMEOUT), sync)");
    ck_assert_int_eq(repl_mode_parse("semi-sync(0, 1s)", &m, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "bad replica count '0' in 'semi-sync(0, 1s)' (expected a whole number from 1)");
    ck_assert_int_eq(repl_mode_parse("semi-sync(1, 10)", &m, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "bad timeout in 'semi-sync(1, 10)'"));
    ck_assert_int_eq(repl_mode_parse("semi-sync(1)", &m, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "semi-sync needs two arguments"));
    ck_assert_int_eq(repl_mode_parse("sync(1)", &m, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "'sync' takes no arguments in 'sync(1)'");
    ck_assert_int_eq(repl_mode_parse("semi-sync(1, 1s", &m, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "missing ')' at the end of 'semi-sync(1, 1s'");
}
END_TEST

START_TEST(test_consistency_option)
{
    static const struct {
        const char *text;     /* as written */
        int kind;             /* parsed kind */
        double bound;         /* parsed bound (s) */
        const char *canon;    /* formatted back */
    } ok[] = {
        {"eventual", CONSISTENCY_EVENTUAL, 0, "eventual"},
        {"monotonic", CONSISTENCY_MONOTONIC, 0, "monotonic"},
        {"read-your-writes(lsn)", CONSISTENCY_RYW_LSN, 0, "read-your-writes(lsn)"},
        {"read-your-writes( 5s )", CONSISTENCY_RYW_WINDOW, 5, "read-your-writes(5s)"},
        {"bounded(100ms)", CONSISTENCY_BOUNDED, 0.1, "bounded(100ms)"},
    };
    char err[256], buf[64];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        consistency c;
        ck_assert_msg(consistency_parse(ok[i].text, &c, NULL, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(c.kind, ok[i].kind);
        ck_assert(c.bound == ok[i].bound);
        ck_assert_int_gt(consistency_format(&c, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, ok[i].canon);
    }
    consistency c;
    ck_assert_int_eq(consistency_parse("eventually", &c, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown consistency 'eventually' in 'eventually' (did you mean "
                          "'eventual'? expected eventual, read-your-writes(WINDOW), "
                          "read-your-writes(lsn), monotonic, bounded(MAX_LAG))");
    ck_assert_int_eq(consistency_parse("bounded", &c, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "'bounded' needs one argument in 'bounded' (expected bounded(100ms))");
    ck_assert_int_eq(consistency_parse("read-your-writes(5)", &c, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "bad window in 'read-your-writes(5)'"));
    ck_assert_int_eq(consistency_parse("monotonic(1s)", &c, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "'monotonic' takes no arguments in 'monotonic(1s)'");
}
END_TEST

START_TEST(test_cluster_options_table)
{
    /* The node rows are reused under both prefixes; every default parses. */
    const opt_def *t = cluster_kind.options;
    ck_assert_ptr_nonnull(opt_find(t, "primary.cores"));
    ck_assert_ptr_nonnull(opt_find(t, "replica.read_time"));
    ck_assert_ptr_nonnull(opt_find(t, "replica.apply_time"));
    ck_assert_ptr_nonnull(opt_find(t, "replica.link_bandwidth"));
    cluster_config cfg;
    char err[256];
    memset(&cfg, 0, sizeof cfg);
    ck_assert_msg(opt_defaults(t, &cfg, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cfg.replicas, 1);
    ck_assert_int_eq(cfg.replication.kind, REPL_ASYNC);
    ck_assert_int_eq(cfg.consistency.kind, CONSISTENCY_EVENTUAL);
    ck_assert(cfg.failover_delay == 10.0);
    ck_assert(cfg.wal_record_size == 1024.0);
    ck_assert(dist_mean(&cfg.link) == 0.0005);
    ck_assert_int_eq(cfg.apply_workers, 1);
    ck_assert_int_eq(cfg.primary.cores, 8);
    ck_assert_int_eq(opt_set(opt_find(t, "replication"), &cfg, "semi-sync(1, 2s)", ".", err, sizeof err), 0);
    char buf[64];
    ck_assert_int_gt(opt_format(opt_find(t, "replication"), &cfg, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "semi-sync(1, 2s)");
    opt_release(t, &cfg);
}
END_TEST

/* ---- keystate, WAL ring, confirmation positions -------------------------------------------- */

START_TEST(test_keystate)
{
    keystate ks;
    keystate_init(&ks);
    ck_assert_uint_eq(keystate_find(&ks, 42), KEYSTATE_NONE);
    /* 5000 sparse keys: dense slots in order of first write, found again after growth. */
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t key = i * UINT64_C(0x9e3779b97f4a7c15);
        ck_assert_uint_eq(keystate_slot(&ks, key), i);
    }
    ck_assert_uint_eq(ks.n, 5000);
    for (uint64_t i = 0; i < 5000; i++)
        ck_assert_uint_eq(keystate_find(&ks, i * UINT64_C(0x9e3779b97f4a7c15)), i);
    ck_assert_uint_eq(keystate_find(&ks, 1), KEYSTATE_NONE);
    uint32_t s = keystate_slot(&ks, 7);
    ck_assert_uint_eq(keystate_commit(&ks, s, 3, 1.5), 1);
    ck_assert_uint_eq(keystate_commit(&ks, s, 4, 2.5), 2);
    ck_assert(ks.commit_time[s] == 2.5 && ks.writer[s] == 4);

    keyview v;
    keyview_init(&v);
    ck_assert_uint_eq(keyview_get(&v, s), 0);
    ck_assert_int_eq(keyview_set(&v, s, 1), 0);
    ck_assert_uint_eq(keyview_get(&v, s), 1);
    ck_assert_uint_eq(keyview_get(&v, s + 100000), 0);
    ck_assert_int_eq(keyview_copy_committed(&v, &ks), 0);
    ck_assert_uint_eq(keyview_get(&v, s), 2);
    ck_assert_uint_eq(keyview_get(&v, 0), 0);
    keyview_fini(&v);
    keystate_fini(&ks);
}
END_TEST

START_TEST(test_wal_log)
{
    wal_log w;
    wal_log_init(&w);
    ck_assert_uint_eq(wal_log_kept(&w), 0);
    ck_assert_ptr_null(wal_log_get(&w, 1));
    for (uint32_t i = 1; i <= 3000; i++) {
        wal_record rec = {.commit_time = i * 0.001, .slot = i % 17, .version = i, .user = i % 5};
        ck_assert_uint_eq(wal_log_append(&w, &rec), i);
        if (i % 1000 == 0) wal_log_trim(&w, i - 10); /* keep the last 10 */
    }
    ck_assert_uint_eq(wal_log_kept(&w), 10);
    ck_assert_ptr_null(wal_log_get(&w, 2990));
    ck_assert_uint_eq(wal_log_get(&w, 2991)->version, 2991);
    /* Growth keeps every record kept: let 5000 accumulate. */
    for (uint32_t i = 3001; i <= 8000; i++) {
        wal_record rec = {.commit_time = i * 0.001, .slot = 0, .version = i, .user = 0};
        ck_assert_uint_eq(wal_log_append(&w, &rec), i);
    }
    for (uint64_t l = 2991; l <= 8000; l++) ck_assert_uint_eq(wal_log_get(&w, l)->version, l);
    wal_log_truncate(&w, 7000);
    ck_assert_ptr_null(wal_log_get(&w, 7001));
    wal_record rec = {.version = 99};
    ck_assert_uint_eq(wal_log_append(&w, &rec), 7001);
    ck_assert_uint_eq(wal_log_get(&w, 7001)->version, 99);
    wal_log_trim(&w, 7001);
    ck_assert_uint_eq(wal_log_kept(&w), 0);
    ck_assert_uint_eq(wal_log_append(&w, &rec), 7002);
    ck_assert_uint_eq(wal_log_kept(&w), 1);
    wal_log_fini(&w);
}
END_TEST

START_TEST(test_syncrep_position)
{
    uint64_t acked[4] = {10, 40, 25, 40};
    int all[4] = {1, 1, 1, 1};
    int some[4] = {0, 1, 1, 0};
    repl_mode sync = {.kind = REPL_SYNC};
    ck_assert_uint_eq(syncrep_position(&sync, acked, all, 4), 10);
    ck_assert_uint_eq(syncrep_position(&sync, acked, some, 4), 25);
    int none[4] = {0};
    ck_assert_uint_eq(syncrep_position(&sync, acked, none, 4), UINT64_MAX);
    repl_mode semi = {.kind = REPL_SEMI_SYNC, .k = 1, .timeout = 1};
    ck_assert_uint_eq(syncrep_position(&semi, acked, all, 4), 40);
    semi.k = 2;
    ck_assert_uint_eq(syncrep_position(&semi, acked, all, 4), 40); /* tie counts twice */
    semi.k = 3;
    ck_assert_uint_eq(syncrep_position(&semi, acked, all, 4), 25);
    semi.k = 4;
    ck_assert_uint_eq(syncrep_position(&semi, acked, all, 4), 10);
    semi.k = 5;
    ck_assert_uint_eq(syncrep_position(&semi, acked, all, 4), 0);
    semi.k = 2;
    ck_assert_uint_eq(syncrep_position(&semi, acked, some, 4), 25);

    syncrep sr;
    syncrep_init(&sr);
    request r[3];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 3; i++) {
        r[i].lsn = (uint64_t)(5 + i);
        syncrep_push(&sr, &r[i]);
    }
    ck_assert_ptr_null(syncrep_pop_upto(&sr, 4));
    ck_assert_ptr_eq(syncrep_pop_upto(&sr, 6), &r[0]);
    ck_assert_ptr_eq(syncrep_pop_upto(&sr, 6), &r[1]);
    ck_assert_ptr_null(syncrep_pop_upto(&sr, 6));
    ck_assert_uint_eq(sr.waiting, 1);
}
END_TEST

/* ---- routing --------------------------------------------------------------------------------- */

START_TEST(test_routing_choose)
{
    rng r;
    rng_seed(&r, 1, 0, "routing");
    consistency ev = {CONSISTENCY_EVENTUAL, 0};
    routing rt;
    routing_target t[4] = {
        {.up = 1, .visible = 100, .lag = 0, .load = 5},
        {.up = 1, .visible = 90, .lag = 0.010, .load = 3},
        {.up = 0, .visible = 99, .lag = 0.001, .load = 0},
        {.up = 1, .visible = 100, .lag = 0.0, .load = 1},
    };
    /* replicas, round-robin: 1, 3, 1, 3 (2 is down) */
    routing_init(&rt, READ_FROM_REPLICAS, BALANCE_ROUND_ROBIN, ev);
    size_t expect_rr[] = {1, 3, 1, 3};
    for (size_t i = 0; i < 4; i++) ck_assert_uint_eq(routing_choose(&rt, 0, 0, t, 4, &r), expect_rr[i]);
    routing_fini(&rt);
    /* any: the primary is in the rotation */
    routing_init(&rt, READ_FROM_ANY, BALANCE_ROUND_ROBIN, ev);
    size_t expect_any[] = {1, 3, 0, 1};
    for (size_t i = 0; i < 4; i++) ck_assert_uint_eq(routing_choose(&rt, 0, 0, t, 4, &r), expect_any[i]);
    routing_fini(&rt);
    /* least-loaded among replicas: 3 (load 1) */
    routing_init(&rt, READ_FROM_REPLICAS, BALANCE_LEAST_LOADED, ev);
    ck_assert_uint_eq(routing_choose(&rt, 0, 0, t, 4, &r), 3);
    routing_fini(&rt);
    /* primary only */
    routing_init(&rt, READ_FROM_PRIMARY, BALANCE_ROUND_ROBIN, ev);
    ck_assert_uint_eq(routing_choose(&rt, 0, 0, t, 4, &r), 0);
    routing_fini(&rt);
    /* bounded(5ms): replica 1 (10 ms) is skipped */
    routing_init(&rt, READ_FROM_REPLICAS, BALANCE_ROUND_ROBIN, (consistency){CONSISTENCY_BOUNDED, 0.005});
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(routing_choose(&rt, 0, 0, t, 4, &r), 3);
    routing_fini(&rt);
    /* read-your-writes(lsn): after user 7 wrote LSN 95 only replica 3 (visible 100) has it;
     * after LSN 101 nobody does: the primary. Other users are unaffected. */
    routing_init(&rt, READ_FROM_REPLICAS, BALANCE_ROUND_ROBIN, (consistency){CONSISTENCY_RYW_LSN, 0});
    ck_assert_int_eq(routing_note_write(&rt, 7, 95, 1.0), 0);
    ck_assert_uint_eq(routing_choose(&rt, 7, 1.0, t, 4, &r), 3);
    ck_assert_uint_eq(routing_choose(&rt, 7, 1.0, t, 4, &r), 3);
    ck_assert_int_eq(routing_note_write(&rt, 7, 101, 1.0), 0);
    ck_assert_uint_eq(routing_choose(&rt, 7, 1.0, t, 4, &r), 0);
    ck_assert_uint_ne(routing_choose(&rt, 3000, 1.0, t, 4, &r), 0);
    routing_clamp(&rt, 100);
    ck_assert_uint_eq(routing_choose(&rt, 7, 1.0, t, 4, &r), 3);
    routing_fini(&rt);
    /* read-your-writes(2s): the primary until 2 s after the write */
    routing_init(&rt, READ_FROM_REPLICAS, BALANCE_ROUND_ROBIN, (consistency){CONSISTENCY_RYW_WINDOW, 2.0});
    ck_assert_int_eq(routing_note_write(&rt, 7, 1, 10.0), 0);
    ck_assert_uint_eq(routing_choose(&rt, 7, 11.999, t, 4, &r), 0);
    ck_assert_uint_ne(routing_choose(&rt, 7, 12.0, t, 4, &r), 0);
    ck_assert_uint_ne(routing_choose(&rt, 8, 11.0, t, 4, &r), 0);
    routing_fini(&rt);
    /* monotonic: after reading at 100, replica 1 (visible 90) is out */
    routing_init(&rt, READ_FROM_REPLICAS, BALANCE_ROUND_ROBIN, (consistency){CONSISTENCY_MONOTONIC, 0});
    ck_assert_int_eq(routing_note_read(&rt, 2, 100), 0);
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(routing_choose(&rt, 2, 0, t, 4, &r), 3);
    routing_fini(&rt);
}
END_TEST

/* ---- behaviour ------------------------------------------------------------------------------- */

/* Requests of one op that reached a node (arrivals of that op over the whole run). */
static uint64_t node_seen(const rig *g, const char *name, int op)
{
    return rig_node(g, name)->seen[op];
}

START_TEST(test_read_from_replicas)
{
    /* read_from = replicas: the primary serves no read at all, only writes. */
    const char *app[] = {"rate=3000/s", "read_ratio=0.8", "keys=uniform(10k)", NULL};
    const char *db[] = {"replicas=2", "read_from=replicas", NULL};
    rig g;
    rig_start(&g, 11, 0, 10, 1, app, db);
    rig_run_until(&g, 10);
    ck_assert_uint_eq(node_seen(&g, "db.primary", OP_READ), 0);
    ck_assert_uint_gt(node_seen(&g, "db.primary", OP_WRITE), 1000);
    uint64_t r1 = node_seen(&g, "db.replica.1", OP_READ), r2 = node_seen(&g, "db.replica.2", OP_READ);
    /* round-robin over two replicas always up: the counts differ by at most one */
    ck_assert_uint_le(r1 > r2 ? r1 - r2 : r2 - r1, 1);
    ck_assert_uint_eq(node_seen(&g, "db.replica.1", OP_WRITE), 0);
    rig_report(&g);
    ck_assert(rig_value(&g, "primary_reads") == 0);
    ck_assert(rig_value(&g, "replica_reads") > 1000);
    rig_fini(&g);
}
END_TEST

START_TEST(test_read_from_any_random)
{
    /* read_from = any, balance = random: each of the 3 targets gets each read with
     * probability 1/3; the primary's count is Binomial(n, 1/3): within its 99.9% range. */
    const char *app[] = {"rate=3000/s", "read_ratio=1", NULL};
    const char *db[] = {"replicas=2", "read_from=any", "balance=random", NULL};
    rig g;
    rig_start(&g, 12, 0, 10, 0, app, db);
    rig_run_until(&g, 10);
    uint64_t p = node_seen(&g, "db.primary", OP_READ);
    uint64_t n = p + node_seen(&g, "db.replica.1", OP_READ) + node_seen(&g, "db.replica.2", OP_READ);
    ck_assert_uint_gt(n, 25000);
    unsigned lo = 0, hi = (unsigned)n;
    while (lo < n && gsl_cdf_binomial_P(lo, 1.0 / 3, (unsigned)n) < 0.0005) lo++;
    while (hi > 0 && gsl_cdf_binomial_Q(hi - 1, 1.0 / 3, (unsigned)n) < 0.0005) hi--;
    ck_assert_msg(p >= lo && p <= hi, "primary reads %llu outside [%u, %u] of %llu",
                  (unsigned long long)p, lo, hi, (unsigned long long)n);
    rig_fini(&g);
}
END_TEST

/* A workload where users often read keys they just wrote, replicas some ms behind. */
static const char *const ryw_app[] = {"rate=2000/s", "read_ratio=0.5", "keys=uniform(50)",
                                      "users=10", NULL};

typedef struct stale_counts {
    double replica_reads, stale, own, read_lag_max_ms, age_sum_ms;
} stale_counts;

static stale_counts run_consistency(const char *consistency_setting, uint64_t seed)
{
    const char *db[] = {"replicas=2", "replica.link=const(2ms)", "replica.apply_time=exp(0.3ms)",
                        consistency_setting, NULL};
    rig g;
    rig_start(&g, seed, 0, test_quick() ? 4 : 10, 1, ryw_app, db);
    rig_run_until(&g, g.s.cfg.duration);
    rig_report(&g);
    stale_counts c = {rig_value(&g, "replica_reads"), rig_value(&g, "stale_reads"),
                      rig_value(&g, "stale_own_reads"), rig_value(&g, "replica_read_lag_max_ms"),
                      rig_value(&g, "stale_age_ms_sum")};
    assert_little_everywhere(&g.s);
    rig_fini(&g);
    return c;
}

START_TEST(test_read_your_writes)
{
    /* Eventual: users do read stale copies of their own writes (a key is written every
     * 50 ms, replicas are ~2.4 ms behind: ~4% of replica reads are stale, a tenth of them
     * the reader's own write: ~40 in 10 s, ~15 in the quick run). Read-your-writes by LSN:
     * never, by construction. By a 10 ms window (a user writes every 10 ms, so ~37% of
     * their reads still go to replicas): never here, as a replica lag above 10 ms needs
     * ~30 records queued at an apply queue loaded 30% (probability ~e^-19 per record). */
    stale_counts ev = run_consistency("consistency=eventual", 21);
    ck_assert(ev.replica_reads > (test_quick() ? 1500 : 5000));
    ck_assert(ev.stale > 100);
    ck_assert(ev.own >= 5);
    ck_assert(ev.own < ev.stale);
    stale_counts lsn = run_consistency("consistency=read-your-writes(lsn)", 21);
    ck_assert(lsn.own == 0);
    ck_assert(lsn.stale > 0); /* other users' writes still show up late */
    ck_assert(lsn.replica_reads > 0.5 * ev.replica_reads);
    stale_counts win = run_consistency("consistency=read-your-writes(10ms)", 21);
    ck_assert(win.own == 0);
    ck_assert(win.replica_reads > 0.2 * ev.replica_reads);
    ck_assert(win.stale > 0);
}
END_TEST

START_TEST(test_bounded_staleness)
{
    /* bounded(2ms) with a 2 ms link plus apply queueing: replicas often lag beyond 2 ms and
     * are then skipped, so no read ever goes to a replica lagging more than 2 ms, and a
     * stale read's missed write is at most 2 ms old. Eventual does give reads to replicas
     * lagging more. */
    stale_counts b = run_consistency("consistency=bounded(2ms)", 31);
    ck_assert(b.replica_reads > 100);
    ck_assert_msg(b.read_lag_max_ms <= 2.0, "read given to a replica %g ms behind", b.read_lag_max_ms);
    ck_assert(b.stale == 0 || b.age_sum_ms <= 2.0 * b.stale);
    stale_counts ev = run_consistency("consistency=eventual", 31);
    ck_assert(ev.read_lag_max_ms > 2.0);
}
END_TEST

START_TEST(test_little_mixed)
{
    /* A loaded cluster with sync replication (writes wait in the cluster for confirmations),
     * two apply workers and random link delays: L = X W at every station. */
    const char *app[] = {"rate=5000/s", "read_ratio=0.7", "keys=zipf(0.9, 50k)", NULL};
    const char *db[] = {"replicas=3", "replication=sync", "replica.apply_workers=2",
                        "replica.link=uniform(0.1ms, 1ms)", "replica.apply_time=exp(0.3ms)",
                        "balance=least-loaded", NULL};
    rig g;
    rig_start(&g, 41, 0, test_quick() ? 5 : 20, 2, app, db);
    rig_run_until(&g, g.s.cfg.duration);
    assert_little_everywhere(&g.s);
    /* the cluster counts every request once: its throughput is the workload's */
    ck_assert_uint_eq(g.db->base.stats.departures, g.app->completed + g.app->failed);
    rig_fini(&g);
}
END_TEST

START_TEST(test_control_errors)
{
    const char *db[] = {"replicas=1", NULL};
    rig g;
    rig_start(&g, 1, 0, 1, 0, NULL, db);
    station *st = &g.db->base;
    char err[256];
    ck_assert_int_eq(st->ops->control(st, "crash", "replica.2", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "cluster 'db' has no replica 2 at this time");
    ck_assert_int_eq(st->ops->control(st, "crash", "secondary", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "cluster 'db' has no part 'secondary' (expected primary or replica.N)");
    ck_assert_int_eq(st->ops->control(st, "explode", "", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown action 'explode' for cluster 'db' (expected crash, recover, slow, add-replica)");
    ck_assert_int_eq(st->ops->control(st, "slow", "primary", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "slow-down factor 0 for cluster 'db' must be above 0");
    ck_assert_int_eq(st->ops->control(st, "add-replica", "replica.1", 0, err, sizeof err), -1);
    rig_fini(&g);
}
END_TEST

Suite *cluster_suite(void)
{
    Suite *s = suite_create("cluster");
    TCase *units = tcase_create("units");
    tcase_add_test(units, test_replication_option);
    tcase_add_test(units, test_consistency_option);
    tcase_add_test(units, test_cluster_options_table);
    tcase_add_test(units, test_keystate);
    tcase_add_test(units, test_wal_log);
    tcase_add_test(units, test_syncrep_position);
    tcase_add_test(units, test_routing_choose);
    tcase_add_test(units, test_control_errors);
    suite_add_tcase(s, units);
    TCase *reads = tcase_create("reads");
    tcase_set_timeout(reads, TEST_STAT_TIMEOUT);
    tcase_add_test(reads, test_read_from_replicas);
    tcase_add_test(reads, test_read_from_any_random);
    tcase_add_test(reads, test_read_your_writes);
    tcase_add_test(reads, test_bounded_staleness);
    tcase_add_test(reads, test_little_mixed);
    suite_add_tcase(s, reads);
    return s;
}
