/* cluster.c: the cluster station: options, nodes, the read and write paths, WAL shipping,
 * confirmations and the report. Failures and failover live in cluster_control.c. */
#include "models/cluster_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/request_codes.h"
#include "sim/report.h"

/* Confirmation events carry (term << 48) | (caught-up flag << 47) | lsn. */
#define ACK_CAUGHT_UP (UINT64_C(1) << 47)
#define ACK_LSN_MASK (ACK_CAUGHT_UP - 1)

static const opt_choice sync_on_choices[] = {
    {"receive", SYNC_ON_RECEIVE,
     "a replica confirms a record once received (PostgreSQL synchronous_commit = on, MySQL "
     "semi-sync AFTER_SYNC)"},
    {"apply", SYNC_ON_APPLY,
     "a replica confirms a record once visible to its reads (PostgreSQL remote_apply)"},
    {0},
};

static const opt_choice access_choices[] = {
    {"direct", ACCESS_DIRECT,
     "the application reaches the nodes itself, from its users' region: a read pays the "
     "one-way delay user <-> serving node each way, a write the round trip to the primary"},
    {"proxy", ACCESS_PROXY,
     "through a proxy in the cluster's region: sender -> cluster region, then -> node"},
    {0},
};

static const opt_choice outage_choices[] = {
    {"fail", OUTAGE_FAIL, "requests for a crashed primary fail at once"},
    {"wait", OUTAGE_WAIT, "requests for a crashed primary wait in the cluster until a primary is back"},
    {0},
};

static const opt_def cluster_options[] = {
    {.name = "replicas", .type = OPT_INT, .offset = offsetof(cluster_config, replicas),
     .def = "1", .min = 0, .max = 1000, .help = "read replicas at the start"},
    {.name = "replication", .type = OPT_CUSTOM, .offset = offsetof(cluster_config, replication),
     .def = "async", .min = 1, .max = 0, .parse = repl_mode_parse, .format = repl_mode_format,
     .size = sizeof(repl_mode),
     .help = "async | semi-sync(K, TIMEOUT): wait for K confirmations, fall back to async "
             "after TIMEOUT | sync: wait for every replica"},
    {.name = "sync_on", .type = OPT_ENUM, .offset = offsetof(cluster_config, sync_on),
     .def = "receive", .choices = sync_on_choices,
     .help = "what a replica confirms to sync/semi-sync replication"},
    {.name = "read_from", .type = OPT_ENUM, .offset = offsetof(cluster_config, read_from),
     .def = "replicas", .choices = routing_read_from_choices, .help = "where reads go"},
    {.name = "balance", .type = OPT_ENUM, .offset = offsetof(cluster_config, balance),
     .def = "round-robin", .choices = routing_balance_choices,
     .help = "how a read picks among the eligible targets"},
    {.name = "consistency", .type = OPT_CUSTOM, .offset = offsetof(cluster_config, consistency),
     .def = "eventual", .min = 1, .max = 0, .parse = consistency_parse,
     .format = consistency_format, .size = sizeof(consistency),
     .help = "eventual | read-your-writes(WINDOW) | read-your-writes(lsn) | monotonic | "
             "bounded(MAX_LAG): which replicas may serve a user's read"},
    {.name = "outage", .type = OPT_ENUM, .offset = offsetof(cluster_config, outage),
     .def = "fail", .choices = outage_choices,
     .help = "requests for the primary while it is down"},
    {.name = "failover_delay", .type = OPT_TIME, .offset = offsetof(cluster_config, failover_delay),
     .def = "10s", .min = 0, .max = 1e9,
     .help = "from a primary crash to choosing the replica to promote (detection + decision)"},
    {.name = "wal_record_size", .type = OPT_SIZE, .offset = offsetof(cluster_config, wal_record_size),
     .def = "1KB", .min = 1, .max = 1e12, .help = "bytes per WAL record on the link"},
    {.name = "max_wal_backlog", .type = OPT_INT, .offset = offsetof(cluster_config, max_wal_backlog),
     .def = "10M", .min = 100, .max = 1e10,
     .help = "WAL records kept for lagging replicas before the run fails (about 40 bytes each)"},
    {.name = "replica.link", .type = OPT_DIST, .offset = offsetof(cluster_config, link),
     .def = "const(0.5ms)", .min = 0, .max = INFINITY,
     .help = "one-way delay primary -> replica (WAL) and back (confirmations)"},
    {.name = "replica.link_bandwidth", .type = OPT_RATE,
     .offset = offsetof(cluster_config, link_bandwidth), .def = "0", .min = 0, .max = 1e15,
     .help = "bytes per second on each replica link, e.g. 125M/s for 1 Gbit/s (0 = unlimited)"},
    {.name = "replica.apply_workers", .type = OPT_INT, .offset = offsetof(cluster_config, apply_workers),
     .def = "1", .min = 1, .max = 1024,
     .help = "parallel WAL apply workers (1 = PostgreSQL's startup process; more = MySQL's "
             "parallel replica, commit order preserved)"},
    {.name = "replica.apply_time", .type = OPT_DIST, .offset = offsetof(cluster_config, apply_time),
     .def = "exp(0.1ms)", .min = 0, .max = INFINITY, .help = "time to apply one WAL record"},
    {.name = "replica.reconnect", .type = OPT_TIME, .offset = offsetof(cluster_config, reconnect),
     .def = "1s", .min = 1e-6, .max = 1e9,
     .help = "after a partition broke a replica's WAL link, how often it tries to reconnect "
             "(PostgreSQL's wal_retrieve_retry_interval, 5s there)"},
    {.name = "region", .type = OPT_STRING, .offset = offsetof(cluster_config, region), .def = "",
     .min = 1, .max = 0,
     .help = "region of the primary and of the cluster itself (a name from [regions]); empty: "
             "the first region"},
    {.name = "replica_regions", .type = OPT_CUSTOM, .offset = offsetof(cluster_config, replica_regions),
     .def = "", .min = 1, .max = 0, .parse = region_list_parse, .format = region_list_format,
     .size = sizeof(region_list),
     .help = "regions of the replicas, e.g. 'eu-west, ap-south': replica i sits in the i-th, "
             "cycling; empty: the cluster's region"},
    {.name = "access", .type = OPT_ENUM, .offset = offsetof(cluster_config, access),
     .def = "direct", .choices = access_choices,
     .help = "how requests reach the nodes when regions differ"},
    NODE_OPTION_ROWS("primary.", cluster_config, primary),
    NODE_OPTION_ROWS("replica.", cluster_config, replica),
    {0},
};

