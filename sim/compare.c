/* Paired differences between two output files. Each replicate of the
 * alternative is paired with the same replicate of the base (they share
 * their random numbers), so the spread of the differences is the spread of
 * the policy's effect, not of the noise of two independent runs. */
#include "migsim/compare.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/output.h"
#include "migsim/reader.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A quantity compared: a stock at the date or a flow summed up to it. */
struct quantity {
    const char *label;
    const char *series;
    int cumulative;
    int key_dim; /* which of the series' dimensions `--by` selects: 1, 2, or 0 for none */
    const char *by;
};

static const struct quantity quantities[] = {
    {"migrant workers present", "migrant_stock", 0, 1, "origin"},
    {"migrant workers present", "migrant_stock", 0, 2, "region"},
    {"migrant workers present", "migrant_stock_by_sector", 0, 2, "sector"},
    {"arrivals since start", "arrivals", 1, 1, "origin"},
    {"arrivals since start", "arrivals", 1, 2, "region"},
    {"returns since start", "returns", 1, 1, "origin"},
    {"returns since start", "returns", 1, 2, "region"},
    {"visits home since start", "visits_home", 1, 1, "origin"},
    {"remittances since start (USD)", "remittances_usd", 1, 1, "origin"},
    {"residents", "resident_population", 0, 1, "region"},
    {"internal moves out since start", "internal_moves", 1, 1, "region"},
    {"internal moves in since start", "internal_moves", 1, 2, "region"},
};

static int same_shape(const struct run_file *a, const struct run_file *b)
{
    const struct stats *x = &a->runs[0], *y = &b->runs[0];
    const char *what = NULL;
    if (x->steps != y->steps || x->start != y->start)
        what = "dates";
    else if (a->labels.origins != b->labels.origins || a->labels.regions != b->labels.regions ||
             a->labels.sectors != b->labels.sectors)
        what = "dimensions";
    else if (a->replicates != b->replicates)
        what = "number of replicates";
    /* Pairing needs the same random numbers: the same base seed (replicate
     * seeds derive from it) and the same member of an ensemble. */
    else if (strcmp(a->seed, b->seed) != 0)
        what = "seed (the replicates would not pair)";
    else if (a->replicate_index != b->replicate_index)
        what = "replicate index (the replicates would not pair)";
    for (int o = 0; !what && o < a->labels.origins; o++)
        if (strcmp(a->labels.origin_code[o], b->labels.origin_code[o]) != 0)
            what = "origins";
    for (int r = 0; !what && r < a->labels.regions; r++)
        if (strcmp(a->labels.region_code[r], b->labels.region_code[r]) != 0)
            what = "regions";
    if (what)
        return mig_fail(MIG_EINPUT,
                        "%s: error: differs from %s in its %s; expected two runs of "
                        "one shape run with one seed (same dates, codes, seed and replicates)",
                        b->path, a->path, what);
    return 0;
}

static const double *series_of(const struct stats *s, const char *name, size_t *width,
                               const struct mig_series **meta)
{
    size_t n;
    const struct mig_series *list = mig_stats_series(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0) {
            *width = mig_stats_series_width(s, &list[i]);
            *meta = &list[i];
            return *(double *const *)((const char *)s + list[i].offset);
        }
    return NULL;
}

static size_t dim_size(const struct stats *s, const char *dim)
{
    if (!dim)
        return 1;
    if (strcmp(dim, "origin") == 0)
        return (size_t)s->origins;
    if (strcmp(dim, "sector") == 0)
        return (size_t)s->sectors;
    if (strcmp(dim, "driver") == 0)
        return 5;
    return (size_t)s->regions;
}

