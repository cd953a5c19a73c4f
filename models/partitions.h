/* partitions.h: a partitioned table inside a database node: its layout (range, list or
 * hash partitions, or one unpartitioned table), which partition a key lives in, which
 * partitions a range scan touches (pruning) and how many rows it reads, and the row counts
 * maintenance changes (drop a partition; delete rows, then vacuum them). Pure functions:
 * no simulation, no random numbers; the node (node.h) turns rows and partitions into CPU
 * time and runs maintenance as background work.
 *
 * The model:
 * - Keys. The partition column takes K = table_keys values; a request's key k has the
 *   value v = k mod K, which sits at position v / K of the key range [0, 1) and occupies
 *   [v/K, (v+1)/K). For a table partitioned by time, position is the time stamp scaled
 *   to [0, 1) (the oldest row at 0).
 * - Layouts, with P = partitions:
 *     range  partition i holds the positions [i/P, (i+1)/P), i.e. the values v with
 *            floor(v P / K) = i (equal key ranges, e.g. 12 monthly partitions of a year);
 *     list   partition i holds the values listed for it in partition_list, written
 *            "0-3; 4-7; 8, 9": partitions separated by ';', values or lo-hi ranges by ','
 *            (the list must name P partitions and cover 0..K-1 exactly once);
 *     hash   partition i holds the values with mix64(v) mod P = i, mix64 being the
 *            splitmix64 finaliser (part_mix64); a hash partition's rows are spread evenly
 *            over the whole key range;
 *     none   one table (partition 0) over the whole range.
 * - Rows. partition_rows lists the rows of each partition (none: of each slice, below);
 *   otherwise table_rows is split equally. Rows are spread uniformly over a partition's
 *   values (a continuous model: row counts are expected values and may be fractional).
 * - Slices: the units delete-rows addresses, P of them. range and list: slice i is
 *   partition i's values; hash and none: the equal key ranges [i/P, (i+1)/P) (for none P
 *   only says how the key range is cut, e.g. into months; the table is one partition).
 * - Scans. A scan with window w (a share of the key range) starting at key k reads the
 *   positions [x, min(1, x + w)), x = v / K: a window running past the newest key is cut
 *   there. It touches (opens) every existing partition that can hold rows in the window:
 *   range and list prune to the partitions whose values overlap the window with a
 *   positive length; hash and none touch every partition. Without an index on the
 *   partition column every row of a touched partition is read (live or dead); with an
 *   index only the rows inside the window (live or dead: dead rows stay in the index
 *   until vacuum). A window end within 1e-9 (relative) of a partition bound is taken to
 *   be that bound, so a window covering k whole partitions touches exactly k.
 * - Maintenance. Dropping a partition removes its rows (live and dead) at once and it is
 *   never touched again. Deleting a slice's rows turns its live rows into dead rows, which
 *   scans still read; vacuuming the slice removes its dead rows.
 */
#ifndef DBSCALE_PARTITIONS_H
#define DBSCALE_PARTITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/options.h"

#define PART_MAX_LISTED 256       /* most sizes in partition_rows, most ranges in partition_list */
#define PART_MAX_PARTITIONS 10000 /* most partitions (and slices) */
#define PART_MAX_KEYS 1e12        /* most values of the partition column (v P stays below 2^63) */

enum part_method {
    PART_NONE = 0,   /* one table */
    PART_RANGE = 1,  /* equal key ranges */
    PART_LIST = 2,   /* listed values */
    PART_HASH = 3,   /* hash of the value mod P */
};

/* partition_rows: the rows of each partition, as written (an OPT_CUSTOM field that owns no
 * memory, so configurations copy by assignment). */
typedef struct part_rows_list {
    int32_t n;                      /* sizes given; 0 = split table_rows equally */
    double rows[PART_MAX_LISTED];   /* rows of partition (slice) i */
} part_rows_list;

typedef struct part_value_range {
    uint64_t lo, hi;                /* values lo..hi, inclusive */
    uint32_t part;                  /* the partition they belong to */
} part_value_range;

/* partition_list: the values of each list partition, as written (owns no memory). */
typedef struct part_value_list {
    int32_t n_ranges;               /* ranges in r */
    int32_t n_parts;                /* partitions named (groups separated by ';') */
    part_value_range r[PART_MAX_LISTED]; /* in the order written */
} part_value_list;

/* The table's settings, embedded in node_config. */
typedef struct part_spec {
    int method;                     /* enum part_method (partition_by) */
    int64_t partitions;             /* P: partitions (slices for none) */
    int64_t table_rows;             /* rows, split equally unless `rows` lists them */
    int64_t table_keys;             /* K: values of the partition column */
    part_rows_list rows;            /* partition_rows */
    part_value_list list;           /* partition_list (method list) */
} part_spec;

