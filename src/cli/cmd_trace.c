/* cmd_trace.c - `strata trace`: look at, synthesise and convert bandwidth
 * traces (info, synth, import).  Argument handling only; the work is done
 * by the trace library (strata/trace.h). */
#include "cli/cli.h"
#include "base/safeout.h"
#include "results/store.h"
#include "strata/trace.h"
#include "trace/presets.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_format(const char *cmd, const char *arg, void *dest)
{
    if (st_trace_format_parse(arg, dest) < 0)
        return cli_usage_error(cmd, "unknown trace format '%s' (native, "
                               "cooked, mahimahi, csv or auto)", arg);
    return 0;
}

/* How a trace file is read, for info and import. */
#define LOAD_OPTS(o)                                                        \
    {.kind = CLI_K_CALLBACK, .long_name = "format", .alias = "from",        \
     .dest = &(o)->format, .argname = "F", .cb = parse_format,              \
     .help = "native | cooked | mahimahi | csv | auto\n"                    \
             "(default auto: a CSV header, one integer ms\n"                \
             "column = Mahimahi, or 'time_s mbps' pairs)"},                 \
    CLI_STRING(0, "column", &(o)->column, "NAME",                           \
               "CSV throughput column (default: the first\n"                \
               "whose name contains 'throughput' or 'mbps';\n"              \
               "a name ending _mbps/_kbps/_bps sets the unit)"),            \
    CLI_STRING(0, "time-column", &(o)->time_column, "NAME",                 \
               "CSV time column in seconds (default: rows are\n"            \
               "--step seconds apart)"),                                    \
    CLI_DOUBLE(0, "step", &(o)->step_s, "S", 0, INFINITY, CLI_OPEN_LO,      \
               "CSV row spacing in seconds (default 1)"),                   \
    CLI_DOUBLE(0, "bin-ms", &(o)->mahimahi_bin_ms, "MS", 0, INFINITY,       \
               CLI_OPEN_LO, "Mahimahi bin width in ms (default 1)")

/* ---- info ------------------------------------------------------------- */

static void print_stats_csv(const char *path, const st_trace_stats *s)
{
    st_csv_put_text(stdout, path, strlen(path));
    printf(",%.9g,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n",
           s->duration_s, s->segments, s->mean_mbps, s->min_mbps,
           s->max_mbps, s->p5_mbps, s->p25_mbps, s->p50_mbps, s->p75_mbps,
           s->p95_mbps, s->zero_fraction);
}

