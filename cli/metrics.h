/* metrics.h: the summary metrics and their CSV column names: a contract with users'
 * scripts (documented in docs/outputs.md). One X-macro list drives the columns of
 * summary.csv and replications.csv, their order, and the docs.
 * Times are in milliseconds; ratios are fractions in [0, 1]; throughput is per second.
 * A metric the scenario's stations cannot produce is NAN, written as an empty field. */
#ifndef DBSCALE_METRICS_H
#define DBSCALE_METRICS_H

#include "sim/report.h"

#define METRICS_LIST(X)                                                                   \
    X(THROUGHPUT, "throughput", "completed requests per second (measured period)")        \
    X(LAT_MEAN, "latency_mean_ms", "mean end-to-end latency, all operations (ms)")        \
    X(LAT_P50, "latency_p50_ms", "median latency (ms)")                                   \
    X(LAT_P95, "latency_p95_ms", "95th percentile latency (ms)")                          \
    X(LAT_P99, "latency_p99_ms", "99th percentile latency (ms)")                          \
    X(LAT_P999, "latency_p999_ms", "99.9th percentile latency (ms)")                      \
    X(READ_MEAN, "read_latency_mean_ms", "mean read latency (ms)")                        \
    X(READ_P50, "read_latency_p50_ms", "median read latency (ms)")                        \
    X(READ_P95, "read_latency_p95_ms", "95th percentile read latency (ms)")               \
    X(READ_P99, "read_latency_p99_ms", "99th percentile read latency (ms)")               \
    X(READ_P999, "read_latency_p999_ms", "99.9th percentile read latency (ms)")           \
    X(WRITE_MEAN, "write_latency_mean_ms", "mean write latency (ms)")                     \
    X(WRITE_P50, "write_latency_p50_ms", "median write latency (ms)")                     \
    X(WRITE_P95, "write_latency_p95_ms", "95th percentile write latency (ms)")            \
    X(WRITE_P99, "write_latency_p99_ms", "99th percentile write latency (ms)")            \
    X(WRITE_P999, "write_latency_p999_ms", "99.9th percentile write latency (ms)")        \
    X(SCAN_MEAN, "scan_latency_mean_ms", "mean scan latency (ms)")                        \
    X(SCAN_P50, "scan_latency_p50_ms", "median scan latency (ms)")                        \
    X(SCAN_P95, "scan_latency_p95_ms", "95th percentile scan latency (ms)")               \
    X(SCAN_P99, "scan_latency_p99_ms", "99th percentile scan latency (ms)")               \
    X(SCAN_P999, "scan_latency_p999_ms", "99.9th percentile scan latency (ms)")           \
    X(LAG_MEAN, "lag_mean_ms", "mean replication lag per applied WAL record (ms)")        \
    X(LAG_P99, "lag_p99_ms", "99th percentile replication lag (ms)")                      \
    X(LAG_MAX, "lag_max_ms", "largest replication lag (ms)")                              \
    X(STALE_READ_RATIO, "stale_read_ratio", "share of replica/cache reads that were stale") \
    X(STALE_OWN_READ_RATIO, "stale_own_read_ratio",                                        \
      "share of replica/cache reads that missed the reader's own newest write")           \
    X(STALE_VERSIONS_MEAN, "stale_versions_mean",                                         \
      "versions a stale read was behind, on average")                                      \
    X(STALE_AGE_MEAN_MS, "stale_age_mean_ms",                                             \
      "age of the newest missed write at a stale read, on average (ms)")                  \
    X(LOST_WRITES, "lost_writes", "acknowledged writes lost (failover, cache crash)")     \
    X(CACHE_HIT_RATIO, "cache_hit_ratio", "share of cache lookups that hit")              \
    X(SEMI_SYNC_FALLBACKS, "semi_sync_fallbacks", "times semi-sync fell back to async")   \
    X(REJECTED, "rejected", "requests refused or failed (count, measured period)")        \
    X(HOT_SHARD_RATIO, "hot_shard_ratio", "busiest shard's load over the mean shard load") \
    X(KEYS_MOVED_RATIO, "keys_moved_ratio", "share of keys moved by resharding")

enum metric_id {
#define X(id, col, help) METRIC_##id,
    METRICS_LIST(X)
#undef X
    METRIC_COUNT
};

/* Column name and one-line help of a metric. */
const char *metric_column(int id);
const char *metric_help(int id);

/* Fills m[METRIC_COUNT] from a run's report over a measured period of `seconds`. */
void metrics_from_report(const report *r, double seconds, double *m);

#endif
