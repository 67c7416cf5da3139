/* cmd_profile.c - `strata profile`: import published measurements into a
 * hardware-profile YAML, and tabulate one (import, info).  Argument
 * handling only; the work is done by the profile library
 * (strata/profile.h). */
#include "cli/cli.h"
#include "profile/profile.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char profile_help[] =
    "usage: strata profile <subcommand> [options]\n"
    "\n"
    "Hardware profiles (per device and runtime: execution time, load time,\n"
    "memory; per model: task, accuracy, size) from published measurements.\n"
    "\n"
    "subcommands:\n"
    "  import PATH... -o FILE   convert a public source to a profile YAML\n"
    "  info FILE                table of models x hardware of a profile YAML\n"
    "                           (or of a scenario)\n"
    "\n"
    "Run 'strata profile <subcommand> --help' for its options.\n";

static const char import_help[] =
    "usage: strata profile import --from SOURCE PATH... -o FILE [options]\n"
    "\n"
    "Reads published measurements and writes strata's hardware-profile YAML:\n"
    "top-level 'models' and 'hardware' lists that a scenario merges with\n"
    "'include: [FILE]'.  The source, units and assumptions are written as\n"
    "comments.  Values the source lacks are listed on stderr and in the\n"
    "file, and left out: never invented.\n"
    "\n"
    "sources:\n"
    "  tflite-csv      TensorFlow Lite's hosted-models table (Pixel 3) as CSV:\n"
    "                  model, quantized, size_mb, top1, RUNTIME_ms columns\n"
    "                  (runtimes cpu4, gpu, nnapi; precisions float, quantized)\n"
    "  ai-hub          Qualcomm AI Hub model directories (perf.yaml, info.yaml,\n"
    "                  numerics.yaml), or a directory of them\n"
    "  mlperf-mobile   MLPerf Mobile result JSON, or a directory searched for\n"
    "                  results/**/result(s).json; phones are named by the\n"
    "                  submitter's systems/*.json\n"
    "\n"
    "selection (each may repeat; default all; case does not matter; a name\n"
    "that matches nothing is an error listing what there is):\n"
    "  --device NAME       e.g. \"Samsung Galaxy S24\" (or a chipset name)\n"
    "  --runtime NAME      e.g. tflite, qnn_dlc, onnx, cpu4, nnapi, snpe\n"
    "  --precision NAME    e.g. float, w8a8, quantized\n"
    "  --model NAME        strata's model name or the source's\n"
    "\n"
    "assumptions (none of the sources measures these):\n"
    "  --load-mbps MBPS    load (cold-start) time = base + size / MBPS;\n"
    "                      without it no load times are written\n"
    "  --load-base-ms MS   fixed part of the load time (default 0)\n"
    "  --exec-cv CV        where the source gives no spread, a lognormal with\n"
    "                      sd = CV x mean (default 0: constant times)\n"
    "  --input-bytes N     bytes sent per request (default: not written)\n"
    "  --output-bytes N    bytes returned per request (default: not written)\n"
    "\n"
    "  -o, --output FILE   where to write ('-' = stdout; required)\n"
    "  -q, --quiet         do not list missing values on stderr\n"
    "\n"
    "exit status: 0 written, 2 bad arguments or a bad/partial input file\n"
    "(the message names the file and what is missing).\n";

static const char info_help[] =
    "usage: strata profile info FILE [--what exec|load|memory]\n"
    "\n"
    "Prints a table: one row per model (task, accuracy, size in MB), one\n"
    "column per hardware entry, each cell the mean execution time in ms\n"
    "(or, with --what, the load time in ms or memory in MB); '-' where the\n"
    "hardware has no profile for the model.  FILE is a hardware-profile YAML\n"
    "or a scenario; it is read as a scenario's models and hardware are.\n";

enum {
    OPT_FROM = 256, OPT_DEVICE, OPT_RUNTIME, OPT_PRECISION, OPT_MODEL,
    OPT_LOAD_MBPS, OPT_LOAD_BASE, OPT_EXEC_CV, OPT_INPUT_BYTES,
    OPT_OUTPUT_BYTES, OPT_WHAT
};

/* Reports an option getopt rejected (opterr is off so that the message
 * has our usual form). */
static int bad_option(const char *cmd, int c, char **argv)
{
    const char *what = argv[optind - 1];
    if (c == ':')
        return cli_usage_error(cmd, "option '%s' needs a value", what);
    return cli_usage_error(cmd, "unknown option '%s'", what);
}

