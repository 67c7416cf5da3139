/* memlimit.h - how much memory one run may plan to use: the limit a
 * scenario's memory estimate is checked against before it runs. */
#ifndef STRATA_MEMLIMIT_H
#define STRATA_MEMLIMIT_H

#include <stddef.h>

/* The limit in bytes: STRATA_MEMORY_LIMIT_MB when set (a positive number
 * of megabytes), else half of the physical memory.  `why` receives a
 * short phrase saying which (for messages). */
double st_memory_limit(char *why, size_t n);

/* "1.5 GB"-style text for a byte count. */
char *st_bytes_text(double bytes, char *out, size_t n);

#endif
