/* The pipeline scenario -> world + population -> engine -> stats -> figures. */
#include "migsim/simulation.h"
#include "migsim/date.h"
#include "migsim/checkpoint.h"
#include "migsim/comm.h"
#include "migsim/error.h"
#include "migsim/files.h"
#include "migsim/rng.h"

#include <math.h>
#include <stdbool.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static int load_figures(struct simulation *sim)
{
    struct scenario *sc = &sim->scenario;
    return sc->targets[0] ? mig_targets_load(&sim->figures, sc->targets) : 0;
}

/* Series for one replicate, with the survey snapshots its figures need. */
static int series_for(struct simulation *sim, struct stats *s)
{
    int status = mig_stats_init(s, &sim->scenario, &sim->world);
    for (int i = 0; status == 0 && i < sim->figures.count; i++) {
        const struct target *t = &sim->figures.items[i];
        if ((status = mig_stats_check_target(s, &sim->world, t, sim->figures.path)) < 0)
            break;
        if (t->from == t->to && (status = mig_stats_want(s, t->from, t->sample)) < 0)
            status = mig_fail(MIG_EINPUT,
                              "%s:%d:%d: error: figure '%s': more than %d distinct survey dates "
                              "(a date with a sample size); expected at most %d",
                              sim->figures.path, t->date_mark.line, t->date_mark.column, t->id,
                              MIG_MAX_SNAPSHOTS, MIG_MAX_SNAPSHOTS);
    }
    return status;
}

int mig_simulation_use_targets(struct simulation *sim, const char *const *paths, int count)
{
    struct targets merged = {0};
    int status = 0;
    for (int i = 0; i < count && status == 0; i++) {
        struct targets one;
        if ((status = mig_targets_load(&one, paths[i])) < 0)
            break;
        for (int k = 0; k < one.count && status == 0; k++)
            status = mig_stats_check_target(&sim->runs[0], &sim->world, &one.items[k], paths[i]);
        struct target *grown =
            status ? NULL
                   : realloc(merged.items, (size_t)(merged.count + one.count + 1) * sizeof *grown);
        if (!status && !grown)
            status = mig_fail(MIG_ENOMEM, "out of memory");
        if (grown) {
            merged.items = grown;
            memcpy(merged.items + merged.count, one.items, (size_t)one.count * sizeof *grown);
            merged.count += one.count;
        }
        if (!merged.path && status == 0)
            merged.path = strdup(paths[i]);
        mig_targets_free(&one);
    }
    if (status < 0) {
        mig_targets_free(&merged);
        return status;
    }
    mig_targets_free(&sim->figures);
    sim->figures = merged;
    mig_stats_free(&sim->runs[0]);
    return series_for(sim, &sim->runs[0]);
}

int mig_simulation_load(struct simulation *sim, const char *path, const struct overrides *o)
{
    return mig_simulation_load_set(sim, path, o, NULL, 0);
}

int mig_simulation_load_set(struct simulation *sim, const char *path, const struct overrides *o,
                            const char *const *sets, int set_count)
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
    for (int i = 0; i < set_count; i++) {
        char name[128];
        const char *eq = strchr(sets[i], '=');
        if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof name)
            return mig_fail(MIG_EINPUT, "set: error: expected NAME=VALUE, found '%s'", sets[i]);
        memcpy(name, sets[i], (size_t)(eq - sets[i]));
        name[eq - sets[i]] = '\0';
        if ((status = mig_scenario_set(&sim->scenario, name, eq + 1)) < 0)
            return status;
    }
    if ((status = mig_world_load(&sim->world, &sim->scenario)) < 0 ||
        (status = load_figures(sim)) < 0)
        return status;
    /* The series know the run's dates, against which figures are checked. */
    if (!(sim->runs = calloc(1, sizeof *sim->runs)))
        return mig_fail(MIG_ENOMEM, "out of memory");
    sim->replicates = 1;
    sim->replicate_index = -1;
    return series_for(sim, &sim->runs[0]);
}

struct replicate_progress {
    mig_progress_fn progress;
    void *user;
    int replicate, replicates;
};

static void replicate_step(void *user, int step, int steps, long day)
{
    struct replicate_progress *p = user;
    p->progress(p->user, p->replicate * steps + step, p->replicates * steps, day);
}

