/* Reading output files with the HDF5 C API. Every check says what was
 * expected, so a foreign or damaged file gets one clear message. */
#include "migsim/reader.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/text.h"
#include "h5safe.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int foreign(const char *path, const char *what)
{
    return mig_fail(MIG_EINPUT, "%s: error: %s; expected a migsim output file", path, what);
}

/* Bounds of what a migsim file can hold; beyond them a file is foreign. */
#define MAX_STEPS 10000000
#define MAX_REPLICATES 100000
#define MAX_FIGURES 1000000
#define MAX_LONG_TEXT (16u << 20)

/* The shape of a dataset; fails unless it exists with `rank` dimensions
 * of a sane length (a length of 0 is checked by the callers that need one). */
static int shape(hid_t file, const char *path, const char *name, int rank, hsize_t *dims)
{
    struct mig_h5_source s = {file, path, "a migsim output file"};
    return mig_h5_require_shape(&s, name, rank, 0, MAX_STEPS * (hsize_t)8, dims);
}

/* Exactly `count` numbers, or a message saying what is wrong. */
static int read_numbers(hid_t file, const char *path, const char *name, hid_t type, size_t count,
                        void *out)
{
    struct mig_h5_source s = {file, path, "a migsim output file"};
    return mig_h5_require_numbers(&s, name, type, count, out);
}

static int read_doubles(hid_t file, const char *path, const char *name, size_t count, double *out)
{
    return read_numbers(file, path, name, H5T_NATIVE_DOUBLE, count, out);
}

/* String labels (variable or fixed length) into fixed buffers of `width`
 * bytes; each must be UTF-8. */
static int read_labels(hid_t file, const char *path, const char *name, int count, char *out,
                       size_t width)
{
    hsize_t dims[1];
    int status = shape(file, path, name, 1, dims);
    if (status < 0)
        return status;
    char what[256];
    if (dims[0] != (hsize_t)count) {
        snprintf(what, sizeof what, "'%s' has %llu labels, expected %d", name,
                 (unsigned long long)dims[0], count);
        return foreign(path, what);
    }
    if ((status = mig_h5_labels(file, name, (size_t)count, out, width)) < 0) {
        mig_h5_explain(status, name, (size_t)count, what, sizeof what);
        return foreign(path, what);
    }
    return 0;
}

/* A short text attribute into `out` (empty when absent or of another
 * shape); text that is not UTF-8 is refused by the caller's check. */
static void read_text_attribute(hid_t file, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    int invalid;
    char *text = mig_h5_text_attribute(file, name, 65536, &invalid);
    if (text && !invalid)
        snprintf(out, size, "%s", text);
    free(text);
}

static char *long_text_attribute(hid_t file, const char *name)
{
    int invalid;
    char *text = mig_h5_text_attribute(file, name, MAX_LONG_TEXT, &invalid);
    if (text && invalid)
        text[0] = '\0';
    return text ? text : strdup("");
}

/* The root attributes of the output contract: where present, each must be
 * one UTF-8 string or one number. */
static int check_attributes(hid_t file, const char *path)
{
    static const char *const texts[] = {"title",         "Conventions",    "scenario_name",
                                        "scenario_file", "scenario_text",  "scenario_parameters",
                                        "seed",          "migsim_version", "git_revision",
                                        "compiler",      "compiler_flags", "command_line",
                                        "first_event",   "created_utc",    "data_digest",
                                        "figures_digest"};
    static const char *const numbers[] = {"scale", "threads", "ranks", "replicate_index"};
    char what[256];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (H5Aexists(file, texts[i]) <= 0)
            continue;
        int invalid = 0;
        char *text = mig_h5_text_attribute(file, texts[i], MAX_LONG_TEXT, &invalid);
        free(text);
        if (!text || invalid) {
            snprintf(what, sizeof what, "the attribute '%s' is not %s", texts[i],
                     text ? "UTF-8 text" : "one text of at most 16 MiB");
            return foreign(path, what);
        }
    }
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        double x;
        if (H5Aexists(file, numbers[i]) > 0 &&
            mig_h5_number_attribute(file, numbers[i], H5T_NATIVE_DOUBLE, &x) < 0) {
            snprintf(what, sizeof what, "the attribute '%s' is not one number", numbers[i]);
            return foreign(path, what);
        }
    }
    return 0;
}

