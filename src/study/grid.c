/* grid.c - a sweep file read and expanded into points (see sweep.h): the
 * axes (grid keys, zipped groups), policies and seeds, each point's
 * scenario resolved once through the loader's overrides to get its key. */
#include "study/sweep.h"
#include "base/xalloc.h"
#include "base/hash.h"
#include "base/parse.h"
#include "policy/registry.h"
#include "yaml/cfgread.h"
#include "yaml/keyref.h"
#include "yaml/yamltree.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEEDS 100000

/* An axis moves one or more keys together: a grid key alone, or a zipped
 * group.  Keys of axis a are keys[first .. first + n_keys). */
typedef struct axis {
    size_t first, n_keys, len;
} axis;

/* What the file says beyond the keys, while the points are made. */
typedef struct spec {
    cfg c;
    st_sweep *sw;
    axis *axes;
    size_t n_axes;
    char **policies;      /* NULL: each combination's own list */
    size_t n_policies;
    size_t *policy_at;    /* line, column of each name (pairs) */
    uint64_t *seeds;      /* NULL: the base scenario's seed */
    size_t n_seeds;
    size_t cap_keys;
} spec;

/* ---- reading the file --------------------------------------------------- */

static int reserved_key(const char *k)
{
    return strcmp(k, "seed") == 0 || strcmp(k, "policy") == 0;
}

static int check_key(spec *s, yaml_node_t *kn, const char *k)
{
    if (!*k || strchr(k, '=') || strchr(k, ' '))
        return cfg_fail(&s->c, kn, "'%s' is not a scenario path; expected"
                        " dotted keys such as devices.0.count", k);
    if (reserved_key(k))
        return cfg_fail(&s->c, kn, "'%s' cannot be swept as a key; use"
                        " '%s:' instead", k,
                        strcmp(k, "policy") == 0 ? "policies" : "seeds");
    for (size_t i = 0; i < s->sw->n_keys; i++)
        if (strcmp(s->sw->keys[i].path, k) == 0)
            return cfg_fail(&s->c, kn, "'%s' is swept twice (in grid or"
                            " zip); expected each path once", k);
    return 0;
}

static st_sweep_key *new_key(spec *s)
{
    st_sweep *sw = s->sw;
    if (sw->n_keys == s->cap_keys) {
        s->cap_keys = s->cap_keys ? 2 * s->cap_keys : 8;
        sw->keys = st_xrealloc(sw->keys, s->cap_keys * sizeof *sw->keys);
    }
    st_sweep_key *k = &sw->keys[sw->n_keys++];
    memset(k, 0, sizeof *k);
    return k;
}

/* One value: its text as written (a scalar's own text, else the one-line
 * YAML) and the YAML the override parses back to the same node. */
static int read_value(spec *s, yaml_node_t *v, const char *key, char **text,
                      char **yaml)
{
    const char *t;
    if (cfg_is_scalar(v)) {
        if (cfg_str(&s->c, v, key, &t))
            return -1;
        *text = st_xstrdup(t);
    } else {
        *text = yt_flow(s->c.doc, v);
    }
    *yaml = yt_flow(s->c.doc, v);
    return 0;
}

static int read_key(spec *s, yaml_node_pair_t *pr)
{
    yaml_node_t *kn = cfg_node(&s->c, pr->key);
    yaml_node_t *vn = cfg_node(&s->c, pr->value);
    const char *k;
    if (cfg_str(&s->c, kn, "a scenario path", &k) || check_key(s, kn, k) ||
        cfg_expect_seq(&s->c, vn, k))
        return -1;
    size_t n = (size_t)(vn->data.sequence.items.top -
                        vn->data.sequence.items.start);
    if (n == 0)
        return cfg_fail(&s->c, vn, "expected at least one value for '%s'", k);
    st_sweep_key *key = new_key(s);
    key->path = st_xstrdup(k);
    key->line = kn->start_mark.line + 1;
    key->col = kn->start_mark.column + 1;
    key->text = st_xcalloc(n, sizeof *key->text);
    key->yaml = st_xcalloc(n, sizeof *key->yaml);
    for (size_t i = 0; i < n; i++, key->n_values++)
        if (read_value(s, cfg_node(&s->c, vn->data.sequence.items.start[i]),
                       k, &key->text[i], &key->yaml[i]))
            return -1;
    return 0;
}

