/* Philox4x32-10 against the published known-answer vectors, and the
 * properties the engine relies on: uniforms in (0, 1), and a thinning
 * iterator that yields each id with probability q, independently of how the
 * ranges are split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "migsim/rng.h"

/* Random123's kat_vectors for philox4x32_10: key words (k0, k1) and counter
 * (c0..c3) as in the reference, which maps here to id = c0 | c1 << 32,
 * step = c2, stream = c3, seed = k0 | k1 << 32. */
static void known_answers(void **state)
{
    (void)state;
    struct mig_draw d = mig_rng_draw(0, 0, 0, 0);
    assert_int_equal(d.w[0], 0x6627e8d5u);
    assert_int_equal(d.w[1], 0xe169c58du);
    assert_int_equal(d.w[2], 0xbc57ac4cu);
    assert_int_equal(d.w[3], 0x9b00dbd8u);
    d = mig_rng_draw(0xffffffffffffffffull, 0xffffffffu, 0xffffffffffffffffull, 0xffffffffu);
    assert_int_equal(d.w[0], 0x408f276du);
    assert_int_equal(d.w[1], 0x41c83b0eu);
    assert_int_equal(d.w[2], 0xa20bc7c6u);
    assert_int_equal(d.w[3], 0x6d5451fdu);
    d = mig_rng_draw(0x299f31d0a4093822ull, 0x03707344u, 0x85a308d3243f6a88ull, 0x13198a2eu);
    assert_int_equal(d.w[0], 0xd16cfe09u);
    assert_int_equal(d.w[1], 0x94fdccebu);
    assert_int_equal(d.w[2], 0x5001e420u);
    assert_int_equal(d.w[3], 0x24126ea1u);
}

static void uniforms_are_open_and_balanced(void **state)
{
    (void)state;
    assert_true(mig_rng_u01(0) > 0.0);
    assert_true(mig_rng_u01(0xffffffffu) < 1.0);
    double sum = 0;
    int n = 200000;
    for (int i = 0; i < n; i++)
        sum += mig_rng_u01(mig_rng_draw(7, 1, (uint64_t)i, 3).w[i & 3]);
    assert_true(fabs(sum / n - 0.5) < 0.005);
}

static void draws_depend_on_every_coordinate(void **state)
{
    (void)state;
    uint32_t base = mig_rng_draw(1, 2, 3, 4).w[0];
    assert_int_not_equal(base, mig_rng_draw(9, 2, 3, 4).w[0]);
    assert_int_not_equal(base, mig_rng_draw(1, 9, 3, 4).w[0]);
    assert_int_not_equal(base, mig_rng_draw(1, 2, 9, 4).w[0]);
    assert_int_not_equal(base, mig_rng_draw(1, 2, 3, 9).w[0]);
}

static uint64_t count_subset(double q, uint64_t n, uint32_t step)
{
    uint64_t count = 0, id, last = 0;
    int first = 1;
    for (uint64_t c = 0; c * MIG_SKIP_CHUNK < n; c++) {
        uint64_t start = c * MIG_SKIP_CHUNK;
        uint64_t len = n - start < MIG_SKIP_CHUNK ? n - start : MIG_SKIP_CHUNK;
        struct mig_skip it;
        mig_skip_start(&it, 42, 5, step, c, start, len, q);
        while (mig_skip_next(&it, &id)) {
            assert_true(id >= start && id < start + len);
            assert_true(first || id > last); /* strictly increasing, no repeats */
            first = 0;
            last = id;
            count++;
        }
    }
    return count;
}

static void thinning_keeps_its_rate(void **state)
{
    (void)state;
    uint64_t n = 1000000;
    for (int k = 0; k < 3; k++) {
        double q = (double[]){0.001, 0.05, 0.5}[k];
        double expected = q * n, sd = sqrt(n * q * (1 - q));
        uint64_t got = count_subset(q, n, 11);
        assert_true(fabs((double)got - expected) < 5 * sd);
    }
    assert_int_equal(count_subset(0.0, n, 1), 0);
    assert_int_equal(count_subset(1.0, 1000, 1), 1000);
}

static void thinning_is_reproducible(void **state)
{
    (void)state;
    assert_int_equal(count_subset(0.01, 300000, 2), count_subset(0.01, 300000, 2));
    assert_int_not_equal(count_subset(0.01, 300000, 2), count_subset(0.01, 300000, 3));
}

/* A threshold splits the words exactly where their uniforms cross x: the
 * word at it is at least x and the one before is below, for shares at and
 * between the uniforms, at the ends, and beyond them. */
static void thresholds_split_words_where_uniforms_do(void **state)
{
    (void)state;
    const double xs[] = {-1.0, 0.0, mig_rng_u01(0), 1e-12, 0.2, 0.35, 1.0 / 3, 0.5,
                         mig_rng_u01(123456789u), nextafter(mig_rng_u01(123456789u), 1.0),
                         0.999999, mig_rng_u01(UINT32_MAX), 1.0, 2.0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        uint64_t t = mig_rng_threshold(xs[i]);
        assert_true(t <= (uint64_t)1 << 32);
        if (t < (uint64_t)1 << 32)
            assert_true(mig_rng_u01((uint32_t)t) >= xs[i]);
        if (t > 0)
            assert_true(mig_rng_u01((uint32_t)(t - 1)) < xs[i]);
    }
    assert_int_equal(mig_rng_threshold(0.0), 0);
    assert_int_equal(mig_rng_threshold(1.0), (uint64_t)1 << 32);
    assert_int_equal(mig_rng_threshold(0.5), (uint64_t)1 << 31);
    /* Every word of a random sample compares alike both ways. */
    for (uint32_t n = 0; n < 100000; n++) {
        struct mig_draw d = mig_rng_draw(11, 3, n, 0);
        double x = mig_rng_u01(d.w[1]);
        uint64_t t = mig_rng_threshold(x);
        assert_int_equal(d.w[0] >= t, mig_rng_u01(d.w[0]) >= x);
    }
}

