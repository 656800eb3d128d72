/* Output files: temporary names, debris of killed runs, checks before work
 * starts, and the stop requested by a signal (see files.h). */
#include "migsim/files.h"
#include "migsim/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void host_name(char *out, size_t size)
{
    if (gethostname(out, size) != 0 || !out[0])
        snprintf(out, size, "localhost");
    out[size - 1] = '\0';
    for (char *c = out; *c; c++) /* keep the name one path component */
        if (*c == '/' || *c == '-')
            *c = '_';
}

int mig_files_temp_name(const char *path, char *out, size_t size)
{
    char host[64];
    host_name(host, sizeof host);
    if (snprintf(out, size, "%s.tmp-%s-%ld", path, host, (long)getpid()) >= (int)size)
        return mig_fail(MIG_EINPUT, "%s: error: the path is too long", path);
    return 0;
}

/* Whether `rest` (after "NAME.tmp-") names a process of this host that is
 * gone: "HOST-PID" or the older "PID". */
static int debris(const char *rest, const char *host)
{
    const char *dash = strrchr(rest, '-'), *digits = dash ? dash + 1 : rest;
    if (dash && (strncmp(rest, host, (size_t)(dash - rest)) != 0 || host[dash - rest] != '\0'))
        return 0; /* another host's: it may still be writing */
    char *end = NULL;
    long pid = strtol(digits, &end, 10);
    if (!digits[0] || *end || pid <= 0 || pid == (long)getpid())
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void mig_files_remove_stale(const char *path)
{
    char folder_copy[4096], name_copy[4096], host[64];
    snprintf(folder_copy, sizeof folder_copy, "%s", path);
    snprintf(name_copy, sizeof name_copy, "%s", path);
    const char *folder = dirname(folder_copy), *name = basename(name_copy);
    host_name(host, sizeof host);
    char prefix[4200];
    int n = snprintf(prefix, sizeof prefix, "%s.tmp-", name);
    DIR *dir = opendir(folder);
    if (!dir || n <= 0 || n >= (int)sizeof prefix) {
        if (dir)
            closedir(dir);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strncmp(entry->d_name, prefix, (size_t)n) != 0 || !debris(entry->d_name + n, host))
            continue;
        char full[8400];
        snprintf(full, sizeof full, "%s/%s", folder, entry->d_name);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
            unlink(full); /* best effort: debris that stays is only debris */
    }
    closedir(dir);
}

int mig_files_same(const char *a, const char *b)
{
    struct stat x, y;
    return a && b && stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
           x.st_ino == y.st_ino;
}

int mig_files_check_output(const char *output, const char *option, const char *const *inputs,
                           int count)
{
    if (!output[0])
        return mig_fail(MIG_EINPUT, "error: %s expects a file name, found an empty value", option);
    struct stat st;
    if (stat(output, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return mig_fail(MIG_EINPUT, "%s: error: %s names a folder; expected a file name",
                            output, option);
        if (!S_ISREG(st.st_mode))
            return mig_fail(MIG_EINPUT,
                            "%s: error: %s names something that is not a regular file (a "
                            "device, pipe or socket); expected a file name",
                            output, option);
        for (int i = 0; i < count; i++)
            if (inputs[i] && mig_files_same(output, inputs[i]))
                return mig_fail(MIG_EINPUT,
                                "%s: error: %s would overwrite the input %s; expected "
                                "another file name",
                                output, option, inputs[i]);
    } else if (errno != ENOENT) {
        return mig_fail(MIG_EINPUT, "%s: error: cannot use %s: %s", output, option,
                        strerror(errno));
    } else {
        /* A dangling symlink would make rename replace the link, not
         * create its target: refuse what cannot be meant. */
        struct stat link;
        if (lstat(output, &link) == 0 && S_ISLNK(link.st_mode))
            return mig_fail(MIG_EINPUT, "%s: error: %s is a symbolic link to nothing", output,
                            option);
    }
    /* The folder must take a new file: try it, as root passes access(). */
    char probe[4200];
    int status = mig_files_temp_name(output, probe, sizeof probe);
    if (status < 0)
        return status;
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", output);
        return mig_fail(MIG_EINPUT, "%s: error: cannot write to folder %s: %s", output,
                        dirname(copy), strerror(errno));
    }
    close(fd);
    unlink(probe);
    return 0;
}

/* Registered temporary files, removed by the signal handler (unlink is
 * async-signal-safe); a slot is filled before it is counted. */
#define MAX_TEMPS 16 /* an export to CSV holds one per table until all are renamed */
static char temps[MAX_TEMPS][4200];
static volatile sig_atomic_t temp_used[MAX_TEMPS];
static volatile sig_atomic_t stop_signal = 0, cooperative_stop = 0;

int mig_files_temp_begin(const char *path, char *temp, size_t size)
{
    mig_files_remove_stale(path);
    int status = mig_files_temp_name(path, temp, size);
    if (status < 0)
        return status;
    for (int i = 0; i < MAX_TEMPS; i++)
        if (!temp_used[i]) {
            snprintf(temps[i], sizeof temps[i], "%s", temp);
            temp_used[i] = 1;
            break;
        }
    return 0;
}

void mig_files_temp_end(const char *temp)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temp_used[i] && strcmp(temps[i], temp) == 0)
            temp_used[i] = 0;
}

static void on_signal(int sig)
{
    if (cooperative_stop && !stop_signal) {
        stop_signal = sig;
        return;
    }
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temp_used[i])
            unlink(temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void mig_files_catch_signals(int cooperative)
{
    cooperative_stop = cooperative;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int mig_files_stop_signal(void)
{
    return stop_signal;
}
