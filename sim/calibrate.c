/* Calibration. Both methods minimise, or bound, the same distance: the
 * weighted sum of squared standardised errors of the `fit` targets (see
 * target.h), whose standard deviations include the sampling error of
 * emulated surveys. `validate` and `input` figures are evaluated and
 * reported beside the fit, never used by the search.
 *
 * Nelder-Mead searches in logit-transformed coordinates, so every point it
 * tries lies inside the bounds, and uses one seed for every evaluation
 * (common random numbers), so that the objective is a smooth function of the
 * parameters rather than of the noise.
 *
 * ABC-SMC (Toni et al. 2009; Beaumont et al. 2009) keeps a population of
 * particles; each generation resamples and perturbs the last one with a
 * multivariate normal kernel (the optimal covariance of Filippi et al.
 * 2013), keeps proposals whose distance (root mean squared standardised
 * error of the fit figures) is within the tolerance, weights them by prior
 * over kernel density, and sets the next tolerance to the median accepted
 * distance. It stops at the budget, at --tolerance, or when a generation's
 * acceptance rate falls below --min-acceptance. Every simulation has its own
 * seed; proposals come from counter-based draws indexed within their
 * generation and are taken in index order, so results do not depend on the
 * thread or rank count. */
#include "migsim/calibrate.h"
#include "free.h"
#include "migsim/comm.h"
#include "migsim/error.h"
#include "migsim/files.h"
#include "h5safe.h"
#include "migsim/rng.h"
#include "migsim/simulation.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ABC_QUANTILE 0.5 /* the next tolerance: this quantile of accepted distances */

struct evaluator {
    struct simulation sim;
    int open;
};

static int evaluator_open(struct evaluator *e, const struct calibrate_options *o, double scale)
{
    struct overrides ov = {-1, scale};
    int status = mig_simulation_load(&e->sim, o->scenario, &ov);
    e->open = 1;
    e->sim.figures_only = 1; /* an evaluation ends with the last step a figure reads */
    e->sim.reuse_agents = 1; /* and copies the agents of the last one when it can */
    if (status == 0)
        status = mig_simulation_use_targets(&e->sim, o->targets, o->target_files);
    return status;
}

/* Runs with parameters theta. The objective is the weighted sum of squared
 * standardised errors of the `fit` figures only: `validate` and `input`
 * figures are evaluated (for the trace and the tables) but never steer the
 * search. A fit figure the run cannot evaluate (NaN: no one in its
 * denominator) makes the objective infinite, so the point is rejected
 * rather than charged an arbitrary penalty. `row` receives, per target, the
 * simulated value, then the standardised errors, then the inside flags. */
static int evaluate(struct evaluator *e, const struct free_parameter *f, int n, const double *theta,
                    double seed, int replicates, double *objective, double *row)
{
    mig_free_apply(&e->sim.scenario, f, n, theta);
    double scenario_seed = e->sim.scenario.seed;
    e->sim.scenario.seed = seed;
    int outside, status = mig_simulation_run(&e->sim, replicates, NULL, NULL);
    /* Later runs derive their seeds from the scenario's, whichever
     * evaluator ran what before them (threads and ranks share the work). */
    e->sim.scenario.seed = scenario_seed;
    if (status < 0 || (status = mig_simulation_figures(&e->sim, &outside)) < 0)
        return status;
    int T = e->sim.figures.count;
    double sum = 0;
    for (int k = 0; k < T; k++) {
        const struct figure_result *r = &e->sim.results[k];
        row[k] = r->simulated;
        row[T + k] = r->error;
        row[2 * T + k] = r->within;
        if (e->sim.figures.items[k].role != MIG_ROLE_FIT)
            continue;
        sum += isnan(r->error) ? INFINITY : e->sim.figures.items[k].weight * r->error * r->error;
    }
    *objective = sum;
    return 0;
}

/* ---- the trace ---------------------------------------------------------- */

struct trace {
    int n, targets;     /* parameters and targets */
    int rows, capacity; /* evaluations (Nelder-Mead) or particles (ABC-SMC) */
    double *theta, *objective, *values, *weight; /* values: 3 * targets per row */
    int *generation;
    int generations; /* complete ABC-SMC generations */
    double epsilon[256];
    /* The posterior (ABC-SMC) and profiles, when there are. */
    int has_posterior;
    double mean[MIG_MAX_FREE], q05[MIG_MAX_FREE], q95[MIG_MAX_FREE];
    double correlation[MIG_MAX_FREE * MIG_MAX_FREE], ess;
    int profile_points;
    double *profile_grid, *profile_objective; /* [n][points] */
    double noise_sd; /* sd of the objective over seeds at the fit, or NAN */
    int predictive_draws;
    double *predictive_q05, *predictive_q95; /* [targets] */
};

static int trace_add(struct trace *t, const double *theta, double objective, const double *row,
                     int generation, double weight)
{
    size_t width = 3 * (size_t)t->targets;
    if (t->rows == t->capacity) {
        int capacity = t->capacity ? 2 * t->capacity : 256;
        double *th = realloc(t->theta, (size_t)capacity * (size_t)t->n * sizeof *th);
        if (th)
            t->theta = th;
        double *ob = realloc(t->objective, (size_t)capacity * sizeof *ob);
        if (ob)
            t->objective = ob;
        double *va = realloc(t->values, (size_t)capacity * (width + 1) * sizeof *va);
        if (va)
            t->values = va;
        double *we = realloc(t->weight, (size_t)capacity * sizeof *we);
        if (we)
            t->weight = we;
        int *ge = realloc(t->generation, (size_t)capacity * sizeof *ge);
        if (ge)
            t->generation = ge;
        if (!th || !ob || !va || !we || !ge)
            return mig_fail(MIG_ENOMEM, "out of memory for the calibration trace");
        t->capacity = capacity;
    }
    memcpy(t->theta + (size_t)t->rows * (size_t)t->n, theta, (size_t)t->n * sizeof *theta);
    memcpy(t->values + (size_t)t->rows * width, row, width * sizeof *row);
    t->objective[t->rows] = objective;
    t->generation[t->rows] = generation;
    t->weight[t->rows] = weight;
    t->rows++;
    return 0;
}

static void trace_free(struct trace *t)
{
    free(t->theta);
    free(t->objective);
    free(t->values);
    free(t->weight);
    free(t->generation);
    free(t->profile_grid);
    free(t->profile_objective);
    free(t->predictive_q05);
    free(t->predictive_q95);
    memset(t, 0, sizeof *t);
}

static char *joined(const char *const *items, int count, size_t stride)
{
    size_t size = 1;
    for (int i = 0; i < count; i++)
        size += strlen(*(const char *const *)((const char *)items + i * stride)) + 1;
    char *text = calloc(size, 1);
    for (int i = 0; text && i < count; i++) {
        if (i)
            strcat(text, ",");
        strcat(text, *(const char *const *)((const char *)items + i * stride));
    }
    return text;
}

/* One column block of the rows' values: 0 simulated, 1 errors, 2 inside. */
static double *values_block(const struct trace *t, int block)
{
    size_t T = (size_t)t->targets, rows = (size_t)t->rows;
    double *out = malloc((rows * T + 1) * sizeof *out);
    for (size_t r = 0; out && r < rows; r++)
        memcpy(out + r * T, t->values + r * 3 * T + (size_t)block * T, T * sizeof *out);
    return out;
}

