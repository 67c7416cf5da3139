/* cmd_export.c - `strata export`: a results database as tidy CSV, to a file
 * or to stdout. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "results/store.h"

static const char usage[] =
    "usage: strata export --db FILE [--csv OUT | -o OUT] [--what WHAT]\n"
    "\n"
    "Writes the runs stored in a results database as CSV with a header row.\n"
    "\n"
    "  --db FILE       results database written by 'strata run' (required)\n"
    "  --csv, -o OUT   write the CSV to OUT instead of standard output\n"
    "  --what WHAT     runs      one row per run and metric (default)\n"
    "                  requests  one row per request (runs stored with\n"
    "                            per-request records only)\n"
    "                  timeseries  one row per run, slot and series, from\n"
    "                            policies that record per slot (the IDN\n"
    "                            policies: gain_integral, gain_fractional,\n"
    "                            gain_static, gain_avg_norm, served_<tier>,\n"
    "                            loads, requests)\n"
    "  -h, --help      show this help\n";

typedef struct export_args {
    const char *db;
    const char *out;    /* NULL: stdout */
    st_export_what what;
} export_args;

/* Fills *a from argv; returns -1 after --help, EXIT_INPUT on a usage error,
 * 0 to go on. */
static int parse_args(int argc, char **argv, export_args *a)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"csv", required_argument, NULL, 'o'},
        {"what", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *a = (export_args){NULL, NULL, ST_EXPORT_RUNS};
    optind = 1;
    opterr = 0;     /* we word the errors ourselves */
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return -1;
        case 'd':
            a->db = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'w':
            if (strcmp(optarg, "runs") == 0)
                a->what = ST_EXPORT_RUNS;
            else if (strcmp(optarg, "requests") == 0)
                a->what = ST_EXPORT_REQUESTS;
            else if (strcmp(optarg, "timeseries") == 0)
                a->what = ST_EXPORT_TIMESERIES;
            else
                return cli_usage_error("export", "--what must be 'runs',"
                                       " 'requests' or 'timeseries', not"
                                       " '%s'", optarg);
            break;
        case ':':
            return cli_usage_error("export", "%s needs a value",
                                   argv[optind - 1]);
        default:
            /* optopt names a bad short option; a bad long one is the
             * argument just consumed. */
            if (optopt)
                return cli_usage_error("export", "unknown option '-%c'",
                                       optopt);
            return cli_usage_error("export", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("export", "unexpected argument '%s'",
                               argv[optind]);
    if (!a->db)
        return cli_usage_error("export", "--db is required");
    return 0;
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
    FILE *f = fopen(a->out, "w");
    if (!f) {
        st_error_set(err, "%s: cannot create the CSV file: %s", a->out,
                     strerror(errno));
        return EXIT_INPUT;
    }
    int failed = st_store_export_csv(s, a->what, f, err) < 0;
    if (fclose(f) != 0 && !failed) {
        st_error_set(err, "%s: cannot write the CSV file: %s", a->out,
                     strerror(errno));
        failed = 1;
    }
    if (failed) {
        remove(a->out);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
    export_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    if (a.out && same_file(a.db, a.out))
        return cli_usage_error("export", "the CSV output '%s' is the database"
                               " itself", a.out);

    st_error err = {{0}};
    st_store *s;
    if (st_store_open_readonly(a.db, &s, &err) < 0)
        return cli_input_error(&err);
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
