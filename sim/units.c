/* units.c: parsing and printing numbers with units, independent of the locale.
 *
 * A number is scanned by hand into its significant decimal digits and a power of ten;
 * unit scaling by powers of ten only moves that exponent, and the result is converted
 * once with strtod on text of the form "DIGITSeEXP" (no decimal point, so the locale's
 * decimal separator never matters). */
#include "sim/units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_MAX_DIGITS 400   /* significant digits accepted in one number */
#define UNITS_EXP_CLAMP 100000 /* exponents beyond this are out of range anyway */

/* A decimal number: value = (neg ? -1 : 1) * dig * 10^exp10. */
typedef struct decnum {
    int neg;                           /* 1 when a minus sign was written */
    char dig[UNITS_MAX_DIGITS + 1];    /* significant digits, no leading/trailing zeros */
    size_t ndig;                       /* number of digits in dig; 0 means the value 0 */
    long exp10;                        /* power of ten applied to the digit string */
} decnum;

/* One unit of a kind: value = number * 10^pow10 * mult / div. */
typedef struct unit_def {
    const char *name; /* text after the number ("" for a bare number) */
    int pow10;        /* decimal scaling applied to the text */
    double mult;      /* binary/sexagesimal factor applied after conversion */
    double div;       /* divisor applied after conversion (rates per minute, hour) */
} unit_def;

/* What a kind accepts. */
typedef struct kind_info {
    const unit_def *units; /* accepted units */
    size_t nunits;         /* entries in units */
    int signed_ok;         /* a leading minus is accepted */
    const char *noun;      /* "a duration" */
    const char *example;   /* "2ms" */
    const char *expected;  /* list of units for messages */
} kind_info;

static const unit_def time_units[] = {
    {"ns", -9, 1, 1}, {"us", -6, 1, 1}, {"ms", -3, 1, 1},
    {"s", 0, 1, 1},   {"m", 0, 60, 1},  {"h", 0, 3600, 1},
};
static const unit_def rate_units[] = {
    {"/s", 0, 1, 1},  {"/m", 0, 1, 60},  {"/h", 0, 1, 3600},
    {"k/s", 3, 1, 1}, {"k/m", 3, 1, 60}, {"k/h", 3, 1, 3600},
    {"M/s", 6, 1, 1}, {"M/m", 6, 1, 60}, {"M/h", 6, 1, 3600},
    {"G/s", 9, 1, 1}, {"G/m", 9, 1, 60}, {"G/h", 9, 1, 3600},
};
static const unit_def count_units[] = {
    {"", 0, 1, 1}, {"k", 3, 1, 1}, {"M", 6, 1, 1}, {"G", 9, 1, 1},
};
static const unit_def size_units[] = {
    {"B", 0, 1, 1},
    {"KB", 0, 1024.0, 1},          {"KiB", 0, 1024.0, 1},
    {"MB", 0, 1048576.0, 1},       {"MiB", 0, 1048576.0, 1},
    {"GB", 0, 1073741824.0, 1},    {"GiB", 0, 1073741824.0, 1},
    {"TB", 0, 1099511627776.0, 1}, {"TiB", 0, 1099511627776.0, 1},
};
static const unit_def ratio_units[] = {
    {"", 0, 1, 1}, {"%", -2, 1, 1},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const kind_info kinds[] = {
    [UNIT_NUMBER] = {count_units, NELEM(count_units), 1, "a number", "1.5",
                     "k, M, G or none"},
    [UNIT_TIME] = {time_units, NELEM(time_units), 0, "a duration", "2ms",
                   "ns, us, ms, s, m, h"},
    [UNIT_RATE] = {rate_units, NELEM(rate_units), 0, "a rate", "4000/s",
                   "/s, /m, /h, optionally after k, M, G"},
    [UNIT_COUNT] = {count_units, NELEM(count_units), 0, "a count", "1M",
                    "k, M, G or none"},
    [UNIT_SIZE] = {size_units, NELEM(size_units), 0, "a size", "16GB",
                   "B, KB, MB, GB, TB"},
    [UNIT_RATIO] = {ratio_units, NELEM(ratio_units), 1, "a ratio", "0.5 or 50%",
                    "% or none"},
};

static const kind_info *kind_get(unit_kind kind)
{
    if ((unsigned)kind >= NELEM(kinds)) return &kinds[UNIT_NUMBER];
    return &kinds[kind];
}

const char *units_expected(unit_kind kind) { return kind_get(kind)->expected; }

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Appends one scanned digit; returns -1 when there are too many significant digits. */
static int dec_push(decnum *d, char c)
{
    if (d->ndig == 0 && c == '0') return 0; /* leading zero */
    if (d->ndig >= UNITS_MAX_DIGITS) return -1;
    d->dig[d->ndig++] = c;
    return 0;
}

/* Scans a number at s (no leading space). Returns the characters consumed, 0 when there
 * is no number; *too_long set when it has more than UNITS_MAX_DIGITS digits. */
static size_t dec_scan(const char *s, decnum *d, int *too_long)
{
    const char *p = s;
    int seen = 0;
    long frac = 0;
    d->neg = 0;
    d->ndig = 0;
    d->exp10 = 0;
    *too_long = 0;
    if (*p == '+' || *p == '-') d->neg = *p++ == '-';
    for (; is_digit(*p); p++) {
        seen = 1;
        if (dec_push(d, *p) < 0) *too_long = 1;
    }
    if (*p == '.') {
        p++;
        for (; is_digit(*p); p++) {
            seen = 1;
            if (d->ndig > 0 || *p != '0') {
                if (dec_push(d, *p) < 0) *too_long = 1;
            }
            frac++;
        }
    }
    if (!seen) return 0;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int eneg = 0;
        if (*q == '+' || *q == '-') eneg = *q++ == '-';
        if (is_digit(*q)) {
            long e = 0;
            for (; is_digit(*q); q++)
                if (e < UNITS_EXP_CLAMP) e = e * 10 + (*q - '0');
            d->exp10 = eneg ? -e : e;
            p = q;
        }
    }
    d->exp10 -= frac;
    while (d->ndig > 0 && d->dig[d->ndig - 1] == '0') {
        d->ndig--;
        d->exp10++;
    }
    d->dig[d->ndig] = '\0';
    return (size_t)(p - s);
}

