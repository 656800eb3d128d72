/* Calibration of a scenario's parameters against targets files: Nelder-Mead
 * (GSL's nmsimplex2) on the weighted sum of squared standardised errors with
 * common random numbers, or ABC-SMC with an adaptive tolerance schedule and
 * importance weights. Writes the calibrated scenario (a YAML file that
 * extends the input and holds only the fitted values), the whole trace to
 * HDF5, and prints the fit table. */
#ifndef MIGSIM_CALIBRATE_H
#define MIGSIM_CALIBRATE_H

#include <stdio.h>

#define MIG_MAX_FREE 16
#define MIG_MAX_TARGET_FILES 8

struct calibrate_options {
    const char *scenario;
    const char *targets[MIG_MAX_TARGET_FILES];
    int target_files;
    const char *free[MIG_MAX_FREE]; /* NAME[:lo:hi]; NAME may be group.param.CODE */
    int free_count;
    const char *method; /* "nelder-mead" or "abc-smc" */
    int replicates;     /* per evaluation */
    int budget;         /* simulations at most */
    int particles;      /* ABC-SMC population size */
    double scale;       /* persons per agent during the search; 0: the scenario's */
    const char *output; /* OUT: writes OUT.yaml and OUT.h5 */
    const char *prior;  /* an ABC-SMC trace whose posterior is the prior, or NULL */
    const char *command_line;
    double tolerance;      /* ABC-SMC: stop once every particle is within this; 0: off */
    double min_acceptance; /* ABC-SMC: stop after a generation accepting fewer; 0: off */
    int profile;           /* > 0: profile the objective at this many points per parameter */
    int noise_seeds;       /* > 1: measure the objective's sd over this many seeds at the fit */
    int predictive;        /* ABC-SMC: > 0 posterior predictive draws for 90% bands */
};

int mig_calibrate(const struct calibrate_options *o, FILE *out);

#endif
