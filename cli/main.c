/* main.c: the command line: run, check, help, validate, plot, labs; exit codes per
 * sysexits (0 ok, 64 usage, 65 bad scenario, 66 missing input, 73 cannot write output,
 * 70 internal error). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/advise.h"
#include "cli/diag.h"
#include "cli/help.h"
#include "cli/labs.h"
#include "cli/mpi_run.h"
#include "cli/memlimit.h"
#include "cli/output.h"
#include "cli/parts.h"
#include "cli/plot.h"
#include "cli/runner.h"
#include "cli/scenario.h"
#include "cli/validate.h"
#include "sim/units.h"
#include "sim/version.h"

enum { EXIT_OK = 0, EXIT_USAGE = 64, EXIT_DATAERR = 65, EXIT_NOINPUT = 66,
       EXIT_SOFTWARE = 70, EXIT_CANTCREAT = 73 };

static const char usage_text[] =
    "usage: dbscale run FILE... [-o DIR] [--set KEY=VALUE]... [--seed N] [--replications N]\n"
    "                   [--jobs N] [--max-memory SIZE] [--quiet] [--no-plots]\n"
    "       dbscale check FILE...        parse, validate, print the resolved scenario\n"
    "       dbscale help [KIND]          station kinds, or one kind's keys\n"
    "       dbscale validate [FILE...]   simulation against queueing theory\n"
    "       dbscale labs [MODULE]        the teaching labs: title, module, run command\n"
    "       dbscale plot DIR             (re)draw the plots of a finished run\n"
    "       dbscale run FILE --part I/N -o DIR   one slice of the runs (I from 0)\n"
    "       dbscale merge DIR... -o OUT  join the slices into the outputs of the whole run\n"
    "       dbscale advise FILE --slo EXPR  walk the scaling ladder to the cheapest setup meeting it\n"
    "       dbscale --help | --version\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dbscale: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

/* Parses a whole positive number for an option; -1 when it is not one. */
static long parse_positive(const char *s, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > max) return -1;
    return v;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

typedef struct cli_run {
    const char **files;
    size_t n_files;
    const char *out_dir;
    const char **sets;
    size_t n_sets;
    run_options ro;
    int plots;
    int mpi_ranks;     /* > 1: running under mpirun, one slice per rank */
} cli_run;

/* Loads a scenario, printing its diagnostics. Returns 0 or an exit code. */
static int load(scenario *sc, const char *file, const char *const *sets, size_t n_sets)
{
    diag_list d;
    diag_init(&d);
    int rc = scenario_load(sc, file, sets, n_sets, &d);
    diag_print(&d, stderr);
    size_t errors = diag_errors(&d);
    diag_fini(&d);
    if (rc == -2) {
        fprintf(stderr, "dbscale: cannot read '%s': %s\n", file, strerror(ENOENT));
        return EXIT_NOINPUT;
    }
    if (rc != 0 || errors) {
        fprintf(stderr, "dbscale: %s: %zu error%s; nothing was run\n", file, errors, errors == 1 ? "" : "s");
        return EXIT_DATAERR;
    }
    return 0;
}

static int run_file(const cli_run *c, const char *file)
{
    scenario sc;
    int code = load(&sc, file, c->sets, c->n_sets);
    if (code) return code;
    results res;
    code = runner_execute(&sc, &c->ro, &res);
    if (c->mpi_ranks > 1) {
        /* Every rank ran its slice; rank 0 gathers them and alone writes the outputs. */
        code = mpi_run_gather(&res, code);
        if (mpi_run_rank() != 0) {
            results_fini(&res);
            scenario_fini(&sc);
            return code;
        }
    }
    if (code == 0) {
        char dir[4096];
        if (c->out_dir && c->n_files == 1) snprintf(dir, sizeof dir, "%s", c->out_dir);
        else snprintf(dir, sizeof dir, "%s/%s", c->out_dir ? c->out_dir : "out", res.scenario_name);
        if (c->ro.part_count > 1 && c->mpi_ranks <= 1) {
            code = parts_write(&res, c->ro.part_index, c->ro.part_count, dir);
            if (code == 0 && !c->ro.quiet)
                printf("dbscale: part %d of %d written to %s/part-%d-of-%d.bin; join the parts with "
                       "'dbscale merge DIR... -o OUT'\n", c->ro.part_index, c->ro.part_count, dir,
                       c->ro.part_index, c->ro.part_count);
        } else {
            code = output_write(&res, dir, c->plots, c->ro.quiet);
            if (code == 0 && !c->ro.quiet) printf("dbscale: report written to %s/report.md\n", dir);
        }
    }
    results_fini(&res);
    scenario_fini(&sc);
    return code;
}

