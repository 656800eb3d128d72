/* Counter-based random numbers: every draw is a pure function of (seed,
 * stream, id, step), computed with Philox4x32-10 (Salmon et al., SC'11). No
 * draw depends on the thread or rank that makes it, which is what makes runs
 * identical for any thread count and gives two scenarios with one seed the
 * same random numbers. */
#ifndef MIGSIM_RNG_H
#define MIGSIM_RNG_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Each kind of decision has its own stream, so adding a draw to one decision
 * never shifts the numbers another one sees. */
enum mig_stream {
    MIG_STREAM_MIGRANT_TRAITS = 1, /* sex, education, contract, wage noise */
    MIG_STREAM_MIGRANT_START,      /* who is present at the start, and where */
    MIG_STREAM_MIGRANT_STEP,       /* entry, visits, returns, relocation */
    MIG_STREAM_PRESENT_CANDIDATE,  /* which present migrants consider a decision */
    MIG_STREAM_RESIDENT_TRAITS,    /* age band and sex */
    MIG_STREAM_RESIDENT_MOVE,      /* whether, why and where a resident moves */
    MIG_STREAM_RESIDENT_CANDIDATE, /* which residents consider a move */
    MIG_STREAM_SURVEY,             /* who answers an emulated survey */
    MIG_STREAM_CALIBRATE,          /* calibration proposals */
    MIG_STREAM_RESIDENT_BIRTH,     /* births and immigrants: counts and traits */
    MIG_STREAM_RESIDENT_AGEING,    /* who moves up an age band */
    MIG_STREAM_RUSSIA_CANDIDATE,   /* which migrants in Russia consider coming home */
    MIG_STREAM_HOME_CANDIDATE,     /* which migrants at home consider leaving */
};

struct mig_draw {
    uint32_t w[4];
};

static inline uint32_t mig_rng_mulhilo(uint32_t a, uint32_t b, uint32_t *hi)
{
    uint64_t p = (uint64_t)a * b;
    *hi = (uint32_t)(p >> 32);
    return (uint32_t)p;
}

/* Philox4x32 with 10 rounds: counter (id, step, stream), key seed. */
static inline struct mig_draw mig_rng_draw(uint64_t seed, uint32_t stream, uint64_t id,
                                           uint32_t step)
{
    uint32_t c0 = (uint32_t)id, c1 = (uint32_t)(id >> 32), c2 = step, c3 = stream;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        uint32_t hi0, hi1;
        uint32_t lo0 = mig_rng_mulhilo(0xD2511F53u, c0, &hi0);
        uint32_t lo1 = mig_rng_mulhilo(0xCD9E8D57u, c2, &hi1);
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return (struct mig_draw){{c0, c1, c2, c3}};
}

/* The draws of up to MIG_DRAWS ids at once, id[i]'s in column i: the same
 * numbers as mig_rng_draw, made side by side in vector instructions where
 * the processor has them (rng.c). */
#define MIG_DRAWS 32

struct mig_draws {
    uint32_t w[4][MIG_DRAWS];
};

void mig_rng_draws(uint64_t seed, uint32_t stream, const uint64_t *id, uint32_t step, int n,
                   struct mig_draws *out);

static inline struct mig_draw mig_rng_draws_at(const struct mig_draws *d, int i)
{
    return (struct mig_draw){{d->w[0][i], d->w[1][i], d->w[2][i], d->w[3][i]}};
}

/* The instruction set the draws and skips use ("base", "avx2" or
 * "avx512"), chosen at start-up as the widest this processor has; every
 * set gives the same numbers. mig_rng_use_instructions picks one (tests
 * compare them; nothing may call it while threads run), or returns -1
 * when the processor lacks it. */
const char *mig_rng_instructions(void);
int mig_rng_use_instructions(const char *name);

/* A uniform in the open interval (0, 1) from one 32-bit word. */
static inline double mig_rng_u01(uint32_t word)
{
    return ((double)word + 0.5) * (1.0 / 4294967296.0);
}

/* The least word whose uniform is at least x, or 2^32 when no word's is:
 * for a number x, mig_rng_u01(w) >= x exactly when w >= the threshold, and
 * mig_rng_u01(w) < x when w is below it. Comparing words with a threshold
 * made once gives the same choices as comparing uniforms, without a
 * conversion or a branch per word. */
static inline uint64_t mig_rng_threshold(double x)
{
    uint64_t low = 0, high = (uint64_t)1 << 32;
    while (low < high) {
        uint64_t middle = low + (high - low) / 2;
        if (mig_rng_u01((uint32_t)middle) >= x)
            high = middle;
        else
            low = middle + 1;
    }
    return low;
}