/* A built table and its maintenance state. */
typedef struct part_table {
    int method;                     /* enum part_method */
    uint32_t n;                     /* P: partitions and slices */
    uint64_t keys;                  /* K */
    double *rows;                   /* [n] rows of partition i as built (none: of slice i) */
    double *live;                   /* [n] share of slice i's rows still live (1, or 0 once deleted) */
    double *dead;                   /* [n] share of slice i's rows deleted, not yet vacuumed */
    uint8_t *dropped;               /* [n] 1 once partition i is dropped */
    uint64_t *values;               /* list: [n] values held by partition i */
    part_value_range *sorted;       /* list: the ranges sorted by lo */
    uint32_t n_sorted;              /* list: ranges in sorted */
    uint32_t *mark;                 /* list scans' scratch: [n] generation a partition was counted in */
    uint32_t mark_gen;              /* list scans' scratch: current generation */
    uint32_t present;               /* partitions not dropped */
    double hash_rows;               /* hash: rows of the partitions not dropped, as built */
    double spread;                  /* hash: mean over slices of live + dead shares; none: rows present */
} part_table;

/* What one scan does. */
typedef struct part_scan {
    uint32_t touched;               /* partitions opened (after pruning) */
    double rows_scanned;            /* rows read (live and dead) */
    double rows_matched;            /* live rows inside the window: the result */
} part_scan;

/* partition_by choices, for the option rows. */
extern const opt_choice part_method_choices[];

/* OPT_CUSTOM hooks of partition_rows (field: part_rows_list), partition_list
 * (part_value_list) and scan_window (double: a share of the key range, written 0.25, 25%
 * or 1/4, above 0 and at most 1). parse returns 0, or -1 with a message in err; format
 * returns the length written or -1. O(length of the text). */
int part_rows_parse(const char *text, void *field, const char *base_dir, char *err, size_t n);
int part_rows_format(const void *field, char *buf, size_t n);
int part_list_parse(const char *text, void *field, const char *base_dir, char *err, size_t n);
int part_list_format(const void *field, char *buf, size_t n);
int part_window_parse(const char *text, void *field, const char *base_dir, char *err, size_t n);
int part_window_format(const void *field, char *buf, size_t n);

/* 1 when the spec describes a table (table_rows > 0 or partition_rows given), else 0.
 * O(1). */
int part_spec_has_table(const part_spec *s);

/* Cross-field checks: partition_rows names P sizes; a list layout's partition_list names P
 * partitions and covers 0..K-1 exactly once; P <= K for range and list. `prefix` ("" or
 * "primary.") is put before key names in the message. Returns 0, or -1 with a message in
 * err. O(ranges log ranges). */
int part_spec_check(const part_spec *s, const char *prefix, char *err, size_t errlen);

/* Builds t from s (which must pass part_spec_check): every partition present, every row
 * live. Returns 0, or -1 with a message in err (a bad spec, or out of memory). O(P +
 * ranges log ranges). */
int part_table_init(part_table *t, const part_spec *s, char *err, size_t errlen);

/* Frees what part_table_init allocated; safe on a zeroed or finished table. O(1). */
void part_table_fini(part_table *t);

/* splitmix64's finaliser: the hash of the hash layout. O(1). */
uint64_t part_mix64(uint64_t v);

/* The partition that holds key (value key mod K), dropped or not. O(1); list: O(log
 * ranges). */
uint32_t part_table_route(const part_table *t, uint64_t key);

/* The scan of `window` (0 < window <= 1) from key, with or without an index on the
 * partition column, into *out; when touched_map is not NULL, touched_map[i] is set to 1 for
 * each partition touched and 0 for the others (n entries). The table's rows are not
 * changed (list scans use its scratch marks). Cost: range O(partitions touched), list
 * O(log ranges + ranges in the window), hash and none O(slices in the window), plus
 * O(P) with touched_map. */
void part_table_scan(part_table *t, uint64_t key, double window, int use_index,
                     part_scan *out, uint8_t *touched_map);

/* Rows present (live + dead) in partition i; 0 once dropped. O(1), hash and none O(P). */
double part_table_partition_rows(const part_table *t, uint32_t i);

/* Live rows of slice i in the partitions not dropped: what deleting the slice deletes.
 * O(1). */
double part_table_slice_live(const part_table *t, uint32_t i);

/* Dead rows of slice i in the partitions not dropped: what vacuuming the slice removes.
 * O(1). */
double part_table_slice_dead(const part_table *t, uint32_t i);

/* Drops partition i (its live and dead rows go). Returns the rows removed. O(1). */
double part_table_drop(part_table *t, uint32_t i);

/* Deletes the live rows of slice i (they become dead). Returns the rows deleted. O(1). */
double part_table_delete(part_table *t, uint32_t i);

/* Vacuums slice i (its dead rows go). Returns the rows removed. O(1). */
double part_table_vacuum(part_table *t, uint32_t i);

#endif
