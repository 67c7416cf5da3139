/* opt.c - the option-table parser (see opt.h): builds getopt_long's tables
 * from a command's cli_opt table, stores each value after checking it,
 * and generates the usage text and every usage error from the same table. */
#include "cli/opt.h"
#include "cli/cli.h"
#include "base/range.h"
#include "base/xalloc.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LONG_BASE 256   /* getopt values of long options: LONG_BASE + index */

static size_t count_opts(const cli_opt *opts)
{
    size_t n = 0;
    while (opts[n].kind != CLI_K_END)
        n++;
    return n;
}

static int takes_value(const cli_opt *o)
{
    return o->kind != CLI_K_FLAG && o->kind != CLI_K_GROUP;
}

/* "-o FILE" or "--db FILE": how an error names the option. */
static void opt_name(const cli_opt *o, char *buf, size_t n)
{
    if (o->long_name)
        snprintf(buf, n, "--%s", o->long_name);
    else
        snprintf(buf, n, "-%c", o->short_name);
}

/* ---- getopt_long's tables ------------------------------------------- */

static void add_long(struct option *lo, size_t *k, const char *name,
                     const cli_opt *o, size_t i)
{
    lo[*k].name = name;
    lo[*k].has_arg = takes_value(o) ? required_argument : no_argument;
    lo[*k].flag = NULL;
    lo[*k].val = (int)(LONG_BASE + i);
    (*k)++;
}

static struct option *long_table(const cli_opt *opts, size_t n)
{
    struct option *lo = st_xcalloc(2 * n + 2, sizeof *lo);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (opts[i].long_name)
            add_long(lo, &k, opts[i].long_name, &opts[i], i);
        if (opts[i].alias)
            add_long(lo, &k, opts[i].alias, &opts[i], i);
    }
    lo[k] = (struct option){"help", no_argument, NULL, 'h'};
    return lo;
}

static char *short_table(const cli_opt *opts, size_t n)
{
    char *s = st_xcalloc(2 * n + 4, 1);
    size_t k = 0;
    s[k++] = ':';
    s[k++] = 'h';
    for (size_t i = 0; i < n; i++) {
        if (!opts[i].short_name)
            continue;
        s[k++] = opts[i].short_name;
        if (takes_value(&opts[i]))
            s[k++] = ':';
    }
    return s;
}

static const cli_opt *find_opt(const cli_opt *opts, size_t n, int c)
{
    if (c >= LONG_BASE)
        return (size_t)(c - LONG_BASE) < n ? &opts[c - LONG_BASE] : NULL;
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name == c)
            return &opts[i];
    return NULL;
}

/* ---- storing one value ---------------------------------------------- */

static int bad_value(const char *cmd, const cli_opt *o, const char *expected,
                     const char *arg)
{
    char name[64];
    opt_name(o, name, sizeof name);
    return cli_usage_error(cmd, "%s: expected %s, got '%s'", name, expected,
                           arg);
}

/* The values an INT or DOUBLE option takes, as the check and the usage
 * text both read them. */
static st_range opt_range(const cli_opt *o)
{
    return (st_range){.kind = o->kind == CLI_K_INT ? ST_RANGE_INTEGER
                                                   : ST_RANGE_NUMBER,
                      .lo = o->lo, .hi = o->hi,
                      .lo_open = (o->open & CLI_OPEN_LO) != 0,
                      .hi_open = (o->open & CLI_OPEN_HI) != 0};
}

/* A number in the option's range (a whole one for INT), or the error. */
static int store_number(const char *cmd, const cli_opt *o, const char *arg)
{
    st_range r = opt_range(o);
    double v;
    char range[96], expected[128];
    if (cli_parse_double(arg, &v) || !st_range_holds(&r, v) ||
        (o->kind == CLI_K_INT && v != floor(v))) {
        snprintf(expected, sizeof expected, "a %s %s",
                 o->kind == CLI_K_INT ? "whole number" : "number",
                 st_range_expected(&r, range, sizeof range));
        return bad_value(cmd, o, expected, arg);
    }
    if (o->kind == CLI_K_INT)
        *(long *)o->dest = (long)v;
    else
        *(double *)o->dest = v;
    return 0;
}

/* "a, b or c" */
static void join_choices(const char *const *c, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; c[i]; i++) {
        const char *sep = i == 0 ? "" : c[i + 1] ? ", " : " or ";
        int w = snprintf(buf + k, n - k, "%s%s", sep, c[i]);
        if (w < 0 || (size_t)w >= n - k)
            return;
        k += (size_t)w;
    }
}

static int store_choice(const char *cmd, const cli_opt *o, const char *arg)
{
    char expected[256];
    for (int i = 0; o->choices[i]; i++)
        if (strcmp(o->choices[i], arg) == 0) {
            *(int *)o->dest = i;
            return 0;
        }
    join_choices(o->choices, expected, sizeof expected);
    return bad_value(cmd, o, expected, arg);
}

