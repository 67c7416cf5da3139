/* topology.c - a tree written as fan-outs per tier, expanded into explicit
 * nodes; and device classes attaching to one node, a tier or a list
 * (topology.h).
 *
 * The expansion works on the YAML document, not on the scenario: every
 * generated node entry shares the value nodes of its level (hardware,
 * uplink, ...), so an error in one names the line it was written on, and
 * the canonical text (and the configuration's hash) is that of the
 * explicit form, which loads back to the same scenario.
 *
 * A general graph (nodes and weighted links, shortest paths to a
 * repository) is not supported: requests travel up `parent` links, so
 * every topology is a forest.
 */
#include "config/topology.h"
#include "config/keys.h"
#include "yaml/yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEVELS 16
#define MAX_PREFIX 48

typedef struct level {
    long fanout;
    size_t count;               /* nodes in the level */
    char prefix[MAX_PREFIX + 1];
    yaml_mark_t mark;           /* where the level was written */
    yaml_node_pair_t *pairs;    /* its keys to copy (not name, fanout) */
    size_t n_pairs;
} level;

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static int key_is(cfg *c, int key_id, const char *key)
{
    const yaml_node_t *k = cfg_node(c, key_id);
    return k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
           memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0;
}

/* Index of key's pair in a mapping, or -1. */
static long pair_index(cfg *c, const yaml_node_t *map, const char *key)
{
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++)
        if (key_is(c, p->key, key))
            return p - map->data.mapping.pairs.start;
    return -1;
}

/* Generated nodes carry the mark of the level they come from, so errors
 * about them point at it. */
static int add_scalar(cfg *c, const char *text, const yaml_mark_t *mark)
{
    int id = yaml_document_add_scalar(c->doc, NULL, (yaml_char_t *)text,
                                      (int)strlen(text), YAML_PLAIN_SCALAR_STYLE);
    if (!id)
        abort();
    yaml_node_t *n = cfg_node(c, id);
    n->start_mark = n->end_mark = *mark;
    return id;
}

static void append_pair(cfg *c, int map, int key, int value)
{
    if (!yaml_document_append_mapping_pair(c->doc, map, key, value))
        abort();
}

