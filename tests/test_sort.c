/* test_sort.c - the linear-time sort of doubles gives exactly gsl_sort's
 * order, on sizes either side of its small-array cut-over and on values
 * of every sign and magnitude, ties and infinities included, and on
 * values that share their top bits in short runs (sorted by insertion)
 * and in long ones (all passes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "base/rng.h"
#include "base/sort.h"

/* A mix that exercises every pass: latencies, negatives, exact ties,
 * huge and tiny magnitudes, infinities. */
static double draw(gsl_rng *r, size_t i)
{
    switch (i % 8) {
    case 0: return -gsl_ran_lognormal(r, 0, 2);
    case 1: return floor(gsl_ran_flat(r, -5, 5));      /* many ties */
    case 2: return gsl_ran_flat(r, 0, 1) * 1e300;
    case 3: return gsl_ran_flat(r, 0, 1) * 1e-300;
    case 4: return i % 16 == 4 ? INFINITY : -INFINITY;
    default: return gsl_ran_lognormal(r, -1.5, 0.5);
    }
}

/* a and b hold the same n values: sorts a with gsl_sort, b with
 * st_sort_doubles, and asserts the same bytes. */
static void expect_gsl_order(double *a, double *b, size_t n)
{
    gsl_sort(a, 1, n);
    st_sort_doubles(b, n);
    assert_true(n == 0 || memcmp(a, b, n * sizeof *a) == 0);
}

static void check_size(gsl_rng *r, size_t n)
{
    double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = draw(r, gsl_rng_uniform_int(r, 8) + i * 8);
    expect_gsl_order(a, b, n);
    free(a);
    free(b);
}

/* Values in [1, 2) drawn among `groups` 2^-19-wide slots (one value of
 * the top 31 key bits each), with random low bits: n / groups share a
 * slot on average, in random order. */
static void check_shared_top_bits(gsl_rng *r, size_t n, size_t groups)
{
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        double slot = (double)gsl_rng_uniform_int(r, groups);
        double low = (double)gsl_rng_uniform_int(r, 1u << 30);
        a[i] = b[i] = 1 + ldexp(slot, -19) + ldexp(low, -52);
    }
    expect_gsl_order(a, b, n);
    free(a);
    free(b);
}

static void test_matches_gsl_sort(void **state)
{
    (void)state;
    gsl_rng *r = st_rng_stream(3, "test-sort");
    size_t sizes[] = {0, 1, 2, 3, 100, 2047, 2048, 2049, 5000, 300000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
        check_size(r, sizes[k]);
    check_shared_top_bits(r, 20000, 20000);   /* runs of 1-8: insertion */
    check_shared_top_bits(r, 20000, 5000);    /* runs near 16, some past */
    check_shared_top_bits(r, 20000, 10);      /* long runs: six passes */
    gsl_rng_free(r);
}

static void test_positive_only_and_constant(void **state)
{
    (void)state;
    /* Latencies share sign and exponent bits, so passes are skipped; an
     * array of one repeated value skips them all. */
    size_t n = 10000;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    gsl_rng *r = st_rng_stream(4, "test-sort");
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = 1.0 + gsl_rng_uniform(r);
    expect_gsl_order(a, b, n);
    for (size_t i = 0; i < n; i++)
        b[i] = 0.25;
    st_sort_doubles(b, n);
    for (size_t i = 0; i < n; i++)
        assert_true(b[i] == 0.25);
    gsl_rng_free(r);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_gsl_sort),
        cmocka_unit_test(test_positive_only_and_constant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
