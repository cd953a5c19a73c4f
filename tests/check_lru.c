/* check_lru.c: the cache replacement structure (models/lru.h).
 *
 * Exact sequences: LRU and FIFO on a capacity-3 cache (which key is evicted, the recency
 * order after every step, updates in place); RANDOM evicts entries[rng_below(n)] of the
 * dense array, predicted draw for draw by a second stream of the same seed; capacity 0
 * keeps nothing; lru_init's refusals. A randomised comparison against a naive O(n) list
 * model (LRU and FIFO, 200k mixed operations on 300 keys through a capacity-64 cache)
 * checks every result and the whole order after every operation, exercising the hash
 * table's backward-shift deletion and the dense-array moves. Growth to a capacity of
 * 100k keys, lru_clear and refilling. Statistical: RANDOM's victim is uniform over the
 * present keys: each of 10 keys' victim count over 20000 evictions lies in the central
 * 1 - 1e-6 interval of Binomial(20000, 1/10) (fixed seed).
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#include "models/lru.h"
#include "sim/rng.h"

/* Asserts the recency order (most recent first). */
static void assert_order(const lru *c, const uint64_t *want, size_t n)
{
    uint64_t got[64];
    size_t k = lru_order(c, got, 64);
    if (k != n || lru_size(c) != n)
        ck_abort_msg("%zu keys in order, size %zu, expected %zu", k, lru_size(c), n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            ck_abort_msg("position %zu: key %llu, expected %llu", i, (unsigned long long)got[i],
                         (unsigned long long)want[i]);
}

#define ORDER(c, ...)                                                   \
    do {                                                                \
        const uint64_t w_[] = {__VA_ARGS__};                            \
        assert_order((c), w_, sizeof w_ / sizeof w_[0]);                \
    } while (0)

START_TEST(test_lru_sequence)
{
    lru c;
    uint64_t victim = 0;
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_LRU, 3, NULL), 0);
    ck_assert_ptr_null(lru_get(&c, 1));
    ck_assert_int_eq(lru_put(&c, 1, 10, INFINITY, &victim), LRU_INSERTED);
    ck_assert_int_eq(lru_put(&c, 2, 20, INFINITY, &victim), LRU_INSERTED);
    ck_assert_int_eq(lru_put(&c, 3, 30, 5.0, &victim), LRU_INSERTED);
    ORDER(&c, 3, 2, 1);
    ck_assert_uint_eq(lru_get(&c, 1)->version, 10);
    ORDER(&c, 1, 3, 2);
    ck_assert_double_eq(lru_peek(&c, 3)->expires, 5.0);
    ORDER(&c, 1, 3, 2); /* peek does not reorder */
    ck_assert_int_eq(lru_put(&c, 4, 40, INFINITY, &victim), LRU_REPLACED);
    ck_assert_uint_eq(victim, 2);
    ORDER(&c, 4, 1, 3);
    ck_assert_ptr_null(lru_peek(&c, 2));
    ck_assert_int_eq(lru_put(&c, 3, 31, 7.0, &victim), LRU_UPDATED);
    ORDER(&c, 3, 4, 1);
    ck_assert_uint_eq(lru_peek(&c, 3)->version, 31);
    ck_assert_double_eq(lru_peek(&c, 3)->expires, 7.0);
    ck_assert_int_eq(lru_remove(&c, 4), 1);
    ck_assert_int_eq(lru_remove(&c, 4), 0);
    ORDER(&c, 3, 1);
    ck_assert_int_eq(lru_put(&c, 5, 50, INFINITY, &victim), LRU_INSERTED);
    ck_assert_int_eq(lru_put(&c, 6, 60, INFINITY, &victim), LRU_REPLACED);
    ck_assert_uint_eq(victim, 1);
    ORDER(&c, 6, 5, 3);
    ck_assert_uint_eq(c.evictions, 2);
    lru_fini(&c);
}
END_TEST

START_TEST(test_fifo_sequence)
{
    lru c;
    uint64_t victim = 0;
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_FIFO, 3, NULL), 0);
    lru_put(&c, 1, 10, INFINITY, NULL);
    lru_put(&c, 2, 20, INFINITY, NULL);
    lru_put(&c, 3, 30, INFINITY, NULL);
    ORDER(&c, 3, 2, 1);
    ck_assert_uint_eq(lru_get(&c, 1)->version, 10);
    ORDER(&c, 3, 2, 1); /* a use does not move a key */
    ck_assert_int_eq(lru_put(&c, 4, 40, INFINITY, &victim), LRU_REPLACED);
    ck_assert_uint_eq(victim, 1);
    ORDER(&c, 4, 3, 2);
    ck_assert_int_eq(lru_put(&c, 3, 31, INFINITY, &victim), LRU_UPDATED);
    ORDER(&c, 4, 3, 2); /* nor does an update */
    ck_assert_uint_eq(lru_get(&c, 3)->version, 31);
    ck_assert_int_eq(lru_remove(&c, 4), 1);
    ORDER(&c, 3, 2);
    ck_assert_int_eq(lru_put(&c, 5, 50, INFINITY, &victim), LRU_INSERTED);
    ck_assert_int_eq(lru_put(&c, 6, 60, INFINITY, &victim), LRU_REPLACED);
    ck_assert_uint_eq(victim, 2);
    ORDER(&c, 6, 5, 3);
    lru_fini(&c);
}
END_TEST

