/* node.c: the database node: cores, connections, USL contention, buffer pool and disk,
 * the table's scan cost and maintenance as background work, crash / recover / slow-down
 * (the model is described in node.h). */
#include "models/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report.h"

enum { EV_CPU_DONE = 1, EV_DISK_DONE = 2 };  /* arg = slot index */

static const opt_def node_options[] = {
    NODE_OPTION_ROWS("", node_config_holder, cfg),
    STATION_REGION_ROW(node_config_holder),
    {0},
};

static node *as_node(station *st) { return (node *)st; }
static const node *as_node_c(const station *st) { return (const node *)st; }

double node_usl_factor(const node_config *cfg, double n)
{
    return 1.0 + cfg->usl_sigma * (n - 1.0) + cfg->usl_kappa * n * (n - 1.0);
}

double node_miss_probability(const node_config *cfg)
{
    if (cfg->working_set <= 0.0) return 0.0;
    double p = 1.0 - cfg->memory / cfg->working_set;
    return p > 0.0 ? p : 0.0;
}

static void fifo_push(node_fifo *q, request *r)
{
    r->link = NULL;
    if (q->tail) q->tail->link = r;
    else q->head = r;
    q->tail = r;
    q->n++;
}

static request *fifo_pop(node_fifo *q)
{
    request *r = q->head;
    q->head = r->link;
    if (!q->head) q->tail = NULL;
    q->n--;
    r->link = NULL;
    return r;
}

static const dist *cpu_dist(const node_config *c, int op)
{
    return op == OP_WRITE ? &c->write_time : op == OP_SCAN ? &c->scan_time : &c->read_time;
}

int node_config_check(const node_config *cfg, const char *prefix, char *err, size_t errlen)
{
    return part_spec_check(&cfg->table, prefix, err, errlen);
}

static int node_validate(const void *config, char *err, size_t errlen)
{
    return node_config_check(&((const node_config_holder *)config)->cfg, "", err, errlen);
}

/* The table part of a scan's CPU time at key (rows read and partitions touched now), into
 * *ps. O(partitions.h part_table_scan). */
static double table_cost(node *nd, uint64_t key, part_scan *ps)
{
    const node_config *c = nd->cfg;
    part_table_scan(&nd->table, key, c->scan_window, c->scan_index, ps, NULL);
    return ps->rows_scanned * c->scan_row_time + (double)ps->touched * c->scan_overhead;
}

/* Mean CPU time of op (s), before contention: the distribution's mean, plus for scans the
 * mean table cost of the scans that arrived. */
static double op_mean(const node *nd, int op)
{
    double m = nd->cpu_mean[op];
    if (op == OP_SCAN && nd->has_table && nd->seen[OP_SCAN])
        m += nd->scan_cost_sum / (double)nd->seen[OP_SCAN];
    return m;
}

/* capacity_rate = min(cores / mean CPU time of the mix seen, disk servers / mean disk time
 * per request), over the slow-down; 0 (unknown) when not finite. O(1). */
static void update_capacity(node *nd)
{
    const node_config *c = nd->cfg;
    uint64_t total = 0;
    for (int op = 0; op < OP_COUNT; op++) total += nd->seen[op];
    double cpu_mean, read_share;
    if (total == 0) {
        cpu_mean = nd->cpu_mean[OP_READ];
        read_share = 1.0;
    } else {
        cpu_mean = 0.0;
        for (int op = 0; op < OP_COUNT; op++)
            if (nd->seen[op]) cpu_mean += (double)nd->seen[op] * op_mean(nd, op);
        cpu_mean /= (double)total;
        read_share = (double)nd->seen[OP_READ] / (double)total;
    }
    double cap = cpu_mean > 0.0 ? (double)c->cores / cpu_mean : INFINITY;
    double disk_per_request = read_share * nd->p_miss * nd->disk_mean;
    if (disk_per_request > 0.0) {
        double disk_cap = (double)c->disk_parallelism / disk_per_request;
        if (disk_cap < cap) cap = disk_cap;
    }
    cap /= nd->slowdown;
    nd->base.stats.capacity_rate = isfinite(cap) ? cap : 0.0;
}

