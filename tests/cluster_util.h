/* cluster_util.h: a workload "app" in front of a cluster "db", for the cluster and
 * replication suites: building, running in segments (to act on the cluster at a given
 * time), collecting the stations' reports, and Little's law on every station. */
#ifndef DBSCALE_CLUSTER_UTIL_H
#define DBSCALE_CLUSTER_UTIL_H

#include <check.h>
#include <math.h>

#include "models/clients.h"
#include "models/cluster.h"
#include "models/node.h"
#include "sim/report.h"
#include "tests/model_util.h"

typedef struct rig {
    sim s;          /* the simulation */
    clients *app;   /* the workload */
    cluster *db;    /* the cluster */
    report out;     /* reports of every station (rig_report) */
} rig;

/* Builds and starts app -> db with the given settings ("next=db" is added to app). */
static inline void rig_start(rig *g, uint64_t seed, uint64_t rep, double duration, double warmup,
                             const char *const *app, const char *const *db)
{
    sim_config cfg = test_config(seed, rep, duration, warmup);
    ck_assert_int_eq(sim_init(&g->s, &cfg), 0);
    const char *app_settings[32];
    size_t n = 0;
    for (; app && app[n]; n++) {
        ck_assert_uint_lt(n, 30);
        app_settings[n] = app[n];
    }
    app_settings[n++] = "next=db";
    app_settings[n] = NULL;
    g->app = (clients *)test_add_station(&g->s, &clients_kind, "app", app_settings);
    g->db = (cluster *)test_add_station(&g->s, &cluster_kind, "db", db);
    report_init(&g->out);
    ck_assert_int_eq(sim_start(&g->s), 0);
}

/* Runs on until simulated time `until` (the run's end moves there); asserts success. */
static inline void rig_run_until(rig *g, double until)
{
    g->s.cfg.duration = until;
    ck_assert_msg(sim_run(&g->s) == 0, "run failed: %s", g->s.error);
}

/* Calls the cluster's control op now; asserts it is accepted. */
static inline void rig_control(rig *g, const char *action, const char *part, double factor)
{
    char err[256] = "";
    station *st = &g->db->base;
    ck_assert_msg(st->ops->control(st, action, part, factor, err, sizeof err) == 0, "%s", err);
}

/* Collects every station's report into g->out (cleared first). */
static inline void rig_report(rig *g)
{
    report_clear(&g->out);
    for (size_t i = 0; i < g->s.n_stations; i++) {
        station *st = g->s.stations[i];
        if (st->ops->report) st->ops->report(st, &g->out);
    }
}

/* A reported value (0 when never written). */
static inline double rig_value(const rig *g, const char *name)
{
    double v = report_get(&g->out, name);
    return isnan(v) ? 0.0 : v;
}

static inline void rig_fini(rig *g)
{
    report_fini(&g->out);
    sim_fini(&g->s);
}

/* L = X W at every station with at least 1000 departures: an identity up to the requests
 * present at the two ends of the measured period, far below 1% for these run lengths. */
static inline void assert_little_everywhere(const sim *s)
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
    ck_assert_uint_ge(checked, 3);
}

/* The node station named `name`. */
static inline node *rig_node(const rig *g, const char *name)
{
    station *st = sim_find_station(&g->s, name);
    ck_assert_msg(st != NULL, "no station %s", name);
    return (node *)st;
}

#endif
