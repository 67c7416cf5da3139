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
 * A general graph (a GraphML file) becomes a forest too: requests travel
 * up `parent` links, and each node's parent is the next hop on its
 * shortest path (by propagation delay, Dijkstra) to the repository, so
 * every request type is routed along its shortest path.
 */
#include "config/topology.h"
#include "config/keys.h"
#include "config/graphml.h"
#include "base/xalloc.h"
#include "yaml/yamltree.h"

#include <math.h>

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
        st_oom("a YAML node");
    yaml_node_t *n = cfg_node(c, id);
    n->start_mark = n->end_mark = *mark;
    return id;
}

static void append_pair(cfg *c, int map, int key, int value)
{
    if (!yaml_document_append_mapping_pair(c->doc, map, key, value))
        st_oom("a YAML node");
}

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
        st_oom("a YAML node");
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

/* Replaces the root's topology pair by `nodes: seq`. */
static void swap_in_nodes(cfg *c, long topo_pair, int seq, const yaml_mark_t *mark)
{
    int key = add_scalar(c, "nodes", mark);
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    int root_id = (int)(root - c->doc->nodes.start) + 1;
    yaml_node_pair_t *pairs = root->data.mapping.pairs.start;
    size_t n = (size_t)(root->data.mapping.pairs.top - pairs);
    memmove(&pairs[topo_pair], &pairs[topo_pair + 1],
            (n - (size_t)topo_pair - 1) * sizeof *pairs);
    root->data.mapping.pairs.top--;
    append_pair(c, root_id, key, seq);
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
    swap_in_nodes(c, topo_pair, seq, &mark);
}

/* --- a general graph from GraphML --- */

/* The tier of that name (the words of nodes[].tier), or -1. */
static int tier_named(const char *s)
{
    int w = st_range_word(&cfg_key_of(conf_keys_node, "tier")->range, s);
    return w < 0 ? -1 : ST_TIER_ACCESS + w;
}


const cfg_key conf_keys_graphml[] = {
    {"file", "path", NULL, NULL, CFG_NOTE("may start with ${STRATA_DATA}/"),
     "a GraphML file (Internet Topology Zoo): nodes with label, Latitude "
     "and Longitude; undirected edges, optionally LinkSpeedRaw (bit/s)"},
    {"speed_km_per_s", "number", "km/s", "200000", CFG_NUM(1, 300000),
     "propagation speed on links (200000: light in fibre, about 2/3 c); a "
     "link's one-way delay is its great-circle length over it"},
    {"link_mbps", "number", "Mbit/s", "10000", CFG_NUM(0.001, 1e9), "rate of "
     "links the file gives no LinkSpeedRaw for, both ways"},
    {"default_link_ms", "number", "ms", "none: an error", CFG_NUM(0, 1e6),
     "one-way delay of a link touching a node without a position"},
    {"repository", "node entry", NULL, NULL,
     CFG_NOTE("as nodes[], plus attach"), "the root holding every model (its "
     "name, hardware, executors, preload, uplink: its link to the attach "
     "nodes); attach: the labels of the graph nodes it connects to"},
    {"tiers", "list of tiers", NULL, "[regional, edge, access]",
     CONF_RANGE_TIER, "tier by hops from the nearest attach node: the first "
     "for the attach nodes, the next one hop further, ...; the last "
     "repeats, and every leaf of the shortest-path tree takes the last "
     "(users attach there)"},
    {"tier_of", "mapping label: tier", NULL, "none", CONF_RANGE_TIER,
     "explicit tiers for some nodes, over the hop rule"},
    {"nodes", "mapping tier: node keys", NULL, NULL, CFG_ANY, "per tier, the "
     "keys of every graph node of that tier (hardware, executors, "
     "memory_mb, prices, preload)"},
    CFG_KEYS_END};

/* The shortest-path tree towards the repository: parent[i] the next node
 * on node i's shortest path (by propagation delay) to the nearest attach
 * node, -1 for attach nodes; order[] the nodes by distance, so parents
 * come first.  Dijkstra over the n x n delay matrix (INFINITY: no link). */
static int shortest_paths(size_t n, const double *delay, const int *is_root,
                          long *parent, size_t *order)
{
    double *dist = st_xcalloc(n, sizeof *dist);
    unsigned char *done = st_xcalloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        dist[i] = is_root[i] ? 0 : INFINITY;
        parent[i] = -1;
    }
    size_t k = 0;
    for (; k < n; k++) {
        long u = -1;
        for (size_t i = 0; i < n; i++)   /* ties: the lower index */
            if (!done[i] && isfinite(dist[i]) && (u < 0 || dist[i] < dist[u]))
                u = (long)i;
        if (u < 0)
            break;
        done[u] = 1;
        order[k] = (size_t)u;
        for (size_t v = 0; v < n; v++) {
            double d = dist[u] + delay[(size_t)u * n + v];
            if (!done[v] && d < dist[v]) {
                dist[v] = d;
                parent[v] = u;
            }
        }
    }
    free(dist);
    free(done);
    return (int)k == (int)n ? 0 : -1;
}

