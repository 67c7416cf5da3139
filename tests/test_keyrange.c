/* test_keyrange.c - every range the reference documents is the range the
 * readers check.  For each key of every section of the scenario format
 * (docs/scenario.md, from the key tables), of the sweep format, and of
 * every policy's parameters (docs/policies.md) that declares an interval
 * or a list of words, the boundary values, written as the reference
 * writes them, and the nearest doubles beyond them are given to the real
 * reader (a scenario loaded with an override, a sweep file, a policy's
 * parameters): a value must be accepted exactly when the documented range
 * holds it, and a refusal must quote that same range.  A reader that
 * checks a key against other bounds than its table's, or a section whose
 * ranged keys this test cannot reach, fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/range.h"
#include "config/keys.h"
#include "policy/param_range.h"
#include "policy/registry.h"
#include "strata/policy.h"
#include "study/sweep.h"
#include "testutil.h"

/* ---- the scenarios the probes change ------------------------------------ */

#define MODELS                                                              \
    "models:\n"                                                             \
    "  - {name: small, task: cls, accuracy: 0.7, size_mb: 10}\n"           \
    "  - {name: big, task: cls, accuracy: 0.8, size_mb: 20}\n"             \
    "hardware:\n"                                                           \
    "  - name: phone\n"                                                     \
    "    profiles:\n"                                                       \
    "      small: {exec_ms: 10}\n"                                          \
    "      big: {exec: {dist: constant, value_ms: 5}}\n"
#define DEVICE(name, attach, workload)                                      \
    "  - name: " name "\n    hardware: phone\n    attach: " attach "\n"     \
    "    link: {up: {mbps: 10}, down: {mbps: 10}, rtt_ms: 40}\n"            \
    "    workload: {" workload ", arrival: {process: poisson, "             \
    "rate_per_s: 1}, slo_ms: 300}\n"

/* 0: explicit nodes; 1: a topology tree; 2: a GraphML graph. */
static const char *const fixtures[] = {
    "name: probe\nduration: 1 s\n" MODELS
    "nodes:\n  - {name: cloud, tier: cloud, hardware: phone}\n"
    "devices:\n" DEVICE("ph", "cloud", "task: cls")
    DEVICE("mix", "cloud", "tasks: {zipf: 1}") "policy: local\n",

    "name: probe-tree\nduration: 1 s\n" MODELS
    "topology:\n  tree:\n    - {tier: cloud, hardware: phone}\n"
    "    - {tier: edge, fanout: 2, hardware: phone,\n"
    "       uplink: {up: {mbps: 100}, down: {mbps: 100}}}\n"
    "devices:\n" DEVICE("ph", "edge", "task: cls") "policy: local\n",

    "name: probe-graph\nduration: 1 s\n" MODELS
    "topology:\n  graphml:\n    file: tests/bad/graphml/ok.graphml\n"
    "    repository: {name: cloud, hardware: phone, attach: [A],\n"
    "                 uplink: {up: {mbps: 100}, down: {mbps: 100}}}\n"
    "    nodes:\n      regional: {hardware: phone}\n"
    "      access: {hardware: phone}\n"
    "devices:\n" DEVICE("ph", "access", "task: cls") "policy: local\n",
};

/* Where a section's keys are set.  base NULL: the override is
 * fmt % "KEY=VALUE"; else the mapping is written whole: fmt % the pairs
 * of base, with KEY: VALUE replacing or added to them. */
typedef struct where {
    const char *section;   /* cfg_ref_section.path */
    const char *key;       /* NULL: every key of the section */
    int fixture;
    const char *fmt;
    const char *base;
} where;

