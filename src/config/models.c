/* models.c - the `models` (the model zoo, and the tasks they name) and
 * `hardware` (per-model execution, load and memory profiles) sections of a
 * scenario. */
#include "config/load.h"
#include "config/keys.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <string.h>

static int task_index(st_scenario *sc, const char *task)
{
    for (size_t i = 0; i < sc->n_tasks; i++)
        if (strcmp(sc->tasks[i], task) == 0)
            return (int)i;
    sc->tasks = st_xrealloc(sc->tasks, (sc->n_tasks + 1) * sizeof *sc->tasks);
    sc->tasks[sc->n_tasks] = st_xstrdup(task);
    return (int)sc->n_tasks++;
}

const cfg_key conf_keys_model[] = {
    {"name", "string", NULL, NULL, CFG_NOTE("unique"), "the model's name"},
    {"task", "string", NULL, NULL, CFG_ANY, "the task it serves (models of "
     "one task are alternatives)"},
    {"accuracy", "number", NULL, NULL, CFG_NUM(0, 1), "top-1 accuracy"},
    {"size_mb", "number", "MB", "0", CFG_NUM(0, 1e7), "size, for memory "
     "budgets and loads"},
    {"input_bytes", "number", "bytes", "0", CFG_NUM(0, 1e12), "bytes a "
     "request sends up"},
    {"output_bytes", "number", "bytes", "0", CFG_NUM(0, 1e12), "bytes a "
     "result brings back"},
    CFG_KEYS_END};

static int read_model(cfg *c, yaml_node_t *m, st_scenario *sc, st_model *md)
{
    const char *task;
    yaml_node_t *tn, *an;
    if (cfg_keys_in(c, m, conf_keys_model, "a model") ||
        conf_read_name(c, m, "a model", &md->name))
        return -1;
    if (!(tn = cfg_need(c, m, "task", "a model")) || cfg_str(c, tn, "task", &task) ||
        !(an = cfg_need(c, m, "accuracy", "a model")) ||
        cfg_key_value(c, an, conf_keys_model, "accuracy", &md->accuracy))
        return -1;
    md->task = task_index(sc, task);
    const cfg_key *k = conf_keys_model;
    return cfg_opt_value(c, m, k, "size_mb", &md->size_mb) ||
           cfg_opt_value(c, m, k, "input_bytes", &md->input_bytes) ||
           cfg_opt_value(c, m, k, "output_bytes", &md->output_bytes);
}

int conf_read_models(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = conf_named_list(c, root, "models", 1, &fail);
    if (fail)
        return -1;
    if (conf_seq_len(l) > ST_MAX_MODELS)
        return cfg_fail(c, l, "more than %d models", ST_MAX_MODELS);
    sc->n_models = conf_seq_len(l);
    sc->models = st_xcalloc(sc->n_models, sizeof *sc->models);
    for (size_t i = 0; i < sc->n_models; i++)
        if (read_model(c, conf_seq_at(c, l, i), sc, &sc->models[i]))
            return -1;
    return conf_check_unique(c, l, CONF_NAMES(sc->models), sc->n_models, "model");
}

/* --- hardware --- */

const cfg_key conf_keys_profile[] = {
    {"exec", "time or distribution", "s", "-", CFG_NOTE(">= 0"), "execution "
     "time (give exec or exec_ms)"},
    {"exec_ms", "number", "ms", "-", CFG_TIME(0, 1e6), "a constant execution "
     "time"},
    {"load", "time", "s", "0", CFG_TIME(0, 1e6), "cold-start time to load "
     "the model"},
    {"load_ms", "number", "ms", "0", CFG_TIME(0, 1e6), "the same in ms"},
    {"memory_mb", "number", "MB", "the model's size_mb", CFG_NUM(0, 1e9),
     "resident footprint"},
    CFG_KEYS_END};

const cfg_key conf_keys_hardware[] = {
    {"name", "string", NULL, NULL, CFG_NOTE("unique"), "the hardware's name, "
     "which nodes and devices refer to"},
    {"profiles", "mapping", NULL, NULL, CFG_NOTE("model name: profile"),
     "per model it can run, its profile (below); a model not listed cannot "
     "run here"},
    CFG_KEYS_END};

static int read_profile(cfg *c, yaml_node_t *m, const char *model,
                        st_profile *p)
{
    char what[160];
    snprintf(what, sizeof what, "the profile of '%s'", model);
    if (cfg_keys_in(c, m, conf_keys_profile, what))
        return -1;
    yaml_node_t *e = cfg_get(c, m, "exec"), *ems = cfg_get(c, m, "exec_ms");
    if (e && ems)
        return cfg_fail(c, ems, "give either 'exec' or 'exec_ms', not both");
    if (ems) {
        double v;
        if (cfg_key_value(c, ems, conf_keys_profile, "exec_ms", &v))
            return -1;
        p->exec_s = st_dist_const(v);
    } else if (!e) {
        return cfg_fail(c, m, "missing 'exec' (a time or distribution) or "
                        "'exec_ms' in %s", what);
    } else if (cfg_time_dist(c, e, "exec", &p->exec_s)) {
        return -1;
    }
    const cfg_key *k = conf_keys_profile;
    if (cfg_opt_value(c, m, k, "load", &p->load_s) ||
        cfg_opt_value(c, m, k, "load_ms", &p->load_s) ||
        cfg_opt_value(c, m, k, "memory_mb", &p->memory_mb))
        return -1;
    p->present = 1;
    return 0;
}

static int read_hardware_one(cfg *c, yaml_node_t *h, st_scenario *sc,
                             st_hardware *hw)
{
    if (cfg_keys_in(c, h, conf_keys_hardware, "a hardware entry") ||
        conf_read_name(c, h, "a hardware entry", &hw->name))
        return -1;
    hw->per_model = st_xcalloc(sc->n_models, sizeof *hw->per_model);
    yaml_node_t *pm = cfg_need(c, h, "profiles", "a hardware entry");
    if (!pm || cfg_expect_map(c, pm, "profiles"))
        return -1;
    for (yaml_node_pair_t *p = pm->data.mapping.pairs.start;
         p < pm->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(c, p->key);
        int mi = -1;
        if (conf_ref(c, k, "model", CONF_NAMES(sc->models), sc->n_models, &mi))
            return -1;
        if (hw->per_model[mi].present)
            return cfg_fail(c, k, "duplicate profile for model '%s'",
                            sc->models[mi].name);
        if (read_profile(c, cfg_node(c, p->value), sc->models[mi].name,
                         &hw->per_model[mi]))
            return -1;
        if (hw->per_model[mi].memory_mb == 0)
            hw->per_model[mi].memory_mb = sc->models[mi].size_mb;
    }
    return 0;
}

int conf_read_hardware(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = conf_named_list(c, root, "hardware", 1, &fail);
    if (fail)
        return -1;
    sc->n_hardware = conf_seq_len(l);
    sc->hardware = st_xcalloc(sc->n_hardware, sizeof *sc->hardware);
    for (size_t i = 0; i < sc->n_hardware; i++)
        if (read_hardware_one(c, conf_seq_at(c, l, i), sc, &sc->hardware[i]))
            return -1;
    return conf_check_unique(c, l, CONF_NAMES(sc->hardware), sc->n_hardware, "hardware");
}
