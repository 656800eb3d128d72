/* The decision rules' invariants, checked on their probability tables. */
#include "helpers.h"
#include "migsim/behaviour.h"
#include "migsim/date.h"

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

static int area_of(const char *code)
{
    for (int a = 0; a < w.areas; a++)
        if (strcmp(w.area_code[a], code) == 0)
            return a;
    fail_msg("no area %s", code);
    return -1;
}

/* Tables for a scenario with extra timeline text, at a date in 2025. */
static void tables_with(const char *timeline, struct tables *t)
{
    char text[2048];
    snprintf(text, sizeof text,
             "extends: %s/scenarios/baseline.yaml\nname: t\ntimeline:\n%s", MIGSIM_SOURCE_DIR,
             timeline);
    struct scenario s;
    static const char *dir;
    if (!dir)
        dir = test_folder();
    assert_int_equal(mig_scenario_load(&s, test_file(dir, "s.yaml", text)), 0);
    struct conditions c;
    struct aggregates agg;
    mig_policy_conditions(&s, &w, mig_date_from_civil(2025, 6, 1), 7, &c);
    mig_behaviour_initial_aggregates(&s, &w, &c, &agg);
    mig_behaviour_tables(&s, &w, &c, &agg, 20, t);
    mig_scenario_free(&s);
}

/* With no wage, distance, network or climate weight, the choice of region
 * follows the remaining driver: each region's labour demand (employment by
 * sector times the sectors' intensity of migrant work). */
static void destination_shares_follow_labour_demand(void **state)
{
    (void)state;
    struct scenario s = sc;
    s.migrants.wage_elasticity = 0;
    s.migrants.distance_elasticity = 0;
    s.migrants.network_weight = 0;
    s.migrants.climate_weight = 0;
    struct tables *t = malloc(sizeof *t);
    struct conditions c;
    struct aggregates agg;
    mig_policy_conditions(&s, &w, s.start + 140, 7, &c);
    mig_behaviour_initial_aggregates(&s, &w, &c, &agg);
    mig_behaviour_tables(&s, &w, &c, &agg, 20, t);
    double demand[MIG_MAX_REGIONS], total = 0;
    for (int r = 0; r < w.regions; r++) {
        demand[r] = 0;
        for (int k = 0; k < w.sectors; k++)
            demand[r] += c.sector_demand[r][k];
        total += demand[r];
    }
    for (int a = 0; a < w.areas; a++)
        for (int r = 0; r < w.regions; r++)
            assert_true(fabs(probability(t->region_cdf[a], r) - demand[r] / total) < 1e-12);
    /* Sectors differ by region, from the regional data. */
    int ata = mig_world_region(&w, "ATY"), ast = mig_world_region(&w, "AST");
    int agri = 3;
    assert_string_equal(w.sector_code[agri], "agriculture");
    assert_true(probability(t->sector_cdf[ast], agri) < 0.5 * probability(t->sector_cdf[ata], agri) ||
                probability(t->sector_cdf[ast], agri) < 0.02);
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
    int tk = area_of("UZ-TK"), near = 0, away = 0;
    for (int r = 0; r < w.regions; r++) {
        near = w.area_km[tk][r] < w.area_km[tk][near] ? r : near;
        away = w.area_km[tk][r] > w.area_km[tk][away] ? r : away;
    }
    assert_true(probability(far->region_cdf[tk], near) > probability(t->region_cdf[tk], near));
    assert_true(probability(far->region_cdf[tk], away) < probability(t->region_cdf[tk], away));
    /* A poorer home raises the rate of leaving. */
    int uzb = mig_world_origin(&w, "UZB");
    struct world poorer = w;
    poorer.origin_wage_usd[uzb] /= 2;
    struct conditions c;
    struct aggregates agg;
    mig_policy_conditions(&sc, &poorer, sc.start + 140, 7, &c);
    mig_behaviour_initial_aggregates(&sc, &poorer, &c, &agg);
    mig_behaviour_tables(&sc, &poorer, &c, &agg, 20, far);
    assert_true(far->entry_p[tk][0] > t->entry_p[tk][0]);
    /* Women gain more by leaving (a larger gap at home than abroad). */
    assert_true(t->entry_p[tk][1] > t->entry_p[tk][0]);
    free(t);
    free(far);
}

/* A western route carries workers from Karakalpakstan to the west: its
 * shortest way to Mangystau is the Tazhen crossing, and Mangystau draws a
 * larger share of them than of workers from Tashkent. */
