/* advise.c: the scaling ladder (see advise.h): candidate scenarios as text, their
 * simulation and diagnosis, the walk, the recommendation and recommended.ini. */
#include "cli/advise.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cli/aggregate.h"
#include "cli/diag.h"
#include "cli/metrics.h"
#include "cli/results.h"
#include "cli/runner.h"
#include "cli/scenario.h"
#include "cli/slo.h"
#include "models/clients.h"
#include "models/cluster.h"
#include "models/node.h"
#include "models/partitions.h"
#include "models/registry.h"
#include "models/routing.h"
#include "sim/dist.h"
#include "sim/keydist.h"
#include "sim/options.h"
#include "sim/units.h"

enum { EXIT_PASS = 0, EXIT_NONE = 1, EXIT_USAGE = 64, EXIT_DATAERR = 65, EXIT_NOINPUT = 66,
       EXIT_SOFTWARE = 70, EXIT_CANTCREAT = 73 };

#define ADV_REPLICATIONS 3      /* replications per candidate unless told */
#define ADV_MAX_DURATION 60.0   /* cap on the simulated seconds of a run unless told */
#define ADV_FRONT_COST 0.25     /* cost of a pooler or a cache, in nodes */
#define ADV_MAX_CHAIN 16        /* stations between the clients and the database */
#define ADV_MAX_TRIES 64        /* configurations simulated at most */
#define ADV_MAX_PASSES 3        /* passing configurations looked for */
#define ADV_READ_HEAVY 0.5      /* cache: reads at least this share of the requests */
#define ADV_MOSTLY 0.5          /* replicas, partitions: this share of the work */
#define ADV_BUSY 0.6            /* replicas, cores: a database node at least this busy */
#define ADV_PRIMARY_BUSY 0.8    /* shards: the busiest primary at least this busy */
#define ADV_CACHE_SHARE 0.1     /* cache capacity: this share of the keys */
#define ADV_POOLER_RATE 25000.0 /* requests per second one pooler thread is given */
#define ADV_KEEP 0.1            /* a failed step is kept when 10% closer to the objective */

enum adv_step { STEP_POOLER, STEP_CACHE, STEP_REPLICAS, STEP_CORES, STEP_PARTITIONS,
                STEP_SHARDS, STEP_COUNT };
static const char *const step_names[STEP_COUNT] = {"pooler", "cache", "replicas", "cores",
                                                   "partitions", "shards"};

/* ---- keys to append: SECTION / KEY = VALUE, a later set of a key replaces it -------- */

typedef struct adv_kv {
    char *section;  /* section name */
    char *key;      /* key in it */
    char *value;    /* value text */
} adv_kv;

typedef struct adv_text {
    adv_kv *kv;     /* in order of first setting */
    size_t n, cap;  /* held, allocated */
    int failed;     /* out of memory somewhere */
} adv_text;

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* printf into a malloc'd string, or NULL. */
static char *vfmt(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static void text_set(adv_text *t, const char *section, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *value = vfmt(fmt, ap);
    va_end(ap);
    if (!value) {
        t->failed = 1;
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->kv[i].section, section) == 0 && strcmp(t->kv[i].key, key) == 0) {
            free(t->kv[i].value);
            t->kv[i].value = value;
            return;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        adv_kv *kv = realloc(t->kv, cap * sizeof *kv);
        if (!kv) {
            free(value);
            t->failed = 1;
            return;
        }
        t->kv = kv;
        t->cap = cap;
    }
    adv_kv *e = &t->kv[t->n];
    e->section = xstrdup(section);
    e->key = xstrdup(key);
    e->value = value;
    if (!e->section || !e->key) {
        free(e->section);
        free(e->key);
        free(value);
        t->failed = 1;
        return;
    }
    t->n++;
}

static void text_fini(adv_text *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->kv[i].section);
        free(t->kv[i].key);
        free(t->kv[i].value);
    }
    free(t->kv);
    *t = (adv_text){0};
}

/* Writes the keys grouped by section, sections in order of first appearance, each key
 * indented by `indent` and aligned. */
static void text_write(const adv_text *t, FILE *f, const char *indent)
{
    for (size_t i = 0; i < t->n; i++) {
        int first = 1;
        for (size_t j = 0; j < i && first; j++) first = strcmp(t->kv[j].section, t->kv[i].section) != 0;
        if (!first) continue;
        size_t width = 0;
        for (size_t j = i; j < t->n; j++)
            if (strcmp(t->kv[j].section, t->kv[i].section) == 0 && strlen(t->kv[j].key) > width)
                width = strlen(t->kv[j].key);
        fprintf(f, "%s%s[%s]\n", i ? "\n" : "", indent, t->kv[i].section);
        for (size_t j = i; j < t->n; j++)
            if (strcmp(t->kv[j].section, t->kv[i].section) == 0)
                fprintf(f, "%s%-*s = %s\n", indent, (int)width, t->kv[j].key, t->kv[j].value);
    }
}

/* ---- the user's scenario: workload, the chain in front of the database, the database -- */

typedef struct adv_base {
    const resolved *r;                  /* the user's configuration (base, first sweep point) */
    const resolved_station *clients;    /* the workload */
    const clients_config *cc;           /* its settings */
    const resolved_station *chain[ADV_MAX_CHAIN]; /* app_pool/pooler/cache stations after it */
    size_t n_chain;                     /* how many */
    const resolved_station *db;         /* the database: a node or a cluster */
    int cluster;                        /* db is a cluster */
    const cluster_config *cl;           /* its settings, when a cluster */
    const node_config *primary;         /* the node, or the cluster's primary */
    const node_config *replica;         /* the node, or the cluster's replicas */
    int64_t replicas;                   /* read replicas as given */
    int has_pooler, has_cache;          /* a pooler / a cache is in the chain */
    int n_fronts;                       /* poolers and caches in the chain (for the cost) */
    double mix_read, mix_scan, mix_write; /* shares of the requests */
    uint64_t keys;                      /* distinct keys */
    double rate;                        /* requests per second offered (closed: at most) */
    int64_t client_conns;               /* client connections an added pooler must accept */
    char pool[80], cache[80], router[80], cl_name[80]; /* names of the stations added */
} adv_base;

static const resolved_station *find_station(const resolved *r, const char *name)
{
    for (size_t i = 0; name && i < r->n_stations; i++)
        if (strcmp(r->stations[i].name, name) == 0) return &r->stations[i];
    return NULL;
}

/* The `next` link of a station (NULL when its kind has none or it is empty). */
static const char *station_next(const resolved_station *s)
{
    const opt_def *row = opt_find(s->kind->options, "next");
    if (!row || row->type != OPT_LINK) return NULL;
    return *(char *const *)(const void *)((const char *)s->config + row->offset);
}

/* The `region` of a placed station, or NULL (not placed, or the first region). */
static const char *station_region(const resolved_station *s)
{
    const opt_def *row = opt_find(s->kind->options, "region");
    if (!row || row->type != OPT_STRING) return NULL;
    const char *r = *(char *const *)(const void *)((const char *)s->config + row->offset);
    return r && r[0] ? r : NULL;
}

/* want, or want_advised, want_advised2, ... : a station name the scenario does not use. */
static void unique_name(const resolved *r, const char *want, char *buf, size_t n)
{
    snprintf(buf, n, "%s", want);
    for (int k = 1; find_station(r, buf); k++) {
        if (k == 1) snprintf(buf, n, "%s_advised", want);
        else snprintf(buf, n, "%s_advised%d", want, k);
    }
}

static int kind_is(const resolved_station *s, const char *kind)
{
    return strcmp(s->kind->name, kind) == 0;
}

/* Fills b from r. Returns 0, or -1 with a message in err. O(stations x chain). */
static int base_init(adv_base *b, const resolved *r, char *err, size_t n)
{
    memset(b, 0, sizeof *b);
    b->r = r;
    size_t n_clients = 0;
    for (size_t i = 0; i < r->n_stations; i++)
        if (kind_is(&r->stations[i], "clients")) {
            if (!b->clients) b->clients = &r->stations[i];
            n_clients++;
        }
    if (n_clients != 1) {
        snprintf(err, n, "advise needs exactly one clients station, found %zu", n_clients);
        return -1;
    }
    b->cc = b->clients->config;
    const char *next = station_next(b->clients);
    for (;;) {
        const resolved_station *s = find_station(r, next);
        if (!s) {
            snprintf(err, n, "[%s] leads to '%s', which is not a station", b->clients->name,
                     next ? next : "");
            return -1;
        }
        if (kind_is(s, "node") || kind_is(s, "cluster")) {
            b->db = s;
            break;
        }
        if (kind_is(s, "router")) {
            snprintf(err, n, "[%s] is a shard router: advise starts from an unsharded database "
                     "(a node or a cluster) and adds the router itself", s->name);
            return -1;
        }
        if (!kind_is(s, "pooler") && !kind_is(s, "cache") && !kind_is(s, "app_pool")) {
            snprintf(err, n, "advise needs a database (a node or a cluster) behind the workload; "
                     "[%s] is a %s station", s->name, s->kind->name);
            return -1;
        }
        if (b->n_chain == ADV_MAX_CHAIN) {
            snprintf(err, n, "more than %d stations between [%s] and the database",
                     ADV_MAX_CHAIN, b->clients->name);
            return -1;
        }
        b->chain[b->n_chain++] = s;
        if (kind_is(s, "pooler")) b->has_pooler = 1, b->n_fronts++;
        if (kind_is(s, "cache")) b->has_cache = 1, b->n_fronts++;
        next = station_next(s);
    }
    b->cluster = kind_is(b->db, "cluster");
    if (b->cluster) {
        b->cl = b->db->config;
        b->primary = &b->cl->primary;
        b->replica = &b->cl->replica;
        b->replicas = b->cl->replicas;
    } else {
        b->primary = b->replica = &((const node_config_holder *)b->db->config)->cfg;
    }
    const clients_config *c = b->cc;
    b->mix_read = c->read_ratio;
    b->mix_scan = c->scan_ratio;
    b->mix_write = fmax(0.0, 1.0 - c->read_ratio - c->scan_ratio);
    b->keys = keydist_count(&c->keys);
    if (c->arrival == ARRIVAL_CLOSED) {
        double think = dist_mean(&c->think);
        b->rate = think > 0 ? (double)c->population / think : INFINITY;
        b->client_conns = c->population;
    } else {
        b->rate = c->arrival == ARRIVAL_MMPP ? fmax(c->rate, c->burst_rate) : c->rate;
        b->client_conns = c->users;
    }
    unique_name(r, "pool", b->pool, sizeof b->pool);
    unique_name(r, "cache", b->cache, sizeof b->cache);
    unique_name(r, "shards", b->router, sizeof b->router);
    char want[80];
    snprintf(want, sizeof want, "%.60s_cluster", b->db->name);
    unique_name(r, want, b->cl_name, sizeof b->cl_name);
    return 0;
}