static cluster *as_cluster(station *st) { return (cluster *)st; }

/* ---- request bookkeeping ------------------------------------------------------------------- */

/* The cluster (or its commit station) pushes a frame of its own on arrival (station =
 * itself, t_sent = arrival time): the nodes overwrite r->t_arrive, and this frame keeps
 * the holder's. The top frame also tells which of the two holds a request. */
static void push_arrival(station *holder, request *r)
{
    sim *s = holder->sim;
    SIM_ASSERT(s, r->depth < REQUEST_MAX_DEPTH);
    r->stack[r->depth].station = holder;
    r->stack[r->depth].t_sent = s->now;
    r->depth++;
}

/* The cluster's station or its commit station, whichever holds r (its frame on top). */
static station *holder_of(cluster *c, const request *r)
{
    sim *s = c->base.sim;
    SIM_ASSERT(s, r->depth > 0);
    station *h = r->stack[r->depth - 1].station;
    SIM_ASSERT(s, h == &c->base || (c->commit && h == c->commit));
    return h;
}

void cluster_finish(cluster *c, request *r)
{
    station *h = holder_of(c, r);
    r->depth--;
    r->t_arrive = r->stack[r->depth].t_sent;
    station_leave(h, r);
    sim_reply(c->base.sim, r); /* from the commit station: back to the cluster's reply op */
}

void cluster_fail(cluster *c, request *r)
{
    r->status = STATUS_FAILED;
    cluster_finish(c, r);
}

void cluster_to_primary(cluster *c, request *r)
{
    if (!c->primary_down) {
        sim_send(c->base.sim, holder_of(c, r), c->primary, r);
        return;
    }
    if (c->cfg->outage == OUTAGE_WAIT) {
        c->outage_waited++;
        r->link = NULL;
        if (c->wait_tail) c->wait_tail->link = r;
        else c->wait_head = r;
        c->wait_tail = r;
        return;
    }
    c->outage_failed++;
    cluster_fail(c, r);
}

static void fail_oom(cluster *c, const char *what)
{
    sim_fail(c->base.sim, "station '%s': out of memory (%s)", c->base.name, what);
}

/* ---- replicas ------------------------------------------------------------------------------ */

