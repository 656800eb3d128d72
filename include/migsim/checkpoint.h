/* Checkpoints: the complete state of a run (every agent, the aggregates,
 * the series so far, the step, the scenario, the seed and the version) in an
 * HDF5 file, written atomically (temporary name, fsync, rename, so the
 * previous checkpoint stays until the new one is complete), and restored
 * only after checking its signature, version, scenario, sizes and checksum. */
#ifndef MIGSIM_CHECKPOINT_H
#define MIGSIM_CHECKPOINT_H

#include "migsim/engine.h"

int mig_checkpoint_write(const char *path, const struct engine *e);

/* Restores a checkpoint into an engine initialised for the same scenario
 * (population, series and engine allocated). With `branch`, the scenario
 * may differ in events (a fork; mig_simulation_check_branch says which may);
 * otherwise it must be the very scenario that wrote it. The caller then recounts the
 * levels (mig_engine_recount, collective over ranks). */
int mig_checkpoint_restore(const char *path, struct engine *e, int branch);

/* A run split over MPI ranks: each rank writes its own file,
 * PATH.step-S.rank-R-of-N (atomically, as above); once every rank's file is
 * complete, rank 0 writes PATH, a small manifest naming the step and the
 * rank count (atomically), and only then are the previous generation's
 * files removed, so a kill at any moment leaves a complete checkpoint.
 * Restoring needs the same number of ranks. On a single rank these are
 * mig_checkpoint_write and mig_checkpoint_restore. */
int mig_checkpoint_write_ranks(const char *path, const struct engine *e);
int mig_checkpoint_restore_ranks(const char *path, struct engine *e);

/* After a run: every rank learns whether any failed (`status` is this
 * rank's); if none did, the finished run's checkpoint is removed (the
 * manifest, then each rank's file). Collective over ranks. */
int mig_checkpoint_finish(const char *path, int status);

#endif
