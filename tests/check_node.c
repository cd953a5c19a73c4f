/* check_node.c: the database node station.
 *
 * Deterministic cases (constant times chosen so that no event lands near the end of the
 * run) assert exact counts: the connection limit, saturated capacity, a buffer-pool miss
 * holding its connection but not a core, crash / recover, slow-down, the control op and
 * the option rows under a prefix (the table's rows included; the table itself is tested in
 * check_partitions.c). Statistical cases use fixed seeds: the buffer-pool miss
 * count must lie in the central 99.9% region of its exact binomial distribution; the read
 * latency and disk utilisation of an open Jackson network (M/M/2 CPU feeding an M/M/2 disk
 * by Burke's theorem and random thinning) and the USL throughput N / (S f(N)) of a closed
 * workload must lie in 99.9% Student-t intervals over replications that are also required
 * to be narrow. Little's law is checked on every station of the statistical runs.
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "models/clients.h"
#include "models/node.h"
#include "sim/confidence.h"
#include "sim/report.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

#define LEVEL 0.999
#define MAX_REPS 32
#define MB 1048576.0

/* ---- a driver station: sends requests and acts on a node at given times ------------- */

enum { DRV_SEND, DRV_CONTROL };

typedef struct drv_step {
    double t;            /* when */
    int what;            /* DRV_SEND or DRV_CONTROL */
    int count;           /* DRV_SEND: requests (reads) sent at once */
    const char *action;  /* DRV_CONTROL: "crash", "recover", "slow" */
    double factor;       /* DRV_CONTROL: factor for "slow" */
} drv_step;

typedef struct driver {
    station base;          /* must be first */
    station *target;       /* the node */
    const drv_step *steps; /* script */
    size_t n_steps;
    uint64_t replies[3];   /* replies by status (ok, refused, failed) */
    double last_reply;     /* time of the last reply */
} driver;

static const opt_def driver_options[] = {{0}};

static int driver_init(station *st)
{
    driver *d = (driver *)st;
    for (size_t i = 0; i < d->n_steps; i++)
        sim_schedule(st->sim, d->steps[i].t, st, 1, NULL, i);
    return 0;
}

static void driver_event(station *st, const sim_event *ev)
{
    driver *d = (driver *)st;
    const drv_step *step = &d->steps[ev->arg];
    if (step->what == DRV_SEND) {
        for (int i = 0; i < step->count; i++) {
            request *r = sim_request_new(st->sim);
            ck_assert_ptr_nonnull(r);
            r->op = OP_READ;
            sim_send(st->sim, st, d->target, r);
        }
    } else {
        char err[200];
        int rc = d->target->ops->control(d->target, step->action, "", step->factor, err, sizeof err);
        ck_assert_msg(rc == 0, "control %s: %s", step->action, err);
    }
}

static void driver_reply(station *st, request *r)
{
    driver *d = (driver *)st;
    ck_assert_int_ge(r->status, 0);
    ck_assert_int_le(r->status, 2);
    d->replies[r->status]++;
    d->last_reply = st->sim->now;
    sim_request_free(st->sim, r);
}

static void driver_arrive(station *st, request *r)
{
    sim_request_free(st->sim, r);
    ck_abort_msg("driver received a request");
}

static const station_ops driver_ops = {
    .init = driver_init,
    .arrive = driver_arrive,
    .reply = driver_reply,
    .event = driver_event,
};

static const station_kind driver_kind = {
    .name = "driver",
    .options = driver_options,
    .config_size = 1,
    .station_size = sizeof(driver),
    .ops = &driver_ops,
};

static driver *add_driver(sim *s, station *target, const drv_step *steps, size_t n)
{
    char none = 0;
    driver *d = (driver *)station_new(s, &driver_kind, "driver", &none);
    ck_assert_ptr_nonnull(d);
    d->target = target;
    d->steps = steps;
    d->n_steps = n;
    return d;
}

/* ---- helpers ------------------------------------------------------------------------- */

/* L = X W on every station with enough departures: equal up to the requests present at
 * the two ends of the measured period, far below 1% for these run lengths. */
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

