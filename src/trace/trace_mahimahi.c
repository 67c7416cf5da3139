/* trace_mahimahi.c - Mahimahi packet traces: one integer millisecond
 * timestamp per 1500-byte delivery opportunity, binned into rates
 * (bin_ms wide), the trace's period its last timestamp. */
#include "trace/trace_read.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAHIMAHI_PACKET_BITS (1500.0 * 8.0)

typedef struct bins {
    double *count;       /* packets per bin */
    size_t n;            /* bins in use */
    size_t cap;
} bins;

/* Makes bin floor(ts / bin_ms) exist and returns its index in *idx. */
static int bins_reach(reader *r, bins *b, double ts, double bin_ms,
                      size_t *out)
{
    double q = floor(ts / bin_ms);
    /* Checked as a double: the quotient may not even fit a size_t. */
    if (!(q < MAX_SEGMENTS))
        return tr_fail_line(r, r->lineno, "timestamp %.0f ms needs more than "
                            "%u bins of %g ms, the limit for one trace (use a "
                            "wider bin)", ts, MAX_SEGMENTS, bin_ms);
    size_t idx = (size_t)q;
    if (idx >= b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= idx)
            cap *= 2;
        if (cap > MAX_SEGMENTS)
            cap = MAX_SEGMENTS;
        b->count = st_xreallocarray(b->count, cap, sizeof *b->count);
        memset(b->count + b->cap, 0, (cap - b->cap) * sizeof *b->count);
        b->cap = cap;
    }
    if (idx >= b->n)
        b->n = idx + 1;
    *out = idx;
    return 0;
}

static int parse_ms(reader *r, double *ts)
{
    const char *s = tr_skip_space(r->buf);
    const char *e = s;
    while (isdigit((unsigned char)*e))
        e++;
    char ex[72];
    if (e == s || *tr_skip_space(e) || e - s > 15)
        return tr_fail_line(r, r->lineno, "expected one whole number of "
                            "milliseconds (a Mahimahi packet time), got '%s'",
                            tr_excerpt(r->buf, ex));
    *ts = strtod(s, NULL);      /* <= 15 digits: exact in a double */
    return 0;
}

/* Turns packet counts into per-bin rates over a period of `period` ms. */
static int mahimahi_trace(reader *r, bins *b, double period, double bin_ms,
                          double at_period, const st_trace_opts *o,
                          st_trace **out)
{
    size_t nb = (size_t)ceil(period / bin_ms);
    while (nb > 1 && (double)(nb - 1) * bin_ms >= period)
        nb--;                           /* rounding in the division */
    /* The trace loops at `period`, so packets stamped exactly there belong
     * to the start of the next loop, i.e. bin 0. */
    size_t last_idx = (size_t)floor(period / bin_ms);
    b->count[last_idx] -= at_period;
    b->count[0] += at_period;
    for (size_t k = nb; k < b->n; k++)
        b->count[nb - 1] += b->count[k];    /* only rounding strays */

    double *t = st_xcalloc(nb, sizeof *t);
    /* Rates overwrite the counts in place: at the 50M-bin limit every
     * array saved is 400 MB. */
    for (size_t k = 0; k < nb; k++) {
        double lo = (double)k * bin_ms;
        double width = fmin(bin_ms, period - lo);
        t[k] = lo / 1e3;
        b->count[k] *= MAHIMAHI_PACKET_BITS / (width * 1e3);
    }
    samples s = { .t = t, .v = b->count, .n = nb, .cap = nb };
    b->count = NULL;                    /* now owned by s */
    int rc = tr_finish_samples(r, &s, period / 1e3, r->lineno, o, out);
    tr_samples_free(&s);
    return rc;
}

int tr_load_mahimahi(reader *r, const st_trace_opts *o, st_trace **out)
{
    double bin_ms = o->mahimahi_bin_ms > 0 ? o->mahimahi_bin_ms : 1.0;
    if (!isfinite(bin_ms))
        return st_error_set(r->err, "%s: the Mahimahi bin width must be a "
                            "positive number of ms", r->path);
    bins b = {0};
    double last = -1, at_last = 0;
    int rc;
    while ((rc = tr_next_data_line(r)) > 0) {
        double ts = 0;
        if ((rc = parse_ms(r, &ts)) < 0)
            break;
        if (ts < last) {
            rc = tr_fail_line(r, r->lineno, "timestamp %.0f ms is before "
                              "the previous line's %.0f ms; Mahimahi times "
                              "must not decrease", ts, last);
            break;
        }
        size_t idx = 0;
        if ((rc = bins_reach(r, &b, ts, bin_ms, &idx)) < 0)
            break;
        b.count[idx] += 1;
        at_last = ts == last ? at_last + 1 : 1;
        last = ts;
    }
    if (rc == 0 && last < 0)
        rc = tr_fail_empty(r);
    if (rc == 0 && last == 0)
        rc = tr_fail_line(r, r->lineno, "the last timestamp is 0 ms, so the "
                          "trace has no length (Mahimahi loops at its last "
                          "timestamp)");
    if (rc == 0)
        rc = mahimahi_trace(r, &b, last, bin_ms, at_last, o, out);
    free(b.count);
    return rc < 0 ? -1 : 0;
}
