/* app_pool.h: application-side connection pools (kind `app_pool`, HikariCP-like): the
 * first tier of multi-tier pooling, clients -> app_pool -> pooler -> node.
 *
 * The model: `app_servers` application servers, each with its own pool of at most
 * `app_pool` connections to `next`. A request goes to app server (user mod app_servers),
 * so a user always uses the same server (round-robin over users). There it takes an idle
 * connection; when none is idle it waits (FIFO per app server), and while the server's
 * pool may still grow a connection is opened for it, costing `connect_time`
 * (`min_app_pool` per server are open from the start). The connection is held until the
 * reply comes back, then handed to the oldest waiter or left idle. Connections are never
 * closed (no idle timeout) and waits never time out. The pool logic is pooler_conns
 * (pooler.h), shared with the pooler's server connections.
 *
 * The application servers sit in `region`; hops to and from them pay the one-way delays
 * between regions (the engine adds them).
 *
 * Downstream therefore sees at most app_servers x app_pool requests at once. A pooler
 * behind an app_pool counts its client connections by user (pooler.h), so with its default
 * session_time of 0 it sees as many client connections as app connections are in use.
 *
 * Statistics: station_enter / station_leave around the whole stay (through
 * pooler_frame_enter / pooler_frame_leave, which keep the arrival time in a frame of the
 * station's own); stats.servers =
 * app_servers x app_pool and station_busy counts connections in use, so utilisation is
 * the share of all connections in use (stats.capacity_rate stays 0: it depends on
 * downstream). Report values: "app_pool_wait_mean_ms.<name>", "app_pool_wait_p99_ms.<name>"
 * (histogram "app_pool_wait"), "app_conn_peak.<name>" (most in use at once),
 * "app_conns_open.<name>" (open at the end, all servers), "app_conn_opens.<name>" (opened
 * since warm-up); time series "ts.app_conn_<name>" (in use).
 */
#ifndef DBSCALE_APP_POOL_H
#define DBSCALE_APP_POOL_H

#include <stdint.h>

#include "models/pooler.h"
#include "sim/dist.h"
#include "sim/histogram.h"
#include "sim/station.h"

typedef struct app_pool_config {
    int64_t app_servers;       /* application servers */
    int64_t app_pool;          /* most connections per application server */
    int64_t min_app_pool;      /* connections per server open from the start */
    dist connect_time;         /* opening one connection */
    char *next;                /* where the connections lead */
    char *region;              /* region the application servers sit in ([regions]) */
} app_pool_config;

typedef struct app_pool {
    station base;              /* must be first */
    const app_pool_config *cfg; /* = base.config */
    station *next;             /* resolved next link */
    rng connect_rng;           /* "<name>/connect": connection-open times */
    pooler_conns *pools;       /* one pool per application server */
    int64_t in_use;            /* connections in use, all servers */
    hist wait;                 /* waits for a connection since reset (s) */
} app_pool;

extern const station_kind app_pool_kind;

/* Connections in use on application server k (0 <= k < app_servers). O(1). */
int64_t app_pool_in_use(const station *app_pool, int64_t k);

/* Connections open on application server k. O(1). */
int64_t app_pool_open(const station *app_pool, int64_t k);

#endif