static int node_init(station *st)
{
    node *nd = as_node(st);
    nd->cfg = st->config;
    const node_config *c = nd->cfg;
    size_t cores = (size_t)c->cores, disks = (size_t)c->disk_parallelism;
    nd->cpu = calloc(cores, sizeof *nd->cpu);
    nd->disk = calloc(disks, sizeof *nd->disk);
    nd->cpu_free = malloc(cores * sizeof *nd->cpu_free);
    nd->disk_free = malloc(disks * sizeof *nd->disk_free);
    if (!nd->cpu || !nd->disk || !nd->cpu_free || !nd->disk_free) {
        sim_fail(st->sim, "station '%s': out of memory for %zu cores and %zu disk slots",
                 st->name, cores, disks);
        return -1;
    }
    for (size_t i = 0; i < cores; i++) nd->cpu_free[i] = (uint32_t)(cores - 1 - i);
    for (size_t i = 0; i < disks; i++) nd->disk_free[i] = (uint32_t)(disks - 1 - i);
    nd->p_miss = node_miss_probability(c);
    nd->slowdown = 1.0;
    nd->up = 1;
    st->stats.servers = (double)c->cores;
    sim_stream(st->sim, st, "service", &nd->service_rng);
    sim_stream(st->sim, st, "buffer", &nd->buffer_rng);
    sim_stream(st->sim, st, "disk", &nd->disk_rng);
    timeavg_init(&nd->disk_use, st->sim->now, 0.0);
    for (int op = 0; op < OP_COUNT; op++) nd->cpu_mean[op] = dist_mean(cpu_dist(c, op));
    nd->disk_mean = dist_mean(&c->disk_read_time);
    timeavg_init(&nd->maint_use, st->sim->now, 0.0);
    nd->has_table = part_spec_has_table(&c->table);
    if (nd->has_table) {
        char err[256];
        if (part_table_init(&nd->table, &c->table, err, sizeof err) != 0) {
            nd->has_table = 0;
            sim_fail(st->sim, "station '%s': %s", st->name, err);
            return -1;
        }
    }
    update_capacity(nd);
    return 0;
}

/* Puts r on a free core; its CPU time carries the USL factor of the connections now. */
static void start_cpu(node *nd, request *r)
{
    station *st = &nd->base;
    const node_config *c = nd->cfg;
    uint32_t slot = nd->cpu_free[c->cores - nd->cpu_busy - 1];
    nd->cpu_busy++;
    station_busy(st, +1);
    double t = dist_sample(cpu_dist(c, r->op), &nd->service_rng);
    if (r->op == OP_SCAN && nd->has_table) {
        part_scan ps;
        t += table_cost(nd, r->key, &ps);
        nd->scans++;
        nd->scan_rows += ps.rows_scanned;
        nd->iv_scans++;
        nd->iv_rows += ps.rows_scanned;
        nd->scan_touched += (double)ps.touched;
    }
    t *= node_usl_factor(c, (double)nd->connections) * nd->slowdown;
    nd->cpu[slot].r = r;
    nd->cpu[slot].done = sim_schedule(st->sim, t, st, EV_CPU_DONE, NULL, slot);
}

