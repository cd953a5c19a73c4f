/* pooler.c: the connection pooler station and its server-connection pool (the model is
 * described in pooler.h). */
#include "models/pooler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/request_codes.h"
#include "sim/report.h"

/* ---- the server-connection pool ------------------------------------------------------ */

int pooler_conns_init(pooler_conns *pc, int64_t size, int64_t preopened, double now)
{
    memset(pc, 0, sizeof *pc);
    pc->size = size;
    pc->open = preopened < size ? preopened : size;
    timeavg_init(&pc->use, now, 0.0);
    return 0;
}

void pooler_conns_fini(pooler_conns *pc)
{
    free(pc->ring);
    pc->ring = NULL;
    pc->cap = pc->waiting = pc->first = 0;
}

static int ring_push(pooler_conns *pc, request *r, double now)
{
    if (pc->waiting == pc->cap) {
        size_t cap = pc->cap ? 2 * pc->cap : 16;
        pooler_waiter *grown = malloc(cap * sizeof *grown);
        if (!grown) return -1;
        for (size_t i = 0; i < pc->waiting; i++)
            grown[i] = pc->ring[(pc->first + i) & (pc->cap - 1)];
        free(pc->ring);
        pc->ring = grown;
        pc->cap = cap;
        pc->first = 0;
    }
    pc->ring[(pc->first + pc->waiting) & (pc->cap - 1)] = (pooler_waiter){r, now};
    pc->waiting++;
    return 0;
}

/* Hands a connection to the oldest waiter: returns it, its wait in *wait. */
static request *ring_grant(pooler_conns *pc, double now, double *wait)
{
    pooler_waiter w = pc->ring[pc->first];
    pc->first = (pc->first + 1) & (pc->cap - 1);
    pc->waiting--;
    *wait = now - w.since;
    return w.r;
}

int pooler_conns_acquire(pooler_conns *pc, request *r, double now, int *must_open)
{
    *must_open = 0;
    if (pc->in_use < pc->open) {
        pc->in_use++;
        timeavg_add(&pc->use, now, 1.0);
        return 1;
    }
    if (ring_push(pc, r, now) != 0) return -1;
    /* one opening per waiter not yet covered, while the pool may grow */
    if (pc->open + pc->opening < pc->size && pc->opening < (int64_t)pc->waiting) {
        pc->opening++;
        *must_open = 1;
    }
    return 0;
}

request *pooler_conns_opened(pooler_conns *pc, double now, double *wait)
{
    pc->opening--;
    pc->open++;
    pc->opens++;
    if (!pc->waiting) return NULL;
    pc->in_use++;
    timeavg_add(&pc->use, now, 1.0);
    return ring_grant(pc, now, wait);
}

request *pooler_conns_release(pooler_conns *pc, double now, double *wait)
{
    if (pc->waiting) return ring_grant(pc, now, wait); /* handed over: in_use unchanged */
    pc->in_use--;
    timeavg_add(&pc->use, now, -1.0);
    return NULL;
}

void pooler_conns_reset(pooler_conns *pc, double now)
{
    pc->opens = 0;
    timeavg_reset(&pc->use, now);
}

/* ---- residence ------------------------------------------------------------------------ */

void pooler_frame_enter(station *st, request *r)
{
    sim *s = st->sim;
    SIM_ASSERT(s, r->depth < REQUEST_MAX_DEPTH);
    r->stack[r->depth].station = st;
    r->stack[r->depth].t_sent = s->now;
    r->depth++;
    station_enter(st, r);
}

void pooler_frame_leave(station *st, request *r)
{
    SIM_ASSERT(st->sim, r->depth > 0 && r->stack[r->depth - 1].station == st);
    r->depth--;
    r->t_arrive = r->stack[r->depth].t_sent;
    station_leave(st, r);
}

/* ---- options ----------------------------------------------------------------------- */

enum { EV_CPU_DONE = 1, EV_CONNECTED = 2, EV_SEND = 3, EV_SESSION_END = 4 };

static const opt_choice mode_choices[] = {
    {"session", POOLER_SESSION,
     "a client keeps one server connection for its whole session (PgBouncer's default)"},
    {"transaction", POOLER_TRANSACTION,
     "a server connection per transaction, released when the reply comes back"},
    {"statement", POOLER_STATEMENT,
     "a server connection per statement; here every request is one statement, as in transaction mode"},
    {0},
};

