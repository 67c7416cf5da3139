/* fuzz_scenario.c - libFuzzer harness for the scenario loader
 * (st_scenario_load_text): YAML parsing, limits, overrides and every
 * typed read and cross-check behind `strata validate`.
 *
 * Leading lines "#set PATH=VALUE" (YAML comments, so the rest of the input
 * is unchanged) become overrides, so override paths are fuzzed too.
 * Relative paths resolve against the configs directory, so seeds taken
 * from configs/ find the traces they name.
 */
#include "strata/scenario.h"
#include "policy/registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OVERRIDES 4

#ifndef FUZZ_BASE_DIR
#define FUZZ_BASE_DIR "configs"
#endif

/* Splits off the "#set " lines at the head of text; returns where the
 * rest starts.  Overrides are copied out as NUL-terminated strings. */
static size_t take_overrides(const char *text, size_t len, char **ov,
                             size_t *n)
{
    static const char tag[] = "#set ";
    size_t at = 0;
    *n = 0;
    while (*n < MAX_OVERRIDES && len - at >= sizeof tag - 1 &&
           memcmp(text + at, tag, sizeof tag - 1) == 0) {
        const char *s = text + at + sizeof tag - 1;
        const char *nl = memchr(s, '\n', len - (size_t)(s - text));
        size_t l = nl ? (size_t)(nl - s) : len - (size_t)(s - text);
        ov[*n] = strndup(s, l);
        if (!ov[*n])
            abort();
        (*n)++;
        at = nl ? (size_t)(nl - text) + 1 : len;
    }
    return at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char *ov[MAX_OVERRIDES];
    size_t n;
    size_t at = take_overrides(text, size, ov, &n);
    st_scenario *sc = NULL;
    st_error err;
    if (st_scenario_load_text("fuzz.yaml", text + at, size - at,
                              FUZZ_BASE_DIR, (const char *const *)ov, n, &sc,
                              &err) == 0) {
        st_policy_check_scenario(sc, &err);
        /* Exercise what the CLI does with a loaded scenario. */
        char key[17];
        for (size_t p = 0; p < sc->n_policies; p++)
            st_scenario_run_key(sc, p, key);
        st_scenario_free(sc);
    } else if (!memchr(err.msg, '\0', sizeof err.msg)) {
        abort();    /* an unterminated message */
    }
    for (size_t i = 0; i < n; i++)
        free(ov[i]);
    return 0;
}
