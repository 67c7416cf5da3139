/* bwest.c - last-sample, EWMA and harmonic-mean estimators (see bwest.h). */
#include "policy/bwest.h"

#include <math.h>
#include <string.h>

const char *const st_bwest_names[] = {"last", "ewma", "harmonic", NULL};

void st_bwest_init(st_bwest *e, st_bwest_kind kind, double alpha, int k,
                   double init)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->alpha = alpha > 1 ? 1 : alpha > 0 ? alpha : 1;
    e->k = k < 1 ? 1 : k > ST_BWEST_KMAX ? ST_BWEST_KMAX : k;
    e->init = init;
    e->value = init;
}

/* Over the samples held: min(n, k) of them. */
static double harmonic_mean(const st_bwest *e)
{
    long m = e->n < e->k ? e->n : e->k;
    double inv = 0;
    for (long i = 0; i < m; i++)
        inv += 1 / e->ring[i];
    return (double)m / inv;
}

int st_bwest_add(st_bwest *e, double sample)
{
    if (!isfinite(sample) || sample <= 0)
        return 0;
    switch (e->kind) {
    case ST_BWEST_LAST:
        e->value = sample;
        break;
    case ST_BWEST_EWMA:
        e->value = (1 - e->alpha) * e->value + e->alpha * sample;
        break;
    case ST_BWEST_HARMONIC:
        e->ring[e->n % e->k] = sample;
        break;
    }
    e->n++;
    if (e->kind == ST_BWEST_HARMONIC)
        e->value = harmonic_mean(e);
    return 1;
}

double st_bwest_value(const st_bwest *e) { return e->value; }
