/* bench_mm1.c - strata's side of the peer comparison: an M/M/1 queue
 * (Poisson arrivals at 0.5/s from 100 devices, one server with Exp(1)
 * service, FIFO), the scenario of tests/test_queueing.c, simulated for
 * about the requested number of customers.  bench/mm1_simpy.py then runs
 * the same model in SimPy for exactly the number of customers this run
 * had, so both simulate the same work.
 *
 * The mean sojourn time is printed as a check that the model is the
 * same: both should be near the theoretical 2 s.
 *
 * usage: bench_mm1 [--customers N] [--reps R]
 * prints: section=mm1 impl=strata customers=N seconds=... mean_sojourn_s=...
 */
#include "bench_util.h"
#include "strata/scenario.h"
#include "world/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAMBDA 0.5

static const char *tmpl =
    "name: mm1\nseed: 1\nduration: %.0f s\nwarmup: 0 s\ndrain: 100000 s\n"
    "models: [{name: m, task: q, accuracy: 1, size_mb: 1, input_bytes: 1000, "
    "output_bytes: 0}]\n"
    "hardware:\n  - name: srv\n    profiles: {m: {exec: {dist: exponential, "
    "mean_s: 1}}}\n"
    "nodes: [{name: server, hardware: srv, executors: 1, preload: all}]\n"
    "devices:\n  - name: d\n    count: 100\n    hardware: srv\n"
    "    attach: server\n"
    "    link: {up: {mbps: 1000}, down: {mbps: 1000}, rtt_ms: 0}\n"
    "    workload: {task: q, arrival: {process: poisson, rate_per_s: %g}, "
    "slo: 1 h}\n"
    "policy: {name: cloud, params: {timeout_s: 0}}\n";

int main(int argc, char **argv)
{
    double customers = 200000;
    int reps = 3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--customers") == 0)
            customers = atof(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_mm1 [--customers N] [--reps R]\n");
            return 2;
        }
    }
    if (!(customers >= 100) || reps < 1) {
        fprintf(stderr, "bench_mm1: --customers must be >= 100 and --reps "
                ">= 1\n");
        return 2;
    }
    char text[2048];
    snprintf(text, sizeof text, tmpl, customers / LAMBDA, LAMBDA / 100);
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("mm1.yaml", text, strlen(text), ".", NULL, 0,
                              &sc, &err)) {
        fprintf(stderr, "bench_mm1: %s\n", err.msg);
        return 1;
    }
    double best = INFINITY, n = 0, w = 0;
    for (int r = 0; r < reps; r++) {
        st_run_result res;
        double t0 = bench_cpu();
        if (st_world_run(sc, 0, NULL, &res, &err)) {
            fprintf(stderr, "bench_mm1: %s\n", err.msg);
            st_scenario_free(sc);
            return 1;
        }
        double dt = bench_cpu() - t0;
        if (dt < best)
            best = dt;
        n = st_metrics_get(&res.metrics, "requests");
        w = st_metrics_get(&res.metrics, "latency_mean_ms") / 1e3;
        st_run_result_free(&res);
    }
    bench_row("section=mm1\timpl=strata\tcustomers=%.0f\tseconds=%.6f\t"
              "customers_per_s=%.6g\tmean_sojourn_s=%.4f", n, best, n / best,
              w);
    st_scenario_free(sc);
    return 0;
}
