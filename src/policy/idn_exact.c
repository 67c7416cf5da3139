/* idn_exact.c - the best fixed integral allocation of an IDN for given
 * request counts, solved exactly as a mixed-integer program with GLPK
 * (idn_static.h, st_idn_solve_exact).
 *
 * For count vectors r_i with weights w_i the objective is
 *     sum_i w_i G(x; r_i),   G(x; r) = sum_p sum_k (C_{k+1} - C_k) min(r_p, z_pk),
 *     z_pk = sum_{j <= k} l_pj x_j    (idn.h),
 * over binary x with sum_m s_m x_m <= budget on every node.  Each min
 * with a positive slope becomes a continuous u in [0, r_p] with
 * u <= z_pk: the objective rewards u, so at the optimum u is the min and
 * the program is exact.  Its LP relaxation (x in [0, 1]) is the
 * fractional problem max sum_i w_i G(y; r_i) over the same polytope, an
 * upper bound on the integral optimum.
 *
 * GLPK solves the relaxation by the simplex method and then the program
 * by branch and cut from that basis, seeded with a first incumbent: the
 * greedy fill, or the caller's start allocation when it gains more (the
 * hindsight solve starts from the static reference's).  Submodular cuts
 * (below) tighten the relaxation where capacity binds.  Branch and cut
 * stops at a time limit (wall clock, so a run that hits it is not
 * reproducible: the gap says so) or a limit on
 * the nodes of the search tree (deterministic); either way the incumbent
 * and its proven gap are returned, never a silent heuristic.
 */
#include "policy/idn_impl.h"
#include "policy/idn_cache.h"
#include "base/xalloc.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glpk.h>

/* The program's columns and rows while it is built. */
typedef struct mip {
    glp_prob *lp;
    int *ia, *ja;          /* constraint triplets, 1-based as GLPK wants */
    double *ar;
    size_t nnz, cap;
} mip;

static void put(mip *m, int row, int col, double v)
{
    if (m->nnz + 1 >= m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->ia = st_xrealloc(m->ia, m->cap * sizeof *m->ia);
        m->ja = st_xrealloc(m->ja, m->cap * sizeof *m->ja);
        m->ar = st_xrealloc(m->ar, m->cap * sizeof *m->ar);
    }
    m->nnz++;
    m->ia[m->nnz] = row;
    m->ja[m->nnz] = col;
    m->ar[m->nnz] = v;
}

/* Columns 1..n_vars are the allocation. */
static void add_allocation(const st_idn *g, mip *m)
{
    if (g->n_vars)
        glp_add_cols(m->lp, (int)g->n_vars);
    for (size_t j = 0; j < g->n_vars; j++)
        glp_set_col_kind(m->lp, (int)j + 1, GLP_BV);
    for (size_t v = 0; v < g->n_nodes; v++) {
        if (!g->node_count[v])
            continue;
        int row = glp_add_rows(m->lp, 1);
        glp_set_row_bnds(m->lp, row, GLP_UP, 0, g->node_budget[v]);
        for (size_t j = g->node_first[v]; j < g->node_first[v] + g->node_count[v]; j++)
            put(m, row, (int)j + 1, g->var_size[j]);
    }
}

/* The gain of type p in count vector i is r_p min(1, sum_{j <= k} a_j x_j)
 * summed over k with the slopes as weights, a_j = l_pj / r_p in [0, 1].
 * Count vectors whose a agree (every one where capacity does not bind,
 * where all a are 1) add up exactly into one group of weight
 * R = sum of w_i r_ip: the program grows with the distinct capacity
 * situations, not with the number of slots. */
typedef struct group {
    size_t type;
    double weight;       /* R */
    double *a;           /* [n candidates of the type] */
} group;

typedef struct groups {
    group *g;
    size_t n, cap;
} groups;

