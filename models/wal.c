/* wal.c: the WAL ring, the replication link and the replica's apply queue. */
#include "models/wal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report.h"

enum { EV_TX = 1, EV_ARRIVE = 2, EV_APPLY = 3, EV_RETRY = 4 };

/* ---- the log -------------------------------------------------------------------------- */

void wal_log_init(wal_log *w)
{
    memset(w, 0, sizeof *w);
    w->first = 1;
}

void wal_log_fini(wal_log *w)
{
    free(w->ring);
    memset(w, 0, sizeof *w);
}

/* Re-lays a ring indexed by LSN into one of twice the size (or `min_cap`), keeping the
 * elements of LSNs lo..hi. Returns 0 or -1 (out of memory; the old ring stays). */
static int ring_grow(void **ring, size_t *cap, size_t elem, uint64_t lo, uint64_t hi,
                     size_t min_cap)
{
    size_t n = *cap ? *cap * 2 : min_cap;
    char *grown = malloc(n * elem);
    if (!grown) return -1;
    const char *old = *ring;
    for (uint64_t x = lo; x <= hi && lo <= hi; x++)
        memcpy(grown + (x & (n - 1)) * elem, old + (x & (*cap - 1)) * elem, elem);
    free(*ring);
    *ring = grown;
    *cap = n;
    return 0;
}

uint64_t wal_log_append(wal_log *w, const wal_record *rec)
{
    uint64_t lsn = w->head + 1;
    if (w->first > w->head) w->first = lsn; /* nothing kept: the ring restarts here */
    if (lsn - w->first + 1 > w->cap &&
        ring_grow((void **)&w->ring, &w->cap, sizeof *w->ring, w->first, w->head, 1024) != 0)
        return 0;
    w->ring[lsn & (w->cap - 1)] = *rec;
    w->head = lsn;
    return lsn;
}

void wal_log_trim(wal_log *w, uint64_t upto)
{
    if (upto + 1 > w->first) w->first = upto + 1;
}

void wal_log_truncate(wal_log *w, uint64_t new_head)
{
    if (new_head < w->head) w->head = new_head;
}

/* ---- the replica's apply station ---------------------------------------------------------- */

static wal_replica *as_rep(station *st) { return (wal_replica *)st; }

static wal_entry *entry(wal_replica *rep, uint64_t lsn)
{
    return &rep->queue[lsn & (rep->queue_cap - 1)];
}

static void fail_oom(wal_replica *rep)
{
    sim_fail(rep->base.sim, "out of memory in the WAL of replica '%s'", wal_replica_name(rep));
}

/* Schedules the arrival of the record after `received`, which is on the wire. */
static void schedule_arrival(wal_replica *rep)
{
    sim *s = rep->base.sim;
    double t = rep->transit[(rep->received + 1) & (rep->transit_cap - 1)];
    SIM_ASSERT(s, t >= s->now);
    rep->arrive_event = sim_schedule(s, t - s->now, &rep->base, EV_ARRIVE, NULL, 0);
}

/* Record lsn (= sent + 1) has left the primary: it travels one link delay, never
 * overtaking the record before it. */
static void put_on_wire(wal_replica *rep)
{
    sim *s = rep->base.sim;
    uint64_t lsn = rep->sent + 1;
    if (lsn - rep->received > rep->transit_cap &&
        ring_grow((void **)&rep->transit, &rep->transit_cap, sizeof *rep->transit,
                  rep->received + 1, rep->sent, 64) != 0) {
        fail_oom(rep);
        return;
    }
    double t = s->now + dist_sample(rep->p.link, &rep->link_rng) +
               sim_one_way(s, rep->p.source, rep->base.region);
    if (t < rep->last_arrival) t = rep->last_arrival;
    rep->last_arrival = t;
    rep->transit[lsn & (rep->transit_cap - 1)] = t;
    rep->sent = lsn;
    if (!rep->arrive_event) schedule_arrival(rep);
}

int wal_replica_reachable(const wal_replica *rep)
{
    return sim_reachable(rep->base.sim, rep->p.source, rep->base.region);
}

