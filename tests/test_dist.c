/* test_dist.c - distributions sample what they claim, and named RNG streams
 * are independent of each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "strata/dist.h"
#include "base/rng.h"

#define N 200000

/* Sample mean within 5 standard errors of the claimed mean. */
static void check_mean(st_dist *d, double sd)
{
    gsl_rng *r = st_rng_stream(3, "dist-test");
    double *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++) {
        x[i] = st_dist_sample(d, r);
        assert_true(x[i] >= 0);
    }
    double m = gsl_stats_mean(x, 1, N);
    assert_true(fabs(m - st_dist_mean(d)) < 5 * sd / sqrt(N) + 1e-12);
    free(x);
    gsl_rng_free(r);
}

static void test_means(void **state)
{
    (void)state;
    st_dist c = st_dist_const(0.25);
    check_mean(&c, 0);
    st_dist n = {.kind = ST_DIST_NORMAL, .a = 1.0, .b = 0.1};
    check_mean(&n, 0.1);
    /* lognormal with mean 2, sd 0.5 by moment matching */
    double sigma = sqrt(log(1 + 0.25 / 4));
    st_dist l = {.kind = ST_DIST_LOGNORMAL, .a = log(2) - sigma * sigma / 2, .b = sigma};
    assert_true(fabs(st_dist_mean(&l) - 2) < 1e-12);
    check_mean(&l, 0.5);
    st_dist e = {.kind = ST_DIST_EXP, .a = 0.5};
    check_mean(&e, 0.5);
    st_dist u = {.kind = ST_DIST_UNIFORM, .a = 0.25, .b = 3.5};
    check_mean(&u, 3.25 / sqrt(12));
}

static void test_quantiles(void **state)
{
    (void)state;
    st_dist u = {.kind = ST_DIST_UNIFORM, .a = 1, .b = 3};
    assert_true(fabs(st_dist_quantile(&u, 0.9) - 2.8) < 1e-12);
    st_dist e = {.kind = ST_DIST_EXP, .a = 1};
    assert_true(fabs(st_dist_quantile(&e, 0.5) - log(2)) < 1e-12);
    double s[] = {1, 2, 3, 4, 5};
    st_dist emp = {.kind = ST_DIST_EMPIRICAL, .samples = s, .n = 5};
    assert_true(fabs(st_dist_quantile(&emp, 0.5) - 3) < 1e-12);
    assert_true(fabs(st_dist_mean(&emp) - 3) < 1e-12);
    st_dist l = {.kind = ST_DIST_LOGNORMAL, .a = log(0.1), .b = 0.3};
    assert_true(fabs(st_dist_quantile(&l, 0.5) - 0.1) < 1e-12);
}

static void test_scale(void **state)
{
    (void)state;
    st_dist l = {.kind = ST_DIST_LOGNORMAL, .a = 0, .b = 0.5};
    double m = st_dist_mean(&l);
    st_dist_scale(&l, 1e-3);
    assert_true(fabs(st_dist_mean(&l) - m * 1e-3) < 1e-15);
}

static void test_streams_independent(void **state)
{
    (void)state;
    /* The same (seed, name) gives the same numbers whatever else exists. */
    gsl_rng *a1 = st_rng_stream(42, "arrivals");
    gsl_rng *other = st_rng_stream(42, "exec-noise");
    for (int i = 0; i < 1000; i++)
        gsl_rng_get(other);
    gsl_rng *a2 = st_rng_stream(42, "arrivals");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(gsl_rng_get(a1), gsl_rng_get(a2));
    /* Different names or seeds give different streams. */
    assert_int_not_equal(st_rng_seed_for(42, "arrivals"),
                         st_rng_seed_for(42, "exec-noise"));
    assert_int_not_equal(st_rng_seed_for(42, "arrivals"),
                         st_rng_seed_for(43, "arrivals"));
    gsl_rng_free(a1);
    gsl_rng_free(a2);
    gsl_rng_free(other);
}

/* The written-out exponential draw is GSL's own, bit for bit, so a GSL
 * whose formula changed fails here rather than moving results unseen. */
static void test_exponential_is_gsls(void **state)
{
    (void)state;
    gsl_rng *a = st_rng_stream(7, "exp-test"), *b = st_rng_stream(7, "exp-test");
    for (int i = 0; i < 100000; i++) {
        double mu = 0.001 * (1 + i % 5000);
        double x = st_ran_exponential(a, mu), y = gsl_ran_exponential(b, mu);
        assert_memory_equal(&x, &y, sizeof x);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_means),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_streams_independent),
        cmocka_unit_test(test_exponential_is_gsls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
