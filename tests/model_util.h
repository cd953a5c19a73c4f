/* model_util.h: building small simulations from key=value text in C tests, through the
 * same option tables the scenario files use. */
#ifndef DBSCALE_MODEL_UTIL_H
#define DBSCALE_MODEL_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/options.h"
#include "sim/sim.h"
#include "sim/station.h"

/* Adds a station of `kind` named `name`; `settings` is a NULL-ended list of "key=value".
 * Fails the test on any error. */
static inline station *test_add_station(sim *s, const station_kind *kind, const char *name,
                                        const char *const *settings)
{
    char err[512];
    void *cfg = calloc(1, kind->config_size);
    ck_assert_ptr_nonnull(cfg);
    if (opt_defaults(kind->options, cfg, err, sizeof err) != 0) ck_abort_msg("%s", err);
    for (size_t i = 0; settings && settings[i]; i++) {
        char key[128];
        const char *eq = strchr(settings[i], '=');
        ck_assert_ptr_nonnull(eq);
        size_t klen = (size_t)(eq - settings[i]);
        ck_assert_uint_lt(klen, sizeof key);
        memcpy(key, settings[i], klen);
        key[klen] = '\0';
        const opt_def *d = opt_find(kind->options, key);
        if (!d) ck_abort_msg("no option '%s' in kind %s", key, kind->name);
        if (opt_set(d, cfg, eq + 1, ".", err, sizeof err) != 0) ck_abort_msg("%s: %s", key, err);
    }
    station *st = station_new(s, kind, name, cfg);
    ck_assert_ptr_nonnull(st);
    opt_release(kind->options, cfg);
    free(cfg);
    return st;
}

/* A run configuration with the usual test defaults. */
static inline sim_config test_config(uint64_t seed, uint64_t rep, double duration, double warmup)
{
    sim_config c = {.seed = seed, .replication = rep, .duration = duration, .warmup = warmup,
                    .sample_interval = 0, .max_in_flight = 1000000};
    return c;
}

#endif
