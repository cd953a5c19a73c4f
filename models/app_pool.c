/* app_pool.c: application servers with their own connection pools (model in app_pool.h). */
#include "models/app_pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/report.h"

enum { EV_CONNECTED = 1, EV_SEND = 2 };  /* EV_CONNECTED: arg = app server */

static const opt_def app_pool_options[] = {
    {.name = "app_servers", .type = OPT_INT, .offset = offsetof(app_pool_config, app_servers),
     .def = "4", .min = 1, .max = 1e6,
     .help = "application servers; a request goes to server (user mod app_servers)"},
    {.name = "app_pool", .type = OPT_INT, .offset = offsetof(app_pool_config, app_pool),
     .def = "10", .min = 1, .max = 1e7,
     .help = "most connections per application server (HikariCP's maximumPoolSize is 10)"},
    {.name = "min_app_pool", .type = OPT_INT, .offset = offsetof(app_pool_config, min_app_pool),
     .def = "0", .min = 0, .max = 1e7,
     .help = "connections per application server open from the start; the rest open on demand"},
    {.name = "connect_time", .type = OPT_DIST, .offset = offsetof(app_pool_config, connect_time),
     .def = "const(3ms)", .min = 0, .max = INFINITY,
     .help = "time to open one connection to next"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(app_pool_config, next), .def = NULL,
     .help = "station the connections lead to (a pooler, node or cluster)"},
    STATION_REGION_ROW(app_pool_config),
    {0},
};

static int app_pool_validate(const void *config, char *err, size_t n)
{
    const app_pool_config *c = config;
    if (c->min_app_pool > c->app_pool) {
        snprintf(err, n, "min_app_pool %lld is more than app_pool %lld",
                 (long long)c->min_app_pool, (long long)c->app_pool);
        return -1;
    }
    return 0;
}

static app_pool *as_app_pool(station *st) { return (app_pool *)st; }

static int app_pool_init(station *st)
{
    app_pool *a = as_app_pool(st);
    a->cfg = st->config;
    const app_pool_config *c = a->cfg;
    char err[160];
    if (app_pool_validate(c, err, sizeof err) != 0) {
        sim_fail(st->sim, "station '%s': %s", st->name, err);
        return -1;
    }
    a->next = sim_find_station(st->sim, c->next);
    if (!a->next) {
        sim_fail(st->sim, "station '%s': next station '%s' does not exist", st->name, c->next);
        return -1;
    }
    a->pools = calloc((size_t)c->app_servers, sizeof *a->pools);
    if (!a->pools) {
        sim_fail(st->sim, "station '%s': out of memory for %lld application servers", st->name,
                 (long long)c->app_servers);
        return -1;
    }
    for (int64_t k = 0; k < c->app_servers; k++)
        pooler_conns_init(&a->pools[k], c->app_pool, c->min_app_pool, st->sim->now);
    hist_init(&a->wait);
    sim_stream(st->sim, st, "connect", &a->connect_rng);
    st->stats.servers = (double)c->app_servers * (double)c->app_pool;
    st->stats.capacity_rate = 0.0;
    return 0;
}

static int64_t server_of(const app_pool *a, const request *r)
{
    return (int64_t)(r->user % (uint64_t)a->cfg->app_servers);
}

static void take_conn(app_pool *a, double wait)
{
    hist_add(&a->wait, wait);
    a->in_use++;
    station_busy(&a->base, +1);
}

static void app_pool_arrive(station *st, request *r)
{
    app_pool *a = as_app_pool(st);
    pooler_frame_enter(st, r);
    int64_t k = server_of(a, r);
    int must_open;
    int got = pooler_conns_acquire(&a->pools[k], r, st->sim->now, &must_open);
    if (got < 0) {
        sim_fail(st->sim, "station '%s': out of memory for waiting requests", st->name);
        return;
    }
    if (must_open)
        sim_schedule(st->sim, dist_sample(&a->cfg->connect_time, &a->connect_rng), st,
                     EV_CONNECTED, NULL, (uint64_t)k);
    if (got == 0) return;
    take_conn(a, 0.0);
    sim_send(st->sim, st, a->next, r);
}