static int store_list(const char *cmd, const cli_opt *o, const char *arg)
{
    cli_list *l = o->dest;
    char name[64];
    if (l->n == CLI_LIST_MAX) {
        opt_name(o, name, sizeof name);
        return cli_usage_error(cmd, "at most %d %s options", CLI_LIST_MAX,
                               name);
    }
    l->v[l->n++] = arg;
    l->v[l->n] = NULL;
    return 0;
}

static int store(const char *cmd, const cli_opt *o, const char *arg)
{
    unsigned long long u;
    if (o->seen)
        *o->seen = 1;
    switch (o->kind) {
    case CLI_K_FLAG: *(int *)o->dest = 1; return 0;
    case CLI_K_INT: return store_number(cmd, o, arg);
    case CLI_K_U64:
        if (cli_parse_u64(arg, &u))
            return bad_value(cmd, o, "a non-negative whole number", arg);
        *(unsigned long long *)o->dest = u;
        return 0;
    case CLI_K_DOUBLE: return store_number(cmd, o, arg);
    case CLI_K_STRING: *(const char **)o->dest = arg; return 0;
    case CLI_K_LIST: return store_list(cmd, o, arg);
    case CLI_K_CHOICE: return store_choice(cmd, o, arg);
    case CLI_K_CALLBACK: return o->cb(cmd, arg, o->dest);
    default: return 0;
    }
}

/* ---- errors getopt reports ------------------------------------------ */

static int getopt_error(const char *cmd, int c, char **argv)
{
    int short_opt = optopt > 0 && optopt < LONG_BASE;
    const char *what = argv[optind - 1];
    if (c == ':' && short_opt)
        return cli_usage_error(cmd, "option '-%c' needs a value", optopt);
    if (c == ':')
        return cli_usage_error(cmd, "option '%s' needs a value", what);
    if (short_opt)
        return cli_usage_error(cmd, "unknown option '-%c'", optopt);
    return cli_usage_error(cmd, "unknown option '%s'", what);
}

/* Required options and the number of positional arguments. */
static int check_after(const cli_cmd *cmd, const cli_opt *opts,
                       const unsigned char *given, size_t n, int npos)
{
    for (size_t i = 0; i < n; i++)
        if (opts[i].required && !given[i]) {
            const cli_opt *o = &opts[i];
            if (o->short_name)
                return cli_usage_error(cmd->name, "-%c %s is required",
                                       o->short_name, o->argname);
            return cli_usage_error(cmd->name, "--%s%s%s is required",
                                   o->long_name, o->argname ? " " : "",
                                   o->argname ? o->argname : "");
        }
    if (npos < cmd->min_args || (cmd->max_args >= 0 && npos > cmd->max_args))
        return cli_usage_error(cmd->name, "expected %s, got %d argument%s",
                               cmd->args_what, npos, npos == 1 ? "" : "s");
    return 0;
}

int cli_parse(const cli_cmd *cmd, const cli_opt *opts, int argc, char **argv,
              cli_pos *pos)
{
    size_t n = count_opts(opts);
    struct option *lo = long_table(opts, n);
    char *so = short_table(opts, n);
    unsigned char *given = st_xcalloc(n + 1, 1);
    int c, rc = 0;
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        const cli_opt *o = find_opt(opts, n, c);
        if (c == 'h' && !o) {
            cli_usage(stdout, cmd, opts);
            rc = CLI_HELP;
        } else if (c == ':' || c == '?' || !o) {
            rc = getopt_error(cmd->name, c, argv);
        } else {
            given[o - opts] = 1;
            rc = store(cmd->name, o, optarg);
        }
    }
    pos->v = argv + optind;
    pos->n = argc - optind;
    if (rc == 0 && cmd->max_args == 0 && pos->n > 0)
        rc = cli_usage_error(cmd->name, "unexpected argument '%s'", pos->v[0]);
    if (rc == 0)
        rc = check_after(cmd, opts, given, n, pos->n);
    free(given);
    free(so);
    free(lo);
    return rc;
}

int cli_done(int parse_rc)
{
    return parse_rc == CLI_HELP ? EXIT_OK : parse_rc;
}

/* "N in [1, 1000]", "S > 0": what an INT or DOUBLE option's value may be,
 * from the range it is checked against; 0 (and "") for other options. */
static int range_phrase(const cli_opt *o, char *buf, size_t n)
{
    buf[0] = 0;
    if ((o->kind != CLI_K_INT && o->kind != CLI_K_DOUBLE) ||
        (isinf(o->lo) && isinf(o->hi)))
        return 0;
    st_range r = opt_range(o);
    char range[96];
    snprintf(buf, n, "%s %s", o->argname ? o->argname : "the value",
             st_range_expected(&r, range, sizeof range));
    return 1;
}

