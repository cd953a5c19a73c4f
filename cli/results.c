/* results.c: run results: memory and the binary form handed between processes.
 *
 * Binary layout (native byte order and sizes; written and read by the same build):
 *   "DBSR" magic, u32 version, u32 variant, point, replication,
 *   u32 METRIC_COUNT, doubles metrics[],
 *   u64 n_stations, then per station: name[64], kind[32], 6 doubles,
 *   u64 n_series, names[n_series][64], u64 n_points, doubles t[n_points],
 *   doubles values[n_points * n_series],
 *   per latency histogram (OP_COUNT + 1): u64 count, doubles sum, min, max,
 *   u32 non-zero bins, then (u32 index, u64 count) pairs in rising index order,
 *   double warmup_used, u64 events, i32 failed, error[256], "END!" trailer.
 * Arrays are read in bounded chunks, so a corrupt count in a truncated file costs at most
 * the bytes actually present plus one chunk before the read fails. */
#include "cli/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RESULT_MAGIC "DBSR"
#define RESULT_TRAILER "END!"
#define RESULT_VERSION 5u
#define READ_CHUNK 65536u /* elements read (and allocated) at a time */

void run_result_init(run_result *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < METRIC_COUNT; i++) r->metrics[i] = NAN;
    for (int i = 0; i <= OP_COUNT; i++) hist_init(&r->latency[i]);
    r->warmup_used = NAN;
}

void run_result_fini(run_result *r)
{
    free(r->stations);
    free(r->regions);
    r->regions = NULL;
    free(r->values);
    r->values = NULL;
    r->n_values = 0;
    r->n_regions = 0;
    free(r->series.names);
    free(r->series.t);
    free(r->series.values);
    r->stations = NULL;
    r->n_stations = 0;
    memset(&r->series, 0, sizeof r->series);
}

void results_init(results *r)
{
    memset(r, 0, sizeof *r);
    r->duration = NAN;
    r->warmup = NAN;
}