START_TEST(test_random_sequence)
{
    /* Every eviction removes entries[rng_below(n)]: a second stream with the same seed
     * predicts each victim. */
    rng r, pred;
    rng_seed(&r, 42, 0, "evict");
    rng_seed(&pred, 42, 0, "evict");
    lru c;
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_RANDOM, 8, &r), 0);
    for (uint64_t k = 0; k < 1000; k++) {
        uint64_t victim = UINT64_MAX;
        uint64_t expect = UINT64_MAX;
        if (lru_size(&c) == 8) expect = c.entries[rng_below(&pred, 8)].key;
        int res = lru_put(&c, k, (uint32_t)k, INFINITY, &victim);
        ck_assert_int_eq(res, k < 8 ? LRU_INSERTED : LRU_REPLACED);
        if (k >= 8) {
            ck_assert_uint_eq(victim, expect);
            ck_assert_ptr_null(lru_peek(&c, victim));
        }
        ck_assert_uint_eq(lru_peek(&c, k)->version, (uint32_t)k);
        if (k % 7 == 3) ck_assert_ptr_nonnull(lru_get(&c, k)); /* uses change nothing */
    }
    ck_assert_uint_eq(lru_size(&c), 8);
    ck_assert_uint_eq(c.evictions, 992);
    lru_fini(&c);
}
END_TEST

START_TEST(test_capacity_zero_and_init)
{
    lru c;
    rng r;
    rng_seed(&r, 1, 0, "x");
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_LRU, 0, NULL), 0);
    ck_assert_int_eq(lru_put(&c, 1, 1, INFINITY, NULL), LRU_NOT_KEPT);
    ck_assert_ptr_null(lru_get(&c, 1));
    ck_assert_uint_eq(lru_size(&c), 0);
    ck_assert_int_eq(lru_remove(&c, 1), 0);
    lru_clear(&c);
    lru_fini(&c);
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_RANDOM, 4, NULL), -1);
    ck_assert_int_eq(lru_init(&c, 7, 4, &r), -1);
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_LRU, (uint64_t)LRU_MAX_CAPACITY + 1, NULL), -1);
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_FIFO, LRU_MAX_CAPACITY, NULL), 0);
    lru_fini(&c); /* nothing was allocated */
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_RANDOM, 1, &r), 0);
    uint64_t victim = 0;
    lru_put(&c, 5, 1, INFINITY, &victim);
    ck_assert_int_eq(lru_put(&c, 6, 1, INFINITY, &victim), LRU_REPLACED);
    ck_assert_uint_eq(victim, 5);
    lru_fini(&c);
}
END_TEST

/* ---- against a naive model ------------------------------------------------------------- */

typedef struct naive {
    uint64_t key[64];   /* most recent first */
    uint32_t ver[64];
    size_t n;
} naive;

static int naive_find(const naive *m, uint64_t key)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->key[i] == key) return (int)i;
    return -1;
}

static void naive_erase(naive *m, size_t i)
{
    for (size_t j = i; j + 1 < m->n; j++) {
        m->key[j] = m->key[j + 1];
        m->ver[j] = m->ver[j + 1];
    }
    m->n--;
}

static void naive_front(naive *m, uint64_t key, uint32_t ver)
{
    for (size_t j = m->n; j > 0; j--) {
        m->key[j] = m->key[j - 1];
        m->ver[j] = m->ver[j - 1];
    }
    m->key[0] = key;
    m->ver[0] = ver;
    m->n++;
}

