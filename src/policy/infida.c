/* infida.c - the `infida` policy: INFIDA, the online model allocation of
 * Si Salem et al., "Towards Inference Delivery Networks" (arXiv
 * 2105.02510), on the IDN machinery of idn.h.
 *
 * Each node keeps a fractional allocation y over the models it may host.
 * At the end of every slot, from the requests of that slot:
 *   g = a supergradient of the serving gain G at y (idn.h);
 *   y <- project(y e^{eta g / s}): a mirror-ascent step for the
 *        size-weighted negative entropy, then its Bregman projection onto
 *        {sum_m s_m y_m = budget, 0 <= y_m <= 1};
 *   x <- DepRound(y): the integral allocation that serves the next slot,
 *        loaded into the world (loads counted).
 * y starts at the projection of the all-ones vector (each node's budget
 * spread in proportion, capped at 1) and x at a DepRound of it.
 *
 * Parameters, besides the shared ones (alpha, slot, sharing, ...):
 *   normalise    node (default): each slot, a node's supergradient is
 *                divided by its largest entry per MB, c_v = max_j g_j / s_j,
 *                so the exponent of a model's step is eta_v (g_j / s_j) / c_v
 *                and the largest on every node is eta_v, whatever the
 *                traffic; none: no division, eta in MB per second of cost
 *                saved (the old behaviour, for comparison).
 *   eta          the step.  Default (0): per node, the step that
 *                minimises online mirror ascent's regret bound for a
 *                normalised supergradient (dual norm <= 1) over the run,
 *                eta_v = sqrt(2 ln(S_v / b_v) / T), S_v the size of the
 *                models node v may hold, b_v its budget (ln taken at least
 *                ln 2) and T the run's slots; on the study's tree (T = 120,
 *                S/b from 3 to 15) that is 0.14 to 0.21.  A number sets
 *                every node's step to it.
 *   round_every  draw a new x every this many slots (default 1, as in the
 *                paper; larger values trade reaction for fewer loads),
 *                while y is updated every slot.
 *   leftover     what DepRound does with the one entry its pairing can
 *                leave fractional when sizes differ (st_idn_leftover).
 *                With unequal sizes no rounding can keep E[x] = y and
 *                every draw within the budget for every y of the capped
 *                simplex (sizes 3, 3, 4, budget 5, y = (1/3, 1/3, 1/2)
 *                would need P(some model) = 7/6), so a rule chooses what
 *                to give up:
 *                down (default) rounds it down: feasible, E[x] = y on
 *                  every other entry, that one biased low (it is usually
 *                  the largest, which survives its pairings);
 *                fair keeps it with probability y and makes room by
 *                  dropping other drawn models at random: feasible, the
 *                  bias moved onto the others;
 *                margin keeps y under b - s_max (s_max the node's
 *                  largest model that fits; all held when they all fit)
 *                  and rounds the leftover up with its probability:
 *                  E[x] = y exactly and every draw fits (proof in
 *                  idn_opt.c), at the price of s_max of the budget in
 *                  expectation, which on small nodes is most of it;
 *                hull skips the pairing: the node's x is a feasible set
 *                  drawn with one uniform from the distribution over
 *                  feasible sets whose marginals q <= y hold the most
 *                  memory (a linear program, column generation with
 *                  GLPK, idn_hull.c): E[x] = y exactly whenever y lies in
 *                  the convex hull of the feasible sets, else biased low
 *                  by the least memory any feasible rounding loses.  The
 *                  state stays under the full budget, where y is rarely
 *                  in that hull exactly (s.y = b needs sets filling b).
 *                down stays the default, so results do not move; margin
 *                and hull are the rules to use where E[x] = y is what
 *                matters (the regret guarantee assumes it).  Measured
 *                against the exact static allocation (README, the
 *                experiments/idn-rounding*.yaml sweeps) they gain less
 *                than down: margin leaves its room empty, hull's draws
 *                spread over many sets and reload more.
 *   couple       off (default, as in the paper: an independent draw each
 *                rounding) or uniforms: every rounding restarts node v's
 *                generator from one seed + v, so the shuffle and the
 *                pairing decisions reuse the same uniforms and a small
 *                change of y changes few entries of x (fewer reloads);
 *                or keep (with leftover: hull): each node's new set is
 *                maximally coupled to the one it holds, kept with
 *                probability min(1, p'(T) / p(T)) under the old and new
 *                distributions over sets, else drawn from the excess of
 *                p' over p, so it changes with probability TV(p, p'),
 *                the least possible.  Either way each draw keeps its
 *                marginals; only the draws of successive slots are
 *                dependent, which the expected regret (a sum of per-slot
 *                expectations) does not use.
 * Besides the IDN metrics it reports idn_fractional_share: the share of
 * variables with y strictly between 0.01 and 0.99 at the end of a slot,
 * averaged over the measured slots (series fractional_share).
 * The paper computes the supergradient distributedly, each node from the
 * counts its neighbours along the paths report; here it is computed
 * centrally from the same counts, which gives the same vector.
 */
