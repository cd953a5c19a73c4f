/* syncrep.c: the replication-mode option and the FIFO of writes waiting for replicas. */
#include "models/syncrep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/calltext.h"
#include "sim/units.h"

#define REPL_EXPECTED "async, semi-sync(K, TIMEOUT), sync"

int repl_mode_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    repl_mode *m = field;
    calltext ct;
    if (calltext_split(text, &ct, err, n) != 0) return -1;
    static const char *const names[] = {"async", "semi-sync", "sync"};
    int which = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(ct.name, names[i]) == 0) which = i;
    if (which < 0) {
        const char *best = units_nearest(ct.name, names, 3);
        if (best)
            snprintf(err, n, "unknown replication mode '%s' in '%s' (did you mean '%s'? expected "
                     REPL_EXPECTED ")", ct.name, ct.text, best);
        else
            snprintf(err, n, "unknown replication mode '%s' in '%s' (expected " REPL_EXPECTED ")",
                     ct.name, ct.text);
        return -1;
    }
    if (which != 1) {
        if (ct.parens) {
            snprintf(err, n, "'%s' takes no arguments in '%s'", ct.name, ct.text);
            return -1;
        }
        m->kind = which == 0 ? REPL_ASYNC : REPL_SYNC;
        m->k = 0;
        m->timeout = 0.0;
        return 0;
    }
    m->kind = REPL_SEMI_SYNC;
    m->k = 1;
    m->timeout = 10.0;
    if (!ct.parens) return 0;
    if (ct.nargs != 2) {
        snprintf(err, n, "semi-sync needs two arguments in '%s' (expected semi-sync(K, TIMEOUT), "
                 "e.g. semi-sync(1, 10s))", ct.text);
        return -1;
    }
    uint64_t k;
    char inner[200];
    if (units_parse_count(ct.args[0], &k, inner, sizeof inner) != 0 || k < 1 || k > 1000000) {
        snprintf(err, n, "bad replica count '%s' in '%s' (expected a whole number from 1)",
                 ct.args[0], ct.text);
        return -1;
    }
    double t;
    if (units_parse(ct.args[1], UNIT_TIME, &t, inner, sizeof inner) != 0) {
        snprintf(err, n, "bad timeout in '%s': %s", ct.text, inner);
        return -1;
    }
    if (!(t > 0.0) || isinf(t)) {
        snprintf(err, n, "the timeout in '%s' must be a finite duration > 0", ct.text);
        return -1;
    }
    m->k = (int64_t)k;
    m->timeout = t;
    return 0;
}

int repl_mode_format(const void *field, char *buf, size_t n)
{
    const repl_mode *m = field;
    if (m->kind == REPL_ASYNC) return snprintf(buf, n, "async");
    if (m->kind == REPL_SYNC) return snprintf(buf, n, "sync");
    char t[64];
    if (units_format(m->timeout, UNIT_TIME, t, sizeof t) < 0) return -1;
    return snprintf(buf, n, "semi-sync(%lld, %s)", (long long)m->k, t);
}

void syncrep_init(syncrep *sr) { memset(sr, 0, sizeof *sr); }

void syncrep_push(syncrep *sr, request *r)
{
    r->link = NULL;
    if (sr->tail) sr->tail->link = r;
    else sr->head = r;
    sr->tail = r;
    sr->waiting++;
}

request *syncrep_pop_upto(syncrep *sr, uint64_t upto)
{
    request *r = sr->head;
    if (!r || r->lsn > upto) return NULL;
    sr->head = r->link;
    if (!sr->head) sr->tail = NULL;
    r->link = NULL;
    sr->waiting--;
    return r;
}

uint64_t syncrep_position(const repl_mode *mode, const uint64_t *acked, const int *counts,
                          size_t n)
{
    if (mode->kind == REPL_ASYNC) return UINT64_MAX;
    if (mode->kind == REPL_SYNC) {
        uint64_t lo = UINT64_MAX;
        for (size_t i = 0; i < n; i++)
            if (counts[i] && acked[i] < lo) lo = acked[i];
        return lo;
    }
    /* K-th largest = the largest position v with at least K positions >= v. O(n^2), n small. */
    uint64_t kth = 0;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (!counts[i]) continue;
        int64_t ge = 0;
        for (size_t j = 0; j < n; j++)
            if (counts[j] && acked[j] >= acked[i]) ge++;
        if (ge >= mode->k && (!found || acked[i] > kth)) {
            kth = acked[i];
            found = 1;
        }
    }
    return found ? kth : 0;
}
