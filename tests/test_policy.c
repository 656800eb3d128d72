/* The timeline: reading events, ramps, and their effect on the conditions
 * of a step. */
#include "helpers.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/policy.h"

#include <math.h>

static const char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_folder();
    char command[1024];
    snprintf(command, sizeof command, "cp -r '%s' '%s/data'", DATA_DIR, dir);
    return system(command);
}

static long day(const char *text)
{
    long d = 0;
    assert_true(mig_date_parse(text, &d));
    return d;
}

static void ramps(void **state)
{
    (void)state;
    struct mig_event e = {.start = day("2025-01-01"), .end = day("2025-12-31"), .ramp_days = 10};
    assert_true(mig_event_strength(&e, day("2024-12-31")) == 0);
    assert_true(fabs(mig_event_strength(&e, day("2025-01-05")) - 0.5) < 1e-12);
    assert_true(mig_event_strength(&e, day("2025-06-01")) == 1);
    assert_true(mig_event_strength(&e, day("2026-01-01")) == 0);
}

static void events_change_conditions(void **state)
{
    (void)state;
    const char *path = test_file(
        dir, "s.yaml",
        "timeline:\n"
        "  - {event: exchange_rate_shock, target: RUS, start: 2025-01-01, value: -0.3}\n"
        "  - {event: border_closed, target: TJK, start: 2025-02-01, end: 2025-03-01}\n"
        "  - {event: permit_fee, target: all, start: 2025-02-01, value: 40}\n"
        "  - {event: climate_shock, target: KZY, start: 2025-02-01, value: 0.5}\n"
        "  - {event: sector_demand, target: ATY, sector: industry, start: 2025-02-01, value: 1}\n"
        "  - {event: resettlement, target: NKZ, start: 2025-02-01, value: 5000, subsidy_usd: 900}\n"
        "  - {event: remittance_fee, start: 2025-02-01, value: 0.05}\n");
    struct scenario sc;
    struct world w;
    assert_int_equal(mig_scenario_load(&sc, path), 0);
    assert_int_equal(sc.timeline.count, 7);
    assert_int_equal(mig_world_load(&w, &sc), 0);
    struct conditions before, during, after;
    mig_policy_conditions(&sc, &w, day("2024-06-01"), 7, &before);
    mig_policy_conditions(&sc, &w, day("2025-02-10"), 7, &during);
    mig_policy_conditions(&sc, &w, day("2025-06-10"), 7, &after);
    int rus = mig_world_origin(&w, "RUS"), tjk = mig_world_origin(&w, "TJK");
    int uzb = mig_world_origin(&w, "UZB"), kgz = mig_world_origin(&w, "KGZ");
    int kzy = mig_world_region(&w, "KZY"), aty = mig_world_region(&w, "ATY");
    int nkz = mig_world_region(&w, "NKZ");
    assert_true(fabs(during.origin_wage_usd[rus] - 0.7 * before.origin_wage_usd[rus]) < 1e-9);
    assert_true(before.border_open[tjk] == 1 && during.border_open[tjk] == 0 &&
                after.border_open[tjk] == 1);
    assert_true(during.permit_fee_usd[uzb] == 40 && during.permit_fee_usd[kgz] == 0);
    assert_true(during.region_climate[kzy] == 1.0); /* 0.85 + 0.5, capped */
    assert_true(during.demand_shock[aty][4] == 2.0 && before.demand_shock[aty][4] == 1.0);
    assert_true(during.resettlement_quota[nkz] == 5000 && during.resettlement_subsidy[nkz] == 900);
    assert_true(fabs(during.remittance_fee - 0.05) < 1e-12 && before.remittance_fee == 0.01);
    mig_scenario_free(&sc);
}

static void extends_merges_and_appends(void **state)
{
    (void)state;
    test_file(dir, "parent.yaml",
              "name: parent\nseed: 5\nmigrants:\n  visit_rate: 3\n"
              "timeline:\n  - {event: border_closed, target: TJK, start: 2025-01-01}\n");
    const char *path =
        test_file(dir, "child.yaml",
                  "extends: parent.yaml\nname: child\n"
                  "timeline:\n  - {event: quota, target: UZB, start: 2024-06-01, value: 1000}\n");
    struct scenario sc;
    assert_int_equal(mig_scenario_load(&sc, path), 0);
    assert_string_equal(sc.name, "child");
    assert_true(sc.seed == 5 && sc.migrants.visit_rate == 3);
    assert_int_equal(sc.timeline.count, 2);
    assert_int_equal(sc.files, 2);
    assert_non_null(strstr(sc.text, "parent.yaml ----"));
    assert_non_null(strstr(sc.text, "child.yaml ----"));
    assert_int_equal(mig_timeline_first_day(&sc.timeline), day("2024-06-01"));
    mig_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ramps),
        cmocka_unit_test(events_change_conditions),
        cmocka_unit_test(extends_merges_and_appends),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
