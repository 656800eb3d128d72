/* The export: a run's tables for spreadsheets. Every table goes through one
 * small "sink" that writes either a worksheet of an .xlsx workbook
 * (libxlsxwriter, in constant-memory mode, rows in order) or a CSV file, so
 * that the workbook and the CSV folder always hold the same tables.
 *
 * Tables: README (what each table holds), series (tidy: date, origin,
 * region, sector, driver, variable, value, unit; the mean over replicates,
 * with their 5% and 95% quantiles when there are several), internal_moves
 * (date, region_from, region_to), figures (with their role where the file
 * has one), provenance (every root attribute), scenario and parameters (one
 * line a row), labels (codes and names); with a base run, differences (the
 * series, run minus base, with 90% intervals over paired replicates) and
 * difference_summary (stocks at the end, flows over the run). */
#include "migsim/export.h"
#include "migsim/compare.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/files.h"
#include "migsim/reader.h"
#include "migsim/text.h"
#include "h5safe.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* ---- sinks: a worksheet or a CSV file ----------------------------------- */

struct sink {
    const char *output; /* for messages */
    int xlsx;
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *bold, *date;
    FILE *csv;
    char temp[4200], final[4200];
    int row, col, status;
    /* CSV files written so far, renamed into place only when all are done. */
    int files;
    char written[16][4200], pending[16][4200];
};

static int sink_failed(struct sink *k, const char *what)
{
    if (k->status == 0)
        k->status = mig_fail(MIG_EIO, "%s: error: cannot write %s", k->output, what);
    return k->status;
}

static int sink_begin(struct sink *k, const char *name, const char *const *columns)
{
    if (k->status < 0)
        return k->status;
    k->row = 0;
    k->col = 0;
    if (k->xlsx) {
        k->sheet = workbook_add_worksheet(k->book, name);
        if (!k->sheet)
            return sink_failed(k, "a worksheet");
    } else {
        if (k->files == 16)
            return sink_failed(k, "more than 16 tables");
        snprintf(k->final, sizeof k->final, "%s/%s.csv", k->output, name);
        /* Registered, so that a signal removes it (and debris of a killed
         * export of the same table is removed first). */
        if (mig_files_temp_begin(k->final, k->temp, sizeof k->temp) < 0)
            return sink_failed(k, k->final);
        k->csv = fopen(k->temp, "w");
        if (!k->csv) {
            mig_files_temp_end(k->temp);
            return sink_failed(k, k->final);
        }
    }
    for (int c = 0; columns[c]; c++) {
        if (k->xlsx) {
            worksheet_write_string(k->sheet, 0, (lxw_col_t)c, columns[c], k->bold);
            worksheet_set_column(
                k->sheet, (lxw_col_t)c, (lxw_col_t)c,
                strcmp(columns[c], "value") == 0 || strcmp(columns[c], "label") == 0 ? 16 : 12,
                NULL);
        } else {
            fprintf(k->csv, "%s%s", c ? "," : "", columns[c]);
        }
    }
    if (k->xlsx)
        worksheet_freeze_panes(k->sheet, 1, 0);
    else
        fputc('\n', k->csv);
    k->row = 1;
    return 0;
}

static void csv_separator(struct sink *k)
{
    if (k->col++)
        fputc(',', k->csv);
}

static void cell_text(struct sink *k, const char *text)
{
    if (k->status < 0)
        return;
    if (k->xlsx) {
        if (text && text[0])
            worksheet_write_string(k->sheet, (lxw_row_t)k->row, (lxw_col_t)k->col, text, NULL);
        k->col++;
        return;
    }
    csv_separator(k);
    if (!text)
        return;
    if (strpbrk(text, ",\"\n\r")) {
        fputc('"', k->csv);
        for (const char *c = text; *c; c++) {
            if (*c == '"')
                fputc('"', k->csv);
            fputc(*c, k->csv);
        }
        fputc('"', k->csv);
    } else {
        fputs(text, k->csv);
    }
}

static void cell_number(struct sink *k, double x)
{
    if (k->status < 0)
        return;
    if (isnan(x)) { /* no value: an empty cell */
        cell_text(k, NULL);
        return;
    }
    if (k->xlsx) {
        worksheet_write_number(k->sheet, (lxw_row_t)k->row, (lxw_col_t)k->col++, x, NULL);
        return;
    }
    csv_separator(k);
    fprintf(k->csv, "%.15g", x);
}

