/* router.h: the shard router (kind `router`): one downstream template cloned per shard,
 * a key -> shard strategy (shard_map.h), scatter-gather reads, two-phase-commit writes,
 * hot-shard and keys-moved reports, and resharding with migration as background load.
 *
 * Shards: `next` names a template station of any kind (node, server, cluster, ...). At
 * init the router clones it `shards` times with station_new(kind, "<router>.shard.<i>",
 * config) (i from 0) and marks the template hidden (left out of the outputs; its init
 * still runs, it gets no traffic). `shard_overrides = 2: primary.cores = 16; 3: replicas
 * = 2` changes keys of single clones: the clone's config is first copied from the
 * template, then each "I: KEY = VALUE" of shard I is applied with opt_find/opt_set and
 * the kind's validate runs, then station_new copies the result (an entry without "I:"
 * continues the previous shard). Keys are checked at init, against the template's kind:
 * an unknown key fails the run naming it. In scenario files write ';' straight after a
 * value: a ';' after a space starts a comment.
 *
 * Regions: shard i sits in the i-th name of `shard_regions`, cycling (the clone's station
 * region; a cluster clone's primary sits there); without it, in the template's region, or
 * under geo in region i mod (regions of the run) when the run has several. The router
 * itself (`deployment`): central = one router in its `region`, every request crosses to it
 * and on to the shard; per-region = a router instance next to the users of every region
 * (as Vitess runs a vtgate per cell): each request is routed from its own region
 * (request.region, the engine's per-request placement), so it pays only user -> shard.
 * The directory station sits in the router's `region`.
 * geo: a request goes to the shard in its region (request.region); several shards in one
 * region split its keys by hash; a request from a region with no shard goes to shard 0
 * (shard_map_place). In a run without regions every request is region 0: shard 0.
 *
 * Requests (each client request is counted once per shard it touches, for the skew):
 *  - A point read or write goes to shard map(key) as it is (the router forwards the
 *    request itself, so LSNs, users and versions flow through unchanged).
 *  - directory: first a lookup: with probability directory_cache_hit the router's cache
 *    knows the block (costs nothing); otherwise a lookup request queues at the directory
 *    station "<router>.directory" (`directory_servers` FCFS servers, `directory_time`;
 *    a `server` station, so its row in stations.csv shows its saturation).
 *  - Scatter-gather: a share `scatter_ratio` of reads, and every scan, become scans sent
 *    to every shard at once (child requests: parent = the client request, parent->pending
 *    = children outstanding). The reply leaves when the slowest child is back plus a draw
 *    of `merge_time`; its status is the worst of the children's (failed > refused > ok).
 *  - Two-phase commit: a share `cross_shard_ratio` of writes touch `tx_shards` shards: the
 *    key's shard plus tx_shards - 1 others drawn uniformly (clamped to the shard count).
 *    Prepare round: a write to each participant, all at once; when all are back, if every
 *    one is ok, the commit round: a second write to each (the commit record), and the
 *    client's reply leaves when all commits are back. A participant that fails or refuses
 *    its prepare (a crashed node replies STATUS_FAILED) aborts the transaction: the client
 *    gets that status ("tx_aborted"), and the participants that did prepare get a rollback
 *    write as background load. Blocked while down: once every participant prepared, the
 *    decision is commit; a commit that fails (the participant crashed after preparing) is
 *    resent every `tx_retry` until it succeeds ("tx_commit_retries"), and the client waits
 *    all that time, as a real 2PC coordinator blocks. Locks are not modelled: concurrent
 *    transactions on the same keys do not wait for each other.
 *
 * Resharding (control op "add-shard", part ""): a new clone "<router>.shard.<N>" is
 * created and started (its init, and the init of every station it creates, run at once);
 * the map changes (hash: N -> N+1; consistent: its vnodes join the ring; range: the shard
 * with the most requests so far is split at the middle of its interval; directory: every
 * (N+1)-th block of each shard moves; geo: not supported). Requests follow the new map at
 * once. The key space is keys 0..K-1 with K = `key_space`, or when 0 the largest key seen
 * so far + 1. "keys_moved_ratio" = share of the key space whose shard changed (exact up to
 * SHARD_MOVED_EXACT keys, else sampled evenly; shard_map_moved), reported as the largest of
 * the run's reshardings, whatever the warm-up; "keys_moved" sums the moved keys.
 * Migration: every moved key is copied, in key order, at `migrate_rate` keys/s (0: no copy
 * load): a background read at its old shard, then a background write at its new shard.
 * They flow through the real shard stations (loading them and counted in their rows) but
 * come back to the router, which absorbs them: they are not client requests and take no
 * part in latency or in the hot-shard counts. At most ROUTER_MIGRATE_WINDOW copies are in
 * flight; a tick that finds the window full copies nothing. A failed copy is counted
 * ("migration_failed") and not retried. Another add-shard during a migration restarts the
 * copy from the new map change (the rest of the earlier copy is dropped: a simplification).
 * Other control actions with part "shard.I[.PART]" are passed to shard I's own control op
 * ("crash", "shard.2" crashes shard 2; "slow", "shard.1.primary" slows its primary).
 *
 * Report: "hot_shard_ratio" (report_max: busiest shard's request count over the mean
 * count since warm-up, over the shards that exist at the end), "keys_moved_ratio",
 * "keys_moved", "scatter_gathers", "tx_committed", "tx_aborted", "tx_commit_retries",
 * "migration_copied", "migration_failed", "migration_done_s.<router>" (when the copy
 * ended), "shards.<router>". Time series: "ts.hot_shard_<router>" (over the interval).
 *
 * Statuses: a child's SIM_STATUS_UNREACHABLE (a partition) counts as the worst outcome of
 * a fan-out (unreachable > failed > refused > ok), and like a failure it aborts a
 * transaction's prepare or makes its commit retry.
 *
 * Request fields: children the router creates carry flags ROUTER_FLAG_CHILD (and
 * ROUTER_FLAG_BACKGROUND for copies and rollbacks), the shard index in the low 16 bits of
 * flags, and the router's id + 1 in the high half of tag; the router relies on downstream
 * stations leaving parent, flags and tag of requests they did not create unchanged. The
 * router's own station statistics cover client requests from arrival to reply.
 */
