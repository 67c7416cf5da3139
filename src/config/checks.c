/* checks.c - cross-checks over the whole scenario once every section is
 * read: every task servable from where its devices attach, no
 * disconnected node, memory budgets that fit a model, and the size of a
 * run (its per-model states and requests) bounded before it starts. */
#include "config/load.h"
#include "base/xalloc.h"
#include "config/size.h"

#include <stdio.h>

#include <stdlib.h>

/* Can a request for task from a device of class dc attached at node be
 * run somewhere: on the device, at the node, or above it? */
static int task_servable(const st_scenario *sc, const st_device_class *dc,
                         int node, int task)
{
    for (size_t m = 0; m < sc->n_models; m++) {
        if (sc->models[m].task != task)
            continue;
        if (sc->hardware[dc->hardware].per_model[m].present)
            return 1;
        for (int k = node; k >= 0; k = sc->nodes[k].parent)
            if (sc->hardware[sc->nodes[k].hardware].per_model[m].present)
                return 1;
    }
    return 0;
}

int conf_check_servable(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *dl = cfg_get(c, root, "devices");
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        const st_device_class *dc = &sc->devices[i];
        size_t nt = dc->mix.n ? dc->mix.n : 1;
        for (size_t a = 0; a < dc->n_attach; a++)
            for (size_t k = 0; k < nt; k++) {
                int task = dc->mix.n ? dc->mix.tasks[k] : dc->task;
                int node = dc->attach_nodes[a];
                if (!task_servable(sc, dc, node, task))
                    return cfg_fail(c, conf_seq_at(c, dl, i), "device class '%s': "
                                    "neither its hardware nor node '%s' or a "
                                    "node above it has a profile for any model "
                                    "of task '%s'", dc->name,
                                    sc->nodes[node].name, sc->tasks[task]);
            }
    }
    return 0;
}

/* A memory budget below every model the hardware can run makes every load
 * transient, which is never what a scenario means. */
static int check_budget(cfg *c, yaml_node_t *at, const char *what,
                        const char *name, int hw, double memory_mb,
                        const st_scenario *sc)
{
    int small = -1;
    const st_profile *pm = sc->hardware[hw].per_model;
    for (size_t m = 0; m < sc->n_models; m++)
        if (pm[m].present && (small < 0 || pm[m].memory_mb < pm[small].memory_mb))
            small = (int)m;
    if (small < 0 || memory_mb >= pm[small].memory_mb)
        return 0;
    yaml_node_t *mn = cfg_get(c, at, "memory_mb");
    return cfg_fail(c, mn ? mn : at, "%s '%s' has memory_mb %g, smaller than every model "
                    "its hardware '%s' can run (the smallest, '%s', needs %g "
                    "MB); expected a larger memory_mb", what, name, memory_mb,
                    sc->hardware[hw].name, sc->models[small].name,
                    pm[small].memory_mb);
}

/* A node no device can reach (none attaches to it or below it) is almost
 * always a missing 'parent'. */
int conf_check_topology(cfg *c, yaml_node_t *root, const st_scenario *sc)
{
    yaml_node_t *nl = cfg_get(c, root, "nodes"), *dl = cfg_get(c, root, "devices");
    unsigned char *reach = st_xcalloc(sc->n_nodes, 1);
    int rc = 0;
    for (size_t i = 0; i < sc->n_device_classes; i++)
        for (size_t a = 0; a < sc->devices[i].n_attach; a++)
            for (int k = sc->devices[i].attach_nodes[a]; k >= 0 && !reach[k];
                 k = sc->nodes[k].parent)
                reach[k] = 1;
    for (size_t i = 0; i < sc->n_nodes && !rc; i++)
        if (!reach[i])
            rc = cfg_fail(c, conf_seq_at(c, nl, i), "node '%s' is disconnected: no "
                          "device class attaches to it or to a node below it "
                          "(expected a 'parent: %s' on some node, or an "
                          "'attach: %s')", sc->nodes[i].name,
                          sc->nodes[i].name, sc->nodes[i].name);
    for (size_t i = 0; i < sc->n_nodes && !rc; i++)
        rc = check_budget(c, conf_seq_at(c, nl, i), "node", sc->nodes[i].name,
                          sc->nodes[i].hardware, sc->nodes[i].memory_mb, sc);
    for (size_t i = 0; i < sc->n_device_classes && !rc; i++)
        rc = check_budget(c, conf_seq_at(c, dl, i), "device class",
                          sc->devices[i].name, sc->devices[i].hardware,
                          sc->devices[i].memory_mb, sc);
    free(reach);
    return rc;
}

/* The most arrival times of a file within any window of w seconds. */
static double burst(const st_arrival *a, double w)
{
    size_t best = 0;
    for (size_t lo = 0, hi = 0; hi < a->n_times; hi++) {
        while (a->times[hi] - a->times[lo] > w)
            lo++;
        if (hi - lo + 1 > best)
            best = hi - lo + 1;
    }
    return (double)best;
}

/* Requests a class makes over the run, and how many can arrive within one
 * window of w seconds (a bound on how many are in flight at once, unless
 * queues grow without end). */
static void class_load(const st_device_class *dc, double duration, double w,
                       double *total, double *live)
{
    const st_arrival *a = &dc->arrival;
    double n = (double)dc->count;
    if (a->kind == ST_ARRIVAL_TIMES) {
        *total = n * (double)a->n_times;
        *live = n * burst(a, w);
        return;
    }
    double duty = a->kind == ST_ARRIVAL_ONOFF ? a->on_s / (a->on_s + a->off_s) : 1;
    *total = n * a->rate * duty * duration;
    *live = n * a->rate * (w < duration ? w : duration);
}

void conf_workload_size(const st_scenario *sc, double *requests, double *live)
{
    double window = sc->drain_s > 1 ? sc->drain_s : 1;
    *requests = *live = 0;
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        double total, l;
        class_load(&sc->devices[i], sc->duration_s, window, &total, &l);
        *requests += total;
        *live += l;
    }
    if (*live > *requests)
        *live = *requests;
}

/* What a run would allocate and do, bounded before it starts: per-model
 * state on every node and device and the number of requests.  The memory
 * all of it needs depends on the policy too, and is bounded where the
 * policies are known (study/membound.h). */
int conf_check_size(cfg *c, yaml_node_t *root, const st_scenario *sc)
{
    yaml_node_t *dl = cfg_get(c, root, "devices");
    double slots = ((double)sc->n_nodes + (double)sc->n_devices) *
                   (double)sc->n_models;
    if (slots > ST_MAX_MODEL_SLOTS)
        return cfg_fail(c, dl, "%ld devices and %zu "
                        "nodes with %zu models need %.3g per-model states, more "
                        "than the limit of %.3g; expected fewer devices or "
                        "models", sc->n_devices, sc->n_nodes, sc->n_models,
                        slots, (double)ST_MAX_MODEL_SLOTS);
    double requests, live;
    conf_workload_size(sc, &requests, &live);
    if (requests > ST_MAX_REQUESTS)
        return cfg_fail(c, dl, "the workload implies "
                        "about %.3g requests (devices x rate x duration), more "
                        "than the limit of %.3g; expected a shorter duration, "
                        "lower rates or fewer devices", requests,
                        (double)ST_MAX_REQUESTS);
    return 0;
}
