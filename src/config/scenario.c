/* scenario.c - turns a YAML document into a checked st_scenario.
 *
 * Reading is strict: unknown keys, wrong types, out-of-range numbers,
 * dangling names and missing files are errors naming file:line:col.  The
 * document (after overrides) is also printed canonically; its hash is the
 * configuration's identity in the results database.
 */
#include "strata/scenario.h"
#include "config/load.h"
#include "config/keys.h"
#include "config/topology.h"
#include "base/hash.h"
#include "base/xalloc.h"
#include "yaml/yamltree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cfg_key conf_keys_cost[] = {
    {"price_per_gb", "number", "$/GB", "0", CFG_NUM(0, 1e6), "price of the "
     "bytes to and from priced nodes"},
    CFG_KEYS_END};

static int read_cost(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *m = cfg_get(c, root, "cost");
    if (!m)
        return 0;
    return cfg_keys_in(c, m, conf_keys_cost, "cost") ||
           cfg_opt_value(c, m, conf_keys_cost, "price_per_gb",
                         &sc->price_per_gb);
}

/* 'include' and 'topology' are expanded before the rest is read. */
const cfg_key conf_keys_top[] = {
    {"name", "string", NULL, NULL, CFG_NOTE("non-empty"), "the scenario's "
     "name, stored with every run"},
    {"seed", "integer", NULL, "1", CFG_NOTE("[0, 2^64-1]"), "the base of "
     "every random stream"},
    {"duration", "time", "s", NULL, CFG_TIME(1e-6, 1e9), "requests arrive in "
     "[0, duration)"},
    {"warmup", "time", "s", "0", CFG_TIME_AND(0, 1e9, "< duration"),
     "requests arriving earlier are simulated but not measured"},
    {"drain", "time", "s", "60", CFG_TIME(0, 1e9), "after duration, requests "
     "in flight may finish; later ones count as unfinished"},
    {"description", "string", NULL, "-", CFG_ANY, "free text"},
    {"include", "list of paths", NULL, "-", CFG_ANY, "files whose models and "
     "hardware merge in (include)"},
    {"models", "list", NULL, NULL, CFG_ANY, "the model zoo (models[])"},
    {"hardware", "list", NULL, NULL, CFG_ANY, "execution profiles per model "
     "(hardware[])"},
    {"nodes", "list", NULL, "-", CFG_ANY, "the infrastructure (nodes[]); "
     "give nodes or topology"},
    {"topology", "mapping", NULL, "-", CFG_ANY, "a tree of nodes by level "
     "(topology.tree[])"},
    {"devices", "list", NULL, NULL, CFG_ANY, "classes of devices (devices[])"},
    {"policy", "name, mapping or list", NULL, NULL, CFG_ANY, "the policy or "
     "policies to compare (policy[])"},
    {"plugins", "list", NULL, "-", CFG_ANY, "policy plugins to load first: "
     "paths relative to the scenario, or mappings (plugins[])"},
    {"cost", "mapping", NULL, "-", CFG_ANY, "prices not tied to a node (cost)"},
    CFG_KEYS_END};

static int read_top(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *n;
    const char *name;
    if (cfg_keys_in(c, root, conf_keys_top, "the scenario"))
        return -1;
    if (!(n = cfg_need(c, root, "name", "the scenario")) || cfg_str(c, n, "name", &name))
        return -1;
    if (!*name)
        return cfg_fail(c, n, "expected a non-empty name for the scenario");
    sc->name = st_xstrdup(name);
    sc->seed = 1;
    if ((n = cfg_get(c, root, "seed")) && cfg_u64(c, n, "seed", &sc->seed))
        return -1;
    if (!(n = cfg_need(c, root, "duration", "the scenario")) ||
        cfg_key_value(c, n, conf_keys_top, "duration", &sc->duration_s))
        return -1;
    if ((n = cfg_get(c, root, "warmup")) &&
        cfg_key_value(c, n, conf_keys_top, "warmup", &sc->warmup_s))
        return -1;
    if (sc->warmup_s >= sc->duration_s)
        return cfg_fail(c, n, "warmup (%g s) must be shorter than duration (%g s)",
                        sc->warmup_s, sc->duration_s);
    sc->drain_s = 60;
    if (cfg_opt_value(c, root, conf_keys_top, "drain", &sc->drain_s))
        return -1;
    return conf_read_models(c, root, sc) || conf_read_hardware(c, root, sc) ||
           conf_read_nodes(c, root, sc) || conf_read_devices(c, root, sc) ||
           conf_check_servable(c, root, sc) || conf_check_topology(c, root, sc) ||
           conf_check_size(c, root, sc) || conf_read_plugins(c, root, sc) ||
           conf_read_policies(c, root, sc) ||
           read_cost(c, root, sc);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return st_xstrdup("");
    size_t n = (size_t)(slash - path);
    char *d = st_xcalloc(n + 2, 1);
    memcpy(d, path, n ? n : 1);
    return d;
}

