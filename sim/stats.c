/* Series, snapshots and named statistics. Every sum over agents is over
 * integers (counts and US cents), so results do not depend on the order in
 * which threads or ranks add them. */
#include "migsim/stats.h"
#include "migsim/comm.h"
#include "migsim/error.h"
#include "migsim/rng.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static const struct mig_statistic statistics[] = {
    {"migrant_stock", "", 0, 0, "persons", "international migrant workers present in Kazakhstan"},
    {"origin_share", "origin", 0, 1, "%", "share of the migrant workers present from one origin"},
    {"sector_share", "sector", 0, 1, "%", "share of the migrant workers present in one sector"},
    {"visited_home_6m", "", 0, 1, "%",
     "of migrant workers in Kazakhstan 26 weeks or more, share who visited home in the last 26 "
     "weeks"},
    {"remitter_share", "", 0, 1, "%", "share of migrant workers present who send money home"},
    {"mean_remittance_usd", "", 0, 1, "USD/month",
     "mean monthly amount sent by remitters, before fees"},
    {"send_51_75_share", "", 0, 1, "%", "share of remitters who send 51-75% of their earnings"},
    {"remittance_fee", "", 0, 0, "%", "service fee on remittances in force"},
    {"gender_earnings_gap", "", 0, 1, "%",
     "how much more men earn than women, on average, among migrant workers present"},
    {"can_save_share", "", 0, 1, "%", "share who can meet their needs and save"},
    {"cover_needs_share", "", 0, 1, "%", "share who cover daily needs but cannot save"},
    {"cannot_cover_share", "", 0, 1, "%", "share who cannot cover daily needs"},
    {"informal_share", "", 0, 1, "%", "share working without a formal contract"},
    {"no_pension_share", "", 0, 1, "%", "share whose contract does not contribute to a pension"},
    {"no_leave_share", "", 0, 1, "%", "share without paid annual leave"},
    {"primary_earner_share", "", 0, 1, "%", "share who are their household's primary earner"},
    {"upper_secondary_share", "", 0, 1, "%", "share who completed upper secondary education"},
    {"arrivals", "", 1, 0, "persons", "entries of migrant workers over the window"},
    {"internal_moves", "", 1, 0, "persons", "residents moving between regions over the window"},
    {"registered_moves", "", 1, 0, "persons",
     "registered internal moves over the window as BNS counts them: between regions and between "
     "districts or towns of one region"},
    {"economic_moves", "", 1, 0, "persons",
     "moves between regions over the window whose dominant driver is economic (the seed's "
     "internal migration figure, in the model)"},
    {"climate_move_share", "", 1, 0, "%",
     "share of internal moves over the window whose dominant driver is climate"},
    {"remittances_usd", "", 1, 0, "USD", "money sent home over the window, after fees"},
};

const struct mig_statistic *mig_stats_list(size_t *count)
{
    *count = sizeof statistics / sizeof statistics[0];
    return statistics;
}

