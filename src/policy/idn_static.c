/* idn_static.c - the offline static reference of the IDN policies
 * (idn_static.h): the expected request counts of every slot and the best
 * fixed allocation found for them.
 *
 * The static reference is solved on the expected counts the workload
 * specifies (rates and popularity over the whole run), not on the sampled
 * arrivals: an offline reference that reads the future, which no online
 * policy does.  It is exact (idn_exact.c); the hindsight optimum on the
 * realised counts, the one the regret compares against, is solved at the
 * end of each run (idn_serve.c).
 */
#include "policy/idn_impl.h"
#include "base/xalloc.h"

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
    size_t cells;
    if (st_size_mul(ns, g->n_types, &cells))
        st_oom_at("the expected counts per slot and request type", ns,
                  g->n_types, __FILE__, __LINE__);
    double *counts = st_xcalloc(cells, sizeof *counts);
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

double st_idn_phases_gain_x(const st_idn *g, const unsigned char *x,
                            const double *const *r, const double *w,
                            size_t nr)
{
    double *y = st_xcalloc(g->n_vars + 1, sizeof *y), f = 0;
    for (size_t j = 0; j < g->n_vars; j++)
        y[j] = x[j];
    for (size_t i = 0; i < nr; i++)
        f += w[i] * st_idn_gain(g, y, r[i], NULL);
    free(y);
    return f;
}

/* The exact solve on the expected counts of the whole run.  GLPK failing
 * leaves the greedy fill, which the stored result says is unproven. */
void st_idn_solve_static(st_idn *g)
{
    size_t ns;
    double *counts = st_idn_expected_counts(g, &ns);
    const double **phase = st_xcalloc(ns, sizeof *phase);
    double *w = st_xcalloc(ns, sizeof *w);
    size_t np = distinct_phases(g, counts, ns, phase, w);
    st_idn_solve_exact(g, phase, w, np, g->p.static_time_limit_s,
                       g->p.static_node_limit, NULL, g->static_x, g->static_y,
                       &g->static_res);
    free(w);
    free(phase);
    free(counts);
}
