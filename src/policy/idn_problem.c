/* idn_problem.c - the IDN problem (idn.h): the shared parameters, request
 * types and their candidates built from the scenario, the variables, and
 * the serving gain with its supergradient and marginals.
 *
 * Choices where the paper leaves room (each stated again where made):
 * - Request types are (task, entry node); every device of a class draws
 *   its tasks from the same popularity, so types differ by where they
 *   enter.
 * - Capacity is counted in requests per slot from the mean execution time
 *   on the node's executors; the DES still queues requests for real.
 */
#include "policy/idn_impl.h"
#include "base/xalloc.h"
#include "base/memlimit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- parameters ---------- */

static double default_slot(const st_scenario *sc)
{
    for (size_t i = 0; i < sc->n_device_classes; i++)
        if (sc->devices[i].mix.n)
            return sc->devices[i].mix.slot_s;
    return 1;
}

static const char *const sharings[] = {"proportional", "full", NULL};
static const char *const onoff[] = {"off", "on", NULL};
static const char *const cutsets[] = {"cover", "all", NULL};

const st_param st_idn_param_table[] = {
    ST_PARAM_REAL("alpha", 1, 0, 1e6, "seconds of cost per unit of (1 - "
                  "accuracy) in a candidate's cost"),
    ST_PARAM_REAL("slot", NAN, 1e-6, 1e9, "allocation slot, s (default: the "
                  "workload's task-mix slot, else 1)"),
    ST_PARAM_CHOICE("sharing", sharings, 0, "how request types share a "
                    "pair's capacity: in proportion to demand, or each all "
                    "of it"),
    ST_PARAM_REAL("capacity_scale", 1, 1e-6, 1e6, "share of the executors' "
                  "throughput a pair may serve per slot"),
    ST_PARAM_REAL("static_time_limit", 60, 0.001, 1e6, "seconds of branch "
                  "and cut per exact static solve (wall clock: a run that "
                  "hits it is not reproducible)"),
    ST_PARAM_INT("static_node_limit", 0, 0, 1000000000, "search-tree nodes "
                 "per exact static solve, 0 for none (deterministic)"),
    ST_PARAM_CHOICE("static_cuts", cutsets, 0, "GLPK's cut families in the "
                    "exact solves besides the submodular ones: cover, or all "
                    "(also Gomory, MIR and clique)"),
    ST_PARAM_CHOICE("hindsight", onoff, 1, "solve the best fixed allocation "
                    "for the realised counts at the end of the run"),
    ST_PARAM_END};

void st_idn_read_params(const st_params *params, const st_scenario *sc,
                        st_idn_params *out)
{
    const st_param *t = st_idn_param_table;
    out->alpha_s = st_param_real(params, t, "alpha");
    out->slot_s = st_param_real(params, t, "slot");
    if (isnan(out->slot_s))
        out->slot_s = default_slot(sc);
    out->slot_file = sc->file;
    out->slot_line = out->slot_col = 0;
    for (size_t i = 0; params && i < params->n; i++)
        if (strcmp(params->keys[i], "slot") == 0) {
            out->slot_line = params->lines[i];
            out->slot_col = params->cols[i];
        }
    out->sharing = (st_idn_sharing)st_param_choice(params, t, "sharing");
    out->capacity_scale = st_param_real(params, t, "capacity_scale");
    out->static_time_limit_s = st_param_real(params, t, "static_time_limit");
    out->static_node_limit = st_param_int(params, t, "static_node_limit");
    out->hindsight = st_param_choice(params, t, "hindsight");
    out->static_cuts = (st_idn_cuts)st_param_choice(params, t, "static_cuts");
}

/* ---------- building the problem ---------- */

static double link_s(const st_link *l, double in_bytes, double out_bytes)
{
    return st_dist_mean(&l->rtt_s) + in_bytes * 8 / (l->up.bps * l->up.scale) +
           out_bytes * 8 / (l->down.bps * l->down.scale);
}

static double capacity(const st_idn *g, int node, const st_profile *pr)
{
    double exec = st_dist_mean(&pr->exec_s);
    if (exec <= 0)
        return 1e12;
    return floor(g->p.capacity_scale * g->sc->nodes[node].executors *
                 g->p.slot_s / exec);
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->node != y->node)   /* lower on the path first: nodes are listed root first */
        return x->node > y->node ? -1 : 1;
    return x->model - y->model;
}

typedef struct builder {
    cand *cands;
    size_t n, cap;
    int *paths;
    size_t n_paths, cap_paths;
    unsigned char *is_var;   /* [n_nodes * n_models] */
} builder;

