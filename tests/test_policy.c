/* test_policy.c - `local` and `cloud` choose what DESIGN's table says, and
 * the lifecycle accounts for every request (loads, offloads, outcomes). */
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

/* phone: small 20 ms (acc 0.7), big ~200 ms (acc 0.8); cloud: both. */
static const char *tmpl =
    "name: pol\nseed: 5\nduration: 200 s\nwarmup: 0 s\n"
    "models:\n"
    "  - {name: small, task: cls, accuracy: 0.7, size_mb: 10, input_bytes: 10000, output_bytes: 100}\n"
    "  - {name: big, task: cls, accuracy: 0.8, size_mb: 100, input_bytes: 10000, output_bytes: 100}\n"
    "hardware:\n"
    "  - name: phone\n    profiles: {small: {exec_ms: 20, load_ms: 40}, big: {exec: {dist: normal, mean_ms: 200, sd_ms: 5}, load_ms: 300}}\n"
    "  - name: gpu\n    profiles: {small: {exec_ms: 2}, big: {exec_ms: 5}}\n"
    "nodes: [{name: cloud, hardware: gpu, executors: 4, preload: all, price_per_s: 0.001, price_per_request: 0.01}]\n"
    "devices:\n  - name: ph\n    count: 3\n    hardware: phone\n    memory_mb: %g\n"
    "    attach: cloud\n    link: {up: {mbps: 8}, down: {mbps: 8}, rtt_ms: 50}\n"
    "    workload: {task: cls, arrival: {process: poisson, rate_per_s: 0.5}, slo_ms: %g}\n"
    "policy: %s\n";

static st_run_result run(const char *policy, double slo_ms, double mem_mb,
                         st_scenario **keep)
{
    char text[2048];
    snprintf(text, sizeof text, tmpl, mem_mb, slo_ms, policy);
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("pol.yaml", text, strlen(text), ".", NULL, 0, &sc, &err))
        fail_msg("%s", err.msg);
    st_run_result res;
    st_run_opts o = {.log_requests = 1};
    if (st_world_run(sc, 0, &o, &res, &err))
        fail_msg("%s", err.msg);
    *keep = sc;
    return res;
}

static void all_chose(const st_run_result *r, int model, int offloaded)
{
    assert_true(r->requests.n > 50);
    for (size_t i = 0; i < r->requests.n; i++) {
        assert_int_equal(r->requests.recs[i].model, model);
        assert_int_equal(r->requests.recs[i].offloaded, offloaded);
    }
}

static void accounted(const st_run_result *r)
{
    const st_metrics *m = &r->metrics;
    double n = st_metrics_get(m, "requests");
    assert_true(n == st_metrics_get(m, "requests_met") +
                     st_metrics_get(m, "requests_missed") +
                     st_metrics_get(m, "requests_dropped") +
                     st_metrics_get(m, "requests_unfinished"));
    assert_true(n == (double)r->requests.n);
    /* ids are unique: each request is recorded exactly once */
    for (size_t i = 1; i < r->requests.n; i++)
        for (size_t j = i > 50 ? i - 50 : 0; j < i; j++)
            assert_true(r->requests.recs[i].id != r->requests.recs[j].id);
}

