/* labs.c: the list of teaching labs, read from the lab scenario files themselves. */
#include "cli/labs.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#ifndef DBSCALE_DATADIR
#define DBSCALE_DATADIR "/usr/local/share/dbscale"
#endif

#define LABS_DIR "scenarios/labs"
#define MODULE_MAX 99

/* The leading number of the file name (after the last '/'), or 0 when it has none. */
static int module_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int m = 0;
    for (int i = 0; i < 9 && isdigit((unsigned char)base[i]); i++) m = m * 10 + (base[i] - '0');
    return m;
}

/* Copies the text of a comment line (after its '#' or ';' marks and blanks, without
 * trailing blanks) into title. */
static void set_title(char *title, const char *line)
{
    while (*line == '#' || *line == ';') line++;
    while (*line == ' ' || *line == '\t') line++;
    size_t n = strlen(line);
    if (n > LAB_TITLE_MAX - 1) n = LAB_TITLE_MAX - 1;
    memcpy(title, line, n);
    title[n] = '\0';
    while (n > 0 && isspace((unsigned char)title[n - 1])) title[--n] = '\0';
}

int labs_read_entry(const char *path, lab_entry *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "%s", path);
    e->module = module_of(path);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[LAB_TITLE_MAX + 8];
    int at_line_start = 1;
    while (fgets(line, sizeof line, f)) {
        int whole = strchr(line, '\n') != NULL;
        int starts = at_line_start;
        at_line_start = whole;
        if (!starts) continue;   /* the rest of a long blank line */
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\n' || *p == '\r' || *p == '\0') continue;
        if (*p == '#' || *p == ';') set_title(e->title, p);
        break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "cannot read '%s': read error", path);
        return -1;
    }
    return 0;
}

static int by_module_then_title(const void *a, const void *b)
{
    const lab_entry *x = a, *y = b;
    if (x->module != y->module) return x->module < y->module ? -1 : 1;
    int c = strcmp(x->title, y->title);
    return c ? c : strcmp(x->path, y->path);
}

/* The lab sheet of a module in this source tree (docs/labs/NN-*.md), or "" when none. */
static void find_sheet(int module, char *sheet, size_t n)
{
    char pattern[64];
    glob_t g = {0};
    sheet[0] = '\0';
    snprintf(pattern, sizeof pattern, "docs/labs/%02d-*.md", module);
    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0) snprintf(sheet, n, "%s", g.gl_pathv[0]);
    globfree(&g);
}

static void print_labs(const lab_entry *e, size_t n, const char *dir, int in_tree, FILE *out)
{
    fprintf(out, "teaching labs in %s/%s\n", dir,
                 in_tree ? " (lab sheets and instructor keys in docs/labs/)" : "");
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || e[i].module != e[i - 1].module) {
            char sheet[LAB_PATH_MAX];
            sheet[0] = '\0';
            if (in_tree && e[i].module > 0) find_sheet(e[i].module, sheet, sizeof sheet);
            if (e[i].module > 0) fprintf(out, "\nmodule %d", e[i].module);
            else fprintf(out, "\nother labs");
            if (sheet[0]) fprintf(out, ", sheet %s", sheet);
            fprintf(out, "\n");
        }
        fprintf(out, "  %s\n", e[i].title[0] ? e[i].title : "(no title: the file does not open with a comment)");
        fprintf(out, "    dbscale run %s\n", e[i].path);
    }
}

int labs_command(int argc, char **argv, FILE *out)
{
    int only = 0;
    if (argc > 1) {
        fprintf(stderr, "dbscale: labs takes at most one module number\n");
        return 64;
    }
    if (argc == 1) {
        char *end;
        errno = 0;
        long m = strtol(argv[0], &end, 10);
        if (errno || end == argv[0] || *end || m < 1 || m > MODULE_MAX) {
            fprintf(stderr, "dbscale: module must be a number from 1 to %d, got '%s'\n", MODULE_MAX,
                    argv[0]);
            return 64;
        }
        only = (int)m;
    }
    glob_t g = {0};
    const char *dir = LABS_DIR;
    int in_tree = 1;
    if (glob(LABS_DIR "/*.ini", 0, NULL, &g) != 0) {
        globfree(&g);
        g = (glob_t){0};
        dir = DBSCALE_DATADIR "/" LABS_DIR;
        in_tree = 0;
        if (glob(DBSCALE_DATADIR "/" LABS_DIR "/*.ini", 0, NULL, &g) != 0) {
            globfree(&g);
            fprintf(stderr, "dbscale: no lab scenarios found in " LABS_DIR "/ or " DBSCALE_DATADIR
                            "/" LABS_DIR "/\n");
            return 66;
        }
    }
    lab_entry *e = calloc(g.gl_pathc, sizeof *e);
    if (!e) {
        globfree(&g);
        fprintf(stderr, "dbscale: out of memory listing the labs\n");
        return 70;
    }
    size_t n = 0;
    int code = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char err[LAB_PATH_MAX + 128];
        if (labs_read_entry(g.gl_pathv[i], &e[n], err, sizeof err) != 0) {
            fprintf(stderr, "dbscale: %s\n", err);
            code = 66;
            continue;
        }
        if (!only || e[n].module == only) n++;
    }
    globfree(&g);
    if (n == 0 && code == 0) {
        fprintf(stderr, "dbscale: no lab for module %d in %s/\n", only, dir);
        code = 66;
    }
    if (n > 0) {
        qsort(e, n, sizeof *e, by_module_then_title);
        print_labs(e, n, dir, in_tree, out);
    }
    free(e);
    return code;
}
