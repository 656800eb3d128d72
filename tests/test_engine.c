/* The step loop: nobody is lost, and results do not depend on the number of
 * threads. Runs the baseline at a small scale. */
#include "helpers.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static void run_small(struct simulation *sim, double scale, double seed, int threads)
{
    omp_set_num_threads(threads);
    struct overrides o = {seed, scale};
    assert_int_equal(mig_simulation_load(sim, BASELINE, &o), 0);
    assert_int_equal(mig_simulation_run(sim, 1, NULL, NULL), 0);
}

static double sum(const double *x, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += x[i];
    return total;
}

/* arrivals - returns = change in migrant workers (present + visiting);
 * residents change only by births, deaths, emigration and immigration, and
 * internal moves only move them between regions. */
static void nobody_is_lost(void **state)
{
    (void)state;
    struct simulation sim;
    run_small(&sim, 50, -1, 2);
    const struct stats *s = &sim.runs[0];
    size_t O = (size_t)s->origins, R = (size_t)s->regions;
    double before = NAN, residents = 0;
    for (int r = 0; r < sim.world.regions; r++)
        residents += (double)mig_population_residents_of(&sim.scenario, &sim.world, r) * s->scale;
    for (int t = 0; t < s->steps; t++) {
        size_t at = (size_t)t;
        double workers =
            sum(s->migrant_stock + at * O * R, O * R) + sum(s->visiting_home + at * O, O);
        double flow = sum(s->arrivals + at * O * R, O * R) - sum(s->returns + at * O * R, O * R);
        /* The warm-up leaves workers where they are at the start. */
        assert_true(t == 0 || fabs(workers - before - flow) < 1e-6);
        before = workers;
        residents += sum(s->births + at * R, R) + sum(s->immigrants + at * R, R) -
                     sum(s->deaths + at * R, R) - sum(s->emigrants + at * R, R);
        assert_true(fabs(sum(s->resident_population + at * R, R) - residents) < 1e-6);
        for (size_t r = 0; r < R; r++)
            assert_true(s->internal_moves[(at * R + r) * R + r] == 0);
        assert_true(fabs(sum(s->internal_moves + at * R * R, R * R) -
                         sum(s->internal_moves_by_driver + at * MIG_DRIVERS, MIG_DRIVERS)) < 1e-6);
    }
    assert_true(before > 0);
    /* Workers in Russia are kept by events; a recount agrees. */
    int64_t russia[MIG_MAX_ORIGINS] = {0};
    for (uint64_t id = 0; id < sim.population.migrants; id++)
        russia[sim.population.migrant[id].origin] +=
            sim.population.migrant[id].state == MIG_IN_RUSSIA;
    size_t last = (size_t)(s->steps - 1) * O;
    for (size_t o = 0; o < O; o++)
        assert_true(fabs(s->working_in_russia[last + o] - (double)russia[o] * s->scale) < 1e-6);
    assert_true(russia[mig_world_origin(&sim.world, "UZB")] > 0);
    mig_simulation_free(&sim);
}

/* The warm-up starts the run in its steady state: no artificial dip in the
 * first weeks as visits begin. */
static void no_dip_at_the_start(void **state)
{
    (void)state;
    struct simulation sim;
    run_small(&sim, 50, -1, 2);
    const struct stats *s = &sim.runs[0];
    size_t O = (size_t)s->origins, R = (size_t)s->regions;
    double first = sum(s->migrant_stock, O * R);
    double visiting = sum(s->visiting_home, O);
    assert_true(visiting > 0.01 * first); /* visits are already under way */
    for (size_t t = 1; t < 8; t++)
        assert_true(fabs(sum(s->migrant_stock + t * O * R, O * R) / first - 1) < 0.02);
    mig_simulation_free(&sim);
}

static void same_series(const struct stats *a, const struct stats *b)
{
    size_t T = (size_t)a->steps, O = (size_t)a->origins, R = (size_t)a->regions;
    size_t K = (size_t)a->sectors;
    assert_memory_equal(a->migrant_stock, b->migrant_stock, T * O * R * sizeof(double));
    assert_memory_equal(a->migrant_stock_by_sector, b->migrant_stock_by_sector,
                        T * R * K * sizeof(double));
    assert_memory_equal(a->remittances_usd, b->remittances_usd, T * O * sizeof(double));
    assert_memory_equal(a->internal_moves, b->internal_moves, T * R * R * sizeof(double));
    assert_memory_equal(a->arrivals, b->arrivals, T * O * R * sizeof(double));
    assert_int_equal(a->snapshots, b->snapshots);
    assert_memory_equal(a->snapshot, b->snapshot, sizeof a->snapshot[0] * (size_t)a->snapshots);
}

