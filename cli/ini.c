/* ini.c: the line-oriented INI reader behind scenario files (see ini.h for the syntax). */
#include "cli/ini.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    INI_MAX_DEPTH = 32,         /* files open at once through includes */
    INI_MAX_ERRORS = 50,        /* errors in one file before the rest is skipped */
    INI_BLOCK_SIZE = 16 * 1024  /* usual arena block */
};

/* ---------------------------------------------------------------- memory */

struct ini_block {
    struct ini_block *next;  /* older block */
    size_t used;             /* bytes handed out */
    size_t cap;              /* bytes in data */
    char data[];             /* the strings */
};

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fputs("dbscale: out of memory\n", stderr);
        abort();
    }
    return q;
}

static char *arena_alloc(ini_doc *doc, size_t n)
{
    struct ini_block *b = doc->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > INI_BLOCK_SIZE ? n : INI_BLOCK_SIZE;
        b = xrealloc(NULL, sizeof *b + cap);
        b->next = doc->arena;
        b->used = 0;
        b->cap = cap;
        doc->arena = b;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

static const char *arena_strndup(ini_doc *doc, const char *s, size_t n)
{
    char *p = arena_alloc(doc, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static const char *arena_strdup(ini_doc *doc, const char *s)
{
    return s ? arena_strndup(doc, s, strlen(s)) : NULL;
}

void ini_init(ini_doc *doc)
{
    memset(doc, 0, sizeof *doc);
}

void ini_fini(ini_doc *doc)
{
    struct ini_block *b = doc->arena;
    while (b) {
        struct ini_block *next = b->next;
        free(b);
        b = next;
    }
    free(doc->entries);
    free(doc->entry_read);
    free(doc->sections);
    free(doc->sec_map);
    free(doc->key_map);
    ini_init(doc);
}

/* ---------------------------------------------------------------- hashing */

static uint64_t hash_n(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static uint64_t hash_key(unsigned read, const char *section, const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ read;
    h = (h ^ (uint64_t)(uintptr_t)section) * 0x100000001b3ULL;
    return hash_n(h, key, strlen(key));
}

static uint64_t hash_name(const char *name, size_t n)
{
    return hash_n(0xcbf29ce484222325ULL, name, n);
}

/* Index of the section called name (n bytes), or SIZE_MAX. */
static size_t sec_find_index(const ini_doc *doc, const char *name, size_t n)
{
    if (!doc->sec_map_cap) return SIZE_MAX;
    size_t mask = doc->sec_map_cap - 1;
    for (size_t i = hash_name(name, n) & mask;; i = (i + 1) & mask) {
        size_t v = doc->sec_map[i];
        if (!v) return SIZE_MAX;
        const char *have = doc->sections[v - 1].name;
        if (strncmp(have, name, n) == 0 && have[n] == '\0') return v - 1;
    }
}

static void sec_map_put(ini_doc *doc, size_t index)
{
    size_t mask = doc->sec_map_cap - 1;
    const char *name = doc->sections[index].name;
    size_t i = hash_name(name, strlen(name)) & mask;
    while (doc->sec_map[i]) i = (i + 1) & mask;
    doc->sec_map[i] = index + 1;
}

/* The interned name of section name (len bytes), adding the section (first seen at
 * file:line, text) when it is new. */
static const char *sec_intern(ini_doc *doc, const char *name, size_t len, const char *file,
                              int line, const char *text)
{
    size_t k = sec_find_index(doc, name, len);
    if (k != SIZE_MAX) return doc->sections[k].name;

    if (doc->n_sections == doc->cap_sections) {
        doc->cap_sections = doc->cap_sections ? doc->cap_sections * 2 : 16;
        doc->sections = xrealloc(doc->sections, doc->cap_sections * sizeof *doc->sections);
    }
    if ((doc->n_sections + 1) * 2 > doc->sec_map_cap) {
        free(doc->sec_map);
        doc->sec_map_cap = doc->sec_map_cap ? doc->sec_map_cap * 2 : 32;
        doc->sec_map = xrealloc(NULL, doc->sec_map_cap * sizeof *doc->sec_map);
        memset(doc->sec_map, 0, doc->sec_map_cap * sizeof *doc->sec_map);
        for (size_t i = 0; i < doc->n_sections; i++) sec_map_put(doc, i);
    }
    ini_section *s = &doc->sections[doc->n_sections];
    s->name = arena_strndup(doc, name, len);
    s->file = file;
    s->line = line;
    s->text = text;
    sec_map_put(doc, doc->n_sections++);
    return s->name;
}

/* Index of the entry with this (reading, interned section, key), or SIZE_MAX. */
static size_t key_find(const ini_doc *doc, unsigned read, const char *section,
                       const char *key)
{
    if (!doc->key_map_cap) return SIZE_MAX;
    size_t mask = doc->key_map_cap - 1;
    for (size_t i = hash_key(read, section, key) & mask;; i = (i + 1) & mask) {
        size_t v = doc->key_map[i];
        if (!v) return SIZE_MAX;
        const ini_entry *e = &doc->entries[v - 1];
        if (doc->entry_read[v - 1] == read && e->section == section &&
            strcmp(e->key, key) == 0)
            return v - 1;
    }
}

static void key_map_put(ini_doc *doc, size_t index)
{
    size_t mask = doc->key_map_cap - 1;
    const ini_entry *e = &doc->entries[index];
    size_t i = hash_key(doc->entry_read[index], e->section, e->key) & mask;
    while (doc->key_map[i]) i = (i + 1) & mask;
    doc->key_map[i] = index + 1;
}

/* Appends an entry whose strings already live in the arena; read 0 means "not from a
 * file reading" (no duplicate checks). */
static void add_entry(ini_doc *doc, const ini_entry *e, unsigned read)
{
    if (doc->n_entries == doc->cap_entries) {
        doc->cap_entries = doc->cap_entries ? doc->cap_entries * 2 : 64;
        doc->entries = xrealloc(doc->entries, doc->cap_entries * sizeof *doc->entries);
        doc->entry_read =
            xrealloc(doc->entry_read, doc->cap_entries * sizeof *doc->entry_read);
    }
    size_t index = doc->n_entries++;
    doc->entries[index] = *e;
    doc->entry_read[index] = read;
    if (!read) return;
    if (doc->n_entries * 2 > doc->key_map_cap) {
        free(doc->key_map);
        doc->key_map_cap = doc->key_map_cap ? doc->key_map_cap * 2 : 128;
        while (doc->n_entries * 2 > doc->key_map_cap) doc->key_map_cap *= 2;
        doc->key_map = xrealloc(NULL, doc->key_map_cap * sizeof *doc->key_map);
        memset(doc->key_map, 0, doc->key_map_cap * sizeof *doc->key_map);
        for (size_t i = 0; i < doc->n_entries; i++)
            if (doc->entry_read[i]) key_map_put(doc, i);
    } else {
        key_map_put(doc, index);
    }
}

int ini_add(ini_doc *doc, const char *section, const char *key, const char *value,
            const char *file, int line, const char *text)
{
    ini_entry e;
    e.file = arena_strdup(doc, file);
    e.text = arena_strdup(doc, text);
    e.section = sec_intern(doc, section, strlen(section), e.file, line, e.text);
    e.key = arena_strdup(doc, key);
    e.value = arena_strdup(doc, value);
    e.line = line;
    e.key_col = -1;
    e.value_col = -1;
    add_entry(doc, &e, 0);
    return 0;
}

const ini_section *ini_find_section(const ini_doc *doc, const char *name)
{
    size_t k = sec_find_index(doc, name, strlen(name));
    return k == SIZE_MAX ? NULL : &doc->sections[k];
}

const ini_entry *ini_get(const ini_doc *doc, const char *section, const char *key)
{
    for (size_t i = doc->n_entries; i-- > 0;) {
        const ini_entry *e = &doc->entries[i];
        if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0) return e;
    }
    return NULL;
}

/* ---------------------------------------------------------------- reading */

/* One file (or string) being read; frames link to the file that included them. */
typedef struct frame {
    const char *name;            /* as shown in messages; in the arena */
    int has_id;                  /* dev and ino are known (a real file) */
    dev_t dev;                   /* device of the file */
    ino_t ino;                   /* inode of the file */
    const struct frame *parent;  /* the including file, or NULL */
    int depth;                   /* 1 for the top-level file */
} frame;

typedef struct reader {
    ini_doc *doc;            /* where entries go */
    diag_list *diags;        /* where messages go */
    const frame *fr;         /* the file being read */
    unsigned read;           /* this reading's number (for duplicate keys) */
    const char *section;     /* current section (interned), or NULL */
    int bad_section;         /* the last header was wrong: skip keys quietly */
    int errors;              /* errors reported in this file */
    int line;                /* current line number */
    const char *text;        /* current line, NUL-terminated (scratch or arena) */
    const char *arena_text;  /* arena copy of the current line, made on demand */
} reader;

static int is_ws(char c) { return c == ' ' || c == '\t'; }

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

static int col_of(size_t offset)
{
    return offset >= (size_t)INT_MAX ? INT_MAX : (int)offset + 1;
}

static int len_of(size_t n)
{
    return n >= (size_t)INT_MAX ? INT_MAX : (int)n;
}

static void rd_error(reader *rd, size_t offset, size_t len, const char *fmt, ...)
    DIAG_PRINTF(4, 5);

/* Reports an error on the current line, marking len bytes from offset. */
static void rd_error(reader *rd, size_t offset, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(rd->diags, DIAG_ERROR, rd->fr->name, rd->line, rd->text, col_of(offset),
              len_of(len), fmt, ap);
    va_end(ap);
    rd->errors++;
}

static const char *rd_text(reader *rd)
{
    if (!rd->arena_text) rd->arena_text = arena_strdup(rd->doc, rd->text);
    return rd->arena_text;
}

/* Describes the character at s for a message: 'x', or "a tab". */
static void char_desc(char *buf, size_t size, const char *s)
{
    if (*s == '\t') {
        snprintf(buf, size, "a tab");
        return;
    }
    size_t n = diag_utf8_seq(s, strlen(s));
    if (n == 0) n = 1;
    snprintf(buf, size, "'%.*s'", (int)n, s);
}

/* Checks the raw bytes of a line; reports the first problem. Returns 0 when clean. */
static int check_bytes(reader *rd, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0) {
            rd_error(rd, i, 1, "NUL byte in line (is this a text file?)");
            return -1;
        }
        if (c == '\r') {
            rd_error(rd, i, 1, "carriage return inside a line (only CRLF or LF line ends)");
            return -1;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            rd_error(rd, i, 1, "control character 0x%02x in line", c);
            return -1;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = diag_utf8_seq(s + i, n - i);
        if (!len) {
            rd_error(rd, i, 1, "invalid UTF-8 byte 0x%02x in line (save the file as UTF-8)",
                     c);
            return -1;
        }
        i += len;
    }
    return 0;
}

static void parse_header(reader *rd, size_t start, size_t end)
{
    const char *s = rd->text;
    const char *rb = memchr(s + start, ']', end - start);
    rd->section = NULL;
    rd->bad_section = 1;
    if (!rb) {
        rd_error(rd, start, end - start, "missing ']' in section header");
        return;
    }
    size_t close = (size_t)(rb - s);
    size_t a = start + 1, b = close;
    while (a < b && is_ws(s[a])) a++;
    while (b > a && is_ws(s[b - 1])) b--;
    int n = len_of(b - a);
    if (a == b) {
        rd_error(rd, start, close + 1 - start, "empty section name");
        return;
    }
    int spaces = 0;
    for (size_t i = a; i < b; i++) {
        if (s[i] == ' ') {
            spaces++;
            continue;
        }
        if (!is_name_char(s[i])) {
            char c[16];
            char_desc(c, sizeof c, s + i);
            rd_error(rd, a, b - a,
                     "invalid character %s in section name '%.*s' (use letters, digits, "
                     "'_', '-', '.' and one space, as in [variant NAME])",
                     c, n, s + a);
            return;
        }
    }
    if (spaces > 1) {
        rd_error(rd, a, b - a,
                 "section name '%.*s' has more than one space (only names like "
                 "[variant NAME] have one)",
                 n, s + a);
        return;
    }
    /* The name is good: enter the section even if text follows, so that the keys
     * below it are still checked. */
    rd->section = sec_intern(rd->doc, s + a, b - a, rd->fr->name, rd->line, rd_text(rd));
    rd->bad_section = 0;
    size_t r = close + 1;
    while (r < end && is_ws(s[r])) r++;
    if (r < end)
        rd_error(rd, r, end - r, "unexpected text '%.*s' after section header [%.*s]",
                 len_of(end - r), s + r, n, s + a);
}

static void parse_keyval(reader *rd, size_t start, size_t eq, size_t end)
{
    const char *s = rd->text;
    size_t kend = eq;
    while (kend > start && is_ws(s[kend - 1])) kend--;
    if (kend == start) {
        rd_error(rd, eq, 1, "missing key before '='");
        return;
    }
    int klen = len_of(kend - start);
    for (size_t i = start; i < kend; i++) {
        if (!is_name_char(s[i])) {
            char c[16];
            char_desc(c, sizeof c, s + i);
            rd_error(rd, start, kend - start,
                     "invalid character %s in key '%.*s' (keys use letters, digits, '_', "
                     "'-' and '.')",
                     c, klen, s + start);
            return;
        }
    }
    size_t v = eq + 1;
    while (v < end && is_ws(s[v])) v++;
    if (v == end) {
        rd_error(rd, eq + 1, 1, "missing value for key '%.*s'", klen, s + start);
        return;
    }
    if (rd->bad_section) return;
    if (!rd->section) {
        rd_error(rd, start, kend - start,
                 "key '%.*s' outside any section\nput a section header such as [scenario] "
                 "above it",
                 klen, s + start);
        return;
    }
    ini_doc *doc = rd->doc;
    const char *key = arena_strndup(doc, s + start, kend - start);
    size_t first = key_find(doc, rd->read, rd->section, key);
    if (first != SIZE_MAX) {
        rd_error(rd, start, kend - start,
                 "duplicate key '%s' in section [%s] (first set at %s:%d)", key,
                 rd->section, doc->entries[first].file, doc->entries[first].line);
        return;
    }
    ini_entry e;
    e.section = rd->section;
    e.key = key;
    e.value = arena_strndup(doc, s + v, end - v);
    e.file = rd->fr->name;
    e.line = rd->line;
    e.text = rd_text(rd);
    e.key_col = col_of(start);
    e.value_col = col_of(v);
    add_entry(doc, &e, rd->read);
}

/* Reads all of f into a malloc'd buffer. Returns 0, or an errno value. */
static int read_all(FILE *f, char **data, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        if (n == cap) buf = xrealloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int err = errno ? errno : EIO;
        free(buf);
        return err;
    }
    *data = buf;
    *len = n;
    return 0;
}

static void read_text(ini_doc *doc, diag_list *diags, const frame *fr, const char *section,
                      int bad_section, const char *data, size_t len);

static void parse_include(reader *rd, size_t at, size_t start, size_t end)
{
    const char *s = rd->text;
    ini_doc *doc = rd->doc;
    size_t n = end - start;
    const char *from = rd->fr->name;
    const char *slash = s[start] == '/' ? NULL : strrchr(from, '/');
    size_t dir = slash ? (size_t)(slash - from) + 1 : 0;
    char *path = arena_alloc(doc, dir + n + 1);
    memcpy(path, from, dir);
    memcpy(path + dir, s + start, n);
    path[dir + n] = '\0';

    if (rd->fr->depth >= INI_MAX_DEPTH) {
        rd_error(rd, at, end - at, "includes nested more than %d deep at '%s'",
                 INI_MAX_DEPTH, path);
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        rd_error(rd, start, n, "cannot open include file '%s': %s", path, strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        rd_error(rd, start, n, "include file '%s' is not a regular file", path);
        return;
    }
    for (const frame *f = rd->fr; f; f = f->parent) {
        if (!f->has_id || f->dev != st.st_dev || f->ino != st.st_ino) continue;
        /* chain: f, ..., rd->fr, path */
        size_t total = strlen(path) + 1;
        for (const frame *g = rd->fr;; g = g->parent) {
            total += strlen(g->name) + 4;
            if (g == f) break;
        }
        char *chain = xrealloc(NULL, total);
        size_t pos = total - 1;
        chain[pos] = '\0';
        pos -= strlen(path);
        memcpy(chain + pos, path, strlen(path));
        for (const frame *g = rd->fr;; g = g->parent) {
            pos -= 4;
            memcpy(chain + pos, " -> ", 4);
            pos -= strlen(g->name);
            memcpy(chain + pos, g->name, strlen(g->name));
            if (g == f) break;
        }
        rd_error(rd, start, n, "include cycle: %s", chain + pos);
        free(chain);
        return;
    }
    FILE *file = fopen(path, "rb");
    if (!file) {
        rd_error(rd, start, n, "cannot open include file '%s': %s", path, strerror(errno));
        return;
    }
    char *data = NULL;
    size_t len = 0;
    int err = read_all(file, &data, &len);
    fclose(file);
    if (err) {
        rd_error(rd, start, n, "cannot read include file '%s': %s", path, strerror(err));
        return;
    }
    frame child = {path, 1, st.st_dev, st.st_ino, rd->fr, rd->fr->depth + 1};
    read_text(doc, rd->diags, &child, rd->section, rd->bad_section, data, len);
    free(data);
}

/* Parses the current line, rd->text (n bytes, NUL-terminated, already checked). */
static void parse_line(reader *rd, size_t n)
{
    const char *s = rd->text;
    size_t start = 0;
    while (start < n && is_ws(s[start])) start++;
    if (start == n || s[start] == '#' || s[start] == ';') return;
    size_t end = start;
    while (end < n && !((s[end] == '#' || s[end] == ';') && is_ws(s[end - 1]))) end++;
    while (end > start && is_ws(s[end - 1])) end--;

    if (s[start] == '[') {
        parse_header(rd, start, end);
        return;
    }
    if (end - start >= 7 && memcmp(s + start, "include", 7) == 0 &&
        (end - start == 7 || is_ws(s[start + 7]))) {
        size_t f = start + 7;
        while (f < end && is_ws(s[f])) f++;
        if (f == end) {
            rd_error(rd, start, 7, "missing file name after 'include'");
            return;
        }
        if (s[f] != '=') {
            parse_include(rd, start, f, end);
            return;
        }
    }
    const char *eq = memchr(s + start, '=', end - start);
    if (!eq) {
        rd_error(rd, start, end - start,
                 "expected 'key = value', '[section]' or 'include FILE'");
        return;
    }
    parse_keyval(rd, start, (size_t)(eq - s), end);
}

/* Reads the text of one file (or string) described by fr, starting in section. */
static void read_text(ini_doc *doc, diag_list *diags, const frame *fr, const char *section,
                      int bad_section, const char *data, size_t len)
{
    reader rd = {doc, diags, fr, ++doc->reads, section, bad_section, 0, 0, NULL, NULL};
    if (doc->reads == 0) rd.read = doc->reads = 1; /* never 0: that marks ini_add */
    char *scratch = NULL;
    size_t scratch_cap = 0;
    size_t pos = 0;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) pos = 3; /* byte-order mark */
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
        const char *line = data + pos;
        pos += n + (nl != NULL);
        if (rd.line == INT_MAX) break;
        rd.line++;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (n + 1 > scratch_cap) {
            scratch_cap = n + 1 > 2 * scratch_cap ? n + 1 : 2 * scratch_cap;
            scratch = xrealloc(scratch, scratch_cap);
        }
        for (size_t i = 0; i < n; i++) scratch[i] = line[i] ? line[i] : '?';
        scratch[n] = '\0';
        rd.text = scratch;
        rd.arena_text = NULL;
        if (rd.errors >= INI_MAX_ERRORS) {
            diag_error(diags, fr->name, rd.line, NULL, -1, -1,
                       "too many errors in '%s', skipping the rest of it", fr->name);
            break;
        }
        if (check_bytes(&rd, line, n) == 0) parse_line(&rd, n);
    }
    free(scratch);
}

