/* parts.c: slices of a run written to files and merged back. */
#include "cli/parts.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PART_MAGIC "DBSP"
#define PART_VERSION 2u
#define PART_END "END!"

static int put(FILE *f, const void *p, size_t n) { return n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1; }
static int put_u32(FILE *f, uint32_t v) { return put(f, &v, sizeof v); }
static int put_f64(FILE *f, double v) { return put(f, &v, sizeof v); }
static int put_str(FILE *f, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0;  /* 0 = NULL */
    return put_u32(f, n) || (n && put(f, s, n - 1));
}

static int get(FILE *f, void *p, size_t n) { return n == 0 || fread(p, 1, n, f) == n ? 0 : -1; }
static int get_u32(FILE *f, uint32_t *v) { return get(f, v, sizeof *v); }
static int get_f64(FILE *f, double *v) { return get(f, v, sizeof *v); }
static int get_str(FILE *f, char **out)
{
    uint32_t n;
    *out = NULL;
    if (get_u32(f, &n)) return -1;
    if (n == 0) return 0;
    if (n > (1u << 28)) return -1;
    char *s = malloc(n);
    if (!s || get(f, s, n - 1)) {
        free(s);
        return -1;
    }
    s[n - 1] = '\0';
    *out = s;
    return 0;
}

static int put_header(FILE *f, const results *r)
{
    if (put_str(f, r->scenario_name) || put_str(f, r->scenario_path) || put_str(f, r->scenario_text) ||
        put_str(f, r->slo) || put_f64(f, r->duration) || put_f64(f, r->warmup) ||
        put(f, &r->seed, sizeof r->seed) || put_u32(f, (uint32_t)r->n_variants))
        return -1;
    for (size_t v = 0; v < r->n_variants; v++)
        if (put_str(f, r->variant_names[v])) return -1;
    if (put_u32(f, (uint32_t)r->n_axes)) return -1;
    for (size_t a = 0; a < r->n_axes; a++)
        if (put_str(f, r->axis_keys[a])) return -1;
    if (put_u32(f, (uint32_t)r->n_points)) return -1;
    for (size_t p = 0; p < r->n_points * r->n_axes; p++)
        if (put_str(f, r->point_values[p])) return -1;
    for (size_t v = 0; v < r->n_variants; v++)
        if (put_str(f, r->architecture ? r->architecture[v] : NULL)) return -1;
    for (size_t i = 0; i < r->n_variants * r->n_axes; i++)
        if (put_str(f, r->axis_base ? r->axis_base[i] : NULL)) return -1;
    if (put_u32(f, (uint32_t)r->n_cells)) return -1;
    for (size_t c = 0; c < r->n_cells; c++)
        if (put_u32(f, r->cells[c].variant) || put_u32(f, r->cells[c].point) ||
            put_u32(f, (uint32_t)r->cells[c].n_reps))
            return -1;
    return 0;
}

