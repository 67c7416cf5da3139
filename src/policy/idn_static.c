/* idn_static.c - the offline static reference of the IDN policies
 * (idn_static.h): the expected request counts of every slot and the best
 * fixed allocation found for them.
 *
 * The static reference is solved on the expected counts the workload
 * specifies (rates and popularity over the whole run), not on the sampled
 * arrivals: an offline reference that reads the future, which no online
 * policy does.
 */
#include "policy/idn_impl.h"
#include "base/xalloc.h"
#include "base/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- the offline static reference ---------- */

double *st_idn_expected_counts(const st_idn *g, size_t *n_slots)
{
    const st_scenario *sc = g->sc;
    double slot = g->p.slot_s;
    size_t ns = (size_t)ceil(sc->duration_s / slot - 1e-9);
    if (ns == 0)
        ns = 1;
    double *counts = st_xcalloc(ns * g->n_types, sizeof *counts);
    for (size_t t = 0; t < ns; t++) {
        double t0 = (double)t * slot;
        double len = fmin(slot, sc->duration_s - t0), mid = t0 + len / 2;
        for (size_t c = 0; c < sc->n_device_classes; c++) {
            const st_device_class *dc = &sc->devices[c];
            const st_arrival *a = &dc->arrival;
            double rate = a->rate * (a->kind == ST_ARRIVAL_ONOFF
                                     ? a->on_s / (a->on_s + a->off_s) : 1);
            size_t na = dc->n_attach, ntask = dc->mix.n ? dc->mix.n : 1;
            for (size_t ai = 0; ai < na; ai++) {
                long devs = dc->count / (long)na + ((long)ai < dc->count % (long)na);
                for (size_t k = 0; k < ntask; k++) {
                    int task = dc->mix.n ? st_task_mix_task(&dc->mix, k, mid) : dc->task;
                    double p = dc->mix.n ? st_task_mix_prob(&dc->mix, k) : 1;
                    long ty = g->type_of[(size_t)task * g->n_nodes +
                                         (size_t)dc->attach_nodes[ai]];
                    counts[t * g->n_types + (size_t)ty] += (double)devs * rate * len * p;
                }
            }
        }
    }
    *n_slots = ns;
    return counts;
}

/* Groups identical slots (a sliding workload repeats its phases) into
 * distinct count vectors with weights summing to 1. */
static size_t distinct_phases(const st_idn *g, const double *counts, size_t ns,
                              const double **phase, double *w)
{
    size_t np = 0, nt = g->n_types;
    for (size_t t = 0; t < ns; t++) {
        const double *row = counts + t * nt;
        size_t p = 0;
        while (p < np && memcmp(phase[p], row, nt * sizeof *row) != 0)
            p++;
        if (p == np) {
            phase[np] = row;
            w[np++] = 0;
        }
        w[p] += 1.0 / (double)ns;
    }
    return np;
}

static double phases_gain(const st_idn *g, const double *y,
                          const double *const *phase, const double *w,
                          size_t np, double *grad, double *tmp)
{
    double f = 0;
    if (grad)
        memset(grad, 0, g->n_vars * sizeof *grad);
    for (size_t p = 0; p < np; p++) {
        f += w[p] * st_idn_gain(g, y, phase[p], grad ? tmp : NULL);
        for (size_t j = 0; grad && j < g->n_vars; j++)
            grad[j] += w[p] * tmp[j];
    }
    return f;
}

static double phases_gain_x(const st_idn *g, const unsigned char *x,
                            double *y, const double *const *phase,
                            const double *w, size_t np)
{
    for (size_t j = 0; j < g->n_vars; j++)
        y[j] = x[j];
    return phases_gain(g, y, phase, w, np, NULL, NULL);
}

/* Normalised mirror ascent: each step's largest exponent is static_eta,
 * whatever the scale of the counts. */
static void static_fractional(st_idn *g, const double *const *phase,
                              const double *w, size_t np)
{
    size_t n = g->n_vars;
    double *y = st_xcalloc(n, sizeof *y), *grad = st_xcalloc(n, sizeof *grad);
    double *tmp = st_xcalloc(n, sizeof *tmp), *yhat = st_xcalloc(n, sizeof *yhat);
    for (size_t j = 0; j < n; j++)
        yhat[j] = 1;
    st_idn_project_all(g, yhat, y);
    memcpy(g->static_y, y, n * sizeof *y);
    double best = phases_gain(g, y, phase, w, np, grad, tmp);
    for (long it = 0; it < g->p.static_iters; it++) {
        double top = 0;
        for (size_t j = 0; j < n; j++)
            top = fmax(top, fabs(grad[j]) / g->var_size[j]);
        if (top <= 0)
            break;
        st_idn_mirror_ascent_step(g, y, grad, g->p.static_eta / top, yhat);
        double f = phases_gain(g, y, phase, w, np, grad, tmp);
        if (f > best) {
            best = f;
            memcpy(g->static_y, y, n * sizeof *y);
        }
    }
    free(y);
    free(grad);
    free(tmp);
    free(yhat);
}

/* The integral static allocation: the best, on the time-averaged gain, of
 * static_draws DepRound draws from the fractional solution (alternating
 * the two leftover rules) and of the
 * greedy fill. */
void st_idn_solve_static(st_idn *g)
{
    size_t ns, n = g->n_vars;
    double *counts = st_idn_expected_counts(g, &ns);
    const double **phase = st_xcalloc(ns, sizeof *phase);
    double *w = st_xcalloc(ns, sizeof *w), *y = st_xcalloc(n, sizeof *y);
    size_t np = distinct_phases(g, counts, ns, phase, w);
    static_fractional(g, phase, w, np);
    unsigned char *x = st_xcalloc(n, 1);
    st_idn_greedy_fill(g, phase, w, np, g->static_x, -1);
    double best = phases_gain_x(g, g->static_x, y, phase, w, np);
    gsl_rng *rng = st_rng_stream(g->sc->seed, "idn-static");
    for (long d = 0; d < g->p.static_draws; d++) {
        st_idn_round_all(g, g->static_y, (st_idn_leftover)(d % 2), rng, x);
        double f = phases_gain_x(g, x, y, phase, w, np);
        if (f > best) {
            best = f;
            memcpy(g->static_x, x, n);
        }
    }
    gsl_rng_free(rng);
    free(x);
    free(y);
    free(w);
    free(phase);
    free(counts);
}