/* Puts a worker of the waiting maintenance job started first on a free core. */
static void start_worker(node *nd)
{
    station *st = &nd->base;
    const node_config *c = nd->cfg;
    node_job *job = NULL;
    uint32_t j = 0;
    for (uint32_t i = 0; i < nd->n_jobs; i++)
        if (nd->jobs[i].waiting > 0 && (!job || nd->jobs[i].seq < job->seq)) job = &nd->jobs[j = i];
    SIM_ASSERT(st->sim, job != NULL);
    uint32_t slot = nd->cpu_free[c->cores - nd->cpu_busy - 1];
    nd->cpu_busy++;
    station_busy(st, +1);
    job->waiting--;
    job->running++;
    nd->maint_waiting--;
    nd->maint_busy++;
    timeavg_add(&nd->maint_use, st->sim->now, 1.0);
    nd->cpu[slot].r = NULL;
    nd->cpu[slot].job = j + 1;
    nd->cpu[slot].done =
        sim_schedule(st->sim, job->worker_time * nd->slowdown, st, EV_CPU_DONE, NULL, slot);
}

/* Fills free cores: waiting maintenance workers first, then waiting requests. */
static void fill_cores(node *nd)
{
    while (nd->cpu_busy < nd->cfg->cores) {
        if (nd->maint_waiting > 0) start_worker(nd);
        else if (nd->cpu_q.n) start_cpu(nd, fifo_pop(&nd->cpu_q));
        else break;
    }
}

static void start_disk(node *nd, request *r)
{
    station *st = &nd->base;
    const node_config *c = nd->cfg;
    uint32_t slot = nd->disk_free[c->disk_parallelism - nd->disk_busy - 1];
    nd->disk_busy++;
    timeavg_add(&nd->disk_use, st->sim->now, 1.0);
    double t = dist_sample(&c->disk_read_time, &nd->disk_rng) * nd->slowdown;
    nd->disk[slot].r = r;
    nd->disk[slot].done = sim_schedule(st->sim, t, st, EV_DISK_DONE, NULL, slot);
}

/* r leaves the node: its connection is released (the reply is sent by the caller). */
static void depart(node *nd, request *r)
{
    station_leave(&nd->base, r);
    nd->connections--;
}

static void refuse(station *st, request *r, int status)
{
    st->stats.refused++;
    r->status = status;
    sim_reply(st->sim, r);
}

static void node_arrive(station *st, request *r)
{
    node *nd = as_node(st);
    const node_config *c = nd->cfg;
    if (!nd->up) {
        nd->down_refused++;
        refuse(st, r, STATUS_FAILED);
        return;
    }
    if (c->max_connections > 0 && nd->connections >= c->max_connections) {
        refuse(st, r, STATUS_REFUSED);
        return;
    }
    if (r->op >= OP_COUNT) {
        sim_fail(st->sim, "station '%s' (node): request with unknown op %d", st->name, (int)r->op);
        refuse(st, r, STATUS_FAILED);
        return;
    }
    nd->seen[r->op]++;
    if (r->op == OP_SCAN && nd->has_table) {
        part_scan ps;
        nd->scan_cost_sum += table_cost(nd, r->key, &ps);
    }
    update_capacity(nd);
    station_enter(st, r);
    nd->connections++;
    if (nd->cpu_busy < c->cores) start_cpu(nd, r);
    else fifo_push(&nd->cpu_q, r);
}

static void worker_done(node *nd, uint32_t slot);

static void cpu_done(node *nd, uint32_t slot)
{
    const node_config *c = nd->cfg;
    if (nd->cpu[slot].job) {
        worker_done(nd, slot);
        return;
    }
    request *r = nd->cpu[slot].r;
    nd->cpu[slot].r = NULL;
    nd->cpu[slot].done = 0;
    nd->cpu_busy--;
    nd->cpu_free[c->cores - nd->cpu_busy - 1] = slot;
    station_busy(&nd->base, -1);
    int miss = 0;
    if (r->op == OP_READ) {
        miss = nd->p_miss > 0.0 && rng_uniform(&nd->buffer_rng) < nd->p_miss;
        if (miss) nd->misses++;
        else nd->hits++;
    }
    /* Release the connection before the next request starts, so its USL factor counts
     * only the requests still present. */
    if (!miss) depart(nd, r);
    fill_cores(nd);
    if (miss) {
        if (nd->disk_busy < c->disk_parallelism) start_disk(nd, r);
        else fifo_push(&nd->disk_q, r);
        return;
    }
    r->status = STATUS_OK;
    sim_reply(nd->base.sim, r);
}

