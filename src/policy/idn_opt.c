/* idn_opt.c - generic optimisation for the IDN policies (idn_opt.h): the
 * exact Bregman projection onto the capped simplex, DepRound, the
 * negative-entropy mirror step and the lazy greedy fill.
 *
 * Choices where the paper leaves room:
 * - The mirror map is the size-weighted negative entropy sum s y log y:
 *   its step is y e^{eta g / s} and its Bregman projection onto the capped
 *   simplex is the exact scaling min(1, c yhat), found by sorting.
 * - DepRound settles a last fractional entry (unequal sizes) by a rule
 *   (st_idn_leftover): rounded down (biased low), kept with its
 *   probability with other entries making room at random (bias spread
 *   over the others), or, under margin, rounded up with its probability,
 *   the state having kept the room for it: unbiased and feasible, the
 *   proof at round_up_leftover.
 */
#include "policy/idn_impl.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>

#define FRACTION_EPS 1e-9   /* DepRound: closer than this to 0 or 1 is integral */
#define Y_FLOOR 1e-12       /* mirror step: the smallest yhat relative to a node's largest */

/* ---------- projection and rounding ---------- */

void st_idn_project(const double *yhat, const double *s, size_t n, double b,
                    double *y)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += s[i];
    if (total <= b) {
        for (size_t i = 0; i < n; i++)
            y[i] = 1;
        return;
    }
    size_t *idx = st_xcalloc(n, sizeof *idx);
    double *rest = st_xcalloc(n + 1, sizeof *rest);
    gsl_sort_index(idx, yhat, 1, n);   /* ascending: idx[n-1] is the largest */
    /* rest[k]: sum of s yhat over the entries ranked k.. (0 = largest). */
    for (size_t k = n; k-- > 0;) {
        size_t i = idx[n - 1 - k];
        rest[k] = rest[k + 1] + s[i] * yhat[i];
    }
    /* The k largest are capped at 1 and the others scaled by c; the first
     * k where the scaled ones stay <= 1 and the capped ones would reach 1
     * satisfies the optimality conditions. */
    double capped = 0, c = 0;
    size_t k = 0;
    for (; k < n; k++) {
        size_t top = idx[n - 1 - k];
        c = (b - capped) / rest[k];
        int rest_fits = c * yhat[top] <= 1 + 1e-12;
        int caps_ok = k == 0 || c * yhat[idx[n - k]] >= 1 - 1e-12;
        if (rest_fits && caps_ok && c >= 0)
            break;
        capped += s[top];
    }
    for (size_t i = 0; i < n; i++)
        y[i] = fmin(1, c * yhat[i]);
    free(idx);
    free(rest);
}

double st_idn_state_budget(const double *s, size_t n, double b,
                           st_idn_leftover leftover)
{
    if (leftover != ST_IDN_LEFTOVER_MARGIN)
        return b;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= b)
            top = fmax(top, s[i]);
    return fmax(0, b - top);
}

void st_idn_project_rule(const double *yhat, const double *s, size_t n,
                         double b, st_idn_leftover leftover, double *y)
{
    if (leftover != ST_IDN_LEFTOVER_MARGIN) {
        st_idn_project(yhat, s, n, b, y);
        return;
    }
    /* Under margin only the models that fit take part; when they all fit
     * together they are all held (nothing fractional, no margin needed). */
    double *sub = st_xcalloc(3 * n + 1, sizeof *sub), fit = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= b) {
            sub[m] = yhat[i];
            sub[n + m++] = s[i];
            fit += s[i];
        }
    double room = fit <= b ? b : st_idn_state_budget(s, n, b, leftover);
    if (m && room > 0)
        st_idn_project(sub, sub + n, m, room, sub + 2 * n);
    for (size_t i = 0, k = 0; i < n; i++)
        y[i] = s[i] <= b && room > 0 ? sub[2 * n + k++] : 0;
    free(sub);
}

