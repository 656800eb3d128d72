/* The parameter table and the YAML loader. Every error names the file, line
 * and column (libfyaml's marks) and says what was expected; an unknown key
 * gets the nearest known one as a suggestion. */
#include "migsim/scenario.h"
#include "migsim/date.h"
#include "migsim/error.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NUMBER(kind, field, def, lo, hi, unit, text, src)                                          \
    {                                                                                              \
#field, kind, offsetof(struct scenario, field), 0, def, NULL, lo, hi, unit, text, src      \
    }
#define REAL(field, def, lo, hi, unit, text, src)                                                  \
    NUMBER(MIG_PARAM_REAL, field, def, lo, hi, unit, text, src)
#define INT(field, def, lo, hi, unit, text, src)                                                   \
    NUMBER(MIG_PARAM_INT, field, def, lo, hi, unit, text, src)
#define TEXT(field, def, text, src)                                                                \
    {                                                                                              \
#field, MIG_PARAM_TEXT, offsetof(struct scenario, field),                                  \
            sizeof(((struct scenario *)0)->field), 0, def, 0, 0, "", text, src                     \
    }
#define PATH(field, def, text, src)                                                                \
    {                                                                                              \
#field, MIG_PARAM_PATH, offsetof(struct scenario, field),                                  \
            sizeof(((struct scenario *)0)->field), 0, def, 0, 0, "", text, src                     \
    }
#define DATE(field, def, text, src)                                                                \
    {                                                                                              \
#field, MIG_PARAM_DATE, offsetof(struct scenario, field), 0, 0, def, 0, 0, "date", text,   \
            src                                                                                    \
    }
#define BY_ORIGIN(field, all, codes, lo, hi, unit, text, src)                                      \
    {                                                                                              \
#field, MIG_PARAM_BY_ORIGIN, offsetof(struct scenario, field), 0, all, codes, lo, hi,      \
            unit, text, src                                                                        \
    }
#define REGIONS(field, def, text, src)                                                             \
    {                                                                                              \
#field, MIG_PARAM_REGIONS, offsetof(struct scenario, field), 0, 0, def, 0, 0,              \
            "region codes", text, src                                                              \
    }

/* Defaults are the hand-set baseline: each was chosen so that the baseline run
 * reproduces the survey figures in scenarios/targets/baseline.yaml. */