static int scratch_grow(cluster *c, size_t n)
{
    if (n <= c->cap_scratch) return 0;
    size_t cap = c->cap_scratch ? c->cap_scratch * 2 : 8;
    while (cap < n) cap *= 2;
    routing_target *t = realloc(c->targets, cap * sizeof *t);
    if (!t) return -1;
    c->targets = t;
    cluster_replica **o = realloc(c->order, cap * sizeof *o);
    if (!o) return -1;
    c->order = o;
    uint64_t *a = realloc(c->ack_scratch, cap * sizeof *a);
    if (!a) return -1;
    c->ack_scratch = a;
    int *k = realloc(c->count_scratch, cap * sizeof *k);
    if (!k) return -1;
    c->count_scratch = k;
    c->cap_scratch = cap;
    return 0;
}

static void send_ack(cluster *c, cluster_replica *rep, uint64_t lsn)
{
    if (!wal_replica_reachable(rep->wal)) return; /* lost in the partition; later ones cover it */
    uint64_t arg = ((uint64_t)c->term << 48) | (lsn & ACK_LSN_MASK);
    if (lsn >= c->wal.head) arg |= ACK_CAUGHT_UP;
    sim_schedule(c->base.sim, wal_replica_ack_delay(rep->wal), &c->base, CLUSTER_EV_ACK, rep, arg);
}

static void on_received(void *ctx, wal_replica *w, uint64_t lsn)
{
    (void)w;
    cluster_replica *rep = ctx;
    cluster *c = rep->owner;
    if (c->cfg->replication.kind != REPL_ASYNC && c->cfg->sync_on == SYNC_ON_RECEIVE && !c->primary_down)
        send_ack(c, rep, lsn);
}

static void on_visible(void *ctx, wal_replica *w, uint64_t lsn)
{
    (void)w;
    cluster_replica *rep = ctx;
    cluster *c = rep->owner;
    if (c->cfg->replication.kind != REPL_ASYNC && c->cfg->sync_on == SYNC_ON_APPLY && !c->primary_down)
        send_ack(c, rep, lsn);
    if (c->promoting == rep) cluster_promotion_check(c, rep);
}

/* A node station named `name` with settings `nc`, in `region`. NULL when out of memory. */
static station *new_node(cluster *c, const char *name, const node_config *nc, uint16_t region)
{
    node_config_holder h; /* the node kind's own config: its settings, no region string */
    memset(&h, 0, sizeof h);
    h.cfg = *nc;
    station *node = station_new(c->base.sim, &node_kind, name, &h);
    if (node) {
        node->region = region;
        node->hidden = c->base.hidden;
    }
    return node;
}

/* Region of replica number n (from 1): replica_regions cycled, or the cluster's. */
static uint16_t replica_region(const cluster *c, int n)
{
    if (c->n_rep_regions == 0) return c->base.region;
    return c->rep_region[(uint32_t)(n - 1) % c->n_rep_regions];
}

cluster_replica *cluster_attach(cluster *c, station *node)
{
    sim *s = c->base.sim;
    const cluster_config *cfg = c->cfg;
    int number = c->next_number++;
    if (!node) {
        char name[300];
        snprintf(name, sizeof name, "%s.replica.%d", c->base.name, number);
        node = new_node(c, name, &cfg->replica, replica_region(c, number));
        if (!node) {
            fail_oom(c, "replica node");
            return NULL;
        }
        /* Nodes created during init are started by sim_start; later ones here. */
        if (c->initialised && node->ops->init && node->ops->init(node) != 0) {
            if (!s->failed) sim_fail(s, "station '%s' failed to start", node->name);
            return NULL;
        }
    }
    if (c->n_reps == c->cap_reps) {
        size_t cap = c->cap_reps ? 2 * c->cap_reps : 4;
        cluster_replica **g = realloc(c->reps, cap * sizeof *g);
        if (!g) {
            fail_oom(c, "replica table");
            return NULL;
        }
        c->reps = g;
        c->cap_reps = cap;
    }
    if (scratch_grow(c, c->n_reps + 2) != 0) {
        fail_oom(c, "replica table");
        return NULL;
    }
    cluster_replica *rep = calloc(1, sizeof *rep);
    if (!rep) {
        fail_oom(c, "replica");
        return NULL;
    }
    c->reps[c->n_reps++] = rep;
    rep->owner = c;
    rep->node = node;
    rep->number = number;
    keyview view;
    keyview_init(&view);
    if (c->keys.n && keyview_copy_committed(&view, &c->keys) != 0) {
        fail_oom(c, "replica key versions");
        return NULL;
    }
    wal_params p = {
        .link = &cfg->link,
        .bandwidth = cfg->link_bandwidth,
        .record_size = cfg->wal_record_size,
        .workers = cfg->apply_workers,
        .apply_time = &cfg->apply_time,
        .retry = cfg->reconnect,
        .source = c->primary->region,
    };
    wal_hooks hooks = {.ctx = rep, .received = on_received, .visible = on_visible};
    rep->wal = wal_replica_new(s, node, &c->wal, &p, &hooks, c->wal.head, &view);
    if (!rep->wal) {
        keyview_fini(&view);
        fail_oom(c, "replica apply queue");
        return NULL;
    }
    rep->acked = c->wal.head;
    rep->in_sync = 1;
    /* The apply process sits with its replica's node. */
    rep->wal->base.region = node->region;
    node->hidden = rep->wal->base.hidden = c->base.hidden;
    if (c->primary_down) wal_replica_feed(rep->wal, 0);
    return rep;
}