static int mpi_ranks = 1;   /* processes in the MPI job (1 without MPI) */

static int cmd_run(int argc, char **argv)
{
    cli_run c = {.ro = {.jobs = default_jobs(), .part_count = 1}, .plots = 1};
    int jobs_given = 0;
    double max_memory = 0.0;
    c.files = calloc((size_t)argc, sizeof *c.files);
    c.sets = calloc((size_t)argc * 2 + 2, sizeof *c.sets);
    char **owned = calloc((size_t)argc + 2, sizeof *owned);
    size_t n_owned = 0;
    int code = 0;
    if (!c.files || !c.sets || !owned) return EXIT_SOFTWARE;
    for (int i = 0; i < argc && code == 0; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!val) code = usage_error("%s needs a directory", a);
            else c.out_dir = val, i++;
        } else if (strcmp(a, "--set") == 0) {
            if (!val || !strchr(val, '=')) code = usage_error("--set needs KEY=VALUE, got '%s'", val ? val : "");
            else c.sets[c.n_sets++] = val, i++;
        } else if (strncmp(a, "--set=", 6) == 0) {
            c.sets[c.n_sets++] = a + 6;
        } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--replications") == 0) {
            if (!val || parse_positive(val, 2147483647L) < 0) {
                code = usage_error("%s needs a positive whole number", a);
            } else {
                char *s = malloc(strlen(val) + 32);
                if (!s) return EXIT_SOFTWARE;
                sprintf(s, "scenario.%s=%s", a + 2, val);
                owned[n_owned++] = s;
                c.sets[c.n_sets++] = s;
                i++;
            }
        } else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) {
            long j = val ? parse_positive(val, 4096) : -1;
            if (j < 0) code = usage_error("%s needs a whole number from 1 to 4096", a);
            else c.ro.jobs = (int)j, jobs_given = 1, i++;
        } else if (strcmp(a, "--max-memory") == 0) {
            char err[200];
            if (!val || units_parse(val, UNIT_SIZE, &max_memory, err, sizeof err) != 0 ||
                max_memory < 16.0 * 1024 * 1024)
                code = usage_error("--max-memory needs a size of at least 16MB, such as 4GB, got '%s'",
                                   val ? val : "");
            else i++;
        } else if (strcmp(a, "--part") == 0) {
            int pi, pn;
            char tail;
            if (!val || sscanf(val, "%d/%d%c", &pi, &pn, &tail) != 2 || pn < 1 || pn > 4096 ||
                pi < 0 || pi >= pn)
                code = usage_error("--part needs I/N with 0 <= I < N <= 4096, got '%s'", val ? val : "");
            else c.ro.part_index = pi, c.ro.part_count = pn, i++;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            c.ro.quiet = 1;
        } else if (strcmp(a, "--no-plots") == 0) {
            c.plots = 0;
        } else if (a[0] == '-' && a[1]) {
            code = usage_error("unknown option '%s' for 'run'", a);
        } else {
            c.files[c.n_files++] = a;
        }
    }
    if (code == 0 && c.n_files == 0) code = usage_error("%s", "run needs a scenario file");
    c.mpi_ranks = mpi_ranks;
    if (code == 0 && mpi_ranks > 1) {
        if (c.ro.part_count > 1) code = usage_error("%s", "--part and mpirun do not mix");
        c.ro.part_index = mpi_run_rank();
        c.ro.part_count = mpi_ranks;
        if (!jobs_given) c.ro.jobs = 1;   /* one process per rank unless asked */
        if (mpi_run_rank() != 0) c.ro.quiet = 1;
    }
    if (code == 0 && c.ro.part_count > 1 && c.n_files > 1)
        code = usage_error("%s", "--part runs one scenario file at a time");
    /* Every simulation process gets a memory ceiling: a scenario too big for the machine
     * fails with "out of memory ..." instead of exhausting it. */
    if (code == 0 && memlimit_apply(max_memory > 0 ? max_memory : memlimit_default(c.ro.jobs)) != 0 &&
        max_memory > 0)
        fprintf(stderr, "dbscale: warning: --max-memory is not enforced in this build "
                        "(sanitizers reserve the address space it limits)\n");
    for (size_t f = 0; f < c.n_files && code == 0; f++) code = run_file(&c, c.files[f]);
    for (size_t i = 0; i < n_owned; i++) free(owned[i]);
    free(owned);
    free(c.files);
    free(c.sets);
    return code;
}

