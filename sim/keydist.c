/* keydist.c: key popularity: parsing, zipf by rejection-inversion, exact probabilities,
 * and the optional rank-to-key scrambling permutation.
 *
 * Rejection-inversion for zipf (Hormann & Derflinger 1996), written for ranks 1..N with
 * h(x) = x^-s and its integral H(x) = (x^(1-s) - 1)/(1-s) (log x when s = 1), both
 * computed through expm1/log1p forms that stay accurate near s = 1. A point u is drawn
 * uniformly in (H(1.5) - h(1), H(N + 0.5)); x = H^-1(u) and k = round(x). k is
 * accepted when it lies in the squeeze (k - x <= 2 - H^-1(H(2.5) - h(2))) or when
 * u >= H(k + 0.5) - h(k); otherwise retry. The accepted k has probability exactly
 * h(k) / sum h, and the expected number of tries is bounded for every s > 0 and N.
 */
#include "sim/keydist.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/units.h"

#define ZIPF_MAX_N 9007199254740992.0 /* 2^53: ranks must be exact doubles */
#define LATEST_S 0.99                 /* YCSB's zipf constant for latest() */
#define HARMONIC_HEAD 10000           /* terms summed directly before Euler-Maclaurin */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* log1p(t)/t, continuous at t = 0. */
static double helper1(double t)
{
    return fabs(t) > 1e-8 ? log1p(t) / t : 1 - t * (0.5 - t / 3);
}

/* expm1(t)/t, continuous at t = 0. */
static double helper2(double t)
{
    return fabs(t) > 1e-8 ? expm1(t) / t : 1 + t * (0.5 + t / 6);
}

static double zipf_h(double s, double x) { return exp(-s * log(x)); }

static double zipf_H(double s, double x)
{
    double lx = log(x);
    return helper2((1 - s) * lx) * lx;
}

static double zipf_Hinv(double s, double y)
{
    return exp(helper1((1 - s) * y) * y);
}

/* sum_{k=from..to} k^-s, smallest terms first, Neumaier-compensated. */
static double power_sum(double s, uint64_t from, uint64_t to)
{
    double sum = 0, c = 0;
    for (uint64_t k = to; k >= from && k > 0; k--) {
        double x = zipf_h(s, (double)k);
        double t = sum + x;
        if (fabs(sum) >= fabs(x)) c += (sum - t) + x;
        else c += (x - t) + sum;
        sum = t;
    }
    return sum + c;
}

/* H(N,s) = sum_{k=1..N} k^-s. For large N: head terms 1..M-1 directly, and the tail
 * sum_{k=M..N} f(k), f(x) = x^-s, by Euler-Maclaurin:
 *   int_M^N f + (f(M) + f(N))/2 + sum_{j=1..3} B_2j/(2j)! (f^(2j-1)(N) - f^(2j-1)(M)),
 * B2/2! = 1/12, B4/4! = -1/720, B6/6! = 1/30240. The remainder is at most about
 * s(s+1)...(s+6) M^(-s-7) / 1.2e6, below 1e-15 of the sum for M = 10^4. */
static double zipf_harmonic(double s, uint64_t n)
{
    if (n <= 2 * (uint64_t)HARMONIC_HEAD) return power_sum(s, 1, n);
    double head = power_sum(s, 1, HARMONIC_HEAD - 1);
    double m = HARMONIC_HEAD, N = (double)n;
    double l = log(N / m);
    double integral = exp((1 - s) * log(m)) * l * helper2((1 - s) * l);
    double fm = zipf_h(s, m), fn = zipf_h(s, N);
    /* The largest tail term underflows (s above about 80): the tail is below 1e-300 and
     * head >= 1, so it does not show; the derivative factors below would overflow
     * (s^5 for s above about 1e61) and turn 0 * inf into NaN. */
    if (fm == 0) return head;
    double c1 = s, c3 = s * (s + 1) * (s + 2), c5 = c3 * (s + 3) * (s + 4);
    double d1 = -c1 * (fn / N - fm / m);
    double d3 = -c3 * (fn / (N * N * N) - fm / (m * m * m));
    double d5 = -c5 * (fn / (N * N * N * N * N) - fm / (m * m * m * m * m));
    return head + integral + (fm + fn) / 2 + d1 / 12 - d3 / 720 + d5 / 30240;
}

