/* describe.h: plain-text descriptions of a resolved scenario, for readers of report.md who
 * never saw the scenario file: the architecture as a small text diagram (stations, their
 * headline settings with units, and the `next` links between them), and the value a
 * swept key has before the sweep (the "current" load of a capacity plan). */
#ifndef DBSCALE_DESCRIBE_H
#define DBSCALE_DESCRIBE_H

#include <stddef.h>

#include "cli/scenario.h"

/* The architecture of rc as text, one chain of links per line group, e.g.
 *   app (clients: poisson arrivals at 4000/s, read_ratio 0.9)
 *     -> db (cluster: primary + 2 replicas, async, reads from replicas, ...)
 * Chains start at the stations no other station links to (the workloads), follow the
 * link options (`next`) and show a station reached twice by name only ("-> db (above)").
 * Settings swept by sc's [sweep] show their swept values instead ("400/s, 600/s (swept)").
 * Returns a malloc'd string (ends with a line break), or NULL out of memory.
 * O(stations^2 + options). */
char *describe_architecture(const scenario *sc, const resolved *rc);

/* The value text of swept key `key` ("app.rate") in variant `variant` before the sweep:
 * a --set value, else the variant's override, else the base file's value, else the
 * option's default (the station found in rc, a resolved run of that variant). Returns a
 * malloc'd string, or NULL when the key names no station option (or out of memory).
 * O(entries of the file). */
char *describe_base_value(const scenario *sc, const resolved *rc, size_t variant, const char *key);

#endif
