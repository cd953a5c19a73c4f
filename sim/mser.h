/* mser.h: warm-up detection by MSER-5 (White 1997; Franklin & White 2008).
 *
 * Given a series of observations in time order (e.g. per-interval mean response times),
 * the observations are grouped into consecutive batches of 5 (a trailing partial batch is
 * left out) with means Z_1..Z_b. Deleting the first d batches leaves k = b - d of them,
 * with mean Zbar(d); the marginal standard error is
 *
 *     MSER(d) = sum_{j > d} (Z_j - Zbar(d))^2 / k^2
 *
 * which falls while deleting removes biased early batches and rises once only
 * stationary batches are being thrown away. The truncation point is the d that minimises
 * it over the first half of the batches (d <= b/2); `warmup = auto` deletes 5*d raw
 * observations.
 *
 * The search also runs on past the half (up to three quarters of the batches, always
 * keeping at least 5 at the end, since MSER of the last few batches is noise): when the
 * overall minimum lies beyond the half, the series is still drifting there and the run is
 * too short to judge; `reliable` is then 0. It is also 0 with fewer than 10 batches
 * (50 observations).
 */
#ifndef DBSCALE_MSER_H
#define DBSCALE_MSER_H

#include <stddef.h>

#define MSER_BATCH 5        /* observations per batch */
#define MSER_MIN_BATCHES 10 /* fewer batches: never reliable */

typedef struct mser_result {
    size_t truncate; /* raw observations to delete from the start (a multiple of 5) */
    int reliable;    /* 1: the minimum lies in the first half; 0: run too short to judge */
} mser_result;

/* MSER-5 truncation point of series[0..n-1] (finite values). With fewer than two
 * batches, truncate 0 and reliable 0. O(n) time, O(1) memory. */
mser_result mser5(const double *series, size_t n);

#endif
