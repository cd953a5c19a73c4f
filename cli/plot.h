/* plot.h: gnuplot scripts for a run's plots, and drawing them.
 *
 * Each plot is a script NAME.gp written next to the CSV it reads, runnable by hand
 * (`cd DIR && gnuplot NAME.gp`) and meant to be restyled; it draws NAME.png (pngcairo)
 * and NAME.svg. The plots:
 *   latency_cdf        CDF of end-to-end latency per variant (log x, ms), from latency.csv
 *   p99_vs_KEY         p99 latency against the first swept key, per variant, CI error bars
 *   throughput_vs_KEY  throughput against the first swept key, idem (both from summary.csv)
 *   usl_fit            throughput against the load axis (capacity.h) with CI error bars and
 *                      the fitted Universal Scalability Law curves, when a fit exists
 *   timeseries         throughput, p99, queue lengths, replication lag and cache hit ratio
 *                      over simulated time, per variant (panels for the series present)
 * A plot whose data is all empty is not written. */
#ifndef DBSCALE_PLOT_H
#define DBSCALE_PLOT_H

#include <stddef.h>

#include "cli/results.h"

#define PLOT_MAX 7 /* plots a run can have */

typedef struct plot_info {
    char name[96];   /* script and image name without extension, e.g. "p99_vs_app.rate" */
    char title[160]; /* what it shows, e.g. "p99 latency vs app.rate" */
} plot_info;

/* The plots plot_write_scripts writes for res, in a fixed order, into out[PLOT_MAX].
 * Returns their number. O(cells x replications x HIST_BINS). */
size_t plot_list(const results *res, plot_info *out);

/* Writes the scripts of plot_list into dir (which holds, or will hold, the CSVs).
 * Returns 0, or -1 after printing "dbscale: cannot write 'PATH': reason".
 * O(cells x (replications x series + HIST_BINS)). */
int plot_write_scripts(const results *res, const char *dir);

/* Runs gnuplot (found on PATH) on every *.gp in dir, in name order, with dir as the
 * working directory. Returns 0 when all drew (or gnuplot is not installed: then one line
 * says how to install it, unless quiet); 70 when a script failed (its stderr printed);
 * 66 when dir cannot be read. Cost: the gnuplot runs (about 0.1-0.5 s each). */
int plot_run(const char *dir, int quiet);

#endif