static void add_to_groups(groups *gs, size_t t, size_t first, const double *a,
                          size_t n, double weight)
{
    for (size_t i = first; i < gs->n; i++)
        if (memcmp(gs->g[i].a, a, n * sizeof *a) == 0) {
            gs->g[i].weight += weight;
            return;
        }
    if (gs->n == gs->cap) {
        gs->cap = gs->cap ? 2 * gs->cap : 64;
        gs->g = st_xrealloc(gs->g, gs->cap * sizeof *gs->g);
    }
    double *copy = st_xcalloc(n + 1, sizeof *copy);
    memcpy(copy, a, n * sizeof *a);
    gs->g[gs->n++] = (group){t, weight, copy};
}

/* Every weighted count vector's candidate capacities, n_cands a vector
 * (those of weight 0 left at 0): each is computed once, not once per
 * type. */
static double *slot_capacities(const st_idn *g, const double *const *r,
                               const double *w, size_t nr)
{
    double *lcaps = st_xcalloc(nr * g->n_cands + 1, sizeof *lcaps);
    double *share = st_xcalloc(g->n_vars + 1, sizeof *share);
    for (size_t i = 0; i < nr; i++)
        if (w[i] > 0)
            st_idn_fill_capacities(g, r[i], lcaps + i * g->n_cands, share);
    free(share);
    return lcaps;
}

/* The groups of every type, a type's groups contiguous. */
static groups make_groups(const st_idn *g, const double *const *r,
                          const double *w, size_t nr)
{
    groups gs = {0};
    double *lcaps = slot_capacities(g, r, w, nr);
    double *a = st_xcalloc(g->max_len + 1, sizeof *a);
    size_t *start = st_xcalloc(g->n_types + 1, sizeof *start);
    for (size_t t = 0; t < g->n_types; t++)
        start[t] = SIZE_MAX;
    /* type by type, so that a type's groups stay together */
    for (size_t t = 0; t < g->n_types; t++) {
        start[t] = gs.n;
        for (size_t i = 0; i < nr; i++) {
            if (r[i][t] <= 0 || w[i] <= 0)
                continue;
            const double *lcap = lcaps + i * g->n_cands;
            const idn_type *ty = &g->types[t];
            for (size_t k = 0; k < ty->n; k++) {
                /* (no NaN: a capacity is at most the count, which is > 0) */
                double f = lcap[ty->first + k] / r[i][t];
                a[k] = f < 1 ? f : 1;
            }
            add_to_groups(&gs, t, start[t], a, ty->n, w[i] * r[i][t]);
        }
    }
    free(start);
    free(a);
    free(lcaps);
    return gs;
}

static void free_groups(groups *gs)
{
    for (size_t i = 0; i < gs->n; i++)
        free(gs->g[i].a);
    free(gs->g);
}

/* Does group term (gr, k) get a column: a positive slope and some reach? */
static int has_term(const st_idn *g, const group *gr, size_t k, double reach)
{
    const cand *c = &g->cands[g->types[gr->type].first];
    return c[k + 1].cost - c[k].cost > 0 && reach > 0;
}

/* A term column: group and candidate it stands for. */
typedef struct term {
    size_t group, k;
} term;

typedef struct terms {
    term *t;             /* [n], column n_vars + 1 + i is t[i] */
    size_t n, cap;
} terms;

