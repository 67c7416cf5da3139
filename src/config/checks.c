/* checks.c - cross-checks over the whole scenario once every section is
 * read: every task servable from where its devices attach, no
 * disconnected node, memory budgets that fit a model, and the size of a
 * run bounded before it starts. */
#include "config/load.h"
#include "base/xalloc.h"
#include "base/memlimit.h"

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

/* Bytes a run keeps, by what it keeps them for, bounding the heaviest
 * built-in policy (bench_e2e's peak resident set less the loaded
 * scenario's, on growing quickstart and LayerCake scenarios):
 * - a device: the world's record is 64 bytes (plus its per-model state,
 *   below), an on-device dispatch queue about 300 once used, arrival and
 *   dispatch state 40; a policy's own per-device state about 150
 *   (layercake's estimators);
 * - a (node or device, model) pair: the world's state is 10 bytes on a
 *   device (a resident bit, an LRU stamp, a pin count) and 25 on a node;
 *   layercake and oracle keep a (model, place) candidate with its latency
 *   history per model of the device's task and per place: about 700
 *   bytes per device and model (4.3 KB a device with 6 models, 5.6 KB with
 *   8), against under 50 for local and cloud;
 * - a finished request: its latency and estimate error, 32 bytes with
 *   the arrays' doubling; layercake's latency histories add up to 16
 *   bytes a request (at most history_max samples per candidate), which
 *   this leaves out (40 bytes a request measured in all);
 * - a request in flight: about 250 bytes. */
#define DEVICE_BYTES 512.0
#define MODEL_STATE_BYTES 768.0
#define REQUEST_DONE_BYTES 32.0
#define REQUEST_LIVE_BYTES 256.0

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

typedef struct part {
    const char *what;
    double bytes;
} part;

/* The memory estimate against st_memory_limit, naming the largest part. */
static int check_memory(cfg *c, yaml_node_t *at, const part *parts, size_t n)
{
    double sum = 0;
    size_t big = 0;
    for (size_t i = 0; i < n; i++) {
        sum += parts[i].bytes;
        if (parts[i].bytes > parts[big].bytes)
            big = i;
    }
    char why[160], need[32], lim[32], largest[32];
    double limit = st_memory_limit(why, sizeof why);
    if (sum <= limit)
        return 0;
    return cfg_fail(c, at, "the run would need about %s of memory, more than "
                    "the limit of %s (%s); the largest part is %s for %s; "
                    "expected a smaller scenario",
                    st_bytes_text(sum, need, sizeof need),
                    st_bytes_text(limit, lim, sizeof lim), why,
                    st_bytes_text(parts[big].bytes, largest, sizeof largest),
                    parts[big].what);
}

/* What a run would allocate and do, bounded before it starts: per-model
 * state on every node and device, the number of requests, and the memory
 * all of it needs. */
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
    double requests = 0, live = 0, window = sc->drain_s > 1 ? sc->drain_s : 1;
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        double total, l;
        class_load(&sc->devices[i], sc->duration_s, window, &total, &l);
        requests += total;
        live += l;
    }
    if (requests > ST_MAX_REQUESTS)
        return cfg_fail(c, dl, "the workload implies "
                        "about %.3g requests (devices x rate x duration), more "
                        "than the limit of %.3g; expected a shorter duration, "
                        "lower rates or fewer devices", requests,
                        (double)ST_MAX_REQUESTS);
    char dev[96];
    snprintf(dev, sizeof dev, "the state of %ld devices", sc->n_devices);
    const part parts[] = {
        {dev, (double)sc->n_devices * DEVICE_BYTES},
        {"per-model state on devices and nodes", slots * MODEL_STATE_BYTES},
        {"the results of every request", requests * REQUEST_DONE_BYTES},
        {"requests arriving within one drain period (in flight at once)",
         (live < requests ? live : requests) * REQUEST_LIVE_BYTES},
    };
    return check_memory(c, dl, parts, sizeof parts / sizeof *parts);
}
