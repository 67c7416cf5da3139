/* bench_util.h - what the benchmark programs share: a monotonic clock,
 * peak memory from getrusage, and the one output format bench/run reads.
 *
 * Every program prints result rows as tab-separated "key=value" fields on
 * stdout, one measurement per line, so bench/run can pick the fields it
 * tabulates without caring which program wrote them.
 */
#ifndef STRATA_BENCH_UTIL_H
#define STRATA_BENCH_UTIL_H

#include <stddef.h>

/* Seconds on a monotonic clock. */
double bench_now(void);
/* Seconds of CPU this process has used.  Single-threaded measurements use
 * it rather than wall time: on a shared machine, time spent descheduled
 * is not time the code took. */
double bench_cpu(void);
/* Peak resident set of this process so far, in bytes. */
double bench_peak_rss(void);
/* Current resident set, in bytes (from /proc when available, else peak). */
double bench_rss(void);
/* Prints one row (a printf format of tab-separated key=value fields)
 * and a newline, flushed so a slow run shows progress. */
void bench_row(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
