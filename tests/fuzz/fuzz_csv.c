/* libFuzzer: the CSV reader, and every cell as a number. */
#include "fuzz.h"
#include "migsim/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        fuzz_setup(0);
        ready = 1;
    }
    struct csv t;
    if (mig_csv_read(&t, fuzz_file("t.csv", data, size)) == 0) {
        double x;
        for (size_t r = 0; r < t.rows; r++)
            for (size_t c = 0; c < t.columns; c++)
                (void)mig_csv_number(&t, r, c, -1e300, 1e300, &x);
        mig_csv_free(&t);
    }
    return 0;
}
