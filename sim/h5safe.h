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

/* A scalar (one element) string attribute, fixed or variable length, of at
 * most max_bytes, as a new NUL-terminated string; NULL when absent or of
 * another type or shape. `invalid` (may be NULL) is set when the text is
 * not valid UTF-8. */
char *mig_h5_text_attribute(hid_t obj, const char *name, size_t max_bytes, int *invalid);

/* A scalar numeric attribute as mem_type: 0, or -1 absent or another
 * type or shape. */
int mig_h5_number_attribute(hid_t obj, const char *name, hid_t mem_type, void *out);

/* Runs load(arg) first in a child process (not under MPI): when the child
 * crashes or hangs, the file is reported as damaged (MIG_EINPUT naming
 * `path` and `what`); when it fails cleanly, its message is returned; when
 * it succeeds, load(arg) runs here. */
int mig_h5_guarded(int (*load)(void *arg), void *arg, const char *path, const char *what);

#endif