/* Mean CPU time of a scan at the database (planning plus the rows it reads). */
static double scan_cost(const node_config *nc)
{
    double t = dist_mean(&nc->scan_time);
    if (nc->table.table_rows <= 0) return t;
    double w = fmin(1.0, fmax(0.0, nc->scan_window));
    double share = 1.0, touched = (double)nc->table.partitions;
    if (nc->scan_index) share = w;
    else if (nc->table.method == PART_RANGE) share = fmin(1.0, w + 1.0 / (double)nc->table.partitions);
    if (nc->table.method == PART_RANGE) touched = fmin(touched, 1.0 + w * touched);
    return t + share * (double)nc->table.table_rows * nc->scan_row_time + touched * nc->scan_overhead;
}

/* Shares of the database's work (CPU time) that reads, writes and scans make, the reads
 * that hit a cache taken out. */
static void work_shares(const adv_base *b, double hit, double *rd, double *wr, double *sc)
{
    const node_config *nc = b->primary;
    double r = b->mix_read * (1.0 - (isnan(hit) ? 0.0 : hit)) * dist_mean(&nc->read_time);
    double w = b->mix_write * dist_mean(&nc->write_time);
    double s = b->mix_scan * scan_cost(nc);
    double all = r + w + s;
    *rd = all > 0 ? r / all : 0;
    *wr = all > 0 ? w / all : 0;
    *sc = all > 0 ? s / all : 0;
}

/* ---- a configuration on the ladder ---------------------------------------------------- */

typedef struct adv_plan {
    int pooler;            /* a pooler added in front of the database */
    int cache;             /* a cache added after the clients */
    int64_t replicas;      /* read replicas (as given when unchanged) */
    int64_t factor;        /* cores multiplier on every database node */
    int64_t partitions;    /* range partitions added (0: the table as given) */
    int64_t shards;        /* shards behind an added router (0: none) */
    char step[96];         /* the step that made it: "baseline", "replicas 2", ... */
} adv_plan;

static adv_plan plan_base(const adv_base *b)
{
    adv_plan p = {.replicas = b->replicas, .factor = 1};
    snprintf(p.step, sizeof p.step, "baseline");
    return p;
}

/* The node becomes the primary of a cluster. */
static int plan_converted(const adv_base *b, const adv_plan *p)
{
    return !b->cluster && p->replicas > 0;
}

static int64_t replica_cores(const adv_base *b, const adv_plan *p)
{
    return (b->cluster ? b->replica->cores : b->primary->cores) * p->factor;
}

/* Cores of the database nodes behind the front (all shards). */
static int64_t plan_db_cores(const adv_base *b, const adv_plan *p)
{
    int64_t c = b->primary->cores * p->factor + p->replicas * replica_cores(b, p);
    return c * (p->shards ? p->shards : 1);
}

/* The cost model (advise.h). O(1). */
static double plan_cost(const adv_base *b, const adv_plan *p)
{
    double base = (double)b->primary->cores;
    double nodes = (double)plan_db_cores(b, p) / base;
    return nodes + ADV_FRONT_COST * (double)(b->n_fronts + p->pooler + p->cache);
}

/* What the configuration changes, e.g. "cache, 2 replicas, 16 cores"; "as given". */
static void plan_summary(const adv_base *b, const adv_plan *p, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
#define ADD(...)                                                                       \
    do {                                                                               \
        if (len && len + 2 < n) len += (size_t)snprintf(buf + len, n - len, ", ");     \
        if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__);         \
    } while (0)
    if (p->pooler) ADD("pooler");
    if (p->cache) ADD("cache");
    if (p->replicas != b->replicas)
        ADD("%lld replica%s", (long long)p->replicas, p->replicas == 1 ? "" : "s");
    if (p->factor > 1) ADD("%lld cores", (long long)(b->primary->cores * p->factor));
    if (p->partitions) ADD("%lld partitions", (long long)p->partitions);
    if (p->shards) ADD("%lld shards", (long long)p->shards);
#undef ADD
    if (!len) snprintf(buf, n, "as given");
}

/* The cheapest pooler for the configuration: 2 connections per core behind it. */
static int64_t plan_pool_size(const adv_base *b, const adv_plan *p)
{
    return 2 * plan_db_cores(b, p);
}

/* The fewest significant digits that read back as x exactly ("0.0002", not
 * "0.00020000000000000001"). */
static void fmt_shortest(double x, char *buf, size_t n)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, x);
        if (strtod(buf, NULL) == x) return;
    }
}

/* Copies the node's settings into cluster keys PREFIX.KEY (those not at their defaults,
 * the cores times factor, the partitions when added). */
static void node_as_cluster_keys(const adv_base *b, const adv_plan *p, adv_text *t,
                                 const char *section, const char *prefix)
{
    const opt_def *rows = b->db->kind->options;
    const station_kind *cluster = registry_find("cluster");
    for (size_t i = 0; rows[i].name; i++) {
        char key[128], val[2048];
        snprintf(key, sizeof key, "%s.%s", prefix, rows[i].name);
        if (!cluster || !opt_find(cluster->options, key)) {
            /* A node key the cluster has once, for itself (region: the primary's). */
            if (strcmp(prefix, "primary") != 0 || !cluster || !opt_find(cluster->options, rows[i].name))
                continue;
            snprintf(key, sizeof key, "%s", rows[i].name);
        }
        if (strcmp(rows[i].name, "cores") == 0) {
            text_set(t, section, key, "%lld", (long long)(b->primary->cores * p->factor));
            continue;
        }
        if (p->partitions && strcmp(rows[i].name, "partition_by") == 0) {
            text_set(t, section, key, "range");
            continue;
        }
        if (p->partitions && strcmp(rows[i].name, "partitions") == 0) {
            text_set(t, section, key, "%lld", (long long)p->partitions);
            continue;
        }
        if (b->db->prov[i].source == FROM_DEFAULT) continue;
        if (rows[i].type == OPT_NUMBER) {
            double x = *(const double *)(const void *)((const char *)b->db->config + rows[i].offset);
            fmt_shortest(x, val, sizeof val);
        } else if (opt_format(&rows[i], b->db->config, val, sizeof val) <= 0) {
            continue;
        }
        text_set(t, section, key, "%s", val);
    }
}

/* Sharding splits the data: each of the p->shards copies of the database holds 1/N of
 * the table's rows and of the working set (with the same memory each), so scans and
 * buffer-pool misses shrink with the shard count. `prefix` is "" for a node, "primary." or
 * "replica." for a cluster's parts. */
static void shard_split(const adv_plan *p, const node_config *nc, adv_text *t, const char *db,
                        const char *prefix)
{
    if (!p->shards) return;
    if (nc->table.table_rows > 0 && nc->table.rows.n == 0) {
        long long rows = (long long)ceil((double)nc->table.table_rows / (double)p->shards);
        text_set(t, db, prefix[0] ? "primary.table_rows" : "table_rows", "%lld", rows);
        if (prefix[0]) text_set(t, db, "replica.table_rows", "%lld", rows);
    }
    if (nc->working_set > 0) {
        char val[64];
        fmt_shortest(nc->working_set / (double)p->shards, val, sizeof val);
        text_set(t, db, prefix[0] ? "primary.working_set" : "working_set", "%sB", val);
        if (prefix[0]) text_set(t, db, "replica.working_set", "%sB", val);
    }
}

/* The keys and sections to append to the user's file for configuration p: the --set
 * overrides first (as keys), then the chain in order, then the database. */
