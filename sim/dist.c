/* dist.c: parsing, sampling and moments of duration distributions.
 *
 * Sampling constants (a, b) per kind:
 *   const      a = value
 *   exp        a = mean                      (rng_exp)
 *   uniform    a = lo, b = hi - lo           (a + b U)
 *   lognormal  a = mu, b = sigma of the log  (gsl_ran_lognormal(r, zeta = mu, sigma))
 *              sigma^2 = log(1 + sd^2/mean^2), mu = log(mean) - sigma^2/2
 *   gamma      a = shape k = 1/cv^2, b = scale theta = mean cv^2  (gsl_ran_gamma(r, k, theta))
 *   weibull    a = scale, b = 1/shape        (scale (-log U)^(1/shape), U in (0,1))
 *   pareto     a = scale, b = -1/alpha       (scale U^(-1/alpha), U in (0,1))
 *   empirical  a = factor                    (factor * interpolated quantile of U)
 */
#include "sim/dist.h"

#include <csv.h>
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/units.h"

struct dist_table {
    size_t n;    /* number of samples, >= 1 */
    double mean; /* mean of the interpolated distribution (unscaled), seconds */
    double var;  /* its variance, seconds^2 */
    char *path;  /* the path as written in the scenario (for dist_format) */
    double v[];  /* samples in seconds, ascending */
};

/* One row of the family table. */
typedef struct dist_family {
    const char *name;     /* name as written */
    dist_kind kind;       /* kind it parses to */
    int nargs;            /* required arguments */
    const char *arg[2];   /* argument names, for messages */
    unit_kind unit[2];    /* unit kind of each argument */
} dist_family;

static const dist_family families[] = {
    {"const", DIST_CONST, 1, {"value", NULL}, {UNIT_TIME, UNIT_TIME}},
    {"exp", DIST_EXP, 1, {"mean", NULL}, {UNIT_TIME, UNIT_TIME}},
    {"uniform", DIST_UNIFORM, 2, {"lo", "hi"}, {UNIT_TIME, UNIT_TIME}},
    {"lognormal", DIST_LOGNORMAL, 2, {"mean", "sd"}, {UNIT_TIME, UNIT_TIME}},
    {"gamma", DIST_GAMMA, 2, {"mean", "cv"}, {UNIT_TIME, UNIT_NUMBER}},
    {"weibull", DIST_WEIBULL, 2, {"scale", "shape"}, {UNIT_TIME, UNIT_NUMBER}},
    {"pareto", DIST_PARETO, 2, {"scale", "alpha"}, {UNIT_TIME, UNIT_NUMBER}},
    {"empirical", DIST_EMPIRICAL, 1, {"file", "factor"}, {UNIT_NUMBER, UNIT_NUMBER}},
};
#define NFAMILIES (sizeof families / sizeof families[0])
#define FAMILY_LIST "const, exp, uniform, lognormal, gamma, weibull, pareto, empirical"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Computes the sampling constants from p1, p2. */
static void derive(dist *d)
{
    d->a = d->p1;
    d->b = 0;
    switch (d->kind) {
    case DIST_UNIFORM: d->b = d->p2 - d->p1; break;
    case DIST_LOGNORMAL: {
        double s2 = log1p((d->p2 / d->p1) * (d->p2 / d->p1));
        d->a = log(d->p1) - s2 / 2;
        d->b = sqrt(s2);
        break;
    }
    case DIST_GAMMA:
        d->a = 1.0 / (d->p2 * d->p2);
        d->b = d->p1 * d->p2 * d->p2;
        break;
    case DIST_WEIBULL: d->b = 1.0 / d->p2; break;
    case DIST_PARETO: d->b = -1.0 / d->p2; break;
    default: break;
    }
}

dist dist_make_const(double seconds)
{
    dist d = {.kind = DIST_CONST, .p1 = seconds};
    derive(&d);
    return d;
}

dist dist_make_exp(double mean)
{
    dist d = {.kind = DIST_EXP, .p1 = mean};
    derive(&d);
    return d;
}

