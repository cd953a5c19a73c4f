/* report.h: the sink stations write their end-of-run (and per-interval) figures into.
 *
 * Entries are named; the output layer maps names onto the documented CSV columns, so the
 * engine stays ignorant of what they mean. Conventional names used by the models:
 *   counts (summed):   "completed", "failed", "rejected", "stale_reads", "replica_reads",
 *                      "lost_writes", "cache_hits", "cache_misses"
 *   histograms (merged, seconds): "latency", "latency.read", "latency.write",
 *                      "latency.scan", "lag"
 *   values (kept as the maximum): "hot_shard_ratio", "keys_moved_ratio"
 * A name never written reads back as NAN (the column is then empty).
 */
#ifndef DBSCALE_REPORT_H
#define DBSCALE_REPORT_H

#include <stddef.h>

#include "sim/histogram.h"

typedef struct report_value {
    char *name;        /* owned */
    double value;      /* sum or maximum, per how it was written */
} report_value;

typedef struct report_hist {
    char *name;        /* owned */
    hist *h;           /* owned, merged */
} report_hist;

typedef struct report {
    report_value *values;   /* named numbers */
    size_t n_values, cap_values;
    report_hist *hists;     /* named histograms */
    size_t n_hists, cap_hists;
} report;

void report_init(report *r);
void report_fini(report *r);

/* Empties r, keeping its memory. */
void report_clear(report *r);

/* Adds v to the value named `name` (created at 0). Returns 0, or -1 out of memory. O(n). */
int report_add(report *r, const char *name, double v);

/* Keeps the maximum of v and the value named `name` (created at v). Returns 0 or -1. */
int report_max(report *r, const char *name, double v);

/* Merges h into the histogram named `name`. Returns 0 or -1. O(bins). */
int report_hist_merge(report *r, const char *name, const hist *h);

/* The value named `name`, or NAN when never written. O(n). */
double report_get(const report *r, const char *name);

/* The histogram named `name`, or NULL. O(n). */
const hist *report_get_hist(const report *r, const char *name);

#endif
