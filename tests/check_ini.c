/* check_ini.c: the scenario-file reader: entries with exact files, lines and columns;
 * comments; includes and cycles; every error with its exact message and line.
 * File cases read tests/data/ini/ relative to the repository root (where `make test`
 * runs the tests). */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/ini.h"
#include "tests/test_util.h"

#define DATA "tests/data/ini/"

/* Appends printf-style text to a malloc'd string. */
static void append(char **s, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char **s, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *s = realloc(*s, *len + (size_t)n + 1);
    ck_assert_ptr_nonnull(*s);
    va_start(ap, fmt);
    vsnprintf(*s + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
}

/* One line per entry: "section|key|value|file:line|key_col:value_col". */
static char *dump_entries(const ini_doc *doc)
{
    char *s = NULL;
    size_t len = 0;
    append(&s, &len, "%s", "");
    for (size_t i = 0; i < doc->n_entries; i++) {
        const ini_entry *e = &doc->entries[i];
        append(&s, &len, "%s|%s|%s|%s:%d|%d:%d\n", e->section, e->key, e->value,
               e->file ? e->file : "(null)", e->line, e->key_col, e->value_col);
        /* the echo text is the line the entry came from; key and value are in it */
        if (e->text && e->key_col > 0) {
            ck_assert_int_eq(strncmp(e->text + e->key_col - 1, e->key, strlen(e->key)), 0);
            ck_assert_int_eq(
                strncmp(e->text + e->value_col - 1, e->value, strlen(e->value)), 0);
        }
    }
    return s;
}

/* One line per section: "name@file:line". */
static char *dump_sections(const ini_doc *doc)
{
    char *s = NULL;
    size_t len = 0;
    append(&s, &len, "%s", "");
    for (size_t i = 0; i < doc->n_sections; i++) {
        const ini_section *x = &doc->sections[i];
        append(&s, &len, "%s@%s:%d\n", x->name, x->file ? x->file : "(null)", x->line);
        ck_assert_ptr_eq(ini_find_section(doc, x->name), x);
    }
    return s;
}

static char *dump_diags(const diag_list *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    diag_print(d, f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

static void expect_doc(const ini_doc *doc, const diag_list *d, const char *entries,
                       const char *sections, const char *diags)
{
    char *got = dump_entries(doc);
    ck_assert_str_eq(got, entries);
    free(got);
    if (sections) {
        got = dump_sections(doc);
        ck_assert_str_eq(got, sections);
        free(got);
    }
    got = dump_diags(d);
    ck_assert_str_eq(got, diags);
    free(got);
}

/* ---------------------------------------------------------------- strings */

static const struct string_case {
    const char *what;
    const char *text;
    size_t len;            /* 0: strlen(text); else exact length (NUL bytes) */
    int rc;                /* what ini_read_mem returns */
    const char *entries;   /* dump_entries */
    const char *sections;  /* dump_sections, or NULL to skip */
    const char *diags;     /* diag_print */
} string_cases[] = {
    {"basic", "[app]\nrate = 5\n", 0, 0, "app|rate|5|t.ini:2|1:8\n", "app@t.ini:1\n", ""},
    {"comments in every position",
     "# first\n"
     "; second\n"
     "   # indented\n"
     "\t; indented by a tab\n"
     "[app] # after a header\n"
     "rate = 5 # after a value\n"
     "url = a;b\n"
     "colour=#fff\n"
     "k2 = v ;c\n"
     "k3 = v\t# tab before\n"
     "k4 = x = y # = z\n"
     "\n"
     "   \t\n"
     "k5=w;#\n",
     0, 0,
     "app|rate|5|t.ini:6|1:8\n"
     "app|url|a;b|t.ini:7|1:7\n"
     "app|colour|#fff|t.ini:8|1:8\n"
     "app|k2|v|t.ini:9|1:6\n"
     "app|k3|v|t.ini:10|1:6\n"
     "app|k4|x = y|t.ini:11|1:6\n"
     "app|k5|w;#|t.ini:14|1:4\n",
     "app@t.ini:5\n", ""},
    {"value that is only a comment", "[a]\nk = # nothing\n", 0, -1, "", NULL,
     "t.ini:2: error: missing value for key 'k'\n"
     "    2 | k = # nothing\n"
     "      |    ^\n"},
    {"empty value at end of line", "[a]\nk =\n", 0, -1, "", NULL,
     "t.ini:2: error: missing value for key 'k'\n"
     "    2 | k =\n"
     "      |    ^\n"},
    {"spaces around key and value", "[a]\n  k   =   v w   \n", 0, 0, "a|k|v w|t.ini:2|3:11\n",
     NULL, ""},
    {"no newline at the end", "[a]\nk = v", 0, 0, "a|k|v|t.ini:2|1:5\n", NULL, ""},
    {"empty text", "", 0, 0, "", "", ""},
    {"keys of every kind",
     "[variant sync]\n"
     "db.replication = sync\n"
     "timeline.20s = add-shard router\n"
     "[timeline]\n"
     "30s = crash db.primary\n"
     "1.5m = heal us-east eu-west\n"
     "[sweep]\n"
     "app.rate = 1000/s..20000/s step 1000/s\n"
     "[x.y-z_1]\n"
     "A_b-9.c = 1\n"
     "[a]\n"
     "include = 5\n"
     "[b]\n"
     "include=6\n"
     "slo = p99 < 20ms\n",
     0, 0,
     "variant sync|db.replication|sync|t.ini:2|1:18\n"
     "variant sync|timeline.20s|add-shard router|t.ini:3|1:16\n"
     "timeline|30s|crash db.primary|t.ini:5|1:7\n"
     "timeline|1.5m|heal us-east eu-west|t.ini:6|1:8\n"
     "sweep|app.rate|1000/s..20000/s step 1000/s|t.ini:8|1:12\n"
     "x.y-z_1|A_b-9.c|1|t.ini:10|1:11\n"
     "a|include|5|t.ini:12|1:11\n"
     "b|include|6|t.ini:14|1:9\n"
     "b|slo|p99 < 20ms|t.ini:15|1:7\n",
     "variant sync@t.ini:1\ntimeline@t.ini:4\nsweep@t.ini:7\nx.y-z_1@t.ini:9\n"
     "a@t.ini:11\nb@t.ini:13\n",
     ""},
    {"spaces inside brackets", "[  variant sync\t]\nk = 1\n", 0, 0,
     "variant sync|k|1|t.ini:2|1:5\n", "variant sync@t.ini:1\n", ""},
    {"CRLF line ends", "[a]\r\nk = v\r\n\r\nk2 = w # c\r\n; c\r\n", 0, 0,
     "a|k|v|t.ini:2|1:5\na|k2|w|t.ini:4|1:6\n", NULL, ""},
    {"byte-order mark", "\xef\xbb\xbf[a]\nk = v\n", 0, 0, "a|k|v|t.ini:2|1:5\n",
     "a@t.ini:1\n", ""},
    {"UTF-8 in values and comments", "[a] # caf\xc3\xa9\nlabel = caf\xc3\xa9 \xe2\x82\xac\n",
     0, 0, "a|label|caf\xc3\xa9 \xe2\x82\xac|t.ini:2|1:9\n", NULL, ""},
    {"NUL byte", "[a]\nk = v\0w\nk2 = x\n", 19, -1, "a|k2|x|t.ini:3|1:6\n", NULL,
     "t.ini:2: error: NUL byte in line (is this a text file?)\n"
     "    2 | k = v?w\n"
     "      |      ^\n"},
    {"NUL bytes only", "\0\0\0", 3, -1, "", "",
     "t.ini:1: error: NUL byte in line (is this a text file?)\n"
     "    1 | ???\n"
     "      | ^\n"},
    {"invalid UTF-8", "[a]\nk = \xc3\x28\n", 0, -1, "", NULL,
     "t.ini:2: error: invalid UTF-8 byte 0xc3 in line (save the file as UTF-8)\n"
     "    2 | k = ?(\n"
     "      |     ^\n"},
    {"control character", "[a]\nk = v\x07\n", 0, -1, "", NULL,
     "t.ini:2: error: control character 0x07 in line\n"
     "    2 | k = v?\n"
     "      |      ^\n"},
    {"carriage return inside a line", "[a]\nk = v\rw\n", 0, -1, "", NULL,
     "t.ini:2: error: carriage return inside a line (only CRLF or LF line ends)\n"
     "    2 | k = v?w\n"
     "      |      ^\n"},
    {"key before any section", "k = v\n[a]\nk = w\n", 0, -1, "a|k|w|t.ini:3|1:5\n", NULL,
     "t.ini:1: error: key 'k' outside any section\n"
     "    1 | k = v\n"
     "      | ^\n"
     "   put a section header such as [scenario] above it\n"},
    {"duplicate keys", "[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\nk = 4\n", 0, -1,
     "a|k|1|t.ini:2|1:5\nb|k|2|t.ini:4|1:5\n", "a@t.ini:1\nb@t.ini:3\n",
     "t.ini:6: error: duplicate key 'k' in section [a] (first set at t.ini:2)\n"
     "    6 | k = 3\n"
     "      | ^\n"
     "t.ini:7: error: duplicate key 'k' in section [a] (first set at t.ini:2)\n"
     "    7 | k = 4\n"
     "      | ^\n"},
    {"keys are case-sensitive", "[a]\nrate = 1\nRate = 2\n", 0, 0,
     "a|rate|1|t.ini:2|1:8\na|Rate|2|t.ini:3|1:8\n", NULL, ""},
    {"bad section names",
     "[variant  sync]\n"
     "k = 1\n"
     "[a b c]\n"
     "[a\tb]\n"
     "[caf\xc3\xa9]\n"
     "[a/b]\n"
     "[]\n"
     "[  ]\n"
     "[open\n"
     "[a;b]\n"
     "[ok]\n"
     "k = 2\n",
     0, -1, "ok|k|2|t.ini:12|1:5\n", "ok@t.ini:11\n",
     "t.ini:1: error: section name 'variant  sync' has more than one space (only names "
     "like [variant NAME] have one)\n"
     "    1 | [variant  sync]\n"
     "      |  ^^^^^^^^^^^^^\n"
     "t.ini:3: error: section name 'a b c' has more than one space (only names like "
     "[variant NAME] have one)\n"
     "    3 | [a b c]\n"
     "      |  ^^^^^\n"
     "t.ini:4: error: invalid character a tab in section name 'a\tb' (use letters, digits, "
     "'_', '-', '.' and one space, as in [variant NAME])\n"
     "    4 | [a\tb]\n"
     "      |  ^^^\n"
     "t.ini:5: error: invalid character '\xc3\xa9' in section name 'caf\xc3\xa9' (use "
     "letters, digits, '_', '-', '.' and one space, as in [variant NAME])\n"
     "    5 | [caf\xc3\xa9]\n"
     "      |  ^^^^\n"
     "t.ini:6: error: invalid character '/' in section name 'a/b' (use letters, digits, "
     "'_', '-', '.' and one space, as in [variant NAME])\n"
     "    6 | [a/b]\n"
     "      |  ^^^\n"
     "t.ini:7: error: empty section name\n"
     "    7 | []\n"
     "      | ^^\n"
     "t.ini:8: error: empty section name\n"
     "    8 | [  ]\n"
     "      | ^^^^\n"
     "t.ini:9: error: missing ']' in section header\n"
     "    9 | [open\n"
     "      | ^^^^^\n"
     "t.ini:10: error: invalid character ';' in section name 'a;b' (use letters, digits, "
     "'_', '-', '.' and one space, as in [variant NAME])\n"
     "   10 | [a;b]\n"
     "      |  ^^^\n"},
    {"text after a header: the section is still entered",
     "[a] junk\nk = 1\nk = 2\n[b]x\n", 0, -1, "a|k|1|t.ini:2|1:5\n", "a@t.ini:1\nb@t.ini:4\n",
     "t.ini:1: error: unexpected text 'junk' after section header [a]\n"
     "    1 | [a] junk\n"
     "      |     ^^^^\n"
     "t.ini:3: error: duplicate key 'k' in section [a] (first set at t.ini:2)\n"
     "    3 | k = 2\n"
     "      | ^\n"
     "t.ini:4: error: unexpected text 'x' after section header [b]\n"
     "    4 | [b]x\n"
     "      |    ^\n"},
    {"bad keys",
     "[a]\n"
     "read ratio = 0.9\n"
     "= 5\n"
     "   =\n"
     "ra!te = 1\n"
     "k\xc3\xa9y = 2\n"
     "a#b = 3\n"
     "just words\n"
     "  x # y = z\n",
     0, -1, "", NULL,
     "t.ini:2: error: invalid character ' ' in key 'read ratio' (keys use letters, digits, "
     "'_', '-' and '.')\n"
     "    2 | read ratio = 0.9\n"
     "      | ^^^^^^^^^^\n"
     "t.ini:3: error: missing key before '='\n"
     "    3 | = 5\n"
     "      | ^\n"
     "t.ini:4: error: missing key before '='\n"
     "    4 |    =\n"
     "      |    ^\n"
     "t.ini:5: error: invalid character '!' in key 'ra!te' (keys use letters, digits, '_', "
     "'-' and '.')\n"
     "    5 | ra!te = 1\n"
     "      | ^^^^^\n"
     "t.ini:6: error: invalid character '\xc3\xa9' in key 'k\xc3\xa9y' (keys use letters, "
     "digits, '_', '-' and '.')\n"
     "    6 | k\xc3\xa9y = 2\n"
     "      | ^^^\n"
     "t.ini:7: error: invalid character '#' in key 'a#b' (keys use letters, digits, '_', "
     "'-' and '.')\n"
     "    7 | a#b = 3\n"
     "      | ^^^\n"
     "t.ini:8: error: expected 'key = value', '[section]' or 'include FILE'\n"
     "    8 | just words\n"
     "      | ^^^^^^^^^^\n"
     "t.ini:9: error: expected 'key = value', '[section]' or 'include FILE'\n"
     "    9 |   x # y = z\n"
     "      |   ^\n"},
    {"keys under a bad header are skipped quietly", "[bad!]\nk = 1\nk = 1\n[ok]\nk = 2\n", 0,
     -1, "ok|k|2|t.ini:5|1:5\n", "ok@t.ini:4\n",
     "t.ini:1: error: invalid character '!' in section name 'bad!' (use letters, digits, "
     "'_', '-', '.' and one space, as in [variant NAME])\n"
     "    1 | [bad!]\n"
     "      |  ^^^^\n"},
    {"include without a file name", "[a]\ninclude\ninclude   # c\ninclude\t\n", 0, -1, "",
     NULL,
     "t.ini:2: error: missing file name after 'include'\n"
     "    2 | include\n"
     "      | ^^^^^^^\n"
     "t.ini:3: error: missing file name after 'include'\n"
     "    3 | include   # c\n"
     "      | ^^^^^^^\n"
     "t.ini:4: error: missing file name after 'include'\n"
     "    4 | include\t\n"
     "      | ^^^^^^^\n"},
    {"'includes' is not an include", "[a]\nincludes x\n", 0, -1, "", NULL,
     "t.ini:2: error: expected 'key = value', '[section]' or 'include FILE'\n"
     "    2 | includes x\n"
     "      | ^^^^^^^^^^\n"},
    {"missing include, relative to the current directory",
     "[a]\ninclude no_such_file.ini # c\nk = 1\n", 0, -1, "a|k|1|t.ini:3|1:5\n", NULL,
     "t.ini:2: error: cannot open include file 'no_such_file.ini': No such file or "
     "directory\n"
     "    2 | include no_such_file.ini # c\n"
     "      |         ^^^^^^^^^^^^^^^^\n"},
};

static void run_string_case(const struct string_case *c, const char *name)
{
    ini_doc doc;
    ini_init(&doc);
    diag_list d;
    diag_init(&d);
    size_t len = c->len ? c->len : strlen(c->text);
    int rc = ini_read_mem(&doc, name, c->text, len, &d);
    ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->what, rc, c->rc);
    expect_doc(&doc, &d, c->entries, c->sections, c->diags);
    ck_assert_uint_eq(diag_errors(&d) > 0, c->rc != 0);
    if (!c->len) {
        /* the NUL-terminated entry point reads the same */
        ini_doc doc2 = {0};
        diag_list d2;
        diag_init(&d2);
        ck_assert_int_eq(ini_read_string(&doc2, name, c->text, &d2), c->rc);
        expect_doc(&doc2, &d2, c->entries, c->sections, c->diags);
        ini_fini(&doc2);
        diag_fini(&d2);
    }
    ini_fini(&doc);
    diag_fini(&d);
}

START_TEST(test_string_cases)
{
    run_string_case(&string_cases[_i], "t.ini");
}
END_TEST

/* ---------------------------------------------------------------- files */

static const struct file_case {
    const char *path;
    int rc;
    const char *entries;
    const char *sections;
    const char *diags;
} file_cases[] = {
    {DATA "good.ini", 0,
     "scenario|duration|60s|" DATA "good.ini:5|1:16\n"
     "scenario|warmup|5s|" DATA "good.ini:6|1:16\n"
     "scenario|slo|p99 < 20ms|" DATA "good.ini:7|1:16\n"
     "scenario|label|a;b#c|" DATA "good.ini:8|1:16\n"
     "app|type|clients|" DATA "good.ini:11|1:14\n"
     "app|rate|4000/s|" DATA "good.ini:12|2:9\n"
     "app|read_ratio|0.9|" DATA "parts/app_extra.ini:2|1:14\n"
     "app|keys|zipf(0.99, 1M)|" DATA "parts/more.ini:1|1:8\n"
     "app_side|x|1|" DATA "parts/app_extra.ini:5|1:5\n"
     "app|next|db|" DATA "good.ini:14|1:14\n"
     "db|type|cluster|" DATA "good.ini:17|1:21\n"
     "db|primary.write_time|lognormal(1.2ms, 0.6ms)|" DATA "good.ini:18|1:21\n"
     "variant semi-sync|db.replication|semi-sync(1, 10s)|" DATA "good.ini:22|1:18\n"
     "variant sync|db.replication|sync|" DATA "good.ini:24|1:18\n"
     "timeline|30s|crash db.primary|" DATA "good.ini:27|1:7\n",
     "scenario@" DATA "good.ini:4\n"
     "app@" DATA "good.ini:10\n"
     "app_side@" DATA "parts/app_extra.ini:4\n"
     "db@" DATA "good.ini:16\n"
     "variant semi-sync@" DATA "good.ini:21\n"
     "variant sync@" DATA "good.ini:23\n"
     "timeline@" DATA "good.ini:26\n",
     ""},
    {DATA "cycle_a.ini", -1,
     "scenario|seed|1|" DATA "cycle_a.ini:2|1:8\n"
     "scenario|duration|2s|" DATA "cycle_b.ini:3|1:12\n",
     "scenario@" DATA "cycle_a.ini:1\n",
     DATA "cycle_b.ini:2: error: include cycle: " DATA "cycle_a.ini -> " DATA
          "cycle_b.ini -> " DATA "cycle_a.ini\n"
          "    2 | include cycle_a.ini\n"
          "      |         ^^^^^^^^^^^\n"},
    {DATA "self.ini", -1, "", "scenario@" DATA "self.ini:1\n",
     DATA "self.ini:2: error: include cycle: " DATA "self.ini -> " DATA "self.ini\n"
          "    2 | include self.ini\n"
          "      |         ^^^^^^^^\n"},
    {DATA "missing_include.ini", -1,
     "scenario|seed|1|" DATA "missing_include.ini:2|1:8\n"
     "scenario|duration|1s|" DATA "missing_include.ini:4|1:12\n",
     NULL,
     DATA "missing_include.ini:3: error: cannot open include file '" DATA
          "does_not_exist.ini': No such file or directory\n"
          "    3 | include does_not_exist.ini\n"
          "      |         ^^^^^^^^^^^^^^^^^^\n"},
    /* several errors in one file, all reported */
    {DATA "bad.ini", -1,
     "app|type|clients|" DATA "bad.ini:3|1:8\n"
     "app|rate|100/s|" DATA "bad.ini:4|1:8\n",
     "app@" DATA "bad.ini:2\n",
     DATA "bad.ini:1: error: key 'rate' outside any section\n"
          "    1 | rate = 5\n"
          "      | ^^^^\n"
          "   put a section header such as [scenario] above it\n" DATA
          "bad.ini:5: error: duplicate key 'rate' in section [app] (first set at " DATA
          "bad.ini:4)\n"
          "    5 | rate = 200/s\n"
          "      | ^^^^\n" DATA
          "bad.ini:6: error: invalid character ' ' in key 'read ratio' (keys use letters, "
          "digits, '_', '-' and '.')\n"
          "    6 | read ratio = 0.9\n"
          "      | ^^^^^^^^^^\n" DATA
          "bad.ini:7: error: expected 'key = value', '[section]' or 'include FILE'\n"
          "    7 | just some words\n"
          "      | ^^^^^^^^^^^^^^^\n" DATA
          "bad.ini:8: error: invalid character '!' in section name 'bad name!' (use "
          "letters, digits, '_', '-', '.' and one space, as in [variant NAME])\n"
          "    8 | [bad name!]\n"
          "      |  ^^^^^^^^^\n" DATA "bad.ini:11: error: missing value for key 'empty'\n"
          "   11 | empty =\n"
          "      |        ^\n" DATA "bad.ini:12: error: missing file name after 'include'\n"
          "   12 | include\n"
          "      | ^^^^^^^\n"},
    {DATA "nul.ini", -1,
     "scenario|seed|1|" DATA "nul.ini:2|1:8\n"
     "scenario|warmup|1s|" DATA "nul.ini:4|1:10\n",
     NULL,
     DATA "nul.ini:3: error: NUL byte in line (is this a text file?)\n"
          "    3 | duration = 6?s\n"
          "      |             ^\n"},
    {DATA "crlf.ini", 0,
     "scenario|seed|1|" DATA "crlf.ini:2|1:8\n"
     "scenario|duration|60s|" DATA "crlf.ini:3|1:12\n",
     "scenario@" DATA "crlf.ini:1\n", ""},
    /* the same key from another file (here: one file included twice) is not a duplicate */
    {DATA "dup/dup_main.ini", 0,
     "app|rate|1|" DATA "dup/dup_main.ini:2|1:8\n"
     "app|rate|2|" DATA "dup/dup_inc.ini:1|1:8\n"
     "app|rate|2|" DATA "dup/dup_inc.ini:1|1:8\n",
     NULL, ""},
    {DATA "no_such.ini", -2, "", "", "command line: error: cannot open '" DATA
                                     "no_such.ini': No such file or directory\n"},
    {DATA "parts", -2, "", "", "command line: error: cannot read '" DATA
                               "parts': Is a directory\n"},
};

START_TEST(test_file_cases)
{
    const struct file_case *c = &file_cases[_i];
    ini_doc doc;
    ini_init(&doc);
    diag_list d;
    diag_init(&d);
    int rc = ini_read_file(&doc, c->path, &d);
    ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->path, rc, c->rc);
    expect_doc(&doc, &d, c->entries, c->sections, c->diags);
    ini_fini(&doc);
    diag_fini(&d);
}
END_TEST

START_TEST(test_file_entry_texts)
{
    ini_doc doc = {0};
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_file(&doc, DATA "good.ini", &d), 0);
    const ini_entry *e = ini_get(&doc, "app", "rate");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->text, "\trate = 4000/s");
    e = ini_get(&doc, "scenario", "duration");
    ck_assert_str_eq(e->text, "duration     = 60s        # one minute");
    const ini_section *s = ini_find_section(&doc, "variant sync");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->text, "[ variant sync ]   # spaces inside the brackets");
    ck_assert_int_eq(s->line, 23);
    /* entries share the section's interned name */
    ck_assert_ptr_eq(ini_get(&doc, "variant sync", "db.replication")->section, s->name);
    ck_assert_ptr_null(ini_find_section(&doc, "variant"));
    ck_assert_ptr_null(ini_find_section(&doc, "App"));
    ck_assert_ptr_null(ini_get(&doc, "app", "nope"));
    ini_fini(&doc);
    diag_fini(&d);
}
END_TEST

