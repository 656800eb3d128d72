/* Figures a run is checked against: each names a statistic (see stats.h),
 * the date or window it is taken at, the observed value, the tolerance, and
 * its source. Loaded from YAML (scenarios/targets/). */
#ifndef MIGSIM_TARGET_H
#define MIGSIM_TARGET_H

#include "migsim/scenario.h"

struct target {
    char id[48];
    char label[160];
    char statistic[48];
    char key[16];  /* origin or sector code, where the statistic takes one */
    long from, to; /* the date (from == to) or the window, inclusive */
    double value;  /* observed; NAN where only a range is given */
    double lo, hi; /* the tolerance as an interval */
    char source[160];
    struct mig_mark mark, statistic_mark, key_mark, date_mark; /* for messages */
};

struct targets {
    char *path;
    int count;
    struct target *items;
};

/* Loads a figures file; every error is located (file:line:col). */
int mig_targets_load(struct targets *list, const char *path);
void mig_targets_free(struct targets *list);

#endif
