/* registry.h: the one table of every station kind. The only place that knows them all. */
#ifndef DBSCALE_REGISTRY_H
#define DBSCALE_REGISTRY_H

#include <stddef.h>

#include "sim/station.h"

/* The kind named `name`, or NULL. */
const station_kind *registry_find(const char *name);

/* Every kind, in help order; `*n` receives the count. */
const station_kind *const *registry_kinds(size_t *n);

#endif