/* includes inside read strings are relative to the string's name */
static const struct string_case relative_cases[] = {
    {"include relative to the name's directory", "[app]\ninclude parts/more.ini\n", 0, 0,
     "app|keys|zipf(0.99, 1M)|" DATA "parts/more.ini:1|1:8\n", "app@" DATA "t.ini:1\n",
     ""},
    {"include of a directory", "[app]\ninclude parts\n", 0, -1, "", NULL,
     DATA "t.ini:2: error: include file '" DATA "parts' is not a regular file\n"
          "    2 | include parts\n"
          "      |         ^^^^^\n"},
    {"include before any section: keys in it need a header",
     "include parts/more.ini\n[a]\n", 0, -1, "", NULL,
     DATA "parts/more.ini:1: error: key 'keys' outside any section\n"
          "    1 | keys = zipf(0.99, 1M)\n"
          "      | ^^^^\n"
          "   put a section header such as [scenario] above it\n"},
    {"sections of an included file do not leak back",
     "[x]\ninclude parts/app_extra.ini\nk = 1\n", 0, 0,
     "x|read_ratio|0.9|" DATA "parts/app_extra.ini:2|1:14\n"
     "x|keys|zipf(0.99, 1M)|" DATA "parts/more.ini:1|1:8\n"
     "app_side|x|1|" DATA "parts/app_extra.ini:5|1:5\n"
     "x|k|1|" DATA "t.ini:3|1:5\n",
     "x@" DATA "t.ini:1\napp_side@" DATA "parts/app_extra.ini:4\n", ""},
};