/* The quantity for one key (or all keys when key < 0) at step `at`. */
static double value(const struct stats *s, const struct quantity *q, int key, int at)
{
    size_t width = 0;
    const struct mig_series *meta = NULL;
    const double *x = series_of(s, q->series, &width, &meta);
    if (!x)
        return NAN;
    size_t inner = dim_size(s, meta->dims[2]); /* series have at most three dimensions */
    double total = 0;
    for (int t = q->cumulative ? 0 : at; t <= at; t++)
        for (size_t i = 0; i < width; i++) {
            size_t k = q->key_dim == 1 ? i / inner : i % inner;
            if (key < 0 || (int)k == key)
                total += x[(size_t)t * width + i];
        }
    return total;
}

/* The 90% confidence interval of the mean paired difference, mean
 * +- t(0.95, N-1) s / sqrt(N), and the 90% prediction interval of one more
 * paired replicate, mean +- t(0.95, N-1) s sqrt(1 + 1/N). */
void mig_compare_interval(const double *diff, int n, double *mean, double *half,
                          double *prediction_half)
{
    double m = 0, var = 0;
    for (int r = 0; r < n; r++)
        m += diff[r] / n;
    for (int r = 0; n > 1 && r < n; r++)
        var += (diff[r] - m) * (diff[r] - m) / (n - 1);
    double t = n > 1 ? gsl_cdf_tdist_Pinv(0.95, n - 1.0) : NAN;
    *mean = m;
    *half = t * sqrt(var / n);
    *prediction_half = t * sqrt(var * (1.0 + 1.0 / n));
}

static void row(FILE *out, const struct run_file *base, const struct run_file *alt,
                const struct quantity *q, const char *label, int key, int at, double *diff)
{
    int n = base->replicates;
    double b = 0, a = 0;
    for (int r = 0; r < n; r++) {
        double x = value(&base->runs[r], q, key, at), y = value(&alt->runs[r], q, key, at);
        b += x / n;
        a += y / n;
        diff[r] = y - x;
    }
    double d = a - b;
    fprintf(out, "%-32s %-8s %14.6g %14.6g %14.6g %9.2f%%", q->label, label, b, a, d,
            b != 0 ? 100.0 * d / b : 0.0);
    if (n > 1) {
        double mean, half, predict;
        mig_compare_interval(diff, n, &mean, &half, &predict);
        fprintf(out, "   [%.6g, %.6g]   [%.6g, %.6g]", mean - half, mean + half, mean - predict,
                mean + predict);
    }
    fputc('\n', out);
}

static const char *key_label(const struct world *w, const char *by, int key)
{
    if (strcmp(by, "origin") == 0)
        return w->origin_code[key];
    if (strcmp(by, "sector") == 0)
        return w->sector_code[key];
    return w->region_code[key];
}

static void table(FILE *out, const struct run_file *base, const struct run_file *alt,
                  const char *by, int at, double *diff)
{
    char date[11];
    const struct stats *s = &base->runs[0];
    mig_date_format(s->step_day[at] + (long)s->step_days[at] - 1, date);
    fprintf(out, "%s minus %s, up to the step ending %s%s%s%s\n", alt->path, base->path, date,
            by ? ", by " : "", by ? by : "",
            base->replicates > 1
                ? "; mean over paired replicates, the 90% confidence interval of the mean "
                  "(t, N-1) and the 90% prediction interval of one more pair"
                : "");
    fprintf(out, "%-32s %-8s %14s %14s %14s %10s%s\n", "quantity", "key", "base", "alternative",
            "difference", "change",
            base->replicates > 1 ? "   90% CI of the mean   90% prediction interval" : "");
    const char *last = NULL;
    for (size_t i = 0; i < sizeof quantities / sizeof quantities[0]; i++) {
        const struct quantity *q = &quantities[i];
        if (by && strcmp(q->by, by) != 0)
            continue;
        if (!by && last && strcmp(last, q->label) == 0)
            continue; /* totals once per quantity */
        last = q->label;
        if (!by) {
            row(out, base, alt, q, "all", -1, at, diff);
            continue;
        }
        int keys = (int)dim_size(s, by);
        for (int k = 0; k < keys; k++)
            row(out, base, alt, q, key_label(&base->labels, by, k), k, at, diff);
    }
}

