/* check_shard_map.c: the key -> shard strategies (models/shard_map.h).
 *
 * Exact cases: parsing and its messages, the lookup rules (hash, range bounds, directory
 * blocks, geo regions), range splits and directory moves with exactly known key counts,
 * copies, limits, and the evenly spaced sampling of shard_map_moved.
 *
 * Keys moved from N to N+1 shards. The computations are deterministic (no seed), so a
 * bound is a statement about the hash: under the model that shard_hash64 of distinct keys
 * behaves like independent uniform 64-bit values,
 *  - mod N: a key stays iff h mod N == h mod (N+1); of the N(N+1) residues of h mod
 *    N(N+1), exactly N satisfy it (Chinese remainder theorem), so the moved count over K
 *    keys is Binomial(K, N/(N+1));
 *  - consistent(V): the new shard's exact ring share p (the V arcs ending at its vnodes,
 *    computed by shard_map_ring_share) is, under the same model for the vnode positions,
 *    a sum of V of the M = (N+1)V Dirichlet(1, ..., 1) spacings of the circle, i.e.
 *    Beta(V, M - V) with mean 1/(N+1): that bounds the ring's imbalance; given the ring,
 *    the moved count over K keys is Binomial(K, p), and every moved key goes to the new
 *    shard (exact).
 * Each bound is the central 1 - 1e-6 region of the exact distribution (GSL's binomial and
 * beta CDFs; DBSCALE_QUICK uses K = 2^16 keys instead of 2^20, bounds from the same
 * distributions), so a correct hash fails a case with probability 1e-6, while a wrong rule
 * (mod N moving 1/(N+1), or a ring moving N/(N+1)) is hundreds of deviations away.
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/shard_map.h"
#include "tests/test_util.h"

#define TAIL 1e-6

/* Smallest m with P(X <= m) >= q for X ~ Binomial(n, p) (exact CDF, bisection). */
static unsigned binom_quantile(double q, double p, unsigned n)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (gsl_cdf_binomial_P(mid, p, n) >= q) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* x with P(X <= x) = q for X ~ Beta(a, b), by bisection on the exact CDF (GSL's own
 * inverse does not converge this far in the tails). */
static double beta_quantile(double q, double a, double b)
{
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
        double mid = 0.5 * (lo + hi);
        if (gsl_cdf_beta_P(mid, a, b) >= q) hi = mid;
        else lo = mid;
    }
    return 0.5 * (lo + hi);
}

/* Asserts that count lies in the central 1 - TAIL region of Binomial(n, p). */
static void assert_binomial(uint64_t count, double p, unsigned n, const char *what)
{
    unsigned lo = binom_quantile(TAIL / 2, p, n), hi = binom_quantile(1 - TAIL / 2, p, n);
    ck_assert_msg(count >= lo && count <= hi, "%s: %llu outside [%u, %u] (Binomial(%u, %g))",
                  what, (unsigned long long)count, lo, hi, n, p);
}

static shard_strategy parse_ok(const char *text)
{
    shard_strategy s;
    char err[300];
    int rc = shard_strategy_parse(text, &s, err, sizeof err);
    ck_assert_msg(rc == 0, "'%s': %s", text, err);
    return s;
}

static void parse_err(const char *text, const char *want)
{
    shard_strategy s;
    char err[300] = "";
    ck_assert_int_eq(shard_strategy_parse(text, &s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, want), "'%s': message '%s' lacks '%s'", text, err, want);
}

