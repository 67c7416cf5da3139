/* run.h - one run of a scenario, from a loaded scenario to a finished
 * outcome that owns everything it points to (so a worker process can make
 * it and the parent store it), and storing that outcome in one
 * transaction.  `strata run`, every sweep back end and the regression gate
 * go through here.
 */
#ifndef STRATA_STUDY_RUN_H
#define STRATA_STUDY_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "strata/error.h"
#include "strata/scenario.h"
#include "results/store.h"
#include "world/world.h"

struct st_sweep;

/* A finished run (ok or failed), owning everything it points to, so it
 * can be made in one process and stored by another. */
typedef struct st_run_outcome {
    int ok;
    char run_key[17];
    char config_hash[17];
    char started[32], finished[32];   /* ISO 8601 UTC */
    char *scenario, *config_text, *policy, *params, *message;
    uint64_t seed;
    st_run_result result;
    char *names;         /* storage for metric names received from another
                          * process (NULL when they are the world's own) */
    char *ts_names;      /* the same for the time series' names */
    char *scenario_file;
    char **overrides;    /* the scenario's overrides, the seed excepted
                          * (this process only: a sweep point's are
                          * rebuilt from the sweep when stored) */
    size_t n_overrides;
    char *labels;        /* what request indices name (run_names rows),
                          * encoded by st_run_execute: travels with the
                          * outcome between processes */
} st_run_outcome;

/* The key a run of sc->policies[policy] is stored under:
 * st_scenario_run_key, and for a plugin's policy the plugin file's
 * SHA-256 too, so a changed plugin makes new runs rather than resuming
 * into results of the old code. */
void st_run_key(const st_scenario *sc, size_t policy, char out[17]);

/* Runs sc with sc->policies[policy]; out is ok, or failed with the
 * world's message (e.g. bad policy parameters). */
void st_run_execute(const st_scenario *sc, size_t policy,
                    const st_run_opts *opts, st_run_outcome *out);
/* Stores the outcome in one transaction, with point i's sweep parameters
 * when sw is not NULL.  0, or -1 with err. */
int st_run_store(st_store *db, const st_run_outcome *o, const struct st_sweep *sw,
                 size_t i, st_error *err);
void st_run_outcome_free(st_run_outcome *o);

#endif
