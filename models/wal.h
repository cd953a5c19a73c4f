/* wal.h: the write-ahead log, its shipping to a replica and the replica's apply queue.
 *
 * wal_log is the primary's WAL: one record per committed write, numbered by LSN from 1.
 * Records are kept in a ring from the oldest one some replica still needs (the cluster
 * trims it) up to the newest, so memory follows the replication backlog, not the run.
 *
 * wal_replica is the receiving side of one replica, registered as a station of its own
 * ("<node>.apply", kind "replica-apply", internal: not in the registry) so that
 * stations.csv shows the apply process with its utilisation and offered load:
 *   - link: records leave the primary in LSN order; with a bandwidth each record occupies
 *     the link for size / bandwidth seconds (serialised), then travels for one draw of the
 *     link delay; a record never overtakes the one before it (arrival = max(own arrival,
 *     previous arrival)), so records arrive in LSN order. At most one arrival event per
 *     link is pending; the arrival times in transit wait in a ring.
 *   - apply: received records queue FIFO for `workers` apply workers, each record taking
 *     one draw of apply_time (times the slow-down factor). Workers may finish out of order,
 *     but a record becomes VISIBLE only when every record before it is applied: the
 *     replica's visible position advances over the contiguous applied prefix (parallel
 *     apply that preserves commit order). A visible record sets the replica's version of
 *     its key (keyview) and its lag (visible time - commit time) enters the "lag"
 *     histogram.
 *   - regions: the link sits between the primary's region (`source`, set by the cluster and
 *     moved by a failover) and the replica's (the station's region, its node's): every
 *     record and every confirmation also travels the one-way delay between the two
 *     (sim_one_way). A network partition between them (sim_reachable false) breaks the
 *     connection: found when the primary next ships or when a record on the wire reaches
 *     the cut, it drops the records on the wire (as a broken TCP stream would; the replica
 *     keeps what it received) and shipping stops. The replica retries every `retry`
 *     seconds (PostgreSQL's wal_retrieve_retry_interval, 5 s by default there); the first
 *     retry after the heal reconnects and the primary resends from received + 1, so the
 *     lag grows through the cut and drains after it.
 * As a station: a record arrives when received and departs when applied (so Little's law
 * holds for the apply queue); servers = workers; capacity = workers / mean apply_time.
 * Report: histogram "lag", values "lag_max_ms.<node>", "lag_mean_ms.<node>",
 * "applied.<node>", and in runs with several regions "wal_disconnects.<node>" (links
 * broken by partitions). Sample: "ts.lag_ms_<node>" = age of the oldest record the replica
 * has not made visible (0 when caught up), while the replica is attached.
 */
#ifndef DBSCALE_WAL_H
#define DBSCALE_WAL_H

#include <stdint.h>

#include "models/keystate.h"
#include "sim/dist.h"
#include "sim/histogram.h"
#include "sim/station.h"

typedef struct wal_record {
    double commit_time;   /* when the write committed on the primary (s) */
    uint32_t slot;        /* key slot (keystate.h) */
    uint32_t version;     /* version of the key this record creates */
    uint32_t user;        /* the writer */
} wal_record;

typedef struct wal_log {
    wal_record *ring;     /* record of LSN x at index x & (cap - 1) */
    size_t cap;           /* ring size, a power of two (0 before the first append) */
    uint64_t first;       /* lowest LSN kept; first > head when none is kept */
    uint64_t head;        /* last LSN written (0: none yet) */
} wal_log;

/* An empty log (head 0). O(1). */
void wal_log_init(wal_log *w);
void wal_log_fini(wal_log *w);

/* Appends a record; returns its LSN (head + 1), or 0 when out of memory. O(1) amortised. */
uint64_t wal_log_append(wal_log *w, const wal_record *rec);

/* The record of lsn, or NULL when it is not kept (trimmed, or above head). O(1). */
static inline const wal_record *wal_log_get(const wal_log *w, uint64_t lsn)
{
    if (lsn < w->first || lsn > w->head) return NULL;
    return &w->ring[lsn & (w->cap - 1)];
}

/* Records kept (head - first + 1, or 0). O(1). */
static inline uint64_t wal_log_kept(const wal_log *w)
{
    return w->head >= w->first ? w->head - w->first + 1 : 0;
}

/* Forgets every record with LSN <= upto. O(1). */
void wal_log_trim(wal_log *w, uint64_t upto);

/* Drops every record above new_head (a failover discards the old primary's tail);
 * the next append gets new_head + 1. O(1). */
void wal_log_truncate(wal_log *w, uint64_t new_head);

/* One replica's link and apply queue. */
typedef struct wal_replica wal_replica;

typedef struct wal_hooks {
    void *ctx;  /* passed back */
    /* A record arrived at the replica (its received position is now lsn). */
    void (*received)(void *ctx, wal_replica *rep, uint64_t lsn);
    /* A record became visible on the replica (its visible position is now lsn). */
    void (*visible)(void *ctx, wal_replica *rep, uint64_t lsn);
} wal_hooks;

typedef struct wal_params {
    const dist *link;         /* one-way delay; must outlive the replica */
    double bandwidth;         /* bytes per second, 0 = unlimited */
    double record_size;       /* bytes per record on the link */
    int64_t workers;          /* apply workers (>= 1) */
    const dist *apply_time;   /* per record; must outlive the replica */
    double retry;             /* seconds between reconnect attempts after a partition */
    uint16_t source;          /* region the WAL is shipped from (the primary's) */
} wal_params;