static int get_header(FILE *f, results *r)
{
    uint32_t n;
    if (get_str(f, &r->scenario_name) || get_str(f, &r->scenario_path) ||
        get_str(f, &r->scenario_text) || get_str(f, &r->slo) || get_f64(f, &r->duration) ||
        get_f64(f, &r->warmup) || get(f, &r->seed, sizeof r->seed) || get_u32(f, &n) || n > 100000)
        return -1;
    r->variant_names = calloc(n ? n : 1, sizeof *r->variant_names);
    if (!r->variant_names) return -1;
    r->n_variants = n;
    for (size_t v = 0; v < n; v++)
        if (get_str(f, &r->variant_names[v])) return -1;
    if (get_u32(f, &n) || n > 1000) return -1;
    r->axis_keys = calloc(n ? n : 1, sizeof *r->axis_keys);
    if (!r->axis_keys) return -1;
    r->n_axes = n;
    for (size_t a = 0; a < n; a++)
        if (get_str(f, &r->axis_keys[a])) return -1;
    if (get_u32(f, &n) || n > 10000000 || (r->n_axes && n > 10000000 / r->n_axes)) return -1;
    r->n_points = n;
    size_t n_values = (size_t)n * r->n_axes;
    r->point_values = calloc(n_values ? n_values : 1, sizeof *r->point_values);
    if (!r->point_values) return -1;
    for (size_t p = 0; p < n * r->n_axes; p++)
        if (get_str(f, &r->point_values[p])) return -1;
    r->architecture = calloc(r->n_variants ? r->n_variants : 1, sizeof *r->architecture);
    size_t n_base = r->n_variants * r->n_axes;
    r->axis_base = calloc(n_base ? n_base : 1, sizeof *r->axis_base);
    if (!r->architecture || !r->axis_base) return -1;
    for (size_t v = 0; v < r->n_variants; v++)
        if (get_str(f, &r->architecture[v])) return -1;
    for (size_t i = 0; i < r->n_variants * r->n_axes; i++)
        if (get_str(f, &r->axis_base[i])) return -1;
    if (get_u32(f, &n) || n != r->n_variants * r->n_points) return -1;
    r->cells = calloc(n ? n : 1, sizeof *r->cells);
    if (!r->cells) return -1;
    r->n_cells = n;
    for (size_t c = 0; c < n; c++) {
        uint32_t reps;
        if (get_u32(f, &r->cells[c].variant) || get_u32(f, &r->cells[c].point) ||
            get_u32(f, &reps) || reps > 1000000)
            return -1;
        r->cells[c].n_reps = reps;
        r->cells[c].reps = calloc(reps ? reps : 1, sizeof(run_result));
        if (!r->cells[c].reps) return -1;
    }
    return 0;
}

/* mkdir -p. Returns 0 or -1 (errno set). */
static int make_dirs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int parts_write_stream(const results *res, int index, int count, FILE *f)
{
    uint32_t owned = 0;
    size_t g = 0;
    for (size_t c = 0; c < res->n_cells; c++)
        for (size_t k = 0; k < res->cells[c].n_reps; k++, g++) owned += parts_owns(g, index, count);
    int bad = put(f, PART_MAGIC, 4) || put_u32(f, PART_VERSION) || put_u32(f, (uint32_t)index) ||
              put_u32(f, (uint32_t)count) || put_header(f, res) || put_u32(f, owned);
    g = 0;
    for (size_t c = 0; c < res->n_cells && !bad; c++) {
        for (size_t k = 0; k < res->cells[c].n_reps && !bad; k++, g++) {
            if (!parts_owns(g, index, count)) continue;
            bad = put_u32(f, (uint32_t)c) || put_u32(f, (uint32_t)k) ||
                  run_result_write(&res->cells[c].reps[k], f);
        }
    }
    bad = bad || put(f, PART_END, 4);
    return bad || ferror(f) ? -1 : 0;
}

int parts_write(const results *res, int index, int count, const char *dir)
{
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "dbscale: cannot write '%s': %s\n", dir, strerror(errno));
        return 73;
    }
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/part-%d-of-%d.bin", dir, index, count);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "dbscale: cannot write '%s': %s\n", tmp, strerror(errno));
        return 73;
    }
    int bad = parts_write_stream(res, index, count, f);
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "dbscale: cannot write '%s': %s\n", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        return 73;
    }
    return 0;
}

/* Same run: same scenario, settings, variants, points and replications per cell. */
static int same_run(const results *a, const results *b)
{
    if (strcmp(a->scenario_name ? a->scenario_name : "", b->scenario_name ? b->scenario_name : "") ||
        strcmp(a->scenario_text ? a->scenario_text : "", b->scenario_text ? b->scenario_text : "") ||
        a->seed != b->seed || a->n_variants != b->n_variants || a->n_axes != b->n_axes ||
        a->n_points != b->n_points || a->n_cells != b->n_cells)
        return 0;
    for (size_t v = 0; v < a->n_variants; v++)
        if (strcmp(a->variant_names[v], b->variant_names[v])) return 0;
    for (size_t p = 0; p < a->n_points * a->n_axes; p++)
        if (strcmp(a->point_values[p] ? a->point_values[p] : "", b->point_values[p] ? b->point_values[p] : ""))
            return 0;
    for (size_t c = 0; c < a->n_cells; c++)
        if (a->cells[c].n_reps != b->cells[c].n_reps) return 0;
    return 1;
}