static const struct mig_param params[] = {
    TEXT(name, "unnamed", "short name of the scenario, used in tables and reports", NULL),
    TEXT(description, "", "what question the scenario answers", NULL),
    DATE(start, "2024-01-01", "first day of the run", NULL),
    DATE(end, "2026-12-31",
         "last day of the run (inclusive); the last step is shortened to end here", NULL),
    INT(step_days, 7, 1, 31, "days", "length of one step",
        "assumption: weekly steps resolve visits of two weeks"),
    INT(seed, 1, 0, 9007199254740991.0, "",
        "random seed; runs with one seed share their random numbers", NULL),
    REAL(scale, 1, 0.01, 100000, "persons per agent",
         "how many people one agent stands for; every output is rescaled",
         "assumption: one agent per person"),
    PATH(data, "data", "folder of the data CSV files, relative to the scenario file", NULL),
    PATH(targets, "",
         "figures file (YAML) to check the run against, relative to the scenario file; empty for "
         "none",
         NULL),

    REAL(migrants.initial_stock, 583000, 0, 1e8, "persons",
         "international migrant workers in Kazakhstan when the warm-up begins",
         "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.pool_ratio, 1, 0.05, 100, "at home per worker abroad",
         "people at home who circulate as labour migrants, for each one working abroad "
         "(Kazakhstan or Russia)",
         "assumption: no count of those between trips was found; one at home for each abroad"),
    REAL(migrants.female_share, 0.22, 0, 1, "fraction", "share of women among labour migrants",
         "assumption: no published share of women among migrant workers in Kazakhstan was "
         "found"),
    REAL(migrants.entry_rate, 0.214, 0, 100, "per person-year",
         "base rate at which a prospective migrant leaves home for work abroad",
         "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    BY_ORIGIN(
        migrants.entry_propensity, 1, "RUS:2.22,TJK:0.373,KGZ:0.599,CHN:1.599,OTH:0.911", 0, 1000,
        "multiplier",
        "origin-specific propensity to leave for work abroad (alternative-specific constant)",
        "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.abroad_nest, 0.5, 0.05, 1, "",
         "nest weight of going abroad (Kazakhstan or Russia) against staying: 1 makes the two "
         "destinations independent alternatives, towards 0 a better destination only diverts "
         "migrants from the other",
         "assumption: halfway; no estimate for Central Asian corridors was found"),
    REAL(migrants.russia_wage_ratio, 0.6, 0.05, 5, "fraction",
         "migrant workers' wage in Russia relative to Russia's average wage",
         "assumption: the 2021 survey of Central Asian migrants in Russia found 47,100 RUB a "
         "month (labour_migration.csv LM094), 0.54 of the 2024 average of 87,952 RUB (LM091) and "
         "more of the 2021 one"),
    REAL(migrants.wage_elasticity, 1.0, 0, 10, "",
         "weight of log wages (net of fees) in leaving home, in Kazakhstan against Russia, in "
         "formal against informal work and in the choice of region",
         "assumption: unit elasticity, the usual starting value of gravity models of migration"),
    REAL(migrants.distance_elasticity, 1.0, 0, 10, "",
         "weight of log distance along the route from the home area in the choice of region",
         "assumption: unit distance decay, the usual starting value of gravity models"),
    REAL(migrants.network_weight, 1.0, 0, 5, "",
         "largest effect of co-nationals in a region on choosing it: the utility gains "
         "network_weight * x / (x + network_half), x co-nationals per 1,000 residents",
         "assumption: a region full of co-nationals is at most e (2.7) times as attractive"),
    REAL(migrants.network_half, 10, 0.01, 1000, "per 1,000 residents",
         "co-nationals per 1,000 residents at which the network effect is half its largest",
         "assumption: about the share of migrant workers in Kazakhstan's population (550,000 "
         "in 20.5 million, 27 per 1,000) halved"),
    REAL(migrants.climate_weight, 1.0, 0, 20, "",
         "weight of a region's climate stress (0..1) against choosing it", "assumption: hand-set"),
    REAL(migrants.road_factor, 1.23, 1, 3, "road km per great-circle km",
         "how much longer a trip by road or rail is than the great circle",
         "source: scenarios/data/SOURCES.md caveat 13 (Bishkek-Almaty 240 km by road, 195 km "
         "great circle)"),
    REAL(migrants.air_factor, 1.0, 0.1, 10, "road km per km flown",
         "what a km flown counts for against a km by road in the distance along a route",
         "assumption: equal; no comparison of fares and travel times was made"),
    REAL(migrants.entry_seasonality, 0.2093, 0, 1, "amplitude",
         "seasonal swing of departures around the year (peak on season_peak_day)",
         "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    INT(migrants.season_peak_day, 105, 0, 364, "day of year",
        "day of the year when departures and seasonal-sector demand peak",
        "assumption: mid-April, the start of the construction season"),
    REAL(migrants.warmup_weeks, 52, 0, 520, "weeks",
         "unrecorded weeks run before the start, so that visits, recent arrivals, work in Russia "
         "and the season are in their steady state when recording begins",
         "assumption: a year covers the seasonal cycle and the turnover of visits"),
    REAL(migrants.min_weeks_home, 8, 0, 520, "weeks",
         "time a returned migrant stays home before leaving again", "assumption: hand-set"),
    REAL(migrants.wage_ratio, 0.70, 0.05, 5, "fraction",
         "migrant workers' mean wage relative to the regional average wage",
         "assumption: hand-set; no wage of migrant workers in Kazakhstan was found"),
    REAL(migrants.wage_sigma, 0.30, 0, 2, "log-sd", "dispersion of individual wages (log-normal)",
         "assumption: hand-set"),
    REAL(migrants.gender_gap_kz, 0.1682, 0, 2, "fraction",
         "how much more men earn than women for the same job in Kazakhstan and Russia",
         "source: IMWS 2025 (S31), 17%; the figure is an input"),
    REAL(migrants.gender_gap_home, 0.41, 0, 2, "fraction",
         "how much more men earn than women at home", "source: IMWS 2025 (S32), 41% at home"),
    REAL(migrants.other_origin_wage_usd, 500, 1, 100000, "USD/month",
         "mean wage at home for origins without a wage in the data (OTH)",
         "assumption: between the Central Asian wages and Kazakhstan's"),
    REAL(migrants.other_origin_distance_km, 3500, 1, 20000, "km",
         "distance to origins without areas and routes (OTH)",
         "assumption: about Istanbul or Delhi to Almaty"),
    REAL(migrants.kzt_per_usd, 469, 1, 100000, "KZT per USD",
         "exchange rate for regional wages and living costs",
         "source: scenarios/data/SOURCES.md, 2024 average about 469"),
    REAL(migrants.visit_rate, 2.029, 0, 52, "per person-year",
         "rate of visits home from 1,000 km along the route", "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.visit_distance_decay, 0.25, 0, 10, "per 1,000 km",
         "how fast the visit rate falls with distance along the route (exponential)",
         "assumption: hand-set"),
    REAL(migrants.visit_weeks, 2, 1, 52, "weeks", "mean length of a visit home",
         "assumption: hand-set"),
    REAL(migrants.return_rate, 0.42, 0, 52, "per person-year",
         "base rate of returning home for good, from Kazakhstan and from Russia",
         "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.return_early_factor, 2.0, 0, 100, "multiplier",
         "return rate multiplier in the first 13 weeks after arrival", "assumption: hand-set"),
    REAL(migrants.return_off_season_factor, 1.6, 0, 100, "multiplier",
         "return rate multiplier for seasonal sectors when demand is below its mean",
         "assumption: hand-set"),
    REAL(migrants.climate_push, 2.0, 0, 20, "per unit of stress",
         "how much raised climate stress in a region (above its data value) multiplies the "
         "return and relocation rates of migrant workers there (exponential)",
         "assumption: hand-set"),
    REAL(migrants.demand_elasticity, 1.0, 0, 10, "",
         "how strongly a change of sector demand (sector_demand events) moves the return rate of "
         "workers in that sector and region: rate x (demand ratio)^-elasticity",
         "assumption: unit elasticity"),
    REAL(migrants.relocation_rate, 0.10, 0, 52, "per person-year",
         "rate of moving to another region of Kazakhstan", "assumption: hand-set"),
    REAL(migrants.remitter_share, 0.31, 0, 1, "fraction",
         "share of migrant workers who send money home",
         "source: IMWS 2025 (S24); the figure is an input"),
    REAL(migrants.remit_share_mean, 0.6658, 0, 1, "fraction",
         "mean share of earnings a remitter sends", "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.remit_share_sd, 0.10, 0, 0.5, "fraction",
         "standard deviation of the share of earnings sent", "assumption: hand-set"),
    REAL(migrants.remittance_fee, 0.01, 0, 0.5, "fraction", "service fee on remittances",
         "source: IMWS 2025 (S26), about 1%; the figure is an input"),
    REAL(migrants.living_cost, 2.0, 0, 50, "times the subsistence minimum",
         "a migrant worker's median living cost in Kazakhstan (housing, food, family there) "
         "relative to the region's subsistence minimum (regional_economy.csv)",
         "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.living_cost_sigma, 0.5, 0, 3, "log-sd",
         "dispersion of living costs between workers (household size, housing)",
         "assumption: wide (a factor of 1.6 either way for one worker in three); no data on "
         "migrants' living costs; not fitted, so that cover_needs (S30) stays a validation"),
    REAL(migrants.saving_margin, 0.10, 0, 1, "fraction of wage",
         "what is left after the fee, living costs and remittances above which a worker can save",
         "assumption: a tenth of the wage; the survey does not say what saving means"),
    REAL(migrants.informal_wage_factor, 0.85, 0.05, 1.5, "fraction",
         "informal work's wage relative to the same formal job's",
         "assumption: informal jobs pay less; no estimate for migrants in Kazakhstan was found"),
    REAL(migrants.informal_cost, 0.86, -10, 10, "utility",
         "cost of informal work (risk of fines and expulsion, no protection) in units of log "
         "wage; sets the share who choose it",
         "calibrated: scenarios/baseline.yaml (fit figures of bma_round5 and imws_round6); this "
         "default is where the search starts"),
    REAL(migrants.formal_no_pension_share, 0.2329, 0, 1, "fraction",
         "share of formal jobs that do not pay into a pension (informal work never does)",
         "source: IMWS 2025 (S21, S23): (44% - 27%) / 73%; an input"),
    REAL(migrants.formal_no_leave_share, 0.3836, 0, 1, "fraction",
         "share of formal jobs without paid leave (informal work never has it)",
         "source: IMWS 2025 (S22, S23): (55% - 27%) / 73%; an input"),
    REAL(migrants.primary_earner_share, 0.40, 0, 1, "fraction",
         "share who are their household's primary earner",
         "source: IMWS 2025 (S20); the figure is an input"),
    REAL(migrants.upper_secondary_share, 0.27, 0, 1, "fraction",
         "share who completed upper secondary education",
         "source: IMWS 2025 (S19); the figure is an input"),
    REAL(migrants.construction_season, 0.5, 0, 1, "amplitude",
         "seasonal swing of demand in seasonal sectors (construction, agriculture)",
         "assumption: hand-set"),

    BY_ORIGIN(policy.border_open, 1, "", 0, 1, "0 or 1",
              "whether the border is open to the origin (0 stops entries, visits and returns)",
              "assumption: all borders open in 2024-2026"),
    BY_ORIGIN(policy.permit_fee_usd, 15.7, "", 0, 10000, "USD/month",
              "monthly payment for a labour immigrant's permit; EAEU members pay none",
              "source: 2 MCI a month (Tax Code art. 360; foreign_labour.csv) at 3,692 KZT per "
              "MCI in 2024 and 469 KZT per USD"),
    BY_ORIGIN(policy.eaeu, 0, "RUS:1,KGZ:1", 0, 1, "0 or 1",
              "EAEU membership: exempt from permits and quotas",
              "source: EAEU treaty members (Russia, Kyrgyzstan)"),
    BY_ORIGIN(policy.quota, 0, "", 0, 1e9, "persons per year",
              "work-permit quota on entries (0 for none); EAEU members exempt",
              "assumption: no binding quota on entries"),
    BY_ORIGIN(policy.russia_patent_usd, 81, "KGZ:0", 0, 10000, "USD/month",
              "monthly patent a worker from the origin pays in Russia (EAEU members none), in "
              "USD at the base rouble rate",
              "source: Moscow patent 7,500 RUB a month in 2024 (labour_migration.csv LM098) at "
              "92.6 RUB per USD"),

    REAL(residents.other_rate, 0.0422885, 0, 1, "per person-year",
         "rate of registered moves for other reasons (family, housing, living conditions), within "
         "or between regions, outside the big cities and at the national age mix",
         "calibrated: BNS 2024 internal arrivals and departures by region "
         "(scenarios/data/internal_migration.csv) by tests/internal_flows.py fit"),
    REAL(residents.city_churn, 0.78503, -5, 5, "",
         "log multiplier of other moves out of a city of republican significance (Astana, Almaty, "
         "Shymkent: their residents move more often)",
         "calibrated: BNS 2024 internal arrivals and departures by region (tests/internal_flows.py "
         "fit)"),
    REAL(residents.economic_rate, 0.0067326, 0, 1, "per person-year",
         "rate of moves to another region for work where income is at the national mean",
         "calibrated: BNS 2024 internal arrivals and departures by region (tests/internal_flows.py "
         "fit)"),
    REAL(residents.economic_elasticity, 1.0, 0, 10, "",
         "elasticity of the rate of economic moves to the national mean income over the region's "
         "(poorer regions send more)",
         "assumption: unit elasticity; margins by region cannot tell it from the rate"),
    REAL(residents.climate_rate, 0.145429, 0, 10, "per person-year",
         "rate of climate-driven moves at climate push 1 (all employment in agriculture under "
         "climate stress 1)",
         "calibrated: climate moves 12.5% of registered moves in 2024, the middle of the seed's "
         "5-20% (S37, S38)"),
    REAL(residents.education_rate, 0.01053, 0, 1, "per person-year",
         "rate of moving to study, for ages 15-24 outside the centres", "assumption: hand-set"),
    REAL(residents.education_season_share, 0.8, 0, 1, "fraction",
         "share of study moves made in August and September", "assumption: hand-set"),
    REAL(residents.resettlement_quota, 15000, 0, 1e7, "persons per year",
         "resettlement programme quota, shared among the destinations by population unless "
         "resettlement events set a destination's own",
         "assumption: hand-set"),
    REAL(residents.resettlement_fill, 0.8, 0, 1, "fraction",
         "share of the quota filled without a subsidy", "assumption: hand-set"),
    REAL(residents.subsidy_scale_usd, 1000, 1, 1e6, "USD",
         "subsidy that closes 63% of the gap between resettlement_fill and a full quota",
         "assumption: hand-set"),
    REAL(residents.wage_elasticity, 0.338665, 0, 10, "",
         "weight of log per-capita income (relative to the national mean) in the destination of "
         "economic moves",
         "calibrated: BNS 2024 internal arrivals and departures by region (tests/internal_flows.py "
         "fit)"),
    REAL(residents.city_pull, 8, 0, 20, "",
         "weight of a city of republican significance in the destination of economic moves",
         "calibrated: BNS 2024 internal arrivals and departures by region (tests/internal_flows.py "
         "fit; at its upper bound 8: economic moves go to the three cities)"),
    REAL(residents.intra_utility, -3.0717, -20, 20, "",
         "utility of a destination in one's own region (a move between its districts or towns) "
         "against another region's log population less distance",
         "calibrated: BNS 2024 arrivals and departures by region with 46% of registered moves "
         "interregional (N14, 2022; tests/internal_flows.py fit)"),
    REAL(residents.distance_elasticity, 1.0, 0, 10, "",
         "weight of log distance in the choice of destination",
         "assumption: the usual gravity value; arrivals and departures by region cannot identify "
         "it (the fit drifts to 0 for a 10% smaller loss)"),
    REAL(residents.climate_weight, 2.0, 0, 20, "", "weight of climate stress against a destination",
         "assumption: hand-set"),
    REAL(residents.birth_factor, 1, 0, 10, "",
         "multiplier of every region's birth rate (demography.csv, BNS 2024)",
         "assumption: 1, the 2024 rates hold"),
    REAL(residents.death_factor, 1, 0, 10, "",
         "multiplier of every region's death rate (demography.csv, BNS 2024)",
         "assumption: 1, the 2024 rates hold"),
    REAL(residents.emigration_rate, 0.000634, 0, 1, "per person-year",
         "rate of emigration of residents (the same in every region)",
         "source: BNS 2024, 12,784 emigrants over an average population of 20,158,621 "
         "(scenarios/data/SOURCES.md)"),
    REAL(residents.immigration, 29948, 0, 1e7, "persons per year",
         "immigrants granted residence, shared among the regions by population",
         "source: BNS 2024, 29,948 arrivals from abroad (scenarios/data/SOURCES.md)"),
    REGIONS(residents.resettlement_sources, "ALM,ZHA,KZY,MAN,TUR,SHY",
            "labour-surplus regions the resettlement programme moves people from",
            "assumption: hand-set"),
    REGIONS(residents.resettlement_destinations, "AKM,EKZ,KOS,NKZ,PAV,ABA,KAR",
            "labour-deficit regions the resettlement programme moves people to",
            "assumption: hand-set"),
    REGIONS(residents.education_centres, "ALA,AST,SHY,KAR", "university cities that draw students",
            "assumption: hand-set"),
};

