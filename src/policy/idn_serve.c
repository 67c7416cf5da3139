/* idn_serve.c - running an IDN policy (idn.h): serving each request by
 * the cheapest allocated candidate with capacity left, making the world
 * hold an allocation, and the per-slot records and run metrics.
 */
#include "policy/idn_impl.h"

#include "base/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- serving and the world ---------- */

/* The allocation the world holds now, as the one serving this slot. */
static void take_held(st_idn *g, const st_view *v)
{
    for (size_t j = 0; j < g->n_vars; j++)
        g->held[j] = st_view_resident(v, g->var_node[j], g->var_model[j]) != 0;
    g->have_held = 1;
}

/* The first candidate of type t that is allocated (per `have`, or the
 * world when have is NULL) and has capacity left in used[]; -1 for the
 * repository.  Every allocated candidate the request reaches counts it in
 * offered[] when that is not NULL. */
static long first_fit(const st_idn *g, const st_view *v, size_t t,
                      const unsigned char *have, double *used,
                      double *offered, int *full)
{
    const idn_type *ty = &g->types[t];
    *full = 0;
    for (size_t k = 0; k < ty->n; k++) {
        const cand *c = &g->cands[ty->first + k];
        /* the world's model serves once its load has finished */
        int alloc = have ? have[c->var] : st_view_loaded(v, c->node, c->model);
        if (alloc && offered)
            offered[c->var]++;
        if (alloc && used[c->var] < g->var_cap[c->var]) {
            used[c->var]++;
            return (long)k;
        }
        *full |= alloc;   /* passed over for want of capacity */
    }
    return -1;
}

static double cost_at(const st_idn *g, size_t t, long pos)
{
    const idn_type *ty = &g->types[t];
    return g->cands[ty->first + (pos < 0 ? ty->n : (size_t)pos)].cost;
}

st_idn_served st_idn_serve(st_idn *g, const st_view *v, const st_request *req,
                           st_decision *out)
{
    int entry = st_view_attach(v, req->device);
    long t = g->type_of[(size_t)req->task * g->n_nodes + (size_t)entry];
    out->estimate_s = NAN;
    if (!g->have_held)
        take_held(g, v);
    if (t < 0) {   /* not from the workload the types were built from */
        out->drop = 1;
        return (st_idn_served){-1, -1, NO_VAR};
    }
    const idn_type *ty = &g->types[t];
    int full, sfull;
    long pos = first_fit(g, v, (size_t)t, NULL, g->used, g->offered, &full);
    long spos = first_fit(g, v, (size_t)t, g->static_x, g->used_static, NULL,
                          &sfull);
    g->overflow += full;
    double repo = cost_at(g, (size_t)t, -1);
    g->r[t]++;
    g->requests++;
    g->gain += repo - cost_at(g, (size_t)t, pos);
    g->gain_static += repo - cost_at(g, (size_t)t, spos);
    const cand *c = &g->cands[ty->first + (pos < 0 ? ty->n : (size_t)pos)];
    g->served[st_view_node_tier(v, c->node)]++;
    out->drop = 0;
    out->node = c->node;
    out->model = c->model;
    return (st_idn_served){(int)t, (int)pos, c->var};
}

int st_idn_set(st_idn *g, const st_view *v, size_t j, int on)
{
    int node = g->var_node[j], model = g->var_model[j];
    int was = st_view_resident(v, node, model);
    if (!!was == !!on)
        return 0;
    if (st_view_set_resident(v, node, model, on) != 0)
        return -1;
    g->loads += on;
    return 0;
}

/* Is model m on node one of the node's variables? */
static int is_var(const st_idn *g, int node, int m)
{
    size_t f = g->node_first[node], n = g->node_count[node];
    for (size_t j = f; j < f + n; j++)
        if (g->var_model[j] == m)
            return 1;
    return 0;
}

/* Does the world hold exactly allocation x on the nodes with variables
 * (and nothing else there)? */
