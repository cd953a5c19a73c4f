/* check_advise.c: `dbscale advise` (cli/advise.h) on the example scenarios and on bad input.
 *
 * The examples under scenarios/advise/ have fixed seeds, so the walk is deterministic:
 * each test names the first ladder step that meets the example's SLO and the cheapest
 * passing configuration, exactly, with its cost from the cost model. The margins are
 * wide on purpose (a passing step leaves its busiest node 20-65% busy, a failing one
 * saturates it), so a correct model gives these answers; a broken ladder (a step applied
 * to the wrong station, a change the candidate text loses, a sweep that overrides the
 * ladder's value) gives another step or none. The written recommended.ini must load and
 * resolve to the change (a pooler with 32 connections, a router with 2 shards, ...).
 * Also: a scenario that already meets its SLO stops at the baseline with no step; an
 * impossible SLO walks the ladder and exits 1 with no file written; bad input exits 64,
 * 65 or 66; two walks print the same text; include paths for recommended.ini.
 * Under DBSCALE_QUICK (sanitizers, valgrind) the slower walks are left out: two examples
 * (write-heavy and scan-heavy: the router, partitions, alternatives, pruning, the files),
 * the baseline that meets, the impossible SLO and bad input still run. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/advise.h"
#include "cli/diag.h"
#include "cli/scenario.h"
#include "sim/options.h"
#include "tests/test_util.h"

/* ---- helpers ------------------------------------------------------------------------- */

static char tmp_root[64];

static void make_tmp(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/dbscale-advise-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_root));
}