#include "policy/idn.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct infida {
    st_idn *g;
    int leftover, normalise;
    st_idn_rounding how;   /* the rule and the coupling */
    size_t n_memo;         /* couple: keep, one memo per node */
    gsl_rng *couple_rng;   /* couple: uniforms, the generator restarted */
    double eta, warmup_slots;
    long round_every, slots, measured;
    double frac_share;   /* sum over measured slots */
    double *eta_node;    /* [n_nodes] */
    double *y, *grad, *scratch;
    unsigned char *x;
} infida;

static void infida_fini(st_policy *p)
{
    infida *s = p->state;
    if (!s)
        return;
    st_idn_free(s->g);
    free(s->y);
    free(s->grad);
    free(s->scratch);
    free(s->x);
    free(s->eta_node);
    if (s->couple_rng)
        gsl_rng_free(s->couple_rng);
    for (size_t v = 0; s->how.keep && v < s->n_memo; v++)
        st_idn_hull_memo_free(&s->how.keep[v]);
    free(s->how.keep);
    free(s);
    p->state = NULL;
}

static const char *const leftovers[] = {"down", "fair", "margin", "hull", NULL};
enum { COUPLE_OFF, COUPLE_UNIFORMS, COUPLE_KEEP };
static const char *const couplings[] = {"off", "uniforms", "keep", NULL};
static const char *const norms[] = {"none", "node", NULL};
static const st_param infida_params[] = {
    ST_PARAM_REAL("eta", 0, 0, 1e9, "mirror-ascent step: the largest exponent "
                  "per node and slot (0: sqrt(2 ln(S/b) / T) per node, from "
                  "the regret bound)"),
    ST_PARAM_CHOICE("normalise", norms, 1, "divide a node's supergradient by "
                    "its largest entry per MB (node), or not (none: eta in MB "
                    "per second of cost saved)"),
    ST_PARAM_INT("round_every", 1, 1, 1000000, "slots between roundings to "
                 "a new integral allocation"),
    ST_PARAM_CHOICE("leftover", leftovers, ST_IDN_LEFTOVER_DOWN, "what DepRound does "
                    "with its one leftover entry when sizes differ: round it "
                    "down (E[x] below y there), keep it with its probability "
                    "and drop others at random (fair: bias spread over the "
                    "others), or margin: y kept under the budget minus the "
                    "largest model and the leftover rounded up with its "
                    "probability (E[x] = y and every draw fits, that room "
                    "unused in expectation), or hull: a feasible set drawn "
                    "from the distribution with marginals <= y holding the "
                    "most memory (E[x] = y whenever y is a mixture of "
                    "feasible sets)"),
    ST_PARAM_CHOICE("couple", couplings, COUPLE_OFF, "off: an independent "
                    "draw every rounding, as in the paper; uniforms: every "
                    "rounding reuses the same random numbers, so a small "
                    "change of y changes few models (fewer reloads); keep "
                    "(leftover: hull only): the previous allocation is kept "
                    "with the largest probability the new marginals allow; "
                    "each draw keeps its marginals"),
    ST_PARAM_INCLUDE(st_idn_param_table),
    ST_PARAM_END};

/* Every node's step: eta, or the regret-bound default (see the top). */
static void set_steps(infida *s, const st_scenario *sc, double slot_s)
{
    double T = fmax(1, ceil(sc->duration_s / slot_s - 1e-9));
    s->eta_node = st_xcalloc(sc->n_nodes + 1, sizeof *s->eta_node);
    for (size_t v = 0; v < sc->n_nodes; v++) {
        size_t first, count;
        st_idn_node_vars(s->g, (int)v, &first, &count);
        double S = 0, b = st_idn_node_budget(s->g, (int)v);
        for (size_t j = first; j < first + count; j++)
            S += st_idn_var_size(s->g, j);
        s->eta_node[v] = s->eta > 0 ? s->eta
                         : sqrt(2 * fmax(log(S / fmax(b, 1e-9)), log(2)) / T);
    }
}

/* x <- DepRound(y) under the policy's rule and coupling. */
static void round_all(infida *s, st_policy *p)
{
    st_idn_round_all(s->g, s->y, &s->how, s->how.reseed ? s->couple_rng : p->rng,
                     s->x);
}

/* The coupling of successive roundings (see the top); keep needs the
 * hull rule, the only one whose distribution over sets is explicit. */
