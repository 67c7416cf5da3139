/* cmd_report.c - `strata report`: a study's runs grouped (by policy and
 * sweep parameters, or --by), each metric's mean with a confidence interval
 * across seeds, as a table, Markdown or CSV; never averaging different
 * configurations unless --pool says to. */
#include "cli/cli.h"
#include "base/safeout.h"
#include "results/report.h"
#include "results/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 64

typedef struct report_args {
    const char *db, *output;
    char *by, *metrics, *series;   /* in argv, split in place */
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

static int parse_args(int argc, char **argv, report_args *a)
{
    static const char *const formats[] = {"table", "markdown", "csv", "html",
                                          NULL};
    static const st_report_format format_of[] = {
        ST_REPORT_TABLE, ST_REPORT_MARKDOWN, ST_REPORT_CSV, ST_REPORT_HTML};
    static const cli_cmd cmd = {
        .name = "report", .synopsis = "--db FILE [options]",
        .description = "Groups the database's ok runs and prints, per group, "
            "the mean of\neach metric with its 95% confidence interval across "
            "the group's\nruns (Student t): with the default grouping, across "
            "seeds.\n",
        .min_args = 0, .max_args = 0};
    int format = 0;
    cli_opt opts[] = {
        {.kind = CLI_K_STRING, .long_name = "db", .dest = &a->db,
         .argname = "FILE", .required = 1,
         .help = "results database (required)"},
        CLI_STRING(0, "by", &a->by, "A,B,...",
                   "group by these columns: scenario, sweep,\n"
                   "policy, params, seed, config_hash, or a\n"
                   "configuration key (a sweep axis or a --set\n"
                   "path) such as devices.0.workload.slo_ms\n"
                   "(default: one group per configuration, with\n"
                   "the policy and every key that differs as\n"
                   "columns); a grouping that would average\n"
                   "different configurations is refused (exit 2)"),
        CLI_FLAG(0, "pool", &a->o.pool,
                 "allow it: average them anyway (said in the\n"
                 "output, and a configs column counts them)"),
        CLI_STRING(0, "metrics", &a->metrics, "A,B|all",
                   "metrics to show (default: attainment,\n"
                   "accuracy, p95 latency, cost per 1k requests,\n"
                   "offload fraction; all for csv)"),
        CLI_CHOICE(0, "format", &format, "F", formats,
                   "table (default), markdown, csv (one row\n"
                   "per group and metric: n, mean, sd, ci_low,\n"
                   "ci_high, ci_half, configs), or html (one\n"
                   "self-contained page: the table, a figure per\n"
                   "metric, every run's configuration; use -o)"),
        CLI_STRING(0, "timeseries", &a->series, "A,B",
                   "per-slot series (e.g. gain_integral) instead\n"
                   "of metrics: per group, series and slot, the\n"
                   "mean and CI across runs, with the slot's end\n"
                   "time t_s in seconds (csv only)"),
        CLI_DOUBLE(0, "level", &a->o.level, "P", 0, 1,
                   CLI_OPEN_LO | CLI_OPEN_HI,
                   "confidence level (default 0.95)"),
        CLI_STRING('o', "output", &a->output, "FILE",
                   "write to FILE instead of standard output"),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    a->o.format = format_of[format];
    return rc;
}

int cmd_report(int argc, char **argv)
{
    report_args a = {.o = {.format = ST_REPORT_TABLE}};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return cli_done(rc);
    const char *by[MAX_LIST], *metrics[MAX_LIST], *series[MAX_LIST];
    if (a.series && !(a.o.n_series = split(a.series, series, MAX_LIST)))
        return cli_usage_error("report", "--timeseries: expected series"
                               " names");
    a.o.series = series;
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
    st_out out;
    if (st_safe_output_open(&out, a.output ? a.output : "-", &err)) {
        st_store_close(s);
        return cli_input_error(&err);
    }
    rc = st_report_write(s, &a.o, out.f, &err);
    st_store_close(s);
    if (st_safe_output_commit(&out, rc != 0, &err))
        return cli_input_error(&err);
    return EXIT_OK;
}
