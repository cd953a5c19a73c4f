/* check_units.c: numbers with units: exact parse results, exact error messages, the
 * canonical printing, and format/parse round trips. */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/rng.h"
#include "sim/units.h"
#include "tests/test_util.h"

/* Good values: the parse must give exactly the double the C compiler gives for the
 * literal (both are correctly rounded from the same decimal). */
static const struct {
    const char *text;
    unit_kind kind;
    double want;
} good[] = {
    {"2ms", UNIT_TIME, 0.002},
    {"0", UNIT_TIME, 0},
    {"0.0", UNIT_TIME, 0},
    {" 5 s ", UNIT_TIME, 5},
    {"\t5s\n", UNIT_TIME, 5},
    {"1.5m", UNIT_TIME, 90},
    {"2h", UNIT_TIME, 7200},
    {"250us", UNIT_TIME, 250e-6},
    {"10ns", UNIT_TIME, 1e-8},
    {"1e3ms", UNIT_TIME, 1},
    {"1E-3s", UNIT_TIME, 0.001},
    {".5s", UNIT_TIME, 0.5},
    {"3.ms", UNIT_TIME, 0.003},
    {"0.1ms", UNIT_TIME, 1e-4},
    {"+7ms", UNIT_TIME, 0.007},
    {"0.3ms", UNIT_TIME, 0.0003},
    {"4000/s", UNIT_RATE, 4000},
    {"4k/s", UNIT_RATE, 4000},
    {"60/m", UNIT_RATE, 1},
    {"3600/h", UNIT_RATE, 1},
    {"1.5M/s", UNIT_RATE, 1.5e6},
    {"2G/s", UNIT_RATE, 2e9},
    {"900 /s", UNIT_RATE, 900},
    {"0", UNIT_RATE, 0},
    {"1000", UNIT_COUNT, 1000},
    {"1k", UNIT_COUNT, 1000},
    {"1M", UNIT_COUNT, 1e6},
    {"2.5G", UNIT_COUNT, 2.5e9},
    {"1e6", UNIT_COUNT, 1e6},
    {"1.001k", UNIT_COUNT, 1001},
    {"0012", UNIT_COUNT, 12},
    {"1KB", UNIT_SIZE, 1024},
    {"16GB", UNIT_SIZE, 16.0 * 1073741824.0},
    {"1.5MB", UNIT_SIZE, 1572864},
    {"512B", UNIT_SIZE, 512},
    {"1TB", UNIT_SIZE, 1099511627776.0},
    {"2KiB", UNIT_SIZE, 2048},
    {"0", UNIT_SIZE, 0},
    {"50%", UNIT_RATIO, 0.5},
    {"0.25", UNIT_RATIO, 0.25},
    {"7%", UNIT_RATIO, 0.07},
    {"100%", UNIT_RATIO, 1},
    {"-0.1", UNIT_RATIO, -0.1},
    {"1.5", UNIT_NUMBER, 1.5},
    {"-2", UNIT_NUMBER, -2},
    {"+3", UNIT_NUMBER, 3},
    {"2k", UNIT_NUMBER, 2000},
    {"1e-3", UNIT_NUMBER, 0.001},
    {"0.99", UNIT_NUMBER, 0.99},
    {"-0", UNIT_NUMBER, 0},
    {"123456789012345678901234567890", UNIT_NUMBER, 123456789012345678901234567890.0},
    {"0.1e1", UNIT_NUMBER, 1},
    {"4.9e-324", UNIT_NUMBER, 4.9e-324},
};

START_TEST(test_parse_good)
{
    double v = -12345;
    char err[256] = "";
    int rc = units_parse(good[_i].text, good[_i].kind, &v, err, sizeof err);
    ck_assert_msg(rc == 0, "'%s': unexpected error: %s", good[_i].text, err);
    ck_assert_msg(v == good[_i].want, "'%s': got %.17g, want %.17g", good[_i].text, v,
                  good[_i].want);
    ck_assert_msg(!signbit(v) || good[_i].want < 0, "'%s': negative zero", good[_i].text);
}
END_TEST

