/* Targets a run is checked or calibrated against: each names a statistic
 * (see stats.h), the date or window it is taken at, the observed value,
 * either a tolerance (a pass/fail figure) or an uncertainty (standard
 * deviation, 90% interval, one-sided bound, or the sampling error of a
 * survey of n people), optionally the size of the survey to emulate, and its
 * source. Loaded from YAML (scenarios/targets/). */
#ifndef MIGSIM_TARGET_H
#define MIGSIM_TARGET_H

#include "migsim/scenario.h"

/* What a figure is for. A `fit` figure is a calibration target; a
 * `validate` figure is never seen by the calibration and is reported beside
 * it as held-out evidence; an `input` figure is a parameter of the model
 * read back (a fee, a share set from the same data), shown for completeness
 * and never counted as a fit. */
enum mig_role { MIG_ROLE_FIT, MIG_ROLE_VALIDATE, MIG_ROLE_INPUT };

/* "fit", "validate" or "input". */
const char *mig_role_name(enum mig_role role);

struct target {
    char id[48];
    char label[160];
    char statistic[48];
    char key[16];  /* origin or sector code, where the statistic takes one */
    long from, to; /* the date (from == to) or the window, inclusive */
    double value;  /* observed; NAN where only a range or bound is given */
    double lo, hi; /* within tolerance, or the 90% interval of the uncertainty */
    double sd;     /* standard deviation of the observation */
    /* Below and above the value: equal to sd, except for a value given with
     * an asymmetric 90% interval, whose halves have their own spreads. */
    double sd_below, sd_above;
    enum { MIG_TWO_SIDED, MIG_RANGE, MIG_AT_LEAST, MIG_AT_MOST } kind;
    int tolerance; /* 1: a pass/fail figure (inside = within [lo, hi]) */
    int sample;    /* > 0: computed on an emulated survey of this many people */
    double weight; /* in the calibration objective; 1 by default */
    enum mig_role role;
    char source[160];
    struct mig_mark mark, statistic_mark, key_mark, date_mark; /* for messages */
};

struct targets {
    char *path;
    int count;
    struct target *items;
};

/* The standardised error of a simulated value whose own sampling standard
 * deviation is sim_sd: 0 inside a range or bound. */
double mig_target_error(const struct target *t, double sim, double sim_sd);

/* Whether a simulated value is inside the tolerance, or for an uncertainty
 * within its 90% interval: |error| <= 1.645 about a value (each side with its
 * own spread), and inside the edges of a range or bound, which are already
 * the interval; only the simulated value's own sampling error (1.645 sim_sd)
 * widens them. */
int mig_target_inside(const struct target *t, double sim, double sim_sd);

/* Loads a targets file; every error is located (file:line:col). */
int mig_targets_load(struct targets *list, const char *path);
void mig_targets_free(struct targets *list);

/* A digest of the figures (every field but where each was written), as 16
 * hex digits: equal digests, the same figures. */
void mig_targets_digest(const struct targets *t, char out[17]);

#endif
