/* test_idn.c - the Inference Delivery Network machinery: the capped-simplex
 * projection against brute force, DepRound's frequencies and budgets, the
 * gain's supergradient against finite differences, trees and Zipf
 * workloads read from YAML, and the IDN policies on a small run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_cdf.h>

#include "policy/idn.h"
#include "policy/idn_cache.h"
#include "policy/idn_impl.h"
#include "base/rng.h"
#include "strata/scenario.h"
#include "world/world.h"

/* A 1 + 2 + 4 tree, two tasks of two models each, Zipf over the tasks
 * sliding every 3 slots.  %s: the policy line. */
static const char *small_tmpl =
    "name: idn-small\nseed: 3\nduration: 60 s\nwarmup: 10 s\n"
    "models:\n"
    "  - {name: a1, task: ta, accuracy: 0.6, size_mb: 10, input_bytes: 1000, output_bytes: 100}\n"
    "  - {name: a2, task: ta, accuracy: 0.8, size_mb: 30, input_bytes: 1000, output_bytes: 100}\n"
    "  - {name: b1, task: tb, accuracy: 0.5, size_mb: 20, input_bytes: 5000, output_bytes: 100}\n"
    "  - {name: b2, task: tb, accuracy: 0.9, size_mb: 40, input_bytes: 5000, output_bytes: 100}\n"
    "hardware:\n"
    "  - {name: dev, profiles: {}}\n"
    "  - name: small\n"
    "    profiles: {a1: {exec_ms: 5, load_ms: 50}, a2: {exec_ms: 20, load_ms: 80}, b1: {exec_ms: 8}, b2: {exec_ms: 40}}\n"
    "  - name: big\n"
    "    profiles: {a1: {exec_ms: 1}, a2: {exec_ms: 4}, b1: {exec_ms: 2}, b2: {exec_ms: 8}}\n"
    "topology:\n"
    "  tree:\n"
    "    - {name: cloud, tier: cloud, hardware: big, executors: 8, preload: all}\n"
    "    - {name: edge, tier: edge, fanout: 2, hardware: big, executors: 2, memory_mb: 50,\n"
    "       uplink: {up: {mbps: 100}, down: {mbps: 100}, rtt_ms: 30}}\n"
    "    - {name: acc, tier: access, fanout: 2, hardware: small, executors: 1, memory_mb: 35,\n"
    "       uplink: {up: {mbps: 50}, down: {mbps: 50}, rtt_ms: 10}}\n"
    "devices:\n"
    "  - name: u\n    count: 8\n    hardware: dev\n    attach: access\n"
    "    link: {up: {mbps: 20}, down: {mbps: 20}, rtt_ms: 5}\n"
    "    workload: {tasks: {zipf: 1, slot: 5 s, shift_every: 3}, arrival: {process: poisson, rate_per_s: 2}, slo_ms: 200}\n"
    "policy: %s\n";

static st_scenario *load_small(const char *policy)
{
    char text[4096];
    snprintf(text, sizeof text, small_tmpl, policy);
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("small.yaml", text, strlen(text), ".", NULL, 0,
                              &sc, &err))
        fail_msg("%s", err.msg);
    return sc;
}

static st_idn *small_idn_cuts(st_scenario *sc, st_idn_sharing sharing,
                              st_idn_cuts cuts)
{
    st_idn_params p = {.alpha_s = 0.5, .slot_s = 5, .sharing = sharing,
                       .capacity_scale = 1, .static_time_limit_s = 60,
                       .static_cuts = cuts, .hindsight = 1};
    st_idn *g;
    st_error err;
    if (st_idn_new(sc, &p, &g, &err))
        fail_msg("%s", err.msg);
    return g;
}

static st_idn *small_idn(st_scenario *sc, st_idn_sharing sharing)
{
    return small_idn_cuts(sc, sharing, ST_IDN_CUTS_COVER);
}

/* ---------- the projection ---------- */

static double sum_sy(const double *s, const double *y, size_t n)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += s[i] * y[i];
    return t;
}

/* The weighted KL divergence the projection minimises. */
static double divergence(const double *y, const double *yhat, const double *s,
                         size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d += s[i] * ((y[i] > 0 ? y[i] * log(y[i] / yhat[i]) : 0) - y[i] + yhat[i]);
    return d;
}

static void check_feasible(const double *y, const double *s, size_t n, double b)
{
    for (size_t i = 0; i < n; i++) {
        assert_true(y[i] >= 0);
        assert_true(y[i] <= 1);
    }
    assert_true(fabs(sum_sy(s, y, n) - b) <= 1e-9 * fmax(1, b));
}

static void test_project_hand_made(void **state)
{
    (void)state;
    double y[4];
    /* equal weights, nothing capped: each gets its share */
    const double h1[] = {1, 1, 1, 1}, s1[] = {1, 1, 1, 1};
    st_idn_project(h1, s1, 4, 2, y);
    for (int i = 0; i < 4; i++)
        assert_true(fabs(y[i] - 0.5) < 1e-12);
    /* a large entry is capped at 1, the rest share what is left */
    const double h2[] = {10, 1, 1};
    st_idn_project(h2, s1, 3, 2, y);
    assert_true(fabs(y[0] - 1) < 1e-12 && fabs(y[1] - 0.5) < 1e-12 &&
                fabs(y[2] - 0.5) < 1e-12);
    /* exactly at the cap */
    const double h3[] = {4, 2, 1, 1};
    st_idn_project(h3, s1, 4, 2, y);
    assert_true(fabs(y[0] - 1) < 1e-12 && fabs(y[1] - 0.5) < 1e-12 &&
                fabs(y[3] - 0.25) < 1e-12);
    /* sizes weigh the budget: 2 y0 + y1 + y2 = 2 with one scale */
    const double h4[] = {1, 1, 1}, s4[] = {2, 1, 1};
    st_idn_project(h4, s4, 3, 2, y);
    assert_true(fabs(y[0] - 0.5) < 1e-12 && fabs(y[2] - 0.5) < 1e-12);
    check_feasible(y, s4, 3, 2);
    /* a budget holding everything: all ones */
    st_idn_project(h4, s4, 3, 10, y);
    assert_true(y[0] == 1 && y[1] == 1 && y[2] == 1);
}

/* Every way of capping a subset at 1 and scaling the rest by one factor
 * (the form the optimality conditions force); the feasible one with the
 * least divergence. */
static void brute_force(const double *yhat, const double *s, size_t n,
                        double b, double *best)
{
    double y[8], best_d = INFINITY;
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        double capped = 0, rest = 0;
        for (size_t i = 0; i < n; i++) {
            if (mask & (1u << i))
                capped += s[i];
            else
                rest += s[i] * yhat[i];
        }
        double c = rest > 0 ? (b - capped) / rest : 0;
        if (c < 0 || (rest == 0 && capped != b))
            continue;
        int ok = 1;
        for (size_t i = 0; i < n; i++) {
            y[i] = mask & (1u << i) ? 1 : c * yhat[i];
            ok &= y[i] <= 1 + 1e-12;
        }
        double d = divergence(y, yhat, s, n);
        if (ok && d < best_d) {
            best_d = d;
            memcpy(best, y, n * sizeof *y);
        }
    }
}

