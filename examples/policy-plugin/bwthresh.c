/* bwthresh.c - an example policy plugin for strata: a bandwidth-threshold
 * offloader.
 *
 * Each device keeps an estimate of its uplink bandwidth: an exponentially
 * weighted moving average of what its own offloaded requests measured
 * (input bytes over the upload time less half the round trip).  A request
 * goes to the cloud, with the most accurate model the cloud runs, while
 * the estimate is at least `threshold_mbps`; otherwise it stays on the
 * device, with the most accurate model whose mean execution time fits the
 * time left, else the fastest.  A device with no estimate yet, or whose
 * last sample is more than 10 s old, offloads to measure again.
 *
 * Parameters (declared once, in params[] below; `strata policy info
 * bwthresh --plugin ./bwthresh.so` lists them):
 *   threshold_mbps  offload while the uplink estimate is at least this
 *   alpha           weight of a new sample in the moving average
 *
 * Build: see meson.build here and docs/writing-a-policy.md.
 */
#include <math.h>
#include <stdlib.h>
#include <strata/policy.h>

#define STALE_S 10.0   /* re-measure after this long without a sample */

typedef struct device_est {
    double mbps;       /* NAN: no sample yet */
    double last_s;     /* when the last sample came */
} device_est;

typedef struct bw_state {
    double threshold_mbps, alpha;
    long n_dev;
    device_est *dev;
} bw_state;

static const st_param params[] = {
    ST_PARAM_REAL("threshold_mbps", 2, 0, 1e5, "offload while the device's "
                  "uplink estimate is at least this, Mbit/s"),
    ST_PARAM_REAL("alpha", 0.3, 0.01, 1, "weight of a new bandwidth sample "
                  "in the moving average"),
    ST_PARAM_END};

static int bw_init(st_policy *p, const st_params *ps, const st_view *v,
                   st_error *err)
{
    bw_state *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "bwthresh: out of memory");
    p->state = s;
    s->threshold_mbps = st_param_real(ps, params, "threshold_mbps");
    s->alpha = st_param_real(ps, params, "alpha");
    s->n_dev = st_view_scenario(v)->n_devices;
    s->dev = calloc((size_t)s->n_dev, sizeof *s->dev);
    if (!s->dev)
        return st_error_set(err, "bwthresh: out of memory for %ld devices",
                            s->n_dev);
    for (long i = 0; i < s->n_dev; i++)
        s->dev[i].mbps = NAN;
    return 0;
}

/* The most accurate model of the task on node whose mean execution time
 * fits within budget_s, else the fastest; -1 if the node runs none. */
static int pick_model(const st_view *v, int node, int task, double budget_s)
{
    const st_scenario *sc = st_view_scenario(v);
    int best = -1, fastest = -1;
    double best_acc = -1, fastest_t = INFINITY;
    for (size_t m = 0; m < sc->n_models; m++) {
        const st_profile *pr = st_view_profile(v, node, (int)m);
        if (sc->models[m].task != task || !pr)
            continue;
        double t = st_dist_mean(&pr->exec_s);
        if (t < fastest_t) {
            fastest_t = t;
            fastest = (int)m;
        }
        if (t <= budget_s && sc->models[m].accuracy > best_acc) {
            best_acc = sc->models[m].accuracy;
            best = (int)m;
        }
    }
    return best >= 0 ? best : fastest;
}

static int wants_cloud(const bw_state *s, const device_est *d, double now)
{
    if (isnan(d->mbps) || now - d->last_s > STALE_S)
        return 1;
    return d->mbps >= s->threshold_mbps;
}

static void bw_decide(st_policy *p, const st_request *req, const st_view *v,
                      st_decision *out)
{
    const bw_state *s = p->state;
    int cloud = st_view_cloud(v, req->device);
    int node = wants_cloud(s, &s->dev[req->device], st_view_now(v))
                   ? cloud : req->device_node;
    /* In the cloud the time is nearly all network: take its best model. */
    int model = pick_model(v, node, req->task,
                           node == cloud ? INFINITY : req->budget_s);
    if (model < 0) {
        node = node == cloud ? req->device_node : cloud;
        model = pick_model(v, node, req->task, req->budget_s);
    }
    out->drop = model < 0;
    out->model = model;
    out->node = node;
    out->estimate_s = NAN;
}

static void bw_observe(st_policy *p, const st_outcome *o, const st_view *v)
{
    bw_state *s = p->state;
    double up_s = o->upload_s - o->rtt_s / 2;
    if (o->kind == ST_OUT_DROPPED || o->decision.node == o->req->device_node ||
        !(o->bytes_up > 0) || !(up_s > 0))
        return;
    device_est *d = &s->dev[o->req->device];
    double sample = o->bytes_up * 8 / 1e6 / up_s;
    d->mbps = isnan(d->mbps) ? sample
                             : s->alpha * sample + (1 - s->alpha) * d->mbps;
    d->last_s = st_view_now(v);
}

static void bw_fini(st_policy *p)
{
    bw_state *s = p->state;
    if (s)
        free(s->dev);
    free(s);
    p->state = NULL;
}

/* The most memory the state takes in a run: the record, and one estimate
 * per device (before the run, so strata can refuse one that would not
 * fit). */
static void bw_size(const st_scenario *sc, const st_params *ps,
                    st_state_size *out)
{
    (void)sc, (void)ps;
    *out = (st_state_size){.fixed = sizeof(bw_state),
                           .per_device = sizeof(device_est)};
}

static const st_policy_ops bwthresh = {
    .name = "bwthresh",
    .summary = "example plugin: offload while the device's uplink estimate "
               "is above a threshold, else run on the device",
    .init = bw_init,
    .decide = bw_decide,
    .observe = bw_observe,
    .fini = bw_fini,
    .params = params,
    .state_size = bw_size,
};

static const st_policy_ops *const policies[] = {&bwthresh, NULL};

ST_PLUGIN_EXPORT const st_plugin *strata_plugin(void)
{
    static const st_plugin plugin = {ST_PLUGIN_API_VERSION, "bwthresh",
                                     policies};
    return &plugin;
}