/* A partition broke the link: the records on the wire are lost, shipping stops until a
 * retry finds the regions reachable again. */
static void disconnect(wal_replica *rep)
{
    sim *s = rep->base.sim;
    wal_replica_cut(rep);
    if (rep->linked) {
        rep->linked = 0;
        rep->disconnects++;
        rep->cut_since = s->now;
    }
    if (!rep->retry_event)
        rep->retry_event = sim_schedule(s, rep->p.retry, &rep->base, EV_RETRY, NULL, 0);
}

static void on_retry(wal_replica *rep)
{
    rep->retry_event = 0;
    if (rep->linked || !rep->attached) return;
    if (!wal_replica_reachable(rep)) {
        rep->retry_event = sim_schedule(rep->base.sim, rep->p.retry, &rep->base, EV_RETRY, NULL, 0);
        return;
    }
    rep->linked = 1;
    wal_replica_ship(rep);
}

void wal_replica_set_source(wal_replica *rep, uint16_t region)
{
    rep->p.source = region;
    sim_cancel(rep->base.sim, rep->retry_event);
    rep->retry_event = 0;
    rep->linked = 1;
}

void wal_replica_ship(wal_replica *rep)
{
    if (!rep->up || !rep->feed || !rep->attached || !rep->linked) return;
    sim *s = rep->base.sim;
    if (!wal_replica_reachable(rep)) {
        if (rep->sent < rep->log->head) disconnect(rep);
        return;
    }
    if (rep->p.bandwidth > 0.0) {
        if (!rep->tx_event && rep->sent < rep->log->head)
            rep->tx_event = sim_schedule(s, rep->p.record_size / rep->p.bandwidth, &rep->base,
                                         EV_TX, NULL, rep->sent + 1);
        return;
    }
    while (rep->sent < rep->log->head && !s->failed) put_on_wire(rep);
}

/* Hands waiting records to idle workers, in LSN order. */
static void dispatch(wal_replica *rep)
{
    if (!rep->up) return;
    sim *s = rep->base.sim;
    while (rep->busy < rep->p.workers && rep->cursor <= rep->received) {
        wal_entry *e = entry(rep, rep->cursor);
        if (e->state == WAL_WAITING) {
            int64_t w = 0;
            while (rep->workers[w].done) w++;
            double d = dist_sample(rep->p.apply_time, &rep->apply_rng) * rep->slowdown;
            e->state = WAL_APPLYING;
            rep->workers[w].lsn = rep->cursor;
            rep->workers[w].done = sim_schedule(s, d, &rep->base, EV_APPLY, NULL, (uint64_t)w);
            rep->busy++;
            station_busy(&rep->base, +1);
        }
        rep->cursor++;
    }
}

static void on_arrive(wal_replica *rep)
{
    sim *s = rep->base.sim;
    rep->arrive_event = 0;
    if (!wal_replica_reachable(rep)) { /* the record ran into a partition */
        disconnect(rep);
        return;
    }
    uint64_t lsn = rep->received + 1;
    if (lsn - rep->visible > rep->queue_cap &&
        ring_grow((void **)&rep->queue, &rep->queue_cap, sizeof *rep->queue, rep->visible + 1,
                  rep->received, 64) != 0) {
        fail_oom(rep);
        return;
    }
    rep->received = lsn;
    wal_entry *e = entry(rep, lsn);
    e->t = s->now;
    e->state = WAL_WAITING;
    request tmp;
    station_enter(&rep->base, &tmp);
    if (rep->sent > rep->received) schedule_arrival(rep);
    if (rep->hooks.received) rep->hooks.received(rep->hooks.ctx, rep, lsn);
    dispatch(rep);
}

