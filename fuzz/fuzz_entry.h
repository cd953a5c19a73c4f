/* fuzz_entry.h: the checks the fuzz harnesses run on one input, shared by the libFuzzer
 * harnesses (fuzz/fuzz_scenario.c, fuzz/fuzz_values.c, built with clang by `make fuzz`)
 * and by the corpus replay in tests/check_fuzz_replay.c (built with gcc by `make test`),
 * so that a stored input is checked in exactly the way the fuzzer checked it.
 *
 * fuzz_scenario_input(data, size): the input is scenario text (bytes, NUL included),
 * optionally followed by a line "#--set" after which every non-empty line is one --set
 * text (an INI comment, so the corpus files still read as scenarios). It is loaded with
 * scenario_load_string as "fuzz.ini" (includes and empirical files relative to the
 * current directory: run from the repository root); every message is printed; a usable
 * scenario is resolved for every (variant, sweep point) (at most FUZZ_MAX_RUNS of them,
 * spread evenly: loading has already resolved each one) and printed as `dbscale check`
 * does, and every printed value must read back to a value that prints the same.
 *
 * fuzz_values_input(data, size): an input that starts with the line "csv" is the content
 * of an empirical file (written to a private temporary file and read as empirical()).
 * Any other input, up to its first NUL, is one value text, given
 * to units_parse for every unit kind, units_parse_count, dist_parse (empirical files
 * relative to tests/data/dist), keydist_parse and opt_set for every option type. Each
 * value that parses must format, parse back to the same value (bit for bit) and format
 * to the same text; formatting into a buffer one byte short must fail cleanly; a few
 * draws of each distribution must be non-negative numbers (infinite only where dist.h
 * says so) and, for few keys, key probabilities must sum to one; error messages must be
 * non-empty, lower-case at the start and fit any buffer, however small.
 *
 * A failed check prints what failed (and fuzz_input_name, when set) and aborts, which
 * libFuzzer reports as a crash and check as a failed test.
 */
#ifndef DBSCALE_FUZZ_ENTRY_H
#define DBSCALE_FUZZ_ENTRY_H

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/diag.h"
#include "cli/scenario.h"
#include "sim/dist.h"
#include "sim/keydist.h"
#include "sim/options.h"
#include "sim/rng.h"
#include "sim/units.h"

enum {
    FUZZ_MAX_RUNS = 32,     /* (variant, point) runs resolved and printed per input */
    FUZZ_MAX_SETS = 16,     /* --set texts taken from one input */
    FUZZ_TEXT_LEN = 2048,   /* formatted values */
    FUZZ_DRAWS = 16,        /* draws per distribution */
    FUZZ_SUM_KEYS = 64      /* largest N whose probabilities are summed */
};

#define FUZZ_DIST_DIR "tests/data/dist" /* base directory of empirical files */

