/* bench_e2e.c - end to end: load a scenario, simulate it with each of its
 * policies (whole request lifecycle: arrivals, policy, links, queues,
 * models, metrics) and optionally store every run, per-request rows
 * included, in a results database, as `strata run` does; report simulated
 * requests per CPU second and the memory the run needed.
 *
 * Memory is measured with getrusage: the peak resident set minus the
 * resident set once the scenario is loaded, so it is what the simulation
 * itself held at its worst.  Run one configuration per process: the peak
 * never comes down.
 *
 * usage: bench_e2e SCENARIO [--set PATH=VALUE]... [--policy NAME] [--log]
 *                  [--db FILE] [--reps R] [--label TEXT]
 * prints one row per policy: section=e2e label=... requests=... ...
 */
#include "bench_util.h"
#include "strata/scenario.h"
#include "strata/store.h"
#include "strata/world.h"
#include "strata_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct e2e_args {
    const char *scenario, *db, *label;
    const char **sets;
    size_t n_sets;
    const char *policy;
    int log, reps;
} e2e_args;

static int usage(void)
{
    fprintf(stderr, "usage: bench_e2e SCENARIO [--set PATH=VALUE]... "
            "[--policy NAME] [--log] [--db FILE] [--reps R] [--label TEXT]\n");
    return 2;
}

static int parse_args(int argc, char **argv, e2e_args *a)
{
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    a->reps = 1;
    a->label = "";
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (more && strcmp(s, "--set") == 0)
            a->sets[a->n_sets++] = argv[++i];
        else if (more && strcmp(s, "--policy") == 0)
            a->policy = argv[++i];
        else if (more && strcmp(s, "--db") == 0)
            a->db = argv[++i];
        else if (more && strcmp(s, "--reps") == 0)
            a->reps = atoi(argv[++i]);
        else if (more && strcmp(s, "--label") == 0)
            a->label = argv[++i];
        else if (strcmp(s, "--log") == 0)
            a->log = 1;
        else if (s[0] != '-' && !a->scenario)
            a->scenario = s;
        else
            return -1;
    }
    return a->scenario && a->reps >= 1 ? 0 : -1;
}

static int store(st_store *db, const st_scenario *sc, size_t p,
                 const st_run_result *res, st_error *err)
{
    char key[17];
    st_scenario_run_key(sc, p, key);
    /* Fixed timestamps: the benchmark measures the write, not the clock. */
    st_run_record rec = {
        .run_key = key, .scenario = sc->name, .config_text = sc->text,
        .config_hash = sc->hash, .policy = sc->policies[p].name,
        .params = sc->policies[p].params_text, .seed = sc->seed,
        .version = STRATA_VERSION, .started = "1970-01-01T00:00:00Z",
        .finished = "1970-01-01T00:00:00Z", .wall_s = res->wall_s,
        .events = res->events, .metrics = &res->metrics,
        .requests = res->requests.n ? &res->requests : NULL, .status = "ok"};
    return st_store_put_run(db, &rec, err) < 0 ? -1 : 0;
}

/* Runs policy p reps times (keeping the fastest) and stores the last run
 * when db is open; prints the row. */
static int bench_policy(const e2e_args *a, const st_scenario *sc, size_t p,
                        st_store *db, double base_rss, double load_s)
{
    st_run_opts opts = {.log_requests = a->log};
    st_run_result res;
    st_error err;
    double best = INFINITY, store_s = 0;
    for (int r = 0; r < a->reps; r++) {
        double t0 = bench_cpu();
        if (st_world_run(sc, p, &opts, &res, &err)) {
            fprintf(stderr, "bench_e2e: %s\n", err.msg);
            return -1;
        }
        double dt = bench_cpu() - t0;
        if (dt < best)
            best = dt;
        if (r + 1 < a->reps)
            st_run_result_free(&res);
    }
    if (db) {
        double t0 = bench_cpu();
        if (store(db, sc, p, &res, &err)) {
            fprintf(stderr, "bench_e2e: %s\n", err.msg);
            st_run_result_free(&res);
            return -1;
        }
        store_s = bench_cpu() - t0;
    }
    double requests = st_metrics_get(&res.metrics, "requests");
    double extra = bench_peak_rss() - base_rss;
    bench_row("section=e2e\tlabel=%s\tscenario=%s\tpolicy=%s\tdevices=%ld\t"
              "duration_s=%g\tlog=%d\tdb=%d\trequests=%.0f\tevents=%llu\t"
              "load_s=%.6f\tsim_s=%.6f\tstore_s=%.6f\treq_per_s=%.6g\t"
              "req_per_s_stored=%.6g\tevents_per_s=%.6g\tpeak_rss=%.0f\t"
              "run_bytes=%.0f\tbytes_per_device=%.1f\tbytes_per_request=%.1f",
              a->label, sc->name, sc->policies[p].name, sc->n_devices,
              sc->duration_s, a->log, db != NULL, requests,
              (unsigned long long)res.events, load_s, best, store_s,
              requests / best, requests / (best + store_s),
              (double)res.events / best, bench_peak_rss(), extra,
              extra / (double)sc->n_devices,
              requests > 0 ? extra / requests : 0.0);
    st_run_result_free(&res);
    return 0;
}

int main(int argc, char **argv)
{
    e2e_args a = {0};
    if (parse_args(argc, argv, &a))
        return usage();
    st_scenario *sc;
    st_error err;
    double t0 = bench_cpu();
    if (st_scenario_load(a.scenario, a.sets, a.n_sets, &sc, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        return 2;
    }
    if (a.policy && st_scenario_select_policies(sc, &a.policy, 1, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        return 2;
    }
    double load_s = bench_cpu() - t0;
    st_store *db = NULL;
    if (a.db && st_store_open(a.db, &db, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        return 2;
    }
    double base_rss = bench_rss();
    int rc = 0;
    for (size_t p = 0; p < sc->n_policies && rc == 0; p++)
        rc = bench_policy(&a, sc, p, db, base_rss, load_s);
    st_store_close(db);
    st_scenario_free(sc);
    free(a.sets);
    return rc ? 1 : 0;
}