static const struct mig_series all_series[] = {
    {"migrant_stock",
     {"time", "origin", "region"},
     "persons",
     "international migrant workers present in Kazakhstan at the end of the step (not counting "
     "those visiting home)",
     offsetof(struct stats, migrant_stock)},
    {"migrant_stock_by_sector",
     {"time", "region", "sector"},
     "persons",
     "migrant workers present, by sector of work",
     offsetof(struct stats, migrant_stock_by_sector)},
    {"visiting_home",
     {"time", "origin"},
     "persons",
     "migrant workers away on a visit home at the end of the step (they keep their job)",
     offsetof(struct stats, visiting_home)},
    {"arrivals",
     {"time", "origin", "region"},
     "persons",
     "entries of migrant workers in the step",
     offsetof(struct stats, arrivals)},
    {"returns",
     {"time", "origin", "region"},
     "persons",
     "permanent departures home in the step",
     offsetof(struct stats, returns)},
    {"visits_home",
     {"time", "origin"},
     "persons",
     "visits home started in the step",
     offsetof(struct stats, visits_home)},
    {"working_in_russia",
     {"time", "origin"},
     "persons",
     "the origin's labour migrants working in Russia, the competing destination, at the end of "
     "the step",
     offsetof(struct stats, working_in_russia)},
    {"departures_to_russia",
     {"time", "origin"},
     "persons",
     "labour migrants leaving home for Russia in the step",
     offsetof(struct stats, departures_to_russia)},
    {"remittances_usd",
     {"time", "origin"},
     "USD",
     "money sent home in the step, after fees",
     offsetof(struct stats, remittances_usd)},
    {"resident_population",
     {"time", "region"},
     "persons",
     "residents of Kazakhstan at the end of the step",
     offsetof(struct stats, resident_population)},
    {"internal_moves",
     {"time", "region_from", "region_to"},
     "persons",
     "residents moving between regions in the step (interregional registered moves; the "
     "diagonal is zero)",
     offsetof(struct stats, internal_moves)},
    {"internal_moves_by_driver",
     {"time", "driver"},
     "persons",
     "internal moves (between regions) in the step by their dominant driver",
     offsetof(struct stats, internal_moves_by_driver)},
    {"intraregional_moves",
     {"time", "region"},
     "persons",
     "registered moves within a region (between its districts or towns) in the step; with "
     "internal_moves, all the moves BNS registers",
     offsetof(struct stats, intraregional_moves)},
    {"births",
     {"time", "region"},
     "persons",
     "residents born in the step",
     offsetof(struct stats, births)},
    {"deaths",
     {"time", "region"},
     "persons",
     "residents who died in the step",
     offsetof(struct stats, deaths)},
    {"emigrants",
     {"time", "region"},
     "persons",
     "residents who left Kazakhstan for good in the step",
     offsetof(struct stats, emigrants)},
    {"immigrants",
     {"time", "region"},
     "persons",
     "people from abroad granted residence in the step (new residents)",
     offsetof(struct stats, immigrants)},
};

const struct mig_series *mig_stats_series(size_t *count)
{
    *count = sizeof all_series / sizeof all_series[0];
    return all_series;
}

static size_t dim_length(const struct stats *s, const char *dim)
{
    if (strcmp(dim, "origin") == 0)
        return (size_t)s->origins;
    if (strcmp(dim, "sector") == 0)
        return (size_t)s->sectors;
    if (strcmp(dim, "driver") == 0)
        return MIG_DRIVERS;
    return (size_t)s->regions; /* region, region_from, region_to */
}

size_t mig_stats_series_width(const struct stats *s, const struct mig_series *v)
{
    size_t width = 1;
    for (int i = 1; i < 4 && v->dims[i]; i++)
        width *= dim_length(s, v->dims[i]);
    return width;
}

int mig_stats_alloc(struct stats *s, int steps, int origins, int regions, int sectors)
{
    memset(s, 0, sizeof *s);
    s->steps = steps;
    s->origins = origins;
    s->regions = regions;
    s->sectors = sectors;
    s->scale = 1;
    size_t T = (size_t)steps;
    s->step_day = calloc(T ? T : 1, sizeof *s->step_day);
    s->residents_now = calloc((size_t)regions + 1, sizeof *s->residents_now);
    s->step_days = calloc(T ? T : 1, sizeof *s->step_days);
    if (!s->step_day || !s->residents_now || !s->step_days)
        goto fail;
    for (size_t i = 0; i < sizeof all_series / sizeof all_series[0]; i++) {
        double **array = (double **)((char *)s + all_series[i].offset);
        *array = calloc(T * mig_stats_series_width(s, &all_series[i]) + 1, sizeof **array);
        if (!*array)
            goto fail;
    }
    return 0;
fail:
    mig_stats_free(s);
    return mig_fail(MIG_ENOMEM, "out of memory for the series");
}

int mig_stats_init(struct stats *s, const struct scenario *sc, const struct world *w)
{
    long days = sc->end - sc->start + 1;
    long long steps_wanted = ((long long)days + sc->step_days - 1) / sc->step_days;
    /* The series take about 8 KB a step per replicate: beyond this many
     * steps a run cannot be held, so `check` refuses it as `run` would. */
    if (steps_wanted > MIG_MAX_STEPS)
        return mig_fail(MIG_EINPUT,
                        "%s: error: the run has %lld steps of %d days from start to end; expected "
                        "at most %d (a longer step_days or a shorter run)",
                        sc->path ? sc->path : "scenario", steps_wanted, (int)sc->step_days,
                        MIG_MAX_STEPS);
    int steps = (int)steps_wanted;
    int status = mig_stats_alloc(s, steps, w->origins, w->regions, w->sectors);
    if (status < 0)
        return status;
    s->scale = sc->scale;
    s->start = sc->start;
    for (int t = 0; t < s->steps; t++) {
        s->step_day[t] = sc->start + (long)t * (long)sc->step_days;
        s->step_days[t] = fmin(sc->step_days, (double)(sc->end + 1 - s->step_day[t]));
    }
    for (int r = 0; r < w->regions; r++)
        s->residents_now[r] = (int64_t)mig_population_residents_of(sc, w, r);
    return 0;
}

