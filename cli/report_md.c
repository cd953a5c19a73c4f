/* report_md.c: writes report.md (see report_md.h). */
#include "cli/report_md.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"
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
    size_t run = 0, longest = 0;
    for (const char *s = res->scenario_text; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    size_t fence = longest >= 3 ? longest + 1 : 3;
    fputs("## Scenario file\n\n", f);
    for (size_t i = 0; i < fence; i++) fputc('`', f);
    fputs("ini\n", f);
    fputs(res->scenario_text, f);
    size_t len = strlen(res->scenario_text);
    if (len && res->scenario_text[len - 1] != '\n') fputc('\n', f);
    for (size_t i = 0; i < fence; i++) fputc('`', f);
    fputc('\n', f);
}

int report_md_write(const results *res, FILE *f)
{
    fputs("# ", f);
    md_cell(f, res->scenario_name ? res->scenario_name : "dbscale run");
    fputs("\n\n", f);
    settings(res, f);
    if (saturation(res, f) || slo_section(res, f)) {
        errno = ENOMEM;
        return -1;
    }
    results_tables(res, f);
    plots_section(res, f);
    scenario_section(res, f);
    return ferror(f) ? -1 : 0;
}
