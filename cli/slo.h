/* slo.h: service-level objectives such as "p99 < 20ms", judged against a 95% CI.
 *
 * Syntax: one or more clauses joined by ',' or 'and'; a clause is METRIC < VALUE or
 * METRIC > VALUE. METRIC is mean, p50, p95, p99 or p999 (end-to-end latency, all
 * operations) or any summary.csv metric column (read_latency_p99_ms, throughput,
 * stale_read_ratio, ...). VALUE carries the unit of the metric: a duration for the
 * *_ms columns (20ms, 1.5s), a rate for throughput (5k/s), a fraction or percentage for
 * ratios (0.9, 90%), a plain number for counts.
 *
 * A clause passes when the whole confidence interval is on the right side of the value,
 * fails when the whole interval is on the wrong side (the bound touching the value
 * counts as wrong), and is uncertain when the interval straddles it. */
#ifndef DBSCALE_SLO_H
#define DBSCALE_SLO_H

#include <stddef.h>

#include "sim/confidence.h"

#define SLO_MAX_CLAUSES 8 /* clauses in one objective */

typedef struct slo_clause {
    int metric;      /* metric id (metrics.h) */
    int above;       /* 0: METRIC < VALUE; 1: METRIC > VALUE */
    double value;    /* threshold in the column's unit (ms, per second, fraction, count) */
    char text[96];   /* the clause as written, trimmed */
} slo_clause;

typedef struct slo {
    slo_clause c[SLO_MAX_CLAUSES]; /* clauses, all to be met */
    size_t n;                      /* how many */
} slo;

typedef enum slo_verdict {
    SLO_PASS,      /* the interval lies on the right side */
    SLO_UNCERTAIN, /* the interval straddles the value */
    SLO_FAIL,      /* the interval lies on the wrong side */
    SLO_NO_DATA    /* the metric was not produced */
} slo_verdict;

/* Parses text into *out. Returns 0, or -1 with a message in err (lower-case, quoting the
 * culprit, e.g. "unknown metric 'p98' in 'p98 < 20ms' (expected mean, p50, p95, p99,
 * p999 or a summary column such as latency_p99_ms)"). O(strlen(text) x metrics). */
int slo_parse(const char *text, slo *out, char *err, size_t errlen);

/* Verdict of one clause for the mean and CI v of its metric. Without a half-width (one
 * replication) the mean alone decides between pass and fail. O(1). */
slo_verdict slo_judge(const slo_clause *c, ci v);

/* The verdict of two clauses together (both must hold): fail when either fails, else
 * no data when either lacks its metric, else the worse of pass and uncertain. O(1). */
slo_verdict slo_worse(slo_verdict a, slo_verdict b);

/* "pass", "uncertain (CI straddles the target)", "fail", "no data". O(1). */
const char *slo_verdict_text(slo_verdict v);

#endif
