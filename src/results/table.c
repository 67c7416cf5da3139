/* table.c - the comparison table `strata run` prints (see report.h). */
#include "strata/report.h"

#include <math.h>
#include <string.h>

typedef struct column {
    const char *title;
    const char *metric;
    double scale;        /* e.g. 100 for a percentage */
    const char *fmt;     /* for one value */
} column;

static const column columns[] = {
    {"requests", "requests", 1, "%.0f"},
    {"SLO met %", "slo_attainment", 100, "%.1f"},
    {"accuracy", "mean_accuracy", 1, "%.3f"},
    {"p50 ms", "latency_p50_ms", 1, "%.0f"},
    {"p95 ms", "latency_p95_ms", 1, "%.0f"},
    {"p99 ms", "latency_p99_ms", 1, "%.0f"},
    {"cost $", "cost_usd", 1, "%.4f"},
    {"$/1k req", "cost_per_1k_usd", 1, "%.4f"},
    {"offload %", "offload_fraction", 100, "%.1f"},
    {"loads", "model_loads", 1, "%.0f"},
    {"est MAE ms", "estimate_mae_ms", 1, "%.0f"},
};

#define NCOL (sizeof columns / sizeof *columns)

static void cell(char *buf, size_t n, const column *c, const st_metrics *m)
{
    double v = st_metrics_get(m, c->metric);
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, c->fmt, v * c->scale);
}

void st_report_table(FILE *out, const char *const *labels,
                     const st_metrics *const *runs, size_t n)
{
    int wl = (int)strlen("policy");
    int w[NCOL];
    char buf[64];
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(labels[i]) > wl)
            wl = (int)strlen(labels[i]);
    for (size_t c = 0; c < NCOL; c++) {
        w[c] = (int)strlen(columns[c].title);
        for (size_t i = 0; i < n; i++) {
            cell(buf, sizeof buf, &columns[c], runs[i]);
            if ((int)strlen(buf) > w[c])
                w[c] = (int)strlen(buf);
        }
    }
    fprintf(out, "%-*s", wl, "policy");
    for (size_t c = 0; c < NCOL; c++)
        fprintf(out, "  %*s", w[c], columns[c].title);
    fputc('\n', out);
    for (int i = 0; i < wl; i++)
        fputc('-', out);
    for (size_t c = 0; c < NCOL; c++) {
        fputs("  ", out);
        for (int i = 0; i < w[c]; i++)
            fputc('-', out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%-*s", wl, labels[i]);
        for (size_t c = 0; c < NCOL; c++) {
            cell(buf, sizeof buf, &columns[c], runs[i]);
            fprintf(out, "  %*s", w[c], buf);
        }
        fputc('\n', out);
    }
}
