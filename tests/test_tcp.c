/* test_tcp.c - the TCP-aware transfer model on hand-worked cases (one
 * round, several rounds, rate-limited rounds, congestion avoidance,
 * handshakes, restart after idle, a zero-rate stretch mid-transfer), the
 * `transport` keys of a scenario, and the model in a whole run against the
 * fluid one.  Every expected figure is worked out in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/scenario.h"
#include "trace/tcp.h"
#include "world/world.h"
#include "testutil.h"

#define EPS 1e-12

/* One direction of a link and one connection on it.  Segments of 1000 B,
 * an initial window of 10 (10 000 B), slow start only, reused connection,
 * restart after idle on. */
typedef struct fx {
    st_transport tp;
    st_link_dir d;
    st_path p;
    st_tcp_conn c;
    unsigned n;          /* rounds of the last send */
    st_trace *tr;        /* owned, or NULL for a constant rate */
} fx;

static void fx_init(fx *f, double mbps, st_trace *tr, double offset)
{
    memset(f, 0, sizeof *f);
    f->tp = st_transport_default();
    f->tp.kind = ST_TRANSPORT_TCP;
    f->tp.mss = 1000;
    f->d = (st_link_dir){.bps = mbps * 1e6, .scale = 1};
    f->tr = tr;
    f->p = (st_path){&f->d, tr, offset, NULL};
}

static void fx_free(fx *f)
{
    st_trace_free(f->tr);
}

/* An upload leg (it opens the connection) from t0. */
static double send(fx *f, double t0, double bytes, double rtt)
{
    return st_tcp_send(&f->tp, &f->c, &f->p, t0, bytes, rtt, 1, &f->n);
}

static st_trace *make_trace(const double *t, const double *mbps, size_t n,
                            double duration, int loop)
{
    st_trace *tr;
    st_error err;
    if (st_trace_from_mbps("t", t, mbps, n, duration, loop, &tr, &err))
        fail_msg("%s", err.msg);
    return tr;
}

/* 5000 B < one window at 100 Mbit/s: one round, the fluid time 0.4 ms. */
static void test_one_round(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, 100, NULL, 0);
    assert_near(send(&f, 2.0, 5000, 0.1), 2.0004, EPS);
    assert_int_equal(f.n, 1);
    assert_near(st_path_finish(&f.p, 2.0, 5000 * 8), 2.0004, EPS);
    assert_near(f.c.cwnd, 15000, EPS);   /* + the 5000 B acknowledged */
}

/* Several sizes from one start (st_path_finish_many) end, each, where
 * st_path_finish ends it: on a trace with an offset and a scale (70
 * sizes, more than one batch, a cursor carried) and at a constant rate. */
static void test_path_many(void **state)
{
    (void)state;
    const double t[] = {0, 1, 2.5}, mbps[] = {1, 0, 10};
    fx f;
    fx_init(&f, 0, make_trace(t, mbps, 3, 4, 1), 0.3);
    f.d.scale = 0.5;
    st_trace_cursor cur = {0};
    double bytes[70], end[70];
    for (size_t k = 0; k < 70; k++)
        bytes[k] = k == 3 ? 0 : 1000.0 * (double)(k * k % 97) + 0.5 * (double)k;
    for (double start = 0; start < 9; start += 0.7) {
        f.p.cur = &cur;
        st_path_finish_many(&f.p, start, bytes, 70, end);
        f.p.cur = NULL;
        for (size_t k = 0; k < 70; k++)
            assert_true(end[k] == st_path_finish(&f.p, start, bytes[k] * 8));
    }
    fx_free(&f);
    fx_init(&f, 8, NULL, 0);
    st_path_finish_many(&f.p, 1.5, bytes, 5, end);
    for (size_t k = 0; k < 5; k++)
        assert_true(end[k] == st_path_finish(&f.p, 1.5, bytes[k] * 8));
    assert_near(end[1], 1.5 + 1000.5 * 8 / 8e6, EPS);
}

/* 70 000 B at 100 Mbit/s, RTT 100 ms: windows 10k, 20k, 40k.
 *   round 1 from 0: ends 0.0008; first segment 0.00008 + 0.1 -> 0.10008
 *   round 2: ends 0.10008 + 0.0016 = 0.10168; next 0.10016 + 0.1
 *   round 3: 0.20016 + 40 000 * 8 / 1e8 = 0.20336. */
