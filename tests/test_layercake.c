/* test_layercake.c - the pieces of the `layercake`, `oracle` and `infaas`
 * policies: the bandwidth estimators on a fixed sample sequence, the
 * estimate and LayerCake's selection rule on hand-made states (each
 * expected choice worked out by hand in a comment), and the world support
 * they need: dispatch queues (EDF and FIFO with workers), probes that
 * occupy the access link, the estimate-error metrics, ${STRATA_DATA} in
 * scenario paths, and client timeouts (cancelled transfers, retries,
 * what the node does with abandoned work).  Then the policies end to end
 * on tiny scenarios, layercake through a long outage among them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "policy/bwest.h"
#include "strata/scenario.h"
#include "world/world.h"
#include "policy/registry.h"
#include "policy/estimate.h"
#include "testutil.h"

#define EPS 1e-9

/* ---------- bandwidth estimators ---------- */

static const double seq[] = {100, 200, 50, 400};

static st_bwest fed(st_bwest_kind kind, double alpha, int k, size_t n)
{
    st_bwest e;
    st_bwest_init(&e, kind, alpha, k, 10);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(st_bwest_add(&e, seq[i]), 1);
    return e;
}

static void test_bwest_initial(void **state)
{
    (void)state;
    for (int k = ST_BWEST_LAST; k <= ST_BWEST_HARMONIC; k++) {
        st_bwest e = fed((st_bwest_kind)k, 0.5, 3, 0);
        assert_near(st_bwest_value(&e), 10, EPS);
    }
}

static void test_bwest_last(void **state)
{
    (void)state;
    st_bwest e = fed(ST_BWEST_LAST, 0.5, 3, 4);
    assert_near(st_bwest_value(&e), 400, EPS);
}

static void test_bwest_ewma(void **state)
{
    (void)state;
    /* alpha 0.5 from 10: 55, 127.5, 88.75, 244.375 */
    st_bwest e = fed(ST_BWEST_EWMA, 0.5, 3, 4);
    assert_near(st_bwest_value(&e), 244.375, EPS);
    /* alpha 0.25 from 10: 32.5, 74.375, 68.28125, 151.2109375 */
    e = fed(ST_BWEST_EWMA, 0.25, 3, 4);
    assert_near(st_bwest_value(&e), 151.2109375, EPS);
}

static void test_bwest_harmonic(void **state)
{
    (void)state;
    /* two samples: 2 / (1/100 + 1/200) = 133.33... */
    st_bwest e = fed(ST_BWEST_HARMONIC, 0.5, 3, 2);
    assert_near(st_bwest_value(&e), 400.0 / 3, EPS);
    /* the last 3 of 4: 3 / (1/200 + 1/50 + 1/400) = 109.0909... */
    e = fed(ST_BWEST_HARMONIC, 0.5, 3, 4);
    assert_near(st_bwest_value(&e), 3 / 0.0275, EPS);
    /* one slow sample pulls the harmonic mean below the arithmetic one */
    assert_true(st_bwest_value(&e) < (200 + 50 + 400) / 3.0);
}

static void test_bwest_ignores_bad_samples(void **state)
{
    (void)state;
    st_bwest e = fed(ST_BWEST_EWMA, 0.5, 3, 4);
    assert_int_equal(st_bwest_add(&e, -5), 0);
    assert_int_equal(st_bwest_add(&e, 0), 0);
    assert_int_equal(st_bwest_add(&e, NAN), 0);
    assert_int_equal(st_bwest_add(&e, INFINITY), 0);
    assert_near(st_bwest_value(&e), 244.375, EPS);
    assert_int_equal(e.n, 4);
}

/* ---------- the estimate and the rule ---------- */

/* LayerCake's defaults: T = 0.8 x (B - 50 ms). */
static const lc_rule code_rule = {.safety = 0.8, .margin_s = 0.05,
                                  .local_precheck = 1,
                                  .fallback = LC_FALLBACK_FASTEST_LOCAL};

static lc_cand local_pair(int model, double acc, double exec)
{
    return (lc_cand){.model = model, .node = 9, .local = 1, .accuracy = acc,
                     .exec_s = exec};
}

static lc_cand cloud_pair(int model, double acc, double exec, double net)
{
    return (lc_cand){.model = model, .node = 0, .accuracy = acc,
                     .exec_s = exec, .net_s = net};
}

static void test_estimate_sums_parts(void **state)
{
    (void)state;
    lc_cand c = cloud_pair(7, 0.843, 0.15, 0.3);
    c.queue_s = 0.2;
    c.load_s = 4;
    assert_near(lc_estimate(&c), 4.65, EPS);
}

/* Phone: B0 (0.771, 60 ms), B3 (0.816, 240 ms); cloud: B7 (0.843). */
static void three_pairs(lc_cand c[3], double cloud_net)
{
    c[0] = local_pair(0, 0.771, 0.06);
    c[1] = local_pair(3, 0.816, 0.24);
    c[2] = cloud_pair(7, 0.843, 0.15, cloud_net);
}

static void test_select_warm_vs_cold(void **state)
{
    (void)state;
    lc_cand c[3];
    /* B = 1 s: T = 0.8 x 0.95 = 0.76 s.  Warm B7: 0.15 + 0.3 = 0.45 <= T,
     * the most accurate: the cloud. */
    three_pairs(c, 0.3);
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 2);
    /* Cold B7 with its load predicted (5 s): 5.45 > T; B3's 0.24 fits:
     * the phone's B3. */
    c[2].load_s = 5;
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 1);
    /* Marked cold (excluded) rather than predicted: the same. */
    c[2].load_s = 0;
    c[2].unavailable = 1;
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 1);
}

static void test_select_queue(void **state)
{
    (void)state;
    lc_cand c[3];
    three_pairs(c, 0.3);
    /* 0.4 s of queue at the cloud: 0.85 > 0.76: B3 on the phone. */
    c[2].queue_s = 0.4;
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 1);
    /* 0.3 s: 0.75 <= 0.76: still the cloud. */
    c[2].queue_s = 0.3;
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 2);
}

static void test_select_bandwidth(void **state)
{
    (void)state;
    lc_net_cfg cfg = {.bw_kind = ST_BWEST_LAST, .bw_alpha = 0.5, .bw_k = 1,
                      .bw_init = 1, .rtt_alpha = 1};
    lc_net n;
    lc_net_init(&n, &cfg);
    st_bwest_add(&n.rtt, 0.1);
    lc_cand c[3];
    /* Fast: 1 MB/s.  180 KB: 0.1 + 0.18 = 0.28 s; 0.15 + 0.28 = 0.43 <= 0.76. */
    st_bwest_add(&n.bw, 1e6);
    assert_near(lc_net_time(&n, &cfg, 180000, 16000), 0.28, EPS);
    three_pairs(c, lc_net_time(&n, &cfg, 180000, 16000));
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 2);
    /* Slow: 100 KB/s.  0.1 + 1.8 = 1.9 s: B3 on the phone. */
    st_bwest_add(&n.bw, 1e5);
    three_pairs(c, lc_net_time(&n, &cfg, 180000, 16000));
    assert_int_equal(lc_select(&code_rule, c, 3, 1.0), 1);
    /* Counting the output as well: 0.1 + 1.96 = 2.06 s. */
    cfg.count_output = 1;
    assert_near(lc_net_time(&n, &cfg, 180000, 16000), 2.06, EPS);
    lc_net_free(&n);
}

static void test_select_precheck(void **state)
{
    (void)state;
    /* A slow phone: its fastest pair takes 0.3 s.  B = 0.25 s: no local
     * pair fits B, so the code runs the fastest local pair and does not
     * look at the cloud, whose 0.1 s would fit T = 0.8 x 0.2 = 0.16. */
    lc_cand c[2] = {local_pair(0, 0.771, 0.3), cloud_pair(7, 0.843, 0.05, 0.05)};
    assert_int_equal(lc_select(&code_rule, c, 2, 0.25), 0);
    lc_rule general = code_rule;
    general.local_precheck = 0;
    assert_int_equal(lc_select(&general, c, 2, 0.25), 1);
}

