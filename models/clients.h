/* clients.h: the workload: open arrivals (Poisson or constant at a rate or a rate
 * profile, bursty MMPP, trace replay; arrivals.h, trace.h) or a closed population of
 * users with think time; a read/write/scan mix; key popularity; users (sessions). Each
 * request's end-to-end latency is recorded here when its reply comes back.
 *
 * Semantics:
 * - Mix: one uniform u per request: read when u < read_ratio, scan when u < read_ratio +
 *   scan_ratio, else write (read_ratio + scan_ratio <= 1 is checked).
 * - Keys: one draw from `keys` per request. Under latest(N) a write is an INSERT: its key
 *   is newest + 1, and keydist_note_insert makes it the newest, so reads that follow
 *   favour it (YCSB workload D). The draw is still taken, so the key stream stays
 *   aligned with the request count.
 * - Users: an open arrival picks a user uniformly from 0..users-1; a closed user is its
 *   own id 0..population-1; a trace row's user column wins when present.
 * - Regions: every request carries region 0 for now.
 * - Common random numbers: one stream per purpose, "<name>/arrivals", "/mix", "/keys",
 *   "/users", "/think", "/burst", so changing e.g. read_ratio moves no arrival time.
 * - limit: no more requests after that many, whatever the arrival process. */
#ifndef DBSCALE_CLIENTS_H
#define DBSCALE_CLIENTS_H

#include "models/arrivals.h"
#include "models/request_codes.h"
#include "models/trace.h"
#include "sim/dist.h"
#include "sim/histogram.h"
#include "sim/keydist.h"
#include "sim/station.h"

typedef struct clients_config {
    int arrival;          /* enum clients_arrival */
    double rate;          /* open arrivals: requests per second (mmpp: calm state) */
    rate_profile profile; /* poisson/constant: rate over time, replaces rate when set */
    double burst_rate;    /* mmpp: requests per second in the burst state */
    double burst_time;    /* mmpp: mean sojourn in the burst state (s) */
    double calm_time;     /* mmpp: mean sojourn in the calm state (s) */
    trace_file trace;     /* trace: the CSV file replayed */
    int64_t population;   /* closed: number of users */
    dist think;           /* closed: think time between a reply and the next request */
    double read_ratio;    /* share of reads */
    double scan_ratio;    /* share of scans (writes are the rest) */
    keydist keys;         /* key popularity */
    int64_t users;        /* distinct users (sessions) issuing the open arrivals */
    int64_t limit;        /* stop creating requests after this many (0 = no limit) */
    char *next;           /* first station */
    char *region;         /* region the users sit in ([regions]); requests carry it */
} clients_config;

typedef struct clients {
    station base;             /* must be first */
    const clients_config *cfg; /* = base.config */
    station *next;            /* resolved first station */
    rng arrivals_rng;         /* "<name>/arrivals": open arrival times */
    rng mix_rng;              /* "<name>/mix": read, scan or write */
    rng keys_rng;             /* "<name>/keys": which key */
    rng users_rng;            /* "<name>/users": which user */
    rng think_rng;            /* "<name>/think": closed users' think times */
    rng burst_rng;            /* "<name>/burst": mmpp state changes */
    keydist keys;             /* working copy (latest() advances) */
    arrivals open;            /* poisson, constant, mmpp: the arrival process */
    trace_reader *trace;      /* trace: the open file, NULL before init and at its end */
    trace_record pending;     /* trace: the row whose arrival is scheduled */
    uint64_t created;         /* requests created in the whole run */
    uint64_t completed;       /* replies since reset with status ok */
    uint64_t failed;          /* replies since reset with a failure status */
    hist latency[OP_COUNT];   /* end-to-end latency per op since reset (s) */
    hist latency_all;         /* all ops */
    hist interval;            /* latency in the current time-series interval */
    int sampling;             /* time series are being recorded */
    uint64_t completed_total; /* ok replies in the whole run */
    uint64_t completed_at_sample; /* completed_total at the previous sample */
} clients;

extern const station_kind clients_kind;

#endif
