/* The step loop: an ordered list of named stages run once per step. Agents
 * are processed in fixed chunks with OpenMP; each thread adds into its own
 * tally, and tallies are integers, so the result does not depend on the
 * number of threads. */
#ifndef MIGSIM_ENGINE_H
#define MIGSIM_ENGINE_H

#include "migsim/scenario.h"
#include "migsim/stats.h"

#include <stdbool.h>
#include <stddef.h>

#define MIG_MAX_STAGES 16 /* room for the step's stages */

struct engine;

/* Called after each step (for a progress bar); may be NULL. */
typedef void (*mig_progress_fn)(void *user, int step, int steps, long day);

/* What a warm-up read of its scenario, recorded when asked: the scalars
 * that time its steps, the initial aggregates, and each set of tables with
 * the aggregates it was made from. Of the tables only the migrants' part
 * is kept (all members before the residents' tables, which come last):
 * residents stay put during the warm-up. Migrant workers decide from
 * nothing else, so a scenario whose warm-up would read the same warms the
 * same agents into the same state (mig_engine_warmup_same). */
struct warmup_tables {
    struct aggregates aggregates; /* before the tables were made */
    int32_t step;
    unsigned char migrants[offsetof(struct tables, residents)]; /* the tables' first bytes */
};

struct warmup_record {
    double scale, step_days;
    long start;
    int first_step; /* negative: the warm-up's steps are [first_step, 0) */
    struct aggregates initial;
    int made;                     /* tables made, at the start and at each step */
    struct warmup_tables *tables; /* NULL when nothing was recorded */
};

/* What the migrant workers of a run did at each recorded step, kept for
 * the next runs of a calibration or sensitivity analysis. A run from the
 * same warm state whose workers' tables are the same at a step (workers
 * decide from nothing else) would make the same step, so it takes the
 * step's totals, aggregates and snapshots from here instead of moving its
 * workers. Residents and workers read nothing of each other, so its
 * residents move as they would beside the workers. */
struct migrant_step {
    unsigned char tables[offsetof(struct tables, residents)];         /* the migrants' part */
    unsigned char total[offsetof(struct tally, remit_base)];          /* after the step */
    unsigned char aggregates[offsetof(struct aggregates, residents)]; /* after the step */
};

struct migrant_record {
    int steps, room;           /* recorded steps [0, steps), room for as many */
    struct migrant_step *step; /* NULL until a step is recorded */
    int snapshots;             /* those taken in the recorded steps */
    struct snapshot snapshot[MIG_MAX_SNAPSHOTS];
};

/* What the residents of a run did at each recorded step, kept likewise: a
 * run whose residents start alike (drawn from the same recipe, with the
 * same seed, scenario parameters of residents and data) and whose
 * residents' tables, draws and step are the recorded ones at a step would
 * make the same step (residents and their demography read nothing else),
 * so it takes the step's totals and aggregates of residents from here. */
struct resident_step {
    struct resident_tables tables;
    uint64_t seed;
    long day;    /* the conditions demography reads: the step's first day */
    double days; /* and its length */
    struct resident_tally total;           /* after the step */
    struct resident_aggregates aggregates; /* after the step */
};

struct resident_record {
    int steps, room;
    struct resident_step *step;
    /* What the residents' start and their demography read besides. */
    struct population_recipe recipe;
    int split;
    double seed, scale, step_days;
    long start, end;
    unsigned char residents[sizeof(((struct scenario *)0)->residents)];
    char data_digest[17];
};

struct engine {
    const struct scenario *sc;
    const struct world *w;
    struct population *pop;
    struct stats *stats;
    int step;
    struct conditions conditions;
    struct aggregates aggregates;
    struct tables tables;
    struct tally total;
    struct tally levels; /* running levels of the migrants' tallies, over all ranks */
    struct tally *per_thread;
    int threads;
    long clamped_steps;       /* steps whose rates hit a thinning ceiling */
    double stage_seconds[MIG_MAX_STAGES]; /* wall time spent in each stage, for the benchmark */
    double warmup_seconds;    /* the unrecorded steps before the start, for the benchmark */
    struct warmup_record *record; /* during the warm-up, when asked: what it reads */
    struct migrant_record *kept_migrants;   /* the workers' steps, recorded or taken */
    struct resident_record *kept_residents; /* the residents' likewise */
    bool replaying_migrants, replaying_residents;
    const struct migrant_step *migrant_step; /* replaying: this step's, as recorded */
    const struct resident_step *resident_step;
    bool migrants_left, residents_left; /* which record a step left (MIG_EDIFFERS) */
};

/* A stage of the step; the list is in engine.c. */
struct mig_stage {
    const char *name;
    int (*run)(struct engine *e); /* 0 or a negative status */
};
const struct mig_stage *mig_engine_stages(size_t *count);

/* Places the initial population and warms it up to the first step; with a
 * record (else NULL), records what the warm-up read. */
int mig_engine_init(struct engine *e, const struct scenario *sc, const struct world *w,
                    struct population *pop, struct stats *stats, struct warmup_record *record);
void mig_engine_free(struct engine *e);

/* Whether the warm-up of scenario sc would read what `record` holds, and so
 * (from the same agents) end in the same state. */
bool mig_engine_warmup_same(const struct warmup_record *record, const struct scenario *sc,
                            const struct world *w);
void mig_engine_warmup_free(struct warmup_record *record);

/* From now on, records the workers' steps into `kept` (emptied first), or
 * with `replay` takes them from it: then a step whose workers' tables are
 * not the recorded ones (or that wants a snapshot it lacks) fails with
 * MIG_EDIFFERS, without a message, and the run must be made anew. */
void mig_engine_keep_migrants(struct engine *e, struct migrant_record *kept, bool replay);
void mig_engine_migrants_free(struct migrant_record *kept);

/* The same for the residents' steps; a recorded run's residents fit this
 * run's when they start alike (then a step fails with MIG_EDIFFERS only
 * when its residents' tables, draws or step are not the recorded ones). */
void mig_engine_keep_residents(struct engine *e, struct resident_record *kept, bool replay);
bool mig_engine_residents_fit(const struct engine *e, const struct resident_record *kept);
void mig_engine_residents_free(struct resident_record *kept);

/* Sets every migrant's class from its state and recounts the running levels
 * from scratch (after placing the population or restoring a checkpoint; a
 * test compares it with the levels kept by events). Collective over ranks. */
int mig_engine_recount(struct engine *e);

/* Runs every remaining step. */
int mig_engine_run(struct engine *e, mig_progress_fn progress, void *user);

/* Runs the remaining steps before `stop` (a step index). */
int mig_engine_run_until(struct engine *e, int stop, mig_progress_fn progress, void *user);

#endif
