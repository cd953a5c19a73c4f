/* units.h: numbers with units, as written in scenario files, and back.
 *
 * Every scenario value that has a dimension carries its unit: durations (`2ms`), rates
 * (`4k/s`), counts (`1M`), sizes (`16GB`) and ratios (`50%`). This module turns such text
 * into a double in the base unit (seconds, events per second, items, bytes, fraction)
 * and prints a value back in a readable canonical unit that parses to the same double.
 *
 * Accepted syntax (surrounding whitespace is ignored, spaces between number and unit
 * are allowed):
 *   number   [+-]digits[.digits][e[+-]digits] or .digits; no hex, inf, nan or locale
 *            decimal comma; a sign is accepted only for UNIT_NUMBER and UNIT_RATIO
 *   TIME     ns us ms s m h               -> seconds; a bare number is an error unless 0
 *   RATE     /s /m /h, optionally after k M G (4000/s, 4k/s, 60/m) -> per second;
 *            a bare number is an error unless 0
 *   COUNT    plain, or k M G (1e3, 1e6, 1e9) -> items
 *   SIZE     B KB MB GB TB, 1024-based (1KB = 1024 B; KiB MiB GiB TiB are accepted as
 *            the same units) -> bytes; a bare number is an error unless 0
 *   RATIO    plain fraction or N% (50% = 0.5)
 *   NUMBER   plain, or k M G suffixes
 * Decimal scaling (k, M, G, ms, us, ns, %) is applied to the decimal text before the
 * single conversion to double, so `2ms` is exactly the double nearest 0.002.
 */
#ifndef DBSCALE_UNITS_H
#define DBSCALE_UNITS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    UNIT_NUMBER,  /* plain number, k M G allowed */
    UNIT_TIME,    /* duration in seconds */
    UNIT_RATE,    /* events per second */
    UNIT_COUNT,   /* non-negative number of items */
    UNIT_SIZE,    /* bytes, 1024-based units */
    UNIT_RATIO    /* fraction, N% allowed */
} unit_kind;

/* Parses text as a value of the given kind into *out (base unit). Returns 0, or -1 with
 * a message in err (lower-case, quoting the text, saying what was expected; err may be
 * NULL). Cost: O(strlen(text)). Thread-safe; independent of the locale. */
int units_parse(const char *text, unit_kind kind, double *out, char *err, size_t errlen);

/* Parses a COUNT (k M G allowed) that must be a non-negative whole number below 2^64.
 * Returns 0, or -1 with a message in err. Cost: O(strlen(text)). */
int units_parse_count(const char *text, uint64_t *out, char *err, size_t errlen);

/* True (1) when text, trimmed, is a bare decimal number with no unit or suffix at all;
 * 0 otherwise. Cost: O(strlen(text)). */
int units_is_plain(const char *text);

/* The list of accepted units of a kind, e.g. "ns, us, ms, s, m, h"; static string. O(1). */
const char *units_expected(unit_kind kind);

/* Prints v in a readable canonical unit of its kind, with the fewest digits that parse
 * back (units_parse) to exactly v: 0.002 s -> "2ms", 3600 s -> "1h", 1/60 per s -> "1/m",
 * 1e6 items -> "1M", 1536 B -> "1.5KB", 0.5 -> "0.5". Returns the length written
 * (excluding the terminating NUL), or -1 if v is not finite, is negative for a kind that
 * has no sign, or buf is too small (then buf holds "" when n > 0). Cost: O(1), at most
 * a few dozen snprintf/strtod calls. */
int units_format(double v, unit_kind kind, char *buf, size_t n);

/* Of the n names, the one nearest to word by edit distance, if it is close enough to
 * be worth a "did you mean" (distance <= 2, or at most half the word); NULL otherwise.
 * Shared by the parsers of values written as name(args). Cost: O(n |word| |name|). */
const char *units_nearest(const char *word, const char *const *names, size_t n);

#endif
