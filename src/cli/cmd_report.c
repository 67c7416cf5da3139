/* cmd_report.c - `strata report`: a study's runs grouped (by policy and
 * sweep parameters, or --by), each metric's mean with a confidence interval
 * across seeds, as a table, Markdown or CSV. */
#include "cli/cli.h"
#include "results/report.h"
#include "results/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 64

static void help(void)
{
    printf("usage: strata report --db FILE [options]\n\n"
           "Groups the database's ok runs and prints, per group, the mean of\n"
           "each metric with its 95%% confidence interval across the group's\n"
           "runs (Student t): with the default grouping, across seeds.\n\n"
           "options:\n"
           "  --db FILE          results database (required)\n"
           "  --by A,B,...       group by these columns: policy, scenario,\n"
           "                     seed, params, or a sweep parameter such as\n"
           "                     devices.0.workload.slo_ms (default: policy\n"
           "                     and every sweep parameter)\n"
           "  --metrics A,B|all  metrics to show (default: attainment,\n"
           "                     accuracy, p95 latency, cost per 1k requests,\n"
           "                     offload fraction; all for csv)\n"
           "  --format F         table (default), markdown, or csv (one row\n"
           "                     per group and metric: n, mean, sd, ci_low,\n"
           "                     ci_high, ci_half)\n"
           "  --level P          confidence level (default 0.95)\n"
           "  -o, --output FILE  write to FILE instead of standard output\n"
           "  -h, --help         this help\n");
}

typedef struct report_args {
    const char *db, *output;
    char *by, *metrics;
    st_report_opts o;
} report_args;

/* Splits "a,b" in place. */
static size_t split(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t && n < max;
         t = strtok_r(NULL, ",", &save))
        out[n++] = t;
    return n;
}

static int parse_format(const char *s, st_report_format *f)
{
    static const char *const names[] = {"table", "markdown", "csv"};
    static const st_report_format fmts[] = {ST_REPORT_TABLE,
                                            ST_REPORT_MARKDOWN, ST_REPORT_CSV};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0)
            return *f = fmts[i], 0;
    return -1;
}

static int parse_args(int argc, char **argv, report_args *a)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"by", required_argument, NULL, 'b'},
        {"metrics", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"level", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 'b': a->by = optarg; break;
        case 'm': a->metrics = optarg; break;
        case 'o': a->output = optarg; break;
        case 'f':
            if (parse_format(optarg, &a->o.format))
                return cli_usage_error("report", "--format: expected table,"
                                       " markdown or csv, got '%s'", optarg);
            break;
        case 'l':
            if (cli_parse_double(optarg, &a->o.level) || a->o.level <= 0 ||
                a->o.level >= 1)
                return cli_usage_error("report", "--level: expected a number"
                                       " between 0 and 1, got '%s'", optarg);
            break;
        case 'h': help(); return -1;
        case ':':
            return cli_usage_error("report", "%s needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("report", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("report", "unexpected argument '%s'",
                               argv[optind]);
    if (!a->db)
        return cli_usage_error("report", "--db is required");
    return 0;
}

int cmd_report(int argc, char **argv)
{
    report_args a = {.o = {.format = ST_REPORT_TABLE}};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *by[MAX_LIST], *metrics[MAX_LIST];
    if (a.by && !(a.o.n_by = split(a.by, by, MAX_LIST)))
        return cli_usage_error("report", "--by: expected column names");
    if (a.metrics && strcmp(a.metrics, "all") != 0 &&
        !(a.o.n_metrics = split(a.metrics, metrics, MAX_LIST)))
        return cli_usage_error("report", "--metrics: expected metric names");
    a.o.by = by;
    a.o.metrics = metrics;
    st_error err;
    st_store *s;
    if (st_store_open_readonly(a.db, &s, &err))
        return cli_input_error(&err);
    a.o.all_metrics = a.metrics && strcmp(a.metrics, "all") == 0;
    FILE *out = a.output ? fopen(a.output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "strata: %s: cannot create the report: %s\n",
                a.output, strerror(errno));
        st_store_close(s);
        return EXIT_INPUT;
    }
    rc = st_report_write(s, &a.o, out, &err);
    st_store_close(s);
    if (a.output && fclose(out) != 0 && rc == 0)
        rc = st_error_set(&err, "%s: cannot write the report: %s", a.output,
                          strerror(errno));
    if (rc) {
        if (a.output)
            remove(a.output);
        return cli_input_error(&err);
    }
    return EXIT_OK;
}
