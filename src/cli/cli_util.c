/* cli_util.c - argument parsing and error printing shared by subcommands. */
#include "cli/cli.h"
#include "base/xalloc.h"
#include "strata/scenario.h"
#include "world/world.h"
#include "policy/registry.h"
#include "policy/plugin.h"
#include "study/membound.h"
#include "base/xalloc.h"
#include "base/parse.h"

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
    uint64_t v;
    if (st_parse_u64(s, &v))
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

/* Restricts the scenario to the policies named in "a,b". */
static int select_policies(st_scenario *sc, const char *list, st_error *err)
{
    char *copy = st_xstrdup(list);
    const char *names[64];
    size_t k = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && k < 64;
         tok = strtok_r(NULL, ",", &save))
        names[k++] = tok;
    int rc = k == 0 ? st_error_set(err, "--policy: expected one or more "
                                   "policy names")
                    : st_policy_select(sc, names, k, err);
    free(copy);
    return rc;
}

int cli_load_plugins(const cli_list *files)
{
    st_error err;
    if (st_plugin_load_env(&err))
        return cli_input_error(&err);
    for (size_t i = 0; files && i < files->n; i++)
        if (st_plugin_load(files->v[i], &err))
            return cli_input_error(&err);
    return EXIT_OK;
}

int cli_load_scenario(const char *path, const cli_scenario_args *a,
                      st_scenario **out)
{
    st_error err;
    const char *ov[CLI_LIST_MAX + 2];
    char seedset[64];
    size_t n = 0;
    int rc = cli_load_plugins(&a->plugins);
    if (rc != EXIT_OK)
        return rc;
    for (size_t i = 0; i < a->sets.n; i++)
        ov[n++] = a->sets.v[i];
    if (a->have_seed) {
        /* The seed goes through the document so the stored text shows it. */
        snprintf(seedset, sizeof seedset, "seed=%llu", a->seed);
        ov[n++] = seedset;
    }
    if (st_scenario_load(path, ov, n, out, &err))
        return cli_input_error(&err);
    if (st_policy_check_names(*out, &err)) {
        st_scenario_free(*out);
        return cli_input_error(&err);
    }
    if (a->policies && select_policies(*out, a->policies, &err)) {
        st_scenario_free(*out);
        return cli_input_error(&err);
    }
    return EXIT_OK;
}

int cli_check_policies(const st_scenario *sc, const st_run_opts *run)
{
    st_run_opts opts = {.check_only = 1};
    st_error perr;
    /* Names and parameters need no world, nor does the memory bound (before
     * a world as large as the run's is built to check the rest); what a
     * policy's init finds wrong with the world itself (an IDN tree without
     * a repository) does. */
    if (st_policy_check_scenario(sc, &perr) ||
        st_membound_check(sc, run, &perr))
        return cli_input_error(&perr);
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

int cli_parse_jobs(const char *cmd, const char *arg, void *dest)
{
    unsigned long long v;
    if (cli_parse_u64(arg, &v) || v < 1 || v > CLI_MAX_JOBS)
        return cli_usage_error(cmd, "--jobs: expected a number from 1 to %d, "
                               "got '%s'", CLI_MAX_JOBS, arg);
    *(int *)dest = (int)v;
    return 0;
}