/* Room for one more element in a growing array of n elements of size sz. */
static void *grow(void *a, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return a;
    *cap = *cap ? 2 * *cap : 256;
    return st_xrealloc(a, *cap * sz);
}

static void push_cand(builder *b, cand c)
{
    b->cands = grow(b->cands, b->n, &b->cap, sizeof *b->cands);
    b->cands[b->n++] = c;
}

static void push_path(builder *b, int node)
{
    b->paths = grow(b->paths, b->n_paths, &b->cap_paths, sizeof *b->paths);
    b->paths[b->n_paths++] = node;
}

/* Lists a type's candidates, sorted and cut after the repository's
 * cheapest; -1 if the root runs no model of the task. */
static int build_type(st_idn *g, builder *b, idn_type *t, st_error *err)
{
    const st_scenario *sc = g->sc;
    size_t start = b->n;
    t->path_first = b->n_paths;
    for (int k = t->entry; k >= 0; k = sc->nodes[k].parent) {
        const st_node_spec *ns = &sc->nodes[k];
        push_path(b, k);
        for (size_t m = 0; m < sc->n_models; m++) {
            const st_model *md = &sc->models[m];
            const st_profile *pr = &sc->hardware[ns->hardware].per_model[m];
            if (md->task != t->task || !pr->present)
                continue;
            int repo = ns->parent < 0;
            if (!repo && (pr->memory_mb > ns->memory_mb || capacity(g, k, pr) < 1))
                continue;
            cand c = {.var = repo ? NO_VAR : 0, .node = k, .model = (int)m,
                      .cost = st_dist_mean(&pr->exec_s) +
                              g->p.alpha_s * (1 - md->accuracy)};
            /* the network: each link below the node, both ways */
            for (int u = t->entry; u != k; u = sc->nodes[u].parent)
                c.cost += link_s(&sc->nodes[u].uplink, md->input_bytes,
                                 md->output_bytes);
            push_cand(b, c);
        }
    }
    t->path_len = b->n_paths - t->path_first;
    if (b->n > start)   /* qsort's array may not be NULL, even when empty */
        qsort(b->cands + start, b->n - start, sizeof *b->cands, cmp_cand);
    size_t repo = start;
    while (repo < b->n && b->cands[repo].var != NO_VAR)
        repo++;
    if (repo == b->n)
        return st_error_set(err, "%s: node '%s' is the repository (the root) "
                            "for requests entering at '%s', but it has no "
                            "profile for any model of task '%s'; an IDN "
                            "repository must run every task", sc->file,
                            sc->nodes[b->paths[b->n_paths - 1]].name,
                            sc->nodes[t->entry].name, sc->tasks[t->task]);
    /* Candidates as costly as the repository would gain nothing. */
    size_t keep = start;
    for (size_t i = start; i < repo; i++)
        if (b->cands[i].cost < b->cands[repo].cost)
            b->cands[keep++] = b->cands[i];
    b->cands[keep] = b->cands[repo];
    b->n = keep + 1;
    t->first = start;
    t->n = keep - start;
    for (size_t i = start; i < keep; i++)
        b->is_var[(size_t)b->cands[i].node * sc->n_models +
                  (size_t)b->cands[i].model] = 1;
    return 0;
}

/* The (task, entry) pairs the workload can produce, in a fixed order. */
static void list_types(st_idn *g)
{
    const st_scenario *sc = g->sc;
    size_t nt = sc->n_tasks;
    g->type_of = st_xcalloc(nt * g->n_nodes, sizeof *g->type_of);
    for (size_t i = 0; i < nt * g->n_nodes; i++)
        g->type_of[i] = -1;
    g->types = st_xcalloc(nt * g->n_nodes, sizeof *g->types);
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        const st_device_class *dc = &sc->devices[c];
        size_t ntask = dc->mix.n ? dc->mix.n : 1;
        for (size_t a = 0; a < dc->n_attach; a++)
            for (size_t k = 0; k < ntask; k++) {
                int task = dc->mix.n ? dc->mix.tasks[k] : dc->task;
                int entry = dc->attach_nodes[a];
                long *slot = &g->type_of[(size_t)task * g->n_nodes + (size_t)entry];
                if (*slot >= 0)
                    continue;
                *slot = (long)g->n_types;
                g->types[g->n_types++] = (idn_type){.task = task, .entry = entry};
            }
    }
}

/* Numbers the variables node by node, then points candidates at them and
 * lists where each variable occurs. */