static const opt_def pooler_options[] = {
    {.name = "mode", .type = OPT_ENUM, .offset = offsetof(pooler_config, mode),
     .def = "transaction", .choices = mode_choices, .help = "pooling mode"},
    {.name = "pool_size", .type = OPT_INT, .offset = offsetof(pooler_config, pool_size),
     .def = "20", .min = 1, .max = 1e7,
     .help = "most server connections to next (PgBouncer's default_pool_size is 20)"},
    {.name = "min_pool_size", .type = OPT_INT, .offset = offsetof(pooler_config, min_pool_size),
     .def = "0", .min = 0, .max = 1e7,
     .help = "server connections open from the start; the others open lazily, paying connect_time"},
    {.name = "max_client_conn", .type = OPT_INT, .offset = offsetof(pooler_config, max_client_conn),
     .def = "100", .min = 0, .max = 1e9,
     .help = "most client connections (sessions); beyond it new clients are refused "
             "(0 = unlimited; 100 is PgBouncer's default)"},
    {.name = "threads", .type = OPT_INT, .offset = offsetof(pooler_config, threads),
     .def = "1", .min = 1, .max = 1e5,
     .help = "pooler CPU threads (PgBouncer has 1): capacity is threads / mean overhead"},
    {.name = "overhead", .type = OPT_DIST, .offset = offsetof(pooler_config, overhead),
     .def = "exp(20us)", .min = 0, .max = INFINITY,
     .help = "pooler CPU time per request"},
    {.name = "connect_time", .type = OPT_DIST, .offset = offsetof(pooler_config, connect_time),
     .def = "const(3ms)", .min = 0, .max = INFINITY,
     .help = "time to open one server connection (backend start and authentication)"},
    {.name = "session_time", .type = OPT_DIST, .offset = offsetof(pooler_config, session_time),
     .def = "const(0)", .min = 0, .max = INFINITY,
     .help = "how long a client stays connected from its first request (it leaves once idle after "
             "that); 0 = while it has requests inside; in session mode the session holds its "
             "server connection as long"},
    {.name = "client_conn_memory", .type = OPT_SIZE,
     .offset = offsetof(pooler_config, client_conn_memory), .def = "2KB", .min = 0, .max = 1e12,
     .help = "pooler memory per client connection; the peak total is reported"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(pooler_config, next), .def = NULL,
     .help = "station behind the pooler (a node or cluster)"},
    STATION_REGION_ROW(pooler_config),
    {0},
};

static int pooler_validate(const void *config, char *err, size_t n)
{
    const pooler_config *c = config;
    if (c->min_pool_size > c->pool_size) {
        snprintf(err, n, "min_pool_size %lld is more than pool_size %lld",
                 (long long)c->min_pool_size, (long long)c->pool_size);
        return -1;
    }
    return 0;
}

static pooler *as_pooler(station *st) { return (pooler *)st; }

/* ---- client connections: an open-addressing table by user (linear probing) ---------- */

