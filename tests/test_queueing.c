/* test_queueing.c - the simulator against queueing theory.
 *
 * Poisson arrivals (100 devices at 0.005/s each, so lambda = 0.5/s, or
 * 1.2/s for M/M/2) over constant-rate links to one node with FIFO
 * executors: the mean sojourn time must match M/M/1, M/D/1 and M/M/2
 * within 2%, and Little's law L = lambda W must hold on every run.
 *
 * Confidence: each case runs 8 independent replications (seeds) of about
 * 150,000 requests.  For M/M/1 at rho = 0.5 the standard error of one
 * replication's mean sojourn is about 0.7% (relaxation time inflates the
 * naive variance about tenfold), so the mean of 8 is within about 0.25%
 * (1 sigma): a 2% miss is an 8-sigma event, never luck.  The test also
 * checks that theory lies inside the 99.9% Student-t interval of the
 * replications, computed with GSL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "strata/scenario.h"
#include "world/world.h"

#define REPS 8
/* 8000 bits over 1 Gbit/s: the upload's fixed cost, outside the queue. */
#define UPLOAD_S 8e-6

static const char *tmpl =
    "name: queue\nseed: %d\nduration: %g s\nwarmup: 2000 s\ndrain: 100000 s\n"
    "models: [{name: m, task: q, accuracy: 1, size_mb: 1, input_bytes: 1000, output_bytes: 0}]\n"
    "hardware:\n  - name: srv\n    profiles: {m: {exec: %s}}\n"
    "nodes: [{name: server, hardware: srv, executors: %d, preload: all}]\n"
    "devices:\n  - name: d\n    count: 100\n    hardware: srv\n    attach: server\n"
    "    link: {up: {mbps: 1000}, down: {mbps: 1000}, rtt_ms: 0}\n"
    "    workload: {task: q, arrival: {process: poisson, rate_per_s: %g}, slo: 1 h}\n"
    "policy: {name: cloud, params: {timeout_s: 0}}\n";

typedef struct result {
    double w_mean, w_ci, little_err_max, all_accounted;
} result;

static result simulate(const char *exec, int executors, double rate_each,
                       double duration)
{
    double w[REPS];
    result r = {0};
    r.all_accounted = 1;
    for (int s = 0; s < REPS; s++) {
        char text[2048];
        snprintf(text, sizeof text, tmpl, s + 1, duration, exec, executors,
                 rate_each);
        st_scenario *sc;
        st_error err;
        if (st_scenario_load_text("queue.yaml", text, strlen(text), ".", NULL,
                                  0, &sc, &err))
            fail_msg("%s", err.msg);
        st_run_result res;
        if (st_world_run(sc, 0, NULL, &res, &err))
            fail_msg("%s", err.msg);
        const st_metrics *m = &res.metrics;
        double lat = st_metrics_get(m, "latency_mean_ms") / 1e3;
        w[s] = lat - UPLOAD_S;
        double L = st_metrics_get(m, "mean_in_system");
        double lambda = st_metrics_get(m, "arrival_rate_per_s");
        double err_little = fabs(L - lambda * lat) / (lambda * lat);
        if (err_little > r.little_err_max)
            r.little_err_max = err_little;
        double n = st_metrics_get(m, "requests");
        double sum = st_metrics_get(m, "requests_met") +
                     st_metrics_get(m, "requests_missed") +
                     st_metrics_get(m, "requests_dropped") +
                     st_metrics_get(m, "requests_unfinished");
        if (n != sum || n < 0.9 * lambda * (duration - 2000))
            r.all_accounted = 0;
        st_run_result_free(&res);
        st_scenario_free(sc);
    }
    r.w_mean = gsl_stats_mean(w, 1, REPS);
    r.w_ci = gsl_cdf_tdist_Pinv(0.9995, REPS - 1) * gsl_stats_sd(w, 1, REPS) / sqrt(REPS);
    return r;
}

static void check(const char *name, result r, double theory)
{
    printf("%s: W = %.4f s (99.9%% CI +- %.4f), theory %.4f, error %.2f%%, "
           "Little's law worst error %.2f%%\n", name, r.w_mean, r.w_ci, theory,
           100 * fabs(r.w_mean - theory) / theory, 100 * r.little_err_max);
    assert_true(r.all_accounted);
    assert_true(fabs(r.w_mean - theory) / theory < 0.02);
    assert_true(fabs(r.w_mean - theory) <= r.w_ci);
    /* Little's law holds up to window-edge effects (a few requests). */
    assert_true(r.little_err_max < 0.01);
}

static void test_mm1(void **state)
{
    (void)state;
    /* lambda 0.5, mu 1: W = 1 / (mu - lambda) = 2 s */
    result r = simulate("{dist: exponential, mean_s: 1}", 1, 0.005, 300000);
    check("M/M/1", r, 2.0);
}

static void test_md1(void **state)
{
    (void)state;
    /* Pollaczek-Khinchine: W = 1/mu + rho / (2 mu (1 - rho)) = 1.5 s */
    result r = simulate("1 s", 1, 0.005, 300000);
    check("M/D/1", r, 1.5);
}

static void test_mm2(void **state)
{
    (void)state;
    /* lambda 1.2, mu 1, c 2: a = 1.2, rho = 0.6; Erlang C
     * P_wait = (a^2/2 / (1 - rho)) / (1 + a + a^2/2 / (1 - rho)) = 0.45,
     * W = P_wait / (c mu - lambda) + 1/mu = 0.5625 + 1 = 1.5625 s. */
    double a = 1.2, rho = 0.6;
    double top = a * a / 2 / (1 - rho);
    double pw = top / (1 + a + top);
    double theory = pw / (2 - 1.2) + 1;
    result r = simulate("{dist: exponential, mean_s: 1}", 2, 0.012, 125000);
    check("M/M/2", r, theory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1),
        cmocka_unit_test(test_md1),
        cmocka_unit_test(test_mm2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
