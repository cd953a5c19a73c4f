/* usl_fit.c: Universal Scalability Law by nonlinear least squares (see usl_fit.h). */
#include "cli/usl_fit.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P 3               /* parameters: lambda, sigma, kappa */
#define MAX_ITER 200      /* solver iterations */
#define XTOL 1e-12        /* relative step tolerance */
#define GTOL 1e-12        /* gradient tolerance */

typedef struct usl_data {
    const double *n, *x; /* points */
    size_t count;        /* how many */
} usl_data;

double usl_eval(double lambda, double sigma, double kappa, double n)
{
    double d = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
    return d > 0.0 ? lambda * n / d : NAN;
}

/* Residuals model - data (GSL applies the weights). */
static int usl_f(const gsl_vector *p, void *params, gsl_vector *f)
{
    const usl_data *d = params;
    double l = gsl_vector_get(p, 0), s = gsl_vector_get(p, 1), k = gsl_vector_get(p, 2);
    for (size_t i = 0; i < d->count; i++) {
        double n = d->n[i];
        double den = 1.0 + s * (n - 1.0) + k * n * (n - 1.0);
        gsl_vector_set(f, i, l * n / den - d->x[i]);
    }
    return GSL_SUCCESS;
}

/* Jacobian of the residuals with respect to (lambda, sigma, kappa). */
static int usl_df(const gsl_vector *p, void *params, gsl_matrix *J)
{
    const usl_data *d = params;
    double l = gsl_vector_get(p, 0), s = gsl_vector_get(p, 1), k = gsl_vector_get(p, 2);
    for (size_t i = 0; i < d->count; i++) {
        double n = d->n[i];
        double den = 1.0 + s * (n - 1.0) + k * n * (n - 1.0);
        gsl_matrix_set(J, i, 0, n / den);
        gsl_matrix_set(J, i, 1, -l * n * (n - 1.0) / (den * den));
        gsl_matrix_set(J, i, 2, -l * n * n * (n - 1.0) / (den * den));
    }
    return GSL_SUCCESS;
}

static void set_nan(usl_result *r)
{
    r->lambda = r->lambda_se = r->sigma = r->sigma_se = r->kappa = r->kappa_se = NAN;
    r->peak_n = r->peak_n_se = r->peak_x = r->peak_x_se = NAN;
    r->r2 = r->chi2 = NAN;
}

/* Starting point: weighted linear least squares of N/X on (1, N-1, N(N-1)). Falls back to
 * lambda = the largest X/N, sigma = kappa = 0 when that gives no usable start. */
static void start(const usl_data *d, const double *w, double *p0)
{
    double best = 0.0;
    for (size_t i = 0; i < d->count; i++)
        if (d->x[i] / d->n[i] > best) best = d->x[i] / d->n[i];
    p0[0] = best > 0.0 ? best : 1.0;
    p0[1] = p0[2] = 0.0;

    size_t m = 0;
    for (size_t i = 0; i < d->count; i++) m += d->x[i] > 0.0;
    if (m < P) return;
    gsl_matrix *A = gsl_matrix_alloc(m, P), *cov = gsl_matrix_alloc(P, P);
    gsl_vector *y = gsl_vector_alloc(m), *wy = gsl_vector_alloc(m), *c = gsl_vector_alloc(P);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(m, P);
    if (A && cov && y && wy && c && ws) {
        size_t j = 0;
        for (size_t i = 0; i < d->count; i++) {
            double n = d->n[i], x = d->x[i];
            if (!(x > 0.0)) continue;
            gsl_matrix_set(A, j, 0, 1.0);
            gsl_matrix_set(A, j, 1, n - 1.0);
            gsl_matrix_set(A, j, 2, n * (n - 1.0));
            gsl_vector_set(y, j, n / x);
            /* var(N/X) ~ (N/X^2)^2 var(X) */
            double g = n / (x * x);
            gsl_vector_set(wy, j, w ? w[i] / (g * g) : (x * x / n) * (x * x / n));
            j++;
        }
        double chisq;
        if (gsl_multifit_wlinear(A, wy, y, c, cov, &chisq, ws) == GSL_SUCCESS) {
            double a = gsl_vector_get(c, 0), b = gsl_vector_get(c, 1), k = gsl_vector_get(c, 2);
            if (a > 0.0 && isfinite(a) && isfinite(b) && isfinite(k)) {
                p0[0] = 1.0 / a;
                p0[1] = b / a;
                p0[2] = k / a;
                /* a start with a non-positive denominator somewhere cannot be iterated */
                for (size_t i = 0; i < d->count; i++)
                    if (!(1.0 + p0[1] * (d->n[i] - 1.0) + p0[2] * d->n[i] * (d->n[i] - 1.0) > 0.0)) {
                        p0[0] = best > 0.0 ? best : 1.0;
                        p0[1] = p0[2] = 0.0;
                        break;
                    }
            }
        }
    }
    gsl_multifit_linear_free(ws);
    gsl_vector_free(c);
    gsl_vector_free(wy);
    gsl_vector_free(y);
    gsl_matrix_free(cov);
    gsl_matrix_free(A);
}

