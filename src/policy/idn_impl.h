/* idn_impl.h - the inside of st_idn, shared by the files that implement
 * idn.h (idn_problem.c, idn_opt.c, idn_static.c, idn_serve.c) and by
 * nothing else: the request types, their candidates, the variables and
 * the per-slot state, and the helpers one of those files offers another.
 */
#ifndef STRATA_IDN_IMPL_H
#define STRATA_IDN_IMPL_H

#include "policy/idn.h"

#define NO_VAR (-1L)

typedef struct cand {
    long var;        /* NO_VAR: the repository */
    int node, model;
    double cost;     /* seconds */
} cand;

typedef struct idn_type {
    int task, entry;
    size_t first;        /* into cands: n non-repository candidates, then the repository */
    size_t n;
    size_t path_first, path_len;
} idn_type;

typedef struct occ {
    size_t type, pos;
} occ;

struct st_idn {
    const st_scenario *sc;
    st_idn_params p;
    size_t n_nodes;
    /* variables, contiguous per node, by model within a node */
    size_t n_vars;
    int *var_node, *var_model;
    double *var_size, *var_cap;
    size_t *node_first, *node_count;
    double *node_budget;
    size_t *occ_first;   /* [n_vars + 1] into occs */
    occ *occs;
    /* types */
    size_t n_types, n_cands, max_len;
    idn_type *types;
    cand *cands;
    int *paths;
    long *type_of;       /* [n_tasks * n_nodes] */
    long *best_var;      /* [n_nodes * n_tasks] */
    /* the static reference */
    double *static_y;
    unsigned char *static_x;
    st_idn_exact static_res;
    /* the current slot */
    long slot;
    double *r, *used, *used_static;
    double gain, gain_static, requests, loads, served[ST_TIER_CLOUD + 1];
    double overflow;     /* requests passed over an allocated full candidate */
    double *offered;     /* [n_vars] requests that reached the allocated pair */
    double m_peak;       /* measured slots: the largest offered / capacity */
    long m_binding;      /* measured slots with some overflow */
    /* totals */
    double cum_gain, cum_static;
    double m_gain, m_static, m_frac, m_loads, m_overflow, m_requests;
    long m_slots, m_frac_slots;
    /* what the hindsight optimum needs: the allocation that served the
     * current slot (taken from the world) and the measured slots' counts */
    unsigned char *held;
    int have_held;
    /* the allocation last applied, and the measured slots that ended with
     * the world holding another */
    unsigned char *want;
    int has_want, on_demand, slot_mismatch;
    long m_mismatch;
    double m_model;
    double *hist;        /* m_slots rows of n_types */
    size_t cap_hist;
    /* scratch */
    double *lcap, *share;
    unsigned char *active;
};

/* The capacity each candidate offers its type for counts r (the sharing
 * rule of idn.h), into lcap[n_cands]; share is n_vars of scratch. */
void st_idn_fill_capacities(const st_idn *g, const double *r, double *lcap,
                            double *share);
/* Sum over count vectors r[i] (weights w[i], capacities lcap[i]) of the
 * marginal gain of variable j at the integral allocation x. */
double st_idn_marginal_w(const st_idn *g, const unsigned char *x,
                         const double *const *r, const double *const *lcap,
                         const double *w, size_t nr, size_t j);
/* The lazy greedy fill by marginal gain per MB over weighted count
 * vectors, on one node's variables (the others fixed as x holds them) or,
 * with node -1, on all from nothing. */
void st_idn_greedy_fill(const st_idn *g, const double *const *r,
                        const double *w, size_t nr, unsigned char *x,
                        long node);
/* Solves the static reference into g->static_y and g->static_x. */
void st_idn_solve_static(st_idn *g);

#endif
