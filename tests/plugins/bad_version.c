/* bad_version.c - a plugin built for another plugin API version, which
 * strata must refuse (tests/plugin.sh). */
#include "strata/policy.h"

static const st_policy_ops *const none[] = {NULL};

ST_PLUGIN_EXPORT const st_plugin *strata_plugin(void)
{
    static const st_plugin p = {ST_PLUGIN_API_VERSION + 98, "future", none};
    return &p;
}
