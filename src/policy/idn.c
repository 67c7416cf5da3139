/* idn.c - the Inference Delivery Network machinery the IDN policies share
 * (idn.h): request types and their candidates, serving with per-slot
 * capacities, the gain and its supergradient, the capped-simplex
 * projection, DepRound, the greedy fill, the offline static reference and
 * the per-slot records.
 *
 * Choices where the paper leaves room (each stated again where made):
 * - Request types are (task, entry node); every device of a class draws
 *   its tasks from the same popularity, so types differ by where they
 *   enter.
 * - Capacity is counted in requests per slot from the mean execution time
 *   on the node's executors; the DES still queues requests for real.
 * - The mirror map is the size-weighted negative entropy sum s y log y:
 *   its step is y e^{eta g / s} and its Bregman projection onto the capped
 *   simplex is the exact scaling min(1, c yhat), found by sorting.
 * - DepRound settles a last fractional entry (unequal sizes) by a rule
 *   (st_idn_leftover): rounded down, or kept with its probability with
 *   other entries making room at random.
 * - The static reference is solved on the expected counts the workload
 *   specifies (rates and popularity over the whole run), not on the
 *   sampled arrivals: an offline reference that reads the future, which
 *   no online policy does.
 */
#include "policy/idn.h"
#include "base/xalloc.h"
#include "base/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>

#define FRACTION_EPS 1e-9   /* DepRound: closer than this to 0 or 1 is integral */
#define Y_FLOOR 1e-12       /* mirror step: the smallest yhat relative to a node's largest */
#define NO_VAR (-1L)

typedef struct cand {
    long var;        /* NO_VAR: the repository */
    int node, model;
    double cost;     /* seconds */
} cand;

typedef struct idn_type {
    int task, entry;
    size_t first;        /* into cands: n non-repository candidates, then the repository */
    size_t n;
    size_t path_first, path_len;
} idn_type;

typedef struct occ {
    size_t type, pos;
} occ;

struct st_idn {
    const st_scenario *sc;
    st_idn_params p;
    size_t n_nodes;
    /* variables, contiguous per node, by model within a node */
    size_t n_vars;
    int *var_node, *var_model;
    double *var_size, *var_cap;
    size_t *node_first, *node_count;
    double *node_budget;
    size_t *occ_first;   /* [n_vars + 1] into occs */
    occ *occs;
    /* types */
    size_t n_types, n_cands, max_len;
    idn_type *types;
    cand *cands;
    int *paths;
    long *type_of;       /* [n_tasks * n_nodes] */
    long *best_var;      /* [n_nodes * n_tasks] */
    /* the static reference */
    double *static_y;
    unsigned char *static_x;
    /* the current slot */
    long slot;
    double *r, *used, *used_static;
    double gain, gain_static, requests, loads, served[ST_TIER_CLOUD + 1];
    /* totals */
    double cum_gain, cum_static;
    double m_gain, m_static, m_frac, m_loads;
    long m_slots, m_frac_slots;
    /* scratch */
    double *lcap, *share;
    unsigned char *active;
};

/* ---------- parameters ---------- */

static double default_slot(const st_scenario *sc)
{
    for (size_t i = 0; i < sc->n_device_classes; i++)
        if (sc->devices[i].mix.n)
            return sc->devices[i].mix.slot_s;
    return 1;
}

static const char *const sharings[] = {"proportional", "full", NULL};

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
    ST_PARAM_INT("static_iters", 300, 0, 100000, "mirror-ascent steps of the "
                 "offline static reference"),
    ST_PARAM_REAL("static_eta", 0.5, 1e-6, 100, "their normalised step "
                  "size"),
    ST_PARAM_INT("static_draws", 16, 1, 100000, "roundings of the static "
                 "reference tried, the best kept"),
    ST_PARAM_END};

void st_idn_read_params(const st_params *params, const st_scenario *sc,
                        st_idn_params *out)
{
    const st_param *t = st_idn_param_table;
    out->alpha_s = st_param_real(params, t, "alpha");
    out->slot_s = st_param_real(params, t, "slot");
    if (isnan(out->slot_s))
        out->slot_s = default_slot(sc);
    out->sharing = (st_idn_sharing)st_param_choice(params, t, "sharing");
    out->capacity_scale = st_param_real(params, t, "capacity_scale");
    out->static_iters = st_param_int(params, t, "static_iters");
    out->static_eta = st_param_real(params, t, "static_eta");
    out->static_draws = st_param_int(params, t, "static_draws");
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

static void push_cand(builder *b, cand c)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->cands = realloc(b->cands, b->cap * sizeof *b->cands);
        if (!b->cands)
            abort();
    }
    b->cands[b->n++] = c;
}