static int write_trace(const char *path, const struct trace *t, const struct free_parameter *f,
                       const struct targets *targets, const struct calibrate_options *o)
{
    char temp[4200];
    if (mig_files_temp_begin(path, temp, sizeof temp) < 0)
        return MIG_EINPUT;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fcreate(temp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return mig_fail(MIG_EIO, "%s: error: cannot create the trace file", path);
    const char *names[MIG_MAX_FREE], *ids[1024], *roles[1024];
    double lo[MIG_MAX_FREE], hi[MIG_MAX_FREE];
    int role_codes[1024];
    for (int i = 0; i < t->n; i++)
        names[i] = f[i].name, lo[i] = f[i].lo, hi[i] = f[i].hi;
    int K = targets->count < 1024 ? targets->count : 1024;
    for (int k = 0; k < K; k++) {
        ids[k] = targets->items[k].id;
        roles[k] = mig_role_name(targets->items[k].role);
        role_codes[k] = (int)targets->items[k].role;
    }
    char *parameter_list = joined(names, t->n, sizeof names[0]);
    char *target_list = joined(ids, K, sizeof ids[0]);
    char *role_list = joined(roles, K, sizeof roles[0]);
    double *observed = calloc((size_t)targets->count + 1, 4 * sizeof *observed);
    char *labels = calloc((size_t)targets->count + 1, 161);
    for (int i = 0; observed && labels && i < targets->count; i++) {
        const struct target *x = &targets->items[i];
        observed[i] = x->value;
        observed[targets->count + i] = x->lo;
        observed[2 * targets->count + i] = x->hi;
        observed[3 * targets->count + i] = x->sd;
        strcat(labels, i ? "\n" : "");
        strcat(labels, x->label[0] ? x->label : x->id);
    }
    double *simulated = values_block(t, 0), *errors = values_block(t, 1),
           *inside = values_block(t, 2);
    hsize_t rows = (hsize_t)t->rows, n = (hsize_t)t->n, k = (hsize_t)t->targets;
    hsize_t target_dims[2] = {4, k}, nn[2] = {n, n};
    hsize_t theta_dims[2] = {rows, n}, value_dims[2] = {rows, k}, g = (hsize_t)t->generations;
    hsize_t profile_dims[2] = {n, (hsize_t)t->profile_points};
    int ok = parameter_list && target_list && role_list && simulated && errors && inside &&
             H5LTmake_dataset_double(file, "parameters", 2, theta_dims, t->theta) >= 0 &&
             H5LTmake_dataset_double(file, "objective", 1, &rows, t->objective) >= 0 &&
             H5LTmake_dataset_double(file, "simulated", 2, value_dims, simulated) >= 0 &&
             H5LTmake_dataset_double(file, "error", 2, value_dims, errors) >= 0 &&
             H5LTmake_dataset_double(file, "inside", 2, value_dims, inside) >= 0 &&
             H5LTmake_dataset_double(file, "weight", 1, &rows, t->weight) >= 0 &&
             H5LTmake_dataset_int(file, "generation", 1, &rows, t->generation) >= 0 && observed &&
             labels &&
             H5LTmake_dataset_double(file, "target_observed", 2, target_dims, observed) >= 0 &&
             H5LTset_attribute_string(file, "target_observed", "description",
                                      "rows: observed value, 90% lower, 90% upper, standard "
                                      "deviation; columns: targets") >= 0 &&
             H5LTmake_dataset_int(file, "target_role", 1, &k, role_codes) >= 0 &&
             H5LTset_attribute_string(file, "target_role", "description",
                                      "0 fit (in the objective), 1 validate (held out, never in "
                                      "the objective), 2 input (a parameter read back)") >= 0 &&
             H5LTset_attribute_string(file, "/", "target_roles", role_list) >= 0 &&
             H5LTset_attribute_string(file, "/", "target_labels", labels) >= 0 &&
             H5LTmake_dataset_double(file, "lower_bound", 1, &n, lo) >= 0 &&
             H5LTmake_dataset_double(file, "upper_bound", 1, &n, hi) >= 0 &&
             (g == 0 || H5LTmake_dataset_double(file, "epsilon", 1, &g, t->epsilon) >= 0) &&
             H5LTset_attribute_int(file, "/", "complete_generations", &t->generations, 1) >= 0 &&
             H5LTset_attribute_string(file, "/", "title", "migsim calibration trace") >= 0 &&
             H5LTset_attribute_string(file, "/", "method", o->method) >= 0 &&
             H5LTset_attribute_string(file, "/", "scenario_file", o->scenario) >= 0 &&
             H5LTset_attribute_string(file, "/", "parameter_names", parameter_list) >= 0 &&
             H5LTset_attribute_string(file, "/", "target_ids", target_list) >= 0 &&
             H5LTset_attribute_string(file, "/", "command_line",
                                      o->command_line ? o->command_line : "") >= 0 &&
             H5LTset_attribute_string(file, "parameters", "description",
                                      "parameter values of every evaluation (ABC-SMC: every "
                                      "accepted particle), in the order of parameter_names") >= 0 &&
             H5LTset_attribute_string(file, "objective", "description",
                                      "weighted sum of squared standardised errors of the fit "
                                      "figures") >= 0 &&
             H5LTset_attribute_string(file, "error", "description",
                                      "standardised error of every target (as run and calibrate "
                                      "compute it, with the simulated sampling error)") >= 0 &&
             H5LTset_attribute_string(file, "inside", "description",
                                      "1 where the target is inside its 90% interval") >= 0 &&
             H5LTset_attribute_string(file, "weight", "description",
                                      "importance weight of a particle within its generation "
                                      "(1 for Nelder-Mead evaluations)") >= 0 &&
             H5LTset_attribute_string(file, "generation", "description",
                                      "ABC-SMC generation (0 for Nelder-Mead); a generation "
                                      "numbered complete_generations or more was cut off by the "
                                      "budget and is not the posterior") >= 0;
    if (ok && t->has_posterior)
        ok = H5LTmake_dataset_double(file, "posterior_mean", 1, &n, t->mean) >= 0 &&
             H5LTmake_dataset_double(file, "posterior_q05", 1, &n, t->q05) >= 0 &&
             H5LTmake_dataset_double(file, "posterior_q95", 1, &n, t->q95) >= 0 &&
             H5LTmake_dataset_double(file, "posterior_correlation", 2, nn, t->correlation) >= 0 &&
             H5LTset_attribute_double(file, "/", "effective_sample_size", &t->ess, 1) >= 0 &&
             H5LTset_attribute_string(file, "posterior_correlation", "description",
                                      "weighted correlation of the parameters over the last "
                                      "complete generation") >= 0;
    if (ok && t->profile_points > 0)
        ok =
            H5LTmake_dataset_double(file, "profile_value", 2, profile_dims, t->profile_grid) >= 0 &&
            H5LTmake_dataset_double(file, "profile_objective", 2, profile_dims,
                                    t->profile_objective) >= 0 &&
            H5LTset_attribute_string(file, "profile_objective", "description",
                                     "objective along each parameter (rows) at the values of "
                                     "profile_value, the others held at their fitted values, "
                                     "one seed (common random numbers)") >= 0;
    if (ok && t->predictive_draws > 0)
        ok = H5LTmake_dataset_double(file, "predictive_q05", 1, &k, t->predictive_q05) >= 0 &&
             H5LTmake_dataset_double(file, "predictive_q95", 1, &k, t->predictive_q95) >= 0 &&
             H5LTset_attribute_int(file, "predictive_q05", "draws", &t->predictive_draws, 1) >= 0 &&
             H5LTset_attribute_string(file, "predictive_q05", "description",
                                      "posterior predictive 5% quantile of each target's "
                                      "observation (simulated plus the observation's error)") >= 0;
    if (ok && !isnan(t->noise_sd))
        ok = H5LTset_attribute_double(file, "/", "objective_noise_sd", &t->noise_sd, 1) >= 0;
    free(parameter_list);
    free(target_list);
    free(role_list);
    free(observed);
    free(labels);
    free(simulated);
    free(errors);
    free(inside);
    if (H5Fclose(file) < 0 || !ok || rename(temp, path) < 0) {
        remove(temp);
        return mig_fail(MIG_EIO, "%s: error: cannot write the trace file", path);
    }
    return 0;
}

/* ---- Nelder-Mead -------------------------------------------------------- */

struct nelder_mead {
    struct evaluator *e;
    const struct free_parameter *f;
    int n, replicates, budget, status;
    double seed;
    struct trace *trace;
    double best, *best_theta, *values;
};

static void to_theta(const struct free_parameter *f, int n, const gsl_vector *y, double *theta)
{
    for (int i = 0; i < n; i++)
        theta[i] = f[i].lo + (f[i].hi - f[i].lo) / (1 + exp(-gsl_vector_get(y, (size_t)i)));
}

static double nm_objective(const gsl_vector *y, void *data)
{
    struct nelder_mead *nm = data;
    double theta[MIG_MAX_FREE], objective;
    to_theta(nm->f, nm->n, y, theta);
    if (nm->status < 0 || nm->trace->rows >= nm->budget)
        return GSL_POSINF;
    int status =
        evaluate(nm->e, nm->f, nm->n, theta, nm->seed, nm->replicates, &objective, nm->values);
    if (status == 0)
        status = trace_add(nm->trace, theta, objective, nm->values, 0, 1.0);
    if (status < 0) {
        nm->status = status;
        return GSL_POSINF;
    }
    if (objective < nm->best) {
        nm->best = objective;
        memcpy(nm->best_theta, theta, (size_t)nm->n * sizeof *theta);
    }
    return objective;
}

static int nelder_mead(struct evaluator *e, const struct free_parameter *f, int n,
                       const struct calibrate_options *o, struct trace *trace, double *fitted,
                       FILE *out)
{
    static double values[3 * 1024];
    struct nelder_mead nm = {
        e,     f,          n,      o->replicates, o->budget, 0, e->sim.scenario.seed,
        trace, GSL_POSINF, fitted, values};
    gsl_vector *y = gsl_vector_alloc((size_t)n), *step = gsl_vector_alloc((size_t)n);
    gsl_multimin_fminimizer *m =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)n);
    if (!y || !step || !m) {
        gsl_vector_free(y);
        gsl_vector_free(step);
        return mig_fail(MIG_ENOMEM, "out of memory");
    }
    /* Start from the scenario's values, pulled inside the bounds. */
    for (int i = 0; i < n; i++) {
        double x = *mig_free_slot(&e->sim.scenario, &f[i]);
        double u = (x - f[i].lo) / (f[i].hi - f[i].lo);
        u = fmin(fmax(u, 0.02), 0.98);
        gsl_vector_set(y, (size_t)i, log(u / (1 - u)));
        gsl_vector_set(step, (size_t)i, 0.5);
        fitted[i] = x;
    }
    gsl_set_error_handler_off(); /* failures come back as status codes */
    gsl_multimin_function fn = {nm_objective, (size_t)n, &nm};
    if (gsl_multimin_fminimizer_set(m, &fn, y, step) != GSL_SUCCESS && nm.status == 0) {
        gsl_multimin_fminimizer_free(m);
        gsl_vector_free(y);
        gsl_vector_free(step);
        if (trace->rows >= o->budget)
            return mig_fail(MIG_EINPUT,
                            "error: --budget %d is smaller than Nelder-Mead's first simplex (%d "
                            "evaluations for %d parameters)",
                            o->budget, n + 1, n);
        return mig_fail(MIG_ERUNTIME,
                        "nelder-mead: the objective is not finite at the start (a fit figure "
                        "has no value there, e.g. an empty denominator); change the start or "
                        "the bounds");
    }
    int iterations = 0;
    while (nm.status == 0 && trace->rows < o->budget) {
        if (gsl_multimin_fminimizer_iterate(m))
            break;
        iterations++;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-3) == GSL_SUCCESS)
            break;
    }
    fprintf(out, "nelder-mead: %d evaluations, %d iterations, best objective %.4g\n", trace->rows,
            iterations, nm.best);
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(y);
    gsl_vector_free(step);
    return nm.status;
}

