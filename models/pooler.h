/* pooler.h: a connection pooler in front of a database (kind `pooler`, PgBouncer-like), and
 * the pool of server connections (pooler_conns) it shares with the application-side pool
 * (app_pool.h).
 *
 * The model, step by step:
 *  - Client connections are sessions of users (the request's `user`). A user's session
 *    opens at its first request and closes when `session_time` (drawn at the opening) has
 *    passed and none of its requests is inside the pooler. With the default session_time
 *    of 0 a client connection lasts exactly while its user has requests inside (connect
 *    per burst of work, the way the node counts connections); a longer session_time keeps
 *    idle clients connected, as application servers do.
 *  - max_client_conn: a request that would open a session beyond max_client_conn open
 *    sessions is refused at once (STATUS_REFUSED, counted in stats.refused; the clients
 *    count it as failed). A user whose session is open is never refused.
 *  - CPU: `threads` servers (1 is PgBouncer's single thread), one FCFS queue; every
 *    accepted request takes one `overhead` draw on its way in. Replies pass back without
 *    CPU time. stats.servers = threads, stats.capacity_rate = threads / mean overhead
 *    (0, unknown, when the mean is 0), so a single-threaded pooler is flagged saturated
 *    at 1 / mean overhead requests per second.
 *  - Server connections (pooler_conns below): at most `pool_size` to `next`;
 *    `min_pool_size` are open from the start, the rest are opened lazily, each costing a
 *    `connect_time` delay (backend start and authentication; no CPU of the node) before it
 *    serves. Waiters are served FIFO. Connections are never closed (no idle timeout).
 *  - transaction / statement mode: after its overhead a request takes any idle server
 *    connection or waits for one, holds it until the reply comes back, then releases it.
 *    Each request is one statement in its own transaction here, so the two modes behave
 *    alike; a user's overlapping requests (open arrivals) act as separate clients.
 *  - session mode: a session takes a server connection for its first request and keeps it
 *    until the session closes; its requests use that connection one at a time, in order
 *    (a client connection carries one query at a time). Sessions wait FIFO for a server
 *    connection, so with more sessions than pool_size the late ones wait for earlier
 *    sessions to end: session pooling does not multiplex.
 *  - pool wait: for a request that went to the pool (every request in transaction and
 *    statement mode; the first request of a session in session mode), the time from the
 *    end of its overhead to getting a server connection, connect_time included.
 *  - Node connections: the pooler never has more than pool_size requests downstream, so a
 *    node behind it never sees more than pool_size connections from it.
 *  - Memory: client_conn_memory (2KB, PgBouncer's order of magnitude) per client
 *    connection, reported at the peak number of client connections.
 *  - Placement: the pooler sits in its `region`; the hops to and from it pay the one-way
 *    delays between regions (the engine adds them). connect_time does not include a round
 *    trip to a node in another region: add it when placing them apart.
 *  Not modelled: query/idle timeouts, server_idle_timeout, reserve pools, pooler crashes.
 *
 * Statistics: station_enter / station_leave around the whole stay (arrival to reply, the
 * time downstream included; pooler_frame_enter keeps the arrival time in a frame of the
 * pooler's own, so a request passing a pooler uses one more frame of its return stack),
 * station_busy for the threads. Report values (per pooler):
 * "pool_wait_mean_ms.<name>", "pool_wait_p99_ms.<name>" (absent when no request went to
 * the pool; histogram "pool_wait" merged over poolers), "client_conn_peak.<name>",
 * "client_conn_memory_peak_mb.<name>" (MB = 2^20 bytes), "client_refused.<name>",
 * "server_conn_peak.<name>" (most in use), "server_conn_mean.<name>" (time average in use),
 * "server_conns_open.<name>" (open at the end), "server_conn_opens.<name>" (opened since
 * warm-up); time series "ts.server_conn_<name>" (in use) and "ts.client_conn_<name>".
 */
#ifndef DBSCALE_POOLER_H
#define DBSCALE_POOLER_H

#include <stddef.h>
#include <stdint.h>

#include "sim/dist.h"
#include "sim/histogram.h"
#include "sim/station.h"
#include "sim/tally.h"

/* ---- the server-connection pool ------------------------------------------------------ */

typedef struct pooler_waiter {
    request *r;                /* waiting request */
    double since;              /* when it started waiting (s) */
} pooler_waiter;

typedef struct pooler_conns {
    int64_t size;              /* most connections, open or being opened */
    int64_t open;              /* open connections: idle + in use */
    int64_t opening;           /* connections being opened (connect_time running) */
    int64_t in_use;            /* connections lent to requests (or sessions) */
    uint64_t opens;            /* connections opened lazily since reset */
    pooler_waiter *ring;       /* FIFO of waiters, a ring buffer */
    size_t cap;                /* ring capacity (a power of two, or 0) */
    size_t first;              /* ring index of the oldest waiter */
    size_t waiting;            /* waiters in the ring */
    timeavg use;               /* in_use over time (mean and peak) */
} pooler_conns;

