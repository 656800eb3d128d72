/* Conditions per step: the world's data, the scenario's policy parameters,
 * and the seasons. */
#include "migsim/policy.h"
#include "migsim/date.h"

#include <math.h>
#include <string.h>

/* A cosine season with its peak on `peak_day` and mean 1 over the year. */
static double season(long day, double peak_day, double amplitude)
{
    double phase = 2 * M_PI * (mig_date_day_of_year(day) - peak_day) / 365.25;
    return 1 + amplitude * cos(phase);
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
    for (int r = 0; r < w->regions; r++) {
        c->region_wage_usd[r] = w->region_wage_usd[r];
        c->region_climate[r] = w->region_climate[r];
        for (int k = 0; k < w->sectors; k++)
            c->sector_demand[r][k] =
                w->sector_demand[k] * (w->sector_seasonal[k] ? c->seasonal_demand : 1.0);
    }
    c->remittance_fee = sc->migrants.remittance_fee;
    c->resettlement_quota = sc->residents.resettlement_quota;
}