static void push_path(builder *b, int node)
{
    if (b->n_paths == b->cap_paths) {
        b->cap_paths = b->cap_paths ? 2 * b->cap_paths : 256;
        b->paths = realloc(b->paths, b->cap_paths * sizeof *b->paths);
        if (!b->paths)
            abort();
    }
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

static void solve_static(st_idn *g);

int st_idn_new(const st_scenario *sc, const st_idn_params *p, st_idn **out,
               st_error *err)
{
    st_idn *g = st_xcalloc(1, sizeof *g);
    g->sc = sc;
    g->p = *p;
    g->n_nodes = sc->n_nodes;
    list_types(g);
    builder b = {.is_var = st_xcalloc(g->n_nodes * sc->n_models, 1)};
    int rc = 0;
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
    g->lcap = st_xcalloc(g->n_cands, sizeof *g->lcap);
    g->share = st_xcalloc(g->n_vars, sizeof *g->share);
    g->active = st_xcalloc(g->max_len, 1);
    g->static_y = st_xcalloc(g->n_vars, sizeof *g->static_y);
    g->static_x = st_xcalloc(g->n_vars, 1);
    solve_static(g);
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
    free(g->r);
    free(g->used);
    free(g->used_static);
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
static void fill_capacities(const st_idn *g, const double *r, double *lcap,
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
            /* No more of the type's requests than there are. */
            lcap[i] = fmin(l, r[t]);
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
    fill_capacities(g, r, m->lcap, m->share);
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
static double marginal_w(const st_idn *g, const unsigned char *x,
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
    fill_capacities(g, r, m->lcap, m->share);
    const double *lc = m->lcap, w = 1;
    return marginal_w(g, x, &r, &lc, &w, 1, j);
}

/* ---------- projection and rounding ---------- */

void st_idn_project(const double *yhat, const double *s, size_t n, double b,
                    double *y)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += s[i];
    if (total <= b) {
        for (size_t i = 0; i < n; i++)
            y[i] = 1;
        return;
    }
    size_t *idx = st_xcalloc(n, sizeof *idx);
    double *rest = st_xcalloc(n + 1, sizeof *rest);
    gsl_sort_index(idx, yhat, 1, n);   /* ascending: idx[n-1] is the largest */
    /* rest[k]: sum of s yhat over the entries ranked k.. (0 = largest). */
    for (size_t k = n; k-- > 0;) {
        size_t i = idx[n - 1 - k];
        rest[k] = rest[k + 1] + s[i] * yhat[i];
    }
    /* The k largest are capped at 1 and the others scaled by c; the first
     * k where the scaled ones stay <= 1 and the capped ones would reach 1
     * satisfies the optimality conditions. */
    double capped = 0, c = 0;
    size_t k = 0;
    for (; k < n; k++) {
        size_t top = idx[n - 1 - k];
        c = (b - capped) / rest[k];
        int rest_fits = c * yhat[top] <= 1 + 1e-12;
        int caps_ok = k == 0 || c * yhat[idx[n - k]] >= 1 - 1e-12;
        if (rest_fits && caps_ok && c >= 0)
            break;
        capped += s[top];
    }
    for (size_t i = 0; i < n; i++)
        y[i] = fmin(1, c * yhat[i]);
    free(idx);
    free(rest);
}

static double snap(double v)
{
    return v < FRACTION_EPS ? 0 : v > 1 - FRACTION_EPS ? 1 : v;
}

static int fractional(double v) { return v > 0 && v < 1; }

/* The next fractional entry in order[from..n), or n. */
static size_t next_fractional(const double *z, const size_t *order, size_t n,
                              size_t from)
{
    while (from < n && !fractional(z[order[from]]))
        from++;
    return from;
}

/* Uniformly random order of 0..n-1. */
static void shuffle(size_t *order, size_t n, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = gsl_rng_uniform_int(rng, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

/* The last fractional entry k, "fair": kept with probability z_k, other
 * kept entries then leaving in random order until it fits. */
static void keep_leftover(double *z, const double *s, size_t n, size_t k,
                          double budget, size_t *order, gsl_rng *rng)
{
    if (s[k] > budget * (1 + 1e-12) || gsl_rng_uniform(rng) >= z[k]) {
        z[k] = 0;
        return;
    }
    z[k] = 1;
    double used = 0;
    for (size_t i = 0; i < n; i++)
        used += s[i] * (z[i] >= 1);
    shuffle(order, n, rng);
    size_t a = 0;
    for (; a < n && used > budget * (1 + 1e-12); a++)
        if (order[a] != k && z[order[a]] >= 1) {
            z[order[a]] = -1;   /* evicted */
            used -= s[order[a]];
        }
    /* Evicting in a random order can overshoot: the evicted that still
     * fit come back, in the same order. */
    for (size_t b = 0; b < a; b++)
        if (z[order[b]] < 0 && used + s[order[b]] <= budget * (1 + 1e-12)) {
            z[order[b]] = 1;
            used += s[order[b]];
        }
    for (size_t i = 0; i < n; i++)
        z[i] = fmax(z[i], 0);
}

void st_idn_depround(const double *y, const double *s, size_t n,
                     st_idn_leftover leftover, gsl_rng *rng, unsigned char *x)
{
    double *z = st_xcalloc(n, sizeof *z), budget = 0;
    size_t *order = st_xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        z[i] = snap(y[i]);
        budget += s[i] * y[i];
    }
    shuffle(order, n, rng);   /* no entry is favoured by its place */
    size_t pi = next_fractional(z, order, n, 0);
    for (;;) {
        size_t pj = next_fractional(z, order, n, pi + 1);
        if (pj >= n)
            break;
        size_t i = order[pi], j = order[pj];
        /* Move size-weighted mass between i and j: up for i by a1 (down
         * for j by s_i a1 / s_j), or down by a2; the odds keep both
         * expectations and s_i z_i + s_j z_j unchanged, and either move
         * makes one of the two integral. */
        double ratio = s[j] / s[i];
        double a1 = fmin(1 - z[i], ratio * z[j]);
        double a2 = fmin(z[i], ratio * (1 - z[j]));
        if (gsl_rng_uniform(rng) * (a1 + a2) < a2) {
            z[i] += a1;
            z[j] -= a1 / ratio;
        } else {
            z[i] -= a2;
            z[j] += a2 / ratio;
        }
        z[i] = snap(z[i]);
        z[j] = snap(z[j]);
        if (fractional(z[i]) && fractional(z[j]))   /* rounding noise */
            z[fabs(z[i] - 0.5) > fabs(z[j] - 0.5) ? i : j] = 0;
        pi = fractional(z[i]) ? pi : pj;   /* the survivor goes on */
    }
    if (pi < n && fractional(z[order[pi]])) {
        if (leftover == ST_IDN_LEFTOVER_FAIR)
            keep_leftover(z, s, n, order[pi], budget, order, rng);
        else
            z[order[pi]] = 0;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = z[i] >= 1;
    free(order);
    free(z);
}

void st_idn_project_all(const st_idn *g, const double *yhat, double *y)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t f = g->node_first[v], n = g->node_count[v];
        if (n)
            st_idn_project(yhat + f, g->var_size + f, n, g->node_budget[v], y + f);
    }
}

void st_idn_round_all(const st_idn *g, const double *y,
                      st_idn_leftover leftover, gsl_rng *rng, unsigned char *x)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t f = g->node_first[v], n = g->node_count[v];
        if (n)
            st_idn_depround(y + f, g->var_size + f, n, leftover, rng, x + f);
    }
}