static const where places[] = {
    {"(top level)", NULL, 0, "%s", NULL},
    {"models[]", NULL, 0, "models.0.%s", NULL},
    {"hardware[].profiles.MODEL", NULL, 0, "hardware.0.profiles.small.%s", NULL},
    {"nodes[]", NULL, 0, "nodes.0.%s", NULL},
    {"nodes[].serverless", NULL, 0, "nodes.0.serverless={%s}", ""},
    {"topology.tree[]", NULL, 1, "topology.tree.0.%s", NULL},
    {"topology.graphml", NULL, 2, "topology.graphml.%s", NULL},
    {"devices[]", NULL, 0, "devices.0.%s", NULL},
    {"devices[].dispatch", NULL, 0, "devices.0.dispatch={%s}", "queue: fifo"},
    {"devices[].link", NULL, 0, "devices.0.link.%s", NULL},
    {"devices[].link.up, .down", NULL, 0, "devices.0.link.up={%s}", "mbps: 1"},
    {"devices[].link.up, .down", "format", 0, "devices.0.link.up={%s}",
     "trace: traces/synth-3g-1.txt"},
    {"devices[].link.up, .down", "bin_ms", 0, "devices.0.link.up={%s}",
     "trace: traces/synth-3g-1.txt"},
    {"devices[].link.transport", NULL, 0, "devices.0.link.transport={%s}",
     "model: tcp"},
    {"devices[].workload", NULL, 0, "devices.0.workload.%s", NULL},
    {"devices[].workload.slo_phases[]", NULL, 0,
     "devices.0.workload.slo_phases=[{%s}]", "slo: 1"},
    {"devices[].workload.tasks", NULL, 0, "devices.1.workload.tasks={%s}",
     "zipf: 1"},
    {"devices[].workload.arrival", NULL, 0, "devices.0.workload.arrival={%s}",
     "process: onoff, rate_per_s: 1, on: 1, off: 1"},
    {"(a distribution of times)", NULL, 0, "hardware.0.profiles.big.exec={%s}",
     "dist: constant"},
    {"(a distribution of times)", "dist", 0,
     "hardware.0.profiles.big.exec={%s}", "value_ms: 1"},
    {"cost", NULL, 0, "cost={%s}", ""},
};

/* The distribution a key of cfg_keys_dist belongs to, as a base. */
static const char *dist_base(const char *key)
{
    static const struct { const char *prefix, *base; } d[] = {
        {"value", "dist: constant"},
        {"mean", "dist: exponential"},
        {"sd", "dist: normal, mean_ms: 1"},
        {"median", "dist: lognormal, sigma: 1"},
        {"sigma", "dist: lognormal, median_ms: 1"},
        {"min", "dist: uniform, max_s: 1e9"},
        {"max", "dist: uniform, min_s: 0"},
        {"samples", "dist: empirical"},
    };
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        if (strncmp(key, d[i].prefix, strlen(d[i].prefix)) == 0)
            return d[i].base;
    return NULL;
}

static const where *place_of(const char *section, const char *key)
{
    const where *any = NULL;
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
        if (strcmp(places[i].section, section) != 0)
            continue;
        if (places[i].key && strcmp(places[i].key, key) == 0)
            return &places[i];
        if (!places[i].key && !any)
            any = &places[i];
    }
    return any;
}

/* ---- writing a probe ---------------------------------------------------- */

/* The value as YAML for this key: lists and mappings hold it. */
static void yaml_value(const cfg_key *k, const char *v, char *out, size_t n)
{
    if (strncmp(k->type, "list", 4) == 0)
        snprintf(out, n, "[%s]", v);
    else if (k->type[0] == '[')
        snprintf(out, n, "[%s, %s]", v, v);
    else if (strncmp(k->type, "mapping label", 13) == 0)
        snprintf(out, n, "{A: %s}", v);
    else
        snprintf(out, n, "%s", v);
}

/* base's "k: v" pairs with key: value replacing or added to them. */
static void pairs_with(const char *base, const char *key, const char *value,
                       char *out, size_t n)
{
    char copy[512], *save = NULL;
    snprintf(copy, sizeof copy, "%s", base);
    out[0] = 0;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        p += strspn(p, " ");
        size_t kl = strcspn(p, ":");
        if (kl == strlen(key) && strncmp(p, key, kl) == 0)
            continue;
        snprintf(out + strlen(out), n - strlen(out), "%s, ", p);
    }
    snprintf(out + strlen(out), n - strlen(out), "%s: %s", key, value);
}