double dist_sample(const dist *d, rng *r)
{
    switch (d->kind) {
    case DIST_CONST: return d->a;
    case DIST_EXP: return rng_exp(r, d->a);
    case DIST_UNIFORM: return d->a + d->b * rng_uniform(r);
    case DIST_LOGNORMAL: return gsl_ran_lognormal(rng_gsl(r), d->a, d->b);
    case DIST_GAMMA: return gsl_ran_gamma(rng_gsl(r), d->a, d->b);
    case DIST_WEIBULL: return d->a * pow(-log(rng_uniform_pos(r)), d->b);
    case DIST_PARETO: return d->a * pow(rng_uniform_pos(r), d->b);
    case DIST_EMPIRICAL: {
        const dist_table *t = d->table;
        if (t->n == 1) return d->a * t->v[0];
        double u = rng_uniform(r) * (double)(t->n - 1);
        size_t i = (size_t)u;
        if (i >= t->n - 1) i = t->n - 2;
        double f = u - (double)i;
        return d->a * (t->v[i] + f * (t->v[i + 1] - t->v[i]));
    }
    }
    return 0;
}

double dist_mean(const dist *d)
{
    switch (d->kind) {
    case DIST_CONST:
    case DIST_EXP:
    case DIST_LOGNORMAL:
    case DIST_GAMMA: return d->p1;
    case DIST_UNIFORM: return (d->p1 + d->p2) / 2;
    case DIST_WEIBULL: return d->p1 * tgamma(1 + 1 / d->p2);
    case DIST_PARETO: return d->p2 > 1 ? d->p2 * d->p1 / (d->p2 - 1) : INFINITY;
    case DIST_EMPIRICAL: return d->a * d->table->mean;
    }
    return 0;
}

double dist_variance(const dist *d)
{
    switch (d->kind) {
    case DIST_CONST: return 0;
    case DIST_EXP: return d->p1 * d->p1;
    case DIST_UNIFORM: return (d->p2 - d->p1) * (d->p2 - d->p1) / 12;
    case DIST_LOGNORMAL: return d->p2 * d->p2;
    case DIST_GAMMA: return (d->p1 * d->p2) * (d->p1 * d->p2);
    case DIST_WEIBULL: {
        double g1 = tgamma(1 + 1 / d->p2), g2 = tgamma(1 + 2 / d->p2);
        if (isinf(g2)) return INFINITY;
        /* for a huge shape g2 - g1^2 cancels to 0 or a rounding error below it */
        double g = g2 - g1 * g1;
        return g > 0 ? d->p1 * d->p1 * g : 0;
    }
    case DIST_PARETO: {
        double a = d->p2;
        if (a <= 2) return INFINITY;
        double v = d->p1 * d->p1 * a / ((a - 1) * (a - 1) * (a - 2));
        /* inf / inf for a huge scale and alpha: divide step by step instead */
        return isnan(v) ? d->p1 / (a - 1) * (d->p1 / (a - 1)) * (a / (a - 2)) : v;
    }
    case DIST_EMPIRICAL:
        /* a huge factor squared is inf, and inf * 0 is NaN */
        return d->table->var == 0 ? 0 : d->a * d->a * d->table->var;
    }
    return 0;
}

void dist_scale(dist *d, double factor)
{
    switch (d->kind) {
    case DIST_UNIFORM:
    case DIST_LOGNORMAL:
        d->p1 *= factor;
        d->p2 *= factor;
        break;
    default: d->p1 *= factor; break; /* value, mean, scale, or the empirical factor */
    }
    derive(d);
}

void dist_fini(dist *d)
{
    if (d->table) {
        free(d->table->path);
        free(d->table);
    }
    *d = dist_make_const(0);
}

static dist_table *table_alloc(size_t n)
{
    dist_table *t = malloc(sizeof *t + n * sizeof(double));
    if (t) {
        t->n = n;
        t->mean = t->var = 0;
        t->path = NULL;
    }
    return t;
}

int dist_copy(dist *dst, const dist *src)
{
    *dst = *src;
    if (!src->table) return 0;
    dist_table *t = table_alloc(src->table->n);
    char *path = t ? strdup(src->table->path) : NULL;
    if (!t || !path) {
        free(t);
        *dst = dist_make_const(0);
        return -1;
    }
    memcpy(t, src->table, sizeof *t + src->table->n * sizeof(double));
    t->path = path;
    dst->table = t;
    return 0;
}

/* ---- formatting ---- */

