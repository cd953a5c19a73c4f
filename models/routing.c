/* routing.c: read routing, the consistency option, per-user consistency state and the
 * region lists of placement options. */
#include "models/routing.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/calltext.h"
#include "sim/units.h"

const opt_choice routing_read_from_choices[] = {
    {"primary", READ_FROM_PRIMARY, "every read goes to the primary"},
    {"replicas", READ_FROM_REPLICAS,
     "reads go to the replicas (the primary when no replica is eligible)"},
    {"any", READ_FROM_ANY, "reads go to the primary or a replica"},
    {"nearest", READ_FROM_NEAREST,
     "reads go to a replica in the reader's region (request region), else the primary"},
    {0},
};

const opt_choice routing_balance_choices[] = {
    {"round-robin", BALANCE_ROUND_ROBIN, "the next eligible target in turn"},
    {"random", BALANCE_RANDOM, "an eligible target uniformly at random"},
    {"least-loaded", BALANCE_LEAST_LOADED, "the eligible target with the fewest requests present"},
    {0},
};

#define CONSISTENCY_EXPECTED \
    "eventual, read-your-writes(WINDOW), read-your-writes(lsn), monotonic, bounded(MAX_LAG)"

int consistency_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    consistency *c = field;
    calltext ct;
    if (calltext_split(text, &ct, err, n) != 0) return -1;
    static const char *const names[] = {"eventual", "read-your-writes", "monotonic", "bounded"};
    int which = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(ct.name, names[i]) == 0) which = i;
    if (which < 0) {
        const char *best = units_nearest(ct.name, names, 4);
        if (best)
            snprintf(err, n, "unknown consistency '%s' in '%s' (did you mean '%s'? expected "
                     CONSISTENCY_EXPECTED ")", ct.name, ct.text, best);
        else
            snprintf(err, n, "unknown consistency '%s' in '%s' (expected " CONSISTENCY_EXPECTED ")",
                     ct.name, ct.text);
        return -1;
    }
    if (which == 0 || which == 2) {
        if (ct.parens) {
            snprintf(err, n, "'%s' takes no arguments in '%s'", ct.name, ct.text);
            return -1;
        }
        c->kind = which == 0 ? CONSISTENCY_EVENTUAL : CONSISTENCY_MONOTONIC;
        c->bound = 0.0;
        return 0;
    }
    if (ct.nargs != 1) {
        snprintf(err, n, "'%s' needs one argument in '%s' (expected %s)", ct.name, ct.text,
                 which == 1 ? "read-your-writes(5s) or read-your-writes(lsn)" : "bounded(100ms)");
        return -1;
    }
    if (which == 1 && strcmp(ct.args[0], "lsn") == 0) {
        c->kind = CONSISTENCY_RYW_LSN;
        c->bound = 0.0;
        return 0;
    }
    double v;
    char inner[200];
    if (units_parse(ct.args[0], UNIT_TIME, &v, inner, sizeof inner) != 0) {
        snprintf(err, n, "bad %s in '%s': %s%s", which == 1 ? "window" : "lag bound", ct.text, inner,
                 which == 1 ? " (or lsn)" : "");
        return -1;
    }
    if (!(v >= 0.0) || isinf(v)) {
        snprintf(err, n, "the %s in '%s' must be a finite duration >= 0",
                 which == 1 ? "window" : "lag bound", ct.text);
        return -1;
    }
    c->kind = which == 1 ? CONSISTENCY_RYW_WINDOW : CONSISTENCY_BOUNDED;
    c->bound = v;
    return 0;
}

int consistency_format(const void *field, char *buf, size_t n)
{
    const consistency *c = field;
    char t[64];
    switch (c->kind) {
    case CONSISTENCY_EVENTUAL: return snprintf(buf, n, "eventual");
    case CONSISTENCY_MONOTONIC: return snprintf(buf, n, "monotonic");
    case CONSISTENCY_RYW_LSN: return snprintf(buf, n, "read-your-writes(lsn)");
    case CONSISTENCY_RYW_WINDOW:
    case CONSISTENCY_BOUNDED:
        if (units_format(c->bound, UNIT_TIME, t, sizeof t) < 0) return -1;
        return snprintf(buf, n, c->kind == CONSISTENCY_BOUNDED ? "bounded(%s)" : "read-your-writes(%s)", t);
    }
    return -1;
}

