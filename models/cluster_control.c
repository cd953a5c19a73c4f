/* cluster_control.c: timeline actions on a cluster: crashes, recoveries, slow-downs, added
 * replicas, and the failover they set off (choice, lost writes, promotion). */
#include "models/cluster_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PART_ALL, PART_PRIMARY, PART_REPLICA };

/* Sends the requests held during an outage to the (new) primary. */
static void flush_waiting(cluster *c)
{
    request *r = c->wait_head;
    c->wait_head = c->wait_tail = NULL;
    while (r) {
        request *next = r->link;
        r->link = NULL;
        cluster_to_primary(c, r);
        r = next;
    }
}

static void feed_all(cluster *c, int on)
{
    for (size_t i = 0; i < c->n_reps; i++)
        if (c->reps[i]->wal->attached) wal_replica_feed(c->reps[i]->wal, on);
}

static int note_unacked(cluster *c, uint64_t lsn)
{
    if (c->n_unacked == c->cap_unacked) {
        size_t cap = c->cap_unacked ? 2 * c->cap_unacked : 64;
        uint64_t *g = realloc(c->unacked, cap * sizeof *g);
        if (!g) return -1;
        c->unacked = g;
        c->cap_unacked = cap;
    }
    c->unacked[c->n_unacked++] = lsn;
    return 0;
}

static void crash_primary(cluster *c)
{
    sim *s = c->base.sim;
    if (c->primary_down) return;
    c->primary_down = 1;
    c->decided = 0;
    c->n_unacked = 0;
    /* The link delay stands for the whole shipping path, most of it on the primary (WAL
     * sender wake-up, batching, buffers): what a replica has not received is gone. */
    for (size_t i = 0; i < c->n_reps; i++) {
        if (!c->reps[i]->wal->attached) continue;
        wal_replica_feed(c->reps[i]->wal, 0);
        wal_replica_cut(c->reps[i]->wal);
    }
    sim_cancel(s, c->timeout_event);
    c->timeout_event = 0;
    /* Writes waiting for confirmations were never acknowledged: they fail. */
    request *r;
    while ((r = syncrep_pop_upto(&c->sync, UINT64_MAX))) {
        if (note_unacked(c, r->lsn) != 0) sim_fail(s, "station '%s': out of memory", c->base.name);
        cluster_fail(c, r);
    }
    node_crash(c->primary);
    int candidates = 0;
    for (size_t i = 0; i < c->n_reps; i++) candidates |= c->reps[i]->wal->attached;
    if (candidates)
        c->failover_event = sim_schedule(s, c->cfg->failover_delay, &c->base, CLUSTER_EV_FAILOVER,
                                         NULL, 0);
}

/* Rolls the committed versions back to what LSN `keep` holds, counts the acknowledged
 * writes above it as lost, and drops them from the WAL. */
static void discard_above(cluster *c, uint64_t keep)
{
    sim *s = c->base.sim;
    uint64_t head = c->wal.head;
    if (head <= keep) return;
    uint64_t unacked = 0;
    for (size_t i = 0; i < c->n_unacked; i++)
        if (c->unacked[i] > keep && c->unacked[i] <= head) unacked++;
    c->lost_writes += head - keep - unacked;
    /* Newest first, so each key ends at the version before its oldest lost write; its commit
     * time and writer are looked up below (NAN marks "to find"). */
    for (uint64_t lsn = head; lsn > keep; lsn--) {
        const wal_record *rec = wal_log_get(&c->wal, lsn);
        SIM_ASSERT(s, rec != NULL);
        keystate_set(&c->keys, rec->slot, rec->version - 1, NAN, 0);
    }
    for (uint64_t lsn = c->wal.first; lsn <= keep; lsn++) {
        const wal_record *rec = wal_log_get(&c->wal, lsn);
        if (rec && isnan(c->keys.commit_time[rec->slot]) && c->keys.version[rec->slot] == rec->version)
            keystate_set(&c->keys, rec->slot, rec->version, rec->commit_time, rec->user);
    }
    /* Versions older than the kept WAL: every replica has them, so their age never counts. */
    for (uint64_t lsn = head; lsn > keep; lsn--) {
        const wal_record *rec = wal_log_get(&c->wal, lsn);
        if (isnan(c->keys.commit_time[rec->slot]))
            keystate_set(&c->keys, rec->slot, c->keys.version[rec->slot], 0.0, 0);
    }
    wal_log_truncate(&c->wal, keep);
    routing_clamp(&c->routing, keep);
}

