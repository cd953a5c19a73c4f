/* clients.c: open and closed workloads; end-to-end latency recording. */
#include "models/clients.h"

#include <math.h>
#include <stddef.h>

#include "sim/report.h"

enum { EV_ARRIVAL = 1, EV_THINK_DONE = 2 };

static const opt_choice arrival_choices[] = {
    {"poisson", ARRIVAL_POISSON, "open: exponential inter-arrival times at `rate`"},
    {"constant", ARRIVAL_CONSTANT, "open: one request every 1/rate seconds"},
    {"closed", ARRIVAL_CLOSED, "closed: `population` users, each waits for its reply then thinks"},
    {0},
};

static const opt_def clients_options[] = {
    {.name = "arrival", .type = OPT_ENUM, .offset = offsetof(clients_config, arrival),
     .def = "poisson", .choices = arrival_choices, .help = "arrival process"},
    {.name = "rate", .type = OPT_RATE, .offset = offsetof(clients_config, rate),
     .def = "100/s", .min = 0, .max = 1e12, .help = "open arrivals: requests per second"},
    {.name = "population", .type = OPT_INT, .offset = offsetof(clients_config, population),
     .def = "10", .min = 1, .max = 1e8, .help = "closed: number of users"},
    {.name = "think", .type = OPT_DIST, .offset = offsetof(clients_config, think),
     .def = "exp(100ms)", .min = 0, .max = INFINITY, .help = "closed: think time between a reply and the next request"},
    {.name = "read_ratio", .type = OPT_RATIO, .offset = offsetof(clients_config, read_ratio),
     .def = "1", .min = 0, .max = 1, .help = "share of requests that are reads (the rest are writes)"},
    {.name = "keys", .type = OPT_KEYS, .offset = offsetof(clients_config, keys),
     .def = "uniform(1M)", .help = "key popularity: uniform(N), zipf(s,N), hotspot(fk,fo,N), latest(N)"},
    {.name = "users", .type = OPT_INT, .offset = offsetof(clients_config, users),
     .def = "1000", .min = 1, .max = 1e9, .help = "distinct users (sessions) issuing open arrivals"},
    {.name = "limit", .type = OPT_INT, .offset = offsetof(clients_config, limit),
     .def = "0", .min = 0, .max = 9e18, .help = "stop after creating this many requests (0 = no limit)"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(clients_config, next),
     .def = NULL, .help = "station the requests go to"},
    {0},
};

static clients *as_clients(station *st) { return (clients *)st; }

/* Creates one request and sends it. Returns 0, or -1 when the in-flight cap stopped the run. */
static int issue(clients *c, uint32_t user)
{
    station *st = &c->base;
    if (c->cfg->limit && c->created >= (uint64_t)c->cfg->limit) return -1;
    request *r = sim_request_new(st->sim);
    if (!r) return -1;
    c->created++;
    r->op = rng_uniform(&c->mix_rng) < c->cfg->read_ratio ? OP_READ : OP_WRITE;
    r->key = keydist_sample(&c->keys, &c->keys_rng);
    r->user = user;
    sim_send(st->sim, st, c->next, r);
    return 0;
}

static double next_gap(clients *c)
{
    if (c->cfg->arrival == ARRIVAL_CONSTANT) return c->mean_gap;
    return rng_exp(&c->arrivals_rng, c->mean_gap);
}