static void on_applied(wal_replica *rep, uint64_t w)
{
    sim *s = rep->base.sim;
    wal_worker *wk = &rep->workers[w];
    wal_entry *e = entry(rep, wk->lsn);
    wk->done = 0;
    rep->busy--;
    station_busy(&rep->base, -1);
    e->state = WAL_APPLIED;
    request tmp;
    tmp.t_arrive = e->t;
    station_leave(&rep->base, &tmp);
    while (rep->visible < rep->received && entry(rep, rep->visible + 1)->state == WAL_APPLIED) {
        uint64_t lsn = rep->visible + 1;
        const wal_record *rec = wal_log_get(rep->log, lsn);
        SIM_ASSERT(s, rec != NULL);
        if (keyview_set(&rep->view, rec->slot, rec->version) != 0) {
            fail_oom(rep);
            return;
        }
        rep->visible = lsn;
        hist_add(&rep->lag, s->now - rec->commit_time);
        if (rep->hooks.visible) rep->hooks.visible(rep->hooks.ctx, rep, lsn);
    }
    dispatch(rep);
}

static void apply_event(station *st, const sim_event *ev)
{
    wal_replica *rep = as_rep(st);
    switch (ev->kind) {
    case EV_TX:
        rep->tx_event = 0;
        put_on_wire(rep);
        wal_replica_ship(rep);
        break;
    case EV_ARRIVE:
        on_arrive(rep);
        break;
    case EV_APPLY:
        on_applied(rep, ev->arg);
        break;
    case EV_RETRY:
        on_retry(rep);
        break;
    default:
        SIM_ASSERT(st->sim, !"unknown replica-apply event");
    }
}

void wal_replica_feed(wal_replica *rep, int on)
{
    rep->feed = on;
    if (on) {
        wal_replica_ship(rep);
    } else {
        sim_cancel(rep->base.sim, rep->tx_event);
        rep->tx_event = 0;
    }
}

void wal_replica_cut(wal_replica *rep)
{
    sim *s = rep->base.sim;
    sim_cancel(s, rep->tx_event);
    sim_cancel(s, rep->arrive_event);
    rep->tx_event = 0;
    rep->arrive_event = 0;
    rep->sent = rep->received;
    rep->last_arrival = s->now;
}

/* Cancels every apply in progress; the records go back to waiting. */
static void stop_workers(wal_replica *rep)
{
    sim *s = rep->base.sim;
    for (int64_t w = 0; w < rep->p.workers; w++) {
        wal_worker *wk = &rep->workers[w];
        if (!wk->done) continue;
        sim_cancel(s, wk->done);
        wk->done = 0;
        entry(rep, wk->lsn)->state = WAL_WAITING;
    }
    station_busy(&rep->base, -(int)rep->busy);
    rep->busy = 0;
    rep->cursor = rep->visible + 1;
}

void wal_replica_restart(wal_replica *rep, uint64_t lsn, keyview *view)
{
    wal_replica_cut(rep);
    stop_workers(rep);
    for (uint64_t x = rep->visible + 1; x <= rep->received; x++) {
        wal_entry *e = entry(rep, x);
        if (e->state == WAL_APPLIED) continue;
        request tmp;
        tmp.t_arrive = e->t;
        station_leave(&rep->base, &tmp);
    }
    rep->sent = rep->received = rep->visible = lsn;
    rep->cursor = lsn + 1;
    keyview_fini(&rep->view);
    rep->view = *view;
    keyview_init(view);
}

void wal_replica_crash(wal_replica *rep)
{
    sim *s = rep->base.sim;
    if (!rep->up) return;
    rep->up = 0;
    rep->down_since = s->now;
    wal_replica_cut(rep);
    stop_workers(rep);
}

void wal_replica_recover(wal_replica *rep)
{
    if (rep->up) return;
    rep->up = 1;
    dispatch(rep);
    wal_replica_ship(rep);
}

void wal_replica_slow(wal_replica *rep, double factor)
{
    rep->slowdown = factor;
    double mean = dist_mean(rep->p.apply_time) * factor;
    rep->base.stats.capacity_rate = mean > 0.0 ? (double)rep->p.workers / mean : 0.0;
}

double wal_replica_lag(const wal_replica *rep)
{
    if (rep->visible >= rep->log->head) return 0.0;
    const wal_record *rec = wal_log_get(rep->log, rep->visible + 1);
    return rec ? rep->base.sim->now - rec->commit_time : 0.0;
}

