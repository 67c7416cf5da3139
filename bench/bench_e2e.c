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
 * With --bare-db, the request rows of each stored run are also written by
 * the shortest loop SQLite allows, into the same table of a fresh database
 * opened as strata opens one: one prepared INSERT, bound and stepped per
 * row, in one transaction.  That is the reference a logged run's storing
 * is compared with.
 *
 * usage: bench_e2e SCENARIO [--set PATH=VALUE]... [--policy NAME] [--log]
 *                  [--db FILE [--bare-db FILE]] [--reps R]
 * prints one row per policy: section=e2e policy=... requests=... ...
 */
#include "bench_util.h"
#include "strata/scenario.h"
#include "policy/registry.h"
#include "results/store.h"
#include "study/run.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct e2e_args {
    const char *scenario, *db, *bare_db;
    const char **sets;
    size_t n_sets;
    const char *policy;
    int log, reps;
} e2e_args;

static int usage(void)
{
    fprintf(stderr, "usage: bench_e2e SCENARIO [--set PATH=VALUE]... "
            "[--policy NAME] [--log] [--db FILE [--bare-db FILE]] "
            "[--reps R]\n");
    return 2;
}

static int parse_args(int argc, char **argv, e2e_args *a)
{
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    a->reps = 1;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (more && strcmp(s, "--set") == 0)
            a->sets[a->n_sets++] = argv[++i];
        else if (more && strcmp(s, "--policy") == 0)
            a->policy = argv[++i];
        else if (more && strcmp(s, "--db") == 0)
            a->db = argv[++i];
        else if (more && strcmp(s, "--bare-db") == 0)
            a->bare_db = argv[++i];
        else if (more && strcmp(s, "--reps") == 0)
            a->reps = atoi(argv[++i]);
        else if (strcmp(s, "--log") == 0)
            a->log = 1;
        else if (s[0] != '-' && !a->scenario)
            a->scenario = s;
        else
            return -1;
    }
    return a->scenario && a->reps >= 1 && (a->db || !a->bare_db) ? 0 : -1;
}

