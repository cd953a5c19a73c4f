/* check_capacity.c: the capacity analysis of a sweep (cli/capacity.h), capacity.csv, the
 * "Capacity" and "Architecture" sections of report.md, and a small run end to end.
 *
 * The crossings are checked against closed forms (linear interpolation between the
 * bracketing points, by hand); capacity.csv against its exact text; the run end to end
 * for what must hold whatever the random draws: the interval around the largest load,
 * the last passing point below it, the headroom by its definition. A known bug would
 * show as the crossing taken from the first point (a lower load), the CI ends swapped,
 * or the headroom computed from the last passing point instead of the crossing. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/aggregate.h"
#include "cli/capacity.h"
#include "cli/output.h"
#include "cli/report_md.h"
#include "cli/runner.h"
#include "cli/scenario.h"
#include "tests/test_util.h"

/* ---- crossings ---- */

static const double loads[4] = {100, 200, 300, 400};

static void assert_close(double got, double want, const char *what)
{
    ck_assert_msg(fabs(got - want) <= 1e-12 * fabs(want), "%s = %.17g, want %.17g", what, got,
                  want);
}

/* p99 < 20 over means 10, 15, 25, 40 with half-widths 2, 2, 3, 5: the mean crosses between
 * 200 (15) and 300 (25) at 250; the upper bound (12, 17, 28, 45) at 200 + 3/11 x 100; the
 * lower bound (8, 13, 22, 35) at 200 + 7/9 x 100. */
START_TEST(test_crossing_below)
{
    ci v[4] = {{10, 2, 3}, {15, 2, 3}, {25, 3, 3}, {40, 5, 3}};
    slo_clause c = {.metric = METRIC_LAT_P99, .above = 0, .value = 20};
    double x[3];
    capacity_crossing(loads, v, 4, &c, x);
    assert_close(x[0], 250.0, "mean crossing");
    assert_close(x[1], 200.0 + 3.0 / 11.0 * 100.0, "low end");
    assert_close(x[2], 200.0 + 7.0 / 9.0 * 100.0, "high end");
}
END_TEST

/* throughput > 150 over means 400, 300, 180, 100 (half-widths 10, 20, 40, 10): the mean
 * crosses between 300 and 400 at 300 + 30/80 x 100; the lower bound (390, 280, 140, 90)
 * between 200 and 300 at 200 + 130/140 x 100; the upper bound (410, 320, 220, 110)
 * between 300 and 400 at 300 + 70/110 x 100. */
START_TEST(test_crossing_above)
{
    ci v[4] = {{400, 10, 3}, {300, 20, 3}, {180, 40, 3}, {100, 10, 3}};
    slo_clause c = {.metric = METRIC_THROUGHPUT, .above = 1, .value = 150};
    double x[3];
    capacity_crossing(loads, v, 4, &c, x);
    assert_close(x[0], 300.0 + 30.0 / 80.0 * 100.0, "mean crossing");
    assert_close(x[1], 200.0 + 130.0 / 140.0 * 100.0, "low end");
    assert_close(x[2], 300.0 + 70.0 / 110.0 * 100.0, "high end");
}
END_TEST

/* Edge cases: met everywhere (+inf), nowhere (-inf), missing half-width (no CI), a point
 * without a figure skipped, no points. The last point meeting the target counts: a curve
 * that dips back under the target crosses after its last good point. */