static void test_project_matches_brute_force(void **state)
{
    (void)state;
    gsl_rng *r = st_rng_stream(7, "test-project");
    for (int trial = 0; trial < 2000; trial++) {
        size_t n = 2 + gsl_rng_uniform_int(r, 6);
        double yhat[8], s[8], y[8], want[8], total = 0;
        for (size_t i = 0; i < n; i++) {
            yhat[i] = 0.01 + 3 * gsl_rng_uniform(r);
            s[i] = 0.5 + 10 * gsl_rng_uniform(r);
            total += s[i];
        }
        double b = total * (0.05 + 0.9 * gsl_rng_uniform(r));
        st_idn_project(yhat, s, n, b, y);
        check_feasible(y, s, n, b);
        brute_force(yhat, s, n, b, want);
        for (size_t i = 0; i < n; i++)
            assert_true(fabs(y[i] - want[i]) < 1e-9);
        /* and no feasible move along the budget lowers the divergence */
        double d = divergence(y, yhat, s, n);
        for (int k = 0; k < 20; k++) {
            size_t i = gsl_rng_uniform_int(r, n), j = gsl_rng_uniform_int(r, n);
            double e = 1e-4 * gsl_rng_uniform(r), z[8];
            if (i == j)
                continue;
            memcpy(z, y, n * sizeof *z);
            z[i] += e / s[i];
            z[j] -= e / s[j];
            if (z[i] > 1 || z[j] < 0)
                continue;
            assert_true(divergence(z, yhat, s, n) >= d - 1e-12);
        }
    }
    gsl_rng_free(r);
}

/* ---------- DepRound ---------- */

static void test_depround_equal_sizes(void **state)
{
    (void)state;
    const double y[] = {0.9, 0.7, 0.5, 0.4, 0.3, 0.2}, s[] = {5, 5, 5, 5, 5, 5};
    enum { N = 6, DRAWS = 40000 };
    gsl_rng *r = st_rng_stream(11, "test-depround");
    for (int mode = 0; mode < 3; mode++) {
        long hits[N] = {0};
        unsigned char x[N];
        for (int d = 0; d < DRAWS; d++) {
            st_idn_depround(y, s, N, 15, (st_idn_leftover)mode, r, x);
            int k = 0;
            for (int i = 0; i < N; i++) {
                k += x[i];
                hits[i] += x[i];
            }
            assert_int_equal(k, 3);   /* sum y = 3: the budget is met exactly */
        }
        for (int i = 0; i < N; i++) {
            double f = (double)hits[i] / DRAWS, sd = sqrt(y[i] * (1 - y[i]) / DRAWS);
            if (fabs(f - y[i]) > 4.5 * sd)
                fail_msg("mode %d, model %d: frequency %.4f for y %.2f (sd %.4f)",
                         mode, i, f, y[i], sd);
        }
    }
    gsl_rng_free(r);
}

/* Draws of one instance: per-entry hit counts, and the largest load. */
static double draw_many(const double *y, const double *s, size_t n, double b,
                        st_idn_leftover mode, gsl_rng *r, long draws,
                        long *hits)
{
    unsigned char x[16];
    double worst = 0;
    memset(hits, 0, n * sizeof *hits);
    for (long d = 0; d < draws; d++) {
        st_idn_depround(y, s, n, b, mode, r, x);
        double load = 0;
        for (size_t i = 0; i < n; i++) {
            load += s[i] * x[i];
            hits[i] += x[i];
        }
        worst = fmax(worst, load);
    }
    return worst;
}

/* The most extreme standardised deviation (f - y) / sd over the entries
 * with 0 < y < 1, signed. */
static double worst_z(const double *y, const long *hits, size_t n, long draws)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] <= 1e-9 || y[i] >= 1 - 1e-9) {
            if (hits[i] != (y[i] >= 0.5 ? draws : 0))
                fail_msg("model %zu: y %.3g integral, drawn %ld of %ld", i, y[i],
                         hits[i], draws);
            continue;
        }
        double z = ((double)hits[i] / (double)draws - y[i]) /
                   sqrt(y[i] * (1 - y[i]) / (double)draws);
        if (fabs(z) > fabs(worst))
            worst = z;
    }
    return worst;
}

/* Unequal sizes, existing rules: every draw fits, and their known bias
 * shows.  "down" leaves the largest model nearly out; "fair" keeps it at
 * its y, at the others' expense; both fail the frequency test the margin
 * rule passes (test_depround_margin). */
static void test_depround_unequal_sizes(void **state)
{
    (void)state;
    enum { N = 7, DRAWS = 40000 };
    const double y[] = {0.8, 0.5, 0.6, 0.6, 0.5, 0.9, 0.35};
    const double s[] = {14, 75, 28, 178, 13, 42, 233};
    double b = sum_sy(s, y, N);
    gsl_rng *r = st_rng_stream(12, "test-depround");
    double largest[2];
    for (int mode = 0; mode < 2; mode++) {
        long hits[N];
        double worst = draw_many(y, s, N, b, (st_idn_leftover)mode, r, DRAWS, hits);
        assert_true(worst <= b + 1e-9);   /* every draw fits */
        double used = 0;
        for (int i = 0; i < N; i++) {
            double f = (double)hits[i] / DRAWS, sd = sqrt(y[i] * (1 - y[i]) / DRAWS);
            used += s[i] * f;
            if (f > y[i] + 4.5 * sd)
                fail_msg("mode %d, model %d: frequency %.4f above y %.2f", mode,
                         i, f, y[i]);
        }
        /* the small models, which pairing settles, are nearly unbiased
         * when the leftover is rounded down */
        if (mode == ST_IDN_LEFTOVER_DOWN)
            for (int i = 0; i < N; i++)
                if (s[i] < 50 && fabs((double)hits[i] / DRAWS - y[i]) > 0.03)
                    fail_msg("model %d (%g MB): frequency %.4f for y %.2f", i,
                             s[i], (double)hits[i] / DRAWS, y[i]);
        largest[mode] = (double)hits[6] / DRAWS;
        assert_true(used >= b - 233);   /* at most one model's worth is lost */
        /* the bias: some entry at least 10 standard deviations low */
        double z = worst_z(y, hits, N, DRAWS);
        if (z > -10)
            fail_msg("mode %d: no entry biased (worst z %.2f)", mode, z);
    }
    assert_true(largest[ST_IDN_LEFTOVER_DOWN] < 0.2);
    assert_true(fabs(largest[ST_IDN_LEFTOVER_FAIR] - y[6]) < 0.03);
    gsl_rng_free(r);
}

/* The margin rule on random instances with unequal sizes (5 to 200 MB,
 * budgets from the largest model to most of the zoo): y from the
 * projection under the rule, so under b - s_max.  Every draw fits b, and
 * every entry's frequency over DRAWS draws matches y: |f - y| <= z* sd,
 * sd = sqrt(y (1 - y) / DRAWS), with z* the two-sided normal quantile at
 * 0.001 Bonferroni-corrected over all the fractional entries tested
 * (4.5 for 160 entries).  Seeded, so the outcome is fixed; a biased
 * rule fails by tens of sd (test_depround_unequal_sizes). */
static void test_depround_margin(void **state)
{
    (void)state;
    enum { INST = 20, N = 8, DRAWS = 10000 };
    gsl_rng *r = st_rng_stream(14, "test-depround-margin");
    double y[INST][N], s[INST][N], b[INST];
    size_t tested = 0;
    for (int k = 0; k < INST; k++) {
        double yhat[N], total = 0, top = 0;
        for (int i = 0; i < N; i++) {
            s[k][i] = 5 + 195 * gsl_rng_uniform(r);
            yhat[i] = 0.05 + gsl_rng_uniform(r);
            total += s[k][i];
            top = fmax(top, s[k][i]);
        }
        b[k] = top + (0.2 + 0.6 * gsl_rng_uniform(r)) * (total - top);
        st_idn_project_rule(yhat, s[k], N, b[k], ST_IDN_LEFTOVER_MARGIN, y[k]);
        double room = st_idn_state_budget(s[k], N, b[k], ST_IDN_LEFTOVER_MARGIN);
        assert_true(fabs(room - (b[k] - top)) < 1e-9);
        assert_true(sum_sy(s[k], y[k], N) <= room + 1e-9);
        for (int i = 0; i < N; i++)
            tested += y[k][i] > 1e-9 && y[k][i] < 1 - 1e-9;
    }
    assert_true(tested >= INST * N / 2);   /* mostly fractional states */
    double zstar = gsl_cdf_ugaussian_Qinv(0.001 / (2.0 * (double)tested));
    for (int k = 0; k < INST; k++) {
        long hits[N];
        double worst = draw_many(y[k], s[k], N, b[k], ST_IDN_LEFTOVER_MARGIN, r,
                                 DRAWS, hits);
        if (worst > b[k] + 1e-9)
            fail_msg("instance %d: a draw of %.3f MB over the budget %.3f", k,
                     worst, b[k]);
        double z = worst_z(y[k], hits, N, DRAWS);
        if (fabs(z) > zstar)
            fail_msg("instance %d: a frequency %.2f sd from y (bound %.2f)", k,
                     z, zstar);
    }
    gsl_rng_free(r);
}

