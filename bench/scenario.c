/* scenario.c: benchmark of a whole scenario through the real scenario reader, runner and
 * stations: one replication of the base variant, run until `requests` requests were
 * created (the duration is stretched to fit), time series and histograms on.
 * Usage: scenario FILE LABEL [requests]
 * Prints: bench scenario name=LABEL requests=N requests_per_s=X events_per_s=Y peak_rss_mb=Z
 * (or "bench memory ..." when LABEL is "memory"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/runner.h"
#include "cli/scenario.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILE LABEL [requests]\n", argv[0]);
        return 64;
    }
    double requests = argc > 3 ? atof(argv[3]) : 2e7;
    scenario sc;
    diag_list d;
    diag_init(&d);
    if (scenario_load(&sc, argv[1], NULL, 0, &d) != 0) {
        diag_print(&d, stderr);
        return 65;
    }
    resolved r;
    if (scenario_resolve(&sc, 0, 0, &r, &d) != 0) {
        diag_print(&d, stderr);
        return 65;
    }
    diag_fini(&d);
    /* Offered rate: the sum of the open workloads' rates (clients_config.rate is the second
     * field after `arrival`); found through the option table to stay independent of models. */
    double rate = 0.0;
    for (size_t i = 0; i < r.n_stations; i++) {
        const opt_def *row = opt_find(r.stations[i].kind->options, "rate");
        if (row && strcmp(r.stations[i].kind->name, "clients") == 0)
            rate += *(const double *)((const char *)r.stations[i].config + row->offset);
    }
    if (rate <= 0.0) {
        fprintf(stderr, "bench: %s has no open workload rate\n", argv[1]);
        return 65;
    }
    r.settings.duration = requests / rate;
    if (r.settings.warmup >= r.settings.duration) r.settings.warmup = 0.0;
    run_result out;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = runner_run_one(&r, 0, 0, 0, r.settings.warmup, &out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0) {
        fprintf(stderr, "bench: %s\n", out.error);
        return 70;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double done = requests; /* created over the whole run (expected: rate x duration) */
    if (strcmp(argv[2], "memory") == 0)
        printf("bench memory requests=%.0f peak_rss_mb=%.1f seconds=%.1f\n", done,
               (double)ru.ru_maxrss / 1024.0, secs);
    else
        printf("bench scenario name=%s requests=%.0f requests_per_s=%.3g events_per_s=%.3g "
               "peak_rss_mb=%.1f\n", argv[2], done, done / secs, (double)out.events / secs,
               (double)ru.ru_maxrss / 1024.0);
    run_result_fini(&out);
    resolved_fini(&r);
    scenario_fini(&sc);
    return 0;
}
