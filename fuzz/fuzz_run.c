/* fuzz_run.c - libFuzzer harness for what runs after loading: a scenario
 * that loads (see fuzz_scenario.c for the input format) and is small
 * enough to simulate in milliseconds is run with each of its policies,
 * and every request must end in exactly one outcome.  This reaches the
 * world and the policies with the odd-but-valid values a loader accepts
 * (zero times, tiny rates, single devices, lopsided distributions).
 */
#include "strata/scenario.h"
#include "world/world.h"
#include "policy/registry.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_BASE_DIR
#define FUZZ_BASE_DIR "configs"
#endif

/* Small: few devices, few expected requests, a short horizon. */
static int small_enough(const st_scenario *sc)
{
    if (sc->n_devices > 32 || sc->duration_s + sc->drain_s > 600)
        return 0;
    double requests = 0;
    for (size_t i = 0; i < sc->n_device_classes; i++)
        requests += (double)sc->devices[i].count *
                    sc->devices[i].arrival.rate * sc->duration_s;
    return requests <= 2000;
}

static void run_all(const st_scenario *sc)
{
    for (size_t p = 0; p < sc->n_policies; p++) {
        st_run_opts o = {.log_requests = 1};
        st_run_result res;
        st_error err;
        if (st_world_run(sc, p, &o, &res, &err) == 0) {
            const st_metrics *m = &res.metrics;
            double n = st_metrics_get(m, "requests");
            double sum = st_metrics_get(m, "requests_met") +
                         st_metrics_get(m, "requests_missed") +
                         st_metrics_get(m, "requests_dropped") +
                         st_metrics_get(m, "requests_unfinished");
            if (!(n == sum) || n != (double)res.requests.n)
                abort();   /* a request lost or counted twice */
        }
        st_run_result_free(&res);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_scenario *sc = NULL;
    st_error err;
    if (st_scenario_load_text("fuzz.yaml", (const char *)data, size,
                              FUZZ_BASE_DIR, NULL, 0, &sc, &err) != 0)
        return 0;
    /* Policies are checked as strata run checks them, before a run. */
    if (st_policy_check_scenario(sc, &err) == 0 && small_enough(sc))
        run_all(sc);
    st_scenario_free(sc);
    return 0;
}
