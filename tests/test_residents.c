/* The residents' mechanisms in the direction the data and theory say:
 * births and deaths follow the data's rates, a wage rise in a region raises
 * its net inflow, a drought raises departures from the struck region, and
 * without a change in the drivers the moves are stationary. */
#include "helpers.h"
#include "migsim/behaviour.h"
#include "migsim/simulation.h"

#include <math.h>
#include <omp.h>

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

static double probability(const double *cdf, int i)
{
    return cdf[i] - (i ? cdf[i - 1] : 0.0);
}

/* Expected interregional moves per step [from][to] from the tables, for the
 * 2024 population with the national age structure. */
static void expected_flows(const struct resident_tables *t, double flows[][MIG_MAX_REGIONS])
{
    memset(flows, 0, sizeof(double) * MIG_MAX_REGIONS * MIG_MAX_REGIONS);
    for (int r = 0; r < w.regions; r++)
        for (int a = 0; a < w.ages; a++) {
            double before = 0;
            for (int d = 0; d < MIG_DRIVERS; d++) {
                double p = t->move_cum[r][a][d] - before;
                before = t->move_cum[r][a][d];
                for (int to = 0; to < w.regions; to++)
                    if (to != r)
                        flows[r][to] += w.region_people_2024[r] * w.age_share[a] * p *
                                        probability(t->dest_cdf[d][r], to);
            }
        }
}

static double net_inflow(double flows[][MIG_MAX_REGIONS], int r)
{
    double net = 0;
    for (int j = 0; j < w.regions; j++)
        net += flows[j][r] - flows[r][j];
    return net;
}

static double outflow(double flows[][MIG_MAX_REGIONS], int r)
{
    double out = 0;
    for (int j = 0; j < w.regions; j++)
        out += flows[r][j];
    return out;
}

static void tables_on(const struct scenario *s, const struct world *ww, long day,
                      struct conditions *c, struct resident_tables *t)
{
    mig_policy_conditions(s, ww, day, 7, c);
    mig_residents_tables(s, ww, c, t);
}

static void wage_rise_raises_net_inflow(void **state)
{
    (void)state;
    struct resident_tables *t = malloc(sizeof *t), *rich = malloc(sizeof *rich);
    double(*before)[MIG_MAX_REGIONS] = calloc(MIG_MAX_REGIONS, sizeof *before);
    double(*after)[MIG_MAX_REGIONS] = calloc(MIG_MAX_REGIONS, sizeof *after);
    struct conditions c;
    tables_on(&sc, &w, sc.start + 140, &c, t);
    expected_flows(t, before);
    /* A region above and one below the mean income, a city and an oblast. */
    const char *codes[] = {"KAR", "TUR", "AST", "MAN"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int r = mig_world_region(&w, codes[i]);
        mig_policy_conditions(&sc, &w, sc.start + 140, 7, &c);
        c.region_wage_usd[r] *= 1.2;
        mig_residents_tables(&sc, &w, &c, rich);
        expected_flows(rich, after);
        assert_true(net_inflow(after, r) > net_inflow(before, r) + 1e-9);
        assert_true(outflow(after, r) < outflow(before, r));
    }
    free(t);
    free(rich);
    free(before);
    free(after);
}

static void drought_raises_departures_from_the_struck_region(void **state)
{
    (void)state;
    struct resident_tables *t = malloc(sizeof *t), *dry = malloc(sizeof *dry);
    double(*before)[MIG_MAX_REGIONS] = calloc(MIG_MAX_REGIONS, sizeof *before);
    double(*after)[MIG_MAX_REGIONS] = calloc(MIG_MAX_REGIONS, sizeof *after);
    struct conditions c;
    tables_on(&sc, &w, sc.start + 140, &c, t);
    expected_flows(t, before);
    int kzy = mig_world_region(&w, "KZY"), ast = mig_world_region(&w, "AST");
    double push = c.region_climate_push[kzy];
    c.region_climate[kzy] = fmin(1.0, c.region_climate[kzy] + 0.15);
    mig_residents_climate_push(&w, &c);
    /* The push is exposure x hazard: the farm share times the stress. */
    assert_true(fabs(c.region_climate_push[kzy] - w.agri_share[kzy] * c.region_climate[kzy]) <
                1e-12);
    assert_true(c.region_climate_push[kzy] > push);
    mig_residents_tables(&sc, &w, &c, dry);
    expected_flows(dry, after);
    assert_true(outflow(after, kzy) > outflow(before, kzy));
    assert_true(net_inflow(after, kzy) < net_inflow(before, kzy));
    /* Climate moves, and their share, rise; another region's do not. */
    for (int a = 0; a < w.ages; a++) {
        double p0 = t->move_cum[kzy][a][MIG_DRIVER_CLIMATE] - t->move_cum[kzy][a][0];
        double p1 = dry->move_cum[kzy][a][MIG_DRIVER_CLIMATE] - dry->move_cum[kzy][a][0];
        assert_true(p1 > p0);
        assert_true(dry->move_cum[ast][a][MIG_DRIVER_CLIMATE] ==
                    t->move_cum[ast][a][MIG_DRIVER_CLIMATE]);
    }
    /* A region with few farm workers is barely exposed. */
    assert_true(c.region_climate_push[ast] < 0.1 * c.region_climate_push[kzy]);
    free(t);
    free(dry);
    free(before);
    free(after);
}