/* The instance the impossibility is shown on: sizes 3, 3, 4, budget 5.
 * Margin keeps y under 5 - 4 = 1 MB; a model larger than the budget is
 * never held; when every model fits together all are held. */
static void test_margin_budget(void **state)
{
    (void)state;
    const double s[] = {3, 3, 4, 11}, yhat[] = {1, 1, 1, 1};
    double y[4];
    st_idn_project_rule(yhat, s, 4, 5, ST_IDN_LEFTOVER_MARGIN, y);
    assert_true(fabs(sum_sy(s, y, 4) - 1) < 1e-12);
    assert_true(y[3] == 0);
    assert_true(st_idn_state_budget(s, 4, 5, ST_IDN_LEFTOVER_DOWN) == 5);
    st_idn_project_rule(yhat, s, 4, 10, ST_IDN_LEFTOVER_MARGIN, y);
    for (int i = 0; i < 3; i++)
        assert_true(y[i] == 1);
    assert_true(y[3] == 0);
    /* nothing fits: nothing held */
    st_idn_project_rule(yhat, s, 4, 2, ST_IDN_LEFTOVER_MARGIN, y);
    assert_true(sum_sy(s, y, 4) == 0);
}

/* The hull rule on points of the convex hull of the feasible sets (a
 * random mixture of 6 random feasible sets, sizes 5 to 200 MB): the
 * distribution's marginals are y (to 1e-7), and on the first instances
 * every draw fits and every frequency matches y within the Bonferroni
 * bound of test_depround_margin.  Outside the hull (sizes 3, 3, 4, budget
 * 5, y = (1/3, 1/3, 1/2)) the marginals stay at most y and hold the most
 * memory a distribution over feasible sets can: 3.5 of s.y = 4 MB. */
static void test_depround_hull(void **state)
{
    (void)state;
    enum { INST = 40, SAMPLED = 2, N = 8, SETS = 6, DRAWS = 3000 };
    gsl_rng *r = st_rng_stream(16, "test-depround-hull");
    double y[INST][N], s[INST][N], b[INST], q[N];
    size_t tested = 0;
    for (int k = 0; k < INST; k++) {
        double total = 0, w[SETS], wsum = 0;
        for (int i = 0; i < N; i++) {
            s[k][i] = 5 + 195 * gsl_rng_uniform(r);
            total += s[k][i];
            y[k][i] = 0;
        }
        b[k] = (0.3 + 0.4 * gsl_rng_uniform(r)) * total;
        for (int j = 0; j < SETS; j++)
            wsum += w[j] = 0.1 + gsl_rng_uniform(r);
        for (int j = 0; j < SETS; j++) {
            double load = 0;   /* a random feasible set: add while it fits */
            for (int i = 0; i < N; i++)
                if (gsl_rng_uniform(r) < 0.6 && load + s[k][i] <= b[k]) {
                    load += s[k][i];
                    y[k][i] += w[j] / wsum;
                }
        }
        assert_int_equal(st_idn_hull_marginals(y[k], s[k], N, b[k], q), 0);
        for (int i = 0; i < N; i++)
            if (fabs(q[i] - y[k][i]) > 1e-7)
                fail_msg("instance %d, model %d: marginal %.9f for y %.9f", k,
                         i, q[i], y[k][i]);
        for (int i = 0; k < SAMPLED && i < N; i++)
            tested += y[k][i] > 1e-9 && y[k][i] < 1 - 1e-9;
    }
    double zstar = gsl_cdf_ugaussian_Qinv(0.001 / (2.0 * (double)tested));
    for (int k = 0; k < SAMPLED; k++) {
        long hits[N];
        double worst = draw_many(y[k], s[k], N, b[k], ST_IDN_LEFTOVER_HULL, r,
                                 DRAWS, hits);
        assert_true(worst <= b[k] + 1e-9);
        double z = worst_z(y[k], hits, N, DRAWS);
        if (fabs(z) > zstar)
            fail_msg("instance %d: a frequency %.2f sd from y (bound %.2f)", k,
                     z, zstar);
    }
    const double s3[] = {3, 3, 4}, y3[] = {1.0 / 3, 1.0 / 3, 0.5};
    assert_int_equal(st_idn_hull_marginals(y3, s3, 3, 5, q), 0);
    for (int i = 0; i < 3; i++)
        assert_true(q[i] <= y3[i] + 1e-9);
    if (fabs(sum_sy(s3, q, 3) - 3.5) > 1e-9)
        fail_msg("outside the hull: %.9f MB held in expectation, 3.5 possible",
                 sum_sy(s3, q, 3));
    gsl_rng_free(r);
}

/* The hull rule's maximal coupling, on many independent chains of three
 * roundings, y0 -> y1 -> y0 (two nearby points of the hull), each draw
 * coupled to the one before.  Across chains the second and third draws
 * keep their frequencies (Bonferroni bound as in test_depround_margin;
 * draws within a chain are dependent, across chains not) and fit; the
 * allocation changes at most half as often as with independent draws. */
static void test_hull_keep(void **state)
{
    (void)state;
    enum { N = 6, CHAINS = 1500, STEPS = 3 };
    const double s[N] = {14, 21, 75, 18, 28, 42}, b = 100;
    const double y0[N] = {0.5, 0.6, 0.4, 0.7, 0.5, 0.3};
    const double y1[N] = {0.55, 0.6, 0.35, 0.7, 0.5, 0.35};
    double q[N];
    for (int k = 0; k < 2; k++) {   /* both in the hull */
        const double *y = k ? y1 : y0;
        assert_int_equal(st_idn_hull_marginals(y, s, N, b, q), 0);
        for (int i = 0; i < N; i++)
            assert_true(fabs(q[i] - y[i]) < 1e-7);
    }
    gsl_rng *r = st_rng_stream(17, "test-hull-keep");
    long hits[STEPS][N] = {{0}}, moved = 0, moved_ind = 0;
    for (int c = 0; c < CHAINS; c++) {
        st_idn_hull_memo m = {0};
        unsigned char x[N], prev[N], ind[N], ind_prev[N];
        for (int t = 0; t < STEPS; t++) {
            const double *y = t == 1 ? y1 : y0;
            assert_int_equal(st_idn_hull_round_keep(y, s, N, b, &m, r, x), 0);
            assert_int_equal(st_idn_hull_round(y, s, N, b, r, ind), 0);
            double load = 0;
            for (int i = 0; i < N; i++) {
                load += s[i] * x[i];
                hits[t][i] += x[i];
                moved += t > 0 && x[i] != prev[i];
                moved_ind += t > 0 && ind[i] != ind_prev[i];
            }
            assert_true(load <= b + 1e-9);
            memcpy(prev, x, N);
            memcpy(ind_prev, ind, N);
        }
        st_idn_hull_memo_free(&m);
    }
    double zstar = gsl_cdf_ugaussian_Qinv(0.001 / (2.0 * STEPS * N));
    for (int t = 0; t < STEPS; t++) {
        double z = worst_z(t == 1 ? y1 : y0, hits[t], N, CHAINS);
        if (fabs(z) > zstar)
            fail_msg("kept draws at step %d: a frequency %.2f sd from y (bound %.2f)",
                     t, z, zstar);
    }
    if (moved * 2 > moved_ind)
        fail_msg("kept draws changed %ld entries, independent %ld", moved, moved_ind);
    gsl_rng_free(r);
}

/* Coupled rounding: restarting the generator from one seed for two
 * nearby y changes far fewer entries than independent draws, and the
 * coupled draws (one seed per slot pair, many pairs) keep E[x] = y. */
