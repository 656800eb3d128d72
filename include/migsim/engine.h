/* The step loop: an ordered list of named stages run once per step. Agents
 * are processed in fixed chunks with OpenMP; each thread adds into its own
 * tally, and tallies are integers, so the result does not depend on the
 * number of threads. */
#ifndef MIGSIM_ENGINE_H
#define MIGSIM_ENGINE_H

#include "migsim/stats.h"

struct engine;

/* Called after each step (for a progress bar); may be NULL. */
typedef void (*mig_progress_fn)(void *user, int step, int steps, long day);

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
    double stage_seconds[16]; /* wall time spent in each stage, for the benchmark */
    double warmup_seconds;    /* the unrecorded steps before the start, for the benchmark */
};

/* A stage of the step; the list is in engine.c. */
struct mig_stage {
    const char *name;
    int (*run)(struct engine *e); /* 0 or a negative status */
};
const struct mig_stage *mig_engine_stages(size_t *count);

/* Places the initial population and prepares the first step. */
int mig_engine_init(struct engine *e, const struct scenario *sc, const struct world *w,
                    struct population *pop, struct stats *stats);
void mig_engine_free(struct engine *e);

/* Sets every migrant's class from its state and recounts the running levels
 * from scratch (after placing the population or restoring a checkpoint; a
 * test compares it with the levels kept by events). Collective over ranks. */
int mig_engine_recount(struct engine *e);

/* Runs every remaining step. */
int mig_engine_run(struct engine *e, mig_progress_fn progress, void *user);

/* Runs the remaining steps before `stop` (a step index). */
int mig_engine_run_until(struct engine *e, int stop, mig_progress_fn progress, void *user);

#endif