static void forget_warm(struct simulation *sim);

static void unbuild(struct simulation *sim);

/* Whether a run's warm state is kept for the next run. */
static bool carry_warm(const struct simulation *sim)
{
    return sim->reuse_agents && !sim->warm_differs;
}

/* Forgets any earlier run, so that a simulation can be run again (as
 * calibration does with other parameter values), but the warm state while
 * it is carried to the next run. */
static int reset(struct simulation *sim)
{
    if (!carry_warm(sim))
        forget_warm(sim);
    unbuild(sim);
    for (int r = 0; r < sim->replicates; r++)
        mig_stats_free(&sim->runs[r]);
    sim->replicates = 1;
    sim->replicate_index = -1;
    return series_for(sim, &sim->runs[0]);
}

/* The step after the last one a run must make: the end, or with
 * figures_only the step after the last one a figure reads (a step's
 * outcome never depends on later steps, so the figures are the same). */
static int end_step(const struct simulation *sim)
{
    const struct stats *s = sim->engine.stats;
    if (!sim->figures_only)
        return s->steps;
    long last = s->start;
    for (int i = 0; i < sim->figures.count; i++)
        if (sim->figures.items[i].to > last)
            last = sim->figures.items[i].to;
    int step = 0;
    while (step < s->steps && s->step_day[step] <= last)
        step++;
    return step;
}

/* Steps to the end, writing a checkpoint every so many steps. */
static int run_checkpointed(struct simulation *sim, mig_progress_fn progress, void *user)
{
    struct engine *e = &sim->engine;
    int status = 0, end = end_step(sim);
    while (status == 0 && e->step < end) {
        int stop = end;
        if (sim->checkpoint && sim->checkpoint_every > 0)
            stop = (e->step / sim->checkpoint_every + 1) * sim->checkpoint_every;
        if ((status = mig_engine_run_until(e, stop, progress, user)) == MIG_ESTOPPED &&
            sim->checkpoint && sim->checkpoint_every > 0 && e->step > 0) {
            /* Stopped by a signal (a batch job at its wall-time limit): the
             * state at this step boundary is whole, so save it to resume. */
            char message[1024];
            snprintf(message, sizeof message, "%s", mig_strerror());
            if ((status = mig_checkpoint_write_ranks(sim->checkpoint, e)) == 0)
                status = mig_fail(MIG_ESTOPPED,
                                  "%s; wrote the checkpoint %s (continue with "
                                  "--resume %s)",
                                  message, sim->checkpoint, sim->checkpoint);
            else
                status = MIG_ESTOPPED;
            break;
        }
        if (status < 0)
            break;
        if (sim->checkpoint && sim->checkpoint_every > 0 && e->step < end)
            status = mig_checkpoint_write_ranks(sim->checkpoint, e);
    }
    return status;
}

int mig_simulation_step_at(const struct simulation *sim, long day)
{
    const struct stats *s = &sim->runs[0];
    for (int t = 0; t < s->steps; t++)
        if (s->step_day[t] >= day)
            return t;
    return s->steps;
}

/* Readies replicate r (its series, population and engine). */
/* Makes series for replicate r (runs[0] exists from loading). */
static int add_replicate(struct simulation *sim, int r)
{
    if (r == 0)
        return 0;
    int status = series_for(sim, &sim->runs[r]);
    if (status == 0)
        sim->replicates = r + 1;
    return status;
}

/* The warm state after the warm-up, kept to start the next replicates. */
static int keep_warm(struct simulation *sim)
{
    int status = mig_population_copy(&sim->warm_population, &sim->population);
    if (status == 0) {
        sim->warm_engine = sim->engine;
        sim->warm = 1;
    }
    return status;
}

static void forget_kept_migrants(struct simulation *sim)
{
    for (int r = 0; r < sim->kept_count; r++)
        mig_engine_migrants_free(&sim->kept_migrants[r]);
    sim->engine.kept_migrants = NULL;
    sim->engine.replaying_migrants = false;
}

static void forget_kept_residents(struct simulation *sim)
{
    for (int r = 0; r < sim->kept_count; r++)
        mig_engine_residents_free(&sim->kept_residents[r]);
    sim->engine.kept_residents = NULL;
    sim->engine.replaying_residents = false;
}

