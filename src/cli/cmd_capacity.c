/* cmd_capacity.c - `strata capacity`: for each policy, the highest request
 * rate at which it still meets a target SLO attainment. */
#include "cli/cli.h"
#include "strata/scenario.h"
#include "study/sweep.h"
#include "study/capacity.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: strata capacity SCENARIO.yaml --target A [options]\n\n"
           "Scales every device class's arrival rate by one factor and finds,\n"
           "by bracketing and bisection, the highest total request rate at\n"
           "which each policy still meets SLO attainment A.\n\n"
           "options:\n"
           "  --target A         attainment to meet, e.g. 0.95 (required)\n"
           "  --policy A[,B...]  these policies instead of the scenario's\n"
           "  --seed N           override the scenario's seed\n"
           "  --set PATH=VALUE   override a scenario value (repeatable)\n"
           "  --reps N           average attainment over N seeds (seed,\n"
           "                     seed+1, ...) per rate (default 1)\n"
           "  --tol T            relative precision of the rate (default 0.01)\n"
           "  -h, --help         this help\n");
}

typedef struct cap_args {
    const char *seed, **sets;
    size_t nsets;
    char *policies;
    st_capacity_opts o;
    int have_target;
} cap_args;

static int parse_args(int argc, char **argv, cap_args *a)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},
        {"policy", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"reps", required_argument, NULL, 'r'},
        {"tol", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    unsigned long long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (cli_parse_double(optarg, &a->o.target) || a->o.target <= 0 ||
                a->o.target > 1)
                return cli_usage_error("capacity", "--target: expected an"
                                       " attainment in (0, 1], got '%s'",
                                       optarg);
            a->have_target = 1;
            break;
        case 'p': a->policies = optarg; break;
        case 's': a->seed = optarg; break;
        case 'S': a->sets[a->nsets++] = optarg; break;
        case 'r':
            if (cli_parse_u64(optarg, &v) || v < 1 || v > 1000)
                return cli_usage_error("capacity", "--reps: expected 1 to"
                                       " 1000, got '%s'", optarg);
            a->o.reps = (size_t)v;
            break;
        case 'T':
            if (cli_parse_double(optarg, &a->o.tol) || a->o.tol <= 0 ||
                a->o.tol >= 1)
                return cli_usage_error("capacity", "--tol: expected a number"
                                       " between 0 and 1, got '%s'", optarg);
            break;
        case 'h': help(); return -1;
        case ':':
            return cli_usage_error("capacity", "%s needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("capacity", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("capacity", "expected one scenario file, got %d"
                               " arguments", argc - optind);
    if (!a->have_target)
        return cli_usage_error("capacity", "--target is required");
    return 0;
}

static void print_row(const char *policy, const st_capacity_result *r,
                      const st_scenario *sc)
{
    if (!r->found) {
        printf("%-12s  %10s  %10s  %10s  %10s  %5zu  (misses the target at"
               " every rate down to a hundred measured requests)\n", policy, "-", "-", "-", "-", r->runs);
        return;
    }
    printf("%-12s  %10.4g  %10.4g  %10.4g  %10.4f  %5zu%s\n", policy,
           r->rate_per_s, r->rate_per_s / (double)sc->n_devices, r->factor,
           r->attainment, r->runs,
           r->unbounded ? "  (meets it at every rate tried: a lower bound)"
                        : "");
}

static int search_all(const char *path, const st_scenario *sc,
                      const cap_args *a)
{
    /* The seed goes through the overrides too, as cli_load_scenario did. */
    const char **ov = calloc(a->nsets + 1, sizeof *ov);
    if (!ov)
        abort();
    for (size_t i = 0; i < a->nsets; i++)
        ov[i] = a->sets[i];
    printf("capacity of %s at %g%% SLO attainment (seed %llu, %zu seed%s per"
           " rate)\n\n", sc->name, a->o.target * 100,
           (unsigned long long)sc->seed, a->o.reps ? a->o.reps : 1,
           a->o.reps > 1 ? "s" : "");
    printf("%-12s  %10s  %10s  %10s  %10s  %5s\n", "policy", "req/s",
           "per device", "x scenario", "attainment", "runs");
    int rc = EXIT_OK;
    for (size_t p = 0; p < sc->n_policies && rc == EXIT_OK; p++) {
        st_capacity_result r;
        st_error err;
        if (st_capacity_search(path, ov, a->nsets, sc, p, &a->o, &r, &err))
            rc = cli_input_error(&err);
        else
            print_row(sc->policies[p].name, &r, sc);
        fflush(stdout);
    }
    free(ov);
    return rc;
}

int cmd_capacity(int argc, char **argv)
{
    cap_args a = {.o = {.tol = 0.01, .reps = 1}};
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    if (!a.sets)
        abort();
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        free(a.sets);
        return rc < 0 ? EXIT_OK : rc;
    }
    st_scenario *sc;
    rc = cli_load_scenario(argv[optind], a.seed, a.sets, a.nsets, a.policies,
                           &sc);
    if (rc == EXIT_OK) {
        rc = search_all(argv[optind], sc, &a);
        st_scenario_free(sc);
    }
    free(a.sets);
    return rc;
}

