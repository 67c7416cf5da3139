/* membound.h - the memory a study needs, bounded before it runs: for each
 * run, the world's own state (st_world_size_of) and what its policy
 * declares its state takes (st_policy_ops.state_size), against the limit
 * of base/memlimit.h.  A run, a list of policies run one after another or
 * a sweep's points run `jobs` at a time is refused (exit 2) before it
 * starts and before anything is written to a database. */
#ifndef STRATA_STUDY_MEMBOUND_H
#define STRATA_STUDY_MEMBOUND_H

#include "strata/error.h"
#include "strata/scenario.h"
#include "world/world.h"

/* One run's bound, by part. */
typedef struct st_membound {
    st_world_size world;
    double policy;       /* the policy's declared state */
    double total;
} st_membound;

/* The bound of a run of sc->policies[p]. */
void st_membound_of(const st_scenario *sc, size_t p, const st_run_opts *o,
                    st_membound *out);
/* The policy of sc whose run has the largest bound (0 when there is
 * none), and that bound in *out. */
size_t st_membound_heaviest(const st_scenario *sc, const st_run_opts *o,
                            st_membound *out);
/* Checks a run of every policy of sc, one after another in this process
 * (`strata run` keeps each run's request log until the last has run).
 * 0, or -1 with err naming the scenario's file:line (where the heaviest
 * policy is named), what the run needs, the limit and how to raise it. */
int st_membound_check(const st_scenario *sc, const st_run_opts *o,
                      st_error *err);
/* Checks that `jobs` runs bounded by bytes[0..n) at once fit: the sum of
 * the `jobs` largest.  `what` names the study for the message (a sweep
 * file).  0, or -1 with err. */
int st_membound_check_many(const char *what, const double *bytes, size_t n,
                           int jobs, st_error *err);

#endif
