/* check_regions.c: regions in the database models: placement, cross-region replicas and
 * reads, geo sharding, partitions.
 *
 * Three regions with the round trips of the shipped scenarios: us-east - eu-west 80 ms,
 * us-east - ap-south 190 ms, eu-west - ap-south 120 ms (one-way = half). Service, link and
 * apply times are constants and the loads far below capacity (no request ever waits for a
 * core), so latencies are exact sums of delays: every assertion below is an equality up to
 * floating-point rounding (1e-9 s), or an exact count. Constant arrivals come at k / rate
 * (k = 1, 2, ...), which makes the counts around a partition exact too.
 *
 * What a wrong model would show: a remote write faster than its round trip (the one-way
 * delay forgotten on one leg), a local read paying a detour through the primary's region,
 * sync replication to a far replica no dearer than to a near one, geo requests landing in
 * another region's shard, a replica whose lag stays flat through a partition, or writes
 * across a cut succeeding.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "models/clients.h"
#include "models/app_pool.h"
#include "models/cluster.h"
#include "models/pooler.h"
#include "models/router.h"
#include "models/server.h"
#include "models/shard_map.h"
#include "tests/cluster_util.h"
#include "tests/test_util.h"

#define EPS 1e-9
#define US_EU 0.080   /* round trips (s) */
#define US_AP 0.190
#define EU_AP 0.120

/* A simulation with the three regions. */
static void start_sim(sim *s, uint64_t seed, double duration, double warmup)
{
    static const char *const names[] = {"us-east", "eu-west", "ap-south"};
    static const double rtt[9] = {0, US_EU, US_AP, US_EU, 0, EU_AP, US_AP, EU_AP, 0};
    sim_config cfg = test_config(seed, 0, duration, warmup);
    ck_assert_int_eq(sim_init(s, &cfg), 0);
    ck_assert_int_eq(sim_set_regions(s, 3, names, rtt), 0);
}

/* Adds a station placed in `region` (what the scenario loader does with `region =`). */
static station *add(sim *s, const station_kind *k, const char *name, const char *region,
                    const char *const *settings)
{
    station *st = test_add_station(s, k, name, settings);
    int idx = sim_region_index(s, region);
    ck_assert_int_ge(idx, 0);
    st->region = (uint16_t)idx;
    return st;
}

/* Constant-rate clients in `region` sending to `next`: `read_ratio` 1 (reads) or 0 (writes). */
static clients *add_clients(sim *s, const char *name, const char *region, const char *next,
                            const char *rate, const char *read_ratio, const char *limit)
{
    char n[64], rr[64], r[64], l[64];
    snprintf(n, sizeof n, "next=%s", next);
    snprintf(rr, sizeof rr, "read_ratio=%s", read_ratio);
    snprintf(r, sizeof r, "rate=%s", rate);
    snprintf(l, sizeof l, "limit=%s", limit ? limit : "0");
    const char *set[] = {"arrival=constant", r, rr, n, l, "keys=uniform(1000)", NULL};
    return (clients *)add(s, &clients_kind, name, region, set);
}

static void run(sim *s, double until)
{
    s->cfg.duration = until;
    ck_assert_msg(sim_run(s) == 0, "run failed: %s", s->error);
}

/* Every latency of op at c equals want (and there were some). */
static void assert_all(const clients *c, int op, double want)
{
    const hist *h = &c->latency[op];
    ck_assert_msg(h->count > 0, "%s: no %s", c->base.name, request_op_name(op));
    ck_assert_msg(fabs(h->min - want) < EPS && fabs(h->max - want) < EPS,
                  "%s: %s latency in [%.9g, %.9g] s, want %.9g s", c->base.name,
                  request_op_name(op), h->min, h->max, want);
}

/* ---- options and units ----------------------------------------------------------------- */

