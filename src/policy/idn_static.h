/* idn_static.h - the offline static reference of the IDN policies: the
 * exact best fixed allocation for given request counts (idn_exact.c, a
 * mixed-integer program solved by GLPK) and the reference every IDN
 * policy serves against, solved on the workload's expected counts
 * (idn_static.c).  Private to src/policy; included through idn.h.
 */
#ifndef STRATA_IDN_STATIC_H
#define STRATA_IDN_STATIC_H

#include <stddef.h>

typedef struct st_idn st_idn;

/* What an exact solve found.  Values are of the weighted gain
 * sum_i w_i G(x; r_i). */
typedef struct st_idn_exact {
    double value;        /* of the allocation returned (G recomputed from it) */
    double bound;        /* proven upper bound on any integral allocation */
    double lp;           /* the LP relaxation's optimum (INFINITY: unsolved) */
    double greedy;       /* of the greedy fill */
    double gap;          /* (bound - value) / value: 0 when proven optimal */
    int solved;          /* proven optimal */
    int time_limit_hit, node_limit_hit;
} st_idn_exact;

/* The best integral allocation x for count vectors r[0..nr) with weights
 * w (see idn_exact.c), and into y (when not NULL) the LP relaxation's
 * fractional optimum.  time_limit_s bounds the branch and cut (wall
 * clock); node_limit (0: none) its search-tree nodes.  start (NULL:
 * none) is an allocation to offer as the first incumbent when it fits
 * and beats the greedy fill.  0, or -1 when GLPK failed, in which case x
 * is that first incumbent and nothing is proven (bound = INFINITY). */
int st_idn_solve_exact(const st_idn *g, const double *const *r,
                       const double *w, size_t nr, double time_limit_s,
                       long node_limit, const unsigned char *start,
                       unsigned char *x, double *y, st_idn_exact *out);

/* sum_i w_i G(x; r_i) for an integral x. */
double st_idn_phases_gain_x(const st_idn *g, const unsigned char *x,
                            const double *const *r, const double *w,
                            size_t nr);

/* Expected requests per type in each slot of the run, from the workload's
 * rates and popularity: counts[slot * n_types + type].  What only an
 * offline reference may read. */
double *st_idn_expected_counts(const st_idn *g, size_t *n_slots);
/* The static reference: the exact best fixed allocation for the whole
 * run's expected counts (identical slots grouped), its LP relaxation's
 * fractional optimum, and what the solve proved. */
const unsigned char *st_idn_static_x(const st_idn *g);
const double *st_idn_static_y(const st_idn *g);
const st_idn_exact *st_idn_static_result(const st_idn *g);

#endif
