/* cmd_profile.c - `strata profile`: import published measurements into a
 * hardware-profile YAML, and tabulate one (import, info).  Argument
 * handling only; the work is done by the profile library
 * (strata/profile.h). */
#include "cli/cli.h"
#include "base/safeout.h"
#include "base/xalloc.h"
#include "profile/profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The command line for the file's header, with the output path reduced to
 * its file name (where it was written is not part of what it says) and
 * without --quiet. */
static char *command_text(int argc, char **argv)
{
    size_t len = 32;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) * 2 + 4;
    char *s = st_xcalloc(len, 1);
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
    cli_list lists[4];   /* device, runtime, precision, model */
    const char *out;
    int quiet, have_base;
    st_profile_source from;
    st_profile_assume as;
} import_args;

static int parse_source(const char *cmd, const char *arg, void *dest)
{
    if (st_profile_source_parse(arg, dest))
        return cli_usage_error(cmd, "unknown source '%s' (tflite-csv, "
                               "ai-hub or mlperf-mobile)", arg);
    return 0;
}

#define NONNEG(name, field, arg, help)                                      \
    CLI_DOUBLE(0, name, &a->as.field, arg, 0, INFINITY, 0, help)

/* The cli_parse result; then the checks across options. */
static int parse_import(int argc, char **argv, import_args *a, cli_pos *pos)
{
    static const cli_cmd cmd = {
        .name = "profile import",
        .synopsis = "--from SOURCE PATH... -o FILE [options]",
        .description = "Reads published measurements and writes strata's "
            "hardware-profile YAML:\ntop-level 'models' and 'hardware' lists "
            "that a scenario merges with\n'include: [FILE]'.  The source, "
            "units and assumptions are written as\ncomments.  Values the "
            "source lacks are listed on stderr and in the\nfile, and left "
            "out: never invented.\n\n"
            "sources:\n"
            "  tflite-csv      TensorFlow Lite's hosted-models table (Pixel 3) "
            "as CSV:\n                  model, quantized, size_mb, top1, "
            "RUNTIME_ms columns\n                  (runtimes cpu4, gpu, "
            "nnapi; precisions float, quantized)\n"
            "  ai-hub          Qualcomm AI Hub model directories (perf.yaml, "
            "info.yaml,\n                  numerics.yaml), or a directory of "
            "them\n"
            "  mlperf-mobile   MLPerf Mobile result JSON, or a directory "
            "searched for\n                  results/**/result(s).json; "
            "phones are named by the\n                  submitter's "
            "systems/*.json\n",
        .min_args = 1, .max_args = -1, .args_what = "one or more input PATHs",
        .epilogue = "exit status: 0 written, 2 bad arguments or a "
            "bad/partial input file\n(the message names the file and what is "
            "missing).\n"};
    cli_opt opts[] = {
        {.kind = CLI_K_CALLBACK, .long_name = "from", .dest = &a->from,
         .argname = "SOURCE", .cb = parse_source, .required = 1,
         .help = "tflite-csv, ai-hub or mlperf-mobile (required)"},
        {.kind = CLI_K_STRING, .short_name = 'o', .long_name = "output",
         .dest = &a->out, .argname = "FILE", .required = 1,
         .help = "where to write ('-' = stdout; required)"},
        CLI_FLAG('q', "quiet", &a->quiet,
                 "do not list missing values on stderr"),
        CLI_GROUP("selection (each may repeat; default all; case does not "
                  "matter; a name\nthat matches nothing is an error listing "
                  "what there is):"),
        CLI_LIST(0, "device", &a->lists[0], "NAME",
                 "e.g. \"Samsung Galaxy S24\" (or a chipset name)"),
        CLI_LIST(0, "runtime", &a->lists[1], "NAME",
                 "e.g. tflite, qnn_dlc, onnx, cpu4, nnapi, snpe"),
        CLI_LIST(0, "precision", &a->lists[2], "NAME",
                 "e.g. float, w8a8, quantized"),
        CLI_LIST(0, "model", &a->lists[3], "NAME",
                 "strata's model name or the source's"),
        CLI_GROUP("assumptions (none of the sources measures these):"),
        CLI_DOUBLE(0, "load-mbps", &a->as.load_mbps, "MBPS", 0, INFINITY,
                   CLI_OPEN_LO, "load (cold-start) time = base + size / "
                   "MBPS;\nwithout it no load times are written"),
        {.kind = CLI_K_DOUBLE, .long_name = "load-base-ms",
         .dest = &a->as.load_base_ms, .argname = "MS", .lo = 0,
         .hi = INFINITY, .seen = &a->have_base,
         .help = "fixed part of the load time (default 0)"},
        NONNEG("exec-cv", exec_cv, "CV", "where the source gives no spread, "
               "a lognormal with\nsd = CV x mean (default 0: constant "
               "times)"),
        NONNEG("input-bytes", input_bytes, "N",
               "bytes sent per request (default: not written)"),
        NONNEG("output-bytes", output_bytes, "N",
               "bytes returned per request (default: not written)"),
        CLI_END};
    int rc = cli_parse(&cmd, opts, argc, argv, pos);
    if (rc)
        return rc;
    if (a->have_base && !(a->as.load_mbps > 0))
        return cli_usage_error(cmd.name, "--load-base-ms needs --load-mbps "
                               "(load time = base + size / bandwidth)");
    return 0;
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
    if (st_safe_output_write(path, text, len, &err))
        return cli_input_error(&err);
    return EXIT_OK;
}

