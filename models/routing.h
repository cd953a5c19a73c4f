/* routing.h: where a cluster sends a read: read_from, balance and the consistency policy.
 *
 * Targets are numbered 0 = the primary, 1..n = the replicas. A read goes
 *   read_from = primary    to the primary;
 *   read_from = replicas   to an eligible replica, or the primary when none is eligible;
 *   read_from = any        to the primary or an eligible replica;
 *   read_from = nearest    to an eligible replica in the reader's region (the target's
 *                          `local` flag: the cluster sets it for the replicas sitting in the
 *                          request's region), or the primary when there is none.
 * A replica is eligible when it is up and the consistency policy allows it for this user:
 *   eventual                 always;
 *   read-your-writes(WINDOW) not within WINDOW after the user's last write committed (all
 *                            the user's reads then go to the primary);
 *   read-your-writes(lsn)    its visible LSN >= the LSN of the user's last write;
 *   monotonic                its visible LSN >= the highest LSN the user has read at
 *                            (a read at the primary reads at the primary's current LSN);
 *   bounded(MAX_LAG)         its current lag (age of its oldest record not yet visible)
 *                            is at most MAX_LAG.
 * Among the eligible targets, balance picks: round-robin (the next eligible one after the
 * previous choice), random (uniform), least-loaded (fewest requests present; ties go to the
 * next one in round-robin order).
 * Per-user state lives in flat arrays indexed by user id, grown to the largest id seen;
 * only the arrays the policy needs are kept.
 *
 * region_list is the value of the placement options (a cluster's replica_regions, a
 * router's shard_regions): region names, written 'eu-west, ap-south'; the i-th placed part
 * sits in name i mod n. Names are checked against [regions] when the run starts
 * (region_list_resolve), since the option parser does not see that section.
 */
#ifndef DBSCALE_ROUTING_H
#define DBSCALE_ROUTING_H

#include <stddef.h>
#include <stdint.h>

#include "sim/options.h"
#include "sim/rng.h"
#include "sim/sim.h"

enum routing_from { READ_FROM_PRIMARY, READ_FROM_REPLICAS, READ_FROM_ANY, READ_FROM_NEAREST };
enum routing_balance { BALANCE_ROUND_ROBIN, BALANCE_RANDOM, BALANCE_LEAST_LOADED };
enum consistency_kind {
    CONSISTENCY_EVENTUAL,     /* any replica */
    CONSISTENCY_RYW_WINDOW,   /* primary for `bound` seconds after the user's write */
    CONSISTENCY_RYW_LSN,      /* a replica that has the user's last write */
    CONSISTENCY_MONOTONIC,    /* never older than what the user already read */
    CONSISTENCY_BOUNDED,      /* replicas lagging at most `bound` seconds */
};

typedef struct consistency {
    int kind;       /* enum consistency_kind */
    double bound;   /* RYW window or bounded MAX_LAG (s); 0 otherwise */
} consistency;

/* Choices of the read_from and balance options. */
extern const opt_choice routing_read_from_choices[];
extern const opt_choice routing_balance_choices[];

/* OPT_CUSTOM hooks for `consistency`: eventual | read-your-writes(5s) |
 * read-your-writes(lsn) | monotonic | bounded(100ms). parse returns 0, or -1 with a
 * message; format returns the length written or -1. O(strlen(text)). */
int consistency_parse(const char *text, void *field, const char *base_dir, char *err, size_t n);
int consistency_format(const void *field, char *buf, size_t n);

typedef struct routing_target {
    int up;            /* can serve reads */
    uint64_t visible;  /* visible LSN (the primary: its last LSN) */
    double lag;        /* current lag (s); 0 for the primary */
    int64_t load;      /* requests present */
    int local;         /* sits in the reader's region (read_from = nearest) */
} routing_target;

typedef struct routing {
    int read_from;             /* enum routing_from */
    int balance;               /* enum routing_balance */
    consistency policy;        /* the consistency policy */
    size_t last;               /* previous choice (round-robin position) */
    uint64_t *write_lsn;       /* per user: LSN of the last write (RYW lsn) */
    double *write_time;        /* per user: commit time of the last write (RYW window) */
    uint64_t *read_lsn;        /* per user: highest LSN read at (monotonic) */
    size_t n_users;            /* entries in the arrays in use */
} routing;

/* Sets up routing (no allocation yet). O(1). */
void routing_init(routing *rt, int read_from, int balance, consistency policy);
void routing_fini(routing *rt);

/* The target (0 = primary, 1..n_targets-1 = replicas) for a read by `user` at `now`.
 * `random` is drawn from only under balance = random. Never fails: without an eligible
 * replica the answer is 0, even when the primary is down (the caller handles outages).
 * O(n_targets). */
size_t routing_choose(routing *rt, uint32_t user, double now, const routing_target *targets,
                      size_t n_targets, rng *random);

/* The user's write committed with `lsn` at `now`. Returns 0, or -1 out of memory. O(1)
 * amortised. */
int routing_note_write(routing *rt, uint32_t user, uint64_t lsn, double now);

/* The user read at `lsn` (monotonic reads). Returns 0, or -1 out of memory. O(1)
 * amortised. */
int routing_note_read(routing *rt, uint32_t user, uint64_t lsn);

/* After a failover truncated the WAL to `head`: no user waits for an LSN above it.
 * O(users). */
void routing_clamp(routing *rt, uint64_t head);

/* ---- region lists ---------------------------------------------------------------------- */

#define REGION_LIST_MAX 64       /* names in one list */
#define REGION_LIST_NAME 48      /* bytes of a name, NUL included (as [regions]) */

/* A placement list; owns no memory (copied by assignment). */
typedef struct region_list {
    uint32_t n;                                   /* names (0: not set) */
    char names[REGION_LIST_MAX][REGION_LIST_NAME]; /* in order */
} region_list;

/* OPT_CUSTOM hooks: 'us-east, eu-west' (names of letters, digits, - _ .; a name may
 * repeat), or '' / 'none' for an empty list. parse returns 0, or -1 with a message; format
 * returns the length written or -1. O(strlen(text)). */
int region_list_parse(const char *text, void *field, const char *base_dir, char *err, size_t n);
int region_list_format(const void *field, char *buf, size_t n);

/* The run's region indices of the names, into idx[0..l->n-1]. Returns 0, or -1 with a
 * message naming the unknown region and the known ones (`what` names the option, e.g.
 * "replica_regions"). O(names x regions). */
int region_list_resolve(const region_list *l, const sim *s, const char *what, uint16_t *idx,
                        char *err, size_t errlen);

#endif
