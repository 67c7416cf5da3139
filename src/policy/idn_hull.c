/* idn_hull.c - the `hull` rounding of one node's fractional allocation
 * (idn_opt.h, st_idn_hull_round): a random feasible set whose marginals
 * are y whenever y lies in the convex hull P of the feasible sets, and
 * otherwise the marginals q <= y in P that hold the most memory.
 *
 * P = conv{T : s(T) <= b} is down-closed, so the best q is the linear
 * program
 *     max sum_T p_T s(T)   s.t.  sum_{T ∋ m} p_T <= y_m  (every m),
 *                                sum_T p_T <= 1,  p >= 0,
 * the empty set taking what is left of the probability.  Its value is
 * s.y exactly when y is in P, and then every marginal is y_m (q <= y and
 * s > 0).  It is solved by column generation with GLPK: a column is a
 * feasible set; with the duals u_m of the marginal rows and w of the
 * total, a set improves the program when sum_{m in T} (s_m - u_m) > w,
 * and the best set is a 0/1 knapsack (profits s_m - u_m, sizes s_m,
 * capacity b) solved exactly by depth-first branch and bound.  One
 * uniform then picks a set from p (so coupled rounding reuses it).  A
 * basic optimum has at most n + 1 sets.
 */
#include "policy/idn_impl.h"
#include "base/xalloc.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRICE_EPS 1e-9    /* a column must improve by more than this */
#define MAX_ROUNDS 400    /* column-generation rounds at most */

/* The knapsack of the pricing step: items in decreasing profit per MB. */
typedef struct knap {
    size_t n, *item;
    const double *profit, *s;
    double cap, best;
    unsigned char *take, *best_take;
} knap;

/* The fractional (Dantzig) bound of filling room from item k on. */
static double bound(const knap *k, size_t from, double room)
{
    double v = 0;
    for (size_t a = from; a < k->n && room > 0; a++) {
        size_t i = k->item[a];
        double f = fmin(1, room / k->s[i]);
        v += f * k->profit[i];
        room -= f * k->s[i];
    }
    return v;
}

static void dfs(knap *k, size_t a, double room, double value)
{
    if (value > k->best) {
        k->best = value;
        memcpy(k->best_take, k->take, k->n);
    }
    if (a == k->n || value + bound(k, a, room) <= k->best + 1e-12)
        return;
    size_t i = k->item[a];
    if (k->s[i] <= room) {
        k->take[a] = 1;
        dfs(k, a + 1, room - k->s[i], value + k->profit[i]);
        k->take[a] = 0;
    }
    dfs(k, a + 1, room, value);
}

/* Sorts item[0..n) by decreasing key (insertion: n is a node's models). */
static void sort_by_key(size_t *item, size_t n, const double *key)
{
    for (size_t a = 1; a < n; a++) {
        size_t i = item[a], b = a;
        for (; b > 0 && key[item[b - 1]] < key[i]; b--)
            item[b] = item[b - 1];
        item[b] = i;
    }
}

/* The most profitable set that fits b among the entries with y > 0 and a
 * positive profit; its value, and in `set` its members. */
static double best_set(const double *profit, const double *s, const double *y,
                       size_t n, double b, unsigned char *set)
{
    knap k = {.profit = profit, .s = s, .cap = b};
    k.item = st_xcalloc(n + 1, sizeof *k.item);
    double *ratio = st_xcalloc(n + 1, sizeof *ratio);
    for (size_t i = 0; i < n; i++)
        if (y[i] > 0 && profit[i] > 0 && s[i] <= b) {
            ratio[i] = profit[i] / s[i];
            k.item[k.n++] = i;
        }
    sort_by_key(k.item, k.n, ratio);
    k.take = st_xcalloc(k.n + 1, 1);
    k.best_take = st_xcalloc(k.n + 1, 1);
    dfs(&k, 0, b, 0);
    memset(set, 0, n);
    for (size_t a = 0; a < k.n; a++)
        set[k.item[a]] = k.best_take[a];
    free(k.item);
    free(ratio);
    free(k.take);
    free(k.best_take);
    return k.best;
}

/* The columns so far: sets of n entries, one after another. */
typedef struct cols {
    size_t n, count, cap;
    unsigned char *sets;
} cols;

