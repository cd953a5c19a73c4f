/* check_results.c: the summary metrics (metrics.h) and the run-result record (results.h).
 *
 * metrics_from_report is checked on a report with known contents: throughput is
 * completed / seconds exactly; latency figures are the histogram's exact mean and its
 * quantiles (hist_quantile, already tested in check_histogram) times 1000; ratios are
 * the exact quotients; absent inputs give NAN.
 * The binary record must come back bit for bit (NAN metrics included), and every
 * truncated prefix of a valid record, and several corrupted ones, must be refused with
 * -1 without crashing or leaking (run under ASan and valgrind by `make asan/valgrind`). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/metrics.h"
#include "cli/results.h"
#include "sim/report.h"
#include "tests/test_util.h"

/* ---- metric columns ---- */

START_TEST(test_metric_columns)
{
    ck_assert_int_eq(METRIC_COUNT, 34);
    ck_assert_str_eq(metric_column(METRIC_THROUGHPUT), "throughput");
    ck_assert_str_eq(metric_column(METRIC_LAT_P99), "latency_p99_ms");
    ck_assert_str_eq(metric_column(METRIC_WRITE_P999), "write_latency_p999_ms");
    ck_assert_str_eq(metric_column(METRIC_SCAN_P99), "scan_latency_p99_ms");
    ck_assert_str_eq(metric_column(METRIC_KEYS_MOVED_RATIO), "keys_moved_ratio");
    ck_assert_str_eq(metric_help(METRIC_LAG_MAX), "largest replication lag (ms)");
    ck_assert_ptr_null(metric_column(-1));
    ck_assert_ptr_null(metric_column(METRIC_COUNT));
    ck_assert_ptr_null(metric_help(METRIC_COUNT));
    for (int i = 0; i < METRIC_COUNT; i++) {
        ck_assert(metric_column(i)[0] && metric_help(i)[0]);
        for (int j = 0; j < i; j++) ck_assert_str_ne(metric_column(i), metric_column(j));
    }
}
END_TEST

/* ---- metrics_from_report ---- */

static void add_hist(report *r, const char *name, const double *v, size_t n)
{
    hist *h = malloc(sizeof *h);
    ck_assert_ptr_nonnull(h);
    hist_init(h);
    for (size_t i = 0; i < n; i++) hist_add(h, v[i]);
    ck_assert_int_eq(report_hist_merge(r, name, h), 0);
    free(h);
}

START_TEST(test_metrics_from_report)
{
    report r;
    report_init(&r);
    /* 1..100 ms for all operations; reads 1..50 ms, writes 51..100 ms */
    double all[100], reads[50], writes[50], lag[4] = {0.001, 0.002, 0.003, 0.010};
    for (int i = 0; i < 100; i++) all[i] = (i + 1) * 1e-3;
    for (int i = 0; i < 50; i++) reads[i] = all[i], writes[i] = all[50 + i];
    add_hist(&r, "latency", all, 100);
    add_hist(&r, "latency.read", reads, 50);
    add_hist(&r, "latency.write", writes, 50);
    double scans[3] = {0.200, 0.400, 0.900}; /* three scans: 200, 400, 900 ms */
    add_hist(&r, "latency.scan", scans, 3);
    add_hist(&r, "lag", lag, 4);
    report_add(&r, "completed", 1000);
    report_add(&r, "replica_reads", 400);
    report_add(&r, "stale_reads", 10);
    report_add(&r, "lost_writes", 3);
    report_add(&r, "cache_hits", 90);
    report_add(&r, "cache_misses", 30);
    report_add(&r, "rejected", 4);
    report_add(&r, "failed", 1);
    report_max(&r, "hot_shard_ratio", 1.5);
    report_max(&r, "keys_moved_ratio", 0.2);

    double m[METRIC_COUNT];
    metrics_from_report(&r, 8.0, m);
    const hist *h = report_get_hist(&r, "latency");
    ck_assert(m[METRIC_THROUGHPUT] == 125.0);
    ck_assert(m[METRIC_LAT_MEAN] == hist_mean(h) * 1e3);
    ck_assert_double_eq_tol(m[METRIC_LAT_MEAN], 50.5, 1e-12);
    ck_assert(m[METRIC_LAT_P50] == hist_quantile(h, 0.5) * 1e3);
    ck_assert(m[METRIC_LAT_P95] == hist_quantile(h, 0.95) * 1e3);
    ck_assert(m[METRIC_LAT_P99] == hist_quantile(h, 0.99) * 1e3);
    ck_assert(m[METRIC_LAT_P999] == 100.0); /* rank 100 of 100: the exact maximum */
    /* bucket midpoints are within 1/256 of the order statistic: 50, 95, 99 ms */
    ck_assert_double_eq_tol(m[METRIC_LAT_P50], 50.0, 50.0 / 256);
    ck_assert_double_eq_tol(m[METRIC_LAT_P99], 99.0, 99.0 / 256);
    ck_assert_double_eq_tol(m[METRIC_READ_MEAN], 25.5, 1e-12);
    ck_assert(m[METRIC_READ_P999] == 50.0);
    ck_assert_double_eq_tol(m[METRIC_WRITE_MEAN], 75.5, 1e-12);
    ck_assert(m[METRIC_WRITE_P999] == 100.0);
    ck_assert_double_eq_tol(m[METRIC_SCAN_MEAN], 500.0, 1e-9);
    ck_assert(m[METRIC_SCAN_P999] == 900.0); /* the maximum */
    ck_assert_double_eq_tol(m[METRIC_SCAN_P50], 400.0, 400.0 / 256);
    ck_assert_double_eq_tol(m[METRIC_LAG_MEAN], 4.0, 1e-12);
    ck_assert(m[METRIC_LAG_P99] == 10.0); /* rank 4 of 4: the maximum */
    ck_assert(m[METRIC_LAG_MAX] == 10.0);
    ck_assert(m[METRIC_STALE_READ_RATIO] == 10.0 / 400.0);
    ck_assert(m[METRIC_LOST_WRITES] == 3.0);
    ck_assert(m[METRIC_CACHE_HIT_RATIO] == 0.75);
    ck_assert(m[METRIC_REJECTED] == 5.0);
    ck_assert(m[METRIC_HOT_SHARD_RATIO] == 1.5);
    ck_assert(m[METRIC_KEYS_MOVED_RATIO] == 0.2);
    report_fini(&r);
}
END_TEST