/* One u <= R sum_{j <= k} a_j x_j, u <= R, per group and candidate. */
static void add_terms(const st_idn *g, mip *m, const groups *gs, terms *ts)
{
    for (size_t i = 0; i < gs->n; i++) {
        const group *gr = &gs->g[i];
        const idn_type *ty = &g->types[gr->type];
        const cand *c = &g->cands[ty->first];
        double reach = 0;
        for (size_t k = 0; k < ty->n; k++) {
            reach += gr->a[k];
            if (!has_term(g, gr, k, reach))
                continue;
            int col = glp_add_cols(m->lp, 1);
            glp_set_col_bnds(m->lp, col, GLP_DB, 0, gr->weight);
            glp_set_obj_coef(m->lp, col, c[k + 1].cost - c[k].cost);
            int row = glp_add_rows(m->lp, 1);
            glp_set_row_bnds(m->lp, row, GLP_UP, 0, 0);
            put(m, row, col, 1);
            for (size_t q = 0; q <= k; q++)
                if (gr->a[q] > 0)
                    put(m, row, (int)c[q].var + 1, -gr->weight * gr->a[q]);
            if (ts->n == ts->cap) {
                ts->cap = ts->cap ? 2 * ts->cap : 256;
                ts->t = st_xrealloc(ts->t, ts->cap * sizeof *ts->t);
            }
            ts->t[ts->n++] = (term){i, k};
        }
    }
}

/* ---------- submodular cuts ----------
 * A term u_k stands for F(T) = R min(1, sum_{q in T} a_q), T the
 * allocated candidates among N = {q <= k : a_q > 0}.  F is nondecreasing
 * and submodular, so for every S in N (Nemhauser, Wolsey and Fisher 1978;
 * rho_j(S) = F(S + j) - F(S)) both
 *   u <= F(S) - sum_{j in S} rho_j(N - j) (1 - x_j) + sum_{j not in S} rho_j(S) x_j
 *   u <= F(S) - sum_{j in S} rho_j(S - j) (1 - x_j) + sum_{j not in S} rho_j({}) x_j
 * hold at every integral x: they cut off no allocation.  Where capacity
 * does not bind (every a is 1) the rows of add_terms already describe the
 * hull; where it binds (a < 1 and their sum past 1) the relaxation buys
 * more of the min with fractional x than any integral x can, and these
 * inequalities take that back.  Separation: S runs over the prefixes of N
 * by decreasing x*, and the most violated of the inequalities is added
 * when it is violated by more than MIN_VIOLATION of R.  Only at the root:
 * measured on the capacity-binding studies (experiments/README.md), cuts
 * in every node of the search tree tail off into thousands of weak rows
 * and slow the search down, where the root's close most of the gap. */

#define MIN_VIOLATION 1e-3

static double min1(double v) { return v < 1 ? v : 1; }

/* One inequality in units of R: u / R - sum_j coef[j] x_j <= return
 * value, for S the first m of ord and form 0 or 1 as above. */
static double cut_coefs(const double *a, const size_t *ord, size_t n,
                        size_t m, int form, double *coef)
{
    double as = 0, an = 0;
    for (size_t i = 0; i < n; i++) {
        an += a[i];
        as += i < m ? a[ord[i]] : 0;
    }
    double cst = min1(as);
    for (size_t i = 0; i < n; i++) {
        size_t j = ord[i];
        if (i < m) {
            double rho = form == 0 ? min1(an) - min1(an - a[j])
                                   : min1(as) - min1(as - a[j]);
            coef[j] = rho;
            cst -= rho;
        } else {
            coef[j] = form == 0 ? min1(as + a[j]) - min1(as) : min1(a[j]);
        }
    }
    return cst;
}

/* Scratch for one term's separation, max_len + 2 long. */
typedef struct sep {
    double *a, *xs, *coef;
    size_t *ord;
    int *ind;
    double *val;
} sep;

static sep new_sep(const st_idn *g)
{
    size_t n = g->max_len + 2;
    return (sep){st_xcalloc(n, sizeof(double)), st_xcalloc(n, sizeof(double)),
                 st_xcalloc(n, sizeof(double)), st_xcalloc(n, sizeof(size_t)),
                 st_xcalloc(n, sizeof(int)), st_xcalloc(n, sizeof(double))};
}

static void free_sep(sep *sp)
{
    free(sp->a);
    free(sp->xs);
    free(sp->coef);
    free(sp->ord);
    free(sp->ind);
    free(sp->val);
}

