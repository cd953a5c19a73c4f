/* trace.c: streaming CSV trace reader (libcsv), one line fed to the parser at a time so
 * every row knows its line number. */
#include "models/trace.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/request_codes.h"
#include "sim/units.h"

#define TRACE_CHUNK (64 * 1024) /* bytes read from the file at a time */
#define TRACE_FIELDS 5          /* time, op, key, user, region */
#define TRACE_FIELD_LEN 64      /* longest field kept (longer is an error, except region) */
#define TRACE_READY 8           /* parsed rows buffered (a line yields at most one) */

struct trace_reader {
    FILE *fp;                   /* the open file */
    char *path;                 /* its name, for messages (owned) */
    struct csv_parser csv;      /* libcsv state */
    char *chunk;                /* TRACE_CHUNK bytes of the file (owned) */
    size_t len;                 /* bytes in chunk */
    size_t pos;                 /* bytes of chunk already fed to the parser */
    int eof;                    /* the file has no more bytes */
    int finished;               /* csv_fini has flushed the last row */
    int line_start;             /* the next byte fed starts a new line */
    long line;                  /* line being fed (from 1) */
    int nfields;                /* fields of the row being assembled (all of them) */
    char field[TRACE_FIELDS][TRACE_FIELD_LEN]; /* their text, NUL-terminated */
    int too_long[TRACE_FIELDS]; /* the field did not fit in TRACE_FIELD_LEN */
    long rows;                  /* non-blank rows seen (header included) */
    double prev;                /* time of the previous request */
    trace_record ready[TRACE_READY]; /* parsed requests not yet handed out (a ring) */
    int head;                   /* first ready row */
    int count;                  /* ready rows */
    int failed;                 /* an error occurred; err holds it */
    char err[512];              /* the error */
};

static void fail(trace_reader *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(trace_reader *t, const char *fmt, ...)
{
    if (t->failed) return;
    t->failed = 1;
    int used = snprintf(t->err, sizeof t->err, "%s:%ld: ", t->path, t->line);
    if (used < 0 || (size_t)used >= sizeof t->err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err + used, sizeof t->err - (size_t)used, fmt, ap);
    va_end(ap);
}

static void on_field(void *s, size_t len, void *data)
{
    trace_reader *t = data;
    int i = t->nfields++;
    if (i >= TRACE_FIELDS) return;
    if (len >= TRACE_FIELD_LEN) {
        t->too_long[i] = 1;
        len = TRACE_FIELD_LEN - 1;
    }
    if (len) memcpy(t->field[i], s, len);
    t->field[i][len] = '\0';
}

/* A whole number 0..max of digits only. Returns 0 or -1. */
static int parse_whole(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* A time: bare seconds or a duration with a unit. Returns 0 or -1. */
static int parse_time(const char *s, double *out)
{
    double v;
    int rc = units_is_plain(s) ? units_parse(s, UNIT_NUMBER, &v, NULL, 0)
                               : units_parse(s, UNIT_TIME, &v, NULL, 0);
    if (rc < 0 || !isfinite(v) || v < 0) return -1;
    *out = v;
    return 0;
}

static int parse_op(const char *s)
{
    if (strcasecmp(s, "read") == 0) return OP_READ;
    if (strcasecmp(s, "write") == 0) return OP_WRITE;
    if (strcasecmp(s, "scan") == 0) return OP_SCAN;
    return -1;
}

/* Checks a complete row and queues it. */
static void take_row(trace_reader *t)
{
    trace_record rec = {.line = t->line};
    int n = t->nfields;
    if (n == 1 && !t->field[0][0]) return; /* blank */
    t->rows++;
    if (t->rows == 1 && isalpha((unsigned char)t->field[0][0])) return; /* header */
    if (n < 3 || n > TRACE_FIELDS) {
        fail(t, "%d field%s (expected time, op, key[, user][, region])", n, n == 1 ? "" : "s");
        return;
    }
    static const char *names[] = {"time", "op", "key", "user"};
    for (int i = 0; i < 4 && i < n; i++) {
        if (t->too_long[i]) {
            fail(t, "%s '%s...' is too long", names[i], t->field[i]);
            return;
        }
    }
    if (parse_time(t->field[0], &rec.time) < 0) {
        fail(t, "bad time '%s' (expected seconds or a duration such as 1.5ms)", t->field[0]);
        return;
    }
    if (rec.time < t->prev) {
        fail(t, "time '%s' is before the previous row's (%.17gs); rows must be in time order",
             t->field[0], t->prev);
        return;
    }
    if ((rec.op = parse_op(t->field[1])) < 0) {
        fail(t, "unknown op '%s' (expected read, write, scan)", t->field[1]);
        return;
    }
    if (parse_whole(t->field[2], UINT64_MAX, &rec.key) < 0) {
        fail(t, "bad key '%s' (expected a whole number 0 to 18446744073709551615)", t->field[2]);
        return;
    }
    if (n >= 4 && t->field[3][0]) {
        uint64_t u;
        if (parse_whole(t->field[3], UINT32_MAX, &u) < 0) {
            fail(t, "bad user '%s' (expected a whole number 0 to 4294967295)", t->field[3]);
            return;
        }
        rec.user = (uint32_t)u;
        rec.has_user = 1;
    }
    t->prev = rec.time;
    t->ready[(t->head + t->count) % TRACE_READY] = rec;
    t->count++;
}

static void on_row(int c, void *data)
{
    (void)c;
    trace_reader *t = data;
    if (!t->failed) take_row(t);
    t->nfields = 0;
    memset(t->too_long, 0, sizeof t->too_long);
}

trace_reader *trace_open(const char *path, char *err, size_t errlen)
{
    trace_reader *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path)) || !(t->chunk = malloc(TRACE_CHUNK))) {
        if (t) free(t->path);
        free(t);
        snprintf(err, errlen, "out of memory opening trace '%s'", path);
        return NULL;
    }
    if (!(t->fp = fopen(path, "rb"))) {
        snprintf(err, errlen, "cannot open trace '%s': %s", path, strerror(errno));
        free(t->chunk);
        free(t->path);
        free(t);
        return NULL;
    }
    if (csv_init(&t->csv, 0) != 0) {
        snprintf(err, errlen, "out of memory opening trace '%s'", path);
        fclose(t->fp);
        free(t->chunk);
        free(t->path);
        free(t);
        return NULL;
    }
    t->line_start = 1;
    return t;
}