/* A date: an Excel date in a workbook, YYYY-MM-DD in CSV. */
static void cell_date(struct sink *k, long day)
{
    if (k->status < 0)
        return;
    char text[11];
    mig_date_format(day, text);
    if (!k->xlsx) {
        cell_text(k, text);
        return;
    }
    int y, m, d;
    mig_date_to_civil(day, &y, &m, &d);
    lxw_datetime when = {y, m, d, 0, 0, 0};
    worksheet_write_datetime(k->sheet, (lxw_row_t)k->row, (lxw_col_t)k->col++, &when, k->date);
}

static void end_row(struct sink *k)
{
    if (k->status < 0)
        return;
    if (!k->xlsx)
        fputc('\n', k->csv);
    k->row++;
    k->col = 0;
    if (k->xlsx && k->row > 1048575)
        sink_failed(k, "a table longer than a worksheet's 1,048,576 rows");
}

static int sink_end(struct sink *k)
{
    if (k->xlsx)
        return k->status;
    int failed = ferror(k->csv);
    if (fclose(k->csv) != 0 || failed)
        sink_failed(k, k->final);
    k->csv = NULL;
    strcpy(k->pending[k->files], k->temp);
    strcpy(k->written[k->files++], k->final);
    return k->status;
}

/* ---- reading what the reader does not keep ------------------------------ */

/* Every root attribute, for the provenance table, read with the reader's
 * checks (h5safe.h) before any table is written: each must be one UTF-8
 * text or one number, else the file is refused with one message and
 * nothing is written. (The figures' ids and roles come with the reader's.) */
#define MAX_ATTRIBUTES 1024
#define MAX_ATTRIBUTE_TEXT (16u << 20)

struct attribute {
    char name[256];
    char *text; /* NULL for a number */
    double number;
};

struct root_attributes {
    struct attribute *attributes;
    int count, failed;
    size_t bytes; /* of text so far, bounded like the attributes themselves */
    const char *path;
};

static void attributes_free(struct root_attributes *x)
{
    for (int i = 0; x->attributes && i < x->count; i++)
        free(x->attributes[i].text);
    free(x->attributes);
    x->attributes = NULL;
    x->count = 0;
}

static int attributes_refuse(const struct root_attributes *x, const char *what)
{
    return mig_fail(MIG_EINPUT, "%s: error: %s; expected a migsim output file", x->path, what);
}

