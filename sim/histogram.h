/* histogram.h: latency histogram with bounded relative error, fixed memory, mergeable.
 *
 * Values are durations in seconds (doubles). The range [2^-30 s, 2^17 s), about
 * [0.93 ns, 131072 s], is split by binary exponent into 47 octaves and each octave into
 * 128 linear sub-buckets. A value's bucket comes straight from its IEEE-754 bits (the
 * 11-bit exponent and the top 7 mantissa bits), with no log() call, so hist_add is a few
 * instructions. A bucket [L, L + 2^e/128) with L >= 2^e has relative width <= 1/128, so
 * its midpoint is within 1/256 (< 0.4%) of any value in it.
 *
 * Below the range (including zero and negative values) goes to an underflow bucket that
 * reports as the exact minimum seen; at or above it goes to an overflow bucket that
 * reports as the exact maximum seen. NaN values are ignored. Exact count, sum, min and
 * max are kept alongside the buckets.
 *
 * The struct has a fixed size (about 47 KB, no heap), so it can be embedded, copied with
 * `=` or memcpy, and merged across stations, replications or processes.
 */
#ifndef DBSCALE_HISTOGRAM_H
#define DBSCALE_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HIST_SUB_BITS 7                          /* mantissa bits per octave: 128 buckets */
#define HIST_EXP_MIN (-30)                       /* lowest octave [2^-30, 2^-29) */
#define HIST_EXP_MAX 16                          /* highest octave [2^16, 2^17) */
#define HIST_OCTAVES (HIST_EXP_MAX - HIST_EXP_MIN + 1)
#define HIST_LINEAR (HIST_OCTAVES << HIST_SUB_BITS) /* regular buckets: 6016 */
#define HIST_BINS (HIST_LINEAR + 2)              /* + underflow (first) + overflow (last) */
#define HIST_UNDERFLOW 0                         /* index of the underflow bucket */
#define HIST_OVERFLOW (HIST_BINS - 1)            /* index of the overflow bucket */
#define HIST_LOW 0x1p-30                         /* smallest value of a regular bucket */
#define HIST_HIGH 0x1p17                         /* first value that overflows */

/* Key of a positive double = its bits >> 45: biased exponent then top 7 mantissa bits.
 * HIST_KEY_BASE maps the key of HIST_LOW to bucket 1. */
#define HIST_KEY_SHIFT (52 - HIST_SUB_BITS)
#define HIST_KEY_BASE ((((uint64_t)(1023 + HIST_EXP_MIN)) << HIST_SUB_BITS) - 1)

typedef struct hist {
    uint64_t count;           /* values added (NaN excluded), all buckets together */
    double sum;               /* sum of the values added */
    double min;               /* smallest value added; +inf when empty */
    double max;               /* largest value added; -inf when empty */
    uint64_t bins[HIST_BINS]; /* bins[0] underflow, bins[1..HIST_LINEAR] regular, last overflow */
} hist;

/* Empties h (count 0, min +inf, max -inf). O(HIST_BINS) (a 47 KB memset). */
void hist_init(hist *h);

/* Same as hist_init; named for the end of warm-up. O(HIST_BINS). */
void hist_reset(hist *h);

/* Bucket index of v: HIST_UNDERFLOW for v < HIST_LOW (and NaN), HIST_OVERFLOW for
 * v >= HIST_HIGH, else 1..HIST_LINEAR. O(1), no floating-point maths. */
static inline size_t hist_index(double v)
{
    if (!(v >= HIST_LOW)) return HIST_UNDERFLOW;
    if (v >= HIST_HIGH) return HIST_OVERFLOW;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return (size_t)((bits >> HIST_KEY_SHIFT) - HIST_KEY_BASE);
}

/* Out-of-range and NaN values (the cold path of hist_add). O(1). */
void hist_add_outside(hist *h, double v);

/* Adds one value. O(1): a compare pair, a shift, an increment, min/max/sum updates. */
static inline void hist_add(hist *h, double v)
{
    if (v >= HIST_LOW && v < HIST_HIGH) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        h->bins[(bits >> HIST_KEY_SHIFT) - HIST_KEY_BASE]++;
        h->count++;
        h->sum += v;
        if (v < h->min) h->min = v;
        if (v > h->max) h->max = v;
    } else {
        hist_add_outside(h, v);
    }
}

/* Adds every bucket, count, sum, min and max of `from` into `into`. The buckets, count,
 * min and max come out exactly as if all values had been added to one histogram; the sum
 * up to floating-point rounding. O(HIST_BINS). */
void hist_merge(hist *into, const hist *from);

/* The q-quantile, q in [0, 1], by the nearest-rank rule: the value of rank
 * r = ceil(q * count) (at least 1) in sorted order. Returns the midpoint of the bucket
 * holding rank r, clamped to [min, max] (so within 1/256 relative of the exact order
 * statistic when it lies in a regular bucket); the exact min for rank 1 or the underflow
 * bucket, the exact max for rank count or the overflow bucket. NAN when the histogram is
 * empty or q is outside [0, 1]. O(HIST_BINS) worst case (one pass over cumulative counts). */
double hist_quantile(const hist *h, double q);

/* The exact mean (sum / count); NAN when empty. O(1). */
double hist_mean(const hist *h);

/* Number of buckets, HIST_BINS (for writing CDFs). O(1). */
size_t hist_bins(void);

/* Lower edge of bucket i (inclusive): 0 for the underflow bucket, HIST_HIGH for the
 * overflow bucket. NAN when i >= HIST_BINS. O(1). */
double hist_bin_low(size_t i);

/* Upper edge of bucket i (exclusive): HIST_LOW for the underflow bucket, +inf for the
 * overflow bucket. NAN when i >= HIST_BINS. O(1). */
double hist_bin_high(size_t i);

#endif
