/* The HDF5 writer: dimension scales, attributes, and the atomic write; and
 * the checked reads every reader of a user's HDF5 file goes through. */
#include "helpers.h"
#include "../sim/h5safe.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <math.h>
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

/* Fixed-length strings of `width` bytes (NUL-padded) as a rank-1 dataset. */
static void make_labels(hid_t file, const char *name, const char *block, int count, size_t width)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    hsize_t dims[1] = {(hsize_t)count};
    H5Tset_size(type, width);
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(ds >= 0);
    assert_true(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, block) >= 0);
    H5Dclose(ds);
    H5Sclose(space);
    H5Tclose(type);
}

/* Every refusal is a status (or one message naming the file and the
 * variable) before a buffer could be overrun. */
static void checked_reads_refuse_what_does_not_fit(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/hostile.h5", dir);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    make_labels(file, "codes", "AB\0CDE", 2, 3);
    make_labels(file, "latin1", "caf\xe9", 1, 4);
    hsize_t four = 4, three = 3, two = 2;
    unsigned char bytes[4] = {1, 2, 3, 4};
    double weights[3] = {1, NAN, 2};
    int whole[2] = {7, 8};
    assert_true(H5LTmake_dataset(file, "bytes", 1, &four, H5T_NATIVE_UCHAR, bytes) >= 0);
    assert_true(H5LTmake_dataset_double(file, "weight", 1, &three, weights) >= 0);
    assert_true(H5LTmake_dataset_int(file, "whole", 1, &two, whole) >= 0);
    assert_true(H5LTset_attribute_double(file, "/", "pair", weights, 2) >= 0);
    assert_true(H5LTset_attribute_string(file, "/", "method", "abc-smc") >= 0);

    char labels[2][8];
    assert_int_equal(mig_h5_labels(file, "codes", 2, &labels[0][0], sizeof labels[0]), 0);
    assert_string_equal(labels[0], "AB");
    assert_string_equal(labels[1], "CDE");
    assert_int_equal(mig_h5_labels(file, "codes", 1, &labels[0][0], sizeof labels[0]), -3);
    assert_int_equal(mig_h5_labels(file, "whole", 2, &labels[0][0], sizeof labels[0]), -5);
    assert_int_equal(mig_h5_labels(file, "latin1", 1, &labels[0][0], sizeof labels[0]), -6);
    assert_int_equal(mig_h5_labels(file, "none", 1, &labels[0][0], sizeof labels[0]), -1);

    /* Four bytes are not one float: the element count decides, not the size. */
    float one[1] = {0};
    assert_int_equal(mig_h5_numbers(file, "bytes", H5T_NATIVE_FLOAT, 1, one), -3);
    assert_int_equal(mig_h5_numbers(file, "codes", H5T_NATIVE_DOUBLE, 2, weights), -2);

    struct mig_h5_source src = {file, "trace.h5", "a calibration trace"};
    double got[3];
    assert_int_equal(mig_h5_require_finite(&src, "weight", 3, got), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "trace.h5: error: 'weight' holds nan at index 1"));
    assert_int_equal(mig_h5_require_numbers(&src, "weight", H5T_NATIVE_DOUBLE, 2, got), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "'weight' does not have 2 values"));
    hsize_t dims[2];
    assert_int_equal(mig_h5_require_shape(&src, "weight", 2, 1, 10, dims), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "'weight' has 1 dimensions, expected 2"));
    assert_int_equal(mig_h5_require_shape(&src, "weight", 1, 4, 10, dims), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "'weight' has a dimension of length 3"));
    char *text = NULL;
    assert_int_equal(mig_h5_require_text(&src, "pair", 64, 0, &text), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "the attribute 'pair' is not one text"));
    assert_int_equal(mig_h5_require_text(&src, "absent", 64, 0, &text), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "no attribute 'absent'; expected a calibration trace"));
    assert_int_equal(mig_h5_require_text(&src, "method", 64, 0, &text), 0);
    assert_string_equal(text, "abc-smc");
    free(text);
    assert_int_equal(mig_h5_require_text(&src, "absent", 64, 1, &text), 0);
    assert_string_equal(text, "");
    free(text);
    H5Fclose(file);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_named_dimensions),
        cmocka_unit_test(failure_leaves_nothing),
        cmocka_unit_test(checked_reads_refuse_what_does_not_fit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
