/* layercake.c - the `layercake` policy (Ogden and Guo, "LayerCake:
 * Efficient Inference Serving with Cloud and Mobile Resources", CCGrid
 * 2023) and its `oracle` upper bound.
 *
 * Each device runs its own copy of LayerCake's phone library.  Per (model,
 * location) pair it keeps the accuracy, a latency figure, a busy flag and,
 * for remote pairs, a "cold until" mark; per device a network estimator
 * (estimate.c).  At each decision it estimates every pair and applies the
 * phone library's selection rule (estimate.c: pre-check, T = safety x
 * (B - margin - fetch), most accurate pair that fits, local first on ties,
 * else the fastest local pair).
 *
 * Defaults are the released code's constants (cake-lab/LayerCake,
 * Common.kt and the picker in Model.kt), each a parameter:
 *   percentile 0.9      the figure is the 90th percentile of the pair's
 *                       measured latencies, taken as the code does: the
 *                       sorted sample at index floor(0.9 n) (0 = the mean)
 *   safety 0.8, margin_ms 50, fetch_ms 0
 *                       LATENCY_BUFFER, RESIZE_BUFFER; the remote list is
 *                       fetched by a background thread, so the pick waits
 *                       ~0 for it
 *   skip_busy 1         a pair runs one request at a time; a busy one is
 *                       skipped (the variant's semaphore)
 *   cold_timeout_s 5, cold_exclude_s 10
 *                       a remote call that has not answered after 5 s
 *                       (REMOTE_TIMEOUT) is abandoned (the decision's
 *                       timeout: the world cancels the rest of its
 *                       transfer and asks again), marks that endpoint cold
 *                       for 10 s (TIME_TO_WARM_MODEL) and frees it; its
 *                       latency is not recorded, and the request is picked
 *                       again with the budget left (the loop in Model.kt),
 *                       which, the endpoint being cold, runs it on the
 *                       phone unless another remote pair fits
 *   list_refresh_s 60   the remote list is fetched again every 60 s, which
 *                       replaces the remote pairs: histories, busy flags and
 *                       cold marks start over, each figure from the
 *                       server's mean warm latency (here the profile mean)
 *   measure call        what a sample is: for a remote pair the whole call
 *                       (MEASURE_MODELS = true: network included, and the
 *                       network estimate is still added on top, as the
 *                       code does); `server` the time at the node (queue +
 *                       load + execution), `exec` the execution alone.  A
 *                       local sample is queue + load + execution (`exec`:
 *                       execution alone)
 *   local_bench 10      local figures start from this many benchmark runs
 *                       (draws of the profiled execution time), as the test
 *                       harness benchmarks each local model before a run
 *   predict_cold 0, use_queue 0
 *                       cold starts are noticed after the fact (in the
 *                       latencies) and queues are not estimated; with 1,
 *                       add the load time of a model the location does not
 *                       hold, and the expected wait for its queue, from the
 *                       state the nodes last reported (every
 *                       report_period_s; the device's own state is exact)
 *   local_precheck 1, fallback fastest_local
 *                       the code's special cases; `fallback: smallest` is
 *                       the general form's "else the smallest estimate"
 * The network estimator (estimate.h, LC_NET_KEYS) defaults to DESIGN 3.1:
 * RTT an EWMA (0.5) of empty echoes, bandwidth an EWMA (0.5, from the
 * code's 0.001 bytes/s) of bytes / (time - RTT) from a 100 KB echo every
 * 10 s (the harness's timer; 3 rounds back to back at start, as the
 * workers do) and from every remote call, network time = RTT + input /
 * bandwidth.  In the released code only calls through its proxy feed the
 * bandwidth, not the direct endpoint calls LayerCake makes
 * (call_samples: 0 is that); and its estimate uses the size of the full
 * 600 px image for every model, where here each model's own input size
 * is used, the size actually sent.
 *
 * Choices where the code leaves the simulator no exact counterpart:
 * - The list of remote pairs is there from the start (the harness fetches
 *   it while benchmarking) and is replaced at once when due.
 * - The bandwidth sample the list fetch itself yields (a few bytes over a
 *   round trip) is not taken.
 * - The estimate recorded is the chosen pair's estimate (without the
 *   safety factor) plus the time the request already waited.
 *
 * `oracle` keeps the rule, the busy flags and the percentile, but takes the
 * network time from the true future of the trace (upload now, download
 * when the result is ready, mean RTT), queues and residency from the true
 * state, and execution figures from the profile's own percentile; it
 * ignores cold marks.  It is an upper bound, not a deployable policy.
 */
