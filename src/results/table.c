/* table.c - the comparison table `strata run` prints (see report.h). */
#include "results/report.h"

#include <math.h>
#include <string.h>

typedef struct column {
    const char *title;
    const char *metric;
    double scale;        /* e.g. 100 for a percentage */
    const char *fmt;     /* for one value */
    int optional;        /* shown only when some run has it, not 0 */
    const char *per;     /* the value is divided by this metric's */
    const char *censor;  /* this metric is 1: the value is censored */
} column;

static const column columns[] = {
    {"requests", "requests", 1, "%.0f", 0, NULL, NULL},
    {"SLO met %", "slo_attainment", 100, "%.1f", 0, NULL, NULL},
    {"accuracy", "mean_accuracy", 1, "%.3f", 0, NULL, NULL},
    {"unfin %", "requests_unfinished", 100, "%.1f", 0, "requests", NULL},
    /* a percentile among the dropped and unfinished requests: above every
     * completed latency, not known beyond that the run (with its drain)
     * ended first */
    {"p50 ms", "latency_p50_ms", 1, "%.0f", 0, NULL, "latency_p50_censored"},
    {"p95 ms", "latency_p95_ms", 1, "%.0f", 0, NULL, "latency_p95_censored"},
    {"p99 ms", "latency_p99_ms", 1, "%.0f", 0, NULL, "latency_p99_censored"},
    {"cost $", "cost_usd", 1, "%.4f", 0, NULL, NULL},
    {"$/1k req", "cost_per_1k_usd", 1, "%.4f", 0, NULL, NULL},
    {"offload %", "offload_fraction", 100, "%.1f", 0, NULL, NULL},
    {"loads", "model_loads", 1, "%.0f", 0, NULL, NULL},
    {"est MAE ms", "estimate_mae_ms", 1, "%.0f", 0, NULL, NULL},
    /* the IDN policies' time-averaged gain per slot (cost-seconds saved
     * against the repository), as a share of the static allocation's, and
     * the loads their reallocations caused */
    {"gain/slot", "idn_gain_per_slot", 1, "%.1f", 1, NULL, NULL},
    {"vs static", "idn_gain_vs_static", 1, "%.3f", 1, NULL, NULL},
    {"reloads", "realloc_loads", 1, "%.0f", 1, NULL, NULL},
};

#define NCOL (sizeof columns / sizeof *columns)

static int shown(const column *c, const st_metrics *const *runs, size_t n)
{
    for (size_t i = 0; !c->optional || i < n; i++) {
        if (!c->optional)
            return 1;
        double v = st_metrics_get(runs[i], c->metric);
        if (!isnan(v) && v != 0)
            return 1;
    }
    return 0;
}

static void cell(char *buf, size_t n, const column *c, const st_metrics *m)
{
    double v = st_metrics_get(m, c->metric);
    if (c->per)
        v /= st_metrics_get(m, c->per);
    if (isnan(v) && c->censor && st_metrics_get(m, c->censor) == 1)
        snprintf(buf, n, ">drain");
    else if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, c->fmt, v * c->scale);
}

void st_report_table(FILE *out, const char *const *labels,
                     const st_metrics *const *runs, size_t n)
{
    int wl = (int)strlen("policy");
    int w[NCOL], show[NCOL];
    char buf[64];
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(labels[i]) > wl)
            wl = (int)strlen(labels[i]);
    for (size_t c = 0; c < NCOL; c++) {
        show[c] = shown(&columns[c], runs, n);
        w[c] = (int)strlen(columns[c].title);
        for (size_t i = 0; i < n; i++) {
            cell(buf, sizeof buf, &columns[c], runs[i]);
            if ((int)strlen(buf) > w[c])
                w[c] = (int)strlen(buf);
        }
    }
    fprintf(out, "%-*s", wl, "policy");
    for (size_t c = 0; c < NCOL; c++)
        if (show[c])
            fprintf(out, "  %*s", w[c], columns[c].title);
    fputc('\n', out);
    for (int i = 0; i < wl; i++)
        fputc('-', out);
    for (size_t c = 0; c < NCOL; c++) {
        if (!show[c])
            continue;
        fputs("  ", out);
        for (int i = 0; i < w[c]; i++)
            fputc('-', out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%-*s", wl, labels[i]);
        for (size_t c = 0; c < NCOL; c++) {
            if (!show[c])
                continue;
            cell(buf, sizeof buf, &columns[c], runs[i]);
            fprintf(out, "  %*s", w[c], buf);
        }
        fputc('\n', out);
    }
}
