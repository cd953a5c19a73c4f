/* check_partitions.c: the partitioned table (models/partitions.c) and its use by the node.
 *
 * Exact cases: the option hooks and their messages; the spec checks; routing of range,
 * list and hash layouts (hash against the published splitmix64 output); pruning counts and
 * rows read for windows covering whole and part partitions, with and without an index;
 * delete, vacuum and drop changing what scans read. On the node, with constant times
 * chosen as binary fractions (so every sum is exact in floating point): a scan whose
 * window covers k of P partitions costs exactly scan_time + k/P of the full scan's row cost
 * + k x scan_overhead; hash and none cost the full scan whatever the window; maintenance
 * busy time is exactly rows x per-row time, split over the workers, and its effect on a
 * foreground user is an exact count of completions. Statistical case (fixed seeds): a
 * Poisson stream of scans on one core is an M/G/1 queue whose service-time moments follow
 * from the layout; the mean latency must lie in a 99.9% Student-t interval over
 * replications that is also required to be narrow, and Little's law holds on the node.
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "models/clients.h"
#include "models/node.h"
#include "models/partitions.h"
#include "sim/confidence.h"
#include "sim/report.h"
#include "tests/model_util.h"
#include "tests/test_util.h"

#define LEVEL 0.999
#define MAX_REPS 32

/* ---- helpers ---------------------------------------------------------------------------- */

/* A spec from text settings through the node's own option rows. */
typedef struct spec_case {
    const char *method, *partitions, *rows, *keys, *sizes, *list;
} spec_case;

static void spec_from(node_config_holder *h, const spec_case *c)
{
    char err[512];
    memset(h, 0, sizeof *h);
    ck_assert_int_eq(opt_defaults(node_kind.options, h, err, sizeof err), 0);
    const char *keys[] = {"partition_by", "partitions", "table_rows", "table_keys",
                          "partition_rows", "partition_list"};
    const char *vals[] = {c->method, c->partitions, c->rows, c->keys, c->sizes, c->list};
    for (int i = 0; i < 6; i++) {
        if (!vals[i]) continue;
        const opt_def *d = opt_find(node_kind.options, keys[i]);
        ck_assert_ptr_nonnull(d);
        ck_assert_msg(opt_set(d, h, vals[i], ".", err, sizeof err) == 0, "%s = %s: %s", keys[i],
                      vals[i], err);
    }
}

static void table_from(part_table *t, const spec_case *c)
{
    node_config_holder h;
    char err[512];
    spec_from(&h, c);
    ck_assert_msg(part_table_init(t, &h.cfg.table, err, sizeof err) == 0, "%s", err);
    opt_release(node_kind.options, &h);
}

/* ---- option hooks ----------------------------------------------------------------------- */

