/* ini.h: the scenario-file reader (the INI layer of the scenario language).
 *
 * Reads fio-style INI text into a flat list of entries that remember where they were
 * written (file, line, columns, the whole line), so that every later error can point at
 * its line. It knows nothing about station kinds or keys: mapping entries onto option
 * tables is the caller's job.
 *
 * Syntax, one construct per line:
 *   [section]          letters, digits, '_', '-', '.'; at most one single space inside,
 *   [variant NAME]     as in "variant NAME"; spaces just inside the brackets are ignored
 *   key = value        key: letters, digits, '_', '-', '.' (e.g. "rate", "primary.cores",
 *                      "db.replication", "30s"); value: everything after the first '=',
 *                      trimmed; an empty value is an error
 *   include FILE       at top level or inside a section; FILE is relative to the directory
 *                      of the including file (absolute paths are taken as they are)
 *   # comment, ; comment
 *   blank lines
 * '#' and ';' start a comment at the start of a line or anywhere after whitespace
 * ("rate = 5 # note"); with no whitespace before them they are part of the text
 * ("url = a;b" keeps "a;b"). Lines may be of any length; CRLF line ends and a UTF-8
 * byte-order mark are accepted; NUL bytes, other control characters (except tab) and
 * invalid UTF-8 are errors.
 *
 * Choices made here:
 *   - Keys and section names are kept as written and compared case-sensitively. The
 *     reader does not warn about upper case (a dotted key may start with a station name,
 *     which the user chooses); the caller reports unknown keys with a suggestion.
 *   - An included file starts in the section that is current at the include line, and its
 *     own section headers do not leak back: after the include, the including file is
 *     still in the section it was in.
 *   - A section may be opened more than once; doc->sections lists each name once (where
 *     it first appeared). The same key twice in one section of one reading of a file is
 *     an error; the same key in different files (e.g. an include, then an override) is
 *     allowed, and entries keep reading order so the later one can win (ini_get).
 *   - A line with an error adds nothing; keys under a bad section header are skipped
 *     silently (one mistake, one message). After 50 errors in one file the rest of that
 *     file is skipped with a message saying so.
 *   - Includes must name regular files (no devices or pipes); cycles are reported with the
 *     chain of files, and nesting deeper than 32 files is an error.
 */
#ifndef DBSCALE_INI_H
#define DBSCALE_INI_H

#include <stddef.h>

#include "cli/diag.h"

typedef struct ini_entry {
    const char *section;  /* section name as written, e.g. "app", "variant sync", "timeline" */
    const char *key;      /* e.g. "rate", "primary.cores", "db.replication", "30s" */
    const char *value;    /* comment stripped, trimmed, never empty from a file */
    const char *file;     /* file (or name given to ini_read_string); NULL from ini_add */
    int line;             /* 1-based line in file; as given to ini_add */
    const char *text;     /* the whole source line without its line end, or NULL */
    int key_col;          /* 1-based byte column of key in text; -1 when unknown */
    int value_col;        /* 1-based byte column of value in text; -1 when unknown */
} ini_entry;

typedef struct ini_section {
    const char *name;  /* as written, without brackets; interned (entries share it) */
    const char *file;  /* where it first appeared */
    int line;          /* line of its first header */
    const char *text;  /* that header line (from ini_add: the text given, maybe NULL) */
} ini_section;

struct ini_block;

typedef struct ini_doc {
    ini_entry *entries;       /* in reading order */
    size_t n_entries;         /* entries held */
    ini_section *sections;    /* distinct section names, in order of first appearance */
    size_t n_sections;        /* sections held */
    /* private */
    size_t cap_entries;       /* allocated slots in entries */
    size_t cap_sections;      /* allocated slots in sections */
    unsigned *entry_read;     /* per entry: which reading of a file it came from (0: ini_add) */
    unsigned reads;           /* readings of files and strings so far */
    size_t *sec_map;          /* hash of section names: index + 1, 0 empty */
    size_t sec_map_cap;       /* slots in sec_map (power of two or 0) */
    size_t *key_map;          /* hash of (reading, section, key): entry index + 1, 0 empty */
    size_t key_map_cap;       /* slots in key_map (power of two or 0) */
    struct ini_block *arena;  /* every string of the doc lives here */
} ini_doc;

/* Makes doc empty. O(1). A doc set to all zeros ({0}) is also empty and valid. */
void ini_init(ini_doc *doc);

/* Frees everything the doc owns; every pointer obtained from it becomes invalid. The doc
 * is left empty. O(size of the doc). */
void ini_fini(ini_doc *doc);

/* Reads the file at path and appends its entries and sections (and those of the files it
 * includes) to doc. Problems are added to diags, reading goes on after an error, so
 * every error in the file is reported. Returns 0 when no error was added (warnings may
 * have been), -1 when errors were added, -2 when path itself cannot be opened or read
 * (a message is added too; the caller maps -2 to exit code 66). Cost: linear in the
 * size of the text read, plus file-system calls per include. */
int ini_read_file(ini_doc *doc, const char *path, diag_list *diags);

/* As ini_read_file, for a NUL-terminated string; name is used as the file name of its
 * entries and messages, and includes are relative to name's directory. Returns 0 or -1. */
int ini_read_string(ini_doc *doc, const char *name, const char *text, diag_list *diags);

/* As ini_read_string, for len bytes that may contain NUL bytes (reported as errors). */
int ini_read_mem(ini_doc *doc, const char *name, const char *data, size_t len,
                 diag_list *diags);

/* Appends one entry (copies every string; file and text may be NULL; key_col and
 * value_col are set to -1), adding the section to doc->sections if it is new (with this
 * file, line and text). No syntax
 * checks and no duplicate check: used for --set, whose entries override by coming last.
 * May move doc->entries and doc->sections. Returns 0. Amortised O(string lengths). */
int ini_add(ini_doc *doc, const char *section, const char *key, const char *value,
            const char *file, int line, const char *text);

/* The section called name (exact match), or NULL. O(length of name) expected. */
const ini_section *ini_find_section(const ini_doc *doc, const char *name);

/* The last entry with this section and key (the one that wins), or NULL. O(n_entries). */
const ini_entry *ini_get(const ini_doc *doc, const char *section, const char *key);

#endif