static void threads_do_not_change_results(void **state)
{
    (void)state;
    struct simulation one, two, four;
    run_small(&one, 100, -1, 1);
    run_small(&two, 100, -1, 2);
    run_small(&four, 100, -1, 4);
    same_series(&one.runs[0], &two.runs[0]);
    same_series(&one.runs[0], &four.runs[0]);
    mig_simulation_free(&one);
    mig_simulation_free(&two);
    mig_simulation_free(&four);
}

static void seeds_matter(void **state)
{
    (void)state;
    struct simulation a, b;
    run_small(&a, 100, 1, 2);
    run_small(&b, 100, 2, 2);
    size_t n = (size_t)a.runs[0].steps * (size_t)a.runs[0].regions * (size_t)a.runs[0].regions;
    assert_memory_not_equal(a.runs[0].internal_moves, b.runs[0].internal_moves, n * sizeof(double));
    mig_simulation_free(&a);
    mig_simulation_free(&b);
}

static void figures_are_evaluated(void **state)
{
    (void)state;
    struct simulation sim;
    run_small(&sim, 20, -1, 2);
    int outside = -1;
    assert_int_equal(mig_simulation_figures(&sim, &outside), 0);
    assert_int_equal(sim.figures.count, 21);
    for (int i = 0; i < sim.figures.count; i++)
        assert_false(isnan(sim.results[i].simulated));
    /* The baseline misses some figures (README.md lists each and why); at
     * this scale, with sampling noise, most must still be within tolerance.
     * A broken evaluation misses nearly all. */
    assert_true(outside <= 10);
    mig_simulation_free(&sim);
}

/* A run for its figures only stops after the last step a figure reads,
 * and its figures are exactly those of the whole run. */
static void figures_only_stops_early_with_the_same_figures(void **state)
{
    (void)state;
    struct simulation whole, early;
    run_small(&whole, 100, -1, 2);
    int outside;
    assert_int_equal(mig_simulation_figures(&whole, &outside), 0);
    struct overrides o = {-1, 100};
    assert_int_equal(mig_simulation_load(&early, BASELINE, &o), 0);
    early.figures_only = 1;
    assert_int_equal(mig_simulation_run(&early, 1, NULL, NULL), 0);
    assert_int_equal(mig_simulation_figures(&early, &outside), 0);
    assert_true(early.engine.step < early.runs[0].steps);
    assert_int_equal(whole.engine.step, whole.runs[0].steps);
    assert_int_equal(early.figures.count, whole.figures.count);
    for (int i = 0; i < whole.figures.count; i++) {
        assert_true(early.figures.items[i].to < early.runs[0].step_day[early.engine.step]);
        assert_memory_equal(&early.results[i].simulated, &whole.results[i].simulated,
                            sizeof(double));
    }
    mig_simulation_free(&whole);
    mig_simulation_free(&early);
}

/* Every series of two runs, byte for byte. */
static void assert_same_series(const struct stats *a, const struct stats *b)
{
    size_t count;
    const struct mig_series *series = mig_stats_series(&count);
    assert_int_equal(a->steps, b->steps);
    for (size_t i = 0; i < count; i++) {
        size_t n = (size_t)a->steps * mig_stats_series_width(a, &series[i]);
        const double *x = *(double *const *)((const char *)a + series[i].offset);
        const double *y = *(double *const *)((const char *)b + series[i].offset);
        assert_memory_equal(x, y, n * sizeof(double));
    }
}

/* A simulation that reuses what it can across runs, after its first run
 * (of figures only, as calibration's, or whole). */
static void run_kept(struct simulation *kept, const struct overrides *o, int figures_only)
{
    assert_int_equal(mig_simulation_load(kept, BASELINE, o), 0);
    kept->reuse_agents = 1;
    kept->figures_only = figures_only;
    assert_int_equal(mig_simulation_run(kept, 1, NULL, NULL), 0);
}

/* A fresh simulation with kept's values of the parameters (and events)
 * the reuse tests vary, run as kept's are, gives kept's series and
 * snapshots. */