/* Room for the records of replicates [0, r], the new ones empty. */
static int room_for_records(struct simulation *sim, int r)
{
    if (r < sim->kept_count)
        return 0;
    size_t n = (size_t)r + 1, old = (size_t)sim->kept_count;
    struct migrant_record *m = realloc(sim->kept_migrants, n * sizeof *m);
    if (m)
        sim->kept_migrants = m;
    struct resident_record *d = m ? realloc(sim->kept_residents, n * sizeof *d) : NULL;
    if (!d)
        return mig_fail(MIG_ENOMEM, "out of memory for the records of a run's steps");
    sim->kept_residents = d;
    memset(m + old, 0, (n - old) * sizeof *m);
    memset(d + old, 0, (n - old) * sizeof *d);
    sim->kept_count = r + 1;
    return 0;
}

static void forget_warm(struct simulation *sim)
{
    forget_kept_migrants(sim);
    if (sim->warm)
        mig_population_free(&sim->warm_population);
    memset(&sim->warm_population, 0, sizeof sim->warm_population);
    mig_engine_warmup_free(&sim->warm_record);
    sim->warm = 0;
}

/* Whether population p (allocated or not) holds the agents of this recipe
 * and split, ids for ids. */
static bool made_from(const struct population *p, const struct population_recipe *recipe, int split)
{
    return p->migrant && p->split == split && memcmp(&p->recipe, recipe, sizeof *recipe) == 0;
}

/* Starts replicate r from the kept warm state (the same agents and
 * aggregates at the start date, before any recorded step). */
static int start_warm(struct simulation *sim, int r)
{
    const struct population *warm = &sim->warm_population;
    if (sim->population.migrant && !made_from(&sim->population, &warm->recipe, warm->split))
        mig_population_free(&sim->population); /* other ids: not copied into */
    int status = mig_population_copy(&sim->population, warm);
    if (status < 0)
        return status;
    struct engine *e = &sim->engine;
    struct tally *per_thread = e->per_thread; /* none when the last run is done with */
    *e = sim->warm_engine;
    e->per_thread = per_thread ? per_thread : calloc((size_t)e->threads, sizeof *per_thread);
    if (!e->per_thread)
        return mig_fail(MIG_ENOMEM, "out of memory for per-thread tallies");
    e->pop = &sim->population;
    e->stats = &sim->runs[r];
    sim->built = 1;
    return 0;
}

static void forget_drawn(struct simulation *sim)
{
    if (sim->has_drawn)
        mig_population_free(&sim->drawn);
    sim->has_drawn = 0;
}

/* The scenario's recipe of agents (malloc'd; NULL when out of memory). */
static struct population_recipe *recipe_of(const struct simulation *sim)
{
    struct population_recipe *recipe = malloc(sizeof *recipe);
    if (recipe)
        mig_population_recipe(&sim->scenario, &sim->world, recipe);
    return recipe;
}

static int split_of(const struct simulation *sim)
{
    return sim->split && mig_comm_size() > 1;
}

/* Whether the kept warm state is the one the scenario's warm-up would end
 * in: the same agents, drawn and placed alike, and a warm-up that reads the
 * same. */
static bool warm_fits(const struct simulation *sim)
{
    struct population_recipe *recipe = recipe_of(sim);
    struct personal_draws personal = mig_population_personal_draws(&sim->scenario);
    bool fits = recipe && made_from(&sim->warm_population, recipe, split_of(sim)) &&
                memcmp(&sim->warm_population.personal, &personal, sizeof personal) == 0 &&
                mig_engine_warmup_same(&sim->warm_record, &sim->scenario, &sim->world);
    free(recipe);
    return fits;
}

/* The engine and population of the last run are done with; the
 * population's memory is kept when the next run may copy the drawn agents
 * or the warm state into it (draw_agents and start_warm decide). */
static void unbuild(struct simulation *sim)
{
    mig_engine_free(&sim->engine);
    if (!sim->has_drawn && !sim->warm)
        mig_population_free(&sim->population);
    sim->built = 0;
}

