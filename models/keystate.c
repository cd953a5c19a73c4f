/* keystate.c: key -> slot hash, committed versions, per-copy views. */
#include "models/keystate.h"

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

void keystate_init(keystate *ks) { memset(ks, 0, sizeof *ks); }

void keyview_init(keyview *v) { memset(v, 0, sizeof *v); }

void keystate_fini(keystate *ks)
{
    free(ks->hash_keys);
    free(ks->hash_slots);
    free(ks->version);
    free(ks->commit_time);
    free(ks->writer);
    memset(ks, 0, sizeof *ks);
}

void keyview_fini(keyview *v)
{
    free(v->version);
    memset(v, 0, sizeof *v);
}

uint32_t keystate_find(const keystate *ks, uint64_t key)
{
    if (!ks->hash_cap) return KEYSTATE_NONE;
    size_t mask = ks->hash_cap - 1;
    for (size_t i = (size_t)mix(key) & mask;; i = (i + 1) & mask) {
        uint32_t s = ks->hash_slots[i];
        if (s == KEYSTATE_NONE) return KEYSTATE_NONE;
        if (ks->hash_keys[i] == key) return s;
    }
}

/* Inserts (key, slot) into a table known to have room and not to hold key. */
static void hash_put(uint64_t *keys, uint32_t *slots, size_t cap, uint64_t key, uint32_t slot)
{
    size_t mask = cap - 1;
    size_t i = (size_t)mix(key) & mask;
    while (slots[i] != KEYSTATE_NONE) i = (i + 1) & mask;
    keys[i] = key;
    slots[i] = slot;
}

static int hash_grow(keystate *ks)
{
    size_t cap = ks->hash_cap ? ks->hash_cap * 2 : 1024;
    uint64_t *keys = malloc(cap * sizeof *keys);
    uint32_t *slots = malloc(cap * sizeof *slots);
    if (!keys || !slots) {
        free(keys);
        free(slots);
        return -1;
    }
    memset(slots, 0xff, cap * sizeof *slots);  /* every cell KEYSTATE_NONE */
    for (size_t i = 0; i < ks->hash_cap; i++)
        if (ks->hash_slots[i] != KEYSTATE_NONE)
            hash_put(keys, slots, cap, ks->hash_keys[i], ks->hash_slots[i]);
    free(ks->hash_keys);
    free(ks->hash_slots);
    ks->hash_keys = keys;
    ks->hash_slots = slots;
    ks->hash_cap = cap;
    return 0;
}

static int slots_grow(keystate *ks)
{
    size_t cap = ks->cap ? ks->cap * 2 : 1024;
    uint32_t *version = realloc(ks->version, cap * sizeof *version);
    if (!version) return -1;
    ks->version = version;
    double *t = realloc(ks->commit_time, cap * sizeof *t);
    if (!t) return -1;
    ks->commit_time = t;
    uint32_t *writer = realloc(ks->writer, cap * sizeof *writer);
    if (!writer) return -1;
    ks->writer = writer;
    ks->cap = cap;
    return 0;
}

uint32_t keystate_slot(keystate *ks, uint64_t key)
{
    uint32_t s = keystate_find(ks, key);
    if (s != KEYSTATE_NONE) return s;
    if (ks->n >= KEYSTATE_NONE - 1) return KEYSTATE_NONE;
    if (2 * (ks->n + 1) > ks->hash_cap && hash_grow(ks) != 0) return KEYSTATE_NONE;
    if (ks->n == ks->cap && slots_grow(ks) != 0) return KEYSTATE_NONE;
    s = (uint32_t)ks->n++;
    ks->version[s] = 0;
    ks->commit_time[s] = 0.0;
    ks->writer[s] = 0;
    hash_put(ks->hash_keys, ks->hash_slots, ks->hash_cap, key, s);
    return s;
}

uint32_t keystate_commit(keystate *ks, uint32_t slot, uint32_t user, double now)
{
    uint32_t v = ++ks->version[slot];
    ks->commit_time[slot] = now;
    ks->writer[slot] = user;
    return v;
}

void keystate_set(keystate *ks, uint32_t slot, uint32_t version, double time, uint32_t user)
{
    ks->version[slot] = version;
    ks->commit_time[slot] = time;
    ks->writer[slot] = user;
}

int keyview_set(keyview *v, uint32_t slot, uint32_t version)
{
    if (slot >= v->n) {
        size_t n = v->n ? v->n : 1024;
        while (n <= slot) n *= 2;
        uint32_t *grown = realloc(v->version, n * sizeof *grown);
        if (!grown) return -1;
        memset(grown + v->n, 0, (n - v->n) * sizeof *grown);
        v->version = grown;
        v->n = n;
    }
    v->version[slot] = version;
    return 0;
}

int keyview_copy_committed(keyview *v, const keystate *ks)
{
    size_t n = ks->n ? ks->n : 1;
    uint32_t *copy = malloc(n * sizeof *copy);
    if (!copy) return -1;
    if (ks->n) memcpy(copy, ks->version, ks->n * sizeof *copy);
    else copy[0] = 0;
    free(v->version);
    v->version = copy;
    v->n = ks->n ? ks->n : 1;
    return 0;
}
