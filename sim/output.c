/* Writing a run to HDF5 in the netCDF-4 data model (see output.h). */
#include "migsim/output.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/files.h"
#include "h5safe.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif
#include "revision.h"
#ifndef MIGSIM_COMPILER
#define MIGSIM_COMPILER "unknown"
#endif
#ifndef MIGSIM_C_FLAGS
#define MIGSIM_C_FLAGS "unknown"
#endif

#define MAX_DIMS 16

struct dimension {
    const char *name;
    hsize_t length;
    hid_t scale;
};

struct writer {
    const char *path; /* the final name, for messages */
    hid_t file;
    int dims;
    struct dimension dim[MAX_DIMS];
};

static int h5_failed(const struct writer *wr, const char *what)
{
    return mig_fail(MIG_EIO, "%s: error: HDF5 could not %s", wr->path, what);
}

static int attr_text(const struct writer *wr, hid_t obj, const char *name, const char *value)
{
    size_t len = strlen(value);
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    int status = 0;
    if (type < 0 || space < 0 || H5Tset_size(type, len ? len : 1) < 0 ||
        H5Tset_strpad(type, H5T_STR_NULLTERM) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0 ||
        (attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(attr, type, len ? value : "") < 0)
        status = h5_failed(wr, "write a text attribute");
    mig_h5_close_attribute(attr, type, space);
    return status;
}

static int attr_number(const struct writer *wr, hid_t obj, const char *name, hid_t type,
                       const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    int status = 0;
    if (space < 0 || (attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(attr, type, value) < 0)
        status = h5_failed(wr, "write a numeric attribute");
    mig_h5_close_attribute(attr, H5I_INVALID_HID, space);
    return status;
}

static hid_t create(const struct writer *wr, const char *name, hid_t type, int rank,
                    const hsize_t *shape)
{
    hid_t space = H5Screate_simple(rank, shape, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = H5I_INVALID_HID;
    if (space >= 0 && dcpl >= 0 &&
        H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0)
        ds = H5Dcreate2(wr->file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return ds;
}

static const struct dimension *find_dim(const struct writer *wr, const char *name)
{
    for (int i = 0; i < wr->dims; i++)
        if (strcmp(wr->dim[i].name, name) == 0)
            return &wr->dim[i];
    return NULL;
}

static int describe(const struct writer *wr, hid_t ds, const char *units, const char *text)
{
    int status = attr_text(wr, ds, "units", units);
    return status < 0 ? status : attr_text(wr, ds, "description", text);
}

/* CF's `coordinates` attribute names the label variables of a variable's
 * dimensions, so that clients such as xarray attach the codes to the data. */
static int label_coordinates(const struct writer *wr, hid_t ds, const char *const *dims)
{
    static const char *const pairs[][2] = {{"origin", "origin_code"},
                                           {"region", "region_code"},
                                           {"sector", "sector_code"},
                                           {"driver", "driver_name"}};
    char text[128] = "";
    for (int i = 0; dims[i]; i++)
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
            if (strcmp(dims[i], pairs[k][0]) == 0)
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
                         text[0] ? " " : "", pairs[k][1]);
    return text[0] ? attr_text(wr, ds, "coordinates", text) : 0;
}

/* A variable over named dimensions (each already a scale), with its data. */
static int variable(struct writer *wr, const char *name, hid_t mem_type, hid_t file_type,
                    const char *const *dims, const void *data, const char *units, const char *text)
{
    hsize_t shape[4];
    int rank = 0;
    for (; dims[rank]; rank++) {
        const struct dimension *d = find_dim(wr, dims[rank]);
        if (!d)
            return mig_fail(MIG_ERUNTIME, "output: no dimension %s", dims[rank]);
        shape[rank] = d->length;
    }
    hid_t ds = create(wr, name, file_type, rank, shape);
    int status = 0;
    if (ds < 0 || H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        status = h5_failed(wr, "write a variable");
        goto done;
    }
    for (int i = 0; i < rank; i++)
        if (H5DSattach_scale(ds, find_dim(wr, dims[i])->scale, (unsigned)i) < 0) {
            status = h5_failed(wr, "attach a dimension scale");
            goto done;
        }
    status = describe(wr, ds, units, text);
    if (status == 0 && rank > 1)
        status = label_coordinates(wr, ds, dims);
done:
    if (ds >= 0)
        H5Dclose(ds);
    return status;
}

/* A coordinate: a one-dimensional dimension scale named after its dimension. */
static int coordinate(struct writer *wr, const char *name, hsize_t length, hid_t mem_type,
                      hid_t file_type, const void *data, const char *units, const char *text)
{
    if (wr->dims == MAX_DIMS)
        return mig_fail(MIG_ERUNTIME, "output: too many dimensions");
    hid_t ds = create(wr, name, file_type, 1, &length);
    int status = 0;
    if (ds < 0 || H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ||
        H5DSset_scale(ds, name) < 0) {
        if (ds >= 0)
            H5Dclose(ds);
        return h5_failed(wr, "write a coordinate");
    }
    if ((status = describe(wr, ds, units, text)) < 0) {
        H5Dclose(ds);
        return status;
    }
    wr->dim[wr->dims++] = (struct dimension){name, length, ds};
    return 0;
}

/* 0, 1, ..., n-1 (replicates and figures have no fixed bound). */
static int index_coordinate(struct writer *wr, const char *name, int n, const char *text)
{
    int *values = malloc((size_t)(n > 0 ? n : 1) * sizeof *values);
    if (!values)
        return mig_fail(MIG_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        values[i] = i;
    int status = coordinate(wr, name, (hsize_t)n, H5T_NATIVE_INT, H5T_STD_I32LE, values, "1", text);
    free(values);
    return status;
}

/* Labels as variable-length strings over one dimension (netCDF strings). */
static int labels(struct writer *wr, const char *name, const char *dim, const char *const *text,
                  const char *description)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    int status = 0;
    if (type < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0)
        status = h5_failed(wr, "make a string type");
    else
        status = variable(wr, name, type, type, (const char *const[]){dim, NULL}, text, "1",
                          description);
    if (type >= 0)
        H5Tclose(type);
    return status;
}

#define D(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The border crossings and air routes into Kazakhstan (routes.c): where
 * each origin's workers enter, for maps. */
static int write_routes(struct writer *wr, const struct world *w)
{
    if (w->routes == 0)
        return 0;
    const char *id[MIG_MAX_ROUTES];
    int origin[MIG_MAX_ROUTES], region[MIG_MAX_ROUTES], mode[MIG_MAX_ROUTES];
    for (int k = 0; k < w->routes; k++)
        id[k] = w->route_id[k], origin[k] = w->route_origin[k], region[k] = w->route_region[k],
        mode[k] = w->route_mode[k];
    hid_t m = H5T_NATIVE_DOUBLE, f = H5T_IEEE_F64LE, mi = H5T_NATIVE_INT, fi = H5T_STD_I32LE;
    int status;
    if ((status = index_coordinate(wr, "route", w->routes,
                                   "border crossing or air route into Kazakhstan (see route_id)")) <
            0 ||
        (status = labels(wr, "route_id", "route", id, "route identifier (routes.csv)")) < 0 ||
        (status = variable(wr, "route_origin", mi, fi, D("route"), origin, "1",
                           "origin whose workers use the route (index of origin)")) < 0 ||
        (status = variable(wr, "route_region", mi, fi, D("route"), region, "1",
                           "region the route opens into (index of region)")) < 0 ||
        (status = variable(wr, "route_mode", mi, fi, D("route"), mode, "1",
                           "0 road, 1 rail, 2 air")) < 0 ||
        (status = variable(wr, "route_kz_lat", m, f, D("route"), w->route_kz_lat, "degrees_north",
                           "latitude of the crossing or arrival airport in Kazakhstan")) < 0 ||
        (status = variable(wr, "route_kz_lon", m, f, D("route"), w->route_kz_lon, "degrees_east",
                           "longitude of the crossing or arrival airport in Kazakhstan")) < 0 ||
        (status = variable(wr, "route_abroad_lat", m, f, D("route"), w->route_abroad_lat,
                           "degrees_north", "latitude of the crossing or airport abroad")) < 0 ||
        (status = variable(wr, "route_abroad_lon", m, f, D("route"), w->route_abroad_lon,
                           "degrees_east", "longitude of the crossing or airport abroad")) < 0)
        return status;
    return 0;
}

static int write_coordinates(struct writer *wr, const struct world *w, const struct stats *s,
                             int replicates, double *time, double *bounds)
{
    char units[64], start[11];
    mig_date_format(s->start, start);
    snprintf(units, sizeof units, "days since %s", start);
    for (int t = 0; t < s->steps; t++) {
        bounds[2 * t] = (double)(s->step_day[t] - s->start);
        bounds[2 * t + 1] = bounds[2 * t] + s->step_days[t];
        time[t] = bounds[2 * t + 1]; /* stocks are taken at the end of the step */
    }
    int status;
    if ((status = coordinate(wr, "time", (hsize_t)s->steps, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, time,
                             units,
                             "end of the step; stocks are taken then, flows are "
                             "over the step (see time_bnds)")) < 0 ||
        (status = attr_text(wr, wr->dim[wr->dims - 1].scale, "calendar", "standard")) < 0 ||
        (status = attr_text(wr, wr->dim[wr->dims - 1].scale, "bounds", "time_bnds")) < 0 ||
        (status = attr_text(wr, wr->dim[wr->dims - 1].scale, "standard_name", "time")) < 0 ||
        (status = index_coordinate(wr, "nv", 2, "start and end of a step")) < 0 ||
        (status = index_coordinate(wr, "origin", w->origins, "origin country (see origin_code)")) <
            0 ||
        (status = index_coordinate(wr, "region", w->regions,
                                   "region of Kazakhstan (see region_code)")) < 0 ||
        (status = index_coordinate(wr, "region_from", w->regions,
                                   "region moved from (see region_code)")) < 0 ||
        (status = index_coordinate(wr, "region_to", w->regions,
                                   "region moved to (see region_code)")) < 0 ||
        (status = index_coordinate(wr, "sector", w->sectors, "sector of work (see sector_code)")) <
            0 ||
        (status = index_coordinate(wr, "driver", MIG_DRIVERS,
                                   "dominant driver of an internal move (see driver_name)")) < 0 ||
        (replicates > 1 &&
         (status = index_coordinate(wr, "replicate", replicates,
                                    "replicate run (seed derived from the base seed)")) < 0))
        return status;
    if ((status = variable(wr, "time_bnds", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                           (const char *const[]){"time", "nv", NULL}, bounds, units,
                           "first and last day (exclusive) of each step")) < 0)
        return status;
    const char *origin_code[MIG_MAX_ORIGINS], *origin_name[MIG_MAX_ORIGINS];
    const char *region_code[MIG_MAX_REGIONS], *region_name[MIG_MAX_REGIONS];
    const char *sector_code[MIG_MAX_SECTORS], *sector_name[MIG_MAX_SECTORS];
    for (int o = 0; o < w->origins; o++)
        origin_code[o] = w->origin_code[o], origin_name[o] = w->origin_name[o];
    for (int r = 0; r < w->regions; r++)
        region_code[r] = w->region_code[r], region_name[r] = w->region_name[r];
    for (int k = 0; k < w->sectors; k++)
        sector_code[k] = w->sector_code[k], sector_name[k] = w->sector_name[k];
    if ((status = labels(wr, "origin_code", "origin", origin_code, "ISO-style origin code")) < 0 ||
        (status = labels(wr, "origin_name", "origin", origin_name, "origin country")) < 0 ||
        (status = labels(wr, "region_code", "region", region_code, "region code")) < 0 ||
        (status = labels(wr, "region_name", "region", region_name, "region name")) < 0 ||
        (status = labels(wr, "sector_code", "sector", sector_code, "sector code")) < 0 ||
        (status = labels(wr, "sector_name", "sector", sector_name, "sector name")) < 0 ||
        (status = labels(wr, "driver_name", "driver", mig_driver_names, "driver name")) < 0)
        return status;
    hid_t m = H5T_NATIVE_DOUBLE, f = H5T_IEEE_F64LE;
    if ((status = variable(wr, "region_lat", m, f, D("region"), w->region_lat, "degrees_north",
                           "latitude of the region's administrative centre")) < 0 ||
        (status = variable(wr, "region_lon", m, f, D("region"), w->region_lon, "degrees_east",
                           "longitude of the region's administrative centre")) < 0 ||
        (status = variable(wr, "region_climate", m, f, D("region"), w->region_climate, "1",
                           "climate stress of the region in the data, 0 to 1")) < 0 ||
        (status = variable(wr, "origin_lat", m, f, D("origin"), w->origin_lat, "degrees_north",
                           "latitude of the origin's reference city (NaN where none)")) < 0 ||
        (status = variable(wr, "origin_lon", m, f, D("origin"), w->origin_lon, "degrees_east",
                           "longitude of the origin's reference city (NaN where none)")) < 0)
        return status;
    return write_routes(wr, w);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The mean and the 5%, 50% and 95% quantiles over replicates of every value
 * of a series, as variables NAME_mean, NAME_q05, NAME_q50, NAME_q95. */
static int write_summaries(struct writer *wr, const struct mig_series *v, const char *const *dims,
                           const double *data, size_t size, int replicates)
{
    static const char *const suffix[] = {"mean", "q05", "q50", "q95"};
    static const double q[] = {0, 0.05, 0.50, 0.95};
    double *out = malloc(size * 4 * sizeof *out);
    double *values = malloc((size_t)replicates * sizeof *values);
    int status = out && values ? 0 : mig_fail(MIG_ENOMEM, "out of memory");
    for (size_t i = 0; status == 0 && i < size; i++) {
        double mean = 0;
        for (int r = 0; r < replicates; r++)
            mean += (values[r] = data[size * (size_t)r + i]) / replicates;
        qsort(values, (size_t)replicates, sizeof *values, by_value);
        out[i] = mean;
        for (int k = 1; k < 4; k++) {
            double at = q[k] * (replicates - 1);
            int j = (int)at;
            out[size * (size_t)k + i] =
                j + 1 < replicates ? values[j] + (at - j) * (values[j + 1] - values[j]) : values[j];
        }
    }
    for (int k = 0; status == 0 && k < 4; k++) {
        char name[96], text[512];
        snprintf(name, sizeof name, "%s_%s", v->name, suffix[k]);
        snprintf(text, sizeof text, "%s over replicates: %s",
                 k == 0   ? "mean"
                 : k == 1 ? "5% quantile"
                 : k == 2 ? "median"
                          : "95% quantile",
                 v->description);
        status = variable(wr, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dims, out + size * (size_t)k,
                          v->units, text);
    }
    free(out);
    free(values);
    return status;
}

/* Every series of the stats table; replicates are stacked on a leading
 * dimension. */
static int write_series(struct writer *wr, const struct stats *runs, int replicates)
{
    size_t n;
    const struct mig_series *list = mig_stats_series(&n);
    for (size_t i = 0; i < n; i++) {
        const struct mig_series *v = &list[i];
        size_t size = (size_t)runs[0].steps * mig_stats_series_width(&runs[0], v);
        const char *dims[6] = {0};
        int d = 0;
        if (replicates > 1)
            dims[d++] = "replicate";
        for (int k = 0; k < 4 && v->dims[k]; k++)
            dims[d++] = v->dims[k];
        double *data = malloc(size * (size_t)replicates * sizeof *data);
        if (!data)
            return mig_fail(MIG_ENOMEM, "out of memory");
        for (int r = 0; r < replicates; r++)
            memcpy(data + size * (size_t)r, *(double *const *)((const char *)&runs[r] + v->offset),
                   size * sizeof *data);
        int status = variable(wr, v->name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dims, data, v->units,
                              v->description);
        if (status == 0 && replicates > 1)
            status = write_summaries(wr, v, dims + 1, data, size, replicates);
        free(data);
        if (status < 0)
            return status;
    }
    return 0;
}

static int write_figures(struct writer *wr, const struct targets *figures,
                         const struct figure_result *results, long start)
{
    char units[64], first[11];
    mig_date_format(start, first);
    snprintf(units, sizeof units, "days since %s", first);
    int n = figures->count, status;
    double *table = calloc((size_t)(n ? n : 1) * 10, sizeof *table);
    const char **statistic = calloc((size_t)(n ? n : 1), sizeof *statistic);
    signed char *within = calloc((size_t)(n ? n : 1), 1);
    const char **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
    const char **text = calloc((size_t)(n ? n : 1), sizeof *text);
    const char **role = calloc((size_t)(n ? n : 1), sizeof *role);
    if (!table || !statistic || !within || !ids || !text || !role) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        const struct target *t = &figures->items[i];
        table[i] = t->value;
        table[n + i] = t->lo;
        table[2 * n + i] = t->hi;
        table[3 * n + i] = results[i].simulated;
        table[4 * n + i] = results[i].q05;
        table[5 * n + i] = results[i].q95;
        table[6 * n + i] = results[i].error;
        table[7 * n + i] = (double)(t->from - start);
        table[8 * n + i] = (double)(t->to - start) + 1;
        table[9 * n + i] = results[i].sampling_sd;
        statistic[i] = t->statistic;
        within[i] = (signed char)results[i].within;
        ids[i] = t->id;
        text[i] = t->label[0] ? t->label : t->statistic;
        role[i] = mig_role_name(t->role);
    }
    hid_t m = H5T_NATIVE_DOUBLE, f = H5T_IEEE_F64LE;
    if ((status = index_coordinate(wr, "figure", n, "a figure the run is checked against")) < 0 ||
        (status = labels(wr, "figure_id", "figure", ids, "figure id")) < 0 ||
        (status = labels(wr, "figure_label", "figure", text, "what the figure is")) < 0 ||
        (status = labels(wr, "figure_statistic", "figure", statistic,
                         "the named statistic (see migsim stats)")) < 0 ||
        (status = labels(wr, "figure_role", "figure", role,
                         "fit (a calibration target), validate (held out from the "
                         "calibration) or input (a parameter read back)")) < 0 ||
        (status = variable(wr, "figure_from", m, f, D("figure"), table + 7 * n, units,
                           "first day of the figure's date or window")) < 0 ||
        (status = variable(wr, "figure_to", m, f, D("figure"), table + 8 * n, units,
                           "end (exclusive) of the figure's date or window")) < 0 ||
        (status = variable(wr, "figure_observed", m, f, D("figure"), table, "various",
                           "observed value (units of the figure's statistic)")) < 0 ||
        (status = variable(wr, "figure_lower", m, f, D("figure"), table + n, "various",
                           "lowest value within tolerance")) < 0 ||
        (status = variable(wr, "figure_upper", m, f, D("figure"), table + 2 * n, "various",
                           "highest value within tolerance")) < 0 ||
        (status = variable(wr, "figure_simulated", m, f, D("figure"), table + 3 * n, "various",
                           "value computed from this run (mean over replicates)")) < 0 ||
        (status = variable(wr, "figure_simulated_q05", m, f, D("figure"), table + 4 * n, "various",
                           "5% quantile over replicates")) < 0 ||
        (status = variable(wr, "figure_simulated_q95", m, f, D("figure"), table + 5 * n, "various",
                           "95% quantile over replicates")) < 0 ||
        (status = variable(wr, "figure_error", m, f, D("figure"), table + 6 * n, "1",
                           "standardised error: simulated minus observed over the combined "
                           "standard deviation (0 inside a range or bound)")) < 0 ||
        (status = variable(wr, "figure_sampling_sd", m, f, D("figure"), table + 9 * n, "various",
                           "sampling standard deviation of figure_simulated: of an emulated "
                           "survey's estimate (0 for the whole population), over replicates "
                           "their mean over the square root of their number")) < 0 ||
        (status = variable(wr, "figure_within", H5T_NATIVE_SCHAR, H5T_STD_I8LE, D("figure"), within,
                           "1", "1 if the simulated value is within tolerance")) < 0)
        goto done;
done:
    free(table);
    free(statistic);
    free(role);
    free(within);
    free(ids);
    free(text);
    return status;
}

static int write_provenance(struct writer *wr, const struct provenance *prov)
{
    hid_t root = wr->file;
    char created[32], seed[32];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    snprintf(seed, sizeof seed, "%.0f", prov->seed);
    int threads = prov->threads, ranks = prov->ranks;
    int status;
    if ((status = attr_text(wr, root, "title", prov->title)) < 0 ||
        (status = attr_text(wr, root, "Conventions", "CF-1.8")) < 0 ||
        (status = attr_text(wr, root, "scenario_name", prov->scenario_name)) < 0 ||
        (status = attr_text(wr, root, "scenario_file", prov->scenario_file)) < 0 ||
        (status = attr_text(wr, root, "scenario_text", prov->scenario_text)) < 0 ||
        (status = attr_text(wr, root, "scenario_parameters", prov->parameters)) < 0 ||
        (status = attr_text(wr, root, "seed", seed)) < 0 ||
        (status = attr_number(wr, root, "scale", H5T_NATIVE_DOUBLE, &prov->scale)) < 0 ||
        (status = attr_text(wr, root, "migsim_version", MIGSIM_VERSION)) < 0 ||
        (status = attr_text(wr, root, "git_revision", MIGSIM_GIT_REVISION)) < 0 ||
        (status = attr_text(wr, root, "compiler", MIGSIM_COMPILER)) < 0 ||
        (status = attr_text(wr, root, "compiler_flags", MIGSIM_C_FLAGS)) < 0 ||
        (status = attr_number(wr, root, "threads", H5T_NATIVE_INT, &threads)) < 0 ||
        (status = attr_number(wr, root, "ranks", H5T_NATIVE_INT, &ranks)) < 0 ||
        (status = attr_text(wr, root, "command_line", prov->command_line)) < 0 ||
        (status = attr_text(wr, root, "first_event", prov->first_event ? prov->first_event : "")) <
            0 ||
        (status = attr_text(wr, root, "created_utc", created)) < 0)
        return status;
    if ((prov->data_digest &&
         (status = attr_text(wr, root, "data_digest", prov->data_digest)) < 0) ||
        (prov->figures_digest &&
         (status = attr_text(wr, root, "figures_digest", prov->figures_digest)) < 0))
        return status;
    if (prov->replicate_index >= 0)
        return attr_number(wr, root, "replicate_index", H5T_NATIVE_INT, &prov->replicate_index);
    return 0;
}

/* A file built in memory is HDF5's core driver with no backing file; these
 * callbacks take its buffer over when the file closes, so that the image is
 * complete (a flushed image of an open file is not). */
struct image_capture {
    void *buffer;
    size_t size;
};

static void *image_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    struct image_capture *c = udata;
    void *p = malloc(size);
    if (p && op == H5FD_FILE_IMAGE_OP_FILE_RESIZE)
        c->buffer = p, c->size = size;
    return p;
}

static void *image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op,
                          void *udata)
{
    return memcpy(dest, src, size);
}

static void *image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
    struct image_capture *c = udata;
    void *grown = realloc(ptr, size);
    if (grown && ptr == c->buffer)
        c->buffer = grown, c->size = size;
    return grown;
}

