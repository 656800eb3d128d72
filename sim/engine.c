/* The step loop. A step runs these stages in order:
 *   conditions  the policy timeline and seasons for the step
 *   tables      probability tables from the conditions and last aggregates
 *   migrants    thinned candidates of each class of migrants: who comes and
 *               where; who comes home from Russia; who returns, visits home
 *               or relocates; then the timers that fall due: visits that
 *               end, and returned migrants free to go again
 *   residents   thinned candidate residents: who moves, why, and where
 *   reduce      per-thread changes summed into the running levels;
 *               remittances; aggregates for the next step
 *   demography  births and immigrants (new residents), yearly ageing
 *   record      series and survey snapshots
 * Stages read what earlier stages wrote; nothing flows backwards. */
#include "migsim/engine.h"
#include "migsim/files.h"
#include "migsim/comm.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/rng.h"
#include "migsim/world.h"

#include <math.h>
#include <signal.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static struct tally *my_tally(struct engine *e)
{
    return &e->per_thread[omp_get_thread_num()];
}

/* The first day of warm-up step `step` (negative): the warm-up precedes the
 * start in whole steps. */
static long warmup_day(const struct scenario *sc, int step)
{
    return sc->start + (long)step * (long)sc->step_days;
}

static int warmup_first_step(const struct scenario *sc)
{
    return -(int)ceil(sc->migrants.warmup_weeks * 7.0 / sc->step_days);
}