static void test_several_rounds(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, 100, NULL, 0);
    assert_near(send(&f, 0, 70000, 0.1), 0.20336, EPS);
    assert_int_equal(f.n, 3);
    assert_near(f.c.cwnd, 80000, EPS);
    assert_near(f.c.last_send, 0.20336, EPS);
}

/* The link, not the window, limits: at 1 Mbit/s and RTT 10 ms the window
 * of 10 000 B outlasts the RTT, so rounds run back to back and the
 * transfer ends at the fluid time 30 000 * 8 / 1e6 = 0.24 s. */
static void test_rate_limited(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, 1, NULL, 0);
    assert_near(send(&f, 0, 30000, 0.01), 0.24, EPS);
    assert_int_equal(f.n, 2);
    assert_near(st_path_finish(&f.p, 0, 30000 * 8), 0.24, EPS);
}

/* Rounds limited by a trace whose rate changes under them: 1 Mbit/s on
 * [0,1), 10 Mbit/s from 1 s; 30 000 B from 0.9 s, RTT 50 ms.
 *   round 1 (80 000 bits): ends 0.98; its first segment 0.908 + 0.05
 *   round 2 (160 000 bits) from 0.98: 20 000 bits by 1.0, 140 000 at
 *   10 Mbit/s take 0.014 s -> 1.014.
 * The same with the trace read 0.5 s ahead (an offset) from 0.4 s. */
static void test_trace_rounds(void **state)
{
    (void)state;
    static const double t[] = {0, 1}, mbps[] = {1, 10};
    for (int k = 0; k < 2; k++) {
        fx f;
        fx_init(&f, 1, make_trace(t, mbps, 2, 2, 0), 0.5 * k);
        assert_near(send(&f, 0.9 - 0.5 * k, 30000, 0.05), 1.014 - 0.5 * k,
                    1e-9);
        assert_int_equal(f.n, 2);
        fx_free(&f);
    }
}

/* A zero-rate stretch mid-transfer: 8 Mbit/s on [0,1), 0 on [1,2),
 * 8 Mbit/s on [2,3), looping.  30 000 B from 0.5 s with RTT 0.6 s:
 *   round 1 (80 000 bits) ends 0.51; the next starts at 0.501 + 0.6 = 1.101,
 *   inside the gap; round 2 (160 000 bits) waits to 2.0, ends 2.02.
 * The fluid model would end at 0.53.  A round that straddles the gap:
 * 20 000 B from 0.995, RTT 10 ms: round 1 has 40 000 bits by 1.0, the
 * other 40 000 by 2.005; round 2 (the last 10 000 B) ends 2.015, the fluid
 * end too. */
static void test_zero_stretch(void **state)
{
    (void)state;
    static const double t[] = {0, 1, 2}, mbps[] = {8, 0, 8};
    fx f;
    fx_init(&f, 1, make_trace(t, mbps, 3, 3, 1), 0);
    assert_near(send(&f, 0.5, 30000, 0.6), 2.02, 1e-9);
    assert_int_equal(f.n, 2);
    assert_near(st_path_finish(&f.p, 0.5, 30000 * 8), 0.53, 1e-9);
    f.c = (st_tcp_conn){0};
    assert_near(send(&f, 0.995, 20000, 0.01), 2.015, 1e-9);
    assert_int_equal(f.n, 2);
    fx_free(&f);
}

/* ssthresh 20 000 B: windows 10 000, 20 000 (capped), then + one MSS per
 * window: 21 000.  51 000 B at 100 Mbit/s, RTT 100 ms, as in
 * test_several_rounds: round 3 starts 0.20016, ends + 0.00168. */
static void test_congestion_avoidance(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, 100, NULL, 0);
    f.tp.ssthresh = 20000;
    assert_near(send(&f, 0, 51000, 0.1), 0.20184, EPS);
    assert_int_equal(f.n, 3);
    assert_near(f.c.cwnd, 22000, EPS);   /* 21 000 + 1000 * 21 000 / 21 000 */
}

