/* Decision rules of migrant workers (residents' moves are in residents.c).
 *
 * Leaving home: a prospective migrant of an origin's area leaves for work
 * abroad at a rate that grows with what work abroad offers over the wage at
 * home, and chooses between Kazakhstan and Russia (a nested logit: the two
 * destinations share a nest whose weight is migrants.abroad_nest). In
 * Kazakhstan the choice is between formal work (paying the permit fee) and
 * informal work (lower pay, no fee), so the value of coming is the logsum of
 * the two. Russia's constant is set from data: at the base wages it gives
 * the origin's ratio of workers in Russia to workers in Kazakhstan.
 * Region: multinomial logit over the region's labour demand (its employment
 * by sector times the sectors' intensity of migrant work, a size variable
 * with weight 1), log wage, log distance along the route from the area,
 * co-nationals per 1,000 residents (bounded) and climate stress. Sector: by
 * the region's demand. Present migrants visit home (less often the farther
 * home is along the route), return for good (more in the first months and
 * off season), and relocate. Remitters send their share of earnings.
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

/* Migrant demand of a region: its employment by sector times the sectors'
 * intensities, with the season and events (policy.c). */
static double labour_demand(const struct world *w, const struct conditions *c, int r)
{
    double sum = 0;
    for (int k = 0; k < w->sectors; k++)
        sum += c->sector_demand[r][k];
    return sum;
}

/* Bounded network effect of x co-nationals per 1,000 residents. */
static double network(const struct scenario *sc, double x)
{
    return sc->migrants.network_weight * x / (x + sc->migrants.network_half);
}