void mig_stats_free(struct stats *s)
{
    free(s->step_day);
    free(s->step_days);
    free(s->residents_now);
    for (size_t i = 0; i < sizeof all_series / sizeof all_series[0]; i++)
        free(*(double **)((char *)s + all_series[i].offset));
    memset(s, 0, sizeof *s);
}

int mig_stats_want(struct stats *s, long day, int sample)
{
    for (int i = 0; i < s->wanted_count; i++)
        if (s->wanted[i] == day && s->wanted_sample[i] == sample)
            return 0;
    if (s->wanted_count == MIG_MAX_SNAPSHOTS)
        return mig_fail(MIG_EINPUT, "error: more than %d survey dates", MIG_MAX_SNAPSHOTS);
    s->wanted_sample[s->wanted_count] = sample;
    s->wanted[s->wanted_count++] = day;
    return 0;
}

void mig_stats_record(struct stats *s, int step, const struct tally *y)
{
    int O = s->origins, R = s->regions, K = s->sectors;
    double k = s->scale;
    size_t t = (size_t)step;
    for (int o = 0; o < O; o++) {
        for (int r = 0; r < R; r++) {
            size_t i = (t * O + o) * R + r;
            s->migrant_stock[i] = k * y->stock[o][r];
            s->arrivals[i] = k * y->arrivals[o][r];
            s->returns[i] = k * y->returns[o][r];
        }
        s->visiting_home[t * O + o] = k * y->visiting[o];
        s->visits_home[t * O + o] = k * y->visits[o];
        s->working_in_russia[t * O + o] = k * y->in_russia[o];
        s->departures_to_russia[t * O + o] = k * y->to_russia[o];
        s->remittances_usd[t * O + o] = k * y->remit_cents[o] / 100.0;
    }
    for (int r = 0; r < R; r++)
        for (int q = 0; q < K; q++)
            s->migrant_stock_by_sector[(t * R + r) * K + q] = k * y->stock_sector[r][q];
    const struct resident_tally *res = &y->residents;
    for (int a = 0; a < R; a++)
        for (int b = 0; b < R; b++) {
            s->internal_moves[(t * R + a) * R + b] = a == b ? 0.0 : k * res->moves[a][b];
            s->residents_now[a] -= res->moves[a][b];
            s->residents_now[b] += res->moves[a][b];
        }
    for (int r = 0; r < R; r++) {
        s->intraregional_moves[t * R + r] = k * res->moves[r][r];
        s->births[t * R + r] = k * res->births[r];
        s->deaths[t * R + r] = k * res->deaths[r];
        s->emigrants[t * R + r] = k * res->emigrants[r];
        s->immigrants[t * R + r] = k * res->immigrants[r];
        s->residents_now[r] += res->births[r] + res->immigrants[r] - res->deaths[r] -
                               res->emigrants[r];
        s->resident_population[t * R + r] = k * s->residents_now[r];
    }
    for (int d = 0; d < MIG_DRIVERS; d++)
        s->internal_moves_by_driver[t * MIG_DRIVERS + d] = k * y->residents.moves_by_driver[d];
}

