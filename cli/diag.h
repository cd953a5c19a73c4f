/* diag.h: diagnostics for scenario files and the command line.
 *
 * Readers collect every problem they find into a diag_list (they do not stop at the
 * first one), then the caller prints the list once, sorted, in the style of git and jq:
 *
 *     scenarios/x.ini:12: error: unknown key 'read_ration' in section [app] (type clients)
 *        12 | read_ration = 0.9
 *           | ^^^^^^^^^^^
 *        did you mean 'read_ratio'?
 *
 * Messages are lower-case, without a full stop, say what is wrong and quote the subject.
 *
 * Hints: a message may carry hint lines after its first line, separated by "\n", e.g.
 *     diag_error(d, file, line, text, col, len,
 *                "unknown key '%s' in section [%s]\ndid you mean '%s'?", ...);
 * The first line is the message; every further line is printed on its own line, indented,
 * after the echoed source line.
 *
 * Locations: file NULL means the command line ("command line: error: ..."); line 0 means
 * the whole file ("x.ini: error: ..."); column is a 1-based byte offset into source_line
 * and length a count of bytes, both 0 or negative when unknown. The source line is echoed
 * with control characters and invalid UTF-8 shown as '?', and the ^ markers are placed by
 * characters, not bytes, copying tabs so they line up.
 *
 * Order of printing: command-line messages first, then by file name (byte order), then by
 * line, and within a line in the order they were added.
 */
#ifndef DBSCALE_DIAG_H
#define DBSCALE_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

typedef enum diag_severity {
    DIAG_ERROR,   /* the input cannot be used as it is */
    DIAG_WARNING  /* the input is used, but probably not as meant */
} diag_severity;

typedef struct diag_msg {
    diag_severity severity;  /* error or warning */
    char *file;              /* owned copy; NULL for the command line */
    int line;                /* 1-based; 0 when about the whole file */
    char *source_line;       /* owned copy of the line to echo, or NULL */
    int column;              /* 1-based byte column of the culprit; <= 0 when unknown */
    int length;              /* bytes to mark from column; <= 0 marks one character */
    char *message;           /* owned; first line the message, further lines hints */
    size_t seq;              /* order of addition, breaks ties when sorting */
} diag_msg;

typedef struct diag_list {
    diag_msg *items;    /* messages in order of addition */
    size_t n;           /* messages held */
    size_t cap;         /* allocated slots in items */
    size_t n_errors;    /* messages with DIAG_ERROR */
    size_t n_warnings;  /* messages with DIAG_WARNING */
} diag_list;

/* Makes d an empty list. O(1); no allocation until the first message. */
void diag_init(diag_list *d);

/* Frees every message of d and leaves it empty (reusable). O(number of messages). */
void diag_fini(diag_list *d);

/* Adds an error. file, source_line and the formatted message are copied; fmt is printf
 * style, lines after the first "\n" of the result are hints. Amortised O(length of the
 * strings). Aborts the program if memory runs out. */
void diag_error(diag_list *d, const char *file, int line, const char *source_line,
                int column, int length, const char *fmt, ...) DIAG_PRINTF(7, 8);

/* Adds a warning; as diag_error. */
void diag_warning(diag_list *d, const char *file, int line, const char *source_line,
                  int column, int length, const char *fmt, ...) DIAG_PRINTF(7, 8);

/* Adds a message of the given severity from a va_list; as diag_error. */
void diag_vadd(diag_list *d, diag_severity severity, const char *file, int line,
               const char *source_line, int column, int length, const char *fmt,
               va_list ap) DIAG_PRINTF(8, 0);

/* Number of errors held. O(1). */
size_t diag_errors(const diag_list *d);

/* Number of warnings held. O(1). */
size_t diag_warnings(const diag_list *d);

/* Prints every message, sorted as described above, to out. Returns nothing; output
 * errors are left for the caller to see with ferror(out). O(n log n + text printed). */
void diag_print(const diag_list *d, FILE *out);

/* The candidate nearest to word by Damerau-Levenshtein distance (optimal string
 * alignment: insertions, deletions, substitutions and swaps of adjacent characters cost
 * one each), if that distance is at most max(1, strlen(word) / 3) or the candidate starts
 * with word; else NULL (always NULL for an empty word). Ties go to the earlier candidate.
 * Case-sensitive. Returns one of the candidate pointers (not a copy).
 * O(sum of strlen(word) * strlen(candidate)). */
const char *diag_suggest(const char *word, const char *const *candidates, size_t n);

/* Length in bytes (1 to 4) of the well-formed UTF-8 sequence at the start of s, which
 * holds n > 0 bytes; 0 if the bytes there are not well-formed UTF-8 (stray continuation
 * byte, truncated sequence, overlong form, surrogate, above U+10FFFF). O(1). */
size_t diag_utf8_seq(const char *s, size_t n);

#endif