const struct mig_param *mig_scenario_params(size_t *count)
{
    *count = sizeof params / sizeof params[0];
    return params;
}

static void *field(struct scenario *sc, const struct mig_param *p)
{
    return (char *)sc + p->offset;
}

static const void *cfield(const struct scenario *sc, const struct mig_param *p)
{
    return (const char *)sc + p->offset;
}

bool mig_region_listed(const struct mig_region_list *list, const char *code)
{
    for (int i = 0; i < list->count; i++)
        if (strcmp(list->code[i], code) == 0)
            return true;
    return false;
}

double mig_by_origin_get(const struct mig_by_origin *v, const char *code)
{
    for (int i = 0; i < v->count; i++)
        if (strcmp(v->code[i], code) == 0)
            return v->value[i];
    return v->all;
}

/* Parses "A:1,B:2" defaults of a by-origin parameter. */
static void by_origin_default(struct mig_by_origin *v, const struct mig_param *p)
{
    memset(v, 0, sizeof *v);
    v->all = p->fallback;
    const char *s = p->fallback_text;
    while (s && *s && v->count < MIG_MAX_ORIGINS) {
        int n = 0;
        char code[MIG_CODE_LEN];
        double x;
        if (sscanf(s, "%7[A-Z]:%lf%n", code, &x, &n) != 2)
            break;
        strcpy(v->code[v->count], code);
        v->value[v->count++] = x;
        s += n;
        if (*s == ',')
            s++;
    }
}