static void print_stats_table(const char *path, const st_trace_stats *s)
{
    printf("%s\n", path);
    printf("  %-15s %12.3f s\n", "duration", s->duration_s);
    printf("  %-15s %12zu\n", "segments", s->segments);
    const struct { const char *name; double v; } rows[] = {
        { "mean", s->mean_mbps }, { "min", s->min_mbps },
        { "max", s->max_mbps },   { "p5", s->p5_mbps },
        { "p25", s->p25_mbps },   { "p50", s->p50_mbps },
        { "p75", s->p75_mbps },   { "p95", s->p95_mbps },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("  %-15s %12.4f Mbit/s\n", rows[i].name, rows[i].v);
    printf("  %-15s %12.4f\n", "zero fraction", s->zero_fraction);
}

static int info_one(const char *path, const st_trace_opts *o, int csv,
                    int first)
{
    st_trace *tr;
    st_error err;
    if (st_trace_load(path, o, &tr, &err) < 0)
        return cli_input_error(&err);
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    st_trace_free(tr);
    if (csv) {
        print_stats_csv(path, &s);
    } else {
        if (!first)
            putchar('\n');
        print_stats_table(path, &s);
    }
    return EXIT_OK;
}

static int trace_info(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "trace info", .synopsis = "FILE... [options]",
        .description = "Prints per file: duration (s), segments, time-weighted "
            "mean, min, max\nand percentiles p5/p25/p50/p75/p95 (Mbit/s), and "
            "the share of time at\nrate zero.\n",
        .min_args = 1, .max_args = -1, .args_what = "one or more trace files"};
    st_trace_opts o = { .format = ST_TRACE_AUTO };
    int csv = 0;
    cli_opt opts[] = {
        CLI_FLAG(0, "csv", &csv, "one CSV row per file (after a header row)"),
        LOAD_OPTS(&o),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    if (csv)
        puts("file,duration_s,segments,mean_mbps,min_mbps,max_mbps,p5_mbps,"
             "p25_mbps,p50_mbps,p75_mbps,p95_mbps,zero_fraction");
    /* Report every file, even after a bad one, but fail overall. */
    int status = EXIT_OK;
    for (int i = 0; i < pos.n; i++)
        if (info_one(pos.v[i], &o, csv, i == 0) != EXIT_OK)
            status = EXIT_INPUT;
    return status;
}

/* ---- synth ------------------------------------------------------------ */

/* Writes tr (which it frees) to out in the native format, after the
 * header the caller prints; a failed write leaves no partial file. */
static int save_native(st_trace *tr, const char *out,
                       void (*header)(FILE *f, const void *ctx),
                       const void *ctx)
{
    st_error err;
    st_out o;
    if (st_safe_output_open(&o, out, &err)) {
        st_trace_free(tr);
        return cli_input_error(&err);
    }
    header(o.f, ctx);
    int failed = st_trace_write_native(tr, o.f) < 0;
    st_trace_free(tr);
    if (failed)
        st_error_set(&err, "%s: could not write the trace", out);
    if (st_safe_output_commit(&o, failed, &err))
        return cli_input_error(&err);
    return EXIT_OK;
}

typedef struct synth_ctx {
    const st_synth_opts *o;
    const char *preset;
} synth_ctx;

static void synth_header_cb(FILE *f, const void *ctx)
{
    const synth_ctx *c = ctx;
    st_synth_write_header(f, c->o, c->preset);
}

static int synth_write(const st_synth_opts *o, const char *preset,
                       const char *out)
{
    st_trace *tr;
    st_error err;
    synth_ctx c = {o, preset};
    if (st_trace_synth(o, &tr, &err) < 0)
        return cli_input_error(&err);
    return save_native(tr, out, synth_header_cb, &c);
}

typedef struct synth_args {
    const char *states, *preset, *out;
    int have_jitter;
} synth_args;

/* Checks the combination of options and fills in the states. */
static int synth_resolve(const char *cmd, st_synth_opts *o,
                         const synth_args *a)
{
    if (a->states && a->preset)
        return cli_usage_error(cmd, "give --states or --preset, not both");
    if (!a->states && !a->preset)
        return cli_usage_error(cmd, "give --states LIST or --preset "
                               "3g|lte|wifi");
    const char *states = a->states;
    if (a->preset) {
        const st_synth_preset *p = st_synth_preset_find(a->preset);
        if (!p)
            return cli_usage_error(cmd, "unknown preset '%s' (3g, lte or "
                                   "wifi)", a->preset);
        states = p->states;
        if (!a->have_jitter)
            o->jitter = p->jitter;
    }
    if (st_synth_parse_states(states, o) < 0)
        return cli_usage_error(cmd, "--states needs MBPS:DWELL_S pairs "
                               "separated by commas (1 to 16, rates >= 0, "
                               "dwell > 0), got '%s'", states);
    return 0;
}

static int trace_synth(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "trace synth",
        .synopsis = "(--states LIST | --preset NAME) --duration S\n"
            "                          --seed N -o FILE [--jitter SIGMA] "
            "[--step S]",
        .description = "Markov-modulated rate: each state has a mean rate "
            "(Mbit/s) and a mean\ndwell time (s); a visit lasts an "
            "exponential time, then the next state\nis drawn uniformly among "
            "the other states.  The first state is drawn\nin proportion to "
            "dwell times, so the long-run mean is\nsum(rate * dwell) / "
            "sum(dwell).  The rate is sampled every --step\nseconds and "
            "multiplied by lognormal noise of mean 1 (sigma --jitter).\n",
        .min_args = 0, .max_args = 0};
    st_synth_opts o = { .step_s = 1.0 };
    synth_args a = { 0 };
    unsigned long long seed = 0;
    cli_opt opts[] = {
        CLI_STRING(0, "states", &a.states, "LIST",
                   "MBPS:DWELL_S,MBPS:DWELL_S[,...] (1 to 16 states)"),
        CLI_STRING(0, "preset", &a.preset, "NAME",
                   "3g   = 0.4:8,1.5:20,3.5:12  (mean 1.88 Mbit/s)\n"
                   "lte  = 2:6,12:25,30:15      (mean 16.57 Mbit/s)\n"
                   "wifi = 5:10,40:40,80:30     (mean 50.63 Mbit/s)\n"
                   "presets use --jitter 0.3 unless given"),
        {.kind = CLI_K_DOUBLE, .long_name = "jitter", .dest = &o.jitter,
         .argname = "SIGMA", .lo = 0, .hi = INFINITY, .seen = &a.have_jitter,
         .help = "lognormal sigma of per-step noise (default 0)"},
        CLI_DOUBLE(0, "step", &o.step_s, "S", 0, INFINITY, CLI_OPEN_LO,
                   "output resolution in seconds (default 1)"),
        {.kind = CLI_K_DOUBLE, .long_name = "duration", .dest = &o.duration_s,
         .argname = "S", .lo = 0, .hi = INFINITY, .open = CLI_OPEN_LO,
         .required = 1, .help = "trace length in seconds (required)"},
        {.kind = CLI_K_U64, .long_name = "seed", .dest = &seed,
         .argname = "N", .required = 1,
         .help = "random seed (required); same seed, same trace"},
        {.kind = CLI_K_STRING, .short_name = 'o', .long_name = "output",
         .dest = &a.out, .argname = "F", .required = 1,
         .help = "output file in native format ('-' = stdout)"},
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    o.seed = seed;
    if ((rc = synth_resolve(cmd.name, &o, &a)) != 0)
        return rc;
    return synth_write(&o, a.preset, a.out);
}

/* ---- import ----------------------------------------------------------- */

static void import_header(FILE *f, const char *in, const st_trace_opts *o)
{
    fprintf(f, "# imported by strata trace import from %s (format %s", in,
            st_trace_format_name(o->format));
    if (o->column)
        fprintf(f, ", column %s", o->column);
    if (o->time_column)
        fprintf(f, ", time column %s", o->time_column);
    if (o->step_s > 0)
        fprintf(f, ", step %.15g s", o->step_s);
    if (o->mahimahi_bin_ms > 0)
        fprintf(f, ", bin %.15g ms", o->mahimahi_bin_ms);
    fprintf(f, ")\n");
}

typedef struct import_ctx {
    const char *in;
    const st_trace_opts *o;
} import_ctx;

static void import_header_cb(FILE *f, const void *ctx)
{
    const import_ctx *c = ctx;
    import_header(f, c->in, c->o);
}

static int import_write(const char *in, const st_trace_opts *o,
                        const char *out)
{
    st_trace *tr;
    st_error err;
    import_ctx c = {in, o};
    if (st_trace_load(in, o, &tr, &err) < 0)
        return cli_input_error(&err);
    return save_native(tr, out, import_header_cb, &c);
}

static int trace_import(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "trace import", .synopsis = "FILE -o OUT [options]",
        .description = "Reads a trace in any supported format and writes it "
            "in the native\nformat ('time_s mbps' per line, with a '# "
            "duration_s:' comment).\n",
        .min_args = 1, .max_args = 1, .args_what = "one trace file"};
    st_trace_opts o = { .format = ST_TRACE_AUTO };
    const char *out = NULL;
    cli_opt opts[] = {
        {.kind = CLI_K_STRING, .short_name = 'o', .long_name = "output",
         .dest = &out, .argname = "F", .required = 1,
         .help = "output file ('-' = stdout; required)"},
        LOAD_OPTS(&o),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    return import_write(pos.v[0], &o, out);
}

/* ---- dispatch --------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
    static const cli_sub subs[] = {
        {"info", trace_info, "duration, segments and rate statistics of traces"},
        {"synth", trace_synth, "generate a synthetic trace (Markov-modulated "
         "rate)"},
        {"import", trace_import, "convert a trace to the native format"},
    };
    return cli_dispatch("trace", "Bandwidth traces: piecewise-constant link "
                        "rates that loop.\n", subs, sizeof subs / sizeof *subs,
                        argc, argv);
}