/* The peak N* and X(N*) with delta-method standard errors (cov: 3x3, already scaled). */
static void peak(usl_result *r, const gsl_matrix *cov)
{
    double l = r->lambda, s = r->sigma, k = r->kappa;
    if (!(k > 0.0) || !(s < 1.0)) return;
    double n = sqrt((1.0 - s) / k);
    double gn[P] = {0.0, -1.0 / (2.0 * k * n), -n / (2.0 * k)};
    double den = 1.0 + s * (n - 1.0) + k * n * (n - 1.0);
    double gx[P] = {n / den, -l * n * (n - 1.0) / (den * den), -l * n * n * (n - 1.0) / (den * den)};
    double vn = 0.0, vx = 0.0;
    for (size_t i = 0; i < P; i++)
        for (size_t j = 0; j < P; j++) {
            vn += gn[i] * gsl_matrix_get(cov, i, j) * gn[j];
            vx += gx[i] * gsl_matrix_get(cov, i, j) * gx[j];
        }
    r->peak_n = n;
    r->peak_x = l * n / den;
    r->peak_n_se = sqrt(fmax(vn, 0.0));
    r->peak_x_se = sqrt(fmax(vx, 0.0));
}

/* The fit on `count` clean points. 0 or -1 (note set). */
static int solve(const usl_data *d, const double *w, usl_result *out)
{
    const size_t m = d->count;
    double p0[P];
    start(d, w, p0);

    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    fp.scale = gsl_multifit_nlinear_scale_more;
    gsl_multifit_nlinear_workspace *ws = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, m, P);
    gsl_matrix *cov = gsl_matrix_alloc(P, P);
    gsl_vector *wv = w ? gsl_vector_alloc(m) : NULL;
    int rc = -1;
    if (!ws || !cov || (w && !wv)) {
        snprintf(out->note, sizeof out->note, "out of memory");
        goto done;
    }
    gsl_multifit_nlinear_fdf fdf = {.f = usl_f, .df = usl_df, .fvv = NULL, .n = m, .p = P,
                                    .params = (void *)d};
    gsl_vector_view x0 = gsl_vector_view_array(p0, P);
    if (w) {
        for (size_t i = 0; i < m; i++) gsl_vector_set(wv, i, w[i]);
        gsl_multifit_nlinear_winit(&x0.vector, wv, &fdf, ws);
    } else {
        gsl_multifit_nlinear_init(&x0.vector, &fdf, ws);
    }
    int info = 0;
    int status = gsl_multifit_nlinear_driver(MAX_ITER, XTOL, GTOL, 0.0, NULL, NULL, &info, ws);
    const gsl_vector *p = gsl_multifit_nlinear_position(ws);
    double l = gsl_vector_get(p, 0), s = gsl_vector_get(p, 1), k = gsl_vector_get(p, 2);
    /* Before MAX_ITER, "no progress" or a failed search for a better step (GSL_EMAXITER
     * from the trust region's inner loop) means no step lowers the cost any more: at
     * tolerances this tight, the minimum within rounding (exact data start there). */
    int stuck = (status == GSL_ENOPROG || status == GSL_EMAXITER) &&
                gsl_multifit_nlinear_niter(ws) < MAX_ITER;
    if ((status != GSL_SUCCESS && !stuck) || !isfinite(l) || !isfinite(s) || !isfinite(k)) {
        snprintf(out->note, sizeof out->note, "the fit did not converge (%s)", gsl_strerror(status));
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        if (isnan(usl_eval(l, s, k, d->n[i]))) {
            snprintf(out->note, sizeof out->note, "the fit did not converge (the law has a pole "
                                                  "inside the swept range)");
            goto done;
        }
    gsl_vector *res = gsl_multifit_nlinear_residual(ws);
    double chi2;
    gsl_blas_ddot(res, res, &chi2);
    if (gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(ws), 0.0, cov) != GSL_SUCCESS) {
        snprintf(out->note, sizeof out->note, "the fit is degenerate (singular covariance)");
        goto done;
    }
    double dof = (double)(m - P);
    double scale = chi2 / dof;
    if (w && scale < 1.0) scale = 1.0;
    gsl_matrix_scale(cov, scale);

    out->lambda = l;
    out->sigma = s;
    out->kappa = k;
    out->lambda_se = sqrt(fmax(gsl_matrix_get(cov, 0, 0), 0.0));
    out->sigma_se = sqrt(fmax(gsl_matrix_get(cov, 1, 1), 0.0));
    out->kappa_se = sqrt(fmax(gsl_matrix_get(cov, 2, 2), 0.0));
    out->chi2 = chi2;
    double mean = 0.0, ss_tot = 0.0, ss_res = 0.0;
    for (size_t i = 0; i < m; i++) mean += d->x[i];
    mean /= (double)m;
    for (size_t i = 0; i < m; i++) {
        double e = usl_eval(l, s, k, d->n[i]) - d->x[i];
        ss_res += e * e;
        ss_tot += (d->x[i] - mean) * (d->x[i] - mean);
    }
    out->r2 = ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : NAN;
    peak(out, cov);
    out->ok = 1;
    rc = 0;
