/* mser.c: MSER-5 warm-up detection (see mser.h). */
#include "sim/mser.h"

#include <math.h>

/* Batches always kept at the end of the extended search: MSER over fewer is noise. */
#define MSER_MIN_KEEP 5

static double batch_mean(const double *series, size_t j)
{
    const double *p = series + j * MSER_BATCH;
    double s = 0.0;
    for (size_t i = 0; i < MSER_BATCH; i++) s += p[i];
    return s / MSER_BATCH;
}

mser_result mser5(const double *series, size_t n)
{
    mser_result r = {0, 0};
    size_t b = n / MSER_BATCH;
    if (b < 2) return r;

    size_t half = b / 2;
    size_t keep = b / 4 > MSER_MIN_KEEP ? b / 4 : MSER_MIN_KEEP;
    size_t dmax = b > keep ? b - keep : 0;
    if (dmax < half) dmax = half;
    if (dmax > b - 2) dmax = b - 2; /* MSER of a single batch is 0: meaningless */
    if (half > dmax) half = dmax;

    /* One backward pass: Welford over the suffix Z_d..Z_{b-1} gives MSER(d) for every d
     * from b-1 down to 0 in O(1) each; only d <= dmax are candidates. Ties go to the
     * smaller d (less data deleted). */
    double mean = 0.0, m2 = 0.0;
    double best_all = INFINITY, best_half = INFINITY;
    size_t d_all = 0, d_half = 0;
    for (size_t j = b; j-- > 0;) {
        double z = batch_mean(series, j);
        double k = (double)(b - j);
        double delta = z - mean;
        mean += delta / k;
        m2 += delta * (z - mean);
        if (j > dmax) continue;
        double mser = m2 / (k * k);
        if (mser <= best_all) {
            best_all = mser;
            d_all = j;
        }
        if (j <= half && mser <= best_half) {
            best_half = mser;
            d_half = j;
        }
    }
    r.truncate = d_half * MSER_BATCH;
    r.reliable = b >= MSER_MIN_BATCHES && d_all <= half;
    return r;
}
