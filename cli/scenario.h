/* scenario.h: a scenario file resolved against the station option tables.
 *
 * Loading reads the INI document (ini.h), checks every section and key against the
 * per-kind option tables (registry.h), the [scenario] settings table, the [variant NAME]
 * overrides, the [sweep] keys and the --set overrides, and reports every problem as
 * file:line diagnostics (diag.h). A loaded scenario can then be resolved into one concrete
 * configuration per (variant, sweep point): every station's config struct filled, with the
 * provenance of each value (default, file:line, variant, sweep, --set).
 */
#ifndef DBSCALE_SCENARIO_H
#define DBSCALE_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/diag.h"
#include "cli/ini.h"
#include "sim/sim.h"
#include "sim/station.h"

/* [scenario] settings; filled through scenario_settings_options (an opt_def table). */
typedef struct scenario_settings {
    char *name;               /* scenario name (default: file name without .ini) */
    double duration;          /* simulated seconds per replication */
    double warmup;            /* fixed warm-up (s), when warmup_auto is 0 */
    int warmup_auto;          /* 1: MSER-5 ("warmup = auto") */
    int64_t replications;     /* independent replications */
    int64_t max_replications; /* cap when precision is set */
    double precision;         /* target relative CI half-width (0 = off) */
    int64_t seed;             /* master seed */
    double sample_interval;   /* time-series interval (s) */
    int64_t max_in_flight;    /* cap on live requests */
    char *slo;                /* SLO expression text, e.g. "p99 < 20ms" (or NULL) */
} scenario_settings;

/* The option table of [scenario] (also shown by `dbscale help scenario`). */
extern const opt_def scenario_settings_options[];

/* Cross-field checks of the settings (warmup below duration, max_replications at least
 * replications, a name usable as a folder). Returns 0, or -1 with a message in err and
 * *key set to the name of the row to blame. O(1). */
int scenario_settings_check(const scenario_settings *s, const char **key, char *err,
                            size_t n);

typedef enum value_source {
    FROM_DEFAULT,   /* the option table's default */
    FROM_FILE,      /* the base scenario (file:line) */
    FROM_VARIANT,   /* a [variant NAME] override (file:line) */
    FROM_SWEEP,     /* a [sweep] value */
    FROM_SET,       /* --set on the command line */
} value_source;

typedef struct provenance {
    value_source source;  /* where the value came from */
    const char *file;     /* file, for FROM_FILE / FROM_VARIANT / FROM_SWEEP */
    int line;             /* line in that file */
} provenance;

typedef struct resolved_station {
    char *name;                 /* section name */
    const station_kind *kind;   /* its type */
    void *config;               /* filled config struct (kind->config_size bytes) */
    provenance *prov;           /* one per row of kind->options */
} resolved_station;

/* One concrete configuration: a (variant, sweep point) of the scenario. */
typedef struct resolved {
    scenario_settings settings;     /* [scenario] */
    provenance *settings_prov;      /* one per row of scenario_settings_options */
    resolved_station *stations;     /* in file order */
    size_t n_stations;
    const char *variant;            /* variant name ("base", ...); the scenario's string */
    size_t variant_index;           /* 0 = base */
    size_t point;                   /* sweep point index (0 without a sweep) */
} resolved;

typedef struct sweep_axis {
    char *key;          /* "app.rate" */
    char **values;      /* value texts, in order */
    size_t n_values;
    const char *file;   /* where the sweep line is */
    int line;
} sweep_axis;

typedef struct scenario {
    char *path;                 /* file as given */
    char *base_dir;             /* its directory (relative file names) */
    ini_doc doc;                /* the parsed file(s) */
    char **variant_names;       /* "base" first, then each [variant NAME] in file order */
    size_t n_variants;
    sweep_axis *axes;           /* [sweep] keys, in file order */
    size_t n_axes;
    size_t n_points;            /* product of the axes' value counts (1 without a sweep) */
    char **sets;                /* --set KEY=VALUE texts */
    size_t n_sets;
    struct scenario_priv *priv; /* private: the checked assignments of every layer */
} scenario;

/* Reads and checks `path` with the --set overrides. Every problem goes to `diags`.
 * Returns 0 when usable, -1 when there were errors, -2 when the file does not exist.
 * Checks every variant x sweep point, so a run never fails half-way on a bad value. */
int scenario_load(scenario *sc, const char *path, const char *const *sets, size_t n_sets,
                  diag_list *diags);
void scenario_fini(scenario *sc);

/* Resolves one (variant, point). Returns 0, or -1 with diagnostics. */
int scenario_resolve(const scenario *sc, size_t variant, size_t point, resolved *out,
                     diag_list *diags);
void resolved_fini(resolved *r);

/* The value text of sweep axis `axis` at sweep point `point`. */
const char *scenario_point_value(const scenario *sc, size_t point, size_t axis);

/* Creates the resolved stations in s (station_new for each, in file order). 0 or -1. */
int resolved_build(const resolved *r, sim *s);

/* Prints the resolved configuration with the provenance of every value (dbscale check). */
void resolved_print(const resolved *r, FILE *out);

#endif
