/* scenario.c: loading, checking and resolving scenario files (see scenario.h).
 *
 * A loaded scenario is a set of layers of assignments (section, option row, value text,
 * where it was written): the base file, one list per [variant NAME], one per [sweep] axis
 * and the --set overrides. Loading checks every assignment once on its own (the value
 * parses, a link names a station), then resolves every (variant, sweep point) and checks
 * what only a whole configuration shows (required keys, kind validate hooks, link cycles,
 * reachability, settings), reporting each distinct problem once.
 */
#include "cli/scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/regions.h"
#include "models/registry.h"
#include "sim/dist.h"
#include "sim/keydist.h"
#include "sim/units.h"

enum {
    SWEEP_MAX_RANGE = 10000,      /* most values of one range */
    SCENARIO_MAX_RUNS = 1000000,  /* most (variant, sweep point) combinations */
    ERR_LEN = 512,                /* option parse messages */
    VALUE_LEN = 512               /* formatted values */
};

/* One value written somewhere for one option of one section. */
typedef struct assign {
    int target;              /* station index (priv->st), or -1 for [scenario] */
    size_t row;              /* row in the target's option table */
    const char *value;       /* value text; NULL for a sweep axis (taken per point) */
    value_source source;     /* which layer */
    const char *file;        /* where it was written; NULL for --set */
    int line;                /* line in file */
    const char *text;        /* the source line, or NULL */
    int col, len;            /* the value's bytes in text (col <= 0: unknown) */
    const char *set_text;    /* the --set text, for FROM_SET */
    int bad;                 /* failed its own check: left out when resolving */
} assign;

typedef struct assign_list {
    assign *a;   /* assignments in order of application */
    size_t n;    /* held */
    size_t cap;  /* allocated */
} assign_list;

typedef struct station_info {
    const char *name;          /* section name (doc string) */
    const station_kind *kind;  /* its type */
    const char *file;          /* header location */
    int line;                  /* header line */
    const char *text;          /* header text */
} station_info;

typedef struct dir_entry {
    const char *file;  /* a file name as stored in the doc */
    char *dir;         /* its directory ("" for none) */
} dir_entry;

struct scenario_priv {
    station_info *st;       /* usable stations, in file order */
    size_t n_st;            /* held */
    const char **names;     /* every section taken as a station (usable or not) */
    size_t n_names;         /* held */
    int unusable;           /* some station section could not be used (bad type) */
    assign_list base;       /* base file, reading order */
    assign_list *var;       /* per variant (index 0, base, stays empty) */
    assign *axis;           /* one per sweep axis (value NULL) */
    int **axis_cols;        /* per axis, per value: column of the value in its line */
    assign_list set;        /* --set, in command-line order */
    char **set_copies;      /* owned key and value strings of the --set texts */
    size_t n_set_copies;    /* held */
    dir_entry *dirs;        /* directory of each file seen */
    size_t n_dirs;          /* held */
    size_t max_config;      /* largest config struct (scratch size) */
    struct rctx *keep;      /* after a good load: the base layer every resolve copies */
    struct tl_line *tl;     /* timeline lines: the base's and the variants' */
    size_t n_tl;            /* held */
    regions_def regions;    /* [regions] (n = 0 without one) */
};

/* One timeline line as written: `WHEN = ACTIONS` in [timeline] (variant 0) or
 * `timeline.WHEN = ACTIONS` in a variant, parsed into actions. */
typedef struct tl_line {
    size_t variant;             /* 0: the base [timeline]; else the variant's index */
    const char *when;           /* the time as written (the line's identity) */
    timeline_action act[8];     /* its actions */
    int n_act;                  /* held (0 when it did not parse) */
} tl_line;

/* ------------------------------------------------------------------ small helpers */

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fputs("dbscale: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("dbscale: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *c = xrealloc(NULL, n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

/* A malloc'd printf. */
static char *vfmt(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *s = xrealloc(NULL, (size_t)n + 1);
    if (vsnprintf(s, (size_t)n + 1, fmt, ap) < 0) s[0] = '\0';
    return s;
}

static char *fmt(const char *f, ...) DIAG_PRINTF(1, 2);
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = vfmt(f, ap);
    va_end(ap);
    return s;
}

static void dadd(diag_list *d, diag_severity sev, const char *file, int line,
                 const char *text, int col, int len, const char *f, ...) DIAG_PRINTF(8, 9);
static void dadd(diag_list *d, diag_severity sev, const char *file, int line,
                 const char *text, int col, int len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    diag_vadd(d, sev, file, line, text, col, len, f, ap);
    va_end(ap);
}

static assign *list_push(assign_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->a = xrealloc(l->a, l->cap * sizeof *l->a);
    }
    assign *a = &l->a[l->n++];
    memset(a, 0, sizeof *a);
    return a;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Trims [*a, *b) of spaces and tabs. */
static void trim(const char **a, const char **b)
{
    while (*a < *b && is_space(**a)) (*a)++;
    while (*b > *a && is_space((*b)[-1])) (*b)--;
}

/* Reports msg about assignment a, marking col/len in its line; --set messages go to the
 * command line with the --set text in front. */
static void report(diag_list *d, diag_severity sev, const assign *a, int col, int len,
                   const char *f, ...) DIAG_PRINTF(6, 7);
static void report(diag_list *d, diag_severity sev, const assign *a, int col, int len,
                   const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *msg = vfmt(f, ap);
    va_end(ap);
    if (a->source == FROM_SET)
        dadd(d, sev, NULL, 0, NULL, -1, -1, "--set '%s': %s", a->set_text, msg);
    else
        dadd(d, sev, a->file, a->line, a->text, col, len, "%s", msg);
    free(msg);
}

/* The option table and the section name of a target (-1: [scenario]). */
static const opt_def *target_table(const struct scenario_priv *p, int target)
{
    return target < 0 ? scenario_settings_options : p->st[target].kind->options;
}

static const char *target_name(const struct scenario_priv *p, int target)
{
    return target < 0 ? "scenario" : p->st[target].name;
}

/* Index of the usable station called name, or -1. */
static int station_index(const struct scenario_priv *p, const char *name)
{
    for (size_t i = 0; i < p->n_st; i++)
        if (strcmp(p->st[i].name, name) == 0) return (int)i;
    return -1;
}

static int is_station_name(const struct scenario_priv *p, const char *name)
{
    for (size_t i = 0; i < p->n_names; i++)
        if (strcmp(p->names[i], name) == 0) return 1;
    return 0;
}

/* The directory of file (cached), or NULL for the command line. Loading sees every file
 * of every assignment, so resolving later only reads the cache. */
static const char *dir_of(struct scenario_priv *p, const char *file)
{
    if (!file) return NULL;
    for (size_t i = 0; i < p->n_dirs; i++)
        if (p->dirs[i].file == file) return p->dirs[i].dir;
    const char *slash = strrchr(file, '/');
    char *dir = !slash ? xstrdup("") : slash == file ? xstrdup("/")
                                                     : xstrndup(file, (size_t)(slash - file));
    p->dirs = xrealloc(p->dirs, (p->n_dirs + 1) * sizeof *p->dirs);
    p->dirs[p->n_dirs].file = file;
    p->dirs[p->n_dirs].dir = dir;
    p->n_dirs++;
    return dir;
}

/* Bytes of a scratch config that can hold any target's config. */
static size_t scratch_size(const struct scenario_priv *p)
{
    return p->max_config > sizeof(scenario_settings) ? p->max_config
                                                     : sizeof(scenario_settings);
}

/* Bytes of the field an option row fills. */
static size_t field_size(const opt_def *def)
{
    switch (def->type) {
    case OPT_INT: return sizeof(int64_t);
    case OPT_NUMBER:
    case OPT_TIME:
    case OPT_RATE:
    case OPT_SIZE:
    case OPT_RATIO: return sizeof(double);
    case OPT_DIST: return sizeof(dist);
    case OPT_KEYS: return sizeof(keydist);
    case OPT_ENUM:
    case OPT_BOOL: return sizeof(int);
    case OPT_STRING:
    case OPT_LINK: return sizeof(char *);
    case OPT_CUSTOM: return def->size;
    }
    return 0;
}

/* Releases the one field of def in config. */
static void release_field(const opt_def *def, void *config)
{
    opt_def one[2];
    memset(one, 0, sizeof one);
    one[0] = *def;
    opt_release(one, config);
}

/* Parses text for def into a zeroed scratch config, then (on success) replaces the field
 * in config with it. scratch holds at least the target's config size. Returns 0 or -1. */
static int set_field(const opt_def *def, void *config, void *scratch, const char *text,
                     const char *base_dir, char *err, size_t errlen)
{
    size_t size = field_size(def);
    memset((char *)scratch + def->offset, 0, size);
    if (opt_set(def, scratch, text, base_dir, err, errlen) < 0) {
        release_field(def, scratch);
        memset((char *)scratch + def->offset, 0, size);
        return -1;
    }
    release_field(def, config);
    memcpy((char *)config + def->offset, (char *)scratch + def->offset, size);
    memset((char *)scratch + def->offset, 0, size);
    return 0;
}

/* The value of a link field, or NULL when empty. */
static const char *link_value(const opt_def *def, const void *config)
{
    const char *v = *(char *const *)((const char *)config + def->offset);
    return v && v[0] ? v : NULL;
}

/* The key names of an option table, as a malloc'd array of *n pointers into it. */
static const char **table_names(const opt_def *table, size_t *n)
{
    *n = opt_count(table);
    const char **names = xcalloc(*n, sizeof *names);
    for (size_t i = 0; i < *n; i++) names[i] = table[i].name;
    return names;
}

/* The names of every kind, "clients, server, ...", malloc'd. */
static char *kind_list(void)
{
    size_t n;
    const station_kind *const *kinds = registry_kinds(&n);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(kinds[i]->name) + 2;
    char *s = xcalloc(len, 1);
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(s, ", ");
        strcat(s, kinds[i]->name);
    }
    return s;
}