/* ---- ABC-SMC ------------------------------------------------------------ */

struct population_of_particles {
    int count;
    double *theta, *weight, *distance;
};

/* A multivariate normal kernel: covariance L L' (L lower triangular). */
struct kernel {
    int n;
    double L[MIG_MAX_FREE * MIG_MAX_FREE];
};

/* Cholesky factor of a covariance; a tiny ridge (relative to the bounds)
 * keeps it positive definite when particles coincide in a direction. */
static void kernel_set(struct kernel *k, int n, double *cov, const struct free_parameter *f)
{
    k->n = n;
    for (int attempt = 0; attempt < 8; attempt++) {
        double ridge = pow(10.0, -12 + attempt);
        int ok = 1;
        memset(k->L, 0, sizeof k->L);
        for (int a = 0; a < n && ok; a++)
            for (int b = 0; b <= a; b++) {
                double s = cov[a * n + b];
                if (a == b)
                    s += ridge * (f[a].hi - f[a].lo) * (f[a].hi - f[a].lo);
                for (int c = 0; c < b; c++)
                    s -= k->L[a * n + c] * k->L[b * n + c];
                if (a == b) {
                    if (!(s > 0)) {
                        ok = 0;
                        break;
                    }
                    k->L[a * n + a] = sqrt(s);
                } else {
                    k->L[a * n + b] = s / k->L[b * n + b];
                }
            }
        if (ok)
            return;
    }
    /* Not positive definite even with a ridge: the diagonal alone. */
    memset(k->L, 0, sizeof k->L);
    for (int a = 0; a < n; a++)
        k->L[a * n + a] =
            sqrt(fmax(cov[a * n + a], 1e-12 * (f[a].hi - f[a].lo) * (f[a].hi - f[a].lo)));
}

/* -0.5 d' (L L')^-1 d, by forward substitution; the normalising constant is
 * the same for every particle of a generation and cancels in the weights. */
static double kernel_log(const struct kernel *k, const double *d)
{
    double y[MIG_MAX_FREE], q = 0;
    int n = k->n;
    for (int a = 0; a < n; a++) {
        double s = d[a];
        for (int c = 0; c < a; c++)
            s -= k->L[a * n + c] * y[c];
        y[a] = s / k->L[a * n + a];
        q += y[a] * y[a];
    }
    return -0.5 * q;
}

static double weight_total(const struct population_of_particles *pp)
{
    double total = 0;
    for (int j = 0; j < pp->count; j++)
        total += pp->weight[j];
    return total;
}

/* Effective sample size (sum w)^2 / sum w^2. */
static double effective_size(const struct population_of_particles *pp)
{
    double total = 0, squares = 0;
    for (int j = 0; j < pp->count; j++)
        total += pp->weight[j], squares += pp->weight[j] * pp->weight[j];
    return squares > 0 ? total * total / squares : 0;
}

static void weighted_mean(const struct population_of_particles *pp, int n, const int *use,
                          double *mean, double *total)
{
    *total = 0;
    for (int d = 0; d < n; d++)
        mean[d] = 0;
    for (int j = 0; j < pp->count; j++) {
        if (use && !use[j])
            continue;
        *total += pp->weight[j];
        for (int d = 0; d < n; d++)
            mean[d] += pp->weight[j] * pp->theta[j * n + d];
    }
    for (int d = 0; d < n; d++)
        mean[d] /= *total > 0 ? *total : 1;
}

/* Weighted covariance of the particles (those with use[j], or all). */
static void weighted_covariance(const struct population_of_particles *pp, int n, const int *use,
                                double *mean, double *cov)
{
    double total;
    weighted_mean(pp, n, use, mean, &total);
    for (int a = 0; a < n * n; a++)
        cov[a] = 0;
    for (int j = 0; j < pp->count; j++) {
        if (use && !use[j])
            continue;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                cov[a * n + b] += pp->weight[j] * (pp->theta[j * n + a] - mean[a]) *
                                  (pp->theta[j * n + b] - mean[b]) / (total > 0 ? total : 1);
    }
}

/* The perturbation kernel for the next generation: the multivariate normal
 * with the optimal covariance of Filippi et al. (2013, eq. 13), the sum over
 * the previous particles i and those k among them within the next tolerance
 * of w_i w~_k (theta~_k - theta_i)(theta~_k - theta_i)'. That equals
 * cov + cov~ + (mean - mean~)(mean - mean~)'; with every particle within the
 * tolerance it is twice the weighted covariance (Beaumont et al. 2009). */
static void perturbation_kernel(struct kernel *k, const struct population_of_particles *pp, int n,
                                double epsilon, const struct free_parameter *f)
{
    double mean[MIG_MAX_FREE], cov[MIG_MAX_FREE * MIG_MAX_FREE];
    double near_mean[MIG_MAX_FREE], near_cov[MIG_MAX_FREE * MIG_MAX_FREE];
    int *use = malloc((size_t)pp->count * sizeof *use), near = 0;
    for (int j = 0; use && j < pp->count; j++)
        near += use[j] = pp->distance[j] <= epsilon;
    weighted_covariance(pp, n, NULL, mean, cov);
    weighted_covariance(pp, n, use && near >= 2 ? use : NULL, near_mean, near_cov);
    free(use);
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            cov[a * n + b] +=
                near_cov[a * n + b] + (mean[a] - near_mean[a]) * (mean[b] - near_mean[b]);
    kernel_set(k, n, cov, f);
}

/* The prior density (up to a constant): uniform on the bounds, or a kernel
 * density over a previous posterior (sequential rounds). */
struct prior {
    int n;
    const struct free_parameter *f;
    struct population_of_particles previous;
    struct kernel kernel;
};

