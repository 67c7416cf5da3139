/* estimate.c - the response-time estimate, LayerCake's selection rule and a
 * client's network estimator, shared by layercake, oracle and infaas (see
 * estimate.h).
 *
 * The rule follows the phone library's model picker (cake-lab/LayerCake,
 * Model.pickModelVariant), step by step:
 *  1. if no local pair's latency figure fits the budget B, run the fastest
 *     local pair and do not look at the cloud;
 *  2. with no remote pair at all, the most accurate local pair that fits B
 *     (busy or not), else the fastest local;
 *  3. T = safety x (B - margin - fetch); candidates are the available
 *     pairs with accuracy >= the minimum whose estimate fits T; the most
 *     accurate wins, the first listed on ties;
 *  4. none: the fastest local pair (or, in the general form, the pair with
 *     the smallest estimate).
 */
#include "policy/estimate.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double lc_estimate(const lc_cand *c)
{
    return c->net_s + c->queue_s + c->load_s + c->exec_s;
}

/* The candidates' lazy completion: a pending candidate's estimate is a
 * lower bound, which decides an "estimate > limit" test when it is
 * already above the limit.  complete NULL: none is pending. */
typedef struct lazy {
    lc_cand *c;
    lc_complete_fn complete;
    void *ctx;
} lazy;

static void complete_one(const lazy *z, size_t i)
{
    while (z->c[i].pending && z->complete)
        z->complete(z->ctx, z->c, (int)i);
}

static void complete_all(const lazy *z, size_t n)
{
    for (size_t i = 0; i < n; i++)
        complete_one(z, i);
}

/* Is c[i]'s estimate above limit?  (Takes it a step further only while
 * the bound does not tell: each bound is below the estimate, since a
 * step only adds a non-negative time to a sum of non-negative terms.) */
static int over(const lazy *z, size_t i, double limit)
{
    while (z->c[i].pending && z->complete) {
        if (lc_estimate(&z->c[i]) > limit)
            return 1;
        z->complete(z->ctx, z->c, (int)i);
    }
    return lc_estimate(&z->c[i]) > limit;
}

/* The smallest estimate among every pair, available ones first (the
 * first listed on ties); -1 if there is none.  (Among local pairs only:
 * lc_kept_locals.) */
static int smallest(const lc_cand *c, size_t n)
{
    int best = -1;
    for (int pass = 0; pass < 2 && best < 0; pass++)
        for (size_t i = 0; i < n; i++) {
            if (pass == 0 && c[i].unavailable)
                continue;
            if (best < 0 || lc_estimate(&c[i]) < lc_estimate(&c[best]))
                best = (int)i;
        }
    return best;
}

/* The most accurate pair passing the test, the first on ties; -1 if none.
 * Scanned from the end, a pair as accurate as the best so far replacing
 * it (accuracies are numbers in [0, 1], so that is the same pair), and
 * the estimate is tested only for a pair that would win: the list is in
 * rising accuracy, so the most accurate pairs, tested first, usually
 * leave the others untested. */
static int passes(const lc_rule *r, const lc_cand *c, int local_only,
                  int skip_unavailable)
{
    return !((local_only && !c->local) || (skip_unavailable && c->unavailable) ||
             c->accuracy < r->min_accuracy);
}

/* With the candidates in order of falling accuracy (by), the winner is
 * the first that passes and fits. */
static int most_accurate(const lc_rule *r, const lazy *z, size_t n,
                         const int *by, double limit, int local_only,
                         int skip_unavailable)
{
    const lc_cand *c = z->c;
    int best = -1;
    for (size_t j = 0; by && j < n; j++)
        if (passes(r, &c[by[j]], local_only, skip_unavailable) &&
            !over(z, (size_t)by[j], limit))
            return by[j];
    for (size_t i = by ? 0 : n; i-- > 0;) {
        if (!passes(r, &c[i], local_only, skip_unavailable))
            continue;
        if (best >= 0 && !(c[i].accuracy >= c[best].accuracy))
            continue;
        if (!over(z, i, limit))
            best = (int)i;
    }
    return best;
}