static void regions_default(struct mig_region_list *v, const char *text)
{
    memset(v, 0, sizeof *v);
    while (text && *text && v->count < MIG_MAX_REGIONS) {
        size_t n = strcspn(text, ",");
        if (n > 0 && n < MIG_CODE_LEN) {
            memcpy(v->code[v->count], text, n);
            v->code[v->count++][n] = '\0';
        }
        text += n;
        if (*text == ',')
            text++;
    }
}

int mig_scenario_defaults(struct scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++) {
        const struct mig_param *p = &table[i];
        switch (p->type) {
        case MIG_PARAM_REAL:
        case MIG_PARAM_INT:
            *(double *)field(sc, p) = p->fallback;
            break;
        case MIG_PARAM_DATE:
            if (!mig_date_parse(p->fallback_text, (long *)field(sc, p)))
                return mig_fail(MIG_ERUNTIME, "bad default date for %s", p->name);
            break;
        case MIG_PARAM_TEXT:
        case MIG_PARAM_PATH:
            snprintf(field(sc, p), p->size, "%s", p->fallback_text);
            break;
        case MIG_PARAM_BY_ORIGIN:
            by_origin_default(field(sc, p), p);
            break;
        case MIG_PARAM_REGIONS:
            regions_default(field(sc, p), p->fallback_text);
            break;
        }
    }
    return 0;
}

/* ---- loading ---------------------------------------------------------- */

struct loader {
    struct scenario *sc;
    const char *path; /* the file being read */
    int file;         /* its index in sc->file */
    struct mig_mark end_mark;
};

/* `relative` joined to the folder of `file` (unless it is absolute). */
static int resolve(const char *file, const char *relative, char *out, size_t size)
{
    const char *slash = strrchr(file, '/');
    int n;
    if (relative[0] == '/' || !slash)
        n = snprintf(out, size, "%s", relative);
    else
        n = snprintf(out, size, "%.*s/%s", (int)(slash - file), file, relative);
    if (n < 0 || (size_t)n >= size)
        return mig_fail(MIG_EINPUT, "%s: error: path too long: %s", file, relative);
    return 0;
}

static int parse_number(const struct loader *ld, struct fy_node *node, const struct mig_param *p,
                        const char *key, double *out)
{
    char expected[256];
    const char *kind = p->type == MIG_PARAM_INT ? "a whole number" : "a number";
    snprintf(expected, sizeof expected, "%s in [%g, %g]%s%s%s", kind, p->lo, p->hi,
             p->unit[0] ? " (" : "", p->unit, p->unit[0] ? ")" : "");
    double x;
    int status = mig_yaml_number(ld->path, node, key, expected, &x);
    if (status < 0)
        return status;
    if (p->type == MIG_PARAM_INT && x != floor(x))
        return mig_yaml_error(ld->path, node, "'%s' expects %s, found %g", key, expected, x);
    if (x < p->lo || x > p->hi)
        return mig_yaml_error(ld->path, node, "'%s' is %g, out of range: expected %s", key, x,
                              expected);
    *out = x;
    return 0;
}

static bool is_code(const char *text)
{
    size_t n = strlen(text);
    if (n == 0 || n >= MIG_CODE_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(text[i] >= 'A' && text[i] <= 'Z'))
            return false;
    return true;
}

