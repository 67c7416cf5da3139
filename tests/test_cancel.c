/* test_cancel.c - a transfer cancelled at its client timeout frees its
 * access link for the transfers queued behind it (src/world/accq.c): the
 * queued ones move up, in order, and their times are worked out by hand
 * here, over a constant-rate link (fluid, uplink and downlink) and over
 * TCP; a transfer that had already left the link moves nothing; and a run
 * whose timeouts never fire is bit for bit the run without timeouts.
 *
 * One phone on a 1 MB/s link (8 Mbit/s) to one cloud node with 8
 * executors, 100 ms per request everywhere.  Request 0 ("A") goes to the
 * cloud on a large model with a client timeout; the others go to the
 * cloud on a small model with none; an abandoned attempt runs again on
 * the phone (100 ms).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "strata/scenario.h"
#include "world/world.h"
#include "testutil.h"

#define EPS 1e-9

/* ---------- the scenario and the policy ---------- */

/* Request 0's first attempt's timeout (0: none); the request whose
 * decision first probes the link with 1 MB up (-1: none). */
static double timeout_a;
static int64_t probe_at = -1;
/* Each request's upload time (to the node, propagation included) as its
 * completed attempt's outcome reports it. */
static double upload_s[8];

static void decide(st_policy *p, const st_request *req, const st_view *v,
                   st_decision *out)
{
    (void)p;
    if ((int64_t)req->id == probe_at && req->attempt == 1)
        st_view_probe(v, req->device, 1e6, 0);
    int first = req->attempt == 1;
    out->model = req->id == 0 ? 0 : 1;
    out->node = first ? 0 : req->device_node;
    out->timeout_s = first && req->id == 0 ? timeout_a : 0;
    out->estimate_s = NAN;
}

static void observe(st_policy *p, const st_outcome *o, const st_view *v)
{
    (void)p;
    (void)v;
    if (!o->abandoned && o->req->id < 8)
        upload_s[o->req->id] = o->upload_s;
}

static const st_policy_ops ops = {.name = "canceller", .summary = "test",
                                  .decide = decide, .observe = observe};

static st_run_result run(const st_scenario *sc, double timeout)
{
    st_run_result res;
    st_error err;
    st_run_opts o = {.log_requests = 1};
    timeout_a = timeout;
    if (st_world_run_ops(sc, &ops, NULL, &o, &res, &err))
        fail_msg("%s", err.msg);
    return res;
}

/* ---------- hand-worked cases ---------- */

/* A case: arrival times, the two models' input and output bytes, the
 * link, the request that probes; request 0's timeout, and each request's
 * latency without it (held) and with it (want); and optionally one
 * request's upload time with the timeout (up_id < 0: none). */
typedef struct hand_case {
    const char *arrivals, *link;
    double big_in, big_out, small_in, small_out;
    int64_t probe_at;
    double timeout;
    size_t n;
    double held[4], want[4];
    int64_t up_id;
    double up_s;
} hand_case;

#define FLUID "{up: {mbps: 8}, down: {mbps: 8}, rtt_ms: 0}"

/* A (4 MB) at 0 sends 0-4; B (1 MB) at 0.5 queues behind it, 4-5.  A's
 * timeout at 2 cancels its upload: the link is free at 2, so B sends 2-3,
 * runs 3-3.1: latency 2.6 (it was 5.1 - 0.5 = 4.6).  A runs again on the
 * phone, 2-2.1 (it was 4.1). */
static const hand_case one_queued = {
    "0\n0.5\n", FLUID, 4e6, 0, 1e6, 0, -1, 2, 2,
    {4.1, 4.6}, {2.1, 2.6}, 1, 2.5};

/* As above, with C (1 MB) at 1.0 queued behind B (5-6), and D (1 MB) at
 * 2.5 behind C (6-7).  Cancelled at 2: B sends 2-3 (latency 3.1 - 0.5 =
 * 2.6), C 3-4 (4.1 - 1.0 = 3.1), and D, sent after the cancellation,
 * finds the link busy until 4 and sends 4-5 (5.1 - 2.5 = 2.6).  Before:
 * 4.1, 4.6, 6.1 - 1.0 = 5.1 and 7.1 - 2.5 = 4.6. */
static const hand_case two_queued = {
    "0\n0.5\n1.0\n2.5\n", FLUID, 4e6, 0, 1e6, 0, -1, 2, 4,
    {4.1, 4.6, 5.1, 4.6}, {2.1, 2.6, 3.1, 2.6}, 2, 3};

/* Outputs instead: A (4 MB out) runs 0-0.1 and downloads 0.1-4.1; B (1 MB
 * out) at 0.5 runs 0.5-0.6 and queues for the downlink, 4.1-5.1.  A's
 * timeout at 2.5 cancels its download: B downloads 2.5-3.5, latency 3.0
 * (it was 4.6).  A runs again on the phone, 2.5-2.6. */
