/* libmigsim's public interface: what a program (or Python through ctypes)
 * needs to run a scenario, and to turn runs into reports and spreadsheets.
 * This is the one header `cmake --install` puts under include/migsim/; the
 * modules' own headers stay private to the build.
 *
 * Every function returns 0 or a negative status (-1 runtime failure, -2 bad
 * input, -3 out of memory, -4 input/output); mig_strerror() then gives the
 * message, such as `scenarios/x.yaml:3:16: error: ...`. Results are the same
 * for any thread count, as with the command line. */
#ifndef MIGSIM_MIGSIM_H
#define MIGSIM_MIGSIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, such as "0.1.0". */
const char *mig_version(void);

/* The message of the last failure on this thread. */
const char *mig_strerror(void);

/* The command line's exit code for a status: 0, 1 or 2. */
int mig_exit_code(int status);

/* Runs a scenario as `migsim run` does. sets[i] are "group.param=value"
 * overrides of numeric parameters (may be NULL); seed < 0 and scale <= 0
 * keep the scenario's; threads <= 0 keeps OpenMP's default; replicates >= 1.
 * With `output` set, writes that HDF5 file (atomically); otherwise, with
 * `image` set, returns the same file as *size bytes in memory (free it with
 * mig_free()). `command_line` is recorded in the provenance (may be NULL). */
int mig_run(const char *scenario, const char *const *sets, int set_count, double seed, double scale,
            int threads, int replicates, const char *output, const char *command_line, void **image,
            size_t *size);

/* Frees what the library returned. */
void mig_free(void *p);

/* Writes the HTML report of `run`; compare[0..count) are alternatives
 * shown against it (up to six; may be NULL); calibration may be NULL. */
int mig_report(const char *run, const char *const *compare, int compare_count,
               const char *calibration, const char *output);

/* Writes a run's tables as a workbook (format "xlsx") or a folder of CSV
 * files ("csv"; NULL: xlsx when output ends in .xlsx); with `base`, adds
 * the differences run minus base. */
int mig_export(const char *run, const char *output, const char *format, const char *base);

#ifdef __cplusplus
}
#endif

#endif
