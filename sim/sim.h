/* sim.h: the discrete-event engine.
 *
 * Events are ordered by (time, sequence number), so runs are fully deterministic; the clock
 * never moves backwards (asserted). Event payloads live in a slot array recycled through a
 * free list; the pending-event set (pes.h) holds only 16-byte (time, key) entries. Cancel is
 * O(1) by handle (the entry stays in the heap and is skipped when it surfaces). When a
 * handler schedules right after its event was taken, the new event replaces the heap top
 * in one sift-down.
 *
 * Requests come from a pool capped at `max_in_flight`; when the cap is hit, the run stops
 * with a clear error instead of exhausting memory.
 *
 * The engine knows nothing about databases: it dispatches to stations through their ops
 * vtable (station.h).
 */
#ifndef DBSCALE_SIM_H
#define DBSCALE_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/pes.h"
#include "sim/pool.h"
#include "sim/request.h"
#include "sim/rng.h"

struct station;

/* Event kinds at or above this value are the engine's own. */
/* request.status of a request cut off by a network partition between regions. */
#define SIM_STATUS_UNREACHABLE (-1)
#define SIM_MAX_REGIONS 64
#define SIM_EV_ENGINE 0xFFFF0000u

typedef uint64_t sim_handle;   /* 0 is "no event" */

typedef struct sim_event {
    struct station *target;    /* station whose ops->event runs; NULL for engine events */
    void *ptr;                 /* payload pointer (often a request) */
    uint64_t arg;              /* payload integer */
    uint32_t kind;             /* model-defined kind, or SIM_EV_* */
    uint32_t gen;              /* slot generation, to reject stale handles */
} sim_event;

typedef struct sim_config {
    uint64_t seed;             /* master seed */
    uint64_t replication;      /* replication number, from 0 */
    double   duration;         /* simulated seconds to run (end time) */
    double   warmup;           /* statistics are reset at this time */
    double   sample_interval;  /* time-series interval (s); 0 = no sampling */
    size_t   max_in_flight;    /* cap on live requests */
} sim_config;

/* A timeline action for a station's control op, fired at a given time. */
typedef struct sim_control {
    struct station *target;    /* the station whose control op runs */
    const char *action;        /* "crash", "slow", ... */
    const char *part;          /* part of the station ("primary", "replica.1") or "" */
    double factor;             /* the action's number (slow-down factor) or 0 */
    const char *where;         /* "file:line" of the timeline line, for errors */
} sim_control;

/* Called at every sample interval (time series). */
typedef void (*sim_sample_fn)(void *ctx, double now);

typedef struct sim {
    double now;                /* simulated clock (s) */
    sim_config cfg;            /* run settings */
    pes queue;                 /* pending events */
    sim_event *slots;          /* event payloads indexed by slot */
    uint32_t n_slots, cap_slots; /* slots in use high-water mark, capacity */
    uint32_t free_slot;        /* head of the free slot list, UINT32_MAX when empty */
    uint64_t seq;              /* next event sequence number */
    int top_taken;             /* the heap top was dispatched and may be replaced */
    uint64_t events;           /* events dispatched */
    pool requests;             /* request pool */
    uint64_t next_request_id;  /* ids handed out */
    struct station **stations; /* every station, in creation order */
    size_t n_stations, cap_stations;
    int stopped;               /* sim_stop was called */
    int failed;                /* a model or the engine reported an error */
    char error[256];           /* the error message when failed */
    int warm;                  /* warm-up has ended */
    double *one_way;           /* n_regions x n_regions one-way delays (s), or NULL */
    unsigned char *cut;        /* n_regions x n_regions: 1 where a partition separates them */
    char **region_names;       /* n_regions names (owned) */
    size_t n_regions;          /* regions (0: no regions declared, everything is local) */
    sim_sample_fn on_sample;   /* time-series hook, or NULL */
    void *sample_ctx;          /* its context */
} sim;

/* Prepares an empty simulation. Returns 0, or -1 when out of memory. Cost: O(1). */
int sim_init(sim *s, const sim_config *cfg);

/* Frees every station (their ops->fini), requests and events. */
void sim_fini(sim *s);