static void test_select_ties_and_busy(void **state)
{
    (void)state;
    /* Same accuracy on both sides, both fit (B = 2 s, T = 1.56): the
     * local pair, listed first, wins the tie. */
    lc_cand c[3] = {local_pair(0, 0.771, 0.06), local_pair(7, 0.843, 0.5),
                    cloud_pair(7, 0.843, 0.05, 0.25)};
    assert_int_equal(lc_select(&code_rule, c, 3, 2.0), 1);
    /* The local B7 busy: the cloud's. */
    c[1].unavailable = 1;
    assert_int_equal(lc_select(&code_rule, c, 3, 2.0), 2);
    /* Everything busy: the fastest local pair (busy or not). */
    c[0].unavailable = c[2].unavailable = 1;
    assert_int_equal(lc_select(&code_rule, c, 3, 2.0), 0);
}

static void test_select_fallback_and_floor(void **state)
{
    (void)state;
    /* B = 0.3 s, T = 0.2: B0 (0.06) fits B, so no pre-check; nothing but
     * B0 fits T, and with a minimum accuracy of 0.8 not even B0. */
    lc_cand c[3] = {local_pair(0, 0.771, 0.06), local_pair(3, 0.816, 0.24),
                    cloud_pair(7, 0.843, 0.05, 0.2)};
    lc_rule r = code_rule;
    r.min_accuracy = 0.8;
    /* the code: the fastest local pair, B0 */
    assert_int_equal(lc_select(&r, c, 3, 0.3), 0);
    /* the general form: the smallest estimate, B0 (0.06) too; make the
     * phone slower (B0 0.28, B3 0.29: both still fit B) so that the
     * cloud's 0.25 is the smallest */
    r.fallback = LC_FALLBACK_SMALLEST;
    c[0].exec_s = 0.28;
    c[1].exec_s = 0.29;
    assert_int_equal(lc_select(&r, c, 3, 0.3), 2);
    /* without the floor nothing fits T = 0.2 either (0.28, 0.29, 0.25):
     * the smallest estimate again */
    r.min_accuracy = 0;
    assert_int_equal(lc_select(&r, c, 3, 0.3), 2);
}

static void test_select_without_remote(void **state)
{
    (void)state;
    /* No remote pair at all: the most accurate local pair within B,
     * without the safety factor: B = 0.25 admits B3 (0.24). */
    lc_cand c[2] = {local_pair(0, 0.771, 0.06), local_pair(3, 0.816, 0.24)};
    assert_int_equal(lc_select(&code_rule, c, 2, 0.25), 1);
    assert_int_equal(lc_select(&code_rule, c, 0, 0.25), -1);
}

/* ---------- the lazy selection ---------- */

/* A deterministic stream of doubles in [0, 1). */
static double draw(uint64_t *x)
{
    *x = *x * 6364136223846793005u + 1442695040888963407u;
    return (double)(*x >> 11) / 9007199254740992.0;
}

/* What lazy completion knows: the exact network times, and a count. */
typedef struct lazy_fx {
    const double *exact_net;
    int completed;
    int bad;             /* completed a candidate that was not pending */
} lazy_fx;

static void complete_exact(void *ctx, lc_cand *c, int i)
{
    lazy_fx *f = ctx;
    f->bad |= !c[i].pending;
    c[i].net_s = f->exact_net[i];
    c[i].pending = 0;
    f->completed++;
}

/* The rule written out as the phone library reads, scanning forwards:
 * the reference the selection must agree with. */
static int reference_select(const lc_rule *r, const lc_cand *c, int n, double b)
{
    int any_local = 0, any_remote = 0, local_fits = 0, fl = -1, fa = -1, best = -1;
    for (int i = 0; i < n; i++) {
        double e = lc_estimate(&c[i]);
        any_local |= c[i].local;
        any_remote |= !c[i].local;
        local_fits |= c[i].local && e <= b;
        if (c[i].local && (fl < 0 || e < lc_estimate(&c[fl])))
            fl = i;
    }
    for (int pass = 0; pass < 2 && fa < 0; pass++)
        for (int i = 0; i < n; i++)
            if ((pass || !c[i].unavailable) && (fa < 0 || lc_estimate(&c[i]) < lc_estimate(&c[fa])))
                fa = i;
    if (n == 0)
        return -1;
    int fastest = any_local ? fl : fa;
    if (r->local_precheck && any_local && !local_fits)
        return fastest;
    double t = any_remote ? r->safety * (b - r->margin_s - r->fetch_s) : b;
    for (int i = 0; i < n; i++)
        if ((any_remote || c[i].local) && !(any_remote && c[i].unavailable) &&
            c[i].accuracy >= r->min_accuracy && lc_estimate(&c[i]) <= t &&
            (best < 0 || c[i].accuracy > c[best].accuracy))
            best = i;
    if (best >= 0)
        return best;
    return any_remote && r->fallback == LC_FALLBACK_SMALLEST ? fa : fastest;
}

/* Candidate i of the lazy-selection tests, the first ones local. */
static lc_cand random_cand(uint64_t *x, int i, int local)
{
    return (lc_cand){.model = i, .local = local,
                     .accuracy = 0.7 + 0.05 * (int)(draw(x) * 4),
                     .exec_s = draw(x), .unavailable = draw(x) < 0.2,
                     .net_s = local ? 0 : 2 * draw(x)};
}

/* The rule of iteration it: each setting of the accuracy floor, the
 * local precheck and the fallback in turn. */
static lc_rule varied_rule(int it)
{
    return (lc_rule){.safety = 0.8, .margin_s = 0.05,
                     .min_accuracy = 0.75 * (it % 3 == 0),
                     .local_precheck = it % 2,
                     .fallback = (lc_fallback)(it / 2 % 2)};
}

/* A pair the lazy selection picked is complete, with the exact pair's
 * estimate. */
static void assert_complete_as(const lc_cand *lazy, const lc_cand *full,
                               int got)
{
    if (got < 0)
        return;
    assert_false(lazy[got].pending);
    assert_true(lc_estimate(&lazy[got]) == lc_estimate(&full[got]));
}

/* On random candidate lists (a few accuracies, so ties; busy pairs;
 * every rule variant), lc_select agrees with the rule scanned forwards,
 * and so does lc_select_with the rule's summary and order kept, and
 * lc_select_lazy, given remote pairs whose network time is only a
 * lower bound, picks the same pair, returns it complete, and completes
 * no pair whose bound alone rules it out. */
static void test_select_lazy_matches(void **state)
{
    (void)state;
    uint64_t x = 99;
    int completed = 0, remote = 0;
    for (int it = 0; it < 20000; it++) {
        lc_cand full[12], lazy[12];
        double exact[12];
        int n = (int)(draw(&x) * 12), n_local = n ? (int)(draw(&x) * (n + 1)) : 0;
        for (int i = 0; i < n; i++) {
            int local = i < n_local;
            full[i] = random_cand(&x, i, local);
            exact[i] = full[i].net_s;
            lazy[i] = full[i];
            if (!local) {
                lazy[i].net_s *= draw(&x);   /* a lower bound */
                lazy[i].pending = 1;
                remote++;
            }
        }
        lc_rule r = varied_rule(it);
        double b = 3 * draw(&x);
        lazy_fx f = {exact, 0, 0};
        int want = reference_select(&r, full, n, b);
        assert_int_equal(lc_select(&r, full, (size_t)n, b), want);
        /* the same with the summary and order kept by a caller */
        lc_cand kept_lazy[12];
        memcpy(kept_lazy, lazy, sizeof lazy);
        lc_kept k = {0};
        lc_kept_init(&k, full, (size_t)n);
        assert_true(n == 0 || k.by_accuracy);
        lazy_fx fk = {exact, 0, 0};
        assert_int_equal(lc_select_with(&r, full, (size_t)n, b, &k, NULL, NULL), want);
        assert_int_equal(lc_select_with(&r, kept_lazy, (size_t)n, b, &k,
                                        complete_exact, &fk), want);
        assert_false(fk.bad);
        lc_kept_free(&k);
        int got = lc_select_lazy(&r, lazy, (size_t)n, b, complete_exact, &f);
        assert_int_equal(got, want);
        assert_false(f.bad);
        assert_complete_as(lazy, full, got);
        completed += f.completed;
    }
    /* Laziness pays: here (accuracies in random order, so the scan rarely
     * stops early) close to half the remote pairs are never completed. */
    assert_true(completed < 0.7 * remote);
}

