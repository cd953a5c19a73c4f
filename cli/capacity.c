/* capacity.c: the capacity analysis of a sweep and capacity.csv (see capacity.h). */
#include "cli/capacity.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"
#include "cli/metrics.h"
#include "cli/output.h"

const char *capacity_bound_name(capacity_bound b)
{
    switch (b) {
    case CAPACITY_INTERPOLATED: return "interpolated";
    case CAPACITY_ABOVE_RANGE: return "above_range";
    case CAPACITY_NOT_MET: return "not_met";
    case CAPACITY_NO_DATA: return "no_data";
    default: return "no_slo";
    }
}

/* ---- crossings ---- */

static int meets(const slo_clause *c, double y) { return c->above ? y > c->value : y < c->value; }

/* Where the piecewise-linear curve (x[i], y[i]) stops meeting c after the last point
 * that meets it: -INFINITY when no point meets it, +INFINITY when the last one does,
 * NAN when n is 0. */
static double cross(const double *x, const double *y, size_t n, const slo_clause *c)
{
    if (n == 0) return NAN;
    size_t last = n;
    for (size_t i = 0; i < n; i++)
        if (meets(c, y[i])) last = i;
    if (last == n) return -INFINITY;
    if (last == n - 1) return INFINITY;
    double t = (c->value - y[last]) / (y[last + 1] - y[last]);
    return x[last] + t * (x[last + 1] - x[last]);
}

void capacity_crossing(const double *load, const ci *v, size_t n, const slo_clause *c,
                       double out[3])
{
    out[0] = out[1] = out[2] = NAN;
    double *x = calloc(n ? n : 1, sizeof *x), *y = calloc(n ? n : 1, sizeof *y);
    double *lo = calloc(n ? n : 1, sizeof *lo), *hi = calloc(n ? n : 1, sizeof *hi);
    if (x && y && lo && hi) {
        size_t m = 0;
        int have_ci = 1;
        for (size_t i = 0; i < n; i++) {
            if (isnan(v[i].mean) || isnan(load[i])) continue;
            x[m] = load[i];
            y[m] = v[i].mean;
            have_ci &= isfinite(v[i].half_width);
            lo[m] = v[i].mean - v[i].half_width;
            hi[m] = v[i].mean + v[i].half_width;
            m++;
        }
        out[0] = cross(x, y, m, c);
        if (have_ci && m) {
            /* the pessimistic bound stops meeting the target first */
            out[1] = cross(x, c->above ? lo : hi, m, c);
            out[2] = cross(x, c->above ? hi : lo, m, c);
        }
    }
    free(x);
    free(y);
    free(lo);
    free(hi);
}

/* ---- lines ---- */

/* Same line: same variant, same text on every axis but the load axis. */
static int same_line(const results *res, size_t axis, const results_cell *a, const results_cell *b)
{
    if (a->variant != b->variant) return 0;
    for (size_t k = 0; k < res->n_axes; k++)
        if (k != axis && strcmp(agg_axis_text(res, a->point, k), agg_axis_text(res, b->point, k)))
            return 0;
    return 1;
}

typedef struct sort_item {
    double load;  /* axis value */
    size_t point; /* sweep point */
} sort_item;

static int by_load(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->load != y->load) return x->load < y->load ? -1 : 1;
    return (x->point > y->point) - (x->point < y->point);
}

/* Groups the cells into lines along `axis`. 0 or -1 (out of memory). */
static int make_lines(const results *res, capacity *out)
{
    size_t axis = (size_t)out->axis;
    out->lines = calloc(res->n_cells ? res->n_cells : 1, sizeof *out->lines);
    size_t *owner = malloc((res->n_cells ? res->n_cells : 1) * sizeof *owner);
    if (!out->lines || !owner) {
        free(owner);
        return -1;
    }
    for (size_t c = 0; c < res->n_cells; c++) {
        size_t l = 0;
        for (; l < c; l++)
            if (owner[l] == l && same_line(res, axis, &res->cells[l], &res->cells[c])) break;
        owner[c] = l == c ? c : l;
    }
    for (size_t c = 0; c < res->n_cells; c++) {
        if (owner[c] != c) continue;
        capacity_line *L = &out->lines[out->n_lines++];
        L->variant = res->cells[c].variant;
        L->last_pass = L->knee = -1;
        L->binding = -1;
        size_t n = 0;
        for (size_t k = c; k < res->n_cells; k++) n += owner[k] == c;
        sort_item *items = malloc(n * sizeof *items);
        L->points = malloc(n * sizeof *L->points);
        L->load = malloc(n * sizeof *L->load);
        L->verdict = malloc(n * sizeof *L->verdict);
        if (!items || !L->points || !L->load || !L->verdict) {
            free(items);
            free(owner);
            return -1;
        }
        for (size_t k = c; k < res->n_cells; k++)
            if (owner[k] == c) {
                size_t p = res->cells[k].point;
                items[L->n++] = (sort_item){agg_axis_value(res, p, axis), p};
            }
        qsort(items, L->n, sizeof *items, by_load);
        for (size_t i = 0; i < L->n; i++) {
            L->points[i] = items[i].point;
            L->load[i] = items[i].load;
        }
        free(items);
    }
    free(owner);
    return 0;
}

