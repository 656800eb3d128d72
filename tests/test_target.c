/* The figures file, and checks of figures against the run. */
#include "helpers.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <math.h>

static const char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_folder();
    return 0;
}

static void expect(const char *text, const char *message)
{
    struct targets list;
    assert_int_equal(mig_targets_load(&list, test_file(dir, "t.yaml", text)), MIG_EINPUT);
    if (!strstr(mig_strerror(), message))
        fail_msg("expected '%s' in '%s'", message, mig_strerror());
}

static void loads_the_baseline_figures(void **state)
{
    (void)state;
    struct targets list;
    assert_int_equal(mig_targets_load(&list, MIGSIM_SOURCE_DIR "/scenarios/targets/baseline.yaml"),
                     0);
    assert_int_equal(list.count, 21);
    assert_string_equal(list.items[0].id, "stock_round5");
    assert_true(list.items[0].lo == 529000 * 0.97 && list.items[0].hi == 529000 * 1.03);
    assert_true(list.items[20].lo == 5 && list.items[20].hi == 20);
    mig_targets_free(&list);
}

static void bad_figures_are_located(void **state)
{
    (void)state;
    const char *head = "figures:\n  - id: a\n    statistic: migrant_stock\n";
    char text[512];
    snprintf(text, sizeof text,
             "%s    date: 2025-01-01\n    value: 5\n    tolerance: {range: [3, 1]}\n", head);
    expect(text, "t.yaml:6:25: error: 'range' is inverted");
    snprintf(text, sizeof text,
             "%s    date: 2025-01-01\n    value: x\n    tolerance: {absolute: 1}\n", head);
    expect(text, "t.yaml:5:12: error: 'value' expects a number, found 'x'");
    snprintf(text, sizeof text,
             "%s    date: 2025-01-01\n    vlaue: 1\n    tolerance: {absolute: 1}\n", head);
    expect(text, "t.yaml:5:5: error: unknown key 'vlaue' in a figure");
    snprintf(text, sizeof text, "%s    date: 2025-01-01\n    value: 1\n", head);
    expect(text, "t.yaml:2:5: error: a figure expects 'id', 'statistic' and either 'tolerance' or "
                 "'uncertainty'");
    snprintf(text, sizeof text,
             "%s    date: 2025-01-01\n    value: 5\n    uncertainty: {sd: 1, interval: [1, 2]}\n",
             head);
    expect(text, "t.yaml:6:19: error: 'uncertainty' expects one of sd, interval");
    snprintf(text, sizeof text, "%s    date: 2025-01-01\n    value: 5\n    uncertainty: {sd: -1}\n",
             head);
    expect(text, "t.yaml:6:23: error: 'sd' must be positive");
    snprintf(text, sizeof text,
             "%s    date: 2025-01-01\n    value: 5\n    sample: 3\n    uncertainty: {sd: 1}\n",
             head);
    expect(text, "t.yaml:6:13: error: 'sample' expects a whole number of respondents");
    snprintf(text, sizeof text,
             "%s    from: 2025-03-01\n    to: 2025-01-01\n    tolerance: {range: [1, 2]}\n", head);
    expect(text, "t.yaml:5:9: error: 'to' is before 'from'");
    snprintf(text, sizeof text, "%s    date: 2025-01-01\n    tolerance: {relative: 0.1}\n", head);
    expect(text, "t.yaml:5:17: error: an absolute or relative tolerance needs a 'value'");
    expect("figures: 3\n", "t.yaml:1:10: error: expected a mapping with a list 'figures:'");
}

/* Each form of uncertainty gives a standard deviation, a 90% interval and a
 * standardised error. */
static void uncertainties(void **state)
{
    (void)state;
    struct targets list;
    const char *text =
        "figures:\n"
        "  - {id: a, statistic: remitter_share, date: 2025-07-15, value: 31, uncertainty: {survey: "
        "2115}}\n"
        "  - {id: b, statistic: remitter_share, date: 2025-07-15, value: 31, uncertainty: {sd: "
        "2}}\n"
        "  - {id: c, statistic: send_51_75_share, date: 2025-07-15, uncertainty: {at_least: 43}}\n"
        "  - {id: d, statistic: climate_move_share, from: 2025-01-01, to: 2025-06-30, uncertainty: "
        "{interval: [5, 20]}}\n";
    assert_int_equal(mig_targets_load(&list, test_file(dir, "u.yaml", text)), 0);
    const struct target *t = list.items;
    assert_true(fabs(t[0].sd - 100 * sqrt(0.31 * 0.69 / 2115)) < 1e-9);
    /* A simulated 29% from a survey of 2,115 against an observed 31%: no miss. */
    double sim_sd = 100 * sqrt(0.29 * 0.71 / 2115);
    assert_true(mig_target_inside(&t[0], 29, sim_sd));
    assert_false(mig_target_inside(&t[0], 25, sim_sd));
    assert_true(fabs(mig_target_error(&t[1], 35, 0) - 2.0) < 1e-12);
    assert_true(mig_target_error(&t[2], 50, 0) == 0 && mig_target_error(&t[2], 40, 0) < 0);
    assert_true(mig_target_error(&t[3], 12, 0) == 0 && mig_target_error(&t[3], 25, 0) > 0);
    mig_targets_free(&list);
}