START_TEST(test_crossing_edges)
{
    slo_clause c = {.metric = METRIC_LAT_P99, .above = 0, .value = 20};
    double x[3];
    ci all[4] = {{1, 1, 3}, {2, 1, 3}, {3, 1, 3}, {4, 1, 3}};
    capacity_crossing(loads, all, 4, &c, x);
    ck_assert(x[0] == INFINITY && x[1] == INFINITY && x[2] == INFINITY);
    ci none[4] = {{30, 1, 3}, {31, 1, 3}, {32, 1, 3}, {33, 1, 3}};
    capacity_crossing(loads, none, 4, &c, x);
    ck_assert(x[0] == -INFINITY && x[1] == -INFINITY && x[2] == -INFINITY);
    ci one_rep[4] = {{10, NAN, 1}, {30, NAN, 1}, {40, NAN, 1}, {50, NAN, 1}};
    capacity_crossing(loads, one_rep, 4, &c, x);
    assert_close(x[0], 150.0, "mean crossing");
    ck_assert(isnan(x[1]) && isnan(x[2]));
    ci hole[4] = {{10, 0, 3}, {NAN, NAN, 0}, {30, 0, 3}, {40, 0, 3}};
    capacity_crossing(loads, hole, 4, &c, x);
    assert_close(x[0], 200.0, "crossing over the hole"); /* 100 + 10/20 x 200 */
    ci u[4] = {{30, 0, 3}, {10, 0, 3}, {30, 0, 3}, {40, 0, 3}};
    capacity_crossing(loads, u, 4, &c, x);
    assert_close(x[0], 250.0, "U-shaped: after the last good point");
    capacity_crossing(loads, u, 0, &c, x);
    ck_assert(isnan(x[0]) && isnan(x[1]) && isnan(x[2]));
}
END_TEST

/* ---- synthetic results ---- */

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* One station row. */
static void set_station(station_row *r, const char *name, const char *kind, double util,
                    double offered, double growth, double throughput)
{
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    r->utilisation = util;
    r->mean_queue = isnan(util) ? NAN : 2.0 * util;
    r->mean_residence_ms = 1.0;
    r->throughput = throughput;
    r->refused = 0;
    r->offered_load = offered;
    r->backlog_growth = growth;
}

/* Results of variants x points along app.rate = rates[] (texts), reps replications.
 * p99[v][p][k] is the p99 (ms) of replication k; throughput = rate; stations: app
 * (clients), db (utilisation rate/500), cache (saturated from 300/s on). */
static void synthetic(results *res, size_t n_variants, const char *const *names, size_t n_points,
                      const char *const *rates, size_t reps, const double *p99,
                      const char *current)
{
    results_init(res);
    res->scenario_name = xstrdup("synthetic");
    res->n_variants = n_variants;
    res->variant_names = calloc(n_variants, sizeof *res->variant_names);
    res->axis_base = calloc(n_variants, sizeof *res->axis_base);
    for (size_t v = 0; v < n_variants; v++) {
        res->variant_names[v] = xstrdup(names[v]);
        res->axis_base[v] = current ? xstrdup(current) : NULL;
    }
    res->n_axes = 1;
    res->axis_keys = calloc(1, sizeof *res->axis_keys);
    res->axis_keys[0] = xstrdup("app.rate");
    res->n_points = n_points;
    res->point_values = calloc(n_points, sizeof *res->point_values);
    for (size_t p = 0; p < n_points; p++) res->point_values[p] = xstrdup(rates[p]);
    res->slo = xstrdup("p99 < 20ms");
    res->duration = 10;
    res->warmup = 1;
    res->n_cells = n_variants * n_points;
    res->cells = calloc(res->n_cells, sizeof *res->cells);
    for (size_t v = 0; v < n_variants; v++)
        for (size_t p = 0; p < n_points; p++) {
            results_cell *c = &res->cells[v * n_points + p];
            c->variant = (uint32_t)v;
            c->point = (uint32_t)p;
            c->n_reps = reps;
            c->reps = calloc(reps, sizeof *c->reps);
            double rate = agg_axis_value(res, p, 0);
            for (size_t k = 0; k < reps; k++) {
                run_result *r = &c->reps[k];
                run_result_init(r);
                r->variant = (uint32_t)v;
                r->point = (uint32_t)p;
                r->replication = (uint32_t)k;
                r->metrics[METRIC_THROUGHPUT] = rate;
                r->metrics[METRIC_LAT_P99] = p99[(v * n_points + p) * reps + k];
                r->n_stations = 3;
                r->stations = calloc(3, sizeof *r->stations);
                set_station(&r->stations[0], "app", "clients", NAN, NAN, NAN, rate);
                set_station(&r->stations[1], "db", "server", rate / 500.0, rate / 500.0, 0, rate);
                int sat = rate >= 300;
                set_station(&r->stations[2], "cache", "cache", sat ? 0.85 : 0.5, sat ? 1.2 : 0.5,
                        sat ? 100.0 : 0.0, 50.0);
            }
        }
}