static void disk_done(node *nd, uint32_t slot)
{
    const node_config *c = nd->cfg;
    request *r = nd->disk[slot].r;
    nd->disk[slot].r = NULL;
    nd->disk[slot].done = 0;
    nd->disk_busy--;
    nd->disk_free[c->disk_parallelism - nd->disk_busy - 1] = slot;
    timeavg_add(&nd->disk_use, nd->base.sim->now, -1.0);
    depart(nd, r);
    if (nd->disk_q.n) start_disk(nd, fifo_pop(&nd->disk_q));
    r->status = STATUS_OK;
    sim_reply(nd->base.sim, r);
}

/* ---- maintenance ---------------------------------------------------------------------- */

static void start_phase(node *nd, node_job *job, int kind, double work, int64_t workers);

/* The phase of job has done its work: apply it, then start the next phase or free the job. */
static void finish_phase(node *nd, node_job *job)
{
    const node_config *c = nd->cfg;
    if (job->kind == NODE_JOB_DROP) {
        part_table_drop(&nd->table, job->target);
        job->kind = NODE_JOB_FREE;
    } else if (job->kind == NODE_JOB_DELETE) {
        part_table_delete(&nd->table, job->target);
        double dead = part_table_slice_dead(&nd->table, job->target);
        start_phase(nd, job, NODE_JOB_VACUUM, dead * c->vacuum_row_time, c->maintenance_workers);
    } else {
        part_table_vacuum(&nd->table, job->target);
        job->kind = NODE_JOB_FREE;
    }
}

/* Starts a phase of `work` CPU seconds split over `workers`; with no work it ends at once. */
static void start_phase(node *nd, node_job *job, int kind, double work, int64_t workers)
{
    job->kind = kind;
    if (!(work > 0.0)) {
        finish_phase(nd, job);
        return;
    }
    job->worker_time = work / (double)workers;
    job->waiting = workers;
    job->running = 0;
    nd->maint_waiting += workers;
    fill_cores(nd);
}

static void worker_done(node *nd, uint32_t slot)
{
    station *st = &nd->base;
    const node_config *c = nd->cfg;
    node_job *job = &nd->jobs[nd->cpu[slot].job - 1];
    nd->cpu[slot].job = 0;
    nd->cpu[slot].done = 0;
    nd->cpu_busy--;
    nd->cpu_free[c->cores - nd->cpu_busy - 1] = slot;
    station_busy(st, -1);
    nd->maint_busy--;
    timeavg_add(&nd->maint_use, st->sim->now, -1.0);
    job->running--;
    if (job->running == 0 && job->waiting == 0) finish_phase(nd, job);
    fill_cores(nd);
}

/* A free job entry (the array grows when none is free), or NULL out of memory. */
static node_job *new_job(node *nd)
{
    for (uint32_t i = 0; i < nd->n_jobs; i++)
        if (nd->jobs[i].kind == NODE_JOB_FREE) return &nd->jobs[i];
    if (nd->n_jobs == nd->cap_jobs) {
        uint32_t cap = nd->cap_jobs ? 2 * nd->cap_jobs : 4;
        node_job *more = realloc(nd->jobs, cap * sizeof *more);
        if (!more) return NULL;
        nd->jobs = more;
        nd->cap_jobs = cap;
    }
    node_job *job = &nd->jobs[nd->n_jobs++];
    memset(job, 0, sizeof *job);
    return job;
}

/* 1 when a job of the drop family (drop = 1) or the delete family (drop = 0) runs on i. */
static int job_on(const node *nd, int drop, uint32_t i)
{
    for (uint32_t j = 0; j < nd->n_jobs; j++) {
        const node_job *job = &nd->jobs[j];
        if (job->kind == NODE_JOB_FREE || job->target != i) continue;
        if ((job->kind == NODE_JOB_DROP) == drop) return 1;
    }
    return 0;
}

