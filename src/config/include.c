/* include.c - merging the `models` and `hardware` lists of the files
 * named by a scenario's `include:` key into its document. */
#include "config/load.h"
#include "config/keys.h"
#include "base/xalloc.h"
#include "yaml/yamltree.h"

#include <stdlib.h>
#include <string.h>

/* 'include: FILE' or 'include: [FILE, ...]' names files whose 'models' and
 * 'hardware' lists are appended to the scenario's (after its own entries,
 * in order).  The merged document is what is checked, printed and hashed,
 * so a run's stored text holds everything it used, and it reads the same
 * without the included files.  Errors about merged entries name the file
 * they came from.  Relative paths resolve against the scenario's
 * directory, also inside included files; an included file cannot include. */

#define MAX_INCLUDES 64

void conf_includes_free(conf_includes *inc)
{
    for (size_t i = 0; i < inc->n; i++)
        free(inc->files[i]);
    free(inc->files);
    *inc = (conf_includes){0};
}

/* Id of key's value in the mapping map_id, or 0. */
static int map_value_id(yaml_document_t *doc, int map_id, const char *key)
{
    yaml_node_t *m = yaml_document_get_node(doc, map_id);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return p->value;
    }
    return 0;
}

/* Appends the items of the included list l to the scenario's list `key`
 * (created when the scenario has none). */
static int merge_list(cfg *c, yaml_document_t *inc, yaml_node_t *l,
                      const char *key, size_t origin)
{
    int list = map_value_id(c->doc, 1, key);
    if (!list) {
        int k = yaml_document_add_scalar(c->doc, NULL, (yaml_char_t *)key,
                                         (int)strlen(key), YAML_PLAIN_SCALAR_STYLE);
        list = yaml_document_add_sequence(c->doc, NULL, YAML_ANY_SEQUENCE_STYLE);
        yaml_document_append_mapping_pair(c->doc, 1, k, list);
    } else if (cfg_expect_seq(c, cfg_node(c, list), key)) {
        return -1;
    }
    for (size_t i = 0; i < conf_seq_len(l); i++) {
        int id = yt_copy(c->doc, inc, yaml_document_get_node(inc,
                         l->data.sequence.items.start[i]), origin);
        yaml_document_append_sequence_item(c->doc, list, id);
    }
    if ((size_t)(c->doc->nodes.top - c->doc->nodes.start) > YT_MAX_NODES)
        return cfg_fail(c, NULL, "more than %d YAML nodes with included files",
                        YT_MAX_NODES);
    return 0;
}

const cfg_key conf_keys_include[] = {
    {"models", "list", NULL, "-", CFG_ANY, "models merged into the "
     "scenario's (as models[])"},
    {"hardware", "list", NULL, "-", CFG_ANY, "hardware entries merged in (as "
     "hardware[])"},
    CFG_KEYS_END};

static int include_file(cfg *c, yaml_node_t *at, const char *path,
                        size_t origin)
{
    yaml_document_t inc;
    st_error lerr;
    if (yt_load_file(path, &inc, &lerr))
        return cfg_fail(c, at, "cannot include it: %s", lerr.msg);
    cfg ic = {.doc = &inc, .file = path, .dir = c->dir, .err = c->err};
    yaml_node_t *root = yaml_document_get_root_node(&inc);
    int rc = cfg_keys_in(&ic, root, conf_keys_include, "an included file");
    for (const cfg_key *k = conf_keys_include; k->name && !rc; k++) {
        yaml_node_t *l = cfg_get(&ic, root, k->name);
        if (l)
            rc = cfg_expect_seq(&ic, l, k->name) ||
                 merge_list(c, &inc, l, k->name, origin);
    }
    yaml_document_delete(&inc);
    return rc;
}

/* Merges the files named by the root's 'include' key, then removes the
 * key.  inc collects their names (for messages); c->includes points there. */
int conf_expand_includes(cfg *c, conf_includes *inc)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!cfg_is_map(root))
        return 0;
    int v = map_value_id(c->doc, 1, "include");
    if (!v)
        return 0;
    yaml_node_t *list = cfg_node(c, v);
    size_t n = cfg_is_seq(list) ? conf_seq_len(list) : 1;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = cfg_is_seq(list) ? conf_seq_at(c, list, i) : list;
        const char *rel;
        if (cfg_str(c, item, "include (a file name)", &rel))
            return -1;
        if (inc->n >= MAX_INCLUDES)
            return cfg_fail(c, item, "more than %d included files", MAX_INCLUDES);
        char *path = cfg_path(c, item, rel);
        if (!path)
            return -1;
        inc->files = st_xrealloc(inc->files, (inc->n + 1) * sizeof *inc->files);
        inc->files[inc->n] = path;
        c->includes = inc->files;
        c->n_includes = ++inc->n;
        if (include_file(c, item, path, YT_FROM_INCLUDE + inc->n - 1))
            return -1;
        list = cfg_node(c, v);   /* nodes may have moved */
    }
    root = yaml_document_get_root_node(c->doc);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++)
        if (p->value == v) {
            memmove(p, p + 1, (size_t)(root->data.mapping.pairs.top - p - 1) * sizeof *p);
            root->data.mapping.pairs.top--;
            break;
        }
    return 0;
}
