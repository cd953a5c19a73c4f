/* validate.c: theory vs simulation for the generic stations. */
#include "cli/validate.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runner.h"
#include "cli/scenario.h"
#include "models/clients.h"
#include "models/server.h"
#include "sim/confidence.h"

#ifndef DBSCALE_DATADIR
#define DBSCALE_DATADIR "/usr/local/share/dbscale"
#endif

#define PASS_LEVEL 0.999
static int validate_jobs = 1;   /* a row passes when theory lies in the 99.9% CI */

typedef struct theory {
    double mean_ms;      /* mean response time */
    double p99_ms;       /* p99 response time (NAN when no closed form) */
    double throughput;   /* arrival rate */
    char model[64];      /* e.g. "M/M/1", "M/G/1", "tandem 2 x M/M/1" */
} theory;

static double erlang_c(int64_t c, double a)
{
    double term = 1.0, sum = 1.0;
    for (int64_t k = 1; k < c; k++) {
        term *= a / (double)k;
        sum += term;
    }
    double top = term * a / (double)c / (1.0 - a / (double)c);
    return top / (sum + top);
}

static const resolved_station *find(const resolved *r, const char *name)
{
    for (size_t i = 0; i < r->n_stations; i++)
        if (strcmp(r->stations[i].name, name) == 0) return &r->stations[i];
    return NULL;
}

/* Exponential service: exp(), or gamma with cv = 1 (the same law). */
static int is_exponential(const dist *d)
{
    return d->kind == DIST_EXP || (d->kind == DIST_GAMMA && d->p2 == 1.0);
}

/* Theory for a Poisson source feeding a chain of `server` stations. Returns 0, or -1 with
 * why in `why` when the network has no closed form here. */
static int compute_theory(const resolved *r, theory *t, char *why, size_t n)
{
    const resolved_station *src = NULL;
    for (size_t i = 0; i < r->n_stations; i++)
        if (r->stations[i].kind == &clients_kind) src = &r->stations[i];
    if (!src) return snprintf(why, n, "no clients station"), -1;
    const clients_config *cc = src->config;
    if (cc->arrival != ARRIVAL_POISSON || cc->profile.kind != PROFILE_NONE)
        return snprintf(why, n, "arrivals are not a homogeneous Poisson process"), -1;
    if (cc->limit) return snprintf(why, n, "the workload has a request limit"), -1;
    double lambda = cc->rate;
    t->throughput = lambda;
    t->mean_ms = 0.0;
    t->p99_ms = NAN;
    int stations = 0, all_exp_upstream = 1;
    const char *next = cc->next;
    double mu1 = NAN;
    while (next) {
        const resolved_station *st = find(r, next);
        if (!st || st->kind != &server_kind) return snprintf(why, n, "'%s' is not a server", next), -1;
        const server_config *sv = st->config;
        if (stations > 0 && !all_exp_upstream)
            return snprintf(why, n, "arrivals at '%s' are not Poisson", st->name), -1;
        if (sv->capacity) return snprintf(why, n, "'%s' has a capacity limit", st->name), -1;
        double es = dist_mean(&sv->service), vs = dist_variance(&sv->service);
        double rho = lambda * es / (double)sv->servers;
        if (rho >= 1.0) return snprintf(why, n, "'%s' is saturated (rho = %.3g)", st->name, rho), -1;
        int expo = is_exponential(&sv->service);
        double wq;
        if (sv->servers == 1) {
            wq = lambda * (vs + es * es) / (2.0 * (1.0 - rho));   /* Pollaczek-Khinchine */
        } else {
            if (!expo) return snprintf(why, n, "'%s' has c > 1 and non-exponential service", st->name), -1;
            wq = erlang_c(sv->servers, lambda * es) / ((double)sv->servers / es - lambda);
        }
        t->mean_ms += 1e3 * (wq + es);
        if (stations == 0) mu1 = expo && sv->servers == 1 ? 1.0 / es : NAN;
        all_exp_upstream = all_exp_upstream && expo;
        stations++;
        next = sv->next;
    }
    if (stations == 1 && !isnan(mu1)) {
        t->p99_ms = 1e3 * log(100.0) / (mu1 - lambda);
        snprintf(t->model, sizeof t->model, "M/M/1");
    } else if (stations == 1) {
        const server_config *sv = find(r, cc->next)->config;
        if (sv->servers > 1) snprintf(t->model, sizeof t->model, "M/M/%lld", (long long)sv->servers);
        else snprintf(t->model, sizeof t->model, sv->service.kind == DIST_CONST ? "M/D/1" : "M/G/1");
    } else {
        snprintf(t->model, sizeof t->model, "tandem of %d (Jackson)", stations);
    }
    return 0;
}

