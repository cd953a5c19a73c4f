/* aggregate.c: a run's figures across replications (see aggregate.h). */
#include "cli/aggregate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const station_columns[AGG_STATION_FIELDS] = {
    "utilisation", "mean_queue", "mean_residence_ms", "throughput", "refused", "offered_load",
    "backlog_growth",
};

const char *agg_station_column(int field)
{
    return field >= 0 && field < AGG_STATION_FIELDS ? station_columns[field] : NULL;
}

const results_cell *agg_cell(const results *res, size_t variant, size_t point)
{
    for (size_t i = 0; i < res->n_cells; i++)
        if (res->cells[i].variant == variant && res->cells[i].point == point) return &res->cells[i];
    return NULL;
}

size_t agg_reps(const results_cell *c)
{
    size_t n = 0;
    for (size_t k = 0; k < c->n_reps; k++) n += !c->reps[k].failed;
    return n;
}

/* ci_of over values gathered by the caller (NaN = absent). */
static ci ci_list(const double *v, size_t n) { return ci_of(v, n, AGG_LEVEL); }

ci agg_metric(const results_cell *c, int id)
{
    ci out = {NAN, NAN, 0};
    if (id < 0 || id >= METRIC_COUNT || c->n_reps == 0) return out;
    double *v = malloc(c->n_reps * sizeof *v);
    if (!v) return out;
    size_t n = 0;
    for (size_t k = 0; k < c->n_reps; k++)
        if (!c->reps[k].failed) v[n++] = c->reps[k].metrics[id];
    out = ci_list(v, n);
    free(v);
    return out;
}

static double station_field(const station_row *s, int field)
{
    switch (field) {
    case AGG_UTILISATION: return s->utilisation;
    case AGG_MEAN_QUEUE: return s->mean_queue;
    case AGG_RESIDENCE_MS: return s->mean_residence_ms;
    case AGG_THROUGHPUT: return s->throughput;
    case AGG_REFUSED: return s->refused;
    case AGG_OFFERED_LOAD: return s->offered_load;
    default: return s->backlog_growth;
    }
}

/* The row named `name` in r: index hint first (stations usually keep their order). */
static const station_row *find_station(const run_result *r, size_t hint, const char *name)
{
    if (hint < r->n_stations && strcmp(r->stations[hint].name, name) == 0)
        return &r->stations[hint];
    for (size_t i = 0; i < r->n_stations; i++)
        if (strcmp(r->stations[i].name, name) == 0) return &r->stations[i];
    return NULL;
}

int agg_stations(const results_cell *c, agg_station **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const run_result *first = NULL;
    for (size_t k = 0; k < c->n_reps && !first; k++)
        if (!c->reps[k].failed) first = &c->reps[k];
    if (!first || first->n_stations == 0) return 0;

    agg_station *a = calloc(first->n_stations, sizeof *a);
    double *v = malloc(c->n_reps * sizeof *v);
    if (!a || !v) {
        free(a);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < first->n_stations; i++) {
        const char *name = first->stations[i].name;
        a[i].name = name;
        a[i].kind = first->stations[i].kind;
        for (int f = 0; f < AGG_STATION_FIELDS; f++) {
            size_t m = 0;
            for (size_t k = 0; k < c->n_reps; k++) {
                if (c->reps[k].failed) continue;
                const station_row *s = find_station(&c->reps[k], i, name);
                if (!s) continue;
                v[m++] = station_field(s, f);
                /* Saturated: offered at or beyond capacity AND the backlog grew by over
                 * 1% of the throughput per second (a closed system's bottleneck runs at
                 * capacity with a bounded queue: not saturated). */
                if (f == AGG_OFFERED_LOAD && s->offered_load >= 1.0 &&
                    s->backlog_growth > 0.01 * (isnan(s->throughput) ? 0.0 : s->throughput))
                    a[i].saturated = 1;
            }
            a[i].v[f] = ci_list(v, m);
        }
    }
    free(v);
    *out = a;
    *n = first->n_stations;
    return 0;
}

