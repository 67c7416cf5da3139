/* policies.c - the `policy` section: one policy or a list, each a name
 * with optional params, kept as text with their lines (policies read and
 * check their own parameters; st_policy_check_scenario checks the names)
 * and in a canonical sorted form that is part of a run's identity; and the
 * `plugins` section, the policy plugins a scenario needs. */
#include "config/load.h"
#include "config/keys.h"
#include "base/xalloc.h"
#include "yaml/yamltree.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_param(const void *a, const void *b)
{
    return strcmp(**(char **const *)a, **(char **const *)b);
}

static void params_text(st_policy_spec *ps)
{
    size_t n = ps->params.n, len = 1;
    char ***order = st_xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        order[i] = &ps->params.keys[i];
        len += strlen(ps->params.keys[i]) + strlen(ps->params.values[i]) + 2;
    }
    qsort(order, n, sizeof *order, cmp_param);
    ps->params_text = st_xcalloc(len, 1);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(order[i] - ps->params.keys);
        if (i)
            strcat(ps->params_text, ";");
        strcat(ps->params_text, ps->params.keys[k]);
        strcat(ps->params_text, "=");
        strcat(ps->params_text, ps->params.values[k]);
    }
    free(order);
}

static int read_params(cfg *c, yaml_node_t *m, st_policy_spec *ps)
{
    if (cfg_expect_map(c, m, "policy params"))
        return -1;
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    st_params *p = &ps->params;
    p->keys = st_xcalloc(n, sizeof *p->keys);
    p->values = st_xcalloc(n, sizeof *p->values);
    p->lines = st_xcalloc(n, sizeof *p->lines);
    p->cols = st_xcalloc(n, sizeof *p->cols);
    p->file = c->file;
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *pr = &m->data.mapping.pairs.start[i];
        yaml_node_t *k = cfg_node(c, pr->key), *v = cfg_node(c, pr->value);
        const char *ks;
        if (cfg_str(c, k, "a parameter name", &ks))
            return -1;
        for (size_t j = 0; j < p->n; j++)
            if (strcmp(p->keys[j], ks) == 0)
                return cfg_fail(c, k, "duplicate parameter '%s'", ks);
        p->keys[i] = st_xstrdup(ks);
        p->values[i] = cfg_is_scalar(v) ? st_xstrdup((const char *)v->data.scalar.value)
                                        : yt_flow(c->doc, v);
        if (v->start_mark.index != YT_FROM_OVERRIDE) {
            p->lines[i] = v->start_mark.line + 1;
            p->cols[i] = v->start_mark.column + 1;
        }
        p->n = i + 1;
    }
    return 0;
}

const cfg_key conf_keys_policy[] = {
    {"name", "string", NULL, NULL, CFG_NOTE("strata policy list"), "the "
     "policy"},
    {"params", "mapping", NULL, "-", CFG_NOTE("strata policy info NAME"),
     "its parameters, each checked against the policy's declared table"},
    CFG_KEYS_END};

static int read_policy_one(cfg *c, yaml_node_t *m, st_policy_spec *ps)
{
    yaml_node_t *name = m;
    if (cfg_is_map(m)) {
        if (cfg_keys_in(c, m, conf_keys_policy, "a policy") ||
            !(name = cfg_need(c, m, "name", "a policy")))
            return -1;
    }
    const char *s;
    if (cfg_str(c, name, "policy name", &s))
        return -1;
    ps->name = st_xstrdup(s);
    if (name->start_mark.index != YT_FROM_OVERRIDE) {
        ps->line = name->start_mark.line + 1;
        ps->col = name->start_mark.column + 1;
    }
    yaml_node_t *pm = cfg_is_map(m) ? cfg_get(c, m, "params") : NULL;
    if (pm && read_params(c, pm, ps))
        return -1;
    params_text(ps);
    return 0;
}

int conf_read_policies(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *p = cfg_need(c, root, "policy", "the scenario");
    if (!p)
        return -1;
    size_t n = cfg_is_seq(p) ? conf_seq_len(p) : 1;
    if (n == 0 || n > ST_MAX_POLICIES)
        return cfg_fail(c, p, "expected 1 to %d policies", ST_MAX_POLICIES);
    sc->policies = st_xcalloc(n, sizeof *sc->policies);
    for (size_t i = 0; i < n; i++) {
        if (read_policy_one(c, cfg_is_seq(p) ? conf_seq_at(c, p, i) : p,
                            &sc->policies[i]))
            return -1;
        sc->n_policies = i + 1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc->policies[j].name, sc->policies[i].name) == 0 &&
                strcmp(sc->policies[j].params_text, sc->policies[i].params_text) == 0)
                return cfg_fail(c, conf_seq_at(c, p, i), "policy '%s' listed twice "
                                "with the same params", sc->policies[i].name);
    }
    return 0;
}

#define MAX_PLUGINS 64

static int is_sha256(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
            return 0;
    return n == 64;
}

const cfg_key conf_keys_plugin[] = {
    {"path", "path", NULL, NULL, CFG_NOTE("a shared object"), "the plugin "
     "file, relative to the scenario"},
    {"sha256", "string", NULL, "-", CFG_NOTE("64 hex digits"), "refuse the "
     "plugin unless its file has this SHA-256"},
    CFG_KEYS_END};

/* One entry: "path", or {path: P, sha256: HEX}. */
static int read_plugin(cfg *c, yaml_node_t *n, st_plugin_spec *ps)
{
    yaml_node_t *pn = n, *hn = NULL;
    const char *rel, *hex;
    struct stat sb;
    if (cfg_is_map(n) && (cfg_keys_in(c, n, conf_keys_plugin, "a plugin") ||
                          !(pn = cfg_need(c, n, "path", "a plugin"))))
        return -1;
    if (cfg_str(c, pn, "a plugin path", &rel) ||
        !(ps->path = cfg_path(c, pn, rel)))
        return -1;
    if (stat(ps->path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return cfg_fail(c, pn, "plugin '%s' does not exist or is not a file",
                        ps->path);
    if (cfg_is_map(n) && (hn = cfg_get(c, n, "sha256"))) {
        if (cfg_str(c, hn, "sha256", &hex))
            return -1;
        if (!is_sha256(hex))
            return cfg_fail(c, hn, "expected 64 lowercase hex digits for "
                            "sha256, got '%s'", hex);
        ps->sha256 = st_xstrdup(hex);
    }
    if (pn->start_mark.index != YT_FROM_OVERRIDE) {
        ps->line = pn->start_mark.line + 1;
        ps->col = pn->start_mark.column + 1;
    }
    return 0;
}

int conf_read_plugins(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    yaml_node_t *p = cfg_get(c, root, "plugins");
    if (!p)
        return 0;
    if (!cfg_is_seq(p))
        return cfg_fail(c, p, "expected a list of plugin files for plugins");
    size_t n = conf_seq_len(p);
    if (n > MAX_PLUGINS)
        return cfg_fail(c, p, "at most %d plugins", MAX_PLUGINS);
    sc->plugins = st_xcalloc(n, sizeof *sc->plugins);
    for (size_t i = 0; i < n; i++) {
        sc->n_plugins = i + 1;
        if (read_plugin(c, conf_seq_at(c, p, i), &sc->plugins[i]))
            return -1;
    }
    return 0;
}