static int holds(const st_idn *g, const st_view *v, const unsigned char *x)
{
    for (size_t j = 0; j < g->n_vars; j++)
        if (!!st_view_resident(v, g->var_node[j], g->var_model[j]) != !!x[j])
            return 0;
    for (size_t node = 0; node < g->n_nodes; node++)
        for (size_t m = 0; g->node_count[node] && m < g->sc->n_models; m++)
            if (st_view_resident(v, (int)node, (int)m) && !is_var(g, (int)node, (int)m))
                return 0;
    return 1;
}

void st_idn_on_demand(st_idn *g)
{
    g->on_demand = 1;
}

void st_idn_apply(st_idn *g, const st_view *v, const unsigned char *x)
{
    /* the slot that ends now ran on the allocation applied before */
    if (g->has_want && !holds(g, v, g->want))
        g->slot_mismatch = 1;
    memcpy(g->want, x, g->n_vars);
    g->has_want = 1;
    /* A node the policy manages holds only its allocation: models that
     * are no variable (preloaded, say) are evicted too. */
    for (size_t node = 0; node < g->n_nodes; node++)
        if (g->node_count[node])
            for (size_t m = 0; m < g->sc->n_models; m++)
                if (st_view_resident(v, (int)node, (int)m) && !is_var(g, (int)node, (int)m))
                    st_view_set_resident(v, (int)node, (int)m, 0);
    for (size_t j = 0; j < g->n_vars; j++)
        if (!x[j])
            st_idn_set(g, v, j, 0);
    for (size_t j = 0; j < g->n_vars; j++)
        if (x[j])
            st_idn_set(g, v, j, 1);
}

/* ---------- the hindsight optimum ---------- */

/* Keeps a measured slot's counts and G of the allocation that served it. */
static double record_measured(st_idn *g)
{
    size_t nt = g->n_types, row = (size_t)g->m_slots - 1;
    if ((row + 1) * nt > g->cap_hist) {
        g->cap_hist = 2 * (row + 1) * nt + 64;
        g->hist = st_xrealloc(g->hist, g->cap_hist * sizeof *g->hist);
    }
    memcpy(g->hist + row * nt, g->r, nt * sizeof *g->r);
    double *y = st_xcalloc(g->n_vars + 1, sizeof *y);
    for (size_t j = 0; j < g->n_vars; j++)
        y[j] = g->held[j];
    double model = st_idn_gain(g, y, g->r, NULL);
    free(y);
    g->m_model += model;
    return model;
}

/* Does no tick follow this one?  The world schedules the next tick at
 * now + tick (the slot) while that is not past the end of arrivals (the
 * run's duration); the same sum in the same order answers exactly, so the
 * hindsight optimum is solved once. */
static int last_slot(const st_idn *g, const st_view *v)
{
    return !(st_view_now(v) + g->p.slot_s <= g->sc->duration_s);
}

static void warn_unproven(const char *what, const st_idn_exact *e)
{
    if (e->solved)
        return;
    fprintf(stderr, "strata: %s: exact static solve stopped (%s): incumbent "
            "%.6g, proven bound %.6g, gap %.3g%%\n", what,
            e->time_limit_hit ? "time limit" : e->node_limit_hit
            ? "node limit" : "solver failure", e->value, e->bound,
            100 * e->gap);
}

/* The best fixed allocation for the measured slots' realised counts, in
 * hindsight as the regret is defined, and how the policy compares. */
static void hindsight_metrics(st_idn *g, const st_view *v)
{
    size_t T = (size_t)g->m_slots;
    const double **rows = st_xcalloc(T, sizeof *rows);
    double *w = st_xcalloc(T, sizeof *w);
    for (size_t t = 0; t < T; t++) {
        rows[t] = g->hist + t * g->n_types;
        w[t] = 1.0 / (double)T;
    }
    unsigned char *x = st_xcalloc(g->n_vars + 1, 1);
    st_idn_exact e;
    st_idn_solve_exact(g, rows, w, T, g->p.static_time_limit_s,
                       g->p.static_node_limit, g->static_x, x, NULL, &e);
    warn_unproven("hindsight optimum", &e);
    double model = g->m_model / (double)T;
    st_view_metric(v, "idn_opt_gain_per_slot", e.value);
    st_view_metric(v, "idn_opt_bound_per_slot", e.bound);
    st_view_metric(v, "idn_opt_lp_per_slot", e.lp);
    st_view_metric(v, "idn_static_gap", e.gap);
    st_view_metric(v, "idn_model_gain_per_slot", model);
    st_view_metric(v, "idn_gain_vs_opt", e.value > 0 ? model / e.value : NAN);
    free(x);
    free(w);
    free(rows);
}

