/* runner.c: replications, warm-up, precision rounds and process-level parallelism. */
#include "cli/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/aggregate.h"
#include "cli/describe.h"
#include "cli/memlimit.h"
#include "cli/parts.h"
#include "sim/confidence.h"
#include "sim/mser.h"
#include "sim/report.h"

#define MAX_SERIES_POINTS 2000   /* time-series rows per run: memory independent of duration */
#define MSER_INTERVALS 250       /* pilot-run intervals for warmup = auto */

/* ---- one replication ---------------------------------------------------------------- */

typedef struct sampler {
    sim *s;
    series_set *series;   /* where rows go */
    double interval;      /* seconds */
    size_t cap_points;    /* allocated rows */
    report scratch;       /* sample ops write here */
    uint32_t *queue_ids;  /* station ids of the queue_<name> columns, in column order */
    size_t n_queues;
} sampler;

static int series_add_column(series_set *ss, const char *name)
{
    char (*grown)[64] = realloc(ss->names, (ss->n_series + 1) * sizeof *grown);
    if (!grown) return -1;
    ss->names = grown;
    memset(ss->names[ss->n_series], 0, sizeof ss->names[ss->n_series]); /* written whole */
    snprintf(ss->names[ss->n_series], 64, "%s", name);
    ss->n_series++;
    return 0;
}

/* Fixes the columns at the first sample: the workload's figures, then a queue column per
 * station that serves, then every "ts.<name>" value the stations wrote. */
static int sampler_columns(sampler *sm)
{
    series_set *ss = sm->series;
    static const char *fixed[] = {"throughput", "latency_mean_ms", "latency_p50_ms", "latency_p99_ms"};
    for (size_t i = 0; i < 4; i++)
        if (series_add_column(ss, fixed[i]) != 0) return -1;
    for (size_t i = 0; i < sm->s->n_stations; i++) {
        const station *st = sm->s->stations[i];
        if (st->stats.servers <= 0.0 || st->hidden) continue;
        char name[64];
        snprintf(name, sizeof name, "queue_%s", st->name);
        uint32_t *ids = realloc(sm->queue_ids, (sm->n_queues + 1) * sizeof *ids);
        if (!ids || series_add_column(ss, name) != 0) {
            if (ids) sm->queue_ids = ids;
            return -1;
        }
        sm->queue_ids = ids;
        sm->queue_ids[sm->n_queues++] = st->id;
    }
    for (size_t i = 0; i < sm->scratch.n_values; i++) {
        const char *n = sm->scratch.values[i].name;
        if (strncmp(n, "ts.", 3) == 0 && series_add_column(ss, n + 3) != 0) return -1;
    }
    return 0;
}

static void sample_hook(void *ctx, double now)
{
    sampler *sm = ctx;
    series_set *ss = sm->series;
    report_clear(&sm->scratch);
    for (size_t i = 0; i < sm->s->n_stations; i++) {
        station *st = sm->s->stations[i];
        if (st->ops->sample) st->ops->sample(st, &sm->scratch);
    }
    if (ss->n_series == 0 && sampler_columns(sm) != 0) goto oom;
    if (ss->n_points == sm->cap_points) {
        size_t cap = sm->cap_points ? 2 * sm->cap_points : 64;
        double *t = realloc(ss->t, cap * sizeof *t);
        if (!t) goto oom;
        ss->t = t;
        double *v = realloc(ss->values, cap * ss->n_series * sizeof *v);
        if (!v) goto oom;
        ss->values = v;
        sm->cap_points = cap;
    }
    double *row = ss->values + ss->n_points * ss->n_series;
    ss->t[ss->n_points] = now;
    const hist *lat = report_get_hist(&sm->scratch, "latency");
    double done = report_get(&sm->scratch, "completed");
    row[0] = isnan(done) ? NAN : done / sm->interval;
    row[1] = lat && lat->count ? 1e3 * hist_mean(lat) : NAN;
    row[2] = lat && lat->count ? 1e3 * hist_quantile(lat, 0.5) : NAN;
    row[3] = lat && lat->count ? 1e3 * hist_quantile(lat, 0.99) : NAN;
    size_t col = 4;
    for (size_t q = 0; q < sm->n_queues; q++)
        row[col++] = sm->s->stations[sm->queue_ids[q]]->stats.present.value;
    for (; col < ss->n_series; col++) {
        char name[80];
        snprintf(name, sizeof name, "ts.%s", ss->names[col]);
        row[col] = report_get(&sm->scratch, name);
    }
    ss->n_points++;
    return;
oom:
    sim_fail(sm->s, "out of memory while recording time series");
}