/* ---- per line ---- */

/* Verdicts, the leading run of passes, and the largest load meeting the SLO. -1 OOM. */
static int slo_line(const results *res, const capacity *cap, capacity_line *L)
{
    for (size_t i = 0; i < L->n; i++) L->verdict[i] = SLO_NO_DATA;
    L->max_load = L->max_load_lo = L->max_load_hi = NAN;
    if (!cap->have_slo) {
        L->bound = CAPACITY_NO_SLO;
        return 0;
    }
    ci *v = malloc((L->n ? L->n : 1) * sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < L->n; i++) {
        const results_cell *cell = agg_cell(res, L->variant, L->points[i]);
        slo_verdict all = SLO_PASS;
        for (size_t k = 0; k < cap->objective.n; k++) {
            ci m = cell ? agg_metric(cell, cap->objective.c[k].metric) : (ci){NAN, NAN, 0};
            all = slo_worse(all, slo_judge(&cap->objective.c[k], m));
        }
        L->verdict[i] = all;
    }
    for (size_t i = 0; i < L->n; i++)
        if (L->verdict[i] == SLO_PASS) L->last_pass = (long)i;

    double best[3] = {INFINITY, INFINITY, INFINITY};
    int no_ci = 0;
    L->bound = CAPACITY_NO_DATA;
    for (size_t k = 0; k < cap->objective.n; k++) {
        for (size_t i = 0; i < L->n; i++) {
            const results_cell *cell = agg_cell(res, L->variant, L->points[i]);
            v[i] = cell ? agg_metric(cell, cap->objective.c[k].metric) : (ci){NAN, NAN, 0};
        }
        double x[3];
        capacity_crossing(L->load, v, L->n, &cap->objective.c[k], x);
        if (isnan(x[0])) { /* this condition cannot be judged: no figure at all */
            free(v);
            L->binding = -1;
            return 0;
        }
        if (x[0] < best[0] || L->binding < 0) {
            best[0] = x[0];
            L->binding = (int)k;
        }
        if (isnan(x[1])) no_ci = 1;
        else {
            if (x[1] < best[1]) best[1] = x[1];
            if (x[2] < best[2]) best[2] = x[2];
        }
    }
    free(v);
    double top = L->n ? L->load[L->n - 1] : NAN;
    if (best[0] == -INFINITY) {
        L->bound = CAPACITY_NOT_MET;
        return 0;
    }
    if (best[0] == INFINITY) {
        L->bound = CAPACITY_ABOVE_RANGE;
        L->max_load = top;
    } else {
        L->bound = CAPACITY_INTERPOLATED;
        L->max_load = best[0];
    }
    if (!no_ci) {
        L->max_load_lo = best[1] == -INFINITY ? NAN : best[1] == INFINITY ? top : best[1];
        L->max_load_hi = isinf(best[2]) ? NAN : best[2];
    }
    return 0;
}

/* First station to saturate along the line, and the knee. -1 OOM. */
static int saturation_line(const results *res, const capacity *cap, capacity_line *L)
{
    L->saturates_at = NAN;
    long sat_index = -1;
    for (size_t i = 0; i < L->n && sat_index < 0; i++) {
        const results_cell *cell = agg_cell(res, L->variant, L->points[i]);
        if (!cell) continue;
        agg_station *st;
        size_t n;
        if (agg_stations(cell, &st, &n)) return -1;
        long pick = -1;
        for (size_t s = 0; s < n; s++) {
            double u = st[s].v[AGG_UTILISATION].mean;
            int hot = st[s].saturated || u >= CAPACITY_UTIL_LIMIT;
            if (!hot) continue;
            if (pick < 0) {
                pick = (long)s;
                continue;
            }
            const agg_station *p = &st[pick];
            double pu = p->v[AGG_UTILISATION].mean;
            if ((st[s].saturated && !p->saturated) ||
                (st[s].saturated == p->saturated && (isnan(pu) || u > pu)))
                pick = (long)s;
        }
        if (pick >= 0) {
            snprintf(L->first_saturated, sizeof L->first_saturated, "%s", st[pick].name);
            L->saturated_flagged = st[pick].saturated;
            L->saturates_at = L->load[i];
            sat_index = (long)i;
        }
        free(st);
    }
    if (cap->have_slo) L->knee = L->last_pass;
    else L->knee = sat_index < 0 ? (long)L->n - 1 : sat_index - 1;
    return 0;
}

