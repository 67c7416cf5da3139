/* safeout.h - writing an output file without ever damaging what was there.
 *
 * An output path that is a regular file (or does not exist yet) is written
 * to a temporary file in the same directory and renamed over the target
 * only when everything was written: a failed write leaves the old file
 * untouched and removes nothing but the temporary file.  A symbolic link
 * is followed, so its target is what gets replaced and the link stays.
 * "-" is standard output.  A character device or a pipe (/dev/stdout,
 * /dev/null, a FIFO) is written through, as its user means, and never
 * removed; a directory, block device or socket is refused.
 *
 *     st_out o;
 *     if (st_safe_output_open(&o, path, err)) return -1;
 *     ... write to o.f ...
 *     return st_safe_output_commit(&o, failed, err);
 */
#ifndef STRATA_SAFEOUT_H
#define STRATA_SAFEOUT_H

#include <stddef.h>
#include <stdio.h>
#include "strata/error.h"

typedef struct st_out {
    FILE *f;          /* write here */
    const char *path; /* as given, for messages */
    char *target;     /* what the rename replaces (links resolved) */
    char *tmp;        /* the temporary file, NULL when writing through */
} st_out;

/* 0, or -1 with err set ("PATH: ..."). */
int st_safe_output_open(st_out *o, const char *path, st_error *err);
/* Finishes the output: checks every write (failed: the caller's own
 * failure, err already set) and renames the temporary file over the
 * target.  On any failure only the temporary file is removed.  0, or -1
 * with err set. */
int st_safe_output_commit(st_out *o, int failed, st_error *err);
/* The whole of text to path, the same way. */
int st_safe_output_write(const char *path, const char *text, size_t len,
                         st_error *err);

#endif
