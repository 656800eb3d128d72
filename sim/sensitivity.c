/* Global sensitivity analysis (see sensitivity.h). Every run uses the
 * scenario's seed (common random numbers), so that the indices describe the
 * response to the parameters rather than the simulation's noise, as in the
 * calibration's Nelder-Mead search; the base and the alternative of a
 * what-if run with the same random numbers, so their difference is the
 * policy's effect. Runs are spread over threads, one simulation each. */
#include "migsim/sensitivity.h"
#include "free.h"
#include "migsim/comm.h"
#include "migsim/error.h"
#include "migsim/rng.h"
#include "migsim/simulation.h"

#include <gsl/gsl_qrng.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mig_sobol_design(int N, int d, double *A, double *B)
{
    if (2 * d > 40) /* GSL's Sobol sequence has at most 40 dimensions */
        return mig_fail(MIG_EINPUT, "error: at most 20 parameters for the Sobol design");
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * d));
    if (!q)
        return mig_fail(MIG_ENOMEM, "out of memory");
    double point[40];
    gsl_qrng_get(q, point); /* the first point is the origin: skipped */
    for (int j = 0; j < N; j++) {
        gsl_qrng_get(q, point);
        for (int i = 0; i < d; i++) {
            A[j * d + i] = point[i];
            B[j * d + i] = point[d + i];
        }
    }
    gsl_qrng_free(q);
    return 0;
}

void mig_sobol_indices(int N, int d, const double *fA, const double *fB, const double *fAB,
                       double *S, double *ST)
{
    double mean = 0, var = 0;
    int finite = 1;
    for (int j = 0; j < N; j++) {
        mean += (fA[j] + fB[j]) / (2.0 * N);
        finite &= isfinite(fA[j]) && isfinite(fB[j]);
    }
    for (int j = 0; j < N; j++)
        var += ((fA[j] - mean) * (fA[j] - mean) + (fB[j] - mean) * (fB[j] - mean)) / (2.0 * N - 1);
    for (int i = 0; i < d; i++) {
        double first = 0, total = 0;
        int ok = finite;
        for (int j = 0; j < N; j++) {
            double ab = fAB[(size_t)i * N + j];
            ok &= isfinite(ab);
            /* Centred on the mean: the same estimator in expectation, far
             * less variance when the mean is large against the spread. */
            first += (fB[j] - mean) * (ab - fA[j]) / N;
            total += (fA[j] - ab) * (fA[j] - ab) / (2.0 * N);
        }
        S[i] = ok && var > 0 ? first / var : NAN;
        ST[i] = ok && var > 0 ? total / var : NAN;
    }
}

void mig_morris_design(int r, int d, int p, unsigned long long seed, double *x, int *factor)
{
    double delta = p / (2.0 * (p - 1));
    int base_levels = p / 2; /* base values 0, 1/(p-1), ..., up to 1 - delta */
    for (int t = 0; t < r; t++) {
        double *row = x + (size_t)t * (size_t)(d + 1) * (size_t)d;
        int order[MIG_MAX_FREE];
        for (int i = 0; i < d; i++) {
            struct mig_draw u = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, (uint64_t)t, 1000u + i);
            int level = (int)(mig_rng_u01(u.w[0]) * base_levels);
            row[i] = (level < base_levels ? level : base_levels - 1) / (p - 1.0);
            /* Half the trajectories of a factor go up from a low base, half
             * down from a high one, so effects are sampled on both sides. */
            if (mig_rng_u01(u.w[1]) < 0.5)
                row[i] += delta;
            order[i] = i;
        }
        for (int i = d - 1; i > 0; i--) { /* a random order of the factors */
            struct mig_draw u = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, (uint64_t)t, 2000u + i);
            int k = (int)(mig_rng_u01(u.w[0]) * (i + 1));
            k = k > i ? i : k;
            int swap = order[i];
            order[i] = order[k];
            order[k] = swap;
        }
        factor[t * (d + 1)] = -1;
        for (int s = 1; s <= d; s++) {
            memcpy(row + s * d, row + (s - 1) * d, (size_t)d * sizeof *row);
            int i = order[s - 1];
            row[s * d + i] += row[s * d + i] + delta <= 1 + 1e-12 ? delta : -delta;
            factor[t * (d + 1) + s] = i;
        }
    }
}