static void zipf_init(keydist *k, double s)
{
    double n = (double)k->n;
    k->s = s;
    k->h_x1 = zipf_H(s, 1.5) - 1.0;
    k->h_n = zipf_H(s, n + 0.5);
    k->squeeze = 2 - zipf_Hinv(s, zipf_H(s, 2.5) - zipf_h(s, 2));
    k->harmonic = zipf_harmonic(s, k->n);
}

/* A rank in 1..N with probability k^-s / H(N,s). O(1) expected. */
static uint64_t zipf_draw(const keydist *k, rng *r)
{
    double s = k->s, n = (double)k->n;
    for (;;) {
        double u = k->h_n + rng_uniform_pos(r) * (k->h_x1 - k->h_n);
        double x = zipf_Hinv(s, u);
        double kf = floor(x + 0.5);
        if (!(kf >= 1)) kf = 1; /* also catches NaN far in the tail */
        else if (kf > n) kf = n;
        if (kf - x <= k->squeeze || u >= zipf_H(s, kf + 0.5) - zipf_h(s, kf))
            return (uint64_t)kf;
    }
}

/* ---- scrambling: a fixed permutation of 0..N-1 ---- */

static const uint64_t feistel_keys[4] = {
    0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL, 0xd6e8feb86659fd93ULL,
};

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One pass of the 4-round Feistel network on 2*half_bits bits, or its inverse. */
static uint64_t feistel(unsigned hb, uint64_t x, int inverse)
{
    uint64_t mask = (hb >= 64 ? ~0ULL : (1ULL << hb) - 1);
    uint64_t l = x >> hb, r = x & mask;
    if (!inverse) {
        for (int i = 0; i < 4; i++) {
            uint64_t nl = r;
            r = l ^ (mix64(r ^ feistel_keys[i]) & mask);
            l = nl;
        }
    } else {
        for (int i = 3; i >= 0; i--) {
            uint64_t nr = l;
            l = r ^ (mix64(l ^ feistel_keys[i]) & mask);
            r = nr;
        }
    }
    return (l << hb) | r;
}

/* Rank (0-based) to key, or key to rank: cycle-walk the Feistel permutation of
 * [0, 4^half_bits) until the value falls in [0, N). Expected < 4 passes. */
static uint64_t permute(const keydist *k, uint64_t x, int inverse)
{
    do x = feistel(k->half_bits, x, inverse);
    while (x >= k->n);
    return x;
}

static uint64_t rank_to_key(const keydist *k, uint64_t rank0)
{
    return k->scramble ? permute(k, rank0, 0) : rank0;
}

static uint64_t key_to_rank(const keydist *k, uint64_t key)
{
    return k->scramble ? permute(k, key, 1) : key;
}

/* ---- public ---- */

uint64_t keydist_sample(keydist *k, rng *r)
{
    switch (k->kind) {
    case KEYDIST_UNIFORM: return rng_below(r, k->n);
    case KEYDIST_ZIPF: return rank_to_key(k, zipf_draw(k, r) - 1);
    case KEYDIST_HOTSPOT: {
        uint64_t x;
        if (rng_uniform(r) < k->frac_ops) x = rng_below(r, k->hot_n);
        else x = k->hot_n + rng_below(r, k->n - k->hot_n);
        return rank_to_key(k, x);
    }
    case KEYDIST_LATEST: {
        uint64_t d = zipf_draw(k, r) - 1;
        return d > k->newest ? 0 : k->newest - d;
    }
    }
    return 0;
}

void keydist_note_insert(keydist *k, uint64_t key)
{
    if (k->kind == KEYDIST_LATEST && key > k->newest) k->newest = key;
}

