/* idn_opt.h - the optimisation the IDN policies use (idn_opt.c): the
 * capped-simplex projection and DepRound on one node's vector, the same
 * node by node on a whole allocation, the mirror-ascent step and the
 * greedy fill.  Private to src/policy; included through idn.h.
 */
#ifndef STRATA_IDN_OPT_H
#define STRATA_IDN_OPT_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

typedef struct st_idn st_idn;

/* The Bregman projection for the weighted negative entropy
 * sum_m s_m y_m log y_m onto {sum_m s_m y_m = b, 0 <= y_m <= 1}: y_m =
 * min(1, c yhat_m) with c found exactly by sorting.  yhat > 0.  When
 * sum s <= b the set holds only y = 1, which is returned. */
void st_idn_project(const double *yhat, const double *s, size_t n, double b,
                    double *y);
/* What DepRound does with the entry its pairing leaves fractional, which
 * happens only with unequal sizes and is usually the largest (it survives
 * every pairing with a smaller one).  With unequal sizes no rule can keep
 * E[x] = y and every draw within the budget for every y of the capped
 * simplex (sizes 3, 3, 4, budget 5, y = (1/3, 1/3, 1/2): any two models
 * overflow, so P(some model) = 1/3 + 1/3 + 1/2 > 1); each rule gives up
 * one of the two, or room. */
typedef enum st_idn_leftover {
    ST_IDN_LEFTOVER_DOWN,  /* rounded down: that entry alone is biased low */
    ST_IDN_LEFTOVER_FAIR,  /* kept with its probability, other kept
                              entries leaving at random until it fits:
                              the bias is spread over the others */
    ST_IDN_LEFTOVER_MARGIN, /* the state lives under the budget minus the
                              largest model that fits (st_idn_state_budget)
                              and the leftover is rounded up with its
                              probability: E[x] = y exactly and every draw
                              fits, at the price of that margin */
    ST_IDN_LEFTOVER_HULL   /* no pairing: a feasible set drawn from the
                              distribution whose marginals q <= y hold the
                              most memory (st_idn_hull_round): E[x] = y
                              exactly when y is in the convex hull of the
                              feasible sets, else biased low by the least
                              memory possible */
} st_idn_leftover;

/* The budget a node's fractional state lives under for a rule: b for down
 * and fair; for margin, b - s_max with s_max the largest s_m <= b (0 when
 * none fits, and never below 0).  Models larger than b are never held. */
double st_idn_state_budget(const double *s, size_t n, double b,
                           st_idn_leftover leftover);
/* The projection for a rule: st_idn_project onto st_idn_state_budget, the
 * models larger than b held at 0 under margin. */
void st_idn_project_rule(const double *yhat, const double *s, size_t n,
                         double b, st_idn_leftover leftover, double *y);

/* DepRound: a random integral x from y, pairing fractional entries (in a
 * random order) and moving size-weighted mass between them, each move
 * keeping both entries' expectations and sum s_m z_m, until at most one
 * is fractional; that one is settled by `leftover`.  Every draw fits the
 * node's budget b when y lies under st_idn_state_budget (down and fair:
 * every draw fits sum s_m y_m).  With equal sizes and an integral sum y
 * nothing is left over: the draw meets the budget exactly and E[x] = y.
 * Under margin E[x] = y for every y under the state budget. */
void st_idn_depround(const double *y, const double *s, size_t n, double b,
                     st_idn_leftover leftover, gsl_rng *rng, unsigned char *x);
/* The hull rounding: x a feasible set (s(x) <= b) drawn with one uniform
 * from a distribution over feasible sets with marginals q <= y of most
 * memory s.q, found by column generation (idn_hull.c); q = y when y lies
 * in the convex hull of the feasible sets.  Returns 0, or -1 (x empty)
 * when the linear program could not be solved. */
int st_idn_hull_round(const double *y, const double *s, size_t n, double b,
                      gsl_rng *rng, unsigned char *x);
/* The hull rounding coupled to the previous draw: a node's last
 * distribution and the set drawn from it. */
typedef struct st_idn_hull_memo {
    size_t n, count;
    unsigned char *sets, *held;
    double *p;
} st_idn_hull_memo;
/* As st_idn_hull_round, but keeping the memo's held set with the largest
 * probability any draw with the new marginals allows (a maximal
 * coupling: x differs from it with probability the total-variation
 * distance of the two distributions); m starts zeroed and is updated. */
int st_idn_hull_round_keep(const double *y, const double *s, size_t n,
                           double b, st_idn_hull_memo *m, gsl_rng *rng,
                           unsigned char *x);
void st_idn_hull_memo_free(st_idn_hull_memo *m);
/* The marginals q of that distribution (what E[x] is). */
int st_idn_hull_marginals(const double *y, const double *s, size_t n, double b,
                          double *q);
/* How a whole allocation is rounded: the rule; with reseed nonzero, node
 * v's draw starts from the generator seeded reseed + v, so successive
 * roundings reuse the same uniforms (a small change of y changes few
 * entries of x; each call is still a draw with its own marginals); with
 * keep (hull only: one memo per node), each node's draw is maximally
 * coupled to its previous one (st_idn_hull_round_keep). */
typedef struct st_idn_rounding {
    st_idn_leftover leftover;
    unsigned long reseed;
    st_idn_hull_memo *keep;   /* [n_nodes], or NULL */
} st_idn_rounding;

/* The projection and the rounding node by node on a whole allocation,
 * each node under its rule's state budget. */
void st_idn_project_all(const st_idn *g, const double *yhat,
                        st_idn_leftover leftover, double *y);
void st_idn_round_all(const st_idn *g, const double *y,
                      const st_idn_rounding *how, gsl_rng *rng,
                      unsigned char *x);

/* One step of online mirror ascent on the whole allocation: y <-
 * project(y e^{eta_v grad / (s c_v)}) node by node, under the state
 * budget of `leftover` (st_idn_project_all; scratch: n_vars
 * doubles).  With normalise, c_v is the node's largest |grad_j| / s_j,
 * so every node's largest exponent is eta_v whatever the traffic (a node
 * whose supergradient is 0 stays); without, c_v = 1 and eta carries the
 * units of grad / s.  Entries never fall below 1e-12 of their node's
 * largest before the projection, so a multiplicative state can always
 * recover. */
void st_idn_mirror_ascent_step(const st_idn *g, double *y, const double *grad,
                               const double *eta, int normalise,
                               st_idn_leftover leftover, double *scratch);
/* How fractional y is: the share of variables strictly between 0.01 and
 * 0.99. */
double st_idn_fractional_share(const st_idn *g, const double *y);
/* The greedy fill: from nothing, repeatedly allocate the variable with the
 * largest marginal gain per MB for counts r that fits its node's free
 * memory, while that gain is positive.  st_idn_greedy fills every node
 * together; st_idn_greedy_node refills one node's variables of x, the
 * other nodes fixed as x holds them. */
void st_idn_greedy(const st_idn *g, const double *r, unsigned char *x);
void st_idn_greedy_node(const st_idn *g, const double *r, unsigned char *x,
                        int node);

#endif