void mig_morris_indices(int r, int d, int p, const double *x, const int *factor, const double *f,
                        double *mu_star, double *mu, double *sigma)
{
    for (int i = 0; i < d; i++)
        mu_star[i] = mu[i] = sigma[i] = 0;
    int counts[MIG_MAX_FREE] = {0};
    double squares[MIG_MAX_FREE] = {0};
    for (int t = 0; t < r; t++)
        for (int s = 1; s <= d; s++) {
            int row = t * (d + 1) + s, i = factor[row];
            double step = x[(size_t)row * d + i] - x[(size_t)(row - 1) * d + i];
            double ee = (f[row] - f[row - 1]) / step;
            mu_star[i] += fabs(ee);
            mu[i] += ee;
            squares[i] += ee * ee;
            counts[i]++;
        }
    (void)p;
    for (int i = 0; i < d; i++) {
        int c = counts[i];
        mu_star[i] = c ? mu_star[i] / c : NAN;
        mu[i] = c ? mu[i] / c : NAN;
        sigma[i] = c > 1 ? sqrt(fmax((squares[i] - c * mu[i] * mu[i]) / (c - 1), 0)) : NAN;
    }
}

/* ---- the command -------------------------------------------------------- */

struct worker {
    struct simulation base, alt;
    int base_open, alt_open;
};

static int worker_open(struct worker *w, const struct sensitivity_options *o)
{
    struct overrides ov = {-1, o->scale};
    int status = mig_simulation_load(&w->base, o->scenario, &ov);
    w->base_open = 1;
    w->base.whole = 1; /* one run per thread, never split over MPI ranks */
    w->base.figures_only = 1; /* each run ends with the last step a figure reads */
    w->base.reuse_agents = 1; /* and copies the agents of the last one when it can */
    if (status == 0 && o->target_files)
        status = mig_simulation_use_targets(&w->base, o->targets, o->target_files);
    if (status == 0 && w->base.figures.count == 0)
        status = mig_fail(MIG_EINPUT,
                          "%s: error: no figures to analyse; give --targets T.yaml or a scenario "
                          "with 'targets:'",
                          o->scenario);
    if (status == 0 && o->alternative) {
        status = mig_simulation_load(&w->alt, o->alternative, &ov);
        w->alt_open = 1;
        w->alt.whole = 1;
        w->alt.figures_only = 1;
        w->alt.reuse_agents = 1;
        const struct scenario *a = &w->alt.scenario, *b = &w->base.scenario;
        if (status == 0 && (a->start != b->start || a->end != b->end ||
                            a->step_days != b->step_days || a->scale != b->scale))
            status = mig_fail(MIG_EINPUT,
                              "%s: error: differs from %s in its dates, step or scale; expected "
                              "a what-if of the same run (extends it and changes its policy)",
                              o->alternative, o->scenario);
        /* The effect is taken on the base's figures. */
        const char *paths[MIG_MAX_TARGET_FILES];
        int count = o->target_files;
        for (int i = 0; i < count; i++)
            paths[i] = o->targets[i];
        if (!count)
            paths[count++] = w->base.figures.path;
        if (status == 0)
            status = mig_simulation_use_targets(&w->alt, paths, count);
    }
    return status;
}

static void worker_free(struct worker *w)
{
    if (w->base_open)
        mig_simulation_free(&w->base);
    if (w->alt_open)
        mig_simulation_free(&w->alt);
}