#include "policy/estimate.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MEASURE_CALL, MEASURE_SERVER, MEASURE_EXEC };

typedef struct pair {
    int model, node, local;
    double accuracy;
    double figure;            /* the latency figure the rule uses */
    double *hist;             /* ring of the last cap samples */
    double *sorted;           /* the same samples, ascending */
    double sum;
    int n_hist, cap_hist, head;
    int busy;
    uint64_t busy_req;        /* the request it runs */
    double cold_until;
    double extra_s;           /* remote: the links beyond the access link
                                 (lc_path_extra_s), fixed per pair */
    /* the location's figures a queue or load prediction reads, fixed
     * for the run: its executors, the model's mean execution time there
     * and its load time */
    int executors;
    double mean_s, load_s;
} pair;

typedef struct device_st {
    pair *pairs;              /* local pairs first, then remote */
    int n_pairs, n_local;
    double *in_bytes;         /* oracle: each remote pair's input size */
    double list_at;           /* remote list last fetched */
    lc_net net;
    /* the rule's view of each pair, kept from one decision to the next
     * (NULL until the first; device_cands), and the estimator's values
     * its remote network times are from */
    lc_cand *kept;
    double kept_rtt, kept_bw;
    /* what the rule works out before choosing: the order is set at the
     * first decision, the locals kept up to date */
    lc_kept rule_kept;
} device_st;

typedef struct lc_state {
    int oracle;
    lc_rule rule;
    lc_net_cfg net;
    double percentile;
    int measure, local_bench, history_max, skip_busy;
    int predict_cold, use_queue;
    double list_refresh_s, cold_timeout_s, cold_exclude_s;
    double report_period_s, next_report;
    int *rep_qlen;            /* [n_nodes], as last reported */
    unsigned char *rep_res;   /* [n_nodes x n_models] */
    device_st *dev;
    long n_dev;
    double *oracle_rtt;       /* [n_dev]: each device's mean RTT */
    double *up_s;             /* oracle: [the largest n_pairs], the true
                                 upload time of each remote pair's input,
                                 foreseen when the rule needs it */
    ef_table fig;             /* execution mean and percentile per
                                 (hardware, model) */
} lc_state;

/* ---------- latency figures ---------- */

/* The code's percentile: the sorted sample at index floor(p n); p = 0
 * means the mean. */
static double figure_of(const lc_state *s, const pair *pr)
{
    size_t n = (size_t)pr->n_hist;
    if (s->percentile <= 0)
        return pr->sum / (double)n;
    size_t i = (size_t)floor(s->percentile * (double)n);
    return pr->sorted[i < n ? i : n - 1];
}