/* A completion in two steps, as the oracle's: a tighter bound first
 * (its upload), then the exact time. */
typedef struct steps_fx {
    const double *bound1, *exact_net;
    int steps, bad;      /* bad: a step on a candidate not pending */
} steps_fx;

static void complete_in_steps(void *ctx, lc_cand *c, int i)
{
    steps_fx *f = ctx;
    f->bad |= !c[i].pending;
    f->steps++;
    if (c[i].pending == 2) {
        c[i].net_s = f->bound1[i];
        c[i].pending = 1;
        return;
    }
    c[i].net_s = f->exact_net[i];
    c[i].pending = 0;
}

/* Given remote pairs two steps from their exact network time (a loose
 * bound, then a tighter one), lc_select_lazy picks what the rule picks on
 * the exact times, returns the pair complete, and takes fewer steps than
 * completing every remote pair would. */
static void test_select_lazy_in_steps(void **state)
{
    (void)state;
    uint64_t x = 7;
    int steps = 0, remote = 0;
    for (int it = 0; it < 20000; it++) {
        lc_cand full[12], lazy[12];
        double exact[12], bound1[12];
        int n = (int)(draw(&x) * 12), n_local = n ? (int)(draw(&x) * (n + 1)) : 0;
        for (int i = 0; i < n; i++) {
            int local = i < n_local;
            full[i] = random_cand(&x, i, local);
            exact[i] = full[i].net_s;
            bound1[i] = exact[i] * draw(&x);
            lazy[i] = full[i];
            if (!local) {
                lazy[i].net_s = bound1[i] * draw(&x);
                lazy[i].pending = 2;
                remote++;
            }
        }
        lc_rule r = varied_rule(it);
        double b = 3 * draw(&x);
        steps_fx f = {bound1, exact, 0, 0};
        int want = reference_select(&r, full, n, b);
        int got = lc_select_lazy(&r, lazy, (size_t)n, b, complete_in_steps, &f);
        assert_int_equal(got, want);
        assert_false(f.bad);
        assert_complete_as(lazy, full, got);
        steps += f.steps;
    }
    assert_true(steps < 2 * 0.7 * remote);
}

static void test_queue_wait(void **state)
{
    (void)state;
    assert_near(lc_queue_wait_s(1, 2, 0.1), 0, EPS);
    assert_near(lc_queue_wait_s(2, 2, 0.1), 0.05, EPS);
    assert_near(lc_queue_wait_s(5, 1, 0.1), 0.5, EPS);
}

/* ---------- scenarios ---------- */

static st_run_result run_ops(const st_scenario *sc, const st_policy_ops *ops)
{
    st_run_result res;
    st_error err;
    st_run_opts o = {.log_requests = 1};
    if (st_world_run_ops(sc, ops, NULL, &o, &res, &err))
        fail_msg("%s", err.msg);
    return res;
}

static st_run_result run_policy(const st_scenario *sc, size_t p)
{
    st_run_result res;
    st_error err;
    st_run_opts o = {.log_requests = 1};
    if (st_world_run(sc, p, &o, &res, &err))
        fail_msg("%s", err.msg);
    return res;
}

/* ---------- dispatch ---------- */

typedef struct seen {
    uint64_t id;
    double arrival, slo, decide, budget;
} seen;

static seen log_[4096];
static size_t n_log;

static void record_decide(st_policy *p, const st_request *req,
                          const st_view *v, st_decision *out)
{
    (void)p;
    (void)v;
    if (n_log < 4096)
        log_[n_log++] = (seen){req->id, req->arrival_s, req->slo_s,
                               req->decide_s, req->budget_s};
    out->model = 0;
    out->node = req->device_node;
    out->estimate_s = 0.8;
}

static const st_policy_ops recorder = {.name = "recorder", .summary = "test",
                                       .decide = record_decide};

static const char *dispatch_tmpl =
    "name: d\nseed: %d\nduration: 30 s\nwarmup: 0 s\ndrain: 200 s\n"
    "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 1000, output_bytes: 10}]\n"
    "hardware: [{name: h, profiles: {m: {exec_ms: 1000}}}]\n"
    "nodes: [{name: c, hardware: h}]\n"
    "devices:\n  - name: p\n    hardware: h\n    executors: 4\n    attach: c\n"
    "    %s\n"
    "    link: {up: {mbps: 10}, down: {mbps: 10}}\n"
    "    workload: {task: t, arrival: {process: poisson, rate_per_s: 3}, "
    "slo: {dist: uniform, min_ms: 100, max_ms: 20000}}\n"
    "policy: local\n";

static st_run_result run_dispatch(const char *dispatch, st_scenario **keep)
{
    char text[4096];
    snprintf(text, sizeof text, dispatch_tmpl, 3, dispatch);
    *keep = tu_load_text(text);
    n_log = 0;
    return run_ops(*keep, &recorder);
}

/* Requests in service (exec 1 s exactly, local) at most `workers` at once. */
static int max_in_service(void)
{
    int most = 0;
    for (size_t i = 0; i < n_log; i++) {
        int k = 0;
        for (size_t j = 0; j < n_log; j++)
            if (log_[j].decide <= log_[i].decide + EPS &&
                log_[j].decide + 1 > log_[i].decide + EPS)
                k++;
        if (k > most)
            most = k;
    }
    return most;
}

