/* options.c: reading, defaulting, printing, copying and freeing option-table values. */
#include "sim/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dist.h"
#include "sim/keydist.h"
#include "sim/units.h"

size_t opt_count(const opt_def *table)
{
    size_t n = 0;
    while (table && table[n].name) n++;
    return n;
}

const opt_def *opt_find(const opt_def *table, const char *name)
{
    for (size_t i = 0; table && table[i].name; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
    return NULL;
}

const char *opt_type_name(opt_type t)
{
    switch (t) {
    case OPT_INT: return "integer";
    case OPT_NUMBER: return "number";
    case OPT_TIME: return "time";
    case OPT_RATE: return "rate";
    case OPT_SIZE: return "size";
    case OPT_RATIO: return "ratio";
    case OPT_DIST: return "distribution";
    case OPT_KEYS: return "key popularity";
    case OPT_ENUM: return "choice";
    case OPT_STRING: return "text";
    case OPT_LINK: return "station";
    case OPT_BOOL: return "boolean";
    case OPT_CUSTOM: return "special";
    }
    return "?";
}

static unit_kind unit_of(opt_type t)
{
    switch (t) {
    case OPT_TIME: return UNIT_TIME;
    case OPT_RATE: return UNIT_RATE;
    case OPT_SIZE: return UNIT_SIZE;
    case OPT_RATIO: return UNIT_RATIO;
    case OPT_INT: return UNIT_COUNT;
    default: return UNIT_NUMBER;
    }
}

static int has_range(const opt_def *d) { return d->min <= d->max; }

/* Prints a range bound in the option's own unit. */
static void format_bound(const opt_def *d, double v, char *buf, size_t n)
{
    if (d->type == OPT_INT) snprintf(buf, n, "%.0f", v);
    else if (units_format(v, unit_of(d->type), buf, n) < 0) snprintf(buf, n, "%.17g", v);
}

static int check_range(const opt_def *d, double v, const char *text, char *err, size_t n)
{
    if (!has_range(d) || (v >= d->min && v <= d->max)) return 0;
    char lo[64], hi[64];
    format_bound(d, d->min, lo, sizeof lo);
    format_bound(d, d->max, hi, sizeof hi);
    if (isinf(d->max)) snprintf(err, n, "'%s' is out of range for '%s' (at least %s)", text, d->name, lo);
    else snprintf(err, n, "'%s' is out of range for '%s' (%s to %s)", text, d->name, lo, hi);
    return -1;
}

static int parse_bool(const char *t, int *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(t, yes[i]) == 0) { *out = 1; return 0; }
        if (strcmp(t, no[i]) == 0) { *out = 0; return 0; }
    }
    return -1;
}

