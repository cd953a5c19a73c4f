/* capacity.h: capacity planning from a sweep (capacity.csv and the "Capacity" section of
 * report.md): per variant, the largest load that meets the SLO with its confidence
 * interval, the first station to saturate, the knee, the headroom at the current load, and
 * a Universal Scalability Law fit of throughput against the swept key (usl_fit.h).
 *
 * The load axis is the first swept key whose values are all rates (app.rate = 1k/s..),
 * else the first whose values are all numbers (with units: a population, a pool size); a
 * line is one variant (and one value of every other swept key) along it, its points
 * sorted by rising load. Points whose metric has no value are left out of that metric's analysis.
 *
 * Largest load meeting the SLO. Each condition's metric is a piecewise-linear curve over
 * the line's points: its mean, and the two bounds of its 95% CI. The mean crosses the
 * target after the last point where it meets it, by linear interpolation between that
 * point and the next (which misses it); the CI of that crossing is where the pessimistic
 * bound (the upper one for `<`, the lower one for `>`) and the optimistic bound cross the
 * target, found the same way. The curves lie inside one another, so low <= max_load <=
 * high. With several conditions, each of the three is the lowest over the conditions
 * (the binding condition sets max_load; this presumes conditions are lost, not gained,
 * as the load rises). A curve that meets the target at the highest point has no crossing
 * in the range: the highest swept load is then a lower bound ("above_range"); one that
 * meets it nowhere gives no max_load ("not_met"). One replication: no CI (bounds NAN).
 * The last sweep point whose verdict is pass (slo.h: the whole CI on the right side) is
 * reported too: it is the knee.
 *
 * First to saturate: walking up the load, the first point where some station is flagged
 * saturated (aggregate.h: offered load >= 1 and a growing backlog) or has a mean
 * utilisation of CAPACITY_UTIL_LIMIT or more; the flagged one wins, then the busiest.
 *
 * Headroom: max_load / current - 1, where current is the swept key's value in the
 * scenario before the sweep (results.axis_base). */
#ifndef DBSCALE_CAPACITY_H
#define DBSCALE_CAPACITY_H

#include <stddef.h>
#include <stdio.h>

#include "cli/results.h"
#include "cli/slo.h"
#include "cli/usl_fit.h"
#include "sim/confidence.h"
#include "sim/units.h"

#define CAPACITY_UTIL_LIMIT 0.9 /* utilisation counted as the start of saturation */

typedef enum capacity_bound {
    CAPACITY_NO_SLO,       /* no objective, or it does not parse */
    CAPACITY_INTERPOLATED, /* the mean crosses the target inside the swept range */
    CAPACITY_ABOVE_RANGE,  /* the mean meets it at the highest point: max_load = that load */
    CAPACITY_NOT_MET,      /* the mean meets it at no point: no max_load */
    CAPACITY_NO_DATA       /* a condition's metric was not produced */
} capacity_bound;

typedef struct capacity_line {
    size_t variant;            /* variant index */
    size_t *points;            /* sweep points of the line, by rising load (malloc'd) */
    double *load;              /* load axis value at each (the axis's base unit) */
    size_t n;                  /* points */
    slo_verdict *verdict;      /* per point: all conditions together (NO_DATA: no SLO) */
    long last_pass;            /* index of the last point whose verdict is pass; -1 */
    capacity_bound bound;      /* how max_load was found */
    double max_load;           /* largest load meeting the SLO (NAN: none) */
    double max_load_lo;        /* its 95% CI (NAN: the bound meets the target nowhere, or
                                  no CI) */
    double max_load_hi;        /* (NAN: the bound meets it at the highest point, or no CI) */
    int binding;               /* condition that sets max_load (-1: none) */
    long knee;                 /* index of the knee: last_pass with an SLO, else the point
                                  before the first saturation (the last if none); -1 */
    char first_saturated[64];  /* first station to saturate ("" when none does) */
    double saturates_at;       /* load where it does (NAN) */
    int saturated_flagged;     /* 1: flagged saturated; 0: utilisation >= the limit */
    double current;            /* swept key's value before the sweep (NAN: unknown) */
    double headroom;           /* max_load / current - 1 (NAN) */
    int usl_tried;             /* the axis is a count or a rate: a fit was attempted */
    usl_result usl;            /* the fit (usl.ok) */
} capacity_line;

typedef struct capacity {
    long axis;                 /* load axis (index of a swept key), -1: none */
    unit_kind kind;            /* its unit kind */
    int have_slo;              /* the objective parsed */
    slo objective;             /* it */
    char slo_error[256];       /* why it did not parse ("" when it did or is absent) */
    capacity_line *lines;      /* one per variant x values of the other swept keys */
    size_t n_lines;
} capacity;

/* Analyses res into *out (release with capacity_fini, also after -1). Returns 0, or -1
 * out of memory. Without a numeric swept key, out->axis is -1 and there are no lines.
 * Cost: O(cells x (replications x (conditions + stations^2) + HIST_BINS)) plus the fits. */
int capacity_analyse(const results *res, capacity *out);

/* Frees what c holds. O(lines). */
void capacity_fini(capacity *c);

/* The crossing of condition c along points load[0..n) (rising) with the metric's mean and
 * CI v[] (points with a NAN mean left out): out[0] the mean's crossing, out[1] and out[2]
 * the CI's low and high ends (see above). -INFINITY: the curve meets the target nowhere;
 * +INFINITY: it meets it at the highest point; NAN: no CI (a half-width is missing), or
 * no point at all (then out[0] too). O(n). */
void capacity_crossing(const double *load, const ci *v, size_t n, const slo_clause *c,
                       double out[3]);

/* "interpolated", "above_range", "not_met", "no_slo", "no_data". O(1). */
const char *capacity_bound_name(capacity_bound b);

/* Writes capacity.csv (columns in docs/outputs.md), always with its header. Returns 0, or
 * -1 when out of memory or f reports a write error. Cost: capacity_analyse. */
int capacity_write_csv(const results *res, FILE *f);

#endif
