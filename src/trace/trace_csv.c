/* trace_csv.c - CSV traces with a header: the throughput column named
 * (or the first whose name says throughput or mbps), its unit taken from
 * the name's suffix (_mbps, _kbps, _bps), and a time column when one is
 * named (else rows a step apart, 1 s by default). */
#include "trace/trace_read.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct fields {
    char **f;
    size_t n, cap;
} fields;

/* Splits a CSV line in place (RFC 4180 quoting, surrounding spaces
 * trimmed). */
static int split_csv(reader *r, char *line, fields *fs)
{
    fs->n = 0;
    char *s = line;
    for (;;) {
        if (fs->n == fs->cap) {
            size_t cap = fs->cap ? fs->cap * 2 : 16;
            fs->f = st_xreallocarray(fs->f, cap, sizeof *fs->f);
            fs->cap = cap;
        }
        while (*s == ' ' || *s == '\t')
            s++;
        char *w = s, *start = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    return tr_fail_line(r, r->lineno, "unterminated quoted "
                                        "field");
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
            while (*s && *s != ',')
                s++;                    /* junk after the closing quote */
        } else {
            while (*s && *s != ',')
                *w++ = *s++;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
                w--;
        }
        int more = *s == ',';
        *w = '\0';
        fs->f[fs->n++] = start;
        if (!more)
            return 0;
        s++;
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
    size_t m = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, m) == 0)
            return 1;
    return 0;
}

/* Multiplier taking the column's unit (from its name) to Mbit/s; a name
 * without a unit suffix is taken to be in Mbit/s. */
static double unit_to_mbps(const char *name)
{
    if (ends_with(name, "_mbps"))
        return 1.0;
    if (ends_with(name, "_kbps"))
        return 1e-3;
    if (ends_with(name, "_bps"))
        return 1e-6;
    return 1.0;
}

static void list_columns(const fields *fs, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < fs->n && o + 1 < size; i++) {
        int w = snprintf(out + o, size - o, "%s%s", i ? ", " : "",
                         fs->f[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

static int find_column(reader *r, const fields *fs, const char *want,
                       int guess, size_t *idx)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (want && strcmp(fs->f[i], want) == 0)
            goto found;
        if (!want && guess && (contains_ci(fs->f[i], "throughput")
                               || contains_ci(fs->f[i], "mbps")))
            goto found;
        continue;
    found:
        *idx = i;
        return 0;
    }
    char cols[512];
    list_columns(fs, cols, sizeof cols);
    if (want)
        return tr_fail_line(r, r->lineno, "no column named '%s' (columns: %s)",
                            want, cols);
    return tr_fail_line(r, r->lineno, "no column name in this CSV header "
                        "contains 'throughput' or 'mbps'; choose one with "
                        "--column (columns: %s)", cols);
}

typedef struct csv_plan {
    size_t rate_col, time_col;
    int timed;
    double to_mbps;
    char rate_name[256];
} csv_plan;

static int csv_header(reader *r, const st_trace_opts *o, fields *fs,
                      csv_plan *p)
{
    int rc = tr_next_data_line(r);
    if (rc <= 0)
        return rc < 0 ? -1 : tr_fail_empty(r);
    if (split_csv(r, r->buf, fs) < 0
        || find_column(r, fs, o->column, 1, &p->rate_col) < 0)
        return -1;
    snprintf(p->rate_name, sizeof p->rate_name, "%s", fs->f[p->rate_col]);
    p->to_mbps = unit_to_mbps(p->rate_name);
    p->timed = o->time_column != NULL;
    if (p->timed && find_column(r, fs, o->time_column, 0, &p->time_col) < 0)
        return -1;
    return 0;
}

static int csv_value(reader *r, const fields *fs, size_t col,
                     const char *name, double *out)
{
    char ex[72];
    if (col >= fs->n)
        return tr_fail_line(r, r->lineno, "row has %zu fields, so no column "
                            "'%s' (field %zu)", fs->n, name, col + 1);
    const char *v = fs->f[col];
    if (!*v)
        return tr_fail_line(r, r->lineno, "column '%s' is empty", name);
    if (tr_parse_number(v, strlen(v), out) < 0)
        return tr_fail_line(r, r->lineno, "column '%s': expected a number, "
                            "got '%s'", name, tr_excerpt(v, ex));
    return 0;
}

static int csv_rows(reader *r, const st_trace_opts *o, fields *fs,
                    const csv_plan *p, double step, samples *s,
                    size_t *last_line)
{
    int rc;
    while ((rc = tr_next_data_line(r)) > 0) {
        double t = (double)s->n * step, v;
        if (split_csv(r, r->buf, fs) < 0
            || csv_value(r, fs, p->rate_col, p->rate_name, &v) < 0)
            return -1;
        if (p->timed && csv_value(r, fs, p->time_col, o->time_column, &t) < 0)
            return -1;
        /* Untimed rows are checked too: a huge --step overflows the span. */
        v *= p->to_mbps;
        if (tr_check_time(r, s, t) < 0 || tr_check_rate(r, v, p->rate_name) < 0
            || tr_samples_push(r, s, t, v) < 0)
            return -1;
        *last_line = r->lineno;
    }
    return rc;
}

int tr_load_csv(reader *r, const st_trace_opts *o, st_trace **out)
{
    double step = o->step_s > 0 ? o->step_s : 1.0;
    if (!isfinite(step))
        return st_error_set(r->err, "%s: the CSV row step must be a "
                            "positive number of seconds", r->path);
    fields fs = {0};
    samples s = {0};
    csv_plan p;
    size_t last_line = 0;
    double duration = 0;
    int rc = csv_header(r, o, &fs, &p);
    if (rc == 0)
        rc = csv_rows(r, o, &fs, &p, step, &s, &last_line);
    if (rc == 0 && s.n == 0)
        rc = tr_fail_empty(r);
    if (rc == 0 && p.timed)
        rc = tr_timed_duration(r, &s, last_line, &duration);
    else if (rc == 0)
        duration = (double)s.n * step;
    if (rc == 0)
        rc = tr_finish_samples(r, &s, duration, last_line, o, out);
    tr_samples_free(&s);
    free(fs.f);
    return rc < 0 ? -1 : 0;
}