static const struct {
    const char *text;
    unit_kind kind;
    const char *msg;
} bad[] = {
    {"3mss", UNIT_TIME, "unknown unit 'mss' in '3mss' (expected ns, us, ms, s, m, h)"},
    {"5", UNIT_TIME, "missing unit in '5' (expected ns, us, ms, s, m, h)"},
    {"", UNIT_TIME, "empty value (expected a duration, e.g. 2ms)"},
    {"   ", UNIT_COUNT, "empty value (expected a count, e.g. 1M)"},
    {"abc", UNIT_TIME, "bad number in 'abc' (expected a duration, e.g. 2ms)"},
    {"ms", UNIT_TIME, "bad number in 'ms' (expected a duration, e.g. 2ms)"},
    {"inf", UNIT_NUMBER, "bad number in 'inf' (expected a number, e.g. 1.5)"},
    {"nan", UNIT_RATIO, "bad number in 'nan' (expected a ratio, e.g. 0.5 or 50%)"},
    {".", UNIT_NUMBER, "bad number in '.' (expected a number, e.g. 1.5)"},
    {"e5", UNIT_NUMBER, "bad number in 'e5' (expected a number, e.g. 1.5)"},
    {"--5", UNIT_NUMBER, "bad number in '--5' (expected a number, e.g. 1.5)"},
    {"0x10", UNIT_NUMBER, "unknown unit 'x10' in '0x10' (expected k, M, G or none)"},
    {"-5ms", UNIT_TIME, "negative value in '-5ms' (expected a duration, e.g. 2ms)"},
    {"-1", UNIT_COUNT, "negative value in '-1' (expected a count, e.g. 1M)"},
    {"1,5ms", UNIT_TIME, "unknown unit ',5ms' in '1,5ms' (expected ns, us, ms, s, m, h)"},
    {"5ms extra", UNIT_TIME,
     "unknown unit 'ms extra' in '5ms extra' (expected ns, us, ms, s, m, h)"},
    {"1e", UNIT_NUMBER, "unknown unit 'e' in '1e' (expected k, M, G or none)"},
    {"4000", UNIT_RATE, "missing unit in '4000' (expected /s, /m, /h, optionally after k, M, G)"},
    {"4x/s", UNIT_RATE,
     "unknown unit 'x/s' in '4x/s' (expected /s, /m, /h, optionally after k, M, G)"},
    {"4/ms", UNIT_RATE,
     "unknown unit '/ms' in '4/ms' (expected /s, /m, /h, optionally after k, M, G)"},
    {"1e999", UNIT_NUMBER, "value out of range in '1e999'"},
    {"1e-999s", UNIT_TIME, "value out of range in '1e-999s'"},
    {"1e308k", UNIT_COUNT, "value out of range in '1e308k'"},
    {"1e308TB", UNIT_SIZE, "value out of range in '1e308TB'"},
    {"16", UNIT_SIZE, "missing unit in '16' (expected B, KB, MB, GB, TB)"},
    {"5kb", UNIT_SIZE, "unknown unit 'kb' in '5kb' (expected B, KB, MB, GB, TB)"},
    {"50 percent", UNIT_RATIO, "unknown unit 'percent' in '50 percent' (expected % or none)"},
    {"1m", UNIT_COUNT, "unknown unit 'm' in '1m' (expected k, M, G or none)"},
    {"2ms", UNIT_RATIO, "unknown unit 'ms' in '2ms' (expected % or none)"},
};

START_TEST(test_parse_bad)
{
    double v = 42;
    char err[256] = "";
    int rc = units_parse(bad[_i].text, bad[_i].kind, &v, err, sizeof err);
    ck_assert_msg(rc == -1, "'%s' parsed to %.17g", bad[_i].text, v);
    ck_assert_str_eq(err, bad[_i].msg);
    ck_assert(v == 42); /* output untouched on error */
}
END_TEST

START_TEST(test_parse_err_buffers)
{
    double v;
    /* NULL or tiny error buffers are fine */
    ck_assert_int_eq(units_parse("5", UNIT_TIME, &v, NULL, 0), -1);
    char tiny[8];
    ck_assert_int_eq(units_parse("3mss", UNIT_TIME, &v, tiny, sizeof tiny), -1);
    ck_assert_str_eq(tiny, "unknown");
    ck_assert_int_eq(units_parse(NULL, UNIT_TIME, &v, tiny, sizeof tiny), -1);
}
END_TEST

