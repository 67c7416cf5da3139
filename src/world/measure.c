/* measure.c - the world's measurements (measure.h): per-outcome counters
 * and latencies, billing, Little's-law area, and the run's metric list.
 */
#include "world/measure.h"
#include "base/sort.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void measure_in_system(measure *m, double now, int delta)
{
    double lo = m->t_area, hi = now < m->end_s ? now : m->end_s;
    if (lo < m->warmup_s)
        lo = m->warmup_s;
    if (hi > lo)
        m->area += m->in_system * (hi - lo);
    m->t_area = now;
    m->in_system += delta;
}

static void push_value(double **a, size_t *n, size_t *cap, double v)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 4096;
        *a = st_xrealloc(*a, *cap * sizeof **a);
    }
    (*a)[(*n)++] = v;
}

/* The request log's record of one outcome.  Out of line: inlined, the
 * record made every outcome save registers, logged or not. */
__attribute__((noinline))
static void log_outcome(st_request_log *log, const st_scenario *sc,
                        const st_request *req, const st_decision *dec,
                        int ran, int done, int cold, st_outcome_kind kind,
                        double latency)
{
    st_request_rec rec = {
        .id = req->id, .device = req->device,
        .model = ran ? dec->model : -1,
        .node = ran ? dec->node : -1, .outcome = (uint8_t)kind,
        .offloaded = ran && dec->node != req->device_node,
        .cold = (uint8_t)cold, .arrival_s = req->arrival_s,
        .latency_s = latency, .slo_s = req->slo_s,
        .accuracy = ran ? sc->models[dec->model].accuracy : NAN,
        .estimate_s = dec->estimate_s,
        .attempts = (uint8_t)(req->attempt < 255 ? req->attempt : 255),
        .completed = done ? (uint8_t)(req->attempt < 255 ? req->attempt : 255) : 0};
    st_request_log_push(log, &rec);
}

void measure_outcome(measure *m, const st_scenario *sc, const st_request *req,
                     const st_decision *dec, int cold, st_outcome_kind kind,
                     double latency)
{
    int ran = !dec->drop && dec->model >= 0;
    int done = kind == ST_OUT_MET || kind == ST_OUT_MISSED;
    m->n_req++;
    m->n_out[kind]++;
    m->n_decided += req->attempt > 0;
    if (ran && dec->node != req->device_node)
        m->n_offloaded++;
    if (done) {
        push_value(&m->lat, &m->n_lat, &m->cap_lat, latency);
        m->sum_acc += sc->models[dec->model].accuracy;
        if (isfinite(dec->estimate_s))
            push_value(&m->est_err, &m->n_err, &m->cap_err,
                       fabs(latency - dec->estimate_s));
    }
    if (m->log)
        log_outcome(m->log, sc, req, dec, ran, done, cold, kind, latency);
}

void measure_sent(measure *m, const st_model *md)
{
    m->bytes_up += md->input_bytes;
    m->bytes_down += md->output_bytes;
}

void measure_charge(measure *m, const st_scenario *sc, const st_node_spec *ns,
                    const st_model *md, double busy_s, double price_per_s)
{
    if (price_per_s > 0 || ns->price_per_request > 0) {
        m->cost += busy_s * price_per_s + ns->price_per_request +
                   (md->input_bytes + md->output_bytes) / 1e9 * sc->price_per_gb;
        m->busy_priced += busy_s;
    }
}

static double pct(const double *sorted, size_t n, double p)
{
    return n ? gsl_stats_quantile_from_sorted_data(sorted, 1, n, p) * 1e3 : NAN;
}

/* Percentile p, in ms, of all n measured requests, the done completed
 * ones (sorted) ranked below the n - done censored ones (dropped or
 * unfinished: no latency, or one past the run).  Interpolated as GSL
 * does; NAN with *censored = 1 when the percentile touches a censored
 * request.  With nothing censored it is pct() exactly. */
