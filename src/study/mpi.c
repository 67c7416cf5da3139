/* mpi.c - a sweep across the nodes of a cluster over MPI (see sweep.h).
 *
 * Ranks share the points statically, round-robin by index, so no rank
 * waits on another while running; each rank writes its own database shard
 * (SQLite has no business being shared over a network filesystem), and
 * `strata merge` combines the shards afterwards.  Built only when meson
 * finds MPI; otherwise the entry points say so.
 */
#include "study/sweep.h"
#include "strata_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if STRATA_HAVE_MPI

#include <mpi.h>

int st_sweep_have_mpi(void)
{
    return 1;
}

int st_mpi_begin(int *argc, char ***argv, int *rank, int *size,
                 st_error *err)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return st_error_set(err, "cannot start MPI (MPI_Init failed)");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

int st_mpi_sum(int v)
{
    int total = v;
    MPI_Allreduce(&v, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    return total;
}

void st_mpi_end(void)
{
    MPI_Finalize();
}

/* This rank's share, into its own shard. */
static int run_rank(const st_sweep *sw, const char *db_path, int rank,
                    int size, const st_sweep_opts *o, st_sweep_summary *sum,
                    st_error *err)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s.rank-%d", db_path, rank);
    if (n < 0 || (size_t)n >= sizeof path)
        return st_error_set(err, "%s: database path too long", db_path);
    st_store *db;
    if (st_store_open(path, &db, err))
        return -1;
    st_sweep_opts mine = *o;
    mine.shard = (size_t)rank;
    mine.n_shards = (size_t)size;
    size_t *idx, np;
    int rc = st_sweep_pending(sw, db, &mine, &idx, &np, &sum->stored, err);
    if (rc == 0) {
        sum->points = np + sum->stored;
        /* One progress line for the job: rank 0's, as ranks keep pace. */
        rc = st_sweep_run_serial(sw, db, idx, np, rank == 0 && !o->quiet, sum,
                                 err);
        free(idx);
    }
    st_store_close(db);
    return rc;
}

int st_sweep_run_mpi(const st_sweep *sw, const char *db_path,
                     const st_sweep_opts *o, st_sweep_summary *sum,
                     st_error *err)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    memset(sum, 0, sizeof *sum);
    double t0 = MPI_Wtime();
    int rc = run_rank(sw, db_path, rank, size, o, sum, err);
    /* Every rank reaches the reduction, even one whose store failed, so
     * none waits forever. */
    unsigned long long mine[4] = {sum->points, sum->stored, sum->ran,
                                  sum->failed};
    unsigned long long all[4];
    MPI_Allreduce(mine, all, 4, MPI_UNSIGNED_LONG_LONG, MPI_SUM,
                  MPI_COMM_WORLD);
    sum->points = all[0];
    sum->stored = all[1];
    sum->ran = all[2];
    sum->failed = all[3];
    sum->wall_s = MPI_Wtime() - t0;
    return rc;
}

#else

static int no_mpi(st_error *err)
{
    return st_error_set(err, "this strata was built without MPI (install"
                        " Open MPI, e.g. Debian's libopenmpi-dev, and"
                        " reconfigure with -Dmpi=enabled)");
}

int st_sweep_have_mpi(void)
{
    return 0;
}

int st_mpi_begin(int *argc, char ***argv, int *rank, int *size,
                 st_error *err)
{
    (void)argc, (void)argv;
    *rank = 0;
    *size = 1;
    return no_mpi(err);
}

int st_mpi_sum(int v)
{
    return v;
}

void st_mpi_end(void)
{
}

int st_sweep_run_mpi(const st_sweep *sw, const char *db_path,
                     const st_sweep_opts *o, st_sweep_summary *sum,
                     st_error *err)
{
    (void)sw, (void)db_path, (void)o;
    memset(sum, 0, sizeof *sum);
    return no_mpi(err);
}

#endif
