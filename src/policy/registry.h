/* registry.h - the table of known policies: the built-ins and those that
 * plugins added, looked up by name, and the checks of a scenario's policy
 * choices that need no world (the name exists, the parameters fit the
 * policy's declared table).  Private to strata; a plugin adds its policies
 * through its entry point (strata/policy.h), not through these calls. */
#ifndef STRATA_POLICY_REGISTRY_H
#define STRATA_POLICY_REGISTRY_H

#include <stddef.h>
#include "strata/policy.h"

/* The policy of that name, or NULL. */
const st_policy_ops *st_policy_lookup(const char *name);
/* Built-ins first, in the registry's order, then plugins' in load order. */
size_t st_policy_count(void);
const st_policy_ops *st_policy_at(size_t i);
/* 1 if the policy came from a plugin; then *plugin is the file. */
int st_policy_is_plugin(size_t i, const char **plugin);
/* Adds a policy that `plugin` (a file name, for messages) provides.  0, or
 * -1 with err set when the name is taken or the table is full. */
int st_policy_register(const st_policy_ops *ops, const char *plugin,
                       st_error *err);

/* What the policy declares its state takes in a run of sc with params
 * (its state_size), or the default (ST_STATE_DEFAULT_*) when it declares
 * nothing. */
void st_policy_state_size(const st_policy_ops *ops, const st_scenario *sc,
                          const st_params *params, st_state_size *out);
/* Those parts summed for sc, with `requests` requests over the run. */
double st_state_size_total(const st_state_size *s, const st_scenario *sc,
                           double requests);

/* Checks one of a scenario's policy choices without building a world: the
 * policy exists and its parameters are declared, of the right type and in
 * range.  Errors name the scenario's file:line. */
int st_policy_check_spec(const st_policy_spec *ps, const char *file,
                         st_error *err);
/* Loads the plugins the scenario names (its 'plugins' key), then checks
 * only that every policy the scenario names exists: what loading a
 * scenario checks, so that a point of a sweep whose parameters are wrong
 * is still stored as a failed run.  Errors name the scenario file, the
 * line and column (or "in an override") and the known names. */
int st_policy_check_names(const st_scenario *sc, st_error *err);
/* The full check (names and parameters) for every policy of the scenario. */
int st_policy_check_scenario(const st_scenario *sc, st_error *err);

/* Keeps only the named policies (st_scenario_select_policies) after
 * checking that each name is known. */
int st_policy_select(st_scenario *sc, const char *const *names, size_t n,
                     st_error *err);

#endif
