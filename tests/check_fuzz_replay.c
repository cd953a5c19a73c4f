/* check_fuzz_replay.c: replays the fuzz corpora (fuzz/corpus/scenario, fuzz/corpus/values)
 * through the very checks the libFuzzer harnesses run (fuzz/fuzz_entry.h), so that every
 * input the fuzzer once found interesting, and every input that once crashed, is checked
 * again by a plain gcc build in every `make test`. A failed check aborts: the test fails
 * with the signal and stderr names the input. Run from the repository root (the corpora
 * name files under tests/data and scenarios/). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_entry.h"
#include "tests/test_util.h"

/* Reads a whole file into a malloc'd buffer; *len receives its size. */
static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    unsigned char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? 2 * cap : 4096;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        if (!got) break;
        *len += got;
    }
    ck_assert_msg(!ferror(f), "cannot read %s", path);
    fclose(f);
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs each file of dir (sorted by name, dot files skipped) through one; returns the
 * number of files. */
static int replay(const char *dir, void (*one)(const uint8_t *, size_t))
{
    DIR *dp = opendir(dir);
    ck_assert_msg(dp != NULL, "cannot open %s (run from the repository root)", dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        ck_assert_ptr_nonnull(names);
        names[n] = strdup(de->d_name);
        ck_assert_ptr_nonnull(names[n]);
        n++;
    }
    closedir(dp);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        unsigned char *data = read_all(path, &len);
        fuzz_input_name = path;
        one(data, len);
        fuzz_input_name = NULL;
        free(data);
        free(names[i]);
    }
    free(names);
    return (int)n;
}

/* Every stored scenario input loads, resolves and prints without a failed check. */
START_TEST(test_scenario_corpus)
{
    int n = replay("fuzz/corpus/scenario", fuzz_scenario_input);
    ck_assert_int_ge(n, 25);
}
END_TEST

/* scenario_load_string reads like scenario_load: the same result and the same messages
 * for every stored scenario, loaded from its file and from its text. */
START_TEST(test_load_string_matches_file)
{
    const char *dir = "fuzz/corpus/scenario";
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        unsigned char *data = read_all(path, &len);
        scenario a, b;
        diag_list da, db;
        diag_init(&da);
        diag_init(&db);
        int ra = scenario_load(&a, path, NULL, 0, &da);
        int rb = scenario_load_string(&b, path, (const char *)data, len, NULL, 0, &db);
        char *ma = fuzz_capture(fuzz_print_diags, &da);
        char *mb = fuzz_capture(fuzz_print_diags, &db);
        ck_assert_msg(ra == rb, "%s: %d from the file, %d from the text", path, ra, rb);
        ck_assert_msg(strcmp(ma, mb) == 0, "%s: messages differ:\n%s\n---\n%s", path, ma, mb);
        ck_assert_uint_eq(a.n_variants, b.n_variants);
        ck_assert_uint_eq(a.n_points, b.n_points);
        free(ma);
        free(mb);
        scenario_fini(&a);
        scenario_fini(&b);
        diag_fini(&da);
        diag_fini(&db);
        free(data);
        files++;
    }
    closedir(dp);
    ck_assert_int_ge(files, 25);
}
END_TEST

/* Every stored value input parses (or fails with a message) and round-trips. */
START_TEST(test_values_corpus)
{
    int n = replay("fuzz/corpus/values", fuzz_values_input);
    ck_assert_int_ge(n, 47);
}
END_TEST

/* The checks are live: a value that must round-trip does, and the key probabilities of
 * a small zipf sum to one (a harness whose checks never run would pass anything). */
START_TEST(test_checks_run)
{
    static const char text[] = "zipf(1, 10)";
    fuzz_values_input((const uint8_t *)text, sizeof text - 1);
    keydist k;
    char err[256];
    ck_assert_int_eq(keydist_parse(text, &k, err, sizeof err), 0);
    double sum = 0;
    for (uint64_t key = 0; key < 10; key++) sum += keydist_probability(&k, key);
    ck_assert_double_eq_tol(sum, 1.0, 1e-12);
    /* H(10, 1) = 7381/2520 */
    ck_assert_double_eq_tol(keydist_probability(&k, 0), 2520.0 / 7381.0, 1e-15);

    static const char scen[] = "[app]\ntype = clients\nnext = q\n[q]\ntype = server\n"
                               "[sweep]\nq.servers = 1..4 step 1\n#--set\nq.service=exp(2ms)\n";
    fuzz_scenario_input((const uint8_t *)scen, sizeof scen - 1);
    scenario sc;
    diag_list d;
    diag_init(&d);
    const char *sets[] = {"q.service=exp(2ms)"};
    ck_assert_int_eq(scenario_load_string(&sc, "x/fuzz.ini", scen, sizeof scen - 1, sets, 1, &d),
                     0);
    ck_assert_uint_eq(sc.n_points, 4);
    ck_assert_uint_eq(sc.n_variants, 1);
    ck_assert_str_eq(sc.base_dir, "x");
    scenario_fini(&sc);
    diag_fini(&d);
}
END_TEST