static int set_coupling(infida *s, st_policy *p, const st_params *params,
                        size_t n_nodes, st_error *err)
{
    int c = st_param_choice(params, infida_params, "couple");
    s->how.leftover = (st_idn_leftover)s->leftover;
    if (c == COUPLE_KEEP && s->leftover != ST_IDN_LEFTOVER_HULL) {
        size_t at = 0;
        while (at < params->n && strcmp(params->keys[at], "couple"))
            at++;
        return st_error_at(err, params->file ? params->file : "params",
                           at < params->n ? params->lines[at] : 0,
                           at < params->n ? params->cols[at] : 0,
                           "policy parameter 'couple': keep needs leftover: "
                           "hull (the only rule whose distribution over sets "
                           "is explicit); expected off or uniforms, got 'keep'");
    }
    if (c == COUPLE_UNIFORMS) {
        s->how.reseed = gsl_rng_get(p->rng) | 1;
        s->couple_rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!s->couple_rng)
            return st_error_set(err, "out of memory");
    }
    if (c == COUPLE_KEEP) {
        s->n_memo = n_nodes;
        s->how.keep = st_xcalloc(n_nodes + 1, sizeof *s->how.keep);
    }
    return 0;
}

static int infida_init(st_policy *p, const st_params *params, const st_view *v,
                       st_error *err)
{
    const st_scenario *sc = st_view_scenario(v);
    st_idn_params ip;
    infida *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    st_idn_read_params(params, sc, &ip);
    s->eta = st_param_real(params, infida_params, "eta");
    s->round_every = st_param_int(params, infida_params, "round_every");
    s->leftover = st_param_choice(params, infida_params, "leftover");
    s->normalise = st_param_choice(params, infida_params, "normalise");
    if (set_coupling(s, p, params, sc->n_nodes, err))
        return -1;
    if (st_idn_new(sc, &ip, &s->g, err))
        return -1;
    size_t n = st_idn_n_vars(s->g);
    s->y = calloc(n ? n : 1, sizeof *s->y);
    s->grad = calloc(n ? n : 1, sizeof *s->grad);
    s->scratch = calloc(n ? n : 1, sizeof *s->scratch);
    s->x = calloc(n ? n : 1, 1);
    if (!s->y || !s->grad || !s->scratch || !s->x)
        return st_error_set(err, "out of memory");
    set_steps(s, sc, ip.slot_s);
    s->warmup_slots = sc->warmup_s / ip.slot_s;
    for (size_t j = 0; j < n; j++)
        s->scratch[j] = 1;
    st_idn_project_all(s->g, s->scratch, (st_idn_leftover)s->leftover, s->y);
    round_all(s, p);
    st_idn_apply(s->g, v, s->x);
    p->tick_s = ip.slot_s;
    return 0;
}

static void infida_decide(st_policy *p, const st_request *req, const st_view *v,
                          st_decision *out)
{
    infida *s = p->state;
    st_idn_serve(s->g, v, req, out);
}

static void infida_tick(st_policy *p, const st_view *v)
{
    infida *s = p->state;
    /* G at the state that served this slot is its fractional gain. */
    double frac = st_idn_gain(s->g, s->y, st_idn_slot_counts(s->g), s->grad);
    st_idn_mirror_ascent_step(s->g, s->y, s->grad, s->eta_node, s->normalise,
                              (st_idn_leftover)s->leftover, s->scratch);
    double share = st_idn_fractional_share(s->g, s->y);
    st_view_emit(v, s->slots, "fractional_share", share);
    if ((double)s->slots >= s->warmup_slots - 1e-9) {
        s->measured++;
        s->frac_share += share;
        st_view_metric(v, "idn_fractional_share", s->frac_share / (double)s->measured);
    }
    if (++s->slots % s->round_every == 0) {
        round_all(s, p);
        st_idn_apply(s->g, v, s->x);
    }
    st_idn_slot_end(s->g, v, frac);
}

/* The problem; y, its gradient, a scratch copy and x per (node, model),
 * the node's step and, for the hull rule, its sets of at most one model
 * per (node, model) each and their linear program (idn_size.c's GLPK
 * allowance per column and nonzero). */
static void infida_size(const st_scenario *sc, const st_params *params,
                        st_state_size *out)
{
    double nm = (double)sc->n_models;
    double hull = (nm + 1) * (1 + 256) + 512 + sizeof(st_idn_hull_memo);
    st_idn_state_size(sc, params, 3 * sizeof(double) + 1 + hull, 0, out);
    out->fixed += sizeof(infida) + (double)sc->n_nodes * sizeof(double) +
                  5200;   /* the coupling's generator */
}

const st_policy_ops st_policy_infida = {
    .name = "infida",
    .summary = "IDN: per-node online mirror ascent on the serving gain, DepRound to an allocation each slot",
    .init = infida_init,
    .decide = infida_decide,
    .tick = infida_tick,
    .fini = infida_fini,
    .params = infida_params,
    .state_size = infida_size,
};