/* Name of the input being replayed (for messages); NULL under libFuzzer. */
static const char *fuzz_input_name;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5), noreturn))
#endif
static inline void fuzz_fail(const char *file, int line, const char *cond, const char *f, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: fuzz check failed: %s", file, line, cond);
    if (fuzz_input_name) fprintf(stderr, " (input %s)", fuzz_input_name);
    fputs(": ", stderr);
    va_start(ap, f);
    vfprintf(stderr, f, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define FUZZ_CHECK(cond, ...) \
    do { \
        if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
    } while (0)

/* Bit-for-bit equality of two doubles (so 0 and -0 differ, NaN equals itself). */
static inline int fuzz_same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* An error message is non-empty and does not start with a capital letter. */
static inline void fuzz_check_message(const char *err, const char *what, const char *text)
{
    FUZZ_CHECK(err[0] != '\0', "%s of '%s' failed without a message", what, text);
    FUZZ_CHECK(!(err[0] >= 'A' && err[0] <= 'Z'), "%s of '%s': message '%s' starts in "
               "upper case", what, text, err);
}

/* ------------------------------------------------------------------ values */

typedef struct fuzz_cfg {
    int64_t i;      /* OPT_INT, no range */
    int64_t ir;     /* OPT_INT, 1..100 */
    double num;     /* OPT_NUMBER */
    double time;    /* OPT_TIME */
    double timer;   /* OPT_TIME, 1ms..1s */
    double rate;    /* OPT_RATE */
    double size;    /* OPT_SIZE */
    double ratio;   /* OPT_RATIO, 0..1 */
    dist d;         /* OPT_DIST */
    dist dr;        /* OPT_DIST, mean 0..1s */
    keydist k;      /* OPT_KEYS */
    int e;          /* OPT_ENUM */
    int b;          /* OPT_BOOL */
    char *str;      /* OPT_STRING */
} fuzz_cfg;

static const opt_choice fuzz_choices[] = {
    {"async", 0, "a"}, {"semi-sync", 1, "b"}, {"sync", 2, "c"}, {NULL, 0, NULL}};

#define FUZZ_ROW(n, t, f, lo, hi) \
    {.name = n, .type = t, .offset = offsetof(fuzz_cfg, f), .def = "", .min = lo, .max = hi, \
     .help = n}

static const opt_def fuzz_rows[] = {
    FUZZ_ROW("int", OPT_INT, i, 1, 0),
    FUZZ_ROW("int_range", OPT_INT, ir, 1, 100),
    FUZZ_ROW("number", OPT_NUMBER, num, 1, 0),
    FUZZ_ROW("time", OPT_TIME, time, 1, 0),
    FUZZ_ROW("time_range", OPT_TIME, timer, 0.001, 1),
    FUZZ_ROW("rate", OPT_RATE, rate, 1, 0),
    FUZZ_ROW("size", OPT_SIZE, size, 1, 0),
    FUZZ_ROW("ratio", OPT_RATIO, ratio, 0, 1),
    FUZZ_ROW("dist", OPT_DIST, d, 1, 0),
    FUZZ_ROW("dist_range", OPT_DIST, dr, 0, 1),
    FUZZ_ROW("keys", OPT_KEYS, k, 1, 0),
    {.name = "choice", .type = OPT_ENUM, .offset = offsetof(fuzz_cfg, e), .def = "async",
     .min = 1, .max = 0, .choices = fuzz_choices, .help = "choice"},
    FUZZ_ROW("bool", OPT_BOOL, b, 1, 0),
    FUZZ_ROW("string", OPT_STRING, str, 1, 0),
    {.name = NULL},
};

static inline void fuzz_units(const char *text)
{
    static const unit_kind kinds[] = {UNIT_NUMBER, UNIT_TIME, UNIT_RATE,
                                      UNIT_COUNT,  UNIT_SIZE, UNIT_RATIO};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        double v = -12345, back = -12345;
        char err[512] = "", buf[FUZZ_TEXT_LEN], again[FUZZ_TEXT_LEN];
        if (units_parse(text, kinds[k], &v, err, sizeof err) < 0) {
            fuzz_check_message(err, "units_parse", text);
            continue;
        }
        FUZZ_CHECK(isfinite(v), "units_parse('%s', %d) gave %g", text, (int)kinds[k], v);
        if (kinds[k] == UNIT_NUMBER && units_is_plain(text)) { /* the C library agrees */
            double c = strtod(text, NULL);
            FUZZ_CHECK(c == v, "'%s' parses as %.17g, strtod says %.17g", text, v, c);
        }
        if (kinds[k] != UNIT_NUMBER && kinds[k] != UNIT_RATIO)
            FUZZ_CHECK(v >= 0, "units_parse('%s', %d) gave negative %g", text, (int)kinds[k], v);
        int len = units_format(v, kinds[k], buf, sizeof buf);
        FUZZ_CHECK(len > 0 && (size_t)len == strlen(buf),
                   "units_format(%.17g, %d) of '%s' failed", v, (int)kinds[k], text);
        FUZZ_CHECK(units_parse(buf, kinds[k], &back, err, sizeof err) == 0,
                   "'%s' (from '%s', kind %d) does not parse back: %s", buf, text,
                   (int)kinds[k], err);
        FUZZ_CHECK(back == v, "'%s' parses to %.17g, '%s' reads back as %.17g (kind %d)", text,
                   v, buf, back, (int)kinds[k]);
        FUZZ_CHECK(units_format(back, kinds[k], again, sizeof again) == len &&
                       strcmp(buf, again) == 0,
                   "'%s' formats as '%s', then as '%s'", text, buf, again);
        char *tight = malloc((size_t)len);
        FUZZ_CHECK(tight != NULL, "out of memory");
        FUZZ_CHECK(units_format(v, kinds[k], tight, (size_t)len) == -1 && tight[0] == '\0',
                   "units_format of %.17g into %d bytes did not fail cleanly", v, len);
        free(tight);
    }
}

static inline void fuzz_count(const char *text)
{
    uint64_t x = 0, back = 0;
    double v = 0;
    char err[512] = "", buf[64];
    if (units_parse_count(text, &x, err, sizeof err) < 0) {
        fuzz_check_message(err, "units_parse_count", text);
        return;
    }
    FUZZ_CHECK(units_parse(text, UNIT_COUNT, &v, err, sizeof err) == 0,
               "'%s' is a count but not a COUNT value: %s", text, err);
    FUZZ_CHECK((double)x == v, "count '%s' is %" PRIu64 " but parses as %.17g", text, x, v);
    snprintf(buf, sizeof buf, "%" PRIu64, x);
    FUZZ_CHECK(units_parse_count(buf, &back, err, sizeof err) == 0 && back == x,
               "count %s (from '%s') does not read back", buf, text);
}

static inline void fuzz_dist_draws(const dist *d, const char *text)
{
    rng r;
    rng_seed(&r, 1, 0, "fuzz");
    for (int i = 0; i < FUZZ_DRAWS; i++) {
        double x = dist_sample(d, &r);
        /* dist.h: infinite draws only in these corners, never NaN or negative */
        int inf_ok = d->kind == DIST_PARETO || d->kind == DIST_WEIBULL ||
                     d->kind == DIST_EMPIRICAL || d->p1 > 1e290 || d->p2 > 1e290 ||
                     fabs(d->a) > 1e290 || fabs(d->b) > 1e290;
        FUZZ_CHECK(x >= 0 && (isfinite(x) || inf_ok), "draw %d of '%s' is %g", i, text, x);
    }
    double m = dist_mean(d), var = dist_variance(d);
    FUZZ_CHECK(m >= 0, "mean of '%s' is %g", text, m);
    FUZZ_CHECK(var >= 0, "variance of '%s' is %g", text, var);
}

static inline void fuzz_dist(const char *text)
{
    dist d, back;
    char err[1024] = "", buf[FUZZ_TEXT_LEN], again[FUZZ_TEXT_LEN];
    if (dist_parse(text, FUZZ_DIST_DIR, &d, err, sizeof err) < 0) {
        fuzz_check_message(err, "dist_parse", text);
        FUZZ_CHECK(d.kind == DIST_CONST && d.p1 == 0 && !d.table,
                   "failed dist_parse of '%s' left a non-const(0) dist", text);
        return;
    }
    int len = dist_format(&d, buf, sizeof buf);
    FUZZ_CHECK(len > 0 && (size_t)len == strlen(buf), "dist_format of '%s' failed", text);
    FUZZ_CHECK(dist_parse(buf, FUZZ_DIST_DIR, &back, err, sizeof err) == 0,
               "'%s' (from '%s') does not parse back: %s", buf, text, err);
    FUZZ_CHECK(back.kind == d.kind && fuzz_same(back.p1, d.p1) && fuzz_same(back.p2, d.p2) &&
                   fuzz_same(back.a, d.a) && fuzz_same(back.b, d.b),
               "'%s' -> '%s' changes the distribution (p1 %.17g -> %.17g, p2 %.17g -> %.17g)",
               text, buf, d.p1, back.p1, d.p2, back.p2);
    FUZZ_CHECK(!d.table == !back.table, "'%s': table lost", text);
    if (d.table) FUZZ_CHECK(dist_mean(&d) == dist_mean(&back), "'%s': table differs", text);
    FUZZ_CHECK(dist_format(&back, again, sizeof again) == len && strcmp(buf, again) == 0,
               "'%s' formats as '%s', then as '%s'", text, buf, again);
    char *tight = malloc((size_t)len);
    FUZZ_CHECK(tight != NULL, "out of memory");
    FUZZ_CHECK(dist_format(&d, tight, (size_t)len) == -1 && tight[0] == '\0',
               "dist_format of '%s' into %d bytes did not fail cleanly", buf, len);
    free(tight);
    fuzz_dist_draws(&d, text);
    dist copy;
    FUZZ_CHECK(dist_copy(&copy, &d) == 0, "dist_copy of '%s' failed", text);
    dist_scale(&copy, 2);
    dist_fini(&copy);
    dist_fini(&back);
    dist_fini(&d);
}

static inline void fuzz_keydist(const char *text)
{
    keydist k, back;
    char err[1024] = "", buf[FUZZ_TEXT_LEN], again[FUZZ_TEXT_LEN];
    if (keydist_parse(text, &k, err, sizeof err) < 0) {
        fuzz_check_message(err, "keydist_parse", text);
        return;
    }
    int len = keydist_format(&k, buf, sizeof buf);
    FUZZ_CHECK(len > 0 && (size_t)len == strlen(buf), "keydist_format of '%s' failed", text);
    FUZZ_CHECK(keydist_parse(buf, &back, err, sizeof err) == 0,
               "'%s' (from '%s') does not parse back: %s", buf, text, err);
    FUZZ_CHECK(back.kind == k.kind && back.n == k.n && back.scramble == k.scramble &&
                   fuzz_same(back.s, k.s) && fuzz_same(back.frac_keys, k.frac_keys) &&
                   fuzz_same(back.frac_ops, k.frac_ops) && back.hot_n == k.hot_n &&
                   fuzz_same(back.harmonic, k.harmonic) && back.newest == k.newest &&
                   back.half_bits == k.half_bits,
               "'%s' -> '%s' changes the key distribution", text, buf);
    FUZZ_CHECK(keydist_format(&back, again, sizeof again) == len && strcmp(buf, again) == 0,
               "'%s' formats as '%s', then as '%s'", text, buf, again);
    char *tight = malloc((size_t)len);
    FUZZ_CHECK(tight != NULL, "out of memory");
    FUZZ_CHECK(keydist_format(&k, tight, (size_t)len) == -1 && tight[0] == '\0',
               "keydist_format of '%s' into %d bytes did not fail cleanly", buf, len);
    free(tight);

    uint64_t n = keydist_count(&k);
    FUZZ_CHECK(n >= 1, "'%s' has no keys", text);
    rng r;
    rng_seed(&r, 1, 0, "fuzz");
    for (int i = 0; i < FUZZ_DRAWS; i++) {
        uint64_t key = keydist_sample(&k, &r);
        double p = keydist_probability(&k, key);
        FUZZ_CHECK(key < n, "'%s' drew key %" PRIu64 " of %" PRIu64, text, key, n);
        FUZZ_CHECK(p > 0 && p <= 1, "'%s' drew key %" PRIu64 " of probability %g", text, key,
                   p);
    }
    if (n <= FUZZ_SUM_KEYS) {
        double sum = 0;
        for (uint64_t key = 0; key < n; key++) {
            double p = keydist_probability(&k, key);
            FUZZ_CHECK(p >= 0 && p <= 1, "'%s': key %" PRIu64 " has probability %g", text,
                       key, p);
            sum += p;
        }
        FUZZ_CHECK(fabs(sum - 1) <= 1e-12, "'%s': probabilities sum to %.17g", text, sum);
    }
    keydist_note_insert(&k, n + 5);
    FUZZ_CHECK(keydist_count(&k) == n, "'%s': insert changed N", text);
}

/* opt_set for every option type; formatted values must read back and print the same. */
static inline void fuzz_options(const char *text)
{
    for (size_t i = 0; fuzz_rows[i].name; i++) {
        const opt_def *row = &fuzz_rows[i];
        fuzz_cfg a, b;
        char err[1024] = "";
        size_t cap = strlen(text) + FUZZ_TEXT_LEN; /* strings print as they are */
        char *buf = malloc(cap), *again = malloc(cap);
        FUZZ_CHECK(buf && again, "out of memory");
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        if (opt_set(row, &a, text, FUZZ_DIST_DIR, err, sizeof err) < 0) {
            fuzz_check_message(err, row->name, text);
        } else {
            int len = opt_format(row, &a, buf, cap);
            FUZZ_CHECK(len >= 0 && (size_t)len == strlen(buf), "opt_format %s of '%s' failed",
                       row->name, text);
            FUZZ_CHECK(opt_set(row, &b, buf, FUZZ_DIST_DIR, err, sizeof err) == 0,
                       "%s: '%s' (from '%s') does not read back: %s", row->name, buf, text,
                       err);
            FUZZ_CHECK(opt_format(row, &b, again, cap) == len && strcmp(buf, again) == 0,
                       "%s: '%s' prints as '%s', then as '%s'", row->name, text, buf, again);
        }
        free(buf);
        free(again);
        /* the smallest message buffers must hold a cut message, never overflow */
        for (size_t n = 1; n <= 3; n += 2) {
            fuzz_cfg c;
            memset(&c, 0, sizeof c);
            char *small = malloc(n);
            FUZZ_CHECK(small != NULL, "out of memory");
            small[0] = 'x';
            if (opt_set(row, &c, text, FUZZ_DIST_DIR, small, n) < 0)
                FUZZ_CHECK(memchr(small, '\0', n) != NULL, "%s: message of '%s' not ended",
                           row->name, text);
            free(small);
            opt_release(fuzz_rows, &c);
        }
        opt_release(fuzz_rows, &a);
        opt_release(fuzz_rows, &b);
    }
}

/* Empirical file contents: written to a private temporary file, read as empirical(),
 * then checked like any distribution; draws must lie between the smallest and the
 * largest sample. */
static inline void fuzz_csv(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/dbscale-fuzz-XXXXXX";
    int fd = mkstemp(path);
    FUZZ_CHECK(fd >= 0, "mkstemp failed");
    FILE *f = fdopen(fd, "wb");
    FUZZ_CHECK(f != NULL, "fdopen failed");
    FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", path);
    char text[64], err[1024] = "";
    snprintf(text, sizeof text, "empirical(%s)", path);
    dist d;
    if (dist_parse(text, NULL, &d, err, sizeof err) < 0) {
        fuzz_check_message(err, "empirical", path);
    } else {
        fuzz_dist(text);
        double lo = INFINITY, hi = -INFINITY, m = dist_mean(&d);
        rng r;
        rng_seed(&r, 2, 0, "fuzz");
        for (int i = 0; i < 64 * FUZZ_DRAWS; i++) {
            double x = dist_sample(&d, &r);
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        FUZZ_CHECK(isfinite(m) && lo <= hi && m >= 0, "empirical mean %g, draws %g..%g", m,
                   lo, hi);
        dist_fini(&d);
    }
    unlink(path);
}

static inline void fuzz_values_input(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "csv\n", 4) == 0) {
        fuzz_csv(data + 4, size - 4);
        return;
    }
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    if (size) memcpy(text, data, size);
    text[size] = '\0';
    fuzz_units(text);
    fuzz_count(text);
    fuzz_dist(text);
    fuzz_keydist(text);
    fuzz_options(text);
    free(text);
}