static void number_attribute(hid_t file, const char *name, hid_t type, void *out)
{
    mig_h5_number_attribute(file, name, type, out);
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
    if (w->origins < 1 || w->regions < 1 || w->sectors < 1 || w->origins > MIG_MAX_ORIGINS ||
        w->regions > MIG_MAX_REGIONS || w->sectors > MIG_MAX_SECTORS || dims[1] != 2 ||
        dims[0] == 0 || dims[0] > MAX_STEPS)
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
    status = read_doubles(file, f->path, "time_bnds", (size_t)steps * 2, bounds);
    for (int t = 0; status == 0 && t < steps; t++) {
        double from = bounds[2 * t], to = bounds[2 * t + 1];
        /* Steps follow each other, each at least a day, within 30,000 years. */
        if (!(from >= 0 && to > from && to < 1e7 && (t == 0 || from >= bounds[2 * t - 1]))) {
            status = foreign(f->path, "'time_bnds' are not increasing days since the start");
            break;
        }
        first->step_day[t] = first->start + (long)from;
        first->step_days[t] = to - from;
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
        if ((status =
                 read_doubles(file, f->path, list[i].name, (size_t)list[i].count, list[i].out)) < 0)
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
    if (dims[0] > MAX_FIGURES)
        return foreign(f->path, "'figure' is longer than any figures file");
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
        if ((status = read_doubles(file, f->path, names[i], (size_t)n, *columns[i])) < 0)
            return status;
    if ((status = read_numbers(file, f->path, "figure_within", H5T_NATIVE_SCHAR, (size_t)n,
                               g->within)) < 0)
        return status;
    if ((status = read_labels(file, f->path, "figure_label", n, &g->label[0][0],
                              sizeof g->label[0])) < 0 ||
        (status = read_labels(file, f->path, "figure_statistic", n, &g->statistic[0][0],
                              sizeof g->statistic[0])) < 0)
        return status;
    /* Ids and roles came later: read where present, checked as the rest. */
    if (H5Lexists(file, "figure_id", H5P_DEFAULT) > 0) {
        if (!(g->id = calloc(count, sizeof *g->id)))
            return mig_fail(MIG_ENOMEM, "out of memory");
        if ((status = read_labels(file, f->path, "figure_id", n, &g->id[0][0], sizeof g->id[0])) <
            0)
            return status;
    }
    if (H5Lexists(file, "figure_role", H5P_DEFAULT) > 0) {
        if (!(g->role = calloc(count, sizeof *g->role)))
            return mig_fail(MIG_ENOMEM, "out of memory");
        if ((status = read_labels(file, f->path, "figure_role", n, &g->role[0][0],
                                  sizeof g->role[0])) < 0)
            return status;
    }
    /* The sampling sd came later still; merging needs it. */
    if (H5Lexists(file, "figure_sampling_sd", H5P_DEFAULT) > 0) {
        if (!(g->sampling_sd = calloc(count, sizeof *g->sampling_sd)))
            return mig_fail(MIG_ENOMEM, "out of memory");
        if ((status =
                 read_doubles(file, f->path, "figure_sampling_sd", (size_t)n, g->sampling_sd)) < 0)
            return status;
    }
    return 0;
}

/* The entry points (route_origin, route_kz_lat, route_kz_lon), when the
 * file has any of them: then all three, of one length. */
static int read_routes(struct run_file *f, hid_t file)
{
    static const char *const names[] = {"route_origin", "route_kz_lat", "route_kz_lon"};
    int present = 0;
    for (int i = 0; i < 3; i++)
        present += H5Lexists(file, names[i], H5P_DEFAULT) > 0;
    if (!present)
        return 0;
    hsize_t dims[1];
    int status = shape(file, f->path, "route_kz_lat", 1, dims);
    if (status < 0)
        return status;
    if (dims[0] == 0 || dims[0] > MIG_MAX_ROUTES)
        return foreign(f->path, "'route_kz_lat' is longer than any routes table");
    size_t n = (size_t)dims[0];
    if ((status = read_numbers(file, f->path, "route_origin", H5T_NATIVE_INT, n, f->route_origin)) <
            0 ||
        (status = read_doubles(file, f->path, "route_kz_lat", n, f->route_kz_lat)) < 0 ||
        (status = read_doubles(file, f->path, "route_kz_lon", n, f->route_kz_lon)) < 0)
        return status;
    f->routes = (int)n;
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
        if ((status = read_doubles(file, f->path, v->name, count, all)) == 0)
            for (int r = 0; r < f->replicates; r++)
                memcpy(*(double **)((char *)&f->runs[r] + v->offset), all + size * (size_t)r,
                       size * sizeof *all);
        free(all);
        if (status < 0)
            return status;
    }
    return 0;
}

struct guarded_load {
    struct run_file *f;
    const char *path;
};

static int load_unguarded(struct run_file *f, const char *path);

static int load_once(void *arg)
{
    struct guarded_load *g = arg;
    int status = load_unguarded(g->f, g->path);
    if (status == 0) /* the child only checks; the caller loads for real */
        return 0;
    return status;
}

/* A damaged file can crash the HDF5 library itself (corrupt heaps of
 * variable-length strings, for example): the load runs first in a child
 * process, and only a file that loaded there is loaded here. */
int mig_reader_load(struct run_file *f, const char *path)
{
    struct guarded_load g = {f, path};
    memset(f, 0, sizeof *f);
    return mig_h5_guarded(load_once, &g, path, "it");
}

static int load_unguarded(struct run_file *f, const char *path)
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
    if ((status = check_attributes(file, path)) < 0)
        goto done;
    if (H5Lexists(file, "replicate", H5P_DEFAULT) > 0) {
        if ((status = shape(file, path, "replicate", 1, dims)) < 0)
            goto done;
        if (dims[0] == 0 || dims[0] > MAX_REPLICATES) {
            status = foreign(path, "'replicate' is longer than any ensemble");
            goto done;
        }
        f->replicates = (int)dims[0];
    }
    read_text_attribute(file, "scenario_name", f->scenario_name, sizeof f->scenario_name);
    read_text_attribute(file, "title", f->title, sizeof f->title);
    read_text_attribute(file, "seed", f->seed, sizeof f->seed);
    read_text_attribute(file, "migsim_version", f->version, sizeof f->version);
    read_text_attribute(file, "git_revision", f->revision, sizeof f->revision);
    read_text_attribute(file, "created_utc", f->created, sizeof f->created);
    read_text_attribute(file, "first_event", f->first_event, sizeof f->first_event);
    read_text_attribute(file, "data_digest", f->data_digest, sizeof f->data_digest);
    read_text_attribute(file, "figures_digest", f->figures_digest, sizeof f->figures_digest);
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
    if ((status = read_series(f, file)) == 0 && (status = read_geography(f, file)) == 0 &&
        (status = read_figures(f, file)) == 0)
        status = read_routes(f, file);
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
    void *figure_arrays[] = {g->label, g->statistic, g->within, g->observed, g->lower,
                             g->upper, g->simulated, g->q05,    g->q95,      g->error,
                             g->from,  g->to,        g->id,     g->role,     g->sampling_sd};
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
