/* cli.h - the subcommand table's entries and the helpers they share.
 * Private to the CLI: commands parse arguments and call library code. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdio.h>
#include "strata/error.h"

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

/* Prints "strata: <msg>" to stderr and returns EXIT_INPUT. */
int cli_input_error(const st_error *err);
/* Prints "strata <cmd>: <formatted>" plus a pointer to --help; EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parses a whole decimal number / unsigned / positive double; 0 or -1. */
int cli_parse_u64(const char *s, unsigned long long *out);
int cli_parse_double(const char *s, double *out);
/* Loads a scenario with --seed, --set overrides and a --policy list
 * ("a,b", modified in place; NULL keeps the scenario's).  EXIT_OK, or
 * EXIT_INPUT after printing the error. */
struct st_scenario;
int cli_load_scenario(const char *path, const char *seed,
                      const char *const *sets, size_t nsets, char *policies,
                      struct st_scenario **out);
/* Sets up the world and initialises each of the scenario's policies
 * without simulating, so bad policy params are caught before anything
 * runs or is stored.  EXIT_OK, or EXIT_INPUT after printing the error. */
int cli_check_policies(const struct st_scenario *sc);
#define CLI_MAX_JOBS 1024
/* Worker processes by default: the online CPUs. */
int cli_default_jobs(void);
/* Parses --jobs (1..CLI_MAX_JOBS); on error prints a usage error, -1. */
int cli_parse_jobs(const char *cmd, const char *arg, int *out);
/* 1 if arg is -h or --help. */
int cli_is_help(const char *arg);

#endif
