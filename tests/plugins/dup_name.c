/* dup_name.c - a plugin whose policy takes a built-in's name, which strata
 * must refuse (tests/plugin.sh). */
#include "strata/policy.h"

static void never(st_policy *p, const st_request *req, const st_view *v,
                  st_decision *out)
{
    (void)p, (void)req, (void)v;
    out->drop = 1;
}

static const st_policy_ops local_again = {.name = "local", .decide = never};
static const st_policy_ops *const mine[] = {&local_again, NULL};

ST_PLUGIN_EXPORT const st_plugin *strata_plugin(void)
{
    static const st_plugin p = {ST_PLUGIN_API_VERSION, "dup", mine};
    return &p;
}
