/* check_scenario.c: the scenario resolver: layers (default < file < variant < sweep <
 * --set) with provenance, sweep grids and ranges, and one file per kind of mistake with
 * the exact diagnostics it must print (file:line, echoed line, marker, hint).
 * Files are read from tests/data/scenarios/ relative to the repository root. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/results.h"
#include "cli/runner.h"
#include "cli/scenario.h"
#include "models/clients.h"
#include "models/server.h"
#include "sim/sim.h"
#include "sim/units.h"
#include "tests/test_util.h"

#define DATA "tests/data/scenarios/"

/* Everything diag_print writes for d, as a malloc'd string. */
static char *printed(const diag_list *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    diag_print(d, f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

/* Loads a file that must be good: no diagnostics at all. */
static void load_good(scenario *sc, const char *path, const char *const *sets, size_t n)
{
    diag_list d;
    diag_init(&d);
    int rc = scenario_load(sc, path, sets, n, &d);
    char *text = printed(&d);
    ck_assert_msg(rc == 0 && d.n == 0, "%s: rc %d, diagnostics:\n%s", path, rc, text);
    free(text);
    diag_fini(&d);
}

static void resolve_good(const scenario *sc, size_t v, size_t p, resolved *r)
{
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(scenario_resolve(sc, v, p, r, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    diag_fini(&d);
}

/* The row index of `key` in a station's (or the settings') option table. */
static size_t row_of(const opt_def *table, const char *key)
{
    const opt_def *def = opt_find(table, key);
    ck_assert_msg(def != NULL, "no key '%s'", key);
    return (size_t)(def - table);
}

static void assert_prov(const provenance *pv, value_source src, const char *file, int line)
{
    ck_assert_int_eq(pv->source, src);
    if (file) ck_assert_str_eq(pv->file, file);
    else ck_assert_ptr_null(pv->file);
    ck_assert_int_eq(pv->line, line);
}

/* Out-of-range runs are refused with a message, not resolved. */
START_TEST(test_resolve_range)
{
    scenario sc;
    load_good(&sc, DATA "good.ini", NULL, 0);
    resolved r;
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(scenario_resolve(&sc, 3, 0, &r, &d), -1);
    ck_assert_int_eq(scenario_resolve(&sc, 0, 6, &r, &d), -1);
    ck_assert_uint_eq(diag_errors(&d), 2);
    diag_fini(&d);
    scenario_fini(&sc);
}
END_TEST

/* ------------------------------------------------------------------ the good file */

START_TEST(test_good_structure)
{
    scenario sc;
    load_good(&sc, DATA "good.ini", NULL, 0);
    ck_assert_uint_eq(sc.n_variants, 3);
    ck_assert_str_eq(sc.variant_names[0], "base");
    ck_assert_str_eq(sc.variant_names[1], "fast");
    ck_assert_str_eq(sc.variant_names[2], "big");
    ck_assert_uint_eq(sc.n_axes, 2);
    ck_assert_str_eq(sc.axes[0].key, "app.rate");
    ck_assert_uint_eq(sc.axes[0].n_values, 3);
    ck_assert_str_eq(sc.axes[0].values[0], "1000/s");
    ck_assert_str_eq(sc.axes[0].values[1], "2000/s");
    ck_assert_str_eq(sc.axes[0].values[2], "3000/s");
    ck_assert_str_eq(sc.axes[0].file, DATA "good.ini");
    ck_assert_int_eq(sc.axes[0].line, 31);
    ck_assert_str_eq(sc.axes[1].key, "db.servers");
    ck_assert_uint_eq(sc.axes[1].n_values, 2);
    ck_assert_str_eq(sc.axes[1].values[0], "1");
    ck_assert_str_eq(sc.axes[1].values[1], "2");
    ck_assert_int_eq(sc.axes[1].line, 32);
    ck_assert_uint_eq(sc.n_points, 6);
    /* row-major, first axis slowest */
    static const char *const rate[6] = {"1000/s", "1000/s", "2000/s", "2000/s", "3000/s",
                                        "3000/s"};
    static const char *const servers[6] = {"1", "2", "1", "2", "1", "2"};
    for (size_t p = 0; p < 6; p++) {
        ck_assert_str_eq(scenario_point_value(&sc, p, 0), rate[p]);
        ck_assert_str_eq(scenario_point_value(&sc, p, 1), servers[p]);
    }
    scenario_fini(&sc);
}
END_TEST

/* One (variant, point) of good.ini and what it must resolve to. */
static const struct resolve_case {
    size_t variant, point;
    const char *label;
    double rate;                   /* app.rate */
    value_source rate_src;
    int rate_line;
    int64_t servers;               /* db.servers */
    value_source servers_src;
    int servers_line;
    double service_mean;           /* db.service */
    value_source service_src;
    int service_line;
    double duration;               /* scenario.duration */
    value_source duration_src;
    int duration_line;
} resolve_cases[] = {
    {0, 0, "variant base, app.rate = 1000/s, db.servers = 1", 1000, FROM_SWEEP, 31, 1,
     FROM_SWEEP, 32, 0.001, FROM_FILE, 21, 20, FROM_FILE, 3},
    /* the variant's service time; the point's rate and servers */
    {1, 3, "variant fast, app.rate = 2000/s, db.servers = 2", 2000, FROM_SWEEP, 31, 2,
     FROM_SWEEP, 32, 0.0005, FROM_VARIANT, 24, 20, FROM_FILE, 3},
    /* the sweep beats the variant's servers = 4; the variant's duration holds */
    {2, 4, "variant big, app.rate = 3000/s, db.servers = 1", 3000, FROM_SWEEP, 31, 1,
     FROM_SWEEP, 32, 0.001, FROM_FILE, 21, 30, FROM_VARIANT, 28},
};

START_TEST(test_good_resolve)
{
    const struct resolve_case *c = &resolve_cases[_i];
    const char *file = DATA "good.ini";
    scenario sc;
    load_good(&sc, file, NULL, 0);
    resolved r;
    resolve_good(&sc, c->variant, c->point, &r);
    ck_assert_str_eq(r.label, c->label);
    ck_assert_str_eq(r.variant, sc.variant_names[c->variant]);
    ck_assert_uint_eq(r.variant_index, c->variant);
    ck_assert_uint_eq(r.point, c->point);
    ck_assert_uint_eq(r.n_stations, 2);

    const resolved_station *app = &r.stations[0], *db = &r.stations[1];
    ck_assert_str_eq(app->name, "app");
    ck_assert_str_eq(app->kind->name, "clients");
    ck_assert_str_eq(db->name, "db");
    ck_assert_str_eq(db->kind->name, "server");
    const clients_config *ac = app->config;
    const server_config *dc = db->config;
    ck_assert(ac->rate == c->rate);
    assert_prov(&app->prov[row_of(app->kind->options, "rate")], c->rate_src, file,
                c->rate_line);
    ck_assert(ac->read_ratio == 0.9);
    assert_prov(&app->prov[row_of(app->kind->options, "read_ratio")], FROM_FILE, file, 14);
    ck_assert_str_eq(ac->next, "db");
    assert_prov(&app->prov[row_of(app->kind->options, "next")], FROM_FILE, file, 16);
    assert_prov(&app->prov[row_of(app->kind->options, "users")], FROM_DEFAULT, NULL, 0);
    ck_assert_int_eq(dc->servers, c->servers);
    assert_prov(&db->prov[row_of(db->kind->options, "servers")], c->servers_src, file,
                c->servers_line);
    ck_assert(dist_mean(&dc->service) == c->service_mean);
    assert_prov(&db->prov[row_of(db->kind->options, "service")], c->service_src, file,
                c->service_line);

    const scenario_settings *s = &r.settings;
    const opt_def *t = scenario_settings_options;
    ck_assert(s->duration == c->duration);
    assert_prov(&r.settings_prov[row_of(t, "duration")], c->duration_src, file,
                c->duration_line);
    /* include: parts/common.ini (read inside [scenario]) overrides warmup = 2s */
    ck_assert_int_eq(s->warmup_auto, 1);
    assert_prov(&r.settings_prov[row_of(t, "warmup")], FROM_FILE,
                DATA "parts/common.ini", 3);
    ck_assert(s->sample_interval == 0.5);
    assert_prov(&r.settings_prov[row_of(t, "sample_interval")], FROM_FILE,
                DATA "parts/common.ini", 2);
    ck_assert_str_eq(s->name, "good");
    assert_prov(&r.settings_prov[row_of(t, "name")], FROM_DEFAULT, NULL, 0);
    ck_assert_int_eq(s->replications, 3);
    ck_assert_int_eq(s->max_replications, 50);
    ck_assert(s->precision == 0);
    ck_assert_int_eq(s->seed, 7);
    ck_assert_int_eq(s->max_in_flight, 1000000);
    ck_assert_str_eq(s->slo, "p99 < 20ms");
    resolved_fini(&r);
    scenario_fini(&sc);
}
END_TEST

/* --set beats everything; the last --set of a key wins; files are untouched otherwise. */
START_TEST(test_set_precedence)
{
    static const char *const sets[] = {"db.servers=8", "scenario.duration = 5s",
                                       "app.read_ratio=50%", "db.servers=9"};
    scenario sc;
    load_good(&sc, DATA "good.ini", sets, 4);
    resolved r;
    resolve_good(&sc, 2, 5, &r); /* big: servers 4 in the variant, 2 at sweep point 5 */
    const server_config *dc = r.stations[1].config;
    const clients_config *ac = r.stations[0].config;
    const opt_def *st = r.stations[1].kind->options, *ct = r.stations[0].kind->options;
    ck_assert_int_eq(dc->servers, 9);
    assert_prov(&r.stations[1].prov[row_of(st, "servers")], FROM_SET, NULL, 0);
    ck_assert(r.settings.duration == 5);
    assert_prov(&r.settings_prov[row_of(scenario_settings_options, "duration")], FROM_SET,
                NULL, 0);
    ck_assert(ac->read_ratio == 0.5);
    assert_prov(&r.stations[0].prov[row_of(ct, "read_ratio")], FROM_SET, NULL, 0);
    ck_assert(ac->rate == 3000); /* not set: the sweep's value */
    assert_prov(&r.stations[0].prov[row_of(ct, "rate")], FROM_SWEEP, DATA "good.ini", 31);
    resolved_fini(&r);
    scenario_fini(&sc);
}
END_TEST

/* The [scenario] block exactly; station rows by their key, value and provenance (their
 * tables belong to the models and may grow). */
START_TEST(test_print)
{
    static const char *const sets[] = {"app.keys=uniform(10)"};
    scenario sc;
    load_good(&sc, DATA "good.ini", sets, 1);
    resolved r;
    resolve_good(&sc, 1, 0, &r);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(f);
    resolved_print(&r, f);
    ck_assert_int_eq(fclose(f), 0);
    const char *want_head =
        "# scenario good, variant fast, app.rate = 1000/s, db.servers = 1\n"
        "[scenario]\n"
        "  name             = good        # default\n"
        "  duration         = 20s         # tests/data/scenarios/good.ini:3\n"
        "  warmup           = auto        # tests/data/scenarios/parts/common.ini:3\n"
        "  replications     = 3           # tests/data/scenarios/good.ini:5\n"
        "  max_replications = 50          # default\n"
        "  precision        = 0           # default\n"
        "  seed             = 7           # tests/data/scenarios/good.ini:6\n"
        "  sample_interval  = 500ms       # tests/data/scenarios/parts/common.ini:2\n"
        "  max_in_flight    = 1000000     # default\n"
        "  slo              = p99 < 20ms  # tests/data/scenarios/good.ini:7\n"
        "\n"
        "[app]  type = clients\n";
    ck_assert_msg(strncmp(out, want_head, strlen(want_head)) == 0, "got:\n%s", out);
    /* key, value, provenance of single station lines */
    static const char *const rows[][3] = {
        {"rate", "1000/s", "# sweep (tests/data/scenarios/good.ini:31)"},
        {"read_ratio", "0.9", "# tests/data/scenarios/good.ini:14"},
        {"keys", "uniform(10)", "# --set"},
        {"next", "db", "# tests/data/scenarios/good.ini:16"},
        {"service", "exp(500us)", "# variant fast (tests/data/scenarios/good.ini:24)"},
        {"servers", "1", "# sweep (tests/data/scenarios/good.ini:32)"},
        {"users", "1000", "# default"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char head[64], val[64];
        snprintf(head, sizeof head, "\n  %s ", rows[i][0]);
        const char *at = strstr(out, head);
        ck_assert_msg(at != NULL, "no row '%s' in:\n%s", rows[i][0], out);
        const char *eol = strchr(at + 1, '\n');
        char *line = strndup(at + 1, (size_t)(eol - at - 1));
        snprintf(val, sizeof val, "= %s ", rows[i][1]);
        ck_assert_msg(strstr(line, val) != NULL, "row '%s'", line);
        size_t ll = strlen(line), pl = strlen(rows[i][2]);
        ck_assert_msg(ll > pl && strcmp(line + ll - pl, rows[i][2]) == 0, "row '%s'", line);
        free(line);
    }
    ck_assert_ptr_nonnull(strstr(out, "\n\n[db]  type = server\n"));
    free(out);
    resolved_fini(&r);
    scenario_fini(&sc);
}
END_TEST

/* Ranges in several units: values printed so they parse back exactly; the end is kept
 * when the steps reach it within rounding (0.1 + 2 * 0.1 is not 0.3 in binary). */
START_TEST(test_ranges)
{
    scenario sc;
    load_good(&sc, DATA "ranges.ini", NULL, 0);
    ck_assert_uint_eq(sc.n_axes, 4);
    static const char *const want[4][4] = {
        {"0.1", "0.2", "0.3", NULL},
        {"1", "4", "7", "10"},
        {"exp(1ms)", "exp(2ms)", NULL, NULL},
        {"1500/s", "1750/s", "2000/s", NULL},
    };
    static const size_t counts[4] = {3, 4, 2, 3};
    size_t points = 1;
    for (size_t x = 0; x < 4; x++) {
        ck_assert_uint_eq(sc.axes[x].n_values, counts[x]);
        for (size_t k = 0; k < counts[x]; k++)
            ck_assert_str_eq(sc.axes[x].values[k], want[x][k]);
        points *= counts[x];
    }
    ck_assert_uint_eq(sc.n_points, points);
    double v;
    ck_assert_int_eq(units_parse(sc.axes[0].values[2], UNIT_RATIO, &v, NULL, 0), 0);
    ck_assert(v == 0.3);
    /* last axis fastest: point 1 moves app.rate only; the last point is every last value */
    ck_assert_str_eq(scenario_point_value(&sc, 1, 3), "1750/s");
    ck_assert_str_eq(scenario_point_value(&sc, 1, 0), "0.1");
    for (size_t x = 0; x < 4; x++)
        ck_assert_str_eq(scenario_point_value(&sc, points - 1, x), want[x][counts[x] - 1]);
    resolved r;
    resolve_good(&sc, 0, points - 1, &r);
    const clients_config *ac = r.stations[0].config;
    const server_config *qc = r.stations[1].config;
    ck_assert(ac->read_ratio == 0.3);
    ck_assert(ac->rate == 2000);
    ck_assert_int_eq(qc->servers, 10);
    ck_assert(dist_mean(&qc->service) == 0.002);
    resolved_fini(&r);
    scenario_fini(&sc);
}
END_TEST

START_TEST(test_build)
{
    scenario sc;
    load_good(&sc, DATA "good.ini", NULL, 0);
    resolved r;
    resolve_good(&sc, 0, 0, &r);
    sim s;
    sim_config cfg = {.seed = 1, .duration = 1, .max_in_flight = 100};
    ck_assert_int_eq(sim_init(&s, &cfg), 0);
    ck_assert_int_eq(resolved_build(&r, &s), 0);
    ck_assert_uint_eq(s.n_stations, 2);
    ck_assert_str_eq(s.stations[0]->name, "app");
    ck_assert_str_eq(s.stations[1]->name, "db");
    ck_assert_ptr_eq(s.stations[1]->kind, r.stations[1].kind);
    ck_assert_int_eq(((const server_config *)s.stations[1]->config)->servers, 1);
    sim_fini(&s);
    resolved_fini(&r);
    scenario_fini(&sc);
}
END_TEST

START_TEST(test_missing_file)
{
    scenario sc;
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(scenario_load(&sc, DATA "nope.ini", NULL, 0, &d), -2);
    char *text = printed(&d);
    ck_assert_str_eq(text, "command line: error: cannot open 'tests/data/scenarios/nope.ini': "
                           "No such file or directory\n");
    ck_assert_ptr_null(sc.path); /* left empty */
    ck_assert_ptr_null(sc.priv);
    free(text);
    diag_fini(&d);
    scenario_fini(&sc); /* harmless */
    resolved r;
    diag_init(&d);
    ck_assert_int_eq(scenario_resolve(&sc, 0, 0, &r, &d), -1);
    ck_assert_uint_eq(diag_errors(&d), 1);
    diag_fini(&d);
}
END_TEST

/* ------------------------------------------------------------------ one file per mistake */

static const struct bad_case {
    const char *file;
    const char *sets[12];
    int rc;
    size_t errors, warnings;
    const char *want;
} bad_cases[] = {
    {"bad_type.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/bad_type.ini:2: error: unknown type 'clinets' in section [app]\n"
     "    2 | type = clinets\n"
     "      |        ^^^^^^^\n"
     "   did you mean 'clients'?\n"},
    {"bad_key.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/bad_key.ini:3: error: unknown key 'read_ration' in section [app] "
     "(type clients)\n"
     "    3 | read_ration = 0.9\n"
     "      | ^^^^^^^^^^^\n"
     "   did you mean 'read_ratio'?\n"},
    {"bad_unit.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/bad_unit.ini:2: error: unknown unit 'mss' in '3mss' (expected ns, "
     "us, ms, s, m, h)\n"
     "    2 | duration = 3mss\n"
     "      |            ^^^^\n"},
    {"bad_range.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/bad_range.ini:3: error: '1.5' is out of range for 'read_ratio' "
     "(0 to 1)\n"
     "    3 | read_ratio = 1.5\n"
     "      |              ^^^\n"},
    /* one mistake, one message: no "[db] is not reached" warning after it */
    {"dangling.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/dangling.ini:3: error: unknown station 'dbb' in link 'next' of "
     "[app]\n"
     "    3 | next = dbb\n"
     "      |        ^^^\n"
     "   did you mean 'db'?\n"},
    {"cycle.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/cycle.ini:11: error: link cycle: app -> db -> cache -> db\n"
     "   11 | next = db\n"
     "      |        ^^\n"},
    {"missing.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/missing.ini:1: error: missing required key 'next' in [app] "
     "(type clients)\n"
     "    1 | [app]\n"},
    {"bad_variant.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/bad_variant.ini:9: error: unknown key 'serverz' in section [db] "
     "(type server)\n"
     "    9 | db.serverz = 4\n"
     "      |    ^^^^^^^\n"
     "   did you mean 'servers'?\n"},
    {"bad_sweep.ini", {NULL}, -1, 1, 0,
     "tests/data/scenarios/bad_sweep.ini:9: error: sweep range '1000/s..20000/s step 0/s' "
     "for 'app.rate' has step '0/s' (the step must be above 0)\n"
     "    9 | app.rate = 1000/s..20000/s step 0/s\n"
     "      |            ^^^^^^^^^^^^^^^^^^^^^^^^\n"},
    {"bad_sweeps.ini", {NULL}, -1, 7, 0,
     "tests/data/scenarios/bad_sweeps.ini:10: error: sweep range '1000/s..1000000/s step 1/s' "
     "for 'app.rate' has more than 10000 values\n"
     "   10 | app.rate       = 1000/s..1000000/s step 1/s\n"
     "      |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
     "tests/data/scenarios/bad_sweeps.ini:11: error: sweep range '10..1 step 1' for "
     "'q.servers' runs backwards ('10' is above '1')\n"
     "   11 | q.servers      = 10..1 step 1\n"
     "      |                  ^^^^^^^^^^^^\n"
     "tests/data/scenarios/bad_sweeps.ini:12: error: a range needs a numeric key, but "
     "'app.keys' takes a key popularity\n"
     "   12 | app.keys       = uniform(10)..uniform(20) step 1\n"
     "      |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
     "   list the values instead, as in 'v1, v2, v3'\n"
     "tests/data/scenarios/bad_sweeps.ini:13: error: sweep range '1..5' for 'q.capacity' "
     "needs a step, as in '1000/s..20000/s step 1000/s'\n"
     "   13 | q.capacity     = 1..5\n"
     "      |                  ^^^^\n"
     "tests/data/scenarios/bad_sweeps.ini:14: error: empty value in the sweep list "
     "'0.1, , 0.3' for 'app.read_ratio'\n"
     "   14 | app.read_ratio = 0.1, , 0.3\n"
     "      |                  ^^^^^^^^^^\n"
     "tests/data/scenarios/bad_sweeps.ini:15: error: '0' is out of range for 'replications' "
     "(1 to 10000)\n"
     "   15 | scenario.replications = 5, 0\n"
     "      |                            ^\n"
     "tests/data/scenarios/bad_sweeps.ini:16: error: a range needs a numeric key, but "
     "'q.service' takes a distribution\n"
     "   16 | q.service      = 1ms..2ms step 1\n"
     "      |                  ^^^^^^^^^^^^^^^\n"
     "   list the values instead, as in 'v1, v2, v3'\n"},
    /* every mistake of the file, each once, in line order */
    {"several.ini", {NULL}, -1, 10, 0,
     "tests/data/scenarios/several.ini:4: error: bad warmup 'soon' (expected a duration such "
     "as 5s, or auto)\n"
     "    4 | warmup   = soon\n"
     "      |            ^^^^\n"
     "tests/data/scenarios/several.ini:8: error: unknown key 'read_ration' in section [app] "
     "(type clients)\n"
     "    8 | read_ration = 0.9\n"
     "      | ^^^^^^^^^^^\n"
     "   did you mean 'read_ratio'?\n"
     "tests/data/scenarios/several.ini:9: error: unknown station 'dbb' in link 'next' of "
     "[app]\n"
     "    9 | next        = dbb\n"
     "      |               ^^^\n"
     "   did you mean 'db'?\n"
     "tests/data/scenarios/several.ini:13: error: bad number in 'two' (expected a count, "
     "e.g. 1M)\n"
     "   13 | servers = two\n"
     "      |           ^^^\n"
     "tests/data/scenarios/several.ini:15: error: section [cahce] has no type\n"
     "   15 | [cahce]\n"
     "   add 'type = KIND' ('dbscale help' lists the kinds)\n"
     "tests/data/scenarios/several.ini:19: error: station 'db' (type server) takes no "
     "timeline actions\n"
     "   19 | 30s = crash db\n"
     "      |       ^^^^^^^^\n"
     "tests/data/scenarios/several.ini:21: error: variant name 'base' is taken by the base "
     "scenario\n"
     "   21 | [variant base]\n"
     "   choose another name\n"
     "tests/data/scenarios/several.ini:25: error: variant key 'replicas' needs the form "
     "SECTION.KEY, as in 'app.rate'\n"
     "   25 | replicas = 2\n"
     "      | ^^^^^^^^\n"
     "tests/data/scenarios/several.ini:26: error: bad mean in 'exp(-1ms)': negative value in "
     "'-1ms' (expected a duration, e.g. 2ms)\n"
     "   26 | db.service = exp(-1ms)\n"
     "      |              ^^^^^^^^^\n"
     "tests/data/scenarios/several.ini:29: error: sweep range '1000/s..2000/s' for "
     "'app.rate' needs a step, as in '1000/s..20000/s step 1000/s'\n"
     "   29 | app.rate = 1000/s..2000/s\n"
     "      |            ^^^^^^^^^^^^^^\n"},
    /* problems of some runs only: once each, with the runs that show them */
    {"combos.ini", {NULL}, -1, 2, 0,
     "tests/data/scenarios/combos.ini:17: error: link cycle: app -> q -> app\n"
     "   17 | q.next = app\n"
     "      |          ^^^\n"
     "   in variant 'loop'\n"
     "tests/data/scenarios/combos.ini:20: error: warmup 8s is not shorter than duration 4s "
     "(nothing would be measured)\n"
     "   20 | scenario.warmup = 1s, 8s\n"
     "      |                       ^^\n"
     "   in variant 'short' at sweep point scenario.warmup = 8s\n"},
    /* a warning only: the scenario is usable */
    {"unreached.ini", {NULL}, 0, 0, 1,
     "tests/data/scenarios/unreached.ini:8: warning: station [spare] is not reached from any "
     "clients station (no link leads to it)\n"
     "    8 | [spare]\n"},
    /* --set mistakes go to the command line, quoting the --set text */
    {"good.ini",
     {"app.rat=5", "noeq", "app.rate=", "db.type=server", "x.y=1", "scenario.seed=-1",
      "app.next=foo", "timeline.30s=x", "rate=5"},
     -1, 9, 0,
     "command line: error: --set 'app.rat=5': unknown key 'rat' in section [app] (type "
     "clients)\n"
     "   did you mean 'rate'?\n"
     "command line: error: --set 'noeq': expected SECTION.KEY=VALUE, as in "
     "'app.rate=5000/s'\n"
     "command line: error: --set 'app.rate=': missing value after '='\n"
     "command line: error: --set 'db.type=server': the type of [db] cannot be changed\n"
     "command line: error: --set 'x.y=1': unknown section 'x' in key 'x.y'\n"
     "command line: error: --set 'scenario.seed=-1': '-1' is out of range for 'seed' (0 to "
     "9007199254740992)\n"
     "command line: error: --set 'app.next=foo': unknown station 'foo' in link 'next' of "
     "[app]\n"
     "   stations: app, db\n"
     "command line: error: --set 'timeline.30s=x': timeline lines ('timeline.30s') can be set "
     "in [timeline] or in a variant, not with --set\n"
     "command line: error: --set 'rate=5': key 'rate' needs the form SECTION.KEY, as in "
     "'app.rate'\n"},
};

START_TEST(test_bad_file)
{
    const struct bad_case *c = &bad_cases[_i];
    char path[256];
    snprintf(path, sizeof path, DATA "%s", c->file);
    size_t n_sets = 0;
    while (n_sets < 12 && c->sets[n_sets]) n_sets++;
    scenario sc;
    diag_list d;
    diag_init(&d);
    int rc = scenario_load(&sc, path, c->sets, n_sets, &d);
    char *text = printed(&d);
    ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->file, rc, c->rc);
    ck_assert_str_eq(text, c->want);
    ck_assert_uint_eq(diag_errors(&d), c->errors);
    ck_assert_uint_eq(diag_warnings(&d), c->warnings);
    free(text);
    diag_fini(&d);
    scenario_fini(&sc);
}
END_TEST

/* A router's template that requests also reach directly serves them and is reported like
 * any station; the router's copies are separate stations. Constant arrivals at 1000/s
 * for 2 s come at 1, 2, ... 2000 ms; the last cannot finish by 2 s: exactly 1999
 * departures from db, none from the idle copies. A template reached only through its
 * router is left out of the outputs, and its copies do the 1999. */
START_TEST(test_template_reached_directly)
{
    static const char text[] =
        "[scenario]\nduration = 2s\nreplications = 2\n"
        "[app]\ntype = clients\narrival = constant\nrate = 1000/s\nnext = db\n"
        "[db]\ntype = node\ncores = 8\n"
        "[router]\ntype = router\nshards = 2\nnext = db\n";
    for (int direct = 1; direct >= 0; direct--) {
        scenario sc;
        diag_list d;
        diag_init(&d);
        const char *use = text;
        char alt[sizeof text + 16];
        if (!direct) { /* app -> router -> copies of db */
            const char *at = strstr(text, "next = db\n[db]");
            snprintf(alt, sizeof alt, "%.*snext = router\n%s", (int)(at - text), text,
                     at + strlen("next = db\n"));
            use = alt;
        }
        ck_assert_int_eq(scenario_load_string(&sc, "t.ini", use, strlen(use), NULL, 0, &d), 0);
        resolved r;
        ck_assert_int_eq(scenario_resolve(&sc, 0, 0, &r, &d), 0);
        run_result out;
        ck_assert_int_eq(runner_run_one(&r, 0, 0, 0, 0.0, &out), 0);
        int seen_db = 0;
        double copies = 0;
        for (size_t i = 0; i < out.n_stations; i++) {
            const station_row *row = &out.stations[i];
            if (strcmp(row->name, "db") == 0) {
                seen_db = 1;
                ck_assert_double_eq_tol(row->throughput * 2.0, 1999.0, 1e-9);
            }
            if (strncmp(row->name, "router.shard.", 13) == 0) copies += row->throughput * 2.0;
        }
        ck_assert_int_eq(seen_db, direct);
        ck_assert_double_eq_tol(copies, direct ? 0.0 : 1999.0, 1e-9);
        run_result_fini(&out);
        resolved_fini(&r);
        scenario_fini(&sc);
        diag_fini(&d);
    }
}
END_TEST

Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("good");
    tcase_add_test(tc, test_good_structure);
    tcase_add_loop_test(tc, test_good_resolve, 0,
                        (int)(sizeof resolve_cases / sizeof resolve_cases[0]));
    tcase_add_test(tc, test_set_precedence);
    tcase_add_test(tc, test_print);
    tcase_add_test(tc, test_ranges);
    tcase_add_test(tc, test_build);
    tcase_add_test(tc, test_template_reached_directly);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_resolve_range);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("mistakes");
    tcase_add_loop_test(bad, test_bad_file, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    suite_add_tcase(s, bad);
    return s;
}