static void fill_station_rows(const sim *s, run_result *out)
{
    out->stations = calloc(s->n_stations ? s->n_stations : 1, sizeof *out->stations);
    if (!out->stations) return;
    out->n_stations = 0;
    for (size_t i = 0; i < s->n_stations; i++) {
        const station *st = s->stations[i];
        if (st->hidden) continue;
        station_row *row = &out->stations[out->n_stations++];
        snprintf(row->name, sizeof row->name, "%s", st->name);
        snprintf(row->kind, sizeof row->kind, "%s", st->kind->name);
        row->utilisation = station_utilisation(st);
        int serves = st->stats.servers > 0.0 || st->stats.arrivals > 0;
        row->mean_queue = serves ? station_mean_present(st) : NAN;
        row->mean_residence_ms = 1e3 * station_mean_residence(st);
        row->throughput = serves ? station_throughput(st) : NAN;
        row->refused = serves ? (double)st->stats.refused : NAN;
        row->offered_load = station_offered_load(st);
        row->backlog_growth = serves ? station_backlog_growth(st) : NAN;
    }
}

/* Figures stations reported about themselves: values named "<metric>.<station>" (or
 * "<kind>.<station>.<metric>"), matched against the station names, longest first. */
static void fill_station_values(const sim *s, const report *r, run_result *out)
{
    if (!r->n_values) return;
    out->values = calloc(r->n_values, sizeof *out->values);
    if (!out->values) return;
    for (size_t i = 0; i < r->n_values; i++) {
        const char *name = r->values[i].name;
        size_t len = strlen(name), best = 0;
        const station *who = NULL;
        const char *metric = NULL;
        size_t metric_len = 0;
        for (size_t k = 0; k < s->n_stations; k++) {
            const station *st = s->stations[k];
            size_t sl = strlen(st->name);
            if (sl <= best || sl + 1 >= len || st->hidden) continue;
            if (name[len - sl - 1] == '.' && strcmp(name + len - sl, st->name) == 0) {
                best = sl, who = st, metric = name, metric_len = len - sl - 1;
            } else {
                const char *at = strchr(name, '.');
                if (at && strncmp(at + 1, st->name, sl) == 0 && at[1 + sl] == '.' && at[2 + sl]) {
                    best = sl, who = st, metric = at + 2 + sl, metric_len = strlen(at + 2 + sl);
                }
            }
        }
        if (!who || metric_len == 0 || metric_len >= sizeof out->values[0].metric) continue;
        if (strncmp(name, "region.", 7) == 0 || strncmp(name, "ts.", 3) == 0) continue;
        station_value *v = &out->values[out->n_values++];
        snprintf(v->station, sizeof v->station, "%s", who->name);
        snprintf(v->metric, sizeof v->metric, "%.*s", (int)metric_len, metric);
        v->value = r->values[i].value;
    }
}

/* Per-region latency breakdown from the workloads' "region.*" reports. */
static void fill_region_rows(const sim *s, const report *r, run_result *out)
{
    if (s->n_regions == 0) return;
    out->regions = calloc(s->n_regions, sizeof *out->regions);
    if (!out->regions) return;
    out->n_regions = s->n_regions;
    for (size_t i = 0; i < s->n_regions; i++) {
        region_row *g = &out->regions[i];
        const char *n = s->region_names[i];
        char key[128];
        snprintf(g->name, sizeof g->name, "%s", n);
        hist_init(&g->latency);
        hist_init(&g->read);
        hist_init(&g->write);
        snprintf(key, sizeof key, "region.completed.%s", n);
        g->completed = report_get(r, key);
        snprintf(key, sizeof key, "region.failed.%s", n);
        g->failed = report_get(r, key);
        const hist *h;
        snprintf(key, sizeof key, "region.latency.%s", n);
        if ((h = report_get_hist(r, key))) g->latency = *h;
        snprintf(key, sizeof key, "region.latency.read.%s", n);
        if ((h = report_get_hist(r, key))) g->read = *h;
        snprintf(key, sizeof key, "region.latency.write.%s", n);
        if ((h = report_get_hist(r, key))) g->write = *h;
    }
}