/* Restart after idle on a reused connection whose window grew to 80 000 B
 * (test_several_rounds).  RTO = RTT + 0.2 s = 0.3 s: after 0.25 s idle the
 * window stands, after 0.5 s it has halved once, after 10 s it is back to
 * the initial 10 000 B; with idle_restart off it stands whatever the gap.
 * A probe of 1000 B (one round) leaves the window 1000 B above what it
 * found. */
static void test_idle_restart(void **state)
{
    (void)state;
    static const double idle[] = {0.25, 0.5, 10};
    static const double expect_cwnd[] = {80000, 40000, 10000};
    for (int off = 0; off < 2; off++)
        for (int i = 0; i < 3; i++) {
            fx f;
            fx_init(&f, 100, NULL, 0);
            f.tp.idle_restart = !off;
            double end = send(&f, 0, 70000, 0.1);
            send(&f, end + idle[i], 1000, 0.1);
            assert_int_equal(f.n, 1);
            assert_near(f.c.cwnd - 1000, off ? 80000 : expect_cwnd[i], EPS);
        }
    /* The window it restarts from decides the rounds: 70 000 B after
     * 0.25 s idle take one round (80 000 B window), after 10 s three. */
    fx f;
    fx_init(&f, 100, NULL, 0);
    double end = send(&f, 0, 70000, 0.1);
    end = send(&f, end + 0.25, 70000, 0.1);
    assert_int_equal(f.n, 1);
    f.c.cwnd = 80000;
    send(&f, end + 10, 70000, 0.1);
    assert_int_equal(f.n, 3);
}

/* A new connection per request pays its handshake on the leg that opens
 * it (1 RTT for TCP, 2 for TCP + TLS 1.3) and starts from the initial
 * window on both legs, whatever the previous transfers grew; the reverse
 * leg pays no handshake and a reused connection kept its 80 000 B (idle
 * 0.1 s < RTO). */
static void test_handshake(void **state)
{
    (void)state;
    static const st_handshake hs[] = {ST_HANDSHAKE_REUSED, ST_HANDSHAKE_TCP,
                                      ST_HANDSHAKE_TLS};
    for (int i = 0; i < 3; i++) {
        fx f;
        fx_init(&f, 100, NULL, 0);
        f.tp.handshake = hs[i];
        assert_near(send(&f, 0, 70000, 0.1), 0.20336 + 0.1 * i, EPS);
        assert_int_equal(f.n, 3);
        double t1 = 0.30336 + 0.1 * i;
        assert_near(st_tcp_send(&f.tp, &f.c, &f.p, t1, 70000, 0.1, 0, &f.n),
                    t1 + (i ? 0.20336 : 0.0056), EPS);
        assert_int_equal(f.n, i ? 3 : 1);
    }
}

/* Rounds grow with the logarithm of the size in slow start (1 GB: 17
 * doublings of 10 000 B), and a trace that ends at rate zero (not looping)
 * never finishes: +inf.  Here 8 Mbit/s until 1 s, then nothing; from 0.5 s
 * with RTT 0.1 s rounds start at 0.5, 0.601, 0.702, 0.803 and 0.904 and
 * the fifth (160 000 B, 0.16 s of sending) never ends. */
static void test_cost_and_never(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, 100, NULL, 0);
    assert_true(isfinite(send(&f, 0, 1e9, 0.1)));
    assert_true(f.n >= 17 && f.n <= 18);
    static const double t[] = {0, 1}, mbps[] = {8, 0};
    fx_init(&f, 1, make_trace(t, mbps, 2, 2, 0), 0);
    assert_true(isinf(send(&f, 0.5, 1e7, 0.1)));
    assert_int_equal(f.n, 5);
    fx_free(&f);
}

/* ---------- the scenario keys and a whole run ---------- */

static const char *scenario_text(const char *transport)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
        "name: t\n"
        "seed: 3\n"
        "duration: 20 s\n"
        "warmup: 0 s\n"
        "models:\n"
        "  - {name: m, task: cls, accuracy: 0.8, size_mb: 10, input_bytes: 70000, output_bytes: 100}\n"
        "hardware:\n"
        "  - {name: phone, profiles: {m: {exec_ms: 500}}}\n"
        "  - {name: gpu, profiles: {m: {exec_ms: 5}}}\n"
        "nodes:\n"
        "  - {name: cloud, tier: cloud, hardware: gpu, executors: 4, preload: all}\n"
        "devices:\n"
        "  - name: ph\n"
        "    count: 2\n"
        "    hardware: phone\n"
        "    attach: cloud\n"
        "    link:\n"
        "      up: {mbps: 100}\n"
        "      down: {mbps: 100}\n"
        "      rtt_ms: 100\n"
        "%s"
        "    workload: {task: cls, arrival: {process: constant, rate_per_s: 1}, slo_ms: 2000}\n"
        "policy: cloud\n", transport);
    return buf;
}

