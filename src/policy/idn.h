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

typedef enum st_idn_sharing {
    ST_IDN_SHARE_PROPORTIONAL, ST_IDN_SHARE_FULL
} st_idn_sharing;

/* Parameters every IDN policy takes (a comparison needs them equal). */
typedef struct st_idn_params {
    double alpha_s;         /* `alpha`: seconds of cost per unit of (1 - accuracy) */
    double slot_s;          /* `slot`: default the workload's task-mix slot, else 1 s */
    st_idn_sharing sharing; /* `sharing`: proportional | full */
    double capacity_scale;  /* `capacity_scale`: share of the executors' throughput */
    long static_iters;      /* `static_iters`: offline mirror-ascent steps */
    double static_eta;      /* `static_eta`: their (normalised) step size */
    long static_draws;      /* `static_draws`: roundings tried, best kept */
} st_idn_params;

/* The shared parameters, for each policy's table (ST_PARAM_INCLUDE). */
extern const st_param st_idn_param_table[];

/* Reads the shared parameters (validated against a table including
 * st_idn_param_table). */
void st_idn_read_params(const st_params *params, const st_scenario *sc,
                        st_idn_params *out);

typedef struct st_idn st_idn;

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

/* The Bregman projection for the weighted negative entropy
 * sum_m s_m y_m log y_m onto {sum_m s_m y_m = b, 0 <= y_m <= 1}: y_m =
 * min(1, c yhat_m) with c found exactly by sorting.  yhat > 0.  When
 * sum s <= b the set holds only y = 1, which is returned. */
void st_idn_project(const double *yhat, const double *s, size_t n, double b,
                    double *y);
/* What DepRound does with the entry its pairing leaves fractional, which
 * happens only with unequal sizes and is usually the largest (it survives
 * every pairing with a smaller one). */
typedef enum st_idn_leftover {
    ST_IDN_LEFTOVER_DOWN,  /* rounded down: that entry alone is biased low */
    ST_IDN_LEFTOVER_FAIR   /* kept with its probability, other kept
                              entries leaving at random until it fits:
                              the bias is spread over the others */
} st_idn_leftover;

/* DepRound: a random integral x from y, pairing fractional entries (in a
 * random order) and moving size-weighted mass between them, each move
 * keeping both entries' expectations and sum s_m z_m, until at most one
 * is fractional; that one is settled by `leftover`.  Every draw fits the
 * budget sum s_m y_m.  With equal sizes and an integral sum y nothing is
 * left over: the draw meets the budget exactly and E[x] = y. */
void st_idn_depround(const double *y, const double *s, size_t n,
                     st_idn_leftover leftover, gsl_rng *rng, unsigned char *x);
/* Both applied node by node to a whole allocation. */
void st_idn_project_all(const st_idn *g, const double *yhat, double *y);
void st_idn_round_all(const st_idn *g, const double *y,
                      st_idn_leftover leftover, gsl_rng *rng, unsigned char *x);

/* One step of online mirror ascent on the whole allocation: y <-
 * project(y e^{eta grad / s}) node by node (scratch: n_vars doubles).
 * Entries never fall below 1e-12 of their node's largest before the
 * projection, so a multiplicative state can always recover. */
void st_idn_mirror_ascent_step(const st_idn *g, double *y, const double *grad,
                               double eta, double *scratch);
/* The greedy fill: from nothing, repeatedly allocate the variable with the
 * largest marginal gain per MB for counts r that fits its node's free
 * memory, while that gain is positive.  st_idn_greedy fills every node
 * together; st_idn_greedy_node refills one node's variables of x, the
 * other nodes fixed as x holds them. */
void st_idn_greedy(const st_idn *g, const double *r, unsigned char *x);
void st_idn_greedy_node(const st_idn *g, const double *r, unsigned char *x,
                        int node);

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

/* --- running it --- */

typedef struct st_idn_served {
    int type;     /* -1: a request no type covers (dropped) */
    int pos;      /* candidate that served it; -1: the repository */
    long var;     /* its variable; -1: the repository */
} st_idn_served;

/* Serves one request as described above, counting it in the slot. */
st_idn_served st_idn_serve(st_idn *g, const st_view *v, const st_request *req,
                           st_decision *out);
/* The path of a type, entry first, root last. */
const int *st_idn_type_path(const st_idn *g, int type, size_t *len);
/* The variable of the cheapest model of task on node, or -1. */
long st_idn_best_var(const st_idn *g, int node, int task);
/* The current slot's counts per type. */
const double *st_idn_slot_counts(const st_idn *g);

/* Makes the world hold allocation x (evictions first, then loads). */
void st_idn_apply(st_idn *g, const st_view *v, const unsigned char *x);
/* Loads or evicts one variable's model; loads are counted as
 * reallocation loads of the slot.  0, or -1 if it does not fit. */
int st_idn_set(st_idn *g, const st_view *v, size_t j, int on);

/* Closes the slot: emits its timeseries (requests, gain_integral,
 * gain_fractional unless NaN, gain_static, gain_avg_norm, served_<tier>,
 * loads) and the run metrics so far, then starts the next slot. */
void st_idn_slot_end(st_idn *g, const st_view *v, double fractional_gain);

#endif
