/* registry.c - the table of known policies, looked up by name, and the
 * world-free checks of a scenario's policy choices (see registry.h).
 * Built-ins are listed here; plugins (plugin.c) add theirs at load time. */
#include "policy/registry.h"
#include "policy/plugin.h"

#include <string.h>

extern const st_policy_ops st_policy_local;
extern const st_policy_ops st_policy_cloud;
extern const st_policy_ops st_policy_infaas;
extern const st_policy_ops st_policy_layercake;
extern const st_policy_ops st_policy_oracle;
extern const st_policy_ops st_policy_infida;
extern const st_policy_ops st_policy_greedy;
extern const st_policy_ops st_policy_static;
extern const st_policy_ops st_policy_lru;
extern const st_policy_ops st_policy_lfu;

static const st_policy_ops *const builtins[] = {
    &st_policy_local,
    &st_policy_cloud,
    &st_policy_infaas,
    &st_policy_layercake,
    &st_policy_oracle,
    &st_policy_infida,
    &st_policy_greedy,
    &st_policy_static,
    &st_policy_lru,
    &st_policy_lfu,
};

#define N_BUILTIN (sizeof builtins / sizeof *builtins)
#define MAX_PLUGINS 64

static const st_policy_ops *plugins[MAX_PLUGINS];
static const char *plugin_files[MAX_PLUGINS];
static size_t n_plugins;

size_t st_policy_count(void) { return N_BUILTIN + n_plugins; }

const st_policy_ops *st_policy_at(size_t i)
{
    if (i < N_BUILTIN)
        return builtins[i];
    return i - N_BUILTIN < n_plugins ? plugins[i - N_BUILTIN] : NULL;
}

int st_policy_is_plugin(size_t i, const char **plugin)
{
    if (i < N_BUILTIN || i - N_BUILTIN >= n_plugins)
        return 0;
    *plugin = plugin_files[i - N_BUILTIN];
    return 1;
}

const st_policy_ops *st_policy_lookup(const char *name)
{
    for (size_t i = 0; i < st_policy_count(); i++)
        if (strcmp(st_policy_at(i)->name, name) == 0)
            return st_policy_at(i);
    return NULL;
}

int st_policy_register(const st_policy_ops *ops, const char *plugin,
                       st_error *err)
{
    const char *other = "strata (built in)";
    if (!ops->name || !*ops->name || !ops->decide)
        return st_error_set(err, "%s: a policy without a name or a decide "
                            "function", plugin);
    for (size_t i = 0; i < st_policy_count(); i++)
        if (strcmp(st_policy_at(i)->name, ops->name) == 0) {
            st_policy_is_plugin(i, &other);
            return st_error_set(err, "%s: policy '%s' is already defined by "
                                "%s", plugin, ops->name, other);
        }
    if (n_plugins == MAX_PLUGINS)
        return st_error_set(err, "%s: more than %d plugin policies", plugin,
                            MAX_PLUGINS);
    plugin_files[n_plugins] = plugin;
    plugins[n_plugins++] = ops;
    return 0;
}

void st_policy_state_size(const st_policy_ops *ops, const st_scenario *sc,
                          const st_params *params, st_state_size *out)
{
    *out = (st_state_size){.per_device = ST_STATE_DEFAULT_PER_DEVICE,
                           .per_model_slot = ST_STATE_DEFAULT_PER_MODEL_SLOT,
                           .per_request = ST_STATE_DEFAULT_PER_REQUEST};
    if (ops->state_size)
        ops->state_size(sc, params, out);
}

double st_state_size_total(const st_state_size *s, const st_scenario *sc,
                           double requests)
{
    double nd = (double)sc->n_devices, nn = (double)sc->n_nodes;
    return s->fixed + s->per_device * nd + s->per_node * nn +
           s->per_model_slot * (nd + nn) * (double)sc->n_models +
           s->per_request * requests;
}

/* "unknown policy 'x'; expected one of: a, b, ..." */
static int unknown_policy(const st_policy_spec *ps, const char *file,
                          st_error *err)
{
    const char *names[ST_MAX_POLICIES + N_BUILTIN + MAX_PLUGINS + 1] = {NULL};
    char list[512];
    for (size_t i = 0; i < st_policy_count(); i++)
        names[i] = st_policy_at(i)->name;
    st_error_join(list, sizeof list, names);
    if (!ps->line)
        return st_error_at(err, file, 0, 0, "in an override: unknown "
                           "policy '%s'; expected one of: %s", ps->name, list);
    return st_error_at(err, file, ps->line, ps->col, "unknown policy '%s'; "
                       "expected one of: %s", ps->name, list);
}

int st_policy_check_spec(const st_policy_spec *ps, const char *file,
                         st_error *err)
{
    const st_policy_ops *ops = st_policy_lookup(ps->name);
    if (!ops)
        return unknown_policy(ps, file, err);
    return st_params_validate(&ps->params, ops->name, ops->params, err);
}

/* The scenario's own plugins, before its policy names are checked. */
static int load_plugins(const st_scenario *sc, st_error *err)
{
    st_error perr;
    for (size_t i = 0; i < sc->n_plugins; i++) {
        const st_plugin_spec *ps = &sc->plugins[i];
        if (st_plugin_load_expect(ps->path, ps->sha256, &perr))
            return st_error_at(err, sc->file, ps->line, ps->col, "plugin: %s",
                               perr.msg);
    }
    return 0;
}

int st_policy_check_names(const st_scenario *sc, st_error *err)
{
    if (load_plugins(sc, err))
        return -1;
    for (size_t p = 0; p < sc->n_policies; p++)
        if (!st_policy_lookup(sc->policies[p].name))
            return unknown_policy(&sc->policies[p], sc->file, err);
    return 0;
}

int st_policy_check_scenario(const st_scenario *sc, st_error *err)
{
    for (size_t p = 0; p < sc->n_policies; p++)
        if (st_policy_check_spec(&sc->policies[p], sc->file, err))
            return -1;
    return 0;
}

static int named_before(const char *const *names, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(names[i], names[j]) == 0)
            return 1;
    return 0;
}

int st_policy_select(st_scenario *sc, const char *const *names, size_t n,
                     st_error *err)
{
    /* Names in order, so the first problem is reported: an unknown name,
     * or (by st_scenario_select_policies) a repeated one. */
    for (size_t i = 0; i < n && n <= ST_MAX_POLICIES; i++) {
        if (named_before(names, i))
            break;
        if (!st_policy_lookup(names[i]))
            return st_error_set(err, "unknown policy '%s' (see 'strata run "
                                "--help' for the list)", names[i]);
    }
    return st_scenario_select_policies(sc, names, n, err);
}
