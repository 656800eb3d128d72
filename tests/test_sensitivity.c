/* The sensitivity estimators on functions with known indices: Sobol'
 * indices of the Ishigami function (Ishigami and Homma 1990), and Morris
 * elementary effects of a linear function. */
#include "helpers.h"
#include "migsim/sensitivity.h"

#include <math.h>

static double ishigami(const double *u)
{
    double x1 = -M_PI + 2 * M_PI * u[0], x2 = -M_PI + 2 * M_PI * u[1], x3 = -M_PI + 2 * M_PI * u[2];
    return sin(x1) + 7 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1);
}

/* Analytical indices for a = 7, b = 0.1: S = (0.3139, 0.4424, 0),
 * ST = (0.5576, 0.4424, 0.2437). */
static void ishigami_indices(void **state)
{
    (void)state;
    const int N = 8192, d = 3;
    double *A = malloc(sizeof(double) * N * d), *B = malloc(sizeof(double) * N * d);
    double *fA = malloc(sizeof(double) * N), *fB = malloc(sizeof(double) * N);
    double *fAB = malloc(sizeof(double) * N * d);
    assert_int_equal(mig_sobol_design(N, d, A, B), 0);
    for (int j = 0; j < N; j++) {
        fA[j] = ishigami(A + j * d);
        fB[j] = ishigami(B + j * d);
        for (int i = 0; i < d; i++) {
            double x[3];
            memcpy(x, A + j * d, sizeof x);
            x[i] = B[j * d + i];
            fAB[i * N + j] = ishigami(x);
        }
    }
    double S[3], ST[3];
    mig_sobol_indices(N, d, fA, fB, fAB, S, ST);
    const double S_true[] = {0.3139, 0.4424, 0}, ST_true[] = {0.5576, 0.4424, 0.2437};
    for (int i = 0; i < d; i++)
        if (fabs(S[i] - S_true[i]) > 0.02 || fabs(ST[i] - ST_true[i]) > 0.02)
            fail_msg("x%d: S %.4f (true %.4f), ST %.4f (true %.4f)", i + 1, S[i], S_true[i], ST[i],
                     ST_true[i]);
    free(A), free(B), free(fA), free(fB), free(fAB);
}

/* f = 3 x1 - 2 x2 + 0 x3 on the unit cube: mu* = (3, 2, 0), mu = (3, -2, 0),
 * sigma = 0; and a non-linear x1 x2 term gives sigma > 0. */
static void morris_linear(void **state)
{
    (void)state;
    const int r = 20, d = 3, p = 4;
    double *x = malloc(sizeof(double) * r * (d + 1) * d), f[20 * 4], g[20 * 4];
    int factor[20 * 4];
    mig_morris_design(r, d, p, 42, x, factor);
    for (int j = 0; j < r * (d + 1); j++) {
        for (int i = 0; i < d; i++)
            assert_true(x[j * d + i] >= -1e-12 && x[j * d + i] <= 1 + 1e-12);
        f[j] = 3 * x[j * d] - 2 * x[j * d + 1];
        g[j] = x[j * d] * x[j * d + 1];
    }
    double mu_star[3], mu[3], sigma[3];
    mig_morris_indices(r, d, p, x, factor, f, mu_star, mu, sigma);
    assert_true(fabs(mu_star[0] - 3) < 1e-9 && fabs(mu_star[1] - 2) < 1e-9 && mu_star[2] == 0);
    assert_true(fabs(mu[0] - 3) < 1e-9 && fabs(mu[1] + 2) < 1e-9);
    assert_true(sigma[0] < 1e-9 && sigma[1] < 1e-9);
    mig_morris_indices(r, d, p, x, factor, g, mu_star, mu, sigma);
    assert_true(sigma[0] > 0.05 && mu_star[2] == 0);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ishigami_indices),
        cmocka_unit_test(morris_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