static int build(const char *label, const char *base_dir, yaml_document_t *doc,
                 const char *const *ov, size_t nov, st_scenario **out,
                 st_error *err)
{
    st_scenario *sc = st_xcalloc(1, sizeof *sc);
    sc->file = st_xstrdup(label);
    cfg c = {.doc = doc, .file = sc->file, .dir = base_dir, .err = err};
    conf_includes inc = {0};
    /* Includes merge before overrides, so overrides can reach included
     * entries; an override that sets 'include' is merged after. */
    int rc = conf_expand_includes(&c, &inc);
    for (size_t i = 0; i < nov && !rc; i++)
        rc = yt_apply_override(doc, label, ov[i], err);
    if (!rc)
        rc = conf_expand_includes(&c, &inc);
    if (!rc)   /* after overrides, so they can set a fan-out */
        rc = st_topology_expand(&c);
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (rc || cfg_expect_map(&c, root, "the scenario") || read_top(&c, root, sc)) {
        conf_includes_free(&inc);
        st_scenario_free(sc);
        return -1;
    }
    conf_includes_free(&inc);
    sc->overrides = st_xcalloc(nov + 1, sizeof *sc->overrides);
    for (size_t i = 0; i < nov; i++)
        sc->overrides[sc->n_overrides++] = st_xstrdup(ov[i]);
    sc->text = yt_canonical(doc);
    st_hash_hex(st_hash_str(ST_HASH_INIT, sc->text), sc->hash);
    *out = sc;
    return 0;
}

int st_scenario_load_text(const char *label, const char *text, size_t len,
                          const char *base_dir, const char *const *overrides,
                          size_t n_overrides, st_scenario **out, st_error *err)
{
    yaml_document_t doc;
    if (yt_load_text(label, text, len, &doc, err))
        return -1;
    int rc = build(label, base_dir ? base_dir : "", &doc, overrides,
                   n_overrides, out, err);
    yaml_document_delete(&doc);
    return rc;
}

int st_scenario_load(const char *path, const char *const *overrides,
                     size_t n_overrides, st_scenario **out, st_error *err)
{
    yaml_document_t doc;
    if (yt_load_file(path, &doc, err))
        return -1;
    char *dir = dir_of(path);
    int rc = build(path, dir, &doc, overrides, n_overrides, out, err);
    free(dir);
    yaml_document_delete(&doc);
    return rc;
}

int st_scenario_load_profiles(const char *path, st_scenario **out,
                              st_error *err)
{
    yaml_document_t doc;
    if (yt_load_file(path, &doc, err))
        return -1;
    char *dir = dir_of(path);
    st_scenario *sc = st_xcalloc(1, sizeof *sc);
    sc->file = st_xstrdup(path);
    cfg c = {.doc = &doc, .file = sc->file, .dir = dir, .err = err};
    conf_includes inc = {0};
    int rc = conf_expand_includes(&c, &inc);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    rc = rc || cfg_expect_map(&c, root, "a profile file") ||
         conf_read_models(&c, root, sc) || conf_read_hardware(&c, root, sc);
    conf_includes_free(&inc);
    free(dir);
    yaml_document_delete(&doc);
    if (rc) {
        st_scenario_free(sc);
        return -1;
    }
    *out = sc;
    return 0;
}

/* --- freeing and lookups --- */

static void free_params(st_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->values[i]);
    }
    free(p->keys);
    free(p->values);
    free(p->lines);
    free(p->cols);
}