#ifndef DBSCALE_ROUTER_H
#define DBSCALE_ROUTER_H

#include <stdint.h>

#include "models/routing.h"
#include "models/shard_map.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/station.h"

#define ROUTER_FLAG_CHILD      0x80000000u /* a request the router created */
#define ROUTER_FLAG_BACKGROUND 0x40000000u /* load only: migration copy or rollback */
#define ROUTER_MAX_TX 64                   /* most participants of a transaction */
#define ROUTER_MIGRATE_WINDOW 32           /* most migration copies in flight */
#define ROUTER_OVERRIDES_LEN 1024          /* bytes of shard_overrides text */

/* The `shard_overrides` option: the text as written (checked at parse, applied at init).
 * Owns no memory. */
typedef struct router_overrides {
    char text[ROUTER_OVERRIDES_LEN];   /* "I: KEY = VALUE; ..." or "" */
} router_overrides;

enum router_deployment { ROUTER_CENTRAL, ROUTER_PER_REGION };

typedef struct router_config {
    shard_strategy strategy;   /* key -> shard */
    int64_t shards;            /* shards at the start; 0 = from the strategy (range) or 4 */
    char *next;                /* template station cloned per shard */
    router_overrides overrides; /* per-shard config changes */
    int64_t key_space;         /* keys 0..key_space-1 exist; 0 = largest key seen + 1 */
    dist directory_time;       /* directory: lookup service time */
    int64_t directory_servers; /* directory: lookup servers */
    double directory_cache_hit; /* directory: share of lookups the router's cache answers */
    int64_t directory_block;   /* directory: keys per block */
    double scatter_ratio;      /* share of reads that are scatter-gather */
    dist merge_time;           /* scatter-gather: merge after the slowest child */
    double cross_shard_ratio;  /* share of writes that are 2PC transactions */
    int64_t tx_shards;         /* participants of a transaction */
    double tx_retry;           /* 2PC: interval between commit attempts while one fails (s) */
    double migrate_rate;       /* resharding: keys copied per second (0 = no copy load) */
    char *region;              /* region of the router (central) and its directory */
    region_list shard_regions; /* shard i in name i mod n; empty = see router.h */
    int deployment;            /* enum router_deployment */
} router_config;

