/* check_cache.c: the cache station (models/cache.h).
 *
 * Exact cases:
 *  - options: defaults, ttl as none / a time / 0 and its error message;
 *  - ttl = 0 keeps nothing: hit ratio exactly 0 (every read a miss, no key held);
 *  - capacity >= the key count and no writes: every read after the first of each key
 *    hits, so misses = the distinct keys of the clients' key stream (replayed here from
 *    the same named stream) and hits = reads - misses; once with instantaneous operations
 *    under Poisson arrivals, once with the default times and a single closed user;
 *  - ttl 25 ms, one key read every 10 ms: a miss every third read (10 misses, 20 hits,
 *    9 expiries in 30 reads);
 *  - staleness of cache-aside and write-through in front of a cluster: with fills from
 *    the primary, exactly 0 stale hits when no read overlaps a write of its key (one
 *    closed user) and, under concurrent Poisson traffic, with leases and instantaneous
 *    deletes; some (> 0) when fills come from a replica lagging by its 5 ms link, and
 *    some without leases (a miss racing a write fills the old version);
 *  - write-behind: a crash loses exactly the queue it holds at that moment ("lost_writes");
 *    after the workload stops and the queue drains, every acknowledged write was either
 *    flushed or lost, and the database committed exactly the flushed ones; hits are never
 *    stale while no dirty key can be evicted (capacity >= keys), some are when it can;
 *  - flush empties the cache and keeps the write-behind queue; control errors;
 *    `when_down = fail`; the time-series hit ratio is hits / reads of the interval.
 * Statistical case: LRU's hit ratio under independent zipf(0.8, 100k) reads matches Che's
 * approximation (characteristic time T solving sum_k 1 - exp(-p_k T) = C, hit ratio
 * sum_k p_k (1 - exp(-p_k T)), p_k from keydist_probability) within the 99.9% Student-t
 * interval over replications, at capacities 1000, 5000 and 20000; the interval must be
 * narrower than 1% of the value (10% in quick runs). (A 20-million-read check outside
 * the suite put Che within 6e-5 of the simulated LRU at all three capacities.)
 * Little's law is checked on every station of the runs with enough departures.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/cache.h"
#include "models/clients.h"
#include "models/cluster.h"
#include "models/node.h"
#include "models/server.h"
#include "sim/confidence.h"
#include "sim/report.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

#define LEVEL 0.999

/* ---- helpers ------------------------------------------------------------------------------- */

typedef struct crig {
    sim s;            /* the simulation */
    clients *app;     /* the workload "app" */
    cache *c;         /* the cache "cache" */
    station *db;      /* the database "db" */
} crig;

/* Copies a NULL-ended list into out (room for 40) and appends `extra`. */
static void with(const char **out, const char *const *list, const char *extra)
{
    size_t n = 0;
    for (; list && list[n]; n++) {
        ck_assert_uint_lt(n, 38);
        out[n] = list[n];
    }
    out[n++] = extra;
    out[n] = NULL;
}

/* Builds app -> cache -> db (db of kind db_kind) and starts it. */
static void crig_start(crig *g, uint64_t seed, uint64_t rep, double duration, double warmup,
                       const char *const *app, const char *const *cache_set,
                       const station_kind *db_kind, const char *const *db)
{
    const char *a[40], *cs[40];
    with(a, app, "next=cache");
    with(cs, cache_set, "next=db");
    sim_config cfg = test_config(seed, rep, duration, warmup);
    ck_assert_int_eq(sim_init(&g->s, &cfg), 0);
    g->app = (clients *)test_add_station(&g->s, &clients_kind, "app", a);
    g->c = (cache *)test_add_station(&g->s, &cache_kind, "cache", cs);
    g->db = test_add_station(&g->s, db_kind, "db", db);
    ck_assert_int_eq(sim_start(&g->s), 0);
}

static void crig_run_until(crig *g, double until)
{
    g->s.cfg.duration = until;
    ck_assert_msg(sim_run(&g->s) == 0, "run failed: %s", g->s.error);
}

static void control(crig *g, const char *action)
{
    char err[256] = "";
    station *st = &g->c->base;
    ck_assert_msg(st->ops->control(st, action, "", 0, err, sizeof err) == 0, "%s", err);
}

/* The named value a station reports (NAN when absent). */
static double reported(station *st, const char *name)
{
    report r;
    report_init(&r);
    st->ops->report(st, &r);
    double v = report_get(&r, name);
    report_fini(&r);
    return v;
}

