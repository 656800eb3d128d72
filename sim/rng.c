/* Geometric skipping over a Bernoulli subset. The rest of the generator is
 * inline in the header because the hot loops call it once per agent. */
#include "migsim/rng.h"

#include <math.h>

static uint64_t skip_length(struct mig_skip *it)
{
    if (it->log_1mq == 0.0)
        return UINT64_MAX;
    if (it->log_1mq == -INFINITY)
        return 0;
    if ((it->k & 3u) == 0)
        it->draw = mig_rng_draw(it->seed, it->stream, (it->chunk << 16) | (it->k >> 2), it->step);
    double u = mig_rng_u01(it->draw.w[it->k & 3u]);
    it->k++;
    double gap = floor(log(u) * it->inverse_log_1mq);
    return gap >= 1e18 ? UINT64_MAX : (uint64_t)gap;
}

void mig_skip_start(struct mig_skip *it, uint64_t seed, uint32_t stream, uint32_t step,
                    uint64_t chunk, uint64_t first, uint64_t count, double q)
{
    it->seed = seed;
    it->stream = stream;
    it->step = step;
    it->chunk = chunk;
    it->k = 0;
    it->log_1mq = q >= 1.0 ? -INFINITY : log1p(-q);
    it->inverse_log_1mq = 1.0 / it->log_1mq;
    it->end = first + count;
    uint64_t gap = skip_length(it);
    it->next = gap >= count ? it->end : first + gap;
}

bool mig_skip_next(struct mig_skip *it, uint64_t *id)
{
    if (it->next >= it->end)
        return false;
    *id = it->next;
    uint64_t gap = skip_length(it);
    it->next = gap >= it->end - it->next - 1 ? it->end : it->next + 1 + gap;
    return true;
}