START_TEST(test_relative_cases)
{
    run_string_case(&relative_cases[_i], DATA "t.ini");
}
END_TEST

START_TEST(test_absolute_include)
{
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char text[PATH_MAX + 64], abs[PATH_MAX + 32];
    snprintf(abs, sizeof abs, "%s/" DATA "parts/more.ini", cwd);
    snprintf(text, sizeof text, "[a]\ninclude %s\n", abs);
    ini_doc doc = {0};
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_string(&doc, "elsewhere/t.ini", text, &d), 0);
    ck_assert_uint_eq(doc.n_entries, 1);
    ck_assert_str_eq(doc.entries[0].file, abs);
    ck_assert_str_eq(doc.entries[0].value, "zipf(0.99, 1M)");
    ini_fini(&doc);
    diag_fini(&d);
}
END_TEST

/* A chain of 40 files, each including the next: the 32nd cannot include the 33rd. */
START_TEST(test_include_depth)
{
    char dir[] = "/tmp/dbscale_ini_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "%s/d%d.ini", dir, i);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "k%d = %d\ninclude d%d.ini\n", i, i, i + 1);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/d0.ini", dir);
    char text[256];
    snprintf(text, sizeof text, "[a]\ninclude %s\n", path);
    ini_doc doc = {0};
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_string(&doc, "top.ini", text, &d), -1);
    /* top.ini is depth 1, d0..d30 are depths 2..32: 31 entries, then d30 stops */
    ck_assert_uint_eq(doc.n_entries, 31);
    ck_assert_uint_eq(diag_errors(&d), 1);
    snprintf(path, sizeof path, "%s/d30.ini", dir);
    ck_assert_str_eq(d.items[0].file, path);
    ck_assert_int_eq(d.items[0].line, 2);
    snprintf(text, sizeof text, "includes nested more than 32 deep at '%s/d31.ini'", dir);
    ck_assert_str_eq(d.items[0].message, text);
    ini_fini(&doc);
    diag_fini(&d);
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "%s/d%d.ini", dir, i);
        ck_assert_int_eq(unlink(path), 0);
    }
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---------------------------------------------------------------- API */

