/* syncrep.h: when a committed write is acknowledged to its client: the replication mode.
 *
 *   async                 at commit;
 *   sync                  when every replica in the synchronous set has confirmed it: the
 *                         replicas that are up and streaming (a crashed replica leaves the
 *                         set, and rejoins once it has caught up with the primary; PostgreSQL
 *                         would block instead until an operator removes the standby: we take
 *                         that removal as immediate);
 *   semi-sync(K, TIMEOUT) when K replicas have confirmed it, or after TIMEOUT, whichever is
 *                         first. On a timeout the primary falls back to async (counted as a
 *                         fallback), releasing every waiting write, and stays async until a
 *                         replica confirms the primary's current LSN (MySQL's
 *                         rpl_semi_sync_master_timeout behaviour). `semi-sync` alone means
 *                         semi-sync(1, 10s), MySQL's defaults.
 * What a replica confirms (sync_on = receive | apply) and the confirmation's trip back over
 * the link are the cluster's business; here confirmations are positions: replica i has
 * confirmed every LSN up to acked[i]. Writes waiting for confirmation form a FIFO in LSN
 * order (commit order), linked through request->link; the acknowledged set is always a
 * prefix of it.
 */
#ifndef DBSCALE_SYNCREP_H
#define DBSCALE_SYNCREP_H

#include <stddef.h>
#include <stdint.h>

#include "sim/request.h"

enum repl_kind { REPL_ASYNC, REPL_SEMI_SYNC, REPL_SYNC };

typedef struct repl_mode {
    int kind;          /* enum repl_kind */
    int64_t k;         /* semi-sync: confirmations needed */
    double timeout;    /* semi-sync: seconds before falling back to async */
} repl_mode;

/* OPT_CUSTOM hooks for `replication`: async | sync | semi-sync(K, TIMEOUT). parse returns
 * 0, or -1 with a message; format returns the length or -1. O(strlen(text)). */
int repl_mode_parse(const char *text, void *field, const char *base_dir, char *err, size_t n);
int repl_mode_format(const void *field, char *buf, size_t n);

typedef struct syncrep {
    request *head, *tail;  /* writes waiting, oldest (lowest LSN) first */
    size_t waiting;        /* their number */
    int fallback;          /* semi-sync has fallen back to async */
} syncrep;

/* An empty FIFO, not fallen back. O(1). */
void syncrep_init(syncrep *sr);

/* Appends a committed write (r->lsn set, above every waiting one). O(1). */
void syncrep_push(syncrep *sr, request *r);

/* Removes and returns the oldest waiting write if its LSN is <= upto, else NULL. O(1). */
request *syncrep_pop_upto(syncrep *sr, uint64_t upto);

/* The highest LSN acknowledged under mode by the n replicas' positions acked[i], counting
 * only those with counts[i] != 0: sync: the smallest position (UINT64_MAX when none
 * counts); semi-sync: the K-th largest (0 with fewer than K); async: UINT64_MAX.
 * O(n^2). */
uint64_t syncrep_position(const repl_mode *mode, const uint64_t *acked, const int *counts,
                          size_t n);

#endif