static int read_top(ini_doc *doc, const char *name, const char *data, size_t len,
                    diag_list *diags, const struct stat *st)
{
    size_t before = diag_errors(diags);
    frame fr = {arena_strdup(doc, name), st != NULL, 0, 0, NULL, 1};
    if (st) {
        fr.dev = st->st_dev;
        fr.ino = st->st_ino;
    }
    read_text(doc, diags, &fr, NULL, 0, data, len);
    return diag_errors(diags) > before ? -1 : 0;
}

int ini_read_mem(ini_doc *doc, const char *name, const char *data, size_t len,
                 diag_list *diags)
{
    return read_top(doc, name, data, len, diags, NULL);
}

int ini_read_string(ini_doc *doc, const char *name, const char *text, diag_list *diags)
{
    return read_top(doc, name, text, strlen(text), diags, NULL);
}

int ini_read_file(ini_doc *doc, const char *path, diag_list *diags)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(diags, NULL, 0, NULL, -1, -1, "cannot open '%s': %s", path,
                   strerror(errno));
        return -2;
    }
    struct stat st;
    int have_id = fstat(fileno(f), &st) == 0;
    char *data = NULL;
    size_t len = 0;
    int err = read_all(f, &data, &len);
    fclose(f);
    if (err) {
        diag_error(diags, NULL, 0, NULL, -1, -1, "cannot read '%s': %s", path,
                   strerror(err));
        return -2;
    }
    int rc = read_top(doc, path, data, len, diags, have_id ? &st : NULL);
    free(data);
    return rc;
}
