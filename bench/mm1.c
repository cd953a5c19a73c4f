/* mm1.c: benchmark of the engine through the real `clients` and `server` stations:
 * an M/M/1 at rho = 0.9 for 1e7 customers, latency histograms on.
 * Prints: bench mm1 customers=N events_per_s=X customers_per_s=Y peak_rss_mb=Z */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "models/clients.h"
#include "models/server.h"
#include "sim/options.h"
#include "sim/sim.h"
#include "sim/station.h"

static station *add(sim *s, const station_kind *k, const char *name, const char *const *kv)
{
    char err[256];
    void *cfg = calloc(1, k->config_size);
    if (!cfg || opt_defaults(k->options, cfg, err, sizeof err) != 0) exit(70);
    for (size_t i = 0; kv[i]; i++) {
        char key[64];
        const char *eq = strchr(kv[i], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        if (opt_set(opt_find(k->options, key), cfg, eq + 1, ".", err, sizeof err) != 0) {
            fprintf(stderr, "bench: %s\n", err);
            exit(70);
        }
    }
    station *st = station_new(s, k, name, cfg);
    opt_release(k->options, cfg);
    free(cfg);
    return st;
}

int main(int argc, char **argv)
{
    long customers = argc > 1 ? atol(argv[1]) : 10000000L;
    char limit[64];
    snprintf(limit, sizeof limit, "limit=%ld", customers);
    sim s;
    sim_config cfg = {.seed = 1, .duration = 1e12, .max_in_flight = 10000000};
    if (sim_init(&s, &cfg) != 0) return 70;
    const char *src[] = {"rate=900/s", "next=q", limit, NULL};
    const char *srv[] = {"service=exp(1ms)", NULL};
    station *c = add(&s, &clients_kind, "src", src);
    add(&s, &server_kind, "q", srv);
    if (sim_start(&s) != 0) return 70;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (sim_run(&s) != 0) {
        fprintf(stderr, "bench: %s\n", s.error);
        return 70;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const clients *cl = (const clients *)c;
    printf("bench mm1 customers=%llu events_per_s=%.3g customers_per_s=%.3g peak_rss_mb=%.1f "
           "mean_response_ms=%.3f\n",
           (unsigned long long)cl->completed, (double)s.events / secs,
           (double)cl->completed / secs, (double)ru.ru_maxrss / 1024.0,
           1e3 * hist_mean(&cl->latency_all));
    sim_fini(&s);
    return 0;
}
