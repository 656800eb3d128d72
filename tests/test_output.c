/* The HDF5 writer: dimension scales, attributes, and the atomic write. */
#include "helpers.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <dirent.h>
#include <hdf5.h>
#include <hdf5_hl.h>

static struct simulation sim;
static const char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_folder();
    struct overrides o = {-1, 200};
    int outside;
    if (mig_simulation_load(&sim, BASELINE, &o) < 0 ||
        mig_simulation_run(&sim, 1, NULL, NULL) < 0 || mig_simulation_figures(&sim, &outside) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mig_simulation_free(&sim);
    return 0;
}

static int write_to(const char *path)
{
    return mig_simulation_write(&sim, path, "migsim run test");
}

static void dimension_is(hid_t ds, unsigned index, const char *name)
{
    /* One scale on the dimension: the coordinate named after it. */
    assert_int_equal(H5DSget_num_scales(ds, index), 1);
    char path[256];
    hid_t file = H5Iget_file_id(ds);
    hid_t coordinate = H5Dopen2(file, name, H5P_DEFAULT);
    assert_true(coordinate >= 0);
    assert_true(H5DSis_attached(ds, coordinate, index) > 0);
    assert_true(H5DSget_scale_name(coordinate, path, sizeof path) > 0);
    assert_string_equal(path, name);
    H5Dclose(coordinate);
    H5Fclose(file);
}

static void writes_named_dimensions(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/run.h5", dir);
    assert_int_equal(write_to(path), 0);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    hid_t stock = H5Dopen2(file, "migrant_stock", H5P_DEFAULT);
    assert_true(stock >= 0);
    dimension_is(stock, 0, "time");
    dimension_is(stock, 1, "origin");
    dimension_is(stock, 2, "region");
    assert_true(H5Aexists(stock, "units") > 0 && H5Aexists(stock, "description") > 0);
    H5Dclose(stock);
    hid_t moves = H5Dopen2(file, "internal_moves", H5P_DEFAULT);
    dimension_is(moves, 1, "region_from");
    dimension_is(moves, 2, "region_to");
    H5Dclose(moves);
    const char *attributes[] = {
        "scenario_text",      "seed",    "migsim_version", "git_revision", "compiler",
        "compiler_flags",     "threads", "ranks",          "command_line", "created_utc",
        "scenario_parameters"};
    for (size_t i = 0; i < sizeof attributes / sizeof attributes[0]; i++)
        if (H5Aexists(file, attributes[i]) <= 0)
            fail_msg("no root attribute %s", attributes[i]);
    H5Fclose(file);
    /* Only the finished file is left. */
    DIR *d = opendir(dir);
    struct dirent *entry;
    while ((entry = readdir(d)))
        assert_null(strstr(entry->d_name, ".tmp-"));
    closedir(d);
}

static void failure_leaves_nothing(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/missing/run.h5", dir);
    assert_int_equal(write_to(path), MIG_EIO);
    assert_non_null(strstr(mig_strerror(), "cannot create the output file"));
    assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_named_dimensions),
        cmocka_unit_test(failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