void trace_close(trace_reader *t)
{
    if (!t) return;
    csv_free(&t->csv);
    fclose(t->fp);
    free(t->chunk);
    free(t->path);
    free(t);
}

/* Feeds the parser up to the end of the current line (or of the chunk). */
static void feed(trace_reader *t)
{
    if (t->pos == t->len) {
        if (t->eof) {
            csv_fini(&t->csv, on_field, on_row, t);
            t->finished = 1;
            return;
        }
        t->len = fread(t->chunk, 1, TRACE_CHUNK, t->fp);
        t->pos = 0;
        if (t->len == 0) {
            if (ferror(t->fp)) fail(t, "cannot read: %s", strerror(errno));
            t->eof = 1;
        }
        return;
    }
    const char *from = t->chunk + t->pos;
    const char *nl = memchr(from, '\n', t->len - t->pos);
    size_t n = nl ? (size_t)(nl - from) + 1 : t->len - t->pos;
    if (t->line_start) t->line++;
    if (csv_parse(&t->csv, from, n, on_field, on_row, t) != n)
        fail(t, "%s", csv_strerror(csv_error(&t->csv)));
    t->pos += n;
    t->line_start = nl != NULL;
}

int trace_read(trace_reader *t, trace_record *rec, char *err, size_t errlen)
{
    while (t->count == 0 && !t->failed && !t->finished) feed(t);
    if (t->count > 0) {
        *rec = t->ready[t->head];
        t->head = (t->head + 1) % TRACE_READY;
        t->count--;
        return 1;
    }
    if (t->failed) {
        snprintf(err, errlen, "%s", t->err);
        return -1;
    }
    return 0;
}

int trace_scan(const char *path, uint64_t *records, double *first, double *last, char *err,
               size_t errlen)
{
    trace_reader *t = trace_open(path, err, errlen);
    if (!t) return -1;
    trace_record rec;
    uint64_t n = 0;
    int rc;
    *first = *last = 0;
    while ((rc = trace_read(t, &rec, err, errlen)) == 1) {
        if (n == 0) *first = rec.time;
        *last = rec.time;
        n++;
    }
    trace_close(t);
    if (rc < 0) return -1;
    if (n == 0) {
        snprintf(err, errlen, "trace '%s' holds no requests (expected rows of time, op, "
                 "key[, user][, region])", path);
        return -1;
    }
    *records = n;
    return 0;
}

int trace_file_set(trace_file *f, const char *text, const char *base_dir, char *err,
                   size_t errlen)
{
    memset(f, 0, sizeof *f);
    if (!text) text = "";
    while (*text == ' ' || *text == '\t') text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t')) len--;
    if (len >= 2 && text[0] == '"' && text[len - 1] == '"') text++, len -= 2;
    if (len == 0 || (len == 4 && memcmp(text, "none", 4) == 0)) return 0;
    if (len >= TRACE_PATH_MAX || memchr(text, '"', len)) {
        snprintf(err, errlen, "bad trace file name '%.*s'", (int)(len > 200 ? 200 : len), text);
        return -1;
    }
    memcpy(f->written, text, len);
    f->written[len] = '\0';
    int w;
    if (f->written[0] == '/' || !base_dir || !base_dir[0])
        w = snprintf(f->path, sizeof f->path, "%s", f->written);
    else
        w = snprintf(f->path, sizeof f->path, "%s%s%s", base_dir,
                     base_dir[strlen(base_dir) - 1] == '/' ? "" : "/", f->written);
    if (w < 0 || (size_t)w >= sizeof f->path) {
        snprintf(err, errlen, "trace file name '%s' is too long", f->written);
        memset(f, 0, sizeof *f);
        return -1;
    }
    if (trace_scan(f->path, &f->records, &f->first, &f->last, err, errlen) < 0) {
        memset(f, 0, sizeof *f);
        return -1;
    }
    return 0;
}

int trace_file_format(const trace_file *f, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s", f->written);
    return len < 0 || (size_t)len >= n ? -1 : len;
}
