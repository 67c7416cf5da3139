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

/* Marks the preloaded models present on hw resident while they fit into
 * memory_mb, in model order; returns the memory they take. */
static double preload_models(const world *w, uint64_t *res, int hw,
                             double memory_mb, const unsigned char *preload)
{
    double used = 0;
    for (size_t m = 0; m < w->sc->n_models; m++) {
        const st_profile *pr = &w->sc->hardware[hw].per_model[m];
        if (preload[m] && pr->present && used + pr->memory_mb <= memory_mb) {
            bit_put(res, (int)m, 1);
            used += pr->memory_mb;
        }
    }
    return used;
}

/* An infrastructure node and its per-model arrays, carved from block. */
static void init_node(world *w, int i, unsigned char *block)
{
    const st_node_spec *ns = &w->sc->nodes[i];
    size_t nm = w->sc->n_models;
    node_rt *n = &w->nodes[i];
    n->hw = ns->hardware;
    n->executors = ns->executors;
    n->memory_mb = ns->memory_mb;
    n->last_use = (double *)(void *)block;
    n->ready_at = n->last_use + nm;
    n->resident = (uint64_t *)(void *)(n->ready_at + nm);
    n->pinned = (unsigned *)(void *)(n->resident + w->res_words);
    n->inbound = n->pinned + nm;
    n->evicting = (unsigned char *)(n->inbound + nm);
    n->st.used_mb = preload_models(w, n->resident, n->hw, n->memory_mb,
                                   ns->preload);
}

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* The layout of a device record and its per-model state (see device_rt):
 * 128 bytes with 6 models, two cache lines. */
static void device_layout(world *w)
{
    _Static_assert(sizeof(device_rt) == 64, "a device's hot fields: one line");
    const st_scenario *sc = w->sc;
    size_t nm = sc->n_models;
    for (size_t c = 0; c < sc->n_device_classes; c++)
        w->wide_pins |= sc->devices[c].executors > UINT8_MAX;
    w->res_words = (nm + 63) / 64;
    w->off_stamp = sizeof(device_rt) + w->res_words * sizeof(uint64_t);
    w->off_pins = w->off_stamp + nm * sizeof(double);
    w->dev_stride = round8(w->off_pins + nm * (w->wide_pins ? 2 : 1));
}

/* Does some device class need a device_aux (arrival state, dispatch, SLO
 * phases) or TCP connection state? */
static int needs_aux(const st_scenario *sc)
{
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        const st_device_class *dc = &sc->devices[c];
        if (dc->arrival.kind == ST_ARRIVAL_ONOFF ||
            dc->arrival.kind == ST_ARRIVAL_TIMES ||
            dc->dispatch != ST_DISPATCH_NONE || dc->n_slo_phases)
            return 1;
    }
    return 0;
}

static int needs_tcp(const st_scenario *sc)
{
    for (size_t c = 0; c < sc->n_device_classes; c++)
        if (sc->devices[c].link.transport.kind == ST_TRANSPORT_TCP)
            return 1;
    return 0;
}

static int alloc_state(world *w, const st_scenario *sc)
{
    size_t nm = sc->n_models, nd = (size_t)sc->n_devices;
    size_t per_node = round8(nm * (2 * sizeof(double) + 2 * sizeof(unsigned) + 1) +
                             w->res_words * sizeof(uint64_t));
    w->n_infra = (int)sc->n_nodes;
    w->n_all = w->n_infra + (int)sc->n_devices;
    w->nodes = calloc(sc->n_nodes ? sc->n_nodes : 1, sizeof *w->nodes);
    w->blocks = calloc(sc->n_nodes ? sc->n_nodes : 1, per_node);
    /* cache-line aligned: a record's first line holds its hot fields */
    size_t dev_bytes = ((nd ? nd : 1) * w->dev_stride + 63) & ~(size_t)63;
    if ((w->devs = aligned_alloc(64, dev_bytes)))
        memset(w->devs, 0, dev_bytes);
    w->cls_first = calloc(sc->n_device_classes + 1, sizeof *w->cls_first);
    if (needs_aux(sc))
        w->aux = calloc(nd ? nd : 1, sizeof *w->aux);
    if (needs_tcp(sc))
        w->conns = calloc(2 * (nd ? nd : 1), sizeof *w->conns);
    if (!w->nodes || !w->blocks || !w->devs || !w->cls_first ||
        (needs_aux(sc) && !w->aux) || (needs_tcp(sc) && !w->conns))
        return -1;
    for (int i = 0; i < w->n_infra; i++)
        init_node(w, i, w->blocks + (size_t)i * per_node);
    return 0;
}

/* Device k of class c (device number dev): its record, and its first
 * arrival scheduled. */
static void init_device(world *w, gsl_rng *r_off, int c, long k, long dev)
{
    const st_device_class *dc = &w->sc->devices[c];
    device_rt *d = dev_rt(w, dev);
    d->cls = c;
    d->attach = dc->n_attach ? dc->attach_nodes[k % (long)dc->n_attach]
                             : dc->attach;
    const st_link_dir *span = dc->link.down.n_traces ? &dc->link.down
                            : dc->link.up.n_traces ? &dc->link.up : NULL;
    if (span && dc->link.random_offset)
        d->offset = gsl_rng_uniform(r_off) *
                    span->traces[k % (long)span->n_traces]->duration;
    d->st.used_mb = preload_models(w, node_resident(w, w->n_infra + (int)dev),
                                   dc->hardware, dc->memory_mb, dc->preload);
    double first;
    if (dc->arrival.kind == ST_ARRIVAL_CONSTANT)
        first = gsl_rng_uniform(w->r_arrivals) / dc->arrival.rate;
    else if (dc->arrival.kind == ST_ARRIVAL_TIMES) {
        dev_aux(w, dev)->next_time = 0;
        first = world_next_gap(w, dev, 0);
    } else {
        if (dc->arrival.kind == ST_ARRIVAL_ONOFF)
            dev_aux(w, dev)->on_end =
                gsl_ran_exponential(w->r_arrivals, dc->arrival.on_s);
        first = world_next_gap(w, dev, 0);
    }
    if (first < w->end_arrivals)
        st_sim_at(w->sim, first, world_ev_arrival, d, (uint64_t)dev);
}

static int setup(world *w, const st_scenario *sc)
{
    device_layout(w);
    if (alloc_state(w, sc) != 0)
        return -1;
    sl_setup(w);
    gsl_rng *r_off = st_rng_stream(sc->seed, "trace-offsets");
    long dev = 0;
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        w->cls_first[c] = dev;
        for (long k = 0; k < sc->devices[c].count; k++, dev++)
            init_device(w, r_off, (int)c, k, dev);
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
    for (long i = 0; w->aux && i < w->sc->n_devices; i++)
        st_evq_free(w->aux[i].dq);
    free(w->aux);
    free(w->devs);
    free(w->cls_first);
    free(w->conns);
    free(w->accq);
    while (w->chunks) {
        chunk *c = w->chunks;
        w->chunks = c->next;
        free(c->block);
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
    st_timers_free(w->timeouts);
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
