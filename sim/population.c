/* Allocation and synthetic traits. Every trait is a pure function of the
 * seed and the agent's id, so populations are identical whatever the
 * thread count. */
#include "migsim/population.h"
#include "migsim/comm.h"
#include "migsim/demography.h"
#include "migsim/error.h"
#include "migsim/rng.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef MIG_BIT_INSTRUCTIONS
#include <cpuid.h>
#endif

bool mig_population_bit_instructions;

#ifdef MIG_BIT_INSTRUCTIONS
/* Whether pdep takes a few cycles: not on AMD's or Hygon's processors
 * before family 19h (Zen 3), which run it in microcode. */
static bool pdep_is_fast(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return false;
    bool amd = b == 0x68747541u /* "Auth"enticAMD */ || b == 0x6F677948u /* "Hygo"nGenuine */;
    if (!amd)
        return true;
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned family = (a >> 8) & 0xF;
    if (family == 0xF)
        family += (a >> 20) & 0xFF;
    return family >= 0x19;
}

/* Before main(), so that no thread ever sees it change. */
__attribute__((constructor)) static void find_bit_instructions(void)
{
    __builtin_cpu_init(); /* other constructors may run before the library's own */
    mig_population_bit_instructions =
        __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi2") && pdep_is_fast();
}
#endif

/* An array for ids [begin, end), indexed by id: the pointer is moved back by
 * `begin` so that every module indexes agents by their global id. */
static int allocate(void **p, uint64_t begin, uint64_t end, size_t size)
{
    /* On cache lines at least, so that no record straddles two; large
     * arrays on huge pages (population.h). */
    size_t bytes = (end > begin ? end - begin : 1) * size;
    size_t align = bytes >= MIG_HUGE_PAGE ? MIG_HUGE_PAGE : 64;
    bytes = (bytes + align - 1) / align * align;
    char *block = aligned_alloc(align, bytes);
#ifdef MADV_HUGEPAGE
    if (block && align == MIG_HUGE_PAGE)
        (void)madvise(block, bytes, MADV_HUGEPAGE); /* only a hint: no error to report */
#endif
    if (!block)
        return mig_fail(MIG_ENOMEM, "out of memory for the agents: an array of %zu bytes", bytes);
    *p = block - begin * size;
    return 0;
}

static void release(void *p, uint64_t begin, size_t size)
{
    if (p)
        free((char *)p + begin * size);
}

/* Each origin's areas by thresholds on the cumulative distribution of
 * their weights (an area is the number of thresholds its word reaches). */
static void area_thresholds(const struct world *w, struct population_recipe *r)
{
    double total[MIG_MAX_ORIGINS] = {0}, cdf[MIG_MAX_ORIGINS] = {0};
    for (int a = 0; a < w->areas; a++)
        total[w->area_origin[a]] += w->area_population[a];
    for (int a = 0; a < w->areas; a++) {
        int o = w->area_origin[a], i = r->areas[o]++;
        r->area[o][i] = (uint8_t)a;
        cdf[o] += w->area_population[a] / total[o];
        r->area_threshold[o][i] = mig_rng_threshold(cdf[o]);
    }
}

/* Age bands by thresholds on 31 random bits. */
static void age_thresholds(const struct world *w, struct population_recipe *r)
{
    double sum = 0, running = 0;
    for (int a = 0; a < w->ages; a++)
        sum += w->age_share[a];
    for (int a = 0; a < w->ages - 1; a++) {
        running += w->age_share[a];
        r->age_threshold[a] = (uint32_t)fmin(running / sum * 2147483648.0, 2147483647.0);
    }
}

/* Each trait has its own uniform: d for sex, job and remitting, f for the
 * rest, so that changing one share never changes another trait. */
