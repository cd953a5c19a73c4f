/* diag.c: collecting, sorting and printing diagnostics; nearest-word suggestions. */
#include "cli/diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Width of the line-number gutter in echoed lines ("   12 | "). */
enum { GUTTER_MIN = 5 };

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fputs("dbscale: out of memory\n", stderr);
        abort();
    }
    return q;
}

static char *xstrdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *c = xrealloc(NULL, n);
    memcpy(c, s, n);
    return c;
}

void diag_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
}

void diag_fini(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].source_line);
        free(d->items[i].message);
    }
    free(d->items);
    diag_init(d);
}

void diag_vadd(diag_list *d, diag_severity severity, const char *file, int line,
               const char *source_line, int column, int length, const char *fmt,
               va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *message = xrealloc(NULL, (size_t)n + 1);
    if (vsnprintf(message, (size_t)n + 1, fmt, ap) < 0) message[0] = '\0';

    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    diag_msg *m = &d->items[d->n];
    m->severity = severity;
    m->file = xstrdup(file);
    m->line = line;
    m->source_line = xstrdup(source_line);
    m->column = column;
    m->length = length;
    m->message = message;
    m->seq = d->n++;
    if (severity == DIAG_ERROR) d->n_errors++;
    else d->n_warnings++;
}

void diag_error(diag_list *d, const char *file, int line, const char *source_line,
                int column, int length, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, DIAG_ERROR, file, line, source_line, column, length, fmt, ap);
    va_end(ap);
}

void diag_warning(diag_list *d, const char *file, int line, const char *source_line,
                  int column, int length, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, DIAG_WARNING, file, line, source_line, column, length, fmt, ap);
    va_end(ap);
}

size_t diag_errors(const diag_list *d) { return d->n_errors; }

size_t diag_warnings(const diag_list *d) { return d->n_warnings; }

size_t diag_utf8_seq(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) len = 3;
    else if (c >= 0xf0 && c <= 0xf4) len = 4;
    else return 0;                      /* continuation byte, C0, C1, F5..FF */
    if (c == 0xe0) lo = 0xa0;           /* no overlong forms */
    if (c == 0xed) hi = 0x9f;           /* no surrogates */
    if (c == 0xf0) lo = 0x90;           /* no overlong forms */
    if (c == 0xf4) hi = 0x8f;           /* nothing above U+10FFFF */
    if (n < len) return 0;
    if (u[1] < lo || u[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (u[i] < 0x80 || u[i] > 0xbf) return 0;
    return len;
}

/* Bytes of the display unit at s (n bytes left): a whole UTF-8 character, or one byte
 * that will be shown as '?'. Sets *shown to 1 when the unit prints as is. */
static size_t unit_at(const char *s, size_t n, int *shown)
{
    unsigned char c = (unsigned char)s[0];
    if (c == '\t') {
        *shown = 1;
        return 1;
    }
    if (c < 0x20 || c == 0x7f) {
        *shown = 0;
        return 1;
    }
    size_t len = diag_utf8_seq(s, n);
    *shown = len > 0;
    return len ? len : 1;
}

static int digits(int v)
{
    int n = 1;
    for (; v >= 10; v /= 10) n++;
    return n;
}

/* Echoes the source line under a gutter of the given width, then the ^ markers. */
static void print_echo(FILE *out, const diag_msg *m, int width)
{
    const char *s = m->source_line;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;

    if (m->line > 0) fprintf(out, "%*d | ", width, m->line);
    else fprintf(out, "%*s | ", width, "");
    for (size_t i = 0; i < n;) {
        int shown;
        size_t len = unit_at(s + i, n - i, &shown);
        if (shown) fwrite(s + i, 1, len, out);
        else fputc('?', out);
        i += len;
    }
    fputc('\n', out);
    if (m->column <= 0) return;

    size_t start = (size_t)m->column - 1;
    size_t end = start + (size_t)(m->length > 0 ? m->length : 1);
    fprintf(out, "%*s | ", width, "");
    size_t i = 0;
    int marks = 0;
    while (i < end) {
        int shown = 1;
        size_t len = i < n ? unit_at(s + i, n - i, &shown) : 1;
        if (i < start) {
            fputc(i < n && s[i] == '\t' ? '\t' : ' ', out);
        } else {
            fputc('^', out);
            marks++;
        }
        i += len;
    }
    if (!marks) fputc('^', out);
    fputc('\n', out);
}

static void print_one(FILE *out, const diag_msg *m)
{
    const char *kind = m->severity == DIAG_ERROR ? "error" : "warning";
    if (!m->file) fputs("command line", out);
    else if (m->line > 0) fprintf(out, "%s:%d", m->file, m->line);
    else fputs(m->file, out);

    const char *msg = m->message;
    const char *nl = strchr(msg, '\n');
    int first = nl ? (int)(nl - msg) : (int)strlen(msg);
    fprintf(out, ": %s: %.*s\n", kind, first, msg);

    int width = m->line > 0 ? digits(m->line) : 1;
    if (width < GUTTER_MIN) width = GUTTER_MIN;
    if (m->source_line) print_echo(out, m, width);

    while (nl) {
        const char *hint = nl + 1;
        nl = strchr(hint, '\n');
        int len = nl ? (int)(nl - hint) : (int)strlen(hint);
        if (len > 0) fprintf(out, "%*s%.*s\n", width - 2, "", len, hint);
    }
}

static int cmp_msg(const void *a, const void *b)
{
    const diag_msg *x = *(const diag_msg *const *)a;
    const diag_msg *y = *(const diag_msg *const *)b;
    if (!x->file != !y->file) return x->file ? 1 : -1;
    if (x->file) {
        int c = strcmp(x->file, y->file);
        if (c) return c;
    }
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_print(const diag_list *d, FILE *out)
{
    if (!d->n) return;
    const diag_msg **order = xrealloc(NULL, d->n * sizeof *order);
    for (size_t i = 0; i < d->n; i++) order[i] = &d->items[i];
    qsort(order, d->n, sizeof *order, cmp_msg);
    for (size_t i = 0; i < d->n; i++) print_one(out, order[i]);
    free(order);
}

/* Optimal-string-alignment distance between a (na bytes) and b (nb bytes), using three
 * rows of work space of nb + 1 entries each. */
static size_t osa_distance(const char *a, size_t na, const char *b, size_t nb, size_t *rows)
{
    size_t *pp = rows, *p = rows + nb + 1, *c = rows + 2 * (nb + 1);
    for (size_t j = 0; j <= nb; j++) p[j] = j;
    for (size_t i = 1; i <= na; i++) {
        c[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = p[j - 1] + cost;
            if (p[j] + 1 < v) v = p[j] + 1;
            if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[nb];
}

const char *diag_suggest(const char *word, const char *const *candidates, size_t n)
{
    size_t nw = strlen(word);
    if (nw == 0) return NULL;
    size_t limit = nw / 3 > 1 ? nw / 3 : 1;
    size_t maxlen = 0;
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(candidates[k]);
        if (l > maxlen) maxlen = l;
    }
    size_t *rows = xrealloc(NULL, 3 * (maxlen + 1) * sizeof *rows);
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t k = 0; k < n; k++) {
        const char *cand = candidates[k];
        size_t nc = strlen(cand);
        size_t dist = osa_distance(word, nw, cand, nc, rows);
        int prefix = nw > 0 && nc >= nw && memcmp(cand, word, nw) == 0;
        if ((dist <= limit || prefix) && dist < best_d) {
            best = cand;
            best_d = dist;
        }
    }
    free(rows);
    return best;
}