/* Appends to a bounded buffer; tracks the full length for the caller. */
typedef struct outbuf {
    char *buf;  /* destination */
    size_t n;   /* its size */
    size_t len; /* characters wanted so far */
} outbuf;

static void out_str(outbuf *o, const char *s)
{
    size_t l = strlen(s);
    if (o->len < o->n) {
        size_t room = o->n - o->len - 1;
        size_t c = l < room ? l : room;
        memcpy(o->buf + o->len, s, c);
        o->buf[o->len + c] = '\0';
    }
    o->len += l;
}

static void out_value(outbuf *o, double v, unit_kind kind)
{
    char tmp[128];
    if (units_format(v, kind, tmp, sizeof tmp) < 0) snprintf(tmp, sizeof tmp, "%.17g", v);
    out_str(o, tmp);
}

static const dist_family *family_of(dist_kind kind)
{
    for (size_t i = 0; i < NFAMILIES; i++)
        if (families[i].kind == kind) return &families[i];
    return &families[0];
}

/* True when a path must be quoted to survive argument splitting. */
static int path_needs_quotes(const char *p)
{
    size_t l = strlen(p);
    if (l == 0 || p[0] == ' ' || p[0] == '\t' || p[l - 1] == ' ' || p[l - 1] == '\t') return 1;
    return strpbrk(p, ",()") != NULL;
}

int dist_format(const dist *d, char *buf, size_t n)
{
    outbuf o = {buf, n, 0};
    if (n > 0) buf[0] = '\0';
    const dist_family *f = family_of(d->kind);
    out_str(&o, f->name);
    out_str(&o, "(");
    if (d->kind == DIST_EMPIRICAL) {
        int q = path_needs_quotes(d->table->path);
        if (q) out_str(&o, "\"");
        out_str(&o, d->table->path);
        if (q) out_str(&o, "\"");
        if (d->p1 != 1) {
            out_str(&o, ", ");
            out_value(&o, d->p1, UNIT_NUMBER);
        }
    } else {
        out_value(&o, d->p1, f->unit[0]);
        if (f->nargs == 2) {
            out_str(&o, ", ");
            out_value(&o, d->p2, f->unit[1]);
        }
    }
    out_str(&o, ")");
    if (o.len + 1 > n) {
        if (n > 0) buf[0] = '\0';
        return -1;
    }
    return (int)o.len;
}

/* ---- empirical files ---- */

/* State of one CSV read. */
typedef struct csv_state {
    const char *file;   /* resolved path, for messages */
    long line;          /* line being fed to the parser */
    long row_line;      /* line of the current row's first field */
    size_t field;       /* index of the next field in the current row */
    char *first;        /* copy of the current row's first field */
    int seen_row;       /* a non-blank row was already processed */
    double *v;          /* samples read so far */
    size_t n, cap;      /* their count and capacity */
    int failed;         /* an error was reported in err */
    char *err;          /* caller's message buffer */
    size_t errlen;      /* its size */
} csv_state;

static void csv_field_cb(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (st->failed) return;
    if (st->field++ != 0) return;
    free(st->first);
    st->first = malloc(len + 1);
    if (!st->first) {
        st->failed = 1;
        set_err(st->err, st->errlen, "out of memory reading '%s'", st->file);
        return;
    }
    if (len) memcpy(st->first, s, len);
    st->first[len] = '\0';
    st->row_line = st->line;
}

static int starts_like_number(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return (*s >= '0' && *s <= '9') || *s == '.' || *s == '+' || *s == '-';
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return 0;
    return 1;
}

/* Parses one sample: a duration with unit, or a bare number of milliseconds. */
static int parse_sample(const char *text, double *out, char *msg, size_t msglen)
{
    if (!units_is_plain(text)) return units_parse(text, UNIT_TIME, out, msg, msglen);
    double v;
    if (units_parse(text, UNIT_NUMBER, &v, msg, msglen) < 0) return -1;
    if (v < 0) {
        set_err(msg, msglen, "negative value '%s'", text);
        return -1;
    }
    char tmp[512];
    if (snprintf(tmp, sizeof tmp, "%sms", text) >= (int)sizeof tmp) {
        set_err(msg, msglen, "value too long");
        return -1;
    }
    return units_parse(tmp, UNIT_TIME, out, msg, msglen);
}