uint64_t keydist_count(const keydist *k) { return k->n; }

/* Probability of the 0-based zipf rank. */
static double zipf_p(const keydist *k, uint64_t rank0)
{
    return zipf_h(k->s, (double)rank0 + 1) / k->harmonic;
}

double keydist_probability(const keydist *k, uint64_t key)
{
    switch (k->kind) {
    case KEYDIST_UNIFORM: return key < k->n ? 1.0 / (double)k->n : 0;
    case KEYDIST_ZIPF: return key < k->n ? zipf_p(k, key_to_rank(k, key)) : 0;
    case KEYDIST_HOTSPOT: {
        if (key >= k->n) return 0;
        uint64_t x = key_to_rank(k, key);
        return x < k->hot_n ? k->frac_ops / (double)k->hot_n
                            : (1 - k->frac_ops) / (double)(k->n - k->hot_n);
    }
    case KEYDIST_LATEST: {
        if (key > k->newest) return 0;
        uint64_t d = k->newest - key;
        /* newest >= N-1 always (it starts there and only grows), so the clamp at key 0
         * never receives extra mass: every rank maps to its own key. */
        return d < k->n ? zipf_p(k, d) : 0;
    }
    }
    return 0;
}

/* Writes N exactly, with a k/M/G suffix when N is a whole multiple of it. */
static void format_count(char *buf, size_t n, uint64_t v)
{
    static const struct { uint64_t p; const char *name; } sfx[] = {
        {1000000000ULL, "G"}, {1000000ULL, "M"}, {1000ULL, "k"}};
    for (size_t i = 0; i < 3; i++) {
        if (v >= sfx[i].p && v % sfx[i].p == 0) {
            snprintf(buf, n, "%" PRIu64 "%s", v / sfx[i].p, sfx[i].name);
            return;
        }
    }
    snprintf(buf, n, "%" PRIu64, v);
}

int keydist_format(const keydist *k, char *buf, size_t n)
{
    char cnt[32], a[64], b[64];
    format_count(cnt, sizeof cnt, k->n);
    const char *scr = k->scramble ? ", scramble" : "";
    int len = -1;
    switch (k->kind) {
    case KEYDIST_UNIFORM: len = snprintf(buf, n, "uniform(%s)", cnt); break;
    case KEYDIST_LATEST: len = snprintf(buf, n, "latest(%s)", cnt); break;
    case KEYDIST_ZIPF:
        if (units_format(k->s, UNIT_NUMBER, a, sizeof a) < 0) break;
        len = snprintf(buf, n, "zipf(%s, %s%s)", a, cnt, scr);
        break;
    case KEYDIST_HOTSPOT:
        if (units_format(k->frac_keys, UNIT_RATIO, a, sizeof a) < 0 ||
            units_format(k->frac_ops, UNIT_RATIO, b, sizeof b) < 0)
            break;
        len = snprintf(buf, n, "hotspot(%s, %s, %s%s)", a, b, cnt, scr);
        break;
    }
    if (len < 0 || (size_t)len + 1 > n) {
        if (n > 0) buf[0] = '\0';
        return -1;
    }
    return len;
}

/* ---- parsing ---- */

/* One family: name, required and optional argument counts, argument names. */
typedef struct key_family {
    const char *name;     /* as written */
    keydist_kind kind;    /* kind it parses to */
    int nargs;            /* required arguments */
    int can_scramble;     /* accepts a trailing `scramble` */
    const char *argnames; /* for messages */
} key_family;

static const key_family key_families[] = {
    {"uniform", KEYDIST_UNIFORM, 1, 0, "N"},
    {"zipf", KEYDIST_ZIPF, 2, 1, "s, N"},
    {"hotspot", KEYDIST_HOTSPOT, 3, 1, "frac_keys, frac_ops, N"},
    {"latest", KEYDIST_LATEST, 1, 0, "N"},
};
#define NKEYFAM (sizeof key_families / sizeof key_families[0])
#define KEYFAM_LIST "uniform, zipf, hotspot, latest"

