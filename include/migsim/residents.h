/* Residents' decisions: registered internal moves by dominant driver, and
 * deaths and emigration. Once per step, mig_residents_tables() turns the
 * conditions into event probabilities by region and age band, and
 * destination distributions by driver; the hot loop then decides for one
 * candidate resident at a time from those tables and the resident's own
 * draws.
 *
 * A registered move is one BNS counts: a change of residence between
 * regions, or between districts or towns of one region (an intraregional
 * move, which leaves the resident in the region). */
#ifndef MIGSIM_RESIDENTS_H
#define MIGSIM_RESIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "migsim/policy.h"
#include "migsim/population.h"
#include "migsim/rng.h"

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

/* Events a candidate resident may have besides a move, after the drivers. */
enum { MIG_RESIDENT_DEATH = MIG_DRIVERS, MIG_RESIDENT_EMIGRATION, MIG_RESIDENT_EVENTS };

/* What residents did in one step, in agents. Integers only: the engine sums
 * tallies as arrays of int64_t. */
struct resident_tally {
    int64_t moves[MIG_MAX_REGIONS][MIG_MAX_REGIONS]; /* the diagonal: intraregional moves */
    int64_t moves_by_driver[MIG_DRIVERS];            /* interregional moves only */
    int64_t births[MIG_MAX_REGIONS], deaths[MIG_MAX_REGIONS];
    int64_t emigrants[MIG_MAX_REGIONS], immigrants[MIG_MAX_REGIONS];
};

struct resident_tables {
    double q_move; /* candidate probability: the largest of move_cum's totals */
    /* Cumulative probability in the step by region and age band of each
     * driver's move, then of death and of emigration. */
    double move_cum[MIG_MAX_REGIONS][MIG_MAX_AGES][MIG_RESIDENT_EVENTS];
    double dest_cdf[MIG_DRIVERS][MIG_MAX_REGIONS][MIG_MAX_REGIONS];
};

/* The climate push of each region in the step (conditions' field
 * region_climate_push): exposure (the share of employment in agriculture)
 * times hazard (climate stress, which climate_shock events raise). */
void mig_residents_climate_push(const struct world *w, struct conditions *c);

/* Per-capita income of region r in the step: the data's, moved with the
 * region's wage (so that wage events and devaluations move it). */
double mig_residents_income(const struct world *w, const struct conditions *c, int r);

/* Builds the step's move tables. */
void mig_residents_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, struct resident_tables *t);

/* A candidate resident (thinning), with its step's draw (stream
 * MIG_STREAM_RESIDENT_MOVE, its id, the step): may move (with a dominant
 * driver), die or emigrate. Reads the step, seed and region count of t and
 * its residents' tables. */
void mig_residents_move(const struct tables *t, struct population *pop, uint64_t id,
                        struct mig_draw d, struct tally *y);

#endif