static void csv_row_cb(int c, void *data)
{
    (void)c;
    csv_state *st = data;
    size_t nfields = st->field;
    st->field = 0;
    if (st->failed || nfields == 0 || !st->first) return;
    if (is_blank(st->first)) {
        if (nfields > 1) {
            st->failed = 1;
            set_err(st->err, st->errlen, "%s:%ld: missing value in the first column", st->file,
                    st->row_line);
        }
        return;
    }
    if (!st->seen_row) {
        st->seen_row = 1;
        if (!starts_like_number(st->first)) return; /* header */
    }
    double v;
    char msg[512];
    if (parse_sample(st->first, &v, msg, sizeof msg) < 0) {
        st->failed = 1;
        set_err(st->err, st->errlen, "%s:%ld: %s", st->file, st->row_line, msg);
        return;
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 256;
        double *nv = realloc(st->v, cap * sizeof *nv);
        if (!nv) {
            st->failed = 1;
            set_err(st->err, st->errlen, "out of memory reading '%s'", st->file);
            return;
        }
        st->v = nv;
        st->cap = cap;
    }
    st->v[st->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mean and variance of the distribution whose quantile function interpolates linearly
 * between sorted samples v[0..n-1] at u = i/(n-1): each of the n-1 segments carries
 * probability 1/(n-1) and is uniform between its ends, so
 *   mean = sum over segments (a+b)/2 / (n-1),
 *   var  = sum over segments ((a-m)^2 + (a-m)(b-m) + (b-m)^2)/3 / (n-1). */
static void table_moments(dist_table *t)
{
    if (t->n == 1) {
        t->mean = t->v[0];
        t->var = 0;
        return;
    }
    double seg = (double)(t->n - 1), s = 0;
    for (size_t i = 0; i + 1 < t->n; i++) s += (t->v[i] + t->v[i + 1]) / 2;
    double m = s / seg, q = 0;
    if (!isfinite(m)) { /* samples near the largest double: sum smaller terms */
        m = 0;
        for (size_t i = 0; i + 1 < t->n; i++) m += (t->v[i] / 2 + t->v[i + 1] / 2) / seg;
    }
    for (size_t i = 0; i + 1 < t->n; i++) {
        double a = t->v[i] - m, b = t->v[i + 1] - m;
        double x = a * a + a * b + b * b;
        /* a * a and a * b can overflow to inf and -inf (NaN); this form cannot, and is
         * infinite only when the true value is beyond the largest double */
        if (!isfinite(x)) x = (a + b / 2) * (a + b / 2) + 0.75 * b * b;
        q += x / 3;
    }
    t->mean = m;
    t->var = q / seg;
}

/* Reads file (already resolved) into a new table; path is stored as written. */
static dist_table *table_load(const char *file, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        set_err(err, errlen, "cannot open '%s': %s", file, strerror(errno));
        return NULL;
    }
    struct stat sb; /* a device or pipe (/dev/zero, /dev/stdin) would never end */
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(fp);
        set_err(err, errlen, "'%s' is not a regular file", file);
        return NULL;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fclose(fp);
        set_err(err, errlen, "out of memory reading '%s'", file);
        return NULL;
    }
    csv_state st = {.file = file, .err = err, .errlen = errlen};
    char *line = NULL;
    size_t linecap = 0;
    ssize_t got;
    while (!st.failed && (got = getline(&line, &linecap, fp)) > 0) {
        st.line++;
        if (csv_parse(&p, line, (size_t)got, csv_field_cb, csv_row_cb, &st) != (size_t)got) {
            st.failed = 1;
            set_err(err, errlen, "%s:%ld: %s", file, st.line, csv_strerror(csv_error(&p)));
        }
    }
    if (!st.failed && ferror(fp)) {
        st.failed = 1;
        set_err(err, errlen, "cannot read '%s': %s", file, strerror(errno));
    }
    if (!st.failed) csv_fini(&p, csv_field_cb, csv_row_cb, &st);
    csv_free(&p);
    free(line);
    free(st.first);
    fclose(fp);
    dist_table *t = NULL;
    if (!st.failed && st.n == 0) set_err(err, errlen, "'%s' holds no samples", file);
    if (!st.failed && st.n > 0) {
        t = table_alloc(st.n);
        char *pcopy = t ? strdup(path) : NULL;
        if (!t || !pcopy) {
            free(t);
            t = NULL;
            set_err(err, errlen, "out of memory reading '%s'", file);
        } else {
            t->path = pcopy;
            memcpy(t->v, st.v, st.n * sizeof(double));
            qsort(t->v, t->n, sizeof(double), cmp_double);
            table_moments(t);
        }
    }
    free(st.v);
    return t;
}