/* ------------------------------------------------------------------ messages */

/* Reports an unknown key of a target, suggesting the nearest one. */
static void unknown_key(diag_list *d, const struct scenario_priv *p, const assign *a,
                        int col, int len, int target, const char *key)
{
    size_t n;
    const opt_def *table = target_table(p, target);
    const char **names = table_names(table, &n);
    const char *near = diag_suggest(key, names, n);
    char *where = target < 0 ? fmt("section [scenario]")
                             : fmt("section [%s] (type %s)", p->st[target].name,
                                   p->st[target].kind->name);
    const char *help = target < 0 ? "scenario" : p->st[target].kind->name;
    if (near)
        report(d, DIAG_ERROR, a, col, len, "unknown key '%s' in %s\ndid you mean '%s'?", key,
               where, near);
    else
        report(d, DIAG_ERROR, a, col, len, "unknown key '%s' in %s\nsee 'dbscale help %s' "
               "for its keys", key, where, help);
    free(where);
    free(names);
}

/* Resolves "SECTION.KEY" (from a variant, the sweep or --set) to a target and row.
 * key_col is the column of full in its line (<= 0 unknown). what names the layer.
 * Returns 1 when found, 0 when the section is a station whose type was already reported,
 * -1 after reporting an error. */
static int find_target(diag_list *d, const struct scenario_priv *p, const assign *a,
                       const char *full, int key_col, const char *what, int *target,
                       size_t *row)
{
    const char *dot = strchr(full, '.');
    int klen = (int)strlen(full);
    /* "variant key 'x'"; on the command line the --set text already says where */
    const char *sp = a->source == FROM_SET ? "" : " ";
    if (a->source == FROM_SET) what = "";
    if (!dot || dot == full || !dot[1]) {
        report(d, DIAG_ERROR, a, key_col, klen,
               "%s%skey '%s' needs the form SECTION.KEY, as in 'app.rate'", what, sp, full);
        return -1;
    }
    size_t slen = (size_t)(dot - full);
    char *section = xstrndup(full, slen);
    const char *key = dot + 1;
    int kcol = key_col > 0 ? key_col + (int)slen + 1 : key_col;
    int rc = -1;
    if (strcmp(section, "timeline") == 0) {
        report(d, DIAG_ERROR, a, key_col, klen,
               "timeline lines ('%s') can be set in [timeline] or in a variant, not with --set",
               full);
    } else if (strcmp(section, "regions") == 0) {
        report(d, DIAG_ERROR, a, key_col, klen,
               "[regions] holds for every variant; '%s' cannot be overridden (place stations "
               "with SECTION.region instead)", full);
    } else if (strcmp(section, "scenario") == 0) {
        const opt_def *def = opt_find(scenario_settings_options, key);
        if (!def) {
            unknown_key(d, p, a, kcol, (int)strlen(key), -1, key);
        } else {
            *target = -1;
            *row = (size_t)(def - scenario_settings_options);
            rc = 1;
        }
    } else if (station_index(p, section) >= 0) {
        int t = station_index(p, section);
        const opt_def *table = p->st[t].kind->options;
        const opt_def *def = opt_find(table, key);
        if (strcmp(key, "type") == 0) {
            report(d, DIAG_ERROR, a, kcol, 4, "the type of [%s] cannot be changed%s%s",
                   section, a->source == FROM_SET ? "" : " in a ",
                   a->source == FROM_SET ? "" : what);
        } else if (!def) {
            unknown_key(d, p, a, kcol, (int)strlen(key), t, key);
        } else {
            *target = t;
            *row = (size_t)(def - table);
            rc = 1;
        }
    } else if (is_station_name(p, section)) {
        rc = 0;
    } else {
        const char **cands = xcalloc(p->n_names + 1, sizeof *cands);
        cands[0] = "scenario";
        for (size_t i = 0; i < p->n_names; i++) cands[i + 1] = p->names[i];
        const char *near = diag_suggest(section, cands, p->n_names + 1);
        if (near)
            report(d, DIAG_ERROR, a, key_col, (int)slen,
                   "unknown section '%s' in %s%skey '%s'\ndid you mean '%s'?", section, what,
                   sp, full, near);
        else
            report(d, DIAG_ERROR, a, key_col, (int)slen,
                   "unknown section '%s' in %s%skey '%s'", section, what, sp, full);
        free(cands);
    }
    free(section);
    return rc;
}

/* ------------------------------------------------------------------ sections */

static void add_name(struct scenario_priv *p, const char *name)
{
    p->names = xrealloc(p->names, (p->n_names + 1) * sizeof *p->names);
    p->names[p->n_names++] = name;
}

static void add_variant(scenario *sc, const char *name)
{
    sc->variant_names = xrealloc(sc->variant_names,
                                 (sc->n_variants + 1) * sizeof *sc->variant_names);
    sc->variant_names[sc->n_variants++] = xstrdup(name);
}

/* Sorts the doc's sections into settings, sweep, variants and stations. */
static void load_sections(scenario *sc, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    const ini_doc *doc = &sc->doc;
    char *kinds = kind_list();
    static const char *const special[] = {"scenario", "sweep", "variant", "timeline"};
    for (size_t i = 0; i < doc->n_sections; i++) {
        const ini_section *s = &doc->sections[i];
        const char *name = s->name;
        if (strcmp(name, "scenario") == 0 || strcmp(name, "sweep") == 0) continue;
        if (strcmp(name, "timeline") == 0) continue; /* lines read by load_timeline */
        if (strcmp(name, "regions") == 0) continue;  /* lines read by load_regions */
        if (strncmp(name, "variant ", 8) == 0) {
            const char *vn = name + 8;
            if (strcmp(vn, "base") == 0)
                dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1,
                     "variant name 'base' is taken by the base scenario\nchoose another "
                     "name");
            else
                add_variant(sc, vn);
            continue;
        }
        if (strcmp(name, "variant") == 0) {
            dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1,
                 "[variant] needs a name, as in [variant sync]");
            continue;
        }
        if (strchr(name, ' ')) {
            dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1,
                 "unknown section [%s] (only [variant NAME] takes a name)", name);
            continue;
        }
        const ini_entry *type = ini_get(doc, name, "type");
        if (!type) {
            const char *near = diag_suggest(name, special, 4);
            if (near && strcmp(near, "variant") != 0)
                dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1,
                     "section [%s] has no type\ndid you mean [%s]?", name, near);
            else
                dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1,
                     "section [%s] has no type\nadd 'type = KIND' ('dbscale help' lists the "
                     "kinds)", name);
            add_name(p, name);
            p->unusable = 1;
            continue;
        }
        if (strchr(name, '.')) {
            dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1,
                 "station name '%s' contains '.' (keys such as '%s.next' split at the "
                 "first dot)", name, name);
            p->unusable = 1;
            continue;
        }
        add_name(p, name);
        const station_kind *kind = registry_find(type->value);
        if (!kind) {
            size_t nk;
            const station_kind *const *all = registry_kinds(&nk);
            const char **cands = xcalloc(nk, sizeof *cands);
            for (size_t k = 0; k < nk; k++) cands[k] = all[k]->name;
            const char *near = diag_suggest(type->value, cands, nk);
            int len = (int)strlen(type->value);
            if (near)
                dadd(d, DIAG_ERROR, type->file, type->line, type->text, type->value_col, len,
                     "unknown type '%s' in section [%s]\ndid you mean '%s'?", type->value,
                     name, near);
            else
                dadd(d, DIAG_ERROR, type->file, type->line, type->text, type->value_col, len,
                     "unknown type '%s' in section [%s]\nknown types: %s", type->value, name,
                     kinds);
            free(cands);
            p->unusable = 1;
            continue;
        }
        p->st = xrealloc(p->st, (p->n_st + 1) * sizeof *p->st);
        station_info *si = &p->st[p->n_st++];
        si->name = name;
        si->kind = kind;
        si->file = s->file;
        si->line = s->line;
        si->text = s->text;
        if (kind->config_size > p->max_config) p->max_config = kind->config_size;
    }
    free(kinds);
}

/* ------------------------------------------------------------------ sweep values */

