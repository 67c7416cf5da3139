/* cache.c - the `lru` and `lfu` IDN caching baselines: nodes load the
 * model a request wants as it passes, and evict by recency or frequency.
 *
 * A request is served as every IDN policy serves it (the cheapest
 * resident candidate with capacity left, else the repository).  Then each
 * node on its path below the one that served it, other than the
 * repository, wants its own cheapest model of the task (the model a
 * request served there would use): if that model is not resident, the
 * node loads it, evicting until it fits; a model larger than the node's
 * whole budget is never loaded.  Loads happen during the slot, as
 * requests pass, and count as reallocation loads.
 *
 * Parameters, besides the shared ones (alpha, slot, sharing, ...):
 *   insert   path (default): every node below the server loads ("leave a
 *            copy everywhere"); down: only the node just below it ("leave
 *            a copy down").
 *   counts   (lfu) perfect (default): a model's request count survives its
 *            eviction; in_cache: the count restarts when it is loaded.
 * Victims: lru the least recently wanted; lfu the least often wanted,
 * ties to the least recently wanted.  "Wanted" means a request served by
 * the model there or passing a node that wanted it.
 */
#include "policy/idn.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { INSERT_PATH, INSERT_DOWN };
enum { COUNTS_PERFECT, COUNTS_IN_CACHE };

typedef struct cache {
    st_idn *g;
    int lfu, insert, counts;
    uint64_t clock;      /* touches so far: a recency stamp */
    uint64_t *stamp;     /* per variable */
    double *freq;
} cache;

static void cache_fini(st_policy *p)
{
    cache *s = p->state;
    if (!s)
        return;
    st_idn_free(s->g);
    free(s->stamp);
    free(s->freq);
    free(s);
    p->state = NULL;
}

static const char *const inserts[] = {"path", "down", NULL};
static const char *const counts[] = {"perfect", "in_cache", NULL};
#define INSERT_PARAM                                                        \
    ST_PARAM_CHOICE("insert", inserts, INSERT_PATH, "path: every node below "  \
                    "the server loads the model; down: only the one just "   \
                    "below it")
static const st_param lru_params[] = {
    INSERT_PARAM, ST_PARAM_INCLUDE(st_idn_param_table), ST_PARAM_END};
static const st_param lfu_params[] = {
    INSERT_PARAM,
    ST_PARAM_CHOICE("counts", counts, COUNTS_PERFECT, "perfect: a model's "
                    "count survives its eviction; in_cache: it restarts "
                    "when loaded"),
    ST_PARAM_INCLUDE(st_idn_param_table), ST_PARAM_END};

static int cache_init(st_policy *p, const st_params *params, const st_view *v,
                      st_error *err, int lfu)
{
    const st_scenario *sc = st_view_scenario(v);
    st_idn_params ip;
    cache *s = calloc(1, sizeof *s);
    if (!s)
        return st_error_set(err, "out of memory");
    p->state = s;
    s->lfu = lfu;
    st_idn_read_params(params, sc, &ip);
    s->insert = st_param_choice(params, lru_params, "insert");
    s->counts = lfu ? st_param_choice(params, lfu_params, "counts")
                    : COUNTS_PERFECT;
    if (st_idn_new(sc, &ip, &s->g, err))
        return -1;
    size_t n = st_idn_n_vars(s->g);
    s->stamp = calloc(n ? n : 1, sizeof *s->stamp);
    s->freq = calloc(n ? n : 1, sizeof *s->freq);
    unsigned char *none = calloc(n ? n : 1, 1);
    if (!s->stamp || !s->freq || !none) {
        free(none);
        return st_error_set(err, "out of memory");
    }
    st_idn_on_demand(s->g);
    st_idn_apply(s->g, v, none);   /* caches start empty */
    free(none);
    p->tick_s = ip.slot_s;
    return 0;
}

static int lru_init(st_policy *p, const st_params *params, const st_view *v,
                    st_error *err)
{
    return cache_init(p, params, v, err, 0);
}

