/* registry.c: every station kind, in the order `dbscale help` lists them. */
#include "models/registry.h"

#include <string.h>

#include "models/app_pool.h"
#include "models/cache.h"
#include "models/clients.h"
#include "models/cluster.h"
#include "models/node.h"
#include "models/pooler.h"
#include "models/router.h"
#include "models/server.h"

static const station_kind *const kinds[] = {
    &clients_kind,
    &server_kind,
    &node_kind,
    &pooler_kind,
    &app_pool_kind,
    &cache_kind,
    &cluster_kind,
    &router_kind,
};

const station_kind *registry_find(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->name, name) == 0) return kinds[i];
    return NULL;
}

const station_kind *const *registry_kinds(size_t *n)
{
    *n = sizeof kinds / sizeof kinds[0];
    return kinds;
}
