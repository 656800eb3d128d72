/* Allocation and synthetic traits. Every trait is a pure function of the
 * seed and the agent's id, so populations are identical whatever the
 * thread count. */
#include "migsim/population.h"
#include "migsim/error.h"
#include "migsim/rng.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int allocate(void **p, uint64_t count, size_t size)
{
    *p = count ? malloc(count * size) : NULL;
    if (count && !*p)
        return mig_fail(MIG_ENOMEM, "out of memory for %llu agents", (unsigned long long)count);
    return 0;
}

/* Each trait has its own uniform: d for sex, job and remitting, f for the
 * rest, so that changing one share never changes another trait. */
static uint8_t draw_traits(const struct scenario *sc, const struct mig_draw *d,
                           const struct mig_draw *f)
{
    uint8_t t = 0;
    if (mig_rng_u01(d->w[0]) < sc->migrants.female_share)
        t |= MIG_FEMALE;
    if (mig_rng_u01(f->w[0]) < sc->migrants.upper_secondary_share)
        t |= MIG_UPPER_SECONDARY;
    if (mig_rng_u01(f->w[1]) < sc->migrants.primary_earner_share)
        t |= MIG_PRIMARY_EARNER;
    if (mig_rng_u01(d->w[2]) < sc->migrants.remitter_share)
        t |= MIG_REMITTER;
    /* Informal work implies no pension and no paid leave; the rest of each
     * share falls on formal workers. */
    double informal = sc->migrants.informal_share, formal = 1 - informal;
    if (mig_rng_u01(d->w[1]) < informal) {
        t |= MIG_INFORMAL | MIG_NO_PENSION | MIG_NO_LEAVE;
    } else if (formal > 0) {
        if (mig_rng_u01(f->w[2]) < (sc->migrants.no_pension_share - informal) / formal)
            t |= MIG_NO_PENSION;
        if (mig_rng_u01(f->w[3]) < (sc->migrants.no_leave_share - informal) / formal)
            t |= MIG_NO_LEAVE;
    }
    return t;
}

static void init_migrant(struct population *pop, const struct scenario *sc, uint64_t id, int o)
{
    uint64_t seed = (uint64_t)sc->seed;
    struct mig_draw d = mig_rng_draw(seed, MIG_STREAM_MIGRANT_TRAITS, id, 0);
    struct mig_draw e = mig_rng_draw(seed, MIG_STREAM_MIGRANT_TRAITS, id, 1);
    struct mig_draw f = mig_rng_draw(seed, MIG_STREAM_MIGRANT_TRAITS, id, 2);
    pop->origin[id] = (uint8_t)o;
    pop->region[id] = 0;
    pop->sector[id] = 0;
    pop->state[id] = MIG_PROSPECTIVE;
    pop->traits[id] = draw_traits(sc, &d, &f);
    double sigma = sc->migrants.wage_sigma;
    pop->skill[id] =
        (float)exp(sigma * gsl_cdf_ugaussian_Pinv(mig_rng_u01(d.w[3])) - sigma * sigma / 2);
    double share = sc->migrants.remit_share_mean +
                   sc->migrants.remit_share_sd * gsl_cdf_ugaussian_Pinv(mig_rng_u01(e.w[0]));
    share = share < 0.05 ? 0.05 : share > 0.95 ? 0.95 : share;
    pop->remit_share[id] = (pop->traits[id] & MIG_REMITTER) ? (float)share : 0.0f;
    double lc = sc->migrants.living_cost_sigma;
    pop->living_cost[id] = (float)exp(lc * gsl_cdf_ugaussian_Pinv(mig_rng_u01(e.w[1])));
    pop->arrived[id] = MIG_NEVER;
    pop->last_visit[id] = MIG_NEVER;
    pop->until[id] = MIG_NEVER;
}

