/* describe.c: the architecture diagram and the pre-sweep values (see describe.h). */
#include "cli/describe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 6    /* parts of one headline */
#define VALUE_TEXT 160 /* room for one formatted value */

/* The few settings that say what a station is, per kind: the first row whose condition
 * holds is used. Each item is text with {option} placeholders; an item whose options are
 * unset (empty) is left out, and so is an item marked with a leading '?' whose option is
 * 0 or none (a limit that is off). */
static const struct {
    const char *kind;            /* station kind */
    const char *when_key;        /* option that selects this row (NULL: always) */
    const char *when_value;      /* its value as opt_format prints it */
    const char *items[MAX_ITEMS]; /* parts, NULL-ended */
} headlines[] = {
    {"clients", "arrival", "closed",
     {"closed: {population} users", "think {think}", "read_ratio {read_ratio}", NULL}},
    {"clients", "arrival", "trace", {"trace replay of {trace}", "read_ratio {read_ratio}", NULL}},
    {"clients", NULL, NULL, {"{arrival} arrivals at {rate}", "read_ratio {read_ratio}", NULL}},
    {"server", NULL, NULL, {"{servers} servers", "service {service}", NULL}},
    {"node", NULL, NULL,
     {"{cores} cores", "read {read_time}", "write {write_time}",
      "?max_connections {max_connections}", NULL}},
    {"pooler", NULL, NULL, {"{mode} pooling", "pool_size {pool_size}", "threads {threads}", NULL}},
    {"app_pool", NULL, NULL, {"{app_servers} app servers", "app_pool {app_pool} each", NULL}},
    {"cache", NULL, NULL, {"{pattern}", "{capacity} keys", "{policy}", "?ttl {ttl}", NULL}},
    {"cluster", NULL, NULL,
     {"primary + {replicas} replicas", "{replication}", "reads from {read_from}",
      "consistency {consistency}", "primary {primary.cores} cores", NULL}},
    {"router", NULL, NULL, {"{strategy}", "{shards} shards, each a copy of {next}", NULL}},
};
#define N_HEADLINES (sizeof headlines / sizeof headlines[0])

/* A growing string. */
typedef struct sbuf {
    char *s;    /* text (NUL-terminated), NULL after a failed allocation */
    size_t len; /* bytes used */
    size_t cap; /* bytes allocated */
    int oom;    /* an allocation failed */
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 256;
        while (cap <= b->len + (size_t)n) cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            free(b->s);
            b->s = NULL;
            b->oom = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
}

/* The swept axis of sc for option `opt` of station `st`, or NULL. */
static const sweep_axis *swept(const scenario *sc, const char *st, const char *opt)
{
    size_t ls = strlen(st);
    for (size_t a = 0; a < sc->n_axes; a++) {
        const char *k = sc->axes[a].key;
        if (strncmp(k, st, ls) == 0 && k[ls] == '.' && strcmp(k + ls + 1, opt) == 0)
            return &sc->axes[a];
    }
    return NULL;
}

/* Value text of option `opt` of station st into buf: its swept values, or its resolved
 * value. 0, or -1 when the option does not exist or is unset. */
static int option_text(const scenario *sc, const resolved_station *st, const char *opt,
                       char *buf, size_t n)
{
    const opt_def *def = opt_find(st->kind->options, opt);
    if (!def) return -1;
    const sweep_axis *ax = swept(sc, st->name, opt);
    if (ax && ax->n_values > 1) {
        if (ax->n_values <= 3) {
            size_t len = 0;
            buf[0] = '\0';
            for (size_t i = 0; i < ax->n_values && len < n; i++)
                len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", ax->values[i]);
            if (len < n) snprintf(buf + len, n - len, " (swept)");
        } else {
            snprintf(buf, n, "%s..%s (%zu values, swept)", ax->values[0],
                     ax->values[ax->n_values - 1], ax->n_values);
        }
        return 0;
    }
    if (opt_format(def, st->config, buf, n) < 0 || !buf[0]) return -1;
    return 0;
}

