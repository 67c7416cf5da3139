/* measure.h - what the world measures over a run (private to src/world):
 * counters, latencies, cost and the time-average of requests in system
 * over the measured window [warmup, duration], turned into the run's
 * named metrics at the end.  Knows nothing of events, links or nodes.
 */
#ifndef STRATA_WORLD_MEASURE_H
#define STRATA_WORLD_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include "strata/metrics.h"
#include "strata/policy.h"
#include "strata/scenario.h"

typedef struct measure {
    double warmup_s, end_s;        /* the measured window */
    uint64_t n_req, n_out[4], n_offloaded, n_loads, n_invalid;
    uint64_t n_decided;            /* the policy was asked at least once */
    uint64_t n_realloc;            /* loads the policy asked for */
    double sum_acc, bytes_up, bytes_down, cost, busy_priced;
    double *lat;                   /* completed latencies, seconds */
    size_t n_lat, cap_lat;
    double *est_err;               /* |latency - estimate|, seconds */
    size_t n_err, cap_err;
    double probe_bytes;
    double in_system, area, t_area;   /* time-average of requests in system */
    st_request_log *log;           /* NULL: requests not logged */
} measure;

/* Advances the integral of requests in system to now, then adds delta
 * (+1 an arrival, -1 an outcome, 0 only advances). */
void measure_in_system(measure *m, double now, int delta);
/* One measured request's outcome (and its log record); offloaded when its
 * last decision sent it off its device. */
void measure_outcome(measure *m, const st_scenario *sc, const st_request *req,
                     const st_decision *dec, int cold, st_outcome_kind kind,
                     double latency);
/* An attempt of a measured request sent to a node other than its device
 * (bytes up and down). */
void measure_sent(measure *m, const st_model *md);
/* Bills a measured request that kept node ns busy busy_s billed seconds
 * at price_per_s (plus the node's price per request and the data). */
void measure_charge(measure *m, const st_scenario *sc, const st_node_spec *ns,
                    const st_model *md, double busy_s, double price_per_s);
/* Appends the run's metrics to out. */
void measure_fill(measure *m, st_metrics *out);
void measure_free(measure *m);

#endif
