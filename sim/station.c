/* station.c: station allocation and the generic per-station statistics. */
#include "sim/station.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

station *station_new(sim *s, const station_kind *kind, const char *name, const void *config)
{
    station *st = calloc(1, kind->station_size);
    if (!st) return NULL;
    st->kind = kind;
    st->ops = kind->ops;
    st->name = strdup(name);
    st->config = calloc(1, kind->config_size ? kind->config_size : 1);
    if (!st->name || !st->config ||
        opt_copy(kind->options, st->config, config, kind->config_size) != 0) {
        free(st->name);
        free(st->config);
        free(st);
        return NULL;
    }
    timeavg_init(&st->stats.present, s->now, 0.0);
    timeavg_init(&st->stats.busy, s->now, 0.0);
    st->stats.t_reset = s->now;
    tally_reset(&st->stats.residence);
    if (sim_add_station(s, st) != 0) {
        opt_release(kind->options, st->config);
        free(st->name);
        free(st->config);
        free(st);
        return NULL;
    }
    return st;
}

void station_free(station *st)
{
    if (!st) return;
    if (st->ops->fini) st->ops->fini(st);
    opt_release(st->kind->options, st->config);
    free(st->config);
    free(st->name);
    free(st);
}

void station_enter(station *st, request *r)
{
    r->t_arrive = st->sim->now;
    st->stats.arrivals++;
    timeavg_add(&st->stats.present, st->sim->now, 1.0);
}

void station_leave(station *st, request *r)
{
    double now = st->sim->now;
    timeavg_add(&st->stats.present, now, -1.0);
    /* A request that arrived before the warm-up reset counts with its whole residence;
     * the edge effect on Little's law is O(1/measured time). */
    st->stats.departures++;
    tally_add(&st->stats.residence, now - r->t_arrive);
}

void station_busy(station *st, int delta)
{
    timeavg_add(&st->stats.busy, st->sim->now, (double)delta);
}

void station_stats_reset(station *st)
{
    double now = st->sim->now;
    timeavg_reset(&st->stats.present, now);
    timeavg_reset(&st->stats.busy, now);
    st->stats.present_at_reset = st->stats.present.value;
    st->stats.t_reset = now;
    tally_reset(&st->stats.residence);
    st->stats.arrivals = 0;
    st->stats.departures = 0;
    st->stats.refused = 0;
}

double station_utilisation(const station *st)
{
    if (st->stats.servers <= 0.0) return NAN;
    return timeavg_mean(&st->stats.busy, st->sim->now) / st->stats.servers;
}

double station_mean_present(const station *st)
{
    return timeavg_mean(&st->stats.present, st->sim->now);
}

double station_mean_residence(const station *st)
{
    return st->stats.departures ? tally_mean(&st->stats.residence) : NAN;
}

double station_throughput(const station *st)
{
    double span = st->sim->now - st->stats.t_reset;
    return span > 0.0 ? (double)st->stats.departures / span : NAN;
}

double station_backlog_growth(const station *st)
{
    double span = st->sim->now - st->stats.t_reset;
    return span > 0.0 ? (st->stats.present.value - st->stats.present_at_reset) / span : NAN;
}

double station_offered_load(const station *st)
{
    if (st->stats.capacity_rate <= 0.0) return NAN;
    double span = st->sim->now - st->stats.t_reset;
    if (span <= 0.0) return NAN;
    double arrivals = (double)(st->stats.arrivals + st->stats.refused);
    return arrivals / span / st->stats.capacity_rate;
}
