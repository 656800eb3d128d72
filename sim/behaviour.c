/* Decision rules of migrant workers (residents' moves are in residents.c).
 *
 * Entry: a prospective migrant at origin o comes at a rate that grows with
 * the expected wage ratio (Kazakhstan over home, by sex, net of the permit
 * fee), scaled by an origin propensity, the season, the border and any quota.
 * Region: multinomial logit over log wage, log distance, network (co-nationals
 * present), labour-market size and climate stress. Sector: by the region's
 * demand. Present migrants visit home (less often the farther home is),
 * return for good (more in the first months and off season), and relocate.
 * Remitters send a fixed share of their wage, less the fee.
 *
 * Rare events use thinning: candidates are drawn at a fixed ceiling rate and
 * accepted with probability rate / ceiling, so the work per step follows the
 * number of events, not the number of agents. */
#include "migsim/behaviour.h"
#include "choice.h"
#include "migsim/date.h"
#include "migsim/rng.h"

#include <math.h>
#include <string.h>

static void region_choice(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, const struct aggregates *agg,
                          struct tables *t)
{
    for (int o = 0; o < w->origins; o++) {
        double *u = t->region_cdf[o];
        for (int r = 0; r < w->regions; r++) {
            double d = w->distance_km[o][r];
            u[r] = sc->migrants.wage_elasticity * log(c->region_wage_usd[r]) +
                   sc->migrants.size_weight * log(w->region_population[r]) +
                   sc->migrants.network_weight * log1p(agg->stock[o][r] / 1000.0) -
                   sc->migrants.climate_weight * c->region_climate[r] + log(c->demand_index[r]) -
                   (isnan(d) ? 0.0 : sc->migrants.distance_elasticity * log(fmax(d, 50.0)));
        }
        logit_cdf(u, w->regions);
    }
}

static void sector_choice(const struct world *w, const struct conditions *c, struct tables *t)
{
    for (int r = 0; r < w->regions; r++) {
        for (int k = 0; k < w->sectors; k++)
            t->sector_cdf[r][k] = c->sector_demand[r][k];
        to_cdf(t->sector_cdf[r], w->sectors);
    }
}

static void wages(const struct scenario *sc, const struct world *w, const struct conditions *c,
                  struct tables *t)
{
    double female = 1.0 / (1.0 + sc->migrants.gender_gap_kz);
    for (int r = 0; r < w->regions; r++) {
        double mean = c->region_wage_usd[r] * sc->migrants.wage_ratio;
        for (int k = 0; k < w->sectors; k++) {
            t->wage[r][k][0] = (float)(mean * w->sector_wage_factor[k]);
            t->wage[r][k][1] = (float)(mean * w->sector_wage_factor[k] * female);
        }
    }
}

/* Expected monthly wage in Kazakhstan for a newcomer from o of one sex. */
static double expected_wage(const struct world *w, const struct tables *t, int o, int female)
{
    double total = 0, previous = 0;
    for (int r = 0; r < w->regions; r++) {
        double p_region = t->region_cdf[o][r] - previous, inner = 0, prev_k = 0;
        previous = t->region_cdf[o][r];
        for (int k = 0; k < w->sectors; k++) {
            inner += (t->sector_cdf[r][k] - prev_k) * t->wage[r][k][female];
            prev_k = t->sector_cdf[r][k];
        }
        total += p_region * inner;
    }
    return total;
}

/* Demand for migrant workers where newcomers from o would go (1 without
 * sector events). */
static double expected_demand(const struct world *w, const struct conditions *c,
                              const struct tables *t, int o)
{
    double total = 0, previous = 0;
    for (int r = 0; r < w->regions; r++) {
        total += (t->region_cdf[o][r] - previous) * c->demand_index[r];
        previous = t->region_cdf[o][r];
    }
    return total;
}