static uint8_t draw_traits(const struct population_recipe *t, const struct mig_draw *d,
                           const struct mig_draw *f)
{
    /* Whether work is informal is chosen at each entry (behaviour.c); the
     * last two say what a formal job of this worker lacks. */
    return (uint8_t)((d->w[0] < t->trait[MIG_TRAIT_FEMALE] ? MIG_FEMALE : 0) |
                     (f->w[0] < t->trait[MIG_TRAIT_UPPER_SECONDARY] ? MIG_UPPER_SECONDARY : 0) |
                     (f->w[1] < t->trait[MIG_TRAIT_PRIMARY_EARNER] ? MIG_PRIMARY_EARNER : 0) |
                     (d->w[2] < t->trait[MIG_TRAIT_REMITTER] ? MIG_REMITTER : 0) |
                     (f->w[2] < t->trait[MIG_TRAIT_NO_PENSION] ? MIG_NO_PENSION : 0) |
                     (f->w[3] < t->trait[MIG_TRAIT_NO_LEAVE] ? MIG_NO_LEAVE : 0));
}

/* The first area whose cumulative share exceeds the word's uniform (the
 * last when rounding leaves the sum short of 1). */
static uint8_t draw_area(const struct population_recipe *t, int o, uint32_t word)
{
    int i = 0;
    for (int k = 0; k < t->areas[o] - 1; k++)
        i += word >= t->area_threshold[o][k];
    return t->area[o][i];
}

/* The migrants of origin o among ids [first, end), a block of ids at a
 * time so that their draws are made together. */
static void init_migrants(struct population *pop, const struct population_recipe *t, int o,
                          uint64_t first, uint64_t end)
{
    uint64_t seed = t->seed;
    int64_t blocks = (int64_t)((end + MIG_DRAWS - 1) / MIG_DRAWS);
#pragma omp parallel for schedule(static)
    for (int64_t block = (int64_t)(first / MIG_DRAWS); block < blocks; block++) {
        uint64_t lo = (uint64_t)block * MIG_DRAWS, hi = lo + MIG_DRAWS, id[MIG_DRAWS];
        lo = lo > first ? lo : first;
        hi = hi < end ? hi : end;
        int n = (int)(hi - lo);
        for (int i = 0; i < n; i++)
            id[i] = lo + (uint64_t)i;
        struct mig_draws d, f, g;
        mig_rng_draws(seed, MIG_STREAM_MIGRANT_TRAITS, id, 0, n, &d);
        mig_rng_draws(seed, MIG_STREAM_MIGRANT_TRAITS, id, 2, n, &f);
        mig_rng_draws(seed, MIG_STREAM_MIGRANT_TRAITS, id, 3, n, &g);
        for (int i = 0; i < n; i++) {
            struct mig_draw di = mig_rng_draws_at(&d, i), fi = mig_rng_draws_at(&f, i);
            pop->migrant[id[i]] = (struct migrant){
                .origin = (uint8_t)o,
                .area = draw_area(t, o, g.w[0][i]),
                .state = MIG_PROSPECTIVE,
                .traits = draw_traits(t, &di, &fi),
                .arrived = MIG_NEVER,
                .last_visit = MIG_NEVER,
                .until = MIG_NEVER,
            };
        }
    }
}

void mig_population_personal(struct population *pop, uint64_t id)
{
    const struct personal_draws *p = &pop->personal;
    struct mig_draw d = mig_rng_draw(p->seed, MIG_STREAM_MIGRANT_TRAITS, id, 0);
    struct mig_draw e = mig_rng_draw(p->seed, MIG_STREAM_MIGRANT_TRAITS, id, 1);
    double sigma = p->wage_sigma;
    pop->migrant[id].skill =
        (float)exp(sigma * gsl_cdf_ugaussian_Pinv(mig_rng_u01(d.w[3])) - sigma * sigma / 2);
    double share =
        p->remit_share_mean + p->remit_share_sd * gsl_cdf_ugaussian_Pinv(mig_rng_u01(e.w[0]));
    share = share < 0.05 ? 0.05 : share > 0.95 ? 0.95 : share;
    pop->migrant[id].remit_share = (pop->migrant[id].traits & MIG_REMITTER) ? (float)share : 0.0f;
    double lc = p->living_cost_sigma;
    pop->migrant[id].living_cost = (float)exp(lc * gsl_cdf_ugaussian_Pinv(mig_rng_u01(e.w[1])));
}

/* The personal draws of the workers present at the start (each origin's
 * first ids), made with the agents (those workers earn and send from
 * the first step): runs that copy the drawn agents find them made, unless
 * their parameters change (mig_population_set_personal). */