int opt_set(const opt_def *d, void *config, const char *text, const char *base_dir,
            char *err, size_t errlen)
{
    char *field = (char *)config + d->offset;
    switch (d->type) {
    case OPT_INT: {
        uint64_t v;
        double dv;
        const char *t = text;
        int neg = 0;
        if (*t == '-') { neg = 1; t++; }
        if (units_parse_count(t, &v, err, errlen) != 0) return -1;
        if (v > (uint64_t)INT64_MAX) { snprintf(err, errlen, "'%s' is too large", text); return -1; }
        dv = neg ? -(double)v : (double)v;
        if (check_range(d, dv, text, err, errlen) != 0) return -1;
        *(int64_t *)field = neg ? -(int64_t)v : (int64_t)v;
        return 0;
    }
    case OPT_NUMBER: case OPT_TIME: case OPT_RATE: case OPT_SIZE: case OPT_RATIO: {
        double v;
        if (units_parse(text, unit_of(d->type), &v, err, errlen) != 0) return -1;
        if (check_range(d, v, text, err, errlen) != 0) return -1;
        *(double *)field = v;
        return 0;
    }
    case OPT_DIST: {
        dist parsed;
        if (dist_parse(text, base_dir, &parsed, err, errlen) != 0) return -1;
        double m = dist_mean(&parsed);
        if (has_range(d) && !(m >= d->min && m <= d->max)) {
            dist_fini(&parsed);
            return check_range(d, m, text, err, errlen);
        }
        dist_fini((dist *)field);
        *(dist *)field = parsed;
        return 0;
    }
    case OPT_KEYS: {
        keydist parsed;
        if (keydist_parse(text, &parsed, err, errlen) != 0) return -1;
        *(keydist *)field = parsed;
        return 0;
    }
    case OPT_ENUM: {
        for (const opt_choice *c = d->choices; c && c->name; c++) {
            if (strcmp(c->name, text) == 0) {
                *(int *)field = c->value;
                return 0;
            }
        }
        size_t used = (size_t)snprintf(err, errlen, "'%s' is not a valid value for '%s' (one of:", text, d->name);
        for (const opt_choice *c = d->choices; c && c->name && used < errlen; c++)
            used += (size_t)snprintf(err + used, errlen - used, " %s", c->name);
        if (used < errlen) snprintf(err + used, errlen - used, ")");
        return -1;
    }
    case OPT_BOOL: {
        int b;
        if (parse_bool(text, &b) != 0) {
            snprintf(err, errlen, "'%s' is not a boolean for '%s' (true or false)", text, d->name);
            return -1;
        }
        *(int *)field = b;
        return 0;
    }
    case OPT_STRING: case OPT_LINK: {
        if (!*text) { /* an empty default: no value */
            free(*(char **)field);
            *(char **)field = NULL;
            return 0;
        }
        char *copy = strdup(text);
        if (!copy) { snprintf(err, errlen, "out of memory"); return -1; }
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case OPT_CUSTOM:
        return d->parse(text, field, base_dir, err, errlen);
    }
    snprintf(err, errlen, "option '%s' has an unknown type", d->name);
    return -1;
}

int opt_defaults(const opt_def *table, void *config, char *err, size_t errlen)
{
    for (size_t i = 0; table && table[i].name; i++) {
        const opt_def *d = &table[i];
        if (!d->def) continue;
        char inner[256];
        if (opt_set(d, config, d->def, ".", inner, sizeof inner) != 0) {
            snprintf(err, errlen, "default of '%s' does not parse: %s", d->name, inner);
            return -1;
        }
    }
    return 0;
}

int opt_format(const opt_def *d, const void *config, char *buf, size_t n)
{
    const char *field = (const char *)config + d->offset;
    switch (d->type) {
    case OPT_INT:
        return snprintf(buf, n, "%lld", (long long)*(const int64_t *)field);
    case OPT_NUMBER:
        return snprintf(buf, n, "%.17g", *(const double *)field);
    case OPT_TIME: case OPT_RATE: case OPT_SIZE: case OPT_RATIO:
        return units_format(*(const double *)field, unit_of(d->type), buf, n);
    case OPT_DIST:
        return dist_format((const dist *)field, buf, n);
    case OPT_KEYS:
        return keydist_format((const keydist *)field, buf, n);
    case OPT_ENUM:
        for (const opt_choice *c = d->choices; c && c->name; c++)
            if (c->value == *(const int *)field) return snprintf(buf, n, "%s", c->name);
        return snprintf(buf, n, "?");
    case OPT_BOOL:
        return snprintf(buf, n, "%s", *(const int *)field ? "true" : "false");
    case OPT_STRING: case OPT_LINK: {
        const char *s = *(char *const *)field;
        return snprintf(buf, n, "%s", s ? s : "");
    }
    case OPT_CUSTOM:
        return d->format(field, buf, n);
    }
    return -1;
}

void opt_release(const opt_def *table, void *config)
{
    for (size_t i = 0; table && table[i].name; i++) {
        const opt_def *d = &table[i];
        char *field = (char *)config + d->offset;
        switch (d->type) {
        case OPT_DIST: dist_fini((dist *)field); break;
        case OPT_STRING: case OPT_LINK: free(*(char **)field); *(char **)field = NULL; break;
        case OPT_CUSTOM: if (d->release) d->release(field); break;
        default: break;
        }
    }
}

int opt_copy(const opt_def *table, void *dst, const void *src, size_t size)
{
    memcpy(dst, src, size);
    /* First detach every owned pointer, so a failure half-way can be released safely. */
    for (size_t i = 0; table && table[i].name; i++) {
        const opt_def *d = &table[i];
        char *to = (char *)dst + d->offset;
        if (d->type == OPT_STRING || d->type == OPT_LINK) *(char **)to = NULL;
        else if (d->type == OPT_DIST) memset(to, 0, sizeof(dist));
    }
    for (size_t i = 0; table && table[i].name; i++) {
        const opt_def *d = &table[i];
        char *to = (char *)dst + d->offset;
        const char *from = (const char *)src + d->offset;
        if (d->type == OPT_STRING || d->type == OPT_LINK) {
            const char *s = *(char *const *)from;
            if (s && !(*(char **)to = strdup(s))) goto fail;
        } else if (d->type == OPT_DIST) {
            if (dist_copy((dist *)to, (const dist *)from) != 0) goto fail;
        }
    }
    return 0;
fail:
    opt_release(table, dst);
    return -1;
}