/* The first day and length of the current step. */
static long step_day(const struct engine *e)
{
    return e->step >= 0 ? e->stats->step_day[e->step] : warmup_day(e->sc, e->step);
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

_Static_assert(offsetof(struct tables, residents) + sizeof(struct resident_tables) ==
                   sizeof(struct tables),
               "the residents' tables end struct tables: the migrants' part is what precedes");
_Static_assert(offsetof(struct tally, residents) + sizeof(struct resident_tally) ==
                       sizeof(struct tally) &&
                   offsetof(struct tally, remit_base) + sizeof(((struct tally *)0)->remit_base) ==
                       offsetof(struct tally, residents),
               "the workers' fields of struct tally end with the remittance base, then the "
               "residents' tally: a replayed step's record is what precedes the base");
_Static_assert(offsetof(struct aggregates, residents) + sizeof(struct resident_aggregates) ==
                   sizeof(struct aggregates),
               "the residents' aggregates end struct aggregates: the workers' part precedes");

/* The step's tables, recorded with their aggregates while a warm-up is
 * (the placement's at the start included). */
static void make_tables(struct engine *e)
{
    mig_behaviour_tables(e->sc, e->w, &e->conditions, &e->aggregates, e->step, &e->tables);
    struct warmup_record *r = e->record;
    if (r) {
        struct warmup_tables *made = &r->tables[r->made++];
        made->aggregates = e->aggregates;
        made->step = e->step;
        memcpy(made->migrants, &e->tables, sizeof made->migrants);
    }
}

/* The workers' recorded step, or NULL when their tables are not the
 * recorded ones (or the record ends before the step). */
static const struct migrant_step *replayed_migrants(const struct engine *e)
{
    if (e->step >= e->kept_migrants->steps)
        return NULL;
    const struct migrant_step *kept = &e->kept_migrants->step[e->step];
    return memcmp(&e->tables, kept->tables, sizeof kept->tables) == 0 ? kept : NULL;
}

/* The residents' recorded step, or NULL likewise (their tables, the seed
 * of their draws and the conditions their demography reads). */
static const struct resident_step *replayed_residents(const struct engine *e)
{
    if (e->step >= e->kept_residents->steps)
        return NULL;
    const struct resident_step *kept = &e->kept_residents->step[e->step];
    bool same = kept->seed == e->tables.seed && kept->day == e->conditions.day &&
                kept->days == e->conditions.days &&
                memcmp(&kept->tables, &e->tables.residents, sizeof kept->tables) == 0;
    return same ? kept : NULL;
}

static int stage_tables(struct engine *e)
{
    make_tables(e);
    if (e->tables.migrant_clamped)
        e->clamped_steps++;
    /* The steps a replaying run takes, found once for the step's stages. */
    e->migrant_step = e->replaying_migrants ? replayed_migrants(e) : NULL;
    e->resident_step = e->replaying_residents ? replayed_residents(e) : NULL;
    e->migrants_left = e->replaying_migrants && !e->migrant_step;
    e->residents_left = e->replaying_residents && !e->resident_step;
    return e->migrants_left || e->residents_left ? MIG_EDIFFERS : 0;
}

typedef void (*visit_fn)(const struct tables *, struct population *, uint64_t, struct mig_draw,
                         struct tally *);
typedef void (*prefetch_fn)(const struct population *, uint64_t);

/* Candidates are visited in batches: the memory of a whole batch is asked
 * for first, so that the cache misses of scattered agents overlap instead
 * of following one another; and the batch's draws (stream `stream`, each
 * agent's id, the step) are made together, since each is a long chain of
 * multiplications and independent chains side by side keep the processor
 * busy where one at a time, inside each decision, would make it wait. */
#define BATCH MIG_DRAWS

static void visit_batch(struct engine *e, const uint64_t *ids, int n, prefetch_fn prefetch,
                        uint32_t stream, visit_fn visit, struct tally *y)
{
    struct mig_draws draws;
    for (int i = 0; i < n; i++)
        prefetch(e->pop, ids[i]);
    mig_rng_draws(e->tables.seed, stream, ids, (uint32_t)e->step, n, &draws);
    for (int i = 0; i < n; i++)
        visit(&e->tables, e->pop, ids[i], mig_rng_draws_at(&draws, i), y);
}

static void prefetch_resident(const struct population *p, uint64_t id)
{
    __builtin_prefetch(&p->resident[id], 1);
}

/* A migrant's decision reads and writes its one record. */
static void prefetch_migrant(const struct population *p, uint64_t id)
{
    __builtin_prefetch(&p->migrant[id], 1);
}

/* Runs the residents' decision on a Bernoulli(q) subset of this process's
 * residents, chunk by chunk (their first id is a chunk boundary). The
 * functions are named, not passed, so that the parallel loop calls them
 * directly. */
static void thinned_residents(struct engine *e)
{
    const struct population *p = e->pop;
    double q = e->tables.residents.q_move;
    int64_t low = (int64_t)(p->resident_begin / MIG_SKIP_CHUNK);
    int64_t chunks = (int64_t)((p->resident_end + MIG_SKIP_CHUNK - 1) / MIG_SKIP_CHUNK);
#pragma omp parallel num_threads(e->threads)
    {
        struct tally *y = my_tally(e);
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = low; c < chunks; c++) {
            uint64_t first = (uint64_t)c * MIG_SKIP_CHUNK;
            uint64_t count = first + MIG_SKIP_CHUNK < p->residents ? MIG_SKIP_CHUNK
                                                                     : p->residents - first;
            struct mig_skip it;
            uint64_t batch[BATCH];
            int size = 0;
            mig_skip_start(&it, e->tables.seed, MIG_STREAM_RESIDENT_CANDIDATE, (uint32_t)e->step,
                           (uint64_t)c, first, count, q);
            while (mig_skip_next(&it, &batch[size]))
                if (++size == BATCH) {
                    visit_batch(e, batch, size, prefetch_resident, MIG_STREAM_RESIDENT_MOVE,
                                mig_residents_move, y);
                    size = 0;
                }
            visit_batch(e, batch, size, prefetch_resident, MIG_STREAM_RESIDENT_MOVE,
                        mig_residents_move, y);
        }
    }
}

/* A walk over the members of a class in id order, among ids [first, end):
 * `before` members lie in the words before `word`, whose members are
 * `bits`, `in_word` of them. */
struct member_walk {
    const uint64_t *member;
    uint64_t first, end, word, last, bits, in_word, before;
};

static void walk_start(struct member_walk *walk, const uint64_t *member, uint64_t first,
                       uint64_t end)
{
    walk->member = member;
    walk->first = first;
    walk->end = end;
    walk->word = first / 64;
    walk->last = (end - 1) / 64;
    walk->bits = mig_population_members(member, walk->word, first, end);
    walk->in_word = mig_population_bits(walk->bits);
    walk->before = 0;
}

/* The id of the member at `position` (from 0, never less than the last
 * one asked for), or false when the class has no more members. */
