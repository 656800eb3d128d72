/* Reading output files with the HDF5 C API. Every check says what was
 * expected, so a foreign or damaged file gets one clear message. */
#include "migsim/reader.h"
#include "migsim/date.h"
#include "migsim/error.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int foreign(const char *path, const char *what)
{
    return mig_fail(MIG_EINPUT, "%s: error: %s; expected a migsim output file", path, what);
}

/* The shape of a dataset; fails unless it exists with `rank` dimensions. */
static int shape(hid_t file, const char *path, const char *name, int rank, hsize_t *dims)
{
    char what[256];
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
        snprintf(what, sizeof what, "no variable '%s'", name);
        return foreign(path, what);
    }
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), space = ds >= 0 ? H5Dget_space(ds) : -1;
    int got = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (got == rank)
        H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0)
        H5Sclose(space);
    if (ds >= 0)
        H5Dclose(ds);
    if (got != rank) {
        snprintf(what, sizeof what, "'%s' has %d dimensions, expected %d", name, got, rank);
        return foreign(path, what);
    }
    return 0;
}

static int read_doubles(hid_t file, const char *path, const char *name, double *out)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    herr_t ok = ds >= 0 ? H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) : -1;
    if (ds >= 0)
        H5Dclose(ds);
    if (ok < 0) {
        char what[256];
        snprintf(what, sizeof what, "cannot read '%s' as numbers", name);
        return foreign(path, what);
    }
    return 0;
}

/* Variable-length string labels into fixed buffers of `width` bytes. */
static int read_labels(hid_t file, const char *path, const char *name, int count, char *out,
                       size_t width)
{
    hsize_t dims[1];
    int status = shape(file, path, name, 1, dims);
    if (status < 0)
        return status;
    if ((int)dims[0] != count) {
        char what[256];
        snprintf(what, sizeof what, "'%s' has %d labels, expected %d", name, (int)dims[0], count);
        return foreign(path, what);
    }
    char **text = calloc((size_t)count + 1, sizeof *text);
    hid_t type = H5Tcopy(H5T_C_S1);
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    herr_t ok = -1;
    if (text && type >= 0 && ds >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 &&
        H5Tset_cset(type, H5T_CSET_UTF8) >= 0)
        ok = H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text);
    if (ok >= 0)
        for (int i = 0; i < count; i++) {
            snprintf(out + (size_t)i * width, width, "%s", text[i] ? text[i] : "");
            H5free_memory(text[i]);
        }
    free(text);
    if (ds >= 0)
        H5Dclose(ds);
    if (type >= 0)
        H5Tclose(type);
    if (ok < 0) {
        char what[256];
        snprintf(what, sizeof what, "cannot read the labels '%s'", name);
        return foreign(path, what);
    }
    return 0;
}

static void read_text_attribute(hid_t file, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    if (H5Aexists(file, name) <= 0)
        return;
    hid_t attr = H5Aopen(file, name, H5P_DEFAULT), type = attr >= 0 ? H5Aget_type(attr) : -1;
    if (type >= 0 && H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type)) {
        size_t n = H5Tget_size(type);
        char *buffer = calloc(n + 1, 1);
        if (buffer && H5Aread(attr, type, buffer) >= 0)
            snprintf(out, size, "%s", buffer);
        free(buffer);
    }
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
}

static char *long_text_attribute(hid_t file, const char *name)
{
    if (H5Aexists(file, name) <= 0)
        return strdup("");
    hid_t attr = H5Aopen(file, name, H5P_DEFAULT), type = attr >= 0 ? H5Aget_type(attr) : -1;
    char *text = NULL;
    if (type >= 0 && H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type)) {
        size_t n = H5Tget_size(type);
        text = calloc(n + 1, 1);
        if (text && H5Aread(attr, type, text) < 0)
            text[0] = '\0';
    }
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    return text ? text : strdup("");
}

static void number_attribute(hid_t file, const char *name, hid_t type, void *out)
{
    if (H5Aexists(file, name) <= 0)
        return;
    hid_t a = H5Aopen(file, name, H5P_DEFAULT);
    if (a >= 0) {
        H5Aread(a, type, out);
        H5Aclose(a);
    }
}

/* The start date from the time units ("days since YYYY-MM-DD"). */
static int read_start(hid_t file, const char *path, long *start)
{
    char units[64] = "";
    hid_t ds = H5Dopen2(file, "time", H5P_DEFAULT);
    if (ds >= 0) {
        read_text_attribute(ds, "units", units, sizeof units);
        H5Dclose(ds);
    }
    if (strncmp(units, "days since ", 11) != 0 || !mig_date_parse(units + 11, start))
        return foreign(path, "'time' has no units 'days since YYYY-MM-DD'");
    return 0;
}

