/* scenario.h: a scenario file resolved against the station option tables.
 *
 * Loading reads the INI document (ini.h), checks every section and key against the
 * per-kind option tables (registry.h), the [scenario] settings table, the [variant NAME]
 * overrides, the [sweep] keys and the --set overrides, and reports every problem as
 * file:line diagnostics (diag.h). A loaded scenario can then be resolved into one concrete
 * configuration per (variant, sweep point): every station's config struct filled, with the
 * provenance of each value (default, file:line, variant, sweep, --set).
 *
 * Precedence, lowest first: option default < base file (later lines and includes win) <
 * [variant NAME] < [sweep] value < --set (the last --set of a key wins). Keys of variants,
 * the sweep and --set are SECTION.KEY, split at the first dot (db.primary.cores is key
 * primary.cores of [db]); SECTION may be `scenario`.
 *
 * Sweeps: `KEY = v1, v2, v3` (commas inside parentheses do not split) or
 * `KEY = A..B step S` for numeric keys, in the key's unit; B is included when a step
 * reaches it within 1e-9 relative; at most 10000 values per range. Several keys form a
 * grid whose point index is row-major over the axes in file order (first axis slowest).
 *
 * Relative file names (empirical distributions) are taken from the directory of the file
 * that wrote the value; in --set values, from the current directory.
 *
 * Choices: [timeline] is reported as not supported yet. A section opened twice (two
 * [variant x] headers, say) is one section, as ini.h reads it. Problems that only some
 * runs show (a validate hook, a link cycle made by a variant) are reported once, with a
 * hint naming the runs; a station not reached from any clients station is a warning.
 */
#ifndef DBSCALE_SCENARIO_H
#define DBSCALE_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/diag.h"
#include "cli/ini.h"
#include "cli/timeline.h"
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

/* One concrete configuration: a (variant, sweep point) of the scenario. Its provenance
 * file names and `variant` point into the scenario, which must outlive it. */
typedef struct resolved {
    scenario_settings settings;     /* [scenario] */
    provenance *settings_prov;      /* one per row of scenario_settings_options */
    resolved_station *stations;     /* in file order */
    size_t n_stations;
    const char *variant;            /* variant name ("base", ...); the scenario's string */
    size_t variant_index;           /* 0 = base */
    size_t point;                   /* sweep point index (0 without a sweep) */
    char *label;                    /* "variant sync, app.rate = 2000/s" (owned) */
    timeline_action *timeline;      /* [timeline] actions in time order (owned) */
    const struct regions_def *regions; /* [regions] of the scenario (not owned; n may be 0) */
    size_t n_timeline;              /* held */
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
    char **sets;                /* --set KEY=VALUE texts (copies) */
    size_t n_sets;
    struct scenario_priv *priv; /* private: the checked assignments of every layer */
} scenario;

/* Reads and checks `path` with the --set overrides. Every problem goes to `diags`.
 * Returns 0 when usable, -1 when there were errors, -2 when the file does not exist.
 * Checks every variant x sweep point, so a run never fails half-way on a bad value; at
 * most 1000000 runs. On -1 and -2 sc is left empty (all zeros; scenario_fini on it is
 * harmless), so that only a usable scenario needs scenario_fini. Cost: reading the file,
 * then one copy of the base configuration plus the variant, sweep and --set values per
 * run (about 7 us per run for a two-station scenario). */
int scenario_load(scenario *sc, const char *path, const char *const *sets, size_t n_sets,
                  diag_list *diags);

/* As scenario_load, for len bytes of scenario text held in memory (NUL bytes in it are
 * reported as errors); name stands for the file in messages, names the scenario (as the
 * file name would) and anchors includes and relative file names (its directory, or the
 * current one). Returns 0 or -1, never -2. Cost: as scenario_load. Used by the fuzz
 * harness and tests. */
int scenario_load_string(scenario *sc, const char *name, const char *text, size_t len,
                         const char *const *sets, size_t n_sets, diag_list *diags);

/* Frees everything sc owns. O(size of the scenario). */
void scenario_fini(scenario *sc);

/* Resolves one (variant, point) of a scenario that loaded with 0 into out (caller-owned,
 * release with resolved_fini). Returns 0, or -1 with diagnostics (after a failed load,
 * or out of range). Adds no warnings (scenario_load gave them). Cost: a deep copy of the
 * base configuration built at load, then parsing the variant, sweep and --set values;
 * safe to call from several threads at once on one scenario. */
int scenario_resolve(const scenario *sc, size_t variant, size_t point, resolved *out,
                     diag_list *diags);

/* Frees what out holds. O(stations). */
void resolved_fini(resolved *r);

/* The value text of sweep axis `axis` at sweep point `point` (a string of sc). O(axes). */
const char *scenario_point_value(const scenario *sc, size_t point, size_t axis);

/* Creates the resolved stations in s (station_new for each, in file order). Returns 0,
 * or -1 when out of memory. O(stations). */
int resolved_build(const resolved *r, sim *s);

/* Prints the resolved configuration for `dbscale check`: a "# scenario NAME, LABEL" line,
 * then [scenario] and each station with every option (defaults included) as
 * `key = value  # where` (default, file:line, variant NAME (file:line), sweep
 * (file:line), --set), keys and values aligned per section, values printed so they
 * parse back. O(options). */
void resolved_print(const resolved *r, FILE *out);

#endif
