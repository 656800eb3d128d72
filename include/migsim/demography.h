/* Demography of the residents: births, deaths, emigration, immigration
 * (people granted residence) and ageing, by region, from BNS 2024 rates.
 *
 * Deaths and emigration are decided per resident in the residents' candidate
 * pass (residents.c), with the moves. Births and immigrants are new agents:
 * once per step, after the tallies are summed, every process computes the
 * same counts per region from the summed residents and the step's draws, and
 * gives the new agents the next free ids in a fixed order (region by region,
 * births before immigrants), so ids never depend on threads or ranks. Each
 * process writes only the new ids it holds. Once a year every resident may
 * move up an age band, with probability one over the band's width. */
#ifndef MIGSIM_DEMOGRAPHY_H
#define MIGSIM_DEMOGRAPHY_H

#include <stdint.h>

#include "migsim/policy.h"
#include "migsim/population.h"

struct resident_tally;

/* A resident id that holds nobody (dead, emigrated, or not yet born). */
#define MIG_NOBODY 0xFF

/* Carried from step to step (and checkpointed with the aggregates). */
struct resident_aggregates {
    uint64_t next_id;     /* the first resident id not yet given to anybody */
    int64_t lost_newborn; /* births and immigrants that found no free id */
};

/* Reads demography.csv (population, birth and death rates, agricultural
 * share by region) and the regions' per-capita income and type into w. */
int mig_demography_load(struct world *w, const struct scenario *sc);

/* Free resident ids to reserve for births and immigrants over the run. */
uint64_t mig_demography_capacity(const struct scenario *sc, const struct world *w,
                                 uint64_t initial);

/* The initial state: the first free id follows the initial residents. */
void mig_demography_init(const struct population *pop, int regions,
                         struct resident_aggregates *agg);

/* Draws an age band from the national age structure for uniform u. */
int mig_demography_age(const struct world *w, double u);

/* Births, immigrants and (once a year) ageing in step `step`, given the
 * residents per region at the end of the previous step (agents). Adds the
 * new agents to `total`, identically on every process. Of the conditions
 * it reads only the step's first day and length (a replay of residents'
 * steps checks those: see struct resident_step). */
void mig_demography_step(const struct scenario *sc, const struct world *w,
                         const struct conditions *c, const int64_t *residents, int32_t step,
                         int threads, struct population *pop, struct resident_aggregates *agg,
                         struct resident_tally *total);

#endif
