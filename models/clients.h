/* clients.h: the workload: open arrivals (Poisson, constant) or a closed population of
 * users with think time; a read/write mix; key popularity; users (sessions). Each
 * request's end-to-end latency is recorded here when its reply comes back. */
#ifndef DBSCALE_CLIENTS_H
#define DBSCALE_CLIENTS_H

#include "models/request_codes.h"
#include "sim/dist.h"
#include "sim/histogram.h"
#include "sim/keydist.h"
#include "sim/station.h"

enum clients_arrival { ARRIVAL_POISSON, ARRIVAL_CONSTANT, ARRIVAL_CLOSED };

typedef struct clients_config {
    int arrival;          /* enum clients_arrival */
    double rate;          /* open arrivals: requests per second */
    int64_t population;   /* closed: number of users */
    dist think;           /* closed: think time between a reply and the next request */
    double read_ratio;    /* share of reads */
    keydist keys;         /* key popularity */
    int64_t users;        /* distinct users (sessions) issuing the open arrivals */
    int64_t limit;        /* stop creating requests after this many (0 = no limit) */
    char *next;           /* first station */
} clients_config;

typedef struct clients {
    station base;             /* must be first */
    const clients_config *cfg; /* = base.config */
    station *next;            /* resolved first station */
    rng arrivals_rng;         /* "<name>/arrivals": inter-arrival and think times */
    rng mix_rng;              /* "<name>/mix": read or write */
    rng keys_rng;             /* "<name>/keys": which key */
    rng users_rng;            /* "<name>/users": which user */
    keydist keys;             /* working copy (latest() advances) */
    double mean_gap;          /* 1 / rate */
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
