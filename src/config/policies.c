/* policies.c - the `policy` section: one policy or a list, each a name
 * with optional params, kept as text with their lines (policies read and
 * check their own parameters; st_policy_check_scenario checks the names)
 * and in a canonical sorted form that is part of a run's identity. */
#include "config/load.h"
#include "base/xalloc.h"
#include "yaml/yamltree.h"

#include <stdlib.h>
#include <string.h>

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

static int read_policy_one(cfg *c, yaml_node_t *m, st_policy_spec *ps)
{
    static const char *const keys[] = {"name", "params", NULL};
    yaml_node_t *name = m;
    if (cfg_is_map(m)) {
        if (cfg_keys(c, m, keys, "a policy") ||
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
