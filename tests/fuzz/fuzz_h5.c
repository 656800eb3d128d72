/* libFuzzer: the HDF5 reader behind report, compare and merge (with its
 * guard: a load that crashes inside the HDF5 library runs in a child and
 * is reported, so what is fuzzed is what users run). */
#include "fuzz.h"
#include "migsim/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        fuzz_setup(0);
        ready = 1;
    }
    struct run_file f;
    if (mig_reader_load(&f, fuzz_file("r.h5", data, size)) == 0)
        mig_reader_free(&f);
    return 0;
}