/* Removes what advise may write into dir, then dir, then the root. */
static void remove_out(const char *dir)
{
    static const char *files[] = {"recommended.ini", "alternative-2.ini", "alternative-3.ini"};
    char path[512];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

typedef struct walk {
    int code;              /* exit code */
    advise_outcome res;    /* outcome */
    char *out;             /* printed text (malloc'd) */
    char dir[256];         /* output directory */
} walk;

static void run_advise(walk *w, const char *file, const char *slo, const char *const *sets,
                       size_t n_sets, const char *tag)
{
    snprintf(w->dir, sizeof w->dir, "%s/%s", tmp_root, tag);
    advise_options o = {.file = file, .slo = slo, .sets = sets, .n_sets = n_sets,
                        .out_dir = w->dir};
    size_t len = 0;
    w->out = NULL;
    FILE *f = open_memstream(&w->out, &len);
    ck_assert_ptr_nonnull(f);
    w->code = advise_run(&o, f, &w->res);
    fclose(f);
}

static void walk_fini(walk *w)
{
    remove_out(w->dir);
    rmdir(tmp_root);
    free(w->out);
}

/* The value of `key` of station `name` in the scenario at path, formatted; "" if absent. */
static void resolved_value(const char *path, const char *name, const char *key, char *buf,
                           size_t n)
{
    scenario sc;
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(scenario_load(&sc, path, NULL, 0, &d), 0);
    ck_assert_int_eq(diag_errors(&d), 0);
    resolved r;
    ck_assert_int_eq(scenario_resolve(&sc, 0, 0, &r, &d), 0);
    buf[0] = '\0';
    for (size_t i = 0; i < r.n_stations; i++) {
        if (strcmp(r.stations[i].name, name) != 0) continue;
        const opt_def *row = opt_find(r.stations[i].kind->options, key);
        ck_assert_ptr_nonnull(row);
        opt_format(row, r.stations[i].config, buf, n);
    }
    resolved_fini(&r);
    scenario_fini(&sc);
    diag_fini(&d);
}

/* ---- the examples -------------------------------------------------------------------- */

static const struct example {
    const char *file;        /* scenario */
    const char *first_pass;  /* first ladder step meeting the SLO */
    const char *best;        /* cheapest passing configuration */
    double best_cost;        /* its cost */
    const char *station, *key, *value;  /* in recommended.ini, resolved */
    const char *next;        /* app.next in recommended.ini */
    int quick;               /* run under DBSCALE_QUICK too */
} examples[] = {
    /* 9900 ms of CPU a second on 8 cores: one replica takes all the reads and saturates,
     * two take half each (51% busy); a 16-core node (cost 2) beats them (cost 3). */
    {"scenarios/advise/read-heavy.ini", "replicas 2", "cores x2", 2.0, "db", "cores", "16", "db", 0},
    /* zipf(0.99) reads: a cache of 10% of the keys takes most of them off the node. */
    {"scenarios/advise/hot-keys.ini", "cache", "cache", 1.25, "cache", "capacity", "100000", "cache", 0},
    /* 1000 users against max_connections 200 with USL contention: a 32-connection pooler. */
    {"scenarios/advise/connection-storm.ini", "pooler", "pooler", 1.25, "pool", "pool_size", "32", "pool", 0},
    /* 17 cores of writes: x4 cores is not enough, 2 shards of the 16-core node are. */
    {"scenarios/advise/write-heavy.ini", "shards 2", "shards 2", 8.0, "shards", "shards", "2", "shards", 1},
    /* Scans of the whole table: 8 cores pass first on the ladder, 12 range partitions on
     * the same node are cheaper. */
    {"scenarios/advise/scan-heavy.ini", "cores x2", "partitions 12", 1.0, "db", "partitions", "12", "db", 1},
};
#define N_EXAMPLES (sizeof examples / sizeof examples[0])

START_TEST(test_example)
{
    const struct example *e = &examples[_i];
    if (test_quick() && !e->quick) return;
    make_tmp();
    walk w;
    run_advise(&w, e->file, NULL, NULL, 0, "ex");
    ck_assert_msg(w.code == 0, "%s: exit %d\n%s", e->file, w.code, w.out);
    ck_assert_int_eq(w.res.already_meets, 0);
    ck_assert_msg(strcmp(w.res.first_pass, e->first_pass) == 0, "%s: first pass '%s', want '%s'\n%s",
                  e->file, w.res.first_pass, e->first_pass, w.out);
    ck_assert_msg(strcmp(w.res.best, e->best) == 0, "%s: best '%s', want '%s'\n%s", e->file,
                  w.res.best, e->best, w.out);
    ck_assert_double_eq_tol(w.res.best_cost, e->best_cost, 1e-9);
    ck_assert_int_ge(w.res.passing, 1);
    ck_assert_int_le(w.res.simulated, 20);
    /* The search space and the verify command are printed. */
    ck_assert_ptr_nonnull(strstr(w.out, "search space"));
    ck_assert_ptr_nonnull(strstr(w.out, "  6 shards"));
    char want[512];
    snprintf(want, sizeof want, "dbscale run %s/recommended.ini", w.dir);
    ck_assert_ptr_nonnull(strstr(w.out, want));
    snprintf(want, sizeof want, "%s/recommended.ini", w.dir);
    ck_assert_str_eq(w.res.recommended, want);
    char v[256];
    resolved_value(w.res.recommended, e->station, e->key, v, sizeof v);
    ck_assert_str_eq(v, e->value);
    resolved_value(w.res.recommended, "app", "next", v, sizeof v);
    ck_assert_str_eq(v, e->next);
    walk_fini(&w);
}
END_TEST

/* At 3000 requests/s the read-heavy node is 41% busy: the baseline passes, nothing else
 * is simulated and no file is written. */
START_TEST(test_already_meets)
{
    make_tmp();
    const char *sets[] = {"app.rate=3000/s"};
    walk w;
    run_advise(&w, "scenarios/advise/read-heavy.ini", NULL, sets, 1, "meets");
    ck_assert_int_eq(w.code, 0);
    ck_assert_int_eq(w.res.already_meets, 1);
    ck_assert_int_eq(w.res.simulated, 1);
    ck_assert_int_eq(w.res.passing, 1);
    ck_assert_str_eq(w.res.first_pass, "");
    ck_assert_str_eq(w.res.recommended, "");
    ck_assert_ptr_nonnull(strstr(w.out, "already meets p99 < 20ms"));
    ck_assert_ptr_null(strstr(w.out, "\n  -  "));   /* no step line, tried or skipped */
    ck_assert_ptr_null(strstr(w.out, "\n  1  "));
    ck_assert_int_ne(access(w.dir, F_OK), 0);
    walk_fini(&w);
}
END_TEST

/* No configuration gets a p99 below 10 us (a write alone takes 2 ms on average): the
 * ladder is walked (cores x2, x4, shards 2, 4, 8), the exit code is 1 and no file is
 * written. */
START_TEST(test_impossible)
{
    make_tmp();
    walk w;
    run_advise(&w, "scenarios/advise/write-heavy.ini", "p99 < 0.01ms", NULL, 0, "never");
    ck_assert_int_eq(w.code, 1);
    ck_assert_int_eq(w.res.passing, 0);
    ck_assert_int_eq(w.res.simulated, 6);
    ck_assert_str_eq(w.res.first_pass, "");
    ck_assert(isnan(w.res.best_cost));
    ck_assert_ptr_nonnull(strstr(w.out, "nothing on the ladder meets p99 < 0.01ms"));
    ck_assert_ptr_nonnull(strstr(w.out, "what to try"));
    ck_assert_int_ne(access(w.dir, F_OK), 0);
    walk_fini(&w);
}
END_TEST

/* The same walk twice prints the same text (fixed seeds, common random numbers). */
START_TEST(test_deterministic)
{
    if (test_quick()) return;
    make_tmp();
    walk a, b;
    run_advise(&a, "scenarios/advise/connection-storm.ini", NULL, NULL, 0, "same");
    run_advise(&b, "scenarios/advise/connection-storm.ini", NULL, NULL, 0, "same");
    ck_assert_int_eq(a.code, 0);
    ck_assert_str_eq(a.out, b.out);
    walk_fini(&a);
    free(b.out);
}
END_TEST

/* A key the user's [sweep] also sets (db.replicas in read-replicas.ini, 0 at the first
 * point) must still take the ladder's value: 1 replica leaves p99 near 100 ms, 2 bring
 * it under 50 ms (the sweep's 0 would leave 115 ms). The file of that configuration
 * tells to run it with the value as --set. */
START_TEST(test_sweep_conflict)
{
    if (test_quick()) return;
    make_tmp();
    walk w;
    run_advise(&w, "scenarios/read-replicas.ini", "p99 < 60ms", NULL, 0, "sweep");
    ck_assert_msg(w.code == 0, "exit %d\n%s", w.code, w.out);
    ck_assert_str_eq(w.res.first_pass, "replicas 2");
    char path[512], text[8192];
    snprintf(path, sizeof path, "%s/alternative-2.ini", w.dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    ck_assert_ptr_nonnull(strstr(text, "replicas = 2"));
    ck_assert_ptr_nonnull(strstr(text, "--set 'db.replicas=2'"));
    walk_fini(&w);
}
END_TEST

static const char two_clients[] =
    "[scenario]\nduration = 1s\nwarmup = 0s\nslo = p99 < 1s\n"
    "[a]\ntype = clients\nnext = db\n[b]\ntype = clients\nnext = db\n[db]\ntype = node\n";

START_TEST(test_bad_input)
{
    make_tmp();
    walk w;
    run_advise(&w, "scenarios/advise/no-such-file.ini", "p99 < 1ms", NULL, 0, "bad");
    ck_assert_int_eq(w.code, 66);
    free(w.out);
    run_advise(&w, "scenarios/advise/read-heavy.ini", "p98 < 1ms", NULL, 0, "bad");
    ck_assert_int_eq(w.code, 64);   /* --slo is the command line's */
    free(w.out);
    run_advise(&w, "scenarios/read-replicas.ini", NULL, NULL, 0, "bad");
    ck_assert_int_eq(w.code, 64);   /* no objective at all */
    free(w.out);
    run_advise(&w, "scenarios/quickstart.ini", "p99 < 1ms", NULL, 0, "bad");
    ck_assert_int_eq(w.code, 65);   /* a generic server, not a database */
    free(w.out);
    char path[128];
    snprintf(path, sizeof path, "%s/two.ini", tmp_root);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(two_clients, f);
    fclose(f);
    run_advise(&w, path, NULL, NULL, 0, "bad");
    ck_assert_int_eq(w.code, 65);   /* two workloads */
    unlink(path);
    walk_fini(&w);
}
END_TEST

START_TEST(test_include_path)
{
    char buf[4096];
    ck_assert_int_eq(advise_include_path("scenarios/advise/a.ini", "out/advise/a", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "../../../scenarios/advise/a.ini");
    ck_assert_int_eq(advise_include_path("./a.ini", "./out//x/", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "../../a.ini");
    ck_assert_int_eq(advise_include_path("a.ini", "out", buf, 9), 0);
    ck_assert_str_eq(buf, "../a.ini");
    ck_assert_int_eq(advise_include_path("a.ini", "out", buf, 8), -1);
    /* A ".." in the directory or an absolute one: the file's absolute path. */
    ck_assert_int_eq(advise_include_path("scenarios/quickstart.ini", "../x", buf, sizeof buf), 0);
    ck_assert_int_eq(buf[0], '/');
    ck_assert_ptr_nonnull(strstr(buf, "/scenarios/quickstart.ini"));
    ck_assert_int_eq(advise_include_path("/abs/a.ini", "out", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "/abs/a.ini");
}
END_TEST

Suite *advise_suite(void)
{
    Suite *s = suite_create("advise");
    TCase *t = tcase_create("examples");
    tcase_set_timeout(t, TEST_STAT_TIMEOUT);
    tcase_add_loop_test(t, test_example, 0, (int)N_EXAMPLES);
    tcase_add_test(t, test_already_meets);
    tcase_add_test(t, test_impossible);
    tcase_add_test(t, test_deterministic);
    tcase_add_test(t, test_sweep_conflict);
    suite_add_tcase(s, t);
    TCase *b = tcase_create("input");
    tcase_set_timeout(b, TEST_STAT_TIMEOUT);
    tcase_add_test(b, test_bad_input);
    tcase_add_test(b, test_include_path);
    suite_add_tcase(s, b);
    return s;
}
