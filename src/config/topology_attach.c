/* topology_attach.c - a device class's `attach`: one node, every node of
 * a tier (devices spread round-robin), or a list of nodes (topology.h). */
#include "config/topology.h"
#include "config/keys.h"
#include "config/load.h"
#include "base/xalloc.h"

#include <string.h>

/* The tier of that name (the words of nodes[].tier), or -1. */
static int tier_named(const char *s)
{
    int w = st_range_word(&cfg_key_of(conf_keys_node, "tier")->range, s);
    return w < 0 ? -1 : ST_TIER_ACCESS + w;
}

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
    size_t len = conf_seq_len(n);
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