/* Expands one headline item into b. Returns 1 when written, 0 when an option is unset. */
static int expand(const scenario *sc, const resolved_station *st, const char *item, sbuf *b)
{
    char out[512], val[VALUE_TEXT], name[64];
    size_t len = 0;
    int optional = *item == '?';
    for (const char *p = item + optional; *p && len + 1 < sizeof out;) {
        if (*p != '{') {
            out[len++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end || (size_t)(end - p - 1) >= sizeof name) return 0;
        memcpy(name, p + 1, (size_t)(end - p - 1));
        name[end - p - 1] = '\0';
        if (option_text(sc, st, name, val, sizeof val) != 0) return 0;
        if (optional && (strcmp(val, "0") == 0 || strcmp(val, "none") == 0)) return 0;
        len += (size_t)snprintf(out + len, sizeof out - len, "%s", val);
        if (len >= sizeof out) len = sizeof out - 1;
        p = end + 1;
    }
    out[len] = '\0';
    sb_add(b, "%s", out);
    return 1;
}

/* "name (kind: settings)" into b. */
static void station_text(const scenario *sc, const resolved_station *st, sbuf *b)
{
    sb_add(b, "%s (%s", st->name, st->kind->name);
    char val[VALUE_TEXT];
    for (size_t h = 0; h < N_HEADLINES; h++) {
        if (strcmp(headlines[h].kind, st->kind->name) != 0) continue;
        if (headlines[h].when_key &&
            (option_text(sc, st, headlines[h].when_key, val, sizeof val) != 0 ||
             strcmp(val, headlines[h].when_value) != 0))
            continue;
        int first = 1;
        for (size_t i = 0; i < MAX_ITEMS && headlines[h].items[i]; i++) {
            size_t before = b->len;
            sb_add(b, first ? ": " : ", ");
            if (expand(sc, st, headlines[h].items[i], b)) first = 0;
            else if (!b->oom) b->s[b->len = before] = '\0'; /* drop the separator */
        }
        break;
    }
    if (st->kind->placed && option_text(sc, st, "region", val, sizeof val) == 0)
        sb_add(b, ", in region %s", val);
    sb_add(b, ")");
}

/* Index of the station named `name`, or -1. */
static long find_station(const resolved *rc, const char *name)
{
    for (size_t i = 0; i < rc->n_stations; i++)
        if (strcmp(rc->stations[i].name, name) == 0) return (long)i;
    return -1;
}

/* The stations station i links to (OPT_LINK options set to a station), in option order,
 * into to[]; returns how many (at most cap). */
static size_t links_of(const resolved *rc, size_t i, long *to, size_t cap)
{
    const resolved_station *st = &rc->stations[i];
    size_t n = 0;
    for (const opt_def *d = st->kind->options; d->name && n < cap; d++) {
        if (d->type != OPT_LINK) continue;
        const char *target = *(char *const *)((const char *)st->config + d->offset);
        long j = target ? find_station(rc, target) : -1;
        if (j >= 0) to[n++] = j;
    }
    return n;
}

/* Writes the chain from station i: the station, then "-> " each linked station in turn
 * (the first link continues the chain; further links start indented branches). An
 * orphan (no workload reaches it) says so. */
static void chain(const scenario *sc, const resolved *rc, size_t i, unsigned char *shown,
                  int depth, int orphan, sbuf *b)
{
    for (;;) {
        if (shown[i]) {
            sb_add(b, "%s (above)\n", rc->stations[i].name);
            return;
        }
        shown[i] = 1;
        station_text(sc, &rc->stations[i], b);
        sb_add(b, orphan ? "  [no workload sends to it]\n" : "\n");
        orphan = 0;
        long to[8];
        size_t n = links_of(rc, i, to, 8);
        if (!n) return;
        for (size_t k = 1; k < n; k++) { /* branches first, each indented one step more */
            sb_add(b, "%*s-> ", 2 * (depth + 2), "");
            chain(sc, rc, (size_t)to[k], shown, depth + 2, 0, b);
        }
        sb_add(b, "%*s-> ", 2 * (depth + 1), "");
        i = (size_t)to[0];
    }
}

char *describe_architecture(const scenario *sc, const resolved *rc)
{
    sbuf b = {0};
    unsigned char *linked = calloc(rc->n_stations + 1, 1), *shown = calloc(rc->n_stations + 1, 1);
    if (!linked || !shown) {
        free(linked);
        free(shown);
        return NULL;
    }
    long to[8];
    for (size_t i = 0; i < rc->n_stations; i++) {
        size_t n = links_of(rc, i, to, 8);
        for (size_t k = 0; k < n; k++)
            if ((size_t)to[k] != i) linked[to[k]] = 1;
    }
    for (size_t i = 0; i < rc->n_stations; i++) {
        if (linked[i]) continue;
        chain(sc, rc, i, shown, 0, strcmp(rc->stations[i].kind->name, "clients") != 0, &b);
    }
    for (size_t i = 0; i < rc->n_stations; i++) /* in a cycle of links: still shown */
        if (!shown[i]) chain(sc, rc, i, shown, 0, 1, &b);
    if (!b.s) sb_add(&b, "(no stations)\n");
    free(linked);
    free(shown);
    return b.oom ? NULL : b.s;
}

static char *dup_text(const char *s)
{
    char *p = malloc(strlen(s) + 1);
    if (p) strcpy(p, s);
    return p;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* The value of the last --set of key (trimmed, malloc'd), or NULL. */
static char *set_value(const scenario *sc, const char *key)
{
    const char *found = NULL, *found_end = NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < sc->n_sets; i++) {
        const char *t = sc->sets[i], *eq = strchr(t, '=');
        if (!eq) continue;
        while (is_blank(*t)) t++;
        const char *ke = eq;
        while (ke > t && is_blank(ke[-1])) ke--;
        if ((size_t)(ke - t) != klen || strncmp(t, key, klen) != 0) continue;
        const char *v = eq + 1, *ve = eq + strlen(eq);
        while (is_blank(*v)) v++;
        while (ve > v && is_blank(ve[-1])) ve--;
        found = v;
        found_end = ve;
    }
    if (!found) return NULL;
    char *p = malloc((size_t)(found_end - found) + 1);
    if (p) {
        memcpy(p, found, (size_t)(found_end - found));
        p[found_end - found] = '\0';
    }
    return p;
}

char *describe_base_value(const scenario *sc, const resolved *rc, size_t variant, const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot || dot == key || !dot[1]) return NULL;
    size_t ls = (size_t)(dot - key);
    char section[256];
    if (ls >= sizeof section) return NULL;
    memcpy(section, key, ls);
    section[ls] = '\0';
    long st = find_station(rc, section);
    if (st < 0) return NULL;
    const opt_def *def = opt_find(rc->stations[st].kind->options, dot + 1);
    if (!def) return NULL;
    const char *value = NULL;
    char *set = set_value(sc, key);
    if (set) return set;
    if (variant > 0 && variant < sc->n_variants) {
        char vsec[300];
        snprintf(vsec, sizeof vsec, "variant %s", sc->variant_names[variant]);
        const ini_entry *e = ini_get(&sc->doc, vsec, key);
        if (e) value = e->value;
    }
    if (!value) {
        const ini_entry *e = ini_get(&sc->doc, section, dot + 1);
        if (e) value = e->value;
    }
    if (!value) value = def->def;
    return value ? dup_text(value) : NULL;
}