static double sampled(station *st, const char *name)
{
    report r;
    report_init(&r);
    st->ops->sample(st, &r);
    double v = report_get(&r, name);
    report_fini(&r);
    return v;
}

/* L = X W on every station with at least 1000 departures (edge effects far below 1%);
 * at least `min_checked` stations must qualify. */
static void assert_little(const sim *s, size_t min_checked)
{
    size_t checked = 0;
    for (size_t i = 0; i < s->n_stations; i++) {
        const station *st = s->stations[i];
        if (st->stats.departures < 1000) continue;
        double L = station_mean_present(st);
        double XW = station_throughput(st) * station_mean_residence(st);
        ck_assert_msg(fabs(L - XW) <= 0.01 * L, "Little's law at %s: L = %g, X W = %g", st->name,
                      L, XW);
        checked++;
    }
    ck_assert_uint_ge(checked, min_checked);
}

/* Distinct keys among the first n draws of the clients' key stream. */
static uint64_t distinct_keys(crig *g, uint64_t n)
{
    rng r;
    sim_stream(&g->s, &g->app->base, "keys", &r);
    keydist k = g->app->cfg->keys;
    uint64_t keys = keydist_count(&k);
    unsigned char *seen = calloc(keys, 1);
    ck_assert_ptr_nonnull(seen);
    uint64_t d = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t key = keydist_sample(&k, &r);
        if (!seen[key]) d++;
        seen[key] = 1;
    }
    free(seen);
    return d;
}

static uint64_t reads_done(const clients *app) { return app->latency[OP_READ].count; }

static uint64_t writes_done(const clients *app) { return app->latency[OP_WRITE].count; }

/* ---- options ------------------------------------------------------------------------------- */

