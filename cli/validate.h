/* validate.h: `dbscale validate`: runs the validation scenarios and compares the simulated
 * means with queueing theory computed from the scenario itself (M/M/c via Erlang C, M/G/1
 * via Pollaczek-Khinchine, tandems of exponential stations via Jackson/Burke). */
#ifndef DBSCALE_VALIDATE_H
#define DBSCALE_VALIDATE_H

/* Runs FILEs (default: every .ini file in scenarios/validation/), prints the table; returns 0 when
 * every row passes, 1 when one fails, or an exit code (65, 66, 70) when a file is unusable. */
int validate_command(int argc, char **argv);

#endif