/* log(sum_j w_j exp(kernel_log(theta - x_j))), stable for tiny terms. */
static double mixture_log(const struct population_of_particles *pp, const struct kernel *k,
                          const double *theta)
{
    int n = k->n;
    double best = -INFINITY, sum = 0;
    double *terms = malloc((size_t)pp->count * sizeof *terms);
    if (!terms)
        return NAN;
    for (int j = 0; j < pp->count; j++) {
        double d[MIG_MAX_FREE];
        for (int a = 0; a < n; a++)
            d[a] = theta[a] - pp->theta[j * n + a];
        terms[j] = pp->weight[j] > 0 ? log(pp->weight[j]) + kernel_log(k, d) : -INFINITY;
        best = fmax(best, terms[j]);
    }
    for (int j = 0; j < pp->count && isfinite(best); j++)
        sum += exp(terms[j] - best);
    free(terms);
    return isfinite(best) ? best + log(sum) : -INFINITY;
}

static double prior_log(const struct prior *p, const double *theta)
{
    for (int d = 0; d < p->n; d++)
        if (!(theta[d] >= p->f[d].lo && theta[d] <= p->f[d].hi))
            return -INFINITY;
    return p->previous.count ? mixture_log(&p->previous, &p->kernel, theta) : 0;
}

static int pick(const double *weight, int count, double u)
{
    double total = 0, running = 0;
    for (int j = 0; j < count; j++)
        total += weight[j];
    for (int j = 0; j < count; j++) {
        running += weight[j];
        if (u * total < running)
            return j;
    }
    return count - 1;
}

/* A draw from the prior (generation 0) or a perturbed particle. The draw is
 * a pure function of (seed, generation, proposal index). */
static void propose(const struct prior *p, const struct population_of_particles *last,
                    const struct kernel *k, uint64_t seed, uint64_t id, double *theta)
{
    struct mig_draw d = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, id, 0);
    const struct population_of_particles *from = last ? last : &p->previous;
    const struct kernel *kernel = last ? k : &p->kernel;
    int n = p->n;
    if (!from->count) {
        for (int i = 0; i < n; i++) {
            struct mig_draw e = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, id, (uint32_t)i + 1);
            theta[i] = p->f[i].lo + (p->f[i].hi - p->f[i].lo) * mig_rng_u01(e.w[0]);
        }
        return;
    }
    int j = pick(from->weight, from->count, mig_rng_u01(d.w[0]));
    double z[MIG_MAX_FREE];
    for (int i = 0; i < n; i++) {
        struct mig_draw e = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, id, (uint32_t)i + 1);
        z[i] = gsl_cdf_ugaussian_Pinv(mig_rng_u01(e.w[1]));
    }
    for (int a = 0; a < n; a++) {
        theta[a] = from->theta[j * n + a];
        for (int c = 0; c <= a; c++)
            theta[a] += kernel->L[a * n + c] * z[c];
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double plain_quantile(const double *values, int n, double q)
{
    double *sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted)
        return NAN;
    memcpy(sorted, values, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, compare_doubles);
    double at = q * (n - 1);
    int i = (int)at;
    double x = i + 1 < n ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
    free(sorted);
    return x;
}

static int read_prior(const char *path, const struct free_parameter *f, int n, struct prior *p);

static void particles_free(struct population_of_particles *pp)
{
    free(pp->theta);
    free(pp->weight);
    free(pp->distance);
    memset(pp, 0, sizeof *pp);
}

static int particles_alloc(struct population_of_particles *pp, int N, int n)
{
    pp->count = 0;
    pp->theta = malloc((size_t)N * (size_t)n * sizeof *pp->theta);
    pp->weight = malloc((size_t)N * sizeof *pp->weight);
    pp->distance = malloc((size_t)N * sizeof *pp->distance);
    return pp->theta && pp->weight && pp->distance ? 0 : mig_fail(MIG_ENOMEM, "out of memory");
}

/* Normalises log weights to weights whose largest is 1. */
static void weights_from_logs(double *weight, int count)
{
    double best = -INFINITY;
    for (int j = 0; j < count; j++)
        best = fmax(best, weight[j]);
    for (int j = 0; j < count; j++)
        weight[j] = isfinite(best) ? exp(weight[j] - best) : 1.0;
}

/* Each generation considers proposals 0, 1, 2, ... in order (their draws and
 * seeds depend only on the generation and the index), stops at the N-th
 * acceptance, and charges the budget only for simulations up to that one:
 * proposals evaluated beyond it in the same parallel batch are discarded.
 * So the posterior does not depend on how many threads or ranks evaluate. */
static int abc_smc(struct evaluator *evaluators, int workers, const struct free_parameter *f, int n,
                   const struct calibrate_options *o, struct trace *trace, double *fitted,
                   struct population_of_particles *posterior, FILE *out)
{
    int N = o->particles, targets = evaluators[0].sim.figures.count, status = 0, used = 0;
    double weight_sum = 0;
    for (int k = 0; k < targets; k++)
        if (evaluators[0].sim.figures.items[k].role == MIG_ROLE_FIT)
            weight_sum += evaluators[0].sim.figures.items[k].weight;
    if (!(weight_sum > 0))
        return mig_fail(MIG_EINPUT,
                        "error: no fit figure with a positive weight among the targets");
    struct prior prior = {n, f, {0, NULL, NULL, NULL}, {0, {0}}};
    if (o->prior && (status = read_prior(o->prior, f, n, &prior)) < 0) {
        particles_free(&prior.previous);
        return status;
    }
    uint64_t seed = (uint64_t)evaluators[0].sim.scenario.seed;
    struct population_of_particles last = {0}, next = {0};
    struct kernel kernel = {0};
    double epsilon = INFINITY;
    /* Under MPI each rank evaluates every ranks-th proposal of a batch with
     * its threads, then every rank takes each result from its evaluator. A
     * batch holds several proposals per thread, taken by whichever thread
     * is free: proposals outside the bounds cost nothing and simulations
     * differ in length, so one per thread left threads idle. The proposals
     * and their order do not depend on the batch, so neither does the
     * posterior. */
    int ranks = mig_comm_size(), me = mig_comm_rank(), width = n + 3 * targets + 1;
    int batch_size = 4 * workers * ranks > 64 ? 64 : 4 * workers * ranks;
    double *batch = malloc((size_t)batch_size * (size_t)width * sizeof *batch);
    double *rows = malloc((size_t)N * (size_t)(3 * targets + 1) * sizeof *rows);
    double *objectives = malloc((size_t)N * sizeof *objectives);
    if (!batch || !rows || !objectives || particles_alloc(&next, N, n) < 0 ||
        particles_alloc(&last, N, n) < 0) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    const char *stopped = "the generation limit (256)";
    for (int g = 0; g < 256 && status == 0; g++) {
        next.count = 0;
        int charged = 0; /* simulations of this generation up to its N-th acceptance */
        uint64_t counter = 0;
        while (next.count < N && used < o->budget && status == 0) {
            int size = batch_size < o->budget - used ? batch_size : o->budget - used;
            int evaluated[64] = {0};
            int statuses[64] = {0};
            uint64_t base = counter;
            counter += (uint64_t)size;
            int mine = (size - me + ranks - 1) / ranks; /* proposals me, me + ranks, ... */
            int threads = mine < workers ? (mine > 0 ? mine : 1) : workers;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
            for (int k = 0; k < mine; k++) {
                int w = me + k * ranks;
                double *theta = batch + (size_t)w * (size_t)width;
                double *row = theta + n, *objective = row + 3 * targets;
                uint64_t id = ((uint64_t)g << 40) | (base + (uint64_t)w);
                propose(&prior, g ? &last : NULL, &kernel, seed, id, theta);
                if (!isfinite(prior_log(&prior, theta)))
                    continue; /* outside the bounds: rejected without a simulation */
                double run_seed =
                    (double)mig_rng_replicate_seed(seed, (uint32_t)(id % 4000000000u) + 1);
                statuses[w] =
                    evaluate(&evaluators[omp_get_thread_num()], f, n, theta, run_seed,
                             o->replicates, objective, row);
                evaluated[w] = 1;
            }
            for (int w = 0; ranks > 1 && w < size && status == 0; w++) {
                int owner = w % ranks;
                if ((status = mig_comm_broadcast(&statuses[w], sizeof statuses[w], owner)) < 0 ||
                    (status = mig_comm_broadcast(&evaluated[w], sizeof evaluated[w], owner)) < 0 ||
                    (status = mig_comm_broadcast(batch + (size_t)w * (size_t)width,
                                                 (size_t)width * sizeof *batch, owner)) < 0)
                    break;
                if (statuses[w] < 0) { /* every rank reports the owner's message */
                    char message[1024];
                    snprintf(message, sizeof message, "%s", mig_strerror());
                    if ((status = mig_comm_broadcast(message, sizeof message, owner)) < 0)
                        break;
                    if (mig_comm_rank() != owner)
                        mig_fail(statuses[w], "%s", message);
                }
            }
            for (int w = 0; w < size && status == 0 && next.count < N && used < o->budget; w++) {
                if (statuses[w] < 0) {
                    status = statuses[w];
                    break;
                }
                if (!evaluated[w])
                    continue;
                used++, charged++;
                double *theta = batch + (size_t)w * (size_t)width;
                double objective = theta[n + 3 * targets];
                double distance = sqrt(objective / weight_sum);
                if (!(distance <= epsilon)) /* also rejects an infinite objective */
                    continue;
                int at = next.count++;
                memcpy(next.theta + (size_t)at * (size_t)n, theta, (size_t)n * sizeof *theta);
                memcpy(rows + (size_t)at * (size_t)(3 * targets), theta + n,
                       (size_t)(3 * targets) * sizeof *theta);
                objectives[at] = objective;
                next.distance[at] = distance;
                /* Log importance weight: prior over the kernel mixture of the
                 * last generation (the same proposal as the prior in g = 0). */
                next.weight[at] =
                    g ? prior_log(&prior, theta) - mixture_log(&last, &kernel, theta) : 0;
            }
        }
        if (status < 0)
            break;
        weights_from_logs(next.weight, next.count);
        for (int j = 0; j < next.count && status == 0; j++)
            status = trace_add(trace, next.theta + (size_t)j * (size_t)n, objectives[j],
                               rows + (size_t)j * (size_t)(3 * targets), g, next.weight[j]);
        if (next.count < N) {
            /* The budget was spent: the last complete generation is the
             * posterior; this one's particles stay in the trace, marked. */
            if (next.count)
                fprintf(out,
                        "abc-smc: generation %d cut off by the budget after %d of %d particles "
                        "(kept in the trace, not used)\n",
                        g, next.count, N);
            stopped = "the budget";
            break;
        }
        trace->epsilon[g] = epsilon;
        trace->generations = g + 1;
        struct population_of_particles swap = last;
        last = next;
        next = swap;
        double acceptance = (double)N / charged;
        double ess = effective_size(&last);
        double reached = plain_quantile(last.distance, last.count, 1.0);
        epsilon = plain_quantile(last.distance, last.count, ABC_QUANTILE);
        perturbation_kernel(&kernel, &last, n, epsilon, f);
        fprintf(out,
                "abc-smc: generation %d accepted %d particles (%d simulations so far, acceptance "
                "%.3g, effective sample size %.1f, largest distance %.4g), next tolerance %.4g\n",
                g, N, used, acceptance, ess, reached, epsilon);
        if (o->tolerance > 0 && reached <= o->tolerance) {
            stopped = "the tolerance (--tolerance)";
            break;
        }
        if (g > 0 && acceptance < o->min_acceptance) {
            stopped = "the acceptance rate (--min-acceptance)";
            break;
        }
        if (used >= o->budget) {
            stopped = "the budget";
            break;
        }
    }
    if (status == 0 && last.count == 0)
        status = mig_fail(MIG_ERUNTIME,
                          "abc-smc: the budget of %d simulations did not complete "
                          "one generation of %d particles; raise --budget",
                          o->budget, N);
    if (status == 0) {
        fprintf(out, "abc-smc: stopped by %s after %d simulations; posterior: generation %d\n",
                stopped, used, trace->generations - 1);
        double total = weight_total(&last);
        for (int d = 0; d < n; d++) {
            fitted[d] = 0;
            for (int j = 0; j < last.count; j++)
                fitted[d] += last.weight[j] / total * last.theta[j * n + d];
        }
        *posterior = last;
        last = (struct population_of_particles){0};
    }
done:
    free(batch);
    free(rows);
    free(objectives);
    particles_free(&next);
    particles_free(&last);
    particles_free(&prior.previous);
    return status;
}

