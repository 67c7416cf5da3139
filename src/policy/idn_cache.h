/* idn_cache.h - a cache of the IDN exact solves (st_idn_solve_exact),
 * shared by every run of one process (idn_cache.c).
 *
 * Every IDN policy of a scenario solves the same static reference (and,
 * when the realised counts agree, the same hindsight optimum) on the same
 * problem with the same parameters; the second run of a process reuses the
 * first one's answer.  The key is everything the solve reads, stored whole
 * and compared byte for byte on lookup (its hash only finds candidates), so
 * a hit returns exactly what a fresh solve would.  Private to src/policy.
 */
#ifndef STRATA_IDN_CACHE_H
#define STRATA_IDN_CACHE_H

#include <stddef.h>

#include "policy/idn_static.h"

/* The default bound on the bytes the cache holds (keys and answers). */
#define ST_IDN_CACHE_DEFAULT_BYTES ((size_t)64 << 20)

/* One solve's key: the problem g describes, the weighted count vectors,
 * the solver's limits and cuts, the start allocation and whether the LP
 * relaxation's y is wanted. */
typedef struct st_idn_cache_key st_idn_cache_key;

/* The key of a solve, or NULL when the cache is off or the key alone
 * would not fit its bound (the solve is then not cached). */
st_idn_cache_key *st_idn_cache_key_new(const st_idn *g, const double *const *r,
                                       const double *w, size_t nr,
                                       double time_limit_s, long node_limit,
                                       const unsigned char *start, int want_y);
void st_idn_cache_key_free(st_idn_cache_key *k);

/* On a hit, the stored answer into x[n_vars], y[n_vars] (when the key
 * wants it), *out and *rc, and 1; else 0. */
int st_idn_cache_get(const st_idn_cache_key *k, size_t n_vars,
                     unsigned char *x, double *y, st_idn_exact *out, int *rc);
/* Stores an answer under k (taking k), evicting the least recently used
 * entries to stay within the bound; an answer too large is dropped. */
void st_idn_cache_put(st_idn_cache_key *k, size_t n_vars,
                      const unsigned char *x, const double *y,
                      const st_idn_exact *out, int rc);

typedef struct st_idn_cache_stats {
    size_t hits, misses, stores, evictions, entries, bytes, limit;
} st_idn_cache_stats;

void st_idn_cache_stats_get(st_idn_cache_stats *s);
/* Sets the bound in bytes (0: off), emptying the cache and its counts;
 * returns the previous bound. */
size_t st_idn_cache_reset(size_t limit_bytes);

#endif
