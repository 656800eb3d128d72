/* Paired comparison of two runs (an alternative scenario against its
 * baseline, run with one seed): differences at a date, by origin, region or
 * sector, with 90% intervals over paired replicates; optionally the
 * differences over time written to HDF5. */
#ifndef MIGSIM_COMPARE_H
#define MIGSIM_COMPARE_H

#include <stdio.h>

struct compare_options {
    const char *at;     /* a date YYYY-MM-DD, or NULL for the end of the runs */
    const char *by;     /* "origin", "region", "sector", or NULL for totals */
    const char *output; /* an HDF5 file for the differences, or NULL */
    const char *command_line;
};

int mig_compare(const char *base, const char *alt, const struct compare_options *o, FILE *out);

#endif