static void number_vars(st_idn *g, const unsigned char *is_var)
{
    const st_scenario *sc = g->sc;
    size_t nm = sc->n_models;
    long *var_of = st_xcalloc(g->n_nodes * nm, sizeof *var_of);
    g->node_first = st_xcalloc(g->n_nodes, sizeof *g->node_first);
    g->node_count = st_xcalloc(g->n_nodes, sizeof *g->node_count);
    g->node_budget = st_xcalloc(g->n_nodes, sizeof *g->node_budget);
    for (size_t i = 0; i < g->n_nodes * nm; i++)
        g->n_vars += is_var[i];
    g->var_node = st_xcalloc(g->n_vars, sizeof *g->var_node);
    g->var_model = st_xcalloc(g->n_vars, sizeof *g->var_model);
    g->var_size = st_xcalloc(g->n_vars, sizeof *g->var_size);
    g->var_cap = st_xcalloc(g->n_vars, sizeof *g->var_cap);
    size_t j = 0;
    for (size_t v = 0; v < g->n_nodes; v++) {
        g->node_first[v] = j;
        g->node_budget[v] = sc->nodes[v].memory_mb;
        for (size_t m = 0; m < nm; m++) {
            var_of[v * nm + m] = -1;
            if (!is_var[v * nm + m])
                continue;
            const st_profile *pr = &sc->hardware[sc->nodes[v].hardware].per_model[m];
            var_of[v * nm + m] = (long)j;
            g->var_node[j] = (int)v;
            g->var_model[j] = (int)m;
            g->var_size[j] = pr->memory_mb;
            g->var_cap[j] = capacity(g, (int)v, pr);
            j++;
        }
        g->node_count[v] = j - g->node_first[v];
    }
    g->occ_first = st_xcalloc(g->n_vars + 1, sizeof *g->occ_first);
    for (size_t i = 0; i < g->n_cands; i++)
        if (g->cands[i].var != NO_VAR) {
            g->cands[i].var = var_of[(size_t)g->cands[i].node * nm +
                                     (size_t)g->cands[i].model];
            g->occ_first[g->cands[i].var + 1]++;
        }
    for (size_t k = 0; k < g->n_vars; k++)
        g->occ_first[k + 1] += g->occ_first[k];
    g->occs = st_xcalloc(g->occ_first[g->n_vars], sizeof *g->occs);
    size_t *fill = st_xcalloc(g->n_vars, sizeof *fill);
    for (size_t t = 0; t < g->n_types; t++)
        for (size_t k = 0; k < g->types[t].n; k++) {
            long v = g->cands[g->types[t].first + k].var;
            g->occs[g->occ_first[v] + fill[v]++] = (occ){t, k};
        }
    free(fill);
    free(var_of);
}

/* Per node and task, the variable of the cheapest model there (the model
 * a cache wants on that node). */
static void find_best_vars(st_idn *g)
{
    size_t nt = g->sc->n_tasks;
    g->best_var = st_xcalloc(g->n_nodes * nt, sizeof *g->best_var);
    double *best = st_xcalloc(g->n_nodes * nt, sizeof *best);
    for (size_t i = 0; i < g->n_nodes * nt; i++)
        g->best_var[i] = -1;
    /* The cost of (node, model) differs between types only by the network
     * part, which is the same for every model of a task on that node (up
     * to their byte sizes), so any type's order serves. */
    for (size_t i = 0; i < g->n_cands; i++) {
        const cand *c = &g->cands[i];
        if (c->var == NO_VAR)
            continue;
        size_t k = (size_t)c->node * nt + (size_t)g->sc->models[c->model].task;
        if (g->best_var[k] < 0 || c->cost < best[k]) {
            g->best_var[k] = c->var;
            best[k] = c->cost;
        }
    }
    free(best);
}

/* Per-slot state and records are kept for every slot of the run: at most
 * ST_MAX_SLOTS of them, whether the slot was given or is the default. */
static int check_slots(const st_scenario *sc, const st_idn_params *p,
                       st_error *err)
{
    double n = sc->duration_s / p->slot_s;
    if (n <= ST_MAX_SLOTS)
        return 0;
    return st_error_at(err, p->slot_file ? p->slot_file : sc->file,
                       p->slot_line, p->slot_col, "a slot of %g s makes %.3g "
                       "slots over the %g s run, more than %.3g; expected a "
                       "'slot' of at least %g s", p->slot_s, n, sc->duration_s,
                       ST_MAX_SLOTS, sc->duration_s / ST_MAX_SLOTS);
}

