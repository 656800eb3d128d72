/* Calibration. Both methods minimise, or bound, the same distance: the
 * weighted sum of squared standardised errors of the targets (see target.h),
 * whose standard deviations include the sampling error of emulated surveys.
 *
 * Nelder-Mead searches in logit-transformed coordinates, so every point it
 * tries lies inside the bounds, and uses one seed for every evaluation
 * (common random numbers), so that the objective is a smooth function of the
 * parameters rather than of the noise.
 *
 * ABC-SMC (Toni et al. 2009; Beaumont et al. 2009) keeps a population of
 * particles; each generation resamples and perturbs the last one with a
 * Gaussian kernel of twice its weighted variance, keeps proposals whose
 * distance (root mean squared standardised error) is within the tolerance,
 * weights them by prior over kernel density, and sets the next tolerance to
 * the median accepted distance. Every simulation has its own seed; proposals
 * come from counter-based draws, and particles are evaluated in parallel,
 * so results do not depend on the thread count. */
#include "migsim/calibrate.h"
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

struct free_parameter {
    char name[128];
    const struct mig_param *param;
    char code[MIG_CODE_LEN]; /* for a by-origin parameter */
    double lo, hi;
};

static int parse_free(const char *text, struct free_parameter *f)
{
    memset(f, 0, sizeof *f);
    char name[128];
    double lo = NAN, hi = NAN;
    int n = 0;
    if (sscanf(text, "%127[^:]%n", name, &n) != 1)
        return mig_fail(MIG_EINPUT, "error: --free expects NAME[:lo:hi], found '%s'", text);
    if (text[n] == ':' && (sscanf(text + n, ":%lf:%lf", &lo, &hi) != 2 || !(lo < hi)))
        return mig_fail(MIG_EINPUT, "error: --free %s: expected NAME:lo:hi with lo < hi", text);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->param = mig_scenario_param(name);
    if (!f->param) { /* group.param.CODE names one origin of a by-origin parameter */
        char *dot = strrchr(name, '.');
        if (dot) {
            *dot = '\0';
            const struct mig_param *p = mig_scenario_param(name);
            if (p && p->type == MIG_PARAM_BY_ORIGIN && strlen(dot + 1) < MIG_CODE_LEN) {
                f->param = p;
                strcpy(f->code, dot + 1);
            }
        }
    }
    if (!f->param)
        return mig_fail(MIG_EINPUT, "error: --free: unknown parameter '%s' (see `migsim params`)",
                        f->name);
    if (f->param->type == MIG_PARAM_BY_ORIGIN && !f->code[0])
        return mig_fail(MIG_EINPUT, "error: --free %s: name one origin, as %s.CODE", f->name,
                        f->name);
    if (f->param->type != MIG_PARAM_REAL && f->param->type != MIG_PARAM_INT &&
        f->param->type != MIG_PARAM_BY_ORIGIN)
        return mig_fail(MIG_EINPUT, "error: --free %s: only numeric parameters can be fitted",
                        f->name);
    f->lo = isnan(lo) ? f->param->lo : lo;
    f->hi = isnan(hi) ? f->param->hi : hi;
    if (f->lo < f->param->lo || f->hi > f->param->hi)
        return mig_fail(MIG_EINPUT,
                        "error: --free %s: bounds [%g, %g] leave the parameter's [%g, %g]", f->name,
                        f->lo, f->hi, f->param->lo, f->param->hi);
    return 0;
}

/* Where a free parameter's value lives in a scenario. */
static double *slot(struct scenario *sc, const struct free_parameter *f)
{
    void *field = (char *)sc + f->param->offset;
    if (f->param->type != MIG_PARAM_BY_ORIGIN)
        return field;
    struct mig_by_origin *v = field;
    for (int i = 0; i < v->count; i++)
        if (strcmp(v->code[i], f->code) == 0)
            return &v->value[i];
    if (v->count == MIG_MAX_ORIGINS)
        return &v->all;
    strcpy(v->code[v->count], f->code);
    v->value[v->count] = v->all;
    return &v->value[v->count++];
}

struct evaluator {
    struct simulation sim;
    int open;
};

static int evaluator_open(struct evaluator *e, const struct calibrate_options *o, double scale)
{
    struct overrides ov = {-1, scale};
    int status = mig_simulation_load(&e->sim, o->scenario, &ov);
    e->open = 1;
    if (status == 0)
        status = mig_simulation_use_targets(&e->sim, o->targets, o->target_files);
    return status;
}