static bool walk_to(struct member_walk *walk, uint64_t position, uint64_t *id)
{
    while (position >= walk->before + walk->in_word) {
        if (walk->word == walk->last)
            return false;
        walk->before += walk->in_word;
        walk->bits = mig_population_members(walk->member, ++walk->word, walk->first, walk->end);
        walk->in_word = mig_population_bits(walk->bits);
    }
    *id = walk->word * 64 + mig_population_select(walk->bits, (unsigned)(position - walk->before));
    return true;
}

/* Runs `visit` on a Bernoulli(q) subset of the members of class `cls` among
 * ids [first, end) (within one chunk; `key` names the range for the skips):
 * the skips run over the members in id order, so the work follows the
 * class's size. They are drawn as if over end - first members and stop
 * where the members do, which takes the same members as skips over exactly
 * the class's members would, without counting them first. A visit moves at
 * most its own agent out of the class; each word is read once, so
 * positions stay those of the start of the pass. */
static void thinned_class(struct engine *e, int cls, uint32_t stream, double q, visit_fn visit,
                          uint64_t key, uint64_t first, uint64_t end, struct tally *y)
{
    struct member_walk walk;
    struct mig_skip it;
    uint64_t position, batch[BATCH];
    int size = 0;
    walk_start(&walk, e->pop->member[cls], first, end);
    mig_skip_start(&it, e->tables.seed, stream, (uint32_t)e->step, key, 0, end - first, q);
    while (mig_skip_next(&it, &position) && walk_to(&walk, position, &batch[size]))
        if (++size == BATCH) {
            visit_batch(e, batch, size, prefetch_migrant, MIG_STREAM_MIGRANT_STEP, visit, y);
            size = 0;
        }
    visit_batch(e, batch, size, prefetch_migrant, MIG_STREAM_MIGRANT_STEP, visit, y);
}

/* Calls `chunk` for each chunk of this process's migrants, in parallel. */
static void each_migrant_chunk(struct engine *e,
                               void (*chunk)(struct engine *, int64_t, uint64_t, uint64_t,
                                             struct tally *))
{
    const struct population *p = e->pop;
    int64_t low = (int64_t)(p->migrant_begin / MIG_SKIP_CHUNK);
    int64_t chunks = (int64_t)((p->migrant_end + MIG_SKIP_CHUNK - 1) / MIG_SKIP_CHUNK);
#pragma omp parallel num_threads(e->threads)
    {
        struct tally *y = my_tally(e);
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = low; c < chunks; c++) {
            uint64_t first = (uint64_t)c * MIG_SKIP_CHUNK, end = first + MIG_SKIP_CHUNK;
            chunk(e, c, first, end < p->migrant_end ? end : p->migrant_end, y);
        }
    }
}

/* The classes that decide, each with its own candidates, origin by origin
 * (ids are grouped by origin, and the bounds differ between origins); then
 * the chunk's timers, while its bitmaps are in cache (a chunk's agents
 * depend on no other chunk within a step). */
static void migrant_chunk(struct engine *e, int64_t c, uint64_t first, uint64_t end,
                          struct tally *y)
{
    const struct tables *t = &e->tables;
    const uint64_t *origin_first = e->pop->origin_first;
    for (int o = 0; o < e->w->origins; o++) {
        uint64_t lo = first > origin_first[o] ? first : origin_first[o];
        uint64_t hi = end < origin_first[o + 1] ? end : origin_first[o + 1];
        if (lo >= hi)
            continue;
        uint64_t key = (uint64_t)c * MIG_MAX_ORIGINS + (uint64_t)o;
        thinned_class(e, MIG_CLASS_PRESENT, MIG_STREAM_PRESENT_CANDIDATE, t->q_present[o],
                      mig_behaviour_present, key, lo, hi, y);
        thinned_class(e, MIG_CLASS_RUSSIA, MIG_STREAM_RUSSIA_CANDIDATE, t->q_russia,
                      mig_behaviour_in_russia, key, lo, hi, y);
        thinned_class(e, MIG_CLASS_HOME, MIG_STREAM_HOME_CANDIDATE, t->q_home[o],
                      mig_behaviour_home, key, lo, hi, y);
    }
    mig_behaviour_timers(t, e->pop, first, end, y);
}

