/* Checked reads of HDF5 files (see h5safe.h). */
#include "h5safe.h"
#include "migsim/comm.h"
#include "migsim/error.h"
#include "migsim/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int mig_h5_shape(hid_t loc, const char *name, int max_rank, hsize_t *dims)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT), space = ds >= 0 ? H5Dget_space(ds) : -1;
    int rank = -1;
    if (space >= 0 && H5Sget_simple_extent_type(space) == H5S_SIMPLE) {
        rank = H5Sget_simple_extent_ndims(space);
        if (rank < 0 || rank > max_rank || H5Sget_simple_extent_dims(space, NULL, NULL) < 0)
            rank = -1;
        else {
            hsize_t all[H5S_MAX_RANK];
            H5Sget_simple_extent_dims(space, all, NULL);
            for (int i = 0; i < rank; i++)
                dims[i] = all[i];
        }
    } else if (space >= 0 && H5Sget_simple_extent_type(space) == H5S_SCALAR && max_rank >= 0) {
        rank = 0;
    }
    if (space >= 0)
        H5Sclose(space);
    if (ds >= 0)
        H5Dclose(ds);
    return rank;
}

static int numeric_class(hid_t type)
{
    H5T_class_t c = H5Tget_class(type);
    return c == H5T_FLOAT || c == H5T_INTEGER;
}

int mig_h5_numbers(hid_t loc, const char *name, hid_t mem_type, size_t count, void *out)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0)
        return -4;
    hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
    int status = 0;
    if (type < 0 || space < 0)
        status = -4;
    else if (!numeric_class(type))
        status = -2;
    else if (H5Sget_simple_extent_npoints(space) != (hssize_t)count)
        status = -3;
    else if (count && H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        status = -4;
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    return status;
}

int mig_h5_labels(hid_t loc, const char *name, size_t count, char *out, size_t width)
{
    hsize_t dims[1];
    int rank = mig_h5_shape(loc, name, 1, dims);
    if (rank < 0 && H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    if (rank != 1 || dims[0] != (hsize_t)count)
        return -3;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT), stored = ds >= 0 ? H5Dget_type(ds) : -1;
    hid_t type = -1;
    herr_t ok = -1;
    int variable =
        stored >= 0 && H5Tget_class(stored) == H5T_STRING ? H5Tis_variable_str(stored) > 0 : -1;
    size_t fixed = variable == 0 ? H5Tget_size(stored) : 0;
    char **text = NULL, *block = NULL;
    /* Variable-length strings are read as UTF-8 whatever the file says (the
     * bytes are checked below); fixed ones one byte wider, NUL-terminated,
     * so that a label filling its width still ends. */
    if (variable == 1) {
        text = calloc(count + 1, sizeof *text);
        type = H5Tcopy(H5T_C_S1);
        if (text && type >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 &&
            H5Tset_cset(type, H5T_CSET_UTF8) >= 0)
            ok = count ? H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) : 0;
    } else if (variable == 0 && fixed > 0 && fixed <= 65536 &&
               (double)count * (double)(fixed + 1) <= (double)(256u << 20)) {
        /* (a file can declare huge labels without storing them: the read
         * would fill the buffer with the fill value, so its size is bounded) */
        block = calloc(count + 1, fixed + 1);
        type = H5Tcopy(stored);
        if (block && type >= 0 && H5Tset_size(type, fixed + 1) >= 0 &&
            H5Tset_strpad(type, H5T_STR_NULLTERM) >= 0)
            ok = count ? H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, block) : 0;
    }
    int invalid = 0;
    if (ok >= 0)
        for (size_t i = 0; i < count; i++) {
            const char *label = text ? (text[i] ? text[i] : "") : block + i * (fixed + 1);
            invalid |= !mig_text_is_utf8(label);
            snprintf(out + i * width, width, "%s", label);
        }
    if (text && ok >= 0)
        for (size_t i = 0; i < count; i++)
            H5free_memory(text[i]);
    free(text);
    free(block);
    if (ds >= 0)
        H5Dclose(ds);
    if (stored >= 0)
        H5Tclose(stored);
    if (type >= 0)
        H5Tclose(type);
    return variable < 0 ? -5 : ok < 0 ? -4 : invalid ? -6 : 0;
}

