/* node.h: one database server (kind `node`): CPU cores, connections, contention, a buffer
 * pool in front of a disk, memory per connection, crash / recover / slow-down.
 *
 * Used on its own (`[db] type = node`, replies to the sender) or embedded by the cluster,
 * which creates nodes with station_new, sends them requests with sim_send and gets the
 * replies through its reply op. The option rows live in NODE_OPTION_ROWS so the cluster
 * reuses them under a prefix ("primary.", "replica.") without a second list of keys.
 *
 * The model, step by step:
 *  - Connections: every request present (waiting for a core, in service, or on the disk)
 *    holds one. With `max_connections` > 0 an arrival that would exceed it is refused at
 *    once (STATUS_REFUSED, counted in stats.refused).
 *  - CPU: `cores` servers, one FCFS queue. A request's CPU time is drawn from `read_time`,
 *    `write_time` or `scan_time` by its op, then multiplied by the contention factor and
 *    the slow-down factor.
 *  - Contention (Universal Scalability Law): with N connections at the moment a request
 *    starts on a core (N counts the request itself), its CPU time is multiplied by
 *    f(N) = 1 + sigma (N - 1) + kappa N (N - 1). Approximation: the factor is fixed when
 *    service starts and not revised while N changes during the service. For a closed
 *    workload of N users without think time and cores >= N this gives throughput
 *    N / (S f(N)), which peaks at N* = sqrt((1 - sigma) / kappa).
 *  - Buffer pool (uniform-access model): a point read finds its page in memory with
 *    probability min(1, memory / working_set), independently of the key (skewed access
 *    would hit more often; put a `cache` in front to model popularity). A miss first uses
 *    the CPU, then releases the core and waits for a disk read: `disk_parallelism` servers,
 *    FCFS, `disk_read_time` each; the connection is held throughout. Writes pay
 *    `write_time` only (the WAL flush is part of it); scans pay `scan_time` only.
 *    Default disk: a local SSD, exp(100us) with 8 reads in parallel; an HDD is about
 *    disk_read_time = exp(5ms), disk_parallelism = 1; cloud block storage about exp(0.5ms).
 *  - Memory per connection (PostgreSQL-like, 10MB): reported as the peak connection count
 *    times memory_per_connection; it is not taken from the buffer pool.
 *  - Table (optional: table_rows > 0 or partition_rows given): one table, partitioned by
 *    `partition_by` (range, list, hash) or not (none); layout, pruning and row counts are
 *    in partitions.h. A scan (OP_SCAN) reads the window [k, k + scan_window) of the key
 *    range from its key k; its CPU time is scan_time plus scan_row_time per row it reads
 *    plus scan_overhead per partition it touches (planning, opening). Without an index on
 *    the partition column (scan_index = false) it reads every row of every partition it
 *    touches; with one, only the rows in the window. So with range partitions a narrow
 *    window costs about (partitions touched / partitions) of a full scan, while hash or
 *    none read the whole table. Per-row and per-partition costs are fixed (a sum over many
 *    rows varies little); scan_time carries the variation. Point reads and writes ignore
 *    the table. Without a table a scan costs scan_time only.
 *  - Maintenance (timeline actions, through control): background work on the cores,
 *    competing with requests. `drop-partition N` (partition N from 1; no number: the
 *    first one left, i.e. the oldest month) costs drop_time on one core (metadata only)
 *    and then the partition and its rows are gone. `delete-rows N` deletes the rows of
 *    slice N (range and list: partition N's values; hash and none: key range N of
 *    `partitions` equal ranges; no number: the first slice with live rows): delete_row_time
 *    per row, then a vacuum of vacuum_row_time per row, each phase split evenly over
 *    `maintenance_workers` workers. The deleted rows turn dead when the delete ends (its
 *    commit) and scans still read them until the vacuum ends. A worker takes a core as
 *    soon as one frees, ahead of waiting requests, and holds it for its share of the work
 *    (times the slow-down; no contention factor); it holds no connection. A crash abandons
 *    maintenance: a delete not finished is rolled back, an unfinished vacuum leaves its dead
 *    rows, an unfinished drop leaves the partition.
 *  - Slow-down multiplies CPU and disk times of services that start after it is set.
 *  - Crash: every request present is replied to with STATUS_FAILED at once; arrivals are
 *    refused with STATUS_FAILED until recover. Recover brings the node back empty.
 *
 * Placement: a stand-alone node sits in its `region`; requests from other regions pay the
 * one-way delay each way (the engine adds it on the hop).
 *
 * Statistics: station_enter / station_leave around the whole stay (so mean present is the
 * mean number of connections), station_busy for the cores, stats.servers = cores;
 * stats.refused counts every arrival turned away (connection limit, or node down);
 * requests failed by a crash leave as departures (their residence ends at the crash).
 * stats.capacity_rate = min(CPU capacity, disk capacity): cores / (mean CPU time of the op
 * mix seen so far) and disk_parallelism / (mean disk time x misses per request), divided
 * by the slow-down; the contention factor is left out (it depends on the load).
 * Maintenance workers count as busy cores (utilisation includes them) but not as present
 * requests. With a table, the scans' mean CPU time in capacity_rate includes the table
 * cost of the scans seen; maintenance is left out of it.
 * Report values: "conn_peak.<name>", "conn_memory_peak_mb.<name>" (MB = 2^20 bytes),
 * "buffer_pool_hit_ratio.<name>" (reads since warm-up; absent without reads),
 * "node.<name>.disk_utilisation"; with a table also "node.<name>.scan_rows_mean" and
 * "node.<name>.scan_partitions_mean" (per scan started since warm-up; absent without
 * scans), "node.<name>.maintenance_cores" (mean cores held by maintenance) and
 * "node.<name>.maintenance_core_seconds" (their busy time since warm-up). Time series
 * "ts.conn_<name>" (connections at the sample) and, with a table, "ts.maint_<name>" (cores
 * held by maintenance at the sample) and "ts.scan_rows_<name>" (mean rows read per scan
 * started in the interval; NAN without scans).
 */
