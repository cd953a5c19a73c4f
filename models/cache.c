/* cache.c: the cache station (the model is described in cache.h). */
#include "models/cache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cluster.h"
#include "models/pooler.h"
#include "models/request_codes.h"
#include "sim/report.h"
#include "sim/units.h"

enum {
    EV_HIT = 1,        /* a hit's lookup is over: reply */
    EV_FORWARD = 2,    /* a miss's lookup is over: to the database */
    EV_FILL = 3,       /* a read's fill is over: install, reply */
    EV_WRITE_SET = 4,  /* a database write's delete/set is over: reply */
    EV_WB_WRITE = 5,   /* a write-behind write's set is over: queue, acknowledge */
    EV_FLUSH = 6,      /* write-behind: send a batch */
};

/* ---- options ------------------------------------------------------------------------------ */

static int ttl_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    double v;
    if (strcmp(text, "none") == 0) {
        *(double *)field = INFINITY;
        return 0;
    }
    char inner[200];
    if (units_parse(text, UNIT_TIME, &v, inner, sizeof inner) != 0 || !(v >= 0.0)) {
        snprintf(err, n, "bad ttl '%s' (expected a time such as 30s, 0 to keep nothing, or none)",
                 text);
        return -1;
    }
    *(double *)field = v;
    return 0;
}

static int ttl_format(const void *field, char *buf, size_t n)
{
    double v = *(const double *)field;
    if (isinf(v)) return snprintf(buf, n, "none");
    return units_format(v, UNIT_TIME, buf, n);
}

static const opt_choice pattern_choices[] = {
    {"cache-aside", CACHE_ASIDE,
     "reads fill the cache on a miss; a write goes to the database, then deletes the key"},
    {"write-through", CACHE_WRITE_THROUGH,
     "reads fill the cache on a miss; a write goes to the database, then sets the key"},
    {"write-behind", CACHE_WRITE_BEHIND,
     "a write sets the key and is acknowledged at once; queued writes are flushed to the "
     "database in batches (lost if the cache crashes)"},
    {0},
};

static const opt_choice policy_choices[] = {
    {"lru", LRU_POLICY_LRU, "evict the least recently used key"},
    {"fifo", LRU_POLICY_FIFO, "evict the key inserted longest ago"},
    {"random", LRU_POLICY_RANDOM, "evict a key chosen at random"},
    {0},
};

static const opt_choice down_choices[] = {
    {"bypass", CACHE_DOWN_BYPASS, "while the cache is down requests go straight to the database"},
    {"fail", CACHE_DOWN_FAIL, "while the cache is down requests fail"},
    {0},
};

static const opt_def cache_options[] = {
    {.name = "pattern", .type = OPT_ENUM, .offset = offsetof(cache_config, pattern),
     .def = "cache-aside", .choices = pattern_choices, .help = "how writes use the cache"},
    {.name = "capacity", .type = OPT_INT, .offset = offsetof(cache_config, capacity),
     .def = "10k", .min = 0, .max = 1e9, .help = "most keys held (0: nothing is kept)"},
    {.name = "policy", .type = OPT_ENUM, .offset = offsetof(cache_config, policy), .def = "lru",
     .choices = policy_choices, .help = "which key makes room for a new one"},
    {.name = "ttl", .type = OPT_CUSTOM, .offset = offsetof(cache_config, ttl), .def = "none",
     .min = 1, .max = 0, .parse = ttl_parse, .format = ttl_format, .size = sizeof(double),
     .help = "how long an entry lives from its fill or set: a time, 0 (nothing is kept: every "
             "read misses) or none (entries never expire)"},
    {.name = "hit_time", .type = OPT_DIST, .offset = offsetof(cache_config, hit_time),
     .def = "const(0.2ms)", .min = 0, .max = INFINITY,
     .help = "a lookup that hits (network round trip included)"},
    {.name = "miss_time", .type = OPT_DIST, .offset = offsetof(cache_config, miss_time),
     .def = "const(0.2ms)", .min = 0, .max = INFINITY,
     .help = "a lookup that misses, before the read goes to the database"},
    {.name = "set_time", .type = OPT_DIST, .offset = offsetof(cache_config, set_time),
     .def = "const(0.2ms)", .min = 0, .max = INFINITY,
     .help = "a set or delete: a fill after a miss, a write's delete or set"},
    {.name = "flush_interval", .type = OPT_TIME, .offset = offsetof(cache_config, flush_interval),
     .def = "100ms", .min = 1e-6, .max = 1e6,
     .help = "write-behind: time from the end of one batch of queued writes to the next"},
    {.name = "flush_batch", .type = OPT_INT, .offset = offsetof(cache_config, flush_batch),
     .def = "100", .min = 1, .max = 1e9,
     .help = "write-behind: most queued writes per batch"},
    {.name = "flush_connections", .type = OPT_INT,
     .offset = offsetof(cache_config, flush_connections), .def = "4", .min = 1, .max = 1e6,
     .help = "write-behind: database connections a batch is written over, one write at a time "
             "on each"},
    {.name = "max_queue", .type = OPT_INT, .offset = offsetof(cache_config, max_queue),
     .def = "1M", .min = 1, .max = 1e10,
     .help = "write-behind: most queued writes before the run fails (16 bytes each)"},
    {.name = "lease", .type = OPT_BOOL, .offset = offsetof(cache_config, lease), .def = "false",
     .help = "memcached-style leases: a write voids the leases of misses in flight, whose "
             "fills are then dropped (no stale fill from a read that raced a write)"},
    {.name = "when_down", .type = OPT_ENUM, .offset = offsetof(cache_config, when_down),
     .def = "bypass", .choices = down_choices, .help = "requests while the cache is down"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(cache_config, next), .def = NULL,
     .help = "the database behind the cache (a cluster, node, pooler or router)"},
    {0},
};

