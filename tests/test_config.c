/* test_config.c - scenarios load strictly: each kind of mistake is an error
 * naming file:line:col; overrides and canonical text behave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "strata/scenario.h"
#include "policy/registry.h"
#include "testutil.h"

/* Line numbers below refer to this text (line 1 = "name: t"). */
static const char *base =
    "name: t\n"                                        /* 1 */
    "seed: 3\n"                                        /* 2 */
    "duration: 100 s\n"                                /* 3 */
    "warmup: 10 s\n"                                   /* 4 */
    "models:\n"                                        /* 5 */
    "  - {name: small, task: cls, accuracy: 0.7, size_mb: 10, input_bytes: 1000, output_bytes: 100}\n"
    "  - {name: big, task: cls, accuracy: 0.8, size_mb: 100, input_bytes: 1000, output_bytes: 100}\n"
    "hardware:\n"                                      /* 8 */
    "  - name: phone\n"                                /* 9 */
    "    profiles:\n"                                  /* 10 */
    "      small: {exec_ms: 20, load_ms: 50}\n"        /* 11 */
    "      big: {exec: {dist: normal, mean_ms: 200, sd_ms: 20}}\n"
    "  - name: gpu\n"                                  /* 13 */
    "    profiles:\n"                                  /* 14 */
    "      small: {exec_ms: 2}\n"                      /* 15 */
    "      big: {exec_ms: 5}\n"                        /* 16 */
    "nodes:\n"                                         /* 17 */
    "  - {name: cloud, tier: cloud, hardware: gpu, executors: 2, preload: all}\n"
    "devices:\n"                                       /* 19 */
    "  - name: ph\n"                                   /* 20 */
    "    count: 2\n"                                   /* 21 */
    "    hardware: phone\n"                            /* 22 */
    "    attach: cloud\n"                              /* 23 */
    "    link: {up: {mbps: 10}, down: {mbps: 20}, rtt_ms: 40}\n"
    "    workload: {task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}\n"
    "policy: [local, cloud]\n";                        /* 26 */

/* base with line `line` (1-based) replaced by `repl` (NULL: deleted). */
static char *with_line(int line, const char *repl)
{
    char *out = calloc(strlen(base) + (repl ? strlen(repl) : 0) + 2, 1);
    const char *p = base;
    for (int l = 1; *p; l++) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p) + 1;
        if (l == line) {
            if (repl) {
                strcat(out, repl);
                strcat(out, "\n");
            }
        } else {
            strncat(out, p, len);
        }
        p += len;
    }
    return out;
}

/* Loads text from a file as a run would (the policies checked too) and
 * expects failure with "file:LINE:" and a phrase in the message. */
static void expect_error(const char *text, int line, const char *phrase)
{
    tu_expect_load_error(text, line, phrase);
}