START_TEST(test_region_list_option)
{
    region_list l;
    char err[300], buf[256];
    ck_assert_int_eq(region_list_parse(" eu-west, ap-south ,us-east", &l, ".", err, sizeof err), 0);
    ck_assert_uint_eq(l.n, 3);
    ck_assert_str_eq(l.names[1], "ap-south");
    ck_assert_int_gt(region_list_format(&l, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "eu-west, ap-south, us-east");
    ck_assert_int_eq(region_list_parse("", &l, ".", err, sizeof err), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(region_list_parse("none", &l, ".", err, sizeof err), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(region_list_format(&l, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(region_list_parse("eu-west,,ap-south", &l, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "empty region name in 'eu-west,,ap-south' (expected names separated "
                          "by commas, e.g. 'us-east, eu-west')");
    ck_assert_int_eq(region_list_parse("eu west", &l, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "bad region name 'eu west' in 'eu west' (letters, digits, - _ .)");

    sim s;
    start_sim(&s, 1, 1.0, 0.0);
    uint16_t idx[4];
    ck_assert_int_eq(region_list_parse("ap-south, us-east", &l, ".", err, sizeof err), 0);
    ck_assert_int_eq(region_list_resolve(&l, &s, "replica_regions", idx, err, sizeof err), 0);
    ck_assert_uint_eq(idx[0], 2);
    ck_assert_uint_eq(idx[1], 0);
    ck_assert_int_eq(region_list_parse("eu-wst", &l, ".", err, sizeof err), 0);
    ck_assert_int_eq(region_list_resolve(&l, &s, "replica_regions", idx, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown region 'eu-wst' in replica_regions (regions: us-east, "
                          "eu-west, ap-south)");
    sim_fini(&s);

    /* The stations that can be placed, and an unknown region failing the start. */
    const station_kind *placed[] = {&node_kind, &pooler_kind, &app_pool_kind, &router_kind,
                                    &cluster_kind};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_msg(placed[i]->placed, "%s not placed", placed[i]->name);
        const opt_def *d = opt_find(placed[i]->options, "region");
        ck_assert_ptr_nonnull(d);
        ck_assert_uint_eq(d->offset, placed[i]->region_offset);
    }
    start_sim(&s, 1, 1.0, 0.0);
    add(&s, &cluster_kind, "db", "us-east", (const char *const[]){"replica_regions=eu-west, mars", NULL});
    ck_assert_int_eq(sim_start(&s), -1);
    ck_assert_str_eq(s.error, "station 'db': unknown region 'mars' in replica_regions (regions: "
                              "us-east, eu-west, ap-south)");
    sim_fini(&s);
}
END_TEST

START_TEST(test_geo_placement_map)
{
    /* Shards 0..4 in regions 1, 0, 1, 1, 3 of 5: region 0 -> shard 1; region 1 -> shards
     * 0, 2, 3 by key hash; region 2 and 4 (no shard) and out-of-range regions -> shard 0. */
    shard_strategy st;
    char err[200];
    ck_assert_int_eq(shard_strategy_parse("geo", &st, err, sizeof err), 0);
    shard_map m;
    ck_assert_int_eq(shard_map_init(&m, &st, 5, 1, err, sizeof err), 0);
    const uint16_t where[] = {1, 0, 1, 1, 3};
    ck_assert_int_eq(shard_map_place(&m, where, 5, err, sizeof err), 0);
    uint64_t seen[5] = {0};
    for (uint64_t k = 0; k < 3000; k++) {
        ck_assert_uint_eq(shard_map_lookup(&m, k, 0), 1);
        ck_assert_uint_eq(shard_map_lookup(&m, k, 2), 0);
        ck_assert_uint_eq(shard_map_lookup(&m, k, 3), 4);
        ck_assert_uint_eq(shard_map_lookup(&m, k, 4), 0);
        ck_assert_uint_eq(shard_map_lookup(&m, k, 9), 0);
        uint32_t s1 = shard_map_lookup(&m, k, 1);
        const uint32_t in_region_1[] = {0, 2, 3};
        ck_assert_uint_eq(s1, in_region_1[shard_hash64(k) % 3]);
        seen[s1]++;
    }
    ck_assert(seen[0] > 0 && seen[2] > 0 && seen[3] > 0);
    shard_map c;
    ck_assert_int_eq(shard_map_copy(&c, &m), 0);
    for (uint64_t k = 0; k < 100; k++)
        for (uint32_t r = 0; r < 6; r++)
            ck_assert_uint_eq(shard_map_lookup(&c, k, r), shard_map_lookup(&m, k, r));
    shard_map_fini(&c);
    const uint16_t bad[] = {1, 0, 7, 1, 1};
    ck_assert_int_eq(shard_map_place(&m, bad, 5, err, sizeof err), -1);
    ck_assert_str_eq(err, "shard 2 is placed in region 7, but there are 5 regions");
    shard_map_fini(&m);
}
END_TEST

/* ---- writes ------------------------------------------------------------------------------ */

START_TEST(test_remote_writes_pay_the_round_trip)
{
    /* Primary in us-east, 1 ms writes: a write from region X takes exactly RTT(X, us-east)
     * + 1 ms, every one of them (min = max), both with access = direct (through the
     * commit station) and = proxy (through the cluster's region). */
    static const char *const access[] = {"access=direct", "access=proxy"};
    for (int a = 0; a < 2; a++) {
        sim s;
        start_sim(&s, 3, 10.0, 0.0);
        clients *us = add_clients(&s, "us", "us-east", "db", "50/s", "0", "400");
        clients *eu = add_clients(&s, "eu", "eu-west", "db", "50/s", "0", "400");
        clients *ap = add_clients(&s, "ap", "ap-south", "db", "50/s", "0", "400");
        cluster *db = (cluster *)add(&s, &cluster_kind, "db", "us-east",
                                     (const char *const[]){"replicas=0", "primary.write_time=const(1ms)",
                                                           access[a], NULL});
        ck_assert_int_eq(sim_start(&s), 0);
        ck_assert(a == 0 ? db->commit != NULL : db->commit == NULL);
        run(&s, 10.0);
        assert_all(us, OP_WRITE, 0.001);
        assert_all(eu, OP_WRITE, US_EU + 0.001);
        assert_all(ap, OP_WRITE, US_AP + 0.001);
        ck_assert(eu->latency[OP_WRITE].min >= US_EU && ap->latency[OP_WRITE].min >= US_AP);
        ck_assert_uint_eq(us->failed + eu->failed + ap->failed, 0);
        ck_assert_uint_eq(db->commits, us->completed + eu->completed + ap->completed);
        sim_fini(&s);
    }
}
END_TEST

START_TEST(test_sync_to_a_far_replica)
{
    /* One replica, link const(1 ms), apply const(0.1 ms), writes const(1 ms) from us-east.
     * sync (confirmed on receipt): latency = 1 ms + 2 (1 ms + one-way(us-east, replica)),
     * so 3 ms in us-east, 83 ms in eu-west, 193 ms in ap-south: at least the round trip
     * more. async: 1 ms everywhere, and every record's lag = 1 ms + one-way + 0.1 ms. */
    static const char *const where[] = {"replica_regions=us-east", "replica_regions=eu-west",
                                        "replica_regions=ap-south"};
    static const double rtt[] = {0.0, US_EU, US_AP};
    for (int mode = 0; mode < 2; mode++) {
        for (int i = 0; i < 3; i++) {
            sim s;
            start_sim(&s, 5, 10.0, 0.0);
            clients *us = add_clients(&s, "us", "us-east", "db", "20/s", "0", NULL);
            cluster *db = (cluster *)add(
                &s, &cluster_kind, "db", "us-east",
                (const char *const[]){"replicas=1", where[i], mode ? "replication=sync" : "replication=async",
                                      "replica.link=const(1ms)", "replica.apply_time=const(0.1ms)",
                                      "primary.write_time=const(1ms)", NULL});
            ck_assert_int_eq(sim_start(&s), 0);
            run(&s, 10.0);
            if (mode) {
                assert_all(us, OP_WRITE, 0.001 + 2 * 0.001 + rtt[i]);
                ck_assert(us->latency[OP_WRITE].min >= rtt[i] + 0.001);
            } else {
                assert_all(us, OP_WRITE, 0.001);
            }
            const hist *lag = &db->reps[0]->wal->lag;
            ck_assert_uint_gt(lag->count, 150);
            double want = 0.001 + rtt[i] / 2 + 0.0001;
            ck_assert_msg(fabs(lag->min - want) < EPS && fabs(lag->max - want) < EPS,
                          "lag in [%.9g, %.9g], want %.9g", lag->min, lag->max, want);
            ck_assert_uint_eq(db->reps[0]->node->region, i);
            sim_fini(&s);
        }
    }
}
END_TEST

/* ---- reads ------------------------------------------------------------------------------- */

START_TEST(test_nearest_reads_stay_local)
{
    /* Primary in us-east, replicas in eu-west and ap-south, reads const(0.5 ms) everywhere.
     * read_from = nearest, access = direct: every read is served in its user's region and
     * takes exactly 0.5 ms. access = proxy: the reads cross to the proxy in us-east and on
     * to the local replica and back: 4 one-ways + 0.5 ms. */
    for (int proxy = 0; proxy < 2; proxy++) {
        sim s;
        start_sim(&s, 7, 10.0, 0.0);
        clients *us = add_clients(&s, "us", "us-east", "db", "100/s", "1", "900");
        clients *eu = add_clients(&s, "eu", "eu-west", "db", "100/s", "1", "900");
        clients *ap = add_clients(&s, "ap", "ap-south", "db", "100/s", "1", "900");
        cluster *db = (cluster *)add(
            &s, &cluster_kind, "db", "us-east",
            (const char *const[]){"replicas=2", "replica_regions=eu-west, ap-south", "read_from=nearest",
                                  "primary.read_time=const(0.5ms)", "replica.read_time=const(0.5ms)",
                                  proxy ? "access=proxy" : "access=direct", NULL});
        ck_assert_int_eq(sim_start(&s), 0);
        run(&s, 10.0);
        assert_all(us, OP_READ, 0.0005);
        assert_all(eu, OP_READ, proxy ? 2 * US_EU + 0.0005 : 0.0005);
        assert_all(ap, OP_READ, proxy ? 2 * US_AP + 0.0005 : 0.0005);
        ck_assert_uint_eq(db->local_reads, us->completed + eu->completed + ap->completed);
        ck_assert_uint_eq(db->primary_reads, us->completed);
        ck_assert_uint_eq(db->replica_reads, eu->completed + ap->completed);
        ck_assert_uint_eq(cluster_replica_by_number(db, 1)->node->stats.departures, eu->completed);
        ck_assert_uint_eq(cluster_replica_by_number(db, 2)->node->stats.departures, ap->completed);
        sim_fini(&s);
    }
}
END_TEST

START_TEST(test_replica_reads_pay_user_to_replica)
{
    /* read_from = replicas, round-robin over the eu-west and ap-south replicas, users in
     * eu-west only: reads alternate, 0.5 ms at the local replica and RTT(eu, ap) + 0.5 ms
     * at the far one (never through us-east: access = direct). */
    sim s;
    start_sim(&s, 9, 10.0, 0.0);
    clients *eu = add_clients(&s, "eu", "eu-west", "db", "100/s", "1", "900");
    cluster *db = (cluster *)add(
        &s, &cluster_kind, "db", "us-east",
        (const char *const[]){"replicas=2", "replica_regions=eu-west, ap-south",
                              "replica.read_time=const(0.5ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    run(&s, 10.0);
    uint64_t near = cluster_replica_by_number(db, 1)->node->stats.departures;
    uint64_t far = cluster_replica_by_number(db, 2)->node->stats.departures;
    ck_assert_uint_eq(near + far, eu->completed);
    ck_assert(near == far || near == far + 1 || far == near + 1);
    const hist *h = &eu->latency[OP_READ];
    ck_assert(fabs(h->min - 0.0005) < EPS && fabs(h->max - (EU_AP + 0.0005)) < EPS);
    double want = (double)near * 0.0005 + (double)far * (EU_AP + 0.0005);
    ck_assert_msg(fabs(h->sum - want) < 1e-6, "sum %.9g, want %.9g", h->sum, want);
    ck_assert_uint_eq(db->local_reads, near);
    sim_fini(&s);
}
END_TEST

/* ---- geo sharding ------------------------------------------------------------------------ */

/* Router "r" (geo) over a server template with const(1 ms) service; 500 requests from
 * each region. Returns the simulation run to the end (caller frees). */
static router *geo_run(sim *s, const char *shards, const char *regions, const char *deployment,
                       clients **cl)
{
    static const char *const names[] = {"us-east", "eu-west", "ap-south"};
    start_sim(s, 11, 20.0, 0.0);
    for (int i = 0; i < 3; i++) {
        char n[16];
        snprintf(n, sizeof n, "c%d", i);
        cl[i] = add_clients(s, n, names[i], "r", "100/s", "0.5", "500");
    }
    router *rt = (router *)add(s, &router_kind, "r", "us-east",
                               (const char *const[]){"strategy=geo", "next=db", shards, regions,
                                                     deployment, NULL});
    add(s, &server_kind, "db", "us-east", (const char *const[]){"servers=8", "service=const(1ms)", NULL});
    ck_assert_int_eq(sim_start(s), 0);
    run(s, 20.0);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(cl[i]->completed, 500);
        ck_assert_uint_eq(cl[i]->failed, 0);
    }
    return rt;
}

START_TEST(test_geo_routing_keeps_regions_apart)
{
    sim s;
    clients *cl[3];
    /* One shard per region, routers next to the users: each region's 500 requests all go to
     * its own shard, and take exactly the 1 ms service (no network at all). */
    router *rt = geo_run(&s, "shards=3", "shard_regions=us-east, eu-west, ap-south",
                         "deployment=per-region", cl);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(router_shard_count(&rt->base, i), 500);
        ck_assert_uint_eq(rt->shards[i]->region, i);
        ck_assert_uint_eq(rt->shards[i]->stats.departures, 500);
        assert_all(cl[i], OP_READ, 0.001);
        assert_all(cl[i], OP_WRITE, 0.001);
    }
    sim_fini(&s);
    /* A central router in us-east: users cross to it and on to their shard: 2 one-ways
     * each way. */
    rt = geo_run(&s, "shards=3", "shard_regions=us-east, eu-west, ap-south", "deployment=central", cl);
    assert_all(cl[0], OP_READ, 0.001);
    assert_all(cl[1], OP_READ, 2 * US_EU + 0.001);
    assert_all(cl[2], OP_WRITE, 2 * US_AP + 0.001);
    sim_fini(&s);
    /* No shard in ap-south: its requests go to shard 0 (us-east) and pay that round trip. */
    rt = geo_run(&s, "shards=2", "shard_regions=us-east, eu-west", "deployment=per-region", cl);
    ck_assert_uint_eq(router_shard_count(&rt->base, 0), 1000);
    ck_assert_uint_eq(router_shard_count(&rt->base, 1), 500);
    assert_all(cl[1], OP_READ, 0.001);
    assert_all(cl[2], OP_READ, US_AP + 0.001);
    sim_fini(&s);
}
END_TEST

START_TEST(test_geo_shards_are_clusters)
{
    /* A cluster template per region (its primary where the shard sits, one replica in
     * the next region): writes stay local (1 ms), and each shard's replica lags by its
     * link + one-way + apply. */
    static const char *const names[] = {"us-east", "eu-west", "ap-south"};
    sim s;
    start_sim(&s, 13, 10.0, 0.0);
    clients *cl[3];
    for (int i = 0; i < 3; i++) {
        char n[16];
        snprintf(n, sizeof n, "w%d", i);
        cl[i] = add_clients(&s, n, names[i], "r", "50/s", "0", "450");
    }
    router *rt = (router *)add(&s, &router_kind, "r", "us-east",
                               (const char *const[]){"strategy=geo", "next=db", "shards=3",
                                                     "shard_regions=us-east, eu-west, ap-south",
                                                     "deployment=per-region",
                                                     "shard_overrides=0: replica_regions = eu-west; "
                                                     "1: replica_regions = ap-south; "
                                                     "2: replica_regions = us-east",
                                                     NULL});
    add(&s, &cluster_kind, "db", "us-east",
        (const char *const[]){"replicas=1", "primary.write_time=const(1ms)", "replica.link=const(1ms)",
                              "replica.apply_time=const(0.1ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    run(&s, 10.0);
    static const double one_way[] = {US_EU / 2, EU_AP / 2, US_AP / 2};
    for (uint32_t i = 0; i < 3; i++) {
        assert_all(cl[i], OP_WRITE, 0.001);
        cluster *sh = (cluster *)rt->shards[i];
        ck_assert_uint_eq(sh->primary->region, i);
        ck_assert_uint_eq(sh->reps[0]->node->region, (i + 1) % 3);
        ck_assert_uint_eq(sh->commits, cl[i]->completed);
        const hist *lag = &sh->reps[0]->wal->lag;
        double want = 0.001 + one_way[i] + 0.0001;
        ck_assert_msg(lag->count > 0 && fabs(lag->min - want) < EPS && fabs(lag->max - want) < EPS,
                      "shard %u lag [%.9g, %.9g], want %.9g", i, lag->min, lag->max, want);
    }
    sim_fini(&s);
}
END_TEST

/* ---- partitions -------------------------------------------------------------------------- */

START_TEST(test_partition_cuts_wal_and_writes)
{
    /* Primary in us-east, one replica in ap-south (link 1 ms, apply 0.1 ms), read_from =
     * nearest. us-east writes and ap-south writes and reads at 100/s each, constant.
     * us-east and ap-south are cut at 2.005 s and healed at 4.005 s.
     *  - WAL: records in flight at the cut are lost; the oldest record the replica misses
     *    was committed before the cut, so at 3.0 s and 3.9 s the lag is at least the time
     *    since the cut, grows exactly with the clock (same oldest record), and the link
     *    broke once. The replica retries every 1 s; the first retry after the heal
     *    reconnects, and by 5 s the replica has caught up: the lag is then at most one
     *    record's trip (1 ms + 95 ms + 0.1 ms).
     *  - Writes from ap-south: one leaves at t, reaches us-east at t + 95 ms, commits at
     *    t + 96 ms and its acknowledgement leaves then. It fails when it is sent during the
     *    cut or its acknowledgement is: t in [2.005 - 0.096, 4.005), i.e. the arrivals
     *    k / 100 s for k = 191..400: exactly 210 (the 19 or so committed ones among them
     *    are lost answers, not lost writes).
     *  - Reads from ap-south go to the local replica: none fails, each takes 0.5 ms.
     *  - us-east writes never cross the cut: none fails, each takes 1 ms. */
    sim s;
    start_sim(&s, 17, 7.0, 0.0);
    clients *usw = add_clients(&s, "us_w", "us-east", "db", "100/s", "0", "600");
    clients *apw = add_clients(&s, "ap_w", "ap-south", "db", "100/s", "0", "600");
    clients *apr = add_clients(&s, "ap_r", "ap-south", "db", "100/s", "1", "600");
    cluster *db = (cluster *)add(
        &s, &cluster_kind, "db", "us-east",
        (const char *const[]){"replicas=1", "replica_regions=ap-south", "read_from=nearest",
                              "replica.link=const(1ms)", "replica.apply_time=const(0.1ms)",
                              "primary.write_time=const(1ms)", "replica.read_time=const(0.5ms)",
                              "replica.reconnect=1s", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    sim_schedule_partition(&s, 2.005, 0, 2, 1);
    sim_schedule_partition(&s, 4.005, 0, 2, 0);
    wal_replica *w = db->reps[0]->wal;
    run(&s, 2.0);
    ck_assert(wal_replica_lag(w) <= 0.0961 + EPS);
    run(&s, 3.0);
    double lag3 = wal_replica_lag(w);
    ck_assert_msg(lag3 >= 3.0 - 2.005, "lag at 3 s: %.9g", lag3);
    run(&s, 3.9);
    double lag39 = wal_replica_lag(w);
    ck_assert_msg(fabs(lag39 - lag3 - 0.9) < EPS, "lag at 3.9 s: %.9g (3 s: %.9g)", lag39, lag3);
    ck_assert_int_eq(w->linked, 0);
    ck_assert_uint_eq(w->disconnects, 1);
    run(&s, 5.0);
    ck_assert_int_eq(w->linked, 1);
    ck_assert_msg(wal_replica_lag(w) <= 0.0961 + EPS, "lag at 5 s: %.9g", wal_replica_lag(w));
    ck_assert(w->lag.max >= 3.9 - 2.005);
    run(&s, 7.0);
    ck_assert_uint_eq(apw->failed, 210);
    ck_assert_uint_eq(db->partition_failed, 210);
    ck_assert_uint_eq(apw->completed + apw->failed, 600);
    ck_assert_uint_eq(apr->failed, 0);
    assert_all(apr, OP_READ, 0.0005);
    ck_assert_uint_eq(usw->failed, 0);
    assert_all(usw, OP_WRITE, 0.001);
    assert_all(apw, OP_WRITE, US_AP + 0.001);
    ck_assert_uint_eq(w->disconnects, 1);
    sim_fini(&s);
}
END_TEST

START_TEST(test_partition_reroutes_reads)
{
    /* Users in ap-south, replicas in eu-west and ap-south, read_from = replicas; ap-south
     * is cut from eu-west for the whole run: every read goes to the local replica (the far
     * one is skipped, not failed). With read_from = primary and ap-south cut from us-east,
     * every read fails at once: exactly the 300 sent. */
    sim s;
    start_sim(&s, 19, 4.0, 0.0);
    clients *ap = add_clients(&s, "ap", "ap-south", "db", "100/s", "1", "300");
    cluster *db = (cluster *)add(
        &s, &cluster_kind, "db", "us-east",
        (const char *const[]){"replicas=2", "replica_regions=eu-west, ap-south",
                              "replica.read_time=const(0.5ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    sim_partition(&s, 1, 2, 1);
    run(&s, 4.0);
    ck_assert_uint_eq(ap->completed, 300);
    assert_all(ap, OP_READ, 0.0005);
    ck_assert_uint_eq(cluster_replica_by_number(db, 1)->node->stats.arrivals, 0);
    sim_fini(&s);

    start_sim(&s, 19, 4.0, 0.0);
    ap = add_clients(&s, "ap", "ap-south", "db", "100/s", "1", "300");
    db = (cluster *)add(&s, &cluster_kind, "db", "us-east",
                        (const char *const[]){"replicas=2", "replica_regions=eu-west, ap-south",
                                              "read_from=primary", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    sim_partition(&s, 0, 2, 1);
    run(&s, 4.0);
    ck_assert_uint_eq(ap->failed, 300);
    ck_assert_uint_eq(db->partition_failed, 300);
    ck_assert_uint_eq(db->primary->stats.arrivals, 0);
    sim_fini(&s);
}
END_TEST

/* ---- failover and wiring ----------------------------------------------------------------- */

START_TEST(test_failover_moves_the_primary_region)
{
    /* Primary in us-east, one replica in eu-west; the primary crashes at 1 s and the
     * replica is promoted after 0.5 s: from then on writes from eu-west take 1 ms and
     * writes from us-east the round trip. */
    sim s;
    start_sim(&s, 23, 2.0, 0.0);
    clients *us = add_clients(&s, "us", "us-east", "db", "50/s", "0", NULL);
    clients *eu = add_clients(&s, "eu", "eu-west", "db", "50/s", "0", NULL);
    cluster *db = (cluster *)add(
        &s, &cluster_kind, "db", "us-east",
        (const char *const[]){"replicas=1", "replica_regions=eu-west", "failover_delay=0.5s",
                              "primary.write_time=const(1ms)", "replica.write_time=const(1ms)",
                              "replica.link=const(1ms)", "replica.apply_time=const(0.1ms)", NULL});
    ck_assert_int_eq(sim_start(&s), 0);
    run(&s, 1.0);
    char err[256];
    ck_assert_int_eq(db->base.ops->control(&db->base, "crash", "primary", 0, err, sizeof err), 0);
    run(&s, 2.0);
    ck_assert_uint_eq(db->failovers, 1);
    ck_assert_uint_eq(db->primary->region, 1);
    ck_assert_uint_eq(db->commit->region, 1);
    /* Measure from 2 s on. */
    us->base.ops->reset(&us->base);
    eu->base.ops->reset(&eu->base);
    run(&s, 5.0);
    assert_all(eu, OP_WRITE, 0.001);
    assert_all(us, OP_WRITE, US_EU + 0.001);
    sim_fini(&s);
}
END_TEST

START_TEST(test_direct_needs_local_senders)
{
    /* A pooler in us-east in front of a direct cluster, users in eu-west: the run fails
     * with the explanation; the same pooler with us-east users runs. */
    for (int local = 0; local < 2; local++) {
        sim s;
        start_sim(&s, 29, 1.0, 0.0);
        add_clients(&s, "app", local ? "us-east" : "eu-west", "pool", "100/s", "1", NULL);
        add(&s, &pooler_kind, "pool", "us-east", (const char *const[]){"next=db", NULL});
        add(&s, &cluster_kind, "db", "us-east", (const char *const[]){"replicas=1", NULL});
        ck_assert_int_eq(sim_start(&s), 0);
        s.cfg.duration = 1.0;
        if (local) {
            ck_assert_int_eq(sim_run(&s), 0);
        } else {
            ck_assert_int_eq(sim_run(&s), -1);
            ck_assert_str_eq(s.error,
                             "cluster 'db' (access = direct) is reached from its users' region, "
                             "but station 'pool' in 'us-east' sends it requests of users in "
                             "'eu-west': place 'pool' with its users, route per region, or set "
                             "access = proxy");
        }
        sim_fini(&s);
    }
}
END_TEST

/* ---- Little's law ------------------------------------------------------------------------ */

START_TEST(test_little_everywhere)
{
    /* Poisson users in three regions (read 90%), exponential times: a cluster with nearest
     * reads and cross-region replicas; then geo shards that are clusters. L = X W at every
     * station with 1000 departures or more (cluster_util.h: within 1%). */
    static const char *const names[] = {"us-east", "eu-west", "ap-south"};
    double T = test_quick() ? 10.0 : 40.0;
    for (int geo = 0; geo < 2; geo++) {
        sim s;
        start_sim(&s, 31, T, 2.0);
        for (int i = 0; i < 3; i++) {
            char n[16];
            snprintf(n, sizeof n, "app%d", i);
            add(&s, &clients_kind, n, names[i],
                (const char *const[]){"rate=600/s", "read_ratio=0.9", "keys=zipf(0.9, 10k)",
                                      geo ? "next=r" : "next=db", NULL});
        }
        if (geo)
            add(&s, &router_kind, "r", "us-east",
                (const char *const[]){"strategy=geo", "next=db", "shards=3",
                                      "shard_regions=us-east, eu-west, ap-south",
                                      "deployment=per-region", NULL});
        add(&s, &cluster_kind, "db", "us-east",
            (const char *const[]){"replicas=2", geo ? "replica_regions=" : "replica_regions=eu-west, ap-south",
                                  "read_from=nearest", "replication=semi-sync(1, 1s)",
                                  "primary.read_time=exp(0.5ms)", "primary.write_time=exp(1ms)",
                                  "replica.read_time=exp(0.5ms)", "replica.link=exp(1ms)", NULL});
        ck_assert_int_eq(sim_start(&s), 0);
        run(&s, T);
        assert_little_everywhere(&s);
        sim_fini(&s);
    }
}
END_TEST

Suite *regions_suite(void)
{
    Suite *s = suite_create("regions");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_region_list_option);
    tcase_add_test(tc, test_geo_placement_map);
    tcase_add_test(tc, test_remote_writes_pay_the_round_trip);
    tcase_add_test(tc, test_sync_to_a_far_replica);
    tcase_add_test(tc, test_nearest_reads_stay_local);
    tcase_add_test(tc, test_replica_reads_pay_user_to_replica);
    tcase_add_test(tc, test_geo_routing_keeps_regions_apart);
    tcase_add_test(tc, test_geo_shards_are_clusters);
    tcase_add_test(tc, test_partition_cuts_wal_and_writes);
    tcase_add_test(tc, test_partition_reroutes_reads);
    tcase_add_test(tc, test_failover_moves_the_primary_region);
    tcase_add_test(tc, test_direct_needs_local_senders);
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistical");
    tcase_add_test(st, test_little_everywhere);
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    suite_add_tcase(s, st);
    return s;
}
