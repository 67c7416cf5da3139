/* cli_util.c - argument parsing and error printing shared by subcommands. */
#include "cli/cli.h"
#include "strata/scenario.h"
#include "world/world.h"
#include "policy/registry.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_input_error(const st_error *err)
{
    fprintf(stderr, "strata: %s\n", err->msg);
    return EXIT_INPUT;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "strata %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'strata %s --help')\n", cmd);
    return EXIT_INPUT;
}

int cli_parse_u64(const char *s, unsigned long long *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_load_scenario(const char *path, const char *seed,
                      const char *const *sets, size_t nsets, char *policies,
                      st_scenario **out)
{
    st_error err;
    unsigned long long s;
    const char **ov = calloc(nsets + 1, sizeof *ov);
    char seedset[64];
    size_t n = 0;
    if (!ov)
        abort();
    for (size_t i = 0; i < nsets; i++)
        ov[n++] = sets[i];
    if (seed) {
        if (cli_parse_u64(seed, &s)) {
            free(ov);
            fprintf(stderr, "strata: --seed: expected a non-negative whole "
                    "number, got '%s'\n", seed);
            return EXIT_INPUT;
        }
        /* The seed goes through the document so the stored text shows it. */
        snprintf(seedset, sizeof seedset, "seed=%llu", s);
        ov[n++] = seedset;
    }
    int rc = st_scenario_load(path, ov, n, out, &err);
    free(ov);
    if (rc)
        return cli_input_error(&err);
    if (st_policy_check_scenario(*out, &err)) {
        st_scenario_free(*out);
        return cli_input_error(&err);
    }
    if (policies) {
        const char *names[64];
        size_t k = 0;
        for (char *save = NULL, *tok = strtok_r(policies, ",", &save);
             tok && k < 64; tok = strtok_r(NULL, ",", &save))
            names[k++] = tok;
        if (k == 0 || st_policy_select(*out, names, k, &err)) {
            if (k == 0)
                st_error_set(&err, "--policy: expected one or more policy names");
            st_scenario_free(*out);
            return cli_input_error(&err);
        }
    }
    return EXIT_OK;
}

int cli_check_policies(const st_scenario *sc)
{
    st_run_opts opts = {.check_only = 1};
    for (size_t p = 0; p < sc->n_policies; p++) {
        st_run_result res;
        st_error err;
        int rc = st_world_run(sc, p, &opts, &res, &err);
        st_run_result_free(&res);
        if (rc)
            return cli_input_error(&err);
    }
    return EXIT_OK;
}

int cli_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n < CLI_MAX_JOBS ? n : CLI_MAX_JOBS) : 1;
}

int cli_parse_jobs(const char *cmd, const char *arg, int *out)
{
    unsigned long long v;
    if (cli_parse_u64(arg, &v) || v < 1 || v > CLI_MAX_JOBS) {
        cli_usage_error(cmd, "--jobs: expected a number from 1 to %d, got '%s'",
                        CLI_MAX_JOBS, arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}