/* ------------------------------------------------------------------ scenarios */

/* Text printed to a memory stream by print(arg, stream); malloc'd. */
static inline char *fuzz_capture(void (*print)(const void *, FILE *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f != NULL, "open_memstream failed");
    print(arg, f);
    FUZZ_CHECK(fclose(f) == 0, "printing failed");
    return buf;
}

static inline void fuzz_print_diags(const void *d, FILE *f) { diag_print(d, f); }
static inline void fuzz_print_resolved(const void *r, FILE *f) { resolved_print(r, f); }

/* The directory a value written in file is read relative to ("" for the current one). */
static inline char *fuzz_dir_of(const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    size_t n = !slash ? 0 : slash == file ? 1 : (size_t)(slash - file);
    char *dir = malloc(n + 1);
    FUZZ_CHECK(dir != NULL, "out of memory");
    if (n) memcpy(dir, file, n);
    dir[n] = '\0';
    return dir;
}

/* Every row of one table: the printed value reads back and prints the same. */
static inline void fuzz_rows_round_trip(const opt_def *table, const void *config, size_t size,
                                        const provenance *prov, const char *section)
{
    for (size_t i = 0; table[i].name; i++) {
        const opt_def *row = &table[i];
        char buf[FUZZ_TEXT_LEN], again[FUZZ_TEXT_LEN], err[1024] = "";
        int len = opt_format(row, config, buf, sizeof buf);
        FUZZ_CHECK(len >= 0, "[%s] %s does not print", section, row->name);
        if (len == 0) continue; /* not set */
        void *scratch = calloc(1, size);
        FUZZ_CHECK(scratch != NULL, "out of memory");
        const char *file = prov[i].source == FROM_DEFAULT || prov[i].source == FROM_SET
                               ? NULL : prov[i].file;
        char *dir = fuzz_dir_of(file);
        FUZZ_CHECK(opt_set(row, scratch, buf, prov[i].source == FROM_DEFAULT ? "." : dir, err,
                           sizeof err) == 0,
                   "[%s] %s = %s does not read back: %s", section, row->name, buf, err);
        FUZZ_CHECK(opt_format(row, scratch, again, sizeof again) == len &&
                       strcmp(buf, again) == 0,
                   "[%s] %s = %s reads back as %s", section, row->name, buf, again);
        opt_def one[2];
        memset(one, 0, sizeof one);
        one[0] = *row;
        opt_release(one, scratch);
        free(scratch);
        free(dir);
    }
}

