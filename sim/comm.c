/* MPI behind a small interface (see comm.h). */
#include "migsim/comm.h"
#include "migsim/error.h"

#include <stdlib.h>
#include <string.h>

#ifdef MIGSIM_MPI
#include <limits.h>
#include <mpi.h>

static int rank, size = 1, active;
static MPI_Comm comm; /* the ranks that take part in the command */

int mig_comm_init(int *argc, char ***argv)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return mig_fail(MIG_ERUNTIME, "error: MPI could not start");
    active = 1;
    comm = MPI_COMM_WORLD;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    return 0;
}

void mig_comm_alone(void)
{
    if (!active)
        return;
    comm = MPI_COMM_SELF;
    rank = 0;
    size = 1;
}

void mig_comm_finalize(void)
{
    if (active)
        MPI_Finalize();
    active = 0;
}

int mig_comm_sum(int64_t *values, size_t count)
{
    for (size_t done = 0; size > 1 && done < count;) { /* counts above INT_MAX in pieces */
        int n = count - done > INT_MAX ? INT_MAX : (int)(count - done);
        if (MPI_Allreduce(MPI_IN_PLACE, values + done, n, MPI_INT64_T, MPI_SUM, comm) !=
            MPI_SUCCESS)
            return mig_fail(MIG_ERUNTIME, "error: MPI_Allreduce failed");
        done += (size_t)n;
    }
    return 0;
}

int mig_comm_broadcast(void *data, size_t bytes, int root)
{
    for (size_t done = 0; size > 1 && done < bytes;) {
        int n = bytes - done > INT_MAX ? INT_MAX : (int)(bytes - done);
        if (MPI_Bcast((char *)data + done, n, MPI_BYTE, root, comm) != MPI_SUCCESS)
            return mig_fail(MIG_ERUNTIME, "error: MPI_Bcast failed");
        done += (size_t)n;
    }
    return 0;
}

int mig_comm_gather(const void *mine, size_t bytes, void **all, size_t *total)
{
    int *counts = calloc((size_t)size, sizeof *counts),
        *offsets = calloc((size_t)size, sizeof *offsets);
    int n = (int)bytes, status = 0;
    *all = NULL;
    if (!counts || !offsets || bytes > INT_MAX ||
        MPI_Allgather(&n, 1, MPI_INT, counts, 1, MPI_INT, comm) != MPI_SUCCESS) {
        status = mig_fail(MIG_ERUNTIME, "error: MPI_Allgather failed");
        goto done;
    }
    size_t sum = 0;
    for (int r = 0; r < size; r++)
        offsets[r] = (int)sum, sum += (size_t)counts[r];
    *all = malloc(sum ? sum : 1);
    if (!*all || sum > INT_MAX) {
        status = mig_fail(MIG_ENOMEM, "out of memory gathering over ranks");
        goto done;
    }
    if (MPI_Allgatherv(mine, n, MPI_BYTE, *all, counts, offsets, MPI_BYTE, comm) !=
        MPI_SUCCESS)
        status = mig_fail(MIG_ERUNTIME, "error: MPI_Allgatherv failed");
    *total = sum;
done:
    free(counts);
    free(offsets);
    return status;
}

#else

static const int rank = 0, size = 1;

int mig_comm_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

void mig_comm_finalize(void) {}

void mig_comm_alone(void) {}

int mig_comm_sum(int64_t *values, size_t count)
{
    (void)values, (void)count;
    return 0;
}

int mig_comm_broadcast(void *data, size_t bytes, int root)
{
    (void)data, (void)bytes, (void)root;
    return 0;
}

int mig_comm_gather(const void *mine, size_t bytes, void **all, size_t *total)
{
    *all = malloc(bytes ? bytes : 1);
    if (!*all)
        return mig_fail(MIG_ENOMEM, "out of memory");
    memcpy(*all, mine, bytes);
    *total = bytes;
    return 0;
}

#endif

int mig_comm_rank(void)
{
    return rank;
}

int mig_comm_size(void)
{
    return size;
}

int mig_comm_agree_failure(int status)
{
    int64_t failed[4] = {status < 0, status < 0 && mig_comm_rank() == 0, status == MIG_EINPUT,
                         status == MIG_ESTOPPED};
    if (mig_comm_sum(failed, 4) < 0)
        return MIG_ERUNTIME;
    if (status < 0 && failed[1] == 0) /* rank 0 will only say that another rank failed */
        mig_error_mark_own();
    if (failed[0] == 0)
        return 0;
    return failed[2] ? MIG_EINPUT : failed[3] ? MIG_ESTOPPED : MIG_ERUNTIME;
}

/* Chunk c's work: its estimate, or its number of ids. */
static double chunk_work(uint64_t count, uint64_t chunk, const double *work, uint64_t c)
{
    return work ? work[c] : (double)((c + 1) * chunk < count ? chunk : count - c * chunk);
}

/* The chunk boundary whose work before it is nearest to `target`. */
static uint64_t boundary(uint64_t count, uint64_t chunk, const double *work, double target)
{
    uint64_t chunks = (count + chunk - 1) / chunk, c = 0;
    for (double before = 0; c < chunks; c++) {
        double w = chunk_work(count, chunk, work, c);
        if (before + w / 2 > target) /* nearer to this boundary than to the next */
            break;
        before += w;
    }
    return c * chunk < count ? c * chunk : count;
}

void mig_comm_share(int k, int ranks, uint64_t count, uint64_t chunk, const double *work,
                    uint64_t *first, uint64_t *end)
{
    uint64_t chunks = (count + chunk - 1) / chunk;
    double whole = 0;
    for (uint64_t c = 0; c < chunks; c++)
        whole += chunk_work(count, chunk, work, c);
    *first = k == 0 ? 0 : boundary(count, chunk, work, whole * k / ranks);
    *end = k == ranks - 1 ? count : boundary(count, chunk, work, whole * (k + 1) / ranks);
    if (*first >= *end) /* none: [0, 0), since the loops begin at a chunk boundary */
        *first = *end = 0;
}