/* The scenario's agents, before placement: a copy of those drawn for the
 * last run when their recipe is the same (into the last run's memory when
 * it holds the same ids; the personal draws of the workers present at the
 * start are made anew if their parameters differ), else drawn, and kept
 * when runs with other parameter values follow and no warm state is kept
 * for them (the first run keeps the warm state; if the next one cannot
 * start from it, it draws again and keeps that copy). A kept copy doubles
 * the agents' memory, so once a run finds it drawn from another recipe
 * (the parameters that vary enter the recipe), no further copy is kept. */
static int draw_agents(struct simulation *sim)
{
    struct population_recipe *recipe = recipe_of(sim);
    if (!recipe)
        return mig_fail(MIG_ENOMEM, "out of memory for the recipe of the agents");
    struct personal_draws personal = mig_population_personal_draws(&sim->scenario);
    int status, split = split_of(sim);
    if (sim->has_drawn && made_from(&sim->drawn, recipe, split)) {
        if (!made_from(&sim->population, recipe, split))
            mig_population_free(&sim->population);
        status = mig_population_copy(&sim->population, &sim->drawn);
        mig_population_set_personal(&sim->population, personal);
    } else {
        if (sim->has_drawn)
            sim->reuse_agents = 0;
        forget_drawn(sim);
        mig_population_free(&sim->population);
        status = mig_population_make(&sim->population, recipe, personal, split);
        sim->draws++;
        if (status == 0 && sim->reuse_agents && !carry_warm(sim) &&
            (status = mig_population_copy(&sim->drawn, &sim->population)) == 0)
            sim->has_drawn = 1;
    }
    free(recipe);
    return status;
}

/* A run of figures only from the kept warm state takes its workers' steps
 * from the record of the run that made the state, which records them; a
 * run whose residents start as the recorded ones did takes their steps,
 * else records them (the engine checks each step's tables). */
static int keep_or_replay(struct simulation *sim, int r)
{
    if (!sim->figures_only || !sim->reuse_agents)
        return 0;
    int status = room_for_records(sim, r);
    if (status < 0)
        return status;
    if (carry_warm(sim) && !sim->migrants_differ) {
        bool replay = sim->kept_migrants[r].steps > 0;
        mig_engine_keep_migrants(&sim->engine, &sim->kept_migrants[r], replay);
        sim->migrant_replays += replay;
    }
    if (!sim->residents_differ) {
        bool replay = mig_engine_residents_fit(&sim->engine, &sim->kept_residents[r]);
        mig_engine_keep_residents(&sim->engine, &sim->kept_residents[r], replay);
        sim->resident_replays += replay;
    }
    return 0;
}

/* Readies replicate r (its series made): its population and engine, and
 * what it records or replays. The population and the warm-up are drawn
 * from the scenario's seed, so every replicate starts from the same warm
 * state (made once, kept when more replicates follow on this process);
 * the replicate's own seed drives the recorded steps. */
static int start_replicate(struct simulation *sim, int r, double seed, bool more)
{
    int status;
    double own =
        (double)mig_rng_replicate_seed((uint64_t)seed, (uint32_t)(sim->first_replicate + r));
    sim->scenario.seed = seed; /* of the agents and the warm-up */
    if (sim->warm_carried) {   /* this run's first replicate on this rank */
        sim->warm_carried = 0;
        if (!warm_fits(sim)) {
            forget_warm(sim);
            sim->warm_differs = 1;
        }
    }
    if (sim->warm) {
        status = start_warm(sim, r);
    } else {
        if (sim->built)
            unbuild(sim);
        if ((status = draw_agents(sim)) < 0)
            return status;
        sim->built = 1;
        bool carry = carry_warm(sim);
        status = mig_engine_init(&sim->engine, &sim->scenario, &sim->world, &sim->population,
                                 &sim->runs[r], carry ? &sim->warm_record : NULL);
        sim->warm_ups++;
        if (status == 0 && (more || carry))
            status = keep_warm(sim);
    }
    sim->scenario.seed = own;
    sim->engine.stats->seed = (uint64_t)own;
    return status < 0 ? status : keep_or_replay(sim, r);
}

/* Makes replicate r anew after a part of it left its record (a parameter
 * that varies moves the workers or the residents after all): that part is
 * moved, not replayed, from now on. */
