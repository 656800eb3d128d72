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

/* Over n paired differences: their mean, the half-width of the 90%
 * confidence interval of the mean (t with n-1 degrees of freedom), and of
 * the 90% prediction interval of one more pair. */
void mig_compare_interval(const double *diff, int n, double *mean, double *half,
                          double *prediction_half);

int mig_compare(const char *base, const char *alt, const struct compare_options *o, FILE *out);

#endif