const cfg_key conf_keys_level[] = {
    {"tier", "string", NULL, "cloud", "access, edge, regional, cloud",
     "the level's tier"},
    {"name", "string", NULL, "the tier", "1 to 32 characters", "prefix: the "
     "level's nodes are PREFIX-0, PREFIX-1, ..."},
    {"fanout", "integer", NULL, "1", "[1, 100000]", "nodes per node of the "
     "level above (first level: the roots)"},
    {"hardware", "name of a hardware entry", NULL, NULL, NULL, "as nodes[]"},
    {"executors", "integer", NULL, "1", "[1, 100000]", "as nodes[]"},
    {"memory_mb", "number", "MB", "unlimited", "[0.001, 1e12]", "as nodes[]"},
    {"price_per_s", "number", "$/s", "0", "[0, 1e6]", "as nodes[]"},
    {"price_per_request", "number", "$", "0", "[0, 1e6]", "as nodes[]"},
    {"uplink", "link", NULL, "required below the first level",
     "constant rates only", "each node's link to its parent"},
    {"preload", "all, none or a list of model names", NULL, "none", NULL,
     "as nodes[]"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

/* Checks one level and fills everything but its pairs. */
static int read_level(cfg *c, yaml_node_t *m, size_t i, size_t above,
                      level *lv)
{
    const char *s;
    yaml_node_t *n;
    if (cfg_expect_map(c, m, "a topology level") ||
        cfg_keys_in(c, m, conf_keys_level, "a topology level"))
        return -1;
    lv->fanout = 1;
    if (cfg_opt_long(c, m, "fanout", 1, ST_MAX_NODES, &lv->fanout))
        return -1;
    lv->count = above * (size_t)lv->fanout;
    lv->mark = m->start_mark;
    if ((n = cfg_get(c, m, "name")) || (n = cfg_get(c, m, "tier"))) {
        if (cfg_str(c, n, "name", &s))
            return -1;
        if (!*s || strlen(s) > MAX_PREFIX)
            return cfg_fail(c, n, "expected a name prefix of 1 to %d "
                            "characters", MAX_PREFIX);
        snprintf(lv->prefix, sizeof lv->prefix, "%s", s);
    } else {
        snprintf(lv->prefix, sizeof lv->prefix, "level%zu", i);
    }
    n = cfg_get(c, m, "uplink");
    if (i == 0 && n)
        return cfg_fail(c, n, "the first topology level holds the roots: it "
                        "has no parent level to link up to");
    if (i > 0 && !n)
        return cfg_fail(c, m, "topology level %zu ('%s') needs an 'uplink' "
                        "to its parent level", i, lv->prefix);
    return 0;
}

/* Copies a level's keys other than name and fanout, by node id. */
static void keep_pairs(cfg *c, const yaml_node_t *m, level *lv)
{
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    lv->pairs = calloc(n ? n : 1, sizeof *lv->pairs);
    if (!lv->pairs)
        abort();
    for (size_t k = 0; k < n; k++) {
        yaml_node_pair_t p = m->data.mapping.pairs.start[k];
        if (!key_is(c, p.key, "name") && !key_is(c, p.key, "fanout"))
            lv->pairs[lv->n_pairs++] = p;
    }
}

static int read_levels(cfg *c, yaml_node_t *tree, level *lv, size_t nl)
{
    size_t above = 1, total = 0;
    for (size_t i = 0; i < nl; i++) {
        yaml_node_t *m = cfg_node(c, tree->data.sequence.items.start[i]);
        if (read_level(c, m, i, above, &lv[i]))
            return -1;
        total += lv[i].count;
        if (total > ST_MAX_NODES)
            return cfg_fail(c, m, "the topology tree has more than %d nodes "
                            "by this level", ST_MAX_NODES);
        for (size_t j = 0; j < i; j++)
            if (strcmp(lv[j].prefix, lv[i].prefix) == 0)
                return cfg_fail(c, m, "topology levels %zu and %zu would both "
                                "name their nodes '%s-N'; expected a distinct "
                                "'name' for one of them", j, i, lv[i].prefix);
        keep_pairs(c, m, &lv[i]);
        above = lv[i].count;
    }
    return 0;
}

/* One node entry: name, the level's keys, then its parent. */
static int node_entry(cfg *c, const level *lv, const level *up, size_t k)
{
    char name[MAX_PREFIX + 24];
    int map = yaml_document_add_mapping(c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!map)
        abort();
    yaml_node_t *mn = cfg_node(c, map);
    mn->start_mark = mn->end_mark = lv->mark;
    snprintf(name, sizeof name, "%s-%zu", lv->prefix, k);
    append_pair(c, map, add_scalar(c, "name", &lv->mark),
                add_scalar(c, name, &lv->mark));
    for (size_t p = 0; p < lv->n_pairs; p++)
        append_pair(c, map, lv->pairs[p].key, lv->pairs[p].value);
    if (up) {
        snprintf(name, sizeof name, "%s-%zu", up->prefix, k / (size_t)lv->fanout);
        append_pair(c, map, add_scalar(c, "parent", &lv->mark),
                    add_scalar(c, name, &lv->mark));
    }
    return map;
}

/* Builds the nodes list and swaps it in for the topology key. */
static void expand(cfg *c, const level *lv, size_t nl, long topo_pair)
{
    yaml_mark_t mark = lv[0].mark;
    int seq = yaml_document_add_sequence(c->doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    if (!seq)
        abort();
    for (size_t i = 0; i < nl; i++)
        for (size_t k = 0; k < lv[i].count; k++)
            if (!yaml_document_append_sequence_item(
                    c->doc, seq, node_entry(c, &lv[i], i ? &lv[i - 1] : NULL, k)))
                abort();
    int key = add_scalar(c, "nodes", &mark);
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    int root_id = (int)(root - c->doc->nodes.start) + 1;
    yaml_node_pair_t *pairs = root->data.mapping.pairs.start;
    size_t n = (size_t)(root->data.mapping.pairs.top - pairs);
    memmove(&pairs[topo_pair], &pairs[topo_pair + 1],
            (n - (size_t)topo_pair - 1) * sizeof *pairs);
    root->data.mapping.pairs.top--;
    append_pair(c, root_id, key, seq);
}

const cfg_key conf_keys_topology[] = {
    {"tree", "list", NULL, NULL, NULL, "the levels from the roots down "
     "(topology.tree[]); it becomes the equivalent nodes list"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

int st_topology_expand(cfg *c)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!cfg_is_map(root))
        return 0;
    long ti = pair_index(c, root, "topology");
    if (ti < 0)
        return 0;
    yaml_node_t *topo = cfg_node(c, root->data.mapping.pairs.start[ti].value);
    if (cfg_get(c, root, "nodes"))
        return cfg_fail(c, topo, "give either 'nodes' or 'topology', not both");
    if (cfg_expect_map(c, topo, "topology") ||
        cfg_keys_in(c, topo, conf_keys_topology, "topology"))
        return -1;
    yaml_node_t *tree = cfg_need(c, topo, "tree", "topology");
    if (!tree || cfg_expect_seq(c, tree, "topology.tree"))
        return -1;
    size_t nl = seq_len(tree);
    if (nl == 0 || nl > MAX_LEVELS)
        return cfg_fail(c, tree, "expected 1 to %d levels in topology.tree, "
                        "from the roots down", MAX_LEVELS);
    level lv[MAX_LEVELS] = {0};
    int rc = read_levels(c, tree, lv, nl);
    if (rc == 0)
        expand(c, lv, nl, ti);
    for (size_t i = 0; i < nl; i++)
        free(lv[i].pairs);
    return rc;
}

/* --- attachment --- */

static int node_named(const st_scenario *sc, const char *s)
{
    for (size_t i = 0; i < sc->n_nodes; i++)
        if (strcmp(sc->nodes[i].name, s) == 0)
            return (int)i;
    return -1;
}

static int tier_named(const char *s)
{
    for (int t = ST_TIER_ACCESS; t <= ST_TIER_CLOUD; t++)
        if (strcmp(s, st_tier_name((st_tier)t)) == 0)
            return t;
    return -1;
}

static int *alloc_nodes(size_t n)
{
    int *p = calloc(n ? n : 1, sizeof *p);
    if (!p)
        abort();
    return p;
}

static int attach_scalar(cfg *c, yaml_node_t *n, const st_scenario *sc,
                         st_device_class *dc)
{
    const char *s;
    if (cfg_str(c, n, "attach", &s))
        return -1;
    int node = node_named(sc, s), tier = tier_named(s);
    if (node >= 0 || tier < 0) {
        if (node < 0)
            return cfg_fail(c, n, "unknown node or tier '%s' for attach; "
                            "expected a node name, a tier (access, edge, "
                            "regional, cloud) or a list of node names", s);
        dc->attach_nodes = alloc_nodes(1);
        dc->attach_nodes[dc->n_attach++] = node;
        return 0;
    }
    dc->attach_nodes = alloc_nodes(sc->n_nodes);
    for (size_t i = 0; i < sc->n_nodes; i++)
        if ((int)sc->nodes[i].tier == tier)
            dc->attach_nodes[dc->n_attach++] = (int)i;
    if (!dc->n_attach)
        return cfg_fail(c, n, "no node is in tier '%s' to attach to", s);
    return 0;
}

static int attach_list(cfg *c, yaml_node_t *n, const st_scenario *sc,
                       st_device_class *dc)
{
    size_t len = seq_len(n);
    if (!len)
        return cfg_fail(c, n, "expected at least one node name in attach");
    dc->attach_nodes = alloc_nodes(len);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *e = cfg_node(c, n->data.sequence.items.start[i]);
        const char *s;
        if (cfg_str(c, e, "attach", &s))
            return -1;
        int node = node_named(sc, s);
        if (node < 0)
            return cfg_fail(c, e, "unknown node '%s' in attach", s);
        for (size_t j = 0; j < dc->n_attach; j++)
            if (dc->attach_nodes[j] == node)
                return cfg_fail(c, e, "node '%s' is listed twice in attach", s);
        dc->attach_nodes[dc->n_attach++] = node;
    }
    return 0;
}

int st_topology_attach(cfg *c, yaml_node_t *n, const st_scenario *sc,
                       st_device_class *dc)
{
    int rc = cfg_is_seq(n) ? attach_list(c, n, sc, dc)
                           : attach_scalar(c, n, sc, dc);
    if (rc == 0)
        dc->attach = dc->attach_nodes[0];
    return rc;
}
