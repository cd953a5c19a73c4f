/* labs.h: `dbscale labs`: the teaching labs of the database-engineering course.
 *
 * A lab is one or more scenario files in scenarios/labs/ (or, for an installed dbscale,
 * DBSCALE_DATADIR/scenarios/labs/) named after the course module they belong to:
 * `03-sharding-geo.ini` is a lab file of module 3. The title of each file is its first
 * comment line; the lab sheet of module N is docs/labs/NN-*.md. The command lists every
 * lab file with its module, title and the command that runs it. */
#ifndef DBSCALE_LABS_H
#define DBSCALE_LABS_H

#include <stddef.h>
#include <stdio.h>

#define LAB_TITLE_MAX 256
#define LAB_PATH_MAX 4096

typedef struct lab_entry {
    int module;                 /* course module: leading number of the file name (0: none) */
    char title[LAB_TITLE_MAX];  /* first comment line, without '#' or ';' and outer blanks;
                                   empty when the file opens with something else */
    char path[LAB_PATH_MAX];    /* the scenario file, as found */
} lab_entry;

/* Fills e from the scenario file at path: its module from the file name, its title from
 * its first comment line (blank lines before it are skipped). Returns 0, or -1 with a
 * message in err when the file cannot be read. Reads only up to the first line that is
 * neither blank nor a comment. */
int labs_read_entry(const char *path, lab_entry *e, char *err, size_t errlen);

/* `dbscale labs [MODULE]`: prints the labs (only those of MODULE when given), sorted by
 * module then title, with the run command of each. Returns 0, 64 for a bad argument, 66
 * when no lab file is found. Reads every lab file's leading comments. */
int labs_command(int argc, char **argv, FILE *out);

#endif