/* One-way link delays, s, from positions; a link touching a node without
 * one takes default_s (NAN: an error naming that node). */
static int link_delays(cfg *c, const char *path,
                       const st_graph *g, double speed, double default_s,
                       double *delay, double *bps, double link_bps)
{
    size_t n = g->n_nodes;
    for (size_t i = 0; i < n * n; i++) {
        delay[i] = INFINITY;
        bps[i] = 0;
    }
    for (size_t e = 0; e < g->n_edges; e++) {
        const st_graph_edge *ge = &g->edges[e];
        const st_graph_node *a = &g->nodes[ge->a], *b = &g->nodes[ge->b];
        double d = default_s;
        if (a->has_pos && b->has_pos)
            d = st_graph_km(a, b) / speed;
        else if (isnan(default_s)) {
            const st_graph_node *m = a->has_pos ? b : a;
            return st_error_at(c->err, path, (size_t)m->line, 0,
                               "node '%s' has no Latitude/Longitude, so its "
                               "links have no length; expected both, or "
                               "topology.graphml.default_link_ms", m->label);
        }
        size_t ab = ge->a * n + ge->b, ba = ge->b * n + ge->a;
        if (d < delay[ab]) {   /* parallel links: the shorter */
            delay[ab] = delay[ba] = d;
            bps[ab] = bps[ba] = ge->bps > 0 ? ge->bps : link_bps;
        }
    }
    return 0;
}

static int node_id(cfg *c, const yaml_node_t *n)
{
    return (int)(n - c->doc->nodes.start) + 1;
}

static int add_number(cfg *c, double v, const yaml_mark_t *mark)
{
    char text[64];
    snprintf(text, sizeof text, "%.9g", v);
    return add_scalar(c, text, mark);
}

static int add_map(cfg *c, const yaml_mark_t *mark)
{
    int map = yaml_document_add_mapping(c->doc, NULL, YAML_FLOW_MAPPING_STYLE);
    if (!map)
        st_oom("a YAML node");
    yaml_node_t *mn = cfg_node(c, map);
    mn->start_mark = mn->end_mark = *mark;
    return map;
}

/* {up: {mbps: R}, down: {mbps: R}, rtt_ms: 2 x delay}. */
static int uplink_of(cfg *c, double delay_s, double bps, const yaml_mark_t *mark)
{
    int link = add_map(c, mark);
    for (int dir = 0; dir < 2; dir++) {
        int rate = add_map(c, mark);
        append_pair(c, rate, add_scalar(c, "mbps", mark), add_number(c, bps / 1e6, mark));
        append_pair(c, link, add_scalar(c, dir ? "down" : "up", mark), rate);
    }
    append_pair(c, link, add_scalar(c, "rtt_ms", mark),
                add_number(c, 2 * delay_s * 1e3, mark));
    return link;
}

/* The tier of graph node i: tier_of, else the hop rule. */
static int graph_tier(cfg *c, yaml_node_t *spec, const st_graph_node *gn,
                      size_t hops, int leaf, const char **out)
{
    static const char *const dflt[] = {"regional", "edge", "access"};
    yaml_node_t *map = cfg_get(c, spec, "tier_of"), *tiers = cfg_get(c, spec, "tiers");
    yaml_node_t *n = map && cfg_is_map(map) ? cfg_get(c, map, gn->label) : NULL;
    if (!n && tiers) {
        size_t len = seq_len(tiers);
        n = cfg_node(c, tiers->data.sequence.items.start[hops < len && !leaf ? hops : len - 1]);
    }
    if (!n) {
        *out = dflt[hops < 3 && !leaf ? hops : 2];
        return 0;
    }
    int t;
    if (cfg_key_word(c, n, conf_keys_graphml, "tiers", "tier", &t))
        return -1;
    *out = (const char *)n->data.scalar.value;
    return 0;
}