static int read_labels_and_time(struct run_file *f, hid_t file, struct stats *first)
{
    struct world *w = &f->labels;
    hsize_t dims[4];
    int status;
    if ((status = shape(file, f->path, "origin", 1, dims)) < 0)
        return status;
    w->origins = (int)dims[0];
    if ((status = shape(file, f->path, "region", 1, dims)) < 0)
        return status;
    w->regions = (int)dims[0];
    if ((status = shape(file, f->path, "sector", 1, dims)) < 0)
        return status;
    w->sectors = (int)dims[0];
    if ((status = shape(file, f->path, "time_bnds", 2, dims)) < 0)
        return status;
    if (w->origins > MIG_MAX_ORIGINS || w->regions > MIG_MAX_REGIONS ||
        w->sectors > MIG_MAX_SECTORS || dims[1] != 2 || dims[0] == 0)
        return foreign(f->path, "dimensions out of range");
    if ((status = read_labels(file, f->path, "origin_code", w->origins, &w->origin_code[0][0],
                              sizeof w->origin_code[0])) < 0 ||
        (status = read_labels(file, f->path, "origin_name", w->origins, &w->origin_name[0][0],
                              sizeof w->origin_name[0])) < 0 ||
        (status = read_labels(file, f->path, "region_code", w->regions, &w->region_code[0][0],
                              sizeof w->region_code[0])) < 0 ||
        (status = read_labels(file, f->path, "region_name", w->regions, &w->region_name[0][0],
                              sizeof w->region_name[0])) < 0 ||
        (status = read_labels(file, f->path, "sector_code", w->sectors, &w->sector_code[0][0],
                              sizeof w->sector_code[0])) < 0 ||
        (status = read_labels(file, f->path, "sector_name", w->sectors, &w->sector_name[0][0],
                              sizeof w->sector_name[0])) < 0)
        return status;
    int steps = (int)dims[0];
    if ((status = mig_stats_alloc(first, steps, w->origins, w->regions, w->sectors)) < 0 ||
        (status = read_start(file, f->path, &first->start)) < 0)
        return status;
    double *bounds = malloc((size_t)steps * 2 * sizeof *bounds);
    if (!bounds)
        return mig_fail(MIG_ENOMEM, "out of memory");
    status = read_doubles(file, f->path, "time_bnds", bounds);
    for (int t = 0; status == 0 && t < steps; t++) {
        first->step_day[t] = first->start + (long)bounds[2 * t];
        first->step_days[t] = bounds[2 * t + 1] - bounds[2 * t];
    }
    free(bounds);
    return status;
}

static int read_geography(struct run_file *f, hid_t file)
{
    struct world *w = &f->labels;
    struct {
        const char *name;
        double *out;
        int count;
    } list[] = {{"region_lat", w->region_lat, w->regions},
                {"region_lon", w->region_lon, w->regions},
                {"region_climate", w->region_climate, w->regions},
                {"origin_lat", w->origin_lat, w->origins},
                {"origin_lon", w->origin_lon, w->origins}};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        hsize_t dims[1];
        int status = shape(file, f->path, list[i].name, 1, dims);
        if (status < 0)
            return status;
        if ((int)dims[0] != list[i].count) {
            char what[256];
            snprintf(what, sizeof what, "'%s' does not match the file's dimensions", list[i].name);
            return foreign(f->path, what);
        }
        if ((status = read_doubles(file, f->path, list[i].name, list[i].out)) < 0)
            return status;
    }
    return 0;
}

/* The figures table, when the file has one (a difference file has none). */
static int read_figures(struct run_file *f, hid_t file)
{
    struct run_figures *g = &f->figures;
    if (H5Lexists(file, "figure", H5P_DEFAULT) <= 0)
        return 0;
    hsize_t dims[1];
    int status = shape(file, f->path, "figure", 1, dims);
    if (status < 0)
        return status;
    int n = (int)dims[0];
    size_t count = (size_t)(n ? n : 1);
    g->label = calloc(count, sizeof *g->label);
    g->statistic = calloc(count, sizeof *g->statistic);
    g->within = calloc(count, sizeof *g->within);
    double **columns[] = {&g->observed, &g->lower, &g->upper, &g->simulated, &g->q05,
                          &g->q95,      &g->error, &g->from,  &g->to};
    const char *names[] = {"figure_observed",  "figure_lower",         "figure_upper",
                           "figure_simulated", "figure_simulated_q05", "figure_simulated_q95",
                           "figure_error",     "figure_from",          "figure_to"};
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        if (!(*columns[i] = calloc(count, sizeof(double))))
            return mig_fail(MIG_ENOMEM, "out of memory");
    if (!g->label || !g->statistic || !g->within)
        return mig_fail(MIG_ENOMEM, "out of memory");
    g->count = n;
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        if ((status = read_doubles(file, f->path, names[i], *columns[i])) < 0)
            return status;
    hid_t ds = H5Dopen2(file, "figure_within", H5P_DEFAULT);
    herr_t ok =
        ds >= 0 ? H5Dread(ds, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, g->within) : -1;
    if (ds >= 0)
        H5Dclose(ds);
    if (ok < 0)
        return foreign(f->path, "cannot read 'figure_within'");
    if ((status = read_labels(file, f->path, "figure_label", n, &g->label[0][0],
                              sizeof g->label[0])) < 0 ||
        (status = read_labels(file, f->path, "figure_statistic", n, &g->statistic[0][0],
                              sizeof g->statistic[0])) < 0)
        return status;
    return 0;
}

