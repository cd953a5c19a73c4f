/* shard_map.h: which shard holds a key, for the router's strategies; pure functions,
 * no simulation state.
 *
 * Strategies (the router's `strategy` option, parsed by shard_strategy_parse):
 *   hash             shard = shard_hash64(key) mod N. Going from N to N+1 shards moves a
 *                    key unless h mod N == h mod (N+1): of the N(N+1) residues of h mod
 *                    N(N+1) exactly N stay (one per pair (a, a), Chinese remainder
 *                    theorem), so N/(N+1) of the keys move.
 *   consistent(V)    a ring of V virtual nodes per shard; vnode v of shard i sits at
 *                    shard_hash64(rng_hash("shard-i-v")); a key goes to the first vnode at
 *                    or after shard_hash64(key), wrapping round. Adding shard N inserts
 *                    its V vnodes; only keys on the arcs they take move: about 1/(N+1),
 *                    within the ring's imbalance (shard_map_ring_share). `consistent`
 *                    alone means consistent(100).
 *   range(B1,...,Bk) N = k + 1 shards: keys below B1 to shard 0, [B1, B2) to shard 1, ...,
 *                    keys >= Bk to shard k. Bounds are strictly ascending whole numbers
 *                    (k M G accepted), at most SHARD_MAX_BOUNDS of them. Adding a shard
 *                    splits one shard's interval at its middle; the new shard takes the
 *                    upper half (the last interval ends at the key space).
 *   directory        a lookup table by blocks of `block` keys: block b = key / block goes
 *                    to shard b mod N (round-robin) until resharding materialises the
 *                    table over the key space; adding shard N then hands every (N+1)-th
 *                    block of each old shard to the new one (about 1/(N+1) of the keys
 *                    move, the least a table can do). Blocks past the table keep b mod N.
 *   geo              by the request's region; no resharding. Unplaced: shard = region
 *                    mod N, the key plays no part. Placed (shard_map_place: shard i sits
 *                    in a given region): a request goes to the shard in its region; when
 *                    several shards share that region, shard_hash64(key) mod their count
 *                    picks among them (in shard order); a region with no shard goes to
 *                    shard 0.
 *
 * Ownership: a shard_strategy owns no memory (it is copied by assignment). A shard_map
 * owns its ring, intervals, table and geo placement: shard_map_init / shard_map_copy, then
 * shard_map_fini.
 */
#ifndef DBSCALE_SHARD_MAP_H
#define DBSCALE_SHARD_MAP_H

#include <stddef.h>
#include <stdint.h>

#define SHARD_MAX 1024           /* most shards of one router */
#define SHARD_MAX_BOUNDS 255     /* most bounds in range(...) */
#define SHARD_MAX_VNODES 10000   /* most virtual nodes per shard */
#define SHARD_MAX_BLOCKS (1u << 24) /* most entries of a directory table */
#define SHARD_MOVED_EXACT (1u << 22) /* shard_map_moved: keys evaluated one by one */

typedef enum shard_kind {
    SHARD_HASH,        /* 64-bit mix of the key mod N */
    SHARD_CONSISTENT,  /* ring with virtual nodes */
    SHARD_RANGE,       /* key intervals */
    SHARD_DIRECTORY,   /* lookup table by blocks */
    SHARD_GEO,         /* request region mod N */
} shard_kind;

typedef struct shard_strategy {
    int kind;                          /* enum shard_kind */
    int64_t vnodes;                    /* consistent: virtual nodes per shard */
    uint32_t n_bounds;                 /* range: number of bounds (shards - 1) */
    uint64_t bounds[SHARD_MAX_BOUNDS]; /* range: strictly ascending lower bounds of shards 1.. */
} shard_strategy;

typedef struct shard_point {
    uint64_t pos;                      /* position on the ring */
    uint32_t shard;                    /* owner */
} shard_point;

typedef struct shard_interval {
    uint64_t lo;                       /* first key of the interval */
    uint32_t shard;                    /* owner */
} shard_interval;

typedef struct shard_map {
    int kind;                          /* enum shard_kind */
    uint32_t n;                        /* shards */
    int64_t vnodes;                    /* consistent: vnodes per shard */
    shard_point *ring;                 /* consistent: n * vnodes points sorted by (pos, shard) */
    size_t n_ring;                     /* consistent: points on the ring */
    shard_interval *iv;                /* range: n intervals sorted by lo; iv[0].lo = 0 */
    uint64_t block;                    /* directory: keys per block */
    uint16_t *table;                   /* directory: owner per block, or NULL (b mod n) */
    uint64_t n_blocks;                 /* directory: entries in table */
    uint16_t *geo_shards;              /* geo placed: shard indices grouped by region */
    uint32_t *geo_first;               /* geo placed: n_geo + 1 offsets into geo_shards */
    uint32_t n_geo;                    /* geo placed: regions (0 = not placed) */
} shard_map;