/* The unit of a numeric option type; -1 when a range makes no sense for it. */
static int range_unit(opt_type t)
{
    switch (t) {
    case OPT_INT:
    case OPT_NUMBER: return UNIT_NUMBER;
    case OPT_TIME: return UNIT_TIME;
    case OPT_RATE: return UNIT_RATE;
    case OPT_SIZE: return UNIT_SIZE;
    case OPT_RATIO: return UNIT_RATIO;
    default: return -1;
    }
}

/* Position of the first "sep" at parenthesis depth 0 in s, or NULL. */
static const char *find_top(const char *s, const char *sep)
{
    size_t n = strlen(sep);
    int depth = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '(') depth++;
        else if (*c == ')' && depth > 0) depth--;
        else if (depth == 0 && strncmp(c, sep, n) == 0) return c;
    }
    return NULL;
}

static void axis_push(sweep_axis *ax, int **cols, char *value, int col)
{
    ax->values = xrealloc(ax->values, (ax->n_values + 1) * sizeof *ax->values);
    *cols = xrealloc(*cols, (ax->n_values + 1) * sizeof **cols);
    ax->values[ax->n_values] = value;
    (*cols)[ax->n_values] = col;
    ax->n_values++;
}

/* Expands "A..B step S" into ax. Returns 0, or -1 after reporting. */
static int parse_range(diag_list *d, const assign *a, const opt_def *def, const char *key,
                       const char *text, const char *dots, sweep_axis *ax, int **cols)
{
    int unit = range_unit(def->type);
    int tlen = (int)strlen(text);
    if (unit < 0) {
        report(d, DIAG_ERROR, a, a->col, tlen,
               "a range needs a numeric key, but '%s' takes a %s\nlist the values instead, "
               "as in 'v1, v2, v3'", key, opt_type_name(def->type));
        return -1;
    }
    const char *rest = dots + 2;
    const char *step = NULL;
    for (const char *c = rest; *c; c++)
        if (is_space(*c) && strncmp(c + 1, "step", 4) == 0 &&
            (is_space(c[5]) || c[5] == '\0')) {
            step = c + 1;
            break;
        }
    if (!step) {
        report(d, DIAG_ERROR, a, a->col, tlen,
               "sweep range '%s' for '%s' needs a step, as in '1000/s..20000/s step 1000/s'",
               text, key);
        return -1;
    }
    const char *pa = text, *pb = dots, *qa = rest, *qb = step, *ra = step + 4,
               *rb = text + tlen;
    trim(&pa, &pb);
    trim(&qa, &qb);
    trim(&ra, &rb);
    char *parts[3] = {xstrndup(pa, (size_t)(pb - pa)), xstrndup(qa, (size_t)(qb - qa)),
                      xstrndup(ra, (size_t)(rb - ra))};
    double v[3];
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        char err[ERR_LEN];
        if (!parts[i][0]) {
            static const char *const what[] = {"start", "end", "step"};
            report(d, DIAG_ERROR, a, a->col, tlen, "sweep range '%s' for '%s' has no %s",
                   text, key, what[i]);
            rc = -1;
        } else if (units_parse(parts[i], (unit_kind)unit, &v[i], err, sizeof err) < 0) {
            report(d, DIAG_ERROR, a, a->col, tlen, "bad sweep range '%s' for '%s': %s", text,
                   key, err);
            rc = -1;
        }
    }
    if (rc == 0 && !(v[2] > 0)) {
        report(d, DIAG_ERROR, a, a->col, tlen,
               "sweep range '%s' for '%s' has step '%s' (the step must be above 0)", text, key,
               parts[2]);
        rc = -1;
    }
    if (rc == 0 && v[0] > v[1]) {
        report(d, DIAG_ERROR, a, a->col, tlen,
               "sweep range '%s' for '%s' runs backwards ('%s' is above '%s')", text, key,
               parts[0], parts[1]);
        rc = -1;
    }
    double lo = v[0], hi = v[1], st = v[2];
    double tol = 1e-9 * fabs(hi);
    double q = rc == 0 ? (hi - lo) / st : 0;
    if (rc == 0 && !(q < SWEEP_MAX_RANGE)) {
        report(d, DIAG_ERROR, a, a->col, tlen,
               "sweep range '%s' for '%s' has more than %d values", text, key,
               SWEEP_MAX_RANGE);
        rc = -1;
    }
    if (rc == 0) {
        size_t n = (size_t)floor(q);
        if (lo + (double)(n + 1) * st <= hi + tol) n++;
        if (n + 1 > SWEEP_MAX_RANGE) {
            report(d, DIAG_ERROR, a, a->col, tlen,
                   "sweep range '%s' for '%s' has more than %d values", text, key,
                   SWEEP_MAX_RANGE);
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i <= n; i++) {
            double x = lo + (double)i * st;
            if (fabs(x - hi) <= tol) x = hi;
            if (fabs(x) < 1e-9 * st) x = 0;
            char buf[VALUE_LEN];
            int len;
            if (def->type == OPT_INT && x == floor(x) && fabs(x) < 9007199254740992.0)
                len = snprintf(buf, sizeof buf, "%.0f", x);
            else if (def->type == OPT_INT)
                len = snprintf(buf, sizeof buf, "%.17g", x);
            else
                len = units_format(x, (unit_kind)unit, buf, sizeof buf);
            if (len < 0) {
                report(d, DIAG_ERROR, a, a->col, tlen,
                       "sweep range '%s' for '%s' reaches a value that cannot be written "
                       "(%.17g)", text, key, x);
                rc = -1;
                break;
            }
            axis_push(ax, cols, xstrdup(buf), a->col);
        }
    }
    for (int i = 0; i < 3; i++) free(parts[i]);
    return rc;
}

/* Splits "v1, v2, v3" (commas inside parentheses do not split). Returns 0 or -1. */
static int parse_list(diag_list *d, const assign *a, const char *key, const char *text,
                      sweep_axis *ax, int **cols)
{
    const char *s = text;
    for (;;) {
        const char *comma = find_top(s, ",");
        const char *e = comma ? comma : s + strlen(s);
        const char *x = s, *y = e;
        trim(&x, &y);
        if (x == y) {
            report(d, DIAG_ERROR, a, a->col, (int)strlen(text),
                   "empty value in the sweep list '%s' for '%s'", text, key);
            return -1;
        }
        int col = a->col > 0 ? a->col + (int)(x - text) : a->col;
        axis_push(ax, cols, xstrndup(x, (size_t)(y - x)), col);
        if (!comma) break;
        s = comma + 1;
    }
    return 0;
}

/* One [sweep] entry: adds an axis to sc, or reports. */
static void load_axis(scenario *sc, diag_list *d, const ini_entry *e)
{
    struct scenario_priv *p = sc->priv;
    assign a = {0};
    a.source = FROM_SWEEP;
    a.file = e->file;
    a.line = e->line;
    a.text = e->text;
    a.col = e->value_col;
    a.len = (int)strlen(e->value);
    for (size_t i = 0; i < sc->n_axes; i++)
        if (strcmp(sc->axes[i].key, e->key) == 0) {
            report(d, DIAG_ERROR, &a, e->key_col, (int)strlen(e->key),
                   "key '%s' is swept twice (first at %s:%d)", e->key, sc->axes[i].file,
                   sc->axes[i].line);
            return;
        }
    if (find_target(d, p, &a, e->key, e->key_col, "sweep", &a.target, &a.row) != 1) return;
    const opt_def *def = &target_table(p, a.target)[a.row];
    sweep_axis ax = {0};
    int *cols = NULL;
    const char *dots = find_top(e->value, "..");
    int rc = dots ? parse_range(d, &a, def, e->key, e->value, dots, &ax, &cols)
                  : parse_list(d, &a, e->key, e->value, &ax, &cols);
    if (rc < 0) {
        for (size_t i = 0; i < ax.n_values; i++) free(ax.values[i]);
        free(ax.values);
        free(cols);
        return;
    }
    ax.key = xstrdup(e->key);
    ax.file = e->file;
    ax.line = e->line;
    sc->axes = xrealloc(sc->axes, (sc->n_axes + 1) * sizeof *sc->axes);
    p->axis = xrealloc(p->axis, (sc->n_axes + 1) * sizeof *p->axis);
    p->axis_cols = xrealloc(p->axis_cols, (sc->n_axes + 1) * sizeof *p->axis_cols);
    sc->axes[sc->n_axes] = ax;
    p->axis[sc->n_axes] = a;
    p->axis_cols[sc->n_axes] = cols;
    sc->n_axes++;
}

/* ------------------------------------------------------------------ entries */

static size_t variant_index(const scenario *sc, const char *name)
{
    for (size_t i = 1; i < sc->n_variants; i++)
        if (strcmp(sc->variant_names[i], name) == 0) return i;
    return 0;
}

/* Turns every entry of the doc into an assignment of its layer, or a message. */
/* Whether kind k accepts timeline action `action`. */
static int kind_takes(const station_kind *k, const char *action)
{
    if (!k->actions) return k->ops->control != NULL;
    for (const char *const *a = k->actions; *a; a++)
        if (strcmp(*a, action) == 0) return 1;
    return 0;
}