void cluster_failover_decide(cluster *c)
{
    sim *s = c->base.sim;
    if (!c->primary_down || c->decided) return;
    cluster_replica *best = NULL;
    for (size_t i = 0; i < c->n_reps; i++) {
        cluster_replica *rep = c->reps[i];
        if (!rep->wal->attached || !rep->wal->up) continue;
        if (!best || rep->wal->received > best->wal->received) best = rep;
    }
    if (!best) return; /* no replica up: decided when one recovers */
    c->decided = 1;
    c->promoting = best;
    uint64_t keep = best->wal->received;
    discard_above(c, keep);
    for (size_t i = 0; i < c->n_reps; i++) {
        cluster_replica *rep = c->reps[i];
        if (!rep->wal->attached) continue;
        wal_replica_cut(rep->wal);
        if (rep->acked > keep) rep->acked = keep;
        if (rep->wal->received > keep) {
            /* A crashed replica holding WAL the new primary lacks is re-cloned (as
             * pg_rewind or a new base backup would), instantly. */
            keyview view;
            keyview_init(&view);
            if (keyview_copy_committed(&view, &c->keys) != 0) {
                sim_fail(s, "station '%s': out of memory", c->base.name);
                return;
            }
            wal_replica_restart(rep->wal, keep, &view);
            rep->in_sync = 0;
        }
    }
    cluster_promotion_check(c, best);
}

void cluster_promotion_check(cluster *c, cluster_replica *rep)
{
    if (c->promoting != rep || c->promote_event) return;
    if (rep->wal->visible < rep->wal->received) return;
    /* Promote from an event of its own, not from inside the replica's apply handler. */
    c->promote_event = sim_schedule(c->base.sim, 0.0, &c->base, CLUSTER_EV_PROMOTE, NULL, 0);
}

void cluster_promote(cluster *c)
{
    sim *s = c->base.sim;
    cluster_replica *rep = c->promoting;
    if (!rep) return;
    SIM_ASSERT(s, rep->wal->visible == c->wal.head);
    c->promoting = NULL;
    rep->wal->attached = 0;
    c->old_primary = c->primary;
    c->primary = rep->node;
    c->primary_down = 0;
    c->decided = 0;
    c->term++;
    c->failovers++;
    c->n_unacked = 0;
    /* The primary's region moves with it: the WAL now leaves from there, and writes are
     * committed there. */
    for (size_t i = 0; i < c->n_reps; i++)
        if (c->reps[i]->wal->attached) wal_replica_set_source(c->reps[i]->wal, c->primary->region);
    if (c->commit) c->commit->region = c->primary->region;
    feed_all(c, 1);
    if (c->rejoin_old) {
        c->rejoin_old = 0;
        station *old = c->old_primary;
        c->old_primary = NULL;
        node_recover(old);
        if (!cluster_attach(c, old)) return;
    }
    cluster_release(c);
    flush_waiting(c);
}

static void recover_primary(cluster *c)
{
    sim *s = c->base.sim;
    if (!c->primary_down) {
        if (c->old_primary) { /* replaced by failover: it rejoins as a replica */
            station *old = c->old_primary;
            c->old_primary = NULL;
            node_recover(old);
            cluster_attach(c, old);
        }
        return;
    }
    if (c->decided) { /* a replica is being promoted: the old primary joins it afterwards */
        c->rejoin_old = 1;
        return;
    }
    sim_cancel(s, c->failover_event);
    c->failover_event = 0;
    node_recover(c->primary);
    c->primary_down = 0;
    c->n_unacked = 0;
    feed_all(c, 1);
    flush_waiting(c);
}

