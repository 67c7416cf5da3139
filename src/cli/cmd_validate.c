/* cmd_validate.c - `strata validate`: load and check a scenario, print what
 * it describes, run nothing. */
#include "cli/cli.h"
#include "strata/scenario.h"

#include <getopt.h>
#include <stdlib.h>

static void help(void)
{
    printf("usage: strata validate SCENARIO.yaml [--set PATH=VALUE]...\n\n"
           "Checks the scenario (types, ranges, names, files, traces) and\n"
           "prints a summary.  Exit 0 if valid, 2 with file:line:col if not.\n");
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
    printf("  policies  ");
    for (size_t i = 0; i < sc->n_policies; i++)
        printf(" %s", sc->policies[i].name);
    printf("\n");
}

int cmd_validate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"set", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'S') {
            sets[nsets++] = optarg;
        } else if (c == 'h') {
            help();
            free(sets);
            return EXIT_OK;
        } else {
            free(sets);
            return cli_usage_error("validate", "unknown or incomplete option "
                                   "'%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(sets);
        return cli_usage_error("validate", "expected one scenario file");
    }
    st_scenario *sc;
    int rc = cli_load_scenario(argv[optind], NULL, sets, nsets, NULL, &sc);
    free(sets);
    if (rc != EXIT_OK)
        return rc;
    rc = cli_check_policies(sc);
    if (rc == EXIT_OK)
        summary(sc);
    st_scenario_free(sc);
    return rc;
}