static inline void fuzz_check_run(const scenario *sc, size_t v, size_t pt)
{
    resolved r;
    diag_list d;
    diag_init(&d);
    int rc = scenario_resolve(sc, v, pt, &r, &d);
    char *msgs = fuzz_capture(fuzz_print_diags, &d);
    FUZZ_CHECK(rc == 0 && diag_errors(&d) == 0 && diag_warnings(&d) == 0,
               "run (%zu, %zu) of a loaded scenario does not resolve cleanly:\n%s", v, pt,
               msgs);
    free(msgs);
    FUZZ_CHECK(r.variant == sc->variant_names[v] && r.variant_index == v && r.point == pt &&
                   r.label && r.n_stations > 0,
               "run (%zu, %zu) is labelled wrongly", v, pt);
    char *out = fuzz_capture(fuzz_print_resolved, &r);
    FUZZ_CHECK(strncmp(out, "# scenario ", 11) == 0, "resolved_print wrote '%.40s'", out);
    if (v == 0 && pt == 0) { /* resolving is a pure function of (variant, point) */
        resolved r2;
        FUZZ_CHECK(scenario_resolve(sc, v, pt, &r2, &d) == 0, "second resolve failed");
        char *out2 = fuzz_capture(fuzz_print_resolved, &r2);
        FUZZ_CHECK(strcmp(out, out2) == 0, "two resolutions of one run differ");
        free(out2);
        resolved_fini(&r2);
    }
    free(out);
    fuzz_rows_round_trip(scenario_settings_options, &r.settings, sizeof r.settings,
                         r.settings_prov, "scenario");
    for (size_t i = 0; i < r.n_stations; i++) {
        const resolved_station *rs = &r.stations[i];
        fuzz_rows_round_trip(rs->kind->options, rs->config, rs->kind->config_size, rs->prov,
                             rs->name);
    }
    for (size_t x = 0; x < sc->n_axes; x++)
        FUZZ_CHECK(scenario_point_value(sc, pt, x) != NULL, "no value of axis %zu", x);
    resolved_fini(&r);
    diag_fini(&d);
}

