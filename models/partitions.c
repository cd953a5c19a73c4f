/* partitions.c: the partitioned table's layout, routing, pruning, rows scanned and
 * maintenance row counts (the model is described in partitions.h). */
#include "models/partitions.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

const opt_choice part_method_choices[] = {
    {"none", PART_NONE, "one table: every scan reads the whole table"},
    {"range", PART_RANGE, "equal key (time) ranges: scans touch only the partitions their window overlaps"},
    {"list", PART_LIST, "listed values (partition_list): scans touch the partitions holding values in the window"},
    {"hash", PART_HASH, "hash of the key mod partitions: no pruning for ranges, every scan touches all"},
    {0},
};

/* ---- option hooks ----------------------------------------------------------------------- */

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return s;
}

/* True when text is empty or "none" (spaces ignored). */
static int is_none(const char *text)
{
    const char *t = skip_space(text);
    if (strncmp(t, "none", 4) == 0) t += 4;
    return *skip_space(t) == '\0';
}

/* Copies the item [s, e) of text, trimmed, into buf (size n). Returns 0, or -1 when empty
 * or too long. */
static int take_item(const char *s, const char *e, char *buf, size_t n)
{
    while (s < e && isspace((unsigned char)*s)) s++;
    while (e > s && isspace((unsigned char)e[-1])) e--;
    if (s == e || (size_t)(e - s) >= n) return -1;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = '\0';
    return 0;
}

int part_rows_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    part_rows_list out = {0};
    if (is_none(text)) {
        *(part_rows_list *)field = out;
        return 0;
    }
    const char *p = text;
    for (;;) {
        const char *e = p;
        while (*e && *e != ',') e++;
        char item[64], inner[200];
        if (take_item(p, e, item, sizeof item) != 0) {
            snprintf(err, n, "empty or overlong size in partition_rows '%s' (expected counts "
                     "separated by commas, e.g. '1M, 1.2M, 900k')", text);
            return -1;
        }
        double v;
        if (units_parse(item, UNIT_NUMBER, &v, inner, sizeof inner) != 0 || !(v >= 0) ||
            !isfinite(v) || v > 1e15) {
            snprintf(err, n, "bad row count '%s' in partition_rows '%s' (expected a count from "
                     "0 to 1e15, e.g. 1.2M)", item, text);
            return -1;
        }
        if (out.n == PART_MAX_LISTED) {
            snprintf(err, n, "partition_rows '%.60s...' lists more than %d sizes", text,
                     PART_MAX_LISTED);
            return -1;
        }
        out.rows[out.n++] = v;
        if (!*e) break;
        p = e + 1;
    }
    *(part_rows_list *)field = out;
    return 0;
}

int part_rows_format(const void *field, char *buf, size_t n)
{
    const part_rows_list *l = field;
    if (n == 0) return -1;
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < l->n; i++) {
        char v[64];
        if (units_format(l->rows[i], UNIT_NUMBER, v, sizeof v) < 0) return -1;
        int len = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", v);
        if (len < 0 || (size_t)len >= n - used) {
            buf[0] = '\0';
            return -1;
        }
        used += (size_t)len;
    }
    return (int)used;
}

/* Parses a value of partition_list ("12", "1k") into *v. Returns 0 or -1. */
static int parse_value(const char *s, uint64_t *v)
{
    char inner[200];
    return units_parse_count(s, v, inner, sizeof inner);
}

