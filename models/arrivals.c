/* arrivals.c: open arrival processes (Poisson, constant, MMPP) and rate profiles. */
#include "models/arrivals.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/units.h"

#define TWO_PI 6.283185307179586476925286766559

static void set_err(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t n, const char *fmt, ...)
{
    if (!err || n == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Copies s[0..len) trimmed into buf (size n). Returns 0, or -1 when it does not fit. */
static int copy_trimmed(char *buf, size_t n, const char *s, size_t len)
{
    while (len && is_blank(*s)) s++, len--;
    while (len && is_blank(s[len - 1])) len--;
    if (len >= n) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

/* ---- parsing ---- */

/* diurnal(MIN, MAX, PERIOD); `inner` is the text between the parentheses. */
static int parse_diurnal(const char *inner, const char *text, rate_profile *p, char *err,
                         size_t errlen)
{
    char arg[3][128];
    int n = 0;
    const char *start = inner;
    for (const char *c = inner;; c++) {
        if (*c == ',' || *c == '\0') {
            if (n < 3 && copy_trimmed(arg[n], sizeof arg[n], start, (size_t)(c - start)) < 0) {
                set_err(err, errlen, "argument too long in '%s'", text);
                return -1;
            }
            n++;
            start = c + 1;
            if (*c == '\0') break;
        }
    }
    if (n != 3 || !arg[0][0] || !arg[1][0] || !arg[2][0]) {
        set_err(err, errlen, "'%s' needs 3 arguments (expected diurnal(MIN, MAX, PERIOD), "
                "e.g. diurnal(1000/s, 8000/s, 24h))", text);
        return -1;
    }
    char why[256];
    if (units_parse(arg[0], UNIT_RATE, &p->lo, why, sizeof why) < 0 ||
        units_parse(arg[1], UNIT_RATE, &p->hi, why, sizeof why) < 0 ||
        units_parse(arg[2], UNIT_TIME, &p->period, why, sizeof why) < 0) {
        set_err(err, errlen, "%s in '%s'", why, text);
        return -1;
    }
    if (p->lo < 0 || p->hi < p->lo || !isfinite(p->hi)) {
        set_err(err, errlen, "MIN '%s' must be at most MAX '%s' (and not negative) in '%s'",
                arg[0], arg[1], text);
        return -1;
    }
    if (!(p->period > 0) || !isfinite(p->period)) {
        set_err(err, errlen, "PERIOD '%s' must be positive in '%s'", arg[2], text);
        return -1;
    }
    p->kind = PROFILE_DIURNAL;
    return 0;
}

/* One point "TIME RATE"; the split is at the whitespace where both halves parse (units
 * may be written apart from their number: "60 s 8000 /s"). */
static int parse_point(const char *pt, const char *text, double *t, double *r, char *err,
                       size_t errlen)
{
    size_t len = strlen(pt);
    for (size_t k = 1; k < len; k++) {
        if (!is_blank(pt[k]) || is_blank(pt[k - 1])) continue;
        char left[128], right[128];
        if (copy_trimmed(left, sizeof left, pt, k) < 0 ||
            copy_trimmed(right, sizeof right, pt + k, len - k) < 0)
            break;
        if (units_parse(left, UNIT_TIME, t, NULL, 0) == 0 &&
            units_parse(right, UNIT_RATE, r, NULL, 0) == 0)
            return 0;
    }
    /* Explain with the first token as the time and the rest as the rate. */
    size_t k = 0;
    while (k < len && !is_blank(pt[k])) k++;
    if (k == len) {
        set_err(err, errlen, "point '%s' in rate_profile '%s' needs a time and a rate "
                "(e.g. '60s 8000/s')", pt, text);
        return -1;
    }
    char left[128], right[128], why[256];
    if (copy_trimmed(left, sizeof left, pt, k) < 0 ||
        copy_trimmed(right, sizeof right, pt + k, len - k) < 0) {
        set_err(err, errlen, "point '%s' in rate_profile is too long", pt);
        return -1;
    }
    if (units_parse(left, UNIT_TIME, t, why, sizeof why) < 0 ||
        units_parse(right, UNIT_RATE, r, why, sizeof why) < 0) {
        set_err(err, errlen, "%s in rate_profile point '%s'", why, pt);
        return -1;
    }
    set_err(err, errlen, "cannot read rate_profile point '%s' (expected a time and a rate, "
            "e.g. '60s 8000/s')", pt);
    return -1;
}

/* Fills cum[] from the points. */
static void points_integrate(rate_profile *p)
{
    p->cum[0] = p->rate[0] * p->t[0];
    for (int i = 0; i + 1 < p->n; i++)
        p->cum[i + 1] = p->cum[i] + 0.5 * (p->rate[i] + p->rate[i + 1]) * (p->t[i + 1] - p->t[i]);
}

int rate_profile_parse(const char *text, rate_profile *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    char t[4096];
    if (!text) text = "";
    if (copy_trimmed(t, sizeof t, text, strlen(text)) < 0) {
        set_err(err, errlen, "rate_profile text too long (%zu characters)", strlen(text));
        return -1;
    }
    if (!t[0] || strcmp(t, "none") == 0) return 0;
    if (strncmp(t, "diurnal", 7) == 0) {
        const char *c = t + 7;
        while (is_blank(*c)) c++;
        size_t len = strlen(c);
        if (*c != '(' || len < 2 || c[len - 1] != ')') {
            set_err(err, errlen, "bad rate_profile '%s' (expected diurnal(MIN, MAX, PERIOD))", t);
            return -1;
        }
        char inner[4096];
        memcpy(inner, c + 1, len - 2);
        inner[len - 2] = '\0';
        if (parse_diurnal(inner, t, p, err, errlen) < 0) {
            memset(p, 0, sizeof *p);
            return -1;
        }
        return 0;
    }
    const char *start = t;
    for (const char *c = t;; c++) {
        if (*c != ',' && *c != '\0') continue;
        char pt[256];
        if (copy_trimmed(pt, sizeof pt, start, (size_t)(c - start)) < 0) {
            set_err(err, errlen, "point too long in rate_profile '%s'", t);
            goto fail;
        }
        if (!pt[0]) {
            set_err(err, errlen, "empty point in rate_profile '%s' (expected 'TIME RATE, "
                    "TIME RATE, ...', e.g. '0s 1000/s, 60s 8000/s')", t);
            goto fail;
        }
        if (p->n == RATE_PROFILE_MAX) {
            set_err(err, errlen, "rate_profile has more than %d points", RATE_PROFILE_MAX);
            goto fail;
        }
        double when, rate;
        if (parse_point(pt, t, &when, &rate, err, errlen) < 0) goto fail;
        if (!isfinite(rate) || !isfinite(when)) {
            set_err(err, errlen, "rate_profile point '%s' is out of range", pt);
            goto fail;
        }
        if (p->n > 0 && !(when > p->t[p->n - 1])) {
            set_err(err, errlen, "time of rate_profile point '%s' is not after the previous "
                    "point's (times must increase)", pt);
            goto fail;
        }
        p->t[p->n] = when;
        p->rate[p->n] = rate;
        p->n++;
        if (*c == '\0') break;
        start = c + 1;
    }
    p->kind = PROFILE_POINTS;
    points_integrate(p);
    return 0;
fail:
    memset(p, 0, sizeof *p);
    return -1;
}

/* Appends text to buf at *used; returns -1 when it does not fit. */
static int append(char *buf, size_t n, size_t *used, const char *s)
{
    size_t l = strlen(s);
    if (*used + l >= n) return -1;
    memcpy(buf + *used, s, l + 1);
    *used += l;
    return 0;
}

int rate_profile_format(const rate_profile *p, char *buf, size_t n)
{
    if (n == 0) return -1;
    buf[0] = '\0';
    size_t used = 0;
    char a[64], b[64], c[64];
    if (p->kind == PROFILE_DIURNAL) {
        if (units_format(p->lo, UNIT_RATE, a, sizeof a) < 0 ||
            units_format(p->hi, UNIT_RATE, b, sizeof b) < 0 ||
            units_format(p->period, UNIT_TIME, c, sizeof c) < 0)
            return -1;
        int len = snprintf(buf, n, "diurnal(%s, %s, %s)", a, b, c);
        return len < 0 || (size_t)len >= n ? -1 : len;
    }
    for (int i = 0; p->kind == PROFILE_POINTS && i < p->n; i++) {
        if (units_format(p->t[i], UNIT_TIME, a, sizeof a) < 0 ||
            units_format(p->rate[i], UNIT_RATE, b, sizeof b) < 0)
            return -1;
        if ((i && append(buf, n, &used, ", ") < 0) || append(buf, n, &used, a) < 0 ||
            append(buf, n, &used, " ") < 0 || append(buf, n, &used, b) < 0) {
            buf[0] = '\0';
            return -1;
        }
    }
    return (int)used;
}

/* ---- lambda, Lambda and its inverse ---- */

/* Index of the last point with t[i] <= t, or -1 when t is before the first point. */
static int point_before(const rate_profile *p, double t)
{
    int lo = -1, hi = p->n - 1; /* invariant: t[lo] <= t (or lo = -1), answer in [lo, hi] */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (p->t[mid] <= t) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

static double diurnal_rate(const rate_profile *p, double t)
{
    return p->lo + (p->hi - p->lo) * 0.5 * (1.0 - cos(TWO_PI * t / p->period));
}

static double diurnal_integral(const rate_profile *p, double t)
{
    double w = TWO_PI / p->period;
    return p->lo * t + 0.5 * (p->hi - p->lo) * (t - sin(w * t) / w);
}

double rate_profile_rate(const rate_profile *p, double t)
{
    if (p->kind == PROFILE_DIURNAL) return diurnal_rate(p, t);
    if (p->kind != PROFILE_POINTS) return 0.0;
    int i = point_before(p, t);
    if (i < 0) return p->rate[0];
    if (i == p->n - 1) return p->rate[i];
    double f = (t - p->t[i]) / (p->t[i + 1] - p->t[i]);
    return p->rate[i] + (p->rate[i + 1] - p->rate[i]) * f;
}

double rate_profile_integral(const rate_profile *p, double t)
{
    if (p->kind == PROFILE_DIURNAL) return diurnal_integral(p, t);
    if (p->kind != PROFILE_POINTS) return 0.0;
    int i = point_before(p, t);
    if (i < 0) return p->rate[0] * t;
    double x = t - p->t[i];
    if (i == p->n - 1) return p->cum[i] + p->rate[i] * x;
    double slope = (p->rate[i + 1] - p->rate[i]) / (p->t[i + 1] - p->t[i]);
    return p->cum[i] + p->rate[i] * x + 0.5 * slope * x * x;
}

/* Piecewise linear: region by binary search on cum, then the closed form. */
static double points_inverse(const rate_profile *p, double s)
{
    if (s <= p->cum[0]) return p->rate[0] > 0 ? s / p->rate[0] : 0.0;
    /* Last point i with cum[i] < s. */
    int lo = 0, hi = p->n - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (p->cum[mid] < s) lo = mid;
        else hi = mid - 1;
    }
    int i = lo;
    double y = s - p->cum[i];
    if (i == p->n - 1) return p->rate[i] > 0 ? p->t[i] + y / p->rate[i] : INFINITY;
    double len = p->t[i + 1] - p->t[i];
    double r0 = p->rate[i];
    double slope = (p->rate[i + 1] - r0) / len;
    /* r0 x + slope x^2 / 2 = y, solved as x = 2y / (r0 + sqrt(r0^2 + 2 slope y)), which
     * has no cancellation for either sign of the slope. */
    double disc = r0 * r0 + 2.0 * slope * y;
    if (disc < 0) disc = 0;
    double den = r0 + sqrt(disc);
    double x = den > 0 ? 2.0 * y / den : len;
    if (x > len) x = len;
    return p->t[i] + x;
}

/* Diurnal: whole periods, then a safeguarded Newton iteration on [0, period]. */
static double diurnal_inverse(const rate_profile *p, double s)
{
    double per_period = 0.5 * (p->lo + p->hi) * p->period;
    if (!(per_period > 0)) return s > 0 ? INFINITY : 0.0;
    double k = floor(s / per_period);
    double y = s - k * per_period;
    if (y < 0) y = 0;
    if (y > per_period) y = per_period;
    double lo = 0.0, hi = p->period;
    double x = p->period * (y / per_period);
    for (int it = 0; it < 200; it++) {
        double f = diurnal_integral(p, x) - y;
        if (f == 0) break;
        if (f > 0) hi = x;
        else lo = x;
        double d = diurnal_rate(p, x);
        double next = d > 0 ? x - f / d : NAN;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (fabs(next - x) <= 4.0 * DBL_EPSILON * p->period) {
            x = next;
            break;
        }
        x = next;
    }
    return k * p->period + x;
}

double rate_profile_inverse(const rate_profile *p, double s)
{
    if (p->kind == PROFILE_POINTS) return points_inverse(p, s);
    if (p->kind == PROFILE_DIURNAL) return diurnal_inverse(p, s);
    return INFINITY;
}

/* ---- processes ---- */

static int has_profile(const arrival_params *p)
{
    return p->profile && p->profile->kind != PROFILE_NONE;
}

double arrivals_mean_rate(const arrival_params *p)
{
    if (p->kind != ARRIVAL_MMPP) return p->rate;
    return (p->calm_time * p->rate + p->burst_time * p->burst_rate) /
           (p->calm_time + p->burst_time);
}

void arrivals_init(arrivals *a, const arrival_params *p, rng *gaps, rng *burst_rng)
{
    memset(a, 0, sizeof *a);
    a->p = *p;
    a->gaps = gaps;
    a->burst_rng = burst_rng;
    if (p->kind == ARRIVAL_MMPP) {
        double p_burst = p->burst_time / (p->burst_time + p->calm_time);
        a->burst = rng_uniform(burst_rng) < p_burst;
        /* Sojourns are memoryless: the residual of the stationary state is a full one. */
        a->switch_at = rng_exp(burst_rng, a->burst ? p->burst_time : p->calm_time);
    }
}

/* MMPP: spends one Exp(1) budget over the piecewise-constant rate. */
static double mmpp_next(arrivals *a)
{
    const arrival_params *p = &a->p;
    if (!(p->rate > 0) && !(p->burst_rate > 0)) return INFINITY;
    double budget = rng_exp(a->gaps, 1.0);
    for (;;) {
        double rate = a->burst ? p->burst_rate : p->rate;
        double span = a->switch_at - a->t;
        if (rate > 0 && budget <= rate * span) {
            a->t += budget / rate;
            if (a->t > a->switch_at) a->t = a->switch_at;
            return a->t;
        }
        if (rate > 0) budget -= rate * span;
        a->t = a->switch_at;
        a->burst = !a->burst;
        a->switch_at = a->t + rng_exp(a->burst_rng, a->burst ? p->burst_time : p->calm_time);
    }
}

double arrivals_next(arrivals *a)
{
    const arrival_params *p = &a->p;
    double t;
    switch (p->kind) {
    case ARRIVAL_MMPP:
        return mmpp_next(a);
    case ARRIVAL_CONSTANT:
        a->s += 1.0;
        t = has_profile(p) ? rate_profile_inverse(p->profile, a->s)
                           : (p->rate > 0 ? a->s / p->rate : INFINITY);
        break;
    default: /* poisson */
        if (!has_profile(p)) {
            if (!(p->rate > 0)) return INFINITY;
            a->t += rng_exp(a->gaps, 1.0 / p->rate);
            return a->t;
        }
        a->s += rng_exp(a->gaps, 1.0);
        t = rate_profile_inverse(p->profile, a->s);
        break;
    }
    if (t < a->t) t = a->t; /* rounding never moves time backwards */
    a->t = t;
    return t;
}
