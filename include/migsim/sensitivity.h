/* Global sensitivity analysis: how much of the spread of each figure (and of
 * a what-if effect, the alternative scenario minus the base, run with the
 * same random numbers) comes from each free parameter varied over its
 * bounds. Sobol' indices (first-order by the Saltelli 2010 estimator, total
 * by Jansen's) on a quasi-random Sobol design from GSL, or Morris
 * elementary effects (mu*, mu, sigma) for screening. Results to HDF5 and a
 * table on stdout. */
#ifndef MIGSIM_SENSITIVITY_H
#define MIGSIM_SENSITIVITY_H

#include <stdio.h>

#include "migsim/calibrate.h"

struct sensitivity_options {
    const char *scenario;
    const char *alternative; /* a what-if scenario, or NULL */
    const char *targets[MIG_MAX_TARGET_FILES];
    int target_files;               /* 0: the scenario's own figures */
    const char *free[MIG_MAX_FREE]; /* NAME:lo:hi */
    int free_count;
    const char *method; /* "sobol" or "morris" */
    int samples;        /* Sobol: base points N (runs N (d + 2)); Morris: trajectories r */
    int levels;         /* Morris: grid levels p (even) */
    double scale;       /* persons per agent; 0: the scenario's */
    const char *output; /* HDF5 */
    const char *command_line;
};

int mig_sensitivity(const struct sensitivity_options *o, FILE *out);

/* The Saltelli design on the unit hypercube from GSL's Sobol sequence in 2d
 * dimensions (the first point, all zeros, skipped): A and B are N x d. */
int mig_sobol_design(int N, int d, double *A, double *B);

/* Sobol' indices from f(A), f(B) and f(AB_i) (AB_i: A with column i from
 * B; fAB is d x N): S_i = mean((f(B) - f0) (f(AB_i) - f(A))) / V (Saltelli
 * et al. 2010, with outputs centred on their mean f0 as SALib does), ST_i = mean((f(A) -
 * f(AB_i))^2) / (2 V) (Jansen 1999), V the variance of f(A) and f(B) together. NaN where V is 0 or
 * an output is. */
void mig_sobol_indices(int N, int d, const double *fA, const double *fB, const double *fAB,
                       double *S, double *ST);

/* Morris trajectories on a grid of p levels: r (d + 1) points of the unit
 * hypercube (x), each trajectory moving one factor at a time by
 * delta = p / (2 (p - 1)); `factor` receives which factor each step moved
 * (-1 for a trajectory's first point). Draws from (seed, trajectory). */
void mig_morris_design(int r, int d, int p, unsigned long long seed, double *x, int *factor);

/* mu* (mean |EE|), mu (mean EE) and sigma (sd of EE) of the elementary
 * effects, EE = (f(next) - f(previous)) / delta in output units per unit
 * of the factor's range. */
void mig_morris_indices(int r, int d, int p, const double *x, const int *factor, const double *f,
                        double *mu_star, double *mu, double *sigma);

#endif