static cache *as_cache(station *st) { return (cache *)st; }

static void fail_oom(cache *c, const char *what)
{
    sim_fail(c->base.sim, "station '%s': out of memory for %s", c->base.name, what);
}

/* ---- versions ------------------------------------------------------------------------------ */

/* The committed version of key now, with its commit time and writer (cache.h: the cluster's
 * when next is a cluster and the pattern is not write-behind, else the cache's own). */
static uint32_t committed(const cache *c, uint64_t key, double *when, uint32_t *writer)
{
    const keystate *ks = &c->writes;
    if (c->next_is_cluster && c->cfg->pattern != CACHE_WRITE_BEHIND)
        ks = &((const cluster *)c->next)->keys;
    uint32_t slot = keystate_find(ks, key);
    if (slot == KEYSTATE_NONE) return 0;
    *when = ks->commit_time[slot];
    *writer = ks->writer[slot];
    return ks->version[slot];
}

/* A hit returning `version` of r->key: counted as a checked read, stale or not. */
static void check_hit(cache *c, const request *r, uint32_t version)
{
    double when = 0.0;
    uint32_t writer = 0;
    uint32_t truth = committed(c, r->key, &when, &writer);
    if (version >= truth) return;
    c->stale_reads++;
    c->stale_versions += truth - version;
    c->stale_age += c->base.sim->now - when;
    if (writer == r->user) c->stale_own_reads++;
}

/* A write of key acknowledged now (by the database, or by the cache under write-behind):
 * the next version of the cache's own sequence. Returns it, or 0 when out of memory. */
static uint32_t own_commit(cache *c, uint64_t key, uint32_t user)
{
    uint32_t slot = keystate_slot(&c->writes, key);
    if (slot == KEYSTATE_NONE) {
        fail_oom(c, "key versions");
        return 0;
    }
    return keystate_commit(&c->writes, slot, user, c->base.sim->now);
}

/* The database acknowledged version v of key. */
static void note_db_version(cache *c, uint64_t key, uint32_t v)
{
    uint32_t slot = keystate_find(&c->writes, key);
    if (slot == KEYSTATE_NONE || keyview_get(&c->db_version, slot) >= v) return;
    if (keyview_set(&c->db_version, slot, v) != 0) fail_oom(c, "key versions");
}

/* The version a database that reports none returns for key: the newest it acknowledged. */
static uint32_t db_version(const cache *c, uint64_t key)
{
    uint32_t slot = keystate_find(&c->writes, key);
    return slot == KEYSTATE_NONE ? 0 : keyview_get(&c->db_version, slot);
}

/* ---- contents ------------------------------------------------------------------------------ */

static void put(cache *c, uint64_t key, uint32_t version)
{
    if (!(c->cfg->ttl > 0.0)) return; /* ttl 0: nothing is kept */
    if (lru_put(&c->entries, key, version, c->base.sim->now + c->cfg->ttl, NULL) < 0)
        fail_oom(c, "cache entries");
}

