/* Ensembles: many replicates of one scenario in one file, with a
 * `replicate` dimension and the mean and 5/50/95% quantiles of every
 * series. Members run as a job array (`run --replicate K`, no MPI needed)
 * are joined here. */
#ifndef MIGSIM_ENSEMBLE_H
#define MIGSIM_ENSEMBLE_H

/* Joins member files into one ensemble file, refusing members of other
 * scenarios, parameters, versions or shapes, and repeated members. */
int mig_ensemble_merge(const char *const *members, int count, const char *output,
                       const char *command_line);

#endif
