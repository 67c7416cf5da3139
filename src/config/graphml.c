/* graphml.c - reads an undirected GraphML network with libxml2
 * (graphml.h), checking what topology_graph.c relies on and naming file:line
 * for what is wrong.
 */
#include "config/graphml.h"
#include "base/xalloc.h"
#include "base/textfile.h"

#define MAX_GRAPHML_BYTES (64u << 20)

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* The attribute ids this file declared for what we read. */
typedef struct keys {
    char *label, *lat, *lon, *speed;
} keys;

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = st_xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

static int at(st_error *err, const char *path, const xmlNode *n,
              const char *what)
{
    return st_error_at(err, path, (size_t)xmlGetLineNo(n), 0, "%s", what);
}

static void read_key(const xmlNode *k, keys *ks)
{
    char *name = attr(k, "attr.name"), *id = attr(k, "id"), *f = attr(k, "for");
    char **slot = NULL;
    int node = f && strcmp(f, "node") == 0, edge = f && strcmp(f, "edge") == 0;
    if (name && node && strcmp(name, "label") == 0)
        slot = &ks->label;
    else if (name && node && strcmp(name, "Latitude") == 0)
        slot = &ks->lat;
    else if (name && node && strcmp(name, "Longitude") == 0)
        slot = &ks->lon;
    else if (name && edge && strcmp(name, "LinkSpeedRaw") == 0)
        slot = &ks->speed;
    if (slot && id && !*slot) {
        *slot = id;
        id = NULL;
    }
    free(name);
    free(id);
    free(f);
}

/* The text of n's <data key=id> child, or NULL (malloc'd). */
static char *data(const xmlNode *n, const char *id, const xmlNode **where)
{
    if (!id)
        return NULL;
    for (const xmlNode *d = n->children; d; d = d->next) {
        if (!is(d, "data"))
            continue;
        char *k = attr(d, "key");
        int hit = k && strcmp(k, id) == 0;
        free(k);
        if (hit) {
            xmlChar *t = xmlNodeGetContent(d);
            char *s = st_xstrdup(t ? (const char *)t : "");
            xmlFree(t);
            *where = d;
            return s;
        }
    }
    return NULL;
}

/* A number in [lo, hi] from <data key=id>; 0 absent, 1 read, -1 bad. */
static int number(const char *path, const xmlNode *n, const char *id,
                  double lo, double hi, const char *what, double *out,
                  st_error *err)
{
    const xmlNode *where = n;
    char *s = data(n, id, &where), *end;
    if (!s)
        return 0;
    double v = strtod(s, &end);
    int ok = end != s && *end == 0 && isfinite(v) && v >= lo && v <= hi;
    free(s);
    if (!ok)
        return st_error_at(err, path, (size_t)xmlGetLineNo(where), 0,
                           "expected %s, a number in [%g, %g]", what, lo, hi);
    *out = v;
    return 1;
}

static long find_node(const st_graph *g, const char *id)
{
    for (size_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].id, id) == 0)
            return (long)i;
    return -1;
}

static int read_node(const char *path, const xmlNode *n, const keys *ks,
                     st_graph *g, st_error *err)
{
    st_graph_node gn = {.id = attr(n, "id"), .line = xmlGetLineNo(n)};
    if (!gn.id)
        return at(err, path, n, "a <node> without an 'id' attribute");
    if (find_node(g, gn.id) >= 0) {
        free(gn.id);
        return at(err, path, n, "a second <node> with this id; expected "
                  "unique node ids");
    }
    const xmlNode *where;
    gn.label = data(n, ks->label, &where);
    if (!gn.label || !*gn.label) {
        free(gn.label);
        gn.label = st_xstrdup(gn.id);
    }
    g->nodes = st_xrealloc(g->nodes, (g->n_nodes + 1) * sizeof *g->nodes);
    g->nodes[g->n_nodes++] = gn;
    st_graph_node *p = &g->nodes[g->n_nodes - 1];
    int a = number(path, n, ks->lat, -90, 90, "Latitude (degrees)", &p->lat, err);
    int b = number(path, n, ks->lon, -180, 180, "Longitude (degrees)", &p->lon, err);
    if (a < 0 || b < 0)
        return -1;
    p->has_pos = a == 1 && b == 1;
    return 0;
}