START_TEST(test_metrics_absent)
{
    report r;
    report_init(&r);
    double m[METRIC_COUNT];
    metrics_from_report(&r, 10.0, m);
    for (int i = 0; i < METRIC_COUNT; i++) ck_assert_msg(isnan(m[i]), "%s", metric_column(i));

    /* an empty histogram is absent too; a count of 0 is a value; half a ratio counts 0 */
    hist *h = malloc(sizeof *h);
    hist_init(h);
    report_hist_merge(&r, "latency", h);
    free(h);
    report_add(&r, "completed", 0);
    report_add(&r, "cache_misses", 8);
    report_add(&r, "failed", 2);
    report_add(&r, "replica_reads", 0);
    report_add(&r, "stale_reads", 0);
    metrics_from_report(&r, 10.0, m);
    ck_assert(isnan(m[METRIC_LAT_MEAN]) && isnan(m[METRIC_LAT_P99]));
    ck_assert(m[METRIC_THROUGHPUT] == 0.0);
    ck_assert(m[METRIC_CACHE_HIT_RATIO] == 0.0);
    ck_assert(m[METRIC_REJECTED] == 2.0);
    ck_assert(isnan(m[METRIC_STALE_READ_RATIO])); /* no replica reads: no ratio */
    metrics_from_report(&r, 0.0, m);
    ck_assert(isnan(m[METRIC_THROUGHPUT]));
    report_fini(&r);
}
END_TEST

/* ---- the binary record ---- */

static void sample(run_result *r)
{
    run_result_init(r);
    r->variant = 2;
    r->point = 5;
    r->replication = 7;
    for (int i = 0; i < METRIC_COUNT; i++) r->metrics[i] = i % 3 ? 0.1 * i : NAN;
    r->n_stations = 3;
    r->stations = calloc(3, sizeof *r->stations);
    ck_assert_ptr_nonnull(r->stations);
    for (int i = 0; i < 3; i++) {
        snprintf(r->stations[i].name, sizeof r->stations[i].name, "db.replica.%d", i);
        strcpy(r->stations[i].kind, "node");
        r->stations[i].utilisation = 0.25 * i;
        r->stations[i].mean_queue = 1.0 / 3.0;
        r->stations[i].mean_residence_ms = i;
        r->stations[i].throughput = 1000 + i;
        r->stations[i].refused = 0;
        r->stations[i].offered_load = i == 1 ? NAN : 0.5;
    }
    series_set *s = &r->series;
    s->n_series = 2;
    s->n_points = 4;
    s->names = calloc(2, sizeof *s->names);
    s->t = malloc(4 * sizeof *s->t);
    s->values = malloc(8 * sizeof *s->values);
    ck_assert(s->names && s->t && s->values);
    strcpy(s->names[0], "throughput");
    strcpy(s->names[1], "queue_db");
    for (int i = 0; i < 4; i++) {
        s->t[i] = i + 1;
        s->values[2 * i] = 100 * i;
        s->values[2 * i + 1] = i == 2 ? NAN : i;
    }
    for (int i = 0; i < 1000; i++) hist_add(&r->latency[OP_COUNT], 1e-4 * (i + 1));
    for (int i = 0; i < 10; i++) hist_add(&r->latency[OP_READ], 1e-3 * (i + 1));
    hist_add(&r->latency[OP_WRITE], 0.0);      /* underflow bucket */
    hist_add(&r->latency[OP_WRITE], 1e6);      /* overflow bucket */
    r->warmup_used = 12.5;
    r->events = 123456789012ULL;
    r->failed = 1;
    strcpy(r->error, "station 'db' refused: too many requests in flight");
}