static void region_choice(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, const struct aggregates *agg,
                          struct tables *t)
{
    double base[MIG_MAX_REGIONS];
    for (int r = 0; r < w->regions; r++)
        base[r] = log(fmax(labour_demand(w, c, r), 1e-9)) +
                  sc->migrants.wage_elasticity * log(c->region_wage_usd[r]) -
                  sc->migrants.climate_weight * c->region_climate[r];
    for (int a = 0; a < w->areas; a++) {
        int o = w->area_origin[a];
        double *u = t->region_cdf[a];
        for (int r = 0; r < w->regions; r++) {
            double per_1000 = agg->stock[o][r] / (w->region_population[r] / 1000.0);
            u[r] = base[r] + network(sc, per_1000) -
                   sc->migrants.distance_elasticity * log(fmax(w->area_km[a][r], 50.0));
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
        t->living_cost_usd[r] = (float)(w->region_subsistence_usd[r] * sc->migrants.living_cost);
    }
    t->informal_factor = (float)sc->migrants.informal_wage_factor;
    for (int o = 0; o < w->origins; o++)
        t->fee_usd[o] = (float)c->permit_fee_usd[o];
}

/* Expected monthly formal wage in Kazakhstan for a newcomer from area a of
 * one sex. */
static double expected_wage(const struct world *w, const struct tables *t, int a, int female)
{
    double total = 0, previous = 0;
    for (int r = 0; r < w->regions; r++) {
        double p_region = t->region_cdf[a][r] - previous, inner = 0, prev_k = 0;
        previous = t->region_cdf[a][r];
        for (int k = 0; k < w->sectors; k++) {
            inner += (t->sector_cdf[r][k] - prev_k) * t->wage[r][k][female];
            prev_k = t->sector_cdf[r][k];
        }
        total += p_region * inner;
    }
    return total;
}

/* Demand for migrant workers where newcomers from area a would go, relative
 * to the same season without events (1 without sector events). */
static double expected_demand(const struct world *w, const struct conditions *c,
                              const struct tables *t, int a)
{
    double total = 0, previous = 0;
    for (int r = 0; r < w->regions; r++) {
        total += (t->region_cdf[a][r] - previous) * c->demand_index[r];
        previous = t->region_cdf[a][r];
    }
    return total;
}

/* The value of working in Kazakhstan at expected wage `wage`: the logsum of
 * formal work (wage less the permit fee) and informal work (the wage times
 * informal_wage_factor, less a cost of informality). Sets the share who
 * choose informal work. */
static double kazakhstan_value(const struct scenario *sc, double wage, double fee,
                               double *informal_share)
{
    double beta = sc->migrants.wage_elasticity;
    double formal = beta * log(fmax(wage - fee, 1.0));
    double informal =
        beta * log(fmax(wage * sc->migrants.informal_wage_factor, 1.0)) - sc->migrants.informal_cost;
    *informal_share = 1.0 / (1.0 + exp(formal - informal));
    double top = fmax(formal, informal);
    return top + log(exp(formal - top) + exp(informal - top));
}

/* Russia, the competing destination: the origin named RUS in the data is
 * Russia's economy; its wage (changed by wage and exchange-rate events on
 * RUS) sets what migrants earn there, less the patent that non-EAEU
 * workers pay (in roubles, so it moves with the rouble). */
static int russia_of(const struct world *w)
{
    return mig_world_origin(w, "RUS");
}

static double russia_wage(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, int o, int female, bool base)
{
    int ru = russia_of(w);
    double rub = base ? 1.0 : c->origin_wage_usd[ru] / w->origin_wage_usd[ru];
    double wage = w->origin_wage_usd[ru] * rub * sc->migrants.russia_wage_ratio /
                  (female ? 1.0 + sc->migrants.gender_gap_kz : 1.0);
    return wage - rub * mig_by_origin_get(&sc->policy.russia_patent_usd, w->origin_code[o]);
}

/* Russia's constant for origin o: at the base wages (national mean, no
 * events), Russia's value over Kazakhstan's equals the data's ratio of the
 * origin's workers in Russia to those in Kazakhstan (equal return rates
 * make the ratio of flows that of stocks). 0 without that ratio. */
static double russia_constant(const struct scenario *sc, const struct world *w, int o)
{
    if (w->origin_russia_ratio[o] <= 0 || russia_of(w) < 0 || russia_of(w) == o)
        return 0.0;
    double sum = 0, people = 0, informal;
    for (int r = 0; r < w->regions; r++)
        sum += w->region_wage_usd[r] * w->region_population[r], people += w->region_population[r];
    double kz_wage = sum / people * sc->migrants.wage_ratio;
    bool eaeu = mig_by_origin_get(&sc->policy.eaeu, w->origin_code[o]) > 0.5;
    double fee = eaeu ? 0.0 : mig_by_origin_get(&sc->policy.permit_fee_usd, w->origin_code[o]);
    double kz = kazakhstan_value(sc, kz_wage, fee, &informal);
    double ru = sc->migrants.wage_elasticity *
                log(fmax(russia_wage(sc, w, NULL, o, 0, true), 1.0));
    return w->origin_russia_ratio[o] * exp(kz - ru);
}

static void entry_tables(const struct scenario *sc, const struct world *w,
                         const struct conditions *c, const struct aggregates *agg, struct tables *t)
{
    double beta = sc->migrants.wage_elasticity, nest = sc->migrants.abroad_nest;
    double constant[MIG_MAX_ORIGINS], expected[MIG_MAX_ORIGINS] = {0};
    for (int o = 0; o < w->origins; o++)
        constant[o] = russia_constant(sc, w, o);
    for (int a = 0; a < w->areas; a++) {
        int o = w->area_origin[a];
        double propensity = mig_by_origin_get(&sc->migrants.entry_propensity, w->origin_code[o]);
        double demand = expected_demand(w, c, t, a);
        for (int female = 0; female < 2; female++) {
            double home =
                c->origin_wage_usd[o] / (female ? 1.0 + sc->migrants.gender_gap_home : 1.0);
            double kz_value = kazakhstan_value(sc, expected_wage(w, t, a, female),
                                               c->permit_fee_usd[o], &t->informal_p[a][female]);
            /* Values relative to staying home, as ratios (exp of the
             * utilities) so that a closed border is a plain 0. */
            double kz = propensity * demand * c->border_open[o] * exp(kz_value - beta * log(home));
            double ru = constant[o] > 0
                            ? propensity * constant[o] *
                                  exp(beta * (log(fmax(russia_wage(sc, w, c, o, female, false),
                                                       1.0)) -
                                              log(home)))
                            : 0.0;
            double both = kz + ru;
            double abroad = both > 0 ? sc->migrants.entry_rate * c->entry_season * pow(both, nest)
                                     : 0.0;
            double p_kz = step_probability(both > 0 ? abroad * kz / both : 0.0, c->days);
            double p_ru = step_probability(both > 0 ? abroad * ru / both : 0.0, c->days);
            if (p_kz + p_ru > 1.0) { /* both at once: at most one event a step */
                double f = 1.0 / (p_kz + p_ru);
                p_kz *= f, p_ru *= f;
                t->migrant_clamped = true;
            }
            t->entry_p[a][female] = p_kz;
            t->russia_p[a][female] = p_ru;
            expected[o] += p_kz * agg->eligible[a][female];
        }
    }
    /* A quota spreads what is left of the year's allowance over the rest
     * of the year. */
    for (int o = 0; o < w->origins; o++) {
        if (c->quota[o] <= 0)
            continue;
        int y, m, d;
        mig_date_to_civil(c->day, &y, &m, &d);
        double left_days = (double)(mig_date_from_civil(y + 1, 1, 1) - c->day);
        double allowed =
            fmax(0.0, c->quota[o] - agg->entries_this_year[o]) * fmin(1.0, c->days / left_days);
        if (expected[o] > allowed)
            for (int a = 0; a < w->areas; a++)
                if (w->area_origin[a] == o)
                    for (int female = 0; female < 2; female++)
                        t->entry_p[a][female] *= expected[o] > 0 ? allowed / expected[o] : 0.0;
    }
    memset(t->q_home, 0, sizeof t->q_home);
    for (int a = 0; a < w->areas; a++)
        for (int female = 0; female < 2; female++) {
            double *q = &t->q_home[w->area_origin[a]];
            *q = fmax(*q, t->entry_p[a][female] + t->russia_p[a][female]);
        }
    t->russia_back_p = step_probability(sc->migrants.return_rate, c->days);
    t->q_russia = t->russia_back_p;
}

/* The rate of returning for good of a worker from o in region r, sector k. */
static double return_rate(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, int r, int k)
{
    bool off = w->sector_seasonal[k] && c->seasonal_demand < 1.0;
    double raised = c->region_climate[r] - w->region_climate[r];
    return sc->migrants.return_rate * (off ? sc->migrants.return_off_season_factor : 1.0) *
           exp(sc->migrants.climate_push * raised) *
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
    double most_visits[MIG_MAX_ORIGINS][MIG_MAX_REGIONS] = {{0}};
    for (int o = 0; o < w->origins; o++)
        t->border_open[o] = c->border_open[o] > 0.5;
    for (int a = 0; a < w->areas; a++) {
        int o = w->area_origin[a];
        for (int r = 0; r < w->regions; r++) {
            double km = w->area_km[a][r];
            double visits = sc->migrants.visit_rate *
                            exp(-sc->migrants.visit_distance_decay * (km / 1000.0 - 1.0));
            t->visit_p[a][r] = t->border_open[o] ? step_probability(visits, c->days) : 0.0;
            most_visits[o][r] = fmax(most_visits[o][r], t->visit_p[a][r]);
        }
    }
    for (int o = 0; o < w->origins; o++) {
        t->q_present[o] = 0;
        for (int r = 0; r < w->regions; r++)
            for (int k = 0; k < w->sectors; k++)
                for (int early = 0; early < 2; early++) {
                    double rate = return_rate(sc, w, c, r, k) *
                                  (early ? sc->migrants.return_early_factor : 1.0);
                    double *p = &t->return_p[o][r][k][early];
                    *p = t->border_open[o] ? step_probability(rate, c->days) : 0.0;
                    double total = *p + most_visits[o][r] + t->relocate_p[r];
                    if (total > 1.0) { /* at most one event a step */
                        t->migrant_clamped = true;
                        *p = fmax(0.0, 1.0 - most_visits[o][r] - t->relocate_p[r]);
                        total = 1.0;
                    }
                    t->q_present[o] = fmax(t->q_present[o], total);
                }
    }
    t->visit_steps = sc->migrants.visit_weeks * 7.0 / c->days;
    t->early_steps = (int32_t)ceil(91.0 / c->days);
    t->min_home_steps = (int32_t)fmax(1.0, ceil(sc->migrants.min_weeks_home * 7.0 / c->days));
    t->remit_cents_factor = 100.0 * c->days / 30.4375 * (1.0 - c->remittance_fee);
    t->saving_margin = sc->migrants.saving_margin;
}

void mig_behaviour_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, const struct aggregates *agg, int32_t step,
                          struct tables *t)
{
    t->step = step;
    t->seed = (uint64_t)sc->seed;
    t->regions = w->regions;
    t->sectors = w->sectors;
    t->areas = w->areas;
    t->migrant_clamped = false;
    region_choice(sc, w, c, agg, t);
    sector_choice(w, c, t);
    wages(sc, w, c, t);
    entry_tables(sc, w, c, agg, t);
    stay_tables(sc, w, c, t);
    mig_residents_tables(sc, w, c, &t->residents);
    t->start_tenure_steps = 365.25 / fmax(sc->migrants.return_rate, 1e-6) / sc->step_days;
    t->start_visit_gap_steps = 365.25 / fmax(sc->migrants.visit_rate, 1e-6) / sc->step_days;
}