static int read_edge(const char *path, const xmlNode *e, const keys *ks,
                     st_graph *g, st_error *err)
{
    char *s = attr(e, "source"), *t = attr(e, "target");
    long a = s ? find_node(g, s) : -1, b = t ? find_node(g, t) : -1;
    free(s);
    free(t);
    if (a < 0 || b < 0)
        return at(err, path, e, "an <edge> whose source or target is no "
                  "<node> id declared before it");
    st_graph_edge ge = {(size_t)a, (size_t)b, 0, xmlGetLineNo(e)};
    if (number(path, e, ks->speed, 1, 1e15, "LinkSpeedRaw (bit/s)", &ge.bps, err) < 0)
        return -1;
    if (a == b)
        return 0;
    g->edges = st_xrealloc(g->edges, (g->n_edges + 1) * sizeof *g->edges);
    g->edges[g->n_edges++] = ge;
    return 0;
}

/* Nodes first (edges refer to them), then edges. */
static int read_graph(const char *path, const xmlNode *graph, const keys *ks,
                      st_graph *g, st_error *err)
{
    for (const xmlNode *n = graph->children; n; n = n->next)
        if (is(n, "node") && read_node(path, n, ks, g, err))
            return -1;
    for (const xmlNode *n = graph->children; n; n = n->next)
        if (is(n, "edge") && read_edge(path, n, ks, g, err))
            return -1;
    if (g->n_nodes == 0)
        return at(err, path, graph, "a <graph> without <node>s");
    return 0;
}

int st_graphml_read(const char *path, st_graph *g, st_error *err)
{
    memset(g, 0, sizeof *g);
    /* Through the bounded reader: a device, a NUL byte or an oversized
     * file is refused by name before libxml2 sees it. */
    char *text;
    size_t len;
    if (st_text_read_all(path, "a GraphML (XML) file", MAX_GRAPHML_BYTES,
                         &text, &len, err))
        return -1;
    xmlDoc *doc = xmlReadMemory(text, (int)len, path, NULL, XML_PARSE_NONET |
                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(text);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        return st_error_at(err, path, e ? (size_t)e->line : 0, 0,
                           "expected a GraphML (XML) file: %.*s",
                           e && e->message ? (int)strcspn(e->message, "\n") : 10,
                           e && e->message ? e->message : "unreadable");
    }
    keys ks = {0};
    int rc = 0;
    const xmlNode *root = xmlDocGetRootElement(doc), *graph = NULL;
    if (!root || !is(root, "graphml"))
        rc = root ? at(err, path, root, "expected the root element <graphml>")
                  : st_error_at(err, path, 0, 0, "expected a <graphml> element");
    for (const xmlNode *n = root ? root->children : NULL; !rc && n; n = n->next) {
        if (is(n, "key"))
            read_key(n, &ks);
        else if (is(n, "graph") && !graph)
            graph = n;
    }
    if (!rc && !graph)
        rc = at(err, path, root, "a <graphml> without a <graph>");
    if (!rc)
        rc = read_graph(path, graph, &ks, g, err);
    free(ks.label);
    free(ks.lat);
    free(ks.lon);
    free(ks.speed);
    xmlFreeDoc(doc);
    if (rc)
        st_graph_free(g);
    return rc;
}

void st_graph_free(st_graph *g)
{
    for (size_t i = 0; i < g->n_nodes; i++) {
        free(g->nodes[i].id);
        free(g->nodes[i].label);
    }
    free(g->nodes);
    free(g->edges);
    memset(g, 0, sizeof *g);
}

double st_graph_km(const st_graph_node *a, const st_graph_node *b)
{
    const double r = 6371, rad = M_PI / 180;
    double dlat = (b->lat - a->lat) * rad, dlon = (b->lon - a->lon) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat * rad) * cos(b->lat * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(fmin(1, sqrt(h)));
}
