/* pes.h: the pending-event set, a 4-ary implicit min-heap of 16-byte (time, key) entries.
 *
 * Entries are ordered by time, then by key (lexicographically). The engine makes every
 * key unique by packing a 40-bit sequence number in the high bits and a 24-bit slot index
 * in the low bits (pes_key), so equal times pop in scheduling order and the order of the
 * whole run is deterministic. Payloads live outside the heap, indexed by the slot.
 *
 * Layout: one array; element i's children are 4i+1 .. 4i+4. The array is 64-byte aligned
 * and shifted by three entries, so every group of four siblings fills exactly one cache
 * line. Unused positions hold a +inf sentinel, so a sift-down always compares four
 * children without bounds checks. Sift-down moves a hole (each entry is written once) and
 * prefetches the grandchildren while choosing among the children.
 *
 * Times are simulated times: >= 0 and not NaN (asserted on push). The heap compares
 * their bit patterns as integers, which orders non-negative doubles exactly; -0 is
 * stored as +0.
 */
#ifndef DBSCALE_PES_H
#define DBSCALE_PES_H

#include <stddef.h>
#include <stdint.h>

#define PES_SLOT_BITS 24                       /* low key bits holding the slot index */
#define PES_SLOT_MASK ((1u << PES_SLOT_BITS) - 1) /* mask of the slot bits */
#define PES_SEQ_MAX ((UINT64_C(1) << (64 - PES_SLOT_BITS)) - 1) /* largest sequence number */

typedef struct pes_entry {
    double time;                  /* when the event fires: >= 0, not NaN */
    uint64_t key;                 /* tie-breaker: sequence << PES_SLOT_BITS | slot */
} pes_entry;

typedef struct pes {
    pes_entry *heap;              /* element i at heap[i]; heap = base + 3 */
    pes_entry *base;              /* the 64-byte aligned allocation */
    size_t size;                  /* entries in the heap */
    size_t capacity;              /* entries that fit before the next growth */
} pes;

/* The key of an event with sequence number seq (< 2^40) in slot (< 2^24). O(1). */
static inline uint64_t pes_key(uint64_t seq, uint32_t slot)
{
    return (seq << PES_SLOT_BITS) | (uint64_t)(slot & PES_SLOT_MASK);
}

/* The slot index packed in a key. O(1). */
static inline uint32_t pes_key_slot(uint64_t key)
{
    return (uint32_t)(key & PES_SLOT_MASK);
}

/* The sequence number packed in a key. O(1). */
static inline uint64_t pes_key_seq(uint64_t key)
{
    return key >> PES_SLOT_BITS;
}

/* Prepares an empty set with room for capacity_hint entries (at least one). Returns 0,
 * or -1 when out of memory (q is then safe to pes_fini). Cost: O(capacity_hint). */
int pes_init(pes *q, size_t capacity_hint);

/* Frees the memory. q may be pes_init'ed again afterwards. O(1). */
void pes_fini(pes *q);

/* Empties the set and keeps its memory. O(size). */
void pes_clear(pes *q);

/* Number of entries. O(1). */
static inline size_t pes_size(const pes *q) { return q->size; }

/* The smallest entry, or NULL when empty. Valid until the next change. O(1). */
static inline const pes_entry *pes_top(const pes *q)
{
    return q->size ? &q->heap[0] : NULL;
}

/* Adds an entry (time >= 0). Returns 0, or -1 when out of memory (the set is unchanged). The array
 * doubles when full. Cost: O(log n), amortised O(1) copying. */
int pes_push(pes *q, double time, uint64_t key);

/* Removes and returns the smallest entry. Precondition: not empty. O(log n). */
pes_entry pes_pop(pes *q);

/* Replaces the smallest entry by (time, key): the same result as pes_pop then pes_push,
 * in one sift-down and without growth. Precondition: not empty. O(log n). */
void pes_replace_top(pes *q, double time, uint64_t key);

#endif
