/* fuzz_trace.c - libFuzzer harness for one trace importer (st_trace_load),
 * built once per format (FUZZ_TRACE_FORMAT: auto, native, cooked,
 * mahimahi, csv; FUZZ_TRACE_TIME_COLUMN names a CSV time column).  The input becomes a file in memory (memfd) read through
 * its /proc path, the loader's real file path.  A trace that loads is
 * then queried (rates, transfer ends, statistics, writing) to check the
 * arithmetic on whatever the loader accepted.
 */
#define _GNU_SOURCE
#include "strata/trace.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_TRACE_FORMAT
#define FUZZ_TRACE_FORMAT ST_TRACE_AUTO
#endif

static void query(const st_trace *tr)
{
    static const double at[] = {0, 0.5, 1, 17.25, 1e3, 1e6};
    static const double bits[] = {0, 1, 8e3, 1e6, 1e9};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        double r = st_trace_rate_at(tr, at[i]);
        if (!(r >= 0) || isinf(r))
            abort();
        for (size_t j = 0; j < sizeof bits / sizeof *bits; j++) {
            double t1 = st_trace_finish(tr, at[i], bits[j]);
            if (isnan(t1) || t1 < at[i])
                abort();
        }
        if (isnan(st_trace_bits_between(tr, at[i], at[i] + 2.5)))
            abort();
    }
    /* Statistics and writing cost time in proportion to the segments; a
     * few bytes of Mahimahi can legitimately make millions of them. */
    if (tr->n > 100000)
        return;
    st_trace_stats s;
    st_trace_stats_compute(tr, &s);
    FILE *f = fopen("/dev/null", "w");
    if (f) {
        st_trace_write_native(tr, f);
        fclose(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("trace", 0);
    if (fd < 0)
        abort();
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    st_trace_opts o = {.format = FUZZ_TRACE_FORMAT};
#ifdef FUZZ_TRACE_TIME_COLUMN
    o.time_column = FUZZ_TRACE_TIME_COLUMN;
#endif
    st_trace *tr = NULL;
    st_error err;
    if (st_trace_load(path, &o, &tr, &err) == 0) {
        query(tr);
        st_trace_free(tr);
    }
    close(fd);
    return 0;
}
