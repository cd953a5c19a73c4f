/* slo.c: parsing and judging service-level objectives (see slo.h). */
#include "cli/slo.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/metrics.h"
#include "sim/units.h"

static const struct {
    const char *name; /* short name */
    int metric;       /* what it means */
} shorts[] = {
    {"mean", METRIC_LAT_MEAN}, {"p50", METRIC_LAT_P50},   {"p95", METRIC_LAT_P95},
    {"p99", METRIC_LAT_P99},   {"p999", METRIC_LAT_P999},
};
#define N_SHORTS (sizeof shorts / sizeof shorts[0])

/* printf into err[n] when err is given. */
static void set_err(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* Metric id of a name, or -1. */
static int metric_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < N_SHORTS; i++)
        if (strlen(shorts[i].name) == len && memcmp(shorts[i].name, name, len) == 0)
            return shorts[i].metric;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (strlen(metric_column(m)) == len && memcmp(metric_column(m), name, len) == 0) return m;
    return -1;
}

/* The unit a threshold of metric m is written in, and the factor from the parsed base
 * unit to the column's unit. */
static unit_kind metric_unit(int m, double *scale)
{
    const char *col = metric_column(m);
    size_t len = strlen(col);
    *scale = 1.0;
    if (len > 3 && strcmp(col + len - 3, "_ms") == 0) {
        *scale = 1e3;
        return UNIT_TIME;
    }
    if (m == METRIC_THROUGHPUT) return UNIT_RATE;
    if (len > 6 && strcmp(col + len - 6, "_ratio") == 0) return UNIT_RATIO;
    return UNIT_NUMBER;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Parses one clause s[0..len) (trimmed here). 0 or -1. */
static int parse_clause(const char *whole, const char *s, size_t len, slo_clause *out,
                        char *err, size_t errlen)
{
    while (len && is_space(*s)) s++, len--;
    while (len && is_space(s[len - 1])) len--;
    char text[sizeof out->text];
    if (len == 0) {
        set_err(err, errlen, "empty condition in slo '%s'", whole);
        return -1;
    }
    if (len >= sizeof text) {
        set_err(err, errlen, "condition too long in slo '%s'", whole);
        return -1;
    }
    memcpy(text, s, len);
    text[len] = '\0';

    size_t n = 0;
    while (n < len && (text[n] == '_' || (text[n] >= 'a' && text[n] <= 'z') ||
                       (text[n] >= '0' && text[n] <= '9')))
        n++;
    int m = metric_by_name(text, n);
    if (m < 0) {
        char name[96];
        size_t k = n;
        while (k < len && !is_space(text[k]) && text[k] != '<' && text[k] != '>') k++;
        snprintf(name, sizeof name, "%.*s", (int)(k ? k : len), text);
        const char *names[N_SHORTS + METRIC_COUNT];
        for (size_t i = 0; i < N_SHORTS; i++) names[i] = shorts[i].name;
        for (int i = 0; i < METRIC_COUNT; i++) names[N_SHORTS + (size_t)i] = metric_column(i);
        const char *near = units_nearest(name, names, N_SHORTS + METRIC_COUNT);
        if (near)
            set_err(err, errlen, "unknown metric '%s' in '%s' (did you mean '%s'?)", name, text,
                    near);
        else
            set_err(err, errlen,
                    "unknown metric '%s' in '%s' (expected mean, p50, p95, p99, p999 or a "
                    "summary column such as latency_p99_ms)",
                    name, text);
        return -1;
    }
    size_t i = n;
    while (i < len && is_space(text[i])) i++;
    if (i >= len || (text[i] != '<' && text[i] != '>') ||
        (i + 1 < len && text[i + 1] == '=')) {
        set_err(err, errlen, "expected '<' or '>' after '%.*s' in '%s'", (int)n, text, text);
        return -1;
    }
    out->above = text[i] == '>';
    double scale, v;
    unit_kind kind = metric_unit(m, &scale);
    char uerr[200];
    if (units_parse(text + i + 1, kind, &v, uerr, sizeof uerr) != 0) {
        set_err(err, errlen, "%s in slo '%s'", uerr, text);
        return -1;
    }
    out->metric = m;
    out->value = v * scale;
    memcpy(out->text, text, len + 1);
    return 0;
}

/* Length of the separator at s (",", or "and" between spaces), else 0. */
static size_t separator(const char *whole, const char *s)
{
    if (*s == ',') return 1;
    if (strncmp(s, "and", 3) == 0 && s > whole && is_space(s[-1]) && is_space(s[3])) return 3;
    return 0;
}

int slo_parse(const char *text, slo *out, char *err, size_t errlen)
{
    out->n = 0;
    const char *start = text;
    for (const char *s = text;; s++) {
        size_t sep = *s ? separator(text, s) : 1;
        if (!sep) continue;
        if (out->n == SLO_MAX_CLAUSES) {
            set_err(err, errlen, "too many conditions in slo '%s' (at most %d)", text,
                    SLO_MAX_CLAUSES);
            return -1;
        }
        if (parse_clause(text, start, (size_t)(s - start), &out->c[out->n], err, errlen))
            return -1;
        out->n++;
        if (!*s) return 0;
        s += sep - 1;
        start = s + 1;
    }
}

slo_verdict slo_judge(const slo_clause *c, ci v)
{
    if (isnan(v.mean)) return SLO_NO_DATA;
    double hw = isnan(v.half_width) ? 0.0 : v.half_width;
    double lo = v.mean - hw, hi = v.mean + hw;
    if (!c->above) {
        if (hi < c->value) return SLO_PASS;
        if (lo >= c->value) return SLO_FAIL;
    } else {
        if (lo > c->value) return SLO_PASS;
        if (hi <= c->value) return SLO_FAIL;
    }
    return SLO_UNCERTAIN;
}

slo_verdict slo_worse(slo_verdict a, slo_verdict b)
{
    /* all clauses must hold: one that fails settles it, whatever the others lack */
    if (a == SLO_FAIL || b == SLO_FAIL) return SLO_FAIL;
    return a > b ? a : b;
}

const char *slo_verdict_text(slo_verdict v)
{
    switch (v) {
    case SLO_PASS: return "pass";
    case SLO_UNCERTAIN: return "uncertain (CI straddles the target)";
    case SLO_FAIL: return "fail";
    default: return "no data";
    }
}