/* The mirror step of the weighted negative entropy, node by node, in logs
 * so large steps cannot overflow; the projection is invariant to scaling
 * a node's yhat, so each node's largest becomes 1, and nothing falls
 * below Y_FLOOR of it (a multiplicative state never recovers from 0). */
static void mirror_step(const st_idn *g, const double *y, const double *grad,
                        double eta, double *yhat)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t f = g->node_first[v], n = g->node_count[v];
        double top = -INFINITY;
        for (size_t j = f; j < f + n; j++) {
            yhat[j] = log(fmax(y[j], 1e-300)) + eta * grad[j] / g->var_size[j];
            top = fmax(top, yhat[j]);
        }
        for (size_t j = f; j < f + n; j++)
            yhat[j] = fmax(exp(yhat[j] - top), Y_FLOOR);
    }
}

void st_idn_mirror_ascent_step(const st_idn *g, double *y, const double *grad,
                               double eta, double *scratch)
{
    mirror_step(g, y, grad, eta, scratch);
    st_idn_project_all(g, scratch, y);
}

/* ---------- greedy ---------- */

/* Lazy greedy by marginal gain per MB over weighted count vectors, on the
 * variables of one node (the others fixed as x holds them) or, with node
 * -1, of all nodes from nothing.  G is submodular on integral
 * allocations, so a marginal only shrinks as x grows, and a stale bound
 * that still tops the others is exact. */
