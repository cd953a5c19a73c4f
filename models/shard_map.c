/* shard_map.c: the key -> shard strategies of the router (parse, map, add a shard,
 * keys moved). */
#include "models/shard_map.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"
#include "sim/units.h"

#define DEFAULT_VNODES 100
#define EXPECTED "hash, consistent(VNODES), range(B1, B2, ...), directory, geo"

static const char *const strategy_names[] = {"hash", "consistent", "range", "directory", "geo"};

/* ---- parsing ------------------------------------------------------------------------- */

static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b)) (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1])) (*e)--;
}

/* Parses one whole-number argument [b, e) into *v. */
static int parse_arg(const char *b, const char *e, const char *what, const char *text,
                     uint64_t *v, char *err, size_t errlen)
{
    trim(&b, &e);
    char buf[64];
    size_t len = (size_t)(e - b);
    if (len == 0 || len >= sizeof buf) {
        snprintf(err, errlen, "%s missing or too long in '%s'", what, text);
        return -1;
    }
    memcpy(buf, b, len);
    buf[len] = '\0';
    char inner[200];
    if (units_parse_count(buf, v, inner, sizeof inner) != 0) {
        snprintf(err, errlen, "%s '%s' in '%s' is not a whole number (k M G allowed)", what,
                 buf, text);
        return -1;
    }
    return 0;
}

int shard_strategy_parse(const char *text, shard_strategy *out, char *err, size_t errlen)
{
    const char *b = text, *e = text + strlen(text);
    trim(&b, &e);
    const char *open = memchr(b, '(', (size_t)(e - b));
    const char *name_end = open ? open : e;
    const char *ne = name_end, *nb = b;
    trim(&nb, &ne);
    char name[32];
    size_t nlen = (size_t)(ne - nb);
    if (nlen == 0 || nlen >= sizeof name) {
        snprintf(err, errlen, "missing or unknown strategy in '%s' (expected " EXPECTED ")", text);
        return -1;
    }
    memcpy(name, nb, nlen);
    name[nlen] = '\0';
    int kind = -1;
    for (int i = 0; i < (int)(sizeof strategy_names / sizeof strategy_names[0]); i++)
        if (strcmp(name, strategy_names[i]) == 0) kind = i;
    if (kind < 0) {
        const char *near = units_nearest(name, strategy_names,
                                         sizeof strategy_names / sizeof strategy_names[0]);
        if (near)
            snprintf(err, errlen, "unknown strategy '%s' in '%s' (did you mean '%s'? expected "
                     EXPECTED ")", name, text, near);
        else
            snprintf(err, errlen, "unknown strategy '%s' in '%s' (expected " EXPECTED ")", name,
                     text);
        return -1;
    }
    const char *args = NULL, *args_end = NULL;
    if (open) {
        if (e[-1] != ')' || e - 1 < open) {
            snprintf(err, errlen, "missing ')' at the end of '%s'", text);
            return -1;
        }
        args = open + 1;
        args_end = e - 1;
        if (memchr(args, '(', (size_t)(args_end - args)) ||
            memchr(args, ')', (size_t)(args_end - args))) {
            snprintf(err, errlen, "unbalanced parentheses in '%s'", text);
            return -1;
        }
        const char *ab = args, *ae = args_end;
        trim(&ab, &ae);
        if (ab == ae) args = NULL; /* "name()" = no arguments */
    }
    shard_strategy s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    switch (kind) {
    case SHARD_HASH: case SHARD_DIRECTORY: case SHARD_GEO:
        if (args) {
            snprintf(err, errlen, "strategy '%s' takes no arguments in '%s'", name, text);
            return -1;
        }
        break;
    case SHARD_CONSISTENT: {
        uint64_t v = DEFAULT_VNODES;
        if (args) {
            if (memchr(args, ',', (size_t)(args_end - args))) {
                snprintf(err, errlen, "consistent takes one argument (virtual nodes per shard) "
                         "in '%s'", text);
                return -1;
            }
            if (parse_arg(args, args_end, "virtual node count", text, &v, err, errlen) != 0)
                return -1;
        }
        if (v < 1 || v > SHARD_MAX_VNODES) {
            snprintf(err, errlen, "virtual nodes %" PRIu64 " in '%s' out of range (1 to %d)", v,
                     text, SHARD_MAX_VNODES);
            return -1;
        }
        s.vnodes = (int64_t)v;
        break;
    }
    case SHARD_RANGE: {
        if (!args) {
            snprintf(err, errlen, "range needs its bounds in '%s', e.g. range(250k, 500k, 750k) "
                     "for 4 shards", text);
            return -1;
        }
        const char *p = args;
        while (p <= args_end) {
            const char *comma = memchr(p, ',', (size_t)(args_end - p));
            const char *end = comma ? comma : args_end;
            if (s.n_bounds == SHARD_MAX_BOUNDS) {
                snprintf(err, errlen, "too many bounds in '%s' (at most %d)", text,
                         SHARD_MAX_BOUNDS);
                return -1;
            }
            uint64_t v;
            if (parse_arg(p, end, "bound", text, &v, err, errlen) != 0) return -1;
            if (v == 0 || (s.n_bounds && v <= s.bounds[s.n_bounds - 1])) {
                snprintf(err, errlen, "bounds in '%s' must be strictly ascending and above 0 "
                         "(bound %u is %" PRIu64 ")", text, s.n_bounds + 1, v);
                return -1;
            }
            s.bounds[s.n_bounds++] = v;
            if (!comma) break;
            p = comma + 1;
        }
        break;
    }
    }
    *out = s;
    return 0;
}

