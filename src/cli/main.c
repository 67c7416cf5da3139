/* main.c - the `strata` binary: a table of subcommands, git-style.  Each
 * command lives in its own file and calls library code. */
#include "cli/cli.h"
#include "strata_config.h"

#include <string.h>

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", cmd_run, "simulate a scenario with one or more policies"},
    {"validate", cmd_validate, "check a scenario without running it"},
    {"export", cmd_export, "write results as tidy CSV"},
    {"trace", cmd_trace, "bandwidth trace tools: info, synth, import"},
    {"sweep", cmd_sweep, "run a parameter sweep (resumable; workers or MPI)"},
    {"report", cmd_report, "compare a study's runs: means with 95% CIs"},
    {"merge", cmd_merge, "combine result databases (sweep shards)"},
    {"capacity", cmd_capacity, "find the highest rate that meets an SLO target"},
    {"profile", cmd_profile, "hardware profiles: import published measurements, info"},
    {"check", cmd_check, "regression gate: fail when results move beyond tolerance"},
    {"policy", cmd_policy, "the placement policies and their parameters: list, info"},
};

#define NCMD (sizeof commands / sizeof *commands)

static void usage(FILE *f)
{
    fprintf(f, "usage: strata <command> [options]\n"
               "       strata --version | --help\n"
               "       strata --man [COMMAND]        (a manual page, roff)\n"
               "       strata --reference md|man|policies  (the file formats' "
               "reference)\n\n"
               "strata simulates where machine-learning inference should run "
               "(device, edge, cloud)\nby replaying bandwidth traces through "
               "placement policies.\n\ncommands:\n");
    for (size_t i = 0; i < NCMD; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'strata <command> --help' describes each command.\n"
               "exit status: 0 ok, 1 failure (e.g. a regression), 2 bad usage "
               "or input.\n");
}

/* strata(1): the commands, the environment, the other pages. */
static void main_page(void)
{
    cli_man_header(stdout, "strata", 1, "simulate where machine-learning "
                   "inference should run");
    printf(".SH SYNOPSIS\n\\fBstrata\\fR \\fIcommand\\fR [options]\n"
           ".SH DESCRIPTION\n");
    cli_man_text(stdout, "strata is a trace-driven discrete-event simulator "
                 "for placing ML inference\non phone, edge and cloud: it "
                 "replays bandwidth traces and device profiles\nthrough "
                 "placement policies and stores every run in SQLite.\n");
    printf(".SH COMMANDS\n");
    for (size_t i = 0; i < NCMD; i++)
        printf(".TP\n\\fBstrata\\-%s\\fR(1)\n%s\n", commands[i].name,
               commands[i].summary);
    printf(".SH ENVIRONMENT\n.TP\n\\fBSTRATA_DATA\\fR\nreplaces "
           "${STRATA_DATA} at the start of a scenario's file paths\n"
           ".TP\n\\fBSTRATA_PLUGIN_PATH\\fR\npolicy plugins to load: "
           "files, or directories whose *.so files are all loaded, separated "
           "by colons\n.SH EXIT STATUS\n0 success, 1 failure, 2 bad usage or "
           "input.\n.SH SEE ALSO\n\\fBstrata\\-scenario\\fR(5)\n");
}

/* `strata --man [CMD]`: the manual page of strata or of one command, from
 * the same tables as --help (the build writes the installed pages so). */
static int man(int argc, char **argv)
{
    if (argc < 3) {
        main_page();
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCMD; i++)
        if (strcmp(argv[2], commands[i].name) == 0) {
            char help[] = "--help";
            char *args[] = {argv[2], help, NULL};
            cli_man_mode(commands[i].name, commands[i].summary);
            return commands[i].fn(2, args);
        }
    fprintf(stderr, "strata: --man: unknown command '%s'\n", argv[2]);
    return EXIT_INPUT;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--man") == 0)
        return man(argc, argv);
    if (strcmp(argv[1], "--reference") == 0)
        return cli_reference(argc, argv);
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("strata %s\n", STRATA_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCMD; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "strata: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_INPUT;
}
