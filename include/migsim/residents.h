/* Residents' decisions: internal moves between regions by dominant driver.
 * Once per step, mig_residents_tables() turns the conditions into move
 * probabilities by region, age band and driver, and destination
 * distributions by driver; the hot loop then decides for one candidate
 * resident at a time from those tables and the resident's own draws. */
#ifndef MIGSIM_RESIDENTS_H
#define MIGSIM_RESIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "migsim/policy.h"
#include "migsim/population.h"

struct tables;
struct tally;

enum mig_driver {
    MIG_DRIVER_ECONOMIC,
    MIG_DRIVER_CLIMATE,
    MIG_DRIVER_RESETTLEMENT,
    MIG_DRIVER_EDUCATION,
    MIG_DRIVER_OTHER,
    MIG_DRIVERS
};

extern const char *const mig_driver_names[MIG_DRIVERS];

/* What residents did in one step, in agents. Integers only: the engine sums
 * tallies as arrays of int64_t. */
struct resident_tally {
    int64_t moves[MIG_MAX_REGIONS][MIG_MAX_REGIONS];
    int64_t moves_by_driver[MIG_DRIVERS];
};

struct resident_tables {
    double q_move; /* candidate probability (thinning bound) */
    bool move_clamped;
    /* Cumulative move probability in the step by region, age band, driver. */
    double move_cum[MIG_MAX_REGIONS][MIG_MAX_AGES][MIG_DRIVERS];
    double dest_cdf[MIG_DRIVERS][MIG_MAX_REGIONS][MIG_MAX_REGIONS];
};

/* Builds the step's move tables. */
void mig_residents_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, struct resident_tables *t);

/* A candidate resident (thinning): may move, with a dominant driver. Reads
 * the step, seed and region count of t and its residents' tables. */
void mig_residents_move(const struct tables *t, struct population *pop, uint64_t id,
                        struct tally *y);

#endif
