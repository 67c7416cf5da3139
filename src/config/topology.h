/* topology.h - compact ways to write a network: a `topology: {tree: ...}`
 * section expanded into the scenario's node list, and device classes
 * attaching to a tier of nodes at once.  Private to src/config. */
#ifndef STRATA_TOPOLOGY_H
#define STRATA_TOPOLOGY_H

#include "strata/scenario.h"
#include "yaml/cfgread.h"

/* Rewrites the document in place: a top-level `topology: {tree: [levels]}`
 * becomes the equivalent `nodes:` list (the `topology` key is removed), so
 * the rest of the reader, the canonical text and its hash see explicit
 * nodes.  Each level is a node entry without name or parent, plus
 * `fanout` (children per node of the level above; for the first level,
 * the number of roots, default 1) and `name` (a prefix: nodes are named
 * PREFIX-0, PREFIX-1, ... across the level; default the tier).  Errors
 * name the level's line.  Invalidates every yaml_node_t pointer into the
 * document.  0, or -1 with c->err set. */
int st_topology_expand(cfg *c);

/* Reads a device class's `attach`: a node name; a tier (access, edge,
 * regional, cloud) meaning every node of that tier, devices spread
 * round-robin over them in node order; or a list of node names.  A node
 * named like a tier wins over the tier.  Fills attach, attach_nodes and
 * n_attach.  0, or -1 with c->err set. */
int st_topology_attach(cfg *c, yaml_node_t *n, const st_scenario *sc,
                       st_device_class *dc);

#endif
