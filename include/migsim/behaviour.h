/* The decision rules. Once per step, mig_behaviour_tables() turns the
 * conditions and the last step's aggregates into probability tables; the hot
 * loops then decide for one agent at a time from those tables and the
 * agent's own counter-based draws, writing only that agent and the caller's
 * tally. */
#ifndef MIGSIM_BEHAVIOUR_H
#define MIGSIM_BEHAVIOUR_H

#include <stdbool.h>
#include <stdint.h>

#include "migsim/policy.h"
#include "migsim/population.h"
#include "migsim/residents.h"

/* What agents did in one step, in agents (not persons). Integers, so that
 * sums over threads, chunks or ranks are exact in any order. */
struct tally {
    int64_t stock[MIG_MAX_ORIGINS][MIG_MAX_REGIONS]; /* present at the end of the step */
    int64_t stock_sector[MIG_MAX_REGIONS][MIG_MAX_SECTORS];
    int64_t visiting[MIG_MAX_ORIGINS]; /* away on a visit at the end of the step */
    int64_t arrivals[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    int64_t returns[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    int64_t visits[MIG_MAX_ORIGINS];
    int64_t remit_cents[MIG_MAX_ORIGINS]; /* sent home, after fees, in US cents */
    int64_t eligible[MIG_MAX_ORIGINS][2]; /* at home and free to come, by sex */
    struct resident_tally residents;
};

/* Aggregates carried from one step to the next: all that agents know of
 * each other. In persons. */
struct aggregates {
    double stock[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    double eligible[MIG_MAX_ORIGINS][2];
    double entries_this_year[MIG_MAX_ORIGINS];
};

struct tables {
    int32_t step;
    uint64_t seed;
    double q_migrant; /* candidate probability (thinning bound) */
    bool migrant_clamped;

    double entry_p[MIG_MAX_ORIGINS][2];
    double fee_share[MIG_MAX_ORIGINS]; /* permit fee over the expected wage */
    double region_cdf[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    double sector_cdf[MIG_MAX_REGIONS][MIG_MAX_SECTORS];
    float wage[MIG_MAX_REGIONS][MIG_MAX_SECTORS][2]; /* mean monthly USD by sex */
    double visit_p[MIG_MAX_ORIGINS];
    /* Return for good by origin, region, sector and in the first weeks. */
    double return_p[MIG_MAX_ORIGINS][MIG_MAX_REGIONS][MIG_MAX_SECTORS][2];
    double relocate_p[MIG_MAX_REGIONS];
    double visit_steps; /* mean visit length in steps */
    int32_t early_steps, min_home_steps;
    uint8_t border_open[MIG_MAX_ORIGINS];
    double remit_cents_factor; /* monthly USD to cents sent this step, after fees */
    double living_cost_ratio;  /* median living cost over one's own wage */
    double saving_margin;
    int regions, sectors;

    struct resident_tables residents;
};

/* Builds the step's tables. */
void mig_behaviour_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, const struct aggregates *agg, int32_t step,
                          struct tables *t);

/* Network stocks consistent with the initial region choice (a fixed point of
 * the choice model), used to place the initial stock. */
void mig_behaviour_initial_aggregates(const struct scenario *sc, const struct world *w,
                                      const struct conditions *c, struct aggregates *agg);

/* Places the initially present migrants of ids [first, end) of origin o. */
void mig_behaviour_place_initial(const struct scenario *sc, const struct tables *t,
                                 struct population *pop, uint64_t first, uint64_t end);

/* A candidate migrant (thinning): at home, may come, choosing region and
 * sector; in Kazakhstan, may return for good, visit home, or relocate. */
void mig_behaviour_migrant(const struct tables *t, struct population *pop, uint64_t id,
                           struct tally *y);

/* Every migrant of ids [first, end), every step: ends visits and counts
 * stocks, remittances and those at home who are free to come. */
void mig_behaviour_count(const struct tables *t, struct population *pop, uint64_t first,
                         uint64_t end, struct tally *y);

/* The monthly wage of a migrant's current job. */
static inline double mig_behaviour_wage(const struct tables *t, const struct population *pop,
                                        uint64_t id)
{
    int female = (pop->traits[id] & MIG_FEMALE) != 0;
    return (double)t->wage[pop->region[id]][pop->sector[id]][female] * pop->skill[id];
}

#endif
