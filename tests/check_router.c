/* check_router.c: the shard router (models/router.h).
 *
 * Exact cases:
 *  - cloning: names, kinds, hidden template, per-shard overrides (and their errors);
 *  - monotonic inserts (latest(N), writes only) under range send every insert to the last
 *    shard: its count equals the number of requests, the others are 0, hot ratio = N;
 *  - scatter-gather: on every request of a run, the reply leaves exactly merge_time after
 *    the slowest shard's reply (so latency is never below the slowest shard's share), and
 *    every shard saw exactly one child of it; scans always scatter;
 *  - two-phase commit over real nodes: while a participant is crashed every transaction
 *    aborts (exact counts of ok and failed replies, tx_committed / tx_aborted, rollbacks
 *    seen at a healthy shard); a participant crashed after preparing blocks the commit,
 *    which is resent every tx_retry until the node recovers (exact retry count, latency);
 *  - resharding through the control op: the new shard exists and serves, keys_moved_ratio
 *    equals shard_map_moved on the same maps, every moved key is copied (reads at the old
 *    shard, writes at the new: shard arrivals = client requests + 2 x moved keys) and the
 *    copies are absent from the client's counts; the same with a cluster template, whose
 *    new clone's parts are started mid-run;
 *  - the directory: every request pays a lookup at 0% cache hits, none at 100%;
 *  - control errors and forwarding to a shard's own control op.
 * Statistical cases (fixed seeds):
 *  - uniform keys under hash: hot_shard_ratio >= 1 exactly, and below a bound from the
 *    multinomial: the counts c_i are Binomial(R, p_i) with p_i the exact share of the key
 *    space that hashes to shard i, so P(max c_i >= t) <= sum_i P(c_i >= t) (union bound);
 *    t is the smallest value that makes this sum <= 1e-3;
 *  - the share of reads that scatter and of lookups that miss the directory cache lie in
 *    the central 99.9% region of their exact binomial distributions.
 * Little's law (L = X W within 1%) is checked on every station with 1000 departures or more.
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "models/clients.h"
#include "models/node.h"
#include "models/registry.h"
#include "models/request_codes.h"
#include "models/router.h"
#include "models/server.h"
#include "sim/report.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

/* ---- a probe station (shard template): one FCFS server, exponential service, and a
 * record of the children it saw per parent request ------------------------------------- */

#define MAX_IDS (1u << 21)

typedef struct probe_log {
    double *slowest;      /* by parent id: when the last child left a probe */
    uint32_t *children;   /* by parent id: children seen */
} probe_log;

static probe_log plog;

static void plog_init(void)
{
    plog.slowest = calloc(MAX_IDS, sizeof *plog.slowest);
    plog.children = calloc(MAX_IDS, sizeof *plog.children);
    ck_assert_ptr_nonnull(plog.slowest);
    ck_assert_ptr_nonnull(plog.children);
}

static void plog_fini(void)
{
    free(plog.slowest);
    free(plog.children);
    plog.slowest = NULL;
    plog.children = NULL;
}

typedef struct probe_config {
    double mean;          /* mean service time (s) */
} probe_config;

typedef struct probe {
    station base;         /* must be first */
    rng service;          /* "<name>/service" */
    double free_at;       /* when the server is next free */
} probe;

static const opt_def probe_options[] = {
    {.name = "mean", .type = OPT_TIME, .offset = offsetof(probe_config, mean), .def = "1ms",
     .min = 0, .max = 1, .help = "mean service time"},
    {0},
};

static int probe_init(station *st)
{
    sim_stream(st->sim, st, "service", &((probe *)st)->service);
    return 0;
}

static void probe_arrive(station *st, request *r)
{
    probe *p = (probe *)st;
    const probe_config *c = st->config;
    station_enter(st, r);
    double start = p->free_at > st->sim->now ? p->free_at : st->sim->now;
    p->free_at = start + rng_exp(&p->service, c->mean);
    sim_schedule(st->sim, p->free_at - st->sim->now, st, 1, r, 0);
}

static void probe_event(station *st, const sim_event *ev)
{
    request *r = ev->ptr;
    station_leave(st, r);
    if (r->parent && plog.slowest) {
        ck_assert_uint_lt(r->parent->id, MAX_IDS);
        plog.children[r->parent->id]++;
        if (st->sim->now > plog.slowest[r->parent->id]) plog.slowest[r->parent->id] = st->sim->now;
    }
    sim_reply(st->sim, r);
}

static void probe_reply(station *st, request *r)
{
    (void)st;
    sim_request_free(st->sim, r);
    ck_abort_msg("probe got a reply");
}

