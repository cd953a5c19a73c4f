/* router.c: the shard router: clones, routing, scatter-gather, two-phase commit,
 * resharding with migration load, hot-shard and keys-moved reports (router.h). */
#include "models/router.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/request_codes.h"
#include "models/server.h"
#include "sim/report.h"
#include "sim/units.h"

enum { EV_MERGE = 1, EV_RETRY = 2, EV_MIGRATE = 3 }; /* arg: job index; retry: job << 16 | p */

enum child_kind {
    CHILD_LOOKUP = 1,  /* directory lookup; shard bits: what to do next (enum dispatch) */
    CHILD_SCATTER,     /* scatter-gather scan at one shard */
    CHILD_PREPARE,     /* 2PC prepare write */
    CHILD_COMMIT,      /* 2PC commit write */
    CHILD_ROLLBACK,    /* 2PC rollback write after an abort (background) */
    CHILD_COPY_READ,   /* migration: read at the old shard (background) */
    CHILD_COPY_WRITE,  /* migration: write at the new shard (background) */
};

enum dispatch { DISPATCH_FORWARD = 0, DISPATCH_TX = 1 };
enum { JOB_SCATTER, JOB_TX };
enum { PHASE_PREPARE, PHASE_COMMIT };

#define KIND_SHIFT 16
#define KIND_MASK 0xFu
#define SHARD_BITS 0xFFFFu
#define NO_JOB UINT32_MAX
#define DEFAULT_SHARDS 4
#define MIGRATE_SCAN_MAX 65536 /* keys examined per copy tick at most */

/* ---- the shard_overrides option ------------------------------------------------------ */

typedef struct override_entry {
    uint32_t shard;      /* shard index */
    char key[128];       /* option key of the template's kind */
    char value[512];     /* value text */
} override_entry;

/* Reads the entry of text starting at *pos (entries separated by ';'). Returns 1 with *e
 * filled, 0 at the end, -1 with a message. *cur / *have_cur carry the shard of the
 * previous entry (an entry without "I:" continues it). */
static int overrides_next(const char *text, size_t *pos, uint32_t *cur, int *have_cur,
                          override_entry *e, char *err, size_t errlen)
{
    for (;;) {
        const char *start = text + *pos;
        if (!*start) return 0;
        const char *semi = strchr(start, ';');
        const char *end = semi ? semi : start + strlen(start);
        *pos = (size_t)(end - text) + (semi ? 1 : 0);
        const char *b = start, *t = end;
        while (b < t && isspace((unsigned char)*b)) b++;
        while (t > b && isspace((unsigned char)t[-1])) t--;
        if (b == t) continue; /* empty entry */
        int len = (int)(t - b);
        const char *eq = memchr(b, '=', (size_t)(t - b));
        if (!eq) {
            snprintf(err, errlen, "shard_overrides entry '%.*s' has no '=' (expected 'I: KEY = "
                     "VALUE')", len, b);
            return -1;
        }
        const char *colon = memchr(b, ':', (size_t)(eq - b));
        const char *kb = b;
        if (colon) {
            char num[32];
            const char *nb = b, *nt = colon;
            while (nt > nb && isspace((unsigned char)nt[-1])) nt--;
            size_t nlen = (size_t)(nt - nb);
            uint64_t v;
            if (nlen == 0 || nlen >= sizeof num) goto bad_index;
            memcpy(num, nb, nlen);
            num[nlen] = '\0';
            if (units_parse_count(num, &v, NULL, 0) != 0 || v >= SHARD_MAX) goto bad_index;
            *cur = (uint32_t)v;
            *have_cur = 1;
            kb = colon + 1;
        } else if (!*have_cur) {
            snprintf(err, errlen, "shard_overrides entry '%.*s' needs a shard index first "
                     "('I: KEY = VALUE')", len, b);
            return -1;
        }
        const char *ke = eq;
        while (kb < ke && isspace((unsigned char)*kb)) kb++;
        while (ke > kb && isspace((unsigned char)ke[-1])) ke--;
        const char *vb = eq + 1;
        while (vb < t && isspace((unsigned char)*vb)) vb++;
        size_t klen = (size_t)(ke - kb), vlen = (size_t)(t - vb);
        if (klen == 0 || vlen == 0) {
            snprintf(err, errlen, "shard_overrides entry '%.*s' needs a key and a value ('I: KEY "
                     "= VALUE')", len, b);
            return -1;
        }
        if (klen >= sizeof e->key || vlen >= sizeof e->value) {
            snprintf(err, errlen, "shard_overrides entry '%.*s' is too long", len, b);
            return -1;
        }
        for (size_t i = 0; i < klen; i++)
            if (isspace((unsigned char)kb[i])) {
                snprintf(err, errlen, "shard_overrides key '%.*s' contains a space", (int)klen, kb);
                return -1;
            }
        e->shard = *cur;
        memcpy(e->key, kb, klen);
        e->key[klen] = '\0';
        memcpy(e->value, vb, vlen);
        e->value[vlen] = '\0';
        return 1;
    bad_index:
        snprintf(err, errlen, "shard_overrides entry '%.*s' does not start with a shard index "
                 "below %d ('I: KEY = VALUE')", len, b, SHARD_MAX);
        return -1;
    }
}