cluster_replica *cluster_replica_by_number(const cluster *c, int n)
{
    for (size_t i = 0; i < c->n_reps; i++)
        if (c->reps[i]->number == n && c->reps[i]->wal->attached) return c->reps[i];
    return NULL;
}

uint32_t cluster_committed_version(const station *st, uint64_t key)
{
    const cluster *c = (const cluster *)st;
    uint32_t slot = keystate_find(&c->keys, key);
    return slot == KEYSTATE_NONE ? 0 : c->keys.version[slot];
}

/* ---- confirmations -------------------------------------------------------------------------- */

static int must_wait(const cluster *c)
{
    const repl_mode *m = &c->cfg->replication;
    if (m->kind == REPL_ASYNC) return 0;
    if (m->kind == REPL_SEMI_SYNC) return !c->sync.fallback;
    for (size_t i = 0; i < c->n_reps; i++)
        if (c->reps[i]->wal->attached && c->reps[i]->in_sync) return 1;
    return 0;
}

/* Commit time of the oldest waiting write (its record is kept: see trim_wal). */
static double oldest_waiting_commit(const cluster *c)
{
    const wal_record *rec = wal_log_get(&c->wal, c->sync.head->lsn);
    SIM_ASSERT(c->base.sim, rec != NULL);
    return rec->commit_time;
}

static void arm_timeout(cluster *c)
{
    const repl_mode *m = &c->cfg->replication;
    if (c->timeout_event || m->kind != REPL_SEMI_SYNC || c->sync.fallback || !c->sync.head) return;
    double wait = oldest_waiting_commit(c) + m->timeout - c->base.sim->now;
    c->timeout_event = sim_schedule(c->base.sim, wait > 0.0 ? wait : 0.0, &c->base,
                                    CLUSTER_EV_TIMEOUT, NULL, 0);
}

void cluster_release(cluster *c)
{
    const repl_mode *m = &c->cfg->replication;
    size_t n = 0;
    for (size_t i = 0; i < c->n_reps; i++) {
        cluster_replica *rep = c->reps[i];
        if (!rep->wal->attached) continue;
        c->ack_scratch[n] = rep->acked;
        c->count_scratch[n] = m->kind == REPL_SYNC ? rep->in_sync : 1;
        n++;
    }
    uint64_t upto = syncrep_position(m, c->ack_scratch, c->count_scratch, n);
    if (m->kind == REPL_SEMI_SYNC && c->sync.fallback) upto = UINT64_MAX;
    request *r;
    while ((r = syncrep_pop_upto(&c->sync, upto))) cluster_finish(c, r);
    arm_timeout(c);
}

static void on_ack(cluster *c, cluster_replica *rep, uint64_t arg)
{
    if ((uint32_t)(arg >> 48) != (c->term & 0xffff) || c->primary_down || !rep->wal->attached) return;
    if (!wal_replica_reachable(rep->wal)) return; /* ran into a partition on the way */
    uint64_t lsn = arg & ACK_LSN_MASK;
    if (lsn > rep->acked) rep->acked = lsn;
    if (arg & ACK_CAUGHT_UP) {
        if (!rep->in_sync && rep->wal->up) rep->in_sync = 1;
        if (c->sync.fallback) c->sync.fallback = 0; /* semi-sync resumes */
    }
    cluster_release(c);
}

static void on_timeout(cluster *c)
{
    sim *s = c->base.sim;
    c->timeout_event = 0;
    const repl_mode *m = &c->cfg->replication;
    if (m->kind != REPL_SEMI_SYNC || c->sync.fallback || !c->sync.head) return;
    double deadline = oldest_waiting_commit(c) + m->timeout;
    if (deadline - s->now > 1e-12 * (1.0 + s->now)) { /* the oldest was confirmed: re-arm */
        arm_timeout(c);
        return;
    }
    c->fallbacks++;
    c->sync.fallback = 1;
    cluster_release(c);
}

