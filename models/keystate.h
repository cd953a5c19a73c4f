/* keystate.h: per-key versions, to tell whether a read returned the newest committed data.
 *
 * keystate is the primary's truth: for every key ever written, its committed version
 * (1, 2, ... per write), the time of that commit and the user who wrote it. Keys are
 * mapped to dense slots (0, 1, 2, ... in order of first write) by an open-addressing hash,
 * so memory grows with the number of distinct keys written, never with the key range or
 * with the number of requests: a key's slot is its index into flat arrays.
 *
 * keyview is one replica's (or cache's) view: the version of each slot it currently holds,
 * a flat array indexed by slot; a slot beyond its end holds version 0 (never written).
 * A read is stale when its view's version of the key is below the committed version.
 */
#ifndef DBSCALE_KEYSTATE_H
#define DBSCALE_KEYSTATE_H

#include <stddef.h>
#include <stdint.h>

#define KEYSTATE_NONE UINT32_MAX   /* "no slot": the key was never written */

typedef struct keystate {
    uint64_t *hash_keys;   /* hash table: key of each cell */
    uint32_t *hash_slots;  /* hash table: slot of each cell, KEYSTATE_NONE when empty */
    size_t hash_cap;       /* cells (a power of two, at most half full) */
    uint32_t *version;     /* per slot: committed version (0 = never committed) */
    double *commit_time;   /* per slot: when that version committed (s) */
    uint32_t *writer;      /* per slot: user who wrote that version */
    size_t n;              /* slots in use = distinct keys written */
    size_t cap;            /* slots allocated */
} keystate;

typedef struct keyview {
    uint32_t *version;     /* per slot: the version this copy holds */
    size_t n;              /* slots covered (beyond: version 0) */
} keyview;

/* An empty key state / view (no allocation). O(1). */
void keystate_init(keystate *ks);
void keyview_init(keyview *v);

/* Frees the arrays. O(1). */
void keystate_fini(keystate *ks);
void keyview_fini(keyview *v);

/* The slot of key, or KEYSTATE_NONE when the key was never written. O(1) expected. */
uint32_t keystate_find(const keystate *ks, uint64_t key);

/* The slot of key, created (version 0) on first use. Returns KEYSTATE_NONE when out of
 * memory. O(1) expected, amortised (the table doubles when half full). */
uint32_t keystate_slot(keystate *ks, uint64_t key);

/* A write of slot by user commits at time now: returns the new version (old + 1). O(1). */
uint32_t keystate_commit(keystate *ks, uint32_t slot, uint32_t user, double now);

/* Sets slot's committed version, commit time and writer (rolling back after a failover).
 * O(1). */
void keystate_set(keystate *ks, uint32_t slot, uint32_t version, double time, uint32_t user);

/* The version slot holds in view v (0 beyond its end). O(1). */
static inline uint32_t keyview_get(const keyview *v, uint32_t slot)
{
    return slot < v->n ? v->version[slot] : 0;
}

/* Sets slot's version in v, growing it. Returns 0, or -1 when out of memory. O(1)
 * amortised. */
int keyview_set(keyview *v, uint32_t slot, uint32_t version);

/* Makes v a copy of the committed versions (a replica cloned from the primary). Returns 0,
 * or -1 when out of memory. O(slots). */
int keyview_copy_committed(keyview *v, const keystate *ks);

#endif
