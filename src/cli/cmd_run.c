/* cmd_run.c - `strata run`: simulate a scenario with each of its policies,
 * print a comparison table, and store every run in the results database. */
#include "cli/cli.h"
#include "results/report.h"
#include "strata/scenario.h"
#include "results/store.h"
#include "study/run.h"
#include "world/world.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: strata run SCENARIO.yaml [options]\n\n"
           "Simulates the scenario once per policy it lists (or --policy),\n"
           "prints a comparison table and stores each run in the database.\n\n"
           "options:\n"
           "  --policy A[,B...]  run these policies instead of the scenario's\n"
           "  --seed N           override the scenario's seed\n"
           "  --set PATH=VALUE   override a scenario value, e.g.\n"
           "                     --set devices.0.count=20 (repeatable)\n"
           "  --db FILE          results database (default results.db)\n"
           "  --no-db            do not store results\n"
           "  --log-requests     also store one row per request\n"
           "  -q, --quiet        no progress lines on stderr\n"
           "  -h, --help         this help\n\npolicies:\n");
    for (size_t i = 0; i < st_policy_count(); i++)
        printf("  %-10s %s\n", st_policy_at(i)->name, st_policy_at(i)->summary);
}

typedef struct run_args {
    const char *db;
    int log_requests, quiet;
} run_args;

static int run_all(st_scenario *sc, const run_args *a)
{
    st_error err;
    st_store *db = NULL;
    int checked = cli_check_policies(sc);
    if (checked != EXIT_OK)
        return checked;
    if (a->db && st_store_open(a->db, &db, &err))
        return cli_input_error(&err);
    size_t n = sc->n_policies;
    st_run_outcome *out = calloc(n, sizeof *out);
    const st_metrics **ms = calloc(n, sizeof *ms);
    const char **labels = calloc(n, sizeof *labels);
    int rc = EXIT_OK;
    st_run_opts opts = {.log_requests = a->log_requests};
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
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"db", required_argument, NULL, 'd'},
        {"no-db", no_argument, NULL, 'n'},
        {"log-requests", no_argument, NULL, 'l'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    run_args a = {.db = "results.db"};
    char *policies = NULL;
    const char *seed = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': policies = optarg; break;
        case 's': seed = optarg; break;
        case 'S': sets[nsets++] = optarg; break;
        case 'd': a.db = optarg; break;
        case 'n': a.db = NULL; break;
        case 'l': a.log_requests = 1; break;
        case 'q': a.quiet = 1; break;
        case 'h': help(); free(sets); return EXIT_OK;
        default:
            free(sets);
            return cli_usage_error("run", "unknown or incomplete option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(sets);
        return cli_usage_error("run", "expected one scenario file, got %d "
                               "arguments", argc - optind);
    }
    st_scenario *sc;
    rc = cli_load_scenario(argv[optind], seed, sets, nsets, policies, &sc);
    free(sets);
    if (rc != EXIT_OK)
        return rc;
    rc = run_all(sc, &a);
    st_scenario_free(sc);
    return rc;
}