static void assert_runs_as_fresh(const struct simulation *kept, const struct overrides *o)
{
    struct simulation fresh;
    assert_int_equal(mig_simulation_load(&fresh, BASELINE, o), 0);
    fresh.scenario.migrants.entry_rate = kept->scenario.migrants.entry_rate;
    fresh.scenario.migrants.wage_sigma = kept->scenario.migrants.wage_sigma;
    fresh.scenario.migrants.remitter_share = kept->scenario.migrants.remitter_share;
    fresh.scenario.residents.climate_rate = kept->scenario.residents.climate_rate;
    fresh.scenario.timeline = kept->scenario.timeline;
    fresh.figures_only = kept->figures_only;
    assert_int_equal(mig_simulation_run(&fresh, 1, NULL, NULL), 0);
    assert_same_series(&kept->runs[0], &fresh.runs[0]);
    assert_int_equal(kept->runs[0].snapshots, fresh.runs[0].snapshots);
    assert_memory_equal(kept->runs[0].snapshot, fresh.runs[0].snapshot,
                        (size_t)fresh.runs[0].snapshots * sizeof *fresh.runs[0].snapshot);
    mig_simulation_free(&fresh);
}

/* A run with other parameter values copies the agents drawn for the last
 * one when they would be drawn the same (another entry rate, and another
 * spread of wages, whose personal draws are made anew for the workers
 * present at the start), draws them again when not (another share of
 * remitters, after which no copy is kept), and either way runs exactly as
 * a fresh simulation does. The first run keeps its warm state instead of
 * its agents, so the second, whose warm-up differs, draws again and keeps
 * that copy; the third copies it. */
static void reused_agents_run_as_fresh_ones(void **state)
{
    (void)state;
    struct overrides o = {-1, 100};
    struct simulation kept;
    run_kept(&kept, &o, 0);
    for (int change = 0; change < 3; change++) {
        if (change == 0) {
            kept.scenario.migrants.entry_rate *= 1.3;
            kept.scenario.migrants.wage_sigma *= 2;
        } else if (change == 1)
            kept.scenario.migrants.wage_sigma *= 0.75;
        else
            kept.scenario.migrants.remitter_share *= 0.5;
        assert_int_equal(mig_simulation_run(&kept, 1, NULL, NULL), 0);
        assert_int_equal(kept.draws, change < 2 ? 2 : 3);
        /* A copy is kept while it serves, not once the recipe has changed. */
        assert_int_equal(kept.has_drawn, change < 2);
        assert_runs_as_fresh(&kept, &o);
    }
    mig_simulation_free(&kept);
}

/* A run whose warm-up reads what the last one's did (another rate of the
 * residents' moves, who stay put during the warm-up) starts from the last
 * run's warm state; one whose warm-up differs (another entry rate) warms up
 * anew, after which no warm state is kept; either way each runs exactly as
 * a fresh simulation does. */
static void reused_warm_states_run_as_fresh_ones(void **state)
{
    (void)state;
    struct overrides o = {-1, 100};
    struct simulation kept;
    run_kept(&kept, &o, 0);
    assert_int_equal(kept.warm_ups, 1);
    for (int change = 0; change < 3; change++) {
        if (change == 1)
            kept.scenario.migrants.entry_rate *= 1.3;
        else
            kept.scenario.residents.climate_rate *= change ? 0.5 : 1.5;
        assert_int_equal(mig_simulation_run(&kept, 1, NULL, NULL), 0);
        assert_int_equal(kept.warm_ups, change == 0 ? 1 : change + 1);
        assert_int_equal(kept.warm, change == 0);
        /* No agents were kept while the warm state was: drawn once more. */
        assert_int_equal(kept.draws, change == 0 ? 1 : 2);
        assert_runs_as_fresh(&kept, &o);
    }
    mig_simulation_free(&kept);
}

/* A simulation run again with fewer replicates than before (3, then 2)
 * gives a fresh one's series (the last run's are freed before their room
 * shrinks). */
