/* mpi_run.c: slices over MPI ranks, gathered to rank 0. */
#include "cli/mpi_run.h"

#ifdef DBSCALE_MPI

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/parts.h"

static int ranks = 1, rank = 0;

int mpi_run_start(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return ranks;
}

int mpi_run_rank(void) { return rank; }

void mpi_run_stop(void) { MPI_Finalize(); }

enum { TAG_CODE = 1, TAG_SIZE = 2, TAG_DATA = 3 };

int mpi_run_gather(results *res, int code)
{
    if (ranks <= 1) return code;
    if (rank != 0) {
        char *buf = NULL;
        size_t len = 0;
        if (code == 0) {
            FILE *f = open_memstream(&buf, &len);
            if (!f || parts_write_stream(res, rank, ranks, f) != 0) code = 70;
            if (f) fclose(f);
        }
        unsigned long long size = code == 0 ? (unsigned long long)len : 0;
        MPI_Send(&code, 1, MPI_INT, 0, TAG_CODE, MPI_COMM_WORLD);
        MPI_Send(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, TAG_SIZE, MPI_COMM_WORLD);
        for (unsigned long long off = 0; off < size;) {
            int chunk = size - off > (1u << 30) ? (1 << 30) : (int)(size - off);
            MPI_Send(buf + off, chunk, MPI_BYTE, 0, TAG_DATA, MPI_COMM_WORLD);
            off += (unsigned long long)chunk;
        }
        free(buf);
        return code;
    }
    /* Rank 0: its own slice is in res already; add the others in rank order. */
    results whole;
    results_init(&whole);
    unsigned char seen[PARTS_MAX] = {0};
    int have = 0, count = 0;
    char *mine = NULL;
    size_t mine_len = 0;
    if (code == 0) {
        FILE *f = open_memstream(&mine, &mine_len);
        if (!f || parts_write_stream(res, 0, ranks, f) != 0) code = 70;
        if (f) fclose(f);
        if (code == 0) {
            FILE *r = fmemopen(mine, mine_len, "rb");
            code = r ? parts_read_stream(r, "rank 0", &whole, &have, &count, seen) : 70;
            if (r) fclose(r);
        }
    }
    free(mine);
    for (int src = 1; src < ranks; src++) {
        int their = 0;
        unsigned long long size = 0;
        MPI_Recv(&their, 1, MPI_INT, src, TAG_CODE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(&size, 1, MPI_UNSIGNED_LONG_LONG, src, TAG_SIZE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        char *buf = size ? malloc(size) : NULL;
        for (unsigned long long off = 0; off < size;) {
            int chunk = size - off > (1u << 30) ? (1 << 30) : (int)(size - off);
            MPI_Recv(buf ? buf + off : NULL, buf ? chunk : 0, MPI_BYTE, src, TAG_DATA,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            off += (unsigned long long)chunk;
        }
        if (code == 0 && their != 0) code = their;
        if (code == 0) {
            char label[32];
            snprintf(label, sizeof label, "rank %d", src);
            FILE *r = buf ? fmemopen(buf, size, "rb") : NULL;
            code = r ? parts_read_stream(r, label, &whole, &have, &count, seen) : 70;
            if (r) fclose(r);
        }
        free(buf);
    }
    if (code == 0) code = parts_check_complete(seen, count);
    results_fini(res);
    *res = whole;
    return code;
}

#else /* a build without MPI: one process, one rank */

int mpi_run_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 1;
}

int mpi_run_rank(void) { return 0; }

int mpi_run_gather(results *res, int code)
{
    (void)res;
    return code;
}

void mpi_run_stop(void) {}

#endif