static int run_anew(struct simulation *sim, int r, double seed, bool more, mig_progress_fn progress,
                    void *user)
{
    struct engine *e = &sim->engine;
    /* A record this run was making holds only the steps before it broke
     * off: it must not be replayed as if whole. */
    if (e->kept_migrants && !e->replaying_migrants)
        e->kept_migrants->steps = e->kept_migrants->snapshots = 0;
    if (e->kept_residents && !e->replaying_residents)
        e->kept_residents->steps = 0;
    if (e->migrants_left) {
        sim->migrants_differ = 1;
        forget_kept_migrants(sim);
    }
    if (e->residents_left) {
        sim->residents_differ = 1;
        forget_kept_residents(sim);
    }
    mig_stats_free(&sim->runs[r]);
    int status = series_for(sim, &sim->runs[r]);
    if (status == 0 && (status = start_replicate(sim, r, seed, more)) == 0)
        status = run_checkpointed(sim, progress, user);
    return status;
}

/* Makes room for `replicates` series and forgets any earlier run. */
static int prepare(struct simulation *sim, int replicates)
{
    /* The last run is forgotten first: the series of all its replicates
     * are freed before the room for them may shrink. */
    int status = sim->built || sim->runs[0].snapshots ? reset(sim) : 0;
    if (status < 0)
        return status;
    struct stats *runs = realloc(sim->runs, (size_t)replicates * sizeof *runs);
    if (!runs)
        return mig_fail(MIG_ENOMEM, "out of memory");
    sim->runs = runs;
    sim->warm_carried = sim->warm; /* kept by an earlier run: checked before use */
    return 0;
}

int mig_simulation_run_forking(struct simulation *sim, int fork, const char *fork_path,
                               mig_progress_fn progress, void *user)
{
    double seed = sim->scenario.seed;
    int status;
    if ((status = prepare(sim, 1)) == 0 && (status = start_replicate(sim, 0, seed, false)) == 0 &&
        (status = mig_engine_run_until(&sim->engine, fork, progress, user)) == 0 &&
        (status = mig_checkpoint_write(fork_path, &sim->engine)) == 0)
        status = mig_engine_run(&sim->engine, progress, user);
    sim->scenario.seed = seed;
    return status;
}

/* The next event of `tl` from index *i on that starts before `day`, or NULL. */
static const struct mig_event *next_before(const struct timeline *tl, long day, int *i)
{
    for (; *i < tl->count; ++*i)
        if (tl->event[*i].start < day)
            return &tl->event[(*i)++];
    return NULL;
}

/* The branch's and the scenario's events before the fork, pair by pair:
 * they made the state at the fork, so they must be the same. */
static int check_events_before(const struct scenario *base, const struct scenario *sc, long day)
{
    char date[11], fork_date[11];
    mig_date_format(day, fork_date);
    const struct mig_event *ours, *theirs;
    for (int i = 0, j = 0;;) {
        ours = next_before(&base->timeline, day, &i);
        theirs = next_before(&sc->timeline, day, &j);
        if (!ours && !theirs)
            return 0;
        if (!ours || !theirs || !mig_timeline_event_same(ours, theirs))
            break;
    }
    if (theirs) {
        mig_date_format(theirs->start, date);
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: this event of the branch %s starts on %s, before the "
                        "fork on %s, and is not the scenario's there; expected the scenario's "
                        "events before the fork, the branch's own from it on",
                        sc->file[theirs->file], theirs->start_mark.line, theirs->start_mark.column,
                        sc->path, date, fork_date);
    }
    mig_date_format(ours->start, date);
    return mig_fail(MIG_EINPUT,
                    "%s: error: the branch lacks the scenario's event of %s:%d:%d, which starts "
                    "on %s, before the fork on %s; expected the scenario's events before the "
                    "fork, the branch's own from it on",
                    sc->path, base->file[ours->file], ours->start_mark.line,
                    ours->start_mark.column, date, fork_date);
}

