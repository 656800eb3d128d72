/* The step loop. A step runs these stages in order:
 *   conditions  the policy timeline and seasons for the step
 *   tables      probability tables from the conditions and last aggregates
 *   migrants    thinned candidate migrants: who comes and where; who returns,
 *               visits home or relocates
 *   residents   thinned candidate residents: who moves, why, and where
 *   count       every migrant: visits that end, stocks, remittances
 *   reduce      per-thread tallies summed; aggregates for the next step
 *   demography  births and immigrants (new residents), yearly ageing
 *   record      series and survey snapshots
 * Stages read what earlier stages wrote; nothing flows backwards. */
#include "migsim/engine.h"
#include "migsim/files.h"
#include "migsim/comm.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/rng.h"

#include <math.h>
#include <signal.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static struct tally *my_tally(struct engine *e)
{
    return &e->per_thread[omp_get_thread_num()];
}

/* The first day and length of the current step; warm-up steps (negative)
 * precede the start in whole steps. */
static long step_day(const struct engine *e)
{
    return e->step >= 0 ? e->stats->step_day[e->step]
                        : e->sc->start + (long)e->step * (long)e->sc->step_days;
}

static double step_days(const struct engine *e)
{
    return e->step >= 0 ? e->stats->step_days[e->step] : e->sc->step_days;
}

static int stage_conditions(struct engine *e)
{
    mig_policy_conditions(e->sc, e->w, step_day(e), step_days(e), &e->conditions);
    return 0;
}

static int stage_tables(struct engine *e)
{
    mig_behaviour_tables(e->sc, e->w, &e->conditions, &e->aggregates, e->step, &e->tables);
    if (e->tables.migrant_clamped || e->tables.residents.move_clamped)
        e->clamped_steps++;
    return 0;
}

/* Runs `visit` on a Bernoulli(q) subset of [0, n), chunk by chunk. */
/* Runs `visit` on a Bernoulli(q) subset of ids [begin, end) of the n ids,
 * chunk by chunk; begin is a chunk boundary (this process's share). */
static void
thinned(struct engine *e, uint64_t n, uint64_t begin, uint64_t end, uint32_t stream, double q,
        void (*visit)(const struct tables *, struct population *, uint64_t, struct tally *))
{
    int64_t low = (int64_t)(begin / MIG_SKIP_CHUNK);
    int64_t chunks = (int64_t)((end + MIG_SKIP_CHUNK - 1) / MIG_SKIP_CHUNK);
#pragma omp parallel num_threads(e->threads)
    {
        struct tally *y = my_tally(e);
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = low; c < chunks; c++) {
            uint64_t first = (uint64_t)c * MIG_SKIP_CHUNK;
            uint64_t count = first + MIG_SKIP_CHUNK < n ? MIG_SKIP_CHUNK : n - first;
            struct mig_skip it;
            uint64_t id;
            mig_skip_start(&it, e->tables.seed, stream, (uint32_t)e->step, (uint64_t)c, first,
                           count, q);
            while (mig_skip_next(&it, &id))
                visit(&e->tables, e->pop, id, y);
        }
    }
}

static int stage_migrants(struct engine *e)
{
    thinned(e, e->pop->migrants, e->pop->migrant_begin, e->pop->migrant_end,
            MIG_STREAM_MIGRANT_CANDIDATE, e->tables.q_migrant, mig_behaviour_migrant);
    return 0;
}

static int stage_count(struct engine *e)
{
    int64_t n = (int64_t)e->pop->migrant_end;
    int64_t low = (int64_t)(e->pop->migrant_begin / MIG_SKIP_CHUNK);
    int64_t chunks = (n + (int64_t)MIG_SKIP_CHUNK - 1) / (int64_t)MIG_SKIP_CHUNK;
#pragma omp parallel num_threads(e->threads)
    {
        struct tally *y = my_tally(e);
#pragma omp for schedule(static)
        for (int64_t c = low; c < chunks; c++) {
            uint64_t first = (uint64_t)c * MIG_SKIP_CHUNK;
            uint64_t end =
                first + MIG_SKIP_CHUNK < (uint64_t)n ? first + MIG_SKIP_CHUNK : (uint64_t)n;
            mig_behaviour_count(&e->tables, e->pop, first, end, y);
        }
    }
    return 0;
}