/* ---- writes --------------------------------------------------------------------------------- */

/* Forgets the WAL no replica (and no waiting write) needs; fails the run when a replica
 * holds more than max_wal_backlog records. */
static void trim_wal(cluster *c)
{
    uint64_t low = c->wal.head;
    cluster_replica *worst = NULL;
    for (size_t i = 0; i < c->n_reps; i++) {
        cluster_replica *rep = c->reps[i];
        if (!rep->wal->attached) continue;
        if (rep->wal->visible <= low) {
            low = rep->wal->visible;
            worst = rep;
        }
    }
    if (c->sync.head && c->sync.head->lsn - 1 < low) low = c->sync.head->lsn - 1;
    wal_log_trim(&c->wal, low);
    uint64_t kept = wal_log_kept(&c->wal);
    if (kept <= (uint64_t)c->cfg->max_wal_backlog || !worst) return;

    sim *s = c->base.sim;
    const wal_replica *w = worst->wal;
    const wal_record *oldest = wal_log_get(&c->wal, c->wal.first);
    double span = oldest ? s->now - oldest->commit_time : 0.0;
    double rate = span > 0.0 ? (double)kept / span : 0.0;
    if (!w->up) {
        sim_fail(s, "replica %s has been down since t = %.6g s and the primary keeps its WAL: "
                 "backlog over %lld records at t = %.6g s; recover it sooner or raise "
                 "max_wal_backlog", wal_replica_name(w), w->down_since,
                 (long long)c->cfg->max_wal_backlog, s->now);
        return;
    }
    if (!w->linked) {
        sim_fail(s, "replica %s has been cut off from the primary by a network partition since "
                 "t = %.6g s and the primary keeps its WAL: backlog over %lld records at t = "
                 "%.6g s; heal the partition sooner or raise max_wal_backlog",
                 wal_replica_name(w), w->cut_since, (long long)c->cfg->max_wal_backlog, s->now);
        return;
    }
    double apply_mean = dist_mean(&c->cfg->apply_time) * w->slowdown;
    double apply_cap = apply_mean > 0.0 ? (double)c->cfg->apply_workers / apply_mean : INFINITY;
    double link_cap = c->cfg->link_bandwidth > 0.0 ? c->cfg->link_bandwidth / c->cfg->wal_record_size
                                                   : INFINITY;
    if (link_cap < apply_cap && c->wal.head - w->received > w->received - w->visible)
        sim_fail(s, "replica %s cannot keep up: WAL backlog over %lld records at t = %.6g s; "
                 "its link carries %.6g records/s (link_bandwidth / wal_record_size), below the "
                 "write rate of about %.6g writes/s", wal_replica_name(w),
                 (long long)c->cfg->max_wal_backlog, s->now, link_cap, rate);
    else
        sim_fail(s, "replica %s cannot keep up: WAL backlog over %lld records at t = %.6g s; "
                 "its apply capacity %.6g records/s (%lld apply_workers / mean apply_time %.6g "
                 "ms) is below the write rate of about %.6g writes/s; add apply_workers, "
                 "shorten apply_time or lower the write rate", wal_replica_name(w),
                 (long long)c->cfg->max_wal_backlog, s->now, apply_cap,
                 (long long)c->cfg->apply_workers, apply_mean * 1e3, rate);
}

/* The primary finished the write's service: it commits, is shipped, and is acknowledged
 * now (async) or when the replicas confirm it. */
static void commit(cluster *c, request *r)
{
    sim *s = c->base.sim;
    uint32_t slot = keystate_slot(&c->keys, r->key);
    if (slot == KEYSTATE_NONE) {
        fail_oom(c, "key versions");
        cluster_fail(c, r);
        return;
    }
    uint32_t version = keystate_commit(&c->keys, slot, r->user, s->now);
    wal_record rec = {.commit_time = s->now, .slot = slot, .version = version, .user = r->user};
    uint64_t lsn = wal_log_append(&c->wal, &rec);
    if (!lsn || routing_note_write(&c->routing, r->user, lsn, s->now) != 0) {
        fail_oom(c, "WAL");
        cluster_fail(c, r);
        return;
    }
    r->lsn = lsn;
    r->version_seen = version;
    c->commits++;
    for (size_t i = 0; i < c->n_reps; i++)
        if (c->reps[i]->wal->attached) wal_replica_ship(c->reps[i]->wal);
    if (must_wait(c)) {
        syncrep_push(&c->sync, r);
        arm_timeout(c);
    } else {
        cluster_finish(c, r);
    }
    trim_wal(c);
}