/* A waiter got a connection: sent through a zero-delay event, so that a chain of releases
 * (e.g. refusals coming straight back) never recurses. */
static void granted(app_pool *a, request *w, double wait)
{
    take_conn(a, wait);
    sim_schedule(a->base.sim, 0.0, &a->base, EV_SEND, w, 0);
}

static void app_pool_reply(station *st, request *r)
{
    app_pool *a = as_app_pool(st);
    a->in_use--;
    station_busy(st, -1);
    double wait;
    request *w = pooler_conns_release(&a->pools[server_of(a, r)], st->sim->now, &wait);
    if (w) granted(a, w, wait);
    pooler_frame_leave(st, r);
    sim_reply(st->sim, r);
}

static void app_pool_event(station *st, const sim_event *ev)
{
    app_pool *a = as_app_pool(st);
    double wait;
    request *w;
    switch (ev->kind) {
    case EV_CONNECTED:
        w = pooler_conns_opened(&a->pools[ev->arg], st->sim->now, &wait);
        if (w) granted(a, w, wait);
        break;
    case EV_SEND:
        sim_send(st->sim, st, a->next, ev->ptr);
        break;
    default:
        SIM_ASSERT(st->sim, !"unknown app_pool event kind");
    }
}

static void app_pool_reset(station *st)
{
    app_pool *a = as_app_pool(st);
    hist_reset(&a->wait);
    for (int64_t k = 0; k < a->cfg->app_servers; k++)
        pooler_conns_reset(&a->pools[k], st->sim->now);
}

static void put_value(report *out, const char *prefix, const char *name, double v)
{
    char key[256];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    report_max(out, key, v);
}

static void app_pool_report(station *st, report *out)
{
    app_pool *a = as_app_pool(st);
    if (a->wait.count) {
        put_value(out, "app_pool_wait_mean_ms.", st->name, 1e3 * hist_mean(&a->wait));
        put_value(out, "app_pool_wait_p99_ms.", st->name, 1e3 * hist_quantile(&a->wait, 0.99));
        report_hist_merge(out, "app_pool_wait", &a->wait);
    }
    double open = 0.0, opens = 0.0;
    for (int64_t k = 0; k < a->cfg->app_servers; k++) {
        open += (double)a->pools[k].open;
        opens += (double)a->pools[k].opens;
    }
    put_value(out, "app_conn_peak.", st->name, timeavg_max(&st->stats.busy));
    put_value(out, "app_conns_open.", st->name, open);
    put_value(out, "app_conn_opens.", st->name, opens);
}

static void app_pool_sample(station *st, report *out)
{
    if (st->hidden) return; /* a template cloned by a router: not a station of the run */
    put_value(out, "ts.app_conn_", st->name, (double)as_app_pool(st)->in_use);
}

int64_t app_pool_in_use(const station *st, int64_t k)
{
    return ((const app_pool *)st)->pools[k].in_use;
}

int64_t app_pool_open(const station *st, int64_t k)
{
    return ((const app_pool *)st)->pools[k].open;
}

static void app_pool_fini(station *st)
{
    app_pool *a = as_app_pool(st);
    if (a->pools)
        for (int64_t k = 0; k < a->cfg->app_servers; k++) pooler_conns_fini(&a->pools[k]);
    free(a->pools);
    a->pools = NULL;
}

static const station_ops app_pool_ops = {
    .init = app_pool_init,
    .arrive = app_pool_arrive,
    .reply = app_pool_reply,
    .event = app_pool_event,
    .reset = app_pool_reset,
    .report = app_pool_report,
    .sample = app_pool_sample,
    .fini = app_pool_fini,
};

const station_kind app_pool_kind = {
    .name = "app_pool",
    .summary = "application servers, each with its own connection pool (HikariCP-like): the "
               "first tier of multi-tier pooling",
    .options = app_pool_options,
    .config_size = sizeof(app_pool_config),
    .station_size = sizeof(app_pool),
    .ops = &app_pool_ops,
    .placed = 1,
    .region_offset = offsetof(app_pool_config, region),
    .validate = app_pool_validate,
};
