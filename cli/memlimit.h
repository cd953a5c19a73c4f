/* memlimit.h: --max-memory: a ceiling on the memory one simulation process may use, so a
 * scenario too large for the machine ends with a clear error instead of exhausting it. */
#ifndef DBSCALE_MEMLIMIT_H
#define DBSCALE_MEMLIMIT_H

/* Default ceiling per process: 80% of physical memory shared by `jobs` processes. */
double memlimit_default(int jobs);

/* Applies the ceiling (bytes) to this process and the workers it forks (address-space
 * limit). Returns 0, or -1 when it cannot (sanitizer builds reserve huge address ranges,
 * so the limit is skipped there). */
int memlimit_apply(double bytes);

/* The ceiling in force, in bytes (0 when none). */
double memlimit_current(void);

#endif
