/* cluster.h: a replication group (kind `cluster`): one primary node plus read replicas.
 *
 * The cluster is a station that owns real node stations ("<name>.primary",
 * "<name>.replica.<i>", i from 1) and, per replica, an apply station
 * ("<name>.replica.<i>.apply", wal.h), so stations.csv shows every node and every apply
 * queue. Requests arriving at the cluster are forwarded to a node with sim_send and come
 * back through the cluster's reply op. Nothing about replication is typed in: lag,
 * staleness and loss come out of the simulated WAL traffic.
 *
 * Writes: go to the primary; at the end of the primary's write service the write COMMITS:
 * the key's version is incremented (keystate.h), the write gets the next LSN and a WAL
 * record is shipped to every replica (wal.h: link delay, optional bandwidth, apply queue
 * with apply_workers). The client's reply is sent when the write is acknowledged per
 * `replication` (syncrep.h); a replica confirms a record when it receives it or when it
 * makes it visible (`sync_on`), and the confirmation travels back with another draw of the
 * link delay. r->lsn and r->version_seen of a write reply are its LSN and version.
 *
 * Reads: routed by read_from / balance / consistency (routing.h). Every read served by a
 * replica is checked when it arrives at the cluster: it is STALE when the replica's
 * visible version of the key is older than the committed version. Counts (report):
 * "replica_reads", "primary_reads", "stale_reads", "stale_own_reads" (the newest version
 * the replica missed was written by the reading user), "stale_versions_sum" (versions
 * missed, summed: mean = sum / stale_reads) and "stale_age_ms_sum" (now - commit time of
 * the newest missed write, summed; a lower bound on how old the returned data is when
 * several versions were missed), "replica_read_lag_max_ms" (the largest current lag of a
 * replica at the moment it was given a read: bounded(X) keeps it <= X). r->version_seen
 * of a read reply is the version it observed, r->lsn the LSN it read at.
 *
 * Failures (control op; parts "primary", "replica.N", or "" for the primary):
 *   crash primary   requests at the primary fail; writes waiting for confirmations fail
 *                   (not acknowledged); the WAL stops flowing and what a replica has not
 *                   received yet is gone (the link delay stands for the whole shipping
 *                   path, most of it on the primary: WAL sender wake-up, batching,
 *                   buffers), so async loses the writes of about the last link delay.
 *                   New requests for the primary fail (`outage = fail`,
 *                   counted "outage_failed") or wait in the cluster (`outage = wait`,
 *                   counted "outage_waited") until a primary is back. After
 *                   failover_delay the up replica with the highest received LSN is
 *                   chosen; it first applies everything it received, then becomes the
 *                   primary (a replica no longer: its reads stop, its apply station goes
 *                   quiet). Acknowledged writes above its received LSN are LOST: counted
 *                   "lost_writes", removed from the WAL, and the keys' committed versions
 *                   roll back to what the new primary holds. "failovers" counts promotions.
 *                   The new primary keeps its replica.* node settings; a crashed replica
 *                   holding WAL the new primary lacks is re-cloned at once (as pg_rewind
 *                   or a new base backup would) when the promotion is decided.
 *   recover primary before the promotion: the old primary resumes, nothing lost; after it:
 *                   the old node rejoins as a new replica, cloned from the current state.
 *   crash replica.N the replica's node fails its requests and stops receiving and
 *                   applying WAL (received records are kept); reads avoid it.
 *   recover replica.N it resumes; the primary resends from its received LSN, so its lag
 *                   spikes while it catches up.
 *   add-replica     a new replica "<name>.replica.<next>" starts from the current state
 *                   (simplification: the base backup is instantaneous) and receives new WAL.
 *   slow PART F     node_set_slowdown on the node (replicas: also apply times); part ""
 *                   slows every node.
 * Replicas and apply stations added during the run get no time-series column (the columns
 * are fixed at the first sample).
 *
 * Regions: the cluster's `region` is its primary's (and its own station's); replica i sits in
 * the i-th name of `replica_regions`, cycling (default: the cluster's region; a failed
 * primary that rejoins keeps its node's region). WAL records and confirmations travel
 * replica.link plus the one-way delay between the primary's and the replica's regions, so
 * a far replica lags more and sync writes pay the round trip to it. A partition between
 * the two regions breaks the WAL link (wal.h): shipping stops, the lag grows, and the
 * first reconnect attempt after the heal (every replica.reconnect) resends what the
 * replica misses; sync writes wait through the cut, semi-sync falls back after its
 * timeout. A failover moves the primary's region with it.
 * How requests reach the nodes (`access`):
 *   direct  the application talks to the nodes itself (a driver next to the users, as
 *           PostgreSQL's libpq with several hosts or a MySQL connector): the cluster's
 *           station routes each request from its user's region (request.region; the
 *           engine's per-request placement), so a read pays exactly the one-way delay
 *           between the user's region and the node serving it, each way, plus its service;
 *           a write pays the round trip to the primary's region. In a run with several
 *           regions writes pass through "<name>.commit", a station in the primary's region
 *           that holds each write from its arrival there through commit and confirmations:
 *           the commit happens where the primary is, and the acknowledgement then travels
 *           back. Whatever sends to the cluster must sit in its users' region or route per
 *           request (clients; a router with deployment = per-region): a station placed in
 *           another region would be crossed twice, so that fails the run with a message.
 *   proxy   through a proxy in the cluster's region (ProxySQL, Pgpool, HAProxy next to the
 *           primary): requests pay sender -> cluster region, then cluster -> node.
 * Partitions and requests: a read goes only to nodes reachable from where it is routed
 * (the user's region under direct, the cluster's under proxy): a replica across a cut is
 * skipped (re-routed to another eligible replica, or the primary); when the chosen node is
 * still across a cut (the primary), the read fails at once with SIM_STATUS_UNREACHABLE.
 * A write from a region cut off from the primary's fails the same way; a write whose
 * acknowledgement meets a cut was committed but its client sees the failure. Counted
 * (runs with several regions): "local_reads.<name>" (reads routed to a node in the user's
 * region), "partition_failed.<name>" (requests that came back unreachable).
 *
 * Saturation: when the WAL some replica still needs exceeds max_wal_backlog records, the
 * run fails with a message naming the replica and comparing its apply (or link) capacity
 * with the write rate, instead of exhausting memory (24 bytes per record kept, plus 16 per
 * record waiting at each replica).
 */
