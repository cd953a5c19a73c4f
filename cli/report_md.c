/* report_md.c: writes report.md (see report_md.h). */
#include "cli/report_md.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"
#include "cli/capacity.h"
#include "cli/plot.h"
#include "cli/slo.h"

#define CELL_TEXT 96 /* room for one formatted table cell */

/* ---- numbers for people ---- */

/* Decimals that show x with about four significant digits (none from 1000 up). */
static int decimals(double x)
{
    double a = fabs(x);
    if (!(a > 0) || a >= 1000) return 0;
    int d = 3 - (int)floor(log10(a));
    return d > 9 ? 9 : d;
}

/* The unit a metric is shown in, and the factor from its column unit. */
static const char *metric_unit(int m, double *scale)
{
    *scale = 1.0;
    if (m == METRIC_THROUGHPUT) return "/s";
    if (m == METRIC_LOST_WRITES) return "writes";
    if (m == METRIC_REJECTED) return "requests";
    if (m == METRIC_HOT_SHARD_RATIO) return "x mean";
    const char *col = metric_column(m);
    size_t len = strlen(col);
    if (len > 6 && strcmp(col + len - 6, "_ratio") == 0) {
        *scale = 100.0;
        return "%";
    }
    return "ms";
}

/* "12.35 ± 0.41 ms", "12.35 ms" (one replication), or "n/a" (not produced). */
static void fmt_metric(int m, ci v, char *buf, size_t n)
{
    double scale;
    const char *unit = metric_unit(m, &scale);
    if (isnan(v.mean)) {
        snprintf(buf, n, "n/a");
        return;
    }
    double x = v.mean * scale;
    int d = decimals(x);
    if (isnan(v.half_width))
        snprintf(buf, n, "%.*f %s", d, x, unit);
    else
        snprintf(buf, n, "%.*f ± %.*f %s", d, x, d, v.half_width * scale, unit);
}

/* A number alone, same rules. */
static void fmt_plain(double x, char *buf, size_t n)
{
    if (isnan(x)) snprintf(buf, n, "n/a");
    else snprintf(buf, n, "%.*f", decimals(x), x);
}

/* Text for a markdown table cell: '|' escaped, line breaks as spaces. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '\n' || *s == '\r') fputc(' ', f);
        else fputc(*s, f);
    }
}

static const char *variant_name(const results *res, const results_cell *c)
{
    return c->variant < res->n_variants ? res->variant_names[c->variant] : "?";
}

/* "app.rate = 1000/s, db.replicas = 2" for the point of a cell (empty without a sweep). */
static void point_text(const results *res, size_t point, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < res->n_axes && len < n; a++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s = %s", a ? ", " : "", res->axis_keys[a],
                                agg_axis_text(res, point, a));
}