START_TEST(test_add_find_get)
{
    ini_doc doc;
    ini_init(&doc);
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_string(&doc, "a.ini", "[app]\nrate = 5\n", &d), 0);
    char section[] = "app", key[] = "rate", value[] = "7/s";
    ck_assert_int_eq(ini_add(&doc, section, key, value, NULL, 0, "--set app.rate=7/s"), 0);
    ck_assert_int_eq(ini_add(&doc, "db", "replicas", "3", NULL, 0, NULL), 0);
    strcpy(value, "xxx"); /* ini_add copied it */
    ck_assert_uint_eq(doc.n_entries, 3);
    ck_assert_uint_eq(doc.n_sections, 2);
    const ini_entry *e = ini_get(&doc, "app", "rate");
    ck_assert_str_eq(e->value, "7/s");
    ck_assert_ptr_null(e->file);
    ck_assert_int_eq(e->key_col, -1);
    ck_assert_int_eq(e->value_col, -1);
    ck_assert_str_eq(e->text, "--set app.rate=7/s");
    ck_assert_ptr_eq(e->section, doc.sections[0].name);
    const ini_section *s = ini_find_section(&doc, "db");
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(s->file);
    ck_assert_ptr_null(s->text);
    ck_assert_str_eq(ini_get(&doc, "db", "replicas")->value, "3");
    /* a second reading into the same doc: the same key again is an override, not a
     * duplicate, and the later entry wins */
    ck_assert_int_eq(ini_read_string(&doc, "b.ini", "[app]\nrate = 9\n", &d), 0);
    ck_assert_str_eq(ini_get(&doc, "app", "rate")->value, "9");
    ck_assert_str_eq(ini_get(&doc, "app", "rate")->file, "b.ini");
    ck_assert_uint_eq(doc.n_sections, 2);
    ck_assert_uint_eq(diag_errors(&d), 0);
    ini_fini(&doc);
    ck_assert_uint_eq(doc.n_entries, 0);
    ck_assert_ptr_null(ini_find_section(&doc, "app"));
    ck_assert_ptr_null(ini_get(&doc, "app", "rate"));
    diag_fini(&d);
}
END_TEST