int runner_run_one(const resolved *rc, uint32_t variant, uint32_t point, uint32_t rep,
                   double warmup, run_result *out)
{
    run_result_init(out);
    out->variant = variant;
    out->point = point;
    out->replication = rep;
    out->warmup_used = warmup;
    const scenario_settings *set = &rc->settings;
    double interval = set->sample_interval;
    if (interval > 0.0 && set->duration / interval > MAX_SERIES_POINTS)
        interval = set->duration / MAX_SERIES_POINTS;
    sim s;
    sim_config cfg = {
        .seed = (uint64_t)set->seed,
        .replication = rep,
        .duration = set->duration,
        .warmup = warmup,
        .sample_interval = interval,
        .max_in_flight = (size_t)set->max_in_flight,
    };
    if (sim_init(&s, &cfg) != 0) {
        out->failed = 1;
        snprintf(out->error, sizeof out->error, "out of memory");
        return -1;
    }
    sampler sm = {.s = &s, .series = &out->series, .interval = interval};
    report_init(&sm.scratch);
    if (interval > 0.0) {
        s.on_sample = sample_hook;
        s.sample_ctx = &sm;
    }
    int rc_build = resolved_build(rc, &s);
    sim_control *controls = rc->n_timeline ? calloc(rc->n_timeline, sizeof *controls) : NULL;
    if (rc_build == 0 && sim_start(&s) == 0) {
        for (size_t i = 0; i < rc->n_timeline; i++) {
            const timeline_action *a = &rc->timeline[i];
            if (timeline_is_network(a)) {
                if (a->at <= set->duration)
                    sim_schedule_partition(&s, a->at, (unsigned)a->region_a, (unsigned)a->region_b,
                                           strcmp(a->action, "partition") == 0);
                continue;
            }
            station *target = sim_find_station(&s, a->station);
            if (!controls || !target) {
                sim_fail(&s, "%s: timeline target '%s' is missing", a->where, a->station);
                break;
            }
            controls[i] = (sim_control){target, a->action, a->part, a->factor, a->where};
            if (a->at <= set->duration) sim_schedule_control(&s, a->at, &controls[i]);
        }
    }
    if (rc_build != 0 || s.failed || sim_run(&s) != 0) {
        out->failed = 1;
        snprintf(out->error, sizeof out->error, "%s", s.failed ? s.error : "cannot build the model");
    }
    if (!out->failed) {
        report r;
        report_init(&r);
        for (size_t i = 0; i < s.n_stations; i++) {
            station *st = s.stations[i];
            if (st->ops->report) st->ops->report(st, &r);
        }
        metrics_from_report(&r, set->duration - warmup, out->metrics);
        static const char *names[OP_COUNT] = {"latency.read", "latency.write", "latency.scan"};
        for (int op = 0; op < OP_COUNT; op++) {
            const hist *h = report_get_hist(&r, names[op]);
            if (h) out->latency[op] = *h;
        }
        const hist *all = report_get_hist(&r, "latency");
        if (all) out->latency[OP_COUNT] = *all;
        fill_station_rows(&s, out);
        fill_region_rows(&s, &r, out);
        fill_station_values(&s, &r, out);
        report_fini(&r);
    }
    out->events = s.events;
    report_fini(&sm.scratch);
    free(sm.queue_ids);
    sim_fini(&s);
    free(controls);
    return out->failed ? -1 : 0;
}

/* ---- jobs over processes ------------------------------------------------------------- */

typedef struct job {
    size_t cell;          /* index into the cells */
    uint32_t rep;         /* replication number */
    double warmup;        /* warm-up to use (s); < 0: pilot run for MSER-5 */
    run_result *out;      /* where the result goes */
} job;

typedef struct cell_plan {
    resolved rc;          /* configuration */
    uint32_t variant, point;
    double warmup;        /* fixed or MSER-5 result */
    int mser_unreliable;  /* MSER-5 said the run is too short */
} cell_plan;

static int run_job(const cell_plan *cells, job *j)
{
    const cell_plan *c = &cells[j->cell];
    if (j->warmup >= 0.0)
        return runner_run_one(&c->rc, c->variant, c->point, j->rep, j->warmup, j->out);
    /* Pilot for MSER-5: a run without warm-up, sampled in MSER_INTERVALS intervals. */
    resolved pilot = c->rc;
    pilot.settings.sample_interval = c->rc.settings.duration / MSER_INTERVALS;
    return runner_run_one(&pilot, c->variant, c->point, j->rep, 0.0, j->out);
}