/* First index of sorted[0..n) not below x. */
static int lower_bound(const double *sorted, int n, double x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (sorted[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void grow_history(const lc_state *s, pair *pr)
{
    pr->cap_hist = pr->cap_hist ? 2 * pr->cap_hist : 16;
    if (pr->cap_hist > s->history_max)
        pr->cap_hist = s->history_max;
    pr->hist = st_xrealloc(pr->hist, (size_t)pr->cap_hist * sizeof *pr->hist);
    pr->sorted = st_xrealloc(pr->sorted, (size_t)pr->cap_hist * sizeof *pr->sorted);
}

/* Keeps the last history_max samples, in arrival order and sorted, so a
 * percentile costs one lookup. */
static void add_sample(const lc_state *s, pair *pr, double x)
{
    if (pr->n_hist == pr->cap_hist && pr->cap_hist < s->history_max)
        grow_history(s, pr);
    if (pr->n_hist == pr->cap_hist) {
        double old = pr->hist[pr->head];
        int at = lower_bound(pr->sorted, pr->n_hist, old);
        memmove(pr->sorted + at, pr->sorted + at + 1,
                (size_t)(pr->n_hist - at - 1) * sizeof *pr->sorted);
        pr->n_hist--;
        pr->sum -= old;
        pr->hist[pr->head] = x;
        pr->head = (pr->head + 1) % pr->cap_hist;
    } else {
        pr->hist[pr->n_hist] = x;
    }
    int at = lower_bound(pr->sorted, pr->n_hist, x);
    memmove(pr->sorted + at + 1, pr->sorted + at,
            (size_t)(pr->n_hist - at) * sizeof *pr->sorted);
    pr->sorted[at] = x;
    pr->n_hist++;
    pr->sum += x;
    pr->figure = figure_of(s, pr);
}

/* Replaces the remote pairs as a fresh list from the server would. */
static void refresh_remote(device_st *d, double now)
{
    for (int i = 0; i < d->n_pairs; i++) {
        pair *pr = &d->pairs[i];
        if (pr->local)
            continue;
        pr->n_hist = pr->head = 0;
        pr->sum = 0;
        pr->busy = 0;
        pr->cold_until = 0;
        pr->figure = pr->mean_s;
    }
    d->list_at = now;
}

/* ---------- setup ---------- */

static void add_pair(const lc_state *s, const st_view *v, device_st *d,
                     int model, int node, int local, double accuracy,
                     double extra_s)
{
    d->pairs = st_xrealloc(d->pairs, (size_t)(d->n_pairs + 1) * sizeof *d->pairs);
    d->pairs[d->n_pairs++] = (pair){
        .model = model, .node = node, .local = local, .accuracy = accuracy,
        .extra_s = extra_s, .executors = st_view_executors(v, node),
        .mean_s = ef_mean(&s->fig, v, node, model),
        .load_s = st_view_profile(v, node, model)->load_s};
}

/* Every (model, location) pair the device can use: its own models, then
 * those of each node from its attachment point up. */
static void build_pairs(const st_view *v, lc_state *s, gsl_rng *rng,
                        device_st *d, long dev, int cls)
{
    const st_scenario *sc = st_view_scenario(v);
    const st_device_class *dc = &sc->devices[cls];
    int self = st_view_n_nodes(v) + (int)dev;
    for (size_t m = 0; m < sc->n_models; m++) {
        const st_profile *pr = st_view_profile(v, self, (int)m);
        if (sc->models[m].task != dc->task || !pr)
            continue;
        add_pair(s, v, d, (int)m, self, 1, sc->models[m].accuracy, 0);
        pair *p = &d->pairs[d->n_pairs - 1];
        for (int b = 0; b < s->local_bench; b++)
            add_sample(s, p, st_dist_sample(&pr->exec_s, rng));
        if (s->local_bench == 0 || s->oracle)
            p->figure = ef_quant(&s->fig, v, self, (int)m);
    }
    d->n_local = d->n_pairs;
    int attach = st_view_attach(v, (int)dev);
    for (int k = attach; k >= 0; k = sc->nodes[k].parent)
        for (size_t m = 0; m < sc->n_models; m++)
            if (sc->models[m].task == dc->task && st_view_profile(v, k, (int)m))
                add_pair(s, v, d, (int)m, k, 0, sc->models[m].accuracy,
                         lc_path_extra_s(sc, attach, k, sc->models[m].input_bytes,
                                         sc->models[m].output_bytes));
    refresh_remote(d, 0);
    if (!s->oracle)
        return;
    d->in_bytes = st_xmalloc((size_t)(d->n_pairs - d->n_local + 1) * sizeof *d->in_bytes);
    for (int i = d->n_local; i < d->n_pairs; i++)
        d->in_bytes[i - d->n_local] = sc->models[d->pairs[i].model].input_bytes;
}

static void take_reports(const st_view *v, lc_state *s)
{
    const st_scenario *sc = st_view_scenario(v);
    int nn = st_view_n_nodes(v);
    for (int k = 0; k < nn; k++) {
        s->rep_qlen[k] = st_view_queue_len(v, k);
        for (size_t m = 0; m < sc->n_models; m++)
            s->rep_res[(size_t)k * sc->n_models + m] = (unsigned char)st_view_resident(v, k, (int)m);
    }
    s->next_report = st_view_now(v) + s->report_period_s;
}

static const char *const measures[] = {"call", "server", "exec", NULL};
static const char *const fallbacks[] = {"fastest_local", "smallest", NULL};

/* Shared by layercake and oracle; the top of this file says where each
 * default comes from. */
static const st_param lc_params[] = {
    ST_PARAM_REAL("percentile", 0.9, 0, 0.9999, "a pair's latency figure: "
                  "this percentile of its measured latencies (0: the mean)"),
    ST_PARAM_REAL("safety", 0.8, 0.01, 10, "T = safety x (budget - margin - "
                  "fetch): the time an estimate must fit"),
    ST_PARAM_REAL("margin_ms", 50, 0, 1e6, "margin taken off the budget, ms"),
    ST_PARAM_REAL("fetch_ms", 0, 0, 1e6, "time to fetch the remote list "
                  "taken off the budget, ms"),
    ST_PARAM_INT("skip_busy", 1, 0, 1, "1: a pair runs one request at a time "
                 "and a busy one is skipped"),
    ST_PARAM_REAL("cold_timeout_s", 5, 0, 1e6, "a remote call unanswered this "
                  "long marks its endpoint cold, s"),
    ST_PARAM_REAL("cold_exclude_s", 10, 0, 1e6, "how long a cold endpoint is "
                  "skipped, s"),
    ST_PARAM_REAL("list_refresh_s", 60, 0, 1e9, "seconds between fetches of "
                  "the remote list (histories start over)"),
    ST_PARAM_CHOICE("measure", measures, MEASURE_CALL, "what a remote sample "
                    "is: the whole call, the time at the server, or "
                    "execution"),
    ST_PARAM_INT("local_bench", 10, 0, 100000, "benchmark runs each local "
                 "figure starts from"),
    ST_PARAM_INT("history_max", 1000, 1, 1000000, "latencies kept per pair"),
    ST_PARAM_INT("predict_cold", 0, 0, 1, "1: add the load time of a model "
                 "the location does not hold"),
    ST_PARAM_INT("use_queue", 0, 0, 1, "1: add the expected queueing wait "
                 "from the nodes' last report"),
    ST_PARAM_REAL("report_period_s", 1, 0.001, 1e6, "seconds between the "
                  "nodes' state reports"),
    ST_PARAM_INT("local_precheck", 1, 0, 1, "1: when no local figure fits the "
                 "budget, run the fastest local model"),
    ST_PARAM_CHOICE("fallback", fallbacks, LC_FALLBACK_FASTEST_LOCAL, "when "
                    "nothing fits: the fastest local pair, or the smallest "
                    "estimate"),
    ST_PARAM_INCLUDE(lc_net_params),
    ST_PARAM_END};

static void read_params(const st_params *params, lc_state *s)
{
    const st_param *t = lc_params;
    s->percentile = st_param_real(params, t, "percentile");
    s->rule.safety = st_param_real(params, t, "safety");
    s->rule.margin_s = st_param_real(params, t, "margin_ms") / 1e3;
    s->rule.fetch_s = st_param_real(params, t, "fetch_ms") / 1e3;
    s->skip_busy = (int)st_param_int(params, t, "skip_busy");
    s->cold_timeout_s = st_param_real(params, t, "cold_timeout_s");
    s->cold_exclude_s = st_param_real(params, t, "cold_exclude_s");
    s->list_refresh_s = st_param_real(params, t, "list_refresh_s");
    s->measure = st_param_choice(params, t, "measure");
    s->local_bench = (int)st_param_int(params, t, "local_bench");
    s->history_max = (int)st_param_int(params, t, "history_max");
    s->predict_cold = (int)st_param_int(params, t, "predict_cold");
    s->use_queue = (int)st_param_int(params, t, "use_queue");
    s->report_period_s = st_param_real(params, t, "report_period_s");
    s->rule.local_precheck = (int)st_param_int(params, t, "local_precheck");
    s->rule.fallback = (lc_fallback)st_param_choice(params, t, "fallback");
    lc_net_cfg_read(params, &s->net);
}

static void lc_fini(st_policy *p)
{
    lc_state *s = p->state;
    if (!s)
        return;
    for (long i = 0; s->dev && i < s->n_dev; i++) {
        for (int k = 0; k < s->dev[i].n_pairs; k++) {
            free(s->dev[i].pairs[k].hist);
            free(s->dev[i].pairs[k].sorted);
        }
        free(s->dev[i].pairs);
        free(s->dev[i].in_bytes);
        free(s->dev[i].kept);
        lc_kept_free(&s->dev[i].rule_kept);
        lc_net_free(&s->dev[i].net);
    }
    free(s->dev);
    free(s->rep_qlen);
    free(s->rep_res);
    free(s->oracle_rtt);
    free(s->up_s);
    ef_free(&s->fig);
    free(s);
    p->state = NULL;
}

static int init_common(st_policy *p, const st_params *params, const st_view *v,
                       st_error *err, int oracle)
{
    const st_scenario *sc = st_view_scenario(v);
    lc_state *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    s->oracle = oracle;
    read_params(params, s);
    s->n_dev = sc->n_devices;
    s->dev = calloc((size_t)s->n_dev, sizeof *s->dev);
    s->oracle_rtt = calloc((size_t)s->n_dev + 1, sizeof *s->oracle_rtt);
    s->rep_qlen = calloc(sc->n_nodes, sizeof *s->rep_qlen);
    s->rep_res = calloc(sc->n_nodes * sc->n_models + 1, 1);
    if (!s->dev || !s->oracle_rtt || !s->rep_qlen || !s->rep_res)
        return st_error_set(err, "out of memory for %ld devices", s->n_dev);
    if (ef_init(&s->fig, v, s->percentile, err) < 0)
        return -1;
    int max_pairs = 0;
    long dev = 0;
    for (size_t c = 0; c < sc->n_device_classes; c++)
        for (long k = 0; k < sc->devices[c].count; k++, dev++) {
            device_st *d = &s->dev[dev];
            lc_net_init(&d->net, &s->net);
            build_pairs(v, s, p->rng, d, dev, (int)c);   /* bench draws */
            if (d->n_pairs > max_pairs)
                max_pairs = d->n_pairs;
            if (oracle)   /* static: the mean of the RTT distribution */
                s->oracle_rtt[dev] = st_view_oracle_rtt_s(v, (int)dev);
            else
                lc_net_update(&d->net, &s->net, v, (int)dev);
        }
    s->up_s = calloc((size_t)max_pairs + 1, sizeof *s->up_s);
    if (!s->up_s)
        return st_error_set(err, "out of memory");
    take_reports(v, s);
    if (!oracle) {
        p->tick_s = s->net.probe_period_s > 0 ? s->net.probe_period_s : 0;
        if ((s->use_queue || s->predict_cold) &&
            (p->tick_s == 0 || s->report_period_s < p->tick_s))
            p->tick_s = s->report_period_s;
    }
    return 0;
}

/* ---------- deciding ---------- */

static int resident(const lc_state *s, const st_view *v, int node, int model,
                    int exact)
{
    if (exact || node >= st_view_n_nodes(v))
        return st_view_resident(v, node, model);
    return s->rep_res[(size_t)node * st_view_scenario(v)->n_models + (size_t)model];
}

static int queue_len(const lc_state *s, const st_view *v, int node, int exact)
{
    return exact || node >= st_view_n_nodes(v) ? st_view_queue_len(v, node)
                                               : s->rep_qlen[node];
}

/* The parts of a pair's candidate that stand for the run: which pair it
 * is and, for the oracle, its execution figure (the profile's
 * percentile). */
static lc_cand fixed_part(const lc_state *s, const st_view *v, const pair *pr)
{
    lc_cand c = {.model = pr->model, .node = pr->node, .local = pr->local,
                 .accuracy = pr->accuracy};
    if (s->oracle)
        c.exec_s = ef_quant(&s->fig, v, pr->node, pr->model);
    return c;
}

/* What can move a device's candidates between two of its decisions. */
typedef struct moment {
    double now;
    double oracle_rtt;        /* oracle: the device's mean RTT */
    int net_moved;            /* the estimator's values have changed */
    int skip_busy;
} moment;

/* Pair pr's queue wait and load time in its candidate c, where predicted
 * (queue, cold; the oracle's from the true state); whether either has
 * changed. */
static inline int predicted(const lc_state *s, const st_view *v,
                            const pair *pr, lc_cand *c, int oracle, int queue,
                            int cold)
{
    int changed = 0;
    if (queue) {
        double q = lc_queue_wait_s(queue_len(s, v, pr->node, oracle),
                                   pr->executors, pr->mean_s);
        changed = !(c->queue_s == q);
        c->queue_s = q;
    }
    if (cold) {
        double l = resident(s, v, pr->node, pr->model, oracle) ? 0 : pr->load_s;
        changed |= !(c->load_s == l);
        c->load_s = l;
    }
    return changed;
}

/* Local pair i's candidate brought up to date: its figure, predictions
 * and busy flag.  Whether its estimate (all the rule's local summary
 * reads of it) has changed. */
static inline int local_part(const lc_state *s, const st_view *v,
                             const device_st *d, int i, const moment *at,
                             int oracle, int queue, int cold)
{
    const pair *pr = &d->pairs[i];
    lc_cand *c = &d->kept[i];
    int changed = 0;
    if (!oracle) {
        changed = !(c->exec_s == pr->figure);
        c->exec_s = pr->figure;
    }
    changed |= predicted(s, v, pr, c, oracle, queue, cold);
    c->unavailable = at->skip_busy && pr->busy;
    return changed;
}

/* Remote pair i's: its figure, predictions, busy and cold flags, and its
 * network time (the oracle's first lower bound, the RTT and the links
 * beyond the access link, pending its upload and download; the
 * estimator's when its values have moved). */
static inline void remote_part(const lc_state *s, const st_view *v,
                               const device_st *d, int i, const moment *at,
                               int oracle, int queue, int cold)
{
    const pair *pr = &d->pairs[i];
    lc_cand *c = &d->kept[i];
    if (!oracle)
        c->exec_s = pr->figure;
    predicted(s, v, pr, c, oracle, queue, cold);
    c->unavailable = (at->skip_busy && pr->busy) ||
                     (!oracle && at->now < pr->cold_until);
    if (oracle) {   /* transfers are foreseen only when they matter */
        c->net_s = at->oracle_rtt + pr->extra_s;
        c->pending = 2;
    } else if (at->net_moved) {
        const st_model *md = &st_view_scenario(v)->models[pr->model];
        c->net_s = lc_net_time(&d->net, &s->net, md->input_bytes,
                               md->output_bytes) + pr->extra_s;
    }
}

/* Every candidate of d brought up to date; whether a local estimate
 * changed.  Called with constant flags for the usual cases, so that each
 * gets a copy without the tests of the others. */
static inline int move_all(const lc_state *s, const st_view *v,
                           const device_st *d, const moment *at, int oracle,
                           int queue, int cold)
{
    int moved = 0, n_local = d->n_local, n = d->n_pairs;
    for (int i = 0; i < n_local; i++)
        moved |= local_part(s, v, d, i, at, oracle, queue, cold);
    for (int i = n_local; i < n; i++)
        remote_part(s, v, d, i, at, oracle, queue, cold);
    return moved;
}

/* The rule's view of d's pairs for this decision.  Kept from one decision
 * to the next: only what can have changed is written again, and the
 * rule's local summary is worked out again when a local estimate has
 * changed.  At d's first decision every candidate is built and the
 * summary, with the order by accuracy, set up. */
static lc_cand *device_cands(const lc_state *s, const st_view *v,
                             const st_request *req, device_st *d, double now)
{
    size_t n = (size_t)d->n_pairs;
    int first = !d->kept;
    double rtt = st_bwest_value(&d->net.rtt), bw = st_bwest_value(&d->net.bw);
    const moment at = {
        .now = now, .oracle_rtt = s->oracle_rtt[req->device],
        .net_moved = first || !(rtt == d->kept_rtt && bw == d->kept_bw),
        .skip_busy = s->skip_busy};
    if (first) {
        d->kept = st_xmalloc((n + 1) * sizeof *d->kept);
        for (int i = 0; i < d->n_pairs; i++)
            d->kept[i] = fixed_part(s, v, &d->pairs[i]);
    }
    int moved = s->oracle ? move_all(s, v, d, &at, 1, 1, 1)
              : !s->use_queue && !s->predict_cold ? move_all(s, v, d, &at, 0, 0, 0)
              : move_all(s, v, d, &at, 0, s->use_queue, s->predict_cold);
    d->kept_rtt = rtt;
    d->kept_bw = bw;
    if (first)
        lc_kept_init(&d->rule_kept, d->kept, n);
    else if (moved)
        lc_kept_locals(&d->rule_kept, d->kept, n);
    return d->kept;
}

/* What completing an oracle's candidate needs. */
typedef struct oracle_ctx {
    const st_view *v;
    const st_request *req;
    const device_st *d;
    double rtt_s;             /* the device's mean RTT */
    double *up_s;             /* each remote pair's upload, once foreseen */
} oracle_ctx;

/* The oracle's network time of remote candidate i, in two steps: first
 * its input's upload from now, which with the RTT is a tighter bound,
 * then the download foreseen from when its result is ready. */
static void oracle_complete(void *ctx, lc_cand *c, int i)
{
    const oracle_ctx *o = ctx;
    const pair *pr = &o->d->pairs[i];
    lc_cand *k = &c[i];
    double extra = pr->extra_s, now = st_view_now(o->v);
    if (k->pending == 2) {
        st_view_oracle_transfers_s(o->v, o->req->device, 1, now,
                                   &o->d->in_bytes[i - o->d->n_local], 1,
                                   &o->up_s[i]);
        k->net_s = o->up_s[i] + o->rtt_s + extra;
        k->pending = 1;
        return;
    }
    const st_model *md = &st_view_scenario(o->v)->models[pr->model];
    k->net_s = lc_oracle_net_s(o->v, o->req->device, o->rtt_s, o->up_s[i],
                               md->output_bytes,
                               extra + k->queue_s + k->load_s + k->exec_s) + extra;
    k->pending = 0;
}

static void lc_decide(st_policy *p, const st_request *req, const st_view *v,
                      st_decision *out)
{
    lc_state *s = p->state;
    device_st *d = &s->dev[req->device];
    double now = st_view_now(v);
    if (!s->oracle)
        lc_net_update(&d->net, &s->net, v, req->device);
    if (s->list_refresh_s > 0 && now >= d->list_at + s->list_refresh_s)
        refresh_remote(d, now);
    lc_cand *c = device_cands(s, v, req, d, now);
    lc_rule rule = s->rule;
    rule.min_accuracy = req->min_accuracy;
    oracle_ctx octx = {v, req, d, s->oracle_rtt[req->device], s->up_s};
    int i = lc_select_with(&rule, c, (size_t)d->n_pairs, req->budget_s,
                           &d->rule_kept, s->oracle ? oracle_complete : NULL,
                           &octx);
    if (i < 0) {
        out->drop = 1;
        return;
    }
    pair *pr = &d->pairs[i];
    out->model = pr->model;
    out->node = pr->node;
    out->estimate_s = (now - req->arrival_s) + lc_estimate(&c[i]);
    out->timeout_s = s->oracle || pr->local ? 0 : s->cold_timeout_s;
    pr->busy = 1;
    pr->busy_req = req->id;
}

/* ---------- learning from outcomes ---------- */

static pair *find_pair(device_st *d, int model, int node)
{
    for (int i = 0; i < d->n_pairs; i++)
        if (d->pairs[i].model == model && d->pairs[i].node == node)
            return &d->pairs[i];
    return NULL;
}

static double sample_of(const lc_state *s, const st_outcome *o, double call_s)
{
    double server = o->queue_s + o->load_s + o->exec_s;
    switch (s->measure) {
    case MEASURE_EXEC: return o->exec_s;
    case MEASURE_SERVER: return server;
    default: return call_s;
    }
}

static void lc_observe(st_policy *p, const st_outcome *o, const st_view *v)
{
    lc_state *s = p->state;
    const st_request *req = o->req;
    device_st *d = &s->dev[req->device];
    if (o->decision.drop || (!o->abandoned && !isfinite(o->latency_s)))
        return;
    pair *pr = find_pair(d, o->decision.model, o->decision.node);
    /* Not the call this pair is waiting on: one made to a pair the list
     * has since replaced. */
    if (!pr || !pr->busy || pr->busy_req != req->id)
        return;
    pr->busy = 0;
    /* Timed out (or throttled by a serverless endpoint): cold for a
     * while from now, nothing learnt. */
    if (o->abandoned) {
        pr->cold_until = st_view_now(v) + s->cold_exclude_s;
        return;
    }
    /* The oracle's figures are the profile's: no latency it sees is ever
     * read back. */
    if (s->oracle)
        return;
    double call_s = o->latency_s - (req->decide_s - req->arrival_s);
    if (pr->local) {
        add_sample(s, pr, s->measure == MEASURE_EXEC
                              ? o->exec_s : o->queue_s + o->load_s + o->exec_s);
        return;
    }
    double at_node = o->queue_s + o->load_s + o->exec_s;
    lc_net_call(&d->net, &s->net, o->bytes_up, call_s - at_node);
    add_sample(s, pr, sample_of(s, o, call_s));
}

static void lc_tick(st_policy *p, const st_view *v)
{
    lc_state *s = p->state;
    for (long i = 0; i < s->n_dev; i++)
        lc_net_update(&s->dev[i].net, &s->net, v, (int)i);
    if (st_view_now(v) >= s->next_report)
        take_reports(v, s);
}

static int layercake_init(st_policy *p, const st_params *params,
                          const st_view *v, st_error *err)
{
    return init_common(p, params, v, err, 0);
}

static int oracle_init(st_policy *p, const st_params *params, const st_view *v,
                       st_error *err)
{
    return init_common(p, params, v, err, 1);
}

/* ---------- the state's size (state_size) ---------- */

/* Models of task that node k's hardware (or the device's, k < 0) runs. */
static int models_at(const st_scenario *sc, int hw, int task)
{
    int n = 0;
    for (size_t m = 0; m < sc->n_models; m++)
        n += sc->models[m].task == task && sc->hardware[hw].per_model[m].present;
    return n;
}

/* A device's pairs at most (build_pairs): its own models of its task,
 * then each node's from its attachment point up, whichever point. */
static void class_pairs(const st_scenario *sc, const st_device_class *dc,
                        int *n_local, int *n_pairs)
{
    *n_local = models_at(sc, dc->hardware, dc->task);
    *n_pairs = *n_local;
    size_t na = dc->n_attach ? dc->n_attach : 1;
    for (size_t a = 0; a < na; a++) {
        int remote = 0;
        for (int k = dc->n_attach ? dc->attach_nodes[a] : dc->attach; k >= 0;
             k = sc->nodes[k].parent)
            remote += models_at(sc, sc->nodes[k].hardware, dc->task);
        if (*n_local + remote > *n_pairs)
            *n_pairs = *n_local + remote;
    }
}

/* A pair's history holds at most history_max samples in two arrays whose
 * room is at most max(16, twice the samples), capped at history_max
 * (grow_history): a first block of min(16, history_max) samples (a local
 * pair's, room for its benchmark runs), then 16 bytes a sample, twice.
 * A device also keeps its candidates and the rule's order of them. */
static void lc_size(const st_scenario *sc, const st_params *params,
                    st_state_size *out, int oracle)
{
    lc_state s = {0};
    read_params(params, &s);
    double first = s.history_max < 16 ? s.history_max : 16;
    double bench = fmax(first, fmin(2.0 * s.local_bench, s.history_max));
    first *= 2 * sizeof(double);
    bench *= 2 * sizeof(double);
    double dev = 0;
    int max_pairs = 0;
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        int n_local, n_pairs;
        class_pairs(sc, &sc->devices[c], &n_local, &n_pairs);
        double d = sizeof(device_st) + sizeof(double) + lc_net_bytes() +
                   n_pairs * sizeof(pair) + (n_pairs - n_local) * first +
                   n_local * bench +
                   (n_pairs + 1) * (sizeof(lc_cand) + sizeof(int)) +
                   (oracle ? (n_pairs - n_local + 1) * sizeof(double) : 0);
        dev = d > dev ? d : dev;
        max_pairs = n_pairs > max_pairs ? n_pairs : max_pairs;
    }
    *out = (st_state_size){
        .fixed = sizeof(lc_state) + ef_bytes(sc) +
                 (double)sc->n_nodes * (sizeof(int) + (double)sc->n_models) +
                 (max_pairs + 1.0) * sizeof(double),
        .per_device = dev,
        .per_request = 4 * sizeof(double)};
}

static void layercake_size(const st_scenario *sc, const st_params *params,
                           st_state_size *out)
{
    lc_size(sc, params, out, 0);
}

static void oracle_size(const st_scenario *sc, const st_params *params,
                        st_state_size *out)
{
    lc_size(sc, params, out, 1);
}

const st_policy_ops st_policy_layercake = {
    .name = "layercake",
    .summary = "LayerCake (CCGrid'23): per request, the most accurate device or cloud model whose estimate fits the budget",
    .init = layercake_init,
    .decide = lc_decide,
    .observe = lc_observe,
    .tick = lc_tick,
    .fini = lc_fini,
    .params = lc_params,
    .state_size = layercake_size,
};

const st_policy_ops st_policy_oracle = {
    .name = "oracle",
    .summary = "(oracle: uses the future of the traces; an upper bound, not deployable) LayerCake's rule with true network times and queues",
    .init = oracle_init,
    .decide = lc_decide,
    .observe = lc_observe,
    .fini = lc_fini,
    .params = lc_params,
    .state_size = oracle_size,
};
