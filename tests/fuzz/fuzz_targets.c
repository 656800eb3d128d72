/* libFuzzer: the figures and targets loader on arbitrary bytes. */
#include "fuzz.h"
#include "migsim/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        fuzz_setup(0);
        ready = 1;
    }
    struct targets list;
    if (mig_targets_load(&list, fuzz_file("t.yaml", data, size)) == 0)
        mig_targets_free(&list);
    return 0;
}
