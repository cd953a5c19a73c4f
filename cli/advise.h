/* advise.h: `dbscale advise FILE --slo EXPR`: walks the scaling ladder from the user's
 * scenario and reports the cheapest configurations that meet a service-level objective.
 *
 * The scenario must have one clients station whose `next` leads, through app_pool,
 * pooler and cache stations if any, to a database: a node or a cluster. The ladder, in
 * order, each step keeping the changes of the steps before it that helped:
 *   1 pooler      a transaction-mode pooler in front of the database, pool_size = 2 x the
 *                 cores behind it; when the database refuses connections or runs past
 *                 its USL peak (more connections present than sqrt((1-sigma)/kappa))
 *   2 cache       a cache-aside cache right after the clients, capacity 10% of the keys;
 *                 when reads are at least half the requests
 *   3 replicas    +1, +2, +4 read replicas (a node becomes the primary of a cluster of the
 *                 same nodes; reads go to the replicas); when reads are most of the
 *                 database's work
 *   4 cores       every database node with x2, x4 the cores; when a database node is at
 *                 least 60% busy or refuses requests
 *   5 partitions  range partitions (12, and one per scan window); when scans are most
 *                 of the work, the table has rows and is not partitioned yet
 *   6 shards      a hash router over 2, 4, 8 copies of the database; when the busiest
 *                 primary is at least 80% busy
 * Each candidate is a real scenario: the user's file, included, plus appended sections
 * and keys (printed, and written to OUT/recommended.ini for the winner). It is simulated
 * with a few replications (3 unless told), its duration capped at 60 s, and judged with
 * slo.h (a pass needs the whole 95% CI on the right side). Once a step passes, the
 * earlier kept steps are dropped one at a time when the configuration passes without
 * them, and the later steps are tried instead of the passing one; the passing
 * configurations are listed cheapest first.
 *
 * Cost model: database nodes weighted by their cores over the user's primary's cores
 * (a node like the user's counts 1, one with twice the cores 2), times the shards, plus
 * 0.25 for each pooler and each cache.
 *
 * Exit codes: 0 something passed (or the scenario already meets the SLO), 1 nothing on
 * the ladder did, 64 usage, 65 bad scenario or SLO, 66 missing file, 70 internal error,
 * 73 cannot write recommended.ini. */
#ifndef DBSCALE_ADVISE_H
#define DBSCALE_ADVISE_H

#include <stddef.h>
#include <stdio.h>

typedef struct advise_options {
    const char *file;            /* the user's scenario */
    const char *slo;             /* --slo text, or NULL for the scenario's slo */
    const char *const *sets;     /* --set SECTION.KEY=VALUE overrides of the scenario */
    size_t n_sets;               /* how many */
    const char *out_dir;         /* where recommended.ini goes; NULL: out/advise/<name> */
    int replications;            /* per candidate; 0: 3 */
    double max_duration;         /* cap on the simulated seconds per run; 0: 60 */
} advise_options;

typedef struct advise_outcome {
    int already_meets;           /* the scenario as given met the SLO */
    char first_pass[64];         /* label of the first passing ladder step ("replicas 2"), "" */
    char best[128];              /* what the cheapest passing configuration adds ("cache") */
    double best_cost;            /* its cost (NAN when nothing passed) */
    size_t simulated;            /* configurations simulated, the baseline included */
    size_t passing;              /* of them, how many met the SLO */
    char recommended[4096];      /* path of the recommended.ini written, "" when none */
} advise_outcome;

/* Walks the ladder for o, printing the search space, one line per configuration tried
 * and the recommendation to out (diagnostics of a bad scenario go to stderr); fills *res
 * when given. Returns the exit code (see above). Cost: the simulations, about 6 to 25
 * configurations x replications x the (capped) run length. */
int advise_run(const advise_options *o, FILE *out, advise_outcome *res);

/* The include line's file name for a scenario at `scenario` seen from a file written in
 * directory `dir`: "../" per component of dir, then the path, when both are relative and
 * dir has no ".." part; otherwise the scenario's absolute path. Returns 0, or -1 when it
 * does not fit in n bytes. O(length). */
int advise_include_path(const char *scenario, const char *dir, char *buf, size_t n);

/* `dbscale advise FILE [--slo EXPR] [--set K=V]... [-o DIR] [--replications N]
 * [--max-duration TIME]`: parses the arguments and runs advise_run on stdout. Returns
 * the exit code. */
int advise_command(int argc, char **argv);

#endif