static void plan_text(const adv_base *b, const adv_plan *p, const char *const *sets,
                      size_t n_sets, adv_text *t)
{
    for (size_t i = 0; i < n_sets; i++) {
        const char *eq = strchr(sets[i], '=');
        const char *dot = strchr(sets[i], '.');
        if (!eq || !dot || dot > eq) continue;   /* scenario_load rejected it already */
        char sec[256], key[256];
        snprintf(sec, sizeof sec, "%.*s", (int)(dot - sets[i]), sets[i]);
        const char *k = dot + 1, *ke = eq;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
        snprintf(key, sizeof key, "%.*s", (int)(ke - k), k);
        const char *v = eq + 1;
        while (*v == ' ' || *v == '\t') v++;
        text_set(t, sec, key, "%s", v);
    }
    /* The chain: clients, [cache], the user's stations, [pool], [router], database. */
    const char *seq[ADV_MAX_CHAIN + 6];
    const resolved_station *user[ADV_MAX_CHAIN + 6];
    size_t n = 0;
    user[n] = b->clients, seq[n++] = b->clients->name;
    if (p->cache) user[n] = NULL, seq[n++] = b->cache;
    for (size_t i = 0; i < b->n_chain; i++) user[n] = b->chain[i], seq[n++] = b->chain[i]->name;
    if (p->pooler) user[n] = NULL, seq[n++] = b->pool;
    if (p->shards) user[n] = NULL, seq[n++] = b->router;
    const char *db = plan_converted(b, p) ? b->cl_name : b->db->name;
    user[n] = NULL, seq[n++] = db;
    for (size_t i = 0; i + 1 < n; i++) {
        if (user[i]) {
            const char *was = station_next(user[i]);
            if (!was || strcmp(was, seq[i + 1]) != 0) text_set(t, seq[i], "next", "%s", seq[i + 1]);
        } else if (seq[i] == b->cache) {
            text_set(t, seq[i], "type", "cache");
            text_set(t, seq[i], "pattern", "cache-aside");
            uint64_t cap = (uint64_t)((double)b->keys * ADV_CACHE_SHARE);
            text_set(t, seq[i], "capacity", "%llu", (unsigned long long)(cap ? cap : 1));
            text_set(t, seq[i], "next", "%s", seq[i + 1]);
        } else if (seq[i] == b->pool) {
            text_set(t, seq[i], "type", "pooler");
            text_set(t, seq[i], "mode", "transaction");
            text_set(t, seq[i], "pool_size", "%lld", (long long)plan_pool_size(b, p));
            text_set(t, seq[i], "max_client_conn", "%lld", (long long)b->client_conns);
            double th = isfinite(b->rate) ? ceil(b->rate / ADV_POOLER_RATE) : 4.0;
            text_set(t, seq[i], "threads", "%lld", (long long)fmax(1.0, th));
            if (station_region(b->db)) text_set(t, seq[i], "region", "%s", station_region(b->db));
            text_set(t, seq[i], "next", "%s", seq[i + 1]);
        } else if (seq[i] == b->router) {
            text_set(t, seq[i], "type", "router");
            text_set(t, seq[i], "strategy", "hash");
            text_set(t, seq[i], "shards", "%lld", (long long)p->shards);
            if (station_region(b->db)) text_set(t, seq[i], "region", "%s", station_region(b->db));
            text_set(t, seq[i], "next", "%s", seq[i + 1]);
        }
    }
    if (plan_converted(b, p)) {
        text_set(t, db, "type", "cluster");
        text_set(t, db, "replicas", "%lld", (long long)p->replicas);
        text_set(t, db, "replication", "async");
        text_set(t, db, "read_from", "replicas");
        node_as_cluster_keys(b, p, t, db, "primary");
        node_as_cluster_keys(b, p, t, db, "replica");
        shard_split(p, b->primary, t, db, "primary.");
        return;
    }
    if (b->cluster) {
        if (p->replicas != b->replicas) {
            text_set(t, db, "replicas", "%lld", (long long)p->replicas);
            if (b->cl->read_from == READ_FROM_PRIMARY) text_set(t, db, "read_from", "replicas");
        }
        if (p->factor > 1) {
            text_set(t, db, "primary.cores", "%lld", (long long)(b->primary->cores * p->factor));
            text_set(t, db, "replica.cores", "%lld", (long long)(b->replica->cores * p->factor));
        }
        if (p->partitions) {
            text_set(t, db, "primary.partition_by", "range");
            text_set(t, db, "primary.partitions", "%lld", (long long)p->partitions);
            text_set(t, db, "replica.partition_by", "range");
            text_set(t, db, "replica.partitions", "%lld", (long long)p->partitions);
        }
        shard_split(p, b->primary, t, db, "primary.");
        return;
    }
    if (p->factor > 1) text_set(t, db, "cores", "%lld", (long long)(b->primary->cores * p->factor));
    if (p->partitions) {
        text_set(t, db, "partition_by", "range");
        text_set(t, db, "partitions", "%lld", (long long)p->partitions);
    }
    shard_split(p, b->primary, t, db, "");
}

/* ---- simulating and judging a configuration ------------------------------------------- */

typedef struct adv_eval {
    int ran;                    /* replications that completed */
    char error[256];            /* why none did */
    slo_verdict verdict;        /* all clauses together */
    ci m[SLO_MAX_CLAUSES];      /* each clause's metric */
    double score;               /* worst clause's distance past its target over the target
                                   (<= 0: its mean meets it); lower is better */
    char bottleneck[256];       /* "db.primary at 100% utilisation, saturated" */
    double hit;                 /* cache hit ratio (NAN without a cache) */
    double db_busy;             /* highest utilisation of a database node */
    char db_busy_at[96];        /* which */
    int db_saturated;           /* a database node is saturated */
    double primary_busy;        /* highest utilisation of a primary (or plain) node */
    char primary_at[96];        /* which */
    int primary_saturated;      /* that node is saturated */
    double refused;             /* requests refused by database nodes */
    char refused_at[96];        /* the node that refused most */
    double conns;               /* most connections (requests present) at a database node */
    char conns_at[96];          /* which */
} adv_eval;

typedef struct adv_ctx {
    const advise_options *o;    /* the command */
    const scenario *user;       /* the user's scenario (sweep axes) */
    const adv_base *b;          /* what the scenario is made of */
    slo slo;                    /* the objective */
    const char *slo_text;       /* as written */
    char cand_name[4096];       /* the name candidates are loaded under (next to the file) */
    char include[4096];         /* the include line's file for candidates */
    double duration, warmup;    /* per run (s), capped */
    int reps;                   /* replications per candidate */
} adv_ctx;