/* A count as text that parses back to exactly v. */
static int format_count(uint64_t v, char *buf, size_t n)
{
    if (v <= (1ull << 53)) {
        int len = units_format((double)v, UNIT_COUNT, buf, n);
        uint64_t back;
        if (len > 0 && units_parse_count(buf, &back, NULL, 0) == 0 && back == v) return len;
    }
    return snprintf(buf, n, "%" PRIu64, v);
}

int shard_strategy_format(const shard_strategy *s, char *buf, size_t n)
{
    size_t used = 0;
    int len;
    switch (s->kind) {
    case SHARD_CONSISTENT: len = snprintf(buf, n, "consistent(%" PRId64 ")", s->vnodes); break;
    case SHARD_RANGE:
        len = snprintf(buf, n, "range(");
        if (len < 0 || (size_t)len >= n) return -1;
        used = (size_t)len;
        for (uint32_t i = 0; i < s->n_bounds; i++) {
            char num[48];
            if (format_count(s->bounds[i], num, sizeof num) < 0) return -1;
            len = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", num);
            if (len < 0 || (size_t)len >= n - used) return -1;
            used += (size_t)len;
        }
        len = snprintf(buf + used, n - used, ")");
        if (len < 0 || (size_t)len >= n - used) return -1;
        return (int)(used + (size_t)len);
    default:
        len = snprintf(buf, n, "%s", s->kind >= 0 && s->kind <= SHARD_GEO ? strategy_names[s->kind]
                                                                         : "?");
        break;
    }
    return len < 0 || (size_t)len >= n ? -1 : len;
}

uint32_t shard_strategy_shards(const shard_strategy *s)
{
    return s->kind == SHARD_RANGE ? s->n_bounds + 1 : 0;
}

uint64_t shard_hash64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* ---- the map ------------------------------------------------------------------------- */

static int point_cmp(const void *a, const void *b)
{
    const shard_point *p = a, *q = b;
    if (p->pos != q->pos) return p->pos < q->pos ? -1 : 1;
    return p->shard < q->shard ? -1 : p->shard > q->shard;
}

/* Appends shard i's vnodes to the ring (capacity must allow it), unsorted. */
static void ring_put(shard_map *m, uint32_t i)
{
    for (int64_t v = 0; v < m->vnodes; v++) {
        char name[64];
        snprintf(name, sizeof name, "shard-%u-%" PRId64, i, v);
        m->ring[m->n_ring].pos = shard_hash64(rng_hash(name));
        m->ring[m->n_ring].shard = i;
        m->n_ring++;
    }
}

