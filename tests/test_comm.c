/* The split of a run's ids over MPI ranks (the arithmetic, which needs no
 * MPI: every rank computes its own share). */
#include "helpers.h"
#include "migsim/comm.h"

#include <math.h>

enum { CHUNK = 64 };

/* Every rank's share for `ranks` ranks: the non-empty shares begin at chunk
 * boundaries and follow one another in rank order from 0 to count; an
 * empty one is [0, 0). */
static void check_tiling(int ranks, uint64_t count, const double *work)
{
    uint64_t next = 0;
    for (int k = 0; k < ranks; k++) {
        uint64_t first = 99, end = 99;
        mig_comm_share(k, ranks, count, CHUNK, work, &first, &end);
        if (first == end) {
            assert_int_equal(first, 0);
            continue;
        }
        assert_true(first < end);
        assert_int_equal(first, next);
        assert_int_equal(first % CHUNK, 0);
        next = end;
    }
    assert_int_equal(next, count);
}

static void shares_tile_the_ids(void **state)
{
    (void)state;
    const uint64_t counts[] = {0, 1, 63, 64, 65, 5 * 64 + 17, 40 * 64, 1000 * 64 + 3};
    double work[1001];
    srand(7);
    for (int c = 0; c < 1001; c++)
        work[c] = 0.5 + rand() / (double)RAND_MAX;
    for (int ranks = 1; ranks <= 6; ranks++)
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
            check_tiling(ranks, counts[i], NULL);
            check_tiling(ranks, counts[i], work);
        }
}

/* With the first 10 of 40 chunks three times as costly, two ranks split
 * the work (60) at chunk 10 instead of the count at chunk 20; three ranks
 * at the boundaries nearest to 20 and 40: chunks 7 (21) and 20 (40). */
static void shares_follow_the_work(void **state)
{
    (void)state;
    double work[40];
    for (int c = 0; c < 40; c++)
        work[c] = c < 10 ? 3 : 1;
    uint64_t first, end;
    mig_comm_share(0, 2, 40 * CHUNK, CHUNK, work, &first, &end);
    assert_int_equal(end, 10 * CHUNK);
    mig_comm_share(0, 2, 40 * CHUNK, CHUNK, NULL, &first, &end);
    assert_int_equal(end, 20 * CHUNK);
    mig_comm_share(1, 3, 40 * CHUNK, CHUNK, work, &first, &end);
    assert_int_equal(first, 7 * CHUNK);
    assert_int_equal(end, 20 * CHUNK);
}

/* Each boundary is within half a chunk's work of its target, so each share
 * is within the largest chunk's work of an equal share. */
static void shares_are_near_equal(void **state)
{
    (void)state;
    enum { CHUNKS = 500 };
    double work[CHUNKS], whole = 0, largest = 0;
    srand(11);
    for (int c = 0; c < CHUNKS; c++) {
        work[c] = c < 100 ? 4.0 * rand() / RAND_MAX : 1.0 * rand() / RAND_MAX;
        whole += work[c];
        largest = work[c] > largest ? work[c] : largest;
    }
    for (int ranks = 2; ranks <= 7; ranks++)
        for (int k = 0; k < ranks; k++) {
            uint64_t first, end;
            double mine = 0;
            mig_comm_share(k, ranks, CHUNKS * CHUNK, CHUNK, work, &first, &end);
            for (uint64_t c = first / CHUNK; c < end / CHUNK; c++)
                mine += work[c];
            assert_true(fabs(mine - whole / ranks) <= largest);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shares_tile_the_ids),
        cmocka_unit_test(shares_follow_the_work),
        cmocka_unit_test(shares_are_near_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