void mig_h5_explain(int status, const char *name, size_t count, char *out, size_t size)
{
    switch (status) {
    case -1:
        snprintf(out, size, "no variable '%s'", name);
        break;
    case -2:
        snprintf(out, size, "'%s' does not hold numbers", name);
        break;
    case -3:
        snprintf(out, size, "'%s' does not have %zu values as the file's dimensions say", name,
                 count);
        break;
    case -5:
        snprintf(out, size, "'%s' does not hold text labels", name);
        break;
    case -6:
        snprintf(out, size, "a label in '%s' is not UTF-8 text", name);
        break;
    default:
        snprintf(out, size, "cannot read '%s'", name);
        break;
    }
}

void mig_h5_close_attribute(hid_t attr, hid_t type, hid_t space)
{
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
}

char *mig_h5_text_attribute(hid_t obj, const char *name, size_t max_bytes, int *invalid)
{
    if (invalid)
        *invalid = 0;
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1, space = attr >= 0 ? H5Aget_space(attr) : -1;
    char *text = NULL;
    if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_STRING &&
        H5Sget_simple_extent_npoints(space) == 1) {
        if (H5Tis_variable_str(type) > 0) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            char *value = NULL;
            if (mem >= 0 && H5Tset_size(mem, H5T_VARIABLE) >= 0 &&
                H5Tset_cset(mem, H5Tget_cset(type)) >= 0 && H5Aread(attr, mem, &value) >= 0 &&
                value) {
                size_t n = strnlen(value, max_bytes + 1);
                if (n <= max_bytes && (text = malloc(n + 1)) != NULL)
                    memcpy(text, value, n), text[n] = '\0';
                H5free_memory(value);
            }
            if (mem >= 0)
                H5Tclose(mem);
        } else {
            size_t n = H5Tget_size(type);
            if (n > 0 && n <= max_bytes && (text = calloc(n + 1, 1)) != NULL &&
                H5Aread(attr, type, text) < 0) {
                free(text);
                text = NULL;
            }
        }
    }
    if (text && invalid && !mig_text_is_utf8(text))
        *invalid = 1;
    mig_h5_close_attribute(attr, type, space);
    return text;
}

int mig_h5_number_attribute(hid_t obj, const char *name, hid_t mem_type, void *out)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1, space = attr >= 0 ? H5Aget_space(attr) : -1;
    int status = -1;
    if (type >= 0 && space >= 0 && numeric_class(type) &&
        H5Sget_simple_extent_npoints(space) == 1 && H5Aread(attr, mem_type, out) >= 0)
        status = 0;
    mig_h5_close_attribute(attr, type, space);
    return status;
}

int mig_h5_refuse(const struct mig_h5_source *s, const char *what)
{
    return mig_fail(MIG_EINPUT, "%s: error: %s; expected %s", s->path, what, s->expected);
}

int mig_h5_open(const char *path, const char *expected, hid_t *file)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *file = H5I_INVALID_HID;
    if (access(path, R_OK) != 0 || H5Fis_hdf5(path) <= 0)
        return mig_fail(MIG_EINPUT, "%s: error: not an HDF5 file; expected %s", path, expected);
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return mig_fail(MIG_EINPUT, "%s: error: cannot open the HDF5 file; expected %s", path,
                        expected);
    return 0;
}

int mig_h5_require_shape(const struct mig_h5_source *s, const char *name, int rank, hsize_t min,
                         hsize_t max, hsize_t *dims)
{
    char what[300];
    /* Any rank up to 8 is read into a local array (dims holds `rank`), so
     * that the message can say how many dimensions the file has. */
    hsize_t all[8];
    int got = mig_h5_shape(s->file, name, 8, all);
    for (int d = 0; d < got && got == rank; d++)
        dims[d] = all[d];
    if (got == -1 && H5Lexists(s->file, name, H5P_DEFAULT) <= 0) {
        snprintf(what, sizeof what, "no variable '%s'", name);
        return mig_h5_refuse(s, what);
    }
    if (got != rank) {
        snprintf(what, sizeof what, "'%s' has %d dimensions, expected %d", name, got, rank);
        return mig_h5_refuse(s, what);
    }
    for (int d = 0; d < rank; d++)
        if (dims[d] < min || dims[d] > max) {
            snprintf(what, sizeof what, "'%s' has a dimension of length %llu", name,
                     (unsigned long long)dims[d]);
            return mig_h5_refuse(s, what);
        }
    return 0;
}

