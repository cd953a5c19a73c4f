/* check_pes.c: the pending-event set (4-ary heap): order, ties, a random workload against
 * a sorted reference, replace_top, growth, clear and layout. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pes.h"
#include "sim/rng.h"
#include "tests/test_util.h"

/* Asserts inside long loops: check records every ck_assert with a write(2), so loops
 * test with a plain condition and only call check when something is wrong. */
#define REQUIRE(cond)                                                  \
    do {                                                               \
        if (!(cond)) ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond); \
    } while (0)

/* Reference order, written independently of the heap's integer comparison. */
static int ref_less(pes_entry a, pes_entry b)
{
    if (a.time != b.time) return a.time < b.time;
    return a.key < b.key;
}

static int ref_cmp(const void *pa, const void *pb)
{
    pes_entry a = *(const pes_entry *)pa, b = *(const pes_entry *)pb;
    return ref_less(a, b) ? -1 : ref_less(b, a) ? 1 : 0;
}

/* Pushes every entry, pops them all and asserts they come out as the sorted copy. */
static void check_sorts(const pes_entry *in, size_t n, size_t capacity_hint)
{
    pes q;
    ck_assert_int_eq(pes_init(&q, capacity_hint), 0);
    for (size_t i = 0; i < n; i++) REQUIRE(pes_push(&q, in[i].time, in[i].key) == 0);
    ck_assert_uint_eq(pes_size(&q), n);
    pes_entry *want = malloc(n * sizeof *want);
    ck_assert_ptr_nonnull(want);
    memcpy(want, in, n * sizeof *want);
    qsort(want, n, sizeof *want, ref_cmp);
    for (size_t i = 0; i < n; i++) {
        const pes_entry *t = pes_top(&q);
        REQUIRE(t && t->time == want[i].time && t->key == want[i].key);
        pes_entry e = pes_pop(&q);
        if (!(e.time == want[i].time && e.key == want[i].key))
            ck_abort_msg("pop %zu: (%g, %llu), expected (%g, %llu)", i, e.time,
                         (unsigned long long)e.key, want[i].time,
                         (unsigned long long)want[i].key);
    }
    ck_assert_uint_eq(pes_size(&q), 0);
    ck_assert_ptr_null(pes_top(&q));
    free(want);
    pes_fini(&q);
}

START_TEST(test_key_packing)
{
    ck_assert_uint_eq(PES_SLOT_BITS, 24);
    uint64_t k = pes_key(5, 7);
    ck_assert_uint_eq(k, (UINT64_C(5) << 24) | 7);
    ck_assert_uint_eq(pes_key_slot(k), 7);
    ck_assert_uint_eq(pes_key_seq(k), 5);
    uint64_t top = pes_key(PES_SEQ_MAX, 0xFFFFFF);
    ck_assert_uint_eq(top, UINT64_MAX);
    ck_assert_uint_eq(pes_key_slot(top), 0xFFFFFF);
    ck_assert_uint_eq(pes_key_seq(top), (UINT64_C(1) << 40) - 1);
    /* the sequence decides first: a later event in a lower slot still comes later */
    ck_assert(pes_key(8, 0) > pes_key(7, 0xFFFFFF));
}
END_TEST

