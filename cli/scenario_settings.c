/* scenario_settings.c: the [scenario] option table (run settings) and its checks. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/scenario.h"
#include "sim/units.h"

/* warmup = TIME | auto. The row's field is `warmup`; `warmup_auto` is found from it
 * (both live in one scenario_settings). */
static scenario_settings *settings_of_warmup(void *field)
{
    return (scenario_settings *)((char *)field - offsetof(scenario_settings, warmup));
}

static int warmup_parse(const char *text, void *field, const char *base_dir, char *err,
                        size_t n)
{
    (void)base_dir;
    scenario_settings *s = settings_of_warmup(field);
    const char *a = text;
    while (*a == ' ' || *a == '\t') a++;
    size_t len = strlen(a);
    while (len > 0 && (a[len - 1] == ' ' || a[len - 1] == '\t')) len--;
    if (len == 4 && memcmp(a, "auto", 4) == 0) {
        s->warmup = 0;
        s->warmup_auto = 1;
        return 0;
    }
    double v;
    if (units_parse(text, UNIT_TIME, &v, NULL, 0) < 0 || v < 0) {
        snprintf(err, n, "bad warmup '%s' (expected a duration such as 5s, or auto)", text);
        return -1;
    }
    s->warmup = v;
    s->warmup_auto = 0;
    return 0;
}

static void warmup_release(void *field)
{
    (void)field;
}

static int warmup_format(const void *field, char *buf, size_t n)
{
    const scenario_settings *s =
        (const scenario_settings *)((const char *)field - offsetof(scenario_settings, warmup));
    if (s->warmup_auto) {
        int r = snprintf(buf, n, "auto");
        return r < 0 || (size_t)r >= n ? -1 : r;
    }
    return units_format(s->warmup, UNIT_TIME, buf, n);
}

#define SET_OFF(f) offsetof(scenario_settings, f)

/* The custom warm-up field spans warmup and warmup_auto, so copies take both. */
#define WARMUP_BYTES (SET_OFF(warmup_auto) + sizeof(int) - SET_OFF(warmup))

const opt_def scenario_settings_options[] = {
    {.name = "name", .type = OPT_STRING, .offset = SET_OFF(name), .def = "", .min = 1,
     .max = 0, .help = "scenario name, used for the output folder (default: file name "
                       "without .ini)"},
    {.name = "duration", .type = OPT_TIME, .offset = SET_OFF(duration), .def = "60s",
     .min = 1e-9, .max = 1e9, .help = "simulated time per replication"},
    {.name = "warmup", .type = OPT_CUSTOM, .offset = SET_OFF(warmup), .def = "0s", .min = 1,
     .max = 0, .help = "statistics are reset at this time; auto: MSER-5 per replication",
     .parse = warmup_parse, .release = warmup_release, .format = warmup_format,
     .size = WARMUP_BYTES},
    {.name = "replications", .type = OPT_INT, .offset = SET_OFF(replications), .def = "5",
     .min = 1, .max = 10000, .help = "independent replications (95% intervals over them)"},
    {.name = "max_replications", .type = OPT_INT, .offset = SET_OFF(max_replications),
     .def = "50", .min = 1, .max = 10000,
     .help = "most replications when precision is set"},
    {.name = "precision", .type = OPT_RATIO, .offset = SET_OFF(precision), .def = "0",
     .min = 0, .max = 1,
     .help = "add replications until the relative 95% half-width is within this (0 = off)"},
    {.name = "seed", .type = OPT_INT, .offset = SET_OFF(seed), .def = "1", .min = 0,
     .max = 9007199254740992.0, .help = "master seed of every random stream"},
    {.name = "sample_interval", .type = OPT_TIME, .offset = SET_OFF(sample_interval),
     .def = "1s", .min = 1e-6, .max = 1e9, .help = "time-series interval"},
    {.name = "max_in_flight", .type = OPT_INT, .offset = SET_OFF(max_in_flight),
     .def = "1M", .min = 1, .max = 1e9,
     .help = "most requests alive at once; the run stops with an error beyond it"},
    {.name = "slo", .type = OPT_STRING, .offset = SET_OFF(slo), .def = "", .min = 1,
     .max = 0, .help = "service-level objective checked in the report, e.g. p99 < 20ms"},
    {.name = NULL},
};

int scenario_settings_check(const scenario_settings *s, const char **key, char *err,
                            size_t n)
{
    char a[64], b[64];
    *key = NULL;
    if (s->name) {
        const char *nm = s->name;
        if (!nm[0] || strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strchr(nm, '/')) {
            *key = "name";
            snprintf(err, n, "scenario name '%s' cannot name an output folder (no '/', "
                             "not empty, '.' or '..')", nm);
            return -1;
        }
    }
    if (!s->warmup_auto && s->warmup >= s->duration) {
        *key = "warmup";
        if (units_format(s->warmup, UNIT_TIME, a, sizeof a) < 0) snprintf(a, sizeof a, "?");
        if (units_format(s->duration, UNIT_TIME, b, sizeof b) < 0) snprintf(b, sizeof b, "?");
        snprintf(err, n, "warmup %s is not shorter than duration %s (nothing would be "
                         "measured)", a, b);
        return -1;
    }
    if (s->max_replications < s->replications) {
        *key = "max_replications";
        snprintf(err, n, "max_replications %lld is below replications %lld",
                 (long long)s->max_replications, (long long)s->replications);
        return -1;
    }
    return 0;
}
