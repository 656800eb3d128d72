/* Ensembles: many replicates of one scenario in one file, with a
 * `replicate` dimension and the mean and 5/50/95% quantiles of every
 * series. Members run as a job array (`run --replicate K`, no MPI needed)
 * are joined here. */
#ifndef MIGSIM_ENSEMBLE_H
#define MIGSIM_ENSEMBLE_H

#include <stddef.h>

/* Joins member files into one ensemble file, refusing members of other
 * scenarios, parameters, versions or shapes, and repeated members. The
 * figures table and the routes come from the scenario file the members
 * name, when it is still the one they ran; else the file has neither, and
 * `note` (empty otherwise) says why in one line. */
int mig_ensemble_merge(const char *const *members, int count, const char *output,
                       const char *command_line, char *note, size_t note_size);

#endif
