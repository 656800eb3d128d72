/* Conditions per step: the world's data, the scenario's policy parameters,
 * and the seasons. */
#include "migsim/policy.h"
#include "migsim/residents.h"
#include "migsim/date.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* A cosine season with its peak on `peak_day` and mean 1 over the year. */
static double season(long day, double peak_day, double amplitude)
{
    double phase = 2 * M_PI * (mig_date_day_of_year(day) - peak_day) / 365.25;
    return 1 + amplitude * cos(phase);
}

/* Origins an event's target names: one, or all for `all`. */
static bool names_origin(const struct world *w, const struct mig_event *e, int o)
{
    return strcmp(e->target, "all") == 0 || strcmp(e->target, w->origin_code[o]) == 0;
}

static bool names_region(const struct world *w, const struct mig_event *e, int r)
{
    return strcmp(e->target, "all") == 0 || strcmp(e->target, "KAZ") == 0 ||
           strcmp(e->target, w->region_code[r]) == 0;
}

/* Moves `x` towards `goal` by the event's strength f. */
static void towards(double *x, double goal, double f)
{
    *x += f * (goal - *x);
}

static void apply(const struct scenario *sc, const struct world *w, const struct mig_event *e,
                  double f, struct conditions *c)
{
    double factor = 1 + f * e->value;
    for (int o = 0; o < w->origins; o++) {
        if (!names_origin(w, e, o))
            continue;
        bool eaeu = mig_by_origin_get(&sc->policy.eaeu, w->origin_code[o]) > 0.5;
        switch (e->kind) {
        case MIG_EVENT_WAGE:
        case MIG_EVENT_EXCHANGE_RATE:
            c->origin_wage_usd[o] *= factor;
            break;
        case MIG_EVENT_BORDER_CLOSED:
            c->border_open[o] = 0;
            break;
        case MIG_EVENT_PERMIT_FEE:
            if (!eaeu)
                towards(&c->permit_fee_usd[o], e->value, f);
            break;
        case MIG_EVENT_QUOTA:
            if (!eaeu)
                c->quota[o] = e->value;
            break;
        default:
            break;
        }
    }
    int sector = -1;
    for (int k = 0; k < w->sectors; k++)
        if (strcmp(w->sector_code[k], e->sector) == 0)
            sector = k;
    for (int r = 0; r < w->regions; r++) {
        if (!names_region(w, e, r))
            continue;
        switch (e->kind) {
        case MIG_EVENT_WAGE:
        case MIG_EVENT_EXCHANGE_RATE:
            c->region_wage_usd[r] *= factor;
            break;
        case MIG_EVENT_CLIMATE:
            c->region_climate[r] = fmin(1.0, fmax(0.0, c->region_climate[r] + f * e->value));
            break;
        case MIG_EVENT_SECTOR_DEMAND:
            if (sector >= 0) {
                c->sector_demand[r][sector] *= factor;
                c->demand_shock[r][sector] *= factor;
            }
            break;
        case MIG_EVENT_RESETTLEMENT:
            towards(&c->resettlement_quota[r], e->value, f);
            c->resettlement_subsidy[r] = e->subsidy_usd;
            break;
        default:
            break;
        }
    }
    if (e->kind == MIG_EVENT_REMITTANCE_FEE)
        towards(&c->remittance_fee, e->value, f);
}

void mig_policy_conditions(const struct scenario *sc, const struct world *w, long day, double days,
                           struct conditions *c)
{
    memset(c, 0, sizeof *c);
    c->day = day;
    c->days = days;
    long middle = day + (long)(days / 2);
    c->years = (middle - sc->start) / 365.25;
    c->entry_season = season(middle, sc->migrants.season_peak_day, sc->migrants.entry_seasonality);
    /* Seasonal work peaks about two months after the entries that feed it. */
    c->seasonal_demand =
        season(middle, sc->migrants.season_peak_day + 60, sc->migrants.construction_season);
    int y, m, d;
    mig_date_to_civil(middle, &y, &m, &d);
    c->education_season = m == 8 || m == 9;

    for (int o = 0; o < w->origins; o++) {
        const char *code = w->origin_code[o];
        bool eaeu = mig_by_origin_get(&sc->policy.eaeu, code) > 0.5;
        c->origin_wage_usd[o] = w->origin_wage_usd[o];
        c->border_open[o] = mig_by_origin_get(&sc->policy.border_open, code);
        c->permit_fee_usd[o] = eaeu ? 0 : mig_by_origin_get(&sc->policy.permit_fee_usd, code);
        c->quota[o] = eaeu ? 0 : mig_by_origin_get(&sc->policy.quota, code);
    }
    double destination_people = 0;
    for (int r = 0; r < w->regions; r++)
        if (mig_region_listed(&sc->residents.resettlement_destinations, w->region_code[r]))
            destination_people += w->region_population[r];
    for (int r = 0; r < w->regions; r++) {
        c->region_wage_usd[r] = w->region_wage_usd[r];
        c->region_climate[r] = w->region_climate[r];
        for (int k = 0; k < w->sectors; k++) {
            c->sector_demand[r][k] = w->employed[r][k] * w->migrant_intensity[k] *
                                     (w->sector_seasonal[k] ? c->seasonal_demand : 1.0);
            c->demand_shock[r][k] = 1.0;
        }
        if (mig_region_listed(&sc->residents.resettlement_destinations, w->region_code[r]))
            c->resettlement_quota[r] =
                sc->residents.resettlement_quota * w->region_population[r] / destination_people;
    }
    c->remittance_fee = sc->migrants.remittance_fee;
    for (int i = 0; i < sc->timeline.count; i++) {
        const struct mig_event *e = &sc->timeline.event[i];
        double f = mig_event_strength(e, middle);
        if (f > 0)
            apply(sc, w, e, f, c);
    }
    mig_residents_climate_push(w, c);
    /* Demand relative to the same season without events. */
    for (int r = 0; r < w->regions; r++) {
        double now = 0, usual = 0;
        for (int k = 0; k < w->sectors; k++) {
            now += c->sector_demand[r][k];
            usual += c->sector_demand[r][k] / c->demand_shock[r][k];
        }
        c->demand_index[r] = usual > 0 ? now / usual : 1.0;
    }
}
