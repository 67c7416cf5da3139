/* trace_dir.h - a trace path as a list of trace files: a file is itself, a
 * directory is every trace file in it.  Private to strata's sources. */
#ifndef STRATA_TRACE_DIR_H
#define STRATA_TRACE_DIR_H

#include <stddef.h>
#include "strata/error.h"

#define ST_MAX_TRACE_FILES 100000

/* Appends path to (*files, *n) if it is a file, or every file of the
 * directory it names (sorted by name, skipping dot files, README* and
 * LICENSE*).  Entries are malloc'd; the caller frees them and the array,
 * also on error.  0, or -1 with err set to a sentence without location
 * (the caller knows where the path was written). */
int st_trace_expand_path(const char *path, char ***files, size_t *n,
                         st_error *err);

#endif