int node_maintenance(station *st, const char *action, double number, char *err, size_t errlen)
{
    node *nd = as_node(st);
    const node_config *c = nd->cfg;
    int drop = strcmp(action, "drop-partition") == 0;
    const char *what = drop ? "partition" : "slice";
    if (!drop && strcmp(action, "delete-rows") != 0) {
        snprintf(err, errlen, "unknown maintenance '%s' for node '%s' (expected drop-partition, "
                 "delete-rows)", action, st->name);
        return -1;
    }
    if (!nd->has_table) {
        snprintf(err, errlen, "node '%s' has no table for '%s' (set table_rows or "
                 "partition_rows)", st->name, action);
        return -1;
    }
    if (drop && c->table.method == PART_NONE) {
        snprintf(err, errlen, "node '%s' has no partitions to drop (partition_by = none; "
                 "delete-rows deletes a key range's rows)", st->name);
        return -1;
    }
    if (!nd->up) {
        snprintf(err, errlen, "node '%s' is down: cannot run '%s'", st->name, action);
        return -1;
    }
    uint32_t n = nd->table.n, i;
    if (number == 0.0) { /* the first one left */
        for (i = 0; i < n; i++) {
            if (job_on(nd, drop, i)) continue;
            if (drop ? !nd->table.dropped[i] : part_table_slice_live(&nd->table, i) > 0.0) break;
        }
        if (i == n) {
            snprintf(err, errlen, drop ? "node '%s' has no partition left to drop"
                                       : "node '%s' has no live rows left to delete", st->name);
            return -1;
        }
    } else {
        if (!(number >= 1.0) || number != floor(number) || number > (double)n) {
            snprintf(err, errlen, "%s %g of node '%s' does not exist (a whole number from 1 to "
                     "%u)", what, number, st->name, n);
            return -1;
        }
        i = (uint32_t)number - 1;
        if (drop && nd->table.dropped[i]) {
            snprintf(err, errlen, "partition %u of node '%s' is already dropped", i + 1, st->name);
            return -1;
        }
        if (job_on(nd, drop, i)) {
            snprintf(err, errlen, drop ? "partition %u of node '%s' is already being dropped"
                                       : "rows of slice %u of node '%s' are already being "
                                         "deleted or vacuumed", i + 1, st->name);
            return -1;
        }
    }
    node_job *job = new_job(nd);
    if (!job) {
        snprintf(err, errlen, "out of memory for maintenance on node '%s'", st->name);
        return -1;
    }
    job->target = i;
    job->seq = nd->job_seq++;
    if (drop) start_phase(nd, job, NODE_JOB_DROP, c->drop_time, 1);
    else
        start_phase(nd, job, NODE_JOB_DELETE,
                    part_table_slice_live(&nd->table, i) * c->delete_row_time,
                    c->maintenance_workers);
    return 0;
}

static void node_event(station *st, const sim_event *ev)
{
    node *nd = as_node(st);
    uint32_t slot = (uint32_t)ev->arg;
    if (ev->kind == EV_CPU_DONE) cpu_done(nd, slot);
    else if (ev->kind == EV_DISK_DONE) disk_done(nd, slot);
    else SIM_ASSERT(st->sim, !"unknown node event kind");
}

static void node_reply(station *st, request *r)
{
    /* The node sends nothing downstream; pass anything that comes back on. */
    sim_reply(st->sim, r);
}

void node_set_slowdown(station *st, double factor)
{
    node *nd = as_node(st);
    SIM_ASSERT(st->sim, factor > 0.0 && isfinite(factor));
    nd->slowdown = factor;
    update_capacity(nd);
}

/* Empties the slots into the list at *tail (cancelling their completions); returns the new
 * tail. */