#ifndef DBSCALE_NODE_H
#define DBSCALE_NODE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "models/partitions.h"
#include "models/request_codes.h"
#include "sim/dist.h"
#include "sim/station.h"
#include "sim/tally.h"

typedef struct node_config {
    int64_t cores;               /* CPU servers */
    dist read_time;              /* CPU time of a point read */
    dist write_time;             /* CPU time of a write, WAL flush included */
    dist scan_time;              /* CPU time of a range scan */
    int64_t max_connections;     /* most requests present; 0 = unlimited */
    double usl_sigma;            /* USL contention coefficient */
    double usl_kappa;            /* USL coherency coefficient */
    double memory;               /* buffer pool size (bytes) */
    double working_set;          /* bytes the reads touch, uniformly */
    int64_t disk_parallelism;    /* disk reads served at once */
    dist disk_read_time;         /* one disk read after a buffer-pool miss */
    double memory_per_connection; /* bytes each connection holds */
    part_spec table;             /* the (partitioned) table; partitions.h */
    double scan_window;          /* share of the key range a scan reads, from its key */
    int scan_index;              /* 1: an index on the partition column */
    double scan_row_time;        /* CPU time per row a scan reads (s) */
    double scan_overhead;        /* CPU time per partition a scan touches (s) */
    double drop_time;            /* CPU time of dropping a partition (s) */
    double delete_row_time;      /* CPU time per row deleted (s) */
    double vacuum_row_time;      /* CPU time per dead row vacuumed (s) */
    int64_t maintenance_workers; /* workers (cores) a delete or a vacuum is split over */
} node_config;

/* The node kind's own config: a node_config at offset 0 (NODE_OPTION_ROWS needs a
 * containing struct and a field). */
typedef struct node_config_holder {
    node_config cfg;             /* the node's settings */
    char *region;                /* region of a stand-alone node ([regions]); nodes a
                                    cluster creates get their region from the cluster */
} node_config_holder;

/* The node's option rows, for a node_config stored in STRUCT at FIELD, with every key
 * prefixed by PREFIX (a string literal: "" for the node itself, "primary." in the cluster).
 * Expands to a comma-separated list of opt_def initialisers (no terminating row). */