void mig_behaviour_initial_aggregates(const struct scenario *sc, const struct world *w,
                                      const struct conditions *c, struct aggregates *agg)
{
    memset(agg, 0, sizeof *agg);
    struct tables *t = &(struct tables){0};
    double area_share[MIG_MAX_AREAS], origin_total[MIG_MAX_ORIGINS] = {0};
    for (int a = 0; a < w->areas; a++)
        origin_total[w->area_origin[a]] += w->area_population[a];
    for (int a = 0; a < w->areas; a++)
        area_share[a] = w->area_population[a] / origin_total[w->area_origin[a]];
    for (int iteration = 0; iteration < 50; iteration++) {
        region_choice(sc, w, c, agg, t);
        double stock[MIG_MAX_ORIGINS][MIG_MAX_REGIONS] = {{0}};
        for (int a = 0; a < w->areas; a++) {
            int o = w->area_origin[a];
            double people = sc->migrants.initial_stock * w->origin_share[o] * area_share[a];
            double previous = 0;
            for (int r = 0; r < w->regions; r++) {
                stock[o][r] += people * (t->region_cdf[a][r] - previous);
                previous = t->region_cdf[a][r];
            }
        }
        memcpy(agg->stock, stock, sizeof stock);
    }
}

void mig_behaviour_place_initial(const struct tables *t, struct population *pop, uint64_t first,
                                 uint64_t end)
{
    double tenure_steps = t->start_tenure_steps, visit_steps = t->start_visit_gap_steps;
    /* Each worker's draws are its own: placed in parallel (their personal
     * draws come with the agents). */
#pragma omp parallel for schedule(static)
    for (int64_t i = (int64_t)first; i < (int64_t)end; i++) {
        uint64_t id = (uint64_t)i;
        struct mig_draw d = mig_rng_draw(t->seed, MIG_STREAM_MIGRANT_START, id, 0);
        struct mig_draw e = mig_rng_draw(t->seed, MIG_STREAM_MIGRANT_START, id, 1);
        int a = pop->migrant[id].area;
        int female = (pop->migrant[id].traits & MIG_FEMALE) != 0;
        int r = sample(t->region_cdf[a], t->regions, d.w[0]);
        pop->migrant[id].region = (uint8_t)r;
        pop->migrant[id].sector = (uint8_t)sample(t->sector_cdf[r], t->sectors, d.w[1]);
        pop->migrant[id].state = MIG_PRESENT;
        if (mig_rng_u01(e.w[0]) < t->informal_p[a][female])
            pop->migrant[id].traits |= MIG_INFORMAL;
        int32_t tenure = (int32_t)(-log(mig_rng_u01(d.w[2])) * tenure_steps);
        int32_t since_visit = (int32_t)(-log(mig_rng_u01(d.w[3])) * visit_steps);
        pop->migrant[id].arrived = t->step - tenure;
        pop->migrant[id].last_visit = since_visit < tenure ? t->step - since_visit : MIG_NEVER;
    }
}

