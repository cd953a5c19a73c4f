/* server.h: the generic queueing station used for validation: c identical servers,
 * one FCFS queue, any service-time distribution, an optional capacity limit (requests
 * beyond it are refused), and an optional `next` station (tandem networks). */
#ifndef DBSCALE_SERVER_H
#define DBSCALE_SERVER_H

#include "sim/dist.h"
#include "sim/station.h"
#include "sim/tally.h"

typedef struct server_config {
    int64_t servers;   /* parallel servers (c) */
    dist service;      /* service time per request */
    int64_t capacity;  /* most requests present (queue + service); 0 = unlimited */
    char *next;        /* station served requests go to, or NULL to reply */
    char *region;      /* region ([regions]) */
} server_config;

typedef struct server {
    station base;        /* must be first */
    const server_config *cfg; /* = base.config */
    station *next;       /* resolved next link, or NULL */
    rng service_rng;     /* stream "<name>/service" */
    request *head, *tail; /* FCFS queue */
    int64_t queued;      /* requests waiting */
    int64_t busy;        /* servers busy */
    tally wait;          /* queueing delay (s) of requests that started service since reset */
} server;

extern const station_kind server_kind;

/* Mean queueing delay measured since the warm-up reset (seconds). */
double server_mean_wait(const station *st);

#endif
