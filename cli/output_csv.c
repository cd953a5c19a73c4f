/* output_csv.c: the five CSV files of a run (columns documented in docs/outputs.md). */
#include "cli/output.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"

/* "variant,<axis keys>" : the leading header fields of every file. */
static int head(const results *res, FILE *f)
{
    if (fputs("variant", f) == EOF) return -1;
    for (size_t a = 0; a < res->n_axes; a++)
        if (fputc(',', f) == EOF || output_csv_text(f, res->axis_keys[a])) return -1;
    return 0;
}

/* "<variant>,<axis values>" : the leading fields of a row of cell c. */
static int lead(const results *res, const results_cell *c, FILE *f)
{
    const char *name = c->variant < res->n_variants ? res->variant_names[c->variant] : "";
    return output_csv_text(f, name) || output_csv_axes(res, c->point, f) ? -1 : 0;
}

static int comma_number(FILE *f, double v)
{
    return fputc(',', f) == EOF || output_csv_number(f, v) ? -1 : 0;
}

static int comma_text(FILE *f, const char *s)
{
    return fputc(',', f) == EOF || output_csv_text(f, s) ? -1 : 0;
}

static int done(FILE *f) { return ferror(f) ? -1 : 0; }

/* ",<names>": the cell's saturated stations, space-separated (empty when none). */
static int saturated_list(const results_cell *c, FILE *f)
{
    agg_station *st = NULL;
    size_t n = 0;
    if (agg_stations(c, &st, &n) != 0) return -1;
    size_t len = 1;
    for (size_t s = 0; s < n; s++)
        if (st[s].saturated) len += strlen(st[s].name) + 1;
    char *names = calloc(len, 1);
    if (!names) {
        free(st);
        return -1;
    }
    for (size_t s = 0; s < n; s++) {
        if (!st[s].saturated) continue;
        if (*names) strcat(names, " ");
        strcat(names, st[s].name);
    }
    int rc = fputc(',', f) == EOF || output_csv_text(f, names) ? -1 : 0;
    free(names);
    free(st);
    return rc;
}

int output_write_summary(const results *res, FILE *f)
{
    if (head(res, f) || fputs(",replications", f) == EOF) return -1;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (fprintf(f, ",%s,%s_ci", metric_column(m), metric_column(m)) < 0) return -1;
    if (fputs(",saturated_stations\n", f) == EOF) return -1;

    for (size_t i = 0; i < res->n_cells; i++) {
        const results_cell *c = &res->cells[i];
        if (lead(res, c, f) || fprintf(f, ",%zu", agg_reps(c)) < 0) return -1;
        for (int m = 0; m < METRIC_COUNT; m++) {
            ci v = agg_metric(c, m);
            if (comma_number(f, v.mean) || comma_number(f, v.half_width)) return -1;
        }
        if (saturated_list(c, f) || fputc('\n', f) == EOF) return -1;
    }
    return done(f);
}

int output_write_replications(const results *res, FILE *f)
{
    if (head(res, f) || fputs(",replication", f) == EOF) return -1;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (fprintf(f, ",%s", metric_column(m)) < 0) return -1;
    if (fputs(",warmup_s,events\n", f) == EOF) return -1;

    for (size_t i = 0; i < res->n_cells; i++) {
        const results_cell *c = &res->cells[i];
        for (size_t k = 0; k < c->n_reps; k++) {
            const run_result *r = &c->reps[k];
            if (r->failed) continue;
            if (lead(res, c, f) || fprintf(f, ",%u", (unsigned)r->replication) < 0) return -1;
            for (int m = 0; m < METRIC_COUNT; m++)
                if (comma_number(f, r->metrics[m])) return -1;
            if (comma_number(f, r->warmup_used) ||
                fprintf(f, ",%llu\n", (unsigned long long)r->events) < 0)
                return -1;
        }
    }
    return done(f);
}

