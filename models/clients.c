/* clients.c: open, trace and closed workloads; the op/key/user of each request;
 * end-to-end latency recording. */
#include "models/clients.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/report.h"

enum { EV_ARRIVAL = 1, EV_THINK_DONE = 2, EV_TRACE = 3 };

static const opt_choice arrival_choices[] = {
    {"poisson", ARRIVAL_POISSON, "open: exponential inter-arrival times at `rate` (or `rate_profile`)"},
    {"constant", ARRIVAL_CONSTANT, "open: one request every 1/rate seconds (or as `rate_profile` integrates to 1)"},
    {"mmpp", ARRIVAL_MMPP, "open, bursty: Poisson at `rate` when calm, `burst_rate` in bursts (`calm_time`, `burst_time`)"},
    {"trace", ARRIVAL_TRACE, "open: replay `trace` (CSV: time, op, key[, user][, region])"},
    {"closed", ARRIVAL_CLOSED, "closed: `population` users, each waits for its reply then thinks"},
    {0},
};

/* OPT_CUSTOM hooks of rate_profile and trace. Both fields own no memory. */
static int profile_opt_parse(const char *text, void *field, const char *base_dir, char *err,
                             size_t n)
{
    (void)base_dir;
    return rate_profile_parse(text, field, err, n);
}

static int profile_opt_format(const void *field, char *buf, size_t n)
{
    return rate_profile_format(field, buf, n);
}

static int trace_opt_parse(const char *text, void *field, const char *base_dir, char *err,
                           size_t n)
{
    return trace_file_set(field, text, base_dir, err, n);
}

static int trace_opt_format(const void *field, char *buf, size_t n)
{
    return trace_file_format(field, buf, n);
}

static const opt_def clients_options[] = {
    {.name = "arrival", .type = OPT_ENUM, .offset = offsetof(clients_config, arrival),
     .def = "poisson", .choices = arrival_choices, .help = "arrival process"},
    {.name = "rate", .type = OPT_RATE, .offset = offsetof(clients_config, rate),
     .def = "100/s", .min = 0, .max = 1e12, .help = "open arrivals: requests per second (mmpp: in the calm state)"},
    {.name = "rate_profile", .type = OPT_CUSTOM, .offset = offsetof(clients_config, profile),
     .def = "", .min = 1, .max = 0, .parse = profile_opt_parse, .format = profile_opt_format,
     .size = sizeof(rate_profile),
     .help = "poisson/constant: rate over time, replacing rate: 'T1 R1, T2 R2, ...' (linear "
             "between points, constant after the last), diurnal(MIN, MAX, PERIOD), or none"},
    {.name = "burst_rate", .type = OPT_RATE, .offset = offsetof(clients_config, burst_rate),
     .def = "1000/s", .min = 0, .max = 1e12, .help = "mmpp: requests per second in the burst state"},
    {.name = "burst_time", .type = OPT_TIME, .offset = offsetof(clients_config, burst_time),
     .def = "1s", .min = 1e-9, .max = 1e12, .help = "mmpp: mean time in the burst state (exponential)"},
    {.name = "calm_time", .type = OPT_TIME, .offset = offsetof(clients_config, calm_time),
     .def = "10s", .min = 1e-9, .max = 1e12, .help = "mmpp: mean time in the calm state at `rate` (exponential)"},
    {.name = "trace", .type = OPT_CUSTOM, .offset = offsetof(clients_config, trace),
     .def = "", .min = 1, .max = 0, .parse = trace_opt_parse, .format = trace_opt_format,
     .size = sizeof(trace_file),
     .help = "trace: CSV file (relative to the scenario) of time, op, key[, user][, region]; checked in full when read; none = no trace"},
    {.name = "population", .type = OPT_INT, .offset = offsetof(clients_config, population),
     .def = "10", .min = 1, .max = 1e8, .help = "closed: number of users"},
    {.name = "think", .type = OPT_DIST, .offset = offsetof(clients_config, think),
     .def = "exp(100ms)", .min = 0, .max = INFINITY, .help = "closed: think time between a reply and the next request"},
    {.name = "read_ratio", .type = OPT_RATIO, .offset = offsetof(clients_config, read_ratio),
     .def = "1", .min = 0, .max = 1, .help = "share of requests that are reads (writes are what reads and scans leave)"},
    {.name = "scan_ratio", .type = OPT_RATIO, .offset = offsetof(clients_config, scan_ratio),
     .def = "0", .min = 0, .max = 1, .help = "share of requests that are range scans (read_ratio + scan_ratio <= 1)"},
    {.name = "keys", .type = OPT_KEYS, .offset = offsetof(clients_config, keys),
     .def = "uniform(1M)", .help = "key popularity: uniform(N), zipf(s,N), hotspot(fk,fo,N), latest(N) (writes insert newest+1)"},
    {.name = "users", .type = OPT_INT, .offset = offsetof(clients_config, users),
     .def = "1000", .min = 1, .max = 1e9, .help = "distinct users (sessions) issuing open arrivals"},
    {.name = "limit", .type = OPT_INT, .offset = offsetof(clients_config, limit),
     .def = "0", .min = 0, .max = 9e18, .help = "stop after creating this many requests (0 = no limit)"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(clients_config, next),
     .def = NULL, .help = "station the requests go to"},
    STATION_REGION_ROW(clients_config),
    {0},
};

