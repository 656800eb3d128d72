/* A scenario: the run's settings and every model parameter, loaded from
 * YAML. Parameters are declared once, in the table behind
 * mig_scenario_params(): the loader, `migsim params`, the reference scenario
 * and the output's provenance all read that table. */
#ifndef MIGSIM_SCENARIO_H
#define MIGSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "migsim/timeline.h"
#include "migsim/yaml.h"

#define MIG_MAX_ORIGINS 8
#define MIG_MAX_REGIONS 32
#define MIG_CODE_LEN 8
#define MIG_MAX_FILES 16 /* a scenario and its chain of parents */

/* A value per origin: `all` for any origin not listed by code. */
struct mig_by_origin {
    double all;
    int count;
    char code[MIG_MAX_ORIGINS][MIG_CODE_LEN];
    double value[MIG_MAX_ORIGINS];
    struct mig_mark mark[MIG_MAX_ORIGINS];
    int file[MIG_MAX_ORIGINS]; /* which of the scenario's files set each value */
};

/* A list of region codes. */
struct mig_region_list {
    int count;
    char code[MIG_MAX_REGIONS][MIG_CODE_LEN];
    struct mig_mark mark[MIG_MAX_REGIONS];
    int file; /* which of the scenario's files set the list */
};

struct scenario {
    char *path; /* the file as given */
    char *text; /* the full text of it and its parents, for the output's provenance */
    int files;
    char *file[MIG_MAX_FILES]; /* the files read, parents first, for messages */

    char name[64];
    char description[512];
    long start, end; /* day numbers, inclusive */
    double step_days, seed, scale;
    char data[1024];    /* data folder, resolved against the file that named it */
    char targets[1024]; /* figures file, resolved likewise; empty for none */
    struct timeline timeline;

    struct {
        double initial_stock, pool_ratio, female_share;
        double entry_rate, abroad_nest, russia_wage_ratio, wage_elasticity, distance_elasticity;
        double network_weight, network_half, climate_weight, road_factor, air_factor;
        double entry_seasonality, season_peak_day, warmup_weeks, min_weeks_home;
        struct mig_by_origin entry_propensity;
        double wage_ratio, wage_sigma, gender_gap_kz, gender_gap_home;
        double other_origin_wage_usd, other_origin_distance_km, kzt_per_usd;
        double visit_rate, visit_distance_decay, visit_weeks;
        double return_rate, return_early_factor, return_off_season_factor, relocation_rate;
        double climate_push, demand_elasticity;
        double remitter_share, remit_share_mean, remit_share_sd, remittance_fee;
        double living_cost, living_cost_sigma, saving_margin;
        double informal_wage_factor, informal_cost, formal_no_pension_share;
        double formal_no_leave_share, primary_earner_share;
        double upper_secondary_share, construction_season;
    } migrants;

    struct {
        struct mig_by_origin border_open, permit_fee_usd, eaeu, quota, russia_patent_usd;
    } policy;

    struct {
        double economic_rate, climate_rate, education_rate, education_season_share;
        double other_rate, resettlement_quota, resettlement_fill, subsidy_scale_usd;
        double city_churn, economic_elasticity, city_pull, intra_utility;
        double wage_elasticity, distance_elasticity, climate_weight;
        double birth_factor, death_factor, emigration_rate, immigration;
        struct mig_region_list resettlement_sources, resettlement_destinations;
        struct mig_region_list education_centres;
    } residents;
};

enum mig_param_type {
    MIG_PARAM_REAL,
    MIG_PARAM_INT,
    MIG_PARAM_DATE,
    MIG_PARAM_TEXT,
    MIG_PARAM_PATH, /* text naming a file, relative to the scenario that names it */
    MIG_PARAM_BY_ORIGIN,
    MIG_PARAM_REGIONS
};

struct mig_param {
    const char *name; /* dotted path in the YAML file */
    enum mig_param_type type;
    size_t offset;             /* into struct scenario */
    size_t size;               /* for text: the buffer size */
    double fallback;           /* default of a number, or `all` of a by-origin value */
    const char *fallback_text; /* default of text, a date, a region list, or by-origin codes */
    double lo, hi;
    const char *unit;
    const char *description;
    /* Where the default comes from, one of "source: <citation in
     * scenarios/data/SOURCES.md>", "calibrated: <targets>" or "assumption:
     * <reason>"; NULL for run settings that are not coefficients. */
    const char *provenance;
};

/* The parameter table, in the order `migsim params` prints it. */
const struct mig_param *mig_scenario_params(size_t *count);

/* The parameter of that dotted name, or NULL. */
const struct mig_param *mig_scenario_param(const char *name);

/* Sets every parameter to its default. */
int mig_scenario_defaults(struct scenario *sc);

/* Loads a YAML file over the defaults, after the chain of files it
 * `extends`. Errors are located MIG_EINPUT. */
int mig_scenario_load(struct scenario *sc, const char *path);
void mig_scenario_free(struct scenario *sc);

/* Whether a region list names a code. */
bool mig_region_listed(const struct mig_region_list *list, const char *code);

/* The value of a by-origin parameter for one origin code. */
double mig_by_origin_get(const struct mig_by_origin *v, const char *code);

/* Prints a parameter's current value as YAML text (for provenance and params). */
void mig_scenario_format_value(const struct scenario *sc, const struct mig_param *p, char *out,
                               size_t size);

/* Writes the reference scenario: every key with its default, and a comment
 * giving its meaning, unit and bounds; then the timeline's event types and
 * fields. It is itself a valid scenario. */
void mig_scenario_write_reference(FILE *out);

/* Writes a Markdown table of every coefficient: name, default, unit and
 * provenance (the README's table is this output). */
void mig_scenario_write_provenance(FILE *out);

/* Every parameter and its value, one `name: value` line each, as one text
 * (malloc'd; NULL when out of memory): with `state_only`, of the parameters
 * that shape a run's state alone (all but the scenario's name, description
 * and file paths: a checkpoint's), else of all (the `scenario_parameters`
 * an output holds). */
char *mig_scenario_resolved_text(const struct scenario *sc, bool state_only);

/* Whether two scenarios' texts (struct scenario's `text`) are the same
 * files: the same contents, each under a header naming the same file,
 * wherever it was read from (a relative path depends on the folder). */
bool mig_scenario_same_text(const char *a, const char *b);

/* Whether two texts of `name: value` lines (an output's parameters) agree
 * on every parameter that shapes a run's state. */
bool mig_scenario_same_state_parameters(const char *a, const char *b);

/* The first parameter shaping the state on which a and b differ, with
 * their values as text in value_a and value_b; NULL when none does. */
const struct mig_param *mig_scenario_state_difference(const struct scenario *a,
                                                      const struct scenario *b, char *value_a,
                                                      char *value_b, size_t size);

/* Sets a numeric parameter by its dotted name (group.param, or
 * group.param.CODE for one origin) from text, within its bounds; the change
 * is kept in the provenance text. A bad name or value is MIG_EINPUT. */
int mig_scenario_set(struct scenario *sc, const char *name, const char *value);

#endif