/* "Inside its 90% interval" is exactly the interval: a range or bound adds
 * no observed spread beyond its edges (only the simulated estimate's own
 * sampling error), and a value with an asymmetric interval keeps each
 * side's spread. */
static void inside_is_exact(void **state)
{
    (void)state;
    struct targets list;
    const char *text =
        "figures:\n"
        "  - {id: a, statistic: climate_move_share, from: 2025-01-01, to: 2025-06-30, uncertainty: "
        "{interval: [5, 20]}}\n"
        "  - {id: b, statistic: send_51_75_share, date: 2025-07-15, uncertainty: {at_least: 43, "
        "sd: 2}}\n"
        "  - {id: c, statistic: remitter_share, date: 2025-07-15, value: 10, uncertainty: "
        "{interval: [5, 20]}, role: validate}\n"
        "  - {id: d, statistic: remitter_share, date: 2025-07-15, value: 10, uncertainty: {sd: 1},"
        " role: input}\n";
    assert_int_equal(mig_targets_load(&list, test_file(dir, "x.yaml", text)), 0);
    const struct target *t = list.items;
    /* [5, 20] used to accept -2.5 to 27.5. */
    assert_true(mig_target_inside(&t[0], 12, 0));
    assert_true(mig_target_inside(&t[0], 20, 0) && mig_target_inside(&t[0], 5, 0));
    assert_false(mig_target_inside(&t[0], 20.1, 0));
    assert_false(mig_target_inside(&t[0], 4.9, 0));
    assert_false(mig_target_inside(&t[0], 27, 0));
    /* At least 43: a simulated survey estimate with sd 1 may fall 1.645 below. */
    assert_true(mig_target_inside(&t[1], 41.5, 1));
    assert_false(mig_target_inside(&t[1], 41, 1));
    assert_false(mig_target_inside(&t[1], 42.9, 0));
    /* 10 in [5, 20]: each side has its own spread; the edges are exact. */
    assert_true(mig_target_inside(&t[2], 19.9, 0) && !mig_target_inside(&t[2], 20.1, 0));
    assert_true(mig_target_inside(&t[2], 5.1, 0) && !mig_target_inside(&t[2], 4.9, 0));
    assert_true(fabs(mig_target_error(&t[2], 20, 0) - 1.6448536269514722) < 1e-9);
    assert_true(fabs(mig_target_error(&t[2], 5, 0) + 1.6448536269514722) < 1e-9);
    assert_int_equal(t[0].role, MIG_ROLE_FIT);
    assert_int_equal(t[2].role, MIG_ROLE_VALIDATE);
    assert_int_equal(t[3].role, MIG_ROLE_INPUT);
    assert_string_equal(mig_role_name(t[2].role), "validate");
    mig_targets_free(&list);
    expect("figures:\n  - {id: c, statistic: remitter_share, date: 2025-07-15, value: 30, "
           "uncertainty: {interval: [5, 20]}}\n",
           "t.yaml:2:94: error: the value 30 lies outside its interval [5, 20]");
    expect("figures:\n  - {id: c, statistic: remitter_share, date: 2025-07-15, value: 10, "
           "uncertainty: {sd: 1}, role: fitted}\n",
           "t.yaml:2:97: error: 'role' expects fit, validate or input, found 'fitted'");
}

static void figures_are_checked_against_the_run(void **state)
{
    (void)state;
    struct simulation sim;
    char scenario[512];
    snprintf(scenario, sizeof scenario, "name: t\ndata: %s\ntargets: t.yaml\n", DATA_DIR);
    char path[512];
    snprintf(path, sizeof path, "%s", test_file(dir, "s.yaml", scenario));
    const char *head = "figures:\n  - id: a\n";
    const char *cases[][2] = {
        {"    statistic: migrant_stok\n    date: 2025-01-01\n    value: 1\n    tolerance: "
         "{absolute: 1}\n",
         "t.yaml:3:16: error: figure 'a': unknown statistic 'migrant_stok'"},
        {"    statistic: origin_share\n    key: XXX\n    date: 2025-01-01\n    value: 1\n    "
         "tolerance: {absolute: 1}\n",
         "t.yaml:4:10: error: figure 'a': statistic 'origin_share' expects a 'key' naming a known "
         "origin, found 'XXX'"},
        {"    statistic: migrant_stock\n    date: 2031-01-01\n    value: 1\n    tolerance: "
         "{absolute: 1}\n",
         "t.yaml:4:11: error: figure 'a' is dated outside the run"},
        {"    statistic: internal_moves\n    date: 2025-01-01\n    value: 1\n    tolerance: "
         "{absolute: 1}\n",
         "t.yaml:4:11: error: figure 'a': statistic 'internal_moves' is taken over a window"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", head, cases[i][0]);
        test_file(dir, "t.yaml", text);
        assert_int_equal(mig_simulation_load(&sim, path, NULL), MIG_EINPUT);
        if (!strstr(mig_strerror(), cases[i][1]))
            fail_msg("expected '%s' in '%s'", cases[i][1], mig_strerror());
        mig_simulation_free(&sim);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_the_baseline_figures),
        cmocka_unit_test(bad_figures_are_located),
        cmocka_unit_test(uncertainties),
        cmocka_unit_test(inside_is_exact),
        cmocka_unit_test(figures_are_checked_against_the_run),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