void lc_kept_locals(lc_kept *k, const lc_cand *c, size_t n)
{
    k->any_local = k->any_remote = 0;
    k->min_s = NAN;
    k->fastest = -1;
    double fastest_s = NAN;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].local) {
            k->any_remote = 1;
            continue;
        }
        k->any_local = 1;
        double e = lc_estimate(&c[i]);
        /* the smallest estimate that is a number: some local estimate
         * fits a budget exactly when it does */
        if (e == e && !(k->min_s <= e))
            k->min_s = e;
        if (k->fastest < 0 || e < fastest_s) {   /* the first on ties */
            k->fastest = (int)i;
            fastest_s = e;
        }
    }
}

void lc_kept_init(lc_kept *k, const lc_cand *c, size_t n)
{
    lc_kept_locals(k, c, n);
    k->by_accuracy = st_xmalloc((n + 1) * sizeof *k->by_accuracy);
    for (size_t i = 0; i < n; i++) {
        if (c[i].accuracy != c[i].accuracy) {   /* NaN: no order */
            lc_kept_free(k);
            return;
        }
        size_t j = i;   /* insertion: after every one at least as accurate */
        while (j > 0 && c[k->by_accuracy[j - 1]].accuracy < c[i].accuracy) {
            k->by_accuracy[j] = k->by_accuracy[j - 1];
            j--;
        }
        k->by_accuracy[j] = (int)i;
    }
}

void lc_kept_free(lc_kept *k)
{
    free(k->by_accuracy);
    k->by_accuracy = NULL;
}

static int select_rule(const lc_rule *r, const lazy *z, size_t n,
                       double budget_s, const lc_kept *l)
{
    const lc_cand *c = z->c;
    const int *by = l->by_accuracy;
    int any_local = l->any_local, any_remote = l->any_remote;
    int local_fits = l->min_s <= budget_s;
    if (n == 0)
        return -1;
    if (!any_local)
        complete_all(z, n);
    int fastest_local = any_local ? l->fastest : smallest(c, n);
    if (r->local_precheck && any_local && !local_fits)
        return fastest_local;
    if (!any_remote) {
        int b = most_accurate(r, z, n, by, budget_s, 1, 0);
        return b >= 0 ? b : fastest_local;
    }
    double t = r->safety * (budget_s - r->margin_s - r->fetch_s);
    int best = most_accurate(r, z, n, by, t, 0, 1);
    if (best >= 0)
        return best;
    if (r->fallback != LC_FALLBACK_SMALLEST)
        return fastest_local;
    complete_all(z, n);
    return smallest(c, n);
}

int lc_select_with(const lc_rule *r, lc_cand *c, size_t n, double budget_s,
                   const lc_kept *k, lc_complete_fn complete, void *ctx)
{
    lazy z = {c, complete, ctx};
    int i = select_rule(r, &z, n, budget_s, k);
    if (i >= 0)
        complete_one(&z, (size_t)i);
    return i;
}

int lc_select_lazy(const lc_rule *r, lc_cand *c, size_t n, double budget_s,
                   lc_complete_fn complete, void *ctx)
{
    lc_kept k = {0};
    lc_kept_locals(&k, c, n);
    return lc_select_with(r, c, n, budget_s, &k, complete, ctx);
}

int lc_select(const lc_rule *r, const lc_cand *c, size_t n, double budget_s)
{
    /* Read only: with no candidate pending nothing is written. */
    return lc_select_lazy(r, (lc_cand *)c, n, budget_s, NULL, NULL);
}

/* ---------- the network estimator ---------- */

