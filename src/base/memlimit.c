/* memlimit.c - the memory limit for one run (see memlimit.h). */
#include "base/memlimit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

double st_memory_limit(char *why, size_t n)
{
    const char *env = getenv("STRATA_MEMORY_LIMIT_MB");
    if (env && *env) {
        char *end;
        errno = 0;
        double mb = strtod(env, &end);
        if (!errno && !*end && isfinite(mb) && mb > 0) {
            snprintf(why, n, "STRATA_MEMORY_LIMIT_MB=%s", env);
            return mb * 1e6;
        }
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    snprintf(why, n, "half the physical memory; set STRATA_MEMORY_LIMIT_MB "
             "to change it");
    if (pages <= 0 || page <= 0)
        return 4e9;   /* unknown: a modest machine */
    return (double)pages * (double)page / 2;
}

char *st_bytes_text(double bytes, char *out, size_t n)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB", "PB",
                                        "EB"};
    int u = 0;
    while (bytes >= 1000 && u < 6) {
        bytes /= 1000;
        u++;
    }
    snprintf(out, n, u ? "%.3g %s" : "%.0f %s", bytes, units[u]);
    return out;
}