/* Loads fixture w with key set to text; the error message, or "" when it
 * loaded. */
static const char *probe(const where *w, const char *section,
                         const cfg_key *k, const char *text)
{
    static char msg[ST_ERROR_MAX];
    char value[256], body[1024], over[1200];
    const char *base = w->base;
    if (strcmp(section, "(a distribution of times)") == 0 && !w->key)
        base = dist_base(k->name);
    assert_non_null(base ? base : "");   /* a dist key of no distribution */
    yaml_value(k, text, value, sizeof value);
    if (base)
        pairs_with(base, k->name, value, body, sizeof body);
    else
        snprintf(body, sizeof body, "%s=%s", k->name, value);
    snprintf(over, sizeof over, w->fmt, body);
    const char *const overrides[] = {over};
    st_scenario *sc = NULL;
    st_error err = {{0}};
    const char *f = fixtures[w->fixture];
    int rc = st_scenario_load_text("probe.yaml", f, strlen(f), tu_src("."),
                                   overrides, 1, &sc, &err);
    snprintf(msg, sizeof msg, "%s", rc ? err.msg : "");
    st_scenario_free(sc);
    return msg;
}

/* ---- the probes --------------------------------------------------------- */

/* What the value is written as: the reference's number, in seconds for a
 * time. */
static void value_text(const st_range *r, double v, char *out, size_t n)
{
    char num[64];
    st_range_number(v, num, sizeof num);
    snprintf(out, n, "%s%s", num, r->kind == ST_RANGE_TIME ? " s" : "");
}

/* The reader must take v exactly when the range holds it, and a refusal
 * must say what `say` writes of the name and the documented range
 * ("NAME must be in [lo, hi]"). */
typedef const char *(*reader_fn)(const void *ctx, const char *text);

static const char *const say_scenario = "%s must be %s";
static const char *const say_param = "%s %s";

static void probe_value(reader_fn read, const void *ctx, const char *say,
                        const char *name, const st_range *r, double v)
{
    char text[80], expected[300], want[400];
    value_text(r, v, text, sizeof text);
    st_range_expected(r, expected, sizeof expected);
    snprintf(want, sizeof want, say, name, expected);
    const char *msg = read(ctx, text);
    if (st_range_holds(r, v) && strstr(msg, want))
        fail_msg("%s = %s is in the documented range %s, but the reader "
                 "refused it: %s", name, text, expected, msg);
    if (!st_range_holds(r, v) && !strstr(msg, want))
        fail_msg("%s = %s is outside the documented range %s, but the "
                 "reader said: '%s' (expected '%s')", name, text, expected,
                 *msg ? msg : "nothing", want);
}

static void probe_words(reader_fn read, const void *ctx, const st_range *r)
{
    char expected[300];
    st_range_expected(r, expected, sizeof expected);
    for (int i = 0; r->words[i]; i++) {
        const char *msg = read(ctx, r->words[i]);
        if (strstr(msg, expected))
            fail_msg("'%s' is a documented value, but the reader refused "
                     "it: %s", r->words[i], msg);
    }
    const char *msg = read(ctx, "no-such-word");
    if (!strstr(msg, expected))
        fail_msg("'no-such-word' is not one of the documented values, but "
                 "the reader said: '%s' (expected '%s')",
                 *msg ? msg : "nothing", expected);
}

/* The nearest value past v in direction dir: the next whole number for
 * an INTEGER range, else the next double, subnormals skipped (a reader
 * takes them for an overflow, rightly). */
static double beyond(const st_range *r, double v, int dir)
{
    if (r->kind == ST_RANGE_INTEGER)
        return v + dir;
    if (v == 0)
        return dir * DBL_MIN;
    return nextafter(v, dir * INFINITY);
}

