/* infaas.c - the `infaas` policy: server-side model selection in the manner
 * of INFaaS (Romero et al., USENIX ATC 2021), as LayerCake's code runs it
 * for its baseline (cake-lab/LayerCake: the phone's USE_INFAAS path and
 * the server's INFaaSModelPicker).
 *
 * Every request goes to the cloud.  The phone sends its remaining budget
 * less its own network estimate; the server picks the most accurate model
 * whose latency fits that, else the fastest with accuracy >= 0.5.  The
 * server's latency for a model is its mean warm execution time (here the
 * profile mean), plus the load time when the model is not resident: the
 * server knows its own state exactly.  Ties in accuracy go to the faster
 * model.  If no model reaches the minimum accuracy the phone falls back
 * to its fastest local model, as the code does when the server raises.
 *
 * The phone gives up on a call after timeout_s (5; 0: none), as
 * LayerCake's library does (REMOTE_TIMEOUT), and then, by default
 * (on_timeout: local), runs the request on its fastest model as that
 * library's re-pick does with the endpoint cold; on_timeout: retry sends
 * it again with the budget left, and the server picks for that.
 *
 * Parameters: min_accuracy (0.5), timeout_s, on_timeout, network: estimate (the phone's estimator,
 * as layercake's: estimate.h, LC_NET_KEYS) or none (the full budget goes
 * to the server, as DESIGN's table reads).
 */
#include "policy/estimate.h"

#include <math.h>
#include <stdlib.h>

typedef struct infaas_state {
    double min_accuracy;
    lc_client client;
    int use_network;
    lc_net_cfg net;
    lc_net *dev;       /* [n_devices] */
    long n_dev;
    /* [n_tasks]: the first model of each task (-1: none), whose input and
     * output sizes the network estimate takes (every model of a task has
     * the same input) */
    int *size_model;
    ef_table fig;      /* execution means per (hardware, model) */
} infaas_state;

static void infaas_fini(st_policy *p)
{
    infaas_state *s = p->state;
    if (!s)
        return;
    for (long i = 0; s->dev && i < s->n_dev; i++)
        lc_net_free(&s->dev[i]);
    free(s->dev);
    free(s->size_model);
    ef_free(&s->fig);
    free(s);
    p->state = NULL;
}

static const char *const networks[] = {"none", "estimate", NULL};
static const st_param infaas_params[] = {
    ST_PARAM_REAL("min_accuracy", 0.5, 0, 1, "the fallback's accuracy floor: "
                  "the fastest model at least this accurate"),
    ST_PARAM_CHOICE("network", networks, 1, "none: the server ignores the "
                    "network; estimate: it adds the client's estimate"),
    ST_PARAM_INCLUDE(lc_net_params),
    ST_PARAM_INCLUDE(lc_client_params),
    ST_PARAM_END};

/* Each task's first model (-1: none), in model order. */
static void find_size_models(const st_scenario *sc, int *first)
{
    for (size_t t = 0; t < sc->n_tasks; t++)
        first[t] = -1;
    for (size_t m = sc->n_models; m-- > 0;)
        if (sc->models[m].task >= 0 && (size_t)sc->models[m].task < sc->n_tasks)
            first[sc->models[m].task] = (int)m;
}

static int infaas_init(st_policy *p, const st_params *params, const st_view *v,
                       st_error *err)
{
    infaas_state *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    s->min_accuracy = st_param_real(params, infaas_params, "min_accuracy");
    s->use_network = st_param_choice(params, infaas_params, "network");
    lc_net_cfg_read(params, &s->net);
    lc_client_read(params, &s->client);
    if (ef_init(&s->fig, v, 0, err) < 0)
        return -1;
    if (!s->use_network)
        return 0;
    const st_scenario *sc = st_view_scenario(v);
    s->n_dev = sc->n_devices;
    s->dev = calloc((size_t)s->n_dev, sizeof *s->dev);
    s->size_model = malloc((sc->n_tasks + 1) * sizeof *s->size_model);
    if (!s->dev || !s->size_model)
        return st_error_set(err, "out of memory for %ld devices", s->n_dev);
    find_size_models(sc, s->size_model);
    for (long i = 0; i < s->n_dev; i++) {
        lc_net_init(&s->dev[i], &s->net);
        lc_net_update(&s->dev[i], &s->net, v, (int)i);
    }
    p->tick_s = s->net.probe_period_s;
    return 0;
}