static void test_depround_coupled(void **state)
{
    (void)state;
    enum { N = 8, PAIRS = 4000 };
    const double s[N] = {14, 21, 75, 18, 28, 100, 13, 42};
    double yhat[N], y0[N], y1[N];
    gsl_rng *r = st_rng_stream(15, "test-depround-couple");
    gsl_rng *c = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < N; i++)
        yhat[i] = 0.2 + gsl_rng_uniform(r);
    st_idn_project_rule(yhat, s, N, 160, ST_IDN_LEFTOVER_MARGIN, y0);
    yhat[0] *= 1.05;
    yhat[5] *= 0.95;
    st_idn_project_rule(yhat, s, N, 160, ST_IDN_LEFTOVER_MARGIN, y1);
    long moved[2] = {0, 0}, hits[N] = {0};
    for (int p = 0; p < PAIRS; p++)
        for (int coupled = 0; coupled < 2; coupled++) {
            unsigned char a[N], b[N];
            unsigned long seed = 1 + (unsigned long)p;
            gsl_rng *g = coupled ? c : r;
            if (coupled)
                gsl_rng_set(c, seed);
            st_idn_depround(y0, s, N, 160, ST_IDN_LEFTOVER_MARGIN, g, a);
            if (coupled)
                gsl_rng_set(c, seed);
            st_idn_depround(y1, s, N, 160, ST_IDN_LEFTOVER_MARGIN, g, b);
            for (int i = 0; i < N; i++) {
                moved[coupled] += a[i] != b[i];
                if (coupled)
                    hits[i] += b[i];
            }
        }
    if (moved[1] * 3 > moved[0])
        fail_msg("coupled draws changed %ld entries, independent %ld", moved[1],
                 moved[0]);
    double zstar = gsl_cdf_ugaussian_Qinv(0.001 / (2.0 * N));
    double z = worst_z(y1, hits, N, PAIRS);
    if (fabs(z) > zstar)
        fail_msg("coupled draws: a frequency %.2f sd from y (bound %.2f)", z, zstar);
    gsl_rng_free(c);
    gsl_rng_free(r);
}

/* ---------- the gain ---------- */

static void random_point(gsl_rng *r, const st_idn *g, double *y, double *cnt)
{
    for (size_t j = 0; j < st_idn_n_vars(g); j++)
        y[j] = 0.05 + 0.9 * gsl_rng_uniform(r);
    for (size_t t = 0; t < st_idn_n_types(g); t++)
        cnt[t] = gsl_rng_uniform(r) < 0.2 ? 0 : 600 * gsl_rng_uniform(r);
}

static void check_fd(st_idn_sharing sharing)
{
    st_scenario *sc = load_small("infida");
    st_idn *g = small_idn(sc, sharing);
    size_t n = st_idn_n_vars(g), nt = st_idn_n_types(g);
    assert_true(n >= 8);    /* both tiers below the root hold variables */
    assert_int_equal(nt, 8); /* 2 tasks x 4 access nodes */
    double *y = calloc(n, sizeof *y), *grad = calloc(n, sizeof *grad);
    double *cnt = calloc(nt, sizeof *cnt);
    gsl_rng *r = st_rng_stream(13, "test-gain");
    int checked = 0;
    for (int trial = 0; trial < 200; trial++) {
        random_point(r, g, y, cnt);
        double g0 = st_idn_gain(g, y, cnt, grad);
        assert_true(g0 >= 0);
        for (size_t j = 0; j < n; j++) {
            const double h = 1e-6;
            double keep = y[j];
            y[j] = keep + h;
            double up = st_idn_gain(g, y, cnt, NULL);
            y[j] = keep - h;
            double down = st_idn_gain(g, y, cnt, NULL);
            y[j] = keep;
            double fd = (up - down) / (2 * h);
            /* G is piecewise linear: away from a kink both one-sided
             * slopes agree, and the supergradient must equal them. */
            double right = (up - g0) / h, left = (g0 - down) / h;
            if (fabs(right - left) > 1e-6 * fmax(1, fabs(fd)))
                continue;
            checked++;
            if (fabs(fd - grad[j]) > 1e-5 * fmax(1, fabs(fd)))
                fail_msg("var %zu: supergradient %.9g, finite difference %.9g",
                         j, grad[j], fd);
        }
    }
    assert_true(checked > 100 * (int)n);
    /* at a kink the supergradient still bounds G from above */
    for (int trial = 0; trial < 200; trial++) {
        random_point(r, g, y, cnt);
        double g0 = st_idn_gain(g, y, cnt, grad), z[64];
        for (size_t j = 0; j < n; j++)
            z[j] = gsl_rng_uniform(r);
        double lin = g0;
        for (size_t j = 0; j < n; j++)
            lin += grad[j] * (z[j] - y[j]);
        assert_true(st_idn_gain(g, z, cnt, NULL) <= lin + 1e-7 * fmax(1, lin));
    }
    gsl_rng_free(r);
    free(y);
    free(grad);
    free(cnt);
    st_idn_free(g);
    st_scenario_free(sc);
}

static void test_subgradient_proportional(void **state)
{
    (void)state;
    check_fd(ST_IDN_SHARE_PROPORTIONAL);
}

static void test_subgradient_full(void **state)
{
    (void)state;
    check_fd(ST_IDN_SHARE_FULL);
}

/* The marginal is the difference of two gains; the greedy fill respects
 * every node's budget; the static reference is integral and feasible. */
static void test_marginal_greedy_static(void **state)
{
    (void)state;
    st_scenario *sc = load_small("infida");
    st_idn *g = small_idn(sc, ST_IDN_SHARE_PROPORTIONAL);
    size_t n = st_idn_n_vars(g), nt = st_idn_n_types(g);
    /* capacity: executors x slot / mean execution time, per slot */
    int seen = 0;
    for (size_t j = 0; j < n; j++)
        if (st_idn_var_node(g, j) >= 3 && st_idn_var_model(g, j) == 1) {
            assert_true(fabs(st_idn_var_capacity(g, j) - 1 * 5 / 0.020) <= 1);
            seen++;
        }
    assert_int_equal(seen, 4);   /* a2 on every access node */
    unsigned char *x = calloc(n, 1);
    double *y = calloc(n, sizeof *y), *cnt = calloc(nt, sizeof *cnt);
    gsl_rng *r = st_rng_stream(14, "test-greedy");
    for (int trial = 0; trial < 100; trial++) {
        for (size_t t = 0; t < nt; t++)
            cnt[t] = 200 * gsl_rng_uniform(r);
        for (size_t j = 0; j < n; j++)
            y[j] = x[j] = gsl_rng_uniform(r) < 0.4;
        size_t j = gsl_rng_uniform_int(r, n);
        y[j] = x[j] = 0;
        double before = st_idn_gain(g, y, cnt, NULL);
        y[j] = 1;
        double after = st_idn_gain(g, y, cnt, NULL);
        assert_true(fabs(st_idn_marginal(g, x, cnt, j) - (after - before)) < 1e-9);
        assert_true(after >= before - 1e-12);   /* more models never hurt */
        st_idn_greedy(g, cnt, x);
        for (int node = 0; node < (int)sc->n_nodes; node++) {
            size_t first, count;
            double used = 0;
            st_idn_node_vars(g, node, &first, &count);
            for (size_t k = first; k < first + count; k++)
                used += x[k] * st_idn_var_size(g, k);
            assert_true(used <= st_idn_node_budget(g, node) + 1e-9);
        }
    }
    const unsigned char *sx = st_idn_static_x(g);
    const double *sy = st_idn_static_y(g);
    for (int node = 0; node < (int)sc->n_nodes; node++) {
        size_t first, count;
        double used = 0, frac = 0;
        st_idn_node_vars(g, node, &first, &count);
        for (size_t k = first; k < first + count; k++) {
            used += sx[k] * st_idn_var_size(g, k);
            frac += sy[k] * st_idn_var_size(g, k);
            assert_true(sy[k] >= 0 && sy[k] <= 1);
        }
        assert_true(used <= st_idn_node_budget(g, node) + 1e-9);
        if (count)
            assert_true(frac <= st_idn_node_budget(g, node) * (1 + 1e-9));
    }
    gsl_rng_free(r);
    free(x);
    free(y);
    free(cnt);
    st_idn_free(g);
    st_scenario_free(sc);
}