static int allocate_migrants(struct population *pop)
{
    uint64_t n = pop->migrants;
    int status;
    if ((status = allocate((void **)&pop->origin, n, 1)) < 0 ||
        (status = allocate((void **)&pop->region, n, 1)) < 0 ||
        (status = allocate((void **)&pop->sector, n, 1)) < 0 ||
        (status = allocate((void **)&pop->state, n, 1)) < 0 ||
        (status = allocate((void **)&pop->traits, n, 1)) < 0 ||
        (status = allocate((void **)&pop->skill, n, sizeof(float))) < 0 ||
        (status = allocate((void **)&pop->remit_share, n, sizeof(float))) < 0 ||
        (status = allocate((void **)&pop->living_cost, n, sizeof(float))) < 0 ||
        (status = allocate((void **)&pop->arrived, n, sizeof(int32_t))) < 0 ||
        (status = allocate((void **)&pop->last_visit, n, sizeof(int32_t))) < 0 ||
        (status = allocate((void **)&pop->until, n, sizeof(int32_t))) < 0)
        return status;
    return 0;
}

static void init_residents(struct population *pop, const struct scenario *sc, const struct world *w)
{
    double cumulative[MIG_MAX_AGES];
    double sum = 0;
    for (int a = 0; a < w->ages; a++)
        cumulative[a] = (sum += w->age_share[a]);
    int64_t n = (int64_t)pop->residents;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
        struct mig_draw d =
            mig_rng_draw((uint64_t)sc->seed, MIG_STREAM_RESIDENT_TRAITS, (uint64_t)i, 0);
        double u = mig_rng_u01(d.w[0]) * sum;
        int a = 0;
        while (a < w->ages - 1 && u >= cumulative[a])
            a++;
        pop->resident_person[i] = (uint8_t)(a | (d.w[1] & 1u ? MIG_RESIDENT_FEMALE : 0));
    }
    for (int r = 0; r < w->regions; r++)
        memset(pop->resident_region + pop->region_first[r], r,
               pop->region_first[r + 1] - pop->region_first[r]);
}

uint64_t mig_population_residents_of(const struct scenario *sc, const struct world *w, int r)
{
    return (uint64_t)llround(w->region_population[r] / sc->scale);
}

uint64_t mig_population_present_of(const struct scenario *sc, const struct world *w, int o)
{
    return (uint64_t)llround(sc->migrants.initial_stock * w->origin_share[o] / sc->scale);
}

uint64_t mig_population_migrants_of(const struct scenario *sc, const struct world *w, int o)
{
    return (uint64_t)llround(sc->migrants.initial_stock * w->origin_share[o] *
                             (1 + sc->migrants.pool_ratio) / sc->scale);
}

int mig_population_init(struct population *pop, const struct scenario *sc, const struct world *w)
{
    memset(pop, 0, sizeof *pop);
    int status;
    uint64_t next = 0;
    for (int o = 0; o < w->origins; o++) {
        pop->origin_first[o] = next;
        pop->initially_present[o] = mig_population_present_of(sc, w, o);
        next += mig_population_migrants_of(sc, w, o);
    }
    pop->origin_first[w->origins] = pop->migrants = next;
    next = 0;
    for (int r = 0; r < w->regions; r++) {
        pop->region_first[r] = next;
        next += mig_population_residents_of(sc, w, r);
    }
    pop->region_first[w->regions] = pop->residents = next;

    if ((status = allocate_migrants(pop)) < 0 ||
        (status = allocate((void **)&pop->resident_region, pop->residents, 1)) < 0 ||
        (status = allocate((void **)&pop->resident_person, pop->residents, 1)) < 0)
        goto fail;
    for (int o = 0; o < w->origins; o++) {
        int64_t first = (int64_t)pop->origin_first[o], end = (int64_t)pop->origin_first[o + 1];
#pragma omp parallel for schedule(static)
        for (int64_t id = first; id < end; id++)
            init_migrant(pop, sc, (uint64_t)id, o);
    }
    init_residents(pop, sc, w);
    return 0;
fail:
    mig_population_free(pop);
    return status;
}

void mig_population_free(struct population *pop)
{
    void *arrays[] = {pop->origin,         pop->region,     pop->sector,      pop->state,
                      pop->traits,         pop->skill,      pop->remit_share, pop->living_cost,
                      pop->arrived,        pop->last_visit, pop->until,       pop->resident_region,
                      pop->resident_person};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    memset(pop, 0, sizeof *pop);
}

double mig_population_bytes(const struct population *pop)
{
    double per_migrant = 5 + 3 * sizeof(float) + 3 * sizeof(int32_t);
    return pop->migrants * per_migrant + pop->residents * 2.0;
}
