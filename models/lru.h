/* lru.h: the replacement structure of a cache: which keys it holds, with what version and
 * until when, and which key goes when a new one needs room.
 *
 * Policies:
 *   LRU     exact least-recently-used: a lookup (lru_get) or an update moves the key to the
 *           most-recent end; the least recently used key is evicted.
 *   FIFO    first in, first out: the key inserted longest ago is evicted; lookups and
 *           updates do not move a key.
 *   RANDOM  a key chosen uniformly among those present (one rng_below draw) is evicted.
 *
 * Every operation is O(1) (expected: one open-addressing hash lookup). Entries are kept
 * dense in one array (a removal moves the last entry into the hole), linked into a
 * doubly-linked recency list by 32-bit indices; the hash table maps a key to its entry
 * index. Memory is proportional to the entries present, never more than the capacity:
 * the arrays double as entries arrive, up to `capacity` entries (about 32 bytes each plus
 * 8 to 16 bytes of hash table), and lru_clear keeps them for reuse.
 *
 * Expiry is data here (`expires`): the cache station decides what an expired entry means
 * (lru.h never looks at the clock).
 */
#ifndef DBSCALE_LRU_H
#define DBSCALE_LRU_H

#include <stddef.h>
#include <stdint.h>

#include "sim/rng.h"

#define LRU_NIL UINT32_MAX        /* "no entry" index */
#define LRU_MAX_CAPACITY 0xFFFFFFF0u /* most entries (indices are 32-bit) */

enum lru_policy {
    LRU_POLICY_LRU = 0,           /* evict the least recently used */
    LRU_POLICY_FIFO = 1,          /* evict the oldest insertion */
    LRU_POLICY_RANDOM = 2,        /* evict a uniformly chosen entry */
};

/* What lru_put did. */
enum lru_put_result {
    LRU_NOT_KEPT = 0,             /* capacity 0: nothing stored */
    LRU_UPDATED = 1,              /* the key was present: version and expiry replaced */
    LRU_INSERTED = 2,             /* a new entry, room was free */
    LRU_REPLACED = 3,             /* a new entry, after evicting *victim */
};

typedef struct lru_entry {
    uint64_t key;                 /* the key held */
    double expires;               /* expiry time (s), INFINITY = never (the owner's meaning) */
    uint32_t version;             /* version of the value held */
    uint32_t prev;                /* recency list: towards the most recent end, or LRU_NIL */
    uint32_t next;                /* recency list: towards the eviction end, or LRU_NIL */
} lru_entry;

typedef struct lru {
    int policy;                   /* enum lru_policy */
    size_t capacity;              /* most entries */
    lru_entry *entries;           /* dense: entries[0..n-1] are present */
    size_t n;                     /* entries present */
    size_t cap_entries;           /* entries allocated (<= capacity) */
    uint32_t *table;              /* hash cells: entry index, or LRU_NIL when empty */
    size_t table_cap;             /* cells: a power of two, at least 2 x cap_entries */
    uint32_t head;                /* most recent entry (LRU) / newest insertion (FIFO) */
    uint32_t tail;                /* next victim (LRU, FIFO) */
    rng *rng;                     /* RANDOM: the victims' stream (caller-owned) */
    uint64_t evictions;           /* entries evicted to make room, since init */
} lru;

/* Prepares an empty structure holding at most `capacity` keys under `policy`; `r` is the
 * stream RANDOM draws its victims from (caller-owned, may be NULL for LRU and FIFO).
 * Returns 0, or -1 when capacity exceeds LRU_MAX_CAPACITY, the policy is unknown or RANDOM
 * has no stream. O(1): nothing is allocated until the first insertion. */
int lru_init(lru *c, int policy, uint64_t capacity, rng *r);

/* Frees the arrays. O(1). */
void lru_fini(lru *c);

/* The entry of key, or NULL; does not count as a use (no reordering). O(1) expected. The
 * pointer is valid until the next lru_put, lru_remove or lru_clear. */
lru_entry *lru_peek(const lru *c, uint64_t key);

/* The entry of key, or NULL; under LRU it becomes the most recent. O(1) expected. The
 * pointer is valid until the next lru_put, lru_remove or lru_clear. */
lru_entry *lru_get(lru *c, uint64_t key);

/* Stores (key, version, expires). A present key is updated in place (LRU: it becomes the
 * most recent; FIFO: it keeps its place). A new key takes a free place, or evicts the
 * policy's victim first (its key in *victim when victim is not NULL) and becomes the most
 * recent / newest. Returns an enum lru_put_result, or -1 when out of memory (nothing
 * changed). O(1) expected, amortised (the arrays double up to the capacity). */
int lru_put(lru *c, uint64_t key, uint32_t version, double expires, uint64_t *victim);

/* Removes key. Returns 1 when it was present, else 0. O(1) expected. */
int lru_remove(lru *c, uint64_t key);

/* Removes every entry, keeping the memory. O(table cells). */
void lru_clear(lru *c);

/* Entries present. O(1). */
static inline size_t lru_size(const lru *c) { return c->n; }

/* Writes up to max keys in recency order, from the most recent (LRU) / newest (FIFO, and
 * RANDOM, which keeps the insertion list too) to the next victim; returns how many. For
 * tests and debugging. O(min(n, max)). */
size_t lru_order(const lru *c, uint64_t *keys, size_t max);

#endif