/* The candidates of a term with some reach, their x* and columns; the
 * number of them, 0 when every x* is integral (the rows hold there). */
static size_t term_support(const st_idn *g, const group *gr, size_t k,
                           glp_prob *lp, sep *sp)
{
    const cand *c = &g->cands[g->types[gr->type].first];
    size_t n = 0;
    int fractional = 0;
    for (size_t q = 0; q <= k; q++) {
        if (gr->a[q] <= 0)
            continue;
        sp->a[n] = gr->a[q];
        sp->ind[n + 1] = (int)c[q].var + 1;
        sp->xs[n] = glp_get_col_prim(lp, sp->ind[n + 1]);
        fractional |= sp->xs[n] > 1e-9 && sp->xs[n] < 1 - 1e-9;
        n++;
    }
    return fractional ? n : 0;
}

/* Adds the most violated inequality of term column col, if any. */
static void separate_term(glp_tree *tree, glp_prob *lp, const st_idn *g,
                          const group *gr, size_t k, int col, sep *sp)
{
    double u = glp_get_col_prim(lp, col) / gr->weight;
    size_t n = term_support(g, gr, k, lp, sp);
    if (n == 0 || u <= 1e-9)
        return;
    for (size_t i = 0; i < n; i++) {   /* by decreasing x*, insertion */
        size_t j = i;
        for (; j > 0 && sp->xs[sp->ord[j - 1]] < sp->xs[i]; j--)
            sp->ord[j] = sp->ord[j - 1];
        sp->ord[j] = i;
    }
    double best = u - MIN_VIOLATION;
    size_t best_m = 0;
    int best_form = -1;
    for (size_t m = 0; m <= n; m++)
        for (int form = 0; form < 2; form++) {
            double rhs = cut_coefs(sp->a, sp->ord, n, m, form, sp->coef);
            for (size_t i = 0; i < n; i++)
                rhs += sp->coef[i] * sp->xs[i];
            if (rhs < best) {
                best = rhs;
                best_m = m;
                best_form = form;
            }
        }
    if (best_form < 0)
        return;
    double cst = cut_coefs(sp->a, sp->ord, n, best_m, best_form, sp->coef);
    for (size_t i = 0; i < n; i++)
        sp->val[i + 1] = -gr->weight * sp->coef[i];
    sp->ind[n + 1] = col;
    sp->val[n + 1] = 1;
    glp_ios_add_row(tree, NULL, 101, 0, (int)n + 1, sp->ind, sp->val, GLP_UP,
                    gr->weight * cst);
}

/* What the branch-and-cut callback needs and learns. */
typedef struct search {
    const st_idn *g;
    const groups *gs;
    const terms *ts;
    sep sp;
    const unsigned char *seed;   /* the first incumbent, offered once */
    int offered;
    long node_limit;             /* 0: none */
    int stopped;
    double bound;                /* best bound of the open nodes seen last */
} search;

/* The full column vector of an integral x: u at the min it stands for. */
static double *columns_of(const search *s, glp_prob *lp, const unsigned char *x)
{
    const st_idn *g = s->g;
    double *col = st_xcalloc((size_t)glp_get_num_cols(lp) + 1, sizeof *col);
    int at = 1;
    for (size_t j = 0; j < g->n_vars; j++)
        col[at++] = x[j];
    for (size_t i = 0; i < s->gs->n; i++) {
        const group *gr = &s->gs->g[i];
        const cand *c = &g->cands[g->types[gr->type].first];
        double reach = 0, z = 0;
        for (size_t k = 0; k < g->types[gr->type].n; k++) {
            reach += gr->a[k];
            z += gr->a[k] * x[c[k].var];
            if (has_term(g, gr, k, reach))
                col[at++] = gr->weight * fmin(z, 1);
        }
    }
    return col;
}