double wal_replica_ack_delay(wal_replica *rep)
{
    return dist_sample(rep->p.link, &rep->ack_rng) +
           sim_one_way(rep->base.sim, rep->p.source, rep->base.region);
}

static int apply_init(station *st)
{
    (void)st;
    return 0;
}

static void apply_arrive(station *st, request *r)
{
    sim_fail(st->sim, "station '%s' (replica-apply) received a request; it is internal to a cluster",
             st->name);
    sim_request_free(st->sim, r);
}

static void apply_reset(station *st)
{
    hist_reset(&as_rep(st)->lag);
    as_rep(st)->disconnects = 0;
}

static void apply_report(station *st, report *out)
{
    wal_replica *rep = as_rep(st);
    char name[300];
    const char *n = wal_replica_name(rep);
    if (st->hidden) return;
    if (rep->lag.count) {
        report_hist_merge(out, "lag", &rep->lag);
        snprintf(name, sizeof name, "lag_max_ms.%s", n);
        report_max(out, name, rep->lag.max * 1e3);
        snprintf(name, sizeof name, "lag_mean_ms.%s", n);
        report_max(out, name, hist_mean(&rep->lag) * 1e3);
    }
    snprintf(name, sizeof name, "applied.%s", n);
    report_add(out, name, (double)rep->lag.count);
    if (st->sim->n_regions > 1) {
        snprintf(name, sizeof name, "wal_disconnects.%s", n);
        report_add(out, name, (double)rep->disconnects);
    }
}

static void apply_sample(station *st, report *out)
{
    wal_replica *rep = as_rep(st);
    if (!rep->attached || st->hidden) return;
    char name[300];
    snprintf(name, sizeof name, "ts.lag_ms_%s", wal_replica_name(rep));
    report_add(out, name, wal_replica_lag(rep) * 1e3);
}

static void apply_fini(station *st)
{
    wal_replica *rep = as_rep(st);
    free(rep->transit);
    free(rep->queue);
    free(rep->workers);
    keyview_fini(&rep->view);
}

static const station_ops apply_ops = {
    .init = apply_init,
    .arrive = apply_arrive,
    .event = apply_event,
    .reset = apply_reset,
    .report = apply_report,
    .sample = apply_sample,
    .fini = apply_fini,
};

static const opt_def no_options[] = {{0}};

static const station_kind apply_kind = {
    .name = "replica-apply",
    .summary = "a replica's WAL link and apply queue (internal to a cluster)",
    .options = no_options,
    .config_size = 1,
    .station_size = sizeof(wal_replica),
    .ops = &apply_ops,
};

wal_replica *wal_replica_new(sim *s, station *node, const wal_log *log, const wal_params *p,
                             const wal_hooks *hooks, uint64_t start_lsn, keyview *view)
{
    char name[300];
    char dummy = 0;
    snprintf(name, sizeof name, "%s.apply", node->name);
    wal_replica *rep = (wal_replica *)station_new(s, &apply_kind, name, &dummy);
    if (!rep) return NULL;
    rep->workers = calloc((size_t)p->workers, sizeof *rep->workers);
    if (!rep->workers) return NULL; /* the station is registered: sim_fini frees it */
    rep->node = node;
    rep->log = log;
    rep->p = *p;
    rep->hooks = *hooks;
    rep->view = *view;
    keyview_init(view);
    sim_stream(s, &rep->base, "link", &rep->link_rng);
    sim_stream(s, &rep->base, "ack", &rep->ack_rng);
    sim_stream(s, &rep->base, "apply", &rep->apply_rng);
    rep->slowdown = 1.0;
    rep->up = 1;
    rep->feed = 1;
    rep->attached = 1;
    rep->linked = 1;
    rep->sent = rep->received = rep->visible = start_lsn;
    rep->cursor = start_lsn + 1;
    rep->last_arrival = s->now;
    hist_init(&rep->lag);
    rep->base.stats.servers = (double)p->workers;
    double mean = dist_mean(p->apply_time);
    rep->base.stats.capacity_rate = mean > 0.0 ? (double)p->workers / mean : 0.0;
    return rep;
}
