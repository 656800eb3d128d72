/* Residents' decisions: who among Kazakhstan's residents moves to another
 * region in a step, why, and where to.
 *
 * Residents move at rates that are competing risks by driver (economic,
 * climate, resettlement, education, other), each with its own destination
 * model; the driver that fired is the move's dominant driver. Candidates are
 * drawn by thinning at a fixed ceiling rate, as for migrant workers. */
#include "migsim/residents.h"
#include "choice.h"
#include "migsim/behaviour.h"

#include <math.h>
#include <string.h>

const char *const mig_driver_names[MIG_DRIVERS] = {"economic", "climate", "resettlement",
                                                   "education", "other"};

static double mean_wage(const struct world *w, const struct conditions *c)
{
    double sum = 0, people = 0;
    for (int r = 0; r < w->regions; r++)
        sum += c->region_wage_usd[r] * w->region_population[r], people += w->region_population[r];
    return sum / people;
}

/* Yearly move rates of a resident of region r in age band a, by driver. */
static void resident_rates(const struct scenario *sc, const struct world *w,
                           const struct conditions *c, int r, int a, double resettle_rate,
                           double *rate)
{
    const char *code = w->region_code[r];
    double trend = exp(sc->residents.mobility_trend * c->years);
    double age = w->age_mobility[a];
    rate[MIG_DRIVER_ECONOMIC] = sc->residents.economic_rate * age * trend *
                                pow(mean_wage(w, c) / c->region_wage_usd[r], 1.0);
    rate[MIG_DRIVER_CLIMATE] = sc->residents.climate_rate * age * c->region_climate[r];
    rate[MIG_DRIVER_RESETTLEMENT] =
        mig_region_listed(&sc->residents.resettlement_sources, code) ? resettle_rate * age : 0.0;
    double in_season = sc->residents.education_season_share / (61.0 / 365.25);
    double off_season = (1 - sc->residents.education_season_share) / (304.25 / 365.25);
    rate[MIG_DRIVER_EDUCATION] =
        a == w->student_age
            ? sc->residents.education_rate * (c->education_season ? in_season : off_season)
            : 0.0;
    rate[MIG_DRIVER_OTHER] = sc->residents.other_rate * age * trend;
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
                         const struct conditions *c, struct resident_tables *t)
{
    double beta_d = sc->residents.distance_elasticity;
    for (int from = 0; from < w->regions; from++) {
        for (int to = 0; to < w->regions; to++) {
            double size = log(w->region_population[to]);
            double far = beta_d * log(fmax(w->region_distance_km[from][to], 20.0));
            const char *code = w->region_code[to];
            t->dest_cdf[MIG_DRIVER_ECONOMIC][from][to] =
                sc->residents.wage_elasticity * log(c->region_wage_usd[to]) + size - far;
            t->dest_cdf[MIG_DRIVER_CLIMATE][from][to] =
                -sc->residents.climate_weight * c->region_climate[to] + size - far;
            double filled = c->resettlement_quota[to] * resettlement_fill(sc, c, to);
            t->dest_cdf[MIG_DRIVER_RESETTLEMENT][from][to] = filled > 0 ? log(filled) : -INFINITY;
            t->dest_cdf[MIG_DRIVER_EDUCATION][from][to] =
                mig_region_listed(&sc->residents.education_centres, code) ? size - far : -INFINITY;
            t->dest_cdf[MIG_DRIVER_OTHER][from][to] = size - far;
            if (to == from)
                for (int j = 0; j < MIG_DRIVERS; j++)
                    t->dest_cdf[j][from][to] = -INFINITY;
        }
        for (int j = 0; j < MIG_DRIVERS; j++)
            logit_cdf(t->dest_cdf[j][from], w->regions);
    }
}

void mig_residents_tables(const struct scenario *sc, const struct world *w,
                          const struct conditions *c, struct resident_tables *t)
{
    t->q_move = step_probability(sc->residents.candidate_rate, c->days);
    t->move_clamped = false;
    double source_people = 0, mean_age = 0, movers = 0;
    for (int r = 0; r < w->regions; r++) {
        if (mig_region_listed(&sc->residents.resettlement_sources, w->region_code[r]))
            source_people += w->region_population[r];
        movers += c->resettlement_quota[r] * resettlement_fill(sc, c, r);
    }
    for (int a = 0; a < w->ages; a++)
        mean_age += w->age_share[a] * w->age_mobility[a];
    /* Dividing by the mean age factor keeps the programme's total. */
    double resettle_rate = source_people > 0 ? movers / (source_people * mean_age) : 0.0;
    for (int r = 0; r < w->regions; r++)
        for (int a = 0; a < w->ages; a++) {
            double rate[MIG_DRIVERS], total = 0;
            resident_rates(sc, w, c, r, a, resettle_rate, rate);
            for (int j = 0; j < MIG_DRIVERS; j++)
                total += rate[j];
            double p = step_probability(total, c->days);
            if (p > t->q_move) {
                p = t->q_move;
                t->move_clamped = true;
            }
            double running = 0;
            for (int j = 0; j < MIG_DRIVERS; j++) {
                running += total > 0 ? p * rate[j] / total : 0.0;
                t->move_cum[r][a][j] = running;
            }
        }
    destinations(sc, w, c, t);
}

void mig_residents_move(const struct tables *t, struct population *pop, uint64_t id,
                        struct tally *y)
{
    int from = pop->resident_region[id], age = pop->resident_person[id] & 0x7F;
    struct mig_draw d = mig_rng_draw(t->seed, MIG_STREAM_RESIDENT_MOVE, id, (uint32_t)t->step);
    double x = mig_rng_u01(d.w[0]) * t->residents.q_move;
    const double *cum = t->residents.move_cum[from][age];
    if (x >= cum[MIG_DRIVERS - 1])
        return;
    int driver = 0;
    while (x >= cum[driver])
        driver++;
    int to = sample(t->residents.dest_cdf[driver][from], t->regions, d.w[1]);
    pop->resident_region[id] = (uint8_t)to;
    y->residents.moves[from][to]++;
    y->residents.moves_by_driver[driver]++;
}