/* Adds worker id, present, to a snapshot. */
static void survey_one(const struct tables *t, const struct population *pop, uint64_t id,
                       int32_t window, struct snapshot *n)
{
    const struct migrant *m = &pop->migrant[id];
    int female = (m->traits & MIG_FEMALE) != 0;
    struct budget b = mig_behaviour_budget(t, pop, id); /* its wage too */
    n->present++;
    n->by_origin[m->origin]++;
    n->by_sector[m->sector]++;
    if (t->step - m->arrived >= window) {
        n->settled++;
        n->settled_visited += m->last_visit != MIG_NEVER && t->step - m->last_visit < window;
    }
    if (m->remit_share > 0) {
        n->remitters++;
        int64_t sent_usd = mig_behaviour_round(b.sent);
        n->remit_cents += mig_behaviour_round(b.sent * 100.0);
        n->remit_usd_squared += sent_usd * sent_usd;
        n->remit_51_75 += m->remit_share >= 0.51f && m->remit_share <= 0.75f;
    }
    int64_t wage_usd = mig_behaviour_round(b.wage);
    n->wage_cents[female] += mig_behaviour_round(b.wage * 100.0);
    n->wage_count[female]++;
    n->wage_usd_squared[female] += wage_usd * wage_usd;
    n->savings[mig_behaviour_savings(t, &b)]++;
    /* Informal work has neither pension nor paid leave. */
    uint8_t traits = m->traits;
    if (traits & MIG_INFORMAL)
        traits |= MIG_NO_PENSION | MIG_NO_LEAVE;
    for (int k = 0; k < 8; k++)
        n->traits[k] += (traits >> k) & 1;
}

static void add_snapshot(struct snapshot *into, const struct snapshot *from)
{
    int64_t *a = &into->present;
    const int64_t *b = &from->present;
    size_t n = (sizeof *into - offsetof(struct snapshot, present)) / sizeof(int64_t);
    for (size_t i = 0; i < n; i++)
        a[i] += b[i];
}

/* The ids of the workers present that this process holds, in id order
 * (the members of the present class, not every migrant); NULL when out of
 * memory. */
static uint64_t *present_ids(const struct population *pop, int64_t *count)
{
    const uint64_t *present = pop->member[MIG_CLASS_PRESENT];
    uint64_t first = pop->migrant_begin, end = pop->migrant_end;
    uint64_t n = mig_population_count(present, first, end);
    uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    *count = (int64_t)n;
    n = 0;
    for (uint64_t word = first / 64; ids && word < (end + 63) / 64; word++)
        for (uint64_t bits = mig_population_members(present, word, first, end); bits;
             bits &= bits - 1)
            ids[n++] = word * 64 + (uint64_t)__builtin_ctzll(bits);
    return ids;
}

struct respondent {
    uint64_t id;
    double key; /* a uniform; the smallest of each stratum are drawn */
    int stratum;
};

/* Whether x comes after y in a stratum's draw: by key, then by id (the
 * order in which the respondents were gathered, so ties fall as in a stable
 * sort). */
static int drawn_after(const struct respondent *x, const struct respondent *y)
{
    if (x->key != y->key)
        return x->key > y->key;
    return x->id > y->id;
}

static void swap_respondents(struct respondent *a, struct respondent *b)
{
    struct respondent t = *a;
    *a = *b;
    *b = t;
}

/* Offers r to a stratum's drawn respondents, heap[0..*size) of at most
 * `want`: a heap whose top is the last drawn, so that r replaces it when r
 * comes first. The stratum's `want` first are kept in one pass, without
 * sorting the whole population (only their set matters: a survey's tallies
 * are sums of integers). */
static void offer(struct respondent *heap, int64_t *size, int64_t want, struct respondent r)
{
    int64_t i;
    if (*size < want) {
        heap[i = (*size)++] = r;
        for (; i > 0 && drawn_after(&heap[i], &heap[(i - 1) / 2]); i = (i - 1) / 2)
            swap_respondents(&heap[i], &heap[(i - 1) / 2]);
        return;
    }
    if (want == 0 || !drawn_after(&heap[0], &r))
        return;
    heap[i = 0] = r;
    for (;;) {
        int64_t last = i, left = 2 * i + 1, right = left + 1;
        if (left < want && drawn_after(&heap[left], &heap[last]))
            last = left;
        if (right < want && drawn_after(&heap[right], &heap[last]))
            last = right;
        if (last == i)
            return;
        swap_respondents(&heap[i], &heap[last]);
        i = last;
    }
}

/* Each stratum's share of a sample of `want` among `count` respondents,
 * in proportion to its size, the rest by largest remainders (the lowest
 * stratum first on ties). */
static void allocate(const int64_t *strata, int n, int64_t count, int64_t want, int64_t *take)
{
    double remainder[2 * MIG_MAX_REGIONS] = {0};
    int64_t given = 0;
    for (int h = 0; h < n; h++) {
        double exact = count ? (double)want * strata[h] / count : 0;
        take[h] = (int64_t)exact;
        remainder[h] = exact - take[h];
        given += take[h];
    }
    while (given < want) {
        int best = 0;
        for (int h = 1; h < n; h++)
            if (remainder[h] > remainder[best])
                best = h;
        take[best]++, remainder[best] = -1, given++;
    }
}

