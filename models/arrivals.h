/* arrivals.h: open arrival processes of a workload: when the next request is created.
 *
 * Kinds (the `arrival` key of a clients station; trace replay and closed users live in
 * trace.h and clients.c):
 *   poisson    exponential gaps at `rate`; with a rate profile, a non-homogeneous
 *              Poisson process with rate lambda(t)
 *   constant   one request every 1/rate; with a rate profile, request k arrives when the
 *              integrated rate reaches k (so the count by time t is floor(Lambda(t)))
 *   mmpp       two-state Markov-modulated Poisson process: rate `rate` in the calm state,
 *              `burst_rate` in the burst state; sojourns are exponential with means
 *              `calm_time` and `burst_time`. The initial state is drawn from the stationary
 *              distribution (burst with probability burst_time / (burst_time + calm_time)),
 *              so the process is stationary from t = 0 and E[N(T)] = T * mean rate.
 *
 * Rate profiles (`rate_profile`, replacing `rate` for poisson and constant; `none` = no
 * profile):
 *   "0s 1000/s, 60s 8000/s, 120s 2000/s"   points (time, rate), times strictly increasing
 *                                          and >= 0; linear between points, constant
 *                                          after the last and before the first
 *   "diurnal(MIN, MAX, PERIOD)"             lambda(t) = MIN + (MAX - MIN)(1 - cos(2 pi t /
 *                                          PERIOD)) / 2: starts at MIN, peaks at PERIOD/2
 *
 * Method (exact): with S_k the points of a unit-rate Poisson process (sums of Exp(1)
 * draws), Lambda^-1(S_k) are the points of a Poisson process with rate lambda(t), where
 * Lambda(t) is the integral of lambda over [0, t] (inversion of the integrated rate,
 * Cinlar 1975). Piecewise-linear profiles are inverted in closed form (a quadratic per
 * segment, in its cancellation-free form); diurnal ones by whole periods plus a
 * safeguarded Newton iteration (bisection fallback) on one period, to machine precision.
 * MMPP uses the same idea over its piecewise-constant rate: one Exp(1) budget per arrival
 * is spent across state changes. Every arrival costs one draw from the arrivals stream;
 * MMPP state changes draw from a separate burst stream, so arrival times move smoothly
 * (common random numbers) when rates or sojourn means change.
 */
#ifndef DBSCALE_ARRIVALS_H
#define DBSCALE_ARRIVALS_H

#include <stddef.h>

#include "sim/rng.h"

/* The `arrival` key of a clients station. */
enum clients_arrival {
    ARRIVAL_POISSON,  /* open: Poisson at rate or rate_profile */
    ARRIVAL_CONSTANT, /* open: deterministic at rate or rate_profile */
    ARRIVAL_MMPP,     /* open: two-state Markov-modulated Poisson */
    ARRIVAL_TRACE,    /* open: replay of a CSV trace (trace.h) */
    ARRIVAL_CLOSED    /* closed: population of users with think time */
};

#define RATE_PROFILE_MAX 64 /* most points in a piecewise-linear profile */

enum rate_profile_kind {
    PROFILE_NONE,    /* no profile: use the constant `rate` */
    PROFILE_POINTS,  /* piecewise linear through points */
    PROFILE_DIURNAL  /* sinusoid between lo and hi */
};

/* A rate over time. Owns no memory (copied by assignment). */
typedef struct rate_profile {
    int kind;                      /* enum rate_profile_kind */
    int n;                         /* points: number of points (1..RATE_PROFILE_MAX) */
    double t[RATE_PROFILE_MAX];    /* points: times (s), strictly increasing, >= 0 */
    double rate[RATE_PROFILE_MAX]; /* points: rates (/s) at those times, >= 0 */
    double cum[RATE_PROFILE_MAX];  /* points: Lambda(t[i]), the integral up to point i */
    double lo;                     /* diurnal: MIN rate (/s) */
    double hi;                     /* diurnal: MAX rate (/s) */
    double period;                 /* diurnal: PERIOD (s) */
} rate_profile;

/* Parses a profile ("", blanks or "none" give PROFILE_NONE). Returns 0, or -1 with a message in
 * err (lower-case, quoting the culprit). Cost: O(strlen(text)). */
int rate_profile_parse(const char *text, rate_profile *p, char *err, size_t errlen);

/* Writes the canonical text of p, which rate_profile_parse reads back to the same profile
 * ("" for none). Returns the length, or -1 when buf (size n) is too small. O(points). */
int rate_profile_format(const rate_profile *p, char *buf, size_t n);

/* lambda(t) in requests per second at time t >= 0 (0 for PROFILE_NONE). O(log points). */
double rate_profile_rate(const rate_profile *p, double t);

/* Lambda(t), the expected number of arrivals in [0, t]. O(log points). */
double rate_profile_integral(const rate_profile *p, double t);

/* The first time t with Lambda(t) = s (s >= 0), or INFINITY when Lambda never reaches s
 * (the rate is 0 from some point on). O(log points) for points; O(1) expected (a few
 * dozen Newton or bisection steps at most) for diurnal. */
double rate_profile_inverse(const rate_profile *p, double s);

/* What an open process needs (all rates per second, times in seconds). */
typedef struct arrival_params {
    int kind;                    /* ARRIVAL_POISSON, ARRIVAL_CONSTANT or ARRIVAL_MMPP */
    double rate;                 /* rate, or the calm rate of mmpp */
    const rate_profile *profile; /* poisson/constant: a profile, or NULL / PROFILE_NONE */
    double burst_rate;           /* mmpp: rate in the burst state */
    double burst_time;           /* mmpp: mean sojourn in the burst state (> 0) */
    double calm_time;            /* mmpp: mean sojourn in the calm state (> 0) */
} arrival_params;

/* The state of one open process. Caller-owned; holds pointers to the streams. */
typedef struct arrivals {
    arrival_params p;            /* parameters (profile pointer borrowed) */
    rng *gaps;                   /* stream of the arrival draws ("<name>/arrivals") */
    rng *burst_rng;              /* stream of the mmpp state changes ("<name>/burst") */
    double t;                    /* time of the last arrival (s), 0 at the start */
    double s;                    /* integrated rate at the last arrival (profiles, constant) */
    int burst;                   /* mmpp: 1 in the burst state, 0 calm */
    double switch_at;            /* mmpp: time the current state ends */
} arrivals;

/* Sets up a process starting at time 0. mmpp draws its initial state and first sojourn
 * from burst_rng here. O(1). */
void arrivals_init(arrivals *a, const arrival_params *p, rng *gaps, rng *burst_rng);

/* Absolute time of the next arrival (>= the previous one), or INFINITY when there will be
 * no more (rate 0 for ever). Cost: O(1), plus the profile inversion; mmpp O(1 + state
 * changes crossed). */
double arrivals_next(arrivals *a);

/* Long-run mean rate (/s) of the process without a profile: rate, or for mmpp the
 * stationary mix (calm_time rate + burst_time burst_rate) / (calm_time + burst_time). */
double arrivals_mean_rate(const arrival_params *p);

#endif