/* Both ends and the nearest values beyond them, or every word.  Values
 * in the range above max_end are not tried (a sweep of 100000
 * replications is too slow to load for a unit test); those beyond it
 * are. */
static int probe_range(reader_fn read, const void *ctx, const char *say,
                       const char *name, const st_range *r, double max_end)
{
    if (r->kind == ST_RANGE_ONE_OF) {
        probe_words(read, ctx, r);
        return 1;
    }
    if (r->kind == ST_RANGE_NONE)
        return 0;
    const double ends[] = {r->lo, r->hi};
    for (int e = 0; e < 2; e++) {
        if (isinf(ends[e]))
            continue;
        const double v[] = {ends[e], beyond(r, ends[e], -1),
                            beyond(r, ends[e], 1)};
        for (int i = 0; i < 3; i++)
            if (!st_range_holds(r, v[i]) || fabs(v[i]) <= max_end)
                probe_value(read, ctx, say, name, r, v[i]);
    }
    return 1;
}

typedef struct scenario_ctx {
    const where *w;
    const char *section;
    const cfg_key *k;
} scenario_ctx;

static const char *read_scenario(const void *ctx, const char *text)
{
    const scenario_ctx *s = ctx;
    return probe(s->w, s->section, s->k, text);
}

static void every_scenario_key(void **state)
{
    (void)state;
    size_t n, probed = 0;
    const cfg_ref_section *sec = conf_reference(&n);
    for (size_t i = 0; i < n; i++)
        for (const cfg_key *k = sec[i].keys; k->name; k++) {
            if (k->range.kind == ST_RANGE_NONE)
                continue;
            const where *w = place_of(sec[i].path, k->name);
            if (!w)
                fail_msg("section %s declares a range for '%s' but this "
                         "test has no place to probe it", sec[i].path,
                         k->name);
            scenario_ctx ctx = {w, sec[i].path, k};
            probed += (size_t)probe_range(read_scenario, &ctx, say_scenario,
                                          k->name, &k->range, INFINITY);
        }
    assert_true(probed >= 40);   /* the tables do declare their ranges */
}

/* A tier word is the tier of that name, not merely accepted. */
static void tier_words_are_tiers(void **state)
{
    (void)state;
    const st_range *r = &cfg_key_of(conf_keys_node, "tier")->range;
    for (int i = 0; r->words[i]; i++) {
        char over[64];
        snprintf(over, sizeof over, "nodes.0.tier=%s", r->words[i]);
        const char *const overrides[] = {over};
        st_scenario *sc = NULL;
        st_error err = {{0}};
        int rc = st_scenario_load_text("probe.yaml", fixtures[0],
                                       strlen(fixtures[0]), tu_src("."),
                                       overrides, 1, &sc, &err);
        if (rc == 0)
            assert_string_equal(st_tier_name(sc->nodes[0].tier), r->words[i]);
        st_scenario_free(sc);
    }
}

static const char *read_sweep(const void *ctx, const char *text)
{
    static char msg[ST_ERROR_MAX];
    char body[2048];
    const cfg_key *k = ctx;
    const char *base = tu_write_file(1, "probe.yaml", fixtures[0]);
    snprintf(body, sizeof body, "base: %s\n%s: %s\n", base, k->name, text);
    st_sweep *sw = NULL;
    st_error err = {{0}};
    int rc = st_sweep_load(tu_write_file(2, "sweep.yaml", body), &sw, &err);
    snprintf(msg, sizeof msg, "%s", rc ? err.msg : "");
    if (sw)
        st_sweep_free(sw);
    return msg;
}

static void every_sweep_key(void **state)
{
    (void)state;
    int probed = 0;
    for (const cfg_key *k = st_sweep_keys; k->name; k++)
        probed += probe_range(read_sweep, k, say_scenario, k->name,
                              &k->range, 1000);
    assert_true(probed >= 1);
}