/* Many sections and keys (the hash tables grow), then duplicates at the very end. */
START_TEST(test_many_entries)
{
    const int n_sec = 2000, n_key = 10;
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (int s = 0; s < n_sec; s++) {
        len += (size_t)snprintf(text + len, cap - len, "[s%d]\n", s);
        for (int k = 0; k < n_key; k++)
            len += (size_t)snprintf(text + len, cap - len, "k%d = %d\n", k, s * n_key + k);
    }
    len += (size_t)snprintf(text + len, cap - len, "[s7]\nk3 = again\n[s1999]\nk9 = again\n");
    ck_assert_uint_lt(len, cap);
    ini_doc doc = {0};
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_string(&doc, "big.ini", text, &d), -1);
    ck_assert_uint_eq(doc.n_entries, (size_t)(n_sec * n_key));
    ck_assert_uint_eq(doc.n_sections, (size_t)n_sec);
    ck_assert_uint_eq(diag_errors(&d), 2);
    /* k3 of s7 is on line 7 * 11 + 5 */
    ck_assert_str_eq(d.items[0].message,
                     "duplicate key 'k3' in section [s7] (first set at big.ini:82)");
    ck_assert_str_eq(d.items[1].message,
                     "duplicate key 'k9' in section [s1999] (first set at big.ini:22000)");
    ck_assert_str_eq(ini_get(&doc, "s1234", "k5")->value, "12345");
    ck_assert_int_eq(ini_find_section(&doc, "s1234")->line, 1234 * 11 + 1);
    ini_fini(&doc);
    diag_fini(&d);
    free(text);
}
END_TEST

