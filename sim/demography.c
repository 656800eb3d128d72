/* Births, immigrants and ageing of the residents, and the data they need.
 *
 * Rates are crude (per 1000 residents of all ages, BNS 2024), because BNS
 * publishes no age-specific rates by region that we could find; deaths and
 * emigration are decided in residents.c with the moves. A newborn enters the
 * first age band; an immigrant gets an age band from the national age
 * structure. Ageing is a yearly pass in which a resident of a band of width
 * n years moves up with probability 1/n, so that band sizes follow the mean
 * time spent in each band. */
#include "migsim/demography.h"
#include "migsim/csv.h"
#include "migsim/error.h"
#include "migsim/residents.h"
#include "migsim/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_table(const struct scenario *sc, const char *file, struct csv *t)
{
    char path[1536];
    snprintf(path, sizeof path, "%s/%s", sc->data, file);
    return mig_csv_read(t, path);
}

static int find_region(const struct world *w, const struct csv *t, size_t row, size_t column,
                       int *r)
{
    const struct csv_cell *cell = mig_csv_cell(t, row, column);
    for (*r = 0; *r < w->regions; (*r)++)
        if (strcmp(w->region_code[*r], cell->text) == 0)
            return 0;
    return mig_fail(MIG_EINPUT, "%s:%d:%d: error: unknown region code '%s'", t->path, cell->line,
                    cell->column, cell->text);
}

/* Type and per-capita income of the regions (kz_regions.csv, already read
 * by world for the rest). */
static int load_income(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = open_table(sc, "kz_regions.csv", &t);
    if (status < 0)
        return status;
    size_t code, type, income;
    if ((status = mig_csv_column(&t, "code", &code)) < 0 ||
        (status = mig_csv_column(&t, "type", &type)) < 0 ||
        (status = mig_csv_column(&t, "per_capita_income_kzt", &income)) < 0)
        goto done;
    for (size_t i = 0; i < t.rows; i++) {
        int r;
        if ((status = find_region(w, &t, i, code, &r)) < 0 ||
            (status = mig_csv_number(&t, i, income, 1, 1e9, &w->region_income[r])) < 0)
            goto done;
        w->region_city[r] = strncmp(mig_csv_cell(&t, i, type)->text, "city", 4) == 0;
    }
done:
    mig_csv_free(&t);
    return status;
}

static int load_rates(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = open_table(sc, "demography.csv", &t);
    if (status < 0)
        return status;
    static const char *const names[] = {"region", "population_2024", "birth_rate", "death_rate",
                                        "agri_share"};
    size_t c[5];
    for (int i = 0; i < 5; i++)
        if ((status = mig_csv_column(&t, names[i], &c[i])) < 0)
            goto done;
    int seen[MIG_MAX_REGIONS] = {0};
    for (size_t i = 0; i < t.rows; i++) {
        int r;
        if ((status = find_region(w, &t, i, c[0], &r)) < 0 ||
            (status = mig_csv_number(&t, i, c[1], 1, 1e9, &w->region_people_2024[r])) < 0 ||
            (status = mig_csv_number(&t, i, c[2], 0, 100, &w->birth_rate[r])) < 0 ||
            (status = mig_csv_number(&t, i, c[3], 0, 100, &w->death_rate[r])) < 0 ||
            (status = mig_csv_number(&t, i, c[4], 0, 1, &w->agri_share[r])) < 0)
            goto done;
        seen[r]++;
    }
    for (int r = 0; r < w->regions; r++)
        if (seen[r] != 1) {
            status = mig_fail(MIG_EINPUT, "%s: error: expected one row for region '%s', found %d",
                              t.path, w->region_code[r], seen[r]);
            goto done;
        }
done:
    mig_csv_free(&t);
    return status;
}

/* Widths of the age bands from their names ("15-24" is 10 years; "65+" is
 * open). */
