/* trace_read.h - what the trace importers share (private to src/trace):
 * the defensive line reader (bounded lines, '#' comments, a stated
 * period), growable sample arrays, strict number parsing, the checks
 * every rate and time passes, and turning timed samples into a trace.
 * trace_read.c implements it; trace_native.c (native and cooked),
 * trace_mahimahi.c and trace_csv.c are the importers, trace_load.c
 * detects the format and calls one.  Every int function returns 0 (or a
 * count), or -1 with r->err naming the file and line. */
#ifndef STRATA_TRACE_READ_H
#define STRATA_TRACE_READ_H

#include <stddef.h>
#include "strata/trace.h"
#include "base/textfile.h"

#define MAX_SEGMENTS 50000000u
/* Plausibility bounds: a petabit per second, and a trace period of about
 * 30 years.  Together they keep every prefix sum (bits delivered per
 * period) far from overflowing a double. */
#define MAX_MBPS 1e9
#define MAX_SPAN_S 1e9
/* A period shorter than a microsecond is no measurement; folding a
 * simulated time into a period that short would overflow the count of
 * whole periods. */
#define MIN_PERIOD_S 1e-6

typedef struct reader {
    st_text text;        /* the bounded line reader */
    const char *path;
    st_error *err;
    char *buf;           /* current line, NUL-terminated, no newline */
    size_t len;
    size_t lineno;       /* 1-based number of the current line */
    int pushed_back;     /* next_data_line returns the current line again */
    double duration_hint;      /* from a "# duration_s: X" comment, or 0 */
    size_t duration_line;
} reader;

/* Timed samples, growing as they are read. */
typedef struct samples {
    double *t, *v;
    size_t n, cap;
} samples;

/* --- trace_read.c --- */

int tr_fail_line(reader *r, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A short, printable quotation of a bad line for error messages. */
const char *tr_excerpt(const char *s, char out[72]);
const char *tr_skip_space(const char *s);
/* Next line that is neither blank nor a '#' comment; 1, 0 at EOF, -1. */
int tr_next_data_line(reader *r);
int tr_samples_push(reader *r, samples *s, double t, double v);
void tr_samples_free(samples *s);
/* Parses one whole token [s, s+len) as a double; 0 or -1. */
int tr_parse_number(const char *s, size_t len, double *out);
/* Splits on whitespace; fills up to max tokens, returns the count found. */
size_t tr_split_ws(const char *s, const char **tok, size_t *len, size_t max);
/* Checks a throughput value read from the current line. */
int tr_check_rate(reader *r, double mbps, const char *what);
/* Checks a sample's time against the samples before it. */
int tr_check_time(reader *r, const samples *s, double t);
/* Period of timed samples: the "# duration_s" comment when present, else
 * the span plus one median interval for the last sample. */
int tr_timed_duration(reader *r, const samples *s, size_t last_line,
                      double *out);
/* The trace of the samples over that period. */
int tr_finish_samples(reader *r, samples *s, double duration,
                      size_t last_line, const st_trace_opts *o,
                      st_trace **out);
/* "empty trace" at the current line. */
int tr_fail_empty(reader *r);

/* --- the importers --- */

int tr_load_two_column(reader *r, const st_trace_opts *o, st_trace **out);
int tr_load_mahimahi(reader *r, const st_trace_opts *o, st_trace **out);
int tr_load_csv(reader *r, const st_trace_opts *o, st_trace **out);

#endif