static herr_t attributes_one(hid_t root, const char *name, const H5A_info_t *info, void *user)
{
    (void)info;
    struct root_attributes *x = user;
    char what[400];
    if (x->count == MAX_ATTRIBUTES) {
        snprintf(what, sizeof what, "more than %d attributes", MAX_ATTRIBUTES);
        x->failed = attributes_refuse(x, what);
        return -1;
    }
    struct attribute *a = &x->attributes[x->count];
    memset(a, 0, sizeof *a);
    if (strlen(name) >= sizeof a->name || !mig_text_is_utf8(name)) {
        x->failed = attributes_refuse(x, "the name of an attribute is not UTF-8 text of at most "
                                         "255 bytes");
        return -1;
    }
    snprintf(a->name, sizeof a->name, "%s", name);
    hid_t attr = H5Aopen(root, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    int invalid = 0, number = 0;
    if (c == H5T_STRING)
        a->text = mig_h5_text_attribute(root, name, MAX_ATTRIBUTE_TEXT, &invalid);
    else if (c == H5T_INTEGER || c == H5T_FLOAT)
        number = mig_h5_number_attribute(root, name, H5T_NATIVE_DOUBLE, &a->number) == 0;
    if (invalid || (!a->text && !number)) {
        snprintf(what, sizeof what, "the attribute '%s' is not %s", a->name,
                 invalid ? "UTF-8 text" : "one text of at most 16 MiB or one number");
        free(a->text);
        a->text = NULL;
        x->failed = attributes_refuse(x, what);
        return -1;
    }
    if (a->text && (x->bytes += strlen(a->text)) > MAX_ATTRIBUTE_TEXT * (size_t)4) {
        free(a->text);
        a->text = NULL;
        x->failed = attributes_refuse(x, "its attributes hold more than 64 MiB of text");
        return -1;
    }
    x->count++;
    return 0;
}

struct attributes_request {
    struct root_attributes *x;
    const struct run_file *r;
};

static int attributes_read(void *arg)
{
    struct attributes_request *q = arg;
    struct root_attributes *x = q->x;
    const char *path = q->r->path;
    attributes_free(x);
    memset(x, 0, sizeof *x);
    x->path = path;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return attributes_refuse(x, "cannot open the HDF5 file");
    int status = 0;
    if (!(x->attributes = calloc(MAX_ATTRIBUTES, sizeof *x->attributes)))
        status = mig_fail(MIG_ENOMEM, "out of memory");
    if (status == 0) {
        /* In creation order where the file tracks it, as written. */
        hid_t plist = H5Fget_create_plist(file);
        unsigned flags = 0;
        if (plist >= 0) {
            H5Pget_attr_creation_order(plist, &flags);
            H5Pclose(plist);
        }
        hsize_t at = 0;
        if (H5Aiterate2(file, flags & H5P_CRT_ORDER_TRACKED ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME,
                        H5_ITER_INC, &at, attributes_one, x) < 0)
            status = x->failed ? x->failed : attributes_refuse(x, "cannot read its attributes");
    }
    H5Fclose(file);
    if (status < 0)
        attributes_free(x);
    return status;
}

/* A damaged file can crash the HDF5 library: the read runs first in a child. */
static int attributes_load(struct root_attributes *x, const struct run_file *r)
{
    struct attributes_request q = {x, r};
    memset(x, 0, sizeof *x);
    return mig_h5_guarded(attributes_read, &q, r->path, "its attributes");
}

/* Every root attribute as a provenance row: texts and numbers. */
static void provenance_rows(struct sink *k, const struct root_attributes *x)
{
    for (int i = 0; i < x->count && k->status == 0; i++) {
        const struct attribute *a = &x->attributes[i];
        cell_text(k, a->name);
        if (strcmp(a->name, "scenario_text") == 0)
            cell_text(k, "(see the table `scenario`)");
        else if (strcmp(a->name, "scenario_parameters") == 0)
            cell_text(k, "(see the table `parameters`)");
        else if (a->text)
            cell_text(k, a->text);
        else
            cell_number(k, a->number);
        end_row(k);
    }
}

/* ---- the tables ---------------------------------------------------------- */

static int is_stock(const char *name)
{
    return strcmp(name, "migrant_stock") == 0 || strcmp(name, "migrant_stock_by_sector") == 0 ||
           strcmp(name, "visiting_home") == 0 || strcmp(name, "resident_population") == 0;
}

/* The label of index i along a dimension. */
static const char *dim_label(const struct run_file *r, const char *dim, size_t i)
{
    const struct world *w = &r->labels;
    if (strcmp(dim, "origin") == 0)
        return w->origin_code[i];
    if (strcmp(dim, "region") == 0 || strcmp(dim, "region_from") == 0 ||
        strcmp(dim, "region_to") == 0)
        return w->region_code[i];
    if (strcmp(dim, "sector") == 0)
        return w->sector_code[i];
    if (strcmp(dim, "driver") == 0)
        return i < MIG_DRIVERS ? mig_driver_names[i] : "";
    return "";
}

static size_t dim_length(const struct run_file *r, const char *dim)
{
    const struct stats *s = &r->runs[0];
    if (strcmp(dim, "origin") == 0)
        return (size_t)s->origins;
    if (strcmp(dim, "sector") == 0)
        return (size_t)s->sectors;
    if (strcmp(dim, "driver") == 0)
        return MIG_DRIVERS;
    return (size_t)s->regions;
}

static const double *values_of(const struct run_file *r, int rep, const struct mig_series *v)
{
    return *(double *const *)((const char *)&r->runs[rep] + v->offset);
}

/* The mean over replicates of element i at step t (run minus base when
 * base is given), with the 5% and 95% quantiles over (paired) replicates. */
static double mean_and_band(const struct run_file *r, const struct run_file *base,
                            const struct mig_series *v, size_t width, int t, size_t i, double *each,
                            double *q05, double *q95)
{
    int n = r->replicates;
    double mean = 0;
    for (int k = 0; k < n; k++) {
        double x = values_of(r, k, v)[(size_t)t * width + i];
        if (base)
            x -= values_of(base, k, v)[(size_t)t * width + i];
        each[k] = x;
        mean += x / n;
    }
    if (n > 1) {
        for (int a = 1; a < n; a++) /* insertion sort: few replicates */
            for (int b = a; b > 0 && each[b] < each[b - 1]; b--) {
                double swap = each[b];
                each[b] = each[b - 1], each[b - 1] = swap;
            }
        double lo = 0.05 * (n - 1), hi = 0.95 * (n - 1);
        int i05 = (int)lo, i95 = (int)hi;
        *q05 = each[i05] + (i05 + 1 < n ? (lo - i05) * (each[i05 + 1] - each[i05]) : 0);
        *q95 = each[i95] + (i95 + 1 < n ? (hi - i95) * (each[i95 + 1] - each[i95]) : 0);
    }
    return mean;
}

static long step_end(const struct stats *s, int t)
{
    /* The file's time coordinate: the end of the step, where stocks are taken. */
    return s->step_day[t] + (long)s->step_days[t];
}

/* The long table of every series without a region-to-region dimension
 * (those go to table_moves); with `base`, the differences. */
static void table_series(struct sink *k, const struct run_file *r, const struct run_file *base,
                         double *each)
{
    int bands = r->replicates > 1;
    const char *plain[] = {"date",  "origin", "region", "sector", "driver", "variable",
                           "value", "q05",    "q95",    "unit",   NULL};
    const char *diff[] = {"date",           "origin", "region", "sector",     "driver",
                          "variable",       "base",   "value",  "difference", "difference_q05",
                          "difference_q95", "unit",   NULL};
    if (!bands) { /* drop the quantile columns */
        static const char *plain1[] = {"date",     "origin", "region", "sector", "driver",
                                       "variable", "value",  "unit",   NULL};
        static const char *diff1[] = {"date",       "origin",   "region", "sector",
                                      "driver",     "variable", "base",   "value",
                                      "difference", "unit",     NULL};
        sink_begin(k, base ? "differences" : "series", base ? diff1 : plain1);
    } else {
        sink_begin(k, base ? "differences" : "series", base ? diff : plain);
    }
    const struct stats *s = &r->runs[0];
    size_t count;
    const struct mig_series *list = mig_stats_series(&count);
    for (size_t v = 0; v < count && k->status == 0; v++) {
        const struct mig_series *x = &list[v];
        int skip = 0, ndims = 0;
        for (int d = 1; d < 4 && x->dims[d]; d++, ndims++)
            skip |= strncmp(x->dims[d], "region_", 7) == 0;
        if (skip)
            continue;
        size_t width = mig_stats_series_width(s, x);
        for (int t = 0; t < s->steps && k->status == 0; t++)
            for (size_t i = 0; i < width; i++) {
                const char *origin = NULL, *region = NULL, *sector = NULL, *driver = NULL;
                size_t rest = i;
                for (int d = ndims; d >= 1;
                     d--) { /* row-major: the last dimension varies fastest */
                    size_t len = dim_length(r, x->dims[d]), at = rest % len;
                    rest /= len;
                    const char *label = dim_label(r, x->dims[d], at);
                    if (strcmp(x->dims[d], "origin") == 0)
                        origin = label;
                    else if (strcmp(x->dims[d], "region") == 0)
                        region = label;
                    else if (strcmp(x->dims[d], "sector") == 0)
                        sector = label;
                    else
                        driver = label;
                }
                double q05 = NAN, q95 = NAN, bq05, bq95;
                cell_date(k, step_end(s, t));
                cell_text(k, origin);
                cell_text(k, region);
                cell_text(k, sector);
                cell_text(k, driver);
                cell_text(k, x->name);
                if (base) {
                    double b = mean_and_band(base, NULL, x, width, t, i, each, &bq05, &bq95);
                    double a = mean_and_band(r, NULL, x, width, t, i, each, &bq05, &bq95);
                    double d = mean_and_band(r, base, x, width, t, i, each, &q05, &q95);
                    cell_number(k, b);
                    cell_number(k, a);
                    cell_number(k, d);
                } else {
                    cell_number(k, mean_and_band(r, NULL, x, width, t, i, each, &q05, &q95));
                }
                if (bands) {
                    cell_number(k, q05);
                    cell_number(k, q95);
                }
                cell_text(k, x->units);
                end_row(k);
            }
    }
    sink_end(k);
}

/* Series over two region dimensions (internal moves), in their own table. */
static void table_moves(struct sink *k, const struct run_file *r, double *each)
{
    int bands = r->replicates > 1;
    const char *columns[] = {
        "date",  "region_from",          "region_to",          "variable",
        "value", bands ? "q05" : "unit", bands ? "q95" : NULL, bands ? "unit" : NULL,
        NULL};
    sink_begin(k, "internal_moves", columns);
    const struct stats *s = &r->runs[0];
    size_t count;
    const struct mig_series *list = mig_stats_series(&count);
    for (size_t v = 0; v < count && k->status == 0; v++) {
        const struct mig_series *x = &list[v];
        if (!x->dims[1] || !x->dims[2] || strcmp(x->dims[1], "region_from") != 0 ||
            strcmp(x->dims[2], "region_to") != 0 || x->dims[3])
            continue;
        size_t width = mig_stats_series_width(s, x), R = (size_t)s->regions;
        for (int t = 0; t < s->steps; t++)
            for (size_t i = 0; i < width; i++) {
                double q05 = NAN, q95 = NAN;
                double mean = mean_and_band(r, NULL, x, width, t, i, each, &q05, &q95);
                if (i / R == i % R && mean == 0)
                    continue; /* nobody moves within a region */
                cell_date(k, step_end(s, t));
                cell_text(k, r->labels.region_code[i / R]);
                cell_text(k, r->labels.region_code[i % R]);
                cell_text(k, x->name);
                cell_number(k, mean);
                if (bands) {
                    cell_number(k, q05);
                    cell_number(k, q95);
                }
                cell_text(k, x->units);
                end_row(k);
            }
    }
    sink_end(k);
}

/* Stocks at the end and flows over the run, in total and by the first
 * dimension's keys: base, run, difference and change. */
static void table_summary(struct sink *k, const struct run_file *r, const struct run_file *base,
                          double *each)
{
    int bands = r->replicates > 1;
    const char *columns[] = {"variable",
                             "taken",
                             "key",
                             "base",
                             "value",
                             "difference",
                             "change_pct",
                             bands ? "ci90_low" : "unit",
                             bands ? "ci90_high" : NULL,
                             bands ? "prediction90_low" : NULL,
                             bands ? "prediction90_high" : NULL,
                             bands ? "unit" : NULL,
                             NULL};
    sink_begin(k, "difference_summary", columns);
    const struct stats *s = &r->runs[0];
    size_t count;
    const struct mig_series *list = mig_stats_series(&count);
    int n = r->replicates;
    double *per = calloc((size_t)n * 2, sizeof *per);
    if (!per) {
        k->status = mig_fail(MIG_ENOMEM, "out of memory");
        return;
    }
    for (size_t v = 0; v < count && k->status == 0; v++) {
        const struct mig_series *x = &list[v];
        if (!x->dims[1])
            continue;
        size_t width = mig_stats_series_width(s, x), keys = dim_length(r, x->dims[1]);
        size_t inner = width / keys;
        int stock = is_stock(x->name);
        for (long key = -1; key < (long)keys; key++) {
            /* per[k]: base and run totals of replicate k */
            for (int rep = 0; rep < n; rep++) {
                double sums[2] = {0, 0};
                const double *xs[2] = {values_of(base, rep, x), values_of(r, rep, x)};
                for (int t = stock ? s->steps - 1 : 0; t < s->steps; t++)
                    for (size_t i = 0; i < width; i++)
                        if (key < 0 || (long)(i / inner) == key)
                            for (int j = 0; j < 2; j++)
                                sums[j] += xs[j][(size_t)t * width + i];
                per[2 * rep] = sums[0], per[2 * rep + 1] = sums[1];
            }
            double b = 0, a = 0;
            for (int rep = 0; rep < n; rep++) {
                b += per[2 * rep] / n, a += per[2 * rep + 1] / n;
                each[rep] = per[2 * rep + 1] - per[2 * rep];
            }
            cell_text(k, x->name);
            cell_text(k, stock ? "at the end" : "over the run");
            cell_text(k, key < 0 ? "all" : dim_label(r, x->dims[1], (size_t)key));
            cell_number(k, b);
            cell_number(k, a);
            cell_number(k, a - b);
            cell_number(k, b != 0 ? 100 * (a - b) / b : NAN);
            if (bands) { /* as `migsim compare`: t intervals over paired replicates */
                double mean, half, predict;
                mig_compare_interval(each, n, &mean, &half, &predict);
                cell_number(k, mean - half);
                cell_number(k, mean + half);
                cell_number(k, mean - predict);
                cell_number(k, mean + predict);
            }
            cell_text(k, x->units);
            end_row(k);
        }
    }
    free(per);
    sink_end(k);
}

static void table_figures(struct sink *k, const struct run_file *r)
{
    const struct run_figures *g = &r->figures;
    const char *columns[] = {"id",          "label", "statistic", "role",          "observed",
                             "lower",       "upper", "simulated", "simulated_q05", "simulated_q95",
                             "sampling_sd", "error", "within",    "from",          "to",
                             NULL};
    sink_begin(k, "figures", columns);
    const struct stats *s = &r->runs[0];
    for (int i = 0; i < g->count && k->status == 0; i++) {
        cell_text(k, g->id ? g->id[i] : NULL);
        cell_text(k, g->label[i]);
        cell_text(k, g->statistic[i]);
        cell_text(k, g->role ? g->role[i] : NULL);
        double values[] = {g->observed[i],  g->lower[i], g->upper[i],
                           g->simulated[i], g->q05[i],   g->q95[i]};
        for (size_t j = 0; j < sizeof values / sizeof values[0]; j++)
            cell_number(k, values[j]);
        cell_number(k, g->sampling_sd ? g->sampling_sd[i] : NAN); /* older files have none */
        cell_number(k, g->error[i]);
        cell_text(k, g->within[i] ? "yes" : "no");
        if (isnan(g->from[i]))
            cell_text(k, NULL);
        else
            cell_date(k, s->start + (long)g->from[i]);
        if (isnan(g->to[i])) /* the file's end is exclusive; the table's, as a target's, not */
            cell_text(k, NULL);
        else
            cell_date(k, s->start + (long)g->to[i] - 1);
        end_row(k);
    }
    sink_end(k);
}

static void table_lines(struct sink *k, const char *name, const char *text)
{
    const char *columns[] = {"line", "text", NULL};
    sink_begin(k, name, columns);
    int line = 1;
    for (const char *p = text ? text : ""; *p && k->status == 0; line++) {
        size_t len = strcspn(p, "\n");
        char *copy = strndup(p, len);
        cell_number(k, line);
        cell_text(k, copy);
        end_row(k);
        free(copy);
        p += len + (p[len] == '\n');
    }
    sink_end(k);
}

static void table_parameters(struct sink *k, const char *text)
{
    const char *columns[] = {"parameter", "value", NULL};
    sink_begin(k, "parameters", columns);
    for (const char *p = text ? text : ""; *p && k->status == 0;) {
        size_t len = strcspn(p, "\n");
        char *copy = strndup(p, len), *colon = copy ? strstr(copy, ": ") : NULL;
        if (colon) {
            *colon = '\0';
            cell_text(k, copy);
            cell_text(k, colon + 2);
            end_row(k);
        }
        free(copy);
        p += len + (p[len] == '\n');
    }
    sink_end(k);
}

static void table_provenance(struct sink *k, const struct run_file *r, const struct run_file *base,
                             const struct root_attributes *x, const char *command_line)
{
    const char *columns[] = {"attribute", "value", NULL};
    sink_begin(k, "provenance", columns);
    cell_text(k, "exported_from");
    cell_text(k, r->path);
    end_row(k);
    if (base) {
        cell_text(k, "differences_against");
        cell_text(k, base->path);
        end_row(k);
    }
    cell_text(k, "export_command_line");
    cell_text(k, command_line);
    end_row(k);
    cell_text(k, "replicates");
    cell_number(k, r->replicates);
    end_row(k);
    provenance_rows(k, x);
    sink_end(k);
}

static void table_labels(struct sink *k, const struct run_file *r)
{
    const char *columns[] = {"dimension", "code", "name", NULL};
    sink_begin(k, "labels", columns);
    const struct world *w = &r->labels;
    for (int i = 0; i < w->origins; i++, end_row(k))
        cell_text(k, "origin"), cell_text(k, w->origin_code[i]), cell_text(k, w->origin_name[i]);
    for (int i = 0; i < w->regions; i++, end_row(k))
        cell_text(k, "region"), cell_text(k, w->region_code[i]), cell_text(k, w->region_name[i]);
    for (int i = 0; i < w->sectors; i++, end_row(k))
        cell_text(k, "sector"), cell_text(k, w->sector_code[i]), cell_text(k, w->sector_name[i]);
    for (int i = 0; i < MIG_DRIVERS; i++, end_row(k))
        cell_text(k, "driver"), cell_text(k, mig_driver_names[i]),
            cell_text(k, mig_driver_names[i]);
    sink_end(k);
}

static void table_readme(struct sink *k, const struct run_file *r, const struct run_file *base)
{
    const char *columns[] = {"table", "what it holds", NULL};
    sink_begin(k, "README", columns);
    char intro[3000];
    snprintf(intro, sizeof intro,
             "migsim %s export of %s (scenario %s, seed %s, %d replicate%s)%s%s. Dates are the "
             "end of each weekly step: stocks are counted then, flows are over the step. "
             "Codes are explained in the table `labels`.",
             r->version, r->path, r->scenario_name, r->seed, r->replicates,
             r->replicates == 1 ? "" : "s", base ? "; differences against " : "",
             base ? base->path : "");
    const char *rows[][2] = {
        {"(this file)", intro},
        {"series",
         "one row per date, origin, region, sector or driver, and variable: the value (mean "
         "over replicates; q05 and q95 their 5% and 95% quantiles when there are several) and "
         "its unit. Filter the variable column first."},
        {"internal_moves", "residents moving from one region to another in the step"},
        {"figures",
         "the survey figures the run is checked against: observed value and band, simulated "
         "value with its sampling sd (an emulated survey's), standardised error, whether "
         "within, the figure's date or window (from and to, inclusive) and its role (fit, "
         "validate or input) where the file gives one"},
        {"provenance", "every attribute of the run file: scenario, seed, scale, version, "
                       "revision, compiler, threads, command line, creation time"},
        {"scenario", "the full scenario text, one line a row"},
        {"parameters", "every model parameter and its value in this run"},
        {"labels", "codes of origins, regions, sectors and drivers, with their names"},
        {"differences", "with a base run: the series of both runs and this one minus the base, "
                        "with the 5% and 95% quantiles of the paired differences over "
                        "replicates (both runs share their seeds)"},
        {"difference_summary",
         "with a base run: stocks at the end and flows summed over the run, in total and by "
         "the first dimension, with the change in percent and, with replicates, the 90% "
         "confidence interval of the mean difference and the 90% prediction interval of "
         "one more pair, as migsim compare gives them"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (!base && i >= 8)
            break;
        cell_text(k, rows[i][0]);
        cell_text(k, rows[i][1]);
        end_row(k);
    }
    if (k->xlsx && k->status == 0)
        worksheet_set_column(k->sheet, 1, 1, 120, NULL);
    sink_end(k);
}

/* ---- writing ------------------------------------------------------------- */

static int same_shape(const struct run_file *a, const struct run_file *b)
{
    return a->runs[0].steps == b->runs[0].steps && a->runs[0].start == b->runs[0].start &&
           a->replicates == b->replicates && a->labels.origins == b->labels.origins &&
           a->labels.regions == b->labels.regions && a->labels.sectors == b->labels.sectors;
}

static void write_tables(struct sink *k, const struct run_file *r, const struct run_file *base,
                         const struct root_attributes *x, const char *command_line, double *each)
{
    table_readme(k, r, base);
    table_series(k, r, NULL, each);
    table_moves(k, r, each);
    table_figures(k, r);
    table_provenance(k, r, base, x, command_line);
    table_lines(k, "scenario", r->scenario_text);
    table_parameters(k, r->parameters);
    table_labels(k, r);
    if (base) {
        table_series(k, r, base, each);
        table_summary(k, r, base, each);
    }
}

/* "xlsx" or "csv": --format, else from the output's name; NULL (with a
 * message) for another format. */
static const char *export_format(const struct export_options *o)
{
    const char *format = o->format;
    size_t len = strlen(o->output);
    if (!format)
        format = len > 5 && strcmp(o->output + len - 5, ".xlsx") == 0 ? "xlsx" : "csv";
    if (strcmp(format, "xlsx") != 0 && strcmp(format, "csv") != 0) {
        mig_fail(MIG_EINPUT, "error: --format expects xlsx or csv, found '%s'", format);
        return NULL;
    }
    return format;
}

/* Every table a CSV export may write (the last two with a base run). */
static const char *const table_names[] = {
    "README",   "series",     "internal_moves", "figures",     "provenance",
    "scenario", "parameters", "labels",         "differences", "difference_summary"};

int mig_export_files(const struct export_options *o, char (*files)[4200], int max, int *folder)
{
    const char *format = export_format(o);
    if (!format)
        return MIG_EINPUT;
    *folder = strcmp(format, "csv") == 0;
    if (!*folder) {
        if (max < 1)
            return 0;
        snprintf(files[0], sizeof files[0], "%s", o->output);
        return 1;
    }
    int n = 0;
    for (size_t i = 0; i < sizeof table_names / sizeof table_names[0] && n < max; i++)
        snprintf(files[n++], sizeof files[0], "%s/%s.csv", o->output, table_names[i]);
    return n;
}

int mig_export_write(const struct export_options *o)
{
    const char *format = export_format(o);
    if (!format)
        return MIG_EINPUT;
    struct run_file run = {0}, base = {0};
    int status = mig_reader_load(&run, o->run);
    if (status < 0)
        return status;
    if (o->base && (status = mig_reader_load(&base, o->base)) < 0) {
        mig_reader_free(&run);
        return status;
    }
    if (o->base && !same_shape(&run, &base)) {
        status = mig_fail(MIG_EINPUT,
                          "%s: error: differs from %s in its dates, dimensions or replicates; "
                          "expected two runs of one shape",
                          o->base, o->run);
        goto done;
    }
    struct root_attributes root = {0};
    if ((status = attributes_load(&root, &run)) < 0)
        goto done;
    struct sink k = {.output = o->output, .xlsx = strcmp(format, "xlsx") == 0};
    double *each = calloc((size_t)run.replicates + 1, sizeof *each);
    if (!each) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        attributes_free(&root);
        goto done;
    }
    if (k.xlsx) {
        if ((status = mig_files_temp_begin(o->output, k.temp, sizeof k.temp)) < 0) {
            free(each);
            attributes_free(&root);
            goto done;
        }
        lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
        k.book = workbook_new_opt(k.temp, &options);
        if (!k.book) {
            status = mig_fail(MIG_EIO, "%s: error: cannot write the workbook", o->output);
            mig_files_temp_end(k.temp);
            free(each);
            attributes_free(&root);
            goto done;
        }
        k.bold = workbook_add_format(k.book);
        format_set_bold(k.bold);
        k.date = workbook_add_format(k.book);
        format_set_num_format(k.date, "yyyy-mm-dd");
        lxw_doc_properties properties = {.title = "migsim export",
                                         .subject = run.scenario_name,
                                         .comments = "Written by migsim export from a run file"};
        workbook_set_properties(k.book, &properties);
        char temp[4200];
        snprintf(temp, sizeof temp, "%s", k.temp);
        write_tables(&k, &run, o->base ? &base : NULL, &root, o->command_line, each);
        lxw_error closed = workbook_close(k.book);
        if (k.status == 0 && closed != LXW_NO_ERROR)
            k.status = mig_fail(MIG_EIO, "%s: error: cannot write the workbook: %s", o->output,
                                lxw_strerror(closed));
        if (k.status == 0 && rename(temp, o->output) < 0)
            k.status = mig_fail(MIG_EIO, "%s: error: cannot write the workbook: %s", o->output,
                                strerror(errno));
        if (k.status < 0)
            remove(temp);
        mig_files_temp_end(temp);
    } else {
        struct stat st;
        if (stat(o->output, &st) == 0 && !S_ISDIR(st.st_mode))
            k.status = mig_fail(MIG_EINPUT, "%s: error: exists and is not a folder", o->output);
        else if (mkdir(o->output, 0777) < 0 && errno != EEXIST)
            k.status = mig_fail(MIG_EIO, "%s: error: cannot make the folder: %s", o->output,
                                strerror(errno));
        if (k.status == 0)
            write_tables(&k, &run, o->base ? &base : NULL, &root, o->command_line, each);
        if (k.csv) { /* a table left open by a failure */
            fclose(k.csv);
            remove(k.temp);
            mig_files_temp_end(k.temp);
        }
        /* Every table complete: rename them all into place; else remove them. */
        for (int i = 0; i < k.files; i++) {
            if (k.status < 0 || rename(k.pending[i], k.written[i]) < 0) {
                if (k.status == 0)
                    k.status =
                        mig_fail(MIG_EIO, "%s: error: cannot write %s", o->output, k.written[i]);
                remove(k.pending[i]);
            }
            mig_files_temp_end(k.pending[i]);
        }
    }
    status = k.status;
    free(each);
    attributes_free(&root);
done:
    mig_reader_free(&run);
    if (o->base)
        mig_reader_free(&base);
    return status;
}