/* The near log is within a small part of the slack of log() for a sample
 * of the words (every 65,521st, and those at the ends, where |s| is 1/5 and
 * where the log nears 0), or for every word with MIGSIM_TEST_EVERY_WORD set
 * (about a minute). */
static void near_log_keeps_within_its_slack(void **state)
{
    (void)state;
    const uint32_t ends[] = {0, 1, 2, 3, 0x7FFFFFFFu, 0x80000000u, 0xBFFFFFFFu, 0xC0000000u,
                             UINT32_MAX - 1, UINT32_MAX};
    uint64_t stride = getenv("MIGSIM_TEST_EVERY_WORD") ? 1 : 65521;
    double worst = 0;
    for (uint64_t w = 0; w <= UINT32_MAX; w += stride)
        worst = fmax(worst, fabs(mig_rng_log_u01_near((uint32_t)w) - log(mig_rng_u01((uint32_t)w))));
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        worst = fmax(worst, fabs(mig_rng_log_u01_near(ends[i]) - log(mig_rng_u01(ends[i]))));
    if (stride == 1)
        print_message("largest difference over every word: 2^%.2f\n", log2(worst));
    assert_true(worst <= MIG_LOG_SLACK / 64);
}

/* The members a skip yields are those of gaps floor(log(u) / log(1 - q))
 * computed with log() itself, word by word as the skip draws them. */
static void assert_skip_follows_log(double q, uint64_t count)
{
    struct mig_skip it;
    uint64_t id, expected = 0, k = 0;
    mig_skip_start(&it, 42, 5, 7, 3, 0, count, q);
    double inverse = 1.0 / log1p(-q);
    for (;; k++) {
        struct mig_draw d = mig_rng_draw(42, 5, (UINT64_C(3) << 16) | (k >> 2), 7);
        double gap = floor(log(mig_rng_u01(d.w[k & 3])) * inverse);
        expected += k == 0 ? 0 : 1;
        if (gap >= (double)(count - expected))
            break;
        expected += (uint64_t)gap;
        assert_true(mig_skip_next(&it, &id));
        assert_int_equal(id, expected);
    }
    assert_false(mig_skip_next(&it, &id));
}

/* The skip's members follow log() for rates of every size, and for rates
 * where log() must decide. */
static void assert_gaps_follow_log(void)
{
    const double qs[] = {0.9, 0.3, 0.047, 0.0047, 1e-4};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        assert_skip_follows_log(qs[i], MIG_SKIP_CHUNK);
    /* Rates whose first gap is a whole number to within rounding, so that
     * the ends of the near log's interval fall on both sides of it and
     * log() must decide (rounding puts log()'s gap above the whole number
     * for some and below for others). */
    uint32_t first = mig_rng_draw(42, 5, UINT64_C(3) << 16, 7).w[0];
    double near = mig_rng_log_u01_near(first);
    for (int whole = 2; whole <= 16; whole++) {
        double q = -expm1(log(mig_rng_u01(first)) / whole), inverse = 1.0 / log1p(-q);
        assert_int_not_equal(mig_skip_gap((near + MIG_LOG_SLACK) * inverse),
                             mig_skip_gap((near - MIG_LOG_SLACK) * inverse));
        assert_skip_follows_log(q, MIG_SKIP_CHUNK);
    }
}

/* Draws made together are those made one at a time. */
static void assert_draws_together_are_one_at_a_time(void)
{
    for (int n = 1; n <= MIG_DRAWS; n += 5) {
        uint64_t id[MIG_DRAWS];
        for (int i = 0; i < n; i++)
            id[i] = mig_rng_draw(3, 1, (uint64_t)(n * 100 + i), 0).w[0] * UINT64_C(0x10001);
        struct mig_draws d;
        mig_rng_draws(0x299f31d0a4093822ull, 9, id, (uint32_t)n, n, &d);
        for (int i = 0; i < n; i++) {
            struct mig_draw one = mig_rng_draw(0x299f31d0a4093822ull, 9, id[i], (uint32_t)n);
            for (int j = 0; j < 4; j++)
                assert_int_equal(d.w[j][i], one.w[j]);
        }
    }
}

/* Both hold in every instruction set this processor has (each named
 * once); the one chosen at start-up is the widest, and is in use again
 * after. */
static void every_instruction_set_gives_the_same_numbers(void **state)
{
    (void)state;
    const char *const sets[] = {"base", "avx2", "avx512"}, *chosen = mig_rng_instructions();
    const char *widest = NULL;
    assert_int_equal(mig_rng_use_instructions("sse9"), -1);
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        if (mig_rng_use_instructions(sets[s]) < 0)
            continue;
        assert_string_equal(mig_rng_instructions(), sets[s]);
        widest = sets[s];
        assert_draws_together_are_one_at_a_time();
        assert_gaps_follow_log();
        print_message("checked in %s\n", sets[s]);
    }
    assert_non_null(widest);
    assert_string_equal(chosen, widest);
    assert_int_equal(mig_rng_use_instructions(chosen), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(uniforms_are_open_and_balanced),
        cmocka_unit_test(draws_depend_on_every_coordinate),
        cmocka_unit_test(thinning_keeps_its_rate),
        cmocka_unit_test(thinning_is_reproducible),
        cmocka_unit_test(thresholds_split_words_where_uniforms_do),
        cmocka_unit_test(near_log_keeps_within_its_slack),
        cmocka_unit_test(every_instruction_set_gives_the_same_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