int part_list_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    part_value_list out;
    out.n_ranges = 0;
    out.n_parts = 0;
    if (is_none(text)) {
        *(part_value_list *)field = out;
        return 0;
    }
    const char *p = text;
    for (;;) { /* one partition: items up to ';' */
        const char *group_end = p;
        while (*group_end && *group_end != ';') group_end++;
        if (out.n_parts == PART_MAX_LISTED) {
            snprintf(err, n, "partition_list '%.60s...' names more than %d partitions", text,
                     PART_MAX_LISTED);
            return -1;
        }
        const char *q = p;
        for (;;) { /* one item: a value or lo-hi, up to ',' */
            const char *e = q;
            while (e < group_end && *e != ',') e++;
            char item[96];
            if (take_item(q, e, item, sizeof item) != 0) {
                snprintf(err, n, "empty or overlong item in partition_list '%s' (expected "
                         "values or lo-hi ranges separated by ',', partitions by ';', e.g. "
                         "'0-3; 4-7; 8, 9')", text);
                return -1;
            }
            uint64_t lo, hi;
            char *dash = strchr(item, '-');
            int ok;
            if (dash) {
                *dash = '\0';
                char a[96], b[96];
                ok = take_item(item, dash, a, sizeof a) == 0 &&
                     take_item(dash + 1, dash + 1 + strlen(dash + 1), b, sizeof b) == 0 &&
                     parse_value(a, &lo) == 0 && parse_value(b, &hi) == 0;
                *dash = '-';
            } else {
                ok = parse_value(item, &lo) == 0;
                hi = lo;
            }
            if (!ok) {
                snprintf(err, n, "bad item '%s' in partition_list '%s' (expected a value such "
                         "as 7 or a range such as 0-3)", item, text);
                return -1;
            }
            if (hi < lo) {
                snprintf(err, n, "range '%s' in partition_list '%s' runs backwards (write lo-hi "
                         "with lo <= hi)", item, text);
                return -1;
            }
            if ((double)hi >= PART_MAX_KEYS) {
                snprintf(err, n, "value in '%s' of partition_list '%s' is too large (at most "
                         "%.0f)", item, text, PART_MAX_KEYS - 1);
                return -1;
            }
            if (out.n_ranges == PART_MAX_LISTED) {
                snprintf(err, n, "partition_list '%.60s...' has more than %d items", text,
                         PART_MAX_LISTED);
                return -1;
            }
            out.r[out.n_ranges++] = (part_value_range){.lo = lo, .hi = hi,
                                                       .part = (uint32_t)out.n_parts};
            if (e == group_end) break;
            q = e + 1;
        }
        out.n_parts++;
        if (!*group_end) break;
        p = group_end + 1;
    }
    *(part_value_list *)field = out;
    return 0;
}

int part_list_format(const void *field, char *buf, size_t n)
{
    const part_value_list *l = field;
    if (n == 0) return -1;
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < l->n_ranges; i++) {
        const part_value_range *r = &l->r[i];
        const char *sep = i == 0 ? "" : r->part != l->r[i - 1].part ? "; " : ", ";
        int len = r->lo == r->hi
                      ? snprintf(buf + used, n - used, "%s%llu", sep, (unsigned long long)r->lo)
                      : snprintf(buf + used, n - used, "%s%llu-%llu", sep,
                                 (unsigned long long)r->lo, (unsigned long long)r->hi);
        if (len < 0 || (size_t)len >= n - used) {
            buf[0] = '\0';
            return -1;
        }
        used += (size_t)len;
    }
    return (int)used;
}

int part_window_parse(const char *text, void *field, const char *base_dir, char *err, size_t n)
{
    (void)base_dir;
    char inner[200];
    double v;
    const char *slash = strchr(text, '/');
    if (slash) {
        char a[64], b[64];
        double num, den;
        if (take_item(text, slash, a, sizeof a) != 0 ||
            take_item(slash + 1, slash + 1 + strlen(slash + 1), b, sizeof b) != 0 ||
            units_parse(a, UNIT_NUMBER, &num, inner, sizeof inner) != 0 ||
            units_parse(b, UNIT_NUMBER, &den, inner, sizeof inner) != 0 || !(den > 0)) {
            snprintf(err, n, "bad scan_window '%s' (expected a share of the key range: 0.25, "
                     "25%% or 1/4)", text);
            return -1;
        }
        v = num / den;
    } else if (units_parse(text, UNIT_RATIO, &v, inner, sizeof inner) != 0) {
        snprintf(err, n, "bad scan_window '%s' (expected a share of the key range: 0.25, 25%% "
                 "or 1/4)", text);
        return -1;
    }
    if (!(v > 0) || v > 1) {
        snprintf(err, n, "scan_window '%s' is out of range (above 0, at most 1: the whole key "
                 "range)", text);
        return -1;
    }
    *(double *)field = v;
    return 0;
}