static const hand_case download = {
    "0\n0.5\n", FLUID, 0, 4e6, 0, 1e6, -1, 2.5, 2,
    {4.1, 4.6}, {2.6, 3.0}, -1, 0};

/* A 2 s round trip: A (1 MB here) sends 0-1 and reaches the node at 2,
 * done 2.1, its empty result back at 3.1; B (1 MB) at 0.5 sends 1-2,
 * reaches the node at 3, runs to 3.1, and its result is back at 4.1:
 * latency 3.6.  A's timeout at 1.5 finds its last bit gone: nothing
 * moves, B's latency is the same, and A runs again on the phone,
 * 1.5-1.6. */
static const hand_case already_sent = {
    "0\n0.5\n", "{up: {mbps: 8}, down: {mbps: 8}, rtt_ms: 2000}",
    1e6, 0, 1e6, 0, -1, 1.5, 2, {3.1, 3.6}, {1.6, 3.6}, 1, 2.5};

/* A probe of 1 MB up sent when C (1 MB, at 1.0) is decided: A sends 0-4,
 * B (at 0.5) queues 4-5, the probe 5-6 and C 6-7.  The probe's empty
 * echo is reserved on the downlink at 6 (st_view_probe sends it when the
 * upload is back), so every result ready earlier leaves at 6.  Before: A
 * 6.0, B 5.5, C 7.1 - 1.0 = 6.1.  A's timeout at 2 moves B's upload up
 * to 2-3 (2.5 s after its arrival; its result still leaves at 6: 5.5),
 * but the probe's answer is given: it keeps 5-6, and C, behind it, keeps
 * 6-7 (6.1).  A runs on the phone, 2-2.1. */
static const hand_case probe_kept = {
    "0\n0.5\n1.0\n", FLUID, 4e6, 0, 1e6, 0, 2, 2, 3,
    {6.0, 5.5, 6.1}, {2.1, 5.5, 6.1}, 1, 2.5};

/* TCP (src/trace/tcp.h) with a reused connection, no restart after idle,
 * MSS 1000 B, initial window 10 segments (10 KB), RTT 100 ms: a round of w
 * bytes takes w / 1 MB/s on the link, and the next starts when the first
 * segment's ACK is back (1 ms + 100 ms later) or the round has left,
 * whichever is later; the window doubles per round.  A 70 KB transfer on
 * a fresh window: rounds of 10, 20 and 40 KB starting at +0, +0.101,
 * +0.202, the last leaving at +0.242.
 *
 * A (2 MB) at 0 sends rounds of 10, 20, 40, 80, 160 KB at 0, 0.101, 0.202,
 * 0.303, 0.404 (leaving at 0.564), then link-bound: 320 KB 0.564-0.884,
 * 640 KB to 1.524, the last 730 KB to 2.254; its window is 2010 KB.  Each
 * request adds 50 ms up, 100 ms on the node and 50 ms down: A's latency
 * 2.454.  B (70 KB) at 0.5 goes in one round 2.254-2.324: 2.524 - 0.5 =
 * 2.024; C (70 KB) at 1.1 behind it, 2.324-2.394: 2.594 - 1.1 = 1.494.
 *
 * A's timeout at 1 cancels it; the connection starts again from the
 * initial window, and B sends from 1: three rounds, done at 1.242,
 * latency 1.442 - 0.5 = 0.942.  C queues behind B and starts at 1.242 on
 * the window B left (80 KB): one round, 1.312, latency 1.512 - 1.1 =
 * 0.412. */
static const hand_case tcp_queued = {
    "0\n0.5\n1.1\n",
    "{up: {mbps: 8}, down: {mbps: 8}, rtt_ms: 100,\n"
    "           transport: {model: tcp, mss: 1000, init_cwnd: 10, idle_restart: false}}",
    2e6, 0, 7e4, 0, -1, 1, 3, {2.454, 2.024, 1.494}, {1.1, 0.942, 0.412},
    2, 0.262};

/* The case's scenario: one phone on the case's link to one cloud node
 * with 8 executors, 100 ms per request everywhere. */
static st_scenario *world_of(const hand_case *c)
{
    char text[4096];
    snprintf(text, sizeof text,
        "name: cancel\nseed: 1\nduration: 10 s\nwarmup: 0 s\ndrain: 100 s\n"
        "models:\n"
        "  - {name: big, task: t, accuracy: 0.9, size_mb: 1, input_bytes: %.17g, output_bytes: %.17g}\n"
        "  - {name: small, task: t, accuracy: 0.5, size_mb: 1, input_bytes: %.17g, output_bytes: %.17g}\n"
        "hardware: [{name: h, profiles: {big: {exec_ms: 100}, small: {exec_ms: 100}}}]\n"
        "nodes: [{name: c, hardware: h, executors: 8, preload: all}]\n"
        "devices:\n  - name: p\n    hardware: h\n    preload: all\n    attach: c\n"
        "    link: %s\n"
        "    workload: {task: t, arrival: {process: file, file: arrivals.txt}, slo_ms: 100000}\n"
        "policy: local\n", c->big_in, c->big_out, c->small_in, c->small_out,
        c->link);
    tu_write_file(0, "arrivals.txt", c->arrivals);
    return tu_load_text(text);
}