START_TEST(test_long_line)
{
    size_t n = 300000;
    char *text = malloc(n + 64);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "[a]\nk = ");
    size_t at = strlen(text);
    memset(text + at, 'v', n);
    strcpy(text + at + n, " # c\nk2 = x\n");
    ini_doc doc = {0};
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_string(&doc, "t.ini", text, &d), 0);
    ck_assert_uint_eq(doc.n_entries, 2);
    ck_assert_uint_eq(strlen(doc.entries[0].value), n);
    ck_assert_int_eq(doc.entries[0].value[n - 1], 'v');
    ck_assert_str_eq(doc.entries[1].value, "x");
    ck_assert_int_eq(doc.entries[1].line, 3);
    ini_fini(&doc);
    diag_fini(&d);
    free(text);
}
END_TEST

START_TEST(test_error_cap)
{
    char text[1024] = "[a]\n";
    for (int i = 0; i < 70; i++) strcat(text, "bad\n");
    strcat(text, "k = 1\n");
    ini_doc doc = {0};
    diag_list d;
    diag_init(&d);
    ck_assert_int_eq(ini_read_string(&doc, "t.ini", text, &d), -1);
    /* 50 errors on lines 2..51, then one message at line 52 and nothing after */
    ck_assert_uint_eq(diag_errors(&d), 51);
    ck_assert_int_eq(d.items[49].line, 51);
    ck_assert_int_eq(d.items[50].line, 52);
    ck_assert_str_eq(d.items[50].message, "too many errors in 't.ini', skipping the rest of it");
    ck_assert_uint_eq(doc.n_entries, 0);
    ini_fini(&doc);
    diag_fini(&d);
}
END_TEST

