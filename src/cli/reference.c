/* reference.c - `strata --reference md|man`: the reference of the scenario
 * and sweep file formats, written from the readers' own key tables, as
 * docs/scenario.md (checked in; a test fails when it is stale) or as the
 * strata-scenario(5) manual page the build installs. */
#include "cli/cli.h"
#include "config/keys.h"
#include "study/sweep.h"

#include <string.h>

static const cfg_ref_section sweep_section[] = {
    {"(a sweep file)", "`strata sweep` and `strata check` read a sweep file: "
     "a base scenario and what to vary.", st_sweep_keys},
};

static const char intro[] =
    "Every key a scenario or sweep file may hold, with its type, unit, "
    "default, allowed\nvalues and meaning. Units are in the keys (`slo_ms`) "
    "or the values (`\"250 ms\"`).\nUnknown keys, wrong types and dangling "
    "names are errors naming file:line:col;\n`strata validate FILE` checks "
    "a scenario without running it. A file path may\nstart with "
    "`${STRATA_DATA}/` (the environment variable); other relative paths\n"
    "resolve against the file's directory. Default `-`: optional, absent "
    "means none.\n";

static void write_md(FILE *out, const cfg_ref_section *sc, size_t n)
{
    fprintf(out, "# Scenario and sweep files: every key\n\n<!-- Generated "
            "by `strata --reference md` from the readers' key tables; do "
            "not edit. -->\n\n%s\n", intro);
    cfg_ref_write(out, sc, n, 0);
    fprintf(out, "# Sweep files\n\n");
    cfg_ref_write(out, sweep_section, 1, 0);
}

static void write_man(FILE *out, const cfg_ref_section *sc, size_t n)
{
    cli_man_header(out, "strata-scenario", 5, "the scenario and sweep files "
                   "strata reads");
    fputs(".SH DESCRIPTION\n", out);
    cli_man_text(out, intro);
    fputs(".SH SCENARIO FILES\n", out);
    cfg_ref_write(out, sc, n, 1);
    fputs(".SH SWEEP FILES\n", out);
    cfg_ref_write(out, sweep_section, 1, 1);
    fputs(".SH SEE ALSO\n\\fBstrata\\fR(1), \\fBstrata\\-run\\fR(1), "
          "\\fBstrata\\-sweep\\fR(1), \\fBstrata\\-policy\\fR(1)\n", out);
}

int cli_reference(int argc, char **argv)
{
    size_t n;
    const cfg_ref_section *sc = conf_reference(&n);
    const char *fmt = argc > 2 ? argv[2] : "md";
    if (strcmp(fmt, "md") == 0)
        write_md(stdout, sc, n);
    else if (strcmp(fmt, "man") == 0)
        write_man(stdout, sc, n);
    else if (strcmp(fmt, "policies") == 0)
        cli_policy_reference(stdout);
    else
        return cli_usage_error("--reference", "expected md, man or policies, "
                               "got '%s'",
                               fmt);
    return EXIT_OK;
}