/* The USL fit of throughput along the line (counts and rates only). -1 OOM. */
static int usl_line(const results *res, const capacity *cap, capacity_line *L)
{
    memset(&L->usl, 0, sizeof L->usl);
    L->usl.lambda = L->usl.sigma = L->usl.kappa = L->usl.peak_n = L->usl.peak_x = NAN;
    L->usl.lambda_se = L->usl.sigma_se = L->usl.kappa_se = L->usl.peak_n_se = NAN;
    L->usl.peak_x_se = L->usl.r2 = L->usl.chi2 = NAN;
    L->usl_tried = cap->kind == UNIT_NUMBER || cap->kind == UNIT_RATE;
    if (!L->usl_tried) {
        snprintf(L->usl.note, sizeof L->usl.note, "the swept key is not a count or a rate");
        return 0;
    }
    double *x = malloc((L->n ? L->n : 1) * sizeof *x), *se = malloc((L->n ? L->n : 1) * sizeof *se);
    if (!x || !se) {
        free(x);
        free(se);
        return -1;
    }
    /* The lowest and highest throughput with their CI half-widths (1% when unknown). */
    double lo = INFINITY, lo_hw = 0, hi = -INFINITY, hi_hw = 0;
    for (size_t i = 0; i < L->n; i++) {
        const results_cell *cell = agg_cell(res, L->variant, L->points[i]);
        ci t = cell ? agg_metric(cell, METRIC_THROUGHPUT) : (ci){NAN, NAN, 0};
        x[i] = t.mean;
        /* standard error of the mean from the CI half-width */
        se[i] = t.n >= 2 ? t.half_width / ci_t_quantile(AGG_LEVEL, t.n - 1) : NAN;
        double hw = isfinite(t.half_width) && t.n >= 2 ? t.half_width : 0.01 * fabs(t.mean);
        if (t.mean < lo) lo = t.mean, lo_hw = hw;
        if (t.mean > hi) hi = t.mean, hi_hw = hw;
    }
    /* A sweep along which throughput does not move (a cache size, a share of queries
     * under an open workload that nothing saturates) has no scalability curve: a fit
     * would only describe the noise. */
    if (L->n >= 2 && isfinite(lo) && isfinite(hi) && hi - hi_hw <= lo + lo_hw)
        snprintf(L->usl.note, sizeof L->usl.note,
                 "throughput does not change along the swept key (the CIs of its lowest and "
                 "highest values overlap): nothing to fit");
    else
        usl_fit(L->load, x, se, L->n, &L->usl);
    free(x);
    free(se);
    return 0;
}

int capacity_analyse(const results *res, capacity *out)
{
    memset(out, 0, sizeof *out);
    out->axis = -1;
    out->kind = UNIT_NUMBER;
    if (res->slo) {
        if (slo_parse(res->slo, &out->objective, out->slo_error, sizeof out->slo_error) == 0)
            out->have_slo = 1;
    }
    if (!res->n_axes || !res->n_cells) return 0;
    for (int pass = 0; pass < 2 && out->axis < 0; pass++) /* a rate first, then any number */
        for (size_t a = 0; a < res->n_axes && out->axis < 0; a++) {
            unit_kind k;
            if (agg_axis_numeric(res, a, &k) && (pass == 1 || k == UNIT_RATE)) {
                out->axis = (long)a;
                out->kind = k;
            }
        }
    if (out->axis < 0) return 0;
    if (make_lines(res, out)) return -1;
    for (size_t l = 0; l < out->n_lines; l++) {
        capacity_line *L = &out->lines[l];
        if (slo_line(res, out, L) || saturation_line(res, out, L) || usl_line(res, out, L))
            return -1;
        L->current = NAN;
        L->headroom = NAN;
        const char *base = res->axis_base && L->variant < res->n_variants
                               ? res->axis_base[L->variant * res->n_axes + (size_t)out->axis]
                               : NULL;
        double cur;
        if (base && units_parse(base, out->kind, &cur, NULL, 0) == 0) L->current = cur;
        if (L->current > 0 && isfinite(L->max_load)) L->headroom = L->max_load / L->current - 1.0;
    }
    return 0;
}