typedef struct wal_entry {
    double t;                 /* when the record arrived */
    int state;                /* WAL_WAITING, WAL_APPLYING or WAL_APPLIED */
} wal_entry;

typedef struct wal_worker {
    sim_handle done;          /* pending completion event, 0 when idle */
    uint64_t lsn;             /* record being applied */
} wal_worker;

struct wal_replica {
    station base;             /* the apply process as a station (must be first) */
    station *node;            /* the replica's node station (names the replica) */
    const wal_log *log;       /* the primary's WAL */
    wal_params p;             /* link and apply settings */
    wal_hooks hooks;          /* progress callbacks */
    keyview view;             /* versions visible on this replica */
    rng link_rng;             /* "<apply>/link": link delays of records */
    rng ack_rng;              /* "<apply>/ack": link delays of acknowledgements */
    rng apply_rng;            /* "<apply>/apply": apply times */
    double slowdown;          /* factor on apply times (timeline "slow") */
    int up;                   /* the replica is running */
    int feed;                 /* the primary is sending to it */
    int attached;             /* still a replica (0 once promoted or removed) */
    uint64_t sent;            /* last LSN put on the link (fully transmitted) */
    sim_handle tx_event;      /* transmission in progress (bandwidth), or 0 */
    double *transit;          /* arrival times of records (received, sent], FIFO ring */
    size_t transit_cap;       /* ring size (power of two) */
    double last_arrival;      /* latest arrival time scheduled (no overtaking) */
    sim_handle arrive_event;  /* the next arrival, or 0 */
    uint64_t received;        /* last LSN received */
    uint64_t visible;         /* last LSN of the contiguous applied prefix */
    uint64_t cursor;          /* lowest LSN that may still wait for a worker */
    wal_entry *queue;         /* records (visible, received] at index lsn & (cap - 1) */
    size_t queue_cap;         /* ring size (power of two) */
    wal_worker *workers;      /* p.workers entries */
    int64_t busy;             /* workers applying */
    hist lag;                 /* lag of records made visible since reset (s) */
    double down_since;        /* when the replica last crashed (for messages) */
    int linked;               /* connected to the primary (0 after a partition broke it,
                                 until a retry gets through) */
    sim_handle retry_event;   /* pending reconnect attempt, or 0 */
    double cut_since;         /* when a partition last broke the link (for messages) */
    uint64_t disconnects;     /* links broken by partitions since reset */
};

enum { WAL_WAITING = 0, WAL_APPLYING = 1, WAL_APPLIED = 2 };

/* Creates the replica's apply station "<node name>.apply" in s, receiving from `log`
 * with visible = received = sent = `start_lsn` and view `view` (moved in: the caller's
 * keyview is emptied). Returns it, or NULL when out of memory. O(1). */
wal_replica *wal_replica_new(sim *s, station *node, const wal_log *log, const wal_params *p,
                             const wal_hooks *hooks, uint64_t start_lsn, keyview *view);

/* Puts on the link every record of the log not yet sent, when the replica is up and fed.
 * Called after each append. O(records sent), one pending event at most. */
void wal_replica_ship(wal_replica *rep);

/* The primary starts (1) or stops (0) sending. Stopping abandons a record being
 * transmitted; records already on the wire still arrive. O(1). */
void wal_replica_feed(wal_replica *rep, int on);

/* Drops the records on the wire (their arrivals are cancelled): the next record sent is
 * received + 1. Used when the sender changes (failover) or the replica crashes. O(1). */
void wal_replica_cut(wal_replica *rep);

/* The replica crashes: it stops receiving (link cut) and applying (records being applied
 * go back to the queue; received records are kept). O(workers). */
void wal_replica_crash(wal_replica *rep);

/* The replica recovers: applying resumes and the primary resends from received + 1. */
void wal_replica_recover(wal_replica *rep);

/* Restarts the replica at position lsn (received = visible = lsn) with view *view (moved
 * in; the caller's keyview is emptied): records on the wire, queued or being applied are
 * dropped. For a replica holding WAL that a new primary lacks (re-cloned, as pg_rewind or
 * a new base backup would). O(records queued). */
void wal_replica_restart(wal_replica *rep, uint64_t lsn, keyview *view);

/* Apply times are multiplied by factor (> 0; 1 = normal, not cumulative) from now on; the
 * station's capacity follows. O(1). */
void wal_replica_slow(wal_replica *rep, double factor);

/* Current lag: age of the oldest record not yet visible (0 when caught up). O(1). */
double wal_replica_lag(const wal_replica *rep);

/* One draw of the link delay plus the one-way delay between the regions, for an
 * acknowledgement travelling back. O(1). */
double wal_replica_ack_delay(wal_replica *rep);

/* Whether the primary's region and the replica's can talk now (no partition). O(1). */
int wal_replica_reachable(const wal_replica *rep);

/* The WAL now comes from `region` (a failover moved the primary): records and
 * confirmations pay the one-way delay from there, and a link broken by a partition is
 * tried again at once on the next ship. O(1). */
void wal_replica_set_source(wal_replica *rep, uint16_t region);

/* The replica's name (its node's station name). */
static inline const char *wal_replica_name(const wal_replica *rep) { return rep->node->name; }

#endif