#define NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, KEY, TYPE, DEF, MIN, MAX, HELP)                  \
    {.name = PREFIX #KEY, .type = (TYPE),                                                        \
     .offset = offsetof(STRUCT, FIELD) + offsetof(node_config, KEY), .def = (DEF),              \
     .min = (MIN), .max = (MAX), .help = (HELP)}
/* Rows for fields below the top level of node_config (MEMBER, e.g. table.partitions). */
#define NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, NAME, MEMBER, TYPE, DEF, MIN, MAX, HELP)         \
    {.name = PREFIX NAME, .type = (TYPE),                                                        \
     .offset = offsetof(STRUCT, FIELD) + offsetof(node_config, MEMBER), .def = (DEF),           \
     .min = (MIN), .max = (MAX), .help = (HELP)}
#define NODE_OPTION_ENUM_(PREFIX, STRUCT, FIELD, NAME, MEMBER, CHOICES, DEF, HELP)               \
    {.name = PREFIX NAME, .type = OPT_ENUM,                                                      \
     .offset = offsetof(STRUCT, FIELD) + offsetof(node_config, MEMBER), .def = (DEF),           \
     .min = 1, .max = 0, .choices = (CHOICES), .help = (HELP)}
#define NODE_OPTION_CUSTOM_(PREFIX, STRUCT, FIELD, NAME, MEMBER, CTYPE, PARSE, FORMAT, DEF, HELP) \
    {.name = PREFIX NAME, .type = OPT_CUSTOM,                                                    \
     .offset = offsetof(STRUCT, FIELD) + offsetof(node_config, MEMBER), .def = (DEF),           \
     .min = 1, .max = 0, .parse = (PARSE), .format = (FORMAT), .size = sizeof(CTYPE),           \
     .help = (HELP)}