static void entry_tables(const struct scenario *sc, const struct world *w,
                         const struct conditions *c, const struct aggregates *agg, struct tables *t)
{
    for (int o = 0; o < w->origins; o++) {
        double expected = 0, demand = expected_demand(w, c, t, o);
        for (int female = 0; female < 2; female++) {
            double kz = expected_wage(w, t, o, female) - c->permit_fee_usd[o];
            double home =
                c->origin_wage_usd[o] / (female ? 1.0 + sc->migrants.gender_gap_home : 1.0);
            double rate = sc->migrants.entry_rate *
                          mig_by_origin_get(&sc->migrants.entry_propensity, w->origin_code[o]) *
                          pow(fmax(kz, 1.0) / home, sc->migrants.wage_elasticity) *
                          exp(-sc->policy.fee_weight * c->permit_fee_usd[o] / fmax(kz, 1.0)) *
                          c->entry_season * demand * c->border_open[o];
            double p = step_probability(rate, c->days);
            if (p > t->q_migrant) {
                p = t->q_migrant;
                t->migrant_clamped = true;
            }
            t->entry_p[o][female] = p;
            if (!female)
                t->fee_share[o] = c->permit_fee_usd[o] / fmax(kz, 1.0);
            expected += p * agg->eligible[o][female];
        }
        /* A quota spreads what is left of the year's allowance over the
         * rest of the year. */
        if (c->quota[o] > 0) {
            int y, m, d;
            mig_date_to_civil(c->day, &y, &m, &d);
            double left_days = (double)(mig_date_from_civil(y + 1, 1, 1) - c->day);
            double allowed =
                fmax(0.0, c->quota[o] - agg->entries_this_year[o]) * fmin(1.0, c->days / left_days);
            if (expected > allowed)
                for (int female = 0; female < 2; female++)
                    t->entry_p[o][female] *= expected > 0 ? allowed / expected : 0.0;
        }
    }
}

/* The rate of returning for good of a worker from o in region r, sector k. */
static double return_rate(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, const struct tables *t, int o, int r, int k)
{
    bool off = w->sector_seasonal[k] && c->seasonal_demand < 1.0;
    double raised = c->region_climate[r] - w->region_climate[r];
    return sc->migrants.return_rate * (off ? sc->migrants.return_off_season_factor : 1.0) *
           exp(sc->policy.fee_weight * t->fee_share[o]) * exp(sc->migrants.climate_push * raised) *
           pow(c->demand_shock[r][k], -sc->migrants.demand_elasticity);
}

static void stay_tables(const struct scenario *sc, const struct world *w,
                        const struct conditions *c, struct tables *t)
{
    for (int r = 0; r < w->regions; r++) {
        double raised = c->region_climate[r] - w->region_climate[r];
        t->relocate_p[r] = step_probability(
            sc->migrants.relocation_rate * exp(sc->migrants.climate_push * raised), c->days);
    }
    for (int o = 0; o < w->origins; o++) {
        double km = w->origin_distance_km[o];
        double visits =
            sc->migrants.visit_rate * exp(-sc->migrants.visit_distance_decay * (km / 1000.0 - 1.0));
        t->border_open[o] = c->border_open[o] > 0.5;
        t->visit_p[o] = t->border_open[o] ? step_probability(visits, c->days) : 0.0;
        for (int r = 0; r < w->regions; r++)
            for (int k = 0; k < w->sectors; k++)
                for (int early = 0; early < 2; early++) {
                    double rate = return_rate(sc, w, c, t, o, r, k) *
                                  (early ? sc->migrants.return_early_factor : 1.0);
                    double *p = &t->return_p[o][r][k][early];
                    *p = t->border_open[o] ? step_probability(rate, c->days) : 0.0;
                    double total = *p + t->visit_p[o] + t->relocate_p[r];
                    if (total > t->q_migrant) { /* keep under the ceiling */
                        t->migrant_clamped = true;
                        *p = fmax(0.0, t->q_migrant - t->visit_p[o] - t->relocate_p[r]);
                    }
                }
    }
    t->visit_steps = sc->migrants.visit_weeks * 7.0 / c->days;
    t->early_steps = (int32_t)ceil(91.0 / c->days);
    t->min_home_steps = (int32_t)fmax(1.0, ceil(sc->migrants.min_weeks_home * 7.0 / c->days));
    t->remit_cents_factor = 100.0 * c->days / 30.4375 * (1.0 - c->remittance_fee);
    t->saving_margin = sc->migrants.saving_margin;
    t->living_cost_ratio = sc->migrants.living_cost_ratio;
}