static void invalidate(cache *c, uint64_t key)
{
    c->invalidations++;
    lru_remove(&c->entries, key);
}

/* ---- the write-behind queue ------------------------------------------------------------------ */

static int queue_grow(cache *c)
{
    size_t cap = c->q_cap ? 2 * c->q_cap : 64;
    cache_write *g = malloc(cap * sizeof *g);
    if (!g) return -1;
    for (size_t i = 0; i < c->q_len; i++) g[i] = c->queue[(c->q_first + i) & (c->q_cap - 1)];
    free(c->queue);
    c->queue = g;
    c->q_cap = cap;
    c->q_first = 0;
    return 0;
}

/* Arms the flush timer when writes wait and no batch is being sent. */
static void arm_flush(cache *c)
{
    if (c->flush_event || !c->q_len || c->down || c->flush_sending || c->flush_in_flight) return;
    c->flush_event = sim_schedule(c->base.sim, c->cfg->flush_interval, &c->base, EV_FLUSH, NULL, 0);
}

/* Queues w at the tail (front = 0) or the head (front = 1). Returns 0, or -1 when the run
 * failed (out of memory or over max_queue). */
static int enqueue(cache *c, cache_write w, int front)
{
    sim *s = c->base.sim;
    if ((int64_t)c->q_len >= c->cfg->max_queue) {
        double cap = (double)c->cfg->flush_batch / c->cfg->flush_interval;
        sim_fail(s, "cache '%s': write-behind queue over %lld writes at t = %.6g s: the write "
                 "rate is above what flushing carries (at most %.6g writes/s = flush_batch / "
                 "flush_interval, less when flush_connections writes at a time take longer); "
                 "raise flush_batch or flush_connections, shorten flush_interval or lower the "
                 "write rate", c->base.name, (long long)c->cfg->max_queue, s->now, cap);
        return -1;
    }
    if (c->q_len == c->q_cap && queue_grow(c) != 0) {
        fail_oom(c, "the write-behind queue");
        return -1;
    }
    size_t mask = c->q_cap - 1;
    if (front) {
        c->q_first = (c->q_first + mask) & mask;
        c->queue[c->q_first] = w;
    } else {
        c->queue[(c->q_first + c->q_len) & mask] = w;
    }
    c->q_len++;
    if (c->q_len > c->queue_max) c->queue_max = c->q_len;
    arm_flush(c);
    return 0;
}

static cache_write dequeue(cache *c)
{
    cache_write w = c->queue[c->q_first];
    c->q_first = (c->q_first + 1) & (c->q_cap - 1);
    c->q_len--;
    return w;
}

/* Sends the current batch's next writes, oldest first, while a flush connection is free. */
static void send_batch(cache *c)
{
    sim *s = c->base.sim;
    while (c->flush_sending && c->q_len && c->flush_in_flight < c->cfg->flush_connections) {
        request *r = sim_request_new(s);
        if (!r) return; /* the run has failed: in-flight cap */
        cache_write w = dequeue(c);
        r->op = OP_WRITE;
        r->key = w.key;
        r->user = w.user;
        r->region = c->base.region;
        r->tag = w.version;
        c->flush_sending--;
        c->flush_in_flight++;
        sim_send(s, &c->base, c->next, r);
    }
    if (!c->q_len) c->flush_sending = 0;
}

/* The flush timer: a batch of up to flush_batch queued writes starts. */
static void flush(cache *c)
{
    c->flush_event = 0;
    c->flush_sending = c->q_len < (size_t)c->cfg->flush_batch ? (int64_t)c->q_len
                                                                 : c->cfg->flush_batch;
    send_batch(c);
    arm_flush(c);
}

/* A flush write came back (it has no frame of the cache's: depth 0). */
static void flush_reply(cache *c, request *r)
{
    sim *s = c->base.sim;
    c->flush_in_flight--;
    if (r->status == STATUS_OK) {
        c->flushed++;
        note_db_version(c, r->key, (uint32_t)r->tag);
    } else if (c->down) {
        c->lost_writes++; /* its retry state went with the cache */
    } else {
        c->retries++; /* retried by the next batch */
        cache_write w = {.key = r->key, .version = (uint32_t)r->tag, .user = r->user};
        enqueue(c, w, 1);
    }
    sim_request_free(s, r);
    send_batch(c);
    arm_flush(c);
}

