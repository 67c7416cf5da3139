/* metrics.h - what one run measured: named scalar metrics, and optionally
 * one record per request.  Produced by the world, consumed by the store and
 * the CLI; neither side needs to know the other.
 */
#ifndef STRATA_METRICS_H
#define STRATA_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define ST_METRICS_MAX 64

typedef struct st_metric {
    const char *name;   /* static string, snake_case with unit suffix */
    double value;
} st_metric;

typedef struct st_metrics {
    size_t n;
    st_metric items[ST_METRICS_MAX];
} st_metrics;

void st_metrics_add(st_metrics *m, const char *name, double value);
/* NaN when absent. */
double st_metrics_get(const st_metrics *m, const char *name);

typedef enum st_outcome_kind {
    ST_OUT_MET,         /* completed within SLO (and accuracy floor) */
    ST_OUT_MISSED,      /* completed, but late or below the floor */
    ST_OUT_DROPPED,     /* the policy refused it, or it cannot be served */
    ST_OUT_UNFINISHED   /* still in flight when the run ended */
} st_outcome_kind;

const char *st_outcome_name(st_outcome_kind k);

typedef struct st_request_rec {
    uint64_t id;
    int32_t device;       /* device instance */
    int32_t model;        /* -1 when dropped before a choice */
    int32_t node;         /* where it ran; -1 when dropped */
    uint8_t outcome;      /* st_outcome_kind */
    uint8_t offloaded;    /* ran somewhere other than its own device */
    uint8_t cold;         /* paid a model load */
    uint8_t attempts;     /* attempts decided (0: never decided), at most
                             255 counted */
    uint8_t completed;    /* the attempt that completed (always the last:
                             one attempt is live at a time); 0: none */
    double arrival_s;
    double latency_s;     /* NaN unless completed */
    double slo_s;
    double accuracy;      /* of the chosen model; NaN when dropped */
    double estimate_s;    /* the policy's estimate, NaN if it gave none */
} st_request_rec;

typedef struct st_request_log {
    size_t n, cap;
    st_request_rec *recs;
} st_request_log;

void st_request_log_push(st_request_log *log, const st_request_rec *r);
void st_request_log_free(st_request_log *log);

/* Named values per slot that a policy records as the run goes (the
 * `timeseries` table): each (slot, name) at most once.  Names are not
 * copied: they must outlive the run (string literals). */
typedef struct st_ts_point {
    int64_t slot;
    const char *name;
    double value;         /* NaN: not measured */
    double t_s;           /* simulated time it was recorded (the slot's
                           * end, for a policy ticked per slot) */
} st_ts_point;

typedef struct st_timeseries {
    size_t n, cap;
    st_ts_point *pts;
} st_timeseries;

void st_timeseries_push(st_timeseries *ts, int64_t slot, const char *name,
                        double value);
void st_timeseries_free(st_timeseries *ts);

#endif
