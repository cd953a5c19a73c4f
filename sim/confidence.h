/* confidence.h: Student-t confidence intervals across independent replications.
 *
 * Each replication yields one value of a metric; their mean is reported with the
 * half-width t_{1-a/2, n-1} * s / sqrt(n). Used for every metric in summary.csv and by
 * `precision = 5%` to decide whether more replications are needed.
 */
#ifndef DBSCALE_CONFIDENCE_H
#define DBSCALE_CONFIDENCE_H

#include <stddef.h>

typedef struct ci {
    double mean;       /* mean of the values present; NAN when none */
    double half_width; /* t * s / sqrt(n); NAN when n < 2 */
    size_t n;          /* values used (NaN inputs skipped) */
} ci;

/* The two-sided Student-t quantile for confidence `level` (e.g. 0.95) and `dof` degrees
 * of freedom: t_{1-(1-level)/2, dof} (gsl_cdf_tdist_Pinv). NAN when level is not in
 * (0, 1) or dof is 0. O(1) (a few GSL special-function evaluations). */
double ci_t_quantile(double level, size_t dof);

/* Mean and half-width of the `level` confidence interval of values[0..n-1]. NaN values
 * are skipped (the metric was absent in that replication). With two or more values
 * present, a finite half-width (0 when all are equal); with one, that value and a NAN
 * half-width; with none, NAN and NAN. The half-width is also NAN for a level outside
 * (0, 1). O(n) (two passes, for accuracy). */
ci ci_of(const double *values, size_t n, double level);

/* 1 when the half-width is within rel times |mean| (relative precision reached), else 0
 * (also 0 when the half-width is NAN). O(1). */
int ci_relative_precision_met(ci c, double rel);

#endif