/* Binds one request row as the store does (NaN reads as NULL). */
static void bind_request(sqlite3_stmt *q, int64_t run_id,
                         const st_request_rec *r)
{
    sqlite3_bind_int64(q, 1, run_id);
    sqlite3_bind_int64(q, 2, (int64_t)r->id);
    sqlite3_bind_int(q, 3, r->device);
    sqlite3_bind_int(q, 4, r->model);
    sqlite3_bind_int(q, 5, r->node);
    sqlite3_bind_text(q, 6, st_outcome_name((st_outcome_kind)r->outcome), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(q, 7, r->offloaded);
    sqlite3_bind_int(q, 8, r->cold);
    sqlite3_bind_double(q, 9, r->arrival_s);
    sqlite3_bind_double(q, 10, r->latency_s);
    sqlite3_bind_double(q, 11, r->slo_s);
    sqlite3_bind_double(q, 12, r->accuracy);
    sqlite3_bind_double(q, 13, r->estimate_s);
    sqlite3_bind_int(q, 14, r->attempts);
    sqlite3_bind_int(q, 15, r->completed);
}

/* The bare loop (see the top of the file) into a fresh database at path;
 * returns the CPU seconds from BEGIN to COMMIT, or -1.  Never inlined, so
 * `valgrind --tool=callgrind --toggle-collect=bare_insert` counts it. */
static __attribute__((noinline)) double bare_insert(const char *path, const st_request_log *log)
{
    st_store *s;
    st_error err;
    remove(path);
    if (st_store_open(path, &s, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        return -1;
    }
    sqlite3 *db = st_store_sqlite(s);
    sqlite3_stmt *q = NULL;
    double t0 = bench_cpu();
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO runs(run_key,"
                          " status) VALUES('bare', 'ok')", NULL, NULL, NULL);
    int64_t run_id = sqlite3_last_insert_rowid(db);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO requests(run_id, req_id,"
            " device, model, node, outcome, offloaded, cold, arrival_s,"
            " latency_s, slo_s, accuracy, estimate_s, attempts, completed)"
            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
            " ?14, ?15)", -1, &q, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < log->n; i++) {
        bind_request(q, run_id, &log->recs[i]);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double dt = bench_cpu() - t0;
    if (rc != SQLITE_OK)
        fprintf(stderr, "bench_e2e: bare insert into %s: %s\n", path,
                sqlite3_errmsg(db));
    st_store_close(s);
    return rc == SQLITE_OK ? dt : -1;
}

/* Stores o as `strata run` does; the CPU seconds it took, or -1.  Never
 * inlined, so `--toggle-collect=store_run` counts a whole store. */
static __attribute__((noinline)) double store_run(st_store *db,
                                                  const st_run_outcome *o)
{
    st_error err;
    double t0 = bench_cpu();
    if (st_run_store(db, o, NULL, 0, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        return -1;
    }
    return bench_cpu() - t0;
}

/* Runs policy p reps times (keeping the fastest) and, when db is open,
 * stores the last run as `strata run` does; prints the row. */
static int bench_policy(const e2e_args *a, const st_scenario *sc, size_t p,
                        st_store *db, double base_rss, double load_s)
{
    st_run_opts opts = {.log_requests = a->log};
    st_run_outcome out;
    double best = INFINITY, store_s = 0, bare_s = 0;
    for (int r = 0; r < a->reps; r++) {
        double t0 = bench_cpu();
        st_run_execute(sc, p, &opts, &out);
        double dt = bench_cpu() - t0;
        if (!out.ok) {
            fprintf(stderr, "bench_e2e: %s\n", out.message);
            st_run_outcome_free(&out);
            return -1;
        }
        if (dt < best)
            best = dt;
        if (r + 1 < a->reps)
            st_run_outcome_free(&out);
    }
    if (db) {
        if ((store_s = store_run(db, &out)) < 0) {
            st_run_outcome_free(&out);
            return -1;
        }
        if (a->bare_db &&
            (bare_s = bare_insert(a->bare_db, &out.result.requests)) < 0) {
            st_run_outcome_free(&out);
            return -1;
        }
    }
    const st_run_result *res = &out.result;
    double requests = st_metrics_get(&res->metrics, "requests");
    double extra = bench_peak_rss() - base_rss;
    bench_row("section=e2e\tscenario=%s\tpolicy=%s\tdevices=%ld\t"
              "duration_s=%g\tlog=%d\tdb=%d\trequests=%.0f\tevents=%llu\t"
              "load_s=%.6f\tsim_s=%.6f\tstore_s=%.6f\treq_per_s=%.6g\t"
              "req_per_s_stored=%.6g\tevents_per_s=%.6g\tpeak_rss=%.0f\t"
              "run_bytes=%.0f\tbytes_per_device=%.1f\tbytes_per_request=%.1f\t"
              "rows=%zu\tbare_s=%.6f",
              sc->name, sc->policies[p].name, sc->n_devices, sc->duration_s,
              a->log, db != NULL, requests, (unsigned long long)res->events,
              load_s, best, store_s, requests / best,
              requests / (best + store_s), (double)res->events / best,
              bench_peak_rss(), extra, extra / (double)sc->n_devices,
              requests > 0 ? extra / requests : 0.0, res->requests.n, bare_s);
    st_run_outcome_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    e2e_args a = {0};
    if (parse_args(argc, argv, &a)) {
        free(a.sets);
        return usage();
    }
    st_scenario *sc = NULL;
    st_store *db = NULL;
    st_error err;
    int rc = 2;
    double t0 = bench_cpu();
    if (st_scenario_load(a.scenario, a.sets, a.n_sets, &sc, &err) ||
        (a.policy && st_policy_select(sc, &a.policy, 1, &err)) ||
        (a.db && st_store_open(a.db, &db, &err))) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        goto done;
    }
    double load_s = bench_cpu() - t0;
    double base_rss = bench_rss();
    rc = 0;
    for (size_t p = 0; p < sc->n_policies && rc == 0; p++)
        rc = bench_policy(&a, sc, p, db, base_rss, load_s) ? 1 : 0;
done:
    st_store_close(db);
    st_scenario_free(sc);
    free(a.sets);
    return rc;
}