void capacity_fini(capacity *c)
{
    for (size_t l = 0; l < c->n_lines; l++) {
        free(c->lines[l].points);
        free(c->lines[l].load);
        free(c->lines[l].verdict);
    }
    free(c->lines);
    memset(c, 0, sizeof *c);
    c->axis = -1;
}

/* ---- capacity.csv ---- */

static int put_text(FILE *f, const char *s)
{
    return fputc(',', f) == EOF || output_csv_text(f, s) ? -1 : 0;
}

static int put_number(FILE *f, double v)
{
    return fputc(',', f) == EOF || output_csv_number(f, v) ? -1 : 0;
}

static const char *const usl_columns[] = {
    "usl_lambda", "usl_lambda_se", "usl_sigma", "usl_sigma_se", "usl_kappa",  "usl_kappa_se",
    "usl_peak_n", "usl_peak_n_se", "usl_peak_x", "usl_peak_x_se", "usl_r2",
};

static int write_row(const results *res, const capacity *cap, const capacity_line *L, FILE *f)
{
    size_t axis = (size_t)cap->axis;
    const char *name = L->variant < res->n_variants ? res->variant_names[L->variant] : "";
    size_t p0 = L->n ? L->points[0] : 0;
    if (output_csv_text(f, name)) return -1;
    for (size_t a = 0; a < res->n_axes; a++) {
        if (a == axis) continue;
        int rc = agg_axis_numeric(res, a, NULL) ? put_number(f, agg_axis_value(res, p0, a))
                                                : put_text(f, agg_axis_text(res, p0, a));
        if (rc) return -1;
    }
    if (put_text(f, res->axis_keys[axis]) || put_text(f, res->slo ? res->slo : "") ||
        put_number(f, L->max_load) || put_number(f, L->max_load_lo) ||
        put_number(f, L->max_load_hi) || put_text(f, L->first_saturated) ||
        put_number(f, L->saturates_at) || put_number(f, L->headroom))
        return -1;
    const usl_result *u = &L->usl;
    double usl[] = {u->lambda, u->lambda_se, u->sigma,  u->sigma_se,  u->kappa, u->kappa_se,
                    u->peak_n, u->peak_n_se, u->peak_x, u->peak_x_se, u->r2};
    for (size_t i = 0; i < sizeof usl / sizeof usl[0]; i++)
        if (put_number(f, u->ok ? usl[i] : NAN)) return -1;
    const char *crit = !L->first_saturated[0] ? ""
                       : L->saturated_flagged ? "saturated"
                                              : "utilisation";
    const char *binding = L->binding >= 0 && (L->bound == CAPACITY_INTERPOLATED ||
                                              L->bound == CAPACITY_NOT_MET)
                              ? cap->objective.c[L->binding].text
                              : "";
    return put_text(f, capacity_bound_name(L->bound)) ||
                   put_number(f, L->last_pass >= 0 ? L->load[L->last_pass] : NAN) ||
                   put_number(f, L->current) || put_text(f, crit) || put_text(f, binding) ||
                   fputc('\n', f) == EOF
               ? -1
               : 0;
}

int capacity_write_csv(const results *res, FILE *f)
{
    capacity cap;
    if (capacity_analyse(res, &cap)) {
        capacity_fini(&cap);
        errno = ENOMEM;
        return -1;
    }
    int bad = fputs("variant", f) == EOF;
    for (size_t a = 0; a < res->n_axes && !bad; a++)
        if ((long)a != cap.axis) bad = put_text(f, res->axis_keys[a]);
    bad = bad || fputs(",swept_key,slo,max_load,max_load_ci_low,max_load_ci_high,"
                       "first_saturated_station,saturates_at,headroom",
                       f) == EOF;
    for (size_t i = 0; i < sizeof usl_columns / sizeof usl_columns[0] && !bad; i++)
        bad = fprintf(f, ",%s", usl_columns[i]) < 0;
    bad = bad || fputs(",max_load_note,last_pass_load,current_load,saturation_criterion,"
                       "binding_condition\n",
                       f) == EOF;
    for (size_t l = 0; l < cap.n_lines && !bad; l++) bad = write_row(res, &cap, &cap.lines[l], f);
    capacity_fini(&cap);
    return bad || ferror(f) ? -1 : 0;
}