static void test_valid(void **state)
{
    (void)state;
    const char *path = tu_write_file(0, "ok.yaml", base);
    st_scenario *sc;
    st_error err;
    if (st_scenario_load(path, NULL, 0, &sc, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(sc->name, "t");
    assert_int_equal(sc->seed, 3);
    assert_true(sc->duration_s == 100 && sc->warmup_s == 10);
    assert_int_equal(sc->n_models, 2);
    assert_int_equal(sc->n_devices, 2);
    assert_int_equal(sc->n_policies, 2);
    assert_true(fabs(sc->hardware[0].per_model[0].load_s - 0.05) < 1e-12);
    assert_true(fabs(st_dist_mean(&sc->hardware[0].per_model[1].exec_s) - 0.2) < 1e-12);
    /* memory defaults to the model size */
    assert_true(sc->hardware[1].per_model[1].memory_mb == 100);
    assert_true(sc->devices[0].link.up.bps == 10e6);
    assert_true(fabs(sc->devices[0].link.rtt_s.a - 0.04) < 1e-12);
    assert_true(fabs(sc->devices[0].slo_s.a - 0.3) < 1e-12);
    st_scenario_free(sc);
}

static void test_missing_field(void **state)
{
    (void)state;
    char *t = with_line(3, NULL);   /* no duration */
    expect_error(t, 1, "missing required key 'duration'");
    free(t);
}

static void test_wrong_type(void **state)
{
    (void)state;
    char *t = with_line(21, "    count: lots");
    expect_error(t, 21, "expected a finite number for count");
    free(t);
    t = with_line(3, "duration: [1, 2]");
    expect_error(t, 3, "expected a time for duration");
    free(t);
}

static void test_unknown_key(void **state)
{
    (void)state;
    char *t = with_line(21, "    colour: red");
    expect_error(t, 21, "unknown key 'colour'");
    free(t);
}

static void test_negative_and_bad_numbers(void **state)
{
    (void)state;
    char *t = with_line(3, "duration: -5 s");
    expect_error(t, 3, "duration must be in");
    free(t);
    t = with_line(3, "duration: nan");
    expect_error(t, 3, "expected a time for duration");
    free(t);
    t = with_line(3, "duration: 5 fortnights");
    expect_error(t, 3, "unknown time unit");
    free(t);
    t = with_line(25, "    workload: {task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 0}");
    expect_error(t, 25, "slo_ms must be in");
    free(t);
}

static void test_missing_trace(void **state)
{
    (void)state;
    char *t = with_line(24, "    link: {up: {trace: no/such/trace.txt}, down: {mbps: 20}}");
    expect_error(t, 24, "does not exist");
    free(t);
}

static void test_dangling_names(void **state)
{
    (void)state;
    char *t = with_line(22, "    hardware: tpu");
    expect_error(t, 22, "unknown hardware 'tpu'");
    free(t);
    t = with_line(15, "      tiny: {exec_ms: 2}");
    expect_error(t, 15, "unknown model 'tiny'");
    free(t);
    t = with_line(26, "policy: [local, teleport]");
    expect_error(t, 26, "unknown policy 'teleport'");
    free(t);
}

static void test_yaml_syntax(void **state)
{
    (void)state;
    char *t = with_line(21, "    count: [2");
    const char *path = tu_write_file(0, "syntax.yaml", t);
    st_scenario *sc = NULL;
    st_error err;
    assert_int_equal(st_scenario_load(path, NULL, 0, &sc, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "invalid YAML"));
    free(t);
    /* tabs are not YAML indentation */
    t = with_line(21, "\tcount: 2");
    expect_error(t, 21, "invalid YAML");
    free(t);
}

static void test_overrides_and_hash(void **state)
{
    (void)state;
    const char *path = tu_write_file(0, "ok.yaml", base);
    st_scenario *a, *b, *c;
    st_error err;
    const char *ov[] = {"devices.0.count=5", "policy=cloud"};
    assert_int_equal(st_scenario_load(path, NULL, 0, &a, &err), 0);
    assert_int_equal(st_scenario_load(path, ov, 2, &b, &err), 0);
    assert_int_equal(st_scenario_load(path, ov, 2, &c, &err), 0);
    assert_int_equal(b->n_devices, 5);
    assert_int_equal(b->n_policies, 1);
    assert_string_equal(b->policies[0].name, "cloud");
    assert_string_not_equal(a->hash, b->hash);
    assert_string_equal(b->hash, c->hash);
    assert_string_equal(b->text, c->text);
    assert_non_null(strstr(b->text, "count: 5"));
    st_scenario_free(a);
    st_scenario_free(b);
    st_scenario_free(c);

    const char *bad[] = {"devices.7.count=5"};
    assert_int_equal(st_scenario_load(path, bad, 1, &a, &err), -1);
    assert_non_null(strstr(err.msg, "not an index"));
    const char *badval[] = {"devices.0.count=-1"};
    assert_int_equal(st_scenario_load(path, badval, 1, &a, &err), -1);
    assert_non_null(strstr(err.msg, "in an override"));
}

static void test_canonical_ignores_layout(void **state)
{
    (void)state;
    /* The same content in block and flow style, with comments, hashes the
     * same: the id names the configuration, not its formatting. */
    char *t = with_line(18, "  - name: cloud   # the only node\n"
                            "    tier: cloud\n    hardware: gpu\n"
                            "    executors: 2\n    preload: all");
    const char *p1 = tu_write_file(1, "a.yaml", base);
    const char *p2 = tu_write_file(2, "b.yaml", t);
    st_scenario *a, *b;
    st_error err;
    assert_int_equal(st_scenario_load(p1, NULL, 0, &a, &err), 0);
    assert_int_equal(st_scenario_load(p2, NULL, 0, &b, &err), 0);
    assert_string_equal(a->hash, b->hash);
    st_scenario_free(a);
    st_scenario_free(b);
    free(t);
}

static void test_not_a_file(void **state)
{
    (void)state;
    st_scenario *sc;
    st_error err;
    assert_int_equal(st_scenario_load(tu_tmpdir(), NULL, 0, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "is a directory"));
    assert_int_equal(st_scenario_load("/no/such/file.yaml", NULL, 0, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "/no/such/file.yaml"));
    const char *empty = tu_write_file(0, "empty.yaml", "");
    assert_int_equal(st_scenario_load(empty, NULL, 0, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
}

static void test_aliases_rejected(void **state)
{
    (void)state;
    const char *bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n";
    const char *path = tu_write_file(0, "bomb.yaml", bomb);
    st_scenario *sc;
    st_error err;
    assert_int_equal(st_scenario_load(path, NULL, 0, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "aliases are not supported"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_missing_field),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_negative_and_bad_numbers),
        cmocka_unit_test(test_missing_trace),
        cmocka_unit_test(test_dangling_names),
        cmocka_unit_test(test_yaml_syntax),
        cmocka_unit_test(test_overrides_and_hash),
        cmocka_unit_test(test_canonical_ignores_layout),
        cmocka_unit_test(test_not_a_file),
        cmocka_unit_test(test_aliases_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