/* The `take[h]` first respondents of each stratum h, into `drawn` (as many
 * as the takes' sum), in one pass over `all`. */
static void draw_strata(const struct respondent *all, int64_t count, int n, const int64_t *take,
                        struct respondent *drawn)
{
    int64_t begin[2 * MIG_MAX_REGIONS], kept[2 * MIG_MAX_REGIONS] = {0}, at = 0;
    for (int h = 0; h < n; h++) {
        begin[h] = at;
        at += take[h];
    }
    for (int64_t i = 0; i < count; i++) {
        int h = all[i].stratum;
        offer(drawn + begin[h], &kept[h], take[h], all[i]);
    }
}

/* An emulated survey: `size` workers present in the surveyed regions, drawn
 * without replacement within strata of region and sex, allocated in
 * proportion to the strata. Under MPI every rank draws keys for its own
 * agents; the selection is made over all of them. */
static int survey_sample(const struct stats *s, const struct world *w, const struct tables *t,
                         const struct population *pop, int size, int32_t window,
                         struct snapshot *out)
{
    int64_t present;
    uint64_t *ids = present_ids(pop, &present);
    struct respondent *local = malloc((size_t)(present ? present : 1) * sizeof *local), *all = NULL;
    struct respondent *drawn = malloc((size_t)size * sizeof *drawn);
    /* Every rank learns whether any failed before the gather, so that no
     * rank waits there for one that returned. */
    int64_t failed = !ids || !local || !drawn;
    int status = pop->split ? mig_comm_sum(&failed, 1) : 0;
    if (status < 0 || failed) {
        free(ids);
        free(local);
        free(drawn);
        return status < 0 ? MIG_ERUNTIME
                          : mig_fail(MIG_ENOMEM, "out of memory for a survey sample");
    }
    int64_t mine = 0;
    for (int64_t i = 0; i < present; i++) {
        const struct migrant *m = &pop->migrant[ids[i]];
        if (w->region_surveyed[m->region]) {
            struct mig_draw d = mig_rng_draw(s->seed, MIG_STREAM_SURVEY, ids[i], (uint32_t)t->step);
            int h = 2 * m->region + ((m->traits & MIG_FEMALE) != 0);
            local[mine++] = (struct respondent){ids[i], mig_rng_u01(d.w[0]), h};
        }
    }
    free(ids);
    size_t bytes = (size_t)mine * sizeof *local;
    if (pop->split) /* the other ranks' workers are candidates too */
        status = mig_comm_gather(local, bytes, (void **)&all, &bytes);
    else
        all = local, local = NULL;
    free(local);
    if (status < 0) {
        free(drawn);
        return status;
    }
    int64_t count = (int64_t)(bytes / sizeof *all), strata[2 * MIG_MAX_REGIONS] = {0};
    for (int64_t i = 0; i < count; i++)
        strata[all[i].stratum]++;
    int64_t take[2 * MIG_MAX_REGIONS], want = size < count ? size : count;
    allocate(strata, 2 * w->regions, count, want, take);
    draw_strata(all, count, 2 * w->regions, take, drawn);
    free(all);
    for (int64_t i = 0; i < want; i++)
        if (drawn[i].id >= pop->migrant_begin && drawn[i].id < pop->migrant_end)
            survey_one(t, pop, drawn[i].id, window, out);
    free(drawn);
    return 0;
}

/* Whether wanted snapshot i falls in the step, with room for it. */
static bool wanted_in(const struct stats *s, int i, int step)
{
    long first = s->step_day[step], last = first + (long)s->step_days[step] - 1;
    return s->wanted[i] >= first && s->wanted[i] <= last && s->snapshots < MIG_MAX_SNAPSHOTS;
}

bool mig_stats_snapshots_kept(struct stats *s, int step, const struct conditions *c,
                              const struct snapshot *kept, int count)
{
    for (int i = 0; i < s->wanted_count; i++) {
        if (!wanted_in(s, i, step))
            continue;
        int k = 0;
        while (k < count && (kept[k].day != s->wanted[i] || kept[k].sample != s->wanted_sample[i]))
            k++;
        if (k == count)
            return false;
        s->snapshot[s->snapshots] = kept[k];
        s->snapshot[s->snapshots++].fee = c->remittance_fee;
    }
    return true;
}

