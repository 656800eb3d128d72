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
#include "migsim/demography.h"
#include "migsim/residents.h"

/* What agents did in one step, in agents (not persons). Integers, so that
 * sums over threads, chunks or ranks are exact in any order. Flows (arrivals,
 * returns, visits, moves) count the step's events; levels (stocks, those
 * visiting, those free to go, the remittance base) are kept by events: an
 * event adds its change to a thread's tally, and the engine adds the step's
 * changes to the running levels (mig_behaviour_levels), so that no stage
 * walks every agent. */

/* Fixed-point unit of the remittance base (share of earnings sent times
 * wage noise), so that its sums are exact integers. */
#define MIG_REMIT_UNIT 1048576.0

struct tally {
    int64_t stock[MIG_MAX_ORIGINS][MIG_MAX_REGIONS]; /* level: present */
    int64_t stock_sector[MIG_MAX_REGIONS][MIG_MAX_SECTORS]; /* level */
    int64_t visiting[MIG_MAX_ORIGINS]; /* level: away on a visit */
    /* Level: at home and free to go, by area and sex (a quota reads it). */
    int64_t eligible[MIG_MAX_AREAS][2];
    int64_t arrivals[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    int64_t returns[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    int64_t visits[MIG_MAX_ORIGINS];
    /* Sent home in the step, after fees, in US cents: computed from the
     * remittance base and the step's wages. */
    int64_t remit_cents[MIG_MAX_ORIGINS];
    int64_t to_russia[MIG_MAX_ORIGINS];   /* left for Russia in the step */
    int64_t from_russia[MIG_MAX_ORIGINS]; /* came home from Russia in the step */
    /* Working in Russia at the end of the step: not counted by agents but
     * set by the engine from its running total (aggregates). */
    int64_t in_russia[MIG_MAX_ORIGINS];
    /* Level: the remittance base of those present, by origin, region,
     * sector, sex and informal work (the cells that share a wage), in
     * units of 1 / MIG_REMIT_UNIT. Last of the workers' fields: the reduce
     * alone reads it (a replayed step's record ends before it). */
    int64_t remit_base[MIG_MAX_ORIGINS][MIG_MAX_REGIONS][MIG_MAX_SECTORS][2][2];
    struct resident_tally residents;
};

/* Aggregates carried from one step to the next: all that agents know of
 * each other. In persons. */
struct aggregates {
    double stock[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    double eligible[MIG_MAX_AREAS][2];
    double entries_this_year[MIG_MAX_ORIGINS];
    int64_t in_russia[MIG_MAX_ORIGINS]; /* agents working in Russia, kept by events */
    struct resident_aggregates residents;
};

struct tables {
    int32_t step;
    uint64_t seed;
    /* Candidate probabilities (thinning bounds) of the classes that decide:
     * the largest step probability of an event in each, by origin where it
     * differs (ids are grouped by origin). */
    double q_present[MIG_MAX_ORIGINS], q_home[MIG_MAX_ORIGINS], q_russia;
    bool migrant_clamped;

    /* Leaving home, by area and sex: for Kazakhstan, for Russia. */
    double entry_p[MIG_MAX_AREAS][2];
    double russia_p[MIG_MAX_AREAS][2];
    double russia_back_p;                  /* coming home from Russia */
    double informal_p[MIG_MAX_AREAS][2]; /* of newcomers, choosing informal work */
    double region_cdf[MIG_MAX_AREAS][MIG_MAX_REGIONS];
    double sector_cdf[MIG_MAX_REGIONS][MIG_MAX_SECTORS];
    float wage[MIG_MAX_REGIONS][MIG_MAX_SECTORS][2]; /* mean monthly USD by sex, formal */
    float informal_factor;                           /* informal wage over formal */
    float fee_usd[MIG_MAX_ORIGINS];                  /* monthly permit fee of formal workers */
    float living_cost_usd[MIG_MAX_REGIONS];          /* a worker's median monthly living cost */
    double visit_p[MIG_MAX_AREAS][MIG_MAX_REGIONS];
    /* Return for good by origin, region, sector and in the first weeks. */
    double return_p[MIG_MAX_ORIGINS][MIG_MAX_REGIONS][MIG_MAX_SECTORS][2];
    double relocate_p[MIG_MAX_REGIONS];
    double visit_steps; /* mean visit length in steps */
    /* For placing the initial stock (only): the mean time since arrival and
     * since the last visit home, in steps. */
    double start_tenure_steps, start_visit_gap_steps;
    int32_t early_steps, min_home_steps;
    uint8_t border_open[MIG_MAX_ORIGINS];
    double remit_cents_factor; /* monthly USD to cents sent this step, after fees */
    double saving_margin;
    int regions, sectors, areas;

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

/* Places the initially present migrants of ids [first, end) in Kazakhstan,
 * as if they had come at the rates of the tables. */
void mig_behaviour_place_initial(const struct tables *t, struct population *pop, uint64_t first,
                                 uint64_t end);

/* Candidates drawn by thinning from their class, each with its step's draw
 * (stream MIG_STREAM_MIGRANT_STEP, its id, the step). At home: may leave for
 * Kazakhstan (choosing region, sector and formal or informal work) or for
 * Russia. In Russia: may come home. Present: may return for good, visit
 * home, or relocate. */
void mig_behaviour_home(const struct tables *t, struct population *pop, uint64_t id,
                        struct mig_draw d, struct tally *y);
void mig_behaviour_in_russia(const struct tables *t, struct population *pop, uint64_t id,
                             struct mig_draw d, struct tally *y);
void mig_behaviour_present(const struct tables *t, struct population *pop, uint64_t id,
                           struct mig_draw d, struct tally *y);

/* The step's timers among ids [first, end) (whole words): visits that end,
 * and returned migrants who are free to go again. Work follows the number
 * of timers that fall due. */
void mig_behaviour_timers(const struct tables *t, struct population *pop, uint64_t first,
                          uint64_t end, struct tally *y);

/* The reference count: the levels of ids [first, end) from their states,
 * added to y. Used to start the running levels and to check them. */
void mig_behaviour_recount(const struct population *pop, uint64_t first, uint64_t end,
                           struct tally *y);

/* Adds the step's changes of the levels (in `step`, summed over threads and
 * ranks) to the running `levels`, and copies the levels into `step`. */
void mig_behaviour_levels(struct tally *levels, struct tally *step);

/* The step's remittances by origin from the remittance base of `y`. */
void mig_behaviour_remittances(const struct tables *t, struct tally *y);

/* x (at least 0, below 2^63) rounded half away from zero, as llround()
 * does, without its call (made at events and for every worker a snapshot
 * counts): x's fraction, x minus its whole part, is exact. */
static inline int64_t mig_behaviour_round(double x)
{
    int64_t whole = (int64_t)x;
    return whole + (x - (double)whole >= 0.5);
}

/* The monthly wage of a migrant's current job, before the permit fee. */
static inline double mig_behaviour_wage(const struct tables *t, const struct population *pop,
                                        uint64_t id)
{
    const struct migrant *m = &pop->migrant[id];
    double wage = (double)t->wage[m->region][m->sector][(m->traits & MIG_FEMALE) != 0] * m->skill;
    return m->traits & MIG_INFORMAL ? wage * t->informal_factor : wage;
}

/* A present migrant's monthly budget in USD. Formal workers pay the permit
 * fee; living costs are the region's (from its subsistence minimum) times
 * the worker's own factor (household, housing); remitters send their share
 * of earnings. What is left decides whether one can save (at least
 * saving_margin of the wage), only cover needs (0 or more), or not. */
struct budget {
    double wage, fee, cost, sent, left;
};

static inline struct budget mig_behaviour_budget(const struct tables *t,
                                                 const struct population *pop, uint64_t id)
{
    struct budget b;
    b.wage = mig_behaviour_wage(t, pop, id);
    b.fee =
        pop->migrant[id].traits & MIG_INFORMAL ? 0.0 : (double)t->fee_usd[pop->migrant[id].origin];
    b.cost = (double)t->living_cost_usd[pop->migrant[id].region] * pop->migrant[id].living_cost;
    b.sent = pop->migrant[id].remit_share * b.wage;
    b.left = b.wage - b.fee - b.cost - b.sent;
    return b;
}

/* 0: can save; 1: covers needs only; 2: cannot cover needs. */
static inline int mig_behaviour_savings(const struct tables *t, const struct budget *b)
{
    return b->left >= t->saving_margin * b->wage ? 0 : b->left >= 0 ? 1 : 2;
}

#endif