#ifndef DBSCALE_CLUSTER_H
#define DBSCALE_CLUSTER_H

#include <stdint.h>

#include "models/keystate.h"
#include "models/node.h"
#include "models/routing.h"
#include "models/syncrep.h"
#include "models/wal.h"
#include "sim/station.h"

enum cluster_sync_on { SYNC_ON_RECEIVE, SYNC_ON_APPLY };
enum cluster_outage { OUTAGE_FAIL, OUTAGE_WAIT };
enum cluster_access { ACCESS_DIRECT, ACCESS_PROXY };

typedef struct cluster_config {
    int64_t replicas;          /* read replicas at the start */
    repl_mode replication;     /* async | semi-sync(K, TIMEOUT) | sync */
    int sync_on;               /* enum cluster_sync_on: what a replica confirms */
    int read_from;             /* enum routing_from */
    int balance;               /* enum routing_balance */
    consistency consistency;   /* read consistency policy */
    int outage;                /* enum cluster_outage: requests for a crashed primary */
    double failover_delay;     /* crash to promotion decision (s) */
    double wal_record_size;    /* bytes per WAL record on the link */
    int64_t max_wal_backlog;   /* most WAL records kept before the run fails */
    dist link;                 /* replica.link: one-way primary <-> replica delay */
    double link_bandwidth;     /* replica.link_bandwidth: bytes/s, 0 = unlimited */
    int64_t apply_workers;     /* replica.apply_workers */
    dist apply_time;           /* replica.apply_time: per WAL record */
    node_config primary;       /* primary.*: the primary node */
    node_config replica;       /* replica.*: each replica node */
    char *region;              /* the primary's region ([regions]); "" = the first */
    region_list replica_regions; /* replica i in name i mod n; empty = the cluster's region */
    int access;                /* enum cluster_access: how requests reach the nodes */
    double reconnect;          /* replica.reconnect: retry interval after a partition (s) */
} cluster_config;

