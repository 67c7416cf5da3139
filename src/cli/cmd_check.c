/* cmd_check.c - `strata check`: the regression gate.  Runs experiments,
 * compares every group's metrics with an expected file within each row's
 * tolerance, prints what moved and fails; or, with --update, rewrites the
 * expected file and prints what changed. */
#include "cli/cli.h"
#include "study/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_INTERRUPTED 130
#define MAX_EXPERIMENTS 64

typedef struct check_args {
    const char *files[MAX_EXPERIMENTS];
    size_t n_files;
    const char *expect;
    int jobs, update, verbose, quiet;
    cli_list plugins;
} check_args;

/* The cli_parse result. */
static int parse_args(int argc, char **argv, check_args *a)
{
    static const cli_cmd cmd = {
        .name = "check", .synopsis = "EXPERIMENT.yaml... --expect FILE "
            "[options]",
        .description = "The regression gate.  Runs each experiment (a sweep "
            "file: a base\nscenario, grid, policies and seeds) into a "
            "temporary database,\nsummarises every metric per group "
            "(experiment, policy and grid\nvalues) across the seeds - n, mean "
            "and sd - and compares each\nwith its row of the expected file, "
            "within that row's tolerance.\nPrints a table of what moved: "
            "group, metric, expected, got,\ndifference, tolerance and "
            "verdict.\n",
        .min_args = 1, .max_args = MAX_EXPERIMENTS,
        .args_what = "one to 64 experiment files",
        .epilogue = "The expected file: comment lines start with '#'; then "
            "the header\nexperiment,policy,point,metric,n,mean,sd,tolerance "
            "and one row\nper group and metric.  Tolerance per row: exact (or "
            "empty: n,\nmean and sd identical, the default, since the same "
            "seeds and\nbinary give the same numbers), rel:X (|got - expected| "
            "<= X *\n|expected|), abs:X (|got - expected| <= X), or ci / "
            "ci:LEVEL\n(the 95% or LEVEL confidence intervals across seeds "
            "overlap).\nEvery kind also needs the same n.\n\n"
            "exit status: 0 every row within tolerance (or --update wrote "
            "the\nfile), 1 a row moved, is missing or is new, or a run "
            "failed,\n2 bad usage, experiment or expected file, 130 "
            "interrupted.\n"};
    *a = (check_args){0};
    cli_opt opts[] = {
        {.kind = CLI_K_STRING, .long_name = "expect", .dest = &a->expect,
         .argname = "FILE", .required = 1,
         .help = "the expected results (CSV, required; create\n"
                 "it with --update)"},
        CLI_JOBS_OPT(&a->jobs,
                     "worker processes (default: the number of\n"
                     "CPUs); the results do not depend on it"),
        CLI_FLAG(0, "update", &a->update,
                 "rewrite FILE with this run's results, keeping\n"
                 "each row's tolerance, and print what changed\n"
                 "(for a change that is intended)"),
        CLI_FLAG('v', "verbose", &a->verbose,
                 "print every row, not only those that moved"),
        CLI_FLAG('q', "quiet", &a->quiet,
                 "no progress on stderr (shown on a terminal)"),
        CLI_PLUGIN_OPT(&a->plugins),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return rc;
    for (int i = 0; i < pos.n; i++)
        a->files[a->n_files++] = pos.v[i];
    if (!a->jobs)
        a->jobs = cli_default_jobs();
    return cli_load_plugins(&a->plugins);
}

/* The expected rows; with --update a file that does not exist yet is an
 * empty one. */
static int read_expected(const check_args *a, st_check_set *exp,
                         int *existed)
{
    st_error err;
    *existed = access(a->expect, F_OK) == 0;
    if (!*existed && a->update) {
        *exp = (st_check_set){0};
        return EXIT_OK;
    }
    if (st_check_read_expected(a->expect, exp, &err)) {
        if (!*existed)
            st_error_set(&err, "%s does not exist; create it with 'strata"
                         " check ... --expect %s --update'", a->expect,
                         a->expect);
        return cli_input_error(&err);
    }
    return EXIT_OK;
}

static void print_command(FILE *out, const check_args *a)
{
    fprintf(out, "strata check");
    for (size_t i = 0; i < a->n_files; i++)
        fprintf(out, " %s", a->files[i]);
    fprintf(out, " --expect %s --update", a->expect);
}

static int report_failures(const st_check_runinfo *info)
{
    fprintf(stderr, "strata check: %zu of %zu runs failed:\n", info->failed,
            info->runs);
    for (size_t i = 0; i < info->failed; i++)
        fprintf(stderr, "  %s\n", info->failures[i]);
    return EXIT_FAIL;
}

static int gate(const check_args *a, const st_check_result *r)
{
    st_check_print(stdout, r, a->verbose ? ST_CHECK_SHOW_ALL
                                         : ST_CHECK_SHOW_FAILING);
    size_t total = r->ok + r->moved + r->missing;
    if (st_check_passed(r)) {
        printf("ok: all %zu rows within tolerance\n", total);
        return EXIT_OK;
    }
    printf("%sFAIL: %zu of %zu rows moved beyond tolerance, %zu missing from"
           " the run, %zu new\nIf the change is intended, accept it with:\n  ",
           r->n ? "\n" : "", r->moved, total, r->missing, r->added);
    print_command(stdout, a);
    printf("\n");
    return EXIT_FAIL;
}

static int update(const check_args *a, const st_check_set *got,
                  const st_check_set *exp, const st_check_result *r,
                  int existed)
{
    st_error err;
    if (existed && r->changed == 0 && r->moved == 0 && r->missing == 0 &&
        r->added == 0) {
        printf("%s is up to date (%zu rows)\n", a->expect, got->n);
        return EXIT_OK;
    }
    if (existed)
        st_check_print(stdout, r, ST_CHECK_SHOW_CHANGED);
    if (st_check_write_expected(a->expect, got, exp, &err))
        return cli_input_error(&err);
    if (existed)
        printf("\nupdated %s: %zu rows; %zu moved beyond tolerance, %zu"
               " changed within it, %zu added, %zu removed\n", a->expect,
               got->n, r->moved, r->changed, r->added, r->missing);
    else
        printf("wrote %s: %zu rows, every tolerance exact\n", a->expect,
               got->n);
    return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    check_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return cli_done(rc);
    st_check_set exp, got = {0};
    int existed;
    if ((rc = read_expected(&a, &exp, &existed)) != EXIT_OK)
        return rc;
    /* Progress is one self-rewriting line on a terminal; in a CI log it
     * would be dozens of lines saying nothing the summary does not. */
    st_check_opts o = {.jobs = a.jobs, .quiet = a.quiet || !isatty(2)};
    st_check_runinfo info;
    st_error err;
    if (st_check_run(a.files, a.n_files, &o, &got, &info, &err)) {
        rc = cli_input_error(&err);
    } else if (info.interrupted) {
        fprintf(stderr, "strata check: interrupted\n");
        rc = EXIT_INTERRUPTED;
    } else if (info.failed) {
        rc = report_failures(&info);
    } else {
        printf("strata check: %zu runs of %zu experiment%s in %.1f s,"
               " against %s\n\n", info.runs, a.n_files,
               a.n_files == 1 ? "" : "s", info.wall_s, a.expect);
        st_check_result r;
        st_check_compare(&exp, &got, &r);
        rc = a.update ? update(&a, &got, &exp, &r, existed) : gate(&a, &r);
        st_check_result_free(&r);
    }
    st_check_runinfo_free(&info);
    st_check_set_free(&got);
    st_check_set_free(&exp);
    return rc;
}