int output_write_stations(const results *res, FILE *f)
{
    if (head(res, f) || fputs(",station,kind", f) == EOF) return -1;
    for (int k = 0; k < AGG_STATION_FIELDS; k++)
        if (fprintf(f, ",%s,%s_ci", agg_station_column(k), agg_station_column(k)) < 0) return -1;
    if (fputs(",saturated\n", f) == EOF) return -1;

    for (size_t i = 0; i < res->n_cells; i++) {
        const results_cell *c = &res->cells[i];
        agg_station *st;
        size_t n;
        if (agg_stations(c, &st, &n)) {
            errno = ENOMEM;
            return -1;
        }
        int rc = 0;
        for (size_t s = 0; s < n && !rc; s++) {
            rc = lead(res, c, f) || comma_text(f, st[s].name) || comma_text(f, st[s].kind);
            for (int k = 0; k < AGG_STATION_FIELDS && !rc; k++)
                rc = comma_number(f, st[s].v[k].mean) || comma_number(f, st[s].v[k].half_width);
            if (!rc) rc = fputs(st[s].saturated ? ",yes\n" : ",no\n", f) == EOF;
        }
        free(st);
        if (rc) return -1;
    }
    return done(f);
}

int output_write_timeseries(const results *res, FILE *f)
{
    char (*names)[64];
    size_t n_names;
    if (agg_series_names(res, &names, &n_names)) {
        errno = ENOMEM;
        return -1;
    }
    int rc = head(res, f) || fputs(",t_s", f) == EOF;
    for (size_t j = 0; j < n_names && !rc; j++) rc = comma_text(f, names[j]);
    if (!rc) rc = fputc('\n', f) == EOF;

    for (size_t i = 0; i < res->n_cells && !rc; i++) {
        const results_cell *c = &res->cells[i];
        size_t rows = agg_series_rows(c);
        for (size_t t = 0; t < rows && !rc; t++) {
            rc = lead(res, c, f) || comma_number(f, agg_series_time(c, t));
            for (size_t j = 0; j < n_names && !rc; j++)
                rc = comma_number(f, agg_series_value(c, t, names[j]));
            if (!rc) rc = fputc('\n', f) == EOF;
        }
    }
    free(names);
    return rc ? -1 : done(f);
}

/* The order of the op column: all operations first, then read, write, scan. */
static int op_at(int i) { return i == 0 ? OP_COUNT : i - 1; }

int output_write_latency(const results *res, FILE *f)
{
    if (head(res, f) || fputs(",op,bucket_low_ms,bucket_high_ms,count,cdf\n", f) == EOF)
        return -1;
    hist *h = malloc(sizeof *h);
    if (!h) {
        errno = ENOMEM;
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < res->n_cells && !rc; i++) {
        const results_cell *c = &res->cells[i];
        for (int o = 0; o <= OP_COUNT && !rc; o++) {
            int op = op_at(o);
            agg_latency(c, op, h);
            uint64_t cum = 0;
            for (size_t b = 0; b < HIST_BINS && !rc; b++) {
                if (!h->bins[b]) continue;
                cum += h->bins[b];
                double lo = fmax(hist_bin_low(b), h->min), hi = fmin(hist_bin_high(b), h->max);
                rc = lead(res, c, f) || comma_text(f, agg_op_name(op)) ||
                     comma_number(f, lo * 1e3) || comma_number(f, hi * 1e3) ||
                     fprintf(f, ",%llu", (unsigned long long)h->bins[b]) < 0 ||
                     comma_number(f, (double)cum / (double)h->count) || fputc('\n', f) == EOF;
            }
        }
    }
    free(h);
    return rc ? -1 : done(f);
}

/* regions.csv: per (variant, point, region of the users) the per-region latency breakdown,
 * each figure the mean over replications with its 95% CI. */