static void test_dispatch_edf(void **state)
{
    (void)state;
    st_scenario *sc;
    st_run_result r = run_dispatch("dispatch: {queue: edf, workers: 2}", &sc);
    assert_true(n_log > 60);   /* ~90 arrivals, all served in the drain */
    assert_int_equal(max_in_service(), 2);
    size_t reordered = 0;
    for (size_t i = 0; i < n_log; i++) {
        double t = log_[i].decide, dl = log_[i].arrival + log_[i].slo;
        assert_near(log_[i].budget, log_[i].slo - (t - log_[i].arrival), EPS);
        /* every request waiting then (arrived, decided later) has a
         * deadline no earlier */
        for (size_t j = i + 1; j < n_log; j++)
            if (log_[j].arrival <= t)
                assert_true(log_[j].arrival + log_[j].slo >= dl - EPS);
        reordered += i > 0 && log_[i].id < log_[i - 1].id;
    }
    assert_true(reordered > 0);   /* EDF did overtake arrival order */
    /* estimate 0.8 s against latencies of 1 s and more */
    assert_true(st_metrics_get(&r.metrics, "estimate_mae_ms") >= 200 - 1e-6);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_dispatch_fifo(void **state)
{
    (void)state;
    st_scenario *sc;
    st_run_result r = run_dispatch("dispatch: {queue: fifo, workers: 1}", &sc);
    assert_true(n_log > 30);
    assert_int_equal(max_in_service(), 1);
    for (size_t i = 1; i < n_log; i++) {
        assert_true(log_[i].id > log_[i - 1].id);
        assert_true(log_[i].decide >= log_[i - 1].decide + 1 - EPS);
    }
    /* every request has exactly one outcome */
    double n = st_metrics_get(&r.metrics, "requests");
    assert_true(n == st_metrics_get(&r.metrics, "requests_met") +
                     st_metrics_get(&r.metrics, "requests_missed") +
                     st_metrics_get(&r.metrics, "requests_dropped") +
                     st_metrics_get(&r.metrics, "requests_unfinished"));
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_no_dispatch_decides_at_arrival(void **state)
{
    (void)state;
    st_scenario *sc;
    st_run_result r = run_dispatch("", &sc);
    assert_true(n_log > 60);
    for (size_t i = 0; i < n_log; i++) {
        assert_near(log_[i].decide, log_[i].arrival, EPS);
        assert_near(log_[i].budget, log_[i].slo, EPS);
    }
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_dispatch_bad_queue(void **state)
{
    (void)state;
    char text[4096];
    st_scenario *sc = NULL;
    st_error err;
    snprintf(text, sizeof text, dispatch_tmpl, 3, "dispatch: {queue: lifo, workers: 2}");
    assert_int_not_equal(st_scenario_load_text("t.yaml", text, strlen(text), ".",
                                               NULL, 0, &sc, &err), 0);
    assert_non_null(strstr(err.msg, "t.yaml:14:"));
    assert_non_null(strstr(err.msg, "lifo"));
}

/* ---------- probes and the estimate error ---------- */

static double probe_t[2];

static int probing_init(st_policy *p, const st_params *params, const st_view *v,
                        st_error *err)
{
    (void)p;
    (void)params;
    (void)err;
    probe_t[0] = st_view_probe(v, 0, 100000, 100000);
    probe_t[1] = st_view_probe(v, 0, 0, 0);
    return 0;
}

static void offload_decide(st_policy *p, const st_request *req,
                           const st_view *v, st_decision *out)
{
    (void)p;
    record_decide(p, req, v, out);
    out->node = 0;
    out->estimate_s = NAN;
}

static const st_policy_ops prober = {.name = "prober", .summary = "test",
                                     .init = probing_init,
                                     .decide = offload_decide};

static void test_probe_occupies_link(void **state)
{
    (void)state;
    /* 8 Mbit/s = 1 MB/s each way, RTT 100 ms.  100 KB echo: up 0-0.1,
     * +50 ms, down 0.15-0.25, +50 ms: back at 0.30.  Then an empty echo
     * sent at 0 waits for the uplink until 0.1, arrives at 0.15, waits for
     * the downlink (reserved until 0.25), and is back at 0.30 too. */
    st_scenario *sc = tu_load_text(
        "name: pr\nseed: 1\nduration: 0.5 s\nwarmup: 0 s\n"
        "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 100000, output_bytes: 0}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 0}}}]\n"
        "nodes: [{name: c, hardware: h, preload: all}]\n"
        "devices:\n  - name: p\n    hardware: h\n    attach: c\n"
        "    link: {up: {mbps: 8}, down: {mbps: 8}, rtt_ms: 100}\n"
        "    workload: {task: t, arrival: {process: constant, rate_per_s: 20}, slo_ms: 1000}\n"
        "policy: local\n");
    n_log = 0;
    st_run_result r = run_ops(sc, &prober);
    assert_near(probe_t[0], 0.30, 1e-9);
    assert_near(probe_t[1], 0.30, 1e-9);
    assert_near(st_metrics_get(&r.metrics, "probe_bytes"), 200000, 1e-6);
    /* The first request arrives before 0.05 with 100 KB: its upload waits
     * for the probe's (until 0.1), ends at 0.2, reaches the node at 0.25;
     * the empty result waits for the downlink the echoes reserved (until
     * 0.25) and is back at 0.30.  Without the probes: before 0.25. */
    const st_request_rec *first = NULL;
    for (size_t i = 0; i < r.requests.n; i++)
        if (!first || r.requests.recs[i].arrival_s < first->arrival_s)
            first = &r.requests.recs[i];
    assert_non_null(first);
    assert_true(first->arrival_s < 0.05);
    assert_near(first->arrival_s + first->latency_s, 0.30, 1e-9);
    assert_true(isnan(st_metrics_get(&r.metrics, "estimate_mae_ms")));
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_estimate_error_metrics(void **state)
{
    (void)state;
    /* Local, exec exactly 1 s, never queued: latency 1 s, estimate 0.8. */
    st_scenario *sc = tu_load_text(
        "name: ee\nseed: 2\nduration: 50 s\nwarmup: 0 s\n"
        "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 1000}}}]\n"
        "nodes: [{name: c, hardware: h}]\n"
        "devices:\n  - name: p\n    hardware: h\n    executors: 1000\n    preload: all\n"
        "    attach: c\n    link: {up: {mbps: 8}, down: {mbps: 8}}\n"
        "    workload: {task: t, arrival: {process: poisson, rate_per_s: 2}, slo_ms: 1500}\n"
        "policy: local\n");
    n_log = 0;
    st_run_result r = run_ops(sc, &recorder);
    assert_near(st_metrics_get(&r.metrics, "estimate_mae_ms"), 200, 1e-6);
    assert_near(st_metrics_get(&r.metrics, "estimate_p95_abs_err_ms"), 200, 1e-6);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

/* ---------- ${STRATA_DATA} ---------- */

static void test_strata_data_paths(void **state)
{
    (void)state;
    tu_write_file(0, "sd-trace.txt", "0 2\n1 4\n");
    tu_write_file(1, "sd-rtt.csv", "rtt_ms,carrier\n40,a\n60,b\n");
    const char *text =
        "name: sd\nseed: 1\nduration: 10 s\n"
        "models: [{name: m, task: t, accuracy: 0.5}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 1}}}]\n"
        "nodes: [{name: c, hardware: h}]\n"
        "devices:\n  - name: p\n    hardware: h\n    attach: c\n"
        "    link:\n      up: {trace: \"${STRATA_DATA}/sd-trace.txt\"}\n"
        "      down: {mbps: 1}\n"
        "      rtt: {dist: empirical, file: \"${STRATA_DATA}/sd-rtt.csv\", column: rtt_ms}\n"
        "    workload: {task: t, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 100}\n"
        "policy: local\n";
    st_scenario *sc = NULL;
    st_error err;
    char *saved = getenv("STRATA_DATA") ? strdup(getenv("STRATA_DATA")) : NULL;
    unsetenv("STRATA_DATA");
    assert_int_not_equal(st_scenario_load_text("sd.yaml", text, strlen(text), "/nowhere",
                                               NULL, 0, &sc, &err), 0);
    assert_non_null(strstr(err.msg, "sd.yaml:12:"));
    assert_non_null(strstr(err.msg, "STRATA_DATA is not set"));
    setenv("STRATA_DATA", tu_tmpdir(), 1);
    if (st_scenario_load_text("sd.yaml", text, strlen(text), "/nowhere", NULL, 0,
                              &sc, &err))
        fail_msg("%s", err.msg);
    assert_near(st_dist_mean(&sc->devices[0].link.rtt_s), 0.05, 1e-12);
    assert_int_equal(sc->devices[0].link.up.n_traces, 1);
    st_scenario_free(sc);
    /* only a leading ${STRATA_DATA} followed by '/' is special */
    const char *lit = strstr(text, "${STRATA_DATA}/sd-trace");
    char *t2 = strdup(text);
    memcpy(t2 + (lit - text), "${STRATA_DATA}x", 15);
    assert_int_not_equal(st_scenario_load_text("sd.yaml", t2, strlen(t2), "/nowhere",
                                               NULL, 0, &sc, &err), 0);
    assert_non_null(strstr(err.msg, "does not exist"));
    free(t2);
    if (saved) {
        setenv("STRATA_DATA", saved, 1);
        free(saved);
    } else {
        unsetenv("STRATA_DATA");
    }
}

/* ---------- the execution figures' menus ---------- */

/* A policy that, at every decision, checks each node's menu for each
 * task against the models a decision would find by testing them all. */
static int menus_checked;

static void menu_decide(st_policy *p, const st_request *req, const st_view *v,
                        st_decision *out)
{
    const st_scenario *sc = st_view_scenario(v);
    ef_table t = {0};
    st_error err;
    (void)p;
    (void)req;
    assert_int_equal(ef_init(&t, v, 0.9, &err), 0);
    int nodes = st_view_n_nodes(v) + (int)sc->n_devices;
    for (int node = -1; node < nodes; node++)
        for (int task = -1; task <= (int)sc->n_tasks; task++) {
            size_t n, k = 0;
            const ef_item *menu = ef_menu(&t, v, node, task, &n);
            for (int m = 0; node >= 0 && m < (int)sc->n_models; m++)
                if (sc->models[m].task == task && st_view_profile(v, node, m)) {
                    assert_true(k < n && menu[k].model == m);
                    assert_true(menu[k].load_s == st_view_profile(v, node, m)->load_s);
                    assert_true(menu[k].mean == ef_mean(&t, v, node, m));
                    assert_true(menu[k].quant == ef_quant(&t, v, node, m));
                    k++;
                }
            assert_int_equal(k, n);
            menus_checked += n > 0;
        }
    ef_free(&t);
    out->drop = 1;
}

static const st_policy_ops menu_checker = {.name = "menus", .summary = "test",
                                           .decide = menu_decide};

static void test_menus_list_each_task_s_models(void **state)
{
    (void)state;
    /* Two tasks; the cloud's hardware has every model, the phone's only
     * b and c (c loads in 30 ms). */
    st_scenario *sc = tu_load_text(
        "name: menus\nseed: 1\nduration: 3 s\nwarmup: 0 s\n"
        "models:\n  - {name: a, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 1, output_bytes: 1}\n"
        "  - {name: b, task: u, accuracy: 0.6, size_mb: 1, input_bytes: 1, output_bytes: 1}\n"
        "  - {name: c, task: t, accuracy: 0.7, size_mb: 1, input_bytes: 1, output_bytes: 1}\n"
        "hardware:\n  - {name: big, profiles: {a: {exec_ms: 5}, b: {exec_ms: 6}, c: {exec_ms: 7, load_ms: 20}}}\n"
        "  - {name: small, profiles: {b: {exec_ms: 60}, c: {exec_ms: 70, load_ms: 30}}}\n"
        "nodes: [{name: cl, hardware: big, preload: all}]\n"
        "devices:\n  - name: p\n    hardware: small\n    attach: cl\n"
        "    link: {up: {mbps: 8}, down: {mbps: 8}, rtt_ms: 10}\n"
        "    workload: {task: t, arrival: {process: constant, rate_per_s: 1}, slo_ms: 1000}\n"
        "policy: local\n");
    menus_checked = 0;
    st_run_result r = run_ops(sc, &menu_checker);
    /* per decision: the cloud's two menus and the phone's two */
    assert_true(menus_checked >= 4);
    assert_int_equal(menus_checked % 4, 0);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

/* ---------- client timeouts ---------- */

/* Attempt 1 goes to node 0 with a 5 s timeout, later attempts run on the
 * device.  Every observation is kept. */
typedef struct obs {
    uint64_t id;
    int attempt, abandoned;
    double at;
} obs;

static obs obs_[64];
static size_t n_obs;
static double retry_timeout_s = 5;

static void retry_decide(st_policy *p, const st_request *req, const st_view *v,
                         st_decision *out)
{
    record_decide(p, req, v, out);
    out->node = req->attempt == 1 ? 0 : req->device_node;
    out->timeout_s = retry_timeout_s;
    out->estimate_s = NAN;
}

static void retry_observe(st_policy *p, const st_outcome *o, const st_view *v)
{
    (void)p;
    if (n_obs < 64)
        obs_[n_obs++] = (obs){o->req->id, o->req->attempt, o->abandoned,
                              st_view_now(v)};
}

static const st_policy_ops retrier = {.name = "retrier", .summary = "test",
                                      .decide = retry_decide,
                                      .observe = retry_observe};

static void test_timeout_cancels_upload(void **state)
{
    (void)state;
    /* Uplink 8 Mbit/s (1 MB/s), zero from 1 s to 7 s; RTT 0; 1 MB inputs,
     * no output; 100 ms everywhere.  Request 0 arrives at 0.5: half its
     * input is up by 1.0, the rest would go from 7.0 to 7.5.  Its timeout
     * fires at 0.5 + 5 = 5.5: the upload is cancelled, the policy
     * observes the abandoned attempt then, and the retry runs on the
     * device, done at 5.6 (latency 5.1, attempt 2 of 2).  Request 1
     * arrives at 6.0 and finds the link free: its upload waits out the
     * stretch and takes 7.0-8.0 (not 7.5-8.5 behind a held link), runs
     * 8.0-8.1 on the node: latency 2.1, first attempt.  The node never
     * saw request 0: 0.1 s billed. */
    tu_write_file(0, "arrivals.txt", "0.5\n6.0\n");
    tu_write_file(1, "stall.txt", "0 8\n1 0\n7 8\n1000 8\n");
    st_scenario *sc = tu_load_text(
        "name: to\nseed: 1\nduration: 10 s\nwarmup: 0 s\ndrain: 100 s\n"
        "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 1000000, output_bytes: 0}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 100}}}]\n"
        "nodes: [{name: c, hardware: h, preload: all, price_per_s: 1}]\n"
        "devices:\n  - name: p\n    hardware: h\n    preload: all\n    attach: c\n"
        "    link: {up: {trace: stall.txt}, down: {mbps: 8}, rtt_ms: 0, random_offset: false}\n"
        "    workload: {task: t, arrival: {process: file, file: arrivals.txt}, slo_ms: 10000}\n"
        "policy: local\n");
    n_log = n_obs = 0;
    st_run_result r = run_ops(sc, &retrier);
    assert_int_equal(r.requests.n, 2);
    const st_request_rec *a = tu_rec_of(&r, 0), *b = tu_rec_of(&r, 1);
    assert_near(a->latency_s, 5.1, 1e-9);
    assert_int_equal(a->attempts, 2);
    assert_int_equal(a->completed, 2);
    assert_int_equal(a->offloaded, 0);
    assert_near(b->latency_s, 2.1, 1e-9);
    assert_int_equal(b->attempts, 1);
    assert_int_equal(b->completed, 1);
    assert_int_equal(b->offloaded, 1);
    /* decisions: 0 at 0.5, 0 again at 5.5 with 10 - 5 = 5 s left, 1 at 6.0 */
    assert_int_equal(n_log, 3);
    assert_near(log_[1].decide, 5.5, 1e-9);
    assert_near(log_[1].budget, 5.0, 1e-9);
    /* observations: 0's abandoned attempt at 5.5, its outcome at 5.6,
     * 1's at 8.1 */
    assert_int_equal(n_obs, 3);
    assert_true(obs_[0].id == 0 && obs_[0].attempt == 1 && obs_[0].abandoned);
    assert_near(obs_[0].at, 5.5, 1e-9);
    assert_true(obs_[1].id == 0 && obs_[1].attempt == 2 && !obs_[1].abandoned);
    assert_near(obs_[1].at, 5.6, 1e-9);
    assert_near(obs_[2].at, 8.1, 1e-9);
    assert_near(st_metrics_get(&r.metrics, "priced_busy_s"), 0.1, 1e-9);
    assert_near(st_metrics_get(&r.metrics, "slo_attainment"), 1, 1e-12);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

/* Work the node already holds when its client gives up: `finish` runs and
 * bills it, `cancel` drops it unless it is running. */
static void test_timeout_node_side(void **state)
{
    (void)state;
    /* One executor, 8 s per request, a link fast enough to ignore
     * (1 Gbit/s, 8 us per 1 KB).  Request 0 (t = 0) runs on the node
     * 0-8 s; request 1 (t = 1) queues behind it.  Both are abandoned at
     * +5 s and retried on the device (0.1 s there).  finish: 0 runs to 8,
     * 1 runs 8-16: 16 s billed.  cancel: 0 is running and finishes (8 s
     * billed), 1 is dropped from the queue. */
    tu_write_file(0, "arrivals.txt", "0\n1\n");
    const char *tmpl =
        "name: ns\nseed: 1\nduration: 2 s\nwarmup: 0 s\ndrain: 100 s\n"
        "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 1000, output_bytes: 0}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 100}}}, {name: slow, profiles: {m: {exec_ms: 8000}}}]\n"
        "nodes: [{name: c, hardware: slow, preload: all, price_per_s: 1%s}]\n"
        "devices:\n  - name: p\n    hardware: h\n    preload: all\n    attach: c\n"
        "    link: {up: {mbps: 1000}, down: {mbps: 1000}, rtt_ms: 0}\n"
        "    workload: {task: t, arrival: {process: file, file: arrivals.txt}, slo_ms: 10000}\n"
        "policy: local\n";
    const char *modes[] = {"", ", on_abandon: cancel"};
    const double billed[] = {16, 8};
    for (int k = 0; k < 2; k++) {
        char text[2048];
        snprintf(text, sizeof text, tmpl, modes[k]);
        st_scenario *sc = tu_load_text(text);
        n_log = n_obs = 0;
        st_run_result r = run_ops(sc, &retrier);
        assert_near(st_metrics_get(&r.metrics, "priced_busy_s"), billed[k], 1e-6);
        assert_near(tu_rec_of(&r, 0)->latency_s, 5.1, 1e-6);
        assert_near(tu_rec_of(&r, 1)->latency_s, 5.1, 1e-6);
        assert_int_equal(tu_rec_of(&r, 1)->attempts, 2);
        st_run_result_free(&r);
        st_scenario_free(sc);
    }
}

static void test_slo_phases(void **state)
{
    (void)state;
    /* LayerCake's harness pivot, scaled down: jobs 2-3 tight (100 ms), 5
     * loose (5 s), the rest the class's 1 s.  One phone, so request id =
     * job number. */
    st_scenario *sc = tu_load_text(
        "name: piv\nseed: 1\nduration: 8 s\nwarmup: 0 s\n"
        "models: [{name: m, task: t, accuracy: 0.5}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 1}}}]\n"
        "nodes: [{name: c, hardware: h}]\n"
        "devices:\n  - name: p\n    hardware: h\n    attach: c\n"
        "    link: {up: {mbps: 10}, down: {mbps: 10}}\n"
        "    workload:\n      task: t\n      arrival: {process: constant, rate_per_s: 1}\n"
        "      slo_ms: 1000\n"
        "      slo_phases: [{jobs: [2, 3], slo: 100 ms}, {jobs: [5, 5], slo: 5 s}]\n"
        "policy: local\n");
    n_log = 0;
    st_run_result r = run_ops(sc, &recorder);
    const double want[] = {1, 1, 0.1, 0.1, 1, 5, 1, 1};
    assert_int_equal(n_log, 8);
    for (size_t i = 0; i < n_log; i++)
        assert_near(log_[i].slo, want[log_[i].id], 1e-12);
    st_run_result_free(&r);
    st_scenario_free(sc);
    st_error err;
    const char *bad = "name: b\nduration: 1 s\n"
        "models: [{name: m, task: t, accuracy: 0.5}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: 1}}}]\n"
        "nodes: [{name: c, hardware: h}]\n"
        "devices:\n  - name: p\n    hardware: h\n    attach: c\n"
        "    link: {up: {mbps: 10}, down: {mbps: 10}}\n"
        "    workload: {task: t, arrival: {process: constant, rate_per_s: 1}, slo_ms: 1,\n"
        "               slo_phases: [{jobs: [5, 2], slo: 1 s}]}\n"
        "policy: local\n";
    assert_int_not_equal(st_scenario_load_text("b.yaml", bad, strlen(bad), ".", NULL,
                                               0, &sc, &err), 0);
    assert_non_null(strstr(err.msg, "b.yaml:12:"));
    assert_non_null(strstr(err.msg, "last job"));
}

/* ---------- serverless endpoints ---------- */

static const char *serverless_tmpl =
    "name: sl\nseed: 1\nduration: 40 s\nwarmup: 0 s\ndrain: 100 s\n"
    "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 1000, output_bytes: 0}]\n"
    "hardware: [{name: h, profiles: {m: {exec_ms: 100}}},\n"
    "           {name: fn, profiles: {m: {exec_ms: %g, load_ms: 2000}}}]\n"
    "nodes: [{name: c, hardware: fn, %s serverless: {%s}}]\n"
    "devices:\n  - name: p\n    hardware: h\n    preload: all\n    attach: c\n"
    "    link: {up: {mbps: 1000}, down: {mbps: 1000}, rtt_ms: 0}\n"
    "    workload: {task: t, arrival: {process: file, file: arrivals.txt}, slo_ms: 100000}\n"
    "policy: local\n";

/* The 1 KB upload at 1 Gbit/s. */
#define UP_S 8e-6

static st_run_result run_serverless(double exec_ms, const char *node_keys,
                                    const char *keys, st_scenario **keep)
{
    char text[2048];
    snprintf(text, sizeof text, serverless_tmpl, exec_ms, node_keys, keys);
    *keep = tu_load_text(text);
    n_log = n_obs = 0;
    retry_timeout_s = 0;
    st_run_result r = run_ops(*keep, &retrier);
    retry_timeout_s = 5;
    return r;
}

static void test_serverless_keep_alive(void **state)
{
    (void)state;
    /* One endpoint, keep-alive 10 s, 1 s per request, a 2 s cold start,
     * 2 GB at $0.5 per GB-second ($1 per second).  t = 0: no instance,
     * cold: done at 3 s.  t = 5: idle since 3, warm: 1 s.  t = 30: idle
     * since 6, 24 s > 10 s, scaled to zero: cold again, 3 s.  Billed:
     * 3 s of execution ($3), or with the cold starts 3 + 2 x 2 = 7 s. */
    tu_write_file(0, "arrivals.txt", "0\n5\n30\n");
    const char *keys[] = {
        "keep_alive_s: 10, memory_mb: 2048, price_per_gb_s: 0.5",
        "keep_alive_s: 10, memory_mb: 2048, price_per_gb_s: 0.5, bill_cold_start: true"};
    const double cost[] = {3, 7};
    for (int k = 0; k < 2; k++) {
        st_scenario *sc;
        st_run_result r = run_serverless(1000, "", keys[k], &sc);
        assert_near(tu_rec_of(&r, 0)->latency_s, 3 + UP_S, 1e-9);
        assert_near(tu_rec_of(&r, 1)->latency_s, 1 + UP_S, 1e-9);
        assert_near(tu_rec_of(&r, 2)->latency_s, 3 + UP_S, 1e-9);
        assert_true(tu_rec_of(&r, 0)->cold && !tu_rec_of(&r, 1)->cold && tu_rec_of(&r, 2)->cold);
        assert_near(st_metrics_get(&r.metrics, "model_loads"), 2, 0);
        assert_near(st_metrics_get(&r.metrics, "cost_usd"), cost[k], 1e-9);
        st_run_result_free(&r);
        st_scenario_free(sc);
    }
}

static void test_serverless_throttle(void **state)
{
    (void)state;
    /* max_concurrency 1, a warm instance (preload), 10 s per request.
     * Request 0 (t = 0) runs 0-10.  Request 1 (t = 1) finds it busy.
     * Throttled with an error: the policy observes the failed attempt at
     * once and runs it on the phone, 100 ms: latency 0.1 plus the upload.
     * Queued: it runs 10-20, latency 19 s, one attempt. */
    tu_write_file(0, "arrivals.txt", "0\n1\n");
    st_scenario *sc;
    st_run_result r = run_serverless(10000, "preload: all,", "max_concurrency: 1", &sc);
    const st_request_rec *b = tu_rec_of(&r, 1);
    assert_near(b->latency_s, 0.1 + UP_S, 1e-9);
    assert_int_equal(b->attempts, 2);
    assert_int_equal(b->offloaded, 0);
    assert_true(n_obs >= 1 && obs_[0].id == 1 && obs_[0].abandoned);
    assert_near(obs_[0].at, 1 + UP_S, 1e-9);
    assert_near(tu_rec_of(&r, 0)->latency_s, 10 + UP_S, 1e-9);
    st_run_result_free(&r);
    st_scenario_free(sc);
    r = run_serverless(10000, "preload: all,", "max_concurrency: 1, on_throttle: queue", &sc);
    b = tu_rec_of(&r, 1);
    assert_near(b->latency_s, 19 + UP_S, 1e-9);
    assert_int_equal(b->attempts, 1);
    assert_int_equal(b->offloaded, 1);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

/* ---------- censored metrics ---------- */

/* Runs every request on its device, but drops request ids >= drop_from. */
static uint64_t drop_from;

static void dropping_decide(st_policy *p, const st_request *req,
                            const st_view *v, st_decision *out)
{
    record_decide(p, req, v, out);
    out->drop = req->id >= drop_from;
}

static const st_policy_ops dropper = {.name = "dropper", .summary = "test",
                                      .decide = dropping_decide};

static void test_percentiles_censored(void **state)
{
    (void)state;
    /* 20 requests at 0..19 s, each 100 ms on the device; the last is
     * dropped.  Ranked with the dropped one above every completed one,
     * p50 sits at index 9.5 among completed ones (100 ms), but p95 at
     * index 0.95 x 19 = 18.05 interpolates towards index 19, the dropped
     * request: censored, not the 100 ms of the survivors.  p99 too. */
    char times[256] = "";
    for (int i = 0; i < 20; i++)
        snprintf(times + strlen(times), sizeof times - strlen(times), "%d\n", i);
    tu_write_file(0, "arrivals.txt", times);
    const char *tmpl =
        "name: cens\nseed: 1\nduration: 20 s\nwarmup: 0 s\ndrain: %s\n"
        "models: [{name: m, task: t, accuracy: 0.5, size_mb: 1}]\n"
        "hardware: [{name: h, profiles: {m: {exec_ms: %s}}}]\n"
        "nodes: [{name: c, hardware: h}]\n"
        "devices:\n  - name: p\n    hardware: h\n    preload: all\n    attach: c\n%s"
        "    link: {up: {mbps: 10}, down: {mbps: 10}}\n"
        "    workload: {task: t, arrival: {process: file, file: arrivals.txt}, slo_ms: 1000}\n"
        "policy: local\n";
    char text[2048];
    snprintf(text, sizeof text, tmpl, "10 s", "100", "");
    st_scenario *sc = tu_load_text(text);
    drop_from = 19;
    n_log = 0;
    st_run_result r = run_ops(sc, &dropper);
    const st_metrics *m = &r.metrics;
    assert_near(st_metrics_get(m, "latency_p50_ms"), 100, 1e-9);
    assert_near(st_metrics_get(m, "latency_p50_censored"), 0, 0);
    assert_true(isnan(st_metrics_get(m, "latency_p95_ms")));
    assert_near(st_metrics_get(m, "latency_p95_censored"), 1, 0);
    assert_near(st_metrics_get(m, "latency_p99_censored"), 1, 0);
    assert_near(st_metrics_get(m, "requests_undecided"), 0, 0);
    st_run_result_free(&r);
    st_scenario_free(sc);
    /* One worker, 100 s per request, 10 s of drain: request 0 is decided
     * and unfinished, the other 19 never leave the device's queue.  The
     * offload fraction is over the one decided request; every percentile
     * is censored. */
    snprintf(text, sizeof text, tmpl, "10 s", "100000",
             "    dispatch: {queue: fifo, workers: 1}\n");
    sc = tu_load_text(text);
    drop_from = 1000;
    r = run_ops(sc, &dropper);
    m = &r.metrics;
    assert_near(st_metrics_get(m, "requests_unfinished"), 20, 0);
    assert_near(st_metrics_get(m, "requests_undecided"), 19, 0);
    assert_near(st_metrics_get(m, "offload_fraction"), 0, 0);
    assert_true(isnan(st_metrics_get(m, "latency_p50_ms")));
    assert_near(st_metrics_get(m, "latency_p50_censored"), 1, 0);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

/* ---------- the policies end to end ---------- */

/* Phone: small 50 ms (0.7), big 2 s (0.8); cloud: small 10 ms, big
 * 50 ms; 50 KB inputs; SLO 1 s. */
static const char *e2e_tmpl =
    "name: e2e\nseed: 4\nduration: 200 s\nwarmup: 40 s\n"
    "models:\n"
    "  - {name: small, task: t, accuracy: 0.7, size_mb: 10, input_bytes: 50000, output_bytes: 1000}\n"
    "  - {name: big, task: t, accuracy: 0.8, size_mb: 100, input_bytes: 50000, output_bytes: 1000}\n"
    "hardware:\n"
    "  - name: phone\n    profiles: {small: {exec_ms: 50}, big: {exec_ms: 2000}}\n"
    "  - name: gpu\n    profiles: {small: {exec_ms: 10}, big: {exec_ms: 50}}\n"
    "nodes: [{name: cloud, hardware: gpu, executors: 100, preload: all, price_per_s: 0.001}]\n"
    "devices:\n  - name: ph\n    count: 2\n    hardware: phone\n    executors: 2\n"
    "    preload: all\n    attach: cloud\n    dispatch: {queue: edf, workers: 2}\n"
    "    link: {up: {mbps: %g}, down: {mbps: %g}, rtt_ms: 20}\n"
    "    workload: {task: t, arrival: {process: poisson, rate_per_s: 1}, slo_ms: %g}\n"
    "policy:\n  - layercake\n  - oracle\n  - {name: infaas, params: {network: none}}\n";

static st_scenario *e2e(double mbps, double slo_ms)
{
    char text[4096];
    snprintf(text, sizeof text, e2e_tmpl, mbps, mbps, slo_ms);
    return tu_load_text(text);
}

/* Replaces the first `from` in buf (which must hold it) by `to`. */
static void subst(char *buf, size_t size, const char *from, const char *to)
{
    char *at = strstr(buf, from);
    assert_non_null(at);
    size_t lf = strlen(from), lt = strlen(to), rest = strlen(at + lf);
    assert_true((size_t)(at - buf) + lt + rest < size);
    memmove(at + lt, at + lf, rest + 1);
    memcpy(at, to, lt);
}

static size_t count_choice(const st_run_result *r, int model, int offloaded)
{
    size_t k = 0;
    for (size_t i = 0; i < r->requests.n; i++)
        k += r->requests.recs[i].model == model &&
             r->requests.recs[i].offloaded == offloaded;
    return k;
}

static void test_layercake_fast_link_offloads(void **state)
{
    (void)state;
    /* 100 Mbit/s: B = 1 s, T = 0.76; the cloud's big: 50 ms + a network
     * estimate of tens of ms fits; the phone's big (2 s) does not. */
    st_scenario *sc = e2e(100, 1000);
    for (size_t p = 0; p < 2; p++) {
        st_run_result r = run_policy(sc, p);
        size_t n = r.requests.n;
        assert_true(n > 200);
        /* a request dispatched while the other worker's call to the big
         * model runs finds that pair busy; of the two small pairs (0.7
         * each) the phone's wins the tie */
        assert_true(count_choice(&r, 1, 1) > 0.8 * (double)n);
        assert_int_equal(count_choice(&r, 1, 1) + count_choice(&r, 0, 0), n);
        assert_true(st_metrics_get(&r.metrics, "slo_attainment") > 0.95);
        assert_true(st_metrics_get(&r.metrics, "estimate_mae_ms") < 100);
        /* the oracle sends no probes */
        assert_true((st_metrics_get(&r.metrics, "probe_bytes") > 0) == (p == 0));
        st_run_result_free(&r);
    }
    st_scenario_free(sc);
}

static void test_layercake_slow_link_stays_local(void **state)
{
    (void)state;
    /* 50 kbit/s: 50 KB take 8 s to upload.  The bandwidth estimate can
     * only be that low or lower, so nothing is offloaded: the phone's
     * small model is the only pair that fits. */
    st_scenario *sc = e2e(0.05, 1000);
    for (size_t p = 0; p < 2; p++) {
        st_run_result r = run_policy(sc, p);
        assert_true(r.requests.n > 200);
        assert_int_equal(count_choice(&r, 0, 0), r.requests.n);
        assert_true(st_metrics_get(&r.metrics, "slo_attainment") > 0.99);
        st_run_result_free(&r);
    }
    st_scenario_free(sc);
}

static void test_infaas_server_pick(void **state)
{
    (void)state;
    /* network: none, so the server sees the whole budget.  SLO 1 s: the
     * most accurate cloud model (big, 50 ms) fits.  SLO 5 ms: none fits;
     * the fastest with accuracy >= 0.5 is small (10 ms). */
    st_scenario *sc = e2e(100, 1000);
    st_run_result r = run_policy(sc, 2);
    assert_int_equal(count_choice(&r, 1, 1), r.requests.n);
    st_run_result_free(&r);
    st_scenario_free(sc);
    sc = e2e(100, 5);
    r = run_policy(sc, 2);
    assert_int_equal(count_choice(&r, 0, 1), r.requests.n);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_layercake_cold_noticed_or_predicted(void **state)
{
    (void)state;
    /* The cloud does not hold big and takes 10 s to load it.  By default
     * the cold start is not predicted: layercake sends big there (50 ms +
     * network fits), the cloud loads it, and the call is abandoned at 5 s,
     * which marks the pair cold: that request is picked again and runs on
     * the phone (its second attempt completes, off the cloud).  With
     * predict_cold the 10 s are in the estimate: big never goes to the
     * cloud, and nothing is loaded. */
    char text[4096];
    snprintf(text, sizeof text, e2e_tmpl, 100.0, 100.0, 1000.0);
    subst(text, sizeof text, "preload: all, price", "preload: [small], price");
    subst(text, sizeof text, "big: {exec_ms: 50}", "big: {exec_ms: 50, load_ms: 10000}");
    strcpy(strstr(text, "policy:"), "policy:\n  - layercake\n"
           "  - {name: layercake, params: {predict_cold: 1}}\n");
    const char *ov[] = {"warmup=0"};
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("t.yaml", text, strlen(text), ".", ov, 1, &sc, &err))
        fail_msg("%s", err.msg);
    st_run_result r = run_policy(sc, 0);
    assert_true(st_metrics_get(&r.metrics, "model_loads") >= 1);
    size_t retried = 0;
    for (size_t i = 0; i < r.requests.n; i++) {
        const st_request_rec *q = &r.requests.recs[i];
        if (q->attempts < 2)
            continue;
        retried++;
        assert_int_equal(q->completed, q->attempts);
        assert_int_equal(q->offloaded, 0);
    }
    assert_true(retried >= 1);
    st_run_result_free(&r);
    r = run_policy(sc, 1);
    assert_true(st_metrics_get(&r.metrics, "model_loads") == 0);
    assert_int_equal(count_choice(&r, 1, 1), 0);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

/* layercake itself, with every decision it makes kept. */
extern const st_policy_ops st_policy_layercake;

typedef struct pick {
    uint64_t id;
    int attempt, node;
    double at, timeout;
} pick;

static pick picks_[4096];
static size_t n_picks;

static void picking_decide(st_policy *p, const st_request *req,
                           const st_view *v, st_decision *out)
{
    st_policy_layercake.decide(p, req, v, out);
    if (n_picks < 4096)
        picks_[n_picks++] = (pick){req->id, req->attempt, out->node,
                                   st_view_now(v), out->timeout_s};
}

static st_policy_ops picking_layercake(void)
{
    st_policy_ops ops = st_policy_layercake;
    ops.decide = picking_decide;
    return ops;
}

static void test_layercake_outage_abandons_and_serves(void **state)
{
    (void)state;
    /* 100 Mbit/s both ways except a 100 s outage from 30 s to 130 s; one
     * phone, 1 request/s (constant), SLO 1 s, two EDF workers.  Before
     * the outage layercake sends big to the cloud.  In it, every call it
     * makes stalls: each is abandoned exactly 5 s after it was made, and
     * the request is picked again at once, on the phone (the endpoint is
     * cold, the budget gone).  The workers come free, so the requests
     * queued behind are served: nothing is left unfinished, and none
     * waits longer than a queue wait behind two stalls plus its own. */
    tu_write_file(0, "outage.txt", "0 100\n30 0\n130 100\n1000 100\n");
    char text[4096];
    snprintf(text, sizeof text, e2e_tmpl, 1.0, 1.0, 1000.0);
    subst(text, sizeof text, "count: 2", "count: 1");
    subst(text, sizeof text, "process: poisson", "process: constant");
    subst(text, sizeof text, "link: {up: {mbps: 1}, down: {mbps: 1}, rtt_ms: 20}",
          "link: {up: {trace: outage.txt}, down: {trace: outage.txt}, rtt_ms: 20, random_offset: false}");
    strcpy(strstr(text, "policy:"), "policy: layercake\n");
    const char *ov[] = {"warmup=0", "duration=180"};
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("t.yaml", text, strlen(text), tu_tmpdir(), ov, 2, &sc, &err))
        fail_msg("%s", err.msg);
    st_policy_ops ops = picking_layercake();
    n_picks = 0;
    st_run_result r = run_ops(sc, &ops);
    size_t stalled = 0, before = 0;
    for (size_t i = 0; i < n_picks; i++) {
        const pick *k = &picks_[i];
        if (k->node != 0)
            continue;
        assert_near(k->timeout, 5, 1e-12);
        /* the next pick of this request, if any */
        const pick *next = NULL;
        for (size_t j = i + 1; j < n_picks && !next; j++)
            if (picks_[j].id == k->id)
                next = &picks_[j];
        if (k->at >= 30 && k->at < 125) {
            stalled++;
            assert_non_null(next);
            assert_int_equal(next->attempt, k->attempt + 1);
            assert_near(next->at, k->at + 5, 1e-9);
            assert_int_not_equal(next->node, 0);
        } else if (k->at < 29) {
            before++;
            assert_null(next);
        }
    }
    assert_true(before > 20);
    assert_true(stalled >= 2);
    assert_int_equal(st_metrics_get(&r.metrics, "requests_unfinished"), 0);
    for (size_t i = 0; i < r.requests.n; i++) {
        const st_request_rec *q = &r.requests.recs[i];
        assert_true(isfinite(q->latency_s));
        assert_true(q->latency_s < 15.5);
        assert_true(q->attempts == 1 || q->completed == q->attempts);
    }
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_bad_params(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text, e2e_tmpl, 10.0, 10.0, 500.0);
    char *p = strstr(text, "  - layercake");
    assert_non_null(p);
    strcpy(p, "  - {name: layercake, params: {bw_estimator: median}}\n");
    st_scenario *sc = tu_load_text(text);
    st_run_result res;
    st_error err;
    assert_int_not_equal(st_world_run(sc, 0, NULL, &res, &err), 0);
    assert_non_null(strstr(err.msg, "bw_estimator"));
    assert_non_null(strstr(err.msg, "harmonic"));
    st_scenario_free(sc);
}

static void test_oracle_labelled(void **state)
{
    (void)state;
    const st_policy_ops *o = st_policy_lookup("oracle");
    assert_non_null(o);
    assert_non_null(strstr(o->summary, "oracle: uses the future of the traces"));
    assert_non_null(st_policy_lookup("layercake"));
    assert_non_null(st_policy_lookup("infaas"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bwest_initial),
        cmocka_unit_test(test_menus_list_each_task_s_models),
        cmocka_unit_test(test_timeout_cancels_upload),
        cmocka_unit_test(test_timeout_node_side),
        cmocka_unit_test(test_percentiles_censored),
        cmocka_unit_test(test_slo_phases),
        cmocka_unit_test(test_serverless_keep_alive),
        cmocka_unit_test(test_serverless_throttle),
        cmocka_unit_test(test_layercake_outage_abandons_and_serves),
        cmocka_unit_test(test_bwest_last),
        cmocka_unit_test(test_bwest_ewma),
        cmocka_unit_test(test_bwest_harmonic),
        cmocka_unit_test(test_bwest_ignores_bad_samples),
        cmocka_unit_test(test_estimate_sums_parts),
        cmocka_unit_test(test_select_warm_vs_cold),
        cmocka_unit_test(test_select_queue),
        cmocka_unit_test(test_select_bandwidth),
        cmocka_unit_test(test_select_precheck),
        cmocka_unit_test(test_select_ties_and_busy),
        cmocka_unit_test(test_select_fallback_and_floor),
        cmocka_unit_test(test_select_without_remote),
        cmocka_unit_test(test_select_lazy_matches),
        cmocka_unit_test(test_select_lazy_in_steps),
        cmocka_unit_test(test_queue_wait),
        cmocka_unit_test(test_dispatch_edf),
        cmocka_unit_test(test_dispatch_fifo),
        cmocka_unit_test(test_no_dispatch_decides_at_arrival),
        cmocka_unit_test(test_dispatch_bad_queue),
        cmocka_unit_test(test_probe_occupies_link),
        cmocka_unit_test(test_estimate_error_metrics),
        cmocka_unit_test(test_strata_data_paths),
        cmocka_unit_test(test_layercake_fast_link_offloads),
        cmocka_unit_test(test_layercake_slow_link_stays_local),
        cmocka_unit_test(test_infaas_server_pick),
        cmocka_unit_test(test_layercake_cold_noticed_or_predicted),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_oracle_labelled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