/* Parses a strategy ("hash", "consistent(100)", "range(1k, 2k)", "directory", "geo").
 * Returns 0, or -1 with a message in err. O(strlen(text)). */
int shard_strategy_parse(const char *text, shard_strategy *out, char *err, size_t errlen);

/* Canonical text of s, which shard_strategy_parse reads back. Returns the length, or -1
 * when buf (size n) is too small. O(bounds). */
int shard_strategy_format(const shard_strategy *s, char *buf, size_t n);

/* Shards the strategy implies: range: bounds + 1; others 0 (set by the router). O(1). */
uint32_t shard_strategy_shards(const shard_strategy *s);

/* The 64-bit mix (splitmix64's finaliser after adding the golden-ratio constant): a
 * bijection of 64-bit values. Returns it; O(1). */
uint64_t shard_hash64(uint64_t x);

/* Builds the map of strategy s over n >= 1 shards (range: n must be bounds + 1;
 * directory: `block` keys per block, >= 1). Returns 0, or -1 with a message in err (out
 * of memory, or n inconsistent). Cost: O(n V log(n V)) for consistent, O(n) otherwise. */
int shard_map_init(shard_map *m, const shard_strategy *s, uint32_t n, uint64_t block,
                   char *err, size_t errlen);

/* Deep copy of src into dst (dst uninitialised). Returns 0, or -1 out of memory. O(size). */
int shard_map_copy(shard_map *dst, const shard_map *src);

/* Frees what the map owns; safe twice. O(1). */
void shard_map_fini(shard_map *m);

/* The shard of key (region: the request's region, used by geo only). Returns 0..n-1.
 * Cost: O(1) for hash, geo and directory; O(log(n V)) consistent; O(log n) range. */
uint32_t shard_map_lookup(const shard_map *m, uint64_t key, uint32_t region);

/* geo: shard i (0..n-1) sits in region shard_region[i] (< n_regions); lookups then go to
 * the shards of the request's region (see above). Other kinds: nothing to do. Returns 0,
 * or -1 with a message (a region out of range, out of memory). O(n + n_regions). */
int shard_map_place(shard_map *m, const uint16_t *shard_region, uint32_t n_regions, char *err,
                    size_t errlen);

/* Adds shard n (the new count is n + 1). `split`: for range, the shard whose interval is
 * split (its upper half goes to the new shard); `key_space`: keys 0..key_space-1 exist
 * (range: the end of the last interval; directory: the table's extent). Returns 0, or -1
 * with a message in err (geo; an interval of fewer than 2 keys; SHARD_MAX reached; a
 * table too large; out of memory). Cost: O(n V log(n V)) consistent, O(n) range,
 * O(key_space / block) directory, O(1) hash. */
int shard_map_add(shard_map *m, uint32_t split, uint64_t key_space, char *err, size_t errlen);

/* Share of the keys 0..keys-1 whose shard differs between maps a and b (region 0): every
 * key when keys <= SHARD_MOVED_EXACT, otherwise SHARD_MOVED_EXACT keys evenly spaced
 * (key floor(i keys / SHARD_MOVED_EXACT)). *moved (may be NULL) gets the number of keys
 * found moved among those evaluated. Returns the share, 0 for keys = 0.
 * Cost: O(min(keys, SHARD_MOVED_EXACT)) lookups. */
double shard_map_moved(const shard_map *a, const shard_map *b, uint64_t keys, uint64_t *moved);

/* consistent: the share of the ring (of 2^64 positions) whose keys go to shard i, exactly
 * (sum of the arcs ending at its vnodes). Other kinds: NAN. O(n V). */
double shard_map_ring_share(const shard_map *m, uint32_t shard);

/* range: the interval [*lo, *hi) of shard i, the last one ending at key_space (or
 * UINT64_MAX when key_space <= its lo). Returns 0, or -1 for other kinds. O(n). */
int shard_map_interval(const shard_map *m, uint32_t shard, uint64_t key_space, uint64_t *lo,
                       uint64_t *hi);

#endif
