/* regions.h: the [regions] section: named regions and the round-trip times between them.
 *
 *     [regions]
 *     us-east = eu-west 80ms, ap-south 190ms
 *     eu-west = ap-south 120ms
 *
 * Each line names a region and its round trips to others (symmetric); a region that only
 * appears on the right is declared too; `NAME = none` declares one with no pairs of its
 * own. Every pair of regions needs a round-trip time. The first region named is region 0,
 * where stations without a `region` sit. */
#ifndef DBSCALE_REGIONS_H
#define DBSCALE_REGIONS_H

#include <stddef.h>

#define REGIONS_MAX 64
#define REGION_NAME_MAX 48

typedef struct regions_def {
    size_t n;                                   /* regions declared */
    char names[REGIONS_MAX][REGION_NAME_MAX];   /* in order of appearance */
    double rtt[REGIONS_MAX * REGIONS_MAX];      /* round trip (s), n x n */
    unsigned char known[REGIONS_MAX * REGIONS_MAX]; /* pair given */
} regions_def;

/* Index of a region, or -1. */
int regions_find(const regions_def *r, const char *name);

/* Adds one line. Returns 0, or -1 with a message (and the culprit's byte offset in value
 * in *col, length in *len, or -1). */
int regions_add_line(regions_def *r, const char *name, const char *value, char *err,
                     size_t errlen, int *col, int *len);

/* Checks that every pair has a round trip. Returns 0 or -1 with a message. */
int regions_check(const regions_def *r, char *err, size_t errlen);

#endif
