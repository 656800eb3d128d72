/* Residents' decisions: who among Kazakhstan's residents makes a registered
 * move in a step, why, and where to; and who dies or emigrates.
 *
 * Registered moves (BNS counts a change of residence between regions and
 * between districts or towns of one region) are competing risks by driver,
 * with no time trend: a move's rate and destination follow the step's
 * conditions only, so without a change in the drivers the moves are
 * stationary.
 *   other      family, housing, living conditions: a base rate, higher out
 *              of the three big cities (their residents move more often);
 *              to any region by size and distance, the own region included
 *   economic   a rate that grows as the region's per-capita income falls
 *              below the national mean; to another region by size,
 *              distance, income and the big cities' labour markets
 *   climate    exposure x hazard (agricultural employment share x climate
 *              stress); to any region by size and distance, away from
 *              stress
 *   education  students (15-24) outside the university cities, in season
 *   resettlement  the programme's quota, from its sources to its
 *              destinations
 * All rates scale with the age band's mobility relative to the national
 * mean. The parameters are fitted to BNS 2024 arrivals and departures by
 * region (tests/internal_flows.py mirrors these equations). Candidates are
 * drawn by thinning at the step's largest probability of an event (over
 * regions and age bands), as for migrant workers. */
#include "migsim/residents.h"
#include "choice.h"
#include "migsim/behaviour.h"

#include <math.h>
#include <string.h>

const char *const mig_driver_names[MIG_DRIVERS] = {"economic", "climate", "resettlement",
                                                   "education", "other"};

void mig_residents_climate_push(const struct world *w, struct conditions *c)
{
    for (int r = 0; r < w->regions; r++)
        c->region_climate_push[r] = w->agri_share[r] * c->region_climate[r];
}

double mig_residents_income(const struct world *w, const struct conditions *c, int r)
{
    return w->region_income[r] * c->region_wage_usd[r] / w->region_wage_usd[r];
}

static double mean_income(const struct world *w, const struct conditions *c)
{
    double sum = 0, people = 0;
    for (int r = 0; r < w->regions; r++) {
        sum += mig_residents_income(w, c, r) * w->region_people_2024[r];
        people += w->region_people_2024[r];
    }
    return sum / people;
}

/* Yearly rates of a resident of region r in age band a, by driver, then of
 * death and emigration. */
static void resident_rates(const struct scenario *sc, const struct world *w,
                           const struct conditions *c, int r, int a, double age,
                           double resettle_rate, double mean, double *rate)
{
    const struct scenario *s = sc;
    double income = mig_residents_income(w, c, r);
    rate[MIG_DRIVER_ECONOMIC] =
        s->residents.economic_rate * age * pow(mean / income, s->residents.economic_elasticity);
    rate[MIG_DRIVER_CLIMATE] = s->residents.climate_rate * age * c->region_climate_push[r];
    rate[MIG_DRIVER_RESETTLEMENT] =
        mig_region_listed(&s->residents.resettlement_sources, w->region_code[r])
            ? resettle_rate * age
            : 0.0;
    double in_season = s->residents.education_season_share / (61.0 / 365.25);
    double off_season = (1 - s->residents.education_season_share) / (304.25 / 365.25);
    rate[MIG_DRIVER_EDUCATION] =
        a == w->student_age
            ? s->residents.education_rate * (c->education_season ? in_season : off_season)
            : 0.0;
    rate[MIG_DRIVER_OTHER] =
        s->residents.other_rate * age * exp(w->region_city[r] ? s->residents.city_churn : 0.0);
    rate[MIG_RESIDENT_DEATH] = w->death_rate[r] / 1000 * s->residents.death_factor;
    rate[MIG_RESIDENT_EMIGRATION] = s->residents.emigration_rate;
}

/* The share of a destination's resettlement quota that is filled: more with
 * a subsidy. */
static double resettlement_fill(const struct scenario *sc, const struct conditions *c, int r)
{
    double base = sc->residents.resettlement_fill;
    return base +
           (1 - base) * -expm1(-c->resettlement_subsidy[r] / sc->residents.subsidy_scale_usd);
}

