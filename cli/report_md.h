/* report_md.h: report.md, the human summary of a run: the scenario and its settings, the
 * variants side by side (mean ± 95% CI, with units), the SLO verdicts, saturated stations
 * (loudly), the plots and the scenario file itself. */
#ifndef DBSCALE_REPORT_MD_H
#define DBSCALE_REPORT_MD_H

#include <stdio.h>

#include "cli/results.h"

/* Writes report.md for res to f. Returns 0, or -1 when out of memory or f reports a
 * write error (errno set). O(cells x (replications x (metrics + stations^2)) + the
 * plot list (plot.h) + the scenario text). */
int report_md_write(const results *res, FILE *f);

#endif