void agg_latency(const results_cell *c, int op, hist *out)
{
    hist_init(out);
    if (op < 0 || op > OP_COUNT) return;
    for (size_t k = 0; k < c->n_reps; k++)
        if (!c->reps[k].failed) hist_merge(out, &c->reps[k].latency[op]);
}

const char *agg_op_name(int op)
{
    return op == OP_COUNT ? "all" : request_op_name(op);
}

static int has_name(char (*names)[64], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return 1;
    return 0;
}

int agg_series_names(const results *res, char (**names)[64], size_t *n)
{
    char (*v)[64] = NULL;
    size_t used = 0, cap = 0;
    for (size_t c = 0; c < res->n_cells; c++) {
        const results_cell *cell = &res->cells[c];
        for (size_t k = 0; k < cell->n_reps; k++) {
            const series_set *s = &cell->reps[k].series;
            if (cell->reps[k].failed) continue;
            for (size_t j = 0; j < s->n_series; j++) {
                if (has_name(v, used, s->names[j])) continue;
                if (used == cap) {
                    size_t nc = cap ? 2 * cap : 16;
                    char (*nv)[64] = realloc(v, nc * sizeof *nv);
                    if (!nv) {
                        free(v);
                        return -1;
                    }
                    v = nv;
                    cap = nc;
                }
                memcpy(v[used], s->names[j], sizeof v[used]);
                v[used][63] = '\0';
                used++;
            }
        }
    }
    *names = v;
    *n = used;
    return 0;
}

size_t agg_series_rows(const results_cell *c)
{
    size_t n = 0;
    for (size_t k = 0; k < c->n_reps; k++)
        if (!c->reps[k].failed && c->reps[k].series.n_points > n) n = c->reps[k].series.n_points;
    return n;
}

double agg_series_time(const results_cell *c, size_t i)
{
    for (size_t k = 0; k < c->n_reps; k++)
        if (!c->reps[k].failed && i < c->reps[k].series.n_points) return c->reps[k].series.t[i];
    return NAN;
}

double agg_series_value(const results_cell *c, size_t i, const char *name)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t k = 0; k < c->n_reps; k++) {
        const series_set *s = &c->reps[k].series;
        if (c->reps[k].failed || i >= s->n_points) continue;
        for (size_t j = 0; j < s->n_series; j++) {
            if (strncmp(s->names[j], name, 63) != 0) continue;
            double x = s->values[i * s->n_series + j];
            if (!isnan(x)) {
                sum += x;
                n++;
            }
            break;
        }
    }
    return n ? sum / (double)n : NAN;
}

static const unit_kind axis_kinds[] = {UNIT_TIME, UNIT_RATE, UNIT_SIZE, UNIT_NUMBER, UNIT_RATIO};

const char *agg_axis_text(const results *res, size_t point, size_t axis)
{
    if (point >= res->n_points || axis >= res->n_axes || !res->point_values) return "";
    const char *s = res->point_values[point * res->n_axes + axis];
    return s ? s : "";
}

int agg_axis_numeric(const results *res, size_t axis, unit_kind *kind)
{
    if (axis >= res->n_axes || res->n_points == 0) return 0;
    for (size_t k = 0; k < sizeof axis_kinds / sizeof axis_kinds[0]; k++) {
        size_t p = 0;
        double x;
        for (; p < res->n_points; p++)
            if (units_parse(agg_axis_text(res, p, axis), axis_kinds[k], &x, NULL, 0) != 0) break;
        if (p == res->n_points) {
            if (kind) *kind = axis_kinds[k];
            return 1;
        }
    }
    return 0;
}

double agg_axis_value(const results *res, size_t point, size_t axis)
{
    unit_kind kind;
    double x;
    if (!agg_axis_numeric(res, axis, &kind)) return NAN;
    if (units_parse(agg_axis_text(res, point, axis), kind, &x, NULL, 0) != 0) return NAN;
    return x;
}
