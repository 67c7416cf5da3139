/* execfig.h - each (hardware, model)'s execution-time figures, computed
 * once when a policy starts: the mean and one quantile of the profiled
 * distribution.  A decision reads them instead of calling exp or an
 * inverse CDF for every model it looks at; st_dist_mean and
 * st_dist_quantile are pure functions of the profile, so the figures are
 * the bits those calls return.  Private to src/policy.
 */
#ifndef STRATA_POLICY_EXECFIG_H
#define STRATA_POLICY_EXECFIG_H

#include <stddef.h>
#include "strata/policy.h"

typedef struct ef_table {
    size_t n_models;
    double *mean;    /* [n_hardware x n_models]; NaN where not present */
    double *quant;   /* the quantile asked for (the mean when p <= 0) */
} ef_table;

/* Fills t for every hardware of v's scenario, the quantile at p (p <= 0:
 * the mean).  Returns 0, or -1 with err set when out of memory. */
int ef_init(ef_table *t, const st_view *v, double p, st_error *err);
void ef_free(ef_table *t);
/* The bytes ef_init allocates for sc (its state_size). */
double ef_bytes(const st_scenario *sc);

static inline size_t ef_index(const ef_table *t, const st_view *v, int node,
                              int model)
{
    return (size_t)st_view_node_hardware(v, node) * t->n_models + (size_t)model;
}

/* The mean execution time of model at node (a device or an infra node). */
static inline double ef_mean(const ef_table *t, const st_view *v, int node,
                             int model)
{
    return t->mean[ef_index(t, v, node, model)];
}

/* Its quantile at the p given to ef_init. */
static inline double ef_quant(const ef_table *t, const st_view *v, int node,
                              int model)
{
    return t->quant[ef_index(t, v, node, model)];
}

#endif
