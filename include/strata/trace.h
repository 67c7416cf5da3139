/* trace.h - bandwidth traces: loading, exact transfer times, statistics,
 * synthesis.
 *
 * A trace is a piecewise-constant rate r(t) in bits/s over one period
 * [0, duration).  Segment i covers [start[i], start[i+1]) (the last one
 * ends at duration) at rate bps[i]; cum[i] is the number of bits the trace
 * delivers over [0, start[i]) and cum[n] the bits of one whole period.
 * A transfer of B bits starting at t0 ends at the t1 solving
 *     integral_{t0}^{t1} r(t) dt = B,
 * found with the prefix sums and a binary search (O(log n)), wrapping
 * around when the trace loops.  A trace that is zero everywhere is an
 * input error and is rejected at load time.
 */
#ifndef STRATA_TRACE_H
#define STRATA_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "strata/error.h"

typedef enum st_trace_format {
    ST_TRACE_AUTO,      /* guess from the contents (see st_trace_load) */
    ST_TRACE_NATIVE,    /* "time_s mbps" per line, time from 0 */
    ST_TRACE_COOKED,    /* Pensieve/HSDPA/FCC cooked: same columns, time
                           may start anywhere and is shifted to 0 */
    ST_TRACE_MAHIMAHI,  /* one integer ms timestamp per 1500-byte packet */
    ST_TRACE_CSV        /* CSV with a header; a named throughput column */
} st_trace_format;

typedef struct st_trace_opts {
    st_trace_format format;
    const char *column;      /* CSV: throughput column (default: the first
                                whose name contains "throughput" or "mbps") */
    const char *time_column; /* CSV: time column in seconds; NULL = rows
                                are step_s apart */
    double step_s;           /* CSV without time column; default 1 s */
    double mahimahi_bin_ms;  /* Mahimahi: bin width; default 1 ms (exact) */
    int no_loop;             /* if set, the last rate holds forever */
} st_trace_opts;

typedef struct st_trace {
    char *name;        /* the path it came from, or a label */
    size_t n;          /* number of segments (>= 1) */
    double *start;     /* [n] segment start, seconds; start[0] = 0 */
    double *bps;       /* [n] rate, bits/s, >= 0 */
    double *cum;       /* [n+1] bits delivered before start[i] */
    double duration;   /* period, seconds, > 0 */
    int loop;          /* 1: repeats with period duration */
} st_trace;

/* Loads a trace file.  ST_TRACE_AUTO picks: a header line with letters ->
 * CSV; one integer column -> Mahimahi; two numeric columns -> cooked
 * (which is native when the time starts at 0).  In the two-column formats
 * the last sample's rate holds for the median sample interval.  Errors
 * (missing file, a directory, bad number, non-monotonic time, negative,
 * NaN or infinite rate, empty or all-zero trace) name the file and line;
 * returns 0 or -1. */
int st_trace_load(const char *path, const st_trace_opts *opts,
                  st_trace **out, st_error *err);

/* Builds a trace from segment starts (t[0] may be nonzero: shifted) and
 * rates in Mbit/s; duration is the period length measured from t[0]. */
int st_trace_from_mbps(const char *name, const double *t, const double *mbps,
                       size_t n, double duration, int loop, st_trace **out,
                       st_error *err);

void st_trace_free(st_trace *tr);

/* Rate at time t (bits/s), t >= 0, wrapping when the trace loops. */
double st_trace_rate_at(const st_trace *tr, double t);
/* Bits delivered over [t0, t1], t0 <= t1, wrapping. */
double st_trace_bits_between(const st_trace *tr, double t0, double t1);
/* End time of a transfer of `bits` starting at t0 >= 0 (see above).  A
 * non-looping trace whose tail rate is zero never finishes: +inf. */
double st_trace_finish(const st_trace *tr, double t0, double bits);

/* Where the last transfer on one link direction ended, so the next lookup
 * on that direction starts there: transfers on a link start near where the
 * previous one ended, so the segment is nearly always the same or a few
 * further.  A zeroed cursor is valid, and a cursor only speeds lookups up:
 * whatever it holds (even one last used on another trace),
 * st_trace_finish_cursor returns exactly, bit for bit, what
 * st_trace_finish returns.  Keep one per link direction (4 bytes). */
typedef struct st_trace_cursor {
    uint32_t seg;      /* segment of the last transfer's end */
} st_trace_cursor;

/* st_trace_finish, starting its searches from (and updating) *cur. */
double st_trace_finish_cursor(const st_trace *tr, st_trace_cursor *cur,
                              double t0, double bits);
/* end[k] = st_trace_finish_cursor(tr, cur, t0, bits[k]) for k < n, bit
 * for bit, sharing what the transfers have in common (where t0 falls in
 * the trace): the true future of several sizes sent at one instant. */
void st_trace_finish_many(const st_trace *tr, st_trace_cursor *cur, double t0,
                          const double *bits, size_t n, double *end);

typedef struct st_trace_stats {
    double duration_s;
    size_t segments;
    double mean_mbps;                       /* time-weighted */
    double min_mbps, max_mbps;
    double p5_mbps, p25_mbps, p50_mbps, p75_mbps, p95_mbps; /* time-weighted */
    double zero_fraction;                   /* share of time at rate 0 */
} st_trace_stats;

void st_trace_stats_compute(const st_trace *tr, st_trace_stats *out);

/* Writes the native format ("time_s mbps", %.9g). */
int st_trace_write_native(const st_trace *tr, FILE *f);

/* Markov-modulated rate generator (Gilbert-Elliott is the 2-state case):
 * the rate holds state k's mean (times a lognormal jitter per step if
 * jitter > 0), changing state with exponential dwell times. */
typedef struct st_synth_opts {
    size_t states;          /* >= 1, <= 16 */
    double mbps[16];        /* mean rate per state */
    double dwell_s[16];     /* mean dwell time per state */
    double jitter;          /* lognormal sigma of per-step noise, 0 = none */
    double step_s;          /* output resolution */
    double duration_s;
    uint64_t seed;
} st_synth_opts;

int st_trace_synth(const st_synth_opts *o, st_trace **out, st_error *err);

const char *st_trace_format_name(st_trace_format f);
/* "auto", "native", "cooked", "mahimahi", "csv"; -1 if unknown. */
int st_trace_format_parse(const char *s, st_trace_format *out);

#endif