static int row(const char *name, const char *model, const char *metric, double theory_v,
               const double *v, size_t nv)
{
    ci c95 = ci_of(v, nv, 0.95);
    ci cpass = ci_of(v, nv, PASS_LEVEL);
    int ok = fabs(cpass.mean - theory_v) <= cpass.half_width;
    printf("%-10s %-21s %-16s %12.5g %12.5g %10.3g %8.2f%%  %s\n", name, model, metric, theory_v,
           c95.mean, c95.half_width, 100.0 * (c95.mean - theory_v) / theory_v, ok ? "pass" : "FAIL");
    return ok;
}

static int validate_file(const char *path, int *all_ok)
{
    scenario sc;
    diag_list d;
    diag_init(&d);
    int rc = scenario_load(&sc, path, NULL, 0, &d);
    diag_print(&d, stderr);
    diag_fini(&d);
    if (rc == -2) return fprintf(stderr, "dbscale: cannot read '%s'\n", path), 66;
    if (rc != 0) return 65;
    resolved r;
    diag_init(&d);
    if (scenario_resolve(&sc, 0, 0, &r, &d) != 0) {
        diag_print(&d, stderr);
        diag_fini(&d);
        scenario_fini(&sc);
        return 65;
    }
    diag_fini(&d);
    theory t;
    char why[256];
    if (compute_theory(&r, &t, why, sizeof why) != 0) {
        fprintf(stderr, "dbscale: %s: no closed form: %s\n", path, why);
        resolved_fini(&r);
        scenario_fini(&sc);
        return 65;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(strcspn(base, ".")), base);
    results res;
    run_options ro = {.jobs = 1, .quiet = 1, .part_count = 1};
    ro.jobs = validate_jobs;
    int code = runner_execute(&sc, &ro, &res);
    if (code == 0) {
        const results_cell *cell = &res.cells[0];
        double *v = calloc(cell->n_reps ? cell->n_reps : 1, sizeof *v);
        for (size_t k = 0; v && k < cell->n_reps; k++) v[k] = cell->reps[k].metrics[METRIC_LAT_MEAN];
        *all_ok &= row(name, t.model, "mean response ms", t.mean_ms, v, cell->n_reps);
        if (!isnan(t.p99_ms)) {
            for (size_t k = 0; v && k < cell->n_reps; k++) v[k] = cell->reps[k].metrics[METRIC_LAT_P99];
            *all_ok &= row(name, t.model, "p99 response ms", t.p99_ms, v, cell->n_reps);
        }
        for (size_t k = 0; v && k < cell->n_reps; k++) v[k] = cell->reps[k].metrics[METRIC_THROUGHPUT];
        *all_ok &= row(name, t.model, "throughput /s", t.throughput, v, cell->n_reps);
        free(v);
    }
    results_fini(&res);
    resolved_fini(&r);
    scenario_fini(&sc);
    return code;
}

int validate_command(int argc, char **argv)
{
    glob_t g = {0};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    validate_jobs = cpus > 0 ? (int)cpus : 1;
    char **files = argv;
    size_t n = (size_t)argc;
    if (argc == 0) {
        if (glob("scenarios/validation/*.ini", 0, NULL, &g) != 0 &&
            glob(DBSCALE_DATADIR "/scenarios/validation/*.ini", 0, NULL, &g) != 0) {
            fprintf(stderr, "dbscale: no validation scenarios found in scenarios/validation/ "
                            "or " DBSCALE_DATADIR "/scenarios/validation/\n");
            return 66;
        }
        files = g.gl_pathv;
        n = g.gl_pathc;
    }
    printf("%-10s %-21s %-16s %12s %12s %10s %9s  %s\n", "scenario", "model", "metric", "theory",
           "simulated", "ci95", "error", "verdict");
    int all_ok = 1, code = 0;
    for (size_t i = 0; i < n && code == 0; i++) code = validate_file(files[i], &all_ok);
    if (argc == 0) globfree(&g);
    if (code) return code;
    printf("%s (pass: theory inside the simulation's 99.9%% confidence interval)\n",
           all_ok ? "all passed" : "some FAILED");
    return all_ok ? 0 : 1;
}