static void apply(struct scenario *sc, const struct free_parameter *f, int n, const double *theta)
{
    for (int i = 0; i < n; i++)
        *slot(sc, &f[i]) = f[i].param->type == MIG_PARAM_INT ? round(theta[i]) : theta[i];
}

/* Runs with parameters theta; the objective is the weighted sum of squared
 * standardised errors; `values` receives each target's simulated value. */
static int evaluate(struct evaluator *e, const struct free_parameter *f, int n, const double *theta,
                    double seed, int replicates, double *objective, double *values)
{
    apply(&e->sim.scenario, f, n, theta);
    e->sim.scenario.seed = seed;
    int outside, status;
    if ((status = mig_simulation_run(&e->sim, replicates, NULL, NULL)) < 0 ||
        (status = mig_simulation_figures(&e->sim, &outside)) < 0)
        return status;
    double sum = 0;
    for (int k = 0; k < e->sim.figures.count; k++) {
        double z = e->sim.results[k].error;
        sum += e->sim.figures.items[k].weight * (isnan(z) ? 100.0 : z * z);
        values[k] = e->sim.results[k].simulated;
    }
    *objective = sum;
    return 0;
}

/* ---- the trace ---------------------------------------------------------- */

struct trace {
    int n, targets;     /* parameters and targets */
    int rows, capacity; /* evaluations (Nelder-Mead) or particles (ABC-SMC) */
    double *theta, *objective, *values, *weight;
    int *generation;
    int generations;
    double epsilon[256];
};

static int trace_add(struct trace *t, const double *theta, double objective, const double *values,
                     int generation, double weight)
{
    if (t->rows == t->capacity) {
        int capacity = t->capacity ? 2 * t->capacity : 256;
        double *th = realloc(t->theta, (size_t)capacity * (size_t)t->n * sizeof *th);
        if (th)
            t->theta = th;
        double *ob = realloc(t->objective, (size_t)capacity * sizeof *ob);
        if (ob)
            t->objective = ob;
        double *va = realloc(t->values, (size_t)capacity * (size_t)(t->targets + 1) * sizeof *va);
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
    memcpy(t->values + (size_t)t->rows * (size_t)t->targets, values,
           (size_t)t->targets * sizeof *values);
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
    const char *names[MIG_MAX_FREE], *ids[1024];
    double lo[MIG_MAX_FREE], hi[MIG_MAX_FREE];
    for (int i = 0; i < t->n; i++)
        names[i] = f[i].name, lo[i] = f[i].lo, hi[i] = f[i].hi;
    for (int k = 0; k < targets->count && k < 1024; k++)
        ids[k] = targets->items[k].id;
    char *parameter_list = joined(names, t->n, sizeof names[0]);
    char *target_list = joined(ids, targets->count < 1024 ? targets->count : 1024, sizeof ids[0]);
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
    hsize_t rows = (hsize_t)t->rows, n = (hsize_t)t->n, k = (hsize_t)t->targets;
    hsize_t target_dims[2] = {4, k};
    hsize_t theta_dims[2] = {rows, n}, value_dims[2] = {rows, k}, g = (hsize_t)t->generations;
    int ok = parameter_list && target_list &&
             H5LTmake_dataset_double(file, "parameters", 2, theta_dims, t->theta) >= 0 &&
             H5LTmake_dataset_double(file, "objective", 1, &rows, t->objective) >= 0 &&
             H5LTmake_dataset_double(file, "simulated", 2, value_dims, t->values) >= 0 &&
             H5LTmake_dataset_double(file, "weight", 1, &rows, t->weight) >= 0 &&
             H5LTmake_dataset_int(file, "generation", 1, &rows, t->generation) >= 0 && observed &&
             labels &&
             H5LTmake_dataset_double(file, "target_observed", 2, target_dims, observed) >= 0 &&
             H5LTset_attribute_string(file, "target_observed", "description",
                                      "rows: observed value, 90% lower, 90% upper, standard "
                                      "deviation; columns: targets") >= 0 &&
             H5LTset_attribute_string(file, "/", "target_labels", labels) >= 0 &&
             H5LTmake_dataset_double(file, "lower_bound", 1, &n, lo) >= 0 &&
             H5LTmake_dataset_double(file, "upper_bound", 1, &n, hi) >= 0 &&
             (g == 0 || H5LTmake_dataset_double(file, "epsilon", 1, &g, t->epsilon) >= 0) &&
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
                                      "weighted sum of squared standardised errors") >= 0 &&
             H5LTset_attribute_string(file, "weight", "description",
                                      "importance weight of a particle within its generation "
                                      "(1 for Nelder-Mead evaluations)") >= 0 &&
             H5LTset_attribute_string(file, "generation", "description",
                                      "ABC-SMC generation (0 for Nelder-Mead)") >= 0;
    free(parameter_list);
    free(target_list);
    free(observed);
    free(labels);
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
    double values[1024];
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
        double x = *slot(&e->sim.scenario, &f[i]);
        double u = (x - f[i].lo) / (f[i].hi - f[i].lo);
        u = fmin(fmax(u, 0.02), 0.98);
        gsl_vector_set(y, (size_t)i, log(u / (1 - u)));
        gsl_vector_set(step, (size_t)i, 0.5);
        fitted[i] = x;
    }
    gsl_set_error_handler_off(); /* failures come back as status codes */
    gsl_multimin_function fn = {nm_objective, (size_t)n, &nm};
    gsl_multimin_fminimizer_set(m, &fn, y, step);
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