void routing_init(routing *rt, int read_from, int balance, consistency policy)
{
    memset(rt, 0, sizeof *rt);
    rt->read_from = read_from;
    rt->balance = balance;
    rt->policy = policy;
}

void routing_fini(routing *rt)
{
    free(rt->write_lsn);
    free(rt->write_time);
    free(rt->read_lsn);
    memset(rt, 0, sizeof *rt);
}

/* Grows the per-user arrays the policy needs to hold `user`. Returns 0 or -1. */
static int users_grow(routing *rt, uint32_t user)
{
    if (user < rt->n_users) return 0;
    size_t n = rt->n_users ? rt->n_users : 1024;
    while (n <= user) n *= 2;
    int kind = rt->policy.kind;
    if (kind == CONSISTENCY_RYW_LSN || kind == CONSISTENCY_MONOTONIC) {
        uint64_t **a = kind == CONSISTENCY_RYW_LSN ? &rt->write_lsn : &rt->read_lsn;
        uint64_t *g = realloc(*a, n * sizeof *g);
        if (!g) return -1;
        memset(g + rt->n_users, 0, (n - rt->n_users) * sizeof *g);
        *a = g;
    } else if (kind == CONSISTENCY_RYW_WINDOW) {
        double *g = realloc(rt->write_time, n * sizeof *g);
        if (!g) return -1;
        for (size_t i = rt->n_users; i < n; i++) g[i] = -INFINITY;
        rt->write_time = g;
    } else {
        return 0; /* the policy keeps no per-user state */
    }
    rt->n_users = n;
    return 0;
}

int routing_note_write(routing *rt, uint32_t user, uint64_t lsn, double now)
{
    int kind = rt->policy.kind;
    if (kind != CONSISTENCY_RYW_LSN && kind != CONSISTENCY_RYW_WINDOW) return 0;
    if (users_grow(rt, user) != 0) return -1;
    if (kind == CONSISTENCY_RYW_LSN) {
        if (lsn > rt->write_lsn[user]) rt->write_lsn[user] = lsn;
    } else {
        rt->write_time[user] = now;
    }
    return 0;
}

int routing_note_read(routing *rt, uint32_t user, uint64_t lsn)
{
    if (rt->policy.kind != CONSISTENCY_MONOTONIC) return 0;
    if (users_grow(rt, user) != 0) return -1;
    if (lsn > rt->read_lsn[user]) rt->read_lsn[user] = lsn;
    return 0;
}

void routing_clamp(routing *rt, uint64_t head)
{
    uint64_t *a = rt->policy.kind == CONSISTENCY_RYW_LSN ? rt->write_lsn :
                  rt->policy.kind == CONSISTENCY_MONOTONIC ? rt->read_lsn : NULL;
    for (size_t u = 0; a && u < rt->n_users; u++)
        if (a[u] > head) a[u] = head;
}

/* Whether replica target t may serve this user's read now. */
static int replica_eligible(const routing *rt, uint32_t user, double now, const routing_target *t)
{
    if (!t->up) return 0;
    const consistency *c = &rt->policy;
    int known = user < rt->n_users;
    switch (c->kind) {
    case CONSISTENCY_EVENTUAL: return 1;
    case CONSISTENCY_RYW_WINDOW: return !known || now - rt->write_time[user] >= c->bound;
    case CONSISTENCY_RYW_LSN: return !known || t->visible >= rt->write_lsn[user];
    case CONSISTENCY_MONOTONIC: return !known || t->visible >= rt->read_lsn[user];
    case CONSISTENCY_BOUNDED: return t->lag <= c->bound;
    }
    return 0;
}

/* Whether target i may serve this read under read_from and the policy. */
static int candidate(const routing *rt, uint32_t user, double now, const routing_target *targets,
                     size_t i)
{
    if (i == 0) return targets[0].up;
    if (rt->read_from == READ_FROM_NEAREST && !targets[i].local) return 0;
    return replica_eligible(rt, user, now, &targets[i]);
}