/* x with thousands separators and about four significant digits: "14,230", "3.142". */
static void fmt_grouped(double x, char *buf, size_t n)
{
    if (!isfinite(x)) {
        snprintf(buf, n, "n/a");
        return;
    }
    double a = fabs(x);
    if (a < 1000) {
        int len = snprintf(buf, n, "%.*f", decimals(x), x);
        if (len > 0 && (size_t)len < n && strchr(buf, '.')) { /* "600.0" -> "600" */
            while (len > 0 && buf[len - 1] == '0') buf[--len] = '\0';
            if (len > 0 && buf[len - 1] == '.') buf[--len] = '\0';
        }
        return;
    }
    double q = pow(10.0, floor(log10(a)) - 3.0);
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", round(a / q) * q);
    size_t len = strlen(digits), o = 0;
    char out[96];
    if (x < 0) out[o++] = '-';
    for (size_t i = 0; i < len && o + 2 < sizeof out; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
}

/* A value of the load axis with its unit: "14,230/s", "48", "2.5 ms", "50%". */
static void fmt_load(double v, unit_kind kind, char *buf, size_t n)
{
    char num[96];
    switch (kind) {
    case UNIT_RATE: fmt_grouped(v, num, sizeof num); snprintf(buf, n, "%s/s", num); break;
    case UNIT_TIME: fmt_grouped(v * 1e3, num, sizeof num); snprintf(buf, n, "%s ms", num); break;
    case UNIT_SIZE: fmt_grouped(v, num, sizeof num); snprintf(buf, n, "%s bytes", num); break;
    case UNIT_RATIO: fmt_grouped(v * 100.0, num, sizeof num); snprintf(buf, n, "%s%%", num); break;
    default: fmt_grouped(v, buf, n); break;
    }
}

/* text in a fenced code block whose fence is longer than any run of backticks in it */
static void fenced(FILE *f, const char *text, const char *lang)
{
    size_t run = 0, longest = 0;
    for (const char *s = text; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    size_t fence = longest >= 3 ? longest + 1 : 3;
    for (size_t i = 0; i < fence; i++) fputc('`', f);
    fprintf(f, "%s\n", lang);
    fputs(text, f);
    size_t len = strlen(text);
    if (len && text[len - 1] != '\n') fputc('\n', f);
    for (size_t i = 0; i < fence; i++) fputc('`', f);
    fputc('\n', f);
}

/* ---- sections ---- */

static void settings(const results *res, FILE *f)
{
    char dur[64] = "n/a", warm[160] = "n/a";
    if (isfinite(res->duration)) units_format(res->duration, UNIT_TIME, dur, sizeof dur);
    if (res->warmup < 0) {
        double sum = 0;
        size_t n = 0;
        for (size_t c = 0; c < res->n_cells; c++)
            for (size_t k = 0; k < res->cells[c].n_reps; k++) {
                const run_result *r = &res->cells[c].reps[k];
                if (!r->failed && !isnan(r->warmup_used)) sum += r->warmup_used, n++;
            }
        char used[32] = "n/a";
        if (n) fmt_plain(sum / (double)n, used, sizeof used);
        snprintf(warm, sizeof warm, "auto (MSER-5; %s s on average)", used);
    } else if (isfinite(res->warmup)) {
        units_format(res->warmup, UNIT_TIME, warm, sizeof warm);
    }
    size_t lo = (size_t)-1, hi = 0;
    for (size_t c = 0; c < res->n_cells; c++) {
        size_t n = agg_reps(&res->cells[c]);
        if (n < lo) lo = n;
        if (n > hi) hi = n;
    }
    if (!res->n_cells) lo = 0;

    fputs("| setting | value |\n|---|---|\n", f);
    if (res->scenario_path) fprintf(f, "| scenario file | `%s` |\n", res->scenario_path);
    fprintf(f, "| duration | %s (simulated, per replication) |\n", dur);
    fprintf(f, "| warm-up | %s |\n", warm);
    if (lo == hi) fprintf(f, "| replications | %zu |\n", lo);
    else fprintf(f, "| replications | %zu to %zu (precision target) |\n", lo, hi);
    fprintf(f, "| seed | %llu |\n", (unsigned long long)res->seed);
    fputs("| variants | ", f);
    for (size_t v = 0; v < res->n_variants; v++) {
        fputs(v ? ", " : "", f);
        md_cell(f, res->variant_names[v]);
    }
    fputs(" |\n", f);
    for (size_t a = 0; a < res->n_axes; a++) {
        fputs("| sweep | ", f);
        md_cell(f, res->axis_keys[a]);
        fputs(" = ", f);
        for (size_t p = 0, shown = 0; p < res->n_points; p++) {
            const char *t = agg_axis_text(res, p, a);
            int seen = 0; /* grids repeat values: list each once */
            for (size_t q = 0; q < p && !seen; q++) seen = strcmp(agg_axis_text(res, q, a), t) == 0;
            if (seen) continue;
            fputs(shown++ ? ", " : "", f);
            md_cell(f, t);
        }
        fputs(" |\n", f);
    }
    fputs("\nFigures are means over the replications ± the half-width of their 95% "
          "confidence interval (Student t); n/a: the scenario does not produce the figure.\n\n",
          f);
}

/* Saturated stations, as a loud block. Returns -1 out of memory. */
static int saturation(const results *res, FILE *f)
{
    int any = 0;
    char buf[2 * CELL_TEXT], pt[256];
    for (size_t c = 0; c < res->n_cells; c++) {
        const results_cell *cell = &res->cells[c];
        agg_station *st;
        size_t n;
        if (agg_stations(cell, &st, &n)) return -1;
        for (size_t s = 0; s < n; s++) {
            if (!st[s].saturated) continue;
            if (!any)
                fputs("> **WARNING: SATURATED STATIONS.** Offered load is at or above capacity: "
                      "the queue grows without bound for as long as the run lasts, so means "
                      "and percentiles of these runs describe the run length, not a steady "
                      "state. Add capacity or lower the load.\n>\n",
                      f);
            any = 1;
            fputs("> - **", f);
            md_cell(f, st[s].name);
            fputs("** (", f);
            md_cell(f, st[s].kind);
            fputs(") in variant **", f);
            md_cell(f, variant_name(res, cell));
            fputs("**", f);
            point_text(res, cell->point, pt, sizeof pt);
            if (pt[0]) {
                fputs(", ", f);
                md_cell(f, pt);
            }
            fmt_plain(st[s].v[AGG_OFFERED_LOAD].mean, buf, sizeof buf);
            fprintf(f, ": offered load %s", buf);
            fmt_plain(st[s].v[AGG_UTILISATION].mean * 100.0, buf, sizeof buf);
            fprintf(f, ", utilisation %s%%\n", buf);
        }
        free(st);
    }
    if (any) fputs("\n", f);
    return 0;
}

/* 1 when a station of the cell is saturated, 0 when none, -1 out of memory. */
static int cell_saturated(const results_cell *c)
{
    agg_station *st;
    size_t n;
    if (agg_stations(c, &st, &n)) return -1;
    int sat = 0;
    for (size_t i = 0; i < n; i++) sat |= st[i].saturated;
    free(st);
    return sat;
}

/* The SLO verdicts. Returns -1 out of memory. */
static int slo_section(const results *res, FILE *f)
{
    if (!res->slo) return 0;
    slo s;
    char err[256], buf[CELL_TEXT], pt[256];
    fputs("## SLO: `", f);
    md_cell(f, res->slo);
    fputs("`\n\n", f);
    if (slo_parse(res->slo, &s, err, sizeof err) != 0) {
        fprintf(f, "The objective cannot be judged: %s.\n\n", err);
        return 0;
    }
    fputs("Pass: the whole 95% confidence interval meets the target; fail: none of it does; "
          "uncertain: the interval straddles the target (more replications or a longer run "
          "will tell).\n\n| variant |",
          f);
    if (res->n_axes) fputs(" sweep point |", f);
    for (size_t i = 0; i < s.n; i++) {
        fputs(" ", f);
        md_cell(f, s.c[i].text);
        fputs(" |", f);
    }
    fputs(" verdict |\n|---|", f);
    if (res->n_axes) fputs("---|", f);
    for (size_t i = 0; i < s.n; i++) fputs("---:|", f);
    fputs("---|\n", f);
    for (size_t c = 0; c < res->n_cells; c++) {
        const results_cell *cell = &res->cells[c];
        slo_verdict all = SLO_PASS;
        int no_ci = 0;
        fputs("| ", f);
        md_cell(f, variant_name(res, cell));
        fputs(" |", f);
        if (res->n_axes) {
            point_text(res, cell->point, pt, sizeof pt);
            fputs(" ", f);
            md_cell(f, pt);
            fputs(" |", f);
        }
        for (size_t i = 0; i < s.n; i++) {
            ci v = agg_metric(cell, s.c[i].metric);
            all = slo_worse(all, slo_judge(&s.c[i], v));
            no_ci |= !isnan(v.mean) && isnan(v.half_width);
            fmt_metric(s.c[i].metric, v, buf, sizeof buf);
            fprintf(f, " %s |", buf);
        }
        const char *text = slo_verdict_text(all);
        if (all == SLO_FAIL) fputs(" **FAIL**", f);
        else if (all == SLO_UNCERTAIN) fprintf(f, " *%s*", text);
        else fprintf(f, " %s", text);
        if (no_ci) fputs(" (one replication: no CI)", f);
        int sat = cell_saturated(cell);
        if (sat < 0) return -1;
        if (sat) fputs(" (**saturated**: see the warning above)", f);
        fputs(" |\n", f);
    }
    fputs("\n", f);
    return 0;
}

/* The architecture of each variant, as a text diagram (results.architecture), and the
 * values of the swept keys before the sweep. */
static void architecture_section(const results *res, FILE *f)
{
    if (!res->architecture) return;
    int any = 0;
    for (size_t v = 0; v < res->n_variants; v++) any |= res->architecture[v] != NULL;
    if (!any) return;
    fputs("## Architecture\n\n"
          "Requests flow along the arrows (each station's `next`), from the workloads on the "
          "left; each station shows its kind and main settings, with units, as run at the "
          "first sweep point (swept settings show their values).\n\n",
          f);
    for (size_t v = 0; v < res->n_variants; v++) {
        const char *text = res->architecture[v];
        if (!text) continue;
        size_t same = v;
        for (size_t w = 0; w < v && same == v; w++)
            if (res->architecture[w] && strcmp(res->architecture[w], text) == 0) same = w;
        fputs("**", f);
        md_cell(f, res->variant_names[v]);
        if (same < v) {
            fputs("**: the same stations and settings as **", f);
            md_cell(f, res->variant_names[same]);
            fputs("**.\n\n", f);
            continue;
        }
        fputs("**:\n\n", f);
        fenced(f, text, "text");
        fputs("\n", f);
    }
    for (size_t a = 0; a < res->n_axes && res->axis_base; a++) {
        fputs("Swept: `", f);
        md_cell(f, res->axis_keys[a]);
        fputs("`; the scenario's value before the sweep (the current load of the capacity "
              "plan): ",
              f);
        int all_same = 1;
        const char *b0 = res->axis_base[a];
        for (size_t v = 1; v < res->n_variants; v++) {
            const char *b = res->axis_base[v * res->n_axes + a];
            all_same &= (!b && !b0) || (b && b0 && !strcmp(b, b0));
        }
        for (size_t v = 0; v < (all_same ? 1 : res->n_variants); v++) {
            const char *b = res->axis_base[v * res->n_axes + a];
            fputs(v ? ", " : "", f);
            if (!all_same) {
                md_cell(f, res->variant_names[v]);
                fputs(" ", f);
            }
            if (b) {
                fputs("`", f);
                md_cell(f, b);
                fputs("`", f);
            } else {
                fputs("unknown", f);
            }
        }
        fputs(".\n\n", f);
    }
}

/* "95% CI 13,900/s..14,500/s" for the largest load meeting the SLO. */
static void max_load_ci(const capacity *cap, const capacity_line *L, char *buf, size_t n)
{
    char lo[96], hi[96];
    if (isnan(L->max_load_lo)) snprintf(lo, sizeof lo, "below the swept range");
    else fmt_load(L->max_load_lo, cap->kind, lo, sizeof lo);
    if (isnan(L->max_load_hi)) snprintf(hi, sizeof hi, "beyond the swept range");
    else fmt_load(L->max_load_hi, cap->kind, hi, sizeof hi);
    snprintf(buf, n, "95%% CI %s..%s", lo, hi);
}

/* The one-sentence answer for a line of the capacity analysis. */
static void capacity_sentence(const results *res, const capacity *cap, const capacity_line *L,
                              FILE *f)
{
    const char *key = res->axis_keys[cap->axis];
    char a[128], b[128], c[256];
    fputs("- **", f);
    md_cell(f, L->variant < res->n_variants ? res->variant_names[L->variant] : "?");
    fputs("**", f);
    for (size_t ax = 0; ax < res->n_axes; ax++) {
        if ((long)ax == cap->axis || !L->n) continue;
        fprintf(f, " (%s = ", res->axis_keys[ax]);
        md_cell(f, agg_axis_text(res, L->points[0], ax));
        fputs(")", f);
    }
    const char *target = cap->have_slo && L->binding >= 0 ? cap->objective.c[L->binding].text
                         : res->slo                          ? res->slo
                                                             : "";
    int ci_known = !isnan(L->max_load_lo) || !isnan(L->max_load_hi);
    switch (L->bound) {
    case CAPACITY_NO_SLO:
        fputs(cap->slo_error[0] ? ": the SLO cannot be judged" : ": no SLO given (add `slo = p99 < "
                                                                   "20ms` to [scenario])",
              f);
        break;
    case CAPACITY_NO_DATA:
        fputs(": the SLO's metric was not produced by this scenario", f);
        break;
    case CAPACITY_NOT_MET:
        fmt_load(L->load[0], cap->kind, a, sizeof a);
        fmt_load(L->load[L->n - 1], cap->kind, b, sizeof b);
        fprintf(f, " meets `%s` at no swept %s (%s..%s), not even in the mean", target, key, a, b);
        break;
    case CAPACITY_ABOVE_RANGE:
        fmt_load(L->max_load, cap->kind, a, sizeof a);
        fprintf(f, " meets `%s` (in the mean) at the highest swept %s, %s: the largest load "
                   "that meets it lies beyond the sweep",
                res->slo, key, a);
        if (L->last_pass >= 0 && L->last_pass + 1 < (long)L->n) {
            fmt_load(L->load[L->last_pass], cap->kind, b, sizeof b);
            fprintf(f, " (the whole 95%% CI meets it up to %s)", b);
        }
        break;
    default:
        fmt_load(L->max_load, cap->kind, a, sizeof a);
        fprintf(f, " meets `%s` up to %s = %s", res->slo, key, a);
        if (ci_known) {
            max_load_ci(cap, L, c, sizeof c);
            fprintf(f, " (%s)", c);
        } else {
            fputs(" (no CI: one replication)", f);
        }
        if (cap->objective.n > 1) fprintf(f, ", set by `%s`", target);
        if (L->last_pass >= 0) {
            fmt_load(L->load[L->last_pass], cap->kind, b, sizeof b);
            fprintf(f, "; last sweep point that passes: %s", b);
        } else {
            fputs("; no sweep point passes with its whole CI", f);
        }
        break;
    }
    if (L->first_saturated[0]) {
        fmt_load(L->saturates_at, cap->kind, a, sizeof a);
        fputs("; **", f);
        md_cell(f, L->first_saturated);
        fprintf(f, "** saturates first, at %s (%s)", a,
                L->saturated_flagged ? "its backlog grows without bound"
                                     : "utilisation reaches 90%");
    } else if (L->n) {
        fmt_load(L->load[L->n - 1], cap->kind, a, sizeof a);
        fprintf(f, "; no station saturates or reaches 90%% utilisation up to %s", a);
    }
    if (!isnan(L->headroom)) {
        fmt_load(L->current, cap->kind, a, sizeof a);
        double h = L->headroom * 100.0;
        snprintf(b, sizeof b, fabs(h) >= 10 ? "%.0f" : "%.1f", h);
        fprintf(f, "; headroom at the current %s: %s%s%%", a,
                L->bound == CAPACITY_ABOVE_RANGE ? "at least " : "", b);
        if (L->headroom < 0) fputs(" (the current load is beyond what meets the SLO)", f);
    } else if (!isnan(L->current) && L->bound == CAPACITY_NOT_MET) {
        fmt_load(L->current, cap->kind, a, sizeof a);
        fprintf(f, "; no headroom at the current %s", a);
    }
    fputs(".\n", f);
}

/* Utilisation of every station at the knee of a line. -1 out of memory. */
static int knee_table(const results *res, const capacity *cap, const capacity_line *L, FILE *f)
{
    const results_cell *cell = L->knee >= 0 ? agg_cell(res, L->variant, L->points[L->knee]) : NULL;
    if (!cell) return 0;
    agg_station *st;
    size_t n;
    if (agg_stations(cell, &st, &n)) return -1;
    char a[128], u[CELL_TEXT], o[CELL_TEXT], q[CELL_TEXT];
    fmt_load(L->load[L->knee], cap->kind, a, sizeof a);
    fputs("\nStations of **", f);
    md_cell(f, res->variant_names[L->variant]);
    fprintf(f, "** at the knee, %s = %s (%s):\n\n", res->axis_keys[cap->axis], a,
            cap->have_slo ? "the last load whose whole CI passes the SLO"
                          : "the last load before a station saturates or reaches 90% utilisation");
    fputs("| station | kind | utilisation | offered load | mean requests present |\n"
          "|---|---|---:|---:|---:|\n",
          f);
    for (size_t s = 0; s < n; s++) {
        ci uv = st[s].v[AGG_UTILISATION];
        if (isnan(uv.mean) && isnan(st[s].v[AGG_OFFERED_LOAD].mean) &&
            isnan(st[s].v[AGG_MEAN_QUEUE].mean))
            continue; /* a workload: nothing to show */
        uv.mean *= 100.0;
        uv.half_width *= 100.0;
        if (isnan(uv.mean)) snprintf(u, sizeof u, "n/a");
        else if (isnan(uv.half_width)) snprintf(u, sizeof u, "%.1f%%", uv.mean);
        else snprintf(u, sizeof u, "%.1f%% ± %.1f%%", uv.mean, uv.half_width);
        fmt_plain(st[s].v[AGG_OFFERED_LOAD].mean, o, sizeof o);
        ci qv = st[s].v[AGG_MEAN_QUEUE];
        if (isnan(qv.mean)) snprintf(q, sizeof q, "n/a");
        else if (isnan(qv.half_width)) snprintf(q, sizeof q, "%.*f", decimals(qv.mean), qv.mean);
        else snprintf(q, sizeof q, "%.*f ± %.*f", decimals(qv.mean), qv.mean, decimals(qv.mean), qv.half_width);
        fputs("| ", f);
        md_cell(f, st[s].name);
        fputs(" | ", f);
        md_cell(f, st[s].kind);
        fprintf(f, " | %s | %s | %s |\n", u, o, q);
    }
    free(st);
    return 0;
}

/* "0.0412 ± 0.0027" with about four significant digits. */
static void fmt_estimate(double x, double se, char *buf, size_t n)
{
    if (isnan(x)) {
        snprintf(buf, n, "n/a");
        return;
    }
    char a[48], b[48];
    if (fabs(x) >= 1e-3 || x == 0) fmt_grouped(x, a, sizeof a);
    else snprintf(a, sizeof a, "%.3g", x);
    if (isnan(se)) {
        snprintf(buf, n, "%s", a);
        return;
    }
    if (fabs(se) >= 1e-3 || se == 0) fmt_grouped(se, b, sizeof b);
    else snprintf(b, sizeof b, "%.3g", se);
    snprintf(buf, n, "%s ± %s", a, b);
}

/* The USL fits of every line. */
static void usl_table(const results *res, const capacity *cap, FILE *f)
{
    int any_tried = 0, any_ok = 0;
    for (size_t l = 0; l < cap->n_lines; l++) {
        any_tried |= cap->lines[l].usl_tried;
        any_ok |= cap->lines[l].usl.ok;
    }
    if (!any_tried) return;
    const char *key = res->axis_keys[cap->axis];
    fprintf(f, "\n### Universal Scalability Law fit\n\n"
               "Throughput X against N = `%s`: X(N) = λN / (1 + σ(N − 1) + κN(N − 1)), fitted "
               "by nonlinear least squares weighted by the throughput CIs; ± is one standard "
               "error (for N* and the peak, by the delta method). σ is contention (the "
               "serialised share), κ coherency (crosstalk) cost; throughput peaks at "
               "N* = √((1 − σ)/κ) when κ > 0.\n\n",
            key);
    if (cap->kind == UNIT_RATE)
        fprintf(f, "| variant | λ (requests/s per request/s of `%s`) | σ | κ | N* (`%s`, /s) ",
                key, key);
    else
        fprintf(f, "| variant | λ (requests/s per unit of `%s`) | σ | κ | N* (`%s`) ", key, key);
    fputs("| peak X(N*) (requests/s) | R² | notes |\n|---|---:|---:|---:|---:|---:|---:|---|\n", f);
    for (size_t l = 0; l < cap->n_lines; l++) {
        const capacity_line *L = &cap->lines[l];
        const usl_result *u = &L->usl;
        char c1[2 * CELL_TEXT], c2[2 * CELL_TEXT], c3[2 * CELL_TEXT], c4[2 * CELL_TEXT];
        char c5[2 * CELL_TEXT], r2[32];
        fputs("| ", f);
        md_cell(f, res->variant_names[L->variant]);
        for (size_t ax = 0; ax < res->n_axes; ax++)
            if ((long)ax != cap->axis && L->n) {
                fprintf(f, ", %s = ", res->axis_keys[ax]);
                md_cell(f, agg_axis_text(res, L->points[0], ax));
            }
        if (!u->ok) {
            fputs(" | n/a | n/a | n/a | n/a | n/a | n/a | no fit: ", f);
            md_cell(f, u->note);
            fputs(" |\n", f);
            continue;
        }
        fmt_estimate(u->lambda, u->lambda_se, c1, sizeof c1);
        fmt_estimate(u->sigma, u->sigma_se, c2, sizeof c2);
        fmt_estimate(u->kappa, u->kappa_se, c3, sizeof c3);
        fmt_estimate(u->peak_n, u->peak_n_se, c4, sizeof c4);
        fmt_estimate(u->peak_x, u->peak_x_se, c5, sizeof c5);
        snprintf(r2, sizeof r2, "%.4f", u->r2);
        fprintf(f, " | %s | %s | %s | %s | %s | %s | ", c1, c2, c3, c4, c5, r2);
        int notes = 0;
        if (!(u->r2 >= USL_POOR_R2)) {
            fprintf(f, "**poor fit** (R² below %.1f): the law does not describe this sweep well",
                    USL_POOR_R2);
            notes++;
        }
        if (u->sigma < 0 || u->kappa < 0) {
            fputs(notes++ ? "; " : "", f);
            fputs("a negative coefficient: the sweep is outside the law's assumptions (e.g. a "
                  "bottleneck elsewhere)", f);
        }
        if (isnan(u->peak_n)) {
            fputs(notes++ ? "; " : "", f);
            fputs("no peak (κ ≤ 0 or σ ≥ 1): throughput does not turn down", f);
        } else if (L->n && u->peak_n > L->load[L->n - 1]) {
            fputs(notes++ ? "; " : "", f);
            fputs("peak beyond the swept range (extrapolated)", f);
        }
        if (!u->weighted) {
            fputs(notes++ ? "; " : "", f);
            fputs("unweighted (no CI at some point)", f);
        }
        fprintf(f, "%s%zu points |\n", notes ? "; " : "", u->n_points);
    }
    if (any_ok)
        fputs("\n![USL fit](usl_fit.png)\n\n[SVG](usl_fit.svg) · script `usl_fit.gp` · "
              "figures in `capacity.csv`\n",
              f);
}

/* The capacity section: the answer per line, the knee, the USL fit. -1 out of memory. */
static int capacity_section(const results *res, FILE *f)
{
    capacity cap;
    if (capacity_analyse(res, &cap)) {
        capacity_fini(&cap);
        return -1;
    }
    if (cap.axis < 0 || !cap.n_lines) {
        capacity_fini(&cap);
        return 0;
    }
    int rc = 0;
    fputs("## Capacity\n\n", f);
    fprintf(f, "Along `%s`. The largest load that meets the SLO is where the mean of the "
               "binding condition's metric crosses its target, interpolated linearly between "
               "the sweep points around the crossing; its 95%% CI is where the CI bounds of the "
               "metric cross the target. A station saturates when its backlog grows without "
               "bound or its utilisation reaches 90%%. Headroom is that load over the value "
               "the scenario sets before the sweep, minus one.\n\n",
            res->axis_keys[cap.axis]);
    if (cap.slo_error[0]) fprintf(f, "The SLO cannot be judged: %s.\n\n", cap.slo_error);
    for (size_t l = 0; l < cap.n_lines; l++) capacity_sentence(res, &cap, &cap.lines[l], f);
    for (size_t l = 0; l < cap.n_lines && !rc; l++) rc = knee_table(res, &cap, &cap.lines[l], f);
    if (!rc) usl_table(res, &cap, f);
    fputs("\n", f);
    capacity_fini(&cap);
    return rc;
}

/* Rows of the results table: always shown, or only when some cell has the metric. */
static const struct {
    int metric;     /* metric id */
    const char *label; /* row label */
    int always;     /* shown even when no cell has it */
} rows[] = {
    {METRIC_THROUGHPUT, "throughput", 1},
    {METRIC_LAT_MEAN, "latency mean", 1},
    {METRIC_LAT_P50, "latency p50", 1},
    {METRIC_LAT_P99, "latency p99", 1},
    {METRIC_LAT_P999, "latency p99.9", 1},
    {METRIC_READ_P99, "read latency p99", 1},
    {METRIC_WRITE_P99, "write latency p99", 1},
    {METRIC_SCAN_P99, "scan latency p99", 0},
    {METRIC_LAG_MEAN, "replication lag mean", 0},
    {METRIC_LAG_P99, "replication lag p99", 0},
    {METRIC_LAG_MAX, "replication lag max", 0},
    {METRIC_STALE_READ_RATIO, "stale reads (of replica/cache reads)", 0},
    {METRIC_CACHE_HIT_RATIO, "cache hit ratio", 0},
    {METRIC_LOST_WRITES, "lost writes", 0},
    {METRIC_REJECTED, "rejected or failed", 0},
    {METRIC_HOT_SHARD_RATIO, "hottest shard load", 0},
    {METRIC_KEYS_MOVED_RATIO, "keys moved by resharding", 0},
};

static int metric_present(const results *res, int m)
{
    for (size_t c = 0; c < res->n_cells; c++)
        if (!isnan(agg_metric(&res->cells[c], m).mean)) return 1;
    return 0;
}

static void results_tables(const results *res, FILE *f)
{
    char buf[CELL_TEXT], pt[256];
    size_t n_points = res->n_points ? res->n_points : 1;
    fputs("## Results\n\n", f);
    for (size_t p = 0; p < n_points; p++) {
        if (res->n_axes) {
            point_text(res, p, pt, sizeof pt);
            fputs("### ", f);
            md_cell(f, pt);
            fputs("\n\n", f);
        }
        fputs("| metric |", f);
        for (size_t v = 0; v < res->n_variants; v++) {
            fputs(" ", f);
            md_cell(f, res->variant_names[v]);
            fputs(" |", f);
        }
        fputs("\n|---|", f);
        for (size_t v = 0; v < res->n_variants; v++) fputs("---:|", f);
        fputs("\n", f);
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            if (!rows[r].always && !metric_present(res, rows[r].metric)) continue;
            fprintf(f, "| %s |", rows[r].label);
            for (size_t v = 0; v < res->n_variants; v++) {
                const results_cell *c = agg_cell(res, v, p);
                ci none = {NAN, NAN, 0};
                fmt_metric(rows[r].metric, c ? agg_metric(c, rows[r].metric) : none, buf,
                           sizeof buf);
                fprintf(f, " %s |", buf);
            }
            fputs("\n", f);
        }
        fputs("\n", f);
    }
    fputs("Every metric, with its CI, is in `summary.csv`; per replication in "
          "`replications.csv`; per station in `stations.csv`; over time in "
          "`timeseries.csv`; latency distributions in `latency.csv`.\n\n",
          f);
}

static void plots_section(const results *res, FILE *f)
{
    plot_info info[PLOT_MAX];
    size_t n = plot_list(res, info);
    if (!n) return;
    fputs("## Plots\n\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "![%s](%s.png)\n\n[SVG](%s.svg) · script `%s.gp`\n\n", info[i].title,
                info[i].name, info[i].name, info[i].name);
    fputs("No images? Install gnuplot (`sudo apt-get install gnuplot-nox`) and run "
          "`dbscale plot DIR` on this directory.\n\n",
          f);
}

static void scenario_section(const results *res, FILE *f)
{
    if (!res->scenario_text) return;
    fputs("## Scenario file\n\n", f);
    fenced(f, res->scenario_text, "ini");
}

int report_md_write(const results *res, FILE *f)
{
    fputs("# ", f);
    md_cell(f, res->scenario_name ? res->scenario_name : "dbscale run");
    fputs("\n\n", f);
    settings(res, f);
    architecture_section(res, f);
    if (saturation(res, f) || slo_section(res, f) || capacity_section(res, f)) {
        errno = ENOMEM;
        return -1;
    }
    results_tables(res, f);
    plots_section(res, f);
    scenario_section(res, f);
    return ferror(f) ? -1 : 0;
}
