/* trace.h: request traces in CSV, replayed by a clients station (`arrival = trace`).
 *
 * File format (read with libcsv; fields may be quoted; spaces around fields are ignored):
 *   time, op, key[, user][, region]
 * one request per row, in time order (equal times allowed):
 *   time    when the request is created, from the start of the run: a duration with a
 *           unit (`1.5ms`, `2s`) or a bare number of SECONDS (`0.0015`); >= 0
 *   op      read | write | scan
 *   key     a whole number, 0 to 2^64-1
 *   user    optional whole number below 2^32; when the column is absent or empty the
 *           workload picks a user uniformly from `users`, as for other open arrivals
 *   region  optional; read but not used yet (requests carry region 0)
 * A first row whose first field starts with a letter is a header and is skipped. Blank
 * lines are skipped. Line numbers in messages count every line of the file from 1.
 *
 * Streaming: a reader holds one 64 KiB chunk of the file and a few parsed rows, never
 * the whole file, so a trace of 10^8 rows replays in constant memory. The scenario
 * check scans the whole file once (trace_file_set) so that every error is reported as
 * `FILE:LINE: message` before anything runs; a file that changes afterwards still fails
 * the run cleanly with the same kind of message.
 */
#ifndef DBSCALE_TRACE_H
#define DBSCALE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_PATH_MAX 1024 /* longest file name, as written or resolved */

/* The `trace` option's value. Owns no memory (copied by assignment). */
typedef struct trace_file {
    char written[TRACE_PATH_MAX]; /* file name as written in the scenario; "" = none */
    char path[TRACE_PATH_MAX];    /* the same, resolved against the scenario's folder */
    uint64_t records;             /* requests in the file, counted by the scan */
    double first;                 /* time of the first request (s) */
    double last;                  /* time of the last request (s) */
} trace_file;

/* One request of a trace. */
typedef struct trace_record {
    double time;      /* creation time (s from the start of the run) */
    int op;           /* OP_READ, OP_WRITE or OP_SCAN (request_codes.h) */
    uint64_t key;     /* key addressed */
    uint32_t user;    /* user id when has_user */
    int has_user;     /* 1 when the row gave a user */
    long line;        /* line of the row in the file */
} trace_record;

typedef struct trace_reader trace_reader; /* an open trace, streaming */

/* Sets f from the option text (a file name, optionally in double quotes; "" or `none`:
 * no trace):
 * resolves it against base_dir (NULL or "" = the current directory) and scans the whole
 * file. Returns 0, or -1 with `FILE:LINE: message` (or `cannot open ...`) in err; f is
 * then empty. Cost: one pass over the file, O(1) memory. */
int trace_file_set(trace_file *f, const char *text, const char *base_dir, char *err,
                   size_t errlen);

/* Writes the file name as written. Returns the length, or -1 when buf is too small. */
int trace_file_format(const trace_file *f, char *buf, size_t n);

/* Opens path for streaming. Returns the reader, or NULL with a message in err. O(1). */
trace_reader *trace_open(const char *path, char *err, size_t errlen);

/* Reads the next request into *rec. Returns 1, 0 at the end of the file, or -1 with
 * `FILE:LINE: message` in err (the reader then keeps returning -1). Cost: O(1) amortised
 * per row (one chunk read per 64 KiB). */
int trace_read(trace_reader *t, trace_record *rec, char *err, size_t errlen);

/* Closes the file and frees the reader (NULL is fine). */
void trace_close(trace_reader *t);

/* Reads the whole file: the number of requests and the first and last times. Returns 0,
 * or -1 with the first error in err. A file without any request is an error. One pass. */
int trace_scan(const char *path, uint64_t *records, double *first, double *last, char *err,
               size_t errlen);

#endif
