/* graphml.h - an undirected network read from a GraphML file (Internet
 * Topology Zoo style) with libxml2: nodes with their label and position,
 * links with their speed when the file gives one.  Private to src/config;
 * topology_graph.c turns a graph into the scenario's nodes. */
#ifndef STRATA_GRAPHML_H
#define STRATA_GRAPHML_H

#include <stddef.h>
#include "strata/error.h"

typedef struct st_graph_node {
    char *id, *label;       /* label: the file's, else the id */
    double lat, lon;        /* degrees */
    int has_pos;            /* both Latitude and Longitude given */
    long line;
} st_graph_node;

typedef struct st_graph_edge {
    size_t a, b;            /* node indices, a != b */
    double bps;             /* LinkSpeedRaw, 0 when absent */
    long line;
} st_graph_edge;

typedef struct st_graph {
    st_graph_node *nodes;
    size_t n_nodes;
    st_graph_edge *edges;
    size_t n_edges;
} st_graph;

/* Reads path.  The attribute ids are the file's own `<key attr.name=...
 * id=...>` declarations (label, Latitude, Longitude for nodes,
 * LinkSpeedRaw for edges).  Errors name path:line and what was expected:
 * not XML, no <graphml>/<graph>, a node without an id or a duplicate one,
 * an edge naming an unknown node, a position that is no number in range.
 * Self-loops are left out.  0, or -1 with err set. */
int st_graphml_read(const char *path, st_graph *g, st_error *err);
void st_graph_free(st_graph *g);

/* Great-circle distance between two positions, km (haversine, mean Earth
 * radius 6371 km). */
double st_graph_km(const st_graph_node *a, const st_graph_node *b);

#endif