static void personal_of_initial(struct population *pop)
{
    for (int o = 0; o < pop->recipe.origins; o++) {
        uint64_t first = pop->origin_first[o], end = first + pop->initially_present[o];
        first = first > pop->migrant_begin ? first : pop->migrant_begin;
        end = end < pop->migrant_end ? end : pop->migrant_end;
#pragma omp parallel for schedule(static)
        for (int64_t id = (int64_t)first; id < (int64_t)end; id++)
            mig_population_personal(pop, (uint64_t)id);
    }
}

void mig_population_set_personal(struct population *pop, struct personal_draws personal)
{
    if (memcmp(&pop->personal, &personal, sizeof personal) == 0)
        return;
    pop->personal = personal;
    personal_of_initial(pop);
}

/* The arrays of migrants and residents, each with its element size. */
#define MIGRANT_ARRAYS(X) X(migrant, sizeof(struct migrant))
#define RESIDENT_ARRAYS(X) X(resident, sizeof(struct resident))

/* The bitmaps over migrants: the classes, then the timers' slots, one
 * after the other in one array (on huge pages: a decision changes words of
 * two or three of them, scattered like the agents). */
enum { BITMAPS = MIG_CLASSES + MIG_TIMER_SLOTS };

static uint64_t **bitmap(struct population *pop, int b)
{
    return b < MIG_CLASSES ? pop->member + b : pop->due + (b - MIG_CLASSES);
}

static const uint64_t *bitmap_of(const struct population *pop, int b)
{
    return *bitmap((struct population *)pop, b); /* read only */
}

static int allocate_all(struct population *pop)
{
    int status = 0;
#define MIGRANT(name, size)                                                                        \
    if (status == 0)                                                                               \
        status = allocate((void **)&pop->name, pop->migrant_begin, pop->migrant_end, size);
#define RESIDENT(name, size)                                                                       \
    if (status == 0)                                                                               \
        status = allocate((void **)&pop->name, pop->resident_begin, pop->resident_end, size);
    MIGRANT_ARRAYS(MIGRANT)
    RESIDENT_ARRAYS(RESIDENT)
#undef MIGRANT
#undef RESIDENT
    /* Each bitmap on its own cache lines: threads change the words of
     * their own chunks, which must not share a line with another bitmap's. */
    uint64_t low = pop->migrant_begin / 64, words = (pop->migrant_end + 63) / 64 - low;
    uint64_t stride = (words + 7) / 8 * 8, *block = NULL;
    if (status == 0)
        status = allocate((void **)&block, 0, BITMAPS * stride, sizeof(uint64_t));
    for (int b = 0; b < BITMAPS && status == 0; b++)
        *bitmap(pop, b) = block + (uint64_t)b * stride - low; /* indexed by word, as each id */
    return status;
}

static int class_of(const struct population *pop, uint64_t id, int32_t step,
                    int32_t min_home_steps)
{
    switch (pop->migrant[id].state) {
    case MIG_PRESENT:
        return MIG_CLASS_PRESENT;
    case MIG_VISITING:
        return MIG_CLASS_VISITING;
    case MIG_IN_RUSSIA:
        return MIG_CLASS_RUSSIA;
    case MIG_RETURNED:
        return step - pop->migrant[id].until >= min_home_steps ? MIG_CLASS_HOME : MIG_CLASS_RESTING;
    default:
        return MIG_CLASS_HOME;
    }
}

/* Whether agent id, of class cls, has a timer, and when it falls due. */
static bool timer_of(const struct population *pop, uint64_t id, int cls, int32_t min_home_steps,
                     int32_t *when)
{
    if (cls == MIG_CLASS_VISITING)
        *when = pop->migrant[id].until;
    else if (cls == MIG_CLASS_RESTING)
        *when = pop->migrant[id].until + min_home_steps - 1;
    else
        return false;
    return true;
}

