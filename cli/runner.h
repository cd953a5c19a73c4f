/* runner.h: runs a scenario: every variant x sweep point x replication, spread over
 * processes, with fixed or MSER-5 warm-up and optional precision-driven replications.
 * Results come back in a fixed order, so outputs do not depend on --jobs. */
#ifndef DBSCALE_RUNNER_H
#define DBSCALE_RUNNER_H

#include "cli/results.h"
#include "cli/scenario.h"

typedef struct run_options {
    int jobs;          /* processes (>= 1) */
    int quiet;         /* no progress or warnings on stderr */
    int part_index;    /* --part I/N: this slice (0-based); 0 with part_count 1 = all */
    int part_count;    /* number of slices */
} run_options;

/* Runs one replication of a resolved configuration. Returns 0, or -1 when the run failed
 * (out->failed and out->error say why). */
int runner_run_one(const resolved *rc, uint32_t variant, uint32_t point, uint32_t rep,
                   double warmup, run_result *out);

/* Runs the whole scenario into res. Returns 0, or an exit code (65 when a run failed on the
 * scenario's account, 70 for an internal failure) after printing why. */
int runner_execute(const scenario *sc, const run_options *o, results *res);

#endif