static const char *arrival_name(int kind)
{
    for (const opt_choice *c = arrival_choices; c->name; c++)
        if (c->value == kind) return c->name;
    return "?";
}

/* Cross-field checks, run when a scenario is checked. */
static int clients_validate(const void *config, char *err, size_t n)
{
    const clients_config *c = config;
    if (c->read_ratio + c->scan_ratio > 1.0 + 1e-12) {
        snprintf(err, n, "read_ratio %.17g plus scan_ratio %.17g is more than 1 (writes are "
                 "the rest: lower read_ratio)", c->read_ratio, c->scan_ratio);
        return -1;
    }
    if (c->arrival == ARRIVAL_TRACE && !c->trace.written[0]) {
        snprintf(err, n, "arrival = trace needs 'trace = FILE.csv'");
        return -1;
    }
    if (c->arrival != ARRIVAL_TRACE && c->trace.written[0]) {
        snprintf(err, n, "'trace' is set but arrival is '%s' (set arrival = trace, or "
                 "trace = none)", arrival_name(c->arrival));
        return -1;
    }
    if (c->profile.kind != PROFILE_NONE && c->arrival != ARRIVAL_POISSON &&
        c->arrival != ARRIVAL_CONSTANT) {
        snprintf(err, n, "rate_profile applies to arrival = poisson or constant, not '%s' "
                 "(or set rate_profile = none)", arrival_name(c->arrival));
        return -1;
    }
    return 0;
}

static clients *as_clients(station *st) { return (clients *)st; }

/* Creates one request and sends it. Returns 0, or -1 when the limit or the in-flight cap
 * stopped it. */
static int send_request(clients *c, uint32_t user, int op, uint64_t key)
{
    station *st = &c->base;
    if (c->cfg->limit && c->created >= (uint64_t)c->cfg->limit) return -1;
    request *r = sim_request_new(st->sim);
    if (!r) return -1;
    c->created++;
    r->op = (uint8_t)op;
    r->key = key;
    r->user = user;
    r->region = st->region;
    sim_send(st->sim, st, c->next, r);
    return 0;
}

/* A request of the configured mix and key popularity for user. Returns as send_request. */
static int issue(clients *c, uint32_t user)
{
    if (c->cfg->limit && c->created >= (uint64_t)c->cfg->limit) return -1;
    double u = rng_uniform(&c->mix_rng);
    int op = u < c->cfg->read_ratio                        ? OP_READ
             : u < c->cfg->read_ratio + c->cfg->scan_ratio ? OP_SCAN
                                                           : OP_WRITE;
    uint64_t key = keydist_sample(&c->keys, &c->keys_rng);
    if (op == OP_WRITE && c->keys.kind == KEYDIST_LATEST) { /* insert */
        key = c->keys.newest + 1;
        keydist_note_insert(&c->keys, key);
    }
    return send_request(c, user, op, key);
}

/* Schedules the next open arrival at absolute time t (none when t is infinite). */
static void schedule_at(clients *c, double t, uint32_t kind)
{
    sim *s = c->base.sim;
    if (!isfinite(t)) return;
    double delay = t - s->now;
    sim_schedule(s, delay > 0 ? delay : 0.0, &c->base, kind, NULL, 0);
}

/* Reads the next trace row and schedules it; at the end closes the file. */
static void trace_advance(clients *c)
{
    char err[600];
    int rc = trace_read(c->trace, &c->pending, err, sizeof err);
    if (rc == 1) {
        schedule_at(c, c->pending.time, EV_TRACE);
        return;
    }
    trace_close(c->trace);
    c->trace = NULL;
    if (rc < 0) sim_fail(c->base.sim, "station '%s': %s", c->base.name, err);
}