static void western_route_carries_karakalpaks_west(void **state)
{
    (void)state;
    struct tables *t = malloc(sizeof *t);
    tables_for(&sc, t);
    int qr = area_of("UZ-QR"), tk = area_of("UZ-TK"), man = mig_world_region(&w, "MAN");
    int route = w.area_route[qr][man];
    assert_true(route >= 0);
    assert_int_equal(w.route_region[route], man);
    assert_true(w.area_km[qr][man] < w.area_km[tk][man]);
    assert_true(probability(t->region_cdf[qr], man) > 2 * probability(t->region_cdf[tk], man));
    free(t);
}

/* A demand rise in one region draws newcomers there. */
static void demand_rise_draws_workers(void **state)
{
    (void)state;
    struct tables *base = malloc(sizeof *base), *boom = malloc(sizeof *boom);
    tables_with("  []\n", base);
    tables_with("  - {event: sector_demand, target: ATY, sector: industry, start: 2025-01-01, "
                "value: 1}\n",
                boom);
    int aty = mig_world_region(&w, "ATY"), tk = area_of("UZ-TK");
    assert_true(probability(boom->region_cdf[tk], aty) > probability(base->region_cdf[tk], aty));
    assert_true(probability(boom->sector_cdf[aty], 4) > probability(base->sector_cdf[aty], 4));
    free(base);
    free(boom);
}

/* A rouble devaluation moves flows from Russia to Kazakhstan. */
static void rouble_devaluation_diverts_to_kazakhstan(void **state)
{
    (void)state;
    struct tables *base = malloc(sizeof *base), *weak = malloc(sizeof *weak);
    tables_with("  []\n", base);
    tables_with("  - {event: exchange_rate_shock, target: RUS, start: 2025-01-01, value: -0.3}\n",
                weak);
    int counted = 0;
    for (int a = 0; a < w.areas; a++) {
        if (base->russia_p[a][0] == 0)
            continue; /* origins without Russia as an alternative */
        counted++;
        assert_true(weak->russia_p[a][0] < base->russia_p[a][0]);
        assert_true(weak->entry_p[a][0] > base->entry_p[a][0]);
    }
    assert_true(counted >= 14 + 5 + 9); /* Uzbek, Tajik and Kyrgyz areas */
    free(base);
    free(weak);
}

/* A higher permit fee moves newcomers into informal work; EAEU members pay
 * none, so theirs does not change. */
static void higher_fee_raises_informal_work(void **state)
{
    (void)state;
    struct tables *base = malloc(sizeof *base), *dear = malloc(sizeof *dear);
    tables_with("  []\n", base);
    tables_with("  - {event: permit_fee, target: all, start: 2025-01-01, value: 60}\n", dear);
    int tk = area_of("UZ-TK"), bishkek = area_of("KG-GB");
    assert_true(dear->informal_p[tk][0] > base->informal_p[tk][0]);
    assert_true(dear->entry_p[tk][0] < base->entry_p[tk][0]);
    assert_true(dear->informal_p[bishkek][0] == base->informal_p[bishkek][0]);
    free(base);
    free(dear);
}

static void closed_border_stops_movement(void **state)
{
    (void)state;
    struct scenario s = sc;
    s.policy.border_open.all = 0;
    s.policy.border_open.count = 0;
    struct tables *t = malloc(sizeof *t), *open = malloc(sizeof *open);
    tables_for(&s, t);
    tables_for(&sc, open);
    for (int a = 0; a < w.areas; a++) {
        assert_true(t->entry_p[a][0] == 0 && t->entry_p[a][1] == 0);
        assert_true(t->visit_p[a][0] == 0);
        /* Those who would have come go to Russia instead, in part. */
        assert_true(t->russia_p[a][0] >= open->russia_p[a][0]);
    }
    for (int o = 0; o < w.origins; o++)
        assert_true(t->return_p[o][0][0][1] == 0);
    free(t);
    free(open);
}

/* The household budget: what is left after the fee, living costs and
 * remittances decides the savings category; dearer living leaves less. */
