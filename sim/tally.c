/* tally.c: Welford tallies and time-weighted averages. */
#include "sim/tally.h"

#include <assert.h>
#include <math.h>

void tally_init(tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

void tally_reset(tally *t) { tally_init(t); }


void tally_merge(tally *into, const tally *from)
{
    if (from->n == 0) return;
    if (into->n == 0) {
        *into = *from;
        return;
    }
    double na = (double)into->n, nb = (double)from->n, n = na + nb;
    double delta = from->mean - into->mean;
    into->mean += delta * (nb / n);
    into->m2 += from->m2 + delta * delta * (na * nb / n);
    into->n += from->n;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

double tally_mean(const tally *t) { return t->n ? t->mean : NAN; }

double tally_variance(const tally *t)
{
    return t->n >= 2 ? t->m2 / (double)(t->n - 1) : NAN;
}

double tally_stddev(const tally *t) { return sqrt(tally_variance(t)); }

void timeavg_init(timeavg *ta, double t0, double value)
{
    ta->start = t0;
    ta->last = t0;
    ta->value = value;
    ta->area = 0.0;
    ta->max = value;
}



double timeavg_mean(const timeavg *ta, double now)
{
    assert(now >= ta->last && "timeavg: time went backwards");
    double span = now - ta->start;
    if (span <= 0.0) return ta->value;
    return (ta->area + ta->value * (now - ta->last)) / span;
}

void timeavg_reset(timeavg *ta, double now)
{
    assert(now >= ta->last && "timeavg: time went backwards");
    ta->start = now;
    ta->last = now;
    ta->area = 0.0;
    ta->max = ta->value;
}

double timeavg_max(const timeavg *ta) { return ta->max; }
