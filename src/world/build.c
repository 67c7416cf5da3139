/* build.c - a world from a scenario: its nodes, devices, links, task
 * tables and random streams; running it with one policy from the first
 * arrival to the end of the drain; and tearing it down.  What happens
 * between is world.c.
 */
#include "world/runtime.h"
#include "policy/registry.h"
#include "base/rng.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void init_node(world *w, node_rt *n, int hw, int executors,
                      double memory_mb, const unsigned char *preload,
                      unsigned char *block)
{
    size_t nm = w->sc->n_models;
    n->hw = hw;
    n->executors = executors;
    n->memory_mb = memory_mb;
    n->last_use = (double *)block;
    n->ready_at = n->last_use + nm;
    n->pinned = (unsigned *)(n->ready_at + nm);
    n->inbound = n->pinned + nm;
    n->resident = (unsigned char *)(n->inbound + nm);
    n->evicting = n->resident + nm;
    for (size_t m = 0; m < nm; m++) {
        const st_profile *pr = &w->sc->hardware[hw].per_model[m];
        if (preload[m] && pr->present && n->used_mb + pr->memory_mb <= memory_mb) {
            n->resident[m] = 1;
            n->used_mb += pr->memory_mb;
        }
    }
}

static int setup(world *w, const st_scenario *sc)
{
    size_t nm = sc->n_models;
    size_t per_node = nm * (2 * sizeof(double) + 2 * sizeof(unsigned) + 2);
    per_node = (per_node + 7) & ~(size_t)7;
    w->n_infra = (int)sc->n_nodes;
    w->n_all = w->n_infra + (int)sc->n_devices;
    w->nodes = calloc((size_t)w->n_all, sizeof *w->nodes);
    w->devs = calloc((size_t)sc->n_devices, sizeof *w->devs);
    unsigned char *blocks = w->blocks = calloc((size_t)w->n_all, per_node);
    if (!w->nodes || !w->devs || !blocks)
        return -1;
    for (size_t c = 0; c < sc->n_device_classes; c++)
        if (sc->devices[c].link.transport.kind == ST_TRANSPORT_TCP && !w->conns &&
            !(w->conns = calloc(2 * (size_t)sc->n_devices, sizeof *w->conns)))
            return -1;
    for (int i = 0; i < w->n_infra; i++)
        init_node(w, &w->nodes[i], sc->nodes[i].hardware, sc->nodes[i].executors,
                  sc->nodes[i].memory_mb, sc->nodes[i].preload,
                  blocks + (size_t)i * per_node);
    sl_setup(w);
    gsl_rng *r_off = st_rng_stream(sc->seed, "trace-offsets");
    long dev = 0;
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        const st_device_class *dc = &sc->devices[c];
        for (long k = 0; k < dc->count; k++, dev++) {
            device_rt *d = &w->devs[dev];
            int node = w->n_infra + (int)dev;
            d->cls = (int)c;
            d->attach = dc->n_attach ? dc->attach_nodes[k % (long)dc->n_attach]
                                     : dc->attach;
            if (dc->link.up.n_traces)
                d->up_tr = dc->link.up.traces[k % (long)dc->link.up.n_traces];
            if (dc->link.down.n_traces)
                d->down_tr = dc->link.down.traces[k % (long)dc->link.down.n_traces];
            const st_trace *span = d->down_tr ? d->down_tr : d->up_tr;
            if (span && dc->link.random_offset)
                d->offset = gsl_rng_uniform(r_off) * span->duration;
            init_node(w, &w->nodes[node], dc->hardware, dc->executors,
                      dc->memory_mb, dc->preload, blocks + (size_t)node * per_node);
            double first;
            if (dc->arrival.kind == ST_ARRIVAL_CONSTANT)
                first = gsl_rng_uniform(w->r_arrivals) / dc->arrival.rate;
            else if (dc->arrival.kind == ST_ARRIVAL_TIMES) {
                d->next_time = 0;
                first = world_next_gap(w, d, 0);
            } else {
                d->on_end = dc->arrival.kind == ST_ARRIVAL_ONOFF
                    ? gsl_ran_exponential(w->r_arrivals, dc->arrival.on_s) : INFINITY;
                first = world_next_gap(w, d, 0);
            }
            if (first < w->end_arrivals)
                st_sim_at(w->sim, first, world_ev_arrival, d, (uint64_t)dev);
        }
    }
    gsl_rng_free(r_off);
    return 0;
}