/* Reads one timeline line (base or variant) and checks its actions against the stations. */
static void load_timeline(struct scenario_priv *p, diag_list *d, const ini_entry *e,
                          size_t variant, const char *when, int when_col)
{
    const char **names = xcalloc(p->n_st + 1, sizeof *names);
    for (size_t i = 0; i < p->n_st; i++) names[i] = p->st[i].name;
    p->tl = xrealloc(p->tl, (p->n_tl + 1) * sizeof *p->tl);
    tl_line *l = &p->tl[p->n_tl++];
    memset(l, 0, sizeof *l);
    l->variant = variant;
    l->when = when;
    char err[ERR_LEN];
    int col = -1, len = 0;
    const char *regions[REGIONS_MAX];
    for (size_t i = 0; i < p->regions.n; i++) regions[i] = p->regions.names[i];
    int n = timeline_parse(when, e->value, names, p->n_st, regions, p->regions.n, l->act, 8, err,
                           sizeof err, &col, &len);
    free(names);
    if (n < 0) {
        int at = col >= 0 && e->value_col > 0 ? e->value_col + col : (col < 0 ? when_col : -1);
        dadd(d, DIAG_ERROR, e->file, e->line, e->text, at, col >= 0 ? len : (int)strlen(when),
             "%s", err);
        return;
    }
    for (int i = 0; i < n; i++) {
        timeline_action *a = &l->act[i];
        snprintf(a->where, sizeof a->where, "%s:%d", e->file ? e->file : "command line", e->line);
        if (timeline_is_network(a)) continue;
        int t = station_index(p, a->station);
        if (t < 0) continue;
        const station_kind *k = p->st[t].kind;
        if (!kind_takes(k, a->action)) {
            if (!k->actions && !k->ops->control) {
                dadd(d, DIAG_ERROR, e->file, e->line, e->text, e->value_col, (int)strlen(e->value),
                     "station '%s' (type %s) takes no timeline actions", a->station, k->name);
            } else {
                size_t used = 0;
                char list[256] = "";
                for (const char *const *x = k->actions; x && *x && used < sizeof list; x++)
                    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *x);
                dadd(d, DIAG_ERROR, e->file, e->line, e->text, e->value_col, (int)strlen(e->value),
                     "station '%s' (type %s) has no timeline action '%s'\nit takes: %s",
                     a->station, k->name, a->action, list);
            }
            return;
        }
    }
    l->n_act = n;
}

/* The timeline of a variant: the base lines, each replaced by the variant's line of the
 * same time text, plus the variant's own lines; sorted by time, stable. */
static void resolve_timeline(const struct scenario_priv *p, size_t variant, resolved *out)
{
    size_t cap = 0;
    for (size_t i = 0; i < p->n_tl; i++) cap += (size_t)p->tl[i].n_act;
    out->timeline = cap ? xcalloc(cap, sizeof *out->timeline) : NULL;
    out->n_timeline = 0;
    for (size_t i = 0; i < p->n_tl; i++) {
        const tl_line *l = &p->tl[i];
        if (l->variant != 0 && l->variant != variant) continue;
        if (l->variant == 0 && variant != 0) {
            int replaced = 0;
            for (size_t j = 0; j < p->n_tl && !replaced; j++)
                replaced = p->tl[j].variant == variant && strcmp(p->tl[j].when, l->when) == 0;
            if (replaced) continue;
        }
        for (int k = 0; k < l->n_act; k++) out->timeline[out->n_timeline++] = l->act[k];
    }
    /* insertion sort by time: stable, and timelines are short */
    for (size_t i = 1; i < out->n_timeline; i++) {
        timeline_action x = out->timeline[i];
        size_t j = i;
        while (j > 0 && out->timeline[j - 1].at > x.at) {
            out->timeline[j] = out->timeline[j - 1];
            j--;
        }
        out->timeline[j] = x;
    }
}

/* Reads [regions] (before the timeline, which may name regions). */
static void load_regions(scenario *sc, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    const ini_doc *doc = &sc->doc;
    for (size_t i = 0; i < doc->n_entries; i++) {
        const ini_entry *e = &doc->entries[i];
        if (strcmp(e->section, "regions") != 0) continue;
        char err[ERR_LEN];
        int col, len;
        if (regions_add_line(&p->regions, e->key, e->value, err, sizeof err, &col, &len) != 0)
            dadd(d, DIAG_ERROR, e->file, e->line, e->text,
                 col >= 0 && e->value_col > 0 ? e->value_col + col : e->key_col,
                 col >= 0 ? len : (int)strlen(e->key), "%s", err);
    }
    char err[ERR_LEN];
    const ini_section *s = ini_find_section(doc, "regions");
    if (s && regions_check(&p->regions, err, sizeof err) != 0)
        dadd(d, DIAG_ERROR, s->file, s->line, s->text, -1, -1, "%s", err);
}

static void load_entries(scenario *sc, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    const ini_doc *doc = &sc->doc;
    for (size_t i = 0; i < doc->n_entries; i++) {
        const ini_entry *e = &doc->entries[i];
        const char *sec = e->section;
        assign a = {0};
        a.file = e->file;
        a.line = e->line;
        a.text = e->text;
        a.value = e->value;
        a.col = e->value_col;
        a.len = (int)strlen(e->value);
        int klen = (int)strlen(e->key);
        if (strcmp(sec, "sweep") == 0) {
            load_axis(sc, d, e);
        } else if (strcmp(sec, "regions") == 0) {
            continue; /* read by load_regions */
        } else if (strcmp(sec, "timeline") == 0) {
            load_timeline(p, d, e, 0, e->key, e->key_col);
        } else if (strncmp(sec, "variant ", 8) == 0) {
            size_t v = variant_index(sc, sec + 8);
            if (!v) continue; /* [variant base]: reported at its header */
            if (strncmp(e->key, "timeline.", 9) == 0) {
                load_timeline(p, d, e, v, e->key + 9, e->key_col > 0 ? e->key_col + 9 : e->key_col);
                continue;
            }
            a.source = FROM_VARIANT;
            if (find_target(d, p, &a, e->key, e->key_col, "variant", &a.target, &a.row) == 1)
                *list_push(&p->var[v]) = a;
        } else if (strcmp(sec, "scenario") == 0) {
            const opt_def *def = opt_find(scenario_settings_options, e->key);
            a.source = FROM_FILE;
            if (!def) {
                unknown_key(d, p, &a, e->key_col, klen, -1, e->key);
                continue;
            }
            a.target = -1;
            a.row = (size_t)(def - scenario_settings_options);
            *list_push(&p->base) = a;
        } else {
            int t = station_index(p, sec);
            if (t < 0 || strcmp(e->key, "type") == 0) continue; /* reported, or the type */
            const opt_def *table = p->st[t].kind->options;
            const opt_def *def = opt_find(table, e->key);
            a.source = FROM_FILE;
            if (!def) {
                unknown_key(d, p, &a, e->key_col, klen, t, e->key);
                continue;
            }
            a.target = t;
            a.row = (size_t)(def - table);
            *list_push(&p->base) = a;
        }
    }
}

static int check_value(struct scenario_priv *p, diag_list *d, const assign *a,
                       const char *value, int col, int len, void *scratch);

/* Reads the --set texts into assignments, checking each value at once (so that the
 * messages come in command-line order). */
static void load_sets(scenario *sc, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    p->set_copies = xcalloc(2 * sc->n_sets, sizeof *p->set_copies);
    void *scratch = xcalloc(1, scratch_size(p));
    for (size_t i = 0; i < sc->n_sets; i++) {
        const char *text = sc->sets[i];
        assign a = {0};
        a.source = FROM_SET;
        a.set_text = text;
        a.col = a.len = -1;
        const char *eq = strchr(text, '=');
        if (!eq) {
            report(d, DIAG_ERROR, &a, -1, -1,
                   "expected SECTION.KEY=VALUE, as in 'app.rate=5000/s'");
            continue;
        }
        const char *ka = text, *kb = eq, *va = eq + 1, *vb = eq + strlen(eq);
        trim(&ka, &kb);
        trim(&va, &vb);
        if (va == vb) {
            report(d, DIAG_ERROR, &a, -1, -1, "missing value after '='");
            continue;
        }
        char *key = xstrndup(ka, (size_t)(kb - ka));
        char *value = xstrndup(va, (size_t)(vb - va));
        p->set_copies[p->n_set_copies++] = key;
        p->set_copies[p->n_set_copies++] = value;
        a.value = value;
        if (find_target(d, p, &a, key, -1, "--set", &a.target, &a.row) != 1) continue;
        a.bad = check_value(p, d, &a, a.value, -1, -1, scratch) < 0;
        *list_push(&p->set) = a;
    }
    free(scratch);
}

/* ------------------------------------------------------------------ value checks */