static void add_axis(spec *s, size_t first, size_t len)
{
    s->axes = st_xrealloc(s->axes, (s->n_axes + 1) * sizeof *s->axes);
    s->axes[s->n_axes++] = (axis){first, s->sw->n_keys - first, len};
}

/* grid: each key is an axis of its own. */
static int read_grid(spec *s, yaml_node_t *m)
{
    if (cfg_expect_map(&s->c, m, "grid"))
        return -1;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        size_t first = s->sw->n_keys;
        if (read_key(s, p))
            return -1;
        add_axis(s, first, s->sw->keys[first].n_values);
    }
    return 0;
}

/* One zipped group: its keys form one axis, so their lists must be as long
 * as each other. */
static int read_zip_group(spec *s, yaml_node_t *m)
{
    if (cfg_expect_map(&s->c, m, "a zip group"))
        return -1;
    size_t first = s->sw->n_keys;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        if (read_key(s, p))
            return -1;
        st_sweep_key *k = &s->sw->keys[s->sw->n_keys - 1];
        if (k->n_values != s->sw->keys[first].n_values)
            return cfg_fail(&s->c, cfg_node(&s->c, p->value), "zipped '%s'"
                            " has %zu values but '%s' has %zu; expected lists"
                            " of one length", k->path, k->n_values,
                            s->sw->keys[first].path,
                            s->sw->keys[first].n_values);
    }
    if (s->sw->n_keys == first)
        return cfg_fail(&s->c, m, "expected at least one key in a zip group");
    add_axis(s, first, s->sw->keys[first].n_values);
    return 0;
}

static int read_zip(spec *s, yaml_node_t *n)
{
    if (cfg_is_map(n))
        return read_zip_group(s, n);
    if (!cfg_is_seq(n))
        return cfg_fail(&s->c, n, "expected a mapping of lists (or a list of"
                        " such mappings) for zip");
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++)
        if (read_zip_group(s, cfg_node(&s->c, *it)))
            return -1;
    return 0;
}

static int read_seed(spec *s, yaml_node_t *n, uint64_t *out)
{
    const char *t;
    if (cfg_str(&s->c, n, "a seed", &t))
        return -1;
    if (st_parse_u64(t, out))
        return cfg_fail(&s->c, n, "expected a seed (a whole number from 0 to"
                        " 2^64-1), got '%s'", t);
    return 0;
}

static int read_seeds(spec *s, yaml_node_t *n)
{
    if (cfg_expect_seq(&s->c, n, "seeds"))
        return -1;
    size_t len = (size_t)(n->data.sequence.items.top -
                          n->data.sequence.items.start);
    if (len == 0 || len > MAX_SEEDS)
        return cfg_fail(&s->c, n, "expected 1 to %d seeds", MAX_SEEDS);
    s->seeds = st_xcalloc(len, sizeof *s->seeds);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *v = cfg_node(&s->c, n->data.sequence.items.start[i]);
        if (read_seed(s, v, &s->seeds[i]))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (s->seeds[j] == s->seeds[i])
                return cfg_fail(&s->c, v, "seed %" PRIu64 " is listed twice",
                                s->seeds[i]);
        s->n_seeds++;
    }
    return 0;
}

static int read_replications(spec *s, yaml_node_t *n)
{
    long r;
    if (cfg_key_long(&s->c, n, st_sweep_keys, "replications", &r))
        return -1;
    s->n_seeds = (size_t)r;
    s->seeds = st_xcalloc(s->n_seeds, sizeof *s->seeds);
    for (size_t i = 0; i < s->n_seeds; i++)
        s->seeds[i] = i + 1;
    return 0;
}

static int read_policies(spec *s, yaml_node_t *n)
{
    if (cfg_expect_seq(&s->c, n, "policies"))
        return -1;
    size_t len = (size_t)(n->data.sequence.items.top -
                          n->data.sequence.items.start);
    if (len == 0 || len > ST_MAX_POLICIES)
        return cfg_fail(&s->c, n, "expected 1 to %d policy names",
                        ST_MAX_POLICIES);
    s->policies = st_xcalloc(len, sizeof *s->policies);
    s->policy_at = st_xcalloc(2 * len, sizeof *s->policy_at);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *v = cfg_node(&s->c, n->data.sequence.items.start[i]);
        const char *name;
        if (cfg_str(&s->c, v, "a policy name", &name))
            return -1;
        /* The names are checked once the base has loaded its plugins. */
        s->policy_at[2 * i] = v->start_mark.line + 1;
        s->policy_at[2 * i + 1] = v->start_mark.column + 1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->policies[j], name) == 0)
                return cfg_fail(&s->c, v, "policy '%s' is listed twice", name);
        s->policies[s->n_policies++] = st_xstrdup(name);
    }
    return 0;
}