/* Runs sc with request 0's timeout (0: none) and checks each request's
 * latency against want[0..n), request 0 served on its second attempt (on
 * the phone) when it timed out. */
static void expect_run(const st_scenario *sc, double timeout,
                       const double *want, size_t n)
{
    st_run_result r = run(sc, timeout);
    assert_int_equal(r.requests.n, n);
    for (size_t i = 0; i < n; i++) {
        const st_request_rec *q = tu_rec_of(&r, i);
        assert_int_equal(q->outcome, ST_OUT_MET);
        assert_near(q->latency_s, want[i], EPS);
    }
    assert_int_equal(tu_rec_of(&r, 0)->attempts, timeout > 0 ? 2 : 1);
    st_run_result_free(&r);
}

static void test_hand_case(void **state)
{
    const hand_case *c = *state;
    st_scenario *sc = world_of(c);
    probe_at = c->probe_at;
    expect_run(sc, 0, c->held, c->n);
    expect_run(sc, c->timeout, c->want, c->n);
    if (c->up_id >= 0)
        assert_near(upload_s[c->up_id], c->up_s, EPS);
    probe_at = -1;
    st_scenario_free(sc);
}

/* ---------- no cancellation, no change ---------- */

/* Every field of two runs' request logs and metrics, bit for bit. */
static void expect_identical(const st_run_result *a, const st_run_result *b)
{
    assert_int_equal(a->requests.n, b->requests.n);
    for (size_t i = 0; i < a->requests.n; i++) {
        const st_request_rec *x = &a->requests.recs[i], *y = &b->requests.recs[i];
        assert_true(x->id == y->id && x->device == y->device &&
                    x->model == y->model && x->node == y->node &&
                    x->outcome == y->outcome && x->attempts == y->attempts &&
                    x->completed == y->completed && x->cold == y->cold);
        assert_memory_equal(&x->latency_s, &y->latency_s, sizeof x->latency_s);
        assert_memory_equal(&x->arrival_s, &y->arrival_s, sizeof x->arrival_s);
    }
    assert_int_equal(a->metrics.n, b->metrics.n);
    for (size_t i = 0; i < a->metrics.n; i++) {
        assert_string_equal(a->metrics.items[i].name, b->metrics.items[i].name);
        assert_memory_equal(&a->metrics.items[i].value,
                            &b->metrics.items[i].value, sizeof(double));
    }
}

static void test_no_cancellation_identical(void **state)
{
    (void)state;
    /* Busy links (Poisson arrivals from three phones, transfers queueing
     * behind each other, random round trips), fluid and TCP, several
     * seeds and rates: with a timeout on request 0 that never fires the
     * access links' FIFOs are kept, without one they are not; the runs
     * must not differ in a bit. */
    const char *transports[] = {"fluid", "{model: tcp, mss: 1000}"};
    const double rates[] = {2, 6};
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < 2; k++)
            for (int seed = 1; seed <= 3; seed++) {
                char text[4096];
                snprintf(text, sizeof text,
                    "name: same\nseed: %d\nduration: 60 s\nwarmup: 5 s\ndrain: 60 s\n"
                    "models:\n"
                    "  - {name: big, task: t, accuracy: 0.9, size_mb: 1, input_bytes: 200000, output_bytes: 50000}\n"
                    "  - {name: small, task: t, accuracy: 0.5, size_mb: 1, input_bytes: 100000, output_bytes: 20000}\n"
                    "hardware: [{name: h, profiles: {big: {exec_ms: 100}, small: {exec_ms: 50}}}]\n"
                    "nodes: [{name: c, hardware: h, executors: 2, preload: all}]\n"
                    "devices:\n  - name: p\n    count: 3\n    hardware: h\n    preload: all\n    attach: c\n"
                    "    link: {up: {mbps: 2}, down: {mbps: 4}, rtt: {dist: lognormal, mean_ms: 60, sd_ms: 30}, transport: %s}\n"
                    "    workload: {task: t, arrival: {process: poisson, rate_per_s: %g}, slo_ms: 3000}\n"
                    "policy: local\n", seed, transports[t], rates[k]);
                st_scenario *sc = tu_load_text(text);
                st_run_result without = run(sc, 0), with = run(sc, 1e6);
                assert_true(without.requests.n > 50);
                expect_identical(&without, &with);
                st_run_result_free(&without);
                st_run_result_free(&with);
                st_scenario_free(sc);
            }
}

/* One test per hand-worked case, named after it. */
#define HAND_CASE(c) {"cancel_" #c, test_hand_case, NULL, NULL, (void *)&c}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HAND_CASE(one_queued),
        HAND_CASE(two_queued),
        HAND_CASE(download),
        HAND_CASE(already_sent),
        HAND_CASE(probe_kept),
        HAND_CASE(tcp_queued),
        cmocka_unit_test(test_no_cancellation_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