static int cmd_check(int argc, char **argv)
{
    if (argc == 0) return usage_error("%s", "check needs a scenario file");
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t n_sets = 0;
    int code = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) sets[n_sets++] = argv[++i];
    }
    for (int i = 0; i < argc && code == 0; i++) {
        if (strcmp(argv[i], "--set") == 0) { i++; continue; }
        if (argv[i][0] == '-') { code = usage_error("unknown option '%s' for 'check'", argv[i]); break; }
        scenario sc;
        code = load(&sc, argv[i], sets, n_sets);
        if (code) break;
        diag_list d;
        diag_init(&d);
        for (size_t v = 0; v < sc.n_variants && code == 0; v++) {
            resolved r;
            if (scenario_resolve(&sc, v, 0, &r, &d) != 0) {
                diag_print(&d, stderr);
                code = EXIT_DATAERR;
                break;
            }
            resolved_print(&r, stdout);
            resolved_fini(&r);
        }
        if (code == 0 && sc.n_axes) {
            printf("# sweep: %zu points over", sc.n_points);
            for (size_t a = 0; a < sc.n_axes; a++) printf(" %s (%zu values)", sc.axes[a].key, sc.axes[a].n_values);
            printf("\n");
        }
        if (code == 0)
            printf("# ok: %zu variant%s x %zu point%s\n", sc.n_variants, sc.n_variants == 1 ? "" : "s",
                   sc.n_points, sc.n_points == 1 ? "" : "s");
        diag_fini(&d);
        scenario_fini(&sc);
    }
    free(sets);
    return code;
}

static int cmd_merge(int argc, char **argv)
{
    const char *out_dir = NULL;
    int plots = 1, quiet = 0, code = 0;
    char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t n = 0;
    if (!dirs) return EXIT_SOFTWARE;
    for (int i = 0; i < argc && code == 0; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc) code = usage_error("%s needs a directory", argv[i]);
            else out_dir = argv[++i];
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            plots = 0;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if (argv[i][0] == '-') {
            code = usage_error("unknown option '%s' for 'merge'", argv[i]);
        } else {
            dirs[n++] = argv[i];
        }
    }
    if (code == 0 && (!n || !out_dir)) code = usage_error("%s", "merge needs part directories and -o OUT");
    if (code == 0) {
        results res;
        code = parts_merge(dirs, n, &res);
        if (code == 0) code = output_write(&res, out_dir, plots, quiet);
        if (code == 0 && !quiet) printf("dbscale: report written to %s/report.md\n", out_dir);
        results_fini(&res);
    }
    free(dirs);
    return code;
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    mpi_ranks = mpi_run_start(&argc, &argv);
    int code = dispatch(argc, argv);
    mpi_run_stop();
    return code;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("dbscale %s\n", DBSCALE_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "merge") == 0) return cmd_merge(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0) return help_command(argc - 2, argv + 2, stdout);
    if (strcmp(cmd, "labs") == 0) return labs_command(argc - 2, argv + 2, stdout);
    if (strcmp(cmd, "validate") == 0) return validate_command(argc - 2, argv + 2);
    if (strcmp(cmd, "advise") == 0) return advise_command(argc - 2, argv + 2);
    if (strcmp(cmd, "plot") == 0) {
        if (argc != 3) return usage_error("%s", "plot needs one output directory");
        if (access(argv[2], R_OK) != 0) {
            fprintf(stderr, "dbscale: cannot read '%s': %s\n", argv[2], strerror(errno));
            return EXIT_NOINPUT;
        }
        return plot_run(argv[2], 0);
    }
    return usage_error("unknown command '%s'", cmd);
}