int mig_h5_require_numbers(const struct mig_h5_source *s, const char *name, hid_t mem_type,
                           size_t count, void *out)
{
    int got = mig_h5_numbers(s->file, name, mem_type, count, out);
    if (got == 0)
        return 0;
    char what[300];
    mig_h5_explain(got, name, count, what, sizeof what);
    return mig_h5_refuse(s, what);
}

int mig_h5_require_finite(const struct mig_h5_source *s, const char *name, size_t count,
                          double *out)
{
    int status = mig_h5_require_numbers(s, name, H5T_NATIVE_DOUBLE, count, out);
    for (size_t i = 0; status == 0 && i < count; i++)
        if (!isfinite(out[i])) {
            char what[300];
            snprintf(what, sizeof what, "'%s' holds %g at index %zu, expected finite numbers", name,
                     out[i], i);
            return mig_h5_refuse(s, what);
        }
    return status;
}

int mig_h5_require_text(const struct mig_h5_source *s, const char *name, size_t max_bytes,
                        int optional, char **out)
{
    char what[300];
    *out = NULL;
    if (H5Aexists(s->file, name) <= 0) {
        if (optional && (*out = calloc(1, 1)) != NULL)
            return 0;
        if (optional)
            return mig_fail(MIG_ENOMEM, "out of memory");
        snprintf(what, sizeof what, "no attribute '%s'", name);
        return mig_h5_refuse(s, what);
    }
    int invalid = 0;
    char *text = mig_h5_text_attribute(s->file, name, max_bytes, &invalid);
    if (!text || invalid) {
        free(text);
        if (invalid)
            snprintf(what, sizeof what, "the attribute '%s' is not UTF-8 text", name);
        else
            snprintf(what, sizeof what, "the attribute '%s' is not one text of at most %zu bytes",
                     name, max_bytes);
        return mig_h5_refuse(s, what);
    }
    *out = text;
    return 0;
}

/* How long a child may take to read a file before it is taken as hung. */
#define GUARD_SECONDS 600

int mig_h5_guarded(int (*load)(void *arg), void *arg, const char *path, const char *what)
{
    int pipe_fd[2];
    if (mig_comm_size() > 1 || pipe(pipe_fd) != 0)
        return load(arg); /* fork is not safe under MPI: read directly */
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(pipe_fd[0]);
        close(pipe_fd[1]);
        return load(arg);
    }
    if (child == 0) {
        close(pipe_fd[0]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) /* a crash report from a sanitizer is not for the user */
            dup2(null, STDERR_FILENO);
        alarm(GUARD_SECONDS);
        int status = load(arg);
        if (status < 0) {
            const char *message = mig_strerror();
            ssize_t ignored = write(pipe_fd[1], message, strlen(message));
            (void)ignored;
        }
        _exit(status == 0 ? 0 : 10 - status); /* 11..15: a clean failure */
    }
    close(pipe_fd[1]);
    char message[1024];
    size_t used = 0;
    ssize_t got;
    while (used + 1 < sizeof message &&
           ((got = read(pipe_fd[0], message + used, sizeof message - 1 - used)) > 0 ||
            (got < 0 && errno == EINTR)))
        if (got > 0)
            used += (size_t)got;
    message[used] = '\0';
    close(pipe_fd[0]);
    int wstatus = 0;
    while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return load(arg);
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) >= 11 && WEXITSTATUS(wstatus) <= 15 && used)
        return mig_fail(10 - WEXITSTATUS(wstatus), "%s", message);
    return mig_fail(MIG_EINPUT,
                    "%s: error: the file is damaged: reading %s %s inside the HDF5 library; "
                    "expected an intact migsim file",
                    path, what,
                    WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGALRM ? "did not finish"
                                                                         : "crashed");
}