static void fewer_replicates_after_more(void **state)
{
    (void)state;
    struct overrides o = {-1, 400};
    struct simulation sim, fresh;
    assert_int_equal(mig_simulation_load(&sim, BASELINE, &o), 0);
    assert_int_equal(mig_simulation_run(&sim, 3, NULL, NULL), 0);
    assert_int_equal(mig_simulation_run(&sim, 2, NULL, NULL), 0);
    assert_int_equal(mig_simulation_load(&fresh, BASELINE, &o), 0);
    assert_int_equal(mig_simulation_run(&fresh, 2, NULL, NULL), 0);
    for (int r = 0; r < 2; r++)
        assert_same_series(&sim.runs[r], &fresh.runs[r]);
    mig_simulation_free(&sim);
    mig_simulation_free(&fresh);
}

/* A run of figures only from the kept warm state takes its workers' steps
 * from the record of the run that made the state while their tables are
 * the recorded ones (another rate of the residents' moves: residents and
 * workers read nothing of each other), and is made anew when they are not
 * (a border closed after the start, which the warm-up does not see), after
 * which no run replays; either way it runs exactly as a fresh one does. */
static void replayed_workers_run_as_fresh_ones(void **state)
{
    (void)state;
    struct overrides o = {-1, 100};
    struct simulation kept;
    run_kept(&kept, &o, 1);
    assert_true(kept.runs[0].snapshots > 0);
    struct mig_event closure = {.kind = MIG_EVENT_BORDER_CLOSED,
                                .target = "TJK",
                                .start = kept.scenario.start + 91,
                                .end = MIG_NO_END,
                                .value = 1};
    for (int change = 0; change < 3; change++) {
        if (change == 1)
            kept.scenario.timeline.event[kept.scenario.timeline.count++] = closure;
        else
            kept.scenario.residents.climate_rate *= 1.5;
        assert_int_equal(mig_simulation_run(&kept, 1, NULL, NULL), 0);
        assert_int_equal(kept.warm_ups, 1);
        assert_int_equal(kept.migrant_replays, change == 0 ? 1 : 2);
        assert_int_equal(kept.migrants_differ, change > 0);
        assert_runs_as_fresh(&kept, &o);
    }
    mig_simulation_free(&kept);
}

/* A run of figures only whose residents start as the recorded ones did
 * (the same agents, seed, residents' parameters and data: another entry
 * rate of the workers) takes the residents' steps from the record while
 * their tables and conditions are the recorded ones, and records them anew
 * when they do not start alike (another rate of the residents' moves); a
 * resettlement programme from after the start makes the run anew, after
 * which no run replays residents; each runs exactly as a fresh one does. */
static void replayed_residents_run_as_fresh_ones(void **state)
{
    (void)state;
    struct overrides o = {-1, 100};
    struct simulation kept;
    run_kept(&kept, &o, 1);
    struct mig_event programme = {.kind = MIG_EVENT_RESETTLEMENT,
                                  .start = kept.scenario.start + 91,
                                  .end = MIG_NO_END,
                                  .value = 20000};
    memcpy(programme.target, kept.world.region_code[0], sizeof programme.target);
    const int replays[] = {1, 1, 2, 3};
    for (int change = 0; change < 4; change++) {
        if (change == 1)
            kept.scenario.residents.climate_rate *= 1.5;
        else if (change == 3)
            kept.scenario.timeline.event[kept.scenario.timeline.count++] = programme;
        else
            kept.scenario.migrants.entry_rate *= 1.1;
        assert_int_equal(mig_simulation_run(&kept, 1, NULL, NULL), 0);
        assert_int_equal(kept.resident_replays, replays[change]);
        assert_int_equal(kept.residents_differ, change == 3);
        assert_runs_as_fresh(&kept, &o);
    }
    mig_simulation_free(&kept);
}

/* After a first run, a run with `events` added (starting so many days
 * after the start) and the residents' rate times `residents` runs exactly
 * as a fresh one does, whichever of its parts leave their records, and
 * when. */
static void assert_leaves_as_fresh(const struct mig_event *events, int count, double residents)
{
    struct overrides o = {-1, 100};
    struct simulation kept;
    run_kept(&kept, &o, 1);
    for (int i = 0; i < count; i++) {
        struct mig_event *added = &kept.scenario.timeline.event[kept.scenario.timeline.count++];
        *added = events[i];
        added->start += kept.scenario.start;
    }
    kept.scenario.residents.climate_rate *= residents;
    assert_int_equal(mig_simulation_run(&kept, 1, NULL, NULL), 0);
    assert_runs_as_fresh(&kept, &o);
    mig_simulation_free(&kept);
}