int part_window_format(const void *field, char *buf, size_t n)
{
    return units_format(*(const double *)field, UNIT_RATIO, buf, n);
}

/* ---- checks and building ---------------------------------------------------------------- */

int part_spec_has_table(const part_spec *s)
{
    return s->table_rows > 0 || s->rows.n > 0;
}

static int cmp_range(const void *a, const void *b)
{
    const part_value_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

/* The list's ranges sorted by lo into out (n_ranges entries); checks they cover 0..K-1
 * exactly once. Returns 0, or -1 with a message. */
static int sort_and_cover(const part_spec *s, const char *prefix, part_value_range *out,
                          char *err, size_t errlen)
{
    const part_value_list *l = &s->list;
    uint64_t k = (uint64_t)s->table_keys;
    memcpy(out, l->r, (size_t)l->n_ranges * sizeof *out);
    qsort(out, (size_t)l->n_ranges, sizeof *out, cmp_range);
    uint64_t next = 0; /* first value not yet covered */
    for (int i = 0; i < l->n_ranges; i++) {
        if (out[i].hi >= k) {
            snprintf(err, errlen, "%spartition_list names value %llu, beyond the %llu values of "
                     "%stable_keys (0 to %llu)", prefix,
                     (unsigned long long)(out[i].lo >= k ? out[i].lo : k), (unsigned long long)k,
                     prefix, (unsigned long long)(k - 1));
            return -1;
        }
        if (out[i].lo < next) {
            snprintf(err, errlen, "%spartition_list puts value %llu in two places (each value "
                     "belongs to one partition)", prefix, (unsigned long long)out[i].lo);
            return -1;
        }
        if (out[i].lo > next) {
            snprintf(err, errlen, "%spartition_list leaves values %llu to %llu without a "
                     "partition (it must cover 0 to %llu, %stable_keys - 1)", prefix,
                     (unsigned long long)next, (unsigned long long)(out[i].lo - 1),
                     (unsigned long long)(k - 1), prefix);
            return -1;
        }
        next = out[i].hi + 1;
    }
    if (next < k) {
        snprintf(err, errlen, "%spartition_list leaves values %llu to %llu without a partition "
                 "(it must cover 0 to %llu, %stable_keys - 1)", prefix, (unsigned long long)next,
                 (unsigned long long)(k - 1), (unsigned long long)(k - 1), prefix);
        return -1;
    }
    return 0;
}

static const char *method_name(int m)
{
    for (const opt_choice *c = part_method_choices; c->name; c++)
        if (c->value == m) return c->name;
    return "?";
}

int part_spec_check(const part_spec *s, const char *prefix, char *err, size_t errlen)
{
    if (!prefix) prefix = "";
    if (s->partitions < 1 || s->partitions > PART_MAX_PARTITIONS) {
        snprintf(err, errlen, "%spartitions = %lld is out of range (1 to %d)", prefix,
                 (long long)s->partitions, PART_MAX_PARTITIONS);
        return -1;
    }
    if (s->table_keys < 1 || (double)s->table_keys > PART_MAX_KEYS) {
        snprintf(err, errlen, "%stable_keys = %lld is out of range (1 to %.0f)", prefix,
                 (long long)s->table_keys, PART_MAX_KEYS);
        return -1;
    }
    if (s->rows.n > 0 && s->rows.n != s->partitions) {
        snprintf(err, errlen, "%spartition_rows lists %d sizes but %spartitions = %lld (one "
                 "size per %s)", prefix, (int)s->rows.n, prefix, (long long)s->partitions,
                 s->method == PART_NONE ? "key-range slice" : "partition");
        return -1;
    }
    if (s->method != PART_LIST && s->list.n_parts > 0) {
        snprintf(err, errlen, "%spartition_list is set but %spartition_by = %s (the list "
                 "applies to partition_by = list only)", prefix, prefix, method_name(s->method));
        return -1;
    }
    if ((s->method == PART_RANGE || s->method == PART_LIST) && s->partitions > s->table_keys) {
        snprintf(err, errlen, "%spartitions = %lld is more than %stable_keys = %lld (each %s "
                 "partition needs at least one value)", prefix, (long long)s->partitions, prefix,
                 (long long)s->table_keys, method_name(s->method));
        return -1;
    }
    if (s->method != PART_LIST) return 0;
    if (s->list.n_parts == 0) {
        snprintf(err, errlen, "%spartition_by = list needs %spartition_list (e.g. '0-3; 4-7; "
                 "8, 9': values of each partition, partitions separated by ';')", prefix, prefix);
        return -1;
    }
    if (s->list.n_parts != s->partitions) {
        snprintf(err, errlen, "%spartition_list names %d partitions but %spartitions = %lld",
                 prefix, (int)s->list.n_parts, prefix, (long long)s->partitions);
        return -1;
    }
    part_value_range sorted[PART_MAX_LISTED];
    return sort_and_cover(s, prefix, sorted, err, errlen);
}

/* Recomputes the partitions present and the sums a scan without an index reads in O(1)
 * (hash and none). O(P), at maintenance only. */
static void update_spread(part_table *t)
{
    double hash_rows = 0.0, spread = 0.0;
    uint32_t present = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        if (!t->dropped[i]) present++;
        if (t->method == PART_HASH && !t->dropped[i]) hash_rows += t->rows[i];
        double present = t->live[i] + t->dead[i];
        spread += t->method == PART_NONE ? t->rows[i] * present : present / (double)t->n;
    }
    t->present = t->method == PART_NONE ? 1 : present;
    t->hash_rows = hash_rows;
    t->spread = spread;
}

