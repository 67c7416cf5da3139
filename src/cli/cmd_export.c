/* cmd_export.c - `strata export`: a results database as tidy CSV, to a file
 * or to stdout. */
#include "cli/cli.h"
#include "base/safeout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "results/store.h"

typedef struct export_args {
    const char *db;
    const char *out;    /* NULL: stdout */
    st_export_what what;
} export_args;

/* Fills *a from argv; returns the cli_parse result. */
static int parse_args(int argc, char **argv, export_args *a)
{
    static const char *const whats[] = {"runs", "requests", "timeseries",
                                        NULL};
    static const st_export_what what_of[] = {
        ST_EXPORT_RUNS, ST_EXPORT_REQUESTS, ST_EXPORT_TIMESERIES};
    static const cli_cmd cmd = {
        .name = "export", .synopsis = "--db FILE [--csv OUT | -o OUT] "
            "[--what WHAT]",
        .description = "Writes the runs stored in a results database as CSV "
            "with a header row.\n",
        .min_args = 0, .max_args = 0};
    int what = 0;
    *a = (export_args){NULL, NULL, ST_EXPORT_RUNS};
    cli_opt opts[] = {
        {.kind = CLI_K_STRING, .long_name = "db", .dest = &a->db,
         .argname = "FILE", .required = 1,
         .help = "results database written by 'strata run' (required)"},
        CLI_STRING('o', "csv", &a->out, "OUT",
                   "write the CSV to OUT instead of standard output"),
        CLI_CHOICE(0, "what", &what, "WHAT", whats,
                   "runs      one row per run and metric (default)\n"
                   "requests  one row per request (runs stored with\n"
                   "          per-request records only)\n"
                   "timeseries  one row per run, slot and series, from\n"
                   "          policies that record per slot (the IDN\n"
                   "          policies: gain_integral, gain_fractional,\n"
                   "          gain_static, gain_avg_norm, served_<tier>,\n"
                   "          loads, requests)"),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    a->what = what_of[what];
    return rc;
}

/* Writing the CSV over the database would destroy the results. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Exports to the named file; a failed export leaves no partial file. */
static int export_to_file(st_store *s, const export_args *a, st_error *err)
{
    st_out o;
    if (st_safe_output_open(&o, a->out, err))
        return EXIT_INPUT;
    int failed = st_store_export_csv(s, a->what, o.f, err) < 0;
    return st_safe_output_commit(&o, failed, err) ? EXIT_FAIL : EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
    export_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return cli_done(rc);
    if (a.out && same_file(a.db, a.out))
        return cli_usage_error("export", "the CSV output '%s' is the database"
                               " itself", a.out);

    st_error err = {{0}};
    st_store *s;
    if (st_store_open_readonly(a.db, &s, &err) < 0)
        return cli_input_error(&err);
    if (a.what == ST_EXPORT_REQUESTS && st_store_has_requests(s, &err) != 1) {
        st_store_close(s);
        return cli_input_error(&err);
    }
    if (a.out)
        rc = export_to_file(s, &a, &err);
    else
        rc = st_store_export_csv(s, a.what, stdout, &err) < 0 ? EXIT_FAIL
                                                              : EXIT_OK;
    st_store_close(s);
    if (rc != EXIT_OK)
        fprintf(stderr, "strata: %s\n", err.msg);
    return rc;
}