static herr_t image_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
    struct image_capture *c = udata;
    if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && ptr == c->buffer)
        return 0; /* kept: the caller owns it now */
    free(ptr);
    return 0;
}

static void *image_udata_copy(void *udata)
{
    return udata;
}

static herr_t image_udata_free(void *udata)
{
    return 0;
}

/* In memory (the core driver, no backing file) when `capture` is set. */
static hid_t create_file(const char *temp, struct image_capture *capture)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS), file = -1;
    H5FD_file_image_callbacks_t callbacks = {image_malloc, image_memcpy,     image_realloc,
                                             image_free,   image_udata_copy, image_udata_free,
                                             capture};
    if (fcpl >= 0 && fapl >= 0 &&
        (!capture || (H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0 &&
                      H5Pset_file_image_callbacks(fapl, &callbacks) >= 0)) &&
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0 &&
        H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0)
        file = H5Fcreate(temp, H5F_ACC_TRUNC, fcpl, fapl);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    return file;
}

static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int status = fsync(fd);
    close(fd);
    return status;
}

void mig_output_library_init(void)
{
    H5dont_atexit();
}

void mig_output_library_close(void)
{
    /* A file whose close failed stays open; HDF5 would crash closing it. */
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) == 0)
        H5close();
}

/* Writes to `path`, or, when `image` is not NULL, into memory. */
static int output(const char *path, void **image, size_t *size, const struct world *w,
                  const struct stats *runs, int replicates, const struct targets *figures,
                  const struct figure_result *results, const struct provenance *prov)
{
    const struct stats *s = &runs[0];
    char temp[4096];
    int status = 0;
    if (image)
        snprintf(temp, sizeof temp, "migsim-image-%ld.h5", (long)getpid());
    else if ((status = mig_files_temp_begin(path, temp, sizeof temp)) < 0)
        return status;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we report errors ourselves */
    struct writer wr = {.path = path, .file = H5I_INVALID_HID};
    double *time = malloc((size_t)s->steps * sizeof *time);
    double *bounds = malloc((size_t)s->steps * 2 * sizeof *bounds);
    if (!time || !bounds) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto fail;
    }
    struct image_capture capture = {NULL, 0};
    wr.file = create_file(temp, image ? &capture : NULL);
    if (wr.file < 0) {
        status = mig_fail(MIG_EIO,
                          "%s: error: cannot create the output file (is the folder "
                          "there and writable?)",
                          path);
        goto fail;
    }
    if ((status = write_coordinates(&wr, w, s, replicates, time, bounds)) < 0 ||
        (status = write_series(&wr, runs, replicates)) < 0 ||
        (figures && (status = write_figures(&wr, figures, results, s->start)) < 0) ||
        (status = write_provenance(&wr, prov)) < 0)
        goto fail;
    for (int i = 0; i < wr.dims; i++)
        H5Dclose(wr.dim[i].scale);
    wr.dims = 0;
    if (H5Fclose(wr.file) < 0) {
        wr.file = -1;
        status = h5_failed(&wr, "close the file");
        goto fail;
    }
    if (image) {
        /* The core driver's buffer may be larger than the file: the file ends
         * at its end-of-file address, which the superblock records. */
        *image = capture.buffer;
        *size = capture.size;
        free(time);
        free(bounds);
        return 0;
    }
    wr.file = -1;
    if (mig_files_stop_signal()) { /* stopped while writing: keep what was there */
        status =
            mig_fail(MIG_ESTOPPED, "%s: stopped by a signal before the file was complete", path);
        goto fail;
    }
    if (sync_file(temp) < 0 || rename(temp, path) < 0) {
        status = mig_fail(MIG_EIO, "%s: error: cannot finish the output file: %s", path,
                          strerror(errno));
        goto fail;
    }
    mig_files_temp_end(temp);
    free(time);
    free(bounds);
    return 0;
fail:
    for (int i = 0; i < wr.dims; i++)
        H5Dclose(wr.dim[i].scale);
    if (wr.file >= 0)
        H5Fclose(wr.file);
    if (image) {
        free(capture.buffer); /* ours once the file is closed */
        *image = NULL;
    } else {
        remove(temp);
        mig_files_temp_end(temp);
    }
    free(time);
    free(bounds);
    return status;
}

int mig_output_write(const char *path, const struct world *w, const struct stats *runs,
                     int replicates, const struct targets *figures,
                     const struct figure_result *results, const struct provenance *prov)
{
    return output(path, NULL, NULL, w, runs, replicates, figures, results, prov);
}

int mig_output_image(void **image, size_t *size, const struct world *w, const struct stats *runs,
                     int replicates, const struct targets *figures,
                     const struct figure_result *results, const struct provenance *prov)
{
    *image = NULL;
    *size = 0;
    return output("(memory)", image, size, w, runs, replicates, figures, results, prov);
}