/* The workers leave their record while the residents' steps are being
 * recorded (a border closed after the start, another residents' rate):
 * the part record is not replayed when the run is made anew. Both parts
 * replayed, the residents leave first (a resettlement programme, which
 * workers do not read), the workers later (a border closed): the run is
 * made anew twice. */
static void parts_leave_their_records_in_any_order(void **state)
{
    (void)state;
    struct mig_event closure = {.kind = MIG_EVENT_BORDER_CLOSED,
                                .target = "TJK",
                                .start = 91,
                                .end = MIG_NO_END,
                                .value = 1};
    struct mig_event programme = {.kind = MIG_EVENT_RESETTLEMENT,
                                  .target = "KZY",
                                  .start = 91,
                                  .end = MIG_NO_END,
                                  .value = 20000};
    assert_leaves_as_fresh(&closure, 1, 1.5);
    closure.start += 91;
    const struct mig_event both[] = {programme, closure};
    assert_leaves_as_fresh(both, 2, 1);
}

/* Runs of 2, 2, 1 and 3 replicates, both parts replayed where a record
 * exists: each replicate as a fresh one's. */
static void replicates_replay_as_fresh_ones(void **state)
{
    (void)state;
    struct overrides o = {-1, 100};
    struct simulation kept, fresh;
    assert_int_equal(mig_simulation_load(&kept, BASELINE, &o), 0);
    kept.reuse_agents = 1;
    kept.figures_only = 1;
    const int replicates[] = {2, 2, 1, 3};
    for (int i = 0; i < 4; i++)
        assert_int_equal(mig_simulation_run(&kept, replicates[i], NULL, NULL), 0);
    assert_true(kept.migrant_replays > 0 && kept.resident_replays > 0);
    assert_int_equal(mig_simulation_load(&fresh, BASELINE, &o), 0);
    fresh.figures_only = 1;
    assert_int_equal(mig_simulation_run(&fresh, 3, NULL, NULL), 0);
    for (int r = 0; r < 3; r++) {
        assert_same_series(&kept.runs[r], &fresh.runs[r]);
        assert_int_equal(kept.runs[r].snapshots, fresh.runs[r].snapshots);
        assert_memory_equal(kept.runs[r].snapshot, fresh.runs[r].snapshot,
                            (size_t)fresh.runs[r].snapshots * sizeof *fresh.runs[r].snapshot);
    }
    mig_simulation_free(&kept);
    mig_simulation_free(&fresh);
}

/* While the border is closed to an origin, nobody from it comes or goes. */
static void closed_border_holds(void **state)
{
    (void)state;
    struct simulation sim;
    struct overrides o = {-1, 50};
    assert_int_equal(mig_simulation_load(
                         &sim, MIGSIM_SOURCE_DIR "/scenarios/border_closure_tajikistan.yaml", &o),
                     0);
    assert_int_equal(mig_simulation_run(&sim, 1, NULL, NULL), 0);
    const struct stats *s = &sim.runs[0];
    int tjk = mig_world_origin(&sim.world, "TJK");
    size_t O = (size_t)s->origins, R = (size_t)s->regions;
    const struct mig_event *e = &sim.scenario.timeline.event[0];
    double inside = 0, outside = 0;
    for (int t = 0; t < s->steps; t++) {
        long middle = s->step_day[t] + (long)(s->step_days[t] / 2);
        double flows = s->visits_home[(size_t)t * O + (size_t)tjk];
        for (size_t r = 0; r < R; r++)
            flows += s->arrivals[((size_t)t * O + (size_t)tjk) * R + r] +
                     s->returns[((size_t)t * O + (size_t)tjk) * R + r];
        if (middle >= e->start && middle <= e->end)
            inside += flows;
        else
            outside += flows;
    }
    assert_true(inside == 0);
    assert_true(outside > 0);
    mig_simulation_free(&sim);
}

/* Every few steps, the levels kept by events (stocks, those visiting, those
 * free to go, the remittance base) and the classes equal a recount of every
 * agent from its state. */
struct recount_check {
    struct simulation *sim;
    struct tally *kept;
    uint64_t *classes;
    int checked;
};

