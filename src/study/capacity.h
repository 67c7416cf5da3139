/* capacity.h - the highest arrival rate at which a policy still meets an
 * attainment target, found by bracketing and bisection over single runs.
 */
#ifndef STRATA_STUDY_CAPACITY_H
#define STRATA_STUDY_CAPACITY_H

/* The finest relative precision the search is asked for: a double's
 * bracket cannot shrink much below 1e-15, and every step is a run. */
#define ST_CAPACITY_MIN_TOL 1e-9

#include <stddef.h>
#include "strata/error.h"
#include "strata/scenario.h"

typedef struct st_capacity_opts {
    double target;        /* SLO attainment to meet, in (0, 1] */
    double tol;           /* stop when (hi - lo) / lo <= tol (at least
                             ST_CAPACITY_MIN_TOL) */
    size_t reps;          /* seeds averaged per rate, from the scenario's */
} st_capacity_opts;

typedef struct st_capacity_result {
    int found;            /* 0: not even the lowest rate tried meets it
                           * (halving stops below 100 measured requests) */
    int unbounded;        /* 1: even the highest rate tried meets it */
    double factor;        /* multiplier of the scenario's arrival rates */
    double rate_per_s;    /* offered requests/s over all devices */
    double attainment;    /* mean attainment at that rate */
    size_t runs;          /* simulations it took */
} st_capacity_result;

/* The highest request rate (a common factor on every device class's
 * arrival rate) at which sc->policies[policy] still meets o->target,
 * by bracketing (doubling or halving from the scenario's rates) and
 * bisection.  The scenario is reloaded from path with overrides plus the
 * scaled rates.  0, or -1 with err. */
int st_capacity_search(const char *path, const char *const *overrides,
                       size_t n_overrides, const st_scenario *sc,
                       size_t policy, const st_capacity_opts *o,
                       st_capacity_result *out, st_error *err);

#endif