/* The remittance base of a worker: share of earnings sent times wage noise,
 * in fixed point (0 for non-remitters), rounded. */
static int64_t remit_base(const struct population *pop, uint64_t id)
{
    return mig_behaviour_round((double)pop->migrant[id].remit_share *
                               (double)pop->migrant[id].skill * MIG_REMIT_UNIT);
}

/* Adds (sign 1) or removes (-1) a present worker from the levels. */
static void count_present(const struct population *pop, uint64_t id, struct tally *y, int sign)
{
    int o = pop->migrant[id].origin, r = pop->migrant[id].region, k = pop->migrant[id].sector;
    uint8_t traits = pop->migrant[id].traits;
    y->stock[o][r] += sign;
    y->stock_sector[r][k] += sign;
    y->remit_base[o][r][k][(traits & MIG_FEMALE) != 0][(traits & MIG_INFORMAL) != 0] +=
        sign * remit_base(pop, id);
}

/* Adds or removes one of those at home and free to go. */
static void count_home(const struct population *pop, uint64_t id, struct tally *y, int sign)
{
    y->eligible[pop->migrant[id].area][(pop->migrant[id].traits & MIG_FEMALE) != 0] += sign;
}

void mig_behaviour_home(const struct tables *t, struct population *pop, uint64_t id,
                        struct mig_draw d, struct tally *y)
{
    int o = pop->migrant[id].origin, a = pop->migrant[id].area,
        female = (pop->migrant[id].traits & MIG_FEMALE) != 0;
    double x = mig_rng_u01(d.w[0]) * t->q_home[o];
    double p_kz = t->entry_p[a][female];
    if (x >= p_kz) {
        if (x < p_kz + t->russia_p[a][female]) {
            pop->migrant[id].state = MIG_IN_RUSSIA;
            mig_population_move(pop, id, MIG_CLASS_HOME, MIG_CLASS_RUSSIA);
            count_home(pop, id, y, -1);
            y->to_russia[o]++;
        }
        return;
    }
    int r = sample(t->region_cdf[a], t->regions, d.w[1]);
    pop->migrant[id].region = (uint8_t)r;
    pop->migrant[id].sector = (uint8_t)sample(t->sector_cdf[r], t->sectors, d.w[2]);
    pop->migrant[id].state = MIG_PRESENT;
    pop->migrant[id].arrived = t->step;
    pop->migrant[id].until = MIG_NEVER;
    if (pop->migrant[id].skill == 0)
        mig_population_personal(pop, id);
    if (mig_rng_u01(d.w[3]) < t->informal_p[a][female])
        pop->migrant[id].traits |= MIG_INFORMAL;
    else
        pop->migrant[id].traits &= (uint8_t)~MIG_INFORMAL;
    mig_population_move(pop, id, MIG_CLASS_HOME, MIG_CLASS_PRESENT);
    count_home(pop, id, y, -1);
    count_present(pop, id, y, 1);
    y->arrivals[o][r]++;
}