/* alt - base for every series and replicate, written like a run. */
static int write_differences(const struct run_file *base, const struct run_file *alt,
                             const struct compare_options *o)
{
    int n = base->replicates, status = 0;
    struct stats *d = calloc((size_t)n, sizeof *d);
    if (!d)
        return mig_fail(MIG_ENOMEM, "out of memory");
    size_t count;
    const struct mig_series *list = mig_stats_series(&count);
    for (int r = 0; r < n && status == 0; r++) {
        const struct stats *b = &base->runs[r], *a = &alt->runs[r];
        if ((status = mig_stats_alloc(&d[r], b->steps, b->origins, b->regions, b->sectors)) < 0)
            break;
        d[r].start = b->start;
        memcpy(d[r].step_day, b->step_day, (size_t)b->steps * sizeof(long));
        memcpy(d[r].step_days, b->step_days, (size_t)b->steps * sizeof(double));
        for (size_t i = 0; i < count; i++) {
            size_t size = (size_t)b->steps * mig_stats_series_width(b, &list[i]);
            const double *x = *(double *const *)((const char *)b + list[i].offset);
            const double *y = *(double *const *)((const char *)a + list[i].offset);
            double *z = *(double **)((char *)&d[r] + list[i].offset);
            for (size_t k = 0; k < size; k++)
                z[k] = y[k] - x[k];
        }
    }
    char text[2200];
    snprintf(text, sizeof text, "differences: %s minus %s", alt->path, base->path);
    struct provenance prov = {
        .title = "migsim compare",
        .scenario_name = alt->scenario_name,
        .scenario_file = alt->path,
        .scenario_text = text,
        .parameters = "",
        .seed = 0,
        .scale = 1,
        .command_line = o->command_line ? o->command_line : "",
        .threads = 1,
        .ranks = 1,
        .replicate_index = -1,
    };
    if (status == 0)
        status = mig_output_write(o->output, &base->labels, d, n, NULL, NULL, &prov);
    for (int r = 0; r < n; r++)
        mig_stats_free(&d[r]);
    free(d);
    return status;
}

static int step_at(const struct stats *s, const char *at, int *step)
{
    *step = s->steps - 1;
    if (!at)
        return 0;
    long day;
    long last = s->step_day[s->steps - 1] + (long)s->step_days[s->steps - 1] - 1;
    if (!mig_date_parse(at, &day) || day < s->step_day[0] || day > last) {
        char first[11], end[11];
        mig_date_format(s->step_day[0], first);
        mig_date_format(last, end);
        return mig_fail(MIG_EINPUT,
                        "error: --at expects a date YYYY-MM-DD from %s to %s, found "
                        "'%s'",
                        first, end, at);
    }
    for (int t = 0; t < s->steps; t++)
        if (day < s->step_day[t] + (long)s->step_days[t]) {
            *step = t;
            break;
        }
    return 0;
}

int mig_compare(const char *base_path, const char *alt_path, const struct compare_options *o,
                FILE *out)
{
    if (o->by && strcmp(o->by, "origin") != 0 && strcmp(o->by, "region") != 0 &&
        strcmp(o->by, "sector") != 0)
        return mig_fail(MIG_EINPUT, "error: --by expects origin, region or sector, found '%s'",
                        o->by);
    struct run_file base, alt;
    int status = mig_reader_load(&base, base_path);
    if (status < 0)
        return status;
    if ((status = mig_reader_load(&alt, alt_path)) < 0) {
        mig_reader_free(&base);
        return status;
    }
    double *diff = calloc((size_t)base.replicates, sizeof *diff);
    int at = 0;
    if (!diff)
        status = mig_fail(MIG_ENOMEM, "out of memory");
    else if ((status = same_shape(&base, &alt)) == 0 &&
             (status = step_at(&base.runs[0], o->at, &at)) == 0) {
        table(out, &base, &alt, o->by, at, diff);
        if (o->output)
            status = write_differences(&base, &alt, o);
    }
    free(diff);
    mig_reader_free(&base);
    mig_reader_free(&alt);
    return status;
}
