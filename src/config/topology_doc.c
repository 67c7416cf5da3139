/* topology_doc.c - editing a scenario's YAML document in place, for the
 * topology expansions: new scalars and pairs that carry the line they
 * were written from, and swapping the topology key for a nodes list. */
#include "config/topology_impl.h"
#include "base/xalloc.h"

#include <string.h>

int topo_key_is(cfg *c, int key_id, const char *key)
{
    const yaml_node_t *k = cfg_node(c, key_id);
    return k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
           memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0;
}

/* Index of key's pair in a mapping, or -1. */
long topo_pair_index(cfg *c, const yaml_node_t *map, const char *key)
{
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++)
        if (topo_key_is(c, p->key, key))
            return p - map->data.mapping.pairs.start;
    return -1;
}

/* Generated nodes carry the mark of the level they come from, so errors
 * about them point at it. */
int topo_add_scalar(cfg *c, const char *text, const yaml_mark_t *mark)
{
    int id = yaml_document_add_scalar(c->doc, NULL, (yaml_char_t *)text,
                                      (int)strlen(text), YAML_PLAIN_SCALAR_STYLE);
    if (!id)
        st_oom("a YAML node");
    yaml_node_t *n = cfg_node(c, id);
    n->start_mark = n->end_mark = *mark;
    return id;
}

void topo_append_pair(cfg *c, int map, int key, int value)
{
    if (!yaml_document_append_mapping_pair(c->doc, map, key, value))
        st_oom("a YAML node");
}

/* Replaces the root's topology pair by `nodes: seq`. */
void topo_swap_in_nodes(cfg *c, long topo_pair, int seq, const yaml_mark_t *mark)
{
    int key = topo_add_scalar(c, "nodes", mark);
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    int root_id = (int)(root - c->doc->nodes.start) + 1;
    yaml_node_pair_t *pairs = root->data.mapping.pairs.start;
    size_t n = (size_t)(root->data.mapping.pairs.top - pairs);
    memmove(&pairs[topo_pair], &pairs[topo_pair + 1],
            (n - (size_t)topo_pair - 1) * sizeof *pairs);
    root->data.mapping.pairs.top--;
    topo_append_pair(c, root_id, key, seq);
}
