/* report.c: named values and histograms written by stations. */
#include "sim/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void report_init(report *r) { memset(r, 0, sizeof *r); }

void report_fini(report *r)
{
    for (size_t i = 0; i < r->n_values; i++) free(r->values[i].name);
    for (size_t i = 0; i < r->n_hists; i++) {
        free(r->hists[i].name);
        free(r->hists[i].h);
    }
    free(r->values);
    free(r->hists);
    memset(r, 0, sizeof *r);
}

void report_clear(report *r)
{
    for (size_t i = 0; i < r->n_values; i++) free(r->values[i].name);
    for (size_t i = 0; i < r->n_hists; i++) {
        free(r->hists[i].name);
        free(r->hists[i].h);
    }
    r->n_values = 0;
    r->n_hists = 0;
}

static report_value *find_value(const report *r, const char *name)
{
    for (size_t i = 0; i < r->n_values; i++)
        if (strcmp(r->values[i].name, name) == 0) return &r->values[i];
    return NULL;
}

static report_value *new_value(report *r, const char *name, double v)
{
    if (r->n_values == r->cap_values) {
        size_t cap = r->cap_values ? 2 * r->cap_values : 16;
        report_value *grown = realloc(r->values, cap * sizeof *grown);
        if (!grown) return NULL;
        r->values = grown;
        r->cap_values = cap;
    }
    char *copy = strdup(name);
    if (!copy) return NULL;
    report_value *e = &r->values[r->n_values++];
    e->name = copy;
    e->value = v;
    return e;
}

int report_add(report *r, const char *name, double v)
{
    report_value *e = find_value(r, name);
    if (e) {
        e->value += v;
        return 0;
    }
    return new_value(r, name, v) ? 0 : -1;
}

int report_max(report *r, const char *name, double v)
{
    report_value *e = find_value(r, name);
    if (e) {
        if (v > e->value || isnan(e->value)) e->value = v;
        return 0;
    }
    return new_value(r, name, v) ? 0 : -1;
}

int report_hist_merge(report *r, const char *name, const hist *h)
{
    for (size_t i = 0; i < r->n_hists; i++) {
        if (strcmp(r->hists[i].name, name) == 0) {
            hist_merge(r->hists[i].h, h);
            return 0;
        }
    }
    if (r->n_hists == r->cap_hists) {
        size_t cap = r->cap_hists ? 2 * r->cap_hists : 8;
        report_hist *grown = realloc(r->hists, cap * sizeof *grown);
        if (!grown) return -1;
        r->hists = grown;
        r->cap_hists = cap;
    }
    hist *copy = malloc(sizeof *copy);
    char *nm = strdup(name);
    if (!copy || !nm) {
        free(copy);
        free(nm);
        return -1;
    }
    *copy = *h;
    r->hists[r->n_hists].name = nm;
    r->hists[r->n_hists].h = copy;
    r->n_hists++;
    return 0;
}

double report_get(const report *r, const char *name)
{
    const report_value *e = find_value(r, name);
    return e ? e->value : NAN;
}

const hist *report_get_hist(const report *r, const char *name)
{
    for (size_t i = 0; i < r->n_hists; i++)
        if (strcmp(r->hists[i].name, name) == 0) return r->hists[i].h;
    return NULL;
}
