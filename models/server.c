/* server.c: c servers, FCFS, any service distribution, optional capacity. */
#include "models/server.h"

#include <math.h>
#include <stddef.h>

#include "models/request_codes.h"

enum { EV_DONE = 1 };  /* service completion: ptr = request */

static const opt_def server_options[] = {
    {.name = "servers", .type = OPT_INT, .offset = offsetof(server_config, servers),
     .def = "1", .min = 1, .max = 1e6, .help = "parallel servers (c)"},
    {.name = "service", .type = OPT_DIST, .offset = offsetof(server_config, service),
     .def = "exp(1ms)", .min = 0, .max = INFINITY, .help = "service time per request"},
    {.name = "capacity", .type = OPT_INT, .offset = offsetof(server_config, capacity),
     .def = "0", .min = 0, .max = 1e12,
     .help = "most requests present, waiting or in service; beyond it they are refused (0 = unlimited)"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(server_config, next),
     .def = "", .min = 1, .max = 0,
     .help = "station that served requests go to next (empty: reply to the sender)"},
    STATION_REGION_ROW(server_config),
    {0},
};

static server *as_server(station *st) { return (server *)st; }

static int server_init(station *st)
{
    server *sv = as_server(st);
    sv->cfg = st->config;
    st->stats.servers = (double)sv->cfg->servers;
    double mean = dist_mean(&sv->cfg->service);
    st->stats.capacity_rate = mean > 0.0 ? (double)sv->cfg->servers / mean : 0.0;
    sim_stream(st->sim, st, "service", &sv->service_rng);
    tally_reset(&sv->wait);
    if (sv->cfg->next) {
        sv->next = sim_find_station(st->sim, sv->cfg->next);
        if (!sv->next) {
            sim_fail(st->sim, "station '%s': next station '%s' does not exist", st->name, sv->cfg->next);
            return -1;
        }
    }
    return 0;
}

static void start_service(server *sv, request *r)
{
    station *st = &sv->base;
    sv->busy++;
    station_busy(st, +1);
    tally_add(&sv->wait, st->sim->now - r->t_arrive);
    sim_schedule(st->sim, dist_sample(&sv->cfg->service, &sv->service_rng), st, EV_DONE, r, 0);
}

static void server_arrive(station *st, request *r)
{
    server *sv = as_server(st);
    if (sv->cfg->capacity > 0 && sv->busy + sv->queued >= sv->cfg->capacity) {
        st->stats.refused++;
        r->status = STATUS_REFUSED;
        sim_reply(st->sim, r);
        return;
    }
    station_enter(st, r);
    if (sv->busy < sv->cfg->servers) {
        start_service(sv, r);
        return;
    }
    r->link = NULL;
    if (sv->tail) sv->tail->link = r;
    else sv->head = r;
    sv->tail = r;
    sv->queued++;
}

static void server_event(station *st, const sim_event *ev)
{
    server *sv = as_server(st);
    request *done = ev->ptr;
    station_leave(st, done);
    sv->busy--;
    station_busy(st, -1);
    if (sv->head) {
        request *r = sv->head;
        sv->head = r->link;
        if (!sv->head) sv->tail = NULL;
        sv->queued--;
        start_service(sv, r);
    }
    if (sv->next) sim_send(st->sim, st, sv->next, done);
    else sim_reply(st->sim, done);
}

static void server_reply(station *st, request *r)
{
    sim_reply(st->sim, r);
}

static void server_reset(station *st)
{
    tally_reset(&as_server(st)->wait);
}

double server_mean_wait(const station *st)
{
    const server *sv = (const server *)st;
    return sv->wait.n ? tally_mean(&sv->wait) : NAN;
}

static const station_ops server_ops = {
    .init = server_init,
    .arrive = server_arrive,
    .reply = server_reply,
    .event = server_event,
    .reset = server_reset,
};

const station_kind server_kind = {
    .name = "server",
    .summary = "generic queueing station: c servers, FCFS, any service distribution",
    .options = server_options,
    .config_size = sizeof(server_config),
    .station_size = sizeof(server),
    .ops = &server_ops,
    .placed = 1,
    .region_offset = offsetof(server_config, region),
};