static double snap(double v)
{
    return v < FRACTION_EPS ? 0 : v > 1 - FRACTION_EPS ? 1 : v;
}

static int fractional(double v) { return v > 0 && v < 1; }

/* The next fractional entry in order[from..n), or n. */
static size_t next_fractional(const double *z, const size_t *order, size_t n,
                              size_t from)
{
    while (from < n && !fractional(z[order[from]]))
        from++;
    return from;
}

/* Uniformly random order of 0..n-1. */
static void shuffle(size_t *order, size_t n, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = gsl_rng_uniform_int(rng, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

/* The last fractional entry k, "fair": kept with probability z_k, other
 * kept entries then leaving in random order until it fits. */
static void keep_leftover(double *z, const double *s, size_t n, size_t k,
                          double budget, size_t *order, gsl_rng *rng)
{
    if (s[k] > budget * (1 + 1e-12) || gsl_rng_uniform(rng) >= z[k]) {
        z[k] = 0;
        return;
    }
    z[k] = 1;
    double used = 0;
    for (size_t i = 0; i < n; i++)
        used += s[i] * (z[i] >= 1);
    shuffle(order, n, rng);
    size_t a = 0;
    for (; a < n && used > budget * (1 + 1e-12); a++)
        if (order[a] != k && z[order[a]] >= 1) {
            z[order[a]] = -1;   /* evicted */
            used -= s[order[a]];
        }
    /* Evicting in a random order can overshoot: the evicted that still
     * fit come back, in the same order. */
    for (size_t b = 0; b < a; b++)
        if (z[order[b]] < 0 && used + s[order[b]] <= budget * (1 + 1e-12)) {
            z[order[b]] = 1;
            used += s[order[b]];
        }
    for (size_t i = 0; i < n; i++)
        z[i] = fmax(z[i], 0);
}

/* The margin rule's leftover k: rounded up with probability z_k.  Why
 * every draw fits (y under st_idn_state_budget, b' = b - s_max):
 * each pairing move keeps sum_m s_m z_m = B <= b' and, in expectation,
 * every z_m (the two outcomes are weighted so that E[dz] = 0), so E[z_m]
 * = y_m at the end, when at most one entry, k, is fractional.  The
 * entries at 1 form a set T with s(T) = B - s_k z_k; holding k too needs
 * s(T) + s_k = B + s_k (1 - z_k) < b' + s_k <= b, as s_k <= s_max (an
 * entry larger than b has y = 0 and is never fractional).  So x_k = 1
 * with probability z_k keeps E[x_k] = y_k and the budget.  No smaller
 * margin d works for every size vector: if some T without the largest
 * model k has b - s_k < s(T) <= b - d (small models make such a sum),
 * z_k -> 0 on top of T is in the reduced simplex and T + k overflows.
 * For given sizes the exact least margin is the largest b - s(T) over
 * such T and k, a subset-sum problem; it is below s_max only by the gap
 * to the nearest subset sum, so s_max is used.  The check against b
 * only absorbs rounding noise. */
static void round_up_leftover(double *z, const double *s, size_t n, size_t k,
                              double b, gsl_rng *rng)
{
    double used = 0;
    for (size_t i = 0; i < n; i++)
        used += s[i] * (z[i] >= 1);
    int fits = used + s[k] <= b * (1 + 1e-12) + 1e-9;
    z[k] = fits && gsl_rng_uniform(rng) < z[k];
}

/* Pairs the fractional entries of z in a random order until at most one
 * is left; returns its index in order (n: none). */
static size_t pair_off(double *z, const double *s, size_t n, size_t *order,
                       gsl_rng *rng)
{
    shuffle(order, n, rng);   /* no entry is favoured by its place */
    size_t pi = next_fractional(z, order, n, 0);
    for (;;) {
        size_t pj = next_fractional(z, order, n, pi + 1);
        if (pj >= n)
            break;
        size_t i = order[pi], j = order[pj];
        /* Move size-weighted mass between i and j: up for i by a1 (down
         * for j by s_i a1 / s_j), or down by a2; the odds keep both
         * expectations and s_i z_i + s_j z_j unchanged, and either move
         * makes one of the two integral. */
        double ratio = s[j] / s[i];
        double a1 = fmin(1 - z[i], ratio * z[j]);
        double a2 = fmin(z[i], ratio * (1 - z[j]));
        if (gsl_rng_uniform(rng) * (a1 + a2) < a2) {
            z[i] += a1;
            z[j] -= a1 / ratio;
        } else {
            z[i] -= a2;
            z[j] += a2 / ratio;
        }
        z[i] = snap(z[i]);
        z[j] = snap(z[j]);
        if (fractional(z[i]) && fractional(z[j]))   /* rounding noise */
            z[fabs(z[i] - 0.5) > fabs(z[j] - 0.5) ? i : j] = 0;
        pi = fractional(z[i]) ? pi : pj;   /* the survivor goes on */
    }
    return pi < n && fractional(z[order[pi]]) ? pi : n;
}

void st_idn_depround(const double *y, const double *s, size_t n, double b,
                     st_idn_leftover leftover, gsl_rng *rng, unsigned char *x)
{
    if (leftover == ST_IDN_LEFTOVER_HULL &&
        st_idn_hull_round(y, s, n, b, rng, x) == 0)
        return;   /* else (never seen) the pairing, its leftover down */
    double *z = st_xcalloc(n, sizeof *z), budget = 0;
    size_t *order = st_xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        z[i] = snap(y[i]);
        budget += s[i] * y[i];
    }
    size_t pi = pair_off(z, s, n, order, rng);
    if (pi < n) {
        size_t k = order[pi];
        if (leftover == ST_IDN_LEFTOVER_FAIR)
            keep_leftover(z, s, n, k, budget, order, rng);
        else if (leftover == ST_IDN_LEFTOVER_MARGIN)
            round_up_leftover(z, s, n, k, b, rng);
        else
            z[k] = 0;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = z[i] >= 1;
    free(order);
    free(z);
}

void st_idn_project_all(const st_idn *g, const double *yhat,
                        st_idn_leftover leftover, double *y)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t f = g->node_first[v], n = g->node_count[v];
        if (n)
            st_idn_project_rule(yhat + f, g->var_size + f, n, g->node_budget[v],
                                leftover, y + f);
    }
}

