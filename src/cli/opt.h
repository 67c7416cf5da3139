/* opt.h - one declarative table of options per command, in the manner of
 * git's parse-options: each option's long and short name, kind (flag,
 * whole number, number, string, repeatable string, choice, or a callback
 * for the rest), destination, value name and one-line help.  The parser,
 * the usage text of --help and the error messages (uniform, exit 2) all
 * come from the table, so no command hand-writes any of them.
 *
 * Private to the CLI.  Tables are built on the stack of the command, their
 * destinations pointing at the command's own variables:
 *
 *     const char *db = "results.db";
 *     int quiet = 0;
 *     cli_opt opts[] = {
 *         CLI_STRING(0, "db", &db, "FILE", "results database"),
 *         CLI_FLAG('q', "quiet", &quiet, "no progress on stderr"),
 *         CLI_END,
 *     };
 *     static const cli_cmd spec = {"merge", "--db OUT.db [SHARD.db...]", ...};
 *     cli_pos pos;
 *     int rc = cli_parse(&spec, opts, argc, argv, &pos);
 *     if (rc) return cli_done(rc);
 */
#ifndef STRATA_CLI_OPT_H
#define STRATA_CLI_OPT_H

#include <stdio.h>

typedef enum cli_opt_kind {
    CLI_K_END,      /* ends a table */
    CLI_K_GROUP,    /* a heading in the usage text, no option */
    CLI_K_FLAG,     /* int *: set to 1 */
    CLI_K_INT,      /* long *: a whole number in [lo, hi] */
    CLI_K_U64,      /* unsigned long long *: a whole number >= 0 */
    CLI_K_DOUBLE,   /* double *: a finite number in lo..hi (see open) */
    CLI_K_STRING,   /* const char **: the argument itself */
    CLI_K_LIST,     /* cli_list *: every occurrence, in order */
    CLI_K_CHOICE,   /* int *: the index of the argument in choices */
    CLI_K_CALLBACK, /* anything: cb(cmd, arg, dest) checks and stores */
} cli_opt_kind;

/* Interval ends that are excluded, for CLI_K_DOUBLE. */
enum { CLI_OPEN_LO = 1, CLI_OPEN_HI = 2 };

/* The values of a repeatable option. */
#define CLI_LIST_MAX 256
typedef struct cli_list {
    const char *v[CLI_LIST_MAX + 1];   /* NULL after the last */
    size_t n;
} cli_list;

/* Checks and stores arg; 0, or EXIT_INPUT after printing the error (with
 * cli_usage_error, so the message has the usual form). */
typedef int (*cli_opt_cb)(const char *cmd, const char *arg, void *dest);

typedef struct cli_opt {
    cli_opt_kind kind;
    char short_name;          /* 0: none */
    const char *long_name;    /* NULL: none (short only) */
    const char *alias;        /* a second long name, or NULL */
    void *dest;
    const char *argname;      /* value name in the usage text; NULL: none */
    const char *help;         /* '\n' starts a continuation line */
    double lo, hi;            /* CLI_K_INT, CLI_K_DOUBLE */
    int open;                 /* CLI_K_DOUBLE: CLI_OPEN_* bits */
    const char *const *choices;   /* CLI_K_CHOICE, NULL-ended */
    cli_opt_cb cb;            /* CLI_K_CALLBACK */
    int required;             /* missing: "-o FILE is required" */
    int *seen;                /* if set, set to 1 when given */
} cli_opt;

#define CLI_END {.kind = CLI_K_END}
#define CLI_GROUP(title) {.kind = CLI_K_GROUP, .help = (title)}
#define CLI_FLAG(s, l, d, h) \
    {.kind = CLI_K_FLAG, .short_name = (s), .long_name = (l), .dest = (d), \
     .help = (h)}
#define CLI_INT(s, l, d, a, lo_, hi_, h) \
    {.kind = CLI_K_INT, .short_name = (s), .long_name = (l), .dest = (d), \
     .argname = (a), .lo = (lo_), .hi = (hi_), .help = (h)}
#define CLI_U64(s, l, d, a, h) \
    {.kind = CLI_K_U64, .short_name = (s), .long_name = (l), .dest = (d), \
     .argname = (a), .help = (h)}
#define CLI_DOUBLE(s, l, d, a, lo_, hi_, open_, h) \
    {.kind = CLI_K_DOUBLE, .short_name = (s), .long_name = (l), .dest = (d), \
     .argname = (a), .lo = (lo_), .hi = (hi_), .open = (open_), .help = (h)}
#define CLI_STRING(s, l, d, a, h) \
    {.kind = CLI_K_STRING, .short_name = (s), .long_name = (l), .dest = (d), \
     .argname = (a), .help = (h)}
#define CLI_LIST(s, l, d, a, h) \
    {.kind = CLI_K_LIST, .short_name = (s), .long_name = (l), .dest = (d), \
     .argname = (a), .help = (h)}
#define CLI_CHOICE(s, l, d, a, c, h) \
    {.kind = CLI_K_CHOICE, .short_name = (s), .long_name = (l), .dest = (d), \
     .argname = (a), .choices = (c), .help = (h)}
#define CLI_CALLBACK(s, l, d, a, f, h) \
    {.kind = CLI_K_CALLBACK, .short_name = (s), .long_name = (l), \
     .dest = (d), .argname = (a), .cb = (f), .help = (h)}

/* A command: its name as typed after "strata" ("run", "trace synth"), the
 * synopsis after the name, a description printed before the options, how
 * many positional arguments it takes and what they are (for the error),
 * and text or a function for after the options. */
typedef struct cli_cmd {
    const char *name;
    const char *synopsis;
    const char *description;
    int min_args, max_args;   /* max_args < 0: no limit */
    const char *args_what;    /* e.g. "one scenario file" */
    const char *epilogue;
    void (*epilogue_fn)(FILE *out);
} cli_cmd;

/* The positional arguments, in order, after parsing. */
typedef struct cli_pos {
    char **v;
    int n;
} cli_pos;

#define CLI_HELP (-1)

/* Parses argv (argv[0] is the command's name) against opts.  0: go on;
 * CLI_HELP: --help was given and the usage printed on stdout; EXIT_INPUT:
 * a usage error was printed on stderr. */
int cli_parse(const cli_cmd *cmd, const cli_opt *opts, int argc, char **argv,
              cli_pos *pos);
/* What a command returns for a non-zero cli_parse result. */
int cli_done(int parse_rc);
/* Writes the usage text generated from the table. */
void cli_usage(FILE *out, const cli_cmd *cmd, const cli_opt *opts);

/* Manual pages: after cli_man_mode(cmd, summary), --help (cli_usage and
 * cli_dispatch) writes a roff page for `man` instead of the usage text.
 * summary is the one line of the page's NAME section. */
void cli_man_mode(const char *cmd, const char *summary);
int cli_is_man_mode(void);
/* Writes s as roff text, one output line per line, escaped. */
void cli_man_text(FILE *out, const char *s);
/* The page's header (.TH and NAME) for "strata" or "strata-CMD". */
void cli_man_header(FILE *out, const char *page, int section,
                    const char *summary);

/* A command with subcommands ("trace info", "profile import"). */
typedef struct cli_sub {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_sub;

/* Runs the subcommand argv[1] names with argv from its name on, or prints
 * the group's usage (--help: stdout, exit 0; nothing: stderr, exit 2). */
int cli_dispatch(const char *group, const char *description,
                 const cli_sub *subs, size_t n, int argc, char **argv);

#endif