static void greedy_fill(const st_idn *g, const double *const *r,
                        const double *w, size_t nr, unsigned char *x,
                        long node)
{
    size_t lo = node < 0 ? 0 : g->node_first[node];
    size_t hi = node < 0 ? g->n_vars : lo + g->node_count[node];
    double **lcap = st_xcalloc(nr, sizeof *lcap);
    double *share = st_xcalloc(g->n_vars, sizeof *share);
    double *ub = st_xcalloc(g->n_vars, sizeof *ub);
    double *room = st_xcalloc(g->n_nodes, sizeof *room);
    for (size_t i = 0; i < nr; i++) {
        lcap[i] = st_xcalloc(g->n_cands, sizeof **lcap);
        fill_capacities(g, r[i], lcap[i], share);
    }
    memset(x + lo, 0, hi - lo);
    for (size_t v = 0; v < g->n_nodes; v++)
        room[v] = g->node_budget[v];
    for (size_t j = lo; j < hi; j++)
        ub[j] = INFINITY;
    for (;;) {
        long best = -1;
        for (size_t j = lo; j < hi; j++)
            if (!x[j] && g->var_size[j] <= room[g->var_node[j]] &&
                (best < 0 || ub[j] > ub[best]))
                best = (long)j;
        if (best < 0 || ub[best] <= 0)
            break;
        double m = marginal_w(g, x, r, (const double *const *)lcap, w, nr,
                              (size_t)best) / fmax(g->var_size[best], 1e-9);
        int top = 1;
        for (size_t j = lo; j < hi && top; j++)
            if ((long)j != best && !x[j] && g->var_size[j] <= room[g->var_node[j]] &&
                (ub[j] > m || (ub[j] == m && (long)j < best)))
                top = 0;
        ub[best] = m;
        if (!top)
            continue;
        if (m <= 0)
            break;
        x[best] = 1;
        room[g->var_node[best]] -= g->var_size[best];
    }
    for (size_t i = 0; i < nr; i++)
        free(lcap[i]);
    free(lcap);
    free(share);
    free(ub);
    free(room);
}

void st_idn_greedy(const st_idn *g, const double *r, unsigned char *x)
{
    const double w = 1;
    greedy_fill(g, &r, &w, 1, x, -1);
}