/* ---- flow ---------------------------------------------------------------------------------- */

static void reply_client(cache *c, request *r)
{
    pooler_frame_leave(&c->base, r);
    sim_reply(c->base.sim, r);
}

static void to_database(cache *c, request *r)
{
    sim_send(c->base.sim, &c->base, c->next, r);
}

/* When the read left the cache's lookup: the arrival time kept in the cache's frame. */
static double read_start(const request *r) { return r->stack[r->depth - 1].t_sent; }

/* A request while the cache is down. */
static void down_arrive(cache *c, request *r)
{
    if (r->op == OP_READ) {
        c->i_reads++;
        c->misses++;
    }
    if (c->cfg->when_down == CACHE_DOWN_FAIL) {
        r->status = STATUS_FAILED;
        reply_client(c, r);
        return;
    }
    to_database(c, r);
}

static void read_arrive(cache *c, request *r)
{
    sim *s = c->base.sim;
    c->i_reads++;
    lru_entry *e = lru_get(&c->entries, r->key);
    if (e && e->expires <= s->now) {
        lru_remove(&c->entries, r->key);
        c->expired++;
        e = NULL;
    }
    if (!e) {
        c->misses++;
        sim_schedule(s, dist_sample(&c->cfg->miss_time, &c->miss_rng), &c->base, EV_FORWARD, r, 0);
        return;
    }
    c->hits++;
    c->i_hits++;
    r->version_seen = e->version;
    check_hit(c, r, e->version);
    sim_schedule(s, dist_sample(&c->cfg->hit_time, &c->hit_rng), &c->base, EV_HIT, r, 0);
}

static void cache_arrive(station *st, request *r)
{
    cache *c = as_cache(st);
    pooler_frame_enter(st, r);
    if (c->down) {
        down_arrive(c, r);
    } else if (r->op == OP_READ) {
        read_arrive(c, r);
    } else if (r->op == OP_WRITE && c->cfg->pattern == CACHE_WRITE_BEHIND) {
        sim_schedule(st->sim, dist_sample(&c->cfg->set_time, &c->set_rng), st, EV_WB_WRITE, r, 0);
    } else {
        to_database(c, r); /* writes (aside, through) and scans */
    }
}

/* A miss's lookup is over: the read goes to the database, carrying the version a database
 * without versions returns (a cluster overwrites it with what it served). */
static void forward_miss(cache *c, request *r)
{
    r->version_seen = db_version(c, r->key);
    to_database(c, r);
}

/* A read's fill is over: installs the version read unless the lease is void or the cache
 * crashed since the lookup; then the reply. */
static void fill(cache *c, request *r)
{
    double t0 = read_start(r);
    int drop = c->down || t0 <= c->recovered_at;
    if (!drop && c->cfg->lease) {
        uint32_t slot = keystate_find(&c->writes, r->key);
        drop = slot != KEYSTATE_NONE && c->writes.commit_time[slot] >= t0;
    }
    if (drop) {
        c->fills_dropped++;
    } else {
        c->fills++;
        put(c, r->key, (uint32_t)r->version_seen);
    }
    reply_client(c, r);
}

/* A write's delete or set is over (cache-aside, write-through, or a write sent to the
 * database while the cache was down). */
static void write_set(cache *c, request *r)
{
    if (!c->down) {
        if (r->status == STATUS_OK && c->cfg->pattern == CACHE_WRITE_THROUGH)
            put(c, r->key, (uint32_t)r->version_seen);
        else invalidate(c, r->key);
    }
    reply_client(c, r);
}

/* A write-behind write's set is over: new version, cached, queued, acknowledged. */
static void write_behind(cache *c, request *r)
{
    if (c->down) { /* crashed during the set */
        down_arrive(c, r);
        return;
    }
    uint32_t v = own_commit(c, r->key, r->user);
    if (!v) {
        r->status = STATUS_FAILED;
        reply_client(c, r);
        return;
    }
    put(c, r->key, v);
    cache_write w = {.key = r->key, .version = v, .user = r->user};
    if (enqueue(c, w, 0) != 0) r->status = STATUS_FAILED;
    r->version_seen = v;
    reply_client(c, r);
}