static int stage_residents(struct engine *e)
{
    thinned(e, e->pop->residents, e->pop->resident_begin, e->pop->resident_end,
            MIG_STREAM_RESIDENT_CANDIDATE, e->tables.residents.q_move, mig_residents_move);
    return 0;
}

static void add_tally(struct tally *into, const struct tally *from)
{
    int64_t *a = (int64_t *)into;
    const int64_t *b = (const int64_t *)from;
    for (size_t i = 0; i < sizeof *into / sizeof(int64_t); i++)
        a[i] += b[i];
}

static int stage_reduce(struct engine *e)
{
    memset(&e->total, 0, sizeof e->total);
    for (int t = 0; t < e->threads; t++)
        add_tally(&e->total, &e->per_thread[t]);
    /* One exchange per step: every rank gets the totals over all agents. */
    if (e->pop->split) {
        int status = mig_comm_sum((int64_t *)&e->total, sizeof e->total / sizeof(int64_t));
        if (status < 0)
            return status;
    }
    struct aggregates *agg = &e->aggregates;
    double k = e->sc->scale;
    int year_now, year_next, m, d;
    mig_date_to_civil(step_day(e), &year_now, &m, &d);
    mig_date_to_civil(step_day(e) + (long)step_days(e), &year_next, &m, &d);
    for (int o = 0; o < e->w->origins; o++) {
        for (int r = 0; r < e->w->regions; r++) {
            agg->stock[o][r] = k * e->total.stock[o][r];
            agg->entries_this_year[o] += k * e->total.arrivals[o][r];
        }
        if (year_next != year_now) /* quotas are per calendar year */
            agg->entries_this_year[o] = 0;
    }
    for (int a = 0; a < e->w->areas; a++) {
        agg->eligible[a][0] = k * e->total.eligible[a][0];
        agg->eligible[a][1] = k * e->total.eligible[a][1];
    }
    for (int o = 0; o < e->w->origins; o++)
        e->total.in_russia[o] = agg->in_russia[o] += e->total.to_russia[o] - e->total.from_russia[o];
    return 0;
}

static int stage_demography(struct engine *e)
{
    int64_t lost = e->aggregates.residents.lost_newborn;
    mig_demography_step(e->sc, e->w, &e->conditions, e->stats->residents_now, e->step, e->threads,
                        e->pop, &e->aggregates.residents, &e->total.residents);
    if (e->aggregates.residents.lost_newborn > lost)
        e->clamped_steps++;
    return 0;
}

static int stage_record(struct engine *e)
{
    mig_stats_record(e->stats, e->step, &e->total);
    return mig_stats_snapshots(e->stats, e->step, e->w, &e->tables, &e->conditions, e->pop);
}

static void clear_tallies(struct engine *e)
{
    memset(e->per_thread, 0, (size_t)e->threads * sizeof *e->per_thread);
}

static const struct mig_stage stages[] = {
    {"conditions", stage_conditions}, {"tables", stage_tables}, {"migrants", stage_migrants},
    {"residents", stage_residents},   {"count", stage_count},   {"reduce", stage_reduce},
    {"demography", stage_demography}, {"record", stage_record},
};

const struct mig_stage *mig_engine_stages(size_t *count)
{
    *count = sizeof stages / sizeof stages[0];
    return stages;
}

/* A stop asked for by SIGINT or SIGTERM, agreed over the ranks (the signal
 * may reach them at different steps; each must stop at the same one). */
