/* cmd_validate.c - `strata validate`: load and check a scenario, print what
 * it describes, run nothing. */
#include "cli/cli.h"
#include "strata/scenario.h"
#include "policy/plugin.h"
#include "base/memlimit.h"
#include "study/membound.h"

#include <stdlib.h>

/* The largest run's memory bound and the limit it is checked against. */
static void memory_line(const st_scenario *sc)
{
    st_membound top;
    size_t heavy = st_membound_heaviest(sc, NULL, &top);
    char need[32], lim[32], why[160];
    double limit = st_memory_limit(why, sizeof why);
    if (sc->n_policies)
        printf("  memory     up to %s (policy %s; the limit is %s)\n",
               st_bytes_text(top.total, need, sizeof need),
               sc->policies[heavy].name, st_bytes_text(limit, lim, sizeof lim));
}

static void summary(const st_scenario *sc)
{
    printf("%s: valid\n", sc->file);
    printf("  name       %s\n  hash       %s\n  seed       %llu\n",
           sc->name, sc->hash, (unsigned long long)sc->seed);
    printf("  duration   %g s (warm-up %g s, drain %g s)\n", sc->duration_s,
           sc->warmup_s, sc->drain_s);
    printf("  models     %zu over %zu task(s)\n", sc->n_models, sc->n_tasks);
    printf("  hardware   %zu profile set(s)\n", sc->n_hardware);
    printf("  nodes      %zu\n", sc->n_nodes);
    printf("  devices    %ld in %zu class(es)\n", sc->n_devices,
           sc->n_device_classes);
    printf("  traces     %zu loaded\n", sc->n_traces);
    memory_line(sc);
    for (size_t i = 0; i < st_plugin_count(); i++)
        printf("  plugin     %s (sha256 %s)\n", st_plugin_at(i)->path,
               st_plugin_at(i)->sha256);
    printf("  policies  ");
    for (size_t i = 0; i < sc->n_policies; i++)
        printf(" %s", sc->policies[i].name);
    printf("\n");
}

int cmd_validate(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "validate", .synopsis = "SCENARIO.yaml [--set PATH=VALUE]...",
        .description = "Checks the scenario (types, ranges, names, files, "
            "traces) and\nprints a summary.  Exit 0 if valid, 2 with "
            "file:line:col if not.\n",
        .min_args = 1, .max_args = 1, .args_what = "one scenario file"};
    cli_scenario_args sa = {0};
    cli_opt opts[] = {
        CLI_LIST(0, "set", &sa.sets, "PATH=VALUE",
                 "override a scenario value (repeatable)"),
        CLI_PLUGIN_OPT(&sa.plugins),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    st_scenario *sc;
    rc = cli_load_scenario(pos.v[0], &sa, &sc);
    if (rc != EXIT_OK)
        return rc;
    rc = cli_check_policies(sc, NULL);
    if (rc == EXIT_OK)
        summary(sc);
    st_scenario_free(sc);
    return rc;
}
