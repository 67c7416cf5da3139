/* nodes.c - the `nodes` section: tiers, hardware, memory budgets, prices,
 * preloaded models, and the parent links that make the nodes a tree
 * (parents listed first, so cycles cannot be written). */
#include "config/load.h"
#include "config/keys.h"
#include "base/xalloc.h"
#include "base/strmap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int conf_read_preload(cfg *c, yaml_node_t *m, const st_scenario *sc,
                        unsigned char **out)
{
    yaml_node_t *p = cfg_get(c, m, "preload");
    *out = st_xcalloc(sc->n_models, 1);
    if (!p)
        return 0;
    if (cfg_is_scalar(p)) {
        const char *s = (const char *)p->data.scalar.value;
        if (strcmp(s, "all") == 0)
            memset(*out, 1, sc->n_models);
        else if (strcmp(s, "none") != 0)
            return cfg_fail(c, p, "expected 'all', 'none' or a list of model "
                            "names for preload, got '%s'", s);
        return 0;
    }
    if (cfg_expect_seq(c, p, "preload"))
        return -1;
    for (size_t i = 0; i < conf_seq_len(p); i++) {
        int mi = -1;
        if (conf_ref(c, conf_seq_at(c, p, i), "model", CONF_NAMES(sc->models), sc->n_models, &mi))
            return -1;
        (*out)[mi] = 1;
    }
    return 0;
}