static char *csv_text(const results *res)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(capacity_write_csv(res, f), 0);
    fclose(f);
    return buf;
}

/* Three replications per point, p99 = m - d, m, m + d: mean m, half-width
 * t(0.975, 2) d / sqrt(3). Means 10, 15, 25, 40, 60 ms at 100..500/s, d = 1, 1, 2, 2, 2:
 * the mean crosses 20 ms at 250/s; the bounds at closed forms in h1 = t/sqrt(3) and
 * h2 = 2t/sqrt(3); every point up to 200/s passes (upper bounds 15 + h1 < 20). */
START_TEST(test_max_load)
{
    static const char *const names[] = {"base"};
    static const char *const rates[] = {"100/s", "200/s", "300/s", "400/s", "500/s"};
    const double m[5] = {10, 15, 25, 40, 60}, d[5] = {1, 1, 2, 2, 2};
    double p99[15];
    for (int p = 0; p < 5; p++)
        for (int k = 0; k < 3; k++) p99[p * 3 + k] = m[p] + (k - 1) * d[p];
    results res;
    synthetic(&res, 1, names, 5, rates, 3, p99, "125/s");
    capacity cap;
    ck_assert_int_eq(capacity_analyse(&res, &cap), 0);
    ck_assert_int_eq(cap.axis, 0);
    ck_assert_int_eq(cap.kind, UNIT_RATE);
    ck_assert_uint_eq(cap.n_lines, 1);
    const capacity_line *L = &cap.lines[0];
    double t = gsl_cdf_tdist_Pinv(0.975, 2), h1 = t / sqrt(3.0), h2 = 2 * t / sqrt(3.0);
    ck_assert_int_eq(L->bound, CAPACITY_INTERPOLATED);
    assert_close(L->max_load, 250.0, "max_load");
    /* upper bounds 15 + h1 (meets) and 25 + h2: crossing at 200 + (5 - h1) / (10 + h2 - h1) x 100 */
    assert_close(L->max_load_lo, 200.0 + (5.0 - h1) / (10.0 + h2 - h1) * 100.0, "ci low");
    /* lower bounds 15 - h1 and 25 - h2 (= 20.03: misses): 200 + (5 + h1) / (10 - h2 + h1) x 100 */
    assert_close(L->max_load_hi, 200.0 + (5.0 + h1) / (10.0 - h2 + h1) * 100.0, "ci high");
    ck_assert(L->max_load_lo < L->max_load && L->max_load < L->max_load_hi);
    ck_assert_int_eq(L->last_pass, 1);
    ck_assert_int_eq(L->knee, 1);
    ck_assert_int_eq(L->verdict[0], SLO_PASS);
    ck_assert_int_eq(L->verdict[2], SLO_FAIL);
    ck_assert_int_eq(L->binding, 0);
    /* cache is flagged saturated at 300/s (db: 60%): it is first */
    ck_assert_str_eq(L->first_saturated, "cache");
    ck_assert(L->saturates_at == 300.0 && L->saturated_flagged == 1);
    /* headroom: 250 / 125 - 1 */
    ck_assert(L->current == 125.0);
    assert_close(L->headroom, 1.0, "headroom");
    capacity_fini(&cap);
    results_fini(&res);
}
END_TEST

/* A sweep along which throughput stays put (within its CIs) gets no USL fit, with the
 * reason: a cache size or a query mix under an open workload has no scalability curve.
 * Throughput 1000 +- 1 per replication at every point (half-width t(0.975,2)/sqrt(3)). */