/* ---------- the exact static reference ---------- */

/* The best of every integral allocation that fits the budgets, by
 * enumeration. */
static double brute_force_best(const st_idn *g, int n_nodes,
                               const double *const *r, const double *w,
                               size_t nr)
{
    size_t n = st_idn_n_vars(g);
    unsigned char *x = calloc(n, 1);
    double best = -1;
    for (unsigned long mask = 0; mask < (1UL << n); mask++) {
        for (size_t j = 0; j < n; j++)
            x[j] = (mask >> j) & 1;
        int fits = 1;
        for (int node = 0; node < n_nodes && fits; node++) {
            size_t first, count;
            st_idn_node_vars(g, node, &first, &count);
            double used = 0;
            for (size_t k = first; k < first + count; k++)
                used += x[k] * st_idn_var_size(g, k);
            fits = used <= st_idn_node_budget(g, node) + 1e-9;
        }
        if (fits)
            best = fmax(best, st_idn_phases_gain_x(g, x, r, w, nr));
    }
    free(x);
    return best;
}

/* On random count vectors, some past the capacities, the solver's
 * allocation (with either set of cuts) is the enumeration's optimum,
 * proven (gap 0), and the LP relaxation bounds it from above. */
static void check_exact(st_idn_sharing sharing, st_idn_cuts cuts)
{
    st_scenario *sc = load_small("static");
    assert_int_equal(sc->n_nodes, 7);
    st_idn *g = small_idn_cuts(sc, sharing, cuts);
    size_t n = st_idn_n_vars(g), nt = st_idn_n_types(g);
    assert_true(n >= 8 && n <= 20);
    enum { ROWS = 3 };
    double *cnt[ROWS], w[ROWS];
    for (int i = 0; i < ROWS; i++)
        cnt[i] = calloc(nt, sizeof **cnt);
    unsigned char *x = calloc(n, 1);
    double *y = calloc(n, sizeof *y);
    gsl_rng *r = st_rng_stream(15, "test-exact");
    for (int trial = 0; trial < 12; trial++) {
        size_t nr = 1 + (size_t)trial % ROWS;
        for (size_t i = 0; i < nr; i++) {
            w[i] = 0.2 + gsl_rng_uniform(r);
            for (size_t t = 0; t < nt; t++)
                cnt[i][t] = gsl_rng_uniform(r) < 0.2 ? 0 : 600 * gsl_rng_uniform(r);
        }
        const double *const *rows = (const double *const *)cnt;
        st_idn_exact e;
        assert_int_equal(st_idn_solve_exact(g, rows, w, nr, 60, 0, NULL, x, y, &e), 0);
        double want = brute_force_best(g, (int)sc->n_nodes, rows, w, nr);
        if (fabs(e.value - want) > 1e-7 * fmax(1, want))
            fail_msg("trial %d: solver %.9g, enumeration %.9g", trial, e.value, want);
        assert_true(e.solved);
        assert_true(e.gap == 0);
        assert_true(fabs(st_idn_phases_gain_x(g, x, rows, w, nr) - e.value) < 1e-9);
        assert_true(e.lp >= want - 1e-7 * fmax(1, want));
        assert_true(e.greedy <= want + 1e-9);
        /* the relaxation's y is G's fractional optimum: at least the value */
        double fy = 0;
        for (size_t i = 0; i < nr; i++)
            fy += w[i] * st_idn_gain(g, y, cnt[i], NULL);
        assert_true(fabs(fy - e.lp) < 1e-6 * fmax(1, e.lp));
        /* started from an allocation (the optimum itself, then nothing
         * allocated), the same optimum, proven */
        unsigned char *x2 = calloc(n, 1), *none = calloc(n, 1);
        st_idn_exact e2;
        assert_int_equal(st_idn_solve_exact(g, rows, w, nr, 60, 0, x, x2, NULL, &e2), 0);
        assert_true(e2.solved && fabs(e2.value - want) <= 1e-7 * fmax(1, want));
        assert_int_equal(st_idn_solve_exact(g, rows, w, nr, 60, 0, none, x2, NULL, &e2), 0);
        assert_true(e2.solved && fabs(e2.value - want) <= 1e-7 * fmax(1, want));
        free(none);
        free(x2);
    }
    gsl_rng_free(r);
    for (int i = 0; i < ROWS; i++)
        free(cnt[i]);
    free(x);
    free(y);
    st_idn_free(g);
    st_scenario_free(sc);
}

static void test_exact_proportional(void **state)
{
    (void)state;
    check_exact(ST_IDN_SHARE_PROPORTIONAL, ST_IDN_CUTS_COVER);
}

static void test_exact_all_cuts(void **state)
{
    (void)state;
    check_exact(ST_IDN_SHARE_PROPORTIONAL, ST_IDN_CUTS_ALL);
}

static void test_exact_full(void **state)
{
    (void)state;
    check_exact(ST_IDN_SHARE_FULL, ST_IDN_CUTS_COVER);
}

/* ---------- the cache of exact solves ---------- */

/* One exact solve's arguments (the problem aside). */
typedef struct call {
    double **cnt;
    double *w;
    size_t nr;
    double time_limit_s;
    long node_limit;
    const unsigned char *start;
    int want_y;
} call;

/* A solve's whole answer. */
typedef struct answer {
    unsigned char *x;
    double *y;
    st_idn_exact e;
    int rc;
} answer;

static answer solve_call(const st_idn *g, const call *c)
{
    size_t n = st_idn_n_vars(g);
    answer a = {.x = calloc(n + 1, 1), .y = calloc(n + 1, sizeof *a.y)};
    a.rc = st_idn_solve_exact(g, (const double *const *)c->cnt, c->w, c->nr,
                              c->time_limit_s, c->node_limit, c->start, a.x,
                              c->want_y ? a.y : NULL, &a.e);
    return a;
}

