/* Agent storage and synthetic traits. */
#include "helpers.h"
#include "migsim/demography.h"
#include "migsim/population.h"

#include <omp.h>

#include <math.h>

/* Large arrays start on a huge page, and every bitmap on cache lines of
 * its own (a whole population: its ids start at 0). */
static void assert_laid_out(const struct population *pop)
{
    if (pop->migrants * sizeof *pop->migrant >= MIG_HUGE_PAGE)
        assert_int_equal((uintptr_t)pop->migrant % MIG_HUGE_PAGE, 0);
    if (pop->residents * sizeof *pop->resident >= MIG_HUGE_PAGE)
        assert_int_equal((uintptr_t)pop->resident % MIG_HUGE_PAGE, 0);
    for (int c = 0; c < MIG_CLASSES; c++)
        assert_int_equal((uintptr_t)pop->member[c] % 64, 0);
    for (int slot = 0; slot < MIG_TIMER_SLOTS; slot++)
        assert_int_equal((uintptr_t)pop->due[slot] % 64, 0);
}

static void counts_and_traits(void **state)
{
    (void)state;
    struct scenario sc;
    struct world w;
    struct population pop;
    assert_int_equal(mig_scenario_load(&sc, BASELINE), 0);
    sc.scale = 20;
    assert_int_equal(mig_world_load(&w, &sc), 0);
    assert_int_equal(mig_population_init(&pop, &sc, &w, 0), 0);
    assert_true(pop.migrants * sizeof *pop.migrant >= 2 * MIG_HUGE_PAGE);
    assert_laid_out(&pop);
    uint64_t residents = 0;
    for (int r = 0; r < w.regions; r++) {
        uint64_t n = pop.region_first[r + 1] - pop.region_first[r];
        assert_int_equal(n, mig_population_residents_of(&sc, &w, r));
        residents += n;
        for (uint64_t i = pop.region_first[r]; i < pop.region_first[r + 1]; i += 997)
            assert_int_equal(pop.resident[i].region, r);
    }
    /* The ids after the initial residents are kept free for births and
     * immigrants, and hold nobody yet. */
    assert_int_equal(residents, pop.region_first[w.regions]);
    assert_true(pop.residents > residents);
    for (uint64_t i = residents; i < pop.residents; i += 101)
        assert_int_equal(pop.resident[i].region, MIG_NOBODY);
    uint64_t women = 0, remitters = 0, informal = 0, no_pension = 0;
    uint64_t by_area[MIG_MAX_AREAS] = {0};
    for (uint64_t id = 0; id < pop.migrants; id++) {
        assert_int_equal(pop.migrant[id].state, MIG_PROSPECTIVE);
        /* Personal draws are made with the agents for the workers present
         * at the start (each origin's first ids), at the first entry for
         * the others; the same each time. */
        int o = pop.migrant[id].origin;
        float made = pop.migrant[id].skill;
        assert_int_equal(made > 0, id - pop.origin_first[o] < pop.initially_present[o]);
        if (id % 97 == 0) {
            mig_population_personal(&pop, id);
            float skill = pop.migrant[id].skill, share = pop.migrant[id].remit_share;
            assert_true(skill > 0);
            assert_true(made == 0 || made == skill);
            assert_true((share > 0) == ((pop.migrant[id].traits & MIG_REMITTER) != 0));
            mig_population_personal(&pop, id);
            assert_true(pop.migrant[id].skill == skill && pop.migrant[id].remit_share == share);
        }
        women += (pop.migrant[id].traits & MIG_FEMALE) != 0;
        remitters += (pop.migrant[id].traits & MIG_REMITTER) != 0;
        informal += (pop.migrant[id].traits & MIG_INFORMAL) != 0;
        no_pension += (pop.migrant[id].traits & MIG_NO_PENSION) != 0;
        assert_int_equal(w.area_origin[pop.migrant[id].area], pop.migrant[id].origin);
        by_area[pop.migrant[id].area]++;
    }
    double n = (double)pop.migrants;
    double tolerance = 4 * sqrt(0.25 / n);
    assert_true(fabs(women / n - sc.migrants.female_share) < tolerance);
    assert_true(fabs(remitters / n - sc.migrants.remitter_share) < tolerance);
    /* Work is chosen formal or informal at entry, not at birth. */
    assert_int_equal(informal, 0);
    assert_true(fabs(no_pension / n - sc.migrants.formal_no_pension_share) < tolerance);
    for (int o = 0; o < w.origins; o++) {
        for (uint64_t id = pop.origin_first[o]; id < pop.origin_first[o + 1]; id += 101)
            assert_int_equal(pop.migrant[id].origin, o);
        /* Each origin's agents come from its areas in proportion to their
         * weights. */
        double weight = 0, agents = (double)(pop.origin_first[o + 1] - pop.origin_first[o]);
        for (int a = 0; a < w.areas; a++)
            weight += w.area_origin[a] == o ? w.area_population[a] : 0.0;
        for (int a = 0; a < w.areas; a++)
            if (w.area_origin[a] == o) {
                double p = w.area_population[a] / weight;
                assert_true(fabs(by_area[a] / agents - p) < 4 * sqrt(p * (1 - p) / agents) + 1e-9);
            }
    }
    /* Pools hold those in Kazakhstan, in Russia, and pool_ratio at home for
     * each of them. */
    for (int o = 0; o < w.origins; o++) {
        double abroad = (double)(pop.initially_present[o] + pop.initially_in_russia[o]);
        double pool = (double)(pop.origin_first[o + 1] - pop.origin_first[o]);
        assert_true(fabs(pool / abroad - (1 + sc.migrants.pool_ratio)) < 0.01);
    }
    mig_population_free(&pop);
    mig_scenario_free(&sc);
}

