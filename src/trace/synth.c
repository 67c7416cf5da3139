/* synth.c - synthetic bandwidth traces from a Markov-modulated rate process
 * (see st_trace_synth in trace.h).
 *
 * The model: the link is in one of k states, each with a mean rate and a
 * mean dwell time.  A visit to state i lasts an exponential time with mean
 * dwell_s[i]; the next state is then drawn uniformly among the *other*
 * states.  That jump chain is doubly stochastic, so every state is visited
 * equally often and the long-run share of time in state i is
 * dwell_s[i] / sum(dwell_s).  The first state is drawn from those shares,
 * so the process is stationary from t = 0 and the time-averaged rate of a
 * long trace approaches sum(mbps[i] * dwell_s[i]) / sum(dwell_s).
 *
 * The rate is sampled every step_s (at the start of each step); with
 * jitter > 0 each sample is multiplied by an independent lognormal factor
 * with sigma = jitter and mu = -sigma^2/2, whose mean is exactly 1, so the
 * jitter adds variability without moving the mean.
 */
#include "strata/trace.h"
#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>

#define MAX_STATES 16
#define MAX_SEGMENTS 50000000.0

static int check_opts(const st_synth_opts *o, st_error *err)
{
    if (o->states < 1 || o->states > MAX_STATES)
        return st_error_set(err, "synth: %zu states; between 1 and %d are "
                            "supported", o->states, MAX_STATES);
    int any_positive = 0;
    for (size_t i = 0; i < o->states; i++) {
        if (!isfinite(o->mbps[i]) || o->mbps[i] < 0)
            return st_error_set(err, "synth: state %zu has rate %g Mbit/s; "
                                "rates must be finite and >= 0", i + 1,
                                o->mbps[i]);
        if (!isfinite(o->dwell_s[i]) || !(o->dwell_s[i] > 0))
            return st_error_set(err, "synth: state %zu has dwell time %g s; "
                                "it must be positive", i + 1, o->dwell_s[i]);
        any_positive |= o->mbps[i] > 0;
    }
    if (!any_positive)
        return st_error_set(err, "synth: every state has rate 0, so the "
                            "trace would deliver nothing");
    if (!isfinite(o->jitter) || o->jitter < 0)
        return st_error_set(err, "synth: jitter %g must be >= 0", o->jitter);
    if (!isfinite(o->step_s) || !(o->step_s > 0))
        return st_error_set(err, "synth: step %g s must be positive",
                            o->step_s);
    if (!isfinite(o->duration_s) || !(o->duration_s > 0))
        return st_error_set(err, "synth: duration %g s must be positive",
                            o->duration_s);
    if (ceil(o->duration_s / o->step_s) > MAX_SEGMENTS)
        return st_error_set(err, "synth: %g s in steps of %g s is more than "
                            "%.0f samples", o->duration_s, o->step_s,
                            MAX_SEGMENTS);
    return 0;
}

/* A state drawn with probability proportional to its dwell time, i.e.
 * from the stationary distribution of the time spent in each state. */
static size_t stationary_state(const st_synth_opts *o, gsl_rng *rng)
{
    double total = 0;
    for (size_t i = 0; i < o->states; i++)
        total += o->dwell_s[i];
    double x = gsl_rng_uniform(rng) * total;
    for (size_t i = 0; i + 1 < o->states; i++) {
        if (x < o->dwell_s[i])
            return i;
        x -= o->dwell_s[i];
    }
    return o->states - 1;
}

static size_t other_state(const st_synth_opts *o, gsl_rng *rng, size_t cur)
{
    size_t j = (size_t)gsl_rng_uniform_int(rng, o->states - 1);
    return j >= cur ? j + 1 : j;
}

/* Fills t[] and mbps[] with n samples of the process. */
static void generate(const st_synth_opts *o, gsl_rng *rng, size_t n,
                     double *t, double *mbps)
{
    double sigma = o->jitter;
    double mu = -sigma * sigma / 2;     /* E[lognormal(mu, sigma)] = 1 */
    size_t state = stationary_state(o, rng);
    double change_at = gsl_ran_exponential(rng, o->dwell_s[state]);
    for (size_t i = 0; i < n; i++) {
        t[i] = (double)i * o->step_s;
        while (o->states > 1 && change_at <= t[i]) {
            state = other_state(o, rng, state);
            change_at += gsl_ran_exponential(rng, o->dwell_s[state]);
        }
        double factor = sigma > 0 ? gsl_ran_lognormal(rng, mu, sigma) : 1.0;
        mbps[i] = o->mbps[state] * factor;
    }
}

static int any_positive(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] > 0)
            return 1;
    return 0;
}

int st_trace_synth(const st_synth_opts *o, st_trace **out, st_error *err)
{
    *out = NULL;
    if (check_opts(o, err) < 0)
        return -1;
    size_t n = (size_t)ceil(o->duration_s / o->step_s);
    while (n > 1 && (double)(n - 1) * o->step_s >= o->duration_s)
        n--;                            /* the last step starts inside */
    double *t = malloc(n * sizeof *t);
    double *mbps = malloc(n * sizeof *mbps);
    gsl_rng *rng = st_rng_stream(o->seed, "trace-synth");
    int rc = -1;
    if (!t || !mbps || !rng) {
        st_error_set(err, "synth: out of memory for %zu samples", n);
        goto done;
    }
    generate(o, rng, n, t, mbps);
    if (!any_positive(mbps, n)) {
        /* Possible when the zero-rate states cover the whole duration. */
        st_error_set(err, "synth: seed %llu gives a trace that is zero "
                     "throughout; use a longer duration or another seed",
                     (unsigned long long)o->seed);
        goto done;
    }
    char name[64];
    snprintf(name, sizeof name, "synth(seed=%llu)",
             (unsigned long long)o->seed);
    rc = st_trace_from_mbps(name, t, mbps, n, o->duration_s, 1, out, err);
done:
    gsl_rng_free(rng);
    free(t);
    free(mbps);
    return rc;
}