done:
    gsl_vector_free(wv);
    gsl_matrix_free(cov);
    gsl_multifit_nlinear_free(ws);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int usl_fit(const double *n, const double *x, const double *se, size_t count, usl_result *out)
{
    memset(out, 0, sizeof *out);
    set_nan(out);
    double *cn = malloc((count ? count : 1) * sizeof *cn);
    double *cx = malloc((count ? count : 1) * sizeof *cx);
    double *w = malloc((count ? count : 1) * sizeof *w);
    double *sorted = malloc((count ? count : 1) * sizeof *sorted);
    int rc = -1;
    if (!cn || !cx || !w || !sorted) {
        snprintf(out->note, sizeof out->note, "out of memory");
        goto done;
    }
    size_t m = 0;
    int weighted = se != NULL;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(n[i]) || !(n[i] > 0.0) || !isfinite(x[i])) continue;
        cn[m] = n[i];
        cx[m] = x[i];
        if (weighted && isfinite(se[i]) && se[i] > 0.0) w[m] = 1.0 / (se[i] * se[i]);
        else weighted = 0;
        m++;
    }
    memcpy(sorted, cn, m * sizeof *sorted);
    qsort(sorted, m, sizeof *sorted, cmp_double);
    size_t distinct = m > 0;
    for (size_t i = 1; i < m; i++) distinct += sorted[i] != sorted[i - 1];
    out->n_points = m;
    if (distinct < USL_MIN_POINTS) {
        snprintf(out->note, sizeof out->note, "%zu distinct sweep values with a throughput "
                 "(a fit needs at least %d)", distinct, USL_MIN_POINTS);
        goto done;
    }
    out->dof = m - P;
    out->weighted = weighted;
    usl_data d = {cn, cx, m};
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    rc = solve(&d, weighted ? w : NULL, out);
    gsl_set_error_handler(old);
    if (rc) set_nan(out); /* a partial result is no result */
done:
    free(cn);
    free(cx);
    free(w);
    free(sorted);
    return rc;
}