static int parse_by_origin(const struct loader *ld, struct fy_node *node, const struct mig_param *p,
                           struct mig_by_origin *v)
{
    if (fy_node_get_type(node) == FYNT_SCALAR) {
        double x;
        int status = parse_number(ld, node, p, p->name, &x);
        if (status < 0)
            return status;
        v->all = x;
        v->count = 0; /* one value for every origin */
        return 0;
    }
    if (fy_node_get_type(node) != FYNT_MAPPING)
        return mig_yaml_error(ld->path, node,
                              "'%s' expects a number or a mapping of origin codes to numbers "
                              "(for example {UZB: 1, RUS: 2})",
                              p->name);
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(node, &iter))) {
        struct fy_node *key = fy_node_pair_key(pair), *value = fy_node_pair_value(pair);
        char code[64];
        int status = mig_yaml_text(ld->path, key, p->name, "an origin code", code, sizeof code);
        if (status < 0)
            return status;
        char label[160];
        snprintf(label, sizeof label, "%s.%s", p->name, code);
        double x;
        if (strcmp(code, "all") == 0) {
            if ((status = parse_number(ld, value, p, label, &x)) < 0)
                return status;
            v->all = x;
            continue;
        }
        if (!is_code(code))
            return mig_yaml_error(ld->path, key,
                                  "'%s' expects origin codes such as UZB or 'all', found '%s'",
                                  p->name, code);
        if ((status = parse_number(ld, value, p, label, &x)) < 0)
            return status;
        int slot = 0;
        while (slot < v->count && strcmp(v->code[slot], code) != 0)
            slot++;
        if (slot == MIG_MAX_ORIGINS)
            return mig_yaml_error(ld->path, key, "'%s' lists more than %d origins", p->name,
                                  MIG_MAX_ORIGINS);
        if (slot == v->count)
            v->count++;
        strcpy(v->code[slot], code);
        v->value[slot] = x;
        v->mark[slot] = mig_yaml_mark(key);
        v->file[slot] = ld->file;
    }
    return 0;
}

static int parse_regions(const struct loader *ld, struct fy_node *node, const struct mig_param *p,
                         struct mig_region_list *v)
{
    if (fy_node_get_type(node) != FYNT_SEQUENCE)
        return mig_yaml_error(
            ld->path, node, "'%s' expects a list of region codes, for example [AST, ALA]", p->name);
    memset(v, 0, sizeof *v);
    v->file = ld->file;
    void *iter = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(node, &iter))) {
        char code[64];
        int status = mig_yaml_text(ld->path, item, p->name, "a region code", code, sizeof code);
        if (status < 0)
            return status;
        if (!is_code(code))
            return mig_yaml_error(
                ld->path, item, "'%s' expects region codes such as AST, found '%s'", p->name, code);
        if (v->count == MIG_MAX_REGIONS)
            return mig_yaml_error(ld->path, item, "'%s' lists more than %d regions", p->name,
                                  MIG_MAX_REGIONS);
        strcpy(v->code[v->count], code);
        v->mark[v->count++] = mig_yaml_mark(item);
    }
    return 0;
}

static int parse_value(const struct loader *ld, struct fy_node *node, const struct mig_param *p)
{
    void *target = field(ld->sc, p);
    char text[600];
    int status;
    switch (p->type) {
    case MIG_PARAM_REAL:
    case MIG_PARAM_INT:
        return parse_number(ld, node, p, p->name, target);
    case MIG_PARAM_DATE:
        return mig_yaml_date(ld->path, node, p->name, target);
    case MIG_PARAM_TEXT:
        if ((status = mig_yaml_text(ld->path, node, p->name, "text", text, sizeof text)) < 0)
            return status;
        if (strlen(text) >= p->size)
            return mig_yaml_error(ld->path, node, "'%s' expects text of at most %zu characters",
                                  p->name, p->size - 1);
        strcpy(target, text);
        return 0;
    case MIG_PARAM_PATH:
        if ((status = mig_yaml_text(ld->path, node, p->name, "a path", text, sizeof text)) < 0)
            return status;
        return text[0] ? resolve(ld->path, text, target, p->size) : (*(char *)target = 0, 0);
    case MIG_PARAM_BY_ORIGIN:
        return parse_by_origin(ld, node, p, target);
    case MIG_PARAM_REGIONS:
        return parse_regions(ld, node, p, target);
    }
    return mig_fail(MIG_ERUNTIME, "unknown parameter type");
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = diag + (a[i - 1] != b[j - 1]);
            size_t best = row[j - 1] + 1 < up + 1 ? row[j - 1] + 1 : up + 1;
            row[j] = cost < best ? cost : best;
            diag = up;
        }
    }
    return row[lb];
}

/* The known key nearest to `key` among those under `prefix`, by edit
 * distance on the last component and on the whole name. */
static const char *suggest(const char *prefix, const char *key, char *out, size_t size)
{
    size_t n, best = 99, plen = strlen(prefix);
    const struct mig_param *table = mig_scenario_params(&n);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *name = table[i].name;
        if (plen && (strncmp(name, prefix, plen) != 0 || name[plen] != '.'))
            continue;
        const char *rest = plen ? name + plen + 1 : name;
        char leaf[64];
        size_t len = strcspn(rest, ".");
        if (len >= sizeof leaf)
            continue;
        memcpy(leaf, rest, len);
        leaf[len] = '\0';
        size_t d = edit_distance(key, leaf);
        if (d < best) {
            best = d;
            snprintf(out, size, "%s", leaf);
        }
    }
    size_t limit = strlen(key) / 2 + 1;
    return best <= (limit < 4 ? limit : 4) ? out : NULL;
}

static bool is_group(const char *path)
{
    size_t n, len = strlen(path);
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++)
        if (strncmp(table[i].name, path, len) == 0 && table[i].name[len] == '.')
            return true;
    return false;
}

