/* The scenario's timeline applied to the world: the conditions in force
 * during one step (wages, borders, fees, quotas, climate, sector demand,
 * resettlement, seasons), from the data, the parameters and the events in
 * force at the step's midpoint. */
#ifndef MIGSIM_POLICY_H
#define MIGSIM_POLICY_H

#include "migsim/world.h"

struct conditions {
    long day;               /* first day of the step */
    double days;            /* length of the step in days */
    double years;           /* years since the start, for trends */
    double entry_season;    /* multiplier of entries, mean 1 over a year */
    double seasonal_demand; /* multiplier of demand in seasonal sectors, mean 1 */
    int education_season;   /* 1 in August and September */

    double origin_wage_usd[MIG_MAX_ORIGINS];
    double region_wage_usd[MIG_MAX_REGIONS];
    double region_climate[MIG_MAX_REGIONS];
    /* Climate push on the people of a region: exposure (share of employment
     * in agriculture) x hazard (region_climate). Drives residents' climate
     * moves; for migrant workers' use too. */
    double region_climate_push[MIG_MAX_REGIONS];
    double sector_demand[MIG_MAX_REGIONS][MIG_MAX_SECTORS];
    double demand_shock[MIG_MAX_REGIONS][MIG_MAX_SECTORS]; /* events' multiplier; 1 for none */
    double demand_index[MIG_MAX_REGIONS]; /* a region's demand for migrant workers; 1 for none */
    double border_open[MIG_MAX_ORIGINS];
    double permit_fee_usd[MIG_MAX_ORIGINS]; /* zero for EAEU members */
    double quota[MIG_MAX_ORIGINS];          /* entries per year; 0 for none */
    double remittance_fee;
    double resettlement_quota[MIG_MAX_REGIONS];   /* persons per year, by destination */
    double resettlement_subsidy[MIG_MAX_REGIONS]; /* USD per mover, by destination */
};

/* The conditions of the step that starts on `day` and lasts `days`. */
void mig_policy_conditions(const struct scenario *sc, const struct world *w, long day, double days,
                           struct conditions *c);

#endif
