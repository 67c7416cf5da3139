/* dist.h - the random variables a scenario can describe: execution times,
 * RTTs, SLOs.  Values are in the unit the caller chose (seconds in the
 * world).  Sampling uses GSL's generators and distributions.
 */
#ifndef STRATA_DIST_H
#define STRATA_DIST_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

typedef enum st_dist_kind {
    ST_DIST_CONST,      /* a = value */
    ST_DIST_NORMAL,     /* a = mean, b = sd; truncated at 0 by resampling */
    ST_DIST_LOGNORMAL,  /* a = mu (log-scale location), b = sigma */
    ST_DIST_EXP,        /* a = mean */
    ST_DIST_UNIFORM,    /* a = min, b = max */
    ST_DIST_EMPIRICAL   /* samples, drawn uniformly */
} st_dist_kind;

typedef struct st_dist {
    st_dist_kind kind;
    double a, b;
    double *samples;   /* sorted ascending; owned */
    size_t n;
} st_dist;

st_dist st_dist_const(double v);
double st_dist_sample(const st_dist *d, gsl_rng *r);
double st_dist_mean(const st_dist *d);
/* p in [0,1]. */
double st_dist_quantile(const st_dist *d, double p);
/* Multiply every value by k (unit conversion). */
void st_dist_scale(st_dist *d, double k);
void st_dist_free(st_dist *d);
/* Deep copy (samples duplicated). */
st_dist st_dist_copy(const st_dist *d);
const char *st_dist_kind_name(st_dist_kind k);

#endif
