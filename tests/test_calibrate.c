/* Parameter recovery: targets generated from a run with known parameter
 * values are fitted from a deliberately wrong start, and the known values
 * come back. A one-year run at a small scale keeps it to seconds. */
#include "helpers.h"
#include "migsim/calibrate.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <omp.h>

static const char *dir;
static char truth[512], start[512], targets[512], coarse[512];

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
    /* The ABC-SMC mechanics (threads, priors) at a coarser scale: quicker. */
    snprintf(coarse, sizeof coarse, "%s",
             test_file(dir, "coarse.yaml", "extends: start.yaml\nscale: 400\n"));
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

/* Runs an ABC-SMC calibration and returns what it printed. */
static char *abc(int threads, const char *prior, int budget, int *status)
{
    char out[512];
    snprintf(out, sizeof out, "%s/abc", dir);
    struct calibrate_options o = {
        .scenario = coarse,
        .targets = {targets},
        .target_files = 1,
        .free = {"migrants.entry_rate:0.05:0.8", "migrants.visit_rate:0.5:6"},
        .free_count = 2,
        .method = "abc-smc",
        .replicates = 1,
        .budget = budget,
        .particles = 6,
        .prior = prior,
        .output = out,
        .command_line = "test"};
    char *text = NULL;
    size_t size = 0;
    FILE *log = open_memstream(&text, &size);
    omp_set_num_threads(threads);
    *status = mig_calibrate(&o, log);
    fclose(log);
    return text;
}

/* The posterior does not depend on the thread count: proposals are indexed
 * within their generation and taken in order up to the N-th acceptance. (With
 * the proposal counter carried over between generations, 3 threads gave a
 * different fourth generation than 1.) */
static void abc_is_independent_of_threads(void **state)
{
    (void)state;
    int status;
    char *one = abc(1, NULL, 50, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(one, "generation 2 accepted 6 particles"));
    for (int threads = 2; threads <= 3; threads++) {
        char *more = abc(threads, NULL, 50, &status);
        assert_int_equal(status, 0);
        if (strcmp(one, more) != 0)
            fail_msg("1 thread:\n%s\n%d threads:\n%s", one, threads, more);
        free(more);
    }
    free(one);
    omp_set_num_threads(2);
}

/* Writes a trace with generations 0 (three particles) and 1 (one particle,
 * cut off by the budget); `complete` generations are marked complete. */
static const char *hand_trace(const char *name, int complete)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    double theta[] = {0.25, 2.0, 0.3, 2.5, 0.35, 3.0, 0.31, 2.6}, weight[] = {1, 1, 1, 1};
    int generation[] = {0, 0, 0, 1};
    hsize_t dims[2] = {4, 2}, rows = 4;
    H5LTmake_dataset_double(file, "parameters", 2, dims, theta);
    H5LTmake_dataset_double(file, "weight", 1, &rows, weight);
    H5LTmake_dataset_int(file, "generation", 1, &rows, generation);
    H5LTset_attribute_string(file, "/", "method", "abc-smc");
    H5LTset_attribute_string(file, "/", "parameter_names",
                             "migrants.entry_rate,migrants.visit_rate");
    H5LTset_attribute_int(file, "/", "complete_generations", &complete, 1);
    H5Fclose(file);
    return path;
}

/* --prior takes the last COMPLETE generation and refuses fewer than two
 * particles (one particle made a kernel of zero width). */
static void prior_is_the_last_complete_generation(void **state)
{
    (void)state;
    int status;
    free(abc(2, hand_trace("complete1.h5", 1), 12, &status));
    assert_int_equal(status, 0);
    free(abc(2, hand_trace("complete2.h5", 2), 12, &status));
    assert_int_equal(status, MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "has 1 particle(s)"));
    /* A calibration whose last generation the budget cut off marks it. */
    char *text = abc(2, NULL, 10, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(text, "generation 1 cut off by the budget"));
    free(text);
    char trace[600];
    snprintf(trace, sizeof trace, "%s/abc.h5", dir);
    hid_t file = H5Fopen(trace, H5F_ACC_RDONLY, H5P_DEFAULT);
    int complete = 0;
    assert_true(H5LTget_attribute_int(file, "/", "complete_generations", &complete) >= 0);
    H5Fclose(file);
    assert_int_equal(complete, 1);
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
        cmocka_unit_test(abc_is_independent_of_threads),
        cmocka_unit_test(prior_is_the_last_complete_generation),
        cmocka_unit_test(bad_requests),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