typedef struct router_job {
    request *client;           /* the client's request, held by the router */
    int32_t status;            /* worst child status so far */
    uint8_t kind;              /* scatter-gather or transaction */
    uint8_t phase;             /* transaction: prepare or commit */
    uint16_t n_part;           /* transaction: participants */
    uint16_t part[ROUTER_MAX_TX]; /* transaction: participant shards */
    uint8_t prepared[ROUTER_MAX_TX]; /* transaction: prepare ok per participant */
    uint32_t next_free;        /* free list link (index), when free */
} router_job;

typedef struct router {
    station base;              /* must be first */
    const router_config *cfg;  /* = base.config */
    station *tmpl;             /* the template */
    station **shards;          /* clones, by shard index */
    uint32_t n_shards;         /* clones in use */
    station *directory;        /* directory lookup station, or NULL */
    shard_map map;             /* current key -> shard */
    shard_map old_map;         /* map before the last resharding (migration source) */
    int has_old_map;           /* old_map holds a map */
    rng scatter_rng;           /* "<name>/scatter": which reads scatter */
    rng tx_rng;                /* "<name>/tx": which writes are transactions */
    rng part_rng;              /* "<name>/participants": other participants */
    rng dir_rng;               /* "<name>/directory": cache hit or lookup */
    rng merge_rng;             /* "<name>/merge": merge times */
    router_job *jobs;          /* fan-outs in progress, by index */
    uint32_t n_jobs, cap_jobs; /* jobs ever used, allocated */
    uint32_t free_job;         /* head of the free job list, UINT32_MAX when empty */
    uint64_t *count;           /* requests per shard since reset (size cap_shards) */
    uint64_t *interval;        /* requests per shard in the time-series interval */
    uint32_t cap_shards;       /* capacity of shards, count, interval */
    uint64_t max_key;          /* largest key seen */
    int seen_key;              /* a key was seen */
    int resharded;             /* at least one add-shard happened */
    double moved_ratio_max;    /* largest keys_moved_ratio */
    uint64_t keys_moved;       /* keys moved, summed over reshardings */
    int migrating;             /* a copy is in progress */
    uint64_t mig_cursor;       /* next key to look at */
    uint64_t mig_end;          /* key space of the copy */
    uint32_t mig_in_flight;    /* copies outstanding */
    sim_handle mig_event;      /* next copy tick, 0 when none */
    double mig_done_at;        /* when the last copy ended (s), NAN before */
    uint64_t scatters;         /* scatter-gathers completed since reset */
    uint64_t tx_committed;     /* transactions committed since reset */
    uint64_t tx_aborted;       /* transactions aborted since reset */
    uint64_t tx_retries;       /* commit attempts resent since reset */
    uint64_t mig_copied;       /* keys copied since reset */
    uint64_t mig_failed;       /* copies failed since reset */
    uint16_t shard_region[REGION_LIST_MAX]; /* shard_regions resolved */
    uint32_t n_shard_regions;  /* entries in shard_region (0: not set) */
} router;

extern const station_kind router_kind;

/* Shards the router config starts with (shards, or range bounds + 1, or 4). O(1). */
uint32_t router_initial_shards(const router_config *cfg);

/* Client requests routed to shard i since the warm-up reset (each scatter or transaction
 * counts once per shard it touches). O(1). */
uint64_t router_shard_count(const station *router, uint32_t shard);

/* Busiest shard's count over the mean count since reset; NAN without requests. O(shards). */
double router_hot_shard_ratio(const station *router);

/* Adds a shard now (what the control op "add-shard" does). Returns 0, or -1 with a
 * message in err. Cost: the map change (shard_map_add) plus shard_map_moved over the key
 * space, and the new station's init. */
int router_add_shard(station *router, char *err, size_t errlen);

#endif
