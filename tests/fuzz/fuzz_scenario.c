/* libFuzzer: the scenario loader and everything `migsim check` does
 * (parents, data folder, figures), on arbitrary bytes. */
#include "fuzz.h"
#include "migsim/simulation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        fuzz_setup(1);
        ready = 1;
    }
    const char *path = fuzz_file("s.yaml", data, size);
    struct simulation sim;
    (void)mig_simulation_load(&sim, path, &(struct overrides){-1, 0});
    mig_simulation_free(&sim);
    return 0;
}