/* The posterior of an earlier ABC-SMC run: its last COMPLETE generation
 * (a generation the budget cut off is in the trace but is not a posterior),
 * as a kernel density whose bandwidth follows Silverman's rule with the
 * effective sample size, over the particles' weighted covariance. The
 * trace is a file the user hands over: every shape, length and type is
 * checked before it is read, weights must be finite and not negative, and
 * the read runs first in a child process (h5safe.h). */
struct prior_request {
    const char *path;
    const struct free_parameter *f;
    int n;
    struct prior *p;
};

static int read_prior_unguarded(void *arg)
{
    const struct prior_request *q = arg;
    const char *path = q->path;
    const struct free_parameter *f = q->f;
    int n = q->n;
    struct prior *p = q->p;
    hid_t file;
    int opened = mig_h5_open(path, "a calibration trace", &file);
    if (opened < 0)
        return opened;
    struct mig_h5_source src = {file, path, "the trace of an ABC-SMC calibration"};
    char *method = NULL, *names = NULL, what[300];
    double *theta = NULL, *weight = NULL;
    int *generation = NULL, index[MIG_MAX_FREE], complete = -1, status;
    hsize_t dims[2] = {0, 0}, length[1] = {0};
    if ((status = mig_h5_require_text(&src, "method", 64, 0, &method)) < 0 ||
        (status = mig_h5_require_text(&src, "parameter_names", 4095, 0, &names)) < 0)
        goto done;
    if (strcmp(method, "abc-smc") != 0) {
        snprintf(what, sizeof what, "its method is '%.64s'", method);
        status = mig_h5_refuse(&src, what);
        goto done;
    }
    if ((status = mig_h5_require_shape(&src, "parameters", 2, 1, 1u << 24, dims)) < 0)
        goto done;
    if (dims[1] > 4096) {
        status = mig_h5_refuse(&src, "'parameters' has more than 4096 columns");
        goto done;
    }
    int rows = (int)dims[0], columns = (int)dims[1], named = 0;
    /* One name a column, comma-separated; each free parameter must be one. */
    for (int d = 0; d < n; d++)
        index[d] = -1;
    for (char *name = names, *end; name; name = end ? end + 1 : NULL, named++) {
        end = strchr(name, ',');
        size_t len = end ? (size_t)(end - name) : strlen(name);
        for (int d = 0; d < n; d++)
            if (strlen(f[d].name) == len && strncmp(name, f[d].name, len) == 0)
                index[d] = named;
    }
    if (named != columns) {
        snprintf(what, sizeof what,
                 "the attribute 'parameter_names' names %d parameters, 'parameters' has %d "
                 "columns",
                 named, columns);
        status = mig_h5_refuse(&src, what);
        goto done;
    }
    for (int d = 0; d < n; d++)
        if (index[d] < 0) {
            status =
                mig_fail(MIG_EINPUT, "%s: error: the prior has no parameter '%s'", path, f[d].name);
            goto done;
        }
    /* Complete generations: the attribute, or (older traces) the number of
     * tolerances recorded, one per complete generation. */
    if (H5Aexists(file, "complete_generations") > 0) {
        if (mig_h5_number_attribute(file, "complete_generations", H5T_NATIVE_INT, &complete) < 0) {
            status = mig_h5_refuse(&src, "the attribute 'complete_generations' is not one number");
            goto done;
        }
    } else if (H5Lexists(file, "epsilon", H5P_DEFAULT) > 0) {
        if ((status = mig_h5_require_shape(&src, "epsilon", 1, 0, 1u << 24, length)) < 0)
            goto done;
        complete = (int)length[0];
    }
    if (complete < 1) {
        status = mig_fail(MIG_EINPUT,
                          "%s: error: the trace has no complete generation; expected the "
                          "trace of an ABC-SMC run that finished at least one",
                          path);
        goto done;
    }
    theta = malloc((size_t)rows * (size_t)columns * sizeof *theta);
    weight = malloc((size_t)rows * sizeof *weight);
    generation = malloc((size_t)rows * sizeof *generation);
    p->previous.theta = malloc((size_t)rows * (size_t)n * sizeof *p->previous.theta);
    p->previous.weight = malloc((size_t)rows * sizeof *p->previous.weight);
    if (!theta || !weight || !generation || !p->previous.theta || !p->previous.weight) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    /* One weight and one generation a row of 'parameters'. */
    if ((status = mig_h5_require_finite(&src, "parameters", (size_t)rows * (size_t)columns,
                                        theta)) < 0 ||
        (status = mig_h5_require_shape(&src, "weight", 1, 0, 1u << 24, length)) < 0 ||
        (status = mig_h5_require_finite(&src, "weight", (size_t)rows, weight)) < 0 ||
        (status = mig_h5_require_shape(&src, "generation", 1, 0, 1u << 24, length)) < 0 ||
        (status = mig_h5_require_numbers(&src, "generation", H5T_NATIVE_INT, (size_t)rows,
                                         generation)) < 0)
        goto done;
    for (int r = 0; r < rows; r++)
        if (weight[r] < 0) {
            snprintf(what, sizeof what,
                     "'weight' holds %g at index %d, expected weights of at "
                     "least 0",
                     weight[r], r);
            status = mig_h5_refuse(&src, what);
            goto done;
        }
    for (int r = 0; r < rows; r++) {
        if (generation[r] != complete - 1)
            continue;
        for (int d = 0; d < n; d++)
            p->previous.theta[p->previous.count * n + d] = theta[r * columns + index[d]];
        p->previous.weight[p->previous.count++] = weight[r];
    }
    double ess = effective_size(&p->previous);
    if (p->previous.count < 2 || !(ess >= 2)) {
        status = mig_fail(MIG_EINPUT,
                          "%s: error: the prior's last complete generation has %d particle(s) "
                          "(effective size %.2g); expected at least 2 to estimate a density",
                          path, p->previous.count, ess);
        goto done;
    }
    double mean[MIG_MAX_FREE], cov[MIG_MAX_FREE * MIG_MAX_FREE];
    double h2 = pow(4.0 / (n + 2.0), 2.0 / (n + 4.0)) * pow(ess, -2.0 / (n + 4.0));
    weighted_covariance(&p->previous, n, NULL, mean, cov);
    for (int a = 0; a < n * n; a++)
        cov[a] *= h2;
    kernel_set(&p->kernel, n, cov, f);
done:
    free(method);
    free(names);
    free(theta);
    free(weight);
    free(generation);
    H5Fclose(file);
    return status;
}