/* ---------- the slot's records ---------- */

/* The largest offered load over capacity of the slot's allocated pairs:
 * past 1, capacity bound. */
static double peak_load(const st_idn *g)
{
    double peak = 0;
    for (size_t j = 0; j < g->n_vars; j++)
        if (g->offered[j] > 0)
            peak = fmax(peak, g->offered[j] / g->var_cap[j]);
    return peak;
}

static const char *const served_names[] = {"served_device", "served_access",
    "served_edge", "served_regional", "served_cloud"};

void st_idn_slot_end(st_idn *g, const st_view *v, double frac)
{
    long k = g->slot;
    st_view_emit(v, k, "requests", g->requests);
    st_view_emit(v, k, "gain_integral", g->gain);
    if (!isnan(frac))
        st_view_emit(v, k, "gain_fractional", frac);
    st_view_emit(v, k, "gain_static", g->gain_static);
    g->cum_gain += g->gain;
    g->cum_static += g->gain_static;
    st_view_emit(v, k, "gain_avg_norm",
                 g->cum_static > 0 ? g->cum_gain / g->cum_static : NAN);
    for (int t = ST_TIER_ACCESS; t <= ST_TIER_CLOUD; t++)
        st_view_emit(v, k, served_names[t], g->served[t]);
    st_view_emit(v, k, "loads", g->loads);
    if (!g->have_held)
        take_held(g, v);
    /* Run metrics over the slots that start after the warm-up, like the
     * other metrics. */
    if ((double)k * g->p.slot_s >= g->sc->warmup_s - 1e-9) {
        g->m_slots++;
        g->m_gain += g->gain;
        g->m_static += g->gain_static;
        g->m_loads += g->loads;
        g->m_overflow += g->overflow;
        g->m_requests += g->requests;
        if (!isnan(frac)) {
            g->m_frac += frac;
            g->m_frac_slots++;
        }
        st_view_metric(v, "idn_slots", (double)g->m_slots);
        st_view_metric(v, "idn_gain_per_slot", g->m_gain / (double)g->m_slots);
        st_view_metric(v, "idn_gain_vs_static",
                       g->m_static > 0 ? g->m_gain / g->m_static : NAN);
        st_view_metric(v, "idn_loads_per_slot", g->m_loads / (double)g->m_slots);
        st_view_metric(v, "idn_overflow_share",
                       g->m_requests > 0 ? g->m_overflow / g->m_requests : 0);
        g->m_peak = fmax(g->m_peak, peak_load(g));
        g->m_binding += g->overflow > 0;
        st_view_metric(v, "idn_peak_load", g->m_peak);
        st_view_metric(v, "idn_binding_slot_share",
                       (double)g->m_binding / (double)g->m_slots);
        if (g->m_frac_slots)
            st_view_metric(v, "idn_fractional_gain_per_slot",
                           g->m_frac / (double)g->m_frac_slots);
        st_view_emit(v, k, "gain_model", record_measured(g));
        st_view_metric(v, "idn_static_ref_gap", g->static_res.gap);
        if (g->has_want && !g->on_demand) {
            /* ... and still holds what was applied last */
            g->m_mismatch += g->slot_mismatch || !holds(g, v, g->want);
            st_view_metric(v, "idn_mismatch_slots", (double)g->m_mismatch);
        }
        if (g->p.hindsight && last_slot(g, v))
            hindsight_metrics(g, v);
    }
    memset(g->r, 0, g->n_types * sizeof *g->r);
    memset(g->used, 0, g->n_vars * sizeof *g->used);
    memset(g->used_static, 0, g->n_vars * sizeof *g->used_static);
    memset(g->offered, 0, g->n_vars * sizeof *g->offered);
    memset(g->served, 0, sizeof g->served);
    g->gain = g->gain_static = g->requests = g->loads = g->overflow = 0;
    g->slot_mismatch = 0;
    g->slot++;
    take_held(g, v);   /* what the policy left for the next slot */
}
