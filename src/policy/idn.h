/* idn.h - what the Inference Delivery Network policies share (infida,
 * greedy, static, lru, lfu; DESIGN section 3.2, after Si Salem et al.,
 * "Towards Inference Delivery Networks", arXiv 2105.02510).
 *
 * The network is the scenario's forest of nodes.  A request type is a
 * (task, entry node) pair: requests enter at the node their device
 * attaches to and travel up to the root, the repository, which holds every
 * model and always serves.  A type's candidates are the (node, model)
 * pairs along that path, sorted by cost
 *
 *     C = network latency to the node and back (mean link RTTs plus the
 *         input going up and the output coming down at the link rates)
 *       + inference delay (mean execution time of the model there)
 *       + alpha x (1 - accuracy),
 *
 * cut after the repository's cheapest model: nothing after it is ever
 * used.  The device's own access link is left out, as every candidate of a
 * type shares it.  A request is served by the cheapest candidate that is
 * allocated (resident on its node, as the world reports) and still has
 * capacity in the current slot, overflowing down the list, else by the
 * repository.  Its gain is the cost saved against the repository.  The
 * capacity of (node, model) is L = floor(capacity_scale x executors x
 * slot / mean execution time) requests per slot; a pair with L < 1 is no
 * candidate.
 *
 * The allocation variables are the non-repository (node, model) pairs
 * that are a candidate of some type.  For counts r (requests per type in a
 * slot) and a fractional allocation y, the gain is
 *
 *     G(y) = sum over types p, over candidates k = 0..K_p-1 of p:
 *            (C_{k+1} - C_k) x min(r_p, sum_{j <= k} l_pj y_j)
 *
 * with C_{K_p} the repository's cost and l_pj the number of type-p
 * requests candidate j could serve: its capacity L under the sharing rule
 * ("proportional" gives each type the share r_p / sum of r over the types
 * that list the pair; "full" gives each type all of L), and never more
 * than r_p.  G is concave and, on integral allocations, submodular.  The realised ("integral") gain of a slot is what the
 * served requests saved; the model G is what the learning policies
 * optimise and what the "fractional" gain reports.
 */
#ifndef STRATA_IDN_H
#define STRATA_IDN_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "strata/error.h"
#include "strata/policy.h"
#include "strata/scenario.h"
#include "policy/idn_opt.h"
#include "policy/idn_static.h"

typedef enum st_idn_sharing {
    ST_IDN_SHARE_PROPORTIONAL, ST_IDN_SHARE_FULL
} st_idn_sharing;

/* GLPK's cut families in the exact solves (idn_exact.c): cover cuts, or
 * also Gomory, MIR and clique cuts; the submodular cuts in either case. */
typedef enum st_idn_cuts {
    ST_IDN_CUTS_COVER, ST_IDN_CUTS_ALL
} st_idn_cuts;

/* Parameters every IDN policy takes (a comparison needs them equal). */
typedef struct st_idn_params {
    double alpha_s;         /* `alpha`: seconds of cost per unit of (1 - accuracy) */
    double slot_s;          /* `slot`: default the workload's task-mix slot, else 1 s */
    st_idn_sharing sharing; /* `sharing`: proportional | full */
    double capacity_scale;  /* `capacity_scale`: share of the executors' throughput */
    double static_time_limit_s; /* `static_time_limit`: seconds of branch and
                               cut per exact solve (wall clock: a run that
                               hits it is not reproducible) */
    long static_node_limit; /* `static_node_limit`: search-tree nodes per
                               exact solve, 0 for none (deterministic) */
    st_idn_cuts static_cuts; /* `static_cuts`: cover | all */
    int hindsight;          /* `hindsight`: on | off, solve the best fixed
                               allocation for the realised counts at the
                               end of the run (idn_opt_* metrics) */
    /* where `slot` was given (0 if by default or in an override), for
     * st_idn_new's check of the number of slots */
    const char *slot_file;
    size_t slot_line, slot_col;
} st_idn_params;

/* The shared parameters, for each policy's table (ST_PARAM_INCLUDE). */
extern const st_param st_idn_param_table[];