int shard_map_init(shard_map *m, const shard_strategy *s, uint32_t n, uint64_t block,
                   char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->kind = s->kind;
    m->n = n;
    m->block = block ? block : 1;
    if (n < 1 || n > SHARD_MAX) {
        snprintf(err, errlen, "%u shards is out of range (1 to %d)", n, SHARD_MAX);
        return -1;
    }
    if (s->kind == SHARD_CONSISTENT) {
        m->vnodes = s->vnodes;
        m->ring = malloc((size_t)n * (size_t)s->vnodes * sizeof *m->ring);
        if (!m->ring) goto oom;
        for (uint32_t i = 0; i < n; i++) ring_put(m, i);
        qsort(m->ring, m->n_ring, sizeof *m->ring, point_cmp);
    } else if (s->kind == SHARD_RANGE) {
        if (n != s->n_bounds + 1) {
            snprintf(err, errlen, "range with %u bounds makes %u shards, not %u", s->n_bounds,
                     s->n_bounds + 1, n);
            return -1;
        }
        m->iv = malloc((size_t)n * sizeof *m->iv);
        if (!m->iv) goto oom;
        m->iv[0].lo = 0;
        m->iv[0].shard = 0;
        for (uint32_t i = 1; i < n; i++) {
            m->iv[i].lo = s->bounds[i - 1];
            m->iv[i].shard = i;
        }
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory for the shard map (%u shards)", n);
    shard_map_fini(m);
    return -1;
}

int shard_map_copy(shard_map *dst, const shard_map *src)
{
    *dst = *src;
    dst->ring = NULL;
    dst->iv = NULL;
    dst->table = NULL;
    dst->geo_shards = NULL;
    dst->geo_first = NULL;
    if (src->geo_shards) {
        dst->geo_shards = malloc((size_t)src->n * sizeof *dst->geo_shards);
        dst->geo_first = malloc(((size_t)src->n_geo + 1) * sizeof *dst->geo_first);
        if (!dst->geo_shards || !dst->geo_first) goto oom;
        memcpy(dst->geo_shards, src->geo_shards, (size_t)src->n * sizeof *dst->geo_shards);
        memcpy(dst->geo_first, src->geo_first, ((size_t)src->n_geo + 1) * sizeof *dst->geo_first);
    }
    if (src->ring) {
        dst->ring = malloc((src->n_ring ? src->n_ring : 1) * sizeof *dst->ring);
        if (!dst->ring) goto oom;
        memcpy(dst->ring, src->ring, src->n_ring * sizeof *dst->ring);
    }
    if (src->iv) {
        dst->iv = malloc((size_t)src->n * sizeof *dst->iv);
        if (!dst->iv) goto oom;
        memcpy(dst->iv, src->iv, (size_t)src->n * sizeof *dst->iv);
    }
    if (src->table) {
        dst->table = malloc((size_t)src->n_blocks * sizeof *dst->table);
        if (!dst->table) goto oom;
        memcpy(dst->table, src->table, (size_t)src->n_blocks * sizeof *dst->table);
    }
    return 0;
oom:
    shard_map_fini(dst);
    return -1;
}

void shard_map_fini(shard_map *m)
{
    free(m->ring);
    free(m->iv);
    free(m->table);
    free(m->geo_shards);
    free(m->geo_first);
    m->geo_shards = NULL;
    m->geo_first = NULL;
    m->n_geo = 0;
    m->ring = NULL;
    m->iv = NULL;
    m->table = NULL;
    m->n_ring = 0;
    m->n_blocks = 0;
}

/* Index of the interval holding key (the last with lo <= key). */
static uint32_t interval_of(const shard_map *m, uint64_t key)
{
    uint32_t lo = 0, hi = m->n; /* iv[lo].lo <= key; answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->iv[mid].lo <= key) lo = mid;
        else hi = mid;
    }
    return lo;
}

uint32_t shard_map_lookup(const shard_map *m, uint64_t key, uint32_t region)
{
    switch (m->kind) {
    case SHARD_HASH: return (uint32_t)(shard_hash64(key) % m->n);
    case SHARD_CONSISTENT: {
        uint64_t h = shard_hash64(key);
        size_t lo = 0, hi = m->n_ring; /* first point with pos >= h */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (m->ring[mid].pos < h) lo = mid + 1;
            else hi = mid;
        }
        return m->ring[lo == m->n_ring ? 0 : lo].shard;
    }
    case SHARD_RANGE: return m->iv[interval_of(m, key)].shard;
    case SHARD_DIRECTORY: {
        uint64_t b = key / m->block;
        if (m->table && b < m->n_blocks) return m->table[b];
        return (uint32_t)(b % m->n);
    }
    default: {
        if (!m->n_geo) return region % m->n;
        if (region >= m->n_geo) return 0;
        uint32_t a = m->geo_first[region], b = m->geo_first[region + 1];
        if (a == b) return 0;
        if (b - a == 1) return m->geo_shards[a];
        return m->geo_shards[a + shard_hash64(key) % (b - a)];
    }
    }
}

