/* histogram.c: log-linear latency histogram (see histogram.h for the bucket layout). */
#include "sim/histogram.h"

#include <math.h>

void hist_init(hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INFINITY;
    h->max = -INFINITY;
}

void hist_reset(hist *h) { hist_init(h); }

void hist_add_outside(hist *h, double v)
{
    if (isnan(v)) return;
    h->bins[hist_index(v)]++;
    h->count++;
    h->sum += v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

void hist_merge(hist *into, const hist *from)
{
    for (size_t i = 0; i < HIST_BINS; i++) into->bins[i] += from->bins[i];
    into->count += from->count;
    into->sum += from->sum;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

/* Edge between bucket i-1 and bucket i for 1 <= i <= HIST_LINEAR + 1: the double whose
 * key is i + HIST_KEY_BASE with a zero mantissa tail. Exact. */
static double edge(size_t i)
{
    uint64_t bits = ((uint64_t)i + HIST_KEY_BASE) << HIST_KEY_SHIFT;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

double hist_quantile(const hist *h, double q)
{
    if (h->count == 0 || !(q >= 0.0 && q <= 1.0)) return NAN;
    double rank_d = ceil(q * (double)h->count);
    uint64_t rank = rank_d < 1.0 ? 1 : (uint64_t)rank_d;
    if (rank > h->count) rank = h->count;
    if (rank == 1) return h->min;
    if (rank == h->count) return h->max;

    uint64_t seen = 0;
    size_t i = 0;
    for (; i < HIST_BINS; i++) {
        seen += h->bins[i];
        if (seen >= rank) break;
    }
    if (i == HIST_UNDERFLOW) return h->min;
    if (i >= HIST_OVERFLOW) return h->max;
    double mid = 0.5 * (edge(i) + edge(i + 1));
    if (mid < h->min) mid = h->min;
    if (mid > h->max) mid = h->max;
    return mid;
}

double hist_mean(const hist *h)
{
    return h->count ? h->sum / (double)h->count : NAN;
}

size_t hist_bins(void) { return HIST_BINS; }

double hist_bin_low(size_t i)
{
    if (i >= HIST_BINS) return NAN;
    if (i == HIST_UNDERFLOW) return 0.0;
    if (i == HIST_OVERFLOW) return HIST_HIGH;
    return edge(i);
}

double hist_bin_high(size_t i)
{
    if (i >= HIST_BINS) return NAN;
    if (i == HIST_UNDERFLOW) return HIST_LOW;
    if (i == HIST_OVERFLOW) return INFINITY;
    return edge(i + 1);
}