static int lfu_init(st_policy *p, const st_params *params, const st_view *v,
                    st_error *err)
{
    return cache_init(p, params, v, err, 1);
}

static void touch(cache *s, size_t j)
{
    s->stamp[j] = ++s->clock;
    s->freq[j]++;
}

/* Is a worse victim than b? */
static int colder(const cache *s, size_t a, size_t b)
{
    if (s->lfu && s->freq[a] != s->freq[b])
        return s->freq[a] < s->freq[b];
    return s->stamp[a] < s->stamp[b];
}

static double node_used(const cache *s, const st_view *v, size_t first,
                        size_t count)
{
    double used = 0;
    for (size_t j = first; j < first + count; j++)
        if (st_view_resident(v, st_idn_var_node(s->g, j), st_idn_var_model(s->g, j)))
            used += st_idn_var_size(s->g, j);
    return used;
}

/* Loads variable j on its node, evicting the coldest until it fits. */
static void insert(cache *s, const st_view *v, size_t j)
{
    int node = st_idn_var_node(s->g, j);
    size_t first, count;
    st_idn_node_vars(s->g, node, &first, &count);
    double budget = st_idn_node_budget(s->g, node), need = st_idn_var_size(s->g, j);
    if (need > budget)
        return;
    double used = node_used(s, v, first, count);
    while (used + need > budget) {
        long victim = -1;
        for (size_t k = first; k < first + count; k++)
            if (k != j && st_view_resident(v, node, st_idn_var_model(s->g, k)) &&
                (victim < 0 || colder(s, k, (size_t)victim)))
                victim = (long)k;
        if (victim < 0)
            return;
        st_idn_set(s->g, v, (size_t)victim, 0);
        used -= st_idn_var_size(s->g, (size_t)victim);
    }
    if (s->counts == COUNTS_IN_CACHE)
        s->freq[j] = 1;
    st_idn_set(s->g, v, j, 1);
}

static void cache_decide(st_policy *p, const st_request *req, const st_view *v,
                         st_decision *out)
{
    cache *s = p->state;
    st_idn_served sv = st_idn_serve(s->g, v, req, out);
    if (sv.type < 0)
        return;
    size_t len;
    const int *path = st_idn_type_path(s->g, sv.type, &len);
    /* the nodes below the server, nearest the server last */
    size_t below = 0;
    while (below < len - 1 && path[below] != out->node)
        below++;
    for (size_t i = 0; i < below; i++) {
        if (s->insert == INSERT_DOWN && i + 1 != below)
            continue;
        long j = st_idn_best_var(s->g, path[i], req->task);
        if (j < 0)
            continue;
        touch(s, (size_t)j);
        if (!st_view_resident(v, path[i], st_idn_var_model(s->g, (size_t)j)))
            insert(s, v, (size_t)j);
    }
    if (sv.var >= 0)
        touch(s, (size_t)sv.var);
}

static void cache_tick(st_policy *p, const st_view *v)
{
    cache *s = p->state;
    st_idn_slot_end(s->g, v, NAN);
}

/* The problem, and a stamp, a count and a mark per (node, model). */
static void cache_size(const st_scenario *sc, const st_params *params,
                       st_state_size *out)
{
    cache c;
    st_idn_state_size(sc, params, sizeof *c.stamp + sizeof *c.freq + 1, 0, out);
    out->fixed += sizeof c;
}

const st_policy_ops st_policy_lru = {
    .name = "lru",
    .summary = "IDN caching baseline: nodes load the model a request wants, evict the least recently wanted",
    .init = lru_init,
    .decide = cache_decide,
    .tick = cache_tick,
    .fini = cache_fini,
    .params = lru_params,
    .state_size = cache_size,
};

const st_policy_ops st_policy_lfu = {
    .name = "lfu",
    .summary = "IDN caching baseline: nodes load the model a request wants, evict the least often wanted",
    .init = lfu_init,
    .decide = cache_decide,
    .tick = cache_tick,
    .fini = cache_fini,
    .params = lfu_params,
    .state_size = cache_size,
};