START_TEST(test_usl_flat_throughput)
{
    static const char *const names[] = {"base"};
    static const char *const rates[] = {"100/s", "200/s", "300/s", "400/s", "500/s"};
    double p99[15];
    for (int i = 0; i < 15; i++) p99[i] = 5.0;
    results res;
    synthetic(&res, 1, names, 5, rates, 3, p99, NULL);
    for (size_t c = 0; c < res.n_cells; c++)
        for (size_t k = 0; k < res.cells[c].n_reps; k++)
            res.cells[c].reps[k].metrics[METRIC_THROUGHPUT] = 1000.0 + (double)k - 1.0 + 0.1 * (double)c;
    capacity cap;
    ck_assert_int_eq(capacity_analyse(&res, &cap), 0);
    ck_assert_uint_eq(cap.n_lines, 1);
    ck_assert_int_eq(cap.lines[0].usl_tried, 1);
    ck_assert_int_eq(cap.lines[0].usl.ok, 0);
    ck_assert_ptr_nonnull(strstr(cap.lines[0].usl.note, "does not change"));
    capacity_fini(&cap);
    /* the same sweep with throughput = rate is fitted */
    for (size_t c = 0; c < res.n_cells; c++)
        for (size_t k = 0; k < res.cells[c].n_reps; k++)
            res.cells[c].reps[k].metrics[METRIC_THROUGHPUT] = agg_axis_value(&res, res.cells[c].point, 0) + (double)k - 1.0;
    ck_assert_int_eq(capacity_analyse(&res, &cap), 0);
    ck_assert_int_eq(cap.lines[0].usl.ok, 1);
    capacity_fini(&cap);
    results_fini(&res);
}
END_TEST

/* Utilisation alone: without the flagged cache, db at 90% (450/s) comes first; the SLO
 * met at every point gives the top as a lower bound and the headroom from it. */
START_TEST(test_saturation_by_utilisation)
{
    static const char *const names[] = {"base"};
    static const char *const rates[] = {"300/s", "450/s", "150/s"}; /* unsorted on purpose */
    const double p99[3] = {5, 6, 4};
    results res;
    synthetic(&res, 1, names, 3, rates, 1, p99, "100/s");
    for (size_t c = 0; c < res.n_cells; c++) { /* the cache never saturates here */
        station_row *s = &res.cells[c].reps[0].stations[2];
        s->utilisation = 0.5;
        s->offered_load = 0.5;
        s->backlog_growth = 0.0;
    }
    capacity cap;
    ck_assert_int_eq(capacity_analyse(&res, &cap), 0);
    const capacity_line *L = &cap.lines[0];
    ck_assert(L->load[0] == 150.0 && L->load[1] == 300.0 && L->load[2] == 450.0);
    ck_assert_uint_eq(L->points[0], 2);
    ck_assert_str_eq(L->first_saturated, "db");
    ck_assert(L->saturates_at == 450.0 && L->saturated_flagged == 0);
    ck_assert_int_eq(L->bound, CAPACITY_ABOVE_RANGE);
    ck_assert(L->max_load == 450.0 && isnan(L->max_load_lo) && isnan(L->max_load_hi));
    assert_close(L->headroom, 3.5, "headroom (at least)");
    ck_assert_int_eq(L->last_pass, 2); /* one replication: the mean decides the verdict */
    capacity_fini(&cap);
    results_fini(&res);
}
END_TEST

/* capacity.csv, whole: one replication per point (no CI), three points (no USL fit).
 * base: p99 10, 15, 25 ms -> 250/s, headroom 250/125 - 1 = 1; "semi,sync": 30, 40, 50 ms
 * -> never met. The cache saturates at 300/s in both. */