int parts_read_stream(FILE *f, const char *path, results *whole, int *have_header, int *count,
                      unsigned char *seen_parts)
{
    char magic[4];
    uint32_t version, index, n, owned;
    results hdr;
    results_init(&hdr);
    int code = 0;
    if (get(f, magic, 4) || memcmp(magic, PART_MAGIC, 4) || get_u32(f, &version) ||
        version != PART_VERSION || get_u32(f, &index) || get_u32(f, &n) || n == 0 ||
        index >= n || get_header(f, &hdr) || get_u32(f, &owned)) {
        fprintf(stderr, "dbscale: '%s' is not a dbscale part file (or is damaged)\n", path);
        code = 65;
    } else if (n > PARTS_MAX) {
        fprintf(stderr, "dbscale: '%s': more than %d parts\n", path, PARTS_MAX);
        code = 65;
    } else if (*have_header && ((int)n != *count || !same_run(whole, &hdr))) {
        fprintf(stderr, "dbscale: '%s' belongs to a different run than the other parts\n", path);
        code = 65;
    } else if (*have_header && seen_parts[index]) {
        fprintf(stderr, "dbscale: part %u of %u given twice ('%s')\n", index, n, path);
        code = 65;
    }
    if (code == 0 && !*have_header) {
        *whole = hdr;
        results_init(&hdr);
        *have_header = 1;
        *count = (int)n;
    }
    if (code == 0) seen_parts[index] = 1;
    for (uint32_t i = 0; code == 0 && i < owned; i++) {
        uint32_t c, k;
        run_result r;
        if (get_u32(f, &c) || get_u32(f, &k) || c >= whole->n_cells || k >= whole->cells[c].n_reps ||
            run_result_read(&r, f) != 0) {
            fprintf(stderr, "dbscale: '%s' is damaged\n", path);
            code = 65;
            break;
        }
        run_result *slot = &whole->cells[c].reps[k];
        run_result_fini(slot);
        *slot = r;
    }
    if (code == 0 && (get(f, magic, 4) || memcmp(magic, PART_END, 4))) {
        fprintf(stderr, "dbscale: '%s' is truncated\n", path);
        code = 65;
    }
    results_fini(&hdr);
    return code;
}

/* Reads one part file into `whole` (its header the first time). 0, 65 or 66. */
static int read_part(const char *path, results *whole, int *have_header, int *count,
                     unsigned char *seen_parts)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dbscale: cannot read '%s': %s\n", path, strerror(errno));
        return 66;
    }
    int code = parts_read_stream(f, path, whole, have_header, count, seen_parts);
    fclose(f);
    return code;
}

int parts_check_complete(const unsigned char *seen, int count)
{
    for (int i = 0; i < count && i < PARTS_MAX; i++) {
        if (!seen[i]) {
            fprintf(stderr, "dbscale: part %d of %d is missing\n", i, count);
            return 65;
        }
    }
    return 0;
}

int parts_merge(char *const *dirs, size_t n_dirs, results *out)
{
    results_init(out);
    int have_header = 0, count = 0, code = 0;
    unsigned char seen[PARTS_MAX] = {0};
    size_t files = 0;
    for (size_t d = 0; d < n_dirs && code == 0; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir) {
            fprintf(stderr, "dbscale: cannot read '%s': %s\n", dirs[d], strerror(errno));
            code = 66;
            break;
        }
        struct dirent *e;
        char **names = NULL;
        size_t n_names = 0;
        while ((e = readdir(dir))) {
            int i, n;
            char tail[8];
            if (sscanf(e->d_name, "part-%d-of-%d.bi%1s", &i, &n, tail) == 3 && strcmp(tail, "n") == 0) {
                char **grown = realloc(names, (n_names + 1) * sizeof *names);
                if (!grown) break;
                names = grown;
                names[n_names++] = strdup(e->d_name);
            }
        }
        closedir(dir);
        for (size_t i = 0; i < n_names; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dirs[d], names[i]);
            if (code == 0) code = read_part(path, out, &have_header, &count, seen);
            files++;
            free(names[i]);
        }
        free(names);
    }
    if (code == 0 && !files) {
        fprintf(stderr, "dbscale: no part files (part-I-of-N.bin) found\n");
        code = 66;
    }
    if (code == 0) code = parts_check_complete(seen, count);
    return code;
}