static void crash_replica(cluster *c, cluster_replica *rep)
{
    if (!rep->wal->up) return;
    rep->in_sync = 0;
    wal_replica_crash(rep->wal);
    node_crash(rep->node);
    if (c->promoting == rep) { /* choose again among the others */
        sim_cancel(c->base.sim, c->promote_event);
        c->promote_event = 0;
        c->promoting = NULL;
        c->decided = 0;
        cluster_failover_decide(c);
    }
    if (!c->primary_down) cluster_release(c); /* the synchronous set shrank */
}

static void recover_replica(cluster *c, cluster_replica *rep)
{
    if (rep->wal->up) return;
    node_recover(rep->node);
    wal_replica_recover(rep->wal);
    if (c->primary_down && !c->decided && !c->failover_event) cluster_failover_decide(c);
}

/* Parses a part name: "" (whole cluster), "primary", "replica.N". Returns PART_* or -1. */
static int parse_part(const cluster *c, const char *part, cluster_replica **rep, char *err,
                      size_t n)
{
    *rep = NULL;
    if (!part || !*part) return PART_ALL;
    if (strcmp(part, "primary") == 0) return PART_PRIMARY;
    if (strncmp(part, "replica.", 8) == 0) {
        char *end;
        long num = strtol(part + 8, &end, 10);
        if (end != part + 8 && *end == '\0' && num >= 1 && num <= 1000000) {
            *rep = cluster_replica_by_number(c, (int)num);
            if (*rep) return PART_REPLICA;
            snprintf(err, n, "cluster '%s' has no replica %ld at this time", c->base.name, num);
            return -1;
        }
    }
    snprintf(err, n, "cluster '%s' has no part '%s' (expected primary or replica.N)", c->base.name,
             part);
    return -1;
}

int cluster_control(station *st, const char *action, const char *part, double factor,
                    char *err, size_t errlen)
{
    cluster *c = (cluster *)st;
    cluster_replica *rep;
    int which = parse_part(c, part, &rep, err, errlen);
    if (which < 0) return -1;
    if (strcmp(action, "crash") == 0) {
        if (which == PART_REPLICA) crash_replica(c, rep);
        else crash_primary(c);
    } else if (strcmp(action, "recover") == 0) {
        if (which == PART_REPLICA) recover_replica(c, rep);
        else recover_primary(c);
    } else if (strcmp(action, "slow") == 0) {
        if (!(factor > 0.0) || !isfinite(factor)) {
            snprintf(err, errlen, "slow-down factor %g for cluster '%s' must be above 0", factor,
                     st->name);
            return -1;
        }
        if (which != PART_REPLICA) node_set_slowdown(c->primary, factor);
        for (size_t i = 0; i < c->n_reps; i++) {
            cluster_replica *r = c->reps[i];
            if (!r->wal->attached || (which == PART_PRIMARY) || (which == PART_REPLICA && r != rep))
                continue;
            node_set_slowdown(r->node, factor);
            wal_replica_slow(r->wal, factor);
        }
    } else if (strcmp(action, "add-replica") == 0) {
        if (which != PART_ALL) {
            snprintf(err, errlen, "add-replica applies to the whole cluster '%s', not to '%s'",
                     st->name, part);
            return -1;
        }
        if (!cluster_attach(c, NULL)) {
            snprintf(err, errlen, "%s", st->sim->error);
            return -1;
        }
    } else {
        snprintf(err, errlen, "unknown action '%s' for cluster '%s' (expected crash, recover, "
                 "slow, add-replica)", action, st->name);
        return -1;
    }
    return 0;
}
