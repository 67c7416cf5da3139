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

#define MAX_POLICIES 64

static const st_policy_ops *table[MAX_POLICIES] = {
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
static size_t count = 10;

const st_policy_ops *st_policy_lookup(const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

size_t st_policy_count(void) { return count; }

const st_policy_ops *st_policy_at(size_t i)
{
    return i < count ? table[i] : NULL;
}

int st_policy_register(const st_policy_ops *ops)
{
    if (count == MAX_POLICIES || st_policy_lookup(ops->name))
        return -1;
    table[count++] = ops;
    return 0;
}
