/* sim.c: the event loop, event slots, request pool and message passing. */
#include "sim/sim.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/station.h"

#define SLOT_NONE UINT32_MAX
#define SLOT_LIMIT (1u << PES_SLOT_BITS)

/* Engine event kinds. */
enum {
    EV_CANCELLED = SIM_EV_ENGINE, /* a cancelled event still in the heap */
    EV_DELIVER,                   /* delayed arrival: ptr = request, target = receiver */
    EV_REPLY,                     /* delayed reply: ptr = request */
    EV_WARMUP_END,                /* reset statistics */
    EV_SAMPLE,                    /* time-series sample */
    EV_CONTROL,                   /* timeline action: ptr = sim_control */
    EV_PARTITION,                 /* arg = a << 16 | b << 1 | cut */
};

int sim_init(sim *s, const sim_config *cfg)
{
    memset(s, 0, sizeof *s);
    gsl_set_error_handler_off();
    s->cfg = *cfg;
    if (s->cfg.max_in_flight == 0) s->cfg.max_in_flight = 1000000;
    s->free_slot = SLOT_NONE;
    s->next_request_id = 1;
    if (pes_init(&s->queue, 1024) != 0) return -1;
    if (pool_init(&s->requests, sizeof(request), 1024) != 0) {
        pes_fini(&s->queue);
        return -1;
    }
    pool_set_limit(&s->requests, s->cfg.max_in_flight);
    return 0;
}

void sim_fini(sim *s)
{
    for (size_t i = s->n_stations; i-- > 0;) station_free(s->stations[i]);
    free(s->stations);
    free(s->slots);
    free(s->one_way);
    free(s->cut);
    for (size_t i = 0; i < s->n_regions; i++) free(s->region_names[i]);
    free(s->region_names);
    pes_fini(&s->queue);
    pool_fini(&s->requests);
    memset(s, 0, sizeof *s);
}

void sim_assert_fail(const sim *s, const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: internal error at simulated time %.9g s: assertion '%s' failed\n",
            file, line, s ? s->now : 0.0, what);
    abort();
}

void sim_fail(sim *s, const char *fmt, ...)
{
    if (s->failed) return; /* keep the first cause */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    s->failed = 1;
    s->stopped = 1;
}

void sim_stop(sim *s) { s->stopped = 1; }

/* Takes a free event slot, growing the slot array when needed. */
static uint32_t slot_take(sim *s)
{
    uint32_t i = s->free_slot;
    if (i != SLOT_NONE) {
        s->free_slot = (uint32_t)s->slots[i].arg;
        return i;
    }
    if (s->n_slots == s->cap_slots) {
        uint32_t cap = s->cap_slots ? s->cap_slots * 2 : 1024;
        if (cap > SLOT_LIMIT) cap = SLOT_LIMIT;
        if (cap == s->n_slots) return SLOT_NONE;
        sim_event *grown = realloc(s->slots, (size_t)cap * sizeof *grown);
        if (!grown) return SLOT_NONE;
        s->slots = grown;
        s->cap_slots = cap;
    }
    s->slots[s->n_slots].gen = 1;
    return s->n_slots++;
}

static void slot_release(sim *s, uint32_t i)
{
    s->slots[i].gen++;
    s->slots[i].arg = s->free_slot;
    s->free_slot = i;
}

sim_handle sim_schedule(sim *s, double delay, station *target, uint32_t kind, void *ptr,
                        uint64_t arg)
{
    SIM_ASSERT(s, delay >= 0.0);
    uint32_t slot = slot_take(s);
    if (slot == SLOT_NONE) {
        sim_fail(s, "too many pending events (limit %u): the model is overloaded", SLOT_LIMIT);
        return 0;
    }
    sim_event *ev = &s->slots[slot];
    ev->target = target;
    ev->ptr = ptr;
    ev->arg = arg;
    ev->kind = kind;
    double t = s->now + delay;
    uint64_t key = pes_key(s->seq++, slot);
    if (s->top_taken) {
        s->top_taken = 0;
        pes_replace_top(&s->queue, t, key);
    } else if (pes_push(&s->queue, t, key) != 0) {
        slot_release(s, slot);
        sim_fail(s, "out of memory for pending events");
        return 0;
    }
    return ((uint64_t)ev->gen << 32) | slot;
}

sim_handle sim_schedule_control(sim *s, double at, const sim_control *c)
{
    SIM_ASSERT(s, at >= s->now);
    return sim_schedule(s, at - s->now, NULL, EV_CONTROL, (void *)c, 0);
}

