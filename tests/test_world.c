/* The data folder: what is read, and located errors for bad data. */
#include "helpers.h"
#include "migsim/error.h"
#include "migsim/world.h"

#include <math.h>

/* A scenario whose data folder is a copy of the shipped one, with one file
 * replaced by `text` (or none when name is NULL). */
static int load_with(const char *name, const char *text, struct world *w)
{
    const char *dir = test_folder();
    char command[1024];
    snprintf(command, sizeof command, "cp -r '%s' '%s/data'", DATA_DIR, dir);
    assert_int_equal(system(command), 0);
    if (name) {
        char file[256];
        snprintf(file, sizeof file, "data/%s", name);
        test_file(dir, file, text);
    }
    struct scenario sc;
    assert_int_equal(mig_scenario_load(&sc, test_file(dir, "s.yaml", "name: t\n")), 0);
    int status = mig_world_load(w, &sc);
    mig_scenario_free(&sc);
    return status;
}

static void reads_the_shipped_data(void **state)
{
    (void)state;
    struct world w;
    assert_int_equal(load_with(NULL, NULL, &w), 0);
    assert_int_equal(w.regions, 20);
    assert_int_equal(w.origins, 6);
    assert_int_equal(w.sectors, 8);
    assert_int_equal(w.ages, 7);
    double people = 0, shares = 0;
    for (int r = 0; r < w.regions; r++)
        people += w.region_population[r];
    for (int o = 0; o < w.origins; o++)
        shares += w.origin_share[o];
    assert_true(fabs(people - 20.48e6) < 0.05e6);
    assert_true(fabs(shares - 1.0) < 1e-12);
    int uzb = mig_world_origin(&w, "UZB"), ala = mig_world_region(&w, "ALA");
    int oth = mig_world_origin(&w, "OTH"), ast = mig_world_region(&w, "AST");
    assert_true(fabs(w.distance_km[uzb][ala] - 671.9) < 0.1);
    assert_true(isnan(w.distance_km[oth][ala]));
    /* Computed distances agree with the shipped great-circle table. */
    assert_true(fabs(w.region_distance_km[ala][ast] - 970) < 15);
    assert_true(w.region_distance_km[ala][ala] == 0);
    assert_true(w.student_age >= 0);
}

static void expect(const char *name, const char *text, const char *message)
{
    struct world w;
    assert_int_equal(load_with(name, text, &w), MIG_EINPUT);
    if (!strstr(mig_strerror(), message))
        fail_msg("expected '%s' in '%s'", message, mig_strerror());
}

static void bad_data_is_located(void **state)
{
    (void)state;
    expect("sectors.csv", "code,name,wage_factor,demand_weight,seasonal,source\nc,C,abc,0.3,1,x\n",
           "sectors.csv:2:5: error: expected a number for 'wage_factor', found 'abc'");
    expect("sectors.csv", "code,name,wage_factor,seasonal,source\nc,C,1,1,x\n",
           "sectors.csv:1:1: error: expected a column named 'demand_weight'");
    expect("distances.csv", "origin_code,region_code,great_circle_km,source\nUZB,XXX,100,x\n",
           "distances.csv:2:5: error: unknown region code 'XXX'");
    expect("age_bands.csv", "code,name,population_share,mobility_factor,source\nA,0-99,0.5,1,x\n",
           "age_bands.csv: error: population shares add to 0.5; expected 1");
    expect("origins.csv", "", "origins.csv:1:1: error: expected a header row");
    struct world w;
    const char *dir = test_folder();
    struct scenario sc;
    assert_int_equal(mig_scenario_load(&sc, test_file(dir, "s.yaml", "data: nowhere\n")), 0);
    assert_int_equal(mig_world_load(&w, &sc), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "nowhere/kz_regions.csv: error: cannot read"));
    mig_scenario_free(&sc);
}

static void unknown_codes_in_the_scenario(void **state)
{
    (void)state;
    const char *dir = test_folder();
    char command[1024];
    snprintf(command, sizeof command, "cp -r '%s' '%s/data'", DATA_DIR, dir);
    assert_int_equal(system(command), 0);
    struct scenario sc;
    struct world w;
    assert_int_equal(
        mig_scenario_load(&sc, test_file(dir, "s.yaml", "policy:\n  quota: {UZB: 5, XYZ: 1}\n")),
        0);
    assert_int_equal(mig_world_load(&w, &sc), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "s.yaml:2:19: error: unknown origin code 'XYZ' in "
                                           "'policy.quota'"));
    mig_scenario_free(&sc);
    assert_int_equal(mig_scenario_load(&sc, test_file(dir, "s.yaml",
                                                      "residents:\n  education_centres: [AST, "
                                                      "QQQ]\n")),
                     0);
    assert_int_equal(mig_world_load(&w, &sc), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "s.yaml:2:28: error: unknown region code 'QQQ'"));
    mig_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_shipped_data),
        cmocka_unit_test(bad_data_is_located),
        cmocka_unit_test(unknown_codes_in_the_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