static void cache_reply(station *st, request *r)
{
    cache *c = as_cache(st);
    sim *s = st->sim;
    if (r->depth == 0) {
        flush_reply(c, r);
        return;
    }
    SIM_ASSERT(s, r->stack[r->depth - 1].station == st);
    if (r->op == OP_READ) {
        if (r->status != STATUS_OK || c->down) reply_client(c, r);
        else sim_schedule(s, dist_sample(&c->cfg->set_time, &c->set_rng), st, EV_FILL, r, 0);
        return;
    }
    if (r->op != OP_WRITE) {
        reply_client(c, r);
        return;
    }
    if (r->status == STATUS_OK) {
        uint32_t v = own_commit(c, r->key, r->user);
        if (!c->next_is_cluster) r->version_seen = v; /* a node reports no version */
        note_db_version(c, r->key, (uint32_t)r->version_seen);
    }
    if (c->down) reply_client(c, r);
    else sim_schedule(s, dist_sample(&c->cfg->set_time, &c->set_rng), st, EV_WRITE_SET, r, 0);
}

static void cache_event(station *st, const sim_event *ev)
{
    cache *c = as_cache(st);
    switch (ev->kind) {
    case EV_HIT: reply_client(c, ev->ptr); break;
    case EV_FORWARD: forward_miss(c, ev->ptr); break;
    case EV_FILL: fill(c, ev->ptr); break;
    case EV_WRITE_SET: write_set(c, ev->ptr); break;
    case EV_WB_WRITE: write_behind(c, ev->ptr); break;
    case EV_FLUSH: flush(c); break;
    default: SIM_ASSERT(st->sim, !"unknown cache event kind");
    }
}

/* ---- timeline ------------------------------------------------------------------------------ */

/* Crash: the contents and the write-behind queue are gone; the lost writes' keys roll back
 * to their newest flushed version (entries are oldest first, so the first entry of a key
 * sets it to the version before its oldest lost write). */
static void crash(cache *c)
{
    if (c->down) return;
    c->down = 1;
    c->lost_writes += c->q_len;
    while (c->q_len) {
        cache_write w = dequeue(c);
        uint32_t slot = keystate_find(&c->writes, w.key);
        if (slot != KEYSTATE_NONE && c->writes.version[slot] >= w.version)
            keystate_set(&c->writes, slot, w.version - 1, c->writes.commit_time[slot],
                         c->writes.writer[slot]);
    }
    c->flush_sending = 0;
    sim_cancel(c->base.sim, c->flush_event);
    c->flush_event = 0;
    lru_clear(&c->entries);
}

static int cache_control(station *st, const char *action, const char *part, double factor,
                         char *err, size_t errlen)
{
    cache *c = as_cache(st);
    (void)factor;
    if (part && *part) {
        snprintf(err, errlen, "cache '%s' has no part '%s'", st->name, part);
        return -1;
    }
    if (strcmp(action, "crash") == 0) {
        crash(c);
    } else if (strcmp(action, "recover") == 0) {
        if (c->down) {
            c->down = 0;
            c->recovered_at = st->sim->now;
            arm_flush(c);
        }
    } else if (strcmp(action, "flush") == 0) {
        if (!c->down) lru_clear(&c->entries);
    } else {
        snprintf(err, errlen, "a cache cannot '%s' (crash, recover, flush)", action);
        return -1;
    }
    return 0;
}

/* ---- station ------------------------------------------------------------------------------- */

static int cache_init(station *st)
{
    cache *c = as_cache(st);
    c->cfg = st->config;
    c->next = sim_find_station(st->sim, c->cfg->next);
    if (!c->next) {
        sim_fail(st->sim, "station '%s': next station '%s' does not exist", st->name, c->cfg->next);
        return -1;
    }
    if (c->next == st) {
        sim_fail(st->sim, "station '%s': next is the cache itself", st->name);
        return -1;
    }
    c->next_is_cluster = c->next->kind == &cluster_kind;
    sim_stream(st->sim, st, "hit", &c->hit_rng);
    sim_stream(st->sim, st, "miss", &c->miss_rng);
    sim_stream(st->sim, st, "set", &c->set_rng);
    sim_stream(st->sim, st, "evict", &c->evict_rng);
    if (lru_init(&c->entries, c->cfg->policy, (uint64_t)c->cfg->capacity, &c->evict_rng) != 0) {
        sim_fail(st->sim, "station '%s': capacity %lld is too large", st->name,
                 (long long)c->cfg->capacity);
        return -1;
    }
    keystate_init(&c->writes);
    keyview_init(&c->db_version);
    c->recovered_at = -INFINITY;
    return 0;
}