static void run_control(sim *s, const sim_control *c)
{
    char err[200] = "";
    station *st = c->target;
    if (!st->ops->control) {
        sim_fail(s, "%s: station '%s' (type %s) takes no timeline actions", c->where, st->name,
                 st->kind->name);
        return;
    }
    if (st->ops->control(st, c->action, c->part, c->factor, err, sizeof err) != 0)
        sim_fail(s, "%s: timeline action '%s' on '%s%s%s' failed: %s", c->where, c->action,
                 st->name, *c->part ? "." : "", c->part, err[0] ? err : "refused");
}

void sim_cancel(sim *s, sim_handle h)
{
    if (h == 0) return;
    uint32_t slot = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    if (slot >= s->n_slots || s->slots[slot].gen != gen) return;
    s->slots[slot].kind = EV_CANCELLED;
    s->slots[slot].target = NULL;
}

request *sim_request_new(sim *s)
{
    request *r = pool_get(&s->requests);
    if (!r) {
        sim_fail(s, "more than %zu requests in flight at t = %.6g s: the system cannot keep up "
                 "with the offered load (a station is saturated); lower the load or raise "
                 "max_in_flight", s->cfg.max_in_flight, s->now);
        return NULL;
    }
    /* Zero everything but the return stack, which push_frame fills as it grows. */
    memset(r, 0, offsetof(request, stack));
    r->id = s->next_request_id++;
    r->t_start = s->now;
    return r;
}

void sim_request_free(sim *s, request *r) { pool_put(&s->requests, r); }

size_t sim_in_flight(const sim *s) { return pool_in_use(&s->requests); }

static void push_frame(sim *s, station *from, request *r)
{
    SIM_ASSERT(s, r->depth < REQUEST_MAX_DEPTH);
    r->stack[r->depth].station = from;
    r->stack[r->depth].t_sent = s->now;
    r->depth++;
}

int sim_set_regions(sim *s, size_t n, const char *const *names, const double *rtt)
{
    if (n == 0 || n > SIM_MAX_REGIONS) return -1;
    s->one_way = calloc(n * n, sizeof *s->one_way);
    s->cut = calloc(n * n, 1);
    s->region_names = calloc(n, sizeof *s->region_names);
    if (!s->one_way || !s->cut || !s->region_names) return -1;
    s->n_regions = n;
    for (size_t i = 0; i < n; i++) {
        if (!(s->region_names[i] = strdup(names[i]))) return -1;
        for (size_t j = 0; j < n; j++) s->one_way[i * n + j] = i == j ? 0.0 : rtt[i * n + j] / 2.0;
    }
    return 0;
}

int sim_region_index(const sim *s, const char *name)
{
    if (!name || !*name) return 0;
    for (size_t i = 0; i < s->n_regions; i++)
        if (strcmp(s->region_names[i], name) == 0) return (int)i;
    return -1;
}

double sim_one_way(const sim *s, unsigned a, unsigned b)
{
    if (a == b || !s->one_way || a >= s->n_regions || b >= s->n_regions) return 0.0;
    return s->one_way[(size_t)a * s->n_regions + b];
}

int sim_reachable(const sim *s, unsigned a, unsigned b)
{
    if (a == b || !s->cut || a >= s->n_regions || b >= s->n_regions) return 1;
    return !s->cut[(size_t)a * s->n_regions + b];
}

void sim_partition(sim *s, unsigned a, unsigned b, int cut)
{
    if (!s->cut || a >= s->n_regions || b >= s->n_regions || a == b) return;
    s->cut[(size_t)a * s->n_regions + b] = (unsigned char)(cut != 0);
    s->cut[(size_t)b * s->n_regions + a] = (unsigned char)(cut != 0);
}

void sim_schedule_partition(sim *s, double at, unsigned a, unsigned b, int cut)
{
    SIM_ASSERT(s, at >= s->now);
    sim_schedule(s, at - s->now, NULL, EV_PARTITION, NULL,
                 ((uint64_t)a << 16) | ((uint64_t)b << 1) | (uint64_t)(cut != 0));
}

/* The region a message from station st about request r leaves from or goes to. */
static unsigned region_of(const station *st, const request *r)
{
    return st->region_per_request ? r->region : st->region;
}

static void deliver_now(sim *s, station *to, request *r)
{
    r->at = to;
    r->t_arrive = s->now;
    to->ops->arrive(to, r);
}

void sim_send(sim *s, station *from, station *to, request *r)
{
    sim_send_delayed(s, from, to, r, 0.0);
}

void sim_send_delayed(sim *s, station *from, station *to, request *r, double delay)
{
    push_frame(s, from, r);
    if (s->n_regions) {
        unsigned a = region_of(from, r), b = region_of(to, r);
        if (!sim_reachable(s, a, b)) {
            /* Cut off: the sender learns at once that the request did not get through. */
            r->status = SIM_STATUS_UNREACHABLE;
            sim_schedule(s, 0.0, NULL, EV_REPLY, r, 0);
            return;
        }
        delay += sim_one_way(s, a, b);
    }
    if (delay <= 0.0) deliver_now(s, to, r);
    else sim_schedule(s, delay, to, EV_DELIVER, r, 0);
}