/* The offline reference keeps an expected count per slot and request
 * type: refused up front when that is more than a run may use. */
static int check_static_size(const st_idn *g, st_error *err)
{
    double ns = ceil(g->sc->duration_s / g->p.slot_s - 1e-9);
    double bytes = (ns > 1 ? ns : 1) * (double)g->n_types * sizeof(double);
    char why[160], need[32], lim[32];
    double limit = st_memory_limit(why, sizeof why);
    if (bytes <= limit)
        return 0;
    return st_error_set(err, "%s: %zu request types (tasks x access nodes) "
                        "over %.3g slots need %s for the expected counts, more "
                        "than the limit of %s (%s); expected a longer 'slot', "
                        "fewer tasks or fewer access nodes", g->sc->file,
                        g->n_types, ns, st_bytes_text(bytes, need, sizeof need),
                        st_bytes_text(limit, lim, sizeof lim), why);
}

int st_idn_new(const st_scenario *sc, const st_idn_params *p, st_idn **out,
               st_error *err)
{
    if (check_slots(sc, p, err))
        return -1;
    st_idn *g = st_xcalloc(1, sizeof *g);
    g->sc = sc;
    g->p = *p;
    g->n_nodes = sc->n_nodes;
    list_types(g);
    builder b = {.is_var = st_xcalloc(g->n_nodes * sc->n_models, 1)};
    int rc = check_static_size(g, err);
    for (size_t t = 0; t < g->n_types && !rc; t++)
        rc = build_type(g, &b, &g->types[t], err);
    g->cands = b.cands;
    g->n_cands = b.n;
    g->paths = b.paths;
    if (rc) {
        free(b.is_var);
        st_idn_free(g);
        return -1;
    }
    for (size_t t = 0; t < g->n_types; t++)
        if (g->types[t].n + 1 > g->max_len)
            g->max_len = g->types[t].n + 1;
    number_vars(g, b.is_var);
    free(b.is_var);
    find_best_vars(g);
    g->r = st_xcalloc(g->n_types, sizeof *g->r);
    g->used = st_xcalloc(g->n_vars, sizeof *g->used);
    g->used_static = st_xcalloc(g->n_vars, sizeof *g->used_static);
    g->offered = st_xcalloc(g->n_vars + 1, sizeof *g->offered);
    g->lcap = st_xcalloc(g->n_cands, sizeof *g->lcap);
    g->share = st_xcalloc(g->n_vars, sizeof *g->share);
    g->active = st_xcalloc(g->max_len, 1);
    g->static_y = st_xcalloc(g->n_vars, sizeof *g->static_y);
    g->static_x = st_xcalloc(g->n_vars, 1);
    g->held = st_xcalloc(g->n_vars + 1, 1);
    g->want = st_xcalloc(g->n_vars + 1, 1);
    st_idn_solve_static(g);
    *out = g;
    return 0;
}

void st_idn_free(st_idn *g)
{
    if (!g)
        return;
    free(g->var_node);
    free(g->var_model);
    free(g->var_size);
    free(g->var_cap);
    free(g->node_first);
    free(g->node_count);
    free(g->node_budget);
    free(g->occ_first);
    free(g->occs);
    free(g->types);
    free(g->cands);
    free(g->paths);
    free(g->type_of);
    free(g->best_var);
    free(g->static_y);
    free(g->static_x);
    free(g->held);
    free(g->want);
    free(g->hist);
    free(g->r);
    free(g->used);
    free(g->used_static);
    free(g->offered);
    free(g->lcap);
    free(g->share);
    free(g->active);
    free(g);
}

/* ---------- accessors ---------- */

size_t st_idn_n_vars(const st_idn *g) { return g->n_vars; }
int st_idn_var_node(const st_idn *g, size_t j) { return g->var_node[j]; }
int st_idn_var_model(const st_idn *g, size_t j) { return g->var_model[j]; }
double st_idn_var_size(const st_idn *g, size_t j) { return g->var_size[j]; }
double st_idn_var_capacity(const st_idn *g, size_t j) { return g->var_cap[j]; }
size_t st_idn_n_types(const st_idn *g) { return g->n_types; }
double st_idn_node_budget(const st_idn *g, int node) { return g->node_budget[node]; }
const unsigned char *st_idn_static_x(const st_idn *g) { return g->static_x; }
const double *st_idn_static_y(const st_idn *g) { return g->static_y; }
const st_idn_exact *st_idn_static_result(const st_idn *g) { return &g->static_res; }
const double *st_idn_slot_counts(const st_idn *g) { return g->r; }

