/* idn_cache.c - the cache of IDN exact solves shared by the runs of one
 * process (idn_cache.h).
 *
 * The key.  An exact solve (idn_exact.c, and the greedy fill and gain it
 * calls) reads, of the problem, the variables (node, model, size,
 * capacity), the nodes' variable ranges and budgets, where each variable
 * occurs, the request types and their candidates (variable, node, model,
 * cost), the sharing rule and the cut families; of the call, the count
 * vectors, their weights, the time and node limits and the start
 * allocation.  It draws no random numbers.  The key is all of that
 * written out field by field (no struct padding, a length before every
 * array), with every shared IDN parameter besides, and whether the LP
 * relaxation's y is wanted: a superset of what the answer depends on, so
 * two solves with equal keys give equal answers.  Doubles are compared by
 * their bits (a -0 where there was a 0 only misses).  The 64-bit hash of
 * the key finds candidates; a hit needs the same length and the same bytes.
 *
 * What is kept.  A solve stopped by its time limit (wall clock: not
 * reproducible) is never stored, so a hit always stands for what a fresh
 * solve returns.  Keys and answers together stay within a bound
 * (ST_IDN_CACHE_DEFAULT_BYTES unless reset), the least recently used
 * entries leaving first; a key larger than the bound is not even built.
 *
 * Parallel runs.  `strata sweep --jobs N` runs points in forked worker
 * processes and `--mpi` in separate ranks: each process has its own cache
 * (a worker inherits the parent's entries at the fork, copy on write), so
 * nothing is shared between them and nothing needs to be.  Within a
 * process a mutex guards the table, so threads calling the library are
 * safe too; a solve runs outside it.
 */
#include "policy/idn_cache.h"
#include "policy/idn_impl.h"
#include "base/hash.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct st_idn_cache_key {
    uint64_t hash;
    size_t n;
    unsigned char *bytes;
};

/* ---------- writing the key ---------- */

/* With p NULL only counts the bytes, so one writer sizes and fills. */
typedef struct enc {
    unsigned char *p;
    size_t n;
} enc;

static void put(enc *e, const void *data, size_t n)
{
    if (e->p && n)
        memcpy(e->p + e->n, data, n);
    e->n += n;
}

static void put_u64(enc *e, uint64_t v) { put(e, &v, sizeof v); }
static void put_i64(enc *e, int64_t v) { put(e, &v, sizeof v); }

static void put_f64s(enc *e, const double *v, size_t n)
{
    put_u64(e, n);
    put(e, v, n * sizeof *v);
}

static void put_ints(enc *e, const int *v, size_t n)
{
    put_u64(e, n);
    for (size_t i = 0; i < n; i++)
        put_i64(e, v[i]);
}

static void put_sizes(enc *e, const size_t *v, size_t n)
{
    put_u64(e, n);
    for (size_t i = 0; i < n; i++)
        put_u64(e, v[i]);
}

static void put_params(enc *e, const st_idn_params *p)
{
    put_f64s(e, &p->alpha_s, 1);
    put_f64s(e, &p->slot_s, 1);
    put_i64(e, p->sharing);
    put_f64s(e, &p->capacity_scale, 1);
    put_f64s(e, &p->static_time_limit_s, 1);
    put_i64(e, p->static_node_limit);
    put_i64(e, p->static_cuts);
    put_i64(e, p->hindsight);
}

static void put_types(enc *e, const st_idn *g)
{
    put_u64(e, g->n_types);
    for (size_t t = 0; t < g->n_types; t++) {
        const idn_type *ty = &g->types[t];
        put_i64(e, ty->task);
        put_i64(e, ty->entry);
        put_u64(e, ty->first);
        put_u64(e, ty->n);
        put_u64(e, ty->path_first);
        put_u64(e, ty->path_len);
    }
    put_u64(e, g->n_cands);
    for (size_t i = 0; i < g->n_cands; i++) {
        const cand *c = &g->cands[i];
        put_i64(e, c->var);
        put_i64(e, c->node);
        put_i64(e, c->model);
        put_f64s(e, &c->cost, 1);
    }
}

/* Everything of g an exact solve reads. */
static void put_problem(enc *e, const st_idn *g)
{
    put_params(e, &g->p);
    put_u64(e, g->n_nodes);
    put_u64(e, g->max_len);
    put_ints(e, g->var_node, g->n_vars);
    put_ints(e, g->var_model, g->n_vars);
    put_f64s(e, g->var_size, g->n_vars);
    put_f64s(e, g->var_cap, g->n_vars);
    put_sizes(e, g->node_first, g->n_nodes);
    put_sizes(e, g->node_count, g->n_nodes);
    put_f64s(e, g->node_budget, g->n_nodes);
    put_sizes(e, g->occ_first, g->n_vars + 1);
    size_t n_occ = g->occ_first[g->n_vars];
    put_u64(e, n_occ);
    for (size_t o = 0; o < n_occ; o++) {
        put_u64(e, g->occs[o].type);
        put_u64(e, g->occs[o].pos);
    }
    put_types(e, g);
}

/* The call: counts, weights, limits, start, and whether y is wanted. */
static void put_call(enc *e, const st_idn *g, const double *const *r,
                     const double *w, size_t nr, double time_limit_s,
                     long node_limit, const unsigned char *start, int want_y)
{
    put_u64(e, nr);
    for (size_t i = 0; i < nr; i++)
        put_f64s(e, r[i], g->n_types);
    put_f64s(e, w, nr);
    put_f64s(e, &time_limit_s, 1);
    put_i64(e, node_limit);
    put_u64(e, start != NULL);
    if (start)
        put(e, start, g->n_vars);
    put_u64(e, want_y != 0);
}

