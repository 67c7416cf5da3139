/* static.c - the `static` IDN reference: the best fixed allocation for the
 * whole run, computed offline before it starts and never changed.
 *
 * OFFLINE REFERENCE, not a deployable policy: it reads the workload's
 * specification for the whole run (every slot's expected request counts
 * per type, from the rates and the popularity schedule, i.e. the future)
 * and takes the exact maximiser of the time-averaged gain, a
 * mixed-integer program solved by GLPK (idn_exact.c; its proven gap is
 * the metric idn_static_ref_gap, 0 when solved).  Every IDN policy solves
 * the same problem to normalise its own gain, so this policy's
 * gain_avg_norm is 1.  Its fractional gain is G at the LP relaxation's
 * optimum.  The best fixed allocation in hindsight, for the counts the
 * run realised (the one the regret compares against), is solved at the
 * end of every IDN run: the idn_opt_* metrics.
 *
 * Parameters: the shared ones (alpha, slot, sharing, capacity_scale,
 * static_time_limit, static_node_limit, static_cuts, hindsight).
 */
#include "policy/idn.h"

#include <stdlib.h>

typedef struct static_pol {
    st_idn *g;
} static_pol;

static void static_fini(st_policy *p)
{
    static_pol *s = p->state;
    if (!s)
        return;
    st_idn_free(s->g);
    free(s);
    p->state = NULL;
}

static int static_init(st_policy *p, const st_params *params, const st_view *v,
                       st_error *err)
{
    const st_scenario *sc = st_view_scenario(v);
    st_idn_params ip;
    static_pol *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    st_idn_read_params(params, sc, &ip);
    if (st_idn_new(sc, &ip, &s->g, err))
        return -1;
    st_idn_apply(s->g, v, st_idn_static_x(s->g));
    p->tick_s = ip.slot_s;
    return 0;
}

static void static_decide(st_policy *p, const st_request *req, const st_view *v,
                          st_decision *out)
{
    static_pol *s = p->state;
    st_idn_serve(s->g, v, req, out);
}

static void static_tick(st_policy *p, const st_view *v)
{
    static_pol *s = p->state;
    double frac = st_idn_gain(s->g, st_idn_static_y(s->g),
                              st_idn_slot_counts(s->g), NULL);
    st_idn_slot_end(s->g, v, frac);
}

static void static_size(const st_scenario *sc, const st_params *params,
                        st_state_size *out)
{
    st_idn_state_size(sc, params, 0, 0, out);
    out->fixed += sizeof(static_pol);
}

const st_policy_ops st_policy_static = {
    .name = "static",
    .summary = "IDN offline reference: the exact best fixed allocation (GLPK) for the whole run's expected workload",
    .init = static_init,
    .decide = static_decide,
    .tick = static_tick,
    .fini = static_fini,
    .params = st_idn_param_table,
    .state_size = static_size,
};