const st_param lc_net_params[] = {
    ST_PARAM_CHOICE("bw_estimator", st_bwest_names, ST_BWEST_EWMA,
                    "how bandwidth samples combine: the last, an EWMA, or "
                    "the harmonic mean of the last bw_k"),
    ST_PARAM_REAL("bw_alpha", 0.5, 1e-6, 1, "EWMA weight of a new bandwidth "
                  "sample"),
    ST_PARAM_INT("bw_k", 5, 1, ST_BWEST_KMAX, "samples the harmonic mean "
                 "covers"),
    ST_PARAM_REAL("bw_init_bytes_per_s", 0.001, 1e-9, 1e12, "bandwidth "
                  "assumed before any sample, bytes/s"),
    ST_PARAM_REAL("rtt_alpha", 0.5, 1e-6, 1, "EWMA weight of a new RTT "
                  "sample"),
    ST_PARAM_REAL("rtt_init_ms", 0, 0, 1e6, "RTT assumed before any sample, "
                  "ms"),
    ST_PARAM_REAL("probe_period_s", 10, 0, 1e6, "seconds between probes "
                  "(0: none)"),
    ST_PARAM_REAL("probe_bytes", 100000, 1, 1e10, "bytes a probe echoes each "
                  "way"),
    ST_PARAM_INT("startup_probes", 3, 0, 100, "probe rounds sent back to back "
                 "at the start"),
    ST_PARAM_INT("call_samples", 1, 0, 1, "1: finished remote calls also feed "
                 "the bandwidth estimate"),
    ST_PARAM_INT("count_output", 0, 0, 1, "1: the network time adds the "
                 "output bytes over the bandwidth"),
    ST_PARAM_END};

void lc_net_cfg_read(const st_params *p, lc_net_cfg *c)
{
    const st_param *t = lc_net_params;
    c->bw_kind = (st_bwest_kind)st_param_choice(p, t, "bw_estimator");
    c->bw_alpha = st_param_real(p, t, "bw_alpha");
    c->bw_k = (int)st_param_int(p, t, "bw_k");
    c->bw_init = st_param_real(p, t, "bw_init_bytes_per_s");
    c->rtt_alpha = st_param_real(p, t, "rtt_alpha");
    c->rtt_init_s = st_param_real(p, t, "rtt_init_ms") / 1e3;
    c->probe_period_s = st_param_real(p, t, "probe_period_s");
    c->probe_bytes = st_param_real(p, t, "probe_bytes");
    c->startup_probes = (int)st_param_int(p, t, "startup_probes");
    c->call_samples = (int)st_param_int(p, t, "call_samples");
    c->count_output = (int)st_param_int(p, t, "count_output");
}

void lc_net_init(lc_net *n, const lc_net_cfg *c)
{
    memset(n, 0, sizeof *n);
    st_bwest_init(&n->bw, c->bw_kind, c->bw_alpha, c->bw_k, c->bw_init);
    st_bwest_init(&n->rtt, ST_BWEST_EWMA, c->rtt_alpha, 1, c->rtt_init_s);
}

void lc_net_free(lc_net *n)
{
    free(n->pend);
    n->pend = NULL;
    n->n_pend = n->cap_pend = 0;
}

double lc_net_bytes(void)
{
    return sizeof(lc_net) + 4.0 * sizeof(lc_pending);
}

static void add_pending(lc_net *n, double t, double dur, int bw)
{
    if (n->n_pend == n->cap_pend) {
        n->cap_pend = n->cap_pend ? 2 * n->cap_pend : 4;
        n->pend = st_xrealloc(n->pend, n->cap_pend * sizeof *n->pend);
    }
    size_t i = n->n_pend++;
    while (i > 0 && n->pend[i - 1].t > t) {
        n->pend[i] = n->pend[i - 1];
        i--;
    }
    n->pend[i] = (lc_pending){.t = t, .dur_s = dur, .bw = bw};
}

/* bytes / (echo time - RTT), with the RTT as estimated when the result is
 * taken in; a non-positive difference is dropped, as the client does. */
static void bw_sample(lc_net *n, double bytes, double dur_s)
{
    st_bwest_add(&n->bw, bytes / (dur_s - st_bwest_value(&n->rtt)));
}

void lc_net_update(lc_net *n, const lc_net_cfg *c, const st_view *v,
                   int device)
{
    double now = st_view_now(v);
    size_t used = 0;
    while (used < n->n_pend && n->pend[used].t <= now) {
        const lc_pending *p = &n->pend[used++];
        if (p->bw)
            bw_sample(n, c->probe_bytes, p->dur_s);
        else
            st_bwest_add(&n->rtt, p->dur_s);
    }
    if (used) {
        memmove(n->pend, n->pend + used, (n->n_pend - used) * sizeof *n->pend);
        n->n_pend -= used;
    }
    int startup = n->rounds < c->startup_probes;
    int periodic = c->probe_period_s > 0 && now >= n->next_probe;
    if (n->n_pend > 0 || (!startup && !periodic))
        return;
    double t_rtt = st_view_probe(v, device, 0, 0);
    double t_bw = st_view_probe(v, device, c->probe_bytes, c->probe_bytes);
    add_pending(n, t_rtt, t_rtt - now, 0);
    add_pending(n, t_bw, t_bw - now, 1);
    n->rounds++;
    /* A round that comes back late delays the next, without a burst of
     * catch-up rounds. */
    if (periodic)
        n->next_probe = fmax(n->next_probe + c->probe_period_s, now);
}

