/* metrics.c - the named-metric list and the per-request log (metrics.h). */
#include "strata/metrics.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void st_metrics_add(st_metrics *m, const char *name, double value)
{
    if (m->n < ST_METRICS_MAX)
        m->items[m->n++] = (st_metric){name, value};
    else
        abort();   /* a programming error: raise ST_METRICS_MAX */
}

double st_metrics_get(const st_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].name, name) == 0)
            return m->items[i].value;
    return NAN;
}

const char *st_outcome_name(st_outcome_kind k)
{
    static const char *names[] = {"met", "missed", "dropped", "unfinished"};
    return (unsigned)k < 4 ? names[k] : "?";
}

void st_request_log_push(st_request_log *log, const st_request_rec *r)
{
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 1024;
        log->recs = st_xrealloc(log->recs, log->cap * sizeof *log->recs);
    }
    log->recs[log->n++] = *r;
}

void st_request_log_free(st_request_log *log)
{
    free(log->recs);
    *log = (st_request_log){0};
}

void st_timeseries_push(st_timeseries *ts, int64_t slot, const char *name,
                        double value)
{
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 1024;
        ts->pts = st_xrealloc(ts->pts, ts->cap * sizeof *ts->pts);
    }
    ts->pts[ts->n++] = (st_ts_point){slot, name, value, NAN};
}

void st_timeseries_free(st_timeseries *ts)
{
    free(ts->pts);
    *ts = (st_timeseries){0};
}