const struct mig_param *mig_scenario_param(const char *name)
{
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int load_mapping(struct loader *ld, struct fy_node *map, const char *prefix)
{
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(map, &iter))) {
        struct fy_node *key = fy_node_pair_key(pair), *value = fy_node_pair_value(pair);
        char name[128], path[256];
        int status = mig_yaml_text(ld->path, key, prefix[0] ? prefix : "the scenario", "a key",
                                   name, sizeof name);
        if (status < 0)
            return status;
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", name);
        const struct mig_param *p = mig_scenario_param(path);
        if (!prefix[0] && strcmp(name, "extends") == 0)
            continue; /* read before the rest, by load_file() */
        if (!prefix[0] && strcmp(name, "timeline") == 0) {
            if ((status = mig_timeline_parse(&ld->sc->timeline, ld->path, ld->file, value)) < 0)
                return status;
            continue;
        }
        if (strcmp(path, "end") == 0)
            ld->end_mark = mig_yaml_mark(value);
        if (p) {
            if (!value ||
                (fy_node_get_type(value) == FYNT_SCALAR && mig_yaml_mark(value).line == 0))
                return mig_yaml_error(ld->path, key, "'%s' has no value", path);
            if ((status = parse_value(ld, value, p)) < 0)
                return status;
        } else if (is_group(path)) {
            if (!value || fy_node_get_type(value) != FYNT_MAPPING)
                return mig_yaml_error(ld->path, value ? value : key,
                                      "'%s' expects a mapping of parameters", path);
            if ((status = load_mapping(ld, value, path)) < 0)
                return status;
        } else {
            char hint[64];
            const char *near = suggest(prefix, name, hint, sizeof hint);
            if (near)
                return mig_yaml_error(ld->path, key, "unknown key '%s'%s%s; did you mean '%s'?",
                                      name, prefix[0] ? " in " : "", prefix, near);
            return mig_yaml_error(ld->path, key,
                                  "unknown key '%s'%s%s (see `migsim params` for every key)", name,
                                  prefix[0] ? " in " : "", prefix);
        }
    }
    return 0;
}

#define TEXT_HEADER "# ---- "

/* The length of the line at `s`, its newline included. */
static size_t line_length(const char *s)
{
    size_t n = strcspn(s, "\n");
    return n + (s[n] == '\n');
}

/* The file name of a header line of the provenance text, and its length;
 * NULL when the line at `line` is not a header. */
static const char *header_name(const char *line, size_t *length)
{
    size_t n = strcspn(line, "\n"), open = strlen(TEXT_HEADER);
    if (strncmp(line, TEXT_HEADER, open) != 0 || n < open + 5 ||
        strncmp(line + n - 5, " ----", 5) != 0)
        return NULL;
    const char *name = line + open;
    for (const char *c = name; c < line + n - 5; c++)
        if (*c == '/')
            name = c + 1;
    *length = (size_t)(line + n - 5 - name);
    return name;
}

bool mig_scenario_same_text(const char *a, const char *b)
{
    while (*a || *b) {
        size_t na, nb, la = line_length(a), lb = line_length(b);
        const char *ha = header_name(a, &na), *hb = header_name(b, &nb);
        if (ha && hb ? na != nb || strncmp(ha, hb, na) != 0 : la != lb || strncmp(a, b, la) != 0)
            return false;
        a += la;
        b += lb;
    }
    return true;
}

/* Appends a file's text, under a header naming it, to the provenance. */
static int keep_text(struct scenario *sc, const char *path, const char *text)
{
    size_t old = sc->text ? strlen(sc->text) : 0, add = strlen(path) + strlen(text) + 32;
    char *grown = realloc(sc->text, old + add);
    if (!grown)
        return mig_fail(MIG_ENOMEM, "out of memory");
    snprintf(grown + old, add, "%s" TEXT_HEADER "%s ----\n%s", old ? "\n" : "", path, text);
    sc->text = grown;
    return 0;
}

/* Reads `path` after the chain of parents it extends. `chain` holds the
 * canonical paths of the files that extend it, to refuse cycles. */
static int load_file(struct scenario *sc, const char *path, char (*chain)[4096], int depth,
                     struct mig_mark *end_mark, const char **end_file)
{
    struct fy_document *doc = NULL;
    char *text = NULL;
    size_t size = 0;
    int status;
    if ((status = mig_yaml_read(path, &text, &size)) < 0 ||
        (status = mig_yaml_parse(path, text, size, &doc)) < 0)
        goto done;
    struct fy_node *root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        status = mig_fail(MIG_EINPUT,
                          "%s:1:1: error: expected a mapping of scenario keys "
                          "(name:, start:, migrants:, ...), found %s",
                          path, root ? "another kind of document" : "an empty file");
        goto done;
    }
    if (!realpath(path, chain[depth])) {
        status = mig_fail(MIG_EINPUT, "%s: error: cannot resolve the path", path);
        goto done;
    }
    struct fy_node *parent = fy_node_mapping_lookup_by_string(root, "extends", -1);
    if (parent) {
        char name[1024], resolved[4096];
        if ((status = mig_yaml_text(path, parent, "extends", "a scenario file", name,
                                    sizeof name)) < 0 ||
            (status = resolve(path, name, resolved, sizeof resolved)) < 0)
            goto done;
        char canonical[4096];
        if (!realpath(resolved, canonical)) {
            status = mig_yaml_error(path, parent, "cannot read the parent scenario '%s': %s", name,
                                    strerror(errno));
            goto done;
        }
        for (int i = 0; i <= depth; i++)
            if (strcmp(chain[i], canonical) == 0) {
                status = mig_yaml_error(path, parent,
                                        "'extends: %s' makes a cycle; expected a chain of "
                                        "parents that ends",
                                        name);
                goto done;
            }
        if (depth + 1 >= MIG_MAX_FILES - 1) {
            status = mig_yaml_error(path, parent, "more than %d files extend each other",
                                    MIG_MAX_FILES - 1);
            goto done;
        }
        if ((status = load_file(sc, resolved, chain, depth + 1, end_mark, end_file)) < 0)
            goto done;
    }
    int index = sc->files;
    if (!(sc->file[index] = strdup(path))) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    sc->files++;
    if ((status = keep_text(sc, path, text)) < 0)
        goto done;
    struct loader ld = {sc, sc->file[index], index, {0, 0}};
    if ((status = load_mapping(&ld, root, "")) < 0)
        goto done;
    if (ld.end_mark.line) {
        *end_mark = ld.end_mark;
        *end_file = sc->file[index];
    }
done:
    if (doc)
        fy_document_destroy(doc);
    free(text);
    return status;
}