int mig_simulation_check_branch(const struct simulation *base, const struct simulation *branch,
                                int fork)
{
    const struct scenario *sc = &branch->scenario;
    char theirs[1024], ours[1024];
    const struct mig_param *p =
        mig_scenario_state_difference(sc, &base->scenario, theirs, ours, sizeof theirs);
    if (p)
        return mig_fail(MIG_EINPUT,
                        "%s: error: its %s is %s, the scenario's is %s; a branch differs from "
                        "the scenario only in events from the fork on",
                        sc->path, p->name, theirs, ours);
    if (!mig_files_same(sc->data, base->scenario.data))
        return mig_fail(MIG_EINPUT,
                        "%s: error: its data folder %s is not the scenario's (%s); a branch "
                        "differs from the scenario only in events from the fork on",
                        sc->path, sc->data, base->scenario.data);
    /* The surveys before the fork are the base's, taken for its figures. */
    char base_figures[17], branch_figures[17];
    mig_targets_digest(&base->figures, base_figures);
    mig_targets_digest(&branch->figures, branch_figures);
    if (strcmp(base_figures, branch_figures) != 0)
        return mig_fail(MIG_EINPUT,
                        "%s: error: its figures (targets) are not the scenario's; a branch "
                        "differs from the scenario only in events from the fork on",
                        sc->path);
    return check_events_before(&base->scenario, sc, base->runs[0].step_day[fork]);
}

int mig_simulation_run_branch(struct simulation *sim, const struct simulation *base, int fork,
                              const char *fork_path, mig_progress_fn progress, void *user)
{
    double seed = sim->scenario.seed;
    sim->first_replicate = base->first_replicate; /* the base's replicate, and its seed */
    sim->replicate_index = base->replicate_index;
    int status;
    if ((status = mig_simulation_check_branch(base, sim, fork)) == 0 &&
        (status = prepare(sim, 1)) == 0 && (status = start_replicate(sim, 0, seed, false)) == 0 &&
        (status = mig_checkpoint_restore(fork_path, &sim->engine, 1)) == 0 &&
        (status = mig_engine_recount(&sim->engine)) == 0)
        status = mig_engine_run(&sim->engine, progress, user);
    sim->scenario.seed = seed;
    return status;
}

/* Under MPI with replicates, each rank ran its own; every rank then takes
 * each replicate's series from the rank that ran it. */
static int share_replicates(struct simulation *sim)
{
    size_t n;
    const struct mig_series *list = mig_stats_series(&n);
    int status = 0;
    for (int r = 0; r < sim->replicates && status == 0; r++) {
        struct stats *s = &sim->runs[r];
        int owner = r % mig_comm_size();
        for (size_t i = 0; i < n && status == 0; i++)
            status = mig_comm_broadcast(
                *(double **)((char *)s + list[i].offset),
                (size_t)s->steps * mig_stats_series_width(s, &list[i]) * sizeof(double), owner);
        if (status == 0)
            status = mig_comm_broadcast(&s->snapshots, sizeof s->snapshots, owner);
        if (status == 0)
            status = mig_comm_broadcast(s->snapshot, sizeof s->snapshot, owner);
        if (status == 0)
            status =
                mig_comm_broadcast(s->residents_now, (size_t)s->regions * sizeof(int64_t), owner);
    }
    return status;
}