typedef struct progress {
    int on;               /* print progress */
    size_t done, total;
} progress;

static void progress_tick(progress *p)
{
    p->done++;
    if (p->on) fprintf(stderr, "\rdbscale: %zu/%zu runs", p->done, p->total);
}

/* Runs the jobs, in this process or over `procs` forked workers. A worker takes the next
 * job not yet taken (a counter in shared memory), so runs of unequal length keep every
 * worker busy until the end; each result travels back through a file named by its job
 * index, so the results are the same whatever the number of processes and whoever ran
 * which job. Returns 0, or -1 (internal failure, printed). */
static int run_jobs(const cell_plan *cells, job *jobs, size_t n, int procs, progress *pg)
{
    if (procs > (int)n) procs = (int)n;
    if (procs <= 1) {
        for (size_t i = 0; i < n; i++) {
            run_job(cells, &jobs[i]);
            progress_tick(pg);
        }
        return 0;
    }
    char dir[] = "/tmp/dbscale-jobs-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "dbscale: cannot create a temporary directory: %s\n", strerror(errno));
        return -1;
    }
    int tick[2];
    if (pipe(tick) != 0) {
        rmdir(dir);
        return -1;
    }
    atomic_size_t *next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (next == MAP_FAILED) {
        close(tick[0]);
        close(tick[1]);
        rmdir(dir);
        return -1;
    }
    atomic_init(next, 0);
    fflush(NULL);
    pid_t *pids = calloc((size_t)procs, sizeof *pids);
    int failed = 0;
    for (int w = 0; w < procs && pids; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            failed = 1;
            break;
        }
        if (pid == 0) {
            close(tick[0]);
            int code = 0;
            for (size_t i; (i = atomic_fetch_add(next, 1)) < n;) {
                run_result r;
                run_job(cells, &(job){jobs[i].cell, jobs[i].rep, jobs[i].warmup, &r});
                char path[64];
                snprintf(path, sizeof path, "%s/%zu", dir, i);
                FILE *f = fopen(path, "wb");
                if (!f || run_result_write(&r, f) != 0 || fclose(f) != 0) code = 1;
                run_result_fini(&r);
                if (write(tick[1], "x", 1) != 1) code = 1;
            }
            close(tick[1]);
            free(pids);
            _exit(code);
        }
        pids[w] = pid;
    }
    close(tick[1]);
    char buf[64];
    ssize_t got;
    while ((got = read(tick[0], buf, sizeof buf)) > 0)
        for (ssize_t k = 0; k < got; k++) progress_tick(pg);
    close(tick[0]);
    for (int w = 0; w < procs && pids; w++) {
        int status = 0;
        if (pids[w] > 0 && (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) ||
                            WEXITSTATUS(status) != 0))
            failed = 1;
    }
    free(pids);
    munmap(next, sizeof *next);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "%s/%zu", dir, i);
        FILE *f = fopen(path, "rb");
        if (!f || run_result_read(jobs[i].out, f) != 0) failed = 1;
        if (f) fclose(f);
        unlink(path);
    }
    rmdir(dir);
    if (failed) fprintf(stderr, "dbscale: a worker process failed\n");
    return failed ? -1 : 0;
}

/* ---- the whole scenario -------------------------------------------------------------- */

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