/* One run: the figures of the base and, with an alternative, the effects. */
static int run_one(struct worker *w, const struct free_parameter *f, int n, const double *theta,
                   double *values, double *effects)
{
    int outside, status, K = w->base.figures.count;
    double seed = w->base.scenario.seed;
    mig_free_apply(&w->base.scenario, f, n, theta);
    w->base.scenario.seed = seed;
    if ((status = mig_simulation_run(&w->base, 1, NULL, NULL)) < 0 ||
        (status = mig_simulation_figures(&w->base, &outside)) < 0)
        return status;
    for (int k = 0; k < K; k++)
        values[k] = w->base.results[k].simulated;
    if (!w->alt_open)
        return 0;
    mig_free_apply(&w->alt.scenario, f, n, theta);
    w->alt.scenario.seed = seed; /* common random numbers */
    if ((status = mig_simulation_run(&w->alt, 1, NULL, NULL)) < 0 ||
        (status = mig_simulation_figures(&w->alt, &outside)) < 0)
        return status;
    for (int k = 0; k < K; k++)
        effects[k] = w->alt.results[k].simulated - values[k];
    return 0;
}

static char *joined(const char *const *items, int count, const char *separator)
{
    size_t size = 1;
    for (int i = 0; i < count; i++)
        size += strlen(items[i]) + strlen(separator);
    char *text = calloc(size, 1);
    for (int i = 0; text && i < count; i++) {
        if (i)
            strcat(text, separator);
        strcat(text, items[i]);
    }
    return text;
}

struct results {
    int runs, K, d, effects;
    double *design, *values, *effect_values; /* [runs][d], [runs][K] */
    double *index[2][3];                     /* [figures|effects][S|ST|..][K][d] */
    double *spread[2];                       /* sd of each figure (effect) over the runs */
};