static void traits_do_not_depend_on_threads(void **state)
{
    (void)state;
    struct scenario sc;
    struct world w;
    struct population a, b;
    assert_int_equal(mig_scenario_load(&sc, BASELINE), 0);
    sc.scale = 50;
    assert_int_equal(mig_world_load(&w, &sc), 0);
    omp_set_num_threads(1);
    assert_int_equal(mig_population_init(&a, &sc, &w, 0), 0);
    omp_set_num_threads(3);
    assert_int_equal(mig_population_init(&b, &sc, &w, 0), 0);
    assert_laid_out(&a);
    assert_memory_equal(a.migrant, b.migrant, a.migrants * sizeof *a.migrant);
    assert_memory_equal(a.resident, b.resident, a.residents * sizeof *a.resident);
    mig_population_free(&a);
    mig_population_free(&b);
    mig_scenario_free(&sc);
}

/* The k-th set bit equals the one found by clearing the k lowest, for
 * every k of many words (sparse, dense, the extremes), and the count of
 * set bits is the number of them; by arithmetic and, where the processor
 * has them, by its instructions. */
static void bits_are_counted_and_selected(void **state)
{
    (void)state;
    bool found = mig_population_bit_instructions;
    for (int way = 0; way < 1 + found; way++) {
        mig_population_bit_instructions = way == 1;
        uint64_t x = 88172645463325252u;
        for (int t = 0; t < 20000; t++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t word = t % 3 == 0 ? x & (x >> 3) : t % 3 == 1 ? x | (x << 1) : x;
            if (t == 0)
                word = ~(uint64_t)0;
            if (t == 1)
                word = (uint64_t)1 << 63;
            if (t == 2)
                word = 0;
            unsigned k = 0;
            for (uint64_t rest = word; rest; rest &= rest - 1, k++)
                assert_int_equal(mig_population_select(word, k), __builtin_ctzll(rest));
            assert_int_equal(mig_population_bits(word), k);
        }
    }
    mig_population_bit_instructions = found;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_traits),
        cmocka_unit_test(traits_do_not_depend_on_threads),
        cmocka_unit_test(bits_are_counted_and_selected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
