/* idn_serve.c - running an IDN policy (idn.h): serving each request by
 * the cheapest allocated candidate with capacity left, making the world
 * hold an allocation, and the per-slot records and run metrics.
 */
#include "policy/idn_impl.h"

#include <math.h>
#include <string.h>

/* ---------- serving and the world ---------- */

/* The first candidate of type t that is allocated (per `have`, or the
 * world when have is NULL) and has capacity left in used[]; -1 for the
 * repository. */
static long first_fit(const st_idn *g, const st_view *v, size_t t,
                      const unsigned char *have, double *used)
{
    const idn_type *ty = &g->types[t];
    for (size_t k = 0; k < ty->n; k++) {
        const cand *c = &g->cands[ty->first + k];
        int alloc = have ? have[c->var] : st_view_resident(v, c->node, c->model);
        if (alloc && used[c->var] < g->var_cap[c->var]) {
            used[c->var]++;
            return (long)k;
        }
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
    if (t < 0) {   /* not from the workload the types were built from */
        out->drop = 1;
        return (st_idn_served){-1, -1, NO_VAR};
    }
    const idn_type *ty = &g->types[t];
    long pos = first_fit(g, v, (size_t)t, NULL, g->used);
    long spos = first_fit(g, v, (size_t)t, g->static_x, g->used_static);
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

void st_idn_apply(st_idn *g, const st_view *v, const unsigned char *x)
{
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

/* ---------- the slot's records ---------- */

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
    /* Run metrics over the slots that start after the warm-up, like the
     * other metrics. */
    if ((double)k * g->p.slot_s >= g->sc->warmup_s - 1e-9) {
        g->m_slots++;
        g->m_gain += g->gain;
        g->m_static += g->gain_static;
        g->m_loads += g->loads;
        if (!isnan(frac)) {
            g->m_frac += frac;
            g->m_frac_slots++;
        }
        st_view_metric(v, "idn_slots", (double)g->m_slots);
        st_view_metric(v, "idn_gain_per_slot", g->m_gain / (double)g->m_slots);
        st_view_metric(v, "idn_gain_vs_static",
                       g->m_static > 0 ? g->m_gain / g->m_static : NAN);
        st_view_metric(v, "idn_loads_per_slot", g->m_loads / (double)g->m_slots);
        if (g->m_frac_slots)
            st_view_metric(v, "idn_fractional_gain_per_slot",
                           g->m_frac / (double)g->m_frac_slots);
    }
    memset(g->r, 0, g->n_types * sizeof *g->r);
    memset(g->used, 0, g->n_vars * sizeof *g->used);
    memset(g->used_static, 0, g->n_vars * sizeof *g->used_static);
    memset(g->served, 0, sizeof g->served);
    g->gain = g->gain_static = g->requests = g->loads = 0;
    g->slot++;
}
