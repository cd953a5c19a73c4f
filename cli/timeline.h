/* timeline.h: the [timeline] section: faults and changes at given simulated times.
 *
 *     [timeline]
 *     30s = crash db.primary
 *     45s = slow db.replica.1 4x
 *     60s = add-shard router
 *     70s = recover db.replica.1, slow db.replica.1 1x
 *     90s = partition us-east eu-west
 *     95s = heal us-east eu-west
 *
 * A line is `TIME = ACTION TARGET [ARGUMENT]`, several actions at one time separated by
 * commas. TARGET is a station, or a part of one after a dot (`db.primary`): the longest
 * station name that prefixes it is the station, the rest the part. Variants add or replace
 * lines with `timeline.TIME = ...`.
 */
#ifndef DBSCALE_TIMELINE_H
#define DBSCALE_TIMELINE_H

#include <stddef.h>

typedef struct timeline_action {
    double at;            /* simulated time (s) */
    char action[32];      /* "crash", "recover", "slow", "add-replica", ... */
    char station[128];    /* station section name */
    char part[64];        /* part after the station name, or "" */
    double factor;        /* "4x" -> 4; other numbers as given; 0 when none */
    int region_a, region_b; /* partition/heal: the two regions ([regions] indices) */
    char where[192];      /* "file:line" of the line, for run-time errors */
} timeline_action;

/* The actions the timeline knows, with their argument rule; for help and suggestions. */
extern const char *const timeline_action_names[];

/* Parses one line's value (the actions) at time text `when` into out[0..max). Station
 * names (n of them) resolve the targets. Returns the number of actions, or -1 with a
 * message in err (lower-case, no full stop) and, when known, the offending word's byte
 * offset in `text` in *col and its length in *len. */
int timeline_parse(const char *when, const char *text, const char *const *stations,
                   size_t n_stations, const char *const *regions, size_t n_regions,
                   timeline_action *out, size_t max, char *err, size_t errlen, int *col,
                   int *len);

/* Whether an action addresses regions (partition, heal) rather than a station. */
int timeline_is_network(const timeline_action *a);

#endif