/* The scalar text of key in the nodes-list entry named name, or NULL. */
static const char *node_entry_key(cfg *c, yaml_node_t *all, const char *name,
                                  const char *key)
{
    for (size_t i = 0; cfg_is_seq(all) && i < conf_seq_len(all); i++) {
        yaml_node_t *e = conf_seq_at(c, all, i), *nm = cfg_get(c, e, "name");
        yaml_node_t *v = cfg_get(c, e, key);
        if (nm && cfg_is_scalar(nm) && v && cfg_is_scalar(v) &&
            strcmp((const char *)nm->data.scalar.value, name) == 0)
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

/* Parents must be listed first: that forbids cycles by construction, so a
 * cycle or a misordering shows up as a parent not yet read; say which
 * rather than "unknown". */
static int read_parent(cfg *c, yaml_node_t *n, st_scenario *sc, size_t self,
                       const st_strmap *earlier, int *out)
{
    const char *s;
    size_t i;
    if (cfg_str(c, n, "parent", &s))
        return -1;
    if (st_strmap_get(earlier, s, &i)) {
        *out = (int)i;
        return 0;
    }
    if (strcmp(s, sc->nodes[self].name) == 0)
        return cfg_fail(c, n, "node '%s' cannot be its own parent", s);
    yaml_node_t *all = cfg_get(c, yaml_document_get_root_node(c->doc), "nodes");
    const char *me = sc->nodes[self].name;
    if (!node_entry_key(c, all, s, "name"))
        return cfg_fail(c, n, "unknown parent node '%s'", s);
    char chain[512];
    snprintf(chain, sizeof chain, "'%s' -> '%s'", me, s);
    const char *up = s;
    /* Short walks only: each step scans the list, and a hostile file could
     * chain every node backwards. */
    for (size_t k = 0; k < 32 && up; k++) {
        up = node_entry_key(c, all, up, "parent");
        if (up && strlen(chain) + strlen(up) + 8 < sizeof chain)
            strcat(strcat(strcat(chain, " -> '"), up), "'");
        if (up && strcmp(up, me) == 0)
            return cfg_fail(c, n, "the parents of node '%s' form a cycle "
                            "(%s); nodes must form a tree", me, chain);
    }
    return cfg_fail(c, n, "parent '%s' of node '%s' is listed after it; "
                    "list every node after its parent", s, me);
}

const cfg_key conf_keys_node[] = {
    {"name", "string", NULL, NULL, CFG_NOTE("unique"), "the node's name"},
    {"tier", "string", NULL, "cloud", CONF_RANGE_TIER, "where it sits"},
    {"hardware", "name of a hardware entry", NULL, NULL, CFG_ANY, "what runs "
     "the models"},
    {"executors", "integer", NULL, "1", CONF_RANGE_EXECUTORS, "requests it "
     "serves in parallel (GPU streams, cores)"},
    {"memory_mb", "number", "MB", "unlimited", CONF_RANGE_MEMORY, "budget "
     "for resident models"},
    {"price_per_s", "number", "$/s", "0", CONF_RANGE_PRICE, "price of a busy "
     "second (load and execution)"},
    {"price_per_request", "number", "$", "0", CONF_RANGE_PRICE, "price of "
     "each request it serves"},
    {"parent", "name of an earlier node", NULL, "-", CFG_ANY, "the node "
     "above (nodes form a forest; needs uplink)"},
    {"uplink", "link", NULL, "-", CFG_NOTE("constant rates only"), "the link "
     "to the parent (see devices[].link)"},
    {"preload", "all, none or a list of model names", NULL, "none", CFG_ANY,
     "models resident at the start (serverless: one warm instance each)"},
    {"on_abandon", "string", NULL, "finish", CFG_ONE_OF("finish", "cancel"),
     "a request its client abandoned at a timeout: run it to the end "
     "(billed, result dropped), or drop it unbilled if it has not started"},
    {"serverless", "mapping", NULL, "-", CFG_ANY, "per-model serverless "
     "endpoints instead of executors sharing one queue"},
    CFG_KEYS_END};

const cfg_key conf_keys_serverless[] = {
    {"max_concurrency", "integer", NULL, "1", CFG_INT(1, 100000), "instances "
     "of one model's endpoint running at once"},
    {"on_throttle", "string", NULL, "error", CFG_ONE_OF("error", "queue"),
     "a request beyond it: an immediate error its client sees, or a FIFO "
     "wait"},
    {"keep_alive_s", "number", "s", "600", CFG_NUM(0, 1e9), "an instance "
     "idle longer scales to zero; the next request pays a cold start (the "
     "model's load time)"},
    {"memory_mb", "number", "MB", "6144", CFG_NUM(1, 1e7), "memory of an "
     "instance, for billing"},
    {"price_per_gb_s", "number", "$/GB-s", "0", CFG_NUM(0, 1e6), "price of a "
     "GB-second of execution"},
    {"bill_cold_start", "boolean", NULL, "false", CFG_ANY, "whether cold "
     "starts are billed too"},
    CFG_KEYS_END};

/* serverless: see conf_keys_serverless and st_serverless. */
static int read_serverless(cfg *c, yaml_node_t *m, st_serverless *s)
{
    const cfg_key *k = conf_keys_serverless;
    long conc = 1;
    yaml_node_t *n;
    *s = (st_serverless){.on = 1, .keep_alive_s = 600, .memory_mb = 6144};
    if (cfg_expect_map(c, m, "serverless") ||
        cfg_keys_in(c, m, k, "serverless") ||
        cfg_opt_long(c, m, k, "max_concurrency", &conc) ||
        cfg_opt_value(c, m, k, "keep_alive_s", &s->keep_alive_s) ||
        cfg_opt_value(c, m, k, "memory_mb", &s->memory_mb) ||
        cfg_opt_value(c, m, k, "price_per_gb_s", &s->price_per_gb_s))
        return -1;
    s->max_concurrency = (int)conc;
    if ((n = cfg_get(c, m, "bill_cold_start")) &&
        cfg_bool(c, n, "bill_cold_start", &s->bill_cold_start))
        return -1;
    return cfg_opt_word(c, m, k, "on_throttle", NULL, &s->queue_throttled);
}

static int read_node(cfg *c, yaml_node_t *m, st_scenario *sc, size_t self,
                     const st_strmap *earlier)
{
    const cfg_key *k = conf_keys_node;
    st_node_spec *nd = &sc->nodes[self];
    yaml_node_t *n;
    long ex = 1;
    int tier = ST_TIER_CLOUD - ST_TIER_ACCESS;
    nd->parent = -1;
    nd->memory_mb = INFINITY;
    if (cfg_keys_in(c, m, conf_keys_node, "a node") ||
        conf_read_name(c, m, "a node", &nd->name))
        return -1;
    if (cfg_opt_word(c, m, k, "tier", NULL, &tier))
        return -1;
    nd->tier = (st_tier)(ST_TIER_ACCESS + tier);
    n = cfg_need(c, m, "hardware", "a node");
    if (!n || conf_ref(c, n, "hardware", CONF_NAMES(sc->hardware), sc->n_hardware,
                  &nd->hardware))
        return -1;
    if (cfg_opt_long(c, m, k, "executors", &ex) ||
        cfg_opt_value(c, m, k, "memory_mb", &nd->memory_mb) ||
        cfg_opt_value(c, m, k, "price_per_s", &nd->price_per_s) ||
        cfg_opt_value(c, m, k, "price_per_request", &nd->price_per_request) ||
        conf_read_preload(c, m, sc, &nd->preload) ||
        cfg_opt_word(c, m, k, "on_abandon", NULL, &nd->cancel_abandoned))
        return -1;
    nd->executors = (int)ex;
    if ((n = cfg_get(c, m, "serverless")) && read_serverless(c, n, &nd->serverless))
        return -1;
    if ((n = cfg_get(c, m, "parent"))) {
        if (read_parent(c, n, sc, self, earlier, &nd->parent))
            return -1;
        yaml_node_t *u = cfg_need(c, m, "uplink", "a node with a parent");
        if (!u || conf_read_link(c, u, sc, 0, &nd->uplink))
            return -1;
    } else if (cfg_get(c, m, "uplink")) {
        return cfg_fail(c, cfg_get(c, m, "uplink"),
                        "'uplink' needs a 'parent' to link to");
    }
    return 0;
}

int conf_read_nodes(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = conf_named_list(c, root, "nodes", 1, &fail);
    if (fail)
        return -1;
    if (conf_seq_len(l) > ST_MAX_NODES)
        return cfg_fail(c, l, "more than %d nodes", ST_MAX_NODES);
    sc->n_nodes = conf_seq_len(l);
    sc->nodes = st_xcalloc(sc->n_nodes, sizeof *sc->nodes);
    /* Names so far, for parents (listed first) and uniqueness: linear in
     * the number of nodes, which may be many. */
    st_strmap earlier;
    st_strmap_init(&earlier);
    int rc = 0;
    for (size_t i = 0; i < sc->n_nodes && !rc; i++) {
        size_t first;
        rc = read_node(c, conf_seq_at(c, l, i), sc, i, &earlier);
        if (!rc && st_strmap_put(&earlier, sc->nodes[i].name, i, &first))
            rc = conf_duplicate(c, l, i, first, "node", sc->nodes[i].name);
    }
    st_strmap_free(&earlier);
    return rc;
}
