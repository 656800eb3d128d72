/* Starting a geometric skip over a Bernoulli subset, and the loops that
 * make many draws and skips at once. The rest of the generator is inline in
 * the header because the hot loops call it once per agent or candidate.
 *
 * Those loops are compiled once for each instruction set below and the
 * widest the processor has is chosen at start-up: a Philox round is two
 * 32-bit multiplications, and vectors of 8 (AVX-512) or 4 (AVX2) lanes
 * make as many draws at once where the base x86-64 set has 2. Integer
 * arithmetic is exact in any width, and the skips' gaps are exact by
 * construction (see refill_of), so every set gives the same numbers. */
#include "migsim/rng.h"

#include <math.h>
#include <string.h>

#define KERNEL static inline __attribute__((always_inline))

KERNEL void draws_of(uint64_t seed, uint32_t stream, const uint64_t *id, uint32_t step, int n,
                     struct mig_draws *out)
{
    for (int i = 0; i < n; i++) {
        struct mig_draw d = mig_rng_draw(seed, stream, id[i], step);
        for (int j = 0; j < 4; j++)
            out->w[j][i] = d.w[j];
    }
}

/* The next MIG_SKIP_AHEAD gaps, made together: each is geometric, from one
 * word of a draw made for four gaps, and they do not depend on one another,
 * so their random numbers and logarithms overlap in the processor instead
 * of waiting each for the walk over the last candidate.
 *
 * Each gap is exactly floor(log(u) / log(1 - q)) with the C library's
 * log(), found mostly without calling it: log(u) lies within the slack of
 * the near log, and the product with the inverse (below 0), its rounding
 * and the gap all grow as the log falls, so log(u)'s gap lies between the
 * gaps of the interval's two ends. Where those agree it is theirs; where
 * they differ (the product within 2^-40 / |log(1 - q)| of a whole gap:
 * almost never) log() decides. The near log may round differently in
 * another instruction set (a fused multiply-add, say), by far less than
 * the slack, so the gaps do not change. */
_Static_assert(MIG_SKIP_AHEAD % 4 == 0 && MIG_SKIP_AHEAD / 4 <= MIG_DRAWS,
               "a refill's draws are made in one call");

KERNEL void refill_of(struct mig_skip *it)
{
    enum { DRAWN = MIG_SKIP_AHEAD / 4 };
    uint64_t id[DRAWN];
    struct mig_draws drawn;
    for (int j = 0; j < DRAWN; j++)
        id[j] = (it->chunk << 16) | ((it->k >> 2) + (uint32_t)j);
    draws_of(it->seed, it->stream, id, it->step, DRAWN, &drawn);
    uint32_t word[MIG_SKIP_AHEAD]; /* four gaps from each draw, in order */
    for (int j = 0; j < DRAWN; j++)
        for (int c = 0; c < 4; c++)
            word[j * 4 + c] = drawn.w[c][j];
    double low[MIG_SKIP_AHEAD], high[MIG_SKIP_AHEAD];
    for (int i = 0; i < MIG_SKIP_AHEAD; i++) {
        double near = mig_rng_log_u01_near(word[i]);
        low[i] = (near + MIG_LOG_SLACK) * it->inverse_log_1mq;
        high[i] = (near - MIG_LOG_SLACK) * it->inverse_log_1mq;
    }
    /* The ends' gaps in one loop without a branch, and log() after it
     * where they differ. */
    uint64_t differ = 0;
    for (int i = 0; i < MIG_SKIP_AHEAD; i++) {
        uint64_t gap = mig_skip_gap(low[i]);
        differ |= (uint64_t)(!(low[i] >= 0)) | (uint64_t)(gap != mig_skip_gap(high[i]));
        it->gap[i] = gap;
    }
    for (int i = 0; differ && i < MIG_SKIP_AHEAD; i++)
        if (!(low[i] >= 0) || it->gap[i] != mig_skip_gap(high[i]))
            it->gap[i] = mig_skip_gap(log(mig_rng_u01(word[i])) * it->inverse_log_1mq);
    it->k += MIG_SKIP_AHEAD;
    it->ready = MIG_SKIP_AHEAD;
}

struct kernels {
    const char *name;
    void (*draws)(uint64_t, uint32_t, const uint64_t *, uint32_t, int, struct mig_draws *);
    void (*refill)(struct mig_skip *);
    bool (*present)(void);
};

static bool always(void)
{
    return true;
}

/* A set's kernels: the bodies above, compiled for its instructions. */
#define KERNELS(set, target)                                                                       \
    target static void draws_##set(uint64_t seed, uint32_t stream, const uint64_t *id,             \
                                   uint32_t step, int n, struct mig_draws *out)                    \
    {                                                                                              \
        draws_of(seed, stream, id, step, n, out);                                                  \
    }                                                                                              \
    target static void refill_##set(struct mig_skip *it)                                           \
    {                                                                                              \
        refill_of(it);                                                                             \
    }

KERNELS(base, )

#if defined(__x86_64__) && defined(__GNUC__)
#define WIDE_KERNELS 1
KERNELS(avx2, __attribute__((target("avx2"))))
KERNELS(avx512, __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))))

static bool has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

static bool has_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
}
#endif

/* The sets from the widest. */
static const struct kernels sets[] = {
#ifdef WIDE_KERNELS
    {"avx512", draws_avx512, refill_avx512, has_avx512},
    {"avx2", draws_avx2, refill_avx2, has_avx2},
#endif
    {"base", draws_base, refill_base, always},
};

static const struct kernels *chosen = &sets[sizeof sets / sizeof *sets - 1];

/* Before main(), so that no thread ever sees the choice change. */
__attribute__((constructor)) static void choose_widest(void)
{
#ifdef WIDE_KERNELS
    __builtin_cpu_init(); /* other constructors may run before the library's own */
#endif
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (sets[i].present()) {
            chosen = &sets[i];
            return;
        }
}

const char *mig_rng_instructions(void)
{
    return chosen->name;
}

int mig_rng_use_instructions(const char *name)
{
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (strcmp(sets[i].name, name) == 0 && sets[i].present()) {
            chosen = &sets[i];
            return 0;
        }
    return -1;
}

void mig_rng_draws(uint64_t seed, uint32_t stream, const uint64_t *id, uint32_t step, int n,
                   struct mig_draws *out)
{
    chosen->draws(seed, stream, id, step, n, out);
}

void mig_skip_refill(struct mig_skip *it)
{
    chosen->refill(it);
}

void mig_skip_start(struct mig_skip *it, uint64_t seed, uint32_t stream, uint32_t step,
                    uint64_t chunk, uint64_t first, uint64_t count, double q)
{
    it->seed = seed;
    it->stream = stream;
    it->step = step;
    it->chunk = chunk;
    it->k = 0;
    it->ready = 0;
    it->log_1mq = q >= 1.0 ? -INFINITY : log1p(-q);
    it->inverse_log_1mq = 1.0 / it->log_1mq;
    it->end = first + count;
    uint64_t gap = mig_skip_length(it);
    it->next = gap >= count ? it->end : first + gap;
}