static size_t session_hash(uint32_t user, size_t cap)
{
    return (size_t)(((uint64_t)user * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static pooler_session *session_find(pooler *p, uint32_t user)
{
    size_t mask = p->cap_sessions - 1;
    for (size_t i = session_hash(user, p->cap_sessions);; i = (i + 1) & mask) {
        pooler_session *s = &p->sessions[i];
        if (!s->used) return NULL;
        if (s->user == user) return s;
    }
}

static int sessions_grow(pooler *p)
{
    size_t cap = p->cap_sessions * 2;
    pooler_session *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < p->cap_sessions; i++) {
        if (!p->sessions[i].used) continue;
        size_t j = session_hash(p->sessions[i].user, cap);
        while (t[j].used) j = (j + 1) & (cap - 1);
        t[j] = p->sessions[i];
    }
    free(p->sessions);
    p->sessions = t;
    p->cap_sessions = cap;
    return 0;
}

/* A new session for user (not present). Returns it, or NULL when out of memory. */
static pooler_session *session_insert(pooler *p, uint32_t user)
{
    if ((size_t)(p->n_sessions + 1) * 2 > p->cap_sessions && sessions_grow(p) != 0) return NULL;
    size_t i = session_hash(user, p->cap_sessions);
    while (p->sessions[i].used) i = (i + 1) & (p->cap_sessions - 1);
    pooler_session *s = &p->sessions[i];
    memset(s, 0, sizeof *s);
    s->user = user;
    s->used = 1;
    p->n_sessions++;
    timeavg_add(&p->clients, p->base.sim->now, 1.0);
    return s;
}

/* Removes s from the table (backward-shift deletion keeps probe chains unbroken). */
static void session_remove(pooler *p, pooler_session *s)
{
    size_t mask = p->cap_sessions - 1;
    size_t hole = (size_t)(s - p->sessions);
    for (size_t j = (hole + 1) & mask; p->sessions[j].used; j = (j + 1) & mask) {
        size_t home = session_hash(p->sessions[j].user, p->cap_sessions);
        /* move j into the hole when its home is not cyclically within (hole, j] */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            p->sessions[hole] = p->sessions[j];
            hole = j;
        }
    }
    p->sessions[hole].used = 0;
    p->n_sessions--;
    timeavg_add(&p->clients, p->base.sim->now, -1.0);
}

/* ---- flow ----------------------------------------------------------------------------- */

static int pooler_init(station *st)
{
    pooler *p = as_pooler(st);
    p->cfg = st->config;
    const pooler_config *c = p->cfg;
    p->next = sim_find_station(st->sim, c->next);
    if (!p->next) {
        sim_fail(st->sim, "station '%s': next station '%s' does not exist", st->name, c->next);
        return -1;
    }
    char err[160];
    if (pooler_validate(c, err, sizeof err) != 0) {
        sim_fail(st->sim, "station '%s': %s", st->name, err);
        return -1;
    }
    p->cap_sessions = 64;
    p->sessions = calloc(p->cap_sessions, sizeof *p->sessions);
    if (!p->sessions) {
        sim_fail(st->sim, "station '%s': out of memory for client connections", st->name);
        return -1;
    }
    pooler_conns_init(&p->conns, c->pool_size, c->min_pool_size, st->sim->now);
    timeavg_init(&p->clients, st->sim->now, 0.0);
    hist_init(&p->wait);
    sim_stream(st->sim, st, "overhead", &p->overhead_rng);
    sim_stream(st->sim, st, "connect", &p->connect_rng);
    sim_stream(st->sim, st, "session", &p->session_rng);
    st->stats.servers = (double)c->threads;
    double mean = dist_mean(&c->overhead);
    st->stats.capacity_rate = mean > 0.0 && isfinite(mean) ? (double)c->threads / mean : 0.0;
    return 0;
}

static void start_cpu(pooler *p, request *r)
{
    station *st = &p->base;
    p->cpu_busy++;
    station_busy(st, +1);
    sim_schedule(st->sim, dist_sample(&p->cfg->overhead, &p->overhead_rng), st, EV_CPU_DONE, r, 0);
}

static void fail_oom(pooler *p, const char *what)
{
    sim_fail(p->base.sim, "station '%s': out of memory for %s", p->base.name, what);
}

/* A waiter got a server connection (after waiting `wait`): account for it and send it on
 * through a zero-delay event, so that a chain of releases never recurses. */
static void granted(pooler *p, request *r, double wait)
{
    hist_add(&p->wait, wait);
    if (p->cfg->mode == POOLER_SESSION) {
        pooler_session *s = session_find(p, r->user);
        SIM_ASSERT(p->base.sim, s && s->waiting_conn);
        s->waiting_conn = 0;
        s->has_conn = 1;
        s->conn_busy = 1;
    }
    sim_schedule(p->base.sim, 0.0, &p->base, EV_SEND, r, 0);
}

static void open_connection(pooler *p)
{
    sim_schedule(p->base.sim, dist_sample(&p->cfg->connect_time, &p->connect_rng), &p->base,
                 EV_CONNECTED, NULL, 0);
}

/* r asks the pool for a server connection: sends it now, or leaves it waiting. */
static void to_pool(pooler *p, request *r)
{
    int must_open;
    int got = pooler_conns_acquire(&p->conns, r, p->base.sim->now, &must_open);
    if (got < 0) {
        fail_oom(p, "waiting requests");
        return;
    }
    if (must_open) open_connection(p);
    if (got == 0) return;
    hist_add(&p->wait, 0.0);
    if (p->cfg->mode == POOLER_SESSION) {
        pooler_session *s = session_find(p, r->user);
        s->waiting_conn = 0;
        s->has_conn = 1;
        s->conn_busy = 1;
    }
    sim_send(p->base.sim, &p->base, p->next, r);
}

static void session_push(pooler_session *s, request *r)
{
    r->link = NULL;
    if (s->tail) s->tail->link = r;
    else s->head = r;
    s->tail = r;
}

/* After its overhead, r goes for a server connection. */
static void dispatch(pooler *p, request *r)
{
    if (p->cfg->mode != POOLER_SESSION) {
        to_pool(p, r);
        return;
    }
    pooler_session *s = session_find(p, r->user);
    SIM_ASSERT(p->base.sim, s != NULL);
    if (s->has_conn && !s->conn_busy) {
        s->conn_busy = 1;
        sim_send(p->base.sim, &p->base, p->next, r);
    } else if (s->has_conn || s->waiting_conn) {
        session_push(s, r);
    } else {
        s->waiting_conn = 1;
        to_pool(p, r);
    }
}

static void pooler_arrive(station *st, request *r)
{
    pooler *p = as_pooler(st);
    const pooler_config *c = p->cfg;
    pooler_session *s = session_find(p, r->user);
    if (!s) {
        if (c->max_client_conn > 0 && p->n_sessions >= c->max_client_conn) {
            st->stats.refused++;
            r->status = STATUS_REFUSED;
            sim_reply(st->sim, r);
            return;
        }
        if (!(s = session_insert(p, r->user))) {
            fail_oom(p, "client connections");
            r->status = STATUS_FAILED;
            sim_reply(st->sim, r);
            return;
        }
        double t = dist_sample(&c->session_time, &p->session_rng);
        if (t > 0.0) sim_schedule(st->sim, t, st, EV_SESSION_END, NULL, r->user);
        else s->ending = 1;
    }
    s->inside++;
    pooler_frame_enter(st, r);
    if (p->cpu_busy < c->threads) {
        start_cpu(p, r);
        return;
    }
    r->link = NULL;
    if (p->cpu_tail) p->cpu_tail->link = r;
    else p->cpu_head = r;
    p->cpu_tail = r;
    p->cpu_queued++;
}

static void cpu_done(pooler *p, request *r)
{
    p->cpu_busy--;
    station_busy(&p->base, -1);
    p->served++;
    if (p->cpu_head) {
        request *q = p->cpu_head;
        p->cpu_head = q->link;
        if (!p->cpu_head) p->cpu_tail = NULL;
        p->cpu_queued--;
        q->link = NULL;
        start_cpu(p, q);
    }
    dispatch(p, r);
}

/* The session's server connection goes back to the pool; it may go to a waiting session. */
static void release_conn(pooler *p)
{
    double wait;
    request *w = pooler_conns_release(&p->conns, p->base.sim->now, &wait);
    if (w) granted(p, w, wait);
}

static void session_close(pooler *p, pooler_session *s)
{
    int had_conn = s->has_conn;
    SIM_ASSERT(p->base.sim, s->inside == 0 && !s->head && !s->conn_busy && !s->waiting_conn);
    session_remove(p, s); /* s is invalid from here */
    if (had_conn) release_conn(p);
}

static void pooler_reply(station *st, request *r)
{
    pooler *p = as_pooler(st);
    pooler_session *s = session_find(p, r->user);
    SIM_ASSERT(st->sim, s != NULL && s->inside > 0);
    if (p->cfg->mode == POOLER_SESSION) {
        s->conn_busy = 0;
        if (s->head) { /* the session's next request takes its connection */
            request *q = s->head;
            s->head = q->link;
            if (!s->head) s->tail = NULL;
            q->link = NULL;
            s->conn_busy = 1;
            sim_schedule(st->sim, 0.0, st, EV_SEND, q, 0);
        }
    } else {
        release_conn(p);
    }
    pooler_frame_leave(st, r);
    s->inside--;
    if (s->ending && s->inside == 0) session_close(p, s);
    sim_reply(st->sim, r);
}

static void session_end(pooler *p, uint32_t user)
{
    pooler_session *s = session_find(p, user);
    SIM_ASSERT(p->base.sim, s != NULL && !s->ending);
    if (s->inside == 0) session_close(p, s);
    else s->ending = 1;
}

static void pooler_event(station *st, const sim_event *ev)
{
    pooler *p = as_pooler(st);
    double wait;
    request *w;
    switch (ev->kind) {
    case EV_CPU_DONE:
        cpu_done(p, ev->ptr);
        break;
    case EV_CONNECTED:
        if ((w = pooler_conns_opened(&p->conns, st->sim->now, &wait))) granted(p, w, wait);
        break;
    case EV_SEND:
        sim_send(st->sim, st, p->next, ev->ptr);
        break;
    case EV_SESSION_END:
        session_end(p, (uint32_t)ev->arg);
        break;
    default:
        SIM_ASSERT(st->sim, !"unknown pooler event kind");
    }
}

/* ---- statistics ------------------------------------------------------------------------ */

static void pooler_reset(station *st)
{
    pooler *p = as_pooler(st);
    hist_reset(&p->wait);
    p->served = 0;
    pooler_conns_reset(&p->conns, st->sim->now);
    timeavg_reset(&p->clients, st->sim->now);
}

/* Writes `prefix<name>` = v as a maximum into out (names are unique per station). */
static void put_value(report *out, const char *prefix, const char *name, double v)
{
    char key[256];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    report_max(out, key, v);
}

static void pooler_report(station *st, report *out)
{
    pooler *p = as_pooler(st);
    double now = st->sim->now;
    if (p->wait.count) {
        put_value(out, "pool_wait_mean_ms.", st->name, 1e3 * hist_mean(&p->wait));
        put_value(out, "pool_wait_p99_ms.", st->name, 1e3 * hist_quantile(&p->wait, 0.99));
        report_hist_merge(out, "pool_wait", &p->wait);
    }
    double peak = timeavg_max(&p->clients);
    put_value(out, "client_conn_peak.", st->name, peak);
    put_value(out, "client_conn_memory_peak_mb.", st->name,
              peak * p->cfg->client_conn_memory / 1048576.0);
    put_value(out, "client_refused.", st->name, (double)st->stats.refused);
    put_value(out, "server_conn_peak.", st->name, timeavg_max(&p->conns.use));
    put_value(out, "server_conn_mean.", st->name, timeavg_mean(&p->conns.use, now));
    put_value(out, "server_conns_open.", st->name, (double)p->conns.open);
    put_value(out, "server_conn_opens.", st->name, (double)p->conns.opens);
}

static void pooler_sample(station *st, report *out)
{
    pooler *p = as_pooler(st);
    if (st->hidden) return; /* a template cloned by a router: not a station of the run */
    put_value(out, "ts.server_conn_", st->name, (double)p->conns.in_use);
    put_value(out, "ts.client_conn_", st->name, (double)p->n_sessions);
}

int64_t pooler_client_connections(const station *st)
{
    return ((const pooler *)st)->n_sessions;
}

int64_t pooler_server_connections(const station *st)
{
    return ((const pooler *)st)->conns.in_use;
}

static void pooler_fini(station *st)
{
    pooler *p = as_pooler(st);
    pooler_conns_fini(&p->conns);
    free(p->sessions);
    p->sessions = NULL;
    p->cap_sessions = 0;
}

static const station_ops pooler_ops = {
    .init = pooler_init,
    .arrive = pooler_arrive,
    .reply = pooler_reply,
    .event = pooler_event,
    .reset = pooler_reset,
    .report = pooler_report,
    .sample = pooler_sample,
    .fini = pooler_fini,
};

const station_kind pooler_kind = {
    .name = "pooler",
    .summary = "connection pooler (PgBouncer-like): session/transaction/statement mode, pool_size "
               "server connections, max_client_conn, its own CPU threads",
    .options = pooler_options,
    .config_size = sizeof(pooler_config),
    .station_size = sizeof(pooler),
    .ops = &pooler_ops,
    .placed = 1,
    .region_offset = offsetof(pooler_config, region),
    .validate = pooler_validate,
};