/* Schedules an event `delay` >= 0 seconds from now for `target` (NULL only for engine
 * kinds). Returns a handle for sim_cancel. Cost: O(log n). */
sim_handle sim_schedule(sim *s, double delay, struct station *target, uint32_t kind,
                        void *ptr, uint64_t arg);

/* Schedules a timeline action at absolute time `at` (>= now). `c` must outlive the run.
 * When the station refuses the action, the run fails with "WHERE: message". O(log n). */
sim_handle sim_schedule_control(sim *s, double at, const sim_control *c);

/* Cancels a pending event; a handle that already fired or was cancelled is ignored. O(1). */
void sim_cancel(sim *s, sim_handle h);

/* Runs until the end time, sim_stop or a failure. Returns 0, or -1 when failed (message
 * in s->error). Calls every station's reset at the warm-up time. */
int sim_run(sim *s);

/* Stops the run after the current event. */
void sim_stop(sim *s);

/* Marks the run failed with a message (printf-style) and stops it. */
void sim_fail(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A fresh request from the pool (zeroed, id set, t_start = now), or NULL when the
 * in-flight cap is reached (the run is then failed with an explanation). O(1). */
request *sim_request_new(sim *s);

/* Returns a request to the pool. O(1). */
void sim_request_free(sim *s, request *r);

/* Sends r from `from` (which gets the reply) to `to`: arriving now (a direct call of
 * to->ops->arrive), or after the one-way network delay when the two stations sit in
 * different regions (one_way). */
void sim_send(sim *s, struct station *from, struct station *to, request *r);

/* Same, arriving after `delay` seconds (network). */
void sim_send_delayed(sim *s, struct station *from, struct station *to, request *r,
                      double delay);

/* Returns r to the station that sent it (pops its frame and calls that station's
 * ops->reply). The reply is delivered now, or after the one-way network delay between
 * the station holding r and the one receiving the reply. */
void sim_reply(sim *s, request *r);

/* Same, delivered after `delay` seconds. */
void sim_reply_delayed(sim *s, request *r, double delay);

/* Declares the regions: names and the round-trip time matrix (n x n, seconds; one-way
 * delay is half). Returns 0, or -1 when out of memory or n > SIM_MAX_REGIONS. */
int sim_set_regions(sim *s, size_t n, const char *const *names, const double *rtt);

/* Index of a region by name; "" or NULL is region 0; -1 when unknown. O(n). */
int sim_region_index(const sim *s, const char *name);

/* One-way delay between two regions (0 when equal or no regions). O(1). */
double sim_one_way(const sim *s, unsigned a, unsigned b);

/* Cuts (cut = 1) or heals (0) the network between two regions. Requests sent across a
 * cut come back at once with status SIM_STATUS_UNREACHABLE; replies across it arrive with
 * that status (the work was done, the answer is lost). */
void sim_partition(sim *s, unsigned a, unsigned b, int cut);

/* Whether a and b can talk. O(1). */
int sim_reachable(const sim *s, unsigned a, unsigned b);

/* Schedules a partition (cut = 1) or heal (0) between two regions at absolute time at. */
void sim_schedule_partition(sim *s, double at, unsigned a, unsigned b, int cut);

/* Seeds r as the stream "<station name>/<purpose>" of this replication. */
void sim_stream(const sim *s, const struct station *st, const char *purpose, rng *r);

/* Registers a station (its ops->init is called by sim_start). Returns 0 or -1. */
int sim_add_station(sim *s, struct station *st);

/* The station with that name, or NULL. O(n). */
struct station *sim_find_station(const sim *s, const char *name);

/* Calls every station's init in creation order. Returns 0, or -1 (s->error says why). */
int sim_start(sim *s);

/* Requests currently alive. */
size_t sim_in_flight(const sim *s);

/* Engine invariant check: on failure prints file, line, simulated time and aborts. */
#define SIM_ASSERT(s, cond) \
    ((cond) ? (void)0 : sim_assert_fail((s), #cond, __FILE__, __LINE__))
void sim_assert_fail(const sim *s, const char *what, const char *file, int line)
    __attribute__((noreturn));

#endif
