/* One simulation from its scenario file to its output: loading and checking
 * every input, running the engine, evaluating the figures, and writing. */
#ifndef MIGSIM_SIMULATION_H
#define MIGSIM_SIMULATION_H

#include <stdio.h>

#include "migsim/engine.h"
#include "migsim/output.h"

/* Settings given on the command line, over the scenario's. */
struct overrides {
    double seed;  /* < 0: the scenario's */
    double scale; /* <= 0: the scenario's */
};

struct simulation {
    struct scenario scenario;
    struct world world;
    struct targets figures;
    struct population population; /* of the last replicate run */
    struct engine engine;
    int replicates;
    struct stats *runs; /* one series per replicate; runs[0] uses the scenario's seed */
    struct figure_result *results;
    int loaded, built;
    /* Set before running, for checkpoints and job arrays (all optional). */
    const char *checkpoint; /* where to write checkpoints */
    int checkpoint_every;   /* steps between checkpoints; 0 for none */
    const char *resume;     /* a checkpoint to continue from */
    int first_replicate;    /* the replicate index of runs[0] (job arrays) */
    int replicate_index;    /* >= 0: the file is member K of an ensemble */
    int split;              /* under MPI: this rank holds its share of the agents */
    int whole;              /* under MPI: run on this rank alone (a calibration particle) */
    /* Only the figures are wanted (calibration, sensitivity): steps after
     * the last one a figure reads are not run, and their series stay 0. */
    int figures_only;
    /* Runs follow with other parameter values (calibration, sensitivity):
     * the agents as drawn for a run, before they are placed, are kept and
     * copied for the next run whose recipe is the same (until a run's
     * recipe differs: then the parameters that vary change the agents). */
    int reuse_agents;
    struct population drawn;
    int has_drawn;
    int draws; /* how many times agents were drawn (not copied) */
    /* The warm state after the warm-up, shared by the replicates of a run;
     * with reuse_agents also kept for the next run, which starts from it
     * when its warm-up would read what this one's did (warm_record: then it
     * would end in the same state), until a run's would not. */
    struct population warm_population;
    struct engine warm_engine;
    struct warmup_record warm_record;
    int warm;
    int warm_carried; /* the warm state is an earlier run's, not yet checked in this one */
    int warm_differs; /* a run's warm-up differed: no warm state is kept across runs */
    int warm_ups;     /* how many warm-ups were run (not reused) */
    /* Runs of figures only with reuse_agents keep the steps of each
     * replicate r: the workers' (kept_migrants[r]) of the run that made the
     * warm state, which the next runs from that state take instead of
     * moving their workers; and the residents' (kept_residents[r]) of the
     * last run whose residents did not fit the record, which the next runs
     * whose residents start alike take instead of moving them. Each while
     * the step's tables are the recorded ones (then the agents would move
     * alike); a run that leaves a record is made anew, and no run replays
     * that part from then on (migrants_differ, residents_differ). */
    struct migrant_record *kept_migrants;
    struct resident_record *kept_residents;
    int kept_count; /* of each */
    int migrants_differ, residents_differ;
    int migrant_replays, resident_replays; /* runs that took those steps */
};

/* Loads and checks the scenario, its data and its figures (no agents yet). */
int mig_simulation_load(struct simulation *sim, const char *path, const struct overrides *o);

/* The same, with numeric parameters set by name before the world is built
 * from them: sets[i] is "group.param=value" (see mig_scenario_set). */
int mig_simulation_load_set(struct simulation *sim, const char *path, const struct overrides *o,
                            const char *const *sets, int set_count);

/* Replaces the scenario's figures by the targets of these files (checked
 * against the run, each message naming its file). */
int mig_simulation_use_targets(struct simulation *sim, const char *const *paths, int count);

/* Creates the population and runs every step, `replicates` times with seeds
 * derived from the scenario's (the first is the scenario's own). */
int mig_simulation_run(struct simulation *sim, int replicates, mig_progress_fn progress,
                       void *user);

/* Runs the scenario up to (not including) step `fork`, writes a checkpoint
 * there, and finishes; `fork_path` can then start branches. */
int mig_simulation_run_forking(struct simulation *sim, int fork, const char *fork_path,
                               mig_progress_fn progress, void *user);

/* Runs a branch: this scenario continued from the checkpoint `base` wrote
 * at step `fork`, as the same replicate (after mig_simulation_check_branch). */
int mig_simulation_run_branch(struct simulation *sim, const struct simulation *base, int fork,
                              const char *fork_path, mig_progress_fn progress, void *user);

/* Whether `branch` can continue from step `fork` of `base`: the same
 * parameters and data, and the same events before the fork (they made the
 * state there); only events from the fork on may differ. MIG_EINPUT naming
 * the branch's file otherwise, so that a branch is refused before the base
 * runs. */
int mig_simulation_check_branch(const struct simulation *base, const struct simulation *branch,
                                int fork);

/* The first step that starts on or after `day`. */
int mig_simulation_step_at(const struct simulation *sim, long day);

/* Evaluates the figures on every replicate; `outside` counts those whose
 * mean is outside their tolerance. */
int mig_simulation_figures(struct simulation *sim, int *outside);

/* One figure over replicates from each replicate's value and sampling
 * standard deviation (values are sorted in place): the mean, the 5% and 95%
 * quantiles, the mean's sampling standard deviation and how it compares with
 * the observation. Ensembles and merged job arrays both summarise with it,
 * so that their figures agree to the bit. */
void mig_simulation_figure(const struct target *t, double *values, const double *sds, int reps,
                           struct figure_result *res);

/* Writes the runs, their figures and their provenance. */
int mig_simulation_write(const struct simulation *sim, const char *path, const char *command_line);

/* The same file built in memory: *image (free with free()) holds *size
 * bytes of HDF5 that any reader of file images opens. */
int mig_simulation_image(const struct simulation *sim, const char *command_line, void **image,
                         size_t *size);

void mig_simulation_print_summary(const struct simulation *sim, FILE *out);

void mig_simulation_free(struct simulation *sim);

#endif
