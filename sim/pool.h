/* pool.h: a free-list pool of fixed-size objects (events, requests).
 *
 * Objects are carved from chunks of `objects_per_chunk`; a chunk is never moved or freed
 * before pool_fini, so object pointers stay valid. A returned object goes on an intrusive
 * free list (LIFO) and is handed out again before any new memory is touched: in steady
 * state pool_get and pool_put never call malloc. An optional limit caps the objects in
 * use (the engine turns a refusal into a "too many requests in flight" error).
 *
 * Objects are aligned for any type (max_align_t) and are not cleared by pool_get.
 */
#ifndef DBSCALE_POOL_H
#define DBSCALE_POOL_H

#include <stddef.h>

struct pool_chunk;

typedef struct pool {
    size_t object_size;           /* bytes per object, rounded up to the alignment */
    size_t per_chunk;             /* objects per chunk */
    void *free_list;              /* returned objects, linked through their first bytes */
    struct pool_chunk *chunks;    /* every chunk, newest first */
    char *bump;                   /* next never-used object in the newest chunk */
    char *bump_end;               /* end of the newest chunk's objects */
    size_t in_use;                /* objects handed out and not returned */
    size_t capacity;              /* objects in all chunks */
    size_t limit;                 /* most objects in use at once; SIZE_MAX = no limit */
} pool;

/* Prepares an empty pool of objects of object_size bytes, allocated objects_per_chunk at
 * a time (the first chunk on the first pool_get). Returns 0, or -1 when a size is zero or
 * a chunk would not fit in memory. O(1). */
int pool_init(pool *p, size_t object_size, size_t objects_per_chunk);

/* An object (contents undefined), or NULL when the limit is reached or out of memory.
 * O(1); a malloc only when every chunk is in use. */
void *pool_get(pool *p);

/* Returns obj (from pool_get of this pool) for reuse. O(1). */
void pool_put(pool *p, void *obj);

/* Objects handed out and not returned. O(1). */
size_t pool_in_use(const pool *p);

/* Objects the allocated chunks hold (in use or free). O(1). */
size_t pool_capacity(const pool *p);

/* Caps the objects in use at once: pool_get returns NULL while max_objects are out.
 * SIZE_MAX removes the cap. Objects already out are not affected. O(1). */
void pool_set_limit(pool *p, size_t max_objects);

/* Frees every chunk; every object of the pool becomes invalid. O(chunks). */
void pool_fini(pool *p);

#endif