/* Events must start within the run; the run must end after it starts. */
static int check_dates(const struct scenario *sc, struct mig_mark end_mark, const char *end_file)
{
    char start[11], end[11];
    mig_date_format(sc->start, start);
    mig_date_format(sc->end, end);
    if (sc->end < sc->start)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: 'end' (%s) is before 'start' (%s); expected "
                        "end >= start",
                        end_file ? end_file : sc->path, end_mark.line, end_mark.column, end, start);
    const struct mig_event *e = mig_timeline_starting_outside(&sc->timeline, sc->start, sc->end);
    if (e)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: the event starts outside the run; expected a date "
                        "from %s to %s",
                        sc->file[e->file], e->start_mark.line, e->start_mark.column, start, end);
    return 0;
}

int mig_scenario_load(struct scenario *sc, const char *path)
{
    int status = mig_scenario_defaults(sc);
    if (status < 0)
        return status;
    char(*chain)[4096] = calloc(MIG_MAX_FILES, sizeof *chain);
    struct mig_mark end_mark = {0, 0};
    const char *end_file = NULL;
    sc->path = strdup(path);
    if (!chain || !sc->path) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto fail;
    }
    if ((status = load_file(sc, path, chain, 0, &end_mark, &end_file)) < 0 ||
        (status = check_dates(sc, end_mark, end_file)) < 0)
        goto fail;
    if (!sc->data[0] || strcmp(sc->data, "data") == 0) { /* the default, beside the scenario */
        char data[sizeof sc->data];
        if ((status = resolve(path, "data", data, sizeof data)) < 0)
            goto fail;
        strcpy(sc->data, data);
    }
    free(chain);
    return 0;
fail:
    free(chain);
    mig_scenario_free(sc);
    return status;
}

void mig_scenario_free(struct scenario *sc)
{
    free(sc->path);
    free(sc->text);
    for (int i = 0; i < sc->files; i++)
        free(sc->file[i]);
    sc->files = 0;
    sc->path = sc->text = NULL;
}

void mig_scenario_format_value(const struct scenario *sc, const struct mig_param *p, char *out,
                               size_t size)
{
    const void *v = cfield(sc, p);
    size_t used = 0;
    switch (p->type) {
    case MIG_PARAM_REAL:
    case MIG_PARAM_INT:
        snprintf(out, size, "%.17g", *(const double *)v);
        return;
    case MIG_PARAM_DATE:
        if (size >= 11)
            mig_date_format(*(const long *)v, out);
        return;
    case MIG_PARAM_TEXT:
    case MIG_PARAM_PATH:
        snprintf(out, size, "\"%s\"", (const char *)v);
        return;
    case MIG_PARAM_BY_ORIGIN: {
        const struct mig_by_origin *b = v;
        used = (size_t)snprintf(out, size, "{all: %.17g", b->all);
        for (int i = 0; i < b->count && used < size; i++)
            used +=
                (size_t)snprintf(out + used, size - used, ", %s: %.17g", b->code[i], b->value[i]);
        if (used < size)
            snprintf(out + used, size - used, "}");
        return;
    }
    case MIG_PARAM_REGIONS: {
        const struct mig_region_list *r = v;
        used = (size_t)snprintf(out, size, "[");
        for (int i = 0; i < r->count && used < size; i++)
            used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", r->code[i]);
        if (used < size)
            snprintf(out + used, size - used, "]");
        return;
    }
    }
}

void mig_scenario_write_provenance(FILE *out)
{
    struct scenario sc;
    if (mig_scenario_defaults(&sc) < 0)
        return;
    fprintf(out, "| parameter | default | unit | provenance |\n| --- | --- | --- | --- |\n");
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++) {
        const struct mig_param *p = &table[i];
        if (!p->provenance)
            continue;
        char value[1024];
        mig_scenario_format_value(&sc, p, value, sizeof value);
        fprintf(out, "| `%s` | %s | %s | %s |\n", p->name, value, p->unit, p->provenance);
    }
}

/* Whether a parameter shapes a run's state: all but the scenario's name,
 * description and file paths. */
static bool shapes_state(const struct mig_param *p)
{
    return strcmp(p->name, "name") != 0 && strcmp(p->name, "description") != 0 &&
           p->type != MIG_PARAM_PATH;
}

char *mig_scenario_resolved_text(const struct scenario *sc, bool state_only)
{
    char *text = NULL;
    size_t size = 0, n;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++) {
        char value[1024];
        if (state_only && !shapes_state(&table[i]))
            continue;
        mig_scenario_format_value(sc, &table[i], value, sizeof value);
        fprintf(f, "%s: %s\n", table[i].name, value);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Whether a `name: value` line names a parameter that shapes the state. */
static bool state_line(const char *line)
{
    char name[128];
    size_t n = strcspn(line, ":\n");
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), line);
    const struct mig_param *p = mig_scenario_param(name);
    return !p || shapes_state(p); /* an unknown line counts */
}

bool mig_scenario_same_state_parameters(const char *a, const char *b)
{
    while (*a || *b) {
        if (*a && !state_line(a)) {
            a += line_length(a);
            continue;
        }
        if (*b && !state_line(b)) {
            b += line_length(b);
            continue;
        }
        size_t la = line_length(a), lb = line_length(b);
        if (la != lb || strncmp(a, b, la) != 0)
            return false;
        a += la;
        b += lb;
    }
    return true;
}

const struct mig_param *mig_scenario_state_difference(const struct scenario *a,
                                                      const struct scenario *b, char *value_a,
                                                      char *value_b, size_t size)
{
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++) {
        if (!shapes_state(&table[i]))
            continue;
        mig_scenario_format_value(a, &table[i], value_a, size);
        mig_scenario_format_value(b, &table[i], value_b, size);
        if (strcmp(value_a, value_b) != 0)
            return &table[i];
    }
    return NULL;
}

static void comment(FILE *out, const char *indent, const struct mig_param *p)
{
    fprintf(out, "%s# %s", indent, p->description);
    if (p->type == MIG_PARAM_REAL || p->type == MIG_PARAM_INT || p->type == MIG_PARAM_BY_ORIGIN)
        fprintf(out, " [%s%s%g to %g]", p->unit, p->unit[0] ? "; " : "", p->lo, p->hi);
    else if (p->unit[0])
        fprintf(out, " [%s]", p->unit);
    if (p->type == MIG_PARAM_BY_ORIGIN)
        fprintf(out, " (one number for all origins, or {all: x, CODE: y})");
    fputc('\n', out);
    if (p->provenance)
        fprintf(out, "%s#   %s\n", indent, p->provenance);
}