static inline void fuzz_scenario_input(const uint8_t *data, size_t size)
{
    static const char marker[] = "#--set\n";
    const char *text = (const char *)data;
    size_t text_len = size;
    char *sets_text = NULL;
    const char *sets[FUZZ_MAX_SETS];
    size_t n_sets = 0;
    for (size_t i = 0; i + sizeof marker - 1 <= size; i++) {
        if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, marker, sizeof marker - 1) == 0) {
            text_len = i;
            size_t rest = size - i - (sizeof marker - 1);
            sets_text = malloc(rest + 1);
            FUZZ_CHECK(sets_text != NULL, "out of memory");
            if (rest) memcpy(sets_text, text + i + sizeof marker - 1, rest);
            sets_text[rest] = '\0';
            for (char *line = sets_text; line && n_sets < FUZZ_MAX_SETS;) {
                char *nl = strchr(line, '\n');
                if (nl) *nl = '\0';
                if (*line) sets[n_sets++] = line;
                line = nl ? nl + 1 : NULL;
            }
            break;
        }
    }

    scenario sc;
    diag_list d;
    diag_init(&d);
    int rc = scenario_load_string(&sc, "fuzz.ini", text, text_len, sets, n_sets, &d);
    char *msgs = fuzz_capture(fuzz_print_diags, &d);
    FUZZ_CHECK(rc == 0 || rc == -1, "scenario_load_string returned %d", rc);
    FUZZ_CHECK((rc != 0) == (diag_errors(&d) > 0), "returned %d with %zu errors:\n%s", rc,
               diag_errors(&d), msgs);
    free(msgs);
    if (rc != 0) {
        FUZZ_CHECK(!sc.priv && !sc.n_variants && !sc.path, "a failed load left sc non-empty");
        scenario_fini(&sc);
    } else {
        FUZZ_CHECK(sc.n_variants >= 1 && sc.n_points >= 1 &&
                       sc.n_points <= 1000000 / sc.n_variants,
                   "%zu variants x %zu points", sc.n_variants, sc.n_points);
        size_t runs = sc.n_variants * sc.n_points;
        size_t step = runs <= FUZZ_MAX_RUNS ? 1 : (runs + FUZZ_MAX_RUNS - 1) / FUZZ_MAX_RUNS;
        for (size_t k = 0; k < runs; k += step)
            fuzz_check_run(&sc, k / sc.n_points, k % sc.n_points);
        if ((runs - 1) % step) fuzz_check_run(&sc, sc.n_variants - 1, sc.n_points - 1);
        resolved r;
        FUZZ_CHECK(scenario_resolve(&sc, sc.n_variants, 0, &r, &d) == -1,
                   "resolving a variant past the end succeeded");
        resolved_fini(&r);
        scenario_fini(&sc);
    }
    diag_fini(&d);
    free(sets_text);
}

#endif