/* The named value the node reports at the end of the run. */
static double reported(station *st, const char *name)
{
    report r;
    report_init(&r);
    st->ops->report(st, &r);
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

/* ---- option rows, closed forms ---------------------------------------------------------- */

typedef struct two_nodes {
    int64_t other;         /* something before, so offsets are not zero */
    node_config primary;   /* "primary." keys */
    node_config replica;   /* "replica." keys */
} two_nodes;

static const opt_def two_nodes_options[] = {
    NODE_OPTION_ROWS("primary.", two_nodes, primary),
    NODE_OPTION_ROWS("replica.", two_nodes, replica),
    {0},
};

START_TEST(test_option_rows)
{
    char err[256];
    size_t rows = opt_count(node_kind.options) - 1; /* the node's own: NODE_OPTION_ROWS + region */
    ck_assert_uint_eq(rows, 26);
    ck_assert_ptr_nonnull(opt_find(node_kind.options, "region"));
    ck_assert_uint_eq(opt_count(two_nodes_options), 2 * rows);
    two_nodes t = {0};
    ck_assert_int_eq(opt_defaults(two_nodes_options, &t, err, sizeof err), 0);
    const opt_def *d = opt_find(two_nodes_options, "replica.cores");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(opt_set(d, &t, "3", ".", err, sizeof err), 0);
    d = opt_find(two_nodes_options, "primary.working_set");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(opt_set(d, &t, "32GB", ".", err, sizeof err), 0);
    ck_assert_ptr_null(opt_find(two_nodes_options, "cores"));
    ck_assert_int_eq(t.other, 0);
    ck_assert_int_eq(t.primary.cores, 8);
    ck_assert_int_eq(t.replica.cores, 3);
    ck_assert_double_eq(t.primary.working_set, 32.0 * 1024 * MB);
    ck_assert_double_eq(t.replica.working_set, 8.0 * 1024 * MB);
    ck_assert_double_eq(t.replica.memory_per_connection, 10 * MB);
    ck_assert_int_eq(t.primary.max_connections, 100);
    ck_assert_double_eq_tol(dist_mean(&t.replica.read_time), 0.0005, 1e-15);
    /* buffer-pool miss probability: 1 - 16 / 32 for the primary, 0 for the replica */
    ck_assert_double_eq(node_miss_probability(&t.primary), 0.5);
    ck_assert_double_eq(node_miss_probability(&t.replica), 0.0);
    t.replica.working_set = 0;
    ck_assert_double_eq(node_miss_probability(&t.replica), 0.0);
    /* USL factor */
    t.primary.usl_sigma = 0.02;
    t.primary.usl_kappa = 0.0005;
    ck_assert_double_eq(node_usl_factor(&t.primary, 1), 1.0);
    ck_assert_double_eq_tol(node_usl_factor(&t.primary, 44), 1 + 0.02 * 43 + 0.0005 * 44 * 43, 1e-12);
    /* the table's rows under a prefix; the checks name the prefixed keys */
    ck_assert_int_eq(t.replica.table.method, PART_NONE);
    ck_assert_int_eq(t.replica.table.table_rows, 0);
    ck_assert_double_eq(t.replica.scan_window, 1.0);
    ck_assert_int_eq(t.replica.maintenance_workers, 1);
    static const char *const sets[][2] = {
        {"primary.partition_by", "range"}, {"primary.partitions", "12"},
        {"primary.scan_window", "1/30"},   {"replica.partition_rows", "1k, 2k"},
        {"replica.scan_index", "true"},    {"replica.vacuum_row_time", "3us"},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        d = opt_find(two_nodes_options, sets[i][0]);
        ck_assert_ptr_nonnull(d);
        ck_assert_msg(opt_set(d, &t, sets[i][1], ".", err, sizeof err) == 0, "%s", err);
    }
    ck_assert_int_eq(t.primary.table.method, PART_RANGE);
    ck_assert_int_eq(t.primary.table.partitions, 12);
    ck_assert_double_eq(t.primary.scan_window, 1.0 / 30);
    ck_assert_int_eq(t.replica.table.rows.n, 2);
    ck_assert_double_eq(t.replica.table.rows.rows[1], 2000);
    ck_assert_int_eq(t.replica.scan_index, 1);
    ck_assert_double_eq(t.replica.vacuum_row_time, 3e-6);
    ck_assert_int_eq(t.primary.table.rows.n, 0);
    ck_assert_int_eq(node_config_check(&t.primary, "primary.", err, sizeof err), 0);
    ck_assert_int_eq(node_config_check(&t.replica, "replica.", err, sizeof err), -1);
    ck_assert_str_eq(err, "replica.partition_rows lists 2 sizes but replica.partitions = 1 (one "
                          "size per key-range slice)");
    char buf[128];
    ck_assert_int_gt(opt_format(opt_find(two_nodes_options, "replica.partition_rows"), &t, buf,
                                sizeof buf), 0);
    ck_assert_str_eq(buf, "1k, 2k");
    /* a deep copy (as station_new makes) keeps the custom fields */
    two_nodes copy;
    ck_assert_int_eq(opt_copy(two_nodes_options, &copy, &t, sizeof t), 0);
    ck_assert_int_eq(copy.replica.table.rows.n, 2);
    ck_assert_double_eq(copy.replica.table.rows.rows[0], 1000);
    opt_release(two_nodes_options, &copy);
    opt_release(two_nodes_options, &t);
}
END_TEST

/* ---- connection limit ------------------------------------------------------------------- */

START_TEST(test_max_connections)
{
    /* M + 5 closed users, think const(125 ms), CPU time const(10 s): at 0.125 s the first
     * M arrivals get a connection (waiting or on a core) and the last 5 are refused; the 5
     * retry at 0.25, 0.375, ..., 0.875 s and are refused again: 7 x 5 = 35 refusals by the
     * end (0.99 s). Checked with fewer cores than M (waiting requests hold connections) and
     * with cores = M. */
    static const struct { const char *cores; int64_t m; } cases[] = {{"2", 10}, {"10", 10}, {"1", 3}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t m = cases[k].m;
        char pop[32], maxc[32], cores[32];
        snprintf(pop, sizeof pop, "population=%lld", (long long)(m + 5));
        snprintf(maxc, sizeof maxc, "max_connections=%lld", (long long)m);
        snprintf(cores, sizeof cores, "cores=%s", cases[k].cores);
        sim s;
        sim_config cfg = test_config(7, 0, 0.99, 0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        const char *src_set[] = {"arrival=closed", pop, "think=const(125ms)", "next=db", NULL};
        const char *db_set[] = {cores, maxc, "read_time=const(10s)", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        ck_assert_int_eq(sim_start(&s), 0);
        ck_assert_int_eq(sim_run(&s), 0);
        ck_assert_uint_eq(db->stats.arrivals, (uint64_t)m);
        ck_assert_uint_eq(db->stats.refused, 35);
        ck_assert_uint_eq(src->failed, 35);
        ck_assert_uint_eq(src->completed, 0);
        ck_assert_int_eq(node_connections(db), m);
        ck_assert_double_eq(reported(db, "conn_peak.db"), (double)m);
        ck_assert_double_eq(reported(db, "conn_memory_peak_mb.db"), 10.0 * (double)m);
        report ts;
        report_init(&ts);
        db->ops->sample(db, &ts);
        ck_assert_double_eq(report_get(&ts, "ts.conn_db"), (double)m);
        report_fini(&ts);
        sim_fini(&s);
    }
}
END_TEST

START_TEST(test_refused_status)
{
    /* One core, max 2 connections, CPU 1 s. At 0.5 s three reads: two get connections, the
     * third is refused (REFUSED). At 1 s a crash fails the two present (FAILED); a read at
     * 1.25 s finds the node down (FAILED); recover at 1.5 s; a read at 1.75 s is served
     * (OK at 2.75 s). */
    static const drv_step steps[] = {
        {0.5, DRV_SEND, 3, NULL, 0},        {1.0, DRV_CONTROL, 0, "crash", 0},
        {1.25, DRV_SEND, 1, NULL, 0},       {1.5, DRV_CONTROL, 0, "recover", 0},
        {1.75, DRV_SEND, 1, NULL, 0},
    };
    sim s;
    sim_config cfg = test_config(7, 0, 5.0, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *db_set[] = {"cores=1", "max_connections=2", "read_time=const(1s)", NULL};
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    driver *d = add_driver(&s, db, steps, sizeof steps / sizeof steps[0]);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(d->replies[STATUS_OK], 1);
    ck_assert_uint_eq(d->replies[STATUS_REFUSED], 1);
    ck_assert_uint_eq(d->replies[STATUS_FAILED], 3);
    ck_assert_double_eq(d->last_reply, 2.75);
    const node *nd = (const node *)db;
    ck_assert_uint_eq(nd->crashes, 1);
    ck_assert_uint_eq(nd->crash_failed, 2);
    ck_assert_uint_eq(nd->down_refused, 1);
    ck_assert_uint_eq(db->stats.refused, 2);
    ck_assert_uint_eq(db->stats.departures, 3);
    /* core busy 0.5..1.0 and 1.75..2.75 over 5 s */
    ck_assert_double_eq_tol(station_utilisation(db), 1.5 / 5.0, 1e-12);
    ck_assert_uint_eq(sim_in_flight(&s), 0);
    sim_fini(&s);
}
END_TEST

/* ---- capacity --------------------------------------------------------------------------- */

START_TEST(test_capacity_const)
{
    /* 4 cores, CPU const(1 ms), 50 closed users without think time: the cores never idle,
     * each completes one request per ms: 4 x 10000 by 10.0005 s; capacity 4000/s. */
    sim s;
    sim_config cfg = test_config(7, 0, 10.0005, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=50", "think=const(0)", "next=db", NULL};
    const char *db_set[] = {"cores=4", "max_connections=0", "read_time=const(1ms)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(db->stats.departures, 40000);
    ck_assert_uint_eq(src->completed, 40000);
    ck_assert_double_eq_tol(db->stats.capacity_rate, 4000.0, 1e-9);
    ck_assert_double_eq_tol(station_utilisation(db), 1.0, 1e-12);
    ck_assert_double_eq_tol(station_mean_present(db), 50.0, 1e-9);
    ck_assert_double_eq(db->stats.servers, 4.0);
    sim_fini(&s);
}
END_TEST

START_TEST(test_capacity_mix)
{
    /* Half reads const(1 ms), half writes const(3 ms), 4 saturated cores: capacity_rate is
     * 4 / (mean CPU time of the mix seen); the busy time 4 T is the CPU time of the
     * completed requests plus at most one unfinished request per core. */
    const double T = 20.0;
    sim s;
    sim_config cfg = test_config(7, 0, T, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=20", "think=const(0)",
                             "read_ratio=0.5", "next=db", NULL};
    const char *db_set[] = {"cores=4", "max_connections=0", "read_time=const(1ms)",
                            "write_time=const(3ms)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    const node *nd = (const node *)db;
    double nr = (double)nd->seen[OP_READ], nw = (double)nd->seen[OP_WRITE];
    ck_assert_double_eq(nr + nw, (double)db->stats.arrivals);
    ck_assert_double_eq_tol(db->stats.capacity_rate, 4.0 / ((nr * 0.001 + nw * 0.003) / (nr + nw)),
                            1e-6);
    double work = 0.001 * (double)src->latency[OP_READ].count +
                  0.003 * (double)src->latency[OP_WRITE].count;
    ck_assert_msg(work <= 4 * T + 1e-6 && work >= 4 * T - 4 * 0.003 - 1e-6,
                  "CPU time of completed requests %g, busy time %g", work, 4 * T);
    sim_fini(&s);
}
END_TEST

/* ---- buffer pool and disk --------------------------------------------------------------- */

START_TEST(test_miss_frees_core)
{
    /* Every read misses (memory 0): CPU const(1 ms) then disk const(10 ms), 1 core, 1 disk,
     * 5 closed users. The disk is the bottleneck: reads complete at 11 ms, 21 ms, ...,
     * 9.991 s: 999 by 10.0005 s. The core is busy 1 ms per read (utilisation 0.1), not
     * during the disk read; the 5 users always hold 5 connections. */
    sim s;
    sim_config cfg = test_config(7, 0, 10.0005, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=5", "think=const(0)", "next=db", NULL};
    const char *db_set[] = {"cores=1", "read_time=const(1ms)", "memory=0", "working_set=1GB",
                            "disk_parallelism=1", "disk_read_time=const(10ms)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(src->completed, 999);
    const node *nd = (const node *)db;
    ck_assert_uint_eq(nd->hits, 0);
    /* misses: every read that finished its CPU time: 999 done + 1 on the disk + 4 waiting */
    ck_assert_uint_eq(nd->misses, 1004);
    ck_assert_double_eq_tol(station_utilisation(db), 1004 * 0.001 / 10.0005, 1e-9);
    ck_assert_double_eq_tol(station_mean_present(db), 5.0, 1e-9);
    ck_assert_double_eq_tol(reported(db, "node.db.disk_utilisation"), (10.0005 - 0.001) / 10.0005,
                            1e-9);
    ck_assert_double_eq(reported(db, "buffer_pool_hit_ratio.db"), 0.0);
    /* capacity: the disk, 1 / (1 x 1 x 10 ms) */
    ck_assert_double_eq_tol(db->stats.capacity_rate, 100.0, 1e-9);
    sim_fini(&s);
}
END_TEST

START_TEST(test_buffer_pool)
{
    /* memory / working_set = 0.25: a read misses with probability 0.75. Poisson reads at
     * 1500/s; 2 cores exp(1 ms) (M/M/2, a = 1.5); misses go to 2 disks exp(1 ms): Poisson
     * at 1125/s (departures of M/M/c are Poisson, thinned at random), an M/M/2 with
     * a = 1.125. Mean read latency = Wq(cpu) + 1 ms + 0.75 (Wq(disk) + 1 ms); disk
     * utilisation 1125 x 1 ms / 2. The misses summed over all replications lie in the
     * central 99.9% of Binomial(decisions, 0.75). */
    int reps = test_quick() ? 6 : 12;
    double duration = test_quick() ? 20 : 60, warmup = 5;
    const char *src_set[] = {"rate=1500/s", "next=db", NULL};
    const char *db_set[] = {"cores=2", "max_connections=0", "read_time=exp(1ms)",
                            "memory=1GB", "working_set=4GB", "disk_parallelism=2",
                            "disk_read_time=exp(1ms)", NULL};
    double lat[MAX_REPS], util[MAX_REPS];
    uint64_t hits = 0, misses = 0;
    for (int r = 0; r < reps; r++) {
        sim s;
        sim_config cfg = test_config(20261121, (uint64_t)r, duration, warmup);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        ck_assert_int_eq(sim_start(&s), 0);
        ck_assert_int_eq(sim_run(&s), 0);
        const node *nd = (const node *)db;
        hits += nd->hits;
        misses += nd->misses;
        ck_assert_double_eq(reported(db, "buffer_pool_hit_ratio.db"),
                            (double)nd->hits / (double)(nd->hits + nd->misses));
        lat[r] = hist_mean(&src->latency_all);
        util[r] = reported(db, "node.db.disk_utilisation");
        assert_little(&s);
        sim_fini(&s);
    }
    unsigned n = (unsigned)(hits + misses);
    unsigned lo = 0, hi = n;
    while (lo < n && gsl_cdf_binomial_P(lo, 0.75, n) < 0.0005) lo++;
    while (hi > 0 && gsl_cdf_binomial_Q(hi - 1, 0.75, n) < 0.0005) hi--;
    ck_assert_msg(misses >= lo && misses <= hi, "%llu misses in %u reads; expected %u..%u",
                  (unsigned long long)misses, n, lo, hi);
    double wq_cpu = erlang_c(2, 1.5) / (2000.0 - 1500.0);
    double wq_disk = erlang_c(2, 1.125) / (2000.0 - 1125.0);
    double truth = wq_cpu + 0.001 + 0.75 * (wq_disk + 0.001);
    double rel = test_quick() ? 0.08 : 0.03;
    assert_covers("mean read latency (Jackson: M/M/2 CPU, M/M/2 disk)",
                  ci_of(lat, (size_t)reps, LEVEL), truth, rel);
    assert_covers("disk utilisation", ci_of(util, (size_t)reps, LEVEL), 1125 * 0.001 / 2, rel);
}
END_TEST

/* ---- contention (USL) ------------------------------------------------------------------- */

START_TEST(test_usl)
{
    /* N closed users without think time, cores >= N, CPU exp(1 ms), sigma 0.02, kappa
     * 0.0005: every request starts with N connections present, so each user completes a
     * request every S f(N) on average and X(N) = N / (S f(N)), peaking at
     * N* = sqrt(0.98 / 0.0005) = 44.3. */
    static const int ns[] = {10, 30, 44, 60, 120};
    enum { NN = sizeof ns / sizeof ns[0] };
    int reps = test_quick() ? 6 : 10;
    double duration = test_quick() ? 6 : 21, warmup = 1;
    const char *db_set[] = {"cores=120", "max_connections=0", "read_time=exp(1ms)",
                            "usl_sigma=0.02", "usl_kappa=0.0005", NULL};
    node_config fcfg = {.usl_sigma = 0.02, .usl_kappa = 0.0005};
    double means[NN];
    for (int i = 0; i < NN; i++) {
        char pop[32];
        snprintf(pop, sizeof pop, "population=%d", ns[i]);
        const char *src_set[] = {"arrival=closed", pop, "think=const(0)", "next=db", NULL};
        double x[MAX_REPS];
        for (int r = 0; r < reps; r++) {
            sim s;
            sim_config cfg = test_config(20261121, (uint64_t)r, duration, warmup);
            ck_assert_int_eq(sim_init(&s, &cfg), 0);
            clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
            test_add_station(&s, &node_kind, "db", db_set);
            ck_assert_int_eq(sim_start(&s), 0);
            ck_assert_int_eq(sim_run(&s), 0);
            x[r] = (double)src->completed / (duration - warmup);
            assert_little(&s);
            sim_fini(&s);
        }
        double truth = ns[i] / (0.001 * node_usl_factor(&fcfg, ns[i]));
        char what[64];
        snprintf(what, sizeof what, "USL throughput at N = %d", ns[i]);
        ci c = ci_of(x, (size_t)reps, LEVEL);
        assert_covers(what, c, truth, test_quick() ? 0.025 : 0.01);
        means[i] = c.mean;
    }
    int best = 0;
    for (int i = 1; i < NN; i++)
        if (means[i] > means[best]) best = i;
    ck_assert_msg(ns[best] == 44, "measured throughput peaks at N = %d, not 44", ns[best]);
}
END_TEST

/* ---- crash, recover, slow-down, control ----------------------------------------------- */

START_TEST(test_crash_recover)
{
    /* 10 closed users, think const(0.25 s), 4 cores, CPU const(1 s). All arrive at 0.25 s
     * (4 on cores, 6 waiting). Crash at 1 s: the 10 fail. Retries at 1.25, 1.5, 1.75, 2 s
     * find the node down: 40 more failures. Recover at 2.125 s; the 10 arrive at 2.25 s;
     * 4 complete at 3.25 s and return at 3.5 s; the run ends at 4 s. */
    static const drv_step steps[] = {
        {1.0, DRV_CONTROL, 0, "crash", 0},
        {2.125, DRV_CONTROL, 0, "recover", 0},
    };
    sim s;
    sim_config cfg = test_config(7, 0, 4.0, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=10", "think=const(250ms)", "next=db", NULL};
    const char *db_set[] = {"cores=4", "read_time=const(1s)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    add_driver(&s, db, steps, sizeof steps / sizeof steps[0]);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(node_is_up(db), 1);
    ck_assert_int_eq(sim_run(&s), 0);
    const node *nd = (const node *)db;
    ck_assert_int_eq(node_is_up(db), 1);
    ck_assert_uint_eq(nd->crashes, 1);
    ck_assert_uint_eq(nd->crash_failed, 10);
    ck_assert_uint_eq(nd->down_refused, 40);
    ck_assert_uint_eq(db->stats.refused, 40);
    ck_assert_uint_eq(src->failed, 50);
    ck_assert_uint_eq(src->completed, 4);
    ck_assert_uint_eq(db->stats.arrivals, 24);
    ck_assert_uint_eq(db->stats.departures, 14);
    ck_assert_int_eq(node_connections(db), 10);
    ck_assert_int_eq(nd->cpu_busy, 4);
    ck_assert_int_eq(nd->cpu_q.n, 6);
    /* cores busy: 4 over [0.25, 1] and [2.25, 4] */
    ck_assert_double_eq_tol(station_utilisation(db), (0.75 + 1.75) / 4.0, 1e-12);
    /* connections: 10 over [0.25, 1] and [2.25, 3.25] and [3.5, 4], 6 over [3.25, 3.5] */
    ck_assert_double_eq_tol(station_mean_present(db), (10 * 0.75 + 10 + 6 * 0.25 + 10 * 0.5) / 4.0,
                            1e-12);
    sim_fini(&s);
}
END_TEST

START_TEST(test_crash_on_disk)
{
    /* Every read misses; CPU const(0.25 s), one disk const(1 s). Three reads at 0: CPU
     * 0-0.25, 0.25-0.5, 0.5-0.75; the first is on the disk from 0.25 s, the others wait for
     * it. A crash at 1 s fails all three (the disk completion is cancelled); node_crash
     * and node_recover are called directly here. */
    static const drv_step steps[] = {{0.0, DRV_SEND, 3, NULL, 0}};
    sim s;
    sim_config cfg = test_config(7, 0, 1.0, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *db_set[] = {"cores=1", "read_time=const(0.25s)", "memory=0", "working_set=1GB",
                            "disk_parallelism=1", "disk_read_time=const(1s)", NULL};
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    driver *d = add_driver(&s, db, steps, 1);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_int_eq(node_connections(db), 3);
    node_crash(db);
    ck_assert_int_eq(node_is_up(db), 0);
    node_crash(db); /* already down: nothing more */
    ck_assert_uint_eq(d->replies[STATUS_FAILED], 3);
    ck_assert_int_eq(node_connections(db), 0);
    ck_assert_double_eq_tol(reported(db, "node.db.disk_utilisation"), 0.75, 1e-12);
    /* run on to 3 s: the cancelled disk completion (due 1.25 s) must not fire */
    s.cfg.duration = 3.0;
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(d->replies[STATUS_FAILED], 3);
    ck_assert_uint_eq(d->replies[STATUS_OK], 0);
    ck_assert_uint_eq(db->stats.departures, 3);
    node_recover(db);
    ck_assert_int_eq(node_is_up(db), 1);
    ck_assert_uint_eq(sim_in_flight(&s), 0);
    sim_fini(&s);
}
END_TEST

START_TEST(test_slowdown)
{
    /* One closed user without think time, one core, const(1 ms): 5000 completions by 5 s.
     * "slow 2x" at 5.0005 s: the request started at 5 s finishes at 5.001 s, then one every
     * 2 ms: 2499 more by 10.0005 s. Total 7500. */
    static const drv_step steps[] = {{5.0005, DRV_CONTROL, 0, "slow", 2.0}};
    sim s;
    sim_config cfg = test_config(7, 0, 10.0005, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    const char *src_set[] = {"arrival=closed", "population=1", "think=const(0)", "next=db", NULL};
    const char *db_set[] = {"cores=1", "read_time=const(1ms)", NULL};
    clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
    station *db = test_add_station(&s, &node_kind, "db", db_set);
    add_driver(&s, db, steps, 1);
    ck_assert_int_eq(sim_start(&s), 0);
    ck_assert_double_eq_tol(db->stats.capacity_rate, 1000.0, 1e-9);
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_uint_eq(src->completed, 7500);
    ck_assert_double_eq_tol(db->stats.capacity_rate, 500.0, 1e-9);
    node_set_slowdown(db, 1.0);
    ck_assert_double_eq_tol(db->stats.capacity_rate, 1000.0, 1e-9);
    sim_fini(&s);
}
END_TEST

START_TEST(test_control_errors)
{
    sim s;
    sim_config cfg = test_config(7, 0, 1.0, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    station *db = test_add_station(&s, &node_kind, "db", NULL);
    ck_assert_int_eq(sim_start(&s), 0);
    char err[200];
    ck_assert_int_eq(db->ops->control(db, "explode", "", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown action 'explode' for node 'db' (expected crash, recover, slow, "
                          "drop-partition, delete-rows)");
    ck_assert_int_eq(db->ops->control(db, "crash", "replica.1", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "node 'db' has no part 'replica.1'");
    ck_assert_int_eq(db->ops->control(db, "slow", "", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "slow-down factor 0 for node 'db' must be above 0");
    ck_assert_int_eq(node_is_up(db), 1);
    ck_assert_int_eq(db->ops->control(db, "crash", "", 0, err, sizeof err), 0);
    ck_assert_int_eq(node_is_up(db), 0);
    ck_assert_int_eq(db->ops->control(db, "recover", "", 0, err, sizeof err), 0);
    ck_assert_int_eq(node_is_up(db), 1);
    sim_fini(&s);
}
END_TEST

Suite *node_suite(void)
{
    Suite *s = suite_create("node");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_option_rows);
    tcase_add_test(tc, test_max_connections);
    tcase_add_test(tc, test_refused_status);
    tcase_add_test(tc, test_capacity_const);
    tcase_add_test(tc, test_capacity_mix);
    tcase_add_test(tc, test_miss_frees_core);
    tcase_add_test(tc, test_crash_recover);
    tcase_add_test(tc, test_crash_on_disk);
    tcase_add_test(tc, test_slowdown);
    tcase_add_test(tc, test_control_errors);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistical");
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    tcase_add_test(st, test_buffer_pool);
    tcase_add_test(st, test_usl);
    suite_add_tcase(s, st);
    return s;
}