/* ---- parsing ---- */

/* Splits inner text into comma-separated arguments (commas inside double quotes do not
 * split), keeping the first 3. Returns the number of arguments (0 for blank text). */
static int split_args(const char *s, size_t len, const char *arg[3], size_t alen[3])
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i == len) return 0;
    int n = 0, quoted = 0;
    size_t start = 0;
    for (size_t k = 0; k <= len; k++) {
        if (k < len && s[k] == '"') quoted = !quoted;
        if (k == len || (s[k] == ',' && !quoted)) {
            if (n < 3) {
                arg[n] = s + start;
                alen[n] = k - start;
            }
            n++;
            start = k + 1;
        }
    }
    return n;
}

/* Copies an argument, trimmed, into buf. */
static void arg_copy(char *buf, size_t n, const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (len > n - 1) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
}

/* Parses the file argument of empirical(), then loads it. */
static int parse_empirical(dist *d, const char *file_arg, const char *base_dir, const char *text,
                           char *err, size_t errlen)
{
    char path[4096];
    size_t l = strlen(file_arg);
    if (l >= 2 && file_arg[0] == '"' && file_arg[l - 1] == '"') {
        memcpy(path, file_arg + 1, l - 2);
        path[l - 2] = '\0';
    } else {
        snprintf(path, sizeof path, "%s", file_arg);
    }
    if (path[0] == '\0' || strchr(path, '"')) {
        set_err(err, errlen, "bad file name in '%s' (expected empirical(file.csv))", text);
        return -1;
    }
    char full[8192];
    if (path[0] == '/' || !base_dir || !base_dir[0])
        snprintf(full, sizeof full, "%s", path);
    else
        snprintf(full, sizeof full, "%s%s%s", base_dir,
                 base_dir[strlen(base_dir) - 1] == '/' ? "" : "/", path);
    d->table = table_load(full, path, err, errlen);
    return d->table ? 0 : -1;
}