size_t routing_choose(routing *rt, uint32_t user, double now, const routing_target *targets,
                      size_t n_targets, rng *random)
{
    if (rt->read_from == READ_FROM_PRIMARY || n_targets < 2) return 0;
    size_t lo = rt->read_from == READ_FROM_ANY ? 0 : 1; /* candidate positions lo..n-1 */
    size_t span = n_targets - lo;
    /* Walk the candidates in round-robin order, starting after the previous choice. */
    size_t start = rt->last >= lo && rt->last < n_targets ? rt->last - lo + 1 : 0;
    size_t eligible = 0, best = 0;
    int have = 0;
    for (size_t k = 0; k < span; k++) {
        size_t i = lo + (start + k) % span;
        if (!candidate(rt, user, now, targets, i)) continue;
        eligible++;
        if (!have) {
            best = i;
            have = 1;
        } else if (rt->balance == BALANCE_LEAST_LOADED && targets[i].load < targets[best].load) {
            best = i;
        }
    }
    if (!have) return 0;
    if (rt->balance == BALANCE_RANDOM && eligible > 1) {
        uint64_t pick = rng_below(random, eligible);
        for (size_t i = lo; i < n_targets; i++) {
            if (candidate(rt, user, now, targets, i) && pick-- == 0) {
                best = i;
                break;
            }
        }
    }
    rt->last = best;
    return best;
}

/* ---- region lists ---------------------------------------------------------------------- */

static int region_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '.';
}

int region_list_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    region_list *l = field;
    region_list out;
    out.n = 0;
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    size_t len = strlen(p);
    while (len && isspace((unsigned char)p[len - 1])) len--;
    if (len == 0 || (len == 4 && strncmp(p, "none", 4) == 0)) {
        *l = out;
        return 0;
    }
    const char *end = p + len;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *b = p, *t = stop;
        while (b < t && isspace((unsigned char)*b)) b++;
        while (t > b && isspace((unsigned char)t[-1])) t--;
        size_t w = (size_t)(t - b);
        if (w == 0) {
            snprintf(err, n, "empty region name in '%s' (expected names separated by commas, "
                     "e.g. 'us-east, eu-west')", text);
            return -1;
        }
        for (size_t i = 0; i < w; i++) {
            if (region_char(b[i])) continue;
            snprintf(err, n, "bad region name '%.*s' in '%s' (letters, digits, - _ .)", (int)w, b,
                     text);
            return -1;
        }
        if (w >= REGION_LIST_NAME) {
            snprintf(err, n, "region name '%.*s' in '%s' is longer than %d characters", (int)w, b,
                     text, REGION_LIST_NAME - 1);
            return -1;
        }
        if (out.n == REGION_LIST_MAX) {
            snprintf(err, n, "more than %d regions in '%s'", REGION_LIST_MAX, text);
            return -1;
        }
        memcpy(out.names[out.n], b, w);
        out.names[out.n][w] = '\0';
        out.n++;
        if (!comma) break;
        p = comma + 1;
    }
    *l = out;
    return 0;
}

int region_list_format(const void *field, char *buf, size_t n)
{
    const region_list *l = field;
    size_t used = 0;
    if (n == 0) return -1;
    buf[0] = '\0';
    for (uint32_t i = 0; i < l->n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", l->names[i]);
        if (w < 0 || (size_t)w >= n - used) return -1;
        used += (size_t)w;
    }
    return (int)used;
}

int region_list_resolve(const region_list *l, const sim *s, const char *what, uint16_t *idx,
                        char *err, size_t errlen)
{
    for (uint32_t i = 0; i < l->n; i++) {
        int r = s->n_regions ? sim_region_index(s, l->names[i]) : -1;
        if (r >= 0) {
            idx[i] = (uint16_t)r;
            continue;
        }
        if (s->n_regions == 0) {
            snprintf(err, errlen, "region '%s' in %s, but the scenario has no [regions] section",
                     l->names[i], what);
            return -1;
        }
        char known[512];
        size_t used = 0;
        known[0] = '\0';
        for (size_t k = 0; k < s->n_regions && used < sizeof known; k++) {
            int w = snprintf(known + used, sizeof known - used, "%s%s", k ? ", " : "",
                             s->region_names[k]);
            if (w < 0) break;
            used += (size_t)w;
        }
        snprintf(err, errlen, "unknown region '%s' in %s (regions: %s)", l->names[i], what, known);
        return -1;
    }
    return 0;
}
