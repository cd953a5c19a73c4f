/* keydist.h: key popularity over keys 0..N-1 (which key a request touches), parsed from
 * scenario text.
 *
 * Syntax (N accepts k M G suffixes; fractions accept N%):
 *   uniform(N)                        every key equally likely
 *   zipf(s, N)                        key of rank k (k = 1..N) has probability
 *                                     k^-s / H(N,s), for any s > 0 (s < 1, s = 1, s > 1);
 *                                     N <= 2^53
 *   hotspot(frac_keys, frac_ops, N)   frac_ops of the draws go uniformly to the first
 *                                     round(frac_keys N) keys (at least 1, at most N-1),
 *                                     the rest uniformly to the others; 0 < frac_keys < 1,
 *                                     0 <= frac_ops <= 1, N >= 2
 *   latest(N)                         YCSB "latest": key = newest - (r - 1), r drawn from
 *                                     zipf(0.99, N) (clamped at key 0); newest starts at
 *                                     N-1 and follows keydist_note_insert, so keys run
 *                                     over 0..newest (more than N once keys are inserted)
 * zipf and hotspot take an optional last argument `scramble`: zipf(0.99, 1M, scramble).
 *
 * Rank to key: without `scramble` (the default) rank 1 is key 0, rank 2 key 1, ..., so
 * the hot keys are 0, 1, 2, ... and sit together in one range: range sharding shows the
 * hot spot. With `scramble` ranks go through a fixed pseudo-random permutation of 0..N-1
 * (a 4-round Feistel network with cycle walking; O(1) expected), which spreads the hot
 * keys, as hashing does. The permutation depends only on N, never on the seed.
 *
 * Zipf draws use rejection-inversion (Hormann & Derflinger 1996): O(1) memory, O(1)
 * expected time per draw for every s > 0 and N, no table. The normalising constant
 * H(N,s) = sum_{k=1..N} k^-s is computed once at parse: by direct (compensated)
 * summation for N <= 20000, otherwise the first 9999 terms directly plus an
 * Euler-Maclaurin tail (integral, end-point terms and three Bernoulli corrections) whose
 * remainder is below 1e-15 relative, so keydist_probability is exact to double precision.
 *
 * A keydist owns no memory (no fini needed) and may be copied by assignment.
 */
#ifndef DBSCALE_KEYDIST_H
#define DBSCALE_KEYDIST_H

#include <stddef.h>
#include <stdint.h>

#include "sim/rng.h"

typedef enum {
    KEYDIST_UNIFORM, /* uniform(N) */
    KEYDIST_ZIPF,    /* zipf(s, N) */
    KEYDIST_HOTSPOT, /* hotspot(frac_keys, frac_ops, N) */
    KEYDIST_LATEST   /* latest(N) */
} keydist_kind;

typedef struct keydist {
    keydist_kind kind;  /* family */
    uint64_t n;         /* N, the number of keys (ranks) */
    int scramble;       /* 1: ranks mapped through a fixed permutation of 0..N-1 */
    double s;           /* zipf exponent (0.99 for latest) */
    double h_x1;        /* rejection-inversion: H(1.5) - 1 */
    double h_n;         /* rejection-inversion: H(N + 0.5) */
    double squeeze;     /* rejection-inversion: accept at once when k - x <= squeeze */
    double harmonic;    /* H(N,s) = sum_{k=1..N} k^-s */
    double frac_keys;   /* hotspot: share of keys that are hot, as written */
    double frac_ops;    /* hotspot: share of draws that go to hot keys */
    uint64_t hot_n;     /* hotspot: number of hot keys */
    uint64_t newest;    /* latest: most recently inserted key */
    unsigned half_bits; /* scramble: bits in each Feistel half */
} keydist;

/* Parses text into *k. Returns 0, or -1 with a message in err (lower-case, quoting the
 * text). Cost: O(1), except O(min(N, 10^4)) for zipf and latest (normalising constant). */
int keydist_parse(const char *text, keydist *k, char *err, size_t errlen);

/* One key drawn from stream r. O(1) (zipf and latest: O(1) expected, a few uniforms). */
uint64_t keydist_sample(keydist *k, rng *r);

/* Tells latest() that key was inserted: newest becomes max(newest, key). No-op for the
 * other kinds. O(1). */
void keydist_note_insert(keydist *k, uint64_t key);

/* N as parsed. O(1). */
uint64_t keydist_count(const keydist *k);

/* Exact probability that keydist_sample returns key (in the current state, for latest).
 * O(1) (O(1) expected with scramble). */
double keydist_probability(const keydist *k, uint64_t key);

/* Canonical text, e.g. "zipf(0.99, 1M)", which keydist_parse reads back to the same
 * distribution. Returns the length, or -1 if buf (size n) is too small. O(1). */
int keydist_format(const keydist *k, char *buf, size_t n);

#endif