static int stop_requested(const struct engine *e)
{
    int64_t sig = mig_files_stop_signal();
    if (e->pop->split) {
        int status = mig_comm_sum(&sig, 1);
        if (status < 0)
            return status;
        if (sig > 0 && !mig_files_stop_signal())
            sig = SIGTERM; /* another rank's signal */
    }
    if (sig <= 0)
        return 0;
    if (mig_files_stop_signal())
        sig = mig_files_stop_signal();
    return mig_fail(MIG_ESTOPPED, "stopped by %s at step %d of %d",
                    sig == SIGINT ? "SIGINT" : "SIGTERM", e->step, e->stats->steps);
}

/* The unrecorded steps before the start: workers settle into the steady
 * state of visits, recent arrivals, work in Russia and the season, so that
 * the recorded run starts without the artificial dip of a population placed
 * all at once. Residents do not move and nothing is recorded. */
static int warm_up(struct engine *e)
{
    for (; e->step < 0; e->step++) {
        clear_tallies(e);
        int status;
        if ((status = stop_requested(e)) < 0 || (status = stage_conditions(e)) < 0 || (status = stage_tables(e)) < 0 ||
            (status = stage_migrants(e)) < 0 || (status = stage_count(e)) < 0 ||
            (status = stage_reduce(e)) < 0)
            return status;
    }
    e->clamped_steps = 0;
    return 0;
}

int mig_engine_init(struct engine *e, const struct scenario *sc, const struct world *w,
                    struct population *pop, struct stats *stats)
{
    memset(e, 0, sizeof *e);
    double started = omp_get_wtime();
    e->sc = sc;
    e->w = w;
    e->pop = pop;
    e->stats = stats;
    stats->seed = (uint64_t)sc->seed;
    e->threads = omp_get_max_threads();
    e->per_thread = calloc((size_t)e->threads, sizeof *e->per_thread);
    if (!e->per_thread)
        return mig_fail(MIG_ENOMEM, "out of memory for per-thread tallies");
    e->step = -(int)ceil(sc->migrants.warmup_weeks * 7.0 / sc->step_days);
    (void)stage_conditions(e);
    mig_behaviour_initial_aggregates(sc, w, &e->conditions, &e->aggregates);
    mig_demography_init(pop, w->regions, &e->aggregates.residents);
    mig_behaviour_tables(sc, w, &e->conditions, &e->aggregates, e->step, &e->tables);
    for (int o = 0; o < w->origins; o++) {
        uint64_t first = pop->origin_first[o], present = first + pop->initially_present[o];
        uint64_t russia = present + pop->initially_in_russia[o];
        for (uint64_t id = present; id < russia; id++)
            if (id >= pop->migrant_begin && id < pop->migrant_end)
                pop->state[id] = MIG_IN_RUSSIA;
        first = first > pop->migrant_begin ? first : pop->migrant_begin;
        present = present < pop->migrant_end ? present : pop->migrant_end;
        if (first < present)
            mig_behaviour_place_initial(sc, &e->tables, pop, first, present);
        e->aggregates.in_russia[o] = (int64_t)pop->initially_in_russia[o];
    }
    int status = warm_up(e);
    e->init_seconds = omp_get_wtime() - started;
    return status;
}

void mig_engine_free(struct engine *e)
{
    free(e->per_thread);
    e->per_thread = NULL;
}

int mig_engine_run(struct engine *e, mig_progress_fn progress, void *user)
{
    return mig_engine_run_until(e, e->stats->steps, progress, user);
}


int mig_engine_run_until(struct engine *e, int stop, mig_progress_fn progress, void *user)
{
    size_t n;
    const struct mig_stage *list = mig_engine_stages(&n);
    if (stop > e->stats->steps)
        stop = e->stats->steps;
    for (; e->step < stop; e->step++) {
        int status = stop_requested(e);
        if (status < 0)
            return status;
        clear_tallies(e);
        for (size_t i = 0; i < n; i++) {
            double started = omp_get_wtime();
            status = list[i].run(e);
            e->stage_seconds[i] += omp_get_wtime() - started;
            if (status < 0)
                return status;
        }
        if (progress)
            progress(user, e->step + 1, e->stats->steps, e->stats->step_day[e->step]);
    }
    return 0;
}
