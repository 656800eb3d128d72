/* The decision rules' invariants, checked on their probability tables. */
#include "helpers.h"
#include "migsim/behaviour.h"

#include <math.h>

static struct scenario sc;
static struct world w;

static int setup(void **state)
{
    (void)state;
    if (mig_scenario_load(&sc, BASELINE) < 0 || mig_world_load(&w, &sc) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mig_scenario_free(&sc);
    return 0;
}

static void tables_for(const struct scenario *s, struct tables *t)
{
    struct conditions c;
    struct aggregates agg;
    mig_policy_conditions(s, &w, s->start + 140, 7, &c);
    mig_behaviour_initial_aggregates(s, &w, &c, &agg);
    mig_behaviour_tables(s, &w, &c, &agg, 20, t);
}

static double probability(const double *cdf, int i)
{
    return cdf[i] - (i ? cdf[i - 1] : 0.0);
}

/* With no wage, distance, network or climate weight, the choice of region
 * follows the remaining driver: labour-market size. */
static void destination_shares_follow_the_other_drivers(void **state)
{
    (void)state;
    struct scenario s = sc;
    s.migrants.wage_elasticity = 0;
    s.migrants.distance_elasticity = 0;
    s.migrants.network_weight = 0;
    s.migrants.climate_weight = 0;
    struct tables *t = malloc(sizeof *t);
    tables_for(&s, t);
    double total = 0;
    for (int r = 0; r < w.regions; r++)
        total += pow(w.region_population[r], s.migrants.size_weight);
    for (int o = 0; o < w.origins; o++)
        for (int r = 0; r < w.regions; r++)
            assert_true(fabs(probability(t->region_cdf[o], r) -
                             pow(w.region_population[r], s.migrants.size_weight) / total) < 1e-12);
    free(t);
}

static void distance_deters_and_wages_attract(void **state)
{
    (void)state;
    struct tables *t = malloc(sizeof *t), *far = malloc(sizeof *far);
    tables_for(&sc, t);
    struct scenario s = sc;
    s.migrants.distance_elasticity *= 2;
    tables_for(&s, far);
    int uzb = mig_world_origin(&w, "UZB"), near = 0, away = 0;
    for (int r = 0; r < w.regions; r++) {
        near = w.distance_km[uzb][r] < w.distance_km[uzb][near] ? r : near;
        away = w.distance_km[uzb][r] > w.distance_km[uzb][away] ? r : away;
    }
    assert_true(probability(far->region_cdf[uzb], near) > probability(t->region_cdf[uzb], near));
    assert_true(probability(far->region_cdf[uzb], away) < probability(t->region_cdf[uzb], away));
    /* A poorer home raises the rate of coming. */
    struct world poorer = w;
    poorer.origin_wage_usd[uzb] /= 2;
    struct conditions c;
    struct aggregates agg;
    mig_policy_conditions(&sc, &poorer, sc.start + 140, 7, &c);
    mig_behaviour_initial_aggregates(&sc, &poorer, &c, &agg);
    mig_behaviour_tables(&sc, &poorer, &c, &agg, 20, far);
    assert_true(far->entry_p[uzb][0] > t->entry_p[uzb][0]);
    /* Women gain more by coming (a larger gap at home than in Kazakhstan). */
    assert_true(t->entry_p[uzb][1] > t->entry_p[uzb][0]);
    free(t);
    free(far);
}

static void closed_border_stops_movement(void **state)
{
    (void)state;
    struct scenario s = sc;
    s.policy.border_open.all = 0;
    s.policy.border_open.count = 0;
    struct tables *t = malloc(sizeof *t);
    tables_for(&s, t);
    for (int o = 0; o < w.origins; o++) {
        assert_true(t->entry_p[o][0] == 0 && t->entry_p[o][1] == 0);
        assert_true(t->visit_p[o] == 0 && t->return_p[o][0][0][1] == 0);
    }
    free(t);
}

static void residents_never_move_to_their_own_region(void **state)
{
    (void)state;
    struct tables *t = malloc(sizeof *t);
    tables_for(&sc, t);
    for (int d = 0; d < MIG_DRIVERS; d++)
        for (int r = 0; r < w.regions; r++) {
            assert_true(probability(t->residents.dest_cdf[d][r], r) < 1e-15 || d == MIG_DRIVER_RESETTLEMENT);
            assert_true(fabs(t->residents.dest_cdf[d][r][w.regions - 1] - 1.0) < 1e-12);
        }
    /* Resettlement leads only to programme destinations, and only sources
     * send; every rate stays under the thinning ceiling. */
    int kos = mig_world_region(&w, "KOS"), tur = mig_world_region(&w, "TUR");
    int ala = mig_world_region(&w, "ALA");
    assert_true(probability(t->residents.dest_cdf[MIG_DRIVER_RESETTLEMENT][tur], kos) > 0);
    assert_true(probability(t->residents.dest_cdf[MIG_DRIVER_RESETTLEMENT][tur], ala) == 0);
    for (int r = 0; r < w.regions; r++)
        for (int a = 0; a < w.ages; a++) {
            assert_true(t->residents.move_cum[r][a][MIG_DRIVERS - 1] <= t->residents.q_move);
            if (r == kos)
                assert_true(t->residents.move_cum[r][a][MIG_DRIVER_RESETTLEMENT] ==
                            t->residents.move_cum[r][a][MIG_DRIVER_CLIMATE]);
        }
    assert_false(t->residents.move_clamped);
    assert_false(t->migrant_clamped);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(destination_shares_follow_the_other_drivers),
        cmocka_unit_test(distance_deters_and_wages_attract),
        cmocka_unit_test(closed_border_stops_movement),
        cmocka_unit_test(residents_never_move_to_their_own_region),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
