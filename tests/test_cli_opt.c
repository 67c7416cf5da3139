/* test_cli_opt.c - the CLI's option tables (src/cli/opt.c): each kind of
 * option stores what it should, positional arguments keep their order
 * around options, every bad value, unknown option, missing value, missing
 * required option and wrong number of arguments is a usage error (exit 2),
 * --help is recognised, and the usage text is generated from the table,
 * a number's range in it the one its value is checked against. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "cli/cli.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

typedef struct vals {
    int flag, colour, seen_rate;
    long count;
    unsigned long long seed;
    double rate;
    const char *out;
    cli_list sets;
} vals;

static const cli_cmd cmd = {
    .name = "t", .synopsis = "FILE... [options]", .description = "A test.\n",
    .min_args = 1, .max_args = 2, .args_what = "one or two files"};

/* argv from a space-separated line (writable copies kept in buf). */
static int split(char *line, char **argv)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, " ", &save); t;
         t = strtok_r(NULL, " ", &save))
        argv[n++] = t;
    argv[n] = NULL;
    return n;
}

static int parse(const char *line, vals *v, cli_pos *pos)
{
    static char buf[512];
    static char *argv[64];
    snprintf(buf, sizeof buf, "t %s", line);
    int argc = split(buf, argv);
    *v = (vals){.count = 7, .rate = 0.5};
    cli_opt opts[] = {
        CLI_FLAG('f', "flag", &v->flag, "a flag"),
        CLI_INT('n', "count", &v->count, "N", 1, 10, "a count"),
        CLI_U64(0, "seed", &v->seed, "N", "a seed"),
        {.kind = CLI_K_DOUBLE, .long_name = "rate", .dest = &v->rate,
         .argname = "R", .lo = 0, .hi = 1, .open = CLI_OPEN_LO,
         .seen = &v->seen_rate, .help = "a rate"},
        CLI_GROUP("more:"),
        {.kind = CLI_K_STRING, .short_name = 'o', .long_name = "output",
         .alias = "out", .dest = &v->out, .argname = "F", .required = 1,
         .help = "where\nto write"},
        CLI_LIST(0, "set", &v->sets, "K=V", "repeatable"),
        CLI_CHOICE(0, "colour", &v->colour, "C", colours, "a colour"),
        CLI_END};
    return cli_parse(&cmd, opts, argc, argv, pos);
}

static void stores_each_kind(void **state)
{
    (void)state;
    vals v;
    cli_pos pos;
    assert_int_equal(parse("a.yaml -f -n 3 --seed 42 --rate 1 --set x=1 "
                           "--out o.txt b.yaml --set y=2 --colour blue", &v,
                           &pos), 0);
    assert_int_equal(v.flag, 1);
    assert_int_equal(v.count, 3);
    assert_true(v.seed == 42);
    assert_true(v.rate == 1 && v.seen_rate);
    assert_string_equal(v.out, "o.txt");
    assert_int_equal(v.sets.n, 2);
    assert_string_equal(v.sets.v[0], "x=1");
    assert_string_equal(v.sets.v[1], "y=2");
    assert_null(v.sets.v[2]);
    assert_int_equal(v.colour, 2);
    assert_int_equal(pos.n, 2);
    assert_string_equal(pos.v[0], "a.yaml");
    assert_string_equal(pos.v[1], "b.yaml");
}

static void keeps_defaults(void **state)
{
    (void)state;
    vals v;
    cli_pos pos;
    assert_int_equal(parse("-o x a", &v, &pos), 0);
    assert_int_equal(v.count, 7);
    assert_true(v.rate == 0.5 && !v.seen_rate);
    assert_int_equal(v.flag, 0);
    assert_int_equal(v.sets.n, 0);
}

