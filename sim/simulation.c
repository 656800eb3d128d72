/* The pipeline scenario -> world + population -> engine -> stats -> figures. */
#include "migsim/simulation.h"
#include "migsim/date.h"
#include "migsim/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int load_figures(struct simulation *sim)
{
    struct scenario *sc = &sim->scenario;
    return sc->targets[0] ? mig_targets_load(&sim->figures, sc->targets) : 0;
}

int mig_simulation_load(struct simulation *sim, const char *path, const struct overrides *o)
{
    memset(sim, 0, sizeof *sim);
    int status;
    if ((status = mig_scenario_load(&sim->scenario, path)) < 0)
        return status;
    sim->loaded = 1;
    if (o && o->seed >= 0)
        sim->scenario.seed = o->seed;
    if (o && o->scale > 0)
        sim->scenario.scale = o->scale;
    if ((status = mig_world_load(&sim->world, &sim->scenario)) < 0 ||
        (status = load_figures(sim)) < 0)
        return status;
    /* The series know the run's dates, against which figures are checked. */
    if ((status = mig_stats_init(&sim->stats, &sim->scenario, &sim->world)) < 0)
        return status;
    for (int i = 0; i < sim->figures.count; i++) {
        const struct target *t = &sim->figures.items[i];
        if ((status = mig_stats_check_target(&sim->stats, &sim->world, t, sim->figures.path)) < 0)
            return status;
        if (t->from == t->to && (status = mig_stats_want(&sim->stats, t->from)) < 0)
            return status;
    }
    return 0;
}

int mig_simulation_run(struct simulation *sim, mig_progress_fn progress, void *user)
{
    int status;
    if ((status = mig_population_init(&sim->population, &sim->scenario, &sim->world)) < 0)
        return status;
    sim->built = 1;
    if ((status = mig_engine_init(&sim->engine, &sim->scenario, &sim->world, &sim->population,
                                  &sim->stats)) < 0)
        return status;
    return mig_engine_run(&sim->engine, progress, user);
}

int mig_simulation_figures(struct simulation *sim, int *outside)
{
    int n = sim->figures.count;
    *outside = 0;
    free(sim->results);
    sim->results = calloc((size_t)(n ? n : 1), sizeof *sim->results);
    if (!sim->results)
        return mig_fail(MIG_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const struct target *t = &sim->figures.items[i];
        double x;
        int status = mig_stats_value(&sim->stats, &sim->world, t, &x);
        if (status < 0)
            return status;
        sim->results[i].simulated = x;
        sim->results[i].within = !isnan(x) && x >= t->lo - 1e-9 && x <= t->hi + 1e-9;
        *outside += !sim->results[i].within;
    }
    return 0;
}

void mig_simulation_print_summary(const struct simulation *sim, FILE *out)
{
    const struct scenario *sc = &sim->scenario;
    char start[11], end[11];
    mig_date_format(sc->start, start);
    mig_date_format(sc->end, end);
    fprintf(out, "scenario %s: %s to %s, %d steps, seed %.0f, scale %g\n", sc->name, start, end,
            sim->stats.steps, sc->seed, sc->scale);
    if (sim->engine.clamped_steps)
        fprintf(out,
                "warning: in %ld steps a rate reached its thinning ceiling and was clamped; "
                "raise migrants.candidate_rate or residents.candidate_rate\n",
                sim->engine.clamped_steps);
    if (!sim->figures.count)
        return;
    fprintf(out, "\n%-58s %-23s %12s %12s %-8s\n", "figure", "date", "target", "simulated",
            "within");
    int inside = 0;
    for (int i = 0; i < sim->figures.count; i++) {
        const struct target *t = &sim->figures.items[i];
        char from[11], to[11], when[24], goal[40];
        mig_date_format(t->from, from);
        mig_date_format(t->to, to);
        snprintf(when, sizeof when, "%s%s%s", from, t->from == t->to ? "" : "..",
                 t->from == t->to ? "" : to);
        if (isnan(t->value))
            snprintf(goal, sizeof goal, "%g-%g", t->lo, t->hi);
        else
            snprintf(goal, sizeof goal, "%g", t->value);
        const struct figure_result *r = &sim->results[i];
        fprintf(out, "%-58.58s %-23s %12s %12.6g %-8s\n", t->label[0] ? t->label : t->id, when,
                goal, r->simulated, r->within ? "yes" : "NO");
        inside += r->within;
    }
    fprintf(out, "\n%d of %d figures within tolerance\n", inside, sim->figures.count);
}

void mig_simulation_free(struct simulation *sim)
{
    mig_engine_free(&sim->engine);
    mig_stats_free(&sim->stats);
    if (sim->built)
        mig_population_free(&sim->population);
    mig_targets_free(&sim->figures);
    mig_scenario_free(&sim->scenario);
    free(sim->results);
    memset(sim, 0, sizeof *sim);
}