typedef struct cluster_replica {
    struct cluster *owner;     /* the cluster */
    station *node;             /* the node serving this replica's reads */
    wal_replica *wal;          /* its link, apply queue and visible versions */
    uint64_t acked;            /* highest LSN it has confirmed to the primary */
    int in_sync;               /* counts for sync replication (up and caught up) */
    int number;                /* N in "replica.N" */
} cluster_replica;

typedef struct cluster {
    station base;              /* must be first */
    const cluster_config *cfg; /* = base.config */
    station *primary;          /* the current primary node */
    station *old_primary;      /* a crashed primary replaced by failover, or NULL */
    cluster_replica **reps;    /* every replica ever attached (detached ones stay) */
    size_t n_reps, cap_reps;   /* entries, allocated */
    int next_number;           /* number of the next replica added */
    wal_log wal;               /* the primary's WAL */
    keystate keys;             /* committed versions per key */
    routing routing;           /* read routing and per-user consistency state */
    syncrep sync;              /* writes waiting for confirmations */
    routing_target *targets;   /* scratch: primary + attached replicas */
    cluster_replica **order;   /* scratch: the replica behind targets[i] */
    uint64_t *ack_scratch;     /* scratch: positions for syncrep_position */
    int *count_scratch;        /* scratch: which positions count */
    size_t cap_scratch;        /* entries allocated in the scratch arrays */
    rng balance_rng;           /* "<name>/balance": balance = random */
    uint32_t term;             /* promotions so far; stale confirmations are ignored */
    int primary_down;          /* between a primary crash and promotion / recovery */
    int decided;               /* a promotion has been decided since the crash */
    int rejoin_old;            /* the old primary recovered during the promotion */
    sim_handle failover_event; /* pending promotion decision, or 0 */
    sim_handle timeout_event;  /* pending semi-sync timeout, or 0 */
    cluster_replica *promoting; /* chosen replica applying its backlog, or NULL */
    sim_handle promote_event;  /* pending promotion (backlog applied), or 0 */
    int initialised;           /* init has run: nodes added later are initialised here */
    uint64_t *unacked;         /* LSNs of writes failed unacknowledged at the crash */
    size_t n_unacked, cap_unacked;
    request *wait_head, *wait_tail; /* outage = wait: requests held for the primary */
    /* counts since the warm-up reset */
    uint64_t replica_reads;    /* reads served by replicas */
    uint64_t primary_reads;    /* reads served by the primary */
    uint64_t stale_reads;      /* replica reads that missed the committed version */
    uint64_t stale_own_reads;  /* ... whose newest missed version was the user's own */
    uint64_t stale_versions;   /* versions missed, summed over stale reads */
    double stale_age;          /* seconds since the newest missed commit, summed */
    double read_lag_max;       /* largest lag of a replica when it was given a read (s) */
    uint64_t commits;          /* writes committed */
    uint64_t lost_writes;      /* acknowledged writes lost by failovers */
    uint64_t fallbacks;        /* semi-sync fallbacks to async */
    uint64_t failovers;        /* promotions completed */
    uint64_t outage_failed;    /* requests failed because the primary was down */
    uint64_t outage_waited;    /* requests held until the primary was back */
    uint64_t local_reads;      /* reads served by a node in the user's region */
    uint64_t partition_failed; /* requests that came back unreachable (partitions) */
    station *commit;           /* "<name>.commit" (access = direct, several regions), or NULL */
    uint16_t rep_region[REGION_LIST_MAX]; /* replica_regions resolved */
    uint32_t n_rep_regions;    /* entries in rep_region (0: the cluster's region) */
} cluster;

extern const station_kind cluster_kind;

/* The committed version of key in cluster st (0 when never written): what a read at the
 * primary returns now. For other stations (caches) checking staleness. O(1) expected. */
uint32_t cluster_committed_version(const station *st, uint64_t key);

/* The attached replica numbered n ("replica.n"), or NULL. O(replicas). */
cluster_replica *cluster_replica_by_number(const cluster *c, int n);

#endif