/* Checks one value on its own: it parses, and a link names a station. Returns 0 or -1. */
static int check_value(struct scenario_priv *p, diag_list *d, const assign *a,
                       const char *value, int col, int len, void *scratch)
{
    const opt_def *def = &target_table(p, a->target)[a->row];
    char err[ERR_LEN];
    size_t size = field_size(def);
    memset((char *)scratch + def->offset, 0, size);
    if (opt_set(def, scratch, value, dir_of(p, a->file), err, sizeof err) < 0) {
        release_field(def, scratch);
        report(d, DIAG_ERROR, a, col, len, "%s", err);
        return -1;
    }
    int rc = 0;
    const char *link = def->type == OPT_LINK ? link_value(def, scratch) : NULL;
    if (link && !is_station_name(p, link)) {
        const char *near = diag_suggest(link, p->names, p->n_names);
        const char *sec = target_name(p, a->target);
        if (near)
            report(d, DIAG_ERROR, a, col, len,
                   "unknown station '%s' in link '%s' of [%s]\ndid you mean '%s'?", link,
                   def->name, sec, near);
        else {
            char *all = xstrdup("");
            for (size_t i = 0; i < p->n_names; i++) {
                char *t = fmt("%s%s%s", all, i ? ", " : "", p->names[i]);
                free(all);
                all = t;
            }
            report(d, DIAG_ERROR, a, col, len,
                   "unknown station '%s' in link '%s' of [%s]\nstations: %s", link, def->name,
                   sec, all);
            free(all);
        }
        rc = -1;
    }
    release_field(def, scratch);
    memset((char *)scratch + def->offset, 0, size);
    return rc;
}

static void check_list(struct scenario_priv *p, diag_list *d, assign_list *l, void *scratch)
{
    for (size_t i = 0; i < l->n; i++) {
        assign *a = &l->a[i];
        if (check_value(p, d, a, a->value, a->col, a->len, scratch) < 0) a->bad = 1;
    }
}

static void check_values(scenario *sc, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    void *scratch = xcalloc(1, scratch_size(p));
    check_list(p, d, &p->base, scratch);
    for (size_t v = 1; v < sc->n_variants; v++) check_list(p, d, &p->var[v], scratch);
    for (size_t x = 0; x < sc->n_axes; x++) {
        const sweep_axis *ax = &sc->axes[x];
        for (size_t k = 0; k < ax->n_values; k++)
            if (check_value(p, d, &p->axis[x], ax->values[k], p->axis_cols[x][k],
                            (int)strlen(ax->values[k]), scratch) < 0)
                p->axis[x].bad = 1;
    }
    free(scratch);
}

/* ------------------------------------------------------------------ resolving */

/* Working state of one resolution: where every value came from. */
typedef struct rctx {
    const assign **org;   /* per option slot: the assignment that set it, or NULL */
    char *tried;          /* per slot: some assignment (maybe a bad one) was written */
    int *col, *len;       /* per slot: marker of the value that set it (sweep: one item) */
    resolved base;        /* defaults and the base file, copied for every run */
    int have_base;        /* base is built */
    const assign **base_org; /* org after the base layer */
    char *base_tried;     /* tried after the base layer */
    int *base_col;        /* col after the base layer */
    int *base_len;        /* len after the base layer */
    size_t *off;          /* per station: first slot; settings use slots from 0 */
    size_t n_slots;       /* held */
    void *scratch;        /* max config size, zeroed */
    struct pending *pend; /* whole-configuration messages found so far */
    size_t n_pend;        /* held */
    size_t n_variants;    /* variants of the scenario */
    size_t variant;       /* the run being checked: variant */
    size_t point;         /* and sweep point */
} rctx;

/* A whole-configuration message, with the runs that show it. */
typedef struct pending {
    diag_severity sev;     /* error or warning */
    const char *file;      /* place (NULL: command line) */
    int line;              /* line in file */
    const char *text;      /* line to echo */
    int col, len;          /* marker */
    const char *set_text;  /* --set text, for command-line messages */
    char *msg;             /* the message */
    size_t *count;         /* per variant: sweep points showing it */
    size_t *first;         /* per variant: first such point */
} pending;

static void rctx_init(rctx *c, const scenario *sc)
{
    const struct scenario_priv *p = sc->priv;
    memset(c, 0, sizeof *c);
    size_t n = opt_count(scenario_settings_options);
    c->off = xcalloc(p->n_st + 1, sizeof *c->off);
    for (size_t i = 0; i < p->n_st; i++) {
        c->off[i] = n;
        n += opt_count(p->st[i].kind->options);
    }
    c->n_slots = n;
    c->org = xcalloc(n, sizeof *c->org);
    c->tried = xcalloc(n, 1);
    c->col = xcalloc(n, sizeof *c->col);
    c->len = xcalloc(n, sizeof *c->len);
    c->base_org = xcalloc(n, sizeof *c->base_org);
    c->base_tried = xcalloc(n, 1);
    c->base_col = xcalloc(n, sizeof *c->base_col);
    c->base_len = xcalloc(n, sizeof *c->base_len);
    c->scratch = xcalloc(1, scratch_size(p));
    c->n_variants = sc->n_variants;
}

/* Forgets the noted messages. */
static void clear_pending(rctx *c)
{
    for (size_t i = 0; i < c->n_pend; i++) {
        free(c->pend[i].msg);
        free(c->pend[i].count);
        free(c->pend[i].first);
    }
    free(c->pend);
    c->pend = NULL;
    c->n_pend = 0;
}

static void rctx_fini(rctx *c)
{
    free(c->org);
    free(c->tried);
    free(c->col);
    free(c->len);
    free(c->base_org);
    free(c->base_tried);
    free(c->base_col);
    free(c->base_len);
    if (c->have_base) resolved_fini(&c->base);
    free(c->off);
    free(c->scratch);
    clear_pending(c);
    memset(c, 0, sizeof *c);
}

static size_t slot_of(const rctx *c, int target, size_t row)
{
    return target < 0 ? row : c->off[target] + row;
}

/* Applies one assignment to r. Returns 0, or -1 (reported when d is not NULL). */
static int apply(const scenario *sc, resolved *r, rctx *c, const assign *a, const char *value,
                 int col, int len, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    size_t slot = slot_of(c, a->target, a->row);
    c->tried[slot] = 1;
    if (a->bad) return 0; /* already reported on its own */
    const opt_def *def = &target_table(p, a->target)[a->row];
    void *config = a->target < 0 ? (void *)&r->settings : r->stations[a->target].config;
    provenance *prov = a->target < 0 ? &r->settings_prov[a->row]
                                     : &r->stations[a->target].prov[a->row];
    char err[ERR_LEN];
    if (set_field(def, config, c->scratch, value, dir_of(p, a->file), err, sizeof err) < 0) {
        if (d) report(d, DIAG_ERROR, a, col, len, "%s", err);
        return -1;
    }
    prov->source = a->source;
    prov->file = a->file;
    prov->line = a->line;
    c->org[slot] = a;
    c->col[slot] = col;
    c->len[slot] = len;
    return 0;
}

static int apply_list(const scenario *sc, resolved *r, rctx *c, const assign_list *l,
                      diag_list *d)
{
    int rc = 0;
    for (size_t i = 0; i < l->n; i++)
        if (apply(sc, r, c, &l->a[i], l->a[i].value, l->a[i].col, l->a[i].len, d) < 0)
            rc = -1;
    return rc;
}

/* The file name of path without its folder and a trailing ".ini", malloc'd. */
static char *default_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".ini") == 0) n -= 4;
    return xstrndup(b, n);
}

/* The label of (variant, point): "sync, app.rate = 2000/s", malloc'd. */
static char *combo_label(const scenario *sc, size_t variant, size_t point)
{
    char *s = fmt("variant %s", sc->variant_names[variant]);
    for (size_t x = 0; x < sc->n_axes; x++) {
        char *t = fmt("%s, %s = %s", s, sc->axes[x].key, scenario_point_value(sc, point, x));
        free(s);
        s = t;
    }
    return s;
}

/* Builds c->base: the defaults and the base file's layer, with its origins. Returns 0,
 * or -1 (reported when d is not NULL). */
static int resolve_base(const scenario *sc, rctx *c, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    resolved *out = &c->base;
    char err[ERR_LEN];
    int rc = 0;
    memset(out, 0, sizeof *out);
    memset(c->org, 0, c->n_slots * sizeof *c->org);
    memset(c->tried, 0, c->n_slots);
    size_t ns = opt_count(scenario_settings_options);
    out->settings_prov = xcalloc(ns, sizeof *out->settings_prov);
    if (opt_defaults(scenario_settings_options, &out->settings, err, sizeof err) < 0) {
        if (d) dadd(d, DIAG_ERROR, NULL, 0, NULL, -1, -1, "internal error: %s", err);
        rc = -1;
    }
    out->stations = xcalloc(p->n_st, sizeof *out->stations);
    out->n_stations = p->n_st;
    for (size_t i = 0; i < p->n_st; i++) {
        resolved_station *rs = &out->stations[i];
        rs->name = xstrdup(p->st[i].name);
        rs->kind = p->st[i].kind;
        rs->config = xcalloc(1, rs->kind->config_size);
        rs->prov = xcalloc(opt_count(rs->kind->options), sizeof *rs->prov);
        if (opt_defaults(rs->kind->options, rs->config, err, sizeof err) < 0) {
            if (d)
                dadd(d, DIAG_ERROR, NULL, 0, NULL, -1, -1,
                     "internal error: defaults of type %s: %s", rs->kind->name, err);
            rc = -1;
        }
    }
    if (apply_list(sc, out, c, &p->base, d) < 0) rc = -1;
    memcpy(c->base_org, c->org, c->n_slots * sizeof *c->org);
    memcpy(c->base_tried, c->tried, c->n_slots);
    memcpy(c->base_col, c->col, c->n_slots * sizeof *c->col);
    memcpy(c->base_len, c->len, c->n_slots * sizeof *c->len);
    c->have_base = 1;
    return rc;
}