void mig_population_classify(struct population *pop, int32_t step, int32_t min_home_steps)
{
    int64_t low = (int64_t)(pop->migrant_begin / 64), high = (int64_t)((pop->migrant_end + 63) / 64);
#pragma omp parallel for schedule(static)
    for (int64_t word = low; word < high; word++) {
        uint64_t bits[MIG_CLASSES] = {0};
        for (int slot = 0; slot < MIG_TIMER_SLOTS; slot++)
            pop->due[slot][word] = 0;
        for (uint64_t id = (uint64_t)word * 64; id < (uint64_t)word * 64 + 64; id++) {
            if (id < pop->migrant_begin || id >= pop->migrant_end)
                continue;
            int cls = class_of(pop, id, step, min_home_steps);
            bits[cls] |= (uint64_t)1 << (id & 63);
            int32_t when;
            if (timer_of(pop, id, cls, min_home_steps, &when))
                mig_population_due(pop, id, step, when);
        }
        for (int c = 0; c < MIG_CLASSES; c++)
            pop->member[c][word] = bits[c];
    }
}

static void init_residents(struct population *pop)
{
    const struct population_recipe *r = &pop->recipe;
    /* Counting the thresholds passed avoids a branch per band. */
    const uint32_t *threshold = r->age_threshold;
    int bands = r->ages - 1;
    uint64_t first = pop->resident_begin, end = pop->resident_end, n = pop->residents;
    /* One draw of 4 words for 4 residents (a word's low bit is the sex,
     * the other 31 its age band), the draws of a block of quads together. */
    const uint64_t per_block = 4 * MIG_DRAWS;
    int64_t blocks = (int64_t)((end + per_block - 1) / per_block);
#pragma omp parallel for schedule(static)
    for (int64_t block = (int64_t)(first / per_block); block < blocks; block++) {
        uint64_t lo = (uint64_t)block * per_block, hi = lo + per_block, quad[MIG_DRAWS];
        for (int j = 0; j < MIG_DRAWS; j++)
            quad[j] = lo / 4 + (uint64_t)j;
        struct mig_draws d;
        mig_rng_draws(r->seed, MIG_STREAM_RESIDENT_TRAITS, quad, 0, MIG_DRAWS, &d);
        lo = lo > first ? lo : first;
        hi = hi < end ? hi : end;
        for (uint64_t i = lo; i < hi; i++) {
            uint32_t word = d.w[i % 4][i / 4 % MIG_DRAWS], u = word >> 1;
            int a = 0;
            for (int k = 0; k < bands; k++)
                a += u >= threshold[k];
            pop->resident[i].person = (uint8_t)(a | (word & 1u ? MIG_RESIDENT_FEMALE : 0));
        }
    }
    for (int k = 0; k <= r->regions; k++) {
        /* After the last region: ids kept free for births and immigrants. */
        uint64_t a = pop->region_first[k], b = k < r->regions ? pop->region_first[k + 1] : n;
        a = a > pop->resident_begin ? a : pop->resident_begin;
        b = b < pop->resident_end ? b : pop->resident_end;
        uint8_t region = k < r->regions ? (uint8_t)k : MIG_NOBODY;
#pragma omp parallel for schedule(static)
        for (int64_t id = (int64_t)a; id < (int64_t)b; id++)
            pop->resident[id].region = region;
    }
}

uint64_t mig_population_residents_of(const struct scenario *sc, const struct world *w, int r)
{
    return (uint64_t)llround(w->region_population[r] / sc->scale);
}

uint64_t mig_population_present_of(const struct scenario *sc, const struct world *w, int o)
{
    return (uint64_t)llround(sc->migrants.initial_stock * w->origin_share[o] / sc->scale);
}

uint64_t mig_population_in_russia_of(const struct scenario *sc, const struct world *w, int o)
{
    return (uint64_t)llround(sc->migrants.initial_stock * w->origin_share[o] *
                             w->origin_russia_ratio[o] / sc->scale);
}

/* Those abroad (in Kazakhstan or Russia) and, for each of them, pool_ratio
 * at home. */
uint64_t mig_population_migrants_of(const struct scenario *sc, const struct world *w, int o)
{
    return (uint64_t)llround(sc->migrants.initial_stock * w->origin_share[o] *
                             (1 + w->origin_russia_ratio[o]) * (1 + sc->migrants.pool_ratio) /
                             sc->scale);
}