static double normal_pdf(double x, double sd)
{
    return exp(-0.5 * x * x / (sd * sd)) / (sd * 2.5066282746310002);
}

/* The prior density: uniform on the bounds, or a kernel density over a
 * previous posterior (sequential rounds). */
struct prior {
    int n;
    const struct free_parameter *f;
    struct population_of_particles previous;
    double sd[MIG_MAX_FREE];
};

static double prior_density(const struct prior *p, const double *theta)
{
    for (int d = 0; d < p->n; d++)
        if (theta[d] < p->f[d].lo || theta[d] > p->f[d].hi)
            return 0;
    if (!p->previous.count)
        return 1;
    double sum = 0;
    for (int j = 0; j < p->previous.count; j++) {
        double k = p->previous.weight[j];
        for (int d = 0; d < p->n; d++)
            k *= normal_pdf(theta[d] - p->previous.theta[j * p->n + d], p->sd[d]);
        sum += k;
    }
    return sum;
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

/* A draw from the prior (generation 0) or a perturbed particle. */
static void propose(const struct prior *p, const struct population_of_particles *last,
                    const double *sd, uint64_t seed, uint64_t counter, double *theta)
{
    struct mig_draw d = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, counter, 0);
    const struct population_of_particles *from = last ? last : &p->previous;
    const double *kernel = last ? sd : p->sd;
    if (!from->count) {
        for (int i = 0; i < p->n; i++) {
            struct mig_draw e = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, counter, (uint32_t)i + 1);
            theta[i] = p->f[i].lo + (p->f[i].hi - p->f[i].lo) * mig_rng_u01(e.w[0]);
        }
        return;
    }
    int j = pick(from->weight, from->count, mig_rng_u01(d.w[0]));
    for (int i = 0; i < p->n; i++) {
        struct mig_draw e = mig_rng_draw(seed, MIG_STREAM_CALIBRATE, counter, (uint32_t)i + 1);
        theta[i] =
            from->theta[j * p->n + i] + kernel[i] * gsl_cdf_ugaussian_Pinv(mig_rng_u01(e.w[1]));
    }
}

