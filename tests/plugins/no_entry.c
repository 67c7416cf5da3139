/* no_entry.c - a shared object that does not export strata's entry point,
 * which strata must refuse (tests/plugin.sh). */
#include "strata/policy.h"

ST_PLUGIN_EXPORT int not_the_entry_point(void);
ST_PLUGIN_EXPORT int not_the_entry_point(void) { return 42; }