void mig_population_recipe(const struct scenario *sc, const struct world *w,
                           struct population_recipe *r)
{
    memset(r, 0, sizeof *r);
    r->seed = (uint64_t)sc->seed;
    r->origins = w->origins;
    r->regions = w->regions;
    r->ages = w->ages;
    uint64_t next = 0;
    for (int o = 0; o < w->origins; o++) {
        r->origin_first[o] = next;
        r->initially_present[o] = mig_population_present_of(sc, w, o);
        r->initially_in_russia[o] = mig_population_in_russia_of(sc, w, o);
        next += mig_population_migrants_of(sc, w, o);
    }
    r->origin_first[w->origins] = r->migrants = next;
    next = 0;
    for (int k = 0; k < w->regions; k++) {
        r->region_first[k] = next;
        next += mig_population_residents_of(sc, w, k);
    }
    r->region_first[w->regions] = next;
    r->residents = next + mig_demography_capacity(sc, w, next);
    const double share[MIG_TRAIT_SHARES] = {
        [MIG_TRAIT_FEMALE] = sc->migrants.female_share,
        [MIG_TRAIT_UPPER_SECONDARY] = sc->migrants.upper_secondary_share,
        [MIG_TRAIT_PRIMARY_EARNER] = sc->migrants.primary_earner_share,
        [MIG_TRAIT_REMITTER] = sc->migrants.remitter_share,
        [MIG_TRAIT_NO_PENSION] = sc->migrants.formal_no_pension_share,
        [MIG_TRAIT_NO_LEAVE] = sc->migrants.formal_no_leave_share,
    };
    for (int i = 0; i < MIG_TRAIT_SHARES; i++)
        r->trait[i] = mig_rng_threshold(share[i]);
    area_thresholds(w, r);
    age_thresholds(w, r);
}

struct personal_draws mig_population_personal_draws(const struct scenario *sc)
{
    return (struct personal_draws){(uint64_t)sc->seed, sc->migrants.wage_sigma,
                                   sc->migrants.remit_share_mean, sc->migrants.remit_share_sd,
                                   sc->migrants.living_cost_sigma};
}

/* How much more a worker present at the start costs than one at home or in
 * Russia, for the split over ranks. Measured on the baseline's run, warm-up
 * included, at 1 thread, chunk by chunk: a chunk of workers present at the
 * start took about 2.8 times one of workers in Russia and 2 times one of
 * workers at home (present workers meet events ten times as often, but
 * many leave during the run and others come). With 2, the migrants' and
 * residents' work of the busiest of 2 ranks was 1.010 to 1.018 times an
 * equal share (4 runs), of 3 ranks 1.03 to 1.07; with every id weighing
 * the same, 1.055 to 1.081 and 1.12 to 1.16. */
#define PRESENT_WORK 2.0

/* Each chunk's estimated work: its ids, those present at the start (each
 * origin's first ids) weighing PRESENT_WORK. */
static double *migrant_work(const struct population *pop)
{
    uint64_t chunks = (pop->migrants + MIG_SKIP_CHUNK - 1) / MIG_SKIP_CHUNK;
    double *work = calloc(chunks ? chunks : 1, sizeof *work);
    for (uint64_t c = 0; work && c < chunks; c++) {
        uint64_t first = c * MIG_SKIP_CHUNK, end = first + MIG_SKIP_CHUNK;
        end = end < pop->migrants ? end : pop->migrants;
        work[c] = (double)(end - first);
        for (int o = 0; o < pop->recipe.origins; o++) {
            uint64_t a = pop->origin_first[o], b = a + pop->initially_present[o];
            a = a > first ? a : first;
            b = b < end ? b : end;
            if (a < b)
                work[c] += (PRESENT_WORK - 1) * (double)(b - a);
        }
    }
    return work;
}

/* This rank's ids: migrants by their estimated work, residents by count. */
static int share(struct population *pop)
{
    double *work = migrant_work(pop);
    if (!work)
        return mig_fail(MIG_ENOMEM, "out of memory for the split of the agents over ranks");
    int rank = mig_comm_rank(), size = mig_comm_size();
    mig_comm_share(rank, size, pop->migrants, MIG_SKIP_CHUNK, work, &pop->migrant_begin,
                   &pop->migrant_end);
    mig_comm_share(rank, size, pop->residents, MIG_SKIP_CHUNK, NULL, &pop->resident_begin,
                   &pop->resident_end);
    free(work);
    return 0;
}

