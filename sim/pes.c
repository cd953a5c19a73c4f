/* pes.c: the 4-ary heap behind the pending-event set (see pes.h for the layout).
 *
 * How it is made fast (measured with bench/hold.c; each choice below paid for itself):
 * - Comparisons: a time >= 0 orders exactly like its IEEE bit pattern read as a signed
 *   integer, so (time, key) compares as one 128-bit integer (cmp + sbb), and the minimum
 *   of four children is chosen with masks instead of branches, which the CPU could not
 *   predict.
 * - Sift-down is bottom-up (Floyd): the hole follows the smaller child down to a leaf
 *   without comparing with the new entry, then the new entry moves up from there. A new
 *   event usually belongs near the bottom (most nodes are), so the climb is short.
 *   The chosen child moves into the hole as one 16-byte copy, off the dependency chain.
 * - Offsets are kept in bytes, so a child's address is one lea away from its parent's.
 * - Prefetch: none while the heap fits in L1 (under 64 KB, a prefetch is wasted work);
 *   then the four lines of grandchildren while the children are compared; past 2 MB
 *   (larger than a core's L2) the sixteen lines of great-grandchildren instead, since
 *   memory latency needs the longer lead (at 1e6 entries: about 130 instead of 200 ns
 *   per hold). Arrays of 2 MB and more ask for huge pages (fewer TLB misses).
 */
#include "sim/pes.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PES_ALIGN 64              /* cache-line size: one group of four siblings */
#define PES_SHIFT 3               /* heap[0] sits at base[3]; children 4i+1 at base[4i+4] */
#define PES_NEAR_MIN ((size_t)1 << 12) /* entries (64 KB, past L1) from which to prefetch */
#define PES_DEEP_MIN ((size_t)1 << 17) /* entries (2 MB) from which to prefetch 3 levels ahead */
#define PES_HUGE_BYTES ((size_t)2 << 20) /* arrays this large are huge-page aligned */

/* The filler of unused positions: never less than a real entry. */
static const pes_entry pes_sentinel = { INFINITY, UINT64_MAX };

/* The time's bit pattern; for times >= +0 it orders like the time. */
static inline int64_t pes_tbits(const pes_entry *e)
{
    int64_t b;
    memcpy(&b, &e->time, sizeof b);
    return b;
}

/* (ta, ka) < (tb, kb), branch-free. */
static inline int pes_lt(int64_t ta, uint64_t ka, int64_t tb, uint64_t kb)
{
    __int128 a = (__int128)((unsigned __int128)(uint64_t)ta << 64 | ka);
    __int128 b = (__int128)((unsigned __int128)(uint64_t)tb << 64 | kb);
    return a < b;
}

static inline pes_entry *pes_at(char *hb, size_t off)
{
    return (pes_entry *)(void *)(hb + off);
}

/* Prefetches the four cache lines from byte offset off (computed as integers: the lines
 * may reach past the last entry, where a prefetch is harmless). */
static inline void pes_prefetch4(const char *hb, size_t off)
{
    uintptr_t p = (uintptr_t)hb + off;
    __builtin_prefetch((const void *)p);
    __builtin_prefetch((const void *)(p + 64));
    __builtin_prefetch((const void *)(p + 128));
    __builtin_prefetch((const void *)(p + 192));
}

/* Positions to allocate for a capacity: the shift plus the entries, rounded up to whole
 * cache lines, so the sibling group of every possible child is inside the allocation. */
static size_t pes_positions(size_t capacity)
{
    return (capacity + PES_SHIFT + 3) & ~(size_t)3;
}

static void pes_fill_sentinels(pes_entry *from, size_t count)
{
    for (size_t i = 0; i < count; i++) from[i] = pes_sentinel;
}

/* Allocates room for `capacity` entries, copies the current ones, frees the old array.
 * Returns 0 or -1 (nothing changed). */
static int pes_realloc(pes *q, size_t capacity)
{
    if (capacity > SIZE_MAX / sizeof(pes_entry) - PES_HUGE_BYTES) return -1;
    size_t positions = pes_positions(capacity);
    size_t bytes = positions * sizeof(pes_entry);
    size_t align = bytes >= PES_HUGE_BYTES ? PES_HUGE_BYTES : PES_ALIGN;
    void *mem = NULL;
    if (posix_memalign(&mem, align, bytes) != 0) return -1;
#if defined(MADV_HUGEPAGE) && !defined(PES_NO_HUGE)
    if (align == PES_HUGE_BYTES) (void)madvise(mem, bytes, MADV_HUGEPAGE); /* a hint only */
#endif
    pes_entry *base = mem;
    size_t used = PES_SHIFT + q->size;
    if (q->base) memcpy(base, q->base, used * sizeof(pes_entry));
    else pes_fill_sentinels(base, PES_SHIFT);
    pes_fill_sentinels(base + used, positions - used);
    free(q->base);
    q->base = base;
    q->heap = base + PES_SHIFT;
    q->capacity = positions - PES_SHIFT;
    return 0;
}