static void copy_or_die(const opt_def *table, void *dst, const void *src, size_t size)
{
    if (opt_copy(table, dst, src, size) < 0) {
        fputs("dbscale: out of memory\n", stderr);
        abort();
    }
}

/* Resolves (variant, point) into out with the origins in c: a copy of the base layer of
 * b (built by resolve_base; b may be c), then the variant, the sweep values and --set.
 * Returns 0, or -1 (reported when d is not NULL). */
static int resolve_into(const scenario *sc, size_t variant, size_t point, resolved *out,
                        rctx *c, const rctx *b, diag_list *d)
{
    struct scenario_priv *p = sc->priv;
    int rc = 0;
    const resolved *base = &b->base;
    memset(out, 0, sizeof *out);
    memcpy(c->org, b->base_org, c->n_slots * sizeof *c->org);
    memcpy(c->tried, b->base_tried, c->n_slots);
    memcpy(c->col, b->base_col, c->n_slots * sizeof *c->col);
    memcpy(c->len, b->base_len, c->n_slots * sizeof *c->len);
    out->variant = sc->variant_names[variant];
    out->variant_index = variant;
    out->point = point;
    out->label = combo_label(sc, variant, point);
    size_t ns = opt_count(scenario_settings_options);
    out->settings_prov = xcalloc(ns, sizeof *out->settings_prov);
    memcpy(out->settings_prov, base->settings_prov, ns * sizeof *out->settings_prov);
    copy_or_die(scenario_settings_options, &out->settings, &base->settings,
                sizeof out->settings);
    out->stations = xcalloc(p->n_st, sizeof *out->stations);
    out->n_stations = p->n_st;
    for (size_t i = 0; i < p->n_st; i++) {
        resolved_station *rs = &out->stations[i];
        const resolved_station *bs = &base->stations[i];
        size_t rows = opt_count(bs->kind->options);
        rs->name = xstrdup(bs->name);
        rs->kind = bs->kind;
        rs->config = xcalloc(1, rs->kind->config_size);
        copy_or_die(rs->kind->options, rs->config, bs->config, rs->kind->config_size);
        rs->prov = xcalloc(rows, sizeof *rs->prov);
        memcpy(rs->prov, bs->prov, rows * sizeof *rs->prov);
    }
    if (variant > 0 && apply_list(sc, out, c, &p->var[variant], d) < 0) rc = -1;
    for (size_t x = 0; x < sc->n_axes; x++) {
        const char *v = scenario_point_value(sc, point, x);
        size_t k = 0;
        while (sc->axes[x].values[k] != v) k++;
        if (apply(sc, out, c, &p->axis[x], v, p->axis_cols[x][k], (int)strlen(v), d) < 0)
            rc = -1;
    }
    if (apply_list(sc, out, c, &p->set, d) < 0) rc = -1;
    if (!out->settings.name || !out->settings.name[0]) {
        free(out->settings.name);
        out->settings.name = default_name(sc->path);
    }
    resolve_timeline(p, variant, out);
    out->regions = &p->regions;
    return rc;
}

/* ------------------------------------------------------------------ whole-run checks */

/* Notes a message for the run (c->variant, c->point); equal messages of other runs are
 * merged with it, and reported once by flush_pending. */
static void report_once(rctx *c, diag_severity sev, const char *file, int line,
                        const char *text, int col, int len, const char *set_text,
                        const char *msg)
{
    pending *m = NULL;
    for (size_t i = 0; i < c->n_pend && !m; i++) {
        pending *q = &c->pend[i];
        if (q->sev == sev && q->line == line && !q->file == !file &&
            (!file || strcmp(q->file, file) == 0) && !q->set_text == !set_text &&
            (!set_text || strcmp(q->set_text, set_text) == 0) && strcmp(q->msg, msg) == 0)
            m = q;
    }
    if (!m) {
        c->pend = xrealloc(c->pend, (c->n_pend + 1) * sizeof *c->pend);
        m = &c->pend[c->n_pend++];
        *m = (pending){sev, file, line, text, col, len, set_text, xstrdup(msg),
                       xcalloc(c->n_variants, sizeof(size_t)),
                       xcalloc(c->n_variants, sizeof(size_t))};
    }
    if (m->count[c->variant]++ == 0) m->first[c->variant] = c->point;
}

/* The runs a message showed up in, unless it showed up in all of them: "in variant
 * 'sync' at sweep point app.rate = 2000/s (and 3 more)"; malloc'd or NULL. */
static char *runs_hint(const scenario *sc, const pending *m)
{
    size_t all = 0;
    for (size_t v = 0; v < sc->n_variants; v++) all += m->count[v] == sc->n_points;
    if (all == sc->n_variants) return NULL;
    char *s = xstrdup("");
    for (size_t v = 0; v < sc->n_variants; v++) {
        if (!m->count[v]) continue;
        char *name =
            v ? fmt("variant '%s'", sc->variant_names[v]) : xstrdup("the base scenario");
        char *t = fmt("%s%sin %s", s, s[0] ? "; " : "", name);
        free(name);
        free(s);
        s = t;
        if (m->count[v] == sc->n_points) continue;
        for (size_t x = 0; x < sc->n_axes; x++) {
            t = fmt("%s%s%s = %s", s, x ? ", " : " at sweep point ", sc->axes[x].key,
                    scenario_point_value(sc, m->first[v], x));
            free(s);
            s = t;
        }
        if (m->count[v] > 1) {
            t = fmt("%s (and %zu more)", s, m->count[v] - 1);
            free(s);
            s = t;
        }
    }
    return s;
}

/* Adds every noted message to d, each with the runs it showed up in. */
static void flush_pending(const scenario *sc, rctx *c, diag_list *d)
{
    for (size_t i = 0; i < c->n_pend; i++) {
        const pending *m = &c->pend[i];
        char *hint = runs_hint(sc, m);
        const char *sep = hint ? "\n" : "";
        const char *h = hint ? hint : "";
        if (m->set_text)
            dadd(d, m->sev, NULL, 0, NULL, -1, -1, "--set '%s': %s%s%s", m->set_text, m->msg,
                 sep, h);
        else
            dadd(d, m->sev, m->file, m->line, m->text, m->col, m->len, "%s%s%s", m->msg, sep,
                 h);
        free(hint);
    }
}

/* Notes msg at the place that set option `row` of target (-1: [scenario]), or at the
 * target's header when a default holds (or row is SIZE_MAX). */
static void report_at(rctx *c, diag_severity sev, const scenario *sc, int target,
                      size_t row, const char *msg)
{
    const struct scenario_priv *p = sc->priv;
    size_t slot = row == SIZE_MAX ? 0 : slot_of(c, target, row);
    const assign *a = row == SIZE_MAX ? NULL : c->org[slot];
    if (a) {
        report_once(c, sev, a->file, a->line, a->text, c->col[slot], c->len[slot],
                    a->source == FROM_SET ? a->set_text : NULL, msg);
    } else if (target >= 0) {
        const station_info *si = &p->st[target];
        report_once(c, sev, si->file, si->line, si->text, -1, -1, NULL, msg);
    } else {
        const ini_section *s = ini_find_section(&sc->doc, "scenario");
        if (s) report_once(c, sev, s->file, s->line, s->text, -1, -1, NULL, msg);
        else report_once(c, sev, sc->path, 0, NULL, -1, -1, NULL, msg);
    }
}

typedef struct dfs_state {
    const scenario *sc;   /* the scenario */
    const resolved *r;    /* the configuration */
    rctx *c;              /* origins and reported messages */
    char *colour;         /* per station: 0 new, 1 on the path, 2 done */
    int *path;            /* stations on the current path */
    size_t depth;         /* held */
} dfs_state;

/* The station a link row of station i points at, or -1. */
static int link_target(const struct scenario_priv *p, const resolved *r, size_t i,
                       const opt_def *def)
{
    const char *v = link_value(def, r->stations[i].config);
    return v ? station_index(p, v) : -1;
}