static int nonneg(const char *cmd, const char *opt, const char *s, double *out)
{
    if (cli_parse_double(s, out) < 0 || *out < 0)
        return cli_usage_error(cmd, "%s needs a number >= 0, got '%s'", opt, s);
    return 0;
}

/* The command line for the file's header, with the output path reduced to
 * its file name (where it was written is not part of what it says) and
 * without --quiet. */
static char *command_text(int argc, char **argv)
{
    size_t len = 32;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) * 2 + 4;
    char *s = calloc(len, 1);
    if (!s)
        abort();
    strcpy(s, "strata profile");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int is_out = i > 0 && (strcmp(argv[i - 1], "-o") == 0 ||
                               strcmp(argv[i - 1], "--output") == 0);
        if (is_out && strrchr(a, '/'))
            a = strrchr(a, '/') + 1;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            continue;   /* changes nothing in the file */
        strcat(s, " ");
        if (strpbrk(a, " \"'$\\") == NULL && *a) {
            strcat(s, a);
            continue;
        }
        strcat(s, "'");
        for (const char *p = a; *p; p++) {
            if (*p == '\'')
                strcat(s, "'\\''");
            else
                strncat(s, p, 1);
        }
        strcat(s, "'");
    }
    return s;
}

typedef struct import_args {
    const char **lists[4];   /* device, runtime, precision, model */
    size_t n[4];
    const char *out;
    int have_from, quiet;
    st_profile_source from;
    st_profile_assume as;
} import_args;

static int import_option(const char *cmd, int c, const char *arg,
                         import_args *a)
{
    switch (c) {
    case OPT_FROM:
        if (st_profile_source_parse(arg, &a->from))
            return cli_usage_error(cmd, "unknown source '%s' (tflite-csv, "
                                   "ai-hub or mlperf-mobile)", arg);
        a->have_from = 1;
        return 0;
    case OPT_DEVICE: case OPT_RUNTIME: case OPT_PRECISION: case OPT_MODEL: {
        int k = c - OPT_DEVICE;
        a->lists[k][a->n[k]++] = arg;
        return 0;
    }
    case OPT_LOAD_MBPS:
        if (cli_parse_double(arg, &a->as.load_mbps) < 0 || !(a->as.load_mbps > 0))
            return cli_usage_error(cmd, "--load-mbps needs a positive number, "
                                   "got '%s'", arg);
        return 0;
    case OPT_LOAD_BASE:
        return nonneg(cmd, "--load-base-ms", arg, &a->as.load_base_ms);
    case OPT_EXEC_CV:
        return nonneg(cmd, "--exec-cv", arg, &a->as.exec_cv);
    case OPT_INPUT_BYTES:
        return nonneg(cmd, "--input-bytes", arg, &a->as.input_bytes);
    case OPT_OUTPUT_BYTES:
        return nonneg(cmd, "--output-bytes", arg, &a->as.output_bytes);
    case 'o':
        a->out = arg;
        return 0;
    case 'q':
        a->quiet = 1;
        return 0;
    default:
        return 1;
    }
}

static int parse_import(int argc, char **argv, import_args *a, int *help)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"device", required_argument, NULL, OPT_DEVICE},
        {"runtime", required_argument, NULL, OPT_RUNTIME},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"model", required_argument, NULL, OPT_MODEL},
        {"load-mbps", required_argument, NULL, OPT_LOAD_MBPS},
        {"load-base-ms", required_argument, NULL, OPT_LOAD_BASE},
        {"exec-cv", required_argument, NULL, OPT_EXEC_CV},
        {"input-bytes", required_argument, NULL, OPT_INPUT_BYTES},
        {"output-bytes", required_argument, NULL, OPT_OUTPUT_BYTES},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = "profile import";
    int c, rc, have_base = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:q", longopts, NULL)) != -1) {
        if (c == 'h') {
            *help = 1;
            return EXIT_OK;
        }
        have_base |= c == OPT_LOAD_BASE;
        if ((rc = import_option(cmd, c, optarg, a)) == 1)
            return bad_option(cmd, c, argv);
        if (rc)
            return rc;
    }
    if (!a->have_from)
        return cli_usage_error(cmd, "--from SOURCE is required (tflite-csv, "
                               "ai-hub or mlperf-mobile)");
    if (!a->out)
        return cli_usage_error(cmd, "-o FILE is required ('-' for stdout)");
    if (optind >= argc)
        return cli_usage_error(cmd, "no input PATH given");
    if (have_base && !(a->as.load_mbps > 0))
        return cli_usage_error(cmd, "--load-base-ms needs --load-mbps (load "
                               "time = base + size / bandwidth)");
    return EXIT_OK;
}

