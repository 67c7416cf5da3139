/* fuzz_params.c - libFuzzer harness for policy parameters: the first
 * byte picks a policy from the registry, the rest is the text of its
 * `params:` mapping in a small scenario with a Zipf task mix on a tree of
 * nodes (so the IDN policies build their problem).  The scenario is loaded,
 * its policies checked, and the policy initialised as `strata validate`
 * does (slot, eta, window, ... reach their allocations here).
 * With FUZZ_PARAMS_OUT set, the scenario built from an input is written
 * there (fuzz/run files regressions as scenarios that way).
 */
#include "strata/policy.h"
#include "strata/scenario.h"
#include "policy/registry.h"
#include "world/world.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char scenario[] =
    "name: params\nduration: 600 s\n"
    "models:\n"
    "  - {name: a, task: t1, accuracy: 0.7, size_mb: 10}\n"
    "  - {name: b, task: t1, accuracy: 0.8, size_mb: 50}\n"
    "  - {name: c, task: t2, accuracy: 0.6, size_mb: 20}\n"
    "hardware:\n"
    "  - {name: hw, profiles: {a: {exec_ms: 5}, b: {exec_ms: 20}, c: {exec_ms: 8}}}\n"
    "  - {name: phone, profiles: {a: {exec_ms: 50}}}\n"
    "nodes:\n"
    "  - {name: cloud, hardware: hw}\n"
    "  - {name: edge, tier: edge, hardware: hw, memory_mb: 60, parent: cloud,\n"
    "     uplink: {up: {mbps: 100}, down: {mbps: 100}, rtt_ms: 20}}\n"
    "devices:\n"
    "  - {name: ph, count: 4, hardware: phone, attach: edge,\n"
    "     link: {up: {mbps: 10}, down: {mbps: 10}, rtt_ms: 10},\n"
    "     workload: {tasks: {zipf: 1, slot: 10 s}, arrival: {process: poisson,\n"
    "                rate_per_s: 1}, slo_ms: 300}}\n"
    "policy:\n  name: %s\n  params: {%.*s}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2000)
        return 0;
    const st_policy_ops *ops = st_policy_at(data[0] % st_policy_count());
    char text[sizeof scenario + 2100];
    int n = snprintf(text, sizeof text, scenario, ops->name, (int)(size - 1),
                     (const char *)data + 1);
    if (n < 0 || (size_t)n >= sizeof text || memchr(text, '\0', (size_t)n))
        return 0;
    const char *dump = getenv("FUZZ_PARAMS_OUT");
    FILE *f = dump ? fopen(dump, "w") : NULL;
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    st_scenario *sc = NULL;
    st_error err;
    if (st_scenario_load_text("fuzz.yaml", text, (size_t)n, ".", NULL, 0, &sc,
                              &err) == 0 &&
        st_policy_check_scenario(sc, &err) == 0) {
        st_run_opts o = {.check_only = 1};
        st_run_result res;
        st_world_run(sc, 0, &o, &res, &err);
        st_run_result_free(&res);
    }
    st_scenario_free(sc);
    if (!memchr(err.msg, '\0', sizeof err.msg))
        abort();
    return 0;
}