int shard_map_place(shard_map *m, const uint16_t *shard_region, uint32_t n_regions, char *err,
                    size_t errlen)
{
    if (m->kind != SHARD_GEO) return 0;
    for (uint32_t i = 0; i < m->n; i++) {
        if (shard_region[i] < n_regions) continue;
        snprintf(err, errlen, "shard %u is placed in region %u, but there are %u regions", i,
                 shard_region[i], n_regions);
        return -1;
    }
    uint16_t *shards = malloc((size_t)m->n * sizeof *shards);
    uint32_t *first = calloc((size_t)n_regions + 1, sizeof *first);
    if (!shards || !first) {
        free(shards);
        free(first);
        snprintf(err, errlen, "out of memory for the geo placement");
        return -1;
    }
    /* Counting sort by region, stable in shard order. */
    for (uint32_t i = 0; i < m->n; i++) first[shard_region[i] + 1]++;
    for (uint32_t r = 0; r < n_regions; r++) first[r + 1] += first[r];
    uint32_t *fill = calloc(n_regions ? n_regions : 1, sizeof *fill);
    if (!fill) {
        free(shards);
        free(first);
        snprintf(err, errlen, "out of memory for the geo placement");
        return -1;
    }
    for (uint32_t i = 0; i < m->n; i++) {
        uint32_t r = shard_region[i];
        shards[first[r] + fill[r]++] = (uint16_t)i;
    }
    free(fill);
    free(m->geo_shards);
    free(m->geo_first);
    m->geo_shards = shards;
    m->geo_first = first;
    m->n_geo = n_regions;
    return 0;
}

int shard_map_interval(const shard_map *m, uint32_t shard, uint64_t key_space, uint64_t *lo,
                       uint64_t *hi)
{
    if (m->kind != SHARD_RANGE) return -1;
    for (uint32_t i = 0; i < m->n; i++) {
        if (m->iv[i].shard != shard) continue;
        *lo = m->iv[i].lo;
        if (i + 1 < m->n) *hi = m->iv[i + 1].lo;
        else *hi = key_space > *lo ? key_space : UINT64_MAX;
        return 0;
    }
    return -1;
}

static int add_range(shard_map *m, uint32_t split, uint64_t key_space, char *err, size_t errlen)
{
    uint64_t lo, hi;
    if (split >= m->n || shard_map_interval(m, split, key_space, &lo, &hi) != 0) {
        snprintf(err, errlen, "no shard %u to split", split);
        return -1;
    }
    if (hi - lo < 2) {
        snprintf(err, errlen, "shard %u holds fewer than 2 keys ([%" PRIu64 ", %" PRIu64
                 ")): it cannot be split", split, lo, hi);
        return -1;
    }
    shard_interval *grown = realloc(m->iv, ((size_t)m->n + 1) * sizeof *grown);
    if (!grown) {
        snprintf(err, errlen, "out of memory for the shard map");
        return -1;
    }
    m->iv = grown;
    uint64_t mid = lo + (hi - lo) / 2;
    uint32_t at = interval_of(m, lo) + 1;
    memmove(&m->iv[at + 1], &m->iv[at], (size_t)(m->n - at) * sizeof *m->iv);
    m->iv[at].lo = mid;
    m->iv[at].shard = m->n;
    return 0;
}