/* A graph node's entry: name, the keys of its tier, parent, uplink. */
static int graph_node_entry(cfg *c, int spec_id, size_t i,
                            const char *const *names, const char *parent,
                            const char *tier, int uplink)
{
    yaml_mark_t mark = cfg_node(c, spec_id)->start_mark;
    int map = yaml_document_add_mapping(c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!map)
        st_oom("a YAML node");
    cfg_node(c, map)->start_mark = mark;
    append_pair(c, map, add_scalar(c, "name", &mark), add_scalar(c, names[i], &mark));
    append_pair(c, map, add_scalar(c, "tier", &mark), add_scalar(c, tier, &mark));
    yaml_node_t *spec = cfg_node(c, spec_id), *per = cfg_get(c, spec, "nodes");
    yaml_node_t *keys = per ? cfg_get(c, per, tier) : NULL;
    if (!keys)
        return cfg_fail(c, per ? per : spec, "graph node '%s' is in tier '%s', "
                        "but topology.graphml.nodes gives no keys for it; "
                        "expected nodes: {%s: {hardware: ..., ...}}",
                        names[i], tier, tier);
    if (cfg_expect_map(c, keys, "topology.graphml.nodes.<tier>"))
        return -1;
    for (yaml_node_pair_t *p = keys->data.mapping.pairs.start;
         p < keys->data.mapping.pairs.top; p++) {
        if (key_is(c, p->key, "name") || key_is(c, p->key, "parent") ||
            key_is(c, p->key, "tier") || key_is(c, p->key, "uplink"))
            return cfg_fail(c, cfg_node(c, p->key), "name, tier, parent and "
                            "uplink of a graph node come from the graph");
        append_pair(c, map, p->key, p->value);
    }
    append_pair(c, map, add_scalar(c, "parent", &mark), add_scalar(c, parent, &mark));
    append_pair(c, map, add_scalar(c, "uplink", &mark), uplink);
    return map;
}

/* The repository's entry: its keys but attach, tier cloud unless given. */
static int repository_entry(cfg *c, int repo_id)
{
    int map = yaml_document_add_mapping(c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!map)
        st_oom("a YAML node");
    yaml_node_t *repo = cfg_node(c, repo_id);
    cfg_node(c, map)->start_mark = repo->start_mark;
    int tier = 0;
    for (yaml_node_pair_t *p = repo->data.mapping.pairs.start;
         p < repo->data.mapping.pairs.top; p++) {
        if (key_is(c, p->key, "attach") || key_is(c, p->key, "uplink"))
            continue;
        tier |= key_is(c, p->key, "tier");
        append_pair(c, map, p->key, p->value);
    }
    yaml_mark_t mark = repo->start_mark;
    if (!tier)
        append_pair(c, map, add_scalar(c, "tier", &mark),
                    add_scalar(c, "cloud", &mark));
    return map;
}

/* Names: labels, made unique with the node id where they repeat. */
static char **graph_names(const st_graph *g)
{
    char **names = st_xcalloc(g->n_nodes, sizeof *names);
    for (size_t i = 0; i < g->n_nodes; i++) {
        int dup = 0;
        for (size_t j = 0; j < g->n_nodes; j++)
            dup |= j != i && strcmp(g->nodes[j].label, g->nodes[i].label) == 0;
        size_t len = strlen(g->nodes[i].label) + strlen(g->nodes[i].id) + 2;
        names[i] = st_xmalloc(len);
        snprintf(names[i], len, dup ? "%s-%s" : "%s", g->nodes[i].label,
                 g->nodes[i].id);
    }
    return names;
}

/* Marks the attach nodes (labels listed in repository.attach). */
static int attach_roots(cfg *c, yaml_node_t *repo, const st_graph *g,
                        char **names, int *is_root)
{
    yaml_node_t *att = cfg_need(c, repo, "attach", "topology.graphml.repository");
    if (!att)
        return -1;
    size_t len = cfg_is_seq(att) ? seq_len(att) : 1;
    if (!len)
        return cfg_fail(c, att, "expected at least one node label to attach "
                        "the repository to");
    for (size_t k = 0; k < len; k++) {
        yaml_node_t *e = cfg_is_seq(att) ? cfg_node(c, att->data.sequence.items.start[k]) : att;
        const char *s;
        if (cfg_str(c, e, "attach", &s))
            return -1;
        size_t i = 0;
        while (i < g->n_nodes && strcmp(names[i], s) != 0)
            i++;
        if (i == g->n_nodes)
            return cfg_fail(c, e, "no node labelled '%s' in the graph", s);
        is_root[i] = 1;
    }
    return 0;
}

typedef struct graph_opts {
    double speed, default_s, link_bps;
    double up_delay_s, up_bps;   /* the repository's link to its attach nodes */
} graph_opts;

static int graph_options(cfg *c, yaml_node_t *spec, yaml_node_t *repo,
                         graph_opts *o)
{
    double ms = NAN, mbps = 10000;
    o->speed = 200000;
    const cfg_key *k = conf_keys_graphml;
    if (cfg_opt_value(c, spec, k, "speed_km_per_s", &o->speed) ||
        cfg_opt_value(c, spec, k, "link_mbps", &mbps) ||
        cfg_opt_value(c, spec, k, "default_link_ms", &ms))
        return -1;
    o->link_bps = mbps * 1e6;
    o->default_s = ms / 1e3;
    yaml_node_t *tiers = cfg_get(c, spec, "tiers");
    if (tiers && (cfg_expect_seq(c, tiers, "topology.graphml.tiers") || !seq_len(tiers)))
        return tiers && cfg_is_seq(tiers) ? cfg_fail(c, tiers, "expected at "
                                                     "least one tier") : -1;
    yaml_node_t *map = cfg_get(c, spec, "tier_of");
    if (map && cfg_expect_map(c, map, "topology.graphml.tier_of"))
        return -1;
    return cfg_expect_map(c, repo, "topology.graphml.repository");
}