START_TEST(test_hooks)
{
    char err[512], buf[512];
    part_rows_list rows;
    ck_assert_int_eq(part_rows_parse("1M, 1.2M,900k ,0", &rows, ".", err, sizeof err), 0);
    ck_assert_int_eq(rows.n, 4);
    ck_assert_double_eq(rows.rows[0], 1e6);
    ck_assert_double_eq(rows.rows[1], 1.2e6);
    ck_assert_double_eq(rows.rows[2], 9e5);
    ck_assert_double_eq(rows.rows[3], 0);
    ck_assert_int_gt(part_rows_format(&rows, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "1M, 1.2M, 900k, 0");
    ck_assert_int_eq(part_rows_parse("none", &rows, ".", err, sizeof err), 0);
    ck_assert_int_eq(rows.n, 0);
    ck_assert_int_eq(part_rows_format(&rows, buf, sizeof buf), 0);
    ck_assert_int_eq(part_rows_parse("1M, lots", &rows, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "bad row count 'lots' in partition_rows '1M, lots' (expected a count "
                          "from 0 to 1e15, e.g. 1.2M)");
    ck_assert_int_eq(part_rows_parse("1M,,2M", &rows, ".", err, sizeof err), -1);

    part_value_list list;
    ck_assert_int_eq(part_list_parse("0-3; 4-7 ; 8, 9", &list, ".", err, sizeof err), 0);
    ck_assert_int_eq(list.n_parts, 3);
    ck_assert_int_eq(list.n_ranges, 4);
    ck_assert_uint_eq(list.r[1].lo, 4);
    ck_assert_uint_eq(list.r[1].hi, 7);
    ck_assert_uint_eq(list.r[3].part, 2);
    ck_assert_int_gt(part_list_format(&list, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "0-3; 4-7; 8, 9");
    ck_assert_int_eq(part_list_parse("7-3", &list, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "range '7-3' in partition_list '7-3' runs backwards (write lo-hi with "
                          "lo <= hi)");
    ck_assert_int_eq(part_list_parse("0-3; x", &list, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "bad item 'x' in partition_list '0-3; x' (expected a value such as 7 "
                          "or a range such as 0-3)");

    double w;
    ck_assert_int_eq(part_window_parse("1/4", &w, ".", err, sizeof err), 0);
    ck_assert_double_eq(w, 0.25);
    ck_assert_int_eq(part_window_parse("25%", &w, ".", err, sizeof err), 0);
    ck_assert_double_eq(w, 0.25);
    ck_assert_int_eq(part_window_parse(" 1 / 365 ", &w, ".", err, sizeof err), 0);
    ck_assert_double_eq(w, 1.0 / 365.0);
    ck_assert_int_gt(part_window_format(&w, buf, sizeof buf), 0);
    double back;
    ck_assert_int_eq(part_window_parse(buf, &back, ".", err, sizeof err), 0);
    ck_assert_double_eq(back, w);
    ck_assert_int_eq(part_window_parse("0", &w, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "scan_window '0' is out of range (above 0, at most 1: the whole key "
                          "range)");
    ck_assert_int_eq(part_window_parse("3/2", &w, ".", err, sizeof err), -1);
    ck_assert_int_eq(part_window_parse("1/0", &w, ".", err, sizeof err), -1);
    ck_assert_str_eq(err, "bad scan_window '1/0' (expected a share of the key range: 0.25, 25% "
                          "or 1/4)");
}
END_TEST

START_TEST(test_spec_check)
{
    static const struct {
        spec_case c;
        const char *err; /* NULL: valid */
    } cases[] = {
        {{"range", "12", "12k", "1200", NULL, NULL}, NULL},
        {{"none", "12", NULL, NULL, "1, 2, 3", NULL},
         "primary.partition_rows lists 3 sizes but primary.partitions = 12 (one size per "
         "key-range slice)"},
        {{"range", "3", NULL, NULL, "1, 2", NULL},
         "primary.partition_rows lists 2 sizes but primary.partitions = 3 (one size per "
         "partition)"},
        {{"range", "12", NULL, "10", NULL, NULL},
         "primary.partitions = 12 is more than primary.table_keys = 10 (each range partition "
         "needs at least one value)"},
        {{"hash", "12", NULL, "10", NULL, NULL}, NULL},
        {{"list", "3", NULL, "10", NULL, NULL},
         "primary.partition_by = list needs primary.partition_list (e.g. '0-3; 4-7; 8, 9': "
         "values of each partition, partitions separated by ';')"},
        {{"range", "3", NULL, "10", NULL, "0-3; 4-7; 8, 9"},
         "primary.partition_list is set but primary.partition_by = range (the list applies to "
         "partition_by = list only)"},
        {{"list", "2", NULL, "10", NULL, "0-3; 4-7; 8, 9"},
         "primary.partition_list names 3 partitions but primary.partitions = 2"},
        {{"list", "3", NULL, "10", NULL, "0-3; 4-7; 8, 9"}, NULL},
        {{"list", "3", NULL, "10", NULL, "8, 9; 0-3; 4-7"}, NULL},
        {{"list", "3", NULL, "12", NULL, "0-3; 4-7; 8, 9"},
         "primary.partition_list leaves values 10 to 11 without a partition (it must cover 0 "
         "to 11, primary.table_keys - 1)"},
        {{"list", "3", NULL, "10", NULL, "0-3; 5-7; 8, 9"},
         "primary.partition_list leaves values 4 to 4 without a partition (it must cover 0 to "
         "9, primary.table_keys - 1)"},
        {{"list", "3", NULL, "10", NULL, "0-4; 4-7; 8, 9"},
         "primary.partition_list puts value 4 in two places (each value belongs to one "
         "partition)"},
        {{"list", "3", NULL, "10", NULL, "0-3; 4-7; 8, 10"},
         "primary.partition_list names value 10, beyond the 10 values of primary.table_keys (0 "
         "to 9)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        node_config_holder h;
        char err[512] = "";
        spec_from(&h, &cases[i].c);
        int rc = node_config_check(&h.cfg, "primary.", err, sizeof err);
        if (!cases[i].err) {
            ck_assert_msg(rc == 0, "case %zu: %s", i, err);
            ck_assert_int_eq(node_kind.validate(&h, err, sizeof err), 0);
        } else {
            ck_assert_msg(rc == -1, "case %zu passed", i);
            ck_assert_str_eq(err, cases[i].err);
            ck_assert_int_eq(node_kind.validate(&h, err, sizeof err), -1);
        }
        opt_release(node_kind.options, &h);
    }
}
END_TEST

/* ---- routing ---------------------------------------------------------------------------- */

START_TEST(test_route_range)
{
    /* 12 partitions over 1200 values: value v is in partition floor(v / 100); keys wrap
     * modulo table_keys. 7 partitions over 100 values: floor(7 v / 100). */
    part_table t;
    table_from(&t, &(spec_case){"range", "12", "12k", "1200", NULL, NULL});
    for (uint64_t v = 0; v < 1200; v++) ck_assert_uint_eq(part_table_route(&t, v), v / 100);
    ck_assert_uint_eq(part_table_route(&t, 1200 + 250), 2);
    ck_assert_uint_eq(part_table_route(&t, 5 * 1200 + 1199), 11);
    part_table_fini(&t);
    table_from(&t, &(spec_case){"range", "7", "7", "100", NULL, NULL});
    static const uint64_t bounds[] = {0, 15, 29, 43, 58, 72, 86}; /* ceil(100 i / 7) */
    for (uint64_t v = 0; v < 100; v++) {
        uint32_t p = 0;
        while (p + 1 < 7 && v >= bounds[p + 1]) p++;
        ck_assert_uint_eq(part_table_route(&t, v), p);
    }
    part_table_fini(&t);
}
END_TEST

START_TEST(test_route_list)
{
    /* Partitions listed out of order and split: p0 = {0, 1, 8, 9}, p1 = {2..7}, p2 = {10}. */
    static const uint32_t want[11] = {0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 2};
    part_table t;
    table_from(&t, &(spec_case){"list", "3", "1100", "11", NULL, "8-9, 0-1; 2-7; 10"});
    for (uint64_t v = 0; v < 11; v++) {
        ck_assert_uint_eq(part_table_route(&t, v), want[v]);
        ck_assert_uint_eq(part_table_route(&t, v + 11 * 1000), want[v]);
    }
    part_table_fini(&t);
}
END_TEST

/* splitmix64 (Steele, Lea & Flood 2014; Vigna's reference splitmix64.c): the outputs of a
 * generator seeded with 0 are mix(k * 0x9e3779b97f4a7c15) for k = 1, 2, 3. */
START_TEST(test_route_hash)
{
    const uint64_t gamma = UINT64_C(0x9e3779b97f4a7c15);
    ck_assert_uint_eq(part_mix64(gamma), UINT64_C(0xe220a8397b1dcdaf));
    ck_assert_uint_eq(part_mix64(2 * gamma), UINT64_C(0x6e789e6aa1b965f4));
    ck_assert_uint_eq(part_mix64(3 * gamma), UINT64_C(0x06c45d188009454f));
    /* 8 partitions over 12000 values: each value in mix64(v) mod 8; the count per partition
     * lies in the central 99.9% of Binomial(12000, 1/8) (the hash spreads like chance). */
    part_table t;
    table_from(&t, &(spec_case){"hash", "8", "8000", "12000", NULL, NULL});
    unsigned counts[8] = {0};
    for (uint64_t v = 0; v < 12000; v++) {
        uint32_t p = part_table_route(&t, v);
        ck_assert_uint_eq(p, part_mix64(v) % 8);
        ck_assert_uint_eq(part_table_route(&t, v + 12000), p);
        counts[p]++;
    }
    unsigned lo = 0, hi = 12000;
    while (gsl_cdf_binomial_P(lo, 0.125, 12000) < 0.0005 / 8) lo++;
    while (gsl_cdf_binomial_Q(hi - 1, 0.125, 12000) < 0.0005 / 8) hi--;
    for (int p = 0; p < 8; p++)
        ck_assert_msg(counts[p] >= lo && counts[p] <= hi, "partition %d holds %u values, "
                      "expected %u..%u", p, counts[p], lo, hi);
    part_table_fini(&t);
}
END_TEST

/* ---- pruning ------------------------------------------------------------------------------ */

START_TEST(test_prune_range)
{
    /* 12 partitions of 1000 rows over 1200 values (100 per partition). A window of k/12
     * from the first value of partition i touches partitions i .. min(11, i + k - 1): the
     * window is cut at the end of the key range. Without an index it reads 1000 rows per
     * partition touched; with one the rows in the window, 1000 per whole partition. */
    part_table t;
    table_from(&t, &(spec_case){"range", "12", "12k", "1200", NULL, NULL});
    uint8_t map[12];
    for (uint32_t i = 0; i < 12; i++) {
        for (uint32_t k = 1; k <= 12; k++) {
            uint32_t touched = k < 12 - i ? k : 12 - i;
            part_scan ps;
            part_table_scan(&t, 100 * i, k / 12.0, 0, &ps, map);
            ck_assert_uint_eq(ps.touched, touched);
            ck_assert_double_eq(ps.rows_scanned, 1000.0 * touched);
            ck_assert_double_eq(ps.rows_matched, 1000.0 * touched);
            for (uint32_t p = 0; p < 12; p++)
                ck_assert_uint_eq(map[p], p >= i && p < i + touched);
            part_table_scan(&t, 100 * i, k / 12.0, 1, &ps, NULL);
            ck_assert_uint_eq(ps.touched, touched);
            ck_assert_double_eq(ps.rows_scanned, 1000.0 * touched);
        }
    }
    /* a window of a quarter partition from the middle of partition 3: one partition; 1000
     * rows without an index, 250 with one */
    part_scan ps;
    part_table_scan(&t, 350, 1.0 / 48, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 1);
    ck_assert_double_eq(ps.rows_scanned, 1000);
    ck_assert_double_eq(ps.rows_matched, 250);
    part_table_scan(&t, 350, 1.0 / 48, 1, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 250);
    /* one partition's width from the middle of partition 3: partitions 3 and 4, half each */
    part_table_scan(&t, 350, 1.0 / 12, 0, &ps, map);
    ck_assert_uint_eq(ps.touched, 2);
    ck_assert_uint_eq(map[3] + map[4], 2);
    ck_assert_double_eq(ps.rows_scanned, 2000);
    ck_assert_double_eq(ps.rows_matched, 1000);
    part_table_scan(&t, 350, 1.0 / 12, 1, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 1000);
    /* a daily window (1/365 of the year) from the first day of a month: one partition;
     * from the last value of a month: two */
    part_table_scan(&t, 500, 1.0 / 365, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 1);
    part_table_scan(&t, 599, 1.0 / 365, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 2);
    /* a weekly window from value 1199 (the newest) is cut at the end: one partition, the
     * 10 rows of its last value */
    part_table_scan(&t, 1199, 7.0 / 365, 1, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 1);
    ck_assert_double_eq_tol(ps.rows_scanned, 10.0, 1e-9);
    part_table_fini(&t);
}
END_TEST

START_TEST(test_prune_list_hash_none)
{
    /* list p0 = {0, 1, 8, 9} (400 rows), p1 = {2..7} (1200), p2 = {10} (50): a window of
     * values 1..3 touches p0 and p1; values 7..9 touch p1 and p0 (p0 counted once though
     * two of its values ... one range); 0..10 all three; value 10 only p2. With an index
     * the rows read follow the values: 100 per value in p0, 200 in p1, 50 in p2. */
    part_table t;
    table_from(&t, &(spec_case){"list", "3", NULL, "11", "400, 1200, 50", "8-9, 0-1; 2-7; 10"});
    static const struct {
        uint64_t key;
        double window; /* of 11 values */
        uint32_t touched;
        double rows, rows_index;
    } cases[] = {
        {1, 3.0 / 11, 2, 1600, 100 + 400},
        {7, 3.0 / 11, 2, 1600, 200 + 200},
        {0, 1.0, 3, 1650, 1650},
        {10, 1.0 / 11, 1, 50, 50},
        {10, 1.0, 1, 50, 50},
        {2, 6.0 / 11, 1, 1200, 1200},
        {0, 2.0 / 11, 1, 400, 200},
        {1, 8.0 / 11, 2, 1600, 100 + 1200 + 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        part_scan ps;
        part_table_scan(&t, cases[i].key, cases[i].window, 0, &ps, NULL);
        ck_assert_msg(ps.touched == cases[i].touched, "case %zu: touched %u", i, ps.touched);
        ck_assert_double_eq_tol(ps.rows_scanned, cases[i].rows, 1e-9);
        part_table_scan(&t, cases[i].key, cases[i].window, 1, &ps, NULL);
        ck_assert_uint_eq(ps.touched, cases[i].touched);
        ck_assert_double_eq_tol(ps.rows_scanned, cases[i].rows_index, 1e-9);
        ck_assert_double_eq_tol(ps.rows_matched, cases[i].rows_index, 1e-9);
    }
    part_table_fini(&t);

    /* hash: every window touches all 8 partitions and, without an index, reads all rows;
     * with one, the window's share of every partition */
    table_from(&t, &(spec_case){"hash", "8", "8000", "1000", NULL, NULL});
    uint8_t map[8];
    part_scan ps;
    part_table_scan(&t, 500, 0.125, 0, &ps, map);
    ck_assert_uint_eq(ps.touched, 8);
    for (int p = 0; p < 8; p++) ck_assert_uint_eq(map[p], 1);
    ck_assert_double_eq(ps.rows_scanned, 8000);
    ck_assert_double_eq(ps.rows_matched, 1000);
    part_table_scan(&t, 500, 0.125, 1, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 1000);
    part_table_fini(&t);

    /* none: one partition, all rows; slices of unequal sizes set the rows in a window */
    table_from(&t, &(spec_case){"none", "4", NULL, "1000", "100, 200, 300, 400", NULL});
    part_table_scan(&t, 250, 0.5, 0, &ps, map);
    ck_assert_uint_eq(ps.touched, 1);
    ck_assert_uint_eq(map[0], 1);
    ck_assert_uint_eq(map[1] + map[2] + map[3], 0);
    ck_assert_double_eq(ps.rows_scanned, 1000);
    ck_assert_double_eq(ps.rows_matched, 200 + 300);
    part_table_scan(&t, 250, 0.5, 1, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 500);
    ck_assert_double_eq(part_table_partition_rows(&t, 0), 1000);
    part_table_fini(&t);
}
END_TEST

START_TEST(test_delete_vacuum_drop)
{
    /* range, 4 partitions of 1000 rows over 400 values */
    part_table t;
    table_from(&t, &(spec_case){"range", "4", "4000", "400", NULL, NULL});
    part_scan ps;
    /* delete partition 1's rows: scans still read them (dead) until the vacuum */
    ck_assert_double_eq(part_table_slice_live(&t, 1), 1000);
    ck_assert_double_eq(part_table_delete(&t, 1), 1000);
    ck_assert_double_eq(part_table_slice_live(&t, 1), 0);
    ck_assert_double_eq(part_table_slice_dead(&t, 1), 1000);
    part_table_scan(&t, 0, 0.5, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 2);
    ck_assert_double_eq(ps.rows_scanned, 2000);
    ck_assert_double_eq(ps.rows_matched, 1000);
    part_table_scan(&t, 0, 0.5, 1, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 2000);
    ck_assert_double_eq(part_table_vacuum(&t, 1), 1000);
    part_table_scan(&t, 0, 0.5, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 2); /* the empty partition is still opened */
    ck_assert_double_eq(ps.rows_scanned, 1000);
    /* drop partition 0: gone from scans */
    ck_assert_double_eq(part_table_drop(&t, 0), 1000);
    ck_assert_double_eq(part_table_drop(&t, 0), 0);
    part_table_scan(&t, 0, 0.5, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 1);
    ck_assert_double_eq(ps.rows_scanned, 0);
    part_table_scan(&t, 0, 1.0, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 3);
    ck_assert_double_eq(ps.rows_scanned, 2000);
    ck_assert_double_eq(part_table_partition_rows(&t, 0), 0);
    ck_assert_double_eq(part_table_slice_live(&t, 0), 0);
    part_table_fini(&t);

    /* one table cut into 4 key ranges: deleting range 0 leaves its rows dead in the table */
    table_from(&t, &(spec_case){"none", "4", "4000", "400", NULL, NULL});
    ck_assert_double_eq(part_table_delete(&t, 0), 1000);
    part_table_scan(&t, 0, 0.25, 0, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 4000);
    ck_assert_double_eq(ps.rows_matched, 0);
    ck_assert_double_eq(part_table_vacuum(&t, 0), 1000);
    part_table_scan(&t, 0, 0.25, 0, &ps, NULL);
    ck_assert_double_eq(ps.rows_scanned, 3000);
    ck_assert_double_eq(part_table_drop(&t, 0), 0); /* none: nothing to drop */
    part_table_fini(&t);

    /* hash: deleting key range 2 of 4 takes a quarter of every partition's rows */
    table_from(&t, &(spec_case){"hash", "4", "4000", "400", NULL, NULL});
    ck_assert_double_eq(part_table_delete(&t, 2), 1000);
    ck_assert_double_eq(part_table_partition_rows(&t, 3), 1000);
    ck_assert_double_eq(part_table_vacuum(&t, 2), 1000);
    ck_assert_double_eq(part_table_partition_rows(&t, 3), 750);
    ck_assert_double_eq(part_table_drop(&t, 3), 750);
    part_table_scan(&t, 0, 1.0, 0, &ps, NULL);
    ck_assert_uint_eq(ps.touched, 3);
    ck_assert_double_eq(ps.rows_scanned, 2250);
    ck_assert_double_eq(part_table_slice_live(&t, 0), 750);
    part_table_fini(&t);
}
END_TEST

/* ---- the node: a driver that sends scans at given keys and acts on the node ------------- */

enum { DRV_SCAN, DRV_CONTROL };

typedef struct drv_step {
    double t;            /* when */
    int what;            /* DRV_SCAN or DRV_CONTROL */
    uint64_t key;        /* DRV_SCAN: the scan's key */
    const char *action;  /* DRV_CONTROL: the action */
    double number;       /* DRV_CONTROL: its number */
} drv_step;

typedef struct driver {
    station base;          /* must be first */
    station *target;       /* the node */
    const drv_step *steps; /* script */
    size_t n_steps;
    double latency[64];    /* latency of each scan, by step index */
    uint64_t replies;      /* replies received */
} driver;

static const opt_def driver_options[] = {{0}};

static int driver_init(station *st)
{
    driver *d = (driver *)st;
    for (size_t i = 0; i < d->n_steps; i++)
        sim_schedule(st->sim, d->steps[i].t, st, 1, NULL, i);
    return 0;
}

static void driver_event(station *st, const sim_event *ev)
{
    driver *d = (driver *)st;
    const drv_step *step = &d->steps[ev->arg];
    if (step->what == DRV_SCAN) {
        request *r = sim_request_new(st->sim);
        ck_assert_ptr_nonnull(r);
        r->op = OP_SCAN;
        r->key = step->key;
        r->tag = ev->arg;
        sim_send(st->sim, st, d->target, r);
    } else {
        char err[256];
        int rc = d->target->ops->control(d->target, step->action, "", step->number, err,
                                         sizeof err);
        ck_assert_msg(rc == 0, "control %s: %s", step->action, err);
    }
}

static void driver_reply(station *st, request *r)
{
    driver *d = (driver *)st;
    ck_assert_int_eq(r->status, STATUS_OK);
    d->latency[r->tag] = st->sim->now - r->t_start;
    d->replies++;
    sim_request_free(st->sim, r);
}

static void driver_arrive(station *st, request *r)
{
    sim_request_free(st->sim, r);
    ck_abort_msg("driver received a request");
}

static const station_ops driver_ops = {
    .init = driver_init,
    .arrive = driver_arrive,
    .reply = driver_reply,
    .event = driver_event,
};

static const station_kind driver_kind = {
    .name = "driver",
    .options = driver_options,
    .config_size = 1,
    .station_size = sizeof(driver),
    .ops = &driver_ops,
};

static driver *add_driver(sim *s, station *target, const drv_step *steps, size_t n)
{
    char none = 0;
    driver *d = (driver *)station_new(s, &driver_kind, "driver", &none);
    ck_assert_ptr_nonnull(d);
    d->target = target;
    d->steps = steps;
    d->n_steps = n;
    return d;
}

/* The named value the node reports now. */
static double reported(station *st, const char *name)
{
    report r;
    report_init(&r);
    st->ops->report(st, &r);
    double v = report_get(&r, name);
    report_fini(&r);
    return v;
}

/* Binary fractions, so every sum below is exact: 2^-16 s per row, 4096 rows per partition
 * (1/16 s), 2^-6 s per partition opened, scan_time 1/4 s. */
#define ROW_TIME "0.0000152587890625s"
#define PART_ROWS_TIME 0.0625
#define OVERHEAD 0.015625
#define BASE 0.25

START_TEST(test_scan_cost)
{
    /* 12 range partitions over 1200 values. One scan at a time (every 2 s) on one core:
     * its latency is its CPU time. Window k/12 from the start of partition 0: k partitions;
     * the full scan (window 1) reads all 12. Checked: cost(k) = BASE + (k/12) (full row
     * cost) + k OVERHEAD exactly, for k = 1..12; with hash and none every window costs the
     * full scan (hash opens 12 partitions, none 1). */
    static const char *layouts[] = {"range", "hash", "none"};
    for (int l = 0; l < 3; l++) {
        for (int k = 1; k <= 12; k++) {
            char window[32], by[32];
            snprintf(window, sizeof window, "scan_window=%d/12", k);
            snprintf(by, sizeof by, "partition_by=%s", layouts[l]);
            const drv_step steps[] = {
                {0.0, DRV_SCAN, 0, NULL, 0},
                {2.0, DRV_SCAN, 300, NULL, 0}, /* from the start of partition 3 */
            };
            sim s;
            sim_config cfg = test_config(7, 0, 4.0, 0);
            ck_assert_int_eq(sim_init(&s, &cfg), 0);
            const char *db_set[] = {"cores=1", "scan_time=const(250ms)", by, "partitions=12",
                                    "table_rows=49152", "table_keys=1200", window,
                                    "scan_row_time=" ROW_TIME, "scan_overhead=15.625ms", NULL};
            station *db = test_add_station(&s, &node_kind, "db", db_set);
            driver *d = add_driver(&s, db, steps, 2);
            ck_assert_int_eq(sim_start(&s), 0);
            ck_assert_int_eq(sim_run(&s), 0);
            ck_assert_uint_eq(d->replies, 2);
            double full_rows = 12 * PART_ROWS_TIME;
            if (l == 0) {
                int from3 = k < 9 ? k : 9; /* cut at the end of the key range */
                ck_assert_double_eq(d->latency[0], BASE + k / 12.0 * full_rows + k * OVERHEAD);
                ck_assert_double_eq(d->latency[1],
                                    BASE + from3 / 12.0 * full_rows + from3 * OVERHEAD);
                ck_assert_double_eq(reported(db, "node.db.scan_partitions_mean"),
                                    (k + from3) / 2.0);
                ck_assert_double_eq(reported(db, "node.db.scan_rows_mean"),
                                    4096.0 * (k + from3) / 2.0);
            } else {
                double opened = l == 1 ? 12 : 1;
                ck_assert_double_eq(d->latency[0], BASE + full_rows + opened * OVERHEAD);
                ck_assert_double_eq(d->latency[1], BASE + full_rows + opened * OVERHEAD);
            }
            sim_fini(&s);
        }
    }
}
END_TEST

START_TEST(test_scan_cost_index)
{
    /* With an index, a window of half a partition from the middle of partition 3 reads
     * 2048 rows and opens one partition; a window of one partition from there reads 4096
     * rows over two partitions; with hash it reads the same rows but opens all 12. */
    static const struct { const char *by; int index; double want[2]; } cases[] = {
        {"range", 1, {BASE + PART_ROWS_TIME / 2 + OVERHEAD, BASE + PART_ROWS_TIME + 2 * OVERHEAD}},
        {"range", 0, {BASE + PART_ROWS_TIME + OVERHEAD, BASE + 2 * PART_ROWS_TIME + 2 * OVERHEAD}},
        {"hash", 1, {BASE + PART_ROWS_TIME / 2 + 12 * OVERHEAD, BASE + PART_ROWS_TIME + 12 * OVERHEAD}},
        {"none", 1, {BASE + PART_ROWS_TIME / 2 + OVERHEAD, BASE + PART_ROWS_TIME + OVERHEAD}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int w = 0; w < 2; w++) {
            char by[32], index[32];
            snprintf(by, sizeof by, "partition_by=%s", cases[i].by);
            snprintf(index, sizeof index, "scan_index=%s", cases[i].index ? "true" : "false");
            const drv_step steps[] = {{0.0, DRV_SCAN, 350, NULL, 0}};
            sim s;
            sim_config cfg = test_config(7, 0, 2.0, 0);
            ck_assert_int_eq(sim_init(&s, &cfg), 0);
            const char *db_set[] = {"cores=1", "scan_time=const(250ms)", by, index,
                                    "partitions=12", "table_rows=49152", "table_keys=1200",
                                    w ? "scan_window=1/12" : "scan_window=1/24",
                                    "scan_row_time=" ROW_TIME, "scan_overhead=15.625ms", NULL};
            station *db = test_add_station(&s, &node_kind, "db", db_set);
            driver *d = add_driver(&s, db, steps, 1);
            ck_assert_int_eq(sim_start(&s), 0);
            ck_assert_int_eq(sim_run(&s), 0);
            ck_assert_msg(d->latency[0] == cases[i].want[w], "case %zu window %d: %.17g, want %.17g",
                          i, w, d->latency[0], cases[i].want[w]);
            sim_fini(&s);
        }
    }
}
END_TEST

/* ---- maintenance on the node ---------------------------------------------------------- */

static const char *const maint_db[] = {
    "cores=4", "partition_by=range", "partitions=12", "table_rows=12000", "table_keys=1200",
    "drop_time=5ms", "delete_row_time=1ms", "vacuum_row_time=0.5ms", "maintenance_workers=2",
    "scan_time=const(250ms)", "scan_window=1", "scan_row_time=" ROW_TIME,
    "scan_overhead=15.625ms", NULL};

START_TEST(test_maintenance_busy)
{
    /* No foreground load, 4 cores. delete-rows 2 at 1 s: 1000 rows x 1 ms = 1 s of work on
     * 2 workers (1 - 1.5 s), then the vacuum, 1000 x 0.5 ms on 2 workers (1.5 - 1.75 s):
     * 1.5 core-seconds. The rows stay live until 1.5 s, dead until 1.75 s. drop-partition
     * 5 at 3 s: 5 ms on one core; afterwards full scans open 11 partitions. */
    static const drv_step steps[] = {
        {1.0, DRV_CONTROL, 0, "delete-rows", 2},
        {3.0, DRV_CONTROL, 0, "drop-partition", 5},
        {3.5, DRV_SCAN, 0, NULL, 0},
    };
    sim s;
    sim_config cfg = test_config(7, 0, 1.25, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    station *db = test_add_station(&s, &node_kind, "db", maint_db);
    driver *d = add_driver(&s, db, steps, 3);
    ck_assert_int_eq(sim_start(&s), 0);
    const node *nd = (const node *)db;
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_int_eq(nd->maint_busy, 2);
    ck_assert_double_eq(part_table_slice_live(&nd->table, 1), 1000);
    report ts;
    report_init(&ts);
    db->ops->sample(db, &ts);
    ck_assert_double_eq(report_get(&ts, "ts.maint_db"), 2);
    report_fini(&ts);
    s.cfg.duration = 1.6;
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_int_eq(nd->maint_busy, 2);
    ck_assert_double_eq(part_table_slice_live(&nd->table, 1), 0);
    ck_assert_double_eq(part_table_slice_dead(&nd->table, 1), 1000);
    s.cfg.duration = 2.0;
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_int_eq(nd->maint_busy, 0);
    ck_assert_double_eq(part_table_slice_dead(&nd->table, 1), 0);
    ck_assert_double_eq(reported(db, "node.db.maintenance_core_seconds"), 1.5);
    ck_assert_double_eq_tol(reported(db, "node.db.maintenance_cores"), 1.5 / 2.0, 1e-15);
    ck_assert_double_eq_tol(station_utilisation(db) * 4 * 2.0, 1.5, 1e-12);
    s.cfg.duration = 5.0;
    ck_assert_int_eq(sim_run(&s), 0);
    ck_assert_double_eq_tol(reported(db, "node.db.maintenance_core_seconds"), 1.505, 1e-12);
    ck_assert_uint_eq(nd->table.dropped[4], 1);
    ck_assert_uint_eq(d->replies, 1);
    /* 11 partitions opened; 10 of 1000 rows (partition 2 is empty, 5 is gone) */
    ck_assert_double_eq(d->latency[2], BASE + 10000 * 0.0000152587890625 + 11 * OVERHEAD);
    ck_assert_uint_eq(db->stats.departures, 1);
    sim_fini(&s);
}
END_TEST

START_TEST(test_maintenance_competes)
{
    /* One core, two closed users without think time, reads const(1 ms): a completion every
     * 1 ms, one read always waiting. At 1.0005 s maintenance starts; its worker takes the
     * core when the read in service ends (1.001 s), ahead of the waiting read (were the
     * reads first, the maintenance would never start).
     *  - delete-rows 1: 1000 rows x 1 ms = 1 s, then the vacuum 0.5 s: the reads wait
     *    1.001 - 2.501 s; 1001 reads done by 1.001 s, then 2499 more by 5.0005 s: 3500.
     *  - drop-partition 1: 5 ms: the reads wait 1.001 - 1.006 s; 1001 + 3994 = 4995. */
    static const struct { const char *action; uint64_t completed; double core_s; } cases[] = {
        {"delete-rows", 3500, 1.5},
        {"drop-partition", 4995, 0.005},
    };
    for (size_t i = 0; i < 2; i++) {
        const drv_step steps[] = {{1.0005, DRV_CONTROL, 0, cases[i].action, 1}};
        sim s;
        sim_config cfg = test_config(7, 0, 5.0005, 0);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
        const char *src_set[] = {"arrival=closed", "population=2", "think=const(0)", "next=db", NULL};
        const char *db_set[] = {"cores=1", "read_time=const(1ms)", "partition_by=range",
                                "partitions=12", "table_rows=12000", "table_keys=1200",
                                "delete_row_time=1ms", "vacuum_row_time=0.5ms",
                                "drop_time=5ms", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        add_driver(&s, db, steps, 1);
        ck_assert_int_eq(sim_start(&s), 0);
        ck_assert_int_eq(sim_run(&s), 0);
        ck_assert_uint_eq(src->completed, cases[i].completed);
        ck_assert_double_eq_tol(reported(db, "node.db.maintenance_core_seconds"), cases[i].core_s,
                                1e-12);
        /* the core: busy with reads or maintenance all the time */
        ck_assert_double_eq_tol(station_utilisation(db), 1.0, 1e-12);
        sim_fini(&s);
    }
}
END_TEST

START_TEST(test_maintenance_errors)
{
    sim s;
    sim_config cfg = test_config(7, 0, 1.0, 0);
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    station *db = test_add_station(&s, &node_kind, "db", maint_db);
    const char *none_set[] = {"partition_by=none", "partitions=12", "table_rows=1M", NULL};
    station *flat = test_add_station(&s, &node_kind, "flat", none_set);
    station *bare = test_add_station(&s, &node_kind, "bare", NULL);
    ck_assert_int_eq(sim_start(&s), 0);
    char err[256];
    static const struct { station **st; const char *action; double number; const char *err; } cases[] = {
        {NULL, "drop-partition", 0, "node 'bare' has no table for 'drop-partition' (set "
                                    "table_rows or partition_rows)"},
        {NULL, "delete-rows", 0, "node 'bare' has no table for 'delete-rows' (set table_rows "
                                 "or partition_rows)"},
    };
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(bare->ops->control(bare, cases[i].action, "", cases[i].number, err,
                                            sizeof err), -1);
        ck_assert_str_eq(err, cases[i].err);
    }
    ck_assert_int_eq(flat->ops->control(flat, "drop-partition", "", 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "node 'flat' has no partitions to drop (partition_by = none; "
                          "delete-rows deletes a key range's rows)");
    ck_assert_int_eq(db->ops->control(db, "drop-partition", "", 13, err, sizeof err), -1);
    ck_assert_str_eq(err, "partition 13 of node 'db' does not exist (a whole number from 1 to 12)");
    ck_assert_int_eq(db->ops->control(db, "delete-rows", "", 1.5, err, sizeof err), -1);
    ck_assert_str_eq(err, "slice 1.5 of node 'db' does not exist (a whole number from 1 to 12)");
    /* default numbers: the first partition left, the first slice with live rows */
    ck_assert_int_eq(db->ops->control(db, "drop-partition", "", 0, err, sizeof err), 0);
    ck_assert_int_eq(db->ops->control(db, "drop-partition", "", 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "partition 1 of node 'db' is already being dropped");
    ck_assert_int_eq(db->ops->control(db, "drop-partition", "", 0, err, sizeof err), 0);
    ck_assert_int_eq(db->ops->control(db, "delete-rows", "", 0, err, sizeof err), 0);
    ck_assert_int_eq(db->ops->control(db, "delete-rows", "", 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "rows of slice 1 of node 'db' are already being deleted or vacuumed");
    ck_assert_int_eq(sim_run(&s), 0);
    const node *nd = (const node *)db;
    ck_assert_uint_eq(nd->table.dropped[0], 1);
    ck_assert_uint_eq(nd->table.dropped[1], 1);
    ck_assert_double_eq(part_table_slice_dead(&nd->table, 0), 0);
    ck_assert_int_eq(db->ops->control(db, "drop-partition", "", 2, err, sizeof err), -1);
    ck_assert_str_eq(err, "partition 2 of node 'db' is already dropped");
    /* the first slice with live rows is now 2 (slices 0 and 1 were dropped) */
    ck_assert_int_eq(db->ops->control(db, "delete-rows", "", 0, err, sizeof err), 0);
    int active = 0;
    for (uint32_t j = 0; j < nd->n_jobs; j++) {
        if (nd->jobs[j].kind == NODE_JOB_FREE) continue;
        active++;
        ck_assert_int_eq(nd->jobs[j].kind, NODE_JOB_DELETE);
        ck_assert_uint_eq(nd->jobs[j].target, 2);
    }
    ck_assert_int_eq(active, 1);
    /* a crash abandons it: the rows stay live */
    node_crash(db);
    ck_assert_int_eq(nd->maint_busy, 0);
    ck_assert_double_eq(part_table_slice_live(&nd->table, 2), 1000);
    ck_assert_int_eq(db->ops->control(db, "delete-rows", "", 0, err, sizeof err), -1);
    ck_assert_str_eq(err, "node 'db' is down: cannot run 'delete-rows'");
    node_recover(db);
    ck_assert_double_eq(db->stats.busy.value, 0);
    sim_fini(&s);
}
END_TEST

/* ---- M/G/1 with scans, Little's law ------------------------------------------------------- */

START_TEST(test_mg1_scans)
{
    /* Poisson scans at 1.5/s on one core; keys uniform over the 1200 values of 12 range
     * partitions of 4096 rows; window 1/12 (one partition's width) without an index. A scan
     * from the first value of a partition (12 of 1200 keys) or from the last partition
     * (cut at the end: 99 more keys) opens one partition, the other 1089 keys two. So the
     * service time is BASE + m (PART_ROWS_TIME + OVERHEAD) with m = 1 w.p. 111/1200 and 2
     * w.p. 1089/1200: an M/G/1 queue, mean latency E[S] + lambda E[S^2] / (2 (1 - rho))
     * (Pollaczek-Khinchine). */
    const double lambda = 1.5, p1 = 111.0 / 1200;
    const double s1 = BASE + PART_ROWS_TIME + OVERHEAD, s2 = BASE + 2 * (PART_ROWS_TIME + OVERHEAD);
    double es = p1 * s1 + (1 - p1) * s2, es2 = p1 * s1 * s1 + (1 - p1) * s2 * s2;
    double rho = lambda * es;
    double truth = es + lambda * es2 / (2 * (1 - rho));
    int reps = test_quick() ? 8 : 16;
    double duration = test_quick() ? 3000 : 10000, warmup = 100;
    double lat[MAX_REPS];
    for (int r = 0; r < reps; r++) {
        sim s;
        sim_config cfg = test_config(20261121, (uint64_t)r, duration, warmup);
        ck_assert_int_eq(sim_init(&s, &cfg), 0);
 const char *src_set[] = {"rate=1.5/s", "read_ratio=0", "scan_ratio=1", "keys=uniform(1200)",
                                 "next=db", NULL};
        const char *db_set[] = {"cores=1", "max_connections=0", "scan_time=const(250ms)",
                                "partition_by=range", "partitions=12", "table_rows=49152",
                                "table_keys=1200", "scan_window=1/12", "scan_row_time=" ROW_TIME,
                                "scan_overhead=15.625ms", NULL};
        clients *src = (clients *)test_add_station(&s, &clients_kind, "src", src_set);
        station *db = test_add_station(&s, &node_kind, "db", db_set);
        ck_assert_int_eq(sim_start(&s), 0);
        ck_assert_int_eq(sim_run(&s), 0);
        lat[r] = hist_mean(&src->latency[OP_SCAN]);
        /* Little's law on the node: L = X W up to the requests present at the two ends */
        double L = station_mean_present(db);
        double XW = station_throughput(db) * station_mean_residence(db);
        ck_assert_msg(fabs(L - XW) <= 0.01 * L, "Little's law: L = %g, X W = %g", L, XW);
        /* capacity: 1 / mean CPU time of the scans seen, near 1 / E[S] */
        ck_assert_double_eq_tol(db->stats.capacity_rate * es, 1.0, 0.01);
        sim_fini(&s);
    }
    ci c = ci_of(lat, (size_t)reps, LEVEL);
    ck_assert_msg(fabs(c.mean - truth) <= c.half_width,
                  "M/G/1 scan latency: theory %.6g outside simulation %.6g +- %.3g", truth, c.mean,
                  c.half_width);
    double rel = test_quick() ? 0.06 : 0.03;
    ck_assert_msg(c.half_width <= rel * truth, "CI half-width %.3g wider than %.0f%% of %.6g",
                  c.half_width, 100 * rel, truth);
}
END_TEST

Suite *partitions_suite(void)
{
    Suite *s = suite_create("partitions");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_hooks);
    tcase_add_test(tc, test_spec_check);
    tcase_add_test(tc, test_route_range);
    tcase_add_test(tc, test_route_list);
    tcase_add_test(tc, test_route_hash);
    tcase_add_test(tc, test_prune_range);
    tcase_add_test(tc, test_prune_list_hash_none);
    tcase_add_test(tc, test_delete_vacuum_drop);
    tcase_add_test(tc, test_scan_cost);
    tcase_add_test(tc, test_scan_cost_index);
    tcase_add_test(tc, test_maintenance_busy);
    tcase_add_test(tc, test_maintenance_competes);
    tcase_add_test(tc, test_maintenance_errors);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("statistical");
    tcase_set_timeout(st, TEST_STAT_TIMEOUT);
    tcase_add_test(st, test_mg1_scans);
    suite_add_tcase(s, st);
    return s;
}
