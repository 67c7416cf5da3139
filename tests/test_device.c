/* test_device.c - a device's own models, worked out by hand: a load that
 * a second executor waits for, a warm start, an LRU eviction to make room
 * and the cold start it causes later.  The device record keeps one stamp
 * per model for both the end of a pending load and the LRU stamp, so
 * these are the cases that would tell the two apart.
 *
 * One device with 3 executors and room for one of two 10 MB models: A
 * (accuracy 0.9, exec 1 s, load 2 s) and B (0.5, exec 0.1 s, load 0.5 s),
 * run by the local policy (the most accurate model whose exec time fits
 * the SLO) over a 1000 Mbit/s link with no round trip.  Arrivals at 0, 1,
 * 2.5, 10 and 20 s; every SLO is 10 s but the fourth request's, 0.5 s,
 * which only B's exec time fits (its load then misses it).
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

static const char *scenario =
    "name: device\nduration: 30 s\nwarmup: 0 s\ndrain: 10 s\n"
    "models:\n"
    "  - {name: A, task: t, accuracy: 0.9, size_mb: 10, input_bytes: 1000, output_bytes: 0}\n"
    "  - {name: B, task: t, accuracy: 0.5, size_mb: 10, input_bytes: 1000, output_bytes: 0}\n"
    "hardware:\n"
    "  - name: phone\n"
    "    profiles: {A: {exec: 1 s, load_ms: 2000}, B: {exec: 100 ms, load_ms: 500}}\n"
    "  - name: srv\n"
    "    profiles: {A: {exec: 1 s}}\n"
    "nodes: [{name: cloud, hardware: srv}]\n"
    "devices:\n"
    "  - name: ph\n    hardware: phone\n    executors: 3\n    memory_mb: 15\n"
    "    attach: cloud\n"
    "    link: {up: {mbps: 1000}, down: {mbps: 1000}, rtt_ms: 0}\n"
    "    workload:\n"
    "      task: t\n"
    "      arrival: {process: file, file: arrivals.txt}\n"
    "      slo: 10 s\n"
    "      slo_phases: [{jobs: [3, 3], slo: 500 ms}]\n"
    "policy: local\n";

static void test_loads_and_evictions(void **state)
{
    (void)state;
    tu_write_file(0, "arrivals.txt", "0\n1\n2.5\n10\n20\n");
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("device.yaml", scenario, strlen(scenario),
                              tu_tmpdir(), NULL, 0, &sc, &err))
        fail_msg("%s", err.msg);
    st_run_opts o = {.log_requests = 1};
    st_run_result res;
    if (st_world_run(sc, 0, &o, &res, &err))
        fail_msg("%s", err.msg);
    /* by arrival: model (0 = A), cold, latency */
    static const struct { int model, cold, met; double latency; } want[] = {
        {0, 1, 1, 3.0},   /* A loads until 2, runs until 3 */
        {0, 0, 1, 2.0},   /* A resident but loading: waits until 2 */
        {0, 0, 1, 1.0},   /* warm */
        {1, 1, 0, 0.6},   /* B: A (idle, least recent) evicted for it;
                           * its load misses the 0.5 s SLO */
        {0, 1, 1, 3.0},   /* A again: evicted, so loaded again */
    };
    assert_int_equal(res.requests.n, 5);
    for (size_t i = 0; i < 5; i++) {
        const st_request_rec *r = &res.requests.recs[i];
        size_t k = 0;   /* its rank by arrival: the log is by completion */
        for (size_t j = 0; j < 5; j++)
            k += res.requests.recs[j].arrival_s < r->arrival_s;
        assert_int_equal(r->model, want[k].model);
        assert_int_equal(r->cold, want[k].cold);
        assert_int_equal(r->outcome, want[k].met ? ST_OUT_MET : ST_OUT_MISSED);
        assert_near(r->latency_s, want[k].latency, 1e-3);
    }
    st_run_result_free(&res);
    st_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_and_evictions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