/* ---- reads ---------------------------------------------------------------------------------- */

/* Where requests are routed from for r: the user's region under access = direct, the
 * cluster's under proxy (the engine's placement of the cluster's station). */
static uint16_t routed_from(const cluster *c, const request *r)
{
    return c->base.region_per_request ? r->region : c->base.region;
}

/* Fills targets[0] (primary) and targets[1..] (attached replicas) for a read by user region
 * `user_region` routed from region `from`; returns the count. A node across a partition
 * from `from` cannot serve. */
static size_t fill_targets(cluster *c, uint16_t from, uint16_t user_region)
{
    sim *s = c->base.sim;
    c->targets[0] = (routing_target){
        .up = !c->primary_down && sim_reachable(s, from, c->primary->region),
        .visible = c->wal.head,
        .lag = 0.0,
        .load = c->primary_down ? 0 : node_connections(c->primary),
        .local = c->primary->region == user_region,
    };
    c->order[0] = NULL;
    size_t n = 1;
    for (size_t i = 0; i < c->n_reps; i++) {
        cluster_replica *rep = c->reps[i];
        if (!rep->wal->attached) continue;
        c->order[n] = rep;
        c->targets[n++] = (routing_target){
            .up = rep->wal->up && node_is_up(rep->node) && sim_reachable(s, from, rep->node->region),
            .visible = rep->wal->visible,
            .lag = wal_replica_lag(rep->wal),
            .load = node_connections(rep->node),
            .local = rep->node->region == user_region,
        };
    }
    return n;
}

/* Staleness of a read of r->key served by rep, judged now (the read's start). */
static void check_staleness(cluster *c, cluster_replica *rep, request *r)
{
    sim *s = c->base.sim;
    uint32_t slot = keystate_find(&c->keys, r->key);
    uint32_t committed = slot == KEYSTATE_NONE ? 0 : c->keys.version[slot];
    uint32_t seen = slot == KEYSTATE_NONE ? 0 : keyview_get(&rep->wal->view, slot);
    r->version_seen = seen;
    if (seen >= committed) return;
    c->stale_reads++;
    c->stale_versions += committed - seen;
    c->stale_age += s->now - c->keys.commit_time[slot];
    if (c->keys.writer[slot] == r->user) c->stale_own_reads++;
}

static void route_read(cluster *c, request *r)
{
    sim *s = c->base.sim;
    size_t n = fill_targets(c, routed_from(c, r), r->region);
    size_t i = routing_choose(&c->routing, r->user, s->now, c->targets, n, &c->balance_rng);
    uint64_t lsn = c->targets[i].visible;
    if (routing_note_read(&c->routing, r->user, lsn) != 0) {
        fail_oom(c, "user state");
        cluster_fail(c, r);
        return;
    }
    r->lsn = lsn;
    if (c->targets[i].local) c->local_reads++;
    if (i == 0) {
        c->primary_reads++;
        r->version_seen = cluster_committed_version(&c->base, r->key);
        cluster_to_primary(c, r);
        return;
    }
    cluster_replica *rep = c->order[i];
    c->replica_reads++;
    if (c->targets[i].lag > c->read_lag_max) c->read_lag_max = c->targets[i].lag;
    check_staleness(c, rep, r);
    sim_send(s, &c->base, rep->node, r);
}

/* ---- station ops ---------------------------------------------------------------------------- */

/* A cluster that is a hidden template (cloned by another station) hides its parts too. */
static void sync_hidden(cluster *c)
{
    if (c->primary) c->primary->hidden = c->base.hidden;
    if (c->old_primary) c->old_primary->hidden = c->base.hidden;
    if (c->commit) c->commit->hidden = c->base.hidden;
    for (size_t i = 0; i < c->n_reps; i++)
        c->reps[i]->node->hidden = c->reps[i]->wal->base.hidden = c->base.hidden;
}

/* ---- the commit station: the primary's write path in its own region (access = direct) -- */

typedef struct commit_station {
    station base;              /* must be first */
    cluster *owner;            /* the cluster */
} commit_station;

/* A write reaches the primary's region: it is held here until acknowledged. */
static void commit_arrive(station *st, request *r)
{
    cluster *c = ((commit_station *)st)->owner;
    station_enter(st, r);
    push_arrival(st, r);
    cluster_to_primary(c, r);
}