static void free_link(st_link *l)
{
    free(l->up.traces);
    free(l->down.traces);
    st_dist_free(&l->rtt_s);
}

static void free_policy(st_policy_spec *ps)
{
    free(ps->name);
    free(ps->params_text);
    free_params(&ps->params);
}

void st_scenario_free(st_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_overrides; i++)
        free(sc->overrides[i]);
    free(sc->overrides);
    for (size_t i = 0; i < sc->n_tasks; i++)
        free(sc->tasks[i]);
    free(sc->tasks);
    for (size_t i = 0; i < sc->n_models; i++)
        free(sc->models[i].name);
    free(sc->models);
    for (size_t i = 0; i < sc->n_hardware; i++) {
        st_hardware *h = &sc->hardware[i];
        free(h->name);
        if (h->per_model)
            for (size_t m = 0; m < sc->n_models; m++)
                st_dist_free(&h->per_model[m].exec_s);
        free(h->per_model);
    }
    free(sc->hardware);
    for (size_t i = 0; i < sc->n_nodes; i++) {
        free(sc->nodes[i].name);
        free(sc->nodes[i].preload);
        free_link(&sc->nodes[i].uplink);
    }
    free(sc->nodes);
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        st_device_class *d = &sc->devices[i];
        free(d->name);
        free(d->preload);
        free(d->attach_nodes);
        free(d->mix.tasks);
        free(d->arrival.times);
        st_dist_free(&d->slo_s);
        for (size_t k = 0; k < d->n_slo_phases; k++)
            st_dist_free(&d->slo_phases[k].slo_s);
        free(d->slo_phases);
        free_link(&d->link);
    }
    free(sc->devices);
    for (size_t i = 0; i < sc->n_policies; i++)
        free_policy(&sc->policies[i]);
    free(sc->policies);
    for (size_t i = 0; i < sc->n_plugins; i++) {
        free(sc->plugins[i].path);
        free(sc->plugins[i].sha256);
    }
    free(sc->plugins);
    for (size_t i = 0; i < sc->n_traces; i++)
        st_trace_free(sc->traces[i]);
    free(sc->traces);
    free(sc->text);
    free(sc->file);
    free(sc->name);
    free(sc);
}

int st_scenario_model(const st_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_models; i++)
        if (strcmp(sc->models[i].name, name) == 0)
            return (int)i;
    return -1;
}

int st_scenario_node(const st_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_nodes; i++)
        if (strcmp(sc->nodes[i].name, name) == 0)
            return (int)i;
    return -1;
}

int st_scenario_select_policies(st_scenario *sc, const char *const *names,
                                size_t n, st_error *err)
{
    if (n == 0 || n > ST_MAX_POLICIES)
        return st_error_set(err, "expected 1 to %d policy names", ST_MAX_POLICIES);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return st_error_set(err, "policy '%s' named twice", names[i]);
    }
    st_policy_spec *sel = st_xcalloc(n, sizeof *sel);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sc->n_policies && (!sc->policies[k].name ||
                                      strcmp(sc->policies[k].name, names[i]) != 0))
            k++;
        if (k < sc->n_policies) {   /* keep the params the scenario gave */
            sel[i] = sc->policies[k];
            sc->policies[k] = (st_policy_spec){0};
        } else {
            sel[i] = (st_policy_spec){.name = st_xstrdup(names[i]),
                                      .params_text = st_xstrdup("")};
        }
    }
    for (size_t k = 0; k < sc->n_policies; k++)
        free_policy(&sc->policies[k]);
    free(sc->policies);
    sc->policies = sel;
    sc->n_policies = n;
    return 0;
}

void st_scenario_run_key(const st_scenario *sc, size_t policy, char out[17])
{
    uint64_t h = st_hash_str(ST_HASH_INIT, sc->hash);
    h = st_hash_str(h, sc->policies[policy].name);
    h = st_hash_str(h, sc->policies[policy].params_text);
    h = st_hash_u64(h, sc->seed);
    st_hash_hex(h, out);
}

const char *st_tier_name(st_tier t)
{
    static const char *names[] = {"device", "access", "edge", "regional", "cloud"};
    return (unsigned)t < 5 ? names[t] : "?";
}
