/* The world the agents live in: origins, regions, sectors, age bands and
 * distances, read from the scenario's data folder. It does not change during
 * a run; what policies change each step lives in struct conditions (policy.h). */
#ifndef MIGSIM_WORLD_H
#define MIGSIM_WORLD_H

#include "migsim/scenario.h"

#define MIG_MAX_SECTORS 12
#define MIG_MAX_AGES 8
#define MIG_MAX_AREAS 64   /* sub-national areas of all origins */
#define MIG_MAX_ROUTES 128 /* border crossings and air routes */

struct world {
    int origins, regions, sectors, ages;

    char origin_code[MIG_MAX_ORIGINS][MIG_CODE_LEN];
    char origin_name[MIG_MAX_ORIGINS][48];
    double origin_wage_usd[MIG_MAX_ORIGINS]; /* mean monthly wage at home */
    double origin_share[MIG_MAX_ORIGINS];    /* share of migrant workers, normalised */
    double origin_lat[MIG_MAX_ORIGINS], origin_lon[MIG_MAX_ORIGINS]; /* NAN where unknown */
    double origin_distance_km[MIG_MAX_ORIGINS]; /* mean distance to the regions */
    double origin_russia_ratio[MIG_MAX_ORIGINS]; /* workers in Russia per worker in Kazakhstan */

    char region_code[MIG_MAX_REGIONS][MIG_CODE_LEN];
    char region_name[MIG_MAX_REGIONS][48];
    double region_lat[MIG_MAX_REGIONS], region_lon[MIG_MAX_REGIONS];
    double region_population[MIG_MAX_REGIONS];
    double region_wage_usd[MIG_MAX_REGIONS]; /* 2024-equivalent mean monthly wage */
    double region_climate[MIG_MAX_REGIONS];  /* climate stress, 0..1 */
    double region_subsistence_usd[MIG_MAX_REGIONS]; /* subsistence minimum a month (labour.c) */
    int region_surveyed[MIG_MAX_REGIONS];    /* in the IMWS round 6 sample */

    /* Great-circle km; origin to region is NAN where the data has none. */
    double distance_km[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    double region_distance_km[MIG_MAX_REGIONS][MIG_MAX_REGIONS];

    char sector_code[MIG_MAX_SECTORS][16];
    char sector_name[MIG_MAX_SECTORS][48];
    double sector_wage_factor[MIG_MAX_SECTORS];
    int sector_seasonal[MIG_MAX_SECTORS];
    int sector_block[MIG_MAX_SECTORS];          /* employment block of BNS's regional tables */
    int sector_regional[MIG_MAX_SECTORS];       /* has its own column in regional_economy.csv */
    double sector_employed_kz[MIG_MAX_SECTORS]; /* national employment, thousands */
    double sector_migrant_share[MIG_MAX_SECTORS]; /* IMWS share in percent; NAN if not surveyed */

    /* Labour demand (labour.c): estimated employment by region and sector,
     * in persons, and migrant workers per employed person by sector
     * (relative). */
    double employed[MIG_MAX_REGIONS][MIG_MAX_SECTORS];
    double migrant_intensity[MIG_MAX_SECTORS];

    /* Origins' areas and the routes into Kazakhstan (routes.c). An area's
     * weight is its population: each origin's migrants are drawn from its
     * areas in proportion. */
    int areas, routes;
    char area_code[MIG_MAX_AREAS][MIG_CODE_LEN];
    char area_name[MIG_MAX_AREAS][48];
    int area_origin[MIG_MAX_AREAS];
    double area_population[MIG_MAX_AREAS];
    double area_lat[MIG_MAX_AREAS], area_lon[MIG_MAX_AREAS]; /* NAN for an origin's own area */
    char route_id[MIG_MAX_ROUTES][32];
    int route_origin[MIG_MAX_ROUTES], route_region[MIG_MAX_ROUTES], route_mode[MIG_MAX_ROUTES];
    double route_kz_lat[MIG_MAX_ROUTES], route_kz_lon[MIG_MAX_ROUTES];
    double route_abroad_lat[MIG_MAX_ROUTES], route_abroad_lon[MIG_MAX_ROUTES];
    /* From each area to each region along the shortest route (km), and
     * that route (-1 for an origin without routes). */
    double area_km[MIG_MAX_AREAS][MIG_MAX_REGIONS];
    int area_route[MIG_MAX_AREAS][MIG_MAX_REGIONS];

    /* Residents' inputs, read by mig_demography_load (demography.csv, and
     * the type and per-capita income columns of kz_regions.csv). */
    double region_income[MIG_MAX_REGIONS];     /* per-capita money income, KZT/month */
    int region_city[MIG_MAX_REGIONS];          /* a city of republican significance */
    double region_people_2024[MIG_MAX_REGIONS]; /* average resident population, 2024 */
    double birth_rate[MIG_MAX_REGIONS];        /* births per 1000 residents per year */
    double death_rate[MIG_MAX_REGIONS];        /* deaths per 1000 residents per year */
    double agri_share[MIG_MAX_REGIONS];        /* employed in agriculture / all employed */

    char age_code[MIG_MAX_AGES][MIG_CODE_LEN];
    char age_name[MIG_MAX_AGES][16];
    double age_share[MIG_MAX_AGES];
    double age_mobility[MIG_MAX_AGES];
    int student_age; /* the 15-24 band, which moves to study */
    double age_width[MIG_MAX_AGES]; /* years in the band; 0 for the open last band */
};

/* Reads the CSV files of the scenario's data folder; any missing or malformed
 * file or value is a located MIG_EINPUT error. */
int mig_world_load(struct world *w, const struct scenario *sc);

/* Index of a code, or -1. */
int mig_world_origin(const struct world *w, const char *code);
int mig_world_region(const struct world *w, const char *code);

/* Checks that every origin and region code the scenario names exists. */
int mig_world_check_scenario(const struct world *w, const struct scenario *sc);

double mig_world_haversine_km(double lat1, double lon1, double lat2, double lon2);

/* A digest of everything the world holds (the data as the model reads it),
 * as 16 hex digits: two runs with equal digests read the same data. */
void mig_world_digest(const struct world *w, char out[17]);

#endif
