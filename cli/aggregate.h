/* aggregate.h: a run's figures across replications, as the output writers need them:
 * mean and 95% Student-t CI of each metric, per station and per time-series interval;
 * latency histograms merged over replications; swept-key values as numbers.
 *
 * Failed replications (run_result.failed) are left out of every figure. The CSV writers,
 * report.md and the plot scripts all go through here, so they always agree. */
#ifndef DBSCALE_AGGREGATE_H
#define DBSCALE_AGGREGATE_H

#include <stddef.h>

#include "cli/results.h"
#include "sim/confidence.h"
#include "sim/units.h"

#define AGG_LEVEL 0.95 /* confidence level of every reported interval */

/* Per-station figures, in the column order of stations.csv. */
enum agg_station_field {
    AGG_UTILISATION,   /* station_row.utilisation */
    AGG_MEAN_QUEUE,    /* station_row.mean_queue */
    AGG_RESIDENCE_MS,  /* station_row.mean_residence_ms */
    AGG_THROUGHPUT,    /* station_row.throughput */
    AGG_REFUSED,       /* station_row.refused */
    AGG_OFFERED_LOAD,  /* station_row.offered_load */
    AGG_BACKLOG_GROWTH, /* station_row.backlog_growth */
    AGG_STATION_FIELDS /* number of fields */
};

typedef struct agg_station {
    const char *name;              /* station name (points into the first replication) */
    const char *kind;              /* station kind (idem) */
    ci v[AGG_STATION_FIELDS];      /* mean and CI of each field across replications */
    int saturated;                 /* in some replication: offered load >= 1 and the number
                                      present grew by over 1% of the throughput per second */
} agg_station;

/* Column name of a station field ("utilisation", ...). NULL when out of range. O(1). */
const char *agg_station_column(int field);

/* The cell of (variant, point), or NULL. O(cells). */
const results_cell *agg_cell(const results *res, size_t variant, size_t point);

/* Replications of the cell that did not fail. O(replications). */
size_t agg_reps(const results_cell *c);

/* Mean and AGG_LEVEL CI of metric `id` over the cell's replications (NaN values skipped;
 * half-width NAN with fewer than two values). O(replications). */
ci agg_metric(const results_cell *c, int id);

/* The stations of the cell, in the order of its first replication, each matched by name
 * in the other replications (a station missing there does not count). Returns 0 with a
 * malloc'd array in *out (free it; NULL when there are none), or -1 out of memory.
 * O(stations^2 x replications). */
int agg_stations(const results_cell *c, agg_station **out, size_t *n);

/* Merges latency histogram `op` (0..OP_COUNT; OP_COUNT = all operations) of the cell's
 * replications into *out (initialised here). O(replications x HIST_BINS). */
void agg_latency(const results_cell *c, int op, hist *out);

/* Name of a latency histogram index: "read", "write", "scan", or "all" for OP_COUNT. */
const char *agg_op_name(int op);

/* The union of the time-series names over every cell and replication, in first-seen
 * order. Returns 0 with a malloc'd array in *names (free it; NULL when empty), or -1 out
 * of memory. O(total series x distinct names). */
int agg_series_names(const results *res, char (**names)[64], size_t *n);

/* Time-series intervals of the cell: the most any replication has. O(replications). */
size_t agg_series_rows(const results_cell *c);

/* End time (s) of interval i: that of the first replication that has it. NAN if none. */
double agg_series_time(const results_cell *c, size_t i);

/* Mean over the cell's replications of series `name` at interval i (NaN values and
 * replications without it skipped); NAN when no replication has a value. O(reps x series). */
double agg_series_value(const results_cell *c, size_t i, const char *name);

/* The unit kind shared by every value of sweep axis `axis` (tried in the order time,
 * rate, size, number, ratio), written to *kind. Returns 1 when every value parses as a
 * number of that kind, 0 when the axis is text (e.g. "async, sync"). O(points). */
int agg_axis_numeric(const results *res, size_t axis, unit_kind *kind);

/* Value of axis `axis` at sweep point `point` in the axis's base unit (seconds, per
 * second, bytes, items, fraction), or NAN when the axis is text. O(points). */
double agg_axis_value(const results *res, size_t point, size_t axis);

/* The text of axis `axis` at point `point`, as written in the scenario. O(1). */
const char *agg_axis_text(const results *res, size_t point, size_t axis);

#endif
