/* cmd_trace.c - `strata trace`: look at, synthesise and convert bandwidth
 * traces (info, synth, import).  Argument handling only; the work is done
 * by the trace library (strata/trace.h). */
#include "cli/cli.h"
#include "strata/trace.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char trace_help[] =
    "usage: strata trace <subcommand> [options]\n"
    "\n"
    "Bandwidth traces: piecewise-constant link rates that loop.\n"
    "\n"
    "subcommands:\n"
    "  info FILE...     duration, segments and rate statistics of traces\n"
    "  synth            generate a synthetic trace (Markov-modulated rate)\n"
    "  import FILE      convert a trace to the native format\n"
    "\n"
    "Run 'strata trace <subcommand> --help' for its options.\n";

static const char load_help[] =
    "  --format F, --from F   native | cooked | mahimahi | csv | auto\n"
    "                         (default auto: a CSV header, one integer ms\n"
    "                         column = Mahimahi, or 'time_s mbps' pairs)\n"
    "  --column NAME          CSV throughput column (default: the first\n"
    "                         whose name contains 'throughput' or 'mbps';\n"
    "                         a name ending _mbps/_kbps/_bps sets the unit)\n"
    "  --time-column NAME     CSV time column in seconds (default: rows are\n"
    "                         --step seconds apart)\n"
    "  --step S               CSV row spacing in seconds (default 1)\n"
    "  --bin-ms MS            Mahimahi bin width in ms (default 1)\n";

static const char info_help[] =
    "usage: strata trace info FILE... [options]\n"
    "\n"
    "Prints per file: duration (s), segments, time-weighted mean, min, max\n"
    "and percentiles p5/p25/p50/p75/p95 (Mbit/s), and the share of time at\n"
    "rate zero.\n"
    "\n"
    "options:\n"
    "  --csv                  one CSV row per file (after a header row)\n";

static const char synth_help[] =
    "usage: strata trace synth (--states LIST | --preset NAME) --duration S\n"
    "                          --seed N -o FILE [--jitter SIGMA] [--step S]\n"
    "\n"
    "Markov-modulated rate: each state has a mean rate (Mbit/s) and a mean\n"
    "dwell time (s); a visit lasts an exponential time, then the next state\n"
    "is drawn uniformly among the other states.  The first state is drawn\n"
    "in proportion to dwell times, so the long-run mean is\n"
    "sum(rate * dwell) / sum(dwell).  The rate is sampled every --step\n"
    "seconds and multiplied by lognormal noise of mean 1 (sigma --jitter).\n"
    "\n"
    "options:\n"
    "  --states LIST    MBPS:DWELL_S,MBPS:DWELL_S[,...] (1 to 16 states)\n"
    "  --preset NAME    3g   = 0.4:8,1.5:20,3.5:12  (mean 1.88 Mbit/s)\n"
    "                   lte  = 2:6,12:25,30:15      (mean 16.57 Mbit/s)\n"
    "                   wifi = 5:10,40:40,80:30     (mean 50.63 Mbit/s)\n"
    "                   presets use --jitter 0.3 unless given\n"
    "  --jitter SIGMA   lognormal sigma of per-step noise (default 0)\n"
    "  --step S         output resolution in seconds (default 1)\n"
    "  --duration S     trace length in seconds (required)\n"
    "  --seed N         random seed (required); same seed, same trace\n"
    "  -o, --output F   output file in native format ('-' = stdout)\n";

static const char import_help[] =
    "usage: strata trace import FILE -o OUT [options]\n"
    "\n"
    "Reads a trace in any supported format and writes it in the native\n"
    "format ('time_s mbps' per line, with a '# duration_s:' comment).\n"
    "\n"
    "options:\n"
    "  -o, --output F         output file ('-' = stdout; required)\n";

enum {
    OPT_FORMAT = 256, OPT_COLUMN, OPT_TIME_COLUMN, OPT_STEP, OPT_BIN_MS,
    OPT_CSV, OPT_STATES, OPT_PRESET, OPT_JITTER, OPT_DURATION, OPT_SEED,
    OPT_HELP
};