static int overrides_parse(const char *text, void *field, const char *base_dir, char *err,
                           size_t errlen)
{
    (void)base_dir;
    router_overrides *o = field;
    if (strcmp(text, "none") == 0) text = "";
    if (strlen(text) >= sizeof o->text) {
        snprintf(err, errlen, "shard_overrides is too long (at most %zu characters)",
                 sizeof o->text - 1);
        return -1;
    }
    size_t pos = 0;
    uint32_t cur = 0;
    int have = 0, rc;
    override_entry e;
    while ((rc = overrides_next(text, &pos, &cur, &have, &e, err, errlen)) == 1) {}
    if (rc < 0) return -1;
    snprintf(o->text, sizeof o->text, "%s", text);
    return 0;
}

static int overrides_format(const void *field, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s", ((const router_overrides *)field)->text);
    return len < 0 || (size_t)len >= n ? -1 : len;
}

static int strategy_parse(const char *text, void *field, const char *base_dir, char *err,
                          size_t errlen)
{
    (void)base_dir;
    return shard_strategy_parse(text, field, err, errlen);
}

static int strategy_format(const void *field, char *buf, size_t n)
{
    return shard_strategy_format(field, buf, n);
}

/* ---- options ------------------------------------------------------------------------- */

static const opt_choice deployment_choices[] = {
    {"central", ROUTER_CENTRAL, "one router in `region`: requests cross to it, then to the shard"},
    {"per-region", ROUTER_PER_REGION,
     "a router next to the users of every region: requests go from their region straight to "
     "the shard"},
    {0},
};

static const opt_def router_options[] = {
    {.name = "strategy", .type = OPT_CUSTOM, .offset = offsetof(router_config, strategy),
     .def = "hash", .min = 1, .max = 0, .parse = strategy_parse, .format = strategy_format,
     .size = sizeof(shard_strategy),
     .help = "key -> shard: hash (64-bit mix mod N), consistent(VNODES) (ring; consistent = "
             "100), range(B1, B2, ...) (keys below B1 to shard 0, ...), directory (lookup "
             "table by blocks, round-robin), geo (the shard in the request's region)"},
    {.name = "shards", .type = OPT_INT, .offset = offsetof(router_config, shards),
     .def = "0", .min = 0, .max = SHARD_MAX,
     .help = "shards at the start (0 = range bounds + 1 for range, else 4)"},
    {.name = "next", .type = OPT_LINK, .offset = offsetof(router_config, next), .def = NULL,
     .help = "template station (any kind), cloned per shard as <router>.shard.<i> and hidden"},
    {.name = "shard_overrides", .type = OPT_CUSTOM, .offset = offsetof(router_config, overrides),
     .def = "", .min = 1, .max = 0, .parse = overrides_parse, .format = overrides_format,
     .size = sizeof(router_overrides),
     .help = "per-shard keys of the template's kind: 'I: KEY = VALUE; I: KEY = VALUE' (write ';' "
             "right after the value; an entry without 'I:' continues the previous shard)"},
    {.name = "key_space", .type = OPT_INT, .offset = offsetof(router_config, key_space),
     .def = "0", .min = 0, .max = 9e18,
     .help = "keys 0..key_space-1, for keys moved and migration (0 = largest key seen + 1)"},
    {.name = "directory_time", .type = OPT_DIST, .offset = offsetof(router_config, directory_time),
     .def = "exp(0.2ms)", .min = 0, .max = INFINITY,
     .help = "directory: service time of a lookup at the directory station"},
    {.name = "directory_servers", .type = OPT_INT,
     .offset = offsetof(router_config, directory_servers), .def = "2", .min = 1, .max = 1e5,
     .help = "directory: lookups served at once"},
    {.name = "directory_cache_hit", .type = OPT_RATIO,
     .offset = offsetof(router_config, directory_cache_hit), .def = "90%", .min = 0, .max = 1,
     .help = "directory: share of requests whose block the router's cache knows (no lookup)"},
    {.name = "directory_block", .type = OPT_INT,
     .offset = offsetof(router_config, directory_block), .def = "1k", .min = 1, .max = 9e18,
     .help = "directory: keys per block; block b starts on shard b mod N"},
    {.name = "scatter_ratio", .type = OPT_RATIO, .offset = offsetof(router_config, scatter_ratio),
     .def = "0", .min = 0, .max = 1,
     .help = "share of reads sent as scans to every shard (scatter-gather; scans always are)"},
    {.name = "merge_time", .type = OPT_DIST, .offset = offsetof(router_config, merge_time),
     .def = "const(0.1ms)", .min = 0, .max = INFINITY,
     .help = "scatter-gather: merge after the slowest shard's reply"},
    {.name = "cross_shard_ratio", .type = OPT_RATIO,
     .offset = offsetof(router_config, cross_shard_ratio), .def = "0", .min = 0, .max = 1,
     .help = "share of writes that are cross-shard transactions (two-phase commit)"},
    {.name = "tx_shards", .type = OPT_INT, .offset = offsetof(router_config, tx_shards),
     .def = "2", .min = 2, .max = ROUTER_MAX_TX,
     .help = "shards a cross-shard transaction touches (the key's shard plus random others)"},
    {.name = "tx_retry", .type = OPT_TIME, .offset = offsetof(router_config, tx_retry),
     .def = "10ms", .min = 1e-9, .max = 1e9,
     .help = "2PC: a failed commit is resent after this (the transaction blocks meanwhile)"},
    {.name = "migrate_rate", .type = OPT_RATE, .offset = offsetof(router_config, migrate_rate),
     .def = "1000/s", .min = 0, .max = 1e9,
     .help = "add-shard: moved keys copied per second as background load (0 = no copying)"},
    {.name = "region", .type = OPT_STRING, .offset = offsetof(router_config, region), .def = "",
     .min = 1, .max = 0,
     .help = "region of the router (deployment = central) and of its directory; empty: the "
             "first region"},
    {.name = "shard_regions", .type = OPT_CUSTOM, .offset = offsetof(router_config, shard_regions),
     .def = "", .min = 1, .max = 0, .parse = region_list_parse, .format = region_list_format,
     .size = sizeof(region_list),
     .help = "regions of the shards, e.g. 'us-east, eu-west': shard i sits in the i-th, cycling; "
             "empty: the template's region (geo: region i mod regions)"},
    {.name = "deployment", .type = OPT_ENUM, .offset = offsetof(router_config, deployment),
     .def = "central", .choices = deployment_choices,
     .help = "where the router runs when there are regions"},
    {0},
};