/* ---- manual pages ---------------------------------------------------- */

static void left_column(const cli_opt *o, char *buf, size_t n);

static struct {
    int on;
    const char *cmd, *summary;
} man;

void cli_man_mode(const char *cmd, const char *summary)
{
    man.on = 1;
    man.cmd = cmd;
    man.summary = summary;
}

int cli_is_man_mode(void) { return man.on; }

static void man_escape(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);
        else if (i == 0 && (s[i] == '.' || s[i] == '\''))
            fputs("\\&.", out);
        else
            fputc(s[i], out);
    }
}

void cli_man_text(FILE *out, const char *s)
{
    fputs(".nf\n", out);
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        man_escape(out, p, len);
        fputc('\n', out);
        if (!nl)
            break;
        p = nl + 1;
    }
    fputs(".fi\n", out);
}

void cli_man_header(FILE *out, const char *page, int section,
                    const char *summary)
{
    fprintf(out, ".TH \"");
    for (const char *c = page; *c; c++)
        fputc(*c >= 'a' && *c <= 'z' ? *c - 32 : *c, out);
    fprintf(out, "\" %d \"\" \"strata\" \"strata manual\"\n.SH NAME\n",
            section);
    man_escape(out, page, strlen(page));
    fputs(" \\- ", out);
    man_escape(out, summary, strlen(summary));
    fputc('\n', out);
}

/* "\fB\-j\fR, \fB\-\-jobs\fR \fIN\fR" */
static void man_option(FILE *out, const cli_opt *o)
{
    char left[128];
    left_column(o, left, sizeof left);
    fputs(".TP\n\\fB", out);
    man_escape(out, left, strlen(left));
    fputs("\\fR\n", out);
    for (const char *p = o->help ? o->help : ""; *p; p++)
        fputc(*p == '\n' ? ' ' : *p, out);
    char range[128];
    if (range_phrase(o, range, sizeof range)) {
        fputs(" (", out);
        man_escape(out, range, strlen(range));
        fputc(')', out);
    }
    fputc('\n', out);
}

/* The page of one command, or its section when it is a subcommand. */
static void man_usage(FILE *out, const cli_cmd *cmd, const cli_opt *opts)
{
    static const cli_opt help = {.kind = CLI_K_FLAG, .short_name = 'h',
                                 .long_name = "help", .help = "this help"};
    int sub = strchr(cmd->name, ' ') != NULL;
    fprintf(out, sub ? ".SH \"%s\"\n" : ".SH SYNOPSIS\n", cmd->name);
    fputs(".nf\n\\fBstrata ", out);
    man_escape(out, cmd->name, strlen(cmd->name));
    fputs("\\fR ", out);
    man_escape(out, cmd->synopsis, strlen(cmd->synopsis));
    fputs("\n.fi\n", out);
    if (cmd->description) {
        fputs(sub ? ".PP\n" : ".SH DESCRIPTION\n", out);
        cli_man_text(out, cmd->description);
    }
    fputs(sub ? ".PP\nOptions:\n" : ".SH OPTIONS\n", out);
    for (size_t i = 0; opts[i].kind != CLI_K_END; i++) {
        if (opts[i].kind == CLI_K_GROUP) {
            fputs(".PP\n", out);
            cli_man_text(out, opts[i].help);
        } else {
            man_option(out, &opts[i]);
        }
    }
    man_option(out, &help);
    if (cmd->epilogue) {
        fputs(".PP\n", out);
        cli_man_text(out, cmd->epilogue);
    }
    if (cmd->epilogue_fn) {
        fputs(".PP\n.nf\n", out);
        cmd->epilogue_fn(out);
        fputs(".fi\n", out);
    }
}

static void man_page_start(FILE *out, const char *cmd_name)
{
    char page[64];
    snprintf(page, sizeof page, "strata-%s", cmd_name);
    cli_man_header(out, page, 1, man.summary ? man.summary : "");
}

static void man_page_end(FILE *out)
{
    fputs(".SH EXIT STATUS\n0 success, 1 failure (a run failed, a row "
          "moved), 2 bad usage or input (the message names the file and "
          "line).\n.SH SEE ALSO\n\\fBstrata\\fR(1), "
          "\\fBstrata\\-scenario\\fR(5)\n", out);
}

/* ---- usage text ------------------------------------------------------ */

/* The left column of an option's row: "-j, --jobs N". */
static void left_column(const cli_opt *o, char *buf, size_t n)
{
    const char *a = o->argname ? o->argname : "";
    const char *sp = o->argname ? " " : "";
    if (o->short_name && o->long_name)
        snprintf(buf, n, "-%c, --%s%s%s", o->short_name, o->long_name, sp, a);
    else if (o->long_name && o->alias)
        snprintf(buf, n, "--%s%s%s, --%s%s%s", o->long_name, sp, a, o->alias,
                 sp, a);
    else if (o->long_name)
        snprintf(buf, n, "--%s%s%s", o->long_name, sp, a);
    else
        snprintf(buf, n, "-%c%s%s", o->short_name, sp, a);
}