/* The seed of replicate `index` of a run seeded `seed`: the seed itself for
 * replicate 0, then independent 53-bit seeds (exact as doubles). */
static inline uint64_t mig_rng_replicate_seed(uint64_t seed, uint32_t index)
{
    if (index == 0)
        return seed;
    struct mig_draw d = mig_rng_draw(seed, 0xFFFFFFFFu, index, 0);
    return (((uint64_t)d.w[0] << 32) | d.w[1]) >> 11;
}

/* Iterates over a Bernoulli(q) subset of the ids [first, first + count), by
 * geometric skips, in time proportional to the subset's size. The skips are
 * drawn per (chunk, step), so the subset does not depend on who computes it. */
#define MIG_SKIP_AHEAD 32 /* gaps computed together (a multiple of 4) */

struct mig_skip {
    uint64_t seed;
    uint32_t stream, step;
    uint64_t chunk;
    double log_1mq, inverse_log_1mq;
    uint64_t next, end;
    uint32_t k; /* the gaps made so far */
    int ready;  /* of which the last `ready` are in gap[], not yet used */
    uint64_t gap[MIG_SKIP_AHEAD];
};

/* Ids are split into fixed chunks of this size; each chunk has its own skips. */
#define MIG_SKIP_CHUNK ((uint64_t)1 << 16)

void mig_skip_start(struct mig_skip *it, uint64_t seed, uint32_t stream, uint32_t step,
                    uint64_t chunk, uint64_t first, uint64_t count, double q);

/* log(mig_rng_u01(word)), nearly, by plain arithmetic that a loop of them
 * turns into vector instructions (log() is a call per number): u = 2^e m
 * with m in [1, 2), and log m = log 1.5 + 2 atanh s for
 * s = (m - 1.5) / (m + 1.5), |s| <= 1/5, by its series to s^17 (the next
 * term is below 10^-14). Over all 2^32 words it differs from the C
 * library's log() by at most 2^-47 (glibc 2.36; tests/test_rng.c checks a
 * sample of the words, or all of them with MIGSIM_TEST_EVERY_WORD set),
 * well within MIG_LOG_SLACK. */
#define MIG_LOG_SLACK 0x1p-40

static inline double mig_rng_log_u01_near(uint32_t word)
{
    double u = mig_rng_u01(word), m, e;
    uint64_t bits;
    memcpy(&bits, &u, sizeof bits);
    uint64_t mantissa = (bits & 0x000FFFFFFFFFFFFFu) | 0x3FF0000000000000u;
    uint64_t exponent = (bits >> 52) | 0x4330000000000000u; /* 2^52 + the biased exponent */
    memcpy(&m, &mantissa, sizeof m);
    memcpy(&e, &exponent, sizeof e);
    e -= 0x1p52 + 1023.0;
    double s = (m - 1.5) / (m + 1.5), z = s * s, p = 2.0 / 17;
    for (int k = 15; k >= 1; k -= 2)
        p = 2.0 / k + z * p;
    return e * 0x1.62e42fefa39efp-1 + 0x1.9f323ecbf984cp-2 + s * p; /* log 2, log 1.5 */
}

/* The gap of a geometric skip from its uniform's log times the inverse of
 * log(1 - q): the product's floor (it is not negative, so the
 * conversion's truncation is the floor), or no end at 10^18 and beyond. */
static inline uint64_t mig_skip_gap(double product)
{
    return product >= 1e18 ? UINT64_MAX : (uint64_t)(int64_t)product;
}

/* The next MIG_SKIP_AHEAD gaps (rng.c). */
void mig_skip_refill(struct mig_skip *it);

/* The gap before the next member. */
static inline uint64_t mig_skip_length(struct mig_skip *it)
{
    if (it->log_1mq == 0.0)
        return UINT64_MAX;
    if (it->log_1mq == -INFINITY)
        return 0;
    if (it->ready == 0)
        mig_skip_refill(it);
    return it->gap[MIG_SKIP_AHEAD - it->ready--];
}

/* The next id of the subset, or false when the range is exhausted. */
static inline bool mig_skip_next(struct mig_skip *it, uint64_t *id)
{
    if (it->next >= it->end)
        return false;
    *id = it->next;
    uint64_t gap = mig_skip_length(it);
    it->next = gap >= it->end - it->next - 1 ? it->end : it->next + 1 + gap;
    return true;
}

#endif
