/* dist.c - sampling, means and quantiles of st_dist on GSL (see dist.h). */
#include "strata/dist.h"
#include "base/rng.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

/* A normal execution time or RTT cannot be negative; resample a few times
 * (exact truncation for any sane mean/sd) and clamp as a last resort. */
#define NORMAL_RESAMPLES 64

st_dist st_dist_const(double v)
{
    return (st_dist){.kind = ST_DIST_CONST, .a = v};
}

/* The two draws that need a frame of their own (a loop, a call whose
 * result is used) are kept out of line, so that st_dist_sample is a jump
 * to the right GSL sampler with no frame: it runs for every execution
 * time, RTT and SLO a run draws. */
__attribute__((noinline))
static double sample_normal(const st_dist *d, gsl_rng *r)
{
    for (int i = 0; i < NORMAL_RESAMPLES; i++) {
        double x = d->a + gsl_ran_gaussian_ziggurat(r, d->b);
        if (x >= 0)
            return x;
    }
    return 0;
}

__attribute__((noinline))
static double sample_empirical(const st_dist *d, gsl_rng *r)
{
    return d->samples[gsl_rng_uniform_int(r, d->n)];
}

double st_dist_sample(const st_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case ST_DIST_CONST:
        return d->a;
    case ST_DIST_NORMAL:
        return sample_normal(d, r);
    case ST_DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, d->a, d->b);
    case ST_DIST_EXP:
        return st_ran_exponential(r, d->a);
    case ST_DIST_UNIFORM:
        return gsl_ran_flat(r, d->a, d->b);
    case ST_DIST_EMPIRICAL:
        return sample_empirical(d, r);
    }
    return NAN;
}

double st_dist_mean(const st_dist *d)
{
    switch (d->kind) {
    case ST_DIST_CONST: return d->a;
    case ST_DIST_NORMAL: return d->a;   /* truncation ignored: sd << mean */
    case ST_DIST_LOGNORMAL: return exp(d->a + d->b * d->b / 2);
    case ST_DIST_EXP: return d->a;
    case ST_DIST_UNIFORM: return (d->a + d->b) / 2;
    case ST_DIST_EMPIRICAL: return gsl_stats_mean(d->samples, 1, d->n);
    }
    return NAN;
}

double st_dist_quantile(const st_dist *d, double p)
{
    if (p <= 0 && d->kind != ST_DIST_EMPIRICAL && d->kind != ST_DIST_UNIFORM
        && d->kind != ST_DIST_CONST)
        return 0;
    switch (d->kind) {
    case ST_DIST_CONST: return d->a;
    case ST_DIST_NORMAL: {
        double q = d->a + gsl_cdf_gaussian_Pinv(p, d->b);
        return q > 0 ? q : 0;
    }
    case ST_DIST_LOGNORMAL: return gsl_cdf_lognormal_Pinv(p, d->a, d->b);
    case ST_DIST_EXP: return gsl_cdf_exponential_Pinv(p, d->a);
    case ST_DIST_UNIFORM: return d->a + p * (d->b - d->a);
    case ST_DIST_EMPIRICAL:
        return gsl_stats_quantile_from_sorted_data(d->samples, 1, d->n, p);
    }
    return NAN;
}

void st_dist_scale(st_dist *d, double k)
{
    switch (d->kind) {
    case ST_DIST_LOGNORMAL:
        d->a += log(k);   /* scaling a lognormal shifts its location */
        break;
    case ST_DIST_EMPIRICAL:
        for (size_t i = 0; i < d->n; i++)
            d->samples[i] *= k;
        break;
    case ST_DIST_CONST:
    case ST_DIST_EXP:
        d->a *= k;
        break;
    case ST_DIST_NORMAL:
    case ST_DIST_UNIFORM:
        d->a *= k;
        d->b *= k;
        break;
    }
}

void st_dist_free(st_dist *d)
{
    free(d->samples);
    d->samples = NULL;
    d->n = 0;
}

st_dist st_dist_copy(const st_dist *d)
{
    st_dist c = *d;
    if (d->kind == ST_DIST_EMPIRICAL && d->n) {
        c.samples = st_xmalloc(d->n * sizeof *c.samples);
        memcpy(c.samples, d->samples, d->n * sizeof *c.samples);
    }
    return c;
}

const char *st_dist_kind_name(st_dist_kind k)
{
    static const char *names[] = {"constant", "normal", "lognormal",
                                  "exponential", "uniform", "empirical"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}