uint32_t router_initial_shards(const router_config *cfg)
{
    if (cfg->shards > 0) return (uint32_t)cfg->shards;
    uint32_t n = shard_strategy_shards(&cfg->strategy);
    return n ? n : DEFAULT_SHARDS;
}

static int router_validate(const void *config, char *err, size_t errlen)
{
    const router_config *c = config;
    uint32_t n = router_initial_shards(c);
    if (c->strategy.kind == SHARD_RANGE && c->shards > 0 &&
        (uint64_t)c->shards != (uint64_t)c->strategy.n_bounds + 1) {
        snprintf(err, errlen, "range with %u bounds makes %u shards but shards is %" PRId64
                 " (set shards = %u, or 0)", c->strategy.n_bounds, c->strategy.n_bounds + 1,
                 c->shards, c->strategy.n_bounds + 1);
        return -1;
    }
    if (c->cross_shard_ratio > 0 && (uint64_t)c->tx_shards > n) {
        snprintf(err, errlen, "tx_shards %" PRId64 " is more than the %u shards", c->tx_shards, n);
        return -1;
    }
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------- */

static router *as_router(station *st) { return (router *)st; }

static int fail_oom(router *rt, const char *what)
{
    sim_fail(rt->base.sim, "station '%s': out of memory for %s", rt->base.name, what);
    return -1;
}

/* Grows the per-shard arrays to hold n shards. */
static int grow_shards(router *rt, uint32_t n)
{
    if (n <= rt->cap_shards) return 0;
    uint32_t cap = rt->cap_shards ? rt->cap_shards * 2 : 8;
    while (cap < n) cap *= 2;
    station **sh = realloc(rt->shards, cap * sizeof *sh);
    if (!sh) return -1;
    rt->shards = sh;
    uint64_t *c = realloc(rt->count, cap * sizeof *c);
    if (!c) return -1;
    rt->count = c;
    uint64_t *iv = realloc(rt->interval, cap * sizeof *iv);
    if (!iv) return -1;
    rt->interval = iv;
    for (uint32_t i = rt->cap_shards; i < cap; i++) {
        rt->shards[i] = NULL;
        rt->count[i] = rt->interval[i] = 0;
    }
    rt->cap_shards = cap;
    return 0;
}

/* A free job index (the job zeroed), or NO_JOB out of memory. */
static uint32_t job_take(router *rt)
{
    uint32_t j = rt->free_job;
    if (j != NO_JOB) {
        rt->free_job = rt->jobs[j].next_free;
    } else {
        if (rt->n_jobs == rt->cap_jobs) {
            uint32_t cap = rt->cap_jobs ? rt->cap_jobs * 2 : 64;
            router_job *grown = realloc(rt->jobs, (size_t)cap * sizeof *grown);
            if (!grown) return NO_JOB;
            rt->jobs = grown;
            rt->cap_jobs = cap;
        }
        j = rt->n_jobs++;
    }
    memset(&rt->jobs[j], 0, sizeof rt->jobs[j]);
    return j;
}

static void job_release(router *rt, uint32_t j)
{
    rt->jobs[j].client = NULL;
    rt->jobs[j].next_free = rt->free_job;
    rt->free_job = j;
}

/* The router's own frame: remembers the arrival time of a client request (downstream
 * stations overwrite t_arrive). */
static void push_arrival(router *rt, request *r)
{
    sim *s = rt->base.sim;
    SIM_ASSERT(s, r->depth < REQUEST_MAX_DEPTH);
    r->stack[r->depth].station = &rt->base;
    r->stack[r->depth].t_sent = s->now;
    r->depth++;
}

/* Sends a client request's reply: pops the router's frame, ends its stay. */
static void finish_client(router *rt, request *r)
{
    sim *s = rt->base.sim;
    SIM_ASSERT(s, r->depth > 0 && r->stack[r->depth - 1].station == &rt->base);
    r->depth--;
    r->t_arrive = r->stack[r->depth].t_sent;
    station_leave(&rt->base, r);
    sim_reply(s, r);
}

/* Rank of a status in a fan-out: ok < refused < failed < unreachable (a partition). */
static int severity(int32_t status)
{
    return status == SIM_STATUS_UNREACHABLE ? STATUS_FAILED + 1 : (int)status;
}

static int is_mine(const router *rt, const request *r)
{
    return (r->flags & ROUTER_FLAG_CHILD) && (r->tag >> 32) == (uint64_t)rt->base.id + 1;
}

static void note_shard(router *rt, uint32_t shard)
{
    rt->count[shard]++;
    rt->interval[shard]++;
}

/* Creates a child of `kind` for shard `shard` (or the directory) and sends it to `to`. */
static void send_child(router *rt, request *parent, uint64_t key, int kind, uint32_t shard,
                       uint32_t job, uint32_t extra_flags, int op, station *to)
{
    sim *s = rt->base.sim;
    request *c = sim_request_new(s);
    if (!c) return; /* the run has failed (in-flight cap) */
    c->op = (uint8_t)op;
    c->key = key;
    c->parent = parent;
    if (parent) {
        c->user = parent->user;
        c->region = parent->region;
        c->lsn = parent->lsn;
    } else {
        c->region = rt->base.region;
    }
    c->flags = ROUTER_FLAG_CHILD | extra_flags | ((uint32_t)kind << KIND_SHIFT) | (shard & SHARD_BITS);
    c->tag = ((uint64_t)rt->base.id + 1) << 32 | job;
    sim_send(s, &rt->base, to, c);
}

/* ---- clones -------------------------------------------------------------------------- */

/* Applies the shard_overrides entries of shard i to cfg (a config of kind k). */
static int apply_overrides(router *rt, const station_kind *k, void *cfg, uint32_t i)
{
    const char *text = rt->cfg->overrides.text;
    size_t pos = 0;
    uint32_t cur = 0;
    int have = 0, rc;
    override_entry e;
    char err[300];
    while ((rc = overrides_next(text, &pos, &cur, &have, &e, err, sizeof err)) == 1) {
        if (e.shard != i) continue;
        const opt_def *d = opt_find(k->options, e.key);
        if (!d) {
            sim_fail(rt->base.sim, "station '%s': shard_overrides: kind %s has no key '%s' "
                     "(shard %u)", rt->base.name, k->name, e.key, i);
            return -1;
        }
        if (d->type == OPT_LINK) {
            sim_fail(rt->base.sim, "station '%s': shard_overrides: link '%s' cannot be "
                     "overridden (shard %u)", rt->base.name, e.key, i);
            return -1;
        }
        if (opt_set(d, cfg, e.value, ".", err, sizeof err) != 0) {
            sim_fail(rt->base.sim, "station '%s': shard_overrides: shard %u: %s",
                     rt->base.name, i, err);
            return -1;
        }
    }
    if (rc < 0) {
        sim_fail(rt->base.sim, "station '%s': %s", rt->base.name, err);
        return -1;
    }
    if (k->validate && k->validate(cfg, err, sizeof err) != 0) {
        sim_fail(rt->base.sim, "station '%s': shard %u after shard_overrides: %s",
                 rt->base.name, i, err);
        return -1;
    }
    return 0;
}

/* Creates clone i of the template (not started). Returns 0 or -1 (run failed). */
static int make_shard(router *rt, uint32_t i)
{
    sim *s = rt->base.sim;
    const station_kind *k = rt->tmpl->kind;
    size_t size = k->config_size ? k->config_size : 1;
    void *cfg = calloc(1, size);
    if (!cfg) return fail_oom(rt, "a shard's config");
    if (opt_copy(k->options, cfg, rt->tmpl->config, k->config_size) != 0) {
        free(cfg);
        return fail_oom(rt, "a shard's config");
    }
    station *c = NULL;
    if (apply_overrides(rt, k, cfg, i) == 0) {
        char name[512];
        snprintf(name, sizeof name, "%s.shard.%u", rt->base.name, i);
        c = station_new(s, k, name, cfg);
        if (!c) fail_oom(rt, "a shard");
    }
    opt_release(k->options, cfg);
    free(cfg);
    if (!c) return -1;
    if (rt->n_shard_regions)
        c->region = rt->shard_region[i % rt->n_shard_regions];
    else if (rt->cfg->strategy.kind == SHARD_GEO && s->n_regions > 1)
        c->region = (uint16_t)(i % s->n_regions);
    else
        c->region = rt->tmpl->region;
    c->hidden = rt->base.hidden;
    rt->shards[i] = c;
    return 0;
}

static int make_directory(router *rt)
{
    sim *s = rt->base.sim;
    server_config sc;
    memset(&sc, 0, sizeof sc);
    char err[256];
    if (opt_defaults(server_kind.options, &sc, err, sizeof err) != 0) {
        sim_fail(s, "station '%s': directory: %s", rt->base.name, err);
        return -1;
    }
    sc.servers = rt->cfg->directory_servers;
    dist_fini(&sc.service);
    int ok = dist_copy(&sc.service, &rt->cfg->directory_time) == 0;
    char name[512];
    snprintf(name, sizeof name, "%s.directory", rt->base.name);
    if (ok) rt->directory = station_new(s, &server_kind, name, &sc);
    opt_release(server_kind.options, &sc);
    if (!rt->directory) return fail_oom(rt, "the directory");
    rt->directory->region = rt->base.region;
    rt->directory->hidden = rt->base.hidden;
    return 0;
}

/* Clones and directory follow the router's hidden flag (a router can be a template). */
static void sync_hidden(router *rt)
{
    for (uint32_t i = 0; i < rt->n_shards; i++) rt->shards[i]->hidden = rt->base.hidden;
    if (rt->directory) rt->directory->hidden = rt->base.hidden;
}

static int router_init(station *st)
{
    router *rt = as_router(st);
    sim *s = st->sim;
    rt->cfg = st->config;
    rt->free_job = NO_JOB;
    rt->mig_done_at = NAN;
    sim_stream(s, st, "scatter", &rt->scatter_rng);
    sim_stream(s, st, "tx", &rt->tx_rng);
    sim_stream(s, st, "participants", &rt->part_rng);
    sim_stream(s, st, "directory", &rt->dir_rng);
    sim_stream(s, st, "merge", &rt->merge_rng);
    rt->tmpl = sim_find_station(s, rt->cfg->next);
    if (!rt->tmpl) {
        sim_fail(s, "station '%s': next station '%s' does not exist", st->name, rt->cfg->next);
        return -1;
    }
    if (rt->tmpl == st) {
        sim_fail(s, "station '%s': a router cannot be its own shard template", st->name);
        return -1;
    }
    /* the template is copied per shard; it serves (and is reported) only when requests
     * also reach it by another link */
    if (!rt->tmpl->reached_directly) rt->tmpl->hidden = 1;
    uint32_t n = router_initial_shards(rt->cfg);
    char err[700];
    if (region_list_resolve(&rt->cfg->shard_regions, s, "shard_regions", rt->shard_region, err,
                            sizeof err) != 0) {
        sim_fail(s, "station '%s': %s", st->name, err);
        return -1;
    }
    rt->n_shard_regions = rt->cfg->shard_regions.n;
    st->region_per_request = rt->cfg->deployment == ROUTER_PER_REGION && s->n_regions > 1;
    if (router_validate(rt->cfg, err, sizeof err) != 0 ||
        shard_map_init(&rt->map, &rt->cfg->strategy, n, (uint64_t)rt->cfg->directory_block, err,
                       sizeof err) != 0) {
        sim_fail(s, "station '%s': %s", st->name, err);
        return -1;
    }
    if (grow_shards(rt, n) != 0) return fail_oom(rt, "the shard table");
    for (uint32_t i = 0; i < n; i++) {
        if (make_shard(rt, i) != 0) return -1;
        rt->n_shards = i + 1;
    }
    if (rt->cfg->strategy.kind == SHARD_DIRECTORY && make_directory(rt) != 0) return -1;
    if (rt->cfg->strategy.kind == SHARD_GEO && s->n_regions > 0) {
        uint16_t where[SHARD_MAX];
        for (uint32_t i = 0; i < n; i++) where[i] = rt->shards[i]->region;
        if (shard_map_place(&rt->map, where, (uint32_t)s->n_regions, err, sizeof err) != 0) {
            sim_fail(s, "station '%s': %s", st->name, err);
            return -1;
        }
    }
    return 0;
}

/* ---- routing ------------------------------------------------------------------------- */

static void forward(router *rt, request *r)
{
    uint32_t i = shard_map_lookup(&rt->map, r->key, r->region);
    note_shard(rt, i);
    sim_send(rt->base.sim, &rt->base, rt->shards[i], r);
}

static void start_scatter(router *rt, request *r)
{
    uint32_t j = job_take(rt);
    if (j == NO_JOB) {
        fail_oom(rt, "a scatter-gather");
        return;
    }
    rt->jobs[j].client = r;
    rt->jobs[j].kind = JOB_SCATTER;
    uint32_t n = rt->n_shards;
    r->pending = n;
    for (uint32_t i = 0; i < n; i++) {
        note_shard(rt, i);
        send_child(rt, r, r->key, CHILD_SCATTER, i, j, 0, OP_SCAN, rt->shards[i]);
    }
}

static uint32_t job_participant(const router_job *job, uint32_t shard)
{
    for (uint32_t p = 0; p < job->n_part; p++)
        if (job->part[p] == shard) return p;
    return UINT32_MAX;
}

static void send_round(router *rt, uint32_t j, int kind)
{
    request *client = rt->jobs[j].client;
    uint32_t k = rt->jobs[j].n_part;
    client->pending = k;
    for (uint32_t p = 0; p < k; p++) {
        uint32_t shard = rt->jobs[j].part[p]; /* re-read: a reply may run inside the send */
        send_child(rt, client, client->key, kind, shard, j, 0, OP_WRITE, rt->shards[shard]);
    }
}

static void start_tx(router *rt, request *r)
{
    uint32_t n = rt->n_shards;
    uint32_t k = (uint32_t)rt->cfg->tx_shards < n ? (uint32_t)rt->cfg->tx_shards : n;
    if (k < 2) {
        forward(rt, r);
        return;
    }
    uint32_t j = job_take(rt);
    if (j == NO_JOB) {
        fail_oom(rt, "a transaction");
        return;
    }
    router_job *job = &rt->jobs[j];
    job->client = r;
    job->kind = JOB_TX;
    job->phase = PHASE_PREPARE;
    job->part[0] = (uint16_t)shard_map_lookup(&rt->map, r->key, r->region);
    job->n_part = 1;
    while (job->n_part < k) { /* distinct others, uniformly (rejection) */
        uint16_t cand = (uint16_t)rng_below(&rt->part_rng, n);
        if (job_participant(job, cand) == UINT32_MAX) job->part[job->n_part++] = cand;
    }
    for (uint32_t p = 0; p < k; p++) note_shard(rt, job->part[p]);
    send_round(rt, j, CHILD_PREPARE);
}

static void dispatch(router *rt, request *r, int what)
{
    if (what == DISPATCH_TX) start_tx(rt, r);
    else forward(rt, r);
}

static void router_arrive(station *st, request *r)
{
    router *rt = as_router(st);
    station_enter(st, r);
    push_arrival(rt, r);
    if (!rt->seen_key || r->key > rt->max_key) rt->max_key = r->key;
    rt->seen_key = 1;
    int what = DISPATCH_FORWARD;
    if (r->op == OP_SCAN) {
        start_scatter(rt, r);
        return;
    }
    if (r->op == OP_READ) {
        if (rng_uniform(&rt->scatter_rng) < rt->cfg->scatter_ratio) {
            start_scatter(rt, r);
            return;
        }
    } else if (rng_uniform(&rt->tx_rng) < rt->cfg->cross_shard_ratio) {
        what = DISPATCH_TX;
    }
    if (rt->directory && rng_uniform(&rt->dir_rng) >= rt->cfg->directory_cache_hit) {
        send_child(rt, r, r->key, CHILD_LOOKUP, (uint32_t)what, NO_JOB, 0, OP_READ, rt->directory);
        return;
    }
    dispatch(rt, r, what);
}

/* Completes a fan-out: the client's reply with the worst child status. */
static void complete_job(router *rt, uint32_t j)
{
    request *client = rt->jobs[j].client;
    client->status = rt->jobs[j].status;
    if (rt->jobs[j].kind == JOB_SCATTER) rt->scatters++;
    job_release(rt, j);
    finish_client(rt, client);
}

static void gather_done(router *rt, uint32_t j)
{
    double merge = dist_sample(&rt->cfg->merge_time, &rt->merge_rng);
    if (merge > 0.0) sim_schedule(rt->base.sim, merge, &rt->base, EV_MERGE, NULL, j);
    else complete_job(rt, j);
}

static void prepare_done(router *rt, uint32_t j)
{
    router_job *job = &rt->jobs[j];
    if (job->status == STATUS_OK) {
        job->phase = PHASE_COMMIT;
        send_round(rt, j, CHILD_COMMIT);
        return;
    }
    rt->tx_aborted++;
    uint64_t key = job->client->key;
    uint32_t k = job->n_part;
    uint16_t part[ROUTER_MAX_TX];
    uint8_t prepared[ROUTER_MAX_TX];
    memcpy(part, job->part, sizeof part);
    memcpy(prepared, job->prepared, sizeof prepared);
    complete_job(rt, j);
    for (uint32_t p = 0; p < k; p++)
        if (prepared[p])
            send_child(rt, NULL, key, CHILD_ROLLBACK, part[p], NO_JOB, ROUTER_FLAG_BACKGROUND,
                       OP_WRITE, rt->shards[part[p]]);
}

/* ---- migration ----------------------------------------------------------------------- */

static void migration_check_done(router *rt)
{
    if (rt->resharded && !rt->migrating && rt->mig_in_flight == 0 && isnan(rt->mig_done_at))
        rt->mig_done_at = rt->base.sim->now;
}

/* One copy tick: the next moved key (from the cursor) gets a background read at its old
 * shard, unless the window is full; then the next tick. */
static void migrate_tick(router *rt)
{
    sim *s = rt->base.sim;
    rt->mig_event = 0;
    if (!rt->migrating) return;
    if (rt->mig_in_flight < ROUTER_MIGRATE_WINDOW) {
        for (uint64_t examined = 0; rt->mig_cursor < rt->mig_end && examined < MIGRATE_SCAN_MAX;
             examined++) {
            uint64_t key = rt->mig_cursor++;
            uint32_t from = shard_map_lookup(&rt->old_map, key, 0);
            if (from == shard_map_lookup(&rt->map, key, 0)) continue;
            rt->mig_in_flight++;
            send_child(rt, NULL, key, CHILD_COPY_READ, from, NO_JOB, ROUTER_FLAG_BACKGROUND,
                       OP_READ, rt->shards[from]);
            break;
        }
        if (rt->mig_cursor >= rt->mig_end) {
            rt->migrating = 0;
            migration_check_done(rt);
            return;
        }
    }
    rt->mig_event = sim_schedule(s, 1.0 / rt->cfg->migrate_rate, &rt->base, EV_MIGRATE, NULL, 0);
}

static void copy_reply(router *rt, request *r, int kind)
{
    sim *s = rt->base.sim;
    if (kind == CHILD_COPY_READ && r->status == STATUS_OK) {
        uint32_t to = shard_map_lookup(&rt->map, r->key, 0);
        r->op = OP_WRITE;
        r->lsn = 0;
        r->version_seen = 0;
        r->flags = ROUTER_FLAG_CHILD | ROUTER_FLAG_BACKGROUND |
                   ((uint32_t)CHILD_COPY_WRITE << KIND_SHIFT) | (to & SHARD_BITS);
        sim_send(s, &rt->base, rt->shards[to], r);
        return;
    }
    if (r->status == STATUS_OK) rt->mig_copied++;
    else rt->mig_failed++;
    rt->mig_in_flight--;
    sim_request_free(s, r);
    migration_check_done(rt);
}

/* ---- replies and events ---------------------------------------------------------------- */

static void router_reply(station *st, request *r)
{
    router *rt = as_router(st);
    sim *s = st->sim;
    if (!is_mine(rt, r)) { /* a forwarded client request */
        finish_client(rt, r);
        return;
    }
    int kind = (int)((r->flags >> KIND_SHIFT) & KIND_MASK);
    uint32_t shard = r->flags & SHARD_BITS;
    uint32_t j = (uint32_t)r->tag;
    request *client = r->parent;
    int32_t status = r->status;
    switch (kind) {
    case CHILD_LOOKUP:
        sim_request_free(s, r);
        dispatch(rt, client, (int)shard);
        return;
    case CHILD_SCATTER:
        sim_request_free(s, r);
        if (severity(status) > severity(rt->jobs[j].status)) rt->jobs[j].status = status;
        if (--client->pending == 0) gather_done(rt, j);
        return;
    case CHILD_PREPARE: {
        sim_request_free(s, r);
        router_job *job = &rt->jobs[j];
        uint32_t p = job_participant(job, shard);
        SIM_ASSERT(s, p != UINT32_MAX);
        job->prepared[p] = status == STATUS_OK;
        if (severity(status) > severity(job->status)) job->status = status;
        if (--client->pending == 0) prepare_done(rt, j);
        return;
    }
    case CHILD_COMMIT:
        sim_request_free(s, r);
        if (status != STATUS_OK) { /* blocked: the decision is commit, resend later */
            uint32_t p = job_participant(&rt->jobs[j], shard);
            SIM_ASSERT(s, p != UINT32_MAX);
            rt->tx_retries++;
            sim_schedule(s, rt->cfg->tx_retry, st, EV_RETRY, NULL, (uint64_t)j << 16 | p);
            return;
        }
        if (--client->pending == 0) {
            rt->tx_committed++;
            rt->jobs[j].status = STATUS_OK;
            complete_job(rt, j);
        }
        return;
    case CHILD_ROLLBACK:
        sim_request_free(s, r);
        return;
    case CHILD_COPY_READ: case CHILD_COPY_WRITE:
        copy_reply(rt, r, kind);
        return;
    default:
        SIM_ASSERT(s, !"unknown router child kind");
    }
}

static void router_event(station *st, const sim_event *ev)
{
    router *rt = as_router(st);
    switch (ev->kind) {
    case EV_MERGE:
        complete_job(rt, (uint32_t)ev->arg);
        break;
    case EV_RETRY: {
        uint32_t j = (uint32_t)(ev->arg >> 16), p = (uint32_t)(ev->arg & 0xFFFFu);
        request *client = rt->jobs[j].client;
        uint32_t shard = rt->jobs[j].part[p];
        send_child(rt, client, client->key, CHILD_COMMIT, shard, j, 0, OP_WRITE, rt->shards[shard]);
        break;
    }
    case EV_MIGRATE:
        migrate_tick(rt);
        break;
    default:
        SIM_ASSERT(st->sim, !"unknown router event");
    }
}

/* ---- resharding and control ------------------------------------------------------------ */

int router_add_shard(station *st, char *err, size_t errlen)
{
    router *rt = as_router(st);
    sim *s = st->sim;
    uint32_t i = rt->n_shards;
    uint64_t keys = rt->cfg->key_space > 0 ? (uint64_t)rt->cfg->key_space
                    : rt->seen_key          ? rt->max_key + 1
                                            : 0;
    uint32_t split = 0; /* range: the busiest shard so far */
    for (uint32_t k = 1; k < rt->n_shards; k++)
        if (rt->count[k] > rt->count[split]) split = k;
    char why[300];
    shard_map next;
    if (shard_map_copy(&next, &rt->map) != 0) {
        snprintf(err, errlen, "router '%s': out of memory for the new shard map", st->name);
        return -1;
    }
    if (shard_map_add(&next, split, keys, why, sizeof why) != 0) {
        shard_map_fini(&next);
        snprintf(err, errlen, "router '%s': %s", st->name, why);
        return -1;
    }
    size_t first = s->n_stations;
    if (grow_shards(rt, i + 1) != 0 || make_shard(rt, i) != 0) {
        shard_map_fini(&next);
        snprintf(err, errlen, "router '%s': cannot add a shard: %s", st->name,
                 s->failed ? s->error : "out of memory");
        return -1;
    }
    /* sim_start has passed: start the clone and every station it creates in its init. */
    for (size_t x = first; x < s->n_stations; x++) {
        station *ns = s->stations[x];
        if (ns->ops->init && ns->ops->init(ns) != 0) {
            shard_map_fini(&next);
            rt->shards[i] = NULL;
            snprintf(err, errlen, "router '%s': new shard '%s' failed to start: %s", st->name,
                     ns->name, s->failed ? s->error : "init failed");
            return -1;
        }
    }
    uint64_t moved = 0;
    double ratio = keys ? shard_map_moved(&rt->map, &next, keys, &moved) : 0.0;
    if (keys > SHARD_MOVED_EXACT) moved = (uint64_t)llround(ratio * (double)keys);
    if (rt->has_old_map) shard_map_fini(&rt->old_map);
    rt->old_map = rt->map;
    rt->has_old_map = 1;
    rt->map = next;
    rt->n_shards = i + 1;
    rt->resharded = 1;
    if (ratio > rt->moved_ratio_max) rt->moved_ratio_max = ratio;
    rt->keys_moved += moved;
    if (rt->mig_event) sim_cancel(s, rt->mig_event);
    rt->mig_event = 0;
    rt->mig_done_at = NAN;
    rt->migrating = rt->cfg->migrate_rate > 0.0 && moved > 0;
    rt->mig_cursor = 0;
    rt->mig_end = keys;
    if (rt->migrating) rt->mig_event = sim_schedule(s, 0.0, st, EV_MIGRATE, NULL, 0);
    else migration_check_done(rt);
    return 0;
}

static int router_control(station *st, const char *action, const char *part, double factor,
                          char *err, size_t errlen)
{
    router *rt = as_router(st);
    if (part && strncmp(part, "shard.", 6) == 0) {
        const char *p = part + 6;
        uint64_t idx = 0;
        int digits = 0;
        while (isdigit((unsigned char)*p) && idx < SHARD_MAX) idx = idx * 10 + (uint64_t)(*p++ - '0'), digits++;
        if (!digits || (*p && *p != '.')) {
            snprintf(err, errlen, "router '%s' has no part '%s' (expected shard.I or "
                     "shard.I.PART)", st->name, part);
            return -1;
        }
        if (idx >= rt->n_shards) {
            snprintf(err, errlen, "router '%s' has no shard %" PRIu64 " (shards 0 to %u)",
                     st->name, idx, rt->n_shards - 1);
            return -1;
        }
        station *sh = rt->shards[idx];
        if (!sh->ops->control) {
            snprintf(err, errlen, "shard '%s' (kind %s) takes no timeline actions", sh->name,
                     sh->kind->name);
            return -1;
        }
        return sh->ops->control(sh, action, *p == '.' ? p + 1 : "", factor, err, errlen);
    }
    if (part && *part) {
        snprintf(err, errlen, "router '%s' has no part '%s' (expected shard.I)", st->name, part);
        return -1;
    }
    if (strcmp(action, "add-shard") == 0) return router_add_shard(st, err, errlen);
    snprintf(err, errlen, "unknown action '%s' for router '%s' (expected add-shard, or an "
             "action on part shard.I)", action, st->name);
    return -1;
}

/* ---- statistics -------------------------------------------------------------------------- */

uint64_t router_shard_count(const station *st, uint32_t shard)
{
    const router *rt = (const router *)st;
    return shard < rt->n_shards ? rt->count[shard] : 0;
}

/* Busiest over mean of counts[0..n-1]; NAN when all are 0. */
static double hot_ratio(const uint64_t *counts, uint32_t n)
{
    uint64_t total = 0, max = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += counts[i];
        if (counts[i] > max) max = counts[i];
    }
    return total ? (double)max * (double)n / (double)total : NAN;
}

