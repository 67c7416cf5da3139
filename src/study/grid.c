/* grid.c - a sweep expanded into points (see sweep.h): the axes (grid
 * keys, zipped groups), policies and seeds of the file grid_read.c read,
 * each point's scenario resolved once through the loader's overrides to
 * get its key; and loading a sweep, or one of its points. */
#include "study/grid_impl.h"
#include "base/xalloc.h"
#include "base/hash.h"
#include "policy/registry.h"
#include "study/membound.h"
#include "yaml/cfgread.h"
#include "yaml/yamltree.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- overrides and keys of a point --------------------------------------- */

/* set, then one per key at the given choices, then the seed: the order
 * `strata run --set ... --seed N` applies them in. */
static char **overrides_for(const st_sweep *sw, const size_t *choice,
                            uint64_t seed, size_t *n)
{
    char **ov = st_xcalloc(sw->n_set + sw->n_keys + 1, sizeof *ov);
    size_t k = 0;
    for (size_t i = 0; i < sw->n_set; i++)
        ov[k++] = st_xstrdup(sw->set[i]);
    for (size_t i = 0; i < sw->n_keys; i++)
        ov[k++] = st_xasprintf("%s=%s", sw->keys[i].path,
                            sw->keys[i].yaml[choice[i]]);
    ov[k++] = st_xasprintf("seed=%" PRIu64, seed);
    *n = k;
    return ov;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* A scenario loaded as a run would load it: its policies checked too. */
static int load_checked(const char *path, const char *const *ov, size_t n,
                        st_scenario **out, st_error *err)
{
    if (st_scenario_load(path, ov, n, out, err))
        return -1;
    if (st_policy_check_names(*out, err)) {
        st_scenario_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

static int load_with(const st_sweep *sw, const size_t *choice, uint64_t seed,
                     st_scenario **out, st_error *err)
{
    size_t n;
    char **ov = overrides_for(sw, choice, seed, &n);
    int rc = load_checked(sw->base, (const char *const *)ov, n, out, err);
    free_strings(ov, n);
    return rc;
}

/* A point that cannot load still needs a stable key to be stored under:
 * the hash of what defines it. */
static void unresolved_key(const st_sweep *sw, const size_t *choice,
                           const char *policy, uint64_t seed, char out[17])
{
    size_t n;
    char **ov = overrides_for(sw, choice, seed, &n);
    uint64_t h = st_hash_str(ST_HASH_INIT, "unresolved");
    h = st_hash_str(h, sw->base);
    for (size_t i = 0; i < n; i++)
        h = st_hash_str(h, ov[i]);
    h = st_hash_str(h, policy ? policy : "");
    h = st_hash_u64(h, seed);
    st_hash_hex(h, out);
    free_strings(ov, n);
}

/* ---- expansion ------------------------------------------------------------ */

/* The number of combinations of the axes, checking up front (before a
 * single load) that with per_combination points each the sweep stays
 * within ST_SWEEP_MAX_POINTS. */
static size_t combinations(const spec *s, size_t per_combination,
                           st_error *err, int *too_many)
{
    size_t n = per_combination ? per_combination : 1;
    *too_many = 0;
    for (size_t a = 0; a <= s->n_axes; a++) {
        size_t len = a < s->n_axes ? s->axes[a].len : 1;
        if (n > ST_SWEEP_MAX_POINTS / len) {
            *too_many = 1;
            st_error_set(err, "%s: the grid has more than %d points", s->sw->file,
                         ST_SWEEP_MAX_POINTS);
            return 0;
        }
        n *= len;
    }
    return n / (per_combination ? per_combination : 1);
}

/* Sets choice[] for combination number c, the first axis outermost. */
static void choose(const spec *s, size_t c, size_t *choice)
{
    for (size_t a = s->n_axes; a-- > 0;) {
        size_t v = c % s->axes[a].len;
        c /= s->axes[a].len;
        for (size_t k = 0; k < s->axes[a].n_keys; k++)
            choice[s->axes[a].first + k] = v;
    }
}

static st_sweep_point *new_point(st_sweep *sw, size_t *cap, const size_t *choice)
{
    if (sw->n_points == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        sw->points = st_xrealloc(sw->points, *cap * sizeof *sw->points);
    }
    st_sweep_point *p = &sw->points[sw->n_points++];
    memset(p, 0, sizeof *p);
    p->choice = st_xcalloc(sw->n_keys, sizeof *p->choice);
    memcpy(p->choice, choice, sw->n_keys * sizeof *choice);
    return p;
}

/* The policies a loaded combination runs: the sweep's list (selected, so
 * each keeps the parameters the scenario gives it) or the scenario's own. */
static int select_policies(const spec *s, st_scenario *sc, st_error *err)
{
    if (!s->policies)
        return 0;
    return st_policy_select(sc, (const char *const *)s->policies,
                                       s->n_policies, err);
}

/* A point's memory bound, with and without the request log. */
static void set_mem(const st_scenario *sc, size_t p, st_sweep_point *pt)
{
    st_run_opts o = {.log_requests = 1};
    st_membound b;
    st_membound_of(sc, p, &o, &b);
    pt->mem_log = b.world.log;
    pt->mem_bytes = b.total - b.world.log;
}

/* Points of one combination: its scenario loaded once per seed, then one
 * point per policy and seed (seeds innermost). */
static int expand_combination(spec *s, const size_t *choice, size_t *cap,
                              uint64_t base_seed, const char *base_name)
{
    st_sweep *sw = s->sw;
    size_t ns = s->seeds ? s->n_seeds : 1;
    st_scenario **scs = st_xcalloc(ns, sizeof *scs);
    char **errs = st_xcalloc(ns, sizeof *errs);
    size_t np = s->policies ? s->n_policies : 0;
    for (size_t j = 0; j < ns; j++) {
        st_error e;
        uint64_t seed = s->seeds ? s->seeds[j] : base_seed;
        if (load_with(sw, choice, seed, &scs[j], &e) ||
            select_policies(s, scs[j], &e)) {
            st_scenario_free(scs[j]);
            scs[j] = NULL;
            errs[j] = st_xstrdup(e.msg);
        } else if (!np) {
            np = scs[j]->n_policies;
        }
    }
    if (!np)
        np = 1;   /* no list and nothing loaded: one failed point */
    for (size_t p = 0; p < np; p++) {
        for (size_t j = 0; j < ns; j++) {
            if (sw->n_points >= ST_SWEEP_MAX_POINTS)
                break;
            st_sweep_point *pt = new_point(sw, cap, choice);
            pt->seed = s->seeds ? s->seeds[j] : base_seed;
            const char *pol = s->policies ? s->policies[p]
                              : scs[j] && p < scs[j]->n_policies
                                  ? scs[j]->policies[p].name : NULL;
            pt->policy = pol ? st_xstrdup(pol) : NULL;
            if (scs[j] && p < scs[j]->n_policies) {
                st_run_key(scs[j], p, pt->run_key);
                set_mem(scs[j], p, pt);
                pt->scenario = st_xstrdup(scs[j]->name);
            } else {
                pt->scenario = st_xstrdup(base_name);
                pt->error = st_xstrdup(errs[j] ? errs[j]
                                            : "the scenario lists fewer"
                                              " policies at this point");
                unresolved_key(sw, choice, pt->policy, pt->seed, pt->run_key);
            }
        }
    }
    for (size_t j = 0; j < ns; j++) {
        st_scenario_free(scs[j]);
        free(errs[j]);
    }
    free(scs);
    free(errs);
    if (sw->n_points >= ST_SWEEP_MAX_POINTS)
        return st_error_set(s->c.err, "%s: the sweep has more than %d points",
                            sw->file, ST_SWEEP_MAX_POINTS);
    return 0;
}

typedef struct keyed {
    const char *key;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *p = a, *q = b;
    int c = strcmp(p->key, q->key);
    return c ? c : (p->i > q->i) - (p->i < q->i);
}

/* Two points with one key would overwrite each other's run: a repeated
 * value in a list, usually. */
static int check_distinct(st_sweep *sw, st_error *err)
{
    keyed *order = st_xcalloc(sw->n_points, sizeof *order);
    for (size_t i = 0; i < sw->n_points; i++)
        order[i] = (keyed){sw->points[i].run_key, i};
    qsort(order, sw->n_points, sizeof *order, cmp_keyed);
    int rc = 0;
    for (size_t i = 1; i < sw->n_points && !rc; i++) {
        size_t a = order[i - 1].i, b = order[i].i;
        if (strcmp(order[i - 1].key, order[i].key) != 0)
            continue;
        char da[512], db[512];
        st_sweep_describe(sw, a, da, sizeof da);
        st_sweep_describe(sw, b, db, sizeof db);
        rc = st_error_set(err, "%s: points %zu (%s) and %zu (%s) are the same"
                          " run; expected each value once in its list",
                          sw->file, a, da, b, db);
    }
    free(order);
    return rc;
}

static int expand(spec *s)
{
    st_sweep *sw = s->sw;
    st_scenario *base;
    st_error e;
    /* The base (with `set`) must load: otherwise every point would fail
     * for one reason that belongs to the sweep, not to a point. */
    if (load_checked(sw->base, (const char *const *)sw->set, sw->n_set,
                     &base, &e))
        return st_error_set(s->c.err, "%s: the base scenario is invalid: %s",
                            sw->file, e.msg);
    for (size_t i = 0; i < s->n_policies; i++)
        if (!st_policy_lookup(s->policies[i])) {
            st_scenario_free(base);
            return st_error_at(s->c.err, sw->file, s->policy_at[2 * i],
                               s->policy_at[2 * i + 1], "unknown policy '%s' "
                               "(see 'strata run --help' for the list)",
                               s->policies[i]);
        }
    uint64_t base_seed = base->seed;
    char *base_name = st_xstrdup(base->name);
    size_t per = (s->policies ? s->n_policies : base->n_policies) *
                 (s->seeds ? s->n_seeds : 1);
    st_scenario_free(base);
    int too_many;
    size_t nc = combinations(s, per, s->c.err, &too_many);
    size_t loads = nc * (s->seeds ? s->n_seeds : 1);
    if (!too_many && (nc > ST_SWEEP_MAX_COMBINATIONS ||
                      loads > ST_SWEEP_MAX_LOADS)) {
        /* Each combination's scenario is loaded (once per seed) to name
         * its points, so a huge grid would take long before running
         * anything: say so at once instead. */
        st_error_set(s->c.err, "%s: the grid has %zu combinations of values "
                     "(%zu scenario loads with its seeds); at most %d "
                     "combinations and %d loads are allowed: split the sweep",
                     sw->file, nc, loads, ST_SWEEP_MAX_COMBINATIONS,
                     ST_SWEEP_MAX_LOADS);
        too_many = 1;
    }
    if (too_many) {
        free(base_name);
        return -1;
    }
    size_t *choice = st_xcalloc(sw->n_keys, sizeof *choice);
    size_t cap = 0;
    int rc = 0;
    for (size_t c = 0; c < nc && !rc; c++) {
        choose(s, c, choice);
        rc = expand_combination(s, choice, &cap, base_seed, base_name);
    }
    free(choice);
    free(base_name);
    return rc ? rc : check_distinct(sw, s->c.err);
}

/* ---- public --------------------------------------------------------------- */

/* The hash of a file's bytes (runs record which sweep file made them);
 * an unreadable file hashes as empty, and then fails to load anyway. */
static void hash_file(const char *path, char out[17])
{
    uint64_t h = ST_HASH_INIT;
    FILE *f = fopen(path, "rb");
    char buf[8192];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        h = st_hash_bytes(h, buf, n);
    if (f)
        fclose(f);
    st_hash_hex(h, out);
}

int st_sweep_load(const char *path, st_sweep **out, st_error *err)
{
    *out = NULL;
    yaml_document_t doc;
    if (yt_load_file(path, &doc, err))
        return -1;
    st_sweep *sw = st_xcalloc(1, sizeof *sw);
    sw->file = st_xstrdup(path);
    hash_file(path, sw->hash);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path))
                      : st_xstrdup("");
    spec s = {.c = {&doc, sw->file, dir, err}, .sw = sw};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = !root ? st_error_at(err, path, 1, 1, "expected a sweep (a"
                                 " mapping with base, grid, seeds...), got an"
                                 " empty file")
             : cfg_expect_map(&s.c, root, "a sweep") || grid_read_file(&s, root)
                 ? -1 : 0;
    yaml_document_delete(&doc);
    if (!rc)
        rc = expand(&s);
    free(dir);
    free(s.axes);
    free_strings(s.policies, s.n_policies);
    free(s.policy_at);
    free(s.seeds);
    if (rc) {
        st_sweep_free(sw);
        return -1;
    }
    *out = sw;
    return 0;
}

void st_sweep_free(st_sweep *sw)
{
    if (!sw)
        return;
    for (size_t i = 0; i < sw->n_keys; i++) {
        free(sw->keys[i].path);
        free_strings(sw->keys[i].text, sw->keys[i].n_values);
        free_strings(sw->keys[i].yaml, sw->keys[i].n_values);
    }
    free(sw->keys);
    for (size_t i = 0; i < sw->n_points; i++) {
        free(sw->points[i].choice);
        free(sw->points[i].scenario);
        free(sw->points[i].policy);
        free(sw->points[i].error);
    }
    free(sw->points);
    free_strings(sw->set, sw->n_set);
    free(sw->file);
    free(sw->name);
    free(sw->base);
    free(sw);
}

const char *st_sweep_value(const st_sweep *sw, size_t i, size_t k)
{
    return sw->keys[k].text[sw->points[i].choice[k]];
}

void st_sweep_describe(const st_sweep *sw, size_t i, char *buf, size_t n)
{
    const st_sweep_point *p = &sw->points[i];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sw->n_keys && len < n; k++) {
        int w = snprintf(buf + len, n - len, "%s=%s ", sw->keys[k].path,
                         st_sweep_value(sw, i, k));
        len += w > 0 ? (size_t)w : 0;
    }
    if (len < n)
        snprintf(buf + len, n - len, "policy=%s seed=%" PRIu64,
                 p->policy ? p->policy : "?", p->seed);
}

int st_sweep_check_memory(const st_sweep *sw, const st_sweep_opts *o,
                          st_error *err)
{
    size_t shards = o && o->n_shards > 1 ? o->n_shards : 1;
    size_t shard = shards > 1 ? o->shard : 0, n = 0;
    double *bytes = st_xcalloc(sw->n_points + 1, sizeof *bytes);
    for (size_t i = shard; i < sw->n_points; i += shards)
        bytes[n++] = sw->points[i].mem_bytes +
                     (sw->log_requests ? sw->points[i].mem_log : 0);
    int rc = st_membound_check_many(sw->file, bytes, n, o ? o->jobs : 1, err);
    free(bytes);
    return rc;
}

int st_sweep_load_point(const st_sweep *sw, size_t i, st_scenario **out,
                        st_error *err)
{
    const st_sweep_point *p = &sw->points[i];
    if (p->error)
        return st_error_set(err, "%s", p->error);
    if (load_with(sw, p->choice, p->seed, out, err))
        return -1;
    const char *names[1] = {p->policy};
    if (st_policy_select(*out, names, 1, err)) {
        st_scenario_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