void st_idn_node_vars(const st_idn *g, int node, size_t *first, size_t *count)
{
    *first = g->node_first[node];
    *count = g->node_count[node];
}

const int *st_idn_type_path(const st_idn *g, int type, size_t *len)
{
    *len = g->types[type].path_len;
    return &g->paths[g->types[type].path_first];
}

long st_idn_best_var(const st_idn *g, int node, int task)
{
    return g->best_var[(size_t)node * g->sc->n_tasks + (size_t)task];
}

/* ---------- the gain ---------- */

/* The capacity each candidate offers its type for counts r (the sharing
 * rule of idn.h), into g->lcap. */
void st_idn_fill_capacities(const st_idn *g, const double *r, double *lcap,
                            double *share)
{
    memset(share, 0, g->n_vars * sizeof *share);
    for (size_t t = 0; t < g->n_types; t++)
        for (size_t k = 0; k < g->types[t].n; k++)
            share[g->cands[g->types[t].first + k].var] += r[t];
    for (size_t t = 0; t < g->n_types; t++)
        for (size_t k = 0; k < g->types[t].n; k++) {
            size_t i = g->types[t].first + k;
            long v = g->cands[i].var;
            double l = g->p.sharing == ST_IDN_SHARE_FULL ? g->var_cap[v]
                       : share[v] > 0 ? g->var_cap[v] * r[t] / share[v] : 0;
            /* No more of the type's requests than there are (a compare,
             * not fmin: the same value, r[t] when l is NaN, uninlined
             * fmin being a call). */
            lcap[i] = l < r[t] ? l : r[t];
        }
}

/* One type's gain for allocation y (or x when y is NULL), with variable
 * `with` counted as allocated.  active[k] records whether the k-th min
 * was still below the demand. */
static double type_gain(const st_idn *g, size_t t, const double *y,
                        const unsigned char *x, long with, double r,
                        const double *lcap, unsigned char *active)
{
    const idn_type *ty = &g->types[t];
    const cand *c = &g->cands[ty->first];
    double z = 0, gain = 0;
    for (size_t k = 0; k < ty->n; k++) {
        long v = c[k].var;
        double a = v == with ? 1 : y ? y[v] : x[v];
        z += lcap[ty->first + k] * a;
        double served = z < r ? z : r;
        if (active)
            active[k] = z < r;
        gain += (c[k + 1].cost - c[k].cost) * served;
    }
    return gain;
}

double st_idn_gain(const st_idn *g, const double *y, const double *r,
                   double *grad)
{
    st_idn *m = (st_idn *)g;   /* scratch only */
    st_idn_fill_capacities(g, r, m->lcap, m->share);
    if (grad)
        memset(grad, 0, g->n_vars * sizeof *grad);
    double total = 0;
    for (size_t t = 0; t < g->n_types; t++) {
        if (r[t] <= 0)
            continue;
        total += type_gain(g, t, y, NULL, NO_VAR, r[t], m->lcap, m->active);
        if (!grad)
            continue;
        /* d/dy_k = l_k x sum over k' >= k of the active slopes. */
        const idn_type *ty = &g->types[t];
        const cand *c = &g->cands[ty->first];
        double tail = 0;
        for (size_t k = ty->n; k-- > 0;) {
            if (m->active[k])
                tail += c[k + 1].cost - c[k].cost;
            grad[c[k].var] += m->lcap[ty->first + k] * tail;
        }
    }
    return total;
}

/* Sum over count vectors r[i] (weights w[i]) of the marginal gain of j. */
double st_idn_marginal_w(const st_idn *g, const unsigned char *x,
                         const double *const *r, const double *const *lcap,
                         const double *w, size_t nr, size_t j)
{
    double d = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t o = g->occ_first[j]; o < g->occ_first[j + 1]; o++) {
            size_t t = g->occs[o].type;
            if (r[i][t] <= 0)
                continue;
            d += w[i] * (type_gain(g, t, NULL, x, (long)j, r[i][t], lcap[i], NULL) -
                         type_gain(g, t, NULL, x, NO_VAR, r[i][t], lcap[i], NULL));
        }
    return d;
}

double st_idn_marginal(const st_idn *g, const unsigned char *x,
                       const double *r, size_t j)
{
    st_idn *m = (st_idn *)g;
    st_idn_fill_capacities(g, r, m->lcap, m->share);
    const double *lc = m->lcap, w = 1;
    return st_idn_marginal_w(g, x, &r, &lc, &w, 1, j);
}