static void check_levels(void *user, int step, int steps, long day)
{
    (void)steps, (void)day;
    struct recount_check *c = user;
    struct engine *e = &c->sim->engine;
    struct population *p = e->pop;
    if (step % 5 != 0)
        return;
    size_t words = (p->migrant_end + 63) / 64;
    *c->kept = e->levels;
    for (int k = 0; k < MIG_CLASSES; k++)
        memcpy(c->classes + (size_t)k * words, p->member[k], words * sizeof(uint64_t));
    /* Every agent visiting or resting waits in exactly one timer slot, and
     * nobody else does; the slot is never late: it is looked at again (the
     * step of the ring's next pass over the slot) no later than its visit
     * or rest ends, or at the next step if that has passed (a closed
     * border). */
    int64_t now = e->step; /* the step just made */
    for (size_t word = p->migrant_begin / 64; word < words; word++) {
        uint64_t timed = p->member[MIG_CLASS_VISITING][word] | p->member[MIG_CLASS_RESTING][word];
        uint64_t seen = 0;
        for (int slot = 0; slot < MIG_TIMER_SLOTS; slot++) {
            assert_int_equal(seen & p->due[slot][word], 0);
            seen |= p->due[slot][word];
        }
        assert_int_equal(seen, timed);
        for (; timed; timed &= timed - 1) {
            uint64_t id = word * 64 + (uint64_t)__builtin_ctzll(timed);
            int64_t ends = mig_population_in(p, MIG_CLASS_VISITING, id)
                               ? p->migrant[id].until
                               : (int64_t)p->migrant[id].until + e->tables.min_home_steps - 1;
            int slot = 0;
            while (!((p->due[slot][word] >> (id & 63)) & 1))
                slot++;
            int64_t looked =
                now + 1 +
                ((slot - (now + 1)) % MIG_TIMER_SLOTS + MIG_TIMER_SLOTS) % MIG_TIMER_SLOTS;
            assert_true(looked <= (ends > now + 1 ? ends : now + 1));
        }
    }
    e->step++; /* the classes are those of the next step */
    assert_int_equal(mig_engine_recount(e), 0);
    e->step--;
    assert_memory_equal(c->kept->stock, e->levels.stock, sizeof e->levels.stock);
    assert_memory_equal(c->kept->stock_sector, e->levels.stock_sector,
                        sizeof e->levels.stock_sector);
    assert_memory_equal(c->kept->visiting, e->levels.visiting, sizeof e->levels.visiting);
    assert_memory_equal(c->kept->eligible, e->levels.eligible, sizeof e->levels.eligible);
    assert_memory_equal(c->kept->remit_base, e->levels.remit_base, sizeof e->levels.remit_base);
    for (int k = 0; k < MIG_CLASSES; k++)
        assert_memory_equal(c->classes + (size_t)k * words, p->member[k],
                            words * sizeof(uint64_t));
    c->checked++;
}

static void levels_match_a_recount(void **state)
{
    (void)state;
    struct simulation sim;
    omp_set_num_threads(2);
    struct overrides o = {-1, 200};
    assert_int_equal(mig_simulation_load(&sim, BASELINE, &o), 0);
    struct recount_check c = {&sim, malloc(sizeof *c.kept), NULL, 0};
    /* Room for the bitmaps of the run (the population is made by the run). */
    c.classes = malloc((size_t)MIG_CLASSES * ((1u << 20) + 1) * sizeof(uint64_t));
    assert_non_null(c.kept);
    assert_non_null(c.classes);
    assert_int_equal(mig_simulation_run(&sim, 1, check_levels, &c), 0);
    assert_true(sim.population.migrants < (uint64_t)64 << 20);
    assert_true(c.checked >= 30);
    int64_t present = 0;
    for (int r = 0; r < sim.world.regions; r++)
        present += sim.engine.levels.stock[0][r];
    assert_true(present > 0);
    free(c.kept);
    free(c.classes);
    mig_simulation_free(&sim);
}

/* An emulated survey's respondents are, in each stratum of region and
 * sex, the workers present with the smallest keys, as many as the
 * stratum's share of the sample by largest remainders: checked against a
 * reference that sorts every candidate, at the survey's step. */
struct candidate {
    double key;
    uint64_t id;
};

static int by_key_then_id(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->id > y->id) - (x->id < y->id);
}

struct survey_check {
    struct simulation *sim;
    int checked;
};

