/* greedy.c - the `greedy` IDN baseline: at the end of every slot, every
 * node refills its budget from empty by marginal gain per MB for the
 * requests of the last slot(s).  Models chosen again stay resident; only
 * new ones are loaded.  The first slot, with nothing observed, is served
 * by the repository.
 *
 * Parameters, besides the shared ones (alpha, slot, sharing, ...):
 *   window        how many of the last slots' counts to average (default 1).
 *   coordination  independent (default): each node refills on its own,
 *                 all at once, each taking the others' allocation of the
 *                 slot that ended as given (what a node can do with what
 *                 it observes and its neighbours report, like the
 *                 paper's greedy heuristic); joint: one greedy over every
 *                 (node, model) pair, each against its own node's free
 *                 memory (a centralised, stronger heuristic).
 */
#include "policy/idn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { COORD_INDEPENDENT, COORD_JOINT };

typedef struct greedy {
    st_idn *g;
    int joint;
    long window, seen;
    double *hist;        /* window rows of per-type counts, a ring */
    double *mean;
    unsigned char *x, *prev, *tmp;
} greedy;

static void greedy_fini(st_policy *p)
{
    greedy *s = p->state;
    if (!s)
        return;
    st_idn_free(s->g);
    free(s->hist);
    free(s->mean);
    free(s->x);
    free(s->tmp);
    free(s->prev);
    free(s);
    p->state = NULL;
}

static const char *const coords[] = {"independent", "joint", NULL};
static const st_param greedy_params[] = {
    ST_PARAM_INT("window", 1, 1, 100000, "slots of demand the marginal gains "
                 "average"),
    ST_PARAM_CHOICE("coordination", coords, COORD_INDEPENDENT, "nodes refill "
                    "independently, or jointly along the paths"),
    ST_PARAM_INCLUDE(st_idn_param_table),
    ST_PARAM_END};

static int greedy_init(st_policy *p, const st_params *params, const st_view *v,
                       st_error *err)
{
    const st_scenario *sc = st_view_scenario(v);
    st_idn_params ip;
    greedy *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    st_idn_read_params(params, sc, &ip);
    s->window = st_param_int(params, greedy_params, "window");
    s->joint = st_param_choice(params, greedy_params, "coordination");
    if (st_idn_new(sc, &ip, &s->g, err))
        return -1;
    size_t nt = st_idn_n_types(s->g), n = st_idn_n_vars(s->g);
    s->hist = calloc((size_t)s->window * (nt ? nt : 1), sizeof *s->hist);
    s->mean = calloc(nt ? nt : 1, sizeof *s->mean);
    s->x = calloc(n ? n : 1, 1);
    s->tmp = calloc(n ? n : 1, 1);
    s->prev = calloc(n ? n : 1, 1);
    if (!s->hist || !s->mean || !s->x || !s->tmp || !s->prev)
        return st_error_set(err, "out of memory");
    st_idn_apply(s->g, v, s->x);
    p->tick_s = ip.slot_s;
    return 0;
}

static void greedy_decide(st_policy *p, const st_request *req, const st_view *v,
                          st_decision *out)
{
    greedy *s = p->state;
    st_idn_serve(s->g, v, req, out);
}

static void greedy_tick(st_policy *p, const st_view *v)
{
    greedy *s = p->state;
    size_t nt = st_idn_n_types(s->g);
    memcpy(s->hist + (size_t)(s->seen % s->window) * nt,
           st_idn_slot_counts(s->g), nt * sizeof *s->hist);
    s->seen++;
    long rows = s->seen < s->window ? s->seen : s->window;
    memset(s->mean, 0, nt * sizeof *s->mean);
    for (long k = 0; k < rows; k++)
        for (size_t t = 0; t < nt; t++)
            s->mean[t] += s->hist[(size_t)k * nt + t] / (double)rows;
    if (s->joint) {
        st_idn_greedy(s->g, s->mean, s->x);
    } else {
        /* every node from the same picture: the allocation that served */
        size_t n = st_idn_n_vars(s->g);
        memcpy(s->prev, s->x, n);
        for (int node = 0; node < st_view_n_nodes(v); node++) {
            size_t first, count;
            st_idn_node_vars(s->g, node, &first, &count);
            if (!count)
                continue;
            memcpy(s->tmp, s->prev, n);
            st_idn_greedy_node(s->g, s->mean, s->tmp, node);
            memcpy(s->x + first, s->tmp + first, count);
        }
    }
    st_idn_apply(s->g, v, s->x);
    st_idn_slot_end(s->g, v, NAN);
}

/* The problem, three allocations and window rows of per-type counts. */
static void greedy_size(const st_scenario *sc, const st_params *params,
                        st_state_size *out)
{
    double window = (double)st_param_int(params, greedy_params, "window");
    st_idn_state_size(sc, params, 3, (window + 1) * sizeof(double), out);
    out->fixed += sizeof(greedy);
}

const st_policy_ops st_policy_greedy = {
    .name = "greedy",
    .summary = "IDN baseline: each slot, refill every node by marginal gain per MB over the last slot(s)",
    .init = greedy_init,
    .decide = greedy_decide,
    .tick = greedy_tick,
    .fini = greedy_fini,
    .params = greedy_params,
    .state_size = greedy_size,
};
