/* execfig.c - the per-(hardware, model) execution figures a policy reads
 * on every decision, computed once (see execfig.h). */
#include "policy/execfig.h"

#include <math.h>
#include <stdlib.h>

/* The menus: for each (hardware, task), its present models in order. */
static void fill_menus(ef_table *t, const st_scenario *sc)
{
    size_t k = 0;
    for (size_t h = 0; h < sc->n_hardware; h++)
        for (size_t task = 0; task < sc->n_tasks; task++) {
            t->menu_at[h * sc->n_tasks + task] = k;
            for (size_t m = 0; m < sc->n_models; m++) {
                const st_profile *pr = &sc->hardware[h].per_model[m];
                size_t i = h * sc->n_models + m;
                if (sc->models[m].task == (int)task && pr->present)
                    t->menu[k++] = (ef_item){(int)m, t->mean[i], t->quant[i],
                                             pr->load_s};
            }
        }
    t->menu_at[sc->n_hardware * sc->n_tasks] = k;
}

int ef_init(ef_table *t, const st_view *v, double p, st_error *err)
{
    const st_scenario *sc = st_view_scenario(v);
    size_t n = sc->n_hardware * sc->n_models;
    t->n_models = sc->n_models;
    t->n_tasks = sc->n_tasks;
    t->mean = malloc((n + 1) * sizeof *t->mean);
    t->quant = malloc((n + 1) * sizeof *t->quant);
    t->menu = malloc((n + 1) * sizeof *t->menu);
    t->menu_at = malloc((sc->n_hardware * sc->n_tasks + 1) * sizeof *t->menu_at);
    if (!t->mean || !t->quant || !t->menu || !t->menu_at) {
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
    fill_menus(t, sc);
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
    free(t->menu);
    free(t->menu_at);
    t->mean = t->quant = NULL;
    t->menu = NULL;
    t->menu_at = NULL;
}
