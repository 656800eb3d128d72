/* Parameter recovery: targets generated from a run with known parameter
 * values are fitted from a deliberately wrong start, and the known values
 * come back. A one-year run at a small scale keeps it to seconds. */
#include "helpers.h"
#include "migsim/calibrate.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <math.h>

static const char *dir;
static char truth[512], start[512], targets[512];

static int setup(void **state)
{
    (void)state;
    dir = test_folder();
    char text[1024];
    snprintf(text, sizeof text,
             "name: recovery\nstart: 2024-01-01\nend: 2024-12-31\nseed: 11\nscale: 100\n"
             "data: %s\nmigrants:\n  entry_rate: 0.30\n  visit_rate: 2.6\n",
             DATA_DIR);
    snprintf(truth, sizeof truth, "%s", test_file(dir, "truth.yaml", text));
    snprintf(text, sizeof text,
             "name: recovery\nstart: 2024-01-01\nend: 2024-12-31\nseed: 11\nscale: 100\n"
             "data: %s\nmigrants:\n  entry_rate: 0.20\n  visit_rate: 1.5\n",
             DATA_DIR);
    snprintf(start, sizeof start, "%s", test_file(dir, "start.yaml", text));
    return 0;
}

/* Writes targets whose values are the truth run's statistics. */
static void make_targets(void)
{
    const char *shape = "figures:\n"
                        "  - {id: stock, statistic: migrant_stock, date: 2024-10-15, value: 1, "
                        "uncertainty: {sd: 1}}\n"
                        "  - {id: visits, statistic: visited_home_6m, date: 2024-10-15, value: 1, "
                        "uncertainty: {sd: 1}}\n"
                        "  - {id: arrivals, statistic: arrivals, from: 2024-03-01, to: 2024-09-30, "
                        "value: 1, uncertainty: {sd: 1}}\n";
    const char *paths[] = {test_file(dir, "shape.yaml", shape)};
    struct simulation sim;
    int outside;
    assert_int_equal(mig_simulation_load(&sim, truth, NULL), 0);
    assert_int_equal(mig_simulation_use_targets(&sim, paths, 1), 0);
    assert_int_equal(mig_simulation_run(&sim, 1, NULL, NULL), 0);
    assert_int_equal(mig_simulation_figures(&sim, &outside), 0);
    char text[1024];
    snprintf(text, sizeof text,
             "figures:\n"
             "  - {id: stock, statistic: migrant_stock, date: 2024-10-15, value: %.10g, "
             "uncertainty: {sd: %.10g}}\n"
             "  - {id: visits, statistic: visited_home_6m, date: 2024-10-15, value: %.10g, "
             "uncertainty: {sd: 0.5}}\n"
             "  - {id: arrivals, statistic: arrivals, from: 2024-03-01, to: 2024-09-30, value: "
             "%.10g, uncertainty: {sd: %.10g}}\n",
             sim.results[0].simulated, 0.005 * sim.results[0].simulated, sim.results[1].simulated,
             sim.results[2].simulated, 0.01 * sim.results[2].simulated);
    snprintf(targets, sizeof targets, "%s", test_file(dir, "targets.yaml", text));
    mig_simulation_free(&sim);
}

static void recovers_known_values(void **state)
{
    (void)state;
    make_targets();
    char out[512];
    snprintf(out, sizeof out, "%s/fit", dir);
    struct calibrate_options o = {
        .scenario = start,
        .targets = {targets},
        .target_files = 1,
        .free = {"migrants.entry_rate:0.05:0.8", "migrants.visit_rate:0.5:6"},
        .free_count = 2,
        .method = "nelder-mead",
        .replicates = 1,
        .budget = 80,
        .output = out,
        .command_line = "test"};
    FILE *log = fopen("/dev/null", "w");
    assert_int_equal(mig_calibrate(&o, log), 0);
    fclose(log);
    char fitted[600];
    snprintf(fitted, sizeof fitted, "%s.yaml", out);
    struct scenario sc;
    assert_int_equal(mig_scenario_load(&sc, fitted), 0);
    /* Common random numbers make the truth an exact optimum; allow for the
     * simplex's own tolerance. */
    assert_true(fabs(sc.migrants.entry_rate / 0.30 - 1) < 0.05);
    assert_true(fabs(sc.migrants.visit_rate / 2.6 - 1) < 0.05);
    assert_int_equal(sc.files, 2); /* it extends the start */
    mig_scenario_free(&sc);
}

static void bad_requests(void **state)
{
    (void)state;
    struct calibrate_options o = {.scenario = start,
                                  .targets = {targets},
                                  .target_files = 1,
                                  .free = {"migrants.no_such"},
                                  .free_count = 1,
                                  .method = "nelder-mead",
                                  .replicates = 1,
                                  .budget = 5,
                                  .output = "/nonexistent/x"};
    assert_int_equal(mig_calibrate(&o, stdout), MIG_EINPUT);
    o.free[0] = "migrants.entry_propensity";
    assert_int_equal(mig_calibrate(&o, stdout), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "name one origin"));
    o.free[0] = "migrants.entry_rate:0:1000";
    assert_int_equal(mig_calibrate(&o, stdout), MIG_EINPUT);
    o.free[0] = "migrants.entry_rate";
    o.method = "simplex";
    assert_int_equal(mig_calibrate(&o, stdout), MIG_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovers_known_values),
        cmocka_unit_test(bad_requests),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