/* The whole candidate scenario: a comment, the include of the user's file, the keys. */
static char *candidate_text(const adv_ctx *cx, const adv_plan *p, const char *include,
                            const char *head, const adv_text *extra, adv_text *keys)
{
    /* The extra keys ([scenario] name, slo) first and again last: first in place, last
     * in value. */
    for (size_t i = 0; extra && i < extra->n; i++)
        text_set(keys, extra->kv[i].section, extra->kv[i].key, "%s", extra->kv[i].value);
    plan_text(cx->b, p, cx->o->sets, cx->o->n_sets, keys);
    for (size_t i = 0; extra && i < extra->n; i++)
        text_set(keys, extra->kv[i].section, extra->kv[i].key, "%s", extra->kv[i].value);
    if (keys->failed) return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    fputs(head, f);
    fprintf(f, "include %s\n", include);
    if (keys->n) fputs("\n", f);
    text_write(keys, f, "");
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int is_primary_node(const agg_station *s)
{
    return strcmp(s->kind, "node") == 0 && !strstr(s->name, ".replica.");
}

/* Reads the stations of a finished candidate into ev: bottleneck, busiest nodes,
 * refusals, connections. */
static void diagnose(const results_cell *cell, adv_eval *ev)
{
    agg_station *st = NULL;
    size_t n = 0;
    ev->db_busy = ev->primary_busy = ev->refused = ev->conns = 0;
    if (agg_stations(cell, &st, &n) != 0) {
        snprintf(ev->bottleneck, sizeof ev->bottleneck, "(out of memory)");
        return;
    }
    const agg_station *top = NULL, *refuser = NULL;
    double top_key = -1, most_refused = 0;
    for (size_t i = 0; i < n; i++) {
        const agg_station *s = &st[i];
        if (strcmp(s->kind, "clients") == 0) continue;
        double u = s->v[AGG_UTILISATION].mean, load = s->v[AGG_OFFERED_LOAD].mean;
        double refused = s->v[AGG_REFUSED].mean, present = s->v[AGG_MEAN_QUEUE].mean;
        /* Saturated stations first, then the busiest; among the fully busy, a database
         * node before the tiers waiting on it (an app_pool's connections are "busy" while
         * they wait for the database). */
        double key = s->saturated ? 10.0 + (isnan(load) ? 1.0 : load) : (isnan(u) ? -1 : u);
        if (!s->saturated && strcmp(s->kind, "node") == 0 && !isnan(u) && u >= 0.95) key += 0.05;
        if (key > top_key) top_key = key, top = s;
        if (refused > most_refused) most_refused = refused, refuser = s;
        if (strcmp(s->kind, "node") != 0) continue;
        if (!isnan(u) && u > ev->db_busy) ev->db_busy = u, snprintf(ev->db_busy_at, sizeof ev->db_busy_at, "%s", s->name);
        ev->db_saturated |= s->saturated;
        if (is_primary_node(s) && !isnan(u) && (u > ev->primary_busy || s->saturated)) {
            ev->primary_busy = u;
            ev->primary_saturated |= s->saturated;
            snprintf(ev->primary_at, sizeof ev->primary_at, "%s", s->name);
        }
        if (!isnan(refused) && refused > 0) {
            if (refused > ev->refused || !ev->refused_at[0])
                snprintf(ev->refused_at, sizeof ev->refused_at, "%s", s->name);
            ev->refused += refused;
        }
        if (!isnan(present) && present > ev->conns)
            ev->conns = present, snprintf(ev->conns_at, sizeof ev->conns_at, "%s", s->name);
    }
    size_t len = 0;
    char *bn = ev->bottleneck;
    size_t cap = sizeof ev->bottleneck;
    if (top && top_key >= 0) {
        double u = top->v[AGG_UTILISATION].mean;
        if (!isnan(u))
            len += (size_t)snprintf(bn, cap, "%s at %.0f%% utilisation", top->name, 100 * u);
        else
            len += (size_t)snprintf(bn, cap, "%s", top->name);
        if (top->saturated && len < cap)
            len += (size_t)snprintf(bn + len, cap - len, ", saturated (its queue grows)");
    } else {
        len += (size_t)snprintf(bn, cap, "no station is busy");
    }
    if (refuser && len < cap)
        snprintf(bn + len, cap - len, "; %s refused %.0f requests", refuser->name, most_refused);
    free(st);
}

/* The keys that the user's [sweep] also sets (the sweep would override them), as
 * malloc'd "SECTION.KEY=VALUE" strings in *out (free each and the array). Returns how
 * many (0 when out of memory). O(keys x axes). */
static size_t sweep_conflicts(const adv_ctx *cx, const adv_text *keys, char ***out)
{
    size_t n = 0;
    *out = calloc(keys->n + 1, sizeof **out);
    for (size_t i = 0; *out && i < keys->n; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s.%s", keys->kv[i].section, keys->kv[i].key);
        for (size_t a = 0; a < cx->user->n_axes; a++) {
            if (strcmp(cx->user->axes[a].key, full) != 0) continue;
            size_t len = strlen(full) + strlen(keys->kv[i].value) + 2;
            char *s = malloc(len);
            if (!s) break;
            snprintf(s, len, "%s=%s", full, keys->kv[i].value);
            (*out)[n++] = s;
            break;
        }
    }
    return n;
}

/* Simulates configuration p and judges it against the SLO. Returns 0, or -1 when the
 * candidate could not even be built (a message in ev->error; diagnostics on stderr). */
static int simulate(const adv_ctx *cx, const adv_plan *p, adv_eval *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->verdict = SLO_NO_DATA;
    ev->score = INFINITY;
    ev->hit = NAN;
    adv_text keys = {0};
    char head[256];
    snprintf(head, sizeof head, "# dbscale advise candidate: %s\n", p->step);
    char *text = candidate_text(cx, p, cx->include, head, NULL, &keys);
    /* A key the user's [sweep] sets would override ours: give those as --set too. */
    char **owned = NULL;
    size_t n_sets = sweep_conflicts(cx, &keys, &owned);
    const char **sets = calloc(n_sets + 1, sizeof *sets);
    for (size_t i = 0; sets && i < n_sets; i++) sets[i] = owned[i];
    text_fini(&keys);
    int rc = -1;
    scenario sc;
    memset(&sc, 0, sizeof sc);
    diag_list d;
    diag_init(&d);
    resolved r;
    int have_r = 0;
    if (!text || !sets || !owned) {
        snprintf(ev->error, sizeof ev->error, "out of memory");
    } else if (scenario_load_string(&sc, cx->cand_name, text, strlen(text), sets, n_sets, &d) != 0 ||
               diag_errors(&d) || scenario_resolve(&sc, 0, 0, &r, &d) != 0) {
        diag_print(&d, stderr);
        fprintf(stderr, "dbscale: advise: this candidate did not load (a bug in advise):\n%s", text);
        snprintf(ev->error, sizeof ev->error, "the candidate scenario did not load");
    } else {
        have_r = 1;
        r.settings.duration = cx->duration;
        r.settings.warmup = cx->warmup;
        r.settings.warmup_auto = 0;
        r.settings.sample_interval = 0;
        rc = 0;
    }
    run_result *reps = rc == 0 ? calloc((size_t)cx->reps, sizeof *reps) : NULL;
    if (rc == 0 && !reps) {
        snprintf(ev->error, sizeof ev->error, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        for (int i = 0; i < cx->reps; i++) {
            if (runner_run_one(&r, 0, 0, (uint32_t)i, cx->warmup, &reps[i]) == 0) ev->ran++;
            else if (!ev->error[0]) snprintf(ev->error, sizeof ev->error, "run failed: %.240s", reps[i].error);
        }
        results_cell cell = {.variant = 0, .point = 0, .reps = reps, .n_reps = (size_t)cx->reps};
        if (ev->ran) {
            slo_verdict all = SLO_PASS;
            double score = -INFINITY;
            for (size_t c = 0; c < cx->slo.n; c++) {
                const slo_clause *cl = &cx->slo.c[c];
                ci v = agg_metric(&cell, cl->metric);
                ev->m[c] = v;
                all = slo_worse(all, slo_judge(cl, v));
                double s = isnan(v.mean) ? INFINITY
                                         : (cl->above ? cl->value - v.mean : v.mean - cl->value) /
                                               fmax(fabs(cl->value), 1e-9);
                if (s > score) score = s;
            }
            ev->verdict = all;
            ev->score = score;
            ev->hit = agg_metric(&cell, METRIC_CACHE_HIT_RATIO).mean;
            diagnose(&cell, ev);
        } else {
            ev->verdict = SLO_FAIL;
            memcpy(ev->bottleneck, ev->error, sizeof ev->error); /* both 256 bytes */
        }
        for (int i = 0; i < cx->reps; i++) run_result_fini(&reps[i]);
    }
    free(reps);
    if (have_r) resolved_fini(&r);
    scenario_fini(&sc);
    diag_fini(&d);
    for (size_t i = 0; i < n_sets; i++) free(owned[i]);
    free(owned);
    free(sets);
    free(text);
    return rc;
}

/* ---- the ladder's steps --------------------------------------------------------------- */

/* Whether step s applies to configuration p (simulated as ev); why (or why not) in why. */
static int step_applies(const adv_base *b, int s, const adv_plan *p, const adv_eval *ev,
                        char *why, size_t n)
{
    double rd, wr, sc;
    work_shares(b, p->cache || b->has_cache ? ev->hit : 0.0, &rd, &wr, &sc);
    const node_config *nc = b->primary;
    const char *busiest = ev->db_busy_at[0] ? ev->db_busy_at : b->db->name;
    switch (s) {
    case STEP_POOLER: {
        if (b->has_pooler) {
            snprintf(why, n, "the database is already behind a pooler");
            return 0;
        }
        double peak = nc->usl_kappa > 0 ? sqrt((1.0 - nc->usl_sigma) / nc->usl_kappa) : INFINITY;
        int contention = nc->usl_sigma > 0 || nc->usl_kappa > 0;
        int cpu_bound = ev->db_busy >= 0.9 || ev->db_saturated;
        if (ev->refused > 0 && (contention || !cpu_bound)) {
            snprintf(why, n, "%s refused %.0f requests (max_connections %lld)%s", ev->refused_at,
                     ev->refused, (long long)nc->max_connections,
                     contention ? " and slows down as connections contend (USL)" : "");
            return 1;
        }
        if (ev->refused > 0) {
            snprintf(why, n, "%s refused %.0f requests because it is overloaded (%s %.0f%% busy) "
                     "and has no USL contention: a pooler would only move the queue",
                     ev->refused_at, ev->refused, busiest, 100 * ev->db_busy);
            return 0;
        }
        if (ev->conns > peak) {
            snprintf(why, n, "%s holds %.0f connections, past its USL peak of %.0f", ev->conns_at,
                     ev->conns, peak);
            return 1;
        }
        if (isinf(peak))
            snprintf(why, n, "the database refused no requests and has no USL coherency cost "
                     "(usl_kappa = 0): a pooler would not help");
        else
            snprintf(why, n, "the database refused no requests and holds %.0f connections, "
                     "below its USL peak of %.0f: a pooler would not help", ev->conns, peak);
        return 0;
    }
    case STEP_CACHE:
        if (b->has_cache) {
            snprintf(why, n, "the workload already goes through a cache");
            return 0;
        }
        if (b->mix_read >= ADV_READ_HEAVY) {
            snprintf(why, n, "reads are %.0f%% of the requests", 100 * b->mix_read);
            return 1;
        }
        snprintf(why, n, "reads are %.0f%% of the requests: a cache would take little load "
                 "off the database", 100 * b->mix_read);
        return 0;
    case STEP_REPLICAS:
        if (rd < ADV_MOSTLY) {
            snprintf(why, n, "reads are %.0f%% of the database's work (writes %.0f%%, scans "
                     "%.0f%%) and writes all go to the primary: replicas would not help",
                     100 * rd, 100 * wr, 100 * sc);
            return 0;
        }
        if (ev->db_busy < ADV_BUSY && !ev->db_saturated && ev->refused <= 0) {
            snprintf(why, n, "reads are %.0f%% of the database's work, but the busiest node "
                     "(%s) is %.0f%% busy: replicas would not help", 100 * rd, busiest,
                     100 * ev->db_busy);
            return 0;
        }
        snprintf(why, n, "reads are %.0f%% of the database's work and %s is %.0f%% busy",
                 100 * rd, busiest, 100 * ev->db_busy);
        return 1;
    case STEP_CORES:
        if (ev->db_busy >= ADV_BUSY || ev->db_saturated || ev->refused > 0) {
            snprintf(why, n, "%s is %.0f%% busy%s", busiest, 100 * ev->db_busy,
                     ev->db_saturated ? ", saturated" : "");
            return 1;
        }
        snprintf(why, n, "the busiest database node (%s) is %.0f%% busy: more cores would not "
                 "help", busiest, 100 * ev->db_busy);
        return 0;
    case STEP_PARTITIONS:
        if (b->mix_scan <= 0) {
            snprintf(why, n, "no scans: partitioning would not help");
            return 0;
        }
        if (nc->table.table_rows <= 0) {
            snprintf(why, n, "the database has no table (table_rows = 0): a scan costs "
                     "scan_time only and there is nothing to prune");
            return 0;
        }
        if (nc->table.method != PART_NONE) {
            snprintf(why, n, "the table is already partitioned (%lld partitions)",
                     (long long)nc->table.partitions);
            return 0;
        }
        if (nc->scan_window >= 1.0) {
            snprintf(why, n, "scans read the whole key range (scan_window = 1): nothing to prune");
            return 0;
        }
        if (sc < ADV_MOSTLY) {
            snprintf(why, n, "scans are %.0f%% of the database's work: partitioning would not "
                     "help enough", 100 * sc);
            return 0;
        }
        snprintf(why, n, "scans are %.0f%% of the database's work on an unpartitioned table",
                 100 * sc);
        return 1;
    case STEP_SHARDS:
        if (ev->primary_busy >= ADV_PRIMARY_BUSY || ev->primary_saturated) {
            snprintf(why, n, "%s is %.0f%% busy%s (writes are %.0f%% of the work)",
                     ev->primary_at, 100 * ev->primary_busy,
                     ev->primary_saturated ? ", saturated" : "", 100 * wr);
            return 1;
        }
        snprintf(why, n, "the busiest primary (%s) is %.0f%% busy: sharding would not help",
                 ev->primary_at[0] ? ev->primary_at : b->db->name, 100 * ev->primary_busy);
        return 0;
    }
    return 0;
}

/* The values step s tries on configuration p, ascending; returns how many (at most 4). */
static size_t step_values(const adv_base *b, int s, const adv_plan *p, int64_t *v)
{
    size_t n = 0;
    switch (s) {
    case STEP_POOLER:
    case STEP_CACHE:
        v[n++] = 1;
        break;
    case STEP_REPLICAS:
        for (int64_t k = 1; k <= 4; k *= 2)
            if (p->replicas + k <= 1000) v[n++] = p->replicas + k;
        break;
    case STEP_CORES:
        v[n++] = 2 * p->factor;
        v[n++] = 4 * p->factor;
        break;
    case STEP_PARTITIONS: {
        int64_t keys = b->primary->table.table_keys;
        double w = b->primary->scan_window;
        int64_t per_window = w > 0 ? (int64_t)ceil(1.0 / w - 1e-9) : 0;
        int64_t c[2] = {12, per_window};
        if (c[1] < c[0]) c[0] = per_window, c[1] = 12;
        for (int i = 0; i < 2; i++)
            if (c[i] >= 2 && c[i] <= 10000 && c[i] <= keys && (n == 0 || v[n - 1] != c[i]))
                v[n++] = c[i];
        break;
    }
    case STEP_SHARDS:
        v[n++] = 2;
        v[n++] = 4;
        v[n++] = 8;
        break;
    }
    return n;
}

static adv_plan step_apply(int s, const adv_plan *p, int64_t v)
{
    adv_plan q = *p;
    switch (s) {
    case STEP_POOLER: q.pooler = 1; break;
    case STEP_CACHE: q.cache = 1; break;
    case STEP_REPLICAS: q.replicas = v; break;
    case STEP_CORES: q.factor = v; break;
    case STEP_PARTITIONS: q.partitions = v; break;
    case STEP_SHARDS: q.shards = v; break;
    }
    if (s == STEP_POOLER || s == STEP_CACHE) snprintf(q.step, sizeof q.step, "%s", step_names[s]);
    else if (s == STEP_CORES) snprintf(q.step, sizeof q.step, "cores x%lld", (long long)v);
    else snprintf(q.step, sizeof q.step, "%s %lld", step_names[s], (long long)v);
    return q;
}

/* Whether p has step s changed from the user's configuration. */
static int step_in(const adv_base *b, int s, const adv_plan *p)
{
    switch (s) {
    case STEP_POOLER: return p->pooler;
    case STEP_CACHE: return p->cache;
    case STEP_REPLICAS: return p->replicas != b->replicas;
    case STEP_CORES: return p->factor != 1;
    case STEP_PARTITIONS: return p->partitions != 0;
    case STEP_SHARDS: return p->shards != 0;
    }
    return 0;
}

/* p with step s back as the user has it. */
static adv_plan step_remove(const adv_base *b, int s, const adv_plan *p)
{
    adv_plan q = *p;
    switch (s) {
    case STEP_POOLER: q.pooler = 0; break;
    case STEP_CACHE: q.cache = 0; break;
    case STEP_REPLICAS: q.replicas = b->replicas; break;
    case STEP_CORES: q.factor = 1; break;
    case STEP_PARTITIONS: q.partitions = 0; break;
    case STEP_SHARDS: q.shards = 0; break;
    }
    char label[sizeof q.step];
    snprintf(label, sizeof label, "%.40s without %s", p->step, step_names[s]);
    memcpy(q.step, label, sizeof q.step);
    return q;
}

/* ---- printing ------------------------------------------------------------------------- */

static void fmt_num(double v, char *buf, size_t n)
{
    double a = fabs(v);
    if (isnan(v)) snprintf(buf, n, "n/a");
    else if (isinf(v)) snprintf(buf, n, v > 0 ? "inf" : "-inf");
    else if (a == 0) snprintf(buf, n, "0");
    else if (a >= 100) snprintf(buf, n, "%.0f", v);
    else if (a >= 10) snprintf(buf, n, "%.1f", v);
    else if (a >= 1) snprintf(buf, n, "%.2f", v);
    else if (a >= 0.01) snprintf(buf, n, "%.3f", v);
    else snprintf(buf, n, "%.2g", v);
}

/* "p99 12.3 ± 0.81 ms" for each clause, joined by "; ". */
static void fmt_metrics(const slo *s, const adv_eval *ev, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < s->n && len < n; c++) {
        const char *col = metric_column(s->c[c].metric);
        size_t cl = strlen(col);
        const char *unit = cl > 3 && strcmp(col + cl - 3, "_ms") == 0 ? " ms"
                           : s->c[c].metric == METRIC_THROUGHPUT   ? "/s"
                                                                   : "";
        size_t name = strcspn(s->c[c].text, " <>");
        char m[32], h[32];
        fmt_num(ev->m[c].mean, m, sizeof m);
        double hw = ev->m[c].half_width;
        if (fabs(hw) >= 10 || hw == 0) fmt_num(hw, h, sizeof h);
        else snprintf(h, sizeof h, "%.2g", hw);
        len += (size_t)snprintf(buf + len, n - len, "%s%.*s %s", c ? "; " : "", (int)name,
                                s->c[c].text, m);
        if (len < n && !isnan(ev->m[c].half_width) && !isnan(ev->m[c].mean))
            len += (size_t)snprintf(buf + len, n - len, " ± %s", h);
        if (len < n) len += (size_t)snprintf(buf + len, n - len, "%s", unit);
    }
}

static const char *verdict_word(slo_verdict v)
{
    switch (v) {
    case SLO_PASS: return "pass";
    case SLO_FAIL: return "fail";
    case SLO_UNCERTAIN: return "unsure";
    case SLO_NO_DATA: return "no data";
    }
    return "?";
}

typedef struct adv_try {
    adv_plan plan;   /* the configuration */
    adv_eval ev;     /* how it did */
    double cost;     /* plan_cost */
    int pass;        /* met the SLO */
} adv_try;

typedef struct adv_walk {
    adv_ctx *cx;                 /* context */
    adv_try tries[ADV_MAX_TRIES]; /* every configuration simulated, in order */
    size_t n;                    /* how many */
    int failed;                  /* a candidate did not build (internal error) */
    FILE *out;                   /* where the lines go */
} adv_walk;

/* Simulates p, prints its line; returns its index, or -1 (out of room or not built). */
static int try_plan(adv_walk *w, const adv_plan *p)
{
    if (w->n == ADV_MAX_TRIES) return -1;
    adv_try *t = &w->tries[w->n];
    t->plan = *p;
    if (simulate(w->cx, p, &t->ev) != 0) w->failed = 1;
    t->cost = plan_cost(w->cx->b, p);
    t->pass = t->ev.verdict == SLO_PASS;
    char m[256], sum[160];
    fmt_metrics(&w->cx->slo, &t->ev, m, sizeof m);
    plan_summary(w->cx->b, p, sum, sizeof sum);
    fprintf(w->out, " %2zu  %-24s %-7s %-26s %5.2f  %s; %s\n", w->n, p->step,
            verdict_word(t->ev.verdict), t->ev.ran ? m : "-", t->cost, sum,
            t->ev.bottleneck[0] ? t->ev.bottleneck : t->ev.error);
    fflush(w->out);
    return (int)w->n++;
}

static void print_skip(adv_walk *w, int s, const char *why)
{
    fprintf(w->out, "  -  %-24s skip    %s\n", step_names[s], why);
}

/* ---- the recommendation and its files ------------------------------------------------- */

static int mkdir_p(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

int advise_include_path(const char *scenario, const char *dir, char *buf, size_t n)
{
    int rel = scenario[0] != '/' && dir[0] != '/';
    size_t depth = 0;
    for (const char *s = dir; *s && rel;) {
        while (*s == '/') s++;
        size_t len = strcspn(s, "/");
        if (len == 2 && s[0] == '.' && s[1] == '.') rel = 0;
        else if (len && !(len == 1 && s[0] == '.')) depth++;
        s += len;
    }
    if (rel) {
        const char *p = scenario;
        while (p[0] == '.' && p[1] == '/') p += 2;
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < depth; i++) {
            if (len + 3 >= n) return -1;
            memcpy(buf + len, "../", 4);
            len += 3;
        }
        return snprintf(buf + len, n - len, "%s", p) < (int)(n - len) ? 0 : -1;
    }
    char *abs = realpath(scenario, NULL);
    int rc = snprintf(buf, n, "%s", abs ? abs : scenario) < (int)n ? 0 : -1;
    free(abs);
    return rc;
}

/* Writes configuration t to DIR/FILE (its path in path) and the command that verifies it
 * in verify. Returns 0 or an exit code. */
static int write_scenario(adv_walk *w, const adv_try *t, const char *dir, const char *file,
                          const char *what, char *path, size_t n, char *verify, size_t nv)
{
    const adv_ctx *cx = w->cx;
    char include[4096], sum[160];
    if (snprintf(path, n, "%s/%s", dir, file) >= (int)n ||
        advise_include_path(cx->o->file, dir, include, sizeof include) != 0) {
        fprintf(stderr, "dbscale: advise: the path of '%s' is too long\n", dir);
        return EXIT_CANTCREAT;
    }
    plan_summary(cx->b, &t->plan, sum, sizeof sum);
    adv_text extra = {0}, keys = {0};
    if (strcmp(file, "recommended.ini") == 0)
        text_set(&extra, "scenario", "name", "%s-advised", cx->b->r->settings.name);
    else
        text_set(&extra, "scenario", "name", "%s-advised-%.*s", cx->b->r->settings.name,
                 (int)strcspn(file + strcspn(file, "-") + 1, "."), file + strcspn(file, "-") + 1);
    if (cx->o->slo) text_set(&extra, "scenario", "slo", "%s", cx->slo_text);
    char *body = candidate_text(cx, &t->plan, include, "", &extra, &keys);
    char **conflicts = NULL;
    size_t n_conflicts = body ? sweep_conflicts(cx, &keys, &conflicts) : 0;
    size_t len = (size_t)snprintf(verify, nv, "dbscale run %s", path);
    for (size_t i = 0; i < n_conflicts && len < nv; i++)
        len += (size_t)snprintf(verify + len, nv - len, " --set '%s'", conflicts[i]);
    char *text = NULL;
    size_t text_len = 0;
    FILE *m = body ? open_memstream(&text, &text_len) : NULL;
    if (m) {
        fprintf(m, "# dbscale advise: %s configuration on the scaling ladder that met\n"
                "#   %s\n"
                "# for %s (%d replications of %g s each): %s (%s), cost %.2f.\n"
                "# Below: the user's scenario, included, then what advise added or changed.\n",
                what, cx->slo_text, cx->o->file, cx->reps, cx->duration, t->plan.step, sum, t->cost);
        for (size_t i = 0; i < n_conflicts; i++)
            fprintf(m, "# The included [sweep] sets %.*s too and would win over the value below:\n"
                    "# hence the --set in the command.\n", (int)strcspn(conflicts[i], "="), conflicts[i]);
        if (plan_converted(cx->b, &t->plan))
            fprintf(m, "# The node [%s] becomes the primary of the cluster [%s]; [%s] stays in the\n"
                    "# included file, unused (dbscale warns that nothing reaches it).\n",
                    cx->b->db->name, cx->b->cl_name, cx->b->db->name);
        fprintf(m, "# Verify it with the scenario's own duration and replications:\n#   %s\n%s",
                verify, body);
        if (fclose(m) != 0) {
            free(text);
            text = NULL;
        }
    }
    for (size_t i = 0; i < n_conflicts; i++) free(conflicts[i]);
    free(conflicts);
    free(body);
    text_fini(&extra);
    text_fini(&keys);
    if (!text) return EXIT_SOFTWARE;
    int code = 0;
    FILE *f = NULL;
    if (mkdir_p(dir) != 0 || !(f = fopen(path, "w")) || fputs(text, f) < 0) code = EXIT_CANTCREAT;
    if (f && fclose(f) != 0) code = EXIT_CANTCREAT;
    free(text);
    if (code) {
        fprintf(stderr, "dbscale: cannot write '%s': %s\n", path, strerror(errno));
        return code;
    }
    /* The file must load as it is: check it. */
    scenario sc;
    diag_list d;
    diag_init(&d);
    if (scenario_load(&sc, path, NULL, 0, &d) != 0 || diag_errors(&d)) {
        diag_print(&d, stderr);
        fprintf(stderr, "dbscale: advise: %s does not load (a bug in advise)\n", path);
        code = EXIT_SOFTWARE;
    } else {
        scenario_fini(&sc);
    }
    diag_fini(&d);
    return code;
}

/* The keys configuration t adds, indented, for the report. */
static void print_additions(const adv_ctx *cx, const adv_plan *p, FILE *out)
{
    adv_text keys = {0};
    plan_text(cx->b, p, cx->o->sets, cx->o->n_sets, &keys);
    text_write(&keys, out, "        ");
    text_fini(&keys);
}

/* ---- the walk ------------------------------------------------------------------------- */

static void print_header(const adv_ctx *cx, FILE *out)
{
    const adv_base *b = cx->b;
    const clients_config *c = b->cc;
    const resolved *r = b->r;
    char buf[256], keys[128], tmp[64];
    keydist_format(&c->keys, keys, sizeof keys);
    fprintf(out, "dbscale advise: %s\n", cx->o->file);
    fprintf(out, "  slo       %s (met when the whole 95%% confidence interval is on the right "
            "side)\n", cx->slo_text);
    if (c->arrival == ARRIVAL_CLOSED) {
        dist_format(&c->think, tmp, sizeof tmp);
        snprintf(buf, sizeof buf, "closed, %lld users thinking %s", (long long)c->population, tmp);
    } else if (c->arrival == ARRIVAL_TRACE) {
        snprintf(buf, sizeof buf, "trace replay");
    } else {
        units_format(c->rate, UNIT_RATE, tmp, sizeof tmp);
        snprintf(buf, sizeof buf, "open, %s%s", tmp, c->arrival == ARRIVAL_MMPP ? " with bursts" : "");
    }
    /* shares as 80%, 0.5% (a small share is not rounded to 0) */
    fprintf(out, "  workload  [%s] %s; %.3g%% reads, %.3g%% writes, %.3g%% scans; keys %s\n",
            b->clients->name, buf, 100 * b->mix_read, 100 * b->mix_write, 100 * b->mix_scan, keys);
    fprintf(out, "  database  [%s] %s: ", b->db->name, b->db->kind->name);
    if (b->cluster)
        fprintf(out, "primary of %lld cores, %lld replica%s of %lld cores", (long long)b->primary->cores,
                (long long)b->replicas, b->replicas == 1 ? "" : "s", (long long)b->replica->cores);
    else
        fprintf(out, "%lld cores", (long long)b->primary->cores);
    fprintf(out, ", max_connections %lld%s\n", (long long)b->primary->max_connections,
            b->primary->max_connections ? "" : " (unlimited)");
    fprintf(out, "  path      %s", b->clients->name);
    for (size_t i = 0; i < b->n_chain; i++) fprintf(out, " -> %s", b->chain[i]->name);
    fprintf(out, " -> %s\n", b->db->name);
    fprintf(out, "  runs      %d replications of %g s (warm-up %g s) per configuration, seed %lld; "
            "every configuration sees the same arrivals (common random numbers)\n",
            cx->reps, cx->duration, cx->warmup, (long long)r->settings.seed);
    if (cx->duration < r->settings.duration)
        fprintf(out, "            the scenario's %g s runs are capped at %g s here "
                "(--max-duration); recommended.ini keeps them\n", r->settings.duration, cx->duration);
    if (r->settings.warmup_auto)
        fprintf(out, "            warmup = auto: a fixed 10%% of the run here\n");
    if (cx->user->n_variants > 1 || cx->user->n_points > 1)
        fprintf(out, "            the scenario has %zu variant%s and %zu sweep point%s: advise starts "
                "from the base variant at the first point (%s)\n", cx->user->n_variants,
                cx->user->n_variants == 1 ? "" : "s", cx->user->n_points,
                cx->user->n_points == 1 ? "" : "s", r->label ? r->label : "base");
    fprintf(out, "  cost      database nodes weighted by cores / %lld (a node like the given "
            "primary counts 1), x shards, + %.2f per pooler or cache\n",
            (long long)b->primary->cores, ADV_FRONT_COST);

    fprintf(out, "\nsearch space (the ladder, in order; a step that fails but gets at least "
            "%.0f%% closer to the objective is kept for the steps after it):\n", 100 * ADV_KEEP);
    adv_plan p0 = plan_base(b);
    char what[STEP_COUNT][160], cond[STEP_COUNT][160];
    int64_t v[4];
    size_t nv = step_values(b, STEP_REPLICAS, &p0, v);
    snprintf(what[STEP_POOLER], 160, "transaction mode, pool_size = 2 x the cores behind it");
    snprintf(cond[STEP_POOLER], 160, "the database refuses connections (with USL contention or "
             "idle cores) or runs past its USL peak");
    snprintf(what[STEP_CACHE], 160, "cache-aside after [%s], capacity %.0f%% of the keys (%.0f)",
             b->clients->name, 100 * ADV_CACHE_SHARE, fmax(1, floor((double)b->keys * ADV_CACHE_SHARE)));
    snprintf(cond[STEP_CACHE], 160, "reads are at least %.0f%% of the requests", 100 * ADV_READ_HEAVY);
    size_t len = 0;
    for (size_t i = 0; i < nv; i++) len += (size_t)snprintf(what[STEP_REPLICAS] + len, 160 - len, "%s%lld", i ? ", " : "", (long long)v[i]);
    snprintf(what[STEP_REPLICAS] + len, 160 - len, " read replicas%s",
             b->cluster ? "" : " (the node becomes a cluster)");
    snprintf(cond[STEP_REPLICAS], 160, "reads are most of the work and a database node is at "
             "least %.0f%% busy", 100 * ADV_BUSY);
    snprintf(what[STEP_CORES], 160, "x2, x4 on every database node (%lld, %lld cores)",
             (long long)(2 * b->primary->cores), (long long)(4 * b->primary->cores));
    snprintf(cond[STEP_CORES], 160, "a database node is at least %.0f%% busy or refuses "
             "requests", 100 * ADV_BUSY);
    nv = step_values(b, STEP_PARTITIONS, &p0, v);
    len = (size_t)snprintf(what[STEP_PARTITIONS], 160, "range partitions: ");
    if (!nv) snprintf(what[STEP_PARTITIONS] + len, 160 - len, "none fit the table");
    for (size_t i = 0; i < nv; i++) len += (size_t)snprintf(what[STEP_PARTITIONS] + len, 160 - len, "%s%lld", i ? " or " : "", (long long)v[i]);
    snprintf(cond[STEP_PARTITIONS], 160, "scans are most of the work on an unpartitioned table");
    snprintf(what[STEP_SHARDS], 160, "2, 4, 8 hash shards of the database behind a router");
    snprintf(cond[STEP_SHARDS], 160, "the busiest primary is at least %.0f%% busy",
             100 * ADV_PRIMARY_BUSY);
    for (int s = 0; s < STEP_COUNT; s++)
        fprintf(out, "  %d %-10s  %-60s  if %s\n", s + 1, step_names[s], what[s], cond[s]);
    fprintf(out, "\n");
    fprintf(out, "  #  %-24s %-7s %-26s %5s  %s\n", "step", "verdict", cx->slo_text, "cost",
            "configuration; bottleneck");
}

static int cmp_pass(const void *a, const void *b)
{
    const adv_try *x = *(const adv_try *const *)a, *y = *(const adv_try *const *)b;
    if (x->cost < y->cost) return -1;
    if (x->cost > y->cost) return 1;
    return x < y ? -1 : x > y;
}

/* Prints what to try when nothing passed. */
static void print_nothing(adv_walk *w)
{
    const adv_try *best = &w->tries[0];
    for (size_t i = 1; i < w->n; i++)
        if (w->tries[i].ev.score < best->ev.score) best = &w->tries[i];
    char m[256], sum[160];
    fmt_metrics(&w->cx->slo, &best->ev, m, sizeof m);
    plan_summary(w->cx->b, &best->plan, sum, sizeof sum);
    fprintf(w->out, "\nnothing on the ladder meets %s.\n", w->cx->slo_text);
    fprintf(w->out, "closest: %s (%s): %s, cost %.2f; %s\n", best->plan.step, sum, m, best->cost,
            best->ev.bottleneck);
    fprintf(w->out, "what to try: ");
    if (best->ev.db_busy < ADV_BUSY && !best->ev.db_saturated && best->ev.refused <= 0)
        fprintf(w->out, "the database is not the limit there (its busiest node is %.0f%% busy): "
                "the latency is the work itself (service times, scans, disk reads, network), "
                "which more nodes do not shorten. Make the requests cheaper (indexes, smaller "
                "scans, more memory for the working set) or relax the objective.\n",
                100 * best->ev.db_busy);
    else
        fprintf(w->out, "the database is still busy at the top of the ladder: go further by hand "
                "(more shards or replicas with --set on recommended keys, e.g. %s.shards = 16), "
                "make the requests cheaper, or relax the objective.\n", w->cx->b->router);
}

/* Whether a is closer to the objective than b by a margin (ADV_KEEP of b's distance):
 * a step that only moves the metric within its noise is not kept. */
static int improves(const adv_eval *a, const adv_eval *b)
{
    if (isinf(b->score) && b->score > 0) return isfinite(a->score);
    return a->score < b->score - ADV_KEEP * fabs(b->score);
}

/* The walk: baseline, the ladder until a pass, pruning, alternatives, the recommendation.
 * Returns the exit code. */
static int walk(adv_walk *w, advise_outcome *res)
{
    adv_ctx *cx = w->cx;
    const adv_base *b = cx->b;
    FILE *out = w->out;
    adv_plan cur = plan_base(b);
    int i0 = try_plan(w, &cur);
    if (i0 < 0) return EXIT_SOFTWARE;
    if (w->tries[i0].pass) {
        fprintf(out, "\nthe scenario already meets %s as given: no scaling step needed "
                "(cost %.2f).\n", cx->slo_text, w->tries[i0].cost);
        if (res) res->already_meets = 1, res->passing = 1, res->best_cost = w->tries[i0].cost;
        return w->failed ? EXIT_SOFTWARE : EXIT_PASS;
    }
    int ic = i0, passed = -1, step_pass = -1, ipre = -1;
    char why[512];
    for (int s = 0; s < STEP_COUNT && passed < 0; s++) {
        if (!step_applies(b, s, &cur, &w->tries[ic].ev, why, sizeof why)) {
            print_skip(w, s, why);
            continue;
        }
        fprintf(out, "  -  %-24s try     %s\n", step_names[s], why);
        int64_t v[4];
        size_t nv = step_values(b, s, &cur, v);
        int best = -1;
        for (size_t k = 0; k < nv; k++) {
            adv_plan q = step_apply(s, &cur, v[k]);
            int i = try_plan(w, &q);
            if (i < 0) break;
            if (w->tries[i].pass) {
                passed = i, step_pass = s, ipre = ic;
                break;
            }
            if (best < 0 || w->tries[i].ev.score < w->tries[best].ev.score) best = i;
        }
        if (passed >= 0 || s == STEP_COUNT - 1) break;
        if (best >= 0 && improves(&w->tries[best].ev, &w->tries[ic].ev)) {
            char was[256], now[256];
            fmt_metrics(&cx->slo, &w->tries[ic].ev, was, sizeof was);
            fmt_metrics(&cx->slo, &w->tries[best].ev, now, sizeof now);
            fprintf(out, "     kept %s for the next steps: %s, against %s before\n",
                    w->tries[best].plan.step, now, was);
            cur = w->tries[best].plan;
            ic = best;
        } else if (best >= 0) {
            fprintf(out, "     not kept: no value of this step got at least %.0f%% closer to the "
                    "objective\n", 100 * ADV_KEEP);
        }
    }
    if (passed < 0) {
        print_nothing(w);
        return w->failed ? EXIT_SOFTWARE : EXIT_NONE;
    }
    if (res) snprintf(res->first_pass, sizeof res->first_pass, "%s", w->tries[passed].plan.step);
    /* Drop earlier steps the passing configuration does not need. */
    int win = passed;
    for (int s = 0; s < step_pass; s++) {
        if (!step_in(b, s, &w->tries[win].plan)) continue;
        adv_plan q = step_remove(b, s, &w->tries[win].plan);
        fprintf(out, "  -  %-24s try     does the passing configuration need the %s?\n", "prune",
                step_names[s]);
        int i = try_plan(w, &q);
        if (i >= 0 && w->tries[i].pass) win = i;
    }
    /* Alternatives: the later steps instead of the passing one. */
    size_t passes = 0;
    for (size_t i = 0; i < w->n; i++) passes += (size_t)w->tries[i].pass;
    for (int s = step_pass + 1; s < STEP_COUNT && passes < ADV_MAX_PASSES; s++) {
        const adv_try *pre = &w->tries[ipre];
        if (!step_applies(b, s, &pre->plan, &pre->ev, why, sizeof why)) {
            print_skip(w, s, why);
            continue;
        }
        fprintf(out, "  -  %-24s try     instead of %s: %s\n", step_names[s], step_names[step_pass], why);
        int64_t v[4];
        size_t nv = step_values(b, s, &pre->plan, v);
        for (size_t k = 0; k < nv; k++) {
            adv_plan q = step_apply(s, &pre->plan, v[k]);
            int i = try_plan(w, &q);
            if (i < 0) break;
            if (w->tries[i].pass) {
                passes++;
                break;
            }
        }
    }
    (void)win;
    /* The passing configurations, cheapest first. */
    const adv_try *pass[ADV_MAX_TRIES];
    size_t np = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->tries[i].pass) pass[np++] = &w->tries[i];
    qsort(pass, np, sizeof pass[0], cmp_pass);
    fprintf(out, "\nrecommendation (configurations that meet %s, cheapest first):\n", cx->slo_text);
    char dir[4096];
    if (cx->o->out_dir) snprintf(dir, sizeof dir, "%s", cx->o->out_dir);
    else snprintf(dir, sizeof dir, "out/advise/%s", b->r->settings.name);
    int code = 0;
    char first_path[4096] = "", first_verify[8192] = "";
    for (size_t k = 0; k < np && k < ADV_MAX_PASSES; k++) {
        const adv_try *t = pass[k];
        char m[256], sum[160], file[64], path[4096];
        fmt_metrics(&cx->slo, &t->ev, m, sizeof m);
        plan_summary(b, &t->plan, sum, sizeof sum);
        if (strcmp(sum, t->plan.step) == 0) fprintf(out, "  %zu. %s: cost %.2f, %s\n", k + 1, sum, t->cost, m);
        else fprintf(out, "  %zu. %s (%s): cost %.2f, %s\n", k + 1, t->plan.step, sum, t->cost, m);
        fprintf(out, "     add after 'include %s':\n", cx->o->file);
        print_additions(cx, &t->plan, out);
        if (k == 0) snprintf(file, sizeof file, "recommended.ini");
        else snprintf(file, sizeof file, "alternative-%zu.ini", k + 1);
        char verify[8192];
        int c = write_scenario(w, t, dir, file, k == 0 ? "the cheapest" : "another", path,
                               sizeof path, verify, sizeof verify);
        if (c) {
            code = c;
            break;
        }
        fprintf(out, "     written to %s\n", path);
        if (k == 0) {
            snprintf(first_path, sizeof first_path, "%s", path);
            snprintf(first_verify, sizeof first_verify, "%s", verify);
        }
    }
    if (code == 0)
        fprintf(out, "\nverify the recommendation with the scenario's own duration and "
                "replications:\n  %s\n", first_verify);
    if (res) {
        res->passing = np;
        snprintf(res->best, sizeof res->best, "%s", pass[0]->plan.step);
        res->best_cost = pass[0]->cost;
        snprintf(res->recommended, sizeof res->recommended, "%s", first_path);
    }
    if (code) return code;
    return w->failed ? EXIT_SOFTWARE : EXIT_PASS;
}

