/* calltext.c: `name(arg, arg)` splitting. */
#include "models/calltext.h"

#include <stdio.h>
#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Copies s[0..len) trimmed into buf of size n. Returns 0, or -1 when it does not fit. */
static int copy_trimmed(char *buf, size_t n, const char *s, size_t len)
{
    while (len && is_space(*s)) s++, len--;
    while (len && is_space(s[len - 1])) len--;
    if (len >= n) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

int calltext_split(const char *text, calltext *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!text) text = "";
    if (copy_trimmed(out->text, sizeof out->text, text, strlen(text)) != 0) {
        snprintf(err, errlen, "value too long: '%.40s...'", text);
        return -1;
    }
    const char *t = out->text;
    if (!*t) {
        snprintf(err, errlen, "empty value");
        return -1;
    }
    const char *open = strchr(t, '(');
    size_t name_len = open ? (size_t)(open - t) : strlen(t);
    if (copy_trimmed(out->name, sizeof out->name, t, name_len) != 0) {
        snprintf(err, errlen, "name too long in '%s'", t);
        return -1;
    }
    if (!open) return 0;
    out->parens = 1;
    const char *close = strrchr(t, ')');
    if (!close || close < open) {
        snprintf(err, errlen, "missing ')' at the end of '%s'", t);
        return -1;
    }
    if (close[1] != '\0') {
        snprintf(err, errlen, "unexpected text '%s' after ')' in '%s'", close + 1, t);
        return -1;
    }
    const char *p = open + 1;
    const char *inner_end = close;
    const char *q = p;
    while (q < inner_end && is_space(*q)) q++;
    if (q == inner_end) return 0; /* name() */
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(inner_end - p));
        const char *end = comma ? comma : inner_end;
        if (out->nargs == CALLTEXT_MAX_ARGS) {
            snprintf(err, errlen, "too many arguments in '%s' (at most %d)", t, CALLTEXT_MAX_ARGS);
            return -1;
        }
        if (copy_trimmed(out->args[out->nargs], sizeof out->args[0], p, (size_t)(end - p)) != 0) {
            snprintf(err, errlen, "argument too long in '%s'", t);
            return -1;
        }
        out->nargs++;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}
