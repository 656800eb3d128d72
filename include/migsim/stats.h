/* Aggregates over time (the series the output writes), survey-style
 * snapshots of the migrant workers at given dates, and named statistics
 * computed from both, which is what figures and calibration compare. */
#ifndef MIGSIM_STATS_H
#define MIGSIM_STATS_H

#include "migsim/behaviour.h"
#include "migsim/target.h"

#include <stdbool.h>

/* What a survey of the migrant workers present on one day would find. */
struct snapshot {
    long day;
    int sample; /* respondents of an emulated survey; 0 for every worker present */
    double fee;
    /* Counts only from here on: they are summed as int64_t. */
    int64_t present, by_origin[MIG_MAX_ORIGINS], by_sector[MIG_MAX_SECTORS];
    int64_t settled, settled_visited;     /* in Kazakhstan 26 weeks or more; of them visited */
    int64_t remitters, remit_cents;       /* monthly, before fees */
    int64_t remit_usd_squared;            /* sum of squared monthly USD, for the sampling error */
    int64_t remit_51_75;                  /* remitters sending 51-75% of their earnings */
    int64_t wage_cents[2], wage_count[2]; /* by sex: men, women */
    int64_t savings[3];                   /* can save, cover needs only, cannot cover */
    int64_t traits[8];                    /* count with each trait bit */
    int64_t wage_usd_squared[2];          /* by sex: sum of squared monthly USD */
};

#define MIG_MAX_SNAPSHOTS 64
#define MIG_MAX_STEPS 50000 /* 137 years of daily steps */

struct stats {
    int steps, origins, regions, sectors, ages;
    double scale;
    long start;
    long *step_day;    /* first day of each step */
    double *step_days; /* its length */
    /* Series, in persons (or USD), [step][...] row-major. */
    double *migrant_stock;           /* [origin][region] */
    double *migrant_stock_by_sector; /* [region][sector] */
    double *visiting_home;           /* [origin] */
    double *arrivals, *returns;      /* [origin][region] */
    double *visits_home;             /* [origin] */
    double *working_in_russia;       /* [origin] */
    double *departures_to_russia;    /* [origin] */
    double *remittances_usd;         /* [origin] */
    double *resident_population;     /* [region] */
    double *internal_moves;          /* [region_from][region_to] */
    double *internal_moves_by_driver;
    double *intraregional_moves;               /* [region] */
    double *births, *deaths;                   /* [region] */
    double *emigrants, *immigrants;            /* [region] */
    int64_t *residents_now; /* agents per region, carried between steps */
    int snapshots;
    struct snapshot snapshot[MIG_MAX_SNAPSHOTS];
    long wanted[MIG_MAX_SNAPSHOTS];
    int wanted_sample[MIG_MAX_SNAPSHOTS];
    int wanted_count;
    uint64_t seed; /* for drawing survey samples */
};

/* Series for a run of the scenario (its steps and initial residents). */
int mig_stats_init(struct stats *s, const struct scenario *sc, const struct world *w);

/* Empty series of the given shape (for files read back or differences). */
int mig_stats_alloc(struct stats *s, int steps, int origins, int regions, int sectors);

/* The series in the order the output writes them: name, dims, unit,
 * description, and where the array is. */
struct mig_series {
    const char *name;
    const char *dims[4];
    const char *units;
    const char *description;
    size_t offset; /* of the double * in struct stats */
};
const struct mig_series *mig_stats_series(size_t *count);

/* Number of values of one series for one step. */
size_t mig_stats_series_width(const struct stats *s, const struct mig_series *v);
void mig_stats_free(struct stats *s);

/* Asks for a snapshot on `day` (the end of the step that holds it): of every
 * worker present (sample 0), or of an emulated survey of `sample` people in
 * the surveyed regions, stratified by region and sex. */
int mig_stats_want(struct stats *s, long day, int sample);

/* Records step `step` from the summed tally. */
void mig_stats_record(struct stats *s, int step, const struct tally *y);

/* Takes the snapshots wanted within step `step`, if any. */
int mig_stats_snapshots(struct stats *s, int step, const struct world *w, const struct tables *t,
                        const struct conditions *c, const struct population *pop);

/* The same snapshots taken from `kept`, those of a run whose workers were
 * these at this step (a replayed step), with this step's fee; false when
 * one is not there. */
bool mig_stats_snapshots_kept(struct stats *s, int step, const struct conditions *c,
                              const struct snapshot *kept, int count);

/* The named statistics. */
struct mig_statistic {
    const char *name;
    const char *key; /* "origin", "sector" or "" */
    int window;      /* 1: over from..to; 0: on a date */
    int surveyed;    /* 1: can be taken from an emulated survey (`sample:`) */
    const char *unit;
    const char *description;
};
const struct mig_statistic *mig_stats_list(size_t *count);

/* Checks a figure against the statistics and the run (name, key, dates). */
int mig_stats_check_target(const struct stats *s, const struct world *w, const struct target *t,
                           const char *path);

/* Evaluates a figure's statistic on the run; `sd` receives its sampling
 * standard deviation when it comes from an emulated survey (else 0). */
int mig_stats_value(const struct stats *s, const struct world *w, const struct target *t,
                    double *value, double *sd);

/* The gender earnings gap of a snapshot (percent) and, for an emulated
 * survey, its delta-method standard error (else 0). */
double mig_stats_ratio_gap(const struct snapshot *n, int sampled, double *sd);

#endif
