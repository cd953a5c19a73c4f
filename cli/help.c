/* help.c: help text and the markdown reference, from the option tables. */
#include "cli/help.h"

#include <string.h>

#include "cli/diag.h"
#include "cli/scenario.h"
#include "models/registry.h"

/* Describes the range of a row in words ("1 to 1000000", "at least 0s"), or "". */
static void range_text(const opt_def *d, char *buf, size_t n)
{
    buf[0] = '\0';
    if (d->min > d->max || d->type == OPT_ENUM || d->type == OPT_LINK || d->type == OPT_STRING ||
        d->type == OPT_BOOL || d->type == OPT_KEYS || d->type == OPT_CUSTOM)
        return;
    const char *unit = d->type == OPT_TIME ? " s" : d->type == OPT_RATE ? " /s" :
                       d->type == OPT_SIZE ? " bytes" : "";
    const char *what = d->type == OPT_DIST ? "mean " : "";
    if (d->max >= 1e300) snprintf(buf, n, "%sat least %g%s", what, d->min, unit);
    else snprintf(buf, n, "%s%g to %g%s", what, d->min, d->max, unit);
}

static void print_table_text(const opt_def *table, FILE *out)
{
    size_t width = 0;
    for (const opt_def *d = table; d->name; d++)
        if (strlen(d->name) > width) width = strlen(d->name);
    for (const opt_def *d = table; d->name; d++) {
        char range[128];
        range_text(d, range, sizeof range);
        fprintf(out, "  %-*s  %s\n", (int)width, d->name, d->help);
        fprintf(out, "  %-*s  %s; default %s%s%s\n", (int)width, "", opt_type_name(d->type),
                d->def ? (*d->def ? d->def : "none") : "none (required)",
                range[0] ? "; " : "", range);
        for (const opt_choice *c = d->choices; c && c->name; c++)
            fprintf(out, "  %-*s    %s: %s\n", (int)width, "", c->name, c->help);
    }
}

static void print_table_markdown(const opt_def *table, FILE *out)
{
    fprintf(out, "| key | type | default | range | meaning |\n|---|---|---|---|---|\n");
    for (const opt_def *d = table; d->name; d++) {
        char range[128];
        range_text(d, range, sizeof range);
        fprintf(out, "| `%s` | %s | %s%s%s | %s | %s", d->name, opt_type_name(d->type),
                d->def && *d->def ? "`" : "", d->def ? (*d->def ? d->def : "none") : "**required**",
                d->def && *d->def ? "`" : "", range, d->help);
        for (const opt_choice *c = d->choices; c && c->name; c++)
            fprintf(out, "%s`%s`: %s", c == d->choices ? "<br>" : "; ", c->name, c->help);
        fprintf(out, " |\n");
    }
}

