/* metrics.c: the summary metrics of one run, computed from its report (see metrics.h). */
#include "cli/metrics.h"

#include <math.h>

static const char *const metric_columns[METRIC_COUNT] = {
#define X(id, col, help) col,
    METRICS_LIST(X)
#undef X
};

static const char *const metric_helps[METRIC_COUNT] = {
#define X(id, col, help) help,
    METRICS_LIST(X)
#undef X
};

const char *metric_column(int id)
{
    return id >= 0 && id < METRIC_COUNT ? metric_columns[id] : NULL;
}

const char *metric_help(int id)
{
    return id >= 0 && id < METRIC_COUNT ? metric_helps[id] : NULL;
}

/* mean, p50, p95, p99, p999 of the histogram `name` in ms into m[first..first+4];
 * NAN when the histogram is absent or empty. */
static void latency_five(const report *r, const char *name, double *m, int first)
{
    static const double q[4] = {0.5, 0.95, 0.99, 0.999};
    const hist *h = report_get_hist(r, name);
    int have = h && h->count > 0;
    m[first] = have ? hist_mean(h) * 1e3 : NAN;
    for (int i = 0; i < 4; i++) m[first + 1 + i] = have ? hist_quantile(h, q[i]) * 1e3 : NAN;
}

/* a / (a + b) style ratio: num / den, where an absent part counts as 0 as long as the
 * other is present; NAN when both are absent or the denominator is 0. */
static double ratio(double num, double den)
{
    if (isnan(num) && isnan(den)) return NAN;
    if (isnan(num)) num = 0.0;
    if (isnan(den) || den == 0.0) return NAN;
    return num / den;
}

/* a + b where an absent part counts as 0; NAN when both are absent. */
static double sum2(double a, double b)
{
    if (isnan(a) && isnan(b)) return NAN;
    return (isnan(a) ? 0.0 : a) + (isnan(b) ? 0.0 : b);
}

void metrics_from_report(const report *r, double seconds, double *m)
{
    for (int i = 0; i < METRIC_COUNT; i++) m[i] = NAN;

    double completed = report_get(r, "completed");
    if (seconds > 0.0) m[METRIC_THROUGHPUT] = completed / seconds;

    latency_five(r, "latency", m, METRIC_LAT_MEAN);
    latency_five(r, "latency.read", m, METRIC_READ_MEAN);
    latency_five(r, "latency.write", m, METRIC_WRITE_MEAN);
    latency_five(r, "latency.scan", m, METRIC_SCAN_MEAN);

    const hist *lag = report_get_hist(r, "lag");
    if (lag && lag->count > 0) {
        m[METRIC_LAG_MEAN] = hist_mean(lag) * 1e3;
        m[METRIC_LAG_P99] = hist_quantile(lag, 0.99) * 1e3;
        m[METRIC_LAG_MAX] = lag->max * 1e3;
    }

    double replica_reads = report_get(r, "replica_reads");
    double stale = report_get(r, "stale_reads");
    m[METRIC_STALE_READ_RATIO] = isnan(replica_reads) ? NAN : ratio(stale, replica_reads);
    double own = report_get(r, "stale_own_reads");
    m[METRIC_STALE_OWN_READ_RATIO] = isnan(replica_reads) || isnan(own) ? NAN : ratio(own, replica_reads);
    /* per stale read: versions behind and age of the newest missed write (NAN without any) */
    double versions = report_get(r, "stale_versions_sum"), age = report_get(r, "stale_age_ms_sum");
    m[METRIC_STALE_VERSIONS_MEAN] = stale > 0 ? versions / stale : NAN;
    m[METRIC_STALE_AGE_MEAN_MS] = stale > 0 ? age / stale : NAN;
    m[METRIC_SEMI_SYNC_FALLBACKS] = report_get(r, "semi_sync_fallbacks");

    m[METRIC_LOST_WRITES] = report_get(r, "lost_writes");

    double hits = report_get(r, "cache_hits"), misses = report_get(r, "cache_misses");
    m[METRIC_CACHE_HIT_RATIO] = ratio(hits, sum2(hits, misses));

    m[METRIC_REJECTED] = sum2(report_get(r, "rejected"), report_get(r, "failed"));
    m[METRIC_HOT_SHARD_RATIO] = report_get(r, "hot_shard_ratio");
    m[METRIC_KEYS_MOVED_RATIO] = report_get(r, "keys_moved_ratio");
}
