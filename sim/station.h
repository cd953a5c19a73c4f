/* station.h: the station base struct, its ops vtable and the station kind.
 *
 * A model embeds `station` as the first member of its own struct and fills a
 * `station_kind` (name, option table, config size, ops) with designated initialisers.
 * The engine dispatches through `ops`; a model switches on its own event kinds.
 * The generic statistics here (time-weighted number present, busy servers, residence
 * time, counts) give every station utilisation, mean queue length, mean wait and
 * throughput, and let Little's law be checked on every station.
 */
#ifndef DBSCALE_STATION_H
#define DBSCALE_STATION_H

#include <stddef.h>
#include <stdint.h>

#include "sim/options.h"
#include "sim/request.h"
#include "sim/sim.h"
#include "sim/tally.h"

struct station;
struct report;

typedef struct station_ops {
    int  (*init)(struct station *st);     /* links resolved, streams seeded; 0 or -1 (sim_fail) */
    void (*arrive)(struct station *st, request *r);   /* a request arrives */
    void (*reply)(struct station *st, request *r);    /* a reply comes back from downstream */
    void (*event)(struct station *st, const sim_event *ev); /* one of the station's own timers */
    void (*reset)(struct station *st);    /* end of warm-up: zero the model's own statistics */
    void (*report)(struct station *st, struct report *out); /* end of run: give metrics */
    void (*sample)(struct station *st, struct report *out); /* end of a time-series interval */
    /* A timeline action ("crash", "recover", "slow", "add-replica", ...) on the station or
     * one of its parts (`part`: "" for the station itself, e.g. "primary", "replica.1");
     * `factor` is the action's number (slow-down factor) or 0. Returns 0, or -1 with a
     * message in err when the station does not support it. */
    int (*control)(struct station *st, const char *action, const char *part, double factor,
                   char *err, size_t errlen);
    void (*fini)(struct station *st);     /* free what init allocated */
} station_ops;

typedef struct station_kind {
    const char *name;          /* type name in scenario files, e.g. "server" */
    const char *summary;       /* one line for `dbscale help` */
    const opt_def *options;    /* option table, ended by a NULL name */
    size_t config_size;        /* bytes of the kind's config struct */
    size_t station_size;       /* bytes of the model's station struct (embeds station first) */
    const station_ops *ops;    /* behaviour */
    /* Timeline actions the kind's control op accepts ("crash", "slow", ...), ended by
     * NULL; NULL when it takes none. Checked when a scenario is loaded. */
    const char *const *actions;
    /* Placement: when `placed`, the config has a `char *region` at region_offset (the
     * STATION_REGION_ROW of its option table), naming a region of [regions]. */
    int placed;
    size_t region_offset;
    /* Cross-field checks after parsing (optional): 0, or -1 with a message. */
    int (*validate)(const void *config, char *err, size_t errlen);
} station_kind;

typedef struct station_stats {
    timeavg present;           /* requests in the station (queue + service) */
    timeavg busy;              /* servers busy */
    tally residence;           /* seconds from arrival to departure */
    uint64_t arrivals;         /* requests arrived since reset */
    uint64_t departures;       /* requests departed since reset */
    uint64_t refused;          /* requests refused (capacity, connections) since reset */
    double servers;            /* service capacity, for utilisation (0 = not a server) */
    double capacity_rate;      /* most departures per second it can sustain (0 = unknown) */
    double present_at_reset;   /* requests present at the last reset */
    double t_reset;            /* when the measured period began for this station (the
                                  warm-up end, or its creation if later) */
} station_stats;

typedef struct station {
    const station_kind *kind;  /* what it is */
    const station_ops *ops;    /* kind->ops, cached */
    char *name;                /* name as in the scenario (owned) */
    uint32_t id;               /* index in the simulation */
    uint16_t region;           /* region index (network delays between regions, sim.h) */
    int hidden;                /* a template cloned by another station: left out of outputs */
    int reached_directly;      /* requests reach it by links, not only as a template (set by
                                  the builder before init; a template then stays visible) */
    int region_per_request;    /* requests carry their own region (clients in several) */
    sim *sim;                  /* the simulation it belongs to */
    void *config;              /* parsed options (owned; released at fini) */
    station_stats stats;       /* generic statistics */
} station;

/* Allocates a station of `kind` named `name` with a deep copy of `config` and registers it
 * in s. Returns the station, or NULL when out of memory. */
station *station_new(sim *s, const station_kind *kind, const char *name, const void *config);

/* Frees a station (calls ops->fini, releases its config). */
void station_free(station *st);

/* Generic statistics, called by models: a request enters / leaves the station. O(1). */
void station_enter(station *st, request *r);
void station_leave(station *st, request *r);

/* Busy servers change by delta (+1 / -1). O(1). */
void station_busy(station *st, int delta);

/* Resets the generic statistics (end of warm-up), keeping current levels. */
void station_stats_reset(station *st);

/* Utilisation (busy / servers), mean number present, mean residence, throughput, over the
 * measured period ending now. NAN where not defined. */
double station_utilisation(const station *st);
double station_mean_present(const station *st);
double station_mean_residence(const station *st);
double station_throughput(const station *st);

/* Requests per second by which the number present grew since the reset (a queue that
 * grows without bound shows a steady positive growth; a stable one about 0). */
double station_backlog_growth(const station *st);

/* Arrival rate over capacity_rate (>= 1 means saturated: the queue grows without bound);
 * NAN when the capacity is unknown. */
double station_offered_load(const station *st);

#endif
