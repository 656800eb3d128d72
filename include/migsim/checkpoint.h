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
 * may differ in events from the checkpoint's step on (a fork); otherwise it
 * must be the very scenario that wrote it. */
int mig_checkpoint_restore(const char *path, struct engine *e, int branch);

#endif
