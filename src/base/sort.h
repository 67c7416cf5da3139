/* sort.h - sorting arrays of doubles in linear time.
 *
 * The end-of-run statistics sort one latency per request; with millions of
 * requests a comparison sort (GSL's is a heapsort) costs as much as the
 * simulation that produced them.  The result is exactly gsl_sort's for
 * any array without NaN (-0 sorts before +0, which gsl_sort leaves in
 * either order), so statistics computed from it are unchanged.
 */
#ifndef STRATA_SORT_H
#define STRATA_SORT_H

#include <stddef.h>

/* Sorts a[0..n) ascending, in place (using a temporary buffer of n
 * doubles; if that cannot be had, falls back to gsl_sort). */
void st_sort_doubles(double *a, size_t n);

#endif
