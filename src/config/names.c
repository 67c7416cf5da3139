/* names.c - the pieces every section of a scenario shares: lists of named
 * entries, their names (non-empty, unique) and references to them by name
 * with "expected one of" messages.  See load.h. */
#include "config/load.h"
#include "base/xalloc.h"
#include "base/strmap.h"

#include <stdio.h>
#include <string.h>

size_t conf_seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *conf_seq_at(cfg *c, yaml_node_t *n, size_t i)
{
    return cfg_node(c, n->data.sequence.items.start[i]);
}

/* A list of mappings under key, each with a unique 'name'.  Returns the
 * list node or NULL (absent is allowed iff !required). */
yaml_node_t *conf_named_list(cfg *c, yaml_node_t *root, const char *key,
                               int required, int *fail)
{
    yaml_node_t *l = required ? cfg_need(c, root, key, "the scenario")
                              : cfg_get(c, root, key);
    *fail = 0;
    if (!l) {
        *fail = required;
        return NULL;
    }
    if (cfg_expect_seq(c, l, key)) {
        *fail = 1;
        return NULL;
    }
    if (required && conf_seq_len(l) == 0) {
        cfg_fail(c, l, "expected at least one entry in '%s'", key);
        *fail = 1;
    }
    return l;
}

int conf_read_name(cfg *c, yaml_node_t *m, const char *what, char **out)
{
    const char *s;
    yaml_node_t *n = cfg_need(c, m, "name", what);
    if (!n || cfg_str(c, n, "name", &s))
        return -1;
    if (!*s)
        return cfg_fail(c, n, "expected a non-empty name for %s", what);
    *out = st_xstrdup(s);
    return 0;
}

/* Names live inside structs of different types; `stride` steps from one
 * struct's name field to the next. */
static const char *name_at(char *const *first, size_t stride, size_t i)
{
    return *(char *const *)((const char *)first + i * stride);
}

int conf_duplicate(cfg *c, yaml_node_t *list, size_t i, size_t first,
                   const char *what, const char *name)
{
    return cfg_fail(c, conf_seq_at(c, list, i), "duplicate %s name '%s' "
                    "(first at entry %zu)", what, name, first + 1);
}

int conf_check_unique(cfg *c, yaml_node_t *list, char *const *first,
                        size_t stride, size_t n, const char *what)
{
    st_strmap seen;
    st_strmap_init(&seen);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t j;
        if (st_strmap_put(&seen, name_at(first, stride, i), i, &j))
            rc = conf_duplicate(c, list, i, j, what, name_at(first, stride, i));
    }
    st_strmap_free(&seen);
    return rc;
}

/* A reference by name; -1 with an error listing nothing if absent. */
int conf_ref(cfg *c, yaml_node_t *n, const char *what, char *const *first,
               size_t stride, size_t count, int *out)
{
    const char *s;
    if (cfg_str(c, n, what, &s))
        return -1;
    for (size_t i = 0; i < count; i++)
        if (strcmp(name_at(first, stride, i), s) == 0) {
            *out = (int)i;
            return 0;
        }
    char known[400] = "";
    for (size_t i = 0; i < count; i++) {
        const char *nm = name_at(first, stride, i);
        if (strlen(known) + strlen(nm) + 8 >= sizeof known) {
            strcat(known, ", ...");
            break;
        }
        strcat(strcat(known, i ? ", " : ""), nm);
    }
    return cfg_fail(c, n, "unknown %s '%s'; expected one of: %s", what, s,
                    count ? known : "(none defined)");
}