void st_idn_round_all(const st_idn *g, const double *y,
                      const st_idn_rounding *how, gsl_rng *rng,
                      unsigned char *x)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t f = g->node_first[v], n = g->node_count[v];
        const double *s = g->var_size + f;
        if (!n)
            continue;
        if (how->reseed)
            gsl_rng_set(rng, how->reseed + v);
        if (how->keep && how->leftover == ST_IDN_LEFTOVER_HULL &&
            st_idn_hull_round_keep(y + f, s, n, g->node_budget[v],
                                   &how->keep[v], rng, x + f) == 0)
            continue;
        st_idn_depround(y + f, s, n, g->node_budget[v], how->leftover, rng,
                        x + f);
    }
}

/* The largest |grad_j| / s_j among node v's variables (0: no signal). */
static double node_scale(const st_idn *g, size_t v, const double *grad)
{
    double top = 0;
    for (size_t j = g->node_first[v]; j < g->node_first[v] + g->node_count[v]; j++)
        top = fmax(top, fabs(grad[j]) / g->var_size[j]);
    return top;
}

/* The mirror step of the weighted negative entropy, node by node, in logs
 * so large steps cannot overflow; the projection is invariant to scaling
 * a node's yhat, so each node's largest becomes 1, and nothing falls
 * below Y_FLOOR of it (a multiplicative state never recovers from 0). */
