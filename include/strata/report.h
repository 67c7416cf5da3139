/* report.h - human-readable tables of run results for the terminal. */
#ifndef STRATA_REPORT_H
#define STRATA_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "strata/metrics.h"

/* One row per run, labelled, with the headline metrics as columns:
 * requests, SLO attainment, mean accuracy, latency p50/p95/p99, cost,
 * cost per 1,000 requests, offload fraction, model loads. */
void st_report_table(FILE *out, const char *const *labels,
                     const st_metrics *const *runs, size_t n);

#endif