void mig_behaviour_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, const struct aggregates *agg, int32_t step,
                          struct tables *t)
{
    t->step = step;
    t->seed = (uint64_t)sc->seed;
    t->regions = w->regions;
    t->sectors = w->sectors;
    t->q_migrant = step_probability(sc->migrants.candidate_rate, c->days);
    t->migrant_clamped = false;
    region_choice(sc, w, c, agg, t);
    sector_choice(w, c, t);
    wages(sc, w, c, t);
    entry_tables(sc, w, c, agg, t);
    stay_tables(sc, w, c, t);
    mig_residents_tables(sc, w, c, &t->residents);
}

void mig_behaviour_initial_aggregates(const struct scenario *sc, const struct world *w,
                                      const struct conditions *c, struct aggregates *agg)
{
    memset(agg, 0, sizeof *agg);
    struct tables *t = &(struct tables){0};
    for (int iteration = 0; iteration < 50; iteration++) {
        region_choice(sc, w, c, agg, t);
        for (int o = 0; o < w->origins; o++) {
            double stock = sc->migrants.initial_stock * w->origin_share[o], previous = 0;
            for (int r = 0; r < w->regions; r++) {
                agg->stock[o][r] = stock * (t->region_cdf[o][r] - previous);
                previous = t->region_cdf[o][r];
            }
        }
    }
}

void mig_behaviour_place_initial(const struct scenario *sc, const struct tables *t,
                                 struct population *pop, uint64_t first, uint64_t end)
{
    double tenure_steps = 365.25 / fmax(sc->migrants.return_rate, 1e-6) / sc->step_days;
    double visit_steps = 365.25 / fmax(sc->migrants.visit_rate, 1e-6) / sc->step_days;
    for (uint64_t id = first; id < end; id++) {
        struct mig_draw d = mig_rng_draw(t->seed, MIG_STREAM_MIGRANT_START, id, 0);
        int o = pop->origin[id];
        int r = sample(t->region_cdf[o], t->regions, d.w[0]);
        pop->region[id] = (uint8_t)r;
        pop->sector[id] = (uint8_t)sample(t->sector_cdf[r], t->sectors, d.w[1]);
        pop->state[id] = MIG_PRESENT;
        int32_t tenure = (int32_t)(-log(mig_rng_u01(d.w[2])) * tenure_steps);
        int32_t since_visit = (int32_t)(-log(mig_rng_u01(d.w[3])) * visit_steps);
        pop->arrived[id] = -tenure;
        pop->last_visit[id] = since_visit < tenure ? -since_visit : MIG_NEVER;
    }
}

static bool free_to_come(const struct tables *t, const struct population *pop, uint64_t id)
{
    uint8_t state = pop->state[id];
    return state == MIG_PROSPECTIVE ||
           (state == MIG_RETURNED && t->step - pop->until[id] >= t->min_home_steps);
}

static void enter(const struct tables *t, struct population *pop, uint64_t id, double x,
                  const struct mig_draw *d, struct tally *y)
{
    int o = pop->origin[id], female = (pop->traits[id] & MIG_FEMALE) != 0;
    if (x >= t->entry_p[o][female])
        return;
    int r = sample(t->region_cdf[o], t->regions, d->w[1]);
    pop->region[id] = (uint8_t)r;
    pop->sector[id] = (uint8_t)sample(t->sector_cdf[r], t->sectors, d->w[2]);
    pop->state[id] = MIG_PRESENT;
    pop->arrived[id] = t->step;
    pop->until[id] = MIG_NEVER;
    y->arrivals[o][r]++;
}