/* Table of small fixed inputs: each must pop in sorted order. */
START_TEST(test_order_by_time)
{
    static const double cases[][8] = {
        { 5, 4, 3, 2, 1, 0.5, 0.25, 0 },
        { 0, 1, 2, 3, 4, 5, 6, 7 },
        { 3, 1, 4, 1.5, 9, 2.6, 5, 3.5 },
        { 1e-300, 1e300, INFINITY, 0, 1, 2e-308, 7, 4.9e-324 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pes_entry in[8];
        for (size_t i = 0; i < 8; i++) in[i] = (pes_entry){ cases[c][i], pes_key(i, 0) };
        check_sorts(in, 8, 8);
    }
    pes q;
    ck_assert_int_eq(pes_init(&q, 4), 0);
    ck_assert_ptr_null(pes_top(&q));
    ck_assert_int_eq(pes_push(&q, 2.0, 1), 0);
    ck_assert_int_eq(pes_push(&q, 1.0, 2), 0);
    ck_assert(pes_top(&q)->time == 1.0 && pes_top(&q)->key == 2);
    ck_assert_uint_eq(pes_size(&q), 2);
    pes_fini(&q);
}
END_TEST

/* Equal times leave in key order, i.e. in scheduling (sequence) order, whatever the
 * slots; -0 counts as 0. */
START_TEST(test_ties_by_sequence)
{
    pes q;
    ck_assert_int_eq(pes_init(&q, 16), 0);
    rng r;
    rng_seed(&r, 11, 0, "pes-ties");
    const size_t n = 1000;
    for (size_t s = 0; s < n; s++) {
        double t = (s % 3 == 0) ? 1.0 : 2.0;         /* two groups of equal times */
        if (s == 6) t = 0.0;
        if (s == 9) t = -0.0;                       /* equal to 0, so after 6 */
        REQUIRE(pes_push(&q, t, pes_key(s, (uint32_t)rng_below(&r, 1u << 24))) == 0);
    }
    pes_entry e = pes_pop(&q);
    ck_assert(e.time == 0.0 && pes_key_seq(e.key) == 6);
    e = pes_pop(&q);
    ck_assert(e.time == 0.0 && !signbit(e.time) && pes_key_seq(e.key) == 9);
    uint64_t last = 0;
    double last_t = 0.0;
    for (size_t i = 2; i < n; i++) {
        e = pes_pop(&q);
        if (e.time == last_t) REQUIRE(pes_key_seq(e.key) > last);
        else REQUIRE(e.time > last_t);
        last = pes_key_seq(e.key);
        last_t = e.time;
    }
    ck_assert_uint_eq(pes_size(&q), 0);
    /* the ones at 1.0 are 0, 3, ..., 999 minus 6 and 9; the last popped is 998 at 2.0 */
    ck_assert(last_t == 2.0 && last == 998);
    pes_fini(&q);
}
END_TEST

/* Interleaved pushes and pops against a sorted array (kept descending, so the minimum
 * is at the end). Half the times come from a coarse grid, so ties are frequent. The
 * first half of the run grows the set, the second half drains it. */
START_TEST(test_random_against_reference)
{
    const size_t ops = test_quick() ? 20000 : 100000;
    pes q;
    ck_assert_int_eq(pes_init(&q, 1), 0);
    pes_entry *ref = malloc(ops * sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    size_t n = 0, pops = 0;
    uint64_t seq = 0;
    rng r;
    rng_seed(&r, 2024, 0, "pes-random");
    for (size_t op = 0; op < ops; op++) {
        double p_push = op < ops / 2 ? 0.6 : 0.4;
        if (n == 0 || rng_uniform(&r) < p_push) {
            double t = rng_below(&r, 2) ? (double)rng_below(&r, 64) * 0.25
                                        : rng_uniform(&r) * 16.0;
            pes_entry x = { t, pes_key(seq++, (uint32_t)rng_below(&r, 1u << 24)) };
            REQUIRE(pes_push(&q, x.time, x.key) == 0);
            /* insert into the descending array: first index whose entry is below x */
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ref_less(ref[mid], x)) hi = mid;
                else lo = mid + 1;
            }
            memmove(&ref[lo + 1], &ref[lo], (n - lo) * sizeof *ref);
            ref[lo] = x;
            n++;
        } else {
            pes_entry want = ref[--n];
            pes_entry got = pes_pop(&q);
            if (!(got.time == want.time && got.key == want.key))
                ck_abort_msg("op %zu: popped (%g, %llu), expected (%g, %llu)", op,
                             got.time, (unsigned long long)got.key, want.time,
                             (unsigned long long)want.key);
            pops++;
        }
        REQUIRE(pes_size(&q) == n);
        if (n) {
            const pes_entry *t = pes_top(&q);
            REQUIRE(t->time == ref[n - 1].time && t->key == ref[n - 1].key);
        } else {
            REQUIRE(pes_top(&q) == NULL);
        }
    }
    ck_assert_uint_gt(pops, ops / 3);             /* both kinds of operation were exercised */
    while (n) {
        pes_entry want = ref[--n];
        pes_entry got = pes_pop(&q);
        REQUIRE(got.time == want.time && got.key == want.key);
    }
    free(ref);
    pes_fini(&q);
}
END_TEST