static const station_ops probe_ops = {
    .init = probe_init, .arrive = probe_arrive, .reply = probe_reply, .event = probe_event,
};

static const station_kind probe_kind = {
    .name = "probe",
    .options = probe_options,
    .config_size = sizeof(probe_config),
    .station_size = sizeof(probe),
    .ops = &probe_ops,
};

/* ---- a driver: sends scripted requests and runs control actions at given times ------ */

typedef struct drv_item {
    double t;             /* when */
    int op;               /* request op, or -1 for a control action */
    uint64_t key;         /* request key */
    const char *action;   /* control: action */
    const char *part;     /* control: part */
} drv_item;

typedef struct driver driver;
typedef void (*drv_check)(driver *d, request *r);

struct driver {
    station base;         /* must be first */
    station *target;      /* where requests and actions go */
    const drv_item *items;
    size_t n_items;
    uint64_t replies[3];  /* by status */
    drv_check check;      /* called on every reply, or NULL */
    double merge;         /* scatter check: the constant merge time */
    uint32_t shards;      /* scatter check: children expected per scatter */
    uint64_t scattered;   /* scatter check: replies that had children */
    double last_latency;  /* latency of the last reply */
};

static const opt_def driver_options[] = {{0}};

static int driver_init(station *st)
{
    driver *d = (driver *)st;
    for (size_t i = 0; i < d->n_items; i++) sim_schedule(st->sim, d->items[i].t, st, 1, NULL, i);
    return 0;
}

static void driver_event(station *st, const sim_event *ev)
{
    driver *d = (driver *)st;
    const drv_item *it = &d->items[ev->arg];
    if (it->op >= 0) {
        request *r = sim_request_new(st->sim);
        ck_assert_ptr_nonnull(r);
        r->op = (uint8_t)it->op;
        r->key = it->key;
        sim_send(st->sim, st, d->target, r);
        return;
    }
    char err[300];
    int rc = d->target->ops->control(d->target, it->action, it->part ? it->part : "", 0, err,
                                     sizeof err);
    ck_assert_msg(rc == 0, "control %s: %s", it->action, err);
}

static void driver_reply(station *st, request *r)
{
    driver *d = (driver *)st;
    ck_assert_int_ge(r->status, 0);
    ck_assert_int_le(r->status, 2);
    d->replies[r->status]++;
    d->last_latency = st->sim->now - r->t_start;
    if (d->check) d->check(d, r);
    sim_request_free(st->sim, r);
}

static void driver_arrive(station *st, request *r)
{
    sim_request_free(st->sim, r);
    ck_abort_msg("driver received a request");
}

static const station_ops driver_ops = {
    .init = driver_init, .arrive = driver_arrive, .reply = driver_reply, .event = driver_event,
};

static const station_kind driver_kind = {
    .name = "driver", .options = driver_options, .config_size = 1,
    .station_size = sizeof(driver), .ops = &driver_ops,
};

