/* output.c: writes a run's outputs into a temporary directory and renames it into place
 * (see output.h). Only this file touches the file system for the outputs. */
#include "cli/output.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli/capacity.h"
#include "cli/plot.h"
#include "cli/report_md.h"

typedef int (*csv_writer)(const results *res, FILE *f);

static const struct {
    const char *name;   /* file name */
    csv_writer write;   /* its writer */
} csv_files[] = {
    {"summary.csv", output_write_summary},
    {"replications.csv", output_write_replications},
    {"stations.csv", output_write_stations},
    {"timeseries.csv", output_write_timeseries},
    {"latency.csv", output_write_latency},
    {"regions.csv", output_write_regions},
    {"station_metrics.csv", output_write_station_metrics},
    {"capacity.csv", capacity_write_csv},
};

/* "a/b" joined into a fresh string, or NULL. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static char *concat(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s", a, b);
    return p;
}

void output_cannot_write(const char *path, int err)
{
    fprintf(stderr, "dbscale: cannot write '%s': %s\n", path, strerror(err));
}

/* Creates every missing parent directory of `path` (not path itself). 0, or -1 with the
 * failing directory reported. */
static int make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p) {
        output_cannot_write(path, ENOMEM);
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        struct stat st;
        if (stat(p, &st) != 0) {
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                output_cannot_write(p, errno);
                free(p);
                return -1;
            }
        } else if (!S_ISDIR(st.st_mode)) {
            output_cannot_write(p, ENOTDIR);
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

/* Removes path and, when it is a directory, everything below it (symbolic links are
 * removed, never followed). Best effort: returns 0, or -1 when something stayed. */
static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) return unlink(path);
    DIR *d = opendir(path);
    int rc = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char *sub = join(path, e->d_name);
            if (!sub || remove_tree(sub) != 0) rc = -1;
            free(sub);
        }
        closedir(d);
    }
    return rmdir(path) == 0 ? rc : -1;
}

/* Writes one file of the output into dir. 0, or -1 after reporting. */
static int write_file(const results *res, const char *dir, const char *name, csv_writer w)
{
    char *path = join(dir, name);
    if (!path) {
        output_cannot_write(dir, ENOMEM);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    int rc = f ? w(res, f) : -1;
    int err = errno;
    if (f && fclose(f) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    if (rc) output_cannot_write(path, err ? err : EIO);
    free(path);
    return rc;
}

static int write_report(const results *res, FILE *f) { return report_md_write(res, f); }

/* Everything into the temporary directory `tmp`. 0, or -1 after reporting. */
static int write_all(const results *res, const char *tmp)
{
    for (size_t i = 0; i < sizeof csv_files / sizeof csv_files[0]; i++)
        if (write_file(res, tmp, csv_files[i].name, csv_files[i].write)) return -1;
    if (plot_write_scripts(res, tmp) != 0) return -1;
    return write_file(res, tmp, "report.md", write_report);
}

/* mkdtemp gives 0700; the outputs get the usual permissions (0777 less the umask). */
static void usual_permissions(const char *path)
{
    mode_t mask = umask(0);
    umask(mask);
    (void)chmod(path, 0777 & ~mask);
}

/* Moves tmp to dir, replacing an existing dir: rename the old one aside (into an empty
 * directory made by mkdtemp, which rename may replace), rename the new one in, remove the
 * old one. 0, or -1 after reporting (the old dir put back). */
static int move_into_place(const char *tmp, const char *dir)
{
    if (rename(tmp, dir) == 0) return 0;
    if (errno != EEXIST && errno != ENOTEMPTY) {
        output_cannot_write(dir, errno);
        return -1;
    }
    char *old = concat(dir, ".old-XXXXXX");
    if (!old || !mkdtemp(old)) {
        output_cannot_write(dir, old ? errno : ENOMEM);
        free(old);
        return -1;
    }
    if (rename(dir, old) != 0) {
        output_cannot_write(dir, errno);
        rmdir(old);
        free(old);
        return -1;
    }
    if (rename(tmp, dir) != 0) {
        output_cannot_write(dir, errno);
        (void)rename(old, dir);
        free(old);
        return -1;
    }
    if (remove_tree(old) != 0)
        fprintf(stderr, "dbscale: cannot remove '%s': %s\n", old, strerror(errno));
    free(old);
    return 0;
}

/* output_write on a directory name without trailing slashes. */
static int write_into(const results *res, const char *dir, int plots, int quiet)
{
    if (make_parents(dir) != 0) return OUTPUT_EXIT_CANNOT_WRITE;
    char *tmp = concat(dir, ".tmp-XXXXXX");
    if (!tmp) {
        output_cannot_write(dir, ENOMEM);
        return OUTPUT_EXIT_CANNOT_WRITE;
    }
    if (!mkdtemp(tmp)) {
        output_cannot_write(tmp, errno);
        free(tmp);
        return OUTPUT_EXIT_CANNOT_WRITE;
    }
    usual_permissions(tmp);

    int plot_rc = 0;
    if (write_all(res, tmp) != 0) {
        remove_tree(tmp);
        free(tmp);
        return OUTPUT_EXIT_CANNOT_WRITE;
    }
    if (plots) plot_rc = plot_run(tmp, quiet);
    if (move_into_place(tmp, dir) != 0) {
        remove_tree(tmp);
        free(tmp);
        return OUTPUT_EXIT_CANNOT_WRITE;
    }
    free(tmp);
    return plot_rc ? OUTPUT_EXIT_INTERNAL : 0;
}

int output_write(const results *res, const char *dir_arg, int plots, int quiet)
{
    char *dir = strdup(dir_arg);
    if (!dir) {
        output_cannot_write(dir_arg, ENOMEM);
        return OUTPUT_EXIT_CANNOT_WRITE;
    }
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') dir[--len] = '\0'; /* "out/x/" names "out/x" */
    int rc = write_into(res, dir, plots, quiet);
    free(dir);
    return rc;
}