static void check_survey(void *user, int done, int steps, long day)
{
    (void)done, (void)steps, (void)day;
    struct survey_check *c = user;
    const struct engine *e = &c->sim->engine;
    const struct stats *s = e->stats;
    int step = e->step; /* the step just made */
    const struct snapshot *taken = NULL;
    for (int i = 0; i < s->snapshots; i++)
        if (s->snapshot[i].sample > 0 && s->snapshot[i].day >= s->step_day[step] &&
            s->snapshot[i].day < s->step_day[step] + (long)s->step_days[step])
            taken = &s->snapshot[i];
    if (!taken)
        return;
    const struct population *p = e->pop;
    const struct world *w = e->w;
    int strata = 2 * w->regions;
    struct candidate *in[2 * MIG_MAX_REGIONS];
    int64_t size[2 * MIG_MAX_REGIONS] = {0}, count = 0;
    for (int h = 0; h < strata; h++)
        assert_non_null(in[h] = malloc((p->migrant_end + 1) * sizeof **in));
    for (uint64_t id = p->migrant_begin; id < p->migrant_end; id++) {
        const struct migrant *m = &p->migrant[id];
        if (!mig_population_in(p, MIG_CLASS_PRESENT, id) || !w->region_surveyed[m->region])
            continue;
        struct mig_draw d = mig_rng_draw(s->seed, MIG_STREAM_SURVEY, id, (uint32_t)step);
        int h = 2 * m->region + ((m->traits & MIG_FEMALE) != 0);
        in[h][size[h]++] = (struct candidate){mig_rng_u01(d.w[0]), id};
        count++;
    }
    int64_t want = taken->sample < count ? taken->sample : count, take[2 * MIG_MAX_REGIONS];
    int64_t given = 0, by_origin[MIG_MAX_ORIGINS] = {0}, by_sector[MIG_MAX_SECTORS] = {0};
    double remainder[2 * MIG_MAX_REGIONS];
    for (int h = 0; h < strata; h++) {
        take[h] = (int64_t)((double)want * size[h] / count);
        remainder[h] = (double)want * size[h] / count - take[h];
        given += take[h];
    }
    for (; given < want; given++) {
        int best = 0;
        for (int h = 1; h < strata; h++)
            best = remainder[h] > remainder[best] ? h : best;
        take[best]++, remainder[best] = -1;
    }
    for (int h = 0; h < strata; h++) {
        qsort(in[h], (size_t)size[h], sizeof **in, by_key_then_id);
        for (int64_t i = 0; i < take[h]; i++) {
            by_origin[p->migrant[in[h][i].id].origin]++;
            by_sector[p->migrant[in[h][i].id].sector]++;
        }
        free(in[h]);
    }
    assert_int_equal(taken->present, want);
    assert_memory_equal(taken->by_origin, by_origin, sizeof by_origin);
    assert_memory_equal(taken->by_sector, by_sector, sizeof by_sector);
    c->checked++;
}

static void surveys_draw_the_smallest_keys(void **state)
{
    (void)state;
    struct simulation sim;
    omp_set_num_threads(2);
    struct overrides o = {-1, 20};
    const char *targets = MIGSIM_SOURCE_DIR "/scenarios/targets/imws_round6.yaml";
    assert_int_equal(mig_simulation_load(&sim, BASELINE, &o), 0);
    assert_int_equal(mig_simulation_use_targets(&sim, &targets, 1), 0);
    struct survey_check c = {&sim, 0};
    assert_int_equal(mig_simulation_run(&sim, 1, check_survey, &c), 0);
    assert_int_equal(c.checked, 1);
    mig_simulation_free(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nobody_is_lost),
        cmocka_unit_test(no_dip_at_the_start),
        cmocka_unit_test(threads_do_not_change_results),
        cmocka_unit_test(seeds_matter),
        cmocka_unit_test(figures_are_evaluated),
        cmocka_unit_test(figures_only_stops_early_with_the_same_figures),
        cmocka_unit_test(reused_agents_run_as_fresh_ones),
        cmocka_unit_test(reused_warm_states_run_as_fresh_ones),
        cmocka_unit_test(fewer_replicates_after_more),
        cmocka_unit_test(replayed_workers_run_as_fresh_ones),
        cmocka_unit_test(replayed_residents_run_as_fresh_ones),
        cmocka_unit_test(parts_leave_their_records_in_any_order),
        cmocka_unit_test(replicates_replay_as_fresh_ones),
        cmocka_unit_test(closed_border_holds),
        cmocka_unit_test(levels_match_a_recount),
        cmocka_unit_test(surveys_draw_the_smallest_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
