/* cluster_impl.h: what cluster.c (requests, WAL, confirmations) and cluster_control.c
 * (crashes, failover, added replicas) share. Not for other modules: use cluster.h. */
#ifndef DBSCALE_CLUSTER_IMPL_H
#define DBSCALE_CLUSTER_IMPL_H

#include "models/cluster.h"

/* The cluster's own event kinds. */
enum {
    CLUSTER_EV_ACK = 1,       /* a confirmation reaches the primary: ptr = replica */
    CLUSTER_EV_TIMEOUT = 2,   /* semi-sync timeout of the oldest waiting write */
    CLUSTER_EV_FAILOVER = 3,  /* failover_delay after a primary crash: choose a replica */
    CLUSTER_EV_PROMOTE = 4,   /* the chosen replica has applied everything: promote it */
};

/* The request leaves the cluster: its statistics, then the reply to its sender. */
void cluster_finish(cluster *c, request *r);

/* Same with status STATUS_FAILED. */
void cluster_fail(cluster *c, request *r);

/* Sends r to the primary, or handles the outage (fail or hold) when it is down. */
void cluster_to_primary(cluster *c, request *r);

/* Attaches a replica served by `node` (NULL: a new node "<name>.replica.<next>"),
 * starting from the current committed state. Returns it, or NULL (the run is failed). */
cluster_replica *cluster_attach(cluster *c, station *node);

/* Releases the waiting writes the replicas' confirmations now cover; arms the semi-sync
 * timer. */
void cluster_release(cluster *c);

/* Control op (cluster_control.c) and its events. */
int cluster_control(station *st, const char *action, const char *part, double factor,
                    char *err, size_t errlen);
void cluster_failover_decide(cluster *c);
void cluster_promote(cluster *c);

/* Called when a replica made a record visible: completes a pending promotion. */
void cluster_promotion_check(cluster *c, cluster_replica *rep);

#endif
