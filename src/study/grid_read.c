/* grid_read.c - a sweep file read (see sweep.h for the format): its
 * keys checked against st_sweep_keys, the grid and zip axes with their
 * values as text and as one-line YAML, the set overrides, seeds or
 * replications, and the policies, each error naming file:line:col. */
#include "study/grid_impl.h"
#include "base/xalloc.h"
#include "base/parse.h"
#include "yaml/keyref.h"
#include "yaml/yamltree.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int grid_read_file(spec *s, yaml_node_t *root)
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