int mig_stats_snapshots(struct stats *s, int step, const struct world *w, const struct tables *t,
                        const struct conditions *c, const struct population *pop)
{
    int32_t window = (int32_t)ceil(182.625 / s->step_days[0]);
    for (int i = 0; i < s->wanted_count; i++) {
        if (!wanted_in(s, i, step))
            continue;
        struct snapshot total = {0};
        if (s->wanted_sample[i] > 0) {
            int status = survey_sample(s, w, t, pop, s->wanted_sample[i], window, &total);
            if (status < 0)
                return status;
        } else {
#pragma omp parallel
            {
                struct snapshot mine = {0};
                /* Each worker present: the members of the present class. */
                const uint64_t *present = pop->member[MIG_CLASS_PRESENT];
                uint64_t from = pop->migrant_begin, end = pop->migrant_end;
#pragma omp for schedule(static)
                for (int64_t word = (int64_t)(from / 64); word < (int64_t)((end + 63) / 64); word++)
                    for (uint64_t bits = mig_population_members(present, (uint64_t)word, from, end);
                         bits; bits &= bits - 1)
                        survey_one(t, pop, (uint64_t)word * 64 + (uint64_t)__builtin_ctzll(bits),
                                   window, &mine);
#pragma omp critical
                add_snapshot(&total, &mine); /* integers: order does not matter */
            }
        }
        size_t counts = (sizeof total - offsetof(struct snapshot, present)) / sizeof(int64_t);
        if (pop->split) {
            int status = mig_comm_sum(&total.present, counts); /* over ranks */
            if (status < 0)
                return status;
        }
        total.day = s->wanted[i];
        total.sample = s->wanted_sample[i];
        total.fee = c->remittance_fee;
        s->snapshot[s->snapshots++] = total;
    }
    return 0;
}

static const struct mig_statistic *find(const char *name)
{
    size_t n;
    const struct mig_statistic *list = mig_stats_list(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

static int key_index(const struct world *w, const struct mig_statistic *st, const char *key)
{
    if (strcmp(st->key, "origin") == 0)
        return mig_world_origin(w, key);
    if (strcmp(st->key, "sector") == 0)
        for (int k = 0; k < w->sectors; k++)
            if (strcmp(w->sector_code[k], key) == 0)
                return k;
    return -1;
}

int mig_stats_check_target(const struct stats *s, const struct world *w, const struct target *t,
                           const char *path)
{
    const struct mig_statistic *st = find(t->statistic);
    long last = s->step_day[s->steps - 1] + (long)s->step_days[s->steps - 1] - 1;
    if (!st)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: figure '%s': unknown statistic '%s' (see "
                        "`migsim stats` for the list)",
                        path, t->statistic_mark.line, t->statistic_mark.column, t->id,
                        t->statistic);
    if (st->key[0] && key_index(w, st, t->key) < 0)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: figure '%s': statistic '%s' expects a "
                        "'key' naming a known %s, found '%s'",
                        path, t->key_mark.line, t->key_mark.column, t->id, t->statistic, st->key,
                        t->key);
    if (st->window != (t->from != t->to) && st->window)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: figure '%s': statistic '%s' is taken over "
                        "a window; expected 'from' and 'to'",
                        path, t->date_mark.line, t->date_mark.column, t->id, t->statistic);
    double lowest = isnan(t->value) ? t->lo : t->value,
           highest = isnan(t->value) ? t->hi : t->value;
    if ((strcmp(st->unit, "%") == 0 && (lowest < 0 || (isfinite(highest) && highest > 100))) ||
        (strcmp(st->unit, "%") != 0 && isfinite(lowest) && lowest < 0))
        return mig_fail(
            MIG_EINPUT, "%s:%d:%d: error: figure '%s': an impossible value for '%s'; expected %s",
            path, t->mark.line, t->mark.column, t->id, t->statistic,
            strcmp(st->unit, "%") == 0 ? "a percentage from 0 to 100" : "a value of at least 0");
    if (t->sample && !st->surveyed)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: figure '%s': statistic '%s' is not a survey "
                        "statistic; expected no 'sample'",
                        path, t->statistic_mark.line, t->statistic_mark.column, t->id,
                        t->statistic);
    if (t->from < s->start || t->to > last)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: figure '%s' is dated outside the run; "
                        "expected dates within the scenario's start and end",
                        path, t->date_mark.line, t->date_mark.column, t->id);
    return 0;
}