/* Trimmed copy of s[0..len) into buf (size n). */
static void copy_trim(char *buf, size_t n, const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                   s[len - 1] == '\n'))
        len--;
    if (len > n - 1) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
}

/* Parses a key count argument into *out with bounds [lo, hi]. */
static int parse_n(const char *arg, const char *t, const char *fam, uint64_t lo, double hi,
                   uint64_t *out, char *err, size_t errlen)
{
    char msg[256];
    if (units_parse_count(arg, out, msg, sizeof msg) < 0) {
        set_err(err, errlen, "bad N in '%s': %s", t, msg);
        return -1;
    }
    if (*out < lo) {
        set_err(err, errlen, "%s N must be at least %" PRIu64 ", got '%s' in '%s'", fam, lo, arg,
                t);
        return -1;
    }
    if ((double)*out > hi) {
        set_err(err, errlen, "%s N must be at most 2^53, got '%s' in '%s'", fam, arg, t);
        return -1;
    }
    return 0;
}

static int parse_real(const char *arg, unit_kind kind, const char *what, const char *t,
                      double *out, char *err, size_t errlen)
{
    char msg[256];
    if (units_parse(arg, kind, out, msg, sizeof msg) < 0) {
        set_err(err, errlen, "bad %s in '%s': %s", what, t, msg);
        return -1;
    }
    return 0;
}

