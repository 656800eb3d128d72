/* Error codes and the last error message. Library functions return 0 or one
 * of these negative codes; the message says what went wrong, and where. */
#ifndef MIGSIM_ERROR_H
#define MIGSIM_ERROR_H

enum mig_status {
    MIG_OK = 0,
    MIG_ERUNTIME = -1, /* a failure while running: exit 1 */
    MIG_EINPUT = -2,   /* the user's input is wrong: exit 2 */
    MIG_ENOMEM = -3,   /* out of memory: exit 1 */
    MIG_EIO = -4,      /* a file could not be read or written: exit 1 */
    MIG_ESTOPPED = -5, /* stopped by SIGINT or SIGTERM: exit 130 or 143 */
    MIG_EDIFFERS = -6, /* a run's workers left its kept record: made anew, never shown */
};

/* Records a message (printf-style) and returns code, so that callers write
 * `return mig_fail(MIG_EINPUT, "%s:%d:%d: error: ...", ...)`. */
int mig_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message recorded by the last mig_fail() on this thread. */
const char *mig_strerror(void);

/* Under MPI, every rank usually meets the same error and rank 0 alone
 * reports it. A rank that failed where rank 0 did not marks its message
 * as its own, to be reported by itself. A later message clears the mark. */
void mig_error_mark_own(void);
int mig_error_is_own(void);

/* The process exit code for a status: 0, 1 or 2. */
int mig_exit_code(int status);

#endif
