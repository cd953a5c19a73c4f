/* plot.c: writes the gnuplot scripts of a run (see plot.h). The scripts select their rows
 * with `every STEP::FIRST::LAST`, counted from the row orders the CSV writers use
 * (output_csv.c: cells in order; in latency.csv all operations first, then read, write,
 * scan), so they never compare variant names inside gnuplot. */
#include "cli/plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"
#include "cli/capacity.h"
#include "cli/output.h"

#define FEW_POINTS 4      /* sweep points drawn as separate lines in CDF and time plots */
#define PLOT_WIDTH 1000   /* pixels */
#define PLOT_HEIGHT 600   /* pixels */
#define PANEL_HEIGHT 260  /* pixels per time-series panel */
#define TS_MAX_LINES 8    /* lines a time-series panel draws at most (variants x series) */

/* ---- small helpers ---- */

/* Writes s as a gnuplot single-quoted string ('' for a quote; control characters become
 * spaces). */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputs("''", f);
        else fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
    }
    fputc('\'', f);
}

/* A file-name-safe copy of a swept key: letters, digits, '.', '_', '-' kept. */
static void safe_name(const char *key, char *out, size_t n)
{
    size_t i = 0;
    for (; key[i] && i + 1 < n; i++) {
        char c = key[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
}

/* The sweep points drawn as separate lines: all when there are few, else FEW_POINTS
 * spread evenly from the first to the last. Returns how many (into pts[FEW_POINTS]). */
static size_t few_points(const results *res, size_t *pts)
{
    size_t n = res->n_points ? res->n_points : 1;
    if (n <= FEW_POINTS) {
        for (size_t i = 0; i < n; i++) pts[i] = i;
        return n;
    }
    for (size_t i = 0; i < FEW_POINTS; i++)
        pts[i] = (size_t)llround((double)i * (double)(n - 1) / (FEW_POINTS - 1));
    return FEW_POINTS;
}

/* "variant" or "variant, key=value, ..." when the point is worth naming. */
static void cell_label(const results *res, const results_cell *c, int with_point, char *buf,
                       size_t n)
{
    const char *name = c->variant < res->n_variants ? res->variant_names[c->variant] : "?";
    size_t len = (size_t)snprintf(buf, n, "%s", name);
    for (size_t a = 0; with_point && a < res->n_axes && len < n; a++)
        len += (size_t)snprintf(buf + len, n - len, ", %s=%s", res->axis_keys[a],
                                agg_axis_text(res, c->point, a));
}

/* Axis label suffix for values of a swept key's kind, and the factor applied to them. */
static const char *axis_unit(unit_kind k, double *scale)
{
    *scale = 1.0;
    switch (k) {
    case UNIT_TIME: *scale = 1e3; return " (ms)";
    case UNIT_RATE: return " (per second)";
    case UNIT_SIZE: return " (bytes)";
    case UNIT_RATIO: return " (fraction)";
    default: return "";
    }
}

/* Script head: what it is, how to run it, CSV reading. */
static void head(FILE *f, const char *name, const char *title, const char *csv)
{
    fprintf(f, "# %s.gp: %s.\n", name, title);
    fprintf(f, "# Written by dbscale from %s (in this directory); restyle freely.\n", csv);
    fprintf(f, "# Draw: cd <this directory> && gnuplot %s.gp   (writes %s.png and %s.svg)\n",
            name, name, name);
    fputs("set datafile separator comma\n", f);
    fputs("set grid\n", f);
}

/* Opens the loop that draws the PNG and then the SVG. */
static void begin_terminals(FILE *f, const char *name, int height)
{
    fputs("do for [fmt in \"png svg\"] {\n", f);
    fprintf(f, "    if (fmt eq \"png\") {\n"
               "        set terminal pngcairo noenhanced size %d,%d font \"sans,14\" "
               "linewidth 1.5\n"
               "    } else {\n"
               "        set terminal svg noenhanced size %d,%d dynamic font \"sans,14\" "
               "linewidth 1.5\n"
               "    }\n",
            PLOT_WIDTH, height, PLOT_WIDTH, height);
    fprintf(f, "    set output \"%s.\".fmt\n", name);
}

static void end_terminals(FILE *f)
{
    fputs("    set output\n}\n", f);
}

/* Separator before the next element of a plot command. */
static void next_element(FILE *f, int *first)
{
    fputs(*first ? "    plot " : ", \\\n         ", f);
    *first = 0;
}

/* ---- latency CDF (latency.csv) ---- */

static size_t nonempty_bins(const hist *h)
{
    size_t n = 0;
    for (size_t b = 0; b < HIST_BINS; b++) n += h->bins[b] != 0;
    return n;
}

/* Rows of latency.csv per cell: first[c] = first row of the all-operations block,
 * count[c] = its rows. Returns 0, or -1 out of memory. */
static int latency_rows(const results *res, size_t *first, size_t *count)
{
    hist *h = malloc(sizeof *h);
    if (!h) return -1;
    size_t row = 0;
    for (size_t c = 0; c < res->n_cells; c++) {
        for (int i = 0; i <= OP_COUNT; i++) { /* all operations first, as written */
            int o = i == 0 ? OP_COUNT : i - 1;
            agg_latency(&res->cells[c], o, h);
            size_t n = nonempty_bins(h);
            if (o == OP_COUNT) {
                first[c] = row;
                count[c] = n;
            }
            row += n;
        }
    }
    free(h);
    return 0;
}

static int has_latency(const results *res)
{
    for (size_t c = 0; c < res->n_cells; c++)
        for (size_t k = 0; k < res->cells[c].n_reps; k++)
            if (!res->cells[c].reps[k].failed && res->cells[c].reps[k].latency[OP_COUNT].count)
                return 1;
    return 0;
}

/* Lowest value worth showing on a log axis: the 0.1% quantile, or failing that the
 * lowest positive value. NAN when there is none. */
static double low_end(const hist *h)
{
    double q = hist_quantile(h, 0.001);
    if (q > 0) return q;
    for (size_t b = 1; b < HIST_BINS; b++)
        if (h->bins[b]) return hist_bin_low(b);
    return NAN;
}

/* Colour by variant (8 colours), dash type by series k of the variant; variants past the
 * eighth reuse the colours with the next dash type, so no two lines look the same. */
static void line_style(FILE *f, size_t variant, size_t k)
{
    fprintf(f, " linecolor %zu dashtype %zu", variant % 8 + 1, (k + variant / 8) % 4 + 1);
}

/* Line width of variant v of n: the earlier variants are drawn wider, so that a later
 * variant with the same curve (a policy that changes nothing here) lies on top of them
 * without hiding them. */
static double line_width(size_t v, size_t n)
{
    size_t later = n > v ? n - 1 - v : 0;
    return 2.0 + 1.5 * (double)(later < 3 ? later : 3);
}

/* Point type of variant v: filled circle, square, triangle, diamond, ... (told apart
 * where points of two variants coincide). */
static int point_type(size_t v)
{
    static const int types[] = {7, 5, 9, 13, 11, 15};
    return types[v % (sizeof types / sizeof types[0])];
}

static int write_cdf(const results *res, FILE *f, const char *name, const char *title)
{
    size_t *first = malloc((res->n_cells + 1) * sizeof *first);
    size_t *count = malloc((res->n_cells + 1) * sizeof *count);
    hist *h = malloc(sizeof *h);
    if (!first || !count || !h || latency_rows(res, first, count)) {
        free(first);
        free(count);
        free(h);
        errno = ENOMEM;
        return -1;
    }
    size_t pts[FEW_POINTS], np = few_points(res, pts);
    int col_high = 4 + (int)res->n_axes, col_cdf = 6 + (int)res->n_axes;
    int name_points = res->n_axes > 0 && np > 1;
    char label[512];

    /* x range over the drawn lines, and how many there are */
    double lo = INFINITY, hi = 0;
    size_t lines = 0;
    for (size_t v = 0; v < res->n_variants; v++)
        for (size_t i = 0; i < np; i++) {
            const results_cell *c = agg_cell(res, v, pts[i]);
            if (!c || !count[c - res->cells]) continue;
            agg_latency(c, OP_COUNT, h);
            double l = low_end(h);
            if (l < lo) lo = l;
            if (h->max > hi) hi = h->max;
            lines++;
        }

    head(f, name, title, "latency.csv");
    fputs("# One line per variant", f);
    fputs(name_points ? " and drawn sweep point (dash type).\n" : ".\n", f);
    fprintf(f, "set title %s\n", res->n_points > np
                                     ? "'Latency CDF, all operations (selected sweep points)'"
                                     : "'Latency CDF, all operations'");
    fputs("set xlabel 'latency (ms)'\n"
          "set ylabel 'fraction of requests at or below'\n"
          "set logscale x 10\n"
          "set format x '%g'\n"
          "set yrange [0:1.02]\n"
          "set ytics 0.1\n"
          "set arrow 1 from graph 0, first 0.99 to graph 1, first 0.99 nohead dashtype 2\n"
          "set label 1 'p99' at graph 0.01, first 0.975\n",
          f);
    if (isfinite(lo) && hi > 0 && lo < hi)
        fprintf(f, "set xrange [%.6g:%.6g]\n", lo * 1e3 * 0.8, hi * 1e3 * 1.25);
    fputs(lines > 4 ? "set key outside right top box\n" : "set key bottom right box opaque\n", f);
    begin_terminals(f, name, PLOT_HEIGHT);
    int first_el = 1;
    for (size_t v = 0; v < res->n_variants; v++) {
        for (size_t i = 0; i < np; i++) {
            const results_cell *c = agg_cell(res, v, pts[i]);
            if (!c) continue;
            size_t ci = (size_t)(c - res->cells);
            if (count[ci] == 0) continue;
            cell_label(res, c, name_points, label, sizeof label);
            next_element(f, &first_el);
            fprintf(f, "'latency.csv' skip 1 every ::%zu::%zu using %d:%d with lines lw %g",
                    first[ci], first[ci] + count[ci] - 1, col_high, col_cdf,
                    line_width(v, res->n_variants));
            line_style(f, v, i);
            fputs(" title ", f);
            gp_string(f, label);
        }
    }
    fputs("\n", f);
    end_terminals(f);
    free(first);
    free(count);
    free(h);
    return 0;
}

/* ---- metric against the first swept key (summary.csv) ---- */

typedef struct sweep_line {
    size_t variant;   /* variant of the line */
    size_t point0;    /* sweep point of its first row (names the other axes' values) */
    size_t first;     /* first row */
    size_t step;      /* rows between points (0: one point) */
    size_t n;         /* points */
    int regular;      /* rows form an arithmetic progression (else drawn as points) */
    size_t *rows;     /* its rows, in order */
} sweep_line;

/* Same line when same variant and same values on every axis but the first. */
static int same_line(const results *res, const results_cell *a, size_t variant, size_t point)
{
    if (a->variant != variant) return 0;
    for (size_t ax = 1; ax < res->n_axes; ax++)
        if (strcmp(agg_axis_text(res, a->point, ax), agg_axis_text(res, point, ax)) != 0)
            return 0;
    return 1;
}

/* Groups summary rows (= cells) into lines. Returns the number, or (size_t)-1 out of
 * memory. *lines is malloc'd (each line's rows too): free with free_lines. */
static size_t sweep_lines(const results *res, sweep_line **lines)
{
    sweep_line *L = calloc(res->n_cells ? res->n_cells : 1, sizeof *L);
    size_t n = 0;
    if (!L) return (size_t)-1;
    for (size_t c = 0; c < res->n_cells; c++) {
        const results_cell *cell = &res->cells[c];
        size_t i = 0;
        for (; i < n; i++)
            if (same_line(res, cell, L[i].variant, L[i].point0)) break;
        if (i == n) {
            L[n].variant = cell->variant;
            L[n].point0 = cell->point;
            L[n].rows = malloc(res->n_cells * sizeof *L[n].rows);
            if (!L[n].rows) {
                for (size_t k = 0; k < n; k++) free(L[k].rows);
                free(L);
                return (size_t)-1;
            }
            n++;
        }
        L[i].rows[L[i].n++] = c;
    }
    for (size_t i = 0; i < n; i++) {
        sweep_line *l = &L[i];
        l->first = l->rows[0];
        l->step = l->n > 1 ? l->rows[1] - l->rows[0] : 0;
        l->regular = 1;
        for (size_t k = 1; k < l->n; k++)
            if (l->rows[k] - l->rows[k - 1] != l->step) l->regular = 0;
    }
    *lines = L;
    return n;
}

static void free_lines(sweep_line *L, size_t n)
{
    for (size_t i = 0; i < n; i++) free(L[i].rows);
    free(L);
}

/* Finite values of metric m over all cells: range into lo, hi; returns how many. */
static size_t metric_range(const results *res, int m, double *lo, double *hi)
{
    size_t n = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t c = 0; c < res->n_cells; c++) {
        double x = agg_metric(&res->cells[c], m).mean;
        if (!isfinite(x)) continue;
        n++;
        if (x < *lo) *lo = x;
        if (x > *hi) *hi = x;
    }
    return n;
}

static int has_sweep(const results *res) { return res->n_axes > 0 && res->n_points > 1; }

/* One plot of metric m against the first swept key, a line per variant (and per value of
 * the other swept keys), with CI error bars. The legend sits outside the axes, where it
 * can hide no point: below them, or on the right when there are many lines. */
static int write_sweep(const results *res, FILE *f, const char *name, const char *title, int m,
                       const char *ylabel)
{
    sweep_line *L;
    size_t nl = sweep_lines(res, &L);
    if (nl == (size_t)-1) {
        errno = ENOMEM;
        return -1;
    }
    unit_kind kind = UNIT_NUMBER;
    int numeric = agg_axis_numeric(res, 0, &kind);
    double scale = 1.0;
    const char *unit = numeric ? axis_unit(kind, &scale) : "";
    int col_y = 3 + (int)res->n_axes + 2 * m, col_e = col_y + 1;
    double lo, hi;
    metric_range(res, m, &lo, &hi);
    char label[512];

    head(f, name, title, "summary.csv");
    fputs("set title ", f);
    gp_string(f, title);
    fputs(" . ' (error bars: 95% CI)'\nset xlabel ", f);
    snprintf(label, sizeof label, "%s%s", res->axis_keys[0], unit);
    gp_string(f, label);
    fputs("\nset ylabel ", f);
    gp_string(f, ylabel);
    if (nl > 4) fputs("\nset key outside right top box\n", f);
    else /* room for the key set by hand, as in write_usl */
        fprintf(f, "\nset key below box maxcols 2\nset bmargin %.1f\n", 4.0 + 1.3 * (double)((nl + 1) / 2));
    if (m == METRIC_CACHE_HIT_RATIO) fputs("set yrange [0:1]\n", f);
    else if (lo > 0 && hi / lo > 50) fputs("set logscale y 10\n", f);
    else fputs("set yrange [0:*]\n# set logscale y 10   # for a wide range of values\n", f);
    if (!numeric) fputs("set offsets 0.25, 0.25, 0, 0\n", f);
    begin_terminals(f, name, PLOT_HEIGHT);
    int first_el = 1;
    for (size_t i = 0; i < nl; i++) {
        const sweep_line *l = &L[i];
        const results_cell *c0 = &res->cells[l->first];
        size_t finite = 0;
        for (size_t k = 0; k < l->n; k++)
            finite += isfinite(agg_metric(&res->cells[l->rows[k]], m).mean);
        if (!finite) continue; /* nothing to draw: gnuplot would warn */
        /* name the other axes' values only when there are other axes */
        const char *vname =
            c0->variant < res->n_variants ? res->variant_names[c0->variant] : "?";
        size_t len = (size_t)snprintf(label, sizeof label, "%s", vname);
        for (size_t ax = 1; ax < res->n_axes && len < sizeof label; ax++)
            len += (size_t)snprintf(label + len, sizeof label - len, ", %s=%s",
                                    res->axis_keys[ax], agg_axis_text(res, c0->point, ax));
        size_t same_variant = 0; /* earlier lines of this variant: dash type */
        for (size_t j = 0; j < i; j++) same_variant += L[j].variant == l->variant;
        size_t parts = l->regular ? 1 : l->n; /* irregular rows: one element per point */
        for (size_t k = 0; k < parts; k++) {
            size_t a = l->regular ? l->first : l->rows[k];
            size_t b = l->regular ? l->first + l->step * (l->n - 1) : a;
            size_t step = l->regular && l->step ? l->step : 1;
            char x[96];
            if (numeric && scale != 1.0) snprintf(x, sizeof x, "($2*%g)", scale);
            else if (numeric) snprintf(x, sizeof x, "2");
            else snprintf(x, sizeof x, "0"); /* $0: index of the selected point */
            next_element(f, &first_el);
            fprintf(f, "'summary.csv' skip 1 every %zu::%zu::%zu "
                       "using %s:%d:(valid(%d) ? $%d : 0)%s "
                       "with yerrorlines lw 2 pt %d ps 1.2",
                    step, a, b, x, col_y, col_e, col_e, numeric ? "" : ":xtic(2)",
                    point_type(l->variant));
            line_style(f, l->variant, same_variant);
            fputs(" ", f);
            if (k == 0) {
                fputs("title ", f);
                gp_string(f, label);
            } else {
                fputs("notitle", f);
            }
        }
    }
    fputs("\n", f);
    end_terminals(f);
    free_lines(L, nl);
    return 0;
}

/* ---- USL fit of throughput along the load axis (summary.csv + fitted curves) ---- */

/* Lines of the capacity analysis with a USL fit. */
static size_t usl_fits(const capacity *cap)
{
    size_t n = 0;
    for (size_t l = 0; l < cap->n_lines; l++) n += cap->lines[l].usl.ok;
    return n;
}

static int write_usl(const results *res, FILE *f, const char *name, const char *title)
{
    capacity cap;
    if (capacity_analyse(res, &cap)) {
        capacity_fini(&cap);
        errno = ENOMEM;
        return -1;
    }
    size_t axis = (size_t)cap.axis;
    int col_x = 2 + (int)axis, col_y = 3 + (int)res->n_axes + 2 * METRIC_THROUGHPUT;
    int col_e = col_y + 1;
    double scale, xmax = 0.0;
    const char *unit = cap.kind == UNIT_NUMBER ? " (count)" : axis_unit(cap.kind, &scale);
    for (size_t l = 0; l < cap.n_lines; l++) {
        const capacity_line *L = &cap.lines[l];
        if (!L->usl.ok || !L->n) continue;
        if (L->load[L->n - 1] > xmax) xmax = L->load[L->n - 1];
    }
    double xend = xmax; /* show a peak that lies a little beyond the sweep */
    for (size_t l = 0; l < cap.n_lines; l++) {
        double pk = cap.lines[l].usl.peak_n;
        if (cap.lines[l].usl.ok && pk > xend && pk <= 1.5 * xmax) xend = pk;
    }
    char label[600];

    head(f, name, title, "summary.csv");
    fputs("# Points: simulated throughput (mean and 95% CI) per sweep point; curves: the\n"
          "# Universal Scalability Law X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))\n"
          "# fitted by weighted nonlinear least squares (capacity.csv has the parameters and\n"
          "# their standard errors); dotted verticals: the fitted peak N* within the range.\n",
          f);
    fputs("set title ", f);
    gp_string(f, title);
    fputs(" . ' (error bars: 95% CI)'\nset xlabel ", f);
    snprintf(label, sizeof label, "%s%s", res->axis_keys[axis], unit);
    gp_string(f, label);
    fputs("\nset ylabel 'throughput (requests/s)'\n", f);
    /* the key below the plot, never over the points; room for it set by hand (gnuplot
     * 5.4 lets a tall key below overlap the x label) */
    size_t entries = 2 * usl_fits(&cap);
    fprintf(f, "set key below box\nset bmargin %.1f\n", 4.0 + 1.3 * (double)entries);
    fprintf(f, "set xrange [0:%.6g]\nset yrange [0:*]\nset samples 400\n", xend * 1.05);
    size_t k = 0;
    for (size_t l = 0; l < cap.n_lines; l++) {
        const capacity_line *L = &cap.lines[l];
        if (!L->usl.ok) continue;
        fprintf(f, "usl%zu(n) = %.17g * n / (1 + %.17g * (n - 1) + %.17g * n * (n - 1))\n", k,
                L->usl.lambda, L->usl.sigma, L->usl.kappa);
        if (L->usl.peak_n > 0 && L->usl.peak_n <= xend)
            fprintf(f, "set arrow %zu from %.17g, graph 0 to %.17g, graph 1 nohead dashtype 3 "
                       "linecolor %zu\n",
                    k + 1, L->usl.peak_n, L->usl.peak_n, L->variant % 8 + 1);
        k++;
    }
    begin_terminals(f, name, PLOT_HEIGHT + (entries > 4 ? 22 * (int)(entries - 4) : 0));
    int first_el = 1;
    k = 0;
    for (size_t l = 0; l < cap.n_lines; l++) {
        const capacity_line *L = &cap.lines[l];
        if (!L->usl.ok) continue;
        size_t same_variant = 0; /* earlier fitted lines of this variant: dash type */
        for (size_t j = 0; j < l; j++) same_variant += cap.lines[j].usl.ok && cap.lines[j].variant == L->variant;
        const char *vname = L->variant < res->n_variants ? res->variant_names[L->variant] : "?";
        size_t len = (size_t)snprintf(label, sizeof label, "%s", vname);
        for (size_t ax = 0; ax < res->n_axes && len < sizeof label; ax++)
            if (ax != axis)
                len += (size_t)snprintf(label + len, sizeof label - len, ", %s=%s",
                                        res->axis_keys[ax], agg_axis_text(res, L->points[0], ax));
        /* rows of summary.csv (= cells), in row order; drawn as one element when evenly spaced */
        size_t *rows = malloc(L->n * sizeof *rows);
        if (!rows) {
            capacity_fini(&cap);
            errno = ENOMEM;
            return -1;
        }
        size_t nr = 0;
        for (size_t c = 0; c < res->n_cells; c++)
            for (size_t i = 0; i < L->n; i++)
                if (res->cells[c].variant == L->variant && res->cells[c].point == L->points[i])
                    rows[nr++] = c;
        int regular = 1;
        for (size_t i = 2; i < nr; i++) regular &= rows[i] - rows[i - 1] == rows[1] - rows[0];
        size_t parts = regular ? 1 : nr;
        for (size_t i = 0; i < parts; i++) {
            size_t a = regular ? rows[0] : rows[i], b = regular ? rows[nr - 1] : a;
            size_t step = regular && nr > 1 ? rows[1] - rows[0] : 1;
            next_element(f, &first_el);
            fprintf(f, "'summary.csv' skip 1 every %zu::%zu::%zu using %d:%d:(valid(%d) ? $%d : 0) "
                       "with yerrorbars pt 7 ps 1.2",
                    step, a, b, col_x, col_y, col_e, col_e);
            line_style(f, L->variant, same_variant);
            fputs(" ", f);
            if (i == 0) {
                char t[700];
                snprintf(t, sizeof t, "%s: simulated", label);
                fputs("title ", f);
                gp_string(f, t);
            } else {
                fputs("notitle", f);
            }
        }
        free(rows);
        next_element(f, &first_el);
        fprintf(f, "usl%zu(x) with lines lw 2", k);
        line_style(f, L->variant, same_variant);
        if (isnan(L->usl.peak_n))
            snprintf(label + len, sizeof label - len, ": USL fit, no peak (R2 %.3f)", L->usl.r2);
        else
            snprintf(label + len, sizeof label - len, ": USL fit, peak at %.4g (R2 %.3f)",
                     L->usl.peak_n, L->usl.r2);
        fputs(" title ", f);
        gp_string(f, label);
        k++;
    }
    fputs("\n", f);
    end_terminals(f);
    capacity_fini(&cap);
    return 0;
}

/* The load axis when some line of the sweep has a USL fit; -1 when none (or out of
 * memory: then the plot is left out, and the CSV writers report the shortage). */
static long usl_axis(const results *res)
{
    capacity cap;
    int rc = capacity_analyse(res, &cap);
    long axis = !rc && usl_fits(&cap) ? cap.axis : -1;
    capacity_fini(&cap);
    return axis;
}

/* ---- time series (timeseries.csv) ---- */

enum { PANEL_THROUGHPUT, PANEL_P99, PANEL_QUEUE, PANEL_LAG, PANEL_HIT, PANELS };

static const struct {
    const char *ylabel; /* panel's y axis */
} panels[PANELS] = {
    {"throughput (requests/s)"},
    {"p99 latency (ms)"},
    {"queue length (requests)"},
    {"replication lag (ms)"},
    {"cache hit ratio"},
};

/* The panel a series belongs to, or -1. */
static int panel_of(const char *name)
{
    if (strcmp(name, "throughput") == 0) return PANEL_THROUGHPUT;
    if (strstr(name, "p99") && !strstr(name, "p999")) return PANEL_P99;
    if (strncmp(name, "queue", 5) == 0) return PANEL_QUEUE;
    if (strncmp(name, "lag", 3) == 0) return PANEL_LAG;
    if (strstr(name, "hit_ratio")) return PANEL_HIT;
    return -1;
}

/* The series has a value in cell c (NULL: no). */
static int cell_has_series(const results_cell *c, const char *name)
{
    size_t rows = c ? agg_series_rows(c) : 0;
    for (size_t t = 0; t < rows; t++)
        if (!isnan(agg_series_value(c, t, name))) return 1;
    return 0;
}

/* The series has a value somewhere in the drawn cells (the last sweep point). */
static int series_present(const results *res, const char *name)
{
    size_t point = res->n_points ? res->n_points - 1 : 0;
    for (size_t v = 0; v < res->n_variants; v++)
        if (cell_has_series(agg_cell(res, v, point), name)) return 1;
    return 0;
}

/* Which panels have data: mask bit per panel. -1 out of memory. */
static int timeseries_panels(const results *res)
{
    char (*names)[64];
    size_t n;
    if (agg_series_names(res, &names, &n)) return -1;
    int mask = 0;
    for (size_t j = 0; j < n; j++) {
        int p = panel_of(names[j]);
        if (p >= 0 && !(mask & (1 << p)) && series_present(res, names[j])) mask |= 1 << p;
    }
    free(names);
    return mask;
}

/* Range of the positive values of series `name` over the given cells. */
static void series_range(const results_cell *const *cells, size_t n, const char *name, double *lo,
                         double *hi)
{
    for (size_t i = 0; i < n; i++) {
        size_t rows = agg_series_rows(cells[i]);
        for (size_t t = 0; t < rows; t++) {
            double x = agg_series_value(cells[i], t, name);
            if (!(x > 0) || !isfinite(x)) continue;
            if (x < *lo) *lo = x;
            if (x > *hi) *hi = x;
        }
    }
}

/* The series name without its panel's prefix ("queue_db" -> "db"), for the legend. */
static const char *series_label(const char *name)
{
    static const char *const prefixes[] = {"queue_", "lag_ms_", "lag_", "hit_ratio_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], n) == 0 && name[n]) return name + n;
    }
    return name;
}

/* Picks the series of panel p to draw: every one when their lines (a line per variant
 * that has the series) are at most TS_MAX_LINES, else those with the highest peaks
 * (ties: first seen), as many as fit, at least one. keep[j] is set for the kept names of
 * panel p (other names are left as they are); *kept counts them; returns how many series
 * the panel has in all. */
static size_t pick_series(const results_cell *const *cells, size_t n_cells, char (*names)[64],
                          size_t n_names, int p, unsigned char *keep, size_t *kept)
{
    size_t total = 0, lines = 0;
    double *peak = malloc((n_names + 1) * sizeof *peak);
    size_t *count = malloc((n_names + 1) * sizeof *count); /* lines of series j */
    for (size_t j = 0; j < n_names; j++) {
        if (panel_of(names[j]) != p) continue;
        keep[j] = 0;
        size_t c = 0;
        for (size_t v = 0; v < n_cells; v++) c += cell_has_series(cells[v], names[j]);
        if (!c) continue;
        keep[j] = 1;
        total++;
        lines += c;
        double lo = INFINITY, hi = 0;
        series_range(cells, n_cells, names[j], &lo, &hi);
        if (peak) peak[j] = hi;
        if (count) count[j] = c;
    }
    *kept = total;
    if (lines > TS_MAX_LINES && peak && count) {
        unsigned char *cand = keep; /* candidates: keep[j] == 1 */
        size_t used = 0;
        *kept = 0;
        for (;;) { /* the highest remaining candidate, while its lines fit */
            size_t best = n_names;
            for (size_t j = 0; j < n_names; j++)
                if (panel_of(names[j]) == p && cand[j] == 1 && (best == n_names || peak[j] > peak[best]))
                    best = j;
            if (best == n_names || (*kept > 0 && used + count[best] > TS_MAX_LINES)) break;
            cand[best] = 2;
            used += count[best];
            (*kept)++;
        }
        for (size_t j = 0; j < n_names; j++)
            if (panel_of(names[j]) == p) keep[j] = keep[j] == 2;
    }
    free(peak);
    free(count);
    return total;
}

static int write_timeseries(const results *res, FILE *f, const char *name, const char *title)
{
    char (*names)[64];
    size_t n_names;
    int mask = timeseries_panels(res);
    if (mask < 0 || agg_series_names(res, &names, &n_names)) {
        errno = ENOMEM;
        return -1;
    }
    size_t *first = malloc((res->n_cells + 1) * sizeof *first);
    const results_cell **cells = malloc((res->n_variants + 1) * sizeof *cells);
    unsigned char *keep = calloc(n_names + 1, 1);
    if (!first || !cells || !keep) {
        free(first);
        free(cells);
        free(keep);
        free(names);
        errno = ENOMEM;
        return -1;
    }
    size_t row = 0;
    for (size_t c = 0; c < res->n_cells; c++) {
        first[c] = row;
        row += agg_series_rows(&res->cells[c]);
    }
    /* one line per variant, at the last sweep point (the highest load of a load sweep) */
    size_t point = res->n_points ? res->n_points - 1 : 0;
    for (size_t v = 0; v < res->n_variants; v++) cells[v] = agg_cell(res, v, point);
    int n_panels = 0, last_panel = 0;
    for (int p = 0; p < PANELS; p++)
        if ((mask >> p) & 1) n_panels++, last_panel = p;
    int height = n_panels > 2 ? PANEL_HEIGHT * n_panels + 80 : PLOT_HEIGHT;
    int col_t = 2 + (int)res->n_axes;
    char label[600], pt[400] = "";
    for (size_t a = 0; a < res->n_axes && res->n_points > 1; a++) {
        size_t len = strlen(pt);
        snprintf(pt + len, sizeof pt - len, "%s%s = %s", a ? ", " : " (", res->axis_keys[a],
                 agg_axis_text(res, point, a));
    }
    if (pt[0]) strncat(pt, ")", sizeof pt - strlen(pt) - 1);

    head(f, name, title, "timeseries.csv");
    fputs("# One line per variant (colour); panels for the series present. Rows are picked\n"
          "# with every ::FIRST::LAST (data rows of timeseries.csv counted from 0); the\n"
          "# ranges below are those of the last sweep point. A panel with more lines than\n"
          "# fit draws the series with the highest peaks (its key says so); every series is\n"
          "# in timeseries.csv. On a log axis, zeros (an idle queue, a replica caught up) are\n"
          "# drawn on the bottom edge.\n",
          f);
    /* no box: in a multiplot with fixed margins gnuplot overestimates the key width, and
     * a box would reach into the axes; the right-justified text stays at the right edge */
    fputs("set key outside right top nobox\n", f);
    begin_terminals(f, name, height);
    /* room on the right for the widest key: about 0.65 em a character, plus the sample */
    double key_px = 0;
    size_t kept[PANELS] = {0}, in_panel[PANELS] = {0};
    for (int p = 0; p < PANELS; p++) {
        if (!((mask >> p) & 1)) continue;
        in_panel[p] = pick_series(cells, res->n_variants, names, n_names, p, keep, &kept[p]);
        size_t longest = kept[p] < in_panel[p] ? 20 : 0; /* the key's title */
        for (size_t v = 0; v < res->n_variants; v++)
            for (size_t j = 0; j < n_names; j++) {
                if (panel_of(names[j]) != p || !keep[j] || !cell_has_series(cells[v], names[j]))
                    continue;
                size_t len = strlen(res->variant_names[v]);
                if (in_panel[p] > 1) len += 2 + strlen(series_label(names[j]));
                if (len > longest) longest = len;
            }
        double px = (double)longest * 9.0 + 80.0;
        if (px > key_px) key_px = px;
    }
    double right = 1.0 - (key_px + 20.0) / PLOT_WIDTH;
    if (right > 0.80) right = 0.80;
    if (right < 0.55) right = 0.55;
    fprintf(f, "    set multiplot layout %d,1 margins 0.13,%.3f,%.3f,%.3f spacing 0,0.035 title ",
            n_panels, right, 80.0 / height, 1.0 - 50.0 / height);
    snprintf(label, sizeof label, "%s%s", title, pt);
    gp_string(f, label);
    fputs("\n", f);
    for (int p = 0; p < PANELS; p++) {
        if (!((mask >> p) & 1)) continue;
        double lo = INFINITY, hi = 0;
        for (size_t j = 0; j < n_names; j++)
            if (panel_of(names[j]) == p && keep[j]) series_range(cells, res->n_variants, names[j], &lo, &hi);
        fputs("    set ylabel ", f);
        gp_string(f, panels[p].ylabel);
        int logy = p != PANEL_HIT && lo > 0 && hi / lo > 50;
        double floor_y = logy ? pow(10.0, floor(log10(lo))) : 0.0; /* zeros drawn here */
        if (p == PANEL_HIT) fputs("\n    unset logscale y\n    set yrange [0:1]\n", f);
        else if (logy) fprintf(f, "\n    set logscale y 10\n    set yrange [%.6g:*]\n", floor_y);
        else fputs("\n    unset logscale y\n    set yrange [0:*]\n", f);
        if (kept[p] < in_panel[p])
            fprintf(f, "    set key title 'the %zu highest of %zu'\n", kept[p], in_panel[p]);
        else fputs("    set key notitle\n", f);
        if (p == last_panel)
            fputs("    set format x '%g'\n    set xlabel 'simulated time (s)'\n", f);
        else fputs("    set format x ''\n    unset xlabel\n", f);
        int first_el = 1;
        for (size_t v = 0; v < res->n_variants; v++) {
            const results_cell *c = cells[v];
            size_t rows = c ? agg_series_rows(c) : 0;
            if (!rows) continue;
            size_t ci = (size_t)(c - res->cells), k = 0;
            for (size_t j = 0; j < n_names; j++) {
                if (panel_of(names[j]) != p || !keep[j]) continue;
                k++;
                if (!cell_has_series(c, names[j])) continue;
                snprintf(label, sizeof label, "%s", res->variant_names[v]);
                if (in_panel[p] > 1) {
                    size_t len = strlen(label);
                    snprintf(label + len, sizeof label - len, ": %s", series_label(names[j]));
                }
                next_element(f, &first_el);
                int col = col_t + 1 + (int)j;
                if (logy)
                    fprintf(f, "'timeseries.csv' skip 1 every ::%zu::%zu using %d:(valid(%d) && "
                               "$%d <= 0 ? %.6g : $%d) with lines lw 2",
                            first[ci], first[ci] + rows - 1, col_t, col, col, floor_y, col);
                else
                    fprintf(f, "'timeseries.csv' skip 1 every ::%zu::%zu using %d:%d with lines lw 2",
                            first[ci], first[ci] + rows - 1, col_t, col);
                line_style(f, v, k - 1);
                fputs(" title ", f);
                gp_string(f, label);
            }
        }
        fputs("\n", f);
    }
    fputs("    unset multiplot\n", f);
    end_terminals(f);
    free(first);
    free(cells);
    free(keep);
    free(names);
    return 0;
}

/* ---- the list and the writer ---- */

enum plot_kind { PK_CDF, PK_P99, PK_THROUGHPUT, PK_HIT_RATIO, PK_LAG, PK_USL, PK_TIMESERIES };

/* The plots of a metric against the first swept key, drawn when some cell has it. */
static const struct {
    int metric;         /* METRIC_* */
    const char *name;   /* file name before "_vs_<key>" */
    const char *title;  /* title before " vs <key>" */
    const char *ylabel; /* y axis */
    int kind;           /* PK_* */
} sweep_plots[] = {
    {METRIC_LAT_P99, "p99", "p99 latency", "p99 latency (ms)", PK_P99},
    {METRIC_THROUGHPUT, "throughput", "Throughput", "throughput (requests/s)", PK_THROUGHPUT},
    {METRIC_CACHE_HIT_RATIO, "hit_ratio", "Cache hit ratio", "cache hit ratio (share of lookups)",
     PK_HIT_RATIO},
    {METRIC_LAG_P99, "lag", "p99 replication lag", "p99 replication lag (ms)", PK_LAG},
};

/* Fills out[] and kinds[]; returns the count. */
static size_t plan(const results *res, plot_info *out, int *kinds)
{
    size_t n = 0;
    double lo, hi;
    if (has_latency(res)) {
        snprintf(out[n].name, sizeof out[n].name, "latency_cdf");
        snprintf(out[n].title, sizeof out[n].title, "Latency CDF per variant");
        kinds[n++] = PK_CDF;
    }
    if (has_sweep(res)) {
        char key[64];
        safe_name(res->axis_keys[0], key, sizeof key);
        for (size_t k = 0; k < sizeof sweep_plots / sizeof sweep_plots[0]; k++) {
            if (!metric_range(res, sweep_plots[k].metric, &lo, &hi)) continue;
            snprintf(out[n].name, sizeof out[n].name, "%s_vs_%s", sweep_plots[k].name, key);
            snprintf(out[n].title, sizeof out[n].title, "%s vs %.100s", sweep_plots[k].title,
                     res->axis_keys[0]);
            kinds[n++] = sweep_plots[k].kind;
        }
        long axis = usl_axis(res);
        if (axis >= 0) {
            snprintf(out[n].name, sizeof out[n].name, "usl_fit");
            snprintf(out[n].title, sizeof out[n].title, "USL fit of throughput vs %.100s",
                     res->axis_keys[axis]);
            kinds[n++] = PK_USL;
        }
    }
    if (timeseries_panels(res) > 0) {
        snprintf(out[n].name, sizeof out[n].name, "timeseries");
        snprintf(out[n].title, sizeof out[n].title, "Over simulated time, per variant");
        kinds[n++] = PK_TIMESERIES;
    }
    return n;
}

size_t plot_list(const results *res, plot_info *out)
{
    int kinds[PLOT_MAX];
    return plan(res, out, kinds);
}

int plot_write_scripts(const results *res, const char *dir)
{
    plot_info info[PLOT_MAX];
    int kinds[PLOT_MAX];
    size_t n = plan(res, info, kinds);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.gp", dir, info[i].name);
        FILE *f = fopen(path, "w");
        if (!f) {
            output_cannot_write(path, errno);
            return -1;
        }
        int rc = -1;
        errno = 0;
        switch (kinds[i]) {
        case PK_CDF: rc = write_cdf(res, f, info[i].name, info[i].title); break;
        case PK_P99:
        case PK_THROUGHPUT:
        case PK_HIT_RATIO:
        case PK_LAG:
            for (size_t k = 0; k < sizeof sweep_plots / sizeof sweep_plots[0]; k++)
                if (sweep_plots[k].kind == kinds[i])
                    rc = write_sweep(res, f, info[i].name, info[i].title, sweep_plots[k].metric,
                                     sweep_plots[k].ylabel);
            break;
        case PK_USL: rc = write_usl(res, f, info[i].name, info[i].title); break;
        default: rc = write_timeseries(res, f, info[i].name, info[i].title); break;
        }
        int err = errno;
        if (ferror(f) && !rc) rc = -1;
        if (fclose(f) != 0 && !rc) {
            rc = -1;
            err = errno;
        }
        if (rc) {
            output_cannot_write(path, err ? err : EIO);
            return -1;
        }
    }
    return 0;
}
