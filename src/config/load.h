/* load.h - what the sections of the scenario reader share, private to
 * src/config.  scenario.c drives the reading: includes and overrides are
 * merged into the document, then each section is read by its own file
 * (models.c, nodes.c, links.c, devices.c, workload.c, policies.c) and the
 * whole is cross-checked (checks.c).  Every function returns 0, or -1 with
 * c->err naming file:line:col and what was expected. */
#ifndef STRATA_CONFIG_LOAD_H
#define STRATA_CONFIG_LOAD_H

#include "strata/scenario.h"
#include "yaml/cfgread.h"

/* --- names.c: lists, names and references --- */

size_t conf_seq_len(const yaml_node_t *n);
yaml_node_t *conf_seq_at(cfg *c, yaml_node_t *n, size_t i);
/* A list of mappings under key, each with a unique 'name'.  Returns the
 * list node or NULL (absent is allowed iff !required); *fail is set on
 * error. */
yaml_node_t *conf_named_list(cfg *c, yaml_node_t *root, const char *key,
                             int required, int *fail);
/* The non-empty 'name' of mapping m, copied to *out. */
int conf_read_name(cfg *c, yaml_node_t *m, const char *what, char **out);
/* Names live inside structs of different types: CONF_NAMES(array) gives
 * the first name field and the stride from one struct's name to the next,
 * for the two functions below. */
#define CONF_NAMES(arr) (&(arr)[0].name), sizeof *(arr)
/* The error for entry i of list repeating the name of entry `first`. */
int conf_duplicate(cfg *c, yaml_node_t *list, size_t i, size_t first,
                   const char *what, const char *name);
/* Fails at the list entry of the first name that repeats an earlier one
 * (in time linear in n). */
int conf_check_unique(cfg *c, yaml_node_t *list, char *const *first,
                      size_t stride, size_t n, const char *what);
/* A reference by name: the index in *out, or an error listing the names
 * defined. */
int conf_ref(cfg *c, yaml_node_t *n, const char *what, char *const *first,
             size_t stride, size_t count, int *out);

/* --- the sections, in reading order --- */

int conf_read_models(cfg *c, yaml_node_t *root, st_scenario *sc);
int conf_read_hardware(cfg *c, yaml_node_t *root, st_scenario *sc);
int conf_read_nodes(cfg *c, yaml_node_t *root, st_scenario *sc);
/* 'preload' of a node or device class: all, none or a list of models. */
int conf_read_preload(cfg *c, yaml_node_t *m, const st_scenario *sc,
                      unsigned char **out);
/* A link; traces_ok is 0 for links between nodes (constant rates only). */
int conf_read_link(cfg *c, yaml_node_t *m, st_scenario *sc, int traces_ok,
                   st_link *l);
int conf_read_devices(cfg *c, yaml_node_t *root, st_scenario *sc);
int conf_read_workload(cfg *c, yaml_node_t *m, st_scenario *sc,
                       st_device_class *dc);
int conf_read_policies(cfg *c, yaml_node_t *root, st_scenario *sc);
/* 'plugins': paths, or {path, sha256}, of policy plugins; the files must
 * exist (loading them is the policy layer's). */
int conf_read_plugins(cfg *c, yaml_node_t *root, st_scenario *sc);

/* --- checks.c: the whole scenario --- */

int conf_check_servable(cfg *c, yaml_node_t *root, st_scenario *sc);
int conf_check_topology(cfg *c, yaml_node_t *root, const st_scenario *sc);
int conf_check_size(cfg *c, yaml_node_t *root, const st_scenario *sc);

/* --- include.c --- */

/* The files merged by 'include' (for messages; c->includes points here). */
typedef struct conf_includes {
    char **files;
    size_t n;
} conf_includes;

/* Merges the files named by the root's 'include' key into the document,
 * then removes the key. */
int conf_expand_includes(cfg *c, conf_includes *inc);
void conf_includes_free(conf_includes *inc);

#endif