/* Builds the nodes list from the graph (repository first, then the graph
 * nodes by distance) and swaps it in for the topology key. */
static int expand_graph(cfg *c, yaml_node_t *spec, long topo_pair)
{
    if (cfg_expect_map(c, spec, "topology.graphml") ||
        cfg_keys_in(c, spec, conf_keys_graphml, "topology.graphml"))
        return -1;
    yaml_node_t *fn = cfg_need(c, spec, "file", "topology.graphml");
    yaml_node_t *repo = cfg_need(c, spec, "repository", "topology.graphml");
    const char *rel, *rname;
    graph_opts o;
    if (!fn || !repo || cfg_str(c, fn, "file", &rel) || graph_options(c, spec, repo, &o))
        return -1;
    yaml_node_t *rn = cfg_need(c, repo, "name", "topology.graphml.repository");
    yaml_node_t *rup = cfg_need(c, repo, "uplink", "topology.graphml.repository");
    if (!rn || !rup || cfg_str(c, rn, "name", &rname))
        return -1;
    /* adding to the document moves its nodes: keep ids, not pointers */
    int spec_id = node_id(c, spec), repo_id = node_id(c, repo);
    int rup_id = node_id(c, rup);
    char *path = cfg_path(c, fn, rel);
    if (!path)
        return -1;
    st_graph g;
    if (st_graphml_read(path, &g, c->err)) {
        free(path);
        return -1;
    }
    size_t n = g.n_nodes;
    char **names = graph_names(&g);
    int *is_root = calloc(n, sizeof *is_root);
    long *parent = st_xcalloc(n, sizeof *parent);
    size_t *order = st_xcalloc(n, sizeof *order), *hops = st_xcalloc(n, sizeof *hops);
    double *delay = st_xcalloc(n * n, sizeof *delay), *bps = st_xcalloc(n * n, sizeof *bps);
    int rc = attach_roots(c, repo, &g, names, is_root);
    if (!rc)
        rc = link_delays(c, path, &g, o.speed, o.default_s, delay, bps, o.link_bps);
    if (!rc && shortest_paths(n, delay, is_root, parent, order)) {
        size_t i = 0;   /* the first node, in file order, nothing reached */
        while (is_root[i] || parent[i] >= 0)
            i++;
        rc = st_error_at(c->err, path, (size_t)g.nodes[i].line, 0,
                         "node '%s' has no path to the repository's attach "
                         "nodes; expected a connected graph", names[i]);
    }
    yaml_mark_t mark = spec->start_mark;
    int seq = 0;
    if (!rc) {
        seq = yaml_document_add_sequence(c->doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
        if (!seq || !yaml_document_append_sequence_item(c->doc, seq,
                                                        repository_entry(c, repo_id)))
            st_oom("a YAML node");
    }
    for (size_t k = 0; !rc && k < n; k++) {
        size_t i = order[k];
        const char *tier;
        hops[i] = parent[i] < 0 ? 0 : hops[parent[i]] + 1;
        int leaf = 1;
        for (size_t j = 0; j < n && leaf; j++)
            leaf = parent[j] != (long)i;
        if (graph_tier(c, cfg_node(c, spec_id), &g.nodes[i], hops[i], leaf, &tier)) {
            rc = -1;
            break;
        }
        int up = parent[i] < 0 ? rup_id
                 : uplink_of(c, delay[i * n + (size_t)parent[i]],
                             bps[i * n + (size_t)parent[i]], &mark);
        int entry = graph_node_entry(c, spec_id, i, (const char *const *)names,
                                     parent[i] < 0 ? rname : names[parent[i]],
                                     tier, up);
        if (entry < 0 || !yaml_document_append_sequence_item(c->doc, seq, entry))
            rc = -1;
    }
    if (!rc)
        swap_in_nodes(c, topo_pair, seq, &mark);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(is_root);
    free(parent);
    free(order);
    free(hops);
    free(delay);
    free(bps);
    st_graph_free(&g);
    free(path);
    return rc;
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
    long ti = pair_index(c, root, "topology");
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
        return expand_graph(c, gspec, ti);
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

static int *alloc_nodes(size_t n)
{
    int *p = st_xcalloc(n ? n : 1, sizeof *p);
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