/* Converts d * 10^shift (magnitude only) to the nearest double. Returns -1 when the
 * result overflows or a non-zero value underflows to zero. */
static int dec_to_double(const decnum *d, long shift, double *out)
{
    if (d->ndig == 0) {
        *out = 0.0;
        return 0;
    }
    long e = d->exp10 + shift;
    long lead = e + (long)d->ndig; /* value lies in [10^(lead-1), 10^lead) */
    if (lead > 400 || lead < -400) return -1;
    char buf[UNITS_MAX_DIGITS + 32];
    snprintf(buf, sizeof buf, "%se%ld", d->dig, e);
    double v = strtod(buf, NULL);
    if (isinf(v) || v == 0.0) return -1;
    *out = v;
    return 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Trims whitespace: returns the first non-space character and its length. */
static const char *trim(const char *text, size_t *len)
{
    while (is_space(*text)) text++;
    size_t n = strlen(text);
    while (n > 0 && is_space(text[n - 1])) n--;
    *len = n;
    return text;
}

int units_parse(const char *text, unit_kind kind, double *out, char *err, size_t errlen)
{
    const kind_info *ki = kind_get(kind);
    size_t len;
    const char *s = trim(text ? text : "", &len);
    int q = (int)(len > 200 ? 200 : len); /* quoted length in messages */
    if (len == 0) {
        set_err(err, errlen, "empty value (expected %s, e.g. %s)", ki->noun, ki->example);
        return -1;
    }
    decnum d;
    int too_long;
    size_t used = dec_scan(s, &d, &too_long);
    if (used == 0 || used > len) {
        set_err(err, errlen, "bad number in '%.*s' (expected %s, e.g. %s)", q, s, ki->noun,
                ki->example);
        return -1;
    }
    if (too_long) {
        set_err(err, errlen, "too many digits in '%.*s'", q, s);
        return -1;
    }
    const char *u = s + used;
    while (u < s + len && is_space(*u)) u++;
    size_t ulen = (size_t)(s + len - u);
    const unit_def *unit = NULL;
    for (size_t i = 0; i < ki->nunits; i++) {
        if (strlen(ki->units[i].name) == ulen && memcmp(ki->units[i].name, u, ulen) == 0) {
            unit = &ki->units[i];
            break;
        }
    }
    if (!unit && ulen == 0) {
        if (d.ndig == 0) { /* a bare zero needs no unit */
            *out = 0.0;
            return 0;
        }
        set_err(err, errlen, "missing unit in '%.*s' (expected %s)", q, s, ki->expected);
        return -1;
    }
    if (!unit) {
        set_err(err, errlen, "unknown unit '%.*s' in '%.*s' (expected %s)", (int)ulen, u, q,
                s, ki->expected);
        return -1;
    }
    if (d.neg && d.ndig > 0 && !ki->signed_ok) {
        set_err(err, errlen, "negative value in '%.*s' (expected %s, e.g. %s)", q, s,
                ki->noun, ki->example);
        return -1;
    }
    double v;
    if (dec_to_double(&d, unit->pow10, &v) < 0) {
        set_err(err, errlen, "value out of range in '%.*s'", q, s);
        return -1;
    }
    v = v * unit->mult / unit->div;
    if (isinf(v)) {
        set_err(err, errlen, "value out of range in '%.*s'", q, s);
        return -1;
    }
    *out = d.neg && v != 0 ? -v : v;
    return 0;
}

int units_parse_count(const char *text, uint64_t *out, char *err, size_t errlen)
{
    double v;
    if (units_parse(text, UNIT_COUNT, &v, err, errlen) < 0) return -1;
    size_t len;
    const char *s = trim(text ? text : "", &len);
    int q = (int)(len > 200 ? 200 : len);
    if (v != floor(v)) {
        set_err(err, errlen, "count '%.*s' is not a whole number", q, s);
        return -1;
    }
    if (v > 18446744073709551616.0) {
        set_err(err, errlen, "count '%.*s' is too large (at most 18446744073709551615)", q, s);
        return -1;
    }
    /* Recompute exactly in integers: the double may have rounded a count above 2^53. */
    decnum d;
    int too_long;
    size_t used = dec_scan(s, &d, &too_long);
    const char *u = s + used;
    while (u < s + len && is_space(*u)) u++;
    long e = d.exp10;
    for (size_t i = 0; i < NELEM(count_units); i++)
        if (strlen(count_units[i].name) == (size_t)(s + len - u) &&
            memcmp(count_units[i].name, u, (size_t)(s + len - u)) == 0)
            e += count_units[i].pow10;
    if (e < 0 && d.ndig > 0) { /* e.g. 1.0000000000000000001: whole only after rounding */
        set_err(err, errlen, "count '%.*s' is not a whole number", q, s);
        return -1;
    }
    uint64_t x = 0;
    int overflow = 0;
    for (size_t i = 0; i < d.ndig && !overflow; i++) {
        uint64_t digit = (uint64_t)(d.dig[i] - '0');
        if (x > (UINT64_MAX - digit) / 10) overflow = 1;
        else x = x * 10 + digit;
    }
    for (long i = 0; i < e && !overflow && x != 0; i++) {
        if (x > UINT64_MAX / 10) overflow = 1;
        else x *= 10;
    }
    if (overflow) {
        set_err(err, errlen, "count '%.*s' is too large (at most 18446744073709551615)", q, s);
        return -1;
    }
    *out = x;
    return 0;
}

int units_is_plain(const char *text)
{
    size_t len;
    const char *s = trim(text ? text : "", &len);
    if (len == 0) return 0;
    decnum d;
    int too_long;
    size_t used = dec_scan(s, &d, &too_long);
    return used == len && !too_long;
}

/* ---- printing ---- */

/* Shortest decimal digits of v > 0 (finite) that convert back to v. */
static void dec_shortest(double v, decnum *d)
{
    char buf[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        d->neg = 0;
        d->ndig = 0;
        const char *c = buf;
        for (; *c && *c != 'e' && *c != 'E'; c++)
            if (is_digit(*c) && d->ndig < UNITS_MAX_DIGITS) d->dig[d->ndig++] = *c;
        long e = *c ? strtol(c + 1, NULL, 10) : 0;
        d->exp10 = e - (long)(d->ndig - 1);
        while (d->ndig > 0 && d->dig[d->ndig - 1] == '0') {
            d->ndig--;
            d->exp10++;
        }
        d->dig[d->ndig] = '\0';
        double back;
        if (dec_to_double(d, 0, &back) == 0 && back == v) return;
    }
}

/* Writes the digits of d scaled by 10^-shift as plain decimal text (scientific only for
 * very large or small values) followed by suffix. Returns the length, -1 if it does not
 * fit. */
static int dec_put(char *buf, size_t n, int neg, const decnum *d, long shift, const char *suffix)
{
    char tmp[UNITS_MAX_DIGITS + 64];
    size_t k = 0;
    if (neg) tmp[k++] = '-';
    if (d->ndig == 0) {
        tmp[k++] = '0';
    } else {
        long x = d->exp10 - shift;
        long pos = (long)d->ndig + x; /* digits before the decimal point */
        if (x >= 0 && pos <= 21) {
            memcpy(tmp + k, d->dig, d->ndig);
            k += d->ndig;
            for (long i = 0; i < x; i++) tmp[k++] = '0';
        } else if (x < 0 && pos > 0) {
            memcpy(tmp + k, d->dig, (size_t)pos);
            k += (size_t)pos;
            tmp[k++] = '.';
            memcpy(tmp + k, d->dig + pos, d->ndig - (size_t)pos);
            k += d->ndig - (size_t)pos;
        } else if (x < 0 && pos > -6) {
            tmp[k++] = '0';
            tmp[k++] = '.';
            for (long i = 0; i < -pos; i++) tmp[k++] = '0';
            memcpy(tmp + k, d->dig, d->ndig);
            k += d->ndig;
        } else {
            tmp[k++] = d->dig[0];
            if (d->ndig > 1) {
                tmp[k++] = '.';
                memcpy(tmp + k, d->dig + 1, d->ndig - 1);
                k += d->ndig - 1;
            }
            k += (size_t)snprintf(tmp + k, sizeof tmp - k, "e%ld", pos - 1);
        }
    }
    int m = snprintf(tmp + k, sizeof tmp - k, "%s", suffix);
    k += (size_t)m;
    if (k + 1 > n) return -1;
    memcpy(buf, tmp, k + 1);
    return (int)k;
}

/* Writes a candidate text for v and keeps it only if it parses back to exactly v. */
static int try_put(char *buf, size_t n, double v, unit_kind kind, int neg, const decnum *d,
                   long shift, const char *suffix)
{
    char tmp[UNITS_MAX_DIGITS + 64];
    int len = dec_put(tmp, sizeof tmp, neg, d, shift, suffix);
    double back;
    if (len < 0 || units_parse(tmp, kind, &back, NULL, 0) < 0 || back != v) return -2;
    if ((size_t)len + 1 > n) return -1;
    memcpy(buf, tmp, (size_t)len + 1);
    return len;
}

/* Number of digits after the decimal point when d is scaled by 10^-shift. */
static long dec_frac_digits(const decnum *d, long shift)
{
    long x = d->exp10 - shift;
    return x < 0 ? -x : 0;
}

/* Tries v * num / den printed with suffix when that is a whole number of readable size
 * (1 to 10^6). */
static int try_whole(char *buf, size_t n, double v, unit_kind kind, double num, double den,
                     const char *suffix)
{
    double q = v * num / den;
    if (q < 1 || q > 1e6 || q != floor(q)) return -2;
    decnum d;
    dec_shortest(q, &d);
    return try_put(buf, n, v, kind, 0, &d, 0, suffix);
}

static int format_time(double v, char *buf, size_t n)
{
    int r;
    if ((r = try_whole(buf, n, v, UNIT_TIME, 1, 3600, "h")) != -2) return r;
    if ((r = try_whole(buf, n, v, UNIT_TIME, 1, 60, "m")) != -2) return r;
    decnum d;
    dec_shortest(v, &d);
    long lead = d.exp10 + (long)d.ndig - 1; /* exponent of the leading digit */
    long shift = lead >= 0 ? 0 : lead >= -3 ? -3 : lead >= -6 ? -6 : -9;
    const char *unit = shift == 0 ? "s" : shift == -3 ? "ms" : shift == -6 ? "us" : "ns";
    return try_put(buf, n, v, UNIT_TIME, 0, &d, shift, unit);
}

static int format_rate(double v, char *buf, size_t n)
{
    decnum d;
    dec_shortest(v, &d);
    int r;
    if (d.ndig <= 6 && (r = try_put(buf, n, v, UNIT_RATE, 0, &d, 0, "/s")) != -2) return r;
    if ((r = try_whole(buf, n, v, UNIT_RATE, 60, 1, "/m")) != -2) return r;
    if ((r = try_whole(buf, n, v, UNIT_RATE, 3600, 1, "/h")) != -2) return r;
    return try_put(buf, n, v, UNIT_RATE, 0, &d, 0, "/s");
}

static int format_count(double v, unit_kind kind, int neg, char *buf, size_t n)
{
    static const struct { long pow; const char *name; } sfx[] = {{9, "G"}, {6, "M"}, {3, "k"}};
    double mag = neg ? -v : v;
    decnum d;
    dec_shortest(mag, &d);
    long lead = d.exp10 + (long)d.ndig - 1;
    for (size_t i = 0; i < NELEM(sfx); i++) {
        if (lead >= sfx[i].pow && dec_frac_digits(&d, sfx[i].pow) <= 2) {
            int r = try_put(buf, n, v, kind, neg, &d, sfx[i].pow, sfx[i].name);
            if (r != -2) return r;
        }
    }
    return try_put(buf, n, v, kind, neg, &d, 0, "");
}

static int format_size(double v, char *buf, size_t n)
{
    static const struct { double f; const char *name; } u[] = {
        {1099511627776.0, "TB"}, {1073741824.0, "GB"}, {1048576.0, "MB"}, {1024.0, "KB"}};
    for (size_t i = 0; i < NELEM(u); i++) {
        double q = v / u[i].f;
        if (q < 1) continue;
        decnum d;
        dec_shortest(q, &d);
        if (dec_frac_digits(&d, 0) > 2) continue;
        int r = try_put(buf, n, v, UNIT_SIZE, 0, &d, 0, u[i].name);
        if (r != -2) return r;
    }
    decnum d;
    dec_shortest(v, &d);
    return try_put(buf, n, v, UNIT_SIZE, 0, &d, 0, "B");
}

int units_format(double v, unit_kind kind, char *buf, size_t n)
{
    if (n > 0) buf[0] = '\0';
    const kind_info *ki = kind_get(kind);
    if (!isfinite(v) || (v < 0 && !ki->signed_ok)) return -1;
    if (v == 0) {
        static const char *zero[] = {[UNIT_NUMBER] = "0", [UNIT_TIME] = "0s",
                                     [UNIT_RATE] = "0/s", [UNIT_COUNT] = "0",
                                     [UNIT_SIZE] = "0B", [UNIT_RATIO] = "0"};
        const char *z = zero[(unsigned)kind < NELEM(zero) ? kind : UNIT_NUMBER];
        size_t len = strlen(z);
        if (len + 1 > n) return -1;
        memcpy(buf, z, len + 1);
        return (int)len;
    }
    int r;
    switch (kind) {
    case UNIT_TIME: r = format_time(v, buf, n); break;
    case UNIT_RATE: r = format_rate(v, buf, n); break;
    case UNIT_SIZE: r = format_size(v, buf, n); break;
    case UNIT_RATIO: {
        decnum d;
        dec_shortest(v < 0 ? -v : v, &d);
        r = try_put(buf, n, v, kind, v < 0, &d, 0, "");
        break;
    }
    case UNIT_COUNT:
    case UNIT_NUMBER:
    default: r = format_count(v, kind, v < 0, buf, n); break;
    }
    if (r < 0) {
        if (n > 0) buf[0] = '\0';
        return -1;
    }
    return r;
}

/* ---- suggestions ---- */

/* Edit distance (insert, delete, substitute) between two short strings; 64 when either
 * is longer than 63 characters. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *units_nearest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bd = 64;
    for (size_t i = 0; i < n; i++) {
        size_t e = edit_distance(word, names[i]);
        if (e < bd) bd = e, best = names[i];
    }
    size_t wl = strlen(word);
    if (wl == 0 || !best || !(bd <= 2 || bd * 2 <= wl)) return NULL;
    return best;
}
