/* info.c - a models x hardware table of a hardware-profile file (or of a
 * scenario's zoo and profiles), read through the scenario loader so the
 * numbers are exactly what a simulation would use. */
#include "profile/profile.h"
#include "base/xalloc.h"
#include "strata/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_titles[] = {
    "mean execution time (ms)", "load time (ms)", "memory footprint (MB)"};

/* The cell's text; "-" when the hardware has no profile for the model. */
static void cell_text(const st_profile *p, st_profile_field field, char *out,
                      size_t size)
{
    if (!p->present) {
        snprintf(out, size, "-");
        return;
    }
    double v = field == ST_PROFILE_EXEC ? st_dist_mean(&p->exec_s) * 1e3
             : field == ST_PROFILE_LOAD ? p->load_s * 1e3
                                        : p->memory_mb;
    snprintf(out, size, "%.4g", v);
}

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

/* Widths: w[0..3] for the model columns, then one per hardware. */
static void print_row(FILE *out, const size_t *w, size_t nh,
                      const char *const *cells)
{
    for (size_t k = 0; k < 4 + nh; k++)
        fprintf(out, k < 2 ? "%-*s%s" : "%*s%s", (int)w[k], cells[k],
                k + 1 < 4 + nh ? "  " : "\n");
}

static void print_table(const st_scenario *sc, st_profile_field field,
                        FILE *out)
{
    static const char *const heads[4] = {"model", "task", "accuracy",
                                         "size MB"};
    size_t nh = sc->n_hardware, ncol = 4 + nh;
    size_t *w = st_xcalloc(ncol, sizeof *w);
    char (*text)[64] = st_xcalloc(ncol, sizeof *text);
    const char **cells = st_xcalloc(ncol, sizeof *cells);
    for (size_t k = 0; k < ncol; k++) {
        cells[k] = k < 4 ? heads[k] : sc->hardware[k - 4].name;
        w[k] = strlen(cells[k]);
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            print_row(out, w, nh, cells);
            for (size_t k = 0; k < ncol; k++) {
                memset(text[k], '-', w[k] < 63 ? w[k] : 63);
                text[k][w[k] < 63 ? w[k] : 63] = '\0';
                cells[k] = text[k];
            }
            print_row(out, w, nh, cells);
        }
        for (size_t m = 0; m < sc->n_models; m++) {
            snprintf(text[0], 64, "%s", sc->models[m].name);
            snprintf(text[1], 64, "%s", sc->tasks[sc->models[m].task]);
            snprintf(text[2], 64, "%.4f", sc->models[m].accuracy);
            /* A model without a size has size 0 in a scenario. */
            if (sc->models[m].size_mb > 0)
                snprintf(text[3], 64, "%.4g", sc->models[m].size_mb);
            else
                snprintf(text[3], 64, "-");
            for (size_t h = 0; h < nh; h++)
                cell_text(&sc->hardware[h].per_model[m], field, text[4 + h], 64);
            for (size_t k = 0; k < ncol; k++) {
                cells[k] = text[k];
                w[k] = max_sz(w[k], strlen(text[k]));
            }
            if (pass == 1)
                print_row(out, w, nh, cells);
        }
        if (pass == 0)
            for (size_t k = 0; k < ncol; k++)
                cells[k] = k < 4 ? heads[k] : sc->hardware[k - 4].name;
    }
    free(w);
    free(text);
    free(cells);
}

int st_profile_info(const char *path, st_profile_field field, FILE *out,
                    st_error *err)
{
    st_scenario *sc;
    if (st_scenario_load_profiles(path, &sc, err))
        return -1;
    fprintf(out, "%s: %zu model(s) x %zu hardware; %s, '-' = no profile\n\n",
            path, sc->n_models, sc->n_hardware, field_titles[field]);
    print_table(sc, field, out);
    st_scenario_free(sc);
    return 0;
}