static void test_local_most_accurate_that_fits(void **state)
{
    (void)state;
    st_scenario *sc;
    st_run_result r = run("local", 300, 1000, &sc);
    all_chose(&r, 1, 0);   /* big: ~200 ms fits 300 ms */
    accounted(&r);
    assert_true(st_metrics_get(&r.metrics, "offload_fraction") == 0);
    assert_true(st_metrics_get(&r.metrics, "cost_usd") == 0);
    /* first use on each of 3 phones is a cold start, then resident */
    assert_true(st_metrics_get(&r.metrics, "model_loads") == 3);
    st_run_result_free(&r);
    st_scenario_free(sc);

    r = run("local", 100, 1000, &sc);
    all_chose(&r, 0, 0);   /* only small fits 100 ms */
    st_run_result_free(&r);
    st_scenario_free(sc);

    r = run("local", 10, 1000, &sc);
    all_chose(&r, 0, 0);   /* nothing fits: the fastest */
    assert_true(st_metrics_get(&r.metrics, "slo_attainment") == 0);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_memory_budget_forces_reloads(void **state)
{
    (void)state;
    st_scenario *sc;
    /* 50 MB cannot hold big (100 MB): every request pays a transient load */
    st_run_result r = run("local", 800, 50, &sc);
    all_chose(&r, 1, 0);
    assert_true(st_metrics_get(&r.metrics, "model_loads") == (double)r.requests.n);
    for (size_t i = 0; i < r.requests.n; i++)
        if (r.requests.recs[i].outcome <= ST_OUT_MISSED)
            assert_true(r.requests.recs[i].latency_s >= 0.5 - 0.05);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_cloud_most_accurate(void **state)
{
    (void)state;
    st_scenario *sc;
    st_run_result r = run("cloud", 300, 1000, &sc);
    all_chose(&r, 1, 1);
    accounted(&r);
    const st_metrics *m = &r.metrics;
    double n = st_metrics_get(m, "requests");
    assert_true(st_metrics_get(m, "offload_fraction") == 1);
    assert_true(st_metrics_get(m, "bytes_up") == n * 10000);
    /* preloaded, 5 ms each: busy 0.005 s x $0.001 + $0.01 per request */
    assert_true(fabs(st_metrics_get(m, "cost_usd") - n * (0.005 * 0.001 + 0.01)) < 1e-9);
    assert_true(st_metrics_get(m, "model_loads") == 0);
    /* latency = 10 kB up at 8 Mbit/s (10 ms) + 50 ms RTT + 5 ms + 100 B down */
    for (size_t i = 0; i < r.requests.n; i++) {
        const st_request_rec *q = &r.requests.recs[i];
        if (q->outcome <= ST_OUT_MISSED)
            assert_true(q->latency_s >= 0.0651 - 1e-9);
    }
    assert_true(st_metrics_get(m, "latency_p50_ms") < 70);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

static void test_arrival_times_file_replayed(void **state)
{
    (void)state;
    /* Every device replays the file; times at or past duration never come. */
    const char *times = tu_write_file(1, "times.txt",
                                      "# arrivals\n0.5\n1.0\n1.0\n\n2.5\n30\n");
    char text[2048];
    snprintf(text, sizeof text,
             "name: at\nseed: 1\nduration: 20 s\n"
             "models: [{name: m, task: cls, accuracy: 0.7, size_mb: 1}]\n"
             "hardware: [{name: hw, profiles: {m: {exec_ms: 20}}}]\n"
             "nodes: [{name: cloud, hardware: hw}]\n"
             "devices:\n  - {name: ph, count: 2, hardware: hw, attach: cloud,"
             " link: {up: {mbps: 10}, down: {mbps: 10}},"
             " workload: {task: cls, arrival: {process: file, file: %s}, slo_ms: 300}}\n"
             "policy: local\n", times);
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("at.yaml", text, strlen(text), ".", NULL, 0, &sc, &err))
        fail_msg("%s", err.msg);
    st_run_result r;
    st_run_opts o = {.log_requests = 1};
    if (st_world_run(sc, 0, &o, &r, &err))
        fail_msg("%s", err.msg);
    const double want[] = {0.5, 1.0, 1.0, 2.5};
    int seen[2] = {0, 0};
    assert_int_equal(r.requests.n, 8);
    for (size_t i = 0; i < r.requests.n; i++) {
        const st_request_rec *q = &r.requests.recs[i];
        assert_true(q->arrival_s == want[seen[q->device]++]);
    }
    assert_int_equal(seen[0], 4);
    assert_int_equal(seen[1], 4);
    st_run_result_free(&r);
    st_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_most_accurate_that_fits),
        cmocka_unit_test(test_memory_budget_forces_reloads),
        cmocka_unit_test(test_cloud_most_accurate),
        cmocka_unit_test(test_arrival_times_file_replayed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
