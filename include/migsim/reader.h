/* Reading a migsim output file back: its labels, series (one per
 * replicate) and provenance, with a clear MIG_EINPUT message for a file
 * that is not one (not HDF5, a variable missing, dimensions wrong). */
#ifndef MIGSIM_READER_H
#define MIGSIM_READER_H

#include "migsim/stats.h"

struct run_file {
    char path[1024];
    char scenario_name[64];
    char title[64];
    int replicates;
    struct world labels; /* codes, names and counts only */
    struct stats *runs;  /* one per replicate */
};

int mig_reader_load(struct run_file *f, const char *path);
void mig_reader_free(struct run_file *f);

#endif