static st_scenario *load(const char *transport)
{
    const char *path = tu_write_file(0, "tcp.yaml", scenario_text(transport));
    st_scenario *sc;
    st_error err;
    if (st_scenario_load(path, NULL, 0, &sc, &err))
        fail_msg("%s", err.msg);
    return sc;
}

static void expect_error(const char *transport, int line, const char *phrase)
{
    tu_expect_load_error(scenario_text(transport), line, phrase);
}

static void test_config(void **state)
{
    (void)state;
    st_scenario *sc = load("");
    const st_transport *t = &sc->devices[0].link.transport;
    assert_int_equal(t->kind, ST_TRANSPORT_FLUID);
    assert_true(t->init_cwnd == 10 && t->mss == 1448 && isinf(t->ssthresh));
    assert_true(t->idle_restart && t->handshake == ST_HANDSHAKE_REUSED);
    st_scenario_free(sc);
    sc = load("      transport: tcp\n");
    assert_int_equal(sc->devices[0].link.transport.kind, ST_TRANSPORT_TCP);
    st_scenario_free(sc);
    sc = load("      transport: {model: tcp, init_cwnd: 4, mss: 1000, "
              "ssthresh_kb: 64, idle_restart: false, handshake: tls}\n");
    t = &sc->devices[0].link.transport;
    assert_true(t->kind == ST_TRANSPORT_TCP && t->init_cwnd == 4 &&
                t->mss == 1000 && t->ssthresh == 64000 && !t->idle_restart &&
                t->handshake == ST_HANDSHAKE_TLS);
    st_scenario_free(sc);
    expect_error("      transport: quic\n", 21, "unknown transport model 'quic'; "
                 "expected one of: fluid, tcp");
    expect_error("      transport: {model: tcp, handshake: ssl}\n", 21,
                 "expected one of: reused, tcp, tls");
    expect_error("      transport: {model: tcp, mss: 10}\n", 21, "mss");
    expect_error("      transport: {init_cwnd: 4}\n", 21, "'model'");
    expect_error("      transport: {model: tcp, rwnd: 4}\n", 21, "unknown key 'rwnd'");
}

/* The cloud policy, constant arrivals 1 s apart, constant times: with a
 * new TCP connection per request, each upload of 70 000 B pays one RTT of
 * handshake and two stalls of slow start (0.1 + 0.20336 s instead of the
 * fluid 0.0056 s) and the 100 B download nothing more, so every latency
 * grows by exactly 0.29776 s. */
static void test_world(void **state)
{
    (void)state;
    st_run_result fl = {0}, tc = {0};
    st_run_opts o = {.log_requests = 1};
    st_error err;
    st_scenario *a = load("");
    st_scenario *b = load("      transport: {model: tcp, mss: 1000, handshake: tcp}\n");
    if (st_world_run(a, 0, &o, &fl, &err) || st_world_run(b, 0, &o, &tc, &err))
        fail_msg("%s", err.msg);
    assert_true(fl.requests.n >= 30);
    assert_int_equal(fl.requests.n, tc.requests.n);
    for (size_t i = 0; i < fl.requests.n; i++) {
        assert_true(fl.requests.recs[i].id == tc.requests.recs[i].id);
        assert_near(tc.requests.recs[i].latency_s - fl.requests.recs[i].latency_s,
                    0.29776, 1e-9);
    }
    st_run_result_free(&fl);
    st_run_result_free(&tc);
    st_scenario_free(a);
    st_scenario_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_round),
        cmocka_unit_test(test_path_many),
        cmocka_unit_test(test_several_rounds),
        cmocka_unit_test(test_rate_limited),
        cmocka_unit_test(test_trace_rounds),
        cmocka_unit_test(test_zero_stretch),
        cmocka_unit_test(test_congestion_avoidance),
        cmocka_unit_test(test_idle_restart),
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_cost_and_never),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_world),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
