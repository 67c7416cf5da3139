/* registry.h - checking a loaded scenario's policies against the registry,
 * for whoever loads a scenario to run or validate it (the scenario reader
 * knows no policies).  Private to strata's sources. */
#ifndef STRATA_POLICY_REGISTRY_H
#define STRATA_POLICY_REGISTRY_H

#include <stddef.h>
#include "strata/error.h"
#include "strata/scenario.h"

/* Every policy the scenario lists is known.  0, or -1 with err naming the
 * scenario file, the line and column where the policy was named (or "in
 * an override") and the known names. */
int st_policy_check_scenario(const st_scenario *sc, st_error *err);

/* Keeps only the named policies (st_scenario_select_policies) after
 * checking that each name is known. */
int st_policy_select(st_scenario *sc, const char *const *names, size_t n,
                     st_error *err);

#endif