void lc_net_call(lc_net *n, const lc_net_cfg *c, double bytes, double net_s)
{
    if (c->call_samples)
        bw_sample(n, bytes, net_s);
}

double lc_net_time(const lc_net *n, const lc_net_cfg *c, double in_bytes,
                   double out_bytes)
{
    double bw = st_bwest_value(&n->bw);
    return st_bwest_value(&n->rtt) + in_bytes / bw +
           (c->count_output ? out_bytes / bw : 0);
}

/* ---------- helpers on the world's view ---------- */

double lc_path_extra_s(const st_scenario *sc, int attach, int node,
                       double in_bytes, double out_bytes)
{
    double t = 0;
    for (int k = attach; k >= 0 && k != node; k = sc->nodes[k].parent) {
        const st_link *l = &sc->nodes[k].uplink;
        t += in_bytes * 8 / (l->up.bps * l->up.scale) +
             out_bytes * 8 / (l->down.bps * l->down.scale) + st_dist_mean(&l->rtt_s);
    }
    return t;
}

double lc_oracle_net_s(const st_view *v, int device, double rtt_s,
                       double up, double out_bytes, double remote_s)
{
    double now = st_view_now(v), rtt = rtt_s;
    double back = now + up + rtt / 2 + remote_s;
    return up + rtt + st_view_oracle_transfer_s(v, device, 0, back, out_bytes);
}

double lc_queue_wait_s(int qlen, int executors, double exec_s)
{
    if (executors < 1 || qlen < executors)
        return 0;
    return (double)(qlen - executors + 1) / executors * exec_s;
}


/* ---------- the client's timeout ---------- */

static const char *const on_timeout_names[] = {"local", "retry", NULL};

const st_param lc_client_params[] = {
    ST_PARAM_REAL("timeout_s", 5, 0, 1e6, "the client abandons a call "
                  "unanswered this long, s (REMOTE_TIMEOUT; 0: never)"),
    ST_PARAM_CHOICE("on_timeout", on_timeout_names, LC_TIMEOUT_LOCAL,
                    "then: run the request on the phone's fastest model, "
                    "or send it again"),
    ST_PARAM_END};

void lc_client_read(const st_params *p, lc_client *c)
{
    c->timeout_s = st_param_real(p, lc_client_params, "timeout_s");
    c->on_timeout = (lc_on_timeout)st_param_choice(p, lc_client_params, "on_timeout");
}

int lc_fastest_local(const st_view *v, const ef_table *fig,
                     const st_request *req, double *lat)
{
    int best = -1;
    *lat = INFINITY;
    size_t n;
    const ef_item *menu = ef_menu(fig, v, req->device_node, req->task, &n);
    for (size_t k = 0; k < n; k++) {
        int m = menu[k].model;
        double mean = menu[k].mean;
        if (mean < *lat) {
            best = m;
            *lat = mean;
        }
    }
    return best;
}

int lc_client_apply(const lc_client *c, const st_view *v, const ef_table *fig,
                    const st_request *req, st_decision *out)
{
    double lat;
    if (req->attempt > 1 && c->on_timeout == LC_TIMEOUT_LOCAL) {
        int m = lc_fastest_local(v, fig, req, &lat);
        *out = (st_decision){.drop = m < 0, .model = m, .node = req->device_node,
                             .estimate_s = m < 0 ? NAN : st_view_now(v) -
                                           req->arrival_s + lat};
        return 1;
    }
    out->timeout_s = out->node == req->device_node ? 0 : c->timeout_s;
    return 0;
}