int keydist_parse(const char *text, keydist *k, char *err, size_t errlen)
{
    char t[512];
    if (!text) text = "";
    if (strlen(text) >= sizeof t) {
        set_err(err, errlen, "key distribution text too long (%zu characters)", strlen(text));
        return -1;
    }
    copy_trim(t, sizeof t, text, strlen(text));
    size_t len = strlen(t);
    if (len == 0) {
        set_err(err, errlen, "empty key distribution (expected e.g. zipf(0.99, 1M); one of "
                KEYFAM_LIST ")");
        return -1;
    }
    size_t nl = 0;
    while (nl < len && ((t[nl] >= 'a' && t[nl] <= 'z') || (t[nl] >= 'A' && t[nl] <= 'Z') ||
                        (t[nl] >= '0' && t[nl] <= '9') || t[nl] == '_'))
        nl++;
    char name[64];
    copy_trim(name, sizeof name, t, nl);
    const key_family *f = NULL;
    for (size_t i = 0; i < NKEYFAM; i++)
        if (strcmp(key_families[i].name, name) == 0) f = &key_families[i];
    if (!f) {
        const char *names[NKEYFAM];
        for (size_t i = 0; i < NKEYFAM; i++) names[i] = key_families[i].name;
        const char *best = units_nearest(name, names, NKEYFAM);
        if (name[0] == '\0')
            set_err(err, errlen, "expected a key distribution in '%s' (one of " KEYFAM_LIST ")",
                    t);
        else if (best)
            set_err(err, errlen, "unknown key distribution '%s' in '%s' (did you mean '%s'? "
                    "expected one of " KEYFAM_LIST ")", name, t, best);
        else
            set_err(err, errlen, "unknown key distribution '%s' in '%s' (expected one of "
                    KEYFAM_LIST ")", name, t);
        return -1;
    }
    size_t open = nl;
    while (open < len && (t[open] == ' ' || t[open] == '\t')) open++;
    if (open == len || t[open] != '(') {
        set_err(err, errlen, "missing '(' after '%s' in '%s' (expected %s(%s))", name, t, name,
                f->argnames);
        return -1;
    }
    if (t[len - 1] != ')') {
        set_err(err, errlen, "missing ')' at the end of '%s'", t);
        return -1;
    }
    /* split the arguments */
    char arg[5][128];
    int nargs = 0;
    const char *inner = t + open + 1;
    size_t ilen = len - open - 2, start = 0;
    int blank = 1;
    for (size_t i = 0; i < ilen; i++)
        if (inner[i] != ' ' && inner[i] != '\t') blank = 0;
    for (size_t i = 0; !blank && i <= ilen; i++) {
        if (i == ilen || inner[i] == ',') {
            if (i - start >= sizeof arg[0]) { /* would be cut: 000...01000 would read as 1 */
                set_err(err, errlen, "argument %d too long in '%s' (at most %zu characters)",
                        nargs + 1, t, sizeof arg[0] - 1);
                return -1;
            }
            if (nargs < 5) copy_trim(arg[nargs], sizeof arg[nargs], inner + start, i - start);
            nargs++;
            start = i + 1;
        }
    }
    int scramble = 0;
    if (f->can_scramble && nargs == f->nargs + 1) {
        if (strcmp(arg[f->nargs], "scramble") != 0) {
            set_err(err, errlen, "unknown option '%s' in '%s' (expected scramble)",
                    arg[f->nargs], t);
            return -1;
        }
        scramble = 1;
        nargs--;
    }
    if (nargs != f->nargs) {
        set_err(err, errlen, "%s takes %d argument%s (%s%s), got %d in '%s'", f->name, f->nargs,
                f->nargs == 1 ? "" : "s", f->argnames,
                f->can_scramble ? ", optionally scramble" : "", nargs + scramble, t);
        return -1;
    }
    keydist r;
    memset(&r, 0, sizeof r);
    r.kind = f->kind;
    r.scramble = scramble;
    switch (f->kind) {
    case KEYDIST_UNIFORM:
        if (parse_n(arg[0], t, f->name, 1, 18446744073709551616.0, &r.n, err, errlen) < 0)
            return -1;
        break;
    case KEYDIST_LATEST:
        if (parse_n(arg[0], t, f->name, 1, ZIPF_MAX_N, &r.n, err, errlen) < 0) return -1;
        r.newest = r.n - 1;
        zipf_init(&r, LATEST_S);
        break;
    case KEYDIST_ZIPF: {
        double s;
        if (parse_real(arg[0], UNIT_NUMBER, "s", t, &s, err, errlen) < 0) return -1;
        if (!(s > 0)) {
            set_err(err, errlen, "zipf s must be positive, got '%s' in '%s'", arg[0], t);
            return -1;
        }
        if (parse_n(arg[1], t, f->name, 1, ZIPF_MAX_N, &r.n, err, errlen) < 0) return -1;
        zipf_init(&r, s);
        break;
    }
    case KEYDIST_HOTSPOT: {
        if (parse_real(arg[0], UNIT_RATIO, "frac_keys", t, &r.frac_keys, err, errlen) < 0 ||
            parse_real(arg[1], UNIT_RATIO, "frac_ops", t, &r.frac_ops, err, errlen) < 0)
            return -1;
        if (!(r.frac_keys > 0 && r.frac_keys < 1)) {
            set_err(err, errlen, "hotspot frac_keys must be between 0 and 1 (exclusive), got "
                    "'%s' in '%s'", arg[0], t);
            return -1;
        }
        if (!(r.frac_ops >= 0 && r.frac_ops <= 1)) {
            set_err(err, errlen, "hotspot frac_ops must be between 0 and 1, got '%s' in '%s'",
                    arg[1], t);
            return -1;
        }
        if (parse_n(arg[2], t, f->name, 2, 18446744073709551616.0, &r.n, err, errlen) < 0)
            return -1;
        double hot = floor(r.frac_keys * (double)r.n + 0.5);
        if (hot < 1) r.hot_n = 1;
        else if (hot >= (double)(r.n - 1)) r.hot_n = r.n - 1;
        else r.hot_n = (uint64_t)hot;
        break;
    }
    }
    unsigned bits = 0;
    for (uint64_t m = r.n - 1; m; m >>= 1) bits++;
    r.half_bits = (bits + 1) / 2 ? (bits + 1) / 2 : 1;
    *k = r;
    return 0;
}