double router_hot_shard_ratio(const station *st)
{
    const router *rt = (const router *)st;
    return hot_ratio(rt->count, rt->n_shards);
}

static void router_reset(station *st)
{
    router *rt = as_router(st);
    sync_hidden(rt);
    for (uint32_t i = 0; i < rt->n_shards; i++) rt->count[i] = 0;
    rt->scatters = rt->tx_committed = rt->tx_aborted = rt->tx_retries = 0;
    rt->mig_copied = rt->mig_failed = 0;
}

/* Writes `prefix<name>` = v as a maximum into out. */
static void put_named(report *out, const char *prefix, const char *name, double v)
{
    char key[600];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    report_max(out, key, v);
}

static void router_report(station *st, report *out)
{
    router *rt = as_router(st);
    sync_hidden(rt);
    if (st->hidden) return;
    double hot = router_hot_shard_ratio(st);
    if (!isnan(hot)) report_max(out, "hot_shard_ratio", hot);
    if (rt->resharded) {
        report_max(out, "keys_moved_ratio", rt->moved_ratio_max);
        report_add(out, "keys_moved", (double)rt->keys_moved);
        if (!isnan(rt->mig_done_at)) put_named(out, "migration_done_s.", st->name, rt->mig_done_at);
    }
    report_add(out, "scatter_gathers", (double)rt->scatters);
    report_add(out, "tx_committed", (double)rt->tx_committed);
    report_add(out, "tx_aborted", (double)rt->tx_aborted);
    report_add(out, "tx_commit_retries", (double)rt->tx_retries);
    report_add(out, "migration_copied", (double)rt->mig_copied);
    report_add(out, "migration_failed", (double)rt->mig_failed);
    put_named(out, "shards.", st->name, (double)rt->n_shards);
}

