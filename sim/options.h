/* options.h: option tables, one per station kind.
 *
 * Each row names a key, its type, where it lives in the kind's config struct (offsetof),
 * its default as text (parsed exactly like a user's value), its range and a one-line help.
 * The same table fills defaults, validates values, prints `dbscale help KIND`, generates
 * docs/scenarios.md and dumps the resolved scenario. There is no second list of keys.
 */
#ifndef DBSCALE_OPTIONS_H
#define DBSCALE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef enum opt_type {
    OPT_INT,      /* int64_t: whole number, k M G suffixes */
    OPT_NUMBER,   /* double: plain number */
    OPT_TIME,     /* double seconds: ns us ms s m h */
    OPT_RATE,     /* double per second: /s /m /h */
    OPT_SIZE,     /* double bytes: B KB MB GB TB */
    OPT_RATIO,    /* double fraction: 0.5 or 50% */
    OPT_DIST,     /* dist: const(1ms), exp(2ms), ... */
    OPT_KEYS,     /* keydist: uniform(N), zipf(s,N), ... */
    OPT_ENUM,     /* int: one of `choices` */
    OPT_STRING,   /* char *: free text (owned copy) */
    OPT_LINK,     /* char *: name of another station (resolved at start) */
    OPT_BOOL,     /* int: true/false, yes/no, on/off, 1/0 */
    OPT_CUSTOM,   /* parsed by the row's own parse hook */
} opt_type;

typedef struct opt_choice {
    const char *name;   /* value as written */
    int value;          /* stored value */
    const char *help;   /* one line */
} opt_choice;

typedef struct opt_def {
    const char *name;          /* key, e.g. "rate" or "primary.cores" */
    opt_type type;             /* how the value is read */
    size_t offset;             /* offsetof(config struct, field) */
    const char *def;           /* default as text; NULL = required, "" = none */
    double min, max;           /* inclusive range for numeric types (min > max: no range) */
    const opt_choice *choices; /* OPT_ENUM: the allowed values, ended by a NULL name */
    const char *help;          /* one line */
    /* OPT_CUSTOM: parse text into the field (0, or -1 with a message), free it, print it. */
    int (*parse)(const char *text, void *field, const char *base_dir, char *err, size_t n);
    void (*release)(void *field);
    int (*format)(const void *field, char *buf, size_t n);
    size_t size;               /* OPT_CUSTOM: bytes of the field (for copying) */
} opt_def;

/* The `region` row every placed station kind shares (see station_kind.placed). */
#define STATION_REGION_ROW(STRUCT)                                                       \
    {.name = "region", .type = OPT_STRING, .offset = offsetof(STRUCT, region), .def = "", \
     .min = 1, .max = 0,                                                                  \
     .help = "region the station sits in (a name from [regions]); empty: the first region"}

/* Number of rows in a table ended by a row with a NULL name. */
size_t opt_count(const opt_def *table);

/* The row named `name`, or NULL. */
const opt_def *opt_find(const opt_def *table, const char *name);

/* Parses `text` per `def` into the config struct at `config`. Returns 0, or -1 with a
 * message in err. `base_dir` resolves relative file names (empirical distributions). */
int opt_set(const opt_def *def, void *config, const char *text, const char *base_dir,
            char *err, size_t errlen);

/* Sets every row to its default. Returns 0, or -1 (a default that does not parse is a bug
 * in the table; the message says which). */
int opt_defaults(const opt_def *table, void *config, char *err, size_t errlen);

/* Prints the field's current value as parseable text. Returns the length, or -1. */
int opt_format(const opt_def *def, const void *config, char *buf, size_t n);

/* Frees what parsing allocated (strings, empirical tables, custom fields). */
void opt_release(const opt_def *table, void *config);

/* Deep copy of a config struct of `size` bytes described by `table`. Returns 0 or -1. */
int opt_copy(const opt_def *table, void *dst, const void *src, size_t size);

/* Name of the type, for help ("time", "rate", "distribution", ...). */
const char *opt_type_name(opt_type t);

#endif