static int write_results(const struct sensitivity_options *o, const struct results *r,
                         const struct free_parameter *f, const struct targets *figures, int morris)
{
    char temp[4200];
    snprintf(temp, sizeof temp, "%s.tmp-%ld", o->output, (long)getpid());
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fcreate(temp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return mig_fail(MIG_EIO, "%s: error: cannot create the output file", o->output);
    const char *names[MIG_MAX_FREE], **ids = calloc((size_t)r->K + 1, sizeof *ids),
                                     **labels = calloc((size_t)r->K + 1, sizeof *labels),
                                     **roles = calloc((size_t)r->K + 1, sizeof *roles);
    double lo[MIG_MAX_FREE], hi[MIG_MAX_FREE];
    for (int i = 0; i < r->d; i++)
        names[i] = f[i].name, lo[i] = f[i].lo, hi[i] = f[i].hi;
    for (int k = 0; ids && labels && roles && k < r->K; k++) {
        ids[k] = figures->items[k].id;
        labels[k] = figures->items[k].label[0] ? figures->items[k].label : figures->items[k].id;
        roles[k] = mig_role_name(figures->items[k].role);
    }
    char *name_list = joined(names, r->d, ","), *id_list = ids ? joined(ids, r->K, ",") : NULL;
    char *label_list = labels ? joined(labels, r->K, "\n") : NULL;
    char *role_list = roles ? joined(roles, r->K, ",") : NULL;
    hsize_t d = (hsize_t)r->d, design_dims[2] = {(hsize_t)r->runs, d},
            value_dims[2] = {(hsize_t)r->runs, (hsize_t)r->K}, index_dims[2] = {(hsize_t)r->K, d};
    static const char *const sobol_names[2][3] = {
        {"first_order", "total_order", NULL}, {"effect_first_order", "effect_total_order", NULL}};
    static const char *const morris_names[2][3] = {{"mu_star", "mu", "sigma"},
                                                   {"effect_mu_star", "effect_mu", "effect_sigma"}};
    static const char *const sobol_text[3] = {
        "first-order Sobol' index (Saltelli et al. 2010 estimator); rows: figures, columns: "
        "parameters",
        "total Sobol' index (Jansen 1999 estimator); rows: figures, columns: parameters", NULL};
    static const char *const morris_text[3] = {
        ("Morris mu*: mean absolute elementary effect, figure units per whole range of the "
         "parameter; rows: figures, columns: parameters"),
        "Morris mu: mean elementary effect (signed)", "Morris sigma: sd of the elementary effects"};
    int ok =
        name_list && id_list && label_list && role_list &&
        H5LTmake_dataset_double(file, "design", 2, design_dims, r->design) >= 0 &&
        H5LTset_attribute_string(file, "design", "description",
                                 "parameter values of every run (columns: parameter_names)") >= 0 &&
        H5LTmake_dataset_double(file, "figure_values", 2, value_dims, r->values) >= 0 &&
        H5LTset_attribute_string(file, "figure_values", "description",
                                 "each figure's simulated value in every run") >= 0 &&
        H5LTmake_dataset_double(file, "lower_bound", 1, &d, lo) >= 0 &&
        H5LTmake_dataset_double(file, "upper_bound", 1, &d, hi) >= 0 &&
        H5LTset_attribute_string(file, "/", "title", "migsim sensitivity analysis") >= 0 &&
        H5LTset_attribute_string(file, "/", "method", morris ? "morris" : "sobol") >= 0 &&
        H5LTset_attribute_string(file, "/", "scenario_file", o->scenario) >= 0 &&
        H5LTset_attribute_string(file, "/", "alternative_file",
                                 o->alternative ? o->alternative : "") >= 0 &&
        H5LTset_attribute_string(file, "/", "parameter_names", name_list) >= 0 &&
        H5LTset_attribute_string(file, "/", "figure_ids", id_list) >= 0 &&
        H5LTset_attribute_string(file, "/", "figure_labels", label_list) >= 0 &&
        H5LTset_attribute_string(file, "/", "figure_roles", role_list) >= 0 &&
        H5LTset_attribute_int(file, "/", "samples", &o->samples, 1) >= 0 &&
        H5LTset_attribute_string(file, "/", "command_line",
                                 o->command_line ? o->command_line : "") >= 0;
    if (ok && r->effects)
        ok = H5LTmake_dataset_double(file, "effect_values", 2, value_dims, r->effect_values) >= 0 &&
             H5LTset_attribute_string(file, "effect_values", "description",
                                      "alternative minus base for each figure in every run") >= 0;
    hsize_t K = (hsize_t)r->K;
    ok = ok && H5LTmake_dataset_double(file, "figure_sd", 1, &K, r->spread[0]) >= 0 &&
         H5LTset_attribute_string(file, "figure_sd", "description",
                                  "standard deviation of each figure over the runs: the indices "
                                  "share this out; where it is small against the figure's "
                                  "sampling error, the indices describe noise") >= 0;
    if (ok && r->effects)
        ok = H5LTmake_dataset_double(file, "effect_sd", 1, &K, r->spread[1]) >= 0;
    for (int e = 0; ok && e <= r->effects; e++)
        for (int m = 0; ok && m < 3; m++) {
            const char *name = morris ? morris_names[e][m] : sobol_names[e][m];
            if (!name)
                continue;
            ok = H5LTmake_dataset_double(file, name, 2, index_dims, r->index[e][m]) >= 0 &&
                 H5LTset_attribute_string(file, name, "description",
                                          morris ? morris_text[m] : sobol_text[m]) >= 0;
        }
    free(name_list);
    free(id_list);
    free(label_list);
    free(role_list);
    free(ids);
    free(labels);
    free(roles);
    if (H5Fclose(file) < 0 || !ok || rename(temp, o->output) < 0) {
        remove(temp);
        return mig_fail(MIG_EIO, "%s: error: cannot write the output file", o->output);
    }
    return 0;
}

static void print_table(FILE *out, const struct results *r, const struct free_parameter *f,
                        const struct targets *figures, int morris, int effects)
{
    fprintf(out, "\n%s%s\n", effects ? "effect (alternative minus base) of each figure: " : "",
            morris ? "Morris mu* / sigma (figure units over each parameter's range)"
                   : "Sobol' indices, first-order S / total ST");
    fprintf(out, "%-34s %11s", "figure", "sd");
    for (int i = 0; i < r->d; i++)
        fprintf(out, " %15s",
                f[i].name + (strchr(f[i].name, '.') ? strchr(f[i].name, '.') - f[i].name + 1 : 0));
    fputc('\n', out);
    for (int k = 0; k < r->K; k++) {
        const struct target *t = &figures->items[k];
        fprintf(out, "%-25.25s %-8s %11.4g", t->id, mig_role_name(t->role), r->spread[effects][k]);
        for (int i = 0; i < r->d; i++) {
            double a = r->index[effects][0][k * r->d + i],
                   b = r->index[effects][morris ? 2 : 1][k * r->d + i];
            char cell[40];
            if (isnan(a) && isnan(b))
                snprintf(cell, sizeof cell, "no spread");
            else if (morris)
                snprintf(cell, sizeof cell, "%.3g/%.3g", a, b);
            else
                snprintf(cell, sizeof cell, "%.2f/%.2f", a, b);
            fprintf(out, " %15s", cell);
        }
        fputc('\n', out);
    }
}

int mig_sensitivity(const struct sensitivity_options *o, FILE *out)
{
    struct free_parameter f[MIG_MAX_FREE];
    int d = o->free_count, status = 0, morris;
    if (d < 1 || d > MIG_MAX_FREE)
        return mig_fail(MIG_EINPUT, "error: expected 1 to %d --free parameters", MIG_MAX_FREE);
    if (strcmp(o->method, "sobol") == 0)
        morris = 0;
    else if (strcmp(o->method, "morris") == 0)
        morris = 1;
    else
        return mig_fail(MIG_EINPUT, "error: --method expects sobol or morris, found '%s'",
                        o->method);
    if (morris && (o->levels < 2 || o->levels % 2))
        return mig_fail(MIG_EINPUT, "error: --levels expects an even number of at least 2");
    for (int i = 0; i < d; i++) {
        if ((status = mig_free_parse(o->free[i], "--free", &f[i])) < 0)
            return status;
        if (strchr(o->free[i], ':') == NULL)
            return mig_fail(MIG_EINPUT,
                            "error: --free %s: expected NAME:lo:hi (the range to vary it over)",
                            o->free[i]);
    }
    if ((status = mig_free_check(f, d, "--free")) < 0)
        return status;
    int N = o->samples, runs = morris ? N * (d + 1) : N * (d + 2);
    int workers = omp_get_max_threads();
    workers = workers < 1 ? 1 : workers > 64 ? 64 : workers;
    struct worker *w = calloc((size_t)workers, sizeof *w);
    struct results r = {.runs = runs, .d = d, .effects = o->alternative != NULL};
    double *unit = malloc((size_t)runs * (size_t)d * sizeof *unit);
    int *factor = malloc((size_t)runs * sizeof *factor);
    if (!w || !unit || !factor) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; k < workers && status == 0; k++)
        status = worker_open(&w[k], o);
    if (status == 0)
        status = mig_free_check_origins(f, d, &w[0].base.world, "--free");
    if (status < 0)
        goto done;
    int K = r.K = w[0].base.figures.count;
    r.design = malloc((size_t)runs * (size_t)d * sizeof *r.design);
    r.values = malloc((size_t)runs * (size_t)K * sizeof *r.values);
    r.effect_values = calloc((size_t)runs * (size_t)K, sizeof *r.effect_values);
    for (int e = 0; e < 2; e++)
        for (int m = 0; m < 3; m++)
            r.index[e][m] = calloc((size_t)K * (size_t)d + 1, sizeof(double));
    for (int e = 0; e < 2; e++)
        r.spread[e] = calloc((size_t)K + 1, sizeof(double));
    if (!r.design || !r.values || !r.effect_values || !r.index[1][2] || !r.spread[1]) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    /* The design on the unit cube. */
    if (morris) {
        mig_morris_design(N, d, o->levels, (unsigned long long)w[0].base.scenario.seed, unit,
                          factor);
    } else {
        double *A = unit, *B = unit + (size_t)N * d;
        if ((status = mig_sobol_design(N, d, A, B)) < 0)
            goto done;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < N; j++) {
                double *row = unit + ((size_t)(2 + i) * N + j) * d;
                memcpy(row, A + (size_t)j * d, (size_t)d * sizeof *row);
                row[i] = B[(size_t)j * d + i];
            }
    }
    for (int j = 0; j < runs; j++)
        for (int i = 0; i < d; i++)
            r.design[(size_t)j * d + i] = f[i].lo + (f[i].hi - f[i].lo) * unit[(size_t)j * d + i];
    fprintf(out,
            "sensitivity of %d figures%s to %d parameters by %s: %d runs%s at scale %g, seed %.0f "
            "(common random numbers), %d thread(s)\n",
            K, o->alternative ? " and their what-if effects" : "", d, morris ? "Morris" : "Sobol'",
            runs, o->alternative ? " of each scenario" : "", w[0].base.scenario.scale,
            w[0].base.scenario.seed, workers);
    int statuses[64];
    for (int start = 0; start < runs && status == 0; start += workers) {
        int size = runs - start < workers ? runs - start : workers;
#pragma omp parallel for num_threads(size) schedule(static, 1)
        for (int k = 0; k < size; k++)
            statuses[k] = run_one(&w[k], f, d, r.design + (size_t)(start + k) * d,
                                  r.values + (size_t)(start + k) * K,
                                  r.effect_values + (size_t)(start + k) * K);
        for (int k = 0; k < size; k++)
            status = status < 0 ? status : statuses[k];
    }
    if (status < 0)
        goto done;
    double *column = malloc((size_t)runs * sizeof *column);
    if (!column) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    for (int e = 0; e <= r.effects; e++)
        for (int k = 0; k < K; k++) {
            const double *y = e ? r.effect_values : r.values;
            double mean = 0, var = 0;
            for (int j = 0; j < runs; j++)
                column[j] = y[(size_t)j * K + k], mean += column[j] / runs;
            for (int j = 0; j < runs; j++)
                var += (column[j] - mean) * (column[j] - mean) / (runs > 1 ? runs - 1 : 1);
            r.spread[e][k] = sqrt(var);
            double *a = r.index[e][0] + (size_t)k * d, *b = r.index[e][1] + (size_t)k * d,
                   *c = r.index[e][2] + (size_t)k * d;
            if (morris)
                mig_morris_indices(N, d, o->levels, unit, factor, column, a, b, c);
            else
                mig_sobol_indices(N, d, column, column + N, column + 2 * N, a, b);
        }
    free(column);
    print_table(out, &r, f, &w[0].base.figures, morris, 0);
    if (r.effects)
        print_table(out, &r, f, &w[0].base.figures, morris, 1);
    if (mig_comm_rank() == 0 && (status = write_results(o, &r, f, &w[0].base.figures, morris)) == 0)
        fprintf(out, "wrote %s\n", o->output);
done:
    for (int k = 0; w && k < workers; k++)
        worker_free(&w[k]);
    free(w);
    free(unit);
    free(factor);
    free(r.design);
    free(r.values);
    free(r.effect_values);
    for (int e = 0; e < 2; e++) {
        for (int m = 0; m < 3; m++)
            free(r.index[e][m]);
        free(r.spread[e]);
    }
    return status;
}