static int start_trace(clients *c)
{
    station *st = &c->base;
    char err[600];
    if (!c->cfg->trace.path[0]) {
        sim_fail(st->sim, "station '%s': arrival = trace needs 'trace = FILE.csv'", st->name);
        return -1;
    }
    if (!(c->trace = trace_open(c->cfg->trace.path, err, sizeof err))) {
        sim_fail(st->sim, "station '%s': %s", st->name, err);
        return -1;
    }
    trace_advance(c);
    return st->sim->failed ? -1 : 0;
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
    sim_stream(st->sim, st, "think", &c->think_rng);
    sim_stream(st->sim, st, "burst", &c->burst_rng);
    for (int op = 0; op < OP_COUNT; op++) hist_init(&c->latency[op]);
    hist_init(&c->latency_all);
    hist_init(&c->interval);
    c->sampling = st->sim->cfg.sample_interval > 0.0;
    switch (c->cfg->arrival) {
    case ARRIVAL_CLOSED:
        for (int64_t u = 0; u < c->cfg->population; u++)
            sim_schedule(st->sim, dist_sample(&c->cfg->think, &c->think_rng), st,
                         EV_THINK_DONE, NULL, (uint64_t)u);
        return 0;
    case ARRIVAL_TRACE:
        return start_trace(c);
    default: {
        arrival_params p = {
            .kind = c->cfg->arrival, .rate = c->cfg->rate, .profile = &c->cfg->profile,
            .burst_rate = c->cfg->burst_rate, .burst_time = c->cfg->burst_time,
            .calm_time = c->cfg->calm_time,
        };
        arrivals_init(&c->open, &p, &c->arrivals_rng, &c->burst_rng);
        schedule_at(c, arrivals_next(&c->open), EV_ARRIVAL);
        return 0;
    }
    }
}

static void clients_event(station *st, const sim_event *ev)
{
    clients *c = as_clients(st);
    if (ev->kind == EV_ARRIVAL) {
        uint32_t user = (uint32_t)rng_below(&c->users_rng, (uint64_t)c->cfg->users);
        if (issue(c, user) == 0) schedule_at(c, arrivals_next(&c->open), EV_ARRIVAL);
    } else if (ev->kind == EV_TRACE) {
        const trace_record *r = &c->pending;
        uint32_t user = r->has_user ? r->user
                                    : (uint32_t)rng_below(&c->users_rng, (uint64_t)c->cfg->users);
        if (send_request(c, user, r->op, r->key) == 0) trace_advance(c);
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
        sim_schedule(s, dist_sample(&c->cfg->think, &c->think_rng), st, EV_THINK_DONE, NULL, user);
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
    /* Per-region breakdown (regions.csv): the users' region. */
    const sim *s = st->sim;
    if (s->n_regions > 0 && st->region < s->n_regions) {
        char name[96];
        snprintf(name, sizeof name, "region.latency.%s", s->region_names[st->region]);
        report_hist_merge(out, name, &c->latency_all);
        snprintf(name, sizeof name, "region.completed.%s", s->region_names[st->region]);
        report_add(out, name, (double)c->completed);
        snprintf(name, sizeof name, "region.failed.%s", s->region_names[st->region]);
        report_add(out, name, (double)c->failed);
        for (int op = 0; op < 2; op++) {
            snprintf(name, sizeof name, "region.latency.%s.%s", op == OP_READ ? "read" : "write",
                     s->region_names[st->region]);
            if (c->latency[op].count) report_hist_merge(out, name, &c->latency[op]);
        }
    }
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

static void clients_fini(station *st)
{
    clients *c = as_clients(st);
    trace_close(c->trace);
    c->trace = NULL;
}

static const station_ops clients_ops = {
    .init = clients_init,
    .arrive = clients_arrive,
    .reply = clients_reply,
    .event = clients_event,
    .reset = clients_reset,
    .report = clients_report,
    .sample = clients_sample,
    .fini = clients_fini,
};

const station_kind clients_kind = {
    .name = "clients",
    .summary = "workload: open (Poisson, constant, rate profiles, MMPP bursts, trace replay) or "
               "closed users; read/write/scan mix; key popularity",
    .options = clients_options,
    .config_size = sizeof(clients_config),
    .station_size = sizeof(clients),
    .ops = &clients_ops,
    .placed = 1,
    .region_offset = offsetof(clients_config, region),
    .validate = clients_validate,
};
