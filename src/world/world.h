/* world.h - runs one scenario with one policy: the request lifecycle on
 * devices, links and nodes, driven by the engine's event loop.
 *
 * arrive -> policy decides (model, node) -> upload over each link of the
 * path (trace-integrated, FIFO per link direction) -> queue at the node
 * (FIFO, `executors` in parallel) -> load the model if not resident (LRU
 * eviction under the memory budget) -> execute (sampled) -> download ->
 * complete.  Every request ends in exactly one outcome.
 *
 * The lifecycle is world.c; what a run measures, measure.c (metrics.c
 * holds the metric list and request log types); what a policy sees of the
 * world (every st_view_*), view.c; runtime.h is the state they share.
 */
#ifndef STRATA_WORLD_H
#define STRATA_WORLD_H

#include <stdint.h>
#include "strata/error.h"
#include "strata/metrics.h"
#include "strata/policy.h"
#include "strata/scenario.h"

typedef struct st_run_opts {
    int log_requests;       /* fill st_run_result.requests */
    int check_only;         /* set up and initialise the policy (checking
                               its params), then stop without simulating */
} st_run_opts;

typedef struct st_run_result {
    st_metrics metrics;
    st_request_log requests;
    st_timeseries timeseries;   /* what the policy recorded per slot */
    uint64_t events;
    double wall_s;
} st_run_result;

/* Runs sc with sc->policies[policy]; 0, or -1 with err (bad policy
 * parameters).  Deterministic: same scenario and seed, same result. */
int st_world_run(const st_scenario *sc, size_t policy, const st_run_opts *o,
                 st_run_result *out, st_error *err);
/* Same with an explicit policy implementation (tests, plugins). */
int st_world_run_ops(const st_scenario *sc, const st_policy_ops *ops,
                     const st_params *params, const st_run_opts *o,
                     st_run_result *out, st_error *err);
void st_run_result_free(st_run_result *r);

/* The most memory the world's own state takes in one run of sc (the
 * policy's state aside), in bytes by part, from the sizes of the
 * structures it allocates (bound.c); requests is what the workload makes
 * over the run, for the policy's per-request part. */
typedef struct st_world_size {
    double devices;     /* device records with their per-model state,
                           arrival and dispatch state, connections */
    double nodes;       /* infrastructure nodes and their per-model state */
    double pending;     /* the event queue: each device's next arrival */
    double in_flight;   /* requests in flight at once, with their events */
    double results;     /* per measured request: latency, estimate error
                           and the sort's scratch */
    double log;         /* the request log (o->log_requests) */
    double requests;
} st_world_size;
void st_world_size_of(const st_scenario *sc, const st_run_opts *o,
                      st_world_size *out);

#endif