#define NODE_OPTION_ROWS(PREFIX, STRUCT, FIELD)                                                  \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, cores, OPT_INT, "8", 1, 1e5,                         \
                     "CPU cores: requests served at once"),                                      \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, read_time, OPT_DIST, "exp(0.5ms)", 0, INFINITY,      \
                     "CPU time of a point read (before contention and slow-down)"),              \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, write_time, OPT_DIST, "exp(1ms)", 0, INFINITY,       \
                     "CPU time of a write, WAL flush included"),                                 \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, scan_time, OPT_DIST, "exp(10ms)", 0, INFINITY,       \
                     "CPU time of a range scan"),                                                \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, max_connections, OPT_INT, "100", 0, 1e9,             \
                     "most requests present (waiting, on a core or on disk); beyond it "         \
                     "arrivals are refused (0 = unlimited; 100 is PostgreSQL's default)"),       \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, usl_sigma, OPT_NUMBER, "0", 0, 1,                    \
                     "USL contention: CPU time x 1 + sigma (N-1) + kappa N (N-1), "              \
                     "N = connections at service start"),                                        \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, usl_kappa, OPT_NUMBER, "0", 0, 1,                    \
                     "USL coherency (crosstalk); throughput peaks at N = sqrt((1-sigma)/kappa)"), \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, memory, OPT_SIZE, "16GB", 0, 1e18,                   \
                     "buffer pool size; a read hits with probability memory / working_set"),    \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, working_set, OPT_SIZE, "8GB", 0, 1e18,               \
                     "data the reads touch, uniformly (0 = everything is in memory)"),           \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, disk_parallelism, OPT_INT, "8", 1, 1e5,              \
                     "disk reads served at once (an HDD is 1)"),                                 \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, disk_read_time, OPT_DIST, "exp(100us)", 0, INFINITY, \
                     "one disk read after a buffer-pool miss (SSD; an HDD is about exp(5ms))"),  \
    NODE_OPTION_ROW_(PREFIX, STRUCT, FIELD, memory_per_connection, OPT_SIZE, "10MB", 0, 1e15,    \
                     "memory each connection holds; the peak total is reported"),                \
    NODE_OPTION_ENUM_(PREFIX, STRUCT, FIELD, "partition_by", table.method, part_method_choices,  \
                      "none", "how the table is partitioned (scans read it; needs table_rows)"), \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "partitions", table.partitions, OPT_INT, "1", 1,      \
                    PART_MAX_PARTITIONS,                                                         \
                    "partitions (none: equal key ranges delete-rows addresses, e.g. 12 months)"), \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "table_rows", table.table_rows, OPT_INT, "0", 0, 1e15, \
                    "rows in the table, split equally over the partitions (0 = no table: a "     \
                    "scan costs scan_time only)"),                                               \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "table_keys", table.table_keys, OPT_INT, "1M", 1,     \
                    PART_MAX_KEYS,                                                               \
                    "values of the partition column; key k sits at (k mod table_keys) / "        \
                    "table_keys of the key (time) range"),                                       \
    NODE_OPTION_CUSTOM_(PREFIX, STRUCT, FIELD, "partition_rows", table.rows, part_rows_list,     \
                        part_rows_parse, part_rows_format, "",                                   \
                        "rows of each partition (none: of each key range), e.g. '1M, 1.2M'; "    \
                        "replaces table_rows; empty = equal sizes"),                             \
    NODE_OPTION_CUSTOM_(PREFIX, STRUCT, FIELD, "partition_list", table.list, part_value_list,    \
                        part_list_parse, part_list_format, "",                                   \
                        "list: values of each partition, e.g. '0-3; 4-7; 8, 9' (';' between "    \
                        "partitions); must cover 0..table_keys-1"),                              \
    NODE_OPTION_CUSTOM_(PREFIX, STRUCT, FIELD, "scan_window", scan_window, double,               \
                        part_window_parse, part_window_format, "1",                              \
                        "share of the key range a scan reads from its key: 1/365 is a day of "   \
                        "a year (range partitions prune to the ones it overlaps)"),              \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "scan_index", scan_index, OPT_BOOL, "false", 1, 0,    \
                    "an index on the partition column: scans read only the rows in the window, " \
                    "not every row of each partition touched"),                                  \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "scan_row_time", scan_row_time, OPT_TIME, "100ns", 0, \
                    1e6, "CPU time per row a scan reads (added to scan_time)"),                  \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "scan_overhead", scan_overhead, OPT_TIME, "20us", 0,  \
                    1e6, "CPU time per partition a scan touches (planning, opening)"),           \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "drop_time", drop_time, OPT_TIME, "5ms", 0, 1e6,      \
                    "CPU time of drop-partition (metadata only), on one core"),                  \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "delete_row_time", delete_row_time, OPT_TIME, "2us",  \
                    0, 1e6, "CPU time per row of delete-rows (before its vacuum)"),              \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "vacuum_row_time", vacuum_row_time, OPT_TIME, "1us",  \
                    0, 1e6, "CPU time per dead row of the vacuum after delete-rows"),            \
    NODE_OPTION_AT_(PREFIX, STRUCT, FIELD, "maintenance_workers", maintenance_workers, OPT_INT,  \
                    "1", 1, 1e5,                                                                 \
                    "cores a delete and its vacuum are split over (each phase's work / workers " \
                    "per core)")

typedef struct node_slot {
    request *r;                  /* request being served, or NULL */
    uint32_t job;                /* 1 + index of the maintenance job served; 0 = none */
    sim_handle done;             /* its completion event */
} node_slot;

enum node_job_kind {
    NODE_JOB_FREE = 0,           /* unused entry */
    NODE_JOB_DROP = 1,           /* drop-partition */
    NODE_JOB_DELETE = 2,         /* delete-rows: the delete phase */
    NODE_JOB_VACUUM = 3,         /* delete-rows: the vacuum phase */
};

typedef struct node_job {
    int kind;                    /* enum node_job_kind */
    uint32_t target;             /* partition (drop) or slice (delete, vacuum), from 0 */
    uint64_t seq;                /* start order: waiting workers get cores in this order */
    double worker_time;          /* CPU time of each worker of this phase (s), before slow-down */
    int64_t waiting;             /* workers waiting for a core */
    int64_t running;             /* workers on a core */
} node_job;

typedef struct node_fifo {
    request *head, *tail;        /* FCFS queue through request.link */
    int64_t n;                   /* requests queued */
} node_fifo;