static void refuses_bad_input(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "-o x a -n 11",            /* out of range */
        "-o x a -n 2.5",           /* not whole */
        "-o x a --rate 0",         /* open lower end */
        "-o x a --rate nan",
        "-o x a --seed -1",
        "-o x a --colour pink",
        "-o x a --frobnicate",     /* unknown long */
        "-o x a -Z",               /* unknown short */
        "-o x a --count",          /* missing value */
        "a",                       /* required option missing */
        "-o x",                    /* too few arguments */
        "-o x a b c",              /* too many */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        vals v;
        cli_pos pos;
        int rc = parse(bad[i], &v, &pos);
        if (rc != EXIT_INPUT)
            fail_msg("'%s' gave %d, not a usage error", bad[i], rc);
    }
}

static void help_is_generated(void **state)
{
    (void)state;
    vals v;
    cli_pos pos;
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");
    int rc = parse("--help", &v, &pos);
    fclose(stdout);
    stdout = saved;
    assert_int_equal(rc, CLI_HELP);
    assert_int_equal(cli_done(rc), EXIT_OK);

    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    cli_opt opts[] = {
        CLI_FLAG('f', "flag", &v.flag, "a flag"),
        CLI_GROUP("more:"),
        {.kind = CLI_K_STRING, .short_name = 'o', .long_name = "output",
         .alias = "out", .dest = &v.out, .argname = "F",
         .help = "where\nto write"},
        CLI_END};
    cli_usage(mem, &cmd, opts);
    fclose(mem);
    assert_non_null(strstr(text, "usage: strata t FILE... [options]\n"));
    assert_non_null(strstr(text, "A test.\n"));
    assert_non_null(strstr(text, "  -f, --flag"));
    assert_non_null(strstr(text, "\nmore:\n"));
    assert_non_null(strstr(text, "-o, --output F"));
    /* A continuation line is indented to the help column. */
    const char *w = strstr(text, "where\n");
    assert_non_null(w);
    const char *line = w;
    while (line > text && line[-1] != '\n')
        line--;
    int col = (int)(w - line);
    char want[64];
    snprintf(want, sizeof want, "where\n%*sto write\n", col, "");
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "  -h, --help"));
    free(text);
}

/* The usage text's "N in [1, 10]" and "R in (0, 1]" are the ranges the
 * values are checked against: both ends, and just past them, are taken
 * or refused accordingly, the refusal quoting the same range. */
static void help_ranges_are_checked(void **state)
{
    (void)state;
    vals v;
    cli_pos pos;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    cli_opt opts[] = {
        CLI_INT('n', "count", &v.count, "N", 1, 10, "a count"),
        {.kind = CLI_K_DOUBLE, .long_name = "rate", .dest = &v.rate,
         .argname = "R", .lo = 0, .hi = 1, .open = CLI_OPEN_LO,
         .help = "a rate"},
        CLI_END};
    cli_usage(mem, &cmd, opts);
    fclose(mem);
    assert_non_null(strstr(text, "N in [1, 10]\n"));
    assert_non_null(strstr(text, "R in (0, 1]\n"));
    free(text);
    static const struct { const char *line, *says; } cases[] = {
        {"-o x a -n 1", NULL}, {"-o x a -n 10", NULL},
        {"-o x a -n 0", "--count: expected a whole number in [1, 10]"},
        {"-o x a -n 11", "--count: expected a whole number in [1, 10]"},
        {"-o x a --rate 1", NULL}, {"-o x a --rate 1e-300", NULL},
        {"-o x a --rate 0", "--rate: expected a number in (0, 1]"},
        {"-o x a --rate 1.0000000000000002",
         "--rate: expected a number in (0, 1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        FILE *saved = stderr;
        char *err = NULL;
        size_t elen = 0;
        stderr = open_memstream(&err, &elen);
        int rc = parse(cases[i].line, &v, &pos);
        fclose(stderr);
        stderr = saved;
        if (!cases[i].says && rc != 0)
            fail_msg("'%s' refused: %s", cases[i].line, err);
        if (cases[i].says && (rc != EXIT_INPUT || !strstr(err, cases[i].says)))
            fail_msg("'%s' gave %d, '%s'; expected '%s'", cases[i].line, rc,
                     err, cases[i].says);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stores_each_kind),
        cmocka_unit_test(keeps_defaults),
        cmocka_unit_test(refuses_bad_input),
        cmocka_unit_test(help_is_generated),
        cmocka_unit_test(help_ranges_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