/* replace_top gives the same set as pop then push, at every step (checked by the top
 * after each step and the full order at the end), at sizes that use each prefetch mode
 * of the sift (none below 4096 entries, near up to 2^17, deep beyond). */
static void check_replace_equivalence(size_t n, size_t steps)
{
    pes a, b;
    ck_assert_int_eq(pes_init(&a, n), 0);
    ck_assert_int_eq(pes_init(&b, 1), 0);
    rng r;
    rng_seed(&r, 5, n, "pes-replace");
    uint64_t seq = 0;
    for (size_t i = 0; i < n; i++) {
        double t = rng_exp(&r, 1.0);
        REQUIRE(pes_push(&a, t, pes_key(seq, 0)) == 0);
        REQUIRE(pes_push(&b, t, pes_key(seq, 0)) == 0);
        seq++;
    }
    for (size_t s = 0; s < steps; s++) {
        const pes_entry *top = pes_top(&a);
        /* hold-model steps, plus some that stay on top and some exact ties */
        double t = s % 7 == 0 ? top->time : top->time + rng_exp(&r, 1.0);
        uint64_t k = pes_key(seq++, (uint32_t)s);
        pes_replace_top(&a, t, k);
        pes_pop(&b);
        REQUIRE(pes_push(&b, t, k) == 0);
        REQUIRE(pes_top(&a)->time == pes_top(&b)->time &&
                pes_top(&a)->key == pes_top(&b)->key);
    }
    ck_assert_uint_eq(pes_size(&a), n);
    ck_assert_uint_eq(pes_size(&b), n);
    pes_entry prev = { 0.0, 0 };
    for (size_t i = 0; i < n; i++) {
        pes_entry x = pes_pop(&a), y = pes_pop(&b);
        REQUIRE(x.time == y.time && x.key == y.key);
        if (i) REQUIRE(ref_less(prev, x));
        prev = x;
    }
    pes_fini(&a);
    pes_fini(&b);
}

START_TEST(test_replace_top_equivalence)
{
    check_replace_equivalence(1, 100);
    check_replace_equivalence(5, 1000);
    check_replace_equivalence(1000, 20000);
    check_replace_equivalence(10000, 50000);
    check_replace_equivalence(200000, test_quick() ? 20000 : 200000);
}
END_TEST

/* From capacity 1 (and 0) the array doubles as needed; a large set (beyond the size at
 * which the heap prefetches three levels ahead) still sorts exactly. */
START_TEST(test_growth)
{
    pes q;
    ck_assert_int_eq(pes_init(&q, 0), 0);
    ck_assert_uint_ge(q.capacity, 1);
    pes_fini(&q);

    ck_assert_int_eq(pes_init(&q, 1), 0);
    size_t cap0 = q.capacity, grows = 0;
    for (size_t i = 0; i < 5000; i++) {
        size_t before = q.capacity;
        ck_assert_int_eq(pes_push(&q, (double)(5000 - i), pes_key(i, 0)), 0);
        if (q.capacity != before) {
            grows++;
            ck_assert_uint_ge(q.capacity, 2 * before);   /* geometric */
        }
        ck_assert_uint_ge(q.capacity, pes_size(&q));
    }
    ck_assert_uint_gt(grows, 0);
    ck_assert_uint_le(grows, 13);                        /* log2(5000 / cap0) + 1 at most */
    ck_assert_uint_ge(cap0, 1);
    for (size_t i = 0; i < 5000; i++) {
        pes_entry e = pes_pop(&q);
        REQUIRE(e.time == (double)(i + 1) && pes_key_seq(e.key) == 4999 - i);
    }
    pes_fini(&q);

    const size_t big = 300000;
    pes_entry *in = malloc(big * sizeof *in);
    ck_assert_ptr_nonnull(in);
    rng r;
    rng_seed(&r, 3, 0, "pes-growth");
    for (size_t i = 0; i < big; i++)
        in[i] = (pes_entry){ (double)rng_below(&r, 100000) * 0.5, pes_key(i, (uint32_t)i) };
    check_sorts(in, big, 1);
    free(in);
}
END_TEST

