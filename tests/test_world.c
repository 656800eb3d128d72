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
    /* Regional employment by sector adds up to each region's blocks, and
     * the national sector totals are those of sectors.csv. */
    for (int k = 0; k < w.sectors; k++) {
        double total = 0;
        for (int r = 0; r < w.regions; r++)
            total += w.employed[r][k];
        assert_true(fabs(total / 1000.0 - w.sector_employed_kz[k]) < 0.01 * w.sector_employed_kz[k]);
    }
    /* Every origin has areas, and every area with coordinates a route to
     * every region. */
    for (int a = 0; a < w.areas; a++)
        for (int r = 0; r < w.regions; r++)
            assert_true(isnan(w.area_lat[a]) || w.area_route[a][r] >= 0);
    assert_true(w.areas >= 14 + 5 + 9 + 11 + 1 + 1);
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
    const char *header =
        "code,name,block,regional,employed_kz_thousands,migrant_share_pct,wage_factor,seasonal,"
        "source\n";
    char text[512];
    snprintf(text, sizeof text, "%sc,C,services,0,10,,abc,1,x\n", header);
    expect("sectors.csv", text, "sectors.csv:2:20: error: expected a number for 'wage_factor', "
                                "found 'abc'");
    expect("sectors.csv", "code,name,wage_factor,seasonal,source\nc,C,1,1,x\n",
           "sectors.csv:1:1: error: expected a column named 'block'");
    snprintf(text, sizeof text, "%sc,C,mines,0,10,,1,1,x\n", header);
    expect("sectors.csv", text, "sectors.csv:2:5: error: unknown block 'mines'");
    snprintf(text, sizeof text, "%sc,C,services,0,10,60,1,1,x\nd,D,services,0,10,60,1,1,x\n",
             header);
    expect("sectors.csv", text, "sectors.csv: error: migrant shares add to 120%");
    expect("origin_areas.csv",
           "origin,code,name,lat,lon,population,basis,source\nXYZ,X-1,X,40,60,10,b,s\n",
           "origin_areas.csv:2:1: error: unknown origin code 'XYZ'");
    expect("routes.csv",
           "id,origin,mode,kz_region,kz_lat,kz_lon,abroad_lat,abroad_lon,basis,source\n"
           "R,UZB,boat,TUR,41,69,,,b,s\n",
           "routes.csv:2:7: error: unknown mode 'boat'");
    expect("routes.csv",
           "id,origin,mode,kz_region,kz_lat,kz_lon,abroad_lat,abroad_lon,basis,source\n"
           "R,UZB,road,QQQ,41,69,,,b,s\n",
           "routes.csv:2:12: error: unknown region code 'QQQ'");
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