static void compare_with_naive(int policy)
{
    enum { CAP = 64, KEYS = 300, OPS = 200000 };
    rng r;
    rng_seed(&r, 7, (uint64_t)policy, "ops");
    lru c;
    naive m = {.n = 0};
    ck_assert_int_eq(lru_init(&c, policy, CAP, NULL), 0);
    for (uint32_t op = 1; op <= OPS; op++) {
        uint64_t key = rng_below(&r, KEYS);
        uint64_t kind = rng_below(&r, 10);
        int at = naive_find(&m, key);
        if (kind < 5) { /* get */
            lru_entry *e = lru_get(&c, key);
            ck_assert_int_eq(e != NULL, at >= 0);
            if (e) {
                ck_assert_uint_eq(e->version, m.ver[at]);
                if (policy == LRU_POLICY_LRU) {
                    uint32_t v = m.ver[at];
                    naive_erase(&m, (size_t)at);
                    naive_front(&m, key, v);
                }
            }
        } else if (kind < 9) { /* put */
            uint64_t victim = UINT64_MAX;
            int res = lru_put(&c, key, op, INFINITY, &victim);
            if (at >= 0) {
                ck_assert_int_eq(res, LRU_UPDATED);
                if (policy == LRU_POLICY_LRU) {
                    naive_erase(&m, (size_t)at);
                    naive_front(&m, key, op);
                } else {
                    m.ver[at] = op;
                }
            } else if (m.n == CAP) {
                ck_assert_int_eq(res, LRU_REPLACED);
                ck_assert_uint_eq(victim, m.key[m.n - 1]);
                m.n--;
                naive_front(&m, key, op);
            } else {
                ck_assert_int_eq(res, LRU_INSERTED);
                naive_front(&m, key, op);
            }
        } else { /* remove */
            ck_assert_int_eq(lru_remove(&c, key), at >= 0);
            if (at >= 0) naive_erase(&m, (size_t)at);
        }
        assert_order(&c, m.key, m.n);
    }
    lru_fini(&c);
}

START_TEST(test_against_naive_lru) { compare_with_naive(LRU_POLICY_LRU); }
END_TEST

START_TEST(test_against_naive_fifo) { compare_with_naive(LRU_POLICY_FIFO); }
END_TEST

START_TEST(test_growth_and_clear)
{
    enum { N = 100000 };
    lru c;
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_LRU, N, NULL), 0);
    for (int round = 0; round < 2; round++) {
        for (uint64_t k = 0; k < N; k++)
            ck_assert_int_eq(lru_put(&c, k * 7919, (uint32_t)k, INFINITY, NULL), LRU_INSERTED);
        ck_assert_uint_eq(lru_size(&c), N);
        ck_assert_uint_le(c.cap_entries, N);
        for (uint64_t k = 0; k < N; k++) ck_assert_uint_eq(lru_peek(&c, k * 7919)->version, k);
        uint64_t victim;
        ck_assert_int_eq(lru_put(&c, 1, 0, INFINITY, &victim), LRU_REPLACED);
        ck_assert_uint_eq(victim, 0); /* key 0 * 7919, the oldest */
        size_t cap = c.cap_entries;
        lru_clear(&c);
        ck_assert_uint_eq(lru_size(&c), 0);
        ck_assert_ptr_null(lru_get(&c, 7919));
        ck_assert_uint_eq(c.cap_entries, cap); /* memory kept */
    }
    lru_fini(&c);
}
END_TEST

START_TEST(test_random_uniform)
{
    /* Keys 0..9 fill the cache; each trial inserts key 1000 (evicting one of them), then
     * removes it and puts the victim back, so every trial starts from the same ten keys. */
    enum { K = 10, TRIALS = 20000 };
    rng r;
    rng_seed(&r, 99, 0, "evict");
    lru c;
    ck_assert_int_eq(lru_init(&c, LRU_POLICY_RANDOM, K, &r), 0);
    for (uint64_t k = 0; k < K; k++) lru_put(&c, k, 0, INFINITY, NULL);
    unsigned count[K] = {0};
    for (int t = 0; t < TRIALS; t++) {
        uint64_t victim = UINT64_MAX;
        ck_assert_int_eq(lru_put(&c, 1000, 0, INFINITY, &victim), LRU_REPLACED);
        ck_assert_uint_lt(victim, K);
        count[victim]++;
        ck_assert_int_eq(lru_remove(&c, 1000), 1);
        ck_assert_int_eq(lru_put(&c, victim, 0, INFINITY, NULL), LRU_INSERTED);
    }
    /* central 1 - 1e-6 interval of Binomial(TRIALS, 1/K), per key */
    unsigned lo = 0, hi = TRIALS;
    while (gsl_cdf_binomial_P(lo, 1.0 / K, TRIALS) < 0.5e-6) lo++;
    while (gsl_cdf_binomial_Q(hi - 1, 1.0 / K, TRIALS) < 0.5e-6) hi--;
    for (int k = 0; k < K; k++)
        ck_assert_msg(count[k] >= lo && count[k] <= hi, "key %d evicted %u times, outside [%u, %u]",
                      k, count[k], lo, hi);
    lru_fini(&c);
}
END_TEST

Suite *lru_suite(void)
{
    Suite *s = suite_create("lru");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_lru_sequence);
    tcase_add_test(tc, test_fifo_sequence);
    tcase_add_test(tc, test_random_sequence);
    tcase_add_test(tc, test_capacity_zero_and_init);
    tcase_add_test(tc, test_against_naive_lru);
    tcase_add_test(tc, test_against_naive_fifo);
    tcase_add_test(tc, test_growth_and_clear);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistical");
    tcase_add_test(st, test_random_uniform);
    suite_add_tcase(s, st);
    return s;
}