#define LOAD_OPTIONS                                                  \
    { "format", required_argument, NULL, OPT_FORMAT },                \
    { "from", required_argument, NULL, OPT_FORMAT },                  \
    { "column", required_argument, NULL, OPT_COLUMN },                \
    { "time-column", required_argument, NULL, OPT_TIME_COLUMN },      \
    { "step", required_argument, NULL, OPT_STEP },                    \
    { "bin-ms", required_argument, NULL, OPT_BIN_MS }

/* ---- shared option handling ------------------------------------------- */

/* Reports an option getopt rejected (opterr is off so that the message
 * has our usual form). */
static int bad_option(const char *cmd, int c, char **argv)
{
    int short_opt = optopt > 0 && optopt < 256;
    const char *what = argv[optind - 1];
    if (c == ':' && short_opt)
        return cli_usage_error(cmd, "option '-%c' needs a value", optopt);
    if (c == ':')
        return cli_usage_error(cmd, "option '%s' needs a value", what);
    if (short_opt)
        return cli_usage_error(cmd, "unknown option '-%c'", optopt);
    return cli_usage_error(cmd, "unknown option '%s'", what);
}

static int positive(const char *cmd, const char *opt, const char *s,
                    double *out)
{
    if (cli_parse_double(s, out) < 0 || !(*out > 0))
        return cli_usage_error(cmd, "%s needs a positive number, got '%s'",
                               opt, s);
    return 0;
}

/* Handles one of the LOAD_OPTIONS; 1 if c is not one of them. */
static int load_option(const char *cmd, int c, const char *arg,
                       st_trace_opts *o)
{
    switch (c) {
    case OPT_FORMAT:
        if (st_trace_format_parse(arg, &o->format) < 0)
            return cli_usage_error(cmd, "unknown trace format '%s' (native, "
                                   "cooked, mahimahi, csv or auto)", arg);
        return 0;
    case OPT_COLUMN:
        o->column = arg;
        return 0;
    case OPT_TIME_COLUMN:
        o->time_column = arg;
        return 0;
    case OPT_STEP:
        return positive(cmd, "--step", arg, &o->step_s);
    case OPT_BIN_MS:
        return positive(cmd, "--bin-ms", arg, &o->mahimahi_bin_ms);
    default:
        return 1;
    }
}

static FILE *open_output(const char *path, st_error *err)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        st_error_set(err, "%s: cannot create output file: %s", path,
                     strerror(errno));
    return f;
}

/* Closes the output, reporting write errors (a full disk shows here). */
static int close_output(FILE *f, const char *path, int failed, st_error *err)
{
    int bad = failed || ferror(f);
    if (f == stdout)
        bad |= fflush(f) != 0;
    else
        bad |= fclose(f) != 0;
    if (!bad)
        return 0;
    st_error_set(err, "%s: could not write the trace: %s", path,
                 strerror(errno ? errno : EIO));
    if (f != stdout)
        remove(path);
    return -1;
}

/* ---- info ------------------------------------------------------------- */

static void print_csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void print_stats_csv(const char *path, const st_trace_stats *s)
{
    print_csv_field(path);
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
    static const struct option longopts[] = {
        LOAD_OPTIONS,
        { "csv", no_argument, NULL, OPT_CSV },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "trace info";
    st_trace_opts o = { .format = ST_TRACE_AUTO };
    int csv = 0, c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(info_help, stdout);
            fputs(load_help, stdout);
            return EXIT_OK;
        }
        if (c == OPT_CSV) {
            csv = 1;
            continue;
        }
        if ((rc = load_option(cmd, c, optarg, &o)) == 1)
            return bad_option(cmd, c, argv);
        if (rc)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no trace file given");
    if (csv)
        puts("file,duration_s,segments,mean_mbps,min_mbps,max_mbps,p5_mbps,"
             "p25_mbps,p50_mbps,p75_mbps,p95_mbps,zero_fraction");
    /* Report every file, even after a bad one, but fail overall. */
    int status = EXIT_OK;
    for (int i = optind; i < argc; i++)
        if (info_one(argv[i], &o, csv, i == optind) != EXIT_OK)
            status = EXIT_INPUT;
    return status;
}