static void commit_reply(station *st, request *r)
{
    cluster *c = ((commit_station *)st)->owner;
    if (r->status == STATUS_OK && r->op == OP_WRITE) commit(c, r);
    else cluster_finish(c, r);
}

static int commit_init(station *st)
{
    (void)st;
    return 0;
}

static const station_ops commit_ops = {
    .init = commit_init,
    .arrive = commit_arrive,
    .reply = commit_reply,
};

static const opt_def no_options[] = {{0}};

static const station_kind commit_kind = {
    .name = "cluster-commit",
    .summary = "a cluster's write path in its primary's region (internal to a cluster)",
    .options = no_options,
    .config_size = 1,
    .station_size = sizeof(commit_station),
    .ops = &commit_ops,
};

/* Creates "<name>.commit" in the primary's region. Returns 0, or -1 (run failed). */
static int make_commit_station(cluster *c)
{
    char name[300];
    char dummy = 0;
    snprintf(name, sizeof name, "%s.commit", c->base.name);
    commit_station *w = (commit_station *)station_new(c->base.sim, &commit_kind, name, &dummy);
    if (!w) {
        fail_oom(c, "commit station");
        return -1;
    }
    w->owner = c;
    w->base.region = c->primary->region;
    w->base.hidden = c->base.hidden;
    c->commit = &w->base;
    return 0;
}

/* ---- station ops ---------------------------------------------------------------------------- */

static int cluster_init(station *st)
{
    cluster *c = as_cluster(st);
    sim *s = st->sim;
    c->cfg = st->config;
    keystate_init(&c->keys);
    wal_log_init(&c->wal);
    syncrep_init(&c->sync);
    routing_init(&c->routing, c->cfg->read_from, c->cfg->balance, c->cfg->consistency);
    sim_stream(s, st, "balance", &c->balance_rng);
    c->next_number = 1;
    if (scratch_grow(c, 2) != 0) {
        fail_oom(c, "replica table");
        return -1;
    }
    char err[700];
    if (region_list_resolve(&c->cfg->replica_regions, s, "replica_regions", c->rep_region, err,
                            sizeof err) != 0) {
        sim_fail(s, "station '%s': %s", st->name, err);
        return -1;
    }
    c->n_rep_regions = c->cfg->replica_regions.n;
    st->region_per_request = c->cfg->access == ACCESS_DIRECT && s->n_regions > 1;
    char name[300];
    snprintf(name, sizeof name, "%s.primary", st->name);
    c->primary = new_node(c, name, &c->cfg->primary, st->region);
    if (!c->primary) {
        fail_oom(c, "primary node");
        return -1;
    }
    if (st->region_per_request && make_commit_station(c) != 0) return -1;
    for (int64_t i = 0; i < c->cfg->replicas; i++)
        if (!cluster_attach(c, NULL)) return -1;
    c->initialised = 1;
    return 0;
}

/* access = direct: the cluster is reached from its users' region, so its sender must sit
 * there (or route per request). Returns 0, or -1 with the run failed. */
static int check_sender(cluster *c, const request *r)
{
    sim *s = c->base.sim;
    const station *from = r->depth ? r->stack[r->depth - 1].station : NULL;
    if (!from || from->region_per_request || from->region == r->region) return 0;
    sim_fail(s, "cluster '%s' (access = direct) is reached from its users' region, but station "
             "'%s' in '%s' sends it requests of users in '%s': place '%s' with its users, route "
             "per region, or set access = proxy", c->base.name, from->name,
             s->region_names[from->region], s->region_names[r->region], from->name);
    return -1;
}

static void cluster_arrive(station *st, request *r)
{
    cluster *c = as_cluster(st);
    station_enter(st, r);
    int bad = st->region_per_request && check_sender(c, r) != 0;
    push_arrival(st, r);
    if (bad) cluster_fail(c, r);
    else if (r->op == OP_WRITE && c->commit) sim_send(st->sim, st, c->commit, r);
    else if (r->op == OP_WRITE) cluster_to_primary(c, r);
    else route_read(c, r);
}

static void cluster_reply(station *st, request *r)
{
    cluster *c = as_cluster(st);
    if (r->status == SIM_STATUS_UNREACHABLE) c->partition_failed++;
    /* With a commit station, writes come back from it already committed. */
    if (r->status == STATUS_OK && r->op == OP_WRITE && !c->commit) commit(c, r);
    else cluster_finish(c, r);
}