static void print_missing(const st_profile_set *set)
{
    if (set->n_missing == 0)
        return;
    fprintf(stderr, "strata profile import: %zu value(s) not in the source "
            "(left out, not invented):\n", set->n_missing);
    for (size_t i = 0; i < set->n_missing; i++)
        fprintf(stderr, "  - %s\n", set->missing[i]);
}

/* Writes the whole text at once, so a failed import leaves no file. */
static int write_out(const char *path, const char *text, size_t len)
{
    st_error err;
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        st_error_set(&err, "%s: cannot create output file: %s", path,
                     strerror(errno));
        return cli_input_error(&err);
    }
    int bad = fwrite(text, 1, len, f) != len;
    bad |= f == stdout ? fflush(f) != 0 : fclose(f) != 0;
    if (bad) {
        st_error_set(&err, "%s: could not write: %s", path,
                     strerror(errno ? errno : EIO));
        if (f != stdout)
            remove(path);
        return cli_input_error(&err);
    }
    return EXIT_OK;
}

static int profile_import(int argc, char **argv)
{
    import_args a = {.as = {.input_bytes = -1, .output_bytes = -1}};
    for (int k = 0; k < 4; k++) {
        a.lists[k] = calloc((size_t)argc + 1, sizeof *a.lists[k]);
        if (!a.lists[k])
            abort();
    }
    int help = 0, rc = parse_import(argc, argv, &a, &help);
    if (help)
        fputs(import_help, stdout);
    if (help || rc != EXIT_OK)
        goto done;
    st_profile_select sel = {a.lists[0], a.n[0], a.lists[1], a.n[1],
                             a.lists[2], a.n[2], a.lists[3], a.n[3]};
    st_profile_set set;
    st_error err;
    st_profile_set_init(&set, a.from);
    char *cmdline = command_text(argc, argv);
    a.as.command = cmdline;
    char *text = NULL;
    size_t len = 0;
    if (st_profile_import(&set, (const char *const *)argv + optind,
                          (size_t)(argc - optind), &sel, &err)) {
        rc = cli_input_error(&err);
    } else {
        FILE *mem = open_memstream(&text, &len);
        if (!mem)
            abort();
        int wrc = st_profile_write(&set, &a.as, mem, &err);
        fclose(mem);
        if (!a.quiet)
            print_missing(&set);
        rc = wrc ? cli_input_error(&err) : write_out(a.out, text, len);
    }
    free(text);
    free(cmdline);
    st_profile_set_free(&set);
done:
    for (int k = 0; k < 4; k++)
        free(a.lists[k]);
    return rc;
}

static int profile_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"what", required_argument, NULL, OPT_WHAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const fields[] = {"exec", "load", "memory"};
    const char *cmd = "profile info";
    st_profile_field field = ST_PROFILE_EXEC;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(info_help, stdout);
            return EXIT_OK;
        }
        if (c != OPT_WHAT)
            return bad_option(cmd, c, argv);
        int k = 0;
        while (k < 3 && strcmp(optarg, fields[k]) != 0)
            k++;
        if (k == 3)
            return cli_usage_error(cmd, "--what: expected exec, load or "
                                   "memory, got '%s'", optarg);
        field = (st_profile_field)k;
    }
    if (optind != argc - 1)
        return cli_usage_error(cmd, "expected exactly one FILE");
    st_error err;
    if (st_profile_info(argv[optind], field, stdout, &err))
        return cli_input_error(&err);
    return EXIT_OK;
}

int cmd_profile(int argc, char **argv)
{
    if (argc < 2) {
        fputs(profile_help, stderr);
        return EXIT_INPUT;
    }
    if (cli_is_help(argv[1])) {
        fputs(profile_help, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "import") == 0)
        return profile_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0)
        return profile_info(argc - 1, argv + 1);
    return cli_usage_error("profile", "unknown subcommand '%s' (import or "
                           "info)", argv[1]);
}
