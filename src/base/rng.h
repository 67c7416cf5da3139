/* rng.h - named random streams on GSL.
 *
 * Each stream is a gsl_rng (MT19937) seeded from a hash of (scenario seed,
 * stream name).  Adding a stream, or drawing more from one, never changes
 * the numbers another stream produces.
 */
#ifndef STRATA_RNG_H
#define STRATA_RNG_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* The seed a stream gets; exposed so tests and tools can show it. */
unsigned long st_rng_seed_for(uint64_t seed, const char *name);
/* A new generator for the stream; free with gsl_rng_free. */
gsl_rng *st_rng_stream(uint64_t seed, const char *name);
/* Same for a stream indexed within a name (e.g. per device). */
gsl_rng *st_rng_stream_i(uint64_t seed, const char *name, uint64_t index);

/* An exponential draw of mean mu: GSL's gsl_ran_exponential, with its
 * gsl_rng_uniform, written out so that the two calls and the library's
 * frame are not paid on every arrival gap and service time.  The same
 * formula as the library's (-mu * log1p(-u)), so the same numbers. */
static inline double st_ran_exponential(const gsl_rng *r, double mu)
{
    return -mu * log1p(-r->type->get_double(r->state));
}

#endif