static void budget_decides_savings(void **state)
{
    (void)state;
    struct tables *t = malloc(sizeof *t);
    tables_for(&sc, t);
    struct population pop = {0};
    struct migrant worker = {.skill = 1, .remit_share = 0.5f, .living_cost = 1};
    pop.migrant = &worker;
    struct budget b = mig_behaviour_budget(t, &pop, 0);
    assert_true(fabs(b.wage - t->wage[0][0][0]) < 1e-3);
    assert_true(fabs(b.sent - 0.5 * b.wage) < 1e-3);
    assert_true(fabs(b.left - (b.wage - b.fee - b.cost - b.sent)) < 1e-9);
    int before = mig_behaviour_savings(t, &b);
    worker.living_cost = 100;
    struct budget dear = mig_behaviour_budget(t, &pop, 0);
    assert_true(dear.left < b.left);
    assert_int_equal(mig_behaviour_savings(t, &dear), 2);
    assert_true(before <= 2);
    /* Informal workers pay no fee and earn less. */
    worker.traits = MIG_INFORMAL;
    worker.living_cost = 1;
    struct budget informal = mig_behaviour_budget(t, &pop, 0);
    assert_true(informal.fee == 0 && informal.wage < b.wage);
    free(t);
}

static void residents_never_move_to_their_own_region(void **state)
{
    (void)state;
    struct tables *t = malloc(sizeof *t);
    tables_for(&sc, t);
    /* Economic, resettlement and study moves leave the region; other and
     * climate moves may stay in it (a registered move between its districts
     * or towns). */
    for (int d = 0; d < MIG_DRIVERS; d++)
        for (int r = 0; r < w.regions; r++) {
            double own = probability(t->residents.dest_cdf[d][r], r);
            if (d == MIG_DRIVER_OTHER || d == MIG_DRIVER_CLIMATE)
                assert_true(own > 0 && own < 1);
            else
                assert_true(own < 1e-15);
            assert_true(fabs(t->residents.dest_cdf[d][r][w.regions - 1] - 1.0) < 1e-12);
        }
    /* Resettlement leads only to programme destinations, and only sources
     * send; the thinning ceiling is the largest step probability. */
    int kos = mig_world_region(&w, "KOS"), tur = mig_world_region(&w, "TUR");
    int ala = mig_world_region(&w, "ALA");
    assert_true(probability(t->residents.dest_cdf[MIG_DRIVER_RESETTLEMENT][tur], kos) > 0);
    assert_true(probability(t->residents.dest_cdf[MIG_DRIVER_RESETTLEMENT][tur], ala) == 0);
    double largest = 0;
    for (int r = 0; r < w.regions; r++)
        for (int a = 0; a < w.ages; a++) {
            largest = fmax(largest, t->residents.move_cum[r][a][MIG_RESIDENT_EVENTS - 1]);
            if (r == kos)
                assert_true(t->residents.move_cum[r][a][MIG_DRIVER_RESETTLEMENT] ==
                            t->residents.move_cum[r][a][MIG_DRIVER_CLIMATE]);
        }
    assert_true(fabs(largest - t->residents.q_move) < 1e-15);
    assert_false(t->migrant_clamped);
    free(t);
}

/* The rounding of events and snapshots is llround()'s for every value at
 * least 0: halves, the doubles either side of them, and 2^53, from where
 * doubles are integers. */
static void rounding_is_llrounds(void **state)
{
    (void)state;
    const double edges[] = {0.0, 0.5, 1.5, 2.5, 1e6 + 0.5, 4503599627370495.5, 9007199254740992.0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (int side = -2; side <= 2; side++) {
            double x = edges[i];
            for (int k = 0; k < side; k++)
                x = nextafter(x, INFINITY);
            for (int k = 0; k > side; k--)
                x = nextafter(x, 0.0);
            assert_int_equal(mig_behaviour_round(x), llround(x));
        }
    for (int i = 0; i < 100000; i++) {
        double x = ldexp((double)((uint64_t)i * 2654435761u % 1000003u), (i % 40) - 20);
        assert_int_equal(mig_behaviour_round(x), llround(x));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rounding_is_llrounds),
        cmocka_unit_test(destination_shares_follow_labour_demand),
        cmocka_unit_test(distance_deters_and_wages_attract),
        cmocka_unit_test(western_route_carries_karakalpaks_west),
        cmocka_unit_test(demand_rise_draws_workers),
        cmocka_unit_test(rouble_devaluation_diverts_to_kazakhstan),
        cmocka_unit_test(higher_fee_raises_informal_work),
        cmocka_unit_test(closed_border_stops_movement),
        cmocka_unit_test(budget_decides_savings),
        cmocka_unit_test(residents_never_move_to_their_own_region),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
