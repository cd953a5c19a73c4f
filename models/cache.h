/* cache.h: a key-value cache in front of a database (kind `cache`, Redis/memcached-like),
 * used cache-aside, write-through or write-behind.
 *
 * The model, step by step:
 *  - Contents: at most `capacity` keys, replaced by `policy` (lru.h: exact LRU, FIFO or
 *    random). Each entry holds the VERSION of the value it caches and an expiry time,
 *    install time + `ttl`; `ttl = none` (the default, stored as INFINITY) never expires,
 *    `ttl = 0` keeps nothing (every read misses). An expired entry is dropped when a
 *    lookup finds it (counted "expired"); until then it takes room, as in memcached.
 *  - Timing: the cache's operations are pure delays (the cache never queues): a lookup
 *    that hits takes `hit_time`, one that misses `miss_time`, a set or delete `set_time`.
 *    A lookup sees the contents at its start; a set or delete takes effect at its end,
 *    and the reply leaves then.
 *  - Reads: hit -> reply after hit_time with the cached version (r->version_seen). Miss ->
 *    after miss_time the read goes to `next`; when the reply comes back the cache is
 *    FILLED with the version the database returned (r->version_seen) after set_time, then
 *    the client gets the reply. A miss served by a lagging replica therefore fills a stale
 *    value, which later hits return until the key is written again or leaves the cache.
 *    Several misses of one key in flight all go to the database (no request coalescing:
 *    a cold cache sends the whole miss storm through).
 *  - lease (option, off by default): memcached-style leases. A miss takes a lease at its
 *    lookup; a write of the key through this cache (its invalidation or set) voids the
 *    leases taken at or before it; a fill under a void lease is dropped (counted
 *    "fills_dropped"). Without leases cache-aside has the classic race: a miss reads
 *    version v, a write commits v+1 and deletes the key, then the miss fills v, and the
 *    cache serves v until the next write. With leases a cache whose fills come from the
 *    primary never serves stale data when set_time is 0 (with set_time > 0 a hit between
 *    a commit and its delete is stale: the delete lands set_time after the commit).
 *  - Writes, per `pattern`:
 *      cache-aside    the write goes to the database; when it is acknowledged the key is
 *                     deleted from the cache (after set_time), then the client's reply.
 *      write-through  the same, but the cache is set to the new (committed) version.
 *      write-behind   the cache is set to a new version and the write acknowledged after
 *                     set_time; the write is queued. Every `flush_interval` (timed from
 *                     the end of the previous batch) a batch of up to `flush_batch` queued
 *                     writes is written to the database, oldest first, over
 *                     `flush_connections` connections (one write at a time on each; a
 *                     write leaves the queue when it is sent). A flush write the database
 *                     fails goes back to the head of the queue ("writebehind_retries").
 *                     More than `max_queue` queued writes fail the run with a message
 *                     comparing flush capacity (flush_batch / flush_interval) with the
 *                     write rate. A dirty entry may be evicted before its flush; a read of
 *                     it then fills the database's older version (stale).
 *    A write the database fails (any status but ok) deletes the key, whatever the pattern.
 *    Scans pass through to the database untouched.
 *  - Versions and staleness. Every hit is checked when the read arrives: it is STALE when
 *    the cached version is older than the newest committed version of the key then. The
 *    committed version is cluster_committed_version(next, key) when `next` is a cluster
 *    and the pattern is not write-behind. Otherwise it is the cache's own write sequence:
 *    per key, the writes acknowledged through this cache (cache-aside/write-through: when
 *    the database acknowledged them; write-behind: when the cache acknowledged them, so
 *    the cache holds versions newer than the database and only its own order counts).
 *    A database that reports no versions (a plain node) is taken to return the newest
 *    version it acknowledged. Both rules assume every write of the data passes through
 *    this cache. Counts (report): "cache_hits", "cache_misses", "replica_reads" (+= the
 *    hits checked, so the summary's stale_read_ratio covers cache reads), "stale_reads",
 *    "stale_own_reads" (the newest missed version was the reader's own write),
 *    "stale_versions_sum", "stale_age_ms_sum" (as the cluster's, cluster.h).
 *  - Failures (control op, part ""):
 *      crash    the cache is empty and down: the write-behind queue is LOST ("lost_writes"
 *               += its length, and the keys' committed versions roll back to the newest
 *               flushed ones); fills and sets still in flight are dropped. While down,
 *               `when_down = bypass` sends every request straight to the database (reads
 *               count as misses, no fills; writes are plain database writes whose keys are
 *               deleted if the cache is up when they are acknowledged); `when_down = fail`
 *               fails them.
 *      recover  the cache is back, empty (cold start: the miss storm reaches the
 *               database). Fills of reads that started before it are dropped.
 *      flush    empties the cache (FLUSHALL); the write-behind queue is kept.
 *    A crash while down and a recovery while up do nothing.
 *
 * Statistics: station_enter / station_leave around a request's whole stay (the database
 * included; pooler_frame_enter keeps the arrival time in a frame of the cache's own).
 * The cache has no servers (no utilisation). Report values per cache:
 * "cache_hit_ratio.<name>", "cache_stale_reads.<name>", "cache_keys.<name>" (at the end),
 * "cache_evictions.<name>", "cache_expired.<name>", "cache_fills.<name>",
 * "cache_fills_dropped.<name>", "cache_invalidations.<name>"; write-behind also
 * "writebehind_flushed.<name>", "writebehind_queue_max.<name>", "writebehind_lost.<name>",
 * "writebehind_retries.<name>". Time series: "ts.hit_ratio_<name>" (hits / reads arriving
 * in the interval, reads while down included; empty without reads), "ts.cache_keys_<name>"
 * and, for write-behind, "ts.queue_writebehind_<name>".
 */
