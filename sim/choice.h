/* Private helpers shared by the decision modules (behaviour, residents):
 * step probabilities from yearly rates, and sampling from weights or
 * utilities with one counter-based draw. */
#ifndef MIGSIM_CHOICE_H
#define MIGSIM_CHOICE_H

#include "migsim/rng.h"

#include <math.h>
#include <stdint.h>

static inline double step_probability(double rate_per_year, double days)
{
    return -expm1(-rate_per_year * days / 365.25);
}

/* Turns weights into a cumulative distribution ending exactly at 1. */
static inline void to_cdf(double *weights, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += weights[i];
    double running = 0;
    for (int i = 0; i < n; i++) {
        running += sum > 0 ? weights[i] / sum : 1.0 / n;
        weights[i] = running;
    }
    weights[n - 1] = 1.0;
}

/* Softmax of utilities into a cumulative distribution; -INFINITY excludes. */
static inline void logit_cdf(double *utility, int n)
{
    double top = -INFINITY;
    for (int i = 0; i < n; i++)
        top = fmax(top, utility[i]);
    for (int i = 0; i < n; i++)
        utility[i] = isfinite(utility[i]) ? exp(utility[i] - top) : 0.0;
    to_cdf(utility, n);
}

static inline int sample(const double *cdf, int n, uint32_t word)
{
    double u = mig_rng_u01(word);
    int i = 0;
    while (i < n - 1 && u >= cdf[i])
        i++;
    return i;
}

#endif
