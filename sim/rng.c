/* Starting a geometric skip over a Bernoulli subset. The rest of the
 * generator is inline in the header because the hot loops call it once per
 * agent or candidate. */
#include "migsim/rng.h"

#include <math.h>

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