START_TEST(test_parse_count)
{
    static const struct {
        const char *text;
        uint64_t want;
    } ok[] = {
        {"0", 0},
        {"1M", 1000000},
        {"1.5k", 1500},
        {"1e6", 1000000},
        {"18446744073709551615", UINT64_MAX},
        {"9007199254740993", 9007199254740993ULL}, /* 2^53 + 1: not a double */
        {"18446744073709.551615M", UINT64_MAX},
        {"12G", 12000000000ULL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 7;
        char err[256] = "";
        ck_assert_msg(units_parse_count(ok[i].text, &v, err, sizeof err) == 0, "%s: %s",
                      ok[i].text, err);
        ck_assert_msg(v == ok[i].want, "%s: got %llu", ok[i].text, (unsigned long long)v);
    }
    static const struct {
        const char *text;
        const char *msg;
    } no[] = {
        {"1.5", "count '1.5' is not a whole number"},
        {"1.0005k", "count '1.0005k' is not a whole number"},
        {"1.00000000000000000001", "count '1.00000000000000000001' is not a whole number"},
        {"-1", "negative value in '-1' (expected a count, e.g. 1M)"},
        {"1e20", "count '1e20' is too large (at most 18446744073709551615)"},
        {"18446744073709551616", "count '18446744073709551616' is too large (at most "
                                 "18446744073709551615)"},
        {"5x", "unknown unit 'x' in '5x' (expected k, M, G or none)"},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        uint64_t v = 7;
        char err[256] = "";
        ck_assert_int_eq(units_parse_count(no[i].text, &v, err, sizeof err), -1);
        ck_assert_str_eq(err, no[i].msg);
        ck_assert(v == 7);
    }
}
END_TEST

START_TEST(test_is_plain)
{
    ck_assert(units_is_plain("5"));
    ck_assert(units_is_plain(" -1.5e3 "));
    ck_assert(units_is_plain(".5"));
    ck_assert(!units_is_plain("5ms"));
    ck_assert(!units_is_plain("5k"));
    ck_assert(!units_is_plain(""));
    ck_assert(!units_is_plain("abc"));
    ck_assert_str_eq(units_expected(UNIT_TIME), "ns, us, ms, s, m, h");
}
END_TEST

static const struct {
    double v;
    unit_kind kind;
    const char *text;
} fmt[] = {
    {0.002, UNIT_TIME, "2ms"},
    {3600, UNIT_TIME, "1h"},
    {7200, UNIT_TIME, "2h"},
    {90, UNIT_TIME, "90s"},
    {120, UNIT_TIME, "2m"},
    {1.5, UNIT_TIME, "1.5s"},
    {0, UNIT_TIME, "0s"},
    {2.5e-7, UNIT_TIME, "250ns"},
    {1e-5, UNIT_TIME, "10us"},
    {0.1, UNIT_TIME, "100ms"},
    {0.0012, UNIT_TIME, "1.2ms"},
    {0.0003, UNIT_TIME, "300us"},
    {1e-12, UNIT_TIME, "0.001ns"},
    {4000, UNIT_RATE, "4000/s"},
    {1.0 / 60, UNIT_RATE, "1/m"},
    {1.0 / 3600, UNIT_RATE, "1/h"},
    {0.5, UNIT_RATE, "0.5/s"},
    {0, UNIT_RATE, "0/s"},
    {1e6, UNIT_COUNT, "1M"},
    {1500, UNIT_COUNT, "1.5k"},
    {1234567, UNIT_COUNT, "1234567"},
    {250000, UNIT_COUNT, "250k"},
    {12, UNIT_COUNT, "12"},
    {2.5e9, UNIT_COUNT, "2.5G"},
    {1536, UNIT_SIZE, "1.5KB"},
    {1000, UNIT_SIZE, "1000B"},
    {16.0 * 1073741824.0, UNIT_SIZE, "16GB"},
    {0, UNIT_SIZE, "0B"},
    {0.5, UNIT_RATIO, "0.5"},
    {0.07, UNIT_RATIO, "0.07"},
    {-0.25, UNIT_NUMBER, "-0.25"},
    {0.99, UNIT_NUMBER, "0.99"},
    {1e-7, UNIT_NUMBER, "1e-7"},
    {0.1 + 0.2, UNIT_NUMBER, "0.30000000000000004"},
    {-3000, UNIT_NUMBER, "-3k"},
};

START_TEST(test_format)
{
    char buf[64];
    int len = units_format(fmt[_i].v, fmt[_i].kind, buf, sizeof buf);
    ck_assert_str_eq(buf, fmt[_i].text);
    ck_assert_int_eq(len, (int)strlen(fmt[_i].text));
}
END_TEST

START_TEST(test_format_errors)
{
    char buf[64];
    ck_assert_int_eq(units_format(INFINITY, UNIT_TIME, buf, sizeof buf), -1);
    ck_assert_int_eq(units_format(NAN, UNIT_NUMBER, buf, sizeof buf), -1);
    ck_assert_int_eq(units_format(-1, UNIT_TIME, buf, sizeof buf), -1);
    ck_assert_int_eq(units_format(-1, UNIT_COUNT, buf, sizeof buf), -1);
    ck_assert_str_eq(buf, "");
    /* "2ms" needs 4 bytes */
    ck_assert_int_eq(units_format(0.002, UNIT_TIME, buf, 3), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(units_format(0.002, UNIT_TIME, buf, 4), 3);
    ck_assert_str_eq(buf, "2ms");
}
END_TEST

/* Every finite value of every kind prints to text that parses back to the same double:
 * random mantissas over 40 decades, plus integers and values near unit boundaries. */
START_TEST(test_round_trip)
{
    static const unit_kind kinds[] = {UNIT_NUMBER, UNIT_TIME, UNIT_RATE,
                                      UNIT_COUNT,  UNIT_SIZE, UNIT_RATIO};
    rng r;
    rng_seed(&r, 1, 0, "units.round_trip");
    int n = test_quick() ? 2000 : 20000;
    for (int i = 0; i < n; i++) {
        double v;
        switch (i % 4) {
        case 0: v = exp((rng_uniform(&r) - 0.5) * 92); break;            /* 1e-20..1e20 */
        case 1: v = (double)rng_below(&r, 1000000) * 1000; break;         /* whole */
        case 2: v = (double)rng_below(&r, 100000) / 1000; break;          /* 3 decimals */
        default: v = (double)rng_below(&r, 7200) * (1.0 / 60); break;     /* minutes */
        }
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            char buf[128], err[256];
            double back = -1;
            /* assert only on failure: a passing ck_assert costs a write() */
            if (units_format(v, kinds[k], buf, sizeof buf) <= 0 ||
                units_parse(buf, kinds[k], &back, err, sizeof err) != 0 || back != v)
                ck_abort_msg("kind %d: %.17g -> '%s' -> %.17g", (int)kinds[k], v, buf, back);
        }
    }
}
END_TEST

/* Parsing and printing ignore the locale's decimal separator. Runs only where a locale
 * with a decimal comma is installed; otherwise checks the C locale. */
START_TEST(test_locale_independent)
{
    static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    char *saved = setlocale(LC_NUMERIC, NULL);
    char keep[128];
    snprintf(keep, sizeof keep, "%s", saved ? saved : "C");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_NUMERIC, names[i])) break;
    double v = 0;
    ck_assert_int_eq(units_parse("1.5ms", UNIT_TIME, &v, NULL, 0), 0);
    ck_assert(v == 0.0015);
    char buf[64];
    units_format(0.0015, UNIT_TIME, buf, sizeof buf);
    ck_assert_str_eq(buf, "1.5ms");
    units_format(0.30000000000000004, UNIT_NUMBER, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.30000000000000004");
    setlocale(LC_NUMERIC, keep);
}
END_TEST

START_TEST(test_nearest)
{
    static const char *const names[] = {"exp", "uniform", "lognormal", "zipf"};
    ck_assert_str_eq(units_nearest("expo", names, 4), "exp");
    ck_assert_str_eq(units_nearest("lognorm", names, 4), "lognormal");
    ck_assert_str_eq(units_nearest("zipfian", names, 4), "zipf");
    ck_assert_ptr_null(units_nearest("banana", names, 4));
    ck_assert_ptr_null(units_nearest("", names, 4));
}
END_TEST

Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_parse_good, 0, (int)(sizeof good / sizeof good[0]));
    tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_parse_err_buffers);
    tcase_add_test(tc, test_parse_count);
    tcase_add_test(tc, test_is_plain);
    tcase_add_test(tc, test_nearest);
    suite_add_tcase(s, tc);
    tc = tcase_create("format");
    tcase_set_timeout(tc, TEST_STAT_TIMEOUT);
    tcase_add_loop_test(tc, test_format, 0, (int)(sizeof fmt / sizeof fmt[0]));
    tcase_add_test(tc, test_format_errors);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_locale_independent);
    suite_add_tcase(s, tc);
    return s;
}