/* ---- entry points --------------------------------------------------------------------- */

/* The directory part of path with its trailing slash, or "" when it has none. */
static void dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(buf, n, "%s", "");
    else snprintf(buf, n, "%.*s", (int)(slash - path + 1), path);
}

int advise_run(const advise_options *o, FILE *out, advise_outcome *res)
{
    if (res) {
        memset(res, 0, sizeof *res);
        res->best_cost = NAN;
    }
    scenario sc;
    diag_list d;
    diag_init(&d);
    int rc = scenario_load(&sc, o->file, o->sets, o->n_sets, &d);
    diag_print(&d, stderr);
    size_t errors = diag_errors(&d);
    diag_fini(&d);
    if (rc == -2) {
        fprintf(stderr, "dbscale: cannot read '%s': %s\n", o->file, strerror(ENOENT));
        return EXIT_NOINPUT;
    }
    if (rc != 0 || errors) {
        fprintf(stderr, "dbscale: %s: %zu error%s; nothing was run\n", o->file, errors,
                errors == 1 ? "" : "s");
        if (rc == 0) scenario_fini(&sc);
        return EXIT_DATAERR;
    }
    diag_init(&d);
    resolved r;
    if (scenario_resolve(&sc, 0, 0, &r, &d) != 0) {
        diag_print(&d, stderr);
        diag_fini(&d);
        scenario_fini(&sc);
        return EXIT_DATAERR;
    }
    diag_fini(&d);
    int code = 0;
    adv_ctx *cx = calloc(1, sizeof *cx);
    adv_walk *w = calloc(1, sizeof *w);
    adv_base *b = calloc(1, sizeof *b);
    char err[512];
    if (!cx || !w || !b) {
        code = EXIT_SOFTWARE;
        goto done;
    }
    cx->o = o;
    cx->user = &sc;
    cx->b = b;
    cx->slo_text = o->slo ? o->slo : r.settings.slo;
    if (!cx->slo_text || !cx->slo_text[0]) {
        fprintf(stderr, "dbscale: advise needs an objective: give --slo EXPR (e.g. --slo 'p99 < "
                "20ms') or set slo in [scenario] of '%s'\n", o->file);
        code = EXIT_USAGE;
        goto done;
    }
    if (slo_parse(cx->slo_text, &cx->slo, err, sizeof err) != 0) {
        if (o->slo) fprintf(stderr, "dbscale: --slo: %s\n", err);
        else fprintf(stderr, "dbscale: %s: slo in [scenario]: %s\n", o->file, err);
        code = o->slo ? EXIT_USAGE : EXIT_DATAERR;
        goto done;
    }
    if (base_init(b, &r, err, sizeof err) != 0) {
        fprintf(stderr, "dbscale: advise: %s: %s\n", o->file, err);
        code = EXIT_DATAERR;
        goto done;
    }
    double cap = o->max_duration > 0 ? o->max_duration : ADV_MAX_DURATION;
    cx->duration = fmin(r.settings.duration, cap);
    if (r.settings.warmup_auto) cx->warmup = 0.1 * cx->duration;
    else if (cx->duration < r.settings.duration) cx->warmup = fmin(r.settings.warmup, 0.25 * cx->duration);
    else cx->warmup = r.settings.warmup;
    cx->reps = o->replications > 0 ? o->replications : ADV_REPLICATIONS;
    char dir[4096];
    dir_of(o->file, dir, sizeof dir);
    const char *base_name = strrchr(o->file, '/') ? strrchr(o->file, '/') + 1 : o->file;
    if (snprintf(cx->cand_name, sizeof cx->cand_name, "%sadvise-candidate.ini", dir) >=
            (int)sizeof cx->cand_name ||
        snprintf(cx->include, sizeof cx->include, "%s", base_name) >= (int)sizeof cx->include) {
        fprintf(stderr, "dbscale: advise: the path '%s' is too long\n", o->file);
        code = EXIT_DATAERR;
        goto done;
    }
    w->cx = cx;
    w->out = out;
    print_header(cx, out);
    code = walk(w, res);
    if (res) res->simulated = w->n;
done:
    free(b);
    free(w);
    free(cx);
    resolved_fini(&r);
    scenario_fini(&sc);
    return code;
}

