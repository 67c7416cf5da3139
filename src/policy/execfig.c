/* execfig.c - the per-(hardware, model) execution figures a policy reads
 * on every decision, computed once (see execfig.h). */
#include "policy/execfig.h"

#include <math.h>
#include <stdlib.h>

int ef_init(ef_table *t, const st_view *v, double p, st_error *err)
{
    const st_scenario *sc = st_view_scenario(v);
    size_t n = sc->n_hardware * sc->n_models;
    t->n_models = sc->n_models;
    t->mean = malloc((n + 1) * sizeof *t->mean);
    t->quant = malloc((n + 1) * sizeof *t->quant);
    if (!t->mean || !t->quant) {
        ef_free(t);
        return st_error_set(err, "out of memory");
    }
    for (size_t h = 0; h < sc->n_hardware; h++)
        for (size_t m = 0; m < sc->n_models; m++) {
            const st_profile *pr = &sc->hardware[h].per_model[m];
            size_t i = h * sc->n_models + m;
            t->mean[i] = pr->present ? st_dist_mean(&pr->exec_s) : NAN;
            t->quant[i] = !pr->present ? NAN
                        : p > 0 ? st_dist_quantile(&pr->exec_s, p) : t->mean[i];
        }
    return 0;
}

double ef_bytes(const st_scenario *sc)
{
    return 2.0 * (double)(sc->n_hardware * sc->n_models + 1) * sizeof(double);
}

void ef_free(ef_table *t)
{
    free(t->mean);
    free(t->quant);
    t->mean = t->quant = NULL;
}