/* Clear empties and keeps the memory; the set works as new afterwards (stale entries
 * past the end would surface as wrong minima). */
START_TEST(test_clear)
{
    pes q;
    ck_assert_int_eq(pes_init(&q, 1), 0);
    for (size_t i = 0; i < 1000; i++)
        REQUIRE(pes_push(&q, 0.001 * (double)i, pes_key(i, 0)) == 0);
    size_t cap = q.capacity;
    pes_clear(&q);
    ck_assert_uint_eq(pes_size(&q), 0);
    ck_assert_ptr_null(pes_top(&q));
    ck_assert_uint_eq(q.capacity, cap);
    /* seven entries: node 1 then has children 5, 6 and two empty positions that held
     * entries (times 0.007, 0.008) before the clear */
    static const double later[] = { 9, 8, 7, 6, 5, 4, 3 };
    for (size_t i = 0; i < 7; i++) ck_assert_int_eq(pes_push(&q, later[i], pes_key(i, 0)), 0);
    ck_assert_uint_eq(q.capacity, cap);
    for (size_t i = 0; i < 7; i++) {
        ck_assert(pes_top(&q)->time == 3.0 + (double)i);
        pes_entry e = pes_pop(&q);
        ck_assert(e.time == 3.0 + (double)i);
        /* a replace of the top must not meet old entries either */
        if (pes_size(&q) > 1) pes_replace_top(&q, pes_top(&q)->time, pes_top(&q)->key);
    }
    ck_assert_ptr_null(pes_top(&q));
    pes_clear(&q);                                      /* clearing an empty set is fine */
    ck_assert_uint_eq(pes_size(&q), 0);
    pes_fini(&q);
}
END_TEST

/* Every group of four siblings starts on a 64-byte line; a single entry pops to empty. */
START_TEST(test_layout_and_single)
{
    pes q;
    ck_assert_int_eq(pes_init(&q, 1000), 0);
    for (size_t i = 0; i * 4 + 1 < q.capacity; i++)
        REQUIRE((uintptr_t)&q.heap[4 * i + 1] % 64 == 0);
    ck_assert_int_eq(pes_push(&q, 1.5, 42), 0);
    pes_replace_top(&q, 2.5, 43);
    ck_assert(pes_top(&q)->time == 2.5 && pes_top(&q)->key == 43);
    pes_entry e = pes_pop(&q);
    ck_assert(e.time == 2.5 && e.key == 43);
    ck_assert_uint_eq(pes_size(&q), 0);
    ck_assert_ptr_null(pes_top(&q));
    /* infinite times are allowed and still ordered by key */
    ck_assert_int_eq(pes_push(&q, INFINITY, 9), 0);
    ck_assert_int_eq(pes_push(&q, INFINITY, 3), 0);
    ck_assert_int_eq(pes_push(&q, 1e308, 99), 0);
    ck_assert_uint_eq(pes_pop(&q).key, 99);
    ck_assert_uint_eq(pes_pop(&q).key, 3);
    ck_assert_uint_eq(pes_pop(&q).key, 9);
    pes_fini(&q);
    pes_fini(&q);                                       /* fini twice is harmless */
}
END_TEST

Suite *pes_suite(void)
{
    Suite *s = suite_create("pes");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_key_packing);
    tcase_add_test(tc, test_order_by_time);
    tcase_add_test(tc, test_ties_by_sequence);
    tcase_add_test(tc, test_random_against_reference);
    tcase_add_test(tc, test_replace_top_equivalence);
    tcase_add_test(tc, test_growth);
    tcase_add_test(tc, test_clear);
    tcase_add_test(tc, test_layout_and_single);
    suite_add_tcase(s, tc);
    return s;
}
