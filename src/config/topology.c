/* topology.c - a tree written as fan-outs per tier, expanded into
 * explicit nodes (topology.h); a graph is topology_graph.c's.
 *
 * The expansion works on the YAML document, not on the scenario: every
 * generated node entry shares the value nodes of its level (hardware,
 * uplink, ...), so an error in one names the line it was written on, and
 * the canonical text (and the configuration's hash) is that of the
 * explicit form, which loads back to the same scenario.
 */
#include "config/topology.h"
#include "config/topology_impl.h"
#include "config/keys.h"
#include "config/load.h"
#include "base/xalloc.h"

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

const cfg_key conf_keys_level[] = {
    {"tier", "string", NULL, "cloud", CONF_RANGE_TIER, "the level's tier"},
    {"name", "string", NULL, "the tier", CFG_NOTE("1 to 32 characters"),
     "prefix: the level's nodes are PREFIX-0, PREFIX-1, ..."},
    {"fanout", "integer", NULL, "1", CFG_INT(1, ST_MAX_NODES), "nodes per "
     "node of the level above (first level: the roots)"},
    {"hardware", "name of a hardware entry", NULL, NULL, CFG_ANY, "as nodes[]"},
    {"executors", "integer", NULL, "1", CONF_RANGE_EXECUTORS, "as nodes[]"},
    {"memory_mb", "number", "MB", "unlimited", CONF_RANGE_MEMORY, "as nodes[]"},
    {"price_per_s", "number", "$/s", "0", CONF_RANGE_PRICE, "as nodes[]"},
    {"price_per_request", "number", "$", "0", CONF_RANGE_PRICE, "as nodes[]"},
    {"uplink", "link", NULL, "required below the first level",
     CFG_NOTE("constant rates only"), "each node's link to its parent"},
    {"preload", "all, none or a list of model names", NULL, "none", CFG_ANY,
     "as nodes[]"},
    CFG_KEYS_END};

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
    if (cfg_opt_long(c, m, conf_keys_level, "fanout", &lv->fanout))
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
    lv->pairs = st_xcalloc(n ? n : 1, sizeof *lv->pairs);
    for (size_t k = 0; k < n; k++) {
        yaml_node_pair_t p = m->data.mapping.pairs.start[k];
        if (!topo_key_is(c, p.key, "name") && !topo_key_is(c, p.key, "fanout"))
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
        st_oom("a YAML node");
    yaml_node_t *mn = cfg_node(c, map);
    mn->start_mark = mn->end_mark = lv->mark;
    snprintf(name, sizeof name, "%s-%zu", lv->prefix, k);
    topo_append_pair(c, map, topo_add_scalar(c, "name", &lv->mark),
                topo_add_scalar(c, name, &lv->mark));
    for (size_t p = 0; p < lv->n_pairs; p++)
        topo_append_pair(c, map, lv->pairs[p].key, lv->pairs[p].value);
    if (up) {
        snprintf(name, sizeof name, "%s-%zu", up->prefix, k / (size_t)lv->fanout);
        topo_append_pair(c, map, topo_add_scalar(c, "parent", &lv->mark),
                    topo_add_scalar(c, name, &lv->mark));
    }
    return map;
}

/* Builds the nodes list and swaps it in for the topology key. */
static void expand(cfg *c, const level *lv, size_t nl, long topo_pair)
{
    yaml_mark_t mark = lv[0].mark;
    int seq = yaml_document_add_sequence(c->doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    if (!seq)
        st_oom("a YAML node");
    for (size_t i = 0; i < nl; i++)
        for (size_t k = 0; k < lv[i].count; k++)
            if (!yaml_document_append_sequence_item(
                    c->doc, seq, node_entry(c, &lv[i], i ? &lv[i - 1] : NULL, k)))
                st_oom("a YAML node");
    topo_swap_in_nodes(c, topo_pair, seq, &mark);
}

const cfg_key conf_keys_topology[] = {
    {"tree", "list", NULL, NULL, CFG_ANY, "the levels from the roots down "
     "(topology.tree[]); it becomes the equivalent nodes list"},
    {"graphml", "mapping", NULL, NULL, CFG_ANY, "instead of tree: a general "
     "network from a GraphML file, routed along shortest paths to a "
     "repository (topology.graphml); it becomes the equivalent nodes list"},
    CFG_KEYS_END};

int st_topology_expand(cfg *c)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!cfg_is_map(root))
        return 0;
    long ti = topo_pair_index(c, root, "topology");
    if (ti < 0)
        return 0;
    yaml_node_t *topo = cfg_node(c, root->data.mapping.pairs.start[ti].value);
    if (cfg_get(c, root, "nodes"))
        return cfg_fail(c, topo, "give either 'nodes' or 'topology', not both");
    if (cfg_expect_map(c, topo, "topology") ||
        cfg_keys_in(c, topo, conf_keys_topology, "topology"))
        return -1;
    yaml_node_t *gspec = cfg_get(c, topo, "graphml");
    if (gspec && cfg_get(c, topo, "tree"))
        return cfg_fail(c, topo, "give either topology.tree or "
                        "topology.graphml, not both");
    if (gspec)
        return topo_expand_graph(c, gspec, ti);
    yaml_node_t *tree = cfg_need(c, topo, "tree", "topology");
    if (!tree || cfg_expect_seq(c, tree, "topology.tree"))
        return -1;
    size_t nl = conf_seq_len(tree);
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
