/* The last error message, one per thread so that parallel work never mixes
 * two messages. */
#include "migsim/error.h"
#include "migsim/files.h"

#include <signal.h>

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_message[1024];

int mig_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return code;
}

const char *mig_strerror(void)
{
    return last_message[0] ? last_message : "unknown error";
}

int mig_exit_code(int status)
{
    if (status == MIG_OK)
        return 0;
    if (status == MIG_ESTOPPED) /* the shell's convention: 128 + the signal */
        return 128 + (mig_files_stop_signal() ? mig_files_stop_signal() : SIGTERM);
    return status == MIG_EINPUT ? 2 : 1;
}
