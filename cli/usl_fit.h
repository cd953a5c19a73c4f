/* usl_fit.h: the Universal Scalability Law fitted to throughput measured along a sweep.
 *
 *     X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
 *
 * N is the swept key (concurrency: users, pool size, cores; or offered load), X the
 * throughput. lambda is the throughput per unit of N without contention, sigma the
 * contention (serialised share), kappa the coherency cost (crosstalk). Throughput peaks at
 * N* = sqrt((1 - sigma) / kappa) when kappa > 0 and sigma < 1.
 *
 * Method: a linear least-squares start (N / X is linear in 1, N - 1 and N (N - 1) with
 * coefficients 1/lambda, sigma/lambda, kappa/lambda), then GSL's trust-region nonlinear
 * least squares (gsl_multifit_nlinear) on X itself. Weighted by 1/se^2 when every point
 * has a standard error; then the covariance (J^T W J)^-1 is scaled by max(1, chi^2/dof)
 * (the errors are taken as known, but never trusted beyond what the scatter shows);
 * unweighted fits scale it by chi^2/dof. Standard errors of N* and of the peak X(N*) come
 * from the delta method: d(N*) / d(sigma) = -1 / (2 kappa N*) and d(N*) / d(kappa) =
 * -N* / (2 kappa); for the peak, dX/dN = 0 at N*, so its gradient is that of X at the
 * fixed N = N*. */
#ifndef DBSCALE_USL_FIT_H
#define DBSCALE_USL_FIT_H

#include <stddef.h>

#define USL_MIN_POINTS 4  /* distinct N values needed for a fit (3 parameters + 1) */
#define USL_POOR_R2 0.9   /* R^2 below this: the law describes the data poorly */

typedef struct usl_result {
    int ok;                    /* 1: fitted; 0: not (see note) */
    double lambda, lambda_se;  /* throughput per unit of N, and its standard error */
    double sigma, sigma_se;    /* contention */
    double kappa, kappa_se;    /* coherency */
    double peak_n, peak_n_se;  /* N* (NAN when kappa <= 0 or sigma >= 1: no peak) */
    double peak_x, peak_x_se;  /* X(N*) (NAN when no peak) */
    double r2;                 /* 1 - SS_res / SS_tot on the unweighted throughputs */
    double chi2;               /* sum of squared (weighted) residuals */
    size_t n_points;           /* points used */
    size_t dof;                /* n_points - 3 */
    int weighted;              /* 1: weights 1/se^2 were used */
    char note[160];            /* why there is no fit, or "" */
} usl_result;

/* X(n) for the given parameters (NAN when the denominator is not positive). O(1). */
double usl_eval(double lambda, double sigma, double kappa, double n);

/* Fits the law to points (n[i], x[i]), i < count; se[i] (may be NULL) are standard errors
 * of x[i]: weights when all are finite and positive, else the fit is unweighted. Points
 * with a non-finite or non-positive n, or a non-finite x, are skipped. Returns 0 with
 * out->ok = 1, or -1 with out->ok = 0 and a reason in out->note (fewer than
 * USL_MIN_POINTS distinct n, no convergence, out of memory); the numeric fields are then
 * NAN. Cost: O(count) per solver iteration, at most 200 iterations. */
int usl_fit(const double *n, const double *x, const double *se, size_t count, usl_result *out);

#endif