static void print_help_text(FILE *out, const char *help, int width)
{
    for (const char *p = help; *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(out, "%.*s\n", len, p);
        if (!nl)
            break;
        p = nl + 1;
        fprintf(out, "%*s", width, "");
    }
}

void cli_usage(FILE *out, const cli_cmd *cmd, const cli_opt *opts)
{
    if (man.on) {
        int sub = strchr(cmd->name, ' ') != NULL;
        if (!sub)
            man_page_start(out, cmd->name);
        man_usage(out, cmd, opts);
        if (!sub)
            man_page_end(out);
        return;
    }
    static const cli_opt help = {.kind = CLI_K_FLAG, .short_name = 'h',
                                 .long_name = "help", .help = "this help"};
    char left[128];
    int width = (int)strlen("-h, --help");
    for (size_t i = 0; opts[i].kind != CLI_K_END; i++) {
        if (opts[i].kind == CLI_K_GROUP)
            continue;
        left_column(&opts[i], left, sizeof left);
        if ((int)strlen(left) > width)
            width = (int)strlen(left);
    }
    width += 4;   /* two spaces before, two after */
    fprintf(out, "usage: strata %s %s\n", cmd->name, cmd->synopsis);
    if (cmd->description)
        fprintf(out, "\n%s", cmd->description);
    fprintf(out, "\noptions:\n");
    for (size_t i = 0;; i++) {
        const cli_opt *o = opts[i].kind == CLI_K_END ? &help : &opts[i];
        if (o->kind == CLI_K_GROUP) {
            fprintf(out, "\n%s\n", o->help);
            continue;
        }
        left_column(o, left, sizeof left);
        fprintf(out, "  %-*s", width - 2, left);
        print_help_text(out, o->help ? o->help : "", width);
        char range[128];
        if (range_phrase(o, range, sizeof range))
            fprintf(out, "%*s%s\n", width, "", range);
        if (o == &help)
            break;
    }
    if (cmd->epilogue)
        fprintf(out, "\n%s", cmd->epilogue);
    if (cmd->epilogue_fn)
        cmd->epilogue_fn(out);
}

/* ---- subcommand groups ----------------------------------------------- */

static void group_usage(FILE *out, const char *group, const char *description,
                        const cli_sub *subs, size_t n)
{
    fprintf(out, "usage: strata %s <subcommand> [options]\n\n%s\n"
            "subcommands:\n", group, description);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-10s %s\n", subs[i].name, subs[i].summary);
    fprintf(out, "\nRun 'strata %s <subcommand> --help' for its options.\n",
            group);
}

/* A group's page: its subcommands, then each one's section. */
static void man_group(FILE *out, const char *group, const char *description,
                      const cli_sub *subs, size_t n)
{
    man_page_start(out, group);
    fprintf(out, ".SH SYNOPSIS\n\\fBstrata %s\\fR \\fIsubcommand\\fR "
            "[options]\n.SH DESCRIPTION\n", group);
    cli_man_text(out, description);
    fputs(".PP\nSubcommands:\n", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, ".TP\n\\fB%s\\fR\n", subs[i].name);
        man_escape(out, subs[i].summary, strlen(subs[i].summary));
        fputc('\n', out);
    }
    for (size_t i = 0; i < n; i++) {
        char name[32], help[] = "--help";
        char *argv[] = {name, help, NULL};
        snprintf(name, sizeof name, "%s", subs[i].name);
        fflush(out);
        subs[i].fn(2, argv);
    }
    man_page_end(out);
}

static void list_names(const cli_sub *subs, size_t n, char *buf, size_t size)
{
    const char *names[16] = {NULL};
    for (size_t i = 0; i < n && i < 15; i++)
        names[i] = subs[i].name;
    join_choices(names, buf, size);
}

int cli_dispatch(const char *group, const char *description,
                 const cli_sub *subs, size_t n, int argc, char **argv)
{
    char names[256];
    list_names(subs, n, names, sizeof names);
    if (argc < 2) {
        group_usage(stderr, group, description, subs, n);
        return cli_usage_error(group, "missing subcommand (%s)", names);
    }
    if (man.on && cli_is_help(argv[1])) {
        man_group(stdout, group, description, subs, n);
        return EXIT_OK;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        group_usage(stdout, group, description, subs, n);
        return EXIT_OK;
    }
    /* Each subcommand parses argv from its own name on. */
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(argc - 1, argv + 1);
    return cli_usage_error(group, "unknown subcommand '%s' (%s)", argv[1],
                           names);
}