/* A return home at this step, from Kazakhstan or Russia: the migrant rests
 * before being free to go again. */
static void start_rest(const struct tables *t, struct population *pop, uint64_t id, int from)
{
    pop->migrant[id].state = MIG_RETURNED;
    pop->migrant[id].until = t->step;
    mig_population_move(pop, id, from, MIG_CLASS_RESTING);
    mig_population_due(pop, id, t->step, t->step + t->min_home_steps - 1);
}

/* Work in Russia ends with a return home, after which one rests like any
 * returned migrant. */
void mig_behaviour_in_russia(const struct tables *t, struct population *pop, uint64_t id,
                             struct mig_draw d, struct tally *y)
{
    if (mig_rng_u01(d.w[0]) * t->q_russia < t->russia_back_p) {
        start_rest(t, pop, id, MIG_CLASS_RUSSIA);
        y->from_russia[pop->migrant[id].origin]++;
    }
}

/* Competing risks in the order return, visit, relocation. */
void mig_behaviour_present(const struct tables *t, struct population *pop, uint64_t id,
                           struct mig_draw d, struct tally *y)
{
    int o = pop->migrant[id].origin, r = pop->migrant[id].region;
    double x = mig_rng_u01(d.w[0]) * t->q_present[o];
    int early = t->step - pop->migrant[id].arrived < t->early_steps;
    double p_return = t->return_p[o][r][pop->migrant[id].sector][early];
    if (x < p_return) {
        start_rest(t, pop, id, MIG_CLASS_PRESENT);
        count_present(pop, id, y, -1);
        y->returns[o][r]++;
        return;
    }
    x -= p_return;
    double p_visit = t->visit_p[pop->migrant[id].area][r];
    if (x < p_visit) {
        double length = -log(mig_rng_u01(d.w[1])) * t->visit_steps;
        pop->migrant[id].state = MIG_VISITING;
        pop->migrant[id].last_visit = t->step;
        int64_t steps = mig_behaviour_round(length);
        pop->migrant[id].until = t->step + (int32_t)(steps > 1 ? steps : 1);
        mig_population_move(pop, id, MIG_CLASS_PRESENT, MIG_CLASS_VISITING);
        mig_population_due(pop, id, t->step, pop->migrant[id].until);
        count_present(pop, id, y, -1);
        y->visiting[o]++;
        y->visits[o]++;
        return;
    }
    x -= p_visit;
    if (x < t->relocate_p[r]) {
        count_present(pop, id, y, -1);
        pop->migrant[id].region =
            (uint8_t)sample(t->region_cdf[pop->migrant[id].area], t->regions, d.w[2]);
        count_present(pop, id, y, 1);
    }
}

