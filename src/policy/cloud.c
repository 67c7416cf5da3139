/* cloud.c - the `cloud` policy: always offload, with the most accurate
 * model the cloud can run.
 *
 * "The cloud" is st_view_cloud's: the first cloud-tier node above the
 * device's attachment point.  Ties in accuracy go to the faster model.
 */
#include "strata/policy.h"

#include <math.h>
#include <stdlib.h>

static int cloud_init(st_policy *p, const st_params *params, const st_view *v,
                      st_error *err)
{
    (void)params;
    (void)v;
    (void)err;
    p->state = NULL;
    return 0;
}

static void cloud_decide(st_policy *p, const st_request *req, const st_view *v,
                         st_decision *out)
{
    const st_scenario *sc = st_view_scenario(v);
    int node = st_view_cloud(v, req->device), best = -1;
    double best_acc = -1, best_t = INFINITY;
    (void)p;
    for (size_t m = 0; m < sc->n_models; m++) {
        const st_profile *pr = st_view_profile(v, node, (int)m);
        if (sc->models[m].task != req->task || !pr)
            continue;
        double acc = sc->models[m].accuracy, t = st_dist_mean(&pr->exec_s);
        if (acc > best_acc || (acc == best_acc && t < best_t)) {
            best = (int)m;
            best_acc = acc;
            best_t = t;
        }
    }
    out->drop = best < 0;
    out->model = best;
    out->node = node;
    out->estimate_s = NAN;
}

const st_policy_ops st_policy_cloud = {
    .name = "cloud",
    .summary = "always in the cloud: the most accurate model",
    .init = cloud_init,
    .decide = cloud_decide,
};
