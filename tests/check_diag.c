/* check_diag.c: diagnostics output format, ordering, markers, suggestions, UTF-8. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/diag.h"
#include "tests/test_util.h"

/* Everything diag_print writes for d, as a malloc'd string. */
static char *printed(const diag_list *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    diag_print(d, f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

static void assert_printed(const diag_list *d, const char *want)
{
    char *got = printed(d);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_format_with_hint)
{
    diag_list d;
    diag_init(&d);
    diag_error(&d, "scenarios/x.ini", 12, "read_ration = 0.9", 1, 11,
               "unknown key '%s' in section [%s] (type %s)\ndid you mean '%s'?",
               "read_ration", "app", "clients", "read_ratio");
    assert_printed(&d,
                   "scenarios/x.ini:12: error: unknown key 'read_ration' in section [app] "
                   "(type clients)\n"
                   "   12 | read_ration = 0.9\n"
                   "      | ^^^^^^^^^^^\n"
                   "   did you mean 'read_ratio'?\n");
    ck_assert_uint_eq(diag_errors(&d), 1);
    ck_assert_uint_eq(diag_warnings(&d), 0);
    diag_fini(&d);
    ck_assert_uint_eq(diag_errors(&d), 0);
    ck_assert_uint_eq(d.n, 0);
}
END_TEST

/* One message with a given location and marker, and the exact text it prints. */
static const struct format_case {
    const char *file;
    int line;
    const char *source;
    int column, length;
    int warning;
    const char *message;
    const char *want;
} format_cases[] = {
    /* command line, no source */
    {NULL, 0, NULL, -1, -1, 0, "unknown option '--sed'\ndid you mean '--seed'?",
     "command line: error: unknown option '--sed'\n"
     "   did you mean '--seed'?\n"},
    /* whole-file message */
    {"a.ini", 0, NULL, -1, -1, 0, "cannot read 'a.ini': Is a directory",
     "a.ini: error: cannot read 'a.ini': Is a directory\n"},
    /* warning, source echoed, column unknown: no marker line */
    {"a.ini", 3, "rate = 5", -1, 4, 1, "rate is high",
     "a.ini:3: warning: rate is high\n"
     "    3 | rate = 5\n"},
    /* length <= 0 marks one character */
    {"a.ini", 3, "rate = 5", 8, 0, 0, "bad value",
     "a.ini:3: error: bad value\n"
     "    3 | rate = 5\n"
     "      |        ^\n"},
    /* column just past the end of the line (missing value) */
    {"a.ini", 4, "rate =", 7, 1, 0, "missing value for key 'rate'",
     "a.ini:4: error: missing value for key 'rate'\n"
     "    4 | rate =\n"
     "      |       ^\n"},
    /* a marker running past the end of the line is cut at one caret per byte */
    {"a.ini", 4, "ab", 2, 3, 0, "m",
     "a.ini:4: error: m\n"
     "    4 | ab\n"
     "      |  ^^^\n"},
    /* tabs before the culprit are copied so the marker lines up */
    {"a.ini", 5, "\tkey\t= x", 6, 1, 0, "m",
     "a.ini:5: error: m\n"
     "    5 | \tkey\t= x\n"
     "      | \t   \t^\n"},
    /* UTF-8: columns are bytes, markers are characters ("é" is two bytes) */
    {"a.ini", 6, "k\xc3\xa9y = 1", 1, 4, 0, "m",
     "a.ini:6: error: m\n"
     "    6 | k\xc3\xa9y = 1\n"
     "      | ^^^\n"},
    {"a.ini", 6, "\xc3\xa9\xc3\xa9 = x", 6, 1, 0, "m",
     "a.ini:6: error: m\n"
     "    6 | \xc3\xa9\xc3\xa9 = x\n"
     "      |    ^\n"},
    /* control characters and invalid bytes are echoed as '?' */
    {"a.ini", 7, "a\x01" "b\xff" "c", 4, 1, 0, "m",
     "a.ini:7: error: m\n"
     "    7 | a?b?c\n"
     "      |    ^\n"},
    /* a trailing CRLF is not echoed */
    {"a.ini", 8, "x = 1\r\n", 1, 1, 0, "m",
     "a.ini:8: error: m\n"
     "    8 | x = 1\n"
     "      | ^\n"},
    /* wide line numbers widen the gutter */
    {"big.ini", 1234567, "x", 1, 1, 0, "m\nhint one\nhint two",
     "big.ini:1234567: error: m\n"
     "1234567 | x\n"
     "        | ^\n"
     "     hint one\n"
     "     hint two\n"},
    /* an empty hint line is skipped; a '%' from a format argument is kept */
    {"a.ini", 9, NULL, -1, -1, 0, "100% sure\n",
     "a.ini:9: error: 100% sure\n"},
};

START_TEST(test_format_cases)
{
    const struct format_case *c = &format_cases[_i];
    diag_list d;
    diag_init(&d);
    if (c->warning)
        diag_warning(&d, c->file, c->line, c->source, c->column, c->length, "%s",
                     c->message);
    else
        diag_error(&d, c->file, c->line, c->source, c->column, c->length, "%s",
                   c->message);
    ck_assert_uint_eq(diag_errors(&d), c->warning ? 0 : 1);
    ck_assert_uint_eq(diag_warnings(&d), c->warning ? 1 : 0);
    assert_printed(&d, c->want);
    diag_fini(&d);
}
END_TEST

START_TEST(test_sorted_by_file_then_line)
{
    diag_list d;
    diag_init(&d);
    diag_error(&d, "b.ini", 2, NULL, -1, -1, "b2");
    diag_error(&d, "a.ini", 10, NULL, -1, -1, "a10 first");
    diag_warning(&d, "a.ini", 3, NULL, -1, -1, "a3");
    diag_error(&d, NULL, 0, NULL, -1, -1, "cli");
    diag_error(&d, "a.ini", 10, NULL, -1, -1, "a10 second");
    diag_error(&d, "a.ini", 0, NULL, -1, -1, "a whole");
    diag_error(&d, "a.ini", 10, NULL, -1, -1, "a10 third");
    ck_assert_uint_eq(diag_errors(&d), 6);
    ck_assert_uint_eq(diag_warnings(&d), 1);
    assert_printed(&d,
                   "command line: error: cli\n"
                   "a.ini: error: a whole\n"
                   "a.ini:3: warning: a3\n"
                   "a.ini:10: error: a10 first\n"
                   "a.ini:10: error: a10 second\n"
                   "a.ini:10: error: a10 third\n"
                   "b.ini:2: error: b2\n");
    /* printing does not reorder the list itself */
    ck_assert_str_eq(d.items[0].message, "b2");
    diag_fini(&d);
}
END_TEST

START_TEST(test_copies_and_grows)
{
    diag_list d;
    diag_init(&d);
    char file[32], src[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(file, sizeof file, "f%03d.ini", 999 - i);
        snprintf(src, sizeof src, "line %d", i);
        diag_error(&d, file, i + 1, src, 1, 4, "message %d", i);
    }
    strcpy(file, "gone");
    strcpy(src, "gone");
    ck_assert_uint_eq(diag_errors(&d), 1000);
    ck_assert_str_eq(d.items[999].file, "f000.ini");
    ck_assert_str_eq(d.items[999].source_line, "line 999");
    ck_assert_str_eq(d.items[999].message, "message 999");
    char *out = printed(&d);
    /* sorted by file name: f000.ini (added last) comes first */
    const char *want_start = "f000.ini:1000: error: message 999\n"
                             " 1000 | line 999\n"
                             "      | ^^^^\n"
                             "f001.ini:999: error: message 998\n";
    ck_assert_int_eq(strncmp(out, want_start, strlen(want_start)), 0);
    free(out);
    diag_fini(&d);
    /* a finished list can be used again */
    diag_error(&d, "x", 1, NULL, -1, -1, "again");
    ck_assert_uint_eq(diag_errors(&d), 1);
    diag_fini(&d);
}
END_TEST

START_TEST(test_empty_list_prints_nothing)
{
    diag_list d;
    diag_init(&d);
    assert_printed(&d, "");
    diag_fini(&d);
}
END_TEST

static const char *const keys[] = {"type", "rate", "read_ratio", "replicas", "replication",
                                   "read_from", "arrival", "next"};

static const struct suggest_case {
    const char *word;
    const char *want; /* NULL: no suggestion */
} suggest_cases[] = {
    {"read_ration", "read_ratio"},  /* one insertion */
    {"replcas", "replicas"},        /* one deletion */
    {"xyz", NULL},                  /* nothing near */
    {"raet", "rate"},               /* adjacent swap costs one */
    {"tpye", "type"},
    {"rate", "rate"},               /* exact */
    {"rat", "rate"},                /* prefix, and distance 1 */
    {"arriv", "arrival"},           /* prefix, distance 2 > max(1, 5/3) */
    {"repl", "replicas"},           /* prefix of two: the nearer, earlier one */
    {"replicaz", "replicas"},       /* substitution */
    {"read_fron", "read_from"},
    {"reed_ratoi", "read_ratio"},   /* distance 2 <= 10/3 */
    {"rd_rto", NULL},               /* distance 4 > 6/3 */
    {"Rate", "rate"},               /* case differs: one substitution */
    {"nxet", "next"},
    {"", NULL},                     /* empty word: never */
    {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", NULL},
};

START_TEST(test_suggest)
{
    const struct suggest_case *c = &suggest_cases[_i];
    const char *got = diag_suggest(c->word, keys, sizeof keys / sizeof keys[0]);
    if (!c->want) {
        ck_assert_msg(got == NULL, "'%s' -> '%s', want none", c->word, got);
    } else {
        ck_assert_msg(got != NULL, "'%s' -> none, want '%s'", c->word, c->want);
        ck_assert_str_eq(got, c->want);
    }
}
END_TEST

START_TEST(test_suggest_osa_rules)
{
    /* optimal string alignment, not full Damerau-Levenshtein: "ca" -> "abc" costs 3
     * (true DL is 2), so with a limit of 2 (word of 6 to 8 bytes) there is no match */
    const char *a[] = {"xxxxabc"};
    ck_assert_ptr_null(diag_suggest("xxxxca", a, 1));
    /* one swap */
    const char *b[] = {"xxxxca"};
    ck_assert_ptr_eq(diag_suggest("xxxxac", b, 1), b[0]);
    /* ties go to the earlier candidate; the nearer wins over the earlier */
    const char *c[] = {"abcd", "abce", "abcf"};
    ck_assert_ptr_eq(diag_suggest("abcx", c, 3), c[0]);
    const char *e[] = {"abxxxx", "abcdxy"};
    ck_assert_ptr_eq(diag_suggest("abcdxx", e, 2), e[1]);
    /* limit is max(1, len / 3): "abcdef" (6) accepts 2, "abcde" (5) accepts 1 */
    const char *f[] = {"abcdXY"};
    ck_assert_ptr_eq(diag_suggest("abcdef", f, 1), f[0]);
    const char *g[] = {"abcXY"};
    ck_assert_ptr_null(diag_suggest("abcde", g, 1));
    /* no candidates */
    ck_assert_ptr_null(diag_suggest("rate", NULL, 0));
}
END_TEST

static const struct utf8_case {
    const char *bytes;
    size_t n;
    size_t want;
} utf8_cases[] = {
    {"a", 1, 1},
    {"\x7f", 1, 1},
    {"\xc3\xa9", 2, 2},         /* U+00E9 */
    {"\xe2\x82\xac", 3, 3},     /* U+20AC */
    {"\xf0\x9f\x98\x80", 4, 4}, /* U+1F600 */
    {"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF */
    {"\xef\xbb\xbf", 3, 3},     /* BOM */
    {"\x80", 1, 0},             /* stray continuation */
    {"\xc0\x80", 2, 0},         /* overlong NUL */
    {"\xc1\xbf", 2, 0},         /* overlong */
    {"\xe0\x80\x80", 3, 0},     /* overlong */
    {"\xf0\x80\x80\x80", 4, 0}, /* overlong */
    {"\xed\xa0\x80", 3, 0},     /* surrogate U+D800 */
    {"\xf4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
    {"\xf5\x80\x80\x80", 4, 0},
    {"\xff", 1, 0},
    {"\xe2\x82", 2, 0},         /* truncated */
    {"\xc3\x28", 2, 0},         /* bad continuation */
    {"\xe2\x28\xac", 3, 0},
};

START_TEST(test_utf8_seq)
{
    const struct utf8_case *c = &utf8_cases[_i];
    ck_assert_uint_eq(diag_utf8_seq(c->bytes, c->n), c->want);
}
END_TEST

Suite *diag_suite(void)
{
    Suite *s = suite_create("diag");
    TCase *tc = tcase_create("print");
    tcase_add_test(tc, test_format_with_hint);
    tcase_add_loop_test(tc, test_format_cases, 0,
                        (int)(sizeof format_cases / sizeof format_cases[0]));
    tcase_add_test(tc, test_sorted_by_file_then_line);
    tcase_add_test(tc, test_copies_and_grows);
    tcase_add_test(tc, test_empty_list_prints_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("suggest");
    tcase_add_loop_test(tc, test_suggest, 0,
                        (int)(sizeof suggest_cases / sizeof suggest_cases[0]));
    tcase_add_test(tc, test_suggest_osa_rules);
    tcase_add_loop_test(tc, test_utf8_seq, 0,
                        (int)(sizeof utf8_cases / sizeof utf8_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
