/* Output files: temporary names, removal of the debris of killed runs, and
 * the checks made before a command starts work: an output never replaces
 * one of the command's inputs (compared by device and inode, so symlinks
 * and other spellings of a path are seen through), is a regular file or a
 * new name, and its folder is writable. A stop requested by SIGINT or
 * SIGTERM is recorded here for the engine and the writers to honour. */
#ifndef MIGSIM_FILES_H
#define MIGSIM_FILES_H

#include <stddef.h>

/* PATH.tmp-HOST-PID: unique to this process, recognisable as debris. */
int mig_files_temp_name(const char *path, char *out, size_t size);

/* Removes PATH.tmp-HOST-PID files (and the older PATH.tmp-PID form) left
 * by processes of this host that no longer exist. */
void mig_files_remove_stale(const char *path);

/* Checks that `output` can be written and is none of the `count` inputs
 * (files that need not exist are skipped; a NULL entry is ignored).
 * `option` names the option in messages ("-o"). MIG_EINPUT otherwise. */
int mig_files_check_output(const char *output, const char *option, const char *const *inputs,
                           int count);

/* 1 when two paths name the same existing file. */
int mig_files_same(const char *a, const char *b);

/* A writer's temporary file: removes the debris of killed writers of the
 * same path, names the temporary file and registers it, so that a signal
 * that ends the process removes it. mig_files_temp_end() unregisters it
 * (after the rename, or after removing it). */
int mig_files_temp_begin(const char *path, char *temp, size_t size);
void mig_files_temp_end(const char *temp);

/* Signals. With `cooperative`, SIGINT and SIGTERM only record the request
 * (mig_files_stop_signal() gives the signal, 0 for none) and the engine
 * stops at the next step with MIG_ESTOPPED; a second signal, or any signal
 * without `cooperative`, removes the registered temporary files and ends
 * the process the default way. */
void mig_files_catch_signals(int cooperative);
int mig_files_stop_signal(void);

#endif
