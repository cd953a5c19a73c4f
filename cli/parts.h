/* parts.h: a run spread over machines without MPI. `dbscale run FILE --part I/N -o DIR`
 * runs slice I of N of the replications (job g of the fixed job order goes to slice
 * g mod N) and writes DIR/part-I-of-N.bin; `dbscale merge DIR... -o OUT` checks that the
 * slices belong to the same run and cover it exactly once, and writes the same outputs a
 * one-process run writes, byte for byte. */
#ifndef DBSCALE_PARTS_H
#define DBSCALE_PARTS_H

#include <stddef.h>

#include <stdio.h>

#include "cli/results.h"

#define PARTS_MAX 4096   /* most slices of one run */

/* Whether global job g belongs to slice `index` of `count`. */
static inline int parts_owns(size_t g, int index, int count)
{
    return count <= 1 || (int)(g % (size_t)count) == index;
}

/* Writes the slice's results (the reps it owns) to DIR/part-I-of-N.bin atomically.
 * Returns 0 or 73 (printed). */
int parts_write(const results *res, int index, int count, const char *dir);

/* The same, to a stream (MPI sends the bytes). Returns 0 or -1. */
int parts_write_stream(const results *res, int index, int count, FILE *f);

/* Reads one slice from a stream into `whole` (initialised from the first slice's header;
 * *have_header, *count and seen[PARTS_MAX] track the slices). `label` names the source in
 * messages. Returns 0 or 65 (printed). */
int parts_read_stream(FILE *f, const char *label, results *whole, int *have_header, int *count,
                      unsigned char *seen);

/* 0 when every slice 0..count-1 was seen, else 65 (printed). */
int parts_check_complete(const unsigned char *seen, int count);

/* Reads every part file found in the directories (files named part-*-of-*.bin) and
 * assembles the whole run into out. Returns 0, or 65 (slices missing, duplicated or from
 * different runs), 66 (unreadable), printed. */
int parts_merge(char *const *dirs, size_t n_dirs, results *out);

#endif
