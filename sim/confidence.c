/* confidence.c: Student-t confidence intervals. */
#include "sim/confidence.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

double ci_t_quantile(double level, size_t dof)
{
    if (!(level > 0.0 && level < 1.0) || dof == 0) return NAN;
    double t = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, (double)dof);
    return isfinite(t) ? t : NAN;
}

ci ci_of(const double *values, size_t n, double level)
{
    ci c = {NAN, NAN, 0};
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(values[i])) continue;
        sum += values[i];
        c.n++;
    }
    if (c.n == 0) return c;
    c.mean = sum / (double)c.n;
    if (c.n < 2) return c;

    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(values[i])) continue;
        double d = values[i] - c.mean;
        ss += d * d;
    }
    double sd = sqrt(ss / (double)(c.n - 1));
    c.half_width = ci_t_quantile(level, c.n - 1) * sd / sqrt((double)c.n);
    return c;
}

int ci_relative_precision_met(ci c, double rel)
{
    return c.half_width <= rel * fabs(c.mean);
}