static void free_strings(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void results_fini(results *r)
{
    free(r->scenario_name);
    free(r->scenario_path);
    free(r->scenario_text);
    free_strings(r->variant_names, r->n_variants);
    free_strings(r->axis_keys, r->n_axes);
    free_strings(r->point_values, r->n_points * r->n_axes);
    for (size_t c = 0; c < r->n_cells && r->cells; c++) {
        for (size_t k = 0; k < r->cells[c].n_reps; k++) run_result_fini(&r->cells[c].reps[k]);
        free(r->cells[c].reps);
    }
    free(r->cells);
    free(r->slo);
    free_strings(r->architecture, r->n_variants);
    free_strings(r->axis_base, r->n_variants * r->n_axes);
    results_init(r);
}

/* ---- writing ---- */

static int put(FILE *f, const void *p, size_t n)
{
    return n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1;
}

static int put_u32(FILE *f, uint32_t v) { return put(f, &v, sizeof v); }
static int put_u64(FILE *f, uint64_t v) { return put(f, &v, sizeof v); }
static int put_f64(FILE *f, double v) { return put(f, &v, sizeof v); }

static int put_hist(FILE *f, const hist *h)
{
    uint32_t nz = 0;
    for (size_t i = 0; i < HIST_BINS; i++) nz += h->bins[i] != 0;
    if (put_u64(f, h->count) || put_f64(f, h->sum) || put_f64(f, h->min) ||
        put_f64(f, h->max) || put_u32(f, nz))
        return -1;
    for (size_t i = 0; i < HIST_BINS; i++) {
        if (!h->bins[i]) continue;
        if (put_u32(f, (uint32_t)i) || put_u64(f, h->bins[i])) return -1;
    }
    return 0;
}

static int put_station(FILE *f, const station_row *s)
{
    const double v[7] = {s->utilisation, s->mean_queue, s->mean_residence_ms,
                         s->throughput,  s->refused,    s->offered_load, s->backlog_growth};
    return put(f, s->name, sizeof s->name) || put(f, s->kind, sizeof s->kind) ||
                   put(f, v, sizeof v)
               ? -1
               : 0;
}

int run_result_write(const run_result *r, FILE *f)
{
    const series_set *s = &r->series;
    if (s->n_series && s->n_points && (size_t)-1 / s->n_series < s->n_points) return -1;
    if (put(f, RESULT_MAGIC, 4) || put_u32(f, RESULT_VERSION) || put_u32(f, r->variant) ||
        put_u32(f, r->point) || put_u32(f, r->replication) || put_u32(f, METRIC_COUNT) ||
        put(f, r->metrics, sizeof r->metrics) || put_u64(f, r->n_stations))
        return -1;
    for (size_t i = 0; i < r->n_stations; i++)
        if (put_station(f, &r->stations[i])) return -1;
    if (put_u64(f, s->n_series) || put(f, s->names, s->n_series * sizeof *s->names) ||
        put_u64(f, s->n_points) || put(f, s->t, s->n_points * sizeof *s->t) ||
        put(f, s->values, s->n_points * s->n_series * sizeof *s->values))
        return -1;
    for (int i = 0; i <= OP_COUNT; i++)
        if (put_hist(f, &r->latency[i])) return -1;
    if (put_u64(f, r->n_regions)) return -1;
    for (size_t i = 0; i < r->n_regions; i++) {
        const region_row *g = &r->regions[i];
        if (put(f, g->name, sizeof g->name) || put_f64(f, g->completed) || put_f64(f, g->failed) ||
            put_hist(f, &g->latency) || put_hist(f, &g->read) || put_hist(f, &g->write))
            return -1;
    }
    if (put_u64(f, r->n_values) || put(f, r->values, r->n_values * sizeof *r->values)) return -1;
    int32_t failed = r->failed;
    if (put_f64(f, r->warmup_used) || put_u64(f, r->events) || put(f, &failed, sizeof failed) ||
        put(f, r->error, sizeof r->error) || put(f, RESULT_TRAILER, 4))
        return -1;
    return ferror(f) ? -1 : 0;
}

/* ---- reading ---- */

static int get(FILE *f, void *p, size_t n)
{
    return n == 0 || fread(p, 1, n, f) == n ? 0 : -1;
}

static int get_u32(FILE *f, uint32_t *v) { return get(f, v, sizeof *v); }
static int get_u64(FILE *f, uint64_t *v) { return get(f, v, sizeof *v); }
static int get_f64(FILE *f, double *v) { return get(f, v, sizeof *v); }

/* Reads n elements of `size` bytes into a fresh array (*out; NULL when n is 0), growing
 * it chunk by chunk so that a bogus n in a short file fails on the data, not on malloc.
 * Returns 0, or -1 (nothing allocated). */
static int get_array(FILE *f, uint64_t n, size_t size, void **out)
{
    *out = NULL;
    if (n == 0) return 0;
    if (n > (uint64_t)((size_t)-1 / size)) return -1;
    char *buf = NULL;
    size_t have = 0;
    while (have < n) {
        size_t take = n - have < READ_CHUNK ? (size_t)(n - have) : READ_CHUNK;
        char *nb = realloc(buf, (have + take) * size);
        if (!nb) {
            free(buf);
            return -1;
        }
        buf = nb;
        if (get(f, buf + have * size, take * size)) {
            free(buf);
            return -1;
        }
        have += take;
    }
    *out = buf;
    return 0;
}

static int get_hist(FILE *f, hist *h)
{
    hist_init(h);
    uint32_t nz;
    if (get_u64(f, &h->count) || get_f64(f, &h->sum) || get_f64(f, &h->min) ||
        get_f64(f, &h->max) || get_u32(f, &nz) || nz > HIST_BINS)
        return -1;
    uint64_t total = 0;
    int64_t prev = -1;
    for (uint32_t k = 0; k < nz; k++) {
        uint32_t i;
        uint64_t c;
        if (get_u32(f, &i) || get_u64(f, &c)) return -1;
        if (i >= HIST_BINS || (int64_t)i <= prev || c == 0 || c > UINT64_MAX - total) return -1;
        h->bins[i] = c;
        total += c;
        prev = i;
    }
    return total == h->count ? 0 : -1;
}

static int get_station(FILE *f, station_row *s)
{
    double v[7];
    if (get(f, s->name, sizeof s->name) || get(f, s->kind, sizeof s->kind) ||
        get(f, v, sizeof v))
        return -1;
    s->name[sizeof s->name - 1] = '\0';
    s->kind[sizeof s->kind - 1] = '\0';
    s->utilisation = v[0];
    s->mean_queue = v[1];
    s->mean_residence_ms = v[2];
    s->throughput = v[3];
    s->refused = v[4];
    s->backlog_growth = v[6];
    s->offered_load = v[5];
    return 0;
}

static int read_body(run_result *r, FILE *f)
{
    char magic[4];
    uint32_t version, n_metrics;
    if (get(f, magic, 4) || memcmp(magic, RESULT_MAGIC, 4) || get_u32(f, &version) ||
        version != RESULT_VERSION || get_u32(f, &r->variant) || get_u32(f, &r->point) ||
        get_u32(f, &r->replication) || get_u32(f, &n_metrics) || n_metrics != METRIC_COUNT ||
        get(f, r->metrics, sizeof r->metrics))
        return -1;

    uint64_t n;
    if (get_u64(f, &n)) return -1;
    /* stations: a row at a time, so a bogus count cannot make us allocate much */
    for (uint64_t i = 0; i < n; i++) {
        if (r->n_stations % 64 == 0) {
            if (r->n_stations + 64 > (size_t)-1 / sizeof *r->stations) return -1;
            station_row *ns = realloc(r->stations, (r->n_stations + 64) * sizeof *ns);
            if (!ns) return -1;
            r->stations = ns;
        }
        if (get_station(f, &r->stations[r->n_stations])) return -1;
        r->n_stations++;
    }

    series_set *s = &r->series;
    uint64_t n_series, n_points;
    void *p;
    if (get_u64(f, &n_series) || get_array(f, n_series, sizeof *s->names, &p)) return -1;
    s->names = p;
    s->n_series = (size_t)n_series;
    for (size_t i = 0; i < s->n_series; i++) s->names[i][sizeof s->names[i] - 1] = '\0';
    if (get_u64(f, &n_points) || get_array(f, n_points, sizeof *s->t, &p)) return -1;
    s->t = p;
    s->n_points = (size_t)n_points;
    if (n_series && n_points > UINT64_MAX / n_series) return -1;
    if (get_array(f, n_points * n_series, sizeof *s->values, &p)) return -1;
    s->values = p;

    for (int i = 0; i <= OP_COUNT; i++)
        if (get_hist(f, &r->latency[i])) return -1;

    uint64_t n_regions;
    if (get_u64(f, &n_regions) || n_regions > 4096) return -1;
    if (n_regions) {
        r->regions = calloc((size_t)n_regions, sizeof *r->regions);
        if (!r->regions) return -1;
        r->n_regions = (size_t)n_regions;
        for (size_t i = 0; i < r->n_regions; i++) {
            region_row *g = &r->regions[i];
            if (get(f, g->name, sizeof g->name) || get_f64(f, &g->completed) ||
                get_f64(f, &g->failed) || get_hist(f, &g->latency) || get_hist(f, &g->read) ||
                get_hist(f, &g->write))
                return -1;
            g->name[sizeof g->name - 1] = '\0';
        }
    }

    uint64_t n_values;
    if (get_u64(f, &n_values) || get_array(f, n_values, sizeof *r->values, &p)) return -1;
    r->values = p;
    r->n_values = (size_t)n_values;
    for (size_t i = 0; i < r->n_values; i++) {
        r->values[i].station[sizeof r->values[i].station - 1] = '\0';
        r->values[i].metric[sizeof r->values[i].metric - 1] = '\0';
    }

    int32_t failed;
    char trailer[4];
    if (get_f64(f, &r->warmup_used) || get_u64(f, &r->events) ||
        get(f, &failed, sizeof failed) || get(f, r->error, sizeof r->error) ||
        get(f, trailer, 4) || memcmp(trailer, RESULT_TRAILER, 4))
        return -1;
    r->failed = failed;
    r->error[sizeof r->error - 1] = '\0';
    return 0;
}

int run_result_read(run_result *r, FILE *f)
{
    run_result_init(r);
    if (read_body(r, f) == 0) return 0;
    run_result_fini(r);
    run_result_init(r);
    return -1;
}
