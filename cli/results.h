/* results.h: what one replication produces, and the results of a whole run (every
 * variant x sweep point x replication), ready for the output writers.
 *
 * A replication's result is self-contained and serialisable, so that `--jobs N` child
 * processes, `--part I/N` slices and MPI ranks can hand results back to the one process
 * that writes the outputs, in a fixed order: outputs are byte-identical however the work
 * was spread. */
#ifndef DBSCALE_RESULTS_H
#define DBSCALE_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/metrics.h"
#include "models/request_codes.h"
#include "sim/histogram.h"

typedef struct station_row {
    char name[64];             /* station name */
    char kind[32];             /* station kind */
    double utilisation;        /* busy servers / servers (NAN when not a server) */
    double mean_queue;         /* mean requests present (waiting + in service) */
    double mean_residence_ms;  /* mean time in the station (ms) */
    double throughput;         /* departures per second */
    double refused;            /* requests refused */
    double offered_load;       /* arrivals / capacity (NAN if unknown) */
    double backlog_growth;     /* requests per second the number present grew over the
                                  measured period (> 0 and offered load >= 1: saturated) */
} station_row;

/* One time-series sample: the value of each series at the end of an interval. */
typedef struct series_set {
    size_t n_series;           /* columns */
    char (*names)[64];         /* column names, e.g. "throughput", "queue_db" */
    size_t n_points;           /* rows */
    double *t;                 /* interval end times (s) */
    double *values;            /* n_points x n_series, row-major */
} series_set;

/* One region's users (the clients stations placed there): per-region latency breakdown. */
typedef struct region_row {
    char name[48];             /* region name */
    double completed, failed;  /* requests of its users in the measured period */
    hist latency;              /* their end-to-end latency, all ops (s) */
    hist read, write;          /* per op */
} region_row;

/* A figure a station reported about itself ("pool_wait_p99_ms.<station>", ...). */
typedef struct station_value {
    char station[64];          /* station name */
    char metric[48];           /* figure name, e.g. "pool_wait_p99_ms" */
    double value;              /* its value in this replication */
} station_value;

typedef struct run_result {
    uint32_t variant, point, replication;  /* which run */
    double metrics[METRIC_COUNT];          /* summary metrics (NAN: not produced) */
    station_row *stations;                 /* one row per station */
    size_t n_stations;
    series_set series;                     /* time series */
    hist latency[OP_COUNT + 1];            /* latency per op; [OP_COUNT] = all ops */
    region_row *regions;                   /* per region of the users (none without [regions]) */
    size_t n_regions;
    station_value *values;                 /* per-station figures (station_metrics.csv) */
    size_t n_values;
    double warmup_used;                    /* warm-up applied (s): fixed or MSER-5 */
    uint64_t events;                       /* events simulated */
    int failed;                            /* the run failed (message in error) */
    char error[256];                       /* why */
} run_result;

/* The replications of one (variant, sweep point). */
typedef struct results_cell {
    uint32_t variant, point;   /* indices */
    run_result *reps;          /* replications, by replication number */
    size_t n_reps;
} results_cell;

/* Everything a run produced, in a fixed order: cells variant-major, then sweep point. */
typedef struct results {
    char *scenario_name;       /* [scenario] name */
    char *scenario_path;       /* the file that was run */
    char *scenario_text;       /* the file's text, for report.md */
    char **variant_names;      /* "base", then the variants */
    size_t n_variants;
    char **axis_keys;          /* swept keys ("app.rate"), empty without a sweep */
    size_t n_axes;
    char **point_values;       /* n_points x n_axes value texts, row-major */
    size_t n_points;           /* sweep points (1 without a sweep) */
    results_cell *cells;       /* n_variants x n_points */
    size_t n_cells;
    char *slo;                 /* SLO text or NULL */
    char **architecture;       /* per variant: text diagram of its stations and links
                                  (describe.h), or NULL (each, or the whole array) */
    char **axis_base;          /* n_variants x n_axes, row-major: each swept key's value
                                  before the sweep, as written (describe.h), or NULL */
    double duration, warmup;   /* settings (s); warmup < 0 means auto (MSER-5) */
    uint64_t seed;             /* master seed */
} results;

/* Empties r: no cells, every pointer NULL, duration and warmup NAN. O(1). */
void results_init(results *r);

/* Frees everything r owns (every pointer in it is owned, from malloc) and leaves it as
 * results_init does. O(cells x replications). */
void results_fini(results *r);

/* Empties r: metrics NAN, no stations or series, empty histograms, warmup_used NAN.
 * O(OP_COUNT x HIST_BINS) (a 235 KB memset). */
void run_result_init(run_result *r);

/* Frees the stations and series of r (the struct itself is the caller's). O(1). */
void run_result_fini(run_result *r);

/* Writes / reads a result in a compact binary form (same machine architecture): a magic
 * and version header, histograms written sparsely (non-zero bins only). Return 0, or -1
 * on an I/O or format error. run_result_read initialises r itself; after -1 (truncated or
 * corrupt input) r is left empty, so run_result_fini is always safe. Cost: O(stations +
 * series values + HIST_BINS). */
int run_result_write(const run_result *r, FILE *f);
int run_result_read(run_result *r, FILE *f);

#endif
