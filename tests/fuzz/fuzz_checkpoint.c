/* libFuzzer: checkpoint restore (--resume) into a small scenario's engine. */
#include "fuzz.h"
#include "migsim/checkpoint.h"
#include "migsim/simulation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static struct simulation sim;
    if (!ready) {
        fuzz_setup(0);
        if (mig_simulation_load(&sim, MIGSIM_SOURCE_DIR "/tests/fuzz/short.yaml",
                                &(struct overrides){-1, 0}) < 0 ||
            mig_simulation_run_forking(&sim, 1, fuzz_file("unused.ckpt", NULL, 0), NULL, NULL) < 0)
            abort();
        ready = 1;
    }
    int step = sim.engine.step;
    (void)mig_checkpoint_restore(fuzz_file("c.ckpt", data, size), &sim.engine, 0);
    sim.engine.step = step;
    return 0;
}