static int profile_import(int argc, char **argv)
{
    import_args a = {.as = {.input_bytes = -1, .output_bytes = -1}};
    cli_pos pos;
    int rc = parse_import(argc, argv, &a, &pos);
    if (rc)
        return cli_done(rc);
    st_profile_select sel = {a.lists[0].v, a.lists[0].n, a.lists[1].v,
                             a.lists[1].n, a.lists[2].v, a.lists[2].n,
                             a.lists[3].v, a.lists[3].n};
    st_profile_set set;
    st_error err;
    st_profile_set_init(&set, a.from);
    char *cmdline = command_text(argc, argv);
    a.as.command = cmdline;
    char *text = NULL;
    size_t len = 0;
    if (st_profile_import(&set, (const char *const *)pos.v, (size_t)pos.n,
                          &sel, &err)) {
        rc = cli_input_error(&err);
    } else {
        FILE *mem = open_memstream(&text, &len);
        if (!mem)
            st_oom("the profile text");
        int wrc = st_profile_write(&set, &a.as, mem, &err);
        fclose(mem);
        if (!a.quiet)
            print_missing(&set);
        rc = wrc ? cli_input_error(&err) : write_out(a.out, text, len);
    }
    free(text);
    free(cmdline);
    st_profile_set_free(&set);
    return rc;
}

static int profile_info(int argc, char **argv)
{
    static const char *const fields[] = {"exec", "load", "memory", NULL};
    static const st_profile_field field_of[] = {
        ST_PROFILE_EXEC, ST_PROFILE_LOAD, ST_PROFILE_MEMORY};
    static const cli_cmd cmd = {
        .name = "profile info", .synopsis = "FILE [--what exec|load|memory]",
        .description = "Prints a table: one row per model (task, accuracy, "
            "size in MB), one\ncolumn per hardware entry, each cell the mean "
            "execution time in ms\n(or, with --what, the load time in ms or "
            "memory in MB); '-' where the\nhardware has no profile for the "
            "model.  FILE is a hardware-profile YAML\nor a scenario; it is "
            "read as a scenario's models and hardware are.\n",
        .min_args = 1, .max_args = 1, .args_what = "exactly one FILE"};
    int what = 0;
    cli_opt opts[] = {
        CLI_CHOICE(0, "what", &what, "W", fields,
                   "exec (default), load or memory"),
        CLI_END};
    cli_pos pos;
    int rc = cli_parse(&cmd, opts, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    st_error err;
    if (st_profile_info(pos.v[0], field_of[what], stdout, &err))
        return cli_input_error(&err);
    return EXIT_OK;
}

int cmd_profile(int argc, char **argv)
{
    static const cli_sub subs[] = {
        {"import", profile_import, "PATH... -o FILE: convert a public source "
         "to a profile YAML"},
        {"info", profile_info, "FILE: table of models x hardware of a profile "
         "YAML (or of a scenario)"},
    };
    return cli_dispatch("profile", "Hardware profiles (per device and runtime: "
                        "execution time, load time,\nmemory; per model: task, "
                        "accuracy, size) from published measurements.\n",
                        subs, sizeof subs / sizeof *subs, argc, argv);
}
