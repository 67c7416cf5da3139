/* capacity.c - the highest request rate at which a policy still meets an
 * SLO-attainment target (st_capacity_search in sweep.h).
 *
 * The load is one factor on every device class's arrival rate, so the mix
 * of devices stays as the scenario describes it.  Attainment falls as the
 * factor rises (and, as each rate's arrivals come from the same seeded
 * stream, mostly without noise), so the search brackets the target by
 * doubling or halving from factor 1, then bisects.
 */
#include "study/membound.h"
#include "study/run.h"
#include "base/xalloc.h"
#include "study/capacity.h"
#include "policy/registry.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOUBLINGS 24
/* Below this many measured requests an attainment says little: the search
 * halves the rate no further. */
#define MIN_REQUESTS 100

typedef struct search {
    const char *path;
    const char *const *ov;
    size_t n_ov;
    const st_scenario *sc;
    size_t policy;
    const st_capacity_opts *o;
    size_t runs;
    st_error *err;
} search;

static int check_scalable(const st_scenario *sc, st_error *err)
{
    for (size_t d = 0; d < sc->n_device_classes; d++)
        if (sc->devices[d].arrival.kind == ST_ARRIVAL_TIMES)
            return st_error_set(err, "%s: device class '%s' replays arrival"
                                " times, whose rate cannot be scaled",
                                sc->file, sc->devices[d].name);
    return 0;
}

/* Mean offered requests/s over all devices at the scenario's rates. */
static double offered_rate(const st_scenario *sc)
{
    double total = 0;
    for (size_t d = 0; d < sc->n_device_classes; d++) {
        const st_arrival *a = &sc->devices[d].arrival;
        double duty = a->kind == ST_ARRIVAL_ONOFF
                          ? a->on_s / (a->on_s + a->off_s) : 1;
        total += (double)sc->devices[d].count * a->rate * duty;
    }
    return total;
}

/* The caller's overrides, the scaled rates, and the seed. */
static char **overrides_at(const search *s, double factor, uint64_t seed,
                           size_t *n)
{
    size_t nd = s->sc->n_device_classes;
    char **ov = st_xcalloc(s->n_ov + nd + 1, sizeof *ov);
    size_t k = 0;
    for (size_t i = 0; i < s->n_ov; i++)
        ov[k++] = strdup(s->ov[i]);
    for (size_t d = 0; d < nd; d++) {
        char buf[128];
        snprintf(buf, sizeof buf, "devices.%zu.workload.arrival.rate_per_s=%.17g",
                 d, s->sc->devices[d].arrival.rate * factor);
        ov[k++] = st_xstrdup(buf);
    }
    char buf[64];
    snprintf(buf, sizeof buf, "seed=%" PRIu64, seed);
    ov[k++] = st_xstrdup(buf);
    *n = k;
    return ov;
}

static int run_once(search *s, double factor, uint64_t seed, double *att)
{
    size_t n;
    char **ov = overrides_at(s, factor, seed, &n);
    st_scenario *sc;
    int rc = st_scenario_load(s->path, (const char *const *)ov, n, &sc, s->err);
    for (size_t i = 0; i < n; i++)
        free(ov[i]);
    free(ov);
    if (rc)
        return -1;
    const char *name[1] = {s->sc->policies[s->policy].name};
    st_run_result res;
    st_run_opts opts = {0};
    rc = st_policy_select(sc, name, 1, s->err);
    if (rc == 0)   /* a doubled rate doubles what the run keeps */
        rc = st_membound_check(sc, &opts, s->err);
    if (rc == 0)
        rc = st_world_run(sc, 0, &opts, &res, s->err);
    if (rc == 0) {
        *att = st_metrics_get(&res.metrics, "slo_attainment");
        st_run_result_free(&res);
        s->runs++;
        if (isnan(*att))
            *att = 0;   /* no request measured: nothing was met */
    }
    st_scenario_free(sc);
    return rc;
}

/* Mean attainment over the replications at this factor. */
static int attainment(search *s, double factor, double *out)
{
    size_t reps = s->o->reps ? s->o->reps : 1;
    double sum = 0;
    for (size_t r = 0; r < reps; r++) {
        double a;
        if (run_once(s, factor, s->sc->seed + r, &a))
            return -1;
        sum += a;
    }
    *out = sum / (double)reps;
    return 0;
}

/* Finds lo (meets) < hi (misses); sets found/unbounded at the limits. */
static int bracket(search *s, double *lo, double *hi, double *att_lo,
                   st_capacity_result *out)
{
    double a;
    if (attainment(s, 1, &a))
        return -1;
    int meets = a >= s->o->target;
    double f = 1;
    *lo = meets ? 1 : 0;
    *hi = meets ? 0 : 1;
    *att_lo = meets ? a : 0;
    double measured_s = s->sc->duration_s - s->sc->warmup_s;
    for (int i = 0; i < MAX_DOUBLINGS && (*lo == 0 || *hi == 0); i++) {
        f = meets ? f * 2 : f / 2;
        if (!meets && offered_rate(s->sc) * f * measured_s < MIN_REQUESTS)
            break;
        if (attainment(s, f, &a))
            return -1;
        if (a >= s->o->target) {
            if (*lo == 0 || f > *lo) {
                *lo = f;
                *att_lo = a;
            }
        } else if (*hi == 0 || f < *hi) {
            *hi = f;
        }
    }
    out->unbounded = *hi == 0;
    out->found = *lo > 0;
    return 0;
}

int st_capacity_search(const char *path, const char *const *overrides,
                       size_t n_overrides, const st_scenario *sc,
                       size_t policy, const st_capacity_opts *o,
                       st_capacity_result *out, st_error *err)
{
    memset(out, 0, sizeof *out);
    if (!(o->target > 0 && o->target <= 1))
        return st_error_set(err, "the target attainment must be in (0, 1],"
                            " not %g", o->target);
    if (check_scalable(sc, err))
        return -1;
    search s = {path, overrides, n_overrides, sc, policy, o, 0, err};
    double lo, hi, att_lo;
    if (bracket(&s, &lo, &hi, &att_lo, out))
        return -1;
    double tol = o->tol > 0 ? o->tol : 0.01;
    if (tol < ST_CAPACITY_MIN_TOL)
        tol = ST_CAPACITY_MIN_TOL;
    while (out->found && !out->unbounded && (hi - lo) / lo > tol) {
        double mid = (lo + hi) / 2, a;
        if (attainment(&s, mid, &a))
            return -1;
        if (a >= o->target) {
            lo = mid;
            att_lo = a;
        } else {
            hi = mid;
        }
    }
    out->factor = lo;
    out->rate_per_s = offered_rate(sc) * lo;
    out->attainment = att_lo;
    out->runs = s.runs;
    return 0;
}