int part_table_init(part_table *t, const part_spec *s, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (part_spec_check(s, "", err, errlen) != 0) return -1;
    uint32_t n = (uint32_t)s->partitions;
    t->method = s->method;
    t->n = n;
    t->keys = (uint64_t)s->table_keys;
    t->rows = malloc(n * sizeof *t->rows);
    t->live = malloc(n * sizeof *t->live);
    t->dead = calloc(n, sizeof *t->dead);
    t->dropped = calloc(n, sizeof *t->dropped);
    t->mark = calloc(n, sizeof *t->mark);
    if (s->method == PART_LIST) {
        t->values = calloc(n, sizeof *t->values);
        t->sorted = malloc((size_t)s->list.n_ranges * sizeof *t->sorted);
    }
    if (!t->rows || !t->live || !t->dead || !t->dropped || !t->mark ||
        (s->method == PART_LIST && (!t->values || !t->sorted))) {
        part_table_fini(t);
        snprintf(err, errlen, "out of memory for a table of %u partitions", n);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        t->rows[i] = s->rows.n ? s->rows.rows[i] : (double)s->table_rows / (double)n;
        t->live[i] = 1.0;
    }
    if (s->method == PART_LIST) {
        if (sort_and_cover(s, "", t->sorted, err, errlen) != 0) {
            part_table_fini(t);
            return -1;
        }
        t->n_sorted = (uint32_t)s->list.n_ranges;
        for (uint32_t i = 0; i < t->n_sorted; i++)
            t->values[t->sorted[i].part] += t->sorted[i].hi - t->sorted[i].lo + 1;
    }
    update_spread(t);
    return 0;
}

void part_table_fini(part_table *t)
{
    free(t->rows);
    free(t->live);
    free(t->dead);
    free(t->dropped);
    free(t->mark);
    free(t->values);
    free(t->sorted);
    memset(t, 0, sizeof *t);
}

/* ---- routing and scans ------------------------------------------------------------------ */

uint64_t part_mix64(uint64_t v)
{
    v ^= v >> 30;
    v *= UINT64_C(0xbf58476d1ce4e5b9);
    v ^= v >> 27;
    v *= UINT64_C(0x94d049bb133111eb);
    v ^= v >> 31;
    return v;
}