int output_write_regions(const results *res, FILE *f)
{
    static const char *const cols[] = {"throughput", "failed", "latency_mean_ms",
                                       "latency_p50_ms", "latency_p99_ms",
                                       "read_latency_p99_ms", "write_latency_p99_ms"};
    enum { N_COLS = sizeof cols / sizeof cols[0] };
    if (head(res, f) || fputs(",region", f) == EOF) return -1;
    for (size_t k = 0; k < N_COLS; k++)
        if (fprintf(f, ",%s,%s_ci", cols[k], cols[k]) < 0) return -1;
    if (fputc('\n', f) == EOF) return -1;
    for (size_t i = 0; i < res->n_cells; i++) {
        const results_cell *c = &res->cells[i];
        const run_result *first = NULL;
        for (size_t k = 0; k < c->n_reps && !first; k++)
            if (!c->reps[k].failed) first = &c->reps[k];
        if (!first) continue;
        double *v = malloc((c->n_reps ? c->n_reps : 1) * sizeof *v);
        if (!v) return -1;
        for (size_t g = 0; g < first->n_regions; g++) {
            if (lead(res, c, f) || comma_text(f, first->regions[g].name)) {
                free(v);
                return -1;
            }
            for (size_t col = 0; col < N_COLS; col++) {
                size_t m = 0;
                for (size_t k = 0; k < c->n_reps; k++) {
                    const run_result *r = &c->reps[k];
                    if (r->failed || g >= r->n_regions) continue;
                    const region_row *row = &r->regions[g];
                    double seconds = res->duration - (isnan(r->warmup_used) ? 0.0 : r->warmup_used);
                    double x = NAN;
                    switch (col) {
                    case 0: x = seconds > 0 ? row->completed / seconds : NAN; break;
                    case 1: x = row->failed; break;
                    case 2: x = row->latency.count ? 1e3 * hist_mean(&row->latency) : NAN; break;
                    case 3: x = row->latency.count ? 1e3 * hist_quantile(&row->latency, 0.5) : NAN; break;
                    case 4: x = row->latency.count ? 1e3 * hist_quantile(&row->latency, 0.99) : NAN; break;
                    case 5: x = row->read.count ? 1e3 * hist_quantile(&row->read, 0.99) : NAN; break;
                    default: x = row->write.count ? 1e3 * hist_quantile(&row->write, 0.99) : NAN; break;
                    }
                    v[m++] = x;
                }
                ci ci95 = ci_of(v, m, AGG_LEVEL);
                if (comma_number(f, ci95.mean) || comma_number(f, ci95.half_width)) {
                    free(v);
                    return -1;
                }
            }
            if (fputc('\n', f) == EOF) {
                free(v);
                return -1;
            }
        }
        free(v);
    }
    return done(f);
}

/* station_metrics.csv: the figures stations report about themselves (pool waits,
 * connection peaks, buffer-pool hit ratios, replica lag, ...), one row per (variant, point,
 * station, metric), mean over replications with its 95% CI; in the order the first
 * replication reported them. */
int output_write_station_metrics(const results *res, FILE *f)
{
    if (head(res, f) || fputs(",station,metric,value,value_ci\n", f) == EOF) return -1;
    for (size_t i = 0; i < res->n_cells; i++) {
        const results_cell *c = &res->cells[i];
        const run_result *first = NULL;
        for (size_t k = 0; k < c->n_reps && !first; k++)
            if (!c->reps[k].failed) first = &c->reps[k];
        if (!first) continue;
        double *v = malloc((c->n_reps ? c->n_reps : 1) * sizeof *v);
        if (!v) return -1;
        int rc = 0;
        for (size_t j = 0; j < first->n_values && !rc; j++) {
            const station_value *want = &first->values[j];
            size_t m = 0;
            for (size_t k = 0; k < c->n_reps; k++) {
                const run_result *r = &c->reps[k];
                if (r->failed) continue;
                for (size_t q = 0; q < r->n_values; q++) {
                    if (strcmp(r->values[q].station, want->station) == 0 &&
                        strcmp(r->values[q].metric, want->metric) == 0) {
                        v[m++] = r->values[q].value;
                        break;
                    }
                }
            }
            ci x = ci_of(v, m, AGG_LEVEL);
            rc = lead(res, c, f) || comma_text(f, want->station) || comma_text(f, want->metric) ||
                 comma_number(f, x.mean) || comma_number(f, x.half_width) || fputc('\n', f) == EOF;
        }
        free(v);
        if (rc) return -1;
    }
    return done(f);
}
