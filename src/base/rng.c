/* rng.c - named GSL random streams seeded from (seed, name) (see rng.h). */
#include "base/rng.h"
#include "base/hash.h"

unsigned long st_rng_seed_for(uint64_t seed, const char *name)
{
    uint64_t h = st_hash_str(st_hash_u64(ST_HASH_INIT, seed), name);
    /* MT19937 takes an unsigned long; 0 means "default seed" to GSL, so
     * keep it away from 0. */
    unsigned long s = (unsigned long)(st_hash_mix(h) & 0xffffffffUL);
    return s ? s : 1;
}

static gsl_rng *make(unsigned long s)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, s);
    return r;
}

gsl_rng *st_rng_stream(uint64_t seed, const char *name)
{
    return make(st_rng_seed_for(seed, name));
}

gsl_rng *st_rng_stream_i(uint64_t seed, const char *name, uint64_t index)
{
    uint64_t h = st_hash_u64(st_hash_str(st_hash_u64(ST_HASH_INIT, seed), name), index);
    unsigned long s = (unsigned long)(st_hash_mix(h) & 0xffffffffUL);
    return make(s ? s : 1);
}