static int add_directory(shard_map *m, uint64_t key_space, char *err, size_t errlen)
{
    uint64_t blocks = key_space / m->block + (key_space % m->block != 0);
    if (blocks > SHARD_MAX_BLOCKS) {
        snprintf(err, errlen, "a directory of %" PRIu64 " blocks is too large (at most %u): "
                 "raise directory_block", blocks, SHARD_MAX_BLOCKS);
        return -1;
    }
    if (blocks > m->n_blocks) {
        uint16_t *grown = realloc(m->table, (size_t)(blocks ? blocks : 1) * sizeof *grown);
        if (!grown) goto oom;
        m->table = grown;
        for (uint64_t b = m->n_blocks; b < blocks; b++) grown[b] = (uint16_t)(b % m->n);
        m->n_blocks = blocks;
    }
    uint64_t *count = calloc(m->n, sizeof *count);
    if (!count) goto oom;
    for (uint64_t b = 0; b < m->n_blocks; b++)
        if (++count[m->table[b]] % (m->n + 1) == 0) m->table[b] = (uint16_t)m->n;
    free(count);
    return 0;
oom:
    snprintf(err, errlen, "out of memory for the directory table");
    return -1;
}

int shard_map_add(shard_map *m, uint32_t split, uint64_t key_space, char *err, size_t errlen)
{
    if (m->n >= SHARD_MAX) {
        snprintf(err, errlen, "already %u shards (at most %d)", m->n, SHARD_MAX);
        return -1;
    }
    switch (m->kind) {
    case SHARD_HASH: break;
    case SHARD_CONSISTENT: {
        shard_point *grown = realloc(m->ring, (m->n_ring + (size_t)m->vnodes) * sizeof *grown);
        if (!grown) {
            snprintf(err, errlen, "out of memory for the ring");
            return -1;
        }
        m->ring = grown;
        ring_put(m, m->n);
        qsort(m->ring, m->n_ring, sizeof *m->ring, point_cmp);
        break;
    }
    case SHARD_RANGE:
        if (add_range(m, split, key_space, err, errlen) != 0) return -1;
        break;
    case SHARD_DIRECTORY:
        if (add_directory(m, key_space, err, errlen) != 0) return -1;
        break;
    default:
        snprintf(err, errlen, "geo sharding follows the regions: a shard cannot be added");
        return -1;
    }
    m->n++;
    return 0;
}

double shard_map_moved(const shard_map *a, const shard_map *b, uint64_t keys, uint64_t *moved)
{
    uint64_t eval = keys <= SHARD_MOVED_EXACT ? keys : SHARD_MOVED_EXACT, count = 0;
    for (uint64_t i = 0; i < eval; i++) {
        uint64_t key = keys <= SHARD_MOVED_EXACT
                           ? i
                           : (uint64_t)(((unsigned __int128)i * keys) / SHARD_MOVED_EXACT);
        count += shard_map_lookup(a, key, 0) != shard_map_lookup(b, key, 0);
    }
    if (moved) *moved = count;
    return eval ? (double)count / (double)eval : 0.0;
}

double shard_map_ring_share(const shard_map *m, uint32_t shard)
{
    if (m->kind != SHARD_CONSISTENT || m->n_ring == 0) return NAN;
    if (m->n_ring == 1) return m->ring[0].shard == shard ? 1.0 : 0.0;
    double sum = 0.0;
    for (size_t j = 0; j < m->n_ring; j++) {
        if (m->ring[j].shard != shard) continue;
        uint64_t prev = m->ring[j ? j - 1 : m->n_ring - 1].pos;
        sum += (double)(m->ring[j].pos - prev); /* mod 2^64: the arc ending at point j */
    }
    return sum * 0x1p-64;
}
