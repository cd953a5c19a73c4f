/* parts.h: a run spread over machines without MPI. `dbscale run FILE --part I/N -o DIR`
 * runs slice I of N of the replications (job g of the fixed job order goes to slice
 * g mod N) and writes DIR/part-I-of-N.bin; `dbscale merge DIR... -o OUT` checks that the
 * slices belong to the same run and cover it exactly once, and writes the same outputs a
 * one-process run writes, byte for byte. */
#ifndef DBSCALE_PARTS_H
#define DBSCALE_PARTS_H

#include <stddef.h>

#include "cli/results.h"

/* Whether global job g belongs to slice `index` of `count`. */
static inline int parts_owns(size_t g, int index, int count)
{
    return count <= 1 || (int)(g % (size_t)count) == index;
}

/* Writes the slice's results (the reps it owns) to DIR/part-I-of-N.bin atomically.
 * Returns 0 or 73 (printed). */
int parts_write(const results *res, int index, int count, const char *dir);

/* Reads every part file found in the directories (files named part-*-of-*.bin) and
 * assembles the whole run into out. Returns 0, or 65 (slices missing, duplicated or from
 * different runs), 66 (unreadable), printed. */
int parts_merge(char *const *dirs, size_t n_dirs, results *out);

#endif