/* A visit ends when it is over and the border lets the migrant back;
 * false when it goes on. */
static bool end_visit(const struct tables *t, struct population *pop, uint64_t id,
                      struct tally *y)
{
    int o = pop->migrant[id].origin;
    if (t->step < pop->migrant[id].until || !t->border_open[o])
        return false;
    pop->migrant[id].state = MIG_PRESENT; /* back at work */
    mig_population_move(pop, id, MIG_CLASS_VISITING, MIG_CLASS_PRESENT);
    y->visiting[o]--;
    count_present(pop, id, y, 1);
    return true;
}

/* A returned migrant is free to go again from step until + min_home_steps:
 * from the next step on, if that is now. */
static bool end_rest(const struct tables *t, struct population *pop, uint64_t id,
                     struct tally *y)
{
    if (t->step + 1 - pop->migrant[id].until < t->min_home_steps)
        return false;
    mig_population_move(pop, id, MIG_CLASS_RESTING, MIG_CLASS_HOME);
    count_home(pop, id, y, 1);
    return true;
}

/* Agent id's timer fell due: its visit or rest ends, or it is looked at
 * again when it may end (a later step, or the next one while the border is
 * closed). Only those visiting or resting wait in a slot, and a rest is the
 * state of the returned until they are free to go (which takes them out of
 * the slots), so the agent's own record tells which (no class's bitmap is
 * read). */