/* Reads the shared parameters (validated against a table including
 * st_idn_param_table). */
void st_idn_read_params(const st_params *params, const st_scenario *sc,
                        st_idn_params *out);

typedef struct st_idn st_idn;

/* The most memory the problem of an IDN policy takes in a run of sc with
 * these parameters (its state_size, idn_size.c), with per_var more bytes
 * per (node, model) and per_type more per request type for the policy's
 * own arrays. */
void st_idn_state_size(const st_scenario *sc, const st_params *params,
                       double per_var, double per_type, st_state_size *out);

/* Builds the request types, candidates and variables from the scenario,
 * and solves the offline static reference (see st_idn_static_x).  Fails
 * when a type's root cannot run any model of the task. */
int st_idn_new(const st_scenario *sc, const st_idn_params *p, st_idn **out,
               st_error *err);
void st_idn_free(st_idn *g);

/* --- the problem --- */
size_t st_idn_n_vars(const st_idn *g);
int st_idn_var_node(const st_idn *g, size_t j);
int st_idn_var_model(const st_idn *g, size_t j);
double st_idn_var_size(const st_idn *g, size_t j);   /* MB on its node */
double st_idn_var_capacity(const st_idn *g, size_t j); /* requests per slot */
/* A node's variables are j = first .. first + count - 1 (count 0: the
 * node is a repository or serves no type). */
void st_idn_node_vars(const st_idn *g, int node, size_t *first,
                      size_t *count);
double st_idn_node_budget(const st_idn *g, int node);   /* memory, MB */
size_t st_idn_n_types(const st_idn *g);

/* G(y) for counts r[n_types]; with grad != NULL also a supergradient
 * (each min counts as its first argument only while the second is
 * strictly below it). */
double st_idn_gain(const st_idn *g, const double *y, const double *r,
                   double *grad);
/* G(x + e_j) - G(x) for an integral x with x_j = 0. */
double st_idn_marginal(const st_idn *g, const unsigned char *x,
                       const double *r, size_t j);

/* --- running it --- */

typedef struct st_idn_served {
    int type;     /* -1: a request no type covers (dropped) */
    int pos;      /* candidate that served it; -1: the repository */
    long var;     /* its variable; -1: the repository */
} st_idn_served;

/* Serves one request as described above, counting it in the slot (and,
 * in the metric idn_overflow_share, among the requests that passed an
 * allocated candidate already at its capacity for the slot; in
 * idn_peak_load, the largest number of requests that reached an
 * allocated candidate in a measured slot over its capacity; in
 * idn_binding_slot_share, the measured slots with some overflow). */
st_idn_served st_idn_serve(st_idn *g, const st_view *v, const st_request *req,
                           st_decision *out);
/* The path of a type, entry first, root last. */
const int *st_idn_type_path(const st_idn *g, int type, size_t *len);
/* The variable of the cheapest model of task on node, or -1. */
long st_idn_best_var(const st_idn *g, int node, int task);
/* The current slot's counts per type. */
const double *st_idn_slot_counts(const st_idn *g);

/* Makes the world hold allocation x (evictions first, then loads).  A
 * measured slot that ends with the world holding something else than the
 * allocation applied last (a load that failed, a model the world loaded
 * or evicted on its own) is counted in the metric idn_mismatch_slots,
 * expected 0; policies that load on demand (st_idn_on_demand) have none. */
void st_idn_apply(st_idn *g, const st_view *v, const unsigned char *x);
void st_idn_on_demand(st_idn *g);
/* Loads or evicts one variable's model; loads are counted as
 * reallocation loads of the slot.  0, or -1 if it does not fit. */
int st_idn_set(st_idn *g, const st_view *v, size_t j, int on);

/* Closes the slot: emits its timeseries (requests, gain_integral,
 * gain_fractional unless NaN, gain_static, gain_avg_norm, served_<tier>,
 * loads) and the run metrics so far, then starts the next slot. */
void st_idn_slot_end(st_idn *g, const st_view *v, double fractional_gain);

#endif
