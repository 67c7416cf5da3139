/* serverless.c - nodes made of serverless endpoints (st_serverless in
 * scenario.h): one endpoint per model with at most max_concurrency
 * instances, throttling or queueing beyond that, warm instances that
 * scale to zero after keep_alive_s idle, and cold starts.  The lifecycle
 * (world.c) hands such a node's arrivals and completions here.
 */
#include "world/runtime.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct endpoint {
    int busy;
    fifo queue;
    double *idle;     /* idle-since stamps of warm instances, oldest first */
    int n_idle;
};

double sl_endpoint_bytes(void)
{
    return sizeof(endpoint);
}

void sl_setup(world *w)
{
    const st_scenario *sc = w->sc;
    for (int k = 0; k < w->n_infra; k++) {
        const st_serverless *s = &sc->nodes[k].serverless;
        node_rt *n = &w->nodes[k];
        if (!s->on)
            continue;
        n->eps = st_xcalloc(sc->n_models, sizeof *n->eps);
        for (size_t m = 0; m < sc->n_models; m++) {
            endpoint *e = &n->eps[m];
            e->idle = st_xcalloc((size_t)s->max_concurrency, sizeof *e->idle);
            e->n_idle = bit_get(n->resident, (int)m);   /* preloaded: one warm instance */
        }
    }
}

void sl_free(world *w)
{
    for (int k = 0; w->nodes && k < w->n_infra; k++) {
        node_rt *n = &w->nodes[k];
        for (size_t m = 0; n->eps && m < w->sc->n_models; m++)
            free(n->eps[m].idle);
        free(n->eps);
    }
}

/* Drops the instances idle longer than keep_alive_s by now. */
static void expire(const st_serverless *s, endpoint *e, double now)
{
    int k = 0;
    while (k < e->n_idle && now - e->idle[k] > s->keep_alive_s)
        k++;
    if (k == 0)   /* the usual case: a call per start saved */
        return;
    memmove(e->idle, e->idle + k, (size_t)(e->n_idle - k) * sizeof *e->idle);
    e->n_idle -= k;
}

int sl_warm(const world *w, int node, int model)
{
    const node_rt *n = &w->nodes[node];
    const endpoint *e = &n->eps[model];
    double now = st_sim_now(w->sim);
    return e->busy > 0 || (e->n_idle > 0 && now - e->idle[e->n_idle - 1] <=
                           w->sc->nodes[node].serverless.keep_alive_s);
}

/* Runs r on an instance: the most recently idle warm one, else a new one
 * that pays the cold start. */
static void start(world *w, int node, request *r)
{
    const st_serverless *s = &w->sc->nodes[node].serverless;
    node_rt *n = &w->nodes[node];
    endpoint *e = &n->eps[r->dec.model];
    const st_profile *pr = &w->sc->hardware[n->hw].per_model[r->dec.model];
    double now = st_sim_now(w->sim);
    expire(s, e, now);
    e->busy++;
    n->st.busy++;
    r->queue_s = now - r->t_node;
    r->load_s = 0;
    if (e->n_idle > 0) {
        e->n_idle--;
    } else {
        r->load_s = pr->load_s;
        r->cold = 1;
        if (r->measured)
            w->meas.n_loads++;
    }
    r->exec_s = st_dist_sample(&pr->exec_s, w->r_exec);
    st_sim_at(w->sim, now + r->load_s + r->exec_s, world_exec_done, r,
              (uint64_t)node);
}

void sl_arrive(world *w, int node, request *r)
{
    const st_serverless *s = &w->sc->nodes[node].serverless;
    node_rt *n = &w->nodes[node];
    endpoint *e = &n->eps[r->dec.model];
    r->t_node = st_sim_now(w->sim);
    if (e->busy < s->max_concurrency) {
        start(w, node, r);
    } else if (s->queue_throttled) {
        fifo_push(&e->queue, r);
        n->st.qlen++;
    } else if (r->ghost) {
        req_release(w, r);
    } else {
        world_throttled(w, r);
    }
}

void sl_done(world *w, int node, request *r)
{
    node_rt *n = &w->nodes[node];
    endpoint *e = &n->eps[r->dec.model];
    e->busy--;
    n->st.busy--;
    e->idle[e->n_idle++] = st_sim_now(w->sim);
    request *q;
    while ((q = fifo_pop(&e->queue))) {
        n->st.qlen--;
        if (!world_cancels(w, node, q)) {
            start(w, node, q);
            return;
        }
        req_release(w, q);
    }
}