static int step_of(const struct stats *s, long day)
{
    for (int t = 0; t < s->steps; t++)
        if (day < s->step_day[t] + (long)s->step_days[t])
            return t;
    return s->steps - 1;
}

/* Sum of one series element over the window, each step weighted by the
 * share of its days inside the window. */
static double window_sum(const struct stats *s, const double *series, size_t stride, size_t offset,
                         size_t count, long from, long to)
{
    double total = 0;
    for (int t = 0; t < s->steps; t++) {
        long a = s->step_day[t], b = a + (long)s->step_days[t] - 1;
        long lo = a > from ? a : from, hi = b < to ? b : to;
        if (hi < lo)
            continue;
        double weight = (double)(hi - lo + 1) / s->step_days[t];
        for (size_t i = 0; i < count; i++)
            total += weight * series[(size_t)t * stride + offset + i];
    }
    return total;
}

static const struct snapshot *snapshot_on(const struct stats *s, long day, int sample)
{
    for (int i = 0; i < s->snapshots; i++)
        if (s->snapshot[i].day == day && s->snapshot[i].sample == sample)
            return &s->snapshot[i];
    return NULL;
}

/* A share in percent, and its binomial sampling sd when from a sample. */
static double share(int64_t part, int64_t whole, int sampled, double *sd)
{
    double p = whole > 0 ? (double)part / (double)whole : NAN;
    *sd = sampled && whole > 0 ? 100.0 * sqrt(p * (1 - p) / (double)whole) : 0.0;
    return 100.0 * p;
}

static int trait_bit(const char *name)
{
    static const char *const names[] = {"",
                                        "upper_secondary_share",
                                        "informal_share",
                                        "no_pension_share",
                                        "no_leave_share",
                                        "primary_earner_share"};
    for (int b = 1; b < 6; b++)
        if (strcmp(names[b], name) == 0)
            return b;
    return -1;
}

/* The gap in percent between men's and women's mean earnings, 100 (m/f - 1).
 * From an emulated survey its sampling error is the delta method's: the
 * sample is stratified by sex, so the two means are independent and
 * var(m/f) ~ (m/f)^2 (var(m)/m^2 + var(f)/f^2), with var(m) = s_m^2/n_m. */
double mig_stats_ratio_gap(const struct snapshot *n, int sampled, double *sd)
{
    *sd = 0;
    if (!n->wage_count[0] || !n->wage_count[1] || !n->wage_cents[1])
        return NAN;
    double m = (double)n->wage_cents[0] / 100.0 / (double)n->wage_count[0];
    double f = (double)n->wage_cents[1] / 100.0 / (double)n->wage_count[1];
    double ratio = m / f;
    if (sampled && n->wage_count[0] > 1 && n->wage_count[1] > 1 && m > 0) {
        double nm = (double)n->wage_count[0], nf = (double)n->wage_count[1];
        /* Sample variances (n - 1 divisors) from the sums of squares. */
        double vm = fmax(((double)n->wage_usd_squared[0] - nm * m * m) / (nm - 1), 0);
        double vf = fmax(((double)n->wage_usd_squared[1] - nf * f * f) / (nf - 1), 0);
        *sd = 100.0 * ratio * sqrt(vm / nm / (m * m) + vf / nf / (f * f));
    }
    return 100.0 * (ratio - 1.0);
}