static void dfs(dfs_state *s, int i)
{
    const struct scenario_priv *p = s->sc->priv;
    s->colour[i] = 1;
    s->path[s->depth++] = i;
    const opt_def *table = p->st[i].kind->options;
    for (size_t row = 0; table[row].name; row++) {
        if (table[row].type != OPT_LINK) continue;
        int j = link_target(p, s->r, (size_t)i, &table[row]);
        if (j < 0) continue;
        if (s->colour[j] == 1) {
            char *msg = xstrdup("link cycle:");
            for (size_t k = 0; k < s->depth; k++) {
                char *t = fmt("%s%s%s", msg, k ? " -> " : " ", p->st[s->path[k]].name);
                free(msg);
                msg = t;
            }
            char *t = fmt("%s -> %s", msg, p->st[j].name);
            free(msg);
            msg = t;
            report_at(s->c, DIAG_ERROR, s->sc, i, row, msg);
            free(msg);
        } else if (s->colour[j] == 0) {
            dfs(s, j);
        }
    }
    s->depth--;
    s->colour[i] = 2;
}

/* Index of the resolved station named name, or -1. */
static int resolved_index(const resolved *r, const char *name)
{
    for (size_t i = 0; i < r->n_stations; i++)
        if (strcmp(r->stations[i].name, name) == 0) return (int)i;
    return -1;
}

/* Breadth-first over every link from the clients stations: seen[i] = 1 for the stations
 * a workload reaches; direct[i] = 1 (when direct is not NULL) for those it reaches by a
 * link other than a router's template link (a router's `next`: the template is copied
 * once per shard and left out of the outputs unless requests also reach it this way).
 * Returns whether there is a clients station. */
static int reach_from_clients(const resolved *r, char *seen, unsigned char *direct)
{
    size_t n = r->n_stations, head = 0, tail = 0;
    int *queue = xcalloc(n ? n : 1, sizeof *queue), any = 0;
    for (size_t i = 0; i < n; i++) {
        seen[i] = 0;
        if (direct) direct[i] = 0;
        if (strcmp(r->stations[i].kind->name, "clients") == 0) seen[i] = 1, queue[tail++] = (int)i, any = 1;
    }
    while (head < tail) {
        size_t i = (size_t)queue[head++];
        const opt_def *table = r->stations[i].kind->options;
        int router = strcmp(r->stations[i].kind->name, "router") == 0;
        for (size_t row = 0; table[row].name; row++) {
            if (table[row].type != OPT_LINK) continue;
            const char *v = link_value(&table[row], r->stations[i].config);
            int j = v ? resolved_index(r, v) : -1;
            if (j < 0) continue;
            if (direct && !(router && strcmp(table[row].name, "next") == 0)) direct[j] = 1;
            if (!seen[j]) seen[j] = 1, queue[tail++] = j;
        }
    }
    free(queue);
    return any;
}

/* Checks one resolved configuration as a whole; messages are reported once. */
static void check_resolved(const scenario *sc, const resolved *r, rctx *c)
{
    const struct scenario_priv *p = sc->priv;
    char err[ERR_LEN];
    const char *key = NULL;
    if (scenario_settings_check(&r->settings, &key, err, sizeof err) < 0) {
        const opt_def *def = key ? opt_find(scenario_settings_options, key) : NULL;
        report_at(c, DIAG_ERROR, sc, -1,
                  def ? (size_t)(def - scenario_settings_options) : SIZE_MAX, err);
    }
    int links_broken = 0; /* a link failed or is missing: reachability would mislead */
    for (size_t i = 0; i < p->n_st; i++) {
        const station_kind *k = p->st[i].kind;
        int bad = 0;
        for (size_t row = 0; k->options[row].name; row++) {
            size_t slot = slot_of(c, (int)i, row);
            int is_link = k->options[row].type == OPT_LINK;
            if (c->tried[slot] && !c->org[slot]) bad = 1, links_broken |= is_link;
            if (k->options[row].def || c->tried[slot]) continue;
            links_broken |= is_link;
            char *msg = fmt("missing required key '%s' in [%s] (type %s)",
                            k->options[row].name, p->st[i].name, k->name);
            report_at(c, DIAG_ERROR, sc, (int)i, SIZE_MAX, msg);
            free(msg);
            bad = 1;
        }
        if (!bad && k->validate && k->validate(r->stations[i].config, err, sizeof err) < 0) {
            char *msg = fmt("%s (in [%s], type %s)", err, p->st[i].name, k->name);
            report_at(c, DIAG_ERROR, sc, (int)i, SIZE_MAX, msg);
            free(msg);
        }
    }
    for (size_t i = 0; i < p->n_st; i++) {
        const station_kind *k = p->st[i].kind;
        if (!k->placed) continue;
        const char *region = *(char *const *)((const char *)r->stations[i].config + k->region_offset);
        if (!region || !*region || regions_find(&p->regions, region) >= 0) continue;
        const opt_def *row = opt_find(k->options, "region");
        char *msg;
        if (p->regions.n == 0) {
            msg = fmt("region '%s' of [%s], but the scenario has no [regions] section\n"
                      "declare the regions and their round trips in [regions]", region, p->st[i].name);
        } else {
            const char *names[REGIONS_MAX];
            for (size_t j = 0; j < p->regions.n; j++) names[j] = p->regions.names[j];
            const char *near = diag_suggest(region, names, p->regions.n);
            msg = near ? fmt("unknown region '%s' in [%s]\ndid you mean '%s'?", region, p->st[i].name, near)
                       : fmt("unknown region '%s' in [%s] (not in [regions])", region, p->st[i].name);
        }
        report_at(c, DIAG_ERROR, sc, (int)i, row ? (size_t)(row - k->options) : SIZE_MAX, msg);
        free(msg);
    }
    dfs_state s = {sc, r, c, xcalloc(p->n_st, 1), xcalloc(p->n_st, sizeof(int)), 0};
    for (size_t i = 0; i < p->n_st; i++)
        if (!s.colour[i]) dfs(&s, (int)i);

    /* Reachability from the clients stations (breadth-first over every link). */
    int any_clients = reach_from_clients(r, s.colour, NULL);
    if (!p->unusable) {
        if (!any_clients) {
            report_once(c, DIAG_ERROR, sc->path, 0, NULL, -1, -1, NULL,
                        "no clients station: nothing sends requests\nadd a section with "
                        "'type = clients'");
        } else if (!links_broken) {
            for (size_t i = 0; i < p->n_st; i++) {
                if (s.colour[i]) continue;
                char *msg = fmt("station [%s] is not reached from any clients station "
                                "(no link leads to it)", p->st[i].name);
                report_at(c, DIAG_WARNING, sc, (int)i, SIZE_MAX, msg);
                free(msg);
            }
        }
    }
    free(s.colour);
    free(s.path);
}

/* ------------------------------------------------------------------ public API */

const char *scenario_point_value(const scenario *sc, size_t point, size_t axis)
{
    size_t stride = 1;
    for (size_t x = sc->n_axes; x-- > axis + 1;) stride *= sc->axes[x].n_values;
    const sweep_axis *ax = &sc->axes[axis];
    return ax->values[(point / stride) % ax->n_values];
}

/* Sets up an empty scenario for path with copies of the --set texts. */
static void load_begin(scenario *sc, const char *path, const char *const *sets, size_t n_sets)
{
    memset(sc, 0, sizeof *sc);
    ini_init(&sc->doc);
    sc->path = xstrdup(path);
    const char *slash = strrchr(path, '/');
    sc->base_dir = !slash ? xstrdup("")
                   : slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
    sc->priv = xcalloc(1, sizeof *sc->priv);
    sc->n_points = 1;
    add_variant(sc, "base");
    sc->sets = xcalloc(n_sets, sizeof *sc->sets);
    for (size_t i = 0; i < n_sets; i++) sc->sets[i] = xstrdup(sets[i]);
    sc->n_sets = n_sets;
}

/* Everything after reading the document: sections, layers, checks and every run. Returns
 * 0, or -1 (sc emptied) when errors were added after errors_before. */
static int load_rest(scenario *sc, size_t errors_before, diag_list *diags)
{
    struct scenario_priv *p = sc->priv;
    load_sections(sc, diags);
    p->var = xcalloc(sc->n_variants, sizeof *p->var);
    load_regions(sc, diags);
    load_entries(sc, diags);
    load_sets(sc, diags);
    check_values(sc, diags);

    size_t points = 1;
    for (size_t x = 0; x < sc->n_axes; x++) {
        if (points > SCENARIO_MAX_RUNS / sc->axes[x].n_values) {
            points = SCENARIO_MAX_RUNS + 1;
            break;
        }
        points *= sc->axes[x].n_values;
    }
    if (points > SCENARIO_MAX_RUNS / sc->n_variants) {
        const ini_section *s = ini_find_section(&sc->doc, "sweep");
        dadd(diags, DIAG_ERROR, s ? s->file : sc->path, s ? s->line : 0, s ? s->text : NULL,
             -1, -1, "the variants and sweep points make more than %d runs",
             SCENARIO_MAX_RUNS);
        scenario_fini(sc);
        return -1;
    }
    sc->n_points = points;

    rctx *c = xcalloc(1, sizeof *c);
    rctx_init(c, sc);
    resolve_base(sc, c, diags);
    for (size_t v = 0; v < sc->n_variants; v++)
        for (size_t pt = 0; pt < sc->n_points; pt++) {
            resolved r;
            c->variant = v;
            c->point = pt;
            resolve_into(sc, v, pt, &r, c, c, NULL);
            check_resolved(sc, &r, c);
            resolved_fini(&r);
        }
    flush_pending(sc, c, diags);
    clear_pending(c);
    p->keep = c;
    if (diag_errors(diags) > errors_before) {
        scenario_fini(sc);
        return -1;
    }
    return 0;
}