/* One round of submodular cuts on the current subproblem's solution. */
static void separate(search *s, glp_tree *tree)
{
    glp_prob *lp = glp_ios_get_prob(tree);
    for (size_t i = 0; i < s->ts->n; i++) {
        const term *t = &s->ts->t[i];
        separate_term(tree, lp, s->g, &s->gs->g[t->group], t->k,
                      (int)(s->g->n_vars + 1 + i), &s->sp);
    }
}

static void callback(glp_tree *tree, void *info)
{
    search *s = info;
    int best = glp_ios_best_node(tree);
    if (best)
        s->bound = glp_ios_node_bound(tree, best);
    switch (glp_ios_reason(tree)) {
    case GLP_IHEUR:
        if (!s->offered) {
            s->offered = 1;
            double *col = columns_of(s, glp_ios_get_prob(tree), s->seed);
            glp_ios_heur_sol(tree, col);
            free(col);
        }
        break;
    case GLP_ICUTGEN:
        if (glp_ios_node_level(tree, glp_ios_curr_node(tree)) == 0)
            separate(s, tree);
        break;
    case GLP_ISELECT: {
        int active, current, total;
        glp_ios_tree_size(tree, &active, &current, &total);
        if (s->node_limit > 0 && total > s->node_limit) {
            s->stopped = 1;
            glp_ios_terminate(tree);
        }
        break;
    }
    default:
        break;
    }
}

/* The LP relaxation: its value, and its x part into y when y != NULL. */
static int solve_relaxation(const st_idn *g, glp_prob *lp, double *y,
                            double *value)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp, &sm) != 0 || glp_get_status(lp) != GLP_OPT)
        return -1;
    *value = glp_get_obj_val(lp);
    for (size_t j = 0; y && j < g->n_vars; j++)
        y[j] = fmin(1, fmax(0, glp_get_col_prim(lp, (int)j + 1)));
    return 0;
}

/* Does allocation x fit every node's budget? */
static int fits(const st_idn *g, const unsigned char *x)
{
    for (size_t v = 0; v < g->n_nodes; v++) {
        double used = 0;
        for (size_t j = g->node_first[v]; j < g->node_first[v] + g->node_count[v]; j++)
            used += x[j] ? g->var_size[j] : 0;
        if (used > g->node_budget[v] * (1 + 1e-12))
            return 0;
    }
    return 1;
}

/* The first incumbent into x: the greedy fill, or start when that fits
 * and gains more; the greedy fill's value into *greedy. */
static void first_incumbent(const st_idn *g, const double *const *r,
                            const double *w, size_t nr,
                            const unsigned char *start, unsigned char *x,
                            double *greedy)
{
    st_idn_greedy_fill(g, r, w, nr, x, -1);
    *greedy = st_idn_phases_gain_x(g, x, r, w, nr);
    if (start && fits(g, start) &&
        st_idn_phases_gain_x(g, start, r, w, nr) > *greedy)
        memcpy(x, start, g->n_vars);
}

