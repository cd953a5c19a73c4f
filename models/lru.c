/* lru.c: dense entries, a 32-bit-index recency list and an open-addressing hash table
 * (linear probing, backward-shift deletion). */
#include "models/lru.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64's finaliser: spreads sequential keys over the table. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

int lru_init(lru *c, int policy, uint64_t capacity, rng *r)
{
    memset(c, 0, sizeof *c);
    if (capacity > LRU_MAX_CAPACITY) return -1;
    if (policy != LRU_POLICY_LRU && policy != LRU_POLICY_FIFO && policy != LRU_POLICY_RANDOM)
        return -1;
    if (policy == LRU_POLICY_RANDOM && !r) return -1;
    c->policy = policy;
    c->capacity = (size_t)capacity;
    c->rng = r;
    c->head = c->tail = LRU_NIL;
    return 0;
}

void lru_fini(lru *c)
{
    free(c->entries);
    free(c->table);
    c->entries = NULL;
    c->table = NULL;
    c->n = c->cap_entries = c->table_cap = 0;
    c->head = c->tail = LRU_NIL;
}

/* The cell holding key, or the empty cell where it would go. */
static size_t cell_of(const lru *c, uint64_t key)
{
    size_t mask = c->table_cap - 1;
    size_t i = (size_t)mix(key) & mask;
    while (c->table[i] != LRU_NIL && c->entries[c->table[i]].key != key) i = (i + 1) & mask;
    return i;
}

lru_entry *lru_peek(const lru *c, uint64_t key)
{
    if (!c->n) return NULL;
    uint32_t e = c->table[cell_of(c, key)];
    return e == LRU_NIL ? NULL : &c->entries[e];
}

/* ---- the recency list ------------------------------------------------------------------ */

static void unlink_entry(lru *c, uint32_t i)
{
    lru_entry *e = &c->entries[i];
    if (e->prev != LRU_NIL) c->entries[e->prev].next = e->next;
    else c->head = e->next;
    if (e->next != LRU_NIL) c->entries[e->next].prev = e->prev;
    else c->tail = e->prev;
    e->prev = e->next = LRU_NIL;
}

static void push_front(lru *c, uint32_t i)
{
    lru_entry *e = &c->entries[i];
    e->prev = LRU_NIL;
    e->next = c->head;
    if (c->head != LRU_NIL) c->entries[c->head].prev = i;
    else c->tail = i;
    c->head = i;
}

lru_entry *lru_get(lru *c, uint64_t key)
{
    if (!c->n) return NULL;
    uint32_t i = c->table[cell_of(c, key)];
    if (i == LRU_NIL) return NULL;
    if (c->policy == LRU_POLICY_LRU && c->head != i) {
        unlink_entry(c, i);
        push_front(c, i);
    }
    return &c->entries[i];
}

/* ---- growth ------------------------------------------------------------------------------ */

static int grow(lru *c)
{
    size_t cap = c->cap_entries ? 2 * c->cap_entries : 16;
    if (cap > c->capacity) cap = c->capacity;
    if (c->table_cap < 2 * cap) {
        size_t tcap = 32;
        while (tcap < 2 * cap) tcap *= 2;
        uint32_t *t = malloc(tcap * sizeof *t);
        if (!t) return -1;
        for (size_t i = 0; i < tcap; i++) t[i] = LRU_NIL;
        free(c->table);
        c->table = t;
        c->table_cap = tcap;
        for (size_t i = 0; i < c->n; i++) c->table[cell_of(c, c->entries[i].key)] = (uint32_t)i;
    }
    lru_entry *e = realloc(c->entries, cap * sizeof *e);
    if (!e) return -1; /* the larger table is harmless */
    c->entries = e;
    c->cap_entries = cap;
    return 0;
}

/* ---- removal ------------------------------------------------------------------------------- */

/* Empties cell `hole`, shifting later members of its probe chain back. */
static void cell_delete(lru *c, size_t hole)
{
    size_t mask = c->table_cap - 1;
    for (size_t j = (hole + 1) & mask; c->table[j] != LRU_NIL; j = (j + 1) & mask) {
        size_t home = (size_t)mix(c->entries[c->table[j]].key) & mask;
        /* move j into the hole when its home is not cyclically within (hole, j] */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            c->table[hole] = c->table[j];
            hole = j;
        }
    }
    c->table[hole] = LRU_NIL;
}

/* Removes entry i whose key sits in cell `cell`: unlinks it, then moves the last entry
 * into its place (fixing that entry's cell and neighbours). */
static void remove_at(lru *c, uint32_t i, size_t cell)
{
    unlink_entry(c, i);
    cell_delete(c, cell);
    uint32_t last = (uint32_t)(c->n - 1);
    if (i != last) {
        lru_entry *m = &c->entries[last];
        c->entries[i] = *m;
        c->table[cell_of(c, m->key)] = i;
        if (m->prev != LRU_NIL) c->entries[m->prev].next = i;
        else c->head = i;
        if (m->next != LRU_NIL) c->entries[m->next].prev = i;
        else c->tail = i;
    }
    c->n--;
}

int lru_remove(lru *c, uint64_t key)
{
    if (!c->n) return 0;
    size_t cell = cell_of(c, key);
    uint32_t i = c->table[cell];
    if (i == LRU_NIL) return 0;
    remove_at(c, i, cell);
    return 1;
}

void lru_clear(lru *c)
{
    for (size_t i = 0; i < c->table_cap; i++) c->table[i] = LRU_NIL;
    c->n = 0;
    c->head = c->tail = LRU_NIL;
}

/* ---- insertion ------------------------------------------------------------------------------ */

int lru_put(lru *c, uint64_t key, uint32_t version, double expires, uint64_t *victim)
{
    if (c->capacity == 0) return LRU_NOT_KEPT;
    if (c->n) {
        uint32_t i = c->table[cell_of(c, key)];
        if (i != LRU_NIL) {
            c->entries[i].version = version;
            c->entries[i].expires = expires;
            if (c->policy == LRU_POLICY_LRU && c->head != i) {
                unlink_entry(c, i);
                push_front(c, i);
            }
            return LRU_UPDATED;
        }
    }
    int result = LRU_INSERTED;
    if (c->n == c->capacity) {
        uint32_t v = c->policy == LRU_POLICY_RANDOM ? (uint32_t)rng_below(c->rng, c->n) : c->tail;
        if (victim) *victim = c->entries[v].key;
        remove_at(c, v, cell_of(c, c->entries[v].key));
        c->evictions++;
        result = LRU_REPLACED;
    } else if (c->n == c->cap_entries && grow(c) != 0) {
        return -1;
    }
    uint32_t i = (uint32_t)c->n++;
    c->entries[i] = (lru_entry){.key = key, .expires = expires, .version = version,
                                .prev = LRU_NIL, .next = LRU_NIL};
    c->table[cell_of(c, key)] = i;
    push_front(c, i);
    return result;
}

size_t lru_order(const lru *c, uint64_t *keys, size_t max)
{
    size_t k = 0;
    for (uint32_t i = c->head; i != LRU_NIL && k < max; i = c->entries[i].next)
        keys[k++] = c->entries[i].key;
    return k;
}