int scenario_load(scenario *sc, const char *path, const char *const *sets, size_t n_sets,
                  diag_list *diags)
{
    load_begin(sc, path, sets, n_sets);
    size_t errors_before = diag_errors(diags);
    if (ini_read_file(&sc->doc, path, diags) == -2) {
        scenario_fini(sc);
        return -2;
    }
    return load_rest(sc, errors_before, diags);
}

int scenario_load_string(scenario *sc, const char *name, const char *text, size_t len,
                         const char *const *sets, size_t n_sets, diag_list *diags)
{
    load_begin(sc, name, sets, n_sets);
    size_t errors_before = diag_errors(diags);
    ini_read_mem(&sc->doc, name, text, len, diags);
    return load_rest(sc, errors_before, diags);
}

void scenario_fini(scenario *sc)
{
    struct scenario_priv *p = sc->priv;
    if (p) {
        if (p->keep) rctx_fini(p->keep);
        free(p->keep);
        free(p->st);
        free(p->names);
        free(p->base.a);
        if (p->var)
            for (size_t v = 0; v < sc->n_variants; v++) free(p->var[v].a);
        free(p->var);
        free(p->axis);
        for (size_t x = 0; x < sc->n_axes; x++) free(p->axis_cols[x]);
        free(p->axis_cols);
        free(p->set.a);
        for (size_t i = 0; i < p->n_set_copies; i++) free(p->set_copies[i]);
        free(p->set_copies);
        for (size_t i = 0; i < p->n_dirs; i++) free(p->dirs[i].dir);
        free(p->dirs);
        free(p->tl);
        free(p);
    }
    for (size_t x = 0; x < sc->n_axes; x++) {
        free(sc->axes[x].key);
        for (size_t k = 0; k < sc->axes[x].n_values; k++) free(sc->axes[x].values[k]);
        free(sc->axes[x].values);
    }
    free(sc->axes);
    for (size_t v = 0; v < sc->n_variants; v++) free(sc->variant_names[v]);
    free(sc->variant_names);
    for (size_t i = 0; i < sc->n_sets; i++) free(sc->sets[i]);
    free(sc->sets);
    free(sc->path);
    free(sc->base_dir);
    ini_fini(&sc->doc);
    memset(sc, 0, sizeof *sc);
}

int scenario_resolve(const scenario *sc, size_t variant, size_t point, resolved *out,
                     diag_list *diags)
{
    memset(out, 0, sizeof *out);
    if (!sc->priv || !sc->priv->keep) {
        dadd(diags, DIAG_ERROR, NULL, 0, NULL, -1, -1,
             "internal error: resolving a scenario that did not load");
        return -1;
    }
    if (variant >= sc->n_variants || point >= sc->n_points) {
        dadd(diags, DIAG_ERROR, NULL, 0, NULL, -1, -1,
             "internal error: no variant %zu, sweep point %zu in '%s'", variant, point,
             sc->path);
        return -1;
    }
    rctx c;
    rctx_init(&c, sc);
    int rc = resolve_into(sc, variant, point, out, &c, sc->priv->keep, diags);
    rctx_fini(&c);
    return rc;
}

void resolved_fini(resolved *r)
{
    opt_release(scenario_settings_options, &r->settings);
    free(r->settings_prov);
    for (size_t i = 0; i < r->n_stations; i++) {
        resolved_station *rs = &r->stations[i];
        if (rs->config) opt_release(rs->kind->options, rs->config);
        free(rs->config);
        free(rs->name);
        free(rs->prov);
    }
    free(r->stations);
    free(r->label);
    free(r->timeline);
    memset(r, 0, sizeof *r);
}

int resolved_build(const resolved *r, sim *s)
{
    const regions_def *rg = r->regions;
    if (rg && rg->n > 0) {
        const char *names[REGIONS_MAX];
        double rtt[REGIONS_MAX * REGIONS_MAX];
        for (size_t a = 0; a < rg->n; a++) {
            names[a] = rg->names[a];
            for (size_t b = 0; b < rg->n; b++) rtt[a * rg->n + b] = rg->rtt[a * REGIONS_MAX + b];
        }
        if (sim_set_regions(s, rg->n, names, rtt) != 0) return -1;
    }
    char *seen = xcalloc(r->n_stations ? r->n_stations : 1, 1);
    unsigned char *direct = xcalloc(r->n_stations ? r->n_stations : 1, 1);
    reach_from_clients(r, seen, direct);
    free(seen);
    for (size_t i = 0; i < r->n_stations; i++) {
        const resolved_station *rs = &r->stations[i];
        station *st = station_new(s, rs->kind, rs->name, rs->config);
        if (!st) {
            free(direct);
            return -1;
        }
        st->reached_directly = direct[i];
        if (rs->kind->placed) {
            const char *region = *(char *const *)((const char *)rs->config + rs->kind->region_offset);
            int idx = sim_region_index(s, region);
            if (idx < 0) { /* checked at load */
                free(direct);
                return -1;
            }
            st->region = (uint16_t)idx;
        }
    }
    free(direct);
    return 0;
}

/* ------------------------------------------------------------------ printing */

/* Where a value came from, as printed after '#'. */
static char *prov_text(const resolved *r, const provenance *pv)
{
    switch (pv->source) {
    case FROM_DEFAULT: return xstrdup("default");
    case FROM_FILE: return fmt("%s:%d", pv->file, pv->line);
    case FROM_VARIANT: return fmt("variant %s (%s:%d)", r->variant, pv->file, pv->line);
    case FROM_SWEEP: return fmt("sweep (%s:%d)", pv->file, pv->line);
    case FROM_SET: return xstrdup("--set");
    }
    return xstrdup("?");
}

/* Prints the rows of one table under its header, keys and values aligned. */
static void print_table(const resolved *r, FILE *out, const char *header, const opt_def *table,
                        const void *config, const provenance *prov)
{
    size_t n = opt_count(table);
    char **vals = xcalloc(n, sizeof *vals);
    size_t kw = 0, vw = 0;
    for (size_t i = 0; i < n; i++) {
        char buf[VALUE_LEN];
        int len = opt_format(&table[i], config, buf, sizeof buf);
        vals[i] = xstrdup(len < 0 ? "" : buf);
        size_t kl = strlen(table[i].name), vl = strlen(vals[i]);
        if (kl > kw) kw = kl;
        if (vl > vw && vl <= 24) vw = vl;
    }
    fprintf(out, "%s\n", header);
    for (size_t i = 0; i < n; i++) {
        char *from = prov_text(r, &prov[i]);
        fprintf(out, "  %-*s = %-*s  # %s%s\n", (int)kw, table[i].name, (int)vw, vals[i],
                from, vals[i][0] ? "" : ", not set");
        free(from);
        free(vals[i]);
    }
    free(vals);
}

void resolved_print(const resolved *r, FILE *out)
{
    fprintf(out, "# scenario %s, %s\n", r->settings.name ? r->settings.name : "",
            r->label ? r->label : "");
    print_table(r, out, "[scenario]", scenario_settings_options, &r->settings,
                r->settings_prov);
    for (size_t i = 0; i < r->n_stations; i++) {
        const resolved_station *rs = &r->stations[i];
        char *header = fmt("\n[%s]  type = %s", rs->name, rs->kind->name);
        print_table(r, out, header, rs->kind->options, rs->config, rs->prov);
        free(header);
    }
    if (r->regions && r->regions->n) {
        fprintf(out, "\n[regions]  (round trips)\n");
        for (size_t a = 0; a < r->regions->n; a++) {
            fprintf(out, "  %s =", r->regions->names[a]);
            for (size_t b = 0; b < r->regions->n; b++) {
                char t[64];
                units_format(r->regions->rtt[a * REGIONS_MAX + b], UNIT_TIME, t, sizeof t);
                fprintf(out, "%s %s %s", b ? "," : "", r->regions->names[b], t);
            }
            fprintf(out, "\n");
        }
    }
    if (r->n_timeline) fprintf(out, "\n[timeline]\n");
    for (size_t i = 0; i < r->n_timeline; i++) {
        const timeline_action *a = &r->timeline[i];
        char when[64];
        units_format(a->at, UNIT_TIME, when, sizeof when);
        char line[400];
        int n = timeline_is_network(a) && r->regions
                    ? snprintf(line, sizeof line, "  %s = %s %s %s", when, a->action,
                               r->regions->names[a->region_a], r->regions->names[a->region_b])
                    : snprintf(line, sizeof line, "  %s = %s %s%s%s", when, a->action, a->station,
                               a->part[0] ? "." : "", a->part);
        if (a->factor > 0 && n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n, " %.17gx", a->factor);
        fprintf(out, "%-40s  # %s\n", line, a->where);
    }
}