/* A sampling table of Zipf weights per class that draws its tasks. */
static int setup_tasks(world *w)
{
    const st_scenario *sc = w->sc;
    w->task_tables = calloc(sc->n_device_classes ? sc->n_device_classes : 1,
                            sizeof *w->task_tables);
    if (!w->task_tables)
        return -1;
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        const st_task_mix *mix = &sc->devices[c].mix;
        if (!mix->n)
            continue;
        double *p = malloc(mix->n * sizeof *p);
        if (!p)
            return -1;
        for (size_t k = 0; k < mix->n; k++)
            p[k] = st_task_mix_prob(mix, k);
        w->task_tables[c] = gsl_ran_discrete_preproc(mix->n, p);
        free(p);
        if (!w->task_tables[c])
            return -1;
    }
    return 0;
}

static void teardown(world *w)
{
    if (w->pol.ops && w->pol.ops->fini)
        w->pol.ops->fini(&w->pol);
    if (w->pol.rng)
        gsl_rng_free(w->pol.rng);
    sl_free(w);
    free(w->blocks);
    free(w->nodes);
    for (long i = 0; w->devs && i < w->sc->n_devices; i++)
        st_evq_free(w->devs[i].dq);
    free(w->devs);
    free(w->conns);
    while (w->chunks) {
        chunk *c = w->chunks;
        w->chunks = c->next;
        free(c);
    }
    for (size_t c = 0; w->task_tables && c < w->sc->n_device_classes; c++)
        if (w->task_tables[c])
            gsl_ran_discrete_free(w->task_tables[c]);
    free(w->task_tables);
    gsl_rng_free(w->r_tasks);
    measure_free(&w->meas);
    gsl_rng_free(w->r_probe);
    gsl_rng_free(w->r_arrivals);
    gsl_rng_free(w->r_exec);
    gsl_rng_free(w->r_rtt);
    gsl_rng_free(w->r_slo);
    st_sim_free(w->sim);
}

int st_world_run_ops(const st_scenario *sc, const st_policy_ops *ops,
                     const st_params *params, const st_run_opts *o,
                     st_run_result *out, st_error *err)
{
    static const st_run_opts defaults = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    world w = {0};
    memset(out, 0, sizeof *out);
    w.sc = sc;
    w.opts = o ? o : &defaults;
    w.view.w = &w;
    w.end_arrivals = sc->duration_s;
    w.sim = st_sim_new(&w);
    w.r_arrivals = st_rng_stream(sc->seed, "arrivals");
    w.r_exec = st_rng_stream(sc->seed, "exec-noise");
    w.r_rtt = st_rng_stream(sc->seed, "rtt");
    w.r_slo = st_rng_stream(sc->seed, "slo");
    w.r_probe = st_rng_stream(sc->seed, "probe-rtt");
    w.pol.ops = ops;
    w.pol.rng = st_rng_stream(sc->seed, "policy");
    w.meas = (measure){.warmup_s = sc->warmup_s, .end_s = sc->duration_s,
                       .log = w.opts->log_requests ? &out->requests : NULL};
    w.ts = &out->timeseries;
    w.r_tasks = st_rng_stream(sc->seed, "tasks");
    int rc = -1;
    if (!w.sim || !w.r_arrivals || setup_tasks(&w) != 0 || setup(&w, sc) != 0) {
        st_error_set(err, "out of memory setting up %ld devices", sc->n_devices);
        goto done;
    }
    if (st_params_validate(params, ops->name, ops->params, err) != 0 ||
        (ops->init && ops->init(&w.pol, params, &w.view, err) != 0))
        goto done;
    if (w.opts->check_only) {
        rc = 0;
        goto done;
    }
    if (ops->tick && w.pol.tick_s > 0)
        st_sim_at(w.sim, w.pol.tick_s, world_ev_tick, NULL, 0);
    st_sim_run_until(w.sim, sc->duration_s + sc->drain_s);
    measure_in_system(&w.meas, sc->duration_s, 0);
    world_finish_unfinished(&w);
    measure_fill(&w.meas, &out->metrics);
    for (size_t i = 0; i < w.pol_metrics.n; i++)   /* what the policy measured */
        st_metrics_add(&out->metrics, w.pol_metrics.items[i].name,
                       w.pol_metrics.items[i].value);
    out->events = st_sim_events(w.sim);
    rc = 0;
done:
    teardown(&w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}

int st_world_run(const st_scenario *sc, size_t policy, const st_run_opts *o,
                 st_run_result *out, st_error *err)
{
    const st_policy_spec *ps = &sc->policies[policy];
    const st_policy_ops *ops = st_policy_lookup(ps->name);
    *out = (st_run_result){0};   /* st_run_result_free is safe on failure */
    if (!ops)
        return st_error_set(err, "%s: unknown policy '%s'", sc->file, ps->name);
    return st_world_run_ops(sc, ops, &ps->params, o, out, err);
}

void st_run_result_free(st_run_result *r)
{
    st_request_log_free(&r->requests);
    st_timeseries_free(&r->timeseries);
}
