/* Communication between MPI ranks, and nothing more: without MPI (the
 * default build) there is one rank and every call is trivial. A run is
 * split by agent id into whole thinning chunks, so every draw is made by the
 * same code with the same key wherever it runs; aggregates are integers, so
 * their sums over ranks are exact and the results byte-identical. */
#ifndef MIGSIM_COMM_H
#define MIGSIM_COMM_H

#include <stddef.h>
#include <stdint.h>

int mig_comm_init(int *argc, char ***argv);
void mig_comm_finalize(void);
int mig_comm_rank(void);

/* This rank does the command alone (the others take no part in it): from
 * now on it is rank 0 of 1. */
void mig_comm_alone(void);
int mig_comm_size(void);

/* The share [first, end) of rank k of `ranks` in `count` ids, in whole
 * chunks of `chunk`, so that the ranks' work is about equal: work[c]
 * estimates chunk c's (NULL: its number of ids). Rank k's share begins at
 * the chunk boundary nearest to k / ranks of the whole work; an empty share
 * is [0, 0). */
void mig_comm_share(int k, int ranks, uint64_t count, uint64_t chunk, const double *work,
                    uint64_t *first, uint64_t *end);

/* Sums integers over ranks, in place, on every rank. */
int mig_comm_sum(int64_t *values, size_t count);

/* Every rank learns whether any rank failed (its status is negative): 0
 * when none did, else the status each rank then fails with, so that every
 * rank exits alike: MIG_EINPUT when some rank's input was wrong, else
 * MIG_ESTOPPED when some rank was stopped by a signal, else MIG_ERUNTIME
 * (also when the exchange itself fails). A rank that failed
 * where rank 0 did not marks its message as its own (mig_error_mark_own). */
int mig_comm_agree_failure(int status);

/* Copies `bytes` from rank `root` to every rank. */
int mig_comm_broadcast(void *data, size_t bytes, int root);

/* Concatenates every rank's bytes, in rank order, on every rank; *all is
 * malloc'd. */
int mig_comm_gather(const void *mine, size_t bytes, void **all, size_t *total);

#endif
