/* output.h: the files of a finished run (DESIGN.md "Outputs", docs/outputs.md).
 *
 * output_write puts summary.csv, replications.csv, stations.csv, timeseries.csv,
 * latency.csv, regions.csv, station_metrics.csv, capacity.csv (capacity.h), the gnuplot
 * scripts (plot.h), their PNG/SVG plots and report.md
 * (report_md.h) into a fresh temporary directory next to the target, then renames it into
 * place: a failed run never leaves half a result, and a previous run's directory is
 * replaced whole.
 *
 * CSV conventions (a contract with users' scripts): plain RFC 4180 CSV with one header
 * row and no comment lines; numbers in the shortest text that reads back to the same
 * double (%.15g, %.16g or %.17g, "C" formatting whatever the locale); NAN as an empty
 * field; text fields quoted only when they hold a comma, a double quote or a line break. */
#ifndef DBSCALE_OUTPUT_H
#define DBSCALE_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "cli/results.h"

#define OUTPUT_EXIT_CANNOT_WRITE 73 /* exit code: cannot write output */
#define OUTPUT_EXIT_INTERNAL 70     /* exit code: internal error (a plot script failed) */

/* Writes every output of res into `dir` (parents created as needed): files go to a
 * directory made by mkdtemp("<dir>.tmp-XXXXXX"), plots are drawn there when `plots` is
 * set (gnuplot missing is not an error; `quiet` silences that hint), then an existing
 * `dir` is renamed aside, the new one renamed into place and the old one removed.
 * Returns 0; 73 after printing "dbscale: cannot write 'PATH': reason" (the temporary
 * directory removed, an existing `dir` left as it was); 70 when a plot script failed
 * (its stderr printed; the outputs are in place all the same).
 * Cost: O(cells x (replications x (metrics + stations^2 + series) + HIST_BINS)) plus
 * the gnuplot runs. */
int output_write(const results *res, const char *dir, int plots, int quiet);

/* The five CSV files, each written whole to f. Return 0, or -1 when out of memory or
 * when f reports a write error (errno set). Cost: O(rows x columns), plus
 * O(cells x replications x HIST_BINS) for latency.csv. */
int output_write_summary(const results *res, FILE *f);
int output_write_replications(const results *res, FILE *f);
int output_write_stations(const results *res, FILE *f);
int output_write_timeseries(const results *res, FILE *f);
int output_write_latency(const results *res, FILE *f);
int output_write_regions(const results *res, FILE *f);
int output_write_station_metrics(const results *res, FILE *f);

/* Prints "dbscale: cannot write 'PATH': strerror(err)" to stderr. O(1). */
void output_cannot_write(const char *path, int err);

#define OUTPUT_NUMBER_MAX 32 /* buffer size that fits any output_format_number text */

/* Writes v into buf as the shortest of %.15g, %.16g, %.17g that strtod reads back as
 * exactly v ("0.1", "0.33333333333333331", "inf"); "" for NAN. Returns the length, or
 * -1 when n is too small (n >= OUTPUT_NUMBER_MAX always suffices). O(1). */
int output_format_number(double v, char *buf, size_t n);

/* Writes one CSV text field to f, in double quotes (inner quotes doubled) only when it
 * holds ',', '"', CR or LF. Returns 0, or -1 on a write error. O(strlen(s)). */
int output_csv_text(FILE *f, const char *s);

/* Writes one CSV number field (output_format_number; NAN -> empty). Returns 0 or -1. */
int output_csv_number(FILE *f, double v);

/* Swept-key fields of a row: ",VALUE" per axis: the number in the axis's base unit when
 * every value of the axis has a unit or is a number (aggregate.h), else the text as
 * written. Returns 0 or -1. O(axes x points). */
int output_csv_axes(const results *res, size_t point, FILE *f);

#endif