/* Writes r into a malloc'd buffer. */
static char *serialise(const run_result *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(run_result_write(r, f), 0);
    fclose(f);
    return buf;
}

static int read_from(const char *buf, size_t len, run_result *out)
{
    FILE *f = len ? fmemopen((void *)buf, len, "rb") : fopen("/dev/null", "rb");
    ck_assert_ptr_nonnull(f);
    int rc = run_result_read(out, f);
    fclose(f);
    return rc;
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

START_TEST(test_round_trip)
{
    run_result a, b;
    sample(&a);
    size_t len;
    char *buf = serialise(&a, &len);
    /* sparse histograms: far smaller than the 4 x 47 KB of bins */
    ck_assert_uint_lt(len, 40000);
    ck_assert_int_eq(read_from(buf, len, &b), 0);
    ck_assert_uint_eq(b.variant, 2);
    ck_assert_uint_eq(b.point, 5);
    ck_assert_uint_eq(b.replication, 7);
    for (int i = 0; i < METRIC_COUNT; i++) ck_assert(same_double(a.metrics[i], b.metrics[i]));
    ck_assert_uint_eq(b.n_stations, 3);
    ck_assert_int_eq(memcmp(a.stations, b.stations, 3 * sizeof *a.stations), 0);
    ck_assert_uint_eq(b.series.n_series, 2);
    ck_assert_uint_eq(b.series.n_points, 4);
    ck_assert_int_eq(memcmp(a.series.names, b.series.names, 2 * sizeof *a.series.names), 0);
    ck_assert_int_eq(memcmp(a.series.t, b.series.t, 4 * sizeof *a.series.t), 0);
    ck_assert_int_eq(memcmp(a.series.values, b.series.values, 8 * sizeof *a.series.values), 0);
    for (int op = 0; op <= OP_COUNT; op++)
        ck_assert_int_eq(memcmp(&a.latency[op], &b.latency[op], sizeof a.latency[op]), 0);
    ck_assert(b.warmup_used == 12.5);
    ck_assert_uint_eq(b.events, 123456789012ULL);
    ck_assert_int_eq(b.failed, 1);
    ck_assert_str_eq(b.error, a.error);

    /* and again: same bytes */
    size_t len2;
    char *buf2 = serialise(&b, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert_int_eq(memcmp(buf, buf2, len), 0);
    free(buf);
    free(buf2);
    run_result_fini(&a);
    run_result_fini(&b);
}
END_TEST

START_TEST(test_empty_round_trip)
{
    run_result a, b;
    run_result_init(&a);
    size_t len;
    char *buf = serialise(&a, &len);
    ck_assert_int_eq(read_from(buf, len, &b), 0);
    ck_assert_uint_eq(b.n_stations, 0);
    ck_assert_ptr_null(b.stations);
    ck_assert_uint_eq(b.series.n_points, 0);
    ck_assert(isnan(b.metrics[0]) && isnan(b.warmup_used));
    ck_assert_uint_eq(b.latency[OP_COUNT].count, 0);
    ck_assert(b.latency[OP_COUNT].min == INFINITY);
    free(buf);
    run_result_fini(&a);
    run_result_fini(&b);
}
END_TEST

/* Every proper prefix is refused; r is left empty and safe to fini. */
START_TEST(test_truncated)
{
    run_result a, b;
    sample(&a);
    size_t len;
    char *buf = serialise(&a, &len);
    size_t step = test_quick() ? 97 : 1;
    for (size_t cut = 0; cut < len; cut += step) {
        ck_assert_msg(read_from(buf, cut, &b) == -1, "prefix of %zu bytes accepted", cut);
        ck_assert_uint_eq(b.n_stations, 0);
        ck_assert_ptr_null(b.series.values);
        run_result_fini(&b);
    }
    ck_assert_int_eq(read_from(buf, len - 1, &b), -1);
    run_result_fini(&b);
    free(buf);
    run_result_fini(&a);
}
END_TEST

/* Offsets into the record of a sample() result (native sizes). */
#define OFF_VERSION 4
#define OFF_N_METRICS (4 + 4 * 4)
#define OFF_N_STATIONS (OFF_N_METRICS + 4 + METRIC_COUNT * 8)

static const struct {
    const char *what;  /* the corruption */
    size_t offset;     /* byte to overwrite (0 = use `tail`) */
    unsigned char byte;/* new value */
} corruptions[] = {
    {"bad magic", 0, 'X'},
    {"future version", OFF_VERSION, 6},
    {"older version", OFF_VERSION, 4},
    {"metric count", OFF_N_METRICS, 3},
    {"huge station count", OFF_N_STATIONS + 7, 0x7f},
};

START_TEST(test_corrupt)
{
    run_result a, b;
    sample(&a);
    size_t len;
    char *buf = serialise(&a, &len);
    buf[corruptions[_i].offset] = (char)corruptions[_i].byte;
    ck_assert_msg(read_from(buf, len, &b) == -1, "%s accepted", corruptions[_i].what);
    run_result_fini(&b);
    free(buf);
    run_result_fini(&a);
}
END_TEST

/* Histogram bins that do not add up to the count, an out-of-range bin index and a
 * damaged trailer are refused. */
START_TEST(test_corrupt_hist)
{
    run_result a, b;
    run_result_init(&a);
    hist_add(&a.latency[OP_COUNT], 1e-3);
    size_t len;
    char *buf = serialise(&a, &len);
    /* layout after the (empty) station and series parts: 4 histograms, the all-ops last:
     * count(8) sum(8) min(8) max(8) nz(4) [index(4) count(8)], then the tail */
    size_t tail = 8 + 8 + 4 + 256 + 4;
    size_t last_bin = len - tail - 8, last_index = last_bin - 4;
    char *bad = malloc(len);
    ck_assert_ptr_nonnull(bad);

    memcpy(bad, buf, len);
    bad[last_bin] = 2; /* bin count 2, histogram count 1 */
    ck_assert_int_eq(read_from(bad, len, &b), -1);
    run_result_fini(&b);

    memcpy(bad, buf, len);
    uint32_t idx = HIST_BINS;
    memcpy(bad + last_index, &idx, 4);
    ck_assert_int_eq(read_from(bad, len, &b), -1);
    run_result_fini(&b);

    memcpy(bad, buf, len);
    bad[len - 1] = '?';
    ck_assert_int_eq(read_from(bad, len, &b), -1);
    run_result_fini(&b);

    ck_assert_int_eq(read_from(buf, len, &b), 0); /* the untouched record still reads */
    ck_assert_uint_eq(b.latency[OP_COUNT].count, 1);
    run_result_fini(&b);
    free(bad);
    free(buf);
    run_result_fini(&a);
}
END_TEST

/* results_fini frees a fully populated results (leaks show under ASan/valgrind). */
START_TEST(test_results_fini)
{
    results r;
    results_init(&r);
    ck_assert(isnan(r.duration) && r.cells == NULL);
    r.scenario_name = strdup("x");
    r.scenario_text = strdup("[scenario]\n");
    r.n_variants = 1;
    r.variant_names = calloc(1, sizeof *r.variant_names);
    r.variant_names[0] = strdup("base");
    r.n_axes = 1;
    r.axis_keys = calloc(1, sizeof *r.axis_keys);
    r.axis_keys[0] = strdup("app.rate");
    r.n_points = 2;
    r.point_values = calloc(2, sizeof *r.point_values);
    r.point_values[0] = strdup("1k/s");
    r.point_values[1] = strdup("2k/s");
    r.n_cells = 2;
    r.cells = calloc(2, sizeof *r.cells);
    for (int c = 0; c < 2; c++) {
        r.cells[c].point = (uint32_t)c;
        r.cells[c].n_reps = 2;
        r.cells[c].reps = malloc(2 * sizeof *r.cells[c].reps);
        sample(&r.cells[c].reps[0]);
        run_result_init(&r.cells[c].reps[1]);
    }
    r.slo = strdup("p99 < 20ms");
    results_fini(&r);
    ck_assert_ptr_null(r.cells);
    ck_assert_uint_eq(r.n_cells, 0);
    results_fini(&r); /* twice is harmless */
}
END_TEST

Suite *results_suite(void)
{
    Suite *s = suite_create("results");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_metric_columns);
    tcase_add_test(tc, test_metrics_from_report);
    tcase_add_test(tc, test_metrics_absent);
    suite_add_tcase(s, tc);
    tc = tcase_create("record");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_empty_round_trip);
    tcase_add_test(tc, test_truncated);
    tcase_add_loop_test(tc, test_corrupt, 0, sizeof corruptions / sizeof corruptions[0]);
    tcase_add_test(tc, test_corrupt_hist);
    tcase_add_test(tc, test_results_fini);
    suite_add_tcase(s, tc);
    return s;
}