/* Every input in the fuzz corpus reads without crashing, entries agree with their lines,
 * and the result is an error exactly when messages say so. */
START_TEST(test_fuzz_corpus_replay)
{
    const char *dir = "fuzz/corpus/ini";
    DIR *dp = opendir(dir);
    ck_assert_msg(dp != NULL, "cannot open %s", dir);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            if (len == cap) {
                cap = cap ? 2 * cap : 4096;
                buf = realloc(buf, cap);
                ck_assert_ptr_nonnull(buf);
            }
            size_t got = fread(buf + len, 1, cap - len, f);
            if (!got) break;
            len += got;
        }
        fclose(f);
        ini_doc doc = {0};
        diag_list d;
        diag_init(&d);
        int rc = ini_read_mem(&doc, path, buf, len, &d);
        ck_assert_int_eq(rc != 0, diag_errors(&d) > 0);
        free(dump_entries(&doc));
        free(dump_sections(&doc));
        free(dump_diags(&d));
        ini_fini(&doc);
        diag_fini(&d);
        free(buf);
        files++;
    }
    closedir(dp);
    ck_assert_int_ge(files, 12);
}
END_TEST

Suite *ini_suite(void)
{
    Suite *s = suite_create("ini");
    TCase *tc = tcase_create("strings");
    tcase_add_loop_test(tc, test_string_cases, 0,
                        (int)(sizeof string_cases / sizeof string_cases[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_loop_test(tc, test_file_cases, 0,
                        (int)(sizeof file_cases / sizeof file_cases[0]));
    tcase_add_test(tc, test_file_entry_texts);
    tcase_add_loop_test(tc, test_relative_cases, 0,
                        (int)(sizeof relative_cases / sizeof relative_cases[0]));
    tcase_add_test(tc, test_absolute_include);
    tcase_add_test(tc, test_include_depth);
    suite_add_tcase(s, tc);

    tc = tcase_create("api");
    tcase_add_test(tc, test_add_find_get);
    tcase_add_test(tc, test_many_entries);
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_error_cap);
    tcase_add_test(tc, test_fuzz_corpus_replay);
    suite_add_tcase(s, tc);
    return s;
}
