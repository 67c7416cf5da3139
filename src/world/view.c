/* view.c - what a policy sees of the world (the st_view_* functions of
 * strata/policy.h): the scenario, queues and resident models as nodes
 * report them, probes, the oracle's look at the future, and the IDN
 * policies' allocations and records.
 */
#include "world/runtime.h"

#include <math.h>
#include <string.h>

/* ---------- the view ---------- */

const st_scenario *st_view_scenario(const st_view *v) { return v->w->sc; }
double st_view_now(const st_view *v) { return st_sim_now(v->w->sim); }
int st_view_n_nodes(const st_view *v) { return v->w->n_infra; }

int st_view_node_hardware(const st_view *v, int node)
{
    return node_hw(v->w, node);
}

st_tier st_view_node_tier(const st_view *v, int node)
{
    return node < v->w->n_infra ? v->w->sc->nodes[node].tier : ST_TIER_DEVICE;
}

int st_view_queue_len(const st_view *v, int node)
{
    const station *st = node_station(v->w, node);
    return st->qlen + st->busy;
}

int st_view_executors(const st_view *v, int node)
{
    return node_executors(v->w, node);
}

int st_view_resident(const st_view *v, int node, int model)
{
    const world *w = v->w;
    if (node >= w->n_infra)   /* nothing evicts from a device but itself */
        return bit_get(node_resident(w, node), model);
    const node_rt *n = &w->nodes[node];
    if (n->eps)
        return sl_warm(w, node, model);
    return bit_get(n->resident, model) && !n->evicting[model];
}

int st_view_loaded(const st_view *v, int node, int model)
{
    const world *w = v->w;
    if (!st_view_resident(v, node, model))
        return 0;
    return (node < w->n_infra && w->nodes[node].eps) ||
           node_ready_at(w, node)[model] <= st_sim_now(w->sim);
}

int st_view_attach(const st_view *v, int device)
{
    return dev_rt(v->w, device)->attach;
}

int st_view_cloud(const st_view *v, int device)
{
    const st_scenario *sc = v->w->sc;
    int n = st_view_attach(v, device);
    for (int k = n; k >= 0; k = sc->nodes[k].parent)
        if (sc->nodes[k].tier == ST_TIER_CLOUD)
            return k;
    return n;
}

const st_profile *st_view_profile(const st_view *v, int node, int model)
{
    if (node < 0 || node >= v->w->n_all || model < 0)
        return NULL;
    const st_profile *p = &v->w->sc->hardware[node_hw(v->w, node)].per_model[model];
    return p->present ? p : NULL;
}

/* The round trip foreseen transfers use: only TCP's rounds need it (its
 * mean costs an exp). */
static double oracle_rtt_if_tcp(const st_view *v, int device)
{
    const world *w = v->w;
    int tcp = dev_class(w, dev_rt(w, device))->link.transport.kind ==
              ST_TRANSPORT_TCP;
    return tcp ? st_view_oracle_rtt_s(v, device) : 0;
}

double st_view_oracle_transfer_s(const st_view *v, int device, int up,
                                 double t0, double bytes)
{
    /* A copy: foreseeing a transfer does not move the window. */
    const st_tcp_conn *c = access_conn(v->w, device, up);
    st_tcp_conn copy = c ? *c : (st_tcp_conn){0};
    return access_finish(v->w, device, up, t0, bytes,
                         oracle_rtt_if_tcp(v, device), &copy) - t0;
}

void st_view_oracle_transfers_s(const st_view *v, int device, int up,
                                double t0, const double *bytes, size_t n,
                                double *out_s)
{
    access_finish_many(v->w, device, up, t0, bytes, n,
                       oracle_rtt_if_tcp(v, device), out_s);
    for (size_t k = 0; k < n; k++)
        out_s[k] -= t0;
}

double st_view_oracle_rtt_s(const st_view *v, int device)
{
    const world *w = v->w;
    return st_dist_mean(&dev_class(w, dev_rt(w, device))->link.rtt_s);
}

double st_view_probe(const st_view *v, int device, double up_bytes,
                     double down_bytes)
{
    world *w = v->w;
    const st_dist *rtt = &dev_class(w, dev_rt(w, device))->link.rtt_s;
    double rtt_up = st_dist_sample(rtt, w->r_probe);
    double t = access_send(w, device, 1, st_sim_now(w->sim), up_bytes, rtt_up);
    double rtt_down = st_dist_sample(rtt, w->r_probe);
    t = access_send(w, device, 0, t + rtt_up / 2, down_bytes, rtt_down);
    w->meas.probe_bytes += up_bytes + down_bytes;
    return t + rtt_down / 2;
}

/* ---------- allocations and records ---------- */

double st_view_memory_mb(const st_view *v, int node)
{
    return node_memory_mb(v->w, node);
}

int st_view_set_resident(const st_view *v, int node, int model, int on)
{
    world *w = v->w;
    if (node < 0 || node >= w->n_infra || model < 0 ||
        (size_t)model >= w->sc->n_models)
        return -1;
    node_rt *n = &w->nodes[node];
    const st_profile *pr = &w->sc->hardware[n->hw].per_model[model];
    if (!pr->present)
        return -1;
    if (!on) {
        if (bit_get(n->resident, model) && !n->evicting[model]) {
            n->evicting[model] = 1;
            n->evicting_mb += pr->memory_mb;
            world_evict_if_idle(w, node, model);
        }
        return 0;
    }
    if (bit_get(n->resident, model)) {
        world_evicted(w, n, model);   /* wanted again: it stays */
        return 0;
    }
    /* A model waiting for its last requests leaves within their service
     * time, less than a load takes: its memory counts as free.  A hair of
     * slack: budgets are sums of sizes computed elsewhere. */
    if (n->st.used_mb - n->evicting_mb + pr->memory_mb >
        n->memory_mb * (1 + 1e-12) + 1e-9)
        return -1;
    double now = st_sim_now(w->sim);
    bit_put(n->resident, model, 1);
    n->st.used_mb += pr->memory_mb;
    n->ready_at[model] = now + pr->load_s;
    n->last_use[model] = now;
    if (now >= w->sc->warmup_s)
        w->meas.n_realloc++;
    return 0;
}

void st_view_emit(const st_view *v, long slot, const char *name, double value)
{
    if (v->w->ts) {
        st_timeseries_push(v->w->ts, slot, name, value);
        v->w->ts->pts[v->w->ts->n - 1].t_s = st_sim_now(v->w->sim);
    }
}

void st_view_metric(const st_view *v, const char *name, double value)
{
    st_metrics *m = &v->w->pol_metrics;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].name, name) == 0) {
            m->items[i].value = value;
            return;
        }
    st_metrics_add(m, name, value);
}