START_TEST(test_csv_text)
{
    static const char *const names[] = {"base", "semi,sync"};
    static const char *const rates[] = {"100/s", "200/s", "300/s"};
    const double p99[6] = {10, 15, 25, 30, 40, 50};
    results res;
    synthetic(&res, 2, names, 3, rates, 1, p99, "125/s");
    char *text = csv_text(&res);
    const char *want =
        "variant,swept_key,slo,max_load,max_load_ci_low,max_load_ci_high,"
        "first_saturated_station,saturates_at,headroom,usl_lambda,usl_lambda_se,usl_sigma,"
        "usl_sigma_se,usl_kappa,usl_kappa_se,usl_peak_n,usl_peak_n_se,usl_peak_x,"
        "usl_peak_x_se,usl_r2,max_load_note,last_pass_load,current_load,"
        "saturation_criterion,binding_condition\n"
        "base,app.rate,p99 < 20ms,250,,,cache,300,1,,,,,,,,,,,,interpolated,200,125,"
        "saturated,p99 < 20ms\n"
        "\"semi,sync\",app.rate,p99 < 20ms,,,,cache,300,,,,,,,,,,,,,not_met,,125,"
        "saturated,p99 < 20ms\n";
    ck_assert_str_eq(text, want);
    free(text);

    /* no SLO and no current value: those columns empty */
    free(res.slo);
    res.slo = NULL;
    free(res.axis_base[0]);
    res.axis_base[0] = NULL;
    text = csv_text(&res);
    ck_assert_ptr_nonnull(strstr(text, "\nbase,app.rate,,,,,cache,300,,,,,,,,,,,,,no_slo,,,"
                                       "saturated,\n"));
    free(text);
    results_fini(&res);
}
END_TEST

/* Without a sweep, or with a sweep of text values, capacity.csv is its header alone. */
START_TEST(test_csv_header_only)
{
    static const char *const names[] = {"base"};
    static const char *const modes[] = {"async", "sync"};
    const double p99[2] = {10, 15};
    results res;
    synthetic(&res, 1, names, 2, modes, 1, p99, NULL);
    free(res.axis_keys[0]);
    res.axis_keys[0] = xstrdup("db.replication");
    char *text = csv_text(&res);
    ck_assert_ptr_nonnull(strstr(text, ",binding_condition\n"));
    ck_assert_ptr_null(strstr(strstr(text, "binding_condition\n"), "base"));
    free(text);
    results_fini(&res);
}
END_TEST

/* A grid: db.replicas (counts) x app.rate (rates): the rate is the load axis, and each
 * replicas value is its own line, named in a leading column. */
START_TEST(test_grid_lines)
{
    static const char *const grid[8] = {"1", "100/s", "1", "200/s", "2", "100/s", "2", "200/s"};
    const double p99[4] = {10, 30, 5, 15};
    results res;
    results_init(&res);
    res.n_variants = 1;
    res.variant_names = calloc(1, sizeof *res.variant_names);
    res.variant_names[0] = xstrdup("base");
    res.n_axes = 2;
    res.axis_keys = calloc(2, sizeof *res.axis_keys);
    res.axis_keys[0] = xstrdup("db.replicas");
    res.axis_keys[1] = xstrdup("app.rate");
    res.axis_base = calloc(2, sizeof *res.axis_base);
    res.axis_base[0] = xstrdup("1");
    res.axis_base[1] = xstrdup("150/s");
    res.n_points = 4;
    res.point_values = calloc(8, sizeof *res.point_values);
    for (int i = 0; i < 8; i++) res.point_values[i] = xstrdup(grid[i]);
    res.slo = xstrdup("p99 < 20ms");
    res.n_cells = 4;
    res.cells = calloc(4, sizeof *res.cells);
    for (uint32_t p = 0; p < 4; p++) {
        results_cell *c = &res.cells[p];
        c->point = p;
        c->n_reps = 1;
        c->reps = calloc(1, sizeof *c->reps);
        run_result_init(&c->reps[0]);
        c->reps[0].point = p;
        c->reps[0].metrics[METRIC_LAT_P99] = p99[p];
        c->reps[0].metrics[METRIC_THROUGHPUT] = 100.0 * (p % 2 + 1);
    }
    char *text = csv_text(&res);
    ck_assert_ptr_nonnull(strstr(text, "variant,db.replicas,swept_key,slo,max_load,"));
    /* replicas 1: 10 -> 30 ms, crosses at 150/s (headroom 0); replicas 2: met at the top,
     * 200/s (headroom 200/150 - 1, at least) */
    ck_assert_ptr_nonnull(strstr(text, "\nbase,1,app.rate,p99 < 20ms,150,,,,,0,"));
    ck_assert_ptr_nonnull(strstr(text, "\nbase,2,app.rate,p99 < 20ms,200,,,,,0.33333333333333326,"));
    free(text);
    results_fini(&res);
}
END_TEST