static request **drain_slots(sim *s, node_slot *slots, uint32_t *free_stack, int64_t n,
                             request **tail)
{
    for (int64_t i = 0; i < n; i++) {
        free_stack[i] = (uint32_t)(n - 1 - i);
        if (slots[i].job) { /* a maintenance worker: abandoned */
            sim_cancel(s, slots[i].done);
            slots[i].job = 0;
            slots[i].done = 0;
            continue;
        }
        if (!slots[i].r) continue;
        sim_cancel(s, slots[i].done);
        *tail = slots[i].r;
        tail = &slots[i].r->link;
        slots[i].r = NULL;
        slots[i].done = 0;
    }
    *tail = NULL;
    return tail;
}

static request **drain_fifo(node_fifo *q, request **tail)
{
    *tail = q->head;
    if (q->tail) tail = &q->tail->link;
    *tail = NULL;
    q->head = q->tail = NULL;
    q->n = 0;
    return tail;
}

void node_crash(station *st)
{
    node *nd = as_node(st);
    sim *s = st->sim;
    if (!nd->up) return;
    nd->up = 0;
    nd->crashes++;
    /* Collect everything present first, then reply: a reply may send a new request here
     * at once, which now finds the node down. */
    request *failed = NULL, **tail = &failed;
    tail = drain_slots(s, nd->cpu, nd->cpu_free, nd->cfg->cores, tail);
    tail = drain_fifo(&nd->cpu_q, tail);
    tail = drain_slots(s, nd->disk, nd->disk_free, nd->cfg->disk_parallelism, tail);
    drain_fifo(&nd->disk_q, tail);
    station_busy(st, -(int)nd->cpu_busy);
    nd->cpu_busy = 0;
    timeavg_add(&nd->disk_use, s->now, -(double)nd->disk_busy);
    nd->disk_busy = 0;
    timeavg_add(&nd->maint_use, s->now, -(double)nd->maint_busy);
    nd->maint_busy = 0;
    nd->maint_waiting = 0;
    for (uint32_t i = 0; i < nd->n_jobs; i++) nd->jobs[i].kind = NODE_JOB_FREE;
    while (failed) {
        request *r = failed;
        failed = r->link;
        r->link = NULL;
        depart(nd, r);
        nd->crash_failed++;
        r->status = STATUS_FAILED;
        sim_reply(s, r);
    }
    SIM_ASSERT(s, nd->connections == 0);
}

void node_recover(station *st)
{
    as_node(st)->up = 1;
}

int node_is_up(const station *st)
{
    return as_node_c(st)->up;
}

int64_t node_connections(const station *st)
{
    return as_node_c(st)->connections;
}

static int node_control(station *st, const char *action, const char *part, double factor,
                        char *err, size_t errlen)
{
    if (part && *part) {
        snprintf(err, errlen, "node '%s' has no part '%s'", st->name, part);
        return -1;
    }
    if (strcmp(action, "crash") == 0) {
        node_crash(st);
    } else if (strcmp(action, "recover") == 0) {
        node_recover(st);
    } else if (strcmp(action, "slow") == 0) {
        if (!(factor > 0.0) || !isfinite(factor)) {
            snprintf(err, errlen, "slow-down factor %g for node '%s' must be above 0", factor,
                     st->name);
            return -1;
        }
        node_set_slowdown(st, factor);
    } else if (strcmp(action, "drop-partition") == 0 || strcmp(action, "delete-rows") == 0) {
        return node_maintenance(st, action, factor, err, errlen);
    } else {
        snprintf(err, errlen, "unknown action '%s' for node '%s' (expected crash, recover, slow, "
                 "drop-partition, delete-rows)", action, st->name);
        return -1;
    }
    return 0;
}

static void node_reset(station *st)
{
    node *nd = as_node(st);
    nd->hits = nd->misses = 0;
    nd->crashes = nd->crash_failed = nd->down_refused = 0;
    timeavg_reset(&nd->disk_use, st->sim->now);
    nd->scans = 0;
    nd->scan_rows = nd->scan_touched = 0.0;
    timeavg_reset(&nd->maint_use, st->sim->now);
}