int mig_stats_value(const struct stats *s, const struct world *w, const struct target *t,
                    double *value, double *sd)
{
    *sd = 0;
    const struct mig_statistic *st = find(t->statistic);
    if (!st)
        return mig_fail(MIG_EINPUT, "unknown statistic '%s'", t->statistic);
    size_t O = (size_t)s->origins, R = (size_t)s->regions, K = (size_t)s->sectors;
    const char *name = st->name;
    if (st->window) {
        if (strcmp(name, "arrivals") == 0)
            *value = window_sum(s, s->arrivals, O * R, 0, O * R, t->from, t->to);
        else if (strcmp(name, "remittances_usd") == 0)
            *value = window_sum(s, s->remittances_usd, O, 0, O, t->from, t->to);
        else {
            double all = window_sum(s, s->internal_moves_by_driver, MIG_DRIVERS, 0, MIG_DRIVERS,
                                    t->from, t->to);
            double climate = window_sum(s, s->internal_moves_by_driver, MIG_DRIVERS,
                                        MIG_DRIVER_CLIMATE, 1, t->from, t->to);
            double economic = window_sum(s, s->internal_moves_by_driver, MIG_DRIVERS,
                                         MIG_DRIVER_ECONOMIC, 1, t->from, t->to);
            double intra = window_sum(s, s->intraregional_moves, R, 0, R, t->from, t->to);
            *value = strcmp(name, "internal_moves") == 0     ? all
                     : strcmp(name, "economic_moves") == 0   ? economic
                     : strcmp(name, "registered_moves") == 0 ? all + intra
                     : all > 0                               ? 100.0 * climate / all
                                                             : NAN;
        }
        return 0;
    }
    size_t step = (size_t)step_of(s, t->from);
    if (strcmp(name, "migrant_stock") == 0 ||
        (strcmp(name, "origin_share") == 0 && t->sample == 0)) {
        double all = 0, part = 0;
        int key = st->key[0] ? key_index(w, st, t->key) : -1;
        for (size_t o = 0; o < O; o++)
            for (size_t r = 0; r < R; r++) {
                double x = s->migrant_stock[(step * O + o) * R + r];
                all += x;
                part += (int)o == key ? x : 0;
            }
        *value = key < 0 ? all : all > 0 ? 100.0 * part / all : NAN;
        return 0;
    }
    if (strcmp(name, "sector_share") == 0 && t->sample == 0) {
        double all = 0, part = 0;
        int key = key_index(w, st, t->key);
        for (size_t r = 0; r < R; r++)
            for (size_t k = 0; k < K; k++) {
                double x = s->migrant_stock_by_sector[(step * R + r) * K + k];
                all += x;
                part += (int)k == key ? x : 0;
            }
        *value = all > 0 ? 100.0 * part / all : NAN;
        return 0;
    }
    const struct snapshot *n = snapshot_on(s, t->from, t->sample);
    if (!n)
        return mig_fail(MIG_ERUNTIME, "no survey snapshot was taken on the date of '%s'", t->id);
    int bit = trait_bit(name), sampled = t->sample > 0;
    int key = st->key[0] ? key_index(w, st, t->key) : -1;
    if (bit > 0)
        *value = share(n->traits[bit], n->present, sampled, sd);
    else if (strcmp(name, "origin_share") == 0)
        *value = share(n->by_origin[key], n->present, sampled, sd);
    else if (strcmp(name, "sector_share") == 0)
        *value = share(n->by_sector[key], n->present, sampled, sd);
    else if (strcmp(name, "visited_home_6m") == 0)
        *value = share(n->settled_visited, n->settled, sampled, sd);
    else if (strcmp(name, "remitter_share") == 0)
        *value = share(n->remitters, n->present, sampled, sd);
    else if (strcmp(name, "send_51_75_share") == 0)
        *value = share(n->remit_51_75, n->remitters, sampled, sd);
    else if (strcmp(name, "mean_remittance_usd") == 0) {
        double m = n->remitters ? n->remit_cents / 100.0 / n->remitters : NAN;
        double var = n->remitters ? (double)n->remit_usd_squared / n->remitters - m * m : 0;
        *value = m;
        *sd = sampled && n->remitters ? sqrt(fmax(var, 0) / n->remitters) : 0;
    } else if (strcmp(name, "remittance_fee") == 0)
        *value = 100.0 * n->fee;
    else if (strcmp(name, "gender_earnings_gap") == 0)
        *value = mig_stats_ratio_gap(n, sampled, sd);
    else if (strcmp(name, "can_save_share") == 0)
        *value = share(n->savings[0], n->present, sampled, sd);
    else if (strcmp(name, "cover_needs_share") == 0)
        *value = share(n->savings[1], n->present, sampled, sd);
    else if (strcmp(name, "cannot_cover_share") == 0)
        *value = share(n->savings[2], n->present, sampled, sd);
    else
        return mig_fail(MIG_ERUNTIME, "statistic '%s' has no evaluation", name);
    return 0;
}