int pes_init(pes *q, size_t capacity_hint)
{
    q->heap = NULL;
    q->base = NULL;
    q->size = 0;
    q->capacity = 0;
    return pes_realloc(q, capacity_hint ? capacity_hint : 1);
}

void pes_fini(pes *q)
{
    free(q->base);
    q->heap = NULL;
    q->base = NULL;
    q->size = 0;
    q->capacity = 0;
}

void pes_clear(pes *q)
{
    pes_fill_sentinels(q->heap, q->size);
    q->size = 0;
}

/* Moves x up from the hole at index i to where it belongs and writes it there. */
static inline void pes_sift_up(pes_entry *h, size_t i, pes_entry x)
{
    int64_t xt = pes_tbits(&x);
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!pes_lt(xt, x.key, pes_tbits(&h[p]), h[p].key)) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

/* Fills the hole at the root of the n entries of h with x. The hole first sinks to a leaf,
 * each step moving up the smallest of four children (one cache line; positions past the
 * last entry hold sentinels, and ties go to the lower index, which is a real entry); then
 * x climbs from that leaf. `deep` is the prefetch mode: 0 none, 1 grandchildren, 2
 * great-grandchildren (near the bottom, their lines came with an earlier level's). */
static inline __attribute__((always_inline)) void
pes_sift_root(pes_entry *h, size_t n, pes_entry x, int deep)
{
    char *hb = (char *)h;
    size_t end = n * sizeof(pes_entry);
    size_t o = 0, c;
    while ((c = 4 * o + 16) < end) {
        size_t g = 4 * c + 16;                     /* first grandchild */
        size_t gg = 4 * g + 16;                    /* first great-grandchild */
        if (deep == 2 && gg < end) {
            pes_prefetch4(hb, gg);
            pes_prefetch4(hb, gg + 256);
            pes_prefetch4(hb, gg + 512);
            pes_prefetch4(hb, gg + 768);
        } else if (deep == 1 && g < end) {
            pes_prefetch4(hb, g);
        }
        const pes_entry *q = pes_at(hb, c);
        int64_t t0 = pes_tbits(&q[0]), t1 = pes_tbits(&q[1]);
        int64_t t2 = pes_tbits(&q[2]), t3 = pes_tbits(&q[3]);
        uint64_t k0 = q[0].key, k1 = q[1].key, k2 = q[2].key, k3 = q[3].key;
        uint64_t m1 = 0 - (uint64_t)pes_lt(t1, k1, t0, k0);  /* all ones: child 1 wins */
        uint64_t m2 = 0 - (uint64_t)pes_lt(t3, k3, t2, k2);  /* all ones: child 3 wins */
        int64_t ta = t0 ^ ((t0 ^ t1) & (int64_t)m1);
        uint64_t ka = k0 ^ ((k0 ^ k1) & m1);
        size_t oa = c + (16 & m1);
        int64_t tb = t2 ^ ((t2 ^ t3) & (int64_t)m2);
        uint64_t kb = k2 ^ ((k2 ^ k3) & m2);
        size_t ob = c + 32 + (16 & m2);
        uint64_t m3 = 0 - (uint64_t)pes_lt(tb, kb, ta, ka);  /* all ones: pair 2-3 wins */
        size_t om = oa ^ ((oa ^ ob) & m3);
        *pes_at(hb, o) = *pes_at(hb, om);           /* off the critical path */
        o = om;
    }
    pes_sift_up(h, o / sizeof(pes_entry), x);
}

static void pes_fill_root(pes_entry *h, size_t n, pes_entry x)
{
    if (n >= PES_DEEP_MIN) pes_sift_root(h, n, x, 2);
    else if (n >= PES_NEAR_MIN) pes_sift_root(h, n, x, 1);
    else pes_sift_root(h, n, x, 0);
}

int pes_push(pes *q, double time, uint64_t key)
{
    assert(time >= 0);            /* also rejects NaN */
    if (q->size == q->capacity) {
        size_t want = q->capacity > SIZE_MAX / 2 ? SIZE_MAX : 2 * q->capacity;
        if (pes_realloc(q, want) != 0) return -1;
    }
    pes_entry x = { time + 0.0, key };             /* + 0.0 turns -0 into +0 */
    pes_sift_up(q->heap, q->size++, x);
    return 0;
}

pes_entry pes_pop(pes *q)
{
    assert(q->size > 0);
    pes_entry *h = q->heap;
    pes_entry top = h[0];
    size_t n = --q->size;
    pes_entry last = h[n];
    h[n] = pes_sentinel;
    if (n > 0) pes_fill_root(h, n, last);
    return top;
}

void pes_replace_top(pes *q, double time, uint64_t key)
{
    assert(q->size > 0 && time >= 0);
    pes_entry x = { time + 0.0, key };
    pes_fill_root(q->heap, q->size, x);
}