/* What the server believes the menu's model takes at node now. */
static double server_latency(const st_view *v, int node, const ef_item *it)
{
    return it->mean + (st_view_resident(v, node, it->model) ? 0 : it->load_s);
}

/* The server's pick for a latency target; -1 if no model reaches
 * min_accuracy. */
static int server_pick(const infaas_state *s, const st_view *v, int node,
                       int task, double target, double *lat_out)
{
    const st_scenario *sc = st_view_scenario(v);
    int best = -1, fastest = -1;
    double best_lat = INFINITY, fastest_lat = INFINITY;
    size_t n;
    const ef_item *menu = ef_menu(&s->fig, v, node, task, &n);
    for (size_t k = 0; k < n; k++) {
        int m = menu[k].model;
        double lat = server_latency(v, node, &menu[k]), acc = sc->models[m].accuracy;
        if (lat <= target && (best < 0 || acc > sc->models[best].accuracy ||
                              (acc == sc->models[best].accuracy && lat < best_lat))) {
            best = m;
            best_lat = lat;
        }
        if (acc >= s->min_accuracy && lat < fastest_lat) {
            fastest = m;
            fastest_lat = lat;
        }
    }
    *lat_out = best >= 0 ? best_lat : fastest_lat;
    return best >= 0 ? best : fastest;
}

static void infaas_decide(st_policy *p, const st_request *req, const st_view *v,
                          st_decision *out)
{
    infaas_state *s = p->state;
    const st_scenario *sc = st_view_scenario(v);
    int node = st_view_cloud(v, req->device);
    double net = 0, lat, waited = st_view_now(v) - req->arrival_s;
    if (s->use_network) {
        lc_net *n = &s->dev[req->device];
        lc_net_update(n, &s->net, v, req->device);
        int k = req->task >= 0 && (size_t)req->task < sc->n_tasks
                    ? s->size_model[req->task] : -1;
        if (k >= 0)
            net = lc_net_time(n, &s->net, sc->models[k].input_bytes,
                              sc->models[k].output_bytes);
    }
    int m = server_pick(s, v, node, req->task, req->budget_s - net, &lat);
    if (m < 0) {
        node = req->device_node;
        m = lc_fastest_local(v, &s->fig, req, &lat);
        net = 0;
    }
    out->drop = m < 0;
    out->model = m;
    out->node = node;
    out->estimate_s = m < 0 ? NAN : waited + net + lat;
    lc_client_apply(&s->client, v, &s->fig, req, out);
}

static void infaas_observe(st_policy *p, const st_outcome *o, const st_view *v)
{
    infaas_state *s = p->state;
    (void)v;
    if (!s->use_network || o->decision.drop || !isfinite(o->latency_s) ||
        o->decision.node == o->req->device_node)
        return;
    double call = o->latency_s - (o->req->decide_s - o->req->arrival_s);
    lc_net_call(&s->dev[o->req->device], &s->net, o->bytes_up,
                call - (o->queue_s + o->load_s + o->exec_s));
}

static void infaas_tick(st_policy *p, const st_view *v)
{
    infaas_state *s = p->state;
    for (long i = 0; i < s->n_dev; i++)
        lc_net_update(&s->dev[i], &s->net, v, (int)i);
}

/* The state, and with network: estimate, an estimator per device and
 * each task's sizing model. */
static void infaas_size(const st_scenario *sc, const st_params *params,
                        st_state_size *out)
{
    int net = st_param_choice(params, infaas_params, "network");
    *out = (st_state_size){
        .fixed = sizeof(infaas_state) + ef_bytes(sc) +
                 (net ? (sc->n_tasks + 1.0) * sizeof(int) : 0),
        .per_device = net ? lc_net_bytes() : 0};
}

const st_policy_ops st_policy_infaas = {
    .name = "infaas",
    .summary = "INFaaS-style server-side selection: most accurate cloud model that fits the budget, else the fastest with accuracy >= 0.5",
    .init = infaas_init,
    .decide = infaas_decide,
    .observe = infaas_observe,
    .tick = infaas_tick,
    .fini = infaas_fini,
    .params = infaas_params,
    .state_size = infaas_size,
};