START_TEST(test_options)
{
    char err[256];
    cache_config c = {0};
    ck_assert_int_eq(opt_defaults(cache_kind.options, &c, err, sizeof err), 0);
    ck_assert_int_eq(c.pattern, CACHE_ASIDE);
    ck_assert_int_eq(c.capacity, 10000);
    ck_assert_int_eq(c.policy, LRU_POLICY_LRU);
    ck_assert(isinf(c.ttl) && c.ttl > 0);
    ck_assert_double_eq_tol(dist_mean(&c.hit_time), 0.2e-3, 1e-18);
    ck_assert_double_eq(c.flush_interval, 0.1);
    ck_assert_int_eq(c.flush_batch, 100);
    ck_assert_int_eq(c.lease, 0);
    ck_assert_int_eq(c.when_down, CACHE_DOWN_BYPASS);
    ck_assert_ptr_null(c.next);
    const opt_def *ttl = opt_find(cache_kind.options, "ttl");
    char buf[64];
    ck_assert_int_gt(opt_format(ttl, &c, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "none");
    ck_assert_int_eq(opt_set(ttl, &c, "30s", ".", err, sizeof err), 0);
    ck_assert_double_eq(c.ttl, 30.0);
    ck_assert_int_gt(opt_format(ttl, &c, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "30s");
    ck_assert_int_eq(opt_set(ttl, &c, "0", ".", err, sizeof err), 0);
    ck_assert_double_eq(c.ttl, 0.0);
    ck_assert_int_eq(opt_set(ttl, &c, "5 parsecs", ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "bad ttl '5 parsecs' (expected a time such as 30s, 0 to keep nothing, "
                          "or none)");
    ck_assert_int_eq(opt_set(ttl, &c, "-1s", ".", err, sizeof err), -1);
    ck_assert_int_eq(opt_set(opt_find(cache_kind.options, "pattern"), &c, "write-behind", ".", err,
                             sizeof err), 0);
    ck_assert_int_eq(c.pattern, CACHE_WRITE_BEHIND);
    ck_assert_int_eq(opt_set(opt_find(cache_kind.options, "policy"), &c, "lfu", ".", err,
                             sizeof err), -1);
    opt_release(cache_kind.options, &c);
    const char *const *a = cache_kind.actions;
    ck_assert_str_eq(a[0], "crash");
    ck_assert_str_eq(a[1], "recover");
    ck_assert_str_eq(a[2], "flush");
    ck_assert_ptr_null(a[3]);
}
END_TEST

/* ---- hit ratio: exact cases ------------------------------------------------------------------ */

START_TEST(test_ttl_zero)
{
    crig g;
    const char *app[] = {"rate=5000/s", "read_ratio=1", "keys=zipf(0.99, 100)", NULL};
    const char *cs[] = {"ttl=0", "capacity=1000", NULL};
    const char *db[] = {"service=exp(0.1ms)", "servers=4", NULL};
    crig_start(&g, 3, 0, 10.0, 1.0, app, cs, &server_kind, db);
    crig_run_until(&g, 10.0);
    ck_assert_uint_gt(g.c->misses, 40000);
    ck_assert_uint_eq(g.c->hits, 0);
    ck_assert_uint_eq(cache_keys(&g.c->base), 0);
    ck_assert_double_eq(reported(&g.c->base, "cache_hit_ratio.cache"), 0.0);
    ck_assert_double_eq(reported(&g.c->base, "cache_hits"), 0.0);
    assert_little(&g.s, 2);
    sim_fini(&g.s);
}
END_TEST

START_TEST(test_warm_exact)
{
    /* Capacity 1000 >= 1000 keys, reads only, no TTL: every read after the first of its
     * key hits. (a) instantaneous cache and database: a fill lands before the next Poisson
     * arrival; (b) default times, one closed user: no two reads overlap. */
    enum { N = 20000 };
    for (int k = 0; k < 2; k++) {
        crig g;
        const char *open_app[] = {"rate=2000/s", "read_ratio=1", "keys=zipf(0.9, 1000)",
                                  "limit=20000", NULL};
        const char *closed_app[] = {"arrival=closed", "population=1", "think=exp(1ms)",
                                    "read_ratio=1", "keys=zipf(0.9, 1000)", "limit=20000", NULL};
        const char *inst_cache[] = {"capacity=1000", "hit_time=const(0)", "miss_time=const(0)",
                                    "set_time=const(0)", NULL};
        const char *def_cache[] = {"capacity=1000", NULL};
        const char *srv[] = {"service=const(0)", NULL};
        const char *nd[] = {"cores=1", "read_time=exp(1ms)", NULL};
        if (k == 0) crig_start(&g, 11, 0, 100.0, 0.0, open_app, inst_cache, &server_kind, srv);
        else crig_start(&g, 11, 0, 200.0, 0.0, closed_app, def_cache, &node_kind, nd);
        crig_run_until(&g, g.s.cfg.duration);
        ck_assert_uint_eq(reads_done(g.app), N);
        uint64_t d = distinct_keys(&g, N);
        ck_assert_uint_lt(d, 1000); /* some keys never drawn */
        ck_assert_uint_eq(g.c->misses, d);
        ck_assert_uint_eq(g.c->hits, N - d);
        ck_assert_uint_eq(cache_keys(&g.c->base), d);
        ck_assert_uint_eq(g.c->stale_reads, 0);
        ck_assert_double_eq(reported(&g.c->base, "replica_reads"), (double)(N - d));
        /* no sample was taken: the interval is the whole run */
        ck_assert_double_eq(sampled(&g.c->base, "ts.hit_ratio_cache"), (double)(N - d) / N);
        ck_assert_double_eq(sampled(&g.c->base, "ts.cache_keys_cache"), (double)d);
        ck_assert(isnan(sampled(&g.c->base, "ts.hit_ratio_cache"))); /* no read since */
        assert_little(&g.s, 1);
        sim_fini(&g.s);
    }
}
END_TEST

START_TEST(test_ttl_expiry)
{
    /* One key read every 10 ms; an entry lives 25 ms from its fill: miss, hit, hit, miss
     * (expired), ... */
    crig g;
    const char *app[] = {"arrival=closed", "population=1", "think=const(10ms)", "read_ratio=1",
                         "keys=uniform(1)", "limit=30", NULL};
    const char *cs[] = {"ttl=25ms", "hit_time=const(0)", "miss_time=const(0)", "set_time=const(0)",
                        NULL};
    const char *db[] = {"service=const(0)", NULL};
    crig_start(&g, 1, 0, 1.0, 0.0, app, cs, &server_kind, db);
    crig_run_until(&g, 1.0);
    ck_assert_uint_eq(reads_done(g.app), 30);
    ck_assert_uint_eq(g.c->misses, 10);
    ck_assert_uint_eq(g.c->hits, 20);
    ck_assert_uint_eq(g.c->expired, 9);
    ck_assert_uint_eq(g.c->fills, 10);
    sim_fini(&g.s);
}
END_TEST

/* ---- staleness of cache-aside and write-through --------------------------------------------- */

START_TEST(test_stale_aside)
{
    static const char *const closed_app[] = {"arrival=closed", "population=1", "think=exp(1ms)",
                                             "read_ratio=0.7", "keys=uniform(20)", NULL};
    static const char *const open_app[] = {"rate=2000/s", "read_ratio=0.8",
                                           "keys=zipf(0.99, 1000)", NULL};
    static const struct {
        const char *what;
        int open;               /* Poisson traffic (else one closed user) */
        const char *pattern;
        const char *lease;
        const char *set_time;
        const char *read_from;
        int stale;              /* 0: exactly none; 1: some */
    } cases[] = {
        {"one user, primary fills", 0, "cache-aside", "false", "const(0.2ms)", "primary", 0},
        {"one user, primary fills, write-through", 0, "write-through", "false", "const(0.2ms)",
         "primary", 0},
        {"one user, lagging replica fills", 0, "cache-aside", "false", "const(0.2ms)", "replicas",
         1},
        {"concurrent, leases, primary fills", 1, "cache-aside", "true", "const(0)", "primary", 0},
        {"concurrent, leases, primary fills, write-through", 1, "write-through", "true",
         "const(0)", "primary", 0},
        {"concurrent, no leases, primary fills (the race)", 1, "cache-aside", "false", "const(0)",
         "primary", 1},
        {"concurrent, leases, lagging replica fills", 1, "cache-aside", "true", "const(0)",
         "replicas", 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char pattern[64], lease[32], set[64], from[64];
        snprintf(pattern, sizeof pattern, "pattern=%s", cases[k].pattern);
        snprintf(lease, sizeof lease, "lease=%s", cases[k].lease);
        snprintf(set, sizeof set, "set_time=%s", cases[k].set_time);
        snprintf(from, sizeof from, "read_from=%s", cases[k].read_from);
        const char *cs[] = {pattern, lease, set, "capacity=100k", NULL};
        const char *db[] = {"replicas=1", from, "replica.link=const(5ms)", "primary.cores=8",
                            "primary.read_time=exp(2ms)", "primary.write_time=exp(2ms)",
                            "replica.cores=8", "replica.read_time=exp(2ms)", NULL};
        crig g;
        crig_start(&g, 5, 0, 30.0, 2.0, cases[k].open ? open_app : closed_app, cs, &cluster_kind,
                   db);
        crig_run_until(&g, 30.0);
        cache *c = g.c;
        ck_assert_msg(c->hits > 1000 && writes_done(g.app) > 1000, "%s: %llu hits, %llu writes",
                      cases[k].what, (unsigned long long)c->hits,
                      (unsigned long long)writes_done(g.app));
        if (cases[k].stale)
            ck_assert_msg(c->stale_reads > 0, "%s: no stale hit", cases[k].what);
        else
            ck_assert_msg(c->stale_reads == 0, "%s: %llu stale hits", cases[k].what,
                          (unsigned long long)c->stale_reads);
        ck_assert_double_eq(reported(&c->base, "stale_reads"), (double)c->stale_reads);
        ck_assert_double_eq(reported(&c->base, "replica_reads"), (double)c->hits);
        ck_assert_double_eq(reported(&c->base, "cache_stale_reads.cache"), (double)c->stale_reads);
        int aside = strcmp(cases[k].pattern, "cache-aside") == 0;
        if (cases[k].lease[0] == 't' && cases[k].open && aside)
            ck_assert_msg(c->fills_dropped > 0, "%s: no fill dropped", cases[k].what);
        assert_little(&g.s, cases[k].open ? 3 : 2);
        sim_fini(&g.s);
    }
}
END_TEST

/* ---- write-behind ---------------------------------------------------------------------------- */

START_TEST(test_write_behind_lost)
{
    /* 2000 requests/s (half writes) for 20 s, flushed every 500 ms. At 10.25 s the cache
     * crashes (and recovers at once): exactly the queue it holds is lost. Once the queue
     * has drained (40 s), every acknowledged write was flushed or lost, and the database
     * committed exactly the flushed ones. */
    crig g;
    const char *app[] = {"rate=2000/s", "read_ratio=0.5", "keys=uniform(500)", "limit=40000", NULL};
    const char *cs[] = {"pattern=write-behind", "flush_interval=500ms", "flush_batch=2000",
                        "capacity=1000", NULL};
    const char *db[] = {"replicas=0", "primary.cores=8", NULL};
    crig_start(&g, 9, 0, 40.0, 0.0, app, cs, &cluster_kind, db);
    crig_run_until(&g, 10.25);
    size_t queued = cache_queue_length(&g.c->base);
    ck_assert_uint_gt(queued, 10);
    ck_assert_uint_gt(cache_keys(&g.c->base), 100);
    control(&g, "crash");
    ck_assert_uint_eq(cache_queue_length(&g.c->base), 0);
    ck_assert_uint_eq(cache_keys(&g.c->base), 0);
    ck_assert_uint_eq(g.c->lost_writes, queued);
    control(&g, "recover");
    crig_run_until(&g, 40.0);
    ck_assert_uint_eq(reads_done(g.app) + writes_done(g.app), 40000);
    ck_assert_double_eq(reported(&g.c->base, "lost_writes"), (double)queued);
    ck_assert_double_eq(reported(&g.c->base, "writebehind_lost.cache"), (double)queued);
    ck_assert_uint_eq(cache_queue_length(&g.c->base), 0);
    ck_assert_uint_eq(g.c->flushed + g.c->lost_writes, writes_done(g.app));
    cluster *db_c = (cluster *)g.db;
    ck_assert_uint_eq(db_c->commits, g.c->flushed);
    ck_assert_uint_eq(g.c->retries, 0);
    ck_assert_uint_eq(sim_in_flight(&g.s), 0);
    assert_little(&g.s, 3);
    sim_fini(&g.s);
}
END_TEST

START_TEST(test_write_behind_stale)
{
    /* The cache's own write order is the truth: its hits are never stale while no dirty
     * key can leave the cache (capacity >= keys); with 50 slots for 500 keys a dirty key is
     * evicted before its flush and a later miss fills the database's older version. */
    for (int small = 0; small < 2; small++) {
        crig g;
        const char *app[] = {"rate=2000/s", "read_ratio=0.7", "keys=zipf(0.8, 500)", NULL};
        const char *cs[] = {"pattern=write-behind", "flush_interval=200ms",
                            small ? "capacity=50" : "capacity=500", NULL};
        const char *db[] = {"replicas=0", "primary.cores=8", NULL};
        crig_start(&g, 4, 0, 20.0, 2.0, app, cs, &cluster_kind, db);
        crig_run_until(&g, 20.0);
        ck_assert_uint_gt(g.c->hits, 5000);
        ck_assert_uint_gt(g.c->flushed, 5000);
        if (small) ck_assert_uint_gt(g.c->stale_reads, 0);
        else ck_assert_uint_eq(g.c->stale_reads, 0);
        assert_little(&g.s, 3);
        sim_fini(&g.s);
    }
}
END_TEST

/* ---- timeline ------------------------------------------------------------------------------ */

START_TEST(test_control)
{
    crig g;
    const char *app[] = {"rate=1000/s", "read_ratio=0.5", "keys=uniform(100)", NULL};
    const char *cs[] = {"pattern=write-behind", "flush_interval=10s", "when_down=fail", NULL};
    const char *db[] = {"service=exp(0.1ms)", NULL};
    crig_start(&g, 2, 0, 60.0, 0.0, app, cs, &server_kind, db);
    crig_run_until(&g, 5.0);
    size_t queued = cache_queue_length(&g.c->base);
    ck_assert_uint_gt(queued, 1000); /* nothing flushed before 10 s */
    ck_assert_uint_eq(cache_keys(&g.c->base), 100);
    control(&g, "flush");
    ck_assert_uint_eq(cache_keys(&g.c->base), 0);
    ck_assert_uint_eq(cache_queue_length(&g.c->base), queued);
    char err[256];
    station *st = &g.c->base;
    ck_assert_int_eq(st->ops->control(st, "crash", "primary", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "cache 'cache' has no part 'primary'");
    ck_assert_int_eq(st->ops->control(st, "slow", "", 2, err, sizeof err), -1);
    ck_assert_str_eq(err, "a cache cannot 'slow' (crash, recover, flush)");
    /* when_down = fail: requests in the second after a crash fail */
    control(&g, "crash");
    control(&g, "crash"); /* nothing more */
    ck_assert_uint_eq(g.c->lost_writes, queued);
    uint64_t failed = g.app->failed;
    crig_run_until(&g, 6.0);
    ck_assert_uint_gt(g.app->failed - failed, 800);
    control(&g, "recover");
    failed = g.app->failed;
    uint64_t done = reads_done(g.app) + writes_done(g.app);
    crig_run_until(&g, 7.0);
    ck_assert_uint_eq(g.app->failed, failed);
    ck_assert_uint_gt(reads_done(g.app) + writes_done(g.app) - done, 800);
    sim_fini(&g.s);
}
END_TEST

/* ---- Che's approximation ------------------------------------------------------------------ */

/* Che's LRU hit ratio for capacity C under independent requests with probabilities p. */
static double che_hit_ratio(const double *p, size_t n, double C)
{
    double lo = 0.0, hi = 1.0;
    for (;;) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) s += -expm1(-p[i] * hi);
        if (s > C) break;
        hi *= 2.0;
    }
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi), s = 0.0;
        for (size_t i = 0; i < n; i++) s += -expm1(-p[i] * mid);
        if (s < C) lo = mid;
        else hi = mid;
    }
    double T = 0.5 * (lo + hi), h = 0.0;
    for (size_t i = 0; i < n; i++) h += p[i] * -expm1(-p[i] * T);
    return h;
}

START_TEST(test_che)
{
    static const int64_t caps[] = {1000, 5000, 20000};
    size_t reps = test_quick() ? 4 : 10;
    double warm = test_quick() ? 1.0 : 2.0, measured = test_quick() ? 0.5 : 2.0;
    keydist k;
    char err[128];
    ck_assert_int_eq(keydist_parse("zipf(0.8, 100k)", &k, err, sizeof err), 0);
    size_t n = (size_t)keydist_count(&k);
    double *p = malloc(n * sizeof *p);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++) p[i] = keydist_probability(&k, i);
    for (size_t j = 0; j < sizeof caps / sizeof caps[0]; j++) {
        double che = che_hit_ratio(p, n, (double)caps[j]);
        double h[16];
        for (size_t rep = 0; rep < reps; rep++) {
            char cap[64];
            snprintf(cap, sizeof cap, "capacity=%lld", (long long)caps[j]);
            const char *app[] = {"rate=100k/s", "read_ratio=1", "keys=zipf(0.8, 100k)", NULL};
            const char *cs[] = {cap, "hit_time=const(0)", "miss_time=const(0)",
                                "set_time=const(0)", NULL};
            const char *db[] = {"service=const(0)", NULL};
            crig g;
            crig_start(&g, 21, rep, warm + measured, warm, app, cs, &server_kind, db);
            crig_run_until(&g, warm + measured);
            h[rep] = (double)g.c->hits / (double)(g.c->hits + g.c->misses);
            ck_assert_uint_eq(cache_keys(&g.c->base), (size_t)caps[j]);
            assert_little(&g.s, 2);
            sim_fini(&g.s);
        }
        ci interval = ci_of(h, reps, LEVEL);
        ck_assert_msg(fabs(interval.mean - che) <= interval.half_width,
                      "capacity %lld: Che %.6f outside simulation %.6f +- %.6f (99.9%% CI, n=%zu)",
                      (long long)caps[j], che, interval.mean, interval.half_width, interval.n);
        double max_rel = test_quick() ? 0.10 : 0.01;
        ck_assert_msg(interval.half_width <= max_rel * che,
                      "capacity %lld: CI half-width %.3g wider than %.0f%% of %.4f",
                      (long long)caps[j], interval.half_width, 100 * max_rel, che);
    }
    free(p);
}
END_TEST

Suite *cache_suite(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_ttl_zero);
    tcase_add_test(tc, test_warm_exact);
    tcase_add_test(tc, test_ttl_expiry);
    tcase_add_test(tc, test_control);
    suite_add_tcase(s, tc);
    TCase *tb = tcase_create("behaviour");
    tcase_set_timeout(tb, TEST_STAT_TIMEOUT);
    tcase_add_test(tb, test_stale_aside);
    tcase_add_test(tb, test_write_behind_lost);
    tcase_add_test(tb, test_write_behind_stale);
    suite_add_tcase(s, tb);
    TCase *st = tcase_create("statistical");
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    tcase_add_test(st, test_che);
    suite_add_tcase(s, st);
    return s;
}
