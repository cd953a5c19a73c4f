/* regions.c: reading the [regions] section. */
#include "cli/regions.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim/units.h"

int regions_find(const regions_def *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->names[i], name) == 0) return (int)i;
    return -1;
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= REGION_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') return 0;
    return 1;
}

/* Declares a region (or finds it). Returns its index, or -1 when full or badly named. */
static int declare(regions_def *r, const char *name, size_t n)
{
    char buf[REGION_NAME_MAX];
    if (!valid_name(name, n)) return -1;
    memcpy(buf, name, n);
    buf[n] = '\0';
    int i = regions_find(r, buf);
    if (i >= 0) return i;
    if (r->n == REGIONS_MAX) return -2;
    memcpy(r->names[r->n], buf, n + 1);
    return (int)r->n++;
}

int regions_add_line(regions_def *r, const char *name, const char *value, char *err,
                     size_t errlen, int *col, int *len)
{
    *col = -1;
    *len = 0;
    int self = declare(r, name, strlen(name));
    if (self < 0) {
        if (self == -2) snprintf(err, errlen, "more than %d regions", REGIONS_MAX);
        else snprintf(err, errlen, "bad region name '%s' (letters, digits, - _ .)", name);
        return -1;
    }
    if (strcmp(value, "none") == 0) return 0;
    const char *p = value;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',') p++;
        size_t wl = (size_t)(p - w);
        while (*p == ' ' || *p == '\t') p++;
        const char *t = p;
        while (*p && *p != ',') p++;
        const char *te = p;
        while (te > t && (te[-1] == ' ' || te[-1] == '\t')) te--;
        if (wl == 0 || te == t) {
            *col = (int)(w - value);
            *len = (int)(p - w) > 0 ? (int)(p - w) : 1;
            snprintf(err, errlen, "expected 'REGION RTT' pairs separated by commas, as in 'eu-west 80ms, ap-south 190ms'");
            return -1;
        }
        int other = declare(r, w, wl);
        if (other < 0) {
            *col = (int)(w - value);
            *len = (int)wl;
            snprintf(err, errlen, "bad region name '%.*s' (letters, digits, - _ .)", (int)wl, w);
            return -1;
        }
        if (other == self) {
            *col = (int)(w - value);
            *len = (int)wl;
            snprintf(err, errlen, "a region's round trip to itself is 0; list only other regions");
            return -1;
        }
        char text[64], inner[200];
        double v;
        snprintf(text, sizeof text, "%.*s", (int)(te - t), t);
        if (units_parse(text, UNIT_TIME, &v, inner, sizeof inner) != 0 || v < 0) {
            *col = (int)(t - value);
            *len = (int)(te - t);
            snprintf(err, errlen, "bad round-trip time '%s': %s", text, v < 0 ? "negative" : inner);
            return -1;
        }
        size_t a = (size_t)self, b = (size_t)other;
        if (r->known[a * REGIONS_MAX + b] && r->rtt[a * REGIONS_MAX + b] != v) {
            *col = (int)(w - value);
            *len = (int)(te - w);
            snprintf(err, errlen, "round trip %s - %s given twice with different times", r->names[a], r->names[b]);
            return -1;
        }
        r->rtt[a * REGIONS_MAX + b] = r->rtt[b * REGIONS_MAX + a] = v;
        r->known[a * REGIONS_MAX + b] = r->known[b * REGIONS_MAX + a] = 1;
        if (*p != ',') break;
        p++;
    }
    return 0;
}

int regions_check(const regions_def *r, char *err, size_t errlen)
{
    for (size_t a = 0; a < r->n; a++)
        for (size_t b = a + 1; b < r->n; b++)
            if (!r->known[a * REGIONS_MAX + b]) {
                snprintf(err, errlen, "no round-trip time between '%s' and '%s'\nadd '%s = %s RTT'",
                         r->names[a], r->names[b], r->names[a], r->names[b]);
                return -1;
            }
    return 0;
}