static void destinations(const struct scenario *sc, const struct world *w,
                         const struct conditions *c, double mean, struct resident_tables *t)
{
    double beta_d = sc->residents.distance_elasticity;
    for (int from = 0; from < w->regions; from++) {
        for (int to = 0; to < w->regions; to++) {
            double size = log(w->region_people_2024[to]);
            double far = beta_d * log(fmax(w->region_distance_km[from][to], 20.0));
            double base = to == from ? size + sc->residents.intra_utility : size - far;
            const char *code = w->region_code[to];
            t->dest_cdf[MIG_DRIVER_OTHER][from][to] = base;
            t->dest_cdf[MIG_DRIVER_ECONOMIC][from][to] =
                to == from ? -INFINITY
                           : base +
                                 sc->residents.wage_elasticity *
                                     log(mig_residents_income(w, c, to) / mean) +
                                 (w->region_city[to] ? sc->residents.city_pull : 0.0);
            t->dest_cdf[MIG_DRIVER_CLIMATE][from][to] =
                base - sc->residents.climate_weight * c->region_climate[to];
            double filled = c->resettlement_quota[to] * resettlement_fill(sc, c, to);
            t->dest_cdf[MIG_DRIVER_RESETTLEMENT][from][to] =
                filled > 0 && to != from ? log(filled) : -INFINITY;
            t->dest_cdf[MIG_DRIVER_EDUCATION][from][to] =
                mig_region_listed(&sc->residents.education_centres, code) && to != from
                    ? size - far
                    : -INFINITY;
        }
        for (int j = 0; j < MIG_DRIVERS; j++)
            logit_cdf(t->dest_cdf[j][from], w->regions);
    }
}

void mig_residents_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, struct resident_tables *t)
{
    t->q_move = 0;
    double source_people = 0, mean_age = 0, movers = 0, shares = 0;
    for (int r = 0; r < w->regions; r++) {
        if (mig_region_listed(&sc->residents.resettlement_sources, w->region_code[r]))
            source_people += w->region_population[r];
        movers += c->resettlement_quota[r] * resettlement_fill(sc, c, r);
    }
    for (int a = 0; a < w->ages; a++) {
        mean_age += w->age_share[a] * w->age_mobility[a];
        shares += w->age_share[a];
    }
    mean_age /= shares;
    /* Dividing by the mean age factor keeps the programme's total. */
    double resettle_rate = source_people > 0 ? movers / source_people : 0.0;
    double mean = mean_income(w, c);
    for (int r = 0; r < w->regions; r++)
        for (int a = 0; a < w->ages; a++) {
            double rate[MIG_RESIDENT_EVENTS], total = 0;
            resident_rates(sc, w, c, r, a, w->age_mobility[a] / mean_age, resettle_rate, mean,
                           rate);
            for (int j = 0; j < MIG_RESIDENT_EVENTS; j++)
                total += rate[j];
            double p = step_probability(total, c->days);
            t->q_move = fmax(t->q_move, p);
            double running = 0;
            for (int j = 0; j < MIG_RESIDENT_EVENTS; j++) {
                running += total > 0 ? p * rate[j] / total : 0.0;
                t->move_cum[r][a][j] = running;
            }
        }
    destinations(sc, w, c, mean, t);
}

void mig_residents_move(const struct tables *t, struct population *pop, uint64_t id,
                        struct mig_draw d, struct tally *y)
{
    int from = pop->resident[id].region;
    if (from == MIG_NOBODY)
        return;
    int age = pop->resident[id].person & 0x7F;
    double x = mig_rng_u01(d.w[0]) * t->residents.q_move;
    const double *cum = t->residents.move_cum[from][age];
    if (x >= cum[MIG_RESIDENT_EVENTS - 1])
        return;
    int event = 0;
    while (x >= cum[event])
        event++;
    if (event == MIG_RESIDENT_DEATH || event == MIG_RESIDENT_EMIGRATION) {
        pop->resident[id].region = MIG_NOBODY;
        if (event == MIG_RESIDENT_DEATH)
            y->residents.deaths[from]++;
        else
            y->residents.emigrants[from]++;
        return;
    }
    int to = sample(t->residents.dest_cdf[event][from], t->regions, d.w[1]);
    pop->resident[id].region = (uint8_t)to;
    y->residents.moves[from][to]++;
    if (to != from)
        y->residents.moves_by_driver[event]++;
}