typedef struct node {
    station base;                /* must be first */
    const node_config *cfg;      /* = base.config */
    rng service_rng;             /* "<name>/service": CPU times */
    rng buffer_rng;              /* "<name>/buffer": buffer-pool hit or miss */
    rng disk_rng;                /* "<name>/disk": disk read times */
    double p_miss;               /* probability that a read misses the buffer pool */
    double cpu_mean[OP_COUNT];   /* mean CPU time per op (s), before contention */
    double disk_mean;            /* mean disk read time (s) */
    double slowdown;             /* factor on CPU and disk times (1 = normal) */
    int up;                      /* 1 serving, 0 crashed */
    int64_t connections;         /* requests present */
    node_slot *cpu;              /* cfg->cores slots */
    node_slot *disk;             /* cfg->disk_parallelism slots */
    uint32_t *cpu_free;          /* stack of free cpu slot indices */
    uint32_t *disk_free;         /* stack of free disk slot indices */
    int64_t cpu_busy;            /* cores busy (also the cpu_free stack's complement) */
    int64_t disk_busy;           /* disk servers busy */
    node_fifo cpu_q;             /* waiting for a core */
    node_fifo disk_q;            /* waiting for the disk */
    timeavg disk_use;            /* disk servers busy over time */
    uint64_t seen[OP_COUNT];     /* arrivals per op in the whole run (capacity estimate) */
    uint64_t hits;               /* reads that hit the buffer pool, since reset */
    uint64_t misses;             /* reads that missed, since reset */
    uint64_t crashes;            /* crashes since reset */
    uint64_t crash_failed;       /* requests present at a crash (failed), since reset */
    uint64_t down_refused;       /* arrivals refused while down, since reset */
    int has_table;               /* a table is configured (cfg->table) */
    part_table table;            /* the table and its maintenance state */
    double scan_cost_sum;        /* table CPU time of the scans that arrived, whole run */
    uint64_t scans;              /* scans started since reset */
    double scan_rows;            /* rows they read */
    double scan_touched;         /* partitions they touched */
    uint64_t iv_scans;           /* scans started since the last time-series sample */
    double iv_rows;              /* rows they read */
    node_job *jobs;              /* maintenance jobs (entries reused once free) */
    uint32_t n_jobs, cap_jobs;   /* entries in use (high-water mark), allocated */
    uint64_t job_seq;            /* jobs started in the run */
    int64_t maint_waiting;       /* maintenance workers waiting for a core */
    int64_t maint_busy;          /* cores held by maintenance */
    timeavg maint_use;           /* cores held by maintenance over time */
} node;

extern const station_kind node_kind;

/* The USL factor f(n) = 1 + sigma (n - 1) + kappa n (n - 1) for n connections (n >= 1).
 * Returns it; O(1). */
double node_usl_factor(const node_config *cfg, double n);

/* Probability that a read misses the buffer pool: max(0, 1 - memory / working_set), 0 when
 * working_set is 0. O(1). */
double node_miss_probability(const node_config *cfg);

/* Multiplies CPU and disk times of services starting from now on by factor > 0 (1 restores
 * normal speed; not cumulative). O(1). */
void node_set_slowdown(station *node, double factor);

/* Crashes the node: every request present is replied to with STATUS_FAILED, now; new
 * arrivals are refused with STATUS_FAILED until node_recover. No effect when already
 * down. Cost: O(cores + disk_parallelism + requests present). */
void node_crash(station *node);

/* Brings a crashed node back, empty. No effect when up. O(1). */
void node_recover(station *node);

/* 1 when the node serves, 0 when crashed. O(1). */
int node_is_up(const station *node);

/* Requests present (connections in use). O(1). */
int64_t node_connections(const station *node);

/* Cross-field checks of a node's settings (the table's: partitions.h part_spec_check);
 * `prefix` ("" or "primary.") goes before key names in the message. The node kind's
 * validate hook; the cluster calls it for each node config. Returns 0, or -1 with a
 * message in err. O(list ranges log ranges). */
int node_config_check(const node_config *cfg, const char *prefix, char *err, size_t errlen);

/* Starts maintenance: "drop-partition" or "delete-rows" on partition / slice `number`
 * (from 1; 0 = the first one left, see above). Returns 0, or -1 with a message in err (no
 * table, no such partition, already dropped or in progress, node down). The same as the
 * control op. Cost: O(jobs + cores), plus O(partitions) for the default number. */
int node_maintenance(station *node, const char *action, double number, char *err,
                     size_t errlen);

#endif