/* ---- synth ------------------------------------------------------------ */

static const struct preset {
    const char *name;
    const char *states;
    double jitter;
} presets[] = {
    /* Rough shapes of each technology's throughput (low/typical/good
     * radio conditions), not fits to any one measurement. */
    { "3g", "0.4:8,1.5:20,3.5:12", 0.3 },
    { "lte", "2:6,12:25,30:15", 0.3 },
    { "wifi", "5:10,40:40,80:30", 0.3 },
};

/* Parses "MBPS:DWELL,MBPS:DWELL,..." into o; 0 or -1. */
static int parse_states(const char *s, st_synth_opts *o)
{
    o->states = 0;
    const char *p = s;
    for (;;) {
        char *end;
        if (o->states == 16)
            return -1;
        errno = 0;
        double rate = strtod(p, &end);
        if (end == p || *end != ':' || errno)
            return -1;
        p = end + 1;
        double dwell = strtod(p, &end);
        if (end == p || errno)
            return -1;
        if (!isfinite(rate) || rate < 0 || !isfinite(dwell) || !(dwell > 0))
            return -1;
        o->mbps[o->states] = rate;
        o->dwell_s[o->states] = dwell;
        o->states++;
        if (*end == '\0')
            return 0;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

static const struct preset *find_preset(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(presets[i].name, name) == 0)
            return &presets[i];
    return NULL;
}

static double stationary_mean(const st_synth_opts *o)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < o->states; i++) {
        num += o->mbps[i] * o->dwell_s[i];
        den += o->dwell_s[i];
    }
    return num / den;
}