/* The sorted list range holding value v (the list covers every value). */
static const part_value_range *list_find(const part_table *t, uint64_t v)
{
    uint32_t lo = 0, hi = t->n_sorted; /* the answer is the last range with lo <= v */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->sorted[mid].lo <= v) lo = mid;
        else hi = mid;
    }
    return &t->sorted[lo];
}

uint32_t part_table_route(const part_table *t, uint64_t key)
{
    uint64_t v = key % t->keys;
    switch (t->method) {
    case PART_RANGE: return (uint32_t)(v * t->n / t->keys);
    case PART_LIST: return list_find(t, v)->part;
    case PART_HASH: return (uint32_t)(part_mix64(v) % t->n);
    default: return 0;
    }
}

/* e, or the nearest whole number when within 1e-9 (relative) of it. */
static double snap(double e)
{
    double r = nearbyint(e);
    return fabs(e - r) <= 1e-9 * (fabs(r) > 1.0 ? fabs(r) : 1.0) ? r : e;
}

/* The equal units (partitions or slices, n of them) that the window [x, x + w) overlaps,
 * in unit coordinates: the window is [a, b) with a = v n / K, b = min(n, a + w n); first
 * and last unit. Returns 0 when the window is empty. */
static int equal_units(const part_table *t, uint64_t v, double w, double *a, double *b,
                       uint32_t *first, uint32_t *last)
{
    uint64_t whole = v * t->n; /* < 2^63: K <= 1e12, n <= 1e4 */
    *first = (uint32_t)(whole / t->keys);
    *a = (double)whole / (double)t->keys;
    double end = snap(*a + w * (double)t->n);
    if (end > (double)t->n) end = (double)t->n;
    *b = end;
    if (!(end > *a)) return 0;
    double top = ceil(end) - 1.0;
    *last = top < (double)*first ? *first : (uint32_t)top;
    if (*last >= t->n) *last = t->n - 1;
    return 1;
}

/* Share of unit i inside [a, b) (unit coordinates). */
static double unit_share(uint32_t i, double a, double b)
{
    double lo = a > (double)i ? a : (double)i;
    double hi = b < (double)i + 1.0 ? b : (double)i + 1.0;
    return hi > lo ? hi - lo : 0.0;
}

static void scan_range(const part_table *t, uint64_t v, double w, int use_index, part_scan *out,
                       uint8_t *map)
{
    double a, b;
    uint32_t first, last;
    if (!equal_units(t, v, w, &a, &b, &first, &last)) return;
    for (uint32_t i = first; i <= last; i++) {
        double share = unit_share(i, a, b);
        if (t->dropped[i] || !(share > 0.0)) continue;
        out->touched++;
        if (map) map[i] = 1;
        double present = t->rows[i] * (t->live[i] + t->dead[i]);
        out->rows_scanned += use_index ? present * share : present;
        out->rows_matched += t->rows[i] * t->live[i] * share;
    }
}

static void scan_list(part_table *t, uint64_t v, double w, int use_index, part_scan *out,
                      uint8_t *map)
{
    double a = (double)v, b = snap(a + w * (double)t->keys); /* value coordinates */
    if (b > (double)t->keys) b = (double)t->keys;
    if (!(b > a)) return;
    if (++t->mark_gen == 0) { /* wrapped: clear the marks once */
        memset(t->mark, 0, t->n * sizeof *t->mark);
        t->mark_gen = 1;
    }
    const part_value_range *r = list_find(t, v), *end = t->sorted + t->n_sorted;
    for (; r < end && (double)r->lo < b; r++) {
        double lo = (double)r->lo > a ? (double)r->lo : a;
        double hi = (double)r->hi + 1.0 < b ? (double)r->hi + 1.0 : b;
        uint32_t p = r->part;
        if (!(hi > lo) || t->dropped[p]) continue;
        double share = (hi - lo) / (double)t->values[p];
        double present = t->rows[p] * (t->live[p] + t->dead[p]);
        if (t->mark[p] != t->mark_gen) {
            t->mark[p] = t->mark_gen;
            out->touched++;
            if (map) map[p] = 1;
            if (!use_index) out->rows_scanned += present;
        }
        if (use_index) out->rows_scanned += present * share;
        out->rows_matched += t->rows[p] * t->live[p] * share;
    }
}