int mig_population_make(struct population *pop, const struct population_recipe *recipe,
                        struct personal_draws personal, int split)
{
    struct population_recipe own = *recipe; /* which may be pop's own */
    memset(pop, 0, sizeof *pop);
    pop->recipe = own;
    const struct population_recipe *r = &pop->recipe;
    pop->migrants = r->migrants;
    pop->residents = r->residents;
    memcpy(pop->origin_first, r->origin_first, sizeof pop->origin_first);
    memcpy(pop->initially_present, r->initially_present, sizeof pop->initially_present);
    memcpy(pop->initially_in_russia, r->initially_in_russia, sizeof pop->initially_in_russia);
    memcpy(pop->region_first, r->region_first, sizeof pop->region_first);
    pop->personal = personal;
    pop->migrant_end = pop->migrants;
    pop->resident_end = pop->residents;
    pop->split = split && mig_comm_size() > 1;
    int status = pop->split ? share(pop) : 0;
    if (status == 0)
        status = allocate_all(pop);
    if (status < 0) {
        mig_population_free(pop);
        return status;
    }
    for (int o = 0; o < r->origins; o++) {
        int64_t first = (int64_t)pop->origin_first[o], end = (int64_t)pop->origin_first[o + 1];
        first = first > (int64_t)pop->migrant_begin ? first : (int64_t)pop->migrant_begin;
        end = end < (int64_t)pop->migrant_end ? end : (int64_t)pop->migrant_end;
        if (first < end)
            init_migrants(pop, r, o, (uint64_t)first, (uint64_t)end);
    }
    personal_of_initial(pop);
    init_residents(pop);
    return 0;
}

int mig_population_init(struct population *pop, const struct scenario *sc, const struct world *w,
                        int split)
{
    struct population_recipe *recipe = malloc(sizeof *recipe);
    if (!recipe)
        return mig_fail(MIG_ENOMEM, "out of memory for the recipe of the agents");
    mig_population_recipe(sc, w, recipe);
    int status = mig_population_make(pop, recipe, mig_population_personal_draws(sc), split);
    free(recipe);
    return status;
}

void mig_population_free(struct population *pop)
{
#define MIGRANT(name, size) release(pop->name, pop->migrant_begin, size);
#define RESIDENT(name, size) release(pop->name, pop->resident_begin, size);
    MIGRANT_ARRAYS(MIGRANT)
    RESIDENT_ARRAYS(RESIDENT)
#undef MIGRANT
#undef RESIDENT
    release(*bitmap(pop, 0), pop->migrant_begin / 64, sizeof(uint64_t)); /* all of them */
    memset(pop, 0, sizeof *pop);
}

int mig_population_copy(struct population *to, const struct population *from)
{
    int status = 0;
    if (!to->migrant) { /* a new copy: the same ids, its own arrays */
        *to = *from;
#define FORGET(name, size) to->name = NULL;
        MIGRANT_ARRAYS(FORGET)
        RESIDENT_ARRAYS(FORGET)
#undef FORGET
        memset(to->member, 0, sizeof to->member);
        memset(to->due, 0, sizeof to->due);
        if ((status = allocate_all(to)) < 0) {
            mig_population_free(to);
            return status;
        }
    }
    uint64_t mb = from->migrant_begin, m = from->migrant_end - mb;
    uint64_t rb = from->resident_begin, r = from->resident_end - rb;
#define MIGRANT(name, size) memcpy(to->name + mb, from->name + mb, m * size);
#define RESIDENT(name, size) memcpy(to->name + rb, from->name + rb, r * size);
    MIGRANT_ARRAYS(MIGRANT)
    RESIDENT_ARRAYS(RESIDENT)
#undef MIGRANT
#undef RESIDENT
    uint64_t low = mb / 64, words = (from->migrant_end + 63) / 64 - low;
    for (int b = 0; b < BITMAPS; b++)
        memcpy(*bitmap(to, b) + low, bitmap_of(from, b) + low,
               words * sizeof(uint64_t));
    to->personal = from->personal;
    return 0;
}

double mig_population_bytes(const struct population *pop)
{
    double per_migrant = sizeof(struct migrant) + BITMAPS / 8.0;
    return (double)(pop->migrant_end - pop->migrant_begin) * per_migrant +
           (double)(pop->resident_end - pop->resident_begin) * 2.0;
}
