/* plugin.h - loading policy plugins: shared objects that export the entry
 * point of strata/policy.h (ST_PLUGIN_ENTRY) and add their policies to the
 * registry.  Private to strata.
 *
 * Plugins come from `--plugin FILE` (run, sweep, check, validate, policy),
 * from STRATA_PLUGIN_PATH (a colon-separated list of files, or directories
 * whose *.so files are all loaded, in name order) and from a scenario's
 * `plugins:` key.  Loading a file a second time (by any name) does
 * nothing.  Every loaded plugin is recorded with its SHA-256, so a run's
 * stored configuration says exactly what code decided it.
 */
#ifndef STRATA_POLICY_PLUGIN_H
#define STRATA_POLICY_PLUGIN_H

#include <stddef.h>
#include "strata/error.h"

/* Loads one plugin.  0, or -1 with a message naming the file and what is
 * wrong: it does not exist, it is not a shared object, it does not export
 * the entry point, it was built for another plugin API version, or one of
 * its policies has the name of a policy already known. */
int st_plugin_load(const char *path, st_error *err);
/* The same, refusing a file whose SHA-256 is not sha256 (hex; NULL: any),
 * as a scenario that pins its plugin asks. */
int st_plugin_load_expect(const char *path, const char *sha256,
                          st_error *err);
/* Loads every plugin STRATA_PLUGIN_PATH names (nothing if it is unset). */
int st_plugin_load_env(st_error *err);

/* The plugins loaded so far, in load order. */
typedef struct st_plugin_info {
    const char *path;       /* as resolved (realpath) */
    const char *name;       /* the plugin's own name */
    char sha256[65];        /* of the file, hex */
} st_plugin_info;
size_t st_plugin_count(void);
const st_plugin_info *st_plugin_at(size_t i);

/* The SHA-256 of the plugin that defines the policy; NULL for a built-in
 * (or an unknown name). */
const char *st_plugin_sha256_of(const char *policy);

/* Appends a comment naming each loaded plugin's path and SHA-256 to text
 * (a YAML document's text, owned by the caller, reallocated), so the text
 * still loads as the same scenario; does nothing when none is loaded. */
void st_plugin_describe(char **text);

#endif
