/* test_sort.c - the linear-time sort of doubles gives exactly gsl_sort's
 * order, on sizes either side of its small-array cut-over and on values
 * of every sign and magnitude, ties and infinities included. */
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

static void check_size(gsl_rng *r, size_t n)
{
    double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = draw(r, gsl_rng_uniform_int(r, 8) + i * 8);
    gsl_sort(a, 1, n);
    st_sort_doubles(b, n);
    assert_true(n == 0 || memcmp(a, b, n * sizeof *a) == 0);
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
    gsl_sort(a, 1, n);
    st_sort_doubles(b, n);
    assert_memory_equal(a, b, n * sizeof *a);
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