static void timer_due(const struct tables *t, struct population *pop, uint64_t id,
                      struct tally *y)
{
    const struct migrant *m = &pop->migrant[id];
    if (m->state == MIG_VISITING) {
        if (!end_visit(t, pop, id, y))
            mig_population_due(pop, id, t->step, m->until > t->step ? m->until : t->step + 1);
    } else if (m->state == MIG_RETURNED) {
        if (!end_rest(t, pop, id, y))
            mig_population_due(pop, id, t->step, m->until + t->min_home_steps - 1);
    }
}

/* The agents whose timers fall due in this step's slot; each is taken out
 * of the slot before it is looked at. The members some words ahead are
 * fetched early, so that their cache misses overlap: at full scale about
 * one timer in two words falls due in a step, so 16 words ahead keep some
 * eight records on their way (4 words, two records, left most of the
 * misses waiting; 64 gained nothing over 16). */
void mig_behaviour_timers(const struct tables *t, struct population *pop, uint64_t first,
                          uint64_t end, struct tally *y)
{
    enum { AHEAD = 16 };
    uint64_t *due = pop->due[(uint32_t)t->step % MIG_TIMER_SLOTS];
    uint64_t low = first / 64, high = (end + 63) / 64;
    for (uint64_t word = low; word < high; word++) {
        if (word + AHEAD < high)
            for (uint64_t bits = due[word + AHEAD]; bits; bits &= bits - 1) {
                uint64_t id = (word + AHEAD) * 64 + (uint64_t)__builtin_ctzll(bits);
                __builtin_prefetch(&pop->migrant[id], 1);
            }
        uint64_t bits = due[word];
        due[word] = 0;
        for (; bits; bits &= bits - 1)
            timer_due(t, pop, word * 64 + (uint64_t)__builtin_ctzll(bits), y);
    }
}

void mig_behaviour_recount(const struct population *pop, uint64_t first, uint64_t end,
                           struct tally *y)
{
    for (uint64_t id = first; id < end; id++) {
        if (pop->migrant[id].state == MIG_PRESENT)
            count_present(pop, id, y, 1);
        else if (pop->migrant[id].state == MIG_VISITING)
            y->visiting[pop->migrant[id].origin]++;
        else if (mig_population_in(pop, MIG_CLASS_HOME, id))
            count_home(pop, id, y, 1);
    }
}

static void add_level(int64_t *level, int64_t *step, size_t count)
{
    for (size_t i = 0; i < count; i++)
        step[i] = level[i] += step[i];
}

void mig_behaviour_levels(struct tally *levels, struct tally *step)
{
#define LEVEL(field)                                                                               \
    add_level((int64_t *)levels->field, (int64_t *)step->field,                                    \
              sizeof levels->field / sizeof(int64_t))
    LEVEL(stock);
    LEVEL(stock_sector);
    LEVEL(visiting);
    LEVEL(eligible);
    LEVEL(remit_base);
#undef LEVEL
}

void mig_behaviour_remittances(const struct tables *t, struct tally *y)
{
    for (int o = 0; o < MIG_MAX_ORIGINS; o++) {
        double sent = 0;
        for (int r = 0; r < t->regions; r++)
            for (int k = 0; k < t->sectors; k++)
                for (int female = 0; female < 2; female++)
                    for (int informal = 0; informal < 2; informal++)
                        sent += (double)y->remit_base[o][r][k][female][informal] *
                                t->wage[r][k][female] * (informal ? t->informal_factor : 1.0f);
        y->remit_cents[o] = llround(sent / MIG_REMIT_UNIT * t->remit_cents_factor);
    }
}
