/* cloud.c - the `cloud` policy: always offload, with the most accurate
 * model the cloud can run.
 *
 * "The cloud" is st_view_cloud's: the first cloud-tier node above the
 * device's attachment point.  Ties in accuracy go to the faster model.
 *
 * The client is LayerCake's phone library (estimate.h, lc_client): it
 * gives up on a call after timeout_s (5; 0: none) and then runs the
 * request on the phone's fastest model (on_timeout: local), or sends it
 * to the cloud again (on_timeout: retry).
 */
#include "policy/estimate.h"

#include <math.h>
#include <stdlib.h>

typedef struct cloud_state {
    lc_client client;
    ef_table fig;     /* execution means per (hardware, model) */
} cloud_state;

static const st_param cloud_params[] = {
    ST_PARAM_INCLUDE(lc_client_params),
    ST_PARAM_END};

static int cloud_init(st_policy *p, const st_params *params, const st_view *v,
                      st_error *err)
{
    cloud_state *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    lc_client_read(params, &s->client);
    return ef_init(&s->fig, v, 0, err);
}

static void cloud_fini(st_policy *p)
{
    cloud_state *s = p->state;
    if (s)
        ef_free(&s->fig);
    free(s);
    p->state = NULL;
}

static void cloud_decide(st_policy *p, const st_request *req, const st_view *v,
                         st_decision *out)
{
    const cloud_state *s = p->state;
    const st_scenario *sc = st_view_scenario(v);
    int node = st_view_cloud(v, req->device), best = -1;
    double best_acc = -1, best_t = INFINITY;
    size_t n;
    const ef_item *menu = ef_menu(&s->fig, v, node, req->task, &n);
    for (size_t k = 0; k < n; k++) {
        int m = menu[k].model;
        double acc = sc->models[m].accuracy, t = menu[k].mean;
        if (acc > best_acc || (acc == best_acc && t < best_t)) {
            best = m;
            best_acc = acc;
            best_t = t;
        }
    }
    out->drop = best < 0;
    out->model = best;
    out->node = node;
    out->estimate_s = NAN;
    lc_client_apply(&s->client, v, &s->fig, req, out);
}

static void cloud_size(const st_scenario *sc, const st_params *params,
                       st_state_size *out)
{
    (void)params;
    *out = (st_state_size){.fixed = sizeof(cloud_state) + ef_bytes(sc)};
}

const st_policy_ops st_policy_cloud = {
    .name = "cloud",
    .summary = "in the cloud: the most accurate model (a call timing out runs on the phone)",
    .init = cloud_init,
    .decide = cloud_decide,
    .fini = cloud_fini,
    .params = cloud_params,
    .state_size = cloud_size,
};
