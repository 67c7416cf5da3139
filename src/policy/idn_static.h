/* idn_static.h - the offline static reference of the IDN policies
 * (idn_static.c).  Private to src/policy; included through idn.h.
 */
#ifndef STRATA_IDN_STATIC_H
#define STRATA_IDN_STATIC_H

#include <stddef.h>

typedef struct st_idn st_idn;

/* Expected requests per type in each slot of the run, from the workload's
 * rates and popularity: counts[slot * n_types + type].  What only an
 * offline reference may read. */
double *st_idn_expected_counts(const st_idn *g, size_t *n_slots);
/* The static reference: the best fixed allocation found offline for the
 * whole run's expected counts (normalised mirror ascent on the
 * time-averaged G from the projection of the all-ones vector, the best
 * iterate kept as the fractional solution; then the best, on that G, of
 * static_draws DepRound draws from it and of the greedy fill), and its
 * fractional solution. */
const unsigned char *st_idn_static_x(const st_idn *g);
const double *st_idn_static_y(const st_idn *g);

#endif