/* What each finding of the fuzzer was, and what the fix makes of it (the inputs are in
 * fuzz/corpus/values/fix_*; the replay only shows they no longer fail a check, this
 * says what they give now). */
START_TEST(test_findings)
{
    char err[512];
    dist d;
    keydist k;
    /* gamma(1ms, 1e-200): shape 1/cv^2 = inf, draws were NaN; 1e200: scale inf, NaN */
    ck_assert_int_eq(dist_parse("gamma(1ms, 1e-200)", NULL, &d, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "gamma cv '1e-200' is too extreme"));
    ck_assert_int_eq(dist_parse("gamma(1ms, 1e200)", NULL, &d, err, sizeof err), -1);
    /* the extremes that still have finite constants stay accepted */
    ck_assert_int_eq(dist_parse("gamma(1ms, 1e-150)", NULL, &d, err, sizeof err), 0);
    ck_assert_int_eq(dist_parse("gamma(1ms, 1e150)", NULL, &d, err, sizeof err), 0);
    /* lognormal(1ns, 1e300s): sigma^2 = log1p(inf), draws were NaN */
    ck_assert_int_eq(dist_parse("lognormal(1ns, 1e300s)", NULL, &d, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "lognormal sd '1e300s' is too large"));
    ck_assert_int_eq(dist_parse("lognormal(1ns, 1e140s)", NULL, &d, err, sizeof err), 0);
    /* empirical(/dev/zero) read forever (a line without end); devices are refused */
    ck_assert_int_eq(dist_parse("empirical(/dev/zero)", NULL, &d, err, sizeof err), -1);
    ck_assert_str_eq(err, "'/dev/zero' is not a regular file");
    /* zipf(5e99, 1M): the Euler-Maclaurin tail made 0 * inf = NaN; H(N, s) is 1 */
    ck_assert_int_eq(keydist_parse("zipf(5e99, 1M)", &k, err, sizeof err), 0);
    ck_assert(k.harmonic == 1.0);
    ck_assert(keydist_probability(&k, 0) == 1.0);
    /* an argument above 127 characters was cut: 125 zeros then 1000 read as N = 1 */
    char text[200];
    snprintf(text, sizeof text, "uniform(%0*d)", 129, 1000);
    ck_assert_int_eq(keydist_parse(text, &k, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "argument 1 too long"));
    snprintf(text, sizeof text, "uniform(%0*d)", 127, 1000);
    ck_assert_int_eq(keydist_parse(text, &k, err, sizeof err), 0);
    ck_assert_uint_eq(keydist_count(&k), 1000);
    /* variances that were NaN: inf - inf in the empirical moments (samples 10 ms,
     * 3e232 ms, 3 ms), inf * 0 for a huge factor of a one-sample table, inf * 0 for a
     * weibull of huge shape, inf / inf for a pareto of huge scale and alpha */
    static const char *const nan_var[] = {
        "empirical(one.csv, 1e200)", "weibull(1e200s, 1e20)", "pareto(1e200s, 1e200)",
        "weibull(1ms, 6e8)" /* g2 - g1^2 was -2.2e-16 */};
    for (size_t i = 0; i < sizeof nan_var / sizeof nan_var[0]; i++) {
        ck_assert_int_eq(dist_parse(nan_var[i], "tests/data/dist", &d, err, sizeof err), 0);
        ck_assert_msg(dist_variance(&d) >= 0, "%s: %g", nan_var[i], dist_variance(&d));
        dist_fini(&d);
    }
    ck_assert_int_eq(dist_parse("empirical(one.csv, 1e200)", "tests/data/dist", &d, err,
                                sizeof err), 0);
    ck_assert(dist_variance(&d) == 0);
    dist_fini(&d);
    /* pareto: scale^2 alpha / ((alpha-1)^2 (alpha-2)) = 1e400 / 1e400 = 1 to rounding */
    ck_assert_int_eq(dist_parse("pareto(1e200s, 1e200)", NULL, &d, err, sizeof err), 0);
    ck_assert_double_eq_tol(dist_variance(&d), 1.0, 1e-12);
    /* weibull shape 1e20: g2 - g1^2 cancels to 0 */
    ck_assert_int_eq(dist_parse("weibull(1e200s, 1e20)", NULL, &d, err, sizeof err), 0);
    ck_assert(dist_variance(&d) == 0);
}
END_TEST

Suite *fuzz_replay_suite(void)
{
    Suite *s = suite_create("fuzz_replay");
    TCase *tc = tcase_create("corpus");
    tcase_set_timeout(tc, test_quick() ? 600 : 120);
    tcase_add_test(tc, test_scenario_corpus);
    tcase_add_test(tc, test_load_string_matches_file);
    tcase_add_test(tc, test_values_corpus);
    tcase_add_test(tc, test_checks_run);
    tcase_add_test(tc, test_findings);
    suite_add_tcase(s, tc);
    return s;
}
