/* timeline.c: parsing timeline lines into actions. */
#include "cli/timeline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/diag.h"
#include "sim/units.h"

/* Actions and whether they take a number (1), must take one (2) or none (0). */
static const struct {
    const char *name;
    int arg;
} actions[] = {
    {"crash", 0},         {"recover", 0},      {"slow", 2},        {"add-replica", 0},
    {"add-shard", 0},     {"drop-partition", 1}, {"delete-rows", 1}, {"flush", 0},
    {"partition", 3},     {"heal", 3},
};

const char *const timeline_action_names[] = {
    "crash", "recover", "slow", "add-replica", "add-shard", "drop-partition", "delete-rows",
    "flush", "partition", "heal", NULL,
};

#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* Next whitespace-separated word of s at *pos (up to a comma). Returns its length. */
static size_t next_word(const char *s, size_t *pos)
{
    while (s[*pos] == ' ' || s[*pos] == '\t') (*pos)++;
    size_t start = *pos;
    while (s[*pos] && s[*pos] != ',' && !isspace((unsigned char)s[*pos])) (*pos)++;
    return *pos - start;
}

static void fail_at(char *err, size_t errlen, int *col, int *len, size_t at, size_t n,
                    const char *fmt, const char *word)
{
    snprintf(err, errlen, fmt, word);
    if (col) *col = (int)at;
    if (len) *len = (int)n;
}

int timeline_is_network(const timeline_action *a)
{
    return strcmp(a->action, "partition") == 0 || strcmp(a->action, "heal") == 0;
}

