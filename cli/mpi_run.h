/* mpi_run.h: distributed runs over MPI (optional build: make MPI=1).
 *
 * Under `mpirun -np K dbscale run FILE`, rank r runs slice r of K of the replications
 * (the same slicing as --part r/K), ranks 1..K-1 send their results to rank 0 as a
 * part stream (parts.h), and rank 0 merges them and writes exactly the outputs a
 * one-process run writes. In a build without MPI these functions report one rank. */
#ifndef DBSCALE_MPI_RUN_H
#define DBSCALE_MPI_RUN_H

#include "cli/results.h"

/* Starts MPI (when built with it). Returns the number of ranks (1 without MPI). */
int mpi_run_start(int *argc, char ***argv);

/* This process's rank (0 without MPI). */
int mpi_run_rank(void);

/* Gathers every rank's slice into rank 0's `res`. `code` is this rank's status so far; a
 * rank that failed still takes part (so nobody waits forever). Returns the status for this
 * rank: on rank 0, the first non-zero status of any rank, or the merge's. */
int mpi_run_gather(results *res, int code);

/* Ends MPI (when built with it). */
void mpi_run_stop(void);

#endif
