/* registry.c - the table of known policies, looked up by name.  Built-ins
 * are listed here; plugins add themselves with st_policy_register. */
#include "strata/policy.h"

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
static size_t n_plugins;

size_t st_policy_count(void) { return N_BUILTIN + n_plugins; }

const st_policy_ops *st_policy_at(size_t i)
{
    if (i < N_BUILTIN)
        return builtins[i];
    return i - N_BUILTIN < n_plugins ? plugins[i - N_BUILTIN] : NULL;
}

const st_policy_ops *st_policy_lookup(const char *name)
{
    for (size_t i = 0; i < st_policy_count(); i++)
        if (strcmp(st_policy_at(i)->name, name) == 0)
            return st_policy_at(i);
    return NULL;
}

int st_policy_register(const st_policy_ops *ops)
{
    if (n_plugins == MAX_PLUGINS || st_policy_lookup(ops->name))
        return -1;
    plugins[n_plugins++] = ops;
    return 0;
}
