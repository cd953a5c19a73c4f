/* request.h: a request flowing through the stations.
 *
 * A workload creates a request and sends it downstream through `next` links; each hop
 * pushes a frame (the station that expects the reply, and when the request left it), so
 * the response flows back the same way. The engine treats `op`, `key`, `user`, `region`
 * and `lsn` as opaque; models give them meaning. Requests come from a free-list pool.
 */
#ifndef DBSCALE_REQUEST_H
#define DBSCALE_REQUEST_H

#include <stdint.h>

struct station;

#define REQUEST_MAX_DEPTH 14   /* hops a request can be nested (client->pooler->cache->...) */

typedef struct request_frame {
    struct station *station;   /* where the reply goes */
    double t_sent;             /* when the request was sent from that station */
} request_frame;

typedef struct request {
    struct request *link;      /* intrusive queue link, owned by the station holding it */
    struct request *parent;    /* fan-out: the request this one is a part of, or NULL */
    struct station *at;        /* station holding it now (for network delays of replies) */
    uint64_t id;               /* sequence number within the run, from 1 */
    uint64_t key;              /* data item addressed */
    uint64_t lsn;              /* WAL position: assigned at commit, or required by a read */
    double   t_start;          /* creation time (seconds) */
    double   t_arrive;         /* arrival time at the station currently holding it */
    uint64_t version_seen;     /* model data: version a read observed */
    uint32_t user;             /* user / session id */
    uint32_t pending;          /* fan-out: children still outstanding */
    uint16_t region;           /* region of origin */
    uint8_t  op;               /* operation code, defined by the models */
    uint8_t  depth;            /* frames in use */
    int32_t  status;           /* 0 ok; models define failure codes (refused, failed, ...) */
    uint32_t flags;            /* model flags */
    uint64_t tag;              /* model data carried along (e.g. origin station index) */
    request_frame stack[REQUEST_MAX_DEPTH]; /* return path */
} request;

#endif
