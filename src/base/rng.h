/* rng.h - named random streams on GSL.
 *
 * Each stream is a gsl_rng (MT19937) seeded from a hash of (scenario seed,
 * stream name).  Adding a stream, or drawing more from one, never changes
 * the numbers another stream produces.
 */
#ifndef STRATA_RNG_H
#define STRATA_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* The seed a stream gets; exposed so tests and tools can show it. */
unsigned long st_rng_seed_for(uint64_t seed, const char *name);
/* A new generator for the stream; free with gsl_rng_free. */
gsl_rng *st_rng_stream(uint64_t seed, const char *name);
/* Same for a stream indexed within a name (e.g. per device). */
gsl_rng *st_rng_stream_i(uint64_t seed, const char *name, uint64_t index);

#endif