void st_idn_greedy_node(const st_idn *g, const double *r, unsigned char *x,
                        int node)
{
    const double w = 1;
    greedy_fill(g, &r, &w, 1, x, node);
}

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
static void solve_static(st_idn *g)
{
    size_t ns, n = g->n_vars;
    double *counts = st_idn_expected_counts(g, &ns);
    const double **phase = st_xcalloc(ns, sizeof *phase);
    double *w = st_xcalloc(ns, sizeof *w), *y = st_xcalloc(n, sizeof *y);
    size_t np = distinct_phases(g, counts, ns, phase, w);
    static_fractional(g, phase, w, np);
    unsigned char *x = st_xcalloc(n, 1);
    greedy_fill(g, phase, w, np, g->static_x, -1);
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

/* ---------- serving and the world ---------- */

/* The first candidate of type t that is allocated (per `have`, or the
 * world when have is NULL) and has capacity left in used[]; -1 for the
 * repository. */
static long first_fit(const st_idn *g, const st_view *v, size_t t,
                      const unsigned char *have, double *used)
{
    const idn_type *ty = &g->types[t];
    for (size_t k = 0; k < ty->n; k++) {
        const cand *c = &g->cands[ty->first + k];
        int alloc = have ? have[c->var] : st_view_resident(v, c->node, c->model);
        if (alloc && used[c->var] < g->var_cap[c->var]) {
            used[c->var]++;
            return (long)k;
        }
    }
    return -1;
}

static double cost_at(const st_idn *g, size_t t, long pos)
{
    const idn_type *ty = &g->types[t];
    return g->cands[ty->first + (pos < 0 ? ty->n : (size_t)pos)].cost;
}

st_idn_served st_idn_serve(st_idn *g, const st_view *v, const st_request *req,
                           st_decision *out)
{
    int entry = st_view_attach(v, req->device);
    long t = g->type_of[(size_t)req->task * g->n_nodes + (size_t)entry];
    out->estimate_s = NAN;
    if (t < 0) {   /* not from the workload the types were built from */
        out->drop = 1;
        return (st_idn_served){-1, -1, NO_VAR};
    }
    const idn_type *ty = &g->types[t];
    long pos = first_fit(g, v, (size_t)t, NULL, g->used);
    long spos = first_fit(g, v, (size_t)t, g->static_x, g->used_static);
    double repo = cost_at(g, (size_t)t, -1);
    g->r[t]++;
    g->requests++;
    g->gain += repo - cost_at(g, (size_t)t, pos);
    g->gain_static += repo - cost_at(g, (size_t)t, spos);
    const cand *c = &g->cands[ty->first + (pos < 0 ? ty->n : (size_t)pos)];
    g->served[st_view_node_tier(v, c->node)]++;
    out->drop = 0;
    out->node = c->node;
    out->model = c->model;
    return (st_idn_served){(int)t, (int)pos, c->var};
}

int st_idn_set(st_idn *g, const st_view *v, size_t j, int on)
{
    int node = g->var_node[j], model = g->var_model[j];
    int was = st_view_resident(v, node, model);
    if (!!was == !!on)
        return 0;
    if (st_view_set_resident(v, node, model, on) != 0)
        return -1;
    g->loads += on;
    return 0;
}

/* Is model m on node one of the node's variables? */
static int is_var(const st_idn *g, int node, int m)
{
    size_t f = g->node_first[node], n = g->node_count[node];
    for (size_t j = f; j < f + n; j++)
        if (g->var_model[j] == m)
            return 1;
    return 0;
}

void st_idn_apply(st_idn *g, const st_view *v, const unsigned char *x)
{
    /* A node the policy manages holds only its allocation: models that
     * are no variable (preloaded, say) are evicted too. */
    for (size_t node = 0; node < g->n_nodes; node++)
        if (g->node_count[node])
            for (size_t m = 0; m < g->sc->n_models; m++)
                if (st_view_resident(v, (int)node, (int)m) && !is_var(g, (int)node, (int)m))
                    st_view_set_resident(v, (int)node, (int)m, 0);
    for (size_t j = 0; j < g->n_vars; j++)
        if (!x[j])
            st_idn_set(g, v, j, 0);
    for (size_t j = 0; j < g->n_vars; j++)
        if (x[j])
            st_idn_set(g, v, j, 1);
}

/* ---------- the slot's records ---------- */

static const char *const served_names[] = {"served_device", "served_access",
    "served_edge", "served_regional", "served_cloud"};

void st_idn_slot_end(st_idn *g, const st_view *v, double frac)
{
    long k = g->slot;
    st_view_emit(v, k, "requests", g->requests);
    st_view_emit(v, k, "gain_integral", g->gain);
    if (!isnan(frac))
        st_view_emit(v, k, "gain_fractional", frac);
    st_view_emit(v, k, "gain_static", g->gain_static);
    g->cum_gain += g->gain;
    g->cum_static += g->gain_static;
    st_view_emit(v, k, "gain_avg_norm",
                 g->cum_static > 0 ? g->cum_gain / g->cum_static : NAN);
    for (int t = ST_TIER_ACCESS; t <= ST_TIER_CLOUD; t++)
        st_view_emit(v, k, served_names[t], g->served[t]);
    st_view_emit(v, k, "loads", g->loads);
    /* Run metrics over the slots that start after the warm-up, like the
     * other metrics. */
    if ((double)k * g->p.slot_s >= g->sc->warmup_s - 1e-9) {
        g->m_slots++;
        g->m_gain += g->gain;
        g->m_static += g->gain_static;
        g->m_loads += g->loads;
        if (!isnan(frac)) {
            g->m_frac += frac;
            g->m_frac_slots++;
        }
        st_view_metric(v, "idn_slots", (double)g->m_slots);
        st_view_metric(v, "idn_gain_per_slot", g->m_gain / (double)g->m_slots);
        st_view_metric(v, "idn_gain_vs_static",
                       g->m_static > 0 ? g->m_gain / g->m_static : NAN);
        st_view_metric(v, "idn_loads_per_slot", g->m_loads / (double)g->m_slots);
        if (g->m_frac_slots)
            st_view_metric(v, "idn_fractional_gain_per_slot",
                           g->m_frac / (double)g->m_frac_slots);
    }
    memset(g->r, 0, g->n_types * sizeof *g->r);
    memset(g->used, 0, g->n_vars * sizeof *g->used);
    memset(g->used_static, 0, g->n_vars * sizeof *g->used_static);
    memset(g->served, 0, sizeof g->served);
    g->gain = g->gain_static = g->requests = g->loads = 0;
    g->slot++;
}