/* Writes `prefix<name>suffix` = v as a maximum into out (names are unique per node). */
static void put_value(report *out, const char *prefix, const char *name, const char *suffix,
                      double v)
{
    size_t n = strlen(prefix) + strlen(name) + strlen(suffix) + 1;
    char *key = malloc(n);
    if (!key) return;
    snprintf(key, n, "%s%s%s", prefix, name, suffix);
    report_max(out, key, v);
    free(key);
}

static void node_report(station *st, report *out)
{
    node *nd = as_node(st);
    const node_config *c = nd->cfg;
    double peak = timeavg_max(&st->stats.present);
    put_value(out, "conn_peak.", st->name, "", peak);
    put_value(out, "conn_memory_peak_mb.", st->name, "",
              peak * c->memory_per_connection / 1048576.0);
    if (nd->hits + nd->misses)
        put_value(out, "buffer_pool_hit_ratio.", st->name, "",
                  (double)nd->hits / (double)(nd->hits + nd->misses));
    put_value(out, "node.", st->name, ".disk_utilisation",
              timeavg_mean(&nd->disk_use, st->sim->now) / (double)c->disk_parallelism);
    if (!nd->has_table) return;
    if (nd->scans) {
        put_value(out, "node.", st->name, ".scan_rows_mean", nd->scan_rows / (double)nd->scans);
        put_value(out, "node.", st->name, ".scan_partitions_mean",
                  nd->scan_touched / (double)nd->scans);
    }
    const timeavg *m = &nd->maint_use;
    double now = st->sim->now, core_s = m->area + m->value * (now - m->last);
    put_value(out, "node.", st->name, ".maintenance_cores", timeavg_mean(m, now));
    put_value(out, "node.", st->name, ".maintenance_core_seconds", core_s);
}

static void node_sample(station *st, report *out)
{
    node *nd = as_node(st);
    if (st->hidden) return; /* a template cloned by a router: not a station of the run */
    put_value(out, "ts.conn_", st->name, "", (double)nd->connections);
    if (!nd->has_table) return;
    put_value(out, "ts.maint_", st->name, "", (double)nd->maint_busy);
    put_value(out, "ts.scan_rows_", st->name, "",
              nd->iv_scans ? nd->iv_rows / (double)nd->iv_scans : NAN);
    nd->iv_scans = 0;
    nd->iv_rows = 0.0;
}

static void node_fini(station *st)
{
    node *nd = as_node(st);
    free(nd->cpu);
    free(nd->disk);
    free(nd->cpu_free);
    free(nd->disk_free);
    nd->cpu = nd->disk = NULL;
    nd->cpu_free = nd->disk_free = NULL;
    part_table_fini(&nd->table);
    nd->has_table = 0;
    free(nd->jobs);
    nd->jobs = NULL;
    nd->n_jobs = nd->cap_jobs = 0;
}

static const station_ops node_ops = {
    .init = node_init,
    .arrive = node_arrive,
    .reply = node_reply,
    .event = node_event,
    .reset = node_reset,
    .report = node_report,
    .sample = node_sample,
    .control = node_control,
    .fini = node_fini,
};

static const char *const node_actions[] = {"crash", "recover", "slow", "drop-partition",
                                           "delete-rows", NULL};

const station_kind node_kind = {
    .name = "node",
    .summary = "database server: cores, connection limit, USL contention, buffer pool and disk, "
               "a partitioned table with scans and maintenance",
    .options = node_options,
    .config_size = sizeof(node_config_holder),
    .station_size = sizeof(node),
    .ops = &node_ops,
    .actions = node_actions,
    .placed = 1,
    .region_offset = offsetof(node_config_holder, region),
    .validate = node_validate,
};