static int fill_header(const scenario *sc, const cell_plan *plans, results *res)
{
    const cell_plan *first = &plans[0];
    res->scenario_name = xstrdup(first->rc.settings.name);
    res->scenario_path = xstrdup(sc->path);
    res->slo = xstrdup(first->rc.settings.slo);
    res->duration = first->rc.settings.duration;
    res->warmup = first->rc.settings.warmup_auto ? -1.0 : first->rc.settings.warmup;
    res->seed = (uint64_t)first->rc.settings.seed;
    FILE *f = fopen(sc->path, "rb");
    if (f) {
        size_t cap = 4096, len = 0;
        char *text = malloc(cap);
        size_t got;
        while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
            len += got;
            if (len + 1 == cap) {
                char *grown = realloc(text, cap *= 2);
                if (!grown) { free(text); text = NULL; break; }
                text = grown;
            }
        }
        if (text) text[len] = '\0';
        res->scenario_text = text;
        fclose(f);
    }
    res->n_variants = sc->n_variants;
    res->variant_names = calloc(sc->n_variants, sizeof *res->variant_names);
    res->n_axes = sc->n_axes;
    res->axis_keys = calloc(sc->n_axes ? sc->n_axes : 1, sizeof *res->axis_keys);
    res->n_points = sc->n_points;
    res->point_values = calloc(sc->n_points * (sc->n_axes ? sc->n_axes : 1), sizeof *res->point_values);
    if (!res->variant_names || !res->axis_keys || !res->point_values) return -1;
    for (size_t v = 0; v < sc->n_variants; v++) res->variant_names[v] = xstrdup(sc->variant_names[v]);
    for (size_t a = 0; a < sc->n_axes; a++) res->axis_keys[a] = xstrdup(sc->axes[a].key);
    for (size_t p = 0; p < sc->n_points; p++)
        for (size_t a = 0; a < sc->n_axes; a++)
            res->point_values[p * sc->n_axes + a] = xstrdup(scenario_point_value(sc, p, a));
    /* for report.md: each variant's architecture and current values of the swept keys
     * (plans are variant-major: the variant's first sweep point is plans[v * n_points]) */
    res->architecture = calloc(sc->n_variants, sizeof *res->architecture);
    res->axis_base = calloc(sc->n_variants * (sc->n_axes ? sc->n_axes : 1), sizeof *res->axis_base);
    if (!res->architecture || !res->axis_base) return -1;
    for (size_t v = 0; v < sc->n_variants; v++) {
        const resolved *rc = &plans[v * sc->n_points].rc;
        res->architecture[v] = describe_architecture(sc, rc);
        for (size_t a = 0; a < sc->n_axes; a++)
            res->axis_base[v * sc->n_axes + a] = describe_base_value(sc, rc, v, sc->axes[a].key);
    }
    return 0;
}

/* Main metrics whose precision `precision = X%` targets. */
static const int precision_metrics[] = {METRIC_THROUGHPUT, METRIC_LAT_MEAN, METRIC_LAT_P99};

/* The widest 95% CI half-width of the precision metrics relative to their means (0 when
 * none has one), and in *which the metric's id. */
static double precision_reached(const results_cell *cell, int *which)
{
    double worst = 0.0;
    *which = precision_metrics[0];
    for (size_t k = 0; k < sizeof precision_metrics / sizeof precision_metrics[0]; k++) {
        double v[4096];
        size_t m = 0;
        for (size_t r = 0; r < cell->n_reps && m < 4096; r++)
            v[m++] = cell->reps[r].metrics[precision_metrics[k]];
        ci c = ci_of(v, m, 0.95);
        if (isnan(c.mean) || isnan(c.half_width) || c.mean == 0.0) continue;
        double rel = c.half_width / fabs(c.mean);
        if (rel > worst) worst = rel, *which = precision_metrics[k];
    }
    return worst;
}

/* Replications a cell still needs to meet the precision target (0 when met or capped):
 * the half-width shrinks like 1/sqrt(n), so n x (reached / target)^2. */
static size_t more_needed(const results_cell *cell, const scenario_settings *set)
{
    size_t n = cell->n_reps;
    if (set->precision <= 0.0 || n >= (size_t)set->max_replications) return 0;
    int which;
    double rel = precision_reached(cell, &which) / set->precision;
    if (rel <= 1.0) return 0;
    size_t target = (size_t)ceil((double)n * rel * rel);
    if (target <= n) target = n + 1;
    if (target > (size_t)set->max_replications) target = (size_t)set->max_replications;
    return target - n;
}

static void cell_plans_fini(cell_plan *plans, size_t n)
{
    for (size_t i = 0; i < n; i++) resolved_fini(&plans[i].rc);
    free(plans);
}