static shard_map map_of(const char *text, uint32_t n, uint64_t block)
{
    shard_strategy s = parse_ok(text);
    shard_map m;
    char err[300];
    int rc = shard_map_init(&m, &s, n, block, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    return m;
}

START_TEST(test_parse_and_format)
{
    static const struct { const char *in, *out; int kind; } cases[] = {
        {"hash", "hash", SHARD_HASH},
        {"  hash  ", "hash", SHARD_HASH},
        {"consistent(200)", "consistent(200)", SHARD_CONSISTENT},
        {"consistent", "consistent(100)", SHARD_CONSISTENT},
        {"range(250k, 500k,750k)", "range(250k, 500k, 750k)", SHARD_RANGE},
        {"range(7)", "range(7)", SHARD_RANGE},
        {"directory", "directory", SHARD_DIRECTORY},
        {"geo", "geo", SHARD_GEO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        shard_strategy s = parse_ok(cases[i].in);
        ck_assert_int_eq(s.kind, cases[i].kind);
        char buf[200];
        ck_assert_int_gt(shard_strategy_format(&s, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, cases[i].out);
        shard_strategy back = parse_ok(buf);
        ck_assert_int_eq(memcmp(&back, &s, sizeof s), 0);
    }
    shard_strategy r = parse_ok("range(250k, 500k, 750k)");
    ck_assert_uint_eq(r.n_bounds, 3);
    ck_assert_uint_eq(r.bounds[2], 750000);
    ck_assert_uint_eq(shard_strategy_shards(&r), 4);
    ck_assert_uint_eq(shard_strategy_shards(&(shard_strategy){.kind = SHARD_HASH}), 0);
    char small[8];
    ck_assert_int_eq(shard_strategy_format(&r, small, sizeof small), -1);
}
END_TEST

START_TEST(test_parse_errors)
{
    parse_err("hsah", "unknown strategy 'hsah' in 'hsah' (did you mean 'hash'?");
    parse_err("modulo", "unknown strategy 'modulo'");
    parse_err("", "missing or unknown strategy");
    parse_err("hash(3)", "strategy 'hash' takes no arguments in 'hash(3)'");
    parse_err("consistent(0)", "virtual nodes 0 in 'consistent(0)' out of range (1 to 10000)");
    parse_err("consistent(10, 2)", "consistent takes one argument");
    parse_err("consistent(ten)", "virtual node count 'ten' in 'consistent(ten)' is not a whole number");
    parse_err("range()", "range needs its bounds in 'range()'");
    parse_err("range", "range needs its bounds");
    parse_err("range(5, 3)", "must be strictly ascending and above 0 (bound 2 is 3)");
    parse_err("range(0, 3)", "strictly ascending and above 0 (bound 1 is 0)");
    parse_err("range(1, 2", "missing ')' at the end of 'range(1, 2'");
    parse_err("range(1, , 3)", "bound missing");
    parse_err("range((1), 2)", "unbalanced parentheses");
}
END_TEST

START_TEST(test_lookup_rules)
{
    shard_map h = map_of("hash", 7, 1);
    for (uint64_t k = 0; k < 1000; k++)
        ck_assert_uint_eq(shard_map_lookup(&h, k, 3), shard_hash64(k) % 7);
    ck_assert_uint_ne(shard_hash64(0), 0);
    ck_assert_uint_ne(shard_hash64(1), shard_hash64(2));
    shard_map_fini(&h);

    shard_map r = map_of("range(100, 200, 300)", 4, 1);
    static const struct { uint64_t key; uint32_t shard; } rc[] = {
        {0, 0}, {99, 0}, {100, 1}, {199, 1}, {200, 2}, {299, 2}, {300, 3}, {UINT64_MAX, 3},
    };
    for (size_t i = 0; i < sizeof rc / sizeof rc[0]; i++)
        ck_assert_uint_eq(shard_map_lookup(&r, rc[i].key, 0), rc[i].shard);
    uint64_t lo, hi;
    ck_assert_int_eq(shard_map_interval(&r, 3, 400, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 300);
    ck_assert_uint_eq(hi, 400);
    ck_assert_int_eq(shard_map_interval(&r, 1, 400, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 100);
    ck_assert_uint_eq(hi, 200);
    shard_map_fini(&r);

    shard_map d = map_of("directory", 4, 1000);
    for (uint64_t k = 0; k < 20000; k += 7)
        ck_assert_uint_eq(shard_map_lookup(&d, k, 0), (k / 1000) % 4);
    shard_map_fini(&d);

    shard_map g = map_of("geo", 3, 1);
    for (uint32_t reg = 0; reg < 10; reg++)
        ck_assert_uint_eq(shard_map_lookup(&g, 12345, reg), reg % 3);
    char err[300];
    ck_assert_int_eq(shard_map_add(&g, 0, 100, err, sizeof err), -1);
    ck_assert_str_eq(err, "geo sharding follows the regions: a shard cannot be added");
    ck_assert_uint_eq(g.n, 3);
    shard_map_fini(&g);
    shard_map_fini(&g); /* safe twice */

    shard_map c = map_of("consistent(50)", 5, 1);
    ck_assert_uint_eq(c.n_ring, 250);
    double total = 0.0;
    for (uint32_t i = 0; i < 5; i++) total += shard_map_ring_share(&c, i);
    ck_assert_msg(fabs(total - 1.0) < 1e-12, "ring shares sum to %.17g", total);
    /* A key goes to the first vnode at or after its hash. */
    for (uint64_t k = 0; k < 2000; k++) {
        uint64_t h = shard_hash64(k);
        size_t best = 0;
        int found = 0;
        for (size_t j = 0; j < c.n_ring; j++)
            if (c.ring[j].pos >= h && (!found || c.ring[j].pos < c.ring[best].pos)) best = j, found = 1;
        ck_assert_uint_eq(shard_map_lookup(&c, k, 0), c.ring[found ? best : 0].shard);
    }
    shard_map_fini(&c);
}
END_TEST

START_TEST(test_init_errors)
{
    char err[300];
    shard_strategy s = parse_ok("range(10, 20)");
    shard_map m;
    ck_assert_int_eq(shard_map_init(&m, &s, 4, 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "range with 2 bounds makes 3 shards, not 4");
    s = parse_ok("hash");
    ck_assert_int_eq(shard_map_init(&m, &s, 0, 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "0 shards is out of range (1 to 1024)");
    ck_assert_int_eq(shard_map_init(&m, &s, SHARD_MAX, 1, err, sizeof err), 0);
    ck_assert_int_eq(shard_map_add(&m, 0, 100, err, sizeof err), -1);
    ck_assert_str_eq(err, "already 1024 shards (at most 1024)");
    shard_map_fini(&m);
}
END_TEST

/* Range: a split moves exactly the upper half of one interval. */
START_TEST(test_range_split_exact)
{
    shard_map a = map_of("range(100, 200, 300)", 4, 1), b;
    ck_assert_int_eq(shard_map_copy(&b, &a), 0);
    char err[300];
    ck_assert_int_eq(shard_map_add(&b, 1, 400, err, sizeof err), 0);
    ck_assert_uint_eq(b.n, 5);
    ck_assert_uint_eq(shard_map_lookup(&b, 149, 0), 1);
    ck_assert_uint_eq(shard_map_lookup(&b, 150, 0), 4);
    ck_assert_uint_eq(shard_map_lookup(&b, 199, 0), 4);
    ck_assert_uint_eq(shard_map_lookup(&b, 200, 0), 2);
    uint64_t moved;
    ck_assert_double_eq(shard_map_moved(&a, &b, 400, &moved), 50.0 / 400.0);
    ck_assert_uint_eq(moved, 50);
    /* The last interval ends at the key space. */
    ck_assert_int_eq(shard_map_add(&b, 3, 400, err, sizeof err), 0);
    ck_assert_uint_eq(shard_map_lookup(&b, 349, 0), 3);
    ck_assert_uint_eq(shard_map_lookup(&b, 350, 0), 5);
    ck_assert_uint_eq(shard_map_lookup(&b, 1u << 30, 0), 5);
    /* An interval of one key cannot be split. */
    shard_map c = map_of("range(1, 2)", 3, 1);
    ck_assert_int_eq(shard_map_add(&c, 1, 10, err, sizeof err), -1);
    ck_assert_str_eq(err, "shard 1 holds fewer than 2 keys ([1, 2)): it cannot be split");
    shard_map_fini(&a);
    shard_map_fini(&b);
    shard_map_fini(&c);
}
END_TEST

/* Directory: every 5th block of each of 4 shards moves to the new shard. */
START_TEST(test_directory_moves_exact)
{
    shard_map a = map_of("directory", 4, 1000), b;
    ck_assert_int_eq(shard_map_copy(&b, &a), 0);
    char err[300];
    ck_assert_int_eq(shard_map_add(&b, 0, 1000000, err, sizeof err), 0);
    ck_assert_uint_eq(b.n_blocks, 1000);
    uint64_t per[5] = {0};
    for (uint64_t blk = 0; blk < 1000; blk++) per[b.table[blk]]++;
    for (int i = 0; i < 4; i++) ck_assert_uint_eq(per[i], 200);
    ck_assert_uint_eq(per[4], 200);
    uint64_t moved;
    ck_assert_double_eq(shard_map_moved(&a, &b, 1000000, &moved), 0.2);
    ck_assert_uint_eq(moved, 200000);
    /* Every moved key went to the new shard; blocks past the table stay round-robin. */
    for (uint64_t k = 0; k < 1000000; k += 997) {
        uint32_t x = shard_map_lookup(&a, k, 0), y = shard_map_lookup(&b, k, 0);
        ck_assert(x == y || y == 4);
    }
    ck_assert_uint_eq(shard_map_lookup(&b, 1000000 + 6 * 1000, 0), (1000 + 6) % 5);
    ck_assert_int_eq(shard_map_add(&b, 0, (uint64_t)SHARD_MAX_BLOCKS * 1000 + 1, err, sizeof err), -1);
    ck_assert(strstr(err, "raise directory_block"));
    shard_map_fini(&a);
    shard_map_fini(&b);
}
END_TEST

/* mod N: about N/(N+1) of the keys move. */
START_TEST(test_hash_moves_n_over_n_plus_1)
{
    const unsigned K = test_quick() ? 1u << 16 : 1u << 20;
    for (uint32_t n = 2; n <= 10; n++) {
        shard_map a = map_of("hash", n, 1), b;
        ck_assert_int_eq(shard_map_copy(&b, &a), 0);
        char err[300];
        ck_assert_int_eq(shard_map_add(&b, 0, K, err, sizeof err), 0);
        uint64_t moved;
        double ratio = shard_map_moved(&a, &b, K, &moved);
        ck_assert_double_eq(ratio, (double)moved / K);
        char what[64];
        snprintf(what, sizeof what, "mod-N keys moved %u -> %u", n, n + 1);
        assert_binomial(moved, (double)n / (n + 1), K, what);
        shard_map_fini(&a);
        shard_map_fini(&b);
    }
}
END_TEST

/* consistent(V): about 1/(N+1) of the keys move, all to the new shard. */
START_TEST(test_consistent_moves_one_over_n_plus_1)
{
    static const struct { uint32_t n; int v; } cases[] = {{4, 1000}, {9, 500}, {3, 2000}};
    const unsigned K = test_quick() ? 1u << 16 : 1u << 20;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t n = cases[c].n;
        char text[64];
        snprintf(text, sizeof text, "consistent(%d)", cases[c].v);
        shard_map a = map_of(text, n, 1), b;
        ck_assert_int_eq(shard_map_copy(&b, &a), 0);
        char err[300];
        ck_assert_int_eq(shard_map_add(&b, 0, K, err, sizeof err), 0);
        ck_assert_uint_eq(b.n_ring, (size_t)(n + 1) * cases[c].v);
        /* The ring's imbalance: the new shard's share against Beta(V, M - V). */
        double p = shard_map_ring_share(&b, n);
        double V = cases[c].v, M = (n + 1) * V;
        double plo = beta_quantile(TAIL / 2, V, M - V), phi = beta_quantile(1 - TAIL / 2, V, M - V);
        ck_assert_msg(plo > 0.8 / (n + 1) && phi < 1.25 / (n + 1), "bound [%g, %g] too wide", plo, phi);
        ck_assert_msg(p >= plo && p <= phi, "ring share %g of the new shard outside [%g, %g]",
                      p, plo, phi);
        uint64_t moved;
        shard_map_moved(&a, &b, K, &moved);
        assert_binomial(moved, p, K, text);
        for (uint64_t k = 0; k < K; k += 13) {
            uint32_t x = shard_map_lookup(&a, k, 0), y = shard_map_lookup(&b, k, 0);
            ck_assert_msg(x == y || y == n, "key %llu moved from %u to old shard %u",
                          (unsigned long long)k, x, y);
        }
        shard_map_fini(&a);
        shard_map_fini(&b);
    }
}
END_TEST

/* Beyond SHARD_MOVED_EXACT keys, evenly spaced keys are evaluated. */
START_TEST(test_moved_sampling)
{
    const uint64_t K = 2ull * SHARD_MOVED_EXACT; /* every other key */
    char text[128];
    snprintf(text, sizeof text, "range(%llu, %llu, %llu)", (unsigned long long)(K / 4),
             (unsigned long long)(K / 2), (unsigned long long)(3 * K / 4));
    shard_map a = map_of(text, 4, 1), b;
    ck_assert_int_eq(shard_map_copy(&b, &a), 0);
    char err[300];
    ck_assert_int_eq(shard_map_add(&b, 3, K, err, sizeof err), 0);
    uint64_t moved;
    ck_assert_double_eq(shard_map_moved(&a, &b, K, &moved), 0.125);
    ck_assert_uint_eq(moved, SHARD_MOVED_EXACT / 8);
    ck_assert_double_eq(shard_map_moved(&a, &b, 0, &moved), 0.0);
    ck_assert_uint_eq(moved, 0);
    shard_map_fini(&a);
    shard_map_fini(&b);
}
END_TEST

Suite *shard_map_suite(void)
{
    Suite *s = suite_create("shard_map");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_parse_and_format);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_lookup_rules);
    tcase_add_test(tc, test_init_errors);
    tcase_add_test(tc, test_range_split_exact);
    tcase_add_test(tc, test_directory_moves_exact);
    tcase_add_test(tc, test_moved_sampling);
    suite_add_tcase(s, tc);
    TCase *stat = tcase_create("keys_moved");
    tcase_set_timeout(stat, TEST_STAT_TIMEOUT);
    tcase_add_test(stat, test_hash_moves_n_over_n_plus_1);
    tcase_add_test(stat, test_consistent_moves_one_over_n_plus_1);
    suite_add_tcase(s, stat);
    return s;
}