static void answer_free(answer *a)
{
    free(a->x);
    free(a->y);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Byte for byte the same answer. */
static void assert_same_answer(const answer *a, const answer *b, size_t n)
{
    assert_int_equal(a->rc, b->rc);
    assert_memory_equal(a->x, b->x, n);
    for (size_t j = 0; j < n; j++)
        assert_true(same_bits(a->y[j], b->y[j]));
    const st_idn_exact *p = &a->e, *q = &b->e;
    assert_true(same_bits(p->value, q->value) && same_bits(p->bound, q->bound) &&
                same_bits(p->lp, q->lp) && same_bits(p->greedy, q->greedy) &&
                same_bits(p->gap, q->gap));
    assert_int_equal(p->solved, q->solved);
    assert_int_equal(p->time_limit_hit, q->time_limit_hit);
    assert_int_equal(p->node_limit_hit, q->node_limit_hit);
}

/* The key parts one variant changes, one at a time. */
enum { V_NONE, V_COUNT, V_WEIGHT, V_CAPACITY, V_BUDGET, V_SIZE, V_COST,
       V_SHARING, V_CUTS, V_NODE_LIMIT, V_TIME_LIMIT, V_START, V_WANT_Y,
       N_VARIANTS };

/* What the variants change, to put back. */
typedef struct snapshot {
    st_idn_params p;
    double count, weight, cap, budget, size, cost;
    call c;
} snapshot;

static snapshot take(const st_idn *g, const call *c)
{
    return (snapshot){g->p, c->cnt[0][0], c->w[0], g->var_cap[0],
                      g->node_budget[g->var_node[0]], g->var_size[0],
                      g->cands[0].cost, *c};
}

static void put_back(st_idn *g, call *c, const snapshot *s)
{
    g->p = s->p;
    *c = s->c;
    c->cnt[0][0] = s->count;
    c->w[0] = s->weight;
    g->var_cap[0] = s->cap;
    g->node_budget[g->var_node[0]] = s->budget;
    g->var_size[0] = s->size;
    g->cands[0].cost = s->cost;
}

/* Changes key part k of the problem g or the call c (start: an
 * allocation to start from). */
static void vary(st_idn *g, call *c, int k, const unsigned char *start)
{
    switch (k) {
    case V_COUNT: c->cnt[0][0] += 1; break;
    case V_WEIGHT: c->w[0] *= 2; break;
    case V_CAPACITY: g->var_cap[0] += 1; break;
    case V_BUDGET: g->node_budget[g->var_node[0]] += 5; break;
    case V_SIZE: g->var_size[0] += 1; break;
    case V_COST: g->cands[0].cost += 1e-3; break;
    case V_SHARING: g->p.sharing = ST_IDN_SHARE_FULL; break;
    case V_CUTS: g->p.static_cuts = ST_IDN_CUTS_ALL; break;
    case V_NODE_LIMIT: c->node_limit = 3; break;
    case V_TIME_LIMIT: c->time_limit_s += 1; break;
    case V_START: c->start = start; break;
    case V_WANT_Y: c->want_y = 0; break;
    default: break;
    }
}

/* Random count vectors, every count positive, some past the capacities. */
static call random_call(const st_idn *g, size_t nr, gsl_rng *r)
{
    size_t nt = st_idn_n_types(g);
    call c = {.cnt = calloc(nr, sizeof *c.cnt), .w = calloc(nr, sizeof *c.w),
              .nr = nr, .time_limit_s = 60, .want_y = 1};
    for (size_t i = 0; i < nr; i++) {
        c.w[i] = 0.2 + gsl_rng_uniform(r);
        c.cnt[i] = calloc(nt, sizeof **c.cnt);
        for (size_t t = 0; t < nt; t++)
            c.cnt[i][t] = 1 + 600 * gsl_rng_uniform(r);
    }
    return c;
}

static void call_free(call *c)
{
    for (size_t i = 0; i < c->nr; i++)
        free(c->cnt[i]);
    free(c->cnt);
    free(c->w);
}

/* A hit is byte for byte what a fresh solve (the cache off) returns, and
 * changing any one part of the key (a count, a weight, a capacity, a
 * budget, a size, a cost, the sharing rule, the cuts, either limit, the
 * start, whether y is wanted) misses and gets that problem's own fresh
 * answer; put back, the first key hits again. */
static void test_cache_hits_and_misses(void **state)
{
    (void)state;
    st_scenario *sc = load_small("static");
    st_idn *g = small_idn(sc, ST_IDN_SHARE_PROPORTIONAL);
    size_t n = st_idn_n_vars(g);
    gsl_rng *r = st_rng_stream(23, "test-cache");
    call c = random_call(g, 2, r);
    unsigned char *start = calloc(n + 1, 1);
    start[0] = 1;
    answer fresh[N_VARIANTS];
    st_idn_cache_reset(0);
    for (int k = 0; k < N_VARIANTS; k++) {
        snapshot s = take(g, &c);
        vary(g, &c, k, start);
        fresh[k] = solve_call(g, &c);
        put_back(g, &c, &s);
    }
    st_idn_cache_stats st;
    st_idn_cache_stats_get(&st);
    assert_true(st.hits == 0 && st.stores == 0 && st.entries == 0);
    st_idn_cache_reset(ST_IDN_CACHE_DEFAULT_BYTES);
    answer a = solve_call(g, &c), b = solve_call(g, &c);
    st_idn_cache_stats_get(&st);
    assert_true(st.misses == 1 && st.hits == 1 && st.entries == 1);
    assert_same_answer(&a, &fresh[V_NONE], n);
    assert_same_answer(&b, &fresh[V_NONE], n);
    answer_free(&a);
    answer_free(&b);
    for (int k = V_NONE + 1; k < N_VARIANTS; k++) {
        snapshot s = take(g, &c);
        vary(g, &c, k, start);
        answer v = solve_call(g, &c);
        put_back(g, &c, &s);
        st_idn_cache_stats_get(&st);
        if (st.misses != (size_t)k + 1 || st.hits != 1)
            fail_msg("variant %d: %zu misses, %zu hits", k, st.misses, st.hits);
        assert_same_answer(&v, &fresh[k], n);
        answer_free(&v);
    }
    answer again = solve_call(g, &c);
    st_idn_cache_stats_get(&st);
    assert_true(st.hits == 2 && st.entries == N_VARIANTS);
    assert_same_answer(&again, &fresh[V_NONE], n);
    answer_free(&again);
    for (int k = 0; k < N_VARIANTS; k++)
        answer_free(&fresh[k]);
    free(start);
    call_free(&c);
    gsl_rng_free(r);
    st_idn_free(g);
    st_scenario_free(sc);
}

/* The bound holds: past it the least recently used entry leaves, and a
 * key larger than the bound is not stored at all. */
static void test_cache_bound(void **state)
{
    (void)state;
    st_scenario *sc = load_small("static");
    st_idn *g = small_idn(sc, ST_IDN_SHARE_PROPORTIONAL);
    gsl_rng *r = st_rng_stream(29, "test-cache-bound");
    call c1 = random_call(g, 1, r), c2 = random_call(g, 1, r);
    st_idn_cache_reset(ST_IDN_CACHE_DEFAULT_BYTES);
    answer a = solve_call(g, &c1);
    answer_free(&a);
    st_idn_cache_stats st;
    st_idn_cache_stats_get(&st);
    size_t one = st.bytes;
    assert_true(st.entries == 1 && one > 0);
    st_idn_cache_reset(one + one / 2);
    answer b[3] = {solve_call(g, &c1), solve_call(g, &c2), solve_call(g, &c1)};
    st_idn_cache_stats_get(&st);
    assert_true(st.entries == 1 && st.evictions == 2 && st.hits == 0);
    assert_true(st.bytes <= st.limit);
    assert_same_answer(&b[0], &b[2], st_idn_n_vars(g));
    st_idn_cache_reset(one / 2);
    for (int i = 0; i < 3; i++) {
        answer_free(&b[i]);
        b[i] = solve_call(g, &c1);
    }
    st_idn_cache_stats_get(&st);
    assert_true(st.entries == 0 && st.stores == 0 && st.hits == 0);
    assert_same_answer(&b[0], &b[2], st_idn_n_vars(g));
    for (int i = 0; i < 3; i++)
        answer_free(&b[i]);
    st_idn_cache_reset(ST_IDN_CACHE_DEFAULT_BYTES);
    call_free(&c1);
    call_free(&c2);
    gsl_rng_free(r);
    st_idn_free(g);
    st_scenario_free(sc);
}

static st_run_result run_small(const char *policy)
{
    st_scenario *sc = load_small(policy);
    st_run_result res;
    st_error err;
    if (st_world_run(sc, 0, NULL, &res, &err))
        fail_msg("%s: %s", policy, err.msg);
    st_scenario_free(sc);
    return res;
}

/* A run whose static reference (and hindsight optimum) another policy's
 * run solved before it reuses them, and its metrics and time series are
 * byte for byte those of a run with the cache off. */
static void test_cache_runs(void **state)
{
    (void)state;
    st_idn_cache_reset(0);
    st_run_result fresh = run_small("static");
    st_idn_cache_reset(ST_IDN_CACHE_DEFAULT_BYTES);
    st_run_result first = run_small("infida");
    st_run_result cached = run_small("static");
    st_idn_cache_stats st;
    st_idn_cache_stats_get(&st);
    assert_true(st.hits >= 1);
    assert_int_equal(fresh.metrics.n, cached.metrics.n);
    for (size_t i = 0; i < fresh.metrics.n; i++) {
        assert_string_equal(fresh.metrics.items[i].name,
                            cached.metrics.items[i].name);
        assert_true(same_bits(fresh.metrics.items[i].value,
                              cached.metrics.items[i].value));
    }
    assert_int_equal(fresh.timeseries.n, cached.timeseries.n);
    for (size_t i = 0; i < fresh.timeseries.n; i++) {
        const st_ts_point *p = &fresh.timeseries.pts[i],
                          *q = &cached.timeseries.pts[i];
        assert_true(p->slot == q->slot && strcmp(p->name, q->name) == 0 &&
                    same_bits(p->value, q->value) && same_bits(p->t_s, q->t_s));
    }
    st_run_result_free(&fresh);
    st_run_result_free(&first);
    st_run_result_free(&cached);
}

/* ---------- topology and workload from YAML ---------- */

static void test_tree_and_attach(void **state)
{
    (void)state;
    st_scenario *sc = load_small("infida");
    assert_int_equal(sc->n_nodes, 7);
    assert_string_equal(sc->nodes[0].name, "cloud-0");
    assert_int_equal(sc->nodes[0].parent, -1);
    for (int i = 1; i <= 2; i++) {
        assert_int_equal(sc->nodes[i].parent, 0);
        assert_int_equal(sc->nodes[i].tier, ST_TIER_EDGE);
    }
    /* access k hangs under edge k / 2 */
    for (int k = 0; k < 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "acc-%d", k);
        assert_string_equal(sc->nodes[3 + k].name, name);
        assert_int_equal(sc->nodes[3 + k].parent, 1 + k / 2);
        assert_int_equal(sc->nodes[3 + k].tier, ST_TIER_ACCESS);
        assert_true(sc->nodes[3 + k].memory_mb == 35);
    }
    const st_device_class *dc = &sc->devices[0];
    assert_int_equal(dc->n_attach, 4);
    for (int k = 0; k < 4; k++)
        assert_int_equal(dc->attach_nodes[k], 3 + k);
    /* the canonical text is the explicit form and loads back the same */
    st_scenario *again;
    st_error err;
    if (st_scenario_load_text("again.yaml", sc->text, strlen(sc->text), ".",
                              NULL, 0, &again, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(again->hash, sc->hash);
    assert_int_equal(again->n_nodes, 7);
    st_scenario_free(again);
    st_scenario_free(sc);
}

static void expect_error(const char *from, const char *to, const char *want)
{
    char text[4096], bad[4096];
    snprintf(text, sizeof text, small_tmpl, "infida");
    char *at = strstr(text, from);
    assert_non_null(at);
    snprintf(bad, sizeof bad, "%.*s%s%s", (int)(at - text), text, to,
             at + strlen(from));
    st_scenario *sc;
    st_error err;
    assert_int_equal(st_scenario_load_text("bad.yaml", bad, strlen(bad), ".",
                                           NULL, 0, &sc, &err), -1);
    if (!strstr(err.msg, want))
        fail_msg("expected '%s' in: %s", want, err.msg);
}

/* A four-node GraphML square: A(0,0) B(0,1) C(0,2) D(1,0), links A-B,
 * B-C, A-D, C-D; the repository attaches at A. */
static const char *square_graphml =
    "<?xml version=\"1.0\"?>\n"
    "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
    "  <key attr.name=\"Longitude\" attr.type=\"double\" for=\"node\" id=\"d7\"/>\n"
    "  <key attr.name=\"label\" attr.type=\"string\" for=\"node\" id=\"d3\"/>\n"
    "  <key attr.name=\"Latitude\" attr.type=\"double\" for=\"node\" id=\"d9\"/>\n"
    "  <key attr.name=\"LinkSpeedRaw\" attr.type=\"double\" for=\"edge\" id=\"d1\"/>\n"
    "  <graph edgedefault=\"undirected\">\n"
    "    <node id=\"0\"><data key=\"d3\">A</data><data key=\"d9\">0</data><data key=\"d7\">0</data></node>\n"
    "    <node id=\"1\"><data key=\"d3\">B</data><data key=\"d9\">0</data><data key=\"d7\">1</data></node>\n"
    "    <node id=\"2\"><data key=\"d3\">C</data><data key=\"d9\">0</data><data key=\"d7\">2</data></node>\n"
    "    <node id=\"3\"><data key=\"d3\">D</data><data key=\"d9\">1</data><data key=\"d7\">0</data></node>\n"
    "    <edge source=\"0\" target=\"1\"><data key=\"d1\">2.5e9</data></edge>\n"
    "    <edge source=\"1\" target=\"2\"/>\n"
    "    <edge source=\"0\" target=\"3\"/>\n"
    "    <edge source=\"2\" target=\"3\"/>\n"
    "  </graph>\n</graphml>\n";

static const char *graph_tmpl =
    "name: idn-graph\nseed: 3\nduration: 60 s\n"
    "models:\n"
    "  - {name: a1, task: ta, accuracy: 0.6, size_mb: 10, input_bytes: 1000, output_bytes: 100}\n"
    "hardware:\n"
    "  - {name: dev, profiles: {}}\n"
    "  - {name: box, profiles: {a1: {exec_ms: 5}}}\n"
    "topology:\n"
    "  graphml:\n"
    "    file: %s\n"
    "    link_mbps: 1000\n"
    "    repository: {name: cloud, hardware: box, executors: 4, preload: all, attach: [A],\n"
    "                 uplink: {up: {mbps: 100}, down: {mbps: 100}, rtt_ms: 3}}\n"
    "    nodes:\n"
    "      regional: {hardware: box, memory_mb: 100}\n"
    "      edge: {hardware: box, memory_mb: 50}\n"
    "      access: {hardware: box, memory_mb: 20}\n"
    "devices:\n"
    "  - {name: u, count: 2, hardware: dev, attach: access,\n"
    "     link: {up: {mbps: 20}, down: {mbps: 20}, rtt_ms: 5},\n"
    "     workload: {task: ta, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 200}}\n"
    "policy: static\n";

static int node_index(const st_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_nodes; i++)
        if (strcmp(sc->nodes[i].name, name) == 0)
            return (int)i;
    fail_msg("no node %s", name);
    return -1;
}

/* The GraphML importer: shortest-path parents, haversine delays at the
 * stated speed, rates from LinkSpeedRaw or the default, tiers by hops
 * with leaves access, and the canonical text loading back the same. */
static void test_graphml_square(void **state)
{
    (void)state;
    FILE *f = fopen("idn-square.graphml", "w");
    assert_non_null(f);
    fputs(square_graphml, f);
    fclose(f);
    char text[4096];
    snprintf(text, sizeof text, graph_tmpl, "idn-square.graphml");
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("graph.yaml", text, strlen(text), ".", NULL, 0,
                              &sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sc->n_nodes, 5);
    int cloud = node_index(sc, "cloud"), a = node_index(sc, "A");
    int b = node_index(sc, "B"), c = node_index(sc, "C"), d = node_index(sc, "D");
    assert_int_equal(sc->nodes[cloud].parent, -1);
    assert_int_equal(sc->nodes[a].parent, cloud);
    assert_int_equal(sc->nodes[b].parent, a);
    assert_int_equal(sc->nodes[d].parent, a);
    assert_int_equal(sc->nodes[c].parent, b);   /* A-B-C is shorter than A-D-C */
    const double km = 6371 * M_PI / 180;        /* one degree on the equator */
    assert_true(fabs(st_dist_mean(&sc->nodes[b].uplink.rtt_s) - 2 * km / 200000) < 1e-9);
    assert_true(fabs(st_dist_mean(&sc->nodes[a].uplink.rtt_s) - 0.003) < 1e-12);
    assert_true(fabs(sc->nodes[b].uplink.up.bps - 2.5e9) < 1);
    assert_true(fabs(sc->nodes[c].uplink.up.bps - 1e9) < 1);
    assert_int_equal(sc->nodes[a].tier, ST_TIER_REGIONAL);
    assert_int_equal(sc->nodes[b].tier, ST_TIER_EDGE);
    assert_int_equal(sc->nodes[c].tier, ST_TIER_ACCESS);
    assert_int_equal(sc->nodes[d].tier, ST_TIER_ACCESS);   /* a leaf */
    assert_true(sc->nodes[d].memory_mb == 20);
    st_scenario *again;
    if (st_scenario_load_text("again.yaml", sc->text, strlen(sc->text), ".",
                              NULL, 0, &again, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(again->hash, sc->hash);
    st_scenario_free(again);
    st_scenario_free(sc);
    remove("idn-square.graphml");
}

static void test_tree_errors(void **state)
{
    (void)state;
    /* each names the line of the level or key at fault */
    expect_error("fanout: 2, hardware: small", "fanout: 2, hardware: small, bogus: 1",
                 "bad.yaml:21:");
    expect_error(",\n       uplink: {up: {mbps: 50}, down: {mbps: 50}, rtt_ms: 10}}",
                 "}", "bad.yaml:21:");
    expect_error(",\n       uplink: {up: {mbps: 50}, down: {mbps: 50}, rtt_ms: 10}}",
                 "}", "needs an 'uplink'");
    expect_error("hardware: small, executors", "hardware: tiny, executors",
                 "unknown hardware 'tiny'");
    expect_error("attach: access", "attach: regional", "no node is in tier 'regional'");
    expect_error("attach: access", "attach: nowhere", "unknown node or tier 'nowhere'");
    expect_error("attach: access", "attach: [acc-0, acc-0]", "listed twice");
    expect_error("topology:\n", "nodes: [{name: x, hardware: big}]\ntopology:\n",
                 "either 'nodes' or 'topology'");
    expect_error("shift_every: 3", "shift_every: -1", "shift_every");
    expect_error("{zipf: 1,", "{zipf: 1, names: [ta, zz],", "no model serves task 'zz'");
    expect_error("workload: {tasks:", "workload: {task: ta, tasks:", "exactly one of 'task'");
}

static void test_task_mix(void **state)
{
    (void)state;
    st_scenario *sc = load_small("infida");
    const st_task_mix *m = &sc->devices[0].mix;
    assert_int_equal(m->n, 2);
    assert_true(fabs(st_task_mix_prob(m, 0) - 2.0 / 3) < 1e-12);   /* 1 : 1/2 */
    assert_true(fabs(st_task_mix_prob(m, 1) - 1.0 / 3) < 1e-12);
    /* slots of 5 s, a shift of one place every 3 slots */
    int first = st_task_mix_task(m, 0, 0);
    assert_int_equal(st_task_mix_task(m, 0, 14.9), first);
    assert_int_equal(st_task_mix_task(m, 0, 15.0), 1 - first);
    assert_int_equal(st_task_mix_task(m, 0, 30.0), first);
    assert_int_equal(st_task_mix_task(m, 1, 15.0), first);
    /* expected counts over the run add up to rate x devices x duration */
    st_idn *g = small_idn(sc, ST_IDN_SHARE_PROPORTIONAL);
    size_t ns;
    double *c = st_idn_expected_counts(g, &ns), total = 0;
    assert_int_equal(ns, 12);
    for (size_t i = 0; i < ns * st_idn_n_types(g); i++)
        total += c[i];
    assert_true(fabs(total - 8 * 2 * 60.0) < 1e-6);
    free(c);
    st_idn_free(g);
    st_scenario_free(sc);
}

/* ---------- the policies on a run ---------- */

static double ts_sum(const st_timeseries *ts, const char *name, long *n)
{
    double s = 0;
    *n = 0;
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->pts[i].name, name) == 0) {
            s += ts->pts[i].value;
            (*n)++;
        }
    return s;
}

static void test_policies_run(void **state)
{
    (void)state;
    static const char *const names[] = {"infida", "greedy", "static", "lru", "lfu"};
    for (size_t p = 0; p < 5; p++) {
        st_scenario *sc = load_small(names[p]);
        st_run_result res;
        st_error err;
        if (st_world_run(sc, 0, NULL, &res, &err))
            fail_msg("%s: %s", names[p], err.msg);
        const st_metrics *m = &res.metrics;
        double n = st_metrics_get(m, "requests");
        assert_true(n > 500);
        assert_true(n == st_metrics_get(m, "requests_met") +
                         st_metrics_get(m, "requests_missed") +
                         st_metrics_get(m, "requests_dropped") +
                         st_metrics_get(m, "requests_unfinished"));
        assert_true(st_metrics_get(m, "requests_dropped") == 0);
        assert_true(st_metrics_get(m, "invalid_decisions") == 0);
        /* 12 slots of 5 s, the last closed at the end of arrivals; the
         * run metrics cover the 10 after the warm-up */
        long k, kr;
        double reqs = ts_sum(&res.timeseries, "requests", &kr);
        ts_sum(&res.timeseries, "gain_integral", &k);
        assert_int_equal(k, 12);
        assert_int_equal(kr, 12);
        assert_true(st_metrics_get(m, "idn_slots") == 10);
        /* every arrival is counted in a slot */
        assert_true(reqs >= n);
        double served = 0;
        static const char *const tiers[] = {"served_access", "served_edge",
                                            "served_regional", "served_cloud"};
        for (int t = 0; t < 4; t++)
            served += ts_sum(&res.timeseries, tiers[t], &k);
        assert_true(served == reqs);
        assert_true(st_metrics_get(m, "idn_gain_per_slot") > 0);
        if (strcmp(names[p], "static") == 0) {
            assert_true(fabs(st_metrics_get(m, "idn_gain_vs_static") - 1) < 1e-12);
            assert_true(st_metrics_get(m, "realloc_loads") == 0);
        }
        if (strcmp(names[p], "infida") == 0 || strcmp(names[p], "static") == 0)
            assert_true(st_metrics_get(m, "idn_fractional_gain_per_slot") > 0);
        else
            assert_true(isnan(st_metrics_get(m, "idn_fractional_gain_per_slot")));
        st_run_result_free(&res);
        st_scenario_free(sc);
    }
}

/* A bad parameter names the file and line. */
static void test_bad_params(void **state)
{
    (void)state;
    const char *pols[] = {"{name: infida, params: {eta: -1}}",
                          "{name: greedy, params: {coordination: psychic}}",
                          "{name: lfu, params: {nonsense: 1}}",
                          "{name: lru, params: {counts: perfect}}",
                          "{name: infida, params: {couple: keep}}"};
    for (size_t i = 0; i < 5; i++) {
        st_scenario *sc = load_small(pols[i]);
        st_run_result res;
        st_error err;
        assert_int_equal(st_world_run(sc, 0, NULL, &res, &err), -1);
        if (!strstr(err.msg, "small.yaml:"))
            fail_msg("no file:line in: %s", err.msg);
        st_run_result_free(&res);
        st_scenario_free(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_project_hand_made),
        cmocka_unit_test(test_project_matches_brute_force),
        cmocka_unit_test(test_depround_equal_sizes),
        cmocka_unit_test(test_depround_unequal_sizes),
        cmocka_unit_test(test_depround_margin),
        cmocka_unit_test(test_margin_budget),
        cmocka_unit_test(test_depround_coupled),
        cmocka_unit_test(test_depround_hull),
        cmocka_unit_test(test_hull_keep),
        cmocka_unit_test(test_subgradient_proportional),
        cmocka_unit_test(test_subgradient_full),
        cmocka_unit_test(test_marginal_greedy_static),
        cmocka_unit_test(test_exact_proportional),
        cmocka_unit_test(test_exact_full),
        cmocka_unit_test(test_exact_all_cuts),
        cmocka_unit_test(test_cache_hits_and_misses),
        cmocka_unit_test(test_cache_bound),
        cmocka_unit_test(test_cache_runs),
        cmocka_unit_test(test_tree_and_attach),
        cmocka_unit_test(test_tree_errors),
        cmocka_unit_test(test_graphml_square),
        cmocka_unit_test(test_task_mix),
        cmocka_unit_test(test_policies_run),
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