int runner_execute(const scenario *sc, const run_options *o, results *res)
{
    memset(res, 0, sizeof *res);
    size_t n_cells = sc->n_variants * sc->n_points;
    cell_plan *plans = calloc(n_cells, sizeof *plans);
    if (!plans) return 70;
    diag_list d;
    diag_init(&d);
    for (size_t v = 0; v < sc->n_variants; v++) {
        for (size_t p = 0; p < sc->n_points; p++) {
            cell_plan *c = &plans[v * sc->n_points + p];
            c->variant = (uint32_t)v;
            c->point = (uint32_t)p;
            if (scenario_resolve(sc, v, p, &c->rc, &d) != 0) {
                diag_print(&d, stderr);
                diag_fini(&d);
                cell_plans_fini(plans, n_cells);
                return 65;
            }
            c->warmup = c->rc.settings.warmup;
            if (o->part_count > 1 && c->rc.settings.precision > 0.0) {
                fprintf(stderr, "dbscale: precision = %g%% decides the number of replications "
                        "from all of them, so the run cannot be split with --part; set a fixed "
                        "number of replications (--set scenario.precision=0)\n",
                        100 * c->rc.settings.precision);
                diag_fini(&d);
                cell_plans_fini(plans, n_cells);
                return 64;
            }
        }
    }
    diag_fini(&d);
    if (fill_header(sc, plans, res) != 0) {
        cell_plans_fini(plans, n_cells);
        return 70;
    }
    res->n_cells = n_cells;
    res->cells = calloc(n_cells, sizeof *res->cells);
    for (size_t i = 0; res->cells && i < n_cells; i++) {
        res->cells[i].variant = plans[i].variant;
        res->cells[i].point = plans[i].point;
        size_t cap = (size_t)(plans[i].rc.settings.precision > 0.0
                                  ? plans[i].rc.settings.max_replications
                                  : plans[i].rc.settings.replications);
        if ((size_t)plans[i].rc.settings.replications > cap) cap = (size_t)plans[i].rc.settings.replications;
        res->cells[i].reps = calloc(cap, sizeof(run_result));
        if (!res->cells[i].reps) { cell_plans_fini(plans, n_cells); return 70; }
    }
    if (!res->cells) { cell_plans_fini(plans, n_cells); return 70; }

    progress pg = {.on = !o->quiet && isatty(2)};
    int code = 0;
    job *jobs = NULL;

    /* MSER-5 pilots: one run per cell with warmup = auto. */
    size_t n_pilots = 0;
    for (size_t i = 0; i < n_cells; i++) n_pilots += plans[i].rc.settings.warmup_auto != 0;
    if (n_pilots) {
        run_result *pilots = calloc(n_pilots, sizeof *pilots);
        jobs = calloc(n_pilots, sizeof *jobs);
        if (!pilots || !jobs) { free(pilots); code = 70; goto done; }
        size_t k = 0;
        for (size_t i = 0; i < n_cells; i++)
            if (plans[i].rc.settings.warmup_auto) jobs[k] = (job){i, 0, -1.0, &pilots[k]}, k++;
        pg.total = n_pilots;
        if (run_jobs(plans, jobs, n_pilots, o->jobs, &pg) != 0) code = 70;
        for (size_t j = 0; j < n_pilots && code == 0; j++) {
            cell_plan *c = &plans[jobs[j].cell];
            const series_set *ss = &pilots[j].series;
            double *means = calloc(ss->n_points ? ss->n_points : 1, sizeof *means);
            size_t m = 0;
            double last = 0.0;
            for (size_t t = 0; means && t < ss->n_points; t++) {
                double v = ss->values[t * ss->n_series + 1]; /* latency_mean_ms */
                if (!isnan(v)) last = v;
                means[m++] = last;
            }
            mser_result mr = mser5(means, m);
            double width = c->rc.settings.duration / MSER_INTERVALS;
            c->warmup = (double)mr.truncate * width;
            /* MSER-5 on a short, noisy series often puts its global minimum late by chance;
             * what matters to the user is a warm-up that eats a large share of the run. */
            c->mser_unreliable = !mr.reliable && 4 * mr.truncate > m;
            free(means);
            if (c->mser_unreliable && !o->quiet)
                fprintf(stderr, "dbscale: warning: %s: MSER-5 puts the end of the warm-up at %.6g s, "
                        "over a quarter of the run, and the series may still be changing; "
                        "lengthen the duration\n", sc->variant_names[c->variant], c->warmup);
        }
        for (size_t j = 0; j < n_pilots; j++) run_result_fini(&pilots[j]);
        free(pilots);
        free(jobs);
        jobs = NULL;
        if (code) goto done;
    }

    /* Rounds: the configured replications, then more where the precision is not met. */
    size_t *want = calloc(n_cells, sizeof *want);
    if (!want) { code = 70; goto done; }
    for (size_t i = 0; i < n_cells; i++) want[i] = (size_t)plans[i].rc.settings.replications;
    for (;;) {
        size_t n_jobs = 0;
        for (size_t i = 0; i < n_cells; i++) n_jobs += want[i] - res->cells[i].n_reps;
        if (n_jobs == 0) break;
        jobs = calloc(n_jobs, sizeof *jobs);
        if (!jobs) { code = 70; break; }
        size_t k = 0, g = 0;
        for (size_t i = 0; i < n_cells; i++)
            for (size_t r = res->cells[i].n_reps; r < want[i]; r++, g++)
                if (parts_owns(g, o->part_index, o->part_count))
                    jobs[k++] = (job){i, (uint32_t)r, plans[i].warmup, &res->cells[i].reps[r]};
        n_jobs = k;
        pg.done = 0;
        pg.total = n_jobs;
        if (run_jobs(plans, jobs, n_jobs, o->jobs, &pg) != 0) code = 70;
        for (size_t i = 0; i < n_cells; i++) res->cells[i].n_reps = want[i];
        free(jobs);
        jobs = NULL;
        if (code) break;
        for (size_t i = 0; i < n_cells; i++) {
            for (size_t r = 0; r < res->cells[i].n_reps; r++) {
                const run_result *rr = &res->cells[i].reps[r];
                if (rr->failed) {
                    if (pg.on) fputc('\n', stderr);
                    fprintf(stderr, "dbscale: %s, replication %zu: %s\n",
                            sc->variant_names[plans[i].variant], r, rr->error);
                    if (strstr(rr->error, "out of memory") && memlimit_current() > 0)
                        fprintf(stderr, "dbscale: each simulation may use at most %.0f MB "
                                "(--max-memory); raise it, or make the model smaller (fewer keys, "
                                "a smaller cache, fewer requests in flight)\n",
                                memlimit_current() / 1048576.0);
                    code = 65;
                    break;
                }
            }
            if (code) break;
        }
        if (code) break;
        size_t more = 0;
        for (size_t i = 0; i < n_cells; i++) {
            size_t add = more_needed(&res->cells[i], &plans[i].rc.settings);
            want[i] += add;
            more += add;
        }
        if (!more) break;
    }
    free(want);
    if (pg.on) fputc('\n', stderr);

    /* A precision target that max_replications cut short: say so, the figures are wider. */
    for (size_t i = 0; i < n_cells && code == 0 && !o->quiet; i++) {
        const scenario_settings *set = &plans[i].rc.settings;
        int which;
        double rel = set->precision > 0.0 ? precision_reached(&res->cells[i], &which) : 0.0;
        if (rel > set->precision && set->precision > 0.0)
            fprintf(stderr, "dbscale: warning: %s: precision %g%% not reached after %zu "
                            "replications (max_replications): %s is within ±%.2g%%\n",
                    plans[i].rc.label, 100 * set->precision, res->cells[i].n_reps,
                    metric_column(which), 100 * rel);
    }

    /* Saturation: loud, on stderr, by the same rule as the outputs (aggregate.h). */
    for (size_t i = 0; i < n_cells && code == 0 && !o->quiet; i++) {
        const results_cell *cell = &res->cells[i];
        agg_station *st = NULL;
        size_t n_st = 0;
        if (!cell->n_reps || agg_stations(cell, &st, &n_st) != 0) continue;
        for (size_t s = 0; s < n_st; s++) {
            if (!st[s].saturated) continue;
            fprintf(stderr, "dbscale: warning: station '%s' is saturated in %s", st[s].name,
                    sc->variant_names[cell->variant]);
            for (size_t a = 0; a < sc->n_axes; a++)
                fprintf(stderr, "%s%s = %s", a ? ", " : " (", sc->axes[a].key,
                        scenario_point_value(sc, cell->point, a));
            fprintf(stderr, "%s: offered load %.3g of its capacity, backlog growing by %.3g "
                    "requests/s; its queue grows without bound, so its averages depend on the "
                    "run length\n", sc->n_axes ? ")" : "", st[s].v[AGG_OFFERED_LOAD].mean,
                    st[s].v[AGG_BACKLOG_GROWTH].mean);
        }
        free(st);
    }
done:
    free(jobs);
    cell_plans_fini(plans, n_cells);
    return code;
}