static void reply_now(sim *s, request *r)
{
    SIM_ASSERT(s, r->depth > 0);
    station *back = r->stack[--r->depth].station;
    r->at = back;
    back->ops->reply(back, r);
}

void sim_reply(sim *s, request *r)
{
    sim_reply_delayed(s, r, 0.0);
}

void sim_reply_delayed(sim *s, request *r, double delay)
{
    SIM_ASSERT(s, r->depth > 0);
    if (s->n_regions) {
        const station *back = r->stack[r->depth - 1].station;
        unsigned a = r->at ? region_of(r->at, r) : 0, b = region_of(back, r);
        if (!sim_reachable(s, a, b)) r->status = SIM_STATUS_UNREACHABLE; /* the answer is lost */
        delay += sim_one_way(s, a, b);
    }
    if (delay <= 0.0) reply_now(s, r);
    else sim_schedule(s, delay, NULL, EV_REPLY, r, 0);
}

void sim_stream(const sim *s, const station *st, const char *purpose, rng *r)
{
    char name[512];
    snprintf(name, sizeof name, "%s/%s", st ? st->name : "", purpose);
    rng_seed(r, s->cfg.seed, s->cfg.replication, name);
}

int sim_add_station(sim *s, station *st)
{
    if (s->n_stations == s->cap_stations) {
        size_t cap = s->cap_stations ? s->cap_stations * 2 : 16;
        station **grown = realloc(s->stations, cap * sizeof *grown);
        if (!grown) return -1;
        s->stations = grown;
        s->cap_stations = cap;
    }
    st->id = (uint32_t)s->n_stations;
    st->sim = s;
    s->stations[s->n_stations++] = st;
    return 0;
}

station *sim_find_station(const sim *s, const char *name)
{
    for (size_t i = 0; i < s->n_stations; i++)
        if (strcmp(s->stations[i]->name, name) == 0) return s->stations[i];
    return NULL;
}

int sim_start(sim *s)
{
    for (size_t i = 0; i < s->n_stations; i++) {
        station *st = s->stations[i];
        if (st->ops->init && st->ops->init(st) != 0) {
            if (!s->failed) sim_fail(s, "station '%s' failed to start", st->name);
            return -1;
        }
    }
    if (s->cfg.warmup > 0.0) sim_schedule(s, s->cfg.warmup, NULL, EV_WARMUP_END, NULL, 0);
    else s->warm = 1;
    if (s->cfg.sample_interval > 0.0)
        sim_schedule(s, s->cfg.sample_interval, NULL, EV_SAMPLE, NULL, 0);
    return s->failed ? -1 : 0;
}

static void warmup_end(sim *s)
{
    s->warm = 1;
    for (size_t i = 0; i < s->n_stations; i++) {
        station *st = s->stations[i];
        station_stats_reset(st);
        if (st->ops->reset) st->ops->reset(st);
    }
}

static void engine_event(sim *s, const sim_event *ev)
{
    switch (ev->kind) {
    case EV_CANCELLED:
        break;
    case EV_DELIVER:
        deliver_now(s, ev->target, ev->ptr);
        break;
    case EV_REPLY:
        reply_now(s, ev->ptr);
        break;
    case EV_WARMUP_END:
        warmup_end(s);
        break;
    case EV_CONTROL:
        run_control(s, ev->ptr);
        break;
    case EV_PARTITION:
        sim_partition(s, (unsigned)(ev->arg >> 16), (unsigned)((ev->arg >> 1) & 0x7fff),
                      (int)(ev->arg & 1));
        break;
    case EV_SAMPLE:
        if (s->on_sample) s->on_sample(s->sample_ctx, s->now);
        sim_schedule(s, s->cfg.sample_interval, NULL, EV_SAMPLE, NULL, 0);
        break;
    default:
        SIM_ASSERT(s, !"unknown engine event kind");
    }
}

int sim_run(sim *s)
{
    const double end = s->cfg.duration;
    while (!s->stopped) {
        const pes_entry *top = pes_top(&s->queue);
        if (!top || top->time > end) break;
        SIM_ASSERT(s, top->time >= s->now);
        s->now = top->time;
        uint32_t slot = pes_key_slot(top->key);
        sim_event ev = s->slots[slot];
        slot_release(s, slot);
        s->top_taken = 1;
        if (ev.kind >= SIM_EV_ENGINE) engine_event(s, &ev);
        else ev.target->ops->event(ev.target, &ev);
        s->events++;
        if (s->top_taken) {
            s->top_taken = 0;
            pes_pop(&s->queue);
        }
    }
    if (!s->stopped && s->now < end) s->now = end;
    return s->failed ? -1 : 0;
}
