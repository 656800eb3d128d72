/* Free parameters (private to calibrate and sensitivity): a numeric
 * parameter of the scenario table, or one origin of a by-origin parameter
 * (group.param.CODE), with the bounds it is varied within. */
#ifndef MIGSIM_FREE_H
#define MIGSIM_FREE_H

#include "migsim/scenario.h"
#include "migsim/world.h"

struct free_parameter {
    char name[128];
    const struct mig_param *param;
    char code[MIG_CODE_LEN]; /* for a by-origin parameter */
    double lo, hi;
};

/* Parses NAME[:lo:hi] (`option` names the flag in messages); MIG_EINPUT
 * with a message for an unknown or non-numeric parameter or bad bounds. */
int mig_free_parse(const char *text, const char *option, struct free_parameter *f);

/* Refuses a parameter given twice. */
int mig_free_check(const struct free_parameter *f, int n, const char *option);

/* Refuses an origin code (NAME.CODE) that is not one of the world's. */
int mig_free_check_origins(const struct free_parameter *f, int n, const struct world *w,
                           const char *option);

/* Where a free parameter's value lives in a scenario. */
double *mig_free_slot(struct scenario *sc, const struct free_parameter *f);

/* Sets the free parameters of a scenario (integers rounded). */
void mig_free_apply(struct scenario *sc, const struct free_parameter *f, int n,
                    const double *theta);

#endif
