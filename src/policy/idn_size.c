/* idn_size.c - the most memory an IDN policy's problem takes in a run
 * (st_idn_state_size in idn.h), for the policies' state_size: the
 * variables, request types and candidates st_idn_new builds, the per-slot
 * records, the static reference's expected counts, and the exact solves
 * handed to GLPK. */
#include "policy/idn_impl.h"
#include "base/memlimit.h"

#include <math.h>

/* GLPK's own structures are private to it; what one exact solve takes
 * there is allowed for per row or column (its row or column record, the
 * simplex method's per-row and per-column arrays) and per nonzero (the
 * constraint element, the simplex method's copy, the LU factors), with
 * room to spare against the peak resident set measured on the IDN
 * studies (tests/test_membound.c checks that it holds). */
#define GLPK_PER_ROWCOL 512.0
#define GLPK_PER_NONZERO 256.0

/* Models of task t that node k's hardware runs. */
static double models_at(const st_scenario *sc, int k, int t)
{
    double n = 0;
    for (size_t m = 0; m < sc->n_models; m++)
        n += sc->models[m].task == t &&
             sc->hardware[sc->nodes[k].hardware].per_model[m].present;
    return n;
}

/* Has a device class node `a` among its attachment points? */
static int is_access(const st_scenario *sc, int a)
{
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        const st_device_class *dc = &sc->devices[c];
        if (!dc->n_attach && dc->attach == a)
            return 1;
        for (size_t i = 0; i < dc->n_attach; i++)
            if (dc->attach_nodes[i] == a)
                return 1;
    }
    return 0;
}

/* Request types (task, access node), their candidates on the path up,
 * and the constraint entries of their terms in one count vector: a
 * type's k-th candidate gets a term whose row holds u and the first k
 * candidates' variables. */
static void count_types(const st_scenario *sc, double *types, double *cands,
                        double *nonzeros, double *path)
{
    *types = *cands = *nonzeros = *path = 0;
    for (size_t a = 0; a < sc->n_nodes; a++) {
        if (!is_access(sc, (int)a))
            continue;
        double len = 0;
        for (int k = (int)a; k >= 0; k = sc->nodes[k].parent)
            len++;
        *path = len > *path ? len : *path;
        for (size_t t = 0; t < sc->n_tasks; t++) {
            double n = 1;   /* the repository */
            for (int k = (int)a; k >= 0; k = sc->nodes[k].parent)
                n += models_at(sc, k, (int)t);
            *types += 1;
            *cands += n;
            *nonzeros += n * (n + 3) / 2;
        }
    }
}

void st_idn_state_size(const st_scenario *sc, const st_params *params,
                       double per_var, double per_type, st_state_size *out)
{
    st_idn_params p;
    st_idn_read_params(params, sc, &p);
    double nv = (double)(sc->n_nodes * sc->n_models), types, cands, nnz, path;
    count_types(sc, &types, &cands, &nnz, &path);
    double slots = ceil(sc->duration_s / p.slot_s - 1e-9);
    slots = slots > 1 ? slots : 1;
    /* st_idn_new refuses more than ST_MAX_SLOTS slots, or expected counts
     * over the memory limit, before it allocates anything per slot (its
     * message says why): such a run keeps nothing per slot. */
    char why[160];
    if (slots > ST_MAX_SLOTS ||
        slots * types * sizeof(double) > st_memory_limit(why, sizeof why))
        slots = 0;
    /* st_idn_new's arrays: per variable (and the builder's per node and
     * model), per type and per candidate. */
    double build = nv * (2 * sizeof(int) + 8 * sizeof(double) +
                         3 * sizeof(size_t) + 4 + sizeof(long) + per_var) +
                   types * (sizeof(idn_type) + 4 * sizeof(double) +
                            path * sizeof(int) + per_type) +
                   cands * (sizeof(cand) + sizeof(occ) + sizeof(double)) +
                   (double)(sc->n_tasks * sc->n_nodes) * 3 * sizeof(long) +
                   sizeof(st_idn);
    /* Each measured slot's counts (doubling), the static reference's
     * expected counts per slot, and the larger exact solve: one count
     * vector per slot at most. */
    double records = slots * types * 3 * sizeof(double);
    double solve = slots * (cands * GLPK_PER_ROWCOL + nnz * GLPK_PER_NONZERO) +
                   nv * GLPK_PER_ROWCOL;
    *out = (st_state_size){.fixed = build + records + solve};
}
