/* cmd_capacity.c - `strata capacity`: for each policy, the highest request
 * rate at which it still meets a target SLO attainment. */
#include "cli/cli.h"
#include "base/xalloc.h"
#include "strata/scenario.h"
#include "study/sweep.h"
#include "study/capacity.h"

#include <stdlib.h>
#include <string.h>

typedef struct cap_args {
    cli_scenario_args sa;
    st_capacity_opts o;
} cap_args;

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
    const char *const *ov = a->sa.sets.v;
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
        if (st_capacity_search(path, ov, a->sa.sets.n, sc, p, &a->o, &r, &err))
            rc = cli_input_error(&err);
        else
            print_row(sc->policies[p].name, &r, sc);
        fflush(stdout);
    }
    return rc;
}

int cmd_capacity(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "capacity", .synopsis = "SCENARIO.yaml --target A [options]",
        .description = "Scales every device class's arrival rate by one factor "
            "and finds,\nby bracketing and bisection, the highest total request "
            "rate at\nwhich each policy still meets SLO attainment A.\n",
        .min_args = 1, .max_args = 1, .args_what = "one scenario file"};
    cap_args a = {.o = {.tol = 0.01, .reps = 1}};
    long reps = 1;
    cli_opt opts[] = {
        {.kind = CLI_K_DOUBLE, .long_name = "target", .dest = &a.o.target,
         .argname = "A", .lo = 0, .hi = 1, .open = CLI_OPEN_LO,
         .required = 1, .help = "attainment to meet, e.g. 0.95 (required)"},
        CLI_SCENARIO_OPTS(&a.sa),
        CLI_INT(0, "reps", &reps, "N", 1, 1000,
                "average attainment over N seeds (seed,\n"
                "seed+1, ...) per rate (default 1)"),
        CLI_DOUBLE(0, "tol", &a.o.tol, "T", ST_CAPACITY_MIN_TOL, 1, CLI_OPEN_HI,
                   "relative precision of the rate (default 0.01)"),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    a.o.reps = (size_t)reps;
    st_scenario *sc;
    rc = cli_load_scenario(pos.v[0], &a.sa, &sc);
    if (rc == EXIT_OK) {
        rc = search_all(pos.v[0], sc, &a);
        st_scenario_free(sc);
    }
    return rc;
}