/* Without events, the tables of one day are those of the same day two years
 * later: no trend. */
static void without_drivers_moves_are_stationary(void **state)
{
    (void)state;
    struct resident_tables *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct conditions c;
    tables_on(&sc, &w, sc.start + 140, &c, a);
    tables_on(&sc, &w, sc.start + 140 + 728, &c, b);
    assert_memory_equal(a->move_cum, b->move_cum, sizeof a->move_cum);
    assert_memory_equal(a->dest_cdf, b->dest_cdf, sizeof a->dest_cdf);
    free(a);
    free(b);
}

static double window(const struct stats *s, const double *series, int from, int to)
{
    double total = 0;
    size_t R = (size_t)s->regions;
    for (int t = from; t < to; t++)
        for (size_t r = 0; r < R; r++)
            total += series[(size_t)t * R + r];
    return total;
}

/* A year of the baseline at scale 40: births and deaths are the data's
 * crude rates times the residents, within sampling error; the population
 * grows; the oldest band grows as people age into it. */
static void births_and_deaths_follow_the_rates(void **state)
{
    (void)state;
    struct simulation sim;
    omp_set_num_threads(2);
    struct overrides o = {-1, 40};
    assert_int_equal(mig_simulation_load(&sim, BASELINE, &o), 0);
    int oldest = sim.world.ages - 1;
    uint64_t old_before = 0, old_after = 0;
    for (uint64_t id = 0; id < sim.population.residents; id++)
        old_before += sim.population.resident[id].region != MIG_NOBODY &&
                      (sim.population.resident[id].person & 0x7F) == oldest;
    assert_int_equal(mig_simulation_run(&sim, 1, NULL, NULL), 0);
    const struct stats *s = &sim.runs[0];
    int year = 52;
    double expected_births = 0, expected_deaths = 0;
    for (int r = 0; r < s->regions; r++) {
        double people = 0;
        for (int t = 0; t < year; t++)
            people += s->resident_population[(size_t)t * (size_t)s->regions + (size_t)r] *
                      s->step_days[t] / 365.25;
        expected_births += sim.world.birth_rate[r] / 1000 * people;
        expected_deaths += sim.world.death_rate[r] / 1000 * people;
    }
    double births = window(s, s->births, 0, year), deaths = window(s, s->deaths, 0, year);
    /* Births and deaths over 1000 or more agents: 5% is several sd. */
    assert_true(fabs(births / expected_births - 1) < 0.05);
    assert_true(fabs(deaths / expected_deaths - 1) < 0.05);
    /* National crude rates near BNS 2024 (18.29 and 6.63 per 1000). */
    double people = window(s, s->resident_population, 0, year) / year;
    assert_true(fabs(births / people * 1000 - 18.29) < 1.0);
    assert_true(fabs(deaths / people * 1000 - 6.63) < 0.5);
    double end = 0, start = 0;
    for (int r = 0; r < s->regions; r++) {
        start += (double)mig_population_residents_of(&sim.scenario, &sim.world, r) * s->scale;
        end += s->resident_population[(size_t)(s->steps - 1) * (size_t)s->regions + (size_t)r];
    }
    assert_true(end > start);
    for (uint64_t id = 0; id < sim.population.residents; id++)
        old_after += sim.population.resident[id].region != MIG_NOBODY &&
                     (sim.population.resident[id].person & 0x7F) == oldest;
    assert_true(old_after > old_before);
    mig_simulation_free(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wage_rise_raises_net_inflow),
        cmocka_unit_test(drought_raises_departures_from_the_struck_region),
        cmocka_unit_test(without_drivers_moves_are_stationary),
        cmocka_unit_test(births_and_deaths_follow_the_rates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