/* Competing risks in the order return, visit, relocation. */
static void stay(const struct tables *t, struct population *pop, uint64_t id, double x,
                 const struct mig_draw *d, struct tally *y)
{
    int o = pop->origin[id], r = pop->region[id];
    int early = t->step - pop->arrived[id] < t->early_steps;
    double p_return = t->return_p[o][r][pop->sector[id]][early];
    if (x < p_return) {
        pop->state[id] = MIG_RETURNED;
        pop->until[id] = t->step;
        y->returns[o][r]++;
        return;
    }
    x -= p_return;
    if (x < t->visit_p[o]) {
        double length = -log(mig_rng_u01(d->w[1])) * t->visit_steps;
        pop->state[id] = MIG_VISITING;
        pop->last_visit[id] = t->step;
        pop->until[id] = t->step + (int32_t)fmax(1.0, round(length));
        y->visits[o]++;
        return;
    }
    x -= t->visit_p[o];
    if (x < t->relocate_p[r])
        pop->region[id] = (uint8_t)sample(t->region_cdf[o], t->regions, d->w[2]);
}

void mig_behaviour_migrant(const struct tables *t, struct population *pop, uint64_t id,
                           struct tally *y)
{
    bool present = pop->state[id] == MIG_PRESENT;
    if (!present && !free_to_come(t, pop, id))
        return;
    struct mig_draw d = mig_rng_draw(t->seed, MIG_STREAM_MIGRANT_STEP, id, (uint32_t)t->step);
    double x = mig_rng_u01(d.w[0]) * t->q_migrant;
    if (present)
        stay(t, pop, id, x, &d, y);
    else
        enter(t, pop, id, x, &d, y);
}

/* Counts ids [first, end) of one origin. Per-origin sums are kept in
 * registers; present and at-home agents are interleaved at random, so both
 * are counted without branching on the state. */
static void count_origin(const struct tables *t, struct population *pop, int o, uint64_t first,
                         uint64_t end, struct tally *y)
{
    int64_t remit = 0, visiting = 0, eligible[2] = {0, 0};
    bool open = t->border_open[o];
    for (uint64_t id = first; id < end; id++) {
        uint8_t state = pop->state[id];
        if (state == MIG_VISITING) { /* rare, so the branch is well predicted */
            if (t->step < pop->until[id] || !open) {
                visiting++;
                continue;
            }
            pop->state[id] = state = MIG_PRESENT; /* back at work */
        }
        int64_t present = state == MIG_PRESENT;
        int64_t rested = (int64_t)t->step - pop->until[id] >= t->min_home_steps;
        int64_t free = (state == MIG_PROSPECTIVE) | ((state == MIG_RETURNED) & rested);
        int r = pop->region[id], female = (pop->traits[id] & MIG_FEMALE) != 0;
        eligible[female] += free;
        y->stock[o][r] += present;
        y->stock_sector[r][pop->sector[id]] += present;
        double sent = pop->remit_share[id] * mig_behaviour_wage(t, pop, id) * t->remit_cents_factor;
        remit += present * (int64_t)(sent + 0.5);
    }
    y->remit_cents[o] += remit;
    y->visiting[o] += visiting;
    y->eligible[o][0] += eligible[0];
    y->eligible[o][1] += eligible[1];
}

void mig_behaviour_count(const struct tables *t, struct population *pop, uint64_t first,
                         uint64_t end, struct tally *y)
{
    for (int o = 0; first < end; o++) {
        uint64_t stop = pop->origin_first[o + 1] < end ? pop->origin_first[o + 1] : end;
        if (first < stop)
            count_origin(t, pop, o, first, stop, y);
        first = first > stop ? first : stop;
    }
}