static int stage_migrants(struct engine *e)
{
    if (!e->replaying_migrants)
        each_migrant_chunk(e, migrant_chunk);
    return 0;
}

static int stage_residents(struct engine *e)
{
    if (e->replaying_residents)
        return 0;
    thinned_residents(e);
    return 0;
}

static void add_tally(struct tally *into, const struct tally *from)
{
    int64_t *a = (int64_t *)into;
    const int64_t *b = (const int64_t *)from;
    for (size_t i = 0; i < sizeof *into / sizeof(int64_t); i++)
        a[i] += b[i];
}

/* The threads' tallies summed into `into`, and over the ranks: one exchange
 * per step gives every rank the totals over all agents. */
static int sum_tallies(struct engine *e, struct tally *into)
{
    memset(into, 0, sizeof *into);
    for (int t = 0; t < e->threads; t++)
        add_tally(into, &e->per_thread[t]);
    return e->pop->split ? mig_comm_sum((int64_t *)into, sizeof *into / sizeof(int64_t)) : 0;
}

static int stage_reduce(struct engine *e)
{
    int status = sum_tallies(e, &e->total);
    if (status < 0)
        return status;
    if (e->replaying_migrants) { /* the workers' part as recorded; the residents' summed */
        memcpy(&e->total, e->migrant_step->total, sizeof e->migrant_step->total);
        memcpy(&e->aggregates, e->migrant_step->aggregates, sizeof e->migrant_step->aggregates);
        return 0;
    }
    mig_behaviour_levels(&e->levels, &e->total);
    mig_behaviour_remittances(&e->tables, &e->total);
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
    if (e->replaying_residents) { /* the step's moves and demography as recorded */
        e->total.residents = e->resident_step->total;
        e->aggregates.residents = e->resident_step->aggregates;
    } else
        mig_demography_step(e->sc, e->w, &e->conditions, e->stats->residents_now, e->step,
                            e->threads, e->pop, &e->aggregates.residents, &e->total.residents);
    if (e->aggregates.residents.lost_newborn > lost)
        e->clamped_steps++;
    return 0;
}

static int stage_record(struct engine *e)
{
    mig_stats_record(e->stats, e->step, &e->total);
    if (e->replaying_migrants) {
        e->migrants_left =
            !mig_stats_snapshots_kept(e->stats, e->step, &e->conditions, e->kept_migrants->snapshot,
                                      e->kept_migrants->snapshots);
        return e->migrants_left ? MIG_EDIFFERS : 0;
    }
    return mig_stats_snapshots(e->stats, e->step, e->w, &e->tables, &e->conditions, e->pop);
}

static void clear_tallies(struct engine *e)
{
    memset(e->per_thread, 0, (size_t)e->threads * sizeof *e->per_thread);
}

static const struct mig_stage stages[] = {
    {"conditions", stage_conditions}, {"tables", stage_tables}, {"migrants", stage_migrants},
    {"residents", stage_residents},   {"reduce", stage_reduce},
    {"demography", stage_demography}, {"record", stage_record},
};

_Static_assert(sizeof stages / sizeof stages[0] <= MIG_MAX_STAGES, "room for every stage");

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
    const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    if (e->step < 0) /* no checkpoint can be written before the first step */
        return mig_fail(MIG_ESTOPPED,
                        "stopped by %s during the warm-up, before the first of %d steps", name,
                        e->stats->steps);
    return mig_fail(MIG_ESTOPPED, "stopped by %s at step %d of %d", name, e->step, e->stats->steps);
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
            (status = stage_migrants(e)) < 0 || (status = stage_reduce(e)) < 0)
            return status;
    }
    e->clamped_steps = 0;
    return 0;
}

/* Readies `record` for the warm-up of sc, from its initial aggregates: one
 * set of tables at the start and one a step. */
static int start_record(struct warmup_record *r, const struct scenario *sc,
                        const struct aggregates *initial)
{
    mig_engine_warmup_free(r);
    *r = (struct warmup_record){.scale = sc->scale,
                                .step_days = sc->step_days,
                                .start = sc->start,
                                .first_step = warmup_first_step(sc),
                                .initial = *initial};
    r->tables = malloc((size_t)(1 - r->first_step) * sizeof *r->tables);
    if (!r->tables)
        return mig_fail(MIG_ENOMEM, "out of memory for the record of the warm-up");
    return 0;
}

