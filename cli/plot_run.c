/* plot_run.c: runs gnuplot on the scripts of an output directory (see plot.h). */
#include "cli/plot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_NO_INPUT 66 /* dir cannot be read */
#define EXIT_INTERNAL 70 /* a script failed */

/* The gnuplot executable on PATH, in a malloc'd string, or NULL. */
static char *find_gnuplot(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path) return NULL;
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t n = len + sizeof "/gnuplot" + 1;
        char *cand = malloc(n);
        if (!cand) return NULL;
        if (len == 0) snprintf(cand, n, "./gnuplot"); /* an empty entry means "." */
        else snprintf(cand, n, "%.*s/gnuplot", (int)len, p);
        if (access(cand, X_OK) == 0) {
            /* a relative PATH entry would not survive the chdir into the output dir */
            char *abs = cand[0] == '/' ? NULL : realpath(cand, NULL);
            if (abs) {
                free(cand);
                cand = abs;
            }
            return cand;
        }
        free(cand);
        if (!end) return NULL;
        p = end + 1;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.gp names in dir, sorted. Returns the count, or -1 (errno set). */
static long list_scripts(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gp") != 0) continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            char **nv = realloc(v, nc * sizeof *nv);
            if (!nv) break;
            v = nv;
            cap = nc;
        }
        if (!(v[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    if (n) qsort(v, n, sizeof *v, by_name);
    *out = v;
    return (long)n;
}

/* Copies what gnuplot wrote to its stderr file to our stderr. */
static void copy_out(FILE *from)
{
    char buf[4096];
    size_t k;
    rewind(from);
    while ((k = fread(buf, 1, sizeof buf, from)) > 0) fwrite(buf, 1, k, stderr);
}

/* Runs `gnuplot name` in dir. Returns 0 when it exited 0, else -1 with its stderr (and
 * what went wrong) printed. */
static int run_one(const char *gnuplot, const char *dir, const char *name)
{
    FILE *err = tmpfile();
    if (!err) {
        fprintf(stderr, "dbscale: cannot run gnuplot on '%s/%s': %s\n", dir, name,
                strerror(errno));
        return -1;
    }
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        dup2(fileno(err), STDERR_FILENO);
        if (chdir(dir) != 0) _exit(126);
        execl(gnuplot, "gnuplot", name, (char *)NULL);
        _exit(127);
    }
    int status = 0, rc = -1;
    if (pid < 0) {
        fprintf(stderr, "dbscale: cannot run gnuplot on '%s/%s': %s\n", dir, name,
                strerror(errno));
    } else if (waitpid(pid, &status, 0) < 0) {
        fprintf(stderr, "dbscale: cannot run gnuplot on '%s/%s': %s\n", dir, name,
                strerror(errno));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        rc = 0;
    } else {
        fprintf(stderr, "dbscale: gnuplot failed on '%s/%s' (%s %d):\n", dir, name,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        copy_out(err);
    }
    fclose(err);
    return rc;
}

int plot_run(const char *dir, int quiet)
{
    char **names = NULL;
    long n = list_scripts(dir, &names);
    if (n < 0) {
        fprintf(stderr, "dbscale: cannot read '%s': %s\n", dir, strerror(errno));
        return EXIT_NO_INPUT;
    }
    int rc = 0;
    char *gnuplot = n ? find_gnuplot() : NULL;
    if (n && !gnuplot) {
        if (!quiet)
            fputs("dbscale: gnuplot not found: CSVs and plot scripts are written; to draw the "
                  "plots: sudo apt-get install gnuplot-nox\n",
                  stderr);
    } else {
        for (long i = 0; i < n; i++)
            if (run_one(gnuplot, dir, names[i]) != 0) rc = EXIT_INTERNAL;
    }
    for (long i = 0; i < n; i++) free(names[i]);
    free(names);
    free(gnuplot);
    return rc;
}