static void cluster_event(station *st, const sim_event *ev)
{
    cluster *c = as_cluster(st);
    switch (ev->kind) {
    case CLUSTER_EV_ACK: on_ack(c, ev->ptr, ev->arg); break;
    case CLUSTER_EV_TIMEOUT: on_timeout(c); break;
    case CLUSTER_EV_FAILOVER:
        c->failover_event = 0;
        cluster_failover_decide(c);
        break;
    case CLUSTER_EV_PROMOTE:
        c->promote_event = 0;
        cluster_promote(c);
        break;
    default: SIM_ASSERT(st->sim, !"unknown cluster event");
    }
}

static void cluster_reset(station *st)
{
    cluster *c = as_cluster(st);
    sync_hidden(c);
    c->replica_reads = c->primary_reads = c->stale_reads = c->stale_own_reads = 0;
    c->stale_versions = 0;
    c->stale_age = 0.0;
    c->read_lag_max = 0.0;
    c->commits = c->lost_writes = c->fallbacks = c->failovers = 0;
    c->outage_failed = c->outage_waited = 0;
    c->local_reads = c->partition_failed = 0;
}

/* Nothing of its own per interval; keeps the parts' hidden flag in step before they
 * sample (they come after the cluster in station order). */
static void cluster_sample(station *st, report *out)
{
    (void)out;
    sync_hidden(as_cluster(st));
}

static void cluster_report(station *st, report *out)
{
    cluster *c = as_cluster(st);
    sync_hidden(c);
    if (st->hidden) return;
    report_add(out, "replica_reads", (double)c->replica_reads);
    report_add(out, "primary_reads", (double)c->primary_reads);
    report_add(out, "stale_reads", (double)c->stale_reads);
    report_add(out, "stale_own_reads", (double)c->stale_own_reads);
    report_add(out, "stale_versions_sum", (double)c->stale_versions);
    report_add(out, "stale_age_ms_sum", c->stale_age * 1e3);
    report_max(out, "replica_read_lag_max_ms", c->read_lag_max * 1e3);
    report_add(out, "commits", (double)c->commits);
    report_add(out, "lost_writes", (double)c->lost_writes);
    report_add(out, "semi_sync_fallbacks", (double)c->fallbacks);
    report_add(out, "failovers", (double)c->failovers);
    report_add(out, "outage_failed", (double)c->outage_failed);
    report_add(out, "outage_waited", (double)c->outage_waited);
    char name[300];
    /* per cluster too (station_metrics.csv): the bound a bounded(X) policy must keep */
    snprintf(name, sizeof name, "replica_read_lag_max_ms.%s", st->name);
    report_max(out, name, c->read_lag_max * 1e3);
    snprintf(name, sizeof name, "replica_reads.%s", st->name);
    report_add(out, name, (double)c->replica_reads);
    snprintf(name, sizeof name, "primary_reads.%s", st->name);
    report_add(out, name, (double)c->primary_reads);
    if (st->sim->n_regions > 1) {
        snprintf(name, sizeof name, "local_reads.%s", st->name);
        report_add(out, name, (double)c->local_reads);
        snprintf(name, sizeof name, "partition_failed.%s", st->name);
        report_add(out, name, (double)c->partition_failed);
    }
}

static void cluster_fini(station *st)
{
    cluster *c = as_cluster(st);
    for (size_t i = 0; i < c->n_reps; i++) free(c->reps[i]);
    free(c->reps);
    free(c->targets);
    free(c->order);
    free(c->ack_scratch);
    free(c->count_scratch);
    free(c->unacked);
    keystate_fini(&c->keys);
    wal_log_fini(&c->wal);
    routing_fini(&c->routing);
}

static const station_ops cluster_ops = {
    .init = cluster_init,
    .arrive = cluster_arrive,
    .reply = cluster_reply,
    .event = cluster_event,
    .reset = cluster_reset,
    .report = cluster_report,
    .sample = cluster_sample,
    .control = cluster_control,
    .fini = cluster_fini,
};

static const char *const cluster_actions[] = {"crash", "recover", "slow", "add-replica", NULL};

const station_kind cluster_kind = {
    .name = "cluster",
    .summary = "replication group: a primary node plus read replicas; WAL shipping and apply, "
               "replication modes, read routing, consistency, staleness, lag, failover",
    .options = cluster_options,
    .config_size = sizeof(cluster_config),
    .station_size = sizeof(cluster),
    .ops = &cluster_ops,
    .actions = cluster_actions,
    .placed = 1,
    .region_offset = offsetof(cluster_config, region),
};