static const char advise_usage[] =
    "usage: dbscale advise FILE [--slo EXPR] [--set KEY=VALUE]... [-o DIR] [--replications N]\n"
    "                      [--max-duration TIME]\n";

static int advise_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dbscale: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", advise_usage);
    return EXIT_USAGE;
}

int advise_command(int argc, char **argv)
{
    advise_options o = {0};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets) return EXIT_SOFTWARE;
    int code = 0;
    for (int i = 0; i < argc && code == 0; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--slo") == 0) {
            if (!val) code = advise_usage_error("%s needs an objective such as 'p99 < 20ms'", a);
            else o.slo = val, i++;
        } else if (strncmp(a, "--slo=", 6) == 0) {
            o.slo = a + 6;
        } else if (strcmp(a, "--set") == 0) {
            if (!val || !strchr(val, '=')) code = advise_usage_error("--set needs KEY=VALUE, got '%s'", val ? val : "");
            else sets[o.n_sets++] = val, i++;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!val) code = advise_usage_error("%s needs a directory", a);
            else o.out_dir = val, i++;
        } else if (strcmp(a, "--replications") == 0) {
            char *end;
            long v = val ? strtol(val, &end, 10) : 0;
            if (!val || *end || v < 2 || v > 1000)
                code = advise_usage_error("--replications needs a whole number from 2 to 1000, got '%s'",
                                          val ? val : "");
            else o.replications = (int)v, i++;
        } else if (strcmp(a, "--max-duration") == 0) {
            double v;
            if (!val || units_parse(val, UNIT_TIME, &v, NULL, 0) != 0 || !(v > 0))
                code = advise_usage_error("--max-duration needs a time such as 30s, got '%s'",
                                          val ? val : "");
            else o.max_duration = v, i++;
        } else if (a[0] == '-' && a[1]) {
            code = advise_usage_error("unknown option '%s' for 'advise'", a);
        } else if (o.file) {
            code = advise_usage_error("advise takes one scenario file, got a second: '%s'", a);
        } else {
            o.file = a;
        }
    }
    if (code == 0 && !o.file) code = advise_usage_error("%s", "advise needs a scenario file");
    o.sets = sets;
    if (code == 0) code = advise_run(&o, stdout, NULL);
    free(sets);
    return code;
}
