/* topology_graph.c - a general network (a GraphML file, Internet
 * Topology Zoo style) turned into the scenario's nodes: link delays from
 * the nodes' positions, tiers by hops from the nodes the repository
 * attaches to (or given), and each node's parent the next hop on its
 * shortest path (by propagation delay, Dijkstra) to the repository, so
 * that every request type is routed along its shortest path. */
#include "config/topology_impl.h"
#include "config/keys.h"
#include "config/load.h"
#include "config/graphml.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return topo_add_scalar(c, text, mark);
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
        topo_append_pair(c, rate, topo_add_scalar(c, "mbps", mark), add_number(c, bps / 1e6, mark));
        topo_append_pair(c, link, topo_add_scalar(c, dir ? "down" : "up", mark), rate);
    }
    topo_append_pair(c, link, topo_add_scalar(c, "rtt_ms", mark),
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
        size_t len = conf_seq_len(tiers);
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
    topo_append_pair(c, map, topo_add_scalar(c, "name", &mark), topo_add_scalar(c, names[i], &mark));
    topo_append_pair(c, map, topo_add_scalar(c, "tier", &mark), topo_add_scalar(c, tier, &mark));
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
        if (topo_key_is(c, p->key, "name") || topo_key_is(c, p->key, "parent") ||
            topo_key_is(c, p->key, "tier") || topo_key_is(c, p->key, "uplink"))
            return cfg_fail(c, cfg_node(c, p->key), "name, tier, parent and "
                            "uplink of a graph node come from the graph");
        topo_append_pair(c, map, p->key, p->value);
    }
    topo_append_pair(c, map, topo_add_scalar(c, "parent", &mark), topo_add_scalar(c, parent, &mark));
    topo_append_pair(c, map, topo_add_scalar(c, "uplink", &mark), uplink);
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
        if (topo_key_is(c, p->key, "attach") || topo_key_is(c, p->key, "uplink"))
            continue;
        tier |= topo_key_is(c, p->key, "tier");
        topo_append_pair(c, map, p->key, p->value);
    }
    yaml_mark_t mark = repo->start_mark;
    if (!tier)
        topo_append_pair(c, map, topo_add_scalar(c, "tier", &mark),
                    topo_add_scalar(c, "cloud", &mark));
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
    size_t len = cfg_is_seq(att) ? conf_seq_len(att) : 1;
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
    if (tiers && (cfg_expect_seq(c, tiers, "topology.graphml.tiers") || !conf_seq_len(tiers)))
        return tiers && cfg_is_seq(tiers) ? cfg_fail(c, tiers, "expected at "
                                                     "least one tier") : -1;
    yaml_node_t *map = cfg_get(c, spec, "tier_of");
    if (map && cfg_expect_map(c, map, "topology.graphml.tier_of"))
        return -1;
    return cfg_expect_map(c, repo, "topology.graphml.repository");
}

/* Builds the nodes list from the graph (repository first, then the graph
 * nodes by distance) and swaps it in for the topology key. */
int topo_expand_graph(cfg *c, yaml_node_t *spec, long topo_pair)
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
        topo_swap_in_nodes(c, topo_pair, seq, &mark);
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