static int clients_init(station *st)
{
    clients *c = as_clients(st);
    c->cfg = st->config;
    c->keys = c->cfg->keys;
    c->next = sim_find_station(st->sim, c->cfg->next);
    if (!c->next) {
        sim_fail(st->sim, "station '%s': next station '%s' does not exist", st->name, c->cfg->next);
        return -1;
    }
    sim_stream(st->sim, st, "arrivals", &c->arrivals_rng);
    sim_stream(st->sim, st, "mix", &c->mix_rng);
    sim_stream(st->sim, st, "keys", &c->keys_rng);
    sim_stream(st->sim, st, "users", &c->users_rng);
    for (int op = 0; op < OP_COUNT; op++) hist_init(&c->latency[op]);
    hist_init(&c->latency_all);
    hist_init(&c->interval);
    c->sampling = st->sim->cfg.sample_interval > 0.0;
    if (c->cfg->arrival == ARRIVAL_CLOSED) {
        for (int64_t u = 0; u < c->cfg->population; u++)
            sim_schedule(st->sim, dist_sample(&c->cfg->think, &c->arrivals_rng), st,
                         EV_THINK_DONE, NULL, (uint64_t)u);
    } else if (c->cfg->rate > 0.0) {
        c->mean_gap = 1.0 / c->cfg->rate;
        sim_schedule(st->sim, next_gap(c), st, EV_ARRIVAL, NULL, 0);
    }
    return 0;
}

static void clients_event(station *st, const sim_event *ev)
{
    clients *c = as_clients(st);
    if (ev->kind == EV_ARRIVAL) {
        uint32_t user = (uint32_t)rng_below(&c->users_rng, (uint64_t)c->cfg->users);
        if (issue(c, user) == 0) sim_schedule(st->sim, next_gap(c), st, EV_ARRIVAL, NULL, 0);
    } else {
        issue(c, (uint32_t)ev->arg);
    }
}

static void clients_reply(station *st, request *r)
{
    clients *c = as_clients(st);
    sim *s = st->sim;
    if (r->status == STATUS_OK) {
        double latency = s->now - r->t_start;
        c->completed++;
        c->completed_total++;
        hist_add(&c->latency[r->op], latency);
        hist_add(&c->latency_all, latency);
        if (c->sampling) hist_add(&c->interval, latency);
    } else {
        c->failed++;
    }
    uint32_t user = r->user;
    sim_request_free(s, r);
    if (c->cfg->arrival == ARRIVAL_CLOSED)
        sim_schedule(s, dist_sample(&c->cfg->think, &c->arrivals_rng), st, EV_THINK_DONE, NULL, user);
}

static void clients_reset(station *st)
{
    clients *c = as_clients(st);
    c->completed = 0;
    c->failed = 0;
    for (int op = 0; op < OP_COUNT; op++) hist_reset(&c->latency[op]);
    hist_reset(&c->latency_all);
}

static void clients_report(station *st, report *out)
{
    clients *c = as_clients(st);
    static const char *names[OP_COUNT] = {"latency.read", "latency.write", "latency.scan"};
    report_add(out, "completed", (double)c->completed);
    report_add(out, "failed", (double)c->failed);
    report_hist_merge(out, "latency", &c->latency_all);
    for (int op = 0; op < OP_COUNT; op++)
        if (c->latency[op].count) report_hist_merge(out, names[op], &c->latency[op]);
}

/* Per interval: completions and the latency histogram of the interval, then restart it. */
static void clients_sample(station *st, report *out)
{
    clients *c = as_clients(st);
    report_add(out, "completed", (double)(c->completed_total - c->completed_at_sample));
    c->completed_at_sample = c->completed_total;
    report_hist_merge(out, "latency", &c->interval);
    hist_reset(&c->interval);
}

static void clients_arrive(station *st, request *r)
{
    /* Nothing is sent to a workload; a request arriving here is a wiring mistake. */
    sim_fail(st->sim, "station '%s' (clients) received a request; clients can only send", st->name);
    sim_request_free(st->sim, r);
}

static const station_ops clients_ops = {
    .init = clients_init,
    .arrive = clients_arrive,
    .reply = clients_reply,
    .event = clients_event,
    .reset = clients_reset,
    .report = clients_report,
    .sample = clients_sample,
};

const station_kind clients_kind = {
    .name = "clients",
    .summary = "workload: open (Poisson, constant) or closed users; read/write mix; key popularity",
    .options = clients_options,
    .config_size = sizeof(clients_config),
    .station_size = sizeof(clients),
    .ops = &clients_ops,
};
