/* Checked reads of HDF5 files migsim did not necessarily write: the rank,
 * dimensions, type class and size of every dataset and attribute are
 * verified before anything is read into a buffer, and whole loads can run
 * first in a child process so that a crash inside the HDF5 library on
 * corrupt metadata becomes an error message (private to the library). */
#ifndef MIGSIM_H5SAFE_H
#define MIGSIM_H5SAFE_H

#include <hdf5.h>
#include <stddef.h>

/* The rank (at most max_rank) and dimensions of a dataset; -1 when it is
 * missing, not a simple dataspace or of a higher rank. */
int mig_h5_shape(hid_t loc, const char *name, int max_rank, hsize_t *dims);

/* Reads a numeric dataset of exactly `count` elements as mem_type: 0, or
 * -1 missing, -2 not numbers, -3 another number of elements, -4 unreadable. */
int mig_h5_numbers(hid_t loc, const char *name, hid_t mem_type, size_t count, void *out);

/* Text labels: a rank-1 dataset of exactly `count` strings (fixed or
 * variable length, fixed ones of at most 64 KiB and 256 MiB in all) into `count` buffers of
 * `width` bytes each (longer labels are cut); each must be UTF-8. 0, or -1
 * missing, -3 another length or rank, -4 unreadable, -5 not text, -6 a
 * label that is not UTF-8. */
int mig_h5_labels(hid_t loc, const char *name, size_t count, char *out, size_t width);

/* What a negative status of mig_h5_numbers() or mig_h5_labels() found in
 * dataset `name` (which should have held `count` values), as the middle of
 * a message: "no variable 'x'", "'x' does not hold numbers", ... */
void mig_h5_explain(int status, const char *name, size_t count, char *out, size_t size);

/* A scalar (one element) string attribute, fixed or variable length, of at
 * most max_bytes, as a new NUL-terminated string; NULL when absent or of
 * another type or shape. `invalid` (may be NULL) is set when the text is
 * not valid UTF-8. */
char *mig_h5_text_attribute(hid_t obj, const char *name, size_t max_bytes, int *invalid);

/* A scalar numeric attribute as mem_type: 0, or -1 absent or another
 * type or shape. */
int mig_h5_number_attribute(hid_t obj, const char *name, hid_t mem_type, void *out);

/* The same checks, for a reader that refuses a file with one message,
 * "PATH: error: WHAT; expected EXPECTED" (MIG_EINPUT), naming what is
 * wrong: the run reader and the readers of calibration and sensitivity
 * traces share them. */
struct mig_h5_source {
    hid_t file;
    const char *path;
    const char *expected; /* "a migsim output file", "a calibration trace", ... */
};

int mig_h5_refuse(const struct mig_h5_source *s, const char *what);

/* Opens `path` read-only into *file with HDF5's own error printing off,
 * or refuses it: "PATH: error: not an HDF5 file; expected EXPECTED", or
 * "cannot open the HDF5 file" (MIG_EINPUT). */
int mig_h5_open(const char *path, const char *expected, hid_t *file);

/* Closes an attribute's handles, each only if it was opened. */
void mig_h5_close_attribute(hid_t attr, hid_t type, hid_t space);

/* A dataset of exactly `rank` dimensions, each of a length from `min` to
 * `max`, into dims. */
int mig_h5_require_shape(const struct mig_h5_source *s, const char *name, int rank, hsize_t min,
                         hsize_t max, hsize_t *dims);

/* Exactly `count` numbers (mig_h5_numbers), explained when not. */
int mig_h5_require_numbers(const struct mig_h5_source *s, const char *name, hid_t mem_type,
                           size_t count, void *out);

/* Exactly `count` finite doubles. */
int mig_h5_require_finite(const struct mig_h5_source *s, const char *name, size_t count,
                          double *out);

/* A text attribute of the root: one UTF-8 string of at most max_bytes, as
 * a new string; with `optional`, an absent attribute gives an empty one. */
int mig_h5_require_text(const struct mig_h5_source *s, const char *name, size_t max_bytes,
                        int optional, char **out);

/* Runs load(arg) first in a child process (not under MPI): when the child
 * crashes or hangs, the file is reported as damaged (MIG_EINPUT naming
 * `path` and `what`); when it fails cleanly, its message is returned; when
 * it succeeds, load(arg) runs here. */
int mig_h5_guarded(int (*load)(void *arg), void *arg, const char *path, const char *what);

#endif