static void add_column(glp_prob *lp, cols *c, const unsigned char *set,
                       const double *s)
{
    if (c->count == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->sets = st_xreallocarray(c->sets, c->cap, c->n);
    }
    memcpy(c->sets + c->count * c->n, set, c->n);
    c->count++;
    int col = glp_add_cols(lp, 1), len = 0;
    int *ind = st_xcalloc(c->n + 2, sizeof *ind);
    double *val = st_xcalloc(c->n + 2, sizeof *val), size = 0;
    for (size_t i = 0; i < c->n; i++)
        if (set[i]) {
            ind[++len] = (int)i + 1;
            val[len] = 1;
            size += s[i];
        }
    ind[++len] = (int)c->n + 1;
    val[len] = 1;
    glp_set_mat_col(lp, col, len, ind, val);
    glp_set_col_bnds(lp, col, GLP_LO, 0, 0);
    glp_set_obj_coef(lp, col, size);
    free(ind);
    free(val);
}

/* The column holding exactly `set`, or -1: no two columns are equal. */
static long find_set(const cols *c, const unsigned char *set)
{
    for (size_t k = 0; k < c->count; k++)
        if (!memcmp(c->sets + k * c->n, set, c->n))
            return (long)k;
    return -1;
}

/* The program's rows and its first columns: every entry that fits alone. */
static glp_prob *master(const double *y, const double *s, size_t n, double b,
                        cols *c)
{
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MAX);
    glp_add_rows(lp, (int)n + 1);
    for (size_t i = 0; i < n; i++)
        glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0, fmin(1, fmax(0, y[i])));
    glp_set_row_bnds(lp, (int)n + 1, GLP_UP, 0, 1);
    unsigned char *one = st_xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++)
        if (y[i] > 0 && s[i] <= b) {
            one[i] = 1;
            add_column(lp, c, one, s);
            one[i] = 0;
        }
    free(one);
    return lp;
}

/* Solves the program by column generation; 0 when solved. */
static int solve(glp_prob *lp, const double *y, const double *s, size_t n,
                 double b, cols *c)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    double *profit = st_xcalloc(n + 1, sizeof *profit);
    unsigned char *set = st_xcalloc(n + 1, 1);
    int rc = -1;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        if (glp_simplex(lp, &sm) != 0 || glp_get_status(lp) != GLP_OPT)
            break;
        for (size_t i = 0; i < n; i++)
            profit[i] = s[i] - glp_get_row_dual(lp, (int)i + 1);
        double w = glp_get_row_dual(lp, (int)n + 1);
        if (best_set(profit, s, y, n, b, set) <= w + PRICE_EPS * (1 + fabs(w)) ||
            find_set(c, set) >= 0) {   /* (a column again: rounding noise) */
            rc = 0;
            break;
        }
        add_column(lp, c, set, s);
    }
    free(profit);
    free(set);
    return rc;
}

/* The distribution: columns in c, their probabilities in *p (c->count of
 * them); 0 when solved. */
static int distribution(const double *y, const double *s, size_t n, double b,
                        cols *c, double **p)
{
    int was = glp_term_out(GLP_OFF);
    glp_prob *lp = master(y, s, n, b, c);
    int rc = c->count ? solve(lp, y, s, n, b, c) : 0;
    *p = st_xcalloc(c->count + 1, sizeof **p);
    for (size_t k = 0; rc == 0 && k < c->count; k++)
        (*p)[k] = fmax(0, glp_get_col_prim(lp, (int)k + 1));
    glp_delete_prob(lp);
    glp_term_out(was);
    return rc;
}

/* The column u falls in when the columns take weights w (of sum > 0). */
static size_t pick(const double *w, size_t count, double u)
{
    double total = 0, acc = 0;
    for (size_t k = 0; k < count; k++)
        total += w[k];
    for (size_t k = 0; k < count; k++)
        if (u * total < (acc += w[k]))
            return k;
    return count;   /* the empty set's share */
}