/* The language reference's prose: syntax, units, distributions, variants, sweeps. */
static const char language_text[] =
    "# The scenario language\n\n"
    "A scenario is an INI-style text file read by dbscale's own parser, so every error can name\n"
    "its file and line, echo the line and suggest the nearest valid key. `dbscale check FILE`\n"
    "validates a file and prints every value with where it came from.\n\n"
    "## Syntax\n\n"
    "- `[scenario]` holds the run settings; every other `[NAME]` section is a station with a\n"
    "  `type = KIND` line; `next = NAME` links a station to the one it sends requests to.\n"
    "- `key = value`, one per line. `#` and `;` start a comment at the start of a line, or after\n"
    "  a value when preceded by a space (`rate = 5/s  # note`).\n"
    "- Dotted keys address parts of a station: `primary.cores`, `replica.apply_time`.\n"
    "- `include FILE` reads another file, relative to the including file; cycles are errors.\n"
    "- `[variant NAME]` overrides keys of the base scenario as `SECTION.KEY = VALUE`; the base\n"
    "  runs as variant `base`. All variants see the same random arrivals and service draws\n"
    "  (common random numbers), so their differences are not noise.\n"
    "- `[sweep]` varies keys: `app.rate = 1000/s..20000/s step 1000/s` or a list\n"
    "  `db.servers = 2, 4, 8`; several keys form a grid (first key slowest).\n"
    "- On the command line, `--set SECTION.KEY=VALUE` overrides any key (also\n"
    "  `scenario.duration=10s`). Precedence: default < file < variant < sweep < --set.\n\n"
    "## Units\n\n"
    "| kind | units | example |\n|---|---|---|\n"
    "| time | `ns us ms s m h` (a unit is required except for 0) | `250us`, `1.5s`, `2m` |\n"
    "| rate | `/s /m /h`, with `k M G` multipliers | `4000/s`, `4k/s`, `60/m` |\n"
    "| count | plain, or `k M G` (10^3, 10^6, 10^9) | `1M`, `250k` |\n"
    "| size | `B KB MB GB TB` (1024-based) | `512MB`, `16GB` |\n"
    "| ratio | a fraction or a percentage | `0.9`, `90%` |\n\n"
    "## Distributions (durations)\n\n"
    "| text | meaning |\n|---|---|\n"
    "| `const(1ms)` | always 1 ms |\n"
    "| `exp(2ms)` | exponential with mean 2 ms |\n"
    "| `uniform(1ms,3ms)` | uniform between the bounds |\n"
    "| `lognormal(MEAN,SD)` | lognormal with that mean and standard deviation (of the values, not of their log) |\n"
    "| `gamma(MEAN,CV)` | gamma with that mean and coefficient of variation |\n"
    "| `weibull(SCALE,SHAPE)` | Weibull; scale a duration, shape a number |\n"
    "| `pareto(SCALE,ALPHA)` | Pareto with minimum SCALE and tail index ALPHA |\n"
    "| `empirical(FILE.csv)` | resampled from a CSV column of durations (relative to the scenario file; bare numbers are milliseconds) |\n\n"
    "## Key popularity\n\n"
    "| text | meaning |\n|---|---|\n"
    "| `uniform(N)` | keys 0..N-1 equally likely |\n"
    "| `zipf(S,N)` | rank r has probability proportional to 1/r^S (any S > 0); key 0 is the hottest |\n"
    "| `hotspot(FK,FO,N)` | a share FO of requests goes to the first FK x N keys |\n"
    "| `latest(N)` | recently inserted keys are the most popular (YCSB \"latest\") |\n\n"
    "## Regions\n\n"
    "```ini\n"
    "[regions]\n"
    "us-east = eu-west 80ms, ap-south 190ms\n"
    "eu-west = ap-south 120ms\n"
    "```\n\n"
    "Each line names a region and its round-trip times to others (the same both ways); a\n"
    "region named only on the right is declared too, `NAME = none` declares one without\n"
    "pairs of its own, and every pair needs a round trip. The first region named is where\n"
    "stations without a `region` key sit. Stations are placed with `region = NAME` (a\n"
    "cluster's replicas with `replica_regions`, a router's shards with `shard_regions`); a\n"
    "request or reply that crosses from one region to another pays half the round trip.\n"
    "A clients section sits in one region (write one section per region of users); a trace\n"
    "can give each request its own region. Per-region latency is in regions.csv.\n\n"
    "## Timeline\n\n"
    "```ini\n"
    "[timeline]\n"
    "30s = crash db.primary\n"
    "45s = slow db.replica.1 4x\n"
    "60s = add-shard shards\n"
    "70s = recover db.replica.1, slow db.replica.1 1x\n"
    "90s = partition us-east eu-west\n"
    "95s = heal us-east eu-west\n"
    "```\n\n"
    "A line is `TIME = ACTION TARGET [ARGUMENT]`, several actions at one time separated by\n"
    "commas. TARGET is a station or a part of one (`db.primary`, `db.replica.2`,\n"
    "`shards.shard.3.primary`). Variants add or replace lines with `timeline.TIME = ...`.\n\n"
    "| action | target | what happens |\n"
    "|---|---|---|\n"
    "| `crash` | node, cache, cluster part | stops serving: requests in it and arriving fail; a crashed primary is replaced by its most up-to-date replica after the cluster's `failover_delay` (acknowledged writes it lacks are `lost_writes`); a crashed cache loses its contents and its write-behind queue |\n"
    "| `recover` | the same | serves again (a replica catches up: its lag spikes, then falls) |\n"
    "| `slow` | node, cluster part | every service time multiplied by the factor (`4x`); `1x` restores |\n"
    "| `add-replica` | cluster | a new replica, starting from the current state (the base backup is taken as instantaneous), then applying new WAL |\n"
    "| `add-shard` | router | one more shard; the keys that move are copied at `migrate_rate` as background load (`keys_moved_ratio`) |\n"
    "| `drop-partition` | node | drops partition N (`drop-partition db 1`; none: the oldest left), nearly free |\n"
    "| `delete-rows` | node | deletes the rows of partition (or key slice) N and vacuums, as background load on the cores |\n"
    "| `flush` | cache | empties it, staying up (a cold start without an outage) |\n"
    "| `partition` / `heal` | two regions | cuts / restores the network between them: requests across fail, WAL links retry |\n\n"
    "Each kind's section below lists the actions it takes.\n\n";