static double censored_pct(const double *sorted, size_t done, size_t n,
                           double p, int *censored)
{
    *censored = 0;
    if (n == 0)
        return NAN;
    double idx = p * (double)(n - 1);
    size_t lhs = (size_t)idx;
    double delta = idx - (double)lhs;
    if (lhs >= done || (delta > 0 && lhs + 1 >= done)) {
        *censored = 1;
        return NAN;
    }
    if (lhs == n - 1 || delta == 0)
        return sorted[lhs] * 1e3;
    return ((1 - delta) * sorted[lhs] + delta * sorted[lhs + 1]) * 1e3;
}

/* latency_pXX_ms, and latency_pXX_censored: 1 when it is NAN because it
 * falls among the censored requests. */
static void add_percentile(measure *me, st_metrics *m, const char *name,
                           const char *flag, double p)
{
    int cens;
    st_metrics_add(m, name, censored_pct(me->lat, me->n_lat, me->n_req, p, &cens));
    st_metrics_add(m, flag, cens);
}

void measure_fill(measure *me, st_metrics *m)
{
    double n = (double)me->n_req, done = (double)me->n_lat;
    double window = me->end_s - me->warmup_s;
    st_sort_doubles(me->lat, me->n_lat);
    st_metrics_add(m, "requests", n);
    st_metrics_add(m, "slo_attainment", n ? me->n_out[ST_OUT_MET] / n : NAN);
    st_metrics_add(m, "mean_accuracy", done ? me->sum_acc / done : NAN);
    st_metrics_add(m, "latency_mean_ms",
                   done ? gsl_stats_mean(me->lat, 1, me->n_lat) * 1e3 : NAN);
    add_percentile(me, m, "latency_p50_ms", "latency_p50_censored", 0.50);
    add_percentile(me, m, "latency_p95_ms", "latency_p95_censored", 0.95);
    add_percentile(me, m, "latency_p99_ms", "latency_p99_censored", 0.99);
    st_metrics_add(m, "cost_usd", me->cost);
    st_metrics_add(m, "cost_per_1k_usd", n ? me->cost / n * 1000 : NAN);
    st_metrics_add(m, "priced_busy_s", me->busy_priced);
    /* over the requests the policy decided (dropping is a decision) */
    st_metrics_add(m, "offload_fraction",
                   me->n_decided ? me->n_offloaded / (double)me->n_decided : NAN);
    st_metrics_add(m, "requests_undecided", n - (double)me->n_decided);
    st_metrics_add(m, "model_loads", (double)me->n_loads);
    st_metrics_add(m, "realloc_loads", (double)me->n_realloc);
    st_metrics_add(m, "bytes_up", me->bytes_up);
    st_metrics_add(m, "bytes_down", me->bytes_down);
    st_metrics_add(m, "requests_met", (double)me->n_out[ST_OUT_MET]);
    st_metrics_add(m, "requests_missed", (double)me->n_out[ST_OUT_MISSED]);
    st_metrics_add(m, "requests_dropped", (double)me->n_out[ST_OUT_DROPPED]);
    st_metrics_add(m, "requests_unfinished", (double)me->n_out[ST_OUT_UNFINISHED]);
    st_metrics_add(m, "invalid_decisions", (double)me->n_invalid);
    st_metrics_add(m, "arrival_rate_per_s", window > 0 ? n / window : NAN);
    st_metrics_add(m, "mean_in_system", window > 0 ? me->area / window : NAN);
    /* Over completed measured requests whose policy gave an estimate. */
    st_sort_doubles(me->est_err, me->n_err);
    st_metrics_add(m, "estimate_mae_ms",
                   me->n_err ? gsl_stats_mean(me->est_err, 1, me->n_err) * 1e3 : NAN);
    st_metrics_add(m, "estimate_p95_abs_err_ms", pct(me->est_err, me->n_err, 0.95));
    st_metrics_add(m, "probe_bytes", me->probe_bytes);
}

void measure_free(measure *m)
{
    free(m->lat);
    free(m->est_err);
}