int st_idn_hull_round(const double *y, const double *s, size_t n, double b,
                      gsl_rng *rng, unsigned char *x)
{
    cols c = {.n = n ? n : 1};
    double *p, u = gsl_rng_uniform(rng);
    int rc = distribution(y, s, n, b, &c, &p);
    p[c.count] = 1;   /* the empty set: what the columns leave */
    for (size_t k = 0; k < c.count; k++)
        p[c.count] -= p[k];
    p[c.count] = fmax(0, p[c.count]);
    size_t k = rc == 0 ? pick(p, c.count + 1, u) : c.count;
    memset(x, 0, n);
    if (k < c.count)
        memcpy(x, c.sets + k * c.n, n);
    free(p);
    free(c.sets);
    return rc;
}

/* Probability of `set` under the memo's distribution. */
static double memo_prob(const st_idn_hull_memo *m, const unsigned char *set)
{
    for (size_t k = 0; k < m->count; k++)
        if (!memcmp(m->sets + k * m->n, set, m->n))
            return m->p[k];
    return 0;
}

/* The maximal coupling of the previous draw X ~ p (the memo) and the new
 * distribution p': keep X with probability min(1, p'(X) / p(X)), else
 * draw from the excess (p' - p)^+ normalised.  P(new = T) = min(p(T),
 * p'(T)) + (p'(T) - p(T))^+ = p'(T): the new draw has exactly the new
 * marginals, and it differs from the previous one with probability
 * TV(p, p'), the least any coupling allows. */
static size_t couple_draw(const st_idn_hull_memo *m, const cols *c,
                          const double *p, gsl_rng *rng)
{
    double u = gsl_rng_uniform(rng), v = gsl_rng_uniform(rng);
    double was = memo_prob(m, m->held);
    long again = find_set(c, m->held);
    double now = again >= 0 ? p[again] : 0;
    if (was > 0 && u * was < now)
        return (size_t)again;
    double *excess = st_xcalloc(c->count + 1, sizeof *excess), total = 0;
    for (size_t k = 0; k < c->count; k++) {
        excess[k] = fmax(0, p[k] - memo_prob(m, c->sets + k * c->n));
        total += excess[k];
    }
    size_t k = total > 0 ? pick(excess, c->count, v) : pick(p, c->count, v);
    free(excess);
    return k;
}

int st_idn_hull_round_keep(const double *y, const double *s, size_t n,
                           double b, st_idn_hull_memo *m, gsl_rng *rng,
                           unsigned char *x)
{
    /* the empty set is a column here, so that it can be kept too */
    cols c = {.n = n ? n : 1};
    double *p;
    int rc = distribution(y, s, n, b, &c, &p);
    double rest = 1;
    for (size_t k = 0; k < c.count; k++)
        rest -= p[k];
    unsigned char *none = st_xcalloc(c.n, 1);
    if (find_set(&c, none) < 0) {
        if (c.count == c.cap) {
            c.cap = c.cap ? 2 * c.cap : 16;
            c.sets = st_xreallocarray(c.sets, c.cap, c.n);
        }
        memset(c.sets + c.count * c.n, 0, c.n);
        p[c.count++] = fmax(0, rest);
    }
    free(none);
    size_t k = rc != 0 ? c.count : m->count ? couple_draw(m, &c, p, rng)
                                            : pick(p, c.count, gsl_rng_uniform(rng));
    memset(x, 0, n);
    if (k < c.count)
        memcpy(x, c.sets + k * c.n, n);
    /* the memo: this distribution and what was drawn from it */
    free(m->sets);
    free(m->p);
    m->n = c.n;
    m->count = rc == 0 ? c.count : 0;
    m->sets = c.sets;
    m->p = p;
    m->held = st_xrealloc(m->held, c.n);
    memset(m->held, 0, c.n);
    memcpy(m->held, x, n);
    return rc;
}

void st_idn_hull_memo_free(st_idn_hull_memo *m)
{
    free(m->sets);
    free(m->p);
    free(m->held);
    memset(m, 0, sizeof *m);
}

int st_idn_hull_marginals(const double *y, const double *s, size_t n, double b,
                          double *q)
{
    cols c = {.n = n ? n : 1};
    double *p;
    int rc = distribution(y, s, n, b, &c, &p);
    for (size_t i = 0; i < n; i++) {
        q[i] = 0;
        for (size_t k = 0; k < c.count; k++)
            q[i] += p[k] * c.sets[k * c.n + i];
    }
    free(p);
    free(c.sets);
    return rc;
}