static void router_sample(station *st, report *out)
{
    router *rt = as_router(st);
    sync_hidden(rt);
    if (!st->hidden)
        put_named(out, "ts.hot_shard_", st->name, hot_ratio(rt->interval, rt->n_shards));
    for (uint32_t i = 0; i < rt->n_shards; i++) rt->interval[i] = 0;
}

static void router_fini(station *st)
{
    router *rt = as_router(st);
    free(rt->jobs);
    free(rt->shards);
    free(rt->count);
    free(rt->interval);
    shard_map_fini(&rt->map);
    if (rt->has_old_map) shard_map_fini(&rt->old_map);
    rt->jobs = NULL;
    rt->shards = NULL;
    rt->count = rt->interval = NULL;
    rt->has_old_map = 0;
}

static const station_ops router_ops = {
    .init = router_init,
    .arrive = router_arrive,
    .reply = router_reply,
    .event = router_event,
    .reset = router_reset,
    .report = router_report,
    .sample = router_sample,
    .control = router_control,
    .fini = router_fini,
};

const station_kind router_kind = {
    .name = "router",
    .summary = "shard router: clones a template per shard; hash, consistent, range, directory, "
               "geo; scatter-gather, two-phase commit, hot shards, resharding with migration",
    .options = router_options,
    .config_size = sizeof(router_config),
    .station_size = sizeof(router),
    .ops = &router_ops,
    .placed = 1,
    .region_offset = offsetof(router_config, region),
    .validate = router_validate,
};
