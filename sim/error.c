/* The last error message. Each thread keeps its own, so that parallel work
 * never mixes two messages; the most recent message of any thread is also
 * kept, so that an error raised on a worker thread (an OpenMP evaluation
 * during calibration) reaches the thread that reports it. */
#include "migsim/error.h"
#include "migsim/files.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_message[1024];
static _Thread_local unsigned long last_serial; /* of this thread's message */
static char latest_message[1024];
static unsigned long latest_serial;
static pthread_mutex_t latest_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long own_serial; /* of the message marked as this rank's own */

int mig_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&latest_lock);
    last_serial = ++latest_serial;
    snprintf(latest_message, sizeof latest_message, "%s", last_message);
    pthread_mutex_unlock(&latest_lock);
    return code;
}

const char *mig_strerror(void)
{
    pthread_mutex_lock(&latest_lock);
    if (latest_serial > last_serial) { /* another thread failed since */
        snprintf(last_message, sizeof last_message, "%s", latest_message);
        last_serial = latest_serial;
    }
    pthread_mutex_unlock(&latest_lock);
    return last_message[0] ? last_message : "unknown error";
}

void mig_error_mark_own(void)
{
    pthread_mutex_lock(&latest_lock);
    own_serial = latest_serial;
    pthread_mutex_unlock(&latest_lock);
}

int mig_error_is_own(void)
{
    pthread_mutex_lock(&latest_lock);
    int own = own_serial != 0 && own_serial == latest_serial;
    pthread_mutex_unlock(&latest_lock);
    return own;
}

int mig_exit_code(int status)
{
    if (status == MIG_OK)
        return 0;
    if (status == MIG_ESTOPPED) /* the shell's convention: 128 + the signal */
        return 128 + (mig_files_stop_signal() ? mig_files_stop_signal() : SIGTERM);
    return status == MIG_EINPUT ? 2 : 1;
}