static void mirror_step(const st_idn *g, const double *y, const double *grad,
                        const double *eta, int normalise, double *yhat)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t f = g->node_first[v], n = g->node_count[v];
        double top = -INFINITY, scale = normalise ? node_scale(g, v, grad) : 1;
        double step = scale > 0 ? eta[v] / scale : 0;
        for (size_t j = f; j < f + n; j++) {
            yhat[j] = log(fmax(y[j], 1e-300)) + step * grad[j] / g->var_size[j];
            top = fmax(top, yhat[j]);
        }
        for (size_t j = f; j < f + n; j++)
            yhat[j] = fmax(exp(yhat[j] - top), Y_FLOOR);
    }
}

void st_idn_mirror_ascent_step(const st_idn *g, double *y, const double *grad,
                               const double *eta, int normalise,
                               st_idn_leftover leftover, double *scratch)
{
    mirror_step(g, y, grad, eta, normalise, scratch);
    st_idn_project_all(g, scratch, leftover, y);
}

double st_idn_fractional_share(const st_idn *g, const double *y)
{
    size_t n = 0;
    for (size_t j = 0; j < g->n_vars; j++)
        n += y[j] > 0.01 && y[j] < 0.99;
    return g->n_vars ? (double)n / (double)g->n_vars : 0;
}

/* ---------- greedy ---------- */

/* Lazy greedy by marginal gain per MB over weighted count vectors, on the
 * variables of one node (the others fixed as x holds them) or, with node
 * -1, of all nodes from nothing.  G is submodular on integral
 * allocations, so a marginal only shrinks as x grows, and a stale bound
 * that still tops the others is exact. */
void st_idn_greedy_fill(const st_idn *g, const double *const *r,
                        const double *w, size_t nr, unsigned char *x,
                        long node)
{
    size_t lo = node < 0 ? 0 : g->node_first[node];
    size_t hi = node < 0 ? g->n_vars : lo + g->node_count[node];
    double **lcap = st_xcalloc(nr, sizeof *lcap);
    double *share = st_xcalloc(g->n_vars, sizeof *share);
    double *ub = st_xcalloc(g->n_vars, sizeof *ub);
    double *room = st_xcalloc(g->n_nodes, sizeof *room);
    for (size_t i = 0; i < nr; i++) {
        lcap[i] = st_xcalloc(g->n_cands, sizeof **lcap);
        st_idn_fill_capacities(g, r[i], lcap[i], share);
    }
    memset(x + lo, 0, hi - lo);
    for (size_t v = 0; v < g->n_nodes; v++)
        room[v] = g->node_budget[v];
    for (size_t j = lo; j < hi; j++)
        ub[j] = INFINITY;
    for (;;) {
        long best = -1;
        for (size_t j = lo; j < hi; j++)
            if (!x[j] && g->var_size[j] <= room[g->var_node[j]] &&
                (best < 0 || ub[j] > ub[best]))
                best = (long)j;
        if (best < 0 || ub[best] <= 0)
            break;
        double m = st_idn_marginal_w(g, x, r, (const double *const *)lcap, w, nr,
                              (size_t)best) / fmax(g->var_size[best], 1e-9);
        int top = 1;
        for (size_t j = lo; j < hi && top; j++)
            if ((long)j != best && !x[j] && g->var_size[j] <= room[g->var_node[j]] &&
                (ub[j] > m || (ub[j] == m && (long)j < best)))
                top = 0;
        ub[best] = m;
        if (!top)
            continue;
        if (m <= 0)
            break;
        x[best] = 1;
        room[g->var_node[best]] -= g->var_size[best];
    }
    for (size_t i = 0; i < nr; i++)
        free(lcap[i]);
    free(lcap);
    free(share);
    free(ub);
    free(room);
}

void st_idn_greedy(const st_idn *g, const double *r, unsigned char *x)
{
    const double w = 1;
    st_idn_greedy_fill(g, &r, &w, 1, x, -1);
}

void st_idn_greedy_node(const st_idn *g, const double *r, unsigned char *x,
                        int node)
{
    const double w = 1;
    st_idn_greedy_fill(g, &r, &w, 1, x, node);
}
