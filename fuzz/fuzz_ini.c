/* fuzz_ini.c: libFuzzer harness for the scenario-file reader and the diagnostics printer.
 *
 * Build and run (from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_ini.c cli/ini.c cli/diag.c \
 *         -o build/fuzz_ini
 *   build/fuzz_ini -max_total_time=120 -max_len=4096 fuzz/corpus/ini
 * Each input is read twice: as bytes (ini_read_mem, NUL bytes included) and as a C
 * string (ini_read_string, up to the first NUL). Entries are checked against the line
 * they came from, diagnostics are printed to /dev/null, and keys are fed to
 * diag_suggest. Includes are followed relative to the current directory, so run it from
 * a scratch directory; to let it reach include cycles, put there
 *   a.ini: "[b]\nx = 1\ninclude b.ini\n"   b.ini: "y = 2\ninclude a.ini\n"
 *   dir/x.ini: "z = 3\ninclude ../a.ini\n"
 * (the seed corpus fuzz/corpus/ini/ names these files). tests/check_ini.c replays the
 * corpus in every `make test`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/diag.h"
#include "cli/ini.h"

static const char *const fuzz_keys[] = {"type", "rate", "read_ratio", "replicas",
                                        "replication", "next", "primary.cores"};

static void check_doc(const ini_doc *doc, const diag_list *d)
{
    for (size_t i = 0; i < doc->n_entries; i++) {
        const ini_entry *e = &doc->entries[i];
        if (!e->section || !e->key || !e->value || !e->file || !e->text) abort();
        if (!*e->key || !*e->value) abort();
        if (e->key_col < 1 || e->value_col <= e->key_col) abort();
        if (strncmp(e->text + e->key_col - 1, e->key, strlen(e->key)) != 0) abort();
        if (strncmp(e->text + e->value_col - 1, e->value, strlen(e->value)) != 0) abort();
        if (!ini_find_section(doc, e->section)) abort();
        if (ini_get(doc, e->section, e->key) == NULL) abort();
        (void)diag_suggest(e->key, fuzz_keys, sizeof fuzz_keys / sizeof fuzz_keys[0]);
    }
    for (size_t i = 0; i < doc->n_sections; i++)
        if (ini_find_section(doc, doc->sections[i].name) != &doc->sections[i]) abort();
    static FILE *null_out;
    if (!null_out) null_out = fopen("/dev/null", "w");
    if (null_out) diag_print(d, null_out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ini_doc doc;
    diag_list d;

    ini_init(&doc);
    diag_init(&d);
    int rc = ini_read_mem(&doc, "fuzz.ini", (const char *)data, size, &d);
    if ((rc != 0) != (diag_errors(&d) > 0)) abort();
    check_doc(&doc, &d);
    ini_fini(&doc);
    diag_fini(&d);

    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ini_init(&doc);
    diag_init(&d);
    rc = ini_read_string(&doc, "dir/fuzz.ini", text, &d);
    if ((rc != 0) != (diag_errors(&d) > 0)) abort();
    check_doc(&doc, &d);
    ini_add(&doc, "app", "rate", text, NULL, 0, text);
    if (ini_get(&doc, "app", "rate") == NULL) abort();
    ini_fini(&doc);
    diag_fini(&d);
    free(text);
    return 0;
}