typedef struct param_ctx {
    const char *policy;
    const st_param *table, *d;
} param_ctx;

static const char *read_param(const void *ctx, const char *text)
{
    static char msg[ST_ERROR_MAX];
    const param_ctx *p = ctx;
    char *key = (char *)p->d->name, *value = (char *)text;
    size_t line = 1, col = 1;
    st_params params = {1, &key, &value, &line, &col, "probe.yaml"};
    st_error err = {{0}};
    int rc = st_params_validate(&params, p->policy, p->table, &err);
    snprintf(msg, sizeof msg, "%s", rc ? err.msg : "");
    return msg;
}

static int probe_params(const char *policy, const st_param *table,
                        const st_param *t)
{
    int probed = 0;
    for (const st_param *d = t; d && d->name; d++) {
        if (d->type == ST_PARAM_INCLUDE) {
            probed += probe_params(policy, table, d->include);
            continue;
        }
        param_ctx ctx = {policy, table, d};
        st_range r = st_param_range(d);
        char name[128];
        /* "policy parameter 'x': expected a number in [lo, hi], got". */
        snprintf(name, sizeof name, "policy parameter '%s': expected a %s",
                 d->name, d->type == ST_PARAM_INT ? "whole number" : "number");
        probed += probe_range(read_param, &ctx, say_param, name, &r,
                              INFINITY);
    }
    return probed;
}

static void every_policy_parameter(void **state)
{
    (void)state;
    int probed = 0;
    for (size_t i = 0; i < st_policy_count(); i++) {
        const st_policy_ops *ops = st_policy_at(i);
        probed += probe_params(ops->name, ops->params, ops->params);
    }
    assert_true(probed >= 20);
}

/* The text itself: ends, exclusions, units, words and notes. */
static void range_text(void **state)
{
    (void)state;
    char b[128];
    st_range a = {ST_RANGE_NUMBER, 1e-6, 1e12, 0, 0, NULL, NULL};
    assert_string_equal(st_range_format(&a, b, sizeof b), "[1e-6, 1e12]");
    st_range t = {ST_RANGE_TIME, 0, 1e9, 1, 0, NULL, ">= min"};
    assert_string_equal(st_range_format(&t, b, sizeof b), "(0 s, 1e9 s]; >= min");
    assert_string_equal(st_range_expected(&t, b, sizeof b), "in (0 s, 1e9 s]");
    assert_false(st_range_holds(&t, 0));
    assert_true(st_range_holds(&t, 1e9));
    st_range h = {ST_RANGE_INTEGER, 1, INFINITY, 0, 0, NULL, NULL};
    assert_string_equal(st_range_expected(&h, b, sizeof b), ">= 1");
    assert_true(st_range_holds(&h, 1e300));
    st_range x = {ST_RANGE_NUMBER, 0, 1, 0, 1, NULL, NULL};
    assert_string_equal(st_range_format(&x, b, sizeof b), "[0, 1)");
    assert_false(st_range_holds(&x, 1));
    assert_false(st_range_holds(&x, NAN));
    assert_string_equal(st_range_number(0.1 + 0.2, b, sizeof b),
                        "0.30000000000000004");
    assert_string_equal(st_range_number(65495, b, sizeof b), "65495");
    st_range w = {ST_RANGE_ONE_OF, 0, 0, 0, 0,
                  (const char *const[]){"fifo", "edf", NULL}, NULL};
    assert_string_equal(st_range_expected(&w, b, sizeof b), "one of: fifo, edf");
    assert_int_equal(st_range_word(&w, "edf"), 1);
    assert_int_equal(st_range_word(&w, "lifo"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(range_text),
        cmocka_unit_test(every_scenario_key),
        cmocka_unit_test(tier_words_are_tiers),
        cmocka_unit_test(every_sweep_key),
        cmocka_unit_test(every_policy_parameter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