static int read_prior(const char *path, const struct free_parameter *f, int n, struct prior *p)
{
    struct prior_request q = {path, f, n, p};
    return mig_h5_guarded(read_prior_unguarded, &q, path, "the prior");
}

/* ---- results ------------------------------------------------------------ */

struct weighted_value {
    double x, w;
};

static int by_x(const void *a, const void *b)
{
    const struct weighted_value *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

/* The weighted q-quantile of parameter d over every particle: the smallest
 * value whose cumulative weight reaches q of the total. */
static double weighted_quantile(const struct population_of_particles *pp, int n, int d, double q)
{
    struct weighted_value *v = malloc((size_t)(pp->count ? pp->count : 1) * sizeof *v);
    if (!v || !pp->count) {
        free(v);
        return NAN;
    }
    double total = 0;
    for (int j = 0; j < pp->count; j++)
        v[j] = (struct weighted_value){pp->theta[j * n + d], pp->weight[j]}, total += pp->weight[j];
    qsort(v, (size_t)pp->count, sizeof *v, by_x);
    double running = 0, x = v[pp->count - 1].x;
    for (int j = 0; j < pp->count; j++) {
        running += v[j].w;
        if (running >= q * total) {
            x = v[j].x;
            break;
        }
    }
    free(v);
    return x;
}

/* The posterior's summary into the trace, and printed. */
static void print_posterior(FILE *out, const struct population_of_particles *pp,
                            const struct free_parameter *f, int n, const double *mean,
                            struct trace *trace)
{
    double m[MIG_MAX_FREE], cov[MIG_MAX_FREE * MIG_MAX_FREE];
    weighted_covariance(pp, n, NULL, m, cov);
    trace->has_posterior = 1;
    trace->ess = effective_size(pp);
    fprintf(out, "\nposterior (%d particles, effective sample size %.1f)\n%-40s %12s %12s %12s\n",
            pp->count, trace->ess, "parameter", "mean", "5%", "95%");
    for (int d = 0; d < n; d++) {
        trace->mean[d] = mean[d];
        trace->q05[d] = weighted_quantile(pp, n, d, 0.05);
        trace->q95[d] = weighted_quantile(pp, n, d, 0.95);
        fprintf(out, "%-40s %12.5g %12.5g %12.5g\n", f[d].name, mean[d], trace->q05[d],
                trace->q95[d]);
    }
    fprintf(out, "correlations\n");
    for (int a = 0; a < n; a++) {
        fprintf(out, "%-40s", f[a].name);
        for (int b = 0; b < n; b++) {
            double s = sqrt(cov[a * n + a] * cov[b * n + b]);
            double r = s > 0 ? cov[a * n + b] / s : (a == b ? 1.0 : 0.0);
            trace->correlation[a * n + b] = r;
            fprintf(out, " %6.2f", r);
        }
        fputc('\n', out);
    }
}

static void relative_path(const char *from_file, const char *target, char *out, size_t size)
{
    char from[PATH_MAX], to[PATH_MAX], folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%s", from_file);
    char *slash = strrchr(folder, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(folder, ".");
    if (!realpath(folder, from) || !realpath(target, to)) {
        snprintf(out, size, "%s", target);
        return;
    }
    size_t common = 0;
    for (size_t i = 0; from[i] && from[i] == to[i]; i++)
        if (from[i] == '/')
            common = i;
    if (strncmp(from, to, strlen(from)) == 0 && to[strlen(from)] == '/')
        common = strlen(from);
    out[0] = '\0';
    for (const char *p = from + common; *p; p++)
        if (*p == '/')
            strncat(out, "../", size - strlen(out) - 1);
    strncat(out, to + common + 1, size - strlen(out) - 1);
}

static int write_scenario(const char *path, const struct calibrate_options *o,
                          const struct scenario *input, const struct free_parameter *f, int n,
                          const double *fitted)
{
    char temp[4200], parent[PATH_MAX];
    if (mig_files_temp_begin(path, temp, sizeof temp) < 0)
        return MIG_EINPUT;
    relative_path(path, o->scenario, parent, sizeof parent);
    FILE *out = fopen(temp, "w");
    if (!out)
        return mig_fail(MIG_EIO, "%s: error: cannot write the calibrated scenario", path);
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%d", gmtime(&now));
    fprintf(out, "# Calibrated by migsim calibrate (%s) on %s against", o->method, when);
    for (int i = 0; i < o->target_files; i++)
        fprintf(out, " %s", o->targets[i]);
    fprintf(out, ".\n# Holds only the fitted values%s.\n# Command: %s\n",
            strcmp(o->method, "abc-smc") == 0 ? " (posterior means)" : "",
            o->command_line ? o->command_line : "");
    fprintf(out, "extends: %s\nname: %s\n", parent, input->name);
    char group[32] = "";
    for (int done = 0, i = 0; i < n; i++) {
        (void)done;
        const char *dot = strchr(f[i].param->name, '.');
        int top = dot == NULL;
        if (!top && strncmp(group, f[i].param->name, (size_t)(dot - f[i].param->name)) != 0) {
            snprintf(group, sizeof group, "%.*s", (int)(dot - f[i].param->name), f[i].param->name);
            fprintf(out, "%s:\n", group);
        }
        const char *leaf = top ? f[i].param->name : dot + 1;
        if (!f[i].code[0]) {
            fprintf(out, "%s%s: %.6g\n", top ? "" : "  ", leaf, fitted[i]);
            continue;
        }
        /* One mapping for all the freed origins of a parameter, at its
         * first one: a key may not appear twice. */
        bool seen = false;
        for (int j = 0; j < i; j++)
            seen |= f[j].param == f[i].param;
        if (seen)
            continue;
        fprintf(out, "%s%s: {", top ? "" : "  ", leaf);
        for (int j = i, k = 0; j < n; j++)
            if (f[j].param == f[i].param)
                fprintf(out, "%s%s: %.6g", k++ ? ", " : "", f[j].code, fitted[j]);
        fprintf(out, "}\n");
    }
    int failed = ferror(out);
    if (fclose(out) != 0 || failed || rename(temp, path) < 0) {
        remove(temp);
        return mig_fail(MIG_EIO, "%s: error: cannot write the calibrated scenario", path);
    }
    return 0;
}

static int calibrate(const struct calibrate_options *o, FILE *out);

int mig_calibrate(const struct calibrate_options *o, FILE *out_or_null)
{
    /* Every MPI rank takes part; rank 0 speaks and writes. */
    FILE *out = mig_comm_rank() == 0 ? out_or_null : fopen("/dev/null", "w");
    if (!out)
        return mig_fail(MIG_EIO, "error: cannot open /dev/null");
    int code = calibrate(o, out);
    if (out != out_or_null)
        fclose(out);
    return code;
}

static int write_outputs(const char *yaml, const char *h5, const struct trace *trace,
                         const struct free_parameter *f, int n, const struct calibrate_options *o,
                         const struct evaluator *e, const double *fitted)
{
    if (mig_comm_rank() != 0)
        return 0;
    int status = write_trace(h5, trace, f, &e->sim.figures, o);
    return status < 0 ? status : write_scenario(yaml, o, &e->sim.scenario, f, n, fitted);
}

/* ---- noise and profiles ------------------------------------------------ */

/* Runs `count` evaluations in parallel over the evaluators: theta[i] with
 * seed[i], objectives into objective[i]. */
static int evaluate_many(struct evaluator *e, int workers, const struct free_parameter *f, int n,
                         const struct calibrate_options *o, int count, const double *theta,
                         const double *seed, double *objective, double *rows_out)
{
    int status = 0, T = e[0].sim.figures.count;
    double *rows = malloc((size_t)workers * (size_t)(3 * T + 1) * sizeof *rows);
    if (!rows)
        return mig_fail(MIG_ENOMEM, "out of memory");
    for (int start = 0; start < count && status == 0; start += workers) {
        int size = count - start < workers ? count - start : workers, statuses[64] = {0};
#pragma omp parallel for num_threads(size) schedule(static, 1)
        for (int w = 0; w < size; w++)
            statuses[w] = evaluate(&e[w], f, n, theta + (size_t)(start + w) * (size_t)n,
                                   seed[start + w], o->replicates, &objective[start + w],
                                   rows + (size_t)w * (size_t)(3 * T + 1));
        for (int w = 0; w < size; w++) {
            status = status < 0 ? status : statuses[w];
            if (rows_out)
                memcpy(rows_out + (size_t)(start + w) * (size_t)(3 * T),
                       rows + (size_t)w * (size_t)(3 * T + 1), (size_t)(3 * T) * sizeof *rows);
        }
    }
    free(rows);
    return status;
}

/* The objective's simulation noise at the fit: its standard deviation over
 * seeds, at the search's scale and replicates. An objective difference
 * smaller than this is noise, not evidence. */
static int objective_noise(struct evaluator *e, int workers, const struct free_parameter *f, int n,
                           const struct calibrate_options *o, const double *fitted,
                           struct trace *trace, FILE *out)
{
    int K = o->noise_seeds;
    double *theta = malloc((size_t)K * (size_t)n * sizeof *theta);
    double *seed = malloc((size_t)K * sizeof *seed), *objective = malloc((size_t)K * sizeof *seed);
    int status = theta && seed && objective ? 0 : mig_fail(MIG_ENOMEM, "out of memory");
    uint64_t base = (uint64_t)e[0].sim.scenario.seed;
    for (int k = 0; status == 0 && k < K; k++) {
        memcpy(theta + (size_t)k * (size_t)n, fitted, (size_t)n * sizeof *theta);
        seed[k] = (double)mig_rng_replicate_seed(base ^ 0x5eedULL, (uint32_t)k + 1);
    }
    if (status == 0)
        status = evaluate_many(e, workers, f, n, o, K, theta, seed, objective, NULL);
    if (status == 0) {
        double mean = 0, var = 0;
        for (int k = 0; k < K; k++)
            mean += objective[k] / K;
        for (int k = 0; k < K; k++)
            var += (objective[k] - mean) * (objective[k] - mean) / (K - 1);
        trace->noise_sd = sqrt(var);
        fprintf(out,
                "\nobjective at the fit over %d seeds (scale %g, %d replicate(s)): mean %.4g, "
                "sd %.4g (simulation noise)\n",
                K, e[0].sim.scenario.scale, o->replicates, mean, trace->noise_sd);
    }
    free(theta);
    free(seed);
    free(objective);
    return status;
}

/* The objective along each parameter across its bounds, the others at their
 * fitted values, with the calibration's seed (common random numbers). This
 * is a slice, not a re-optimised profile: it shows where the fit figures
 * constrain a parameter; a flat slice means they do not. The values within
 * 2.71 of the slice's minimum (a 90% interval for one parameter when the
 * objective is a chi-square) are printed with each. */
static int profile(struct evaluator *e, int workers, const struct free_parameter *f, int n,
                   const struct calibrate_options *o, const double *fitted, struct trace *trace,
                   FILE *out)
{
    int K = o->profile, count = n * K;
    double *theta = malloc((size_t)count * (size_t)n * sizeof *theta);
    double *seed = malloc((size_t)count * sizeof *seed);
    trace->profile_grid = malloc((size_t)count * sizeof *trace->profile_grid);
    trace->profile_objective = malloc((size_t)count * sizeof *trace->profile_objective);
    int status = theta && seed && trace->profile_grid && trace->profile_objective
                     ? 0
                     : mig_fail(MIG_ENOMEM, "out of memory");
    for (int d = 0; status == 0 && d < n; d++)
        for (int k = 0; k < K; k++) {
            double *t = theta + (size_t)(d * K + k) * (size_t)n;
            memcpy(t, fitted, (size_t)n * sizeof *t);
            t[d] = f[d].lo + (f[d].hi - f[d].lo) * k / (K - 1.0);
            trace->profile_grid[d * K + k] = t[d];
            seed[d * K + k] = e[0].sim.scenario.seed;
        }
    if (status == 0)
        status =
            evaluate_many(e, workers, f, n, o, count, theta, seed, trace->profile_objective, NULL);
    if (status == 0) {
        trace->profile_points = K;
        fprintf(out,
                "\nobjective profile (a slice along each parameter, the others at their fitted "
                "values, seed %.0f, scale %g)\n%-40s %12s %12s  %s\n",
                e[0].sim.scenario.seed, e[0].sim.scenario.scale, "parameter", "best value",
                "objective", "values within 2.71 of the minimum");
        for (int d = 0; d < n; d++) {
            const double *y = trace->profile_objective + d * K, *x = trace->profile_grid + d * K;
            int best = 0, first = -1, last = -1;
            for (int k = 0; k < K; k++)
                best = y[k] < y[best] ? k : best;
            for (int k = 0; k < K; k++)
                if (y[k] <= y[best] + 2.71)
                    first = first < 0 ? k : first, last = k;
            fprintf(out, "%-40s %12.5g %12.4g  %.5g to %.5g%s\n", f[d].name, x[best], y[best],
                    x[first], x[last],
                    first == 0 && last == K - 1 ? " (flat across the bounds: not identified)" : "");
            fprintf(out, "%-40s", "");
            for (int k = 0; k < K; k++)
                fprintf(out, " %.4g:%.4g", x[k], y[k]);
            fputc('\n', out);
        }
    }
    free(theta);
    free(seed);
    return status;
}

/* The posterior predictive check: M parameter sets drawn from the posterior
 * by weight, each run with its own seed at the search's scale; for every
 * figure (fit, validate and input alike), the 5% and 95% quantiles of what
 * the survey would observe: the simulated value plus a draw of the
 * observation's own error (none for a range or bound). A fit figure outside
 * its band is a misfit the posterior cannot explain; a validation figure
 * outside it is a failed out-of-sample check. */
static int predictive(struct evaluator *e, int workers, const struct free_parameter *f, int n,
                      const struct calibrate_options *o, const struct population_of_particles *pp,
                      struct trace *trace, FILE *out)
{
    int M = o->predictive, T = e[0].sim.figures.count, status = 0;
    uint64_t base = (uint64_t)e[0].sim.scenario.seed;
    double *theta = malloc((size_t)M * (size_t)n * sizeof *theta);
    double *seed = malloc((size_t)M * sizeof *seed), *objective = malloc((size_t)M * sizeof *seed);
    double *rows = malloc((size_t)M * (size_t)(3 * T) * sizeof *rows);
    double *column = malloc((size_t)M * sizeof *column);
    trace->predictive_q05 = calloc((size_t)T + 1, sizeof *trace->predictive_q05);
    trace->predictive_q95 = calloc((size_t)T + 1, sizeof *trace->predictive_q95);
    if (!theta || !seed || !objective || !rows || !column || !trace->predictive_q05 ||
        !trace->predictive_q95) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    for (int m = 0; m < M; m++) {
        uint64_t id = (255ULL << 40) | (uint64_t)m; /* beyond any generation's proposals */
        struct mig_draw d = mig_rng_draw(base, MIG_STREAM_CALIBRATE, id, 0);
        int j = pick(pp->weight, pp->count, mig_rng_u01(d.w[0]));
        memcpy(theta + (size_t)m * n, pp->theta + (size_t)j * n, (size_t)n * sizeof *theta);
        seed[m] = (double)mig_rng_replicate_seed(base ^ 0x9e3779b97f4a7c15ULL, (uint32_t)m + 1);
    }
    if ((status = evaluate_many(e, workers, f, n, o, M, theta, seed, objective, rows)) < 0)
        goto done;
    int inside[3] = {0}, count[3] = {0};
    fprintf(out,
            "\nposterior predictive check (%d draws from the posterior, scale %g, %d "
            "replicate(s)): 90%% band of the observation (simulated plus the observation's own "
            "error)\n%-50s %-8s %12s %12s %12s %s\n",
            M, e[0].sim.scenario.scale, o->replicates, "figure", "role", "observed", "5%", "95%",
            "observed inside");
    for (int k = 0; k < T; k++) {
        const struct target *t = &e[0].sim.figures.items[k];
        int used = 0;
        for (int m = 0; m < M; m++) {
            double x = rows[(size_t)m * (3 * T) + k];
            if (isnan(x))
                continue;
            if (t->kind == MIG_TWO_SIDED && !t->tolerance) {
                struct mig_draw z = mig_rng_draw(base, MIG_STREAM_CALIBRATE,
                                                 (254ULL << 40) | (uint64_t)m, (uint32_t)k);
                double u = gsl_cdf_ugaussian_Pinv(mig_rng_u01(z.w[0]));
                x += u * (u < 0 ? t->sd_below : t->sd_above);
            }
            column[used++] = x;
        }
        double lo = used ? plain_quantile(column, used, 0.05) : NAN;
        double hi = used ? plain_quantile(column, used, 0.95) : NAN;
        trace->predictive_q05[k] = lo;
        trace->predictive_q95[k] = hi;
        /* A value inside the band; a range or bound overlapping it. */
        int ok = used &&
                 (!isnan(t->value) ? t->value >= lo && t->value <= hi : hi >= t->lo && lo <= t->hi);
        inside[t->role] += ok;
        count[t->role]++;
        char goal[40];
        if (!isnan(t->value))
            snprintf(goal, sizeof goal, "%g", t->value);
        else if (t->kind == MIG_AT_LEAST)
            snprintf(goal, sizeof goal, ">= %g", t->lo);
        else if (t->kind == MIG_AT_MOST)
            snprintf(goal, sizeof goal, "<= %g", t->hi);
        else
            snprintf(goal, sizeof goal, "%g-%g", t->lo, t->hi);
        fprintf(out, "%-50.50s %-8s %12s %12.6g %12.6g %s\n", t->label[0] ? t->label : t->id,
                mig_role_name(t->role), goal, lo, hi, ok ? "yes" : "NO");
    }
    fprintf(out,
            "inside their predictive band: fit %d of %d, validation %d of %d (input, not "
            "counted: %d of %d)\n",
            inside[MIG_ROLE_FIT], count[MIG_ROLE_FIT], inside[MIG_ROLE_VALIDATE],
            count[MIG_ROLE_VALIDATE], inside[MIG_ROLE_INPUT], count[MIG_ROLE_INPUT]);
    trace->predictive_draws = M;
done:
    free(theta);
    free(seed);
    free(objective);
    free(rows);
    free(column);
    return status;
}

static int calibrate(const struct calibrate_options *o, FILE *out)
{
    struct free_parameter f[MIG_MAX_FREE];
    int n = o->free_count, status = 0;
    if (n < 1 || n > MIG_MAX_FREE)
        return mig_fail(MIG_EINPUT, "error: expected 1 to %d --free parameters", MIG_MAX_FREE);
    if (o->target_files < 1)
        return mig_fail(MIG_EINPUT, "error: expected at least one --targets file");
    int abc = strcmp(o->method, "abc-smc") == 0;
    if (!abc && strcmp(o->method, "nelder-mead") != 0)
        return mig_fail(MIG_EINPUT, "error: --method expects nelder-mead or abc-smc, found '%s'",
                        o->method);
    if (o->prior && !abc)
        return mig_fail(MIG_EINPUT, "error: --prior goes with --method abc-smc");
    if (o->predictive > 0 && !abc)
        return mig_fail(MIG_EINPUT,
                        "error: --predictive draws from a posterior; it goes with --method "
                        "abc-smc");
    for (int i = 0; i < n; i++)
        if ((status = mig_free_parse(o->free[i], "--free", &f[i])) < 0)
            return status;
    if ((status = mig_free_check(f, n, "--free")) < 0)
        return status;
    /* ABC-SMC particles, profile points and noise seeds run one per thread
     * (under MPI, ABC-SMC particles also spread over ranks). */
    int parallel = abc || ((o->profile > 0 || o->noise_seeds > 1) && mig_comm_size() == 1);
    int workers = parallel ? omp_get_max_threads() : 1;
    workers = workers < 1 ? 1 : workers > 64 ? 64 : workers;
    struct evaluator *e = calloc((size_t)workers, sizeof *e);
    struct trace trace = {0};
    struct population_of_particles posterior = {0};
    double fitted[MIG_MAX_FREE];
    if (!e)
        return mig_fail(MIG_ENOMEM, "out of memory");
    for (int w = 0; w < workers && status == 0; w++) {
        status = evaluator_open(&e[w], o, o->scale);
        e[w].sim.whole = abc; /* particles run whole, one per thread and rank */
        trace.noise_sd = NAN;
    }
    if (status == 0)
        status = mig_free_check_origins(f, n, &e[0].sim.world, "--free");
    if (status < 0)
        goto done;
    trace.n = n;
    trace.targets = e[0].sim.figures.count;
    if (trace.targets > 1024) {
        status = mig_fail(MIG_EINPUT, "error: more than 1024 targets");
        goto done;
    }
    fprintf(out,
            "calibrating %d parameters against %d targets by %s, at scale %g, %d "
            "replicate(s) per evaluation, budget %d simulations\n",
            n, trace.targets, o->method, e[0].sim.scenario.scale, o->replicates, o->budget);
    if (abc)
        status = abc_smc(e, workers, f, n, o, &trace, fitted, &posterior, out);
    else
        status = nelder_mead(&e[0], f, n, o, &trace, fitted, out);
    if (status < 0)
        goto done;
    fprintf(out, "\n%-40s %12s %12s %12s\n", "parameter", "fitted", "lower", "upper");
    for (int i = 0; i < n; i++)
        fprintf(out, "%-40s %12.6g %12g %12g\n", f[i].name, fitted[i], f[i].lo, f[i].hi);
    if (abc)
        print_posterior(out, &posterior, f, n, fitted, &trace);
    if (abc && o->predictive > 0 &&
        (status = predictive(e, workers, f, n, o, &posterior, &trace, out)) < 0)
        goto done;
    if (o->noise_seeds > 1 &&
        (status = objective_noise(e, workers, f, n, o, fitted, &trace, out)) < 0)
        goto done;
    if (o->profile > 0 && (status = profile(e, workers, f, n, o, fitted, &trace, out)) < 0)
        goto done;
    char yaml[4096], h5[4096];
    snprintf(yaml, sizeof yaml, "%s.yaml", o->output);
    snprintf(h5, sizeof h5, "%s.h5", o->output);
    if ((status = write_outputs(yaml, h5, &trace, f, n, o, &e[0], fitted)) < 0)
        goto done;
    /* The search's agents are done with: their memory is free for the fit's. */
    for (int w = 0; w < workers; w++)
        if (e[w].open) {
            mig_simulation_free(&e[w].sim);
            e[w].open = 0;
        }
    /* The fit: the calibrated scenario at its own scale, one run. */
    struct evaluator check = {0};
    if ((status = evaluator_open(&check, o, 0)) == 0) {
        check.sim.reuse_agents = 0;
        double objective;
        static double values[3 * 1024];
        double seed = check.sim.scenario.seed;
        status = evaluate(&check, f, n, fitted, seed, o->replicates, &objective, values);
        if (status == 0) {
            fprintf(out, "\nfit of the calibrated scenario (objective %.4g):\n", objective);
            mig_simulation_print_summary(&check.sim, out);
            fprintf(out, "wrote %s and %s\n", yaml, h5);
        }
    }
    if (check.open)
        mig_simulation_free(&check.sim);
done:
    for (int w = 0; w < workers; w++)
        if (e[w].open)
            mig_simulation_free(&e[w].sim);
    free(e);
    trace_free(&trace);
    free(posterior.theta);
    free(posterior.weight);
    free(posterior.distance);
    return status;
}