static int age_widths(struct world *w)
{
    for (int a = 0; a < w->ages; a++) {
        int lo, hi;
        if (sscanf(w->age_name[a], "%d-%d", &lo, &hi) == 2 && hi >= lo)
            w->age_width[a] = hi - lo + 1;
        else if (a == w->ages - 1 && strchr(w->age_name[a], '+'))
            w->age_width[a] = 0;
        else
            return mig_fail(MIG_EINPUT,
                            "%s/age_bands.csv: error: age band name '%s' is not 'A-B' (or 'A+' for "
                            "the last)",
                            "data", w->age_name[a]);
    }
    return 0;
}

int mig_demography_load(struct world *w, const struct scenario *sc)
{
    int status;
    if ((status = load_income(w, sc)) < 0 || (status = load_rates(w, sc)) < 0 ||
        (status = age_widths(w)) < 0)
        return status;
    return 0;
}

static double run_years(const struct scenario *sc)
{
    return (double)(sc->end - sc->start + 1) / 365.25;
}

uint64_t mig_demography_capacity(const struct scenario *sc, const struct world *w,
                                 uint64_t initial)
{
    double births = 0, people = 0;
    for (int r = 0; r < w->regions; r++) {
        births += w->birth_rate[r] / 1000 * w->region_population[r];
        people += w->region_population[r];
    }
    /* Births as a share of the residents, grown for the growth over the run
     * and a margin of a quarter. */
    double per_year = births / people * sc->residents.birth_factor * initial +
                      sc->residents.immigration / sc->scale;
    double years = run_years(sc);
    return (uint64_t)ceil(per_year * years * 1.25 * exp(0.02 * years)) + 64;
}

void mig_demography_init(const struct population *pop, int regions,
                         struct resident_aggregates *agg)
{
    agg->next_id = pop->region_first[regions];
    agg->lost_newborn = 0;
}

int mig_demography_age(const struct world *w, double u)
{
    double sum = 0;
    for (int a = 0; a < w->ages; a++)
        sum += w->age_share[a];
    u *= sum;
    double running = 0;
    for (int a = 0; a < w->ages - 1; a++) {
        running += w->age_share[a];
        if (u < running)
            return a;
    }
    return w->ages - 1;
}

/* A count from an expected value: its whole part, plus one with the
 * probability of its fraction. */
static int64_t round_draw(double expected, uint32_t word)
{
    double whole = floor(expected);
    return (int64_t)whole + (mig_rng_u01(word) < expected - whole ? 1 : 0);
}

/* Gives ids [first, first + n) to new residents of region r (those of them
 * this process holds). */
static void place(const struct world *w, struct population *pop, uint64_t seed, uint64_t first,
                  int64_t n, int r, int newborn)
{
    uint64_t a = first > pop->resident_begin ? first : pop->resident_begin;
    uint64_t b = first + (uint64_t)n < pop->resident_end ? first + (uint64_t)n : pop->resident_end;
    for (uint64_t id = a; id < b; id++) {
        struct mig_draw d = mig_rng_draw(seed, MIG_STREAM_RESIDENT_BIRTH, id, 0);
        int age = newborn ? 0 : mig_demography_age(w, mig_rng_u01(d.w[0]));
        pop->resident[id].region = (uint8_t)r;
        pop->resident[id].person = (uint8_t)(age | (d.w[1] & 1u ? MIG_RESIDENT_FEMALE : 0));
    }
}

/* Whether candidate `id` of a band whose probability is `up` moves up
 * (candidates are thinned at q). Only a band below the ceiling needs the
 * draw: at the ceiling u q < q for every uniform u, since u is at most
 * 1 - 2^-33 and the product's rounding is far smaller than q 2^-33; an
 * open band (up 0) never moves. About two candidates in three
 * (the 10-year bands' share of the population) are at the ceiling of 1/10. */
