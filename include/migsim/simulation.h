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
    struct population population;
    struct stats stats;
    struct engine engine;
    struct figure_result *results;
    int loaded, built;
};

/* Loads and checks the scenario, its data and its figures (no agents yet). */
int mig_simulation_load(struct simulation *sim, const char *path, const struct overrides *o);

/* Creates the population and runs every step. */
int mig_simulation_run(struct simulation *sim, mig_progress_fn progress, void *user);

/* Evaluates the figures; returns how many are outside their tolerance. */
int mig_simulation_figures(struct simulation *sim, int *outside);

void mig_simulation_print_summary(const struct simulation *sim, FILE *out);

void mig_simulation_free(struct simulation *sim);

#endif