/* Prepares a pool of `size` connections of which `preopened` are open and idle at `now`.
 * Returns 0. O(1); the waiter ring grows on demand. */
int pooler_conns_init(pooler_conns *pc, int64_t size, int64_t preopened, double now);

/* Frees the waiter ring (the waiting requests themselves belong to the simulation). */
void pooler_conns_fini(pooler_conns *pc);

/* r wants a connection at `now`. Returns 1 when it got an idle one (in use from now), 0
 * when it was queued, -1 when the ring could not grow (out of memory; r is not queued).
 * *must_open is set to 1 when the caller must open a connection (call
 * pooler_conns_opened after the connect time), else 0. Amortised O(1). */
int pooler_conns_acquire(pooler_conns *pc, request *r, double now, int *must_open);

/* A connection finished opening at `now`. Returns the oldest waiter, which now holds it
 * (its wait in *wait), or NULL when nobody waits (the connection stays idle). O(1). */
request *pooler_conns_opened(pooler_conns *pc, double now, double *wait);

/* A connection comes back at `now`. Returns the oldest waiter, which now holds it (its
 * wait in *wait), or NULL (the connection goes idle). O(1). */
request *pooler_conns_release(pooler_conns *pc, double now, double *wait);

/* End of warm-up: zero the opens count and restart the time average. O(1). */
void pooler_conns_reset(pooler_conns *pc, double now);

/* ---- residence of a station that waits for downstream ------------------------------- */

/* A request enters st, which will send it downstream and reply when it comes back:
 * pushes a frame of st's own holding the arrival time (downstream stations overwrite
 * r->t_arrive), then station_enter. O(1). */
void pooler_frame_enter(station *st, request *r);

/* The request leaves st: pops that frame, restores r->t_arrive and calls station_leave.
 * The caller replies with sim_reply afterwards. O(1). */
void pooler_frame_leave(station *st, request *r);

/* ---- the pooler station -------------------------------------------------------------- */

enum pooler_mode {
    POOLER_SESSION = 0,        /* a session keeps its server connection */
    POOLER_TRANSACTION = 1,    /* a server connection per transaction (= request) */
    POOLER_STATEMENT = 2,      /* a server connection per statement (= request) */
};

typedef struct pooler_config {
    int mode;                  /* enum pooler_mode */
    int64_t pool_size;         /* most server connections to next */
    int64_t min_pool_size;     /* server connections open from the start */
    int64_t max_client_conn;   /* most client connections (sessions); 0 = unlimited */
    int64_t threads;           /* pooler CPU threads */
    dist overhead;             /* CPU time per request */
    dist connect_time;         /* opening one server connection */
    dist session_time;         /* how long a client stays connected (from its first request) */
    double client_conn_memory; /* bytes per client connection */
    char *next;                /* the station behind the pooler */
    char *region;              /* region the pooler sits in ([regions]) */
} pooler_config;

typedef struct pooler_session {
    uint32_t user;             /* key: the user whose client connection this is */
    uint8_t used;              /* table slot in use */
    uint8_t ending;            /* session time is over: close when no request is inside */
    uint8_t has_conn;          /* session mode: holds a server connection */
    uint8_t conn_busy;         /* session mode: a request is on that connection */
    uint8_t waiting_conn;      /* session mode: its first request waits in the pool */
    int64_t inside;            /* its requests inside the pooler */
    request *head, *tail;      /* session mode: requests waiting for its connection */
} pooler_session;

typedef struct pooler {
    station base;              /* must be first */
    const pooler_config *cfg;  /* = base.config */
    station *next;             /* resolved next link */
    rng overhead_rng;          /* "<name>/overhead": CPU times */
    rng connect_rng;           /* "<name>/connect": connection-open times */
    rng session_rng;           /* "<name>/session": session times */
    pooler_conns conns;        /* server connections */
    int64_t cpu_busy;          /* threads busy */
    request *cpu_head, *cpu_tail; /* FCFS queue for a thread, through request.link */
    int64_t cpu_queued;        /* requests in that queue */
    pooler_session *sessions;  /* open-addressing table of client connections, by user */
    size_t cap_sessions;       /* table size (a power of two) */
    int64_t n_sessions;        /* client connections open */
    timeavg clients;           /* client connections over time (peak for the memory) */
    hist wait;                 /* pool waits since reset (s) */
    uint64_t served;           /* overheads completed since reset */
} pooler;

extern const station_kind pooler_kind;

/* Client connections open (sessions). O(1). */
int64_t pooler_client_connections(const station *pooler);

/* Server connections in use (lent to requests or held by sessions). O(1). */
int64_t pooler_server_connections(const station *pooler);

#endif