void mig_engine_warmup_free(struct warmup_record *r)
{
    free(r->tables);
    memset(r, 0, sizeof *r);
}

bool mig_engine_warmup_same(const struct warmup_record *r, const struct scenario *sc,
                            const struct world *w)
{
    if (!r->tables || r->scale != sc->scale || r->step_days != sc->step_days ||
        r->start != sc->start || r->first_step != warmup_first_step(sc))
        return false;
    struct conditions c;
    struct aggregates initial;
    mig_policy_conditions(sc, w, warmup_day(sc, r->first_step), sc->step_days, &c);
    mig_behaviour_initial_aggregates(sc, w, &c, &initial);
    struct tables *t = malloc(sizeof *t); /* too large for the stack */
    bool same = t && memcmp(&initial, &r->initial, sizeof initial) == 0;
    for (int k = 0; same && k < r->made; k++) {
        const struct warmup_tables *made = &r->tables[k];
        mig_policy_conditions(sc, w, warmup_day(sc, made->step), sc->step_days, &c);
        memset(t, 0, sizeof *t); /* as the engine's: padding compares equal */
        mig_behaviour_tables(sc, w, &c, &made->aggregates, made->step, t);
        same = memcmp(t, made->migrants, sizeof made->migrants) == 0;
    }
    free(t);
    return same;
}

int mig_engine_init(struct engine *e, const struct scenario *sc, const struct world *w,
                    struct population *pop, struct stats *stats, struct warmup_record *record)
{
    memset(e, 0, sizeof *e);
    e->sc = sc;
    e->w = w;
    e->pop = pop;
    e->stats = stats;
    stats->seed = (uint64_t)sc->seed;
    e->threads = omp_get_max_threads();
    e->per_thread = calloc((size_t)e->threads, sizeof *e->per_thread);
    if (!e->per_thread)
        return mig_fail(MIG_ENOMEM, "out of memory for per-thread tallies");
    e->step = warmup_first_step(sc);
    (void)stage_conditions(e);
    mig_behaviour_initial_aggregates(sc, w, &e->conditions, &e->aggregates);
    if (record) {
        int status = start_record(record, sc, &e->aggregates);
        if (status < 0)
            return status;
        e->record = record;
    }
    mig_demography_init(pop, w->regions, &e->aggregates.residents);
    make_tables(e);
    for (int o = 0; o < w->origins; o++) {
        uint64_t first = pop->origin_first[o], present = first + pop->initially_present[o];
        uint64_t russia = present + pop->initially_in_russia[o];
        for (uint64_t id = present; id < russia; id++)
            if (id >= pop->migrant_begin && id < pop->migrant_end)
                pop->migrant[id].state = MIG_IN_RUSSIA;
        first = first > pop->migrant_begin ? first : pop->migrant_begin;
        present = present < pop->migrant_end ? present : pop->migrant_end;
        if (first < present)
            mig_behaviour_place_initial(&e->tables, pop, first, present);
        e->aggregates.in_russia[o] = (int64_t)pop->initially_in_russia[o];
    }
    int status = mig_engine_recount(e);
    double warming = omp_get_wtime();
    if (status == 0)
        status = warm_up(e);
    e->warmup_seconds = omp_get_wtime() - warming;
    e->record = NULL;
    return status;
}

static void recount_chunk(struct engine *e, int64_t c, uint64_t first, uint64_t end,
                          struct tally *y)
{
    (void)c;
    mig_behaviour_recount(e->pop, first, end, y);
}

int mig_engine_recount(struct engine *e)
{
    mig_population_classify(e->pop, e->step, e->tables.min_home_steps);
    clear_tallies(e);
    each_migrant_chunk(e, recount_chunk);
    int status = sum_tallies(e, &e->levels);
    clear_tallies(e);
    return status;
}

void mig_engine_free(struct engine *e)
{
    free(e->per_thread);
    e->per_thread = NULL;
}

void mig_engine_keep_migrants(struct engine *e, struct migrant_record *kept, bool replay)
{
    e->kept_migrants = kept;
    e->replaying_migrants = replay;
    if (!replay)
        kept->steps = kept->snapshots = 0;
}