/* Each series, checked against the shape, split into replicates. */
static int read_series(struct run_file *f, hid_t file)
{
    size_t n;
    const struct mig_series *list = mig_stats_series(&n);
    const struct stats *first = &f->runs[0];
    for (size_t i = 0; i < n; i++) {
        const struct mig_series *v = &list[i];
        int rank = 0;
        while (rank < 4 && v->dims[rank])
            rank++;
        int stacked = f->replicates > 1;
        hsize_t dims[5];
        int status = shape(file, f->path, v->name, rank + stacked, dims);
        if (status < 0)
            return status;
        size_t size = (size_t)first->steps * mig_stats_series_width(first, v), count = 1;
        for (int d = 0; d < rank + stacked; d++)
            count *= dims[d];
        if (count != size * (size_t)f->replicates || dims[stacked] != (hsize_t)first->steps) {
            char what[256];
            snprintf(what, sizeof what, "'%s' does not match the file's dimensions", v->name);
            return foreign(f->path, what);
        }
        double *all = malloc(count * sizeof *all);
        if (!all)
            return mig_fail(MIG_ENOMEM, "out of memory");
        if ((status = read_doubles(file, f->path, v->name, all)) == 0)
            for (int r = 0; r < f->replicates; r++)
                memcpy(*(double **)((char *)&f->runs[r] + v->offset), all + size * (size_t)r,
                       size * sizeof *all);
        free(all);
        if (status < 0)
            return status;
    }
    return 0;
}

int mig_reader_load(struct run_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return mig_fail(MIG_EINPUT, "%s: error: cannot read the file", path);
    fclose(probe);
    if (H5Fis_hdf5(path) <= 0)
        return foreign(path, "not an HDF5 file");
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return foreign(path, "cannot open the HDF5 file");
    int status = 0;
    hsize_t dims[1];
    f->replicates = 1;
    if (H5Lexists(file, "replicate", H5P_DEFAULT) > 0) {
        if ((status = shape(file, path, "replicate", 1, dims)) < 0)
            goto done;
        f->replicates = (int)dims[0];
    }
    read_text_attribute(file, "scenario_name", f->scenario_name, sizeof f->scenario_name);
    read_text_attribute(file, "title", f->title, sizeof f->title);
    read_text_attribute(file, "seed", f->seed, sizeof f->seed);
    read_text_attribute(file, "migsim_version", f->version, sizeof f->version);
    read_text_attribute(file, "git_revision", f->revision, sizeof f->revision);
    read_text_attribute(file, "created_utc", f->created, sizeof f->created);
    read_text_attribute(file, "first_event", f->first_event, sizeof f->first_event);
    f->scenario_text = long_text_attribute(file, "scenario_text");
    f->parameters = long_text_attribute(file, "scenario_parameters");
    f->scenario_file = long_text_attribute(file, "scenario_file");
    f->command_line = long_text_attribute(file, "command_line");
    f->replicate_index = -1;
    f->scale = 1;
    number_attribute(file, "replicate_index", H5T_NATIVE_INT, &f->replicate_index);
    number_attribute(file, "scale", H5T_NATIVE_DOUBLE, &f->scale);
    if (!(f->runs = calloc((size_t)f->replicates, sizeof *f->runs))) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    if ((status = read_labels_and_time(f, file, &f->runs[0])) < 0)
        goto done;
    for (int r = 1; r < f->replicates; r++) {
        const struct stats *first = &f->runs[0];
        if ((status = mig_stats_alloc(&f->runs[r], first->steps, first->origins, first->regions,
                                      first->sectors)) < 0)
            goto done;
        f->runs[r].start = first->start;
        memcpy(f->runs[r].step_day, first->step_day, (size_t)first->steps * sizeof(long));
        memcpy(f->runs[r].step_days, first->step_days, (size_t)first->steps * sizeof(double));
    }
    if ((status = read_series(f, file)) == 0 && (status = read_geography(f, file)) == 0)
        status = read_figures(f, file);
done:
    H5Fclose(file);
    if (status < 0)
        mig_reader_free(f);
    return status;
}

void mig_reader_free(struct run_file *f)
{
    free(f->scenario_text);
    free(f->parameters);
    free(f->scenario_file);
    free(f->command_line);
    f->scenario_text = f->parameters = f->scenario_file = f->command_line = NULL;
    struct run_figures *g = &f->figures;
    void *figure_arrays[] = {g->label,     g->statistic, g->within, g->observed, g->lower, g->upper,
                             g->simulated, g->q05,       g->q95,    g->error,    g->from,  g->to};
    for (size_t i = 0; i < sizeof figure_arrays / sizeof figure_arrays[0]; i++)
        free(figure_arrays[i]);
    memset(g, 0, sizeof *g);
    if (f->runs)
        for (int r = 0; r < f->replicates; r++)
            mig_stats_free(&f->runs[r]);
    free(f->runs);
    f->runs = NULL;
    f->replicates = 0;
}