static void format_states(const st_synth_opts *o, char *out, size_t size)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < o->states && off < size; i++) {
        int w = snprintf(out + off, size - off, "%s%.15g:%.15g",
                         i ? "," : "", o->mbps[i], o->dwell_s[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

/* The '#' header: enough to regenerate the file exactly. */
static void synth_header(FILE *f, const st_synth_opts *o, const char *preset)
{
    char states[1024];
    format_states(o, states, sizeof states);
    fprintf(f, "# generated by strata trace synth: Markov-modulated rate, "
            "exponential dwell times,\n"
            "# next state uniform among the other states, lognormal "
            "per-step jitter of mean 1\n");
    fprintf(f, "# states (Mbit/s:mean dwell s): %s%s%s%s\n", states,
            preset ? " (preset " : "", preset ? preset : "",
            preset ? ")" : "");
    fprintf(f, "# jitter sigma %.15g, step %.15g s, duration %.15g s, "
            "seed %llu\n", o->jitter, o->step_s, o->duration_s,
            (unsigned long long)o->seed);
    fprintf(f, "# stationary mean %.4f Mbit/s\n", stationary_mean(o));
    fprintf(f, "# regenerate: strata trace synth --states %s --jitter %.15g "
            "--step %.15g --duration %.15g --seed %llu -o FILE\n", states,
            o->jitter, o->step_s, o->duration_s,
            (unsigned long long)o->seed);
}

/* Writes tr (which it frees) to out in the native format, after the
 * header the caller prints; a failed write leaves no partial file. */
static int save_native(st_trace *tr, const char *out,
                       void (*header)(FILE *f, const void *ctx),
                       const void *ctx)
{
    st_error err;
    FILE *f = open_output(out, &err);
    if (!f) {
        st_trace_free(tr);
        return cli_input_error(&err);
    }
    header(f, ctx);
    int failed = st_trace_write_native(tr, f) < 0;
    st_trace_free(tr);
    if (close_output(f, out, failed, &err) < 0)
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
    synth_header(f, c->o, c->preset);
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
    int have_jitter, have_duration, have_seed;
} synth_args;

static int synth_option(const char *cmd, int c, const char *arg,
                        st_synth_opts *o, synth_args *a)
{
    unsigned long long seed;
    switch (c) {
    case OPT_STATES:
        a->states = arg;
        return 0;
    case OPT_PRESET:
        a->preset = arg;
        return 0;
    case OPT_JITTER:
        a->have_jitter = 1;
        if (cli_parse_double(arg, &o->jitter) < 0 || o->jitter < 0)
            return cli_usage_error(cmd, "--jitter needs a number >= 0, got "
                                   "'%s'", arg);
        return 0;
    case OPT_STEP:
        return positive(cmd, "--step", arg, &o->step_s);
    case OPT_DURATION:
        a->have_duration = 1;
        return positive(cmd, "--duration", arg, &o->duration_s);
    case OPT_SEED:
        a->have_seed = 1;
        if (cli_parse_u64(arg, &seed) < 0)
            return cli_usage_error(cmd, "--seed needs a whole number >= 0, "
                                   "got '%s'", arg);
        o->seed = seed;
        return 0;
    case 'o':
        a->out = arg;
        return 0;
    default:
        return 1;
    }
}

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
        const struct preset *p = find_preset(a->preset);
        if (!p)
            return cli_usage_error(cmd, "unknown preset '%s' (3g, lte or "
                                   "wifi)", a->preset);
        states = p->states;
        if (!a->have_jitter)
            o->jitter = p->jitter;
    }
    if (parse_states(states, o) < 0)
        return cli_usage_error(cmd, "--states needs MBPS:DWELL_S pairs "
                               "separated by commas (1 to 16, rates >= 0, "
                               "dwell > 0), got '%s'", states);
    if (!a->have_duration)
        return cli_usage_error(cmd, "--duration is required");
    if (!a->have_seed)
        return cli_usage_error(cmd, "--seed is required");
    if (!a->out)
        return cli_usage_error(cmd, "-o FILE is required");
    return 0;
}

static int trace_synth(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "states", required_argument, NULL, OPT_STATES },
        { "preset", required_argument, NULL, OPT_PRESET },
        { "jitter", required_argument, NULL, OPT_JITTER },
        { "step", required_argument, NULL, OPT_STEP },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "seed", required_argument, NULL, OPT_SEED },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "trace synth";
    st_synth_opts o = { .step_s = 1.0 };
    synth_args a = { 0 };
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(synth_help, stdout);
            return EXIT_OK;
        }
        if ((rc = synth_option(cmd, c, optarg, &o, &a)) == 1)
            return bad_option(cmd, c, argv);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = synth_resolve(cmd, &o, &a)) != 0)
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
    static const struct option longopts[] = {
        LOAD_OPTIONS,
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "trace import";
    st_trace_opts o = { .format = ST_TRACE_AUTO };
    const char *out = NULL;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(import_help, stdout);
            fputs(load_help, stdout);
            return EXIT_OK;
        }
        if (c == 'o') {
            out = optarg;
            continue;
        }
        if ((rc = load_option(cmd, c, optarg, &o)) == 1)
            return bad_option(cmd, c, argv);
        if (rc)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no trace file given");
    if (argc - optind > 1)
        return cli_usage_error(cmd, "one trace file at a time, got %d",
                               argc - optind);
    if (!out)
        return cli_usage_error(cmd, "-o OUT is required");
    return import_write(argv[optind], &o, out);
}

/* ---- dispatch --------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("trace", "missing subcommand (info, synth or "
                               "import)");
    const char *sub = argv[1];
    if (cli_is_help(sub)) {
        fputs(trace_help, stdout);
        return EXIT_OK;
    }
    /* Each subcommand parses argv from its own name on. */
    if (strcmp(sub, "info") == 0)
        return trace_info(argc - 1, argv + 1);
    if (strcmp(sub, "synth") == 0)
        return trace_synth(argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0)
        return trace_import(argc - 1, argv + 1);
    return cli_usage_error("trace", "unknown subcommand '%s' (info, synth "
                           "or import)", sub);
}