static void weighted_sd(const struct population_of_particles *pp, int n, double *sd, double factor)
{
    for (int d = 0; d < n; d++) {
        double total = 0, mean = 0, var = 0;
        for (int j = 0; j < pp->count; j++)
            total += pp->weight[j], mean += pp->weight[j] * pp->theta[j * n + d];
        mean /= total;
        for (int j = 0; j < pp->count; j++) {
            double dx = pp->theta[j * n + d] - mean;
            var += pp->weight[j] * dx * dx;
        }
        sd[d] = sqrt(fmax(factor * var / total, 1e-12));
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

static int abc_smc(struct evaluator *evaluators, int workers, const struct free_parameter *f, int n,
                   const struct calibrate_options *o, struct trace *trace, double *fitted,
                   struct population_of_particles *posterior, FILE *out)
{
    int N = o->particles, targets = evaluators[0].sim.figures.count, status = 0, used = 0;
    double weight_sum = 0;
    for (int k = 0; k < targets; k++)
        weight_sum += evaluators[0].sim.figures.items[k].weight;
    struct prior prior = {n, f, {0, NULL, NULL, NULL}, {0}};
    if (o->prior && (status = read_prior(o->prior, f, n, &prior)) < 0)
        return status;
    uint64_t seed = (uint64_t)evaluators[0].sim.scenario.seed;
    struct population_of_particles last = {0}, next = {0};
    double sd[MIG_MAX_FREE] = {0}, epsilon = INFINITY;
    /* Under MPI each rank evaluates every ranks-th proposal of a batch with
     * its threads, then every rank takes each result from its evaluator. */
    int ranks = mig_comm_size(), me = mig_comm_rank(), width = n + targets + 2;
    int batch_size = workers * ranks > 64 ? 64 : workers * ranks;
    double *batch = malloc((size_t)batch_size * (size_t)width * sizeof *batch);
    next.theta = malloc((size_t)N * (size_t)n * sizeof *next.theta);
    next.weight = malloc((size_t)N * sizeof *next.weight);
    next.distance = malloc((size_t)N * sizeof *next.distance);
    last.theta = malloc((size_t)N * (size_t)n * sizeof *last.theta);
    last.weight = malloc((size_t)N * sizeof *last.weight);
    last.distance = malloc((size_t)N * sizeof *last.distance);
    if (!batch || !next.theta || !next.weight || !next.distance || !last.theta || !last.weight ||
        !last.distance) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    uint64_t counter = 0;
    for (int g = 0; g < 256 && status == 0; g++) {
        next.count = 0;
        while (next.count < N && used < o->budget && status == 0) {
            int size = batch_size < o->budget - used ? batch_size : o->budget - used;
            int evaluated[64] = {0};
            int statuses[64] = {0};
            uint64_t base = counter;
            counter += (uint64_t)size;
            int mine = (size - me + ranks - 1) / ranks; /* proposals me, me + ranks, ... */
#pragma omp parallel for num_threads(mine > 0 ? mine : 1) schedule(static, 1)
            for (int k = 0; k < mine; k++) {
                int w = me + k * ranks;
                double *theta = batch + (size_t)w * (size_t)width;
                double *values = theta + n, *objective = values + targets;
                uint64_t id = ((uint64_t)g << 40) | (base + (uint64_t)w);
                propose(&prior, g ? &last : NULL, sd, seed, id, theta);
                if (prior_density(&prior, theta) <= 0)
                    continue; /* outside the bounds: rejected without a simulation */
                double run_seed =
                    (double)mig_rng_replicate_seed(seed, (uint32_t)(id % 4000000000u) + 1);
                statuses[w] = evaluate(&evaluators[k], f, n, theta, run_seed, o->replicates,
                                       objective, values);
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
            for (int w = 0; w < size && status == 0; w++) {
                if (statuses[w] < 0) {
                    status = statuses[w];
                    break;
                }
                if (!evaluated[w])
                    continue;
                used++;
                double *theta = batch + (size_t)w * (size_t)width;
                double distance = sqrt(theta[n + targets] / weight_sum);
                if (distance > epsilon || next.count == N)
                    continue;
                memcpy(next.theta + (size_t)next.count * (size_t)n, theta,
                       (size_t)n * sizeof *theta);
                next.distance[next.count] = distance;
                /* Importance weight: prior over the kernel mixture of last generation. */
                double denominator = 0;
                for (int j = 0; g && j < last.count; j++) {
                    double k = last.weight[j];
                    for (int d = 0; d < n; d++)
                        k *= normal_pdf(theta[d] - last.theta[j * n + d], sd[d]);
                    denominator += k;
                }
                next.weight[next.count] =
                    g ? prior_density(&prior, theta) / fmax(denominator, 1e-300) : 1.0;
                if ((status = trace_add(trace, theta, theta[n + targets], theta + n, g,
                                        next.weight[next.count])) < 0)
                    break;
                next.count++;
            }
        }
        if (next.count < N)
            break; /* budget spent: the last complete generation is the posterior */
        trace->epsilon[g] = epsilon;
        trace->generations = g + 1;
        struct population_of_particles swap = last;
        last = next;
        next = swap;
        epsilon = plain_quantile(last.distance, last.count, ABC_QUANTILE);
        weighted_sd(&last, n, sd, 2.0);
        fprintf(out,
                "abc-smc: generation %d accepted %d particles (%d simulations so far), next "
                "tolerance %.4g\n",
                g, N, used, epsilon);
    }
    if (status == 0 && last.count == 0)
        status = mig_fail(MIG_ERUNTIME,
                          "abc-smc: the budget of %d simulations did not complete "
                          "one generation of %d particles; raise --budget",
                          o->budget, N);
    if (status == 0) {
        double total = 0;
        for (int j = 0; j < last.count; j++)
            total += last.weight[j];
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
    free(next.theta);
    free(next.weight);
    free(next.distance);
    free(last.theta);
    free(last.weight);
    free(last.distance);
    free(prior.previous.theta);
    free(prior.previous.weight);
    free(prior.previous.distance);
    return status;
}

/* The posterior of an earlier ABC-SMC run: its last generation. */
static int read_prior(const char *path, const struct free_parameter *f, int n, struct prior *p)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, R_OK) != 0 || H5Fis_hdf5(path) <= 0)
        return mig_fail(MIG_EINPUT,
                        "%s: error: cannot read the prior; expected a calibration "
                        "trace (HDF5)",
                        path);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char names[4096] = "";
    hsize_t dims[2] = {0, 0};
    int status = 0;
    /* Shapes and lengths are checked before reading (hand-made files). */
    char *method = file >= 0 ? mig_h5_text_attribute(file, "method", 64, NULL) : NULL;
    char *stored =
        file >= 0 ? mig_h5_text_attribute(file, "parameter_names", sizeof names - 1, NULL) : NULL;
    int ok = method && stored && strcmp(method, "abc-smc") == 0 &&
             mig_h5_shape(file, "parameters", 2, dims) == 2 && dims[0] > 0 &&
             dims[0] < (1u << 24) && dims[1] > 0 && dims[1] < 4096;
    if (stored)
        snprintf(names, sizeof names, "%s", stored);
    free(method);
    if (!ok) {
        free(stored);
        status = mig_fail(MIG_EINPUT, "%s: error: not an ABC-SMC calibration trace", path);
        goto done;
    }
    int columns = (int)dims[1], rows = (int)dims[0], index[MIG_MAX_FREE];
    for (int d = 0; d < n; d++) {
        index[d] = -1;
        int column = 0;
        for (char *name = strtok(names, ","); name; name = strtok(NULL, ","), column++)
            if (strcmp(name, f[d].name) == 0)
                index[d] = column;
        if (index[d] < 0) {
            status =
                mig_fail(MIG_EINPUT, "%s: error: the prior has no parameter '%s'", path, f[d].name);
            goto done;
        }
        snprintf(names, sizeof names, "%s", stored);
    }
    free(stored);
    double *theta = malloc((size_t)rows * (size_t)columns * sizeof *theta);
    double *weight = malloc((size_t)rows * sizeof *weight);
    int *generation = malloc((size_t)rows * sizeof *generation);
    p->previous.theta = malloc((size_t)rows * (size_t)n * sizeof *p->previous.theta);
    p->previous.weight = malloc((size_t)rows * sizeof *p->previous.weight);
    if (!theta || !weight || !generation || !p->previous.theta || !p->previous.weight ||
        mig_h5_numbers(file, "parameters", H5T_NATIVE_DOUBLE, (size_t)rows * (size_t)columns,
                       theta) < 0 ||
        mig_h5_numbers(file, "weight", H5T_NATIVE_DOUBLE, (size_t)rows, weight) < 0 ||
        mig_h5_numbers(file, "generation", H5T_NATIVE_INT, (size_t)rows, generation) < 0) {
        status = mig_fail(MIG_EINPUT, "%s: error: cannot read the prior's particles", path);
    } else {
        int final = 0;
        for (int r = 0; r < rows; r++)
            final = generation[r] > final ? generation[r] : final;
        for (int r = 0; r < rows; r++) {
            if (generation[r] != final)
                continue;
            for (int d = 0; d < n; d++)
                p->previous.theta[p->previous.count * n + d] = theta[r * columns + index[d]];
            p->previous.weight[p->previous.count++] = weight[r];
        }
        /* Silverman's rule for the kernel of the prior's density. */
        weighted_sd(&p->previous, n, p->sd,
                    pow(4.0 / (n + 2.0), 2.0 / (n + 4.0)) *
                        pow((double)p->previous.count, -2.0 / (n + 4.0)));
    }
    free(theta);
    free(weight);
    free(generation);
done:
    if (file >= 0)
        H5Fclose(file);
    return status;
}

/* ---- results ------------------------------------------------------------ */

static double weighted_quantile(const struct population_of_particles *pp, int n, int d, double q)
{
    double total = 0;
    int order[4096], count = pp->count < 4096 ? pp->count : 4096;
    for (int j = 0; j < count; j++)
        order[j] = j, total += pp->weight[j];
    for (int a = 1; a < count; a++) /* insertion sort: populations are small */
        for (int b = a; b > 0 && pp->theta[order[b] * n + d] < pp->theta[order[b - 1] * n + d];
             b--) {
            int swap = order[b];
            order[b] = order[b - 1];
            order[b - 1] = swap;
        }
    double running = 0;
    for (int j = 0; j < count; j++) {
        running += pp->weight[order[j]];
        if (running >= q * total)
            return pp->theta[order[j] * n + d];
    }
    return pp->theta[order[count - 1] * n + d];
}

static void print_posterior(FILE *out, const struct population_of_particles *pp,
                            const struct free_parameter *f, int n, const double *mean)
{
    fprintf(out, "\nposterior (%d particles)\n%-40s %12s %12s %12s\n", pp->count, "parameter",
            "mean", "5%", "95%");
    for (int d = 0; d < n; d++)
        fprintf(out, "%-40s %12.5g %12.5g %12.5g\n", f[d].name, mean[d],
                weighted_quantile(pp, n, d, 0.05), weighted_quantile(pp, n, d, 0.95));
    fprintf(out, "correlations\n");
    double total = 0, sd[MIG_MAX_FREE];
    for (int j = 0; j < pp->count; j++)
        total += pp->weight[j];
    weighted_sd(pp, n, sd, 1.0);
    for (int a = 0; a < n; a++) {
        fprintf(out, "%-40s", f[a].name);
        for (int b = 0; b < n; b++) {
            double cov = 0;
            for (int j = 0; j < pp->count; j++)
                cov += pp->weight[j] / total * (pp->theta[j * n + a] - mean[a]) *
                       (pp->theta[j * n + b] - mean[b]);
            fprintf(out, " %6.2f", cov / (sd[a] * sd[b]));
        }
        fputc('\n', out);
    }
}

/* `target` relative to the folder of `from` (both made canonical). */
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
        if (f[i].code[0])
            fprintf(out, "%s%s: {%s: %.6g}\n", top ? "" : "  ", leaf, f[i].code, fitted[i]);
        else
            fprintf(out, "%s%s: %.6g\n", top ? "" : "  ", leaf, fitted[i]);
    }
    int failed = ferror(out);
    if (fclose(out) != 0 || failed || rename(temp, path) < 0) {
        remove(temp);
        return mig_fail(MIG_EIO, "%s: error: cannot write the calibrated scenario", path);
    }
    return 0;
}

static int check_free(const struct free_parameter *f, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(f[i].name, f[j].name) == 0)
                return mig_fail(MIG_EINPUT, "error: --free %s is given twice", f[i].name);
    /* Two by-origin entries of one parameter share a YAML key when written. */
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
    for (int i = 0; i < n; i++)
        if ((status = parse_free(o->free[i], &f[i])) < 0)
            return status;
    if ((status = check_free(f, n)) < 0)
        return status;
    int workers = abc ? omp_get_max_threads() : 1;
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
    }
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
        print_posterior(out, &posterior, f, n, fitted);
    char yaml[4096], h5[4096];
    snprintf(yaml, sizeof yaml, "%s.yaml", o->output);
    snprintf(h5, sizeof h5, "%s.h5", o->output);
    if ((status = write_outputs(yaml, h5, &trace, f, n, o, &e[0], fitted)) < 0)
        goto done;
    /* The fit: the calibrated scenario at its own scale. */
    struct evaluator check = {0};
    if ((status = evaluator_open(&check, o, 0)) == 0) {
        double objective, values[1024];
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
