/* rng.h: named random streams.
 *
 * One stream per (station, purpose). A stream's seed comes from the master seed, the
 * replication number and a stable 64-bit hash of the stream's name (FNV-1a), never from
 * the order in which streams are created. Two variants of a scenario therefore draw the
 * same arrivals and service times from streams of the same name (common random numbers).
 *
 * Generator: xoshiro256** (Blackman & Vigna), 2^256-1 period, 53-bit doubles. A stream
 * can also be used by GSL's gsl_ran_* functions through rng_gsl(), which wraps the same
 * state as a gsl_rng (so draws interleave consistently).
 */
#ifndef DBSCALE_RNG_H
#define DBSCALE_RNG_H

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];  /* xoshiro256** state; never all zero */
    gsl_rng gsl;    /* GSL view of this stream; its state points at s */
} rng;

/* Seeds r from (master, replication, name). Cost: O(strlen(name)). The struct must not
 * be copied afterwards (the GSL view points into it); seed a new one instead. */
void rng_seed(rng *r, uint64_t master, uint64_t replication, const char *name);

/* Stable 64-bit FNV-1a hash of a string. */
uint64_t rng_hash(const char *name);

/* The stream as a gsl_rng, for gsl_ran_* functions. O(1). */
static inline gsl_rng *rng_gsl(rng *r) { return &r->gsl; }

static inline uint64_t rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Next 64 random bits. O(1). */
static inline uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform double in (0, 1): never 0, never 1. */
static inline double rng_uniform_pos(rng *r)
{
    return ((double)(rng_next(r) >> 12) + 0.5) * 0x1.0p-52;
}

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method). */
static inline uint64_t rng_below(rng *r, uint64_t n)
{
    __uint128_t m = (__uint128_t)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (__uint128_t)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Exponential draw with the given mean (not rate). */
static inline double rng_exp(rng *r, double mean)
{
    return -mean * log(rng_uniform_pos(r));
}

#endif