#ifndef DBSCALE_CACHE_H
#define DBSCALE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "models/keystate.h"
#include "models/lru.h"
#include "sim/dist.h"
#include "sim/station.h"

enum cache_pattern {
    CACHE_ASIDE = 0,           /* write to the database, then delete the key */
    CACHE_WRITE_THROUGH = 1,   /* write to the database, then set the key */
    CACHE_WRITE_BEHIND = 2,    /* set the key and acknowledge; flush to the database later */
};

enum cache_when_down {
    CACHE_DOWN_BYPASS = 0,     /* requests go straight to the database */
    CACHE_DOWN_FAIL = 1,       /* requests fail */
};

typedef struct cache_config {
    int pattern;               /* enum cache_pattern */
    int64_t capacity;          /* most keys held */
    int policy;                /* enum lru_policy */
    double ttl;                /* seconds an entry lives; INFINITY = none */
    dist hit_time;             /* lookup that hits */
    dist miss_time;            /* lookup that misses */
    dist set_time;             /* set or delete (fills, invalidations, write sets) */
    double flush_interval;     /* write-behind: seconds between flushes */
    int64_t flush_batch;       /* write-behind: most writes per flush */
    int64_t flush_connections; /* write-behind: writes of a batch in flight at a time */
    int64_t max_queue;         /* write-behind: most queued writes before the run fails */
    int lease;                 /* fills guarded by leases */
    int when_down;             /* enum cache_when_down */
    char *next;                /* the database behind the cache */
} cache_config;

typedef struct cache_write {
    uint64_t key;              /* key written */
    uint32_t version;          /* its version in the cache's write sequence */
    uint32_t user;             /* who wrote it */
} cache_write;

typedef struct cache {
    station base;              /* must be first */
    const cache_config *cfg;   /* = base.config */
    station *next;             /* resolved next link */
    int next_is_cluster;       /* next is a cluster: its committed versions are the truth */
    rng hit_rng;               /* "<name>/hit": hit times */
    rng miss_rng;              /* "<name>/miss": miss lookup times */
    rng set_rng;               /* "<name>/set": set/delete times */
    rng evict_rng;             /* "<name>/evict": random replacement */
    lru entries;               /* what the cache holds */
    keystate writes;           /* own write sequence per key (versions, times, writers) */
    keyview db_version;        /* per slot of `writes`: version the database acknowledged */
    cache_write *queue;        /* write-behind queue: a ring buffer */
    size_t q_cap;              /* ring capacity (a power of two, or 0) */
    size_t q_first;            /* ring index of the oldest queued write */
    size_t q_len;              /* queued writes */
    sim_handle flush_event;    /* pending flush, or 0 */
    int64_t flush_sending;     /* writes of the current batch not yet sent */
    int64_t flush_in_flight;   /* flush writes at the database */
    int down;                  /* crashed and not recovered */
    double recovered_at;       /* last recovery (s); -INFINITY before any */
    /* counts since the warm-up reset */
    uint64_t hits;             /* lookups that hit */
    uint64_t misses;           /* reads that did not hit (reads while down included) */
    uint64_t stale_reads;      /* hits older than the committed version */
    uint64_t stale_own_reads;  /* ... whose newest missed version was the reader's */
    uint64_t stale_versions;   /* versions missed, summed over stale hits */
    double stale_age;          /* seconds since the newest missed commit, summed */
    uint64_t expired;          /* entries found expired by a lookup */
    uint64_t fills;            /* fills installed */
    uint64_t fills_dropped;    /* fills dropped (void lease, crash, down) */
    uint64_t invalidations;    /* keys deleted by writes (present or not) */
    uint64_t evictions_base;   /* entries.evictions at the reset */
    uint64_t lost_writes;      /* queued writes lost by crashes */
    uint64_t flushed;          /* flush writes the database acknowledged */
    uint64_t retries;          /* flush writes requeued after a database failure */
    size_t queue_max;          /* longest write-behind queue */
    /* the current time-series interval */
    uint64_t i_hits;           /* hits */
    uint64_t i_reads;          /* reads arrived */
} cache;

extern const station_kind cache_kind;

/* Write-behind writes queued now (not yet sent to the database). O(1). */
size_t cache_queue_length(const station *cache);

/* Keys held now (expired ones not yet dropped included). O(1). */
size_t cache_keys(const station *cache);

#endif