/* Reads one region name at *pos into *out (index). 0, or -1 with the message. */
static int region_word(const char *text, size_t *pos, const char *const *regions, size_t n,
                       int *out, char *err, size_t errlen, int *col, int *len)
{
    size_t wl = next_word(text, pos), start = *pos - wl;
    char word[128];
    snprintf(word, sizeof word, "%.*s", (int)wl, text + start);
    if (wl == 0) {
        fail_at(err, errlen, col, len, start, 1, "%s", "partition and heal need two regions, as in 'partition us-east eu-west'");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(regions[i], word) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    const char *near = n ? diag_suggest(word, regions, n) : NULL;
    char msg[256];
    snprintf(msg, sizeof msg, "unknown region '%%s'%s%s%s", n == 0 ? " (no [regions] section)" : "",
             near ? "\ndid you mean '" : "", near ? near : "");
    if (near) strncat(msg, "'?", sizeof msg - strlen(msg) - 1);
    fail_at(err, errlen, col, len, start, wl, msg, word);
    return -1;
}

int timeline_parse(const char *when, const char *text, const char *const *stations,
                   size_t n_stations, const char *const *regions, size_t n_regions,
                   timeline_action *out, size_t max, char *err, size_t errlen, int *col,
                   int *len)
{
    double at;
    char inner[200];
    if (col) *col = -1;
    if (len) *len = 0;
    if (units_parse(when, UNIT_TIME, &at, inner, sizeof inner) != 0) {
        snprintf(err, errlen, "bad timeline time '%s': %s", when, inner);
        return -1;
    }
    if (at < 0) {
        snprintf(err, errlen, "timeline time '%s' is negative", when);
        return -1;
    }
    size_t pos = 0, n = 0;
    for (;;) {
        char word[256];
        size_t start, wl;
        if (n == max) {
            snprintf(err, errlen, "too many actions at %s (at most %zu)", when, max);
            return -1;
        }
        timeline_action *a = &out[n];
        memset(a, 0, sizeof *a);
        a->at = at;
        /* action */
        wl = next_word(text, &pos);
        start = pos - wl;
        if (wl == 0) {
            fail_at(err, errlen, col, len, start, 1, "expected an action (%s)",
                    "crash, recover, slow, add-replica, add-shard, drop-partition, delete-rows, flush");
            return -1;
        }
        snprintf(word, sizeof word, "%.*s", (int)wl, text + start);
        size_t k = 0;
        while (k < N_ACTIONS && strcmp(actions[k].name, word) != 0) k++;
        if (k == N_ACTIONS) {
            const char *near = diag_suggest(word, timeline_action_names, N_ACTIONS);
            char msg[256];
            snprintf(msg, sizeof msg, "unknown timeline action '%%s'%s%s%s", near ? "\ndid you mean '" : "",
                     near ? near : "", near ? "'?" : "");
            fail_at(err, errlen, col, len, start, wl, msg, word);
            return -1;
        }
        snprintf(a->action, sizeof a->action, "%s", actions[k].name);
        if (actions[k].arg == 3) {
            if (region_word(text, &pos, regions, n_regions, &a->region_a, err, errlen, col, len) ||
                region_word(text, &pos, regions, n_regions, &a->region_b, err, errlen, col, len))
                return -1;
            if (a->region_a == a->region_b) {
                snprintf(err, errlen, "'%s' needs two different regions", a->action);
                return -1;
            }
            goto next_action;
        }
        /* target */
        wl = next_word(text, &pos);
        start = pos - wl;
        if (wl == 0) {
            fail_at(err, errlen, col, len, start, 1, "'%s' needs a target station", a->action);
            return -1;
        }
        snprintf(word, sizeof word, "%.*s", (int)wl, text + start);
        size_t best = 0;
        const char *best_name = NULL;
        for (size_t i = 0; i < n_stations; i++) {
            size_t l = strlen(stations[i]);
            if (l > best && strncmp(word, stations[i], l) == 0 && (word[l] == '\0' || word[l] == '.')) {
                best = l;
                best_name = stations[i];
            }
        }
        if (!best_name) {
            char first[256];
            snprintf(first, sizeof first, "%.*s", (int)strcspn(word, "."), word);
            const char *near = diag_suggest(first, stations, n_stations);
            char msg[256];
            snprintf(msg, sizeof msg, "unknown station '%%s' in timeline%s%s%s", near ? "\ndid you mean '" : "",
                     near ? near : "", near ? "'?" : "");
            fail_at(err, errlen, col, len, start, wl, msg, word);
            return -1;
        }
        snprintf(a->station, sizeof a->station, "%s", best_name);
        snprintf(a->part, sizeof a->part, "%s", word[best] == '.' ? word + best + 1 : "");
        /* argument */
        size_t save = pos;
        wl = next_word(text, &pos);
        start = pos - wl;
        if (wl > 0) {
            if (!actions[k].arg) {
                fail_at(err, errlen, col, len, start, wl, "'%s' takes no argument", a->action);
                return -1;
            }
            snprintf(word, sizeof word, "%.*s", (int)wl, text + start);
            size_t wlen = strlen(word);
            if (wlen > 1 && word[wlen - 1] == 'x') word[wlen - 1] = '\0';
            char *end;
            double v = strtod(word, &end);
            if (*end || end == word || !(v > 0) || v > 1e9) {
                fail_at(err, errlen, col, len, start, wl,
                        "bad argument '%s' (expected a positive number, e.g. 4x)", text[start] ? word : "");
                return -1;
            }
            a->factor = v;
        } else {
            pos = save;
            if (actions[k].arg == 2) {
                fail_at(err, errlen, col, len, start, 1, "'%s' needs a factor, e.g. 'slow db 4x'", a->action);
                return -1;
            }
        }
    next_action:
        n++;
        while (text[pos] == ' ' || text[pos] == '\t') pos++;
        if (text[pos] == '\0') break;
        if (text[pos] != ',') {
            wl = next_word(text, &pos);
            fail_at(err, errlen, col, len, pos - wl, wl ? wl : 1,
                    "unexpected '%s' (separate several actions with commas)", "");
            snprintf(err, errlen, "unexpected '%.*s' (separate several actions with commas)",
                     (int)wl, text + pos - wl);
            return -1;
        }
        pos++;
    }
    return (int)n;
}