static bool moves_up(uint64_t seed, uint64_t id, int32_t step, double q, double up)
{
    if (up >= q || up <= 0)
        return up > 0;
    struct mig_draw d = mig_rng_draw(seed, MIG_STREAM_RESIDENT_AGEING, id, (uint32_t)step);
    return mig_rng_u01(d.w[0]) * q < up;
}

/* Once a year: every resident of a closed band moves up with probability
 * one over its width. Candidates are thinned at the largest such
 * probability, chunk by chunk, as in the engine. */
static void age_everybody(const struct world *w, struct population *pop, uint64_t seed,
                          int32_t step, uint64_t end_id, int threads)
{
    double q = 0, up[MIG_MAX_AGES];
    for (int a = 0; a < w->ages; a++) {
        up[a] = w->age_width[a] > 0 ? 1.0 / w->age_width[a] : 0.0;
        q = fmax(q, up[a]);
    }
    if (q <= 0)
        return;
    uint64_t end = end_id < pop->resident_end ? end_id : pop->resident_end;
    int64_t low = (int64_t)(pop->resident_begin / MIG_SKIP_CHUNK);
    int64_t chunks = (int64_t)((end + MIG_SKIP_CHUNK - 1) / MIG_SKIP_CHUNK);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t c = low; c < chunks; c++) {
        uint64_t first = (uint64_t)c * MIG_SKIP_CHUNK;
        uint64_t count = first + MIG_SKIP_CHUNK < end ? MIG_SKIP_CHUNK : end - first;
        struct mig_skip it;
        uint64_t id;
        mig_skip_start(&it, seed, MIG_STREAM_RESIDENT_AGEING, (uint32_t)step, (uint64_t)c, first,
                       count, q);
        while (mig_skip_next(&it, &id)) {
            if (pop->resident[id].region == MIG_NOBODY)
                continue;
            uint8_t person = pop->resident[id].person;
            int a = person & 0x7F;
            if (a < w->ages - 1 && moves_up(seed, id, step, q, up[a]))
                pop->resident[id].person = (uint8_t)((person & MIG_RESIDENT_FEMALE) | (a + 1));
        }
    }
}

void mig_demography_step(const struct scenario *sc, const struct world *w,
                         const struct conditions *c, const int64_t *residents, int32_t step,
                         int threads, struct population *pop, struct resident_aggregates *agg,
                         struct resident_tally *total)
{
    uint64_t seed = (uint64_t)sc->seed;
    double years = c->days / 365.25, people = 0;
    for (int r = 0; r < w->regions; r++)
        people += w->region_people_2024[r];
    for (int r = 0; r < w->regions; r++) {
        /* Counts are drawn from the region's own stream so that a change in
         * one region never shifts another's. */
        struct mig_draw d =
            mig_rng_draw(seed, MIG_STREAM_RESIDENT_BIRTH, UINT64_C(1) << 40 | (uint64_t)r,
                         (uint32_t)step);
        double rate = w->birth_rate[r] / 1000 * sc->residents.birth_factor;
        int64_t n[2] = {
            round_draw(rate * (double)residents[r] * years, d.w[0]),
            round_draw(sc->residents.immigration / sc->scale * w->region_people_2024[r] / people *
                           years,
                       d.w[1]),
        };
        for (int kind = 0; kind < 2; kind++) {
            uint64_t room = pop->residents - agg->next_id;
            if ((uint64_t)n[kind] > room) {
                agg->lost_newborn += n[kind] - (int64_t)room;
                n[kind] = (int64_t)room;
            }
            place(w, pop, seed, agg->next_id, n[kind], r, kind == 0);
            agg->next_id += (uint64_t)n[kind];
        }
        total->births[r] += n[0];
        total->immigrants[r] += n[1];
    }
    /* Ageing at each anniversary of the start. */
    long since = c->day - sc->start;
    if (floor((since + c->days) / 365.25) > floor(since / 365.25) && since > 0)
        age_everybody(w, pop, seed, step, agg->next_id, threads);
}
