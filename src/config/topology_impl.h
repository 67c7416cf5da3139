/* topology_impl.h - what the parts of the topology expansion share
 * (private to src/config): editing the YAML document in place
 * (topology_doc.c) and turning a GraphML graph into node entries
 * (topology_graph.c), for topology.c, which expands a tree and drives
 * both. */
#ifndef STRATA_CONFIG_TOPOLOGY_IMPL_H
#define STRATA_CONFIG_TOPOLOGY_IMPL_H

#include "yaml/cfgread.h"

/* --- topology_doc.c --- */

/* Whether the node with id key_id is the scalar key. */
int topo_key_is(cfg *c, int key_id, const char *key);
/* The index of key's pair in map, or -1. */
long topo_pair_index(cfg *c, const yaml_node_t *map, const char *key);
/* A new plain scalar carrying mark (errors about it name that line);
 * its node id. */
int topo_add_scalar(cfg *c, const char *text, const yaml_mark_t *mark);
void topo_append_pair(cfg *c, int map, int key, int value);
/* Replaces the root's topology pair (index topo_pair) by `nodes: seq`. */
void topo_swap_in_nodes(cfg *c, long topo_pair, int seq,
                        const yaml_mark_t *mark);

/* --- topology_graph.c --- */

/* topology.graphml (spec) expanded into the nodes list in place of the
 * root's pair topo_pair.  0, or -1 with c->err set. */
int topo_expand_graph(cfg *c, yaml_node_t *spec, long topo_pair);

#endif
