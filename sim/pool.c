/* pool.c: chunked free-list pool (see pool.h). */
#include "sim/pool.h"

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define POOL_ALIGN alignof(max_align_t) /* alignment of every object */

/* A chunk: this header, padded to POOL_ALIGN, then per_chunk objects. */
struct pool_chunk {
    struct pool_chunk *next;      /* the previously allocated chunk */
};

#define POOL_HEADER \
    ((sizeof(struct pool_chunk) + POOL_ALIGN - 1) / POOL_ALIGN * POOL_ALIGN)

int pool_init(pool *p, size_t object_size, size_t objects_per_chunk)
{
    p->free_list = NULL;
    p->chunks = NULL;
    p->bump = NULL;
    p->bump_end = NULL;
    p->in_use = 0;
    p->capacity = 0;
    p->limit = SIZE_MAX;
    p->object_size = 0;
    p->per_chunk = 0;
    if (object_size == 0 || objects_per_chunk == 0) return -1;
    if (object_size < sizeof(void *)) object_size = sizeof(void *);
    if (object_size > SIZE_MAX - POOL_ALIGN) return -1;
    object_size = (object_size + POOL_ALIGN - 1) / POOL_ALIGN * POOL_ALIGN;
    if (objects_per_chunk > (SIZE_MAX - POOL_HEADER) / object_size) return -1;
    p->object_size = object_size;
    p->per_chunk = objects_per_chunk;
    return 0;
}

/* Adds a chunk and points the bump range at its objects. Returns 0 or -1. */
static int pool_grow(pool *p)
{
    struct pool_chunk *c = malloc(POOL_HEADER + p->per_chunk * p->object_size);
    if (!c) return -1;
    c->next = p->chunks;
    p->chunks = c;
    p->bump = (char *)c + POOL_HEADER;
    p->bump_end = p->bump + p->per_chunk * p->object_size;
    p->capacity += p->per_chunk;
    return 0;
}

void *pool_get(pool *p)
{
    if (p->in_use >= p->limit) return NULL;
    void *obj = p->free_list;
    if (obj) {
        p->free_list = *(void **)obj;
    } else {
        if (p->bump == p->bump_end && pool_grow(p) != 0) return NULL;
        obj = p->bump;
        p->bump += p->object_size;
    }
    p->in_use++;
    return obj;
}

void pool_put(pool *p, void *obj)
{
    assert(obj && p->in_use > 0);
    *(void **)obj = p->free_list;
    p->free_list = obj;
    p->in_use--;
}

size_t pool_in_use(const pool *p) { return p->in_use; }

size_t pool_capacity(const pool *p) { return p->capacity; }

void pool_set_limit(pool *p, size_t max_objects) { p->limit = max_objects; }

void pool_fini(pool *p)
{
    struct pool_chunk *c = p->chunks;
    while (c) {
        struct pool_chunk *next = c->next;
        free(c);
        c = next;
    }
    p->chunks = NULL;
    p->free_list = NULL;
    p->bump = NULL;
    p->bump_end = NULL;
    p->in_use = 0;
    p->capacity = 0;
}