/* set: fixed overrides, kept as "path=yaml". */
static int read_set(spec *s, yaml_node_t *m)
{
    if (cfg_expect_map(&s->c, m, "set"))
        return -1;
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    s->sw->set = st_xcalloc(n, sizeof *s->sw->set);
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
        yaml_node_t *kn = cfg_node(&s->c, p->key);
        const char *k;
        if (cfg_str(&s->c, kn, "a scenario path", &k))
            return -1;
        if (!*k || strchr(k, '='))
            return cfg_fail(&s->c, kn, "'%s' is not a scenario path", k);
        char *v = yt_flow(s->c.doc, cfg_node(&s->c, p->value));
        s->sw->set[s->sw->n_set++] = st_xasprintf("%s=%s", k, v);
        free(v);
    }
    return 0;
}

static char *default_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    return strndup(b, n);
}

const cfg_key st_sweep_keys[] = {
    {"name", "string", NULL, "the file's name", CFG_ANY, "the sweep's name"},
    {"base", "path", NULL, NULL, CFG_ANY, "the scenario to sweep, relative "
     "to this file"},
    {"set", "mapping", NULL, "-", CFG_NOTE("dotted path: value"), "overrides "
     "applied to every point, as strata run --set"},
    {"grid", "mapping", NULL, "-", CFG_NOTE("dotted path: list of values"),
     "axes of the cartesian product, the first outermost"},
    {"zip", "mapping, or a list of them", NULL, "-",
     CFG_NOTE("dotted path: list of values"), "axes that move together "
     "(lists of one length)"},
    {"seeds", "list of integers", NULL, "the base's seed", CFG_ANY, "the "
     "seeds each combination runs with (or replications)"},
    {"replications", "integer", NULL, "-", CFG_INT(1, MAX_SEEDS), "seeds 1..N"},
    {"policies", "list of policy names", NULL, "the base's list", CFG_ANY,
     "the policies each combination runs"},
    {"log_requests", "boolean", NULL, "false", CFG_ANY, "also store one row "
     "per request"},
    CFG_KEYS_END};

static int read_top(spec *s, yaml_node_t *root)
{
    cfg *c = &s->c;
    st_sweep *sw = s->sw;
    yaml_node_t *n;
    const char *t;
    if (cfg_keys_in(c, root, st_sweep_keys, "a sweep"))
        return -1;
    if ((n = cfg_get(c, root, "name"))) {
        if (cfg_str(c, n, "name", &t))
            return -1;
        if (!*t)
            return cfg_fail(c, n, "expected a non-empty name for the sweep");
        sw->name = st_xstrdup(t);
    } else {
        sw->name = default_name(sw->file);
    }
    n = cfg_need(c, root, "base", "a sweep");
    if (!n || cfg_str(c, n, "base (the scenario to sweep)", &t) ||
        !(sw->base = cfg_path(c, n, t)))
        return -1;
    if ((n = cfg_get(c, root, "set")) && read_set(s, n))
        return -1;
    if ((n = cfg_get(c, root, "grid")) && read_grid(s, n))
        return -1;
    if ((n = cfg_get(c, root, "zip")) && read_zip(s, n))
        return -1;
    yaml_node_t *seeds = cfg_get(c, root, "seeds");
    yaml_node_t *reps = cfg_get(c, root, "replications");
    if (seeds && reps)
        return cfg_fail(c, reps, "expected either seeds or replications,"
                        " not both");
    if ((seeds && read_seeds(s, seeds)) || (reps && read_replications(s, reps)))
        return -1;
    if ((n = cfg_get(c, root, "policies")) && read_policies(s, n))
        return -1;
    if ((n = cfg_get(c, root, "log_requests")) &&
        cfg_bool(c, n, "log_requests", &sw->log_requests))
        return -1;
    return 0;
}

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
             : cfg_expect_map(&s.c, root, "a sweep") || read_top(&s, root)
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