int mig_simulation_run(struct simulation *sim, int replicates, mig_progress_fn progress, void *user)
{
    int status = prepare(sim, replicates);
    if (status < 0)
        return status;
    if ((sim->checkpoint || sim->resume) && replicates > 1)
        return mig_fail(MIG_EINPUT, "error: checkpoints are for single runs; run replicates as a "
                                    "job array (--replicate K) to checkpoint each");
    /* A run on this rank alone (a calibration particle) spreads nothing. */
    int ranks = mig_comm_size(), spread = ranks > 1 && replicates > 1 && !sim->whole;
    /* One run is split over the ranks by agent id; replicates go whole to
     * one rank each. */
    sim->split = ranks > 1 && replicates == 1 && !sim->whole;
    double seed = sim->scenario.seed;
    for (int r = 0; r < replicates && status == 0; r++) {
        struct replicate_progress wrap = {progress, user, r, replicates};
        if (spread && r % ranks != mig_comm_rank()) {
            status = add_replicate(sim, r);
            continue;
        }
        bool more = r + (spread ? ranks : 1) < replicates;
        if ((status = add_replicate(sim, r)) < 0 ||
            (status = start_replicate(sim, r, seed, more)) < 0)
            break;
        if (sim->resume && ((status = mig_checkpoint_restore_ranks(sim->resume, &sim->engine)) < 0 ||
                            (status = mig_engine_recount(&sim->engine)) < 0))
            break;
        status = run_checkpointed(sim, progress ? replicate_step : NULL, &wrap);
        while (status == MIG_EDIFFERS) /* each time one part more is moved anew */
            status = run_anew(sim, r, seed, more, progress ? replicate_step : NULL, &wrap);
    }
    sim->scenario.seed = seed;
    if (status < 0 || !carry_warm(sim))
        forget_warm(sim);
    if (spread) {
        /* A rank that failed or was stopped broke off while the others ran
         * on: they must not wait for its series. */
        int agreed = mig_comm_agree_failure(status);
        if (agreed < 0 && status == 0)
            status = mig_fail(agreed, "error: another rank stopped or failed (see its message)");
        else
            status = agreed; /* a rank that failed keeps its message */
    }
    if (status == 0 && spread)
        status = share_replicates(sim);
    return status;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted values, interpolated linearly. */
static double quantile(const double *sorted, int n, double q)
{
    double at = q * (n - 1);
    int i = (int)at;
    return i + 1 < n ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
}

void mig_simulation_figure(const struct target *t, double *values, const double *sds, int reps,
                           struct figure_result *res)
{
    double sum = 0, sd = 0;
    for (int r = 0; r < reps; r++) {
        sum += values[r];
        sd += sds[r] / reps;
    }
    qsort(values, (size_t)reps, sizeof *values, compare_doubles);
    res->simulated = sum / reps;
    res->q05 = quantile(values, reps, 0.05);
    res->q95 = quantile(values, reps, 0.95);
    /* A survey estimate from the run is itself a sample; its error counts. */
    res->sampling_sd = sd / sqrt(reps);
    res->error = mig_target_error(t, res->simulated, res->sampling_sd);
    res->within = mig_target_inside(t, res->simulated, res->sampling_sd);
}

int mig_simulation_figures(struct simulation *sim, int *outside)
{
    int n = sim->figures.count, reps = sim->replicates;
    *outside = 0;
    free(sim->results);
    sim->results = calloc((size_t)(n ? n : 1), sizeof *sim->results);
    double *values = calloc((size_t)reps * 2, sizeof *values), *sds = values + reps;
    if (!sim->results || !values) {
        free(values);
        return mig_fail(MIG_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const struct target *t = &sim->figures.items[i];
        for (int r = 0; r < reps; r++) {
            int status = mig_stats_value(&sim->runs[r], &sim->world, t, &values[r], &sds[r]);
            if (status < 0) {
                free(values);
                return status;
            }
        }
        mig_simulation_figure(t, values, sds, reps, &sim->results[i]);
        *outside += !sim->results[i].within;
    }
    free(values);
    return 0;
}

/* Writes to `path`, or into memory when image is not NULL. */
static int write_run(const struct simulation *sim, const char *path, const char *command_line,
                     void **image, size_t *image_size)
{
    if (mig_comm_rank() != 0)
        return 0; /* every rank holds the same series; one writes them */
    const struct scenario *sc = &sim->scenario;
    char *parameters = mig_scenario_resolved_text(sc, false);
    if (!parameters)
        return mig_fail(MIG_ENOMEM, "out of memory");
    char first_event[11] = "";
    long first = mig_timeline_first_day(&sc->timeline);
    if (first != MIG_NO_END)
        mig_date_format(first, first_event);
    char data_digest[17], figures_digest[17];
    mig_world_digest(&sim->world, data_digest);
    mig_targets_digest(&sim->figures, figures_digest);
    struct provenance prov = {
        .title = "migsim run",
        .data_digest = data_digest,
        .figures_digest = figures_digest,
        .first_event = first_event,
        .replicate_index = sim->replicate_index,
        .scenario_name = sc->name,
        .scenario_file = sc->path ? sc->path : "",
        .scenario_text = sc->text ? sc->text : "",
        .parameters = parameters,
        .seed = sc->seed,
        .scale = sc->scale,
        .command_line = command_line,
        .threads = omp_get_max_threads(),
        .ranks = mig_comm_size(),
    };
    int status = image ? mig_output_image(image, image_size, &sim->world, sim->runs,
                                          sim->replicates, &sim->figures, sim->results, &prov)
                       : mig_output_write(path, &sim->world, sim->runs, sim->replicates,
                                          &sim->figures, sim->results, &prov);
    free(parameters);
    return status;
}

int mig_simulation_write(const struct simulation *sim, const char *path, const char *command_line)
{
    return write_run(sim, path, command_line, NULL, NULL);
}

int mig_simulation_image(const struct simulation *sim, const char *command_line, void **image,
                         size_t *size)
{
    *image = NULL;
    *size = 0;
    return write_run(sim, NULL, command_line, image, size);
}

void mig_simulation_print_summary(const struct simulation *sim, FILE *out)
{
    const struct scenario *sc = &sim->scenario;
    char start[11], end[11];
    mig_date_format(sc->start, start);
    mig_date_format(sc->end, end);
    fprintf(out, "scenario %s: %s to %s, %d steps, seed %.0f, scale %g, %d replicate%s\n", sc->name,
            start, end, sim->runs[0].steps, sc->seed, sc->scale, sim->replicates,
            sim->replicates == 1 ? "" : "s");
    if (sim->engine.clamped_steps)
        fprintf(out,
                "warning: in %ld steps a quantity was clamped (a migrant's probabilities of the "
                "step's events added to more than 1, or births and immigrants outnumbered the "
                "ids kept for them)\n",
                sim->engine.clamped_steps);
    if (!sim->figures.count)
        return;
    bool spread = sim->replicates > 1;
    fprintf(out, "\n%-58s %-8s %-23s %12s %12s %7s %-7s%s\n", "figure", "role", "date", "target",
            "simulated", "error", "inside", spread ? " 90% over replicates" : "");
    int inside[3] = {0}, count[3] = {0};
    for (int i = 0; i < sim->figures.count; i++) {
        const struct target *t = &sim->figures.items[i];
        char from[11], to[11], when[24], goal[40];
        mig_date_format(t->from, from);
        mig_date_format(t->to, to);
        snprintf(when, sizeof when, "%s%s%s", from, t->from == t->to ? "" : "..",
                 t->from == t->to ? "" : to);
        if (t->kind == MIG_AT_LEAST)
            snprintf(goal, sizeof goal, ">= %g", t->lo);
        else if (t->kind == MIG_AT_MOST)
            snprintf(goal, sizeof goal, "<= %g", t->hi);
        else if (isnan(t->value))
            snprintf(goal, sizeof goal, "%g-%g", t->lo, t->hi);
        else
            snprintf(goal, sizeof goal, "%g", t->value);
        const struct figure_result *r = &sim->results[i];
        fprintf(out, "%-58.58s %-8s %-23s %12s %12.6g %7.2f %-7s", t->label[0] ? t->label : t->id,
                mig_role_name(t->role), when, goal, r->simulated, r->error,
                isnan(r->simulated) ? "n/a"
                : r->within         ? "yes"
                                    : "NO");
        if (spread)
            fprintf(out, " %.6g to %.6g", r->q05, r->q95);
        fputc('\n', out);
        inside[t->role] += r->within;
        count[t->role]++;
    }
    /* Fits and held-out validations are counted apart; inputs (parameters
     * read back) are shown but never counted as evidence. */
    fprintf(out,
            "\nfit figures within tolerance: %d of %d; validation figures: %d of %d; input "
            "figures (parameters read back, not counted): %d\n(error: standardised, simulated "
            "minus observed over the combined standard deviation; inside: within the tolerance "
            "or the 90%% interval)\n",
            inside[MIG_ROLE_FIT], count[MIG_ROLE_FIT], inside[MIG_ROLE_VALIDATE],
            count[MIG_ROLE_VALIDATE], count[MIG_ROLE_INPUT]);
}

void mig_simulation_free(struct simulation *sim)
{
    forget_warm(sim);
    forget_kept_residents(sim);
    free(sim->kept_migrants);
    free(sim->kept_residents);
    forget_drawn(sim);
    mig_engine_free(&sim->engine);
    for (int r = 0; r < sim->replicates; r++)
        mig_stats_free(&sim->runs[r]);
    free(sim->runs);
    mig_population_free(&sim->population);
    mig_targets_free(&sim->figures);
    mig_scenario_free(&sim->scenario);
    free(sim->results);
    memset(sim, 0, sizeof *sim);
}