/* ---------- the table ---------- */

typedef struct entry {
    st_idn_cache_key *key;
    unsigned char *x;
    double *y;           /* NULL when the key does not want it */
    st_idn_exact out;
    int rc;
    size_t bytes;        /* key and answer */
    uint64_t used;       /* last use, for eviction */
} entry;

static struct {
    pthread_mutex_t lock;
    entry *e;
    size_t n, cap, bytes, limit;
    uint64_t tick;
    size_t hits, misses, stores, evictions;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER,
           .limit = ST_IDN_CACHE_DEFAULT_BYTES};

static size_t current_limit(void)
{
    pthread_mutex_lock(&cache.lock);
    size_t limit = cache.limit;
    pthread_mutex_unlock(&cache.lock);
    return limit;
}

st_idn_cache_key *st_idn_cache_key_new(const st_idn *g, const double *const *r,
                                       const double *w, size_t nr,
                                       double time_limit_s, long node_limit,
                                       const unsigned char *start, int want_y)
{
    enc size = {0};
    put_problem(&size, g);
    put_call(&size, g, r, w, nr, time_limit_s, node_limit, start, want_y);
    if (size.n > current_limit())
        return NULL;
    st_idn_cache_key *k = st_xcalloc(1, sizeof *k);
    enc e = {.p = st_xcalloc(size.n + 1, 1)};
    put_problem(&e, g);
    put_call(&e, g, r, w, nr, time_limit_s, node_limit, start, want_y);
    k->bytes = e.p;
    k->n = e.n;
    k->hash = st_hash_bytes(ST_HASH_INIT, e.p, e.n);
    return k;
}

void st_idn_cache_key_free(st_idn_cache_key *k)
{
    if (!k)
        return;
    free(k->bytes);
    free(k);
}

static int same_key(const st_idn_cache_key *a, const st_idn_cache_key *b)
{
    return a->hash == b->hash && a->n == b->n &&
           memcmp(a->bytes, b->bytes, a->n) == 0;
}

/* The entry under k, or NULL; the lock held. */
static entry *find(const st_idn_cache_key *k)
{
    for (size_t i = 0; i < cache.n; i++)
        if (same_key(cache.e[i].key, k))
            return &cache.e[i];
    return NULL;
}

static void drop(size_t i)
{
    entry *en = &cache.e[i];
    cache.bytes -= en->bytes;
    st_idn_cache_key_free(en->key);
    free(en->x);
    free(en->y);
    cache.e[i] = cache.e[--cache.n];
}

/* Evicts the least recently used entries until `more` bytes fit. */
static void make_room(size_t more)
{
    while (cache.n && cache.bytes + more > cache.limit) {
        size_t old = 0;
        for (size_t i = 1; i < cache.n; i++)
            if (cache.e[i].used < cache.e[old].used)
                old = i;
        drop(old);
        cache.evictions++;
    }
}

int st_idn_cache_get(const st_idn_cache_key *k, size_t n_vars,
                     unsigned char *x, double *y, st_idn_exact *out, int *rc)
{
    pthread_mutex_lock(&cache.lock);
    entry *en = find(k);
    if (en) {
        en->used = ++cache.tick;
        memcpy(x, en->x, n_vars);
        if (y && en->y)
            memcpy(y, en->y, n_vars * sizeof *y);
        *out = en->out;
        *rc = en->rc;
        cache.hits++;
    } else {
        cache.misses++;
    }
    pthread_mutex_unlock(&cache.lock);
    return en != NULL;
}

void st_idn_cache_put(st_idn_cache_key *k, size_t n_vars,
                      const unsigned char *x, const double *y,
                      const st_idn_exact *out, int rc)
{
    size_t bytes = k->n + sizeof *k + n_vars + (y ? n_vars * sizeof *y : 0) +
                   sizeof(entry);
    pthread_mutex_lock(&cache.lock);
    if (bytes > cache.limit || find(k)) {   /* too large, or stored meanwhile */
        pthread_mutex_unlock(&cache.lock);
        st_idn_cache_key_free(k);
        return;
    }
    make_room(bytes);
    if (cache.n == cache.cap) {
        cache.cap = cache.cap ? 2 * cache.cap : 16;
        cache.e = st_xrealloc(cache.e, cache.cap * sizeof *cache.e);
    }
    entry *en = &cache.e[cache.n++];
    *en = (entry){.key = k, .x = st_xcalloc(n_vars + 1, 1), .out = *out,
                  .rc = rc, .bytes = bytes, .used = ++cache.tick};
    memcpy(en->x, x, n_vars);
    if (y) {
        en->y = st_xcalloc(n_vars + 1, sizeof *en->y);
        memcpy(en->y, y, n_vars * sizeof *y);
    }
    cache.bytes += bytes;
    cache.stores++;
    pthread_mutex_unlock(&cache.lock);
}

void st_idn_cache_stats_get(st_idn_cache_stats *s)
{
    pthread_mutex_lock(&cache.lock);
    *s = (st_idn_cache_stats){cache.hits, cache.misses, cache.stores,
                              cache.evictions, cache.n, cache.bytes,
                              cache.limit};
    pthread_mutex_unlock(&cache.lock);
}

size_t st_idn_cache_reset(size_t limit_bytes)
{
    pthread_mutex_lock(&cache.lock);
    size_t was = cache.limit;
    while (cache.n)
        drop(cache.n - 1);
    free(cache.e);
    cache.e = NULL;
    cache.cap = cache.bytes = 0;
    cache.hits = cache.misses = cache.stores = cache.evictions = 0;
    cache.limit = limit_bytes;
    pthread_mutex_unlock(&cache.lock);
    return was;
}
