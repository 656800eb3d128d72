/* Error messages: one raised on a worker thread reaches the thread that
 * reports it (it used to read "unknown error"); exit codes. */
#include "helpers.h"
#include "migsim/error.h"

#include <omp.h>

static void message_from_a_worker_thread(void **state)
{
    (void)state;
    int status = 0;
#pragma omp parallel num_threads(4)
    {
        if (omp_get_thread_num() == omp_get_num_threads() - 1) {
#pragma omp critical
            status = mig_fail(MIG_EINPUT, "t.yaml:3:4: error: raised on a worker");
        }
    }
    assert_int_equal(status, MIG_EINPUT);
    assert_string_equal(mig_strerror(), "t.yaml:3:4: error: raised on a worker");
    /* This thread's own later message wins over the older one. */
    mig_fail(MIG_EIO, "x.h5: error: mine");
    assert_string_equal(mig_strerror(), "x.h5: error: mine");
}

/* A message marked as this rank's own stays so until the next one. */
static void own_message_until_the_next(void **state)
{
    (void)state;
    mig_fail(MIG_EINPUT, "shared");
    assert_false(mig_error_is_own());
    mig_fail(MIG_EIO, "mine");
    mig_error_mark_own();
    assert_true(mig_error_is_own());
    assert_string_equal(mig_strerror(), "mine");
    mig_fail(MIG_EIO, "later");
    assert_false(mig_error_is_own());
}

static void exit_codes(void **state)
{
    (void)state;
    assert_int_equal(mig_exit_code(MIG_OK), 0);
    assert_int_equal(mig_exit_code(MIG_EINPUT), 2);
    assert_int_equal(mig_exit_code(MIG_EIO), 1);
    assert_int_equal(mig_exit_code(MIG_ENOMEM), 1);
    assert_int_equal(mig_exit_code(MIG_ESTOPPED), 143); /* no signal seen: SIGTERM */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_from_a_worker_thread),
        cmocka_unit_test(own_message_until_the_next),
        cmocka_unit_test(exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
