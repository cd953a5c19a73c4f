/* check_output.c: the files of a run (output.h, plot.h, report_md.h, slo.h).
 *
 * A small `results` is built by hand (fixture below): two variants ("base" and
 * "semi,sync", whose comma forces CSV quoting), a sweep of app.rate over 1000/s, 2k/s,
 * 3000/s, three replications per cell, two stations, a short time series and latency
 * histograms with known values. The CSVs written from it are compared byte for byte with
 * the files in tests/data/output/, whose figures were checked by hand as follows.
 *
 * Confidence intervals: three replications give t_{0.975,2} / sqrt(3) times the sample
 * standard deviation s. For two degrees of freedom the t quantile has the closed form
 * t = (2p - 1) / sqrt(2p(1 - p)) with p = 0.975, so t = 0.95 / sqrt(0.04875) =
 * 4.3026527297494...; t / sqrt(3) = 0.95 / sqrt(0.14625) = 2.4841377117503...
 *   throughput = 1000 (p+1) - 50 v + 10 (k-1)  ->  mean 1000 (p+1) - 50 v, s = 10,
 *     half-width 24.841377117503...              (summary.csv: 24.84137711750...)
 *   latency_mean_ms = 1 + p + v/2 + (k-1)/4     ->  s = 1/4, half-width 0.62103442793...
 *   latency_p99_ms = 0.5, 1, 1.5 (k = 0, 1, 2)  ->  mean 1, s = 1/2, half-width 1.24206885587...
 *   stale_read_ratio, variant base: 1, 0, 0     ->  mean 1/3 = "0.3333333333333333" (16
 *     digits already read back as the double nearest 1/3),
 *     s = sqrt(1/3), half-width t/3 = 1.43421757658...
 *   stale_read_ratio, variant semi,sync: only replication 0 has it (0.25): mean 0.25,
 *     one value, so the _ci field is empty
 *   every other metric is NAN in every replication: empty mean and _ci fields
 * Stations: "app" (clients: only throughput) and `db "main"` (a quote, to test doubling):
 *   db utilisation 0.25 (p+1) + 0.125 (k-1) (s = 1/8: half-width 0.31051721396...),
 *   except base at 3000/s: 1, 1, 1 (CI 0);
 *   db offered_load 0.3 (p+1) exactly per replication, except base at 3000/s: 1.1 with a
 *   backlog growing by 300/s (saturated = yes), and semi,sync at 3000/s: 0.9, 0.95, 1 with
 *   growth 0, 0, 100/s (the replication at load 1 grows by over 1% of its 3000/s
 *   throughput: saturated = yes); backlog_growth 0 elsewhere.
 * Time series: series throughput (100 i + k at interval i = 1..3: mean 100 i + 1) and
 *   queue_db (k: mean 1); variant semi,sync also lag_replica (i + k/2: mean i + 1/2), so
 *   base rows leave lag_replica empty; semi,sync at 1000/s replication 2 stops after two
 *   intervals, so its third row averages replications 0 and 1: throughput 300.5,
 *   queue_db 0.5, lag_replica 3.25.
 * Latency: replication k adds (k+1) ms to the all-operations histogram and 1 ms to the
 *   read histogram. Merged: 1, 2, 3 ms in three buckets. 1 ms lies in octave
 *   [2^-10, 2^-9) s, buckets 2^-17 s wide: bucket [0.99945068359375, 1.007080078125) ms,
 *   clamped below to the minimum, 1 ms; 2 ms: [1.9989013671875, 2.01416015625) ms;
 *   3 ms: [2.99072265625, 3.0059814453125) ms, clamped above to the maximum, 3 ms.
 *   cdf 1/3, 2/3, 1. The read histogram: one bucket [1, 1] ms, count 3, cdf 1.
 * A known bug would show as: a CI over the wrong count (n instead of n - 1), a variant
 * name unquoted, NAN printed as "nan", or "0.1" printed as 0.10000000000000001. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/aggregate.h"
#include "cli/output.h"
#include "cli/plot.h"
#include "cli/report_md.h"
#include "cli/results.h"
#include "cli/slo.h"
#include "tests/test_util.h"

#define EXPECTED_DIR "tests/data/output/"

/* ---- helpers ---- */

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* Number of entries of dir whose name contains `part`. */
static int count_entries(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) n += strstr(e->d_name, part) != NULL;
    if (d) closedir(d);
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh scratch directory (caller frees and removes). */
static char *scratch(void)
{
    char *d = xstrdup("/tmp/dbscale-check-output-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

/* Runs fn with stderr captured into buf. */
static int capture_stderr(int (*fn)(void *), void *arg, char *buf, size_t n)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    dup2(fileno(tmp), STDERR_FILENO);
    int rc = fn(arg);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t got = fread(buf, 1, n - 1, tmp);
    buf[got] = '\0';
    fclose(tmp);
    return rc;
}

/* ---- the fixture ---- */

static void set_series(run_result *r, size_t n_points, int with_lag)
{
    series_set *s = &r->series;
    double k = (double)r->replication;
    s->n_series = with_lag ? 3 : 2;
    s->n_points = n_points;
    s->names = calloc(s->n_series, sizeof *s->names);
    s->t = malloc(n_points * sizeof *s->t);
    s->values = malloc(n_points * s->n_series * sizeof *s->values);
    ck_assert(s->names && s->t && s->values);
    strcpy(s->names[0], "throughput");
    strcpy(s->names[1], "queue_db");
    if (with_lag) strcpy(s->names[2], "lag_replica");
    for (size_t i = 0; i < n_points; i++) {
        double t = (double)(i + 1);
        s->t[i] = t;
        s->values[i * s->n_series + 0] = 100.0 * t + k;
        s->values[i * s->n_series + 1] = k;
        if (with_lag) s->values[i * s->n_series + 2] = t + k / 2.0;
    }
}

static void set_stations(run_result *r)
{
    double p = r->point, k = r->replication;
    r->n_stations = 2;
    r->stations = calloc(2, sizeof *r->stations);
    ck_assert_ptr_nonnull(r->stations);
    station_row *app = &r->stations[0], *db = &r->stations[1];
    strcpy(app->name, "app");
    strcpy(app->kind, "clients");
    app->utilisation = app->mean_queue = app->mean_residence_ms = NAN;
    app->refused = app->offered_load = app->backlog_growth = NAN;
    app->throughput = r->metrics[METRIC_THROUGHPUT];
    strcpy(db->name, "db \"main\"");
    strcpy(db->kind, "server");
    db->utilisation = 0.25 * (p + 1) + 0.125 * (k - 1);
    db->mean_queue = 2.0 * k;
    db->mean_residence_ms = 1.5;
    db->throughput = 1000.0 * (p + 1);
    db->refused = 0.0;
    db->offered_load = 0.3 * (p + 1);
    db->backlog_growth = 0.0;
    if (r->variant == 0 && r->point == 2) {
        db->utilisation = 1.0;
        db->offered_load = 1.1;
        db->backlog_growth = 300.0;
    }
    if (r->variant == 1 && r->point == 2) {
        db->offered_load = 0.9 + 0.05 * k;
        db->backlog_growth = k == 2 ? 100.0 : 0.0;
    }
}

static void fixture(results *res)
{
    static const char *const points[3] = {"1000/s", "2k/s", "3000/s"};
    results_init(res);
    res->scenario_name = xstrdup("fixture");
    res->scenario_path = xstrdup("tests/fixture.ini");
    res->scenario_text = xstrdup("[scenario]\nduration = 10s\n# ``` fences inside\n");
    res->n_variants = 2;
    res->variant_names = calloc(2, sizeof *res->variant_names);
    res->variant_names[0] = xstrdup("base");
    res->variant_names[1] = xstrdup("semi,sync");
    res->n_axes = 1;
    res->axis_keys = calloc(1, sizeof *res->axis_keys);
    res->axis_keys[0] = xstrdup("app.rate");
    res->n_points = 3;
    res->point_values = calloc(3, sizeof *res->point_values);
    for (int p = 0; p < 3; p++) res->point_values[p] = xstrdup(points[p]);
    res->slo = xstrdup("p99 < 1.1ms");
    res->duration = 10.0;
    res->warmup = 1.0;
    res->seed = 7;
    res->n_cells = 6;
    res->cells = calloc(6, sizeof *res->cells);
    ck_assert_ptr_nonnull(res->cells);
    for (uint32_t v = 0; v < 2; v++) {
        for (uint32_t p = 0; p < 3; p++) {
            results_cell *c = &res->cells[v * 3 + p];
            c->variant = v;
            c->point = p;
            c->n_reps = 3;
            c->reps = malloc(3 * sizeof *c->reps);
            ck_assert_ptr_nonnull(c->reps);
            for (uint32_t k = 0; k < 3; k++) {
                run_result *r = &c->reps[k];
                run_result_init(r);
                r->variant = v;
                r->point = p;
                r->replication = k;
                r->metrics[METRIC_THROUGHPUT] = 1000.0 * (p + 1) - 50.0 * v + 10.0 * (k - 1.0);
                r->metrics[METRIC_LAT_MEAN] = 1.0 + p + 0.5 * v + 0.25 * (k - 1.0);
                r->metrics[METRIC_LAT_P99] = 0.5 * (k + 1.0);
                if (v == 0) r->metrics[METRIC_STALE_READ_RATIO] = k == 0 ? 1.0 : 0.0;
                else if (k == 0) r->metrics[METRIC_STALE_READ_RATIO] = 0.25;
                set_stations(r);
                set_series(r, v == 1 && p == 0 && k == 2 ? 2 : 3, v == 1);
                hist_add(&r->latency[OP_COUNT], 1e-3 * (k + 1.0));
                hist_add(&r->latency[OP_READ], 1e-3);
                r->warmup_used = 1.0;
                r->events = 1000 + k;
            }
        }
    }
}

/* ---- number and text fields ---- */

static const struct {
    double v;          /* value */
    const char *text;  /* expected field */
} numbers[] = {
    {0.1, "0.1"},
    {1.0 / 3.0, "0.3333333333333333"}, /* 16 digits read back exactly: shortest */
    {2.0 / 3.0, "0.6666666666666666"},
    {1.0 / 7.0, "0.14285714285714285"}, /* 17 needed */
    {0.1 + 0.2, "0.30000000000000004"},
    {100.0, "100"},
    {-0.5, "-0.5"},
    {1e21, "1e+21"},
    {1e-7, "1e-07"},
    {123456789012345678.0, "1.2345678901234568e+17"},
    {5e-324, "4.94065645841247e-324"} /* 15 digits read back as the denormal */,
    {INFINITY, "inf"},
    {NAN, ""},
};

START_TEST(test_number_format)
{
    char buf[OUTPUT_NUMBER_MAX];
    int len = output_format_number(numbers[_i].v, buf, sizeof buf);
    ck_assert_str_eq(buf, numbers[_i].text);
    ck_assert_int_eq(len, (int)strlen(numbers[_i].text));
    if (!isnan(numbers[_i].v)) ck_assert(strtod(buf, NULL) == numbers[_i].v);
}
END_TEST

START_TEST(test_number_format_small_buffer)
{
    char buf[4];
    ck_assert_int_eq(output_format_number(1.0 / 3.0, buf, sizeof buf), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(output_format_number(0.5, buf, sizeof buf), 3);
    ck_assert_str_eq(buf, "0.5");
}
END_TEST

static const struct {
    const char *in, *out; /* field text, as written */
} fields[] = {
    {"base", "base"},
    {"semi,sync", "\"semi,sync\""},
    {"db \"main\"", "\"db \"\"main\"\"\""},
    {"two\nlines", "\"two\nlines\""},
    {"cr\r", "\"cr\r\""},
    {"", ""},
};

START_TEST(test_csv_text)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(output_csv_text(f, fields[_i].in), 0);
    fclose(f);
    ck_assert_str_eq(buf, fields[_i].out);
    free(buf);
}
END_TEST

/* ---- the CSV files against hand-checked expected text ---- */

static const char *const csv_names[] = {"summary.csv", "replications.csv", "stations.csv",
                                        "timeseries.csv", "latency.csv"};

START_TEST(test_files_match_expected)
{
    results res;
    fixture(&res);
    char *base = scratch();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/out/fixture", base);
    ck_assert_int_eq(output_write(&res, dir, 0, 1), 0);
    for (size_t i = 0; i < sizeof csv_names / sizeof csv_names[0]; i++) {
        char got_path[4300], want_path[256];
        snprintf(got_path, sizeof got_path, "%s/%s", dir, csv_names[i]);
        snprintf(want_path, sizeof want_path, EXPECTED_DIR "%s", csv_names[i]);
        char *got = slurp(got_path), *want = slurp(want_path);
        ck_assert_msg(got != NULL, "%s not written", got_path);
        ck_assert_msg(want != NULL, "%s missing", want_path);
        if (strcmp(got, want) != 0 && getenv("DBSCALE_KEEP_OUTPUT"))
            fprintf(stderr, "kept %s\n", dir);
        ck_assert_msg(strcmp(got, want) == 0, "%s differs from %s", got_path, want_path);
        free(got);
        free(want);
    }
    /* the temporary directory was renamed into place: nothing else next to it */
    char parent[4200];
    snprintf(parent, sizeof parent, "%s/out", base);
    ck_assert_int_eq(count_entries(parent, ".tmp-"), 0);
    ck_assert_int_eq(count_entries(parent, ".old-"), 0);
    if (!getenv("DBSCALE_KEEP_OUTPUT")) rm_tree(base);
    free(base);
    results_fini(&res);
}
END_TEST

/* CI half-widths against the closed form t_{0.975,2} / sqrt(3) = 0.95 / sqrt(0.14625). */
START_TEST(test_ci_closed_form)
{
    results res;
    fixture(&res);
    const double k = 0.95 / sqrt(0.14625);
    const results_cell *c = agg_cell(&res, 1, 2);
    ck_assert_ptr_nonnull(c);
    ci thr = agg_metric(c, METRIC_THROUGHPUT);
    ck_assert(thr.mean == 2950.0);
    ck_assert_double_eq_tol(thr.half_width, 10.0 * k, 1e-12 * 10.0 * k);
    ci lat = agg_metric(c, METRIC_LAT_MEAN);
    ck_assert(lat.mean == 3.5);
    ck_assert_double_eq_tol(lat.half_width, 0.25 * k, 1e-12);
    ci stale = agg_metric(agg_cell(&res, 0, 0), METRIC_STALE_READ_RATIO);
    ck_assert_double_eq_tol(stale.half_width, 0.95 / sqrt(2.0 * 0.975 * 0.025) / 3.0, 1e-12);
    ci one = agg_metric(c, METRIC_STALE_READ_RATIO);
    ck_assert(one.mean == 0.25 && isnan(one.half_width) && one.n == 1);
    ck_assert(isnan(agg_metric(c, METRIC_LOST_WRITES).mean));
    ck_assert_uint_eq(agg_reps(c), 3);
    results_fini(&res);
}
END_TEST

/* A failed replication is left out of every figure. */
START_TEST(test_failed_replication_ignored)
{
    results res;
    fixture(&res);
    results_cell *c = &res.cells[0];
    c->reps[2].failed = 1; /* throughput 1010 dropped: mean of 990 and 1000 */
    ck_assert_uint_eq(agg_reps(c), 2);
    ck_assert(agg_metric(c, METRIC_THROUGHPUT).mean == 995.0);
    hist h;
    agg_latency(c, OP_COUNT, &h);
    ck_assert_uint_eq(h.count, 2);
    ck_assert(h.max == 2e-3);
    results_fini(&res);
}
END_TEST

static const struct {
    const char *dir;  /* relative to the scratch directory */
} nested[] = {{"a/b/c/run"}, {"run/"}};

/* Parents are created, and an existing output directory is replaced whole. */
START_TEST(test_replaces_existing)
{
    results res;
    fixture(&res);
    char *base = scratch();
    char dir[4200], marker[4300], summary[4300];
    snprintf(dir, sizeof dir, "%s/%s", base, nested[_i].dir);
    ck_assert_int_eq(output_write(&res, dir, 0, 1), 0);
    snprintf(marker, sizeof marker, "%s/stale-file-from-last-run", dir);
    FILE *f = fopen(marker, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(output_write(&res, dir, 0, 1), 0);
    ck_assert(!exists(marker));
    snprintf(summary, sizeof summary, "%s/summary.csv", dir);
    ck_assert(exists(summary));
    /* nothing left beside it */
    char parent[4200];
    snprintf(parent, sizeof parent, "%s", dir);
    size_t len = strlen(parent);
    while (len > 1 && parent[len - 1] == '/') parent[--len] = '\0';
    *strrchr(parent, '/') = '\0';
    ck_assert_int_eq(count_entries(parent, ".tmp-"), 0);
    ck_assert_int_eq(count_entries(parent, ".old-"), 0);
    rm_tree(base);
    free(base);
    results_fini(&res);
}
END_TEST

typedef struct write_call {
    const results *res; /* what to write */
    const char *dir;    /* where */
} write_call;

static int do_write(void *arg)
{
    const write_call *w = arg;
    return output_write(w->res, w->dir, 0, 1);
}

/* A parent that is a regular file: cannot write, exit code 73, nothing left behind. */
START_TEST(test_unwritable_parent)
{
    results res;
    fixture(&res);
    char *base = scratch();
    char file[4200], dir[4300], msg[1024], want[4400];
    snprintf(file, sizeof file, "%s/plainfile", base);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/sub/run", file);
    write_call w = {&res, dir};
    ck_assert_int_eq(capture_stderr(do_write, &w, msg, sizeof msg), 73);
    snprintf(want, sizeof want, "dbscale: cannot write '%s': %s\n", file, strerror(ENOTDIR));
    ck_assert_str_eq(msg, want);
    ck_assert_int_eq(count_entries(base, ".tmp-"), 0);
    ck_assert_int_eq(count_entries(base, "XXXXXX"), 0);
    rm_tree(base);
    free(base);
    results_fini(&res);
}
END_TEST

/* The target exists as a regular file: the temporary directory was made and filled, the
 * rename fails: 73, the temporary directory removed, the file untouched. */
START_TEST(test_failure_removes_temporary)
{
    results res;
    fixture(&res);
    char *base = scratch();
    char dir[4200], msg[1024];
    snprintf(dir, sizeof dir, "%s/run", base);
    FILE *f = fopen(dir, "w");
    ck_assert_ptr_nonnull(f);
    fputs("keep me", f);
    fclose(f);
    write_call w = {&res, dir};
    ck_assert_int_eq(capture_stderr(do_write, &w, msg, sizeof msg), 73);
    ck_assert_msg(strncmp(msg, "dbscale: cannot write '", 23) == 0, "message: %s", msg);
    ck_assert_int_eq(count_entries(base, ".tmp-"), 0);
    ck_assert_int_eq(count_entries(base, ".old-"), 0);
    char *text = slurp(dir);
    ck_assert_str_eq(text, "keep me");
    free(text);
    rm_tree(base);
    free(base);
    results_fini(&res);
}
END_TEST

/* report.md: the settings, side-by-side table with units and CIs, SLO verdicts, the
 * saturated stations, the plots and the scenario in a fence longer than its backticks. */
START_TEST(test_report_md)
{
    results res;
    fixture(&res);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(report_md_write(&res, f), 0);
    fclose(f);
    static const char *const want[] = {
        "# fixture\n",
        "| duration | 10s (simulated, per replication) |",
        "| warm-up | 1s |",
        "| replications | 3 |",
        "| seed | 7 |",
        "| sweep | app.rate = 1000/s, 2k/s, 3000/s |",
        "WARNING: SATURATED STATIONS",
        "> - **db \"main\"** (server) in variant **base**, app.rate = 3000/s: offered load "
        "1.100, utilisation 100.0%",
        "> - **db \"main\"** (server) in variant **semi,sync**, app.rate = 3000/s: offered "
        "load 0.9500, utilisation 75.00%",
        /* p99 = 1 ± 1.242 ms against 1.1 ms: straddles */
        "| base | app.rate = 1000/s | 1.000 ± 1.242 ms | *uncertain (CI straddles the target)* |",
        "### app.rate = 2k/s",
        "| metric | base | semi,sync |",
        "| throughput | 2000 ± 25 /s | 1950 ± 25 /s |",
        "| latency mean | 2.000 ± 0.621 ms | 2.500 ± 0.621 ms |",
        "| read latency p99 | n/a | n/a |",
        "| stale reads (of replica/cache reads) | 33.33 ± 143.42 % | 25.00 % |",
        "![Latency CDF per variant](latency_cdf.png)",
        "![p99 latency vs app.rate](p99_vs_app.rate.png)",
        "![Throughput vs app.rate](throughput_vs_app.rate.png)",
        "![Over simulated time, per variant](timeseries.png)",
        "````ini\n[scenario]\nduration = 10s\n# ``` fences inside\n````\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(buf, want[i]) != NULL, "report.md lacks: %s\n---\n%s", want[i], buf);
    ck_assert(strstr(buf, "lost writes") == NULL); /* absent everywhere: no row */
    ck_assert(strstr(buf, "nan") == NULL);
    free(buf);
    results_fini(&res);
}
END_TEST

/* SLO verdicts: fail when the lower bound is at or above the target. */
START_TEST(test_report_md_slo_fail)
{
    results res;
    fixture(&res);
    free(res.slo);
    res.slo = xstrdup("throughput > 2.5k/s, p99 < 5ms");
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_int_eq(report_md_write(&res, f), 0);
    fclose(f);
    ck_assert_msg(strstr(buf, "| base | app.rate = 1000/s | 1000 ± 25 /s | 1.000 ± 1.242 ms | **FAIL** |"),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "| base | app.rate = 2k/s | 2000 ± 25 /s | 1.000 ± 1.242 ms | **FAIL** |"),
                  "%s", buf);
    /* 3000/s passes, but a station is saturated there: said in the verdict */
    ck_assert_msg(strstr(buf, "| base | app.rate = 3000/s | 3000 ± 25 /s | 1.000 ± 1.242 ms | pass "
                              "(**saturated**: see the warning above) |"),
                  "%s", buf);
    free(buf);
    results_fini(&res);
}
END_TEST

/* ---- SLO expressions ---- */

START_TEST(test_slo_parse)
{
    slo s;
    char err[256] = "";
    ck_assert_int_eq(slo_parse("p99 < 20ms", &s, err, sizeof err), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.c[0].metric, METRIC_LAT_P99);
    ck_assert_int_eq(s.c[0].above, 0);
    ck_assert(s.c[0].value == 20.0);
    ck_assert_str_eq(s.c[0].text, "p99 < 20ms");

    ck_assert_int_eq(slo_parse(" throughput>5k/s and stale_read_ratio < 1% , read_latency_p999_ms<1s",
                               &s, err, sizeof err), 0);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_int_eq(s.c[0].metric, METRIC_THROUGHPUT);
    ck_assert_int_eq(s.c[0].above, 1);
    ck_assert(s.c[0].value == 5000.0);
    ck_assert_int_eq(s.c[1].metric, METRIC_STALE_READ_RATIO);
    ck_assert(s.c[1].value == 0.01);
    ck_assert_int_eq(s.c[2].metric, METRIC_READ_P999);
    ck_assert(s.c[2].value == 1000.0);
}
END_TEST

static const struct {
    const char *text, *err; /* objective, expected message */
} slo_errors[] = {
    {"p98 < 20ms", "unknown metric 'p98' in 'p98 < 20ms' (did you mean 'p95'?)"},
    {"latency < 20ms", "unknown metric 'latency' in 'latency < 20ms' (expected mean, p50, p95, "
                       "p99, p999 or a summary column such as latency_p99_ms)"},
    {"p99 = 20ms", "expected '<' or '>' after 'p99' in 'p99 = 20ms'"},
    {"p99 <= 20ms", "expected '<' or '>' after 'p99' in 'p99 <= 20ms'"},
    {"p99 < 20", "missing unit in '20' (expected ns, us, ms, s, m, h) in slo 'p99 < 20'"},
    {"p99 < 20ms,", "empty condition in slo 'p99 < 20ms,'"},
};

START_TEST(test_slo_errors)
{
    slo s;
    char err[256] = "";
    ck_assert_int_eq(slo_parse(slo_errors[_i].text, &s, err, sizeof err), -1);
    ck_assert_str_eq(err, slo_errors[_i].err);
}
END_TEST

static const struct {
    int above;          /* clause direction */
    double mean, hw;    /* CI */
    slo_verdict want;   /* against 20 */
} judgements[] = {
    {0, 10, 2, SLO_PASS},   {0, 19, 2, SLO_UNCERTAIN}, {0, 22, 2, SLO_FAIL},
    {0, 18, 2, SLO_UNCERTAIN}, /* upper bound = 20: not below */
    {0, 21.5, 1.5, SLO_FAIL}, /* lower bound = 20: fail */
    {0, 19, NAN, SLO_PASS}, {0, 20, NAN, SLO_FAIL},    {0, NAN, NAN, SLO_NO_DATA},
    {1, 30, 2, SLO_PASS},   {1, 21, 2, SLO_UNCERTAIN}, {1, 18, 2, SLO_FAIL}, /* upper bound = 20 */
    {1, 22, 2, SLO_UNCERTAIN}, /* lower bound = 20: not above */
};

START_TEST(test_slo_judge)
{
    slo_clause c = {METRIC_LAT_P99, judgements[_i].above, 20.0, "x"};
    ci v = {judgements[_i].mean, judgements[_i].hw, 3};
    ck_assert_int_eq(slo_judge(&c, v), judgements[_i].want);
}
END_TEST

START_TEST(test_slo_worse)
{
    ck_assert_int_eq(slo_worse(SLO_PASS, SLO_UNCERTAIN), SLO_UNCERTAIN);
    ck_assert_int_eq(slo_worse(SLO_FAIL, SLO_UNCERTAIN), SLO_FAIL);
    ck_assert_int_eq(slo_worse(SLO_PASS, SLO_PASS), SLO_PASS);
    /* a failed clause settles it even when another has no data; else no data wins */
    ck_assert_int_eq(slo_worse(SLO_NO_DATA, SLO_FAIL), SLO_FAIL);
    ck_assert_int_eq(slo_worse(SLO_FAIL, SLO_NO_DATA), SLO_FAIL);
    ck_assert_int_eq(slo_worse(SLO_UNCERTAIN, SLO_NO_DATA), SLO_NO_DATA);
    ck_assert_int_eq(slo_worse(SLO_NO_DATA, SLO_PASS), SLO_NO_DATA);
    ck_assert_str_eq(slo_verdict_text(SLO_UNCERTAIN), "uncertain (CI straddles the target)");
}
END_TEST

/* ---- plots ---- */

START_TEST(test_plot_list)
{
    results res;
    fixture(&res);
    plot_info info[PLOT_MAX];
    size_t n = plot_list(&res, info);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(info[0].name, "latency_cdf");
    ck_assert_str_eq(info[1].name, "p99_vs_app.rate");
    ck_assert_str_eq(info[2].name, "throughput_vs_app.rate");
    ck_assert_str_eq(info[3].name, "timeseries");
    /* a cache hit ratio and a replication lag add their sweep plots, in that order */
    for (size_t c = 0; c < res.n_cells; c++)
        for (size_t k = 0; k < res.cells[c].n_reps; k++) {
            res.cells[c].reps[k].metrics[METRIC_CACHE_HIT_RATIO] = 0.5;
            res.cells[c].reps[k].metrics[METRIC_LAG_P99] = 2.0;
        }
    n = plot_list(&res, info);
    ck_assert_uint_eq(n, 6);
    ck_assert_str_eq(info[3].name, "hit_ratio_vs_app.rate");
    ck_assert_str_eq(info[4].name, "lag_vs_app.rate");
    ck_assert_str_eq(info[5].name, "timeseries");
    for (size_t c = 0; c < res.n_cells; c++)
        for (size_t k = 0; k < res.cells[c].n_reps; k++) {
            res.cells[c].reps[k].metrics[METRIC_CACHE_HIT_RATIO] = NAN;
            res.cells[c].reps[k].metrics[METRIC_LAG_P99] = NAN;
        }
    /* without a sweep, no sweep plots; without series, no time series */
    for (size_t c = 0; c < res.n_cells; c++)
        for (size_t k = 0; k < res.cells[c].n_reps; k++) {
            series_set *s = &res.cells[c].reps[k].series;
            s->n_points = 0;
        }
    res.n_points = 1;
    res.n_cells = 2; /* keep (base, point 0) and (base, point 1) only: both cells listed */
    n = plot_list(&res, info);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(info[0].name, "latency_cdf");
    res.n_cells = 6;
    res.n_points = 3;
    results_fini(&res);
}
END_TEST

static int do_plot_run(void *arg) { return plot_run(arg, 0); }

/* The scripts are written, and draw without a word from gnuplot when it is installed. */
/* A time-series panel with more lines than fit: 10 queue series in 2 variants make 20
 * lines; the panel keeps the 4 series with the highest peaks (queue_s9 .. queue_s6: peak
 * value = index), labels them without the "queue_" prefix, and says so in its key. */
START_TEST(test_timeseries_busiest)
{
    results res;
    fixture(&res);
    for (size_t c = 0; c < res.n_cells; c++)
        for (size_t k = 0; k < res.cells[c].n_reps; k++) {
            series_set *ss = &res.cells[c].reps[k].series;
            free(ss->names);
            free(ss->values);
            ss->n_series = 11;
            ss->names = calloc(ss->n_series, sizeof *ss->names);
            ss->values = malloc(ss->n_points * ss->n_series * sizeof *ss->values);
            ck_assert(ss->names && ss->values);
            strcpy(ss->names[0], "throughput");
            for (size_t j = 1; j < ss->n_series; j++) snprintf(ss->names[j], sizeof ss->names[j], "queue_s%zu", j - 1);
            for (size_t i = 0; i < ss->n_points; i++)
                for (size_t j = 0; j < ss->n_series; j++)
                    ss->values[i * ss->n_series + j] = j ? (double)(j - 1) : 100.0;
        }
    char *base = scratch();
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/run", base);
    ck_assert_int_eq(output_write(&res, dir, 0, 1), 0);
    snprintf(path, sizeof path, "%s/timeseries.gp", dir);
    char *gp = slurp(path);
    ck_assert_ptr_nonnull(strstr(gp, "set key title 'the 4 highest of 10'"));
    for (int j = 0; j < 10; j++) {
        char label[64];
        snprintf(label, sizeof label, "title 'base: s%d'", j);
        ck_assert_msg((strstr(gp, label) != NULL) == (j >= 6), "s%d drawn: %d", j, strstr(gp, label) != NULL);
    }
    free(gp);
    rm_tree(base);
    free(base);
    results_fini(&res);
}
END_TEST

START_TEST(test_plots_draw)
{
    results res;
    fixture(&res);
    char *base = scratch();
    char dir[4200], path[4300], msg[4096];
    snprintf(dir, sizeof dir, "%s/run", base);
    ck_assert_int_eq(output_write(&res, dir, 0, 1), 0);
    static const char *const names[] = {"latency_cdf", "p99_vs_app.rate",
                                        "throughput_vs_app.rate", "timeseries"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s.gp", dir, names[i]);
        ck_assert_msg(exists(path), "%s missing", path);
    }
    if (!exists("/usr/bin/gnuplot") && !exists("/usr/local/bin/gnuplot")) {
        fprintf(stderr, "check_output: gnuplot not installed; drawing not tested\n");
    } else {
        ck_assert_int_eq(capture_stderr(do_plot_run, dir, msg, sizeof msg), 0);
        ck_assert_msg(msg[0] == '\0', "gnuplot said: %s", msg);
        for (size_t i = 0; i < 4; i++) {
            struct stat st;
            snprintf(path, sizeof path, "%s/%s.png", dir, names[i]);
            ck_assert_msg(stat(path, &st) == 0 && st.st_size > 1000, "%s not drawn", path);
            snprintf(path, sizeof path, "%s/%s.svg", dir, names[i]);
            ck_assert_msg(stat(path, &st) == 0 && st.st_size > 1000, "%s not drawn", path);
        }
    }
    /* gnuplot missing from PATH: one line, exit 0 */
    char *old = getenv("PATH") ? xstrdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent-dbscale-dir", 1);
    int rc = capture_stderr(do_plot_run, dir, msg, sizeof msg);
    if (old) setenv("PATH", old, 1);
    else unsetenv("PATH");
    free(old);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(msg, "dbscale: gnuplot not found: CSVs and plot scripts are written; to "
                          "draw the plots: sudo apt-get install gnuplot-nox\n");
    rm_tree(base);
    free(base);
    results_fini(&res);
}
END_TEST

/* A script that fails: exit 70 and gnuplot's complaint shown. */
START_TEST(test_plot_failure)
{
    if (!exists("/usr/bin/gnuplot") && !exists("/usr/local/bin/gnuplot")) return;
    char *base = scratch(), path[4200], msg[4096];
    snprintf(path, sizeof path, "%s/bad.gp", base);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is not gnuplot\n", f);
    fclose(f);
    ck_assert_int_eq(capture_stderr(do_plot_run, base, msg, sizeof msg), 70);
    ck_assert_msg(strstr(msg, "dbscale: gnuplot failed on '") != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, "bad.gp") != NULL, "%s", msg);
    ck_assert_int_eq(capture_stderr(do_plot_run, "/nonexistent-dbscale-dir", msg, sizeof msg), 66);
    rm_tree(base);
    free(base);
}
END_TEST

Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("fields");
    tcase_add_loop_test(tc, test_number_format, 0, sizeof numbers / sizeof numbers[0]);
    tcase_add_test(tc, test_number_format_small_buffer);
    tcase_add_loop_test(tc, test_csv_text, 0, sizeof fields / sizeof fields[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_test(tc, test_files_match_expected);
    tcase_add_test(tc, test_ci_closed_form);
    tcase_add_test(tc, test_failed_replication_ignored);
    tcase_add_loop_test(tc, test_replaces_existing, 0, sizeof nested / sizeof nested[0]);
    tcase_add_test(tc, test_unwritable_parent);
    tcase_add_test(tc, test_failure_removes_temporary);
    suite_add_tcase(s, tc);

    tc = tcase_create("report");
    tcase_add_test(tc, test_report_md);
    tcase_add_test(tc, test_report_md_slo_fail);
    tcase_add_test(tc, test_slo_parse);
    tcase_add_loop_test(tc, test_slo_errors, 0, sizeof slo_errors / sizeof slo_errors[0]);
    tcase_add_loop_test(tc, test_slo_judge, 0, sizeof judgements / sizeof judgements[0]);
    tcase_add_test(tc, test_slo_worse);
    suite_add_tcase(s, tc);

    tc = tcase_create("plots");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_plot_list);
    tcase_add_test(tc, test_plots_draw);
    tcase_add_test(tc, test_timeseries_busiest);
    tcase_add_test(tc, test_plot_failure);
    suite_add_tcase(s, tc);
    return s;
}