static void cache_reset(station *st)
{
    cache *c = as_cache(st);
    c->hits = c->misses = c->stale_reads = c->stale_own_reads = c->stale_versions = 0;
    c->stale_age = 0.0;
    c->expired = c->fills = c->fills_dropped = c->invalidations = 0;
    c->evictions_base = c->entries.evictions;
    c->lost_writes = c->flushed = c->retries = 0;
    c->queue_max = c->q_len;
}

/* Writes `prefix<name>` = v as a maximum into out (names are unique per station). */
static void put_value(report *out, const char *prefix, const char *name, double v)
{
    char key[256];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    report_max(out, key, v);
}

static void cache_report(station *st, report *out)
{
    cache *c = as_cache(st);
    if (st->hidden) return;
    report_add(out, "cache_hits", (double)c->hits);
    report_add(out, "cache_misses", (double)c->misses);
    report_add(out, "replica_reads", (double)c->hits);
    report_add(out, "stale_reads", (double)c->stale_reads);
    report_add(out, "stale_own_reads", (double)c->stale_own_reads);
    report_add(out, "stale_versions_sum", (double)c->stale_versions);
    report_add(out, "stale_age_ms_sum", c->stale_age * 1e3);
    report_add(out, "lost_writes", (double)c->lost_writes);
    uint64_t reads = c->hits + c->misses;
    if (reads) put_value(out, "cache_hit_ratio.", st->name, (double)c->hits / (double)reads);
    put_value(out, "cache_stale_reads.", st->name, (double)c->stale_reads);
    put_value(out, "cache_keys.", st->name, (double)lru_size(&c->entries));
    put_value(out, "cache_evictions.", st->name,
              (double)(c->entries.evictions - c->evictions_base));
    put_value(out, "cache_expired.", st->name, (double)c->expired);
    put_value(out, "cache_fills.", st->name, (double)c->fills);
    put_value(out, "cache_fills_dropped.", st->name, (double)c->fills_dropped);
    put_value(out, "cache_invalidations.", st->name, (double)c->invalidations);
    if (c->cfg->pattern != CACHE_WRITE_BEHIND) return;
    put_value(out, "writebehind_flushed.", st->name, (double)c->flushed);
    put_value(out, "writebehind_queue_max.", st->name, (double)c->queue_max);
    put_value(out, "writebehind_lost.", st->name, (double)c->lost_writes);
    put_value(out, "writebehind_retries.", st->name, (double)c->retries);
}

static void cache_sample(station *st, report *out)
{
    cache *c = as_cache(st);
    if (st->hidden) return;
    put_value(out, "ts.hit_ratio_", st->name,
              c->i_reads ? (double)c->i_hits / (double)c->i_reads : NAN);
    put_value(out, "ts.cache_keys_", st->name, (double)lru_size(&c->entries));
    if (c->cfg->pattern == CACHE_WRITE_BEHIND)
        put_value(out, "ts.queue_writebehind_", st->name, (double)c->q_len);
    c->i_hits = c->i_reads = 0;
}

size_t cache_queue_length(const station *st) { return ((const cache *)st)->q_len; }

size_t cache_keys(const station *st) { return lru_size(&((const cache *)st)->entries); }

static void cache_fini(station *st)
{
    cache *c = as_cache(st);
    lru_fini(&c->entries);
    keystate_fini(&c->writes);
    keyview_fini(&c->db_version);
    free(c->queue);
    c->queue = NULL;
    c->q_cap = c->q_len = 0;
}

static const station_ops cache_ops = {
    .init = cache_init,
    .arrive = cache_arrive,
    .reply = cache_reply,
    .event = cache_event,
    .reset = cache_reset,
    .report = cache_report,
    .sample = cache_sample,
    .control = cache_control,
    .fini = cache_fini,
};

static const char *const cache_actions[] = {"crash", "recover", "flush", NULL};

const station_kind cache_kind = {
    .name = "cache",
    .summary = "key-value cache in front of a database: cache-aside, write-through or "
               "write-behind; capacity with LRU/FIFO/random replacement, TTL, stale fills, "
               "leases, write-behind queue lost on a crash",
    .options = cache_options,
    .config_size = sizeof(cache_config),
    .station_size = sizeof(cache),
    .ops = &cache_ops,
    .actions = cache_actions,
};