void mig_scenario_write_reference(FILE *out)
{
    struct scenario sc;
    if (mig_scenario_defaults(&sc) < 0)
        return;
    fprintf(out, "# migsim reference scenario: every key with its default value, meaning, unit\n"
                 "# and bounds. Generated by `migsim params --yaml` from the parameter table; a\n"
                 "# test checks that it is up to date. A scenario states only what differs.\n"
                 "\n"
                 "# extends: baseline.yaml   # a parent scenario whose keys this file overrides\n");
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    char group[32] = "";
    for (size_t i = 0; i < n; i++) {
        const struct mig_param *p = &table[i];
        const char *dot = strchr(p->name, '.');
        char value[1024];
        mig_scenario_format_value(&sc, p, value, sizeof value);
        if (dot && strncmp(group, p->name, (size_t)(dot - p->name)) != 0) {
            snprintf(group, sizeof group, "%.*s", (int)(dot - p->name), p->name);
            fprintf(out, "\n%s:\n", group);
        } else if (!dot) {
            fputc('\n', out);
        }
        comment(out, dot ? "  " : "", p);
        fprintf(out, "%s%s: %s\n", dot ? "  " : "", dot ? dot + 1 : p->name, value);
    }
    size_t types_count, fields_count;
    const struct mig_event_type *types = mig_timeline_types(&types_count);
    const struct mig_event_field *fields = mig_timeline_fields(&fields_count);
    fprintf(out, "\n# timeline: dated events, listed by start date. Fields of an event:\n");
    for (size_t i = 0; i < fields_count; i++)
        fprintf(out, "#   %-12s %s (%s, %s%s)\n", fields[i].name, fields[i].description,
                fields[i].type, isdigit((unsigned char)fields[i].fallback[0]) ? "default " : "",
                fields[i].fallback);
    fprintf(out, "# Event types:\n");
    for (size_t i = 0; i < types_count; i++) {
        fprintf(out, "#   %-20s target: %s", types[i].name,
                mig_timeline_target_text(types[i].target));
        if (types[i].needs_value)
            fprintf(out, "; value: %s in [%g, %g]", types[i].unit, types[i].lo, types[i].hi);
        if (types[i].needs_sector)
            fprintf(out, "; sector: a sector code");
        fprintf(out, "\n#     %s\n", types[i].description);
    }
    fprintf(out, "# For example:\n"
                 "#   - event: permit_fee\n"
                 "#     target: all\n"
                 "#     start: 2025-09-01\n"
                 "#     ramp_days: 30\n"
                 "#     value: 30\n"
                 "timeline: []\n");
}

/* Sets one numeric parameter by its dotted name, as `migsim.run(set=...)`
 * does: after the files are read and before the world is built from them.
 * `group.param.CODE` sets one origin of a by-origin parameter; the name
 * alone sets every origin. The change is noted in the provenance text. */
int mig_scenario_set(struct scenario *sc, const char *name, const char *value)
{
    char base[128], code[MIG_CODE_LEN] = "", hint[64];
    snprintf(base, sizeof base, "%s", name);
    const struct mig_param *p = mig_scenario_param(base);
    char *dot = strrchr(base, '.');
    if (!p && dot && strlen(dot + 1) < MIG_CODE_LEN) {
        *dot = '\0';
        p = mig_scenario_param(base);
        if (p && p->type != MIG_PARAM_BY_ORIGIN)
            p = NULL;
        else
            snprintf(code, sizeof code, "%s", dot + 1);
    }
    if (!p) {
        snprintf(base, sizeof base, "%s", name);
        dot = strrchr(base, '.');
        if (dot)
            *dot = '\0';
        const char *near = suggest(dot ? base : "", dot ? dot + 1 : name, hint, sizeof hint);
        return mig_fail(MIG_EINPUT, "set: error: unknown parameter '%s'%s%s%s%s", name,
                        near ? "; did you mean '" : " (see `migsim params`)",
                        near && dot ? base : "", near && dot ? "." : "",
                        near ? strcat(hint, "'?") : "");
    }
    if (p->type != MIG_PARAM_REAL && p->type != MIG_PARAM_INT && p->type != MIG_PARAM_BY_ORIGIN)
        return mig_fail(MIG_EINPUT,
                        "set: error: %s: only numeric parameters can be set; edit "
                        "the scenario file for the others",
                        name);
    char *end = NULL;
    errno = 0;
    double x = strtod(value, &end);
    if (!value[0] || *end || errno || !isfinite(x))
        return mig_fail(MIG_EINPUT, "set: error: %s: expected a number, found '%s'", name, value);
    if (p->type == MIG_PARAM_INT && x != floor(x))
        return mig_fail(MIG_EINPUT, "set: error: %s: expected a whole number, found '%s'", name,
                        value);
    if (x < p->lo || x > p->hi)
        return mig_fail(MIG_EINPUT, "set: error: %s: %g is outside [%g, %g]", name, x, p->lo,
                        p->hi);
    void *field = (char *)sc + p->offset;
    if (p->type != MIG_PARAM_BY_ORIGIN) {
        *(double *)field = x;
    } else if (!code[0]) {
        struct mig_by_origin *v = field;
        v->all = x;
        v->count = 0;
    } else {
        struct mig_by_origin *v = field;
        int i = 0;
        while (i < v->count && strcmp(v->code[i], code) != 0)
            i++;
        if (i == MIG_MAX_ORIGINS)
            return mig_fail(MIG_EINPUT, "set: error: %s: too many origins", name);
        if (i == v->count) {
            snprintf(v->code[i], MIG_CODE_LEN, "%s", code);
            v->mark[i] = (struct mig_mark){0, 0};
            v->file[i] = 0;
            v->count++;
        }
        v->value[i] = x;
    }
    char line[256];
    snprintf(line, sizeof line, "%s: %s\n", name, value);
    return keep_text(sc, "set by the caller", line);
}