static driver *add_driver(sim *s, station *target, const drv_item *items, size_t n)
{
    char none = 0;
    driver *d = (driver *)station_new(s, &driver_kind, "driver", &none);
    ck_assert_ptr_nonnull(d);
    d->target = target;
    d->items = items;
    d->n_items = n;
    return d;
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* L = X W on every station with 1000 departures or more. A station created at `late_t`
 * (> 0) by resharding, named `late`, is measured from then: station_throughput divides by
 * the whole measured period, which such a station did not live through. */
static void assert_little_late(const sim *s, const char *late, double late_t)
{
    for (size_t i = 0; i < s->n_stations; i++) {
        const station *st = s->stations[i];
        if (st->stats.departures < 1000) continue;
        double L = station_mean_present(st);
        double X = station_throughput(st);
        if (late && strcmp(st->name, late) == 0) X = (double)st->stats.departures / (s->now - late_t);
        double XW = X * station_mean_residence(st);
        ck_assert_msg(fabs(L - XW) <= 0.01 * L, "Little's law at %s: L = %g, X W = %g",
                      st->name, L, XW);
    }
}

static void assert_little(const sim *s)
{
    assert_little_late(s, NULL, 0.0);
}

/* Every station's report, as the runner gathers it. */
static void gather(sim *s, report *out)
{
    report_init(out);
    for (size_t i = 0; i < s->n_stations; i++)
        if (s->stations[i]->ops->report) s->stations[i]->ops->report(s->stations[i], out);
}

static station *find(sim *s, const char *name)
{
    station *st = sim_find_station(s, name);
    ck_assert_msg(st != NULL, "no station '%s'", name);
    return st;
}

/* Smallest m with P(X <= m) >= q, X ~ Binomial(n, p). */
static unsigned binom_quantile(double q, double p, unsigned n)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (gsl_cdf_binomial_P(mid, p, n) >= q) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static void assert_binomial(uint64_t count, double p, unsigned n, double level, const char *what)
{
    unsigned lo = binom_quantile((1 - level) / 2, p, n);
    unsigned hi = binom_quantile(1 - (1 - level) / 2, p, n);
    ck_assert_msg(count >= lo && count <= hi, "%s: %llu outside [%u, %u] (Binomial(%u, %g))",
                  what, (unsigned long long)count, lo, hi, n, p);
}

static router *add_router(sim *s, const char *const *settings)
{
    return (router *)test_add_station(s, &router_kind, "r", settings);
}

/* ---- cloning and overrides --------------------------------------------------------------- */

START_TEST(test_clones_and_overrides)
{
    sim s;
    sim_config cfg = test_config(1, 0, 1.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    add_router(&s, (const char *const[]){"next=db", "shards=3",
                                         "shard_overrides=1: servers = 3; 2: servers = 2;service = const(2ms)",
                                         NULL});
    station *db = test_add_station(&s, &server_kind, "db", (const char *const[]){"service=exp(1ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(db->hidden, 1);
    static const int64_t servers[] = {1, 3, 2};
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "r.shard.%d", i);
        station *c = find(&s, name);
        ck_assert_ptr_eq(c->kind, &server_kind);
        ck_assert_int_eq(c->hidden, 0);
        const server_config *sc = c->config;
        ck_assert_int_eq(sc->servers, servers[i]);
        ck_assert_double_eq(dist_mean(&sc->service), i == 2 ? 0.002 : 0.001);
        ck_assert_double_eq(c->stats.servers, (double)servers[i]);
    }
    ck_assert_ptr_null(sim_find_station(&s, "r.shard.3"));
    ck_assert_ptr_null(sim_find_station(&s, "r.directory"));
    sim_fini(&s);
}
END_TEST

START_TEST(test_override_errors)
{
    static const struct { const char *text, *want; } cases[] = {
        {"1: srvers = 3", "station 'r': shard_overrides: kind server has no key 'srvers' (shard 1)"},
        {"0: servers = 0", "station 'r': shard_overrides: shard 0:"},
        {"2: next = x", "link 'next' cannot be overridden (shard 2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim s;
        sim_config cfg = test_config(1, 0, 1.0, 0.0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        char ov[128];
        snprintf(ov, sizeof ov, "shard_overrides=%s", cases[i].text);
        add_router(&s, (const char *const[]){"next=db", ov, NULL});
        test_add_station(&s, &server_kind, "db", NULL);
        ck_assert_int_eq(sim_start(&s), -1);
        ck_assert_msg(strstr(s.error, cases[i].want), "'%s': error '%s'", cases[i].text, s.error);
        sim_fini(&s);
    }
    /* Syntax errors come at parse time. */
    static const struct { const char *text, *want; } bad[] = {
        {"servers = 3", "shard_overrides entry 'servers = 3' needs a shard index first"},
        {"1: servers", "shard_overrides entry '1: servers' has no '='"},
        {"x: servers = 1", "does not start with a shard index below 1024"},
        {"1: = 3", "needs a key and a value"},
        {"1: ser vers = 3", "shard_overrides key 'ser vers' contains a space"},
    };
    const opt_def *d = opt_find(router_kind.options, "shard_overrides");
    ck_assert_ptr_nonnull(d);
    router_config rc;
    memset(&rc, 0, sizeof rc);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[300] = "";
        ck_assert_int_eq(opt_set(d, &rc, bad[i].text, ".", err, sizeof err), -1);
        ck_assert_msg(strstr(err, bad[i].want), "'%s': error '%s'", bad[i].text, err);
    }
    char err[300];
    ck_assert_int_eq(opt_set(d, &rc, "3: primary.cores = 16; replicas = 2", ".", err, sizeof err), 0);
    char buf[200];
    ck_assert_int_gt(opt_format(d, &rc, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "3: primary.cores = 16; replicas = 2");
}
END_TEST

START_TEST(test_validate)
{
    char err[300];
    router_config c;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(opt_defaults(router_kind.options, &c, err, sizeof err), 0);
    ck_assert_uint_eq(router_initial_shards(&c), 4);
    ck_assert_int_eq(opt_set(opt_find(router_kind.options, "strategy"), &c, "range(10, 20)", ".",
                             err, sizeof err), 0);
    ck_assert_uint_eq(router_initial_shards(&c), 3);
    ck_assert_int_eq(router_kind.validate(&c, err, sizeof err), 0);
    c.shards = 4;
    ck_assert_int_eq(router_kind.validate(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "range with 2 bounds makes 3 shards but shards is 4 (set shards = 3, or 0)");
    c.shards = 3;
    c.cross_shard_ratio = 0.1;
    c.tx_shards = 4;
    ck_assert_int_eq(router_kind.validate(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "tx_shards 4 is more than the 3 shards");
    opt_release(router_kind.options, &c);
}
END_TEST

/* ---- skew ----------------------------------------------------------------------------------- */

/* Monotonic inserts under range: every insert lands on the last shard. */
START_TEST(test_range_monotonic_inserts)
{
    sim s;
    sim_config cfg = test_config(3, 0, 10.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    test_add_station(&s, &clients_kind, "app",
                     (const char *const[]){"rate=1000/s", "read_ratio=0", "keys=latest(1000)",
                                           "limit=5000", "next=r", NULL});
    add_router(&s, (const char *const[]){"strategy=range(250, 500, 750)", "next=db", NULL});
    test_add_station(&s, &server_kind, "db", (const char *const[]){"service=exp(0.1ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    station *rt = find(&s, "r");
    for (uint32_t i = 0; i < 3; i++) ck_assert_uint_eq(router_shard_count(rt, i), 0);
    ck_assert_uint_eq(router_shard_count(rt, 3), 5000);
    ck_assert_uint_eq(find(&s, "r.shard.3")->stats.arrivals, 5000);
    ck_assert_uint_eq(find(&s, "r.shard.0")->stats.arrivals, 0);
    report rep;
    gather(&s, &rep);
    ck_assert_double_eq(report_get(&rep, "hot_shard_ratio"), 4.0);
    ck_assert_double_eq(report_get(&rep, "completed"), 5000);
    ck_assert(isnan(report_get(&rep, "keys_moved_ratio")));
    report_fini(&rep);
    assert_little(&s);
    sim_fini(&s);
}
END_TEST

/* Uniform keys under hash: hot_shard_ratio near 1 (multinomial bound, see the header). */
START_TEST(test_hash_uniform_hot_ratio)
{
    const unsigned R = test_quick() ? 20000 : 200000;
    const uint64_t K = 1000000;
    const uint32_t N = 4;
    sim s;
    sim_config cfg = test_config(11, 0, R / 10000.0 + 5.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    char limit[64];
    snprintf(limit, sizeof limit, "limit=%u", R);
    test_add_station(&s, &clients_kind, "app",
                     (const char *const[]){"rate=10000/s", "read_ratio=0.8", "keys=uniform(1M)",
                                           limit, "next=r", NULL});
    add_router(&s, (const char *const[]){"strategy=hash", "shards=4", "next=db", NULL});
    test_add_station(&s, &server_kind, "db", (const char *const[]){"service=exp(0.1ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    station *rt = find(&s, "r");
    /* p_i: the exact share of the key space on shard i. */
    uint64_t keys_on[4] = {0};
    for (uint64_t k = 0; k < K; k++) keys_on[shard_hash64(k) % N]++;
    uint64_t total = 0, max = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint64_t c = router_shard_count(rt, i);
        total += c;
        if (c > max) max = c;
    }
    ck_assert_uint_eq(total, R);
    /* t: smallest value with sum_i P(c_i >= t) <= 1e-3. */
    unsigned t = R / N;
    for (;; t++) {
        double sum = 0.0;
        for (uint32_t i = 0; i < N; i++)
            sum += gsl_cdf_binomial_Q(t - 1, (double)keys_on[i] / K, R);
        if (sum <= 1e-3) break;
    }
    double hot = router_hot_shard_ratio(rt);
    ck_assert_double_eq(hot, (double)max * N / R);
    ck_assert_msg(hot >= 1.0, "hot ratio %g below 1", hot);
    ck_assert_msg(max < t, "busiest shard %llu >= bound %u (hot ratio %g, bound %g)",
                  (unsigned long long)max, t, hot, (double)t * N / R);
    ck_assert_msg((double)t * N / R < (test_quick() ? 1.06 : 1.02), "bound %g is not near 1",
                  (double)t * N / R);
    assert_little(&s);
    sim_fini(&s);
}
END_TEST

/* ---- scatter-gather ------------------------------------------------------------------------ */

static void scatter_check(driver *d, request *r)
{
    uint32_t kids = plog.children[r->id];
    if (kids == 0) return; /* a single-shard read */
    ck_assert_uint_eq(kids, d->shards);
    d->scattered++;
    double slowest = plog.slowest[r->id];
    double now = d->base.sim->now;
    ck_assert_msg(now - r->t_start >= slowest - r->t_start,
                  "request %llu: latency %.9g below the slowest shard's %.9g",
                  (unsigned long long)r->id, now - r->t_start, slowest - r->t_start);
    ck_assert_msg(now == slowest + d->merge, "request %llu: reply at %.17g, slowest + merge %.17g",
                  (unsigned long long)r->id, now, slowest + d->merge);
}

/* n requests at Poisson times (rate 1000/s, fixed stream), op `op` unless every 10th is a
 * scan when with_scans. */
static drv_item *poisson_items(size_t n, int op, int with_scans)
{
    drv_item *items = calloc(n, sizeof *items);
    ck_assert_ptr_nonnull(items);
    rng g;
    rng_seed(&g, 5, 0, "test/arrivals");
    double t = 0.0;
    for (size_t i = 0; i < n; i++) {
        t += rng_exp(&g, 1e-3);
        items[i].t = t;
        items[i].op = with_scans && i % 10 == 9 ? OP_SCAN : op;
        items[i].key = rng_below(&g, 100000);
    }
    return items;
}

static void run_scatter(double ratio, size_t n, int with_scans, uint64_t *scattered,
                        uint64_t *reported)
{
    plog_init();
    drv_item *items = poisson_items(n, OP_READ, with_scans);
    sim s;
    sim_config cfg = test_config(7, 0, items[n - 1].t + 5.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    char sr[64];
    snprintf(sr, sizeof sr, "scatter_ratio=%.17g", ratio);
    router *rt = add_router(&s, (const char *const[]){"shards=5", "next=p", sr,
                                                      "merge_time=const(0.5ms)", NULL});
    test_add_station(&s, &probe_kind, "p", (const char *const[]){"mean=0.15ms", NULL});
    driver *d = add_driver(&s, &rt->base, items, n);
    d->check = scatter_check;
    d->merge = 0.0005;
    d->shards = 5;
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(d->replies[STATUS_OK], n);
    report rep;
    gather(&s, &rep);
    *reported = (uint64_t)report_get(&rep, "scatter_gathers");
    report_fini(&rep);
    *scattered = d->scattered;
    assert_little(&s);
    sim_fini(&s);
    free(items);
    plog_fini();
}

START_TEST(test_scatter_every_request)
{
    const size_t n = test_quick() ? 2000 : 20000;
    uint64_t scattered, reported;
    run_scatter(1.0, n, 0, &scattered, &reported);
    ck_assert_uint_eq(scattered, n);
    ck_assert_uint_eq(reported, n);
    /* Scans scatter whatever scatter_ratio says. */
    run_scatter(0.0, n, 1, &scattered, &reported);
    ck_assert_uint_eq(scattered, n / 10);
    ck_assert_uint_eq(reported, n / 10);
}
END_TEST

START_TEST(test_scatter_ratio_binomial)
{
    const size_t n = test_quick() ? 2000 : 20000;
    uint64_t scattered, reported;
    run_scatter(0.3, n, 0, &scattered, &reported);
    ck_assert_uint_eq(reported, scattered);
    assert_binomial(scattered, 0.3, (unsigned)n, 0.999, "scatter-gathers");
}
END_TEST

/* ---- two-phase commit ------------------------------------------------------------------------ */

START_TEST(test_two_phase_commit_down_participant)
{
    /* 49 transactions before a crash of shard 2, 49 while it is down, 49 after recovery,
     * then one whose commit round meets a crash. Writes take exactly 1 ms. */
    drv_item items[160];
    size_t n = 0;
    for (int i = 1; i <= 49; i++) items[n++] = (drv_item){.t = 0.01 * i, .op = OP_WRITE, .key = (uint64_t)i};
    items[n++] = (drv_item){.t = 0.5005, .op = -1, .action = "crash", .part = "shard.2"};
    for (int i = 51; i <= 99; i++) items[n++] = (drv_item){.t = 0.01 * i, .op = OP_WRITE, .key = (uint64_t)i};
    items[n++] = (drv_item){.t = 1.0005, .op = -1, .action = "recover", .part = "shard.2"};
    for (int i = 101; i <= 149; i++) items[n++] = (drv_item){.t = 0.01 * i, .op = OP_WRITE, .key = (uint64_t)i};
    items[n++] = (drv_item){.t = 2.0, .op = OP_WRITE, .key = 7};
    items[n++] = (drv_item){.t = 2.0015, .op = -1, .action = "crash", .part = "shard.2"};
    items[n++] = (drv_item){.t = 2.05, .op = -1, .action = "recover", .part = "shard.2"};
    sim s;
    sim_config cfg = test_config(1, 0, 3.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    router *rt = add_router(&s, (const char *const[]){"shards=4", "next=db", "cross_shard_ratio=1",
                                                      "tx_shards=4", "tx_retry=10ms", NULL});
    test_add_station(&s, &node_kind, "db",
                     (const char *const[]){"write_time=const(1ms)", "max_connections=0",
                                           "working_set=0", NULL});
    driver *d = add_driver(&s, &rt->base, items, n);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(d->replies[STATUS_OK], 99);
    ck_assert_uint_eq(d->replies[STATUS_FAILED], 49);
    ck_assert_uint_eq(d->replies[STATUS_REFUSED], 0);
    /* The blocked transaction: commit failed at 2.0015, resent at 2.0115 ... 2.0515, which
     * is after the recovery and takes 1 ms. */
    ck_assert_double_eq_tol(d->last_latency, 0.0525, 1e-9);
    report rep;
    gather(&s, &rep);
    ck_assert_double_eq(report_get(&rep, "tx_committed"), 99);
    ck_assert_double_eq(report_get(&rep, "tx_aborted"), 49);
    ck_assert_double_eq(report_get(&rep, "tx_commit_retries"), 5);
    report_fini(&rep);
    /* Shard 0: prepare + commit for 99, prepare + rollback for 49. */
    ck_assert_uint_eq(find(&s, "r.shard.0")->stats.arrivals, 99 * 2 + 49 * 2);
    for (uint32_t i = 0; i < 4; i++) ck_assert_uint_eq(router_shard_count(&rt->base, i), 148);
    ck_assert_uint_eq(sim_in_flight(&s), 0);
    sim_fini(&s);
}
END_TEST

/* Participants: the key's shard plus distinct others. */
START_TEST(test_two_phase_commit_participants)
{
    const size_t n = 3000;
    drv_item *items = poisson_items(n, OP_WRITE, 0);
    sim s;
    sim_config cfg = test_config(2, 0, items[n - 1].t + 2.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    plog_init();
    router *rt = add_router(&s, (const char *const[]){"shards=6", "next=p", "cross_shard_ratio=1",
                                                      "tx_shards=3", NULL});
    test_add_station(&s, &probe_kind, "p", (const char *const[]){"mean=0.1ms", NULL});
    driver *d = add_driver(&s, &rt->base, items, n);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(d->replies[STATUS_OK], n);
    uint64_t total = 0;
    for (uint32_t i = 0; i < 6; i++) total += router_shard_count(&rt->base, i);
    ck_assert_uint_eq(total, 3 * n);
    uint64_t arrivals = 0;
    for (uint32_t i = 0; i < 6; i++) {
        char name[32];
        snprintf(name, sizeof name, "r.shard.%u", i);
        arrivals += find(&s, name)->stats.arrivals;
    }
    ck_assert_uint_eq(arrivals, 6 * n); /* prepare + commit at 3 shards each */
    /* Every transaction had 6 children: 3 distinct participants, 2 rounds. */
    for (size_t id = 1; id < MAX_IDS; id++)
        if (plog.children[id]) ck_assert_uint_eq(plog.children[id], 6);
    sim_fini(&s);
    plog_fini();
    free(items);
}
END_TEST

/* ---- resharding ------------------------------------------------------------------------------ */

static void run_add_shard(const char *strategy)
{
    const unsigned R = 8000;
    const uint64_t K = 10000;
    sim s;
    sim_config cfg = test_config(4, 0, 8.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    test_add_station(&s, &clients_kind, "app",
                     (const char *const[]){"rate=2000/s", "read_ratio=0.5", "keys=uniform(10k)",
                                           "limit=8000", "next=r", NULL});
    char strat[64];
    snprintf(strat, sizeof strat, "strategy=%s", strategy);
    router *rt = add_router(&s, (const char *const[]){strat, "shards=4", "next=db", "key_space=10k",
                                                      "migrate_rate=100k/s", NULL});
    test_add_station(&s, &server_kind, "db", (const char *const[]){"service=exp(0.1ms)", NULL});
    static const drv_item add[] = {{.t = 1.0, .op = -1, .action = "add-shard"}};
    add_driver(&s, &rt->base, add, 1);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    /* The same maps, built here. */
    shard_strategy st;
    char err[300];
    ck_assert_int_eq(shard_strategy_parse(strategy, &st, err, sizeof err), 0);
    shard_map a, b;
    ck_assert_int_eq(shard_map_init(&a, &st, 4, 1000, err, sizeof err), 0);
    ck_assert_int_eq(shard_map_copy(&b, &a), 0);
    ck_assert_int_eq(shard_map_add(&b, 0, K, err, sizeof err), 0);
    uint64_t moved;
    double ratio = shard_map_moved(&a, &b, K, &moved);
    report rep;
    gather(&s, &rep);
    ck_assert_double_eq(report_get(&rep, "keys_moved_ratio"), ratio);
    ck_assert_double_eq(report_get(&rep, "keys_moved"), (double)moved);
    ck_assert_double_eq(report_get(&rep, "migration_copied"), (double)moved);
    ck_assert_double_eq(report_get(&rep, "migration_failed"), 0);
    ck_assert_double_eq(report_get(&rep, "completed"), R);
    ck_assert_double_eq(report_get(&rep, "shards.r"), 5);
    double done = report_get(&rep, "migration_done_s.r");
    /* One copy starts per tick of 1/migrate_rate at most (the window may slow it down). */
    ck_assert_msg(done >= 1.0 + (double)(moved - 1) / 100000 && done < 8.0,
                  "migration done at %g for %llu keys", done, (unsigned long long)moved);
    report_fini(&rep);
    /* Client requests once each; every moved key read at its old shard, written at its new. */
    uint64_t arrivals = 0, counted = 0;
    for (uint32_t i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "r.shard.%u", i);
        arrivals += find(&s, name)->stats.arrivals;
        counted += router_shard_count(&rt->base, i);
    }
    ck_assert_uint_eq(counted, R);
    ck_assert_uint_eq(arrivals, R + 2 * moved);
    ck_assert_uint_gt(router_shard_count(&rt->base, 4), 0);
    if (st.kind == SHARD_CONSISTENT) /* everything moved went to the new shard */
        ck_assert_uint_eq(find(&s, "r.shard.4")->stats.arrivals,
                          router_shard_count(&rt->base, 4) + moved);
    assert_little_late(&s, "r.shard.4", 1.0);
    shard_map_fini(&a);
    shard_map_fini(&b);
    sim_fini(&s);
}

START_TEST(test_add_shard_hash)
{
    run_add_shard("hash");
}
END_TEST

START_TEST(test_add_shard_consistent)
{
    run_add_shard("consistent(100)");
}
END_TEST

/* A cluster as the template: the new clone's primary and replica start mid-run. */
START_TEST(test_add_shard_cluster_template)
{
    sim s;
    sim_config cfg = test_config(9, 0, 6.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    test_add_station(&s, &clients_kind, "app",
                     (const char *const[]){"rate=1000/s", "read_ratio=0.7", "keys=uniform(10k)",
                                           "limit=4000", "next=r", NULL});
    router *rt = add_router(&s, (const char *const[]){"strategy=consistent(100)", "shards=2",
                                                      "next=db", "key_space=10k",
                                                      "migrate_rate=20k/s", NULL});
    const station_kind *cluster = registry_find("cluster");
    ck_assert_ptr_nonnull(cluster);
    test_add_station(&s, cluster, "db", (const char *const[]){"replicas=1", NULL});
    static const drv_item add[] = {{.t = 1.0, .op = -1, .action = "add-shard"}};
    add_driver(&s, &rt->base, add, 1);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    report rep;
    gather(&s, &rep);
    ck_assert_double_eq(report_get(&rep, "completed"), 4000);
    ck_assert_double_eq(report_get(&rep, "failed"), 0);
    ck_assert_double_eq(report_get(&rep, "migration_failed"), 0);
    ck_assert_double_eq(report_get(&rep, "migration_copied"), report_get(&rep, "keys_moved"));
    report_fini(&rep);
    ck_assert_int_eq(find(&s, "db")->hidden, 1);
    ck_assert_int_eq(find(&s, "db.primary")->hidden, 1);
    ck_assert_int_eq(find(&s, "r.shard.2")->hidden, 0);
    ck_assert_uint_gt(find(&s, "r.shard.2.primary")->stats.arrivals, 0);
    ck_assert_ptr_nonnull(sim_find_station(&s, "r.shard.2.replica.1"));
    ck_assert_uint_eq(find(&s, "db.primary")->stats.arrivals, 0);
    sim_fini(&s);
}
END_TEST

/* ---- directory ------------------------------------------------------------------------------- */

static uint64_t directory_lookups(const char *hit, unsigned R)
{
    sim s;
    sim_config cfg = test_config(6, 0, R / 2000.0 + 3.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    char limit[64], ch[64];
    snprintf(limit, sizeof limit, "limit=%u", R);
    snprintf(ch, sizeof ch, "directory_cache_hit=%s", hit);
    test_add_station(&s, &clients_kind, "app",
                     (const char *const[]){"rate=2000/s", "read_ratio=0.9", "keys=uniform(100k)",
                                           limit, "next=r", NULL});
    add_router(&s, (const char *const[]){"strategy=directory", "next=db", ch,
                                         "directory_time=exp(0.2ms)", "directory_servers=1", NULL});
    test_add_station(&s, &server_kind, "db", (const char *const[]){"service=exp(0.1ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    station *dir = find(&s, "r.directory");
    ck_assert_ptr_eq(dir->kind, &server_kind);
    uint64_t lookups = dir->stats.arrivals;
    report rep;
    gather(&s, &rep);
    ck_assert_double_eq(report_get(&rep, "completed"), R);
    report_fini(&rep);
    assert_little(&s);
    sim_fini(&s);
    return lookups;
}

START_TEST(test_directory_lookups)
{
    const unsigned R = test_quick() ? 4000 : 20000;
    ck_assert_uint_eq(directory_lookups("0", R), R);
    ck_assert_uint_eq(directory_lookups("1", R), 0);
    assert_binomial(directory_lookups("90%", R), 0.1, R, 0.999, "directory lookups");
}
END_TEST

/* ---- control ----------------------------------------------------------------------------------- */

START_TEST(test_control_errors)
{
    sim s;
    sim_config cfg = test_config(1, 0, 1.0, 0.0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    router *rt = add_router(&s, (const char *const[]){"strategy=geo", "shards=2", "next=db", NULL});
    test_add_station(&s, &server_kind, "db", NULL);
    ck_assert_int_eq(sim_start(&s), 0);
    station *st = &rt->base;
    char err[300];
    static const struct { const char *action, *part, *want; } cases[] = {
        {"add-shard", "", "router 'r': geo sharding follows the regions: a shard cannot be added"},
        {"crash", "", "unknown action 'crash' for router 'r' (expected add-shard, or an action on part shard.I)"},
        {"crash", "primary", "router 'r' has no part 'primary' (expected shard.I)"},
        {"crash", "shard.x", "router 'r' has no part 'shard.x' (expected shard.I or shard.I.PART)"},
        {"crash", "shard.7", "router 'r' has no shard 7 (shards 0 to 1)"},
        {"crash", "shard.1", "shard 'r.shard.1' (kind server) takes no timeline actions"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(st->ops->control(st, cases[i].action, cases[i].part, 0, err, sizeof err), -1);
        ck_assert_str_eq(err, cases[i].want);
    }
    ck_assert_ptr_null(sim_find_station(&s, "r.shard.2"));
    sim_fini(&s);
    /* Forwarding: a node shard takes crash and recover through the router. */
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    rt = add_router(&s, (const char *const[]){"shards=2", "next=db", NULL});
    test_add_station(&s, &node_kind, "db", NULL);
    ck_assert_int_eq(sim_start(&s), 0);
    st = &rt->base;
    ck_assert_int_eq(st->ops->control(st, "crash", "shard.1", 0, err, sizeof err), 0);
    ck_assert_int_eq(node_is_up(find(&s, "r.shard.1")), 0);
    ck_assert_int_eq(node_is_up(find(&s, "r.shard.0")), 1);
    ck_assert_int_eq(st->ops->control(st, "recover", "shard.1", 0, err, sizeof err), 0);
    ck_assert_int_eq(node_is_up(find(&s, "r.shard.1")), 1);
    ck_assert_int_eq(st->ops->control(st, "crash", "shard.1.primary", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "node 'r.shard.1' has no part 'primary'");
    ck_assert_int_eq(router_add_shard(st, err, sizeof err), 0);
    ck_assert_int_eq(node_is_up(find(&s, "r.shard.2")), 1);
    sim_fini(&s);
}
END_TEST

Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_clones_and_overrides);
    tcase_add_test(tc, test_override_errors);
    tcase_add_test(tc, test_validate);
    tcase_add_test(tc, test_range_monotonic_inserts);
    tcase_add_test(tc, test_scatter_every_request);
    tcase_add_test(tc, test_two_phase_commit_down_participant);
    tcase_add_test(tc, test_two_phase_commit_participants);
    tcase_add_test(tc, test_add_shard_hash);
    tcase_add_test(tc, test_add_shard_consistent);
    tcase_add_test(tc, test_add_shard_cluster_template);
    tcase_add_test(tc, test_control_errors);
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistical");
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    tcase_add_test(st, test_hash_uniform_hot_ratio);
    tcase_add_test(st, test_scatter_ratio_binomial);
    tcase_add_test(st, test_directory_lookups);
    suite_add_tcase(s, st);
    return s;
}
