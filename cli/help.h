/* help.h: `dbscale help [KIND]` and the generated language reference (docs/scenarios.md),
 * both printed from the option tables. */
#ifndef DBSCALE_HELP_H
#define DBSCALE_HELP_H

#include <stdio.h>

/* `dbscale help [KIND | scenario | --markdown]`. Returns an exit code. */
int help_command(int argc, char **argv, FILE *out);

#endif