int dist_parse(const char *text, const char *base_dir, dist *d, char *err, size_t errlen)
{
    *d = dist_make_const(0);
    if (!text) text = "";
    while (*text == ' ' || *text == '\t') text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
                   text[len - 1] == '\n'))
        len--;
    char t[1024];
    if (len >= sizeof t) {
        set_err(err, errlen, "distribution text too long (%zu characters)", len);
        return -1;
    }
    memcpy(t, text, len);
    t[len] = '\0';
    if (len == 0) {
        set_err(err, errlen, "empty distribution (expected e.g. exp(2ms); one of " FAMILY_LIST ")");
        return -1;
    }
    if (starts_like_number(t)) { /* a bare duration is const() */
        double v;
        if (units_parse(t, UNIT_TIME, &v, err, errlen) < 0) return -1;
        *d = dist_make_const(v);
        return 0;
    }
    size_t nl = 0;
    while (nl < len && ((t[nl] >= 'a' && t[nl] <= 'z') || (t[nl] >= 'A' && t[nl] <= 'Z') ||
                        (t[nl] >= '0' && t[nl] <= '9') || t[nl] == '_'))
        nl++;
    char name[64];
    arg_copy(name, sizeof name, t, nl);
    const dist_family *f = NULL;
    for (size_t i = 0; i < NFAMILIES; i++)
        if (strcmp(families[i].name, name) == 0) f = &families[i];
    if (!f) {
        const char *names[NFAMILIES];
        for (size_t i = 0; i < NFAMILIES; i++) names[i] = families[i].name;
        const char *best = units_nearest(name, names, NFAMILIES);
        if (name[0] == '\0')
            set_err(err, errlen, "expected a distribution in '%s' (one of " FAMILY_LIST ")", t);
        else if (best)
            set_err(err, errlen,
                    "unknown distribution '%s' in '%s' (did you mean '%s'? expected one of "
                    FAMILY_LIST ")", name, t, best);
        else
            set_err(err, errlen, "unknown distribution '%s' in '%s' (expected one of " FAMILY_LIST
                    ")", name, t);
        return -1;
    }
    size_t open = nl;
    while (open < len && (t[open] == ' ' || t[open] == '\t')) open++;
    if (open == len || t[open] != '(') {
        set_err(err, errlen, "missing '(' after '%s' in '%s' (expected e.g. %s(...))", name, t,
                name);
        return -1;
    }
    if (t[len - 1] != ')') {
        set_err(err, errlen, "missing ')' at the end of '%s'", t);
        return -1;
    }
    const char *arg[3];
    size_t alen[3];
    int nargs = split_args(t + open + 1, len - open - 2, arg, alen);
    int max_args = f->kind == DIST_EMPIRICAL ? 2 : f->nargs;
    if (nargs < f->nargs || nargs > max_args) {
        if (f->kind == DIST_EMPIRICAL)
            set_err(err, errlen, "empirical takes 1 or 2 arguments (file, factor), got %d in '%s'",
                    nargs, t);
        else if (f->nargs == 1)
            set_err(err, errlen, "%s takes 1 argument (%s), got %d in '%s'", f->name, f->arg[0],
                    nargs, t);
        else
            set_err(err, errlen, "%s takes 2 arguments (%s, %s), got %d in '%s'", f->name,
                    f->arg[0], f->arg[1], nargs, t);
        return -1;
    }
    char a[2][1024];
    double v[2] = {0, 1};
    for (int i = 0; i < nargs; i++) {
        arg_copy(a[i], sizeof a[i], arg[i], alen[i]);
        if (f->kind == DIST_EMPIRICAL && i == 0) continue;
        char msg[512];
        if (units_parse(a[i], f->unit[i], &v[i], msg, sizeof msg) < 0) {
            set_err(err, errlen, "bad %s in '%s': %s", f->arg[i], t, msg);
            return -1;
        }
    }
    /* Range checks: which arguments must be > 0 (durations are already >= 0). */
    int positive[2] = {0, 0};
    switch (f->kind) {
    case DIST_EXP:
    case DIST_LOGNORMAL: positive[0] = 1; break;
    case DIST_GAMMA:
    case DIST_WEIBULL:
    case DIST_PARETO: positive[0] = positive[1] = 1; break;
    case DIST_EMPIRICAL: positive[1] = nargs == 2; break;
    default: break;
    }
    for (int i = 0; i < 2; i++) {
        if (positive[i] && !(v[i] > 0)) {
            set_err(err, errlen, "%s %s must be positive, got '%s' in '%s'", f->name, f->arg[i],
                    a[i], t);
            return -1;
        }
    }
    if (f->kind == DIST_UNIFORM && v[0] > v[1]) {
        set_err(err, errlen, "uniform lo '%s' is above hi '%s' in '%s'", a[0], a[1], t);
        return -1;
    }
    dist r = {.kind = f->kind, .p1 = v[0], .p2 = f->nargs == 2 ? v[1] : 0};
    if (f->kind == DIST_EMPIRICAL) {
        r.p1 = v[1];
        r.p2 = 0;
        if (parse_empirical(&r, a[0], base_dir, t, err, errlen) < 0) return -1;
    }
    derive(&r);
    /* Extreme ratios overflow the sampling constants, and the draws would be NaN. */
    if (f->kind == DIST_LOGNORMAL && !(isfinite(r.a) && isfinite(r.b))) {
        set_err(err, errlen, "lognormal sd '%s' is too large for mean '%s' in '%s' (sd/mean "
                "must stay below about 1e154)", a[1], a[0], t);
        return -1;
    }
    if (f->kind == DIST_GAMMA && !(isfinite(r.a) && r.a > 0 && isfinite(r.b) && r.b > 0)) {
        set_err(err, errlen, "gamma cv '%s' is too extreme for mean '%s' in '%s' (the shape "
                "1/cv^2 and the scale mean*cv^2 must be finite and above 0)", a[1], a[0], t);
        return -1;
    }
    *d = r;
    return 0;
}
