/* dist.h: distributions of durations (service times, think times, network delays),
 * parsed from scenario text and sampled in seconds.
 *
 * Syntax (durations take units, see units.h; spaces after commas are allowed):
 *   const(1ms)                a fixed duration; a bare duration `1ms` means the same
 *   exp(2ms)                  exponential with that mean
 *   uniform(1ms, 3ms)         uniform on [lo, hi], lo <= hi
 *   lognormal(1.2ms, 0.6ms)   lognormal with that mean and standard deviation (of the
 *                             distribution itself, not of its logarithm); sd may be 0
 *   gamma(1ms, 0.5)           gamma with that mean and coefficient of variation cv > 0
 *   weibull(1ms, 1.5)         Weibull with scale (a duration) and shape > 0
 *   pareto(1ms, 2.5)          Pareto with scale = minimum value and alpha > 0 (mean is
 *                             infinite for alpha <= 1, variance for alpha <= 2)
 * Draws are finite doubles except in absurd corners: pareto with alpha below about 0.05
 * or weibull with shape below about 0.005 can overflow to INFINITY on the smallest
 * uniforms (U >= 2^-53 bounds every draw otherwise), and so can any family with a
 * parameter or sampling constant within a few powers of ten of the largest double
 * (above about 1e290 s), or an empirical factor times a sample beyond it. A draw is
 * never NaN nor negative; parameters whose sampling constants would not be finite
 * (gamma with cv beyond about 1e-154..1e154, lognormal with sd/mean above about 1e154)
 * are parse errors.
 *   empirical(file.csv)       samples from a CSV file; empirical(file.csv, 2) multiplies
 *                             every sample by 2. The path is relative to the base
 *                             directory given to dist_parse (usually the scenario's
 *                             folder); quote it ("a,b.csv") if it holds , ( or ).
 *
 * Empirical files: the first column of each row is one sample; other columns are
 * ignored. The first row is skipped as a header when its first field does not start
 * like a number. A value is a duration with a unit (`1.5ms`, `0.002s`) or a bare number,
 * which means MILLISECONDS. Blank lines are skipped. Sampling is by the inverse of the
 * empirical CDF with linear interpolation between the sorted samples (sample i of n sits
 * at quantile i/(n-1)), so the draws range over [min, max] and dist_mean/dist_variance
 * are those of this interpolated distribution, exactly.
 *
 * Ownership: a dist is small and passed by value, except that an empirical dist owns a
 * heap table. Copy it with dist_copy (never by assignment if both copies are kept) and
 * release it with dist_fini. Other kinds own nothing; dist_fini on them is harmless.
 */
#ifndef DBSCALE_DIST_H
#define DBSCALE_DIST_H

#include <stddef.h>

#include "sim/rng.h"

typedef enum {
    DIST_CONST,     /* p1 = value */
    DIST_EXP,       /* p1 = mean */
    DIST_UNIFORM,   /* p1 = lo, p2 = hi */
    DIST_LOGNORMAL, /* p1 = mean, p2 = standard deviation */
    DIST_GAMMA,     /* p1 = mean, p2 = coefficient of variation */
    DIST_WEIBULL,   /* p1 = scale, p2 = shape */
    DIST_PARETO,    /* p1 = scale (minimum), p2 = alpha */
    DIST_EMPIRICAL  /* p1 = factor applied to the table's samples */
} dist_kind;

typedef struct dist_table dist_table; /* sorted samples of an empirical distribution */

typedef struct dist {
    dist_kind kind;    /* family */
    double p1;         /* first parameter as written, seconds for durations (see kind) */
    double p2;         /* second parameter as written; 0 when the family has one */
    double a;          /* first sampling constant derived from p1, p2 (dist.c) */
    double b;          /* second sampling constant derived from p1, p2 (dist.c) */
    dist_table *table; /* empirical only: owned table; NULL for every other kind */
} dist;

/* Parses text into *d (which is overwritten: dist_fini it first if it held a table).
 * base_dir (may be NULL or "") resolves relative empirical paths. Returns 0, or -1
 * with a message in err (d is then a harmless const(0)). Cost: O(strlen(text)), plus
 * O(n log n) reading an empirical file of n samples. */
int dist_parse(const char *text, const char *base_dir, dist *d, char *err, size_t errlen);

/* A const distribution of the given duration in seconds, or an exponential one with the
 * given mean. For built-in defaults. O(1). */
dist dist_make_const(double seconds);
dist dist_make_exp(double mean);

/* One draw in seconds from stream r. O(1) for every kind (empirical included); const
 * draws nothing from r, exp one uniform, the others one or a few. */
double dist_sample(const dist *d, rng *r);

/* Mean and variance in seconds / seconds^2 from closed forms; INFINITY where infinite
 * (pareto with alpha <= 1, respectively <= 2). O(1). */
double dist_mean(const dist *d);
double dist_variance(const dist *d);

/* Writes the canonical text of d (e.g. "lognormal(1.2ms, 0.6ms)"), which dist_parse
 * reads back to the same parameters. Returns the length, or -1 if buf (size n) is too
 * small. O(1). */
int dist_format(const dist *d, char *buf, size_t n);

/* Multiplies every future draw by factor > 0 (slow-down faults use 4 for "4x"); the
 * mean scales by factor and the variance by factor^2. O(1). */
void dist_scale(dist *d, double factor);

/* Makes *dst an independent deep copy of *src (dst is overwritten). Returns 0, or -1 on
 * out of memory (dst is then const(0)). O(n) for an empirical table, else O(1). */
int dist_copy(dist *dst, const dist *src);

/* Releases an empirical table; d becomes const(0). Safe to call twice. O(1). */
void dist_fini(dist *d);

#endif
