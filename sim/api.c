/* The public interface of libmigsim (include/migsim/migsim.h): thin
 * wrappers over the simulation, report and export modules, with plain
 * arguments so that C programs and Python's ctypes call them alike. */
#include "migsim/migsim.h"
#include "migsim/error.h"
#include "migsim/export.h"
#include "migsim/report.h"
#include "migsim/simulation.h"

#include <omp.h>
#include <stdlib.h>

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif

const char *mig_version(void)
{
    return MIGSIM_VERSION;
}

void mig_free(void *p)
{
    free(p);
}

int mig_run(const char *scenario, const char *const *sets, int set_count, double seed, double scale,
            int threads, int replicates, const char *output, const char *command_line, void **image,
            size_t *size)
{
    if (!scenario || (!output && (!image || !size)))
        return mig_fail(MIG_EINPUT, "error: mig_run needs a scenario and an output or an image");
    if (replicates < 1)
        return mig_fail(MIG_EINPUT, "error: replicates must be at least 1, found %d", replicates);
    int threads_before = omp_get_max_threads(); /* a caller's setting lasts one run */
    if (threads > 0)
        omp_set_num_threads(threads);
    struct overrides o = {.seed = seed, .scale = scale};
    struct simulation sim;
    int outside = 0;
    int status = mig_simulation_load_set(&sim, scenario, &o, sets, set_count);
    if (status == 0)
        status = mig_simulation_run(&sim, replicates, NULL, NULL);
    if (status == 0)
        status = mig_simulation_figures(&sim, &outside);
    if (status == 0)
        status = output ? mig_simulation_write(&sim, output, command_line ? command_line : "")
                        : mig_simulation_image(&sim, command_line ? command_line : "", image, size);
    mig_simulation_free(&sim);
    omp_set_num_threads(threads_before);
    return status;
}

int mig_report(const char *run, const char *const *compare, int compare_count,
               const char *calibration, const char *output)
{
    struct report_options o = {.run = run, .calibration = calibration, .output = output};
    if (compare_count > MIG_REPORT_MAX_COMPARE)
        return mig_fail(MIG_EINPUT, "error: at most %d runs to compare, found %d",
                        MIG_REPORT_MAX_COMPARE, compare_count);
    for (int i = 0; i < compare_count; i++)
        o.compare[i] = compare[i];
    o.compare_count = compare_count;
    return mig_report_write(&o);
}

int mig_export(const char *run, const char *output, const char *format, const char *base)
{
    struct export_options o = {
        .run = run, .output = output, .format = format, .base = base, .command_line = ""};
    return mig_export_write(&o);
}