/* hash and none: every partition is touched; rows follow the slices in the window. */
static void scan_spread(const part_table *t, uint64_t v, double w, int use_index,
                        part_scan *out, uint8_t *map)
{
    double scale = t->method == PART_HASH ? t->hash_rows / (double)t->n : 0.0;
    out->touched = t->present;
    for (uint32_t i = 0; map && i < t->n; i++)
        map[i] = t->method == PART_NONE ? i == 0 : !t->dropped[i];
    if (!use_index)
        out->rows_scanned = t->method == PART_HASH ? t->hash_rows * t->spread : t->spread;
    double a, b;
    uint32_t first, last;
    if (!equal_units(t, v, w, &a, &b, &first, &last)) return;
    for (uint32_t s = first; s <= last; s++) {
        double share = unit_share(s, a, b);
        double weight = t->method == PART_HASH ? scale : t->rows[s];
        if (use_index) out->rows_scanned += weight * (t->live[s] + t->dead[s]) * share;
        out->rows_matched += weight * t->live[s] * share;
    }
}

void part_table_scan(part_table *t, uint64_t key, double window, int use_index, part_scan *out,
                     uint8_t *touched_map)
{
    out->touched = 0;
    out->rows_scanned = 0.0;
    out->rows_matched = 0.0;
    if (touched_map) memset(touched_map, 0, t->n);
    uint64_t v = key % t->keys;
    switch (t->method) {
    case PART_RANGE: scan_range(t, v, window, use_index, out, touched_map); break;
    case PART_LIST: scan_list(t, v, window, use_index, out, touched_map); break;
    default: scan_spread(t, v, window, use_index, out, touched_map); break;
    }
}

/* ---- rows and maintenance --------------------------------------------------------------- */

double part_table_partition_rows(const part_table *t, uint32_t i)
{
    if (i >= t->n || t->dropped[i]) return 0.0;
    switch (t->method) {
    case PART_RANGE: case PART_LIST: return t->rows[i] * (t->live[i] + t->dead[i]);
    case PART_HASH: return t->rows[i] * t->spread;
    default: return i == 0 ? t->spread : 0.0;
    }
}

/* Rows of slice i (at full strength) in the partitions not dropped. */
static double slice_rows(const part_table *t, uint32_t i)
{
    switch (t->method) {
    case PART_RANGE: case PART_LIST: return t->dropped[i] ? 0.0 : t->rows[i];
    case PART_HASH: return t->hash_rows / (double)t->n;
    default: return t->rows[i];
    }
}

double part_table_slice_live(const part_table *t, uint32_t i)
{
    return i < t->n ? slice_rows(t, i) * t->live[i] : 0.0;
}

double part_table_slice_dead(const part_table *t, uint32_t i)
{
    return i < t->n ? slice_rows(t, i) * t->dead[i] : 0.0;
}

double part_table_drop(part_table *t, uint32_t i)
{
    double gone = part_table_partition_rows(t, i);
    if (i >= t->n || t->dropped[i] || t->method == PART_NONE) return 0.0;
    t->dropped[i] = 1;
    update_spread(t);
    return gone;
}

double part_table_delete(part_table *t, uint32_t i)
{
    double gone = part_table_slice_live(t, i);
    if (i >= t->n) return 0.0;
    t->dead[i] += t->live[i];
    t->live[i] = 0.0;
    update_spread(t);
    return gone;
}

double part_table_vacuum(part_table *t, uint32_t i)
{
    double gone = part_table_slice_dead(t, i);
    if (i >= t->n) return 0.0;
    t->dead[i] = 0.0;
    update_spread(t);
    return gone;
}
