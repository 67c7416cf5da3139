/* size.h - how much a scenario's workload makes, computed from the loaded
 * scenario alone: what the scenario reader bounds before accepting it and
 * what the world's memory bound (world/bound.c) is built from. */
#ifndef STRATA_CONFIG_SIZE_H
#define STRATA_CONFIG_SIZE_H

#include "strata/scenario.h"

/* The requests the whole workload makes over the run (devices x rate x
 * duration; a file's times, per device), and a bound on how many are in
 * flight at once: those arriving within one drain period (at least 1 s),
 * never more than the total. */
void conf_workload_size(const st_scenario *sc, double *requests,
                        double *live);

#endif
