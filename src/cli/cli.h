/* cli.h - the subcommand table's entries and the helpers they share.
 * Private to the CLI: commands parse arguments and call library code. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdio.h>
#include "strata/error.h"
#include "cli/opt.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_INPUT = 2 };

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);
/* The built-in policies' parameters as Markdown (docs/policies.md). */
void cli_policy_reference(FILE *out);
/* `strata --reference md|man|policies`: the file formats' reference, or
 * the policies'. */
int cli_reference(int argc, char **argv);

/* Prints "strata: <msg>" to stderr and returns EXIT_INPUT. */
int cli_input_error(const st_error *err);
/* Prints "strata <cmd>: <formatted>" plus a pointer to --help; EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parses a whole decimal number / unsigned / positive double; 0 or -1. */
int cli_parse_u64(const char *s, unsigned long long *out);
int cli_parse_double(const char *s, double *out);
/* --plugin FILE (repeatable), for every command that runs or checks
 * policies. */
#define CLI_PLUGIN_OPT(l)                                                   \
    CLI_LIST(0, "plugin", l, "FILE", "load a policy plugin (repeatable; "   \
             "also from\nSTRATA_PLUGIN_PATH)")
/* Loads the plugins STRATA_PLUGIN_PATH names, then files.  EXIT_OK, or
 * EXIT_INPUT after printing why one was refused. */
int cli_load_plugins(const cli_list *files);

/* The options that choose and adjust a scenario: --policy, --seed, --set. */
typedef struct cli_scenario_args {
    const char *policies;     /* "a,b"; NULL keeps the scenario's */
    unsigned long long seed;
    int have_seed;
    cli_list sets;            /* "path=value" overrides */
    cli_list plugins;         /* --plugin files */
} cli_scenario_args;

#define CLI_SCENARIO_OPTS(a)                                                \
    CLI_STRING(0, "policy", &(a)->policies, "A[,B...]",                     \
               "run these policies instead of the scenario's"),            \
    {.kind = CLI_K_U64, .long_name = "seed", .dest = &(a)->seed,            \
     .argname = "N", .seen = &(a)->have_seed,                               \
     .help = "override the scenario's seed"},                              \
    CLI_LIST(0, "set", &(a)->sets, "PATH=VALUE",                            \
             "override a scenario value, e.g.\n"                            \
             "--set devices.0.count=20 (repeatable)"),                     \
    CLI_PLUGIN_OPT(&(a)->plugins)

/* Loads a's plugins, then a scenario with its --seed, --set and --policy.  EXIT_OK, or
 * EXIT_INPUT after printing the error. */
struct st_scenario;
int cli_load_scenario(const char *path, const cli_scenario_args *a,
                      struct st_scenario **out);
/* Checks each of the scenario's policies and its parameters against the
 * policy's declared table, the memory the runs need (study/membound.h,
 * for runs with options `run`, NULL: none), then sets up the world and
 * initialises each policy without simulating, so nothing runs or is
 * stored when any would fail.  EXIT_OK, or EXIT_INPUT after printing the
 * error. */
struct st_run_opts;
int cli_check_policies(const struct st_scenario *sc,
                       const struct st_run_opts *run);
#define CLI_MAX_JOBS 1024
/* Worker processes by default: the online CPUs. */
int cli_default_jobs(void);
/* The -j/--jobs option (1..CLI_MAX_JOBS) into an int. */
int cli_parse_jobs(const char *cmd, const char *arg, void *dest);
#define CLI_JOBS_OPT(d, h) CLI_CALLBACK('j', "jobs", d, "N", cli_parse_jobs, h)
/* 1 if arg is -h or --help. */
int cli_is_help(const char *arg);

#endif
