/* cmd_run.c - `strata run`: simulate a scenario with each of its policies,
 * print a comparison table, and store every run in the results database. */
#include "cli/cli.h"
#include "results/report.h"
#include "strata/scenario.h"
#include "results/store.h"
#include "study/run.h"
#include "world/world.h"
#include "policy/registry.h"

#include <stdlib.h>
#include <string.h>

static void list_policies(FILE *out)
{
    fprintf(out, "\npolicies:\n");
    for (size_t i = 0; i < st_policy_count(); i++)
        fprintf(out, "  %-10s %s\n", st_policy_at(i)->name,
                st_policy_at(i)->summary);
}

typedef struct run_args {
    const char *db;
    int log_requests, quiet;
} run_args;

static int run_all(st_scenario *sc, const run_args *a)
{
    st_error err;
    st_store *db = NULL;
    st_run_opts opts = {.log_requests = a->log_requests};
    int checked = cli_check_policies(sc, &opts);
    if (checked != EXIT_OK)
        return checked;
    if (a->db && st_store_open(a->db, &db, &err))
        return cli_input_error(&err);
    size_t n = sc->n_policies;
    st_run_outcome *out = calloc(n, sizeof *out);
    const st_metrics **ms = calloc(n, sizeof *ms);
    const char **labels = calloc(n, sizeof *labels);
    int rc = EXIT_OK;
    for (size_t p = 0; p < n && rc == EXIT_OK; p++) {
        st_run_execute(sc, p, &opts, &out[p]);
        if (!out[p].ok) {
            fprintf(stderr, "strata: %s\n", out[p].message);
            rc = EXIT_INPUT;
            break;
        }
        const st_run_result *res = &out[p].result;
        if (!a->quiet)
            fprintf(stderr, "strata: %s/%s: %.0f requests, %llu events in "
                    "%.3f s (%.2f M events/s)\n", sc->name, sc->policies[p].name,
                    st_metrics_get(&res->metrics, "requests"),
                    (unsigned long long)res->events, res->wall_s,
                    res->wall_s > 0 ? res->events / res->wall_s / 1e6 : 0);
        if (db && st_run_store(db, &out[p], NULL, 0, &err)) {
            fprintf(stderr, "strata: %s\n", err.msg);
            rc = EXIT_FAIL;
        }
        ms[p] = &res->metrics;
        labels[p] = sc->policies[p].name;
    }
    if (rc == EXIT_OK) {
        printf("%s (seed %llu, %ld devices, %g s simulated after %g s warm-up)\n\n",
               sc->name, (unsigned long long)sc->seed, sc->n_devices,
               sc->duration_s - sc->warmup_s, sc->warmup_s);
        st_report_table(stdout, labels, ms, n);
        if (db && !a->quiet)
            fprintf(stderr, "strata: stored %zu run%s in %s\n", n,
                    n == 1 ? "" : "s", a->db);
    }
    for (size_t p = 0; p < n; p++)
        st_run_outcome_free(&out[p]);
    free(out);
    free(ms);
    free(labels);
    st_store_close(db);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "run", .synopsis = "SCENARIO.yaml [options]",
        .description = "Simulates the scenario once per policy it lists (or "
            "--policy),\nprints a comparison table and stores each run in "
            "the database.\n",
        .min_args = 1, .max_args = 1, .args_what = "one scenario file",
        .epilogue_fn = list_policies};
    run_args a = {.db = "results.db"};
    cli_scenario_args sa = {0};
    int no_db = 0;
    cli_opt opts[] = {
        CLI_SCENARIO_OPTS(&sa),
        CLI_STRING(0, "db", &a.db, "FILE", "results database (default results.db)"),
        CLI_FLAG(0, "no-db", &no_db, "do not store results"),
        CLI_FLAG(0, "log-requests", &a.log_requests,
                 "also store one row per request"),
        CLI_FLAG('q', "quiet", &a.quiet, "no progress lines on stderr"),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    if (no_db)
        a.db = NULL;
    st_scenario *sc;
    rc = cli_load_scenario(pos.v[0], &sa, &sc);
    if (rc != EXIT_OK)
        return rc;
    rc = run_all(sc, &a);
    st_scenario_free(sc);
    return rc;
}
