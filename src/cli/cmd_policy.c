/* cmd_policy.c - `strata policy`: the placement policies strata knows, the
 * built-ins and those plugins add (list), and every parameter of one with
 * its type, default, range and meaning, from the table the policy
 * validates its parameters with (info). */
#include "cli/cli.h"
#include "policy/plugin.h"
#include "policy/registry.h"

#include <math.h>
#include <string.h>

/* The --plugin option every policy subcommand takes. */
static int parse_plugins(const cli_cmd *cmd, int argc, char **argv,
                         cli_pos *pos)
{
    cli_list plugins = {0};
    cli_opt opts[] = {CLI_PLUGIN_OPT(&plugins), CLI_END};
    int rc = cli_parse(cmd, opts, argc, argv, pos);
    return rc ? rc : cli_load_plugins(&plugins);
}

static int policy_list(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "policy list", .synopsis = "[--plugin FILE]...",
        .description = "Lists every policy a scenario may name: the built-ins, "
            "then those the\nplugins add, each with a line on what it does "
            "and where it comes from.\n",
        .min_args = 0, .max_args = 0};
    cli_pos pos;
    int rc = parse_plugins(&cmd, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    for (size_t i = 0; i < st_policy_count(); i++) {
        const char *file;
        const st_policy_ops *ops = st_policy_at(i);
        printf("%-10s %s\n", ops->name, ops->summary ? ops->summary : "");
        if (st_policy_is_plugin(i, &file))
            printf("%-10s (plugin %s)\n", "", file);
    }
    return EXIT_OK;
}

static const char *type_name(const st_param *d)
{
    switch (d->type) {
    case ST_PARAM_REAL: return "number";
    case ST_PARAM_INT: return d->lo == 0 && d->hi == 1 ? "0|1" : "integer";
    default: return "choice";
    }
}

static void format_default(const st_param *d, char *buf, size_t n)
{
    if (d->type == ST_PARAM_CHOICE)
        snprintf(buf, n, "%s", d->choices[(int)d->def]);
    else if (isnan(d->def))
        snprintf(buf, n, "(computed)");
    else
        snprintf(buf, n, "%g", d->def);
}

static void format_range(const st_param *d, char *buf, size_t n)
{
    if (d->type != ST_PARAM_CHOICE) {
        snprintf(buf, n, "[%g, %g]", d->lo, d->hi);
        return;
    }
    st_error_join(buf, n, d->choices);
    for (char *c = buf; (c = strstr(c, ", ")); c++)
        memmove(c, c + 1, strlen(c + 1) + 1), *c = '|';
}

/* One row per parameter, included tables flattened. */
static void print_params(const st_param *t)
{
    char def[64], range[256];
    for (const st_param *d = t; d && d->name; d++) {
        if (d->type == ST_PARAM_INCLUDE) {
            print_params(d->include);
            continue;
        }
        format_default(d, def, sizeof def);
        format_range(d, range, sizeof range);
        printf("  %-20s %-7s %-13s %-22s %s\n", d->name, type_name(d), def,
               range, d->doc ? d->doc : "");
    }
}

static int policy_info(int argc, char **argv)
{
    static const cli_cmd cmd = {
        .name = "policy info", .synopsis = "NAME [--plugin FILE]...",
        .description = "Prints what the policy does and every parameter it "
            "takes: name, type,\ndefault, allowed range or values, and "
            "meaning.  Give them in a scenario as\n  policy: [{name: NAME, "
            "params: {KEY: VALUE, ...}}]\n",
        .min_args = 1, .max_args = 1, .args_what = "one policy name"};
    cli_pos pos;
    int rc = parse_plugins(&cmd, argc, argv, &pos);
    if (rc)
        return cli_done(rc);
    const st_policy_ops *ops = st_policy_lookup(pos.v[0]);
    if (!ops)
        return cli_usage_error(cmd.name, "unknown policy '%s' (see 'strata "
                               "policy list')", pos.v[0]);
    printf("%s: %s\n\n", ops->name, ops->summary ? ops->summary : "");
    if (!ops->params || !ops->params[0].name) {
        printf("no parameters\n");
        return EXIT_OK;
    }
    printf("  %-20s %-7s %-13s %-22s %s\n", "parameter", "type", "default",
           "range", "meaning");
    print_params(ops->params);
    return EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
    static const cli_sub subs[] = {
        {"list", policy_list, "every policy: built-ins and plugins'"},
        {"info", policy_info, "NAME: a policy's parameters, with type, "
         "default, range and meaning"},
    };
    return cli_dispatch("policy", "Placement policies: what each does and "
                        "the parameters it takes.\n", subs,
                        sizeof subs / sizeof *subs, argc, argv);
}
