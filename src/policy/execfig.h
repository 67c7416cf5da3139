/* execfig.h - each (hardware, model)'s execution-time figures, computed
 * once when a policy starts: the mean and one quantile of the profiled
 * distribution, and the load time.  A decision reads them instead of
 * calling exp or an inverse CDF for every model it looks at;
 * st_dist_mean and st_dist_quantile are pure functions of the profile,
 * so the figures are the bits those calls return.  Also each (hardware,
 * task)'s menu: the models of the task the hardware has a profile for,
 * with their figures and load times, the ones a decision would
 * otherwise find by testing every model.
 * Private to src/policy.
 */
#ifndef STRATA_POLICY_EXECFIG_H
#define STRATA_POLICY_EXECFIG_H

#include <stddef.h>
#include "strata/policy.h"

/* A model on a menu, with its figures on that hardware. */
typedef struct ef_item {
    int model;
    double mean, quant, load_s;
} ef_item;

typedef struct ef_table {
    size_t n_models, n_tasks;
    double *mean;    /* [n_hardware x n_models]; NaN where not present */
    double *quant;   /* the quantile asked for (the mean when p <= 0) */
    ef_item *menu;   /* (hardware, task) i's models: menu[menu_at[i] ..
                        menu_at[i + 1]), in model order */
    size_t *menu_at;
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

/* The models of task that node (-1: none) has a profile for, in model
 * order (the models m with st_view_profile(v, node, m) whose task it
 * is), each with its figures there: its mean, quantile and load time.
 * *n of them. */
static inline const ef_item *ef_menu(const ef_table *t, const st_view *v,
                                     int node, int task, size_t *n)
{
    *n = 0;
    if (node < 0 || task < 0 || (size_t)task >= t->n_tasks)
        return NULL;
    size_t i = (size_t)st_view_node_hardware(v, node) * t->n_tasks + (size_t)task;
    *n = t->menu_at[i + 1] - t->menu_at[i];
    return t->menu + t->menu_at[i];
}

/* Its quantile at the p given to ef_init. */
static inline double ef_quant(const ef_table *t, const st_view *v, int node,
                              int model)
{
    return t->quant[ef_index(t, v, node, model)];
}

#endif
