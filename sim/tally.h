/* tally.h: running statistics of observations and of piecewise-constant quantities.
 *
 * tally: count, mean, variance (Welford's update, numerically stable in one pass), min and
 * max of a stream of observations; two tallies combine exactly (Chan, Golub & LeVeque's
 * parallel formula), so per-station or per-process tallies can be merged.
 *
 * timeavg: the time-weighted average of a quantity that changes in steps, such as a queue
 * length or the number of busy servers: the integral of the value over time divided by
 * the elapsed time. Each change costs O(1). Reset at the end of warm-up restarts the
 * integral and keeps the current value.
 */
#ifndef DBSCALE_TALLY_H
#define DBSCALE_TALLY_H

#include <assert.h>
#include <stdint.h>

typedef struct tally {
    uint64_t n;  /* observations added */
    double mean; /* running mean; 0 when empty */
    double m2;   /* sum of squared deviations from the mean */
    double min;  /* smallest observation; +inf when empty */
    double max;  /* largest observation; -inf when empty */
} tally;

/* Empties t. O(1). */
void tally_init(tally *t);

/* Same as tally_init; named for the end of warm-up. O(1). */
void tally_reset(tally *t);

/* Adds one observation (Welford). O(1). */
static inline void tally_add(tally *t, double x)
{
    t->n++;
    double delta = x - t->mean;
    t->mean += delta / (double)t->n;
    t->m2 += delta * (x - t->mean);
    if (x < t->min) t->min = x;
    if (x > t->max) t->max = x;
}

/* Folds `from` into `into`, as if every observation of both had been added to `into`
 * (Chan et al.; equal up to floating-point rounding). O(1). */
void tally_merge(tally *into, const tally *from);

/* Mean of the observations; NAN when empty. O(1). */
double tally_mean(const tally *t);

/* Sample variance (divisor n - 1); NAN with fewer than two observations. O(1). */
double tally_variance(const tally *t);

/* Sample standard deviation, sqrt(tally_variance); NAN with fewer than two. O(1). */
double tally_stddev(const tally *t);

typedef struct timeavg {
    double start; /* time the integral starts (init or last reset) */
    double last;  /* time of the last change; never decreases */
    double value; /* current value, held since `last` */
    double area;  /* integral of the value over [start, last] */
    double max;   /* largest value set since `start`, even for an instant */
} timeavg;

/* Starts at time t0 with the given value. O(1). */
void timeavg_init(timeavg *ta, double t0, double value);

/* The value becomes new_value at time `now` (now >= the time of the last change; an
 * earlier time is an engine bug and trips an assert). O(1). */
static inline void timeavg_set(timeavg *ta, double now, double new_value)
{
    assert(now >= ta->last && "timeavg: time went backwards");
    ta->area += ta->value * (now - ta->last);
    ta->last = now;
    ta->value = new_value;
    if (new_value > ta->max) ta->max = new_value;
}

/* The value changes by delta at time `now` (e.g. +1 on arrival, -1 on departure). O(1). */
static inline void timeavg_add(timeavg *ta, double now, double delta)
{
    timeavg_set(ta, now, ta->value + delta);
}

/* Time-weighted mean over [start, now], the current value held up to `now`. When no
 * time has elapsed (now == start) returns the current value. O(1). */
double timeavg_mean(const timeavg *ta, double now);

/* Restarts the integral at `now` keeping the current value (end of warm-up); the
 * maximum restarts at the current value. O(1). */
void timeavg_reset(timeavg *ta, double now);

/* Largest value set since the start or last reset (a value replaced at the same
 * instant counts: the queue did reach it). O(1). */
double timeavg_max(const timeavg *ta);

#endif