void mig_engine_migrants_free(struct migrant_record *kept)
{
    free(kept->step);
    memset(kept, 0, sizeof *kept);
}

/* What the residents' start reads besides the recorded steps, into `into`. */
static void resident_start(const struct engine *e, struct resident_record *into)
{
    into->recipe = e->pop->recipe;
    into->split = e->pop->split;
    into->seed = e->sc->seed;
    into->scale = e->sc->scale;
    into->step_days = e->sc->step_days;
    into->start = e->sc->start;
    into->end = e->sc->end;
    memcpy(into->residents, &e->sc->residents, sizeof into->residents);
    mig_world_digest(e->w, into->data_digest);
}

void mig_engine_keep_residents(struct engine *e, struct resident_record *kept, bool replay)
{
    e->kept_residents = kept;
    e->replaying_residents = replay;
    if (!replay) {
        kept->steps = 0;
        resident_start(e, kept);
    }
}

bool mig_engine_residents_fit(const struct engine *e, const struct resident_record *kept)
{
    struct resident_record *ours = calloc(1, sizeof *ours);
    bool fit = ours && kept->steps > 0;
    if (fit) {
        resident_start(e, ours);
        fit = memcmp(&ours->recipe, &kept->recipe, sizeof ours->recipe) == 0 &&
              ours->split == kept->split && ours->seed == kept->seed &&
              ours->scale == kept->scale && ours->step_days == kept->step_days &&
              ours->start == kept->start && ours->end == kept->end &&
              memcmp(ours->residents, kept->residents, sizeof ours->residents) == 0 &&
              strcmp(ours->data_digest, kept->data_digest) == 0;
    }
    free(ours);
    return fit;
}

void mig_engine_residents_free(struct resident_record *kept)
{
    free(kept->step);
    memset(kept, 0, sizeof *kept);
}

/* `step`, with room for *room steps of `size` bytes, grown to hold one
 * more after the `steps` made (a run of figures only makes fewer than its
 * series hold); NULL when out of memory (`step` is left as it was). */
static void *room_for_step(void *step, int *room, int steps, size_t size)
{
    if (steps < *room)
        return step;
    int more = *room ? 2 * *room : 64;
    void *grown = realloc(step, (size_t)more * size);
    if (grown)
        *room = more;
    return grown;
}

/* Records the workers' and the residents' part of the step just made, as
 * asked; the workers' with the step's snapshots. A record that finds no
 * memory is left empty and the run records no more into it: a replay is
 * only a saving. */
static void keep_step(struct engine *e)
{
    struct migrant_record *m = e->replaying_migrants ? NULL : e->kept_migrants;
    struct resident_record *r = e->replaying_residents ? NULL : e->kept_residents;
    void *room;
    if (m && !(room = room_for_step(m->step, &m->room, m->steps, sizeof *m->step))) {
        m->steps = 0;
        m = e->kept_migrants = NULL;
    } else if (m)
        m->step = room;
    if (r && !(room = room_for_step(r->step, &r->room, r->steps, sizeof *r->step))) {
        r->steps = 0;
        r = e->kept_residents = NULL;
    } else if (r)
        r->step = room;
    if (m) {
        struct migrant_step *made = &m->step[m->steps++];
        memcpy(made->tables, &e->tables, sizeof made->tables);
        memcpy(made->total, &e->total, sizeof made->total);
        memcpy(made->aggregates, &e->aggregates, sizeof made->aggregates);
        for (; m->snapshots < e->stats->snapshots; m->snapshots++)
            m->snapshot[m->snapshots] = e->stats->snapshot[m->snapshots];
    }
    if (r) {
        struct resident_step *made = &r->step[r->steps++];
        memcpy(&made->tables, &e->tables.residents, sizeof made->tables);
        made->seed = e->tables.seed;
        made->day = e->conditions.day;
        made->days = e->conditions.days;
        made->total = e->total.residents;
        made->aggregates = e->aggregates.residents;
    }
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
        keep_step(e);
        if (progress)
            progress(user, e->step + 1, e->stats->steps, e->stats->step_day[e->step]);
    }
    return 0;
}