/* report.md: the capacity sentence with units and CI, the knee table, the architecture. */
START_TEST(test_report_section)
{
    static const char *const names[] = {"base"};
    static const char *const rates[] = {"100/s", "200/s", "300/s", "400/s", "500/s"};
    const double m[5] = {10, 15, 25, 40, 60}, d[5] = {1, 1, 2, 2, 2};
    double p99[15];
    for (int p = 0; p < 5; p++)
        for (int k = 0; k < 3; k++) p99[p * 3 + k] = m[p] + (k - 1) * d[p];
    results res;
    synthetic(&res, 1, names, 5, rates, 3, p99, "125/s");
    res.architecture = calloc(1, sizeof *res.architecture);
    res.architecture[0] = xstrdup("app (clients: poisson arrivals at 100/s..500/s (5 values, "
                                  "swept))\n  -> db (server: 2 servers, service exp(2ms))\n");
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_int_eq(report_md_write(&res, f), 0);
    fclose(f);
    double t = gsl_cdf_tdist_Pinv(0.975, 2), h1 = t / sqrt(3.0), h2 = 2 * t / sqrt(3.0);
    char want[512];
    snprintf(want, sizeof want,
             "- **base** meets `p99 < 20ms` up to app.rate = 250/s (95%% CI %.4g/s..%.4g/s); "
             "last sweep point that passes: 200/s; **cache** saturates first, at 300/s (its "
             "backlog grows without bound); headroom at the current 125/s: 100%%.\n",
             200.0 + (5.0 - h1) / (10.0 + h2 - h1) * 100.0,
             200.0 + (5.0 + h1) / (10.0 - h2 + h1) * 100.0);
    const char *expect[] = {
        "## Architecture\n",
        "```text\napp (clients: poisson arrivals at 100/s..500/s (5 values, swept))\n"
        "  -> db (server: 2 servers, service exp(2ms))\n```\n",
        "Swept: `app.rate`; the scenario's value before the sweep (the current load of the "
        "capacity plan): `125/s`.",
        "## Capacity\n",
        want,
        "Stations of **base** at the knee, app.rate = 200/s (the last load whose whole CI "
        "passes the SLO):",
        "| db | server | 40.0% ± 0.0% | 0.4000 | 0.8000 ± 0.0000 |",
        "| variant | λ (requests/s per request/s of `app.rate`) |",
        "![USL fit](usl_fit.png)",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        ck_assert_msg(strstr(buf, expect[i]) != NULL, "report.md lacks: %s\n---\n%s", expect[i],
                      buf);
    ck_assert_ptr_null(strstr(buf, "| app | clients |")); /* the workload has no utilisation */
    free(buf);
    results_fini(&res);
}
END_TEST

/* ---- end to end: a 5-point sweep of an M/M/2 queue ---- */

static const char e2e_text[] =
    "[scenario]\n"
    "duration     = 4s\n"
    "warmup       = 0.5s\n"
    "replications = 3\n"
    "seed         = 11\n"
    "slo          = p99 < 15ms\n"
    "\n"
    "[src]\n"
    "type       = clients\n"
    "rate       = 300/s\n"
    "read_ratio = 0.8\n"
    "next       = q\n"
    "\n"
    "[q]\n"
    "type    = server\n"
    "servers = 2\n"
    "service = exp(2ms)\n"
    "\n"
    "[sweep]\n"
    "src.rate = 200/s..1000/s step 200/s\n";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* Field `col` (0-based) of CSV line `line` (no quoted commas in it) as a number. */
static double field(const char *line, int col)
{
    for (int i = 0; i < col; i++) line = strchr(line, ',') + 1;
    return *line == ',' || *line == '\n' ? NAN : strtod(line, NULL);
}

START_TEST(test_end_to_end)
{
    char dir[] = "/tmp/dbscale-check-capacity-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], out[128], file[160];
    snprintf(path, sizeof path, "%s/cap.ini", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    FILE *f = fopen(path, "w");
    fputs(e2e_text, f);
    fclose(f);

    scenario sc;
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(scenario_load(&sc, path, NULL, 0, &d), 0);
    diag_fini(&d);
    results res;
    run_options o = {.jobs = 1, .quiet = 1, .part_index = 0, .part_count = 1};
    ck_assert_int_eq(runner_execute(&sc, &o, &res), 0);
    ck_assert_ptr_nonnull(res.architecture);
    ck_assert_str_eq(res.architecture[0],
                     "src (clients: poisson arrivals at 200/s..1000/s (5 values, swept), "
                     "read_ratio 0.8)\n  -> q (server: 2 servers, service exp(2ms))\n");
    ck_assert_str_eq(res.axis_base[0], "300/s");
    ck_assert_int_eq(output_write(&res, out, 0, 1), 0);

    snprintf(file, sizeof file, "%s/capacity.csv", out);
    char *csv = slurp(file);
    ck_assert_ptr_nonnull(csv);
    char *row = strchr(csv, '\n') + 1;
    ck_assert_int_eq(strncmp(row, "base,src.rate,p99 < 15ms,", 25), 0);
    ck_assert_str_eq(strchr(row, '\n'), "\n"); /* one variant: one row */
    double max = field(row, 3), lo = field(row, 4), hi = field(row, 5);
    double headroom = field(row, 8), last_pass = field(row, 21), current = field(row, 22);
    /* the M/M/2 queue (capacity 1000/s) meets 15 ms at low loads and not at 1000/s */
    ck_assert_msg(max > 200 && max < 1000, "max_load %g", max);
    ck_assert_msg(isnan(lo) || lo <= max, "ci low %g > %g", lo, max);
    ck_assert_msg(isnan(hi) || hi >= max, "ci high %g < %g", hi, max);
    ck_assert_msg(isnan(last_pass) || last_pass <= max, "last pass %g", last_pass);
    ck_assert(current == 300.0);
    assert_close(headroom, max / 300.0 - 1.0, "headroom");
    ck_assert_ptr_nonnull(strstr(row, ",interpolated,"));
    ck_assert_ptr_nonnull(strstr(row, ",q,")); /* the server is the one to saturate */
    /* five points: the USL fit is there (lambda near 1: throughput follows the rate) */
    double lambda = field(row, 9);
    ck_assert_msg(lambda > 0.8 && lambda < 1.2, "usl_lambda %g", lambda);
    free(csv);

    snprintf(file, sizeof file, "%s/report.md", out);
    char *md = slurp(file);
    ck_assert_ptr_nonnull(md);
    ck_assert_ptr_nonnull(strstr(md, "## Capacity\n"));
    ck_assert_ptr_nonnull(strstr(md, "- **base** meets `p99 < 15ms` up to src.rate = "));
    ck_assert_ptr_nonnull(strstr(md, "## Architecture\n"));
    ck_assert_ptr_nonnull(strstr(md, "![USL fit](usl_fit.png)"));
    free(md);
    snprintf(file, sizeof file, "%s/usl_fit.gp", out);
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);

    results_fini(&res);
    scenario_fini(&sc);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *capacity_suite(void)
{
    Suite *s = suite_create("capacity");
    TCase *tc = tcase_create("crossing");
    tcase_add_test(tc, test_crossing_below);
    tcase_add_test(tc, test_crossing_above);
    tcase_add_test(tc, test_crossing_edges);
    suite_add_tcase(s, tc);
    tc = tcase_create("analysis");
    tcase_add_test(tc, test_max_load);
    tcase_add_test(tc, test_usl_flat_throughput);
    tcase_add_test(tc, test_saturation_by_utilisation);
    tcase_add_test(tc, test_csv_text);
    tcase_add_test(tc, test_csv_header_only);
    tcase_add_test(tc, test_grid_lines);
    tcase_add_test(tc, test_report_section);
    suite_add_tcase(s, tc);
    tc = tcase_create("end_to_end");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_test(tc, test_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}