/* One line naming the timeline actions kind k takes (with its parts), or nothing. */
static void print_actions(const station_kind *k, const char *lead, const char *quote, FILE *out)
{
    if (k->actions) {
        fputs(lead, out);
        for (const char *const *a = k->actions; *a; a++)
            fprintf(out, "%s%s%s%s", a == k->actions ? "" : ", ", quote, *a, quote);
        fputs(".\n\n", out);
    } else if (k->ops->control) {
        fprintf(out, "%s%sadd-shard%s, and any action of a shard's parts as "
                     "%sROUTER.shard.I.PART%s (checked when the run starts).\n\n",
                lead, quote, quote, quote, quote);
    }
}

static int markdown(FILE *out)
{
    size_t n;
    const station_kind *const *kinds = registry_kinds(&n);
    fprintf(out, "<!-- generated by `dbscale help --markdown` (make docs): do not edit -->\n");
    fputs(language_text, out);
    fprintf(out, "# Sections and their keys\n\n");
    fprintf(out, "Every key of every section, with its type, default, range and meaning, "
                 "printed from the option tables that also check scenario files.\n\n");
    fprintf(out, "## [scenario]\n\nRun settings.\n\n");
    print_table_markdown(scenario_settings_options, out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "\n## type = %s\n\n%s.\n\n", kinds[i]->name, kinds[i]->summary);
        print_actions(kinds[i], "Timeline actions: ", "`", out);
        print_table_markdown(kinds[i]->options, out);
    }
    return 0;
}

int help_command(int argc, char **argv, FILE *out)
{
    size_t n;
    const station_kind *const *kinds = registry_kinds(&n);
    if (argc == 0) {
        fprintf(out, "station kinds (dbscale help KIND for their keys):\n");
        for (size_t i = 0; i < n; i++) fprintf(out, "  %-10s %s\n", kinds[i]->name, kinds[i]->summary);
        fprintf(out, "other topics:\n  %-10s %s\n", "scenario", "the [scenario] run settings");
        return 0;
    }
    if (strcmp(argv[0], "--markdown") == 0) return markdown(out);
    if (strcmp(argv[0], "scenario") == 0) {
        fprintf(out, "[scenario]: run settings\n");
        print_table_text(scenario_settings_options, out);
        return 0;
    }
    const station_kind *k = registry_find(argv[0]);
    if (!k) {
        const char *names[64];
        for (size_t i = 0; i < n && i < 64; i++) names[i] = kinds[i]->name;
        const char *near = diag_suggest(argv[0], names, n);
        fprintf(stderr, "dbscale: unknown station kind '%s'%s%s%s\n", argv[0],
                near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        return 64;
    }
    fprintf(out, "type = %s: %s\n", k->name, k->summary);
    print_table_text(k->options, out);
    print_actions(k, "\ntimeline actions: ", "", out);
    return 0;
}