/* The solve itself, without the cache. */
static int solve_fresh(const st_idn *g, const double *const *r,
                       const double *w, size_t nr, double time_limit_s,
                       long node_limit, const unsigned char *start,
                       unsigned char *x, double *y, st_idn_exact *out)
{
    memset(out, 0, sizeof *out);
    int was = glp_term_out(GLP_OFF);   /* GLPK talks even at GLP_MSG_OFF */
    mip m = {.lp = glp_create_prob()};
    glp_set_obj_dir(m.lp, GLP_MAX);
    add_allocation(g, &m);
    groups gs = make_groups(g, r, w, nr);
    terms ts = {0};
    add_terms(g, &m, &gs, &ts);
    if (m.nnz)
        glp_load_matrix(m.lp, (int)m.nnz, m.ia, m.ja, m.ar);
    /* a first incumbent, and the answer if all else fails */
    first_incumbent(g, r, w, nr, start, x, &out->greedy);
    search s = {.g = g, .gs = &gs, .ts = &ts, .sp = new_sep(g), .seed = x,
                .node_limit = node_limit, .bound = INFINITY};
    int rc = -1;
    if (g->n_vars == 0) {
        /* Nothing to allocate (every model is where it is fixed): the
         * empty allocation is the optimum, and GLPK's cover cuts abort
         * on a problem without columns; its bound is its value. */
        out->solved = 1;
        rc = 0;
    } else if (solve_relaxation(g, m.lp, y, &out->lp) == 0) {
        glp_iocp io;
        glp_init_iocp(&io);
        io.msg_lev = GLP_MSG_OFF;
        io.br_tech = GLP_BR_PCH;
        io.bt_tech = GLP_BT_BPH;
        /* knapsack covers on the budgets close the root gap of the
         * study's instances; pseudocost branching, best projection.
         * Gomory, MIR and clique cuts too, when asked: measured, they
         * prove GEANT's capacity-binding hindsight optimum in a tenth of
         * the time and stop the tree's (2,000 groups) at the limit,
         * where covers alone prove it (experiments/README.md). */
        io.cov_cuts = GLP_ON;
        if (g->p.static_cuts == ST_IDN_CUTS_ALL)
            io.gmi_cuts = io.mir_cuts = io.clq_cuts = GLP_ON;
        io.cb_func = callback;
        io.cb_info = &s;
        io.tm_lim = time_limit_s * 1000 < INT_MAX ? (int)(time_limit_s * 1000) : INT_MAX;
        int ret = glp_intopt(m.lp, &io);
        int st = glp_mip_status(m.lp);
        if ((ret == 0 || ret == GLP_ETMLIM || ret == GLP_ESTOP) &&
            (st == GLP_OPT || st == GLP_FEAS)) {
            for (size_t j = 0; j < g->n_vars; j++)
                x[j] = glp_mip_col_val(m.lp, (int)j + 1) > 0.5;
            out->solved = st == GLP_OPT && ret == 0;
            out->time_limit_hit = ret == GLP_ETMLIM;
            out->node_limit_hit = s.stopped;
            rc = 0;
        }
    }
    /* The value is recomputed from x, so it is G itself, whatever the
     * solver's tolerances. */
    out->value = st_idn_phases_gain_x(g, x, r, w, nr);
    if (rc != 0)
        out->lp = INFINITY;   /* nothing proven */
    else if (g->n_vars == 0)
        out->lp = out->value;
    out->bound = out->solved ? out->value : fmin(out->lp, s.bound);
    if (out->bound < out->value)
        out->bound = out->value;
    out->gap = out->solved ? 0 : (out->bound - out->value) /
                                 fmax(fabs(out->value), DBL_EPSILON);
    glp_delete_prob(m.lp);
    free(m.ia);
    free(m.ja);
    free(m.ar);
    free_groups(&gs);
    free(ts.t);
    free_sep(&s.sp);
    glp_term_out(was);
    return rc;
}

/* Through the cache of the process's solves (idn_cache.c): a hit is the
 * answer a fresh solve gives; a solve stopped by its time limit is not
 * reproducible and is not stored. */
int st_idn_solve_exact(const st_idn *g, const double *const *r,
                       const double *w, size_t nr, double time_limit_s,
                       long node_limit, const unsigned char *start,
                       unsigned char *x, double *y, st_idn_exact *out)
{
    st_idn_cache_key *k = st_idn_cache_key_new(g, r, w, nr, time_limit_s,
                                               node_limit, start, y != NULL);
    int rc;
    if (k && st_idn_cache_get(k, g->n_vars, x, y, out, &rc)) {
        st_idn_cache_key_free(k);
        return rc;
    }
    rc = solve_fresh(g, r, w, nr, time_limit_s, node_limit, start, x, y, out);
    if (k && !out->time_limit_hit)
        st_idn_cache_put(k, g->n_vars, x, y, out, rc);
    else
        st_idn_cache_key_free(k);
    return rc;
}
