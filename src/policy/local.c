/* local.c - the `local` policy: always run on the requesting device.
 *
 * DESIGN: the most accurate model whose profiled execution time meets the
 * SLO on this device, else the fastest.  "Profiled execution time" is the
 * mean of the device's execution-time distribution by default; the
 * `quantile` parameter (0 < q < 1) uses that quantile instead, for a study
 * of how conservative the profile should be.
 */
#include "policy/execfig.h"

#include <math.h>
#include <stdlib.h>

typedef struct local_state {
    double quantile;   /* 0 = use the mean */
    ef_table fig;      /* the profiled figure per (hardware, model) */
} local_state;

static const st_param local_params[] = {
    ST_PARAM_REAL("quantile", 0, 0, 0.9999, "the quantile of the execution "
                  "time that must fit the SLO (0: the mean)"),
    ST_PARAM_END};

static int local_init(st_policy *p, const st_params *params, const st_view *v,
                      st_error *err)
{
    local_state *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    s->quantile = st_param_real(params, local_params, "quantile");
    return ef_init(&s->fig, v, s->quantile, err);
}

static void local_decide(st_policy *p, const st_request *req, const st_view *v,
                         st_decision *out)
{
    const local_state *s = p->state;
    const st_scenario *sc = st_view_scenario(v);
    int best = -1, fastest = -1;
    double best_acc = -1, fastest_t = INFINITY;
    size_t n;
    const ef_item *menu = ef_menu(&s->fig, v, req->device_node, req->task, &n);
    for (size_t k = 0; k < n; k++) {
        int m = menu[k].model;
        double t = menu[k].quant;
        if (t < fastest_t) {
            fastest_t = t;
            fastest = m;
        }
        if (t <= req->slo_s && sc->models[m].accuracy > best_acc) {
            best_acc = sc->models[m].accuracy;
            best = m;
        }
    }
    if (best < 0)
        best = fastest;
    out->drop = best < 0;
    out->model = best;
    out->node = req->device_node;
    out->estimate_s = best < 0 ? NAN : ef_quant(&s->fig, v, req->device_node, best);
}

static void local_fini(st_policy *p)
{
    local_state *s = p->state;
    if (s)
        ef_free(&s->fig);
    free(s);
    p->state = NULL;
}

static void local_size(const st_scenario *sc, const st_params *params,
                       st_state_size *out)
{
    (void)params;
    *out = (st_state_size){.fixed = sizeof(local_state) + ef_bytes(sc)};
}

const st_policy_ops st_policy_local = {
    .name = "local",
    .summary = "always on the device: most accurate model whose profiled time fits the SLO, else the fastest",
    .init = local_init,
    .decide = local_decide,
    .fini = local_fini,
    .params = local_params,
    .state_size = local_size,
};
